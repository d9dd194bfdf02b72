//! The renewal scan over many missions: for every threshold reached, one
//! alert, its task, an e-mail and the e-mail's send job; once, however many
//! scans (or instances) run.

use std::time::Duration as StdDuration;

use domain::mission::MissionInput;
use domain::renewal::{AlertKind, alerts_due};
use domain::role::Role;
use fixtures::testing::on_each_backend;
use store::renewals::{self, ScanReport};
use store::{Db, Scope};
use time::{Date, Duration};

use crate::support::{actor, count, create_company, create_user};

/// More alerts than one multi-row statement takes.
const MISSIONS: i64 = 300;

async fn scalar(db: &Db, sql: &'static str) -> i64 {
    store::on_pool!(db, |c| sqlx::query_scalar(sql).fetch_one(c).await)
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// Rows of every table the scan writes.
async fn written(db: &Db) -> [i64; 5] {
    [
        count(db, "renewals").await,
        count(db, "renewal_alerts").await,
        count(db, "tasks").await,
        count(db, "outbox_emails").await,
        count(db, "jobs").await,
    ]
}

struct Fixture {
    bm: store::users::User,
    /// (title, end date) of the running missions.
    running: Vec<(String, Date)>,
}

/// Missions ending from yesterday to 90 days ahead, one of them interrupted.
async fn missions(db: &Db, today: Date) -> Fixture {
    let client = create_company(db, "Clientis Group", "client").await;
    let consultant = create_user(
        db,
        "camille@stafforia.example",
        "Camille Martin",
        Role::Consultant,
        None,
    )
    .await;
    let bm = create_user(
        db,
        "hugo@stafforia.example",
        "Hugo Bernard",
        Role::BusinessManager,
        None,
    )
    .await;
    let mut tx = db.begin().await.unwrap();
    let mut running = Vec::new();
    for i in 0..MISSIONS {
        let end = today + Duration::days(i % 92 - 1);
        let title = format!("Mission {i}");
        let data = MissionInput {
            title: title.clone(),
            client_id: client.id.to_string(),
            consultant_id: consultant.id.to_string(),
            business_manager_id: bm.id.to_string(),
            start_date: (end - Duration::days(180)).to_string(),
            end_date: end.to_string(),
            tjm: "600".into(),
            ..Default::default()
        }
        .validate()
        .expect("valid mission");
        store::missions::create(&mut tx, &actor(), &data, &[])
            .await
            .unwrap();
        if end >= today && i != 5 {
            running.push((title, end));
        }
    }
    tx.commit().await.unwrap();
    // Mission 5 ends in 4 days but was interrupted: no follow-up.
    store::on_pool!(db, |c| sqlx::query(
        "UPDATE missions SET status = 'interrupted' WHERE title = 'Mission 5'"
    )
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .unwrap();
    Fixture { bm, running }
}

/// What `alerts_due` says a scan on `day` must report, given the alerts a
/// scan on `before` (if any) already made.
fn expected(running: &[(String, Date)], day: Date, before: Option<Date>) -> ScanReport {
    let horizon = day + Duration::days(AlertKind::D60.days_before());
    let mut report = ScanReport::default();
    for (_, end) in running {
        if *end < day || *end > horizon {
            continue;
        }
        report.missions_seen += 1;
        let already = before.map(|b| alerts_due(*end, b)).unwrap_or_default();
        report.alerts_created += alerts_due(*end, day)
            .into_iter()
            .filter(|k| !already.contains(k))
            .count() as u64;
    }
    report
}

async fn scan(db: &Db, day: Date) -> ScanReport {
    let mut tx = db.begin().await.unwrap();
    let report = renewals::scan(&mut tx, day).await.unwrap();
    tx.commit().await.unwrap();
    report
}

/// Every alert has its own task (same mission), every task its e-mail, every
/// e-mail exactly one send job.
async fn assert_consistent(db: &Db) {
    let alerts = count(db, "renewal_alerts").await;
    assert_eq!(
        scalar(
            db,
            "SELECT COUNT(DISTINCT t.id) FROM renewal_alerts a JOIN tasks t ON t.id = a.task_id
             WHERE t.mission_id = a.mission_id AND t.kind = 'renewal'"
        )
        .await,
        alerts
    );
    assert_eq!(count(db, "tasks").await, alerts);
    assert_eq!(
        scalar(
            db,
            "SELECT COUNT(*) FROM outbox_emails e JOIN tasks t ON t.title = e.subject
             JOIN users u ON u.id = t.assignee_id AND u.email = e.to_address"
        )
        .await,
        alerts
    );
    assert_eq!(count(db, "outbox_emails").await, alerts);
    assert_eq!(
        scalar(
            db,
            "SELECT COUNT(*) FROM outbox_emails e JOIN jobs j ON j.dedupe_key = 'email:' || e.id
             WHERE j.kind = 'send_email' AND j.state = 'queued' AND j.attempts = 0 AND j.max_attempts > 0
               AND j.payload = '{\"email_id\":\"' || e.id || '\"}' AND j.run_at = e.created_at"
        )
        .await,
        alerts
    );
    assert_eq!(count(db, "jobs").await, alerts);
}

#[tokio::test]
async fn scanning_many_missions_alerts_each_threshold_once() {
    on_each_backend(|db| async move {
        let today = store::today();
        let f = missions(&db, today).await;

        let first = scan(&db, today).await;
        let want = expected(&f.running, today, None);
        assert_eq!(first, want);
        assert!(
            want.alerts_created > 200,
            "more than one statement's worth"
        );
        let alerts = want.alerts_created as i64;
        let seen = want.missions_seen as i64;
        assert_eq!(
            written(&db).await,
            [seen, alerts, alerts, alerts, alerts]
        );
        assert_consistent(&db).await;
        assert_eq!(
            scalar(
                &db,
                "SELECT COUNT(*) FROM renewal_alerts WHERE kind = 'd30'"
            )
            .await,
            want.alerts_created as i64 - seen,
            "D-30 for the missions ending within 30 days"
        );

        // The texts, and the due dates (D-45 for D-60, D-15 for D-30, never
        // before today): Mission 21 ends in 20 days, Mission 51 in 50.
        let mut tx = db.read().await.unwrap();
        let tasks = renewals::open_tasks(&mut tx, f.bm.id).await.unwrap();
        let emails = store::outbox::recent(&mut tx, 10_000).await.unwrap();
        tx.commit().await.unwrap();
        let end21 = today + Duration::days(20);
        let end51 = today + Duration::days(50);
        let date = |d: Date| domain::locale::format_date(d, domain::Locale::Fr);
        let title = |days: i64, n: u32, end: Date| {
            format!(
                "Renouvellement J-{days} : Mission {n} (Camille Martin, Clientis Group) se termine le {}",
                date(end)
            )
        };
        for (days, n, end, due) in [
            (60, 21, end21, today),
            (30, 21, end21, today + Duration::days(5)),
            (60, 51, end51, today + Duration::days(5)),
        ] {
            let title = title(days, n, end);
            let task = tasks
                .iter()
                .find(|t| t.title == title)
                .unwrap_or_else(|| panic!("no task {title:?}"));
            assert_eq!(task.due_date, due, "{title}");
            assert!(task.mission_id.is_some() && task.done_at.is_none());
            let email: Vec<_> = emails.iter().filter(|e| e.subject == title).collect();
            assert_eq!(email.len(), 1, "{title}");
            assert_eq!(email[0].to_address, "hugo@stafforia.example");
            assert_eq!(
                email[0].body_text,
                format!(
                    "Bonjour,\n\nLa mission « Mission {n} » de Camille Martin chez Clientis Group se termine le {} (J-{days}).\n\
                     Une tâche de renouvellement vous a été attribuée dans Régisseur (page Renouvellements).\n\n— Régisseur",
                    date(end)
                )
            );
        }
        assert!(!tasks.iter().any(|t| t.title == title(30, 51, end51)));
        assert!(
            !tasks.iter().any(|t| t.title.contains("Mission 5 ")),
            "the interrupted mission gets nothing"
        );

        // A second scan the same day finds everything done.
        let before = written(&db).await;
        let second = scan(&db, today).await;
        assert_eq!(
            second,
            ScanReport {
                missions_seen: want.missions_seen,
                alerts_created: 0
            }
        );
        assert_eq!(written(&db).await, before, "a second scan writes nothing");

        // Twenty days later: the D-30 of the missions then 30 days or less
        // from their end, the D-60 of those entering the window; nothing twice.
        let later = today + Duration::days(20);
        let third = scan(&db, later).await;
        assert_eq!(third, expected(&f.running, later, Some(today)));
        assert!(third.alerts_created > 0);
        assert_consistent(&db).await;
        assert_eq!(
            scalar(
                &db,
                "SELECT COUNT(*) FROM (SELECT mission_id, kind, end_date FROM renewal_alerts
                 GROUP BY mission_id, kind, end_date HAVING COUNT(*) > 1) d"
            )
            .await,
            0
        );
        let mut tx = db.read().await.unwrap();
        let lines = renewals::upcoming(&mut tx, Scope::All, later, 60)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        for l in &lines {
            let due: Vec<String> = alerts_due(l.end_date, later)
                .into_iter()
                .map(|k| k.as_str().to_string())
                .collect();
            assert_eq!(l.alerts, due, "{}", l.title);
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_instance_scanning_at_the_same_time_creates_nothing() {
    on_each_backend(|db| async move {
        let today = store::today();
        let f = missions(&db, today).await;
        // The renewal records exist already, so on PostgreSQL the second
        // scan does not wait on them: it selects every alert as missing
        // (the first scan has not committed) and then waits on their
        // insertion, which the unique constraint turns into nothing.
        store::on_pool!(&db, |c| sqlx::query(
            "INSERT INTO renewals (mission_id, end_date, status, updated_at)
             SELECT id, end_date, 'to_follow_up', updated_at FROM missions WHERE end_date >= $1"
        )
        .bind(today)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
        .unwrap();
        let mut first = db.begin().await.unwrap();
        let report = renewals::scan(&mut first, today).await.unwrap();
        let other = {
            let db = db.clone();
            tokio::spawn(async move {
                let mut tx = db.begin().await?;
                let r = renewals::scan(&mut tx, today).await?;
                tx.commit().await?;
                Ok::<_, store::Error>(r)
            })
        };
        tokio::time::sleep(StdDuration::from_millis(500)).await;
        first.commit().await.unwrap();
        let second = other.await.expect("task").expect("second scan");
        assert_eq!(report, expected(&f.running, today, None));
        assert_eq!(second.alerts_created, 0);
        assert_eq!(second.missions_seen, report.missions_seen);
        let alerts = report.alerts_created as i64;
        assert_eq!(count(&db, "renewal_alerts").await, alerts);
        assert_consistent(&db).await;
    })
    .await;
}
