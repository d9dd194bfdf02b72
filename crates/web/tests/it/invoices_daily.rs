//! What finance uses every day on invoices: the list's payment states in
//! words with the amount due, filtered and totalled over issued documents
//! only; a draft edited before issue (within the legal cap of payment
//! terms, nothing written when refused) whose PDF and Factur-X state the
//! edit; the issue's confirmation step; and "À facturer", which lists only
//! what is still to invoice, what waits for a signature apart, with links
//! between reports and the invoices that bill them.

use axum::http::{Method, StatusCode};
use domain::invoice::InvoiceStatus;
use domain::invoice::payment::PaymentState;
use domain::money::Money;
use domain::role::Role;
use domain::{Locale, locale::format_date};
use store::Actor;
use store::invoicing::read;

use crate::harness::{TestApp, on_each_backend, on_each_backend_before_billing};
use crate::invoices::{detail, download, pdf_text, released_draft, waiting};

fn fr(m: Money) -> String {
    m.format(Locale::Fr)
}

/// Every document of the list, whatever its page.
async fn all(t: &TestApp, f: &read::Filter) -> Vec<read::Summary> {
    let mut tx = t.db.read().await.unwrap();
    let l = read::list(&mut tx, f, 10_000).await.unwrap();
    tx.commit().await.unwrap();
    l
}

/// Records a payment of `amount` on `invoice`, received today, on the
/// firm's first bank account (opened on the page when there is none).
async fn pay(t: &TestApp, invoice: &read::Summary, amount: Money) {
    let mut tx = t.db.read().await.unwrap();
    let none = store::bank_accounts::active(&mut tx)
        .await
        .unwrap()
        .is_empty();
    tx.commit().await.unwrap();
    if none {
        let finance = t.browser(Some(Role::Finance)).await;
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
    }
    let mut tx = t.db.begin().await.unwrap();
    let bank = store::bank_accounts::active(&mut tx)
        .await
        .unwrap()
        .into_iter()
        .next()
        .expect("a bank account");
    store::payments::record(
        &mut tx,
        &Actor::system("test"),
        &store::payments::NewPayment {
            client_id: invoice.client_id,
            bank_account_id: bank.id,
            received_on: store::today(),
            amount,
            method: domain::payment::PaymentMethod::Transfer,
            reference: None,
            allocations: vec![store::payments::NewAllocation {
                invoice_id: invoice.id,
                amount,
            }],
            keep_excess: false,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

/// Moves an issued invoice's due date, as if it had been issued earlier.
async fn set_due(t: &TestApp, id: domain::ids::InvoiceId, due: time::Date) {
    let mut tx = t.db.begin().await.unwrap();
    store::on_tx!(&mut tx, |c| sqlx::query(
        "UPDATE invoices SET due_date = $2 WHERE id = $1"
    )
    .bind(id.to_string())
    .bind(due)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .unwrap();
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn the_state_filter_agrees_with_the_state_rule_on_every_document() {
    on_each_backend(|t| async move {
        let today = store::today();
        let everything = all(&t, &read::Filter::default()).await;
        assert!(!everything.is_empty());
        let mut seen = 0;
        for state in PaymentState::ALL {
            let f = read::Filter {
                state: Some(state),
                today: Some(today),
                ..Default::default()
            };
            let some = all(&t, &f).await;
            for s in &some {
                assert_eq!(s.payment_state(today), state, "{s:?}");
            }
            let expected = everything
                .iter()
                .filter(|s| s.payment_state(today) == state)
                .count();
            assert_eq!(some.len(), expected, "{state:?}");
            seen += some.len();
        }
        assert_eq!(seen, everything.len(), "every document has one state");
    })
    .await;
}

#[tokio::test]
async fn the_list_shows_states_amounts_due_and_totals_of_issued_documents_only() {
    on_each_backend_before_billing(|t| async move {
        let finance = t.browser(Some(Role::Finance)).await;
        let today = store::today();
        let today_fr = format_date(today, Locale::Fr);
        // One month released and issued; the other still waits.
        let href = format!("/invoices/{}", released_draft(&t).await);
        let r = t
            .post_form(&format!("{href}/issue"), &finance, &[("date", &today_fr)])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let held = waiting(&t).await;
        assert_eq!(held.len(), 1);
        let held_href = format!("/invoices/{}", held[0].id);
        let issued = all(&t, &read::Filter::default())
            .await
            .into_iter()
            .find(|s| s.status == InvoiceStatus::Issued)
            .unwrap();

        // Issued, nothing paid: "Émise", all of it due; the total counts
        // the issued invoice only, the held one apart.
        let list = t.get("/invoices", Some(&finance)).await;
        assert_eq!(list.status, StatusCode::OK, "{}", list.body);
        assert!(list.body.contains("En attente de signature"));
        assert!(list.body.contains(">Émise<"), "{}", list.body);
        let footer = list
            .body
            .split("id=\"invoice-list-total\"")
            .nth(1)
            .unwrap()
            .split("</tr>")
            .next()
            .unwrap()
            .to_owned();
        assert!(footer.contains(&fr(issued.gross)), "{footer}");
        assert!(
            !footer.contains(&fr(issued.gross + held[0].gross)),
            "drafts never added to issued: {footer}"
        );
        assert!(
            list.body.contains(&format!(
                "Non émis (brouillons et factures en attente de signature, TTC, hors total) : {}",
                fr(held[0].gross)
            )),
            "{}",
            list.body
        );
        assert!(
            list.body
                .contains(&format_date(issued.issue_date.unwrap(), Locale::Fr))
        );

        // Part paid: "Partiellement payée", the rest due, in the list, the
        // filter and on its page.
        pay(&t, &issued, Money::from_cents(10_000)).await;
        let rest = fr(issued.gross - Money::from_cents(10_000));
        let partly = t.get("/invoices?state=partly_paid", Some(&finance)).await;
        assert!(partly.body.contains(&href), "{}", partly.body);
        assert!(!partly.body.contains(&held_href));
        assert!(partly.body.contains("Partiellement payée"));
        assert!(partly.body.contains(&rest), "{}", partly.body);
        let shown = t.get(&href, Some(&finance)).await;
        assert!(shown.body.contains("Partiellement payée"), "{}", shown.body);
        assert!(shown.body.contains("Reste dû"));
        assert!(shown.body.contains(&rest));
        let waiting_only = t
            .get("/invoices?state=waiting_signature", Some(&finance))
            .await;
        assert!(waiting_only.body.contains(&held_href));
        assert!(!waiting_only.body.contains(&format!("{href}\"")));

        // Past its due date with something owed: late, even part paid.
        set_due(&t, issued.id, today - time::Duration::days(1)).await;
        let late = t.get("/invoices?state=overdue", Some(&finance)).await;
        assert!(late.body.contains(&href), "{}", late.body);
        assert!(late.body.contains("En retard"));
        let none = t.get("/invoices?state=partly_paid", Some(&finance)).await;
        assert!(!none.body.contains(&format!("{href}\"")));

        // Paid in full: "Payée", nothing due.
        pay(&t, &issued, issued.gross - Money::from_cents(10_000)).await;
        let paid = t.get("/invoices?state=paid", Some(&finance)).await;
        assert!(paid.body.contains(&href), "{}", paid.body);
        assert!(paid.body.contains(">Payée<"));
        // The e-invoicing status in words, its code secondary.
        let mine = t.get("/invoices", Some(&finance)).await;
        assert!(!mine.body.contains("200 — "), "{}", mine.body);
        // In English too.
        let en = t
            .get_with(
                "/invoices?state=paid",
                Some(&finance),
                &[("cookie", "regisseur_lang=en")],
            )
            .await;
        assert!(en.body.contains(">Paid<"), "{}", en.body);

        // Staff who invoice only.
        for role in [Role::Consultant, Role::ClientContact] {
            let b = t.browser(Some(role)).await;
            let r = t.get("/invoices?state=paid", Some(&b)).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{role:?}");
            let r = t
                .post_form(&format!("{href}/edit"), &b, &[("payment_days", "30")])
                .await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{role:?}");
        }
    })
    .await;
}

#[tokio::test]
async fn a_draft_is_edited_within_the_legal_cap_and_its_pdf_and_factur_x_say_so() {
    on_each_backend_before_billing(|t| async move {
        let finance = t.browser(Some(Role::Finance)).await;
        let id = released_draft(&t).await;
        let href = format!("/invoices/{id}");
        let edit = format!("{href}/edit");
        let invoice_id = detail(&t, id.parse().unwrap()).await.summary.id;
        let line = detail(&t, invoice_id).await.lines[0].id.clone();
        let shown = t.get(&href, Some(&finance)).await;
        assert!(
            shown.body.contains("id=\"invoice-edit-form\""),
            "{}",
            shown.body
        );
        // The issue is a step that says what will happen.
        assert!(shown.body.contains("id=\"issue-step\""));
        assert!(
            shown
                .body
                .contains("le prochain numéro de la série est pris")
        );
        assert!(shown.body.contains("Confirmer l’émission"));

        // Beyond the legal cap: refused beside the field, nothing written.
        let audits = t.count("audit_log").await;
        for (days, eom) in [("61", ""), ("46", "1"), ("trente", "")] {
            let r = t
                .post_form(
                    &edit,
                    &finance,
                    &[
                        ("po_number", "PO-2026-77"),
                        ("payment_days", days),
                        ("payment_end_of_month", eom),
                        ("line", &line),
                        ("rank", "1"),
                    ],
                )
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{days}");
            assert!(r.body.contains("edit-payment-days-error"), "{}", r.body);
            assert!(r.body.contains("value=\"PO-2026-77\""), "typed kept");
        }
        let r = t
            .post_form(
                &edit,
                &finance,
                &[("payment_days", "61"), ("line", &line), ("rank", "1")],
            )
            .await;
        assert!(r.body.contains("60"), "the cap named: {}", r.body);
        let r = t
            .post_form(
                &edit,
                &finance,
                &[("payment_days", "30"), ("line", &line), ("rank", "un")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.body.contains("Donnez un numéro à chaque ligne"),
            "{}",
            r.body
        );
        assert!(
            detail(&t, invoice_id).await.edit.is_none(),
            "nothing written"
        );
        assert_eq!(t.count("audit_log").await, audits);

        // Within the cap: kept, shown, and in the preview.
        let r = t
            .post_form(
                &edit,
                &finance,
                &[
                    ("po_number", " PO-2026-77 "),
                    ("buyer_reference", "Service achats DSI"),
                    ("note", "Merci de rappeler le numéro de commande."),
                    ("payment_days", "60"),
                    ("line", &line),
                    ("rank", "1"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let d = detail(&t, invoice_id).await;
        let e = d.edit.expect("the edit kept");
        assert_eq!(e.po_number.as_deref(), Some("PO-2026-77"));
        // The mission says 45 days end of month: the draft now says 60 days.
        assert_eq!(e.terms.days(), 60);
        assert!(!e.terms.end_of_month());
        let shown = t.get(&href, Some(&finance)).await;
        assert!(
            shown.body.contains("Brouillon enregistré"),
            "{}",
            shown.body
        );
        assert!(shown.body.contains("Service achats DSI"));
        assert!(shown.body.contains("60 jours"), "{}", shown.body);
        let (status, _, bytes) = download(&t, &format!("{href}/pdf"), &finance).await;
        assert_eq!(status, StatusCode::OK);
        if let Some(text) = pdf_text(&bytes) {
            for s in [
                "PO-2026-77",
                "Service achats DSI",
                "Merci de rappeler",
                "60 jours",
            ] {
                assert!(text.contains(s), "{s}: {text}");
            }
        }

        // Issued: the frozen terms carry the edit, the due date follows
        // its terms, and the Factur-X states the same.
        let today = store::today();
        let r = t
            .post_form(
                &format!("{href}/issue"),
                &finance,
                &[("date", &format_date(today, Locale::Fr))],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let d = detail(&t, invoice_id).await;
        let frozen = d.frozen.unwrap();
        assert_eq!(frozen.po_number.as_deref(), Some("PO-2026-77"));
        assert_eq!(
            frozen.buyer_reference.as_deref(),
            Some("Service achats DSI")
        );
        assert_eq!(
            d.summary.due_date,
            Some(
                domain::terms::PaymentTerms::new(60, false)
                    .unwrap()
                    .due_date(today)
            )
        );
        let mut tx = t.db.read().await.unwrap();
        let xml = app::invoicing::facturx::xml(&mut tx, invoice_id)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let xml = String::from_utf8(xml).unwrap();
        assert!(
            xml.contains("<ram:BuyerReference>Service achats DSI</ram:BuyerReference>"),
            "{xml}"
        );
        assert!(xml.contains("PO-2026-77"), "{xml}");
        assert!(
            xml.contains("Merci de rappeler le numéro de commande."),
            "{xml}"
        );
        assert!(xml.contains("60 jours"), "{xml}");

        // Issued, it is no longer edited.
        let r = t
            .post_form(
                &edit,
                &finance,
                &[("payment_days", "30"), ("line", &line), ("rank", "1")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        let shown = t.get(&href, Some(&finance)).await;
        assert!(!shown.body.contains("id=\"invoice-edit-form\""));
    })
    .await;
}

#[tokio::test]
async fn a_draft_is_edited_over_the_api() {
    on_each_backend_before_billing(|t| async move {
        let token = t.token(Role::Finance).await;
        let id = released_draft(&t).await;
        let path = format!("/api/v1/invoices/{id}");
        let invoice_id = id.parse().unwrap();
        let line = detail(&t, invoice_id).await.lines[0].id.clone();

        // Over the cap, or an order that does not name each line: 422
        // naming the field, nothing written.
        let r = t
            .api(
                Method::PATCH,
                &path,
                Some(&token),
                Some(r#"{"payment_days": 75}"#),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(r.json()["errors"][0]["field"], "payment_days", "{}", r.body);
        let r = t
            .api(
                Method::PATCH,
                &path,
                Some(&token),
                Some(r#"{"line_order": ["nope"]}"#),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(r.json()["errors"][0]["field"], "order", "{}", r.body);
        assert!(detail(&t, invoice_id).await.edit.is_none());

        // A field left out keeps its value.
        let r = t
            .api(
                Method::PATCH,
                &path,
                Some(&token),
                Some(&format!(
                    r#"{{"buyer_reference": "DSI", "line_order": ["{line}"]}}"#
                )),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let j = r.json();
        assert_eq!(j["buyer_reference"], "DSI");
        let before = detail(&t, invoice_id).await.frozen.unwrap();
        assert_eq!(j["payment_days"], before.payment_days);
        assert_eq!(j["line_order"][0], line.as_str());
        let r = t
            .api(
                Method::PATCH,
                &path,
                Some(&token),
                Some(r#"{"po_number": ""}"#),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(r.json()["po_number"].is_null());
        assert_eq!(r.json()["buyer_reference"], "DSI");

        // Not for a consultant.
        let consultant = t.token(Role::Consultant).await;
        let r = t
            .api(Method::PATCH, &path, Some(&consultant), Some("{}"))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    })
    .await;
}

#[tokio::test]
async fn to_invoice_lists_what_is_still_to_invoice_and_what_waits_apart() {
    on_each_backend_before_billing(|t| async move {
        let finance = t.browser(Some(Role::Finance)).await;
        let held = waiting(&t).await;
        assert_eq!(held.len(), 2);
        let months: Vec<domain::calendar::YearMonth> = held
            .iter()
            .map(|s| domain::calendar::YearMonth::parse(&s.period).unwrap())
            .collect();
        let (from, to) = (
            months.iter().min().unwrap().to_string(),
            months.iter().max().unwrap().to_string(),
        );
        let page = format!("/cras/billable?from={from}&to={to}");

        // Both months are on invoices held for Clientis's signature:
        // nothing to invoice, both shown apart.
        let r = t.get(&page, Some(&finance)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(
            r.body.contains("Rien à facturer sur cette période."),
            "{}",
            r.body
        );
        assert!(r.body.contains("id=\"billable-waiting\""), "{}", r.body);
        let csv = t
            .get(
                &format!("/cras/billable.csv?from={from}&to={to}"),
                Some(&finance),
            )
            .await;
        assert_eq!(
            csv.body.lines().count(),
            1,
            "the header alone: {}",
            csv.body
        );

        // Released into a draft, a month is to invoice until issued.
        let id = released_draft(&t).await;
        let href = format!("/invoices/{id}");
        let r = t.get(&page, Some(&finance)).await;
        assert!(r.body.contains("id=\"billable\""), "{}", r.body);
        assert!(r.body.contains("id=\"billable-waiting\""), "{}", r.body);
        // Issued, it is neither to invoice nor waiting.
        let today = format_date(store::today(), Locale::Fr);
        let r = t
            .post_form(&format!("{href}/issue"), &finance, &[("date", &today)])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let r = t.get(&page, Some(&finance)).await;
        assert!(r.body.contains("Rien à facturer sur cette période."));

        // The invoice names the reports it bills, and the report its invoice.
        let shown = t.get(&href, Some(&finance)).await;
        assert!(
            shown.body.contains("id=\"invoice-reports\""),
            "{}",
            shown.body
        );
        let report = shown
            .body
            .split("id=\"invoice-reports\"")
            .nth(1)
            .unwrap()
            .split("href=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_owned();
        assert!(report.starts_with("/cras/"), "{report}");
        let cra = t.get(&report, Some(&finance)).await;
        assert_eq!(cra.status, StatusCode::OK);
        assert!(cra.body.contains("id=\"cra-invoices\""), "{}", cra.body);
        assert!(cra.body.contains(&href), "{}", cra.body);
        // The consultant sees his report, not the invoices billing it.
        let camille = t.browser_of(Some(t.camille)).await;
        let his = t.get(&report, Some(&camille)).await;
        assert_eq!(his.status, StatusCode::OK);
        assert!(!his.body.contains("id=\"cra-invoices\""));
        assert!(!his.body.contains(&href));

        // Credited in full, its days are to invoice again.
        let r = t
            .post_form(
                &format!("{href}/credit"),
                &finance,
                &[
                    ("all", "1"),
                    ("reason", "Erreur de client"),
                    ("date", &today),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let r = t.get(&page, Some(&finance)).await;
        assert!(
            !r.body.contains("Rien à facturer sur cette période."),
            "{}",
            r.body
        );
        assert!(r.body.contains("id=\"billable\""), "{}", r.body);

        // Not for a consultant or a client contact.
        for role in [Role::Consultant, Role::ClientContact] {
            let b = t.browser(Some(role)).await;
            assert_eq!(t.get(&page, Some(&b)).await.status, StatusCode::FORBIDDEN);
        }
    })
    .await;
}
