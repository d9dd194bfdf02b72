//! [`Email`] and [`Mailer`]: hand a message to the SMTP server.

use std::sync::Arc;
use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use tokio_rustls::rustls;

use crate::MailError;
use crate::config::{
    ENV_MAIL_FROM, ENV_SMTP_CA_FILE, ENV_SMTP_URL, MailConfig, read_ca_file, redact_url,
};
use crate::url::{Security, SmtpUrl};

/// Upper bound for one [`Mailer::send`]: connection, greeting, commands and
/// data together.
pub const SEND_TIMEOUT: Duration = Duration::from_secs(15);

/// A plain-text UTF-8 e-mail to one recipient (and a copy if any), with files attached if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    /// Recipient: `address@example.org` or `Name <address@example.org>`.
    pub to: String,
    /// A copy (`Cc:`), same forms as `to`: the business manager of an
    /// invoice sent to its client.
    pub cc: Option<String>,
    /// Subject, any Unicode (line breaks are turned into spaces).
    pub subject: String,
    /// Body, any Unicode; `\n` line endings are fine (sent as CRLF).
    pub text: String,
    /// Files sent with the text (`multipart/mixed`); none: a plain
    /// `text/plain` message.
    pub attachments: Vec<Attachment>,
}

/// A file attached to an [`Email`] (base64 in the message).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// `FA-2026-000001.pdf`.
    pub file_name: String,
    /// `application/pdf`.
    pub content_type: String,
    pub bytes: Vec<u8>,
}

impl Email {
    /// Convenience constructor (no attachment).
    pub fn new(to: impl Into<String>, subject: impl Into<String>, text: impl Into<String>) -> Self {
        Self {
            to: to.into(),
            cc: None,
            subject: subject.into(),
            text: text.into(),
            attachments: Vec::new(),
        }
    }

    /// The same e-mail with one more file attached.
    #[must_use]
    pub fn with_attachment(mut self, attachment: Attachment) -> Self {
        self.attachments.push(attachment);
        self
    }
}

type Transport = AsyncSmtpTransport<Tokio1Executor>;

/// Sends [`Email`]s. Cheap to clone (shared inside), `Send + Sync`.
///
/// Each [`Mailer::send`] opens its own SMTP connection (no pool), so a
/// failure never poisons later sends.
#[derive(Clone)]
pub struct Mailer {
    inner: Arc<Inner>,
}

struct Inner {
    from: Mailbox,
    /// `None`: log mode.
    transport: Option<Transport>,
    /// For logs: the URL with the password masked.
    endpoint: Option<String>,
    timeout: Duration,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer")
            .field("from", &self.inner.from.to_string())
            .field("endpoint", &self.inner.endpoint)
            .field("timeout", &self.inner.timeout)
            .finish_non_exhaustive()
    }
}

impl Mailer {
    /// Builds a mailer with the default [`SEND_TIMEOUT`]. Does not connect
    /// (the CA file, if any, is read now).
    ///
    /// # Errors
    /// [`MailError::Config`] when the URL, the `From:` mailbox or the CA file
    /// is invalid.
    pub fn new(config: &MailConfig) -> Result<Self, MailError> {
        Self::with_timeout(config, SEND_TIMEOUT)
    }

    /// [`Mailer::new`] with another bound for each send (tests, slow relays).
    ///
    /// # Errors
    /// As [`Mailer::new`].
    pub fn with_timeout(config: &MailConfig, timeout: Duration) -> Result<Self, MailError> {
        let from = parse_from(&config.from)?;
        let roots = config.ca_file.as_deref().map(read_ca_file).transpose()?;
        let transport = config
            .smtp_url
            .as_deref()
            .map(|url| build_transport(url, roots.as_deref(), timeout))
            .transpose()?;
        Ok(Self {
            inner: Arc::new(Inner {
                from,
                transport,
                endpoint: config.smtp_url.as_deref().map(redact_url),
                timeout,
            }),
        })
    }

    /// Whether an SMTP server is configured (otherwise: log mode).
    #[must_use]
    pub fn is_configured(&self) -> bool {
        self.inner.transport.is_some()
    }

    /// Hands `email` to the SMTP server, waiting at most the mailer's timeout.
    ///
    /// The message is `text/plain; charset=utf-8` (with attachments, a
    /// `multipart/mixed` of that text and one base64 part per file), headers RFC 2047-encoded
    /// and the body quoted-printable or base64 as lettre chooses (7-bit
    /// clean), with `Date` and `Message-ID`. SMTP ends the data with a line
    /// break, so the recipient sees the text ending with one line break
    /// whether or not it had one.
    ///
    /// In log mode (no `REGISSEUR_SMTP_URL`) the recipient and subject are
    /// written to the log at info level (never the body: it may hold a
    /// signing link or a one-time code) and [`MailError::NotConfigured`] is
    /// returned **on purpose**: an e-mail must never be silently dropped, so
    /// the caller keeps it queued and it goes out once a server is
    /// configured. To read e-mails locally, run the `smtp-sink`.
    ///
    /// # Errors
    /// [`MailError::BadAddress`] for an unparsable recipient (checked in log
    /// mode too), [`MailError::NotConfigured`] in log mode,
    /// [`MailError::Timeout`], [`MailError::Smtp`].
    pub async fn send(&self, email: &Email) -> Result<(), MailError> {
        let to: Mailbox = email.to.trim().parse().map_err(|_| MailError::BadAddress {
            address: email.to.clone(),
        })?;
        let subject = one_line(&email.subject);
        let mut builder = Message::builder()
            .from(self.inner.from.clone())
            .to(to)
            .subject(subject.as_ref())
            .message_id(None); // <random@this-host>
        if let Some(cc) = email.cc.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
            let cc: Mailbox = cc.parse().map_err(|_| MailError::BadAddress {
                address: cc.to_owned(),
            })?;
            builder = builder.cc(cc);
        }
        let text = without_final_line_break(&email.text).to_owned();
        let message = if email.attachments.is_empty() {
            builder.header(ContentType::TEXT_PLAIN).body(text)
        } else {
            let mut parts = MultiPart::mixed().singlepart(SinglePart::plain(text));
            for a in &email.attachments {
                let content_type =
                    ContentType::parse(&a.content_type).map_err(|e| MailError::Message {
                        reason: format!("{}: {e}", a.content_type),
                    })?;
                parts = parts.singlepart(
                    lettre::message::Attachment::new(one_line(&a.file_name).into_owned())
                        .body(a.bytes.clone(), content_type),
                );
            }
            builder.multipart(parts)
        }
        .map_err(|e| MailError::Message {
            reason: e.to_string(),
        })?;

        let Some(transport) = &self.inner.transport else {
            // Recipient and subject only: bodies carry signing links and
            // one-time codes, which a log must never hold.
            tracing::info!(
                to = %email.to,
                subject = %subject,
                "e-mail not sent: no SMTP server configured ({ENV_SMTP_URL} unset); it stays queued",
            );
            return Err(MailError::NotConfigured);
        };

        match tokio::time::timeout(self.inner.timeout, transport.send(message)).await {
            Ok(Ok(response)) => {
                tracing::info!(
                    to = %email.to,
                    subject = %subject,
                    server = self.inner.endpoint.as_deref().unwrap_or_default(),
                    reply = response.first_line().unwrap_or_default(),
                    "e-mail sent",
                );
                Ok(())
            }
            Ok(Err(error)) => {
                let error = MailError::Smtp {
                    reason: explain(&error),
                    permanent: error.is_permanent(),
                };
                tracing::warn!(
                    to = %email.to,
                    subject = %subject,
                    server = self.inner.endpoint.as_deref().unwrap_or_default(),
                    %error,
                    "e-mail not sent",
                );
                Err(error)
            }
            Err(_elapsed) => {
                let error = MailError::Timeout {
                    after: self.inner.timeout,
                };
                tracing::warn!(
                    to = %email.to,
                    subject = %subject,
                    server = self.inner.endpoint.as_deref().unwrap_or_default(),
                    %error,
                    "e-mail not sent",
                );
                Err(error)
            }
        }
    }
}

/// lettre always ends DATA with CRLF before the final dot, even when the
/// body already ends with a line break; a text ending with `\n` would arrive
/// with an extra empty line. Dropping one final line break here makes a
/// 7bit/quoted-printable body arrive exactly as written (a base64 body then
/// arrives without its final line break, which no reader shows).
fn without_final_line_break(text: &str) -> &str {
    text.strip_suffix("\r\n")
        .or_else(|| text.strip_suffix('\n'))
        .unwrap_or(text)
}

/// A header value on one line: CR and LF become spaces.
fn one_line(s: &str) -> std::borrow::Cow<'_, str> {
    if s.contains(['\r', '\n']) {
        s.replace("\r\n", " ").replace(['\r', '\n'], " ").into()
    } else {
        s.into()
    }
}

pub(crate) fn parse_from(from: &str) -> Result<Mailbox, MailError> {
    from.trim().parse().map_err(|e| MailError::Config {
        variable: ENV_MAIL_FROM,
        reason: format!("{from:?} is not a mailbox like `Name <address@example.org>` ({e})"),
    })
}

/// The transport for `url`: implicit TLS, required STARTTLS or plain, as the
/// URL says. With TLS the server's certificate is checked against the public
/// roots plus `extra_roots` (from `REGISSEUR_SMTP_CA_FILE`) and the URL's
/// host; nothing turns that check off.
pub(crate) fn build_transport(
    url: &str,
    extra_roots: Option<&[Certificate]>,
    timeout: Duration,
) -> Result<Transport, MailError> {
    let url = SmtpUrl::parse(url).map_err(|reason| MailError::Config {
        variable: ENV_SMTP_URL,
        reason: format!("{} ({reason})", redact_url(url)),
    })?;
    let tls_parameters = || {
        let mut parameters = TlsParameters::builder(url.host.clone());
        for root in extra_roots.unwrap_or_default() {
            parameters = parameters.add_root_certificate(root.clone());
        }
        parameters.build_rustls().map_err(|e| MailError::Config {
            variable: if extra_roots.is_some() {
                ENV_SMTP_CA_FILE
            } else {
                ENV_SMTP_URL
            },
            reason: format!("cannot set up TLS: {e}"),
        })
    };
    // `builder_dangerous` is lettre's builder without TLS; TLS is set below
    // unless the URL asked for plain SMTP (`?tls=none`).
    let mut builder = Transport::builder_dangerous(url.host.clone())
        .port(url.port)
        .timeout(Some(timeout));
    match url.security {
        Security::ImplicitTls => builder = builder.tls(Tls::Wrapper(tls_parameters()?)),
        Security::StartTls => builder = builder.tls(Tls::Required(tls_parameters()?)),
        Security::Plain => {}
    }
    if let Some((user, password)) = url.credentials {
        builder = builder.credentials(Credentials::new(user, password));
    }
    if let Some(name) = url.hello_name {
        builder = builder.hello_name(ClientId::Domain(name));
    }
    Ok(builder.build())
}

/// lettre's description of a failed send, preceded by a plain explanation
/// when TLS is the cause (certificate not trusted, wrong name, expired,
/// STARTTLS not offered).
fn explain(error: &lettre::transport::smtp::Error) -> String {
    use rustls::CertificateError as Cert;
    let described = error.to_string();
    let explanation = match rustls_error(error) {
        Some(rustls::Error::InvalidCertificate(cert)) => match cert {
            // BadSignature: an authority of the same name is trusted, but it
            // did not sign this certificate.
            Cert::UnknownIssuer | Cert::BadSignature => {
                "the server's TLS certificate is not trusted: it is not signed by a public \
                 authority nor by a CA of REGISSEUR_SMTP_CA_FILE"
            }
            Cert::NotValidForName | Cert::NotValidForNameContext { .. } => {
                "the server's TLS certificate is not valid for the host name of REGISSEUR_SMTP_URL"
            }
            Cert::Expired | Cert::ExpiredContext { .. } => {
                "the server's TLS certificate has expired"
            }
            _ => "the server's TLS certificate was refused",
        },
        Some(_) => "the TLS handshake with the server failed",
        None if described.contains("STARTTLS is not supported") => {
            "the server does not offer STARTTLS, which REGISSEUR_SMTP_URL requires \
             (plain SMTP needs ?tls=none in the URL)"
        }
        None => return described,
    };
    format!("{explanation} ({described})")
}

/// The rustls error at the root of `error`, if any (tokio-rustls wraps it in
/// an `io::Error`, whose `source` skips it: hence `get_ref`).
fn rustls_error<'a>(error: &'a (dyn std::error::Error + 'static)) -> Option<&'a rustls::Error> {
    let mut current = Some(error);
    while let Some(e) = current {
        if let Some(found) = e.downcast_ref::<rustls::Error>() {
            return Some(found);
        }
        if let Some(found) = e
            .downcast_ref::<std::io::Error>()
            .and_then(std::io::Error::get_ref)
            .and_then(|inner| inner.downcast_ref::<rustls::Error>())
        {
            return Some(found);
        }
        current = e.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mailer_is_clone_send_sync() {
        fn assert_traits<T: Clone + Send + Sync + 'static>() {}
        fn assert_error<T: std::error::Error + Send + Sync + 'static>() {}
        assert_traits::<Mailer>();
        assert_error::<MailError>();
    }

    #[test]
    fn only_one_final_line_break_is_dropped() {
        assert_eq!(without_final_line_break("a\n\n"), "a\n");
        assert_eq!(without_final_line_break("a\r\n"), "a");
        assert_eq!(without_final_line_break("a"), "a");
        assert_eq!(without_final_line_break(""), "");
    }

    #[test]
    fn one_line_removes_line_breaks() {
        assert_eq!(one_line("a\r\nBcc: x@y\nc\rd"), "a Bcc: x@y c d");
        assert!(matches!(one_line("plain"), std::borrow::Cow::Borrowed(_)));
    }
}
