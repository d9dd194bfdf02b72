//! The built-in electronic signature: a request per sending, signers in
//! order, each reached by an e-mailed single-use link that expires and a
//! one-time code sent in a second e-mail, and an audit trail in which each
//! event carries the hash of the one before.
//!
//! Links and codes are never stored, only their SHA-256: a leaked database
//! signs nothing.

use domain::contract::{ContractEvent, ContractStatus};
use domain::esign::{
    self, AuditFacts, ChainedEvent, DocumentKind, GENESIS, LinkRefusal, LinkState, RequestEvent,
    RequestStatus, SignerData, SignerStatus,
};
use domain::ids::{DocumentId, SignatureRequestId, SignerId};
use domain::validation::ValidationErrors;
use serde::Serialize;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::documents::{self, DocumentInfo};
use crate::{Actor, Error, Result, Scope, Tx, audit, corrupt, credentials, now, on_tx, outbox};

pub const REMINDER_JOB: &str = "esign_reminders";

/// Who caused an event, as the trail records it.
#[derive(Debug, Clone)]
pub struct Origin {
    pub actor: String,
    pub ip: String,
    pub user_agent: String,
}

impl Origin {
    pub fn system() -> Origin {
        Origin {
            actor: "Régisseur".into(),
            ip: "-".into(),
            user_agent: "-".into(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Signer {
    pub id: SignerId,
    pub position: i32,
    pub name: String,
    pub email: String,
    pub status: SignerStatus,
    pub invited_at: Option<OffsetDateTime>,
    pub link_expires_at: Option<OffsetDateTime>,
    pub reminders_sent: i32,
    pub viewed_at: Option<OffsetDateTime>,
    pub signed_at: Option<OffsetDateTime>,
    pub typed_name: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub decline_reason: Option<String>,
    #[serde(skip)]
    code_attempts: i32,
}

#[derive(sqlx::FromRow)]
struct SignerRow {
    id: String,
    position: i32,
    name: String,
    email: String,
    status: String,
    invited_at: Option<OffsetDateTime>,
    link_expires_at: Option<OffsetDateTime>,
    reminders_sent: i32,
    viewed_at: Option<OffsetDateTime>,
    signed_at: Option<OffsetDateTime>,
    typed_name: Option<String>,
    ip: Option<String>,
    user_agent: Option<String>,
    decline_reason: Option<String>,
    code_attempts: i32,
}

impl TryFrom<SignerRow> for Signer {
    type Error = Error;
    fn try_from(r: SignerRow) -> Result<Signer> {
        Ok(Signer {
            id: SignerId::parse(&r.id).ok_or_else(|| corrupt("signer id", &r.id))?,
            position: r.position,
            name: r.name,
            email: r.email,
            status: SignerStatus::parse(&r.status)
                .ok_or_else(|| corrupt("signer status", &r.status))?,
            invited_at: r.invited_at,
            link_expires_at: r.link_expires_at,
            reminders_sent: r.reminders_sent,
            viewed_at: r.viewed_at,
            signed_at: r.signed_at,
            typed_name: r.typed_name,
            ip: r.ip,
            user_agent: r.user_agent,
            decline_reason: r.decline_reason,
            code_attempts: r.code_attempts,
        })
    }
}

macro_rules! signer_columns {
    () => {
        "id, CAST(position AS INTEGER) AS position, name, email, status, invited_at, \
     link_expires_at, CAST(reminders_sent AS INTEGER) AS reminders_sent, viewed_at, signed_at, typed_name, ip, \
     user_agent, decline_reason, CAST(code_attempts AS INTEGER) AS code_attempts"
    };
}

#[derive(Debug, Clone, Serialize)]
pub struct Request {
    pub id: SignatureRequestId,
    pub document_id: DocumentId,
    pub status: RequestStatus,
    /// The fingerprint of the document when it was sent.
    pub document_sha256: String,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub closed_at: Option<OffsetDateTime>,
    pub decline_reason: Option<String>,
    pub signers: Vec<Signer>,
}

#[derive(sqlx::FromRow)]
struct RequestRow {
    id: String,
    document_id: String,
    status: String,
    document_sha256: String,
    created_at: OffsetDateTime,
    expires_at: OffsetDateTime,
    closed_at: Option<OffsetDateTime>,
    decline_reason: Option<String>,
}

macro_rules! request_columns {
    () => {
        "id, document_id, status, document_sha256, created_at, expires_at, closed_at, decline_reason"
    };
}

async fn load_request(tx: &mut Tx, id: &str) -> Result<Request> {
    let sql = concat!(
        "SELECT ",
        request_columns!(),
        " FROM signature_requests WHERE id = $1"
    );
    let row: Option<RequestRow> =
        on_tx!(tx, |c| sqlx::query_as(sql).bind(id).fetch_optional(c).await)?;
    let r = row.ok_or(Error::NotFound)?;
    let sql = concat!(
        "SELECT ",
        signer_columns!(),
        " FROM signature_signers WHERE request_id = $1 ORDER BY position"
    );
    let signers: Vec<SignerRow> = on_tx!(tx, |c| sqlx::query_as(sql).bind(id).fetch_all(c).await)?;
    Ok(Request {
        id: SignatureRequestId::parse(&r.id).ok_or_else(|| corrupt("request id", &r.id))?,
        document_id: DocumentId::parse(&r.document_id)
            .ok_or_else(|| corrupt("document id", &r.document_id))?,
        status: RequestStatus::parse(&r.status)
            .ok_or_else(|| corrupt("request status", &r.status))?,
        document_sha256: r.document_sha256,
        created_at: r.created_at,
        expires_at: r.expires_at,
        closed_at: r.closed_at,
        decline_reason: r.decline_reason,
        signers: signers
            .into_iter()
            .map(Signer::try_from)
            .collect::<Result<_>>()?,
    })
}

pub async fn get(tx: &mut Tx, id: SignatureRequestId) -> Result<Request> {
    load_request(tx, &id.to_string()).await
}

/// The latest request for a document, if it was ever sent.
pub async fn latest_for(tx: &mut Tx, document: DocumentId) -> Result<Option<Request>> {
    let id: Option<String> = on_tx!(tx, |c| {
        sqlx::query_scalar(
        "SELECT id FROM signature_requests WHERE document_id = $1 ORDER BY created_at DESC, id DESC LIMIT 1"
    )
    .bind(document.to_string())
    .fetch_optional(c)
    .await
    })?;
    match id {
        Some(id) => Ok(Some(load_request(tx, &id).await?)),
        None => Ok(None),
    }
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_else(|_| t.to_string())
}

/// Appends an event to a request's trail. The request row is touched
/// first: that locks it (PostgreSQL) so two appends never race for the
/// same sequence number; SQLite writes are serialized anyway.
async fn append(
    tx: &mut Tx,
    request: &str,
    kind: &str,
    origin: &Origin,
    document_sha256: &str,
    detail: &str,
) -> Result<()> {
    let at = now();
    on_tx!(tx, |c| sqlx::query(
        "UPDATE signature_requests SET updated_at = $2 WHERE id = $1"
    )
    .bind(request)
    .bind(at)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    let last: Option<(i32, String)> = on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT CAST(seq AS INTEGER), hash FROM signature_events WHERE request_id = $1 ORDER BY seq DESC LIMIT 1"
    )
    .bind(request)
    .fetch_optional(c)
    .await
    })?;
    let (seq, previous) = match last {
        Some((seq, hash)) => (i64::from(seq) + 1, hash),
        None => (1, GENESIS.to_owned()),
    };
    let facts = AuditFacts {
        seq,
        at: rfc3339(at),
        kind: kind.to_owned(),
        actor: origin.actor.clone(),
        ip: origin.ip.clone(),
        user_agent: origin.user_agent.clone(),
        document_sha256: document_sha256.to_owned(),
        detail: detail.to_owned(),
    };
    let hash = esign::chain_hash(&previous, &facts);
    on_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO signature_events (id, request_id, seq, at, kind, actor, ip, user_agent, document_sha256, detail,
           previous_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
    )
    .bind(uuid::Uuid::new_v4().to_string())
    .bind(request)
    .bind(seq as i32)
    .bind(&facts.at)
    .bind(&facts.kind)
    .bind(&facts.actor)
    .bind(&facts.ip)
    .bind(&facts.user_agent)
    .bind(&facts.document_sha256)
    .bind(&facts.detail)
    .bind(&previous)
    .bind(&hash)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct EventRow {
    seq: i32,
    at: String,
    kind: String,
    actor: String,
    ip: String,
    user_agent: String,
    document_sha256: String,
    detail: String,
    previous_hash: String,
    hash: String,
}

/// A request's audit trail, in order.
pub async fn trail(tx: &mut Tx, request: SignatureRequestId) -> Result<Vec<ChainedEvent>> {
    let rows: Vec<EventRow> = on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT CAST(seq AS INTEGER) AS seq, at, kind, actor, ip, user_agent, document_sha256, detail, previous_hash, hash
         FROM signature_events WHERE request_id = $1 ORDER BY seq"
    )
    .bind(request.to_string())
    .fetch_all(c)
    .await
    })?;
    Ok(rows
        .into_iter()
        .map(|r| ChainedEvent {
            facts: AuditFacts {
                seq: i64::from(r.seq),
                at: r.at,
                kind: r.kind,
                actor: r.actor,
                ip: r.ip,
                user_agent: r.user_agent,
                document_sha256: r.document_sha256,
                detail: r.detail,
            },
            previous_hash: r.previous_hash,
            hash: r.hash,
        })
        .collect())
}

/// Sends `document` for signature to `signers`, in that order: the first
/// is invited now, each next one when the previous has signed.
pub async fn send(
    tx: &mut Tx,
    actor: &Actor,
    origin: &Origin,
    base_url: &str,
    document: DocumentId,
    signers: &[SignerData],
) -> Result<Request> {
    let doc = documents::get(tx, Scope::All, document).await?;
    if doc.kind == DocumentKind::PaperScan {
        return Err(Error::Invalid(ValidationErrors::single(
            "document",
            "esign-scan-not-signable",
        )));
    }
    if doc.request_status == Some(RequestStatus::Pending) {
        return Err(Error::Invalid(ValidationErrors::single(
            "document",
            "esign-already-pending",
        )));
    }
    if doc.request_status == Some(RequestStatus::Completed) {
        return Err(Error::Invalid(ValidationErrors::single(
            "document",
            "esign-already-signed",
        )));
    }
    let id = SignatureRequestId::new();
    let at = now();
    on_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO signature_requests (id, document_id, status, document_sha256, created_by, created_at, updated_at,
           expires_at) VALUES ($1, $2, 'pending', $3, $4, $5, $5, $6)"
    )
    .bind(id.to_string())
    .bind(document.to_string())
    .bind(&doc.sha256)
    .bind(actor.user_id.map(|u| u.to_string()))
    .bind(at)
    .bind(at + esign::REQUEST_VALIDITY)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    for (i, s) in signers.iter().enumerate() {
        on_tx!(tx, |c| sqlx::query(
            "INSERT INTO signature_signers (id, request_id, position, name, email, status)
             VALUES ($1, $2, $3, $4, $5, 'waiting')"
        )
        .bind(SignerId::new().to_string())
        .bind(id.to_string())
        .bind(i as i32 + 1)
        .bind(&s.name)
        .bind(s.email.as_str())
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    }
    let names: Vec<String> = signers
        .iter()
        .map(|s| format!("{} <{}>", s.name, s.email))
        .collect();
    append(
        tx,
        &id.to_string(),
        "sent",
        origin,
        &doc.sha256,
        &format!("{} — signataires : {}", doc.title, names.join(", ")),
    )
    .await?;
    let request = get(tx, id).await?;
    invite_next(tx, &request, &doc, origin, base_url).await?;
    let request = get(tx, id).await?;
    audit::record(
        tx,
        actor,
        "send_for_signature",
        "document",
        &document.to_string(),
        None::<&()>,
        Some(&request),
    )
    .await?;
    Ok(request)
}

/// Invites the first signer still waiting; false when everyone signed.
async fn invite_next(
    tx: &mut Tx,
    request: &Request,
    doc: &DocumentInfo,
    origin: &Origin,
    base_url: &str,
) -> Result<bool> {
    match request
        .signers
        .iter()
        .find(|s| s.status == SignerStatus::Waiting)
    {
        Some(s) => {
            issue_link(tx, request, doc, s, origin, base_url, "invited").await?;
            Ok(true)
        }
        None => Ok(false),
    }
}

fn code_hash(signer: SignerId, code: &str) -> String {
    hex::encode(Sha256::digest(format!("{signer}:{code}").as_bytes()))
}

/// Gives a signer a fresh link and code (replacing any earlier pair) and
/// e-mails them in two messages.
async fn issue_link(
    tx: &mut Tx,
    request: &Request,
    doc: &DocumentInfo,
    signer: &Signer,
    origin: &Origin,
    base_url: &str,
    kind: &str,
) -> Result<()> {
    let token = credentials::new_token();
    let random = *uuid::Uuid::new_v4().as_bytes();
    let code = esign::code_from_random(random[..8].try_into().expect("eight bytes"));
    let at = now();
    let expires = (at + esign::LINK_VALIDITY).min(request.expires_at);
    on_tx!(tx, |c| {
        sqlx::query(
        "UPDATE signature_signers SET status = 'invited', token_hash = $2, code_hash = $3, code_attempts = 0,
           link_expires_at = $4, invited_at = $5,
           reminders_sent = reminders_sent + CASE WHEN $6 = 'reminded' THEN 1 ELSE 0 END
         WHERE id = $1"
    )
    .bind(signer.id.to_string())
    .bind(credentials::token_hash(&token))
    .bind(code_hash(signer.id, &code))
    .bind(expires)
    .bind(at)
    .bind(kind)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    append(
        tx,
        &request.id.to_string(),
        kind,
        origin,
        &request.document_sha256,
        &format!("{} <{}>", signer.name, signer.email),
    )
    .await?;
    let link = format!("{}/sign/{token}", base_url.trim_end_matches('/'));
    let until = domain::locale::format_date(expires.date(), domain::Locale::Fr);
    let reminder = if kind == "reminded" { "Rappel : " } else { "" };
    let body = format!(
        "Bonjour {name},\n\n{firm_line}« {title} » vous attend pour signature électronique.\n\n\
         Ouvrez ce lien personnel pour lire le document et le signer (valable jusqu’au {until}, une seule fois) :\n{link}\n\n\
         Un code à usage unique vous est envoyé dans un second e-mail : il vous sera demandé pour signer.\n\n\
         Empreinte SHA-256 du document : {sha}\n\
         Ne transférez pas ce message : le lien vous est personnel.\n\n— Régisseur",
        name = signer.name,
        firm_line = if reminder.is_empty() {
            ""
        } else {
            "Nous vous rappelons que le document "
        },
        title = doc.title,
        sha = request.document_sha256,
    );
    outbox::queue(
        tx,
        &signer.email,
        &format!("{reminder}Document à signer : {}", doc.title),
        &body,
    )
    .await?;
    outbox::queue(
        tx,
        &signer.email,
        &format!("Votre code de signature : {}", doc.title),
        &format!(
            "Bonjour {},\n\nVotre code de signature pour « {} » : {code}\n\n\
             Il n’est valable qu’avec le lien reçu dans l’autre e-mail. Ne le communiquez à personne.\n\n— Régisseur",
            signer.name, doc.title
        ),
    )
    .await?;
    Ok(())
}

/// What a signing link leads to.
#[derive(Debug, Clone)]
pub struct Link {
    pub signer: Signer,
    pub request: Request,
    pub document: DocumentInfo,
    /// Why it cannot be used now, if so.
    pub refusal: Option<LinkRefusal>,
}

/// Looks a link up by its token; an unknown (or replaced) token is
/// `NotFound`.
pub async fn open(tx: &mut Tx, token: &str) -> Result<Link> {
    let hash = credentials::token_hash(token);
    let row: Option<(String, String)> = on_tx!(tx, |c| sqlx::query_as(
        "SELECT id, request_id FROM signature_signers WHERE token_hash = $1"
    )
    .bind(&hash)
    .fetch_optional(c)
    .await)?;
    let (signer_id, request_id) = row.ok_or(Error::NotFound)?;
    let request = load_request(tx, &request_id).await?;
    let signer = request
        .signers
        .iter()
        .find(|s| s.id.to_string() == signer_id)
        .cloned()
        .ok_or(Error::NotFound)?;
    let document = documents::get(tx, Scope::All, request.document_id).await?;
    let state = LinkState {
        request: request.status,
        signer: signer.status,
        expires_at: signer.link_expires_at.unwrap_or(request.expires_at),
        code_attempts: signer.code_attempts,
    };
    let refusal = esign::check_link(&state, now()).err();
    Ok(Link {
        signer,
        request,
        document,
        refusal,
    })
}

/// Records the first time a signer opens his document.
pub async fn record_view(tx: &mut Tx, link: &Link, origin: &Origin) -> Result<()> {
    if link.refusal.is_some() || link.signer.viewed_at.is_some() {
        return Ok(());
    }
    on_tx!(tx, |c| sqlx::query(
        "UPDATE signature_signers SET viewed_at = $2 WHERE id = $1 AND viewed_at IS NULL"
    )
    .bind(link.signer.id.to_string())
    .bind(now())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    append(
        tx,
        &link.request.id.to_string(),
        "viewed",
        origin,
        &link.request.document_sha256,
        &format!("{} <{}>", link.signer.name, link.signer.email),
    )
    .await
}

/// What a signer asks for.
#[derive(Debug, Clone)]
pub enum Decision {
    Sign { typed_name: String, consent: bool },
    Decline { reason: String },
}

#[derive(Debug)]
pub enum Outcome {
    /// Signed (or declined); `completed` when it was the last signature.
    Done {
        request: Request,
        completed: bool,
    },
    /// The code was wrong; the attempt is recorded (commit it).
    WrongCode {
        remaining: i32,
    },
    Refused(LinkRefusal),
    /// The stored document no longer matches what was sent; recorded,
    /// nothing signed.
    Tampered,
}

/// A signer signs or declines through his link, proving it with his code.
pub async fn decide(
    tx: &mut Tx,
    token: &str,
    origin: &Origin,
    base_url: &str,
    code: &str,
    decision: &Decision,
) -> Result<Outcome> {
    let link = match open(tx, token).await {
        Ok(l) => l,
        Err(Error::NotFound) => return Ok(Outcome::Refused(LinkRefusal::Unknown)),
        Err(e) => return Err(e),
    };
    if let Some(r) = link.refusal {
        return Ok(Outcome::Refused(r));
    }
    let mut e = ValidationErrors::new();
    let code = esign::normalize_code(code);
    if code.is_empty() {
        e.add("code", "field-required");
    }
    match decision {
        Decision::Sign {
            typed_name,
            consent,
        } => {
            if typed_name.trim().is_empty() {
                e.add("typed_name", "field-required");
            } else if !esign::typed_name_matches(&link.signer.name, typed_name) {
                e.add("typed_name", "esign-typed-name-mismatch");
            }
            if !consent {
                e.add("consent", "esign-consent-required");
            }
        }
        Decision::Decline { reason } => {
            if reason.trim().is_empty() {
                e.add("reason", "esign-decline-reason-required");
            } else if reason.chars().count() > 1000 {
                e.add_with("reason", "field-too-long", domain::args![("max", 1000u32)]);
            }
        }
    }
    if !e.is_empty() {
        return Err(Error::Invalid(e));
    }
    let request_id = link.request.id.to_string();
    let signer_id = link.signer.id.to_string();
    // The attempt is taken before the code is compared, in one conditional
    // statement: concurrent guesses queue on the signer's row (PostgreSQL)
    // or the writer lock (SQLite), and the sixth finds the link locked
    // whatever the timing. A right code gives its attempt back.
    let taken: Option<(i32, Option<String>)> = on_tx!(tx, |c| sqlx::query_as(
        "UPDATE signature_signers SET code_attempts = code_attempts + 1
         WHERE id = $1 AND code_attempts < $2
         RETURNING CAST(code_attempts AS INTEGER), code_hash"
    )
    .bind(&signer_id)
    .bind(esign::MAX_CODE_ATTEMPTS)
    .fetch_optional(c)
    .await)?;
    let Some((attempts, expected)) = taken else {
        return Ok(Outcome::Refused(LinkRefusal::Locked));
    };
    let doc_sha = link.request.document_sha256.clone();
    if expected.as_deref() != Some(code_hash(link.signer.id, &code).as_str()) {
        append(
            tx,
            &request_id,
            "code_failed",
            origin,
            &doc_sha,
            &link.signer.email,
        )
        .await?;
        return Ok(Outcome::WrongCode {
            remaining: (esign::MAX_CODE_ATTEMPTS - attempts).max(0),
        });
    }
    on_tx!(tx, |c| sqlx::query(
        "UPDATE signature_signers SET code_attempts = code_attempts - 1 WHERE id = $1"
    )
    .bind(&signer_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    let actual = documents::current_sha256(tx, link.document.id).await?;
    if actual != doc_sha || link.document.sha256 != doc_sha {
        append(
            tx,
            &request_id,
            "tamper_detected",
            origin,
            &actual,
            &format!("attendu {doc_sha}"),
        )
        .await?;
        return Ok(Outcome::Tampered);
    }
    let at = now();
    let (status, kind, detail) = match decision {
        Decision::Sign { typed_name, .. } => (
            SignerStatus::Signed,
            "signed",
            format!(
                "{} <{}> — nom saisi : {}",
                link.signer.name,
                link.signer.email,
                typed_name.trim()
            ),
        ),
        Decision::Decline { reason } => (
            SignerStatus::Declined,
            "declined",
            format!(
                "{} <{}> — motif : {}",
                link.signer.name,
                link.signer.email,
                reason.trim()
            ),
        ),
    };
    let (typed, reason) = match decision {
        Decision::Sign { typed_name, .. } => (Some(typed_name.trim().to_owned()), None),
        Decision::Decline { reason } => (None, Some(reason.trim().to_owned())),
    };
    let changed = on_tx!(tx, |c| {
        sqlx::query(
        "UPDATE signature_signers SET status = $2, signed_at = $3, typed_name = $4, decline_reason = $5, ip = $6,
           user_agent = $7 WHERE id = $1 AND status = 'invited'"
    )
    .bind(&signer_id)
    .bind(status.as_str())
    .bind(at)
    .bind(&typed)
    .bind(&reason)
    .bind(&origin.ip)
    .bind(&origin.user_agent)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    if changed == 0 {
        // Someone else used the link in between.
        return Ok(Outcome::Refused(LinkRefusal::Used));
    }
    append(tx, &request_id, kind, origin, &doc_sha, &detail).await?;
    let request = load_request(tx, &request_id).await?;
    if let Decision::Decline { reason } = decision {
        close(tx, &request, RequestEvent::Decline, Some(reason.trim())).await?;
        append(
            tx,
            &request_id,
            "request_declined",
            origin,
            &doc_sha,
            reason.trim(),
        )
        .await?;
        if let Some(cra) = report_of(tx, &link.document).await? {
            crate::cras::declined_by_link(
                tx,
                link.document.id,
                cra,
                &link.signer.name,
                reason.trim(),
            )
            .await?;
        }
        tell_sender(
            tx,
            &request_id,
            &format!("Signature refusée : {}", link.document.title),
            &format!(
                "{} <{}> a refusé de signer « {} ».\nMotif : {}\n\n                 La demande de signature est close ; le détail est sur la page du document.",
                link.signer.name,
                link.signer.email,
                link.document.title,
                reason.trim()
            ),
        )
        .await?;
        return Ok(Outcome::Done {
            request: load_request(tx, &request_id).await?,
            completed: false,
        });
    }
    if invite_next(tx, &request, &link.document, &Origin::system(), base_url).await? {
        return Ok(Outcome::Done {
            request: load_request(tx, &request_id).await?,
            completed: false,
        });
    }
    complete(tx, &request, &link.document).await?;
    Ok(Outcome::Done {
        request: load_request(tx, &request_id).await?,
        completed: true,
    })
}

async fn close(
    tx: &mut Tx,
    request: &Request,
    event: RequestEvent,
    reason: Option<&str>,
) -> Result<RequestStatus> {
    let next = request
        .status
        .transition(event)
        .map_err(|_| Error::Invalid(ValidationErrors::single("status", "esign-request-closed")))?;
    on_tx!(tx, |c| {
        sqlx::query(
        "UPDATE signature_requests SET status = $2, closed_at = $3, decline_reason = COALESCE($4, decline_reason)
         WHERE id = $1 AND status = 'pending'"
    )
    .bind(request.id.to_string())
    .bind(next.as_str())
    .bind(now())
    .bind(reason)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(next)
}

/// Everyone signed: the signed copy gets its signature page, the request
/// closes, every signer is told, and a client contract becomes signed
/// (which queues the release of the invoices waiting for it).
async fn complete(tx: &mut Tx, request: &Request, doc: &DocumentInfo) -> Result<()> {
    close(tx, request, RequestEvent::Complete, None).await?;
    let lines: Vec<pdf::SignatureLine> = request
        .signers
        .iter()
        .map(|s| pdf::SignatureLine {
            name: s.name.clone(),
            email: s.email.clone(),
            signed_at: s.signed_at.map(format_utc).unwrap_or_default(),
            ip: s.ip.clone().unwrap_or_default(),
            consent: esign::CONSENT_FR.to_owned(),
        })
        .collect();
    let spec = documents::spec(tx, doc.id).await?;
    let signed_sha = match spec.as_deref().map(pdf::Document::from_spec) {
        Some(Ok(mut d)) => {
            pdf::signature_page(&mut d, &lines);
            Some(documents::set_signed(tx, doc.id, &d.to_bytes()).await?)
        }
        Some(Err(e)) => return Err(corrupt("document spec", &e.to_string())),
        None => None,
    };
    append(
        tx,
        &request.id.to_string(),
        "completed",
        &Origin::system(),
        &request.document_sha256,
        &signed_sha
            .as_deref()
            .map(|s| format!("copie signée SHA-256 {s}"))
            .unwrap_or_default(),
    )
    .await?;
    for s in &request.signers {
        outbox::queue(
            tx,
            &s.email,
            &format!("Document signé : {}", doc.title),
            &format!(
                "Bonjour {},\n\n« {} » est signé par toutes les parties.\n\
                 Empreinte SHA-256 du document présenté : {}\n{}\n— Régisseur",
                s.name,
                doc.title,
                request.document_sha256,
                signed_sha
                    .as_deref()
                    .map(|h| format!("Empreinte SHA-256 de la copie signée : {h}\n"))
                    .unwrap_or_default()
            ),
        )
        .await?;
    }
    tell_sender(
        tx,
        &request.id.to_string(),
        &format!("Document signé par tous : {}", doc.title),
        &format!(
            "« {} » est signé par toutes les parties ; la copie signée et le certificat sont sur la page du document.",
            doc.title
        ),
    )
    .await?;
    if let Some(cra) = report_of(tx, doc).await? {
        let who = request
            .signers
            .iter()
            .map(|s| format!("{} <{}>", s.name, s.email))
            .collect::<Vec<_>>()
            .join(", ");
        crate::cras::signed_by_link(tx, doc.id, cra, &who).await?;
    }
    if let (DocumentKind::ClientContract, Some(contract)) = (doc.kind, doc.contract_id) {
        let k = crate::contracts::get(tx, Scope::All, contract).await?;
        if k.status != ContractStatus::Signed {
            let names: Vec<&str> = request.signers.iter().map(|s| s.name.as_str()).collect();
            crate::contracts::apply(
                tx,
                &Actor::system("signature électronique"),
                Scope::All,
                contract,
                ContractEvent::Sign,
                Some(&names.join(", ")),
            )
            .await?;
        }
    }
    Ok(())
}

/// The activity report a document submits to its client, if it is one.
async fn report_of(tx: &mut Tx, doc: &DocumentInfo) -> Result<Option<domain::ids::CraId>> {
    if doc.kind != DocumentKind::ActivityReport {
        return Ok(None);
    }
    let id: Option<String> = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT cra_id FROM documents WHERE id = $1"
    )
    .bind(doc.id.to_string())
    .fetch_optional(c)
    .await)?
    .flatten();
    Ok(id.as_deref().and_then(domain::ids::CraId::parse))
}

/// E-mails the person who sent the request (if it was a person).
async fn tell_sender(tx: &mut Tx, request: &str, subject: &str, text: &str) -> Result<()> {
    let sender: Option<(String, String)> = on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT u.email, u.display_name FROM signature_requests r JOIN users u ON u.id = r.created_by
         WHERE r.id = $1"
    )
    .bind(request)
    .fetch_optional(c)
    .await
    })?;
    if let Some((email, name)) = sender {
        outbox::queue(
            tx,
            &email,
            subject,
            &format!("Bonjour {name},\n\n{text}\n\n— Régisseur"),
        )
        .await?;
    }
    Ok(())
}

/// A time as the certificate prints it.
pub fn format_utc(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{} {:02}:{:02}:{:02} UTC",
        domain::locale::format_date(t.date(), domain::Locale::Fr),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// Staff withdraw a pending request.
pub async fn cancel(
    tx: &mut Tx,
    actor: &Actor,
    origin: &Origin,
    id: SignatureRequestId,
    why: &str,
) -> Result<Request> {
    let request = get(tx, id).await?;
    close(tx, &request, RequestEvent::Cancel, None).await?;
    append(
        tx,
        &id.to_string(),
        "cancelled",
        origin,
        &request.document_sha256,
        why,
    )
    .await?;
    let after = get(tx, id).await?;
    audit::record(
        tx,
        actor,
        "cancel_signature",
        "document",
        &request.document_id.to_string(),
        Some(&request),
        Some(&after),
    )
    .await?;
    Ok(after)
}

/// Sends the signer whose turn it is a fresh link and code now (the old
/// ones stop working). False when nobody is waiting for one.
pub async fn remind(
    tx: &mut Tx,
    origin: &Origin,
    base_url: &str,
    id: SignatureRequestId,
) -> Result<bool> {
    let request = get(tx, id).await?;
    if request.status != RequestStatus::Pending {
        return Err(Error::Invalid(ValidationErrors::single(
            "status",
            "esign-request-closed",
        )));
    }
    let Some(signer) = request
        .signers
        .iter()
        .find(|s| s.status == SignerStatus::Invited)
        .cloned()
    else {
        return Ok(false);
    };
    let doc = documents::get(tx, Scope::All, request.document_id).await?;
    issue_link(tx, &request, &doc, &signer, origin, base_url, "reminded").await?;
    Ok(true)
}

/// The scheduled pass: expires requests past their date, then reminds the
/// signers who have been silent long enough. Returns (expired, reminded).
pub async fn run_reminders(tx: &mut Tx, base_url: &str, at: OffsetDateTime) -> Result<(u64, u64)> {
    let expired: Vec<String> = on_tx!(tx, |c| {
        sqlx::query_scalar(
        "SELECT id FROM signature_requests WHERE status = 'pending' AND expires_at <= $1 ORDER BY id"
    )
    .bind(at)
    .fetch_all(c)
    .await
    })?;
    for id in &expired {
        let request = load_request(tx, id).await?;
        close(tx, &request, RequestEvent::Expire, None).await?;
        append(
            tx,
            id,
            "expired",
            &Origin::system(),
            &request.document_sha256,
            "",
        )
        .await?;
    }
    let due: Vec<(String, OffsetDateTime, i32)> = on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT s.request_id, s.invited_at, CAST(s.reminders_sent AS INTEGER)
         FROM signature_signers s JOIN signature_requests r ON r.id = s.request_id
         WHERE s.status = 'invited' AND r.status = 'pending' AND s.invited_at <= $1 AND s.reminders_sent < $2
         ORDER BY s.invited_at"
    )
    .bind(at - esign::REMIND_AFTER)
    .bind(esign::MAX_REMINDERS)
    .fetch_all(c)
    .await
    })?;
    let mut reminded = 0;
    for (request, invited_at, sent) in due {
        if !esign::reminder_due(invited_at, sent, at) {
            continue;
        }
        let id =
            SignatureRequestId::parse(&request).ok_or_else(|| corrupt("request id", &request))?;
        if remind(tx, &Origin::system(), base_url, id).await? {
            reminded += 1;
        }
    }
    Ok((expired.len() as u64, reminded))
}

/// A document waiting for this person's signature (the portal's list).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Awaiting {
    pub request_id: String,
    pub document_id: String,
    pub title: String,
    pub kind: String,
    pub invited_at: Option<OffsetDateTime>,
    pub link_expires_at: Option<OffsetDateTime>,
}

pub async fn awaiting(tx: &mut Tx, email: &str) -> Result<Vec<Awaiting>> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT r.id AS request_id, d.id AS document_id, d.title, d.kind, s.invited_at, s.link_expires_at
         FROM signature_signers s JOIN signature_requests r ON r.id = s.request_id
         JOIN documents d ON d.id = r.document_id
         WHERE LOWER(s.email) = LOWER($1) AND s.status = 'invited' AND r.status = 'pending'
         ORDER BY s.invited_at"
    )
    .bind(email)
    .fetch_all(c)
    .await
    })?)
}

/// Whether `email` is the signer whose turn it is on this request.
pub async fn is_current_signer(tx: &mut Tx, id: SignatureRequestId, email: &str) -> Result<bool> {
    Ok(awaiting(tx, email)
        .await?
        .iter()
        .any(|a| a.request_id == id.to_string()))
}

/// The newest signing link token and code e-mailed to `email`, read from
/// the outbox as the person would read them from the two messages. For
/// the demo (which signs Camille's mission order the real way) and tests.
pub async fn mailed_credentials(tx: &mut Tx, email: &str) -> Result<Option<(String, String)>> {
    let mails = outbox::recent(tx, 500).await?;
    let mine: Vec<_> = mails.iter().filter(|m| m.to_address == email).collect();
    let token = mine
        .iter()
        .filter(|m| m.subject.contains("Document à signer"))
        .find_map(|m| {
            m.body_text
                .lines()
                .find_map(|l| l.split_once("/sign/").map(|(_, t)| t.trim().to_owned()))
        });
    let code = mine
        .iter()
        .filter(|m| m.subject.starts_with("Votre code"))
        .find_map(|m| {
            m.body_text
                .split_whitespace()
                .find(|w| w.len() == 6 && w.chars().all(|c| c.is_ascii_digit()))
                .map(str::to_owned)
        });
    Ok(token.zip(code))
}
