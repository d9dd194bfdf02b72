//! Companies: list with search and paging, show, create, edit.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use domain::company::group::EntityKind;
use domain::company::{CompanyInput, CompanyKind};
use domain::ids::CompanyId;
use domain::paging::PageRequest;
use domain::validation::ValidationErrors;
use serde::Deserialize;
use store::Tx;
use store::companies::{Company, CompanyFilter};

use super::see_other;
use crate::authz::{Permission, allows};
use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::extract::{Form, Id, Query};
use crate::view::{FieldErrors, Layout, Pager, layout, render, render_status};
use crate::write::{Done, Refused, write};
use crate::{AppState, i18n};

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub kind: String,
    pub page: Option<u32>,
}

pub struct Row {
    pub id: CompanyId,
    pub name: String,
    pub kind: String,
    pub siren: String,
    pub city: String,
    pub key_account: bool,
}

#[derive(Template)]
#[template(path = "companies/list.html")]
struct ListPage {
    layout: Layout,
    q: String,
    kind: String,
    kinds: Vec<(&'static str, String)>,
    rows: Vec<Row>,
    pager: Pager,
    can_edit: bool,
}

fn kinds(ctx: &Ctx) -> Vec<(&'static str, String)> {
    CompanyKind::ALL
        .iter()
        .map(|k| (k.as_str(), i18n::t(ctx.locale, &k.label_key())))
        .collect()
}

pub async fn list(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let scope = ctx.scope()?;
    let filter = CompanyFilter {
        q: Some(q.q.clone()),
        kinds: CompanyKind::parse(&q.kind).into_iter().collect(),
    };
    let mut tx = app.db.read().await?;
    let paged =
        store::companies::list(&mut tx, scope, &filter, PageRequest::new(q.page, None)).await?;
    tx.commit().await?;
    let rows = paged
        .items
        .iter()
        .map(|c| Row {
            id: c.id,
            name: c.data.name.clone(),
            kind: i18n::t(ctx.locale, &c.data.kind.label_key()),
            siren: c
                .data
                .siren
                .as_ref()
                .map(|s| s.formatted())
                .unwrap_or_default(),
            city: c.data.city.clone().unwrap_or_default(),
            key_account: c.data.key_account,
        })
        .collect();
    let pager = Pager::new(
        &paged,
        "/companies",
        &[("q", q.q.clone()), ("kind", q.kind.clone())],
    );
    let user = ctx.user()?;
    render(&ListPage {
        layout: layout(&app, &ctx, "companies-title").await?,
        can_edit: allows(user.role, Permission::EditCompanies),
        kinds: kinds(&ctx),
        q: q.q,
        kind: q.kind,
        rows,
        pager,
    })
}

/// How many suggestions a picker shows: enough to choose among, few enough
/// to travel at each key typed.
pub const PICKER_LIMIT: u32 = 20;

#[derive(Debug, Default, Deserialize)]
pub struct OptionsQuery {
    /// The words typed.
    #[serde(default)]
    pub q: String,
    /// The same, under a filter's own name (a picker's input sends itself
    /// as `client`).
    #[serde(default)]
    pub client: String,
    #[serde(default)]
    pub kind: String,
}

#[derive(Template)]
#[template(path = "companies/options.html")]
struct Options {
    names: Vec<String>,
}

/// GET /companies/options?q=&kind=: the suggestions of a company picker,
/// the companies the user may see whose name (or SIREN, city) holds the
/// words, by name, at most `PICKER_LIMIT`, as `<option>`s of a datalist.
pub async fn options(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<OptionsQuery>,
) -> AppResult<Response> {
    let typed = if q.q.trim().is_empty() {
        &q.client
    } else {
        &q.q
    };
    let filter = CompanyFilter {
        q: Some(typed.trim().to_owned()),
        // `client,prospect`: the accounts an opportunity may be for.
        kinds: q
            .kind
            .split(',')
            .map(str::trim)
            .filter_map(CompanyKind::parse)
            .collect(),
    };
    let mut tx = app.db.read().await?;
    let found = store::companies::list(
        &mut tx,
        ctx.scope()?,
        &filter,
        PageRequest::new(Some(1), Some(PICKER_LIMIT)),
    )
    .await?;
    tx.commit().await?;
    render(&Options {
        names: found.items.into_iter().map(|c| c.data.name).collect(),
    })
}

#[derive(Template)]
#[template(path = "companies/form.html")]
struct FormPage {
    layout: Layout,
    heading: String,
    action: String,
    cancel: String,
    form: CompanyInput,
    kinds: Vec<(&'static str, String)>,
    /// The parent picker: the companies the user may see, but this one.
    parents: Vec<(String, String)>,
    entity_kinds: Vec<(&'static str, String)>,
    errors: FieldErrors,
}

fn entity_kinds(ctx: &Ctx) -> Vec<(&'static str, String)> {
    EntityKind::ALL
        .iter()
        .map(|k| (k.as_str(), i18n::t(ctx.locale, &k.label_key())))
        .collect()
}

async fn form_page(
    app: &AppState,
    ctx: &Ctx,
    existing: Option<CompanyId>,
    form: CompanyInput,
    errors: &ValidationErrors,
) -> AppResult<Response> {
    let (title_key, action, cancel) = match existing {
        Some(id) => (
            "companies-edit",
            format!("/companies/{id}"),
            format!("/companies/{id}"),
        ),
        None => (
            "companies-new",
            "/companies".to_string(),
            "/companies".to_string(),
        ),
    };
    let mut tx = app.db.read().await?;
    let parents = store::companies::options(&mut tx, ctx.scope()?, None)
        .await?
        .into_iter()
        .filter(|(id, _)| Some(*id) != existing)
        .map(|(id, name)| (id.to_string(), name))
        .collect();
    tx.commit().await?;
    let page = FormPage {
        parents,
        entity_kinds: entity_kinds(ctx),
        layout: layout(app, ctx, title_key).await?,
        heading: i18n::t(ctx.locale, title_key),
        action,
        cancel,
        form,
        kinds: kinds(ctx),
        errors: FieldErrors::new(ctx.locale, errors),
    };
    if errors.is_empty() {
        render(&page)
    } else {
        render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
    }
}

pub async fn new(State(app): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let form = CompanyInput {
        kind: "client".into(),
        country: "FR".into(),
        ..Default::default()
    };
    form_page(&app, &ctx, None, form, &ValidationErrors::new()).await
}

pub async fn create(
    State(app): State<AppState>,
    ctx: Ctx,
    Form(input): Form<CompanyInput>,
) -> AppResult<Response> {
    let data = match input.validate() {
        Ok(d) => d,
        Err(errors) => return form_page(&app, &ctx, None, input, &errors).await,
    };
    // A refusal (a rule, or a SIREN already taken) is shown beside the
    // field; anything else is an error page.
    let create = async |tx: &mut Tx| -> AppResult<_> {
        Ok(store::companies::create_in_scope(tx, &ctx.actor(), ctx.scope()?, &data).await?)
    };
    match write(&app, &ctx)
        .flash("company-created")
        .run(create)
        .await?
    {
        Done(company) => Ok(see_other(&format!("/companies/{}", company.id))),
        Refused(errors) => form_page(&app, &ctx, None, input, &errors).await,
    }
}

pub async fn edit(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<CompanyId>,
) -> AppResult<Response> {
    let mut tx = app.db.read().await?;
    let company = store::companies::get(&mut tx, ctx.scope()?, id).await?;
    tx.commit().await?;
    form_page(
        &app,
        &ctx,
        Some(id),
        company.data.to_input(),
        &ValidationErrors::new(),
    )
    .await
}

pub async fn update(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<CompanyId>,
    Form(input): Form<CompanyInput>,
) -> AppResult<Response> {
    let data = match input.validate() {
        Ok(d) => d,
        Err(errors) => return form_page(&app, &ctx, Some(id), input, &errors).await,
    };
    let scope = ctx.scope()?;
    let update = async |tx: &mut Tx| -> AppResult<_> {
        Ok(store::companies::update(tx, &ctx.actor(), scope, id, &data).await?)
    };
    match write(&app, &ctx)
        .flash("company-updated")
        .run(update)
        .await?
    {
        Done(_) => Ok(see_other(&format!("/companies/{id}"))),
        Refused(errors) => form_page(&app, &ctx, Some(id), input, &errors).await,
    }
}

pub struct ContactLine {
    pub name: String,
    pub job_title: Option<String>,
    pub role: String,
    pub email: String,
    pub phone: String,
}

#[derive(Template)]
#[template(path = "companies/show.html")]
struct ShowPage {
    layout: Layout,
    c: Company,
    kind_label: String,
    address: String,
    iban: Option<String>,
    contacts: Vec<ContactLine>,
    history: Vec<String>,
    can_edit: bool,
    can_add_contact: bool,
    contracts: Vec<ContractLine>,
    can_manage_contracts: bool,
    /// A client's "send invoices by e-mail" (staff who see invoices).
    invoice_delivery: Option<bool>,
    can_set_invoice_delivery: bool,
    /// The account's owners today, in words, for those who may see the
    /// portfolio (`None`: not shown).
    owners: Option<String>,
    /// A link to its opportunities (those who see the CRM).
    opportunities: bool,
    /// Its follow-up meetings (those who see the CRM).
    meetings: Option<super::meetings::MeetingBlock>,
    /// Its calls, meetings, e-mails and tasks (those who see the CRM).
    activities: Vec<super::activities::Row>,
    can_log: bool,
    back: String,
    log_query: String,
    /// Its group's tree (empty when it belongs to none), and the
    /// opportunities and missions of the whole group.
    group: Vec<GroupLine>,
    group_opportunities: Vec<GroupItemLine>,
    group_missions: Vec<GroupItemLine>,
}

pub struct GroupLine {
    pub id: String,
    pub name: String,
    pub kind: Option<String>,
    pub depth: usize,
    pub this: bool,
}

pub struct GroupItemLine {
    pub href: String,
    pub title: String,
    pub company: String,
    pub state: String,
    pub start: String,
}

pub struct ContractLine {
    pub id: String,
    pub reference: String,
    pub title: String,
    pub kind: String,
    pub validity: String,
    pub ceiling: String,
    pub status: String,
    pub can_send: bool,
    pub can_sign: bool,
    pub signed: String,
    /// The invoicing settings, in words, and as the form's values.
    pub invoicing: String,
    pub grouping: &'static str,
    pub issue_at_close: bool,
    /// Its documents (sent for signature, paper scans): id, title, status.
    pub documents: Vec<(String, String, String)>,
}

pub async fn show(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<CompanyId>,
) -> AppResult<Response> {
    let scope = ctx.scope()?;
    let user = ctx.user()?;
    let mut tx = app.db.read().await?;
    let c = store::companies::get(&mut tx, scope, id).await?;
    let filter = store::contacts::ContactFilter {
        q: None,
        company_id: Some(id),
    };
    let contacts = store::contacts::list(
        &mut tx,
        scope,
        &filter,
        PageRequest::new(Some(1), Some(200)),
    )
    .await?;
    let staff = user.role.is_internal_staff();
    let contracts = if c.data.kind == CompanyKind::Client {
        store::contracts::for_client(&mut tx, scope, id).await?
    } else {
        Vec::new()
    };
    let mut contract_docs = Vec::with_capacity(contracts.len());
    for k in &contracts {
        let about = store::documents::About::Contract(k.id);
        contract_docs.push(store::documents::list(&mut tx, scope, about, 10).await?);
    }
    let invoice_delivery =
        if c.data.kind == CompanyKind::Client && allows(user.role, Permission::ViewInvoices) {
            Some(store::invoice_emails::client_wants_email(&mut tx, id).await?)
        } else {
            None
        };
    let owners = if allows(user.role, Permission::ViewPortfolio) {
        let lines = store::portfolio::of_company(&mut tx, id).await?;
        Some(super::portfolio::owners_today(&lines, ctx.locale))
    } else {
        None
    };
    let members = store::companies::group::members(&mut tx, scope, id).await?;
    let in_group: Vec<CompanyId> = members.iter().map(|m| m.id).collect();
    let crm = allows(user.role, Permission::ViewOpportunities);
    let (group_opportunities, group_missions) = if members.len() > 1 && crm {
        (
            store::companies::group::opportunities(&mut tx, scope, &in_group).await?,
            store::companies::group::missions(&mut tx, scope, &in_group).await?,
        )
    } else {
        (Vec::new(), Vec::new())
    };
    let history = if staff {
        store::audit::for_entity(&mut tx, "company", &id.to_string()).await?
    } else {
        Vec::new()
    };
    let meetings = super::meetings::block(&mut tx, &ctx, None, Some(id)).await?;
    let activities = if allows(user.role, Permission::ViewOpportunities) {
        super::activities::timeline_rows(&mut tx, &ctx, store::activities::Subject::Company(id))
            .await?
    } else {
        Vec::new()
    };
    tx.commit().await?;
    let l = layout(&app, &ctx, "companies-title").await?;
    let address = [
        c.data.address_line1.clone(),
        c.data.address_line2.clone(),
        Some(format!(
            "{} {}",
            c.data.postcode.clone().unwrap_or_default(),
            c.data.city.clone().unwrap_or_default()
        )),
        Some(c.data.country.clone()),
    ]
    .into_iter()
    .flatten()
    .map(|s| s.trim().to_string())
    .filter(|s| !s.is_empty())
    .collect::<Vec<_>>()
    .join(", ");
    let history = history
        .iter()
        .map(|h| {
            i18n::t_args(
                ctx.locale,
                &format!("history-{}", h.action),
                &[("who", h.actor_label.clone()), ("when", l.datetime(&h.at))],
            )
        })
        .collect();
    let date = |d: time::Date| domain::locale::format_date(d, ctx.locale);
    render(&ShowPage {
        activities,
        can_log: allows(user.role, Permission::LogActivities),
        back: format!("/companies/{id}"),
        log_query: format!("company={id}"),
        meetings,
        group: if members.len() > 1 {
            members
                .iter()
                .map(|m| GroupLine {
                    id: m.id.to_string(),
                    name: m.name.clone(),
                    kind: m.entity_kind.map(|k| i18n::t(ctx.locale, &k.label_key())),
                    depth: m.depth,
                    this: m.id == id,
                })
                .collect()
        } else {
            Vec::new()
        },
        group_opportunities: group_opportunities
            .iter()
            .map(|o| GroupItemLine {
                href: format!("/opportunities/{}", o.id),
                title: o.title.clone(),
                company: o.company.clone(),
                state: o.state.clone(),
                start: date(o.start),
            })
            .collect(),
        group_missions: group_missions
            .iter()
            .map(|m| GroupItemLine {
                href: format!("/missions/{}", m.id),
                title: m.title.clone(),
                company: m.company.clone(),
                state: i18n::t(ctx.locale, &format!("mission-status-{}", m.state)),
                start: date(m.start),
            })
            .collect(),
        opportunities: crm,
        kind_label: i18n::t(ctx.locale, &c.data.kind.label_key()),
        iban: c.data.iban.as_ref().map(|i| i.formatted()),
        contacts: contacts
            .items
            .iter()
            .map(|p| ContactLine {
                name: p.full_name(),
                job_title: p.data.job_title.clone(),
                role: i18n::t(ctx.locale, &p.data.role.label_key()),
                email: p
                    .data
                    .email
                    .as_ref()
                    .map(|e| e.to_string())
                    .unwrap_or_default(),
                phone: p.data.phone.clone().unwrap_or_default(),
            })
            .collect(),
        can_edit: allows(user.role, Permission::EditCompanies),
        can_add_contact: allows(user.role, Permission::EditContacts),
        invoice_delivery,
        can_set_invoice_delivery: allows(user.role, Permission::EditCompanies),
        owners,
        can_manage_contracts: allows(user.role, Permission::ManageContracts)
            && c.data.kind == CompanyKind::Client,
        contracts: contracts
            .iter()
            .zip(&contract_docs)
            .map(|(k, docs)| {
                use domain::contract::ContractStatus;
                let loc = ctx.locale;
                ContractLine {
                    id: k.id.to_string(),
                    reference: k.data.reference.clone(),
                    title: k.data.title.clone(),
                    kind: i18n::t(loc, &k.data.kind.label_key()),
                    validity: match k.data.valid_to {
                        Some(to) => format!(
                            "{} → {}",
                            domain::locale::format_date(k.data.valid_from, loc),
                            domain::locale::format_date(to, loc)
                        ),
                        None => {
                            format!("{} →", domain::locale::format_date(k.data.valid_from, loc))
                        }
                    },
                    ceiling: [
                        k.data.ceiling_amount.map(|m| m.format(loc)),
                        k.data.ceiling_days.map(|d| format!("{} j", d.format(loc))),
                    ]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" · "),
                    status: i18n::t(loc, &k.status.label_key()),
                    invoicing: format!(
                        "{} · {}",
                        i18n::t(loc, &k.data.invoicing.invoice_grouping.label_key()),
                        i18n::t(
                            loc,
                            if k.data.invoicing.issue_at_close {
                                "contract-issued-at-close"
                            } else {
                                "contract-drafts-kept"
                            }
                        )
                    ),
                    grouping: k.data.invoicing.invoice_grouping.as_str(),
                    issue_at_close: k.data.invoicing.issue_at_close,
                    can_send: k.status == ContractStatus::Draft,
                    can_sign: matches!(k.status, ContractStatus::Draft | ContractStatus::Sent),
                    signed: match (&k.signed_at, &k.signed_by) {
                        (Some(at), Some(by)) => {
                            format!("{} · {}", domain::locale::format_datetime(*at, loc), by)
                        }
                        _ => String::new(),
                    },
                    documents: docs
                        .iter()
                        .map(|d| {
                            (
                                d.id.to_string(),
                                d.title.clone(),
                                super::documents::status_label(loc, d),
                            )
                        })
                        .collect(),
                }
            })
            .collect(),
        layout: l,
        address,
        history,
        c,
    })
}
