//! E-invoicing reform (2026–2027): every issued invoice and credit note is
//! deposited on a "plateforme agréée" (PA) and lives through the statuses
//! of `domain::einvoice`.
//!
//! - [`lifecycle`]: the status history, the current status on the invoice,
//!   recorded through the domain's transition, one transaction, audited.
//! - [`deposit`]: issuing queues a deposit job (in the issue transaction);
//!   the worker deposits once (job claim + one `einvoice_deposits` row per
//!   invoice and channel, locked while depositing), marks 200 Déposée, and
//!   retries with back-off.
//! - [`platform`]: the PA seen from here (deposit, poll) and `FileDrop`, a
//!   folder exchange standing in for a platform.
//! - [`ereporting`]: the receipts (212) of a month per VAT rate.

pub mod deposit;
pub mod ereporting;
pub mod lifecycle;
pub mod platform;

pub use deposit::{DEPOSIT_JOB, POLL_JOB};
pub use lifecycle::{NewStatus, record};
pub use platform::{FileDrop, Platform};
