//! The dunning page and the invoice's dunning panel: settings, levels and
//! pauses refused in French (422, nothing written) or saved; the notices
//! sent shown with their amounts; the run-now button queues the job.

use axum::http::StatusCode;
use domain::role::Role;
use store::on_tx;
use time::Duration;

use domain::calendar::YearMonth;

use crate::harness::{EmptyApp, on_each_backend_empty as on_each_backend};

/// A client's invoice of last month, issued and made 40 days late (a
/// fixture: issuing computes the due date from the terms), its client
/// reachable; returns (invoice id, number, client id).
async fn late_invoice(t: &EmptyApp) -> (String, String, String) {
    let today = store::today();
    let c = t.w.client().email("compta@client.example").create().await;
    let m = t.w.mission(&c).create().await;
    let inv = t.w.issued_invoice(&m, YearMonth::of(today).prev()).await;
    let mut tx = t.db.begin().await.unwrap();
    on_tx!(&mut tx, |c| sqlx::query(
        "UPDATE invoices SET due_date = $2 WHERE id = $1"
    )
    .bind(inv.id.to_string())
    .bind(today - Duration::days(40))
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .unwrap());
    tx.commit().await.unwrap();
    (inv.id.to_string(), inv.number.unwrap(), c.id.to_string())
}

async fn settings(t: &EmptyApp) -> store::dunning::Settings {
    let mut tx = t.db.read().await.unwrap();
    let s = store::dunning::settings(&mut tx).await.unwrap();
    tx.commit().await.unwrap();
    s
}

#[tokio::test]
async fn settings_and_levels_refuse_bad_input_in_french() {
    on_each_backend(|t| async move {
        let finance = t.browser(Some(Role::Finance)).await;
        let page = t.get("/collections/dunning", Some(&finance)).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("<h1>Relances</h1>"), "{}", page.body);
        assert!(page.body.contains(r#"value="2,76""#));
        assert!(page.body.contains("Taux des pénalités de retard"));
        assert!(page.body.contains("8,28 %"));
        assert!(page.body.contains(r#"value="Mise en demeure""#));
        assert!(page.body.contains("Lancer les relances maintenant"));

        // A bad rate and address: French messages, 422, nothing written.
        let before = settings(&t).await;
        let bad = t
            .post_form(
                "/collections/dunning/settings",
                &finance,
                &[
                    ("enabled", "true"),
                    ("legal_rate", "2,765"),
                    ("copy_to", "compta"),
                ],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            bad.body.contains("Indiquez un taux en pourcentage"),
            "{}",
            bad.body
        );
        assert!(bad.body.contains(r#"value="2,765""#), "typed values kept");
        assert_eq!(settings(&t).await, before);
        let ok = t
            .post_form(
                "/collections/dunning/settings",
                &finance,
                &[
                    ("enabled", "true"),
                    ("legal_rate", "3,15"),
                    ("copy_to", "compta@stafforia.example"),
                ],
            )
            .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
        let s = settings(&t).await;
        assert_eq!(
            (s.legal_rate_bp, s.copy_to.as_deref()),
            (315, Some("compta@stafforia.example"))
        );
        let page = t.get("/collections/dunning", Some(&finance)).await;
        assert!(page.body.contains("Réglages des relances enregistrés."));
        assert!(page.body.contains("9,45 %"));

        // Levels out of order: refused, the three levels kept.
        let bad = t
            .post_form(
                "/collections/dunning/levels",
                &finance,
                &[
                    ("days_0", "10"),
                    ("name_0", "Rappel"),
                    ("tone_0", "reminder"),
                    ("active_0", "true"),
                    ("days_1", "5"),
                    ("name_1", "Relance"),
                    ("tone_1", "firm"),
                    ("active_1", "true"),
                ],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            bad.body.contains(
                "Ligne 2 : le nombre de jours doit être supérieur à celui du niveau précédent."
            ),
            "{}",
            bad.body
        );
        assert_eq!(t.count("dunning_levels").await, 3);
        let ok = t
            .post_form(
                "/collections/dunning/levels",
                &finance,
                &[
                    ("days_0", "5"),
                    ("name_0", "Rappel"),
                    ("tone_0", "reminder"),
                    ("active_0", "true"),
                    ("days_1", "45"),
                    ("name_1", "Mise en demeure"),
                    ("tone_1", "formal_notice"),
                    ("penalties_1", "true"),
                    ("active_1", "true"),
                ],
            )
            .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
        assert_eq!(t.count("dunning_levels").await, 2);

        // Direction sees the page, without the forms' buttons.
        let direction = t.browser(Some(Role::Direction)).await;
        let page = t.get("/collections/dunning", Some(&direction)).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(!page.body.contains("dunning-pause-form"));
        assert!(!page.body.contains("Lancer les relances maintenant"));
    })
    .await;
}

#[tokio::test]
async fn pauses_notices_and_the_run_button() {
    on_each_backend(|t| async move {
        let finance = t.browser(Some(Role::Finance)).await;
        let (invoice, number, clientis) = late_invoice(&t).await;
        // A pause needs a target and a reason.
        let bad = t
            .post_form(
                "/collections/dunning/pauses",
                &finance,
                &[("reason", "Litige")],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            bad.body.contains("Choisissez un client ou une facture"),
            "{}",
            bad.body
        );
        let bad = t
            .post_form(
                "/collections/dunning/pauses",
                &finance,
                &[
                    ("company_id", clientis.as_str()),
                    ("reason", "Litige"),
                    ("until", "01/01/2020"),
                ],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            bad.body
                .contains("La date de fin de pause est déjà passée.")
        );
        assert_eq!(t.count("dunning_pauses").await, 0);
        let ok = t
            .post_form(
                "/collections/dunning/pauses",
                &finance,
                &[
                    ("company_id", clientis.as_str()),
                    ("reason", "Litige sur les jours facturés"),
                ],
            )
            .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
        let page = t.get("/collections/dunning", Some(&finance)).await;
        assert!(page.body.contains("Litige sur les jours facturés"));
        let mut tx = t.db.read().await.unwrap();
        let pause = store::dunning::pauses(&mut tx, store::today())
            .await
            .unwrap()
            .remove(0);
        tx.commit().await.unwrap();
        let lift = t
            .post_form(
                &format!("/collections/dunning/pauses/{}/lift", pause.id),
                &finance,
                &[],
            )
            .await;
        assert_eq!(lift.status, StatusCode::SEE_OTHER);
        let page = t.get("/collections/dunning", Some(&finance)).await;
        assert!(page.body.contains("Aucune pause en cours."));

        // The invoice page: pause and resume this invoice.
        let show = t.get(&format!("/invoices/{invoice}"), Some(&finance)).await;
        assert_eq!(show.status, StatusCode::OK);
        assert!(
            show.body
                .contains("Aucune relance envoyée pour cette facture."),
            "{}",
            show.body
        );
        let bad = t
            .post_form(
                &format!("/invoices/{invoice}/dunning/pause"),
                &finance,
                &[("reason", " ")],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.body.contains("Ce champ est obligatoire."));
        assert_eq!(t.count("dunning_pauses").await, 1);
        let ok = t
            .post_form(
                &format!("/invoices/{invoice}/dunning/pause"),
                &finance,
                &[("reason", "Promesse de paiement")],
            )
            .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER);
        let show = t.get(&format!("/invoices/{invoice}"), Some(&finance)).await;
        assert!(
            show.body
                .contains("Relances en pause : Promesse de paiement")
        );
        assert!(
            store::dunning::run(&t.db, store::today(), &app::Render)
                .await
                .unwrap()
                .sent
                == 0
        );
        let ok = t
            .post_form(
                &format!("/invoices/{invoice}/dunning/resume"),
                &finance,
                &[],
            )
            .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER);

        // Sent: the history shows the notice and its amounts.
        let done = store::dunning::run(&t.db, store::today(), &app::Render)
            .await
            .unwrap();
        assert_eq!(done.sent, 1);
        let mut tx = t.db.read().await.unwrap();
        let n = store::dunning::notices_of_invoice(
            &mut tx,
            domain::ids::InvoiceId::parse(&invoice).unwrap(),
        )
        .await
        .unwrap()
        .remove(0);
        tx.commit().await.unwrap();
        let page = t.get("/collections/dunning", Some(&finance)).await;
        for needle in [
            number.clone(),
            "3 · Mise en demeure".to_string(),
            "40 j".to_string(),
            n.outstanding.format(domain::Locale::Fr),
            n.penalty.format(domain::Locale::Fr),
            "40,00\u{a0}€".to_string(),
            "en attente d&#39;envoi".to_string(),
        ] {
            assert!(
                page.body.contains(&needle) || page.body.contains(&needle.replace("&#39;", "'")),
                "{needle:?}"
            );
        }
        let show = t.get(&format!("/invoices/{invoice}"), Some(&finance)).await;
        assert!(show.body.contains("3 · Mise en demeure"));

        // The button queues a run.
        let jobs = t.count("jobs").await;
        let run = t.post_form("/collections/dunning/run", &finance, &[]).await;
        assert_eq!(run.status, StatusCode::SEE_OTHER);
        assert_eq!(t.count("jobs").await, jobs + 1);
    })
    .await;
}
