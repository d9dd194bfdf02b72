//! The e-mails of a leave request, subject and plain text, in French: to
//! the managers when it is made, to the consultant when it is decided.

use time::Date;

use crate::Locale;
use crate::locale::format_date;
use crate::mission::DayQuantity;

/// To a manager of the consultant `user_name`: a request of `days` of
/// `leave_type` from `start` to `end`.
pub fn requested(
    user_name: &str,
    days: DayQuantity,
    leave_type: &str,
    start: Date,
    end: Date,
) -> (String, String) {
    (
        format!("Demande de congé : {}", user_name),
        format!(
            "{} demande {} jour(s) de {} du {} au {}.\nÀ approuver dans Régisseur, page Congés.\n— Régisseur",
            user_name,
            days.format(Locale::Fr),
            leave_type,
            format_date(start, Locale::Fr),
            format_date(end, Locale::Fr),
        ),
    )
}

/// To the consultant `user_name`: his request from `start` to `end` was
/// approved, or refused with `note`, by `by`.
pub fn decided(
    user_name: &str,
    start: Date,
    end: Date,
    approved: bool,
    note: Option<&str>,
    by: &str,
) -> (String, String) {
    let verdict = if approved {
        "approuvée".to_owned()
    } else {
        format!("refusée ({})", note.unwrap_or_default())
    };
    (
        format!(
            "Votre demande de congé est {}",
            verdict.split(' ').next().unwrap_or("")
        ),
        format!(
            "Bonjour {},\n\nVotre demande du {} au {} est {} par {}.\n— Régisseur",
            user_name,
            format_date(start, Locale::Fr),
            format_date(end, Locale::Fr),
            verdict,
            by
        ),
    )
}
