//! `fec export`: writes a fiscal year's FEC to a file; `fec check`: checks
//! any FEC (ours or another software's) and lists its problems.

use std::io::BufReader;
use std::path::PathBuf;
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
        /// The fiscal year the entry dates must fall in (calendar year);
        /// by default from the file name `<SIREN>FEC<AAAAMMJJ>`, else from
        /// the first entry.
        #[arg(long)]
        year: Option<i32>,
        /// Language of the messages: fr (default) or en.
        #[arg(long, default_value = "fr")]
        lang: String,
    },
}

pub async fn run(common: &Common, cmd: FecCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        FecCommand::Export { year, out } => export(common, year, out).await,
        FecCommand::Check { file, year, lang } => Ok(check_file(&file, year, &lang)),
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

/// Checks `file`, prints the report; the exit status says how it went.
pub fn check_file(file: &std::path::Path, year: Option<i32>, lang: &str) -> ExitCode {
    let locale = Locale::parse(lang).unwrap_or_default();
    let fr = locale == Locale::Fr;
    let opts = Options {
        period: year.and_then(Period::calendar),
        file_name: file.file_name().map(|n| n.to_string_lossy().into_owned()),
    };
    let report = std::fs::File::open(file)
        .map_err(|e| check::Unreadable::Io(e.to_string()))
        .and_then(|f| check::check(BufReader::with_capacity(1 << 16, f), &opts));
    let report = match report {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{}: {}", file.display(), e.message(locale));
            return ExitCode::from(2);
        }
    };
    for p in &report.problems {
        println!(
            "{} {}: {}",
            if fr { "ligne" } else { "line" },
            p.line,
            p.issue.message(locale)
        );
    }
    if report.problem_count > report.problems.len() as u64 {
        println!(
            "{}",
            if fr {
                format!(
                    "… et {} autres problèmes",
                    report.problem_count - report.problems.len() as u64
                )
            } else {
                format!(
                    "… and {} more problems",
                    report.problem_count - report.problems.len() as u64
                )
            }
        );
    }
    let layout = match report.layout {
        Layout::DebitCredit => "Debit/Credit",
        Layout::MontantSens => "Montant/Sens",
    };
    let period = report
        .period
        .map(|p| {
            format!(
                "{}–{}",
                domain::fec::format_date(p.start),
                domain::fec::format_date(p.end)
            )
        })
        .unwrap_or_else(|| "?".into());
    let total = |c: i128| {
        i64::try_from(c)
            .map(domain::fec::format_amount)
            .unwrap_or_else(|_| c.to_string())
    };
    if fr {
        println!(
            "{} : {} lignes, {} écritures, séparateur {}, {}, {}, exercice {}, débit {} / crédit {} : {}",
            file.display(),
            report.lines,
            report.entries,
            report.separator.name(),
            report.encoding.name(),
            layout,
            period,
            total(report.debit_cents),
            total(report.credit_cents),
            if report.is_clean() {
                "aucun problème".to_owned()
            } else {
                format!("{} problème(s)", report.problem_count)
            }
        );
    } else {
        println!(
            "{}: {} lines, {} entries, separator {}, {}, {}, fiscal year {}, debit {} / credit {}: {}",
            file.display(),
            report.lines,
            report.entries,
            report.separator.name(),
            report.encoding.name(),
            layout,
            period,
            total(report.debit_cents),
            total(report.credit_cents),
            if report.is_clean() {
                "no problem".to_owned()
            } else {
                format!("{} problem(s)", report.problem_count)
            }
        );
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

    #[test]
    fn check_exits_0_clean_1_problems_2_unreadable() {
        let mut good = Vec::new();
        domain::fec::write_header(&mut good);
        good.extend_from_slice(b"VE\tVentes\tVE-2026-000001\t20260105\t411\tClients\t\t\tP\t20260105\tF\t1,00\t0,00\t\t\t20260105\t\t\r\n");
        good.extend_from_slice(b"VE\tVentes\tVE-2026-000001\t20260105\t706\tPrest\t\t\tP\t20260105\tF\t0,00\t1,00\t\t\t20260105\t\t\r\n");
        let p = temp("123456782FEC20261231.txt", &good);
        assert_eq!(check_file(&p, None, "fr"), ExitCode::SUCCESS);
        // The name says 2025: every date is outside.
        let p = temp("123456782FEC20251231.txt", &good);
        assert_eq!(check_file(&p, None, "en"), ExitCode::FAILURE);
        assert_eq!(check_file(&p, Some(2026), "en"), ExitCode::SUCCESS);
        let p = temp("garbage.bin", &[0, 1, 2, 255, 254, b'\n', 7]);
        assert_eq!(check_file(&p, None, "fr"), ExitCode::from(2));
        assert_eq!(
            check_file(std::path::Path::new("/nonexistent/x.txt"), None, "fr"),
            ExitCode::from(2)
        );
    }
}
