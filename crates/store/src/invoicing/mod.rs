//! Invoicing from manager-validated activity reports, to the ledger.
//!
//! - [`draft`]: validated days become draft invoice lines, grouped as the
//!   client contract says (per mission, or the contract's missions on one
//!   invoice); each line records the half days it bills in `billed_days`,
//!   where the database lets a day be billed only once. A re-validated
//!   report is reconciled first: days no longer worked leave the draft, or
//!   are credited when already invoiced.
//! - [`issue`]: the gap-free number and the sales entry in one transaction;
//!   the parties are frozen with the invoice.
//! - [`credit`]: credit notes by days, which become billable again.
//! - [`lock`]: the key-account lock — accruals (FAE) at period close, and
//!   the release when the client contract is signed.
//! - [`close`]: the month-end run over every contract.
//! - [`read`]: what the pages show.
//! - [`print`] and [`facturx`]: the PDF, and the Factur-X (CII XML of the
//!   EN 16931 profile inside the PDF) of an issued document.
//!
//! What the entries move (sales entry, credit note, FAE and its reversal)
//! is decided by `domain::postings`, and the words of the lines by
//! `domain::invoice::wording`: here their inputs are read and what they
//! return is written.

pub mod close;
pub mod credit;
pub mod draft;
pub mod facturx;
pub mod issue;
pub mod lock;
pub mod print;
pub mod read;

use domain::ids::{ContractId, MissionId};
use domain::validation::ValidationErrors;

pub use credit::{CreditSelection, credit};
pub use draft::{Draft, draft_for_report};
pub use issue::{Issued, issue};

use crate::Error;

/// What one invoice gathers: the days of one mission, or of every mission
/// of a client contract that bills them together.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Group {
    Mission(MissionId),
    Contract(ContractId),
}

impl Group {
    /// The `invoices` column that holds the group's key.
    fn column(self) -> &'static str {
        match self {
            Group::Mission(_) => "mission_id",
            Group::Contract(_) => "contract_id",
        }
    }

    fn key(self) -> String {
        match self {
            Group::Mission(m) => m.to_string(),
            Group::Contract(k) => k.to_string(),
        }
    }
}

fn refuse(field: &'static str, key: &'static str) -> Error {
    Error::Invalid(ValidationErrors::single(field, key))
}

fn refuse_with(field: &'static str, key: &'static str, args: Vec<(&'static str, String)>) -> Error {
    let mut e = ValidationErrors::new();
    e.add_with(field, key, args);
    Error::Invalid(e)
}
