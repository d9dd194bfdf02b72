//! Monthly activity reports: the grid in half-day slots, the mandatory
//! consultant → client → manager order, reopening into a new version, and
//! the `cra_validated` event invoicing consumes.

use std::collections::BTreeMap;

use domain::calendar::YearMonth;
use domain::cra::{
    self, Activity, Cell, CraEvent, CraStatus, Half, MissionWindow, Slot, WorkPattern,
};
use domain::cra_sharing::{self, EventView};
use domain::ids::{CompanyId, CraId, MissionId, UserId};
use domain::validation::ValidationErrors;
use serde::Serialize;
use time::{Date, OffsetDateTime};

use crate::{Actor, Error, Result, Scope, Tx, corrupt, now, on_tx, outbox};

mod days;
mod queries;
mod workflow;

pub(crate) use days::hold_draft;
pub use days::{apply_leave, find, locked_on, work_pattern};
use days::{insert_slots, refuse};
pub use queries::*;
pub use workflow::{Validated, Via, client_validate, reject, reopen, sign, validate};
pub(crate) use workflow::{declined_by_link, signed_by_link};

#[derive(Debug, Clone, Serialize)]
pub struct Cra {
    pub id: CraId,
    pub consultant_id: UserId,
    pub consultant_name: String,
    pub consultant_email: String,
    pub month: YearMonth,
    pub version: i32,
    pub status: CraStatus,
    pub comment: Option<String>,
    pub rejection_reason: Option<String>,
    pub signed_at: Option<OffsetDateTime>,
    pub client_validated_at: Option<OffsetDateTime>,
    pub validated_at: Option<OffsetDateTime>,
    pub validated_by: Option<String>,
    pub updated_at: OffsetDateTime,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    consultant_id: String,
    consultant_name: String,
    consultant_email: String,
    month: String,
    version: i32,
    status: String,
    comment: Option<String>,
    rejection_reason: Option<String>,
    signed_at: Option<OffsetDateTime>,
    client_validated_at: Option<OffsetDateTime>,
    validated_at: Option<OffsetDateTime>,
    validated_by: Option<String>,
    updated_at: OffsetDateTime,
}

impl TryFrom<Row> for Cra {
    type Error = Error;
    fn try_from(r: Row) -> Result<Cra> {
        Ok(Cra {
            id: CraId::parse(&r.id).ok_or_else(|| corrupt("cra id", &r.id))?,
            consultant_id: UserId::parse(&r.consultant_id)
                .ok_or_else(|| corrupt("user id", &r.consultant_id))?,
            consultant_name: r.consultant_name,
            consultant_email: r.consultant_email,
            month: YearMonth::parse(&r.month).ok_or_else(|| corrupt("cra month", &r.month))?,
            version: r.version,
            status: CraStatus::parse(&r.status).ok_or_else(|| corrupt("cra status", &r.status))?,
            comment: r.comment,
            rejection_reason: r.rejection_reason,
            signed_at: r.signed_at,
            client_validated_at: r.client_validated_at,
            validated_at: r.validated_at,
            validated_by: r.validated_by,
            updated_at: r.updated_at,
        })
    }
}

/// A client contact sees a report when one of its missions is his company's
/// (`scope_clause!(cras)`: `$1` company, `$2` consultant, `$3` business
/// manager).
macro_rules! select_cras {
    ($where:literal) => {
        concat!(
            "SELECT r.id, r.consultant_id, u.display_name AS consultant_name, u.email AS consultant_email,
               r.month, r.version, r.status, r.comment, r.rejection_reason, r.signed_at, r.client_validated_at,
               r.validated_at, v.display_name AS validated_by, r.updated_at
             FROM cras r JOIN users u ON u.id = r.consultant_id LEFT JOIN users v ON v.id = r.validated_by
             WHERE ",
            crate::scope_clause!(cras),
            " AND ",
            $where
        )
    };
}
pub(crate) use select_cras;

/// One mission of the month as the grid shows it.
#[derive(Debug, Clone, Serialize)]
pub struct MissionLine {
    pub id: MissionId,
    pub title: String,
    pub client_id: CompanyId,
    pub client_name: String,
    pub start: Date,
    pub end: Date,
    pub extras_allowed: bool,
}

impl MissionLine {
    pub fn window(&self) -> MissionWindow {
        MissionWindow {
            id: self.id,
            start: self.start,
            end: self.end,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Approval {
    pub mission_id: MissionId,
    pub client_id: CompanyId,
    pub client_name: String,
    pub document_id: Option<String>,
    pub approved_at: Option<OffsetDateTime>,
    pub approved_by: Option<String>,
    pub via: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Event {
    pub at: OffsetDateTime,
    pub actor_name: String,
    pub kind: String,
    pub detail: Option<String>,
    /// The client the event concerns (his validation, his refusal); none
    /// for the firm's own steps.
    #[serde(skip)]
    pub client_id: Option<CompanyId>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Attachment {
    pub id: String,
    pub filename: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub uploaded_at: OffsetDateTime,
    /// The mission the file is for, whose client sees it; none: internal.
    pub mission_id: Option<MissionId>,
}

fn optional_id<T>(
    raw: Option<String>,
    what: &str,
    parse: fn(&str) -> Option<T>,
) -> Result<Option<T>> {
    raw.map(|r| parse(&r).ok_or_else(|| corrupt(what, &r)))
        .transpose()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ExtraKind {
    OnCall,
    Overtime,
}

impl ExtraKind {
    pub const ALL: [ExtraKind; 2] = [ExtraKind::OnCall, ExtraKind::Overtime];
    pub fn as_str(self) -> &'static str {
        match self {
            ExtraKind::OnCall => "on_call",
            ExtraKind::Overtime => "overtime",
        }
    }
    pub fn parse(s: &str) -> Option<ExtraKind> {
        ExtraKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Extra {
    pub mission_id: MissionId,
    pub kind: ExtraKind,
    pub hundredths: i64,
}

/// Everything the month page shows.
#[derive(Debug, Clone, Serialize)]
pub struct Sheet {
    pub cra: Cra,
    #[serde(skip)]
    pub pattern: WorkPattern,
    pub slots: Vec<Slot>,
    pub missions: Vec<MissionLine>,
    pub approvals: Vec<Approval>,
    pub extras: Vec<Extra>,
    pub attachments: Vec<Attachment>,
    pub events: Vec<Event>,
}

impl Sheet {
    pub fn leave_slots(&self) -> Vec<Slot> {
        self.slots
            .iter()
            .filter(|s| s.activity.is_leave())
            .cloned()
            .collect()
    }

    pub fn windows(&self) -> Vec<MissionWindow> {
        self.missions.iter().map(MissionLine::window).collect()
    }
}

pub async fn set_work_pattern(
    tx: &mut Tx,
    actor: &Actor,
    user: UserId,
    pattern: WorkPattern,
) -> Result<()> {
    on_tx!(tx, |c| sqlx::query(
        "UPDATE users SET work_region = $2, work_weekdays = $3, updated_at = $4 WHERE id = $1"
    )
    .bind(user.to_string())
    .bind(pattern.region.as_str())
    .bind(pattern.weekdays_text())
    .bind(now())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    crate::audit::record(
        tx,
        actor,
        "set_work_pattern",
        "user",
        &user.to_string(),
        None::<&()>,
        Some(&serde_json::json!({"region": pattern.region.as_str(), "weekdays": pattern.weekdays_text()})),
    )
    .await
}

/// The consultant's missions that overlap the month.
pub async fn missions_in(
    tx: &mut Tx,
    consultant: UserId,
    month: YearMonth,
) -> Result<Vec<MissionLine>> {
    type R = (String, String, String, String, Date, Date, bool);
    let rows: Vec<R> = on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT m.id, m.title, m.client_id, c.name, m.start_date,
           CASE WHEN m.interrupted_on IS NOT NULL AND m.interrupted_on < m.end_date THEN m.interrupted_on ELSE m.end_date END,
           m.extras_allowed
         FROM missions m JOIN companies c ON c.id = m.client_id
         WHERE m.consultant_id = $1 AND m.start_date <= $3 AND m.end_date >= $2
         ORDER BY m.start_date, m.title"
    )
    .bind(consultant.to_string())
    .bind(month.first_day())
    .bind(month.last_day())
    .fetch_all(c)
    .await
    })?;
    rows.into_iter()
        .map(|(id, title, client, client_name, start, end, extras)| {
            Ok(MissionLine {
                id: MissionId::parse(&id).ok_or_else(|| corrupt("mission id", &id))?,
                title,
                client_id: CompanyId::parse(&client)
                    .ok_or_else(|| corrupt("company id", &client))?,
                client_name,
                start,
                end,
                extras_allowed: extras,
            })
        })
        .collect()
}

async fn fetch(tx: &mut Tx, scope: Scope, id: CraId) -> Result<Cra> {
    let row: Option<Row> = on_tx!(tx, |c| sqlx::query_as(select_cras!("r.id = $4"))
        .bind(scope.company())
        .bind(scope.own_user())
        .bind(scope.portfolio())
        .bind(id.to_string())
        .fetch_optional(c)
        .await)?;
    row.ok_or(Error::NotFound)?.try_into()
}

/// Opens (creating it if needed) the consultant's report for the month, with
/// his approved leave already filled in.
pub async fn open(
    tx: &mut Tx,
    actor: &Actor,
    consultant: UserId,
    month: YearMonth,
) -> Result<CraId> {
    if let Some(id) = find(tx, consultant, month).await? {
        return Ok(id);
    }
    let id = CraId::new();
    let at = now();
    let inserted = on_tx!(tx, |c| sqlx::query(
        "INSERT INTO cras (id, consultant_id, month, version, status, created_at, updated_at)
         VALUES ($1, $2, $3, 1, 'draft', $4, $4) ON CONFLICT DO NOTHING"
    )
    .bind(id.to_string())
    .bind(consultant.to_string())
    .bind(month.to_string())
    .bind(at)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    if inserted == 0 {
        // Another request created it in between.
        return find(tx, consultant, month).await?.ok_or(Error::NotFound);
    }
    let pattern = work_pattern(tx, consultant).await?;
    let leave = crate::leave::approved_halves(tx, consultant, month, pattern).await?;
    insert_slots(tx, id, &leave).await?;
    record(tx, id, actor, "created", None).await?;
    Ok(id)
}

pub async fn slots(tx: &mut Tx, id: CraId) -> Result<Vec<Slot>> {
    type R = (Date, String, String, Option<String>, Option<String>);
    let rows: Vec<R> = on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT day, half, activity, mission_id, leave_type FROM cra_slots WHERE cra_id = $1 ORDER BY day, half"
    )
    .bind(id.to_string())
    .fetch_all(c)
    .await
    })?;
    rows.into_iter()
        .map(|(day, half, kind, mission, leave)| {
            let reference = mission.or(leave);
            Ok(Slot {
                day,
                half: Half::parse(&half).ok_or_else(|| corrupt("half", &half))?,
                activity: Activity::from_parts(&kind, reference.as_deref())
                    .ok_or_else(|| corrupt("activity", &kind))?,
            })
        })
        .collect()
}

/// Records one of the firm's own steps in the report's history.
async fn record(
    tx: &mut Tx,
    id: CraId,
    actor: &Actor,
    kind: &str,
    detail: Option<&str>,
) -> Result<()> {
    record_for(tx, id, actor, kind, detail, None).await
}

/// Records an event of the report's history; `client`: the client it
/// concerns, the only one to see it (see `domain::cra_sharing`).
async fn record_for(
    tx: &mut Tx,
    id: CraId,
    actor: &Actor,
    kind: &str,
    detail: Option<&str>,
    client: Option<CompanyId>,
) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "INSERT INTO cra_events (id, cra_id, at, actor_id, actor_name, kind, detail, client_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(uuid::Uuid::new_v4().to_string())
        .bind(id.to_string())
        .bind(now())
        .bind(actor.user_id.map(|u| u.to_string()))
        .bind(&actor.label)
        .bind(kind)
        .bind(detail)
        .bind(client.map(|c| c.to_string()))
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

pub async fn get(tx: &mut Tx, scope: Scope, id: CraId) -> Result<Sheet> {
    let cra = fetch(tx, scope, id).await?;
    let pattern = work_pattern(tx, cra.consultant_id).await?;
    let slots = slots(tx, id).await?;
    let missions = missions_in(tx, cra.consultant_id, cra.month).await?;
    let approvals = approvals(tx, id).await?;
    let extras = extras(tx, id).await?;
    let attachments = attachments(tx, id).await?;
    let events = events(tx, cra.consultant_id, cra.month).await?;
    let mut sheet = Sheet {
        pattern,
        slots,
        missions,
        approvals,
        extras,
        attachments,
        events,
        cra,
    };
    if let Scope::Company(company) = scope {
        sheet.for_client(company);
    }
    Ok(sheet)
}

impl Sheet {
    /// Keeps what a contact of `company` may see: his missions' days,
    /// units, approvals and files, and his part of the history.
    fn for_client(&mut self, company: CompanyId) {
        let clients: Vec<CompanyId> = self.missions.iter().map(|m| m.client_id).collect();
        if !cra_sharing::sees_shared_text(&clients, company) {
            self.cra.comment = None;
            self.cra.rejection_reason = None;
        }
        self.missions.retain(|m| m.client_id == company);
        let missions = &self.missions;
        let his = |m: &MissionId| missions.iter().any(|x| x.id == *m);
        self.slots.retain(|s| match &s.activity {
            Activity::Mission(m) => his(m),
            _ => false,
        });
        self.extras.retain(|x| his(&x.mission_id));
        self.approvals.retain(|a| a.client_id == company);
        self.attachments.retain(|a| {
            let client = a.mission_id.filter(|m| his(m)).map(|_| company);
            cra_sharing::sees_attachment(client, company)
        });
        self.events.retain_mut(
            |e| match cra_sharing::event_view(&e.kind, e.client_id, company) {
                EventView::Full => true,
                EventView::StepOnly => {
                    e.detail = None;
                    true
                }
                EventView::Hidden => false,
            },
        );
    }
}

async fn attachments(tx: &mut Tx, id: CraId) -> Result<Vec<Attachment>> {
    type R = (String, String, String, i64, OffsetDateTime, Option<String>);
    let rows: Vec<R> = on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT id, filename, content_type, size_bytes, uploaded_at, mission_id FROM cra_attachments
         WHERE cra_id = $1 ORDER BY uploaded_at"
    )
    .bind(id.to_string())
    .fetch_all(c)
    .await
    })?;
    rows.into_iter()
        .map(|(id, filename, content_type, size_bytes, uploaded_at, m)| {
            Ok(Attachment {
                id,
                filename,
                content_type,
                size_bytes,
                uploaded_at,
                mission_id: optional_id(m, "mission id", MissionId::parse)?,
            })
        })
        .collect()
}

/// The history of every version of the consultant's month.
async fn events(tx: &mut Tx, consultant: UserId, month: YearMonth) -> Result<Vec<Event>> {
    type R = (
        OffsetDateTime,
        String,
        String,
        Option<String>,
        Option<String>,
    );
    let rows: Vec<R> = on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT e.at, e.actor_name, e.kind, e.detail, e.client_id FROM cra_events e JOIN cras r ON r.id = e.cra_id
         WHERE r.consultant_id = $1 AND r.month = $2 ORDER BY e.at, e.id"
    )
    .bind(consultant.to_string())
    .bind(month.to_string())
    .fetch_all(c)
    .await
    })?;
    rows.into_iter()
        .map(|(at, actor_name, kind, detail, client)| {
            Ok(Event {
                at,
                actor_name,
                kind,
                detail,
                client_id: optional_id(client, "company id", CompanyId::parse)?,
            })
        })
        .collect()
}

async fn approvals(tx: &mut Tx, id: CraId) -> Result<Vec<Approval>> {
    type R = (
        String,
        String,
        String,
        Option<String>,
        Option<OffsetDateTime>,
        Option<String>,
        Option<String>,
    );
    let rows: Vec<R> = on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT a.mission_id, a.client_id, c.name, a.document_id, a.approved_at, a.approved_by, a.via
         FROM cra_client_approvals a JOIN companies c ON c.id = a.client_id WHERE a.cra_id = $1 ORDER BY c.name"
    )
    .bind(id.to_string())
    .fetch_all(c)
    .await
    })?;
    rows.into_iter()
        .map(|(m, cl, name, doc, at, by, via)| {
            Ok(Approval {
                mission_id: MissionId::parse(&m).ok_or_else(|| corrupt("mission id", &m))?,
                client_id: CompanyId::parse(&cl).ok_or_else(|| corrupt("company id", &cl))?,
                client_name: name,
                document_id: doc,
                approved_at: at,
                approved_by: by,
                via,
            })
        })
        .collect()
}

async fn extras(tx: &mut Tx, id: CraId) -> Result<Vec<Extra>> {
    let rows: Vec<(String, String, i64)> = on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT mission_id, kind, CAST(quantity_hundredths AS BIGINT) FROM cra_extras WHERE cra_id = $1 ORDER BY mission_id, kind"
    )
    .bind(id.to_string())
    .fetch_all(c)
    .await
    })?;
    rows.into_iter()
        .map(|(m, k, q)| {
            Ok(Extra {
                mission_id: MissionId::parse(&m).ok_or_else(|| corrupt("mission id", &m))?,
                kind: ExtraKind::parse(&k).ok_or_else(|| corrupt("extra kind", &k))?,
                hundredths: q,
            })
        })
        .collect()
}

fn illegal(from: CraStatus) -> Error {
    let key = match from {
        CraStatus::Draft => "cra-not-signed-yet",
        CraStatus::Signed => "cra-awaiting-client",
        CraStatus::ClientValidated => "cra-awaiting-manager",
        CraStatus::Validated => "cra-locked",
        CraStatus::Superseded => "cra-superseded",
    };
    refuse("status", key)
}

/// The grid as typed, with the comment and any on-call/overtime units.
pub struct Entry {
    pub cells: Vec<Cell>,
    pub comment: Option<String>,
    pub extras: Vec<Extra>,
}

/// Saves the consultant's grid: everything is checked first, then the
/// non-leave slots are replaced in one go.
pub async fn save(
    tx: &mut Tx,
    actor: &Actor,
    scope: Scope,
    id: CraId,
    entry: &Entry,
) -> Result<Sheet> {
    let sheet = get(tx, scope, id).await?;
    if !sheet.cra.status.is_editable() {
        return Err(illegal(sheet.cra.status));
    }
    hold_draft(tx, id).await?;
    let laid = cra::lay_out(
        sheet.cra.month,
        &entry.cells,
        &sheet.leave_slots(),
        &sheet.windows(),
    )?;
    check_extras_and_comment(&sheet, entry)?;
    on_tx!(tx, |c| sqlx::query(
        "DELETE FROM cra_slots WHERE cra_id = $1 AND activity <> 'leave'"
    )
    .bind(id.to_string())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    let typed: Vec<Slot> = laid
        .into_iter()
        .filter(|s| !s.activity.is_leave())
        .collect();
    insert_slots(tx, id, &typed).await?;
    on_tx!(tx, |c| sqlx::query(
        "DELETE FROM cra_extras WHERE cra_id = $1"
    )
    .bind(id.to_string())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    for x in &entry.extras {
        on_tx!(tx, |c| {
            sqlx::query(
            "INSERT INTO cra_extras (cra_id, mission_id, kind, quantity_hundredths) VALUES ($1, $2, $3, $4)"
        )
        .bind(id.to_string())
        .bind(x.mission_id.to_string())
        .bind(x.kind.as_str())
        .bind(x.hundredths)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
        })?;
    }
    on_tx!(tx, |c| sqlx::query(
        "UPDATE cras SET comment = $2, updated_at = $3 WHERE id = $1"
    )
    .bind(id.to_string())
    .bind(entry.comment.as_deref())
    .bind(now())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    record(
        tx,
        id,
        actor,
        "saved",
        Some(&format!("{} demi-journées saisies", typed.len())),
    )
    .await?;
    get(tx, scope, id).await
}

/// On-call and overtime units only on missions that allow them, within
/// bounds; a comment of reasonable length.
fn check_extras_and_comment(sheet: &Sheet, entry: &Entry) -> Result<()> {
    let mut e = ValidationErrors::new();
    for x in &entry.extras {
        match sheet.missions.iter().find(|m| m.id == x.mission_id) {
            Some(m) if m.extras_allowed => {}
            _ => e.add("extras", "cra-extras-not-allowed"),
        }
        if x.hundredths <= 0 || x.hundredths > 100_000 {
            e.add("extras", "cra-extras-invalid");
        }
    }
    if let Some(c) = &entry.comment
        && c.chars().count() > 2000
    {
        e.add_with("comment", "field-too-long", domain::args![("max", 2000u32)]);
    }
    if !e.is_empty() {
        return Err(Error::Invalid(e));
    }
    Ok(())
}

async fn set_status(
    tx: &mut Tx,
    id: CraId,
    from: CraStatus,
    to: CraStatus,
    column: Option<&str>,
) -> Result<()> {
    // The column name comes from this module only.
    let stamp = match column {
        Some("signed_at") => ", signed_at = $4",
        Some("client_validated_at") => ", client_validated_at = $4",
        Some("validated_at") => ", validated_at = $4",
        _ => "",
    };
    let sql = format!(
        "UPDATE cras SET status = $3, updated_at = $4{stamp} WHERE id = $1 AND status = $2"
    );
    let n = on_tx!(tx, |c| sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
        .bind(id.to_string())
        .bind(from.as_str())
        .bind(to.as_str())
        .bind(now())
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    if n == 0 {
        // Someone moved it in between.
        return Err(refuse("status", "cra-changed-meanwhile"));
    }
    Ok(())
}
