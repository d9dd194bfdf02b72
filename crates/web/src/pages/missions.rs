//! Missions: list, show (rates in force, amendments), create, edit, amend.

use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use domain::Locale;
use domain::company::CompanyKind;
use domain::ids::MissionId;
use domain::locale::format_date;
use domain::mission::{MissionInput, MissionStatus, Tjm};
use domain::paging::PageRequest;
use domain::rates::Amendment;
use domain::role::Role;
use domain::terms::{ExpensePolicy, VatRegime};
use domain::validation::ValidationErrors;
use serde::Deserialize;
use store::missions::{Mission, MissionFilter};
use store::{Scope, Tx};

use super::see_other;
use crate::authz::{Permission, allows};
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::extract::{Id, Query};
use crate::view::{FieldErrors, Layout, Pager, layout, render, render_status};
use crate::write::{Done, Refused, write};
use crate::{AppState, i18n};

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub status: String,
    pub page: Option<u32>,
}

pub struct Row {
    pub id: MissionId,
    pub title: String,
    pub code: String,
    pub client: String,
    pub consultant: String,
    pub dates: String,
    pub tjm: String,
    pub status: String,
}

#[derive(Template)]
#[template(path = "missions/list.html")]
struct ListPage {
    layout: Layout,
    q: String,
    status: String,
    statuses: Vec<(&'static str, String)>,
    rows: Vec<Row>,
    pager: Pager,
    can_edit: bool,
    /// The selling rate column (never for a consultant or a recruiter).
    show_rate: bool,
    /// A consultant not yet in the list is invited from here.
    can_invite: bool,
}

/// The mission's status in words: "à venir" until it has started and its
/// mission order is signed, saying which of the two it waits for.
fn status_words(locale: Locale, m: &Mission, order_signed: bool) -> String {
    let shown = domain::mission::shown_status(m.status, order_signed);
    if shown != m.status {
        i18n::t(locale, "mission-status-upcoming-unsigned")
    } else {
        i18n::t(locale, &shown.label_key())
    }
}

fn dates(m: &Mission, locale: Locale) -> String {
    format!(
        "{} → {}",
        format_date(m.data.start_date, locale),
        format_date(m.data.end_date, locale)
    )
}

pub async fn list(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let scope = ctx.scope()?;
    let role = ctx.user()?.role;
    let show_rate = allows(role, Permission::ViewSellingTerms);
    let filter = MissionFilter {
        q: Some(q.q.clone()),
        status: MissionStatus::parse(&q.status),
        ..Default::default()
    };
    let mut tx = app.db.read().await?;
    let paged =
        store::missions::list(&mut tx, scope, &filter, PageRequest::new(q.page, None)).await?;
    let ids: Vec<MissionId> = paged.items.iter().map(|m| m.id).collect();
    let signed = store::documents::signed_mission_orders(&mut tx, &ids).await?;
    tx.commit().await?;
    let rows = paged
        .items
        .iter()
        .map(|m| Row {
            id: m.id,
            title: m.data.title.clone(),
            code: m.analytic_code.clone(),
            client: m.client_name.clone(),
            consultant: m.consultant_name.clone(),
            dates: dates(m, ctx.locale),
            tjm: if show_rate {
                m.data.tjm.amount().format(ctx.locale)
            } else {
                String::new()
            },
            status: status_words(ctx.locale, m, signed.contains(&m.id)),
        })
        .collect();
    let pager = Pager::new(
        &paged,
        "/missions",
        &[("q", q.q.clone()), ("status", q.status.clone())],
    );
    render(&ListPage {
        layout: layout(&app, &ctx, "missions-title").await?,
        can_edit: allows(role, Permission::EditMissions),
        show_rate,
        can_invite: allows(role, Permission::InviteUsers),
        statuses: MissionStatus::ALL
            .iter()
            .map(|s| (s.as_str(), i18n::t(ctx.locale, &s.label_key())))
            .collect(),
        q: q.q,
        status: q.status,
        rows,
        pager,
    })
}

pub struct Select {
    pub name: &'static str,
    pub label: String,
    pub required: bool,
    pub selected: String,
    pub options: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "missions/form.html")]
struct FormPage {
    layout: Layout,
    heading: String,
    action: String,
    cancel: String,
    form: MissionInput,
    selects: Vec<Select>,
    billing_selects: Vec<Select>,
    contacts: Vec<(String, String)>,
    /// No client chosen yet: the contact pickers say to choose it first.
    no_client: bool,
    validators: Vec<String>,
    errors: FieldErrors,
}

pub(crate) async fn users_with(
    tx: &mut store::Tx,
    roles: &[Role],
) -> AppResult<Vec<(String, String)>> {
    let mut out = Vec::new();
    for r in roles {
        let f = store::users::UserFilter {
            role: Some(*r),
            ..Default::default()
        };
        let page = store::users::list(tx, &f, PageRequest::new(Some(1), Some(200))).await?;
        out.extend(
            page.items
                .into_iter()
                .filter(|u| u.active)
                .map(|u| (u.id.to_string(), u.display_name)),
        );
    }
    Ok(out)
}

async fn form_page(
    app: &AppState,
    ctx: &Ctx,
    existing: Option<MissionId>,
    form: MissionInput,
    validators: Vec<String>,
    errors: &ValidationErrors,
) -> AppResult<Response> {
    let l = ctx.locale;
    let (title_key, action, cancel) = match existing {
        Some(id) => (
            "missions-edit",
            format!("/missions/{id}"),
            format!("/missions/{id}"),
        ),
        None => (
            "missions-new",
            "/missions".to_string(),
            "/missions".to_string(),
        ),
    };
    let mut tx = app.db.read().await?;
    let clients = store::companies::options(&mut tx, Scope::All, Some(CompanyKind::Client)).await?;
    let consultants = users_with(&mut tx, &[Role::Consultant]).await?;
    let bms = users_with(&mut tx, store::users::MANAGER_ROLES).await?;
    let dms = users_with(
        &mut tx,
        &[
            Role::DeliveryManager,
            Role::BusinessManager,
            Role::Direction,
        ],
    )
    .await?;
    // Only the client's contacts may receive its invoices or validate its
    // reports: none are offered until the client is chosen.
    let client = domain::ids::CompanyId::parse(&form.client_id);
    let contacts = match client {
        Some(company_id) => {
            let filter = store::contacts::ContactFilter {
                company_id: Some(company_id),
                ..Default::default()
            };
            store::contacts::list(
                &mut tx,
                Scope::All,
                &filter,
                PageRequest::new(Some(1), Some(200)),
            )
            .await?
            .items
        }
        None => Vec::new(),
    };
    tx.commit().await?;
    let contacts: Vec<(String, String)> = contacts
        .iter()
        .map(|c| (c.id.to_string(), c.full_name()))
        .collect();
    let select =
        |name, key: &str, required, selected: &str, options: Vec<(String, String)>| Select {
            name,
            label: i18n::t(l, key),
            required,
            selected: selected.to_string(),
            options,
        };
    let selects = vec![
        select(
            "client_id",
            "mission-client",
            true,
            &form.client_id,
            clients
                .into_iter()
                .map(|(id, n)| (id.to_string(), n))
                .collect(),
        ),
        select(
            "consultant_id",
            "mission-consultant",
            true,
            &form.consultant_id,
            consultants,
        ),
        select(
            "business_manager_id",
            "mission-bm",
            true,
            &form.business_manager_id,
            bms,
        ),
        select(
            "delivery_manager_id",
            "mission-dm",
            false,
            &form.delivery_manager_id,
            dms,
        ),
    ];
    let billing_selects = vec![
        select(
            "vat_regime",
            "mission-vat-regime",
            true,
            &form.vat_regime,
            VatRegime::ALL
                .iter()
                .map(|r| (r.as_str().to_string(), i18n::t(l, &r.label_key())))
                .collect(),
        ),
        select(
            "expense_policy",
            "mission-expense-policy",
            true,
            &form.expense_policy,
            ExpensePolicy::KINDS
                .iter()
                .map(|k| {
                    (
                        k.to_string(),
                        i18n::t(l, &format!("expense-policy-{}", k.replace('_', "-"))),
                    )
                })
                .collect(),
        ),
        select(
            "invoicing_contact_id",
            "mission-invoicing-contact",
            false,
            &form.invoicing_contact_id,
            contacts.clone(),
        ),
    ];
    let page = FormPage {
        layout: layout(app, ctx, title_key).await?,
        heading: i18n::t(l, title_key),
        action,
        cancel,
        form,
        selects,
        billing_selects,
        no_client: client.is_none(),
        contacts,
        validators,
        errors: FieldErrors::new(l, errors),
    };
    if errors.is_empty() {
        render(&page)
    } else {
        render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
    }
}

/// Reads the mission form. Checkboxes of validators repeat one name, which
/// a struct cannot hold, so the pairs are read one by one.
fn read_form(body: &[u8]) -> AppResult<(MissionInput, Vec<String>)> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body)
        .map_err(|_| AppError::BadRequest("error-malformed-form"))?;
    let mut f = MissionInput::default();
    let mut validators = Vec::new();
    for (k, v) in pairs {
        match k.as_str() {
            "title" => f.title = v,
            "client_id" => f.client_id = v,
            "consultant_id" => f.consultant_id = v,
            "business_manager_id" => f.business_manager_id = v,
            "delivery_manager_id" => f.delivery_manager_id = v,
            "start_date" => f.start_date = v,
            "end_date" => f.end_date = v,
            "tjm" => f.tjm = v,
            "allocation" => f.allocation = v,
            "po_number" => f.po_number = v,
            "payment_days" => f.payment_days = v,
            "payment_end_of_month" => f.payment_end_of_month = v == "true",
            "vat_rate" => f.vat_rate = v,
            "vat_regime" => f.vat_regime = v,
            "expense_policy" => f.expense_policy = v,
            "expense_fee" => f.expense_fee = v,
            "invoicing_locked" => f.invoicing_locked = v == "true",
            "extras_allowed" => f.extras_allowed = v == "true",
            "invoicing_contact_id" => f.invoicing_contact_id = v,
            "billing_address" => f.billing_address = v,
            "notes" => f.notes = v,
            "validators" => validators.push(v),
            _ => {}
        }
    }
    Ok((f, validators))
}

fn parse_validators(raw: &[String]) -> Result<Vec<domain::ids::ContactId>, ValidationErrors> {
    raw.iter()
        .map(|v| {
            domain::ids::ContactId::parse(v)
                .ok_or_else(|| ValidationErrors::single("validators", "company-unknown"))
        })
        .collect()
}

/// `?client_id=` preselects the client: the form asks for it again when
/// the client changes, to offer that client's contacts.
#[derive(Debug, Default, Deserialize)]
pub struct NewQuery {
    #[serde(default)]
    pub client_id: String,
}

pub async fn new(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<NewQuery>,
) -> AppResult<Response> {
    let form = MissionInput {
        client_id: q.client_id,
        payment_days: "30".into(),
        vat_rate: "20".into(),
        vat_regime: VatRegime::OnReceipts.as_str().into(),
        expense_policy: "not_rebilled".into(),
        business_manager_id: ctx.user()?.id.to_string(),
        ..Default::default()
    };
    form_page(&app, &ctx, None, form, Vec::new(), &ValidationErrors::new()).await
}

pub async fn create(State(app): State<AppState>, ctx: Ctx, body: Bytes) -> AppResult<Response> {
    let (input, raw_validators) = read_form(&body)?;
    let checked = input
        .validate()
        .and_then(|d| parse_validators(&raw_validators).map(|v| (d, v)));
    let (data, validators) = match checked {
        Ok(x) => x,
        Err(errors) => return form_page(&app, &ctx, None, input, raw_validators, &errors).await,
    };
    let create = async |tx: &mut Tx| -> AppResult<_> {
        store::missions::check_allocation(tx, &data, None).await?;
        Ok(store::missions::create(tx, &ctx.actor(), &data, &validators).await?)
    };
    match write(&app, &ctx)
        .flash("mission-created")
        .run(create)
        .await?
    {
        Done(m) => Ok(see_other(&format!("/missions/{}", m.id))),
        Refused(errors) => form_page(&app, &ctx, None, input, raw_validators, &errors).await,
    }
}

pub async fn edit(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<MissionId>,
) -> AppResult<Response> {
    let mut tx = app.db.read().await?;
    let m = store::missions::get(&mut tx, ctx.scope()?, id).await?;
    tx.commit().await?;
    let validators = m.validators.iter().map(|v| v.to_string()).collect();
    form_page(
        &app,
        &ctx,
        Some(id),
        m.data.to_input(),
        validators,
        &ValidationErrors::new(),
    )
    .await
}

pub async fn update(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<MissionId>,
    body: Bytes,
) -> AppResult<Response> {
    let (input, raw_validators) = read_form(&body)?;
    let checked = input
        .validate()
        .and_then(|d| parse_validators(&raw_validators).map(|v| (d, v)));
    let (data, validators) = match checked {
        Ok(x) => x,
        Err(errors) => {
            return form_page(&app, &ctx, Some(id), input, raw_validators, &errors).await;
        }
    };
    let scope = ctx.scope()?;
    let update = async |tx: &mut Tx| -> AppResult<_> {
        store::missions::check_allocation(tx, &data, Some(id)).await?;
        Ok(store::missions::update(tx, &ctx.actor(), scope, id, &data, &validators).await?)
    };
    match write(&app, &ctx)
        .flash("mission-updated")
        .run(update)
        .await?
    {
        Done(_) => Ok(see_other(&format!("/missions/{id}"))),
        Refused(errors) => form_page(&app, &ctx, Some(id), input, raw_validators, &errors).await,
    }
}

pub struct MissionView {
    pub id: MissionId,
    pub title: String,
    pub code: String,
    pub status: String,
    pub facts: Vec<(String, String)>,
    pub periods: Vec<(String, String, String)>,
    pub amendments: Vec<AmendmentView>,
    /// The mission's documents (mission orders, amendments), newest first.
    pub documents: Vec<super::documents::Row>,
    /// The client contract, described, and whether it is signed.
    pub contract: Option<(String, bool)>,
    /// Invoicing waits for a signature (key-account lock).
    pub blocked: bool,
    pub contract_options: Vec<(String, String)>,
}

pub struct AmendmentView {
    pub id: domain::ids::AmendmentId,
    pub number: i32,
    pub from: String,
    pub tjm: String,
    pub end: String,
    pub reason: String,
    /// The signature status of its latest document, and that document.
    pub signature: Option<(String, domain::ids::DocumentId)>,
}

#[derive(Debug, Default, Deserialize)]
pub struct AmendmentForm {
    #[serde(default)]
    pub effective_from: String,
    #[serde(default)]
    pub new_tjm: String,
    #[serde(default)]
    pub new_end: String,
    #[serde(default)]
    pub reason: String,
}

#[derive(Template)]
#[template(path = "missions/show.html")]
struct ShowPage {
    layout: Layout,
    v: MissionView,
    can_edit: bool,
    /// The selling rate, the client's terms and contract (not for a
    /// consultant nor a recruiter).
    selling: bool,
    /// Who owns the mission and with what share (commercial staff).
    portfolio: bool,
    /// Its margin, this month and over twelve months (staff who may see
    /// margins).
    margin: Option<super::margins::MissionMargin>,
    /// The opportunity it came from and its renewal's (CRM staff).
    opportunities: store::opportunities::OfMission,
    /// May create its renewal opportunity.
    can_renewal_opportunity: bool,
    /// Its follow-up meetings (CRM staff).
    meetings: Option<super::meetings::MeetingBlock>,
    /// Its calls, meetings, e-mails and tasks (CRM staff).
    activities: Option<super::activities::of_mission::MissionActivities>,
    amend: AmendmentForm,
    errors: FieldErrors,
}

async fn show_page(
    app: &AppState,
    ctx: &Ctx,
    id: MissionId,
    amend: AmendmentForm,
    errors: &ValidationErrors,
) -> AppResult<Response> {
    let l = ctx.locale;
    let mut tx = app.db.read().await?;
    let (m, schedule, amendments) = store::missions::schedule(&mut tx, ctx.scope()?, id).await?;
    let contract = store::contracts::of_mission(&mut tx, ctx.scope()?, id).await?;
    let options = store::contracts::for_client(&mut tx, ctx.scope()?, m.data.client_id).await?;
    let docs = store::documents::list(
        &mut tx,
        ctx.scope()?,
        store::documents::About::Mission(id),
        50,
    )
    .await?;
    let signed = store::documents::signed_mission_orders(&mut tx, &[id]).await?;
    let role = ctx.user()?.role;
    let portfolio = if allows(role, Permission::ViewPortfolio) {
        Some(store::portfolio::of_mission(&mut tx, id).await?)
    } else {
        None
    };
    let opportunities = if allows(role, Permission::ViewOpportunities) {
        store::opportunities::of_mission(&mut tx, ctx.scope()?, id).await?
    } else {
        Default::default()
    };
    let meetings = super::meetings::block(&mut tx, ctx, Some(id), None).await?;
    let activities =
        super::activities::of_mission::block(&mut tx, ctx, id, m.data.client_id).await?;
    tx.commit().await?;
    let margin = super::margins::for_mission(app, ctx, id).await?;
    let selling = allows(role, Permission::ViewSellingTerms);
    let t = |k: &str| i18n::t(l, k);
    let terms = &m.data.payment_terms;
    let mut facts = vec![
        (t("mission-client"), m.client_name.clone()),
        (t("mission-consultant"), m.consultant_name.clone()),
        (t("mission-bm"), m.business_manager_name.clone()),
        (t("mission-dates"), dates(&m, l)),
        (
            t("mission-allocation"),
            format!("{}\u{a0}%", m.data.allocation.percent()),
        ),
    ];
    // What the client pays and on which terms is the firm's and the
    // client's business: a consultant (or a recruiter) sees none of it.
    let selling_facts = [
        (t("mission-tjm"), m.data.tjm.amount().format(l)),
        (
            t("mission-payment-days"),
            i18n::t_args(
                l,
                if terms.end_of_month() {
                    "terms-days-eom"
                } else {
                    "terms-days"
                },
                &[("days", terms.days().to_string())],
            ),
        ),
        (t("mission-vat-rate"), m.data.vat_rate.format(l)),
        (t("mission-vat-regime"), t(&m.data.vat_regime.label_key())),
        (
            t("mission-invoicing-locked"),
            t(if m.data.invoicing_locked { "yes" } else { "no" }),
        ),
    ];
    if selling {
        facts.extend(selling_facts);
        if let Some(po) = &m.data.po_number {
            facts.push((t("mission-po"), po.clone()));
        }
    }
    if let Some(lines) = &portfolio {
        facts.push((
            t("mission-portfolio"),
            super::portfolio::owners_today(lines, l),
        ));
    }
    facts.push((
        t("mission-extras-allowed"),
        t(if m.data.extras_allowed { "yes" } else { "no" }),
    ));
    let periods = schedule
        .periods(m.data.start_date, schedule.end())
        .into_iter()
        .filter(|_| selling)
        .map(|p| {
            (
                format_date(p.from, l),
                format_date(p.to, l),
                p.tjm.amount().format(l),
            )
        })
        .collect();
    let amendments = amendments
        .iter()
        .map(|a| AmendmentView {
            id: a.id,
            number: a.number,
            from: format_date(a.amendment.effective_from, l),
            tjm: a
                .amendment
                .new_tjm
                .filter(|_| selling)
                .map(|t| t.amount().format(l))
                .unwrap_or_else(|| "—".into()),
            end: a
                .amendment
                .new_end
                .map(|d| format_date(d, l))
                .unwrap_or_else(|| "—".into()),
            reason: a.reason.clone().unwrap_or_default(),
            signature: docs
                .iter()
                .find(|d| d.amendment_id == Some(a.id))
                .map(|d| (super::documents::status_label(l, d), d.id)),
        })
        .collect();
    let page = ShowPage {
        layout: layout(app, ctx, "missions-title").await?,
        can_edit: allows(role, Permission::EditMissions),
        selling,
        portfolio: portfolio.is_some(),
        margin,
        can_renewal_opportunity: allows(role, Permission::EditOpportunities)
            && opportunities.renewal.is_none(),
        opportunities,
        meetings,
        activities,
        v: MissionView {
            id: m.id,
            title: m.data.title.clone(),
            code: m.analytic_code.clone(),
            status: status_words(l, &m, signed.contains(&m.id)),
            facts,
            periods,
            amendments,
            documents: super::documents::rows(l, &docs),
            blocked: domain::contract::KeyAccountFacts {
                invoicing_locked: m.data.invoicing_locked,
                contract: contract.as_ref().map(|k| k.status),
            }
            .lock_holds(),
            contract: contract.as_ref().map(|k| {
                (
                    format!(
                        "{} — {} ({})",
                        k.data.reference,
                        k.data.title,
                        i18n::t(l, &k.status.label_key())
                    ),
                    k.status.allows_invoicing(),
                )
            }),
            contract_options: options
                .iter()
                .filter(|k| k.status != domain::contract::ContractStatus::Cancelled)
                .map(|k| {
                    (
                        k.id.to_string(),
                        format!(
                            "{} — {}",
                            k.data.reference,
                            i18n::t(l, &k.status.label_key())
                        ),
                    )
                })
                .collect(),
        },
        amend,
        errors: FieldErrors::new(l, errors),
    };
    if errors.is_empty() {
        render(&page)
    } else {
        render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
    }
}

pub async fn show(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<MissionId>,
) -> AppResult<Response> {
    show_page(
        &app,
        &ctx,
        id,
        AmendmentForm::default(),
        &ValidationErrors::new(),
    )
    .await
}

fn parse_amendment(f: &AmendmentForm) -> Result<Amendment, ValidationErrors> {
    let mut e = ValidationErrors::new();
    let effective_from = e.required("effective_from", &f.effective_from, |s| {
        domain::validation::date(s)
    });
    let new_tjm = e.optional("new_tjm", &f.new_tjm, Tjm::parse);
    let new_end = e.optional("new_end", &f.new_end, domain::validation::date);
    e.into_result(|| Amendment {
        effective_from: effective_from.expect("checked"),
        new_tjm,
        new_end,
    })
}

pub async fn amend(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<MissionId>,
    crate::extract::Form(f): crate::extract::Form<AmendmentForm>,
) -> AppResult<Response> {
    let a = match parse_amendment(&f) {
        Ok(a) => a,
        Err(errors) => return show_page(&app, &ctx, id, f, &errors).await,
    };
    let reason = Some(f.reason.trim()).filter(|r| !r.is_empty());
    let scope = ctx.scope()?;
    let amend = async |tx: &mut Tx| -> AppResult<_> {
        Ok(store::missions::add_amendment(tx, &ctx.actor(), scope, id, &a, reason).await?)
    };
    match write(&app, &ctx)
        .flash("amendment-created")
        .run(amend)
        .await?
    {
        Done(_) => Ok(see_other(&format!("/missions/{id}"))),
        Refused(errors) => show_page(&app, &ctx, id, f, &errors).await,
    }
}
