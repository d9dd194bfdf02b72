//! What every page shares: the layout (navigation by role, flash message,
//! language), formatting in the user's language, rendering and error pages.

use std::collections::HashMap;

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use domain::Locale;
use domain::validation::ValidationErrors;
use serde::{Deserialize, Serialize};

use crate::authz::{Permission, allows};
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::{AppState, i18n};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FlashKind {
    Success,
    Error,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Flash {
    pub kind: FlashKind,
    pub key: String,
    /// A message already put in the user's words (several facts with their
    /// values), shown instead of `key`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

impl Flash {
    /// A success message, by translation key.
    pub fn success(key: &str) -> Flash {
        Flash::new(FlashKind::Success, key)
    }

    /// An error message, by translation key.
    pub fn error(key: &str) -> Flash {
        Flash::new(FlashKind::Error, key)
    }

    /// A message by translation key.
    pub fn new(kind: FlashKind, key: &str) -> Flash {
        Flash {
            kind,
            key: key.to_string(),
            text: None,
        }
    }

    /// A message already put in the user's words.
    pub fn text(kind: FlashKind, text: String) -> Flash {
        Flash {
            kind,
            key: String::new(),
            text: Some(text),
        }
    }
}

pub struct NavItem {
    pub href: &'static str,
    pub label: String,
    pub current: bool,
}

/// A group of the menu: a trade's pages under its name, or one page on its
/// own (`label` none: the home page, one's account, or a group the role
/// reaches only one page of).
pub struct NavGroup {
    pub label: Option<String>,
    /// The group's id in the page (`nav-billing`), for its disclosure.
    pub key: &'static str,
    pub items: Vec<NavItem>,
    /// It holds the page shown.
    pub current: bool,
}

pub struct Layout {
    pub locale: Locale,
    pub title: String,
    pub user_name: Option<String>,
    pub user_role: Option<String>,
    pub company_name: Option<String>,
    pub csrf: String,
    pub flash: Option<(FlashKind, String)>,
    pub nav: Vec<NavGroup>,
    pub path: String,
}

impl Layout {
    pub fn t(&self, key: &str) -> String {
        i18n::t(self.locale, key)
    }

    pub fn ta(&self, key: &str, name: &str, value: &str) -> String {
        i18n::t_args(self.locale, key, &[(name, value.to_string())])
    }

    pub fn lang(&self) -> &'static str {
        self.locale.as_str()
    }

    pub fn date(&self, d: &time::OffsetDateTime) -> String {
        domain::locale::format_date(d.date(), self.locale)
    }

    pub fn datetime(&self, d: &time::OffsetDateTime) -> String {
        domain::locale::format_datetime(*d, self.locale)
    }

    pub fn number<N: std::borrow::Borrow<u64>>(&self, n: N) -> String {
        domain::locale::format_int(*n.borrow() as i64, self.locale)
    }

    pub fn is_success(&self) -> bool {
        matches!(self.flash, Some((FlashKind::Success, _)))
    }
}

/// One page of the menu: its address, its label's key and the permission
/// of its route (none: any signed-in user).
type MenuPage = (&'static str, &'static str, Option<Permission>);

/// The menu, grouped by the trade. Each page carries the permission of its
/// route in the router, so a role is shown exactly the pages it may open
/// (a test walks every role's menu through the router).
pub const MENU: &[(&str, &[MenuPage])] = &[
    ("", &[("/", "nav-home", None)]),
    (
        "nav-group-commerce",
        &[
            (
                "/companies",
                "nav-companies",
                Some(Permission::BrowseDirectory),
            ),
            (
                "/contacts",
                "nav-contacts",
                Some(Permission::BrowseDirectory),
            ),
            (
                "/opportunities",
                "nav-opportunities",
                Some(Permission::ViewOpportunities),
            ),
            (
                "/meetings",
                "nav-meetings",
                Some(Permission::ViewOpportunities),
            ),
            ("/my-day", "nav-my-day", Some(Permission::LogActivities)),
            (
                "/activities",
                "nav-activities",
                Some(Permission::ViewOpportunities),
            ),
            ("/missions", "nav-missions", Some(Permission::ViewMissions)),
            ("/renewals", "nav-renewals", Some(Permission::ViewRenewals)),
            ("/margins", "nav-margins", Some(Permission::ViewMargins)),
            (
                "/documents",
                "nav-documents",
                Some(Permission::ViewDocuments),
            ),
        ],
    ),
    (
        "nav-group-delivery",
        &[
            ("/cras", "nav-cras", Some(Permission::ViewCras)),
            (
                "/cras/late",
                "nav-cras-late",
                Some(Permission::ViewLateCras),
            ),
            ("/leave", "nav-leave", Some(Permission::RequestLeave)),
            (
                "/leave/team",
                "nav-leave-team",
                Some(Permission::ApproveLeave),
            ),
        ],
    ),
    (
        "nav-group-billing",
        &[
            (
                "/cras/billable",
                "nav-billable",
                Some(Permission::ViewBillable),
            ),
            ("/invoices", "nav-invoices", Some(Permission::ViewInvoices)),
            (
                "/invoices/waiting",
                "nav-invoices-waiting",
                Some(Permission::ViewInvoices),
            ),
            (
                "/portal/invoices",
                "nav-portal-invoices",
                Some(Permission::PortalInvoices),
            ),
        ],
    ),
    (
        "nav-group-treasury",
        &[
            (
                "/collections",
                "nav-collections",
                Some(Permission::ViewCollections),
            ),
            (
                "/collections/matching",
                "nav-matching",
                Some(Permission::ViewCollections),
            ),
            (
                "/collections/payments",
                "nav-payments",
                Some(Permission::ViewCollections),
            ),
        ],
    ),
    (
        "nav-group-accounting",
        &[(
            "/accounting",
            "nav-accounting",
            Some(Permission::ViewAccounting),
        )],
    ),
    (
        "nav-group-people",
        &[
            (
                "/employees",
                "nav-employees",
                Some(Permission::ViewEmployees),
            ),
            ("/agencies", "nav-agencies", Some(Permission::ViewAgencies)),
            (
                "/settings/cjm",
                "nav-cjm-settings",
                Some(Permission::ViewPay),
            ),
        ],
    ),
    (
        "nav-group-admin",
        &[
            ("/users", "nav-users", Some(Permission::ManageUsers)),
            ("/jobs", "nav-jobs", Some(Permission::ManageJobs)),
            (
                "/settings/mission-order",
                "nav-templates",
                Some(Permission::ManageTemplates),
            ),
            (
                "/settings/leave",
                "nav-leave-settings",
                Some(Permission::ManageLeaveSettings),
            ),
            ("/api/docs", "nav-api", Some(Permission::ReadApiDocs)),
        ],
    ),
    ("", &[("/account", "nav-account", None)]),
];

/// Up to this many pages besides home and account, a role's menu is one
/// short row: groups would only add a click.
const FLAT_MENU_PAGES: usize = 5;

/// The menu of `role` on the page at `path`: the groups it reaches, each
/// with only the pages it may open; the page shown (the deepest that
/// `path` is under: "/leave/team", not "/leave" as well) is marked.
pub fn menu(role: domain::role::Role, locale: Locale, path: &str) -> Vec<NavGroup> {
    let under = |href: &str| {
        if href == "/" {
            path == "/"
        } else {
            path == href || path.starts_with(&format!("{href}/"))
        }
    };
    let reachable = |p: &&MenuPage| p.2.is_none_or(|p| allows(role, p));
    let deepest = MENU
        .iter()
        .flat_map(|(_, pages)| pages.iter())
        .filter(reachable)
        .filter(|p| under(p.0))
        .map(|p| p.0.len())
        .max();
    let item = |&(href, key, _): &MenuPage| NavItem {
        href,
        label: i18n::t(locale, key),
        current: under(href) && Some(href.len()) == deepest,
    };
    let groups: Vec<(&str, Vec<NavItem>)> = MENU
        .iter()
        .map(|(group, pages)| (*group, pages.iter().filter(reachable).map(item).collect()))
        .filter(|(_, items): &(&str, Vec<NavItem>)| !items.is_empty())
        .collect();
    let pages: usize = groups
        .iter()
        .filter(|(g, _)| !g.is_empty())
        .map(|(_, items)| items.len())
        .sum();
    let flat = pages <= FLAT_MENU_PAGES;
    let mut out = Vec::new();
    for (group, items) in groups {
        if group.is_empty() || flat || items.len() == 1 {
            out.extend(items.into_iter().map(|i| NavGroup {
                label: None,
                key: i.href,
                current: i.current,
                items: vec![i],
            }));
        } else {
            out.push(NavGroup {
                label: Some(i18n::t(locale, group)),
                key: group,
                current: items.iter().any(|i| i.current),
                items,
            });
        }
    }
    out
}

/// The layout of a page; takes (and clears) the pending flash message.
pub async fn layout(app: &AppState, ctx: &Ctx, title_key: &str) -> AppResult<Layout> {
    let locale = ctx.locale;
    let mut flash = None;
    if let Some(s) = &ctx.session
        && let Some(raw) = &s.flash
    {
        let mut tx = app.db.begin().await?;
        store::sessions::set_flash(&mut tx, &s.id_hash, None).await?;
        tx.commit().await?;
        flash = serde_json::from_str::<Flash>(raw)
            .ok()
            .map(|f| (f.kind, f.text.unwrap_or_else(|| i18n::t(locale, &f.key))));
    }
    let path = ctx.path.split('?').next().unwrap_or("/").to_string();
    let nav = match &ctx.user {
        Some(u) => menu(u.role, locale, &path),
        None => Vec::new(),
    };
    Ok(Layout {
        locale,
        title: i18n::t(locale, title_key),
        user_name: ctx.user.as_ref().map(|u| u.display_name.clone()),
        user_role: ctx
            .user
            .as_ref()
            .map(|u| i18n::t(locale, &u.role.label_key())),
        company_name: ctx.user.as_ref().and_then(|u| u.company_name.clone()),
        csrf: ctx.csrf_token().to_string(),
        flash,
        nav,
        path,
    })
}

/// Leaves a message for the next page the user sees, in a write of its
/// own: for a page that wrote nothing else (a refused form). After a
/// command, [`crate::write`] writes it in the command's transaction.
pub async fn flash(app: &AppState, ctx: &Ctx, kind: FlashKind, key: &str) -> AppResult<()> {
    set_flash(app, ctx, &Flash::new(kind, key)).await
}

/// Leaves a message already translated (with its values) for the next page.
pub async fn flash_text(app: &AppState, ctx: &Ctx, kind: FlashKind, text: String) -> AppResult<()> {
    set_flash(app, ctx, &Flash::text(kind, text)).await
}

async fn set_flash(app: &AppState, ctx: &Ctx, flash: &Flash) -> AppResult<()> {
    if ctx.session.is_some() {
        let mut tx = app.db.begin().await?;
        crate::write::put_flash(&mut tx, ctx, flash).await?;
        tx.commit().await?;
    }
    Ok(())
}

/// Shows the first refused field's message as a flash, for small inline forms
/// that redirect back to their list instead of re-rendering.
pub async fn flash_refusal(
    app: &AppState,
    ctx: &Ctx,
    errors: &ValidationErrors,
    fallback: &str,
) -> AppResult<()> {
    // The refusal with its values (the date, the journal…), as the form
    // beside a field would say it.
    match errors.0.first() {
        Some(e) => {
            let text = crate::i18n::field_error(ctx.locale, e);
            flash_text(app, ctx, FlashKind::Error, text).await
        }
        None => flash(app, ctx, FlashKind::Error, fallback).await,
    }
}

pub fn render(t: &impl Template) -> AppResult<Response> {
    Ok(Html(t.render()?).into_response())
}

pub fn render_status(status: StatusCode, t: &impl Template) -> AppResult<Response> {
    Ok((status, Html(t.render()?)).into_response())
}

/// Translated field errors of a refused form, keyed by field name.
#[derive(Default)]
pub struct FieldErrors(HashMap<&'static str, String>);

impl FieldErrors {
    pub fn new(locale: Locale, errors: &ValidationErrors) -> Self {
        let mut map = HashMap::new();
        for e in &errors.0 {
            map.entry(e.field)
                .or_insert_with(|| i18n::field_error(locale, e));
        }
        FieldErrors(map)
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.get(field).map(String::as_str)
    }

    pub fn has(&self, field: &str) -> bool {
        self.0.contains_key(field)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn count(&self) -> usize {
        self.0.len()
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    lang: &'static str,
    title: String,
    message: String,
    home: String,
    status: u16,
}

pub fn error_page(locale: Locale, err: &AppError) -> Response {
    let page = ErrorPage {
        lang: locale.as_str(),
        title: i18n::t(locale, err.title_key()),
        message: i18n::t(locale, &format!("{}-detail", err.title_key())),
        home: i18n::t(locale, "error-back-home"),
        status: err.status().as_u16(),
    };
    match page.render() {
        Ok(html) => (err.status(), Html(html)).into_response(),
        Err(_) => (
            err.status(),
            err.status().canonical_reason().unwrap_or("error"),
        )
            .into_response(),
    }
}

/// Percent-encodes a query value.
pub fn url_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Page links of a list, keeping its filters.
pub struct Pager {
    pub page: u32,
    pub pages: u32,
    pub total: u64,
    /// The list was counted up to `total` only: there are more.
    pub more: bool,
    pub prev: Option<String>,
    pub next: Option<String>,
}

impl Pager {
    pub fn new<T>(
        paged: &domain::paging::Paged<T>,
        base: &str,
        filters: &[(&str, String)],
    ) -> Pager {
        Pager {
            page: paged.page,
            pages: paged.pages(),
            total: paged.total,
            more: false,
            prev: paged
                .has_prev()
                .then(|| page_link(base, filters, paged.page - 1)),
            next: paged
                .has_next()
                .then(|| page_link(base, filters, paged.page + 1)),
        }
    }

    /// The pager of a list counted up to `at_most` + 1 rows: past
    /// `at_most` it says "more than", and offers the next page while this
    /// one is full.
    pub fn at_most<T>(
        paged: &domain::paging::Paged<T>,
        base: &str,
        filters: &[(&str, String)],
        at_most: u64,
    ) -> Pager {
        let mut p = Pager::new(paged, base, filters);
        if paged.total > at_most {
            p.more = true;
            p.total = at_most;
            p.next = (paged.items.len() as u32 >= paged.per_page)
                .then(|| page_link(base, filters, paged.page + 1));
        }
        p
    }
}

/// `base` with the filters that have a value and page `p`.
fn page_link(base: &str, filters: &[(&str, String)], p: u32) -> String {
    let mut q: Vec<String> = filters
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", url_encode(v)))
        .collect();
    q.push(format!("page={p}"));
    format!("{base}?{}", q.join("&"))
}

/// Links of a list walked by its sort key ("Précédent / Suivant"), keeping
/// its filters, with the number of rows the filters match when it is
/// cheap to know.
pub struct KeysetPager {
    pub total: Option<u64>,
    pub prev: Option<String>,
    pub next: Option<String>,
}

impl KeysetPager {
    pub fn new<T>(
        page: &domain::paging::KeysetPage<T>,
        base: &str,
        filters: &[(&str, String)],
        total: Option<u64>,
    ) -> KeysetPager {
        use domain::paging::Seek;
        let link = |seek: &Seek| {
            let mut q: Vec<String> = filters
                .iter()
                .filter(|(_, v)| !v.is_empty())
                .map(|(k, v)| format!("{k}={}", url_encode(v)))
                .collect();
            match seek {
                Seek::First => {}
                Seek::After(c) => q.push(format!("after={}", url_encode(&c.encode()))),
                Seek::Before(c) => q.push(format!("before={}", url_encode(&c.encode()))),
            }
            if q.is_empty() {
                base.to_owned()
            } else {
                format!("{base}?{}", q.join("&"))
            }
        };
        KeysetPager {
            total,
            prev: page.prev.as_ref().map(link),
            next: page.next.as_ref().map(link),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_are_encoded() {
        assert_eq!(url_encode("a b&c/é"), "a%20b%26c/%C3%A9");
    }
}
