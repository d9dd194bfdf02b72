//! E-invoicing through the pages, on an invoice under VAT on receipts: the
//! invoice page shows the
//! lifecycle and its history; the status form refuses an illegal move and
//! a refusal without its reason in French (422, nothing written), records
//! a partial receipt; the e-reporting page reports it and refuses a bad
//! month in words, and shows a credit note after payment as a negative
//! "Avoir" line.
// Amounts in cents are written euros_cents (1_000_00 = 1 000,00 €).
#![allow(clippy::inconsistent_digit_grouping)]

use axum::http::StatusCode;
use domain::einvoice::{LifecycleStatus, Source};
use domain::role::Role;
use store::einvoicing::lifecycle;

use domain::calendar::YearMonth;

use crate::harness::{EmptyApp, on_each_backend_empty as on_each_backend};

/// A client's invoice of last month under VAT on receipts, issued and
/// unpaid, and the firm's bank account.
async fn issued(t: &EmptyApp) -> store::invoicing::read::Summary {
    let c = t.w.client().create().await;
    let m =
        t.w.mission(&c)
            .with(|m| m.vat_regime = "on_receipts".into())
            .create()
            .await;
    t.w.bank_account().await;
    t.w.issued_invoice(&m, YearMonth::of(store::today()).prev())
        .await
}

async fn history(t: &EmptyApp, id: domain::ids::InvoiceId) -> Vec<LifecycleStatus> {
    let mut tx = t.db.read().await.unwrap();
    let h = lifecycle::history(&mut tx, id).await.unwrap();
    tx.commit().await.unwrap();
    h.into_iter().map(|e| e.status).collect()
}

#[tokio::test]
async fn the_status_form_refuses_illegal_moves_in_french_and_records_a_receipt() {
    on_each_backend(|t| async move {
        let inv = issued(&t).await;
        let finance = t.browser(Some(Role::Finance)).await;
        let path = format!("/invoices/{}", inv.id);
        let page = t.get(&path, Some(&finance)).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.body.contains("id=\"einvoice\""),
            "the e-invoicing panel"
        );
        assert!(page.body.contains("Non déposée"));
        assert!(page.body.contains("En file d"), "its deposit is queued");

        // Deposited (as the worker would).
        let mut tx = t.db.begin().await.unwrap();
        lifecycle::record(
            &mut tx,
            &store::Actor::system("dépôt e-facture"),
            inv.id,
            &lifecycle::NewStatus {
                status: LifecycleStatus::Deposited,
                occurred_at: store::now(),
                source: Source::System,
                reason: None,
                amount: None,
                paid_on: None,
                message_id: None,
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let page = t.get(&path, Some(&finance)).await;
        assert!(page.body.contains("Déposée (200)"), "badge and history");
        assert!(page.body.contains("id=\"lifecycle-history\""));
        assert!(page.body.contains("id=\"lifecycle-form\""));
        assert!(
            !page.body.contains("<option value=\"209\""),
            "209 is not offered after 200"
        );

        let post = |fields: Vec<(&'static str, String)>| {
            let t = &t;
            let finance = &finance;
            let path = format!("{path}/lifecycle");
            async move {
                let f: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
                t.post_form(&path, finance, &f).await
            }
        };
        let audit = t.count("audit_log").await;
        // 209 Complétée only follows 208 Suspendue.
        let r = post(vec![
            ("status", "209".into()),
            ("date", "20/11/2026".into()),
        ])
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(
            r.body
                .contains("Ce statut ne peut pas suivre le statut actuel"),
            "{}",
            r.body
        );
        // 210 Refusée without its reason.
        let r = post(vec![
            ("status", "210".into()),
            ("date", "20/11/2026".into()),
        ])
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("Indiquez le motif"), "{}", r.body);
        // Garbage.
        let r = post(vec![
            ("status", "abc".into()),
            ("date", "hier".into()),
            ("amount", "x".into()),
        ])
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("Choisissez un statut dans la liste"));
        // 212 is not recorded by hand: it follows the payments.
        let r = post(vec![
            ("status", "212".into()),
            ("date", "20/11/2026".into()),
            ("amount", "100,00".into()),
        ])
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("Choisissez un statut dans la liste"));
        assert!(!r.body.contains("<option value=\"212\""), "not offered");
        assert_eq!(
            history(&t, inv.id).await,
            [LifecycleStatus::Deposited],
            "nothing written"
        );
        assert_eq!(t.count("audit_log").await, audit);

        // A partial payment, through the payment form (dated today: the
        // bank journal's numbers follow its dates).
        let today = domain::locale::format_date(store::today(), domain::Locale::Fr);
        let mut tx = t.db.read().await.unwrap();
        let bank = store::bank_accounts::active(&mut tx)
            .await
            .unwrap()
            .remove(0);
        tx.commit().await.unwrap();
        let client = inv.client_id.to_string();
        let r = t
            .post_form(
                "/collections/payments",
                &finance,
                &[
                    ("client_id", client.as_str()),
                    ("bank_account_id", bank.id.to_string().as_str()),
                    ("received_on", today.as_str()),
                    ("amount", "100,00"),
                    ("method", "transfer"),
                    ("reference", "VIR 1"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(
            history(&t, inv.id).await,
            [LifecycleStatus::Deposited, LifecycleStatus::Received]
        );
        let page = t.get(&path, Some(&finance)).await;
        assert!(page.body.contains("Encaissée (212)"));
        assert!(page.body.contains("Encaissé : 100,00"), "{}", page.body);

        // The list shows and filters by the lifecycle status.
        let list = t.get("/invoices?lifecycle=212", Some(&finance)).await;
        assert_eq!(list.status, StatusCode::OK);
        assert!(list.body.contains(inv.number.as_deref().unwrap()));
        let none = t.get("/invoices?lifecycle=205", Some(&finance)).await;
        assert!(!none.body.contains(inv.number.as_deref().unwrap()));

        // E-reporting of this month (the payment's).
        let month = domain::calendar::YearMonth::of(store::today()).to_string();
        let rep = t
            .get(
                &format!("/accounting/ereporting?month={month}"),
                Some(&finance),
            )
            .await;
        assert_eq!(rep.status, StatusCode::OK);
        assert!(
            rep.body.contains(inv.number.as_deref().unwrap()),
            "{}",
            rep.body
        );
        assert!(
            rep.body.contains("TVA sur les débits"),
            "the exclusion is said"
        );
        let csv = t
            .get(
                &format!("/accounting/ereporting.csv?month={month}"),
                Some(&finance),
            )
            .await;
        assert_eq!(csv.status, StatusCode::OK);
        assert!(csv.body.contains(";100,00;"), "{}", csv.body);
        let json = t
            .get(
                &format!("/accounting/ereporting.json?month={month}"),
                Some(&finance),
            )
            .await;
        assert_eq!(json.json()["month"], month.as_str());
        let bad = t
            .get("/accounting/ereporting?month=novembre", Some(&finance))
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.body.contains("Mois invalide"));

        // Not a failed deposit: nothing to deposit again.
        let r = t
            .post_form(&format!("{path}/redeposit"), &finance, &[])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("Seul un dépôt en échec"));
    })
    .await;
}

/// An invoice paid, then credited in full: the e-reporting page of the
/// month shows the credit note as a negative line labelled "Avoir" (in
/// English "Credit note"), the CSV as an `avoir` row, the JSON with its
/// kind.
#[tokio::test]
async fn the_ereporting_page_shows_a_credit_note_after_payment_as_a_negative_avoir_line() {
    on_each_backend(|t| async move {
        let inv = issued(&t).await;
        let today = store::today();
        let actor = store::Actor::system("test");
        let mut tx = t.db.begin().await.unwrap();
        let open = store::payments::open_items(&mut tx, None)
            .await
            .unwrap()
            .into_iter()
            .find(|o| o.invoice_id == inv.id)
            .unwrap();
        let bank = store::bank_accounts::active(&mut tx)
            .await
            .unwrap()
            .remove(0);
        store::payments::record(
            &mut tx,
            &actor,
            &store::payments::NewPayment {
                client_id: inv.client_id,
                bank_account_id: bank.id,
                received_on: today,
                amount: open.outstanding,
                method: domain::payment::PaymentMethod::Transfer,
                reference: Some("VIR SOLDE".into()),
                allocations: vec![store::payments::NewAllocation {
                    invoice_id: inv.id,
                    amount: open.outstanding,
                }],
                keep_excess: false,
            },
        )
        .await
        .unwrap();
        let note = store::invoicing::credit::credit(
            &mut tx,
            &actor,
            inv.id,
            &store::invoicing::CreditSelection::All,
            today,
            "Prestation contestée",
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();

        let month = domain::calendar::YearMonth::of(today).to_string();
        let finance = t.browser(Some(Role::Finance)).await;
        let json = t
            .get(
                &format!("/accounting/ereporting.json?month={month}"),
                Some(&finance),
            )
            .await
            .json();
        let line = json["lines"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["number"] == note.number.as_str())
            .expect("the credit note's line")
            .clone();
        assert_eq!(line["kind"], "credit_note");
        assert_eq!(line["invoice_id"], note.id.to_string());
        let received = domain::money::Money::from_cents(line["received"].as_i64().unwrap());
        assert!(received.is_negative(), "{line}");
        // Paid in full: all its VAT was due, all of it is taken back.
        let vat: i64 = line["shares"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["vat"].as_i64().unwrap())
            .sum();
        assert_eq!(vat, -note.vat.cents());

        let page = t
            .get(
                &format!("/accounting/ereporting?month={month}"),
                Some(&finance),
            )
            .await;
        assert_eq!(page.status, StatusCode::OK);
        let row = page
            .body
            .lines()
            .find(|l| l.contains(&note.number))
            .expect("a row of the credit note")
            .to_owned();
        assert!(
            row.contains(&format!(
                "{}</a> <span class=\"badge off\">Avoir</span>",
                note.number
            )),
            "{row}"
        );
        assert!(row.contains(&received.format(domain::Locale::Fr)), "{row}");
        assert!(page.body.contains("avoir qui reprend de la TVA"));
        let en = t
            .get_with(
                &format!("/accounting/ereporting?month={month}"),
                Some(&finance),
                &[("cookie", "regisseur_lang=en")],
            )
            .await;
        assert!(
            en.body.contains(&format!(
                "{}</a> <span class=\"badge off\">Credit note</span>",
                note.number
            )),
            "{}",
            en.body
        );
        assert!(en.body.contains(&received.format(domain::Locale::En)));

        let csv = t
            .get(
                &format!("/accounting/ereporting.csv?month={month}"),
                Some(&finance),
            )
            .await;
        assert!(
            csv.body
                .contains(&format!("avoir;{month};{};", note.number)),
            "{}",
            csv.body
        );
    })
    .await;
}
