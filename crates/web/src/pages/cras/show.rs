//! The report page: the month grid of [`Grid`] and the buttons the reader's
//! role and the report's status allow; also the page a refused save shows
//! again, with the cells as typed.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use domain::cra::CraStatus;
use domain::ids::CraId;
use domain::validation::ValidationErrors;
use store::cras::Sheet;

use super::Typed;
use super::grid::{ApprovalView, Column, DayRow, ExtraView, Grid, TotalView, Viewer};
use crate::authz::{Permission, allows};
use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::extract::Id;
use crate::view::{FieldErrors, Layout, layout, render_status};
use crate::{AppState, i18n};

#[derive(Template)]
#[template(path = "cras/show.html")]
struct ShowPage {
    layout: Layout,
    id: String,
    heading: String,
    status: String,
    status_code: &'static str,
    version: i32,
    rejection: Option<String>,
    comment: String,
    deadline: String,
    working_days: String,
    holidays: Vec<String>,
    columns: Vec<Column>,
    rows: Vec<DayRow>,
    totals: Vec<TotalView>,
    missions: Vec<(String, String)>,
    extras: Vec<ExtraView>,
    approvals: Vec<ApprovalView>,
    attachments: Vec<(String, String, String)>,
    /// Who an attachment is for: each client mission of the month (its
    /// client sees the file), or internal (none).
    attachment_for: Vec<(String, String)>,
    events: Vec<(String, String, String, String)>,
    can_edit: bool,
    can_client: bool,
    can_validate: bool,
    can_reject: bool,
    can_reopen: bool,
    errors: FieldErrors,
    error_list: Vec<String>,
    /// The invoices billing its days (href, number or "Brouillon", state),
    /// for those who see invoices.
    invoices: Vec<(String, String, String)>,
}

pub async fn show(State(app): State<AppState>, ctx: Ctx, Id(id): Id<CraId>) -> AppResult<Response> {
    let mut tx = app.db.read().await?;
    let sheet = store::cras::get(&mut tx, ctx.scope()?, id).await?;
    tx.commit().await?;
    show_page(&app, &ctx, &sheet, None, None, None).await
}

/// The page for `sheet`; with `typed`, `comment` and `refusal` when a save
/// was refused (answered 422).
pub(super) async fn show_page(
    app: &AppState,
    ctx: &Ctx,
    sheet: &Sheet,
    typed: Option<&Typed>,
    comment: Option<String>,
    refusal: Option<&ValidationErrors>,
) -> AppResult<Response> {
    let l = ctx.locale;
    let user = ctx.user()?;
    let role = user.role;
    let mut tx = app.db.read().await?;
    let leave_types = store::leave::types(&mut tx).await?;
    // Who sees invoices sees which bill this report; nobody else learns
    // of them here.
    let invoices = if allows(role, Permission::ViewInvoices) {
        store::invoicing::read::invoices_of_cra(&mut tx, sheet.cra.id)
            .await?
            .into_iter()
            .map(|i| {
                (
                    format!("/invoices/{}", i.id),
                    i.number.unwrap_or_else(|| i18n::t(l, "invoice-unnumbered")),
                    i18n::t(l, &i.status.label_key()),
                )
            })
            .collect()
    } else {
        Vec::new()
    };
    tx.commit().await?;
    let viewer = Viewer::of(ctx.scope()?);
    let grid = Grid::from_sheet(sheet, l, &leave_types, viewer, typed);
    let cra = &sheet.cra;
    let can_edit = cra.consultant_id == user.id
        && allows(role, Permission::EnterCra)
        && cra.status.is_editable();
    let can_client = allows(role, Permission::ClientValidateCras)
        && cra.status == CraStatus::Signed
        && grid.approvals.iter().any(|a| a.mine && !a.done);
    let can_manage = allows(role, Permission::ValidateCras);
    let errors = refusal.map(|e| FieldErrors::new(l, e)).unwrap_or_default();
    let error_list = refusal
        .map(|e| e.0.iter().map(|f| i18n::field_error(l, f)).collect())
        .unwrap_or_default();
    let page = ShowPage {
        layout: layout(app, ctx, "cra-title").await?,
        id: cra.id.to_string(),
        heading: format!("{} — {}", cra.consultant_name, cra.month.label(l)),
        status: i18n::t(l, &cra.status.label_key()),
        status_code: cra.status.as_str(),
        version: cra.version,
        rejection: cra.rejection_reason.clone(),
        comment: comment.or_else(|| cra.comment.clone()).unwrap_or_default(),
        deadline: grid.deadline,
        working_days: grid.working_days,
        holidays: grid.holidays,
        columns: grid.columns,
        rows: grid.rows,
        totals: grid.totals,
        missions: grid.missions,
        extras: grid.extras,
        approvals: grid.approvals,
        attachments: grid.attachments,
        attachment_for: grid.attachment_for,
        events: grid.events,
        can_edit,
        can_client,
        can_validate: can_manage && cra.status == CraStatus::ClientValidated,
        can_reject: can_manage
            && matches!(cra.status, CraStatus::Signed | CraStatus::ClientValidated),
        can_reopen: can_manage && cra.status == CraStatus::Validated,
        errors,
        error_list,
        invoices,
    };
    let status = if refusal.is_some() {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
    };
    render_status(status, &page)
}
