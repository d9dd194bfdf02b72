//! Statement lines posted to an account the accountant picks, from the
//! matching queue: bank fees, interest, transfers between the firm's
//! accounts, unexplained receipts parked in a suspense account
//! (`domain::bank_posting` decides the entry). The line is then handled,
//! linked to its entry, in the same transaction.

use domain::bank_posting::{self, LineToPost};
use domain::ids::BankLineId;
use domain::matching::BankLineStatus;
use domain::validation::ValidationErrors;

use crate::statements::{BankLine, LINE_COLUMNS, line};
use crate::{Actor, Error, Result, Tx, audit, ledger, now, on_tx};

/// The lines waiting to be posted: money going out not yet handled, and
/// every line set aside without an entry, oldest first.
pub async fn waiting(tx: &mut Tx, limit: i64) -> Result<Vec<BankLine>> {
    let sql = format!(
        "SELECT {LINE_COLUMNS} FROM bank_lines
         WHERE ((status = 'unmatched' AND amount_cents < 0) OR status = 'ignored') AND ledger_entry_id IS NULL
         ORDER BY booking_date, statement_id, position LIMIT $1"
    );
    Ok(on_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(
        sql.clone()
    ))
    .bind(limit)
    .fetch_all(c)
    .await)?)
}

/// The accounts a line may be posted to (active, not the customers').
pub async fn accounts(tx: &mut Tx) -> Result<Vec<(String, String)>> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT number, label FROM ledger_accounts WHERE active = TRUE AND number NOT LIKE '411%' ORDER BY number"
    )
    .fetch_all(c)
    .await
    })?)
}

/// Posts line `line_id` against `account`; returns the entry. Refused,
/// with nothing written, for a line already handled (matched to a payment
/// or posted), an account the rule refuses, or an entry the ledger
/// refuses (closed period, date outside the open years…).
pub async fn post(
    tx: &mut Tx,
    actor: &Actor,
    line_id: BankLineId,
    account: &str,
) -> Result<ledger::Posted> {
    let l = line(tx, line_id).await?;
    if l.status == BankLineStatus::Matched {
        return Err(handled());
    }
    let bank = crate::bank_accounts::get(tx, l.bank_account_id).await?;
    let entry = bank_posting::entry(
        &LineToPost {
            booking_date: l.booking_date,
            amount: l.amount(),
            label: &l.label,
            bank_reference: l.bank_reference.as_deref(),
            bank_account: &bank.ledger_account,
        },
        account.trim(),
    )
    .map_err(Error::Invalid)?;
    let posted = ledger::post(tx, actor, &entry, Some(&format!("bank_line:{line_id}"))).await?;
    let done = on_tx!(tx, |c| {
        sqlx::query(
        "UPDATE bank_lines SET status = 'matched', ledger_entry_id = $2, handled_by = $3, handled_at = $4
         WHERE id = $1 AND status IN ($5, $6) AND ledger_entry_id IS NULL"
    )
    .bind(line_id.to_string())
    .bind(posted.id.to_string())
    .bind(actor.user_id.map(|u| u.to_string()))
    .bind(now())
    .bind(BankLineStatus::Unmatched.as_str())
    .bind(BankLineStatus::Ignored.as_str())
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    if done == 0 {
        // Handled by someone else in between.
        return Err(handled());
    }
    audit::record(
        tx,
        actor,
        "post_bank_line",
        "bank_line",
        &line_id.to_string(),
        None::<&()>,
        Some(&serde_json::json!({ "account": account.trim(), "entry": posted.number })),
    )
    .await?;
    Ok(posted)
}

/// The refusal of a line already matched to a payment or posted.
fn handled() -> Error {
    Error::Invalid(ValidationErrors::single("line", "bank-posting-handled"))
}
