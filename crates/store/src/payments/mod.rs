//! Payments received: recorded by hand or from a bank statement line,
//! allocated to a client's invoices, posted to the bank journal in the same
//! transaction (`domain::payment` builds the entry), with the VAT of the
//! part collected made due, the invoices' paid amounts, their e-invoicing
//! status 212 "Encaissée" and the lettering of their 411 lines.

use domain::einvoice::{LifecycleStatus, Source, split_receipt};
use domain::ids::{BankAccountId, CompanyId, InvoiceId, LedgerEntryId, PaymentId};
use domain::invoice::{InvoiceKind, InvoiceStatus};
use domain::money::Money;
use domain::paging::{Cursor, KeysetPage, KeysetRequest, PageRequest, Paged, Seek};
use domain::payment::{PaymentMethod, PaymentPlan, Settled, credit_use_entry};
use domain::terms::VatRegime;
use domain::validation::{ErrorKey, ValidationErrors};
use serde::Serialize;
use time::{Date, OffsetDateTime};

use crate::einvoicing::{NewStatus, ereporting, lifecycle};
use crate::invoicing::issue::Frozen;
use crate::{Actor, Error, Result, Tx, audit, corrupt, ledger, now, on_tx};

mod reverse;
pub use reverse::reverse;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAllocation {
    pub invoice_id: InvoiceId,
    pub amount: Money,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPayment {
    pub client_id: CompanyId,
    pub bank_account_id: BankAccountId,
    pub received_on: Date,
    pub amount: Money,
    pub method: PaymentMethod,
    pub reference: Option<String>,
    pub allocations: Vec<NewAllocation>,
    /// The user confirmed that what exceeds the client's open invoices is
    /// kept as credit (otherwise such a payment is refused).
    pub keep_excess: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Recorded {
    pub id: PaymentId,
    pub entry_id: LedgerEntryId,
    pub unallocated: Money,
}

/// An issued invoice not fully paid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OpenItem {
    pub invoice_id: InvoiceId,
    pub number: String,
    pub client_id: CompanyId,
    pub client_name: String,
    pub issue_date: Date,
    pub due_date: Date,
    pub gross: Money,
    pub outstanding: Money,
}

/// What credit notes took off an invoice: the gross of the issued ones
/// that credit it.
pub(crate) const CREDITED: &str = "CAST(COALESCE((SELECT SUM(n.gross_cents) FROM invoices n
     WHERE n.credits_id = i.id AND n.kind = 'credit_note' AND n.status = 'issued'), 0) AS BIGINT)";

type OpenRow = (String, String, String, String, Date, Option<Date>, i64, i64);

/// The issued invoices still owed (all clients, or one), by due date.
pub async fn open_items(tx: &mut Tx, client: Option<CompanyId>) -> Result<Vec<OpenItem>> {
    let select = format!(
        "SELECT i.id, i.number, i.client_id, c.name, i.issue_date, i.due_date, i.gross_cents,
                CAST(i.gross_cents - i.paid_cents - {CREDITED} AS BIGINT)
         FROM invoices i JOIN companies c ON c.id = i.client_id
         WHERE i.kind = 'invoice' AND i.status = 'issued'"
    );
    let rows: Vec<OpenRow> = match client {
        Some(client) => {
            let sql = format!("{select} AND i.client_id = $1");
            on_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
                .bind(client.to_string())
                .fetch_all(c)
                .await)?
        }
        None => on_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(select.clone()))
            .fetch_all(c)
            .await)?,
    };
    let mut items: Vec<OpenItem> = rows
        .into_iter()
        .filter(|r| r.7 > 0)
        .map(
            |(invoice_id, number, client_id, client_name, issue_date, due, gross, outstanding)| {
                Ok(OpenItem {
                    invoice_id: crate::id(&invoice_id)?,
                    number,
                    client_id: crate::id(&client_id)?,
                    client_name,
                    issue_date,
                    due_date: due.unwrap_or(issue_date),
                    gross: Money::from_cents(gross),
                    outstanding: Money::from_cents(outstanding),
                })
            },
        )
        .collect::<Result<_>>()?;
    items.sort_by(|a, b| (a.due_date, &a.number).cmp(&(b.due_date, &b.number)));
    Ok(items)
}

/// One invoice as an allocation needs it, its row taken first so two
/// payments on it are applied one after the other.
struct Target {
    id: InvoiceId,
    number: String,
    client_id: String,
    gross: i64,
    paid: i64,
    credited: i64,
    regime: VatRegime,
}

type TargetRow = (
    String,
    String,
    String,
    Option<String>,
    i64,
    i64,
    i64,
    Option<String>,
);

async fn target(
    tx: &mut Tx,
    id: InvoiceId,
) -> Result<Option<(Target, InvoiceKind, InvoiceStatus)>> {
    on_tx!(tx, |c| sqlx::query(
        "UPDATE invoices SET paid_cents = paid_cents WHERE id = $1"
    )
    .bind(id.to_string())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    let sql = format!(
        "SELECT i.kind, i.status, i.client_id, i.number, i.gross_cents, i.paid_cents, {CREDITED}, i.frozen
         FROM invoices i WHERE i.id = $1"
    );
    let row: Option<TargetRow> = on_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
        .bind(id.to_string())
        .fetch_optional(c)
        .await)?;
    let Some((kind, status, client_id, number, gross, paid, credited, frozen)) = row else {
        return Ok(None);
    };
    let regime = match frozen.as_deref() {
        Some(f) => Frozen::read(Some(f))?.regime(),
        None => VatRegime::default(),
    };
    Ok(Some((
        Target {
            id,
            number: number.unwrap_or_default(),
            client_id,
            gross,
            paid,
            credited,
            regime,
        },
        InvoiceKind::try_from(kind).map_err(|e| Error::Corrupt(e.to_string()))?,
        InvoiceStatus::try_from(status).map_err(|e| Error::Corrupt(e.to_string()))?,
    )))
}

impl Target {
    fn outstanding(&self) -> Money {
        Money::from_cents(self.gross - self.paid - self.credited)
    }

    /// The VAT that receiving `amount` now makes due: the invoice's VAT
    /// breakdown split pro rata on what was received before and after, so
    /// the receipts of a settled invoice move exactly its VAT (VAT on
    /// receipts only; under the debits option it was due at invoicing).
    async fn vat_due(&self, tx: &mut Tx, amount: Money) -> Result<Money> {
        if self.regime != VatRegime::OnReceipts {
            return Ok(Money::ZERO);
        }
        let b = ereporting::breakdown(tx, self.id).await?;
        Ok(split_receipt(&b, Money::from_cents(self.paid), amount)
            .iter()
            .fold(Money::ZERO, |s, r| s + r.vat))
    }
}

/// Loads and checks the invoices a payment of `client` settles: each
/// must exist, be an issued invoice (not a credit note) of that client,
/// and not be cancelled by credit notes. Refusals name the invoice.
async fn targets(
    tx: &mut Tx,
    client: &str,
    allocations: &[NewAllocation],
) -> Result<Vec<(Target, Money)>> {
    let mut e = ValidationErrors::new();
    let mut out = Vec::new();
    for a in allocations {
        let Some((t, kind, status)) = target(tx, a.invoice_id).await? else {
            e.add("allocations", "payment-invoice-unknown");
            continue;
        };
        let number = domain::args![("number", &t.number)];
        if kind != InvoiceKind::Invoice {
            e.add_with("allocations", "payment-invoice-is-credit-note", number);
        } else if status != InvoiceStatus::Issued {
            e.add_with("allocations", "payment-invoice-not-issued", number);
        } else if t.client_id != client {
            e.add_with("allocations", "payment-invoice-other-client", number);
        } else if t.credited >= t.gross {
            e.add_with("allocations", "payment-invoice-cancelled", number);
        } else {
            out.push((t, a.amount));
        }
    }
    if e.is_empty() {
        Ok(out)
    } else {
        Err(Error::Invalid(e))
    }
}

async fn client_name(tx: &mut Tx, client: &str) -> Result<Option<String>> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT name FROM companies WHERE id = $1"
    )
    .bind(client)
    .fetch_optional(c)
    .await)?)
}

/// Records a payment; refused with nothing written when it breaks a rule
/// (see `domain::payment::PaymentPlan::validate` and `targets`).
pub async fn record(tx: &mut Tx, actor: &Actor, p: &NewPayment) -> Result<Recorded> {
    let client = p.client_id.to_string();
    let mut e = ValidationErrors::new();
    let name = client_name(tx, &client).await?;
    if name.is_none() {
        e.add("client_id", "payment-client-unknown");
    }
    let bank = crate::bank_accounts::get(tx, p.bank_account_id).await;
    match &bank {
        Ok(b) if b.active => {}
        Ok(_) => e.add("bank_account_id", "payment-bank-inactive"),
        Err(Error::NotFound) => e.add("bank_account_id", "payment-bank-unknown"),
        Err(_) => {}
    }
    let bank = match bank {
        Err(Error::NotFound) => None,
        other => Some(other?),
    };
    let today = crate::today();
    if p.received_on > today {
        e.add("received_on", "payment-date-future");
    } else if let Err(w) = domain::ledger::check_open_years(p.received_on, today) {
        e.add_with("received_on", w.key(), w.args());
    }
    if !e.is_empty() {
        return Err(Error::Invalid(e));
    }
    let (name, bank) = (name.expect("checked"), bank.expect("checked"));
    let targets = targets(tx, &client, &p.allocations).await?;
    let open_total = open_items(tx, Some(p.client_id))
        .await?
        .iter()
        .fold(Money::ZERO, |s, i| s + i.outstanding);
    let mut allocations = Vec::new();
    for (t, amount) in &targets {
        // The VAT is worked out on what can be allocated; an amount above
        // the outstanding is refused by the plan anyway.
        let vat_due = t.vat_due(tx, (*amount).min(t.outstanding())).await?;
        allocations.push((
            Settled {
                number: t.number.clone(),
                outstanding: t.outstanding(),
                vat_due,
            },
            *amount,
        ));
    }
    let plan = PaymentPlan {
        client: p.client_id,
        client_name: name,
        bank_account: bank.ledger_account.clone(),
        received_on: p.received_on,
        amount: p.amount,
        reference: p.reference.clone(),
        allocations,
        open_total,
        keep_excess: p.keep_excess,
    };
    let posting = plan.posting()?;
    let id = PaymentId::new();
    let posted = ledger::post(tx, actor, &posting.entry, Some(&format!("payment:{id}"))).await?;
    let at = now();
    on_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO payments (id, client_id, bank_account_id, received_on, amount_cents, method, reference,
           unallocated_cents, ledger_entry_id, credit_position, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
    )
    .bind(id.to_string())
    .bind(&client)
    .bind(bank.id.to_string())
    .bind(p.received_on)
    .bind(p.amount.cents())
    .bind(p.method.as_str())
    .bind(posting.entry.piece_ref.as_deref())
    .bind(posting.unallocated.cents())
    .bind(posted.id.to_string())
    .bind(posting.credit_position)
    .bind(actor.user_id.map(|u| u.to_string()))
    .bind(at)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    for (((t, amount), (settled, _)), position) in targets
        .iter()
        .zip(&plan.allocations)
        .zip(&posting.allocation_positions)
    {
        allocate(
            tx,
            actor,
            id,
            t,
            *amount,
            settled.vat_due,
            p.received_on,
            (posted.id, *position),
        )
        .await?;
    }
    audit::record(
        tx,
        actor,
        "record",
        "payment",
        &id.to_string(),
        None::<&()>,
        Some(&serde_json::json!({
            "client_id": client,
            "bank_account_id": bank.id,
            "received_on": p.received_on,
            "amount_cents": p.amount.cents(),
            "method": p.method.as_str(),
            "reference": posting.entry.piece_ref,
            "allocations": targets.iter().map(|(t, a)| (t.number.clone(), a.cents())).collect::<Vec<_>>(),
            "unallocated_cents": posting.unallocated.cents(),
            "entry_id": posted.id,
        })),
    )
    .await?;
    Ok(Recorded {
        id,
        entry_id: posted.id,
        unallocated: posting.unallocated,
    })
}

/// Writes one allocation: its row, the invoice's paid amount, the status
/// 212 when the invoice's lifecycle allows it, and the lettering.
#[allow(clippy::too_many_arguments)]
async fn allocate(
    tx: &mut Tx,
    actor: &Actor,
    payment: PaymentId,
    t: &Target,
    amount: Money,
    vat_due: Money,
    on: Date,
    line: (LedgerEntryId, i32),
) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO payment_allocations (id, payment_id, invoice_id, amount_cents, vat_cents, allocated_on,
           ledger_entry_id, ledger_position, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
    )
    .bind(uuid::Uuid::new_v4().to_string())
    .bind(payment.to_string())
    .bind(t.id.to_string())
    .bind(amount.cents())
    .bind(vat_due.cents())
    .bind(on)
    .bind(line.0.to_string())
    .bind(line.1)
    .bind(actor.user_id.map(|u| u.to_string()))
    .bind(now())
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    on_tx!(tx, |c| sqlx::query(
        "UPDATE invoices SET paid_cents = paid_cents + $2 WHERE id = $1"
    )
    .bind(t.id.to_string())
    .bind(amount.cents())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    // The e-invoicing status follows the money: 212 "Encaissée" with the
    // amount, once the invoice was deposited (before that the platform
    // knows nothing of it, and the payment stands on its own).
    let state = lifecycle::state(tx, t.id).await?;
    if state.allowed().contains(&LifecycleStatus::Received) && amount <= state.outstanding() {
        lifecycle::record(
            tx,
            actor,
            t.id,
            &NewStatus {
                status: LifecycleStatus::Received,
                occurred_at: now(),
                source: Source::System,
                reason: None,
                amount: Some(amount),
                paid_on: Some(on),
                message_id: None,
            },
        )
        .await?;
    }
    crate::lettering::letter_invoice(tx, actor, t.id, on).await?;
    Ok(())
}

/// Uses a client's credit (what a payment left unallocated) to settle one
/// of his invoices: an OD entry on 411 (credit used / invoice settled)
/// plus the VAT made due.
pub async fn allocate_credit(
    tx: &mut Tx,
    actor: &Actor,
    payment: PaymentId,
    invoice: InvoiceId,
    amount: Money,
    on: Date,
) -> Result<()> {
    // A cancelled payment has no credit left to use.
    let row: Option<(String, i64)> = on_tx!(tx, |c| {
        sqlx::query_as(
        "UPDATE payments SET unallocated_cents = unallocated_cents WHERE id = $1 AND reversed_on IS NULL
         RETURNING client_id, unallocated_cents"
    )
    .bind(payment.to_string())
    .fetch_optional(c)
    .await
    })?;
    let (client, available) = row.ok_or(Error::NotFound)?;
    let client_id = CompanyId::parse(&client).ok_or_else(|| corrupt("client id", &client))?;
    let mut targets = targets(
        tx,
        &client,
        &[NewAllocation {
            invoice_id: invoice,
            amount,
        }],
    )
    .await?;
    let (t, _) = targets.remove(0);
    let vat_due = t.vat_due(tx, amount.min(t.outstanding())).await?;
    let settled = Settled {
        number: t.number.clone(),
        outstanding: t.outstanding(),
        vat_due,
    };
    let (entry, _used, position) = credit_use_entry(
        client_id,
        on,
        &settled,
        amount,
        Money::from_cents(available),
    )?;
    let posted = ledger::post(tx, actor, &entry, Some(&format!("payment:{payment}"))).await?;
    on_tx!(tx, |c| sqlx::query(
        "UPDATE payments SET unallocated_cents = unallocated_cents - $2 WHERE id = $1"
    )
    .bind(payment.to_string())
    .bind(amount.cents())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    allocate(
        tx,
        actor,
        payment,
        &t,
        amount,
        vat_due,
        on,
        (posted.id, position),
    )
    .await?;
    crate::lettering::letter_credit(tx, actor, payment, on).await?;
    audit::record(
        tx,
        actor,
        "allocate_credit",
        "payment",
        &payment.to_string(),
        Some(&serde_json::json!({ "unallocated_cents": available })),
        Some(&serde_json::json!({
            "invoice": t.number,
            "amount_cents": amount.cents(),
            "unallocated_cents": available - amount.cents(),
            "entry_id": posted.id,
        })),
    )
    .await
}

/// A payment as lists show it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Payment {
    pub id: PaymentId,
    pub client_id: CompanyId,
    pub client_name: String,
    pub bank_account_id: BankAccountId,
    pub bank_label: String,
    pub received_on: Date,
    pub amount: Money,
    pub method: PaymentMethod,
    pub reference: Option<String>,
    pub unallocated: Money,
    pub ledger_entry_id: LedgerEntryId,
    pub created_at: OffsetDateTime,
    /// Cancelled on that day (see [`reverse`]), with the reason.
    pub reversed_on: Option<Date>,
    pub reversal_reason: Option<String>,
}

/// One invoice a payment settled.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Allocation {
    pub invoice_id: InvoiceId,
    pub number: String,
    pub amount: Money,
    pub vat: Money,
    pub allocated_on: Date,
    pub entry_id: LedgerEntryId,
}

type PaymentRow = (
    String,
    String,
    String,
    String,
    String,
    Date,
    i64,
    String,
    Option<String>,
    i64,
    String,
    OffsetDateTime,
    Option<Date>,
    Option<String>,
);

const SELECT: &str = "SELECT p.id, p.client_id, c.name, p.bank_account_id, b.label, p.received_on, p.amount_cents,
       p.method, p.reference, p.unallocated_cents, p.ledger_entry_id, p.created_at, p.reversed_on, p.reversal_reason
     FROM payments p JOIN companies c ON c.id = p.client_id JOIN bank_accounts b ON b.id = p.bank_account_id";

fn payment(r: PaymentRow) -> Result<Payment> {
    let method = PaymentMethod::parse(&r.7).ok_or_else(|| corrupt("payment method", &r.7))?;
    Ok(Payment {
        id: crate::id(&r.0)?,
        client_id: crate::id(&r.1)?,
        client_name: r.2,
        bank_account_id: crate::id(&r.3)?,
        bank_label: r.4,
        received_on: r.5,
        amount: Money::from_cents(r.6),
        method,
        reference: r.8,
        unallocated: Money::from_cents(r.9),
        ledger_entry_id: crate::id(&r.10)?,
        created_at: r.11,
        reversed_on: r.12,
        reversal_reason: r.13,
    })
}

/// Filters of the payments list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub client: Option<CompanyId>,
    /// Clients whose name holds these words (accents and case ignored).
    pub client_name: Option<String>,
    pub from: Option<Date>,
    pub to: Option<Date>,
    /// Only payments with credit left.
    pub with_credit: bool,
}

/// The filter's conditions on `p`, parameters `$1` to `$5`.
const FILTER_WHERE: &str = "($1 = '' OR p.client_id = $1)
    AND p.received_on >= $2 AND p.received_on <= $3
    AND ($4 = FALSE OR p.unallocated_cents > 0)
    AND (CAST($5 AS TEXT) IS NULL OR p.client_id IN (SELECT n.id FROM companies n WHERE n.search_key LIKE $5 ESCAPE '\\'))";

macro_rules! bind_filter {
    ($q:expr, $f:expr) => {
        $q.bind($f.client.map(|c| c.to_string()).unwrap_or_default())
            .bind($f.from.unwrap_or(time::macros::date!(1900 - 01 - 01)))
            .bind($f.to.unwrap_or(time::macros::date!(9999 - 12 - 31)))
            .bind($f.with_credit)
            .bind(crate::search::like_pattern($f.client_name.as_deref()))
    };
}

/// Where a payment stands in the list, latest received first: its date and
/// id (`payments_list` indexes them).
pub fn cursor(p: &Payment) -> Cursor {
    Cursor::new([p.received_on.to_string(), p.id.to_string()])
}

/// Parts in a cursor: date received, id.
pub const CURSOR_PARTS: usize = 2;

/// Reads up to `limit` payments from where `seek` says (backwards for a
/// previous page), skipping `offset` (the API's numbered pages).
async fn fetch(
    tx: &mut Tx,
    f: &Filter,
    seek: &Seek,
    limit: i64,
    offset: i64,
) -> Result<Vec<Payment>> {
    // A cursor that is no date (a hand-edited link) reads from the start.
    let cursor = match seek {
        Seek::First => None,
        Seek::After(c) | Seek::Before(c) => Date::parse(
            &c.parts()[0],
            time::macros::format_description!("[year]-[month]-[day]"),
        )
        .ok()
        .map(|date| (date, c.parts()[1].clone())),
    };
    let seek = if cursor.is_none() { &Seek::First } else { seek };
    let (cmp, dir) = match seek {
        Seek::First => ("", "DESC"),
        Seek::After(_) => (" AND (p.received_on, p.id) < ($6, $7)", "DESC"),
        Seek::Before(_) => (" AND (p.received_on, p.id) > ($6, $7)", "ASC"),
    };
    let (limit_at, offset_at) = if cursor.is_some() {
        ("$8", "$9")
    } else {
        ("$6", "$7")
    };
    let sql = format!(
        "{SELECT} WHERE {FILTER_WHERE}{cmp}
         ORDER BY p.received_on {dir}, p.id {dir} LIMIT {limit_at} OFFSET {offset_at}"
    );
    let rows: Vec<PaymentRow> = on_tx!(tx, |c| {
        let mut q = bind_filter!(sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())), f);
        if let Some((date, id)) = &cursor {
            q = q.bind(*date).bind(id.clone());
        }
        q.bind(limit).bind(offset).fetch_all(c).await
    })?;
    rows.into_iter().map(payment).collect()
}

/// Payments, latest first, at most `limit`.
pub async fn list(tx: &mut Tx, f: &Filter, limit: i64) -> Result<Vec<Payment>> {
    fetch(tx, f, &Seek::First, limit, 0).await
}

/// One page of the list, walked by date and id.
pub async fn page(tx: &mut Tx, f: &Filter, req: &KeysetRequest) -> Result<KeysetPage<Payment>> {
    let rows = fetch(tx, f, &req.seek, req.fetch(), 0).await?;
    let page = KeysetPage::assemble(req, rows, cursor);
    if page.came_short(req) {
        let first = KeysetRequest::first(req.per_page);
        let rows = fetch(tx, f, &first.seek, first.fetch(), 0).await?;
        return Ok(KeysetPage::assemble(&first, rows, cursor));
    }
    Ok(page)
}

/// A numbered page (the API's `page` and `per_page`), with the total.
pub async fn numbered(tx: &mut Tx, f: &Filter, req: PageRequest) -> Result<Paged<Payment>> {
    let items = fetch(tx, f, &Seek::First, req.limit(), req.offset()).await?;
    let total = totals(tx, f).await?.count;
    Ok(Paged {
        items,
        page: req.page,
        per_page: req.per_page,
        total,
    })
}

/// What the filters match in all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub count: u64,
    pub amount: Money,
}

pub async fn totals(tx: &mut Tx, f: &Filter) -> Result<Totals> {
    let sql = format!(
        "SELECT COUNT(*), CAST(COALESCE(SUM(p.amount_cents), 0) AS BIGINT) FROM payments p WHERE {FILTER_WHERE}"
    );
    let (count, amount): (i64, i64) = on_tx!(tx, |c| bind_filter!(
        sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())),
        f
    )
    .fetch_one(c)
    .await)?;
    Ok(Totals {
        count: count.max(0) as u64,
        amount: Money::from_cents(amount),
    })
}

pub async fn get(tx: &mut Tx, id: PaymentId) -> Result<(Payment, Vec<Allocation>)> {
    let sql = format!("{SELECT} WHERE p.id = $1");
    let row: Option<PaymentRow> = on_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
        .bind(id.to_string())
        .fetch_optional(c)
        .await)?;
    let p = payment(row.ok_or(Error::NotFound)?)?;
    let allocations = allocations_of(tx, &[id])
        .await?
        .remove(&id)
        .unwrap_or_default();
    Ok((p, allocations))
}

/// The allocations of several payments at once (a page of them), each
/// payment's in the order they were made.
pub async fn allocations_of(
    tx: &mut Tx,
    ids: &[PaymentId],
) -> Result<std::collections::HashMap<PaymentId, Vec<Allocation>>> {
    let mut out: std::collections::HashMap<PaymentId, Vec<Allocation>> = Default::default();
    if ids.is_empty() {
        return Ok(out);
    }
    let marks = (1..=ids.len())
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "SELECT a.payment_id, a.invoice_id, i.number, a.amount_cents, a.vat_cents, a.allocated_on, a.ledger_entry_id
         FROM payment_allocations a JOIN invoices i ON i.id = a.invoice_id
         WHERE a.payment_id IN ({marks}) ORDER BY a.payment_id, a.created_at, i.number"
    );
    type AllocationRow = (String, String, Option<String>, i64, i64, Date, String);
    let rows: Vec<AllocationRow> = on_tx!(tx, |c| {
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()));
        for id in ids {
            q = q.bind(id.to_string());
        }
        q.fetch_all(c).await
    })?;
    for (payment_id, invoice_id, number, amount, vat, allocated_on, entry_id) in rows {
        out.entry(crate::id(&payment_id)?)
            .or_default()
            .push(Allocation {
                invoice_id: crate::id(&invoice_id)?,
                number: number.unwrap_or_default(),
                amount: Money::from_cents(amount),
                vat: Money::from_cents(vat),
                allocated_on,
                entry_id: crate::id(&entry_id)?,
            });
    }
    Ok(out)
}

/// The payments that settled an invoice (for its page).
pub async fn of_invoice(tx: &mut Tx, invoice: InvoiceId) -> Result<Vec<(Payment, Allocation)>> {
    let ids: Vec<String> = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT DISTINCT payment_id FROM payment_allocations WHERE invoice_id = $1"
    )
    .bind(invoice.to_string())
    .fetch_all(c)
    .await)?;
    let mut out = Vec::new();
    for id in ids {
        let (p, allocations) = get(tx, crate::id(&id)?).await?;
        for a in allocations.into_iter().filter(|a| a.invoice_id == invoice) {
            out.push((p.clone(), a));
        }
    }
    out.sort_by(|a, b| (a.1.allocated_on, &a.0.id).cmp(&(b.1.allocated_on, &b.0.id)));
    Ok(out)
}
