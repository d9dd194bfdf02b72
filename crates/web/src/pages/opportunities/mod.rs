//! The CRM's opportunities: the list (filters, sort, paging), the kanban
//! (a column per stage with its count, value and weighted value, cards
//! moved by plain forms), the form, the detail page and its commands.

pub mod account_map;
pub mod account_plan;
pub mod foisonnement;
mod form;
pub mod pipeline;
mod positionings;
mod show;
pub mod views;

pub use form::{create, edit, new, update};
pub use positionings::{answer, position};
pub use show::{renewal, show, stage, win};

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use domain::Locale;
use domain::crm::{OpportunityKind, Source, StageSet};
use domain::ids::CompanyId;
use domain::paging::PageRequest;
use serde::Deserialize;
use store::opportunities::{Opportunity, OpportunityFilter, Sort};

use crate::api::opportunities::{OpportunityFilterParams, filter_of};
use crate::authz::{Permission, allows};
use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::extract::Query;
use crate::view::{Layout, Pager, layout, render};
use crate::{AppState, i18n};

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub stage: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub business_manager_id: String,
    /// The account, from a link (its page, its map, its plan).
    #[serde(default)]
    pub client_id: String,
    /// The account's id or words of its name, typed or picked in the
    /// filter's picker.
    #[serde(default)]
    pub client: String,
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub start_from: String,
    #[serde(default)]
    pub start_to: String,
    #[serde(default)]
    pub sort: String,
    #[serde(default)]
    pub order: String,
    pub page: Option<u32>,
    /// Every opportunity, even when the user has a default view.
    #[serde(default)]
    pub all: String,
}

impl ListQuery {
    fn pairs(&self) -> Vec<(&'static str, String)> {
        vec![
            ("q", self.q.clone()),
            ("stage", self.stage.clone()),
            ("kind", self.kind.clone()),
            ("business_manager_id", self.business_manager_id.clone()),
            ("client_id", self.client_id.clone()),
            ("client", self.client.clone()),
            ("source", self.source.clone()),
            ("start_from", self.start_from.clone()),
            ("start_to", self.start_to.clone()),
            ("sort", self.sort.clone()),
            ("order", self.order.clone()),
        ]
    }

    /// The filter; a value that is none (a forged link) is ignored on a
    /// page rather than refused, the page then shows every opportunity.
    fn filter(&self) -> (OpportunityFilter, Sort, bool) {
        let opt = |s: &String| Some(s.clone()).filter(|s| !s.trim().is_empty());
        // A picked suggestion may come back as an id, as on the invoices.
        let (client_id, client) = match CompanyId::parse(self.client.trim()) {
            Some(_) => (opt(&self.client), None),
            None => (opt(&self.client_id), opt(&self.client)),
        };
        let params = OpportunityFilterParams {
            stage: opt(&self.stage),
            kind: opt(&self.kind),
            business_manager_id: opt(&self.business_manager_id),
            client_id,
            client,
            source: opt(&self.source),
            start_from: opt(&self.start_from),
            start_to: opt(&self.start_to),
            sort: opt(&self.sort),
            order: opt(&self.order),
        };
        filter_of(&params, opt(&self.q))
            .unwrap_or_else(|_| (OpportunityFilter::default(), Sort::default(), false))
    }
}

/// The select options every opportunity page offers.
pub struct Options {
    pub stages: Vec<(String, String)>,
    pub kinds: Vec<(&'static str, String)>,
    pub sources: Vec<(&'static str, String)>,
    pub managers: Vec<(String, String)>,
    /// What the account picker shows: the name of the account a link
    /// asked for, else what was typed. A firm has thousands of accounts:
    /// the picker suggests them as one types rather than listing them.
    pub client: String,
}

/// The clients and prospects the user sees, by name, for the form's select
/// (at most 1 000 of each kind: `store::companies::options`).
async fn accounts(tx: &mut store::Tx, ctx: &Ctx) -> AppResult<Vec<(String, String)>> {
    let scope = ctx.scope()?;
    let mut companies = Vec::new();
    for kind in [
        domain::company::CompanyKind::Client,
        domain::company::CompanyKind::Prospect,
    ] {
        companies.extend(
            store::companies::options(tx, scope, Some(kind))
                .await?
                .into_iter()
                .map(|(id, name)| (id.to_string(), name)),
        );
    }
    companies.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(companies)
}

async fn options(
    tx: &mut store::Tx,
    ctx: &Ctx,
    stages: &StageSet,
    q: &ListQuery,
) -> AppResult<Options> {
    let l = ctx.locale;
    let linked = [&q.client_id, &q.client]
        .into_iter()
        .find_map(|s| CompanyId::parse(s.trim()));
    let client = match linked {
        Some(id) => match store::companies::get(tx, ctx.scope()?, id).await {
            Ok(c) => c.data.name,
            Err(store::Error::NotFound) => String::new(),
            Err(e) => return Err(e.into()),
        },
        None => q.client.trim().to_owned(),
    };
    Ok(Options {
        stages: stages
            .stages()
            .iter()
            .map(|s| (s.code.to_string(), s.label.clone()))
            .collect(),
        kinds: OpportunityKind::ALL
            .iter()
            .map(|k| (k.as_str(), i18n::t(l, &k.label_key())))
            .collect(),
        sources: Source::ALL
            .iter()
            .map(|s| (s.as_str(), i18n::t(l, &s.label_key())))
            .collect(),
        managers: super::missions::users_with(tx, store::users::MANAGER_ROLES).await?,
        client,
    })
}

/// One opportunity as the list and the kanban show it.
pub struct Card {
    pub id: String,
    pub title: String,
    pub client: String,
    pub stage_label: String,
    pub start: String,
    pub expected: String,
    pub weighted: String,
    pub probability: String,
    pub manager: String,
    /// The kanban's moves: (stage code, its label).
    pub previous: Option<(String, String)>,
    pub next: Option<(String, String)>,
}

fn card(o: &Opportunity, stages: &StageSet, l: Locale) -> Card {
    let step = |s: Option<&domain::crm::Stage>| s.map(|s| (s.code.to_string(), s.label.clone()));
    let open = o.outcome == domain::crm::Outcome::Open;
    Card {
        id: o.id.to_string(),
        title: o.data.title.clone(),
        client: o.client_name.clone(),
        stage_label: o.stage_label.clone(),
        start: domain::locale::format_date(o.data.start_date, l),
        expected: o.expected.format(l),
        weighted: o.weighted.format(l),
        probability: o.probability.format(l),
        manager: o.business_manager_name.clone(),
        previous: if open {
            step(stages.previous_open(&o.standing.stage))
        } else {
            None
        },
        next: if open {
            step(stages.next_open(&o.standing.stage))
        } else {
            None
        },
    }
}

#[derive(Template)]
#[template(path = "opportunities/list.html")]
struct ListPage {
    layout: Layout,
    f: ListQuery,
    o: Options,
    sorts: Vec<(&'static str, String)>,
    rows: Vec<Card>,
    pager: Pager,
    can_edit: bool,
    views: views::Block,
}

impl ListQuery {
    /// Nothing asked: no filter, no page, not "all".
    fn is_bare(&self) -> bool {
        self.page.is_none() && self.all.is_empty() && self.pairs().iter().all(|(_, v)| v.is_empty())
    }
}

pub async fn list(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    // Coming to the list without parameters opens the user's default view.
    if q.is_bare() {
        let mut tx = app.db.read().await?;
        let to = views::default_href(&mut tx, &ctx).await?;
        tx.commit().await?;
        if let Some(to) = to {
            return Ok(super::see_other(&to));
        }
    }
    list_page(&app, &ctx, q, views::Typed::default()).await
}

/// The list, with a refused view form's state when there is one.
async fn list_page(
    app: &AppState,
    ctx: &Ctx,
    q: ListQuery,
    typed: views::Typed,
) -> AppResult<Response> {
    let scope = ctx.scope()?;
    let (filter, sort, descending) = q.filter();
    let mut tx = app.db.read().await?;
    let stages = store::opportunities::stages(&mut tx).await?;
    let paged = store::opportunities::list(
        &mut tx,
        scope,
        &filter,
        sort,
        descending,
        PageRequest::new(q.page, None),
    )
    .await?;
    let o = options(&mut tx, ctx, &stages, &q).await?;
    let saved = store::opportunities::views::visible(&mut tx, ctx.user()?.id).await?;
    tx.commit().await?;
    let refused = !typed.errors.is_empty();
    let views = views::block(ctx, &q, &saved, typed)?;
    let rows = paged
        .items
        .iter()
        .map(|x| card(x, &stages, ctx.locale))
        .collect();
    let pager = Pager::new(&paged, "/opportunities", &q.pairs());
    let page = ListPage {
        layout: layout(app, ctx, "opportunities-title").await?,
        can_edit: allows(ctx.user()?.role, Permission::EditOpportunities),
        sorts: Sort::ALL
            .iter()
            .map(|s| {
                (
                    s.as_str(),
                    i18n::t(
                        ctx.locale,
                        &format!("opportunity-sort-{}", s.as_str().replace('_', "-")),
                    ),
                )
            })
            .collect(),
        f: q,
        o,
        rows,
        pager,
        views,
    };
    if refused {
        crate::view::render_status(axum::http::StatusCode::UNPROCESSABLE_ENTITY, &page)
    } else {
        render(&page)
    }
}

/// A column of the kanban, ready to show.
pub struct ColumnView {
    pub code: String,
    pub label: String,
    pub count: u64,
    pub expected: String,
    pub weighted: String,
    pub cards: Vec<Card>,
    /// More than the cards shown: a link to the list at this stage.
    pub more: bool,
}

#[derive(Template)]
#[template(path = "opportunities/kanban.html")]
struct KanbanPage {
    layout: Layout,
    f: ListQuery,
    o: Options,
    columns: Vec<ColumnView>,
    can_edit: bool,
}

/// Cards per column: the rest is one click away, on the list.
const CARDS: u32 = 20;

pub async fn kanban(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let scope = ctx.scope()?;
    let (mut filter, _, _) = q.filter();
    // Every stage is a column: the stage filter is the list's.
    filter.stage = None;
    let mut tx = app.db.read().await?;
    let stages = store::opportunities::stages(&mut tx).await?;
    let columns = store::opportunities::kanban(&mut tx, scope, &filter, CARDS).await?;
    let o = options(&mut tx, &ctx, &stages, &q).await?;
    tx.commit().await?;
    let l = ctx.locale;
    let columns = columns
        .into_iter()
        .map(|c| ColumnView {
            code: c.stage.code.to_string(),
            label: c.stage.label.clone(),
            count: c.count,
            expected: c.expected.format(l),
            weighted: c.weighted.format(l),
            more: c.count > c.cards.len() as u64,
            cards: c.cards.iter().map(|x| card(x, &stages, l)).collect(),
        })
        .collect();
    render(&KanbanPage {
        layout: layout(&app, &ctx, "opportunities-kanban").await?,
        can_edit: allows(ctx.user()?.role, Permission::EditOpportunities),
        f: q,
        o,
        columns,
    })
}
