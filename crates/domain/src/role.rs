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

/// What a user holds that depends on his role: missions need a consultant
/// who is a consultant and managers who may manage; reports and leave are
/// an employee's records.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Holdings {
    /// Missions not ended nor interrupted where he is the consultant.
    pub live_missions: u32,
    /// His activity reports still going through their workflow.
    pub open_reports: u32,
    /// Missions not ended nor interrupted where he is the business manager.
    pub managed_as_bm: u32,
    /// Missions not ended nor interrupted where he is the delivery manager.
    pub managed_as_dm: u32,
    /// His activity reports and leave requests, whatever their state.
    pub employee_records: u32,
}

impl Role {
    /// May be a mission's business manager.
    pub fn may_manage_business(self) -> bool {
        matches!(self, Role::BusinessManager | Role::Direction | Role::Admin)
    }

    /// May be a mission's delivery manager.
    pub fn may_manage_delivery(self) -> bool {
        self.may_manage_business() || self == Role::DeliveryManager
    }

    /// Whether a user holding `h` may go from this role to `to`; every
    /// reason at once, on the `role` field, with what to do first.
    ///
    /// Refused: leaving the consultant role with missions running or
    /// reports under way (the missions would have no consultant, the
    /// reports nobody to sign them); leaving a manager's role while still
    /// managing running missions (reassign them first); turning an employee
    /// who has reports or leave into a client contact, who would then carry
    /// the firm's internal records into a client's company (create the
    /// contact's own account instead).
    pub fn change_to(
        self,
        to: Role,
        h: &Holdings,
    ) -> Result<(), crate::validation::ValidationErrors> {
        let mut e = crate::validation::ValidationErrors::new();
        if to == self {
            return Ok(());
        }
        let count = |n: u32| crate::args![("count", n)];
        if self == Role::Consultant && h.live_missions > 0 {
            e.add_with("role", "user-role-live-missions", count(h.live_missions));
        }
        if self == Role::Consultant && h.open_reports > 0 {
            e.add_with("role", "user-role-open-reports", count(h.open_reports));
        }
        if self.may_manage_business() && !to.may_manage_business() && h.managed_as_bm > 0 {
            e.add_with("role", "user-role-managed-missions", count(h.managed_as_bm));
        }
        if self.may_manage_delivery() && !to.may_manage_delivery() && h.managed_as_dm > 0 {
            e.add_with("role", "user-role-managed-missions", count(h.managed_as_dm));
        }
        if to == Role::ClientContact && h.employee_records > 0 {
            e.add_with(
                "role",
                "user-role-employee-records",
                count(h.employee_records),
            );
        }
        if e.is_empty() { Ok(()) } else { Err(e) }
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
    fn a_role_change_keeps_missions_and_records_where_they_belong() {
        let none = Holdings::default();
        for from in Role::ALL {
            for to in Role::ALL {
                assert_eq!(
                    from.change_to(to, &none),
                    Ok(()),
                    "{from} -> {to} with nothing"
                );
            }
        }
        let consultant = Holdings {
            live_missions: 2,
            open_reports: 1,
            employee_records: 7,
            ..Holdings::default()
        };
        let keys = |r: Result<(), crate::validation::ValidationErrors>| -> Vec<&'static str> {
            r.err()
                .map(|e| e.0.iter().map(|f| f.key).collect())
                .unwrap_or_default()
        };
        assert_eq!(
            keys(Role::Consultant.change_to(Role::ClientContact, &consultant)),
            [
                "user-role-live-missions",
                "user-role-open-reports",
                "user-role-employee-records"
            ]
        );
        assert_eq!(
            keys(Role::Consultant.change_to(Role::BusinessManager, &consultant)),
            ["user-role-live-missions", "user-role-open-reports"]
        );
        assert_eq!(
            Role::Consultant.change_to(Role::Consultant, &consultant),
            Ok(())
        );
        // Missions ended and reports locked: a consultant may become a
        // manager; his history stays his.
        let former = Holdings {
            employee_records: 7,
            ..Holdings::default()
        };
        assert_eq!(
            Role::Consultant.change_to(Role::BusinessManager, &former),
            Ok(())
        );
        assert_eq!(
            keys(Role::Consultant.change_to(Role::ClientContact, &former)),
            ["user-role-employee-records"]
        );
        let bm = Holdings {
            managed_as_bm: 3,
            ..Holdings::default()
        };
        assert_eq!(
            Role::BusinessManager.change_to(Role::Direction, &bm),
            Ok(())
        );
        assert_eq!(
            keys(Role::BusinessManager.change_to(Role::DeliveryManager, &bm)),
            ["user-role-managed-missions"]
        );
        let dm = Holdings {
            managed_as_dm: 1,
            ..Holdings::default()
        };
        assert_eq!(
            Role::DeliveryManager.change_to(Role::BusinessManager, &dm),
            Ok(())
        );
        assert_eq!(
            keys(Role::DeliveryManager.change_to(Role::Finance, &dm)),
            ["user-role-managed-missions"]
        );
        let err = Role::Consultant
            .change_to(Role::ClientContact, &consultant)
            .unwrap_err();
        assert_eq!(err.0[0].field, "role");
        assert_eq!(err.0[0].args, crate::args![("count", 2u32)]);
    }

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
