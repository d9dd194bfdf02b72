//! Every route, in one list. Each line declares the permission it needs; the
//! authorization layer is attached from that line, the OpenAPI document is
//! built from the API lines, and the route × role test walks the same list,
//! so no route can exist without its rule.

use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::handler::Handler;
use axum::http::Method;
use axum::routing::{MethodFilter, MethodRouter, on};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::trace::TraceLayer;
use utoipa::openapi::OpenApi;
use utoipa_axum::router::UtoipaMethodRouter;
use utoipa_axum::routes;

use crate::authz::{Need, Permission::*};
use crate::{AppState, api, authz, csrf, ctx, ops, pages};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteSpec {
    pub method: Method,
    pub path: String,
    pub need: Need,
}

pub struct Routes {
    router: Router<AppState>,
    pub specs: Vec<RouteSpec>,
    pub openapi: OpenApi,
}

fn filter(m: &Method) -> MethodFilter {
    MethodFilter::try_from(m.clone()).expect("standard method")
}

impl Routes {
    fn new() -> Self {
        Routes {
            router: Router::new(),
            specs: Vec::new(),
            openapi: api::openapi_base(),
        }
    }

    fn guard(need: Need, mr: MethodRouter<AppState>) -> MethodRouter<AppState> {
        mr.route_layer(axum::middleware::from_fn(move |req, next| {
            authz::require(need, req, next)
        }))
    }

    fn page<H, T>(mut self, method: Method, path: &str, need: Need, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.router = self
            .router
            .route(path, Self::guard(need, on(filter(&method), handler)));
        self.specs.push(RouteSpec {
            method,
            path: path.to_string(),
            need,
        });
        self
    }

    fn get<H: Handler<T, AppState>, T: 'static>(self, path: &str, need: Need, h: H) -> Self {
        self.page(Method::GET, path, need, h)
    }

    fn post<H: Handler<T, AppState>, T: 'static>(self, path: &str, need: Need, h: H) -> Self {
        self.page(Method::POST, path, need, h)
    }

    /// A page receiving a file: its body may exceed the general limit, up
    /// to what the handler checks itself (so it can say "too large" in words).
    fn upload<H: Handler<T, AppState>, T: 'static>(
        mut self,
        path: &str,
        need: Need,
        handler: H,
    ) -> Self {
        let limit = domain::esign::MAX_SCAN_BYTES * 2;
        let mr = on(MethodFilter::POST, handler).layer(DefaultBodyLimit::max(limit));
        self.router = self.router.route(path, Self::guard(need, mr));
        self.specs.push(RouteSpec {
            method: Method::POST,
            path: path.to_string(),
            need,
        });
        self
    }

    /// An API route: its path and method come from the handler's
    /// `#[utoipa::path]`, which also documents it.
    fn api(mut self, need: Need, (schemas, mut paths, mr): UtoipaMethodRouter<AppState>) -> Self {
        for item in paths.paths.values_mut() {
            let permission = matches!(need, Perm(_));
            for (op, writes) in [
                (&mut item.get, false),
                (&mut item.post, true),
                (&mut item.put, true),
                (&mut item.patch, true),
                (&mut item.delete, true),
            ] {
                if let Some(op) = op {
                    let shape = api::refusals::Shape::of(op, permission, writes);
                    api::refusals::document(op, shape);
                }
            }
        }
        for (path, item) in paths.paths.iter() {
            let methods: Vec<Method> = [
                (Method::GET, item.get.is_some()),
                (Method::POST, item.post.is_some()),
                (Method::PUT, item.put.is_some()),
                (Method::PATCH, item.patch.is_some()),
                (Method::DELETE, item.delete.is_some()),
            ]
            .into_iter()
            .filter_map(|(m, present)| present.then_some(m))
            .collect();
            for m in methods {
                self.specs.push(RouteSpec {
                    method: m,
                    path: path.clone(),
                    need,
                });
            }
            self.router = self.router.route(path, Self::guard(need, mr.clone()));
        }
        self.openapi.paths.merge(paths);
        let components = self.openapi.components.get_or_insert_with(Default::default);
        components.schemas.extend(schemas);
        self
    }
}

use Need::{Perm, Public, SignedIn};

/// The route table.
pub fn routes() -> Routes {
    Routes::new()
        // Operations and assets
        .get("/healthz", Public, ops::healthz)
        .get("/readyz", Public, ops::readyz)
        .get("/static/app.css", Public, ops::css)
        .get("/static/htmx.min.js", Public, ops::htmx)
        .get("/static/app.js", Public, ops::app_js)
        .get("/favicon.ico", Public, ops::favicon)
        // Sign-in and the user's own account
        .get("/login", Public, pages::login::form)
        .post("/login", Public, pages::login::submit)
        .post("/logout", SignedIn, pages::login::logout)
        .post("/locale", Public, pages::account::set_locale)
        .get("/", SignedIn, pages::home::show)
        .get("/account", SignedIn, pages::account::show)
        .post(
            "/account/password",
            SignedIn,
            pages::account::change_password,
        )
        .post("/account/tokens", SignedIn, pages::account::create_token)
        .post(
            "/account/tokens/{id}/revoke",
            SignedIn,
            pages::account::revoke_token,
        )
        // Companies
        .get("/companies", Perm(BrowseDirectory), pages::companies::list)
        .get(
            "/companies/options",
            Perm(ViewCompanies),
            pages::companies::options,
        )
        .get("/companies/new", Perm(EditCompanies), pages::companies::new)
        .post("/companies", Perm(EditCompanies), pages::companies::create)
        .get(
            "/companies/{id}",
            Perm(ViewCompanies),
            pages::companies::show,
        )
        .get(
            "/companies/{id}/edit",
            Perm(EditCompanies),
            pages::companies::edit,
        )
        .post(
            "/companies/{id}",
            Perm(EditCompanies),
            pages::companies::update,
        )
        // Contacts
        .get("/contacts", Perm(BrowseDirectory), pages::contacts::list)
        .get("/contacts/new", Perm(EditContacts), pages::contacts::new)
        .post("/contacts", Perm(EditContacts), pages::contacts::create)
        .get(
            "/contacts/{id}/edit",
            Perm(EditContacts),
            pages::contacts::edit,
        )
        .post(
            "/contacts/{id}",
            Perm(EditContacts),
            pages::contacts::update,
        )
        // Missions, amendments, renewals
        .get("/missions", Perm(ViewMissions), pages::missions::list)
        .get("/missions/new", Perm(EditMissions), pages::missions::new)
        .post("/missions", Perm(EditMissions), pages::missions::create)
        .get("/missions/{id}", Perm(ViewMissions), pages::missions::show)
        .get(
            "/missions/{id}/portfolio",
            Perm(ViewPortfolio),
            pages::portfolio::show,
        )
        .post(
            "/missions/{id}/portfolio",
            Perm(EditPortfolio),
            pages::portfolio::save,
        )
        .get(
            "/companies/{id}/portfolio",
            Perm(ViewPortfolio),
            pages::portfolio::company_show,
        )
        .post(
            "/companies/{id}/portfolio",
            Perm(EditPortfolio),
            pages::portfolio::company_save,
        )
        .get(
            "/missions/{id}/edit",
            Perm(EditMissions),
            pages::missions::edit,
        )
        .post(
            "/missions/{id}",
            Perm(EditMissions),
            pages::missions::update,
        )
        .post(
            "/missions/{id}/amendments",
            Perm(EditMissions),
            pages::missions::amend,
        )
        .post(
            "/missions/{id}/contract",
            Perm(EditMissions),
            pages::contracts::attach,
        )
        .post(
            "/companies/{id}/contracts",
            Perm(ManageContracts),
            pages::contracts::create,
        )
        .post(
            "/contracts/{id}/status",
            Perm(ManageContracts),
            pages::contracts::set_status,
        )
        .post(
            "/contracts/{id}/invoicing",
            Perm(ManageContracts),
            pages::contracts::set_invoicing,
        )
        .upload(
            "/contracts/{id}/paper",
            Perm(ManageContracts),
            pages::contracts::signed_on_paper,
        )
        // Activity reports (CRA)
        .get("/cras", Perm(ViewCras), pages::cras::list)
        .post("/cras/open", Perm(EnterCra), pages::cras::open)
        .post(
            "/cras/validate",
            Perm(ValidateCras),
            pages::cras::validate_many,
        )
        .get("/cras/{id}", Perm(ViewCras), pages::cras::show)
        .post("/cras/{id}", Perm(EnterCra), pages::cras::save)
        .post(
            "/cras/{id}/client-validate",
            Perm(ClientValidateCras),
            pages::cras::client_validate,
        )
        .post(
            "/cras/{id}/client-reject",
            Perm(ClientValidateCras),
            pages::cras::reject,
        )
        .post(
            "/cras/{id}/validate",
            Perm(ValidateCras),
            pages::cras::validate_one,
        )
        .post("/cras/{id}/reject", Perm(ValidateCras), pages::cras::reject)
        .post("/cras/{id}/reopen", Perm(ValidateCras), pages::cras::reopen)
        .upload(
            "/cras/{id}/attachments",
            Perm(EnterCra),
            pages::cras::upload,
        )
        .get(
            "/cras/{id}/attachments/{attachment}",
            Perm(ViewCras),
            pages::cras::attachment,
        )
        // Documents and electronic signature
        .get("/documents", Perm(ViewDocuments), pages::documents::list)
        .get(
            "/documents/{id}",
            Perm(ViewDocuments),
            pages::documents::show,
        )
        .get(
            "/documents/{id}/pdf",
            Perm(ViewDocuments),
            pages::documents::original,
        )
        .get(
            "/documents/{id}/signed.pdf",
            Perm(ViewDocuments),
            pages::documents::signed,
        )
        .get(
            "/documents/{id}/certificate.pdf",
            Perm(ViewDocuments),
            pages::documents::certificate,
        )
        .post(
            "/documents/{id}/remind",
            Perm(ViewDocuments),
            pages::documents::remind,
        )
        .post(
            "/documents/{id}/cancel",
            Perm(ManageDocuments),
            pages::documents::cancel,
        )
        .get(
            "/missions/{id}/mission-order/new",
            Perm(EditMissions),
            pages::documents::send_form_page::<domain::ids::MissionId>,
        )
        .get(
            "/missions/{id}/mission-order/preview.pdf",
            Perm(EditMissions),
            pages::documents::mission_order_preview,
        )
        .post(
            "/missions/{id}/mission-order",
            Perm(EditMissions),
            pages::documents::send_submit::<domain::ids::MissionId>,
        )
        .get(
            "/contracts/{id}/esign/new",
            Perm(ManageContracts),
            pages::documents::send_form_page::<domain::ids::ContractId>,
        )
        .post(
            "/contracts/{id}/esign",
            Perm(ManageContracts),
            pages::documents::send_submit::<domain::ids::ContractId>,
        )
        .get(
            "/amendments/{id}/esign/new",
            Perm(EditMissions),
            pages::documents::send_form_page::<domain::ids::AmendmentId>,
        )
        .post(
            "/amendments/{id}/esign",
            Perm(EditMissions),
            pages::documents::send_submit::<domain::ids::AmendmentId>,
        )
        .get("/sign/{token}", Public, pages::signing::show)
        .get(
            "/sign/{token}/document.pdf",
            Public,
            pages::signing::document,
        )
        .post("/sign/{token}", Public, pages::signing::decide)
        .get(
            "/settings/mission-order",
            Perm(ManageTemplates),
            pages::templates::edit,
        )
        .post(
            "/settings/mission-order",
            Perm(ManageTemplates),
            pages::templates::save,
        )
        .get(
            "/settings/mission-order/preview.pdf",
            Perm(ManageTemplates),
            pages::templates::preview,
        )
        // Opportunities (the CRM)
        .get(
            "/opportunities",
            Perm(ViewOpportunities),
            pages::opportunities::list,
        )
        .get(
            "/opportunities/kanban",
            Perm(ViewOpportunities),
            pages::opportunities::kanban,
        )
        .post(
            "/opportunities/views",
            Perm(ViewOpportunities),
            pages::opportunities::views::create,
        )
        .post(
            "/opportunities/views/{id}",
            Perm(ViewOpportunities),
            pages::opportunities::views::update,
        )
        .post(
            "/opportunities/views/{id}/delete",
            Perm(ViewOpportunities),
            pages::opportunities::views::delete,
        )
        .get(
            "/opportunities/pipeline",
            Perm(ViewOpportunities),
            pages::opportunities::pipeline::page,
        )
        .get(
            "/opportunities/pipeline/export",
            Perm(ViewOpportunities),
            pages::opportunities::pipeline::export,
        )
        .get(
            "/opportunities/foisonnement",
            Perm(ViewOpportunities),
            pages::opportunities::foisonnement::page,
        )
        .get(
            "/opportunities/foisonnement/export",
            Perm(ViewOpportunities),
            pages::opportunities::foisonnement::export,
        )
        .get(
            "/companies/{id}/account-map",
            Perm(ViewOpportunities),
            pages::opportunities::account_map::page,
        )
        // The account plan of a key account: read like the account map,
        // written by the commercial staff.
        .get(
            "/companies/{id}/account-plan",
            Perm(ViewOpportunities),
            pages::opportunities::account_plan::page,
        )
        .post(
            "/companies/{id}/account-plan/domains",
            Perm(EditOpportunities),
            pages::opportunities::account_plan::create_domain,
        )
        .post(
            "/companies/{id}/account-plan/domains/{domain_id}",
            Perm(EditOpportunities),
            pages::opportunities::account_plan::update_domain,
        )
        .post(
            "/companies/{id}/account-plan/stakeholders",
            Perm(EditOpportunities),
            pages::opportunities::account_plan::set_stakeholder,
        )
        .post(
            "/companies/{id}/account-plan/targets",
            Perm(EditOpportunities),
            pages::opportunities::account_plan::set_target,
        )
        .get(
            "/opportunities/new",
            Perm(EditOpportunities),
            pages::opportunities::new,
        )
        .post(
            "/opportunities",
            Perm(EditOpportunities),
            pages::opportunities::create,
        )
        .get(
            "/opportunities/{id}",
            Perm(ViewOpportunities),
            pages::opportunities::show,
        )
        .get(
            "/opportunities/{id}/edit",
            Perm(EditOpportunities),
            pages::opportunities::edit,
        )
        .post(
            "/opportunities/{id}",
            Perm(EditOpportunities),
            pages::opportunities::update,
        )
        .post(
            "/opportunities/{id}/stage",
            Perm(EditOpportunities),
            pages::opportunities::stage,
        )
        .post(
            "/opportunities/{id}/win",
            Perm(EditOpportunities),
            pages::opportunities::win,
        )
        .post(
            "/opportunities/{id}/positionings",
            Perm(EditOpportunities),
            pages::opportunities::position,
        )
        .post(
            "/opportunities/{id}/positionings/{positioning}/answer",
            Perm(EditOpportunities),
            pages::opportunities::answer,
        )
        .post(
            "/missions/{id}/renewal-opportunity",
            Perm(EditOpportunities),
            pages::opportunities::renewal,
        )
        // Follow-up meetings (RDV de suivi), with the opportunities' rights
        .get("/meetings", Perm(ViewOpportunities), pages::meetings::list)
        .get(
            "/meetings/new",
            Perm(EditOpportunities),
            pages::meetings::new,
        )
        .post(
            "/meetings",
            Perm(EditOpportunities),
            pages::meetings::create,
        )
        .get(
            "/meetings/{id}",
            Perm(ViewOpportunities),
            pages::meetings::show,
        )
        .get(
            "/meetings/{id}/edit",
            Perm(EditOpportunities),
            pages::meetings::edit,
        )
        .post(
            "/meetings/{id}",
            Perm(EditOpportunities),
            pages::meetings::update,
        )
        .post(
            "/meetings/{id}/hold",
            Perm(EditOpportunities),
            pages::meetings::hold,
        )
        .post(
            "/meetings/{id}/cancel",
            Perm(EditOpportunities),
            pages::meetings::cancel,
        )
        .post(
            "/meetings/{id}/child-opportunity",
            Perm(EditOpportunities),
            pages::meetings::child_opportunity,
        )
        .post(
            "/meetings/{id}/tasks",
            Perm(EditOpportunities),
            pages::meetings::task,
        )
        // Activities (calls, meetings, e-mails, tasks) and the day's
        .get("/my-day", Perm(LogActivities), pages::activities::my_day)
        .get(
            "/activities",
            Perm(ViewOpportunities),
            pages::activities::list,
        )
        .get(
            "/activities/new",
            Perm(LogActivities),
            pages::activities::new,
        )
        .post(
            "/activities",
            Perm(LogActivities),
            pages::activities::create,
        )
        .get(
            "/activities/{id}/edit",
            Perm(LogActivities),
            pages::activities::edit,
        )
        .post(
            "/activities/{id}",
            Perm(LogActivities),
            pages::activities::update,
        )
        .post(
            "/activities/{id}/done",
            Perm(LogActivities),
            pages::activities::done,
        )
        .post(
            "/activities/{id}/reopen",
            Perm(LogActivities),
            pages::activities::reopen,
        )
        .get("/renewals", Perm(ViewRenewals), pages::renewals::list)
        .post(
            "/renewals/{id}/status",
            Perm(EditMissions),
            pages::renewals::set_status,
        )
        .post(
            "/renewals/{id}/renew",
            Perm(EditMissions),
            pages::renewals::renew,
        )
        .post("/tasks/{id}/done", SignedIn, pages::jobs::complete_task)
        .get("/jobs", Perm(ManageJobs), pages::jobs::list)
        .post("/jobs/{id}/retry", Perm(ManageJobs), pages::jobs::retry)
        // Leave
        .get("/leave", Perm(RequestLeave), pages::leave::mine)
        .post("/leave", Perm(RequestLeave), pages::leave::create)
        .post(
            "/leave/{id}/cancel",
            Perm(RequestLeave),
            pages::leave::cancel,
        )
        .get("/leave/team", Perm(ApproveLeave), pages::leave::team)
        .post(
            "/leave/{id}/approve",
            Perm(ApproveLeave),
            pages::leave::approve,
        )
        .post(
            "/leave/{id}/refuse",
            Perm(ApproveLeave),
            pages::leave::refuse,
        )
        .get(
            "/settings/leave",
            Perm(ManageLeaveSettings),
            pages::leave::settings,
        )
        .post(
            "/settings/leave/types",
            Perm(ManageLeaveSettings),
            pages::leave::save_type,
        )
        .post(
            "/settings/leave/allowances",
            Perm(ManageLeaveSettings),
            pages::leave::save_allowance,
        )
        .post(
            "/settings/leave/patterns",
            Perm(ManageLeaveSettings),
            pages::leave::save_pattern,
        )
        // Activity reports: late and billable
        .get("/cras/late", Perm(ViewLateCras), pages::cra_reports::late)
        .get(
            "/cras/billable",
            Perm(ViewBillable),
            pages::cra_reports::billable,
        )
        .get(
            "/cras/billable.csv",
            Perm(ViewBillable),
            pages::cra_reports::billable_csv,
        )
        // Accounting
        .get(
            "/accounting",
            Perm(ViewAccounting),
            pages::accounting::trial_balance,
        )
        .get(
            "/accounting/trial-balance.csv",
            Perm(ViewAccounting),
            pages::accounting::trial_balance_csv,
        )
        .get(
            "/accounting/ledger",
            Perm(ViewAccounting),
            pages::accounting::ledger::show,
        )
        .get(
            "/accounting/ledger.csv",
            Perm(ViewAccounting),
            pages::accounting::ledger::csv,
        )
        .get(
            "/accounting/customers",
            Perm(ViewAccounting),
            pages::accounting::customers::list,
        )
        .get(
            "/accounting/customers.csv",
            Perm(ViewAccounting),
            pages::accounting::customers::list_csv,
        )
        .get(
            "/accounting/customers/{id}",
            Perm(ViewAccounting),
            pages::accounting::customers::show,
        )
        .get(
            "/accounting/customers/{id}/ledger.csv",
            Perm(ViewAccounting),
            pages::accounting::customers::show_csv,
        )
        .post(
            "/accounting/customers/{id}/letter",
            Perm(ManageCollections),
            pages::accounting::customers::letter,
        )
        .get(
            "/accounting/customers/{id}/selection",
            Perm(ManageCollections),
            pages::accounting::customers::selection,
        )
        .post(
            "/accounting/customers/{id}/letterings/{lettering}/unletter",
            Perm(ManageCollections),
            pages::accounting::customers::unletter,
        )
        .get(
            "/accounting/journal",
            Perm(ViewAccounting),
            pages::accounting::journal,
        )
        .post(
            "/accounting/journal/validate",
            Perm(ManageAccounting),
            pages::accounting::validate_journal,
        )
        .get(
            "/accounting/journal.csv",
            Perm(ViewAccounting),
            pages::accounting::journal_csv,
        )
        .get(
            "/accounting/periods",
            Perm(ViewAccounting),
            pages::accounting::periods,
        )
        .post(
            "/accounting/periods/close",
            Perm(ManageAccounting),
            pages::accounting::close,
        )
        .get(
            "/accounting/fec",
            Perm(ViewAccounting),
            pages::accounting::fec::show,
        )
        .post(
            "/accounting/fec",
            Perm(ManageAccounting),
            pages::accounting::fec::request,
        )
        .get(
            "/accounting/fec/{id}/download",
            Perm(ViewAccounting),
            pages::accounting::fec::download,
        )
        .get(
            "/accounting/seal",
            Perm(ViewAccounting),
            pages::accounting::seal::show,
        )
        // Collections: bank statements and matching
        .get(
            "/collections/statements",
            Perm(ViewCollections),
            pages::statements::list,
        )
        .upload(
            "/collections/statements",
            Perm(ManageCollections),
            pages::statements::upload,
        )
        .get(
            "/collections/statements/{id}",
            Perm(ViewCollections),
            pages::statements::show,
        )
        .get(
            "/collections/matching",
            Perm(ViewCollections),
            pages::statements::matching,
        )
        .post(
            "/collections/matching/{id}/accept",
            Perm(ManageCollections),
            pages::statements::accept,
        )
        .post(
            "/collections/matching/{id}/ignore",
            Perm(ManageCollections),
            pages::statements::ignore,
        )
        .post(
            "/collections/matching/{id}/unignore",
            Perm(ManageCollections),
            pages::statements::unignore,
        )
        .post(
            "/collections/matching/{id}/post",
            Perm(ManageCollections),
            pages::statements::post_line,
        )
        // Invoicing
        .get(
            "/accounting/ereporting",
            Perm(ViewAccounting),
            pages::accounting::ereporting::show,
        )
        .get(
            "/accounting/ereporting.csv",
            Perm(ViewAccounting),
            pages::accounting::ereporting::csv,
        )
        .get(
            "/accounting/ereporting.json",
            Perm(ViewAccounting),
            pages::accounting::ereporting::json,
        )
        // Collections: receivables reporting
        .get(
            "/collections",
            Perm(ViewCollections),
            pages::receivables::dashboard,
        )
        .get(
            "/collections/aged-balance.csv",
            Perm(ViewCollections),
            pages::receivables::aged_csv,
        )
        .get(
            "/collections/clients/{id}/statement.pdf",
            Perm(ViewCollections),
            pages::receivables::statement_pdf,
        )
        // Collections
        .get(
            "/collections/payments",
            Perm(ViewCollections),
            pages::payments::list,
        )
        .get(
            "/collections/payments/new",
            Perm(ManageCollections),
            pages::payments::new,
        )
        .post(
            "/collections/payments",
            Perm(ManageCollections),
            pages::payments::create,
        )
        .get(
            "/collections/payments/{id}",
            Perm(ViewCollections),
            pages::payments::show,
        )
        .post(
            "/collections/payments/{id}/allocate",
            Perm(ManageCollections),
            pages::payments::allocate,
        )
        .post(
            "/collections/payments/{id}/reverse",
            Perm(ManageCollections),
            pages::payments::reverse,
        )
        .get(
            "/collections/bank-accounts",
            Perm(ViewCollections),
            pages::bank_accounts::list,
        )
        .post(
            "/collections/bank-accounts",
            Perm(ManageCollections),
            pages::bank_accounts::create,
        )
        .post(
            "/collections/bank-accounts/{id}",
            Perm(ManageCollections),
            pages::bank_accounts::update,
        )
        .get("/invoices", Perm(ViewInvoices), pages::invoices::list)
        .get(
            "/invoices/waiting",
            Perm(ViewInvoices),
            pages::invoices::waiting,
        )
        .get(
            "/invoices/{id}",
            Perm(ViewInvoices),
            pages::invoices::show::show,
        )
        .get(
            "/invoices/{id}/pdf",
            Perm(ViewInvoices),
            pages::invoices::show::pdf,
        )
        .get(
            "/invoices/{id}/facturx.pdf",
            Perm(ViewInvoices),
            pages::invoices::facturx::pdf,
        )
        .get(
            "/invoices/{id}/facturx.xml",
            Perm(ViewInvoices),
            pages::invoices::facturx::xml,
        )
        .post(
            "/invoices/{id}/issue",
            Perm(ManageInvoices),
            pages::invoices::show::issue,
        )
        .post(
            "/invoices/{id}/release",
            Perm(ManageInvoices),
            pages::invoices::show::release,
        )
        .post(
            "/invoices/{id}/edit",
            Perm(ManageInvoices),
            pages::invoices::edit::edit,
        )
        .post(
            "/invoices/{id}/refresh-terms",
            Perm(ManageInvoices),
            pages::invoices::show::refresh_terms,
        )
        .post(
            "/invoices/{id}/credit",
            Perm(ManageInvoices),
            pages::invoices::credit::credit,
        )
        .post(
            "/invoices/{id}/lifecycle",
            Perm(ManageInvoices),
            pages::invoices::lifecycle::record,
        )
        .post(
            "/invoices/{id}/redeposit",
            Perm(ManageInvoices),
            pages::invoices::lifecycle::redeposit,
        )
        // Collections: dunning
        .get(
            "/collections/dunning",
            Perm(ViewCollections),
            pages::dunning::show,
        )
        .post(
            "/collections/dunning/settings",
            Perm(ManageCollections),
            pages::dunning::save_settings,
        )
        .post(
            "/collections/dunning/levels",
            Perm(ManageCollections),
            pages::dunning::save_levels,
        )
        .post(
            "/collections/dunning/pauses",
            Perm(ManageCollections),
            pages::dunning::add_pause,
        )
        .post(
            "/collections/dunning/pauses/{id}/lift",
            Perm(ManageCollections),
            pages::dunning::lift_pause,
        )
        .post(
            "/collections/dunning/run",
            Perm(ManageCollections),
            pages::dunning::run_now,
        )
        .post(
            "/invoices/{id}/dunning/pause",
            Perm(ManageCollections),
            pages::dunning::pause_invoice,
        )
        .post(
            "/invoices/{id}/dunning/resume",
            Perm(ManageCollections),
            pages::dunning::resume_invoice,
        )
        // The client portal's invoices
        .get(
            "/portal/invoices",
            Perm(PortalInvoices),
            pages::portal::list,
        )
        .get(
            "/portal/invoices/{id}/pdf",
            Perm(PortalInvoices),
            pages::portal::pdf,
        )
        .get(
            "/portal/invoices/{id}/facturx.pdf",
            Perm(PortalInvoices),
            pages::portal::facturx,
        )
        .get("/close", Perm(ViewInvoices), pages::invoices::close::show)
        .post("/close", Perm(ManageInvoices), pages::invoices::close::run)
        // Users (administration)
        .get("/users", Perm(ManageUsers), pages::users::list)
        .get("/users/new", Perm(InviteUsers), pages::users::new)
        .post("/users", Perm(InviteUsers), pages::users::create)
        .get("/users/{id}/edit", Perm(ManageUsers), pages::users::edit)
        .post("/users/{id}", Perm(ManageUsers), pages::users::update)
        .post(
            "/users/{id}/invite",
            Perm(ManageUsers),
            pages::users::invite_again,
        )
        // An invitation's link: the invited user chooses his password.
        .get("/invitation/{token}", Public, pages::invitations::show)
        .post("/invitation/{token}", Public, pages::invitations::accept)
        // Invoices e-mailed to the client, and the client's setting.
        .get(
            "/invoices/{id}/email",
            Perm(ManageInvoices),
            pages::invoices::email::confirm,
        )
        .post(
            "/invoices/{id}/email",
            Perm(ManageInvoices),
            pages::invoices::email::send,
        )
        .post(
            "/companies/{id}/invoice-delivery",
            Perm(EditCompanies),
            pages::invoices::email::client_setting,
        )
        // People and costs
        .get("/agencies", Perm(ViewAgencies), pages::agencies::list)
        .post("/agencies", Perm(EditAgencies), pages::agencies::create)
        .post(
            "/agencies/{id}",
            Perm(EditAgencies),
            pages::agencies::update,
        )
        .get("/employees", Perm(ViewEmployees), pages::employees::list)
        .get(
            "/employees.csv",
            Perm(ViewEmployees),
            pages::employees_csv::list,
        )
        .get("/employees/new", Perm(EditEmployees), pages::employees::new)
        .post("/employees", Perm(EditEmployees), pages::employees::create)
        .get(
            "/employees/{id}",
            Perm(ViewEmployees),
            pages::employees::show,
        )
        .get(
            "/employees/{id}/edit",
            Perm(EditEmployees),
            pages::employees::edit,
        )
        .post(
            "/employees/{id}",
            Perm(EditEmployees),
            pages::employees::update,
        )
        .post(
            "/employees/{id}/cost-versions",
            Perm(ManagePay),
            pages::employees::add_version,
        )
        .get("/margins", Perm(ViewMargins), pages::margins::list)
        .get("/margins/export", Perm(ViewMargins), pages::margins::export)
        .get("/margins/detail", Perm(ViewMargins), pages::margins::detail)
        .get(
            "/margins/detail/export",
            Perm(ViewMargins),
            pages::margins::detail_export,
        )
        .get(
            "/margins/forecast",
            Perm(ViewMargins),
            pages::margin_forecast::page,
        )
        .get(
            "/margins/forecast/export",
            Perm(ViewMargins),
            pages::margin_forecast::export,
        )
        .post(
            "/settings/cjm/margin-policy",
            Perm(ManagePay),
            pages::cjm_settings::save_policy,
        )
        .get("/settings/cjm", Perm(ViewPay), pages::cjm_settings::show)
        .post("/settings/cjm", Perm(ManagePay), pages::cjm_settings::save)
        .post(
            "/settings/cjm/lock",
            Perm(ManagePay),
            pages::cjm_settings::lock,
        )
        .post(
            "/settings/cjm/grades",
            Perm(ManagePay),
            pages::cjm_settings::save_grade,
        )
        // API and its documentation
        .get("/api/docs", Perm(ReadApiDocs), pages::api_docs::show)
        .get("/api/openapi.json", Public, api::openapi_json)
        .api(SignedIn, routes!(api::me::show))
        .api(Perm(ViewCompanies), routes!(api::companies::list))
        .api(Perm(EditCompanies), routes!(api::companies::create))
        .api(Perm(ViewCompanies), routes!(api::companies::show))
        .api(Perm(EditCompanies), routes!(api::companies::update))
        .api(
            Perm(EditCompanies),
            routes!(api::companies::invoice_delivery),
        )
        .api(Perm(ViewMargins), routes!(api::margins::list))
        .api(Perm(ViewMargins), routes!(api::margins::mission))
        .api(Perm(ViewMargins), routes!(api::margin_forecast::forecast))
        .api(Perm(ViewPay), routes!(api::margin_policy::show))
        .api(Perm(ManagePay), routes!(api::margin_policy::update))
        .api(Perm(ViewPay), routes!(api::margin_lock::show))
        .api(Perm(ManagePay), routes!(api::margin_lock::lock))
        .api(Perm(ViewPortfolio), routes!(api::portfolio::show))
        .api(Perm(EditPortfolio), routes!(api::portfolio::replace))
        .api(Perm(ViewPortfolio), routes!(api::portfolio::company_show))
        .api(
            Perm(EditPortfolio),
            routes!(api::portfolio::company_replace),
        )
        .api(Perm(ViewCollections), routes!(api::payments::open_items))
        .api(Perm(ViewCollections), routes!(api::payments::list))
        .api(Perm(ManageCollections), routes!(api::payments::create))
        .api(Perm(ViewCollections), routes!(api::payments::show))
        .api(Perm(ManageCollections), routes!(api::payments::reverse))
        .api(Perm(ManageCollections), routes!(api::bank_lines::post))
        .api(Perm(ManageAccounting), routes!(api::ledger::validate))
        .api(Perm(ViewOpportunities), routes!(api::opportunities::list))
        .api(
            Perm(ViewOpportunities),
            routes!(api::opportunity_figures::pipeline),
        )
        .api(
            Perm(ViewOpportunities),
            routes!(api::opportunity_figures::foisonnement),
        )
        .api(Perm(EditOpportunities), routes!(api::opportunities::create))
        .api(Perm(ViewOpportunities), routes!(api::opportunities::show))
        .api(Perm(EditOpportunities), routes!(api::opportunities::update))
        .api(Perm(EditOpportunities), routes!(api::opportunities::stage))
        .api(Perm(EditOpportunities), routes!(api::opportunities::win))
        .api(
            Perm(ViewOpportunities),
            routes!(api::opportunity_views::list, api::opportunity_views::create),
        )
        .api(
            Perm(ViewOpportunities),
            routes!(
                api::opportunity_views::show,
                api::opportunity_views::update,
                api::opportunity_views::delete
            ),
        )
        .api(Perm(ViewOpportunities), routes!(api::positionings::list))
        .api(Perm(EditOpportunities), routes!(api::positionings::create))
        .api(Perm(EditOpportunities), routes!(api::positionings::answer))
        .api(Perm(ViewOpportunities), routes!(api::account_plans::show))
        .api(
            Perm(EditOpportunities),
            routes!(api::account_plans::create_domain),
        )
        .api(
            Perm(ViewOpportunities),
            routes!(api::account_plans::show_domain),
        )
        .api(
            Perm(EditOpportunities),
            routes!(api::account_plans::update_domain),
        )
        .api(
            Perm(EditOpportunities),
            routes!(api::account_plans::set_stakeholder),
        )
        .api(
            Perm(EditOpportunities),
            routes!(api::account_plans::set_target),
        )
        .api(Perm(ViewOpportunities), routes!(api::meetings::list))
        .api(Perm(EditOpportunities), routes!(api::meetings::create))
        .api(Perm(ViewOpportunities), routes!(api::meetings::show))
        .api(Perm(EditOpportunities), routes!(api::meetings::update))
        .api(Perm(EditOpportunities), routes!(api::meetings::hold))
        .api(
            Perm(EditOpportunities),
            routes!(api::meetings::child_opportunity),
        )
        .api(Perm(ViewOpportunities), routes!(api::activities::list))
        .api(Perm(LogActivities), routes!(api::activities::create))
        .api(Perm(ViewOpportunities), routes!(api::activities::show))
        .api(Perm(LogActivities), routes!(api::activities::update))
        .api(Perm(LogActivities), routes!(api::activities::done))
        .api(Perm(ViewContacts), routes!(api::contacts::list))
        .api(Perm(EditContacts), routes!(api::contacts::create))
        .api(Perm(ViewContacts), routes!(api::contacts::show))
        .api(Perm(EditContacts), routes!(api::contacts::update))
        .api(Perm(ManageInvoices), routes!(api::invoices::refresh_terms))
        .api(Perm(ManageInvoices), routes!(api::invoices::edit))
        .api(Perm(ManageInvoices), routes!(api::closes::create))
        .api(Perm(ViewInvoices), routes!(api::closes::show))
        .api(Perm(ViewCras), routes!(api::cras::list))
        .api(Perm(ViewCras), routes!(api::cras::show))
        .api(Perm(EnterCra), routes!(api::cras::update))
        .api(Perm(ValidateCras), routes!(api::cras::validate))
        .api(Perm(ManageUsers), routes!(api::users::list))
        .api(Perm(InviteUsers), routes!(api::users::create))
        .api(Perm(ManageUsers), routes!(api::users::invite_again))
        .api(Perm(ManageInvoices), routes!(api::invoices::email))
        .api(Perm(ManageUsers), routes!(api::users::show))
        .api(Perm(ManageUsers), routes!(api::users::update))
        .api(Perm(ViewAgencies), routes!(api::agencies::list))
        .api(Perm(EditAgencies), routes!(api::agencies::create))
        .api(Perm(EditAgencies), routes!(api::agencies::update))
        .api(Perm(ViewEmployees), routes!(api::employees::list))
        .api(Perm(EditEmployees), routes!(api::employees::create))
        .api(Perm(ViewEmployees), routes!(api::employees::show))
        .api(Perm(EditEmployees), routes!(api::employees::update))
        .api(Perm(ViewPay), routes!(api::employees::versions))
        .api(Perm(ManagePay), routes!(api::employees::add_version))
}

/// The OpenAPI document, built from the route table.
pub fn openapi() -> OpenApi {
    routes().openapi
}

/// The whole application with its middleware.
pub fn app(state: AppState) -> Router {
    let limit = state.config.body_limit;
    let Routes { router, .. } = routes();
    router
        .fallback(ops::not_found)
        .method_not_allowed_fallback(ops::method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            csrf::verify,
        ))
        // Inside the context, so a panic still answers in the request's
        // format (a problem document on the API); the outer one is a net.
        .layer(CatchPanicLayer::custom(ops::panic_response))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            ctx::load,
        ))
        .layer(DefaultBodyLimit::max(limit))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            ops::security_headers,
        ))
        .layer(axum::middleware::from_fn(|req, next| {
            ops::deadline(Duration::from_secs(30), req, next)
        }))
        .layer(TraceLayer::new_for_http().make_span_with(
            |req: &axum::http::Request<axum::body::Body>| {
                tracing::debug_span!(
                    "request",
                    method = %req.method(),
                    path = %ops::loggable_path(req.uri().path()),
                )
            },
        ))
        .layer(CatchPanicLayer::custom(ops::panic_response))
        .with_state(state)
}
