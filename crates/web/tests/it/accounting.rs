//! The ledger's pages: trial balance and its CSV, a journal, closing a
//! period; finance and direction only.

use axum::http::StatusCode;
use domain::calendar::YearMonth;
use domain::ledger::{Journal, Line, NewEntry};
use domain::money::Money;
use domain::role::Role;

use crate::harness::on_each_backend;

#[tokio::test]
async fn finance_reads_the_books_and_closes_a_month() {
    on_each_backend(|t| async move {
        let today = store::now().date();
        let mut tx = t.db.begin().await.unwrap();
        store::ledger::post(
            &mut tx,
            &store::Actor::system("test"),
            &NewEntry {
                journal: Journal::Ve,
                date: today,
                label: "Facture FA-TEST-1".into(),
                piece_ref: Some("FA-TEST-1".into()),
                lines: vec![
                    Line::debit("411", Money::from_euros(14_400), "Clientis"),
                    Line::credit("706", Money::from_euros(12_000), "Prestations"),
                    Line::credit("44574", Money::from_euros(2_400), "TVA"),
                ],
            },
            None,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let finance = t.browser(Some(Role::Finance)).await;
        let tb = t.get("/accounting", Some(&finance)).await;
        assert_eq!(tb.status, StatusCode::OK, "{}", tb.body);
        assert!(
            tb.body.contains("44574") && tb.body.contains("14\u{202f}400,00\u{a0}€"),
            "{}",
            tb.body
        );
        assert!(tb.body.contains("Équilibrée"));
        assert!(tb.body.contains("<svg"));
        let csv = t.get("/accounting/trial-balance.csv", Some(&finance)).await;
        assert_eq!(csv.status, StatusCode::OK);
        assert!(
            csv.body.contains("411;Clients;14400,00;0,00;14400,00"),
            "{}",
            csv.body
        );
        let j = t
            .get("/accounting/journal?journal=VE", Some(&finance))
            .await;
        assert!(
            j.body.contains("VE-") && j.body.contains("FA-TEST-1"),
            "{}",
            j.body
        );

        let last = YearMonth::of(today).prev().to_string();
        let r = t
            .post_form("/accounting/periods/close", &finance, &[("month", &last)])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let p = t.get("/accounting/periods", Some(&finance)).await;
        assert!(
            p.body.contains("Période clôturée.") && p.body.contains("Clôturée"),
            "{}",
            p.body
        );
        // Twice, or a month not over: refused in words.
        t.post_form("/accounting/periods/close", &finance, &[("month", &last)])
            .await;
        assert!(
            t.get("/accounting/periods", Some(&finance))
                .await
                .body
                .contains("déjà clôturée")
        );
        let now = YearMonth::of(today).to_string();
        t.post_form("/accounting/periods/close", &finance, &[("month", &now)])
            .await;
        assert!(
            t.get("/accounting/periods", Some(&finance))
                .await
                .body
                .contains("une fois terminé")
        );

        let consultant = t.browser(Some(Role::Consultant)).await;
        assert_eq!(
            t.get("/accounting", Some(&consultant)).await.status,
            StatusCode::FORBIDDEN
        );
    })
    .await;
}
