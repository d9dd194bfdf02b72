//! The FEC page (queued export, progress, streamed download) and the
//! inalterability page, on both backends.

use axum::http::StatusCode;
use domain::role::Role;

use domain::calendar::YearMonth;

use crate::harness::{EmptyApp, on_each_backend_empty as on_each_backend};

/// An invoice issued: the sales journal has an entry.
async fn an_issued_invoice(t: &EmptyApp) {
    let c = t.w.client().create().await;
    let m = t.w.mission(&c).create().await;
    t.w.issued_invoice(&m, YearMonth::of(store::today()).prev())
        .await;
}

#[tokio::test]
async fn finance_queues_the_fec_and_downloads_it_when_the_worker_is_done() {
    on_each_backend(|t| async move {
        an_issued_invoice(&t).await;
        let finance = t.browser(Some(Role::Finance)).await;
        let p = t.get("/accounting/fec", Some(&finance)).await;
        assert_eq!(p.status, StatusCode::OK, "{}", p.body);
        assert!(p.body.contains("Exporter le FEC") && p.body.contains("Aucun export"));
        let year = store::today().year().to_string();
        let r = t
            .post_form("/accounting/fec", &finance, &[("year", &year)])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let p = t.get("/accounting/fec", Some(&finance)).await;
        assert!(p.body.contains("En attente"), "{}", p.body);
        assert!(
            p.body.contains(r#"hx-trigger="every 2s""#),
            "polls while it runs"
        );
        // What the worker does with the queued job.
        let mut tx = t.db.read().await.unwrap();
        let export = store::exports::recent(&mut tx, domain::export::ExportKind::Fec, 1)
            .await
            .unwrap()
            .remove(0);
        tx.commit().await.unwrap();
        store::exports::run_fec(&t.db, export.id).await.unwrap();
        let p = t.get("/accounting/fec", Some(&finance)).await;
        assert!(
            p.body.contains("Terminé") && !p.body.contains("every 2s"),
            "{}",
            p.body
        );
        let href = format!("/accounting/fec/{}/download", export.id);
        assert!(p.body.contains(&href));
        let direction = t.browser(Some(Role::Direction)).await;
        let f = t.get(&href, Some(&direction)).await;
        assert_eq!(f.status, StatusCode::OK);
        assert_eq!(f.content_type(), "text/plain; charset=iso-8859-15");
        assert!(
            f.headers[axum::http::header::CONTENT_DISPOSITION]
                .to_str()
                .unwrap()
                .contains(&format!("FEC{year}1231.txt"))
        );
        assert!(
            f.body.starts_with("JournalCode\tJournalLib\t"),
            "{}",
            f.body
        );
        assert!(f.body.contains("\tVE-"), "the invoice's entry");
        // A year that is not one is refused; an unknown export is not found.
        let r = t
            .post_form("/accounting/fec", &finance, &[("year", "abc")])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(
            t.get("/accounting/fec/nope/download", Some(&finance))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
    })
    .await;
}

#[tokio::test]
async fn the_seal_page_shows_intact_chains_then_the_tampered_entry() {
    on_each_backend(|t| async move {
        an_issued_invoice(&t).await;
        let finance = t.browser(Some(Role::Finance)).await;
        let p = t.get("/accounting/seal", Some(&finance)).await;
        assert_eq!(p.status, StatusCode::OK, "{}", p.body);
        assert!(
            p.body.contains("Toutes les chaînes sont intègres"),
            "{}",
            p.body
        );
        store::on_pool!(&t.db, |c| sqlx::query(
            "UPDATE ledger_lines SET label = 'Falsifié' WHERE position = 1 AND entry_id =
               (SELECT id FROM ledger_entries WHERE journal = 'VE' ORDER BY year, number LIMIT 1)"
        )
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
        .unwrap();
        let p = t.get("/accounting/seal", Some(&finance)).await;
        assert!(
            p.body.contains("Rompue à") && p.body.contains("contenu modifié"),
            "{}",
            p.body
        );
        assert!(p.body.contains("-000001</span>"), "{}", p.body);
    })
    .await;
}
