//! The audit log: who changed what, when, with the record before and after.
//! Written inside the transaction of the change, so both land or neither.

use domain::ids::UserId;
use serde::Serialize;

use crate::{Result, Tx, now, on_tx};

#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: Option<UserId>,
    /// Who, in words, for entries made by the system or the command line.
    pub label: String,
    pub ip: Option<String>,
}

impl Actor {
    pub fn system(label: &str) -> Actor {
        Actor {
            user_id: None,
            label: label.to_string(),
            ip: None,
        }
    }
}

pub async fn record<B: Serialize, A: Serialize>(
    tx: &mut Tx,
    actor: &Actor,
    action: &str,
    entity: &str,
    entity_id: &str,
    before: Option<&B>,
    after: Option<&A>,
) -> Result<()> {
    let row = Row {
        action,
        entity,
        entity_id: entity_id.to_owned(),
        before: before.map(|b| serde_json::to_string(b).unwrap_or_default()),
        after: after.map(|a| serde_json::to_string(a).unwrap_or_default()),
    };
    record_many(tx, actor, std::slice::from_ref(&row)).await
}

/// One line of the log, its records already serialised: what
/// [`record_many`] writes for a batch (the month-end close logs thousands).
#[derive(Debug, Clone)]
pub struct Row<'a> {
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// Writes the lines of one actor's batch in multi-row statements, each
/// exactly as [`record`] would, in order.
pub async fn record_many(tx: &mut Tx, actor: &Actor, rows: &[Row<'_>]) -> Result<()> {
    const ROW: &str = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    let at = now();
    let user = actor.user_id.map(|u| u.to_string());
    for chunk in rows.chunks(crate::rows_per_statement(10)) {
        let sql = format!(
            "INSERT INTO audit_log (id, at, actor_user_id, actor_label, action, entity, entity_id, before_json,
               after_json, ip) VALUES {}",
            crate::values_list(ROW, chunk.len())
        );
        on_tx!(tx, |c| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
            for r in chunk {
                q = q
                    .bind(uuid::Uuid::new_v4().to_string())
                    .bind(at)
                    .bind(user.as_deref())
                    .bind(&actor.label)
                    .bind(r.action)
                    .bind(r.entity)
                    .bind(&r.entity_id)
                    .bind(r.before.as_deref())
                    .bind(r.after.as_deref())
                    .bind(actor.ip.as_deref());
            }
            q.execute(c).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct AuditEntry {
    pub at: time::OffsetDateTime,
    pub actor_label: String,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<String>,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
}

/// The history of one record, newest first.
pub async fn for_entity(tx: &mut Tx, entity: &str, entity_id: &str) -> Result<Vec<AuditEntry>> {
    let sql = "SELECT at, actor_label, action, entity, entity_id, before_json, after_json
               FROM audit_log WHERE entity = $1 AND entity_id = $2 ORDER BY at DESC";
    Ok(on_tx!(tx, |c| sqlx::query_as(sql)
        .bind(entity)
        .bind(entity_id)
        .fetch_all(c)
        .await)?)
}
