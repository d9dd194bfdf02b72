//! The portfolio of a mission or of an account (client company): its
//! business managers over dated periods with their shares, who owns it
//! today, and (direction, admin) the form that sets them. A refusal comes
//! back with the message beside the field of its row, or above the table
//! when the periods do not fit together (422), nothing written.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use domain::Locale;
use domain::ids::{CompanyId, MissionId};
use domain::locale::format_date;
use domain::people::portfolio::{self, PortfolioPeriodInput};
use domain::validation::ValidationErrors;
use store::portfolio::{Holder, PortfolioLine};
use store::{Scope, Tx};

use crate::authz::{Permission, allows};
use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::extract::{Form, Id};
use crate::pages::see_other;
use crate::view::{FieldErrors, Layout, layout, render, render_status};
use crate::write::{Done, Refused, write};
use crate::{AppState, i18n};

/// Blank rows offered under the periods, to add some.
const BLANK_ROWS: usize = 2;

pub struct LineView {
    pub manager: String,
    pub from: String,
    pub to: String,
    pub share: String,
}

/// One row of the form, as typed, with the messages beside its fields.
pub struct RowView {
    pub n: usize,
    pub input: PortfolioPeriodInput,
    pub bm_error: Option<String>,
    pub from_error: Option<String>,
    pub to_error: Option<String>,
    pub share_error: Option<String>,
}

#[derive(Template)]
#[template(path = "missions/portfolio.html")]
struct PortfolioPage {
    layout: Layout,
    /// The page of the mission or the account.
    back: String,
    /// This page, where the form posts.
    action: String,
    title: String,
    lines: Vec<LineView>,
    today: String,
    can_edit: bool,
    managers: Vec<(String, String)>,
    rows: Vec<RowView>,
    /// Why the periods do not fit together, above the table.
    whole_error: Option<String>,
}

/// Today's owners as words: "Bruno Martin (70 %), Farid Farmer (30 %)".
pub fn owners_today(lines: &[PortfolioLine], l: Locale) -> String {
    let periods: Vec<_> = lines.iter().map(|x| x.period).collect();
    let owners = portfolio::owners_on(&periods, store::today());
    if owners.is_empty() {
        return i18n::t(l, "portfolio-nobody-today");
    }
    owners
        .iter()
        .map(|(bm, share)| {
            let name = lines
                .iter()
                .find(|x| x.period.bm_id == *bm)
                .map(|x| x.business_manager_name.as_str())
                .unwrap_or_default();
            format!("{name} ({})", share.format(l))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whose portfolio a page is about, read through the scope: a mission or
/// an account the user may not see is not found.
struct Subject {
    title: String,
    back: String,
}

async fn subject(tx: &mut Tx, scope: Scope, holder: Holder) -> AppResult<Subject> {
    let title = match holder {
        Holder::Mission(id) => store::missions::get(tx, scope, id).await?.data.title,
        Holder::Company(id) => store::companies::get(tx, scope, id).await?.data.name,
    };
    Ok(Subject {
        title,
        back: back_of(holder),
    })
}

/// The page of the mission or the account.
fn back_of(holder: Holder) -> String {
    match holder {
        Holder::Mission(id) => format!("/missions/{id}"),
        Holder::Company(id) => format!("/companies/{id}"),
    }
}

async fn page(
    app: &AppState,
    ctx: &Ctx,
    holder: Holder,
    typed: Option<(Vec<PortfolioPeriodInput>, ValidationErrors)>,
) -> AppResult<Response> {
    let l = ctx.locale;
    let mut tx = app.db.read().await?;
    let subject = subject(&mut tx, ctx.scope()?, holder).await?;
    let lines = store::portfolio::of(&mut tx, holder).await?;
    let managers = super::missions::users_with(&mut tx, store::users::MANAGER_ROLES).await?;
    tx.commit().await?;
    let refused = typed.is_some();
    let (inputs, errors) = typed.unwrap_or_else(|| {
        let mut inputs: Vec<PortfolioPeriodInput> =
            lines.iter().map(|x| x.period.to_input()).collect();
        inputs.extend((0..BLANK_ROWS).map(|_| PortfolioPeriodInput::default()));
        (inputs, ValidationErrors::new())
    });
    let mut inputs = inputs;
    if refused {
        inputs.extend((0..BLANK_ROWS).map(|_| PortfolioPeriodInput::default()));
    }
    let fe = FieldErrors::new(l, &errors);
    let at = |i: usize, f: &str| fe.get(&format!("periods[{i}].{f}")).map(str::to_owned);
    let rows = inputs
        .into_iter()
        .enumerate()
        .map(|(i, input)| RowView {
            n: i + 1,
            bm_error: at(i, "bm_id"),
            from_error: at(i, "from"),
            to_error: at(i, "to"),
            share_error: at(i, "share"),
            input,
        })
        .collect();
    let p = PortfolioPage {
        layout: layout(app, ctx, "portfolio-title").await?,
        action: format!("{}/portfolio", subject.back),
        back: subject.back,
        title: subject.title,
        today: owners_today(&lines, l),
        lines: lines
            .iter()
            .map(|x| LineView {
                manager: x.business_manager_name.clone(),
                from: format_date(x.period.from, l),
                to: x
                    .period
                    .to
                    .map(|d| format_date(d, l))
                    .unwrap_or_else(|| "—".into()),
                share: x.period.share.format(l),
            })
            .collect(),
        can_edit: allows(ctx.user()?.role, Permission::EditPortfolio),
        managers,
        rows,
        whole_error: fe.get("periods").map(str::to_owned),
    };
    if refused {
        render_status(StatusCode::UNPROCESSABLE_ENTITY, &p)
    } else {
        render(&p)
    }
}

/// GET /missions/{id}/portfolio
pub async fn show(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<MissionId>,
) -> AppResult<Response> {
    page(&app, &ctx, Holder::Mission(id), None).await
}

/// GET /companies/{id}/portfolio
pub async fn company_show(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<CompanyId>,
) -> AppResult<Response> {
    page(&app, &ctx, Holder::Company(id), None).await
}

/// The rows typed: `bm_id`, `from`, `to`, `share` repeated in order;
/// rows left entirely blank are dropped.
fn read_rows(fields: Vec<(String, String)>) -> Vec<PortfolioPeriodInput> {
    let mut rows: Vec<PortfolioPeriodInput> = Vec::new();
    let mut current = PortfolioPeriodInput::default();
    let mut seen = 0;
    for (k, v) in fields {
        match k.as_str() {
            "bm_id" => current.bm_id = v,
            "from" => current.from = v,
            "to" => current.to = v,
            "share" => current.share = v,
            _ => continue,
        }
        seen += 1;
        if seen == 4 {
            rows.push(std::mem::take(&mut current));
            seen = 0;
        }
    }
    rows.retain(|r| {
        ![&r.bm_id, &r.from, &r.to, &r.share]
            .iter()
            .all(|s| s.trim().is_empty())
    });
    rows
}

/// POST /missions/{id}/portfolio
pub async fn save(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<MissionId>,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    save_for(&app, &ctx, Holder::Mission(id), fields).await
}

/// POST /companies/{id}/portfolio
pub async fn company_save(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<CompanyId>,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    save_for(&app, &ctx, Holder::Company(id), fields).await
}

async fn save_for(
    app: &AppState,
    ctx: &Ctx,
    holder: Holder,
    fields: Vec<(String, String)>,
) -> AppResult<Response> {
    let rows = read_rows(fields);
    let periods = match store::portfolio::validate(&rows) {
        Ok(p) => p,
        Err(e) => return page(app, ctx, holder, Some((rows, e))).await,
    };
    let scope = ctx.scope()?;
    match write(app, ctx)
        .flash("portfolio-saved-flash")
        .run(async |tx| -> AppResult<_> {
            subject(tx, scope, holder).await?;
            Ok(
                store::portfolio::replace(tx, &ctx.actor(), holder, &periods, store::today())
                    .await?,
            )
        })
        .await?
    {
        Done(_) => Ok(see_other(&format!("{}/portfolio", back_of(holder)))),
        Refused(e) => page(app, ctx, holder, Some((rows, e))).await,
    }
}
