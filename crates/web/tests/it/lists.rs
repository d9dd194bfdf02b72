//! Long lists through the pages: invoices and payments a page at a time
//! ("Précédent / Suivant") with their filters carried from page to page and
//! totals over the whole filter; the client picker that suggests as one
//! types, scoped like the lists; without script, the words typed filter.
// Amounts in cents are written euros_cents (1_000_00 = 1 000,00 €).
#![allow(clippy::inconsistent_digit_grouping)]

use std::collections::HashSet;

use axum::http::{Method, StatusCode};
use domain::calendar::YearMonth;
use domain::money::Money;
use domain::role::Role;

use crate::harness::{Browser, EmptyApp, on_each_backend_empty as on_each_backend};

/// The page's links, by their `rel`, unescaped as a browser would follow.
fn link(body: &str, rel: &str) -> Option<String> {
    let marker = format!(r#"" rel="{rel}""#);
    let end = body.find(&marker)?;
    let start = body[..end].rfind("href=\"")? + "href=\"".len();
    Some(body[start..end].replace("&amp;", "&").replace("&#38;", "&"))
}

/// The invoice links of a list page, in order.
fn invoice_links(body: &str) -> Vec<String> {
    body.split(r#"<a href="/invoices/"#)
        .skip(1)
        .filter_map(|s| s.get(..36))
        .filter(|id| uuid::Uuid::parse_str(id).is_ok())
        .map(str::to_owned)
        .collect()
}

async fn walk(t: &EmptyApp, b: &Browser, first: &str) -> (Vec<String>, Vec<String>) {
    let mut seen = Vec::new();
    let mut pages = Vec::new();
    let mut next = Some(first.to_owned());
    while let Some(url) = next {
        let r = t.get(&url, Some(b)).await;
        assert_eq!(r.status, StatusCode::OK, "{url}: {}", r.body);
        seen.extend(invoice_links(&r.body));
        pages.push(url);
        next = link(&r.body, "next");
        assert!(pages.len() < 50, "the walk ends");
    }
    (seen, pages)
}

#[tokio::test]
async fn the_invoice_list_pages_with_its_filters_and_totals() {
    on_each_backend(|t| async move {
        let acme = t.w.client().name("Acmé Industrie").create().await;
        let zebre = t.w.client().name("Zèbre Conseil").create().await;
        let m = |n: u8| YearMonth::new(2026, time::Month::try_from(n).unwrap());
        let numbers: Vec<String> = (1..=12).map(|n| format!("FA-2026-{n:06}")).collect();
        let mut rows = Vec::new();
        for (i, month) in [m(9), m(10), m(11)].into_iter().enumerate() {
            rows.push((month, None, false, 1_000_00));
            rows.push((month, None, false, 1_000_00));
            for k in 0..3 {
                rows.push((month, Some(numbers[i * 3 + k].as_str()), false, 2_000_00));
            }
        }
        let acme_ids = t.w.listed_invoices(&acme, &rows).await;
        t.w.listed_invoices(&zebre, &[(m(10), Some("FA-2026-000099"), false, 5_00)])
            .await;
        let b = t.browser(Some(Role::Finance)).await;

        // Everything, two a page: each document once.
        let (seen, pages) = walk(&t, &b, "/invoices?per_page=2").await;
        assert_eq!(seen.len(), acme_ids.len() + 1);
        assert_eq!(seen.iter().collect::<HashSet<_>>().len(), seen.len());
        assert_eq!(pages.len(), 8);

        // The client's name typed (the picker without script): his own
        // documents only, the filter in every link.
        let (seen, pages) = walk(&t, &b, "/invoices?client=acme&per_page=4").await;
        assert_eq!(seen.len(), acme_ids.len());
        assert!(acme_ids.iter().all(|id| seen.contains(&id.to_string())));
        assert!(
            pages
                .iter()
                .skip(1)
                .all(|p| p.contains("client=acme") && p.contains("per_page=4"))
        );
        // His id (a link from elsewhere): the same, his name in the field.
        let r = t
            .get(&format!("/invoices?client={}", acme.id), Some(&b))
            .await;
        assert!(r.body.contains(r#"value="Acmé Industrie""#), "{}", r.body);
        assert_eq!(invoice_links(&r.body).len(), acme_ids.len());

        // The total is the filter's, on every page, not the page's sum:
        // the issued documents only, the drafts apart.
        let first = t.get("/invoices?period=2026-10&per_page=2", Some(&b)).await;
        let total = Money::from_cents(3 * 2_000_00 + 5_00).format(domain::Locale::Fr);
        let drafts = Money::from_cents(2 * 1_200_00).format(domain::Locale::Fr);
        assert!(first.body.contains(&drafts), "{drafts}: {}", first.body);
        assert!(first.body.contains(&total), "{total}: {}", first.body);
        assert!(first.body.contains("6 résultat(s)"), "{}", first.body);
        let next = link(&first.body, "next").expect("a second page");
        assert!(next.contains("period=2026-10"), "{next}");
        let second = t.get(&next, Some(&b)).await;
        assert!(second.body.contains(&total));
        assert!(second.body.contains("← Précédent") && second.body.contains("Suivant →"));
        let back = t.get(&link(&second.body, "prev").unwrap(), Some(&b)).await;
        assert_eq!(invoice_links(&back.body), invoice_links(&first.body));

        // The client filter is a searching field, no longer a select of
        // every client.
        assert!(!first.body.contains(r#"<select id="client""#));
        assert!(
            first
                .body
                .contains(r#"hx-get="/companies/options?kind=client""#)
        );
        // A cursor edited by hand reads from the start; a page size above
        // the cap is clamped on a page.
        let r = t
            .get("/invoices?after=nonsense&per_page=5000", Some(&b))
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(invoice_links(&r.body).len(), acme_ids.len() + 1);
    })
    .await;
}

#[tokio::test]
async fn the_client_picker_suggests_what_the_user_may_see() {
    on_each_backend(|t| async move {
        for i in 0..30 {
            t.w.client()
                .name(&format!("Acmé Filiale {i:02}"))
                .create()
                .await;
        }
        t.w.client().name("Zèbre Conseil").create().await;
        t.w.client()
            .name("Zèbre Prospection")
            .kind("prospect")
            .create()
            .await;
        t.w.client()
            .name("Acme Fournitures")
            .kind("supplier")
            .create()
            .await;
        let finance = t.browser(Some(Role::Finance)).await;
        let r = t
            .get("/companies/options?kind=client&q=ACME", Some(&finance))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let options = r.body.matches("<option ").count();
        assert_eq!(options, 20, "at most twenty: {}", r.body);
        assert!(r.body.contains(r#"<option value="Acmé Filiale 00">"#));
        assert!(!r.body.contains("Fournitures"), "clients only");
        assert!(!r.body.contains("Zèbre"));
        // As the filter's own input sends itself.
        let r = t
            .get(
                "/companies/options?kind=client&client=zebre",
                Some(&finance),
            )
            .await;
        assert_eq!(r.body.matches("<option ").count(), 1);
        assert!(r.body.contains("Zèbre Conseil"));
        // The opportunities' picker: clients and prospects, no supplier.
        let r = t
            .get(
                "/companies/options?kind=client,prospect&q=zebre",
                Some(&finance),
            )
            .await;
        assert_eq!(r.body.matches("<option ").count(), 2, "{}", r.body);
        let r = t
            .get(
                "/companies/options?kind=client,prospect&q=fournitures",
                Some(&finance),
            )
            .await;
        assert_eq!(r.body.matches("<option ").count(), 0, "{}", r.body);

        // A client contact: his own company, whatever he types.
        let contact = t.browser(Some(Role::ClientContact)).await;
        let r = t.get("/companies/options?q=", Some(&contact)).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.body.matches("<option ").count(), 1, "{}", r.body);
        let r = t.get("/companies/options?q=acme", Some(&contact)).await;
        assert_eq!(r.body.matches("<option ").count(), 0, "{}", r.body);
        // A consultant sees no company.
        let consultant = t.browser(Some(Role::Consultant)).await;
        let r = t.get("/companies/options?q=acme", Some(&consultant)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    })
    .await;
}

#[tokio::test]
async fn the_payments_list_and_api_page() {
    on_each_backend(|t| async move {
        let acme = t.w.client().name("Acmé Industrie").create().await;
        let zebre = t.w.client().name("Zèbre Conseil").create().await;
        let today = store::today();
        for k in 0..5 {
            t.w.credit_payment(&acme, today, Money::from_cents(100_00 + k))
                .await;
        }
        t.w.credit_payment(&zebre, today, Money::from_cents(1_00))
            .await;
        let b = t.browser(Some(Role::Finance)).await;
        let mut seen = HashSet::new();
        let mut url = Some("/collections/payments?client=acme&per_page=2".to_owned());
        let mut pages = 0;
        while let Some(u) = url {
            let r = t.get(&u, Some(&b)).await;
            assert_eq!(r.status, StatusCode::OK, "{u}: {}", r.body);
            for s in r.body.split(r#"<a href="/collections/payments/"#).skip(1) {
                assert!(seen.insert(s[..36].to_owned()), "once");
            }
            assert!(!r.body.contains("Zèbre"));
            // The total of the filter on every page.
            assert!(
                r.body
                    .contains(&Money::from_cents(5 * 100_00 + 10).format(domain::Locale::Fr)),
                "{}",
                r.body
            );
            url = link(&r.body, "next");
            pages += 1;
        }
        assert_eq!((seen.len(), pages), (5, 3));

        // The API: numbered pages, the count, the cap refused naming the
        // parameter.
        let token = t.token(Role::Finance).await;
        let r = t
            .api(
                Method::GET,
                &format!("/api/v1/payments?client_id={}&per_page=2&page=3", acme.id),
                Some(&token),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let p = r.json();
        assert_eq!(p["total"], 5);
        assert_eq!(p["page"], 3);
        assert_eq!(p["items"].as_array().unwrap().len(), 1);
        assert!(p["items"][0]["allocations"].is_array());
        for (query, field) in [("per_page=201", "per_page"), ("page=0", "page")] {
            let r = t
                .api(
                    Method::GET,
                    &format!("/api/v1/payments?{query}"),
                    Some(&token),
                    None,
                )
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{query}");
            assert_eq!(r.json()["errors"][0]["field"], field, "{}", r.body);
        }
    })
    .await;
}

#[tokio::test]
async fn documents_statements_and_journal_show_their_pagers() {
    on_each_backend(|t| async move {
        let b = t.browser(Some(Role::Finance)).await;
        for path in [
            "/documents?page=2",
            "/collections/statements?page=3",
            "/accounting/journal?journal=VE&after=x",
            "/cras/late?group=consultant&page=9",
        ] {
            let r = t.get(path, Some(&b)).await;
            assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
        }
        // A consultant's documents page, a page at a time too.
        let c = t.browser(Some(Role::Consultant)).await;
        let r = t.get("/documents?page=1", Some(&c)).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("0 résultat(s)"), "{}", r.body);
    })
    .await;
}
