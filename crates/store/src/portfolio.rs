//! The portfolios of missions and of accounts (client companies): their
//! business managers over dated periods, with their shares (the rules are
//! `domain::people::portfolio`'s, the same for both). A mission's current
//! owner, derived from the periods, is kept in `missions.business_manager_id`
//! so that every page and query reading it stays right; an account has no
//! such column.

use domain::ids::{CompanyId, MissionId, UserId};
use domain::people::portfolio::{self, PortfolioPeriod, PortfolioPeriodInput};
use domain::percent::Percentage;
use domain::validation::{ErrorKey, ValidationErrors};
use serde::Serialize;
use time::Date;

use crate::{Actor, Error, Result, Tx, audit, corrupt, now, on_tx};

/// The most periods one form or request may carry.
pub const MAX_PERIODS: usize = 20;

/// The field each period's values are named by, in forms and problem
/// documents: `periods[1].share`.
const FIELDS: [[&str; 4]; MAX_PERIODS] = [
    [
        "periods[0].bm_id",
        "periods[0].from",
        "periods[0].to",
        "periods[0].share",
    ],
    [
        "periods[1].bm_id",
        "periods[1].from",
        "periods[1].to",
        "periods[1].share",
    ],
    [
        "periods[2].bm_id",
        "periods[2].from",
        "periods[2].to",
        "periods[2].share",
    ],
    [
        "periods[3].bm_id",
        "periods[3].from",
        "periods[3].to",
        "periods[3].share",
    ],
    [
        "periods[4].bm_id",
        "periods[4].from",
        "periods[4].to",
        "periods[4].share",
    ],
    [
        "periods[5].bm_id",
        "periods[5].from",
        "periods[5].to",
        "periods[5].share",
    ],
    [
        "periods[6].bm_id",
        "periods[6].from",
        "periods[6].to",
        "periods[6].share",
    ],
    [
        "periods[7].bm_id",
        "periods[7].from",
        "periods[7].to",
        "periods[7].share",
    ],
    [
        "periods[8].bm_id",
        "periods[8].from",
        "periods[8].to",
        "periods[8].share",
    ],
    [
        "periods[9].bm_id",
        "periods[9].from",
        "periods[9].to",
        "periods[9].share",
    ],
    [
        "periods[10].bm_id",
        "periods[10].from",
        "periods[10].to",
        "periods[10].share",
    ],
    [
        "periods[11].bm_id",
        "periods[11].from",
        "periods[11].to",
        "periods[11].share",
    ],
    [
        "periods[12].bm_id",
        "periods[12].from",
        "periods[12].to",
        "periods[12].share",
    ],
    [
        "periods[13].bm_id",
        "periods[13].from",
        "periods[13].to",
        "periods[13].share",
    ],
    [
        "periods[14].bm_id",
        "periods[14].from",
        "periods[14].to",
        "periods[14].share",
    ],
    [
        "periods[15].bm_id",
        "periods[15].from",
        "periods[15].to",
        "periods[15].share",
    ],
    [
        "periods[16].bm_id",
        "periods[16].from",
        "periods[16].to",
        "periods[16].share",
    ],
    [
        "periods[17].bm_id",
        "periods[17].from",
        "periods[17].to",
        "periods[17].share",
    ],
    [
        "periods[18].bm_id",
        "periods[18].from",
        "periods[18].to",
        "periods[18].share",
    ],
    [
        "periods[19].bm_id",
        "periods[19].from",
        "periods[19].to",
        "periods[19].share",
    ],
];

/// One period as shown, with its manager's name.
#[derive(Debug, Clone, Serialize)]
pub struct PortfolioLine {
    #[serde(flatten)]
    pub period: PortfolioPeriod,
    pub business_manager_name: String,
}

/// Whose portfolio: a mission's or an account's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holder {
    Mission(MissionId),
    Company(CompanyId),
}

impl From<MissionId> for Holder {
    fn from(m: MissionId) -> Holder {
        Holder::Mission(m)
    }
}

impl From<CompanyId> for Holder {
    fn from(c: CompanyId) -> Holder {
        Holder::Company(c)
    }
}

/// The statements of one holder's table, written once for both.
macro_rules! statements {
    ($table:literal, $key:literal) => {
        Statements {
            select: concat!(
                "SELECT p.business_manager_id, p.valid_from, p.valid_to, p.share_bp, u.display_name FROM ",
                $table,
                " p JOIN users u ON u.id = p.business_manager_id WHERE p.",
                $key,
                " = $1 ORDER BY p.valid_from, p.share_bp DESC, u.display_name"
            ),
            delete: concat!("DELETE FROM ", $table, " WHERE ", $key, " = $1"),
            insert: concat!(
                "INSERT INTO ",
                $table,
                " (",
                $key,
                ", business_manager_id, valid_from, valid_to, share_bp, created_at) VALUES ($1, $2, $3, $4, $5, $6)"
            ),
        }
    };
}

struct Statements {
    select: &'static str,
    delete: &'static str,
    insert: &'static str,
}

impl Holder {
    fn statements(self) -> Statements {
        match self {
            Holder::Mission(_) => statements!("mission_portfolio", "mission_id"),
            Holder::Company(_) => statements!("company_portfolio", "company_id"),
        }
    }

    fn id(self) -> String {
        match self {
            Holder::Mission(m) => m.to_string(),
            Holder::Company(c) => c.to_string(),
        }
    }

    /// The entity its audit lines name.
    fn entity(self) -> &'static str {
        match self {
            Holder::Mission(_) => "mission",
            Holder::Company(_) => "company",
        }
    }
}

/// The mission's periods, oldest first.
pub async fn of_mission(tx: &mut Tx, mission: MissionId) -> Result<Vec<PortfolioLine>> {
    of(tx, Holder::Mission(mission)).await
}

/// The account's periods, oldest first.
pub async fn of_company(tx: &mut Tx, company: CompanyId) -> Result<Vec<PortfolioLine>> {
    of(tx, Holder::Company(company)).await
}

/// A holder's periods, oldest first.
pub async fn of(tx: &mut Tx, holder: Holder) -> Result<Vec<PortfolioLine>> {
    let sql = holder.statements().select;
    let rows: Vec<(String, Date, Option<Date>, i32, String)> = on_tx!(tx, |c| sqlx::query_as(sql)
        .bind(holder.id())
        .fetch_all(c)
        .await)?;
    rows.into_iter()
        .map(|(bm, from, to, bp, name)| {
            Ok(PortfolioLine {
                period: PortfolioPeriod {
                    bm_id: UserId::parse(&bm).ok_or_else(|| corrupt("portfolio bm", &bm))?,
                    from,
                    to,
                    share: Percentage::from_basis_points(
                        u32::try_from(bp)
                            .map_err(|_| corrupt("portfolio share", &bp.to_string()))?,
                    ),
                },
                business_manager_name: name,
            })
        })
        .collect()
}

fn periods(lines: &[PortfolioLine]) -> Vec<PortfolioPeriod> {
    lines.iter().map(|l| l.period).collect()
}

/// Checks the typed periods, each field named by its row
/// (`periods[0].from`), then the whole (shares adding up to 100 % on every
/// day, no manager twice on one day), reported on `periods`.
pub fn validate(
    inputs: &[PortfolioPeriodInput],
) -> std::result::Result<Vec<PortfolioPeriod>, ValidationErrors> {
    let mut e = ValidationErrors::new();
    if inputs.is_empty() {
        e.add("periods", "portfolio-empty");
        return Err(e);
    }
    if inputs.len() > MAX_PERIODS {
        e.add_with(
            "periods",
            "portfolio-too-many",
            vec![("max", domain::validation::Arg::from(MAX_PERIODS as i64))],
        );
        return Err(e);
    }
    let mut out = Vec::with_capacity(inputs.len());
    for (i, input) in inputs.iter().enumerate() {
        match input.validate() {
            Ok(p) => out.push(p),
            Err(errors) => {
                for f in errors.0 {
                    let at = ["bm_id", "from", "to", "share"]
                        .iter()
                        .position(|n| *n == f.field)
                        .unwrap_or(0);
                    e.add_with(FIELDS[i][at], f.key, f.args);
                }
            }
        }
    }
    if !e.is_empty() {
        return Err(e);
    }
    if let Err(err) = portfolio::check_portfolio(&out) {
        e.add_with("periods", err.key(), err.args());
        return Err(e);
    }
    Ok(out)
}

/// Replaces the periods of a mission or an account with `new` (already
/// validated), after checking each manager may manage missions; a
/// mission's current owner is then derived on `today`. Audited.
pub async fn replace(
    tx: &mut Tx,
    actor: &Actor,
    holder: impl Into<Holder>,
    new: &[PortfolioPeriod],
    today: Date,
) -> Result<Vec<PortfolioLine>> {
    let holder = holder.into();
    let before = of(tx, holder).await?;
    let mut e = ValidationErrors::new();
    for (i, p) in new.iter().enumerate() {
        let may = crate::users::active_in_roles(tx, p.bm_id, crate::users::MANAGER_ROLES)
            .await?
            .is_some();
        if !may {
            e.add(FIELDS[i.min(MAX_PERIODS - 1)][0], "mission-bm-role");
        }
    }
    if !e.is_empty() {
        return Err(Error::Invalid(e));
    }
    write(tx, holder, new, today).await?;
    let after = of(tx, holder).await?;
    audit::record(
        tx,
        actor,
        "portfolio",
        holder.entity(),
        &holder.id(),
        Some(&before),
        Some(&after),
    )
    .await?;
    Ok(after)
}

/// Writes what saving the mission form means for its portfolio
/// (`domain::people::portfolio::follow_form` decides). Called in the
/// mission's own transaction, so the mission's audit line covers it.
pub(crate) async fn follow_form(
    tx: &mut Tx,
    mission: MissionId,
    bm: UserId,
    start: Date,
    today: Date,
) -> Result<()> {
    let current = periods(&of_mission(tx, mission).await?);
    match portfolio::follow_form(&current, bm, start, today) {
        Some(next) => write(tx, Holder::Mission(mission), &next, today).await,
        None => Ok(()),
    }
}

/// Makes `bm` the owner, alone from `from` until further notice, of an
/// account that has no owner yet: a business manager creating a company
/// keeps it in his portfolio, so he still sees it. Nothing changes for an
/// account already owned.
pub async fn own_new_company(
    tx: &mut Tx,
    company: CompanyId,
    bm: UserId,
    from: Date,
) -> Result<()> {
    let holder = Holder::Company(company);
    if !of(tx, holder).await?.is_empty() {
        return Ok(());
    }
    let alone = PortfolioPeriod {
        bm_id: bm,
        from,
        to: None,
        share: Percentage::HUNDRED,
    };
    write(tx, holder, &[alone], from).await
}

async fn write(
    tx: &mut Tx,
    holder: Holder,
    periods: &[PortfolioPeriod],
    today: Date,
) -> Result<()> {
    let st = holder.statements();
    let id = holder.id();
    on_tx!(tx, |c| sqlx::query(st.delete)
        .bind(&id)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    let at = now();
    for p in periods {
        on_tx!(tx, |c| sqlx::query(st.insert)
            .bind(&id)
            .bind(p.bm_id.to_string())
            .bind(p.from)
            .bind(p.to)
            .bind(p.share.basis_points() as i32)
            .bind(at)
            .execute(c)
            .await
            .map(|r| r.rows_affected()))?;
    }
    let Holder::Mission(mission) = holder else {
        return Ok(());
    };
    let owner = portfolio::shown_owner(periods, today);
    if let Some(owner) = owner {
        on_tx!(tx, |c| sqlx::query(
            "UPDATE missions SET business_manager_id = $2 WHERE id = $1"
        )
        .bind(mission.to_string())
        .bind(owner.to_string())
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    }
    Ok(())
}
