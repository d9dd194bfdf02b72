//! Activity reports through the pages: the grid refuses bad input in French
//! and keeps what was typed, a month without client days goes straight to
//! the manager, the client validates in his portal, and nobody sees another
//! consultant's report.

use axum::http::StatusCode;
use domain::calendar::YearMonth;
use domain::cra::WorkPattern;
use domain::role::Role;

use domain::ids::{CraId, MissionId};
use store::users::User;

use crate::harness::{EmptyApp, on_each_backend_empty as on_each_backend};

/// Camille's mission at Clientis ("Data Engineer", from the first day of
/// the month two months ago), her current month signed and waiting for
/// Clientis, whose contact Sophie Bernard uses the portal; Lucas's last
/// month at Banque Horizon opened, not signed.
struct Story {
    camille_mission: MissionId,
    camille_cra: CraId,
    lucas: User,
}

async fn story(t: &EmptyApp) -> Story {
    let w = &t.w;
    let now = YearMonth::of(store::today());
    let clientis = w
        .client()
        .name("Clientis Group")
        .contact("Marc", "Lefèvre", "domain_manager")
        .create()
        .await;
    let camille = w.consultant("Camille Martin").await;
    let mission = w
        .mission(&clientis)
        .title("Data Engineer")
        .consultant(&camille)
        .from(now.prev().prev().first_day())
        .validated_by(&clientis.contact)
        .create()
        .await;
    let camille_cra = w.signed_month(&mission, now).await;
    w.user(Role::ClientContact)
        .name("Sophie Bernard")
        .of(&clientis)
        .create()
        .await;
    let horizon = w.client().name("Banque Horizon").create().await;
    let lucas = w.consultant("Lucas Petit").await;
    let java = w.mission(&horizon).consultant(&lucas).create().await;
    w.opened_month(&java, now.prev()).await;
    Story {
        camille_mission: mission.id,
        camille_cra,
        lucas,
    }
}

#[tokio::test]
async fn the_grid_refuses_in_french_then_signs() {
    on_each_backend(|t| async move {
        story(&t).await;
        let camille = t.browser(Some(Role::Consultant)).await;
        // A month before her mission: only internal activities.
        let month = YearMonth::of(store::today()).prev().prev().prev();
        let r = t
            .post_form("/cras/open", &camille, &[("month", &month.to_string())])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let page = r.location().to_owned();
        let shown = t.get(&page, Some(&camille)).await;
        assert_eq!(shown.status, StatusCode::OK);
        // A month that has not begun cannot be opened.
        let reports = t.count("cras").await;
        let next = YearMonth::of(store::today()).next().to_string();
        let r = t
            .post_form("/cras/open", &camille, &[("month", &next)])
            .await;
        assert_eq!(r.location(), "/cras");
        assert!(
            t.get("/cras", Some(&camille))
                .await
                .body
                .contains("n’a pas commencé")
        );
        assert_eq!(t.count("cras").await, reports);
        assert!(shown.body.contains("Brouillon"), "{}", shown.body);

        let days = WorkPattern::default().working_days(month);
        let first = days[0].to_string();
        let slots_before = t.count("cra_slots").await;
        let bench = format!("c:bench:{first}");
        let training = format!("c:training:{first}");
        let r = t
            .post_form(
                &page,
                &camille,
                &[(&bench, "1"), (&training, "0,5"), ("action", "save")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("totalise plus d’une journée"), "{}", r.body);
        // What was typed is still there to correct.
        assert!(r.body.contains(&format!("name=\"{training}\"")));
        assert_eq!(t.count("cra_slots").await, slots_before);

        // Signing with empty days is refused with their count.
        let r = t
            .post_form(&page, &camille, &[(&bench, "1"), ("action", "sign")])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.body.contains("jour(s) ouvré(s) sans saisie"),
            "{}",
            r.body
        );

        let names: Vec<String> = days.iter().map(|d| format!("c:bench:{d}")).collect();
        let mut fields: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), "1")).collect();
        fields.push(("action", "sign"));
        let r = t.post_form(&page, &camille, &fields).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        // No client day: nothing to validate outside the firm.
        let shown = t.get(&page, Some(&camille)).await;
        assert!(
            shown.body.contains("Validé par le client"),
            "{}",
            shown.body
        );
        assert!(
            !shown.body.contains("<select"),
            "a signed report is read-only"
        );

        // The manager sees it among those to validate and validates it.
        let manager = t.browser(Some(Role::DeliveryManager)).await;
        let list = t.get("/cras?status=client_validated", Some(&manager)).await;
        assert!(list.body.contains("type=\"checkbox\""));
        let id = page.trim_start_matches("/cras/");
        let r = t
            .post_form("/cras/validate", &manager, &[("id", id), ("back", "/cras")])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let shown = t.get(&page, Some(&camille)).await;
        assert!(shown.body.contains("Validé par le manager"));
    })
    .await;
}

#[tokio::test]
async fn the_client_validates_in_the_portal_and_sees_only_his_days() {
    on_each_backend(|t| async move {
        let s = story(&t).await;
        let sophie = t.browser(Some(Role::ClientContact)).await;
        let page = format!("/cras/{}", s.camille_cra);
        let shown = t.get(&page, Some(&sophie)).await;
        assert_eq!(shown.status, StatusCode::OK);
        assert!(shown.body.contains("Data Engineer"));
        // Internal activities are not the client's business.
        assert!(!shown.body.contains("Intercontrat"));
        assert!(shown.body.contains("id=\"cra-client-validate\""));
        let mission = s.camille_mission.to_string();
        let r = t
            .post_form(
                &format!("{page}/client-validate"),
                &sophie,
                &[("mission", &mission)],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let shown = t.get(&page, Some(&sophie)).await;
        assert!(
            shown.body.contains("Validé par le client"),
            "{}",
            shown.body
        );
        // Once validated, the client can no longer send it back.
        let r = t
            .post_form(
                &format!("{page}/client-reject"),
                &sophie,
                &[("reason", "Finalement non")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let shown = t.get(&page, Some(&sophie)).await;
        assert!(shown.body.contains("Validé par le client"));
        assert!(
            shown
                .body
                .contains("seul le manager peut encore le renvoyer"),
            "{}",
            shown.body
        );
        // Validating twice is refused, not an error page.
        let r = t
            .post_form(
                &format!("{page}/client-validate"),
                &sophie,
                &[("mission", &mission)],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
    })
    .await;
}

#[tokio::test]
async fn a_consultant_cannot_open_another_consultants_report() {
    on_each_backend(|t| async move {
        let s = story(&t).await;
        let lucas = t.browser(Some(Role::Consultant)).await;
        // The consultant role's browser is Camille; Lucas signs in by id.
        let lucas_user = s.lucas.clone();
        let mut tx = t.db.read().await.unwrap();
        let lucas_cra =
            store::cras::find(&mut tx, lucas_user.id, YearMonth::of(store::today()).prev())
                .await
                .unwrap()
                .unwrap();
        tx.commit().await.unwrap();
        let r = t.get(&format!("/cras/{lucas_cra}"), Some(&lucas)).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let as_lucas = t.browser_of(Some(lucas_user.id)).await;
        let r = t
            .get(&format!("/cras/{}", s.camille_cra), Some(&as_lucas))
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = t.get(&format!("/cras/{lucas_cra}"), Some(&as_lucas)).await;
        assert_eq!(r.status, StatusCode::OK);
        // A client contact of another company does not see Camille's either.
        let list = t.get("/cras", Some(&as_lucas)).await;
        assert!(!list.body.contains("Camille"));
    })
    .await;
}

#[tokio::test]
async fn the_home_page_says_what_is_waiting_for_whom() {
    on_each_backend(|t| async move {
        let lucas = story(&t).await.lucas;
        let sophie = t.browser(Some(Role::ClientContact)).await;
        let home = t.get("/", Some(&sophie)).await;
        assert!(home.body.contains("CRA de Camille Martin"), "{}", home.body);
        let home = t.get("/", Some(&t.browser_of(Some(lucas.id)).await)).await;
        assert!(
            home.body.contains("est à remplir et signer"),
            "{}",
            home.body
        );
        // Nothing waits for the manager yet: Camille's month is at the client.
        let dm = t.browser(Some(Role::DeliveryManager)).await;
        let home = t.get("/", Some(&dm)).await;
        assert!(!home.body.contains("attendent votre validation"));
    })
    .await;
}

#[tokio::test]
async fn the_api_reads_scoped_and_refuses_a_bad_grid_naming_the_day() {
    on_each_backend(|t| async move {
        use axum::http::Method;
        story(&t).await;
        let camille = t.token(Role::Consultant).await;
        let sophie = t.token(Role::ClientContact).await;
        let list = t
            .api(Method::GET, "/api/v1/cras", Some(&sophie), None)
            .await;
        assert_eq!(list.status, StatusCode::OK);
        let items = list.json();
        let items = items.as_array().unwrap();
        assert!(!items.is_empty());
        assert!(
            items
                .iter()
                .all(|i| i["consultant_name"] == "Camille Martin")
        );
        let bad = t
            .api(
                Method::GET,
                "/api/v1/cras?month=2026-13",
                Some(&sophie),
                None,
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(bad.json()["errors"][0]["field"], "month");

        // Camille opens an old month and sends 1.5 days on one date.
        let browser = t.browser(Some(Role::Consultant)).await;
        let month = YearMonth::of(store::today()).prev().prev().prev();
        let r = t
            .post_form("/cras/open", &browser, &[("month", &month.to_string())])
            .await;
        let id = r.location().trim_start_matches("/cras/").to_owned();
        let day = WorkPattern::default().working_days(month)[0].to_string();
        let body = format!(
            r#"{{"entries": [{{"date": "{day}", "activity": "bench", "days": "1"}},
                             {{"date": "{day}", "activity": "training", "days": "0.5"}}]}}"#
        );
        let before = t.count("cra_slots").await;
        let r = t
            .api(
                Method::PUT,
                &format!("/api/v1/cras/{id}"),
                Some(&camille),
                Some(&body),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.content_type(), "application/problem+json");
        let e = r.json();
        assert_eq!(e["errors"][0]["field"], "grid");
        assert_eq!(e["errors"][0]["code"], "cra-day-over-one");
        assert_eq!(t.count("cra_slots").await, before);
        let ok =
            format!(r#"{{"entries": [{{"date": "{day}", "activity": "bench", "days": "1"}}]}}"#);
        let r = t
            .api(
                Method::PUT,
                &format!("/api/v1/cras/{id}"),
                Some(&camille),
                Some(&ok),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["entries"][0]["days"], "1");
        // The client cannot read a month with no days of his.
        let r = t
            .api(
                Method::GET,
                &format!("/api/v1/cras/{id}"),
                Some(&sophie),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
    })
    .await;
}

/// A consultant shared half and half between two clients: his report shows
/// both missions' columns and, for a phone, the picker that shows one of
/// them at a time (the first preselected); each control and each total
/// carries its activity, which the page's script adds up live.
#[tokio::test]
async fn a_shared_consultant_gets_a_mission_picker_for_his_phone() {
    on_each_backend(|t| async move {
        let w = &t.w;
        let now = YearMonth::of(store::today());
        let acme = w.client().name("Acme").create().await;
        let globex = w.client().name("Globex").create().await;
        let lea = w.consultant("Léa Durand").await;
        let half = |i: &mut domain::mission::MissionInput| i.allocation = "50".into();
        let build = w
            .mission(&acme)
            .title("Build")
            .consultant(&lea)
            .from(now.first_day())
            .with(half)
            .create()
            .await;
        let run = w
            .mission(&globex)
            .title("Run")
            .consultant(&lea)
            .from(now.first_day())
            .with(half)
            .create()
            .await;
        let cra = w.opened_month(&build, now).await;
        let page = t
            .get(
                &format!("/cras/{cra}"),
                Some(&t.browser_of(Some(lea.id)).await),
            )
            .await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        let b = &page.body;
        assert!(b.contains(r#"<select id="cra-mission-pick">"#), "{b}");
        for m in [&build, &run] {
            let key = format!("mission:{}", m.id);
            assert!(b.contains(&format!(r#"<option value="{key}">"#)), "{key}");
            assert!(b.contains(&format!(r#"<td data-key="{key}">"#)), "{key}");
            assert!(
                b.contains(&format!(r#"<th scope="col" data-key="{key}""#)),
                "{key}"
            );
        }
        assert!(b.contains(r#"<script src="/static/app.js" defer></script>"#));
        let js = t.get("/static/app.js", None).await;
        assert_eq!(js.status, StatusCode::OK);
        assert!(js.body.contains("cra-mission-pick"));

        // One mission: no picker, the grid has one control a day.
        let solo = w.consultant("Paul Solo").await;
        let m = w
            .mission(&acme)
            .consultant(&solo)
            .from(now.first_day())
            .create()
            .await;
        let cra = w.opened_month(&m, now).await;
        let page = t
            .get(
                &format!("/cras/{cra}"),
                Some(&t.browser_of(Some(solo.id)).await),
            )
            .await;
        assert!(!page.body.contains("cra-mission-pick"));
        assert!(page.body.contains(r#"class="cra-grid single"#));
    })
    .await;
}
