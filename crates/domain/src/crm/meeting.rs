//! Follow-up meetings (RDV de suivi, JOURNEY.md steps 5 and 11): what a
//! user types to plan one (read here into checked facts, every refusal by
//! field), what holding one requires, and the date-time of the series'
//! next meeting once one is held.

use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime, Time};

use super::recurrence::{Recurrence, Series};
use super::skill::{MAX_CONTACTS, contact_field};
use crate::calendar::Region;
use crate::ids::{CompanyId, ContactId, MissionId, UserId};
use crate::validation::{ErrorKey, ValidationErrors};

/// With the client (its contacts), or with the consultant of the mission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MeetingKind {
    Client,
    Consultant,
}

impl MeetingKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MeetingKind::Client => "client",
            MeetingKind::Consultant => "consultant",
        }
    }
    pub fn parse(s: &str) -> Option<MeetingKind> {
        [MeetingKind::Client, MeetingKind::Consultant]
            .into_iter()
            .find(|k| k.as_str() == s.trim())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MeetingStatus {
    Planned,
    Held,
    Cancelled,
}

impl MeetingStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            MeetingStatus::Planned => "planned",
            MeetingStatus::Held => "held",
            MeetingStatus::Cancelled => "cancelled",
        }
    }
    pub fn parse(s: &str) -> Option<MeetingStatus> {
        [
            MeetingStatus::Planned,
            MeetingStatus::Held,
            MeetingStatus::Cancelled,
        ]
        .into_iter()
        .find(|k| k.as_str() == s.trim())
    }
}

/// On the client's premises (or ours: `place` says where), or by video
/// (`place` holds the link).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MeetingMode {
    OnSite,
    Video,
}

impl MeetingMode {
    pub fn as_str(self) -> &'static str {
        match self {
            MeetingMode::OnSite => "on_site",
            MeetingMode::Video => "video",
        }
    }
    pub fn parse(s: &str) -> Option<MeetingMode> {
        [MeetingMode::OnSite, MeetingMode::Video]
            .into_iter()
            .find(|k| k.as_str() == s.trim())
    }
}

/// What a user typed, as text, so a refused form shows again as entered.
/// `planned_at` is a Paris clock, `YYYY-MM-DDTHH:MM` (what a browser's
/// date-time field sends). `recurrence` empty: a one-off meeting.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct MeetingInput {
    pub kind: String,
    pub mission_id: String,
    pub company_id: String,
    pub planned_at: String,
    pub mode: String,
    pub place: String,
    pub organiser_id: String,
    pub contact_ids: Vec<String>,
    pub user_ids: Vec<String>,
    pub recurrence: String,
    pub every_weeks: String,
    pub until: String,
}

/// A meeting's facts, checked. Exactly one of mission and company is
/// given by the user; the store fills the account from the mission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MeetingData {
    pub kind: MeetingKind,
    pub mission_id: Option<MissionId>,
    pub company_id: Option<CompanyId>,
    pub planned_at: OffsetDateTime,
    pub mode: MeetingMode,
    pub place: Option<String>,
    pub organiser_id: UserId,
    pub contact_ids: Vec<ContactId>,
    pub user_ids: Vec<UserId>,
}

/// At most this many of the firm's people at one meeting.
pub const MAX_USERS: usize = 20;

/// A Paris clock `YYYY-MM-DDTHH:MM` (or with a space, or `:SS`).
pub fn parse_paris_clock(raw: &str) -> Option<OffsetDateTime> {
    let raw = raw.trim().replace(' ', "T");
    let (d, t) = raw.split_once('T')?;
    let date = crate::validation::date(d).ok()?;
    let mut parts = t.split(':');
    let h: u8 = parts.next()?.parse().ok()?;
    let m: u8 = parts.next()?.parse().ok()?;
    let s: u8 = match parts.next() {
        Some(s) => s.parse().ok()?,
        None => 0,
    };
    if parts.next().is_some() {
        return None;
    }
    Some(crate::paris::at(date, Time::from_hms(h, m, s).ok()?))
}

impl MeetingInput {
    /// The facts, and the series when a recurrence is chosen (its first
    /// date the meeting's Paris day).
    pub fn validate(&self) -> Result<(MeetingData, Option<Series>), ValidationErrors> {
        let mut e = ValidationErrors::new();
        let kind = MeetingKind::parse(&self.kind);
        if kind.is_none() {
            e.add("kind", "meeting-kind-invalid");
        }
        let id = |e: &mut ValidationErrors, field: &'static str, raw: &str| {
            let raw = raw.trim();
            if raw.is_empty() {
                return None;
            }
            let parsed = uuid::Uuid::parse_str(raw).ok();
            if parsed.is_none() {
                e.add(field, "id-unknown-record");
            }
            parsed.map(|u| u.to_string())
        };
        let mission_id =
            id(&mut e, "mission_id", &self.mission_id).and_then(|s| MissionId::parse(&s));
        let company_id =
            id(&mut e, "company_id", &self.company_id).and_then(|s| CompanyId::parse(&s));
        if self.mission_id.trim().is_empty() && self.company_id.trim().is_empty() {
            e.add("mission_id", "meeting-subject-required");
        }
        if kind == Some(MeetingKind::Consultant) && self.mission_id.trim().is_empty() {
            e.add("mission_id", "meeting-consultant-needs-mission");
        }
        let planned_at = if self.planned_at.trim().is_empty() {
            e.add("planned_at", "field-required");
            None
        } else {
            let p = parse_paris_clock(&self.planned_at);
            if p.is_none() {
                e.add("planned_at", "meeting-planned-at-invalid");
            }
            p
        };
        let mode = if self.mode.trim().is_empty() {
            Some(MeetingMode::OnSite)
        } else {
            MeetingMode::parse(&self.mode)
        };
        if mode.is_none() {
            e.add("mode", "meeting-mode-invalid");
        }
        let place = e.optional("place", &self.place, |p| crate::validation::text(p, 500));
        let organiser_id = e.required("organiser_id", &self.organiser_id, |s| {
            UserId::parse(s).ok_or(UnknownRecord)
        });
        let mut contact_ids = Vec::new();
        if self.contact_ids.len() > MAX_CONTACTS {
            e.add_with(
                "contact_ids",
                "opportunity-contacts-too-many",
                crate::args![("max", MAX_CONTACTS as i64)],
            );
        } else {
            for (i, c) in self.contact_ids.iter().enumerate() {
                match ContactId::parse(c.trim()) {
                    Some(c) if !contact_ids.contains(&c) => contact_ids.push(c),
                    Some(_) => {}
                    None => e.add(contact_field(i), "id-unknown-record"),
                }
            }
        }
        let mut user_ids = Vec::new();
        if self.user_ids.len() > MAX_USERS {
            e.add("user_ids", "meeting-users-too-many");
        } else {
            for u in &self.user_ids {
                match UserId::parse(u.trim()) {
                    Some(u) if !user_ids.contains(&u) => user_ids.push(u),
                    Some(_) => {}
                    None => e.add("user_ids", "id-unknown-record"),
                }
            }
        }
        let recurrence = if self.recurrence.trim().is_empty() {
            None
        } else {
            match Recurrence::parse(&self.recurrence, &self.every_weeks) {
                Ok(r) => Some(r),
                Err(v) => {
                    e.0.extend(v.0);
                    None
                }
            }
        };
        let until = e.optional("recurrence.until", &self.until, crate::validation::date);
        let mut series = None;
        if let (Some(r), Some(p)) = (recurrence, planned_at) {
            match Series::new(r, crate::paris::date(p), until) {
                Ok(s) => series = Some(s),
                Err(err) => e.add("recurrence.until", err.key()),
            }
        }
        if !e.is_empty() {
            return Err(e);
        }
        let (Some(kind), Some(planned_at), Some(mode), Some(organiser_id)) =
            (kind, planned_at, mode, organiser_id)
        else {
            return Err(ValidationErrors::single("planned_at", "field-required"));
        };
        Ok((
            MeetingData {
                kind,
                mission_id,
                company_id,
                planned_at,
                mode,
                place,
                organiser_id,
                contact_ids,
                user_ids,
            },
            series,
        ))
    }
}

#[derive(Debug, Clone, Copy)]
struct UnknownRecord;

impl ErrorKey for UnknownRecord {
    fn key(&self) -> &'static str {
        "id-unknown-record"
    }
}

/// What holding a meeting writes: the note is required (a held meeting
/// without one is the meeting the journey forbids forgetting).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Held {
    pub note: String,
    pub decisions: Option<String>,
}

pub const MAX_NOTE: usize = 20_000;

pub fn hold_input(note: &str, decisions: &str) -> Result<Held, ValidationErrors> {
    let mut e = ValidationErrors::new();
    let note = if note.trim().is_empty() {
        e.add("note", "meeting-note-required");
        None
    } else {
        crate::company::text_multiline(note, MAX_NOTE)
            .map_err(|err| e.add_with("note", err.key(), err.args()))
            .ok()
    };
    let decisions = if decisions.trim().is_empty() {
        None
    } else {
        crate::company::text_multiline(decisions, MAX_NOTE)
            .map_err(|err| e.add_with("decisions", err.key(), err.args()))
            .ok()
    };
    match note {
        Some(note) if e.is_empty() => Ok(Held { note, decisions }),
        _ => Err(e),
    }
}

/// When the series' next meeting takes place, once the one planned at
/// `planned` is held at `held`: the series' next working day after both
/// (a meeting held late does not plan one already overdue), at the same
/// Paris clock time as the one held. `None` once the series has ended.
pub fn next_meeting(
    series: &Series,
    planned: OffsetDateTime,
    held: OffsetDateTime,
    region: Region,
) -> Option<OffsetDateTime> {
    let after = crate::paris::date(planned).max(crate::paris::date(held));
    let day = series.next_after(after, region)?;
    Some(crate::paris::at(
        day,
        crate::paris::in_paris(planned).time(),
    ))
}

/// The need of a child opportunity born in a meeting: the note's start,
/// cut at a word, at most `max` characters.
pub fn excerpt(note: &str, max: usize) -> String {
    let t = note.trim();
    if t.chars().count() <= max {
        return t.to_owned();
    }
    let cut: String = t.chars().take(max.saturating_sub(1)).collect();
    let cut = match cut.rfind(char::is_whitespace) {
        Some(i) if i > max / 2 => &cut[..i],
        _ => cut.as_str(),
    };
    format!("{}…", cut.trim_end())
}

/// The Paris day and time of an instant, as a form shows it again.
pub fn paris_clock(t: OffsetDateTime) -> String {
    let p = crate::paris::in_paris(t);
    format!("{}T{:02}:{:02}", p.date(), p.hour(), p.minute())
}

/// Only for tests and the demo: the instant of a Paris day and time.
pub fn at_paris(d: Date, h: u8, m: u8) -> OffsetDateTime {
    crate::paris::at(d, Time::from_hms(h, m, 0).expect("a valid time"))
}

/// What a child opportunity born in a held meeting starts from, before
/// the business manager completes it: a régie need of the meeting's
/// account, from the note, one position of a month from the first working
/// day of the month after the meeting.
pub struct ChildOf<'a> {
    pub title: &'a str,
    pub client_id: CompanyId,
    pub contact_ids: &'a [ContactId],
    pub note: &'a str,
    pub held_on: Date,
    pub business_manager_id: UserId,
    pub parent_id: Option<crate::ids::OpportunityId>,
    /// The rate the account pays today (its mission's), a starting point.
    pub tjm: crate::money::Money,
}

/// The need's first characters taken from the note.
pub const NEED_EXCERPT: usize = 500;

pub fn child_input(c: &ChildOf<'_>) -> super::OpportunityInput {
    let next_month = time::Date::from_calendar_date(
        c.held_on.year() + i32::from(c.held_on.month() == time::Month::December),
        c.held_on.month().next(),
        1,
    )
    .unwrap_or(c.held_on);
    let mut start = next_month;
    while !crate::calendar::is_working_day(start, Region::Standard) {
        start = start.next_day().unwrap_or(start);
    }
    super::OpportunityInput {
        title: c.title.to_owned(),
        kind: super::OpportunityKind::RegieMission.as_str().to_owned(),
        client_id: c.client_id.to_string(),
        contact_ids: c.contact_ids.iter().map(ToString::to_string).collect(),
        need: excerpt(c.note, NEED_EXCERPT),
        tjm_min: c.tjm.to_input(),
        start_date: start.to_string(),
        days: "20".to_owned(),
        positions: "1".to_owned(),
        business_manager_id: c.business_manager_id.to_string(),
        source: super::Source::FollowUpMeeting.as_str().to_owned(),
        parent_id: c.parent_id.map(|p| p.to_string()).unwrap_or_default(),
        ..super::OpportunityInput::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    fn input() -> MeetingInput {
        MeetingInput {
            kind: "client".into(),
            mission_id: uuid::Uuid::new_v4().to_string(),
            planned_at: "2026-12-07T10:00".into(),
            organiser_id: uuid::Uuid::new_v4().to_string(),
            recurrence: "monthly".into(),
            ..MeetingInput::default()
        }
    }

    #[test]
    fn a_paris_clock_is_stored_in_utc() {
        let (d, s) = input().validate().unwrap();
        assert_eq!(d.planned_at, datetime!(2026-12-07 09:00 UTC));
        assert_eq!(s.unwrap().first, date!(2026 - 12 - 07));
        // Summer: UTC+2.
        assert_eq!(
            parse_paris_clock("2027-07-01T10:17"),
            Some(datetime!(2027-07-01 08:17 UTC))
        );
        assert_eq!(
            paris_clock(datetime!(2027-07-01 08:17 UTC)),
            "2027-07-01T10:17"
        );
        assert_eq!(parse_paris_clock("2027-07-01"), None);
        assert_eq!(parse_paris_clock("2027-07-01T25:00"), None);
    }

    #[test]
    fn a_series_ending_before_it_starts_names_the_until_field() {
        let e = MeetingInput {
            until: "2026-11-30".into(),
            ..input()
        }
        .validate()
        .unwrap_err();
        assert_eq!(e.0[0].field, "recurrence.until");
        assert_eq!(e.0[0].key, "meeting-series-ends-before-start");
        let e = MeetingInput {
            mission_id: String::new(),
            kind: "consultant".into(),
            contact_ids: vec!["x".into()],
            ..input()
        }
        .validate()
        .unwrap_err();
        let fields: Vec<_> = e.0.iter().map(|f| f.field).collect();
        assert_eq!(fields, ["mission_id", "mission_id", "contact_ids[0]"]);
    }

    #[test]
    fn holding_needs_a_note() {
        assert_eq!(hold_input("  ", "x").unwrap_err().0[0].field, "note");
        let h = hold_input(" Besoin DataViz ", "").unwrap();
        assert_eq!(h.note, "Besoin DataViz");
        assert_eq!(h.decisions, None);
    }

    #[test]
    fn the_next_meeting_keeps_the_clock_and_follows_the_later_day() {
        let s = Series::new(Recurrence::Monthly, date!(2026 - 12 - 07), None).unwrap();
        let planned = at_paris(date!(2026 - 12 - 07), 10, 0);
        // Held on time: 7 January 2027 (a Thursday), 10:00 Paris.
        assert_eq!(
            next_meeting(
                &s,
                planned,
                at_paris(date!(2026 - 12 - 07), 10, 17),
                Region::Standard
            ),
            Some(at_paris(date!(2027 - 01 - 07), 10, 0))
        );
        // Held a month late: the series' next date after that day.
        assert_eq!(
            next_meeting(
                &s,
                planned,
                at_paris(date!(2027 - 01 - 08), 9, 0),
                Region::Standard
            ),
            Some(at_paris(date!(2027 - 02 - 08), 10, 0))
        );
        let ended = Series::new(
            Recurrence::Monthly,
            date!(2026 - 12 - 07),
            Some(date!(2026 - 12 - 31)),
        )
        .unwrap();
        assert_eq!(
            next_meeting(&ended, planned, planned, Region::Standard),
            None
        );
    }

    #[test]
    fn a_child_starts_from_the_note() {
        let client = CompanyId::new();
        let bm = UserId::new();
        let input = child_input(&ChildOf {
            title: "DataViz",
            client_id: client,
            contact_ids: &[],
            note: "Besoin DataViz pour le reporting",
            held_on: date!(2026 - 12 - 07),
            business_manager_id: bm,
            parent_id: None,
            tjm: crate::money::Money::from_euros(600),
        });
        let d = input.validate(Region::Standard).unwrap();
        assert_eq!(d.source, super::super::Source::FollowUpMeeting);
        assert_eq!(d.need.as_deref(), Some("Besoin DataViz pour le reporting"));
        // 1 January 2027 is a holiday: Monday 4 January (the 2nd is a Saturday).
        assert_eq!(d.start_date, date!(2027 - 01 - 04));
        assert_eq!(d.client_id, client);
    }

    #[test]
    fn an_excerpt_is_cut_at_a_word() {
        assert_eq!(excerpt("court", 10), "court");
        assert_eq!(excerpt("un besoin DataViz urgent", 14), "un besoin…");
    }
}
