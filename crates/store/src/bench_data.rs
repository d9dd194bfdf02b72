//! Synthetic data for `regisseur bench`, written set-based so that thousands
//! of rows take seconds. Never called by the application itself.

use domain::calendar::{Region, YearMonth};
use domain::identifiers::{Siren, VatNumber};
use domain::ids::{CompanyId, CraId, MissionId, UserId};
use time::Duration;

use crate::{Db, Result, Tx, now, on_tx};

/// What `client_validated_cras` created.
pub struct CraFixture {
    pub month: YearMonth,
    /// The reports, all validated by their client, waiting for the manager.
    pub reports: Vec<CraId>,
    /// The business manager of every mission of the fixture.
    pub manager: UserId,
    pub client: CompanyId,
}

/// `n` consultants, each with a mission at one client (rates from 450,00 €
/// to 849,99 €, some with odd cents) and a report for `month` filled with
/// the mission on every working day, validated by the client. Accounts get
/// no usable password.
pub async fn client_validated_cras(tx: &mut Tx, n: usize, month: YearMonth) -> Result<CraFixture> {
    let built = reports(
        tx,
        n,
        month,
        &Spec {
            status: "client_validated",
            tjm_cents: None,
            invoiceable_client: false,
        },
    )
    .await?;
    Ok(CraFixture {
        month,
        reports: built.reports,
        manager: built.manager,
        client: built.client,
    })
}

/// What `validated_cras_for_close` created.
pub struct CloseFixture {
    pub month: YearMonth,
    /// One mission per consultant, each billed on its own invoice.
    pub missions: Vec<MissionId>,
    pub client: CompanyId,
    pub manager: UserId,
}

/// `n` consultants, each with an unlocked mission at 600,00 € a day at one
/// client that has everything an invoice must mention (SIREN, VAT number,
/// address), and a report for `month` filled with the mission on every
/// working day and validated by the manager, written directly (not through
/// the validation, which would draft the invoices): the close finds every
/// day to bill. The firm's identity is set (the demo's) if incomplete.
pub async fn validated_cras_for_close(
    tx: &mut Tx,
    n: usize,
    month: YearMonth,
) -> Result<CloseFixture> {
    let firm = crate::firm::get(tx).await?;
    let complete = firm.as_ref().is_some_and(|f| {
        f.siren.is_some() && f.vat_number.is_some() && f.address_line1.is_some() && f.city.is_some()
    });
    if !complete {
        crate::firm::save(tx, &crate::demo::stafforia()).await?;
    }
    let built = reports(
        tx,
        n,
        month,
        &Spec {
            status: "validated",
            tjm_cents: Some(60_000),
            invoiceable_client: true,
        },
    )
    .await?;
    Ok(CloseFixture {
        month,
        missions: built.missions,
        client: built.client,
        manager: built.manager,
    })
}

/// How `reports` fills the month.
struct Spec {
    /// The reports' status: `client_validated` or `validated`.
    status: &'static str,
    /// Every mission's rate; by default from 450,00 € to 849,99 €.
    tjm_cents: Option<i64>,
    /// The client has a SIREN, a VAT number and an address.
    invoiceable_client: bool,
}

struct Built {
    reports: Vec<CraId>,
    missions: Vec<MissionId>,
    manager: UserId,
    client: CompanyId,
}

async fn reports(tx: &mut Tx, n: usize, month: YearMonth, spec: &Spec) -> Result<Built> {
    let tag = uuid::Uuid::new_v4().simple().to_string()[..8].to_owned();
    let at = now();
    let client = CompanyId::new();
    let manager = UserId::new();
    // A SIREN of its own, so fixtures can be added again to one database.
    let siren =
        Siren::with_check_digit(u32::from_str_radix(&tag[..7], 16).unwrap_or(0) % 100_000_000);
    let identity = spec.invoiceable_client.then(|| {
        (
            siren.to_string(),
            VatNumber::for_siren(&siren).to_string(),
            "1 place de la Défense",
            "92400",
            "Courbevoie",
        )
    });
    on_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO companies (id, name, kind, legal_form, siren, vat_number, address_line1, postcode, city, country,
           key_account, search_key, created_at, updated_at)
         VALUES ($1, $2, 'client', 'SAS', $3, $4, $5, $6, $7, 'FR', FALSE, $8, $9, $9)"
    )
    .bind(client.to_string())
    .bind(format!("Client bench {tag}"))
    .bind(identity.as_ref().map(|i| i.0.clone()))
    .bind(identity.as_ref().map(|i| i.1.clone()))
    .bind(identity.as_ref().map(|i| i.2))
    .bind(identity.as_ref().map(|i| i.3))
    .bind(identity.as_ref().map(|i| i.4))
    .bind(format!("client bench {tag}"))
    .bind(at)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;

    let consultants: Vec<UserId> = (0..n).map(|_| UserId::new()).collect();
    let mut people: Vec<(UserId, String, String, &str)> = vec![(
        manager,
        format!("bench-bm-{tag}@bench.invalid"),
        format!("Manager bench {tag}"),
        "business_manager",
    )];
    people.extend(consultants.iter().enumerate().map(|(i, id)| {
        (
            *id,
            format!("bench-{tag}-{i}@bench.invalid"),
            format!("Consultant {i:05} {tag}"),
            "consultant",
        )
    }));
    for chunk in people.chunks(crate::rows_per_statement(7)) {
        let sql = format!(
            "INSERT INTO users (id, email, display_name, role, password_hash, active, search_key, created_at, updated_at)
             VALUES {}",
            crate::values_list("(?, ?, ?, ?, '!', TRUE, ?, ?, ?)", chunk.len())
        );
        on_tx!(tx, |c| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
            for (id, email, name, role) in chunk {
                q = q
                    .bind(id.to_string())
                    .bind(email.as_str())
                    .bind(name.as_str())
                    .bind(*role)
                    .bind(crate::search::key(&[
                        Some(name.as_str()),
                        Some(email.as_str()),
                    ]))
                    .bind(at)
                    .bind(at);
            }
            q.execute(c).await.map(|r| r.rows_affected())
        })?;
    }

    let start = month.first_day() - Duration::days(90);
    let end = month.last_day() + Duration::days(180);
    let missions: Vec<(MissionId, UserId, i64)> = consultants
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let cents = spec.tjm_cents.unwrap_or_else(|| {
                45_000 + (i as i64 % 40) * 1_000 + if i % 7 == 0 { 99 } else { 0 }
            });
            (MissionId::new(), *c, cents)
        })
        .collect();
    const MISSION_ROW: &str = "(?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', ?, 30, FALSE, 2000, 'on_receipts', \
                               'not_rebilled', 0, FALSE, ?, ?, ?)";
    for (k, chunk) in missions.chunks(crate::rows_per_statement(13)).enumerate() {
        let sql = format!(
            "INSERT INTO missions (id, title, client_id, consultant_id, business_manager_id, start_date,
               initial_end_date, end_date, base_tjm_cents, status, analytic_code, payment_days,
               payment_end_of_month, vat_rate_bp, vat_regime, expense_policy, expense_fee_bp,
               invoicing_locked, search_key, created_at, updated_at)
             VALUES {}",
            crate::values_list(MISSION_ROW, chunk.len())
        );
        let first = k * crate::rows_per_statement(13);
        on_tx!(tx, |c| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
            for (j, (id, consultant, cents)) in chunk.iter().enumerate() {
                let i = first + j;
                let title = format!("Mission bench {i:05}");
                q = q
                    .bind(id.to_string())
                    .bind(title.clone())
                    .bind(client.to_string())
                    .bind(consultant.to_string())
                    .bind(manager.to_string())
                    .bind(start)
                    .bind(end)
                    .bind(end)
                    .bind(*cents)
                    .bind(format!("BENCH-{tag}-{i:05}"))
                    .bind(title.to_lowercase())
                    .bind(at)
                    .bind(at);
            }
            q.execute(c).await.map(|r| r.rows_affected())
        })?;
    }

    let reports: Vec<CraId> = consultants.iter().map(|_| CraId::new()).collect();
    for chunk in reports
        .iter()
        .zip(&consultants)
        .collect::<Vec<_>>()
        .chunks(crate::rows_per_statement(10))
    {
        let sql = format!(
            "INSERT INTO cras (id, consultant_id, month, version, status, signed_at, client_validated_at,
               validated_at, validated_by, created_at, updated_at)
             VALUES {}",
            crate::values_list("(?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?)", chunk.len())
        );
        let validated = spec.status == "validated";
        on_tx!(tx, |c| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
            for (id, consultant) in chunk {
                q = q
                    .bind(id.to_string())
                    .bind(consultant.to_string())
                    .bind(month.to_string())
                    .bind(spec.status)
                    .bind(at)
                    .bind(at)
                    .bind(validated.then_some(at))
                    .bind(validated.then(|| manager.to_string()))
                    .bind(at)
                    .bind(at);
            }
            q.execute(c).await.map(|r| r.rows_affected())
        })?;
    }

    // One statement per half day of the month, each filling every report.
    for day in month.working_days(Region::Standard) {
        for half in ["am", "pm"] {
            on_tx!(tx, |c| sqlx::query(
                "INSERT INTO cra_slots (cra_id, day, half, activity, mission_id)
                 SELECT r.id, $1, $2, 'mission', m.id FROM cras r
                   JOIN missions m ON m.consultant_id = r.consultant_id
                 WHERE r.month = $3 AND m.business_manager_id = $4"
            )
            .bind(day)
            .bind(half)
            .bind(month.to_string())
            .bind(manager.to_string())
            .execute(c)
            .await
            .map(|r| r.rows_affected()))?;
        }
    }
    on_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO cra_client_approvals (cra_id, mission_id, client_id, approved_at, approved_by, via)
         SELECT r.id, m.id, m.client_id, $1, 'bench', 'portal' FROM cras r
           JOIN missions m ON m.consultant_id = r.consultant_id
         WHERE r.month = $2 AND m.business_manager_id = $3"
    )
    .bind(at)
    .bind(month.to_string())
    .bind(manager.to_string())
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(Built {
        reports,
        missions: missions.into_iter().map(|(id, _, _)| id).collect(),
        manager,
        client,
    })
}

/// Refreshes the planner's statistics (`ANALYZE`, on both backends), as
/// PostgreSQL's autovacuum does on its own within a minute of a bulk change:
/// right after one, the planner still counts the rows as they were.
pub async fn analyze(tx: &mut Tx) -> Result<()> {
    on_tx!(tx, |c| sqlx::query("ANALYZE")
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// The tables the month-end close writes rows into, in the order rows can
/// be written again (entries before the invoices and accruals that point
/// at them).
pub const CLOSE_TABLES: [&str; 7] = [
    "ledger_entries",
    "ledger_lines",
    "invoices",
    "invoice_lines",
    "billed_days",
    "accruals",
    "audit_log",
];

/// `SELECT COUNT(*)` of each table.
pub async fn row_counts(tx: &mut Tx, tables: &[&'static str]) -> Result<Vec<(&'static str, i64)>> {
    let mut out = Vec::with_capacity(tables.len());
    for t in tables {
        let sql = format!("SELECT CAST(COUNT(*) AS BIGINT) FROM {t}");
        let n: i64 = on_tx!(tx, |c| sqlx::query_scalar(sqlx::AssertSqlSafe(sql.clone()))
            .fetch_one(c)
            .await)?;
        out.push((*t, n));
    }
    Ok(out)
}

/// The numbers of the invoices issued to the missions, in number order.
pub async fn issued_numbers(tx: &mut Tx, missions: &[MissionId]) -> Result<Vec<String>> {
    let mut out = Vec::with_capacity(missions.len());
    for chunk in missions.chunks(crate::MAX_BINDS) {
        let sql = format!(
            "SELECT number FROM invoices WHERE status = 'issued' AND kind = 'invoice' AND mission_id IN ({})",
            crate::values_list("?", chunk.len())
        );
        let rows: Vec<String> = on_tx!(tx, |c| {
            let mut q = sqlx::query_scalar(sqlx::AssertSqlSafe(sql.clone()));
            for m in chunk {
                q = q.bind(m.to_string());
            }
            q.fetch_all(c).await
        })?;
        out.extend(rows);
    }
    out.sort();
    Ok(out)
}

/// The sequence numbers of a series' issued documents of a year, in order.
pub async fn issued_sequence(tx: &mut Tx, series: &str, year: i32) -> Result<Vec<i64>> {
    let prefix = format!("{series}-{year}-");
    let numbers: Vec<String> = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT number FROM invoices WHERE series = $1 AND status = 'issued' AND number LIKE $2"
    )
    .bind(series)
    .bind(format!("{prefix}%"))
    .fetch_all(c)
    .await)?;
    let mut seqs: Vec<i64> = numbers
        .iter()
        .map(|n| {
            n.strip_prefix(&prefix)
                .and_then(|s| s.parse().ok())
                .ok_or_else(|| crate::corrupt("invoice number", n))
        })
        .collect::<Result<_>>()?;
    seqs.sort_unstable();
    Ok(seqs)
}

/// Writes `rows` with `INSERT`s of `per` rows each (`per` = 1: the same
/// single-row statement, prepared once and reused), binding each row's
/// `cols` parameters with `bind`. Evaluates to the number of rows written.
macro_rules! write_rows {
    ($tx:expr, $head:literal, $cols:expr, $rows:expr, $per:expr, |$q:ident, $r:ident| $bind:expr) => {{
        let row = format!("({})", vec!["?"; $cols].join(", "));
        let per: usize = $per;
        let full = format!("{} VALUES {}", $head, crate::values_list(&row, per));
        let mut written = 0usize;
        for chunk in $rows.chunks(per) {
            let sql = if chunk.len() == per {
                full.clone()
            } else {
                format!("{} VALUES {}", $head, crate::values_list(&row, chunk.len()))
            };
            on_tx!($tx, |c| {
                let mut $q = sqlx::query(sqlx::AssertSqlSafe(sql));
                for $r in chunk {
                    $q = $bind;
                }
                $q.execute(c).await.map(|r| r.rows_affected())
            })?;
            written += chunk.len();
        }
        written
    }};
}

#[derive(sqlx::FromRow)]
struct EntryRow {
    id: String,
    journal: String,
    year: i32,
    number: i64,
    entry_date: time::Date,
    label: String,
    piece_ref: Option<String>,
    reverses_id: Option<String>,
    source: Option<String>,
    posted_at: time::OffsetDateTime,
    posted_by: Option<String>,
    hash: Option<String>,
    previous_hash: Option<String>,
}

#[derive(sqlx::FromRow)]
struct LedgerLineRow {
    entry_id: String,
    position: i32,
    account: String,
    debit_cents: i64,
    credit_cents: i64,
    label: String,
    third_party_id: Option<String>,
    analytic_code: Option<String>,
}

#[derive(sqlx::FromRow)]
struct InvoiceRow {
    id: String,
    kind: String,
    status: String,
    client_id: String,
    mission_id: Option<String>,
    contract_id: Option<String>,
    period: String,
    series: String,
    number: Option<String>,
    issue_date: Option<time::Date>,
    net_cents: i64,
    vat_cents: i64,
    gross_cents: i64,
    credits_id: Option<String>,
    ledger_entry_id: Option<String>,
    created_at: time::OffsetDateTime,
    issued_at: Option<time::OffsetDateTime>,
    due_date: Option<time::Date>,
    frozen: Option<String>,
    issue_error: Option<String>,
    waiting_since: Option<time::OffsetDateTime>,
}

#[derive(sqlx::FromRow)]
struct InvoiceLineRow {
    id: String,
    invoice_id: String,
    position: i32,
    mission_id: Option<String>,
    analytic_code: Option<String>,
    description: String,
    half_days: i32,
    unit_price_cents: i64,
    vat_rate_bp: i32,
    net_cents: i64,
    consultant_id: Option<String>,
    service_from: Option<time::Date>,
    service_to: Option<time::Date>,
    credits_line_id: Option<String>,
}

#[derive(sqlx::FromRow)]
struct BilledRow {
    consultant_id: String,
    day: time::Date,
    half: String,
    cra_id: String,
    line_id: String,
    credit_line_id: Option<String>,
}

#[derive(sqlx::FromRow)]
struct AccrualRow {
    id: String,
    invoice_id: String,
    period: String,
    net_cents: i64,
    vat_cents: i64,
    gross_cents: i64,
    entry_id: String,
    reversal_entry_id: Option<String>,
    released_by_invoice_id: Option<String>,
    created_at: time::OffsetDateTime,
    reversed_at: Option<time::OffsetDateTime>,
}

#[derive(sqlx::FromRow)]
struct AuditRow {
    id: String,
    at: time::OffsetDateTime,
    actor_user_id: Option<String>,
    actor_label: String,
    action: String,
    entity: String,
    entity_id: Option<String>,
    before_json: Option<String>,
    after_json: Option<String>,
    ip: Option<String>,
}

/// The rows a run (the close) added since a moment, read back as they are,
/// to be written again into a copy of the database taken before the run:
/// the floor of what writing them costs.
pub struct Written {
    entries: Vec<EntryRow>,
    ledger_lines: Vec<LedgerLineRow>,
    invoices: Vec<InvoiceRow>,
    invoice_lines: Vec<InvoiceLineRow>,
    billed: Vec<BilledRow>,
    accruals: Vec<AccrualRow>,
    audit: Vec<AuditRow>,
}

impl Written {
    /// Everything written since `since` into [`CLOSE_TABLES`] (invoice lines
    /// and billed days: those of the invoices created since). Only the
    /// writer of those rows should have run since. Each query starts from
    /// the few new rows (`IN (SELECT …)`), whatever the planner's statistics
    /// say: taken before the run, they count those tables nearly empty, and
    /// SQLite then scanned billed days once per invoice.
    pub async fn read(tx: &mut Tx, since: time::OffsetDateTime) -> Result<Written> {
        let entries: Vec<EntryRow> = on_tx!(tx, |c| {
            sqlx::query_as(
            "SELECT id, journal, CAST(year AS INTEGER) AS year, number, entry_date, label, piece_ref, reverses_id,
               source, posted_at, posted_by, hash, previous_hash
             FROM ledger_entries WHERE posted_at >= $1 ORDER BY posted_at, id"
        )
        .bind(since)
        .fetch_all(c)
        .await
        })?;
        let ledger_lines: Vec<LedgerLineRow> = on_tx!(tx, |c| {
            sqlx::query_as(
            "SELECT l.entry_id, CAST(l.position AS INTEGER) AS position, l.account, l.debit_cents, l.credit_cents,
               l.label, l.third_party_id, l.analytic_code
             FROM ledger_lines l WHERE l.entry_id IN (SELECT id FROM ledger_entries WHERE posted_at >= $1)
             ORDER BY l.entry_id, l.position"
        )
        .bind(since)
        .fetch_all(c)
        .await
        })?;
        let invoices: Vec<InvoiceRow> = on_tx!(tx, |c| {
            sqlx::query_as(
            "SELECT id, kind, status, client_id, mission_id, contract_id, period, series, number, issue_date,
               net_cents, vat_cents, gross_cents, credits_id, ledger_entry_id, created_at, issued_at, due_date,
               frozen, issue_error, waiting_since
             FROM invoices WHERE created_at >= $1 ORDER BY created_at, id"
        )
        .bind(since)
        .fetch_all(c)
        .await
        })?;
        let invoice_lines: Vec<InvoiceLineRow> = on_tx!(tx, |c| {
            sqlx::query_as(
            "SELECT l.id, l.invoice_id, CAST(l.position AS INTEGER) AS position, l.mission_id, l.analytic_code,
               l.description, CAST(l.half_days AS INTEGER) AS half_days, l.unit_price_cents,
               CAST(l.vat_rate_bp AS INTEGER) AS vat_rate_bp, l.net_cents, l.consultant_id, l.service_from,
               l.service_to, l.credits_line_id
             FROM invoice_lines l WHERE l.invoice_id IN (SELECT id FROM invoices WHERE created_at >= $1)
             ORDER BY l.invoice_id, l.position"
        )
        .bind(since)
        .fetch_all(c)
        .await
        })?;
        let billed: Vec<BilledRow> = on_tx!(tx, |c| {
            sqlx::query_as(
                "SELECT b.consultant_id, b.day, b.half, b.cra_id, b.line_id, b.credit_line_id
             FROM billed_days b WHERE b.line_id IN (SELECT l.id FROM invoice_lines l
               WHERE l.invoice_id IN (SELECT id FROM invoices WHERE created_at >= $1))
             ORDER BY b.line_id, b.day, b.half",
            )
            .bind(since)
            .fetch_all(c)
            .await
        })?;
        let accruals: Vec<AccrualRow> = on_tx!(tx, |c| {
            sqlx::query_as(
            "SELECT id, invoice_id, period, net_cents, vat_cents, gross_cents, entry_id, reversal_entry_id,
               released_by_invoice_id, created_at, reversed_at
             FROM accruals WHERE created_at >= $1 ORDER BY created_at, id"
        )
        .bind(since)
        .fetch_all(c)
        .await
        })?;
        let audit: Vec<AuditRow> = on_tx!(tx, |c| {
            sqlx::query_as(
            "SELECT id, at, actor_user_id, actor_label, action, entity, entity_id, before_json, after_json, ip
             FROM audit_log WHERE at >= $1 ORDER BY at, id"
        )
        .bind(since)
        .fetch_all(c)
        .await
        })?;
        Ok(Written {
            entries,
            ledger_lines,
            invoices,
            invoice_lines,
            billed,
            accruals,
            audit,
        })
    }

    /// How many rows of each of [`CLOSE_TABLES`].
    pub fn counts(&self) -> Vec<(&'static str, i64)> {
        let n = [
            self.entries.len(),
            self.ledger_lines.len(),
            self.invoices.len(),
            self.invoice_lines.len(),
            self.billed.len(),
            self.accruals.len(),
            self.audit.len(),
        ];
        CLOSE_TABLES
            .iter()
            .copied()
            .zip(n.map(|n| n as i64))
            .collect()
    }

    /// Writes the rows again in the caller's transaction: with `batched`
    /// false, one prepared single-row `INSERT` per row (the statement is
    /// prepared once per table and reused); with `batched` true, multi-row
    /// `INSERT`s of up to `MAX_BINDS` parameters, as the application's bulk
    /// writes do. Returns the number of rows written.
    pub async fn insert(&self, tx: &mut Tx, batched: bool) -> Result<usize> {
        let per = |cols: usize| {
            if batched {
                crate::rows_per_statement(cols)
            } else {
                1
            }
        };
        let mut n = 0;
        n += write_rows!(
            tx,
            "INSERT INTO ledger_entries (id, journal, year, number, entry_date, label, piece_ref, reverses_id, source,
               posted_at, posted_by, hash, previous_hash)",
            13,
            &self.entries,
            per(13),
            |q, e| q
                .bind(&e.id)
                .bind(&e.journal)
                .bind(e.year)
                .bind(e.number)
                .bind(e.entry_date)
                .bind(&e.label)
                .bind(&e.piece_ref)
                .bind(&e.reverses_id)
                .bind(&e.source)
                .bind(e.posted_at)
                .bind(&e.posted_by)
                .bind(&e.hash)
                .bind(&e.previous_hash)
        );
        n += write_rows!(
            tx,
            "INSERT INTO ledger_lines (entry_id, position, account, debit_cents, credit_cents, label, third_party_id,
               analytic_code)",
            8,
            &self.ledger_lines,
            per(8),
            |q, l| q
                .bind(&l.entry_id)
                .bind(l.position)
                .bind(&l.account)
                .bind(l.debit_cents)
                .bind(l.credit_cents)
                .bind(&l.label)
                .bind(&l.third_party_id)
                .bind(&l.analytic_code)
        );
        n += write_rows!(
            tx,
            "INSERT INTO invoices (id, kind, status, client_id, mission_id, contract_id, period, series, number,
               issue_date, net_cents, vat_cents, gross_cents, credits_id, ledger_entry_id, created_at, issued_at,
               due_date, frozen, issue_error, waiting_since)",
            21,
            &self.invoices,
            per(21),
            |q, i| q
                .bind(&i.id)
                .bind(&i.kind)
                .bind(&i.status)
                .bind(&i.client_id)
                .bind(&i.mission_id)
                .bind(&i.contract_id)
                .bind(&i.period)
                .bind(&i.series)
                .bind(&i.number)
                .bind(i.issue_date)
                .bind(i.net_cents)
                .bind(i.vat_cents)
                .bind(i.gross_cents)
                .bind(&i.credits_id)
                .bind(&i.ledger_entry_id)
                .bind(i.created_at)
                .bind(i.issued_at)
                .bind(i.due_date)
                .bind(&i.frozen)
                .bind(&i.issue_error)
                .bind(i.waiting_since)
        );
        n += write_rows!(
            tx,
            "INSERT INTO invoice_lines (id, invoice_id, position, mission_id, analytic_code, description, half_days,
               unit_price_cents, vat_rate_bp, net_cents, consultant_id, service_from, service_to, credits_line_id)",
            14,
            &self.invoice_lines,
            per(14),
            |q, l| q
                .bind(&l.id)
                .bind(&l.invoice_id)
                .bind(l.position)
                .bind(&l.mission_id)
                .bind(&l.analytic_code)
                .bind(&l.description)
                .bind(l.half_days)
                .bind(l.unit_price_cents)
                .bind(l.vat_rate_bp)
                .bind(l.net_cents)
                .bind(&l.consultant_id)
                .bind(l.service_from)
                .bind(l.service_to)
                .bind(&l.credits_line_id)
        );
        n += write_rows!(
            tx,
            "INSERT INTO billed_days (consultant_id, day, half, cra_id, line_id, credit_line_id)",
            6,
            &self.billed,
            per(6),
            |q, b| q
                .bind(&b.consultant_id)
                .bind(b.day)
                .bind(&b.half)
                .bind(&b.cra_id)
                .bind(&b.line_id)
                .bind(&b.credit_line_id)
        );
        n += write_rows!(
            tx,
            "INSERT INTO accruals (id, invoice_id, period, net_cents, vat_cents, gross_cents, entry_id,
               reversal_entry_id, released_by_invoice_id, created_at, reversed_at)",
            11,
            &self.accruals,
            per(11),
            |q, a| q
                .bind(&a.id)
                .bind(&a.invoice_id)
                .bind(&a.period)
                .bind(a.net_cents)
                .bind(a.vat_cents)
                .bind(a.gross_cents)
                .bind(&a.entry_id)
                .bind(&a.reversal_entry_id)
                .bind(&a.released_by_invoice_id)
                .bind(a.created_at)
                .bind(a.reversed_at)
        );
        n += write_rows!(
            tx,
            "INSERT INTO audit_log (id, at, actor_user_id, actor_label, action, entity, entity_id, before_json,
               after_json, ip)",
            10,
            &self.audit,
            per(10),
            |q, a| q
                .bind(&a.id)
                .bind(a.at)
                .bind(&a.actor_user_id)
                .bind(&a.actor_label)
                .bind(&a.action)
                .bind(&a.entity)
                .bind(&a.entity_id)
                .bind(&a.before_json)
                .bind(&a.after_json)
                .bind(&a.ip)
        );
        Ok(n)
    }
}

/// A copy of a database as it was when taken, dropped by [`Snapshot::drop_db`].
pub struct Snapshot {
    pub db: Db,
    cleanup: SnapshotCleanup,
}

enum SnapshotCleanup {
    Sqlite(std::path::PathBuf),
    Postgres { admin_url: String, name: String },
}

/// Copies the database at `url` as it is now, for a measurement that must
/// start again from the same data. SQLite: `VACUUM INTO` a temporary file.
/// PostgreSQL: `CREATE DATABASE … TEMPLATE`, which needs no other session
/// on the original: `db` is closed for the copy and reopened (hence `&mut`).
pub async fn snapshot(db: &mut Db, url: &str, max_connections: u32) -> Result<Snapshot> {
    match db {
        Db::Sqlite(_) => {
            let path = std::env::temp_dir().join(format!(
                "regisseur-snapshot-{}.db",
                uuid::Uuid::new_v4().simple()
            ));
            crate::backup::sqlite_copy(db, &path).await?;
            let copy = Db::connect(
                &format!("sqlite://{}?mode=rwc", path.display()),
                max_connections,
            )
            .await?;
            Ok(Snapshot {
                db: copy,
                cleanup: SnapshotCleanup::Sqlite(path),
            })
        }
        Db::Postgres(pool) => {
            let source: String = sqlx::query_scalar("SELECT current_database()")
                .fetch_one(&*pool)
                .await?;
            let name = format!("regisseur_snapshot_{}", uuid::Uuid::new_v4().simple());
            let admin_url = crate::testing::replace_db_name(url, "postgres");
            db.close().await;
            let mut admin = <sqlx::PgConnection as sqlx::Connection>::connect(&admin_url).await?;
            let create = format!(
                "CREATE DATABASE {name} TEMPLATE \"{}\"",
                source.replace('"', "\"\"")
            );
            // Autovacuum may hold the source for a moment: try again.
            let mut tries = 0;
            loop {
                match sqlx::Executor::execute(&mut admin, sqlx::AssertSqlSafe(create.clone())).await
                {
                    Ok(_) => break,
                    Err(e) if tries < 20 => {
                        tries += 1;
                        tracing::debug!(error = %e, "snapshot: source busy, retrying");
                        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
                    }
                    Err(e) => return Err(e.into()),
                }
            }
            <sqlx::PgConnection as sqlx::Connection>::close(admin)
                .await
                .ok();
            *db = Db::connect(url, max_connections).await?;
            let copy = Db::connect(
                &crate::testing::replace_db_name(url, &name),
                max_connections,
            )
            .await?;
            Ok(Snapshot {
                db: copy,
                cleanup: SnapshotCleanup::Postgres { admin_url, name },
            })
        }
    }
}

impl Snapshot {
    pub async fn drop_db(self) -> Result<()> {
        self.db.close().await;
        match self.cleanup {
            SnapshotCleanup::Sqlite(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            SnapshotCleanup::Postgres { admin_url, name } => {
                let mut admin =
                    <sqlx::PgConnection as sqlx::Connection>::connect(&admin_url).await?;
                sqlx::Executor::execute(
                    &mut admin,
                    sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")),
                )
                .await?;
                <sqlx::PgConnection as sqlx::Connection>::close(admin)
                    .await
                    .ok();
            }
        }
        Ok(())
    }
}

/// What `ledger_year` wrote.
pub struct LedgerFixture {
    pub year: i32,
    pub entries: u64,
    pub lines: u64,
}

/// About `lines` posting lines through a fiscal year with no entries yet
/// (the year after the last one that has entries, or this year): each day,
/// sales invoices of 3 lines (411 for one of the clients, 706, 44574) and
/// their payments of 2 lines (512, 411), numbered per journal in date
/// order and sealed like postings (same chain), written with multi-row
/// statements rather than through `ledger::post`. Returns the year used.
#[allow(clippy::type_complexity)]
pub async fn ledger_year(db: &Db, lines: u64) -> Result<LedgerFixture> {
    use domain::seal::{GENESIS, SealEntry, SealLine};
    let mut tx = db.begin().await?;
    let last: Option<i32> = on_tx!(&mut tx, |c| sqlx::query_scalar(
        "SELECT MAX(year) FROM ledger_entries"
    )
    .fetch_one(c)
    .await)?;
    let year = last.map_or(now().year(), |y| y + 1);
    let clients: Vec<String> = on_tx!(&mut tx, |c| sqlx::query_scalar(
        "SELECT id FROM companies WHERE kind = 'client' ORDER BY name LIMIT 200"
    )
    .fetch_all(c)
    .await)?;
    let start = time::Date::from_calendar_date(year, time::Month::January, 1)
        .map_err(|e| crate::Error::Config(e.to_string()))?;
    let pairs = lines.div_ceil(5).max(1);
    let per_day = pairs.div_ceil(365);
    let posted_at = now();
    struct Pending {
        entries: Vec<(
            String,
            &'static str,
            i64,
            time::Date,
            String,
            String,
            String,
            String,
        )>,
        lines: Vec<(
            String,
            i32,
            &'static str,
            i64,
            i64,
            String,
            Option<String>,
            Option<String>,
        )>,
    }
    let mut p = Pending {
        entries: Vec::new(),
        lines: Vec::new(),
    };
    let (mut ve_prev, mut bq_prev) = (GENESIS.to_owned(), GENESIS.to_owned());
    let (mut ve_n, mut bq_n) = (0i64, 0i64);
    let mut written = LedgerFixture {
        year,
        entries: 0,
        lines: 0,
    };
    let mut k = 0u64;
    while written.lines < lines {
        let date = start + Duration::days(((k / per_day) % 365) as i64);
        let client = clients.get((k as usize) % clients.len().max(1)).cloned();
        let ht = 60_000 + (k % 40) as i64 * 15_000 + (k % 7) as i64;
        let tva = ht / 5;
        let ttc = ht + tva;
        let sale: [(&'static str, i64, i64, &str, Option<String>, Option<String>); 3] = [
            ("411", ttc, 0, "Client", client.clone(), None),
            (
                "706",
                0,
                ht,
                "Prestations",
                None,
                Some(format!("MIS-{:04}", k % 500)),
            ),
            ("44574", 0, tva, "TVA sur encaissements", None, None),
        ];
        let payment: [(&'static str, i64, i64, &str, Option<String>, Option<String>); 2] = [
            ("512", ttc, 0, "Banque", None, None),
            ("411", 0, ttc, "Client", client.clone(), None),
        ];
        for (journal, rows) in [("VE", &sale[..]), ("BQ", &payment[..])] {
            let (n, prev) = if journal == "VE" {
                ve_n += 1;
                (ve_n, &mut ve_prev)
            } else {
                bq_n += 1;
                (bq_n, &mut bq_prev)
            };
            let id = uuid::Uuid::new_v4().to_string();
            let label = if journal == "VE" {
                format!("Facture FA-{year}-{n:06}")
            } else {
                format!("Règlement FA-{year}-{n:06}")
            };
            let piece = format!("FA-{year}-{n:06}");
            let seal = SealEntry {
                journal: journal.to_owned(),
                year,
                number: n,
                date,
                label: label.clone(),
                piece_ref: Some(piece.clone()),
                lines: rows
                    .iter()
                    .map(|(a, d, c, l, t, an)| SealLine {
                        account: (*a).to_owned(),
                        third_party: t.clone(),
                        debit_cents: *d,
                        credit_cents: *c,
                        label: (*l).to_owned(),
                        analytic: an.clone(),
                    })
                    .collect(),
            };
            let hash = seal.hash(prev);
            p.entries.push((
                id.clone(),
                journal,
                n,
                date,
                label,
                piece,
                hash.clone(),
                prev.clone(),
            ));
            *prev = hash;
            for (i, (a, d, c, l, t, an)) in rows.iter().enumerate() {
                p.lines.push((
                    id.clone(),
                    i as i32 + 1,
                    a,
                    *d,
                    *c,
                    (*l).to_owned(),
                    t.clone(),
                    an.clone(),
                ));
            }
            written.entries += 1;
            written.lines += rows.len() as u64;
        }
        k += 1;
        if p.lines.len() >= 20_000 || written.lines >= lines {
            const E: &str = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
            for chunk in p.entries.chunks(crate::rows_per_statement(11)) {
                let sql = format!(
                    "INSERT INTO ledger_entries (id, journal, year, number, entry_date, label, piece_ref, posted_at,
                       hash, previous_hash, source) VALUES {}",
                    crate::values_list(E, chunk.len())
                );
                on_tx!(&mut tx, |c| {
                    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
                    for e in chunk {
                        q = q
                            .bind(&e.0)
                            .bind(e.1)
                            .bind(year)
                            .bind(e.2)
                            .bind(e.3)
                            .bind(&e.4)
                            .bind(&e.5)
                            .bind(posted_at)
                            .bind(&e.6)
                            .bind(&e.7)
                            .bind("bench");
                    }
                    q.execute(c).await.map(|r| r.rows_affected())
                })?;
            }
            const L: &str = "(?, ?, ?, ?, ?, ?, ?, ?)";
            for chunk in p.lines.chunks(crate::rows_per_statement(8)) {
                let sql = format!(
                    "INSERT INTO ledger_lines (entry_id, position, account, debit_cents, credit_cents, label,
                       third_party_id, analytic_code) VALUES {}",
                    crate::values_list(L, chunk.len())
                );
                on_tx!(&mut tx, |c| {
                    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
                    for l in chunk {
                        q = q
                            .bind(&l.0)
                            .bind(l.1)
                            .bind(l.2)
                            .bind(l.3)
                            .bind(l.4)
                            .bind(&l.5)
                            .bind(&l.6)
                            .bind(&l.7);
                    }
                    q.execute(c).await.map(|r| r.rows_affected())
                })?;
            }
            p.entries.clear();
            p.lines.clear();
        }
    }
    for (journal, n) in [("VE", ve_n), ("BQ", bq_n)] {
        on_tx!(&mut tx, |c| sqlx::query(
            "INSERT INTO ledger_sequences (journal, year, last_number) VALUES ($1, $2, $3)
             ON CONFLICT (journal, year) DO UPDATE SET last_number = excluded.last_number"
        )
        .bind(journal)
        .bind(year)
        .bind(n)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    }
    tx.commit().await?;
    Ok(written)
}

/// What `aged_receivables` wrote.
pub struct AgedFixture {
    pub clients: Vec<CompanyId>,
    pub invoices: usize,
    pub payments: usize,
    pub credit_notes: usize,
}

/// `years` of receivables for the aged balance: 50 new clients, 4,000
/// issued invoices a year (1 200 € to 30 000 €, due 30 or 45 days after
/// issue) spread over the `years` years before `today`; invoices due more
/// than 60 days ago are paid in full (most) or by half (one in eight) or
/// not at all (one in twenty), later ones one in two; one in fifty gets
/// a credit note of a fifth. Each payment has one allocation on its date;
/// `paid_cents` is kept. Payments and allocations point at one existing
/// ledger entry (the bench measures reads, not postings). Multi-row
/// statements, one transaction.
pub async fn aged_receivables(db: &Db, years: u32, today: time::Date) -> Result<AgedFixture> {
    let mut tx = db.begin().await?;
    let entry: Option<String> = on_tx!(&mut tx, |c| sqlx::query_scalar(
        "SELECT id FROM ledger_entries ORDER BY entry_date LIMIT 1"
    )
    .fetch_optional(c)
    .await)?;
    let entry = entry.ok_or_else(|| {
        crate::Error::Config("no ledger entry: run `regisseur demo --no-serve` first".into())
    })?;
    let created = now();
    let tag = &uuid::Uuid::new_v4().simple().to_string()[..8];
    let clients: Vec<CompanyId> = (0..50).map(|_| CompanyId::new()).collect();
    for (i, client) in clients.iter().enumerate() {
        on_tx!(&mut tx, |c| {
            sqlx::query(
            "INSERT INTO companies (id, name, kind, country, key_account, search_key, created_at, updated_at)
             VALUES ($1, $2, 'client', 'FR', FALSE, $3, $4, $4)"
        )
        .bind(client.to_string())
        .bind(format!("Client âgé {i:02} {tag}"))
        .bind(format!("client age {i:02} {tag}"))
        .bind(created)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
        })?;
    }
    let bank = format!("bench-{tag}");
    on_tx!(&mut tx, |c| sqlx::query(
        "INSERT INTO bank_accounts (id, label, iban, ledger_account, created_at)
         VALUES ($1, 'Banque bench', $2, '512', $3)"
    )
    .bind(&bank)
    .bind(format!("FR76BENCH{tag}"))
    .bind(created)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;

    let n = 4_000 * years as usize;
    let span = 365 * i64::from(years);
    let start = today - Duration::days(span);
    type Inv = (
        String,
        &'static str,
        String,
        String,
        String,
        time::Date,
        time::Date,
        i64,
        Option<String>,
        i64,
    );
    let mut invoices: Vec<Inv> = Vec::with_capacity(n + n / 50);
    // Written after the invoices they credit (foreign key).
    let mut credits: Vec<Inv> = Vec::with_capacity(n / 50);
    // (payment id, client, date, amount, invoice)
    let mut payments: Vec<(String, String, time::Date, i64, String)> = Vec::with_capacity(n);
    for i in 0..n {
        let issued = start + Duration::days(i as i64 * span / n as i64);
        let due = issued + Duration::days(if i % 3 == 0 { 45 } else { 30 });
        let client = clients[i % clients.len()].to_string();
        let gross = 120_000 + ((i * 7_919) % 2_880) as i64 * 1_000 + (i % 100) as i64;
        let id = uuid::Uuid::new_v4().to_string();
        let credited = if i % 50 == 7 { gross / 5 } else { 0 };
        let old = due < today - Duration::days(60);
        let paid = if old {
            if i % 20 == 3 {
                0
            } else if i % 8 == 5 {
                (gross - credited) / 2
            } else {
                gross - credited
            }
        } else if i % 2 == 0 {
            gross - credited
        } else {
            0
        };
        let paid_on = due + Duration::days((i % 40) as i64 - 5);
        let paid = if paid_on <= today { paid } else { 0 };
        if paid > 0 {
            payments.push((
                uuid::Uuid::new_v4().to_string(),
                client.clone(),
                paid_on,
                paid,
                id.clone(),
            ));
        }
        if credited > 0 {
            credits.push((
                uuid::Uuid::new_v4().to_string(),
                "credit_note",
                client.clone(),
                format!("BAV-{tag}-{i:06}"),
                id.clone(),
                (issued + Duration::days(10)).min(today),
                (issued + Duration::days(10)).min(today),
                credited,
                Some(id.clone()),
                0,
            ));
        }
        invoices.push((
            id,
            "invoice",
            client,
            format!("BA-{tag}-{i:06}"),
            String::new(),
            issued,
            due,
            gross,
            None,
            paid,
        ));
    }
    let credit_notes = credits.len();
    invoices.append(&mut credits);
    const I: &str = "(?, ?, 'issued', ?, ?, 'BA', ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    for chunk in invoices.chunks(crate::rows_per_statement(13)) {
        let sql = format!(
            "INSERT INTO invoices (id, kind, status, client_id, period, series, number, issue_date, due_date,
               net_cents, vat_cents, gross_cents, credits_id, created_at, paid_cents) VALUES {}",
            crate::values_list(I, chunk.len())
        );
        on_tx!(&mut tx, |c| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
            for v in chunk {
                q = q
                    .bind(&v.0)
                    .bind(v.1)
                    .bind(&v.2)
                    .bind(format!("{:04}-{:02}", v.5.year(), u8::from(v.5.month())))
                    .bind(&v.3)
                    .bind(v.5)
                    .bind(v.6)
                    .bind(v.7 * 5 / 6)
                    .bind(v.7 - v.7 * 5 / 6)
                    .bind(v.7)
                    .bind(&v.8)
                    .bind(created)
                    .bind(v.9);
            }
            q.execute(c).await.map(|r| r.rows_affected())
        })?;
    }
    const P: &str = "(?, ?, ?, ?, ?, 'transfer', 0, ?, ?)";
    for chunk in payments.chunks(crate::rows_per_statement(7)) {
        let sql = format!(
            "INSERT INTO payments (id, client_id, bank_account_id, received_on, amount_cents, method,
               unallocated_cents, ledger_entry_id, created_at) VALUES {}",
            crate::values_list(P, chunk.len())
        );
        on_tx!(&mut tx, |c| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
            for p in chunk {
                q = q
                    .bind(&p.0)
                    .bind(&p.1)
                    .bind(&bank)
                    .bind(p.2)
                    .bind(p.3)
                    .bind(&entry)
                    .bind(created);
            }
            q.execute(c).await.map(|r| r.rows_affected())
        })?;
    }
    const A: &str = "(?, ?, ?, ?, ?, ?, 2, ?)";
    for chunk in payments.chunks(crate::rows_per_statement(7)) {
        let sql = format!(
            "INSERT INTO payment_allocations (id, payment_id, invoice_id, amount_cents, allocated_on,
               ledger_entry_id, ledger_position, created_at) VALUES {}",
            crate::values_list(A, chunk.len())
        );
        on_tx!(&mut tx, |c| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
            for p in chunk {
                q = q
                    .bind(uuid::Uuid::new_v4().to_string())
                    .bind(&p.0)
                    .bind(&p.4)
                    .bind(p.3)
                    .bind(p.2)
                    .bind(&entry)
                    .bind(created);
            }
            q.execute(c).await.map(|r| r.rows_affected())
        })?;
    }
    tx.commit().await?;
    Ok(AgedFixture {
        clients,
        invoices: n,
        payments: payments.len(),
        credit_notes,
    })
}
