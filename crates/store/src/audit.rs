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
    let before = before.map(|b| serde_json::to_string(b).unwrap_or_default());
    let after = after.map(|a| serde_json::to_string(a).unwrap_or_default());
    let sql = "INSERT INTO audit_log (id, at, actor_user_id, actor_label, action, entity, entity_id, before_json, after_json, ip)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(uuid::Uuid::new_v4().to_string())
        .bind(now())
        .bind(actor.user_id.map(|u| u.to_string()))
        .bind(&actor.label)
        .bind(action)
        .bind(entity)
        .bind(entity_id)
        .bind(&before)
        .bind(&after)
        .bind(&actor.ip)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
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
