//! Translations. Every user-facing string comes from the Fluent catalogues in
//! `locales/`; French is the reference and the fallback.

use std::borrow::Cow;
use std::collections::HashMap;

use domain::Locale;
use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader, langid};

fluent_templates::static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "fr",
        // Unicode isolation marks around arguments would show up in inputs
        // and e-mails; our arguments are plain values.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

static FR: LanguageIdentifier = langid!("fr");
static EN: LanguageIdentifier = langid!("en");

fn lang(locale: Locale) -> &'static LanguageIdentifier {
    match locale {
        Locale::Fr => &FR,
        Locale::En => &EN,
    }
}

pub fn t(locale: Locale, key: &str) -> String {
    LOCALES.lookup(lang(locale), key)
}

pub fn t_args(locale: Locale, key: &str, args: &[(&str, String)]) -> String {
    let map: HashMap<Cow<'static, str>, FluentValue> = args
        .iter()
        .map(|(k, v)| (Cow::Owned(k.to_string()), FluentValue::from(v.clone())))
        .collect();
    LOCALES.lookup_with_args(lang(locale), key, &map)
}

/// The message for a key with its arguments, or `None` when the catalogue
/// has no such key (for callers that print something else instead).
pub fn try_t_args(locale: Locale, key: &str, args: &[(&str, String)]) -> Option<String> {
    let map: HashMap<Cow<'static, str>, FluentValue> = args
        .iter()
        .map(|(k, v)| (Cow::Owned(k.to_string()), FluentValue::from(v.clone())))
        .collect();
    LOCALES.try_lookup_with_args(lang(locale), key, &map)
}

/// True when the key exists in the given language (used by the catalogue test).
pub fn has(locale: Locale, key: &str) -> bool {
    // Every variable our messages use, so a message with arguments resolves.
    let args: HashMap<&str, FluentValue> = [
        "count",
        "name",
        "max",
        "min",
        "expected",
        "found",
        "who",
        "when",
        "days",
        "renewed",
        "total",
        "error",
        "from",
        "event",
        "day",
        "month",
        "month_en",
        "year",
        "remaining",
        "acquired",
        "start",
        "end",
        "to",
        "line",
        "debit",
        "credit",
        "accounts",
        "journal",
        "date",
        "number",
        "missing",
        "reason",
        "credited",
        "received",
        "done",
        // Payments (#8).
        "open",
        "outstanding",
        "available",
        // Bank statements (#17).
        "position",
        "other",
        "lines",
        // Invoices frozen at drafting (#17).
        "changes",
        // The bank journal's brouillard (#17).
        "first",
        "last",
        "invoice",
    ]
    .into_iter()
    .map(|k| (k, FluentValue::from("1")))
    .collect();
    LOCALES
        .lookup_single_language(lang(locale), key, Some(&args))
        .is_ok()
}

/// The message for a field error. A message may have an attribute per field
/// (`id-checksum.siren`) saying which identifier failed which check; the
/// plain message is the fallback.
pub fn field_error(locale: Locale, e: &domain::validation::FieldError) -> String {
    let map: HashMap<Cow<'static, str>, FluentValue> = e
        .args
        .iter()
        .map(|(k, v)| (Cow::Owned(k.to_string()), FluentValue::from(v.clone())))
        .collect();
    let specific = format!("{}.{}", e.key, e.field);
    LOCALES
        .try_lookup_complete(lang(locale), &specific, Some(&map))
        .unwrap_or_else(|| LOCALES.lookup_with_args(lang(locale), e.key, &map))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Both catalogues define the same keys: a string added in one language
    /// only would silently fall back to French for English users.
    #[test]
    fn catalogues_have_the_same_keys() {
        let keys = |src: &str| -> Vec<String> {
            src.lines()
                .filter(|l| !l.starts_with(' ') && !l.starts_with('#') && l.contains('='))
                .map(|l| l.split('=').next().unwrap().trim().to_string())
                .collect()
        };
        let mut fr = keys(concat!(
            include_str!("../locales/fr/main.ftl"),
            include_str!("../locales/fr/missions.ftl"),
            include_str!("../locales/fr/documents.ftl"),
            include_str!("../locales/fr/cras.ftl"),
            include_str!("../locales/fr/leave.ftl"),
            include_str!("../locales/fr/accounting.ftl"),
            include_str!("../locales/fr/cra_reports.ftl"),
            include_str!("../locales/fr/invoices.ftl"),
            include_str!("../locales/fr/einvoice.ftl"),
            include_str!("../locales/fr/collections.ftl"),
            include_str!("../locales/fr/statements.ftl"),
            include_str!("../locales/fr/lettering.ftl"),
            include_str!("../locales/fr/dunning.ftl"),
            include_str!("../locales/fr/receivables.ftl")
        ));
        let mut en = keys(concat!(
            include_str!("../locales/en/main.ftl"),
            include_str!("../locales/en/missions.ftl"),
            include_str!("../locales/en/documents.ftl"),
            include_str!("../locales/en/cras.ftl"),
            include_str!("../locales/en/leave.ftl"),
            include_str!("../locales/en/accounting.ftl"),
            include_str!("../locales/en/cra_reports.ftl"),
            include_str!("../locales/en/invoices.ftl"),
            include_str!("../locales/en/einvoice.ftl"),
            include_str!("../locales/en/collections.ftl"),
            include_str!("../locales/en/statements.ftl"),
            include_str!("../locales/en/lettering.ftl"),
            include_str!("../locales/en/dunning.ftl"),
            include_str!("../locales/en/receivables.ftl")
        ));
        fr.sort();
        en.sort();
        let only_fr: Vec<_> = fr.iter().filter(|k| !en.contains(k)).collect();
        let only_en: Vec<_> = en.iter().filter(|k| !fr.contains(k)).collect();
        assert!(
            only_fr.is_empty() && only_en.is_empty(),
            "only fr: {only_fr:?}, only en: {only_en:?}"
        );
        for k in &fr {
            assert!(
                has(Locale::Fr, k) && has(Locale::En, k),
                "{k} does not parse"
            );
        }
    }

    /// Every refusal or report of a statement import is in both languages.
    #[test]
    fn statement_messages_exist() {
        use domain::bank_statement::Reason;
        let reasons = [
            Reason::Xml(String::new()),
            Reason::NotCamt053,
            Reason::EntryStatus(String::new()),
            Reason::Missing,
            Reason::Amount(String::new()),
            Reason::Date(String::new()),
            Reason::Currency(String::new()),
            Reason::CreditDebit(String::new()),
            Reason::Encoding(String::new()),
            Reason::EncodingUnknown(String::new()),
            Reason::Unclosed,
            Reason::ColumnNotFound(String::new()),
            Reason::TooFewColumns,
            Reason::DebitAndCredit,
            Reason::ZeroAmount,
            Reason::Empty,
            Reason::Mapping(""),
        ];
        let store_keys = [
            "statement-account-unknown",
            "statement-account-ambiguous",
            "statement-account-inactive",
            "statement-already-imported",
            "statement-file-already-imported",
            "statement-line-already-imported",
            "statement-line-twice-in-file",
            "statement-twice-in-file",
            "statement-skipped-empty",
            "statement-imported-report",
            "statement-not-booked",
        ];
        for k in reasons.iter().map(Reason::key).chain(store_keys) {
            assert!(has(Locale::Fr, k) && has(Locale::En, k), "{k} missing");
        }
    }

    #[test]
    fn arguments_are_substituted() {
        let s = t_args(
            Locale::Fr,
            "id-wrong-length",
            &[("expected", "9".into()), ("found", "7".into())],
        );
        assert!(s.contains('9') && s.contains('7'), "{s}");
    }
}
