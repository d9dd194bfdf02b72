//! Each role's home page: its tiles, their figures on data built for the
//! test, the lists they link to, and their scope (a business manager's
//! figures are his missions', a client contact's his company's). The
//! client portal's invoices, reached only within one's company. The menu
//! of each role: its groups, and only pages the role may open.

use axum::http::StatusCode;
use domain::calendar::YearMonth;
use domain::ids::CompanyId;
use domain::money::Money;
use domain::role::Role;
use fixtures::build::Client;
use store::missions::Mission;
use time::Duration;

use crate::harness::{EmptyApp, on_each_backend_empty as on_each_backend};

/// The tile `key` of a page: its markup up to its end.
fn tile<'a>(body: &'a str, key: &str) -> &'a str {
    let marker = format!(r#"data-tile="{key}""#);
    let start = body
        .find(&marker)
        .unwrap_or_else(|| panic!("no tile {key} in {body}"));
    let start = body[..start].rfind("<a ").unwrap_or(start);
    let end = body[start..].find("</a>").map_or(body.len(), |e| start + e);
    &body[start..end]
}

/// An issued invoice of `client` written as a bare row: `gross` TTC, due
/// `late_by` days ago (negative: not yet due). Returns its id.
async fn issued_row(
    t: &EmptyApp,
    client: &Client,
    mission: Option<&Mission>,
    number: &str,
    gross: i64,
    late_by: i64,
) -> String {
    let today = store::today();
    let id = uuid::Uuid::new_v4().to_string();
    let net = gross * 100 / 120;
    let mut tx = t.db.begin().await.unwrap();
    store::on_tx!(&mut tx, |c| sqlx::query(
        "INSERT INTO invoices (id, kind, status, client_id, period, series, number, issue_date, due_date,
           net_cents, vat_cents, gross_cents, created_at, mission_id)
         VALUES ($1, 'invoice', 'issued', $2, '2026-01', 'FA', $3, $4, $5, $6, $7, $8, $9, $10)"
    )
    .bind(&id)
    .bind(client.id.to_string())
    .bind(number)
    .bind(today - Duration::days(late_by + 30))
    .bind(today - Duration::days(late_by))
    .bind(net)
    .bind(gross - net)
    .bind(gross)
    .bind(store::now())
    .bind(mission.map(|m| m.id.to_string()))
    .execute(c)
    .await
    .map(|_| ()))
    .unwrap();
    tx.commit().await.unwrap();
    id
}

fn fr(cents: i64) -> String {
    Money::from_cents(cents).format(domain::Locale::Fr)
}

/// Finance and direction: drafts, overdue, lines to match, FAE, the
/// month's revenue; each tile links to its list, amounts as in French
/// (`1 234,56 €`, never broken before the euro sign).
#[tokio::test]
async fn finance_and_direction_see_their_figures_with_links() {
    on_each_backend(|t| async move {
        let today = store::today();
        let month = YearMonth::of(today);
        let clientis = t.w.client().name("Clientis Group").create().await;
        let m = t.w.mission(&clientis).create().await;
        // Last month issued on the 1st of this month (the month's revenue),
        // the month before left a draft, and an old invoice 40 days late.
        let issued = t.w.issued_invoice(&m, month.prev()).await;
        let draft = t.w.draft_invoice(&m, month.prev().prev()).await;
        issued_row(&t, &clientis, None, "FA-TEST-LATE", 123_456, 40).await;

        let finance = t.browser(Some(Role::Finance)).await;
        let home = t.get("/", Some(&finance)).await;
        assert_eq!(home.status, StatusCode::OK, "{}", home.body);
        let drafts = tile(&home.body, "drafts");
        assert!(
            drafts.contains(r#"href="/invoices?status=draft""#),
            "{drafts}"
        );
        assert!(drafts.contains(r#"<div class="n">1</div>"#), "{drafts}");
        assert!(
            drafts.contains(&draft.gross.format(domain::Locale::Fr)),
            "{drafts}"
        );
        let overdue = tile(&home.body, "overdue");
        assert!(overdue.contains(r#"href="/collections""#), "{overdue}");
        assert!(overdue.contains(&fr(123_456)), "{overdue}");
        assert!(overdue.contains("1 facture(s)"), "{overdue}");
        let matching = tile(&home.body, "to-match");
        assert!(matching.contains(r#"href="/collections/matching""#));
        assert!(matching.contains(r#"<div class="n">0</div>"#), "{matching}");
        let fae = tile(&home.body, "fae");
        assert!(fae.contains(r#"href="/invoices/waiting""#) && fae.contains("0,00\u{a0}€"));
        let revenue = tile(&home.body, "revenue-month");
        // The issued invoice (issued this month) and the late one (issued
        // 70 days ago, another month) : only the first counts.
        assert!(
            revenue.contains(&issued.net.format(domain::Locale::Fr)),
            "{revenue}"
        );
        assert!(revenue.contains(&format!(r#"href="/invoices?period={month}""#)));
        // No company counters nor chart any more.
        assert!(!home.body.contains("Sociétés par type"));
        // Every tile's link opens for her.
        for href in [
            "/invoices?status=draft",
            "/collections",
            "/collections/matching",
            "/invoices/waiting",
        ] {
            assert_eq!(
                t.get(href, Some(&finance)).await.status,
                StatusCode::OK,
                "{href}"
            );
        }

        let direction = t.browser(Some(Role::Direction)).await;
        let home = t.get("/", Some(&direction)).await;
        let revenue = tile(&home.body, "revenue-month");
        assert!(
            revenue.contains(&issued.net.format(domain::Locale::Fr)),
            "{revenue}"
        );
        assert!(
            revenue.contains("Un an plus tôt : 0,00\u{a0}€"),
            "{revenue}"
        );
        let year = tile(&home.body, "revenue-year");
        // This year to date: the invoice of this month and the late one if
        // it was issued this year.
        let late_issue = today - Duration::days(70);
        let expected = issued.net.cents()
            + if late_issue.year() == today.year() {
                102_880
            } else {
                0
            };
        assert!(year.contains(&fr(expected)), "{year}");
        assert!(tile(&home.body, "dso").contains(r#"href="/collections""#));
        assert!(tile(&home.body, "late-cras").contains(r#"href="/cras/late""#));
        assert!(tile(&home.body, "renewals").contains(r#"href="/renewals""#));
    })
    .await;
}

/// A business manager's figures are his missions': the overdue of his
/// clients only, the reports missing and the renewals of his missions.
#[tokio::test]
async fn a_business_manager_sees_only_his_missions_figures() {
    on_each_backend(|t| async move {
        let today = store::today();
        let clientis = t.w.client().name("Clientis Group").create().await;
        let horizon = t.w.client().name("Banque Horizon").create().await;
        // Bruno manages the Clientis mission (the builder's manager)...
        let m = t.w.mission(&clientis).create().await;
        let bruno = t.w.managers().await.0.id;
        // ...Béa the Horizon one, which ends in 20 days.
        let bea =
            t.w.user(Role::BusinessManager)
                .name("Béatrice Aubry")
                .create()
                .await
                .id;
        let end = (today + Duration::days(20)).to_string();
        let h =
            t.w.mission(&horizon)
                .with(|i| {
                    i.business_manager_id = bea.to_string();
                    i.end_date = end.clone();
                })
                .create()
                .await;
        issued_row(&t, &clientis, Some(&m), "FA-TEST-C", 60_000, 10).await;
        issued_row(&t, &horizon, Some(&h), "FA-TEST-H", 240_000, 10).await;

        let home = t.get("/", Some(&t.browser_of(Some(bruno)).await)).await;
        assert_eq!(home.status, StatusCode::OK, "{}", home.body);
        let overdue = tile(&home.body, "overdue");
        assert!(overdue.contains(&fr(60_000)), "{overdue}");
        assert!(!overdue.contains(&fr(240_000)), "{overdue}");
        assert!(tile(&home.body, "renewals").contains(r#"<div class="n">0</div>"#));
        let waiting = tile(&home.body, "waiting");
        assert!(
            waiting.contains(r#"href="/invoices?status=waiting_signature&#38;mine=1""#),
            "{waiting}"
        );
        assert!(overdue.contains(r#"href="/invoices?state=overdue&#38;mine=1""#));
        assert!(tile(&home.body, "late-cras").contains(r#"href="/cras/late?mine=1""#));
        // His lists behind the tiles: his overdue invoice, not Béa's; all
        // of them when he unticks the box; his renewals, not Béa's.
        let b = t.browser_of(Some(bruno)).await;
        let late = t.get("/invoices?state=overdue&mine=1", Some(&b)).await;
        assert_eq!(late.status, StatusCode::OK, "{}", late.body);
        assert!(late.body.contains("FA-TEST-C"), "{}", late.body);
        assert!(!late.body.contains("FA-TEST-H"), "{}", late.body);
        assert!(late.body.contains(r#"id="mine" checked"#), "{}", late.body);
        // Unticked, still his portfolio's: a business manager never sees
        // the invoices of missions he never held.
        let every = t.get("/invoices?state=overdue", Some(&b)).await;
        assert!(every.body.contains("FA-TEST-C") && !every.body.contains("FA-TEST-H"));
        // So the box only shows to undo a tile's filter.
        assert!(!every.body.contains(r#"id="mine""#));
        let renewals = t.get("/renewals?mine=1", Some(&b)).await;
        assert_eq!(renewals.status, StatusCode::OK);
        assert!(
            !renewals.body.contains("Banque Horizon"),
            "{}",
            renewals.body
        );
        let all = t.get("/renewals", Some(&b)).await;
        assert!(!all.body.contains("Banque Horizon"));

        let home = t.get("/", Some(&t.browser_of(Some(bea)).await)).await;
        let overdue = tile(&home.body, "overdue");
        assert!(overdue.contains(&fr(240_000)), "{overdue}");
        assert!(!overdue.contains(&fr(60_000)), "{overdue}");
        let renewals = tile(&home.body, "renewals");
        assert!(renewals.contains(r#"<div class="n">1</div>"#), "{renewals}");
    })
    .await;
}

/// A delivery manager: reports to validate, late, leave to approve.
#[tokio::test]
async fn a_delivery_manager_sees_reports_and_leave_to_handle() {
    on_each_backend(|t| async move {
        let clientis = t.w.client().create().await;
        let m = t.w.mission(&clientis).create().await;
        t.w.client_validated_month(&m, YearMonth::of(store::today()).prev())
            .await;
        let dm = t.w.managers().await.1.id;
        let home = t.get("/", Some(&t.browser_of(Some(dm)).await)).await;
        let validate = tile(&home.body, "to-validate");
        assert!(validate.contains(r#"href="/cras?status=client_validated""#));
        assert!(validate.contains(r#"<div class="n">1</div>"#), "{validate}");
        assert!(tile(&home.body, "leave").contains(r#"href="/leave/team""#));
        assert!(tile(&home.body, "late-cras").contains(r#"href="/cras/late""#));
    })
    .await;
}

/// A consultant: his report of the month, his leave, documents to sign;
/// no firm figure.
#[tokio::test]
async fn a_consultant_sees_his_own_things_only() {
    on_each_backend(|t| async move {
        let clientis = t.w.client().create().await;
        let camille = t.w.consultant("Camille Martin").await;
        let m = t.w.mission(&clientis).consultant(&camille).create().await;
        let cra = t.w.opened_month(&m, YearMonth::of(store::today())).await;
        let home = t
            .get("/", Some(&t.browser_of(Some(camille.id)).await))
            .await;
        let mine = tile(&home.body, "my-cra");
        assert!(mine.contains(&format!(r#"href="/cras/{cra}""#)), "{mine}");
        assert!(mine.contains("Brouillon"), "{mine}");
        assert!(tile(&home.body, "leave").contains(r#"href="/leave""#));
        assert!(tile(&home.body, "to-sign").contains(r#"href="/documents""#));
        for key in ["overdue", "drafts", "revenue-month", "fae"] {
            assert!(
                !home.body.contains(&format!(r#"data-tile="{key}""#)),
                "{key}"
            );
        }
    })
    .await;
}

/// A client contact: his company's invoices left to pay and overdue, never
/// another company's; the portal lists his company's issued documents and
/// downloads only those, whatever id is typed.
#[tokio::test]
async fn a_client_contact_reaches_only_his_companys_invoices() {
    on_each_backend(|t| async move {
        let clientis = t.w.client().name("Clientis Group").create().await;
        let horizon = t.w.client().name("Banque Horizon").create().await;
        let m = t.w.mission(&clientis).create().await;
        let h = t.w.mission(&horizon).create().await;
        let month = YearMonth::of(store::today()).prev();
        let ours = t.w.issued_invoice(&m, month).await;
        let theirs = t.w.issued_invoice(&h, month).await;
        let our_draft = t.w.draft_invoice(&m, month.prev()).await;
        let late = issued_row(&t, &clientis, None, "FA-TEST-LATE", 123_456, 40).await;
        issued_row(&t, &horizon, None, "FA-TEST-OTHER", 99_900, 40).await;
        let sophie =
            t.w.user(Role::ClientContact)
                .name("Sophie Bernard")
                .of(&clientis)
                .create()
                .await;
        let b = t.browser_of(Some(sophie.id)).await;

        let home = t.get("/", Some(&b)).await;
        assert_eq!(home.status, StatusCode::OK, "{}", home.body);
        let overdue = tile(&home.body, "overdue");
        assert!(overdue.contains(r#"href="/portal/invoices""#));
        assert!(overdue.contains(&fr(123_456)), "{overdue}");
        let due = tile(&home.body, "invoices-due");
        assert!(due.contains(&fr(ours.gross.cents() + 123_456)), "{due}");
        assert!(due.contains("2 facture(s)"), "{due}");
        assert!(tile(&home.body, "to-validate").contains(r#"href="/cras""#));
        assert!(tile(&home.body, "to-sign").contains(r#"href="/documents""#));

        let list = t.get("/portal/invoices", Some(&b)).await;
        assert_eq!(list.status, StatusCode::OK, "{}", list.body);
        let number = ours.number.clone().unwrap();
        assert!(list.body.contains(&number), "{}", list.body);
        assert!(list.body.contains("FA-TEST-LATE"));
        assert!(!list.body.contains(&theirs.number.clone().unwrap()));
        assert!(!list.body.contains("FA-TEST-OTHER"));
        assert!(
            list.body
                .contains(&format!("/portal/invoices/{}/facturx.pdf", ours.id))
        );
        // What is left to pay, the due date.
        assert!(list.body.contains(&ours.gross.format(domain::Locale::Fr)));
        assert!(list.body.contains(&domain::locale::format_date(
            ours.due_date.unwrap(),
            domain::Locale::Fr
        )));

        let pdf = t
            .get(&format!("/portal/invoices/{}/pdf", ours.id), Some(&b))
            .await;
        assert_eq!(pdf.status, StatusCode::OK);
        assert_eq!(pdf.content_type(), "application/pdf");
        let fx = t
            .get(
                &format!("/portal/invoices/{}/facturx.pdf", ours.id),
                Some(&b),
            )
            .await;
        assert_eq!(fx.status, StatusCode::OK);
        // Another company's document, a draft of his own company, an id
        // that exists nowhere: not found, nothing said about it.
        let nowhere = uuid::Uuid::new_v4().to_string();
        for id in [theirs.id.to_string(), our_draft.id.to_string(), nowhere] {
            for file in ["pdf", "facturx.pdf"] {
                let r = t
                    .get(&format!("/portal/invoices/{id}/{file}"), Some(&b))
                    .await;
                assert_eq!(r.status, StatusCode::NOT_FOUND, "{id}/{file}");
            }
        }
        let _ = late;
        // The firm's own invoice pages stay closed to him.
        for path in [
            format!("/invoices/{}", ours.id),
            format!("/invoices/{}/pdf", ours.id),
        ] {
            assert_eq!(
                t.get(&path, Some(&b)).await.status,
                StatusCode::FORBIDDEN,
                "{path}"
            );
        }
        // Staff do not use the portal.
        let finance = t.browser(Some(Role::Finance)).await;
        assert_eq!(
            t.get("/portal/invoices", Some(&finance)).await.status,
            StatusCode::FORBIDDEN
        );
    })
    .await;
}

/// The scoped store queries on their own: a company's scope never returns
/// another company's document, a consultant's none.
#[tokio::test]
async fn the_portal_queries_are_scoped() {
    on_each_backend(|t| async move {
        let clientis = t.w.client().create().await;
        let horizon = t.w.client().create().await;
        let m = t.w.mission(&clientis).create().await;
        let h = t.w.mission(&horizon).create().await;
        let month = YearMonth::of(store::today()).prev();
        let ours = t.w.issued_invoice(&m, month).await;
        let theirs = t.w.issued_invoice(&h, month).await;
        let camille = t.w.consultant("Camille Martin").await;
        let mut tx = t.db.read().await.unwrap();
        let read = store::invoicing::read::issued_in_scope;
        let scope: CompanyId = clientis.id;
        let listed = read(&mut tx, store::Scope::Company(scope), 100)
            .await
            .unwrap();
        assert_eq!(
            listed.iter().map(|s| s.id).collect::<Vec<_>>(),
            vec![ours.id]
        );
        assert!(
            read(&mut tx, store::Scope::Own(camille.id), 100)
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            read(&mut tx, store::Scope::All, 100).await.unwrap().len(),
            2
        );
        let one = store::invoicing::read::issued_one;
        assert!(matches!(
            one(&mut tx, store::Scope::Company(scope), theirs.id).await,
            Err(store::Error::NotFound)
        ));
        assert!(
            one(&mut tx, store::Scope::Company(scope), ours.id)
                .await
                .is_ok()
        );
        tx.commit().await.unwrap();
    })
    .await;
}

/// The links of the menu on a page, in order.
fn menu_links(body: &str) -> Vec<String> {
    let start = body.find(r#"<nav class="main wide""#).expect("the menu");
    let end = start + body[start..].find("</nav>").expect("the menu's end");
    body[start..end]
        .split(r#"href=""#)
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .map(str::to_owned)
        .collect()
}

/// Each role's menu shows exactly the pages of `MENU` it may open: each
/// link shown answers, each page left out is refused; the phone menu holds
/// the same links behind its button. Grouped by the trade for the staff
/// who reach many pages, one short row for the others.
#[tokio::test]
async fn each_role_sees_the_menu_pages_it_may_open() {
    on_each_backend(|t| async move {
        for role in Role::ALL {
            let b = t.browser(Some(role)).await;
            let home = t.get("/", Some(&b)).await;
            assert_eq!(home.status, StatusCode::OK, "{role}: {}", home.body);
            let shown = menu_links(&home.body);
            let phone = {
                let start = home
                    .body
                    .find(r#"<nav class="main narrow""#)
                    .expect("phone menu");
                menu_links(&home.body[start..].replacen("main narrow", "main wide", 1))
            };
            assert_eq!(shown, phone, "{role}: the phone menu holds the same pages");
            assert!(home.body.contains(r#"<summary id="menu-button">"#));
            for (_, pages) in web::view::MENU {
                for (href, _, _) in pages.iter() {
                    let status = t.get(href, Some(&b)).await.status;
                    if shown.iter().any(|s| s == href) {
                        assert_eq!(status, StatusCode::OK, "{role}: {href} is in the menu");
                    } else {
                        assert_eq!(status, StatusCode::FORBIDDEN, "{role}: {href} is left out");
                    }
                }
            }
            let groups = home.body.matches(r#"<li class="group">"#).count() / 2;
            match role {
                Role::Admin => {
                    for g in [
                        "Commerce",
                        "Delivery",
                        "Facturation",
                        "Trésorerie",
                        "Personnel",
                        "Administration",
                    ] {
                        assert!(
                            home.body.contains(&format!(">{g}</summary>")),
                            "{role}: {g}"
                        );
                    }
                    assert_eq!(groups, 6, "{role}: Comptabilité is one page, a plain link");
                }
                Role::Consultant | Role::ClientContact => {
                    assert_eq!(groups, 0, "{role}: a short menu has no groups");
                }
                _ => {}
            }
            if role == Role::ClientContact {
                assert!(!shown.iter().any(|h| h == "/companies" || h == "/contacts"));
                assert!(shown.iter().any(|h| h == "/portal/invoices"));
            }
        }
    })
    .await;
}
