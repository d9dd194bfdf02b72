//! An invoice's or a credit note's PDF ([`print`]) and Factur-X
//! ([`facturx`]).

pub mod facturx;
pub mod print;
