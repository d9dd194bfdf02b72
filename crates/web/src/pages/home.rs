//! The home page: real counts of what the user may see, with a chart.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use domain::role::Role;
use domain::validation::Arg;

use crate::authz::{Permission, allows};
use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::view::{Layout, layout, render};
use crate::{AppState, chart, i18n};

pub struct Stat {
    pub href: String,
    pub label: String,
    pub value: u64,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    layout: Layout,
    greeting_name: String,
    stats: Vec<Stat>,
    chart: Option<String>,
    tasks: Vec<(String, String, String)>,
    /// The portal part: consultants and client contacts see their missions.
    missions: Vec<(String, String, String, String)>,
    /// Documents waiting for this person's signature.
    to_sign: Vec<super::documents::Awaiting>,
    /// Activity reports waiting for this person: (link, text).
    cra_todo: Vec<(String, String)>,
}

/// What this person has to do about activity reports: a consultant his
/// months not yet signed, a client contact the reports waiting for his
/// company, a manager those waiting for him.
async fn cra_todo(tx: &mut store::Tx, ctx: &Ctx) -> AppResult<Vec<(String, String)>> {
    use domain::calendar::YearMonth;
    use domain::cra::CraStatus;
    let l = ctx.locale;
    let user = ctx.user()?;
    let label = |m: YearMonth| m.label(l);
    let mut out = Vec::new();
    if allows(user.role, Permission::EnterCra) {
        let now = YearMonth::of(store::today());
        for month in [now.prev(), now] {
            let status = match store::cras::find(tx, user.id, month).await? {
                Some(id) => Some((id, store::cras::get(tx, ctx.scope()?, id).await?.cra.status)),
                None => None,
            };
            match status {
                Some((id, CraStatus::Draft)) => out.push((
                    format!("/cras/{id}"),
                    i18n::t_args(l, "home-cra-to-sign", &[("month", label(month))]),
                )),
                None if !store::cras::missions_in(tx, user.id, month)
                    .await?
                    .is_empty() =>
                {
                    out.push((
                        "/cras".into(),
                        i18n::t_args(l, "home-cra-to-sign", &[("month", label(month))]),
                    ))
                }
                _ => {}
            }
        }
    }
    if let (true, store::Scope::Company(company)) = (
        allows(user.role, Permission::ClientValidateCras),
        ctx.scope()?,
    ) {
        for cra in store::cras::awaiting_client(tx, company).await? {
            out.push((
                format!("/cras/{}", cra.id),
                i18n::t_args(
                    l,
                    "home-cra-to-validate",
                    &[
                        ("name", cra.consultant_name.clone()),
                        ("month", label(cra.month)),
                    ],
                ),
            ));
        }
    }
    if allows(user.role, Permission::ValidateCras) {
        let waiting = store::cras::list(
            tx,
            store::Scope::All,
            &store::cras::Filter {
                status: Some(CraStatus::ClientValidated),
                ..Default::default()
            },
            1000,
        )
        .await?
        .len();
        if waiting > 0 {
            out.push((
                "/cras?status=client_validated".into(),
                i18n::t_args(l, "home-cra-manager", &[("count", Arg::from(waiting))]),
            ));
        }
    }
    Ok(out)
}

pub async fn show(State(app): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let user = ctx.user()?;
    let scope = ctx.scope()?;
    let mut stats = Vec::new();
    let mut chart = None;
    let mut tx = app.db.read().await?;
    if allows(user.role, Permission::ViewCompanies) {
        let by_kind = store::companies::counts_by_kind(&mut tx, scope).await?;
        let visible: Vec<_> = by_kind
            .iter()
            .filter(|(_, n)| *n > 0 || user.role != Role::ClientContact)
            .collect();
        for (kind, n) in &visible {
            stats.push(Stat {
                href: format!("/companies?kind={}", kind.as_str()),
                label: i18n::t(ctx.locale, &format!("home-count-{}", kind.as_str())),
                value: *n as u64,
            });
        }
        if user.role.is_internal_staff() {
            let items: Vec<(String, u64)> = by_kind
                .iter()
                .map(|(k, n)| (i18n::t(ctx.locale, &k.label_key()), *n as u64))
                .collect();
            chart = Some(chart::bars(
                &i18n::t(ctx.locale, "home-chart-title"),
                &items,
            ));
        }
    }
    if allows(user.role, Permission::ViewContacts) {
        stats.push(Stat {
            href: "/contacts".into(),
            label: i18n::t(ctx.locale, "home-count-contacts"),
            value: store::contacts::count(&mut tx, scope).await? as u64,
        });
    }
    if allows(user.role, Permission::ManageUsers) {
        stats.push(Stat {
            href: "/users".into(),
            label: i18n::t(ctx.locale, "home-count-users"),
            value: store::users::count(&mut tx).await? as u64,
        });
    }
    let missions = if user.role.is_internal_staff() {
        Vec::new()
    } else {
        let f = store::missions::MissionFilter::default();
        store::missions::list(
            &mut tx,
            scope,
            &f,
            domain::paging::PageRequest::new(Some(1), Some(50)),
        )
        .await?
        .items
        .iter()
        .map(|m| {
            (
                m.id.to_string(),
                m.data.title.clone(),
                format!("{} · {}", m.client_name, m.consultant_name),
                format!(
                    "{} → {} · {}",
                    domain::locale::format_date(m.data.start_date, ctx.locale),
                    domain::locale::format_date(m.data.end_date, ctx.locale),
                    i18n::t(ctx.locale, &m.status.label_key())
                ),
            )
        })
        .collect()
    };
    let tasks = store::renewals::open_tasks(&mut tx, user.id)
        .await?
        .into_iter()
        .map(|t| {
            (
                t.id.to_string(),
                t.title,
                domain::locale::format_date(t.due_date, ctx.locale),
            )
        })
        .collect();
    let to_sign = super::documents::awaiting(&mut tx, &ctx).await?;
    let cra_todo = cra_todo(&mut tx, &ctx).await?;
    tx.commit().await?;
    let first_name = user
        .display_name
        .split_whitespace()
        .next()
        .unwrap_or(&user.display_name)
        .to_string();
    render(&HomePage {
        layout: layout(&app, &ctx, "home-title").await?,
        greeting_name: first_name,
        stats,
        chart,
        tasks,
        missions,
        to_sign,
        cra_todo,
    })
}
