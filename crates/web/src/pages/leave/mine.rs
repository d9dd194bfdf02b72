//! My leave: balances of the year, my requests, and the form to ask.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use domain::cra::Half;
use domain::validation::ValidationErrors;
use serde::Deserialize;
use store::Scope;
use store::leave::Filter;

use super::balances::{BalanceRow, Balances};
use super::requests::{RequestRow, RowRefusal, place};
use super::{respond, today};
use crate::AppState;
use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::view::{FieldErrors, Layout, layout};

#[derive(Debug, Default, Deserialize)]
pub struct RequestForm {
    #[serde(default)]
    pub leave_type: String,
    #[serde(default)]
    pub start: String,
    #[serde(default)]
    pub start_half: String,
    #[serde(default)]
    pub end: String,
    #[serde(default)]
    pub end_half: String,
    #[serde(default)]
    pub comment: String,
}

#[derive(Template)]
#[template(path = "leave/mine.html")]
struct MinePage {
    layout: Layout,
    year: i32,
    balances: Vec<BalanceRow>,
    chart: Option<String>,
    rows: Vec<RequestRow>,
    alert: Option<String>,
    types: Vec<(String, String)>,
    form: RequestForm,
    errors: FieldErrors,
}

pub(super) async fn mine_page(
    app: &AppState,
    ctx: &Ctx,
    form: RequestForm,
    errors: &ValidationErrors,
    refusal: Option<RowRefusal>,
) -> AppResult<Response> {
    let l = ctx.locale;
    let user = ctx.user()?.id;
    let today = today();
    let refused = !errors.is_empty() || refusal.is_some();
    let mut tx = app.db.read().await?;
    let types = store::leave::types(&mut tx).await?;
    let balances = store::leave::balances(&mut tx, user, today.year(), today).await?;
    let requests = store::leave::list(
        &mut tx,
        Scope::Own(user),
        &Filter {
            user: Some(user),
            status: None,
        },
    )
    .await?;
    tx.commit().await?;
    let Balances {
        rows: balances,
        chart,
    } = Balances::from_balances(&balances, l);
    let mut rows: Vec<RequestRow> = requests
        .iter()
        .map(|r| RequestRow::of(r, &types, l))
        .collect();
    let alert = place(&mut rows, refusal, l);
    let page = MinePage {
        layout: layout(app, ctx, "leave-title").await?,
        year: today.year(),
        balances,
        chart,
        rows,
        alert,
        types: types
            .iter()
            .filter(|t| t.active)
            .map(|t| (t.code.clone(), t.label(l).to_owned()))
            .collect(),
        form,
        errors: FieldErrors::new(l, errors),
    };
    respond(&page, refused)
}

pub async fn mine(State(app): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let form = RequestForm {
        leave_type: "cp".into(),
        start_half: Half::Am.as_str().into(),
        end_half: Half::Pm.as_str().into(),
        ..Default::default()
    };
    mine_page(&app, &ctx, form, &ValidationErrors::new(), None).await
}
