//! The firm's bank accounts (`/collections/bank-accounts`): list, add,
//! rename or close one. The IBAN is checked (length per country, mod 97)
//! and identifies the account.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use domain::validation::ValidationErrors;
use serde::Deserialize;
use store::Tx;
use store::bank_accounts::{self, BankAccount, BankAccountInput};

use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::extract::Form;
use crate::extract::Id;
use crate::pages::see_other;
use crate::view::{FieldErrors, Layout, layout, render_status};
use crate::write::{Done, Refused, write};
use crate::{AppState, authz};
use domain::ids::BankAccountId;

#[derive(Debug, Default, Clone, Deserialize)]
pub struct AccountForm {
    #[serde(default)]
    pub label: String,
    #[serde(default)]
    pub iban: String,
    #[serde(default)]
    pub bic: String,
    #[serde(default)]
    pub ledger_account: String,
    #[serde(default)]
    pub other_id: String,
    #[serde(default)]
    pub active: String,
}

impl AccountForm {
    fn input(&self) -> BankAccountInput {
        BankAccountInput {
            label: self.label.clone(),
            iban: self.iban.clone(),
            bic: self.bic.clone(),
            ledger_account: self.ledger_account.clone(),
            other_id: self.other_id.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "collections/bank_accounts.html")]
struct Page {
    layout: Layout,
    accounts: Vec<BankAccount>,
    can_manage: bool,
    typed: AccountForm,
    errors: FieldErrors,
    /// The account whose edit was refused, if any.
    refused_id: String,
}

async fn page(
    app: &AppState,
    ctx: &Ctx,
    refused: Option<(ValidationErrors, AccountForm, String)>,
) -> AppResult<Response> {
    let mut tx = app.db.read().await?;
    let accounts = bank_accounts::list(&mut tx).await?;
    tx.commit().await?;
    let (status, errors, typed, refused_id) = match refused {
        Some((e, t, id)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            FieldErrors::new(ctx.locale, &e),
            t,
            id,
        ),
        None => (
            StatusCode::OK,
            FieldErrors::default(),
            AccountForm {
                ledger_account: "512".into(),
                ..Default::default()
            },
            String::new(),
        ),
    };
    render_status(
        status,
        &Page {
            layout: layout(app, ctx, "bank-title").await?,
            accounts,
            can_manage: authz::allows(ctx.user()?.role, authz::Permission::ManageCollections),
            typed,
            errors,
            refused_id,
        },
    )
}

/// GET /collections/bank-accounts
pub async fn list(State(app): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    page(&app, &ctx, None).await
}

/// POST /collections/bank-accounts
pub async fn create(
    State(app): State<AppState>,
    ctx: Ctx,
    Form(f): Form<AccountForm>,
) -> AppResult<Response> {
    // An IBAN already recorded is refused beside its field, as a rule is.
    let create = async |tx: &mut Tx| -> AppResult<_> {
        Ok(bank_accounts::create(tx, &ctx.actor(), &f.input()).await?)
    };
    match write(&app, &ctx)
        .flash("bank-created-flash")
        .run(create)
        .await?
    {
        Done(_) => Ok(see_other("/collections/bank-accounts")),
        Refused(e) => page(&app, &ctx, Some((e, f, String::new()))).await,
    }
}

/// POST /collections/bank-accounts/{id}
pub async fn update(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<BankAccountId>,
    Form(f): Form<AccountForm>,
) -> AppResult<Response> {
    let update = async |tx: &mut Tx| {
        bank_accounts::update(tx, &ctx.actor(), id, &f.input(), f.active == "1").await
    };
    match write(&app, &ctx)
        .flash("bank-updated-flash")
        .run(update)
        .await?
    {
        Done(_) => Ok(see_other("/collections/bank-accounts")),
        Refused(e) => page(&app, &ctx, Some((e, f, id.to_string()))).await,
    }
}
