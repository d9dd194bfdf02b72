//! Integration tests of the mailer crate: one binary (see the workspace
//! convention), one module per subject.

mod bin;
mod fake;
mod send;
mod sink;

use std::time::Duration;

use mailer::sink::SmtpSink;
use mailer::{DEFAULT_FROM, MailConfig, Mailer};

/// Generous bound for things that normally take milliseconds.
pub const WAIT: Duration = Duration::from_secs(10);

pub fn mailer_for(url: &str) -> Mailer {
    Mailer::new(&MailConfig {
        smtp_url: Some(url.to_owned()),
        from: DEFAULT_FROM.to_owned(),
    })
    .expect("valid configuration")
}

pub fn mailer_for_sink(sink: &SmtpSink) -> Mailer {
    mailer_for(&sink.url())
}
