//! Invoicing through the pages, on the demo stopped before its key-account
//! chain: Camille's two past months
//! were validated (which drafted them) and wait for Clientis to sign its
//! contract. Released, a month is issued (refused first, in French, while
//! the client lacks its SIREN), printed, and partly credited; the month-end
//! close runs, and is refused in words in a closed ledger period. Only
//! staff who invoice see any of it.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use domain::calendar::YearMonth;
use domain::invoice::InvoiceStatus;
use domain::role::Role;
use store::invoicing::read;
use store::{Actor, Scope};
use tower::ServiceExt;

use crate::harness::{Browser, TestApp, on_each_backend_before_billing as on_each_backend};

pub(crate) async fn waiting(t: &TestApp) -> Vec<read::Summary> {
    let mut tx = t.db.read().await.unwrap();
    let w = read::waiting(&mut tx).await.unwrap();
    tx.commit().await.unwrap();
    w
}

pub(crate) async fn detail(t: &TestApp, id: domain::ids::InvoiceId) -> read::Detail {
    let mut tx = t.db.read().await.unwrap();
    let d = read::get(&mut tx, id).await.unwrap();
    tx.commit().await.unwrap();
    d
}

/// Lifts the key-account lock off Camille's mission, as a manager would by
/// unticking it on the mission.
async fn unlock(t: &TestApp) {
    let mut tx = t.db.begin().await.unwrap();
    let m = store::missions::get(&mut tx, Scope::All, t.camille_mission)
        .await
        .unwrap();
    let mut data = m.data.clone();
    data.invoicing_locked = false;
    store::missions::update(
        &mut tx,
        &Actor::system("test"),
        Scope::All,
        t.camille_mission,
        &data,
        &m.validators,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

/// Sets (or removes) Clientis's SIREN, returning the one it had.
pub(crate) async fn set_clientis_siren(
    t: &TestApp,
    siren: Option<domain::identifiers::Siren>,
) -> Option<domain::identifiers::Siren> {
    let mut tx = t.db.begin().await.unwrap();
    let c = store::companies::get(&mut tx, Scope::All, t.clientis)
        .await
        .unwrap();
    let mut data = c.data.clone();
    let before = std::mem::replace(&mut data.siren, siren);
    store::companies::update(
        &mut tx,
        &Actor::system("test"),
        Scope::All,
        t.clientis,
        &data,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    before
}

/// Removes Clientis's street address.
pub(crate) async fn clear_clientis_address(t: &TestApp) {
    let mut tx = t.db.begin().await.unwrap();
    let c = store::companies::get(&mut tx, Scope::All, t.clientis)
        .await
        .unwrap();
    let mut data = c.data.clone();
    data.address_line1 = None;
    store::companies::update(
        &mut tx,
        &Actor::system("test"),
        Scope::All,
        t.clientis,
        &data,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

/// Camille's first waiting month, unlocked and released into a draft.
pub(crate) async fn released_draft(t: &TestApp) -> String {
    let finance = t.browser(Some(Role::Finance)).await;
    let id = waiting(t).await[0].id.to_string();
    unlock(t).await;
    let r = t
        .post_form(&format!("/invoices/{id}/release"), &finance, &[])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    id
}

/// The raw bytes of a download.
pub(crate) async fn download(
    t: &TestApp,
    path: &str,
    b: &Browser,
) -> (StatusCode, String, Vec<u8>) {
    let req = Request::get(path)
        .header(header::COOKIE, &b.cookie)
        .body(Body::empty())
        .unwrap();
    let resp = t.app.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let ct = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, ct, bytes.to_vec())
}

/// The text of a PDF, when poppler's `pdftotext` is installed.
pub(crate) fn pdf_text(bytes: &[u8]) -> Option<String> {
    let dir = std::env::temp_dir().join(format!("regisseur-pdf-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).ok()?;
    let file = dir.join("invoice.pdf");
    std::fs::write(&file, bytes).ok()?;
    let out = std::process::Command::new("pdftotext")
        .args(["-layout", file.to_str()?, "-"])
        .output();
    std::fs::remove_dir_all(&dir).ok();
    match out {
        Ok(o) if o.status.success() => Some(String::from_utf8_lossy(&o.stdout).into_owned()),
        _ => {
            eprintln!("pdftotext not available: PDF text not checked");
            None
        }
    }
}

#[tokio::test]
async fn a_released_month_is_issued_printed_and_credited() {
    on_each_backend(|t| async move {
        let finance = t.browser(Some(Role::Finance)).await;
        let year = store::today().year();
        let today = domain::locale::format_date(store::today(), domain::Locale::Fr);

        // Validating Camille's months drafted them; Clientis has not signed.
        let w = waiting(&t).await;
        assert_eq!(w.len(), 2, "{w:?}");
        let list = t.get("/invoices", Some(&finance)).await;
        assert_eq!(list.status, StatusCode::OK, "{}", list.body);
        assert!(
            list.body.contains("En attente de signature"),
            "{}",
            list.body
        );
        assert!(list.body.contains("Clientis Group"));
        let page = t.get("/invoices/waiting", Some(&finance)).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("id=\"waiting-total-gross\""));
        // Camille's months are past the end of the month they bill: the
        // page says by when the law wanted them issued (CGI art. 289).
        let first = domain::calendar::YearMonth::parse(&w[0].period).unwrap();
        let deadline = domain::locale::format_date(first.last_day(), domain::Locale::Fr);
        assert!(
            page.body.contains(&format!(
                "À émettre au plus tard le {deadline} (CGI art. 289)"
            )),
            "{}",
            page.body
        );
        let total = w.iter().map(|s| s.gross).sum::<domain::money::Money>();
        assert!(
            page.body.contains(&total.format(domain::Locale::Fr)),
            "{}",
            page.body
        );
        // A bad month filter is answered in words.
        let bad = t.get("/invoices?period=2026-13", Some(&finance)).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.body.contains("Période invalide"), "{}", bad.body);

        // Still locked: releasing is refused in words, nothing changes.
        let id = w[0].id;
        let href = format!("/invoices/{id}");
        let r = t.post_form(&format!("{href}/release"), &finance, &[]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.body
                .contains("en attente de la signature du contrat client")
        );
        // Unlocked, it is released into a draft.
        unlock(&t).await;
        let r = t.post_form(&format!("{href}/release"), &finance, &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(detail(&t, id).await.summary.status, InvoiceStatus::Draft);
        let drafts = t.get("/invoices?status=draft", Some(&finance)).await;
        assert!(drafts.body.contains(&href), "{}", drafts.body);
        assert!(drafts.body.contains("Brouillon"));
        let shown = t.get(&href, Some(&finance)).await;
        assert!(shown.body.contains("id=\"issue-form\""), "{}", shown.body);
        assert!(shown.body.contains(&format!("value=\"{today}\"")));
        // A draft's PDF is a preview, marked so.
        let (status, ct, bytes) = download(&t, &format!("{href}/pdf"), &finance).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(ct, "application/pdf");
        if let Some(text) = pdf_text(&bytes) {
            assert!(text.contains("BROUILLON"), "{text}");
        }

        // Clientis without its SIREN: the draft, frozen with it, first
        // says the client changed; brought up to date, it is refused in
        // French for the missing SIREN, still a draft.
        let entries = t.count("ledger_entries").await;
        let siren = set_clientis_siren(&t, None).await;
        let r = t
            .post_form(&format!("{href}/issue"), &finance, &[("date", &today)])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("Les conditions ont changé"), "{}", r.body);
        let r = t
            .post_form(&format!("{href}/refresh-terms"), &finance, &[])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let r = t
            .post_form(&format!("{href}/issue"), &finance, &[("date", &today)])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.body.contains("Mentions obligatoires manquantes") && r.body.contains("SIREN"),
            "{}",
            r.body
        );
        assert_eq!(detail(&t, id).await.summary.status, InvoiceStatus::Draft);
        assert_eq!(t.count("ledger_entries").await, entries);
        // A date that does not parse is refused beside its field.
        let r = t
            .post_form(&format!("{href}/issue"), &finance, &[("date", "31/02/x")])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("issue-date-error"), "{}", r.body);

        set_clientis_siren(&t, siren).await;
        let r = t
            .post_form(&format!("{href}/refresh-terms"), &finance, &[])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let r = t
            .post_form(&format!("{href}/issue"), &finance, &[("date", &today)])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(r.location(), href);
        let number = format!("FA-{year}-000001");
        let shown = t.get(&href, Some(&finance)).await;
        assert!(shown.body.contains(&number), "{}", shown.body);
        assert!(shown.body.contains("Facture émise."));
        assert!(shown.body.contains(&format!("VE-{year}-000001")));
        assert!(shown.body.contains("/accounting/journal?journal=VE"));

        // The PDF, printed from what was frozen at issue.
        let (status, ct, bytes) = download(&t, &format!("{href}/pdf"), &finance).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(ct, "application/pdf");
        assert!(bytes.starts_with(b"%PDF"));
        if let Some(text) = pdf_text(&bytes) {
            assert!(text.contains(&number), "{text}");
            assert!(text.contains("40 €"), "{text}");
            assert!(text.contains("542 051 180"), "{text}");
            assert!(!text.contains("BROUILLON"), "{text}");
        }
        // Clientis's SIREN removed again: the issued invoice prints the same.
        let siren = set_clientis_siren(&t, None).await;
        let (_, _, again) = download(&t, &format!("{href}/pdf"), &finance).await;
        assert_eq!(again, bytes, "an issued invoice prints the same forever");
        set_clientis_siren(&t, siren).await;

        // A credit note for one day (two halves), ticked on the form.
        let d = detail(&t, id).await;
        let line = &d.lines[0];
        let consultant = line.consultant_id.clone().unwrap();
        let day = line.days[0].0;
        let am = format!("{consultant}|{day}|am");
        let pm = format!("{consultant}|{day}|pm");
        assert!(
            shown.body.contains(&format!("value=\"{am}\"")),
            "{}",
            shown.body
        );
        let credit = format!("{href}/credit");
        // Nothing ticked, or no reason: refused in words.
        let r = t
            .post_form(
                &credit,
                &finance,
                &[("reason", "Jour non travaillé"), ("date", &today)],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("au moins une demi-journée"), "{}", r.body);
        let r = t
            .post_form(&credit, &finance, &[("half", &am), ("date", &today)])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("Indiquez le motif"), "{}", r.body);
        assert!(
            r.body.contains(&format!("value=\"{am}\" checked")),
            "{}",
            r.body
        );
        assert_eq!(t.count("invoices").await, 2);

        let r = t
            .post_form(
                &credit,
                &finance,
                &[
                    ("half", &am),
                    ("half", &pm),
                    ("reason", "Jour non travaillé"),
                    ("date", &today),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let note_href = r.location().to_owned();
        let note = t.get(&note_href, Some(&finance)).await;
        let note_number = format!("AV-{year}-000001");
        assert!(note.body.contains(&note_number), "{}", note.body);
        assert!(note.body.contains("Avoir émis."));
        assert!(note.body.contains(&format!("href=\"{href}\"")));
        let credited = detail(&t, id).await;
        let struck = credited.lines[0].days.iter().filter(|(_, _, c)| *c).count();
        assert_eq!(struck, 2);
        let shown = t.get(&href, Some(&finance)).await;
        assert_eq!(shown.body.matches("class=\"credited-day\"").count(), 2);
        assert!(shown.body.contains("dont 2 créditée(s)"), "{}", shown.body);
        assert!(shown.body.contains(&note_number));
        // The credited day is no longer offered; the same halves again are refused.
        assert!(!shown.body.contains(&format!("value=\"{am}\"")));
        let r = t
            .post_form(
                &credit,
                &finance,
                &[("half", &am), ("reason", "Encore"), ("date", &today)],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("déjà créditées"), "{}", r.body);
        // The credit note prints too, citing the invoice.
        let (status, _, bytes) = download(&t, &format!("{note_href}/pdf"), &finance).await;
        assert_eq!(status, StatusCode::OK);
        if let Some(text) = pdf_text(&bytes) {
            assert!(
                text.contains(&note_number) && text.contains(&number),
                "{text}"
            );
        }

        // In English on request.
        let en = t
            .get_with(&href, Some(&finance), &[("cookie", "regisseur_lang=en")])
            .await;
        assert_eq!(en.status, StatusCode::OK);

        // Direction reads, but does not act.
        let direction = t.browser(Some(Role::Direction)).await;
        let shown = t.get(&href, Some(&direction)).await;
        assert_eq!(shown.status, StatusCode::OK);
        assert!(!shown.body.contains("id=\"credit-form\""));
    })
    .await;
}

/// Runs the close jobs the page queued, as the worker does, leaving the
/// other jobs queued.
async fn run_queued_closes(t: &TestApp) {
    let mut tx = t.db.begin().await.unwrap();
    let ids: Vec<String> = store::on_tx!(&mut tx, |c| sqlx::query_scalar(
        "SELECT id FROM jobs WHERE kind = $1 AND state = 'queued'"
    )
    .bind(store::invoicing::close::CLOSE_JOB)
    .fetch_all(c)
    .await)
    .unwrap();
    tx.commit().await.unwrap();
    for id in ids {
        let mut tx = t.db.begin().await.unwrap();
        store::on_tx!(&mut tx, |c| sqlx::query(
            "UPDATE jobs SET state = 'running', locked_by = 'test' WHERE id = $1"
        )
        .bind(&id)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
        .unwrap();
        tx.commit().await.unwrap();
        let mut tx = t.db.begin().await.unwrap();
        let job = store::jobs::get(&mut tx, id.parse().unwrap())
            .await
            .unwrap()
            .unwrap();
        tx.commit().await.unwrap();
        let _ = store::invoicing::close::run_job(&t.db, &job, &mut |_, _| {}).await;
        let mut tx = t.db.begin().await.unwrap();
        assert!(
            store::jobs::complete(&mut tx, job.id, "test")
                .await
                .unwrap()
        );
        tx.commit().await.unwrap();
    }
}

#[tokio::test]
async fn the_month_end_close_runs_and_is_refused_in_a_closed_period() {
    on_each_backend(|t| async move {
        let finance = t.browser(Some(Role::Finance)).await;
        let today = domain::locale::format_date(store::today(), domain::Locale::Fr);
        let last = YearMonth::of(store::today()).prev();
        let page = t.get("/close", Some(&finance)).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(
            page.body.contains(&format!("value=\"{last}\"")),
            "{}",
            page.body
        );
        assert!(page.body.contains("Aucune clôture lancée"));

        let r = t
            .post_form(
                "/close",
                &finance,
                &[("period", &last.to_string()), ("issue_date", &today)],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(r.location(), format!("/close?period={last}"));
        // Queued: the page says so, refreshes itself, and a second close
        // of the period is refused while this one waits.
        let queued = t.get(r.location(), Some(&finance)).await;
        assert!(queued.body.contains("Clôture lancée"), "{}", queued.body);
        assert!(
            queued.body.contains("id=\"close-progress\""),
            "{}",
            queued.body
        );
        assert!(queued.body.contains("hx-trigger=\"every 2s\""));
        let again = t
            .post_form(
                "/close",
                &finance,
                &[("period", &last.to_string()), ("issue_date", &today)],
            )
            .await;
        assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(again.body.contains("est déjà en cours"), "{}", again.body);
        run_queued_closes(&t).await;
        let shown = t.get(r.location(), Some(&finance)).await;
        assert!(
            !shown.body.contains("hx-trigger=\"every 2s\""),
            "{}",
            shown.body
        );
        // Camille's two months wait for Clientis: accrued, nothing issued.
        assert!(
            shown
                .body
                .contains("<div class=\"n\" id=\"close-accrued\">2</div>"),
            "{}",
            shown.body
        );
        assert!(
            shown
                .body
                .contains("<div class=\"n\" id=\"close-waiting\">2</div>")
        );
        assert!(
            shown
                .body
                .contains("<div class=\"n\" id=\"close-issued\">0</div>")
        );
        assert!(shown.body.contains("id=\"close-history\""));
        assert_eq!(t.count("accruals").await, 2);
        let waiting = t.get("/invoices/waiting", Some(&finance)).await;
        assert!(
            !waiting.body.contains("id=\"waiting-total-accrued\">0,00"),
            "{}",
            waiting.body
        );

        // Again: nothing new is booked.
        let r = t
            .post_form(
                "/close",
                &finance,
                &[("period", &last.to_string()), ("issue_date", &today)],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        run_queued_closes(&t).await;
        assert_eq!(t.count("accruals").await, 2);

        // Refused in words, nothing written.
        let runs = t.count("close_runs").await;
        let r = t
            .post_form(
                "/close",
                &finance,
                &[("period", "2026-13"), ("issue_date", "")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("Période invalide") && r.body.contains("obligatoire"));
        let current = YearMonth::of(store::today()).to_string();
        let r = t
            .post_form(
                "/close",
                &finance,
                &[("period", &current), ("issue_date", &today)],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("doit suivre la fin de"), "{}", r.body);
        let mut tx = t.db.begin().await.unwrap();
        store::ledger_close::close_period(&mut tx, &Actor::system("test"), last)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let r = t
            .post_form(
                "/close",
                &finance,
                &[("period", &last.to_string()), ("issue_date", &today)],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.body.contains(&format!(
                "La période {} est clôturée en comptabilité",
                last.label_fr()
            )),
            "{}",
            r.body
        );
        assert_eq!(t.count("close_runs").await, runs);

        // Direction sees the history, without the form.
        let direction = t.browser(Some(Role::Direction)).await;
        let seen = t
            .get(&format!("/close?period={last}"), Some(&direction))
            .await;
        assert_eq!(seen.status, StatusCode::OK);
        assert!(!seen.body.contains("id=\"close-form\""));
        assert!(seen.body.contains("id=\"close-history\""));
    })
    .await;
}

#[tokio::test]
async fn a_consultant_sees_no_invoice() {
    on_each_backend(|t| async move {
        let id = waiting(&t).await[0].id;
        let consultant = t.browser(Some(Role::Consultant)).await;
        for path in [
            "/invoices".to_owned(),
            "/invoices/waiting".to_owned(),
            format!("/invoices/{id}"),
            format!("/invoices/{id}/pdf"),
            "/close".to_owned(),
        ] {
            assert_eq!(
                t.get(&path, Some(&consultant)).await.status,
                StatusCode::FORBIDDEN,
                "{path}"
            );
        }
        for path in [
            format!("/invoices/{id}/issue"),
            format!("/invoices/{id}/release"),
            format!("/invoices/{id}/credit"),
            "/close".to_owned(),
        ] {
            assert_eq!(
                t.post_form(&path, &consultant, &[]).await.status,
                StatusCode::FORBIDDEN,
                "{path}"
            );
        }
        let home = t.get("/", Some(&consultant)).await;
        assert!(!home.body.contains("href=\"/invoices\""));
        let finance = t.browser(Some(Role::Finance)).await;
        let home = t.get("/", Some(&finance)).await;
        assert!(home.body.contains("href=\"/invoices\""));
    })
    .await;
}

/// The demo's issued invoices offer their Factur-X: the PDF and the CII
/// XML download as attachments named after the number, the XML the one
/// the store builds; a waiting or draft invoice has none (404, no link).
#[tokio::test]
async fn issued_invoices_download_their_factur_x_and_drafts_have_none() {
    crate::harness::on_each_backend(|t| async move {
        let finance = t.browser(Some(Role::Finance)).await;
        let mut tx = t.db.read().await.unwrap();
        let list = read::list(&mut tx, &Default::default(), 10).await.unwrap();
        tx.commit().await.unwrap();
        let issued = list
            .iter()
            .find(|s| s.status == InvoiceStatus::Issued)
            .expect("the demo issues its invoices");
        let number = issued.number.clone().unwrap();
        let href = format!("/invoices/{}", issued.id);
        let shown = t.get(&href, Some(&finance)).await;
        assert!(
            shown.body.contains("id=\"invoice-facturx\""),
            "{}",
            shown.body
        );
        assert!(shown.body.contains("Télécharger Factur-X"));
        assert!(shown.body.contains(&format!("{href}/facturx.xml")));
        let en = t
            .get_with(&href, Some(&finance), &[("cookie", "regisseur_lang=en")])
            .await;
        assert!(en.body.contains("Download Factur-X"), "{}", en.body);

        let pdf = t.get(&format!("{href}/facturx.pdf"), Some(&finance)).await;
        assert_eq!(pdf.status, StatusCode::OK);
        assert_eq!(pdf.content_type(), "application/pdf");
        assert_eq!(
            pdf.headers[header::CONTENT_DISPOSITION],
            format!("attachment; filename=\"{number}.pdf\"").as_str()
        );
        let (status, ct, xml) = download(&t, &format!("{href}/facturx.xml"), &finance).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(ct, "application/xml");
        let mut tx = t.db.read().await.unwrap();
        let expected = app::invoicing::facturx::xml(&mut tx, issued.id)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(xml, expected);
        let text = String::from_utf8(xml).unwrap();
        assert!(
            text.contains(&format!("<ram:ID>{number}</ram:ID>")),
            "{text}"
        );
        let r = t.get(&format!("{href}/facturx.xml"), Some(&finance)).await;
        assert_eq!(
            r.headers[header::CONTENT_DISPOSITION],
            format!("attachment; filename=\"{number}.xml\"").as_str()
        );
        // Not for everyone.
        let consultant = t.browser(Some(Role::Consultant)).await;
        for suffix in ["facturx.pdf", "facturx.xml"] {
            let r = t.get(&format!("{href}/{suffix}"), Some(&consultant)).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{suffix}");
        }
    })
    .await;
}

#[tokio::test]
async fn an_invoice_not_issued_has_no_factur_x() {
    on_each_backend(|t| async move {
        let finance = t.browser(Some(Role::Finance)).await;
        let id = waiting(&t).await[0].id;
        let href = format!("/invoices/{id}");
        let shown = t.get(&href, Some(&finance)).await;
        assert_eq!(shown.status, StatusCode::OK);
        assert!(!shown.body.contains("facturx"), "{}", shown.body);
        for suffix in ["facturx.pdf", "facturx.xml"] {
            let r = t.get(&format!("{href}/{suffix}"), Some(&finance)).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{suffix}");
        }
        let r = t.get("/invoices/nope/facturx.xml", Some(&finance)).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
    })
    .await;
}

/// A draft whose mission changed since it was prepared says what changed
/// and offers to update it; the API does the same.
#[tokio::test]
async fn a_draft_whose_terms_changed_says_so_and_is_refreshed_on_request() {
    crate::harness::on_each_backend_before_billing(|t| async move {
        let finance = t.browser(Some(domain::role::Role::Finance)).await;
        let mut tx = t.db.read().await.unwrap();
        let waiting = store::invoicing::read::waiting(&mut tx).await.unwrap();
        tx.commit().await.unwrap();
        let id = waiting[0].id;
        let page = t.get(&format!("/invoices/{id}"), Some(&finance)).await;
        assert!(
            !page.body.contains("id=\"terms-changed\""),
            "nothing changed yet"
        );
        store::on_pool!(&t.db, |c| sqlx::query(
            "UPDATE missions SET po_number = 'PO-NOUVEAU' WHERE id = $1"
        )
        .bind(t.camille_mission.to_string())
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
        .unwrap();
        let page = t.get(&format!("/invoices/{id}"), Some(&finance)).await;
        assert!(page.body.contains("id=\"terms-changed\""), "{}", page.body);
        assert!(page.body.contains("n° de bon de commande"), "{}", page.body);
        let r = t
            .post_form(&format!("/invoices/{id}/refresh-terms"), &finance, &[])
            .await;
        assert_eq!(r.status, axum::http::StatusCode::SEE_OTHER, "{}", r.body);
        let page = t.get(&format!("/invoices/{id}"), Some(&finance)).await;
        assert!(!page.body.contains("id=\"terms-changed\""), "{}", page.body);
        assert!(
            page.body.contains("PO-NOUVEAU"),
            "the draft now states the new PO"
        );
        let token = t.token(domain::role::Role::Finance).await;
        let api = t
            .api(
                axum::http::Method::POST,
                &format!("/api/v1/invoices/{id}/refresh-terms"),
                Some(&token),
                None,
            )
            .await;
        assert_eq!(api.status, axum::http::StatusCode::OK, "{}", api.body);
        assert_eq!(api.json()["changes"], serde_json::json!([]));
    })
    .await;
}

/// An instant given as Paris's wall clock (the day's offset: changes
/// happen at 01:00 UTC, so noon's offset holds from then to midnight).
fn paris(d: time::Date, h: u8, m: u8) -> time::OffsetDateTime {
    let noon =
        time::PrimitiveDateTime::new(d, time::Time::from_hms(12, 0, 0).unwrap()).assume_utc();
    time::PrimitiveDateTime::new(d, time::Time::from_hms(h, m, 0).unwrap())
        .assume_offset(domain::paris::offset_at(noon))
        .to_offset(time::UtcOffset::UTC)
}

/// The firm's day is Paris's, from the request down: at 23:30 in Paris on
/// the last day of the month the close still offers the month before and
/// today's date; at 00:30 (the same day in UTC) it offers the month just
/// ended and the new date. A run made in summer time shows Paris's hour.
#[tokio::test]
async fn the_close_follows_the_paris_day_at_midnight_and_in_summer_time() {
    on_each_backend(|t| async move {
        let month = YearMonth::of(store::today());
        let last_day = month.last_day();
        let evening = paris(last_day, 23, 30);
        let night = paris(last_day.next_day().unwrap(), 0, 30);
        assert_eq!(
            evening.date(),
            night.date(),
            "one UTC day: the test means something"
        );
        for (instant, period, day) in [
            (evening, month.prev(), last_day),
            (night, month, last_day.next_day().unwrap()),
        ] {
            let page = store::clock::at(instant, async {
                let finance = t.browser(Some(Role::Finance)).await;
                t.get("/close", Some(&finance)).await
            })
            .await;
            assert_eq!(page.status, StatusCode::OK, "{}", page.body);
            assert!(
                page.body.contains(&format!("value=\"{period}\"")),
                "{instant}: {}",
                page.body
            );
            let day = domain::locale::format_date(day, domain::Locale::Fr);
            assert!(
                page.body.contains(&format!("value=\"{day}\"")),
                "{instant}: {}",
                page.body
            );
        }

        // 28 March 2027, 01:30 UTC: 03:30 in Paris, summer time since 01:00.
        let summer = time::macros::datetime!(2027-03-28 01:30 UTC);
        let shown = store::clock::at(summer, async {
            let finance = t.browser(Some(Role::Finance)).await;
            let r = t
                .post_form(
                    "/close",
                    &finance,
                    &[("period", "2027-02"), ("issue_date", "28/03/2027")],
                )
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
            t.get(r.location(), Some(&finance)).await
        })
        .await;
        assert!(shown.body.contains("28/03/2027 03:30"), "{}", shown.body);
    })
    .await;
}
