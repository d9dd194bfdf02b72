//! Monthly activity reports: the consultant's month grid (days as rows, so it
//! reads on a phone), signing, the client's validation in the portal, and
//! the manager's validation (one or many at once), rejection and reopening.
//!
//! One file per page or action; [`grid`] builds the month's view from the
//! stored sheet without a database.

use std::collections::BTreeMap;

use serde::Deserialize;

mod attachments;
pub mod grid;
mod list;
mod open;
mod reject;
mod reopen;
mod save;
mod show;
mod validate;

pub use attachments::{attachment, upload};
pub use list::{ListQuery, ListRow, list};
pub use open::{OpenForm, open};
pub use reject::reject;
pub use reopen::reopen;
pub use save::save;
pub use show::show;
pub use validate::{client_validate, validate_many, validate_one};

/// Cells as typed, when a refused form comes back: so nothing is lost.
type Typed = BTreeMap<(String, time::Date), u8>;

/// A reason (rejection, reopening) and, for a client, the mission he answers
/// for.
#[derive(Debug, Default, Deserialize)]
pub struct ReasonForm {
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub mission: String,
}
