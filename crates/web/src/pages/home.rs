//! The home page: each role's to-do list and its few figures, every tile a
//! link to the list behind it (with its filter).
//!
//! What each role sees:
//! - finance: drafts to issue, overdue invoices (how many, how much),
//!   statement lines to match, accrued revenue (FAE) at stake, the revenue
//!   invoiced this month;
//! - a business manager, for his missions only: reports missing, renewals
//!   to handle, invoices waiting for a signature, his clients' overdue;
//! - a delivery manager: reports to validate, late reports, leave to
//!   approve;
//! - direction: the revenue of the month and of the year to date against
//!   the same days of last year, DSO, late reports, renewals to handle;
//! - a consultant: his report of the month, his leave, documents to sign;
//! - a client contact, for his company only: reports to validate,
//!   documents to sign, invoices left to pay and overdue;
//! - an administrator: users, jobs in error, late reports, drafts and
//!   overdue invoices;
//! - a recruiter: the directory, his leave, documents to sign.
//!
//! Every figure comes from the store query that the list behind it (or the
//! report that shows it) uses, so a tile and its list never disagree.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use domain::Locale;
use domain::money::Money;
use domain::role::Role;
use domain::validation::Arg;
use time::Date;

use crate::authz::{Permission, allows};
use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::view::{Layout, layout, render};
use crate::{AppState, i18n};

/// One tile: a figure and the list it comes from.
pub struct Tile {
    /// Names the tile in the page (`data-tile`), for tests and styles.
    pub key: &'static str,
    pub href: String,
    pub label: String,
    pub value: String,
    /// A second figure under the first (an amount under a count, last
    /// year's figure under this year's).
    pub detail: Option<String>,
    /// Something waits: the tile stands out.
    pub alert: bool,
    /// The value is an amount: kept on one line.
    pub amount: bool,
}

impl Tile {
    fn count(key: &'static str, href: impl Into<String>, label: String, n: u64, l: Locale) -> Tile {
        Tile {
            key,
            href: href.into(),
            label,
            value: domain::locale::format_int(n as i64, l),
            detail: None,
            alert: n > 0,
            amount: false,
        }
    }

    fn amount(
        key: &'static str,
        href: impl Into<String>,
        label: String,
        m: Money,
        l: Locale,
    ) -> Tile {
        Tile {
            key,
            href: href.into(),
            label,
            value: m.format(l),
            detail: None,
            alert: false,
            amount: true,
        }
    }

    fn with_detail(mut self, detail: String) -> Tile {
        self.detail = Some(detail);
        self
    }
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    layout: Layout,
    greeting_name: String,
    /// What waits for this person, as tiles.
    todo: Vec<Tile>,
    /// The role's few figures.
    figures: Vec<Tile>,
    tasks: Vec<(String, String, String)>,
    /// A link to "ma journée" (those who log activities).
    my_day: bool,
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
        let waiting = cras_in(tx, CraStatus::ClientValidated).await?;
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
    let mut tx = app.db.read().await?;
    let to_sign = super::documents::awaiting(&mut tx, &ctx).await?;
    let (todo, figures) = tiles(&mut tx, &ctx, to_sign.len() as u64).await?;
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
        todo,
        figures,
        tasks,
        my_day: crate::authz::allows(user.role, crate::authz::Permission::LogActivities),
        missions,
        to_sign,
        cra_todo,
    })
}

/// The same day one year earlier (the 28th of February for the 29th).
fn a_year_before(d: Date) -> Date {
    let year = d.year() - 1;
    d.replace_year(year)
        .or_else(|_| Date::from_calendar_date(year, d.month(), 28))
        .unwrap_or(d)
}

/// "novembre 2025 : 10 000,00 €": last year's figure under this year's.
fn last_year(l: Locale, label_key: &str, m: Money) -> String {
    i18n::t_args(l, label_key, &[("total", Arg::Money(m))])
}

/// The role's tiles: what waits for him, then his figures. Each query is
/// scoped as the list behind the tile is: a business manager's to his
/// missions, a consultant's to himself, a client contact's to his company.
async fn tiles(tx: &mut store::Tx, ctx: &Ctx, to_sign: u64) -> AppResult<(Vec<Tile>, Vec<Tile>)> {
    use domain::calendar::YearMonth;
    use domain::cra::CraStatus;
    use domain::invoice::InvoiceStatus;
    use domain::leave::LeaveStatus;
    use domain::renewal::RenewalStatus;
    use store::invoicing::figures;

    let l = ctx.locale;
    let user = ctx.user()?;
    let me = user.id;
    let today = store::today();
    let month = YearMonth::of(today);
    let t = |key: &str| i18n::t(l, key);
    let mut todo = Vec::new();
    let mut figs = Vec::new();

    let renewals_open = |r: &store::renewals::RenewalLine| {
        matches!(
            r.status,
            RenewalStatus::ToFollowUp | RenewalStatus::InDiscussion
        )
    };
    let sign_tile = |n: u64| Tile::count("to-sign", "/documents", t("home-tile-to-sign"), n, l);
    let month_href = format!("/invoices?period={month}");

    match user.role {
        Role::Finance => {
            let drafts = figures::in_status(tx, InvoiceStatus::Draft, None).await?;
            todo.push(
                Tile::count(
                    "drafts",
                    "/invoices?status=draft",
                    t("home-tile-drafts"),
                    drafts.count,
                    l,
                )
                .with_detail(drafts.gross.format(l)),
            );
            let overdue = store::receivables::overdue(tx, today, None, None).await?;
            todo.push(overdue_tile(l, "/collections", overdue));
            let lines = store::statements::unmatched_count(tx).await?;
            todo.push(Tile::count(
                "to-match",
                "/collections/matching",
                t("home-tile-to-match"),
                lines,
                l,
            ));
            let fae = figures::accrued_at_stake(tx).await?;
            figs.push(
                Tile::amount("fae", "/invoices/waiting", t("home-tile-fae"), fae.gross, l)
                    .with_detail(i18n::t_args(
                        l,
                        "home-tile-invoices-count",
                        &[("count", Arg::from(fae.count as i64))],
                    )),
            );
            let revenue = figures::revenue_invoiced(tx, month.first_day(), today, None).await?;
            figs.push(Tile::amount(
                "revenue-month",
                month_href,
                i18n::t_args(
                    l,
                    "home-tile-revenue-month",
                    &[("month", Arg::Month(month))],
                ),
                revenue,
                l,
            ));
        }
        Role::BusinessManager => {
            let missing = store::cra_reports::late(tx, today)
                .await?
                .into_iter()
                .filter(|c| c.managers.contains(&me))
                .count() as u64;
            todo.push(Tile::count(
                "late-cras",
                "/cras/late?mine=1",
                t("home-tile-my-late-cras"),
                missing,
                l,
            ));
            let renewals = store::renewals::upcoming(tx, store::Scope::All, today, RENEWAL_DAYS)
                .await?
                .into_iter()
                .filter(|r| r.business_manager_id == me && renewals_open(r))
                .count() as u64;
            todo.push(Tile::count(
                "renewals",
                "/renewals?mine=1",
                t("home-tile-renewals"),
                renewals,
                l,
            ));
            let waiting = figures::in_status(tx, InvoiceStatus::WaitingSignature, Some(me)).await?;
            todo.push(
                Tile::count(
                    "waiting",
                    "/invoices?status=waiting_signature&mine=1",
                    t("home-tile-waiting"),
                    waiting.count,
                    l,
                )
                .with_detail(waiting.gross.format(l)),
            );
            let overdue = store::receivables::overdue(tx, today, None, Some(me)).await?;
            figs.push(overdue_tile(l, "/invoices?state=overdue&mine=1", overdue));
        }
        Role::DeliveryManager => {
            todo.push(Tile::count(
                "to-validate",
                "/cras?status=client_validated",
                t("home-tile-cras-to-validate"),
                cras_in(tx, CraStatus::ClientValidated).await?,
                l,
            ));
            todo.push(Tile::count(
                "late-cras",
                "/cras/late",
                t("home-tile-late-cras"),
                store::cra_reports::late(tx, today).await?.len() as u64,
                l,
            ));
            todo.push(Tile::count(
                "leave",
                "/leave/team",
                t("home-tile-leave-to-approve"),
                leave_in(tx, ctx.scope()?, LeaveStatus::Requested).await?,
                l,
            ));
        }
        Role::Direction => {
            todo.push(Tile::count(
                "late-cras",
                "/cras/late",
                t("home-tile-late-cras"),
                store::cra_reports::late(tx, today).await?.len() as u64,
                l,
            ));
            let renewals = store::renewals::upcoming(tx, store::Scope::All, today, RENEWAL_DAYS)
                .await?
                .iter()
                .filter(|r| renewals_open(r))
                .count() as u64;
            todo.push(Tile::count(
                "renewals",
                "/renewals",
                t("home-tile-renewals"),
                renewals,
                l,
            ));
            let year_ago = a_year_before(today);
            let this_month = figures::revenue_invoiced(tx, month.first_day(), today, None).await?;
            let that_month =
                figures::revenue_invoiced(tx, YearMonth::of(year_ago).first_day(), year_ago, None)
                    .await?;
            figs.push(
                Tile::amount(
                    "revenue-month",
                    month_href,
                    i18n::t_args(
                        l,
                        "home-tile-revenue-month",
                        &[("month", Arg::Month(month))],
                    ),
                    this_month,
                    l,
                )
                .with_detail(last_year(l, "home-tile-last-year", that_month)),
            );
            let jan = |d: Date| Date::from_calendar_date(d.year(), time::Month::January, 1);
            let ytd =
                figures::revenue_invoiced(tx, jan(today).unwrap_or(today), today, None).await?;
            let ytd_before =
                figures::revenue_invoiced(tx, jan(year_ago).unwrap_or(year_ago), year_ago, None)
                    .await?;
            figs.push(
                Tile::amount(
                    "revenue-year",
                    "/invoices?status=issued",
                    i18n::t_args(
                        l,
                        "home-tile-revenue-year",
                        &[("year", Arg::Text(today.year().to_string()))],
                    ),
                    ytd,
                    l,
                )
                .with_detail(last_year(l, "home-tile-last-year", ytd_before)),
            );
            let dso = store::receivables::dso(tx, today, super::receivables::DSO_MONTHS[0]).await?;
            figs.push(Tile {
                key: "dso",
                href: "/collections".into(),
                label: t("home-tile-dso"),
                value: match dso.simple.value {
                    Some(d) => i18n::t_args(
                        l,
                        "home-tile-days",
                        &[("days", domain::receivables::format_days(d, l))],
                    ),
                    None => "—".into(),
                },
                detail: None,
                alert: false,
                amount: true,
            });
        }
        Role::Admin => {
            todo.push(Tile::count(
                "users",
                "/users",
                t("home-count-users"),
                store::users::count(tx).await?.max(0) as u64,
                l,
            ));
            let failed = store::jobs::counts(tx)
                .await?
                .into_iter()
                .filter(|(state, _)| state == "failed")
                .map(|(_, n)| n.max(0) as u64)
                .sum();
            todo.push(Tile::count(
                "jobs-failed",
                "/jobs",
                t("home-tile-jobs-failed"),
                failed,
                l,
            ));
            todo.push(Tile::count(
                "late-cras",
                "/cras/late",
                t("home-tile-late-cras"),
                store::cra_reports::late(tx, today).await?.len() as u64,
                l,
            ));
            let drafts = figures::in_status(tx, InvoiceStatus::Draft, None).await?;
            todo.push(Tile::count(
                "drafts",
                "/invoices?status=draft",
                t("home-tile-drafts"),
                drafts.count,
                l,
            ));
            let overdue = store::receivables::overdue(tx, today, None, None).await?;
            figs.push(overdue_tile(l, "/collections", overdue));
        }
        Role::Consultant => {
            let report = match store::cras::find(tx, me, month).await? {
                Some(id) => {
                    let cra = store::cras::get(tx, ctx.scope()?, id).await?.cra;
                    Some((id, cra.status))
                }
                None => None,
            };
            let (href, value, alert) = match report {
                Some((id, status)) => (
                    format!("/cras/{id}"),
                    t(&status.label_key()),
                    status == CraStatus::Draft,
                ),
                None => ("/cras".into(), t("home-tile-cra-none"), true),
            };
            todo.push(Tile {
                key: "my-cra",
                href,
                label: i18n::t_args(l, "home-tile-my-cra", &[("month", Arg::Month(month))]),
                value,
                detail: None,
                alert,
                amount: false,
            });
            todo.push(Tile::count(
                "leave",
                "/leave",
                t("home-tile-my-leave"),
                leave_in(tx, ctx.scope()?, LeaveStatus::Requested).await?,
                l,
            ));
            todo.push(sign_tile(to_sign));
        }
        Role::ClientContact => {
            if let store::Scope::Company(company) = ctx.scope()? {
                let to_validate = store::cras::awaiting_client(tx, company).await?.len() as u64;
                todo.push(Tile::count(
                    "to-validate",
                    "/cras",
                    t("home-tile-cras-to-validate"),
                    to_validate,
                    l,
                ));
                todo.push(sign_tile(to_sign));
                let docs = super::portal::documents(tx, ctx).await?;
                let open: Vec<Money> = docs
                    .iter()
                    .filter_map(|(_, due)| due.filter(|m| !m.is_zero()))
                    .collect();
                figs.push(
                    Tile::amount(
                        "invoices-due",
                        "/portal/invoices",
                        t("home-tile-invoices-due"),
                        open.iter().copied().sum(),
                        l,
                    )
                    .with_detail(i18n::t_args(
                        l,
                        "home-tile-invoices-count",
                        &[("count", Arg::from(open.len() as i64))],
                    )),
                );
                let overdue = store::receivables::overdue(tx, today, Some(company), None).await?;
                figs.push(overdue_tile(l, "/portal/invoices", overdue));
            }
        }
        Role::Recruiter => {
            todo.push(Tile::count(
                "leave",
                "/leave",
                t("home-tile-my-leave"),
                leave_in(tx, store::Scope::Own(me), LeaveStatus::Requested).await?,
                l,
            ));
            // No documents tile: the documents list is not his (client
            // contracts state rates); what he signs reaches him by e-mail.
            let companies: i64 = store::companies::counts_by_kind(tx, store::Scope::All)
                .await?
                .iter()
                .map(|(_, n)| n)
                .sum();
            figs.push(Tile::count(
                "companies",
                "/companies",
                t("nav-companies"),
                companies.max(0) as u64,
                l,
            ));
            figs.push(Tile::count(
                "contacts",
                "/contacts",
                t("nav-contacts"),
                store::contacts::count(tx, store::Scope::All).await?.max(0) as u64,
                l,
            ));
        }
    }
    Ok((todo, figs))
}

/// How far ahead a mission's end calls for a renewal decision: the first
/// alert to the business manager (D-60).
const RENEWAL_DAYS: i64 = 60;

fn overdue_tile(l: Locale, href: &str, o: store::receivables::Overdue) -> Tile {
    Tile {
        key: "overdue",
        href: href.into(),
        label: i18n::t(l, "home-tile-overdue"),
        value: o.amount.format(l),
        detail: Some(i18n::t_args(
            l,
            "home-tile-invoices-count",
            &[("count", Arg::from(o.count as i64))],
        )),
        alert: o.count > 0,
        amount: true,
    }
}

/// How many reports are in `status` (the list page's filter, unscoped:
/// staff only).
async fn cras_in(tx: &mut store::Tx, status: domain::cra::CraStatus) -> AppResult<u64> {
    Ok(store::cras::list(
        tx,
        store::Scope::All,
        &store::cras::Filter {
            status: Some(status),
            ..Default::default()
        },
        10_000,
    )
    .await?
    .len() as u64)
}

/// How many leave requests in `status` the scope sees.
async fn leave_in(
    tx: &mut store::Tx,
    scope: store::Scope,
    status: domain::leave::LeaveStatus,
) -> AppResult<u64> {
    Ok(store::leave::list(
        tx,
        scope,
        &store::leave::Filter {
            user: None,
            status: Some(status),
        },
    )
    .await?
    .len() as u64)
}
