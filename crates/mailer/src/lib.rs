//! Régisseur's outgoing e-mail.
//!
//! - [`MailConfig`] reads `REGISSEUR_SMTP_URL` / `REGISSEUR_MAIL_FROM`.
//! - [`Mailer`] sends a plain-text UTF-8 [`Email`] over **plain** SMTP with
//!   lettre (no TLS compiled in; TLS SMTP would add lettre's `tokio1-rustls`
//!   feature later, never OpenSSL/`native-tls`). Without an SMTP URL it is in
//!   "log" mode: the message is logged and [`MailError::NotConfigured`] is
//!   returned so the caller keeps it queued — an e-mail is never silently
//!   dropped.
//! - [`sink::SmtpSink`] is a tiny SMTP server for tests, also shipped as the
//!   `smtp-sink` binary for the demo and browser tests.
//!
//! ## Adding TLS later
//! Enable lettre's `tokio1-rustls` feature in the workspace dependency (it
//! also needs a crypto provider, `ring` or `aws-lc-rs`, and root
//! certificates, `webpki-roots`; `tokio1-rustls-tls` bundles rustls + ring +
//! webpki-roots). lettre's own `AsyncSmtpTransport::from_url` (which exists
//! only when a TLS feature is on) then understands `smtps://…` and
//! `smtp://…?tls=required`, and can replace the plain-SMTP parser in
//! `url.rs`. Never `native-tls` (OpenSSL).

mod config;
mod error;
mod send;
pub mod sink;
mod url;

pub use config::{DEFAULT_FROM, ENV_MAIL_FROM, ENV_SMTP_CA_FILE, ENV_SMTP_URL, MailConfig};
pub use error::MailError;
pub use send::{Attachment, Email, Mailer, SEND_TIMEOUT};
