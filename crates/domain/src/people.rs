//! People and costs: who works for the firm and what a day of their work
//! costs it.
//!
//! - [`employee`]: the employee record (matricule, contract, agency, dates).
//! - [`cost`]: dated pay and cost versions (a salary, a freelancer's buy
//!   rate), each in force from its date until the next one.
//! - [`cjm`]: the loaded daily cost (CJM) on any date, by the firm's
//!   method, or a standard per grade.
//! - [`portfolio`]: which business managers own a consultant or an
//!   account on a date, and their shares.
//!
//! What margins make of these is [`crate::margin`]'s.

pub mod cjm;
pub mod cost;
pub mod employee;
pub mod portfolio;
