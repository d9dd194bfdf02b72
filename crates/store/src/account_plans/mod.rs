//! The account plan of a key account (`domain::crm::account_plan`), read
//! whole: its domains, its decision makers, its yearly targets beside the
//! actual figures, and its owners.
//!
//! Only the firm's commercial readers open a plan (a consultant or a
//! client contact gets `NotFound`, as on the account map), and only of an
//! account of their scope. The account's group counts: a domain may be led
//! by, and the decision makers are, contacts of any company of the group
//! the reader sees; the figures count the account and the entities under
//! it (a plan on the group's head counts its sites, one on a site counts
//! the site). Owners are today's shares of the account's dated portfolio;
//! nothing of them is stored here.

mod account;
pub mod figures;
pub mod people;
pub mod read;
pub mod write;

pub use figures::Figures;
pub use people::{DecisionMaker, GroupContact};
pub use read::{Domain, Owner, Plan, plan};
