//! Lettering on a customer's statement: codes in their column, ticking
//! lines to letter them (partly, then fully), refusals in words, the
//! selection's balance, un-lettering with a required reason and its
//! history, the open/lettered filter and the CSV's code column. Finance
//! letters; direction reads only.

use axum::http::StatusCode;
use domain::ledger::{Journal, Line, NewEntry};
use domain::money::Money;
use domain::role::Role;

use crate::harness::{EmptyApp, on_each_backend_empty as on_each_backend};

fn fr(euros: &str) -> String {
    format!("{}\u{a0}€", euros.replace(' ', "\u{202f}"))
}

async fn post(t: &EmptyApp, journal: Journal, label: &str, lines: Vec<Line>) -> String {
    let mut tx = t.db.begin().await.unwrap();
    let p = store::ledger::post(
        &mut tx,
        &store::Actor::system("test"),
        &NewEntry {
            journal,
            date: store::today(),
            label: label.into(),
            piece_ref: Some(label.into()),
            lines,
        },
        None,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    p.id.to_string()
}

/// The codes shown in the lettering column, in page order.
fn codes(body: &str) -> Vec<String> {
    body.split("class=\"mono lettering-code\">")
        .skip(1)
        .map(|s| s[..s.find('<').unwrap()].to_owned())
        .filter(|c| !c.is_empty())
        .collect()
}

#[tokio::test]
async fn finance_letters_ticked_lines_and_unletters_with_a_reason() {
    on_each_backend(|t| async move {
        // A client whose account is empty, and another one.
        let c = t.w.client().create().await.id;
        let horizon = t.w.client().create().await.id;
        let ve = post(
            &t,
            Journal::Ve,
            "Facture FA-LET-1",
            vec![
                Line::debit("411", Money::from_euros(1_200), "Clientis").for_customer(c),
                Line::credit("706", Money::from_euros(1_000), "Prestations"),
                Line::credit("44574", Money::from_euros(200), "TVA"),
            ],
        )
        .await;
        let mut pays = Vec::new();
        for (n, amount) in [(1, 500), (2, 700)] {
            pays.push(
                post(
                    &t,
                    Journal::Bq,
                    &format!("Virement LET-{n}"),
                    vec![
                        Line::debit("512", Money::from_euros(amount), "Banque"),
                        Line::credit("411", Money::from_euros(amount), "Clientis").for_customer(c),
                    ],
                )
                .await,
            );
        }
        let (inv, p1, p2) = (
            format!("{ve}:1"),
            format!("{}:2", pays[0]),
            format!("{}:2", pays[1]),
        );
        let page = format!("/accounting/customers/{c}");
        let letter_path = format!("{page}/letter");
        let finance = t.browser(Some(Role::Finance)).await;

        let r = t.get(&page, Some(&finance)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(
            r.body.contains("<th scope=\"col\">Lettrage</th>"),
            "{}",
            r.body
        );
        assert!(r.body.contains(&format!("name=\"line\" value=\"{inv}\"")));
        assert!(r.body.contains("id=\"selected-sum\""));

        // The selection's balance, as the page asks for it while ticking.
        let sum = t
            .get(
                &format!("{page}/selection?line={inv}&line={p1}"),
                Some(&finance),
            )
            .await;
        assert_eq!(sum.status, StatusCode::OK);
        assert!(sum.body.contains(&fr("700,00")), "{}", sum.body);

        // The invoice and the first payment: a partial lettering, aa.
        let r = t
            .post_form(
                &letter_path,
                &finance,
                &[("line", &inv), ("line", &p1), ("show", "all")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert!(r.location().starts_with(&page), "{}", r.location());
        let b = t.get(r.location(), Some(&finance)).await.body;
        assert!(b.contains("Lignes lettrées."), "{b}");
        assert_eq!(codes(&b), ["aa", "aa"]);
        // The second payment with the invoice: AA, complete.
        let r = t
            .post_form(&letter_path, &finance, &[("line", &inv), ("line", &p2)])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let b = t.get(&page, Some(&finance)).await.body;
        assert_eq!(codes(&b), ["AA", "AA", "AA"]);
        // Settled lines can no longer be ticked.
        assert!(!b.contains(&format!("value=\"{inv}\"")));

        // Refused in words, the ticks kept, nothing written.
        let before = t.count("letterings").await;
        let r = t
            .post_form(
                &letter_path,
                &finance,
                &[("line", &p1), ("line", "garbage")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.body.contains("La ligne garbage n’existe pas."),
            "{}",
            r.body
        );
        let r = t.post_form(&letter_path, &finance, &[("line", &p1)]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("déjà lettrées (AA, soldé)"), "{}", r.body);
        let r = t.post_form(&letter_path, &finance, &[]).await;
        assert!(
            r.body.contains("Cochez les lignes à lettrer."),
            "{}",
            r.body
        );
        assert_eq!(t.count("letterings").await, before);

        // Open and lettered lines; the CSV carries the codes.
        let open = t
            .get(&format!("{page}?show=open"), Some(&finance))
            .await
            .body;
        assert!(
            !open.contains("FA-LET-1") && codes(&open).is_empty(),
            "{open}"
        );
        let lettered = t
            .get(&format!("{page}?show=lettered"), Some(&finance))
            .await
            .body;
        assert!(lettered.contains("FA-LET-1") && lettered.contains("Virement LET-2"));
        let csv = t.get(&format!("{page}/ledger.csv"), Some(&finance)).await;
        assert_eq!(csv.status, StatusCode::OK);
        assert!(csv.body.contains(";Solde;Lettrage\r\n"), "{}", csv.body);
        assert!(
            csv.body.contains(";1200,00;0,00;") && csv.body.contains(";AA\r\n"),
            "{}",
            csv.body
        );
        let open_csv = t
            .get(&format!("{page}/ledger.csv?show=open"), Some(&finance))
            .await;
        assert!(!open_csv.body.contains("FA-LET-1"));

        // Direction reads the codes but letters nothing.
        let direction = t.browser(Some(Role::Direction)).await;
        let d = t.get(&page, Some(&direction)).await;
        assert_eq!(d.status, StatusCode::OK);
        assert!(!d.body.contains("name=\"line\"") && !d.body.contains("/unletter"));
        assert_eq!(codes(&d.body), ["AA", "AA", "AA"]);
        let r = t
            .post_form(&letter_path, &direction, &[("line", &inv), ("line", &p1)])
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);

        // Un-lettering needs a reason, then keeps who, when and why.
        let at = b.find("/letterings/").unwrap() + "/letterings/".len();
        let id = &b[at..at + b[at..].find('/').unwrap()];
        let unletter = format!("{page}/letterings/{id}/unletter");
        let r = t.post_form(&unletter, &finance, &[("reason", "  ")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("Ce champ est obligatoire."), "{}", r.body);
        assert_eq!(codes(&t.get(&page, Some(&finance)).await.body).len(), 3);
        let r = t
            .post_form(
                &unletter,
                &finance,
                &[("reason", "Virement affecté au mauvais client")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let b = t.get(&page, Some(&finance)).await.body;
        assert!(b.contains("Lettrage défait."), "{b}");
        assert!(codes(&b).is_empty(), "{b}");
        let history = &b[b.find("id=\"lettering-history\"").unwrap()..];
        assert!(
            history.contains("Virement affecté au mauvais client"),
            "{history}"
        );
        assert!(
            history.contains(">AA<") && history.contains(&fr("1 200,00")),
            "{history}"
        );
        let finance_name = {
            let id = t.user_id(Role::Finance).await;
            let mut tx = t.db.read().await.unwrap();
            let u = store::users::get(&mut tx, id).await.unwrap();
            tx.commit().await.unwrap();
            u.display_name
        };
        assert!(history.contains(&finance_name), "{history}");
        // Twice: refused in words.
        let r = t
            .post_form(&unletter, &finance, &[("reason", "encore")])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("déjà défait"), "{}", r.body);
        // Another customer's page does not reach it.
        let other = format!("/accounting/customers/{}/letterings/{id}/unletter", horizon);
        let r = t.post_form(&other, &finance, &[("reason", "x")]).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        // Lettered again: a new code.
        t.post_form(
            &letter_path,
            &finance,
            &[("line", &inv), ("line", &p1), ("line", &p2)],
        )
        .await;
        assert_eq!(
            codes(&t.get(&page, Some(&finance)).await.body),
            ["AB", "AB", "AB"]
        );

        // In English, the column and the history speak English.
        t.post_form("/locale", &finance, &[("locale", "en"), ("back", "/")])
            .await;
        let en = t.get(&page, Some(&finance)).await.body;
        assert!(
            en.contains("Lettering") && en.contains("Undone letterings"),
            "{en}"
        );
    })
    .await;
}
