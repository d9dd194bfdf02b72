//! Positioning (JOURNEY.md step 2): the business manager proposes one of
//! the firm's consultants on a client's need at a daily rate, and the
//! client answers (accepted or refused) on a given day.
//!
//! - The proposed rate is a [`Tjm`]: above zero, at most the firm's cap.
//! - The expected margin of a day is the proposed rate less the
//!   consultant's daily cost (CJM) on the need's start date; over the need
//!   it is that day's margin × the days of one position. The cost is the
//!   consultant's own CJM, or his grade's standard CJM for a reader from
//!   whom salaries are hidden; a cost nobody knows stays unknown, never a
//!   margin equal to the whole rate.
//! - An answer is dated, and not before the day the consultant was
//!   positioned; a pending answer has no date.
//! - The picker suggests first the consultants free by then: on the bench
//!   today, or whose missions all end within [`SOON_DAYS`] days after the
//!   need's start (earliest free first); the others follow.

use serde::{Deserialize, Serialize};
use time::{Date, Duration};

use crate::ids::UserId;
use crate::mission::{DayQuantity, Tjm};
use crate::money::{Money, Rounding};
use crate::validation::{ErrorKey, ValidationErrors, text};

/// How long after the need's start a consultant still counts as "free
/// soon": his mission's D-60 renewal window, turned around.
pub const SOON_DAYS: i64 = 60;

/// The longest note, in characters.
pub const NOTE_MAX: usize = 2_000;

/// The client's answer to a positioning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    Pending,
    Accepted,
    Refused,
}

impl Answer {
    pub const ALL: [Answer; 3] = [Answer::Pending, Answer::Accepted, Answer::Refused];

    pub const fn as_str(self) -> &'static str {
        match self {
            Answer::Pending => "pending",
            Answer::Accepted => "accepted",
            Answer::Refused => "refused",
        }
    }

    pub fn parse(s: &str) -> Option<Answer> {
        Answer::ALL.into_iter().find(|a| a.as_str() == s.trim())
    }

    pub fn label_key(self) -> String {
        format!("positioning-answer-{}", self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AnswerError {
    #[error("an accepted or refused answer has a date")]
    DateRequired,
    #[error("a pending answer has no date")]
    DateOnPending,
    #[error("the answer cannot come before the positioning")]
    BeforePositioning,
    #[error("unknown answer")]
    Unknown,
}

impl ErrorKey for AnswerError {
    fn key(&self) -> &'static str {
        match self {
            AnswerError::DateRequired => "positioning-answer-date-required",
            AnswerError::DateOnPending => "positioning-answer-date-pending",
            AnswerError::BeforePositioning => "positioning-answer-before",
            AnswerError::Unknown => "positioning-answer-unknown",
        }
    }
}

/// The client's answer and its day, checked against the day the
/// consultant was positioned.
pub fn check_answer(
    answer: Answer,
    on: Option<Date>,
    positioned_on: Date,
) -> Result<Option<Date>, AnswerError> {
    match (answer, on) {
        (Answer::Pending, None) => Ok(None),
        (Answer::Pending, Some(_)) => Err(AnswerError::DateOnPending),
        (_, None) => Err(AnswerError::DateRequired),
        (_, Some(d)) if d < positioned_on => Err(AnswerError::BeforePositioning),
        (_, Some(d)) => Ok(Some(d)),
    }
}

/// The answer form (page and API): the answer's code and its date.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct AnswerInput {
    pub answer: String,
    pub answered_on: String,
}

impl AnswerInput {
    /// The answer and its date, each refusal on its field.
    pub fn validate(
        &self,
        positioned_on: Date,
    ) -> Result<(Answer, Option<Date>), ValidationErrors> {
        let mut e = ValidationErrors::new();
        let answer = match Answer::parse(&self.answer) {
            Some(a) => Some(a),
            None => {
                e.add("answer", AnswerError::Unknown.key());
                None
            }
        };
        let on = e.optional("answered_on", &self.answered_on, crate::validation::date);
        let dated_ok = self.answered_on.trim().is_empty() || on.is_some();
        if let Some(a) = answer
            && dated_ok
        {
            match check_answer(a, on, positioned_on) {
                Ok(d) => return e.into_result(|| (a, d)),
                Err(err) => e.add("answered_on", err.key()),
            }
        }
        Err(e)
    }
}

/// A new positioning as typed: the consultant, the proposed rate, a note.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct PositioningInput {
    pub consultant_id: String,
    pub proposed_tjm: String,
    pub note: String,
}

/// A checked new positioning.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewPositioning {
    pub consultant_id: UserId,
    pub proposed_tjm: Tjm,
    pub note: Option<String>,
}

impl PositioningInput {
    pub fn validate(&self) -> Result<NewPositioning, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let consultant = if self.consultant_id.trim().is_empty() {
            e.add("consultant_id", "field-required");
            None
        } else {
            let c = UserId::parse(self.consultant_id.trim());
            if c.is_none() {
                e.add("consultant_id", "id-unknown-record");
            }
            c
        };
        let tjm = e.required("proposed_tjm", &self.proposed_tjm, Tjm::parse);
        let note = e.optional("note", &self.note, |s| text(s, NOTE_MAX));
        match (consultant, tjm) {
            (Some(consultant_id), Some(proposed_tjm)) if e.is_empty() => Ok(NewPositioning {
                consultant_id,
                proposed_tjm,
                note,
            }),
            _ => Err(e),
        }
    }
}

/// The margin a positioning would earn, when the consultant's cost is
/// known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ExpectedMargin {
    pub per_day: Money,
    /// Over the days of one position.
    pub total: Money,
}

/// Proposed rate − daily cost, per day and over `days`; `None` when the
/// cost is unknown (no cost version by then, or no standard CJM for the
/// grade), so that the rate is never shown as a margin.
pub fn expected_margin(
    proposed: Tjm,
    cost: Option<Money>,
    days: DayQuantity,
) -> Option<ExpectedMargin> {
    let cost = cost?;
    let per_day = proposed.amount() - cost;
    // Rounded once, half away from zero: a loss stays a loss.
    let total = per_day
        .mul_decimal(days.as_decimal(), Rounding::HalfUp)
        .expect("a bounded rate times u32 half days fits in i64 cents");
    Some(ExpectedMargin { per_day, total })
}

/// When a consultant is free, as the picker reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Availability {
    /// No mission running or to come: on the bench.
    Bench,
    /// His missions end on this day, the last one.
    BusyUntil(Date),
}

/// A consultant as the picker lists him: who, his name, when he is free.
pub type Candidate<T> = (T, String, Availability);

/// The picker's two groups: the suggested consultants (bench first, then
/// by the day they become free) and the others (by the day they become
/// free); within a day, by name.
pub fn suggest<T: Clone>(
    people: &[Candidate<T>],
    start: Date,
) -> (Vec<Candidate<T>>, Vec<Candidate<T>>) {
    let horizon = start.saturating_add(Duration::days(SOON_DAYS));
    let (mut soon, mut later): (Vec<_>, Vec<_>) =
        people.iter().cloned().partition(|(_, _, a)| match a {
            Availability::Bench => true,
            Availability::BusyUntil(end) => *end <= horizon,
        });
    let key = |p: &Candidate<T>| (p.2, p.1.to_lowercase());
    soon.sort_by_key(key);
    later.sort_by_key(key);
    (soon, later)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    fn tjm(euros: i64) -> Tjm {
        Tjm::new(Money::from_euros(euros)).unwrap()
    }

    #[test]
    fn margin_is_rate_less_cost_per_day_and_over_the_need() {
        let m = expected_margin(
            tjm(600),
            Some(Money::from_cents(33_105)),
            DayQuantity::from_half_days(120),
        )
        .unwrap();
        assert_eq!(m.per_day, Money::from_cents(26_895));
        assert_eq!(m.total, Money::from_cents(26_895 * 60));
        // A cost above the rate is a loss, shown as such.
        let loss = expected_margin(
            tjm(300),
            Some(Money::from_euros(350)),
            DayQuantity::from_half_days(2),
        )
        .unwrap();
        assert_eq!(loss.per_day, Money::from_euros(-50));
        assert_eq!(loss.total, Money::from_euros(-50));
    }

    #[test]
    fn an_unknown_cost_is_no_margin() {
        assert_eq!(
            expected_margin(tjm(600), None, DayQuantity::from_half_days(10)),
            None
        );
    }

    #[test]
    fn a_pending_answer_has_no_date_and_others_one_not_before_positioning() {
        let on = date!(2026 - 12 - 01);
        assert_eq!(check_answer(Answer::Pending, None, on), Ok(None));
        assert_eq!(
            check_answer(Answer::Pending, Some(on), on),
            Err(AnswerError::DateOnPending)
        );
        assert_eq!(
            check_answer(Answer::Accepted, None, on),
            Err(AnswerError::DateRequired)
        );
        assert_eq!(
            check_answer(Answer::Refused, Some(date!(2026 - 11 - 30)), on),
            Err(AnswerError::BeforePositioning)
        );
        assert_eq!(check_answer(Answer::Accepted, Some(on), on), Ok(Some(on)));
    }

    #[test]
    fn the_answer_form_names_its_fields() {
        let on = date!(2026 - 12 - 01);
        let input = |a: &str, d: &str| AnswerInput {
            answer: a.into(),
            answered_on: d.into(),
        };
        let field = |r: Result<_, ValidationErrors>| r.unwrap_err().0[0].field;
        assert_eq!(field(input("maybe", "").validate(on)), "answer");
        assert_eq!(field(input("accepted", "").validate(on)), "answered_on");
        assert_eq!(
            field(input("accepted", "31/02/2026").validate(on)),
            "answered_on"
        );
        assert_eq!(
            field(input("accepted", "30/11/2026").validate(on)),
            "answered_on"
        );
        assert_eq!(
            input("accepted", "02/12/2026").validate(on),
            Ok((Answer::Accepted, Some(date!(2026 - 12 - 02))))
        );
        assert_eq!(
            input("pending", "").validate(on),
            Ok((Answer::Pending, None))
        );
    }

    #[test]
    fn a_positioning_needs_a_consultant_and_a_positive_rate() {
        let ok = PositioningInput {
            consultant_id: UserId::new().to_string(),
            proposed_tjm: "600".into(),
            note: "  ".into(),
        };
        let p = ok.validate().unwrap();
        assert_eq!(p.proposed_tjm, tjm(600));
        assert_eq!(p.note, None);
        for (rate, key) in [
            ("0", "tjm-not-positive"),
            ("-5", "tjm-not-positive"),
            ("", "field-required"),
        ] {
            let e = PositioningInput {
                proposed_tjm: rate.into(),
                ..ok.clone()
            }
            .validate()
            .unwrap_err();
            assert_eq!(
                e.for_field("proposed_tjm").map(|f| f.key),
                Some(key),
                "{rate}"
            );
        }
        let e = PositioningInput {
            consultant_id: "nobody".into(),
            ..ok
        }
        .validate()
        .unwrap_err();
        assert!(e.for_field("consultant_id").is_some());
    }

    #[test]
    fn bench_and_soon_free_come_first() {
        let start = date!(2027 - 01 - 04);
        let people = vec![
            (
                1,
                "Zoé".to_string(),
                Availability::BusyUntil(date!(2027 - 06 - 30)),
            ),
            (
                2,
                "Lucas".to_string(),
                Availability::BusyUntil(date!(2027 - 02 - 15)),
            ),
            (3, "Camille".to_string(), Availability::Bench),
            (
                4,
                "Anne".to_string(),
                Availability::BusyUntil(date!(2027 - 03 - 05)),
            ),
            (
                5,
                "Paul".to_string(),
                Availability::BusyUntil(date!(2027 - 03 - 06)),
            ),
        ];
        let (soon, later) = suggest(&people, start);
        let ids = |v: &[(i32, String, Availability)]| v.iter().map(|p| p.0).collect::<Vec<_>>();
        // 4 March is the 60th day after 4 January: still soon; 6 March not.
        assert_eq!(ids(&soon), vec![3, 2, 4]);
        assert_eq!(ids(&later), vec![5, 1]);
    }

    proptest! {
        /// The margin over the need is the day's margin times the days,
        /// rounded once, and its sign never differs from it.
        #[test]
        fn total_margin_follows_the_day(rate in 1i64..1_000_000, cost in 0i64..1_000_000, half in 1u32..1_000) {
            let days = DayQuantity::from_half_days(half);
            let m = expected_margin(Tjm::from_cents(rate).unwrap(), Some(Money::from_cents(cost)), days).unwrap();
            prop_assert_eq!(m.per_day.cents(), rate - cost);
            let exact = i128::from(rate - cost) * i128::from(half);
            let total2 = i128::from(m.total.cents()) * 2;
            prop_assert!((total2 - exact).abs() <= 1, "{} vs {}", total2, exact);
            prop_assert_eq!(m.total.cents().signum(), m.per_day.cents().signum());
        }

        /// Everyone is in exactly one group, and a suggested consultant
        /// is never free later than one who is not.
        #[test]
        fn the_groups_split_everyone(ends in proptest::collection::vec(proptest::option::of(0i64..400), 0..20)) {
            let start = date!(2027 - 01 - 04);
            let people: Vec<(usize, String, Availability)> = ends.iter().enumerate().map(|(i, e)| {
                let a = match e {
                    None => Availability::Bench,
                    Some(d) => Availability::BusyUntil(start + Duration::days(*d - 100)),
                };
                (i, format!("p{i}"), a)
            }).collect();
            let (soon, later) = suggest(&people, start);
            prop_assert_eq!(soon.len() + later.len(), people.len());
            if let (Some(s), Some(l)) = (soon.last(), later.first()) {
                prop_assert!(s.2 < l.2);
            }
        }
    }
}
