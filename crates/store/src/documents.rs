//! Documents: generated PDFs (mission orders, contracts, amendments) and
//! paper scans, with their SHA-256 and, once signed, the signed copy.
//!
//! Besides staff, a document is visible to one client's contacts
//! (`client_id`) and/or one consultant (`consultant_id`): a mission order,
//! which shows the firm's internal figures, is never shown to the client.

use domain::esign::{DocumentKind, RequestStatus, sha256_hex};
use domain::ids::{AmendmentId, CompanyId, ContractId, CraId, DocumentId, MissionId, UserId};
use domain::paging::{PageRequest, Paged};
use serde::Serialize;
use time::OffsetDateTime;

use crate::{Actor, Error, Result, Scope, Tx, audit, corrupt, now, on_tx};

/// What a document is about and who may see it besides staff.
#[derive(Debug, Clone, Copy)]
pub struct Links {
    pub kind: DocumentKind,
    pub mission_id: Option<MissionId>,
    pub contract_id: Option<ContractId>,
    pub amendment_id: Option<AmendmentId>,
    pub client_id: Option<CompanyId>,
    pub consultant_id: Option<UserId>,
    pub cra_id: Option<CraId>,
}

pub struct NewDocument<'a> {
    pub links: Links,
    pub title: &'a str,
    /// The layout it was written from (the pdf crate's `Document::to_spec`).
    pub spec: Option<&'a str>,
    pub pdf: &'a [u8],
}

#[derive(Debug, Clone, Serialize)]
pub struct DocumentInfo {
    pub id: DocumentId,
    pub kind: DocumentKind,
    pub title: String,
    pub mission_id: Option<MissionId>,
    pub contract_id: Option<ContractId>,
    pub amendment_id: Option<AmendmentId>,
    pub client_id: Option<CompanyId>,
    pub consultant_id: Option<UserId>,
    pub sha256: String,
    pub size_bytes: i64,
    pub signed_sha256: Option<String>,
    pub created_at: OffsetDateTime,
    /// The latest signature request, if any.
    pub request_status: Option<RequestStatus>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    kind: String,
    title: String,
    mission_id: Option<String>,
    contract_id: Option<String>,
    amendment_id: Option<String>,
    client_id: Option<String>,
    consultant_id: Option<String>,
    sha256: String,
    size_bytes: i64,
    signed_sha256: Option<String>,
    created_at: OffsetDateTime,
    request_status: Option<String>,
}

fn parse_opt<T>(
    raw: Option<String>,
    what: &str,
    p: impl Fn(&str) -> Option<T>,
) -> Result<Option<T>> {
    raw.map(|s| p(&s).ok_or_else(|| corrupt(what, &s)))
        .transpose()
}

impl TryFrom<Row> for DocumentInfo {
    type Error = Error;
    fn try_from(r: Row) -> Result<DocumentInfo> {
        Ok(DocumentInfo {
            id: DocumentId::parse(&r.id).ok_or_else(|| corrupt("document id", &r.id))?,
            kind: DocumentKind::parse(&r.kind).ok_or_else(|| corrupt("document kind", &r.kind))?,
            title: r.title,
            mission_id: parse_opt(r.mission_id, "mission id", MissionId::parse)?,
            contract_id: parse_opt(r.contract_id, "contract id", ContractId::parse)?,
            amendment_id: parse_opt(r.amendment_id, "amendment id", AmendmentId::parse)?,
            client_id: parse_opt(r.client_id, "client id", CompanyId::parse)?,
            consultant_id: parse_opt(r.consultant_id, "consultant id", UserId::parse)?,
            sha256: r.sha256,
            size_bytes: r.size_bytes,
            signed_sha256: r.signed_sha256,
            created_at: r.created_at,
            request_status: parse_opt(r.request_status, "request status", RequestStatus::parse)?,
        })
    }
}

/// Every document query carries the scope ($1 company, $2 own user).
macro_rules! select_documents {
    ($where:literal, $tail:literal) => {
        concat!(
            "SELECT d.id, d.kind, d.title, d.mission_id, d.contract_id, d.amendment_id, d.client_id, d.consultant_id, \
             d.sha256, d.size_bytes, d.signed_sha256, d.created_at, \
             (SELECT r.status FROM signature_requests r WHERE r.document_id = d.id \
              ORDER BY r.created_at DESC, r.id DESC LIMIT 1) AS request_status \
             FROM documents d WHERE ",
            $where,
            " AND ",
            crate::scope_clause!(documents),
            $tail
        )
    };
}

pub async fn create(tx: &mut Tx, actor: &Actor, d: &NewDocument<'_>) -> Result<DocumentInfo> {
    let id = DocumentId::new();
    let sha = sha256_hex(d.pdf);
    on_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO documents (id, kind, title, mission_id, contract_id, amendment_id, client_id, consultant_id,
           spec, pdf, sha256, size_bytes, created_by, created_at, cra_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
    )
    .bind(id.to_string())
    .bind(d.links.kind.as_str())
    .bind(d.title)
    .bind(d.links.mission_id.map(|x| x.to_string()))
    .bind(d.links.contract_id.map(|x| x.to_string()))
    .bind(d.links.amendment_id.map(|x| x.to_string()))
    .bind(d.links.client_id.map(|x| x.to_string()))
    .bind(d.links.consultant_id.map(|x| x.to_string()))
    .bind(d.spec)
    .bind(d.pdf)
    .bind(&sha)
    .bind(d.pdf.len() as i64)
    .bind(actor.user_id.map(|u| u.to_string()))
    .bind(now())
    .bind(d.links.cra_id.map(|x| x.to_string()))
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    let doc = get(tx, Scope::All, id).await?;
    audit::record(
        tx,
        actor,
        "create",
        "document",
        &id.to_string(),
        None::<&()>,
        Some(&doc),
    )
    .await?;
    Ok(doc)
}

pub async fn get(tx: &mut Tx, scope: Scope, id: DocumentId) -> Result<DocumentInfo> {
    let row: Option<Row> = on_tx!(tx, |c| sqlx::query_as(select_documents!("d.id = $4", ""))
        .bind(scope.company())
        .bind(scope.own_user())
        .bind(scope.portfolio())
        .bind(id.to_string())
        .fetch_optional(c)
        .await)?;
    row.ok_or(Error::NotFound)?.try_into()
}

/// What a list of documents is about.
#[derive(Debug, Clone, Copy)]
pub enum About {
    Mission(MissionId),
    Contract(ContractId),
    Amendment(AmendmentId),
    Everything,
}

/// Documents about one thing (or all the scope allows), newest first.
pub async fn list(
    tx: &mut Tx,
    scope: Scope,
    about: About,
    limit: i64,
) -> Result<Vec<DocumentInfo>> {
    let (column, value) = match about {
        About::Mission(m) => ("mission", Some(m.to_string())),
        About::Contract(k) => ("contract", Some(k.to_string())),
        About::Amendment(a) => ("amendment", Some(a.to_string())),
        About::Everything => ("all", None),
    };
    let rows: Vec<Row> = on_tx!(tx, |c| sqlx::query_as(select_documents!(
        "(($4 = 'mission' AND d.mission_id = $5) OR ($4 = 'contract' AND d.contract_id = $5)
          OR ($4 = 'amendment' AND d.amendment_id = $5) OR $4 = 'all')",
        "ORDER BY d.created_at DESC, d.id DESC LIMIT $6"
    ))
    .bind(scope.company())
    .bind(scope.own_user())
    .bind(scope.portfolio())
    .bind(column)
    .bind(value.clone())
    .bind(limit)
    .fetch_all(c)
    .await)?;
    rows.into_iter().map(DocumentInfo::try_from).collect()
}

/// A numbered page of every document the scope allows, newest first, with
/// their count.
pub async fn page(tx: &mut Tx, scope: Scope, req: PageRequest) -> Result<Paged<DocumentInfo>> {
    let rows: Vec<Row> = on_tx!(tx, |c| sqlx::query_as(select_documents!(
        "1 = 1",
        " ORDER BY d.created_at DESC, d.id DESC LIMIT $4 OFFSET $5"
    ))
    .bind(scope.company())
    .bind(scope.own_user())
    .bind(scope.portfolio())
    .bind(req.limit())
    .bind(req.offset())
    .fetch_all(c)
    .await)?;
    let total: i64 = on_tx!(tx, |c| sqlx::query_scalar(concat!(
        "SELECT COUNT(*) FROM documents d WHERE ",
        crate::scope_clause!(documents)
    ))
    .bind(scope.company())
    .bind(scope.own_user())
    .bind(scope.portfolio())
    .fetch_one(c)
    .await)?;
    Ok(Paged {
        items: rows
            .into_iter()
            .map(DocumentInfo::try_from)
            .collect::<Result<_>>()?,
        page: req.page,
        per_page: req.per_page,
        total: total.max(0) as u64,
    })
}

/// The PDF of a document the caller already read through its scope
/// (`signed`: the copy with its signature page); only that one is loaded.
pub async fn bytes(tx: &mut Tx, doc: &DocumentInfo, signed: bool) -> Result<Vec<u8>> {
    let pdf: Option<Option<Vec<u8>>> = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT CASE WHEN $2 THEN signed_pdf ELSE pdf END FROM documents WHERE id = $1"
    )
    .bind(doc.id.to_string())
    .bind(signed)
    .fetch_optional(c)
    .await)?;
    pdf.flatten().ok_or(Error::NotFound)
}

/// The stored layout of a generated document.
pub async fn spec(tx: &mut Tx, id: DocumentId) -> Result<Option<String>> {
    let spec: Option<Option<String>> = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT spec FROM documents WHERE id = $1"
    )
    .bind(id.to_string())
    .fetch_optional(c)
    .await)?;
    Ok(spec.flatten())
}

pub(crate) async fn set_signed(tx: &mut Tx, id: DocumentId, pdf: &[u8]) -> Result<String> {
    let sha = sha256_hex(pdf);
    on_tx!(tx, |c| sqlx::query(
        "UPDATE documents SET signed_pdf = $2, signed_sha256 = $3 WHERE id = $1"
    )
    .bind(id.to_string())
    .bind(pdf)
    .bind(&sha)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(sha)
}

/// The SHA-256 of the PDF as stored now: differs from the recorded one
/// when someone altered the bytes behind the application's back.
pub async fn current_sha256(tx: &mut Tx, id: DocumentId) -> Result<String> {
    let pdf: Option<Vec<u8>> = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT pdf FROM documents WHERE id = $1"
    )
    .bind(id.to_string())
    .fetch_optional(c)
    .await)?;
    Ok(sha256_hex(&pdf.ok_or(Error::NotFound)?))
}

/// The administrator's template of a kind, if he saved one.
pub async fn template(tx: &mut Tx, kind: DocumentKind) -> Result<Option<String>> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT body FROM document_templates WHERE kind = $1"
    )
    .bind(kind.as_str())
    .fetch_optional(c)
    .await)?)
}

pub async fn save_template(
    tx: &mut Tx,
    actor: &Actor,
    kind: DocumentKind,
    body: &str,
) -> Result<()> {
    let before = template(tx, kind).await?;
    on_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO document_templates (kind, body, updated_by, updated_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (kind) DO UPDATE SET body = excluded.body, updated_by = excluded.updated_by,
           updated_at = excluded.updated_at"
    )
    .bind(kind.as_str())
    .bind(body)
    .bind(actor.user_id.map(|u| u.to_string()))
    .bind(now())
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    audit::record(
        tx,
        actor,
        "update",
        "document_template",
        kind.as_str(),
        before.as_ref(),
        Some(&body),
    )
    .await
}

/// Those of `missions` whose consultant has signed his mission order:
/// electronically (a mission order whose signed copy exists) or on paper
/// (a scan attached to the mission, not to its contract or an amendment).
pub async fn signed_mission_orders(
    tx: &mut Tx,
    missions: &[MissionId],
) -> Result<std::collections::HashSet<MissionId>> {
    let mut out = std::collections::HashSet::new();
    for chunk in missions.chunks(crate::MAX_BINDS) {
        let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT DISTINCT mission_id FROM documents
             WHERE mission_id IN ({}) AND amendment_id IS NULL AND contract_id IS NULL
               AND ((kind = 'mission_order' AND signed_sha256 IS NOT NULL) OR kind = 'paper_scan')",
            marks.join(", ")
        );
        let ids: Vec<String> = on_tx!(tx, |c| {
            let mut q = sqlx::query_scalar(sqlx::AssertSqlSafe(sql.clone()));
            for m in chunk {
                q = q.bind(m.to_string());
            }
            q.fetch_all(c).await
        })?;
        for id in ids {
            out.insert(MissionId::parse(&id).ok_or_else(|| corrupt("mission id", &id))?);
        }
    }
    Ok(out)
}
