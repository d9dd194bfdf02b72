//! `ledger verify`: recomputes the hash chain of every journal and year
//! and prints, in French, which chains are intact and where the others
//! break. Exit 1 when one is broken.

use std::process::ExitCode;
use std::time::Instant;

use clap::Subcommand;
use store::ledger::Verification;

use crate::config::{Common, connect};

#[derive(Subcommand, Debug)]
pub enum LedgerCommand {
    /// Check the inalterability of the posted entries (hash chain per
    /// journal and year). Exit 0 when intact, 1 when a chain is broken.
    Verify,
}

pub async fn run(common: &Common, cmd: LedgerCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        LedgerCommand::Verify => {
            let db = connect(common).await?;
            let started = Instant::now();
            let mut tx = db.read().await?;
            let total = store::ledger_seal::count_entries(&mut tx).await?;
            let bar = crate::generate::progress(total.max(0) as u32, "écritures vérifiées");
            let v = store::ledger::verify_with(&mut tx, &mut |n| bar.set_position(n)).await;
            bar.finish_and_clear();
            tx.commit().await?;
            let v = v?;
            print!("{}", render(&v));
            println!("Durée : {:.2} s", started.elapsed().as_secs_f64());
            Ok(if v.is_intact() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
    }
}

/// The French report.
pub fn render(v: &Verification) -> String {
    let mut out = String::new();
    if v.journals.is_empty() {
        out.push_str("Aucune écriture : rien à vérifier.\n");
        return out;
    }
    for j in &v.journals {
        match &j.first_broken {
            None => out.push_str(&format!(
                "Journal {} {} : intègre ({} écritures, dernier sceau {})\n",
                j.journal,
                j.year,
                j.entries,
                &j.last_hash[..16]
            )),
            Some(b) => {
                out.push_str(&format!(
                    "Journal {} {} : ROMPU à l'écriture {} ({} écritures intègres avant) : {}\n",
                    j.journal,
                    j.year,
                    domain::ledger::Journal::parse(&j.journal)
                        .map(|k| domain::ledger::entry_number(k, j.year, b.number))
                        .unwrap_or_else(|| b.number.to_string()),
                    j.entries,
                    b.reason.label_fr()
                ));
                if !b.expected.is_empty() || !b.found.is_empty() {
                    out.push_str(&format!(
                        "    attendu : {}\n    trouvé  : {}\n",
                        b.expected, b.found
                    ));
                }
            }
        }
    }
    let broken = v
        .journals
        .iter()
        .filter(|j| j.first_broken.is_some())
        .count();
    if broken == 0 {
        out.push_str(&format!(
            "Écritures inaltérées : {} écritures, {} chaînes intègres.\n",
            v.entries(),
            v.journals.len()
        ));
    } else {
        out.push_str(&format!(
            "ATTENTION : {broken} chaîne(s) rompue(s) sur {}.\n",
            v.journals.len()
        ));
    }
    out
}
