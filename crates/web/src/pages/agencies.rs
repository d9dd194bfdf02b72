//! Agencies: the list, with the form to add one beside it.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use domain::ids::AgencyId;
use domain::validation::ValidationErrors;
use store::Tx;
use store::agencies::{Agency, AgencyInput};

use super::see_other;
use crate::AppState;
use crate::authz::{Permission, allows};
use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::extract::{Form, Id};
use crate::view::{FieldErrors, Layout, layout, render, render_status};
use crate::write::{Done, Refused, flash_back, write};

#[derive(Template)]
#[template(path = "agencies/list.html")]
struct ListPage {
    layout: Layout,
    agencies: Vec<Agency>,
    can_edit: bool,
    form: AgencyInput,
    errors: FieldErrors,
}

async fn page(
    app: &AppState,
    ctx: &Ctx,
    form: AgencyInput,
    errors: &ValidationErrors,
) -> AppResult<Response> {
    let mut tx = app.db.read().await?;
    let agencies = store::agencies::list(&mut tx).await?;
    tx.commit().await?;
    let page = ListPage {
        layout: layout(app, ctx, "agencies-title").await?,
        agencies,
        can_edit: allows(ctx.user()?.role, Permission::EditAgencies),
        form,
        errors: FieldErrors::new(ctx.locale, errors),
    };
    if errors.is_empty() {
        render(&page)
    } else {
        render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
    }
}

pub async fn list(State(app): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    page(&app, &ctx, AgencyInput::default(), &ValidationErrors::new()).await
}

pub async fn create(
    State(app): State<AppState>,
    ctx: Ctx,
    Form(input): Form<AgencyInput>,
) -> AppResult<Response> {
    let data = match input.validate() {
        Ok(d) => d,
        Err(errors) => return page(&app, &ctx, input, &errors).await,
    };
    let create = async |tx: &mut Tx| -> AppResult<_> {
        Ok(store::agencies::create(tx, &ctx.actor(), &data).await?)
    };
    match write(&app, &ctx)
        .flash("agency-created")
        .run(create)
        .await?
    {
        Done(_) => Ok(see_other("/agencies")),
        Refused(errors) => page(&app, &ctx, input, &errors).await,
    }
}

/// Renames an agency or changes its city, from its row's inline form: a
/// refusal comes back as the page's message.
pub async fn update(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<AgencyId>,
    Form(input): Form<AgencyInput>,
) -> AppResult<Response> {
    let data = match input.validate() {
        Ok(d) => d,
        Err(errors) => return flash_back(&app, &ctx, &errors, "/agencies").await,
    };
    write(&app, &ctx)
        .flash("agency-updated")
        .redirect("/agencies", async |tx: &mut Tx| -> AppResult<_> {
            Ok(store::agencies::update(tx, &ctx.actor(), id, &data).await?)
        })
        .await
}
