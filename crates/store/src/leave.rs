//! Leave types, allowances and requests. Approved leave is written into the
//! consultant's draft activity reports; a month already signed refuses it.

use domain::calendar::YearMonth;
use domain::cra::{Half, Slot, WorkPattern};
use domain::ids::{LeaveRequestId, UserId};
use domain::leave::{Balance, LeaveEvent, LeavePeriod, LeaveStatus, LeaveTypeCode, mail};
use domain::mission::DayQuantity;
use domain::validation::ValidationErrors;
use serde::Serialize;
use time::{Date, OffsetDateTime};

use crate::cras::{apply_leave, locked_on, work_pattern};
use crate::{Actor, Error, Result, Scope, Tx, audit, corrupt, now, on_tx, outbox};

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct LeaveType {
    pub code: String,
    pub label_fr: String,
    pub label_en: String,
    pub tracks_balance: bool,
    pub active: bool,
}

impl LeaveType {
    pub fn label(&self, l: domain::Locale) -> &str {
        match l {
            domain::Locale::Fr => &self.label_fr,
            domain::Locale::En => &self.label_en,
        }
    }
}

pub async fn types(tx: &mut Tx) -> Result<Vec<LeaveType>> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT code, label_fr, label_en, tracks_balance, active FROM leave_types ORDER BY position, code"
    )
    .fetch_all(c)
    .await
    })?)
}

/// Adds a firm-specific leave type (e.g. "enfant malade") or renames one.
pub async fn save_type(tx: &mut Tx, actor: &Actor, t: &LeaveType) -> Result<()> {
    let mut e = ValidationErrors::new();
    if LeaveTypeCode::parse(&t.code).is_err() {
        e.add("code", "leave-type-code-invalid");
    }
    for (field, v) in [("label_fr", &t.label_fr), ("label_en", &t.label_en)] {
        if v.trim().is_empty() {
            e.add(field, "field-required");
        } else if v.chars().count() > 80 {
            e.add_with(field, "field-too-long", domain::args![("max", 80u32)]);
        }
    }
    if !e.is_empty() {
        return Err(Error::Invalid(e));
    }
    let t = &LeaveType {
        code: t.code.clone(),
        label_fr: t.label_fr.trim().to_owned(),
        label_en: t.label_en.trim().to_owned(),
        ..t.clone()
    };
    on_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO leave_types (code, label_fr, label_en, tracks_balance, active, position)
         VALUES ($1, $2, $3, $4, $5, (SELECT COALESCE(MAX(position), 0) + 1 FROM leave_types))
         ON CONFLICT (code) DO UPDATE SET label_fr = $2, label_en = $3, tracks_balance = $4, active = $5"
    )
    .bind(&t.code)
    .bind(&t.label_fr)
    .bind(&t.label_en)
    .bind(t.tracks_balance)
    .bind(t.active)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    audit::record(
        tx,
        actor,
        "save_leave_type",
        "leave_type",
        &t.code,
        None::<&()>,
        Some(t),
    )
    .await
}

#[derive(Debug, Clone, Serialize)]
pub struct LeaveRequest {
    pub id: LeaveRequestId,
    pub user_id: UserId,
    pub user_name: String,
    pub leave_type: String,
    pub period: LeavePeriod,
    pub days: DayQuantity,
    pub status: LeaveStatus,
    pub comment: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<OffsetDateTime>,
    pub decision_note: Option<String>,
    pub created_at: OffsetDateTime,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    user_id: String,
    user_name: String,
    leave_type: String,
    start_date: Date,
    start_half: String,
    end_date: Date,
    end_half: String,
    half_days: i32,
    status: String,
    comment: Option<String>,
    decided_by: Option<String>,
    decided_at: Option<OffsetDateTime>,
    decision_note: Option<String>,
    created_at: OffsetDateTime,
}

impl TryFrom<Row> for LeaveRequest {
    type Error = Error;
    fn try_from(r: Row) -> Result<LeaveRequest> {
        let half = |s: &str| Half::parse(s).ok_or_else(|| corrupt("half", s));
        Ok(LeaveRequest {
            id: LeaveRequestId::parse(&r.id).ok_or_else(|| corrupt("leave id", &r.id))?,
            user_id: UserId::parse(&r.user_id).ok_or_else(|| corrupt("user id", &r.user_id))?,
            user_name: r.user_name,
            leave_type: r.leave_type,
            period: LeavePeriod {
                start: r.start_date,
                start_half: half(&r.start_half)?,
                end: r.end_date,
                end_half: half(&r.end_half)?,
            },
            days: DayQuantity::from_half_days(r.half_days.max(0) as u32),
            status: LeaveStatus::parse(&r.status)
                .ok_or_else(|| corrupt("leave status", &r.status))?,
            comment: r.comment,
            decided_by: r.decided_by,
            decided_at: r.decided_at,
            decision_note: r.decision_note,
            created_at: r.created_at,
        })
    }
}

/// Leave rows in the scope (`scope_clause!(leave)`: `$1` company, `$2`
/// the person, `$3` the business manager); the caller's own conditions
/// start at `$4`.
macro_rules! select_leave {
    ($where:literal) => {
        concat!(
            "SELECT l.id, l.user_id, u.display_name AS user_name, l.leave_type, l.start_date, l.start_half,
               l.end_date, l.end_half, l.half_days, l.status, l.comment, d.display_name AS decided_by,
               l.decided_at, l.decision_note, l.created_at
             FROM leave_requests l JOIN users u ON u.id = l.user_id LEFT JOIN users d ON d.id = l.decided_by
             WHERE ",
            crate::scope_clause!(leave),
            " AND ",
            $where
        )
    };
}

pub async fn get(tx: &mut Tx, scope: Scope, id: LeaveRequestId) -> Result<LeaveRequest> {
    let row: Option<Row> = on_tx!(tx, |c| sqlx::query_as(select_leave!("l.id = $4"))
        .bind(scope.company())
        .bind(scope.own_user())
        .bind(scope.portfolio())
        .bind(id.to_string())
        .fetch_optional(c)
        .await)?;
    row.ok_or(Error::NotFound)?.try_into()
}

#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub user: Option<UserId>,
    pub status: Option<LeaveStatus>,
}

pub async fn list(tx: &mut Tx, scope: Scope, f: &Filter) -> Result<Vec<LeaveRequest>> {
    let rows: Vec<Row> = on_tx!(tx, |c| {
        sqlx::query_as(select_leave!(
        "(CAST($4 AS TEXT) IS NULL OR l.user_id = $4) AND (CAST($5 AS TEXT) IS NULL OR l.status = $5)
         ORDER BY l.start_date DESC LIMIT 500"
    ))
    .bind(scope.company())
    .bind(scope.own_user())
    .bind(scope.portfolio())
    .bind(f.user.map(|u| u.to_string()))
    .bind(f.status.map(|s| s.as_str()))
    .fetch_all(c)
    .await
    })?;
    rows.into_iter().map(TryInto::try_into).collect()
}

pub struct NewLeave {
    pub leave_type: String,
    pub period: LeavePeriod,
    pub comment: Option<String>,
}

/// The consultant asks; his managers are told. Refused when it takes no
/// working day, overlaps another request, or falls in a month already signed.
pub async fn request(
    tx: &mut Tx,
    actor: &Actor,
    user: UserId,
    n: &NewLeave,
) -> Result<LeaveRequest> {
    let mut e = match n.period.validate() {
        Ok(()) => ValidationErrors::new(),
        Err(e) => e,
    };
    let comment = n
        .comment
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    let known = types(tx).await?;
    let ty = known.iter().find(|t| t.code == n.leave_type && t.active);
    if ty.is_none() {
        e.add("leave_type", "leave-type-unknown");
    }
    if let Some(c) = comment
        && c.chars().count() > 1000
    {
        e.add_with("comment", "field-too-long", domain::args![("max", 1000u32)]);
    }
    if !e.is_empty() {
        return Err(Error::Invalid(e));
    }
    lock_person(tx, user).await?;
    let pattern = work_pattern(tx, user).await?;
    let halves = n.period.halves(pattern);
    if halves.is_empty() {
        return Err(Error::Invalid(ValidationErrors::single(
            "start",
            "leave-no-working-day",
        )));
    }
    check_free(tx, user, &n.period, None).await?;
    if let Some(d) = locked_on(tx, user, &halves).await? {
        return Err(signed_month("start", d));
    }
    let id = LeaveRequestId::new();
    let at = now();
    on_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO leave_requests (id, user_id, leave_type, start_date, start_half, end_date, end_half, half_days,
           status, comment, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'requested', $9, $10, $10)"
    )
    .bind(id.to_string())
    .bind(user.to_string())
    .bind(&n.leave_type)
    .bind(n.period.start)
    .bind(n.period.start_half.as_str())
    .bind(n.period.end)
    .bind(n.period.end_half.as_str())
    .bind(halves.len() as i32)
    .bind(comment)
    .bind(at)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    let r = get(tx, Scope::All, id).await?;
    audit::record(
        tx,
        actor,
        "request_leave",
        "leave_request",
        &id.to_string(),
        None::<&()>,
        Some(&r),
    )
    .await?;
    for to in managers_of(tx, user).await? {
        let (subject, text) = mail::requested(
            &r.user_name,
            r.days,
            ty.map(|t| t.label_fr.as_str()).unwrap_or(&n.leave_type),
            n.period.start,
            n.period.end,
        );
        outbox::queue(tx, &to, &subject, &text).await?;
    }
    Ok(r)
}

/// Business and delivery managers of the consultant's current missions.
async fn managers_of(tx: &mut Tx, user: UserId) -> Result<Vec<String>> {
    let today = crate::today();
    Ok(on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT DISTINCT u.email FROM missions m JOIN users u
           ON u.id = m.business_manager_id OR u.id = m.delivery_manager_id
         WHERE m.consultant_id = $1 AND m.end_date >= $2 AND u.active = TRUE ORDER BY u.email"
    )
    .bind(user.to_string())
    .bind(today)
    .fetch_all(c)
    .await)?)
}

/// The month is named in the reader's language when the message is shown.
fn signed_month(field: &'static str, day: Date) -> Error {
    let month = YearMonth::of(day);
    let mut e = ValidationErrors::new();
    e.add_with(
        field,
        "leave-overlaps-signed-cra",
        domain::args![("month", month)],
    );
    Error::Invalid(e)
}

/// Serialises the leave writes of one person, so two requests sent at once
/// cannot both pass the overlap check. SQLite's writer lock already does it.
async fn lock_person(tx: &mut Tx, user: UserId) -> Result<()> {
    if let Tx::Postgres(t) = tx {
        sqlx::query("SELECT id FROM users WHERE id = $1 FOR UPDATE")
            .bind(user.to_string())
            .fetch_optional(&mut **t)
            .await?;
    }
    Ok(())
}

/// The person's live requests (asked or approved) touching `from..=to`.
async fn live_between(
    tx: &mut Tx,
    user: UserId,
    from: Date,
    to: Date,
) -> Result<Vec<LeaveRequest>> {
    let rows: Vec<Row> = on_tx!(tx, |c| sqlx::query_as(select_leave!(
        "l.status IN ('requested', 'approved') AND l.start_date <= $4 AND l.end_date >= $3
         ORDER BY l.start_date"
    ))
    .bind(None::<String>)
    .bind(user.to_string())
    .bind(from)
    .bind(to)
    .fetch_all(c)
    .await)?;
    rows.into_iter().map(TryInto::try_into).collect()
}

async fn check_free(
    tx: &mut Tx,
    user: UserId,
    p: &LeavePeriod,
    except: Option<LeaveRequestId>,
) -> Result<()> {
    let others = live_between(tx, user, p.start, p.end).await?;
    let clash = others
        .iter()
        .any(|o| Some(o.id) != except && o.period.overlaps(p));
    if clash {
        return Err(Error::Invalid(ValidationErrors::single(
            "start",
            "leave-overlaps-other",
        )));
    }
    Ok(())
}

pub enum Decision {
    Approve,
    Refuse { note: String },
    Cancel,
}

/// Approval writes the leave into the draft reports it touches; a report
/// already signed for one of those months refuses the whole decision.
pub async fn decide(
    tx: &mut Tx,
    actor: &Actor,
    scope: Scope,
    id: LeaveRequestId,
    d: &Decision,
) -> Result<LeaveRequest> {
    let before = get(tx, scope, id).await?;
    let event = match d {
        Decision::Approve => LeaveEvent::Approve,
        Decision::Refuse { .. } => LeaveEvent::Refuse,
        Decision::Cancel => LeaveEvent::Cancel,
    };
    let next = before
        .status
        .transition(event)
        .map_err(|_| Error::Invalid(ValidationErrors::single("status", "leave-already-decided")))?;
    // Four eyes: a manager's own leave is decided by someone else.
    if !matches!(d, Decision::Cancel) && actor.user_id == Some(before.user_id) {
        return Err(Error::Invalid(ValidationErrors::single(
            "status",
            "leave-own-decision",
        )));
    }
    let note = match d {
        Decision::Refuse { note } if note.trim().is_empty() => {
            return Err(Error::Invalid(ValidationErrors::single(
                "note",
                "leave-refusal-reason-required",
            )));
        }
        Decision::Refuse { note } if note.trim().chars().count() > 1000 => {
            let mut e = ValidationErrors::new();
            e.add_with("note", "field-too-long", domain::args![("max", 1000u32)]);
            return Err(Error::Invalid(e));
        }
        Decision::Refuse { note } => Some(note.trim().to_owned()),
        _ => None,
    };
    lock_person(tx, before.user_id).await?;
    let pattern: WorkPattern = work_pattern(tx, before.user_id).await?;
    let halves = before.period.halves(pattern);
    let touches_reports = matches!(d, Decision::Approve)
        || (matches!(d, Decision::Cancel) && before.status == LeaveStatus::Approved);
    if touches_reports && let Some(day) = locked_on(tx, before.user_id, &halves).await? {
        return Err(signed_month("status", day));
    }
    let n = on_tx!(tx, |c| {
        sqlx::query(
        "UPDATE leave_requests SET status = $3, decided_by = $4, decided_at = $5, decision_note = COALESCE($6, decision_note),
           updated_at = $5 WHERE id = $1 AND status = $2"
    )
    .bind(id.to_string())
    .bind(before.status.as_str())
    .bind(next.as_str())
    .bind(actor.user_id.map(|u| u.to_string()))
    .bind(now())
    .bind(note.as_deref())
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    if n == 0 {
        return Err(Error::Invalid(ValidationErrors::single(
            "status",
            "leave-already-decided",
        )));
    }
    if touches_reports {
        let code = LeaveTypeCode::parse(&before.leave_type)
            .map_err(|_| corrupt("leave type", &before.leave_type))?;
        let write = matches!(d, Decision::Approve).then_some(&code);
        apply_leave(tx, before.user_id, &halves, write).await?;
    }
    let after = get(tx, Scope::All, id).await?;
    audit::record(
        tx,
        actor,
        "decide_leave",
        "leave_request",
        &id.to_string(),
        Some(&before),
        Some(&after),
    )
    .await?;
    if !matches!(d, Decision::Cancel) {
        let email: Option<String> = on_tx!(tx, |c| sqlx::query_scalar(
            "SELECT email FROM users WHERE id = $1"
        )
        .bind(before.user_id.to_string())
        .fetch_optional(c)
        .await)?;
        if let Some(to) = email {
            let (subject, text) = mail::decided(
                &before.user_name,
                before.period.start,
                before.period.end,
                matches!(d, Decision::Approve),
                note.as_deref(),
                &actor.label,
            );
            outbox::queue(tx, &to, &subject, &text).await?;
        }
    }
    Ok(after)
}

/// The approved leave halves of a month, ready for a new report.
pub(crate) async fn approved_halves(
    tx: &mut Tx,
    user: UserId,
    month: YearMonth,
    pattern: WorkPattern,
) -> Result<Vec<Slot>> {
    let rows: Vec<Row> = on_tx!(tx, |c| sqlx::query_as(select_leave!(
        "l.status = 'approved' AND l.start_date <= $4 AND l.end_date >= $3"
    ))
    .bind(None::<String>)
    .bind(user.to_string())
    .bind(month.first_day())
    .bind(month.last_day())
    .fetch_all(c)
    .await)?;
    let mut out = Vec::new();
    for r in rows {
        let r: LeaveRequest = r.try_into()?;
        let code = LeaveTypeCode::parse(&r.leave_type)
            .map_err(|_| corrupt("leave type", &r.leave_type))?;
        for (day, half) in r.period.halves(pattern) {
            if month.contains(day) {
                out.push(Slot {
                    day,
                    half,
                    activity: domain::cra::Activity::Leave(code.clone()),
                });
            }
        }
    }
    out.sort();
    out.dedup_by(|a, b| a.day == b.day && a.half == b.half);
    Ok(out)
}

/// Years an allowance may be set for.
pub const ALLOWANCE_YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

/// A year holds at most 366 days.
pub const MAX_ALLOWANCE_HALF_DAYS: u32 = 2 * 366;

pub async fn set_allowance(
    tx: &mut Tx,
    actor: &Actor,
    user: UserId,
    leave_type: &str,
    year: i32,
    acquired: DayQuantity,
) -> Result<()> {
    let mut e = ValidationErrors::new();
    let role: Option<String> = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT role FROM users WHERE id = $1"
    )
    .bind(user.to_string())
    .fetch_optional(c)
    .await)?;
    if role.is_none_or(|r| r == domain::role::Role::ClientContact.as_str()) {
        e.add("user_id", "leave-user-unknown");
    }
    if !types(tx)
        .await?
        .iter()
        .any(|t| t.code == leave_type && t.tracks_balance)
    {
        e.add("leave_type", "leave-type-unknown");
    }
    if !ALLOWANCE_YEARS.contains(&year) {
        e.add("year", "leave-year-invalid");
    }
    if acquired.half_days() > MAX_ALLOWANCE_HALF_DAYS {
        e.add("days", "leave-allowance-too-large");
    }
    if !e.is_empty() {
        return Err(Error::Invalid(e));
    }
    on_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO leave_allowances (user_id, leave_type, year, acquired_half_days, updated_at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (user_id, leave_type, year) DO UPDATE SET acquired_half_days = $4, updated_at = $5"
    )
    .bind(user.to_string())
    .bind(leave_type)
    .bind(year)
    .bind(acquired.half_days() as i32)
    .bind(now())
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    audit::record(
        tx,
        actor,
        "set_leave_allowance",
        "user",
        &user.to_string(),
        None::<&()>,
        Some(&serde_json::json!({"leave_type": leave_type, "year": year, "half_days": acquired.half_days()})),
    )
    .await
}

#[derive(Debug, Clone, Serialize)]
pub struct TypeBalance {
    pub leave_type: LeaveType,
    pub balance: Balance,
}

/// Balances of the year for every type that tracks one (paid leave, RTT).
pub async fn balances(
    tx: &mut Tx,
    user: UserId,
    year: i32,
    today: Date,
) -> Result<Vec<TypeBalance>> {
    let acquired: Vec<(String, i32)> = on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT leave_type, acquired_half_days FROM leave_allowances WHERE user_id = $1 AND year = $2"
    )
    .bind(user.to_string())
    .bind(year)
    .fetch_all(c)
    .await
    })?;
    let pattern = work_pattern(tx, user).await?;
    let (first, last) = match (
        Date::from_calendar_date(year, time::Month::January, 1),
        Date::from_calendar_date(year, time::Month::December, 31),
    ) {
        (Ok(f), Ok(l)) => (f, l),
        _ => return Ok(Vec::new()),
    };
    let requests = live_between(tx, user, first, last).await?;
    let mut out = Vec::new();
    for t in types(tx).await?.into_iter().filter(|t| t.tracks_balance) {
        let mut b = Balance {
            acquired: DayQuantity::from_half_days(
                acquired
                    .iter()
                    .find(|(c, _)| *c == t.code)
                    .map_or(0, |(_, h)| (*h).max(0) as u32),
            ),
            ..Balance::default()
        };
        for r in requests.iter().filter(|r| r.leave_type == t.code) {
            let halves: Vec<(Date, Half)> = r
                .period
                .halves(pattern)
                .into_iter()
                .filter(|(d, _)| d.year() == year)
                .collect();
            b.count(r.status, &halves, today);
        }
        out.push(TypeBalance {
            leave_type: t,
            balance: b,
        });
    }
    Ok(out)
}

/// A yearly allowance as the settings page lists it.
#[derive(Debug, Clone, Serialize)]
pub struct Allowance {
    pub user_id: UserId,
    pub user_name: String,
    pub leave_type: String,
    pub year: i32,
    pub acquired: DayQuantity,
}

/// Every allowance set for the year, by person then type.
pub async fn allowances(tx: &mut Tx, year: i32) -> Result<Vec<Allowance>> {
    let rows: Vec<(String, String, String, i32, i32)> = on_tx!(tx, |c| {
        sqlx::query_as(
            "SELECT a.user_id, u.display_name, a.leave_type, a.year, a.acquired_half_days
             FROM leave_allowances a JOIN users u ON u.id = a.user_id
             WHERE a.year = $1 ORDER BY u.display_name, a.user_id, a.leave_type",
        )
        .bind(year)
        .fetch_all(c)
        .await
    })?;
    rows.into_iter()
        .map(|(id, user_name, leave_type, year, half_days)| {
            Ok(Allowance {
                user_id: UserId::parse(&id).ok_or_else(|| corrupt("user id", &id))?,
                user_name,
                leave_type,
                year,
                acquired: DayQuantity::from_half_days(half_days.max(0) as u32),
            })
        })
        .collect()
}

/// Someone who takes leave: an active member of the firm (consultants and
/// staff, never client contacts), with his work pattern.
#[derive(Debug, Clone)]
pub struct Employee {
    pub id: UserId,
    pub name: String,
    pub pattern: WorkPattern,
}

pub async fn employees(tx: &mut Tx) -> Result<Vec<Employee>> {
    let rows: Vec<(String, String, String, String)> = on_tx!(tx, |c| {
        sqlx::query_as(
            "SELECT id, display_name, work_region, work_weekdays FROM users
             WHERE active = TRUE AND role <> 'client_contact' ORDER BY display_name, id",
        )
        .fetch_all(c)
        .await
    })?;
    rows.into_iter()
        .map(|(id, name, region, days)| {
            Ok(Employee {
                id: UserId::parse(&id).ok_or_else(|| corrupt("user id", &id))?,
                name,
                pattern: WorkPattern {
                    region: domain::calendar::Region::parse(&region)
                        .ok_or_else(|| corrupt("work region", &region))?,
                    weekdays: WorkPattern::parse_weekdays(&days)
                        .ok_or_else(|| corrupt("work weekdays", &days))?,
                },
            })
        })
        .collect()
}
