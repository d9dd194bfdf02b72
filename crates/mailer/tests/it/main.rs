//! Integration tests of the mailer crate: one binary (see the workspace
//! convention), one module per subject.

mod bin;
mod fake;
mod send;
mod sink;
mod tls;

use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use mailer::sink::SmtpSink;
use mailer::{DEFAULT_FROM, MailConfig, Mailer};

/// Generous bound for things that normally take milliseconds.
pub const WAIT: Duration = Duration::from_secs(10);

pub fn mailer_for(url: &str) -> Mailer {
    Mailer::new(&MailConfig {
        smtp_url: Some(url.to_owned()),
        from: DEFAULT_FROM.to_owned(),
        ca_file: None,
    })
    .expect("valid configuration")
}

pub fn mailer_for_sink(sink: &SmtpSink) -> Mailer {
    mailer_for(&sink.url())
}

/// A fresh temporary folder path, removed (if created) on drop, even when
/// the test panics.
pub(crate) struct TempDir(pub(crate) PathBuf);

impl TempDir {
    pub(crate) fn new() -> Self {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        Self(std::env::temp_dir().join(format!("smtp-sink-test-{}-{nanos}", std::process::id())))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
