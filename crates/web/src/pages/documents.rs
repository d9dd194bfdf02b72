//! Documents and their electronic signature, staff side and portal side:
//! the list (with "documents to sign" for the person looking), a document's
//! signers, trail and integrity, downloads (original, signed copy,
//! certificate), sending a mission order, client contract or amendment for
//! signature, reminders and withdrawal.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::esign::{
    CONSENT_FR, DocumentKind, MAX_SIGNERS, RequestStatus, SignerInput, verify_chain,
};
use domain::ids::{AmendmentId, ContractId, DocumentId, MissionId};
use domain::paging::PageRequest;
use domain::validation::ValidationErrors;
use serde::Deserialize;
use store::Tx;
use store::documents::{DocumentInfo, Links};

use super::see_other;
use crate::authz::{Permission, allows};
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::extract::{Form, Id, Query};
use crate::view::{FieldErrors, Flash, Layout, Pager, layout, render, render_status};
use crate::write::{Done, Refused, write};
use crate::{AppState, i18n};
use app::paperwork;

/// A PDF download; `inline` lets the signing page show it in a frame of
/// its own origin.
pub fn pdf_response(bytes: Vec<u8>, filename: &str, inline: bool) -> Response {
    let disposition = format!(
        "{}; filename=\"{}\"",
        if inline { "inline" } else { "attachment" },
        filename.replace(['"', '\\', '\r', '\n'], "_")
    );
    let mut resp = (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/pdf"),
        )],
        bytes,
    )
        .into_response();
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    if inline {
        h.insert("x-frame-options", HeaderValue::from_static("SAMEORIGIN"));
        h.insert(
            "content-security-policy",
            HeaderValue::from_static("default-src 'none'; frame-ancestors 'self'"),
        );
    }
    resp
}

fn file_name(d: &DocumentInfo, suffix: &str) -> String {
    let base: String = d
        .title
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let base = base
        .split('-')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    format!("{base}{suffix}.pdf")
}

pub struct Row {
    pub id: DocumentId,
    pub title: String,
    pub kind: String,
    pub status: String,
    pub created: String,
}

pub struct Awaiting {
    pub document_id: String,
    pub request_id: String,
    pub title: String,
    pub since: String,
    pub until: String,
}

#[derive(Template)]
#[template(path = "documents/list.html")]
struct ListPage {
    layout: Layout,
    awaiting: Vec<Awaiting>,
    rows: Vec<Row>,
    pager: Pager,
}

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    pub page: Option<u32>,
}

pub fn status_label(l: domain::Locale, d: &DocumentInfo) -> String {
    match (d.kind, d.request_status) {
        (DocumentKind::PaperScan, _) => i18n::t(l, "document-paper-signed"),
        (_, Some(s)) => i18n::t(l, &s.label_key()),
        (_, None) => i18n::t(l, "esign-status-not-sent"),
    }
}

pub fn rows(l: domain::Locale, docs: &[DocumentInfo]) -> Vec<Row> {
    docs.iter()
        .map(|d| Row {
            id: d.id,
            title: d.title.clone(),
            kind: i18n::t(l, &d.kind.label_key()),
            status: status_label(l, d),
            created: domain::locale::format_date(domain::paris::date(d.created_at), l),
        })
        .collect()
}

/// The documents waiting for the signed-in person's signature.
pub async fn awaiting(tx: &mut store::Tx, ctx: &Ctx) -> AppResult<Vec<Awaiting>> {
    let l = ctx.locale;
    let email = ctx.user()?.email.clone();
    Ok(store::esign::awaiting(tx, &email)
        .await?
        .into_iter()
        .map(|a| Awaiting {
            document_id: a.document_id,
            request_id: a.request_id,
            title: a.title,
            since: a
                .invited_at
                .map(|t| domain::locale::format_date(t.date(), l))
                .unwrap_or_default(),
            until: a
                .link_expires_at
                .map(|t| domain::locale::format_date(t.date(), l))
                .unwrap_or_default(),
        })
        .collect())
}

/// GET /documents?page=: what waits for the user's signature, then every
/// document he may see, a page at a time.
pub async fn list(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let mut tx = app.db.read().await?;
    let docs =
        store::documents::page(&mut tx, ctx.scope()?, PageRequest::new(q.page, None)).await?;
    let awaiting = awaiting(&mut tx, &ctx).await?;
    tx.commit().await?;
    render(&ListPage {
        layout: layout(&app, &ctx, "documents-title").await?,
        awaiting,
        rows: rows(ctx.locale, &docs.items),
        pager: Pager::new(&docs, "/documents", &[]),
    })
}

pub struct SignerView {
    pub position: i32,
    pub name: String,
    pub email: String,
    pub status: String,
    pub when: String,
    pub detail: String,
}

/// One event of a signature trail as people read it: the date in Paris
/// time, the person's name, the browser summarised. The raw values (UTC
/// timestamp, e-mail, full `User-Agent`) are in the tooltips, the
/// certificate and the API.
pub struct EventView {
    pub seq: i64,
    pub at: String,
    pub at_raw: String,
    pub kind: String,
    pub actor: String,
    pub actor_raw: String,
    pub ip: String,
    pub user_agent: String,
    pub user_agent_raw: String,
    pub detail: String,
    pub hash: String,
    /// The first 16 hexadecimal digits, the whole hash being in a tooltip.
    pub short_hash: String,
}

#[derive(Template)]
#[template(path = "documents/show.html")]
struct ShowPage {
    layout: Layout,
    id: DocumentId,
    title: String,
    kind: String,
    status: String,
    sha256: String,
    intact: bool,
    signed: bool,
    has_request: bool,
    pending: bool,
    chain_ok: bool,
    chain_break: String,
    signers: Vec<SignerView>,
    events: Vec<EventView>,
    back: Option<(String, String)>,
    can_manage: bool,
    can_remind: bool,
}

fn event_label(l: domain::Locale, kind: &str) -> String {
    i18n::code(l, "esign-event", kind)
}

/// The trail writes its actors as `Name <e-mail>`: the name is what a
/// person recognises.
fn actor_name(actor: &str) -> &str {
    match actor.rsplit_once(" <") {
        Some((name, _)) if !name.trim().is_empty() => name.trim(),
        _ => actor,
    }
}

/// The trail's RFC 3339 timestamp as `06/12/2026 13:02`, Paris time (the
/// text itself when it does not parse: it is hashed, never rewritten).
fn trail_time(at: &str, l: domain::Locale) -> String {
    use time::format_description::well_known::Rfc3339;
    time::OffsetDateTime::parse(at, &Rfc3339)
        .map(|t| domain::locale::format_datetime(t, l))
        .unwrap_or_else(|_| at.to_owned())
}

pub async fn show(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<DocumentId>,
) -> AppResult<Response> {
    let l = ctx.locale;
    let mut tx = app.db.read().await?;
    let d = store::documents::get(&mut tx, ctx.scope()?, id).await?;
    let current = store::documents::current_sha256(&mut tx, id).await?;
    let request = store::esign::latest_for(&mut tx, id).await?;
    let trail = match &request {
        Some(r) => store::esign::trail(&mut tx, r.id).await?,
        None => Vec::new(),
    };
    let is_signer = match &request {
        Some(r) => store::esign::is_current_signer(&mut tx, r.id, &ctx.user()?.email).await?,
        None => false,
    };
    tx.commit().await?;
    let can_manage = allows(ctx.user()?.role, Permission::ManageDocuments);
    let pending = request
        .as_ref()
        .is_some_and(|r| r.status == RequestStatus::Pending);
    let chain = verify_chain(&trail);
    let signers = request
        .as_ref()
        .map(|r| {
            r.signers
                .iter()
                .map(|s| SignerView {
                    position: s.position,
                    name: s.name.clone(),
                    email: s.email.clone(),
                    status: i18n::t(l, &s.status.label_key()),
                    when: s
                        .signed_at
                        .or(s.invited_at)
                        .map(|t| domain::locale::format_datetime(t, l))
                        .unwrap_or_default(),
                    detail: s
                        .decline_reason
                        .clone()
                        .or_else(|| s.typed_name.clone())
                        .unwrap_or_default(),
                })
                .collect()
        })
        .unwrap_or_default();
    let events = trail
        .iter()
        .map(|e| EventView {
            seq: e.facts.seq,
            at: trail_time(&e.facts.at, l),
            at_raw: e.facts.at.clone(),
            kind: event_label(l, &e.facts.kind),
            actor: actor_name(&e.facts.actor).to_owned(),
            actor_raw: e.facts.actor.clone(),
            ip: e.facts.ip.clone(),
            user_agent: if e.facts.user_agent == "-" {
                String::new()
            } else {
                i18n::user_agent(l, &e.facts.user_agent)
            },
            user_agent_raw: e.facts.user_agent.clone(),
            detail: e.facts.detail.clone(),
            hash: e.hash.clone(),
            short_hash: format!("{}…", &e.hash[..e.hash.len().min(16)]),
        })
        .collect();
    let back = match (d.mission_id, d.contract_id) {
        (Some(m), _) => Some((
            format!("/missions/{m}"),
            i18n::t(l, "document-back-mission"),
        )),
        (None, Some(_)) => d.client_id.map(|c| {
            (
                format!("/companies/{c}#contracts"),
                i18n::t(l, "document-back-client"),
            )
        }),
        _ => None,
    };
    render(&ShowPage {
        layout: layout(&app, &ctx, "documents-title").await?,
        id,
        title: d.title.clone(),
        kind: i18n::t(l, &d.kind.label_key()),
        status: status_label(l, &d),
        intact: current == d.sha256
            && request
                .as_ref()
                .is_none_or(|r| r.document_sha256 == d.sha256),
        sha256: d.sha256.clone(),
        signed: d.signed_sha256.is_some(),
        has_request: request.is_some(),
        pending,
        chain_ok: chain.is_ok(),
        chain_break: chain.err().map(|b| b.seq.to_string()).unwrap_or_default(),
        signers,
        events,
        back,
        can_manage,
        can_remind: pending && (can_manage || is_signer),
    })
}

pub async fn original(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<DocumentId>,
) -> AppResult<Response> {
    download(&app, &ctx, id, false).await
}

pub async fn signed(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<DocumentId>,
) -> AppResult<Response> {
    download(&app, &ctx, id, true).await
}

async fn download(app: &AppState, ctx: &Ctx, id: DocumentId, signed: bool) -> AppResult<Response> {
    let mut tx = app.db.read().await?;
    let d = store::documents::get(&mut tx, ctx.scope()?, id).await?;
    let bytes = store::documents::bytes(&mut tx, &d, signed).await?;
    tx.commit().await?;
    Ok(pdf_response(
        bytes,
        &file_name(&d, if signed { "-signe" } else { "" }),
        false,
    ))
}

/// The signature certificate: the document's fingerprint and its trail.
pub async fn certificate(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<DocumentId>,
) -> AppResult<Response> {
    let mut tx = app.db.read().await?;
    let d = store::documents::get(&mut tx, ctx.scope()?, id).await?;
    let request = store::esign::latest_for(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let trail = store::esign::trail(&mut tx, request.id).await?;
    tx.commit().await?;
    let events: Vec<pdf::CertificateEvent> = trail
        .iter()
        .map(|e| pdf::CertificateEvent {
            at: e.facts.at.clone(),
            event: event_label(domain::Locale::Fr, &e.facts.kind),
            actor: if e.facts.detail.is_empty() {
                e.facts.actor.clone()
            } else {
                format!("{} — {}", e.facts.actor, e.facts.detail)
            },
            ip: e.facts.ip.clone(),
            user_agent: e.facts.user_agent.clone(),
            hash: e.hash.clone(),
        })
        .collect();
    let mut doc = pdf::certificate(&d.title, &request.document_sha256, &events);
    let verdict = match verify_chain(&trail) {
        Ok(()) => "Journal vérifié : chaque événement porte l’empreinte du précédent.".to_owned(),
        Err(b) => format!(
            "ATTENTION : le journal est rompu à l’événement n° {}.",
            b.seq
        ),
    };
    doc.paragraph(&verdict);
    if let Some(s) = &d.signed_sha256 {
        doc.key_values_small(&[("SHA-256 de la copie signée", s)]);
    }
    Ok(pdf_response(
        doc.to_bytes(),
        &file_name(&d, "-certificat"),
        false,
    ))
}

pub async fn remind(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<DocumentId>,
) -> AppResult<Response> {
    let (scope, user) = (ctx.scope()?, ctx.user()?);
    let remind = async |tx: &mut Tx| -> store::Result<bool> {
        store::documents::get(tx, scope, id).await?;
        let request = store::esign::latest_for(tx, id)
            .await?
            .ok_or(store::Error::NotFound)?;
        // Staff remind anyone; others may only ask for their own link again
        // (for anyone else, there is simply nobody to remind).
        let may = allows(user.role, Permission::ManageDocuments)
            || store::esign::is_current_signer(tx, request.id, &user.email).await?;
        if !may || request.status != RequestStatus::Pending {
            return Ok(false);
        }
        store::esign::remind(tx, &ctx.origin(), &app.config.public_url, request.id).await
    };
    let said = |sent: &bool| {
        Some(if *sent {
            Flash::success("esign-reminded")
        } else {
            Flash::error("esign-nobody-to-remind")
        })
    };
    write(&app, &ctx)
        .run_then_flash(remind, said)
        .await?
        .or_error()?;
    Ok(see_other(&format!("/documents/{id}")))
}

pub async fn cancel(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<DocumentId>,
) -> AppResult<Response> {
    let scope = ctx.scope()?;
    let cancel = async |tx: &mut Tx| {
        store::documents::get(tx, scope, id).await?;
        let request = store::esign::latest_for(tx, id)
            .await?
            .ok_or(store::Error::NotFound)?;
        store::esign::cancel(tx, &ctx.actor(), &ctx.origin(), request.id, "").await
    };
    write(&app, &ctx)
        .flash("esign-cancelled")
        .commit(cancel)
        .await?;
    Ok(see_other(&format!("/documents/{id}")))
}

/// What is being sent for signature.
enum Subject {
    MissionOrder(Box<store::missions::Mission>),
    Contract(Box<store::contracts::Contract>),
    Amendment(
        Box<store::missions::Mission>,
        Box<store::missions::StoredAmendment>,
    ),
}

impl Subject {
    fn action(&self) -> String {
        match self {
            Subject::MissionOrder(m) => format!("/missions/{}/mission-order", m.id),
            Subject::Contract(k) => format!("/contracts/{}/esign", k.id),
            Subject::Amendment(_, a) => format!("/amendments/{}/esign", a.id),
        }
    }

    fn heading_key(&self) -> &'static str {
        match self {
            Subject::MissionOrder(_) => "esign-send-mission-order",
            Subject::Contract(_) => "esign-send-contract",
            Subject::Amendment(..) => "esign-send-amendment",
        }
    }

    fn describe(&self) -> String {
        match self {
            Subject::MissionOrder(m) => format!("{} — {}", m.data.title, m.consultant_name),
            Subject::Contract(k) => format!(
                "{} — {} ({})",
                k.data.reference, k.data.title, k.client_name
            ),
            Subject::Amendment(m, a) => format!("n° {} — {}", a.number, m.data.title),
        }
    }
}

async fn load_subject(tx: &mut store::Tx, ctx: &Ctx, what: Target) -> AppResult<Subject> {
    let scope = ctx.scope()?;
    Ok(match what {
        Target::MissionOrder(id) => {
            Subject::MissionOrder(Box::new(store::missions::get(tx, scope, id).await?))
        }
        Target::Contract(id) => {
            Subject::Contract(Box::new(store::contracts::get(tx, scope, id).await?))
        }
        Target::Amendment(id) => {
            let (m, a) = store::missions::amendment(tx, scope, id).await?;
            Subject::Amendment(Box::new(m), Box::new(a))
        }
    })
}

/// What a sending route names: a mission (its order), a contract or an
/// amendment.
#[derive(Clone, Copy)]
pub enum Target {
    MissionOrder(MissionId),
    Contract(ContractId),
    Amendment(AmendmentId),
}

impl From<MissionId> for Target {
    fn from(id: MissionId) -> Self {
        Target::MissionOrder(id)
    }
}

impl From<ContractId> for Target {
    fn from(id: ContractId) -> Self {
        Target::Contract(id)
    }
}

impl From<AmendmentId> for Target {
    fn from(id: AmendmentId) -> Self {
        Target::Amendment(id)
    }
}

/// The people who usually sign: the consultant his mission order; the
/// client's first contact with an e-mail its contract and amendments.
async fn default_signers(tx: &mut store::Tx, s: &Subject) -> AppResult<Vec<SignerInput>> {
    match s {
        Subject::MissionOrder(m) => {
            let u = store::users::get(tx, m.data.consultant_id).await?;
            Ok(vec![SignerInput {
                name: u.display_name,
                email: u.email,
            }])
        }
        Subject::Contract(k) => client_signer(tx, k.data.client_id).await,
        Subject::Amendment(m, _) => client_signer(tx, m.data.client_id).await,
    }
}

async fn client_signer(
    tx: &mut store::Tx,
    client: domain::ids::CompanyId,
) -> AppResult<Vec<SignerInput>> {
    let contacts = store::contacts::list(
        tx,
        store::Scope::All,
        &store::contacts::ContactFilter {
            q: None,
            company_id: Some(client),
        },
        domain::paging::PageRequest::new(Some(1), Some(50)),
    )
    .await?;
    Ok(contacts
        .items
        .iter()
        .find_map(|c| {
            c.data.email.as_ref().map(|e| SignerInput {
                name: format!("{} {}", c.data.first_name, c.data.last_name),
                email: e.to_string(),
            })
        })
        .into_iter()
        .collect())
}

#[derive(Debug, Default, Deserialize)]
pub struct SendForm {
    #[serde(default)]
    pub signer_name_1: String,
    #[serde(default)]
    pub signer_email_1: String,
    #[serde(default)]
    pub signer_name_2: String,
    #[serde(default)]
    pub signer_email_2: String,
    #[serde(default)]
    pub signer_name_3: String,
    #[serde(default)]
    pub signer_email_3: String,
}

impl SendForm {
    fn rows(&self) -> Vec<SignerInput> {
        [
            (&self.signer_name_1, &self.signer_email_1),
            (&self.signer_name_2, &self.signer_email_2),
            (&self.signer_name_3, &self.signer_email_3),
        ]
        .into_iter()
        .map(|(n, e)| SignerInput {
            name: n.clone(),
            email: e.clone(),
        })
        .collect()
    }
}

#[derive(Template)]
#[template(path = "documents/send.html")]
struct SendPage {
    layout: Layout,
    heading: String,
    subject: String,
    action: String,
    preview: Option<String>,
    rows: Vec<(String, &'static str, &'static str, String, String)>,
    errors: FieldErrors,
    consent: &'static str,
}

async fn send_page(
    app: &AppState,
    ctx: &Ctx,
    s: &Subject,
    rows: Vec<SignerInput>,
    errors: &ValidationErrors,
) -> AppResult<Response> {
    let l = ctx.locale;
    let mut rows = rows;
    rows.resize(MAX_SIGNERS, SignerInput::default());
    let page = SendPage {
        layout: layout(app, ctx, "documents-title").await?,
        heading: i18n::t(l, s.heading_key()),
        subject: s.describe(),
        action: s.action(),
        preview: match s {
            Subject::MissionOrder(m) => {
                Some(format!("/missions/{}/mission-order/preview.pdf", m.id))
            }
            _ => None,
        },
        rows: rows
            .into_iter()
            .zip(domain::esign::SIGNER_FIELDS)
            .enumerate()
            .map(|(i, (r, (nf, ef)))| ((i + 1).to_string(), nf, ef, r.name, r.email))
            .collect(),
        errors: FieldErrors::new(l, errors),
        consent: CONSENT_FR,
    };
    if errors.is_empty() {
        render(&page)
    } else {
        render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
    }
}

async fn send_form(app: &AppState, ctx: &Ctx, what: Target) -> AppResult<Response> {
    let mut tx = app.db.read().await?;
    let s = load_subject(&mut tx, ctx, what).await?;
    let rows = default_signers(&mut tx, &s).await?;
    tx.commit().await?;
    send_page(app, ctx, &s, rows, &ValidationErrors::new()).await
}

/// Writes the document, stores it and sends it to the signers, in one
/// transaction: a refused signer list leaves no orphan document behind.
async fn send(app: &AppState, ctx: &Ctx, what: Target, f: SendForm) -> AppResult<Response> {
    // What is sent, as read in the transaction, for a refusal to show.
    let mut subject = None;
    let send = async |tx: &mut Tx| -> AppResult<DocumentId> {
        let s = &*subject.insert(load_subject(tx, ctx, what).await?);
        let signers = domain::esign::validate_signers(&f.rows()).map_err(AppError::Validation)?;
        write_and_send(tx, app, ctx, s, &signers).await
    };
    match write(app, ctx).flash("esign-sent").run(send).await? {
        Done(doc) => Ok(see_other(&format!("/documents/{doc}"))),
        Refused(v) => match subject {
            Some(s) => send_page(app, ctx, &s, f.rows(), &v).await,
            None => Err(AppError::Validation(v)),
        },
    }
}

/// The document written, stored and sent; a contract still a draft is
/// sent with it.
async fn write_and_send(
    tx: &mut Tx,
    app: &AppState,
    ctx: &Ctx,
    s: &Subject,
    signers: &[domain::esign::SignerData],
) -> AppResult<DocumentId> {
    let now = store::now();
    let (pdf, links) = match s {
        Subject::MissionOrder(m) => (
            paperwork::mission_order(tx, m, now).await?,
            Links {
                kind: DocumentKind::MissionOrder,
                mission_id: Some(m.id),
                contract_id: None,
                amendment_id: None,
                client_id: None,
                consultant_id: Some(m.data.consultant_id),
                cra_id: None,
            },
        ),
        Subject::Contract(k) => (
            paperwork::client_contract(tx, k, now).await?,
            Links {
                kind: DocumentKind::ClientContract,
                mission_id: None,
                contract_id: Some(k.id),
                amendment_id: None,
                client_id: Some(k.data.client_id),
                consultant_id: None,
                cra_id: None,
            },
        ),
        Subject::Amendment(m, a) => (
            paperwork::amendment(m, a, now),
            Links {
                kind: DocumentKind::Amendment,
                mission_id: Some(m.id),
                contract_id: None,
                amendment_id: Some(a.id),
                client_id: Some(m.data.client_id),
                consultant_id: None,
                cra_id: None,
            },
        ),
    };
    let actor = ctx.actor();
    let doc = app::documents::create_generated(tx, &actor, links, &pdf).await?;
    let (origin, url) = (ctx.origin(), &app.config.public_url);
    store::esign::send(tx, &actor, &origin, url, doc.id, signers).await?;
    if let Subject::Contract(k) = s
        && k.status == domain::contract::ContractStatus::Draft
    {
        let send = domain::contract::ContractEvent::Send;
        store::contracts::apply(tx, &actor, ctx.scope()?, k.id, send, None).await?;
    }
    Ok(doc.id)
}

/// The sending form of a mission order, client contract or amendment,
/// chosen by the id type of the route (`/missions/{id}/…` and so on).
pub async fn send_form_page<T>(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<T>,
) -> AppResult<Response>
where
    Target: From<T>,
{
    send_form(&app, &ctx, Target::from(id)).await
}

pub async fn send_submit<T>(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<T>,
    Form(f): Form<SendForm>,
) -> AppResult<Response>
where
    Target: From<T>,
{
    send(&app, &ctx, Target::from(id), f).await
}

/// The mission order as it would be written now, not stored.
pub async fn mission_order_preview(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<MissionId>,
) -> AppResult<Response> {
    let mut tx = app.db.read().await?;
    let m = store::missions::get(&mut tx, ctx.scope()?, id).await?;
    let doc = paperwork::mission_order(&mut tx, &m, store::now()).await?;
    tx.commit().await?;
    Ok(pdf_response(
        doc.to_bytes(),
        "ordre-de-mission-apercu.pdf",
        false,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trail_rows_read_as_people_say_them() {
        assert_eq!(
            actor_name("Camille Martin <camille@exemple.fr>"),
            "Camille Martin"
        );
        assert_eq!(actor_name("Régisseur"), "Régisseur");
        assert_eq!(actor_name(" <x@y.fr>"), " <x@y.fr>");
        // 12:02 UTC on 6 December is 13:02 in Paris (winter time).
        assert_eq!(
            trail_time("2026-12-06T12:02:31.123Z", domain::Locale::Fr),
            "06/12/2026 13:02"
        );
        assert_eq!(trail_time("not a date", domain::Locale::Fr), "not a date");
    }
}
