//! What the invoice pages show: the list, one document with its lines, the
//! days each line bills, its credit notes and entries, and what waits for
//! a contract's signature.

use domain::calendar::YearMonth;
use domain::cra::Half;
use domain::einvoice::LifecycleStatus;
use domain::ids::{CompanyId, CraId, InvoiceId, LedgerEntryId, UserId};
use domain::invoice::editing::DraftEdit;
use domain::invoice::payment::{self, PaymentFigures, PaymentState};
use domain::invoice::{InvoiceKind, InvoiceStatus};
use domain::money::Money;
use domain::paging::{Cursor, KeysetPage, KeysetRequest, Seek};
use serde::Serialize;
use time::{Date, OffsetDateTime};

use super::frozen::Frozen;
use crate::{Result, Scope, Tx, corrupt, on_tx};

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
struct Row {
    #[sqlx(try_from = "String")]
    id: InvoiceId,
    kind: String,
    status: String,
    client_id: String,
    client_name: String,
    title: Option<String>,
    period: String,
    number: Option<String>,
    issue_date: Option<Date>,
    due_date: Option<Date>,
    net_cents: i64,
    vat_cents: i64,
    gross_cents: i64,
    #[sqlx(try_from = "crate::MaybeId")]
    credits_id: Option<InvoiceId>,
    created_at: OffsetDateTime,
    waiting_since: Option<OffsetDateTime>,
    issue_error: Option<String>,
    accrued_cents: Option<i64>,
    lifecycle_status: Option<i32>,
    received_cents: i64,
    settled_cents: i64,
}

/// One invoice or credit note in a list.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub id: InvoiceId,
    pub kind: InvoiceKind,
    pub status: InvoiceStatus,
    pub client_id: CompanyId,
    pub client_name: String,
    /// The mission's title, or the contract's reference.
    pub title: String,
    pub period: String,
    pub number: Option<String>,
    pub issue_date: Option<Date>,
    pub due_date: Option<Date>,
    pub net: Money,
    pub vat: Money,
    pub gross: Money,
    pub credits_id: Option<InvoiceId>,
    pub created_at: OffsetDateTime,
    pub waiting_since: Option<OffsetDateTime>,
    pub issue_error: Option<String>,
    /// The live accrual booked for it (TTC), while it waits.
    pub accrued: Option<Money>,
    /// The e-invoicing lifecycle status (none until deposited).
    pub lifecycle: Option<LifecycleStatus>,
    /// The receipts (212) recorded.
    pub received: Money,
    /// What its allocated payments and issued credit notes settle (kept by
    /// the database, see `receivables`).
    pub settled: Money,
}

impl Summary {
    /// What its payment state is decided from.
    pub fn payment_figures(&self) -> PaymentFigures {
        PaymentFigures {
            kind: self.kind,
            status: self.status,
            gross: self.gross,
            settled: self.settled,
            due_date: self.due_date,
        }
    }

    /// Its state on `today` (`domain::invoice::payment`).
    pub fn payment_state(&self, today: Date) -> PaymentState {
        payment::payment_state(&self.payment_figures(), today)
    }

    /// What is still owed on it, when it is an issued invoice.
    pub fn amount_due(&self) -> Option<Money> {
        payment::amount_due(&self.payment_figures())
    }
}

impl TryFrom<Row> for Summary {
    type Error = crate::Error;
    fn try_from(r: Row) -> Result<Summary> {
        Ok(Summary {
            kind: InvoiceKind::parse(&r.kind).ok_or_else(|| corrupt("invoice kind", &r.kind))?,
            status: InvoiceStatus::parse(&r.status)
                .ok_or_else(|| corrupt("invoice status", &r.status))?,
            client_id: CompanyId::parse(&r.client_id)
                .ok_or_else(|| corrupt("company id", &r.client_id))?,
            id: r.id,
            client_name: r.client_name,
            title: r.title.unwrap_or_default(),
            period: r.period,
            number: r.number,
            issue_date: r.issue_date,
            due_date: r.due_date,
            net: Money::from_cents(r.net_cents),
            vat: Money::from_cents(r.vat_cents),
            gross: Money::from_cents(r.gross_cents),
            credits_id: r.credits_id,
            created_at: r.created_at,
            waiting_since: r.waiting_since,
            issue_error: r.issue_error,
            accrued: r.accrued_cents.map(Money::from_cents),
            lifecycle: r
                .lifecycle_status
                .map(|c| {
                    LifecycleStatus::from_code(c.into())
                        .ok_or_else(|| corrupt("lifecycle status", &c.to_string()))
                })
                .transpose()?,
            received: Money::from_cents(r.received_cents),
            settled: Money::from_cents(r.settled_cents),
        })
    }
}

macro_rules! select_invoices {
    ($where:literal) => {
        concat!(
            "SELECT i.id, i.kind, i.status, i.client_id, co.name AS client_name,
               COALESCE(m.title, k.reference) AS title, i.period, i.number, i.issue_date, i.due_date, i.net_cents,
               i.vat_cents, i.gross_cents, i.credits_id, i.created_at, i.waiting_since, i.issue_error,
               (SELECT a.gross_cents FROM accruals a WHERE a.invoice_id = i.id AND a.reversal_entry_id IS NULL)
                 AS accrued_cents, CAST(i.lifecycle_status AS INTEGER) AS lifecycle_status, i.received_cents,
               i.settled_cents
             FROM invoices i JOIN companies co ON co.id = i.client_id
               LEFT JOIN missions m ON m.id = i.mission_id
               LEFT JOIN client_contracts k ON k.id = i.contract_id
             WHERE ",
            $where
        )
    };
}

/// Filters of the invoice list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub status: Option<InvoiceStatus>,
    pub period: Option<YearMonth>,
    pub client: Option<CompanyId>,
    /// Clients whose name holds these words (accents and case ignored): a
    /// name typed in the filter rather than picked.
    pub client_name: Option<String>,
    pub lifecycle: Option<LifecycleStatus>,
    /// The payment state, on `today`.
    pub state: Option<PaymentState>,
    /// The day late invoices are judged on (the state filter's).
    pub today: Option<Date>,
    /// Only the documents of the missions this business manager manages
    /// (as the home page's figures count them).
    pub manager: Option<UserId>,
}

impl Filter {
    /// The filter narrowed to what `scope` may see: a business manager's
    /// documents are those of his portfolio, chosen by the scope's own
    /// clause (`manager` is bound where the scope binds `$3`).
    pub fn scoped(mut self, scope: Scope) -> Filter {
        if let Scope::Portfolio(bm) = scope {
            self.manager = Some(bm);
        }
        self
    }
}

/// The filter's conditions on `i` (invoices), parameters `$1` to `$8`.
const FILTER_WHERE: &str = concat!("(CAST($1 AS TEXT) IS NULL OR i.status = $1) AND (CAST($2 AS TEXT) IS NULL OR i.period = $2)
    AND (CAST($3 AS TEXT) IS NULL OR i.client_id = $3) AND (CAST($4 AS INTEGER) IS NULL OR i.lifecycle_status = $4)
    AND (CAST($5 AS TEXT) IS NULL OR i.client_id IN (SELECT n.id FROM companies n WHERE n.search_key LIKE $5 ESCAPE '\\'))
    AND (CAST($6 AS TEXT) IS NULL OR CASE
      WHEN i.status <> 'issued' THEN i.status
      WHEN i.kind = 'credit_note' THEN 'issued'
      WHEN i.settled_cents >= i.gross_cents THEN 'paid'
      WHEN i.due_date < $7 THEN 'overdue'
      WHEN i.settled_cents > 0 THEN 'partly_paid'
      ELSE 'issued' END = $6) AND ",
    crate::invoicing::figures::managed_by!("$8")
);

/// Parameters the filter takes (`$1` to `$8`).
const FILTER_PARAMS: usize = 8;

/// The list's order, newest period first, then by number (drafts, which
/// have none, last in their month): a stable key with the id, so a page
/// starts where the previous one stopped (`invoices_list` indexes it).
const ORDER_KEY: [&str; 3] = ["i.period", "COALESCE(i.number, '')", "i.id"];

macro_rules! bind_filter {
    ($q:expr, $f:expr) => {
        $q.bind($f.status.map(InvoiceStatus::as_str))
            .bind($f.period.map(|p| p.to_string()))
            .bind($f.client.map(|c| c.to_string()))
            .bind($f.lifecycle.map(|s| s.code() as i32))
            .bind(crate::search::like_pattern($f.client_name.as_deref()))
            .bind($f.state.map(PaymentState::as_str))
            .bind($f.today.unwrap_or_else(crate::today))
            .bind($f.manager.map(|m| m.to_string()))
    };
}

/// Reads up to `limit` documents from where `seek` says, in the list's
/// order (backwards for a previous page).
async fn fetch(tx: &mut Tx, f: &Filter, seek: &Seek, limit: i64) -> Result<Vec<Summary>> {
    let (cmp, dir) = match seek {
        Seek::First => ("", "DESC"),
        Seek::After(_) => ("<", "DESC"),
        Seek::Before(_) => (">", "ASC"),
    };
    let p = FILTER_PARAMS;
    let cmp = if cmp.is_empty() {
        String::new()
    } else {
        format!(
            " AND (i.period, COALESCE(i.number, ''), i.id) {cmp} (${}, ${}, ${})",
            p + 1,
            p + 2,
            p + 3
        )
    };
    let order = ORDER_KEY
        .iter()
        .map(|k| format!("{k} {dir}"))
        .collect::<Vec<_>>()
        .join(", ");
    let cursor = match seek {
        Seek::First => None,
        Seek::After(c) | Seek::Before(c) => Some(c.parts().to_vec()),
    };
    let limit_at = if cursor.is_some() {
        format!("${}", p + 4)
    } else {
        format!("${}", p + 1)
    };
    let sql = format!(
        "{} {FILTER_WHERE}{cmp} ORDER BY {order} LIMIT {limit_at}",
        select_invoices!("")
    );
    let rows: Vec<Row> = on_tx!(tx, |c| {
        let mut q = bind_filter!(sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())), f);
        if let Some(parts) = &cursor {
            q = q
                .bind(parts[0].clone())
                .bind(parts[1].clone())
                .bind(parts[2].clone());
        }
        q.bind(limit).fetch_all(c).await
    })?;
    rows.into_iter().map(Summary::try_from).collect()
}

/// Invoices and credit notes in the list's order (newest period first), at
/// most `limit`.
pub async fn list(tx: &mut Tx, f: &Filter, limit: i64) -> Result<Vec<Summary>> {
    fetch(tx, f, &Seek::First, limit).await
}

/// A summary's place in the list (see `ORDER_KEY`).
pub fn cursor(s: &Summary) -> Cursor {
    Cursor::new([
        s.period.clone(),
        s.number.clone().unwrap_or_default(),
        s.id.to_string(),
    ])
}

/// Parts in a cursor: period, number, id.
pub const CURSOR_PARTS: usize = 3;

/// One page of the list.
pub async fn page(tx: &mut Tx, f: &Filter, req: &KeysetRequest) -> Result<KeysetPage<Summary>> {
    let rows = fetch(tx, f, &req.seek, req.fetch()).await?;
    let page = KeysetPage::assemble(req, rows, cursor);
    if page.came_short(req) {
        let first = KeysetRequest::first(req.per_page);
        let rows = fetch(tx, f, &first.seek, first.fetch()).await?;
        return Ok(KeysetPage::assemble(&first, rows, cursor));
    }
    Ok(page)
}

/// What the filters match in all: how many documents, what the issued
/// ones invoiced (credit notes deducted) and what is still owed on them,
/// and apart what is not issued yet (drafts and invoices held for a
/// signature), never added to what was invoiced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub count: u64,
    /// Issued invoices less issued credit notes, before VAT.
    pub net: Money,
    /// The same, VAT included.
    pub gross: Money,
    /// What the issued invoices still owe (TTC).
    pub due: Money,
    /// Drafts and invoices held for a signature (TTC).
    pub not_issued: Money,
}

pub async fn totals(tx: &mut Tx, f: &Filter) -> Result<Totals> {
    let sql = format!(
        "SELECT COUNT(*),
           CAST(COALESCE(SUM(CASE WHEN i.status <> 'issued' THEN 0
             WHEN i.kind = 'credit_note' THEN -i.net_cents ELSE i.net_cents END), 0) AS BIGINT),
           CAST(COALESCE(SUM(CASE WHEN i.status <> 'issued' THEN 0
             WHEN i.kind = 'credit_note' THEN -i.gross_cents ELSE i.gross_cents END), 0) AS BIGINT),
           CAST(COALESCE(SUM(CASE WHEN i.status = 'issued' AND i.kind = 'invoice' AND i.gross_cents > i.settled_cents
             THEN i.gross_cents - i.settled_cents ELSE 0 END), 0) AS BIGINT),
           CAST(COALESCE(SUM(CASE WHEN i.status <> 'issued' THEN i.gross_cents ELSE 0 END), 0) AS BIGINT)
         FROM invoices i WHERE {FILTER_WHERE}"
    );
    let (count, net, gross, due, not_issued): (i64, i64, i64, i64, i64) =
        on_tx!(tx, |c| bind_filter!(
            sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())),
            f
        )
        .fetch_one(c)
        .await)?;
    Ok(Totals {
        count: count.max(0) as u64,
        net: Money::from_cents(net),
        gross: Money::from_cents(gross),
        due: Money::from_cents(due),
        not_issued: Money::from_cents(not_issued),
    })
}

/// What waits for a client contract's signature, oldest first.
pub async fn waiting(tx: &mut Tx) -> Result<Vec<Summary>> {
    let rows: Vec<Row> = on_tx!(tx, |c| sqlx::query_as(select_invoices!(
        "i.status = 'waiting_signature' ORDER BY i.waiting_since, i.period, co.name, i.id"
    ))
    .fetch_all(c)
    .await)?;
    rows.into_iter().map(Summary::try_from).collect()
}

/// What waits for a signature among what the scope may see (a business
/// manager: his missions'), oldest first.
pub async fn waiting_in_scope(tx: &mut Tx, scope: Scope) -> Result<Vec<Summary>> {
    let rows: Vec<Row> = on_tx!(tx, |c| sqlx::query_as(concat!(
        select_invoices!("i.status = 'waiting_signature' AND "),
        crate::scope_clause!(invoices),
        " ORDER BY i.waiting_since, i.period, co.name, i.id"
    ))
    .bind(scope.company())
    .bind(scope.own_user())
    .bind(scope.portfolio())
    .fetch_all(c)
    .await)?;
    rows.into_iter().map(Summary::try_from).collect()
}

/// One line with the days it bills (or gives back).
#[derive(Debug, Clone, Serialize)]
pub struct LineView {
    pub id: String,
    pub position: i32,
    pub description: String,
    pub half_days: i32,
    pub unit_price: Money,
    pub vat_rate_bp: i32,
    pub net: Money,
    pub analytic_code: Option<String>,
    pub consultant_id: Option<String>,
    pub service_from: Option<Date>,
    pub service_to: Option<Date>,
    /// The half days, with whether a credit note gave them back.
    pub days: Vec<(Date, Half, bool)>,
}

/// An entry posted for the document (its sales entry, accruals and their
/// reversals).
#[derive(Debug, Clone, Serialize)]
pub struct EntryLink {
    pub id: LedgerEntryId,
    pub number: String,
    pub date: Date,
    pub label: String,
    pub reverses_id: Option<LedgerEntryId>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Detail {
    pub summary: Summary,
    pub lines: Vec<LineView>,
    pub frozen: Option<Frozen>,
    /// What finance changed on the draft (`domain::invoice::editing`).
    pub edit: Option<DraftEdit>,
    pub credit_notes: Vec<Summary>,
    /// The invoice a credit note credits.
    pub credited: Option<Summary>,
    pub entries: Vec<EntryLink>,
    /// Waiting, and the lock still holds (a mission locked, its contract
    /// unsigned): releasing it would be refused.
    pub locked: bool,
}

pub async fn get(tx: &mut Tx, id: InvoiceId) -> Result<Detail> {
    let row: Option<Row> = on_tx!(tx, |c| sqlx::query_as(select_invoices!("i.id = $1"))
        .bind(id.to_string())
        .fetch_optional(c)
        .await)?;
    let summary = Summary::try_from(row.ok_or(crate::Error::NotFound)?)?;
    let lines = line_views(tx, id).await?;
    let (frozen, edit): (Option<String>, Option<String>) = on_tx!(tx, |c| sqlx::query_as(
        "SELECT frozen, draft_edits FROM invoices WHERE id = $1"
    )
    .bind(id.to_string())
    .fetch_one(c)
    .await)?;
    let frozen = frozen
        .map(|f| crate::invoicing::issue::Frozen::read(Some(&f)))
        .transpose()?;
    let edit = super::frozen::read_edit(edit.as_deref())?;
    let credit_rows: Vec<Row> = on_tx!(tx, |c| sqlx::query_as(select_invoices!(
        "i.credits_id = $1 ORDER BY i.number"
    ))
    .bind(id.to_string())
    .fetch_all(c)
    .await)?;
    let credit_notes = credit_rows
        .into_iter()
        .map(Summary::try_from)
        .collect::<Result<Vec<_>>>()?;
    let credited = match &summary.credits_id {
        Some(original) => {
            let r: Option<Row> = on_tx!(tx, |c| sqlx::query_as(select_invoices!("i.id = $1"))
                .bind(original.to_string())
                .fetch_optional(c)
                .await)?;
            r.map(Summary::try_from).transpose()?
        }
        None => None,
    };
    let entries = entry_links(tx, id).await?;
    let locked = summary.status == InvoiceStatus::WaitingSignature
        && super::accrual::still_locked(tx, id).await?;
    Ok(Detail {
        locked,
        summary,
        lines,
        frozen,
        edit,
        credit_notes,
        credited,
        entries,
    })
}

/// A stored line, as both line readers select it ([`LINE_COLUMNS`]).
#[derive(sqlx::FromRow)]
struct LineRow {
    invoice_id: String,
    id: String,
    position: i32,
    description: String,
    half_days: i32,
    unit_price_cents: i64,
    vat_rate_bp: i32,
    net_cents: i64,
    analytic_code: Option<String>,
    consultant_id: Option<String>,
    service_from: Option<Date>,
    service_to: Option<Date>,
}

const LINE_COLUMNS: &str = "invoice_id, id, CAST(position AS INTEGER) AS position, description,
   CAST(half_days AS INTEGER) AS half_days, unit_price_cents, CAST(vat_rate_bp AS INTEGER) AS vat_rate_bp,
   net_cents, analytic_code, consultant_id, service_from, service_to";

impl LineRow {
    fn view(self, days: Vec<(Date, Half, bool)>) -> LineView {
        LineView {
            id: self.id,
            position: self.position,
            description: self.description,
            half_days: self.half_days,
            unit_price: Money::from_cents(self.unit_price_cents),
            vat_rate_bp: self.vat_rate_bp,
            net: Money::from_cents(self.net_cents),
            analytic_code: self.analytic_code,
            consultant_id: self.consultant_id,
            service_from: self.service_from,
            service_to: self.service_to,
            days,
        }
    }
}

/// An invoice's lines, each with the days it bills or gave back.
async fn line_views(tx: &mut Tx, id: InvoiceId) -> Result<Vec<LineView>> {
    let sql =
        format!("SELECT {LINE_COLUMNS} FROM invoice_lines WHERE invoice_id = $1 ORDER BY position");
    let rows: Vec<LineRow> = on_tx!(tx, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(id.to_string())
            .fetch_all(c)
            .await
    })?;
    // An invoice's line lists the days it bills, each with whether it was
    // credited since; a credit note's line the days it gave back.
    let masks: Vec<super::billed::Stored> = on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT l.id AS line_id, b.consultant_id, b.month, b.mask, b.credited FROM invoice_lines l
           JOIN billed_masks b ON b.line_id = l.id WHERE l.invoice_id = $1
         UNION ALL
         SELECT l.id, k.consultant_id, k.month, k.mask, k.mask FROM invoice_lines l
           JOIN billed_credits k ON k.credit_line_id = l.id WHERE l.invoice_id = $1"
    )
    .bind(id.to_string())
    .fetch_all(c)
    .await
    })?;
    let mut lines = Vec::new();
    for r in rows {
        let mut mine = Vec::new();
        for m in masks.iter().filter(|m| m.line_id == r.id) {
            mine.extend(m.days()?);
        }
        mine.sort_by_key(|(d, h, _)| (*d, *h));
        lines.push(r.view(mine));
    }
    Ok(lines)
}

/// The entries an invoice posted: its sales entry, its accruals and
/// their reversals.
async fn entry_links(tx: &mut Tx, id: InvoiceId) -> Result<Vec<EntryLink>> {
    type EntryRow = (String, String, i32, i64, Date, String, Option<String>);
    let entries: Vec<EntryRow> = on_tx!(tx, |c| {
        sqlx::query_as(
        // A UNION of two indexed lookups: with `source = … OR id IN (…)`
        // PostgreSQL scanned the whole ledger for every invoice shown.
        "SELECT e.id, e.journal, CAST(e.year AS INTEGER), e.number, e.entry_date, e.label, e.reverses_id
         FROM ledger_entries e
         WHERE e.id IN (SELECT s.id FROM ledger_entries s WHERE s.source IN ($1, $2)
                        UNION SELECT a.reversal_entry_id FROM accruals a WHERE a.invoice_id = $3)
         ORDER BY e.entry_date, e.posted_at"
    )
    .bind(format!("invoice:{id}"))
    .bind(format!("accrual:{id}"))
    .bind(id.to_string())
    .fetch_all(c)
    .await
    })?;
    entries
        .into_iter()
        .map(|(eid, journal, year, number, date, label, reverses_id)| {
            let j = domain::ledger::Journal::parse(&journal)
                .ok_or_else(|| corrupt("journal", &journal))?;
            Ok(EntryLink {
                id: crate::id(&eid)?,
                number: domain::ledger::entry_number(j, year, number),
                date,
                label,
                reverses_id: reverses_id.as_deref().map(crate::id).transpose()?,
            })
        })
        .collect()
}

/// Totals of a period's invoices by status (for the close page).
pub async fn period_totals(tx: &mut Tx, period: YearMonth) -> Result<Vec<(String, i64, Money)>> {
    let rows: Vec<(String, i64, i64)> = on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT status, CAST(COUNT(*) AS BIGINT), CAST(COALESCE(SUM(net_cents), 0) AS BIGINT) FROM invoices
         WHERE period = $1 AND kind = 'invoice' GROUP BY status ORDER BY status"
    )
    .bind(period.to_string())
    .fetch_all(c)
    .await
    })?;
    Ok(rows
        .into_iter()
        .map(|(s, n, cents)| (s, n, Money::from_cents(cents)))
        .collect())
}

/// The documents `ids` with their lines (without the days each bills),
/// keyed by id, in two statements: what issuing checks a batch's Factur-X
/// with before it writes.
pub(crate) async fn details_for_check(
    tx: &mut Tx,
    ids: &[InvoiceId],
) -> Result<std::collections::HashMap<InvoiceId, Detail>> {
    let mut out = std::collections::HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(crate::MAX_BINDS) {
        let list = crate::values_list("?", chunk.len());
        let sql = format!(select_invoices!("i.id IN ({})"), list);
        let rows: Vec<Row> = on_tx!(tx, |c| {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()));
            for id in chunk {
                q = q.bind(id.to_string());
            }
            q.fetch_all(c).await
        })?;
        let sql = format!(
            "SELECT {LINE_COLUMNS} FROM invoice_lines WHERE invoice_id IN ({list}) ORDER BY invoice_id, position"
        );
        let lines: Vec<LineRow> = on_tx!(tx, |c| {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()));
            for id in chunk {
                q = q.bind(id.to_string());
            }
            q.fetch_all(c).await
        })?;
        let mut by_invoice: std::collections::HashMap<String, Vec<LineView>> =
            std::collections::HashMap::new();
        for l in lines {
            by_invoice
                .entry(l.invoice_id.clone())
                .or_default()
                .push(l.view(Vec::new()));
        }
        for r in rows {
            let summary = Summary::try_from(r)?;
            let lines = by_invoice
                .remove(&summary.id.to_string())
                .unwrap_or_default();
            out.insert(
                summary.id,
                Detail {
                    summary,
                    lines,
                    frozen: None,
                    edit: None,
                    credit_notes: Vec::new(),
                    credited: None,
                    entries: Vec::new(),
                    locked: false,
                },
            );
        }
    }
    Ok(out)
}

/// An invoice that bills days of a report.
#[derive(Debug, Clone, Serialize)]
pub struct BillingInvoice {
    pub id: InvoiceId,
    pub number: Option<String>,
    pub status: InvoiceStatus,
}

/// The invoices billing days of the report `cra` (of any of its versions:
/// days billed before a correction stay on their invoice), by number,
/// drafts last.
pub async fn invoices_of_cra(tx: &mut Tx, cra: CraId) -> Result<Vec<BillingInvoice>> {
    let rows: Vec<(String, Option<String>, String)> = on_tx!(tx, |c| sqlx::query_as(
        "SELECT DISTINCT i.id, i.number, i.status FROM cras me
           JOIN cras r ON r.consultant_id = me.consultant_id AND r.month = me.month
           JOIN billed_masks b ON b.cra_id = r.id
           JOIN invoice_lines l ON l.id = b.line_id
           JOIN invoices i ON i.id = l.invoice_id
         WHERE me.id = $1 ORDER BY i.number, i.id"
    )
    .bind(cra.to_string())
    .fetch_all(c)
    .await)?;
    let mut out = rows
        .into_iter()
        .map(|(id, number, status)| {
            Ok(BillingInvoice {
                id: crate::id(&id)?,
                number,
                status: InvoiceStatus::parse(&status)
                    .ok_or_else(|| corrupt("invoice status", &status))?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    out.sort_by_key(|i| i.number.is_none());
    Ok(out)
}

/// A report whose days a document bills (or gives back).
#[derive(Debug, Clone, Serialize)]
pub struct BilledReport {
    pub id: CraId,
    pub month: String,
    pub consultant: String,
}

/// The reports whose days the document `id` bills, or gives back for a
/// credit note, by month and consultant.
pub async fn cras_of_invoice(tx: &mut Tx, id: InvoiceId) -> Result<Vec<BilledReport>> {
    let rows: Vec<(String, String, String)> = on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT DISTINCT r.id, r.month, u.display_name FROM billed_masks b
           JOIN cras r ON r.id = b.cra_id JOIN users u ON u.id = r.consultant_id
         WHERE b.line_id IN (SELECT l.id FROM invoice_lines l WHERE l.invoice_id = $1)
            OR EXISTS (SELECT 1 FROM billed_credits k JOIN invoice_lines l ON l.id = k.credit_line_id
                       WHERE k.line_id = b.line_id AND k.consultant_id = b.consultant_id AND k.month = b.month
                         AND l.invoice_id = $1)
         ORDER BY r.month, u.display_name, r.id"
    )
    .bind(id.to_string())
    .fetch_all(c)
    .await
    })?;
    rows.into_iter()
        .map(|(id, month, consultant)| {
            Ok(BilledReport {
                id: CraId::parse(&id).ok_or_else(|| corrupt("cra id", &id))?,
                month,
                consultant,
            })
        })
        .collect()
}

/// The issued invoices and credit notes the scope may see, newest first,
/// at most `limit`: a client contact's company's, in his portal. Drafts
/// and what waits for a signature are the firm's business, never shown.
pub async fn issued_in_scope(tx: &mut Tx, scope: Scope, limit: i64) -> Result<Vec<Summary>> {
    // A client contact's through the client's index: under the scope's
    // `(client IS NULL OR i.client_id = client)` SQLite uses none, and
    // walks every client's issued documents for the few of his.
    let sql = match scope {
        Scope::Company(_) => concat!(
            select_invoices!(
                "i.status = 'issued' AND i.client_id = $1 AND CAST($2 AS TEXT) IS NULL AND CAST($3 AS TEXT) IS NULL"
            ),
            " ORDER BY i.issue_date DESC, i.number DESC LIMIT $4"
        ),
        _ => concat!(
            select_invoices!("i.status = 'issued' AND "),
            crate::scope_clause!(invoices),
            " ORDER BY i.issue_date DESC, i.number DESC LIMIT $4"
        ),
    };
    let rows: Vec<Row> = on_tx!(tx, |c| sqlx::query_as(sql)
        .bind(scope.company())
        .bind(scope.own_user())
        .bind(scope.portfolio())
        .bind(limit)
        .fetch_all(c)
        .await)?;
    rows.into_iter().map(Summary::try_from).collect()
}

/// One issued document if the scope may see it; not found otherwise (a
/// draft, another company's document, an id guessed).
pub async fn issued_one(tx: &mut Tx, scope: Scope, id: InvoiceId) -> Result<Summary> {
    let row: Option<Row> = on_tx!(tx, |c| sqlx::query_as(concat!(
        select_invoices!("i.status = 'issued' AND i.id = $4 AND "),
        crate::scope_clause!(invoices)
    ))
    .bind(scope.company())
    .bind(scope.own_user())
    .bind(scope.portfolio())
    .bind(id.to_string())
    .fetch_optional(c)
    .await)?;
    row.map(Summary::try_from)
        .transpose()?
        .ok_or(crate::Error::NotFound)
}

/// Whether the scope may see this document, whatever its state: not found
/// otherwise. The staff pages of one invoice ask it first, so a business
/// manager opening another one's invoice gets the same 404 as for an id
/// guessed.
pub async fn visible(tx: &mut Tx, scope: Scope, id: InvoiceId) -> Result<()> {
    let found: Option<String> = on_tx!(tx, |c| sqlx::query_scalar(concat!(
        "SELECT i.id FROM invoices i WHERE i.id = $4 AND ",
        crate::scope_clause!(invoices)
    ))
    .bind(scope.company())
    .bind(scope.own_user())
    .bind(scope.portfolio())
    .bind(id.to_string())
    .fetch_optional(c)
    .await)?;
    found.map(|_| ()).ok_or(crate::Error::NotFound)
}
