//! The two migration sets describe the same schema, and migrating is safe to repeat.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

use fixtures::testing::on_each_backend;
use store::{Backend, Db};

use crate::support::count;

const TABLES: [&str; 87] = [
    "account_domains",
    "account_stakeholders",
    "account_targets",
    "accruals",
    "activity_digests",
    "agencies",
    "amendments",
    "analytic_months",
    "api_tokens",
    "audit_log",
    "bank_accounts",
    "bank_lines",
    "bank_statements",
    "billed_credits",
    "billed_guard",
    "billed_masks",
    "cjm_settings",
    "client_contracts",
    "close_runs",
    "companies",
    "company_portfolio",
    "contacts",
    "cost_versions",
    "cra_attachments",
    "cra_client_approvals",
    "cra_day_totals",
    "cra_events",
    "cra_extras",
    "cra_reminders",
    "cra_slots",
    "cras",
    "document_templates",
    "documents",
    "dunning_levels",
    "dunning_notices",
    "dunning_pauses",
    "dunning_settings",
    "einvoice_deposits",
    "employees",
    "export_chunks",
    "exports",
    "firm",
    "grade_standard_cjm",
    "invoice_emails",
    "invoice_lifecycle",
    "invoice_lines",
    "invoices",
    "jobs",
    "leave_allowances",
    "leave_requests",
    "leave_types",
    "ledger_accounts",
    "ledger_entries",
    "ledger_lines",
    "ledger_periods",
    "ledger_sequences",
    "lettering_lines",
    "letterings",
    "login_attempts",
    "meeting_contacts",
    "meeting_series",
    "meeting_users",
    "meetings",
    "mission_portfolio",
    "mission_validators",
    "missions",
    "opportunities",
    "opportunity_contacts",
    "opportunity_events",
    "opportunity_positionings",
    "opportunity_skills",
    "opportunity_stages",
    "opportunity_views",
    "outbox_attachments",
    "outbox_emails",
    "payment_allocations",
    "payments",
    "renewal_alerts",
    "renewals",
    "schedules",
    "sessions",
    "signature_events",
    "signature_requests",
    "signature_signers",
    "tasks",
    "user_invitations",
    "users",
];

#[derive(Debug, Clone, PartialEq, Eq)]
struct Schema {
    /// table -> column -> nullable
    columns: BTreeMap<String, BTreeMap<String, bool>>,
    /// Explicitly created indexes (not those backing keys and constraints).
    indexes: BTreeSet<String>,
}

async fn read_schema(db: &Db) -> Schema {
    let mut columns: BTreeMap<String, BTreeMap<String, bool>> = BTreeMap::new();
    let indexes: Vec<String> = match db {
        Db::Sqlite(p) => {
            let rows: Vec<(String, String, i64, i64)> = sqlx::query_as(
                "SELECT m.name, c.name, c.\"notnull\", c.pk
                 FROM sqlite_master m JOIN pragma_table_info(m.name) c
                 WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> '_sqlx_migrations'
                 ORDER BY m.name, c.cid",
            )
            .fetch_all(p)
            .await
            .expect("read sqlite columns");
            for (table, column, not_null, pk) in rows {
                // SQLite lets a TEXT primary key be NULL unless told otherwise;
                // the application never relies on it, PostgreSQL forbids it.
                columns
                    .entry(table)
                    .or_default()
                    .insert(column, not_null == 0 && pk == 0);
            }
            sqlx::query_scalar(
                "SELECT name FROM sqlite_master
                 WHERE type = 'index' AND sql IS NOT NULL AND tbl_name <> '_sqlx_migrations'",
            )
            .fetch_all(p)
            .await
            .expect("read sqlite indexes")
        }
        Db::Postgres(p) => {
            let rows: Vec<(String, String, String)> = sqlx::query_as(
                "SELECT c.table_name::text, c.column_name::text, c.is_nullable::text
                 FROM information_schema.columns c
                 JOIN information_schema.tables t
                   ON t.table_schema = c.table_schema AND t.table_name = c.table_name
                 WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
                   AND c.table_name <> '_sqlx_migrations'
                 ORDER BY c.table_name, c.ordinal_position",
            )
            .fetch_all(p)
            .await
            .expect("read postgres columns");
            for (table, column, nullable) in rows {
                columns
                    .entry(table)
                    .or_default()
                    .insert(column, nullable == "YES");
            }
            sqlx::query_scalar(
                "SELECT indexname::text FROM pg_indexes
                 WHERE schemaname = 'public' AND tablename <> '_sqlx_migrations'
                   AND indexname NOT IN (SELECT conname FROM pg_constraint)",
            )
            .fetch_all(p)
            .await
            .expect("read postgres indexes")
        }
    };
    Schema {
        columns,
        indexes: indexes.into_iter().collect(),
    }
}

#[tokio::test]
async fn both_backends_have_the_same_tables_and_columns() {
    let seen: Arc<Mutex<Vec<(Backend, Schema)>>> = Arc::default();
    let sink = seen.clone();
    on_each_backend(move |db| {
        let sink = sink.clone();
        async move {
            let schema = read_schema(&db).await;
            let tables: Vec<&str> = schema.columns.keys().map(String::as_str).collect();
            assert_eq!(tables, TABLES, "tables on {}", db.backend().name());
            let users = &schema.columns["users"];
            assert_eq!(users.get("password_hash"), Some(&false));
            assert_eq!(users.get("company_id"), Some(&true));
            assert!(
                schema.indexes.contains("sessions_expires"),
                "{:?}",
                schema.indexes
            );
            sink.lock().unwrap().push((db.backend(), schema));
        }
    })
    .await;
    let seen = seen.lock().unwrap();
    match seen.as_slice() {
        [(Backend::Sqlite, sqlite), (Backend::Postgres, postgres)] => {
            for table in TABLES {
                assert_eq!(
                    sqlite.columns[table], postgres.columns[table],
                    "columns (name -> nullable) of {table} differ between SQLite and PostgreSQL"
                );
            }
            assert_eq!(sqlite.indexes, postgres.indexes, "indexes differ");
            assert_eq!(sqlite, postgres);
        }
        [(Backend::Sqlite, _)] if fixtures::testing::postgres_skipped() => {}
        other => panic!(
            "expected one schema per backend, got {:?}",
            other.iter().map(|(b, _)| b.name()).collect::<Vec<_>>()
        ),
    }
}

#[tokio::test]
async fn migrating_again_changes_nothing() {
    on_each_backend(|db| async move {
        assert!(db.migrations_current().await.unwrap());
        let applied = count(&db, "_sqlx_migrations").await;
        let (expected, _) = store::db::migration_versions();
        assert_eq!(applied, expected.len() as i64);
        let before = read_schema(&db).await;

        db.migrate().await.expect("second migrate");
        db.migrate().await.expect("third migrate");

        assert!(db.migrations_current().await.unwrap());
        assert_eq!(count(&db, "_sqlx_migrations").await, applied);
        assert_eq!(read_schema(&db).await, before);
        db.ping().await.unwrap();

        // Readiness really reads the table: without the records it says so.
        store::on_pool!(&db, |c| sqlx::query("DELETE FROM _sqlx_migrations")
            .execute(c)
            .await
            .map(|_| ()))
        .unwrap();
        assert!(!db.migrations_current().await.unwrap());
    })
    .await;
}
