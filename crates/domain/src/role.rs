//! Who a user is in the firm. What each role may do lives in the web crate's
//! single policy module; this only names the roles.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Direction,
    BusinessManager,
    DeliveryManager,
    Recruiter,
    Finance,
    Consultant,
    ClientContact,
}

impl Role {
    pub const ALL: [Role; 8] = [
        Role::Admin,
        Role::Direction,
        Role::BusinessManager,
        Role::DeliveryManager,
        Role::Recruiter,
        Role::Finance,
        Role::Consultant,
        Role::ClientContact,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Direction => "direction",
            Role::BusinessManager => "business_manager",
            Role::DeliveryManager => "delivery_manager",
            Role::Recruiter => "recruiter",
            Role::Finance => "finance",
            Role::Consultant => "consultant",
            Role::ClientContact => "client_contact",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Translation key of the role's name.
    pub fn label_key(self) -> String {
        format!("role-{}", self.as_str().replace('_', "-"))
    }

    /// Staff of the firm, as opposed to people outside it (consultants are
    /// employees but see only their own records; client contacts are outsiders).
    pub fn is_internal_staff(self) -> bool {
        !matches!(self, Role::Consultant | Role::ClientContact)
    }

    /// A client contact is always bound to exactly one client company.
    pub fn requires_company(self) -> bool {
        matches!(self, Role::ClientContact)
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_round_trips() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn only_client_contacts_need_a_company() {
        let with: Vec<_> = Role::ALL
            .into_iter()
            .filter(|r| r.requires_company())
            .collect();
        assert_eq!(with, vec![Role::ClientContact]);
    }
}
