//! Missions, amendments and renewals through the pages.

use axum::http::StatusCode;
use domain::role::Role;

use crate::harness::{TestApp, on_each_backend};

async fn mission_form(t: &TestApp, fields: &[(&str, &str)]) -> Vec<(String, String)> {
    let consultant = t.camille.to_string();
    let bm = t.user_id(Role::BusinessManager).await.to_string();
    let mut base: Vec<(String, String)> = [
        ("title", "Architecte cloud"),
        ("client_id", &t.clientis.to_string()),
        ("consultant_id", &consultant),
        ("business_manager_id", &bm),
        // After Camille's demo mission: a consultant is full time on one.
        ("start_date", "01/03/2029"),
        ("end_date", "31/08/2029"),
        ("tjm", "700"),
        ("payment_days", "30"),
        ("vat_rate", "20"),
        ("vat_regime", "on_receipts"),
        ("expense_policy", "not_rebilled"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    for (k, v) in fields {
        base.retain(|(bk, _)| bk != k);
        base.push((k.to_string(), v.to_string()));
    }
    base
}

#[tokio::test]
async fn a_consultant_and_a_client_contact_see_only_their_missions() {
    on_each_backend(|t| async move {
        let camille = t.browser(Some(Role::Consultant)).await;
        let list = t.get("/missions", Some(&camille)).await;
        assert_eq!(list.status, StatusCode::OK);
        assert!(list.body.contains("Data Engineer"));
        assert!(
            !list.body.contains("Développeur Java"),
            "another consultant's mission"
        );
        assert_eq!(
            t.get(&format!("/missions/{}", t.lucas_mission), Some(&camille))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        let home = t.get("/", Some(&camille)).await;
        assert!(
            home.body.contains("Mes missions") && home.body.contains("Data Engineer"),
            "the consultant's portal"
        );
        assert!(!home.body.contains("Développeur Java"));
        let sophie = t.browser(Some(Role::ClientContact)).await;
        let list = t.get("/missions", Some(&sophie)).await;
        assert!(list.body.contains("Data Engineer") && !list.body.contains("Développeur Java"));
        assert_eq!(
            t.get(&format!("/missions/{}", t.lucas_mission), Some(&sophie))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        let page = t
            .get(&format!("/missions/{}", t.camille_mission), Some(&sophie))
            .await;
        assert!(page.body.contains("600,00\u{a0}€"), "French money format");
        assert!(
            !page.body.contains("/amendments"),
            "no amendment form for a client contact"
        );
    })
    .await;
}

/// (fields changed, id of the error element expected, text it contains)
type Case = (
    &'static [(&'static str, &'static str)],
    &'static str,
    &'static str,
);

#[tokio::test]
async fn bad_missions_are_refused_with_nothing_written() {
    on_each_backend(|t| async move {
        let bm = t.browser(Some(Role::BusinessManager)).await;
        let before = t.count("missions").await;
        let cases: [Case; 4] = [
            (&[("end_date", "01/01/2027")], "field-end_date-error", "fin"),
            (&[("tjm", "0")], "field-tjm-error", ""),
            (&[("tjm", "-5")], "field-tjm-error", ""),
            (&[("payment_days", "90")], "field-payment_days-error", "60"),
        ];
        for (change, error_id, text) in cases {
            let fields = mission_form(&t, change).await;
            let pairs: Vec<(&str, &str)> = fields
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            let r = t.post_form("/missions", &bm, &pairs).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{change:?}");
            assert!(r.body.contains(error_id), "{change:?}: {}", r.body);
            assert!(r.body.contains(text));
        }
        assert_eq!(t.count("missions").await, before);
        let fields = mission_form(&t, &[]).await;
        let pairs: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let r = t.post_form("/missions", &bm, &pairs).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(t.count("missions").await, before + 1);
        let page = t.get(r.location(), Some(&bm)).await;
        assert!(
            page.body.contains("CLIENTIS-"),
            "analytic code assigned: {}",
            page.body
        );
    })
    .await;
}

#[tokio::test]
async fn a_mid_period_rate_change_splits_the_rates_in_force() {
    on_each_backend(|t| async move {
        let bm = t.browser(Some(Role::BusinessManager)).await;
        let mut tx = t.db.read().await.unwrap();
        let m = store::missions::get(&mut tx, store::Scope::All, t.camille_mission)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let mid = m.data.start_date + time::Duration::days(45);
        let path = format!("/missions/{}/amendments", t.camille_mission);
        let outside = (m.data.end_date + time::Duration::days(30)).to_string();
        let r = t
            .post_form(
                &path,
                &bm,
                &[("effective_from", &outside), ("new_tjm", "650")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(t.count("amendments").await, 0, "nothing written");
        let r = t
            .post_form(
                &path,
                &bm,
                &[("effective_from", &mid.to_string()), ("new_tjm", "0")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = t
            .post_form(
                &path,
                &bm,
                &[
                    ("effective_from", &mid.to_string()),
                    ("new_tjm", "650"),
                    ("reason", "Révision annuelle"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let page = t
            .get(&format!("/missions/{}", t.camille_mission), Some(&bm))
            .await;
        assert!(page.body.contains("600,00\u{a0}€") && page.body.contains("650,00\u{a0}€"));
        let mut tx = t.db.read().await.unwrap();
        let (_, schedule, list) =
            store::missions::schedule(&mut tx, store::Scope::All, t.camille_mission)
                .await
                .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(schedule.tjm_on(mid).unwrap().amount().cents(), 65_000);
        assert_eq!(
            schedule
                .tjm_on(mid.previous_day().unwrap())
                .unwrap()
                .amount()
                .cents(),
            60_000
        );
    })
    .await;
}

#[tokio::test]
async fn renewal_alerts_fire_once_and_renewing_amends_the_mission() {
    on_each_backend(|t| async move {
        // The demo ran the scan: Lucas's mission ends in 45 days, so D-60 fired.
        assert_eq!(t.count("renewal_alerts").await, 1);
        // Its renewal task, beside the business manager's activities.
        assert_eq!(t.count("tasks WHERE kind = 'renewal'").await, 1);
        let mails = t.count("outbox_emails").await;
        let mut tx = t.db.read().await.unwrap();
        let renewal_mails = store::outbox::recent(&mut tx, 50)
            .await
            .unwrap()
            .iter()
            .filter(|m| m.subject.starts_with("Renouvellement J-60"))
            .count();
        tx.commit().await.unwrap();
        assert_eq!(renewal_mails, 1);
        let mut tx = t.db.begin().await.unwrap();
        let again = store::renewals::scan(&mut tx, store::today())
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(again.alerts_created, 0, "a second scan adds nothing");
        assert_eq!(t.count("outbox_emails").await, mails, "nor e-mails");
        let bm = t.browser(Some(Role::BusinessManager)).await;
        let page = t.get("/renewals", Some(&bm)).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.body.contains("Développeur Java") && page.body.contains("J-60"),
            "{}",
            page.body
        );
        let home = t.get("/", Some(&bm)).await;
        assert!(
            home.body.contains("Renouvellement J-60"),
            "the BM's task is on his home page"
        );
        let mut tx = t.db.read().await.unwrap();
        let m = store::missions::get(&mut tx, store::Scope::All, t.lucas_mission)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let new_end = (m.data.end_date + time::Duration::days(180)).to_string();
        let r = t
            .post_form(
                &format!("/renewals/{}/renew", t.lucas_mission),
                &bm,
                &[("new_end", &new_end), ("new_tjm", "580")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let mut tx = t.db.read().await.unwrap();
        let after = store::missions::get(&mut tx, store::Scope::All, t.lucas_mission)
            .await
            .unwrap();
        let figures = store::renewals::rate(&mut tx, m.data.end_date, m.data.end_date)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(after.data.end_date.to_string(), new_end);
        assert_eq!(after.status, domain::mission::MissionStatus::Extended);
        assert_eq!((figures.renewed, figures.reached_end), (1, 1));
        let page = t
            .get("/jobs", Some(&t.browser(Some(Role::Admin)).await))
            .await;
        assert!(page.body.contains("send_email"));
    })
    .await;
}

#[tokio::test]
async fn signing_the_key_account_contract_unblocks_invoicing_and_emits_one_event() {
    on_each_backend(|t| async move {
        // The demo's framework contract is signed by now: Camille's mission
        // moves to next year's purchase order, which is not.
        let mut tx = t.db.begin().await.unwrap();
        store::contracts::attach(
            &mut tx,
            &store::Actor::system("test"),
            store::Scope::All,
            t.camille_mission,
            t.clientis_contract,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let finance = t.browser(Some(Role::Finance)).await;
        let page = t
            .get(&format!("/missions/{}", t.camille_mission), Some(&finance))
            .await;
        assert!(
            page.body
                .contains("Facturation bloquée : le contrat client"),
            "the key-account lock shows"
        );
        // What signing queues: the release of the invoices waiting for it.
        let released = format!(
            "jobs WHERE kind = '{}'",
            store::invoicing::lock::RELEASE_JOB
        );
        let events = t.count(&released).await;
        let documents = t.count("documents").await;
        let path = format!("/contracts/{}/paper", t.clientis_contract);
        let scan: &[u8] = b"%PDF-1.4\n% scan of the signed original\n";
        // Bad input: a clear message each time, nothing written.
        let refusals: [Refusal; 4] = [
            (
                &[],
                Some(("scan", "contrat.pdf", scan)),
                "Indiquez qui a signé",
            ),
            (&[("signed_by", "Sophie Bernard")], None, "Joignez le scan"),
            (
                &[("signed_by", "Sophie Bernard")],
                Some(("scan", "photo.jpg", b"\xff\xd8\xff\xe0 JFIF")),
                "n’est pas un PDF",
            ),
            (
                &[("signed_by", "Sophie Bernard")],
                Some(("scan", "gros.pdf", &big_pdf())),
                "10 Mo",
            ),
        ];
        for (fields, file, message) in refusals {
            let r = t.post_multipart(&path, &finance, fields, file).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER);
            let page = t.get(r.location(), Some(&finance)).await;
            assert!(page.body.contains(message), "{message}");
            assert_eq!(t.count("documents").await, documents);
            assert_eq!(t.count(&released).await, events);
        }
        // A form without the token in its query string is refused.
        let forged = crate::harness::Browser {
            cookie: finance.cookie.clone(),
            csrf: "forged".into(),
        };
        let r = t
            .post_multipart(
                &path,
                &forged,
                &[("signed_by", "X")],
                Some(("scan", "a.pdf", scan)),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = t
            .post_multipart(
                &path,
                &finance,
                &[("signed_by", "Sophie Bernard (papier)")],
                Some(("scan", "contrat-signe.pdf", scan)),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(t.count(&released).await, events + 1);
        assert_eq!(t.count("documents").await, documents + 1);
        let r = t
            .post_multipart(
                &path,
                &finance,
                &[("signed_by", "encore")],
                Some(("scan", "contrat-signe.pdf", scan)),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let company = t.get(r.location(), Some(&finance)).await;
        assert!(
            company.body.contains("pas possible pour ce contrat"),
            "signed is final"
        );
        assert_eq!(t.count(&released).await, events + 1, "no second release");
        assert_eq!(
            t.count("documents").await,
            documents + 1,
            "nor a second scan"
        );
        assert_eq!(
            t.count(&format!(
                "jobs WHERE dedupe_key = 'release:{}'",
                t.clientis_contract
            ))
            .await,
            1
        );
        let page = t
            .get(&format!("/missions/{}", t.camille_mission), Some(&finance))
            .await;
        assert!(
            !page
                .body
                .contains("Facturation bloquée : le contrat client")
        );
        // The client contact sees his contract but cannot act on it.
        let sophie = t.browser(Some(Role::ClientContact)).await;
        let company = t
            .get(&format!("/companies/{}", t.clientis), Some(&sophie))
            .await;
        assert!(
            company.body.contains("CLT-CADRE-2026")
                && !company.body.contains("/status")
                && !company.body.contains("/paper")
        );
        let horizon = t
            .get(&format!("/companies/{}", t.horizon), Some(&sophie))
            .await;
        assert_eq!(horizon.status, StatusCode::NOT_FOUND);
    })
    .await;
}

/// A PDF just over the 10 MB limit.
fn big_pdf() -> Vec<u8> {
    let mut b = b"%PDF-1.4\n".to_vec();
    b.resize(domain::esign::MAX_SCAN_BYTES + 1, b'0');
    b
}

/// A file field of a multipart form: field name, file name, bytes.
type Upload<'a> = (&'a str, &'a str, &'a [u8]);
/// Text fields, file and the message a refused upload must show.
type Refusal<'a> = (&'a [(&'a str, &'a str)], Option<Upload<'a>>, &'a str);

fn pairs(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

async fn contacts_of(
    t: &TestApp,
    company: domain::ids::CompanyId,
) -> Vec<store::contacts::Contact> {
    let mut tx = t.db.read().await.unwrap();
    let list = store::contacts::list(
        &mut tx,
        store::Scope::All,
        &store::contacts::ContactFilter {
            q: None,
            company_id: Some(company),
        },
        domain::paging::PageRequest::default(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    list.items
}

#[tokio::test]
async fn only_the_clients_contacts_are_offered_and_accepted() {
    on_each_backend(|t| async move {
        let bm = t.browser(Some(Role::BusinessManager)).await;
        let clientis = contacts_of(&t, t.clientis).await;
        let horizon = contacts_of(&t, t.horizon).await;
        let outsider = horizon.first().expect("a Horizon contact");
        // No client yet: no contact offered, the form says why.
        let new = t.get("/missions/new", Some(&bm)).await;
        assert_eq!(new.status, StatusCode::OK);
        assert!(new.body.contains("abord le client : seuls ses contacts"));
        assert!(!new.body.contains("name=\"validators\""));
        // The client chosen (the form asks again when it changes).
        let new = t
            .get(&format!("/missions/new?client_id={}", t.horizon), Some(&bm))
            .await;
        assert!(new.body.contains(&outsider.id.to_string()));
        for c in &clientis {
            assert!(
                !new.body.contains(&c.id.to_string()),
                "another client's contact"
            );
        }
        let edit = t
            .get(&format!("/missions/{}/edit", t.camille_mission), Some(&bm))
            .await;
        assert!(edit.body.contains(&clientis[0].id.to_string()));
        assert!(!edit.body.contains(&outsider.id.to_string()));

        // A forged form naming another company's contact: refused beside
        // the field, nothing written.
        let before = t.count("missions").await;
        let validators = t.count("mission_validators").await;
        let outsider_id = outsider.id.to_string();
        for field in ["invoicing_contact_id", "validators"] {
            let fields = mission_form(&t, &[(field, &outsider_id)]).await;
            let r = t.post_form("/missions", &bm, &pairs(&fields)).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}");
            assert!(
                r.body.contains(&format!("field-{field}-error")),
                "{field}: {}",
                r.body
            );
            assert!(
                r.body
                    .contains("appartient à une autre société que le client")
            );
        }
        assert_eq!(t.count("missions").await, before);
        assert_eq!(t.count("mission_validators").await, validators);
        // The client's own contact is accepted.
        let own = clientis[0].id.to_string();
        let fields =
            mission_form(&t, &[("invoicing_contact_id", &own), ("validators", &own)]).await;
        let r = t.post_form("/missions", &bm, &pairs(&fields)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(t.count("missions").await, before + 1);
    })
    .await;
}

#[tokio::test]
async fn a_second_full_time_mission_overlapping_the_first_is_refused() {
    on_each_backend(|t| async move {
        let bm = t.browser(Some(Role::BusinessManager)).await;
        let before = t.count("missions").await;
        // Camille's demo mission runs now, full time.
        let today = store::today();
        let start = domain::locale::format_date(today, domain::Locale::Fr);
        let end = domain::locale::format_date(today + time::Duration::days(30), domain::Locale::Fr);
        let fields = mission_form(&t, &[("start_date", &start), ("end_date", &end)]).await;
        let r = t.post_form("/missions", &bm, &pairs(&fields)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(r.body.contains("field-allocation-error"), "{}", r.body);
        assert!(
            r.body.contains("200\u{a0}%") || r.body.contains("200 %"),
            "{}",
            r.body
        );
        assert!(r.body.contains("temps partiel"));
        let fields = mission_form(
            &t,
            &[
                ("start_date", &start),
                ("end_date", &end),
                ("allocation", "cent"),
            ],
        )
        .await;
        let r = t.post_form("/missions", &bm, &pairs(&fields)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("de 1 à 100"));
        assert_eq!(t.count("missions").await, before, "nothing written");

        // Shared between two missions in 2030: half and half pass, a third
        // share on top is refused.
        let half = |start: &'static str, end: &'static str, share: &'static str| {
            [
                ("start_date", start),
                ("end_date", end),
                ("allocation", share),
            ]
        };
        for (case, status) in [
            (
                half("01/01/2030", "30/06/2030", "50"),
                StatusCode::SEE_OTHER,
            ),
            (
                half("01/03/2030", "31/12/2030", "50 %"),
                StatusCode::SEE_OTHER,
            ),
            (
                half("15/06/2030", "15/07/2030", "10"),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
        ] {
            let fields = mission_form(&t, &case).await;
            let r = t.post_form("/missions", &bm, &pairs(&fields)).await;
            assert_eq!(r.status, status, "{case:?}: {}", r.body);
        }
        assert_eq!(t.count("missions").await, before + 2);

        // Editing a mission does not count it twice.
        let edit = t
            .get(&format!("/missions/{}/edit", t.camille_mission), Some(&bm))
            .await;
        assert!(edit.body.contains("name=\"allocation\""));
        let page = t
            .get(&format!("/missions/{}", t.camille_mission), Some(&bm))
            .await;
        assert!(page.body.contains("100\u{a0}%"));
    })
    .await;
}

#[tokio::test]
async fn a_mission_is_upcoming_until_it_starts_and_its_order_is_signed() {
    on_each_backend(|t| async move {
        let bm = t.browser(Some(Role::BusinessManager)).await;
        let list = t.get("/missions", Some(&bm)).await;
        let row = |title: &str| {
            let at = list.body.find(title).expect(title);
            list.body[at..].split("</tr>").next().unwrap().to_owned()
        };
        // Camille signed her mission order: en cours.
        assert!(
            row("Data Engineer").contains("En cours"),
            "{}",
            row("Data Engineer")
        );
        // Lucas's mission runs by the calendar but he signed nothing yet.
        assert!(
            row("Développeur Java").contains("À venir — ordre de mission à signer"),
            "{}",
            row("Développeur Java")
        );
        let page = t
            .get(&format!("/missions/{}", t.lucas_mission), Some(&bm))
            .await;
        assert!(page.body.contains("À venir — ordre de mission à signer"));
        // Not started yet: à venir, whatever the signature.
        let fields = mission_form(&t, &[]).await;
        let r = t.post_form("/missions", &bm, &pairs(&fields)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let page = t.get(r.location(), Some(&bm)).await;
        assert!(page.body.contains(">À venir</span>"), "{}", page.body);
    })
    .await;
}
