//! The order every report goes through: the consultant signs, each client
//! validates his days (link + code, or the portal), the manager validates
//! (one or many) or anyone sends it back; a locked report reopens as a new
//! version.

use domain::esign::{DocumentKind, SignerData};
use domain::validation::Arg;

use super::*;
use crate::documents::{self, Links, NewDocument};
use crate::esign::{self, Origin};
use crate::render::{ActivityReport, Render};

/// The consultant signs: every working day must be filled. Each client
/// whose mission appears gets the report of his days, to validate through a
/// link + code (the e-signature mechanism) or in the client portal.
pub async fn sign(
    tx: &mut Tx,
    actor: &Actor,
    scope: Scope,
    id: CraId,
    origin: &Origin,
    base_url: &str,
    render: &dyn Render,
) -> Result<Sheet> {
    let before = fetch(tx, scope, id).await?;
    before
        .status
        .transition(CraEvent::Sign)
        .map_err(|e| illegal(e.from))?;
    // Hold the row first: leave approved or a grid saved meanwhile is either
    // in what is read next or waits for this signature and then gives up.
    hold_draft(tx, id).await?;
    let sheet = get(tx, scope, id).await?;
    let next = sheet
        .cra
        .status
        .transition(CraEvent::Sign)
        .map_err(|e| illegal(e.from))?;
    refuse_unfilled(&sheet)?;
    set_status(tx, id, sheet.cra.status, next, Some("signed_at")).await?;
    on_tx!(tx, |c| sqlx::query(
        "UPDATE cras SET rejection_reason = NULL WHERE id = $1"
    )
    .bind(id.to_string())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    record(tx, id, actor, "signed", None).await?;
    on_tx!(tx, |c| sqlx::query(
        "DELETE FROM cra_client_approvals WHERE cra_id = $1"
    )
    .bind(id.to_string())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    let worked: Vec<&MissionLine> = sheet
        .missions
        .iter()
        .filter(|m| {
            sheet
                .slots
                .iter()
                .any(|s| s.activity == Activity::Mission(m.id))
        })
        .collect();
    if worked.is_empty() {
        // No client day: nobody outside the firm has anything to validate.
        let validated = next
            .transition(CraEvent::ClientValidate)
            .map_err(|e| illegal(e.from))?;
        set_status(tx, id, next, validated, Some("client_validated_at")).await?;
        record(
            tx,
            id,
            &Actor::system("Régisseur"),
            "client_not_needed",
            Some("aucun jour de mission client ce mois-ci"),
        )
        .await?;
        return get(tx, scope, id).await;
    }
    for m in worked {
        ask_client(tx, actor, origin, base_url, &sheet, m, render).await?;
    }
    get(tx, scope, id).await
}

/// Sends one client the report of his days: the PDF, his approval row,
/// and the link and code to his first validator (or, without one, a note
/// that he validates in the portal).
async fn ask_client(
    tx: &mut Tx,
    actor: &Actor,
    origin: &Origin,
    base_url: &str,
    sheet: &Sheet,
    m: &MissionLine,
    render: &dyn Render,
) -> Result<()> {
    let id = sheet.cra.id;
    let doc = report_document(tx, actor, sheet, m, render).await?;
    on_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO cra_client_approvals (cra_id, mission_id, client_id, document_id) VALUES ($1, $2, $3, $4)"
    )
    .bind(id.to_string())
    .bind(m.id.to_string())
    .bind(m.client_id.to_string())
    .bind(doc.to_string())
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    match first_validator(tx, m.id).await? {
        Some(v) => {
            esign::send(tx, actor, origin, base_url, doc, &[v]).await?;
        }
        None => {
            record_for(
                tx,
                id,
                &Actor::system("Régisseur"),
                "no_validator",
                Some(&format!(
                    "{} : aucun validateur client avec e-mail ; validation dans le portail",
                    m.title
                )),
                Some(m.client_id),
            )
            .await?;
        }
    }
    Ok(())
}

/// Every working day of the month must be filled before signing.
fn refuse_unfilled(sheet: &Sheet) -> Result<()> {
    let unfilled = cra::unfilled_working_days(sheet.cra.month, sheet.pattern, &sheet.slots);
    if !unfilled.is_empty() {
        let mut e = ValidationErrors::new();
        e.add_with(
            "grid",
            "cra-unfilled-days",
            domain::args![
                ("count", unfilled.len()),
                ("days", Arg::list(unfilled.iter().take(5).copied())),
            ],
        );
        return Err(Error::Invalid(e));
    }
    Ok(())
}

async fn first_validator(tx: &mut Tx, mission: MissionId) -> Result<Option<SignerData>> {
    let row: Option<(String, String, String)> = on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT c.first_name, c.last_name, c.email FROM mission_validators v JOIN contacts c ON c.id = v.contact_id
         WHERE v.mission_id = $1 AND c.email IS NOT NULL ORDER BY c.last_name, c.first_name LIMIT 1"
    )
    .bind(mission.to_string())
    .fetch_optional(c)
    .await
    })?;
    Ok(row.and_then(|(f, l, e)| {
        domain::identifiers::Email::parse(&e)
            .ok()
            .map(|email| SignerData {
                name: format!("{f} {l}"),
                email,
            })
    }))
}

/// The PDF a client validates: his mission's days only (laid out by
/// `render`).
async fn report_document(
    tx: &mut Tx,
    actor: &Actor,
    sheet: &Sheet,
    m: &MissionLine,
    render: &dyn Render,
) -> Result<domain::ids::DocumentId> {
    let mut per_day: BTreeMap<Date, u32> = BTreeMap::new();
    for s in sheet
        .slots
        .iter()
        .filter(|s| s.activity == Activity::Mission(m.id))
    {
        *per_day.entry(s.day).or_default() += 1;
    }
    let doc = render.activity_report(&ActivityReport {
        cra_id: sheet.cra.id,
        month: sheet.cra.month,
        consultant_id: sheet.cra.consultant_id,
        consultant_name: sheet.cra.consultant_name.clone(),
        mission_id: m.id,
        mission_title: m.title.clone(),
        client_id: m.client_id,
        client_name: m.client_name.clone(),
        days: per_day.into_iter().collect(),
        comment: sheet.cra.comment.clone(),
        created_at: now(),
    });
    let info = documents::create(
        tx,
        actor,
        &NewDocument {
            links: Links {
                kind: DocumentKind::ActivityReport,
                mission_id: Some(m.id),
                contract_id: None,
                amendment_id: None,
                client_id: Some(m.client_id),
                consultant_id: Some(sheet.cra.consultant_id),
                cra_id: Some(sheet.cra.id),
            },
            title: &doc.title,
            spec: Some(&doc.spec),
            pdf: &doc.pdf,
        },
    )
    .await?;
    Ok(info.id)
}

/// How a client's validation arrived.
pub enum Via<'a> {
    /// Through the e-mailed link and code; the trail is the signature's.
    Link { document: domain::ids::DocumentId },
    /// A signed-in client contact in the portal.
    Portal {
        mission: MissionId,
        actor: &'a Actor,
    },
}

/// Records one client's validation; once every client has validated, the
/// report moves on to the manager.
pub async fn client_validate(
    tx: &mut Tx,
    scope: Scope,
    id: CraId,
    via: Via<'_>,
    who: &str,
) -> Result<Sheet> {
    let cra = fetch(tx, scope, id).await?;
    let next = cra
        .status
        .transition(CraEvent::ClientValidate)
        .map_err(|e| illegal(e.from))?;
    let (filter_col, filter_val, via_text, actor) = match &via {
        Via::Link { document } => (
            "document_id",
            document.to_string(),
            "link",
            Actor::system(who),
        ),
        Via::Portal { mission, actor } => (
            "mission_id",
            mission.to_string(),
            "portal",
            (*actor).clone(),
        ),
    };
    let sql = format!(
        "UPDATE cra_client_approvals SET approved_at = $3, approved_by = $4, via = $5
         WHERE cra_id = $1 AND {filter_col} = $2 AND approved_at IS NULL RETURNING client_id"
    );
    let client: Option<String> =
        on_tx!(tx, |c| sqlx::query_scalar(sqlx::AssertSqlSafe(sql.clone()))
            .bind(id.to_string())
            .bind(&filter_val)
            .bind(now())
            .bind(who)
            .bind(via_text)
            .fetch_optional(c)
            .await)?;
    let Some(client) = client else {
        return Err(refuse("status", "cra-already-validated-by-client"));
    };
    let client = CompanyId::parse(&client).ok_or_else(|| corrupt("company id", &client))?;
    if let Via::Portal { mission, actor } = &via {
        // The e-mailed link is no longer needed.
        let doc: Option<String> = on_tx!(tx, |c| sqlx::query_scalar(
            "SELECT document_id FROM cra_client_approvals WHERE cra_id = $1 AND mission_id = $2"
        )
        .bind(id.to_string())
        .bind(mission.to_string())
        .fetch_optional(c)
        .await)?
        .flatten();
        if let Some(d) = doc.as_deref().and_then(domain::ids::DocumentId::parse) {
            cancel_pending_request(tx, actor, d, "validé dans le portail client").await?;
        }
    }
    record_for(tx, id, &actor, "client_validated", Some(who), Some(client)).await?;
    let waiting: i64 = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM cra_client_approvals WHERE cra_id = $1 AND approved_at IS NULL"
    )
    .bind(id.to_string())
    .fetch_one(c)
    .await)?;
    if waiting == 0 {
        set_status(tx, id, cra.status, next, Some("client_validated_at")).await?;
    }
    get(tx, scope, id).await
}

async fn cancel_pending_request(
    tx: &mut Tx,
    actor: &Actor,
    doc: domain::ids::DocumentId,
    why: &str,
) -> Result<()> {
    if let Some(r) = esign::latest_for(tx, doc).await?
        && r.status == domain::esign::RequestStatus::Pending
    {
        esign::cancel(tx, actor, &Origin::system(), r.id, why).await?;
    }
    Ok(())
}

/// Back to the consultant with the reason, from any step before locking.
/// Pending client links are withdrawn; the consultant is told by e-mail.
/// Returns nothing: once sent back, the report is a draft that a client
/// contact no longer sees (his approval is gone with the others).
pub async fn reject(
    tx: &mut Tx,
    actor: &Actor,
    scope: Scope,
    id: CraId,
    reason: &str,
) -> Result<()> {
    let by_client = match scope {
        Scope::Company(c) => Some(c),
        _ => None,
    };
    reject_as(tx, actor, scope, id, reason, by_client).await
}

/// [`reject`], by the firm (`by_client` none) or by a client, whose
/// refusal only he sees in the history.
async fn reject_as(
    tx: &mut Tx,
    actor: &Actor,
    scope: Scope,
    id: CraId,
    reason: &str,
    by_client: Option<CompanyId>,
) -> Result<()> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(refuse("reason", "cra-reason-required"));
    }
    if reason.chars().count() > 1000 {
        let mut e = ValidationErrors::new();
        e.add_with("reason", "field-too-long", domain::args![("max", 1000u32)]);
        return Err(Error::Invalid(e));
    }
    let cra = fetch(tx, scope, id).await?;
    let next = cra
        .status
        .transition(CraEvent::Reject)
        .map_err(|e| illegal(e.from))?;
    set_status(tx, id, cra.status, next, None).await?;
    on_tx!(tx, |c| {
        sqlx::query(
        "UPDATE cras SET rejection_reason = $2, signed_at = NULL, client_validated_at = NULL WHERE id = $1"
    )
    .bind(id.to_string())
    .bind(reason)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    let docs: Vec<Option<String>> = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT document_id FROM cra_client_approvals WHERE cra_id = $1"
    )
    .bind(id.to_string())
    .fetch_all(c)
    .await)?;
    for d in docs.into_iter().flatten() {
        if let Some(d) = domain::ids::DocumentId::parse(&d) {
            cancel_pending_request(tx, actor, d, "CRA renvoyé au consultant").await?;
        }
    }
    on_tx!(tx, |c| sqlx::query(
        "DELETE FROM cra_client_approvals WHERE cra_id = $1"
    )
    .bind(id.to_string())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    record_for(tx, id, actor, "rejected", Some(reason), by_client).await?;
    outbox::queue(
        tx,
        &cra.consultant_email,
        &format!("CRA {} à reprendre", cra.month.label_fr()),
        &format!(
            "Bonjour {},\n\nVotre compte rendu d’activité de {} vous est renvoyé par {}.\nMotif : {}\n\n\
             Corrigez-le puis signez-le à nouveau.\n— Régisseur",
            cra.consultant_name,
            cra.month.label_fr(),
            actor.label,
            reason
        ),
    )
    .await?;
    Ok(())
}

/// The manager validates reports already validated by their clients, in
/// one statement per batch: reports in any other state are left alone and
/// reported back, never half-validated.
pub async fn validate(tx: &mut Tx, actor: &Actor, ids: &[CraId]) -> Result<Validated> {
    let by = actor.user_id.map(|u| u.to_string());
    let at = now();
    let to = CraEvent::ManagerValidate
        .target()
        .expect("the manager's validation leads to one state");
    let (guard, from) = super::days::allowed_from(CraEvent::ManagerValidate, 4);
    let mut done: Vec<CraId> = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(crate::MAX_BINDS - 3 - from.len()) {
        let sql = format!(
            "UPDATE cras SET status = $3, validated_at = $1, validated_by = $2, updated_at = $1
             WHERE {guard} AND id IN ({}) RETURNING id",
            (0..chunk.len())
                .map(|i| format!("${}", i + 4 + from.len()))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let changed: Vec<String> = on_tx!(tx, |c| {
            let mut q = sqlx::query_scalar(sqlx::AssertSqlSafe(sql.clone()))
                .bind(at)
                .bind(by.as_deref())
                .bind(to.as_str());
            for s in &from {
                q = q.bind(*s);
            }
            for id in chunk {
                q = q.bind(id.to_string());
            }
            q.fetch_all(c).await
        })?;
        done.extend(changed.iter().filter_map(|s| CraId::parse(s)));
    }
    // The trail, one multi-row insert; its ids derive from the report's (a
    // report is validated once per version).
    for chunk in done.chunks(crate::rows_per_statement(5)) {
        let sql = format!(
            "INSERT INTO cra_events (id, cra_id, at, actor_id, actor_name, kind) VALUES {}",
            crate::values_list("(?, ?, ?, ?, ?, 'validated')", chunk.len())
        );
        on_tx!(tx, |c| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
            for id in chunk {
                q = q
                    .bind(format!("{id}:validated"))
                    .bind(id.to_string())
                    .bind(at)
                    .bind(by.as_deref())
                    .bind(&actor.label);
            }
            q.execute(c).await.map(|r| r.rows_affected())
        })?;
    }
    // Manager validation is what invoicing waits for: the days go onto
    // draft invoices (or waiting ones, under the key-account lock) now,
    // every report's at once.
    crate::invoicing::draft::draft_for_reports(tx, actor, &done).await?;
    let validated: std::collections::HashSet<&CraId> = done.iter().collect();
    let skipped = ids
        .iter()
        .filter(|i| !validated.contains(i))
        .copied()
        .collect();
    Ok(Validated { done, skipped })
}

#[derive(Debug, Clone, Default)]
pub struct Validated {
    pub done: Vec<CraId>,
    /// Not awaiting the manager (not yet validated by the client, already
    /// locked, or gone).
    pub skipped: Vec<CraId>,
}

/// Reopens a locked report: it is kept as it was (superseded) and a new
/// draft version starts from its days, so invoicing can bill the difference.
pub async fn reopen(tx: &mut Tx, actor: &Actor, id: CraId, reason: &str) -> Result<CraId> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(refuse("reason", "cra-reason-required"));
    }
    let cra = fetch(tx, Scope::All, id).await?;
    let next = cra
        .status
        .transition(CraEvent::Reopen)
        .map_err(|e| illegal(e.from))?;
    set_status(tx, id, cra.status, next, None).await?;
    let new_id = CraId::new();
    let at = now();
    on_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO cras (id, consultant_id, month, version, status, comment, previous_id, created_at, updated_at)
         VALUES ($1, $2, $3, $4, 'draft', $5, $6, $7, $7)"
    )
    .bind(new_id.to_string())
    .bind(cra.consultant_id.to_string())
    .bind(cra.month.to_string())
    .bind(cra.version + 1)
    .bind(cra.comment.as_deref())
    .bind(id.to_string())
    .bind(at)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    on_tx!(tx, |c| sqlx::query(
        "INSERT INTO cra_slots (cra_id, day, half, activity, mission_id, leave_type)
         SELECT $1, day, half, activity, mission_id, leave_type FROM cra_slots WHERE cra_id = $2"
    )
    .bind(new_id.to_string())
    .bind(id.to_string())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    on_tx!(tx, |c| sqlx::query(
        "INSERT INTO cra_extras (cra_id, mission_id, kind, quantity_hundredths)
         SELECT $1, mission_id, kind, quantity_hundredths FROM cra_extras WHERE cra_id = $2"
    )
    .bind(new_id.to_string())
    .bind(id.to_string())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    record(tx, id, actor, "reopened", Some(reason)).await?;
    record(
        tx,
        new_id,
        actor,
        "created",
        Some(&format!("version {} après réouverture", cra.version + 1)),
    )
    .await?;
    outbox::queue(
        tx,
        &cra.consultant_email,
        &format!("CRA {} rouvert", cra.month.label_fr()),
        &format!(
            "Bonjour {},\n\nVotre compte rendu d’activité de {} a été rouvert par {}.\nMotif : {}\n\n\
             Corrigez-le puis signez-le à nouveau ; il repassera par le client et le manager.\n— Régisseur",
            cra.consultant_name,
            cra.month.label_fr(),
            actor.label,
            reason
        ),
    )
    .await?;
    Ok(new_id)
}

/// Called by the e-signature when the client signed the report's PDF.
pub(crate) async fn signed_by_link(
    tx: &mut Tx,
    document: domain::ids::DocumentId,
    cra: CraId,
    who: &str,
) -> Result<()> {
    client_validate(tx, Scope::All, cra, Via::Link { document }, who)
        .await
        .map(|_| ())
}

/// Called by the e-signature when the client declined `document`: the
/// report goes back to the consultant with the client's reason.
pub(crate) async fn declined_by_link(
    tx: &mut Tx,
    document: domain::ids::DocumentId,
    cra: CraId,
    who: &str,
    reason: &str,
) -> Result<()> {
    let client: Option<String> = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT client_id FROM cra_client_approvals WHERE cra_id = $1 AND document_id = $2"
    )
    .bind(cra.to_string())
    .bind(document.to_string())
    .fetch_optional(c)
    .await)?;
    let client = optional_id(client, "company id", CompanyId::parse)?;
    reject_as(
        tx,
        &Actor::system(&format!("{who} (client)")),
        Scope::All,
        cra,
        reason,
        client,
    )
    .await
}
