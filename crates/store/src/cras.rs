//! Monthly activity reports: the grid in half-day slots, the mandatory
//! consultant → client → manager order, reopening into a new version, and
//! the `cra_validated` event invoicing consumes.

use std::collections::BTreeMap;

use domain::calendar::{Region, YearMonth};
use domain::cra::{
    self, Activity, Cell, CraEvent, CraStatus, Half, MissionWindow, Slot, WorkPattern,
};
use domain::esign::{DocumentKind, SignerData};
use domain::ids::{CompanyId, CraId, MissionId, UserId};
use domain::leave::LeaveTypeCode;
use domain::validation::ValidationErrors;
use serde::Serialize;
use time::{Date, OffsetDateTime};

use crate::documents::{self, Links, NewDocument};
use crate::esign::{self, Origin};
use crate::{Actor, Error, Result, Scope, Tx, corrupt, now, on_tx, outbox};

pub const VALIDATED_EVENT: &str = "cra_validated";
pub const REOPENED_EVENT: &str = "cra_reopened";

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

/// A client contact sees a report when one of its missions is his company's.
macro_rules! select_cras {
    ($where:literal) => {
        concat!(
            "SELECT r.id, r.consultant_id, u.display_name AS consultant_name, u.email AS consultant_email,
               r.month, r.version, r.status, r.comment, r.rejection_reason, r.signed_at, r.client_validated_at,
               r.validated_at, v.display_name AS validated_by, r.updated_at
             FROM cras r JOIN users u ON u.id = r.consultant_id LEFT JOIN users v ON v.id = r.validated_by
             WHERE (CAST($1 AS TEXT) IS NULL OR r.consultant_id = $1)
               AND (CAST($2 AS TEXT) IS NULL OR EXISTS (SELECT 1 FROM cra_client_approvals a
                     WHERE a.cra_id = r.id AND a.client_id = $2))
               AND ",
            $where
        )
    };
}

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

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Event {
    pub at: OffsetDateTime,
    pub actor_name: String,
    pub kind: String,
    pub detail: Option<String>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Attachment {
    pub id: String,
    pub filename: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub uploaded_at: OffsetDateTime,
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
    pub pattern_region: Region,
    pub pattern_weekdays: String,
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

pub async fn work_pattern(tx: &mut Tx, user: UserId) -> Result<WorkPattern> {
    let (region, days): (String, String) = on_tx!(tx, |c| sqlx::query_as(
        "SELECT work_region, work_weekdays FROM users WHERE id = $1"
    )
    .bind(user.to_string())
    .fetch_optional(c)
    .await)?
    .ok_or(Error::NotFound)?;
    Ok(WorkPattern {
        region: Region::parse(&region).ok_or_else(|| corrupt("work region", &region))?,
        weekdays: WorkPattern::parse_weekdays(&days)
            .ok_or_else(|| corrupt("work weekdays", &days))?,
    })
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
    let row: Option<Row> = on_tx!(tx, |c| sqlx::query_as(select_cras!("r.id = $3"))
        .bind(scope.own_user())
        .bind(scope.company())
        .bind(id.to_string())
        .fetch_optional(c)
        .await)?;
    row.ok_or(Error::NotFound)?.try_into()
}

/// The live report of a consultant for a month, if any.
pub async fn find(tx: &mut Tx, consultant: UserId, month: YearMonth) -> Result<Option<CraId>> {
    let id: Option<String> = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT id FROM cras WHERE consultant_id = $1 AND month = $2 AND status <> 'superseded'"
    )
    .bind(consultant.to_string())
    .bind(month.to_string())
    .fetch_optional(c)
    .await)?;
    Ok(id.and_then(|s| CraId::parse(&s)))
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

async fn insert_slots(tx: &mut Tx, id: CraId, slots: &[Slot]) -> Result<()> {
    const ROW: &str = "(?, ?, ?, ?, ?, ?)";
    for chunk in slots.chunks(crate::rows_per_statement(6)) {
        let sql = format!(
            "INSERT INTO cra_slots (cra_id, day, half, activity, mission_id, leave_type) VALUES {}",
            crate::values_list(ROW, chunk.len())
        );
        on_tx!(tx, |c| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
            for s in chunk {
                let (mission, leave) = match &s.activity {
                    Activity::Mission(m) => (Some(m.to_string()), None),
                    Activity::Leave(t) => (None, Some(t.as_str().to_owned())),
                    _ => (None, None),
                };
                q = q
                    .bind(id.to_string())
                    .bind(s.day)
                    .bind(s.half.as_str())
                    .bind(s.activity.kind())
                    .bind(mission)
                    .bind(leave);
            }
            q.execute(c).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(())
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

async fn record(
    tx: &mut Tx,
    id: CraId,
    actor: &Actor,
    kind: &str,
    detail: Option<&str>,
) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO cra_events (id, cra_id, at, actor_id, actor_name, kind, detail) VALUES ($1, $2, $3, $4, $5, $6, $7)"
    )
    .bind(uuid::Uuid::new_v4().to_string())
    .bind(id.to_string())
    .bind(now())
    .bind(actor.user_id.map(|u| u.to_string()))
    .bind(&actor.label)
    .bind(kind)
    .bind(detail)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(())
}

pub async fn get(tx: &mut Tx, scope: Scope, id: CraId) -> Result<Sheet> {
    let cra = fetch(tx, scope, id).await?;
    let pattern = work_pattern(tx, cra.consultant_id).await?;
    let mut slots = slots(tx, id).await?;
    let mut missions = missions_in(tx, cra.consultant_id, cra.month).await?;
    let approvals = approvals(tx, id).await?;
    if let Scope::Company(company) = scope {
        // A client sees only his own missions' days.
        missions.retain(|m| m.client_id == company);
        slots.retain(|s| match &s.activity {
            Activity::Mission(m) => missions.iter().any(|x| x.id == *m),
            _ => false,
        });
    }
    let extras = extras(tx, id).await?;
    let attachments: Vec<Attachment> = on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT id, filename, content_type, size_bytes, uploaded_at FROM cra_attachments WHERE cra_id = $1 ORDER BY uploaded_at"
    )
    .bind(id.to_string())
    .fetch_all(c)
    .await
    })?;
    let events: Vec<Event> = on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT e.at, e.actor_name, e.kind, e.detail FROM cra_events e JOIN cras r ON r.id = e.cra_id
         WHERE r.consultant_id = $1 AND r.month = $2 ORDER BY e.at, e.id"
    )
    .bind(cra.consultant_id.to_string())
    .bind(cra.month.to_string())
    .fetch_all(c)
    .await
    })?;
    Ok(Sheet {
        pattern_region: pattern.region,
        pattern_weekdays: pattern.weekdays_text(),
        pattern,
        cra,
        slots,
        missions,
        approvals,
        extras,
        attachments,
        events,
    })
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

fn refuse(field: &'static str, key: &'static str) -> Error {
    Error::Invalid(ValidationErrors::single(field, key))
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
    let laid = cra::lay_out(
        sheet.cra.month,
        &entry.cells,
        &sheet.leave_slots(),
        &sheet.windows(),
    )?;
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
        e.add_with("comment", "field-too-long", vec![("max", "2000".into())]);
    }
    if !e.is_empty() {
        return Err(Error::Invalid(e));
    }
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

/// The consultant signs: every working day must be filled. Each client
/// whose mission appears gets the report of his days, to validate through a
/// link + code (the e-signature mechanism) or in the client portal.
pub async fn sign(
    tx: &mut Tx,
    actor: &Actor,
    scope: Scope,
    id: CraId,
    origin: &Origin,
    base_url: &str,
) -> Result<Sheet> {
    let sheet = get(tx, scope, id).await?;
    let next = sheet
        .cra
        .status
        .transition(CraEvent::Sign)
        .map_err(|e| illegal(e.from))?;
    let unfilled = cra::unfilled_working_days(sheet.cra.month, sheet.pattern, &sheet.slots);
    if !unfilled.is_empty() {
        let days: Vec<String> = unfilled
            .iter()
            .take(5)
            .map(|d| domain::locale::format_date(*d, domain::Locale::Fr))
            .collect();
        let mut e = ValidationErrors::new();
        e.add_with(
            "grid",
            "cra-unfilled-days",
            vec![
                ("count", unfilled.len().to_string()),
                ("days", days.join(", ")),
            ],
        );
        return Err(Error::Invalid(e));
    }
    set_status(tx, id, sheet.cra.status, next, Some("signed_at")).await?;
    on_tx!(tx, |c| sqlx::query(
        "UPDATE cras SET rejection_reason = NULL WHERE id = $1"
    )
    .bind(id.to_string())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    record(tx, id, actor, "signed", None).await?;
    on_tx!(tx, |c| sqlx::query(
        "DELETE FROM cra_client_approvals WHERE cra_id = $1"
    )
    .bind(id.to_string())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    let worked: Vec<&MissionLine> = sheet
        .missions
        .iter()
        .filter(|m| {
            sheet
                .slots
                .iter()
                .any(|s| s.activity == Activity::Mission(m.id))
        })
        .collect();
    if worked.is_empty() {
        // No client day: nobody outside the firm has anything to validate.
        set_status(
            tx,
            id,
            CraStatus::Signed,
            CraStatus::ClientValidated,
            Some("client_validated_at"),
        )
        .await?;
        record(
            tx,
            id,
            &Actor::system("Régisseur"),
            "client_not_needed",
            Some("aucun jour de mission client ce mois-ci"),
        )
        .await?;
        return get(tx, scope, id).await;
    }
    for m in worked {
        let doc = report_document(tx, actor, &sheet, m).await?;
        on_tx!(tx, |c| {
            sqlx::query(
            "INSERT INTO cra_client_approvals (cra_id, mission_id, client_id, document_id) VALUES ($1, $2, $3, $4)"
        )
        .bind(id.to_string())
        .bind(m.id.to_string())
        .bind(m.client_id.to_string())
        .bind(doc.to_string())
        .execute(c)
        .await
        .map(|r| r.rows_affected())
        })?;
        match first_validator(tx, m.id).await? {
            Some(v) => {
                esign::send(tx, actor, origin, base_url, doc, &[v]).await?;
            }
            None => {
                record(
                    tx,
                    id,
                    &Actor::system("Régisseur"),
                    "no_validator",
                    Some(&format!(
                        "{} : aucun validateur client avec e-mail ; validation dans le portail",
                        m.title
                    )),
                )
                .await?;
            }
        }
    }
    get(tx, scope, id).await
}

async fn first_validator(tx: &mut Tx, mission: MissionId) -> Result<Option<SignerData>> {
    let row: Option<(String, String, String)> = on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT c.first_name, c.last_name, c.email FROM mission_validators v JOIN contacts c ON c.id = v.contact_id
         WHERE v.mission_id = $1 AND c.email IS NOT NULL ORDER BY c.last_name, c.first_name LIMIT 1"
    )
    .bind(mission.to_string())
    .fetch_optional(c)
    .await
    })?;
    Ok(row.and_then(|(f, l, e)| {
        domain::identifiers::Email::parse(&e)
            .ok()
            .map(|email| SignerData {
                name: format!("{f} {l}"),
                email,
            })
    }))
}

/// The PDF a client validates: his mission's days only.
async fn report_document(
    tx: &mut Tx,
    actor: &Actor,
    sheet: &Sheet,
    m: &MissionLine,
) -> Result<domain::ids::DocumentId> {
    let title = format!(
        "CRA {} — {} — {}",
        sheet.cra.month.label_fr(),
        sheet.cra.consultant_name,
        m.title
    );
    let days: Vec<&Slot> = sheet
        .slots
        .iter()
        .filter(|s| s.activity == Activity::Mission(m.id))
        .collect();
    let mut per_day: BTreeMap<Date, u32> = BTreeMap::new();
    for s in &days {
        *per_day.entry(s.day).or_default() += 1;
    }
    let fr = domain::Locale::Fr;
    let rows: Vec<Vec<String>> = per_day
        .iter()
        .map(|(d, h)| {
            vec![
                domain::locale::format_date(*d, fr),
                domain::mission::DayQuantity::from_half_days(*h).format(fr),
            ]
        })
        .collect();
    let total = domain::mission::DayQuantity::from_half_days(days.len() as u32);
    let mut doc = pdf::Document::new(&title);
    doc.created_at(now())
        .footer(&title)
        .heading("Compte rendu d’activité")
        .key_values(&[
            ("Consultant", &sheet.cra.consultant_name),
            ("Mois", &sheet.cra.month.label_fr()),
            ("Mission", &m.title),
            ("Client", &m.client_name),
            ("Jours travaillés", &total.format(fr)),
        ])
        .table(&["Date", "Jours"], &rows, &[0.6, 0.4]);
    if let Some(c) = &sheet.cra.comment {
        doc.subheading("Commentaire du consultant").paragraph(c);
    }
    doc.paragraph(
        "En validant ce compte rendu, le client atteste que les jours ci-dessus ont été réalisés \
         pour son compte ; ils servent de base à la facturation du mois.",
    );
    let bytes = doc.to_bytes();
    let spec = doc.to_spec();
    let info = documents::create(
        tx,
        actor,
        &NewDocument {
            links: Links {
                kind: DocumentKind::ActivityReport,
                mission_id: Some(m.id),
                contract_id: None,
                amendment_id: None,
                client_id: Some(m.client_id),
                consultant_id: Some(sheet.cra.consultant_id),
                cra_id: Some(sheet.cra.id),
            },
            title: &title,
            spec: Some(&spec),
            pdf: &bytes,
        },
    )
    .await?;
    Ok(info.id)
}

/// How a client's validation arrived.
pub enum Via<'a> {
    /// Through the e-mailed link and code; the trail is the signature's.
    Link { document: domain::ids::DocumentId },
    /// A signed-in client contact in the portal.
    Portal {
        mission: MissionId,
        actor: &'a Actor,
    },
}

/// Records one client's validation; once every client has validated, the
/// report moves on to the manager.
pub async fn client_validate(
    tx: &mut Tx,
    scope: Scope,
    id: CraId,
    via: Via<'_>,
    who: &str,
) -> Result<Sheet> {
    let cra = fetch(tx, scope, id).await?;
    cra.status
        .transition(CraEvent::ClientValidate)
        .map_err(|e| illegal(e.from))?;
    let (filter_col, filter_val, via_text, actor) = match &via {
        Via::Link { document } => (
            "document_id",
            document.to_string(),
            "link",
            Actor::system(who),
        ),
        Via::Portal { mission, actor } => (
            "mission_id",
            mission.to_string(),
            "portal",
            (*actor).clone(),
        ),
    };
    let sql = format!(
        "UPDATE cra_client_approvals SET approved_at = $3, approved_by = $4, via = $5
         WHERE cra_id = $1 AND {filter_col} = $2 AND approved_at IS NULL"
    );
    let n = on_tx!(tx, |c| sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
        .bind(id.to_string())
        .bind(&filter_val)
        .bind(now())
        .bind(who)
        .bind(via_text)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    if n == 0 {
        return Err(refuse("status", "cra-already-validated-by-client"));
    }
    if let Via::Portal { mission, actor } = &via {
        // The e-mailed link is no longer needed.
        let doc: Option<String> = on_tx!(tx, |c| sqlx::query_scalar(
            "SELECT document_id FROM cra_client_approvals WHERE cra_id = $1 AND mission_id = $2"
        )
        .bind(id.to_string())
        .bind(mission.to_string())
        .fetch_optional(c)
        .await)?
        .flatten();
        if let Some(d) = doc.as_deref().and_then(domain::ids::DocumentId::parse) {
            cancel_pending_request(tx, actor, d, "validé dans le portail client").await?;
        }
    }
    record(tx, id, &actor, "client_validated", Some(who)).await?;
    let waiting: i64 = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM cra_client_approvals WHERE cra_id = $1 AND approved_at IS NULL"
    )
    .bind(id.to_string())
    .fetch_one(c)
    .await)?;
    if waiting == 0 {
        set_status(
            tx,
            id,
            CraStatus::Signed,
            CraStatus::ClientValidated,
            Some("client_validated_at"),
        )
        .await?;
    }
    get(tx, scope, id).await
}

async fn cancel_pending_request(
    tx: &mut Tx,
    actor: &Actor,
    doc: domain::ids::DocumentId,
    why: &str,
) -> Result<()> {
    if let Some(r) = esign::latest_for(tx, doc).await?
        && r.status == domain::esign::RequestStatus::Pending
    {
        esign::cancel(tx, actor, &Origin::system(), r.id, why).await?;
    }
    Ok(())
}

/// Back to the consultant with the reason, from any step before locking.
/// Pending client links are withdrawn; the consultant is told by e-mail.
pub async fn reject(
    tx: &mut Tx,
    actor: &Actor,
    scope: Scope,
    id: CraId,
    reason: &str,
) -> Result<Sheet> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(refuse("reason", "cra-reason-required"));
    }
    if reason.chars().count() > 1000 {
        let mut e = ValidationErrors::new();
        e.add_with("reason", "field-too-long", vec![("max", "1000".into())]);
        return Err(Error::Invalid(e));
    }
    let cra = fetch(tx, scope, id).await?;
    let next = cra
        .status
        .transition(CraEvent::Reject)
        .map_err(|e| illegal(e.from))?;
    set_status(tx, id, cra.status, next, None).await?;
    on_tx!(tx, |c| {
        sqlx::query(
        "UPDATE cras SET rejection_reason = $2, signed_at = NULL, client_validated_at = NULL WHERE id = $1"
    )
    .bind(id.to_string())
    .bind(reason)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    let docs: Vec<Option<String>> = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT document_id FROM cra_client_approvals WHERE cra_id = $1"
    )
    .bind(id.to_string())
    .fetch_all(c)
    .await)?;
    for d in docs.into_iter().flatten() {
        if let Some(d) = domain::ids::DocumentId::parse(&d) {
            cancel_pending_request(tx, actor, d, "CRA renvoyé au consultant").await?;
        }
    }
    on_tx!(tx, |c| sqlx::query(
        "DELETE FROM cra_client_approvals WHERE cra_id = $1"
    )
    .bind(id.to_string())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    record(tx, id, actor, "rejected", Some(reason)).await?;
    outbox::queue(
        tx,
        &cra.consultant_email,
        &format!("CRA {} à reprendre", cra.month.label_fr()),
        &format!(
            "Bonjour {},\n\nVotre compte rendu d’activité de {} vous est renvoyé par {}.\nMotif : {}\n\n\
             Corrigez-le puis signez-le à nouveau.\n— Régisseur",
            cra.consultant_name,
            cra.month.label_fr(),
            actor.label,
            reason
        ),
    )
    .await?;
    get(tx, scope, id).await
}

/// The manager validates reports already validated by their clients, in
/// one statement per batch: reports in any other state are left alone and
/// reported back, never half-validated.
pub async fn validate(tx: &mut Tx, actor: &Actor, ids: &[CraId]) -> Result<Validated> {
    let by = actor.user_id.map(|u| u.to_string());
    let at = now();
    let mut done: Vec<CraId> = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(crate::MAX_BINDS - 4) {
        let sql = format!(
            "UPDATE cras SET status = 'validated', validated_at = $1, validated_by = $2, updated_at = $1
             WHERE status = 'client_validated' AND id IN ({}) RETURNING id",
            (0..chunk.len())
                .map(|i| format!("${}", i + 3))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let changed: Vec<String> = on_tx!(tx, |c| {
            let mut q = sqlx::query_scalar(sqlx::AssertSqlSafe(sql.clone()))
                .bind(at)
                .bind(by.as_deref());
            for id in chunk {
                q = q.bind(id.to_string());
            }
            q.fetch_all(c).await
        })?;
        done.extend(changed.iter().filter_map(|s| CraId::parse(s)));
    }
    // The trail and the invoicing event, one multi-row insert each; their
    // ids derive from the report's (a report is validated once per version).
    for chunk in done.chunks(crate::rows_per_statement(5)) {
        let sql = format!(
            "INSERT INTO cra_events (id, cra_id, at, actor_id, actor_name, kind) VALUES {}",
            crate::values_list("(?, ?, ?, ?, ?, 'validated')", chunk.len())
        );
        on_tx!(tx, |c| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
            for id in chunk {
                q = q
                    .bind(format!("{id}:validated"))
                    .bind(id.to_string())
                    .bind(at)
                    .bind(by.as_deref())
                    .bind(&actor.label);
            }
            q.execute(c).await.map(|r| r.rows_affected())
        })?;
        let sql = format!(
            "INSERT INTO domain_events (id, kind, aggregate_id, payload, created_at) VALUES {}",
            crate::values_list("(?, ?, ?, ?, ?)", chunk.len())
        );
        on_tx!(tx, |c| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
            for id in chunk {
                q = q
                    .bind(format!("{id}:validated"))
                    .bind(VALIDATED_EVENT)
                    .bind(id.to_string())
                    .bind(serde_json::json!({ "cra_id": id.to_string() }).to_string())
                    .bind(at);
            }
            q.execute(c).await.map(|r| r.rows_affected())
        })?;
    }
    let skipped = ids.iter().filter(|i| !done.contains(i)).copied().collect();
    Ok(Validated { done, skipped })
}

#[derive(Debug, Clone, Default)]
pub struct Validated {
    pub done: Vec<CraId>,
    /// Not awaiting the manager (not yet validated by the client, already
    /// locked, or gone).
    pub skipped: Vec<CraId>,
}

/// Reopens a locked report: it is kept as it was (superseded) and a new
/// draft version starts from its days, so invoicing can bill the difference.
pub async fn reopen(tx: &mut Tx, actor: &Actor, id: CraId, reason: &str) -> Result<CraId> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(refuse("reason", "cra-reason-required"));
    }
    let cra = fetch(tx, Scope::All, id).await?;
    let next = cra
        .status
        .transition(CraEvent::Reopen)
        .map_err(|e| illegal(e.from))?;
    set_status(tx, id, cra.status, next, None).await?;
    let new_id = CraId::new();
    let at = now();
    on_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO cras (id, consultant_id, month, version, status, comment, previous_id, created_at, updated_at)
         VALUES ($1, $2, $3, $4, 'draft', $5, $6, $7, $7)"
    )
    .bind(new_id.to_string())
    .bind(cra.consultant_id.to_string())
    .bind(cra.month.to_string())
    .bind(cra.version + 1)
    .bind(cra.comment.as_deref())
    .bind(id.to_string())
    .bind(at)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    on_tx!(tx, |c| sqlx::query(
        "INSERT INTO cra_slots (cra_id, day, half, activity, mission_id, leave_type)
         SELECT $1, day, half, activity, mission_id, leave_type FROM cra_slots WHERE cra_id = $2"
    )
    .bind(new_id.to_string())
    .bind(id.to_string())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    on_tx!(tx, |c| sqlx::query(
        "INSERT INTO cra_extras (cra_id, mission_id, kind, quantity_hundredths)
         SELECT $1, mission_id, kind, quantity_hundredths FROM cra_extras WHERE cra_id = $2"
    )
    .bind(new_id.to_string())
    .bind(id.to_string())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    record(tx, id, actor, "reopened", Some(reason)).await?;
    record(
        tx,
        new_id,
        actor,
        "created",
        Some(&format!("version {} après réouverture", cra.version + 1)),
    )
    .await?;
    crate::contracts::emit(
        tx,
        REOPENED_EVENT,
        &new_id.to_string(),
        &serde_json::json!({ "cra_id": new_id.to_string(), "previous_id": id.to_string() }),
    )
    .await?;
    outbox::queue(
        tx,
        &cra.consultant_email,
        &format!("CRA {} rouvert", cra.month.label_fr()),
        &format!(
            "Bonjour {},\n\nVotre compte rendu d’activité de {} a été rouvert par {}.\nMotif : {}\n\n\
             Corrigez-le puis signez-le à nouveau ; il repassera par le client et le manager.\n— Régisseur",
            cra.consultant_name,
            cra.month.label_fr(),
            actor.label,
            reason
        ),
    )
    .await?;
    Ok(new_id)
}

pub async fn add_attachment(
    tx: &mut Tx,
    actor: &Actor,
    scope: Scope,
    id: CraId,
    filename: &str,
    content_type: &str,
    bytes: &[u8],
) -> Result<()> {
    let cra = fetch(tx, scope, id).await?;
    if !cra.status.is_editable() {
        return Err(illegal(cra.status));
    }
    if bytes.is_empty() {
        return Err(refuse("file", "cra-attachment-empty"));
    }
    if bytes.len() > domain::esign::MAX_SCAN_BYTES {
        return Err(refuse("file", "cra-attachment-too-large"));
    }
    let name: String = filename
        .chars()
        .filter(|c| !c.is_control() && *c != '/' && *c != '\\')
        .take(200)
        .collect();
    on_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO cra_attachments (id, cra_id, filename, content_type, bytes, size_bytes, uploaded_by, uploaded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
    )
    .bind(uuid::Uuid::new_v4().to_string())
    .bind(id.to_string())
    .bind(if name.is_empty() { "piece-jointe" } else { name.as_str() })
    .bind(content_type)
    .bind(bytes)
    .bind(bytes.len() as i64)
    .bind(actor.user_id.map(|u| u.to_string()))
    .bind(now())
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    record(tx, id, actor, "attachment_added", Some(filename)).await
}

pub async fn attachment(
    tx: &mut Tx,
    scope: Scope,
    id: CraId,
    attachment: &str,
) -> Result<(String, String, Vec<u8>)> {
    fetch(tx, scope, id).await?;
    on_tx!(tx, |c| sqlx::query_as(
        "SELECT filename, content_type, bytes FROM cra_attachments WHERE cra_id = $1 AND id = $2"
    )
    .bind(id.to_string())
    .bind(attachment)
    .fetch_optional(c)
    .await)?
    .ok_or(Error::NotFound)
}

/// Reports with their day counts, filtered and scoped like `select_cras!`.
const SELECT_CRAS_WITH_TOTALS: &str = "SELECT r.id, r.consultant_id, u.display_name AS consultant_name, u.email AS consultant_email,
               r.month, r.version, r.status, r.comment, r.rejection_reason, r.signed_at, r.client_validated_at,
               r.validated_at, v.display_name AS validated_by, r.updated_at,
               CAST(COALESCE(SUM(CASE WHEN s.activity = 'mission' THEN 1 ELSE 0 END), 0) AS BIGINT) AS billable,
               CAST(COALESCE(SUM(CASE WHEN s.activity = 'leave' THEN 1 ELSE 0 END), 0) AS BIGINT) AS leave,
               CAST(COALESCE(SUM(CASE WHEN s.activity NOT IN ('mission', 'leave') THEN 1 ELSE 0 END), 0) AS BIGINT) AS other,
               CAST((SELECT COUNT(*) FROM cra_client_approvals a WHERE a.cra_id = r.id AND a.approved_at IS NULL) AS BIGINT) AS waiting
             FROM cras r JOIN users u ON u.id = r.consultant_id LEFT JOIN users v ON v.id = r.validated_by
             LEFT JOIN cra_slots s ON s.cra_id = r.id
             WHERE (CAST($1 AS TEXT) IS NULL OR r.consultant_id = $1)
               AND (CAST($2 AS TEXT) IS NULL OR EXISTS (SELECT 1 FROM cra_client_approvals a
                     WHERE a.cra_id = r.id AND a.client_id = $2))
               AND (CAST($3 AS TEXT) IS NULL OR r.month = $3)
               AND (CAST($4 AS TEXT) IS NULL OR r.status = $4)
               AND (CAST($5 AS TEXT) IS NULL OR r.consultant_id = $5)
               AND r.status <> 'superseded'
             GROUP BY r.id, r.consultant_id, u.display_name, u.email, r.month, r.version, r.status, r.comment,
               r.rejection_reason, r.signed_at, r.client_validated_at, r.validated_at, v.display_name, r.updated_at
             ORDER BY r.month DESC, u.display_name
             LIMIT $6";

/// A line of the list pages.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub cra: Cra,
    pub billable_half_days: i64,
    pub leave_half_days: i64,
    pub other_half_days: i64,
    pub clients_waiting: i64,
}

#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub month: Option<YearMonth>,
    pub status: Option<CraStatus>,
    pub consultant: Option<UserId>,
}

pub async fn list(tx: &mut Tx, scope: Scope, f: &Filter, limit: i64) -> Result<Vec<Summary>> {
    #[derive(sqlx::FromRow)]
    struct S {
        #[sqlx(flatten)]
        row: Row,
        billable: i64,
        leave: i64,
        other: i64,
        waiting: i64,
    }
    let rows: Vec<S> = on_tx!(tx, |c| sqlx::query_as(SELECT_CRAS_WITH_TOTALS)
        .bind(scope.own_user())
        .bind(scope.company())
        .bind(f.month.map(|m| m.to_string()))
        .bind(f.status.map(|s| s.as_str()))
        .bind(f.consultant.map(|u| u.to_string()))
        .bind(limit)
        .fetch_all(c)
        .await)?;
    rows.into_iter()
        .map(|s| {
            Ok(Summary {
                cra: s.row.try_into()?,
                billable_half_days: s.billable,
                leave_half_days: s.leave,
                other_half_days: s.other,
                clients_waiting: s.waiting,
            })
        })
        .collect()
}

/// The report a client validates from the portal: is this contact's
/// company still expected to validate this mission's days?
pub async fn awaiting_client(tx: &mut Tx, company: CompanyId) -> Result<Vec<(Cra, MissionId)>> {
    let rows: Vec<(String, String)> = on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT a.cra_id, a.mission_id FROM cra_client_approvals a JOIN cras r ON r.id = a.cra_id
         WHERE a.client_id = $1 AND a.approved_at IS NULL AND r.status = 'signed' ORDER BY r.month"
    )
    .bind(company.to_string())
    .fetch_all(c)
    .await
    })?;
    let mut out = Vec::new();
    for (cra, mission) in rows {
        let id = CraId::parse(&cra).ok_or_else(|| corrupt("cra id", &cra))?;
        let m = MissionId::parse(&mission).ok_or_else(|| corrupt("mission id", &mission))?;
        out.push((fetch(tx, Scope::All, id).await?, m));
    }
    Ok(out)
}

/// Called by the e-signature when the client signed the report's PDF.
pub(crate) async fn signed_by_link(
    tx: &mut Tx,
    document: domain::ids::DocumentId,
    cra: CraId,
    who: &str,
) -> Result<()> {
    client_validate(tx, Scope::All, cra, Via::Link { document }, who)
        .await
        .map(|_| ())
}

/// Called by the e-signature when the client declined: the report goes
/// back to the consultant with the client's reason.
pub(crate) async fn declined_by_link(
    tx: &mut Tx,
    cra: CraId,
    who: &str,
    reason: &str,
) -> Result<()> {
    reject(
        tx,
        &Actor::system(&format!("{who} (client)")),
        Scope::All,
        cra,
        reason,
    )
    .await
    .map(|_| ())
}

/// A leave date of the consultant on which a report past the draft stage
/// already holds something: leave may not rewrite a signed month.
pub async fn locked_on(
    tx: &mut Tx,
    consultant: UserId,
    halves: &[(Date, Half)],
) -> Result<Option<Date>> {
    let months: std::collections::BTreeSet<YearMonth> =
        halves.iter().map(|(d, _)| YearMonth::of(*d)).collect();
    for m in months {
        let status: Option<String> = on_tx!(tx, |c| {
            sqlx::query_scalar(
            "SELECT status FROM cras WHERE consultant_id = $1 AND month = $2 AND status <> 'superseded'"
        )
        .bind(consultant.to_string())
        .bind(m.to_string())
        .fetch_optional(c)
        .await
        })?;
        if status.is_some_and(|s| s != CraStatus::Draft.as_str()) {
            return Ok(halves
                .iter()
                .map(|(d, _)| *d)
                .find(|d| YearMonth::of(*d) == m));
        }
    }
    Ok(None)
}

/// Writes (or removes) leave halves into the consultant's draft reports.
/// Work typed on those halves gives way to the leave.
pub async fn apply_leave(
    tx: &mut Tx,
    consultant: UserId,
    halves: &[(Date, Half)],
    leave: Option<&LeaveTypeCode>,
) -> Result<()> {
    let mut by_month: BTreeMap<YearMonth, Vec<(Date, Half)>> = BTreeMap::new();
    for (d, h) in halves {
        by_month
            .entry(YearMonth::of(*d))
            .or_default()
            .push((*d, *h));
    }
    for (month, hs) in by_month {
        let Some(id) = find(tx, consultant, month).await? else {
            continue;
        };
        for (d, h) in &hs {
            on_tx!(tx, |c| sqlx::query(
                "DELETE FROM cra_slots WHERE cra_id = $1 AND day = $2 AND half = $3"
            )
            .bind(id.to_string())
            .bind(*d)
            .bind(h.as_str())
            .execute(c)
            .await
            .map(|r| r.rows_affected()))?;
        }
        if let Some(t) = leave {
            let slots: Vec<Slot> = hs
                .iter()
                .map(|(d, h)| Slot {
                    day: *d,
                    half: *h,
                    activity: Activity::Leave(t.clone()),
                })
                .collect();
            insert_slots(tx, id, &slots).await?;
        }
    }
    Ok(())
}

/// The live report with the most entries and its consultant (benchmarks
/// measure the fullest month grid).
pub async fn busiest(tx: &mut Tx) -> Result<Option<(CraId, UserId)>> {
    let row: Option<(String, String)> = on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT r.id, r.consultant_id FROM cras r JOIN cra_slots s ON s.cra_id = r.id
         WHERE r.status <> 'superseded' GROUP BY r.id, r.consultant_id ORDER BY COUNT(*) DESC, r.id LIMIT 1"
    )
    .fetch_optional(c)
    .await
    })?;
    Ok(row.and_then(|(c, u)| Some((CraId::parse(&c)?, UserId::parse(&u)?))))
}
