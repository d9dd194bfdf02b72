//! Client contracts: recorded on the company page, moved through their life
//! (sent, signed on paper, cancelled) and attached to missions.

use axum::extract::State;
use axum::response::Response;
use domain::contract::{ContractEvent, ContractInput};
use domain::ids::{CompanyId, ContractId, MissionId};
use serde::Deserialize;

use super::see_other;
use crate::AppState;
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::extract::{Form, Id};
use crate::view::{FlashKind, flash, flash_refusal};

/// The first refusal of a form shown as a flash beside the list it came from.
async fn refused(app: &AppState, ctx: &Ctx, e: store::Error) -> AppResult<()> {
    match AppError::from(e) {
        AppError::Validation(v) => flash_refusal(app, ctx, &v, "error-validation").await,
        other => Err(other),
    }
}

pub async fn create(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(client): Id<CompanyId>,
    Form(mut f): Form<ContractInput>,
) -> AppResult<Response> {
    f.client_id = client.to_string();
    let back = format!("/companies/{client}#contracts");
    let data = match f.validate() {
        Ok(d) => d,
        Err(v) => {
            flash_refusal(&app, &ctx, &v, "error-validation").await?;
            return Ok(see_other(&back));
        }
    };
    // The company must be visible to the user before anything is attached to it.
    let mut tx = app.db.begin().await?;
    store::companies::get(&mut tx, ctx.scope()?, client).await?;
    match store::contracts::create(&mut tx, &ctx.actor(), &data).await {
        Ok(_) => {
            tx.commit().await?;
            flash(&app, &ctx, FlashKind::Success, "contract-created").await?;
        }
        Err(e) => {
            drop(tx);
            refused(&app, &ctx, e).await?;
        }
    }
    Ok(see_other(&back))
}

#[derive(Debug, Default, Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    pub event: String,
    #[serde(default)]
    pub signed_by: String,
}

pub async fn set_status(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<ContractId>,
    Form(f): Form<StatusForm>,
) -> AppResult<Response> {
    let event = match f.event.as_str() {
        "send" => ContractEvent::Send,
        "sign" => ContractEvent::Sign,
        "cancel" => ContractEvent::Cancel,
        _ => return Err(AppError::BadRequest("error-malformed-form")),
    };
    let signed_by = f.signed_by.trim();
    let mut tx = app.db.begin().await?;
    let contract = store::contracts::get(&mut tx, ctx.scope()?, id).await?;
    let back = format!("/companies/{}#contracts", contract.data.client_id);
    if event == ContractEvent::Sign && signed_by.is_empty() {
        drop(tx);
        flash(&app, &ctx, FlashKind::Error, "contract-signer-required").await?;
        return Ok(see_other(&back));
    }
    let signer = (event == ContractEvent::Sign).then_some(signed_by);
    match store::contracts::apply(&mut tx, &ctx.actor(), ctx.scope()?, id, event, signer).await {
        Ok(_) => {
            tx.commit().await?;
            flash(&app, &ctx, FlashKind::Success, "contract-updated").await?;
        }
        Err(e) => {
            drop(tx);
            refused(&app, &ctx, e).await?;
        }
    }
    Ok(see_other(&back))
}

#[derive(Debug, Default, Deserialize)]
pub struct AttachForm {
    #[serde(default)]
    pub contract_id: String,
}

pub async fn attach(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(mission): Id<MissionId>,
    Form(f): Form<AttachForm>,
) -> AppResult<Response> {
    let back = format!("/missions/{mission}");
    let Some(contract) = ContractId::parse(f.contract_id.trim()) else {
        flash(&app, &ctx, FlashKind::Error, "field-required").await?;
        return Ok(see_other(&back));
    };
    let mut tx = app.db.begin().await?;
    match store::contracts::attach(&mut tx, &ctx.actor(), ctx.scope()?, mission, contract).await {
        Ok(()) => {
            tx.commit().await?;
            flash(&app, &ctx, FlashKind::Success, "contract-attached").await?;
        }
        Err(e) => {
            drop(tx);
            refused(&app, &ctx, e).await?;
        }
    }
    Ok(see_other(&back))
}
