//! The client portal's invoices: a client contact sees the invoices and
//! credit notes issued to his company, what each still owes and when it
//! falls due, and downloads them (PDF, Factur-X). The store's scoped
//! queries decide what he may reach: another company's document, a draft
//! or an id guessed is not found, whatever the link.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use domain::ids::InvoiceId;
use domain::invoice::InvoiceKind;
use domain::money::Money;
use store::invoicing::read::Summary;

use super::invoices::{date_or_dash, period_label};
use crate::AppState;
use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::extract::Id;
use crate::view::{Layout, layout, render};

/// The most documents the page lists (newest first).
const LIMIT: i64 = 500;

pub struct Row {
    pub id: String,
    pub number: String,
    pub credit_note: bool,
    pub title: String,
    pub period: String,
    pub issued: String,
    pub due_date: String,
    pub gross: String,
    /// What it still owes (an invoice), none for a credit note.
    pub due: Option<String>,
    pub paid: bool,
}

#[derive(Template)]
#[template(path = "portal/invoices.html")]
struct ListPage {
    layout: Layout,
    rows: Vec<Row>,
    total_due: String,
}

/// The issued documents of the signed-in contact's company with what each
/// still owes, newest first.
pub async fn documents(tx: &mut store::Tx, ctx: &Ctx) -> AppResult<Vec<(Summary, Option<Money>)>> {
    let docs = store::invoicing::read::issued_in_scope(tx, ctx.scope()?, LIMIT).await?;
    let ids: Vec<InvoiceId> = docs.iter().map(|d| d.id).collect();
    let due = store::receivables::amounts_due(tx, &ids).await?;
    Ok(docs
        .into_iter()
        .map(|d| {
            let owed = (d.kind == InvoiceKind::Invoice)
                .then(|| due.get(&d.id).copied().unwrap_or(Money::ZERO));
            (d, owed)
        })
        .collect())
}

/// GET /portal/invoices
pub async fn list(State(app): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let l = ctx.locale;
    let mut tx = app.db.read().await?;
    let docs = documents(&mut tx, &ctx).await?;
    tx.commit().await?;
    let total_due: Money = docs.iter().filter_map(|(_, due)| *due).sum();
    let rows = docs
        .iter()
        .map(|(d, due)| Row {
            id: d.id.to_string(),
            number: d.number.clone().unwrap_or_default(),
            credit_note: d.kind == InvoiceKind::CreditNote,
            title: d.title.clone(),
            period: period_label(l, &d.period),
            issued: date_or_dash(l, d.issue_date),
            due_date: date_or_dash(l, d.due_date),
            gross: d.gross.format(l),
            due: due.map(|m| m.format(l)),
            paid: due.is_some_and(|m| m.is_zero()),
        })
        .collect();
    render(&ListPage {
        layout: layout(&app, &ctx, "portal-invoices-title").await?,
        rows,
        total_due: total_due.format(l),
    })
}

/// GET /portal/invoices/{id}/pdf: the document's PDF, once the scope is
/// known to reach it.
pub async fn pdf(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<InvoiceId>,
) -> AppResult<Response> {
    reach(&app, &ctx, id).await?;
    super::invoices::show::pdf(State(app), ctx, Id(id)).await
}

/// GET /portal/invoices/{id}/facturx.pdf
pub async fn facturx(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<InvoiceId>,
) -> AppResult<Response> {
    reach(&app, &ctx, id).await?;
    super::invoices::facturx::pdf(State(app), ctx, Id(id)).await
}

/// Not found unless the document is issued and the contact's company's.
async fn reach(app: &AppState, ctx: &Ctx, id: InvoiceId) -> AppResult<()> {
    let mut tx = app.db.read().await?;
    store::invoicing::read::issued_one(&mut tx, ctx.scope()?, id).await?;
    tx.commit().await?;
    Ok(())
}
