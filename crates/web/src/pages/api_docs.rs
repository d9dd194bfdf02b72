//! A readable page of the OpenAPI document (no external assets: the
//! machines this runs on may be offline).

use askama::Template;
use axum::extract::State;
use axum::response::Response;

use crate::AppState;
use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::view::{Layout, layout, render};

pub struct Endpoint {
    pub method: String,
    pub path: String,
    pub summary: String,
}

pub struct Group {
    pub tag: String,
    pub endpoints: Vec<Endpoint>,
}

#[derive(Template)]
#[template(path = "api_docs.html")]
struct DocsPage {
    layout: Layout,
    version: String,
    base: String,
    groups: Vec<Group>,
}

pub async fn show(State(app): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let doc = crate::router::openapi();
    let mut groups: Vec<Group> = Vec::new();
    for (path, item) in doc.paths.paths.iter() {
        let ops = [
            ("GET", &item.get),
            ("POST", &item.post),
            ("PUT", &item.put),
            ("PATCH", &item.patch),
            ("DELETE", &item.delete),
        ];
        for (method, op) in ops {
            let Some(op) = op else { continue };
            let tag = op
                .tags
                .as_ref()
                .and_then(|t| t.first().cloned())
                .unwrap_or_else(|| "api".into());
            let endpoint = Endpoint {
                method: method.into(),
                path: path.clone(),
                summary: op.summary.clone().unwrap_or_default(),
            };
            match groups.iter_mut().find(|g| g.tag == tag) {
                Some(g) => g.endpoints.push(endpoint),
                None => groups.push(Group {
                    tag,
                    endpoints: vec![endpoint],
                }),
            }
        }
    }
    render(&DocsPage {
        layout: layout(&app, &ctx, "api-docs-title").await?,
        version: "3.1".into(),
        base: app.config.public_url.trim_end_matches('/').to_string(),
        groups,
    })
}
