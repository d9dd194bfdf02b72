//! Bank statements and matching pages: a malformed file is refused in
//! French with its line and element, nothing imported; a CSV paying a demo
//! invoice is imported, its suggestion shown and accepted once.

use domain::role::Role;
use store::bank_accounts::{self, BankAccountInput};

use crate::harness::{TestApp, on_each_backend};

const CAMT: &[u8] = include_bytes!("../../../domain/fixtures/statements/camt053.xml");
const IBAN: &str = "FR7630004000031234567890143";

/// The bank account of the fixtures' IBAN (the demo's, or a new one).
async fn bank(t: &TestApp) -> String {
    let mut tx = t.db.begin().await.unwrap();
    let existing = bank_accounts::list(&mut tx)
        .await
        .unwrap()
        .into_iter()
        .find(|b| b.iban == IBAN);
    let id = match existing {
        Some(b) => b.id,
        None => {
            bank_accounts::create(
                &mut tx,
                &store::Actor::system("test"),
                &BankAccountInput {
                    label: "BNP Paribas".into(),
                    iban: IBAN.into(),
                    bic: String::new(),
                    ledger_account: String::new(),
                    other_id: String::new(),
                },
            )
            .await
            .unwrap()
            .id
        }
    };
    tx.commit().await.unwrap();
    id.to_string()
}

fn csv_fields(bank: &str) -> Vec<(&str, &str)> {
    vec![
        ("bank_account_id", bank),
        ("format", "csv"),
        ("separator", ";"),
        ("skip_lines", "0"),
        ("date_format", "dd/mm/yyyy"),
        ("col_date", "Date"),
        ("col_label", "Libellé"),
        ("col_debit", "Débit"),
        ("col_credit", "Crédit"),
    ]
}

#[tokio::test]
async fn import_suggest_and_accept_once() {
    on_each_backend(|t| async move {
        let bank = bank(&t).await;
        let finance = t.browser(Some(Role::Finance)).await;

        // The demo imported its own statement and recorded two payments.
        let (statements0, payments0) = (t.count("bank_statements").await, t.count("payments").await);
        let page = t.get("/collections/statements", Some(&finance)).await;
        assert_eq!(page.status, 200, "{}", page.body);
        assert!(page.body.contains("Importer un relevé"));
        assert!(page.body.contains("value=\"Débit\""), "French mapping prefilled");

        // A malformed CAMT.053: refused in words, nothing imported.
        let bad = std::str::from_utf8(CAMT)
            .unwrap()
            .replacen(">8500.00<", ">8500,00<", 1);
        let r = t
            .post_multipart(
                "/collections/statements",
                &finance,
                &[("bank_account_id", &bank), ("format", "camt053")],
                Some(("file", "bad.xml", bad.as_bytes())),
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(
            r.body.contains("Document/BkToCstmrStmt/Stmt/Ntry/Amt"),
            "{}",
            r.body
        );
        assert!(r.body.contains("n&#39;est pas un montant") || r.body.contains("n'est pas un montant"));
        assert_eq!(t.count("bank_statements").await, statements0);

        // A CSV paying half of an open demo invoice.
        let mut tx = t.db.read().await.unwrap();
        let items = store::payments::open_items(&mut tx, None).await.unwrap();
        tx.commit().await.unwrap();
        let inv = items.first().expect("the demo has open invoices").clone();
        let half = inv.outstanding.cents() / 2;
        let today = store::today();
        let csv = format!(
            "Date;Libell\u{e9};D\u{e9}bit;Cr\u{e9}dit\n{:02}/{:02}/{};VIR SEPA RECU /MOTIF {} ACOMPTE;;{},{:02}\n",
            today.day(),
            u8::from(today.month()),
            today.year(),
            inv.number,
            half / 100,
            half % 100
        );
        let r = t
            .post_multipart(
                "/collections/statements",
                &finance,
                &csv_fields(&bank),
                Some(("file", "releve.csv", csv.as_bytes())),
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        assert!(r.location().starts_with("/collections/statements/"));
        let page = t.get(r.location(), Some(&finance)).await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains(&inv.number));

        let queue = t.get("/collections/matching", Some(&finance)).await;
        assert_eq!(queue.status, 200);
        assert!(queue.body.contains(&inv.number), "{}", queue.body);
        assert!(queue.body.contains("Accepter"));
        assert!(queue.body.contains("numéro de facture dans le libellé"));

        let line_id: String = store::on_pool!(&t.db, |c| sqlx::query_scalar(
            "SELECT id FROM bank_lines WHERE status = 'unmatched' AND amount_cents > 0
             AND label LIKE '%' || $1 || '%'"
        )
        .bind(&inv.number)
        .fetch_one(c)
        .await)
        .unwrap();
        let alloc = format!("{}:{}", inv.invoice_id, half);
        let path = format!("/collections/matching/{line_id}/accept");
        let r = t.post_form(&path, &finance, &[("allocations", &alloc)]).await;
        assert_eq!(r.status, 303, "{}", r.body);
        assert_eq!(t.count("payments").await, payments0 + 1);
        let after = t.get("/collections/matching", Some(&finance)).await;
        assert!(after.body.contains("Règlement enregistré"));
        assert!(!after.body.contains(&format!("line-{line_id}")));

        // Twice: told, nothing more recorded.
        let r = t.post_form(&path, &finance, &[("allocations", &alloc)]).await;
        assert_eq!(r.status, 303);
        let again = t.get("/collections/matching", Some(&finance)).await;
        assert!(again.body.contains("déjà été traitée"), "{}", again.body);
        assert_eq!(t.count("payments").await, payments0 + 1);

        // Direction sees the queue, cannot accept.
        let direction = t.browser(Some(Role::Direction)).await;
        let seen = t.get("/collections/matching", Some(&direction)).await;
        assert_eq!(seen.status, 200);
        let r = t.post_form(&path, &direction, &[("allocations", &alloc)]).await;
        assert_eq!(r.status, 403);
    })
    .await;
}

/// The demo's bank fee is posted to 627 from the matching page; its
/// unexplained transfer, once set aside, goes to the suspense account by
/// the API; the customers' account and a second posting are refused.
#[tokio::test]
async fn lines_no_invoice_explains_are_posted_to_the_chosen_account() {
    crate::harness::on_each_backend(|t| async move {
        let finance = t.browser(Some(domain::role::Role::Finance)).await;
        let mut tx = t.db.read().await.unwrap();
        let waiting = store::bank_postings::waiting(&mut tx, 50).await.unwrap();
        let queue = store::statements::unmatched_lines(&mut tx, 50).await.unwrap();
        tx.commit().await.unwrap();
        let fee = waiting
            .iter()
            .find(|l| l.amount_cents < 0)
            .expect("the demo's bank fee")
            .clone();
        let page = t.get("/collections/matching", Some(&finance)).await;
        assert!(page.body.contains(&format!("id=\"post-{}\"", fee.id)), "{}", page.body);
        let entries = t.count("ledger_entries").await;
        let r = t
            .post_form(
                &format!("/collections/matching/{}/post", fee.id),
                &finance,
                &[("account", "627")],
            )
            .await;
        assert_eq!(r.status, axum::http::StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(t.count("ledger_entries").await, entries + 1);
        let posted: (String, i64) = store::on_pool!(&t.db, |c| sqlx::query_as(
            "SELECT l.account, l.debit_cents FROM bank_lines b JOIN ledger_lines l ON l.entry_id = b.ledger_entry_id
             WHERE b.id = $1 AND l.debit_cents > 0"
        )
        .bind(fee.id.to_string())
        .fetch_one(c)
        .await)
        .unwrap();
        assert_eq!(posted, ("627".to_owned(), -fee.amount_cents));
        let page = t.get("/collections/matching", Some(&finance)).await;
        assert!(!page.body.contains(&format!("id=\"post-{}\"", fee.id)));

        let token = t.token(domain::role::Role::Finance).await;
        let again = t
            .api(
                axum::http::Method::POST,
                &format!("/api/v1/bank-lines/{}/post", fee.id),
                Some(&token),
                Some(r#"{"account": "627"}"#),
            )
            .await;
        assert_eq!(again.status, axum::http::StatusCode::UNPROCESSABLE_ENTITY, "{}", again.body);
        assert_eq!(again.json()["errors"][0]["code"], "bank-posting-handled");
        // The unexplained receipt: set aside, then parked in 471.
        let unexplained = queue.last().expect("a receipt in the queue").clone();
        let r = t
            .post_form(
                &format!("/collections/matching/{}/ignore", unexplained.id),
                &finance,
                &[],
            )
            .await;
        assert_eq!(r.status, axum::http::StatusCode::SEE_OTHER);
        let refused = t
            .api(
                axum::http::Method::POST,
                &format!("/api/v1/bank-lines/{}/post", unexplained.id),
                Some(&token),
                Some(r#"{"account": "411"}"#),
            )
            .await;
        assert_eq!(refused.status, axum::http::StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
        assert_eq!(refused.json()["errors"][0]["field"], "account");
        let ok = t
            .api(
                axum::http::Method::POST,
                &format!("/api/v1/bank-lines/{}/post", unexplained.id),
                Some(&token),
                Some(r#"{"account": "471"}"#),
            )
            .await;
        assert_eq!(ok.status, axum::http::StatusCode::OK, "{}", ok.body);
        assert!(ok.json()["entry_number"].as_str().unwrap().starts_with("BQ-"));
    })
    .await;
}

const MULTI: &[u8] = include_bytes!("../../../domain/fixtures/statements/camt053-multi.xml");
const CSV_15: &[u8] =
    include_bytes!("../../../domain/fixtures/statements/statement-multiline-iso8859-15.csv");

/// Issue 17 §3: a file of several statements imports those of known
/// accounts and says, in French, which were left aside and why; pending
/// entries are counted, not imported; a CSV in ISO-8859-15 with labels on
/// several lines reads; a new refusal names its line and column.
#[tokio::test]
async fn several_statements_pending_entries_and_csv_as_banks_send_them() {
    on_each_backend(|t| async move {
        let bank = bank(&t).await;
        let finance = t.browser(Some(Role::Finance)).await;
        let statements0 = t.count("bank_statements").await;

        let r = t
            .post_multipart(
                "/collections/statements",
                &finance,
                &[("bank_account_id", &bank), ("format", "camt053")],
                Some(("file", "releves.xml", MULTI)),
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        assert_eq!(r.location(), "/collections/statements");
        assert_eq!(t.count("bank_statements").await, statements0 + 2);
        let page = t.get("/collections/statements", Some(&finance)).await;
        assert!(page.body.contains("Relevés importés : 2 ; opérations : 3"), "{}", page.body);
        assert!(page.body.contains("laissées de côté"), "{}", page.body);
        let text = std::str::from_utf8(MULTI).unwrap();
        let line = 1 + text[..text.find("<Stmt>\n      <Id>2026120200002").unwrap()]
            .matches('\n')
            .count();
        assert!(
            page.body.contains(&format!(
                "Relevé n° 3 du fichier (ligne {line}) : le compte FR1420041010050500013M02606 n&#39;est aucun"
            )) || page.body.contains(&format!(
                "Relevé n° 3 du fichier (ligne {line}) : le compte FR1420041010050500013M02606 n'est aucun"
            )),
            "{}",
            page.body
        );

        // The day with a pending card payment says so.
        let id: String = store::on_pool!(&t.db, |c| sqlx::query_scalar(
            "SELECT id FROM bank_statements WHERE statement_ref = '2026120200001'"
        )
        .fetch_one(c)
        .await)
        .unwrap();
        let page = t.get(&format!("/collections/statements/{id}"), Some(&finance)).await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("id=\"not-booked\""), "{}", page.body);

        // CSV: declared ISO-8859-15, labels on several lines.
        let mut fields = csv_fields(&bank);
        fields.retain(|(k, _)| !k.starts_with("col_date") && !k.starts_with("col_debit") && !k.starts_with("col_credit"));
        fields.extend([
            ("col_date", "Date opération"),
            ("col_debit", "Débit euros"),
            ("col_credit", "Crédit euros"),
            ("encoding", "iso-8859-15"),
        ]);
        let r = t
            .post_multipart(
                "/collections/statements",
                &finance,
                &fields,
                Some(("file", "releve.csv", CSV_15)),
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        let page = t.get(r.location(), Some(&finance)).await;
        assert!(page.body.contains("12,00 € TTC"), "{}", page.body);
        assert!(page.body.contains("/MOTIF FA-2026-000014"), "{}", page.body);
        let form = t.get("/collections/statements", Some(&finance)).await;
        assert!(
            form.body.contains("<option value=\"iso-8859-15\" selected>"),
            "the encoding is remembered for the bank"
        );

        // A quote never closed: refused with its line and column.
        let bad = "Date opération;Libellé;Débit euros;Crédit euros\n01/12/2026;\"VIR;;1,00\n";
        let before = t.count("bank_statements").await;
        let r = t
            .post_multipart(
                "/collections/statements",
                &finance,
                &fields,
                Some(("file", "bad.csv", bad.as_bytes())),
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.body.contains("Ligne 2, colonne 2 : guillemet ouvert et jamais refermé"), "{}", r.body);
        assert_eq!(t.count("bank_statements").await, before);

        // The bank account form takes the bank's other identifier.
        let r = t
            .post_form(
                &format!("/collections/bank-accounts/{bank}"),
                &finance,
                &[
                    ("label", "BNP Paribas"),
                    ("bic", ""),
                    ("ledger_account", "512"),
                    ("other_id", "30004 00003 12345678901 43"),
                    ("active", "1"),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        let page = t.get("/collections/bank-accounts", Some(&finance)).await;
        assert!(page.body.contains("30004000031234567890143"), "{}", page.body);
    })
    .await;
}
