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
        empty_books(&t).await;
        let today = store::today();
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
            csv.body.contains("411;Clients;14400,00;0,00;14400,00;0,00")
                && csv
                    .body
                    .contains("706;Prestations de services;0,00;12000,00;0,00;12000,00")
                && csv.body.contains("Solde débiteur;Solde créditeur"),
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
        let csv = t
            .get("/accounting/journal.csv?journal=VE", Some(&finance))
            .await;
        assert_eq!(csv.status, StatusCode::OK);
        assert!(
            csv.body
                .contains(";FA-TEST-1;Facture FA-TEST-1;411;Clientis;14400,00;0,00")
                && csv.body.contains(";44574;TVA;0,00;2400,00"),
            "{}",
            csv.body
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

/// Last December an unpaid Clientis invoice; this January Clientis invoiced
/// and paid, Horizon invoiced.
/// The demo's invoices and their entries go: these tests read books they
/// wrote themselves.
async fn empty_books(t: &crate::harness::TestApp) {
    for table in [
        "lettering_lines",
        "letterings",
        "bank_lines",
        "bank_statements",
        "payment_allocations",
        "payments",
        "outbox_attachments",
        "invoice_emails",
        "dunning_notices",
        "dunning_pauses",
        "invoice_lifecycle",
        "einvoice_deposits",
        "accruals",
        "billed_credits",
        "billed_masks",
        "billed_guard",
        "invoice_lines",
        "invoices",
        "ledger_lines",
        "ledger_entries",
        "ledger_sequences",
    ] {
        let sql = format!("DELETE FROM {table}");
        store::on_pool!(&t.db, |c| sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(c)
            .await
            .map(|r| r.rows_affected()))
        .unwrap();
    }
}

async fn post_books(t: &crate::harness::TestApp, year: i32) {
    let d = |y: i32, m: u8, day: u8| {
        time::Date::from_calendar_date(y, time::Month::try_from(m).unwrap(), day).unwrap()
    };
    let invoice = |date, piece: &str, customer, name: &str, ht: i64| NewEntry {
        journal: Journal::Ve,
        date,
        label: format!("Facture {piece}"),
        piece_ref: Some(piece.into()),
        lines: vec![
            Line::debit("411", Money::from_euros(ht * 6 / 5), name).for_customer(customer),
            Line::credit("706", Money::from_euros(ht), "Prestations"),
            Line::credit("44574", Money::from_euros(ht / 5), "TVA"),
        ],
    };
    let entries = [
        invoice(
            d(year - 1, 12, 15),
            "FA-OLD-1",
            t.clientis,
            "Clientis Group",
            1_000,
        ),
        invoice(
            d(year, 1, 10),
            "FA-NEW-1",
            t.clientis,
            "Clientis Group",
            12_000,
        ),
        invoice(
            d(year, 1, 12),
            "FA-NEW-2",
            t.horizon,
            "Banque Horizon",
            6_000,
        ),
        NewEntry {
            journal: Journal::Bq,
            date: d(year, 1, 20),
            label: "Virement Clientis".into(),
            piece_ref: None,
            lines: vec![
                Line::debit("512", Money::from_euros(14_400), "Banque"),
                Line::credit("411", Money::from_euros(14_400), "Clientis Group")
                    .for_customer(t.clientis),
            ],
        },
    ];
    let mut tx = t.db.begin().await.unwrap();
    for e in &entries {
        store::ledger::post(&mut tx, &store::Actor::system("test"), e, None)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
}

/// `12 000,00 €` as the French pages print it.
fn fr(euros: &str) -> String {
    format!("{}\u{a0}€", euros.replace(' ', "\u{202f}"))
}

#[tokio::test]
async fn the_general_ledger_shows_running_balances_and_exports_them() {
    on_each_backend(|t| async move {
        empty_books(&t).await;
        let year = store::today().year();
        post_books(&t, year).await;
        let finance = t.browser(Some(Role::Finance)).await;

        let page = t.get("/accounting/ledger", Some(&finance)).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        let b = &page.body;
        assert!(b.contains("Grand livre") && b.contains("href=\"/accounting/ledger\""));
        assert!(b.contains(&format!("Solde d’ouverture au 01/01/{year}")), "{b}");
        // 411: 1,200 from last year, +14,400, +7,200, −14,400.
        let clients = &b[b.find("id=\"account-411\"").unwrap()..b.find("id=\"account-44574\"").unwrap()];
        let running: Vec<usize> = ["1 200,00", "15 600,00", "22 800,00", "8 400,00"]
            .iter()
            .map(|a| clients.find(&fr(a)).unwrap_or_else(|| panic!("{a} in {clients}")))
            .collect();
        assert!(running.is_sorted(), "{running:?}");
        assert!(clients.contains("Total du compte 411") && clients.contains(&fr("21 600,00")));
        assert!(clients.contains(&format!("10/01/{year}")) && clients.contains(&format!("VE-{year}-000001")));
        // The customer's name leads to its statement, keeping the dates.
        let link = format!("/accounting/customers/{}?from=01/01/{year}", t.clientis);
        assert!(clients.contains(&link), "{clients}");
        // Services restart with the year: last December is not carried.
        let services = &b[b.find("id=\"account-706\"").unwrap()..];
        let opening = format!("class=\"num\">{}</td></tr>", fr("0,00"));
        assert!(services.contains(&opening) && services.contains(&fr("-18 000,00")), "{services}");

        let only = t.get("/accounting/ledger?account=411", Some(&finance)).await;
        assert!(only.body.contains("id=\"account-411\"") && !only.body.contains("id=\"account-706\""));
        assert!(only.body.contains("ledger.csv?from=01/01/"), "{}", only.body);

        let csv = t.get("/accounting/ledger.csv?account=411", Some(&finance)).await;
        assert_eq!(csv.status, StatusCode::OK);
        assert!(csv.content_type().starts_with("text/csv"));
        let lines: Vec<&str> = csv.body.trim_start_matches('\u{feff}').split("\r\n").collect();
        assert_eq!(
            lines[..6],
            [
                "Compte;Intitulé du compte;Date;Journal;N° d’écriture;Pièce;Libellé;Libellé de la ligne;Tiers;Débit;Crédit;Solde",
                &format!("411;Clients;01/01/{year};;;;Solde d’ouverture;;;;;1200,00"),
                &format!("411;Clients;10/01/{year};VE;VE-{year}-000001;FA-NEW-1;Facture FA-NEW-1;Clientis Group;Clientis Group;14400,00;0,00;15600,00"),
                &format!("411;Clients;12/01/{year};VE;VE-{year}-000002;FA-NEW-2;Facture FA-NEW-2;Banque Horizon;Banque Horizon;7200,00;0,00;22800,00"),
                &format!("411;Clients;20/01/{year};BQ;BQ-{year}-B000001;;Virement Clientis;Clientis Group;Clientis Group;0,00;14400,00;8400,00"),
                &format!("411;Clients;31/12/{year};;;;Total du compte 411;;;21600,00;14400,00;8400,00"),
            ]
        );

        // Bad filters are named in words, never a server error.
        for (query, message) in [
            ("from=31/02/2026", "Date invalide"),
            ("account=41a", "Un compte s’écrit avec 1 à 8 chiffres"),
            ("from=02/01/2026&to=01/01/2026", "La date de fin précède la date de début"),
        ] {
            let r = t.get(&format!("/accounting/ledger?{query}"), Some(&finance)).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{query}");
            assert!(r.body.contains(message), "{query}: {}", r.body);
        }
        let r = t.get("/accounting/ledger.csv?account=41a", Some(&finance)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(r.location(), "/accounting/ledger?account=41a");

        // In English, amounts and dates follow the reader's language while
        // the fields keep a form they parse back.
        t.post_form("/locale", &finance, &[("locale", "en"), ("back", "/accounting/ledger")])
            .await;
        let en = t.get("/accounting/ledger", Some(&finance)).await;
        assert!(en.body.contains("General ledger") && en.body.contains("€22,800.00"), "{}", en.body);
        assert!(en.body.contains(&format!("value=\"01/01/{year}\"")));
    })
    .await;
}

#[tokio::test]
async fn the_customer_ledger_lists_each_customer_and_its_statement() {
    on_each_backend(|t| async move {
        empty_books(&t).await;
        let year = store::today().year();
        post_books(&t, year).await;
        let finance = t.browser(Some(Role::Finance)).await;

        let list = t.get("/accounting/customers", Some(&finance)).await;
        assert_eq!(list.status, StatusCode::OK, "{}", list.body);
        let b = &list.body;
        let clientis = b.find("Clientis Group").unwrap();
        let horizon = b.find("Banque Horizon").unwrap();
        assert!(horizon < clientis, "in name order");
        assert!(b.contains(&format!(
            "href=\"/accounting/customers/{}?from=01/01/{year}",
            t.clientis
        )));
        assert!(b.contains(&format!("Solde au 31/12/{year}")));
        let csv = t.get("/accounting/customers.csv", Some(&finance)).await;
        assert_eq!(csv.status, StatusCode::OK);
        assert!(
            csv.body
                .contains("Client;Solde d’ouverture;Débit;Crédit;Solde final\r\n"),
            "{}",
            csv.body
        );
        assert!(
            csv.body
                .contains("Banque Horizon;0,00;7200,00;0,00;7200,00\r\n"),
            "{}",
            csv.body
        );
        assert!(
            csv.body
                .contains("Clientis Group;1200,00;14400,00;14400,00;1200,00\r\n")
        );

        let one = t
            .get(
                &format!("/accounting/customers/{}", t.clientis),
                Some(&finance),
            )
            .await;
        assert_eq!(one.status, StatusCode::OK, "{}", one.body);
        assert!(one.body.contains("Compte client · Clientis Group"));
        assert!(
            one.body
                .contains(&format!("id=\"customer-owed\">{}", fr("1 200,00"))),
            "{}",
            one.body
        );
        assert!(one.body.contains(&fr("15 600,00")) && !one.body.contains("FA-NEW-2"));
        let csv = t
            .get(
                &format!(
                    "/accounting/customers/{}/ledger.csv?from=01/01/{year}&to=15/01/{year}",
                    t.clientis
                ),
                Some(&finance),
            )
            .await;
        assert_eq!(csv.status, StatusCode::OK);
        assert!(
            csv.body.contains(&format!(
                "411;Clients;15/01/{year};;;;Total du compte 411;;;14400,00;0,00;15600,00"
            )),
            "{}",
            csv.body
        );
        assert!(!csv.body.contains("BQ-"));
        let bad = t
            .get(
                &format!("/accounting/customers/{}?to=2026-13-01", t.clientis),
                Some(&finance),
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.body.contains("Date invalide"));
        for missing in [
            "/accounting/customers/00000000-0000-0000-0000-000000000000",
            "/accounting/customers/nope",
        ] {
            assert_eq!(
                t.get(missing, Some(&finance)).await.status,
                StatusCode::NOT_FOUND,
                "{missing}"
            );
        }

        // The periods page groups the months by fiscal year.
        let p = t.get("/accounting/periods", Some(&finance)).await;
        assert!(
            p.body.contains(&format!("Exercice {year}"))
                && p.body.contains(&format!("Exercice {}", year - 1)),
            "{}",
            p.body
        );
        assert!(p.body.contains(&format!("du 01/01/{year} au 31/12/{year}")));

        let consultant = t.browser(Some(Role::Consultant)).await;
        for path in [
            "/accounting/ledger".to_owned(),
            "/accounting/ledger.csv".to_owned(),
            "/accounting/customers".to_owned(),
            "/accounting/customers.csv".to_owned(),
            format!("/accounting/customers/{}", t.clientis),
            format!("/accounting/customers/{}/ledger.csv", t.clientis),
        ] {
            let r = t.get(&path, Some(&consultant)).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}");
            assert!(!r.body.contains("Clientis Group"), "{path}");
        }
    })
    .await;
}

/// Bank entries wait in the brouillard (shown as such, counted, with the
/// validation form) until finance validates the journal up to a date, on
/// the page or over the API; refusals are said in words or as problem
/// documents naming the field, and validate nothing.
#[tokio::test]
async fn finance_validates_the_bank_journal_on_the_page_and_over_the_api() {
    on_each_backend(|t| async move {
        empty_books(&t).await;
        let year = store::today().year();
        post_books(&t, year).await;
        let finance = t.browser(Some(Role::Finance)).await;
        let page = t
            .get("/accounting/journal?journal=BQ", Some(&finance))
            .await;
        assert_eq!(page.status, StatusCode::OK);
        let b = &page.body;
        assert!(b.contains(&format!("BQ-{year}-B000001")), "{b}");
        assert!(
            b.contains("Écritures en attente de validation : 1, du 20/01/"),
            "{b}"
        );
        assert!(b.contains("action=\"/accounting/journal/validate\""), "{b}");
        // Other journals have no brouillard.
        let ve = t
            .get("/accounting/journal?journal=VE", Some(&finance))
            .await;
        assert!(!ve.body.contains("id=\"brouillard\""));

        let validate = |through: String| {
            let t = &t;
            let finance = &finance;
            async move {
                t.post_form(
                    "/accounting/journal/validate",
                    finance,
                    &[("journal", "BQ"), ("through", &through)],
                )
                .await;
                t.get("/accounting/journal?journal=BQ", Some(finance))
                    .await
                    .body
            }
        };
        let none = validate(format!("19/01/{year}")).await;
        assert!(
            none.contains(&format!("Aucune écriture en attente jusqu’au 19/01/{year}")),
            "{none}"
        );
        let tomorrow = store::today().next_day().unwrap();
        let future = validate(domain::locale::format_date(tomorrow, domain::Locale::Fr)).await;
        assert!(
            future.contains("On ne valide pas au-delà d’aujourd’hui"),
            "{future}"
        );
        let bad = validate("31/02/2026".into()).await;
        assert!(
            bad.contains(&format!("BQ-{year}-B000001")),
            "nothing validated: {bad}"
        );
        let done = validate(format!("31/01/{year}")).await;
        assert!(
            done.contains(&format!(
                "Écritures validées : 1, numérotées de BQ-{year}-000001 à BQ-{year}-000001."
            )),
            "{done}"
        );
        assert!(
            done.contains("Aucune écriture n’attend la validation."),
            "{done}"
        );

        // Over the API: a new receipt, then its validation.
        let today = store::today();
        let mut tx = t.db.begin().await.unwrap();
        store::ledger::post(
            &mut tx,
            &store::Actor::system("test"),
            &NewEntry {
                journal: Journal::Bq,
                date: today,
                label: "Virement Horizon".into(),
                piece_ref: None,
                lines: vec![
                    Line::debit("512", Money::from_euros(7_200), "Banque"),
                    Line::credit("411", Money::from_euros(7_200), "Banque Horizon")
                        .for_customer(t.horizon),
                ],
            },
            None,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let token = t.token(Role::Finance).await;
        let post = |body: String| {
            let t = &t;
            let token = token.clone();
            async move {
                t.api(
                    axum::http::Method::POST,
                    "/api/v1/ledger/validate",
                    Some(&token),
                    Some(&body),
                )
                .await
            }
        };
        // A journal that does not exist is a malformed body (400); a date
        // that is not one, or in the future, a refusal (422).
        for (body, status, field) in [
            (
                r#"{"journal":"XX","through":"2026-01-31"}"#.to_owned(),
                StatusCode::BAD_REQUEST,
                "journal",
            ),
            (
                r#"{"journal":"BQ","through":"2026-02-31"}"#.to_owned(),
                StatusCode::UNPROCESSABLE_ENTITY,
                "through",
            ),
            (
                format!(r#"{{"journal":"BQ","through":"{tomorrow}"}}"#),
                StatusCode::UNPROCESSABLE_ENTITY,
                "through",
            ),
        ] {
            let r = post(body.clone()).await;
            assert_eq!(r.status, status, "{body}: {}", r.body);
            assert!(r.content_type().starts_with("application/problem+json"));
            assert_eq!(r.json()["errors"][0]["field"], field, "{}", r.body);
        }
        let ok = post(format!(r#"{{"journal":"BQ","through":"{today}"}}"#)).await;
        assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
        let v = ok.json();
        assert_eq!(v["validated"], 1);
        assert_eq!(v["first_number"], format!("BQ-{year}-000002"));
        assert_eq!(v["still_waiting"], 0);
        let bm = t.token(Role::BusinessManager).await;
        let r = t
            .api(
                axum::http::Method::POST,
                "/api/v1/ledger/validate",
                Some(&bm),
                Some(&format!(r#"{{"journal":"BQ","through":"{today}"}}"#)),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    })
    .await;
}
