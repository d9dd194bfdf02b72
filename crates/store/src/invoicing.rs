//! Draft invoices from manager-validated activity reports: one invoice per
//! mission and month, one line per rate period ("Prestation de Camille
//! Martin — novembre 2026 — 20 j × 600,00 €"), each line recording the half
//! days it bills in `billed_days`, where the database lets a day be billed
//! only once. Issuing, credit notes and accruals build on this.

use std::collections::BTreeMap;

use domain::Locale;
use domain::cra::{CraStatus, Half};
use domain::ids::{CompanyId, CraId, MissionId, UserId};
use domain::invoice::{self, InvoiceLine};
use domain::mission::DayQuantity;
use domain::money::Money;
use domain::terms::VatRate;
use domain::validation::ValidationErrors;
use serde::Serialize;
use time::Date;

use crate::{Actor, Error, Result, Scope, Tx, audit, corrupt, map_unique, now, on_tx};

/// The series of invoice numbers (FA-2026-000123 once issued).
pub const SERIES: &str = "FA";

#[derive(Debug, Clone, Serialize)]
pub struct Draft {
    pub id: String,
    pub client_id: CompanyId,
    pub mission_id: MissionId,
    /// Waiting for the client contract's signature (key-account lock).
    pub waiting_signature: bool,
    pub lines: Vec<InvoiceLine>,
    pub totals: invoice::Totals,
}

fn refuse(field: &'static str, key: &'static str) -> Error {
    Error::Invalid(ValidationErrors::single(field, key))
}

/// Drafts the invoices of a validated report's days not billed yet. Running
/// it again finds nothing left to bill and drafts nothing.
pub async fn draft_for_report(tx: &mut Tx, actor: &Actor, cra: CraId) -> Result<Vec<Draft>> {
    let sheet = crate::cras::get(tx, Scope::All, cra).await?;
    if sheet.cra.status != CraStatus::Validated {
        return Err(refuse("cra", "invoice-report-not-validated"));
    }
    let month = sheet.cra.month;
    let periods: Vec<_> = crate::cra_reports::billable(tx, month, month)
        .await?
        .into_iter()
        .filter(|l| l.cra_id == cra)
        .collect();
    let consultant = sheet.cra.consultant_id;
    let unbilled: Vec<(Date, String, String)> = on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT s.day, s.half, s.mission_id FROM cra_slots s
         WHERE s.cra_id = $1 AND s.activity = 'mission' AND NOT EXISTS (
           SELECT 1 FROM billed_days b WHERE b.consultant_id = $2 AND b.day = s.day AND b.half = s.half
             AND b.credit_line_id IS NULL)
         ORDER BY s.day, s.half"
    )
    .bind(cra.to_string())
    .bind(consultant.to_string())
    .fetch_all(c)
    .await
    })?;
    let mut by_mission: BTreeMap<String, Vec<(Date, Half)>> = BTreeMap::new();
    for (day, half, mission) in unbilled {
        let h = Half::parse(&half).ok_or_else(|| corrupt("half", &half))?;
        by_mission.entry(mission).or_default().push((day, h));
    }
    let mut drafts = Vec::new();
    for (mission, slots) in by_mission {
        let mission_id =
            MissionId::parse(&mission).ok_or_else(|| corrupt("mission id", &mission))?;
        let terms: (i32, bool, Option<String>) = on_tx!(tx, |c| {
            sqlx::query_as(
            "SELECT CAST(m.vat_rate_bp AS INTEGER), m.invoicing_locked, k.status
             FROM missions m LEFT JOIN client_contracts k ON k.id = m.client_contract_id WHERE m.id = $1"
        )
        .bind(&mission)
        .fetch_one(c)
        .await
        })?;
        let vat_rate = VatRate::from_basis_points(terms.0.max(0) as u32)
            .map_err(|_| corrupt("vat rate", &terms.0.to_string()))?;
        let waiting = terms.1 && terms.2.as_deref() != Some("signed");
        let mut lines = Vec::new();
        let mut line_slots: Vec<Vec<(Date, Half)>> = Vec::new();
        let mut client = None;
        let mut analytic = String::new();
        for p in periods.iter().filter(|p| p.mission_id == mission_id) {
            let mine: Vec<(Date, Half)> = slots
                .iter()
                .filter(|(d, _)| p.from <= *d && *d <= p.to)
                .copied()
                .collect();
            if mine.is_empty() {
                continue;
            }
            let Some(tjm) = p.tjm else {
                return Err(refuse("cra", "invoice-days-without-rate"));
            };
            client = Some(p.client_id);
            analytic.clone_from(&p.analytic_code);
            let quantity = DayQuantity::from_half_days(mine.len() as u32);
            lines.push(InvoiceLine {
                description: format!(
                    "Prestation de {} — {} — {} j × {}",
                    p.consultant_name,
                    month.label_fr(),
                    quantity.format(Locale::Fr),
                    tjm.amount().format(Locale::Fr)
                ),
                quantity,
                unit_price: tjm.amount(),
                vat_rate,
            });
            line_slots.push(mine);
        }
        let Some(client) = client else {
            continue;
        };
        let totals = invoice::totals(&lines);
        let id = uuid::Uuid::new_v4().to_string();
        on_tx!(tx, |c| {
            sqlx::query(
            "INSERT INTO invoices (id, kind, status, client_id, mission_id, period, series, net_cents, vat_cents,
               gross_cents, created_at)
             VALUES ($1, 'invoice', $2, $3, $4, $5, $6, $7, $8, $9, $10)"
        )
        .bind(&id)
        .bind(if waiting { "waiting_signature" } else { "draft" })
        .bind(client.to_string())
        .bind(&mission)
        .bind(month.to_string())
        .bind(SERIES)
        .bind(totals.net.cents())
        .bind(totals.vat.cents())
        .bind(totals.gross.cents())
        .bind(now())
        .execute(c)
        .await
        .map(|r| r.rows_affected())
        })?;
        for (i, (l, days)) in lines.iter().zip(&line_slots).enumerate() {
            let line_id = uuid::Uuid::new_v4().to_string();
            on_tx!(tx, |c| {
                sqlx::query(
                "INSERT INTO invoice_lines (id, invoice_id, position, mission_id, analytic_code, description, half_days,
                   unit_price_cents, vat_rate_bp, net_cents)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
            )
            .bind(&line_id)
            .bind(&id)
            .bind(i as i32 + 1)
            .bind(&mission)
            .bind(&analytic)
            .bind(&l.description)
            .bind(l.quantity.half_days() as i32)
            .bind(l.unit_price.cents())
            .bind(l.vat_rate.basis_points() as i32)
            .bind(l.net().cents())
            .execute(c)
            .await
            .map(|r| r.rows_affected())
            })?;
            record_billed(tx, consultant, cra, &line_id, days).await?;
        }
        audit::record(
            tx,
            actor,
            "draft_invoice",
            "invoice",
            &id,
            None::<&()>,
            Some(&serde_json::json!({ "cra": cra.to_string(), "net_cents": totals.net.cents() })),
        )
        .await?;
        drafts.push(Draft {
            id,
            client_id: client,
            mission_id,
            waiting_signature: waiting,
            lines,
            totals,
        });
    }
    Ok(drafts)
}

/// Records the half days a line bills. A day already billed (and not
/// credited) makes the database refuse the whole statement.
async fn record_billed(
    tx: &mut Tx,
    consultant: UserId,
    cra: CraId,
    line_id: &str,
    days: &[(Date, Half)],
) -> Result<()> {
    const ROW: &str = "(?, ?, ?, ?, ?)";
    for chunk in days.chunks(crate::rows_per_statement(5)) {
        let sql = format!(
            "INSERT INTO billed_days (consultant_id, day, half, cra_id, line_id) VALUES {}",
            crate::values_list(ROW, chunk.len())
        );
        on_tx!(tx, |c| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
            for (d, h) in chunk {
                q = q
                    .bind(consultant.to_string())
                    .bind(*d)
                    .bind(h.as_str())
                    .bind(cra.to_string())
                    .bind(line_id);
            }
            q.execute(c).await.map(|r| r.rows_affected())
        })
        .map_err(|e| map_unique(e, &[("billed_days", "day")]))?;
    }
    Ok(())
}

/// What is billed so far for a consultant's day, if anything.
pub async fn billed_line(
    tx: &mut Tx,
    consultant: UserId,
    day: Date,
    half: Half,
) -> Result<Option<String>> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_scalar(
        "SELECT line_id FROM billed_days WHERE consultant_id = $1 AND day = $2 AND half = $3 AND credit_line_id IS NULL"
    )
    .bind(consultant.to_string())
    .bind(day)
    .bind(half.as_str())
    .fetch_optional(c)
    .await
    })?)
}

/// Totals of the invoices of a period by status (for the pages to come and
/// the close's summary).
pub async fn period_totals(tx: &mut Tx, period: &str) -> Result<Vec<(String, i64, Money)>> {
    let rows: Vec<(String, i64, i64)> = on_tx!(tx, |c| sqlx::query_as(
        "SELECT status, COUNT(*), CAST(COALESCE(SUM(net_cents), 0) AS BIGINT) FROM invoices
         WHERE period = $1 AND kind = 'invoice' GROUP BY status ORDER BY status"
    )
    .bind(period)
    .fetch_all(c)
    .await)?;
    Ok(rows
        .into_iter()
        .map(|(s, n, cents)| (s, n, Money::from_cents(cents)))
        .collect())
}

/// An issued invoice: its number and the sales entry posted with it.
#[derive(Debug, Clone, Serialize)]
pub struct Issued {
    pub id: String,
    pub number: String,
    pub issue_date: Date,
    pub entry_number: String,
}

/// What the invoice needs from its client before it can carry every legal
/// mention (C. com. L441-9, reform additions): the SIREN and an address.
fn missing_mentions(c: &domain::company::CompanyData) -> Vec<&'static str> {
    let mut missing = Vec::new();
    if c.siren.is_none() {
        missing.push("SIREN");
    }
    if c.address_line1.is_none() || c.postcode.is_none() || c.city.is_none() {
        missing.push("adresse");
    }
    missing
}

/// Issues a draft: the next number of the series for the year, gap-free and
/// chronological, taken in the same transaction as the sales entry
/// (411 / 706 / VAT), so a failure leaves neither. Invoices waiting for the
/// client contract's signature cannot be issued; a client without SIREN or
/// address is refused with the list of what is missing.
pub async fn issue(tx: &mut Tx, actor: &Actor, id: &str, date: Date) -> Result<Issued> {
    type Row = (
        String,
        String,
        String,
        String,
        i64,
        i64,
        i64,
        Option<String>,
    );
    let row: Option<Row> = on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT i.status, i.client_id, i.period, COALESCE(m.vat_regime, 'on_receipts'), i.net_cents, i.vat_cents,
           i.gross_cents, m.analytic_code
         FROM invoices i LEFT JOIN missions m ON m.id = i.mission_id WHERE i.id = $1 AND i.kind = 'invoice'"
    )
    .bind(id)
    .fetch_optional(c)
    .await
    })?;
    let (status, client, period, regime, net, vat, gross, analytic) = row.ok_or(Error::NotFound)?;
    match status.as_str() {
        "draft" => {}
        "waiting_signature" => return Err(refuse("status", "invoice-waiting-signature")),
        _ => return Err(refuse("status", "invoice-already-issued")),
    }
    let client_id = CompanyId::parse(&client).ok_or_else(|| corrupt("company id", &client))?;
    let company = crate::companies::get(tx, Scope::All, client_id).await?;
    let missing = missing_mentions(&company.data);
    if !missing.is_empty() {
        let mut e = ValidationErrors::new();
        e.add_with(
            "client",
            "invoice-client-incomplete",
            vec![("missing", missing.join(", "))],
        );
        return Err(Error::Invalid(e));
    }
    let year = date.year();
    let seq = crate::ledger::next_number(tx, SERIES, year).await?;
    let number = format!("{SERIES}-{year}-{seq:06}");
    // VAT on receipts waits in 44574 until paid; on debits it is due now.
    let vat_account = if regime == "on_debits" {
        "44571"
    } else {
        "44574"
    };
    let mut lines = vec![
        domain::ledger::Line::debit("411", Money::from_cents(gross), &company.data.name)
            .for_customer(client_id),
        domain::ledger::Line::credit(
            "706",
            Money::from_cents(net),
            &format!("Prestations {period}"),
        ),
    ];
    if let Some(code) = &analytic {
        lines[1] = lines[1].clone().analytic(code);
    }
    if vat > 0 {
        lines.push(domain::ledger::Line::credit(
            vat_account,
            Money::from_cents(vat),
            "TVA collectée",
        ));
    }
    let entry = crate::ledger::post(
        tx,
        actor,
        &domain::ledger::NewEntry {
            journal: domain::ledger::Journal::Ve,
            date,
            label: format!("Facture {number} — {}", company.data.name),
            piece_ref: Some(number.clone()),
            lines,
        },
        Some(&format!("invoice:{id}")),
    )
    .await?;
    let n = on_tx!(tx, |c| {
        sqlx::query(
        "UPDATE invoices SET status = 'issued', number = $2, issue_date = $3, issued_at = $4, ledger_entry_id = $5
         WHERE id = $1 AND status = 'draft'"
    )
    .bind(id)
    .bind(&number)
    .bind(date)
    .bind(now())
    .bind(&entry.id)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    if n == 0 {
        return Err(refuse("status", "invoice-already-issued"));
    }
    audit::record(
        tx,
        actor,
        "issue_invoice",
        "invoice",
        id,
        None::<&()>,
        Some(&serde_json::json!({ "number": number, "entry": entry.number })),
    )
    .await?;
    Ok(Issued {
        id: id.to_owned(),
        number,
        issue_date: date,
        entry_number: entry.number,
    })
}
