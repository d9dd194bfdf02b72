//! Credit notes by days: the days chosen on an issued invoice are given
//! back (`super::billed` records them as credited by the credit line and
//! clears them from the consultant's guard), so exactly those days become
//! billable again. A re-validated report is reconciled with
//! what was billed of its month: days no longer worked leave their draft,
//! or are credited when already invoiced.

use std::collections::BTreeSet;

use domain::calendar::YearMonth;
use domain::cra::Half;
use domain::ids::{CompanyId, InvoiceId, MissionId, UserId};
use domain::invoice::credit::{self as rule, Billed, CreditLine, CreditRefusal, CreditedLine};
use domain::invoice::{self, InvoiceKind, InvoiceLine, InvoiceStatus, wording};
use domain::mission::DayQuantity;
use domain::money::Money;
use domain::terms::{VatRate, VatRegime};
use domain::validation::Arg;
use time::Date;

use super::billed::Stored;
use super::frozen::{Frozen, Head, head};
use super::issue::{Issued, Sales, post_sales};
pub use super::lines::credit_notes_of;
use super::shared::{refuse, refuse_with};
use crate::{Actor, Error, Result, Tx, audit, corrupt, now, on_tx};

/// What a credit note gives back (`domain::invoice::credit`).
pub use domain::invoice::credit::CreditSelection;
/// One billed half day of a consultant (`domain::invoice::drafting`).
pub use domain::invoice::drafting::BilledDay;

/// The days an invoice still bills (not credited), per line.
pub async fn live_days(tx: &mut Tx, invoice: InvoiceId) -> Result<Vec<(BilledDay, String)>> {
    let rows: Vec<Stored> = on_tx!(tx, |c| {
        sqlx::query_as(
            "SELECT b.line_id, b.consultant_id, b.month, b.mask, b.credited FROM billed_masks b
               JOIN invoice_lines l ON l.id = b.line_id
             WHERE l.invoice_id = $1 AND b.mask <> b.credited",
        )
        .bind(invoice.to_string())
        .fetch_all(c)
        .await
    })?;
    let mut out = Vec::new();
    for r in rows {
        let consultant_id =
            UserId::parse(&r.consultant_id).ok_or_else(|| corrupt("user id", &r.consultant_id))?;
        for (day, half) in r.live()?.slots(r.month()?) {
            let d = BilledDay {
                consultant_id,
                day,
                half,
            };
            out.push((d, r.line_id.clone()));
        }
    }
    // By consultant (as stored: his id's text), day and half.
    out.sort_by(|(a, _), (b, _)| {
        (a.consultant_id.to_string(), a.day, a.half).cmp(&(
            b.consultant_id.to_string(),
            b.day,
            b.half,
        ))
    });
    Ok(out)
}

#[derive(sqlx::FromRow)]
struct SourceLine {
    id: String,
    mission_id: Option<String>,
    analytic_code: Option<String>,
    description: String,
    unit_price_cents: i64,
    vat_rate_bp: i32,
    consultant_id: Option<String>,
}

/// Issues a credit note on an issued invoice for the days chosen, dated
/// `date`. Refused, with nothing written, when nothing is chosen, when a
/// day chosen is not billed by the invoice any more (never on it, or
/// credited already: that would credit more than the invoice), or in a
/// closed period. Which days and lines, and the totals, are
/// `domain::invoice::credit`'s.
pub async fn credit(
    tx: &mut Tx,
    actor: &Actor,
    invoice_id: InvoiceId,
    selection: &CreditSelection,
    date: Date,
    reason: &str,
) -> Result<Issued> {
    let h = head(tx, invoice_id).await?;
    if h.kind != InvoiceKind::Invoice {
        return Err(refuse("invoice", "credit-not-an-invoice"));
    }
    if h.status != InvoiceStatus::Issued {
        return Err(refuse("invoice", "credit-invoice-not-issued"));
    }
    let live = live_days(tx, invoice_id).await?;
    let chosen = rule::choose(&live, selection).map_err(refusal)?;
    let everything_left = chosen.len() == live.len();
    issue_credit(
        tx,
        actor,
        invoice_id,
        &h,
        &chosen,
        everything_left,
        date,
        reason,
    )
    .await
}

/// A refusal of `domain::invoice::credit` in the user's words.
fn refusal(e: CreditRefusal) -> Error {
    match &e {
        CreditRefusal::NotOnInvoice(days) => refuse_with(
            "days",
            e.key(),
            domain::args![(
                "days",
                Arg::list(days.iter().map(|d| Arg::HalfDay(d.day, d.half)))
            )],
        ),
        _ => refuse("days", e.key()),
    }
}

/// The credited invoice's lines, in position order.
async fn source_lines(tx: &mut Tx, invoice_id: InvoiceId) -> Result<Vec<SourceLine>> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT id, mission_id, analytic_code, description, unit_price_cents, CAST(vat_rate_bp AS INTEGER) AS vat_rate_bp,
           consultant_id
         FROM invoice_lines WHERE invoice_id = $1 ORDER BY position"
    )
    .bind(invoice_id.to_string())
    .fetch_all(c)
    .await
    })?)
}

impl SourceLine {
    fn credited(&self) -> Result<CreditedLine<String>> {
        Ok(CreditedLine {
            key: self.id.clone(),
            description: self.description.clone(),
            unit_price: Money::from_cents(self.unit_price_cents),
            vat_rate: VatRate::from_basis_points(self.vat_rate_bp.max(0) as u32)
                .map_err(|_| corrupt("vat rate", &self.vat_rate_bp.to_string()))?,
        })
    }
}

/// What is left of an invoice once its credit notes are taken away.
async fn left_of(tx: &mut Tx, invoice_id: InvoiceId) -> Result<invoice::Totals> {
    let invoiced = super::lines::lines_of(tx, invoice_id).await?;
    let mut left = invoice::totals(&invoiced);
    for other in credit_notes_of(tx, invoice_id).await? {
        left = left.minus(&invoice::totals(&super::lines::lines_of(tx, other).await?));
    }
    Ok(left)
}

/// Reads the credited invoice's lines and what is left of it, and asks
/// `domain::invoice::credit` for the credit note's lines and totals.
async fn decide_credit(
    tx: &mut Tx,
    invoice_id: InvoiceId,
    h: &Head,
    invoice_number: &str,
    chosen: &[(BilledDay, String)],
    everything_left: bool,
) -> Result<(Vec<SourceLine>, Vec<CreditLine<String>>, invoice::Totals)> {
    let sources = source_lines(tx, invoice_id).await?;
    let credited = sources
        .iter()
        .map(SourceLine::credited)
        .collect::<Result<Vec<_>>>()?;
    let lines = rule::lines(invoice_number, &credited, chosen);
    let left = match everything_left {
        true => Some(left_of(tx, invoice_id).await?),
        false => None,
    };
    let totals =
        rule::credit_totals(&lines, left, Money::from_cents(h.gross_cents)).map_err(refusal)?;
    Ok((sources, lines, totals))
}

/// Issues the credit note giving back `chosen` as `domain` decides it, and
/// writes it: the document, its lines with their days given back, the
/// sales entry, the lettering.
#[allow(clippy::too_many_arguments)]
async fn issue_credit(
    tx: &mut Tx,
    actor: &Actor,
    invoice_id: InvoiceId,
    h: &Head,
    chosen: &[(BilledDay, String)],
    everything_left: bool,
    date: Date,
    reason: &str,
) -> Result<Issued> {
    let frozen = Frozen::read(h.frozen.as_deref())?;
    let invoice_number = h.number.clone().unwrap_or_default();
    let (sources, lines, totals) =
        decide_credit(tx, invoice_id, h, &invoice_number, chosen, everything_left).await?;
    let client =
        CompanyId::parse(&h.client_id).ok_or_else(|| corrupt("company id", &h.client_id))?;
    let id = InvoiceId::new();
    super::frozen::refuse_before_last(tx, InvoiceKind::CreditNote, date).await?;
    let seq = crate::ledger::next_number(tx, InvoiceKind::CreditNote.series(), date.year()).await?;
    let number = invoice::number(InvoiceKind::CreditNote, date.year(), seq);
    insert_credit_note(tx, id, h, invoice_id, &number, date, &totals).await?;
    for (i, l) in lines.iter().enumerate() {
        let source = sources
            .iter()
            .find(|s| s.id == l.credits)
            .ok_or_else(|| corrupt("invoice line", &l.credits))?;
        insert_credit_line(tx, id, i as i32 + 1, source, l).await?;
    }
    let entry = post_sales(
        tx,
        actor,
        Sales {
            invoice_id: id,
            kind: InvoiceKind::CreditNote,
            number: &number,
            date,
            client,
            client_name: &frozen.buyer.name,
            regime: VatRegime::parse(&frozen.vat_regime).unwrap_or_default(),
            vat: totals.vat,
            gross: totals.gross,
        },
    )
    .await?;
    on_tx!(tx, |c| sqlx::query(
        "UPDATE invoices SET ledger_entry_id = $2 WHERE id = $1"
    )
    .bind(id.to_string())
    .bind(entry.id.to_string())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    audit::record(
        tx,
        actor,
        "issue_credit_note",
        "invoice",
        &id.to_string(),
        None::<&()>,
        Some(&serde_json::json!({
            "number": number,
            "credits": invoice_number,
            "half_days": chosen.len(),
            "reason": reason,
            "entry": entry.number,
        })),
    )
    .await?;
    // A credit note settles (part of) its invoice on 411.
    crate::lettering::letter_invoice(tx, actor, id, date).await?;
    Ok(Issued {
        id,
        number,
        issue_date: date,
        due_date: date,
        entry_number: entry.number,
        net: totals.net,
        vat: totals.vat,
        gross: totals.gross,
    })
}

/// The credit note's row: issued at once, numbered, with the parties
/// frozen with the invoice it credits.
async fn insert_credit_note(
    tx: &mut Tx,
    id: InvoiceId,
    h: &Head,
    invoice_id: InvoiceId,
    number: &str,
    date: Date,
    totals: &invoice::Totals,
) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO invoices (id, kind, status, client_id, mission_id, contract_id, period, series, number, issue_date,
           due_date, net_cents, vat_cents, gross_cents, credits_id, created_at, issued_at, frozen)
         VALUES ($1, 'credit_note', 'issued', $2, $3, $4, $5, $6, $7, $8, $8, $9, $10, $11, $12, $13, $13, $14)"
    )
    .bind(id.to_string())
    .bind(&h.client_id)
    .bind(&h.mission_id)
    .bind(&h.contract_id)
    .bind(&h.period)
    .bind(InvoiceKind::CreditNote.series())
    .bind(number)
    .bind(date)
    .bind(totals.net.cents())
    .bind(totals.vat.cents())
    .bind(totals.gross.cents())
    .bind(invoice_id.to_string())
    .bind(now())
    .bind(h.frozen.as_deref())
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// One line of a credit note, and its days given back.
async fn insert_credit_line(
    tx: &mut Tx,
    credit_note: InvoiceId,
    position: i32,
    s: &SourceLine,
    l: &CreditLine<String>,
) -> Result<()> {
    let line_id = uuid::Uuid::new_v4().to_string();
    on_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO invoice_lines (id, invoice_id, position, mission_id, analytic_code, description, half_days,
           unit_price_cents, vat_rate_bp, net_cents, consultant_id, service_from, service_to, credits_line_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
    )
    .bind(&line_id)
    .bind(credit_note.to_string())
    .bind(position)
    .bind(&s.mission_id)
    .bind(&s.analytic_code)
    .bind(&l.line.description)
    .bind(l.line.quantity.half_days() as i32)
    .bind(l.line.unit_price.cents())
    .bind(l.line.vat_rate.basis_points() as i32)
    .bind(l.line.net().cents())
    .bind(&s.consultant_id)
    .bind(l.from)
    .bind(l.to)
    .bind(&s.id)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    give_back(tx, &s.id, &line_id, &l.days).await
}

/// Marks the days as given back by the credit line.
async fn give_back(tx: &mut Tx, line: &str, credit_line: &str, days: &[BilledDay]) -> Result<()> {
    super::billed::give_back(tx, line, credit_line, days)
        .await?
        // Another credit note took it in between: nothing is written.
        .map_err(|d| refusal(CreditRefusal::NotOnInvoice(vec![d])))
}

#[derive(sqlx::FromRow)]
struct BilledRow {
    month: String,
    mask: i64,
    credited: i64,
    line_id: String,
    mission_id: Option<String>,
    invoice_id: String,
    #[sqlx(try_from = "String")]
    status: InvoiceStatus,
}

impl BilledRow {
    /// Each half day the line still bills.
    fn billed(self) -> Result<Vec<Billed<String, String>>> {
        let live = super::billed::mask(self.mask)?.minus(super::billed::mask(self.credited)?);
        let mission = parse_mission(self.mission_id.as_deref())?;
        Ok(live
            .slots(super::billed::month(&self.month)?)
            .into_iter()
            .map(|(day, half)| Billed {
                day,
                half,
                mission,
                issued: self.status == InvoiceStatus::Issued,
                line: self.line_id.clone(),
                invoice: self.invoice_id.clone(),
            })
            .collect())
    }
}

fn parse_mission(id: Option<&str>) -> Result<Option<MissionId>> {
    id.map(|m| MissionId::parse(m).ok_or_else(|| corrupt("mission id", m)))
        .transpose()
}

/// Brings what is billed of a consultant's month in line with his live
/// validated report: a billed day the report no longer has on that mission
/// leaves its draft (the line shrinks, an empty draft goes), or, when its
/// invoice is issued, is credited (one credit note per invoice, dated
/// `date`). The days the report gained are drafted afterwards by the
/// caller, so a correction bills the difference only. Which days go is
/// `domain::invoice::credit::stale`'s.
/// [`reconcile`] for several consultants' month: one statement finds
/// those with days billed in it, and only their months are reconciled.
pub async fn reconcile_many(
    tx: &mut Tx,
    actor: &Actor,
    consultants: &[UserId],
    month: YearMonth,
    date: Date,
) -> Result<()> {
    let mut billed: Vec<String> = Vec::new();
    for chunk in consultants.chunks(crate::MAX_BINDS - 2) {
        let sql = format!(
            "SELECT consultant_id FROM billed_guard
             WHERE month = $1 AND mask <> 0 AND consultant_id IN ({})
             ORDER BY consultant_id",
            crate::values_list_from("?", chunk.len(), 2)
        );
        let rows: Vec<String> = on_tx!(tx, |c| {
            let mut q =
                sqlx::query_scalar(sqlx::AssertSqlSafe(sql.clone())).bind(month.to_string());
            for u in chunk {
                q = q.bind(u.to_string());
            }
            q.fetch_all(c).await
        })?;
        billed.extend(rows);
    }
    for consultant in billed {
        reconcile(tx, actor, crate::id(&consultant)?, month, date).await?;
    }
    Ok(())
}

pub async fn reconcile(
    tx: &mut Tx,
    actor: &Actor,
    consultant: UserId,
    month: YearMonth,
    date: Date,
) -> Result<()> {
    let billed: Vec<BilledRow> = on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT b.month, b.mask, b.credited, b.line_id, l.mission_id, l.invoice_id, i.status FROM billed_masks b
           JOIN invoice_lines l ON l.id = b.line_id JOIN invoices i ON i.id = l.invoice_id
         WHERE b.consultant_id = $1 AND b.month = $2 AND b.mask <> b.credited"
    )
    .bind(consultant.to_string())
    .bind(month.to_string())
    .fetch_all(c)
    .await
    })?;
    if billed.is_empty() {
        return Ok(());
    }
    let billed: Vec<Billed<String, String>> = billed
        .into_iter()
        .map(BilledRow::billed)
        .collect::<Result<Vec<_>>>()?
        .into_iter()
        .flatten()
        .collect();
    let worked = worked_halves(tx, consultant, month).await?;
    let stale = rule::stale(&billed, &worked);
    for (line, days) in &stale.drafts {
        shrink_draft_line(tx, actor, line, days, date).await?;
    }
    for (invoice, days) in stale.issued {
        let days: Vec<(BilledDay, String)> = days
            .into_iter()
            .map(|(day, half, line)| {
                let d = BilledDay {
                    consultant_id: consultant,
                    day,
                    half,
                };
                (d, line)
            })
            .collect();
        let invoice: InvoiceId = crate::id(&invoice)?;
        let h = head(tx, invoice).await?;
        let live = live_days(tx, invoice).await?;
        let everything_left = live.len() == days.len();
        issue_credit(
            tx,
            actor,
            invoice,
            &h,
            &days,
            everything_left,
            date,
            "Rapport d'activité corrigé",
        )
        .await?;
    }
    Ok(())
}

/// The mission half days of the consultant's validated report of `month`.
async fn worked_halves(
    tx: &mut Tx,
    consultant: UserId,
    month: YearMonth,
) -> Result<BTreeSet<(Date, Half, Option<MissionId>)>> {
    let worked: Vec<(Date, String, Option<String>)> = on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT s.day, s.half, s.mission_id FROM cra_slots s JOIN cras r ON r.id = s.cra_id
         WHERE r.consultant_id = $1 AND r.month = $2 AND r.status = 'validated' AND s.activity = 'mission'"
    )
    .bind(consultant.to_string())
    .bind(month.to_string())
    .fetch_all(c)
    .await
    })?;
    worked
        .into_iter()
        .map(|(day, half, mission)| {
            Ok((
                day,
                Half::parse(&half).ok_or_else(|| corrupt("half", &half))?,
                parse_mission(mission.as_deref())?,
            ))
        })
        .collect()
}

/// Takes days off a draft line: the line shrinks, or goes with its last
/// day; a draft left without lines goes too (its accrual, if any, is
/// reversed first).
async fn shrink_draft_line(
    tx: &mut Tx,
    actor: &Actor,
    line: &str,
    days: &[(Date, Half)],
    date: Date,
) -> Result<()> {
    let left = super::billed::take_off(tx, line, days).await?;
    type LineRow = (String, String, i64, i32);
    let (invoice_id, description, price, rate): LineRow = on_tx!(tx, |c| {
        sqlx::query_as(
            "SELECT l.invoice_id, l.description, l.unit_price_cents, CAST(l.vat_rate_bp AS INTEGER)
         FROM invoice_lines l WHERE l.id = $1",
        )
        .bind(line)
        .fetch_one(c)
        .await
    })?;
    if left == 0 {
        on_tx!(tx, |c| sqlx::query(
            "DELETE FROM invoice_lines WHERE id = $1"
        )
        .bind(line)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    } else {
        let quantity = DayQuantity::from_half_days(left);
        let l = InvoiceLine {
            description: wording::retitle(&description, quantity),
            quantity,
            unit_price: Money::from_cents(price),
            vat_rate: VatRate::from_basis_points(rate.max(0) as u32)
                .map_err(|_| corrupt("vat rate", &rate.to_string()))?,
        };
        on_tx!(tx, |c| {
            sqlx::query(
            "UPDATE invoice_lines SET half_days = $2, net_cents = $3, description = $4 WHERE id = $1"
        )
        .bind(line)
        .bind(left as i32)
        .bind(l.net().cents())
        .bind(&l.description)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
        })?;
    }
    drop_if_empty(tx, actor, crate::id(&invoice_id)?, date).await
}

/// A draft left without lines goes (its accrual, if any, reversed first);
/// otherwise its totals follow its lines.
async fn drop_if_empty(
    tx: &mut Tx,
    actor: &Actor,
    invoice_id: InvoiceId,
    date: Date,
) -> Result<()> {
    let remaining: i64 = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM invoice_lines WHERE invoice_id = $1"
    )
    .bind(invoice_id.to_string())
    .fetch_one(c)
    .await)?;
    if remaining == 0 {
        super::accrual::drop_accrual(tx, actor, invoice_id, date).await?;
        on_tx!(tx, |c| sqlx::query(
            "DELETE FROM invoices WHERE id = $1 AND status <> 'issued'"
        )
        .bind(invoice_id.to_string())
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    } else {
        super::lines::refresh_totals(tx, invoice_id).await?;
    }
    Ok(())
}
