//! Monthly activity reports: the consultant's month grid (days as rows, so it
//! reads on a phone), signing, the client's validation in the portal, and
//! the manager's validation (one or many at once), rejection and reopening.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use domain::Locale;
use domain::calendar::{self, YearMonth};
use domain::cra::{self, Activity, Cell, CraStatus, FREE_ACTIVITIES};
use domain::ids::{CraId, MissionId};
use domain::locale::{format_date, format_datetime};
use domain::mission::DayQuantity;
use domain::validation::ValidationErrors;
use serde::Deserialize;
use store::Tx;
use store::cras::{Entry, Extra, ExtraKind, Sheet, Via};

use super::see_other;
use crate::authz::{Permission, allows};
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::extract::{Form, Id, Query};
use crate::view::{FieldErrors, Flash, FlashKind, Layout, flash, layout, render_status};
use crate::write::{Done, Refused, flash_back, write};
use crate::{AppState, i18n};

pub struct Column {
    pub key: String,
    pub label: String,
    pub billable: bool,
}

pub struct CellView {
    pub name: String,
    pub value: &'static str,
    pub label: String,
}

pub struct DayRow {
    pub id: String,
    pub label: String,
    pub off: bool,
    pub note: String,
    pub cells: Vec<CellView>,
    pub total: String,
    pub over: bool,
}

pub struct ApprovalView {
    pub client: String,
    pub mission: String,
    pub mission_id: String,
    pub state: String,
    pub done: bool,
    pub document: Option<String>,
    pub mine: bool,
}

pub struct ExtraView {
    pub mission_id: String,
    pub mission: String,
    pub on_call: String,
    pub overtime: String,
}

pub struct TotalView {
    pub label: String,
    pub days: String,
}

#[derive(Template)]
#[template(path = "cras/show.html")]
struct ShowPage {
    layout: Layout,
    id: String,
    heading: String,
    status: String,
    status_code: &'static str,
    version: i32,
    rejection: Option<String>,
    comment: String,
    deadline: String,
    working_days: String,
    holidays: Vec<String>,
    columns: Vec<Column>,
    rows: Vec<DayRow>,
    totals: Vec<TotalView>,
    missions: Vec<(String, String)>,
    extras: Vec<ExtraView>,
    approvals: Vec<ApprovalView>,
    attachments: Vec<(String, String, String)>,
    /// Who an attachment is for: each client mission of the month (its
    /// client sees the file), or internal (none).
    attachment_for: Vec<(String, String)>,
    events: Vec<(String, String, String, String)>,
    can_edit: bool,
    can_client: bool,
    can_validate: bool,
    can_reject: bool,
    can_reopen: bool,
    errors: FieldErrors,
    error_list: Vec<String>,
}

fn day_label(l: Locale, d: time::Date) -> String {
    let wd = match (l, d.weekday().number_days_from_monday()) {
        (Locale::Fr, n) => ["lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim."][n as usize],
        (Locale::En, n) => ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][n as usize],
    };
    format!("{wd} {}", format_date(d, l))
}

fn half_value(h: u8) -> &'static str {
    match h {
        0 => "",
        1 => "0,5",
        _ => "1",
    }
}

fn activity_label(
    l: Locale,
    a: &Activity,
    sheet: &Sheet,
    leave_names: &BTreeMap<String, String>,
) -> String {
    match a {
        Activity::Mission(m) => sheet
            .missions
            .iter()
            .find(|x| x.id == *m)
            .map(|x| format!("{} — {}", x.title, x.client_name))
            .unwrap_or_else(|| m.to_string()),
        Activity::Leave(t) => leave_names
            .get(t.as_str())
            .cloned()
            .unwrap_or_else(|| t.to_string()),
        other => i18n::t(l, &format!("cra-activity-{}", other.kind())),
    }
}

/// Cells as typed, when a refused form comes back: so nothing is lost.
type Typed = BTreeMap<(String, time::Date), u8>;

async fn show_page(
    app: &AppState,
    ctx: &Ctx,
    sheet: &Sheet,
    typed: Option<&Typed>,
    comment: Option<String>,
    refusal: Option<&ValidationErrors>,
) -> AppResult<Response> {
    let l = ctx.locale;
    let user = ctx.user()?;
    let role = user.role;
    let mut tx = app.db.read().await?;
    let leave_types = store::leave::types(&mut tx).await?;
    tx.commit().await?;
    let leave_names: BTreeMap<String, String> = leave_types
        .iter()
        .map(|t| (t.code.clone(), t.label(l).to_owned()))
        .collect();
    let cra = &sheet.cra;
    let month = cra.month;
    let mine = cra.consultant_id == user.id;
    let can_edit = mine && allows(role, Permission::EnterCra) && cra.status.is_editable();
    let mut columns: Vec<Column> = sheet
        .missions
        .iter()
        .map(|m| Column {
            key: Activity::Mission(m.id).row_key(),
            label: format!("{} — {}", m.title, m.client_name),
            billable: true,
        })
        .collect();
    if !matches!(ctx.scope()?, store::Scope::Company(_)) {
        columns.extend(FREE_ACTIVITIES.iter().map(|k| Column {
            key: (*k).to_owned(),
            label: i18n::t(l, &format!("cra-activity-{k}")),
            billable: false,
        }));
    }
    let grid = cra::cells_of(&sheet.slots);
    let mut rows = Vec::new();
    for d in month.days() {
        let holiday = calendar::holiday(d, sheet.pattern.region);
        let leave: Vec<String> = sheet
            .slots
            .iter()
            .filter(|s| s.day == d)
            .filter_map(|s| match &s.activity {
                Activity::Leave(t) => Some(format!(
                    "{} ({})",
                    leave_names
                        .get(t.as_str())
                        .cloned()
                        .unwrap_or_else(|| t.to_string()),
                    i18n::t(l, &format!("cra-half-{}", s.half.as_str()))
                )),
                _ => None,
            })
            .collect();
        let mut note = Vec::new();
        if let Some(h) = holiday {
            note.push(h.label(l).to_owned());
        }
        note.extend(leave);
        let mut total = 0u32;
        let cells: Vec<CellView> = columns
            .iter()
            .map(|c| {
                let h = match typed {
                    Some(t) => t.get(&(c.key.clone(), d)).copied().unwrap_or(0),
                    None => Activity::parse_row_key(&c.key)
                        .and_then(|a| grid.get(&a).and_then(|m| m.get(&d)).copied())
                        .unwrap_or(0),
                };
                total += u32::from(h);
                CellView {
                    name: format!("c:{}:{}", c.key, d),
                    value: half_value(h),
                    label: format!("{} — {}", c.label, format_date(d, l)),
                }
            })
            .collect();
        let leave_halves = sheet
            .slots
            .iter()
            .filter(|s| s.day == d && s.activity.is_leave())
            .count() as u32;
        total += leave_halves;
        rows.push(DayRow {
            id: d.to_string(),
            label: day_label(l, d),
            off: !sheet.pattern.works_on(d),
            note: note.join(" · "),
            cells,
            total: if total == 0 {
                String::new()
            } else {
                DayQuantity::from_half_days(total).format(l)
            },
            over: total > 2,
        });
    }
    let totals: Vec<TotalView> = cra::totals(&sheet.slots)
        .iter()
        .map(|(a, q)| TotalView {
            label: activity_label(l, a, sheet, &leave_names),
            days: q.format(l),
        })
        .collect();
    let company = match ctx.scope()? {
        store::Scope::Company(c) => Some(c),
        _ => None,
    };
    let approvals: Vec<ApprovalView> = sheet
        .approvals
        .iter()
        .filter(|a| company.is_none_or(|c| c == a.client_id))
        .map(|a| ApprovalView {
            client: a.client_name.clone(),
            mission: sheet
                .missions
                .iter()
                .find(|m| m.id == a.mission_id)
                .map(|m| m.title.clone())
                .unwrap_or_default(),
            mission_id: a.mission_id.to_string(),
            state: match (&a.approved_at, &a.approved_by) {
                (Some(at), by) => format!(
                    "{} — {} {}",
                    i18n::t(
                        l,
                        &format!("cra-via-{}", a.via.as_deref().unwrap_or("portal"))
                    ),
                    by.as_deref().unwrap_or(""),
                    format_datetime(*at, l)
                ),
                (None, _) => i18n::t(l, "cra-client-pending"),
            },
            done: a.approved_at.is_some(),
            document: a.document_id.clone(),
            mine: company == Some(a.client_id),
        })
        .collect();
    let can_client = allows(role, Permission::ClientValidateCras)
        && cra.status == CraStatus::Signed
        && approvals.iter().any(|a| a.mine && !a.done);
    let can_manage = allows(role, Permission::ValidateCras);
    let extras: Vec<ExtraView> = sheet
        .missions
        .iter()
        .filter(|m| m.extras_allowed)
        .map(|m| {
            let q = |k: ExtraKind| {
                sheet
                    .extras
                    .iter()
                    .find(|x| x.mission_id == m.id && x.kind == k)
                    .map(|x| hundredths_text(x.hundredths, l))
                    .unwrap_or_default()
            };
            ExtraView {
                mission_id: m.id.to_string(),
                mission: m.title.clone(),
                on_call: q(ExtraKind::OnCall),
                overtime: q(ExtraKind::Overtime),
            }
        })
        .collect();
    let holidays: Vec<String> = calendar::holidays(month.year, sheet.pattern.region)
        .into_iter()
        .filter(|(d, _)| month.contains(*d))
        .map(|(d, h)| format!("{} ({})", format_date(d, l), h.label(l)))
        .collect();
    let refusal = refusal.map(|e| localized_days(e, l));
    let refusal = refusal.as_ref();
    let errors = refusal.map(|e| FieldErrors::new(l, e)).unwrap_or_default();
    let error_list = refusal
        .map(|e| e.0.iter().map(|f| i18n::field_error(l, f)).collect())
        .unwrap_or_default();
    let page = ShowPage {
        layout: layout(app, ctx, "cra-title").await?,
        id: cra.id.to_string(),
        heading: format!("{} — {}", cra.consultant_name, month.label(l)),
        status: i18n::t(l, &cra.status.label_key()),
        status_code: cra.status.as_str(),
        version: cra.version,
        rejection: cra.rejection_reason.clone(),
        comment: comment.or_else(|| cra.comment.clone()).unwrap_or_default(),
        deadline: format_date(cra::on_time_deadline(month), l),
        working_days: DayQuantity::from_days(sheet.pattern.working_days(month).len() as u32)
            .format(l),
        holidays,
        columns,
        rows,
        totals,
        missions: sheet
            .missions
            .iter()
            .filter(|m| m.start <= month.last_day() && m.end >= month.first_day())
            .map(|m| (m.id.to_string(), m.title.clone()))
            .collect(),
        extras,
        approvals,
        attachments: sheet
            .attachments
            .iter()
            .map(|a| {
                (
                    a.id.clone(),
                    a.filename.clone(),
                    format_datetime(a.uploaded_at, l),
                )
            })
            .collect(),
        attachment_for: sheet
            .missions
            .iter()
            .filter(|m| m.start <= month.last_day() && m.end >= month.first_day())
            .map(|m| (m.id.to_string(), format!("{} — {}", m.client_name, m.title)))
            .collect(),
        events: sheet
            .events
            .iter()
            .map(|e| {
                (
                    format_datetime(e.at, l),
                    e.actor_name.clone(),
                    i18n::t(l, &format!("cra-event-{}", e.kind.replace('_', "-"))),
                    e.detail.clone().unwrap_or_default(),
                )
            })
            .collect(),
        can_edit,
        can_client,
        can_validate: can_manage && cra.status == CraStatus::ClientValidated,
        can_reject: can_manage
            && matches!(cra.status, CraStatus::Signed | CraStatus::ClientValidated),
        can_reopen: can_manage && cra.status == CraStatus::Validated,
        errors,
        error_list,
    };
    let status = if refusal.is_some() {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
    };
    render_status(status, &page)
}

/// Dates in messages come as ISO from the domain; people read them localized.
fn localized_days(e: &ValidationErrors, l: Locale) -> ValidationErrors {
    let mut out = e.clone();
    for f in &mut out.0 {
        for (k, v) in &mut f.args {
            if *k == "day"
                && let Ok(d) =
                    time::Date::parse(v, &time::format_description::well_known::Iso8601::DATE)
            {
                *v = format_date(d, l);
            }
        }
    }
    out
}

fn hundredths_text(h: i64, l: Locale) -> String {
    let whole = h / 100;
    let frac = h % 100;
    let sep = if l == Locale::Fr { "," } else { "." };
    if frac == 0 {
        whole.to_string()
    } else if frac % 10 == 0 {
        format!("{whole}{sep}{}", frac / 10)
    } else {
        format!("{whole}{sep}{frac:02}")
    }
}

fn parse_hundredths(raw: &str) -> Option<i64> {
    let t = raw.trim().replace(',', ".");
    if t.is_empty() {
        return Some(0);
    }
    let (whole, frac) = t.split_once('.').unwrap_or((&t, ""));
    if whole.is_empty()
        || frac.len() > 2
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let frac: i64 = format!("{frac:0<2}").parse().ok()?;
    whole
        .parse::<i64>()
        .ok()?
        .checked_mul(100)?
        .checked_add(frac)
}

pub async fn show(State(app): State<AppState>, ctx: Ctx, Id(id): Id<CraId>) -> AppResult<Response> {
    let mut tx = app.db.read().await?;
    let sheet = store::cras::get(&mut tx, ctx.scope()?, id).await?;
    tx.commit().await?;
    show_page(&app, &ctx, &sheet, None, None, None).await
}

#[derive(Debug, Default, Deserialize)]
pub struct OpenForm {
    #[serde(default)]
    pub month: String,
}

/// Opens the signed-in consultant's report for a month (created on first use).
pub async fn open(
    State(app): State<AppState>,
    ctx: Ctx,
    Form(f): Form<OpenForm>,
) -> AppResult<Response> {
    let month =
        YearMonth::parse(f.month.trim()).ok_or(AppError::BadRequest("error-malformed-form"))?;
    let user = ctx.user()?.id;
    if month > YearMonth::of(store::today()) {
        // Nobody reports on a month that has not begun: leave is requested
        // ahead, work is not.
        let v = ValidationErrors::single("month", "cra-month-not-started");
        return flash_back(&app, &ctx, &v, "/cras").await;
    }
    match write(&app, &ctx)
        .run(async |tx| store::cras::open(tx, &ctx.actor(), user, month).await)
        .await?
    {
        Done(id) => Ok(see_other(&format!("/cras/{id}"))),
        Refused(v) => flash_back(&app, &ctx, &v, "/cras").await,
    }
}

/// The grid's fields: `c:<row key>:<date>` cells, `x:<kind>:<mission>`
/// extras, the comment, and which button was pressed.
fn read_grid(
    fields: &[(String, String)],
) -> (
    Vec<Cell>,
    Typed,
    Vec<Extra>,
    ValidationErrors,
    Option<String>,
) {
    let mut cells = Vec::new();
    let mut typed = Typed::new();
    let mut extras = Vec::new();
    let mut e = ValidationErrors::new();
    let mut comment = None;
    for (k, v) in fields {
        if k == "comment" {
            comment = Some(v.trim().to_owned()).filter(|c| !c.is_empty());
            continue;
        }
        // The row key may hold a colon itself ("mission:<id>"): the date is
        // after the last one.
        let (prefix, rest) = k.split_once(':').unwrap_or((k.as_str(), ""));
        let (key, last) = rest.rsplit_once(':').unwrap_or((rest, ""));
        match (prefix, key, last) {
            ("c", key, day) => {
                let (Some(activity), Ok(day)) = (
                    Activity::parse_row_key(key),
                    time::Date::parse(day, &time::format_description::well_known::Iso8601::DATE),
                ) else {
                    e.add("grid", "error-malformed-form");
                    continue;
                };
                match cra::parse_cell(v) {
                    Ok(h) => {
                        typed.insert(((*key).to_owned(), day), h);
                        cells.push(Cell {
                            activity,
                            day,
                            half_days: h,
                        });
                    }
                    Err(cra::CellError::OverOneDay) => e.add_with(
                        "grid",
                        "cra-cell-over-one-day",
                        vec![("day", day.to_string())],
                    ),
                    Err(cra::CellError::Invalid) => {
                        e.add_with("grid", "cra-cell-invalid", vec![("day", day.to_string())])
                    }
                }
            }
            ("x", kind, mission) => {
                let (Some(kind), Some(mission)) =
                    (ExtraKind::parse(kind), MissionId::parse(mission))
                else {
                    e.add("extras", "error-malformed-form");
                    continue;
                };
                match parse_hundredths(v) {
                    Some(0) => {}
                    Some(h) => extras.push(Extra {
                        mission_id: mission,
                        kind,
                        hundredths: h,
                    }),
                    None => e.add("extras", "cra-extras-invalid"),
                }
            }
            _ => {}
        }
    }
    (cells, typed, extras, e, comment)
}

/// Saves the grid; "fill" first lays the mission over the free working days,
/// "sign" saves then signs. A refusal shows the grid again as typed.
pub async fn save(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<CraId>,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let (mut cells, typed, extras, parse_errors, comment) = read_grid(&fields);
    let action = fields
        .iter()
        .find(|(k, _)| k == "action")
        .map(|(_, v)| v.as_str())
        .unwrap_or("save");
    let (scope, me) = (ctx.scope()?, ctx.user()?.id);
    // The sheet as read in the transaction, for a refusal to show again.
    let mut read = None;
    let save = async |tx: &mut Tx| -> AppResult<()> {
        let sheet = read.insert(store::cras::get(tx, scope, id).await?);
        if sheet.cra.consultant_id != me {
            return Err(AppError::NotFound);
        }
        if !parse_errors.is_empty() {
            return Err(AppError::Validation(parse_errors));
        }
        if let Some(m) = action.strip_prefix("fill:") {
            let mission = sheet
                .missions
                .iter()
                .find(|x| x.id.to_string() == m)
                .ok_or(AppError::BadRequest("error-malformed-form"))?;
            cells = cra::fill_month(
                sheet.cra.month,
                sheet.pattern,
                &mission.window(),
                &cells,
                &sheet.leave_slots(),
            );
        }
        let entry = Entry {
            cells,
            comment: comment.clone(),
            extras,
        };
        let actor = ctx.actor();
        store::cras::save(tx, &actor, scope, id, &entry).await?;
        if action == "sign" {
            let origin = ctx.origin();
            store::cras::sign(tx, &actor, scope, id, &origin, &app.config.public_url).await?;
        }
        Ok(())
    };
    let key = match action {
        "sign" => "cra-signed-flash",
        _ => "cra-saved-flash",
    };
    match write(&app, &ctx).flash(key).run(save).await? {
        Done(()) => Ok(see_other(&format!("/cras/{id}"))),
        // Signing refused after a good save: keep what was typed anyway.
        Refused(v) => match read {
            Some(sheet) => show_page(&app, &ctx, &sheet, Some(&typed), comment, Some(&v)).await,
            None => Err(AppError::Validation(v)),
        },
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct ReasonForm {
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub mission: String,
}

/// A client contact validates his company's days from the portal.
pub async fn client_validate(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<CraId>,
    Form(f): Form<ReasonForm>,
) -> AppResult<Response> {
    let mission =
        MissionId::parse(&f.mission).ok_or(AppError::BadRequest("error-malformed-form"))?;
    let scope = ctx.scope()?;
    let actor = ctx.actor();
    let user = ctx.user()?;
    let who = format!("{} <{}>", user.display_name, user.email);
    let store::Scope::Company(company) = scope else {
        return Err(AppError::NotFound);
    };
    let validate = async |tx: &mut Tx| -> store::Result<()> {
        let sheet = store::cras::get(tx, scope, id).await?;
        if !sheet
            .approvals
            .iter()
            .any(|a| a.mission_id == mission && a.client_id == company)
        {
            return Err(store::Error::NotFound);
        }
        let via = Via::Portal {
            mission,
            actor: &actor,
        };
        store::cras::client_validate(tx, scope, id, via, &who).await?;
        Ok(())
    };
    write(&app, &ctx)
        .flash("cra-client-validated-flash")
        .redirect(&format!("/cras/{id}"), validate)
        .await
}

/// Back to the consultant, from the client (portal) or the manager.
pub async fn reject(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<CraId>,
    Form(f): Form<ReasonForm>,
) -> AppResult<Response> {
    let scope = ctx.scope()?;
    let client = matches!(scope, store::Scope::Company(_));
    let reject = async |tx: &mut Tx| -> store::Result<()> {
        let sheet = store::cras::get(tx, scope, id).await?;
        // A client's say ends with his validation; after it, only the manager
        // (or a client still to validate his own days) may send the report back.
        let client_done = match scope {
            store::Scope::Company(c) => !sheet
                .approvals
                .iter()
                .any(|a| a.client_id == c && a.approved_at.is_none()),
            _ => false,
        };
        if client_done || (client && sheet.cra.status != CraStatus::Signed) {
            return Err(store::Error::Invalid(ValidationErrors::single(
                "status",
                "cra-client-done",
            )));
        }
        store::cras::reject(tx, &ctx.actor(), scope, id, &f.reason).await?;
        Ok(())
    };
    match write(&app, &ctx)
        .flash("cra-rejected-flash")
        .run(reject)
        .await?
    {
        // Sent back, the report is a draft again, which its client no longer
        // sees: his portal's home is where he goes on.
        Done(()) if client => Ok(see_other("/")),
        Done(()) => Ok(see_other(&format!("/cras/{id}"))),
        Refused(v) => flash_back(&app, &ctx, &v, &format!("/cras/{id}")).await,
    }
}

pub async fn validate_one(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<CraId>,
) -> AppResult<Response> {
    let scope = ctx.scope()?;
    let validate = async |tx: &mut Tx| -> store::Result<()> {
        store::cras::get(tx, scope, id).await?;
        let done = store::cras::validate(tx, &ctx.actor(), &[id]).await?;
        // Nothing validated, nothing written.
        if done.done.is_empty() {
            return Err(store::Error::Invalid(ValidationErrors::single(
                "status",
                "cra-awaiting-client",
            )));
        }
        Ok(())
    };
    write(&app, &ctx)
        .flash("cra-validated-flash")
        .redirect(&format!("/cras/{id}"), validate)
        .await
}

/// Validates every ticked report awaiting the manager in one transaction.
pub async fn validate_many(
    State(app): State<AppState>,
    ctx: Ctx,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let ids: Vec<CraId> = fields
        .iter()
        .filter(|(k, _)| k == "id")
        .filter_map(|(_, v)| CraId::parse(v))
        .collect();
    let back = fields
        .iter()
        .find(|(k, _)| k == "back")
        .map(|(_, v)| v.clone())
        .filter(|b| b.starts_with("/cras"))
        .unwrap_or_else(|| "/cras".into());
    if ids.is_empty() {
        flash(&app, &ctx, FlashKind::Error, "cra-none-selected").await?;
        return Ok(see_other(&back));
    }
    write(&app, &ctx)
        .run_then_flash(
            async |tx| store::cras::validate(tx, &ctx.actor(), &ids).await,
            |done| {
                Some(Flash::success(if done.skipped.is_empty() {
                    "cra-bulk-validated-flash"
                } else {
                    "cra-bulk-partly-validated-flash"
                }))
            },
        )
        .await?
        .or_error()?;
    Ok(see_other(&back))
}

pub async fn reopen(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<CraId>,
    Form(f): Form<ReasonForm>,
) -> AppResult<Response> {
    let scope = ctx.scope()?;
    let reopen = async |tx: &mut Tx| {
        store::cras::get(tx, scope, id).await?;
        store::cras::reopen(tx, &ctx.actor(), id, &f.reason).await
    };
    match write(&app, &ctx)
        .flash("cra-reopened-flash")
        .run(reopen)
        .await?
    {
        Done(new_id) => Ok(see_other(&format!("/cras/{new_id}"))),
        Refused(v) => flash_back(&app, &ctx, &v, &format!("/cras/{id}")).await,
    }
}

pub async fn upload(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<CraId>,
    mut form: Multipart,
) -> AppResult<Response> {
    let mut file: Option<(String, String, Vec<u8>)> = None;
    let mut mission = None;
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|_| AppError::BadRequest("error-malformed-form"))?
    {
        if field.name() == Some("mission") {
            let raw = field
                .text()
                .await
                .map_err(|_| AppError::BadRequest("error-malformed-form"))?;
            mission = match raw.trim() {
                "" => None,
                m => Some(MissionId::parse(m).ok_or(AppError::BadRequest("error-malformed-form"))?),
            };
        } else if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("piece-jointe").to_owned();
            let ct = field
                .content_type()
                .unwrap_or("application/octet-stream")
                .to_owned();
            let bytes = field.bytes().await.map_err(|_| AppError::PayloadTooLarge)?;
            file = Some((name, ct, bytes.to_vec()));
        }
    }
    let (name, ct, bytes) = file.unwrap_or_default();
    let (scope, me) = (ctx.scope()?, ctx.user()?.id);
    let add = async |tx: &mut Tx| -> store::Result<()> {
        let sheet = store::cras::get(tx, scope, id).await?;
        if sheet.cra.consultant_id != me {
            return Err(store::Error::NotFound);
        }
        let file = store::cras::NewAttachment {
            filename: &name,
            content_type: &ct,
            bytes: &bytes,
            mission,
        };
        store::cras::add_attachment(tx, &ctx.actor(), scope, id, &file).await?;
        Ok(())
    };
    write(&app, &ctx)
        .flash("cra-attachment-added-flash")
        .redirect(&format!("/cras/{id}"), add)
        .await
}

pub async fn attachment(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((id, attachment)): Path<(String, String)>,
) -> AppResult<Response> {
    let id = CraId::parse(&id).ok_or(AppError::NotFound)?;
    let mut tx = app.db.read().await?;
    // Served as bytes to download whatever type was declared at upload: a
    // consultant's file is never rendered in a manager's browser.
    let (name, _declared_type, bytes) =
        store::cras::attachment(&mut tx, ctx.scope()?, id, &attachment).await?;
    tx.commit().await?;
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    Ok((
        [
            (header::CONTENT_TYPE, "application/octet-stream".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{safe}\""),
            ),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
        ],
        bytes,
    )
        .into_response())
}

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

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn grid_fields_name_their_row_and_day() {
        let m = MissionId::new();
        let (cells, typed, extras, errors, comment) = read_grid(&fields(&[
            (&format!("c:mission:{m}:2026-11-02"), "1"),
            ("c:bench:2026-11-03", "0,5"),
            ("c:training:2026-11-04", ""),
            (&format!("x:on_call:{m}"), "2"),
            (&format!("x:overtime:{m}"), "1,25"),
            ("comment", "  RAS  "),
            ("action", "save"),
        ]));
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(cells.len(), 3);
        assert_eq!(cells[0].activity, Activity::Mission(m));
        assert_eq!(cells[0].half_days, 2);
        assert_eq!(cells[1].half_days, 1);
        assert_eq!(typed.len(), 3);
        assert_eq!(
            extras,
            vec![
                Extra {
                    mission_id: m,
                    kind: ExtraKind::OnCall,
                    hundredths: 200
                },
                Extra {
                    mission_id: m,
                    kind: ExtraKind::Overtime,
                    hundredths: 125
                },
            ]
        );
        assert_eq!(comment.as_deref(), Some("RAS"));
    }

    #[test]
    fn bad_cells_are_named_by_their_day() {
        let (_, _, _, errors, _) = read_grid(&fields(&[
            ("c:bench:2026-11-03", "1,5"),
            ("c:bench:2026-11-04", "0,3"),
            ("c:nonsense:2026-11-05", "1"),
            ("c:bench:2026-13-01", "1"),
            ("x:on_call:not-a-mission", "1"),
        ]));
        let keys: Vec<&str> = errors.0.iter().map(|e| e.key).collect();
        assert_eq!(
            keys,
            [
                "cra-cell-over-one-day",
                "cra-cell-invalid",
                "error-malformed-form",
                "error-malformed-form",
                "error-malformed-form"
            ]
        );
    }

    #[test]
    fn units_in_hundredths() {
        assert_eq!(parse_hundredths(""), Some(0));
        assert_eq!(parse_hundredths("3"), Some(300));
        assert_eq!(parse_hundredths("1,5"), Some(150));
        assert_eq!(parse_hundredths("0.25"), Some(25));
        assert_eq!(parse_hundredths("1,255"), None);
        assert_eq!(parse_hundredths("-1"), None);
        assert_eq!(parse_hundredths("x"), None);
        assert_eq!(hundredths_text(150, Locale::Fr), "1,5");
        assert_eq!(hundredths_text(125, Locale::En), "1.25");
        assert_eq!(hundredths_text(300, Locale::Fr), "3");
    }
}
