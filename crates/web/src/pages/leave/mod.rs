//! Leave: one's own balances and requests, the managers' approval queue, and
//! the settings (leave types, yearly allowances, work patterns).

use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use domain::Locale;
use domain::calendar::Region;
use domain::cra::{Half, WorkPattern};
use domain::ids::{LeaveRequestId, UserId};
use domain::leave::{LeavePeriod, LeaveStatus};
use domain::locale::format_date;
use domain::mission::DayQuantity;
use domain::validation::ValidationErrors;
use serde::Deserialize;
use store::leave::{Decision, Filter, LeaveRequest, LeaveType, NewLeave};
use store::{Scope, Tx};
use time::Date;

use super::see_other;
use crate::chart::{self, StackedRow};
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::extract::{Form, Id, Query};
use crate::view::{FieldErrors, Layout, layout, render, render_status};
use crate::write::{Outcome, write};
use crate::{AppState, i18n};

fn today() -> Date {
    store::today()
}

/// A page re-shown after a refusal answers 422, so scripts and tests can tell.
fn respond(t: &impl Template, refused: bool) -> AppResult<Response> {
    if refused {
        render_status(StatusCode::UNPROCESSABLE_ENTITY, t)
    } else {
        render(t)
    }
}

/// The first refusal of a validation, in the user's language.
fn first_message(l: Locale, errors: &ValidationErrors) -> String {
    errors
        .0
        .first()
        .map(|e| i18n::field_error(l, e))
        .unwrap_or_else(|| i18n::t(l, "error-validation"))
}

fn type_label(types: &[LeaveType], code: &str, l: Locale) -> String {
    types
        .iter()
        .find(|t| t.code == code)
        .map_or_else(|| code.to_owned(), |t| t.label(l).to_owned())
}

/// "16/11/2026", "16/11/2026 (matin)", "du 16/11/2026 (après-midi) au
/// 20/11/2026 (midi)".
pub fn period_text(p: &LeavePeriod, l: Locale) -> String {
    let t = |k: &str| i18n::t(l, k);
    let day = |d: Date| format_date(d, l);
    if p.start == p.end {
        return match (p.start_half, p.end_half) {
            (Half::Am, Half::Am) => format!("{} ({})", day(p.start), t("leave-from-morning")),
            (Half::Pm, _) => format!("{} ({})", day(p.start), t("leave-from-afternoon")),
            _ => day(p.start),
        };
    }
    let start = match p.start_half {
        Half::Am => day(p.start),
        Half::Pm => format!("{} ({})", day(p.start), t("leave-from-afternoon")),
    };
    let end = match p.end_half {
        Half::Am => format!("{} ({})", day(p.end), t("leave-until-noon")),
        Half::Pm => day(p.end),
    };
    i18n::t_args(l, "leave-period-range", &[("start", start), ("end", end)])
}

/// Days with a sign: balances go negative when leave is advanced.
fn signed_days(half_days: i64, l: Locale) -> String {
    let abs = DayQuantity::from_half_days(half_days.unsigned_abs().min(u64::from(u32::MAX)) as u32);
    if half_days < 0 {
        format!("-{}", abs.format(l))
    } else {
        abs.format(l)
    }
}

/// One request as the lists show it.
pub struct RequestRow {
    pub id: LeaveRequestId,
    pub who: String,
    pub leave_type: String,
    pub period: String,
    pub days: String,
    pub status: String,
    pub status_code: &'static str,
    pub comment: String,
    pub decision: String,
    pub can_cancel: bool,
    /// Remaining balance of that type, for the approver.
    pub balance: String,
    /// Why the last action on this row was refused.
    pub error: Option<String>,
    /// The refusal reason as typed, kept when the refusal failed.
    pub note: String,
}

fn row(r: &LeaveRequest, types: &[LeaveType], l: Locale) -> RequestRow {
    let mut decision = Vec::new();
    if r.status != LeaveStatus::Requested
        && let Some(who) = &r.decided_by
    {
        decision.push(match r.decided_at {
            Some(at) => format!("{who}, {}", format_date(domain::paris::date(at), l)),
            None => who.clone(),
        });
    }
    if let Some(n) = &r.decision_note {
        decision.push(n.clone());
    }
    RequestRow {
        id: r.id,
        who: r.user_name.clone(),
        leave_type: type_label(types, &r.leave_type, l),
        period: period_text(&r.period, l),
        days: r.days.format(l),
        status: i18n::t(l, &r.status.label_key()),
        status_code: r.status.as_str(),
        comment: r.comment.clone().unwrap_or_default(),
        decision: decision.join(" — "),
        can_cancel: matches!(r.status, LeaveStatus::Requested | LeaveStatus::Approved),
        balance: String::new(),
        error: None,
        note: String::new(),
    }
}

/// A refusal to show beside the request it concerns.
struct RowRefusal {
    id: LeaveRequestId,
    errors: ValidationErrors,
    note: String,
}

/// Places the refusal on its row; returns it when no row shows that request.
fn place(rows: &mut [RequestRow], refusal: Option<RowRefusal>, l: Locale) -> Option<String> {
    let r = refusal?;
    let message = first_message(l, &r.errors);
    match rows.iter_mut().find(|row| row.id == r.id) {
        Some(row) => {
            row.error = Some(message);
            row.note = r.note;
            None
        }
        None => Some(message),
    }
}

// ---------------------------------------------------------------------------
// My leave
// ---------------------------------------------------------------------------

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

pub struct BalanceRow {
    pub label: String,
    pub acquired: String,
    pub taken: String,
    pub planned: String,
    pub pending: String,
    pub remaining: String,
    pub negative: bool,
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

async fn mine_page(
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
    let balances: Vec<_> = balances
        .into_iter()
        // A type shows once it has an allowance or some leave.
        .filter(|b| b.balance != Default::default())
        .collect();
    let chart = (!balances.is_empty()).then(|| {
        let rows: Vec<StackedRow> = balances
            .iter()
            .map(|b| {
                let x = &b.balance;
                let rest = b.balance.remaining_half_days() - i64::from(x.pending.half_days());
                StackedRow {
                    label: b.leave_type.label(l).to_owned(),
                    values: vec![
                        u64::from(x.taken.half_days()),
                        u64::from(x.planned.half_days()),
                        u64::from(x.pending.half_days()),
                        rest.max(0) as u64,
                    ],
                    total: i18n::t_args(
                        l,
                        "leave-chart-total",
                        &[
                            ("remaining", signed_days(x.remaining_half_days(), l)),
                            ("acquired", x.acquired.format(l)),
                        ],
                    ),
                }
            })
            .collect();
        let legend: Vec<String> = [
            "leave-taken",
            "leave-planned",
            "leave-pending",
            "leave-available",
        ]
        .iter()
        .map(|k| i18n::t(l, k))
        .collect();
        chart::stacked(&i18n::t(l, "leave-chart-title"), &legend, &rows)
    });
    let balances = balances
        .iter()
        .map(|b| {
            let x = &b.balance;
            BalanceRow {
                label: b.leave_type.label(l).to_owned(),
                acquired: x.acquired.format(l),
                taken: x.taken.format(l),
                planned: x.planned.format(l),
                pending: x.pending.format(l),
                remaining: signed_days(x.remaining_half_days(), l),
                negative: x.remaining_half_days() < 0,
            }
        })
        .collect();
    let mut rows: Vec<RequestRow> = requests.iter().map(|r| row(r, &types, l)).collect();
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

/// A half from a select: blank takes the default, anything else unknown is
/// a malformed form (the page never sends it).
fn half(raw: &str, default: Half) -> AppResult<Half> {
    match raw.trim() {
        "" => Ok(default),
        s => Half::parse(s).ok_or(AppError::BadRequest("error-malformed-form")),
    }
}

fn parse_request(f: &RequestForm) -> AppResult<Result<NewLeave, ValidationErrors>> {
    let start_half = half(&f.start_half, Half::Am)?;
    let end_half = half(&f.end_half, Half::Pm)?;
    let mut e = ValidationErrors::new();
    if f.leave_type.trim().is_empty() {
        e.add("leave_type", "field-required");
    }
    let start = e.required("start", &f.start, domain::validation::date);
    let end = e.required("end", &f.end, domain::validation::date);
    Ok(match (start, end) {
        (Some(start), Some(end)) if e.is_empty() => Ok(NewLeave {
            leave_type: f.leave_type.trim().to_owned(),
            period: LeavePeriod {
                start,
                start_half,
                end,
                end_half,
            },
            comment: Some(f.comment.clone()),
        }),
        _ => Err(e),
    })
}

pub async fn create(
    State(app): State<AppState>,
    ctx: Ctx,
    Form(f): Form<RequestForm>,
) -> AppResult<Response> {
    let user = ctx.user()?.id;
    let n = match parse_request(&f)? {
        Ok(n) => n,
        Err(errors) => return mine_page(&app, &ctx, f, &errors, None).await,
    };
    let request = async |tx: &mut Tx| -> AppResult<_> {
        Ok(store::leave::request(tx, &ctx.actor(), user, &n).await?)
    };
    match write(&app, &ctx)
        .flash("leave-requested")
        .run(request)
        .await?
    {
        Outcome::Done(_) => Ok(see_other("/leave")),
        Outcome::Refused(errors) => mine_page(&app, &ctx, f, &errors, None).await,
    }
}

/// One cancels only one's own requests here (managers use the team page).
pub async fn cancel(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<LeaveRequestId>,
) -> AppResult<Response> {
    let scope = Scope::Own(ctx.user()?.id);
    match write(&app, &ctx)
        .flash("leave-cancelled")
        .run(async |tx| store::leave::decide(tx, &ctx.actor(), scope, id, &Decision::Cancel).await)
        .await?
    {
        Outcome::Done(_) => Ok(see_other("/leave")),
        Outcome::Refused(errors) => {
            let refusal = RowRefusal {
                id,
                errors,
                note: String::new(),
            };
            mine_page(
                &app,
                &ctx,
                RequestForm::default(),
                &ValidationErrors::new(),
                Some(refusal),
            )
            .await
        }
    }
}

// ---------------------------------------------------------------------------
// The team's requests
// ---------------------------------------------------------------------------

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

async fn team_page(
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
    // What each person has left of the type asked, for the approver.
    let mut pending = Vec::new();
    let mut known: Vec<((UserId, i32), Vec<store::leave::TypeBalance>)> = Vec::new();
    for r in &waiting {
        let key = (r.user_id, r.period.start.year());
        if !known.iter().any(|(k, _)| *k == key) {
            let b = store::leave::balances(&mut tx, key.0, key.1, today).await?;
            known.push((key, b));
        }
        let mut line = row(r, &types, l);
        if let Some((_, b)) = known.iter().find(|(k, _)| *k == key)
            && let Some(tb) = b.iter().find(|tb| tb.leave_type.code == r.leave_type)
        {
            line.balance = i18n::t_args(
                l,
                "leave-balance-left",
                &[
                    (
                        "remaining",
                        signed_days(tb.balance.remaining_half_days(), l),
                    ),
                    ("year", key.1.to_string()),
                ],
            );
        }
        pending.push(line);
    }
    tx.commit().await?;
    let decided: Vec<RequestRow> = done.iter().map(|r| row(r, &types, l)).collect();
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

async fn decide(
    app: &AppState,
    ctx: &Ctx,
    id: LeaveRequestId,
    d: Decision,
    done_key: &str,
) -> AppResult<Response> {
    let note = match &d {
        Decision::Refuse { note } => note.clone(),
        _ => String::new(),
    };
    let scope = ctx.scope()?;
    match write(app, ctx)
        .flash(done_key)
        .run(async |tx| store::leave::decide(tx, &ctx.actor(), scope, id, &d).await)
        .await?
    {
        Outcome::Done(_) => Ok(see_other("/leave/team")),
        Outcome::Refused(errors) => {
            let refusal = RowRefusal { id, errors, note };
            team_page(app, ctx, "", Some(refusal)).await
        }
    }
}

pub async fn approve(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<LeaveRequestId>,
) -> AppResult<Response> {
    decide(&app, &ctx, id, Decision::Approve, "leave-approved").await
}

#[derive(Debug, Default, Deserialize)]
pub struct RefuseForm {
    #[serde(default)]
    pub note: String,
}

pub async fn refuse(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<LeaveRequestId>,
    Form(f): Form<RefuseForm>,
) -> AppResult<Response> {
    decide(
        &app,
        &ctx,
        id,
        Decision::Refuse { note: f.note },
        "leave-refused",
    )
    .await
}

// ---------------------------------------------------------------------------
// Settings: types, allowances, work patterns
// ---------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
pub struct SettingsQuery {
    #[serde(default)]
    pub year: String,
    /// A type to edit in the type form.
    #[serde(default, rename = "type")]
    pub leave_type: String,
    /// A person whose work pattern fills the pattern form.
    #[serde(default)]
    pub user: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct TypeForm {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub label_fr: String,
    #[serde(default)]
    pub label_en: String,
    #[serde(default)]
    pub tracks_balance: Option<String>,
    #[serde(default)]
    pub active: Option<String>,
}

impl TypeForm {
    fn tracks(&self) -> bool {
        self.tracks_balance.as_deref() == Some("true")
    }
    fn is_active(&self) -> bool {
        self.active.as_deref() == Some("true")
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct AllowanceForm {
    #[serde(default)]
    pub user_id: String,
    #[serde(default)]
    pub leave_type: String,
    #[serde(default)]
    pub year: String,
    #[serde(default)]
    pub days: String,
}

#[derive(Debug, Default)]
pub struct PatternForm {
    pub user: String,
    pub region: String,
    /// Monday = 1 … Friday = 5.
    pub weekdays: Vec<u8>,
}

pub struct TypeRow {
    pub code: String,
    pub label_fr: String,
    pub label_en: String,
    pub tracks: String,
    pub active: bool,
}

pub struct PatternRow {
    pub id: UserId,
    pub name: String,
    pub region: String,
    pub weekdays: String,
    pub ratio: String,
}

/// A weekday checkbox: its number, label and state.
pub struct DayBox {
    pub n: u8,
    pub label: String,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "leave/settings.html")]
struct SettingsPage {
    layout: Layout,
    types: Vec<TypeRow>,
    type_form: TypeForm,
    type_errors: FieldErrors,
    year: String,
    allowances: Vec<(String, String, String)>,
    allowance_form: AllowanceForm,
    allowance_errors: FieldErrors,
    people: Vec<(String, String)>,
    tracked: Vec<(String, String)>,
    patterns: Vec<PatternRow>,
    pattern_form: PatternForm,
    pattern_errors: FieldErrors,
    regions: Vec<(&'static str, String)>,
    days: Vec<DayBox>,
}

/// Which form of the settings page was refused, with its errors.
enum Refused {
    None,
    Type(ValidationErrors),
    Allowance(ValidationErrors),
    Pattern(ValidationErrors),
}

struct SettingsForms {
    type_form: TypeForm,
    allowance_form: AllowanceForm,
    pattern_form: PatternForm,
}

fn weekday_labels(l: Locale, weekdays: u8) -> String {
    (1..=5u8)
        .filter(|n| weekdays & (1 << (n - 1)) != 0)
        .map(|n| i18n::t(l, &format!("leave-weekday-short-{n}")))
        .collect::<Vec<_>>()
        .join(", ")
}

fn region_label(l: Locale, r: Region) -> String {
    i18n::t(l, &format!("leave-region-{}", r.as_str().replace('_', "-")))
}

async fn settings_page(
    app: &AppState,
    ctx: &Ctx,
    mut forms: SettingsForms,
    refused: Refused,
) -> AppResult<Response> {
    let l = ctx.locale;
    let year: i32 = forms
        .allowance_form
        .year
        .trim()
        .parse()
        .ok()
        .filter(|y| store::leave::ALLOWANCE_YEARS.contains(y))
        .unwrap_or_else(|| today().year());
    if forms.allowance_form.year.trim().is_empty() {
        forms.allowance_form.year = year.to_string();
    }
    let mut tx = app.db.read().await?;
    let types = store::leave::types(&mut tx).await?;
    let allowances = store::leave::allowances(&mut tx, year).await?;
    let people = store::leave::employees(&mut tx).await?;
    tx.commit().await?;
    let empty = ValidationErrors::new();
    let (type_errors, allowance_errors, pattern_errors) = match &refused {
        Refused::None => (&empty, &empty, &empty),
        Refused::Type(e) => (e, &empty, &empty),
        Refused::Allowance(e) => (&empty, e, &empty),
        Refused::Pattern(e) => (&empty, &empty, e),
    };
    let page = SettingsPage {
        layout: layout(app, ctx, "leave-settings-title").await?,
        types: types
            .iter()
            .map(|t| TypeRow {
                code: t.code.clone(),
                label_fr: t.label_fr.clone(),
                label_en: t.label_en.clone(),
                tracks: i18n::t(l, if t.tracks_balance { "yes" } else { "no" }),
                active: t.active,
            })
            .collect(),
        type_form: forms.type_form,
        type_errors: FieldErrors::new(l, type_errors),
        year: year.to_string(),
        allowances: allowances
            .iter()
            .map(|a| {
                (
                    a.user_name.clone(),
                    type_label(&types, &a.leave_type, l),
                    a.acquired.format(l),
                )
            })
            .collect(),
        allowance_form: forms.allowance_form,
        allowance_errors: FieldErrors::new(l, allowance_errors),
        people: people
            .iter()
            .map(|p| (p.id.to_string(), p.name.clone()))
            .collect(),
        tracked: types
            .iter()
            .filter(|t| t.tracks_balance)
            .map(|t| (t.code.clone(), t.label(l).to_owned()))
            .collect(),
        patterns: people
            .iter()
            .map(|p| PatternRow {
                id: p.id,
                name: p.name.clone(),
                region: region_label(l, p.pattern.region),
                weekdays: weekday_labels(l, p.pattern.weekdays),
                ratio: format!("{} %", p.pattern.ratio_percent()),
            })
            .collect(),
        days: (1..=5u8)
            .map(|n| DayBox {
                n,
                label: i18n::t(l, &format!("leave-weekday-{n}")),
                checked: forms.pattern_form.weekdays.contains(&n),
            })
            .collect(),
        pattern_form: forms.pattern_form,
        pattern_errors: FieldErrors::new(l, pattern_errors),
        regions: Region::ALL
            .iter()
            .map(|r| (r.as_str(), region_label(l, *r)))
            .collect(),
    };
    respond(&page, !matches!(refused, Refused::None))
}

fn blank_forms(year: String) -> SettingsForms {
    SettingsForms {
        type_form: TypeForm {
            active: Some("true".into()),
            ..Default::default()
        },
        allowance_form: AllowanceForm {
            year,
            ..Default::default()
        },
        pattern_form: PatternForm {
            region: Region::Standard.as_str().into(),
            weekdays: vec![1, 2, 3, 4, 5],
            ..Default::default()
        },
    }
}

pub async fn settings(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<SettingsQuery>,
) -> AppResult<Response> {
    let mut forms = blank_forms(q.year.clone());
    let mut tx = app.db.read().await?;
    if let Some(t) = store::leave::types(&mut tx)
        .await?
        .into_iter()
        .find(|t| t.code == q.leave_type)
    {
        forms.type_form = TypeForm {
            tracks_balance: t.tracks_balance.then(|| "true".into()),
            active: t.active.then(|| "true".into()),
            code: t.code,
            label_fr: t.label_fr,
            label_en: t.label_en,
        };
    }
    if let Some(user) = UserId::parse(&q.user)
        && let Some(p) = store::leave::employees(&mut tx)
            .await?
            .into_iter()
            .find(|p| p.id == user)
    {
        forms.pattern_form = PatternForm {
            user: p.id.to_string(),
            region: p.pattern.region.as_str().into(),
            weekdays: (1..=5u8)
                .filter(|n| p.pattern.weekdays & (1 << (n - 1)) != 0)
                .collect(),
        };
    }
    tx.commit().await?;
    settings_page(&app, &ctx, forms, Refused::None).await
}

pub async fn save_type(
    State(app): State<AppState>,
    ctx: Ctx,
    Form(f): Form<TypeForm>,
) -> AppResult<Response> {
    let t = LeaveType {
        code: f.code.trim().to_owned(),
        label_fr: f.label_fr.clone(),
        label_en: f.label_en.clone(),
        tracks_balance: f.tracks(),
        active: f.is_active(),
    };
    match write(&app, &ctx)
        .flash("leave-type-saved")
        .run(async |tx| store::leave::save_type(tx, &ctx.actor(), &t).await)
        .await?
    {
        Outcome::Done(()) => Ok(see_other("/settings/leave")),
        Outcome::Refused(errors) => {
            let forms = SettingsForms {
                type_form: f,
                ..blank_forms(String::new())
            };
            settings_page(&app, &ctx, forms, Refused::Type(errors)).await
        }
    }
}

fn parse_allowance(
    f: &AllowanceForm,
) -> Result<(UserId, String, i32, DayQuantity), ValidationErrors> {
    let mut e = ValidationErrors::new();
    let user = UserId::parse(f.user_id.trim());
    if f.user_id.trim().is_empty() {
        e.add("user_id", "field-required");
    } else if user.is_none() {
        e.add("user_id", "leave-user-unknown");
    }
    if f.leave_type.trim().is_empty() {
        e.add("leave_type", "field-required");
    }
    let year = match f.year.trim() {
        "" => {
            e.add("year", "field-required");
            None
        }
        y => {
            let parsed = y.parse::<i32>().ok();
            if parsed.is_none() {
                e.add("year", "leave-year-invalid");
            }
            parsed
        }
    };
    let days = e.required("days", &f.days, DayQuantity::parse);
    match (user, year, days) {
        (Some(u), Some(y), Some(d)) if e.is_empty() => {
            Ok((u, f.leave_type.trim().to_owned(), y, d))
        }
        _ => Err(e),
    }
}

pub async fn save_allowance(
    State(app): State<AppState>,
    ctx: Ctx,
    Form(f): Form<AllowanceForm>,
) -> AppResult<Response> {
    let refuse = async |f: AllowanceForm, errors| {
        let forms = SettingsForms {
            allowance_form: f,
            ..blank_forms(String::new())
        };
        settings_page(&app, &ctx, forms, Refused::Allowance(errors)).await
    };
    let (user, leave_type, year, days) = match parse_allowance(&f) {
        Ok(x) => x,
        Err(errors) => return refuse(f, errors).await,
    };
    match write(&app, &ctx)
        .flash("leave-allowance-saved")
        .run(async |tx| {
            store::leave::set_allowance(tx, &ctx.actor(), user, &leave_type, year, days).await
        })
        .await?
    {
        Outcome::Done(()) => Ok(see_other(&format!("/settings/leave?year={year}"))),
        Outcome::Refused(errors) => refuse(f, errors).await,
    }
}

/// The weekday checkboxes repeat one name, which a struct cannot hold, so
/// the pairs are read one by one.
fn read_pattern(body: &[u8]) -> AppResult<PatternForm> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body)
        .map_err(|_| AppError::BadRequest("error-malformed-form"))?;
    let mut f = PatternForm::default();
    for (k, v) in pairs {
        match k.as_str() {
            "pattern_user" => f.user = v,
            "region" => f.region = v,
            "weekdays" => match v.parse::<u8>() {
                Ok(n @ 1..=5) => f.weekdays.push(n),
                _ => return Err(AppError::BadRequest("error-malformed-form")),
            },
            _ => {}
        }
    }
    f.weekdays.sort_unstable();
    f.weekdays.dedup();
    Ok(f)
}

pub async fn save_pattern(
    State(app): State<AppState>,
    ctx: Ctx,
    body: Bytes,
) -> AppResult<Response> {
    let f = read_pattern(&body)?;
    // The person is checked against those on the payroll in the same
    // transaction that sets the pattern.
    let set = async |tx: &mut Tx| -> AppResult<()> {
        let mut e = ValidationErrors::new();
        let people = store::leave::employees(tx).await?;
        let user = UserId::parse(f.user.trim()).filter(|u| people.iter().any(|p| p.id == *u));
        if f.user.trim().is_empty() {
            e.add("pattern_user", "field-required");
        } else if user.is_none() {
            e.add("pattern_user", "leave-user-unknown");
        }
        let region = Region::parse(f.region.trim());
        if region.is_none() {
            e.add("region", "leave-region-invalid");
        }
        let weekdays = f.weekdays.iter().fold(0u8, |acc, n| acc | 1 << (n - 1));
        if weekdays == 0 {
            e.add("weekdays", "leave-pattern-no-weekday");
        }
        let (Some(user), Some(region), true) = (user, region, e.is_empty()) else {
            return Err(AppError::Validation(e));
        };
        let pattern = WorkPattern { region, weekdays };
        Ok(store::cras::set_work_pattern(tx, &ctx.actor(), user, pattern).await?)
    };
    match write(&app, &ctx)
        .flash("leave-pattern-saved")
        .run(set)
        .await?
    {
        Outcome::Done(()) => Ok(see_other("/settings/leave")),
        Outcome::Refused(e) => {
            let forms = SettingsForms {
                pattern_form: f,
                ..blank_forms(String::new())
            };
            settings_page(&app, &ctx, forms, Refused::Pattern(e)).await
        }
    }
}
