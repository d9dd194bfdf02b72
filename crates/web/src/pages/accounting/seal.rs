//! The inalterability page: every journal and year's hash chain
//! recomputed, intact or broken at its first broken link.

use askama::Template;
use axum::extract::State;
use axum::response::Response;

use crate::AppState;
use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::view::{Layout, layout, render};

pub struct ChainRow {
    pub journal: String,
    pub year: i32,
    pub entries: String,
    pub intact: bool,
    pub broken_at: String,
    pub reason: String,
    pub expected: String,
    pub found: String,
    pub last_hash: String,
}

#[derive(Template)]
#[template(path = "accounting/seal.html")]
struct SealPage {
    layout: Layout,
    chains: Vec<ChainRow>,
    intact: bool,
}

pub async fn show(State(app): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let l = ctx.locale;
    let mut tx = app.db.read().await?;
    let v = store::ledger::verify(&mut tx).await?;
    tx.commit().await?;
    let page_layout = layout(&app, &ctx, "seal-title").await?;
    let chains = v
        .journals
        .iter()
        .map(|j| {
            let b = j.first_broken.as_ref();
            ChainRow {
                journal: j.journal.clone(),
                year: j.year,
                entries: page_layout.number(j.entries),
                intact: b.is_none(),
                broken_at: b
                    .map(|b| {
                        domain::ledger::Journal::parse(&j.journal)
                            .map(|k| domain::ledger::entry_number(k, j.year, b.number))
                            .unwrap_or_else(|| b.number.to_string())
                    })
                    .unwrap_or_default(),
                reason: b
                    .map(|b| crate::i18n::t(l, &b.reason.label_key()))
                    .unwrap_or_default(),
                expected: b.map(|b| b.expected.clone()).unwrap_or_default(),
                found: b.map(|b| b.found.clone()).unwrap_or_default(),
                last_hash: j.last_hash.chars().take(16).collect(),
            }
        })
        .collect();
    render(&SealPage {
        layout: page_layout,
        intact: v.is_intact(),
        chains,
    })
}
