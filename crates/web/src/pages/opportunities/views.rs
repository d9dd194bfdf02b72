//! Saved views on the opportunity list: the tabs above the filters (the
//! user's own views, then those shared with the firm, the one on screen
//! marked), saving the filters on screen under a name, renaming, choosing
//! the default and deleting. The rules are the API's
//! (`api::opportunity_views`): the same query check, the same store.

use axum::extract::State;
use axum::response::Response;
use domain::crm::saved_view::{self, ViewName};
use domain::ids::OpportunityViewId;
use domain::validation::ValidationErrors;
use serde::Deserialize;
use store::opportunities::views::{NewView, View, ViewChange};

use super::ListQuery;
use crate::AppState;
use crate::api::opportunity_views::{checked_query, href, may_share};
use crate::authz::{Permission, allows};
use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::extract::{Form, Id};
use crate::pages::see_other;
use crate::view::FieldErrors;
use crate::write::{Done, Refused, write};

/// A view as a tab.
pub struct Tab {
    pub id: String,
    pub name: String,
    pub href: String,
    pub current: bool,
    pub mine: bool,
    pub shared: bool,
    pub is_default: bool,
    /// Who shared it, for a view of someone else's.
    pub owner: String,
}

/// The views block of the list: the tabs and the forms' state.
pub struct Block {
    pub tabs: Vec<Tab>,
    /// No view matches the filters on screen and none is set: "all".
    pub all_current: bool,
    /// The filters on screen, as a view would keep them.
    pub query: String,
    pub can_share: bool,
    /// A refused save or rename: the name typed, and which view (empty:
    /// the new one).
    pub name: String,
    pub editing: String,
    pub errors: FieldErrors,
}

/// What a refused form sends back to the list.
#[derive(Default)]
pub struct Typed {
    pub name: String,
    pub editing: Option<OpportunityViewId>,
    pub errors: ValidationErrors,
}

/// The filters on screen, as a view keeps them (the list's own
/// parameters, blanks left out, in one order).
pub fn current_query(q: &ListQuery) -> String {
    let pairs: Vec<(String, String)> = q
        .pairs()
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
    saved_view::parameters(&pairs)
        .ok()
        .and_then(|kept| serde_urlencoded::to_string(kept).ok())
        .unwrap_or_default()
}

pub fn block(ctx: &Ctx, q: &ListQuery, views: &[View], typed: Typed) -> AppResult<Block> {
    let user = ctx.user()?;
    let query = current_query(q);
    let tabs: Vec<Tab> = views
        .iter()
        .map(|v| Tab {
            id: v.id.to_string(),
            name: v.name.clone(),
            href: href(&v.query),
            current: v.query == query,
            mine: v.owner_id == user.id,
            shared: v.shared,
            is_default: v.is_default && v.owner_id == user.id,
            owner: v.owner_name.clone(),
        })
        .collect();
    Ok(Block {
        all_current: query.is_empty() && !tabs.iter().any(|t| t.current),
        tabs,
        query,
        can_share: allows(user.role, Permission::ShareOpportunityViews),
        name: typed.name,
        editing: typed.editing.map(|i| i.to_string()).unwrap_or_default(),
        errors: FieldErrors::new(ctx.locale, &typed.errors),
    })
}

/// The list's address when a user comes without any parameter and chose
/// a default view (a default with no filter is the list itself).
pub async fn default_href(tx: &mut store::Tx, ctx: &Ctx) -> AppResult<Option<String>> {
    let v = store::opportunities::views::default_of(tx, ctx.user()?.id).await?;
    Ok(v.filter(|v| !v.query.is_empty()).map(|v| href(&v.query)))
}

#[derive(Debug, Default, Deserialize)]
pub struct SaveForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub query: String,
    /// Checkboxes: present when ticked.
    pub shared: Option<String>,
    pub is_default: Option<String>,
}

/// The list the form was sent from, with the refusal.
async fn refused(app: &AppState, ctx: &Ctx, query: &str, typed: Typed) -> AppResult<Response> {
    let q: ListQuery = serde_urlencoded::from_str(query).unwrap_or_default();
    super::list_page(app, ctx, q, typed).await
}

/// Saves the filters on screen under a name, then shows them.
pub async fn create(
    State(app): State<AppState>,
    ctx: Ctx,
    Form(f): Form<SaveForm>,
) -> AppResult<Response> {
    let user = ctx.user()?.id;
    let shared = f.shared.is_some();
    may_share(&ctx, Some(shared))?;
    let mut e = ValidationErrors::new();
    let name = ViewName::parse(&f.name).map_err(|v| e.0.extend(v.0)).ok();
    let query = checked_query(&f.query).map_err(|v| e.0.extend(v.0)).ok();
    let (Some(name), Some(query)) = (name, query) else {
        let typed = Typed {
            name: f.name.clone(),
            editing: None,
            errors: e,
        };
        return refused(&app, &ctx, &f.query, typed).await;
    };
    let v = NewView {
        name,
        query: query.clone(),
        shared,
        is_default: f.is_default.is_some(),
    };
    match write(&app, &ctx)
        .flash("opportunity-view-saved")
        .run(async |tx| store::opportunities::views::create(tx, user, &v).await)
        .await?
    {
        Done(_) => Ok(see_other(&href(&query))),
        Refused(errors) => {
            let typed = Typed {
                name: f.name.clone(),
                editing: None,
                errors,
            };
            refused(&app, &ctx, &f.query, typed).await
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct ChangeForm {
    /// A new name (absent: kept).
    pub name: Option<String>,
    /// `true` or `false` (absent: kept).
    pub is_default: Option<String>,
    pub shared: Option<String>,
}

fn flag(v: &Option<String>) -> Option<bool> {
    v.as_deref().map(|s| s == "true")
}

/// Renames a view, makes it the default (or not), shares it (or not).
pub async fn update(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<OpportunityViewId>,
    Form(f): Form<ChangeForm>,
) -> AppResult<Response> {
    let user = ctx.user()?.id;
    may_share(&ctx, flag(&f.shared))?;
    let name = match f.name.as_deref().map(ViewName::parse) {
        None => None,
        Some(Ok(n)) => Some(n),
        Some(Err(errors)) => {
            let typed = Typed {
                name: f.name.clone().unwrap_or_default(),
                editing: Some(id),
                errors,
            };
            return refused(&app, &ctx, "", typed).await;
        }
    };
    let change = ViewChange {
        name,
        query: None,
        shared: flag(&f.shared),
        is_default: flag(&f.is_default),
    };
    match write(&app, &ctx)
        .flash("opportunity-view-changed")
        .run(async |tx| store::opportunities::views::update(tx, user, id, &change).await)
        .await?
    {
        Done(v) => Ok(see_other(&href(&v.query))),
        Refused(errors) => {
            let typed = Typed {
                name: f.name.clone().unwrap_or_default(),
                editing: Some(id),
                errors,
            };
            refused(&app, &ctx, "", typed).await
        }
    }
}

/// Deletes one of the user's views, then the whole list.
pub async fn delete(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<OpportunityViewId>,
) -> AppResult<Response> {
    let user = ctx.user()?.id;
    write(&app, &ctx)
        .flash("opportunity-view-deleted")
        .redirect("/opportunities?all=1", async |tx| {
            store::opportunities::views::delete(tx, user, id).await
        })
        .await
}
