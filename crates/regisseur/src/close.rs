//! `close`: the month-end close from the command line (cron, or by hand):
//! drafts the validated days not billed yet, issues what is unlocked,
//! accrues what waits for a signature, then prints what it did in French.
//! Running it again finds everything done.

use std::process::ExitCode;

use anyhow::bail;
use clap::Args;
use domain::Locale;
use domain::calendar::YearMonth;
use domain::validation::Arg;
use store::invoicing::close::{Close, Summary, UnitError};
use store::{Actor, Db};
use time::Date;

use crate::config::{Common, connect};

#[derive(Args, Debug)]
#[command(
    after_help = "Exit status: 0 when every contract and mission was closed; \
1 when some could not be (each is listed with the reason; the others were closed) \
or when the close was refused (closed ledger period, date before the month's end); \
2 on a malformed argument."
)]
pub struct CloseArgs {
    /// The month to close, as YYYY-MM (e.g. 2026-11).
    #[arg(long, value_name = "YYYY-MM", value_parser = parse_period)]
    pub period: YearMonth,
    /// The date the issued invoices bear, as YYYY-MM-DD (or DD/MM/YYYY):
    /// on or after the month's last day. Today (UTC) by default.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub date: Option<Date>,
}

fn parse_period(s: &str) -> Result<YearMonth, String> {
    YearMonth::parse(s.trim())
        .ok_or_else(|| "expected a month as YYYY-MM, year 2000 to 2100 (e.g. 2026-11)".to_owned())
}

fn parse_date(s: &str) -> Result<Date, String> {
    domain::validation::date(s.trim())
        .map_err(|_| "expected a date as YYYY-MM-DD or DD/MM/YYYY (e.g. 2026-12-01)".to_owned())
}

pub async fn run(common: &Common, args: CloseArgs) -> anyhow::Result<ExitCode> {
    let date = args.date.unwrap_or_else(store::today);
    let c = checked(args.period, date)?;
    let db = connect(common).await?;
    let bar = crate::generate::progress(0, "clôture");
    let summary = execute(&db, c, &mut |done, total| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    })
    .await;
    bar.finish_and_clear();
    let summary = summary?;
    print!("{}", render(&summary, c));
    Ok(if summary.errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Refuses, before anything is opened, a date the invoices of the month
/// cannot bear.
fn checked(period: YearMonth, issue_date: Date) -> anyhow::Result<Close> {
    let last = period.last_day();
    if issue_date < last {
        bail!(
            "--date {issue_date}: the invoices of {period} are dated on or after the month's last day ({last}){}",
            if YearMonth::of(store::today()) <= period {
                "; the month is not over yet"
            } else {
                ""
            }
        );
    }
    Ok(Close { period, issue_date })
}

/// Runs the close as the command line's system actor; a refusal of the
/// whole run comes back in words.
pub async fn execute(
    db: &Db,
    c: Close,
    progress: &mut (dyn FnMut(usize, usize) + Send),
) -> anyhow::Result<Summary> {
    let actor = Actor::system("regisseur close");
    match store::invoicing::close::run(db, &actor, c, progress).await {
        Ok(s) => Ok(s),
        Err(store::Error::Invalid(v)) => bail!(
            "close refused: {}",
            v.0.iter()
                .map(|f| message(f.key, &f.args))
                .collect::<Vec<_>>()
                .join("; ")
        ),
        Err(e) => Err(e.into()),
    }
}

/// A message of the catalogue in French; a key the catalogue lacks is shown
/// with its arguments rather than lost.
fn message(key: &str, args: &[(&'static str, Arg)]) -> String {
    let borrowed: Vec<(&str, Arg)> = args.iter().map(|(k, v)| (*k, v.clone())).collect();
    translate(key, &borrowed)
}

fn translate(key: &str, args: &[(&str, Arg)]) -> String {
    if let Some(s) = web::i18n::try_t_args(Locale::Fr, key, args) {
        return strip_isolation(&s);
    }
    let reason = args.iter().find(|(k, _)| *k == "reason");
    match (key, reason) {
        ("close-unit-failed", Some((_, r))) => format!("échec : {r}"),
        _ if args.is_empty() => key.to_owned(),
        _ => format!(
            "{key} ({})",
            args.iter()
                .map(|(k, v)| format!("{k} = {v}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// Fluent wraps arguments in Unicode isolation marks, invisible on a page
/// but printed as such by some terminals.
fn strip_isolation(s: &str) -> String {
    s.chars()
        .filter(|c| !matches!(c, '\u{2068}' | '\u{2069}'))
        .collect()
}

fn unit_error(e: &UnitError) -> String {
    let args: Vec<(&str, Arg)> = e
        .args
        .iter()
        .map(|(k, v)| (k.as_str(), v.clone()))
        .collect();
    format!("{} : {}", e.unit, translate(&e.key, &args))
}

/// The summary as printed.
pub fn render(s: &Summary, c: Close) -> String {
    let money = |m: domain::Money| m.format(Locale::Fr);
    let mut out = format!(
        "Clôture de {} (factures datées du {})\n",
        c.period.label_fr(),
        domain::locale::format_date(c.issue_date, Locale::Fr)
    );
    let mut line = |label: &str, value: String| out.push_str(&format!("  {label:<36} {value}\n"));
    line("Contrats et missions examinés :", s.units.to_string());
    line("Factures préparées :", s.drafted.to_string());
    line(
        "Factures émises :",
        if s.issued == 0 {
            "0".to_owned()
        } else {
            format!(
                "{} — HT {}, TVA {}, TTC {}",
                s.issued,
                money(s.issued_net),
                money(s.issued_vat),
                money(s.issued_gross)
            )
        },
    );
    line(
        "Factures à établir comptabilisées :",
        if s.accrued == 0 {
            "0".to_owned()
        } else {
            format!("{} — TTC {}", s.accrued, money(s.accrued_gross))
        },
    );
    line("En attente de signature :", s.waiting.to_string());
    line(
        "Brouillons gardés pour relecture :",
        s.drafts_kept.to_string(),
    );
    line("Erreurs :", s.errors.len().to_string());
    for e in &s.errors {
        out.push_str(&format!("    {}\n", unit_error(e)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::Money;
    use fixtures::testing::TestDb;

    fn last_month() -> Close {
        let today = store::today();
        Close {
            period: YearMonth::of(today).prev(),
            issue_date: today,
        }
    }

    fn errors_line(text: &str) -> &str {
        text.lines()
            .find(|l| l.starts_with("  Erreurs :"))
            .expect("the errors line")
    }

    async fn count(db: &Db, sql: &'static str) -> i64 {
        store::on_pool!(db, |c| sqlx::query_scalar(sql).fetch_one(c).await).unwrap()
    }

    /// On the demo (two months of Camille's waiting for Clientis's
    /// signature) plus three consultants billed alone at 600 € a day: the
    /// first run drafts and issues the three and accrues the two waiting;
    /// the second writes nothing new.
    #[tokio::test]
    async fn a_second_close_finds_everything_done() {
        let t = TestDb::sqlite().await;
        let db = t.db.clone();
        fixtures::demo::seed_stage(&db, fixtures::demo::Stage::BeforeBilling)
            .await
            .unwrap();
        let c = last_month();
        let mut tx = db.begin().await.unwrap();
        let fixture = fixtures::bench_data::validated_cras_for_close(&mut tx, 3, c.period)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let halves = count(
            &db,
            "SELECT CAST(COUNT(*) AS BIGINT) FROM cra_slots s JOIN cras r ON r.id = s.cra_id
             JOIN missions m ON m.id = s.mission_id WHERE r.status = 'validated' AND m.title LIKE 'Mission bench %'",
        )
        .await;
        assert!(halves > 0);

        let mut calls = Vec::new();
        let first = execute(&db, c, &mut |done, total| calls.push((done, total)))
            .await
            .unwrap();
        // Camille's mission and the three of the fixture.
        assert_eq!(first.units, 4);
        // Two passes over the four: accruals first, then issues.
        assert_eq!(calls.last(), Some(&(8, 8)));
        assert_eq!(first.drafted, 3, "the demo's were drafted at validation");
        assert_eq!(first.issued, 3);
        assert_eq!(first.issued_net, Money::from_cents(halves * 30_000));
        assert_eq!(first.issued_vat, Money::from_cents(halves * 6_000));
        assert_eq!(first.issued_gross, Money::from_cents(halves * 36_000));
        assert_eq!((first.accrued, first.waiting), (2, 2));
        assert!(first.accrued_gross > Money::ZERO);
        assert_eq!(first.drafts_kept, 0);
        assert!(first.errors.is_empty(), "{:?}", first.errors);
        let mut tx = db.read().await.unwrap();
        let numbers = fixtures::bench_data::issued_numbers(&mut tx, &fixture.missions)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let year = c.issue_date.year();
        assert_eq!(
            numbers,
            (1..=3)
                .map(|i| format!("FA-{year}-{i:06}"))
                .collect::<Vec<_>>()
        );

        let entries = count(&db, "SELECT CAST(COUNT(*) AS BIGINT) FROM ledger_entries").await;
        let invoices = count(&db, "SELECT CAST(COUNT(*) AS BIGINT) FROM invoices").await;
        let second = execute(&db, c, &mut |_, _| {}).await.unwrap();
        assert_eq!(second.units, 4);
        assert_eq!(
            (second.drafted, second.issued, second.accrued),
            (0, 0, 0),
            "nothing new: {second:?}"
        );
        assert_eq!(second.issued_gross, Money::ZERO);
        assert_eq!(second.waiting, 2, "still waiting for the signature");
        assert!(second.errors.is_empty());
        assert_eq!(
            count(&db, "SELECT CAST(COUNT(*) AS BIGINT) FROM ledger_entries").await,
            entries
        );
        assert_eq!(
            count(&db, "SELECT CAST(COUNT(*) AS BIGINT) FROM invoices").await,
            invoices
        );
        assert_eq!(
            count(
                &db,
                "SELECT CAST(COUNT(*) AS BIGINT) FROM close_runs WHERE finished_at IS NOT NULL"
            )
            .await,
            2
        );

        let text = render(&first, c);
        assert!(
            text.contains(&format!("Clôture de {}", c.period.label_fr())),
            "{text}"
        );
        assert!(
            text.contains(&format!(
                "3 — HT {}, TVA {}, TTC {}",
                first.issued_net.format(Locale::Fr),
                first.issued_vat.format(Locale::Fr),
                first.issued_gross.format(Locale::Fr)
            )),
            "{text}"
        );
        assert!(errors_line(&text).ends_with(" 0"), "{text}");
        t.drop_db().await;
    }

    #[test]
    fn the_summary_names_each_failed_unit_in_french() {
        let s = Summary {
            period: "2026-11".into(),
            units: 2,
            drafted: 1,
            issued: 1,
            issued_net: Money::from_cents(1_200_000),
            issued_vat: Money::from_cents(240_000),
            issued_gross: Money::from_cents(1_440_000),
            errors: vec![
                UnitError {
                    unit: "Clientis — CLT-CADRE-2026".into(),
                    key: "invoice-client-incomplete".into(),
                    args: vec![("missing".into(), "SIREN, adresse".into())],
                },
                UnitError {
                    unit: "Banque Horizon".into(),
                    key: "close-unit-failed".into(),
                    args: vec![("reason".into(), "database is locked".into())],
                },
            ],
            ..Summary::default()
        };
        let c = Close {
            period: YearMonth::parse("2026-11").unwrap(),
            issue_date: Date::from_calendar_date(2026, time::Month::December, 1).unwrap(),
        };
        let text = render(&s, c);
        assert!(
            text.starts_with("Clôture de novembre 2026 (factures datées du 01/12/2026)\n"),
            "{text}"
        );
        assert!(
            text.contains("HT 12\u{202f}000,00\u{a0}€")
                || text.contains("HT 12\u{a0}000,00\u{a0}€"),
            "{text}"
        );
        assert!(
            text.contains("Clientis — CLT-CADRE-2026 : Mentions obligatoires manquantes, la facture ne peut pas être émise : SIREN, adresse."),
            "{text}"
        );
        assert!(text.contains("Banque Horizon : "), "{text}");
        assert!(text.contains("database is locked"), "{text}");
        assert!(errors_line(&text).ends_with(" 2"), "{text}");
    }

    #[test]
    fn bad_arguments_are_refused_in_words() {
        assert!(parse_period("2026-13").unwrap_err().contains("YYYY-MM"));
        assert!(parse_period("novembre").is_err());
        assert_eq!(parse_period("2026-11").unwrap().to_string(), "2026-11");
        assert!(parse_date("2026-02-30").unwrap_err().contains("YYYY-MM-DD"));
        assert_eq!(
            parse_date("01/12/2026").unwrap(),
            parse_date("2026-12-01").unwrap()
        );
        let nov = YearMonth::parse("2026-11").unwrap();
        let early = Date::from_calendar_date(2026, time::Month::November, 15).unwrap();
        let e = checked(nov, early).unwrap_err().to_string();
        assert!(e.contains("2026-11-30"), "{e}");
        assert!(checked(nov, nov.last_day()).is_ok());
    }
}
