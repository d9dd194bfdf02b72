//! Client contracts: recorded on the company page, moved through their life
//! (sent, signed on paper, cancelled) and attached to missions.

use axum::extract::State;
use axum::response::Response;
use domain::contract::{ContractEvent, ContractInput, ContractInvoicingInput};
use domain::ids::{CompanyId, ContractId, MissionId};
use domain::validation::ValidationErrors;
use serde::Deserialize;
use store::contracts::Contract;
use store::{Scope, Tx};

use super::see_other;
use crate::AppState;
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::extract::{Form, Id};
use crate::view::{FlashKind, flash};
use crate::write::{flash_back, write};

// A refusal (a rule, or a reference already taken) is flashed beside the
// list the form came from: the commands fail with `AppError`, whose
// `Validation` holds both.

/// A contract the user may see, read before its form is handled.
async fn visible(app: &AppState, scope: Scope, id: ContractId) -> AppResult<Contract> {
    let mut tx = app.db.read().await?;
    let contract = store::contracts::get(&mut tx, scope, id).await?;
    tx.commit().await?;
    Ok(contract)
}

/// Where a contract's forms send back: its client's contracts.
fn back_to(c: &Contract) -> String {
    format!("/companies/{}#contracts", c.data.client_id)
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
        Err(v) => return flash_back(&app, &ctx, &v, &back).await,
    };
    let scope = ctx.scope()?;
    let create = async |tx: &mut Tx| -> AppResult<()> {
        // The company must be visible to the user before anything is attached to it.
        store::companies::get(tx, scope, client).await?;
        store::contracts::create(tx, &ctx.actor(), &data).await?;
        Ok(())
    };
    write(&app, &ctx)
        .flash("contract-created")
        .redirect(&back, create)
        .await
}

#[derive(Debug, Default, Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    pub event: String,
}

pub async fn set_status(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<ContractId>,
    Form(f): Form<StatusForm>,
) -> AppResult<Response> {
    // A signature is recorded with its proof: the e-signature flow, or
    // the scan of the paper original (`/contracts/{id}/paper`).
    let event = match f.event.as_str() {
        "send" => ContractEvent::Send,
        "cancel" => ContractEvent::Cancel,
        _ => return Err(AppError::BadRequest("error-malformed-form")),
    };
    let scope = ctx.scope()?;
    let back = back_to(&visible(&app, scope, id).await?);
    let apply = async |tx: &mut Tx| -> AppResult<()> {
        store::contracts::apply(tx, &ctx.actor(), scope, id, event, None).await?;
        Ok(())
    };
    write(&app, &ctx)
        .flash("contract-updated")
        .redirect(&back, apply)
        .await
}

/// How the month-end close invoices the contract: grouping, and whether it
/// issues or keeps drafts for review.
pub async fn set_invoicing(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<ContractId>,
    Form(f): Form<ContractInvoicingInput>,
) -> AppResult<Response> {
    let scope = ctx.scope()?;
    let back = back_to(&visible(&app, scope, id).await?);
    let settings = match f.validate() {
        Ok(s) => s,
        Err(v) => return flash_back(&app, &ctx, &v, &back).await,
    };
    let set = async |tx: &mut Tx| -> AppResult<()> {
        store::contracts::set_invoicing(tx, &ctx.actor(), scope, id, settings).await?;
        Ok(())
    };
    write(&app, &ctx)
        .flash("contract-updated")
        .redirect(&back, set)
        .await
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
    let scope = ctx.scope()?;
    let attach = async |tx: &mut Tx| -> AppResult<()> {
        Ok(store::contracts::attach(tx, &ctx.actor(), scope, mission, contract).await?)
    };
    write(&app, &ctx)
        .flash("contract-attached")
        .redirect(&back, attach)
        .await
}

/// Reads the paper-signature form: who signed, and the scan.
async fn read_paper_form(
    mut form: axum::extract::Multipart,
) -> Result<(String, Vec<u8>), ValidationErrors> {
    let mut signed_by = String::new();
    let mut scan: Option<Vec<u8>> = None;
    let malformed = || ValidationErrors::single("scan", "document-upload-malformed");
    while let Some(field) = form.next_field().await.map_err(|_| malformed())? {
        match field.name() {
            Some("signed_by") => signed_by = field.text().await.map_err(|_| malformed())?,
            Some("scan") => {
                let bytes = field
                    .bytes()
                    .await
                    .map_err(|_| ValidationErrors::single("scan", "document-upload-too-large"))?;
                if !bytes.is_empty() {
                    scan = Some(bytes.to_vec());
                }
            }
            _ => {}
        }
    }
    let mut e = ValidationErrors::new();
    if signed_by.trim().is_empty() {
        e.add("signed_by", "contract-signer-required");
    }
    match &scan {
        None => e.add("scan", "document-upload-missing"),
        Some(b) if b.len() > domain::esign::MAX_SCAN_BYTES => {
            e.add_with(
                "scan",
                "document-upload-too-large",
                domain::args![("max", 10u32)],
            );
        }
        // The PDF signature at the start of the file: a photo or a Word
        // file renamed .pdf is not an archive anyone can open later.
        Some(b) if !b.starts_with(b"%PDF-") => e.add("scan", "document-upload-not-pdf"),
        Some(_) => {}
    }
    e.into_result(|| (signed_by.trim().to_owned(), scan.unwrap_or_default()))
}

/// Finance records a contract signed on paper, with the scan of the
/// signed original.
pub async fn signed_on_paper(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<ContractId>,
    form: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> AppResult<Response> {
    let scope = ctx.scope()?;
    let contract = visible(&app, scope, id).await?;
    let back = back_to(&contract);
    let read = match form {
        Ok(form) => read_paper_form(form).await,
        Err(_) => Err(ValidationErrors::single(
            "scan",
            "document-upload-malformed",
        )),
    };
    let (signed_by, scan) = match read {
        Ok(v) => v,
        Err(v) => return flash_back(&app, &ctx, &v, &back).await,
    };
    let title = format!(
        "Scan signé — {} {}",
        contract.data.reference, contract.data.title
    );
    let scan = store::documents::NewDocument {
        links: store::documents::Links {
            kind: domain::esign::DocumentKind::PaperScan,
            mission_id: None,
            contract_id: Some(id),
            amendment_id: None,
            client_id: Some(contract.data.client_id),
            consultant_id: None,
            cra_id: None,
        },
        title: &title,
        spec: None,
        pdf: &scan,
    };
    // The scan is kept only with the signature it proves.
    let sign = async |tx: &mut Tx| -> AppResult<()> {
        let actor = ctx.actor();
        store::documents::create(tx, &actor, &scan).await?;
        let event = ContractEvent::Sign;
        store::contracts::apply(tx, &actor, scope, id, event, Some(&signed_by)).await?;
        Ok(())
    };
    write(&app, &ctx)
        .flash("contract-updated")
        .redirect(&back, sign)
        .await
}
