//! The FEC page: finance picks a fiscal year and queues its export; the
//! worker (any instance) writes it into the database with its progress;
//! the page polls while it runs and offers the download, streamed chunk by
//! chunk from the database, when done.

use askama::Template;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use domain::export::{ExportKind, ExportStatus};
use domain::ledger::FiscalYear;
use domain::validation::ValidationErrors;
use serde::Deserialize;

use crate::AppState;
use crate::authz::{Permission, allows};
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::extract::{Form, Id};
use crate::pages::see_other;
use crate::view::{Layout, layout, render};
use crate::write::{flash_back, write};
use domain::ids::ExportId;

pub struct ExportRow {
    pub id: String,
    pub year: i32,
    pub status: String,
    pub running: bool,
    pub done: bool,
    pub failed: bool,
    pub percent: i64,
    pub progress: String,
    pub file_name: String,
    pub size: String,
    pub created: String,
    pub error: String,
}

#[derive(Template)]
#[template(path = "accounting/fec.html")]
struct FecPage {
    layout: Layout,
    years: Vec<i32>,
    current: i32,
    can_export: bool,
    exports: Vec<ExportRow>,
    polling: bool,
    /// Bank entries waiting in the brouillard: not in any FEC until
    /// validated (empty when none).
    waiting: String,
}

pub async fn show(State(app): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let l = ctx.locale;
    let today = store::today();
    let can_export = allows(ctx.user()?.role, Permission::ManageAccounting);
    let mut tx = app.db.read().await?;
    let years = store::ledger_reports::fiscal_years(&mut tx, today).await?;
    let exports = store::exports::recent(&mut tx, ExportKind::Fec, 10).await?;
    let waiting = store::brouillard::waiting(&mut tx, domain::ledger::Journal::Bq).await?;
    tx.commit().await?;
    let waiting = match (waiting.count, waiting.last) {
        (n, Some(last)) if n > 0 => crate::i18n::t_args(
            l,
            "fec-brouillard-waiting",
            &[
                ("count", n.to_string()),
                ("date", domain::locale::format_date(last, l)),
            ],
        ),
        _ => String::new(),
    };
    let page_layout = layout(&app, &ctx, "fec-title").await?;
    let exports: Vec<ExportRow> = exports
        .iter()
        .map(|e| ExportRow {
            id: e.id.to_string(),
            year: e.year,
            status: crate::i18n::t(l, &format!("fec-status-{}", e.status.as_str())),
            running: !e.is_finished(),
            done: e.status == ExportStatus::Done,
            failed: e.status == ExportStatus::Failed,
            percent: e.percent(),
            progress: crate::i18n::t_args(
                l,
                "fec-progress",
                &[
                    ("done", page_layout.number(e.lines_done.max(0) as u64)),
                    ("total", page_layout.number(e.lines_total.max(0) as u64)),
                ],
            ),
            file_name: e.file_name.clone().unwrap_or_default(),
            size: mebibytes(e.size_bytes, l),
            created: page_layout.datetime(&e.created_at),
            error: e.error.clone().unwrap_or_default(),
        })
        .collect();
    let mut years: Vec<i32> = years.iter().map(|y| y.year.year()).collect();
    years.sort_unstable_by(|a, b| b.cmp(a));
    render(&FecPage {
        layout: page_layout,
        current: FiscalYear::of(today).prev().year(),
        polling: exports.iter().any(|e| e.running),
        waiting,
        years,
        can_export,
        exports,
    })
}

#[derive(Debug, Default, Deserialize)]
pub struct ExportForm {
    #[serde(default)]
    pub year: String,
}

pub async fn request(
    State(app): State<AppState>,
    ctx: Ctx,
    Form(f): Form<ExportForm>,
) -> AppResult<Response> {
    let year = f
        .year
        .trim()
        .parse::<i32>()
        .ok()
        .filter(|y| (2000..=2100).contains(y))
        .and_then(|y| time::Date::from_calendar_date(y, time::Month::June, 30).ok())
        .map(FiscalYear::of);
    let Some(year) = year else {
        let v = ValidationErrors::single("year", "fec-year-invalid");
        return flash_back(&app, &ctx, &v, "/accounting/fec").await;
    };
    write(&app, &ctx)
        .flash("fec-queued")
        .commit(async |tx| store::exports::request_fec(tx, &ctx.actor(), year).await)
        .await?;
    Ok(see_other("/accounting/fec"))
}

/// The finished file, read a chunk at a time (one query per chunk, so the
/// response holds at most one chunk in memory).
pub async fn download(State(app): State<AppState>, Id(id): Id<ExportId>) -> AppResult<Response> {
    let mut tx = app.db.read().await?;
    let export = store::exports::get(&mut tx, id).await?;
    tx.commit().await?;
    let Some(export) =
        export.filter(|e| e.status == ExportStatus::Done && e.kind == ExportKind::Fec)
    else {
        return Err(AppError::NotFound);
    };
    let name = export.file_name.unwrap_or_else(|| "FEC.txt".into());
    let db = app.db.clone();
    let chunks = futures_util::stream::unfold(Some(0i32), move |seq| {
        let db = db.clone();
        async move {
            let seq = seq?;
            let read = async {
                let mut tx = db.read().await?;
                let c = store::exports::chunk(&mut tx, id, seq).await?;
                tx.commit().await?;
                Ok::<_, store::Error>(c)
            }
            .await;
            match read {
                Ok(Some(bytes)) => Some((Ok(bytes), Some(seq + 1))),
                Ok(None) => None,
                Err(e) => Some((Err(std::io::Error::other(e.to_string())), None)),
            }
        }
    });
    let mut resp = Body::from_stream(chunks).into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=iso-8859-15"),
    );
    h.insert(
        header::CONTENT_LENGTH,
        HeaderValue::from_str(&export.size_bytes.to_string()).map_err(|_| AppError::NotFound)?,
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(resp)
}

/// A file size in mebibytes with one decimal, as the reader writes numbers:
/// `12,3 Mio` in French, `12.3 MiB` in English.
fn mebibytes(bytes: i64, l: domain::locale::Locale) -> String {
    let tenths = (bytes.max(0) as u64 * 10 + (1 << 19)) >> 20;
    match l {
        domain::locale::Locale::Fr => format!("{},{} Mio", tenths / 10, tenths % 10),
        domain::locale::Locale::En => format!("{}.{} MiB", tenths / 10, tenths % 10),
    }
}

#[cfg(test)]
mod size_tests {
    use domain::locale::Locale;

    #[test]
    fn sizes_read_in_the_users_language() {
        assert_eq!(super::mebibytes(0, Locale::Fr), "0,0 Mio");
        assert_eq!(super::mebibytes(156_450_000, Locale::Fr), "149,2 Mio");
        assert_eq!(super::mebibytes(156_450_000, Locale::En), "149.2 MiB");
    }
}
