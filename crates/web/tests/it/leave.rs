//! Leave through the pages: a consultant asks, a manager decides, the
//! settings page sets types, allowances and work patterns; nobody sees
//! another's requests.

use axum::http::StatusCode;
use domain::Locale;
use domain::cra::WorkPattern;
use domain::ids::{LeaveRequestId, UserId};
use domain::leave::LeaveStatus;
use domain::role::Role;
use store::Scope;
use store::leave::LeaveRequest;

use crate::harness::{EmptyApp, on_each_backend_empty as on_each_backend};

/// Camille, on a mission (her managers decide her leave), and Lucas;
/// returns their ids.
async fn consultants(t: &EmptyApp) -> (UserId, UserId) {
    let camille = t.w.consultant("Camille Martin").await;
    let c = t.w.client().create().await;
    t.w.mission(&c).consultant(&camille).create().await;
    let lucas = t.w.consultant("Lucas Petit").await;
    (camille.id, lucas.id)
}

/// The user's request starting on 8 March 2027.
async fn march_request(t: &EmptyApp, user: UserId) -> Option<LeaveRequestId> {
    requests_of(t, user)
        .await
        .iter()
        .find(|r| r.period.start == time::macros::date!(2027 - 03 - 08))
        .map(|r| r.id)
}

async fn requests_of(t: &EmptyApp, user: UserId) -> Vec<LeaveRequest> {
    let mut tx = t.db.read().await.unwrap();
    let f = store::leave::Filter {
        user: Some(user),
        status: None,
    };
    let list = store::leave::list(&mut tx, Scope::All, &f).await.unwrap();
    tx.commit().await.unwrap();
    list
}

async fn status(t: &EmptyApp, id: LeaveRequestId) -> LeaveStatus {
    let mut tx = t.db.read().await.unwrap();
    let r = store::leave::get(&mut tx, Scope::All, id).await.unwrap();
    tx.commit().await.unwrap();
    r.status
}

const GOOD: &[(&str, &str)] = &[
    ("leave_type", "cp"),
    ("start", "08/03/2027"),
    ("start_half", "am"),
    ("end", "10/03/2027"),
    ("end_half", "am"),
    ("comment", "Vacances au ski"),
];

fn with(changes: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
    let mut fields: Vec<_> = GOOD.to_vec();
    for (k, v) in changes {
        fields.retain(|(fk, _)| fk != k);
        fields.push((*k, *v));
    }
    fields
}

#[tokio::test]
async fn a_consultant_asks_and_a_manager_decides() {
    on_each_backend(|t| async move {
        let (camille_id, _) = consultants(&t).await;
        let camille = t.browser(Some(Role::Consultant)).await;
        let (requests, emails) = (
            t.count("leave_requests").await,
            t.count("outbox_emails").await,
        );
        let page = t.get("/leave", Some(&camille)).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("<h1>Mes congés</h1>"), "{}", page.body);
        assert!(page.body.contains(r#"href="/leave" aria-current="page""#));
        assert!(
            !page.body.contains(r#"href="/leave/team""#),
            "not a manager"
        );
        assert!(page.body.contains("Congés payés") && page.body.contains("après-midi"));

        // A bad period: the French message beside the field, nothing written.
        let bad = t
            .post_form("/leave", &camille, &with(&[("end", "05/03/2027")]))
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.body.contains(
            r#"<p class="field-error" id="field-end-error">Le dernier jour précède le premier.</p>"#
        ), "{}", bad.body);
        assert!(
            bad.body.contains(r#"value="05/03/2027""#),
            "typed values kept"
        );
        let weekend = t
            .post_form(
                "/leave",
                &camille,
                &with(&[("start", "06/03/2027"), ("end", "07/03/2027")]),
            )
            .await;
        assert_eq!(weekend.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(weekend.body.contains("ne contient aucun jour travaillé"));
        let no_date = t
            .post_form("/leave", &camille, &with(&[("start", "")]))
            .await;
        assert!(no_date.body.contains("Ce champ est obligatoire."));
        assert_eq!(t.count("leave_requests").await, requests);

        // A good one: Monday morning to Wednesday noon.
        let sent = t.post_form("/leave", &camille, GOOD).await;
        assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
        assert_eq!(sent.location(), "/leave");
        assert_eq!(t.count("leave_requests").await, requests + 1);
        let id = march_request(&t, camille_id).await.expect("written");
        let page = t.get("/leave", Some(&camille)).await;
        assert!(page.body.contains("Votre demande de congé a été envoyée."));
        assert!(page.body.contains("du 08/03/2027 au 10/03/2027 (midi)"));
        assert!(page.body.contains(">2,5<") && page.body.contains("Demandé"));
        assert!(
            page.body
                .contains(&format!(r#"action="/leave/{id}/cancel""#))
        );
        // Her managers on the mission are told.
        assert!(t.count("outbox_emails").await > emails);
        // The same days again overlap.
        let again = t.post_form("/leave", &camille, GOOD).await;
        assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(again.body.contains("chevauche une autre de vos demandes"));

        // The manager: a refusal needs its reason, shown beside the request.
        let bm = t.browser(Some(Role::BusinessManager)).await;
        let team = t.get("/leave/team", Some(&bm)).await;
        assert_eq!(team.status, StatusCode::OK);
        assert!(team.body.contains("Camille Martin") && team.body.contains("Approuver"));
        assert!(
            team.body
                .contains(r#"href="/leave/team" aria-current="page""#)
        );
        assert!(!team.body.contains(r#"href="/leave" aria-current"#));
        let no_reason = t
            .post_form(&format!("/leave/{id}/refuse"), &bm, &[("note", "  ")])
            .await;
        assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(no_reason.body.contains(&format!(
            r#"<p class="field-error" id="error-{id}" role="alert">Indiquez le motif du refus.</p>"#
        )));
        assert_eq!(status(&t, id).await, LeaveStatus::Requested);
        let ok = t.post_form(&format!("/leave/{id}/approve"), &bm, &[]).await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER);
        assert_eq!(ok.location(), "/leave/team");
        assert_eq!(status(&t, id).await, LeaveStatus::Approved);
        let twice = t.post_form(&format!("/leave/{id}/approve"), &bm, &[]).await;
        assert_eq!(twice.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(twice.body.contains("Cette demande a déjà été traitée."));
        let decided = t.get("/leave/team?status=approved", Some(&bm)).await;
        assert!(decided.body.contains("du 08/03/2027 au 10/03/2027 (midi)"));
        let page = t.get("/leave", Some(&camille)).await;
        assert!(page.body.contains("Approuvé"));
    })
    .await;
}

#[tokio::test]
async fn one_sees_and_cancels_only_one_s_own_requests() {
    on_each_backend(|t| async move {
        let (camille_id, lucas_id) = consultants(&t).await;
        let camille = t.browser(Some(Role::Consultant)).await;
        assert_eq!(
            t.post_form("/leave", &camille, GOOD).await.status,
            StatusCode::SEE_OTHER
        );
        let id = march_request(&t, camille_id).await.expect("written");
        let lucas = t.browser_of(Some(lucas_id)).await;
        let page = t.get("/leave", Some(&lucas)).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(!page.body.contains("08/03/2027") && !page.body.contains(&id.to_string()));
        let theirs = t
            .post_form(&format!("/leave/{id}/cancel"), &lucas, &[])
            .await;
        assert_eq!(theirs.status, StatusCode::NOT_FOUND);
        // Nor does a manager cancel it from "my leave": his own scope.
        let bm = t.browser(Some(Role::BusinessManager)).await;
        let by_bm = t.post_form(&format!("/leave/{id}/cancel"), &bm, &[]).await;
        assert_eq!(by_bm.status, StatusCode::NOT_FOUND);
        assert_eq!(status(&t, id).await, LeaveStatus::Requested);
        // The consultant cancels his own.
        let mine = t
            .post_form(&format!("/leave/{id}/cancel"), &camille, &[])
            .await;
        assert_eq!(mine.status, StatusCode::SEE_OTHER);
        assert_eq!(status(&t, id).await, LeaveStatus::Cancelled);
        let page = t.get("/leave", Some(&camille)).await;
        assert!(page.body.contains("Annulé"));
        assert!(
            !page
                .body
                .contains(&format!(r#"action="/leave/{id}/cancel""#))
        );
        let again = t
            .post_form(&format!("/leave/{id}/cancel"), &camille, &[])
            .await;
        assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(again.body.contains("Cette demande a déjà été traitée."));

        // Pages by role.
        let sophie = t.browser(Some(Role::ClientContact)).await;
        assert_eq!(
            t.get("/leave", Some(&sophie)).await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            t.post_form("/leave", &sophie, GOOD).await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            t.get("/leave/team", Some(&camille)).await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            t.get("/settings/leave", Some(&bm)).await.status,
            StatusCode::FORBIDDEN
        );
        let home = t.get("/", Some(&sophie)).await;
        assert!(
            !home.body.contains(r#"href="/leave""#),
            "no link for a client"
        );

        // In English, the refusal speaks English.
        let mut tx = t.db.begin().await.unwrap();
        store::users::set_locale(&mut tx, lucas_id, Locale::En)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let bad = t
            .post_form("/leave", &lucas, &with(&[("end", "05/03/2027")]))
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.body.contains("The last day is before the first."));
        assert!(bad.body.contains("<h1>My leave</h1>"));
    })
    .await;
}

#[tokio::test]
async fn settings_set_types_allowances_and_work_patterns() {
    on_each_backend(|t| async move {
        let (camille_user, _) = consultants(&t).await;
        let direction = t.browser(Some(Role::Direction)).await;
        let page = t.get("/settings/leave", Some(&direction)).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Congés payés") && page.body.contains("Site en Alsace-Moselle"));
        assert!(
            page.body
                .contains(r#"href="/settings/leave" aria-current="page""#)
        );
        let this_year = time::OffsetDateTime::now_utc().year();
        assert!(page.body.contains(&format!(
            r#"id="field-year" name="year" type="text" value="{this_year}""#
        )));

        // A custom type.
        let bad = t
            .post_form(
                "/settings/leave/types",
                &direction,
                &[
                    ("code", "Enfant Malade"),
                    ("label_fr", "Enfant malade"),
                    ("label_en", ""),
                ],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.body.contains("Le code compte 1 à 20 caractères"));
        assert!(
            bad.body
                .contains(r#"id="field-label_en-error">Ce champ est obligatoire."#)
        );
        let ok = t
            .post_form(
                "/settings/leave/types",
                &direction,
                &[
                    ("code", "enfant_malade"),
                    ("label_fr", "Enfant malade"),
                    ("label_en", "Sick child"),
                    ("active", "true"),
                ],
            )
            .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
        let camille = t.browser(Some(Role::Consultant)).await;
        let mine = t.get("/leave", Some(&camille)).await;
        assert!(
            mine.body
                .contains(r#"<option value="enfant_malade">Enfant malade</option>"#)
        );

        // An allowance in half days.
        let camille_id = camille_user.to_string();
        let camille_id = camille_id.as_str();
        let half_quarter = t
            .post_form(
                "/settings/leave/allowances",
                &direction,
                &[
                    ("user_id", camille_id),
                    ("leave_type", "rtt"),
                    ("year", "2027"),
                    ("days", "2,25"),
                ],
            )
            .await;
        assert_eq!(half_quarter.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(half_quarter.body.contains("demi-journées"));
        let ok = t
            .post_form(
                "/settings/leave/allowances",
                &direction,
                &[
                    ("user_id", camille_id),
                    ("leave_type", "rtt"),
                    ("year", "2027"),
                    ("days", "2,5"),
                ],
            )
            .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
        assert_eq!(ok.location(), "/settings/leave?year=2027");
        let listed = t.get("/settings/leave?year=2027", Some(&direction)).await;
        assert!(listed.body.contains("Droits annuels 2027"));
        assert!(
            listed.body.contains(r#"class="num">2,5</td>"#),
            "{}",
            listed.body
        );
        // This year's allowance shows in the consultant's balances.
        let year = time::OffsetDateTime::now_utc().year().to_string();
        t.post_form(
            "/settings/leave/allowances",
            &direction,
            &[
                ("user_id", camille_id),
                ("leave_type", "cp"),
                ("year", year.as_str()),
                ("days", "25"),
            ],
        )
        .await;
        let mine = t.get("/leave", Some(&camille)).await;
        assert!(mine.body.contains(&format!("Mes soldes {year}")));
        assert!(mine.body.contains(r#"class="num">25</td>"#));
        assert!(mine.body.contains("<svg") && mine.body.contains(" j restant(s) sur 25"));

        // A work pattern: four days a week in Alsace-Moselle.
        let none = t
            .post_form(
                "/settings/leave/patterns",
                &direction,
                &[("pattern_user", camille_id), ("region", "standard")],
            )
            .await;
        assert_eq!(none.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(none.body.contains("Cochez au moins un jour travaillé."));
        let ok = t
            .post_form(
                "/settings/leave/patterns",
                &direction,
                &[
                    ("pattern_user", camille_id),
                    ("region", "alsace_moselle"),
                    ("weekdays", "1"),
                    ("weekdays", "2"),
                    ("weekdays", "4"),
                    ("weekdays", "5"),
                ],
            )
            .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
        let mut tx = t.db.read().await.unwrap();
        let pattern = store::cras::work_pattern(&mut tx, camille_user)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            pattern,
            WorkPattern {
                region: domain::calendar::Region::AlsaceMoselle,
                weekdays: WorkPattern::parse_weekdays("1245").unwrap(),
            }
        );
        let page = t.get("/settings/leave", Some(&direction)).await;
        assert!(page.body.contains("80 %") && page.body.contains("lun., mar., jeu., ven."));
        // A Wednesday is no longer a working day for her.
        let wednesday = t
            .post_form(
                "/leave",
                &camille,
                &with(&[
                    ("start", "10/03/2027"),
                    ("end", "10/03/2027"),
                    ("end_half", "pm"),
                ]),
            )
            .await;
        assert_eq!(wednesday.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(wednesday.body.contains("ne contient aucun jour travaillé"));
    })
    .await;
}
