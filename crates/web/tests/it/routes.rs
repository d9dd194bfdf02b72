//! Every route × every role: the table below is the expected policy. A route
//! added to the router without a line here fails `every_route_has_a_line`.

use axum::http::{Method, StatusCode};
use domain::role::Role;
use web::authz::Need;

use crate::harness::{TestApp, on_each_backend};

/// Who may use each route: role names, or "all" (anyone, signed in or not),
/// "signed" (any signed-in user), "staff" (every role but consultant and
/// client contact).
pub const POLICY: &[(&str, &str, &str)] = &[
    ("GET", "/healthz", "all"),
    ("GET", "/readyz", "all"),
    ("GET", "/static/app.css", "all"),
    ("GET", "/static/app.js", "all"),
    ("GET", "/static/htmx.min.js", "all"),
    ("GET", "/favicon.ico", "all"),
    ("GET", "/login", "all"),
    ("POST", "/login", "all"),
    ("POST", "/logout", "signed"),
    ("POST", "/locale", "all"),
    ("GET", "/", "signed"),
    ("GET", "/account", "signed"),
    ("POST", "/account/password", "signed"),
    ("POST", "/account/tokens", "signed"),
    ("POST", "/account/tokens/{id}/revoke", "signed"),
    ("GET", "/companies", "staff"),
    ("GET", "/companies/options", "staff client_contact"),
    (
        "GET",
        "/companies/new",
        "admin direction business_manager finance",
    ),
    (
        "POST",
        "/companies",
        "admin direction business_manager finance",
    ),
    ("GET", "/companies/{id}", "staff client_contact"),
    (
        "GET",
        "/companies/{id}/edit",
        "admin direction business_manager finance",
    ),
    (
        "POST",
        "/companies/{id}",
        "admin direction business_manager finance",
    ),
    ("GET", "/contacts", "staff"),
    (
        "GET",
        "/contacts/new",
        "admin direction business_manager delivery_manager finance",
    ),
    (
        "POST",
        "/contacts",
        "admin direction business_manager delivery_manager finance",
    ),
    (
        "GET",
        "/contacts/{id}/edit",
        "admin direction business_manager delivery_manager finance",
    ),
    (
        "POST",
        "/contacts/{id}",
        "admin direction business_manager delivery_manager finance",
    ),
    (
        "GET",
        "/opportunities",
        "admin direction business_manager delivery_manager finance",
    ),
    (
        "GET",
        "/opportunities/kanban",
        "admin direction business_manager delivery_manager finance",
    ),
    (
        "POST",
        "/opportunities/views",
        "admin direction business_manager delivery_manager finance",
    ),
    (
        "POST",
        "/opportunities/views/{id}",
        "admin direction business_manager delivery_manager finance",
    ),
    (
        "POST",
        "/opportunities/views/{id}/delete",
        "admin direction business_manager delivery_manager finance",
    ),
    (
        "GET",
        "/api/v1/opportunity-views",
        "admin direction business_manager delivery_manager finance",
    ),
    (
        "POST",
        "/api/v1/opportunity-views",
        "admin direction business_manager delivery_manager finance",
    ),
    (
        "GET",
        "/api/v1/opportunity-views/{id}",
        "admin direction business_manager delivery_manager finance",
    ),
    (
        "PATCH",
        "/api/v1/opportunity-views/{id}",
        "admin direction business_manager delivery_manager finance",
    ),
    (
        "DELETE",
        "/api/v1/opportunity-views/{id}",
        "admin direction business_manager delivery_manager finance",
    ),
    (
        "GET",
        "/opportunities/pipeline",
        "admin direction business_manager delivery_manager finance",
    ),
    (
        "GET",
        "/opportunities/pipeline/export",
        "admin direction business_manager delivery_manager finance",
    ),
    (
        "GET",
        "/opportunities/foisonnement",
        "admin direction business_manager delivery_manager finance",
    ),
    (
        "GET",
        "/opportunities/foisonnement/export",
        "admin direction business_manager delivery_manager finance",
    ),
    (
        "GET",
        "/companies/{id}/account-map",
        "admin direction business_manager delivery_manager finance",
    ),
    (
        "GET",
        "/companies/{id}/account-plan",
        "admin direction business_manager delivery_manager finance",
    ),
    (
        "POST",
        "/companies/{id}/account-plan/domains",
        "admin direction business_manager",
    ),
    (
        "POST",
        "/companies/{id}/account-plan/domains/{domain_id}",
        "admin direction business_manager",
    ),
    (
        "POST",
        "/companies/{id}/account-plan/stakeholders",
        "admin direction business_manager",
    ),
    (
        "POST",
        "/companies/{id}/account-plan/targets",
        "admin direction business_manager",
    ),
    (
        "GET",
        "/api/v1/companies/{id}/account-plan",
        "admin direction business_manager delivery_manager finance",
    ),
    (
        "POST",
        "/api/v1/companies/{id}/account-plan/domains",
        "admin direction business_manager",
    ),
    (
        "GET",
        "/api/v1/companies/{id}/account-plan/domains/{domain_id}",
        "admin direction business_manager delivery_manager finance",
    ),
    (
        "PUT",
        "/api/v1/companies/{id}/account-plan/domains/{domain_id}",
        "admin direction business_manager",
    ),
    (
        "PUT",
        "/api/v1/companies/{id}/account-plan/stakeholders/{contact_id}",
        "admin direction business_manager",
    ),
    (
        "PUT",
        "/api/v1/companies/{id}/account-plan/targets/{year}",
        "admin direction business_manager",
    ),
    (
        "GET",
        "/api/v1/opportunities/pipeline",
        "admin direction business_manager delivery_manager finance",
    ),
    (
        "GET",
        "/api/v1/opportunities/foisonnement",
        "admin direction business_manager delivery_manager finance",
    ),
    (
        "GET",
        "/opportunities/new",
        "admin direction business_manager",
    ),
    ("POST", "/opportunities", "admin direction business_manager"),
    (
        "GET",
        "/opportunities/{id}",
        "admin direction business_manager delivery_manager finance",
    ),
    (
        "GET",
        "/opportunities/{id}/edit",
        "admin direction business_manager",
    ),
    (
        "POST",
        "/opportunities/{id}",
        "admin direction business_manager",
    ),
    (
        "POST",
        "/opportunities/{id}/stage",
        "admin direction business_manager",
    ),
    (
        "POST",
        "/opportunities/{id}/win",
        "admin direction business_manager",
    ),
    (
        "GET",
        "/meetings",
        "admin direction business_manager delivery_manager finance",
    ),
    ("GET", "/meetings/new", "admin direction business_manager"),
    ("POST", "/meetings", "admin direction business_manager"),
    (
        "GET",
        "/meetings/{id}",
        "admin direction business_manager delivery_manager finance",
    ),
    (
        "GET",
        "/meetings/{id}/edit",
        "admin direction business_manager",
    ),
    ("POST", "/meetings/{id}", "admin direction business_manager"),
    (
        "POST",
        "/meetings/{id}/hold",
        "admin direction business_manager",
    ),
    (
        "POST",
        "/meetings/{id}/cancel",
        "admin direction business_manager",
    ),
    (
        "POST",
        "/meetings/{id}/child-opportunity",
        "admin direction business_manager",
    ),
    (
        "POST",
        "/meetings/{id}/tasks",
        "admin direction business_manager",
    ),
    (
        "POST",
        "/opportunities/{id}/positionings",
        "admin direction business_manager",
    ),
    (
        "POST",
        "/opportunities/{id}/positionings/{positioning}/answer",
        "admin direction business_manager",
    ),
    (
        "POST",
        "/missions/{id}/renewal-opportunity",
        "admin direction business_manager",
    ),
    (
        "GET",
        "/api/v1/opportunities",
        "admin direction business_manager delivery_manager finance",
    ),
    (
        "POST",
        "/api/v1/opportunities",
        "admin direction business_manager",
    ),
    (
        "GET",
        "/api/v1/opportunities/{id}",
        "admin direction business_manager delivery_manager finance",
    ),
    (
        "PATCH",
        "/api/v1/opportunities/{id}",
        "admin direction business_manager",
    ),
    (
        "POST",
        "/api/v1/opportunities/{id}/stage",
        "admin direction business_manager",
    ),
    (
        "POST",
        "/api/v1/opportunities/{id}/win",
        "admin direction business_manager",
    ),
    (
        "GET",
        "/my-day",
        "admin direction business_manager delivery_manager",
    ),
    (
        "GET",
        "/activities",
        "admin direction business_manager delivery_manager finance",
    ),
    (
        "GET",
        "/activities/new",
        "admin direction business_manager delivery_manager",
    ),
    (
        "POST",
        "/activities",
        "admin direction business_manager delivery_manager",
    ),
    (
        "GET",
        "/activities/{id}/edit",
        "admin direction business_manager delivery_manager",
    ),
    (
        "POST",
        "/activities/{id}",
        "admin direction business_manager delivery_manager",
    ),
    (
        "POST",
        "/activities/{id}/done",
        "admin direction business_manager delivery_manager",
    ),
    (
        "POST",
        "/activities/{id}/reopen",
        "admin direction business_manager delivery_manager",
    ),
    (
        "GET",
        "/api/v1/activities",
        "admin direction business_manager delivery_manager finance",
    ),
    (
        "POST",
        "/api/v1/activities",
        "admin direction business_manager delivery_manager",
    ),
    (
        "GET",
        "/api/v1/activities/{id}",
        "admin direction business_manager delivery_manager finance",
    ),
    (
        "PATCH",
        "/api/v1/activities/{id}",
        "admin direction business_manager delivery_manager",
    ),
    (
        "POST",
        "/api/v1/activities/{id}/done",
        "admin direction business_manager delivery_manager",
    ),
    (
        "GET",
        "/api/v1/opportunities/{id}/positionings",
        "admin direction business_manager delivery_manager finance",
    ),
    (
        "POST",
        "/api/v1/opportunities/{id}/positionings",
        "admin direction business_manager",
    ),
    (
        "PATCH",
        "/api/v1/opportunities/{id}/positionings/{positioning_id}",
        "admin direction business_manager",
    ),
    (
        "GET",
        "/api/v1/meetings",
        "admin direction business_manager delivery_manager finance",
    ),
    (
        "POST",
        "/api/v1/meetings",
        "admin direction business_manager",
    ),
    (
        "GET",
        "/api/v1/meetings/{id}",
        "admin direction business_manager delivery_manager finance",
    ),
    (
        "PATCH",
        "/api/v1/meetings/{id}",
        "admin direction business_manager",
    ),
    (
        "POST",
        "/api/v1/meetings/{id}/hold",
        "admin direction business_manager",
    ),
    (
        "POST",
        "/api/v1/meetings/{id}/child-opportunity",
        "admin direction business_manager",
    ),
    ("GET", "/missions", "signed"),
    (
        "GET",
        "/missions/new",
        "admin direction business_manager delivery_manager",
    ),
    (
        "POST",
        "/missions",
        "admin direction business_manager delivery_manager",
    ),
    ("GET", "/missions/{id}", "signed"),
    (
        "GET",
        "/missions/{id}/portfolio",
        "admin direction business_manager delivery_manager finance",
    ),
    ("POST", "/missions/{id}/portfolio", "admin direction"),
    (
        "GET",
        "/companies/{id}/portfolio",
        "admin direction business_manager delivery_manager finance",
    ),
    ("POST", "/companies/{id}/portfolio", "admin direction"),
    (
        "GET",
        "/missions/{id}/edit",
        "admin direction business_manager delivery_manager",
    ),
    (
        "POST",
        "/missions/{id}",
        "admin direction business_manager delivery_manager",
    ),
    (
        "POST",
        "/missions/{id}/amendments",
        "admin direction business_manager delivery_manager",
    ),
    (
        "POST",
        "/missions/{id}/contract",
        "admin direction business_manager delivery_manager",
    ),
    (
        "POST",
        "/companies/{id}/contracts",
        "admin direction business_manager finance",
    ),
    (
        "POST",
        "/contracts/{id}/status",
        "admin direction business_manager finance",
    ),
    (
        "POST",
        "/contracts/{id}/invoicing",
        "admin direction business_manager finance",
    ),
    (
        "POST",
        "/contracts/{id}/paper",
        "admin direction business_manager finance",
    ),
    (
        "GET",
        "/cras",
        "admin direction business_manager delivery_manager finance consultant client_contact",
    ),
    ("POST", "/cras/open", "consultant"),
    (
        "POST",
        "/cras/validate",
        "admin direction business_manager delivery_manager",
    ),
    (
        "GET",
        "/cras/{id}",
        "admin direction business_manager delivery_manager finance consultant client_contact",
    ),
    ("POST", "/cras/{id}", "consultant"),
    ("POST", "/cras/{id}/client-validate", "client_contact"),
    ("POST", "/cras/{id}/client-reject", "client_contact"),
    (
        "POST",
        "/cras/{id}/validate",
        "admin direction business_manager delivery_manager",
    ),
    (
        "POST",
        "/cras/{id}/reject",
        "admin direction business_manager delivery_manager",
    ),
    (
        "POST",
        "/cras/{id}/reopen",
        "admin direction business_manager delivery_manager",
    ),
    ("POST", "/cras/{id}/attachments", "consultant"),
    (
        "GET",
        "/cras/{id}/attachments/{attachment}",
        "admin direction business_manager delivery_manager finance consultant client_contact",
    ),
    (
        "GET",
        "/documents",
        "admin direction business_manager delivery_manager finance consultant client_contact",
    ),
    (
        "GET",
        "/documents/{id}",
        "admin direction business_manager delivery_manager finance consultant client_contact",
    ),
    (
        "GET",
        "/documents/{id}/pdf",
        "admin direction business_manager delivery_manager finance consultant client_contact",
    ),
    (
        "GET",
        "/documents/{id}/signed.pdf",
        "admin direction business_manager delivery_manager finance consultant client_contact",
    ),
    (
        "GET",
        "/documents/{id}/certificate.pdf",
        "admin direction business_manager delivery_manager finance consultant client_contact",
    ),
    (
        "POST",
        "/documents/{id}/remind",
        "admin direction business_manager delivery_manager finance consultant client_contact",
    ),
    (
        "POST",
        "/documents/{id}/cancel",
        "admin direction business_manager delivery_manager finance",
    ),
    (
        "GET",
        "/missions/{id}/mission-order/new",
        "admin direction business_manager delivery_manager",
    ),
    (
        "GET",
        "/missions/{id}/mission-order/preview.pdf",
        "admin direction business_manager delivery_manager",
    ),
    (
        "POST",
        "/missions/{id}/mission-order",
        "admin direction business_manager delivery_manager",
    ),
    (
        "GET",
        "/contracts/{id}/esign/new",
        "admin direction business_manager finance",
    ),
    (
        "POST",
        "/contracts/{id}/esign",
        "admin direction business_manager finance",
    ),
    (
        "GET",
        "/amendments/{id}/esign/new",
        "admin direction business_manager delivery_manager",
    ),
    (
        "POST",
        "/amendments/{id}/esign",
        "admin direction business_manager delivery_manager",
    ),
    ("GET", "/sign/{token}", "all"),
    ("GET", "/sign/{token}/document.pdf", "all"),
    ("POST", "/sign/{token}", "all"),
    ("GET", "/settings/mission-order", "admin"),
    ("POST", "/settings/mission-order", "admin"),
    ("GET", "/settings/mission-order/preview.pdf", "admin"),
    (
        "GET",
        "/renewals",
        "admin direction business_manager delivery_manager finance",
    ),
    (
        "POST",
        "/renewals/{id}/status",
        "admin direction business_manager delivery_manager",
    ),
    (
        "POST",
        "/renewals/{id}/renew",
        "admin direction business_manager delivery_manager",
    ),
    ("POST", "/tasks/{id}/done", "signed"),
    ("GET", "/jobs", "admin direction"),
    ("POST", "/jobs/{id}/retry", "admin direction"),
    ("GET", "/leave", "staff consultant"),
    ("POST", "/leave", "staff consultant"),
    ("POST", "/leave/{id}/cancel", "staff consultant"),
    (
        "GET",
        "/leave/team",
        "admin direction business_manager delivery_manager",
    ),
    (
        "POST",
        "/leave/{id}/approve",
        "admin direction business_manager delivery_manager",
    ),
    (
        "POST",
        "/leave/{id}/refuse",
        "admin direction business_manager delivery_manager",
    ),
    ("GET", "/settings/leave", "admin direction"),
    ("POST", "/settings/leave/types", "admin direction"),
    ("POST", "/settings/leave/allowances", "admin direction"),
    ("POST", "/settings/leave/patterns", "admin direction"),
    (
        "GET",
        "/cras/late",
        "admin direction business_manager delivery_manager finance",
    ),
    (
        "GET",
        "/cras/billable",
        "admin direction business_manager finance",
    ),
    (
        "GET",
        "/cras/billable.csv",
        "admin direction business_manager finance",
    ),
    ("GET", "/accounting", "admin direction finance"),
    (
        "GET",
        "/accounting/trial-balance.csv",
        "admin direction finance",
    ),
    ("GET", "/accounting/ledger", "admin direction finance"),
    ("GET", "/accounting/ledger.csv", "admin direction finance"),
    ("GET", "/accounting/customers", "admin direction finance"),
    (
        "GET",
        "/accounting/customers.csv",
        "admin direction finance",
    ),
    (
        "GET",
        "/accounting/customers/{id}",
        "admin direction finance",
    ),
    (
        "GET",
        "/accounting/customers/{id}/ledger.csv",
        "admin direction finance",
    ),
    ("GET", "/collections", "admin direction finance"),
    (
        "GET",
        "/collections/aged-balance.csv",
        "admin direction finance",
    ),
    (
        "GET",
        "/collections/clients/{id}/statement.pdf",
        "admin direction finance",
    ),
    ("POST", "/accounting/customers/{id}/letter", "admin finance"),
    (
        "GET",
        "/accounting/customers/{id}/selection",
        "admin finance",
    ),
    (
        "POST",
        "/accounting/customers/{id}/letterings/{lettering}/unletter",
        "admin finance",
    ),
    ("GET", "/accounting/journal", "admin direction finance"),
    ("GET", "/accounting/journal.csv", "admin direction finance"),
    ("GET", "/accounting/periods", "admin direction finance"),
    ("POST", "/accounting/periods/close", "admin finance"),
    ("POST", "/accounting/journal/validate", "admin finance"),
    ("GET", "/accounting/fec", "admin direction finance"),
    ("POST", "/accounting/fec", "admin finance"),
    (
        "GET",
        "/accounting/fec/{id}/download",
        "admin direction finance",
    ),
    ("GET", "/accounting/seal", "admin direction finance"),
    ("GET", "/collections/statements", "admin direction finance"),
    ("POST", "/collections/statements", "admin finance"),
    (
        "GET",
        "/collections/statements/{id}",
        "admin direction finance",
    ),
    ("GET", "/collections/matching", "admin direction finance"),
    ("POST", "/collections/matching/{id}/accept", "admin finance"),
    ("POST", "/collections/matching/{id}/ignore", "admin finance"),
    (
        "POST",
        "/collections/matching/{id}/unignore",
        "admin finance",
    ),
    ("POST", "/collections/matching/{id}/post", "admin finance"),
    ("GET", "/collections/payments", "admin direction finance"),
    ("GET", "/collections/payments/new", "admin finance"),
    ("POST", "/collections/payments", "admin finance"),
    (
        "GET",
        "/collections/payments/{id}",
        "admin direction finance",
    ),
    (
        "POST",
        "/collections/payments/{id}/allocate",
        "admin finance",
    ),
    (
        "POST",
        "/collections/payments/{id}/reverse",
        "admin finance",
    ),
    (
        "GET",
        "/collections/bank-accounts",
        "admin direction finance",
    ),
    ("POST", "/collections/bank-accounts", "admin finance"),
    ("POST", "/collections/bank-accounts/{id}", "admin finance"),
    ("GET", "/accounting/ereporting", "admin direction finance"),
    (
        "GET",
        "/accounting/ereporting.csv",
        "admin direction finance",
    ),
    (
        "GET",
        "/accounting/ereporting.json",
        "admin direction finance",
    ),
    (
        "GET",
        "/invoices",
        "admin direction business_manager finance",
    ),
    (
        "GET",
        "/invoices/waiting",
        "admin direction business_manager finance",
    ),
    (
        "GET",
        "/invoices/{id}",
        "admin direction business_manager finance",
    ),
    (
        "GET",
        "/invoices/{id}/pdf",
        "admin direction business_manager finance",
    ),
    (
        "GET",
        "/invoices/{id}/facturx.pdf",
        "admin direction business_manager finance",
    ),
    (
        "GET",
        "/invoices/{id}/facturx.xml",
        "admin direction business_manager finance",
    ),
    ("POST", "/invoices/{id}/issue", "admin finance"),
    ("POST", "/invoices/{id}/release", "admin finance"),
    ("POST", "/invoices/{id}/edit", "admin finance"),
    ("POST", "/invoices/{id}/refresh-terms", "admin finance"),
    ("POST", "/invoices/{id}/credit", "admin finance"),
    ("POST", "/invoices/{id}/lifecycle", "admin finance"),
    ("GET", "/collections/dunning", "admin direction finance"),
    ("POST", "/collections/dunning/settings", "admin finance"),
    ("POST", "/collections/dunning/levels", "admin finance"),
    ("POST", "/collections/dunning/pauses", "admin finance"),
    (
        "POST",
        "/collections/dunning/pauses/{id}/lift",
        "admin finance",
    ),
    ("POST", "/collections/dunning/run", "admin finance"),
    ("POST", "/invoices/{id}/dunning/pause", "admin finance"),
    ("POST", "/invoices/{id}/dunning/resume", "admin finance"),
    ("POST", "/invoices/{id}/redeposit", "admin finance"),
    ("GET", "/portal/invoices", "client_contact"),
    ("GET", "/portal/invoices/{id}/pdf", "client_contact"),
    ("GET", "/portal/invoices/{id}/facturx.pdf", "client_contact"),
    ("GET", "/close", "admin direction business_manager finance"),
    ("POST", "/close", "admin finance"),
    ("GET", "/users", "admin"),
    ("GET", "/users/new", "admin business_manager"),
    ("POST", "/users", "admin business_manager"),
    ("GET", "/users/{id}/edit", "admin"),
    ("POST", "/users/{id}", "admin"),
    ("POST", "/users/{id}/invite", "admin"),
    ("GET", "/invitation/{token}", "all"),
    ("POST", "/invitation/{token}", "all"),
    ("GET", "/invoices/{id}/email", "admin finance"),
    ("POST", "/invoices/{id}/email", "admin finance"),
    (
        "POST",
        "/companies/{id}/invoice-delivery",
        "admin direction business_manager finance",
    ),
    ("GET", "/api/docs", "staff"),
    ("GET", "/api/openapi.json", "all"),
    ("GET", "/api/v1/me", "signed"),
    ("GET", "/api/v1/open-items", "admin direction finance"),
    ("GET", "/api/v1/payments", "admin direction finance"),
    ("POST", "/api/v1/payments", "admin finance"),
    ("GET", "/api/v1/payments/{id}", "admin direction finance"),
    ("POST", "/api/v1/payments/{id}/reverse", "admin finance"),
    ("POST", "/api/v1/bank-lines/{id}/post", "admin finance"),
    ("POST", "/api/v1/ledger/validate", "admin finance"),
    ("GET", "/api/v1/companies", "staff client_contact"),
    (
        "POST",
        "/api/v1/companies",
        "admin direction business_manager finance",
    ),
    ("GET", "/api/v1/companies/{id}", "staff client_contact"),
    (
        "PUT",
        "/api/v1/companies/{id}",
        "admin direction business_manager finance",
    ),
    (
        "PUT",
        "/api/v1/companies/{id}/invoice-delivery",
        "admin direction business_manager finance",
    ),
    (
        "GET",
        "/api/v1/missions/{id}/portfolio",
        "admin direction business_manager delivery_manager finance",
    ),
    ("PUT", "/api/v1/missions/{id}/portfolio", "admin direction"),
    (
        "GET",
        "/api/v1/companies/{id}/portfolio",
        "admin direction business_manager delivery_manager finance",
    ),
    ("PUT", "/api/v1/companies/{id}/portfolio", "admin direction"),
    ("GET", "/api/v1/contacts", "staff client_contact"),
    (
        "POST",
        "/api/v1/contacts",
        "admin direction business_manager delivery_manager finance",
    ),
    ("GET", "/api/v1/contacts/{id}", "staff client_contact"),
    (
        "PUT",
        "/api/v1/contacts/{id}",
        "admin direction business_manager delivery_manager finance",
    ),
    (
        "POST",
        "/api/v1/invoices/{id}/refresh-terms",
        "admin finance",
    ),
    ("PATCH", "/api/v1/invoices/{id}", "admin finance"),
    ("POST", "/api/v1/closes", "admin finance"),
    (
        "GET",
        "/api/v1/closes/{id}",
        "admin direction business_manager finance",
    ),
    (
        "GET",
        "/api/v1/cras",
        "admin direction business_manager delivery_manager finance consultant client_contact",
    ),
    (
        "GET",
        "/api/v1/cras/{id}",
        "admin direction business_manager delivery_manager finance consultant client_contact",
    ),
    ("PUT", "/api/v1/cras/{id}", "consultant"),
    (
        "POST",
        "/api/v1/cras/validate",
        "admin direction business_manager delivery_manager",
    ),
    ("GET", "/api/v1/users", "admin"),
    ("POST", "/api/v1/users", "admin business_manager"),
    ("POST", "/api/v1/users/{id}/invitation", "admin"),
    ("POST", "/api/v1/invoices/{id}/email", "admin finance"),
    ("GET", "/api/v1/users/{id}", "admin"),
    ("PUT", "/api/v1/users/{id}", "admin"),
    ("GET", "/agencies", "admin direction finance"),
    ("POST", "/agencies", "admin direction"),
    ("POST", "/agencies/{id}", "admin direction"),
    (
        "GET",
        "/employees",
        "admin direction finance business_manager delivery_manager",
    ),
    (
        "GET",
        "/employees.csv",
        "admin direction finance business_manager delivery_manager",
    ),
    ("GET", "/employees/new", "admin direction finance"),
    ("POST", "/employees", "admin direction finance"),
    (
        "GET",
        "/employees/{id}",
        "admin direction finance business_manager delivery_manager",
    ),
    ("GET", "/employees/{id}/edit", "admin direction finance"),
    ("POST", "/employees/{id}", "admin direction finance"),
    (
        "POST",
        "/employees/{id}/cost-versions",
        "admin direction finance",
    ),
    (
        "GET",
        "/margins",
        "admin direction finance business_manager delivery_manager",
    ),
    (
        "GET",
        "/margins/export",
        "admin direction finance business_manager delivery_manager",
    ),
    (
        "GET",
        "/margins/detail",
        "admin direction finance business_manager delivery_manager",
    ),
    (
        "GET",
        "/margins/detail/export",
        "admin direction finance business_manager delivery_manager",
    ),
    (
        "GET",
        "/api/v1/margins",
        "admin direction finance business_manager delivery_manager",
    ),
    (
        "GET",
        "/api/v1/missions/{id}/margin",
        "admin direction finance business_manager delivery_manager",
    ),
    (
        "GET",
        "/margins/forecast",
        "admin direction finance business_manager delivery_manager",
    ),
    (
        "GET",
        "/margins/forecast/export",
        "admin direction finance business_manager delivery_manager",
    ),
    (
        "GET",
        "/api/v1/margins/forecast",
        "admin direction finance business_manager delivery_manager",
    ),
    ("GET", "/api/v1/margin-policy", "admin direction finance"),
    ("PUT", "/api/v1/margin-policy", "admin direction finance"),
    (
        "POST",
        "/settings/cjm/margin-policy",
        "admin direction finance",
    ),
    ("GET", "/settings/cjm", "admin direction finance"),
    ("POST", "/settings/cjm", "admin direction finance"),
    ("POST", "/settings/cjm/grades", "admin direction finance"),
    ("POST", "/settings/cjm/lock", "admin direction finance"),
    ("GET", "/api/v1/margin-lock", "admin direction finance"),
    ("PUT", "/api/v1/margin-lock", "admin direction finance"),
    ("GET", "/api/v1/agencies", "admin direction finance"),
    ("POST", "/api/v1/agencies", "admin direction"),
    ("PUT", "/api/v1/agencies/{id}", "admin direction"),
    (
        "GET",
        "/api/v1/employees",
        "admin direction finance business_manager delivery_manager",
    ),
    ("POST", "/api/v1/employees", "admin direction finance"),
    (
        "GET",
        "/api/v1/employees/{id}",
        "admin direction finance business_manager delivery_manager",
    ),
    ("PUT", "/api/v1/employees/{id}", "admin direction finance"),
    (
        "GET",
        "/api/v1/employees/{id}/cost-versions",
        "admin direction finance",
    ),
    (
        "POST",
        "/api/v1/employees/{id}/cost-versions",
        "admin direction finance",
    ),
];

fn allowed(rule: &str, role: Option<Role>) -> bool {
    rule.split_whitespace().any(|w| match (w, role) {
        ("all", _) => true,
        ("signed", Some(_)) => true,
        ("staff", Some(r)) => r.is_internal_staff(),
        (name, Some(r)) => r.as_str() == name,
        _ => false,
    })
}

#[test]
fn every_route_has_a_line() {
    let specs = web::router::routes().specs;
    let mut served: Vec<(String, String)> = specs
        .iter()
        .map(|s| (s.method.to_string(), s.path.clone()))
        .collect();
    let mut listed: Vec<(String, String)> = POLICY
        .iter()
        .map(|(m, p, _)| (m.to_string(), p.to_string()))
        .collect();
    served.sort();
    listed.sort();
    assert_eq!(served, listed, "the policy table and the router disagree");
    // The table is also checked against each route's declared need.
    for s in &specs {
        let rule = POLICY
            .iter()
            .find(|(m, p, _)| *m == s.method.as_str() && *p == s.path)
            .unwrap()
            .2;
        for role in Role::ALL {
            let declared = match s.need {
                Need::Public | Need::SignedIn => true,
                Need::Perm(p) => web::authz::allows(role, p),
            };
            assert_eq!(
                declared,
                allowed(rule, Some(role)),
                "{} {} for {role}",
                s.method,
                s.path
            );
        }
        assert_eq!(
            s.need == Need::Public,
            allowed(rule, None),
            "{} {} anonymous",
            s.method,
            s.path
        );
    }
}

async fn concrete_path(t: &TestApp, path: &str, role: Option<Role>) -> String {
    let id = if path.starts_with("/companies")
        || path.starts_with("/api/v1/companies")
        || path.starts_with("/accounting/customers")
        || path.starts_with("/collections/clients")
    {
        t.clientis.to_string()
    } else if path.starts_with("/contacts") || path.starts_with("/api/v1/contacts") {
        t.clientis_contact.to_string()
    } else if path.starts_with("/contracts") {
        t.clientis_contract.to_string()
    } else if path.starts_with("/cras") || path.starts_with("/api/v1/cras") {
        t.camille_cra.to_string()
    } else if path.starts_with("/documents") {
        t.camille_order.to_string()
    } else if path.starts_with("/missions")
        || path.starts_with("/api/v1/missions")
        || path.starts_with("/renewals")
    {
        t.camille_mission.to_string()
    } else if path.starts_with("/invoices") || path.starts_with("/api/v1/invoices") {
        // Camille's first month, issued: every action the walk posts on it
        // (issue, release, an empty credit note, an edit) is refused in
        // words, so the walk changes no figure; only the resending by
        // e-mail, allowed on an issued invoice, queues e-mails (as the
        // users API, posted to, queues invitations).
        let mut tx = t.db.read().await.unwrap();
        let list = store::invoicing::read::list(&mut tx, &Default::default(), 10)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        list.last().expect("the demo's invoices").id.to_string()
    } else if path.starts_with("/users") || path.starts_with("/api/v1/users") {
        t.camille.to_string()
    } else if path.starts_with("/account/tokens") {
        // The role's own token, so an allowed revoke really succeeds.
        match role {
            Some(r) => {
                let user = t.user_id(r).await;
                let mut tx = t.db.begin().await.unwrap();
                let (tok, _) =
                    store::api_tokens::create(&mut tx, &store::Actor::system("test"), user, "walk")
                        .await
                        .unwrap();
                tx.commit().await.unwrap();
                tok.id.to_string()
            }
            None => uuid_nil(),
        }
    } else {
        uuid_nil()
    };
    path.replace("{id}", &id)
}

fn uuid_nil() -> String {
    "00000000-0000-0000-0000-000000000000".into()
}

/// Sends one request as `role` and says whether the policy let it through.
async fn passes(t: &TestApp, method: &str, path: &str, role: Option<Role>) -> (bool, StatusCode) {
    let path = concrete_path(t, path, role).await;
    if path.starts_with("/api/v1") {
        let token = match role {
            Some(r) => Some(t.token(r).await),
            None => None,
        };
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        // An empty object is refused by validation, never by the policy,
        // so nothing is changed by the walk.
        let body = (method != Method::GET).then_some("{}");
        let r = t.api(method, &path, token.as_deref(), body).await;
        let denied = matches!(r.status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN);
        if denied {
            assert_eq!(r.content_type(), "application/problem+json", "{path}");
        }
        return (!denied, r.status);
    }
    let browser = t.browser(role).await;
    let r = if method == "GET" {
        t.get(&path, Some(&browser)).await
    } else {
        t.post_form(&path, &browser, &[]).await
    };
    let to_login = r.status == StatusCode::SEE_OTHER && r.location().starts_with("/login");
    let denied = r.status == StatusCode::FORBIDDEN || (role.is_none() && to_login);
    assert_ne!(
        r.status,
        StatusCode::INTERNAL_SERVER_ERROR,
        "{method} {path} as {role:?}: {}",
        r.body
    );
    (!denied, r.status)
}

#[tokio::test]
async fn every_route_for_every_role() {
    on_each_backend(|t| async move {
        let mut failures = Vec::new();
        for (method, path, rule) in POLICY {
            for role in Role::ALL.into_iter().map(Some).chain([None]) {
                let expected = allowed(rule, role);
                let (got, status) = passes(&t, method, path, role).await;
                if got != expected {
                    failures.push(format!(
                        "{method} {path} as {role:?}: expected {expected}, got HTTP {status}"
                    ));
                }
            }
        }
        assert!(
            failures.is_empty(),
            "policy violations:\n{}",
            failures.join("\n")
        );
    })
    .await;
}

/// The lines of the walk whose records a business manager's scope bounds:
/// read routes of one company, contact, contract, report, document,
/// mission or invoice (the walk fills them with the demo's, all of the
/// demo's business manager's portfolio).
fn portfolio_scoped(method: &str, path: &str, rule: &str) -> bool {
    const SCOPED: [&str; 11] = [
        "/companies/",
        "/api/v1/companies/",
        "/contacts/",
        "/api/v1/contacts/",
        "/contracts/",
        "/cras/",
        "/api/v1/cras/",
        "/documents/",
        "/missions/",
        "/api/v1/missions/",
        "/invoices/",
    ];
    method == "GET"
        && path.matches('{').count() == 1
        && path.contains("{id}")
        && allowed(rule, Some(Role::BusinessManager))
        && SCOPED.iter().any(|p| path.starts_with(p))
}

/// The walk as a second business manager, who holds none of the demo's
/// missions: every scoped record is not found (404), as any record out of
/// scope, in pages and the API, while the demo's manager opens them; the
/// lists leave them out; a company he creates he still sees.
#[tokio::test]
async fn a_business_manager_sees_only_his_portfolio() {
    on_each_backend(|t| async move {
        let owner = t.user_id(Role::BusinessManager).await;
        let actor = store::Actor::system("test");
        let mut tx = t.db.begin().await.unwrap();
        let data = domain::user::UserInput {
            email: "zoe.autre@stafforia.example".into(),
            display_name: "Zoé Autre".into(),
            role: "business_manager".into(),
            password: fixtures::build::PASSWORD.into(),
            ..Default::default()
        }
        .validate(true)
        .unwrap();
        let zoe = store::users::create(&mut tx, &actor, &data).await.unwrap();
        let (_, zoe_token) = store::api_tokens::create(&mut tx, &actor, zoe.id, "walk")
            .await
            .unwrap();
        let (_, owner_token) = store::api_tokens::create(&mut tx, &actor, owner, "walk")
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let zoe_browser = t.browser_of(Some(zoe.id)).await;
        let owner_browser = t.browser_of(Some(owner)).await;

        let mut failures = Vec::new();
        let mut checked = 0;
        for (method, path, rule) in POLICY {
            if !portfolio_scoped(method, path, rule) {
                continue;
            }
            checked += 1;
            let path = concrete_path(&t, path, Some(Role::BusinessManager)).await;
            let (mine, theirs) = if path.starts_with("/api/v1") {
                (
                    t.api(Method::GET, &path, Some(&owner_token), None).await,
                    t.api(Method::GET, &path, Some(&zoe_token), None).await,
                )
            } else {
                (
                    t.get(&path, Some(&owner_browser)).await,
                    t.get(&path, Some(&zoe_browser)).await,
                )
            };
            if matches!(
                mine.status,
                StatusCode::NOT_FOUND | StatusCode::FORBIDDEN | StatusCode::INTERNAL_SERVER_ERROR
            ) {
                failures.push(format!("GET {path} as its manager: HTTP {}", mine.status));
            }
            if theirs.status != StatusCode::NOT_FOUND {
                failures.push(format!(
                    "GET {path} as another manager: HTTP {}, not 404",
                    theirs.status
                ));
            }
        }
        assert!(checked >= 20, "only {checked} scoped lines");
        assert!(failures.is_empty(), "{}", failures.join("\n"));

        // Lists leave the demo's records out, in pages and the API.
        let clientis = t.clientis.to_string();
        let mission = t.camille_mission.to_string();
        let contact = t.clientis_contact.to_string();
        let cra = t.camille_cra.to_string();
        let invoice = concrete_path(&t, "/invoices/{id}", None).await;
        for (path, absent) in [
            ("/missions", mission.as_str()),
            ("/companies", clientis.as_str()),
            ("/contacts", contact.as_str()),
            ("/cras", cra.as_str()),
            ("/invoices", invoice.as_str()),
            ("/renewals", mission.as_str()),
        ] {
            let theirs = t.get(path, Some(&zoe_browser)).await;
            assert_eq!(theirs.status, StatusCode::OK, "{path}");
            assert!(!theirs.body.contains(absent), "{path} shows {absent}");
        }
        let mine = t.get("/missions", Some(&owner_browser)).await;
        assert!(mine.body.contains(&mission));
        let mine = t.get("/invoices", Some(&owner_browser)).await;
        assert!(mine.body.contains(&invoice), "the manager's invoice list");
        for (path, absent) in [
            ("/api/v1/companies", clientis.as_str()),
            ("/api/v1/contacts", contact.as_str()),
            ("/api/v1/cras", cra.as_str()),
        ] {
            let theirs = t.api(Method::GET, path, Some(&zoe_token), None).await;
            assert_eq!(theirs.status, StatusCode::OK, "{path}");
            assert!(!theirs.body.contains(absent), "{path} shows {absent}");
            let mine = t.api(Method::GET, path, Some(&owner_token), None).await;
            assert!(mine.body.contains(absent), "{path} as its manager");
        }

        // A company she creates is her account: she opens it, he does not.
        let created = t
            .api(
                Method::POST,
                "/api/v1/companies",
                Some(&zoe_token),
                Some(r#"{"name":"Nouvelle Banque","kind":"prospect","country":"FR"}"#),
            )
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        let id = created.json()["id"].as_str().unwrap().to_owned();
        let path = format!("/api/v1/companies/{id}");
        let r = t.api(Method::GET, &path, Some(&zoe_token), None).await;
        assert_eq!(r.status, StatusCode::OK);
        let r = t.api(Method::GET, &path, Some(&owner_token), None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = t
            .api(
                Method::GET,
                &format!("{path}/portfolio"),
                Some(&zoe_token),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(
            r.json()["current_business_manager_id"],
            zoe.id.to_string(),
            "{}",
            r.body
        );
    })
    .await;
}
