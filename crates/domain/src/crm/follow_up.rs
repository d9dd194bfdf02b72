//! "Créer une tâche de suivi": what a held meeting's note asks someone to
//! do, by a given day. The task lands in its assignee's task list (the
//! home page), linked to the meeting and, when the meeting is about a
//! mission, to the mission.

use serde::Serialize;
use time::Date;

use crate::ids::UserId;
use crate::validation::{ErrorKey, ValidationErrors};

/// At most this many characters in a task's title (it is one line).
pub const MAX_TITLE: usize = 200;

/// The kind of activity a follow-up meeting creates (`tasks.kind`): a
/// task like any other, so "ma journée", the account's timeline and the
/// morning e-mail show it; its link to the meeting says where it came from.
pub const KIND: &str = "task";

/// A follow-up task, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FollowUpTask {
    pub title: String,
    pub due_date: Date,
    pub assignee_id: UserId,
}

#[derive(Debug, Clone, Copy)]
struct UnknownRecord;

impl ErrorKey for UnknownRecord {
    fn key(&self) -> &'static str {
        "id-unknown-record"
    }
}

/// Reads what the form typed; every refusal by field. A due date in the
/// past is allowed: the note may record something already late.
pub fn follow_up_input(
    title: &str,
    due_date: &str,
    assignee_id: &str,
) -> Result<FollowUpTask, ValidationErrors> {
    let mut e = ValidationErrors::new();
    let title = e.required("task_title", title, |t| {
        crate::validation::text(t, MAX_TITLE)
    });
    let due_date = e.required("task_due_date", due_date, crate::validation::date);
    let assignee_id = e.required("task_assignee_id", assignee_id, |s| {
        UserId::parse(s).ok_or(UnknownRecord)
    });
    match (title, due_date, assignee_id) {
        (Some(title), Some(due_date), Some(assignee_id)) if e.is_empty() => Ok(FollowUpTask {
            title,
            due_date,
            assignee_id,
        }),
        _ => Err(e),
    }
}

/// The title a task starts with: the decisions' (else the note's) first
/// line, cut at a word.
pub fn suggested_title(note: &str, decisions: Option<&str>) -> String {
    let from = decisions.filter(|d| !d.trim().is_empty()).unwrap_or(note);
    let first = from
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or_default();
    super::meeting::excerpt(first, 120)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn every_field_is_named() {
        let e = follow_up_input(" ", "demain", "x").unwrap_err();
        let fields: Vec<_> = e.0.iter().map(|f| f.field).collect();
        assert_eq!(fields, ["task_title", "task_due_date", "task_assignee_id"]);
        let e = follow_up_input(&"a".repeat(MAX_TITLE + 1), "2027-01-04", "").unwrap_err();
        assert_eq!(e.0[0].field, "task_title");
        assert_eq!(e.0[1].key, "field-required");
        let u = UserId::new();
        let t = follow_up_input(" Envoyer deux CV ", "04/01/2027", &u.to_string()).unwrap();
        assert_eq!(t.title, "Envoyer deux CV");
        assert_eq!(t.due_date, date!(2027 - 01 - 04));
        assert_eq!(t.assignee_id, u);
    }

    #[test]
    fn the_title_starts_from_the_decisions() {
        assert_eq!(
            suggested_title("Point mensuel", Some("\nProposer deux profils.\nRelancer")),
            "Proposer deux profils."
        );
        assert_eq!(
            suggested_title("Point mensuel\nsuite", Some("  ")),
            "Point mensuel"
        );
    }
}
