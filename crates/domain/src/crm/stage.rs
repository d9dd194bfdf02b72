//! An opportunity's stages: the firm's own list (qualification → besoin
//! exprimé → positionnement → proposition → gagnée / perdue by default),
//! each with the probability it usually carries, and the one transition
//! function every move goes through.
//!
//! A stage is open, won or lost. Open stages follow each other in the
//! firm's order but an opportunity may move between any two of them (a
//! need re-qualified goes back); it is won or lost only by the events that
//! say so, lost always with a reason; a lost one may be reopened, a won
//! one not (it became a mission: what follows is the mission's).

use serde::{Deserialize, Serialize};

use crate::percent::Percentage;
use crate::validation::ErrorKey;

/// A stage's code, stable when its label changes (`positionnement`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct StageCode(String);

impl StageCode {
    /// Lowercase letters, digits and `_`, 1 to 40 of them.
    pub fn parse(raw: &str) -> Result<StageCode, StageError> {
        let s = raw.trim();
        let ok = !s.is_empty()
            && s.len() <= 40
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if ok {
            Ok(StageCode(s.to_owned()))
        } else {
            Err(StageError::CodeInvalid)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for StageCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where a stage leaves the opportunity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Open,
    Won,
    Lost,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Open => "open",
            Outcome::Won => "won",
            Outcome::Lost => "lost",
        }
    }

    pub fn parse(s: &str) -> Option<Outcome> {
        [Outcome::Open, Outcome::Won, Outcome::Lost]
            .into_iter()
            .find(|o| o.as_str() == s)
    }
}

/// One stage of the firm's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stage {
    pub code: StageCode,
    pub label: String,
    pub outcome: Outcome,
    /// The probability an opportunity at this stage carries unless its
    /// business manager says otherwise.
    pub probability: Percentage,
}

/// Why an opportunity was lost: the reasons the pipeline is analysed by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LossReason {
    /// Our rate was above what the client would pay.
    Price,
    /// Another firm placed its consultant.
    Competitor,
    /// No consultant or candidate matched in time.
    NoProfile,
    /// The client dropped or postponed the project.
    ClientCancelled,
    /// The client staffed it internally.
    Internalised,
    Other,
}

impl LossReason {
    pub const ALL: [LossReason; 6] = [
        LossReason::Price,
        LossReason::Competitor,
        LossReason::NoProfile,
        LossReason::ClientCancelled,
        LossReason::Internalised,
        LossReason::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LossReason::Price => "price",
            LossReason::Competitor => "competitor",
            LossReason::NoProfile => "no_profile",
            LossReason::ClientCancelled => "client_cancelled",
            LossReason::Internalised => "internalised",
            LossReason::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Result<LossReason, StageError> {
        LossReason::ALL
            .into_iter()
            .find(|r| r.as_str() == s.trim())
            .ok_or(StageError::LossReasonInvalid)
    }

    pub fn label_key(self) -> String {
        format!("opportunity-loss-{}", self.as_str().replace('_', "-"))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StageError {
    #[error("a stage code is 1 to 40 lowercase letters, digits or _")]
    CodeInvalid,
    #[error("no stage {0}")]
    Unknown(StageCode),
    #[error("stage {0} is not an open stage")]
    NotOpen(StageCode),
    #[error("the opportunity is closed")]
    Closed,
    #[error("only a lost opportunity may be reopened")]
    NotLost,
    #[error("a loss needs a reason")]
    LossReasonInvalid,
    #[error("stage codes must be unique")]
    DuplicateCode,
    #[error("the list needs at least one open stage, one won and one lost")]
    Incomplete,
    #[error("a won stage carries 100 %, a lost one 0 %")]
    ClosingProbability,
    #[error("an opportunity is won by winning it, which makes its mission")]
    WinByWinning,
}

impl ErrorKey for StageError {
    fn key(&self) -> &'static str {
        match self {
            StageError::CodeInvalid => "stage-code-invalid",
            StageError::Unknown(_) => "stage-unknown",
            StageError::NotOpen(_) => "stage-not-open",
            StageError::Closed => "opportunity-closed",
            StageError::NotLost => "opportunity-reopen-not-lost",
            StageError::LossReasonInvalid => "opportunity-loss-reason-invalid",
            StageError::DuplicateCode => "stage-code-duplicate",
            StageError::Incomplete => "stages-incomplete",
            StageError::ClosingProbability => "stage-closing-probability",
            StageError::WinByWinning => "opportunity-win-through-win",
        }
    }

    fn args(&self) -> Vec<(&'static str, crate::message::Arg)> {
        match self {
            StageError::Unknown(c) | StageError::NotOpen(c) => {
                crate::args![("stage", c.as_str().to_owned())]
            }
            _ => Vec::new(),
        }
    }
}

/// The firm's stages, in their order, checked: codes unique, at least one
/// open stage, exactly one won and one lost, won at 100 % and lost at 0 %.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StageSet(Vec<Stage>);

impl StageSet {
    pub fn new(stages: Vec<Stage>) -> Result<StageSet, StageError> {
        let mut codes: Vec<&StageCode> = stages.iter().map(|s| &s.code).collect();
        codes.sort();
        codes.dedup();
        if codes.len() != stages.len() {
            return Err(StageError::DuplicateCode);
        }
        let count = |o| stages.iter().filter(|s| s.outcome == o).count();
        if count(Outcome::Open) == 0 || count(Outcome::Won) != 1 || count(Outcome::Lost) != 1 {
            return Err(StageError::Incomplete);
        }
        let closing_ok = stages.iter().all(|s| match s.outcome {
            Outcome::Won => s.probability == Percentage::HUNDRED,
            Outcome::Lost => s.probability == Percentage::ZERO,
            Outcome::Open => true,
        });
        if !closing_ok {
            return Err(StageError::ClosingProbability);
        }
        Ok(StageSet(stages))
    }

    /// Qualification 10 %, besoin exprimé 25 %, positionnement 40 %,
    /// proposition 60 %, gagnée, perdue.
    pub fn default_french() -> StageSet {
        let stage = |code: &str, label: &str, outcome, percent| Stage {
            code: StageCode(code.into()),
            label: label.into(),
            outcome,
            probability: Percentage::from_percent(percent),
        };
        StageSet(vec![
            stage("qualification", "Qualification", Outcome::Open, 10),
            stage("besoin_exprime", "Besoin exprimé", Outcome::Open, 25),
            stage("positionnement", "Positionnement", Outcome::Open, 40),
            stage("proposition", "Proposition", Outcome::Open, 60),
            stage("gagnee", "Gagnée", Outcome::Won, 100),
            stage("perdue", "Perdue", Outcome::Lost, 0),
        ])
    }

    pub fn stages(&self) -> &[Stage] {
        &self.0
    }

    pub fn get(&self, code: &StageCode) -> Result<&Stage, StageError> {
        self.0
            .iter()
            .find(|s| &s.code == code)
            .ok_or_else(|| StageError::Unknown(code.clone()))
    }

    /// The first open stage: where a new opportunity starts.
    pub fn first(&self) -> &Stage {
        self.0
            .iter()
            .find(|s| s.outcome == Outcome::Open)
            .expect("a stage set has an open stage")
    }

    fn of_outcome(&self, o: Outcome) -> &Stage {
        self.0
            .iter()
            .find(|s| s.outcome == o)
            .expect("a stage set has one won and one lost stage")
    }

    /// The open stage after `code` in the firm's order, if any (the
    /// kanban's "next" button).
    pub fn next_open(&self, code: &StageCode) -> Option<&Stage> {
        let i = self.0.iter().position(|s| &s.code == code)?;
        self.0[i + 1..].iter().find(|s| s.outcome == Outcome::Open)
    }

    /// The open stage before `code`, if any.
    pub fn previous_open(&self, code: &StageCode) -> Option<&Stage> {
        let i = self.0.iter().position(|s| &s.code == code)?;
        self.0[..i]
            .iter()
            .rev()
            .find(|s| s.outcome == Outcome::Open)
    }
}

/// Where an opportunity stands: its stage, the probability its business
/// manager set instead of the stage's, and why it was lost.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Standing {
    pub stage: StageCode,
    pub probability_override: Option<Percentage>,
    pub loss_reason: Option<LossReason>,
}

impl Standing {
    /// A new opportunity: the first open stage, its probability.
    pub fn start(stages: &StageSet) -> Standing {
        Standing {
            stage: stages.first().code.clone(),
            probability_override: None,
            loss_reason: None,
        }
    }

    pub fn outcome(&self, stages: &StageSet) -> Result<Outcome, StageError> {
        Ok(stages.get(&self.stage)?.outcome)
    }

    /// The probability in force: the override, else the stage's. Won is
    /// always 100 %, lost 0 %, whatever was set while it was open.
    pub fn probability(&self, stages: &StageSet) -> Result<Percentage, StageError> {
        let stage = stages.get(&self.stage)?;
        Ok(match stage.outcome {
            Outcome::Open => open_probability(self.probability_override, stage.probability),
            _ => stage.probability,
        })
    }
}

/// The probability of an open opportunity: its business manager's own when
/// he set one, else its stage's (for readers that have the two apart).
pub fn open_probability(own: Option<Percentage>, stage: Percentage) -> Percentage {
    own.unwrap_or(stage)
}

/// What can happen to an opportunity's stage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum StageEvent {
    /// To another open stage; the probability becomes that stage's.
    MoveTo(StageCode),
    /// The business manager's own probability at the current stage
    /// (`None`: back to the stage's).
    SetProbability(Option<Percentage>),
    Win,
    Lose(LossReason),
    /// A lost opportunity comes back, at an open stage.
    Reopen(StageCode),
}

/// The event a request "to stage `target`" means for an opportunity at
/// `current`: another open stage is a move (a reopening when it was lost),
/// the lost stage a loss, which needs its reason. The won stage is refused:
/// winning makes the mission, through its own command.
pub fn event_to(
    stages: &StageSet,
    current: &Standing,
    target: &StageCode,
    reason: Option<LossReason>,
) -> Result<StageEvent, StageError> {
    match (stages.get(target)?.outcome, current.outcome(stages)?) {
        (Outcome::Won, _) => Err(StageError::WinByWinning),
        (Outcome::Lost, _) => reason
            .map(StageEvent::Lose)
            .ok_or(StageError::LossReasonInvalid),
        (Outcome::Open, Outcome::Lost) => Ok(StageEvent::Reopen(target.clone())),
        (Outcome::Open, _) => Ok(StageEvent::MoveTo(target.clone())),
    }
}

/// The one transition function: what `event` makes of `current`.
pub fn transition(
    stages: &StageSet,
    current: &Standing,
    event: &StageEvent,
) -> Result<Standing, StageError> {
    let outcome = current.outcome(stages)?;
    let open_stage = |code: &StageCode| -> Result<StageCode, StageError> {
        let s = stages.get(code)?;
        if s.outcome == Outcome::Open {
            Ok(s.code.clone())
        } else {
            Err(StageError::NotOpen(code.clone()))
        }
    };
    match (outcome, event) {
        (Outcome::Open, StageEvent::MoveTo(code)) => Ok(Standing {
            stage: open_stage(code)?,
            probability_override: None,
            loss_reason: None,
        }),
        (Outcome::Open, StageEvent::SetProbability(p)) => Ok(Standing {
            probability_override: *p,
            ..current.clone()
        }),
        (Outcome::Open, StageEvent::Win) => Ok(Standing {
            stage: stages.of_outcome(Outcome::Won).code.clone(),
            probability_override: None,
            loss_reason: None,
        }),
        (Outcome::Open, StageEvent::Lose(reason)) => Ok(Standing {
            stage: stages.of_outcome(Outcome::Lost).code.clone(),
            probability_override: None,
            loss_reason: Some(*reason),
        }),
        (Outcome::Lost, StageEvent::Reopen(code)) => Ok(Standing {
            stage: open_stage(code)?,
            probability_override: None,
            loss_reason: None,
        }),
        (Outcome::Open | Outcome::Won, StageEvent::Reopen(_)) => Err(StageError::NotLost),
        (_, _) => Err(StageError::Closed),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn code(s: &str) -> StageCode {
        StageCode::parse(s).unwrap()
    }

    #[test]
    fn an_opportunity_moves_wins_and_is_never_moved_after() {
        let set = StageSet::default_french();
        let s = Standing::start(&set);
        assert_eq!(s.stage, code("qualification"));
        assert_eq!(s.probability(&set), Ok(Percentage::from_percent(10)));
        let s = transition(&set, &s, &StageEvent::MoveTo(code("proposition"))).unwrap();
        assert_eq!(s.probability(&set), Ok(Percentage::from_percent(60)));
        let s = transition(
            &set,
            &s,
            &StageEvent::SetProbability(Some(Percentage::from_percent(75))),
        )
        .unwrap();
        assert_eq!(s.probability(&set), Ok(Percentage::from_percent(75)));
        // Back a stage: the override was for the proposition.
        let back = transition(&set, &s, &StageEvent::MoveTo(code("positionnement"))).unwrap();
        assert_eq!(back.probability(&set), Ok(Percentage::from_percent(40)));
        let won = transition(&set, &s, &StageEvent::Win).unwrap();
        assert_eq!(won.outcome(&set), Ok(Outcome::Won));
        assert_eq!(won.probability(&set), Ok(Percentage::HUNDRED));
        for e in [
            StageEvent::MoveTo(code("qualification")),
            StageEvent::Win,
            StageEvent::Lose(LossReason::Price),
            StageEvent::SetProbability(None),
        ] {
            assert_eq!(transition(&set, &won, &e), Err(StageError::Closed), "{e:?}");
        }
        assert_eq!(
            transition(&set, &won, &StageEvent::Reopen(code("qualification"))),
            Err(StageError::NotLost)
        );
    }

    #[test]
    fn a_loss_keeps_its_reason_until_reopened() {
        let set = StageSet::default_french();
        let s = Standing::start(&set);
        let lost = transition(&set, &s, &StageEvent::Lose(LossReason::Competitor)).unwrap();
        assert_eq!(lost.outcome(&set), Ok(Outcome::Lost));
        assert_eq!(lost.loss_reason, Some(LossReason::Competitor));
        assert_eq!(lost.probability(&set), Ok(Percentage::ZERO));
        assert_eq!(
            transition(&set, &lost, &StageEvent::Reopen(code("gagnee"))),
            Err(StageError::NotOpen(code("gagnee")))
        );
        let again = transition(&set, &lost, &StageEvent::Reopen(code("besoin_exprime"))).unwrap();
        assert_eq!(again.loss_reason, None);
        assert_eq!(again.probability(&set), Ok(Percentage::from_percent(25)));
        assert_eq!(
            transition(&set, &s, &StageEvent::MoveTo(code("perdue"))),
            Err(StageError::NotOpen(code("perdue"))),
            "lost only with a reason"
        );
        assert_eq!(
            transition(&set, &s, &StageEvent::MoveTo(code("nowhere"))),
            Err(StageError::Unknown(code("nowhere")))
        );
        assert_eq!(LossReason::parse("no_profile"), Ok(LossReason::NoProfile));
        assert_eq!(LossReason::parse(""), Err(StageError::LossReasonInvalid));
    }

    #[test]
    fn a_firms_list_is_checked() {
        let stage = |c: &str, o, p| Stage {
            code: code(c),
            label: c.into(),
            outcome: o,
            probability: Percentage::from_percent(p),
        };
        assert!(
            StageSet::new(vec![
                stage("a", Outcome::Open, 20),
                stage("w", Outcome::Won, 100),
                stage("l", Outcome::Lost, 0),
            ])
            .is_ok()
        );
        assert_eq!(
            StageSet::new(vec![
                stage("w", Outcome::Won, 100),
                stage("l", Outcome::Lost, 0)
            ]),
            Err(StageError::Incomplete)
        );
        assert_eq!(
            StageSet::new(vec![
                stage("a", Outcome::Open, 20),
                stage("a", Outcome::Open, 30),
                stage("w", Outcome::Won, 100),
                stage("l", Outcome::Lost, 0),
            ]),
            Err(StageError::DuplicateCode)
        );
        assert_eq!(
            StageSet::new(vec![
                stage("a", Outcome::Open, 20),
                stage("w", Outcome::Won, 90),
                stage("l", Outcome::Lost, 0),
            ]),
            Err(StageError::ClosingProbability)
        );
        assert_eq!(StageCode::parse("Besoin"), Err(StageError::CodeInvalid));
        let set = StageSet::default_french();
        assert_eq!(
            set.next_open(&code("proposition")),
            None,
            "won and lost are reached by their own events"
        );
        assert_eq!(
            set.previous_open(&code("positionnement"))
                .map(|s| s.code.as_str()),
            Some("besoin_exprime")
        );
    }

    #[test]
    fn a_request_for_a_stage_is_the_event_it_means() {
        let set = StageSet::default_french();
        let s = Standing::start(&set);
        assert_eq!(
            event_to(&set, &s, &code("proposition"), None),
            Ok(StageEvent::MoveTo(code("proposition")))
        );
        assert_eq!(
            event_to(&set, &s, &code("perdue"), None),
            Err(StageError::LossReasonInvalid)
        );
        assert_eq!(
            event_to(&set, &s, &code("perdue"), Some(LossReason::Price)),
            Ok(StageEvent::Lose(LossReason::Price))
        );
        assert_eq!(
            event_to(&set, &s, &code("gagnee"), None),
            Err(StageError::WinByWinning)
        );
        let lost = transition(&set, &s, &StageEvent::Lose(LossReason::Other)).unwrap();
        assert_eq!(
            event_to(&set, &lost, &code("qualification"), None),
            Ok(StageEvent::Reopen(code("qualification")))
        );
        assert_eq!(
            event_to(&set, &s, &code("ailleurs"), None),
            Err(StageError::Unknown(code("ailleurs")))
        );
    }

    fn event() -> impl Strategy<Value = StageEvent> {
        let codes = prop::sample::select(vec![
            "qualification",
            "besoin_exprime",
            "positionnement",
            "proposition",
            "gagnee",
            "perdue",
        ]);
        prop_oneof![
            codes.clone().prop_map(|c| StageEvent::MoveTo(code(c))),
            (0u32..=100)
                .prop_map(|p| StageEvent::SetProbability(Some(Percentage::from_percent(p)))),
            Just(StageEvent::Win),
            prop::sample::select(LossReason::ALL.to_vec()).prop_map(StageEvent::Lose),
            codes.prop_map(|c| StageEvent::Reopen(code(c))),
        ]
    }

    proptest! {
        /// Whatever happens: a lost opportunity always has a reason and an
        /// open or won one none; a won one never moves again; the
        /// probability stays within 0–100 %, 100 % when won, 0 % when lost.
        #[test]
        fn invariants_hold_along_any_path(events in prop::collection::vec(event(), 0..30)) {
            let set = StageSet::default_french();
            let mut s = Standing::start(&set);
            let mut won = false;
            for e in &events {
                match transition(&set, &s, e) {
                    Ok(next) => {
                        prop_assert!(!won, "a won opportunity moved");
                        s = next;
                    }
                    Err(_) => continue,
                }
                let outcome = s.outcome(&set).unwrap();
                won = outcome == Outcome::Won;
                prop_assert_eq!(s.loss_reason.is_some(), outcome == Outcome::Lost);
                let p = s.probability(&set).unwrap();
                prop_assert!(p <= Percentage::HUNDRED);
                match outcome {
                    Outcome::Won => prop_assert_eq!(p, Percentage::HUNDRED),
                    Outcome::Lost => prop_assert_eq!(p, Percentage::ZERO),
                    Outcome::Open => {}
                }
            }
        }
    }
}
