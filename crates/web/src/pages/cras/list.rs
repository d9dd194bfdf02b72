//! The list of reports in the reader's scope, by month and status, with the
//! boxes to validate many at once.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use domain::calendar::YearMonth;
use domain::cra::CraStatus;
use domain::mission::DayQuantity;
use serde::Deserialize;

use crate::authz::{Permission, allows};
use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::extract::Query;
use crate::view::{Layout, layout, render_status};
use crate::{AppState, i18n};

pub struct ListRow {
    pub id: String,
    pub consultant: String,
    pub month: String,
    pub status: String,
    pub status_code: &'static str,
    pub billable: String,
    pub leave: String,
    pub other: String,
    pub waiting: bool,
    pub selectable: bool,
}

#[derive(Template)]
#[template(path = "cras/list.html")]
struct ListPage {
    layout: Layout,
    rows: Vec<ListRow>,
    months: Vec<(String, String, bool)>,
    statuses: Vec<(String, String, bool)>,
    can_enter: bool,
    can_validate: bool,
    this_month: String,
    last_month: String,
    this_month_label: String,
    last_month_label: String,
    back: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    pub month: String,
    #[serde(default)]
    pub status: String,
}

pub async fn list(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let l = ctx.locale;
    let role = ctx.user()?.role;
    let today = store::today();
    let current = YearMonth::of(today);
    let month = YearMonth::parse(q.month.trim());
    let status = CraStatus::parse(q.status.trim());
    let mut tx = app.db.read().await?;
    let list = store::cras::list(
        &mut tx,
        ctx.scope()?,
        &store::cras::Filter {
            month,
            status,
            consultant: None,
        },
        500,
    )
    .await?;
    tx.commit().await?;
    let can_validate = allows(role, Permission::ValidateCras);
    let label = |m: YearMonth| m.label(l);
    let rows = list
        .iter()
        .map(|s| ListRow {
            id: s.cra.id.to_string(),
            consultant: s.cra.consultant_name.clone(),
            month: label(s.cra.month),
            status: i18n::t(l, &s.cra.status.label_key()),
            status_code: s.cra.status.as_str(),
            billable: DayQuantity::from_half_days(s.billable_half_days.max(0) as u32).format(l),
            leave: DayQuantity::from_half_days(s.leave_half_days.max(0) as u32).format(l),
            other: DayQuantity::from_half_days(s.other_half_days.max(0) as u32).format(l),
            waiting: s.clients_waiting > 0,
            selectable: can_validate && s.cra.status == CraStatus::ClientValidated,
        })
        .collect();
    let mut months = Vec::new();
    let mut m = current;
    for _ in 0..12 {
        months.push((m.to_string(), label(m), Some(m) == month));
        m = m.prev();
    }
    let statuses = CraStatus::ALL
        .iter()
        .filter(|s| **s != CraStatus::Superseded)
        .map(|s| {
            (
                s.as_str().to_owned(),
                i18n::t(l, &s.label_key()),
                Some(*s) == status,
            )
        })
        .collect();
    let page = ListPage {
        layout: layout(&app, &ctx, "cra-list-title").await?,
        rows,
        months,
        statuses,
        can_enter: allows(role, Permission::EnterCra),
        can_validate,
        this_month: current.to_string(),
        last_month: current.prev().to_string(),
        this_month_label: label(current),
        last_month_label: label(current.prev()),
        back: ctx.path.clone(),
    };
    render_status(axum::http::StatusCode::OK, &page)
}
