//! Which records a query may return. Built by the web crate's policy module
//! from the signed-in user and applied inside every list/get query, so a
//! template can never show what the query did not return.

use domain::ids::{CompanyId, UserId};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Firm staff: every record.
    All,
    /// A client contact: only his company's records.
    Company(CompanyId),
    /// A consultant: only records about himself.
    Own(UserId),
}

impl Scope {
    /// Parameters for the `scope` SQL fragment used by queries:
    /// `(CAST($a AS TEXT) IS NULL OR company_id = $a)` style binds.
    pub fn company(&self) -> Option<String> {
        match self {
            Scope::Company(c) => Some(c.to_string()),
            _ => None,
        }
    }

    pub fn own_user(&self) -> Option<String> {
        match self {
            Scope::Own(u) => Some(u.to_string()),
            _ => None,
        }
    }

    pub fn is_all(&self) -> bool {
        matches!(self, Scope::All)
    }
}
