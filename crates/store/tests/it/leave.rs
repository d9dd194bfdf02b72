//! Leave: requests checked against the period, the working days, the other
//! requests and the signed reports; approval written into draft reports;
//! balances split at today; allowances and firm-specific types.

use domain::calendar::YearMonth;
use domain::cra::{Activity, Cell, Half, Slot, WorkPattern};
use domain::ids::{CraId, UserId};
use domain::leave::{LeavePeriod, LeaveStatus, LeaveTypeCode};
use domain::mission::DayQuantity;
use domain::role::Role;
use fixtures::testing::on_each_backend;
use store::leave::{Decision, LeaveRequest, LeaveType, NewLeave};
use store::{Actor, Db, Scope};
use time::macros::date;
use time::{Date, Month};

use crate::support::{actor, count, create_company, create_user};

struct People {
    camille: UserId,
    hugo: Actor,
}

async fn people(db: &Db) -> People {
    let camille = create_user(
        db,
        "camille@stafforia.example",
        "Camille Martin",
        Role::Consultant,
        None,
    )
    .await;
    let hugo = create_user(
        db,
        "hugo@stafforia.example",
        "Hugo Bernard",
        Role::BusinessManager,
        None,
    )
    .await;
    People {
        camille: camille.id,
        hugo: Actor {
            user_id: Some(hugo.id),
            label: hugo.display_name,
            ip: None,
        },
    }
}

fn period(start: Date, start_half: Half, end: Date, end_half: Half) -> LeavePeriod {
    LeavePeriod {
        start,
        start_half,
        end,
        end_half,
    }
}

fn days(start: Date, end: Date) -> LeavePeriod {
    period(start, Half::Am, end, Half::Pm)
}

async fn ask(db: &Db, user: UserId, kind: &str, p: LeavePeriod) -> store::Result<LeaveRequest> {
    let mut tx = db.begin().await.unwrap();
    let n = NewLeave {
        leave_type: kind.into(),
        period: p,
        comment: Some("  ".into()),
    };
    let r = store::leave::request(&mut tx, &Actor::system("tests"), user, &n).await;
    if r.is_ok() {
        tx.commit().await.unwrap();
    }
    r
}

async fn decide(
    db: &Db,
    who: &Actor,
    scope: Scope,
    r: &LeaveRequest,
    d: Decision,
) -> store::Result<LeaveRequest> {
    let mut tx = db.begin().await.unwrap();
    let out = store::leave::decide(&mut tx, who, scope, r.id, &d).await;
    if out.is_ok() {
        tx.commit().await.unwrap();
    }
    out
}

/// The refusal's (field, key) pairs.
fn refusal<T: std::fmt::Debug>(r: store::Result<T>) -> Vec<(&'static str, &'static str)> {
    match r {
        Err(store::Error::Invalid(e)) => e.0.iter().map(|f| (f.field, f.key)).collect(),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

const MARCH: YearMonth = YearMonth::new(2027, Month::March);

async fn open_report(db: &Db, user: UserId, month: YearMonth) -> CraId {
    let mut tx = db.begin().await.unwrap();
    let id = store::cras::open(&mut tx, &actor(), user, month)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    id
}

/// Bench on every free half of the month's working days (a consultant
/// without a mission fills his report so).
async fn fill_with_bench(db: &Db, user: UserId, id: CraId) {
    let mut tx = db.begin().await.unwrap();
    let sheet = store::cras::get(&mut tx, Scope::Own(user), id)
        .await
        .unwrap();
    let cells: Vec<Cell> = sheet
        .pattern
        .working_days(sheet.cra.month)
        .into_iter()
        .map(|day| Cell {
            activity: Activity::Bench,
            day,
            half_days: 2 - sheet.slots.iter().filter(|s| s.day == day).count() as u8,
        })
        .collect();
    let entry = store::cras::Entry {
        cells,
        comment: None,
        extras: Vec::new(),
    };
    store::cras::save(&mut tx, &actor(), Scope::Own(user), id, &entry)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

async fn sign(db: &Db, user: UserId, id: CraId) {
    let mut tx = db.begin().await.unwrap();
    store::cras::sign(
        &mut tx,
        &actor(),
        Scope::Own(user),
        id,
        &store::esign::Origin::system(),
        "http://localhost",
        &app::Render,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

async fn slots(db: &Db, id: CraId) -> Vec<Slot> {
    let mut tx = db.read().await.unwrap();
    let s = store::cras::slots(&mut tx, id).await.unwrap();
    tx.commit().await.unwrap();
    s
}

fn at(slots: &[Slot], day: Date, half: Half) -> Option<Activity> {
    slots
        .iter()
        .find(|s| s.day == day && s.half == half)
        .map(|s| s.activity.clone())
}

fn leave(code: &str) -> Option<Activity> {
    Some(Activity::Leave(LeaveTypeCode::parse(code).unwrap()))
}

#[tokio::test]
async fn requests_are_checked_before_anything_is_written() {
    on_each_backend(|db| async move {
        let p = people(&db).await;
        let monday = date!(2027 - 03 - 08);
        // The period itself.
        assert_eq!(
            refusal(ask(&db, p.camille, "cp", days(monday, date!(2027 - 03 - 05))).await),
            [("end", "leave-end-before-start")]
        );
        assert_eq!(
            refusal(
                ask(
                    &db,
                    p.camille,
                    "cp",
                    period(monday, Half::Pm, monday, Half::Am)
                )
                .await
            ),
            [("end_half", "leave-empty-half")]
        );
        assert_eq!(
            refusal(ask(&db, p.camille, "cp", days(monday, date!(2028 - 03 - 20))).await),
            [("end", "leave-too-long")]
        );
        assert_eq!(
            refusal(ask(&db, p.camille, "nope", days(monday, monday)).await),
            [("leave_type", "leave-type-unknown")]
        );
        // A weekend, and Easter Monday alone, hold no working day.
        assert_eq!(
            refusal(
                ask(
                    &db,
                    p.camille,
                    "cp",
                    days(date!(2027 - 03 - 06), date!(2027 - 03 - 07))
                )
                .await
            ),
            [("start", "leave-no-working-day")]
        );
        assert_eq!(
            refusal(
                ask(
                    &db,
                    p.camille,
                    "rtt",
                    days(date!(2027 - 03 - 29), date!(2027 - 03 - 29))
                )
                .await
            ),
            [("start", "leave-no-working-day")]
        );
        assert_eq!(count(&db, "leave_requests").await, 0);

        // Monday morning to Wednesday noon: two and a half days.
        let first = ask(
            &db,
            p.camille,
            "cp",
            period(monday, Half::Am, date!(2027 - 03 - 10), Half::Am),
        )
        .await
        .unwrap();
        assert_eq!(first.status, LeaveStatus::Requested);
        assert_eq!(first.days, DayQuantity::from_half_days(5));
        assert_eq!(first.user_name, "Camille Martin");
        assert_eq!(first.comment, None, "a blank comment is no comment");
        // Wednesday morning is taken; Wednesday afternoon is free.
        assert_eq!(
            refusal(
                ask(
                    &db,
                    p.camille,
                    "rtt",
                    period(
                        date!(2027 - 03 - 10),
                        Half::Am,
                        date!(2027 - 03 - 12),
                        Half::Pm
                    )
                )
                .await
            ),
            [("start", "leave-overlaps-other")]
        );
        let afternoon = ask(
            &db,
            p.camille,
            "rtt",
            period(
                date!(2027 - 03 - 10),
                Half::Pm,
                date!(2027 - 03 - 10),
                Half::Pm,
            ),
        )
        .await
        .unwrap();
        assert_eq!(afternoon.days, DayQuantity::from_half_days(1));
        // A refused request frees its days again.
        decide(
            &db,
            &p.hugo,
            Scope::All,
            &afternoon,
            Decision::Refuse {
                note: "Mise en production ce jour-là".into(),
            },
        )
        .await
        .unwrap();
        ask(
            &db,
            p.camille,
            "cp",
            period(
                date!(2027 - 03 - 10),
                Half::Pm,
                date!(2027 - 03 - 10),
                Half::Pm,
            ),
        )
        .await
        .unwrap();
        // A week over Easter Monday costs four days; at 80 % (Wednesdays
        // off) a full week costs four too.
        let easter = ask(
            &db,
            p.camille,
            "cp",
            days(date!(2027 - 03 - 29), date!(2027 - 04 - 02)),
        )
        .await
        .unwrap();
        assert_eq!(easter.days, DayQuantity::from_days(4));
        let mut tx = db.begin().await.unwrap();
        let pattern = WorkPattern {
            weekdays: WorkPattern::parse_weekdays("1245").unwrap(),
            ..WorkPattern::default()
        };
        store::cras::set_work_pattern(&mut tx, &actor(), p.camille, pattern)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let week = ask(
            &db,
            p.camille,
            "cp",
            days(date!(2027 - 05 - 24), date!(2027 - 05 - 28)),
        )
        .await
        .unwrap();
        assert_eq!(week.days, DayQuantity::from_days(4));
        assert_eq!(
            refusal(
                ask(
                    &db,
                    p.camille,
                    "cp",
                    days(date!(2027 - 06 - 02), date!(2027 - 06 - 02))
                )
                .await
            ),
            [("start", "leave-no-working-day")],
            "a Wednesday off at 80 %"
        );
        assert_eq!(count(&db, "leave_requests").await, 5);
    })
    .await;
}

#[tokio::test]
async fn approval_fills_draft_reports_and_cancelling_empties_them() {
    on_each_backend(|db| async move {
        let p = people(&db).await;
        let report = open_report(&db, p.camille, MARCH).await;
        fill_with_bench(&db, p.camille, report).await;
        let (mon, tue) = (date!(2027 - 03 - 15), date!(2027 - 03 - 16));
        let r = ask(&db, p.camille, "cp", period(mon, Half::Am, tue, Half::Am))
            .await
            .unwrap();
        // Asking changes nothing in the report.
        assert_eq!(
            at(&slots(&db, report).await, mon, Half::Am),
            Some(Activity::Bench)
        );
        let approved = decide(&db, &p.hugo, Scope::All, &r, Decision::Approve)
            .await
            .unwrap();
        assert_eq!(approved.status, LeaveStatus::Approved);
        assert_eq!(approved.decided_by.as_deref(), Some("Hugo Bernard"));
        let s = slots(&db, report).await;
        assert_eq!(at(&s, mon, Half::Am), leave("cp"), "bench gives way");
        assert_eq!(at(&s, mon, Half::Pm), leave("cp"));
        assert_eq!(at(&s, tue, Half::Am), leave("cp"));
        assert_eq!(at(&s, tue, Half::Pm), Some(Activity::Bench));
        assert_eq!(s.iter().filter(|x| x.activity.is_leave()).count(), 3);
        // Deciding twice is refused.
        assert_eq!(
            refusal(decide(&db, &p.hugo, Scope::All, &r, Decision::Approve).await),
            [("status", "leave-already-decided")]
        );
        // The consultant cancels: the leave leaves the report.
        let cancelled = decide(&db, &actor(), Scope::Own(p.camille), &r, Decision::Cancel)
            .await
            .unwrap();
        assert_eq!(cancelled.status, LeaveStatus::Cancelled);
        let s = slots(&db, report).await;
        assert!(s.iter().all(|x| !x.activity.is_leave()), "{s:?}");
        assert_eq!(at(&s, mon, Half::Am), None);
        assert_eq!(at(&s, tue, Half::Pm), Some(Activity::Bench));
        assert_eq!(
            refusal(decide(&db, &actor(), Scope::Own(p.camille), &r, Decision::Cancel).await),
            [("status", "leave-already-decided")]
        );

        // Leave approved before the report exists is there when it opens.
        let april = ask(
            &db,
            p.camille,
            "rtt",
            period(
                date!(2027 - 04 - 09),
                Half::Pm,
                date!(2027 - 04 - 12),
                Half::Am,
            ),
        )
        .await
        .unwrap();
        decide(&db, &p.hugo, Scope::All, &april, Decision::Approve)
            .await
            .unwrap();
        let report = open_report(&db, p.camille, YearMonth::new(2027, Month::April)).await;
        let s = slots(&db, report).await;
        assert_eq!(
            s.iter()
                .map(|x| (x.day, x.half, x.activity.clone()))
                .collect::<Vec<_>>(),
            [
                (date!(2027 - 04 - 09), Half::Pm, leave("rtt").unwrap()),
                (date!(2027 - 04 - 12), Half::Am, leave("rtt").unwrap()),
            ]
        );
    })
    .await;
}

#[tokio::test]
async fn a_signed_report_refuses_leave_in_its_month() {
    on_each_backend(|db| async move {
        let p = people(&db).await;
        let report = open_report(&db, p.camille, MARCH).await;
        // Approved while the report is a draft, then the month is signed.
        let approved = ask(
            &db,
            p.camille,
            "cp",
            days(date!(2027 - 03 - 01), date!(2027 - 03 - 02)),
        )
        .await
        .unwrap();
        decide(&db, &p.hugo, Scope::All, &approved, Decision::Approve)
            .await
            .unwrap();
        let waiting = ask(
            &db,
            p.camille,
            "cp",
            days(date!(2027 - 03 - 22), date!(2027 - 03 - 23)),
        )
        .await
        .unwrap();
        fill_with_bench(&db, p.camille, report).await;
        sign(&db, p.camille, report).await;
        let before = slots(&db, report).await;

        let month = |r: store::Result<LeaveRequest>| match r {
            Err(store::Error::Invalid(e)) => {
                assert_eq!(e.0[0].key, "leave-overlaps-signed-cra");
                e.0[0].args.clone()
            }
            other => panic!("expected a refusal, got {other:?}"),
        };
        let args = month(decide(&db, &p.hugo, Scope::All, &waiting, Decision::Approve).await);
        assert_eq!(
            args,
            domain::args![(
                "month",
                domain::calendar::YearMonth::new(2027, time::Month::March)
            )],
        );
        month(
            decide(
                &db,
                &actor(),
                Scope::Own(p.camille),
                &approved,
                Decision::Cancel,
            )
            .await,
        );
        month(
            ask(
                &db,
                p.camille,
                "rtt",
                days(date!(2027 - 03 - 31), date!(2027 - 04 - 01)),
            )
            .await,
        );
        // Nothing moved: statuses, report and requests.
        let mut tx = db.read().await.unwrap();
        let w = store::leave::get(&mut tx, Scope::All, waiting.id)
            .await
            .unwrap();
        let a = store::leave::get(&mut tx, Scope::All, approved.id)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(w.status, LeaveStatus::Requested);
        assert_eq!(a.status, LeaveStatus::Approved);
        assert_eq!(slots(&db, report).await, before);
        assert_eq!(count(&db, "leave_requests").await, 2);
        // Refusing and cancelling a request that never reached the report
        // are still possible.
        decide(
            &db,
            &p.hugo,
            Scope::All,
            &waiting,
            Decision::Refuse {
                note: "Mois clos".into(),
            },
        )
        .await
        .unwrap();
    })
    .await;
}

#[tokio::test]
async fn decisions_are_scoped_and_need_a_second_person() {
    on_each_backend(|db| async move {
        let p = people(&db).await;
        let lucas = create_user(
            &db,
            "lucas@stafforia.example",
            "Lucas Petit",
            Role::Consultant,
            None,
        )
        .await;
        let r = ask(
            &db,
            p.camille,
            "cp",
            days(date!(2027 - 06 - 07), date!(2027 - 06 - 07)),
        )
        .await
        .unwrap();
        // Another consultant sees nothing of it and cannot cancel it.
        let mut tx = db.read().await.unwrap();
        assert!(matches!(
            store::leave::get(&mut tx, Scope::Own(lucas.id), r.id).await,
            Err(store::Error::NotFound)
        ));
        let company = create_company(&db, "Clientis Group", "client").await;
        assert!(matches!(
            store::leave::get(&mut tx, Scope::Company(company.id), r.id).await,
            Err(store::Error::NotFound)
        ));
        let f = store::leave::Filter::default();
        assert!(
            store::leave::list(&mut tx, Scope::Own(lucas.id), &f)
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            store::leave::list(&mut tx, Scope::All, &f)
                .await
                .unwrap()
                .len(),
            1
        );
        tx.commit().await.unwrap();
        assert!(matches!(
            decide(&db, &actor(), Scope::Own(lucas.id), &r, Decision::Cancel).await,
            Err(store::Error::NotFound)
        ));
        // A refusal needs its reason.
        assert_eq!(
            refusal(
                decide(
                    &db,
                    &p.hugo,
                    Scope::All,
                    &r,
                    Decision::Refuse { note: " ".into() }
                )
                .await
            ),
            [("note", "leave-refusal-reason-required")]
        );
        // A manager's own request is decided by someone else.
        let hugo = p.hugo.user_id.unwrap();
        let own = ask(
            &db,
            hugo,
            "cp",
            days(date!(2027 - 06 - 07), date!(2027 - 06 - 08)),
        )
        .await
        .unwrap();
        assert_eq!(
            refusal(decide(&db, &p.hugo, Scope::All, &own, Decision::Approve).await),
            [("status", "leave-own-decision")]
        );
        decide(&db, &p.hugo, Scope::Own(hugo), &own, Decision::Cancel)
            .await
            .unwrap();
        decide(&db, &p.hugo, Scope::All, &r, Decision::Approve)
            .await
            .unwrap();
        // The consultant is told by e-mail.
        let subjects: Vec<String> = store::on_pool!(&db, |c| sqlx::query_scalar(
            "SELECT subject FROM outbox_emails ORDER BY subject"
        )
        .fetch_all(c)
        .await)
        .unwrap();
        assert_eq!(subjects, ["Votre demande de congé est approuvée"]);
    })
    .await;
}

#[tokio::test]
async fn balances_split_at_today_and_allowances_are_upserted() {
    on_each_backend(|db| async move {
        let p = people(&db).await;
        let set = async |user: UserId, kind: &str, year: i32, d: &str| {
            let mut tx = db.begin().await.unwrap();
            let r = store::leave::set_allowance(
                &mut tx,
                &actor(),
                user,
                kind,
                year,
                DayQuantity::parse(d).unwrap(),
            )
            .await;
            tx.commit().await.unwrap();
            r
        };
        set(p.camille, "cp", 2027, "25").await.unwrap();
        set(p.camille, "rtt", 2027, "2,5").await.unwrap();
        // Upsert: the second value replaces the first.
        set(p.camille, "cp", 2027, "27").await.unwrap();
        set(p.camille, "cp", 2028, "25").await.unwrap();
        assert_eq!(count(&db, "leave_allowances").await, 3);
        // Refusals.
        assert_eq!(
            refusal(set(p.camille, "maladie", 2027, "5").await),
            [("leave_type", "leave-type-unknown")]
        );
        assert_eq!(
            refusal(set(p.camille, "cp", 1999, "5").await),
            [("year", "leave-year-invalid")]
        );
        assert_eq!(
            refusal(set(p.camille, "cp", 2027, "400").await),
            [("days", "leave-allowance-too-large")]
        );
        let company = create_company(&db, "Clientis Group", "client").await;
        let contact = create_user(
            &db,
            "achat@clientis.example",
            "Service achats",
            Role::ClientContact,
            Some(company.id),
        )
        .await;
        assert_eq!(
            refusal(set(contact.id, "cp", 2027, "5").await),
            [("user_id", "leave-user-unknown")]
        );
        assert_eq!(
            refusal(set(UserId::new(), "cp", 2027, "5").await),
            [("user_id", "leave-user-unknown")]
        );

        // Monday 1 → Friday 5 March approved, seen on Wednesday 3: three
        // days taken, two planned.
        let week = ask(
            &db,
            p.camille,
            "cp",
            days(date!(2027 - 03 - 01), date!(2027 - 03 - 05)),
        )
        .await
        .unwrap();
        decide(&db, &p.hugo, Scope::All, &week, Decision::Approve)
            .await
            .unwrap();
        let morning = date!(2027 - 03 - 08);
        ask(
            &db,
            p.camille,
            "cp",
            period(morning, Half::Am, morning, Half::Am),
        )
        .await
        .unwrap();
        let refused = ask(
            &db,
            p.camille,
            "cp",
            days(date!(2027 - 03 - 15), date!(2027 - 03 - 15)),
        )
        .await
        .unwrap();
        decide(
            &db,
            &p.hugo,
            Scope::All,
            &refused,
            Decision::Refuse {
                note: "Astreinte".into(),
            },
        )
        .await
        .unwrap();
        // Over New Year: only the 2027 days count in 2027.
        let new_year = ask(
            &db,
            p.camille,
            "cp",
            days(date!(2027 - 12 - 30), date!(2028 - 01 - 04)),
        )
        .await
        .unwrap();
        assert_eq!(new_year.days, DayQuantity::from_days(4));
        decide(&db, &p.hugo, Scope::All, &new_year, Decision::Approve)
            .await
            .unwrap();

        let mut tx = db.read().await.unwrap();
        let b = store::leave::balances(&mut tx, p.camille, 2027, date!(2027 - 03 - 03))
            .await
            .unwrap();
        let b2028 = store::leave::balances(&mut tx, p.camille, 2028, date!(2027 - 03 - 03))
            .await
            .unwrap();
        let listed = store::leave::allowances(&mut tx, 2027).await.unwrap();
        tx.commit().await.unwrap();
        let codes: Vec<&str> = b.iter().map(|t| t.leave_type.code.as_str()).collect();
        assert_eq!(codes, ["cp", "rtt"], "only types with a balance");
        let cp = b[0].balance;
        assert_eq!(cp.acquired, DayQuantity::from_days(27));
        assert_eq!(cp.taken, DayQuantity::from_days(3));
        assert_eq!(
            cp.planned,
            DayQuantity::from_days(4),
            "2 in March, 2 at Christmas"
        );
        assert_eq!(cp.pending, DayQuantity::from_half_days(1));
        assert_eq!(cp.remaining_half_days(), 2 * (27 - 7));
        let rtt = b[1].balance;
        assert_eq!(rtt.acquired, DayQuantity::from_half_days(5));
        assert_eq!(rtt.remaining_half_days(), 5);
        let cp2028 = b2028[0].balance;
        assert_eq!(cp2028.planned, DayQuantity::from_days(2));
        assert_eq!(cp2028.remaining_half_days(), 2 * 23);
        assert_eq!(
            listed
                .iter()
                .map(|a| (a.user_name.as_str(), a.leave_type.as_str(), a.acquired))
                .collect::<Vec<_>>(),
            [
                ("Camille Martin", "cp", DayQuantity::from_days(27)),
                ("Camille Martin", "rtt", DayQuantity::from_half_days(5)),
            ]
        );
    })
    .await;
}

#[tokio::test]
async fn firms_add_their_own_leave_types() {
    on_each_backend(|db| async move {
        let p = people(&db).await;
        let save = async |t: LeaveType| {
            let mut tx = db.begin().await.unwrap();
            let r = store::leave::save_type(&mut tx, &actor(), &t).await;
            tx.commit().await.unwrap();
            r
        };
        let sick_child = LeaveType {
            code: "enfant_malade".into(),
            label_fr: " Enfant malade ".into(),
            label_en: "Sick child".into(),
            tracks_balance: true,
            active: true,
        };
        save(sick_child.clone()).await.unwrap();
        assert_eq!(
            refusal(
                save(LeaveType {
                    code: "Enfant Malade".into(),
                    label_fr: String::new(),
                    ..sick_child.clone()
                })
                .await
            ),
            [
                ("code", "leave-type-code-invalid"),
                ("label_fr", "field-required")
            ]
        );
        let mut tx = db.read().await.unwrap();
        let types = store::leave::types(&mut tx).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(types.len(), 6);
        let last = types.last().unwrap();
        assert_eq!(
            (
                last.code.as_str(),
                last.label_fr.as_str(),
                last.label(domain::Locale::En)
            ),
            ("enfant_malade", "Enfant malade", "Sick child"),
            "added last, labels trimmed"
        );
        let r = ask(
            &db,
            p.camille,
            "enfant_malade",
            days(date!(2027 - 02 - 01), date!(2027 - 02 - 01)),
        )
        .await
        .unwrap();
        assert_eq!(r.leave_type, "enfant_malade");
        let mut tx = db.read().await.unwrap();
        let b = store::leave::balances(&mut tx, p.camille, 2027, date!(2027 - 01 - 01))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(b.len(), 3);
        assert_eq!(b[2].balance.pending, DayQuantity::from_days(1));
        // Saving the same code renames it in place; an inactive type can no
        // longer be asked for.
        save(LeaveType {
            label_fr: "Garde d'enfant malade".into(),
            active: false,
            ..sick_child
        })
        .await
        .unwrap();
        let mut tx = db.read().await.unwrap();
        let types = store::leave::types(&mut tx).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(types.len(), 6);
        assert_eq!(types[5].label_fr, "Garde d'enfant malade");
        assert!(!types[5].active);
        assert_eq!(
            refusal(
                ask(
                    &db,
                    p.camille,
                    "enfant_malade",
                    days(date!(2027 - 02 - 02), date!(2027 - 02 - 02))
                )
                .await
            ),
            [("leave_type", "leave-type-unknown")]
        );
        // Everyone who may take leave, with his work pattern.
        let mut tx = db.read().await.unwrap();
        let staff = store::leave::employees(&mut tx).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            staff.iter().map(|e| e.name.as_str()).collect::<Vec<_>>(),
            ["Camille Martin", "Hugo Bernard"]
        );
        assert_eq!(staff[0].pattern, WorkPattern::default());
    })
    .await;
}
