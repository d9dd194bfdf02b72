//! Régisseur's domain: the vocabulary and rules of an IT consulting firm,
//! free of I/O so every rule can be tested exhaustively and quickly.

pub mod bank_posting;
pub mod bank_statement;
pub mod brouillard;
pub mod calendar;
pub mod company;
pub mod contact;
pub mod contract;
pub mod cra;
pub mod cra_reports;
pub mod cra_sharing;
pub mod dunning;
pub mod einvoice;
pub mod esign;
pub mod facturx;
pub mod fec;
pub mod identifiers;
pub mod ids;
pub mod invoice;
pub mod jobs;
pub mod leave;
pub mod ledger;
pub mod ledger_reports;
pub mod lettering;
pub mod locale;
pub mod matching;
pub mod message;
pub mod mission;
pub mod money;
pub mod paging;
pub mod paris;
pub mod payment;
pub mod postings;
pub mod rates;
pub mod receivables;
pub mod renewal;
pub mod role;
pub mod seal;
pub mod terms;
pub mod user;
pub mod validation;

pub use locale::Locale;
pub use money::Money;
pub use role::Role;
