//! The signer's side: the page behind the e-mailed link, public (the link
//! and the one-time code are the credentials), made for a phone first.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use domain::esign::{CONSENT_FR, DocumentKind, LinkRefusal};
use domain::validation::{ErrorKey, ValidationErrors};
use serde::Deserialize;
use store::esign::{Decision, Link, Outcome};

use super::documents::pdf_response;
use crate::AppState;
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::extract::Form;
use crate::view::{FieldErrors, Layout, layout, render_status};
use crate::write::write;

/// Tokens are 64 hexadecimal characters; anything else is not looked up.
fn well_formed(token: &str) -> bool {
    token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit())
}

#[derive(Template)]
#[template(path = "sign/page.html")]
struct SignPage {
    layout: Layout,
    token: String,
    title: String,
    signer: String,
    sha256: String,
    position: String,
    of: usize,
    consent: &'static str,
    typed_name: String,
    reason: String,
    errors: FieldErrors,
    /// The document's text in HTML: an embedded PDF shows blank on most
    /// phones, and the signer must read what he signs.
    parts: Vec<Part>,
}

/// One block of the document's text, flattened for the template.
pub struct Part {
    pub kind: &'static str,
    pub text: String,
    pub pairs: Vec<(String, String)>,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl From<pdf::TextPart> for Part {
    fn from(p: pdf::TextPart) -> Part {
        let mut out = Part {
            kind: "p",
            text: String::new(),
            pairs: Vec::new(),
            headers: Vec::new(),
            rows: Vec::new(),
        };
        match p {
            pdf::TextPart::Heading(t) => (out.kind, out.text) = ("h2", t),
            pdf::TextPart::Subheading(t) => (out.kind, out.text) = ("h3", t),
            pdf::TextPart::Paragraph(t) => out.text = t,
            pdf::TextPart::Bullet(t) => (out.kind, out.text) = ("li", t),
            pdf::TextPart::Pairs(pairs) => (out.kind, out.pairs) = ("dl", pairs),
            pdf::TextPart::Table { headers, rows } => {
                (out.kind, out.headers, out.rows) = ("table", headers, rows)
            }
        }
        out
    }
}

/// What the signer reads on the page: the document's text as it was laid
/// out (nothing for a scanned paper, which only exists as a PDF).
async fn parts_of(app: &AppState, link: &Link) -> AppResult<Vec<Part>> {
    let mut tx = app.db.read().await?;
    let spec = store::documents::spec(&mut tx, link.document.id).await?;
    tx.commit().await?;
    Ok(spec
        .and_then(|s| pdf::Document::from_spec(&s).ok())
        .map(|d| d.text_parts().into_iter().map(Part::from).collect())
        .unwrap_or_default())
}

#[derive(Template)]
#[template(path = "sign/message.html")]
struct MessagePage {
    layout: Layout,
    heading: String,
    message: String,
    ok: bool,
}

async fn message(
    app: &AppState,
    ctx: &Ctx,
    status: StatusCode,
    heading: &str,
    message: &str,
    ok: bool,
) -> AppResult<Response> {
    let l = ctx.locale;
    render_status(
        status,
        &MessagePage {
            layout: layout(app, ctx, "esign-title").await?,
            heading: crate::i18n::t(l, heading),
            message: crate::i18n::t(l, message),
            ok,
        },
    )
}

async fn refused(app: &AppState, ctx: &Ctx, r: LinkRefusal) -> AppResult<Response> {
    let status = match r {
        LinkRefusal::Unknown => StatusCode::NOT_FOUND,
        LinkRefusal::NotYourTurn | LinkRefusal::Locked => StatusCode::FORBIDDEN,
        _ => StatusCode::GONE,
    };
    message(app, ctx, status, "esign-link-refused", r.key(), false).await
}

async fn page(
    app: &AppState,
    ctx: &Ctx,
    token: &str,
    link: &Link,
    f: &DecisionForm,
    errors: &ValidationErrors,
) -> AppResult<Response> {
    render_status(
        if errors.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        },
        &SignPage {
            layout: layout(app, ctx, "esign-title").await?,
            token: token.to_owned(),
            title: link.document.title.clone(),
            signer: link.signer.name.clone(),
            sha256: link.request.document_sha256.clone(),
            position: link.signer.position.to_string(),
            of: link.request.signers.len(),
            consent: CONSENT_FR,
            typed_name: f.typed_name.clone(),
            reason: f.reason.clone(),
            errors: FieldErrors::new(ctx.locale, errors),
            parts: parts_of(app, link).await?,
        },
    )
}

async fn open(app: &AppState, token: &str) -> AppResult<Result<Link, LinkRefusal>> {
    if !well_formed(token) {
        return Ok(Err(LinkRefusal::Unknown));
    }
    let mut tx = app.db.read().await?;
    let link = match store::esign::open(&mut tx, token).await {
        Ok(l) => l,
        Err(store::Error::NotFound) => return Ok(Err(LinkRefusal::Unknown)),
        Err(e) => return Err(e.into()),
    };
    tx.commit().await?;
    Ok(match link.refusal {
        Some(r) => Err(r),
        None => Ok(link),
    })
}

pub async fn show(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let link = match open(&app, &token).await? {
        Ok(l) => l,
        Err(r) => return refused(&app, &ctx, r).await,
    };
    // Only the first opening is an event; later ones need no write.
    if link.signer.viewed_at.is_none() {
        let origin = ctx.origin_as(&link.signer.name, &link.signer.email);
        write(&app, &ctx)
            .commit(async |tx| store::esign::record_view(tx, &link, &origin).await)
            .await?;
    }
    page(
        &app,
        &ctx,
        &token,
        &link,
        &DecisionForm::default(),
        &ValidationErrors::new(),
    )
    .await
}

/// The document, while the link is usable.
pub async fn document(
    State(app): State<AppState>,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let link = open(&app, &token).await?.map_err(|_| AppError::NotFound)?;
    let mut tx = app.db.read().await?;
    let bytes = store::documents::bytes(&mut tx, &link.document, false).await?;
    tx.commit().await?;
    Ok(pdf_response(bytes, "document.pdf", true))
}

#[derive(Debug, Default, Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub typed_name: String,
    #[serde(default)]
    pub consent: Option<String>,
    #[serde(default)]
    pub reason: String,
}

pub async fn decide(
    State(app): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
    Form(f): Form<DecisionForm>,
) -> AppResult<Response> {
    let link = match open(&app, &token).await? {
        Ok(l) => l,
        Err(r) => return refused(&app, &ctx, r).await,
    };
    let decision = match f.action.as_str() {
        "sign" => Decision::Sign {
            typed_name: f.typed_name.clone(),
            consent: f.consent.is_some(),
        },
        "decline" => Decision::Decline {
            reason: f.reason.clone(),
        },
        _ => return Err(AppError::BadRequest("error-malformed-form")),
    };
    let origin = ctx.origin_as(&link.signer.name, &link.signer.email);
    let mut tx = app.db.begin().await?;
    let outcome = store::esign::decide(
        &mut tx,
        &token,
        &origin,
        &app.config.public_url,
        &f.code,
        &decision,
        &app::Render,
    )
    .await;
    match outcome {
        Err(store::Error::Invalid(errors)) => {
            drop(tx);
            page(&app, &ctx, &token, &link, &f, &errors).await
        }
        Err(e) => Err(e.into()),
        Ok(Outcome::WrongCode { remaining }) => {
            tx.commit().await?;
            if remaining == 0 {
                return refused(&app, &ctx, LinkRefusal::Locked).await;
            }
            let mut errors = ValidationErrors::new();
            errors.add_with(
                "code",
                "esign-code-wrong",
                domain::args![("count", remaining)],
            );
            page(&app, &ctx, &token, &link, &f, &errors).await
        }
        Ok(Outcome::Refused(r)) => {
            drop(tx);
            refused(&app, &ctx, r).await
        }
        Ok(Outcome::Tampered) => {
            tx.commit().await?;
            message(
                &app,
                &ctx,
                StatusCode::CONFLICT,
                "esign-tampered-title",
                "esign-tampered",
                false,
            )
            .await
        }
        Ok(Outcome::Done { completed, .. }) => {
            tx.commit().await?;
            let text = match (&decision, completed) {
                (Decision::Decline { .. }, _) => "esign-done-declined",
                // A report the client validated still waits for the
                // firm's manager: not "signed by all parties".
                (_, true) if link.document.kind == DocumentKind::ActivityReport => {
                    "esign-done-cra-validated"
                }
                (_, true) => "esign-done-completed",
                (_, false) => "esign-done-next",
            };
            message(&app, &ctx, StatusCode::OK, "esign-done-title", text, true).await
        }
    }
}
