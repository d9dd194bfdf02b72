//! Client commercial contracts and their signature status. Signing one
//! queues, in the same transaction, the job that releases the invoices
//! waiting for that contract (`invoicing::lock::RELEASE_JOB`).

use domain::contract::{
    ContractData, ContractEvent, ContractInvoicing, ContractKind, ContractStatus, InvoiceGrouping,
};
use domain::ids::{CompanyId, ContractId, MissionId};
use domain::mission::DayQuantity;
use domain::terms::PaymentTerms;
use domain::validation::ValidationErrors;
use serde::Serialize;
use time::{Date, OffsetDateTime};

use crate::{Actor, Error, Result, Scope, Tx, audit, corrupt, map_unique, now, on_tx};

#[derive(Debug, Clone, Serialize)]
pub struct Contract {
    pub id: ContractId,
    #[serde(flatten)]
    pub data: ContractData,
    pub status: ContractStatus,
    pub client_name: String,
    pub sent_at: Option<OffsetDateTime>,
    pub signed_at: Option<OffsetDateTime>,
    pub signed_on_paper: bool,
    pub signed_by: Option<String>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    client_id: String,
    client_name: String,
    kind: String,
    reference: String,
    title: String,
    valid_from: Date,
    valid_to: Option<Date>,
    ceiling_half_days: Option<i64>,
    ceiling_cents: Option<i64>,
    payment_days: i32,
    payment_end_of_month: bool,
    status: String,
    sent_at: Option<OffsetDateTime>,
    signed_at: Option<OffsetDateTime>,
    signed_on_paper: bool,
    signed_by: Option<String>,
    invoice_grouping: String,
    issue_at_close: bool,
}

impl TryFrom<Row> for Contract {
    type Error = Error;
    fn try_from(r: Row) -> Result<Contract> {
        Ok(Contract {
            id: ContractId::parse(&r.id).ok_or_else(|| corrupt("contract id", &r.id))?,
            data: ContractData {
                client_id: CompanyId::parse(&r.client_id)
                    .ok_or_else(|| corrupt("client id", &r.client_id))?,
                kind: ContractKind::parse(&r.kind)
                    .ok_or_else(|| corrupt("contract kind", &r.kind))?,
                reference: r.reference,
                title: r.title,
                valid_from: r.valid_from,
                valid_to: r.valid_to,
                ceiling_days: r
                    .ceiling_half_days
                    .map(|h| DayQuantity::from_half_days(h as u32)),
                ceiling_amount: r.ceiling_cents.map(domain::Money::from_cents),
                payment_terms: PaymentTerms::new(r.payment_days as u16, r.payment_end_of_month)
                    .map_err(|_| corrupt("payment terms", &r.payment_days.to_string()))?,
                invoicing: ContractInvoicing {
                    invoice_grouping: InvoiceGrouping::parse(&r.invoice_grouping)
                        .ok_or_else(|| corrupt("invoice grouping", &r.invoice_grouping))?,
                    issue_at_close: r.issue_at_close,
                },
            },
            status: ContractStatus::parse(&r.status)
                .ok_or_else(|| corrupt("contract status", &r.status))?,
            client_name: r.client_name,
            sent_at: r.sent_at,
            signed_at: r.signed_at,
            signed_on_paper: r.signed_on_paper,
            signed_by: r.signed_by,
        })
    }
}

/// Every contract query carries the scope: a client contact sees his
/// company's contracts; a consultant those of the clients of his missions.
macro_rules! select_contracts {
    ($where:literal, $tail:literal) => {
        concat!(
            "SELECT k.id, k.client_id, c.name AS client_name, k.kind, k.reference, k.title, k.valid_from, k.valid_to, \
             k.ceiling_half_days, k.ceiling_cents, CAST(k.payment_days AS INTEGER) AS payment_days, \
             k.payment_end_of_month, k.status, k.sent_at, k.signed_at, k.signed_on_paper, k.signed_by, \
             k.invoice_grouping, k.issue_at_close \
             FROM client_contracts k JOIN companies c ON c.id = k.client_id WHERE ",
            $where,
            " AND ",
            crate::scope_clause!(contracts),
            $tail
        )
    };
}

pub async fn create(tx: &mut Tx, actor: &Actor, d: &ContractData) -> Result<Contract> {
    let kind: Option<String> = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT kind FROM companies WHERE id = $1"
    )
    .bind(d.client_id.to_string())
    .fetch_optional(c)
    .await)?;
    if kind.as_deref() != Some("client") {
        return Err(Error::Invalid(ValidationErrors::single(
            "client_id",
            "mission-client-not-client",
        )));
    }
    let id = ContractId::new();
    let at = now();
    on_tx!(tx, |c| sqlx::query(
        "INSERT INTO client_contracts (id, client_id, kind, reference, title, valid_from, valid_to, ceiling_half_days,
           ceiling_cents, payment_days, payment_end_of_month, invoice_grouping, issue_at_close, status, created_at,
           updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'draft', $14, $14)"
    )
    .bind(id.to_string())
    .bind(d.client_id.to_string())
    .bind(d.kind.as_str())
    .bind(&d.reference)
    .bind(&d.title)
    .bind(d.valid_from)
    .bind(d.valid_to)
    .bind(d.ceiling_days.map(|q| i64::from(q.half_days())))
    .bind(d.ceiling_amount.map(|m| m.cents()))
    .bind(i32::from(d.payment_terms.days()))
    .bind(d.payment_terms.end_of_month())
    .bind(d.invoicing.invoice_grouping.as_str())
    .bind(d.invoicing.issue_at_close)
    .bind(at)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .map_err(|e| map_unique(e, &[("reference", "reference")]))?;
    let contract = get(tx, Scope::All, id).await?;
    audit::record(
        tx,
        actor,
        "create",
        "contract",
        &id.to_string(),
        None::<&()>,
        Some(&contract),
    )
    .await?;
    Ok(contract)
}

pub async fn get(tx: &mut Tx, scope: Scope, id: ContractId) -> Result<Contract> {
    let row: Option<Row> = on_tx!(tx, |c| sqlx::query_as(select_contracts!("k.id = $4", ""))
        .bind(scope.company())
        .bind(scope.own_user())
        .bind(scope.portfolio())
        .bind(id.to_string())
        .fetch_optional(c)
        .await)?;
    row.ok_or(Error::NotFound)?.try_into()
}

pub async fn for_client(tx: &mut Tx, scope: Scope, client: CompanyId) -> Result<Vec<Contract>> {
    let rows: Vec<Row> = on_tx!(tx, |c| sqlx::query_as(select_contracts!(
        "k.client_id = $4",
        "ORDER BY k.valid_from DESC, k.id"
    ))
    .bind(scope.company())
    .bind(scope.own_user())
    .bind(scope.portfolio())
    .bind(client.to_string())
    .fetch_all(c)
    .await)?;
    rows.into_iter().map(Contract::try_from).collect()
}

/// Moves a contract along its life (sent, signed, cancelled). Signing records
/// who signed and whether on paper, and queues the release of the invoices
/// waiting for it.
pub async fn apply(
    tx: &mut Tx,
    actor: &Actor,
    scope: Scope,
    id: ContractId,
    event: ContractEvent,
    signed_by: Option<&str>,
) -> Result<Contract> {
    let before = get(tx, scope, id).await?;
    let next = before.status.transition(event).map_err(|_| {
        Error::Invalid(ValidationErrors::single(
            "status",
            "contract-illegal-transition",
        ))
    })?;
    let at = now();
    on_tx!(tx, |c| sqlx::query(
        "UPDATE client_contracts SET status = $2, updated_at = $3,
           sent_at = CASE WHEN $2 = 'sent' THEN $3 ELSE sent_at END,
           signed_at = CASE WHEN $2 = 'signed' THEN $3 ELSE signed_at END,
           signed_on_paper = CASE WHEN $2 = 'signed' THEN $4 ELSE signed_on_paper END,
           signed_by = CASE WHEN $2 = 'signed' THEN $5 ELSE signed_by END
         WHERE id = $1 AND status = $6"
    )
    .bind(id.to_string())
    .bind(next.as_str())
    .bind(at)
    .bind(signed_by.is_some())
    .bind(signed_by)
    .bind(before.status.as_str())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    if next == ContractStatus::Signed {
        let payload = serde_json::json!({ "contract_id": id.to_string(), "client_id": before.data.client_id.to_string() });
        // The invoices waiting for this signature go out from the job
        // runner, each in its own transaction (see invoicing::lock).
        crate::jobs::enqueue(
            tx,
            crate::invoicing::lock::RELEASE_JOB,
            &payload,
            now(),
            Some(&format!("release:{id}")),
        )
        .await?;
    }
    let after = get(tx, scope, id).await?;
    audit::record(
        tx,
        actor,
        next.as_str(),
        "contract",
        &id.to_string(),
        Some(&before),
        Some(&after),
    )
    .await?;
    Ok(after)
}

/// Changes how the month-end close invoices the contract's missions (any
/// status: these are the firm's settings, not terms the client signed).
/// The grouping stays while an invoice of the contract is open (draft or
/// waiting for the signature): the close looks for open invoices by the
/// current grouping, so one started under the other would be left behind.
pub async fn set_invoicing(
    tx: &mut Tx,
    actor: &Actor,
    scope: Scope,
    id: ContractId,
    settings: ContractInvoicing,
) -> Result<Contract> {
    let before = get(tx, scope, id).await?;
    if before.data.invoicing == settings {
        return Ok(before);
    }
    if before.data.invoicing.invoice_grouping != settings.invoice_grouping {
        let open: i64 = on_tx!(tx, |c| {
            sqlx::query_scalar(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM invoices i
             WHERE i.kind = 'invoice' AND i.status IN ('draft', 'waiting_signature')
               AND (i.contract_id = $1 OR i.mission_id IN (SELECT id FROM missions WHERE client_contract_id = $1))"
        )
        .bind(id.to_string())
        .fetch_one(c)
        .await
        })?;
        if open > 0 {
            let mut e = ValidationErrors::new();
            e.add_with(
                "invoice_grouping",
                "contract-grouping-open-invoices",
                domain::args![("count", open)],
            );
            return Err(Error::Invalid(e));
        }
    }
    on_tx!(tx, |c| {
        sqlx::query(
        "UPDATE client_contracts SET invoice_grouping = $2, issue_at_close = $3, updated_at = $4 WHERE id = $1"
    )
    .bind(id.to_string())
    .bind(settings.invoice_grouping.as_str())
    .bind(settings.issue_at_close)
    .bind(now())
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    let after = get(tx, scope, id).await?;
    audit::record(
        tx,
        actor,
        "set_invoicing",
        "contract",
        &id.to_string(),
        Some(&before),
        Some(&after),
    )
    .await?;
    Ok(after)
}

/// Ties a mission to the client contract it runs under (same client).
pub async fn attach(
    tx: &mut Tx,
    actor: &Actor,
    scope: Scope,
    mission: MissionId,
    contract: ContractId,
) -> Result<()> {
    let m = crate::missions::get(tx, scope, mission).await?;
    let k = get(tx, Scope::All, contract).await?;
    if k.data.client_id != m.data.client_id {
        return Err(Error::Invalid(ValidationErrors::single(
            "contract_id",
            "contract-other-client",
        )));
    }
    on_tx!(tx, |c| sqlx::query(
        "UPDATE missions SET client_contract_id = $2, updated_at = $3 WHERE id = $1"
    )
    .bind(mission.to_string())
    .bind(contract.to_string())
    .bind(now())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    audit::record(
        tx,
        actor,
        "attach_contract",
        "mission",
        &mission.to_string(),
        None::<&()>,
        Some(&contract),
    )
    .await
}

/// The contract a mission runs under, if any.
pub async fn of_mission(tx: &mut Tx, scope: Scope, mission: MissionId) -> Result<Option<Contract>> {
    let id: Option<Option<String>> = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT client_contract_id FROM missions WHERE id = $1"
    )
    .bind(mission.to_string())
    .fetch_optional(c)
    .await)?;
    match id.flatten().and_then(|s| ContractId::parse(&s)) {
        Some(k) => Ok(Some(get(tx, scope, k).await?)),
        None => Ok(None),
    }
}
