//! Translations. Every user-facing string comes from the Fluent catalogues in
//! `locales/`; French is the reference and the fallback.

use std::borrow::Cow;
use std::collections::HashMap;

use domain::Locale;
use domain::validation::Arg;
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

/// The message for a key with its arguments: text already in the reader's
/// words (`String`) or values ([`Arg`]) written here in `locale`.
pub fn t_args<V: Clone + Into<Arg>>(locale: Locale, key: &str, args: &[(&str, V)]) -> String {
    LOCALES.lookup_with_args(lang(locale), key, &values(locale, args))
}

/// The message for a key with its arguments, or `None` when the catalogue
/// has no such key (for callers that print something else instead).
pub fn try_t_args<V: Clone + Into<Arg>>(
    locale: Locale,
    key: &str,
    args: &[(&str, V)],
) -> Option<String> {
    LOCALES.try_lookup_with_args(lang(locale), key, &values(locale, args))
}

/// One argument as Fluent takes it: a count stays a number, so that a
/// message can choose its plural form (`[one]`, `*[other]`); any other
/// value is written in the reader's language, a label looked up in the
/// catalogue.
pub fn value(locale: Locale, arg: &Arg) -> FluentValue<'static> {
    match arg {
        Arg::Count(n) => FluentValue::from(*n),
        other => FluentValue::from(other.format(locale, &|k, args| t_args(locale, k, args))),
    }
}

/// One argument written out in the reader's language.
pub fn arg(locale: Locale, arg: &Arg) -> String {
    arg.format(locale, &|k, args| t_args(locale, k, args))
}

fn values<V: Clone + Into<Arg>>(
    locale: Locale,
    args: &[(&str, V)],
) -> HashMap<Cow<'static, str>, FluentValue<'static>> {
    args.iter()
        .map(|(k, v)| (Cow::Owned(k.to_string()), value(locale, &v.clone().into())))
        .collect()
}

/// A technical code (a job kind, a deposit channel, an event) in words:
/// the message `{prefix}-{code}` (underscores written as dashes), or the
/// code itself when the catalogue has none, so nothing shows blank; the
/// codes we write have a message each (tests list them).
pub fn code(locale: Locale, prefix: &str, code: &str) -> String {
    let key = format!("{prefix}-{}", code.replace('_', "-"));
    if has(locale, &key) {
        t(locale, &key)
    } else {
        code.to_owned()
    }
}

/// A `User-Agent` header as people name it: "Chrome sur Android". The raw
/// header stays in the signature certificate and the API.
pub fn user_agent(locale: Locale, header: &str) -> String {
    use domain::user_agent::{Browser, summarise};
    let s = summarise(header);
    let browser = match (s.browser, s.browser.name()) {
        (_, Some(name)) => name.to_owned(),
        (Browser::Program, None) => t(locale, "ua-program"),
        _ => t(locale, "ua-unknown-browser"),
    };
    match s.platform.name() {
        Some(platform) => t_args(
            locale,
            "ua-summary",
            &[("browser", browser), ("platform", platform.to_owned())],
        ),
        None => browser,
    }
}

/// True when the key exists in the given language (used by the catalogue test).
pub fn has(locale: Locale, key: &str) -> bool {
    // Every variable our messages use, so a message with arguments resolves.
    let args: HashMap<&str, FluentValue> = [
        "count",
        "name",
        // A browser summarised ("Chrome sur Android").
        "browser",
        "platform",
        "max",
        "stage",
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
        // How many of a longer list a page shows.
        "shown",
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
        // A VAT rate that changed since a draft.
        "title",
        "was",
        "now",
        // A consultant's share of working time.
        "percent",
        // Margin drill-down lines.
        "cjm",
        "kind",
        "carrier",
        // Adjustments of locked months, and how to enter one.
        "what",
        "version",
        "old",
        "new",
        "amount",
        "first_open",
    ]
    .into_iter()
    .map(|k| (k, FluentValue::from(1)))
    .collect();
    LOCALES
        .lookup_single_language(lang(locale), key, Some(&args))
        .is_ok()
}

/// The message for a field error. A message may have an attribute per field
/// (`id-checksum.siren`) saying which identifier failed which check; the
/// plain message is the fallback.
pub fn field_error(locale: Locale, e: &domain::validation::FieldError) -> String {
    let map = values(locale, &e.args);
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
        // Every catalogue file of each language, whatever its name: a file
        // added later is checked without anyone listing it here.
        let files = |lang: &str| -> Vec<std::path::PathBuf> {
            let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("locales")
                .join(lang);
            let mut files: Vec<_> = std::fs::read_dir(&dir)
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_some_and(|x| x == "ftl"))
                .collect();
            files.sort();
            assert!(files.len() >= 17, "{files:?}");
            files
        };
        let (fr_files, en_files) = (files("fr"), files("en"));
        let names = |files: &[std::path::PathBuf]| -> Vec<_> {
            files
                .iter()
                .map(|p| p.file_name().unwrap().to_owned())
                .collect()
        };
        assert_eq!(
            names(&fr_files),
            names(&en_files),
            "the same files in both languages"
        );
        let catalogue = |files: &[std::path::PathBuf]| -> String {
            files
                .iter()
                .map(|p| std::fs::read_to_string(p).unwrap())
                .collect::<Vec<_>>()
                .join("\n")
        };
        let mut fr = keys(&catalogue(&fr_files));
        let mut en = keys(&catalogue(&en_files));
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

    /// A count is a Fluent number: the English catalogue's plural forms
    /// are chosen on it (a count sent as text always fell to `other`).
    #[test]
    fn counts_choose_the_plural_form() {
        let one = t_args(
            Locale::En,
            "invoice-waiting-days",
            &[("count", Arg::Count(1))],
        );
        let many = t_args(
            Locale::En,
            "invoice-waiting-days",
            &[("count", Arg::Count(12))],
        );
        assert_eq!((one.as_str(), many.as_str()), ("1 day", "12 days"));
        let fr = t_args(
            Locale::Fr,
            "invoice-waiting-days",
            &[("count", Arg::Count(1))],
        );
        assert_eq!(fr, "1 jour(s)");
    }

    /// A field error's values are written in the reader's language: no
    /// French date, amount or label in an English message.
    #[test]
    fn field_errors_write_their_values_in_the_readers_language() {
        use domain::money::Money;
        use domain::validation::FieldError;
        use time::macros::date;
        let e = FieldError {
            field: "amount",
            key: "payment-above-open-items",
            args: domain::args![("open", Money::from_cents(1_200_000))],
        };
        assert!(field_error(Locale::En, &e).contains("(€12,000.00)"));
        assert!(field_error(Locale::Fr, &e).contains("(12\u{202f}000,00\u{a0}€)"));
        let e = FieldError {
            field: "date",
            key: "ledger-date-outside-open-years",
            args: domain::args![
                ("from", date!(2025 - 01 - 01)),
                ("to", date!(2027 - 12 - 31))
            ],
        };
        assert!(field_error(Locale::En, &e).ends_with("from 1 Jan 2025 to 31 Dec 2027."));
        assert!(field_error(Locale::Fr, &e).ends_with("du 01/01/2025 au 31/12/2027."));
        let e = FieldError {
            field: "client",
            key: "invoice-client-incomplete",
            args: vec![(
                "missing",
                Arg::keys(&[
                    "mention-buyer-siren",
                    "mention-buyer-address",
                    "mention-seller-vat",
                ]),
            )],
        };
        assert_eq!(
            field_error(Locale::En, &e),
            "Mandatory mentions missing, the invoice cannot be issued: \
             SIREN, address, the firm's VAT number."
        );
        assert_eq!(
            field_error(Locale::Fr, &e),
            "Mentions obligatoires manquantes, la facture ne peut pas être émise : \
             SIREN, adresse, n° de TVA de l'entreprise."
        );
    }

    #[test]
    fn arguments_are_substituted() {
        let s = t_args(
            Locale::Fr,
            "id-wrong-length",
            &[("expected", Arg::Count(9)), ("found", Arg::Count(7))],
        );
        assert!(s.contains('9') && s.contains('7'), "{s}");
    }
}
