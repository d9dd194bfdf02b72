//! The morning e-mail: every day, each active user with open activities
//! due today or overdue receives one e-mail listing them, with the link to
//! "ma journée". Once per user and day, across instances and re-runs: the
//! e-mail is first recorded in `activity_digests` (user, day) with
//! `ON CONFLICT DO NOTHING`, and only the rows this call inserted are
//! queued, in the caller's transaction.

use std::collections::BTreeMap;

use domain::crm::activity::{ActivityKind, DigestLine, morning_email};
use time::Date;

use crate::outbox::{self, NewEmail};
use crate::{Result, Tx, corrupt, now, on_tx};

/// The daily job's kind.
pub const DIGEST_JOB: &str = "activity-digest";

#[derive(sqlx::FromRow)]
struct Due {
    user_id: String,
    email: String,
    display_name: String,
    kind: String,
    title: String,
    due_date: Date,
    account: Option<String>,
}

/// Queues today's morning e-mails not sent yet; returns how many.
pub async fn run_morning_digest(tx: &mut Tx, base_url: &str, today: Date) -> Result<u64> {
    // Served by the partial index `tasks_due_open`.
    let due: Vec<Due> = on_tx!(tx, |c| sqlx::query_as(
        "SELECT t.assignee_id AS user_id, u.email, u.display_name, t.kind, t.title, t.due_date,
                c.name AS account
         FROM tasks t JOIN users u ON u.id = t.assignee_id
         LEFT JOIN missions m ON m.id = t.mission_id
         LEFT JOIN companies c ON c.id = COALESCE(t.company_id, m.client_id)
         WHERE t.done_at IS NULL AND t.due_date <= $1 AND u.active
         ORDER BY t.assignee_id, t.due_date, t.id"
    )
    .bind(today)
    .fetch_all(c)
    .await)?;
    let mut by_user: BTreeMap<String, (String, String, Vec<DigestLine>)> = BTreeMap::new();
    for d in due {
        let kind = ActivityKind::parse(&d.kind).ok_or_else(|| corrupt("activity kind", &d.kind))?;
        by_user
            .entry(d.user_id)
            .or_insert_with(|| (d.email, d.display_name, Vec::new()))
            .2
            .push(DigestLine {
                kind,
                title: d.title,
                due_date: d.due_date,
                account: d.account,
            });
    }
    let link = format!("{}/my-day", base_url.trim_end_matches('/'));
    let mut emails = Vec::new();
    for (user, (to, name, lines)) in by_user {
        let claimed = on_tx!(tx, |c| sqlx::query(
            "INSERT INTO activity_digests (user_id, day, sent_at) VALUES ($1, $2, $3)
             ON CONFLICT DO NOTHING"
        )
        .bind(user.as_str())
        .bind(today)
        .bind(now())
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
        if claimed == 0 {
            continue;
        }
        if let Some((subject, text)) = morning_email(&name, &lines, today, &link) {
            emails.push(NewEmail { to, subject, text });
        }
    }
    outbox::queue_many(tx, &emails).await?;
    Ok(emails.len() as u64)
}
