//! Closing a month of the ledger: nothing can be posted into it afterwards.
//! Above both `ledger` (periods, posting) and `brouillard` (its validation,
//! which itself posts through `ledger`), since closing validates the
//! brouillard first.

use domain::brouillard;
use domain::calendar::YearMonth;
use domain::ledger::{Journal, PeriodStatus};

use crate::ledger::{period_status, refuse};
use crate::{Actor, Result, Tx, audit, now, on_tx};

/// Closes a month: nothing can be posted into it afterwards. The
/// brouillard is validated up to its last day first, so every entry of a
/// closed month is numbered and sealed.
pub async fn close_period(tx: &mut Tx, actor: &Actor, month: YearMonth) -> Result<()> {
    if period_status(tx, month).await? == PeriodStatus::Closed {
        return Err(refuse(
            "month",
            "ledger-period-already-closed",
            domain::args![("month", month)],
        ));
    }
    for journal in Journal::ALL {
        if brouillard::numbered_at_validation(journal) {
            crate::brouillard::validate_through(tx, actor, journal, month.last_day()).await?;
        }
    }
    on_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO ledger_periods (month, status, closed_at, closed_by) VALUES ($1, 'closed', $2, $3)
         ON CONFLICT (month) DO UPDATE SET status = 'closed', closed_at = $2, closed_by = $3"
    )
    .bind(month.to_string())
    .bind(now())
    .bind(actor.user_id.map(|u| u.to_string()))
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    audit::record(
        tx,
        actor,
        "close_period",
        "ledger_period",
        &month.to_string(),
        None::<&()>,
        Some(&month.to_string()),
    )
    .await
}
