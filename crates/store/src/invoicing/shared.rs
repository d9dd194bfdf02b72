//! What every file of `invoicing` uses and that uses none of them: what an
//! invoice gathers, and the refusals in the user's words (keys).

use domain::validation::ValidationErrors;

use crate::Error;

/// What one invoice gathers: the days of one mission, or of every mission
/// of a client contract that bills them together (`domain`'s rule).
pub use domain::invoice::drafting::InvoiceGroup as Group;

/// How a group is found in `invoices`: by the id in its `mission_id` or
/// `contract_id` column.
pub(super) trait GroupColumn {
    fn key(self) -> String;
}

impl GroupColumn for Group {
    fn key(self) -> String {
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
