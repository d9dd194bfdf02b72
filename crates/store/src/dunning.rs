//! Dunning (relances): the settings and levels, pauses per client or
//! invoice, and the daily run that sends the notices due.
//!
//! The run looks at every issued invoice with something outstanding
//! (gross − paid − issued credit notes on it) past its due date, neither it
//! nor its client paused, and sends the level `domain::dunning` says is due.
//! Each notice is one transaction: the `dunning_notices` row (unique per
//! invoice and level, so when two instances run at once the second insert
//! finds the row and sends nothing), the e-mail to the client with the
//! invoice's Factur-X PDF attached, and a copy to the firm if configured.
//! An invoice whose client has no e-mail address gets its notice recorded
//! with an empty address and no e-mail: the page shows it as not sent.

use domain::Money;
use domain::dunning::{Claim, Level, LevelInput, Levels, NoticeFacts, Tone};
use domain::identifiers::Email;
use domain::ids::{CompanyId, DunningNoticeId, DunningPauseId, InvoiceId};
use domain::validation::ValidationErrors;
use serde::Serialize;
use time::{Date, OffsetDateTime};

use crate::render::Render;
use crate::{Actor, Db, Error, Result, Tx, corrupt, now, on_tx};

/// The job that runs the notices due (daily, and on request).
pub const RUN_JOB: &str = "dunning_run";

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Settings {
    pub enabled: bool,
    /// The legal interest rate, basis points a year; penalties run at 3 ×.
    pub legal_rate_bp: u32,
    /// Receives a copy of each notice.
    pub copy_to: Option<String>,
}

/// The settings form as typed.
#[derive(Debug, Clone, Default)]
pub struct SettingsInput {
    pub enabled: bool,
    pub legal_rate: String,
    pub copy_to: String,
}

impl SettingsInput {
    pub fn validate(&self) -> Result<Settings, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let rate = e.required("legal_rate", &self.legal_rate, domain::dunning::parse_rate);
        let copy_to = e.optional("copy_to", &self.copy_to, Email::parse);
        match rate {
            Some(legal_rate_bp) if e.is_empty() => Ok(Settings {
                enabled: self.enabled,
                legal_rate_bp,
                copy_to: copy_to.map(|c| c.as_str().to_owned()),
            }),
            _ => Err(e),
        }
    }
}

pub async fn settings(tx: &mut Tx) -> Result<Settings> {
    let row: Option<(bool, i32, Option<String>)> = on_tx!(tx, |c| sqlx::query_as(
        "SELECT enabled, legal_rate_bp, copy_to FROM dunning_settings WHERE id = 1"
    )
    .fetch_optional(c)
    .await)?;
    Ok(match row {
        Some((enabled, bp, copy_to)) => Settings {
            enabled,
            legal_rate_bp: u32::try_from(bp)
                .map_err(|_| corrupt("legal_rate_bp", &bp.to_string()))?,
            copy_to,
        },
        None => Settings {
            enabled: true,
            legal_rate_bp: 276,
            copy_to: None,
        },
    })
}

pub async fn save_settings(tx: &mut Tx, actor: &Actor, s: &Settings) -> Result<()> {
    let before = settings(tx).await?;
    on_tx!(tx, |c| sqlx::query(
        "INSERT INTO dunning_settings (id, enabled, legal_rate_bp, copy_to) VALUES (1, $1, $2, $3)
         ON CONFLICT (id) DO UPDATE SET enabled = $1, legal_rate_bp = $2, copy_to = $3"
    )
    .bind(s.enabled)
    .bind(s.legal_rate_bp as i32)
    .bind(s.copy_to.as_deref())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    crate::audit::record(
        tx,
        actor,
        "dunning.settings",
        "dunning_settings",
        "1",
        Some(&before),
        Some(s),
    )
    .await
}

#[derive(sqlx::FromRow)]
struct LevelRow {
    rank: i32,
    days_after_due: i32,
    name: String,
    tone: String,
    include_penalties: bool,
    active: bool,
}

impl LevelRow {
    fn into_level(self) -> Result<Level> {
        Ok(Level {
            rank: u32::try_from(self.rank).map_err(|_| corrupt("rank", &self.rank.to_string()))?,
            days_after_due: u32::try_from(self.days_after_due)
                .map_err(|_| corrupt("days_after_due", &self.days_after_due.to_string()))?,
            tone: Tone::parse(&self.tone).ok_or_else(|| corrupt("tone", &self.tone))?,
            name: self.name,
            include_penalties: self.include_penalties,
            active: self.active,
        })
    }
}

/// The levels, by rank.
pub async fn levels(tx: &mut Tx) -> Result<Levels> {
    let rows: Vec<LevelRow> = on_tx!(tx, |c| sqlx::query_as(
        "SELECT rank, days_after_due, name, tone, include_penalties, active
         FROM dunning_levels ORDER BY rank"
    )
    .fetch_all(c)
    .await)?;
    Ok(Levels::from_stored(
        rows.into_iter()
            .map(LevelRow::into_level)
            .collect::<Result<_>>()?,
    ))
}

#[derive(Serialize)]
struct LevelAudit<'a> {
    rank: u32,
    days_after_due: u32,
    name: &'a str,
    tone: &'a str,
    include_penalties: bool,
    active: bool,
}

fn audit_levels(l: &Levels) -> Vec<LevelAudit<'_>> {
    l.as_slice()
        .iter()
        .map(|l| LevelAudit {
            rank: l.rank,
            days_after_due: l.days_after_due,
            name: &l.name,
            tone: l.tone.as_str(),
            include_penalties: l.include_penalties,
            active: l.active,
        })
        .collect()
}

/// Replaces the levels (already validated by `Levels::parse`). Notices
/// sent keep the rank and name they were sent with.
pub async fn save_levels(tx: &mut Tx, actor: &Actor, new: &Levels) -> Result<()> {
    let before = levels(tx).await?;
    on_tx!(tx, |c| sqlx::query("DELETE FROM dunning_levels")
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    for l in new.as_slice() {
        on_tx!(tx, |c| {
            sqlx::query(
            "INSERT INTO dunning_levels (id, rank, days_after_due, name, tone, include_penalties, active)
             VALUES ($1, $2, $3, $4, $5, $6, $7)"
        )
        .bind(format!("level-{}", l.rank))
        .bind(l.rank as i32)
        .bind(l.days_after_due as i32)
        .bind(l.name.as_str())
        .bind(l.tone.as_str())
        .bind(l.include_penalties)
        .bind(l.active)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
        })?;
    }
    crate::audit::record(
        tx,
        actor,
        "dunning.levels",
        "dunning_levels",
        "all",
        Some(&audit_levels(&before)),
        Some(&audit_levels(new)),
    )
    .await
}

/// Validates and saves the levels typed in the form.
pub async fn save_level_inputs(tx: &mut Tx, actor: &Actor, rows: &[LevelInput]) -> Result<()> {
    let levels = Levels::parse(rows)?;
    save_levels(tx, actor, &levels).await
}

/// What a pause stops.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PauseTarget {
    /// Every invoice of this client.
    Client(CompanyId),
    /// This invoice.
    Invoice(InvoiceId),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Pause {
    #[sqlx(try_from = "String")]
    pub id: DunningPauseId,
    #[sqlx(try_from = "crate::MaybeId")]
    pub company_id: Option<CompanyId>,
    #[sqlx(try_from = "crate::MaybeId")]
    pub invoice_id: Option<InvoiceId>,
    /// The client's name (of the invoice's client for an invoice pause).
    pub client_name: String,
    pub invoice_number: Option<String>,
    pub reason: String,
    pub paused_until: Option<Date>,
    pub created_by: Option<String>,
    pub created_at: OffsetDateTime,
}

const PAUSE_SELECT: &str = "SELECT p.id, p.company_id, p.invoice_id, c.name AS client_name,
        i.number AS invoice_number, p.reason, p.paused_until, u.display_name AS created_by, p.created_at
     FROM dunning_pauses p
     LEFT JOIN invoices i ON i.id = p.invoice_id
     JOIN companies c ON c.id = COALESCE(p.company_id, i.client_id)
     LEFT JOIN users u ON u.id = p.created_by
     WHERE p.lifted_at IS NULL AND (p.paused_until IS NULL OR p.paused_until >= $1)";

/// The pauses in force on `today`, newest first.
pub async fn pauses(tx: &mut Tx, today: Date) -> Result<Vec<Pause>> {
    let sql = format!("{PAUSE_SELECT} ORDER BY p.created_at DESC");
    Ok(on_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(today)
        .fetch_all(c)
        .await)?)
}

/// The pauses in force on `today` that stop this invoice: its own, and its
/// client's.
pub async fn pauses_of_invoice(
    tx: &mut Tx,
    invoice_id: InvoiceId,
    today: Date,
) -> Result<Vec<Pause>> {
    let sql = format!(
        "{PAUSE_SELECT} AND (p.invoice_id = $2
             OR p.company_id = (SELECT client_id FROM invoices WHERE id = $2))
         ORDER BY p.created_at DESC"
    );
    Ok(on_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(today)
        .bind(invoice_id.to_string())
        .fetch_all(c)
        .await)?)
}

/// Pauses the dunning of a client or an invoice, with a reason, until a
/// date (included) or until lifted. Refused: no reason, a date already
/// gone, a company that is not a client, an invoice not issued.
pub async fn pause(
    tx: &mut Tx,
    actor: &Actor,
    target: &PauseTarget,
    reason: &str,
    until: Option<Date>,
    today: Date,
) -> Result<DunningPauseId> {
    let mut e = ValidationErrors::new();
    let reason = e.required("reason", reason, |r| domain::validation::text(r, 500));
    if until.is_some_and(|u| u < today) {
        e.add("until", "dunning-pause-until-past");
    }
    let (company_id, invoice_id, field) = match target {
        PauseTarget::Client(id) => (Some(id.to_string()), None, "company_id"),
        PauseTarget::Invoice(id) => (None, Some(id.to_string()), "invoice_id"),
    };
    let exists: Option<i32> = match target {
        PauseTarget::Client(id) => on_tx!(tx, |c| sqlx::query_scalar(
            "SELECT 1 FROM companies WHERE id = $1 AND kind = 'client'"
        )
        .bind(id.to_string())
        .fetch_optional(c)
        .await)?,
        PauseTarget::Invoice(id) => on_tx!(tx, |c| sqlx::query_scalar(
            "SELECT 1 FROM invoices WHERE id = $1 AND kind = 'invoice' AND status = 'issued'"
        )
        .bind(id.to_string())
        .fetch_optional(c)
        .await)?,
    };
    if exists.is_none() {
        e.add(field, "dunning-pause-target-unknown");
    }
    let Some(reason) = reason.filter(|_| e.is_empty()) else {
        return Err(Error::Invalid(e));
    };
    let id = DunningPauseId::new();
    on_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO dunning_pauses (id, company_id, invoice_id, reason, paused_until, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)"
    )
    .bind(id.to_string())
    .bind(company_id.as_deref())
    .bind(invoice_id.as_deref())
    .bind(reason.as_str())
    .bind(until)
    .bind(actor.user_id.map(|u| u.to_string()))
    .bind(now())
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    crate::audit::record(
        tx,
        actor,
        "dunning.pause",
        "dunning_pause",
        &id.to_string(),
        None::<&()>,
        Some(&serde_json::json!({
            "company_id": company_id,
            "invoice_id": invoice_id,
            "reason": reason,
            "until": until.map(|d| d.to_string()),
        })),
    )
    .await?;
    Ok(id)
}

/// Lifts a pause (it stays, with who lifted it and when).
pub async fn lift(tx: &mut Tx, actor: &Actor, id: DunningPauseId) -> Result<()> {
    let n = on_tx!(tx, |c| {
        sqlx::query(
        "UPDATE dunning_pauses SET lifted_at = $2, lifted_by = $3 WHERE id = $1 AND lifted_at IS NULL"
    )
    .bind(id.to_string())
    .bind(now())
    .bind(actor.user_id.map(|u| u.to_string()))
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    if n == 0 {
        return Err(Error::NotFound);
    }
    crate::audit::record(
        tx,
        actor,
        "dunning.lift",
        "dunning_pause",
        &id.to_string(),
        None::<&()>,
        None::<&()>,
    )
    .await
}

/// Where a notice's e-mail stands (the outbox's word for it).
pub use crate::outbox::EmailState;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Notice {
    pub id: DunningNoticeId,
    pub invoice_id: InvoiceId,
    pub invoice_number: String,
    pub client_id: CompanyId,
    pub client_name: String,
    pub level_rank: u32,
    pub level_name: String,
    pub sent_on: Date,
    pub days_late: i64,
    pub outstanding: Money,
    pub penalty: Money,
    pub indemnity: Money,
    pub email_to: String,
    pub email: EmailState,
}

#[derive(sqlx::FromRow)]
struct NoticeRow {
    #[sqlx(try_from = "String")]
    id: DunningNoticeId,
    #[sqlx(try_from = "String")]
    invoice_id: InvoiceId,
    invoice_number: Option<String>,
    #[sqlx(try_from = "String")]
    client_id: CompanyId,
    client_name: String,
    level_rank: i32,
    level_name: String,
    sent_on: Date,
    days_late: i32,
    outstanding_cents: i64,
    penalty_cents: i64,
    indemnity_cents: i64,
    email_to: String,
    email_id: Option<String>,
    sent_at: Option<OffsetDateTime>,
    last_error: Option<String>,
}

impl From<NoticeRow> for Notice {
    fn from(r: NoticeRow) -> Notice {
        let email = EmailState::of(r.email_id.as_deref(), r.sent_at, r.last_error);
        Notice {
            id: r.id,
            invoice_id: r.invoice_id,
            invoice_number: r.invoice_number.unwrap_or_default(),
            client_id: r.client_id,
            client_name: r.client_name,
            level_rank: r.level_rank.max(0) as u32,
            level_name: r.level_name,
            sent_on: r.sent_on,
            days_late: i64::from(r.days_late),
            outstanding: Money::from_cents(r.outstanding_cents),
            penalty: Money::from_cents(r.penalty_cents),
            indemnity: Money::from_cents(r.indemnity_cents),
            email_to: r.email_to,
            email,
        }
    }
}

const NOTICE_SELECT: &str = "SELECT n.id, n.invoice_id, i.number AS invoice_number, i.client_id,
        c.name AS client_name, n.level_rank, n.level_name, n.sent_on, n.days_late,
        n.outstanding_cents, n.penalty_cents, n.indemnity_cents, n.email_to, n.email_id,
        e.sent_at, e.last_error
     FROM dunning_notices n
     JOIN invoices i ON i.id = n.invoice_id
     JOIN companies c ON c.id = i.client_id
     LEFT JOIN outbox_emails e ON e.id = n.email_id";

/// The notices sent, newest first (at most `limit`).
pub async fn notices(tx: &mut Tx, limit: i64) -> Result<Vec<Notice>> {
    let sql = format!("{NOTICE_SELECT} ORDER BY n.created_at DESC LIMIT $1");
    let rows: Vec<NoticeRow> = on_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(limit)
        .fetch_all(c)
        .await)?;
    Ok(rows.into_iter().map(Notice::from).collect())
}

/// The notices of one invoice, in the order sent.
pub async fn notices_of_invoice(tx: &mut Tx, invoice_id: InvoiceId) -> Result<Vec<Notice>> {
    let sql = format!("{NOTICE_SELECT} WHERE n.invoice_id = $1 ORDER BY n.level_rank");
    let rows: Vec<NoticeRow> = on_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(invoice_id.to_string())
        .fetch_all(c)
        .await)?;
    Ok(rows.into_iter().map(Notice::from).collect())
}

/// Queues a run now (the button of the dunning page).
pub async fn request_run(tx: &mut Tx) -> Result<()> {
    crate::jobs::enqueue(tx, RUN_JOB, &serde_json::json!({}), now(), None).await?;
    Ok(())
}

/// What a run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Late invoices with something outstanding.
    pub late: usize,
    /// Of which paused (the invoice or its client).
    pub paused: usize,
    /// Notices recorded with their e-mail queued.
    pub sent: usize,
    /// Notices recorded without e-mail: no address for the client.
    pub no_address: usize,
    /// Notices another instance recorded first (nothing sent here).
    pub already_sent: usize,
}

/// A late invoice with something outstanding.
#[derive(Debug, Clone, sqlx::FromRow)]
struct LateRow {
    id: String,
    number: Option<String>,
    client_id: String,
    client_name: String,
    issue_date: Option<Date>,
    due_date: Date,
    gross_cents: i64,
    paid_cents: i64,
    credited_cents: i64,
    paused: bool,
}

impl LateRow {
    fn outstanding(&self) -> Money {
        Money::from_cents(self.gross_cents - self.paid_cents - self.credited_cents)
    }
}

/// What credit notes took off an invoice is read as payments reads it.
fn late_sql() -> String {
    format!(
        "SELECT i.id, i.number, i.client_id, c.name AS client_name, i.issue_date, i.due_date,
        i.gross_cents, i.paid_cents, {credited} AS credited_cents,
        EXISTS (SELECT 1 FROM dunning_pauses p
                WHERE (p.invoice_id = i.id OR p.company_id = i.client_id)
                  AND p.lifted_at IS NULL AND (p.paused_until IS NULL OR p.paused_until >= $1))
            AS paused
     FROM invoices i JOIN companies c ON c.id = i.client_id
     WHERE i.status = 'issued' AND i.kind = 'invoice' AND i.due_date < $1
     ORDER BY i.due_date, i.number",
        credited = crate::payments::CREDITED
    )
}

/// Runs the notices due on `today`: one transaction per notice (see the
/// module). Does nothing when dunning is disabled.
pub async fn run(db: &Db, today: Date, render: &dyn Render) -> Result<Summary> {
    let mut summary = Summary::default();
    let mut tx = db.read().await?;
    let settings = settings(&mut tx).await?;
    if !settings.enabled {
        tx.commit().await?;
        return Ok(summary);
    }
    let levels = levels(&mut tx).await?;
    let sql = late_sql();
    let late: Vec<LateRow> = on_tx!(&mut tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(
        sql.clone()
    ))
    .bind(today)
    .fetch_all(c)
    .await)?;
    let sent: Vec<(String, i32)> = on_tx!(&mut tx, |c| sqlx::query_as(
        "SELECT n.invoice_id, n.level_rank FROM dunning_notices n
         JOIN invoices i ON i.id = n.invoice_id
         WHERE i.status = 'issued' AND i.kind = 'invoice' AND i.due_date < $1"
    )
    .bind(today)
    .fetch_all(c)
    .await)?;
    tx.commit().await?;
    let mut sent_by_invoice: std::collections::HashMap<&str, Vec<u32>> = Default::default();
    for (invoice, rank) in &sent {
        sent_by_invoice
            .entry(invoice.as_str())
            .or_default()
            .push((*rank).max(0) as u32);
    }
    for row in &late {
        let outstanding = row.outstanding();
        if outstanding.cents() <= 0 {
            continue;
        }
        summary.late += 1;
        if row.paused {
            summary.paused += 1;
            continue;
        }
        let already = sent_by_invoice
            .get(row.id.as_str())
            .map(Vec::as_slice)
            .unwrap_or_default();
        let Some(level) = levels.due(today, row.due_date, outstanding, already) else {
            continue;
        };
        let claim = Claim::compute(
            level,
            today,
            row.due_date,
            outstanding,
            settings.legal_rate_bp,
        );
        let mut tx = db.begin().await?;
        match send_notice(&mut tx, &settings, level, row, &claim, today, render).await? {
            Outcome::Sent => summary.sent += 1,
            Outcome::NoAddress => summary.no_address += 1,
            Outcome::AlreadySent => {
                summary.already_sent += 1;
                tx.rollback().await?;
                continue;
            }
        }
        tx.commit().await?;
    }
    Ok(summary)
}

enum Outcome {
    Sent,
    NoAddress,
    AlreadySent,
}

/// The client's address for notices: the company's e-mail, else a contact's
/// (accounts payable first, then the buyer, then anyone).
async fn client_address(tx: &mut Tx, client_id: &str) -> Result<Option<String>> {
    let company: Option<Option<String>> = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT email FROM companies WHERE id = $1"
    )
    .bind(client_id)
    .fetch_optional(c)
    .await)?;
    if let Some(address) = company.flatten().filter(|a| !a.trim().is_empty()) {
        return Ok(Some(address));
    }
    let contact: Option<String> = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT email FROM contacts WHERE company_id = $1 AND email IS NOT NULL AND email <> ''
         ORDER BY CASE role WHEN 'accounts_payable' THEN 0 WHEN 'buyer' THEN 1 ELSE 2 END,
                  last_name, first_name, id
         LIMIT 1"
    )
    .bind(client_id)
    .fetch_optional(c)
    .await)?;
    Ok(contact)
}

async fn send_notice(
    tx: &mut Tx,
    settings: &Settings,
    level: &Level,
    row: &LateRow,
    claim: &Claim,
    today: Date,
    render: &dyn Render,
) -> Result<Outcome> {
    let id = uuid::Uuid::new_v4().to_string();
    let address = client_address(tx, &row.client_id).await?;
    // The unique (invoice, level) decides who sends: a second instance
    // finds the row and sends nothing.
    let inserted: Option<String> = on_tx!(tx, |c| {
        sqlx::query_scalar(
        "INSERT INTO dunning_notices (id, invoice_id, level_rank, level_name, sent_on, days_late,
             outstanding_cents, penalty_cents, indemnity_cents, email_to, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         ON CONFLICT (invoice_id, level_rank) DO NOTHING RETURNING id"
    )
    .bind(id.as_str())
    .bind(row.id.as_str())
    .bind(level.rank as i32)
    .bind(level.name.as_str())
    .bind(today)
    .bind(claim.days_late as i32)
    .bind(claim.outstanding.cents())
    .bind(claim.penalty.cents())
    .bind(claim.indemnity.cents())
    .bind(address.as_deref().unwrap_or_default())
    .bind(now())
    .fetch_optional(c)
    .await
    })?;
    if inserted.is_none() {
        return Ok(Outcome::AlreadySent);
    }
    let Some(address) = address else {
        return Ok(Outcome::NoAddress);
    };
    let firm_name = crate::firm::get(tx)
        .await?
        .map(|f| f.name)
        .unwrap_or_default();
    let number = row.number.clone().unwrap_or_default();
    let facts = NoticeFacts {
        firm_name,
        client_name: row.client_name.clone(),
        invoice_number: number.clone(),
        issue_date: row.issue_date.unwrap_or(row.due_date),
        due_date: row.due_date,
        legal_rate_bp: settings.legal_rate_bp,
        claim: *claim,
    };
    let (subject, text) = domain::dunning::email(level.tone, &facts);
    let files = [crate::invoice_emails::attachment(tx, crate::id(&row.id)?, render).await?];
    let email_id =
        crate::outbox::queue_with_attachments(tx, &address, &subject, &text, &files).await?;
    if let Some(copy) = settings.copy_to.as_deref() {
        let (subject, text) = domain::dunning::copy(&subject, &text, &row.client_name, &address);
        crate::outbox::queue_with_attachments(tx, copy, &subject, &text, &files).await?;
    }
    on_tx!(tx, |c| sqlx::query(
        "UPDATE dunning_notices SET email_id = $2 WHERE id = $1"
    )
    .bind(id.as_str())
    .bind(email_id.to_string())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(Outcome::Sent)
}

/// Lifts the pauses set on this invoice itself (its client's stay);
/// returns how many.
pub async fn lift_invoice(tx: &mut Tx, actor: &Actor, invoice_id: InvoiceId) -> Result<usize> {
    let ids: Vec<String> = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT id FROM dunning_pauses WHERE invoice_id = $1 AND lifted_at IS NULL"
    )
    .bind(invoice_id.to_string())
    .fetch_all(c)
    .await)?;
    for id in &ids {
        lift(tx, actor, crate::id(id)?).await?;
    }
    Ok(ids.len())
}

/// Issued invoices with something outstanding, for the pause form:
/// (id, "FA-2026-000001 · Clientis · 14 400,00 €" parts).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OpenInvoice {
    #[sqlx(try_from = "String")]
    pub id: InvoiceId,
    pub number: Option<String>,
    pub client_name: String,
    pub outstanding_cents: i64,
}

pub async fn open_invoices(tx: &mut Tx) -> Result<Vec<OpenInvoice>> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT id, number, client_name, outstanding_cents FROM (
             SELECT i.id, i.number, c.name AS client_name,
                 i.gross_cents - i.paid_cents - CAST(COALESCE((SELECT SUM(cn.gross_cents) FROM invoices cn
                     WHERE cn.credits_id = i.id AND cn.kind = 'credit_note' AND cn.status = 'issued'), 0)
                     AS BIGINT) AS outstanding_cents
             FROM invoices i JOIN companies c ON c.id = i.client_id
             WHERE i.status = 'issued' AND i.kind = 'invoice') o
         WHERE outstanding_cents > 0 ORDER BY number"
    )
    .fetch_all(c)
    .await
    })?)
}
