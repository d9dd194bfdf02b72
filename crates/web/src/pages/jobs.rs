//! Background jobs and outgoing e-mails, for administrators: what ran, what
//! failed and why, with a retry button.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use domain::ids::{JobId, RenewalTaskId};
use domain::paging::PageRequest;

use super::see_other;
use crate::AppState;
use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::extract::Id;
use crate::view::{Layout, layout, render};
use crate::write::write;

pub struct JobLine {
    pub id: JobId,
    /// The kind in words; `code` is the kind as stored, for the tooltip.
    pub kind: String,
    pub code: String,
    pub state: String,
    pub failed: bool,
    pub run_at: String,
    pub attempts: String,
    pub error: String,
}

#[derive(Template)]
#[template(path = "jobs.html")]
struct JobsPage {
    layout: Layout,
    counts: Vec<(String, i64)>,
    jobs: Vec<JobLine>,
    emails: Vec<(String, String, String)>,
}

pub async fn list(State(app): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let mut tx = app.db.read().await?;
    let counts = store::jobs::counts(&mut tx).await?;
    let jobs = store::jobs::list(&mut tx, None, PageRequest::new(Some(1), Some(100))).await?;
    let emails = store::outbox::recent(&mut tx, 50).await?;
    tx.commit().await?;
    let l = layout(&app, &ctx, "jobs-title").await?;
    let state = |s: &str| crate::i18n::t(ctx.locale, &format!("job-state-{s}"));
    let jobs = jobs
        .items
        .iter()
        .map(|j| JobLine {
            id: j.id,
            kind: crate::i18n::code(ctx.locale, "job-kind", &j.kind),
            code: j.kind.clone(),
            state: state(j.state.as_str()),
            failed: j.state == domain::jobs::JobState::Failed,
            run_at: l.datetime(&j.run_at),
            attempts: format!("{}/{}", j.attempts, j.max_attempts),
            error: j.last_error.clone().unwrap_or_default(),
        })
        .collect();
    let emails = emails
        .iter()
        .map(|e| {
            let s = match (&e.sent_at, &e.last_error) {
                (Some(at), _) => {
                    crate::i18n::t_args(ctx.locale, "outbox-sent", &[("when", l.datetime(at))])
                }
                (None, Some(err)) => {
                    crate::i18n::t_args(ctx.locale, "outbox-failed", &[("error", err.clone())])
                }
                (None, None) => crate::i18n::t(ctx.locale, "outbox-pending"),
            };
            (e.to_address.clone(), e.subject.clone(), s)
        })
        .collect();
    render(&JobsPage {
        counts: counts.into_iter().map(|(s, n)| (state(&s), n)).collect(),
        layout: l,
        jobs,
        emails,
    })
}

pub async fn retry(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<JobId>,
) -> AppResult<Response> {
    write(&app, &ctx)
        .flash("job-requeued")
        .commit(async |tx| store::jobs::retry(tx, id).await)
        .await?;
    Ok(see_other("/jobs"))
}

pub async fn complete_task(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<RenewalTaskId>,
) -> AppResult<Response> {
    let user = ctx.user()?.id;
    write(&app, &ctx)
        .commit(async |tx| store::renewals::complete_task(tx, user, id).await)
        .await?;
    Ok(see_other("/"))
}
