//! Régisseur's HTTP layer: server-rendered pages, the JSON API and the single
//! authorization policy. Handlers are thin: extract, authorise, call the store,
//! render.

pub mod api;
pub mod authz;
pub mod chart;
pub mod csrf;
pub mod csv;
pub mod ctx;
pub mod error;
pub mod extract;
pub mod i18n;
pub mod ops;
pub mod pages;
pub mod redirect;
pub mod router;
pub mod view;
pub mod write;

use std::sync::Arc;

use store::Db;

/// Settings of the web layer, read once at start-up by the binary.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// The address users reach us at; `https` turns on `Secure` cookies.
    pub public_url: String,
    /// Trust `X-Forwarded-For` for the client address (behind a proxy).
    pub trust_proxy: bool,
    /// Largest request body accepted, in bytes.
    pub body_limit: usize,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            public_url: "http://127.0.0.1:8080".into(),
            trust_proxy: false,
            body_limit: 1024 * 1024,
        }
    }
}

impl WebConfig {
    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<WebConfig>,
}

impl AppState {
    pub fn new(db: Db, config: WebConfig) -> Self {
        Self {
            db,
            config: Arc::new(config),
        }
    }
}

pub use router::app;
