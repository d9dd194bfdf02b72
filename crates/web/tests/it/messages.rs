//! Refusals of the store and the domain carry values, written in the
//! reader's language: an English reader never sees a French date, amount
//! or label, and a count picks its plural form.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use domain::Role;

use crate::harness::*;

/// The message of the problem's error `code`, asked in `lang`.
async fn api_message(
    t: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    body: &serde_json::Value,
    lang: &str,
    code: &str,
) -> String {
    let req = Request::builder()
        .method(method)
        .uri(path)
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json")
        .header("accept-language", lang)
        .body(Body::from(body.to_string()))
        .unwrap();
    let r = t.send(req).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let problem = r.json();
    let errors = problem["errors"].as_array().expect("errors");
    let e = errors
        .iter()
        .find(|e| e["code"] == code)
        .unwrap_or_else(|| panic!("no {code} in {}", r.body));
    e["message"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn dates_and_amounts_of_a_refusal_follow_the_readers_language() {
    on_each_backend(|t| async move {
        let token = t.token(Role::Finance).await;
        let open = t
            .api(Method::GET, "/api/v1/open-items", Some(&token), None)
            .await;
        let item = open.json()[0].clone();
        let bank = crate::payments::api_bank(&t).await.id;
        let today = store::today();
        let y = today.year();
        let body = |received_on: String, amount: &str| {
            serde_json::json!({
                "client_id": item["client_id"],
                "bank_account_id": bank,
                "received_on": received_on,
                "amount": amount,
                "reference": "VIR",
                "allocations": [{"invoice_id": item["invoice_id"], "amount": "10.00"}],
            })
        };
        let path = "/api/v1/payments";

        // A date outside the open years: the window's two dates.
        let old = body(today.replace_year(y - 2).unwrap().to_string(), "10.00");
        let code = "ledger-date-outside-open-years";
        let fr = api_message(&t, Method::POST, path, &token, &old, "fr", code).await;
        assert!(
            fr.contains(&format!("du 01/01/{} au 31/12/{}", y - 1, y + 1)),
            "{fr}"
        );
        let en = api_message(&t, Method::POST, path, &token, &old, "en", code).await;
        assert!(
            en.contains(&format!("from 1 Jan {} to 31 Dec {}", y - 1, y + 1)),
            "{en}"
        );
        assert!(!en.contains("/"), "{en}");

        // More than the client owes: the open total as an amount.
        let big = body(today.to_string(), "99999999.00");
        let code = "payment-above-open-items";
        let fr = api_message(&t, Method::POST, path, &token, &big, "fr", code).await;
        let en = api_message(&t, Method::POST, path, &token, &big, "en", code).await;
        assert!(
            fr.contains(",00\u{a0}€)") || fr.contains("\u{a0}€)"),
            "{fr}"
        );
        assert!(en.contains("open invoices (€"), "{en}");
        assert!(!en.contains('\u{a0}'), "{en}");
    })
    .await;
}

#[tokio::test]
async fn a_count_picks_its_plural_form_in_english() {
    on_each_backend(|t| async move {
        let token = t.token(Role::Admin).await;
        let camille = t.camille;
        let body = serde_json::json!({
            "email": "camille.martin@stafforia.example",
            "display_name": "Camille Martin",
            "role": "business_manager",
        });
        let path = format!("/api/v1/users/{camille}");
        let code = "user-role-live-missions";
        let en = api_message(&t, Method::PUT, &path, &token, &body, "en", code).await;
        assert!(!en.contains("(s)"), "{en}");
        let n: u32 = en
            .trim_start_matches("This consultant has ")
            .split(' ')
            .next()
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("a count in {en}"));
        if n == 1 {
            assert!(en.contains("1 running or upcoming mission: end it"), "{en}");
        } else {
            assert!(
                en.contains(&format!("{n} running or upcoming missions: end them")),
                "{en}"
            );
        }
        // French keeps its wording.
        let fr = api_message(&t, Method::PUT, &path, &token, &body, "fr", code).await;
        assert!(
            fr.contains(&format!("{n} mission(s) en cours ou à venir")),
            "{fr}"
        );
    })
    .await;
}

#[tokio::test]
async fn missing_mentions_are_named_in_english() {
    on_each_backend_before_billing(|t| async move {
        let finance = t.browser(Some(Role::Finance)).await;
        let r = t
            .post_form(
                "/locale",
                &finance,
                &[("locale", "en"), ("back", "/invoices")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let id = crate::invoices::released_draft(&t).await;
        let href = format!("/invoices/{id}");
        crate::invoices::set_clientis_siren(&t, None).await;
        crate::invoices::clear_clientis_address(&t).await;
        let r = t
            .post_form(&format!("{href}/refresh-terms"), &finance, &[])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let today = domain::locale::format_date(store::today(), domain::Locale::Fr);
        let r = t
            .post_form(&format!("{href}/issue"), &finance, &[("date", &today)])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(
            r.body.contains(
                "Mandatory mentions missing, the invoice cannot be issued: SIREN, address."
            ),
            "{}",
            r.body
        );
        assert!(!r.body.contains("Mentions obligatoires"), "{}", r.body);
    })
    .await;
}
