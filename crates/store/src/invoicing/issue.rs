//! Issuing: the next number of the series, gap-free and chronological,
//! taken in the same transaction as the sales entry (411 / 706 / VAT), so a
//! failure leaves neither. The parties and terms are frozen with the
//! invoice: it prints the same forever.

use std::collections::HashMap;

use domain::ids::{CompanyId, InvoiceId};
use domain::invoice::{InvoiceEvent, InvoiceKind, InvoiceStatus};
use domain::money::Money;
use domain::postings::{self, SalesDocument, SalesInputs};
use domain::terms::VatRegime;
use domain::validation::{Arg, ValidationErrors};
use serde::Serialize;
use time::Date;

use super::shared::{refuse, refuse_with};
use crate::{Actor, Error, Result, Tx, audit, corrupt, now, on_tx};

pub use super::frozen::{Buyer, Frozen, FrozenFirm, terms_changes};
use super::frozen::{
    Head, Live, changes, changes_of, drafted, head, live, live_many, missing_mentions,
    refuse_before_last, set_frozen,
};
use super::lines::{revenue, revenue_many};

/// An issued invoice or credit note: its number and the entry posted with it.
#[derive(Debug, Clone, Serialize)]
pub struct Issued {
    pub id: InvoiceId,
    pub number: String,
    pub issue_date: Date,
    pub due_date: Date,
    pub entry_number: String,
    pub net: Money,
    pub vat: Money,
    pub gross: Money,
}

/// Brings a draft (or an invoice waiting for a signature) in line with its
/// mission, client and firm as they are now: its terms are frozen again,
/// its lines take their mission's VAT rate and its totals are recomputed.
/// Done by a person who saw the changes, never by issuing. Returns what
/// had changed and the new totals.
pub async fn refresh_terms(
    tx: &mut Tx,
    actor: &Actor,
    id: InvoiceId,
) -> Result<(Vec<Arg>, domain::invoice::Totals)> {
    let h = head(tx, id).await?;
    let status = h.status;
    if !matches!(
        status,
        InvoiceStatus::Draft | InvoiceStatus::WaitingSignature
    ) {
        return Err(refuse("status", "invoice-not-a-draft"));
    }
    let frozen = live(tx, &h).await?.frozen;
    let changes = changes_of(tx, id, &h, &frozen).await?;
    set_frozen(tx, id, &frozen).await?;
    on_tx!(tx, |c| {
        sqlx::query(
        "UPDATE invoice_lines SET vat_rate_bp = (SELECT m.vat_rate_bp FROM missions m WHERE m.id = invoice_lines.mission_id)
         WHERE invoice_id = $1 AND mission_id IS NOT NULL"
    )
    .bind(id.to_string())
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    let totals = super::lines::refresh_totals(tx, id).await?;
    audit::record(
        tx,
        actor,
        "refresh_invoice_terms",
        "invoice",
        &id.to_string(),
        None::<&()>,
        Some(&serde_json::json!({
            "changes": changes.iter().map(Arg::to_string).collect::<Vec<_>>(),
            "gross_cents": totals.gross.cents(),
        })),
    )
    .await?;
    Ok((changes, totals))
}

/// Issues a draft invoice dated `date`. Refused, with nothing written, while
/// it waits for the client contract's signature, once issued, when a
/// mandatory mention is missing (listed), when dated before the series'
/// last document, or in a closed period. A live accrual of the invoice is
/// reversed in the same transaction, linked to it.
pub async fn issue(tx: &mut Tx, actor: &Actor, id: InvoiceId, date: Date) -> Result<Issued> {
    let (_, ready) = prepare(tx, &[id], date)
        .await?
        .pop()
        .ok_or(Error::NotFound)?;
    write_issued(tx, actor, vec![ready?], date)
        .await?
        .pop()
        .ok_or_else(|| corrupt("issue", "nothing issued"))
}

/// A draft that passed every check before its number is taken, with what
/// its number, entry and frozen terms are made from.
pub(crate) struct Ready {
    head: Head,
    frozen: Frozen,
    client_name: String,
    due: Date,
    revenue: Vec<domain::postings::Revenue>,
}

/// The checks of [`issue`] for several drafts at once (the month-end close
/// issues thousands), read in a few statements for all of them: for each
/// id, in order, either what its issue writes or why it is refused. An
/// error of the whole (a date before the series' last document, a
/// database error) is the outer one.
pub(crate) async fn prepare(
    tx: &mut Tx,
    ids: &[InvoiceId],
    date: Date,
) -> Result<Vec<(InvoiceId, Result<Ready>)>> {
    let mut heads: HashMap<InvoiceId, Head> = super::frozen::heads(tx, ids)
        .await?
        .into_iter()
        .map(|h| (h.id, h))
        .collect();
    let mut out: Vec<(InvoiceId, Result<Head>)> = ids
        .iter()
        .map(|id| {
            let h = heads.remove(id).ok_or(Error::NotFound);
            (*id, h.and_then(|h| issuable_head(&h).map(|()| h)))
        })
        .collect();
    let candidates: Vec<&Head> = out.iter().filter_map(|(_, h)| h.as_ref().ok()).collect();
    let candidate_ids: Vec<InvoiceId> = candidates.iter().map(|h| h.id).collect();
    let lives = live_many(tx, &candidates).await?;
    let mut rates = super::frozen::rate_changes(tx, &candidate_ids).await?;
    let mut revenue = revenue_many(tx, &candidate_ids).await?;
    let mut details = super::read::details_for_check(tx, &candidate_ids).await?;
    let mut lives: HashMap<InvoiceId, Live> = candidate_ids.iter().copied().zip(lives).collect();
    let decided: Vec<(InvoiceId, Result<Ready>)> = out
        .drain(..)
        .map(|(id, h)| {
            let ready = h.and_then(|head| {
                let live = lives.remove(&id).ok_or(Error::NotFound)?;
                let rates = rates.remove(&id).unwrap_or_default();
                let (frozen, client_name) = issuable(&head, live, &rates)?;
                let due = frozen.terms().due_date(date);
                let detail = details.remove(&id).ok_or(Error::NotFound)?;
                check_facturx(detail, &frozen, date, due)?;
                Ok(Ready {
                    revenue: revenue.remove(&id).unwrap_or_default(),
                    head,
                    frozen,
                    client_name,
                    due,
                })
            });
            (id, ready)
        })
        .collect();
    if decided.iter().any(|(_, r)| r.is_ok()) {
        refuse_before_last(tx, InvoiceKind::Invoice, date).await?;
    }
    Ok(decided)
}

/// The Factur-X of the document as it will be issued (its number is not
/// taken yet: the XML's validity depends on its data alone), refused as
/// issuing words it when it could not be written.
fn check_facturx(mut d: super::read::Detail, frozen: &Frozen, date: Date, due: Date) -> Result<()> {
    d.summary.status = InvoiceStatus::Issued;
    d.summary.number = Some(domain::invoice::number(
        InvoiceKind::Invoice,
        date.year(),
        0,
    ));
    d.summary.issue_date = Some(date);
    d.summary.due_date = Some(due);
    let totals = domain::invoice::totals(&super::print::domain_lines(&d.lines)?);
    let doc = super::print::IssuedDocument {
        issued_at: d.summary.created_at,
        frozen: frozen.clone(),
        totals,
        detail: d,
    };
    super::facturx::check_document(&doc).map_err(|e| match e {
        Error::Corrupt(reason) => refuse_with(
            "facturx",
            "invoice-facturx-impossible",
            domain::args![("reason", reason)],
        ),
        other => other,
    })
}

/// Issues the drafts `ready` on `date`, numbered in their order: the
/// numbers of the series taken at once, the sales entries posted at once
/// ([`crate::ledger::post_many`]), the deposits queued, the invoices
/// marked issued with their frozen terms, live accruals reversed, and the
/// audit lines, in one statement per step for the whole batch.
pub(crate) async fn write_issued(
    tx: &mut Tx,
    actor: &Actor,
    ready: Vec<Ready>,
    date: Date,
) -> Result<Vec<Issued>> {
    if ready.is_empty() {
        return Ok(Vec::new());
    }
    let n = ready.len() as i64;
    let last =
        crate::ledger::take_numbers(tx, InvoiceKind::Invoice.series(), date.year(), n).await?;
    let numbers: Vec<String> = (last - n + 1..=last)
        .map(|seq| domain::invoice::number(InvoiceKind::Invoice, date.year(), seq))
        .collect();
    let mut entries = Vec::with_capacity(ready.len());
    for (r, number) in ready.iter().zip(&numbers) {
        let client = CompanyId::parse(&r.head.client_id)
            .ok_or_else(|| corrupt("company id", &r.head.client_id))?;
        entries.push(crate::ledger::ToPost {
            entry: postings::sales_entry(&SalesInputs {
                document: SalesDocument::Invoice,
                number,
                date,
                client,
                client_name: &r.client_name,
                regime: r.frozen.regime(),
                revenue: &r.revenue,
                vat: Money::from_cents(r.head.vat_cents),
                gross: Money::from_cents(r.head.gross_cents),
            }),
            source: Some(format!("invoice:{}", r.head.id)),
            reverses: None,
        });
    }
    let ids: Vec<InvoiceId> = ready.iter().map(|r| r.head.id).collect();
    crate::einvoicing::deposit::queue_many(tx, &ids).await?;
    crate::invoice_emails::queue_at_issue(tx, &ids).await?;
    let posted = crate::ledger::post_many(tx, actor, &entries).await?;
    mark_issued(tx, &ready, &numbers, &posted, date).await?;
    let released: Vec<(InvoiceId, &str)> = ready
        .iter()
        .zip(&numbers)
        .map(|(r, n)| (r.head.id, n.as_str()))
        .collect();
    super::accrual::release_accruals(tx, actor, &released, date).await?;
    let audit: Vec<audit::Row> = ready
        .iter()
        .zip(numbers.iter().zip(&posted))
        .map(|(r, (number, entry))| audit::Row {
            action: "issue_invoice",
            entity: "invoice",
            entity_id: r.head.id.to_string(),
            before: None,
            after: Some(serde_json::json!({ "number": number, "entry": entry.number }).to_string()),
        })
        .collect();
    audit::record_many(tx, actor, &audit).await?;
    Ok(ready
        .into_iter()
        .zip(numbers.into_iter().zip(posted))
        .map(|(r, (number, entry))| Issued {
            id: r.head.id,
            number,
            issue_date: date,
            due_date: r.due,
            entry_number: entry.number,
            net: Money::from_cents(r.head.net_cents),
            vat: Money::from_cents(r.head.vat_cents),
            gross: Money::from_cents(r.head.gross_cents),
        })
        .collect())
}

/// The drafts become issued with their numbers, dates and terms, in one
/// statement per few hundred; refused, as a whole, when one was issued
/// meanwhile.
async fn mark_issued(
    tx: &mut Tx,
    ready: &[Ready],
    numbers: &[String],
    entries: &[crate::ledger::Posted],
    date: Date,
) -> Result<()> {
    const ROW: &str = "(?, ?, ?, ?, ?)";
    let at = now();
    let frozen = ready
        .iter()
        .map(|r| serde_json::to_string(&r.frozen).map_err(|e| Error::Corrupt(e.to_string())))
        .collect::<Result<Vec<_>>>()?;
    type Row<'a> = (
        (&'a Ready, &'a String),
        (&'a String, &'a crate::ledger::Posted),
    );
    let rows: Vec<Row> = ready
        .iter()
        .zip(&frozen)
        .zip(numbers.iter().zip(entries))
        .collect();
    for chunk in rows.chunks(crate::rows_per_statement(5) - 1) {
        let n = chunk.len();
        let sql = format!(
            "WITH v (id, number, entry_id, due_date, frozen) AS (VALUES {})
             UPDATE invoices SET status = 'issued', number = v.number, issue_date = ${d}, issued_at = ${a},
               ledger_entry_id = v.entry_id, due_date = v.due_date, frozen = v.frozen, issue_error = NULL,
               waiting_since = NULL
             FROM v WHERE invoices.id = v.id AND invoices.status = ${s}",
            crate::values_list(ROW, n),
            d = 5 * n + 1,
            a = 5 * n + 2,
            s = 5 * n + 3,
        );
        let changed = on_tx!(tx, |c| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
            for ((r, frozen), (number, entry)) in chunk {
                q = q
                    .bind(r.head.id.to_string())
                    .bind(number.as_str())
                    .bind(entry.id.to_string())
                    .bind(r.due)
                    .bind(frozen.as_str());
            }
            q.bind(date)
                .bind(at)
                .bind(InvoiceStatus::Draft.as_str())
                .execute(c)
                .await
                .map(|r| r.rows_affected())
        })?;
        if changed != n as u64 {
            return Err(refuse("status", "invoice-already-issued"));
        }
    }
    Ok(())
}

/// What issuing checks on the document itself: an invoice, in a state
/// that may be issued, with lines.
fn issuable_head(h: &Head) -> Result<()> {
    if h.kind != InvoiceKind::Invoice {
        return Err(refuse("kind", "invoice-not-an-invoice"));
    }
    h.status
        .transition(InvoiceEvent::Issue)
        .map_err(|e| refuse("status", e.key()))?;
    if h.net_cents <= 0 {
        return Err(refuse("lines", "invoice-empty"));
    }
    Ok(())
}

/// The checks before a number is taken on the terms: its frozen terms
/// still hold (`rates`: its lines whose VAT rate changed since), and it
/// carries every mandatory mention. Returns the terms it is issued with
/// and the client's name.
fn issuable(h: &Head, live: Live, rates: &[(String, i32, i32)]) -> Result<(Frozen, String)> {
    // Everything the invoice states was frozen at drafting; a draft whose
    // terms moved since is refused until its user refreshes it.
    let Live {
        frozen: now_terms,
        firm,
        company,
    } = live;
    let changes = changes(h, &now_terms, rates)?;
    if !changes.is_empty() {
        return Err(refuse_with(
            "terms",
            "invoice-terms-changed",
            vec![("changes", Arg::List(changes))],
        ));
    }
    let frozen = drafted(h)?
        .unwrap_or(now_terms)
        .edited(super::frozen::read_edit(h.draft_edits.as_deref())?.as_ref());
    let regime = frozen.regime();
    let mut missing = missing_mentions(firm.as_ref(), &company, regime);
    // Never issue what the Factur-X XML could not carry (EN 16931, BR-FR).
    for g in super::facturx::missing(&frozen, InvoiceKind::Invoice) {
        let seller_unknown = g.is_seller() && firm.is_none();
        if !seller_unknown && !missing.contains(&g.key()) {
            missing.push(g.key());
        }
    }
    if !missing.is_empty() {
        let mut e = ValidationErrors::new();
        e.add_with(
            "client",
            "invoice-client-incomplete",
            vec![("missing", Arg::keys(&missing))],
        );
        return Err(Error::Invalid(e));
    }
    Ok((frozen, company.name))
}

pub(crate) struct Sales<'a> {
    pub invoice_id: InvoiceId,
    pub kind: InvoiceKind,
    pub number: &'a str,
    pub date: Date,
    pub client: CompanyId,
    pub client_name: &'a str,
    pub regime: VatRegime,
    pub vat: Money,
    pub gross: Money,
}

/// Posts the sales entry of an invoice or a credit note, as
/// `domain::postings::sales_entry` decides it from the document's revenue
/// per analytic code and, for a credit note, the VAT of its invoice still
/// waiting in 44574.
///
/// Every issue (by hand, at close, on a contract's signature) and every
/// credit note goes through here, so this is also where the document's
/// e-invoicing deposit and its e-mail to the client (when the client asked
/// for it) are queued, in the same transaction.
pub(crate) async fn post_sales(
    tx: &mut Tx,
    actor: &Actor,
    s: Sales<'_>,
) -> Result<crate::ledger::Posted> {
    let revenue = revenue(tx, s.invoice_id).await?;
    let document = match s.kind {
        InvoiceKind::Invoice => SalesDocument::Invoice,
        InvoiceKind::CreditNote => SalesDocument::CreditNote {
            // A credit note always credits an invoice; one whose invoice
            // could not be found would be taken back as if unpaid.
            vat_waiting: vat_pending_for_credit(tx, s.invoice_id)
                .await?
                .unwrap_or(s.vat),
        },
    };
    let entry = postings::sales_entry(&SalesInputs {
        document,
        number: s.number,
        date: s.date,
        client: s.client,
        client_name: s.client_name,
        regime: s.regime,
        revenue: &revenue,
        vat: s.vat,
        gross: s.gross,
    });
    crate::einvoicing::deposit::queue(tx, s.invoice_id).await?;
    crate::invoice_emails::queue_at_issue(tx, &[s.invoice_id]).await?;
    crate::ledger::post(
        tx,
        actor,
        &entry,
        Some(&format!("invoice:{}", s.invoice_id)),
    )
    .await
}

/// The VAT of the invoice a credit note credits that still waits in 44574:
/// its VAT, less what its payments made due, less what its earlier credit
/// notes took back from 44574.
async fn vat_pending_for_credit(tx: &mut Tx, credit_note: InvoiceId) -> Result<Option<Money>> {
    let pending: Option<i64> = on_tx!(tx, |c| {
        sqlx::query_scalar(
        "SELECT CAST(i.vat_cents
              - COALESCE((SELECT SUM(a.vat_cents) FROM payment_allocations a WHERE a.invoice_id = i.id), 0)
              - COALESCE((SELECT SUM(l.debit_cents) FROM invoices n
                  JOIN ledger_lines l ON l.entry_id = n.ledger_entry_id AND l.account = '44574'
                  WHERE n.credits_id = i.id AND n.kind = 'credit_note' AND n.id <> cn.id), 0)
            AS BIGINT)
         FROM invoices cn JOIN invoices i ON i.id = cn.credits_id WHERE cn.id = $1"
    )
    .bind(credit_note.to_string())
    .fetch_optional(c)
    .await
    })?;
    Ok(pending.map(Money::from_cents))
}
