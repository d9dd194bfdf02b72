//! What every file of `invoicing` uses and that uses none of them: what an
//! invoice gathers, and the refusals in the user's words (keys).

use domain::ids::{ContractId, MissionId};
use domain::validation::ValidationErrors;

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
    pub(super) fn column(self) -> &'static str {
        match self {
            Group::Mission(_) => "mission_id",
            Group::Contract(_) => "contract_id",
        }
    }

    pub(super) fn key(self) -> String {
        match self {
            Group::Mission(m) => m.to_string(),
            Group::Contract(k) => k.to_string(),
        }
    }
}

pub(super) fn refuse(field: &'static str, key: &'static str) -> Error {
    Error::Invalid(ValidationErrors::single(field, key))
}

pub(super) fn refuse_with(
    field: &'static str,
    key: &'static str,
    args: Vec<(&'static str, domain::message::Arg)>,
) -> Error {
    let mut e = ValidationErrors::new();
    e.add_with(field, key, args);
    Error::Invalid(e)
}

/// One line of text for an error (the key and its arguments), for logs
/// and the `issue_error` column; pages translate the key.
pub fn describe(e: &Error) -> String {
    match e {
        Error::Invalid(v) => v
            .0
            .iter()
            .map(|f| {
                let args: Vec<String> = f.args.iter().map(|(k, v)| format!("{k}={v}")).collect();
                if args.is_empty() {
                    f.key.to_owned()
                } else {
                    format!("{} ({})", f.key, args.join(", "))
                }
            })
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    }
}
