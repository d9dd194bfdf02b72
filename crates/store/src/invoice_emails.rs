//! Invoices sent to the client by e-mail (`domain::invoice::delivery`
//! says to whom and in which words).
//!
//! At issue, a document whose client asked for its invoices by e-mail gets a
//! job (`SEND_JOB`, one per document: its dedupe key) queued in the issue
//! transaction. The worker runs it in one transaction with the job's
//! completion: the `invoice_emails` row (the partial unique index lets one
//! automatic sending per document exist, so a second worker, or the job run
//! again, inserts nothing and sends nothing), the e-mail with the Factur-X
//! PDF attached queued in the outbox (sent by the outbox's own job), the
//! business manager copied, and the audit line. A document whose client has
//! no billing address keeps a row with no e-mail, which its page shows.
//!
//! Sending again by hand (`Reason::Resend`) writes the same, in the request's
//! transaction; without a billing address it is refused and writes nothing.

use domain::Locale;
use domain::identifiers::Email;
use domain::ids::{CompanyId, InvoiceId};
use domain::invoice::delivery::{self, Addresses, Facts, Reason};
use domain::invoice::{InvoiceKind, InvoiceStatus};
use domain::money::Money;
use domain::validation::ValidationErrors;
use time::{Date, OffsetDateTime};

use crate::outbox::EmailState;
use crate::render::Render;
use crate::{Actor, Error, Result, Tx, corrupt, now, on_tx};

/// The automatic sending of one issued document (payload `{"invoice_id": …}`).
pub const SEND_JOB: &str = "invoice_email";

/// Who the automatic sending is recorded as, in the history and audit.
pub fn automatic_sender() -> Actor {
    Actor::system("envoi automatique des factures")
}

/// Whether the client wants its invoices e-mailed when they are issued.
pub async fn client_wants_email(tx: &mut Tx, client: CompanyId) -> Result<bool> {
    let on: Option<bool> = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT send_invoices_by_email FROM companies WHERE id = $1"
    )
    .bind(client.to_string())
    .fetch_optional(c)
    .await)?;
    on.ok_or(Error::NotFound)
}

/// Turns the client's automatic sending on or off (audited).
pub async fn set_client_wants_email(
    tx: &mut Tx,
    actor: &Actor,
    client: CompanyId,
    on: bool,
) -> Result<()> {
    let before = client_wants_email(tx, client).await?;
    on_tx!(tx, |c| sqlx::query(
        "UPDATE companies SET send_invoices_by_email = $2, updated_at = $3 WHERE id = $1"
    )
    .bind(client.to_string())
    .bind(on)
    .bind(now())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    crate::audit::record(
        tx,
        actor,
        "invoice_delivery",
        "company",
        &client.to_string(),
        Some(&serde_json::json!({ "send_invoices_by_email": before })),
        Some(&serde_json::json!({ "send_invoices_by_email": on })),
    )
    .await
}

/// Queues the automatic sending of the documents just issued whose client
/// asked for it, in the issue transaction.
pub async fn queue_at_issue(tx: &mut Tx, invoices: &[InvoiceId]) -> Result<()> {
    let mut wanted: Vec<String> = Vec::new();
    for chunk in invoices.chunks(crate::MAX_BINDS) {
        let sql = format!(
            "SELECT i.id FROM invoices i JOIN companies c ON c.id = i.client_id
             WHERE c.send_invoices_by_email = TRUE AND i.id IN ({})",
            crate::values_list("?", chunk.len())
        );
        let ids: Vec<String> = on_tx!(tx, |c| {
            let mut q = sqlx::query_scalar(sqlx::AssertSqlSafe(sql.clone()));
            for id in chunk {
                q = q.bind(id.to_string());
            }
            q.fetch_all(c).await
        })?;
        wanted.extend(ids);
    }
    let at = now();
    let jobs: Vec<crate::jobs::NewJob> = wanted
        .iter()
        .map(|id| crate::jobs::NewJob {
            kind: SEND_JOB.to_owned(),
            payload: serde_json::json!({ "invoice_id": id }),
            run_at: at,
            dedupe_key: Some(format!("{SEND_JOB}:{id}")),
        })
        .collect();
    crate::jobs::enqueue_many(tx, &jobs).await?;
    Ok(())
}

/// Who an invoice goes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipients {
    pub to: String,
    /// The billing contact's name, when the address is a contact's.
    pub contact_name: Option<String>,
    /// The business manager of the mission, copied.
    pub cc: Option<String>,
    /// English when the billing contact reads the portal in English.
    pub locale: Locale,
}

#[derive(sqlx::FromRow)]
struct MissionRow {
    contact_email: Option<String>,
    contact_first: Option<String>,
    contact_last: Option<String>,
    bm_email: Option<String>,
}

#[derive(sqlx::FromRow)]
struct Head {
    kind: String,
    status: String,
    number: Option<String>,
    issue_date: Option<Date>,
    due_date: Option<Date>,
    gross_cents: i64,
    client_name: String,
    client_email: Option<String>,
}

async fn head(tx: &mut Tx, invoice: InvoiceId) -> Result<Head> {
    let row: Option<Head> = on_tx!(tx, |c| sqlx::query_as(
        "SELECT i.kind, i.status, i.number, i.issue_date, i.due_date, i.gross_cents,
                c.name AS client_name, c.email AS client_email
         FROM invoices i JOIN companies c ON c.id = i.client_id WHERE i.id = $1"
    )
    .bind(invoice.to_string())
    .fetch_optional(c)
    .await)?;
    row.ok_or(Error::NotFound)
}

/// The billing contact, the copy and the language of an invoice's e-mail;
/// none when the client has no billing address.
pub async fn recipients(tx: &mut Tx, invoice: InvoiceId) -> Result<Option<Recipients>> {
    let h = head(tx, invoice).await?;
    // The missions the document bills: its own, its lines', and for a
    // credit note those of the invoice it credits.
    let missions: Vec<MissionRow> = on_tx!(tx, |c| sqlx::query_as(
        "SELECT ct.email AS contact_email, ct.first_name AS contact_first,
                ct.last_name AS contact_last, b.email AS bm_email
         FROM missions m
         LEFT JOIN contacts ct ON ct.id = m.invoicing_contact_id
         LEFT JOIN users b ON b.id = m.business_manager_id
         WHERE m.id IN (SELECT mission_id FROM invoices WHERE id = $1)
            OR m.id IN (SELECT mission_id FROM invoice_lines WHERE invoice_id = $1)
            OR m.id IN (SELECT l.mission_id FROM invoice_lines l
                        JOIN invoices n ON n.credits_id = l.invoice_id WHERE n.id = $1)
         ORDER BY m.start_date, m.id"
    )
    .bind(invoice.to_string())
    .fetch_all(c)
    .await)?;
    let addresses = Addresses {
        invoicing_contacts: missions
            .iter()
            .filter_map(|m| m.contact_email.clone())
            .collect(),
        company: h.client_email.clone(),
    };
    let Some(to) = delivery::billing_address(&addresses) else {
        return Ok(None);
    };
    let contact_name = missions
        .iter()
        .find(|m| {
            m.contact_email
                .as_deref()
                .is_some_and(|e| e.trim().eq_ignore_ascii_case(to.as_str()))
        })
        .map(|m| {
            format!(
                "{} {}",
                m.contact_first.as_deref().unwrap_or_default(),
                m.contact_last.as_deref().unwrap_or_default()
            )
            .trim()
            .to_owned()
        })
        .filter(|n| !n.is_empty());
    let cc = missions
        .iter()
        .filter_map(|m| m.bm_email.as_deref())
        .find_map(|e| Email::parse(e).ok())
        .map(|e| e.as_str().to_owned())
        .filter(|cc| !cc.eq_ignore_ascii_case(to.as_str()));
    // Contacts carry no language; one who signs in to the portal chose his.
    let locale: Option<String> = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT locale FROM users WHERE email = $1 AND locale IS NOT NULL"
    )
    .bind(to.as_str().to_lowercase())
    .fetch_optional(c)
    .await)?
    .flatten();
    Ok(Some(Recipients {
        to: to.as_str().to_owned(),
        contact_name,
        cc,
        locale: locale
            .as_deref()
            .and_then(Locale::parse)
            .unwrap_or(Locale::Fr),
    }))
}

/// The invoice's PDF as its page serves it: the Factur-X, or for an
/// invoice issued before every Factur-X field was required (refused by
/// `facturx::issued` or by `render`), the printed PDF alone.
pub async fn attachment(
    tx: &mut Tx,
    invoice_id: InvoiceId,
    render: &dyn Render,
) -> Result<crate::outbox::Attachment> {
    let facturx = match crate::invoicing::facturx::issued(tx, invoice_id).await {
        Ok(doc) => render.facturx(&doc),
        Err(e) => Err(e),
    };
    let (file_name, bytes) = match facturx {
        Ok(f) => (f.file_name, f.pdf),
        Err(Error::Invalid(_)) => {
            let printed = crate::invoicing::print::printable(tx, invoice_id).await?;
            render.invoice_pdf(&printed)?
        }
        Err(e) => return Err(e),
    };
    Ok(crate::outbox::Attachment {
        file_name,
        content_type: "application/pdf".into(),
        bytes,
    })
}

/// What a sending did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The e-mail is queued in the outbox.
    Queued(Recipients),
    /// The client has no billing address: recorded, nothing sent
    /// (automatic sending only; by hand it is refused).
    NoAddress,
    /// The automatic sending was done already (another worker, or a retry).
    AlreadySent,
}

fn refuse(field: &'static str, key: &'static str) -> Error {
    Error::Invalid(ValidationErrors::single(field, key))
}

/// Sends an issued document to its client (see the module): the row, the
/// e-mail and its copy, the audit line, in the caller's transaction.
pub async fn send(
    tx: &mut Tx,
    actor: &Actor,
    invoice: InvoiceId,
    reason: Reason,
    render: &dyn Render,
) -> Result<Outcome> {
    let h = head(tx, invoice).await?;
    if h.status != InvoiceStatus::Issued.as_str() {
        return Err(refuse("invoice", "invoice-email-not-issued"));
    }
    let recipients = recipients(tx, invoice).await?;
    if recipients.is_none() && reason == Reason::Resend {
        return Err(refuse("to", "invoice-email-no-address"));
    }
    let id = uuid::Uuid::new_v4().to_string();
    let to = recipients.as_ref().map(|r| r.to.as_str()).unwrap_or("");
    let cc = recipients.as_ref().and_then(|r| r.cc.as_deref());
    // The partial unique index decides who sends the automatic e-mail: a
    // second worker (or the job run again) inserts nothing.
    let inserted: Option<String> = on_tx!(tx, |c| {
        sqlx::query_scalar(
        "INSERT INTO invoice_emails (id, invoice_id, reason, to_address, cc_address, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (invoice_id) WHERE reason = 'issue' DO NOTHING RETURNING id"
    )
    .bind(id.as_str())
    .bind(invoice.to_string())
    .bind(reason.as_str())
    .bind(to)
    .bind(cc)
    .bind(actor.user_id.map(|u| u.to_string()))
    .bind(now())
    .fetch_optional(c)
    .await
    })?;
    if inserted.is_none() {
        return Ok(Outcome::AlreadySent);
    }
    // The invoice's history: the sending, with whether an e-mail went out.
    let invoice_key = invoice.to_string();
    let audit = async |tx: &mut Tx, email: bool| {
        let after = serde_json::json!({
            "reason": reason.as_str(),
            "to": to,
            "cc": cc,
            "email": email,
        });
        crate::audit::record(
            tx,
            actor,
            "invoice_email",
            "invoice",
            &invoice_key,
            None::<&()>,
            Some(&after),
        )
        .await
    };
    let Some(r) = recipients.clone() else {
        audit(tx, false).await?;
        return Ok(Outcome::NoAddress);
    };
    let firm_name = crate::firm::get(tx)
        .await?
        .map(|f| f.name)
        .unwrap_or_default();
    let facts = Facts {
        firm_name,
        client_name: h.client_name.clone(),
        credit_note: h.kind == InvoiceKind::CreditNote.as_str(),
        number: h.number.clone().unwrap_or_default(),
        issue_date: h
            .issue_date
            .ok_or_else(|| corrupt("issue date", &invoice.to_string()))?,
        due_date: h
            .due_date
            .filter(|_| h.kind == InvoiceKind::Invoice.as_str()),
        gross: Money::from_cents(h.gross_cents),
        contact_name: r.contact_name.clone(),
    };
    let (subject, text) = delivery::email(&facts, r.locale);
    let files = [attachment(tx, invoice, render).await?];
    let email_id =
        crate::outbox::queue_with_attachments(tx, &r.to, &subject, &text, &files).await?;
    if let Some(cc) = &r.cc {
        crate::outbox::copy_to(tx, email_id, cc).await?;
    }
    on_tx!(tx, |c| sqlx::query(
        "UPDATE invoice_emails SET email_id = $2 WHERE id = $1"
    )
    .bind(id.as_str())
    .bind(email_id.to_string())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    audit(tx, true).await?;
    Ok(Outcome::Queued(r))
}

/// One sending of a document, as its page lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sending {
    pub reason: Reason,
    pub to_address: String,
    pub cc_address: Option<String>,
    /// Who sent it by hand (none: the automatic sending).
    pub by: Option<String>,
    pub created_at: OffsetDateTime,
    pub email: EmailState,
}

#[derive(sqlx::FromRow)]
struct SendingRow {
    reason: String,
    to_address: String,
    cc_address: Option<String>,
    by: Option<String>,
    created_at: OffsetDateTime,
    email_id: Option<String>,
    sent_at: Option<OffsetDateTime>,
    last_error: Option<String>,
}

/// The sendings of a document, oldest first.
pub async fn of_invoice(tx: &mut Tx, invoice: InvoiceId) -> Result<Vec<Sending>> {
    let rows: Vec<SendingRow> = on_tx!(tx, |c| sqlx::query_as(
        "SELECT s.reason, s.to_address, s.cc_address, u.display_name AS by, s.created_at,
                s.email_id, e.sent_at, e.last_error
         FROM invoice_emails s
         LEFT JOIN users u ON u.id = s.created_by
         LEFT JOIN outbox_emails e ON e.id = s.email_id
         WHERE s.invoice_id = $1 ORDER BY s.created_at, s.id"
    )
    .bind(invoice.to_string())
    .fetch_all(c)
    .await)?;
    rows.into_iter()
        .map(|r| {
            Ok(Sending {
                reason: Reason::parse(&r.reason).ok_or_else(|| corrupt("reason", &r.reason))?,
                email: EmailState::of(r.email_id.as_deref(), r.sent_at, r.last_error),
                to_address: r.to_address,
                cc_address: r.cc_address,
                by: r.by,
                created_at: r.created_at,
            })
        })
        .collect()
}
