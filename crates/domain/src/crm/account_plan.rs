//! The account plan of a key account ("plan de compte"): the domains
//! (directions métier, perimeters) the firm works in or aims at, who
//! weighs in the client's decisions, and the yearly targets the business
//! managers commit to.
//!
//! - A domain has a name, the client's person who leads it (a contact of
//!   the account or of its group: checked by the store, which knows the
//!   group), the stakes in free words, and a status: active (the firm
//!   works there), target (it wants to), dormant (no business now).
//! - The decision makers are not typed: they are the contacts whose role
//!   is buyer or domain manager. The plan keeps, per contact, his part in
//!   the buying decision as key-account selling names it (the economic
//!   decision maker, a sponsor who pushes the firm, an influencer who
//!   advises, a user of the service, a blocker who opposes) and the
//!   strength of the firm's relationship with him, 1 (none yet) to 4
//!   (trusted).
//! - A target is set per calendar year (2000–2100): revenue (HT), the
//!   consultants placed at the account, the new opportunities; none is
//!   negative. The plan shows each against the actual figure and the
//!   share reached ([`reached`]).

use serde::Serialize;
use time::{Date, Month};

use crate::company::text_multiline;
use crate::contact::ContactRole;
use crate::ids::ContactId;
use crate::money::Money;
use crate::validation::{ValidationErrors, text};

/// Where the firm stands in a domain of the account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DomainStatus {
    Active,
    Target,
    Dormant,
}

impl DomainStatus {
    pub const ALL: [DomainStatus; 3] = [
        DomainStatus::Active,
        DomainStatus::Target,
        DomainStatus::Dormant,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DomainStatus::Active => "active",
            DomainStatus::Target => "target",
            DomainStatus::Dormant => "dormant",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label_key(self) -> String {
        format!("account-domain-status-{}", self.as_str())
    }
}

/// A contact's part in the client's buying decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Influence {
    DecisionMaker,
    Sponsor,
    Influencer,
    User,
    Blocker,
}

impl Influence {
    pub const ALL: [Influence; 5] = [
        Influence::DecisionMaker,
        Influence::Sponsor,
        Influence::Influencer,
        Influence::User,
        Influence::Blocker,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Influence::DecisionMaker => "decision_maker",
            Influence::Sponsor => "sponsor",
            Influence::Influencer => "influencer",
            Influence::User => "user",
            Influence::Blocker => "blocker",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label_key(self) -> String {
        format!("account-influence-{}", self.as_str().replace('_', "-"))
    }
}

/// The contacts the plan lists as decision makers: buyers and domain
/// managers (the others appear once the plan gives them an influence).
pub fn decides(role: ContactRole) -> bool {
    matches!(role, ContactRole::Buyer | ContactRole::DomainManager)
}

/// The strength of the relationship, 1 (none yet) to 4 (trusted).
pub const STRENGTH_MIN: u8 = 1;
pub const STRENGTH_MAX: u8 = 4;

/// The first and last years a target may be set for.
pub const YEAR_MIN: i32 = 2000;
pub const YEAR_MAX: i32 = 2100;

/// A domain as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DomainInput {
    pub name: String,
    /// A contact id; blank: nobody named yet.
    pub lead_contact_id: String,
    pub stakes: String,
    /// `active`, `target` or `dormant`; blank: active.
    pub status: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DomainData {
    pub name: String,
    pub lead_contact_id: Option<ContactId>,
    pub stakes: Option<String>,
    pub status: DomainStatus,
}

impl DomainInput {
    pub fn validate(&self) -> Result<DomainData, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let name = e.required("name", &self.name, |s| text(s, 80));
        let lead_contact_id = match self.lead_contact_id.trim() {
            "" => None,
            raw => {
                let id = ContactId::parse(raw);
                if id.is_none() {
                    e.add("lead_contact_id", "id-unknown-record");
                }
                id
            }
        };
        let stakes = e.optional("stakes", &self.stakes, |s| text_multiline(s, 2000));
        let status = match self.status.trim() {
            "" => Some(DomainStatus::Active),
            raw => {
                let s = DomainStatus::parse(raw);
                if s.is_none() {
                    e.add("status", "account-domain-status-invalid");
                }
                s
            }
        };
        e.into_result(|| DomainData {
            name: name.expect("checked"),
            lead_contact_id,
            stakes,
            status: status.expect("checked"),
        })
    }
}

impl DomainData {
    pub fn to_input(&self) -> DomainInput {
        DomainInput {
            name: self.name.clone(),
            lead_contact_id: self
                .lead_contact_id
                .map(|c| c.to_string())
                .unwrap_or_default(),
            stakes: self.stakes.clone().unwrap_or_default(),
            status: self.status.as_str().into(),
        }
    }
}

/// A contact's place in the plan as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StakeholderInput {
    pub contact_id: String,
    pub influence: String,
    /// 1 to 4.
    pub strength: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct StakeholderData {
    pub contact_id: ContactId,
    pub influence: Influence,
    pub strength: u8,
}

impl StakeholderInput {
    pub fn validate(&self) -> Result<StakeholderData, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let contact_id = match self.contact_id.trim() {
            "" => {
                e.add("contact_id", "field-required");
                None
            }
            raw => {
                let id = ContactId::parse(raw);
                if id.is_none() {
                    e.add("contact_id", "id-unknown-record");
                }
                id
            }
        };
        let influence = match self.influence.trim() {
            "" => {
                e.add("influence", "field-required");
                None
            }
            raw => {
                let i = Influence::parse(raw);
                if i.is_none() {
                    e.add("influence", "account-influence-invalid");
                }
                i
            }
        };
        let strength = match self.strength.trim().parse::<i64>() {
            Ok(n) if (i64::from(STRENGTH_MIN)..=i64::from(STRENGTH_MAX)).contains(&n) => {
                u8::try_from(n).ok()
            }
            _ => {
                e.add("strength", "account-strength-invalid");
                None
            }
        };
        e.into_result(|| StakeholderData {
            contact_id: contact_id.expect("checked"),
            influence: influence.expect("checked"),
            strength: strength.expect("checked"),
        })
    }
}

/// A year's targets as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TargetInput {
    pub year: String,
    /// An amount HT; blank: no revenue target (0).
    pub revenue: String,
    /// Consultants placed; blank: 0.
    pub consultants: String,
    /// New opportunities; blank: 0.
    pub opportunities: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TargetData {
    pub year: i32,
    pub revenue: Money,
    pub consultants: u32,
    pub opportunities: u32,
}

/// A head count typed in a target: a whole number, not negative.
fn count(e: &mut ValidationErrors, field: &'static str, raw: &str) -> Option<u32> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Some(0);
    }
    match raw.parse::<i64>() {
        Ok(n) if n < 0 => {
            e.add(field, "account-target-negative");
            None
        }
        Ok(n) => match u32::try_from(n) {
            Ok(v) if v <= 100_000 => Some(v),
            _ => {
                e.add(field, "account-target-too-large");
                None
            }
        },
        Err(_) => {
            e.add(field, "account-target-not-a-number");
            None
        }
    }
}

/// A calendar year a target may be set for.
pub fn parse_year(raw: &str) -> Result<i32, &'static str> {
    match raw.trim().parse::<i32>() {
        Ok(y) if (YEAR_MIN..=YEAR_MAX).contains(&y) => Ok(y),
        _ => Err("account-target-year-invalid"),
    }
}

impl TargetInput {
    pub fn validate(&self) -> Result<TargetData, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let year = match parse_year(&self.year) {
            Ok(y) => Some(y),
            Err(k) => {
                e.add("year", k);
                None
            }
        };
        let revenue = match self.revenue.trim() {
            "" => Some(Money::ZERO),
            raw => match Money::parse(raw) {
                Ok(m) if m.is_negative() => {
                    e.add("revenue", "account-target-negative");
                    None
                }
                Ok(m) => Some(m),
                Err(err) => {
                    e.add("revenue", err.key());
                    None
                }
            },
        };
        let consultants = count(&mut e, "consultants", &self.consultants);
        let opportunities = count(&mut e, "opportunities", &self.opportunities);
        e.into_result(|| TargetData {
            year: year.expect("checked"),
            revenue: revenue.expect("checked"),
            consultants: consultants.expect("checked"),
            opportunities: opportunities.expect("checked"),
        })
    }
}

impl TargetData {
    pub fn to_input(&self) -> TargetInput {
        TargetInput {
            year: self.year.to_string(),
            revenue: self.revenue.to_input(),
            consultants: self.consultants.to_string(),
            opportunities: self.opportunities.to_string(),
        }
    }
}

/// The share of a target reached, in whole percent rounded down (99.9 %
/// reached is not yet 100 %); `None` when there is no target (0) to
/// measure against. Beyond 100 when the target is exceeded; 0 when the
/// actual figure is negative (more credited than invoiced).
pub fn reached(actual: i64, target: i64) -> Option<u32> {
    if target <= 0 {
        return None;
    }
    let pct = i128::from(actual.max(0)) * 100 / i128::from(target);
    Some(u32::try_from(pct).unwrap_or(u32::MAX))
}

/// The day whose placed consultants a year's figures count: today for
/// the current year and the years ahead (who is placed now), the last day
/// of a past year (who was placed when it ended).
pub fn headcount_day(year: i32, today: Date) -> Date {
    if year < today.year() {
        Date::from_calendar_date(year, Month::December, 31).unwrap_or(today)
    } else {
        today
    }
}

/// The first and the last day of `year`.
pub fn year_bounds(year: i32) -> Option<(Date, Date)> {
    Some((
        Date::from_calendar_date(year, Month::January, 1).ok()?,
        Date::from_calendar_date(year, Month::December, 31).ok()?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(e: &ValidationErrors) -> Vec<(&str, &str)> {
        e.0.iter().map(|f| (f.field, f.key)).collect()
    }

    #[test]
    fn a_domain_needs_a_name_and_a_known_status() {
        let e = DomainInput {
            status: "sleeping".into(),
            lead_contact_id: "nobody".into(),
            ..Default::default()
        }
        .validate()
        .unwrap_err();
        assert_eq!(
            fields(&e),
            [
                ("name", "field-required"),
                ("lead_contact_id", "id-unknown-record"),
                ("status", "account-domain-status-invalid"),
            ]
        );
    }

    #[test]
    fn a_domain_round_trips_and_defaults_to_active() {
        let lead = ContactId::new();
        let d = DomainInput {
            name: "  Data ".into(),
            lead_contact_id: lead.to_string(),
            stakes: "Migrer l'entrepôt".into(),
            status: String::new(),
        }
        .validate()
        .unwrap();
        assert_eq!(d.name, "Data");
        assert_eq!(d.status, DomainStatus::Active);
        assert_eq!(d.lead_contact_id, Some(lead));
        assert_eq!(d.to_input().validate().unwrap(), d);
        for s in DomainStatus::ALL {
            assert_eq!(DomainStatus::parse(s.as_str()), Some(s));
        }
    }

    #[test]
    fn strength_is_one_to_four() {
        let input = |s: &str| StakeholderInput {
            contact_id: ContactId::new().to_string(),
            influence: "sponsor".into(),
            strength: s.into(),
        };
        for ok in ["1", "4", " 2 "] {
            assert!(input(ok).validate().is_ok(), "{ok}");
        }
        for bad in ["0", "5", "-1", "", "deux", "2.5"] {
            let e = input(bad).validate().unwrap_err();
            assert_eq!(
                fields(&e),
                [("strength", "account-strength-invalid")],
                "{bad}"
            );
        }
    }

    #[test]
    fn influence_must_be_one_of_the_standard_parts() {
        let e = StakeholderInput {
            contact_id: String::new(),
            influence: "king".into(),
            strength: "2".into(),
        }
        .validate()
        .unwrap_err();
        assert_eq!(
            fields(&e),
            [
                ("contact_id", "field-required"),
                ("influence", "account-influence-invalid")
            ]
        );
        for i in Influence::ALL {
            assert_eq!(Influence::parse(i.as_str()), Some(i));
        }
    }

    #[test]
    fn targets_are_never_negative_and_the_year_is_bounded() {
        let e = TargetInput {
            year: "1999".into(),
            revenue: "-10".into(),
            consultants: "-1".into(),
            opportunities: "x".into(),
        }
        .validate()
        .unwrap_err();
        assert_eq!(
            fields(&e),
            [
                ("year", "account-target-year-invalid"),
                ("revenue", "account-target-negative"),
                ("consultants", "account-target-negative"),
                ("opportunities", "account-target-not-a-number"),
            ]
        );
        for bad in ["2101", "", "20x6"] {
            assert!(parse_year(bad).is_err(), "{bad}");
        }
        let t = TargetInput {
            year: "2027".into(),
            revenue: "250 000,00".into(),
            consultants: "6".into(),
            opportunities: String::new(),
        }
        .validate()
        .unwrap();
        assert_eq!(t.revenue, Money::from_cents(25_000_000));
        assert_eq!((t.year, t.consultants, t.opportunities), (2027, 6, 0));
        assert_eq!(t.to_input().validate().unwrap(), t);
    }

    #[test]
    fn the_share_reached_rounds_down_and_needs_a_target() {
        assert_eq!(reached(50, 0), None);
        assert_eq!(reached(999, 1000), Some(99));
        assert_eq!(reached(1000, 1000), Some(100));
        assert_eq!(reached(3, 2), Some(150));
        assert_eq!(reached(-5, 10), Some(0));
        assert_eq!(reached(i64::MAX, 1), Some(u32::MAX));
    }

    #[test]
    fn a_past_year_counts_its_last_day() {
        let today = time::macros::date!(2027 - 03 - 15);
        assert_eq!(headcount_day(2027, today), today);
        assert_eq!(headcount_day(2028, today), today);
        assert_eq!(
            headcount_day(2026, today),
            time::macros::date!(2026 - 12 - 31)
        );
        assert_eq!(
            year_bounds(2027),
            Some((
                time::macros::date!(2027 - 01 - 01),
                time::macros::date!(2027 - 12 - 31)
            ))
        );
    }

    #[test]
    fn buyers_and_domain_managers_decide() {
        assert!(decides(ContactRole::Buyer));
        assert!(decides(ContactRole::DomainManager));
        assert!(!decides(ContactRole::AccountsPayable));
        assert!(!decides(ContactRole::Other));
    }
}
