//! The CRM of the régie trade (JOURNEY.md steps 1, 5 and 11): "Mission"
//! opportunities moving through the firm's stages, their parent links
//! (a need born in a follow-up meeting is the child of the mission's
//! opportunity), the value of the pipeline and its covered days, and the
//! recurrence of follow-up meetings. Pure rules; the store reads and
//! writes what they decide.

pub mod account_plan;
pub mod activity;
pub mod foisonnement;
pub mod follow_up;
pub mod lineage;
pub mod meeting;
pub mod opportunity;
pub mod pipeline;
pub mod positioning;
pub mod recurrence;
pub mod saved_view;
pub mod skill;
pub mod stage;

pub use opportunity::{
    OpportunityData, OpportunityInput, OpportunityKind, RenewalOf, Source, covered_days,
    last_working_day,
};
pub use skill::{Skill, SkillInput, SkillLevel, parse_skills};
pub use stage::{
    LossReason, Outcome, Stage, StageCode, StageError, StageEvent, StageSet, Standing, event_to,
    transition,
};
