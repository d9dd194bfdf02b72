//! The Factur-X of an issued invoice or credit note: the PDF with its CII
//! XML attached, or the XML alone. A draft has none (404); a document
//! issued before its data was checked for EN 16931 gets the list of what
//! is missing (422).

use app::invoicing::facturx;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::extract::Id;
use crate::pages::documents::pdf_response;
use domain::ids::InvoiceId;

/// A draft has no Factur-X: there is nothing to download.
fn not_issued(e: store::Error) -> AppError {
    match e {
        store::Error::Invalid(v) if v.0.iter().any(|f| f.key == "invoice-not-issued") => {
            AppError::NotFound
        }
        other => other.into(),
    }
}

/// GET /invoices/{id}/facturx.pdf
pub async fn pdf(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<InvoiceId>,
) -> AppResult<Response> {
    let mut tx = app.db.read().await?;
    store::invoicing::read::visible(&mut tx, ctx.scope()?, id).await?;
    let doc = facturx::document(&mut tx, id).await.map_err(not_issued)?;
    tx.commit().await?;
    Ok(pdf_response(doc.pdf, &doc.file_name, false))
}

/// GET /invoices/{id}/facturx.xml
pub async fn xml(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<InvoiceId>,
) -> AppResult<Response> {
    let mut tx = app.db.read().await?;
    store::invoicing::read::visible(&mut tx, ctx.scope()?, id).await?;
    let (name, xml) = facturx::xml_file(&mut tx, id).await.map_err(not_issued)?;
    tx.commit().await?;
    let name = name.replace(['"', '\\', '\r', '\n'], "_");
    let mut resp = (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/xml"),
        )],
        xml,
    )
        .into_response();
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    Ok(resp)
}
