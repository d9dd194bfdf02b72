//! Companies: clients, prospects and suppliers, and the groups they
//! form (`group`).

pub mod group;

use domain::company::group::EntityKind;
use domain::company::{CompanyData, CompanyKind};
use domain::identifiers::{Email, Iban, Siren, Siret, VatNumber};
use domain::ids::CompanyId;
use domain::paging::{PageRequest, Paged};
use serde::Serialize;
use time::OffsetDateTime;

use crate::filter::{self, Conditions};
use crate::{Actor, Error, Result, Scope, Tx, audit, corrupt, map_unique, now, on_tx, search};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Company {
    pub id: CompanyId,
    #[serde(flatten)]
    pub data: CompanyData,
    /// Whether the client gets its invoices by e-mail at issue: a setting
    /// of its own (`invoice_emails::set_client_wants_email`), not part of
    /// the company's record.
    pub send_invoices_by_email: bool,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

#[derive(Debug, Clone, Default)]
pub struct CompanyFilter {
    pub q: Option<String>,
    /// Any of these kinds (a picker of accounts asks for clients and
    /// prospects); none: every kind.
    pub kinds: Vec<CompanyKind>,
}

impl CompanyFilter {
    /// The filters present, as conditions on `companies`.
    fn conditions(&self) -> Conditions {
        let mut c = Conditions::new();
        c.like("search_key", search::like_pattern(self.q.as_deref()));
        if !self.kinds.is_empty() {
            c.within("kind", self.kinds.iter().map(|k| k.as_str().to_owned()));
        }
        c
    }
}

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    name: String,
    kind: String,
    legal_form: Option<String>,
    siren: Option<String>,
    siret: Option<String>,
    vat_number: Option<String>,
    address_line1: Option<String>,
    address_line2: Option<String>,
    postcode: Option<String>,
    city: Option<String>,
    country: String,
    email: Option<String>,
    phone: Option<String>,
    iban: Option<String>,
    key_account: bool,
    notes: Option<String>,
    parent_id: Option<String>,
    entity_kind: Option<String>,
    send_invoices_by_email: bool,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
}

fn parse_opt<T, E>(
    v: Option<String>,
    what: &str,
    f: impl Fn(&str) -> std::result::Result<T, E>,
) -> Result<Option<T>> {
    v.map(|s| f(&s).map_err(|_| corrupt(what, &s))).transpose()
}

impl TryFrom<Row> for Company {
    type Error = Error;
    fn try_from(r: Row) -> Result<Company> {
        Ok(Company {
            id: CompanyId::parse(&r.id).ok_or_else(|| corrupt("company id", &r.id))?,
            data: CompanyData {
                kind: CompanyKind::parse(&r.kind)
                    .ok_or_else(|| corrupt("company kind", &r.kind))?,
                siren: parse_opt(r.siren, "siren", Siren::parse)?,
                siret: parse_opt(r.siret, "siret", Siret::parse)?,
                vat_number: parse_opt(r.vat_number, "vat", VatNumber::parse)?,
                email: parse_opt(r.email, "email", Email::parse)?,
                iban: parse_opt(r.iban, "iban", Iban::parse)?,
                name: r.name,
                legal_form: r.legal_form,
                address_line1: r.address_line1,
                address_line2: r.address_line2,
                postcode: r.postcode,
                city: r.city,
                country: r.country,
                phone: r.phone,
                key_account: r.key_account,
                notes: r.notes,
                parent_id: r.parent_id.as_deref().map(crate::id).transpose()?,
                entity_kind: parse_opt(r.entity_kind, "entity kind", |s| {
                    EntityKind::parse(s).ok_or(())
                })?,
            },
            send_invoices_by_email: r.send_invoices_by_email,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

fn search_key(d: &CompanyData) -> String {
    search::key(&[
        Some(&d.name),
        d.siren.as_ref().map(|s| s.as_str()),
        d.city.as_deref(),
        d.postcode.as_deref(),
    ])
}

/// Binds `$1` = id, `$2`…`$18` = the company's fields, `$19` = the time,
/// `$20` the parent and `$21` the entity kind:
/// the parameter order shared by the insert and the update.
macro_rules! bind_company {
    ($q:expr, $id:expr, $d:expr, $at:expr) => {
        $q.bind($id.to_string())
            .bind(&$d.name)
            .bind($d.kind.as_str())
            .bind(&$d.legal_form)
            .bind($d.siren.as_ref().map(|v| v.as_str()))
            .bind($d.siret.as_ref().map(|v| v.as_str()))
            .bind($d.vat_number.as_ref().map(|v| v.as_str()))
            .bind(&$d.address_line1)
            .bind(&$d.address_line2)
            .bind(&$d.postcode)
            .bind(&$d.city)
            .bind(&$d.country)
            .bind($d.email.as_ref().map(|v| v.as_str()))
            .bind(&$d.phone)
            .bind($d.iban.as_ref().map(|v| v.as_str()))
            .bind($d.key_account)
            .bind(&$d.notes)
            .bind(search_key($d))
            .bind($at)
            .bind($d.parent_id.map(|p| p.to_string()))
            .bind($d.entity_kind.map(|k| k.as_str()))
    };
}

const UNIQUE: &[(&str, &str)] = &[("siren", "siren")];

pub async fn create(tx: &mut Tx, actor: &Actor, d: &CompanyData) -> Result<Company> {
    let id = CompanyId::new();
    group::check(tx, Scope::All, id, d).await?;
    let at = now();
    let sql = "INSERT INTO companies (id, name, kind, legal_form, siren, siret, vat_number, address_line1, address_line2,
                 postcode, city, country, email, phone, iban, key_account, notes, search_key, created_at, updated_at,
                 parent_id, entity_kind)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $19, $20, $21)";
    on_tx!(tx, |c| bind_company!(sqlx::query(sql), id, d, at)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
    .map_err(|e| map_unique(e, UNIQUE))?;
    let company = Company {
        id,
        data: d.clone(),
        send_invoices_by_email: false,
        created_at: at,
        updated_at: at,
    };
    audit::record(
        tx,
        actor,
        "create",
        "company",
        &id.to_string(),
        None::<&()>,
        Some(&company),
    )
    .await?;
    Ok(company)
}

/// Creates a company as the scope's user: a business manager creating
/// one owns the account from today (alone, until further notice), so it
/// stays in his scope (see `scope_clause!(companies)`).
pub async fn create_in_scope(
    tx: &mut Tx,
    actor: &Actor,
    scope: Scope,
    d: &CompanyData,
) -> Result<Company> {
    // The parent must be one of his accounts too.
    group::check(tx, scope, CompanyId::new(), d).await?;
    let company = create(tx, actor, d).await?;
    if let Scope::Portfolio(bm) = scope {
        crate::portfolio::own_new_company(tx, company.id, bm, crate::today()).await?;
    }
    Ok(company)
}

pub async fn update(
    tx: &mut Tx,
    actor: &Actor,
    scope: Scope,
    id: CompanyId,
    d: &CompanyData,
) -> Result<Company> {
    let before = get(tx, scope, id).await?;
    group::check(tx, scope, id, d).await?;
    let at = now();
    let sql = "UPDATE companies SET name = $2, kind = $3, legal_form = $4, siren = $5, siret = $6, vat_number = $7,
                 address_line1 = $8, address_line2 = $9, postcode = $10, city = $11, country = $12, email = $13,
                 phone = $14, iban = $15, key_account = $16, notes = $17, search_key = $18, updated_at = $19,
                 parent_id = $20, entity_kind = $21
               WHERE id = $1";
    on_tx!(tx, |c| bind_company!(sqlx::query(sql), id, d, at)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
    .map_err(|e| map_unique(e, UNIQUE))?;
    let after = Company {
        id,
        data: d.clone(),
        send_invoices_by_email: before.send_invoices_by_email,
        created_at: before.created_at,
        updated_at: at,
    };
    audit::record(
        tx,
        actor,
        "update",
        "company",
        &id.to_string(),
        Some(&before),
        Some(&after),
    )
    .await?;
    Ok(after)
}

/// Every company query carries the scope clause. Consultants will see the
/// companies of their missions once missions exist; until then, none.
macro_rules! scoped {
    ($head:literal, $tail:literal) => {
        concat!($head, " AND ", crate::scope_clause!(companies), $tail)
    };
}

macro_rules! company_columns {
    () => {
        "SELECT id, name, kind, legal_form, siren, siret, vat_number, address_line1, address_line2, postcode, \
         city, country, email, phone, iban, key_account, notes, parent_id, entity_kind, send_invoices_by_email, \
         created_at, updated_at \
         FROM companies "
    };
}

macro_rules! select_companies {
    ($where:literal, $tail:literal) => {
        concat!(
            company_columns!(),
            "WHERE ",
            $where,
            " AND ",
            crate::scope_clause!(companies),
            $tail
        )
    };
}

pub async fn get(tx: &mut Tx, scope: Scope, id: CompanyId) -> Result<Company> {
    let row: Option<Row> = on_tx!(tx, |c| sqlx::query_as(select_companies!("id = $4", ""))
        .bind(scope.company())
        .bind(scope.own_user())
        .bind(scope.portfolio())
        .bind(id.to_string())
        .fetch_optional(c)
        .await)?;
    row.ok_or(Error::NotFound)?.try_into()
}

/// Several companies by id, whatever the scope (for documents the caller
/// already may see), keyed by id; ids not found are left out.
pub(crate) async fn get_many(
    tx: &mut Tx,
    ids: &[CompanyId],
) -> Result<std::collections::HashMap<String, Company>> {
    let mut out = std::collections::HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(crate::MAX_BINDS - 3) {
        let sql = format!(
            select_companies!("id IN ({})", ""),
            crate::values_list_from("?", chunk.len(), 4)
        );
        let rows: Vec<Row> = on_tx!(tx, |c| {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
                .bind(Scope::All.company())
                .bind(Scope::All.own_user())
                .bind(Scope::All.portfolio());
            for id in chunk {
                q = q.bind(id.to_string());
            }
            q.fetch_all(c).await
        })?;
        for r in rows {
            let c: Company = r.try_into()?;
            out.insert(c.id.to_string(), c);
        }
    }
    Ok(out)
}

pub async fn list(
    tx: &mut Tx,
    scope: Scope,
    filter: &CompanyFilter,
    page: PageRequest,
) -> Result<Paged<Company>> {
    // Only the filters present are written: the optional-filter OR kept
    // PostgreSQL's generic plan off the name index.
    let c = filter.conditions();
    let total = filter::count(
        tx,
        scope,
        crate::scoped_sql!("companies WHERE ", companies),
        &c,
        None,
    )
    .await?;
    let rows: Vec<Row> = filter::rows(
        tx,
        scope,
        crate::scoped_sql!(concat!(company_columns!(), "WHERE "), companies),
        &c,
        "ORDER BY name, id",
        Some(page),
    )
    .await?;
    Ok(Paged {
        items: rows
            .into_iter()
            .map(Company::try_from)
            .collect::<Result<_>>()?,
        page: page.page,
        per_page: page.per_page,
        total,
    })
}

pub async fn counts_by_kind(tx: &mut Tx, scope: Scope) -> Result<Vec<(CompanyKind, i64)>> {
    let sql = scoped!(
        "SELECT kind, COUNT(*) FROM companies WHERE 1 = 1",
        "GROUP BY kind"
    );
    let rows: Vec<(String, i64)> = on_tx!(tx, |c| sqlx::query_as(sql)
        .bind(scope.company())
        .bind(scope.own_user())
        .bind(scope.portfolio())
        .fetch_all(c)
        .await)?;
    Ok(CompanyKind::ALL
        .into_iter()
        .map(|k| {
            (
                k,
                rows.iter()
                    .find(|(s, _)| s == k.as_str())
                    .map(|(_, n)| *n)
                    .unwrap_or(0),
            )
        })
        .collect())
}

/// (id, name) pairs for pickers, by name. Bounded: beyond this size people
/// search, which the list page offers.
pub async fn options(
    tx: &mut Tx,
    scope: Scope,
    kind: Option<CompanyKind>,
) -> Result<Vec<(CompanyId, String)>> {
    let sql = scoped!(
        "SELECT id, name FROM companies WHERE (CAST($4 AS TEXT) IS NULL OR kind = $4)",
        "ORDER BY name LIMIT 1000"
    );
    let rows: Vec<(String, String)> = on_tx!(tx, |c| sqlx::query_as(sql)
        .bind(scope.company())
        .bind(scope.own_user())
        .bind(scope.portfolio())
        .bind(kind.map(|k| k.as_str()))
        .fetch_all(c)
        .await)?;
    rows.into_iter()
        .map(|(id, name)| {
            Ok((
                CompanyId::parse(&id).ok_or_else(|| corrupt("company id", &id))?,
                name,
            ))
        })
        .collect()
}
