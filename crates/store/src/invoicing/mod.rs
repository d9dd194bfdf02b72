//! Invoicing from manager-validated activity reports, to the ledger.
//!
//! - [`draft`]: validated days become draft invoice lines, grouped as the
//!   client contract says (per mission, or the contract's missions on one
//!   invoice); each line records the half days it bills as one mask per
//!   consultant and month (`billed`), where the database lets a day be
//!   billed only once. A re-validated
//!   report is reconciled first: days no longer worked leave the draft, or
//!   are credited when already invoiced.
//! - [`issue`]: the gap-free number and the sales entry in one transaction;
//!   the parties are frozen with the invoice.
//! - [`edit`]: what finance changes on a draft before issuing it (free
//!   text, references, payment terms, the order of its lines).
//! - [`credit`]: credit notes by days, which become billable again.
//! - [`lock`]: the key-account lock — accruals (FAE) at period close, and
//!   the release when the client contract is signed.
//! - [`close`]: the month-end run over every contract.
//! - [`read`]: what the pages show.
//! - [`print`] and [`facturx`]: what the PDF and the Factur-X (CII XML of
//!   the EN 16931 profile inside the PDF) of a document are made from; the
//!   `app` crate lays them out.
//!
//! Below those, used by them and using none of them (so no two files of
//! the module use each other): `shared` (the group an invoice gathers,
//! refusals, `describe`), `billed` (the half days lines bill, their
//! credits and the guard against billing one twice), `frozen` (the parties frozen with an invoice),
//! `lines` (lines, totals, revenue, credit notes as stored) and `accrual`
//! (the FAE rows of the lock). Their public items are re-exported where
//! they were (`issue::Frozen`, `lock::accrue`, `close::describe`, …).
//!
//! What the entries move (sales entry, credit note, FAE and its reversal)
//! is decided by `domain::postings`, and the words of the lines by
//! `domain::invoice::wording`: here their inputs are read and what they
//! return is written.

pub mod close;
pub mod credit;
pub mod draft;
pub mod edit;
pub mod facturx;
pub mod figures;
pub mod issue;
pub mod lock;
pub mod print;
pub mod read;

mod accrual;
mod billed;
mod frozen;
mod lines;
mod shared;

pub use credit::{CreditSelection, credit};
pub use draft::{Draft, draft_for_report};
pub use issue::{Issued, issue};
pub use shared::Group;
