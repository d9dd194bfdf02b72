//! Payments and bank accounts through the pages, on a client's issued
//! invoice: a bad IBAN
//! and a payment above the open invoices are refused in French (422,
//! nothing written); a payment left unallocated goes to the oldest
//! invoice; its page shows what it settled.

use axum::http::StatusCode;
use domain::role::Role;

use domain::calendar::YearMonth;

use crate::harness::{EmptyApp, on_each_backend_empty as on_each_backend};

/// A client's invoice of last month, issued and unpaid.
async fn open_invoice(t: &EmptyApp) -> store::invoicing::read::Summary {
    let c = t.w.client().create().await;
    let m = t.w.mission(&c).create().await;
    t.w.issued_invoice(&m, YearMonth::of(store::today()).prev())
        .await
}

#[tokio::test]
async fn bank_accounts_and_payments_through_the_forms() {
    on_each_backend(|t| async move {
        open_invoice(&t).await;
        let finance = t.browser(Some(Role::Finance)).await;
        let page = t.get("/collections/bank-accounts", Some(&finance)).await;
        assert_eq!(page.status, StatusCode::OK);
        let accounts = t.count("bank_accounts").await;
        let r = t
            .post_form(
                "/collections/bank-accounts",
                &finance,
                &[
                    ("label", "Banque Test"),
                    ("iban", "FR7630004000031234567890144"),
                    ("bic", "X"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.body.contains("la clé de contrôle (modulo 97) est fausse"),
            "{}",
            r.body
        );
        assert!(r.body.contains("BIC invalide"));
        assert_eq!(t.count("bank_accounts").await, accounts, "nothing written");
        let r = t
            .post_form(
                "/collections/bank-accounts",
                &finance,
                &[
                    ("label", "Banque Test"),
                    ("iban", "FR14 2004 1010 0505 0001 3M02 606"),
                    ("bic", "PSSTFRPPPAR"),
                    ("ledger_account", "5121"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let page = t.get("/collections/bank-accounts", Some(&finance)).await;
        assert!(page.body.contains("FR14 2004 1010 0505 0001 3M02 606"));

        let mut tx = t.db.read().await.unwrap();
        let open = store::payments::open_items(&mut tx, None).await.unwrap();
        let banks = store::bank_accounts::active(&mut tx).await.unwrap();
        tx.commit().await.unwrap();
        let item = open.first().expect("an open invoice").clone();
        let bank = banks.iter().find(|b| b.ledger_account == "5121").unwrap();
        let form = t
            .get(
                &format!("/collections/payments/new?client={}", item.client_id),
                Some(&finance),
            )
            .await;
        assert_eq!(form.status, StatusCode::OK);
        assert!(
            form.body.contains(&item.number),
            "the client's open invoices"
        );
        // From the invoice's page: its client chosen, the amount it still
        // owes typed and allocated to it; an unknown invoice prefills nothing.
        let form = t
            .get(
                &format!("/collections/payments/new?invoice={}", item.invoice_id),
                Some(&finance),
            )
            .await;
        assert_eq!(form.status, StatusCode::OK);
        let due = item.outstanding.to_input();
        assert!(
            form.body.contains(&format!(
                "name=\"amount\" inputmode=\"decimal\" value=\"{due}\""
            )),
            "the amount due prefilled: {}",
            form.body
        );
        assert!(
            form.body.contains(&format!(
                "name=\"alloc.{}\" aria-label=\"{}\" inputmode=\"decimal\" value=\"{due}\"",
                item.invoice_id, item.number
            )),
            "allocated to the invoice"
        );
        let form = t
            .get(
                "/collections/payments/new?invoice=00000000-0000-0000-0000-000000000000",
                Some(&finance),
            )
            .await;
        assert_eq!(form.status, StatusCode::OK);
        assert!(
            !form.body.contains("id=\"payment-form\""),
            "no client chosen"
        );

        let total: i64 = open
            .iter()
            .filter(|i| i.client_id == item.client_id)
            .map(|i| i.outstanding.cents())
            .sum();
        let above = domain::money::Money::from_cents(total + 100).format(domain::Locale::Fr);
        let entries = t.count("ledger_entries").await;
        let payments0 = t.count("payments").await;
        // Dated today: the bank journal's numbers follow its dates.
        let today = domain::locale::format_date(store::today(), domain::Locale::Fr);
        let r = t
            .post_form(
                "/collections/payments",
                &finance,
                &[
                    ("client_id", item.client_id.to_string().as_str()),
                    ("bank_account_id", bank.id.to_string().as_str()),
                    ("received_on", today.as_str()),
                    ("amount", above.as_str()),
                    ("method", "transfer"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.body.contains("dépasse le total des factures ouvertes"),
            "{}",
            r.body
        );
        assert_eq!(t.count("ledger_entries").await, entries, "nothing written");
        assert_eq!(t.count("payments").await, payments0);

        // 100,00 left unallocated: it goes to the oldest invoice.
        let r = t
            .post_form(
                "/collections/payments",
                &finance,
                &[
                    ("client_id", item.client_id.to_string().as_str()),
                    ("bank_account_id", bank.id.to_string().as_str()),
                    ("received_on", today.as_str()),
                    ("amount", "100,00"),
                    ("method", "cheque"),
                    ("reference", "CHQ 1234567"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let show = t.get(r.location(), Some(&finance)).await;
        assert_eq!(show.status, StatusCode::OK);
        assert!(show.body.contains(&item.number));
        assert!(show.body.contains("100,00"));
        assert!(show.body.contains("Chèque"));
        let list = t.get("/collections/payments", Some(&finance)).await;
        assert!(list.body.contains("CHQ 1234567"));
        let invoice = t
            .get(&format!("/invoices/{}", item.invoice_id), Some(&finance))
            .await;
        assert!(invoice.body.contains("id=\"invoice-payments\""));
        assert!(
            invoice.body.contains("CHQ 1234567"),
            "the invoice shows its payment"
        );
        let en = t
            .get_with(
                "/collections/payments",
                Some(&finance),
                &[("accept-language", "en")],
            )
            .await;
        assert_eq!(en.status, StatusCode::OK);
    })
    .await;
}

#[tokio::test]
async fn the_api_records_a_payment_or_names_the_refused_field() {
    on_each_backend(|t| async move {
        open_invoice(&t).await;
        let token = t.token(Role::Finance).await;
        let open = t
            .api(
                axum::http::Method::GET,
                "/api/v1/open-items",
                Some(&token),
                None,
            )
            .await;
        assert_eq!(open.status, StatusCode::OK);
        let items = open.json();
        let item = &items.as_array().expect("a list")[0];
        let (client, invoice) = (
            item["client_id"].as_str().unwrap(),
            item["invoice_id"].as_str().unwrap(),
        );
        let bank = api_bank(&t).await;
        let body = |amount: &str, alloc: &str| {
            serde_json::json!({
                "client_id": client,
                "bank_account_id": bank.id,
                "received_on": store::today().to_string(),
                "amount": amount,
                "reference": "VIR API",
                "allocations": [{"invoice_id": invoice, "amount": alloc}],
            })
            .to_string()
        };
        let entries = t.count("ledger_entries").await;
        let r = t
            .api(
                axum::http::Method::POST,
                "/api/v1/payments",
                Some(&token),
                Some(&body("10.00", "99999999.00")),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(r.content_type(), "application/problem+json");
        assert_eq!(r.json()["errors"][0]["field"], "allocations");
        assert_eq!(
            r.json()["errors"][0]["code"],
            "payment-allocation-above-outstanding"
        );
        assert_eq!(t.count("ledger_entries").await, entries, "nothing written");
        let r = t
            .api(
                axum::http::Method::POST,
                "/api/v1/payments",
                Some(&token),
                Some(&body("abc", "1.00")),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json()["errors"][0]["field"], "amount");

        let r = t
            .api(
                axum::http::Method::POST,
                "/api/v1/payments",
                Some(&token),
                Some(&body("10.00", "10.00")),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let p = r.json();
        assert_eq!(p["amount"], "10.00");
        assert_eq!(p["allocations"][0]["invoice_id"], invoice);
        let show = t
            .api(axum::http::Method::GET, r.location(), Some(&token), None)
            .await;
        assert_eq!(show.status, StatusCode::OK);
        assert_eq!(show.json()["reference"], "VIR API");
    })
    .await;
}

/// Text the FEC cannot carry and dates outside the open fiscal years are
/// refused by the API, naming the field, with nothing posted or sealed.
#[tokio::test]
async fn the_api_refuses_control_characters_and_dates_outside_the_open_years() {
    on_each_backend(|t| async move {
        open_invoice(&t).await;
        let token = t.token(Role::Finance).await;
        let open = t
            .api(
                axum::http::Method::GET,
                "/api/v1/open-items",
                Some(&token),
                None,
            )
            .await;
        let item = open.json()[0].clone();
        let bank = api_bank(&t).await;
        let today = store::today();
        let two_years_ago = today.replace_year(today.year() - 2).unwrap();
        let (entries, payments) = (t.count("ledger_entries").await, t.count("payments").await);
        for (received_on, reference, field, code) in [
            (
                today.to_string(),
                "\u{1}\u{2}\u{3}",
                "reference",
                "field-control-characters",
            ),
            (
                today.to_string(),
                "VIR\nCLIENTIS",
                "reference",
                "field-control-characters",
            ),
            (
                "0001-01-01".to_string(),
                "VIR",
                "received_on",
                "ledger-date-outside-open-years",
            ),
            (
                "1970-01-01".to_string(),
                "VIR",
                "received_on",
                "ledger-date-outside-open-years",
            ),
            (
                two_years_ago.to_string(),
                "VIR",
                "received_on",
                "ledger-date-outside-open-years",
            ),
        ] {
            let body = serde_json::json!({
                "client_id": item["client_id"],
                "bank_account_id": bank.id,
                "received_on": received_on,
                "amount": "10.00",
                "reference": reference,
                "allocations": [{"invoice_id": item["invoice_id"], "amount": "10.00"}],
            });
            let r = t
                .api(
                    axum::http::Method::POST,
                    "/api/v1/payments",
                    Some(&token),
                    Some(&body.to_string()),
                )
                .await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{received_on} {reference:?}: {}",
                r.body
            );
            assert_eq!(r.json()["errors"][0]["field"], field, "{}", r.body);
            assert_eq!(r.json()["errors"][0]["code"], code, "{}", r.body);
        }
        assert_eq!(t.count("ledger_entries").await, entries, "nothing posted");
        assert_eq!(t.count("payments").await, payments, "nothing recorded");
    })
    .await;
}

/// Cancelling a payment through the API and seeing it on its page.
#[tokio::test]
async fn a_payment_is_cancelled_through_the_api_and_shown_cancelled() {
    on_each_backend(|t| async move {
        let paid = open_invoice(&t).await;
        t.w.payment(&paid, paid.gross).await;
        let token = t.token(Role::Finance).await;
        let list = t
            .api(
                axum::http::Method::GET,
                "/api/v1/payments",
                Some(&token),
                None,
            )
            .await;
        let json = list.json();
        let id = json["items"][0]["id"]
            .as_str()
            .expect("the payment")
            .to_owned();
        let r = t
            .api(
                axum::http::Method::POST,
                &format!("/api/v1/payments/{id}/reverse"),
                Some(&token),
                Some(r#"{"reason": ""}"#),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(r.json()["errors"][0]["field"], "reason");
        let r = t
            .api(
                axum::http::Method::POST,
                &format!("/api/v1/payments/{id}/reverse"),
                Some(&token),
                Some(r#"{"reason": "Virement d'un autre client"}"#),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["reversed_on"], store::today().to_string());
        let finance = t.browser(Some(Role::Finance)).await;
        let page = t
            .get(&format!("/collections/payments/{id}"), Some(&finance))
            .await;
        assert!(
            page.body.contains("id=\"payment-reversed\""),
            "{}",
            page.body
        );
        assert!(
            !page.body.contains("id=\"payment-reverse\""),
            "no second cancellation offered"
        );
    })
    .await;
}

/// A second bank account of the firm, for the API's payments.
pub(crate) async fn api_bank(t: &crate::harness::Http) -> store::bank_accounts::BankAccount {
    let mut tx = t.db.begin().await.unwrap();
    let bank = store::bank_accounts::create(
        &mut tx,
        &store::Actor::system("test"),
        &store::bank_accounts::BankAccountInput {
            label: "Banque API".into(),
            iban: "FR14 2004 1010 0505 0001 3M02 606".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    bank
}
