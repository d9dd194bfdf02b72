//! The one authorization policy. Every route declares a `Need` in the route
//! table (router.rs); this module decides, per role, what is allowed, and
//! which records a user may see (`scope_for`), which the store applies inside
//! its queries.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use domain::role::Role;
use store::Scope;
use store::users::User;

use crate::ctx::Ctx;
use crate::error::AppError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    ViewCompanies,
    /// The lists of every company and contact: the firm's directory. A
    /// client contact opens his company's page, not the directory.
    BrowseDirectory,
    EditCompanies,
    ViewContacts,
    EditContacts,
    ManageUsers,
    /// Invite a new user, who chooses his own password: an administrator
    /// anyone, a business manager consultants (`domain::invitation`).
    InviteUsers,
    ReadApiDocs,
    ViewMissions,
    EditMissions,
    ViewRenewals,
    ManageJobs,
    ManageContracts,
    /// Open documents (the scope narrows it to one's own).
    ViewDocuments,
    /// Remind signers, withdraw a signature request.
    ManageDocuments,
    /// Edit document templates (the mission order).
    ManageTemplates,
    /// See activity reports (the scope narrows it: a consultant his own, a
    /// client contact those with his company's missions).
    ViewCras,
    /// Fill in and sign one's own monthly report.
    EnterCra,
    /// Validate one's company's consultants' reports in the client portal.
    ClientValidateCras,
    /// Validate (in bulk), send back and reopen reports as their manager.
    ValidateCras,
    /// The late-reports page and its on-time rate.
    ViewLateCras,
    /// Billable days × rates waiting for invoicing.
    ViewBillable,
    /// Ask for leave (every employee).
    RequestLeave,
    /// Approve or refuse leave; see everyone's requests and balances.
    ApproveLeave,
    /// Leave types, yearly allowances, consultants' work patterns.
    ManageLeaveSettings,
    /// The ledger's reports: trial balance, general and customer ledgers,
    /// journals, periods.
    ViewAccounting,
    /// Close accounting periods.
    ManageAccounting,
    /// Payments, statements, matching, lettering, dunning, receivables.
    ViewCollections,
    ManageCollections,
    /// Invoices and credit notes, what waits for a contract's signature,
    /// the month-end close's history; invoice PDFs.
    ViewInvoices,
    /// Issue invoices and credit notes, release waiting invoices, run the
    /// month-end close.
    ManageInvoices,
    /// The selling rate (TJM) and the client's terms of a mission: what
    /// the firm charges is the firm's and the client's business, not the
    /// consultant's, and recruiters have no use for it.
    /// Who owns a mission and with what share (the business managers'
    /// portfolio): the firm's commercial staff and finance.
    ViewPortfolio,
    /// Setting the shares: they split margins and variable pay, so
    /// direction and the admin decide, not the managers themselves.
    EditPortfolio,
    ViewSellingTerms,
    /// A client contact's own company's issued invoices and credit notes,
    /// with their PDF and Factur-X (the scope narrows it to his company).
    PortalInvoices,
    /// The firm's agencies (branch offices, business units).
    ViewAgencies,
    EditAgencies,
    /// Employee records, without any pay figure.
    ViewEmployees,
    EditEmployees,
    /// A person's pay history and CJM, the CJM settings and the standard
    /// CJM per grade: confidential (PAYROLL.md §5), every read of a pay
    /// history is audited.
    ViewPay,
    ManagePay,
    /// Margins by mission, account, business manager and agency: with each
    /// person's own CJM for finance, direction and admin, with the grade's
    /// standard CJM for business and delivery managers when the firm hides
    /// salaries (`margin_basis`). Consultants and clients see none.
    ViewMargins,
    /// Margins by consultant: one person's cost, line by line.
    ViewConsultantMargins,
    /// The CRM's opportunities (the scope narrows a business manager to
    /// his own and his accounts'): the firm's commercial staff, its
    /// delivery managers and finance. Consultants, client contacts and
    /// recruiters (until recruitment needs them) see none.
    ViewOpportunities,
    /// Create, edit, move, lose and win opportunities: the commercial
    /// staff.
    EditOpportunities,
    /// Share a saved view of the opportunity list with the whole firm:
    /// those who steer the commercial work of everyone (direction, the
    /// admin). Anyone who sees the list saves views of his own.
    ShareOpportunityViews,
    /// Log and plan calls, meetings, e-mails and tasks, mark them done,
    /// and open "ma journée": the firm's managers, who are the people an
    /// activity may be assigned to.
    LogActivities,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Anyone, signed in or not (login page, health checks, assets).
    Public,
    /// Any signed-in user (home, own account).
    SignedIn,
    Perm(Permission),
}

pub fn allows(role: Role, p: Permission) -> bool {
    use Permission::*;
    use Role::*;
    match p {
        ViewCompanies | ViewContacts => !matches!(role, Consultant),
        BrowseDirectory => role.is_internal_staff(),
        EditCompanies => matches!(role, Admin | Direction | BusinessManager | Finance),
        EditContacts => matches!(
            role,
            Admin | Direction | BusinessManager | DeliveryManager | Finance
        ),
        ManageUsers => matches!(role, Admin),
        InviteUsers => matches!(role, Admin | BusinessManager),
        ReadApiDocs => role.is_internal_staff(),
        // Consultants and client contacts see their own missions (scoped).
        ViewMissions => true,
        EditMissions => matches!(role, Admin | Direction | BusinessManager | DeliveryManager),
        ViewRenewals => matches!(
            role,
            Admin | Direction | BusinessManager | DeliveryManager | Finance
        ),
        ManageJobs => matches!(role, Admin | Direction),
        ManageContracts => matches!(role, Admin | Direction | BusinessManager | Finance),
        // Contracts state rates and reports state days: recruiters see
        // neither until recruitment brings documents of its own.
        ViewDocuments => !matches!(role, Recruiter),
        ManageDocuments => matches!(
            role,
            Admin | Direction | BusinessManager | DeliveryManager | Finance
        ),
        ManageTemplates => matches!(role, Admin),
        // Recruiters see no activity reports until recruitment needs them.
        ViewCras => !matches!(role, Recruiter),
        EnterCra => matches!(role, Consultant),
        ClientValidateCras => matches!(role, ClientContact),
        ValidateCras | ApproveLeave => {
            matches!(role, Admin | Direction | BusinessManager | DeliveryManager)
        }
        ViewLateCras => role.is_internal_staff() && role != Recruiter,
        ViewBillable => matches!(role, Admin | Direction | BusinessManager | Finance),
        RequestLeave => !matches!(role, ClientContact),
        ManageLeaveSettings => matches!(role, Admin | Direction),
        ViewAccounting => matches!(role, Admin | Direction | Finance),
        ManageAccounting => matches!(role, Admin | Finance),
        ViewCollections => matches!(role, Admin | Direction | Finance),
        ManageCollections => matches!(role, Admin | Finance),
        ViewInvoices => matches!(role, Admin | Direction | BusinessManager | Finance),
        ManageInvoices => matches!(role, Admin | Finance),
        // The client contact reads the rate on every invoice he receives.
        ViewSellingTerms => !matches!(role, Consultant | Recruiter),
        ViewPortfolio => matches!(
            role,
            Admin | Direction | BusinessManager | DeliveryManager | Finance
        ),
        EditPortfolio => matches!(role, Admin | Direction),
        PortalInvoices => matches!(role, ClientContact),
        ViewMargins => matches!(
            role,
            Admin | Direction | Finance | BusinessManager | DeliveryManager
        ),
        ViewAgencies | EditEmployees | ViewPay | ManagePay | ViewConsultantMargins => {
            matches!(role, Admin | Direction | Finance)
        }
        EditAgencies => matches!(role, Admin | Direction),
        ViewOpportunities => matches!(
            role,
            Admin | Direction | BusinessManager | DeliveryManager | Finance
        ),
        EditOpportunities => matches!(role, Admin | Direction | BusinessManager),
        ShareOpportunityViews => matches!(role, Admin | Direction),
        LogActivities => matches!(role, Admin | Direction | BusinessManager | DeliveryManager),
        ViewEmployees => matches!(
            role,
            Admin | Direction | Finance | BusinessManager | DeliveryManager
        ),
    }
}

/// Staff see every record; a client contact only his company's; a consultant
/// only what concerns himself; a business manager his portfolio (the
/// missions he holds or held a share of, their accounts and his own
/// accounts: `store::scope`). Direction, finance, the admin and delivery
/// managers see all.
pub fn scope_for(user: &User) -> Scope {
    match (user.role, user.company_id) {
        (Role::ClientContact, Some(company)) => Scope::Company(company),
        // The database forbids a client contact without a company; should one
        // appear anyway, he sees only his own records, never everything.
        (Role::ClientContact, None) | (Role::Consultant, _) => Scope::Own(user.id),
        (Role::BusinessManager, _) => Scope::Portfolio(user.id),
        _ => Scope::All,
    }
}

/// Which CJM a role's margins are computed with: each person's own for
/// those who may see pay, the grade's standard for the managers when the
/// firm hides salaries.
pub fn margin_basis(role: Role, salaries_hidden: bool) -> domain::people::cjm::CostBasis {
    use domain::people::cjm::CostBasis;
    if allows(role, Permission::ViewPay) || !salaries_hidden {
        CostBasis::Personal
    } else {
        CostBasis::GradeStandard
    }
}

pub fn check(ctx: &Ctx, need: Need) -> Result<(), AppError> {
    match need {
        Need::Public => Ok(()),
        Need::SignedIn => ctx.user().map(|_| ()),
        Need::Perm(p) => {
            if allows(ctx.user()?.role, p) {
                Ok(())
            } else {
                Err(AppError::Forbidden)
            }
        }
    }
}

/// The route layer attached to every route by the route table.
pub async fn require(need: Need, req: Request, next: Next) -> Response {
    let outcome = match req.extensions().get::<Ctx>() {
        Some(ctx) => check(ctx, need),
        None => Err(AppError::Internal(anyhow::anyhow!("context layer missing"))),
    };
    match outcome {
        Ok(()) => next.run(req).await,
        Err(e) => e.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_admins_manage_users() {
        for r in Role::ALL {
            assert_eq!(allows(r, Permission::ManageUsers), r == Role::Admin, "{r}");
        }
    }

    #[test]
    fn consultants_and_recruiters_never_see_the_selling_rate() {
        for r in Role::ALL {
            assert_eq!(
                allows(r, Permission::ViewSellingTerms),
                !matches!(r, Role::Consultant | Role::Recruiter),
                "{r}"
            );
        }
        for p in [
            Permission::ViewCras,
            Permission::ViewLateCras,
            Permission::ViewInvoices,
            Permission::ViewBillable,
        ] {
            assert!(!allows(Role::Recruiter, p), "{p:?}");
        }
    }

    #[test]
    fn pay_is_for_finance_direction_and_admin_only() {
        for r in Role::ALL {
            let expected = matches!(r, Role::Admin | Role::Direction | Role::Finance);
            assert_eq!(allows(r, Permission::ViewPay), expected, "{r}");
            assert_eq!(allows(r, Permission::ManagePay), expected, "{r}");
        }
        for r in [Role::Consultant, Role::ClientContact, Role::Recruiter] {
            assert!(!allows(r, Permission::ViewEmployees), "{r}");
        }
    }

    #[test]
    fn margins_for_staff_with_pay_hidden_from_managers() {
        use domain::people::cjm::CostBasis;
        for r in Role::ALL {
            let staff = matches!(
                r,
                Role::Admin
                    | Role::Direction
                    | Role::Finance
                    | Role::BusinessManager
                    | Role::DeliveryManager
            );
            assert_eq!(allows(r, Permission::ViewMargins), staff, "{r}");
            assert_eq!(
                allows(r, Permission::ViewConsultantMargins),
                allows(r, Permission::ViewPay),
                "{r}"
            );
        }
        assert_eq!(
            margin_basis(Role::BusinessManager, true),
            CostBasis::GradeStandard
        );
        assert_eq!(
            margin_basis(Role::DeliveryManager, true),
            CostBasis::GradeStandard
        );
        assert_eq!(
            margin_basis(Role::BusinessManager, false),
            CostBasis::Personal
        );
        assert_eq!(margin_basis(Role::Finance, true), CostBasis::Personal);
    }

    #[test]
    fn outsiders_never_see_the_pipeline() {
        for r in [Role::Consultant, Role::ClientContact, Role::Recruiter] {
            assert!(!allows(r, Permission::ViewOpportunities), "{r}");
            assert!(!allows(r, Permission::EditOpportunities), "{r}");
        }
        for r in Role::ALL {
            if allows(r, Permission::EditOpportunities) {
                assert!(allows(r, Permission::ViewOpportunities), "{r}");
                // Winning makes the mission.
                assert!(allows(r, Permission::EditMissions), "{r}");
            }
        }
    }

    #[test]
    fn outsiders_never_edit() {
        for p in [
            Permission::EditCompanies,
            Permission::EditContacts,
            Permission::ManageUsers,
        ] {
            assert!(!allows(Role::Consultant, p));
            assert!(!allows(Role::ClientContact, p));
        }
    }
}
