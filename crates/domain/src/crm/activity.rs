//! Commercial activities (JOURNEY.md step 1, "the business manager's
//! day"): a call, a meeting, an e-mail or a task, logged once done or
//! planned with a due date, assigned to one of the firm's people, about an
//! account, one of its contacts, an opportunity or a mission. They share
//! the table of the renewal follow-up tasks, so "ma journée" (what is due
//! today and what is overdue) lists both; a user never creates a renewal
//! task by hand, the renewal scan does.
//!
//! Links must tell one story: a contact is a contact of the account, an
//! opportunity is the account's, a mission is the account's. The account
//! may be left out: it is then read from the contact, the opportunity or
//! the mission.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::ids::{CompanyId, ContactId, MissionId, OpportunityId, UserId};
use crate::validation::{ErrorKey, ValidationErrors};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActivityKind {
    Call,
    Meeting,
    Email,
    Task,
    /// Made by the renewal scan (D-60, D-30), never typed by a user.
    Renewal,
}

impl ActivityKind {
    /// The kinds a user may choose, in the order of the form.
    pub const CHOSEN: [ActivityKind; 4] = [
        ActivityKind::Call,
        ActivityKind::Meeting,
        ActivityKind::Email,
        ActivityKind::Task,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ActivityKind::Call => "call",
            ActivityKind::Meeting => "meeting",
            ActivityKind::Email => "email",
            ActivityKind::Task => "task",
            ActivityKind::Renewal => "renewal",
        }
    }

    /// Any stored kind, the renewal's included.
    pub fn parse(s: &str) -> Option<ActivityKind> {
        Self::CHOSEN
            .into_iter()
            .chain([ActivityKind::Renewal])
            .find(|k| k.as_str() == s.trim())
    }

    /// A kind a user may choose.
    pub fn parse_chosen(s: &str) -> Option<ActivityKind> {
        Self::CHOSEN.into_iter().find(|k| k.as_str() == s.trim())
    }

    /// Its French word, for e-mails.
    pub fn label_fr(self) -> &'static str {
        match self {
            ActivityKind::Call => "Appel",
            ActivityKind::Meeting => "Rendez-vous",
            ActivityKind::Email => "E-mail",
            ActivityKind::Task => "Tâche",
            ActivityKind::Renewal => "Renouvellement",
        }
    }
}

pub const MAX_TITLE: usize = 200;
pub const MAX_NOTES: usize = 20_000;

/// What a user typed, as text, so that a refused form shows again as
/// entered. `due_date` is `dd/mm/yyyy` or ISO; `done` logs an activity
/// that already took place (a call just made).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ActivityInput {
    pub kind: String,
    pub title: String,
    pub due_date: String,
    pub assignee_id: String,
    pub company_id: String,
    pub contact_id: String,
    pub opportunity_id: String,
    pub mission_id: String,
    pub notes: String,
    pub done: bool,
}

/// An activity's facts, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActivityData {
    pub kind: ActivityKind,
    pub title: String,
    pub due_date: Date,
    pub assignee_id: UserId,
    pub company_id: Option<CompanyId>,
    pub contact_id: Option<ContactId>,
    pub opportunity_id: Option<OpportunityId>,
    pub mission_id: Option<MissionId>,
    pub notes: Option<String>,
    pub done: bool,
}

#[derive(Debug, Clone, Copy)]
struct UnknownRecord;

impl ErrorKey for UnknownRecord {
    fn key(&self) -> &'static str {
        "id-unknown-record"
    }
}

fn id<T>(parse: fn(&str) -> Option<T>) -> impl Fn(&str) -> Result<T, UnknownRecord> {
    move |s| parse(s.trim()).ok_or(UnknownRecord)
}

impl ActivityInput {
    pub fn validate(&self) -> Result<ActivityData, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let kind = if self.kind.trim().is_empty() {
            Some(ActivityKind::Task)
        } else {
            ActivityKind::parse_chosen(&self.kind)
        };
        if kind.is_none() {
            e.add("kind", "activity-kind-invalid");
        }
        let title = e.required("title", &self.title, |t| {
            crate::validation::text(t, MAX_TITLE)
        });
        let due_date = e.required("due_date", &self.due_date, crate::validation::date);
        let assignee_id = e.required("assignee_id", &self.assignee_id, id(UserId::parse));
        let company_id = e.optional("company_id", &self.company_id, id(CompanyId::parse));
        let contact_id = e.optional("contact_id", &self.contact_id, id(ContactId::parse));
        let opportunity_id = e.optional(
            "opportunity_id",
            &self.opportunity_id,
            id(OpportunityId::parse),
        );
        let mission_id = e.optional("mission_id", &self.mission_id, id(MissionId::parse));
        let notes = e.optional("notes", &self.notes, |n| {
            crate::company::text_multiline(n, MAX_NOTES)
        });
        match (kind, title, due_date, assignee_id) {
            (Some(kind), Some(title), Some(due_date), Some(assignee_id)) if e.is_empty() => {
                Ok(ActivityData {
                    kind,
                    title,
                    due_date,
                    assignee_id,
                    company_id,
                    contact_id,
                    opportunity_id,
                    mission_id,
                    notes,
                    done: self.done,
                })
            }
            _ => Err(e),
        }
    }
}

/// The accounts the linked records belong to, as the store read them
/// (`None` for a link not given).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LinkAccounts {
    pub contact: Option<CompanyId>,
    pub opportunity: Option<CompanyId>,
    pub mission: Option<CompanyId>,
}

/// The activity's account: the one given, else the one its contact,
/// opportunity or mission belongs to. Every link that belongs to another
/// account is refused on its field.
pub fn account_of(
    given: Option<CompanyId>,
    links: LinkAccounts,
) -> Result<Option<CompanyId>, ValidationErrors> {
    let account = given
        .or(links.opportunity)
        .or(links.mission)
        .or(links.contact);
    let mut e = ValidationErrors::new();
    for (field, key, of) in [
        (
            "contact_id",
            "activity-contact-not-at-company",
            links.contact,
        ),
        (
            "opportunity_id",
            "activity-opportunity-not-at-company",
            links.opportunity,
        ),
        (
            "mission_id",
            "activity-mission-not-at-company",
            links.mission,
        ),
    ] {
        if of.is_some() && of != account {
            e.add(field, key);
        }
    }
    e.into_result(|| account)
}

/// Where an open activity stands on `today`, for "ma journée".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Due {
    Overdue,
    Today,
    Later,
}

pub fn due_on(due_date: Date, today: Date) -> Due {
    match due_date.cmp(&today) {
        std::cmp::Ordering::Less => Due::Overdue,
        std::cmp::Ordering::Equal => Due::Today,
        std::cmp::Ordering::Greater => Due::Later,
    }
}

/// One line of the morning e-mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestLine {
    pub kind: ActivityKind,
    pub title: String,
    pub due_date: Date,
    /// The account's name, when linked to one.
    pub account: Option<String>,
}

/// The morning e-mail of a user's day (French, like every e-mail the firm
/// sends its people): what is overdue first, then what is due today, and
/// the link to "ma journée". `None` when nothing is open.
pub fn morning_email(
    name: &str,
    lines: &[DigestLine],
    today: Date,
    link: &str,
) -> Option<(String, String)> {
    if lines.is_empty() {
        return None;
    }
    let fr = |d| crate::locale::format_date(d, crate::Locale::Fr);
    let (overdue, due): (Vec<&DigestLine>, Vec<&DigestLine>) = lines
        .iter()
        .filter(|l| due_on(l.due_date, today) != Due::Later)
        .partition(|l| l.due_date < today);
    let line = |l: &DigestLine| {
        let account = l
            .account
            .as_deref()
            .map(|a| format!(" ({a})"))
            .unwrap_or_default();
        format!("- {} : {}{account}", l.kind.label_fr(), l.title)
    };
    let mut text = format!("Bonjour {name},\n\n");
    if !due.is_empty() {
        text.push_str(&format!("Pour aujourd'hui, {} :\n", fr(today)));
        for l in &due {
            text.push_str(&line(l));
            text.push('\n');
        }
        text.push('\n');
    }
    if !overdue.is_empty() {
        text.push_str("En retard :\n");
        for l in &overdue {
            text.push_str(&format!("{}, prévue le {}\n", line(l), fr(l.due_date)));
        }
        text.push('\n');
    }
    text.push_str(&format!("Votre journée : {link}\n\n— Régisseur"));
    let subject = format!(
        "Ma journée du {} : {} à faire, {} en retard",
        fr(today),
        due.len(),
        overdue.len()
    );
    Some((subject, text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn input() -> ActivityInput {
        ActivityInput {
            kind: "call".into(),
            title: "Rappeler la DSI".into(),
            due_date: "14/12/2026".into(),
            assignee_id: UserId::new().to_string(),
            ..ActivityInput::default()
        }
    }

    fn fields(e: &ValidationErrors) -> Vec<(&str, &str)> {
        e.0.iter().map(|f| (f.field, f.key)).collect()
    }

    #[test]
    fn a_call_with_a_title_a_date_and_an_assignee_is_valid() {
        let d = input().validate().unwrap();
        assert_eq!(d.kind, ActivityKind::Call);
        assert_eq!(d.due_date, date!(2026 - 12 - 14));
        assert_eq!(d.notes, None);
        assert!(!d.done);
    }

    #[test]
    fn a_blank_kind_is_a_task() {
        let d = ActivityInput {
            kind: " ".into(),
            ..input()
        };
        assert_eq!(d.validate().unwrap().kind, ActivityKind::Task);
    }

    #[test]
    fn refusals_name_their_field() {
        let e = ActivityInput {
            kind: "renewal".into(),
            title: "  ".into(),
            due_date: "31/02/2026".into(),
            assignee_id: "bob".into(),
            contact_id: "x".into(),
            ..ActivityInput::default()
        }
        .validate()
        .unwrap_err();
        assert_eq!(
            fields(&e),
            vec![
                ("kind", "activity-kind-invalid"),
                ("title", "field-required"),
                ("due_date", "date-invalid"),
                ("assignee_id", "id-unknown-record"),
                ("contact_id", "id-unknown-record"),
            ]
        );
        let e = ActivityInput {
            title: "x".repeat(MAX_TITLE + 1),
            due_date: "01/01/1990".into(),
            ..input()
        }
        .validate()
        .unwrap_err();
        assert_eq!(
            fields(&e),
            vec![
                ("title", "field-too-long"),
                ("due_date", "date-out-of-range")
            ]
        );
    }

    #[test]
    fn a_renewal_is_stored_but_never_chosen() {
        assert_eq!(ActivityKind::parse("renewal"), Some(ActivityKind::Renewal));
        assert_eq!(ActivityKind::parse_chosen("renewal"), None);
        for k in ActivityKind::CHOSEN {
            assert_eq!(ActivityKind::parse_chosen(k.as_str()), Some(k));
        }
    }

    #[test]
    fn the_account_comes_from_the_links_when_left_out() {
        let a = CompanyId::new();
        let links = LinkAccounts {
            contact: Some(a),
            opportunity: Some(a),
            mission: None,
        };
        assert_eq!(account_of(None, links), Ok(Some(a)));
        assert_eq!(account_of(Some(a), links), Ok(Some(a)));
        assert_eq!(account_of(None, LinkAccounts::default()), Ok(None));
    }

    #[test]
    fn links_of_another_account_are_refused_each_on_its_field() {
        let (a, b) = (CompanyId::new(), CompanyId::new());
        let e = account_of(
            Some(a),
            LinkAccounts {
                contact: Some(b),
                opportunity: Some(b),
                mission: Some(a),
            },
        )
        .unwrap_err();
        assert_eq!(
            fields(&e),
            vec![
                ("contact_id", "activity-contact-not-at-company"),
                ("opportunity_id", "activity-opportunity-not-at-company"),
            ]
        );
        // Without an account given, the opportunity's decides.
        let e = account_of(
            None,
            LinkAccounts {
                contact: Some(b),
                opportunity: Some(a),
                mission: None,
            },
        )
        .unwrap_err();
        assert_eq!(
            fields(&e),
            vec![("contact_id", "activity-contact-not-at-company")]
        );
    }

    #[test]
    fn due_dates_sort_into_overdue_today_and_later() {
        let today = date!(2026 - 12 - 14);
        assert_eq!(due_on(date!(2026 - 12 - 13), today), Due::Overdue);
        assert_eq!(due_on(today, today), Due::Today);
        assert_eq!(due_on(date!(2026 - 12 - 15), today), Due::Later);
    }

    #[test]
    fn the_morning_email_lists_today_then_overdue_with_the_link() {
        let today = date!(2026 - 12 - 14);
        let lines = [
            DigestLine {
                kind: ActivityKind::Task,
                title: "Relancer le devis".into(),
                due_date: date!(2026 - 12 - 10),
                account: None,
            },
            DigestLine {
                kind: ActivityKind::Call,
                title: "Appeler Mme Durand".into(),
                due_date: today,
                account: Some("Clientis".into()),
            },
        ];
        let (subject, text) =
            morning_email("Bruno", &lines, today, "https://app.example/my-day").unwrap();
        assert_eq!(subject, "Ma journée du 14/12/2026 : 1 à faire, 1 en retard");
        let today_at = text
            .find("- Appel : Appeler Mme Durand (Clientis)")
            .unwrap();
        let late_at = text
            .find("- Tâche : Relancer le devis, prévue le 10/12/2026")
            .unwrap();
        assert!(today_at < late_at, "{text}");
        assert!(text.contains("https://app.example/my-day"));
        assert_eq!(morning_email("Bruno", &[], today, "x"), None);
    }
}
