//! Renewals: following up missions before they end, with alerts at D-60
//! and D-30 for the business manager, and the renewal rate KPI.

use std::fmt;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use time::Date;

use crate::validation::ErrorKey;

/// Where the business manager is with the renewal of one mission (for its
/// current end date).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RenewalStatus {
    /// À relancer: nobody has talked to the client yet.
    #[default]
    ToFollowUp,
    /// En discussion.
    InDiscussion,
    /// Renouvelée: an amendment extends the mission.
    Renewed,
    /// Non renouvelée.
    NotRenewed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RenewalEvent {
    Discuss,
    Renew,
    Decline,
    Reopen,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RenewalError {
    #[error("a renewal {from:?} cannot {event:?}")]
    IllegalTransition {
        from: RenewalStatus,
        event: RenewalEvent,
    },
}

impl ErrorKey for RenewalError {
    fn key(&self) -> &'static str {
        match self {
            RenewalError::IllegalTransition { .. } => "renewal-illegal-transition",
        }
    }

    /// Codes, not texts: translate them with the `label_key`s.
    fn args(&self) -> Vec<(&'static str, crate::message::Arg)> {
        match self {
            RenewalError::IllegalTransition { from, event } => {
                crate::args![("from", from.as_str()), ("event", event.as_str())]
            }
        }
    }
}

impl RenewalStatus {
    pub const ALL: [RenewalStatus; 4] = [
        RenewalStatus::ToFollowUp,
        RenewalStatus::InDiscussion,
        RenewalStatus::Renewed,
        RenewalStatus::NotRenewed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RenewalStatus::ToFollowUp => "to_follow_up",
            RenewalStatus::InDiscussion => "in_discussion",
            RenewalStatus::Renewed => "renewed",
            RenewalStatus::NotRenewed => "not_renewed",
        }
    }

    pub fn parse(s: &str) -> Option<RenewalStatus> {
        RenewalStatus::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn label_key(self) -> String {
        format!("renewal-status-{}", self.as_str().replace('_', "-"))
    }

    /// The renewal's life cycle. Renewed is final: the amendment is signed,
    /// and the next renewal concerns the new end date, a new follow-up. A
    /// refusal can be reconsidered (the client comes back), so NotRenewed
    /// can be reopened into a discussion.
    pub fn transition(self, event: RenewalEvent) -> Result<RenewalStatus, RenewalError> {
        use RenewalEvent as E;
        use RenewalStatus as S;
        match (self, event) {
            (S::ToFollowUp, E::Discuss) => Ok(S::InDiscussion),
            (S::ToFollowUp | S::InDiscussion, E::Renew) => Ok(S::Renewed),
            (S::ToFollowUp | S::InDiscussion, E::Decline) => Ok(S::NotRenewed),
            (S::NotRenewed, E::Reopen) => Ok(S::InDiscussion),
            (from, event) => Err(RenewalError::IllegalTransition { from, event }),
        }
    }
}

impl fmt::Display for RenewalStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl RenewalEvent {
    pub const ALL: [RenewalEvent; 4] = [
        RenewalEvent::Discuss,
        RenewalEvent::Renew,
        RenewalEvent::Decline,
        RenewalEvent::Reopen,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RenewalEvent::Discuss => "discuss",
            RenewalEvent::Renew => "renew",
            RenewalEvent::Decline => "decline",
            RenewalEvent::Reopen => "reopen",
        }
    }

    pub fn parse(s: &str) -> Option<RenewalEvent> {
        RenewalEvent::ALL.into_iter().find(|e| e.as_str() == s)
    }

    pub fn label_key(self) -> String {
        format!("renewal-event-{}", self.as_str())
    }
}

/// The reminders sent before a mission's end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    /// Two months ahead: time to ask the client about the next period.
    D60,
    /// One month ahead: the last moment to sign an amendment comfortably.
    D30,
}

impl AlertKind {
    pub const ALL: [AlertKind; 2] = [AlertKind::D60, AlertKind::D30];

    pub const fn days_before(self) -> i64 {
        match self {
            AlertKind::D60 => 60,
            AlertKind::D30 => 30,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            AlertKind::D60 => "d60",
            AlertKind::D30 => "d30",
        }
    }

    pub fn parse(s: &str) -> Option<AlertKind> {
        AlertKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label_key(self) -> String {
        format!("renewal-alert-{}", self.as_str())
    }
}

/// The alerts a mission ending on `end` calls for on `today`: every
/// threshold already reached, as long as the mission has not ended.
///
/// Every reached threshold is returned, not only the one crossed today, so
/// that a scan that did not run for a few days, or a mission created 20
/// days before its end, still gets its D-60 and D-30. The caller keeps the
/// alerts it already sent, keyed by mission, kind and end date, and skips
/// those: the scan can then run any number of times a day. Keying by end
/// date is what re-arms the alerts after a renewal, since the new end date
/// has sent none yet.
pub fn alerts_due(end: Date, today: Date) -> Vec<AlertKind> {
    if today > end {
        return Vec::new();
    }
    let days_left = (end - today).whole_days();
    AlertKind::ALL
        .into_iter()
        .filter(|k| days_left <= k.days_before())
        .collect()
}

/// The mission an alert is about, as its task and e-mail name it.
pub struct Ending<'a> {
    pub mission_title: &'a str,
    pub consultant_name: &'a str,
    pub client_name: &'a str,
    pub end_date: Date,
}

/// The title of the renewal task an alert creates (French, like the
/// e-mail, whose subject it also is).
pub fn task_title(kind: AlertKind, m: &Ending) -> String {
    let days = kind.days_before();
    format!(
        "Renouvellement J-{days} : {} ({}, {}) se termine le {}",
        m.mission_title,
        m.consultant_name,
        m.client_name,
        crate::locale::format_date(m.end_date, crate::Locale::Fr)
    )
}

/// The e-mail telling the business manager of an alert and its task.
pub fn alert_text(kind: AlertKind, m: &Ending) -> String {
    format!(
        "Bonjour,\n\nLa mission « {} » de {} chez {} se termine le {} (J-{}).\n\
         Une tâche de renouvellement vous a été attribuée dans Régisseur (page Renouvellements).\n\n— Régisseur",
        m.mission_title,
        m.consultant_name,
        m.client_name,
        crate::locale::format_date(m.end_date, crate::Locale::Fr),
        kind.days_before()
    )
}

/// Renewal rate = missions renewed ÷ missions reaching their end date in
/// the period (ACCOUNTING.md §9, a house definition): a mission counts in
/// the period its end date falls in, renewed or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RenewalRate {
    renewed: u32,
    reached_end: u32,
}

impl RenewalRate {
    /// `None` when more missions are said renewed than reached their end:
    /// the figures come from two counts that disagree, and no rate can be
    /// shown for them.
    pub fn new(renewed: u32, reached_end: u32) -> Option<RenewalRate> {
        (renewed <= reached_end).then_some(RenewalRate {
            renewed,
            reached_end,
        })
    }

    /// The rate as a percentage, rounded half up to one decimal and always
    /// with that decimal ("66.7", "50.0"); `None` when no mission reached
    /// its end date (a rate of 0 % would wrongly suggest failures) or the
    /// figures are inconsistent.
    pub fn compute(renewed: u32, reached_end: u32) -> Option<Decimal> {
        RenewalRate::new(renewed, reached_end)?.percent()
    }

    pub fn renewed(&self) -> u32 {
        self.renewed
    }

    pub fn reached_end(&self) -> u32 {
        self.reached_end
    }

    pub fn percent(&self) -> Option<Decimal> {
        if self.reached_end == 0 {
            return None;
        }
        let ratio =
            Decimal::from(self.renewed) * Decimal::ONE_HUNDRED / Decimal::from(self.reached_end);
        let mut p = ratio.round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero);
        p.rescale(1);
        Some(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde::de::IntoDeserializer;
    use serde::de::value::{Error as DeError, StrDeserializer};
    use time::Duration;
    use time::macros::date;

    #[test]
    fn statuses_round_trip() {
        for s in RenewalStatus::ALL {
            assert_eq!(RenewalStatus::parse(s.as_str()), Some(s));
            let de: StrDeserializer<DeError> = s.as_str().into_deserializer();
            assert_eq!(RenewalStatus::deserialize(de), Ok(s));
        }
        for e in RenewalEvent::ALL {
            assert_eq!(RenewalEvent::parse(e.as_str()), Some(e));
        }
        for k in AlertKind::ALL {
            assert_eq!(AlertKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(RenewalStatus::parse("renouvelée"), None);
        assert_eq!(RenewalStatus::default(), RenewalStatus::ToFollowUp);
        assert_eq!(
            RenewalStatus::ToFollowUp.label_key(),
            "renewal-status-to-follow-up"
        );
        assert_eq!(RenewalStatus::Renewed.label_key(), "renewal-status-renewed");
        assert_eq!(RenewalEvent::Discuss.label_key(), "renewal-event-discuss");
        assert_eq!(AlertKind::D60.label_key(), "renewal-alert-d60");
        assert_eq!(
            (AlertKind::D60.days_before(), AlertKind::D30.days_before()),
            (60, 30)
        );
    }

    #[test]
    fn transition_table_is_exhaustive() {
        use RenewalEvent as E;
        use RenewalStatus as S;
        let table: [(S, [Option<S>; 4]); 4] = [
            //               Discuss              Renew             Decline              Reopen
            (
                S::ToFollowUp,
                [
                    Some(S::InDiscussion),
                    Some(S::Renewed),
                    Some(S::NotRenewed),
                    None,
                ],
            ),
            (
                S::InDiscussion,
                [None, Some(S::Renewed), Some(S::NotRenewed), None],
            ),
            (S::Renewed, [None, None, None, None]),
            (S::NotRenewed, [None, None, None, Some(S::InDiscussion)]),
        ];
        assert_eq!(E::ALL, [E::Discuss, E::Renew, E::Decline, E::Reopen]);
        assert_eq!(table.map(|(s, _)| s), S::ALL);
        for (from, row) in table {
            for (event, expected) in E::ALL.into_iter().zip(row) {
                match expected {
                    Some(to) => assert_eq!(from.transition(event), Ok(to), "{from:?} × {event:?}"),
                    None => {
                        let e = from.transition(event).unwrap_err();
                        assert_eq!(e, RenewalError::IllegalTransition { from, event });
                        assert_eq!(e.key(), "renewal-illegal-transition");
                        assert_eq!(e.args()[1], ("event", event.as_str().into()));
                    }
                }
            }
        }
    }

    #[test]
    fn alerts() {
        let end = date!(2026 - 12 - 31);
        let on = |days_left: i64| alerts_due(end, end - Duration::days(days_left));
        assert_eq!(on(61), vec![]);
        assert_eq!(on(60), vec![AlertKind::D60]);
        assert_eq!(on(31), vec![AlertKind::D60]);
        assert_eq!(on(30), vec![AlertKind::D60, AlertKind::D30]);
        // Created 20 days before its end: both at once.
        assert_eq!(on(20), vec![AlertKind::D60, AlertKind::D30]);
        assert_eq!(on(0), vec![AlertKind::D60, AlertKind::D30]);
        assert_eq!(on(-1), vec![], "ended missions get no alert");
    }

    #[test]
    fn renewal_rate() {
        let dec = |s: &str| s.parse::<Decimal>().unwrap();
        assert_eq!(RenewalRate::compute(0, 0), None);
        assert_eq!(RenewalRate::compute(3, 2), None);
        assert_eq!(RenewalRate::compute(0, 5), Some(dec("0.0")));
        assert_eq!(RenewalRate::compute(1, 2).unwrap().to_string(), "50.0");
        assert_eq!(RenewalRate::compute(2, 3).unwrap().to_string(), "66.7");
        assert_eq!(RenewalRate::compute(1, 3).unwrap().to_string(), "33.3");
        assert_eq!(RenewalRate::compute(5, 5).unwrap().to_string(), "100.0");
        // 1/16 = 6.25 % → 6.3 (half up, not to even).
        assert_eq!(RenewalRate::compute(1, 16), Some(dec("6.3")));
        // 1/80 = 1.25 % → 1.3.
        assert_eq!(RenewalRate::compute(1, 80), Some(dec("1.3")));
        let r = RenewalRate::new(2, 3).unwrap();
        assert_eq!((r.renewed(), r.reached_end()), (2, 3));
    }

    proptest! {
        #[test]
        fn alerts_match_the_thresholds(left in -100i64..200) {
            let end = date!(2027 - 06 - 30);
            let due = alerts_due(end, end - Duration::days(left));
            let expected: Vec<AlertKind> = AlertKind::ALL
                .into_iter()
                .filter(|k| (0..=k.days_before()).contains(&left))
                .collect();
            prop_assert_eq!(due, expected);
        }

        #[test]
        fn rate_is_within_bounds(reached in 1u32..100_000, r in 0u32..100_000) {
            let renewed = r % (reached + 1);
            let p = RenewalRate::compute(renewed, reached).unwrap();
            prop_assert!(p >= Decimal::ZERO && p <= Decimal::ONE_HUNDRED);
            prop_assert_eq!(p.scale(), 1);
            let exact = Decimal::from(renewed) * Decimal::ONE_HUNDRED / Decimal::from(reached);
            prop_assert!((p - exact).abs() <= Decimal::new(5, 2));
        }
    }
}
