//! The plan read whole, for the page and the API.

use domain::crm::account_plan::{DomainData, DomainStatus, TargetData, YEAR_MAX, YEAR_MIN};
use domain::ids::{AccountDomainId, CompanyId, ContactId, UserId};
use domain::money::Money;
use domain::people::portfolio::owners_on;
use domain::percent::Percentage;
use serde::Serialize;

use crate::{Error, Result, Scope, Tx, corrupt, on_tx};

use super::account::account;
use super::figures::{self, Figures};
use super::people::{self, DecisionMaker, GroupContact};

/// A domain of the plan, with its leader's name.
#[derive(Debug, Clone, Serialize)]
pub struct Domain {
    pub id: AccountDomainId,
    pub data: DomainData,
    pub lead_name: Option<String>,
}

/// One of today's owners of the account.
#[derive(Debug, Clone, Serialize)]
pub struct Owner {
    pub id: UserId,
    pub name: String,
    pub share: Percentage,
}

/// The whole plan of an account, for `year`.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    pub company_id: CompanyId,
    pub company_name: String,
    /// A plan is kept for key accounts only: when the account is not (or
    /// no longer) one, what is stored still reads but nothing is written.
    pub key_account: bool,
    pub year: i32,
    pub owners: Vec<Owner>,
    pub domains: Vec<Domain>,
    pub decision_makers: Vec<DecisionMaker>,
    /// Every year a target is set for, latest first.
    pub targets: Vec<TargetData>,
    /// The actual figures of `year`.
    pub actual: Figures,
    /// The contacts who may lead a domain or be given a part: those of
    /// the group's companies the reader sees.
    pub contacts: Vec<GroupContact>,
}

impl Plan {
    /// The target of the plan's year, if set.
    pub fn target(&self) -> Option<&TargetData> {
        self.targets.iter().find(|t| t.year == self.year)
    }
}

/// The plan of account `id` for `year` (2000–2100), as `scope` sees it.
pub async fn plan(tx: &mut Tx, scope: Scope, id: CompanyId, year: i32) -> Result<Plan> {
    if !(YEAR_MIN..=YEAR_MAX).contains(&year) {
        return Err(Error::Invalid(
            domain::validation::ValidationErrors::single("year", "account-target-year-invalid"),
        ));
    }
    let a = account(tx, scope, id).await?;
    let lines = crate::portfolio::of_company(tx, id).await?;
    let periods: Vec<_> = lines.iter().map(|l| l.period).collect();
    let owners = owners_on(&periods, crate::today())
        .into_iter()
        .map(|(bm, share)| Owner {
            id: bm,
            name: lines
                .iter()
                .find(|l| l.period.bm_id == bm)
                .map(|l| l.business_manager_name.clone())
                .unwrap_or_default(),
            share,
        })
        .collect();
    let domains = domains(tx, id).await?;
    let contacts = people::group_contacts(tx, scope, &a).await?;
    let decision_makers = people::decision_makers(tx, scope, &a, &contacts).await?;
    let targets = targets(tx, id).await?;
    let actual = figures::actual(tx, scope, &a.counted(), year, crate::today()).await?;
    Ok(Plan {
        company_id: id,
        company_name: a.name.clone(),
        key_account: a.key_account,
        year,
        owners,
        domains,
        decision_makers,
        targets,
        actual,
        contacts,
    })
}

type DomainRow = (
    String,
    String,
    Option<String>,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
);

/// The plan's domains: active first, then targets, then dormant ones, by
/// name within each. Read after the account's scope was checked.
pub(crate) async fn domains(tx: &mut Tx, id: CompanyId) -> Result<Vec<Domain>> {
    let rows: Vec<DomainRow> = on_tx!(tx, |c| sqlx::query_as(
        "SELECT d.id, d.name, d.lead_contact_id, d.stakes, d.status, p.first_name, p.last_name \
         FROM account_domains d LEFT JOIN contacts p ON p.id = d.lead_contact_id \
         WHERE d.company_id = $1 \
         ORDER BY CASE d.status WHEN 'active' THEN 0 WHEN 'target' THEN 1 ELSE 2 END, d.name, d.id"
    )
    .bind(id.to_string())
    .fetch_all(c)
    .await)?;
    rows.into_iter()
        .map(|(did, name, lead, stakes, status, first, last)| {
            Ok(Domain {
                id: crate::id(&did)?,
                data: DomainData {
                    name,
                    lead_contact_id: lead.as_deref().map(crate::id::<ContactId>).transpose()?,
                    stakes,
                    status: DomainStatus::parse(&status)
                        .ok_or_else(|| corrupt("domain status", &status))?,
                },
                lead_name: first.zip(last).map(|(f, l)| format!("{f} {l}")),
            })
        })
        .collect()
}

/// The plan's targets, latest year first.
async fn targets(tx: &mut Tx, id: CompanyId) -> Result<Vec<TargetData>> {
    let rows: Vec<(i32, i64, i32, i32)> = on_tx!(tx, |c| sqlx::query_as(
        "SELECT year, revenue_cents, consultants, opportunities FROM account_targets \
         WHERE company_id = $1 ORDER BY year DESC"
    )
    .bind(id.to_string())
    .fetch_all(c)
    .await)?;
    rows.into_iter()
        .map(|(year, revenue, consultants, opportunities)| {
            let n = |v: i32| u32::try_from(v).map_err(|_| corrupt("target", &v.to_string()));
            Ok(TargetData {
                year,
                revenue: Money::from_cents(revenue),
                consultants: n(consultants)?,
                opportunities: n(opportunities)?,
            })
        })
        .collect()
}
