//! Missions: one consultant at one client for a period and a daily rate, with
//! its analytic code, billing settings and amendments.

use domain::allocation::{Allocation, Booking};
use domain::company::CompanyKind;
use domain::ids::{AmendmentId, CompanyId, ContactId, MissionId, UserId};
use domain::mission::{AnalyticCode, MissionData, MissionStatus, Tjm};
use domain::paging::{PageRequest, Paged};
use domain::rates::{Amendment, RateSchedule};
use domain::role::Role;
use domain::terms::{ExpensePolicy, PaymentTerms, VatRate, VatRegime};
use domain::validation::ValidationErrors;
use serde::Serialize;
use time::{Date, OffsetDateTime};

use crate::{Actor, Error, Result, Scope, Tx, audit, corrupt, now, on_tx, search};

#[derive(Debug, Clone, Serialize)]
pub struct Mission {
    pub id: MissionId,
    #[serde(flatten)]
    pub data: MissionData,
    pub status: MissionStatus,
    pub analytic_code: String,
    pub client_name: String,
    pub consultant_name: String,
    pub business_manager_name: String,
    pub validators: Vec<ContactId>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

#[derive(Debug, Clone, Default)]
pub struct MissionFilter {
    pub q: Option<String>,
    pub status: Option<MissionStatus>,
    pub client_id: Option<CompanyId>,
    pub consultant_id: Option<UserId>,
    /// Only missions whose current end falls in this window.
    pub ending: Option<(Date, Date)>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    title: String,
    client_id: String,
    consultant_id: String,
    business_manager_id: String,
    delivery_manager_id: Option<String>,
    start_date: Date,
    end_date: Date,
    base_tjm_cents: i64,
    allocation_percent: i32,
    status: String,
    analytic_code: String,
    po_number: Option<String>,
    payment_days: i32,
    payment_end_of_month: bool,
    vat_rate_bp: i32,
    vat_regime: String,
    expense_policy: String,
    expense_fee_bp: i32,
    invoicing_locked: bool,
    extras_allowed: bool,
    invoicing_contact_id: Option<String>,
    billing_address: Option<String>,
    notes: Option<String>,
    client_name: String,
    consultant_name: String,
    business_manager_name: String,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
}

fn uuid_of<T>(what: &str, s: &str, parse: impl Fn(&str) -> Option<T>) -> Result<T> {
    parse(s).ok_or_else(|| corrupt(what, s))
}

impl Row {
    fn into_mission(self, validators: Vec<ContactId>) -> Result<Mission> {
        let data = MissionData {
            title: self.title,
            client_id: uuid_of("client id", &self.client_id, CompanyId::parse)?,
            consultant_id: uuid_of("consultant id", &self.consultant_id, UserId::parse)?,
            business_manager_id: uuid_of("bm id", &self.business_manager_id, UserId::parse)?,
            delivery_manager_id: self
                .delivery_manager_id
                .map(|d| uuid_of("delivery manager id", &d, UserId::parse))
                .transpose()?,
            start_date: self.start_date,
            end_date: self.end_date,
            tjm: Tjm::from_cents(self.base_tjm_cents)
                .map_err(|_| corrupt("tjm", &self.base_tjm_cents.to_string()))?,
            allocation: u8::try_from(self.allocation_percent)
                .ok()
                .and_then(|p| Allocation::new(p).ok())
                .ok_or_else(|| corrupt("allocation", &self.allocation_percent.to_string()))?,
            po_number: self.po_number,
            payment_terms: PaymentTerms::new(self.payment_days as u16, self.payment_end_of_month)
                .map_err(|_| corrupt("payment terms", &self.payment_days.to_string()))?,
            vat_rate: VatRate::from_basis_points(self.vat_rate_bp as u32)
                .map_err(|_| corrupt("vat rate", &self.vat_rate_bp.to_string()))?,
            vat_regime: VatRegime::parse(&self.vat_regime)
                .ok_or_else(|| corrupt("vat regime", &self.vat_regime))?,
            expense_policy: ExpensePolicy::from_parts(
                &self.expense_policy,
                self.expense_fee_bp as u32,
            )
            .map_err(|_| corrupt("expense policy", &self.expense_policy))?,
            invoicing_locked: self.invoicing_locked,
            extras_allowed: self.extras_allowed,
            invoicing_contact_id: self
                .invoicing_contact_id
                .map(|c| uuid_of("contact id", &c, ContactId::parse))
                .transpose()?,
            billing_address: self.billing_address,
            notes: self.notes,
        };
        Ok(Mission {
            id: uuid_of("mission id", &self.id, MissionId::parse)?,
            status: MissionStatus::parse(&self.status)
                .ok_or_else(|| corrupt("mission status", &self.status))?,
            analytic_code: self.analytic_code,
            client_name: self.client_name,
            consultant_name: self.consultant_name,
            business_manager_name: self.business_manager_name,
            validators,
            created_at: self.created_at,
            updated_at: self.updated_at,
            data,
        })
    }
}

/// Every mission query carries the scope: a client contact sees his
/// company's missions, a consultant his own.
macro_rules! select_missions {
    ($where:literal, $tail:literal) => {
        concat!(
            "SELECT m.id, m.title, m.client_id, m.consultant_id, m.business_manager_id, m.delivery_manager_id, \
             m.start_date, m.end_date, m.base_tjm_cents, CAST(m.allocation_percent AS INTEGER) AS allocation_percent, m.status, m.analytic_code, m.po_number, \
             CAST(m.payment_days AS INTEGER) AS payment_days, m.payment_end_of_month, \
             CAST(m.vat_rate_bp AS INTEGER) AS vat_rate_bp, m.vat_regime, m.expense_policy, \
             CAST(m.expense_fee_bp AS INTEGER) AS expense_fee_bp, m.invoicing_locked, m.extras_allowed, m.invoicing_contact_id, \
             m.billing_address, m.notes, c.name AS client_name, u.display_name AS consultant_name, \
             b.display_name AS business_manager_name, m.created_at, m.updated_at \
             FROM missions m JOIN companies c ON c.id = m.client_id JOIN users u ON u.id = m.consultant_id \
             JOIN users b ON b.id = m.business_manager_id WHERE ",
            $where,
            " AND ",
            crate::scope_clause!(missions),
            $tail
        )
    };
}

/// Binds `$1` = id … in the parameter order shared by insert and update.
macro_rules! bind_mission {
    ($q:expr, $id:expr, $d:expr, $status:expr, $code:expr, $key:expr, $at:expr) => {
        $q.bind($id.to_string())
            .bind(&$d.title)
            .bind($d.client_id.to_string())
            .bind($d.consultant_id.to_string())
            .bind($d.business_manager_id.to_string())
            .bind($d.delivery_manager_id.map(|u| u.to_string()))
            .bind($d.start_date)
            .bind($d.end_date)
            .bind($d.tjm.amount().cents())
            .bind($status.as_str())
            .bind($code)
            .bind(&$d.po_number)
            .bind(i32::from($d.payment_terms.days()))
            .bind($d.payment_terms.end_of_month())
            .bind($d.vat_rate.basis_points() as i32)
            .bind($d.vat_regime.as_str())
            .bind($d.expense_policy.kind_str())
            .bind($d.expense_policy.fee_basis_points() as i32)
            .bind($d.invoicing_locked)
            .bind($d.invoicing_contact_id.map(|c| c.to_string()))
            .bind(&$d.billing_address)
            .bind(&$d.notes)
            .bind($key)
            .bind($at)
            .bind($d.extras_allowed)
            .bind(i32::from($d.allocation.percent()))
    };
}

async fn validators_of(tx: &mut Tx, id: &str) -> Result<Vec<ContactId>> {
    let rows: Vec<String> = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT contact_id FROM mission_validators WHERE mission_id = $1 ORDER BY contact_id"
    )
    .bind(id)
    .fetch_all(c)
    .await)?;
    rows.iter()
        .map(|r| uuid_of("contact id", r, ContactId::parse))
        .collect()
}

async fn set_validators(tx: &mut Tx, id: MissionId, validators: &[ContactId]) -> Result<()> {
    on_tx!(tx, |c| sqlx::query(
        "DELETE FROM mission_validators WHERE mission_id = $1"
    )
    .bind(id.to_string())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    for v in validators {
        on_tx!(tx, |c| {
            sqlx::query(
            "INSERT INTO mission_validators (mission_id, contact_id) VALUES ($1, $2) ON CONFLICT DO NOTHING"
        )
        .bind(id.to_string())
        .bind(v.to_string())
        .execute(c)
        .await
        .map(|r| r.rows_affected())
        })?;
    }
    Ok(())
}

/// The people and companies a mission points to must be the right kind:
/// a client company, a consultant, a business manager, the client's contacts.
async fn check_references(
    tx: &mut Tx,
    d: &MissionData,
    validators: &[ContactId],
) -> Result<(String, String, String)> {
    let mut e = ValidationErrors::new();
    let client: Option<(String, String)> = on_tx!(tx, |c| sqlx::query_as(
        "SELECT name, kind FROM companies WHERE id = $1"
    )
    .bind(d.client_id.to_string())
    .fetch_optional(c)
    .await)?;
    let client = client
        .map(|(name, kind)| {
            CompanyKind::parse(&kind)
                .map(|k| (name, k))
                .ok_or_else(|| corrupt("company kind", &kind))
        })
        .transpose()?;
    let client_name = match client {
        Some((name, CompanyKind::Client)) => name,
        Some(_) => {
            e.add("client_id", "mission-client-not-client");
            String::new()
        }
        None => {
            e.add("client_id", "company-unknown");
            String::new()
        }
    };
    let mut role_of = async |field: &'static str,
                             id: UserId,
                             allowed: &[Role],
                             key: &'static str|
           -> Result<String> {
        Ok(
            match crate::users::active_in_roles(tx, id, allowed).await? {
                Some(name) => name,
                None => {
                    e.add(field, key);
                    String::new()
                }
            },
        )
    };
    let consultant = role_of(
        "consultant_id",
        d.consultant_id,
        &[Role::Consultant],
        "mission-consultant-role",
    )
    .await?;
    let bm = role_of(
        "business_manager_id",
        d.business_manager_id,
        crate::users::MANAGER_ROLES,
        "mission-bm-role",
    )
    .await?;
    if let Some(dm) = d.delivery_manager_id {
        role_of(
            "delivery_manager_id",
            dm,
            &[
                Role::DeliveryManager,
                Role::BusinessManager,
                Role::Direction,
                Role::Admin,
            ],
            "mission-dm-role",
        )
        .await?;
    }
    let contact_ids: Vec<ContactId> = d
        .invoicing_contact_id
        .into_iter()
        .chain(validators.iter().copied())
        .collect();
    for (i, contact) in contact_ids.iter().enumerate() {
        let company: Option<String> = on_tx!(tx, |c| sqlx::query_scalar(
            "SELECT company_id FROM contacts WHERE id = $1"
        )
        .bind(contact.to_string())
        .fetch_optional(c)
        .await)?;
        if company.as_deref() != Some(&d.client_id.to_string()) {
            let field = if i == 0 && d.invoicing_contact_id.is_some() {
                "invoicing_contact_id"
            } else {
                "validators"
            };
            e.add(field, "mission-contact-not-at-client");
        }
    }
    if e.is_empty() {
        Ok((client_name, bm, consultant))
    } else {
        Err(Error::Invalid(e))
    }
}

/// Refuses a mission that would put its consultant above full time on
/// some day (the rule is `domain::allocation`): a second full-time mission
/// overlapping the first, unless the firm gives each its share. `except`
/// is the mission being edited; interrupted missions no longer hold him.
pub async fn check_allocation(
    tx: &mut Tx,
    d: &MissionData,
    except: Option<MissionId>,
) -> Result<()> {
    let rows: Vec<(Date, Date, i32)> = on_tx!(tx, |c| sqlx::query_as(
        "SELECT start_date, end_date, CAST(allocation_percent AS INTEGER) FROM missions
         WHERE consultant_id = $1 AND status <> 'interrupted' AND id <> $2"
    )
    .bind(d.consultant_id.to_string())
    .bind(except.map(|m| m.to_string()).unwrap_or_default())
    .fetch_all(c)
    .await)?;
    let others = rows
        .into_iter()
        .map(|(start, end, p)| {
            let allocation = u8::try_from(p)
                .ok()
                .and_then(|p| Allocation::new(p).ok())
                .ok_or_else(|| corrupt("allocation", &p.to_string()))?;
            Ok(Booking {
                start,
                end,
                allocation,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let new = Booking {
        start: d.start_date,
        end: d.end_date,
        allocation: d.allocation,
    };
    match domain::allocation::overbooked(&new, &others) {
        None => Ok(()),
        Some(o) => {
            let mut e = ValidationErrors::new();
            e.add_with(
                "allocation",
                "mission-consultant-overbooked",
                domain::args![("day", o.day), ("percent", i64::from(o.percent))],
            );
            Err(Error::Invalid(e))
        }
    }
}

fn search_key(d: &MissionData, code: &str, client: &str, consultant: &str) -> String {
    search::key(&[
        Some(&d.title),
        Some(code),
        Some(client),
        Some(consultant),
        d.po_number.as_deref(),
    ])
}

pub async fn create(
    tx: &mut Tx,
    actor: &Actor,
    d: &MissionData,
    validators: &[ContactId],
) -> Result<Mission> {
    let (client, bm, consultant) = check_references(tx, d, validators).await?;
    let id = MissionId::new();
    let at = now();
    let status =
        domain::mission::status_by_dates(d.start_date, d.end_date, domain::paris::date(at), false);
    // The sequence is per client; a collision (two missions created at once)
    // moves to the next number.
    let existing: i64 = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM missions WHERE client_id = $1"
    )
    .bind(d.client_id.to_string())
    .fetch_one(c)
    .await)?;
    let mut seq = existing as u32 + 1;
    let code = loop {
        let candidate = AnalyticCode::build(&client, &bm, &consultant, seq).to_string();
        let taken: i64 = on_tx!(tx, |c| sqlx::query_scalar(
            "SELECT COUNT(*) FROM missions WHERE analytic_code = $1"
        )
        .bind(&candidate)
        .fetch_one(c)
        .await)?;
        if taken == 0 {
            break candidate;
        }
        seq += 1;
    };
    let key = search_key(d, &code, &client, &consultant);
    let sql = "INSERT INTO missions (id, title, client_id, consultant_id, business_manager_id, delivery_manager_id,
                 start_date, end_date, base_tjm_cents, status, analytic_code, po_number, payment_days,
                 payment_end_of_month, vat_rate_bp, vat_regime, expense_policy, expense_fee_bp, invoicing_locked,
                 invoicing_contact_id, billing_address, notes, search_key, created_at, updated_at, initial_end_date, extras_allowed,
                 allocation_percent)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20,
                 $21, $22, $23, $24, $24, $8, $25, $26)";
    on_tx!(tx, |c| bind_mission!(
        sqlx::query(sql),
        id,
        d,
        status,
        &code,
        &key,
        at
    )
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    set_validators(tx, id, validators).await?;
    crate::portfolio::follow_form(tx, id, d.business_manager_id, d.start_date, crate::today())
        .await?;
    let mission = get(tx, Scope::All, id).await?;
    audit::record(
        tx,
        actor,
        "create",
        "mission",
        &id.to_string(),
        None::<&()>,
        Some(&mission),
    )
    .await?;
    Ok(mission)
}

/// Updates the mission's facts. Dates and rate of amended missions change
/// through amendments only, so an edit cannot rewrite a signed change.
pub async fn update(
    tx: &mut Tx,
    actor: &Actor,
    scope: Scope,
    id: MissionId,
    d: &MissionData,
    validators: &[ContactId],
) -> Result<Mission> {
    let before = get(tx, scope, id).await?;
    let amended = !amendments(tx, id).await?.is_empty();
    if amended
        && (d.end_date != before.data.end_date
            || d.tjm != before.data.tjm
            || d.start_date != before.data.start_date)
    {
        return Err(Error::Invalid(ValidationErrors::single(
            "end_date",
            "mission-amended-use-amendment",
        )));
    }
    let (client, _, consultant) = check_references(tx, d, validators).await?;
    let status = if matches!(
        before.status,
        MissionStatus::Interrupted | MissionStatus::Extended
    ) {
        before.status
    } else {
        domain::mission::status_by_dates(d.start_date, d.end_date, crate::today(), false)
    };
    let key = search_key(d, &before.analytic_code, &client, &consultant);
    let sql = "UPDATE missions SET title = $2, client_id = $3, consultant_id = $4, business_manager_id = $5,
                 delivery_manager_id = $6, start_date = $7, end_date = $8, base_tjm_cents = $9, status = $10,
                 analytic_code = $11, po_number = $12, payment_days = $13, payment_end_of_month = $14,
                 vat_rate_bp = $15, vat_regime = $16, expense_policy = $17, expense_fee_bp = $18,
                 invoicing_locked = $19, invoicing_contact_id = $20, billing_address = $21, notes = $22,
                 search_key = $23, updated_at = $24, extras_allowed = $25, allocation_percent = $26
               WHERE id = $1";
    let at = now();
    on_tx!(tx, |c| bind_mission!(
        sqlx::query(sql),
        id,
        d,
        status,
        &before.analytic_code,
        &key,
        at
    )
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    if !amended {
        on_tx!(tx, |c| sqlx::query(
            "UPDATE missions SET initial_end_date = end_date WHERE id = $1"
        )
        .bind(id.to_string())
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    }
    set_validators(tx, id, validators).await?;
    crate::portfolio::follow_form(tx, id, d.business_manager_id, d.start_date, crate::today())
        .await?;
    let after = get(tx, Scope::All, id).await?;
    audit::record(
        tx,
        actor,
        "update",
        "mission",
        &id.to_string(),
        Some(&before),
        Some(&after),
    )
    .await?;
    Ok(after)
}

/// The missions a narrowed scope may see, with their consultants: `None`
/// for firm staff (every mission). Lists computed in memory from every
/// mission (late reports, days to invoice) are cut to these.
pub async fn visible(
    tx: &mut Tx,
    scope: Scope,
) -> Result<Option<std::collections::BTreeMap<MissionId, UserId>>> {
    if scope == Scope::All {
        return Ok(None);
    }
    const SQL: &str = concat!(
        "SELECT m.id, m.consultant_id FROM missions m WHERE ",
        crate::scope_clause!(missions)
    );
    let rows: Vec<(String, String)> = on_tx!(tx, |c| sqlx::query_as(SQL)
        .bind(scope.company())
        .bind(scope.own_user())
        .bind(scope.portfolio())
        .fetch_all(c)
        .await)?;
    rows.iter()
        .map(|(m, u)| Ok((crate::id(m)?, crate::id(u)?)))
        .collect::<Result<_>>()
        .map(Some)
}

pub async fn get(tx: &mut Tx, scope: Scope, id: MissionId) -> Result<Mission> {
    let row: Option<Row> = on_tx!(tx, |c| sqlx::query_as(select_missions!("m.id = $4", ""))
        .bind(scope.company())
        .bind(scope.own_user())
        .bind(scope.portfolio())
        .bind(id.to_string())
        .fetch_optional(c)
        .await)?;
    let row = row.ok_or(Error::NotFound)?;
    let validators = validators_of(tx, &row.id).await?;
    row.into_mission(validators)
}

pub async fn list(
    tx: &mut Tx,
    scope: Scope,
    f: &MissionFilter,
    page: PageRequest,
) -> Result<Paged<Mission>> {
    let pattern = search::like_pattern(f.q.as_deref());
    let status = f.status.map(|s| s.as_str());
    let client = f.client_id.map(|c| c.to_string());
    let consultant = f.consultant_id.map(|c| c.to_string());
    let (from, to) = f.ending.unzip();
    let total: i64 = on_tx!(tx, |c| {
        sqlx::query_scalar(concat!(
        "SELECT COUNT(*) FROM missions m WHERE (CAST($4 AS TEXT) IS NULL OR m.search_key LIKE $4 ESCAPE '\\') \
         AND (CAST($5 AS TEXT) IS NULL OR m.status = $5) AND (CAST($6 AS TEXT) IS NULL OR m.client_id = $6) \
         AND (CAST($7 AS TEXT) IS NULL OR m.consultant_id = $7) AND ($8 IS NULL OR m.end_date >= $8) \
         AND ($9 IS NULL OR m.end_date <= $9)",
        " AND ",
        crate::scope_clause!(missions)
    ))
    .bind(scope.company())
    .bind(scope.own_user())
    .bind(scope.portfolio())
    .bind(&pattern)
    .bind(status)
    .bind(&client)
    .bind(&consultant)
    .bind(from)
    .bind(to)
    .fetch_one(c)
    .await
    })?;
    let rows: Vec<Row> = on_tx!(tx, |c| {
        sqlx::query_as(select_missions!(
        "(CAST($4 AS TEXT) IS NULL OR m.search_key LIKE $4 ESCAPE '\\') AND (CAST($5 AS TEXT) IS NULL OR m.status = $5) \
         AND (CAST($6 AS TEXT) IS NULL OR m.client_id = $6) AND (CAST($7 AS TEXT) IS NULL OR m.consultant_id = $7) \
         AND ($8 IS NULL OR m.end_date >= $8) AND ($9 IS NULL OR m.end_date <= $9)",
        "ORDER BY m.end_date, m.id LIMIT $10 OFFSET $11"
    ))
    .bind(scope.company())
    .bind(scope.own_user())
    .bind(scope.portfolio())
    .bind(&pattern)
    .bind(status)
    .bind(&client)
    .bind(&consultant)
    .bind(from)
    .bind(to)
    .bind(page.limit())
    .bind(page.offset())
    .fetch_all(c)
    .await
    })?;
    let mut items = Vec::with_capacity(rows.len());
    for r in rows {
        let v = validators_of(tx, &r.id).await?;
        items.push(r.into_mission(v)?);
    }
    Ok(Paged {
        items,
        page: page.page,
        per_page: page.per_page,
        total: total as u64,
    })
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct StoredAmendment {
    pub id: AmendmentId,
    pub number: i32,
    pub amendment: Amendment,
    pub reason: Option<String>,
    pub created_at: OffsetDateTime,
}

#[derive(sqlx::FromRow)]
struct AmendmentRow {
    id: String,
    number: i32,
    effective_from: Date,
    new_tjm_cents: Option<i64>,
    new_end: Option<Date>,
    reason: Option<String>,
    created_at: OffsetDateTime,
}

pub async fn amendments(tx: &mut Tx, mission: MissionId) -> Result<Vec<StoredAmendment>> {
    let rows: Vec<AmendmentRow> = on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT id, CAST(number AS INTEGER) AS number, effective_from, new_tjm_cents, new_end, reason, created_at
         FROM amendments WHERE mission_id = $1 ORDER BY number"
    )
    .bind(mission.to_string())
    .fetch_all(c)
    .await
    })?;
    rows.into_iter()
        .map(|r| {
            Ok(StoredAmendment {
                id: uuid_of("amendment id", &r.id, AmendmentId::parse)?,
                number: r.number,
                amendment: Amendment {
                    effective_from: r.effective_from,
                    new_tjm: r
                        .new_tjm_cents
                        .map(|c| {
                            Tjm::from_cents(c).map_err(|_| corrupt("amendment tjm", &c.to_string()))
                        })
                        .transpose()?,
                    new_end: r.new_end,
                },
                reason: r.reason,
                created_at: r.created_at,
            })
        })
        .collect()
}

/// One amendment with its mission, if the scope lets the user see it.
pub async fn amendment(
    tx: &mut Tx,
    scope: Scope,
    id: AmendmentId,
) -> Result<(Mission, StoredAmendment)> {
    let mission: Option<String> = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT mission_id FROM amendments WHERE id = $1"
    )
    .bind(id.to_string())
    .fetch_optional(c)
    .await)?;
    let mission = mission
        .and_then(|m| MissionId::parse(&m))
        .ok_or(Error::NotFound)?;
    let m = get(tx, scope, mission).await?;
    let a = amendments(tx, mission)
        .await?
        .into_iter()
        .find(|a| a.id == id)
        .ok_or(Error::NotFound)?;
    Ok((m, a))
}

/// The rates in force over the mission's life, amendments applied in order
/// from the original end date.
pub async fn schedule(
    tx: &mut Tx,
    scope: Scope,
    id: MissionId,
) -> Result<(Mission, RateSchedule, Vec<StoredAmendment>)> {
    let m = get(tx, scope, id).await?;
    let list = amendments(tx, id).await?;
    let initial_end: Date = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT initial_end_date FROM missions WHERE id = $1"
    )
    .bind(id.to_string())
    .fetch_one(c)
    .await)?;
    let s = schedule_from(
        m.data.start_date,
        initial_end,
        m.data.tjm,
        list.iter().map(|a| (a.number, &a.amendment)),
    )?;
    Ok((m, s, list))
}

/// An amendment as read: mission, number, effective date, new TJM, new end.
pub(crate) type AmendmentTuple = (String, i32, Date, Option<i64>, Option<Date>);

/// The rates of several missions, each from its start, initial end, base
/// TJM (cents) and its amendment rows (in number order).
pub(crate) fn schedules<'m>(
    missions: impl IntoIterator<Item = (&'m str, Date, Date, i64)>,
    amendments: Vec<AmendmentTuple>,
) -> Result<std::collections::HashMap<&'m str, RateSchedule>> {
    let mut changes: std::collections::HashMap<String, Vec<(i32, Amendment)>> =
        std::collections::HashMap::new();
    for (mission, number, effective_from, tjm, new_end) in amendments {
        let new_tjm = tjm
            .map(|c| Tjm::from_cents(c).map_err(|_| corrupt("amendment tjm", &c.to_string())))
            .transpose()?;
        changes.entry(mission).or_default().push((
            number,
            Amendment {
                effective_from,
                new_tjm,
                new_end,
            },
        ));
    }
    let mut out = std::collections::HashMap::new();
    for (id, start, initial_end, base_cents) in missions {
        let base =
            Tjm::from_cents(base_cents).map_err(|_| corrupt("tjm", &base_cents.to_string()))?;
        let list = changes.remove(id).unwrap_or_default();
        let s = schedule_from(start, initial_end, base, list.iter().map(|(n, a)| (*n, a)))?;
        out.insert(id, s);
    }
    Ok(out)
}

/// A mission's schedule from its signed facts and its amendments in the
/// order of their numbers: the one rule behind `schedule` and the
/// set-based reports that load many missions at once.
pub fn schedule_from<'a>(
    start: Date,
    initial_end: Date,
    base: Tjm,
    amendments: impl IntoIterator<Item = (i32, &'a Amendment)>,
) -> Result<RateSchedule> {
    let mut s = RateSchedule::new(start, initial_end, base);
    for (number, a) in amendments {
        s.apply(a)
            .map_err(|_| corrupt("amendment", &number.to_string()))?;
    }
    Ok(s)
}

/// Records an amendment (new rate from a date, new end date, or both) after
/// checking it against the mission's schedule; an extension moves the end
/// date and marks the mission extended.
pub async fn add_amendment(
    tx: &mut Tx,
    actor: &Actor,
    scope: Scope,
    id: MissionId,
    a: &Amendment,
    reason: Option<&str>,
) -> Result<StoredAmendment> {
    let (m, mut s, list) = schedule(tx, scope, id).await?;
    if m.status == MissionStatus::Interrupted {
        return Err(Error::Invalid(ValidationErrors::single(
            "effective_from",
            "mission-interrupted",
        )));
    }
    if let Err(e) = s.apply(a) {
        use domain::validation::ErrorKey;
        let field = match e.key() {
            "amendment-empty" => "new_tjm",
            "amendment-end-invalid" => "new_end",
            _ => "effective_from",
        };
        return Err(Error::Invalid(ValidationErrors::single(field, e.key())));
    }
    let stored = StoredAmendment {
        id: AmendmentId::new(),
        number: list.len() as i32 + 1,
        amendment: *a,
        reason: reason.map(str::to_string),
        created_at: now(),
    };
    on_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO amendments (id, mission_id, number, effective_from, new_tjm_cents, new_end, reason, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
    )
    .bind(stored.id.to_string())
    .bind(id.to_string())
    .bind(stored.number)
    .bind(a.effective_from)
    .bind(a.new_tjm.map(|t| t.amount().cents()))
    .bind(a.new_end)
    .bind(&stored.reason)
    .bind(actor.user_id.map(|u| u.to_string()))
    .bind(stored.created_at)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    if let Some(end) = a.new_end {
        // Only a later end of a started mission is an extension; a mission
        // not started yet stays upcoming, a shortened one keeps its status.
        let extends = end > m.data.end_date
            && matches!(
                m.status,
                MissionStatus::Active | MissionStatus::Extended | MissionStatus::Ended
            );
        let status = if extends {
            m.status
                .transition(domain::mission::MissionEvent::Extend)
                .map_err(|_| {
                    Error::Invalid(ValidationErrors::single(
                        "new_end",
                        "mission-illegal-transition",
                    ))
                })?
        } else {
            m.status
        };
        on_tx!(tx, |c| sqlx::query(
            "UPDATE missions SET end_date = $2, status = $3, updated_at = $4 WHERE id = $1"
        )
        .bind(id.to_string())
        .bind(end)
        .bind(status.as_str())
        .bind(now())
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    }
    audit::record(
        tx,
        actor,
        "amend",
        "mission",
        &id.to_string(),
        Some(&m),
        Some(&stored),
    )
    .await?;
    Ok(stored)
}

/// Brings statuses in line with the calendar (daily job): upcoming missions
/// that started become active, active or extended ones past their end become
/// ended. Interrupted missions are left alone.
pub async fn refresh_statuses(tx: &mut Tx, today: Date) -> Result<u64> {
    let a = on_tx!(tx, |c| {
        sqlx::query(
        "UPDATE missions SET status = 'active', updated_at = $2 WHERE status = 'upcoming' AND start_date <= $1 AND end_date >= $1"
    )
    .bind(today)
    .bind(now())
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    let b = on_tx!(tx, |c| {
        sqlx::query(
        "UPDATE missions SET status = 'ended', updated_at = $2 WHERE status IN ('upcoming', 'active', 'extended') AND end_date < $1"
    )
    .bind(today)
    .bind(now())
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(a + b)
}
