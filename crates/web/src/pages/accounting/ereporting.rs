//! Payment e-reporting (`/accounting/ereporting?month=2026-11`): the cash
//! received on invoices under VAT on receipts, per VAT rate, with the
//! receipts behind it (a cancelled payment, and a credit note taking back
//! VAT already received, are negative lines labelled as such); also as CSV
//! (French spreadsheet, or decimal point and commas) and JSON. A month that
//! does not parse is refused in words (page) or as a problem document
//! (downloads), nothing else done.

use askama::Template;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::Locale;
use domain::calendar::YearMonth;
use domain::locale::format_date;
use domain::money::Money;
use domain::terms::VatRate;
use domain::validation::ValidationErrors;
use serde::Deserialize;
use store::einvoicing::ereporting::{self, LineKind, Report};

use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::extract::Query;
use crate::view::{FieldErrors, Layout, layout, render, render_status};
use crate::{AppState, i18n};

#[derive(Debug, Default, Deserialize)]
pub struct MonthQuery {
    #[serde(default)]
    pub month: String,
    /// `fr` (default: `;`, decimal comma) or `intl` (`,`, decimal point).
    #[serde(default)]
    pub format: String,
}

fn month(q: &MonthQuery) -> Result<YearMonth, ValidationErrors> {
    match q.month.trim() {
        "" => Ok(YearMonth::of(store::today())),
        m => YearMonth::parse(m)
            .ok_or_else(|| ValidationErrors::single("month", "ereporting-month-invalid")),
    }
}

async fn report(app: &AppState, m: YearMonth) -> AppResult<Report> {
    let mut tx = app.db.read().await?;
    let r = ereporting::month(&mut tx, m).await?;
    tx.commit().await?;
    Ok(r)
}

fn rate_label(l: Locale, bp: u32) -> String {
    VatRate::from_basis_points(bp)
        .map(|r| r.format(l))
        .unwrap_or_else(|_| bp.to_string())
}

pub struct TotalRow {
    pub rate: String,
    pub received: String,
    pub base: String,
    pub vat: String,
}

pub struct LineRow {
    pub number: String,
    /// "Avoir", "Paiement annulé"; none for a receipt.
    pub kind: Option<String>,
    pub href: String,
    pub client: String,
    pub paid_on: String,
    pub received: String,
    /// (rate, base, VAT)
    pub shares: Vec<(String, String, String)>,
}

#[derive(Template)]
#[template(path = "accounting/ereporting.html")]
struct EreportingPage {
    layout: Layout,
    month: String,
    errors: FieldErrors,
    messages: Vec<String>,
    totals: Vec<TotalRow>,
    lines: Vec<LineRow>,
    received: String,
    base: String,
    vat: String,
    links: Option<(String, String, String)>,
}

/// GET /accounting/ereporting?month=YYYY-MM
pub async fn show(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<MonthQuery>,
) -> AppResult<Response> {
    let l = ctx.locale;
    let parsed = month(&q);
    let r = match &parsed {
        Ok(m) => Some(report(&app, *m).await?),
        Err(_) => None,
    };
    let (errors, messages) = match &parsed {
        Ok(_) => (FieldErrors::default(), Vec::new()),
        Err(v) => (
            FieldErrors::new(l, v),
            v.0.iter().map(|e| i18n::field_error(l, e)).collect(),
        ),
    };
    let fmt = |m: Money| m.format(l);
    let page = EreportingPage {
        layout: layout(&app, &ctx, "ereporting-title").await?,
        month: match &parsed {
            Ok(m) => m.to_string(),
            Err(_) => q.month.trim().to_owned(),
        },
        errors,
        messages,
        totals: r
            .iter()
            .flat_map(|r| &r.totals)
            .map(|t| TotalRow {
                rate: rate_label(l, t.rate_bp),
                received: fmt(t.received),
                base: fmt(t.base),
                vat: fmt(t.vat),
            })
            .collect(),
        lines: r
            .iter()
            .flat_map(|r| &r.lines)
            .map(|x| LineRow {
                number: x.number.clone(),
                kind: match x.kind {
                    LineKind::Receipt => None,
                    LineKind::CancelledReceipt => Some(i18n::t(l, "ereporting-kind-cancelled")),
                    LineKind::CreditNote => Some(i18n::t(l, "ereporting-kind-credit-note")),
                },
                href: format!("/invoices/{}", x.invoice_id),
                client: x.client.clone(),
                paid_on: format_date(x.paid_on, l),
                received: fmt(x.received),
                shares: x
                    .shares
                    .iter()
                    .map(|s| (rate_label(l, s.rate_bp), fmt(s.base), fmt(s.vat)))
                    .collect(),
            })
            .collect(),
        received: r.as_ref().map(|r| fmt(r.received)).unwrap_or_default(),
        base: r.as_ref().map(|r| fmt(r.base)).unwrap_or_default(),
        vat: r.as_ref().map(|r| fmt(r.vat)).unwrap_or_default(),
        links: r.as_ref().map(|r| {
            (
                format!("/accounting/ereporting.csv?month={}&format=fr", r.month),
                format!("/accounting/ereporting.csv?month={}&format=intl", r.month),
                format!("/accounting/ereporting.json?month={}", r.month),
            )
        }),
    };
    if parsed.is_err() {
        render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
    } else {
        render(&page)
    }
}

/// The export as rows of cells: one row per receipt and rate (`ligne`
/// `encaissement`, negative for a cancelled payment; `avoir` for the VAT
/// already received a credit note takes back, negative), then one per rate
/// total, then the grand total. `french`: `;` and decimal commas (and
/// the BOM of `web::csv`), otherwise `,` and decimal points.
pub fn csv_text(r: &Report, french: bool) -> String {
    let amount = |m: Money| {
        if french {
            crate::csv::amount(m)
        } else {
            let c = m.cents();
            let sign = if c < 0 { "-" } else { "" };
            format!(
                "{sign}{}.{:02}",
                c.unsigned_abs() / 100,
                c.unsigned_abs() % 100
            )
        }
    };
    let text = |s: &str| {
        if french {
            crate::csv::text(s)
        } else {
            let s = crate::csv::text(s);
            if s.contains(',') && !s.starts_with('"') {
                format!("\"{}\"", s.replace('"', "\"\""))
            } else {
                s
            }
        }
    };
    let rate = |bp: u32| {
        let s = format!("{}.{:02}", bp / 100, bp % 100);
        if french { s.replace('.', ",") } else { s }
    };
    let mut rows: Vec<Vec<String>> = vec![
        [
            "ligne",
            "mois",
            "facture",
            "client",
            "date_encaissement",
            "taux_tva",
            "encaisse_ttc",
            "base_ht",
            "tva",
        ]
        .map(String::from)
        .to_vec(),
    ];
    for l in &r.lines {
        for s in &l.shares {
            rows.push(vec![
                match l.kind {
                    LineKind::Receipt | LineKind::CancelledReceipt => "encaissement",
                    LineKind::CreditNote => "avoir",
                }
                .into(),
                r.month.clone(),
                text(&l.number),
                text(&l.client),
                l.paid_on.to_string(),
                rate(s.rate_bp),
                amount(s.base + s.vat),
                amount(s.base),
                amount(s.vat),
            ]);
        }
    }
    for t in &r.totals {
        rows.push(vec![
            "total_taux".into(),
            r.month.clone(),
            String::new(),
            String::new(),
            String::new(),
            rate(t.rate_bp),
            amount(t.received),
            amount(t.base),
            amount(t.vat),
        ]);
    }
    rows.push(vec![
        "total".into(),
        r.month.clone(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        amount(r.received),
        amount(r.base),
        amount(r.vat),
    ]);
    if french {
        crate::csv::document(&rows)
    } else {
        let mut out = String::new();
        for row in rows {
            out.push_str(&row.join(","));
            out.push_str("\r\n");
        }
        out
    }
}

fn refuse(v: ValidationErrors) -> AppError {
    AppError::Validation(v)
}

/// GET /accounting/ereporting.csv?month=YYYY-MM&format=fr|intl
pub async fn csv(
    State(app): State<AppState>,
    _ctx: Ctx,
    Query(q): Query<MonthQuery>,
) -> AppResult<Response> {
    let m = month(&q).map_err(refuse)?;
    let french = q.format.trim() != "intl";
    let r = report(&app, m).await?;
    Ok(crate::csv::response(
        &format!("ereporting-{m}.csv"),
        csv_text(&r, french),
    ))
}

/// GET /accounting/ereporting.json?month=YYYY-MM
pub async fn json(
    State(app): State<AppState>,
    _ctx: Ctx,
    Query(q): Query<MonthQuery>,
) -> AppResult<Response> {
    let m = month(&q).map_err(refuse)?;
    Ok(Json(report(&app, m).await?).into_response())
}

#[cfg(test)]
#[allow(clippy::inconsistent_digit_grouping)]
mod tests {
    use super::*;
    use domain::einvoice::RateShare;
    use store::einvoicing::ereporting::{RateTotal, ReceiptLine};

    #[test]
    fn both_csv_formats() {
        let r = Report {
            month: "2026-11".into(),
            lines: vec![ReceiptLine {
                kind: LineKind::Receipt,
                invoice_id: domain::ids::InvoiceId::new(),
                number: "FA-2026-000001".into(),
                client: "Clientis, SA".into(),
                paid_on: time::macros::date!(2026 - 11 - 10),
                received: Money::from_cents(120_50),
                shares: vec![RateShare {
                    rate_bp: 2000,
                    base: Money::from_cents(100_42),
                    vat: Money::from_cents(20_08),
                }],
            }],
            totals: vec![RateTotal {
                rate_bp: 2000,
                received: Money::from_cents(120_50),
                base: Money::from_cents(100_42),
                vat: Money::from_cents(20_08),
            }],
            received: Money::from_cents(120_50),
            base: Money::from_cents(100_42),
            vat: Money::from_cents(20_08),
        };
        let fr = csv_text(&r, true);
        assert!(fr.contains("encaissement;2026-11;FA-2026-000001;Clientis, SA;2026-11-10;20,00;120,50;100,42;20,08\r\n"), "{fr}");
        let intl = csv_text(&r, false);
        assert!(intl.contains("encaissement,2026-11,FA-2026-000001,\"Clientis, SA\",2026-11-10,20.00,120.50,100.42,20.08\r\n"), "{intl}");
        assert!(intl.ends_with("total,2026-11,,,,,120.50,100.42,20.08\r\n"));
    }

    #[test]
    fn a_credit_note_is_an_avoir_line_with_negative_amounts() {
        let r = Report {
            month: "2026-12".into(),
            lines: vec![ReceiptLine {
                kind: LineKind::CreditNote,
                invoice_id: domain::ids::InvoiceId::new(),
                number: "AV-2026-000001".into(),
                client: "Clientis".into(),
                paid_on: time::macros::date!(2026 - 12 - 02),
                received: Money::from_cents(-1_440_00),
                shares: vec![RateShare {
                    rate_bp: 2000,
                    base: Money::from_cents(-1_200_00),
                    vat: Money::from_cents(-240_00),
                }],
            }],
            totals: vec![RateTotal {
                rate_bp: 2000,
                received: Money::from_cents(-1_440_00),
                base: Money::from_cents(-1_200_00),
                vat: Money::from_cents(-240_00),
            }],
            received: Money::from_cents(-1_440_00),
            base: Money::from_cents(-1_200_00),
            vat: Money::from_cents(-240_00),
        };
        let intl = csv_text(&r, false);
        assert!(
            intl.contains("avoir,2026-12,AV-2026-000001,Clientis,2026-12-02,20.00,-1440.00,-1200.00,-240.00\r\n"),
            "{intl}"
        );
        let fr = csv_text(&r, true);
        assert!(fr.contains("avoir;2026-12;AV-2026-000001;"), "{fr}");
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["lines"][0]["kind"], "credit_note");
    }
}
