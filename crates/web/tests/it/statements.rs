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
    id
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
        let today = store::now().date();
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
