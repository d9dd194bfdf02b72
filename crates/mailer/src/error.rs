//! The one error type of the crate.

use std::time::Duration;

/// Why an e-mail was not handed over to the SMTP server.
///
/// Every variant means "the message was **not** delivered": callers keep it
/// queued (or mark it failed when [`MailError::is_permanent`] says retrying
/// the same message cannot help).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MailError {
    /// No SMTP server is configured (`REGISSEUR_SMTP_URL` unset): the mailer
    /// is in "log" mode. The message was written to the log at info level and
    /// must stay queued, so that it goes out once a server is configured.
    #[error(
        "e-mail delivery is not configured (REGISSEUR_SMTP_URL is unset): the message was only logged and stays queued"
    )]
    NotConfigured,

    /// A configuration value is invalid; `variable` names the environment
    /// variable it comes from (`REGISSEUR_SMTP_URL` or `REGISSEUR_MAIL_FROM`).
    #[error("invalid {variable}: {reason}")]
    Config {
        /// The environment variable at fault.
        variable: &'static str,
        /// What is wrong with it (never contains the SMTP password).
        reason: String,
    },

    /// A recipient address could not be parsed.
    #[error("invalid e-mail address {address:?}")]
    BadAddress {
        /// The address exactly as it was given.
        address: String,
    },

    /// lettre refused to build the message (should not happen for a valid
    /// [`crate::Email`]).
    #[error("could not build the e-mail: {reason}")]
    Message {
        /// lettre's explanation.
        reason: String,
    },

    /// The whole SMTP exchange took longer than the mailer's timeout
    /// ([`crate::SEND_TIMEOUT`] by default). The connection was dropped; the
    /// server may or may not have accepted the message.
    #[error("sending the e-mail timed out after {} ms", after.as_millis())]
    Timeout {
        /// The timeout that elapsed.
        after: Duration,
    },

    /// The SMTP exchange failed: connection refused or closed, protocol
    /// error, or a 4xx/5xx reply from the server.
    #[error("SMTP delivery failed: {reason}")]
    Smtp {
        /// lettre's description of the failure (includes the server's reply
        /// when there was one).
        reason: String,
        /// The server answered with a permanent (5xx) error.
        permanent: bool,
    },
}

impl MailError {
    /// Whether sending the *same* message again is pointless: the address is
    /// invalid, the message cannot be built, or the server answered with a
    /// permanent (5xx) error. Everything else (not configured, timeout,
    /// connection problems, 4xx replies, configuration errors) may succeed
    /// later, so the message should stay queued.
    #[must_use]
    pub fn is_permanent(&self) -> bool {
        match self {
            Self::BadAddress { .. } | Self::Message { .. } => true,
            Self::Smtp { permanent, .. } => *permanent,
            Self::NotConfigured | Self::Config { .. } | Self::Timeout { .. } => false,
        }
    }
}
