//! Invoicing's figures, read by the home pages and meant for the
//! dashboards: how many documents wait in a state and for how much, the
//! accrued revenue (FAE) at stake, and the revenue invoiced over a period.
//!
//! Revenue invoiced over a period is what the invoices issued in it bill
//! net of VAT, less the credit notes issued in it (by issue date). A
//! business manager's figures are those of his missions (his portfolio,
//! past periods included): the documents of such a mission, or of a client
//! contract one of them bills under.

use domain::ids::UserId;
use domain::invoice::InvoiceStatus;
use domain::money::Money;
use serde::Serialize;
use time::Date;

use crate::{Result, Tx, on_tx};

/// The documents of the missions of `$n`'s portfolio (any document when
/// `$n` is null), on `i` (invoices): the business manager's scope itself
/// (`crate::portfolio_invoices!`), so his figures, his "mine" filter and
/// what he may open count the same documents, those of every mission he
/// holds or held a share of.
macro_rules! managed_by {
    ($n:literal) => {
        $crate::portfolio_invoices!($n)
    };
}
pub(crate) use managed_by;

/// How many documents and their total TTC.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Count {
    pub count: u64,
    pub gross: Money,
}

/// The invoices (not credit notes) in `status`: of every mission, or of
/// those `manager` manages.
pub async fn in_status(
    tx: &mut Tx,
    status: InvoiceStatus,
    manager: Option<UserId>,
) -> Result<Count> {
    let (n, cents): (i64, i64) = on_tx!(tx, |c| sqlx::query_as(concat!(
        "SELECT CAST(COUNT(*) AS BIGINT), CAST(COALESCE(SUM(i.gross_cents), 0) AS BIGINT)
         FROM invoices i WHERE i.kind = 'invoice' AND i.status = $1 AND ",
        managed_by!("$2")
    ))
    .bind(status.as_str())
    .bind(manager.map(|m| m.to_string()))
    .fetch_one(c)
    .await)?;
    Ok(Count {
        count: n.max(0) as u64,
        gross: Money::from_cents(cents),
    })
}

/// The accrued revenue (FAE) at stake: the invoices held back for a
/// contract's signature whose accrual is still booked (not reversed).
pub async fn accrued_at_stake(tx: &mut Tx) -> Result<Count> {
    let (n, cents): (i64, i64) = on_tx!(tx, |c| sqlx::query_as(
        "SELECT CAST(COUNT(*) AS BIGINT), CAST(COALESCE(SUM(gross_cents), 0) AS BIGINT)
         FROM accruals WHERE reversal_entry_id IS NULL"
    )
    .fetch_one(c)
    .await)?;
    Ok(Count {
        count: n.max(0) as u64,
        gross: Money::from_cents(cents),
    })
}

/// The revenue invoiced (HT) from `from` to `to` included: of every
/// mission, or of those `manager` manages.
pub async fn revenue_invoiced(
    tx: &mut Tx,
    from: Date,
    to: Date,
    manager: Option<UserId>,
) -> Result<Money> {
    let cents: i64 = on_tx!(tx, |c| {
        sqlx::query_scalar(concat!(
        "SELECT CAST(COALESCE(SUM(CASE WHEN i.kind = 'credit_note' THEN -i.net_cents ELSE i.net_cents END), 0) AS BIGINT)
         FROM invoices i WHERE i.status = 'issued' AND i.issue_date >= $1 AND i.issue_date <= $2 AND ",
        managed_by!("$3")
    ))
    .bind(from)
    .bind(to)
    .bind(manager.map(|m| m.to_string()))
    .fetch_one(c)
    .await
    })?;
    Ok(Money::from_cents(cents))
}
