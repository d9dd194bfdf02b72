//! People and costs: agencies, employee records, cost versions refused by
//! the domain's rules, the CJM of the version in force, the audited read
//! of a pay history, and the CJM settings.

use domain::calendar::YearMonth;
use domain::money::Money;
use domain::people::cjm::{CjmSettingsInput, StandardCjmTable};
use domain::people::cost::SalaryVersionInput;
use domain::people::employee::{EmployeeInput, Grade};
use fixtures::testing::on_each_backend;
use store::agencies::AgencyInput;
use store::{Error, costs, employees};
use time::macros::date;

use crate::support::{actor, count};

fn salary(from: &str, gross: &str) -> SalaryVersionInput {
    SalaryVersionInput {
        effective_from: from.into(),
        annual_gross: gross.into(),
        employer_charges: "45".into(),
        mutual_insurance: "720".into(),
        meal_vouchers: "1308".into(),
        transport: "540".into(),
        ..Default::default()
    }
}

#[tokio::test]
async fn versions_give_the_cjm_of_the_day_and_refuse_clashes() {
    on_each_backend(|db| async move {
        let mut tx = db.begin().await.unwrap();
        let agency = store::agencies::create(
            &mut tx,
            &actor(),
            &AgencyInput {
                name: "Paris".into(),
                city: "Paris".into(),
            }
            .validate()
            .unwrap(),
        )
        .await
        .unwrap();
        let again = store::agencies::create(
            &mut tx,
            &actor(),
            &AgencyInput {
                name: "Paris".into(),
                city: String::new(),
            }
            .validate()
            .unwrap(),
        )
        .await;
        assert!(
            matches!(again, Err(Error::Conflict { field: "name" })),
            "{again:?}"
        );
        tx.rollback().await.unwrap();

        let mut tx = db.begin().await.unwrap();
        let agency = store::agencies::create(
            &mut tx,
            &actor(),
            &store::agencies::AgencyData {
                name: agency.name,
                city: None,
            },
        )
        .await
        .unwrap();
        let data = EmployeeInput {
            matricule: "00042".into(),
            legal_entity: "Régisseur Conseil SAS".into(),
            agency_id: agency.id.to_string(),
            contract_kind: "cdi".into(),
            hire_date: "2024-09-01".into(),
            job_title: "Consultante".into(),
            grade: "Confirmé".into(),
            ..Default::default()
        }
        .validate()
        .unwrap();
        let e = employees::create(&mut tx, &actor(), &data).await.unwrap();
        assert_eq!(e.agency_name, "Paris");
        let twice = employees::create(&mut tx, &actor(), &data).await;
        assert!(
            matches!(twice, Err(Error::Conflict { field: "matricule" })),
            "{twice:?}"
        );
        tx.rollback().await.unwrap();

        let mut tx = db.begin().await.unwrap();
        let agency = store::agencies::create(
            &mut tx,
            &actor(),
            &store::agencies::AgencyData {
                name: "Lyon".into(),
                city: None,
            },
        )
        .await
        .unwrap();
        let mut data = data;
        data.agency_id = agency.id;
        let e = employees::create(&mut tx, &actor(), &data).await.unwrap();
        let v = salary("2026-01-01", "48000").validate().unwrap();
        costs::add(&mut tx, &actor(), e.id, &v).await.unwrap();
        let same = costs::add(&mut tx, &actor(), e.id, &v).await;
        match same {
            Err(Error::Invalid(v)) => {
                assert_eq!(
                    v.for_field("effective_from").unwrap().key,
                    "cost-version-same-date"
                )
            }
            other => panic!("{other:?}"),
        }
        let raise = salary("2026-07-01", "52000").validate().unwrap();
        costs::add(&mut tx, &actor(), e.id, &raise).await.unwrap();
        tx.commit().await.unwrap();

        let mut tx = db.begin().await.unwrap();
        assert_eq!(
            costs::cjm_on(&mut tx, e.id, date!(2025 - 12 - 31))
                .await
                .unwrap(),
            None
        );
        assert_eq!(
            costs::cjm_on(&mut tx, e.id, date!(2026 - 03 - 15))
                .await
                .unwrap(),
            Some(Money::from_cents(33_105))
        );
        let later = costs::cjm_on(&mut tx, e.id, date!(2026 - 07 - 01))
            .await
            .unwrap()
            .unwrap();
        assert!(later > Money::from_cents(33_105));
        // The bench-loaded method at 90 %: 72 168 € ÷ 196,2 = 367,83 €.
        let s = CjmSettingsInput {
            divisor: "218".into(),
            method: "bench_loaded".into(),
            target_activity: "90".into(),
        }
        .validate()
        .unwrap();
        costs::set_settings(&mut tx, &actor(), s).await.unwrap();
        assert_eq!(
            costs::cjm_on(&mut tx, e.id, date!(2026 - 03 - 15))
                .await
                .unwrap(),
            Some(Money::from_cents(36_783))
        );
        // A locked month refuses a version dated in it.
        costs::lock_margins(&mut tx, &actor(), YearMonth::parse("2026-08").unwrap())
            .await
            .unwrap();
        let locked = salary("2026-08-01", "53000").validate().unwrap();
        match costs::add(&mut tx, &actor(), e.id, &locked).await {
            Err(Error::Invalid(v)) => assert_eq!(
                v.for_field("effective_from").unwrap().key,
                "cost-version-in-locked-month"
            ),
            other => panic!("{other:?}"),
        }
        // Standard CJM per grade.
        let grade = Grade::parse("Confirmé").unwrap();
        costs::set_standard_cjm(&mut tx, &actor(), &grade, Some(Money::from_euros(400)))
            .await
            .unwrap();
        let mut expected = StandardCjmTable::new();
        expected.set(grade.clone(), Money::from_euros(400)).unwrap();
        assert_eq!(costs::standard_cjm(&mut tx).await.unwrap(), expected);
        tx.commit().await.unwrap();
        // Reading the history writes its audit line.
        let audit = count(&db, "audit_log").await;
        let mut tx = db.begin().await.unwrap();
        let h = costs::history(&mut tx, &actor(), e.id).await.unwrap();
        assert_eq!(h.len(), 2);
        tx.commit().await.unwrap();
        assert_eq!(count(&db, "audit_log").await, audit + 1);
    })
    .await;
}
