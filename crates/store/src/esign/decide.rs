//! A signer's answer through his link: the code checked, the signature or
//! the refusal recorded in the trail, the next signer invited, and, once
//! everyone signed, the request completed (signed copy, e-mails). What the
//! answer means for the signed document follows in the same transaction: a
//! client contract becomes signed; an activity report is validated by its
//! client, or sent back. Above the request primitives of `esign` (which
//! the report workflow uses to send and cancel requests) and above the
//! report workflow, so neither of the two reaches back to this file.

use domain::contract::{ContractEvent, ContractStatus};
use domain::esign::{self, DocumentKind, LinkRefusal, RequestEvent, SignerStatus, mail};
use domain::validation::ValidationErrors;

use super::{Origin, Request, append, close, code_hash, invite_next, load_request, open};
use crate::documents::{self, DocumentInfo};
use crate::render::{Render, Signature};
use crate::{Actor, Error, Result, Scope, Tx, now, on_tx, outbox};

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
    render: &dyn Render,
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
        let (subject, text) = mail::declined(
            &link.signer.name,
            &link.signer.email,
            &link.document.title,
            reason.trim(),
        );
        tell_sender(tx, &request_id, &subject, &text).await?;
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
    complete(tx, &request, &link.document, render).await?;
    Ok(Outcome::Done {
        request: load_request(tx, &request_id).await?,
        completed: true,
    })
}

/// Everyone signed: the signed copy gets its signature page, the request
/// closes, every signer is told, and a client contract becomes signed
/// (which queues the release of the invoices waiting for it).
async fn complete(
    tx: &mut Tx,
    request: &Request,
    doc: &DocumentInfo,
    render: &dyn Render,
) -> Result<()> {
    close(tx, request, RequestEvent::Complete, None).await?;
    let signers: Vec<Signature> = request
        .signers
        .iter()
        .map(|s| Signature {
            name: s.name.clone(),
            email: s.email.clone(),
            signed_at: s.signed_at,
            ip: s.ip.clone(),
        })
        .collect();
    let spec = documents::spec(tx, doc.id).await?;
    let signed_sha = match spec {
        Some(spec) => {
            let signed = render.signed_copy(&spec, &signers)?;
            Some(documents::set_signed(tx, doc.id, &signed).await?)
        }
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
        let (subject, body) = mail::signed(
            doc.kind,
            &s.name,
            &doc.title,
            &request.document_sha256,
            signed_sha.as_deref(),
        );
        outbox::queue(tx, &s.email, &subject, &body).await?;
    }
    let (subject, text) = mail::signed_by_all(doc.kind, &doc.title);
    tell_sender(tx, &request.id.to_string(), &subject, &text).await?;
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
        outbox::queue(tx, &email, subject, &mail::to_sender(&name, text)).await?;
    }
    Ok(())
}
