//! Files attached to a report: the consultant uploads them (for one client
//! mission, whose client then sees the file, or internal), readers download
//! them.

use axum::extract::{Multipart, Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use domain::ids::{CraId, MissionId};
use store::Tx;

use crate::AppState;
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::extract::Id;
use crate::write::write;

pub async fn upload(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<CraId>,
    mut form: Multipart,
) -> AppResult<Response> {
    let mut file: Option<(String, String, Vec<u8>)> = None;
    let mut mission = None;
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|_| AppError::BadRequest("error-malformed-form"))?
    {
        if field.name() == Some("mission") {
            let raw = field
                .text()
                .await
                .map_err(|_| AppError::BadRequest("error-malformed-form"))?;
            mission = match raw.trim() {
                "" => None,
                m => Some(MissionId::parse(m).ok_or(AppError::BadRequest("error-malformed-form"))?),
            };
        } else if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("piece-jointe").to_owned();
            let ct = field
                .content_type()
                .unwrap_or("application/octet-stream")
                .to_owned();
            let bytes = field.bytes().await.map_err(|_| AppError::PayloadTooLarge)?;
            file = Some((name, ct, bytes.to_vec()));
        }
    }
    let (name, ct, bytes) = file.unwrap_or_default();
    let (scope, me) = (ctx.scope()?, ctx.user()?.id);
    let add = async |tx: &mut Tx| -> store::Result<()> {
        let sheet = store::cras::get(tx, scope, id).await?;
        if sheet.cra.consultant_id != me {
            return Err(store::Error::NotFound);
        }
        let file = store::cras::NewAttachment {
            filename: &name,
            content_type: &ct,
            bytes: &bytes,
            mission,
        };
        store::cras::add_attachment(tx, &ctx.actor(), scope, id, &file).await?;
        Ok(())
    };
    write(&app, &ctx)
        .flash("cra-attachment-added-flash")
        .redirect(&format!("/cras/{id}"), add)
        .await
}

pub async fn attachment(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((id, attachment)): Path<(String, String)>,
) -> AppResult<Response> {
    let id = CraId::parse(&id).ok_or(AppError::NotFound)?;
    let mut tx = app.db.read().await?;
    // Served as bytes to download whatever type was declared at upload: a
    // consultant's file is never rendered in a manager's browser.
    let (name, _declared_type, bytes) =
        store::cras::attachment(&mut tx, ctx.scope()?, id, &attachment).await?;
    tx.commit().await?;
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    Ok((
        [
            (header::CONTENT_TYPE, "application/octet-stream".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{safe}\""),
            ),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
        ],
        bytes,
    )
        .into_response())
}
