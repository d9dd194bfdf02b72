//! A client's need as the business manager records it, checked; what it
//! is worth (expected and weighted revenue) and how many consultant days
//! it will cover (the pipeline in covered days, ACCOUNTING.md §9's
//! definition as the page shows it).
//!
//! **Expected revenue** of a régie opportunity = target TJM × days ×
//! positions, where the target TJM is the bottom of the range the client
//! gave (the prudent figure: a forecast never counts on the top of a
//! range), the top when only the top was given. A fixed-price or
//! recruitment-only opportunity is worth the amount typed. **Weighted**
//! = expected × probability, rounded half up to the cent once.
//!
//! **Covered days** of an open opportunity starting within the horizon
//! = its days still to come × positions × probability: 2 positions × 40
//! days at 30 % = 24 covered days.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::calendar::{Region, working_days_between};
use crate::company::text_multiline;
use crate::ids::{CompanyId, ContactId, MissionId, OpportunityId, UserId};
use crate::mission::{DayQuantity, Tjm};
use crate::money::{Money, Rounding};
use crate::percent::Percentage;
use crate::validation::{ErrorKey, ValidationErrors, text};

/// What the client buys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OpportunityKind {
    /// Consultants at a daily rate (the trade's usual need).
    RegieMission,
    FixedPrice,
    /// The client hires; the firm is paid a fee.
    RecruitmentOnly,
}

impl OpportunityKind {
    pub const ALL: [OpportunityKind; 3] = [
        OpportunityKind::RegieMission,
        OpportunityKind::FixedPrice,
        OpportunityKind::RecruitmentOnly,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OpportunityKind::RegieMission => "regie_mission",
            OpportunityKind::FixedPrice => "fixed_price",
            OpportunityKind::RecruitmentOnly => "recruitment_only",
        }
    }

    pub fn parse(s: &str) -> Option<OpportunityKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }

    pub fn label_key(self) -> String {
        format!("opportunity-kind-{}", self.as_str().replace('_', "-"))
    }
}

/// Where the need came from: foisonnement counts the follow-up meetings'.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    FollowUpMeeting,
    Call,
    Inbound,
    Renewal,
    Tender,
}

impl Source {
    pub const ALL: [Source; 5] = [
        Source::FollowUpMeeting,
        Source::Call,
        Source::Inbound,
        Source::Renewal,
        Source::Tender,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Source::FollowUpMeeting => "follow_up_meeting",
            Source::Call => "call",
            Source::Inbound => "inbound",
            Source::Renewal => "renewal",
            Source::Tender => "tender",
        }
    }

    pub fn parse(s: &str) -> Option<Source> {
        Self::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }

    pub fn label_key(self) -> String {
        format!("opportunity-source-{}", self.as_str().replace('_', "-"))
    }
}

/// What a user typed, as text, so a refused form shows again as entered.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct OpportunityInput {
    pub title: String,
    pub kind: String,
    pub client_id: String,
    pub contact_ids: Vec<String>,
    pub need: String,
    pub tjm_min: String,
    pub tjm_max: String,
    /// Fixed price, or the recruitment fee.
    pub amount: String,
    pub start_date: String,
    /// Working days per position; or an end date, from which they are
    /// counted.
    pub days: String,
    pub end_date: String,
    pub positions: String,
    pub business_manager_id: String,
    pub source: String,
    pub parent_id: String,
    /// The mission a renewal opportunity renews.
    pub renews_mission_id: String,
}

/// A checked opportunity (its stage is kept apart: see `stage::Standing`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpportunityData {
    pub title: String,
    pub kind: OpportunityKind,
    pub client_id: CompanyId,
    pub contact_ids: Vec<ContactId>,
    pub need: Option<String>,
    pub tjm_min: Option<Tjm>,
    pub tjm_max: Option<Tjm>,
    pub amount: Option<Money>,
    pub start_date: Date,
    pub end_date: Option<Date>,
    /// Per position.
    pub days: DayQuantity,
    pub positions: u32,
    pub business_manager_id: UserId,
    pub source: Source,
    pub parent_id: Option<OpportunityId>,
    pub renews_mission_id: Option<MissionId>,
}

/// The most positions one opportunity may carry: beyond it, a typo.
pub const MAX_POSITIONS: u32 = 500;
/// The most working days per position, and the longest span from start to
/// end (ten years): beyond them, a typo.
pub const MAX_DAYS: u32 = 2_500;
pub const MAX_SPAN_DAYS: i64 = 3_660;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Key(&'static str);

impl ErrorKey for Key {
    fn key(&self) -> &'static str {
        self.0
    }
}

fn id<T>(parse: impl Fn(&str) -> Option<T>) -> impl Fn(&str) -> Result<T, Key> {
    move |s| parse(s).ok_or(Key("id-unknown-record"))
}

impl OpportunityInput {
    /// Checks every field and reports every error at once. `region` gives
    /// the public holidays the days of an end date are counted with.
    pub fn validate(&self, region: Region) -> Result<OpportunityData, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let title = e.required("title", &self.title, |s| text(s, 200));
        let kind = match self.kind.trim() {
            "" => Some(OpportunityKind::RegieMission),
            s => {
                let k = OpportunityKind::parse(s);
                if k.is_none() {
                    e.add("kind", "opportunity-kind-invalid");
                }
                k
            }
        };
        let client_id = e.required("client_id", &self.client_id, id(CompanyId::parse));
        let mut contact_ids = Vec::new();
        for raw in self.contact_ids.iter().filter(|s| !s.trim().is_empty()) {
            match ContactId::parse(raw.trim()) {
                Some(c) if !contact_ids.contains(&c) => contact_ids.push(c),
                Some(_) => {}
                None => e.add("contact_ids", "id-unknown-record"),
            }
        }
        let need = e.optional("need", &self.need, |s| text_multiline(s, 10_000));
        let tjm_min = e.optional("tjm_min", &self.tjm_min, Tjm::parse);
        let tjm_max = e.optional("tjm_max", &self.tjm_max, Tjm::parse);
        if let (Some(min), Some(max)) = (tjm_min, tjm_max)
            && min.amount() > max.amount()
        {
            e.add("tjm_max", "opportunity-tjm-range");
        }
        let amount = e.optional("amount", &self.amount, |s| {
            Money::parse(s).map_err(|err| Key(err.key())).and_then(|m| {
                if m > Money::ZERO {
                    Ok(m)
                } else {
                    Err(Key("opportunity-amount-positive"))
                }
            })
        });
        match kind {
            Some(OpportunityKind::RegieMission)
                if self.tjm_min.trim().is_empty() && self.tjm_max.trim().is_empty() =>
            {
                e.add("tjm_min", "opportunity-tjm-required");
            }
            Some(OpportunityKind::FixedPrice)
                if amount.is_none() && self.amount.trim().is_empty() =>
            {
                e.add("amount", "field-required");
            }
            _ => {}
        }
        let start_date = e.required("start_date", &self.start_date, crate::validation::date);
        let end_date = e.optional("end_date", &self.end_date, crate::validation::date);
        if let (Some(start), Some(end)) = (start_date, end_date)
            && end < start
        {
            e.add("end_date", "opportunity-end-before-start");
        }
        let typed_days = e.optional("days", &self.days, |s| {
            DayQuantity::parse(s)
                .map_err(|err| Key(err.key()))
                .and_then(|d| {
                    if d == DayQuantity::ZERO {
                        Err(Key("opportunity-days-positive"))
                    } else {
                        Ok(d)
                    }
                })
        });
        // Beyond ten years, a typo (and no calendar to walk day by day).
        let too_long = matches!((start_date, end_date), (Some(s), Some(e)) if (e - s).whole_days() > MAX_SPAN_DAYS);
        if too_long {
            e.add("end_date", "opportunity-too-long");
        }
        let typed_days = typed_days.filter(|d| {
            let ok = d.half_days() <= MAX_DAYS * 2;
            if !ok {
                e.add_with(
                    "days",
                    "opportunity-days-too-many",
                    crate::args![("max", i64::from(MAX_DAYS))],
                );
            }
            ok
        });
        let days = match (typed_days, start_date, end_date) {
            (Some(d), _, _) => Some(d),
            (None, Some(start), Some(end)) if end >= start && !too_long => Some(
                DayQuantity::from_days(working_days_between(start, end, region).len() as u32),
            ),
            (None, _, _) => {
                if self.days.trim().is_empty() && self.end_date.trim().is_empty() {
                    e.add("days", "opportunity-days-or-end");
                }
                None
            }
        };
        let positions = match self.positions.trim() {
            "" => Some(1),
            s => match s.parse::<u32>() {
                Ok(n) if (1..=MAX_POSITIONS).contains(&n) => Some(n),
                _ => {
                    e.add_with(
                        "positions",
                        "opportunity-positions-invalid",
                        crate::args![("max", i64::from(MAX_POSITIONS))],
                    );
                    None
                }
            },
        };
        let business_manager_id = e.required(
            "business_manager_id",
            &self.business_manager_id,
            id(UserId::parse),
        );
        let source = match self.source.trim() {
            "" => Some(Source::Call),
            s => {
                let v = Source::parse(s);
                if v.is_none() {
                    e.add("source", "opportunity-source-invalid");
                }
                v
            }
        };
        let parent_id = e.optional("parent_id", &self.parent_id, id(OpportunityId::parse));
        let renews_mission_id = e.optional(
            "renews_mission_id",
            &self.renews_mission_id,
            id(MissionId::parse),
        );
        e.into_result(|| OpportunityData {
            title: title.expect("checked"),
            kind: kind.expect("checked"),
            client_id: client_id.expect("checked"),
            contact_ids,
            need,
            tjm_min,
            tjm_max,
            amount,
            start_date: start_date.expect("checked"),
            end_date,
            days: days.expect("checked"),
            positions: positions.expect("checked"),
            business_manager_id: business_manager_id.expect("checked"),
            source: source.expect("checked"),
            parent_id,
            renews_mission_id,
        })
    }
}

/// A probability typed on its own (the kanban's override): 0 to 100 %.
pub fn parse_probability(raw: &str) -> Result<Percentage, ValidationErrors> {
    match Percentage::parse(raw) {
        Ok(p) if p <= Percentage::HUNDRED => Ok(p),
        Ok(_) => Err(ValidationErrors::single(
            "probability",
            "opportunity-probability-range",
        )),
        Err(err) => Err(ValidationErrors::single("probability", err.key())),
    }
}

impl OpportunityData {
    /// The rate a forecast counts on: the bottom of the range, else its top.
    pub fn target_tjm(&self) -> Option<Tjm> {
        self.tjm_min.or(self.tjm_max)
    }

    /// What the need is worth if won (HT).
    pub fn expected_revenue(&self) -> Money {
        match (self.kind, self.target_tjm()) {
            (OpportunityKind::RegieMission, Some(tjm)) => {
                let per_position = tjm.for_days(self.days);
                Money::from_cents(per_position.cents() * i64::from(self.positions))
            }
            _ => self.amount.unwrap_or(Money::ZERO),
        }
    }

    /// The expected revenue × `probability`, rounded once.
    pub fn weighted_revenue(&self, probability: Percentage) -> Money {
        weighted(self.expected_revenue(), probability)
    }

    /// Days of one position still to come on `today`: all of them before
    /// the start, then less the working days gone since (an end date, when
    /// given, bounds them).
    pub fn remaining_days(&self, today: Date, region: Region) -> DayQuantity {
        remaining_days(self.start_date, self.days, today, region)
    }
}

/// Days of one position of a need of `days` starting on `start` still to
/// come on `today` (see [`OpportunityData::remaining_days`]).
pub fn remaining_days(start: Date, days: DayQuantity, today: Date, region: Region) -> DayQuantity {
    if today < start {
        return days;
    }
    let gone = working_days_between(start, today, region).len() as u32;
    let left = days.half_days().saturating_sub(gone * 2);
    DayQuantity::from_half_days(left)
}

/// `amount` × `probability`, half up to the cent.
pub fn weighted(amount: Money, probability: Percentage) -> Money {
    Money::from_ratio(
        i128::from(amount.cents()) * i128::from(probability.basis_points()),
        10_000,
        Rounding::HalfUp,
    )
    .expect("an amount times at most 100 % fits")
}

/// Covered days in hundredths of a day, exactly: half days × positions ×
/// basis points ÷ 20 000, half up. 2 × 40 days at 30 % = 2 400.
pub fn covered_hundredths(days: DayQuantity, positions: u32, probability: Percentage) -> i64 {
    let n = i128::from(days.half_days())
        * i128::from(positions)
        * i128::from(probability.basis_points());
    // ÷ 2 (half days) ÷ 10 000 (basis points) × 100 (hundredths).
    let d: i128 = 200;
    i64::try_from((n + d / 2) / d).expect("covered days fit in i64")
}

/// One open opportunity as the pipeline counts it.
#[derive(Debug, Clone, Copy)]
pub struct OpenNeed {
    pub start: Date,
    pub remaining: DayQuantity,
    pub positions: u32,
    pub probability: Percentage,
}

/// The pipeline in covered days over the opportunities starting by
/// `horizon` (those already started included: their need runs now), in
/// hundredths of a day; each opportunity rounded once, then added.
pub fn covered_days(needs: &[OpenNeed], horizon: Date) -> i64 {
    needs
        .iter()
        .filter(|n| n.start <= horizon)
        .map(|n| covered_hundredths(n.remaining, n.positions, n.probability))
        .sum()
}

impl OpportunityData {
    /// The form shown to edit it. The days are left blank when the end
    /// date gives them, so that moving the end date moves the days.
    pub fn to_input(&self, region: Region) -> OpportunityInput {
        let fr = |d: Date| crate::locale::format_date(d, crate::locale::Locale::Fr);
        let days_from_end = self.end_date.map(|end| {
            DayQuantity::from_days(working_days_between(self.start_date, end, region).len() as u32)
        });
        OpportunityInput {
            title: self.title.clone(),
            kind: self.kind.as_str().into(),
            client_id: self.client_id.to_string(),
            contact_ids: self.contact_ids.iter().map(|c| c.to_string()).collect(),
            need: self.need.clone().unwrap_or_default(),
            tjm_min: self.tjm_min.map(Tjm::to_input).unwrap_or_default(),
            tjm_max: self.tjm_max.map(Tjm::to_input).unwrap_or_default(),
            amount: self.amount.map(Money::to_input).unwrap_or_default(),
            start_date: fr(self.start_date),
            days: if days_from_end == Some(self.days) {
                String::new()
            } else {
                self.days.to_string()
            },
            end_date: self.end_date.map(fr).unwrap_or_default(),
            positions: self.positions.to_string(),
            business_manager_id: self.business_manager_id.to_string(),
            source: self.source.as_str().into(),
            parent_id: self.parent_id.map(|p| p.to_string()).unwrap_or_default(),
            renews_mission_id: self
                .renews_mission_id
                .map(|m| m.to_string())
                .unwrap_or_default(),
        }
    }

    /// The last day of the need: its end date, else the day its days (of
    /// one position) run out, counted in working days from the start.
    pub fn last_day(&self, region: Region) -> Date {
        self.end_date
            .unwrap_or_else(|| last_working_day(self.start_date, self.days, region))
    }

    /// The mission a won opportunity becomes, as a mission form filled in
    /// from it (the mission's own rules and defaults then apply: 30 days
    /// net, 20 % VAT…). Its rate is the top of the range: the forecast
    /// counts on the bottom to stay prudent, but the client said it would
    /// pay up to the top, so that is the rate the firm sells at unless the
    /// business manager agreed on less (he edits the mission). `None` when
    /// the opportunity names no rate (a fixed price or a recruitment fee
    /// alone): no daily-rate mission can come from it.
    pub fn mission_input(
        &self,
        consultant_id: UserId,
        region: Region,
    ) -> Option<crate::mission::MissionInput> {
        let tjm = self.tjm_max.or(self.tjm_min)?;
        let fr = |d: Date| crate::locale::format_date(d, crate::locale::Locale::Fr);
        Some(crate::mission::MissionInput {
            title: self.title.clone(),
            client_id: self.client_id.to_string(),
            consultant_id: consultant_id.to_string(),
            business_manager_id: self.business_manager_id.to_string(),
            start_date: fr(self.start_date),
            end_date: fr(self.last_day(region)),
            tjm: tjm.to_input(),
            notes: self.need.clone().unwrap_or_default(),
            ..Default::default()
        })
    }
}

/// The day `days` working days counted from `start` (included) run out; a
/// trailing half day takes its whole day. `start` itself when there are no
/// days.
pub fn last_working_day(start: Date, days: DayQuantity, region: Region) -> Date {
    let mut left = days.half_days().div_ceil(2);
    let mut day = start;
    let mut last = start;
    while left > 0 {
        if crate::calendar::is_working_day(day, region) {
            left -= 1;
            last = day;
        }
        match day.next_day() {
            Some(next) => day = next,
            None => break,
        }
    }
    last
}

/// What the renewal of a mission ending on `mission_end` is: an opportunity
/// at the same client, rate and business manager, starting the day after,
/// for as long again as the mission ran (capped at a year: a renewal is
/// rarely longer, and the business manager edits it).
pub struct RenewalOf<'a> {
    pub mission_id: MissionId,
    pub title: &'a str,
    pub client_id: CompanyId,
    pub business_manager_id: UserId,
    pub tjm: Tjm,
    pub start: Date,
    pub end: Date,
}

impl RenewalOf<'_> {
    pub fn input(&self) -> OpportunityInput {
        let fr = |d: Date| crate::locale::format_date(d, crate::locale::Locale::Fr);
        let start = self.end.next_day().unwrap_or(self.end);
        let length = (self.end - self.start).whole_days().clamp(0, 364);
        let end = start + time::Duration::days(length);
        OpportunityInput {
            title: format!("Renouvellement — {}", self.title),
            kind: OpportunityKind::RegieMission.as_str().into(),
            client_id: self.client_id.to_string(),
            tjm_min: self.tjm.to_input(),
            tjm_max: self.tjm.to_input(),
            start_date: fr(start),
            end_date: fr(end),
            positions: "1".into(),
            business_manager_id: self.business_manager_id.to_string(),
            source: Source::Renewal.as_str().into(),
            renews_mission_id: self.mission_id.to_string(),
            ..Default::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    fn input() -> OpportunityInput {
        OpportunityInput {
            title: "Mission — Data Eng".into(),
            client_id: CompanyId::new().to_string(),
            tjm_min: "600".into(),
            tjm_max: "600".into(),
            start_date: "17/12/2026".into(),
            days: "60".into(),
            business_manager_id: UserId::new().to_string(),
            ..Default::default()
        }
    }

    #[test]
    fn the_data_engineer_need_is_worth_36_000() {
        let d = input().validate(Region::Standard).unwrap();
        assert_eq!(d.kind, OpportunityKind::RegieMission);
        assert_eq!(d.positions, 1);
        assert_eq!(d.source, Source::Call);
        assert_eq!(d.expected_revenue(), Money::from_euros(36_000));
        assert_eq!(
            d.weighted_revenue(Percentage::from_percent(25)),
            Money::from_euros(9_000)
        );
    }

    #[test]
    fn dataviz_covers_24_days() {
        let mut i = input();
        i.title = "DataViz".into();
        i.positions = "2".into();
        i.days = "40".into();
        i.source = "follow_up_meeting".into();
        let d = i.validate(Region::Standard).unwrap();
        let today = date!(2026 - 12 - 07);
        let need = OpenNeed {
            start: d.start_date,
            remaining: d.remaining_days(today, Region::Standard),
            positions: d.positions,
            probability: Percentage::from_percent(30),
        };
        assert_eq!(
            covered_days(&[need], today + time::Duration::days(90)),
            2_400
        );
        // Starting after the horizon: not counted.
        assert_eq!(covered_days(&[need], date!(2026 - 12 - 16)), 0);
        assert_eq!(
            d.expected_revenue(),
            Money::from_euros(2 * 40 * 600),
            "2 positions × 40 days × 600 €"
        );
    }

    #[test]
    fn days_come_from_an_end_date_when_not_typed() {
        let mut i = input();
        i.days.clear();
        // 1–31 March 2027: 23 weekdays less Easter Monday (the 29th).
        i.start_date = "2027-03-01".into();
        i.end_date = "2027-03-31".into();
        let d = i.validate(Region::Standard).unwrap();
        assert_eq!(d.days, DayQuantity::from_days(22));
        // Started a week ago: five working days gone.
        assert_eq!(
            d.remaining_days(date!(2027 - 03 - 05), Region::Standard),
            DayQuantity::from_days(17)
        );
    }

    #[test]
    fn bad_input_is_named_field_by_field() {
        let bad = OpportunityInput {
            title: String::new(),
            kind: "consulting".into(),
            client_id: "x".into(),
            contact_ids: vec!["nope".into()],
            tjm_min: "700".into(),
            tjm_max: "500".into(),
            start_date: "2027-03-10".into(),
            end_date: "2027-03-01".into(),
            days: "0".into(),
            positions: "0".into(),
            business_manager_id: String::new(),
            source: "rumour".into(),
            parent_id: "p".into(),
            ..Default::default()
        };
        let e = bad.validate(Region::Standard).unwrap_err();
        for (field, key) in [
            ("title", "field-required"),
            ("kind", "opportunity-kind-invalid"),
            ("client_id", "id-unknown-record"),
            ("contact_ids", "id-unknown-record"),
            ("tjm_max", "opportunity-tjm-range"),
            ("end_date", "opportunity-end-before-start"),
            ("days", "opportunity-days-positive"),
            ("positions", "opportunity-positions-invalid"),
            ("business_manager_id", "field-required"),
            ("source", "opportunity-source-invalid"),
            ("parent_id", "id-unknown-record"),
        ] {
            assert_eq!(
                e.for_field(field).map(|f| f.key),
                Some(key),
                "{field}: {e:?}"
            );
        }
        let mut zero = input();
        zero.tjm_min = "0".into();
        zero.tjm_max.clear();
        let e = zero.validate(Region::Standard).unwrap_err();
        assert!(e.for_field("tjm_min").is_some(), "a TJM of 0 is refused");
        let mut none = input();
        none.tjm_min.clear();
        none.tjm_max.clear();
        none.days.clear();
        let e = none.validate(Region::Standard).unwrap_err();
        assert_eq!(
            e.for_field("tjm_min").map(|f| f.key),
            Some("opportunity-tjm-required")
        );
        assert_eq!(
            e.for_field("days").map(|f| f.key),
            Some("opportunity-days-or-end")
        );
        let mut fixed = input();
        fixed.kind = "fixed_price".into();
        let e = fixed.validate(Region::Standard).unwrap_err();
        assert_eq!(e.for_field("amount").map(|f| f.key), Some("field-required"));
        fixed.amount = "45000".into();
        let d = fixed.validate(Region::Standard).unwrap();
        assert_eq!(d.expected_revenue(), Money::from_euros(45_000));
        assert_eq!(
            parse_probability("101")
                .unwrap_err()
                .for_field("probability")
                .map(|f| f.key),
            Some("opportunity-probability-range")
        );
        assert!(parse_probability("-5").is_err());
        assert_eq!(parse_probability("30 %"), Ok(Percentage::from_percent(30)));
        let mut long = input();
        long.days = "2501".into();
        let e = long.validate(Region::Standard).unwrap_err();
        assert_eq!(
            e.for_field("days").map(|f| f.key),
            Some("opportunity-days-too-many")
        );
        long.days.clear();
        long.end_date = "31/12/2040".into();
        let e = long.validate(Region::Standard).unwrap_err();
        assert_eq!(
            e.for_field("end_date").map(|f| f.key),
            Some("opportunity-too-long")
        );
    }

    #[test]
    fn the_bottom_of_a_range_is_the_forecasts_rate() {
        let mut i = input();
        i.tjm_min = "550".into();
        i.tjm_max = "650".into();
        let d = i.validate(Region::Standard).unwrap();
        assert_eq!(d.expected_revenue(), Money::from_euros(550 * 60));
        i.tjm_min.clear();
        let d = i.validate(Region::Standard).unwrap();
        assert_eq!(d.expected_revenue(), Money::from_euros(650 * 60));
    }

    #[test]
    fn a_won_need_becomes_a_mission_at_the_top_of_its_range() {
        let mut i = input();
        i.tjm_min = "550".into();
        i.tjm_max = "650".into();
        i.need = "Pipelines Spark".into();
        let d = i.validate(Region::Standard).unwrap();
        let consultant = UserId::new();
        let m = d.mission_input(consultant, Region::Standard).unwrap();
        let m = m.validate().unwrap();
        assert_eq!(m.tjm, Tjm::parse("650").unwrap());
        assert_eq!(m.consultant_id, consultant);
        assert_eq!(m.business_manager_id, d.business_manager_id);
        assert_eq!(m.start_date, date!(2026 - 12 - 17));
        // 60 working days from Thursday 17 December 2026: Christmas and
        // New Year's Day are holidays, so the 60th is 12 March 2027.
        assert_eq!(m.end_date, date!(2027 - 03 - 12));
        assert_eq!(
            working_days_between(m.start_date, m.end_date, Region::Standard).len(),
            60
        );
        assert_eq!(m.notes.as_deref(), Some("Pipelines Spark"));
        let mut fixed = input();
        fixed.kind = "fixed_price".into();
        fixed.tjm_min.clear();
        fixed.tjm_max.clear();
        fixed.amount = "45000".into();
        let fixed = fixed.validate(Region::Standard).unwrap();
        assert!(fixed.mission_input(consultant, Region::Standard).is_none());
    }

    #[test]
    fn the_edit_form_gives_back_what_was_typed() {
        let mut i = input();
        i.days.clear();
        i.start_date = "01/03/2027".into();
        i.end_date = "31/03/2027".into();
        i.contact_ids = vec![ContactId::new().to_string()];
        let d = i.validate(Region::Standard).unwrap();
        let back = d.to_input(Region::Standard);
        assert_eq!(back.days, "", "the end date gives the days");
        assert_eq!(back.validate(Region::Standard).unwrap(), d);
        let typed = input().validate(Region::Standard).unwrap();
        let back = typed.to_input(Region::Standard);
        assert_eq!(back.days, "60");
        assert_eq!(back.validate(Region::Standard).unwrap(), typed);
        assert_eq!(
            last_working_day(
                date!(2027 - 03 - 01),
                DayQuantity::from_half_days(3),
                Region::Standard
            ),
            date!(2027 - 03 - 02),
            "a day and a half ends on the second day"
        );
    }

    #[test]
    fn a_renewal_starts_the_day_after_the_mission() {
        let mission = MissionId::new();
        let r = RenewalOf {
            mission_id: mission,
            title: "Data Eng",
            client_id: CompanyId::new(),
            business_manager_id: UserId::new(),
            tjm: Tjm::parse("480").unwrap(),
            start: date!(2026 - 06 - 01),
            end: date!(2026 - 12 - 31),
        };
        let d = r.input().validate(Region::Standard).unwrap();
        assert_eq!(d.start_date, date!(2027 - 01 - 01));
        assert_eq!(d.end_date, Some(date!(2027 - 08 - 02)));
        assert_eq!(d.source, Source::Renewal);
        assert_eq!(d.renews_mission_id, Some(mission));
        assert_eq!(d.target_tjm(), Some(Tjm::parse("480").unwrap()));
    }

    proptest! {
        /// Weighted revenue never exceeds the expected revenue, is zero at
        /// 0 % and equal at 100 %, and grows with the probability.
        #[test]
        fn weighting_is_monotonic(cents in 0i64..10_000_000_000, a in 0u32..=10_000, b in 0u32..=10_000) {
            let m = Money::from_cents(cents);
            let (lo, hi) = (a.min(b), a.max(b));
            let wl = weighted(m, Percentage::from_basis_points(lo));
            let wh = weighted(m, Percentage::from_basis_points(hi));
            prop_assert!(wl <= wh && wh <= m);
            prop_assert_eq!(weighted(m, Percentage::ZERO), Money::ZERO);
            prop_assert_eq!(weighted(m, Percentage::HUNDRED), m);
        }

        /// Covered days are exact for whole percentages of whole days and
        /// never exceed days × positions.
        #[test]
        fn covered_days_are_bounded(halves in 0u32..2_000, positions in 1u32..50, bp in 0u32..=10_000) {
            let c = covered_hundredths(DayQuantity::from_half_days(halves), positions, Percentage::from_basis_points(bp));
            prop_assert!(c <= i64::from(halves) * i64::from(positions) * 50);
            if bp % 100 == 0 && halves % 2 == 0 {
                prop_assert_eq!(c, i64::from(halves / 2) * i64::from(positions) * i64::from(bp / 100));
            }
        }
    }
}
