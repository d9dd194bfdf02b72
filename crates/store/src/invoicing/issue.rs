//! Issuing: the next number of the series, gap-free and chronological,
//! taken in the same transaction as the sales entry (411 / 706 / VAT), so a
//! failure leaves neither. The parties and terms are frozen with the
//! invoice: it prints the same forever.

use domain::ids::{CompanyId, InvoiceId, LedgerEntryId};
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
    Head, Live, changes_of, drafted, head, live, missing_mentions, refuse_before_last, set_frozen,
};
use super::lines::revenue;

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
    let h = head(tx, id).await?;
    let (frozen, client_name) = issuable(tx, id, &h).await?;
    let regime = frozen.regime();
    let terms = frozen.terms();
    let client =
        CompanyId::parse(&h.client_id).ok_or_else(|| corrupt("company id", &h.client_id))?;
    refuse_before_last(tx, InvoiceKind::Invoice, date).await?;
    let due = terms.due_date(date);
    let seq = crate::ledger::next_number(tx, InvoiceKind::Invoice.series(), date.year()).await?;
    let number = domain::invoice::number(InvoiceKind::Invoice, date.year(), seq);
    let entry = post_sales(
        tx,
        actor,
        Sales {
            invoice_id: id,
            kind: InvoiceKind::Invoice,
            number: &number,
            date,
            client,
            client_name: &client_name,
            regime,
            vat: Money::from_cents(h.vat_cents),
            gross: Money::from_cents(h.gross_cents),
        },
    )
    .await?;
    mark_issued(tx, id, &number, date, entry.id, due, &frozen).await?;
    // The Factur-X is checked here, in the issue's transaction, on what was
    // just written: an invoice whose XML could not be produced (its amounts
    // and VAT would not agree with its mentions) is never issued.
    super::facturx::check(tx, id).await.map_err(|e| match e {
        Error::Corrupt(reason) => refuse_with(
            "facturx",
            "invoice-facturx-impossible",
            domain::args![("reason", reason)],
        ),
        other => other,
    })?;
    super::accrual::release_accrual(tx, actor, id, &number, date).await?;
    audit::record(
        tx,
        actor,
        "issue_invoice",
        "invoice",
        &id.to_string(),
        None::<&()>,
        Some(&serde_json::json!({ "number": number, "entry": entry.number })),
    )
    .await?;
    Ok(Issued {
        id,
        number,
        issue_date: date,
        due_date: due,
        entry_number: entry.number,
        net: Money::from_cents(h.net_cents),
        vat: Money::from_cents(h.vat_cents),
        gross: Money::from_cents(h.gross_cents),
    })
}

/// The draft becomes issued with its number, dates and terms; refused when
/// issued meanwhile.
async fn mark_issued(
    tx: &mut Tx,
    id: InvoiceId,
    number: &str,
    date: Date,
    entry_id: LedgerEntryId,
    due: Date,
    frozen: &Frozen,
) -> Result<()> {
    let n = on_tx!(tx, |c| {
        sqlx::query(
        "UPDATE invoices SET status = 'issued', number = $2, issue_date = $3, issued_at = $4, ledger_entry_id = $5,
           due_date = $6, frozen = $7, issue_error = NULL, waiting_since = NULL
         WHERE id = $1 AND status = $8"
    )
    .bind(id.to_string())
    .bind(number)
    .bind(date)
    .bind(now())
    .bind(entry_id.to_string())
    .bind(due)
    .bind(serde_json::to_string(frozen).map_err(|e| Error::Corrupt(e.to_string()))?)
    .bind(InvoiceStatus::Draft.as_str())
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    if n == 0 {
        return Err(refuse("status", "invoice-already-issued"));
    }
    Ok(())
}

/// The checks before a number is taken: an invoice, in a state that may be
/// issued, with lines, whose frozen terms still hold, and with every
/// mandatory mention. Returns the terms it is issued with and the client's
/// name.
async fn issuable(tx: &mut Tx, id: InvoiceId, h: &Head) -> Result<(Frozen, String)> {
    if h.kind != InvoiceKind::Invoice {
        return Err(refuse("kind", "invoice-not-an-invoice"));
    }
    let status = h.status;
    status
        .transition(InvoiceEvent::Issue)
        .map_err(|e| refuse("status", e.key()))?;
    if h.net_cents <= 0 {
        return Err(refuse("lines", "invoice-empty"));
    }
    // Everything the invoice states was frozen at drafting; a draft whose
    // terms moved since is refused until its user refreshes it.
    let Live {
        frozen: now_terms,
        firm,
        company,
    } = live(tx, h).await?;
    let changes = changes_of(tx, id, h, &now_terms).await?;
    if !changes.is_empty() {
        return Err(refuse_with(
            "terms",
            "invoice-terms-changed",
            vec![("changes", Arg::List(changes))],
        ));
    }
    let frozen = drafted(h)?.unwrap_or(now_terms);
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
/// e-invoicing deposit is queued, in the same transaction.
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
