//! Synthetic data for `regisseur bench`, written set-based so that thousands
//! of rows take seconds. Never called by the application itself.

use domain::calendar::{Region, YearMonth};
use domain::ids::{CompanyId, CraId, MissionId, UserId};
use time::Duration;

use crate::{Result, Tx, now, on_tx};

/// What `client_validated_cras` created.
pub struct CraFixture {
    pub month: YearMonth,
    /// The reports, all validated by their client, waiting for the manager.
    pub reports: Vec<CraId>,
    /// The business manager of every mission of the fixture.
    pub manager: UserId,
    pub client: CompanyId,
}

/// `n` consultants, each with a mission at one client (rates from 450,00 €
/// to 849,99 €, some with odd cents) and a report for `month` filled with
/// the mission on every working day, validated by the client. Accounts get
/// no usable password.
pub async fn client_validated_cras(tx: &mut Tx, n: usize, month: YearMonth) -> Result<CraFixture> {
    let tag = uuid::Uuid::new_v4().simple().to_string()[..8].to_owned();
    let at = now();
    let client = CompanyId::new();
    let manager = UserId::new();
    on_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO companies (id, name, kind, country, key_account, search_key, created_at, updated_at)
         VALUES ($1, $2, 'client', 'FR', FALSE, $3, $4, $4)"
    )
    .bind(client.to_string())
    .bind(format!("Client bench {tag}"))
    .bind(format!("client bench {tag}"))
    .bind(at)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;

    let consultants: Vec<UserId> = (0..n).map(|_| UserId::new()).collect();
    let mut people: Vec<(UserId, String, String, &str)> = vec![(
        manager,
        format!("bench-bm-{tag}@bench.invalid"),
        format!("Manager bench {tag}"),
        "business_manager",
    )];
    people.extend(consultants.iter().enumerate().map(|(i, id)| {
        (
            *id,
            format!("bench-{tag}-{i}@bench.invalid"),
            format!("Consultant {i:05} {tag}"),
            "consultant",
        )
    }));
    for chunk in people.chunks(crate::rows_per_statement(7)) {
        let sql = format!(
            "INSERT INTO users (id, email, display_name, role, password_hash, active, search_key, created_at, updated_at)
             VALUES {}",
            crate::values_list("(?, ?, ?, ?, '!', TRUE, ?, ?, ?)", chunk.len())
        );
        on_tx!(tx, |c| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
            for (id, email, name, role) in chunk {
                q = q
                    .bind(id.to_string())
                    .bind(email.as_str())
                    .bind(name.as_str())
                    .bind(*role)
                    .bind(crate::search::key(&[
                        Some(name.as_str()),
                        Some(email.as_str()),
                    ]))
                    .bind(at)
                    .bind(at);
            }
            q.execute(c).await.map(|r| r.rows_affected())
        })?;
    }

    let start = month.first_day() - Duration::days(90);
    let end = month.last_day() + Duration::days(180);
    let missions: Vec<(MissionId, UserId, i64)> = consultants
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let cents = 45_000 + (i as i64 % 40) * 1_000 + if i % 7 == 0 { 99 } else { 0 };
            (MissionId::new(), *c, cents)
        })
        .collect();
    const MISSION_ROW: &str = "(?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', ?, 30, FALSE, 2000, 'on_receipts', \
                               'not_rebilled', 0, FALSE, ?, ?, ?)";
    for (k, chunk) in missions.chunks(crate::rows_per_statement(13)).enumerate() {
        let sql = format!(
            "INSERT INTO missions (id, title, client_id, consultant_id, business_manager_id, start_date,
               initial_end_date, end_date, base_tjm_cents, status, analytic_code, payment_days,
               payment_end_of_month, vat_rate_bp, vat_regime, expense_policy, expense_fee_bp,
               invoicing_locked, search_key, created_at, updated_at)
             VALUES {}",
            crate::values_list(MISSION_ROW, chunk.len())
        );
        let first = k * crate::rows_per_statement(13);
        on_tx!(tx, |c| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
            for (j, (id, consultant, cents)) in chunk.iter().enumerate() {
                let i = first + j;
                let title = format!("Mission bench {i:05}");
                q = q
                    .bind(id.to_string())
                    .bind(title.clone())
                    .bind(client.to_string())
                    .bind(consultant.to_string())
                    .bind(manager.to_string())
                    .bind(start)
                    .bind(end)
                    .bind(end)
                    .bind(*cents)
                    .bind(format!("BENCH-{tag}-{i:05}"))
                    .bind(title.to_lowercase())
                    .bind(at)
                    .bind(at);
            }
            q.execute(c).await.map(|r| r.rows_affected())
        })?;
    }

    let reports: Vec<CraId> = consultants.iter().map(|_| CraId::new()).collect();
    for chunk in reports
        .iter()
        .zip(&consultants)
        .collect::<Vec<_>>()
        .chunks(crate::rows_per_statement(7))
    {
        let sql = format!(
            "INSERT INTO cras (id, consultant_id, month, version, status, signed_at, client_validated_at,
               created_at, updated_at)
             VALUES {}",
            crate::values_list("(?, ?, ?, 1, 'client_validated', ?, ?, ?, ?)", chunk.len())
        );
        on_tx!(tx, |c| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
            for (id, consultant) in chunk {
                q = q
                    .bind(id.to_string())
                    .bind(consultant.to_string())
                    .bind(month.to_string())
                    .bind(at)
                    .bind(at)
                    .bind(at)
                    .bind(at);
            }
            q.execute(c).await.map(|r| r.rows_affected())
        })?;
    }

    // One statement per half day of the month, each filling every report.
    for day in month.working_days(Region::Standard) {
        for half in ["am", "pm"] {
            on_tx!(tx, |c| sqlx::query(
                "INSERT INTO cra_slots (cra_id, day, half, activity, mission_id)
                 SELECT r.id, $1, $2, 'mission', m.id FROM cras r
                   JOIN missions m ON m.consultant_id = r.consultant_id
                 WHERE r.month = $3 AND m.business_manager_id = $4"
            )
            .bind(day)
            .bind(half)
            .bind(month.to_string())
            .bind(manager.to_string())
            .execute(c)
            .await
            .map(|r| r.rows_affected()))?;
        }
    }
    on_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO cra_client_approvals (cra_id, mission_id, client_id, approved_at, approved_by, via)
         SELECT r.id, m.id, m.client_id, $1, 'bench', 'portal' FROM cras r
           JOIN missions m ON m.consultant_id = r.consultant_id
         WHERE r.month = $2 AND m.business_manager_id = $3"
    )
    .bind(at)
    .bind(month.to_string())
    .bind(manager.to_string())
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(CraFixture {
        month,
        reports,
        manager,
        client,
    })
}

/// Refreshes the planner's statistics (`ANALYZE`, on both backends), as
/// PostgreSQL's autovacuum does on its own within a minute of a bulk change:
/// right after one, the planner still counts the rows as they were.
pub async fn analyze(tx: &mut Tx) -> Result<()> {
    on_tx!(tx, |c| sqlx::query("ANALYZE")
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}
