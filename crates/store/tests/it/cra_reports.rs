//! Billable days, late reports, on-time rates and reminders, on made-up
//! dates: reports are taken through the real workflow (open, save, sign,
//! client validation, manager validation), then the validation time is set
//! to the date the scenario needs.

use domain::calendar::YearMonth;
use domain::cra::{self, Activity, Cell, CraStatus};
use domain::cra_reports::Stuck;
use domain::ids::{CraId, MissionId, UserId};
use domain::mission::{DayQuantity, MissionInput, Tjm};
use domain::money::Money;
use domain::rates::Amendment;
use domain::role::Role;
use fixtures::testing::on_each_backend;
use store::cra_reports::{self, LateCra};
use store::cras::{self, Entry, Via};
use store::{Db, Scope};
use time::macros::{date, datetime};
use time::{Date, Month, OffsetDateTime};

use crate::support::{actor, create_company, create_user};

pub(crate) fn ym(year: i32, month: Month) -> YearMonth {
    YearMonth::new(year, month)
}

pub(crate) struct People {
    pub bm: UserId,
    pub dm: UserId,
    pub clientis: domain::ids::CompanyId,
    pub horizon: domain::ids::CompanyId,
}

pub(crate) async fn people(db: &Db) -> People {
    let bm = create_user(
        db,
        "hugo@stafforia.example",
        "Hugo Bernard",
        Role::BusinessManager,
        None,
    )
    .await;
    let dm = create_user(
        db,
        "lea@stafforia.example",
        "Léa Durand",
        Role::DeliveryManager,
        None,
    )
    .await;
    let clientis = create_company(db, "Clientis Group", "client").await;
    let horizon = create_company(db, "Banque Horizon", "client").await;
    People {
        bm: bm.id,
        dm: dm.id,
        clientis: clientis.id,
        horizon: horizon.id,
    }
}

pub(crate) async fn consultant(db: &Db, login: &str, name: &str) -> UserId {
    create_user(
        db,
        &format!("{login}@stafforia.example"),
        name,
        Role::Consultant,
        None,
    )
    .await
    .id
}

#[allow(clippy::too_many_arguments)]
pub(crate) async fn mission(
    db: &Db,
    p: &People,
    title: &str,
    client: domain::ids::CompanyId,
    who: UserId,
    start: Date,
    end: Date,
    tjm: &str,
) -> MissionId {
    let data = MissionInput {
        title: title.into(),
        client_id: client.to_string(),
        consultant_id: who.to_string(),
        business_manager_id: p.bm.to_string(),
        delivery_manager_id: p.dm.to_string(),
        start_date: start.to_string(),
        end_date: end.to_string(),
        tjm: tjm.into(),
        ..Default::default()
    }
    .validate()
    .expect("valid mission");
    let mut tx = db.begin().await.unwrap();
    let m = store::missions::create(&mut tx, &actor(), &data, &[])
        .await
        .unwrap();
    tx.commit().await.unwrap();
    m.id
}

/// The consultant's report for the month, every working day of his
/// missions filled after the cells typed in `extra`.
pub(crate) async fn filled(db: &Db, who: UserId, month: YearMonth, extra: &[Cell]) -> CraId {
    let mut tx = db.begin().await.unwrap();
    let id = cras::open(&mut tx, &actor(), who, month).await.unwrap();
    let sheet = cras::get(&mut tx, Scope::All, id).await.unwrap();
    let mut cells = extra.to_vec();
    for m in &sheet.missions {
        cells = cra::fill_month(
            month,
            sheet.pattern,
            &m.window(),
            &cells,
            &sheet.leave_slots(),
        );
    }
    let entry = Entry {
        cells,
        comment: None,
        extras: Vec::new(),
    };
    cras::save(&mut tx, &actor(), Scope::All, id, &entry)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    id
}

pub(crate) async fn sign(db: &Db, id: CraId) {
    let mut tx = db.begin().await.unwrap();
    cras::sign(
        &mut tx,
        &actor(),
        Scope::All,
        id,
        &store::esign::Origin::system(),
        "http://test",
        &app::Render,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

pub(crate) async fn client_validates(db: &Db, id: CraId) {
    let mut tx = db.begin().await.unwrap();
    let sheet = cras::get(&mut tx, Scope::All, id).await.unwrap();
    let a = actor();
    for approval in &sheet.approvals {
        cras::client_validate(
            &mut tx,
            Scope::All,
            id,
            Via::Portal {
                mission: approval.mission_id,
                actor: &a,
            },
            "Client",
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
}

/// The manager validates; the validation is then dated `at`.
pub(crate) async fn manager_validates(db: &Db, id: CraId, at: OffsetDateTime) {
    let mut tx = db.begin().await.unwrap();
    let v = cras::validate(&mut tx, &actor(), &[id]).await.unwrap();
    assert_eq!(v.done, [id]);
    tx.commit().await.unwrap();
    store::on_pool!(db, |c| sqlx::query(
        "UPDATE cras SET validated_at = $1 WHERE id = $2"
    )
    .bind(at)
    .bind(id.to_string())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .unwrap();
}

pub(crate) async fn status(db: &Db, id: CraId) -> CraStatus {
    let mut tx = db.read().await.unwrap();
    let s = cras::get(&mut tx, Scope::All, id).await.unwrap().cra.status;
    tx.commit().await.unwrap();
    s
}

/// A billable line as the test compares it: mission, period, half days,
/// rate, amount.
type Shown<'a> = (&'a str, Date, Date, u32, Option<Money>, Money);

#[tokio::test]
async fn billable_days_follow_the_rate_in_force_each_day() {
    on_each_backend(|db| async move {
        let p = people(&db).await;
        let camille = consultant(&db, "camille", "Camille Martin").await;
        let lucas = consultant(&db, "lucas", "Lucas Petit").await;
        let nina = consultant(&db, "nina", "Nina Roux").await;
        // An odd-cent rate, changed by an amendment from Monday 16 March.
        let data = mission(
            &db,
            &p,
            "Data Engineer",
            p.clientis,
            camille,
            date!(2026 - 01 - 01),
            date!(2026 - 12 - 31),
            "600,01",
        )
        .await;
        let mut tx = db.begin().await.unwrap();
        store::missions::add_amendment(
            &mut tx,
            &actor(),
            Scope::All,
            data,
            &Amendment {
                effective_from: date!(2026 - 03 - 16),
                new_tjm: Some(Tjm::parse("650,03").unwrap()),
                new_end: None,
            },
            Some("révision annuelle"),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let java = mission(
            &db,
            &p,
            "Développeur Java",
            p.horizon,
            lucas,
            date!(2026 - 02 - 01),
            date!(2026 - 12 - 31),
            "550",
        )
        .await;
        mission(
            &db,
            &p,
            "Architecte",
            p.clientis,
            nina,
            date!(2026 - 01 - 01),
            date!(2026 - 12 - 31),
            "800",
        )
        .await;
        // Paul changes missions mid-month: an audit at Clientis until
        // Friday 13, then acceptance testing at Banque Horizon from Monday
        // 16, at 500,50 € then 520 € from Monday 23.
        let paul = consultant(&db, "paul", "Paul Simon").await;
        let audit = mission(
            &db,
            &p,
            "Audit",
            p.clientis,
            paul,
            date!(2026 - 01 - 01),
            date!(2026 - 03 - 13),
            "700",
        )
        .await;
        let testing = mission(
            &db,
            &p,
            "Recette",
            p.horizon,
            paul,
            date!(2026 - 03 - 16),
            date!(2026 - 12 - 31),
            "500,50",
        )
        .await;
        let mut tx = db.begin().await.unwrap();
        store::missions::add_amendment(
            &mut tx,
            &actor(),
            Scope::All,
            testing,
            &Amendment {
                effective_from: date!(2026 - 03 - 23),
                new_tjm: Some(Tjm::parse("520").unwrap()),
                new_end: None,
            },
            None,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let march = ym(2026, Month::March);
        // Half a day of training on Wednesday 4 March: 19 half days before
        // the amendment, 24 from it (March 2026 has 22 working days).
        let training = Cell {
            activity: Activity::Training,
            day: date!(2026 - 03 - 04),
            half_days: 1,
        };
        let c = filled(&db, camille, march, &[training]).await;
        let l = filled(&db, lucas, march, &[]).await;
        let n = filled(&db, nina, march, &[]).await;
        let pa = filled(&db, paul, march, &[]).await;
        for id in [c, l, n, pa] {
            sign(&db, id).await;
        }
        for id in [c, l, pa] {
            client_validates(&db, id).await;
            manager_validates(&db, id, datetime!(2026-04-03 10:00 UTC)).await;
        }
        let mut tx = db.begin().await.unwrap();
        // Lucas's mission is brought forward to Friday 27 once his report
        // is validated.
        let before = store::missions::get(&mut tx, Scope::All, java)
            .await
            .unwrap();
        let mut shortened = before.data.clone();
        shortened.end_date = date!(2026 - 03 - 27);
        store::missions::update(
            &mut tx,
            &actor(),
            Scope::All,
            java,
            &shortened,
            &before.validators,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        // Nina's report waits for her client: nothing to bill yet.
        assert_eq!(status(&db, n).await, CraStatus::Signed);

        let mut tx = db.read().await.unwrap();
        let lines = cra_reports::billable(&mut tx, march, march, cra_reports::Billing::Any)
            .await
            .unwrap();
        let before = cra_reports::billable(
            &mut tx,
            ym(2026, Month::January),
            ym(2026, Month::February),
            cra_reports::Billing::Any,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        assert!(before.is_empty());
        let shown: Vec<Shown> = lines
            .iter()
            .map(|b| {
                (
                    b.mission_title.as_str(),
                    b.from,
                    b.to,
                    b.days.half_days(),
                    b.tjm.map(|t| t.amount()),
                    b.amount,
                )
            })
            .collect();
        assert_eq!(
            shown,
            [
                // Banque Horizon sorts before Clientis Group.
                (
                    "Développeur Java",
                    date!(2026 - 03 - 01),
                    date!(2026 - 03 - 27),
                    40,
                    Some(Money::from_euros(550)),
                    Money::from_euros(11_000)
                ),
                // Validated days now outside the mission: shown, not priced.
                (
                    "Développeur Java",
                    date!(2026 - 03 - 30),
                    date!(2026 - 03 - 31),
                    4,
                    None,
                    Money::ZERO
                ),
                // 10 × 500,50 / 2 = 2 502,50.
                (
                    "Recette",
                    date!(2026 - 03 - 16),
                    date!(2026 - 03 - 22),
                    10,
                    Some(Money::from_cents(50_050)),
                    Money::from_cents(250_250)
                ),
                (
                    "Recette",
                    date!(2026 - 03 - 23),
                    date!(2026 - 03 - 31),
                    14,
                    Some(Money::from_euros(520)),
                    Money::from_euros(3_640)
                ),
                // The same report's single-rate mission, counted once
                // although the report is also read day by day.
                (
                    "Audit",
                    date!(2026 - 03 - 01),
                    date!(2026 - 03 - 13),
                    20,
                    Some(Money::from_euros(700)),
                    Money::from_euros(7_000)
                ),
                // 19 × 600,01 / 2 = 5 700,095 → 5 700,10 (half up).
                (
                    "Data Engineer",
                    date!(2026 - 03 - 01),
                    date!(2026 - 03 - 15),
                    19,
                    Some(Money::from_cents(60_001)),
                    Money::from_cents(570_010)
                ),
                // 24 × 650,03 / 2 = 7 800,36.
                (
                    "Data Engineer",
                    date!(2026 - 03 - 16),
                    date!(2026 - 03 - 31),
                    24,
                    Some(Money::from_cents(65_003)),
                    Money::from_cents(780_036)
                ),
            ]
        );
        let first = &lines[5];
        assert_eq!(first.client_name, "Clientis Group");
        assert_eq!(first.consultant_name, "Camille Martin");
        assert_eq!(first.cra_id, c);
        assert!(!first.analytic_code.is_empty());
        assert_eq!(lines[0].mission_id, java);
        assert_eq!(lines[0].cra_id, l);

        assert_eq!(lines[2].cra_id, pa);
        assert_eq!(lines[4].mission_id, audit);

        let totals = cra_reports::totals(&lines);
        assert_eq!(totals.missions.len(), 4);
        assert_eq!(totals.missions[3].mission_id, data);
        assert_eq!(totals.missions[3].days, DayQuantity::from_half_days(43));
        assert_eq!(totals.missions[3].amount, Money::from_cents(1_350_046));
        assert!(!totals.missions[3].unpriced);
        assert_eq!(totals.missions[2].days, DayQuantity::from_half_days(20));
        assert!(!totals.missions[2].unpriced);
        assert_eq!(totals.missions[0].days, DayQuantity::from_half_days(44));
        assert_eq!(totals.missions[0].amount, Money::from_euros(11_000));
        assert!(totals.missions[0].unpriced);
        assert_eq!(totals.days, DayQuantity::from_half_days(131));
        assert_eq!(totals.amount, Money::from_cents(3_764_296));
    })
    .await;
}

struct Late {
    camille: UserId,
    lucas: UserId,
    nina: UserId,
    hugo: UserId,
    lucas_march: CraId,
    hugo_march: CraId,
}

/// March–April 2026:
/// - Camille: March validated on the deadline day (8 April), April validated
///   the day after its deadline (11 May → 12 May), May nothing yet;
/// - Lucas (Banque Horizon): March signed, waiting for the client; April
///   validated by the client, waiting for the manager;
/// - Nina (April only): no report;
/// - Hugo (March–April): March a draft, April nothing;
/// - Inès: a mission but her account is deactivated: nobody expects her.
async fn late_fixture(db: &Db) -> Late {
    let p = people(db).await;
    let camille = consultant(db, "camille", "Camille Martin").await;
    let lucas = consultant(db, "lucas", "Lucas Petit").await;
    let nina = consultant(db, "nina", "Nina Roux").await;
    let hugo = consultant(db, "hugo.c", "Hugo Carpentier").await;
    let ines = consultant(db, "ines", "Inès Moreau").await;
    let (mar, apr) = (ym(2026, Month::March), ym(2026, Month::April));
    let all_year = (date!(2026 - 03 - 01), date!(2026 - 12 - 31));
    mission(
        db, &p, "Data", p.clientis, camille, all_year.0, all_year.1, "600",
    )
    .await;
    mission(
        db, &p, "Java", p.horizon, lucas, all_year.0, all_year.1, "550",
    )
    .await;
    mission(
        db,
        &p,
        "Archi",
        p.clientis,
        nina,
        date!(2026 - 04 - 01),
        date!(2026 - 04 - 30),
        "800",
    )
    .await;
    mission(
        db,
        &p,
        "Support",
        p.clientis,
        hugo,
        all_year.0,
        date!(2026 - 04 - 30),
        "500",
    )
    .await;
    mission(
        db, &p, "Test", p.clientis, ines, all_year.0, all_year.1, "500",
    )
    .await;
    store::on_pool!(db, |c| sqlx::query(
        "UPDATE users SET active = FALSE WHERE id = $1"
    )
    .bind(ines.to_string())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .unwrap();

    for (month, at) in [
        (mar, datetime!(2026-04-08 16:00 UTC)),
        (apr, datetime!(2026-05-12 09:00 UTC)),
    ] {
        let id = filled(db, camille, month, &[]).await;
        sign(db, id).await;
        client_validates(db, id).await;
        manager_validates(db, id, at).await;
    }
    let lucas_march = filled(db, lucas, mar, &[]).await;
    sign(db, lucas_march).await;
    let lucas_april = filled(db, lucas, apr, &[]).await;
    sign(db, lucas_april).await;
    client_validates(db, lucas_april).await;
    let hugo_march = filled(db, hugo, mar, &[]).await;
    Late {
        camille,
        lucas,
        nina,
        hugo,
        lucas_march,
        hugo_march,
    }
}

fn summary(list: &[LateCra]) -> Vec<(Stuck, YearMonth, String, Option<CraStatus>, bool, i64)> {
    list.iter()
        .map(|c| {
            (
                c.stuck,
                c.month,
                c.consultant_name.clone(),
                c.status,
                c.overdue,
                c.days_late,
            )
        })
        .collect()
}

#[tokio::test]
async fn late_reports_and_on_time_rates_on_made_up_dates() {
    on_each_backend(|db| async move {
        let f = late_fixture(&db).await;
        let (mar, apr, may) = (
            ym(2026, Month::March),
            ym(2026, Month::April),
            ym(2026, Month::May),
        );
        let mut tx = db.read().await.unwrap();
        // 20 May: March (deadline 8 April) and April (deadline 11 May: 1
        // and 8 May are holidays) are overdue; May is still running.
        let late = cra_reports::late(&mut tx, date!(2026 - 05 - 20))
            .await
            .unwrap();
        assert_eq!(
            summary(&late),
            [
                (
                    Stuck::Consultant,
                    mar,
                    "Hugo Carpentier".into(),
                    Some(CraStatus::Draft),
                    true,
                    42
                ),
                (
                    Stuck::Consultant,
                    apr,
                    "Hugo Carpentier".into(),
                    None,
                    true,
                    9
                ),
                (Stuck::Consultant, apr, "Nina Roux".into(), None, true, 9),
                (
                    Stuck::Client,
                    mar,
                    "Lucas Petit".into(),
                    Some(CraStatus::Signed),
                    true,
                    42
                ),
                (
                    Stuck::Manager,
                    apr,
                    "Lucas Petit".into(),
                    Some(CraStatus::ClientValidated),
                    true,
                    9
                ),
            ]
        );
        assert_eq!(late[0].cra_id, Some(f.hugo_march));
        assert_eq!(late[0].consultant_id, f.hugo);
        assert_eq!(late[1].cra_id, None);
        assert_eq!(late[2].consultant_id, f.nina);
        assert_eq!(late[3].cra_id, Some(f.lucas_march));
        assert_eq!(late[3].pending_clients, ["Banque Horizon"]);
        assert_eq!(late[4].deadline, date!(2026 - 05 - 11));

        // On the deadline day April is not overdue yet: only its unsigned
        // reports show (its last working day is past).
        let on_deadline = cra_reports::late(&mut tx, date!(2026 - 05 - 11))
            .await
            .unwrap();
        let april: Vec<_> = summary(&on_deadline)
            .into_iter()
            .filter(|l| l.1 == apr)
            .collect();
        assert_eq!(
            april,
            [
                (
                    Stuck::Consultant,
                    apr,
                    "Hugo Carpentier".into(),
                    None,
                    false,
                    11
                ),
                (Stuck::Consultant, apr, "Nina Roux".into(), None, false, 11),
            ]
        );

        // Saturday 30 May, after May's last working day (Friday 29): May's
        // unsigned reports are listed, not yet overdue.
        let month_end = cra_reports::late(&mut tx, date!(2026 - 05 - 30))
            .await
            .unwrap();
        let in_may: Vec<_> = summary(&month_end)
            .into_iter()
            .filter(|l| l.1 == may)
            .collect();
        assert_eq!(
            in_may,
            [
                (
                    Stuck::Consultant,
                    may,
                    "Camille Martin".into(),
                    None,
                    false,
                    1
                ),
                (Stuck::Consultant, may, "Lucas Petit".into(), None, false, 1),
            ]
        );

        let rates = cra_reports::on_time_rates(&mut tx, &[mar, apr, may], date!(2026 - 05 - 20))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let shown: Vec<_> = rates
            .iter()
            .map(|r| {
                (
                    r.month,
                    r.expected,
                    r.on_time,
                    r.late,
                    r.not_validated,
                    r.per_mille,
                    r.closed,
                )
            })
            .collect();
        assert_eq!(
            shown,
            [
                // Camille on time (on the deadline day); Lucas, Hugo not validated.
                (mar, 3, 1, 0, 2, Some(333), true),
                // Camille one day late; Lucas, Nina, Hugo not validated.
                (apr, 4, 0, 1, 3, Some(0), true),
                (may, 2, 0, 0, 2, Some(0), false),
            ]
        );
        assert_eq!(rates[0].deadline, date!(2026 - 04 - 08));
        let _ = (f.camille, f.lucas);
    })
    .await;
}

async fn outbox(db: &Db) -> Vec<(String, String, String)> {
    store::on_pool!(db, |c| sqlx::query_as(
        "SELECT to_address, subject, body_text FROM outbox_emails ORDER BY to_address, subject"
    )
    .fetch_all(c)
    .await)
    .unwrap()
}

async fn remind(db: &Db, today: Date) -> cra_reports::ReminderCounts {
    let mut tx = db.begin().await.unwrap();
    let sent = cra_reports::run_reminders(&mut tx, "https://app.example/", today)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    sent
}

#[tokio::test]
async fn reminders_go_out_once_per_day_however_many_instances_run() {
    on_each_backend(|db| async move {
        let p = people(&db).await;
        let camille = consultant(&db, "camille", "Camille Martin").await;
        let lucas = consultant(&db, "lucas", "Lucas Petit").await;
        let nina = consultant(&db, "nina", "Nina Roux").await;
        let paul = consultant(&db, "paul", "Paul Simon").await;
        let year = (date!(2026 - 06 - 01), date!(2027 - 06 - 30));
        mission(&db, &p, "Data", p.clientis, camille, year.0, year.1, "600").await;
        mission(&db, &p, "Java", p.horizon, lucas, year.0, year.1, "550").await;
        mission(&db, &p, "Archi", p.clientis, nina, year.0, year.1, "800").await;
        // Paul's mission ended in October: nothing is expected of him.
        mission(
            &db,
            &p,
            "Audit",
            p.clientis,
            paul,
            year.0,
            date!(2026 - 10 - 31),
            "700",
        )
        .await;
        let nov = ym(2026, Month::November);
        // Camille: nothing; Lucas: a draft; Nina: signed, Clientis to validate.
        let lucas_nov = filled(&db, lucas, nov, &[]).await;
        let nina_nov = filled(&db, nina, nov, &[]).await;
        sign(&db, nina_nov).await;

        // Thursday 26 November, two working days before month end.
        let (a, b) = tokio::join!(
            remind(&db, date!(2026 - 11 - 26)),
            remind(&db, date!(2026 - 11 - 26))
        );
        assert_eq!(a.consultants + b.consultants, 2, "{a:?} {b:?}");
        assert_eq!(remind(&db, date!(2026 - 11 - 26)).await.consultants, 0);
        let mails = outbox(&db).await;
        let before_end: Vec<_> = mails
            .iter()
            .filter(|m| m.1 == "CRA de novembre 2026 : à remplir et signer")
            .collect();
        assert_eq!(before_end.len(), 2);
        assert_eq!(before_end[0].0, "camille@stafforia.example");
        assert!(
            before_end[0].2.contains("07/12/2026"),
            "{}",
            before_end[0].2
        );
        assert!(before_end[0].2.contains("https://app.example/cras"));
        assert_eq!(before_end[1].0, "lucas@stafforia.example");
        assert!(
            before_end[1]
                .2
                .contains(&format!("https://app.example/cras/{lucas_nov}"))
        );
        // Friday 27 is no reminder day.
        assert_eq!(remind(&db, date!(2026 - 11 - 27)).await, Default::default());
        // Tuesday 1 December, first working day after: still not signed.
        assert_eq!(remind(&db, date!(2026 - 12 - 01)).await.consultants, 2);
        let late: Vec<_> = outbox(&db)
            .await
            .into_iter()
            .filter(|m| m.1 == "CRA de novembre 2026 en retard")
            .collect();
        assert_eq!(late.len(), 2);
        assert!(late[0].2.contains("pas encore créé"), "{}", late[0].2);
        assert!(late[1].2.contains("pas encore signé"), "{}", late[1].2);

        // Friday 4 December, the day before the deadline (Monday 7): both
        // managers hear of the three reports, once.
        let (a, b) = tokio::join!(
            remind(&db, date!(2026 - 12 - 04)),
            remind(&db, date!(2026 - 12 - 04))
        );
        assert_eq!(a.escalated + b.escalated, 3, "{a:?} {b:?}");
        assert_eq!(a.managers + b.managers, 2);
        assert_eq!(a.consultants + b.consultants, 0);
        assert_eq!(remind(&db, date!(2026 - 12 - 04)).await, Default::default());
        let escalations: Vec<_> = outbox(&db)
            .await
            .into_iter()
            .filter(|m| m.1 == "CRA de novembre 2026 : 3 comptes rendus non validés")
            .collect();
        assert_eq!(escalations.len(), 2);
        assert_eq!(escalations[0].0, "hugo@stafforia.example");
        assert_eq!(escalations[1].0, "lea@stafforia.example");
        let body = &escalations[0].2;
        assert!(body.contains("Camille Martin : pas encore créé"), "{body}");
        assert!(body.contains("Lucas Petit : pas encore signé"), "{body}");
        assert!(
            body.contains("Nina Roux : signé, en attente de validation client : Clientis Group"),
            "{body}"
        );
        assert!(body.contains("07/12/2026") && body.contains("https://app.example/cras/late"));
        assert!(!body.contains("Paul"));
        // One row per reminder: 2 + 2 consultant reminders, 3 escalations.
        assert_eq!(crate::support::count(&db, "cra_reminders").await, 7);
    })
    .await;
}

/// Nobody is expected to have filed before the firm's first report: the
/// months before Régisseur was in use are not "late".
#[tokio::test]
async fn months_before_the_first_report_are_not_expected() {
    on_each_backend(|db| async move {
        let p = people(&db).await;
        let zoe = consultant(&db, "zoe", "Zoé Lambert").await;
        mission(
            &db,
            &p,
            "Ancienne",
            p.clientis,
            zoe,
            date!(2025 - 06 - 01),
            date!(2026 - 12 - 31),
            "600",
        )
        .await;
        // No report at all: only the month being read is expected.
        let mut tx = db.read().await.unwrap();
        let late = cra_reports::late(&mut tx, date!(2026 - 05 - 20))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert!(late.is_empty(), "{:?}", summary(&late));
        // The first report is April's: April is late, not the months before.
        filled(&db, zoe, ym(2026, Month::April), &[]).await;
        let mut tx = db.read().await.unwrap();
        let late = cra_reports::late(&mut tx, date!(2026 - 05 - 20))
            .await
            .unwrap();
        let rates = cra_reports::on_time_rates(
            &mut tx,
            &[ym(2026, Month::March), ym(2026, Month::April)],
            date!(2026 - 05 - 20),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let months: Vec<YearMonth> = late.iter().map(|l| l.month).collect();
        assert_eq!(months, [ym(2026, Month::April)]);
        assert_eq!(rates[0].expected, 0);
        assert_eq!(rates[1].expected, 1);
    })
    .await;
}
