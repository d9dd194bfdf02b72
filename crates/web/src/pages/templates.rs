//! The administrator edits the mission order template: checked when saved
//! (unknown or unclosed placeholders are refused, naming the line),
//! previewed with sample values, reset to the default.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use domain::esign::DocumentKind;
use domain::validation::ValidationErrors;
use serde::Deserialize;

use super::documents::pdf_response;
use super::see_other;
use crate::AppState;
use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::extract::Form;
use crate::view::{FieldErrors, Layout, layout, render_status};
use crate::write::write;
use app::paperwork;

#[derive(Template)]
#[template(path = "settings/mission_order.html")]
struct EditPage {
    layout: Layout,
    body: String,
    placeholders: Vec<&'static str>,
    problem: Option<String>,
    errors: FieldErrors,
}

async fn page(
    app: &AppState,
    ctx: &Ctx,
    body: String,
    problem: Option<String>,
) -> AppResult<Response> {
    let mut errors = ValidationErrors::new();
    if problem.is_some() {
        errors.add("body", "template-invalid");
    }
    render_status(
        if problem.is_some() {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::OK
        },
        &EditPage {
            layout: layout(app, ctx, "template-title").await?,
            body,
            placeholders: pdf::PLACEHOLDERS.to_vec(),
            problem,
            errors: FieldErrors::new(ctx.locale, &errors),
        },
    )
}

pub async fn edit(State(app): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let mut tx = app.db.read().await?;
    let t = paperwork::mission_order_template(&mut tx).await?;
    tx.commit().await?;
    page(&app, &ctx, t.source().to_owned(), None).await
}

#[derive(Debug, Default, Deserialize)]
pub struct TemplateForm {
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub action: String,
}

pub async fn save(
    State(app): State<AppState>,
    ctx: Ctx,
    Form(f): Form<TemplateForm>,
) -> AppResult<Response> {
    let body = if f.action == "reset" {
        pdf::DEFAULT_MISSION_ORDER.to_owned()
    } else {
        // Browsers send CRLF line ends; the template is kept with LF.
        f.body.replace("\r\n", "\n")
    };
    if body.trim().is_empty() {
        return page(
            &app,
            &ctx,
            body,
            Some(crate::i18n::t(ctx.locale, "field-required")),
        )
        .await;
    }
    if body.chars().count() > 50_000 {
        return page(
            &app,
            &ctx,
            body,
            Some(crate::i18n::t(ctx.locale, "template-too-long")),
        )
        .await;
    }
    if let Err(e) = pdf::MissionOrderTemplate::parse(&body) {
        // The parser's message names the placeholder and its line.
        return page(&app, &ctx, body, Some(e.to_string())).await;
    }
    let kind = DocumentKind::MissionOrder;
    write(&app, &ctx)
        .flash("template-saved")
        .commit(async |tx| store::documents::save_template(tx, &ctx.actor(), kind, &body).await)
        .await?;
    Ok(see_other("/settings/mission-order"))
}

/// The saved template with every placeholder shown by name.
pub async fn preview(State(app): State<AppState>) -> AppResult<Response> {
    let mut tx = app.db.read().await?;
    let t = paperwork::mission_order_template(&mut tx).await?;
    tx.commit().await?;
    let doc = t
        .render(&paperwork::sample_values())
        .map_err(|e| anyhow::anyhow!("template preview: {e}"))?;
    Ok(pdf_response(
        doc.to_bytes(),
        "ordre-de-mission-modele.pdf",
        false,
    ))
}
