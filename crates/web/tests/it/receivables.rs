//! The collections dashboard: the aged balance with its chart, CSV and
//! statement links, DSO by both methods with the formula, the expected
//! cash-in; the statement PDF; bad dates and periods refused in words.

use axum::http::StatusCode;
use domain::Locale;
use domain::calendar::YearMonth;
use domain::ids::CompanyId;
use domain::locale::format_date;
use domain::money::Money;
use domain::receivables::{Bucket, format_days};
use domain::role::Role;
use time::Duration;

use crate::harness::{EmptyApp, on_each_backend_empty as on_each_backend};

/// Clientis, with last month's invoice issued, and another invoice of
/// 1 234,56 €, 40 days late today; returns Clientis.
async fn late_invoice(t: &EmptyApp) -> CompanyId {
    let today = store::today();
    let clientis = t.w.client().name("Clientis Group").create().await;
    let m = t.w.mission(&clientis).create().await;
    t.w.issued_invoice(&m, YearMonth::of(today).prev()).await;
    let mut tx = t.db.begin().await.unwrap();
    store::on_tx!(&mut tx, |c| sqlx::query(
        "INSERT INTO invoices (id, kind, status, client_id, period, series, number, issue_date, due_date,
           net_cents, vat_cents, gross_cents, created_at)
         VALUES ($1, 'invoice', 'issued', $2, '2026-01', 'FA', 'FA-TEST-AGED', $3, $4, 102880, 20576, 123456, $5)"
    )
    .bind(uuid::Uuid::new_v4().to_string())
    .bind(clientis.id.to_string())
    .bind(today - Duration::days(70))
    .bind(today - Duration::days(40))
    .bind(store::now())
    .execute(c)
    .await
    .map(|_| ()))
    .unwrap();
    tx.commit().await.unwrap();
    clientis.id
}

#[tokio::test]
async fn the_dashboard_shows_the_aged_balance_dso_and_forecast() {
    on_each_backend(|t| async move {
        let clientis_id = late_invoice(&t).await;
        let today = store::today();
        let l = Locale::Fr;
        let mut tx = t.db.read().await.unwrap();
        let aged = store::receivables::aged_balance(&mut tx, today)
            .await
            .unwrap();
        let dso = store::receivables::dso(&mut tx, today, 6).await.unwrap();
        let dso3 = store::receivables::dso(&mut tx, today, 3).await.unwrap();
        let forecast = store::receivables::cash_in_forecast(&mut tx, today, 90)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let clientis = aged.client(clientis_id).expect("Clientis owes");
        assert!(clientis.buckets.get(Bucket::Days31To60) >= Money::from_cents(123_456));

        let finance = t.browser(Some(Role::Finance)).await;
        let r = t.get("/collections?months=6", Some(&finance)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let b = &r.body;
        assert!(
            b.contains(&format!("Balance âgée au {}", format_date(today, l))),
            "{b}"
        );
        assert!(b.contains("<svg"), "charts");
        for bucket in ["Non échu", "0–30 j", "31–60 j", "61–90 j", "&gt; 90 j"] {
            assert!(b.contains(bucket), "{bucket}");
        }
        assert!(b.contains(&clientis.buckets.get(Bucket::Days31To60).format(l)));
        assert!(b.contains(&aged.total().format(l)), "total");
        assert!(b.contains(&format!(
            "/collections/clients/{}/statement.pdf?as_of={today}",
            clientis_id
        )));
        // DSO: both values, the simple formula with its numbers.
        let simple = dso
            .simple
            .value
            .map(|v| format_days(v, l))
            .unwrap_or_else(|| "non calculable (aucun chiffre d’affaires sur la période)".into());
        match dso.simple.value {
            Some(_) => assert!(
                b.contains(&format!("Méthode simple : {simple} jours")),
                "{b}"
            ),
            None => assert!(b.contains(&format!("Méthode simple : {simple}")), "{b}"),
        }
        assert!(b.contains(&format!(
            "Méthode par épuisement : {} jours",
            format_days(dso.count_back.value, l)
        )));
        assert!(b.contains(&format!(
            "({} + {}) ÷ {} × {} = {simple}",
            dso.figures.customers.format(l),
            dso.figures.accrued.format(l),
            dso.figures.revenue().format(l),
            dso.figures.days()
        )));
        assert!(b.contains(&format!(
            "au {} ({} jours)",
            format_date(today, l),
            dso.figures.days()
        )));
        assert!(b.contains("<option value=\"6\" selected>6 mois</option>"));
        // Forecast: the late amounts apart, then weeks.
        assert!(b.contains("En retard"));
        assert!(b.contains(&forecast.overdue.format(l)));
        assert!(b.contains(&format!("Semaine du {}", format_date(today, l))));

        let csv = t
            .get(
                &format!("/collections/aged-balance.csv?as_of={today}"),
                Some(&finance),
            )
            .await;
        assert_eq!(csv.status, StatusCode::OK);
        assert!(csv.content_type().starts_with("text/csv"));
        assert!(
            csv.body.contains(
                "Client;Non échu;0–30 j;31–60 j;61–90 j;> 90 j;Total ouvert;Avoir client;Net dû\r\n"
            ),
            "{}",
            csv.body
        );
        assert!(
            csv.body.contains(&format!(
                "Total;{}",
                aged.totals
                    .amounts()
                    .iter()
                    .map(|m| web::csv::amount(*m))
                    .collect::<Vec<_>>()
                    .join(";")
            )),
            "{}",
            csv.body
        );

        let pdf = t
            .get(
                &format!("/collections/clients/{}/statement.pdf", clientis_id),
                Some(&finance),
            )
            .await;
        assert_eq!(pdf.status, StatusCode::OK);
        assert_eq!(pdf.content_type(), "application/pdf");
        assert!(pdf.body.starts_with("%PDF-"));
        assert!(
            pdf.body.contains("FA-TEST-AGED"),
            "the open invoice is listed"
        );

        // In English: the same figures, written the English way.
        t.post_form(
            "/locale",
            &finance,
            &[("locale", "en"), ("back", "/collections")],
        )
        .await;
        let en = t.get("/collections", Some(&finance)).await;
        assert_eq!(en.status, StatusCode::OK);
        let count_back = format_days(dso3.count_back.value, Locale::En);
        assert!(
            en.body
                .contains(&format!("Count-back method: {count_back} days")),
            "{}",
            en.body
        );
        assert!(en.body.contains(&aged.total().format(Locale::En)));
        assert!(en.body.contains("Overdue") && en.body.contains("31–60 d"));
        t.post_form(
            "/locale",
            &finance,
            &[("locale", "fr"), ("back", "/collections")],
        )
        .await;

        // The past: before the late invoice was issued, it is not there.
        let past = today - Duration::days(80);
        let r = t
            .get(
                &format!("/collections?as_of={}", format_date(past, l)),
                Some(&finance),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(
            r.body
                .contains(&format!("Balance âgée au {}", format_date(past, l)))
        );
    })
    .await;
}

#[tokio::test]
async fn bad_dates_and_periods_are_refused_in_words() {
    on_each_backend(|t| async move {
        let clientis = t.w.client().create().await.id;
        let finance = t.browser(Some(Role::Finance)).await;
        let r = t.get("/collections?months=5", Some(&finance)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.body
                .contains("Choisissez une période de 3, 6 ou 12 mois."),
            "{}",
            r.body
        );
        let r = t
            .get("/collections?as_of=32/13/2026&end=hier", Some(&finance))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.body
                .contains("aria-invalid=\"true\" aria-describedby=\"field-as_of-error\"")
        );
        assert!(r.body.contains("field-end-error"));
        let csv = t
            .get("/collections/aged-balance.csv?as_of=nope", Some(&finance))
            .await;
        assert_eq!(csv.status, StatusCode::SEE_OTHER);
        let pdf = t
            .get(
                &format!("/collections/clients/{}/statement.pdf?as_of=nope", clientis),
                Some(&finance),
            )
            .await;
        assert_eq!(pdf.status, StatusCode::BAD_REQUEST);
        let none = t
            .get(
                "/collections/clients/00000000-0000-0000-0000-000000000000/statement.pdf",
                Some(&finance),
            )
            .await;
        assert_eq!(none.status, StatusCode::NOT_FOUND);
        let consultant = t.browser(Some(Role::Consultant)).await;
        assert_eq!(
            t.get("/collections", Some(&consultant)).await.status,
            StatusCode::FORBIDDEN
        );
    })
    .await;
}
