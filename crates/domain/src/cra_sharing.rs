//! What a client contact sees of a report shared with other clients.
//!
//! A consultant may work for several clients in one month (two part-time
//! missions, or one ending and another starting). Each client validates
//! only his own days, and nothing on his page may tell him about the other
//! client: not its days, not its mission, not the name or e-mail of its
//! validator, not the files meant for it. The days are filtered by
//! mission; this module decides the rest of the page by the same rule, so
//! the history, the attachments, the approvals and the comments follow it.

use crate::ids::CompanyId;

/// How one event of the history appears to a client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventView {
    /// As recorded: the event is his own (his validation, his refusal).
    Full,
    /// The step without its detail: one of the firm's own steps, whose
    /// free text (a manager's reason, a count of half days over every
    /// mission) may speak of another client.
    StepOnly,
    /// Not shown.
    Hidden,
}

/// The firm's steps every client of the report may know happened.
const FIRM_STEPS: [&str; 5] = ["created", "signed", "validated", "rejected", "reopened"];

/// How an event of kind `kind`, recorded for client `owner` (none: the
/// firm's own), appears to a contact of `viewer`.
pub fn event_view(kind: &str, owner: Option<CompanyId>, viewer: CompanyId) -> EventView {
    match owner {
        Some(o) if o == viewer => EventView::Full,
        Some(_) => EventView::Hidden,
        None if FIRM_STEPS.contains(&kind) => EventView::StepOnly,
        // Saves, attachments kept internal, and events recorded before
        // events named their client (a validation by someone unknown).
        None => EventView::Hidden,
    }
}

/// Whether the report's words meant for everyone (the consultant's comment,
/// the last reason it was sent back) may be shown to `viewer`: only when no
/// other client has missions in the month, since they may speak of one.
pub fn sees_shared_text(clients_of_month: &[CompanyId], viewer: CompanyId) -> bool {
    clients_of_month.iter().all(|c| *c == viewer)
}

/// Whether a file is shown to `viewer`: attached for one of his missions.
/// A file attached for no mission is internal to the firm.
pub fn sees_attachment(mission_client: Option<CompanyId>, viewer: CompanyId) -> bool {
    mission_client == Some(viewer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_sees_his_events_the_firms_steps_and_nothing_of_another_client() {
        let (me, other) = (CompanyId::new(), CompanyId::new());
        assert_eq!(
            event_view("client_validated", Some(me), me),
            EventView::Full
        );
        assert_eq!(event_view("rejected", Some(me), me), EventView::Full);
        assert_eq!(
            event_view("client_validated", Some(other), me),
            EventView::Hidden
        );
        assert_eq!(
            event_view("no_validator", Some(other), me),
            EventView::Hidden
        );
        assert_eq!(
            event_view("attachment_added", Some(other), me),
            EventView::Hidden
        );
        for step in ["created", "signed", "validated", "rejected", "reopened"] {
            assert_eq!(event_view(step, None, me), EventView::StepOnly, "{step}");
        }
        // Before events named their client, a validation's detail was the
        // validator's name and e-mail: whose, nobody can tell.
        assert_eq!(event_view("client_validated", None, me), EventView::Hidden);
        assert_eq!(event_view("saved", None, me), EventView::Hidden);
        assert_eq!(event_view("attachment_added", None, me), EventView::Hidden);
    }

    #[test]
    fn shared_words_and_files_follow_the_months_clients() {
        let (me, other) = (CompanyId::new(), CompanyId::new());
        assert!(sees_shared_text(&[me], me));
        assert!(sees_shared_text(&[me, me], me));
        assert!(!sees_shared_text(&[me, other], me));
        assert!(sees_attachment(Some(me), me));
        assert!(!sees_attachment(Some(other), me));
        assert!(!sees_attachment(None, me));
    }
}
