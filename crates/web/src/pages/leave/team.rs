//! The team's requests: the approval queue (oldest first, each with what
//! the person has left of the type asked) and the decisions taken.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use domain::ids::UserId;
use domain::leave::LeaveStatus;
use serde::Deserialize;
use store::leave::{Filter, LeaveRequest, TypeBalance};

use super::requests::{RequestRow, RowRefusal, place};
use super::{respond, today};
use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::extract::Query;
use crate::view::{Layout, layout};
use crate::{AppState, i18n};

#[derive(Debug, Default, Deserialize)]
pub struct TeamQuery {
    #[serde(default)]
    pub status: String,
}

#[derive(Template)]
#[template(path = "leave/team.html")]
struct TeamPage {
    layout: Layout,
    status: String,
    statuses: Vec<(&'static str, String)>,
    show_pending: bool,
    pending: Vec<RequestRow>,
    show_decided: bool,
    decided: Vec<RequestRow>,
    alert: Option<String>,
}

/// Decisions shown under the queue when no status is chosen.
const RECENT_DECISIONS: usize = 50;

/// The queue, oldest period first, and the decisions, latest first (only
/// the recent ones when no status is chosen).
fn order<'a>(
    queue: &'a [LeaveRequest],
    decisions: &'a [LeaveRequest],
    filter: Option<LeaveStatus>,
) -> (Vec<&'a LeaveRequest>, Vec<&'a LeaveRequest>) {
    let mut waiting: Vec<&LeaveRequest> = queue.iter().collect();
    let mut done: Vec<&LeaveRequest> = decisions
        .iter()
        .filter(|r| r.status != LeaveStatus::Requested)
        .collect();
    waiting.sort_by_key(|r| (r.period.start, r.created_at));
    done.sort_by(|a, b| {
        b.decided_at
            .cmp(&a.decided_at)
            .then(b.period.start.cmp(&a.period.start))
    });
    if filter.is_none() {
        done.truncate(RECENT_DECISIONS);
    }
    (waiting, done)
}

pub(super) async fn team_page(
    app: &AppState,
    ctx: &Ctx,
    status: &str,
    refusal: Option<RowRefusal>,
) -> AppResult<Response> {
    let l = ctx.locale;
    let filter = LeaveStatus::parse(status);
    let refused = refusal.is_some();
    let today = today();
    let mut tx = app.db.read().await?;
    let types = store::leave::types(&mut tx).await?;
    let scope = ctx.scope()?;
    let of = |status| Filter { user: None, status };
    // The queue is read on its own, so older decisions never crowd it out.
    let queue = match filter {
        None | Some(LeaveStatus::Requested) => {
            store::leave::list(&mut tx, scope, &of(Some(LeaveStatus::Requested))).await?
        }
        Some(_) => Vec::new(),
    };
    let decisions = match filter {
        Some(LeaveStatus::Requested) => Vec::new(),
        other => store::leave::list(&mut tx, scope, &of(other)).await?,
    };
    let (waiting, done) = order(&queue, &decisions, filter);
    // What each person has left of the type asked, for the approver.
    let mut pending = Vec::new();
    let mut known: Vec<((UserId, i32), Vec<TypeBalance>)> = Vec::new();
    for r in &waiting {
        let key = (r.user_id, r.period.start.year());
        if !known.iter().any(|(k, _)| *k == key) {
            let b = store::leave::balances(&mut tx, key.0, key.1, today).await?;
            known.push((key, b));
        }
        let mut line = RequestRow::of(r, &types, l);
        if let Some((_, b)) = known.iter().find(|(k, _)| *k == key) {
            line = line.with_balance(r, b, key.1, l);
        }
        pending.push(line);
    }
    tx.commit().await?;
    let decided: Vec<RequestRow> = done.iter().map(|r| RequestRow::of(r, &types, l)).collect();
    // A request decided meanwhile is no longer in the queue: its refusal
    // shows above the lists.
    let alert = place(&mut pending, refusal, l);
    let page = TeamPage {
        layout: layout(app, ctx, "leave-team-title").await?,
        status: status.to_owned(),
        statuses: LeaveStatus::ALL
            .iter()
            .map(|s| (s.as_str(), i18n::t(l, &s.label_key())))
            .collect(),
        show_pending: filter.is_none_or(|s| s == LeaveStatus::Requested),
        pending,
        show_decided: filter.is_none_or(|s| s != LeaveStatus::Requested),
        decided,
        alert,
    };
    respond(&page, refused)
}

pub async fn team(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<TeamQuery>,
) -> AppResult<Response> {
    team_page(&app, &ctx, &q.status, None).await
}
