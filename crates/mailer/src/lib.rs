//! Régisseur's outgoing e-mail.
//!
//! - [`MailConfig`] reads `REGISSEUR_SMTP_URL`, `REGISSEUR_MAIL_FROM` and
//!   `REGISSEUR_SMTP_CA_FILE`.
//! - [`Mailer`] sends a plain-text UTF-8 [`Email`] over SMTP with lettre.
//!   Without an SMTP URL it is in "log" mode: the message is logged and
//!   [`MailError::NotConfigured`] is returned so the caller keeps it queued —
//!   an e-mail is never silently dropped.
//! - [`sink::SmtpSink`] is a tiny SMTP server for tests (plain, STARTTLS or
//!   implicit TLS), also shipped as the `smtp-sink` binary for the demo and
//!   browser tests.
//!
//! ## TLS
//! E-mails carry signing links and one-time codes, so TLS is the default
//! and plain SMTP must be asked for:
//!
//! | `REGISSEUR_SMTP_URL` | Connection | Port by default |
//! |---|---|---|
//! | `smtps://[user:pass@]host[:port]` | implicit TLS | 465 |
//! | `smtp://[user:pass@]host[:port]` (or `?tls=required`) | STARTTLS, required | 587 |
//! | `smtp://host[:port]?tls=none` | plain SMTP | 25 |
//!
//! STARTTLS is never optional: a server that does not offer it is refused
//! (there is no `?tls=opportunistic`, which would fall back to clear text
//! without a word). The server's certificate must chain to a public root
//! (webpki-roots, compiled in) or to a CA of `REGISSEUR_SMTP_CA_FILE`, and
//! name the URL's host (a DNS name or an IP address); nothing turns that
//! check off. A refusal says why (not trusted, wrong name, expired, no
//! STARTTLS) in [`MailError::Smtp`].
//!
//! TLS is rustls with the ring provider (lettre's `tokio1-rustls-tls`
//! feature; the sink uses tokio-rustls, the same copy). Never `native-tls`
//! (OpenSSL); aws-lc-rs is avoided because it needs cmake to build. The URL
//! is parsed here (`url.rs`) rather than by lettre's `from_url`, so that
//! errors never show the password and a bare `smtp://` means STARTTLS.

mod config;
mod error;
mod send;
pub mod sink;
mod url;

pub use config::{DEFAULT_FROM, ENV_MAIL_FROM, ENV_SMTP_CA_FILE, ENV_SMTP_URL, MailConfig};
pub use error::MailError;
pub use send::{Attachment, Email, Mailer, SEND_TIMEOUT};
