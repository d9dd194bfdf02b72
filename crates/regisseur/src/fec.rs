//! `fec export`: writes a fiscal year's FEC to a file; `fec check`: checks
//! any FEC (ours or another software's) and lists its problems.

use std::io::{BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::Subcommand;
use domain::Locale;
use domain::fec::check::{self, Layout, Options, Period};
use domain::ledger::FiscalYear;

use crate::config::{Common, connect};

#[derive(Subcommand, Debug)]
pub enum FecCommand {
    /// Write the FEC of a fiscal year to `<SIREN>FEC<AAAAMMJJ>.txt`.
    Export {
        /// The fiscal year (the calendar year it ends in).
        #[arg(long)]
        year: i32,
        /// The directory to write to (the current one by default).
        #[arg(long, value_name = "DIR", default_value = ".")]
        out: PathBuf,
    },
    /// Check a FEC file. Exit 0 when clean, 1 when problems were found,
    /// 2 when the file cannot be read as a FEC.
    Check {
        file: PathBuf,
        /// The fiscal year as a calendar year. By default the closing date
        /// is read from the file name `<SIREN>FEC<AAAAMMJJ>` and the year is
        /// the 12 months before it, or up to 23 from the oldest entry.
        #[arg(long)]
        year: Option<i32>,
        /// The fiscal year's first day (AAAAMMJJ), with --to.
        #[arg(long, value_name = "AAAAMMJJ")]
        from: Option<String>,
        /// The closing date (AAAAMMJJ): with --from, the exact period;
        /// alone, instead of the file name's date.
        #[arg(long, value_name = "AAAAMMJJ")]
        to: Option<String>,
        /// Also write every problem to FILE (tab-separated: line, rule,
        /// problem).
        #[arg(long, value_name = "FILE")]
        report: Option<PathBuf>,
        /// Language of the messages: fr (default) or en.
        #[arg(long, default_value = "fr")]
        lang: String,
    },
}

pub async fn run(common: &Common, cmd: FecCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        FecCommand::Export { year, out } => export(common, year, out).await,
        FecCommand::Check {
            file,
            year,
            from,
            to,
            report,
            lang,
        } => Ok(check_file(
            &file,
            &CheckArgs {
                year,
                from,
                to,
                report,
                lang,
            },
        )),
    }
}

fn fiscal_year(year: i32) -> anyhow::Result<FiscalYear> {
    let d = time::Date::from_calendar_date(year, time::Month::June, 30)
        .map_err(|_| anyhow::anyhow!("--year: not a year: {year}"))?;
    Ok(FiscalYear::of(d))
}

/// Writes the year's FEC to a file in `dir`; returns its path, lines and bytes.
pub async fn export_to(
    db: &store::Db,
    year: FiscalYear,
    dir: &std::path::Path,
    progress: &mut (dyn FnMut(u64, u64) + Send),
) -> anyhow::Result<(PathBuf, store::fec::Written)> {
    let mut tx = db.read().await?;
    let total = store::fec::count_lines(&mut tx, year).await?.max(0) as u64;
    let name = store::fec::file_name(&mut tx, year).await?;
    let path = dir.join(&name);
    let file = std::fs::File::create(&path)?;
    let mut w = std::io::BufWriter::with_capacity(1 << 20, file);
    let written = store::fec::write(&mut tx, year, &mut w, &mut |n| progress(n, total)).await?;
    tx.commit().await?;
    Ok((path, written))
}

async fn export(common: &Common, year: i32, out: PathBuf) -> anyhow::Result<ExitCode> {
    let year = fiscal_year(year)?;
    let db = connect(common).await?;
    let started = Instant::now();
    let bar = crate::generate::progress(0, "lignes FEC");
    let result = export_to(&db, year, &out, &mut |n, total| {
        bar.set_length(total);
        bar.set_position(n);
    })
    .await;
    bar.finish_and_clear();
    let (path, w) = result?;
    println!("{}", path.display());
    println!(
        "{} lignes, {} octets, {:.2} s",
        w.lines,
        w.bytes,
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}

/// The options of `fec check`.
#[derive(Debug, Default, Clone)]
pub struct CheckArgs {
    pub year: Option<i32>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub report: Option<PathBuf>,
    pub lang: String,
}

/// A refusal of the options: what to print before exiting 2.
fn refuse(locale: Locale, fr: String, en: String) -> String {
    if locale == Locale::Fr { fr } else { en }
}

/// `AAAAMMJJ` (or `AAAA-MM-JJ`).
fn option_date(name: &str, value: &str, locale: Locale) -> Result<time::Date, String> {
    let compact: String =
        if value.len() == 10 && value.as_bytes()[4] == b'-' && value.as_bytes()[7] == b'-' {
            value.replace('-', "")
        } else {
            value.to_owned()
        };
    domain::fec::parse_date(&compact).ok_or_else(|| {
        refuse(
            locale,
            format!("{name} « {value} » : date AAAAMMJJ réelle attendue"),
            format!("{name} '{value}': a real AAAAMMJJ date expected"),
        )
    })
}

/// The checker's options from the command line, or a refusal naming the
/// option at fault.
fn options(file: &Path, args: &CheckArgs, locale: Locale) -> Result<Options, String> {
    let mut opts = Options {
        file_name: file.file_name().map(|n| n.to_string_lossy().into_owned()),
        ..Default::default()
    };
    if args.year.is_some() && (args.from.is_some() || args.to.is_some()) {
        return Err(refuse(
            locale,
            "--year et --from/--to s'excluent : donner l'un ou l'autre".into(),
            "--year and --from/--to exclude each other: give one or the other".into(),
        ));
    }
    if let Some(y) = args.year {
        opts.period = Some(
            Period::calendar(y)
                .filter(|_| (1900..=2200).contains(&y))
                .ok_or_else(|| {
                    refuse(
                        locale,
                        format!("--year « {y} » : année attendue"),
                        format!("--year '{y}': a year expected"),
                    )
                })?,
        );
    }
    let from = args
        .from
        .as_deref()
        .map(|v| option_date("--from", v, locale))
        .transpose()?;
    let to = args
        .to
        .as_deref()
        .map(|v| option_date("--to", v, locale))
        .transpose()?;
    match (from, to) {
        (Some(_), None) => {
            return Err(refuse(
                locale,
                "--from sans --to : donner aussi la date de clôture --to".into(),
                "--from without --to: give the closing date --to too".into(),
            ));
        }
        (Some(start), Some(end)) if start > end => {
            return Err(refuse(
                locale,
                format!(
                    "--from {} après --to {} : le début doit précéder la clôture",
                    domain::fec::format_date(start),
                    domain::fec::format_date(end)
                ),
                format!(
                    "--from {} after --to {}: the start must come before the closing date",
                    domain::fec::format_date(start),
                    domain::fec::format_date(end)
                ),
            ));
        }
        (Some(start), Some(end)) => opts.period = Some(Period { start, end }),
        (None, Some(end)) => opts.closing = Some(end),
        (None, None) => {}
    }
    Ok(opts)
}

/// `ligne 12` / `line 12`; line 0 is the file name.
fn at(line: u64, locale: Locale) -> String {
    match (line, locale) {
        (0, Locale::Fr) => "fichier".into(),
        (0, Locale::En) => "file".into(),
        (l, Locale::Fr) => format!("ligne {l}"),
        (l, Locale::En) => format!("line {l}"),
    }
}

/// What `fec check` prints: remarks, one line per rule with its count and
/// where it was broken first, then its first examples; the period assumed;
/// the totals.
pub fn render(
    file: &Path,
    report: &check::Report,
    locale: Locale,
    full_list: Option<&Path>,
) -> Vec<String> {
    let fr = locale == Locale::Fr;
    let mut out = Vec::new();
    for note in &report.notes {
        out.push(format!(
            "{} {}",
            if fr { "remarque :" } else { "note:" },
            note.message(locale)
        ));
    }
    let mut cut = false;
    for (rule, summary) in &report.rules {
        let lines: Vec<String> = summary
            .examples
            .iter()
            .filter(|p| p.line > 0)
            .map(|p| p.line.to_string())
            .collect();
        let more = summary.count > summary.examples.len() as u64;
        cut |= more;
        let where_ = if lines.is_empty() {
            String::new()
        } else {
            format!(
                " ({} {}{})",
                match (fr, lines.len() == 1 && !more) {
                    (true, true) => "ligne",
                    (true, false) => "lignes",
                    (false, true) => "line",
                    (false, false) => "lines",
                },
                lines.join(", "),
                if more { ", …" } else { "" }
            )
        };
        out.push(format!(
            "✗ {} — {}{where_}",
            rule.title(locale),
            summary.count
        ));
        for p in &summary.examples {
            out.push(format!(
                "    {}{} {}",
                at(p.line, locale),
                if fr { " :" } else { ":" },
                p.issue.message(locale)
            ));
        }
    }
    match (full_list, cut) {
        (Some(path), _) if !report.is_clean() => out.push(if fr {
            format!(
                "liste complète des {} problèmes : {}",
                report.problem_count,
                path.display()
            )
        } else {
            format!(
                "full list of the {} problems: {}",
                report.problem_count,
                path.display()
            )
        }),
        (None, true) => out.push(if fr {
            "liste complète : relancer avec --report FICHIER".into()
        } else {
            "full list: run again with --report FILE".into()
        }),
        _ => {}
    }
    out.push(report.period_source.describe(report.period, locale));
    let layout = match report.layout {
        Layout::DebitCredit => "Debit/Credit",
        Layout::MontantSens => "Montant/Sens",
    };
    let total = |c: i128| {
        i64::try_from(c)
            .map(domain::fec::format_amount)
            .unwrap_or_else(|_| c.to_string())
    };
    out.push(if fr {
        format!(
            "{} : {} lignes, {} écritures, {}, séparateur {}, fin de ligne {}, {}, {}, débit {} / crédit {} : {}",
            file.display(),
            report.lines,
            report.entries,
            report.columns.name(locale),
            report.separator.name(),
            report.line_end.name(),
            report.encoding.name(),
            layout,
            total(report.debit_cents),
            total(report.credit_cents),
            if report.is_clean() {
                "aucun problème".to_owned()
            } else {
                format!("{} problème(s)", report.problem_count)
            }
        )
    } else {
        format!(
            "{}: {} lines, {} entries, {}, separator {}, line end {}, {}, {}, debit {} / credit {}: {}",
            file.display(),
            report.lines,
            report.entries,
            report.columns.name(locale),
            report.separator.name(),
            report.line_end.name(),
            report.encoding.name(),
            layout,
            total(report.debit_cents),
            total(report.credit_cents),
            if report.is_clean() {
                "no problem".to_owned()
            } else {
                format!("{} problem(s)", report.problem_count)
            }
        )
    });
    out
}

/// The full list, written while the file is checked into a hidden file
/// beside the requested one, renamed at the end: nothing appears when the
/// check cannot finish.
struct FullList {
    partial: PathBuf,
    path: PathBuf,
    out: std::io::BufWriter<std::fs::File>,
    error: Option<std::io::Error>,
    locale: Locale,
}

impl FullList {
    fn create(path: &Path, checked: &Path, locale: Locale) -> Result<FullList, String> {
        let same = match (std::fs::canonicalize(path), std::fs::canonicalize(checked)) {
            (Ok(a), Ok(b)) => a == b,
            _ => false,
        };
        if same {
            return Err(refuse(
                locale,
                format!(
                    "--report « {} » : c'est le fichier vérifié, il serait écrasé",
                    path.display()
                ),
                format!(
                    "--report '{}': that is the file being checked, it would be overwritten",
                    path.display()
                ),
            ));
        }
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let partial = path.with_file_name(format!(".{name}.partial"));
        let file = std::fs::File::create(&partial).map_err(|e| {
            refuse(
                locale,
                format!(
                    "--report « {} » : écriture impossible : {e}",
                    path.display()
                ),
                format!("--report '{}': cannot write: {e}", path.display()),
            )
        })?;
        let mut list = FullList {
            partial,
            path: path.to_owned(),
            out: std::io::BufWriter::with_capacity(1 << 16, file),
            error: None,
            locale,
        };
        let head = if locale == Locale::Fr {
            "ligne\trègle\tproblème"
        } else {
            "line\trule\tproblem"
        };
        list.write(head);
        Ok(list)
    }

    fn write(&mut self, text: &str) {
        if self.error.is_none()
            && let Err(e) = writeln!(self.out, "{text}")
        {
            self.error = Some(e);
        }
    }

    fn problem(&mut self, p: &check::Problem) {
        let line = if p.line == 0 {
            String::new()
        } else {
            p.line.to_string()
        };
        let text = format!(
            "{line}\t{}\t{}",
            p.issue.rule().title(self.locale),
            p.issue
                .message(self.locale)
                .replace(['\t', '\n', '\r'], " ")
        );
        self.write(&text);
    }

    /// Renames the list into place, or removes it.
    fn finish(mut self, keep: bool) -> Result<(), String> {
        let flushed = self.out.flush();
        let error = self.error.take().or(flushed.err());
        if !keep || error.is_some() {
            let _ = std::fs::remove_file(&self.partial);
        }
        if let Some(e) = error {
            return Err(refuse(
                self.locale,
                format!(
                    "--report « {} » : écriture impossible : {e}",
                    self.path.display()
                ),
                format!("--report '{}': cannot write: {e}", self.path.display()),
            ));
        }
        if keep {
            std::fs::rename(&self.partial, &self.path).map_err(|e| {
                refuse(
                    self.locale,
                    format!(
                        "--report « {} » : écriture impossible : {e}",
                        self.path.display()
                    ),
                    format!("--report '{}': cannot write: {e}", self.path.display()),
                )
            })?;
        }
        Ok(())
    }
}

/// Checks `file`, prints the summary; the exit status says how it went:
/// 0 clean, 1 problems, 2 the file or the options cannot be used (then
/// nothing is written).
pub fn check_file(file: &Path, args: &CheckArgs) -> ExitCode {
    let locale = Locale::parse(&args.lang).unwrap_or_default();
    let opts = match options(file, args, locale) {
        Ok(o) => o,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let input = match std::fs::File::open(file) {
        Ok(f) => f,
        Err(e) => {
            eprintln!(
                "{}: {}",
                file.display(),
                check::Unreadable::Io(e.to_string()).message(locale)
            );
            return ExitCode::from(2);
        }
    };
    let mut list = match args
        .report
        .as_deref()
        .map(|p| FullList::create(p, file, locale))
        .transpose()
    {
        Ok(l) => l,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let report =
        check::check_streaming(BufReader::with_capacity(1 << 16, input), &opts, &mut |p| {
            if let Some(l) = list.as_mut() {
                l.problem(p);
            }
        });
    let finished = list.map(|l| l.finish(report.is_ok())).transpose();
    let report = match report {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{}: {}", file.display(), e.message(locale));
            return ExitCode::from(2);
        }
    };
    if let Err(message) = finished {
        eprintln!("{message}");
        return ExitCode::from(2);
    }
    for line in render(file, &report, locale, args.report.as_deref()) {
        println!("{line}");
    }
    if report.is_clean() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str, bytes: &[u8]) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("regisseur-fec-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }

    fn good() -> Vec<u8> {
        let mut good = Vec::new();
        domain::fec::write_header(&mut good);
        good.extend_from_slice(b"VE\tVentes\tVE-2026-000001\t20260105\t411\tClients\t\t\tP\t20260105\tF\t1,00\t0,00\t\t\t20260105\t\t\r\n");
        good.extend_from_slice(b"VE\tVentes\tVE-2026-000001\t20260105\t706\tPrest\t\t\tP\t20260105\tF\t0,00\t1,00\t\t\t20260105\t\t\r\n");
        good
    }

    fn args(lang: &str) -> CheckArgs {
        CheckArgs {
            lang: lang.into(),
            ..Default::default()
        }
    }

    #[test]
    fn check_exits_0_clean_1_problems_2_unreadable() {
        let good = good();
        let p = temp("123456782FEC20261231.txt", &good);
        assert_eq!(check_file(&p, &args("fr")), ExitCode::SUCCESS);
        // The name says 2025: every date is outside.
        let p = temp("123456782FEC20251231.txt", &good);
        assert_eq!(check_file(&p, &args("en")), ExitCode::FAILURE);
        let year = CheckArgs {
            year: Some(2026),
            ..args("en")
        };
        assert_eq!(check_file(&p, &year), ExitCode::SUCCESS);
        let period = CheckArgs {
            from: Some("20260101".into()),
            to: Some("2026-12-31".into()),
            ..args("en")
        };
        assert_eq!(check_file(&p, &period), ExitCode::SUCCESS);
        let closing = CheckArgs {
            to: Some("20261231".into()),
            ..args("fr")
        };
        assert_eq!(check_file(&p, &closing), ExitCode::SUCCESS);
        let p = temp("garbage.bin", &[0, 1, 2, 255, 254, b'\n', 7]);
        assert_eq!(check_file(&p, &args("fr")), ExitCode::from(2));
        assert_eq!(
            check_file(std::path::Path::new("/nonexistent/x.txt"), &args("fr")),
            ExitCode::from(2)
        );
    }

    #[test]
    fn refused_options_name_the_option_in_the_users_language_and_write_nothing() {
        let p = temp("123456782FEC20261231.txt", &good());
        let list = p.with_file_name("problems.tsv");
        let cases: Vec<(CheckArgs, &str, &str)> = vec![
            (
                CheckArgs {
                    year: Some(2026),
                    to: Some("20261231".into()),
                    ..Default::default()
                },
                "--year et --from/--to s'excluent",
                "--year and --from/--to exclude each other",
            ),
            (
                CheckArgs {
                    from: Some("20260231".into()),
                    to: Some("20261231".into()),
                    ..Default::default()
                },
                "--from « 20260231 » : date AAAAMMJJ réelle attendue",
                "--from '20260231': a real AAAAMMJJ date expected",
            ),
            (
                CheckArgs {
                    to: Some("31/12/2026".into()),
                    ..Default::default()
                },
                "--to « 31/12/2026 »",
                "--to '31/12/2026'",
            ),
            (
                CheckArgs {
                    from: Some("20260101".into()),
                    ..Default::default()
                },
                "--from sans --to",
                "--from without --to",
            ),
            (
                CheckArgs {
                    from: Some("20270101".into()),
                    to: Some("20261231".into()),
                    ..Default::default()
                },
                "--from 20270101 après --to 20261231",
                "--from 20270101 after --to 20261231",
            ),
            (
                CheckArgs {
                    year: Some(99999),
                    ..Default::default()
                },
                "--year « 99999 »",
                "--year '99999'",
            ),
        ];
        for (a, fr, en) in cases {
            let e = options(&p, &a, Locale::Fr).unwrap_err();
            assert!(e.contains(fr), "{e}");
            let e = options(&p, &a, Locale::En).unwrap_err();
            assert!(e.contains(en), "{e}");
            let a = CheckArgs {
                report: Some(list.clone()),
                ..a
            };
            assert_eq!(check_file(&p, &a), ExitCode::from(2));
            assert!(!list.exists());
        }
        // The full list may not overwrite the file checked.
        let a = CheckArgs {
            report: Some(p.clone()),
            ..args("fr")
        };
        assert_eq!(check_file(&p, &a), ExitCode::from(2));
        assert_eq!(std::fs::read(&p).unwrap(), good());
        let e = FullList::create(&p, &p, Locale::En).err().unwrap();
        assert!(
            e.starts_with("--report '") && e.contains("overwritten"),
            "{e}"
        );
        // An unreadable file leaves no list behind.
        let bad = temp("garbage.bin", b"no separator here\n");
        let a = CheckArgs {
            report: Some(bad.with_file_name("l.tsv")),
            ..args("fr")
        };
        assert_eq!(check_file(&bad, &a), ExitCode::from(2));
        assert_eq!(std::fs::read_dir(bad.parent().unwrap()).unwrap().count(), 1);
    }

    #[test]
    fn the_summary_is_one_line_per_rule_and_the_full_list_goes_to_a_file() {
        let mut bytes = good();
        for i in 0..300 {
            bytes.extend_from_slice(
                format!("VE\tVentes\tVE-2026-{:06}\t2026013{}\t411\tC\t\t\tP\t20260101\tL\t1,00\t0,00\t\t\t20260101\t\t\r\n", 2 + i, 2 + i % 2)
                    .as_bytes(),
            );
        }
        let p = temp("123456782FEC20261231.txt", &bytes);
        let opts = options(&p, &args("fr"), Locale::Fr).unwrap();
        let report = check::check(&bytes[..], &opts).unwrap();
        assert_eq!(report.problem_count, 600, "300 bad dates, 300 unbalanced");
        let out = render(&p, &report, Locale::Fr, None);
        assert_eq!(out.len(), 2 * 6 + 3, "{out:#?}");
        assert!(
            out[0].starts_with("✗ date invalide — 300 (lignes 4, 5, 6, 7, 8, …)"),
            "{}",
            out[0]
        );
        assert!(
            out[1].starts_with("    ligne 4 : EcritureDate « 20260132 »"),
            "{}",
            out[1]
        );
        assert!(
            out[6].starts_with("✗ écriture déséquilibrée — 300"),
            "{}",
            out[6]
        );
        assert_eq!(out[12], "liste complète : relancer avec --report FICHIER");
        assert!(out[13].starts_with("exercice du 20260101 au 20261231 (12 mois) : les 12 mois avant la date de clôture du nom du fichier"), "{}", out[13]);
        let en = render(&p, &report, Locale::En, None);
        assert!(
            en[0].starts_with("✗ invalid date — 300 (lines 4, 5"),
            "{}",
            en[0]
        );
        assert!(
            en[1].starts_with("    line 4: EcritureDate '20260132'"),
            "{}",
            en[1]
        );
        // --report: every problem, one per line.
        let list = p.with_file_name("problems.tsv");
        let a = CheckArgs {
            report: Some(list.clone()),
            ..args("en")
        };
        assert_eq!(check_file(&p, &a), ExitCode::FAILURE);
        let text = std::fs::read_to_string(&list).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 601);
        assert_eq!(lines[0], "line\trule\tproblem");
        assert!(
            lines[1].starts_with("4\tinvalid date\tEcritureDate '20260132'"),
            "{}",
            lines[1]
        );
        assert!(
            lines[600].starts_with("303\tunbalanced entry\t"),
            "{}",
            lines[600]
        );
        // A malformed name: the file's line, and the period not guessed.
        let p = temp("fec-2026.txt", &good());
        let opts = options(&p, &args("en"), Locale::En).unwrap();
        let report = check::check(&good()[..], &opts).unwrap();
        let out = render(&p, &report, Locale::En, None);
        assert!(out[1].starts_with("    file: file name 'fec-2026.txt' does not follow <SIREN>FEC<AAAAMMJJ>: 'FEC' missing"), "{out:#?}");
        assert_eq!(out[0], "✗ file name — 1");
        assert!(out[2].starts_with("fiscal year unknown"), "{out:#?}");
    }
}
