//! A minimal SMTP server that keeps what it receives: for tests, the demo and
//! the browser tests (through the `smtp-sink` binary).
//!
//! It accepts any number of connections and implements EHLO/HELO, MAIL FROM,
//! RCPT TO, DATA (dot-unstuffing, ends at `CRLF.CRLF`), RSET, NOOP, QUIT, and
//! AUTH PLAIN/LOGIN accepting any credentials (so that URLs with a user and
//! password can be tested). Never expose it to a network: it is meant for
//! 127.0.0.1.
//!
//! By default it speaks plain SMTP ([`SmtpSink::url`] ends with `?tls=none`).
//! With a certificate ([`SinkTls`], [`tls_config`]) it speaks TLS like a real
//! relay: STARTTLS (offered, and required before `MAIL` or `AUTH`) or
//! implicit TLS (`smtps://`), so that the mailer's certificate checks can be
//! tested.
//!
//! ```no_run
//! # async fn demo() {
//! use std::time::Duration;
//! let sink = mailer::sink::SmtpSink::start().await;
//! // … point a Mailer at sink.url() and send …
//! let messages = sink.wait_for(1, Duration::from_secs(5)).await;
//! assert_eq!(messages[0].subject().as_deref(), Some("Bonjour"));
//! # }
//! ```

mod mime;

pub use mime::ReceivedAttachment;

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream, ToSocketAddrs};
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// Longest command or data line accepted (RFC 5321 allows 1000 octets).
const MAX_LINE: usize = 64 * 1024;
/// Largest message kept; bigger ones are refused with 552.
const MAX_MESSAGE: usize = 32 * 1024 * 1024;

/// One message as the sink received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    /// Envelope sender (`MAIL FROM:<…>`), without the angle brackets.
    pub from: String,
    /// Envelope recipients (`RCPT TO:<…>`), in order.
    pub to: Vec<String>,
    /// The raw RFC 5322 message (headers and encoded body), dot-unstuffed,
    /// CRLF line endings, without the terminating `.` line.
    pub data: String,
    /// User name given with AUTH, if the client authenticated.
    pub auth_user: Option<String>,
    /// Whether the message came over TLS (STARTTLS or implicit).
    pub tls: bool,
}

impl Received {
    /// A header of the message (first one with that name, case-insensitive),
    /// unfolded, RFC 2047 encoded words decoded.
    #[must_use]
    pub fn header(&self, name: &str) -> Option<String> {
        mime::Entity::parse(&self.data)
            .header(name)
            .map(mime::decode_header)
    }

    /// The decoded `Subject:` (RFC 2047 `B` and `Q` encoded words).
    #[must_use]
    pub fn subject(&self) -> Option<String> {
        self.header("Subject")
    }

    /// The decoded plain-text body: `7bit`/`8bit`, `quoted-printable` or
    /// `base64`, in the declared charset (UTF-8 or Latin-1), with `\n` line
    /// endings. For `multipart/*` messages, the first `text/plain` part.
    /// `None` when there is no text part.
    ///
    /// SMTP data always ends with a line break, so a text sent without a
    /// final `\n` comes back with one.
    ///
    /// # Panics
    /// When a base64 body is not valid base64.
    #[must_use]
    pub fn text_body(&self) -> Option<String> {
        mime::Entity::parse(&self.data).text_plain()
    }

    /// The files attached (`Content-Disposition: attachment` parts of a
    /// `multipart/*` message), decoded, in order.
    #[must_use]
    pub fn attachments(&self) -> Vec<ReceivedAttachment> {
        mime::Entity::parse(&self.data).attachments()
    }
}

/// How a sink secures its connections.
#[derive(Clone, Default)]
pub enum SinkTls {
    /// Plain SMTP, no STARTTLS offered.
    #[default]
    None,
    /// STARTTLS offered, and required before `MAIL` or `AUTH` (530
    /// otherwise), like a relay that refuses clear text.
    StartTls(Arc<ServerConfig>),
    /// TLS from the first byte (`smtps://`).
    Implicit(Arc<ServerConfig>),
}

impl std::fmt::Debug for SinkTls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::None => "None",
            Self::StartTls(_) => "StartTls",
            Self::Implicit(_) => "Implicit",
        })
    }
}

/// A TLS server configuration from PEM text: the certificate chain (leaf
/// first) and its private key (PKCS#8, PKCS#1 or SEC1). rustls with ring,
/// TLS 1.2 and 1.3.
///
/// # Errors
/// A readable reason when the PEM cannot be parsed or the key does not fit.
pub fn tls_config(cert_chain_pem: &[u8], key_pem: &[u8]) -> Result<Arc<ServerConfig>, String> {
    let chain = CertificateDer::pem_slice_iter(cert_chain_pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("certificate chain: {e}"))?;
    if chain.is_empty() {
        return Err("certificate chain: no PEM certificate".to_owned());
    }
    let key = PrivateKeyDer::from_pem_slice(key_pem).map_err(|e| format!("private key: {e}"))?;
    // ring, the provider lettre uses here too (aws-lc-rs would need cmake).
    // rustls 0.23.48 deprecates it for lacking post-quantum key exchange,
    // which does not matter for a test sink.
    #[allow(deprecated)]
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| format!("certificate and key: {e}"))?;
    Ok(Arc::new(config))
}

/// A running SMTP sink. Stops (and drops its connections) when dropped.
#[derive(Debug)]
pub struct SmtpSink {
    addr: SocketAddr,
    tls: SinkTls,
    messages: Arc<watch::Sender<Vec<Received>>>,
    task: JoinHandle<()>,
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl SmtpSink {
    /// Starts a sink on `127.0.0.1` on a free port.
    ///
    /// # Panics
    /// When no port can be bound (test tooling).
    pub async fn start() -> Self {
        Self::bind("127.0.0.1:0")
            .await
            .expect("bind the SMTP sink on 127.0.0.1:0")
    }

    /// Starts a sink speaking TLS as `tls` says on `127.0.0.1` on a free
    /// port.
    ///
    /// # Panics
    /// When no port can be bound (test tooling).
    pub async fn start_with(tls: SinkTls) -> Self {
        Self::bind_with("127.0.0.1:0", tls)
            .await
            .expect("bind the SMTP sink on 127.0.0.1:0")
    }

    /// Starts a plain sink on the given address (port 0: any free port).
    ///
    /// # Errors
    /// When the address cannot be bound.
    pub async fn bind(addr: impl ToSocketAddrs) -> io::Result<Self> {
        Self::bind_with(addr, SinkTls::None).await
    }

    /// [`SmtpSink::bind`] speaking TLS as `tls` says.
    ///
    /// # Errors
    /// When the address cannot be bound.
    pub async fn bind_with(addr: impl ToSocketAddrs, tls: SinkTls) -> io::Result<Self> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let messages = Arc::new(watch::Sender::new(Vec::new()));
        let task = tokio::spawn(serve(listener, Arc::clone(&messages), tls.clone()));
        Ok(Self {
            addr,
            tls,
            messages,
            task,
        })
    }

    /// The address the sink listens on.
    #[must_use]
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The URL to give as `REGISSEUR_SMTP_URL`: `smtp://127.0.0.1:PORT?tls=none`
    /// for a plain sink, `smtp://127.0.0.1:PORT` (STARTTLS) or
    /// `smtps://127.0.0.1:PORT` for a TLS one.
    #[must_use]
    pub fn url(&self) -> String {
        match self.tls {
            SinkTls::None => format!("smtp://{}?tls=none", self.addr),
            SinkTls::StartTls(_) => format!("smtp://{}", self.addr),
            SinkTls::Implicit(_) => format!("smtps://{}", self.addr),
        }
    }

    /// Everything received so far, oldest first.
    #[must_use]
    pub fn messages(&self) -> Vec<Received> {
        self.messages.borrow().clone()
    }

    /// Waits until at least `n` messages have arrived and returns all of
    /// them, oldest first.
    ///
    /// # Panics
    /// After `timeout`, listing what did arrive.
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Received> {
        let mut receiver = self.messages.subscribe();
        let waited = tokio::time::timeout(timeout, receiver.wait_for(|m| m.len() >= n)).await;
        match waited {
            Ok(Ok(messages)) => messages.clone(),
            _ => {
                let got = self.messages();
                panic!(
                    "SMTP sink: expected {n} message(s) within {timeout:?}, got {}: {got:#?}",
                    got.len()
                )
            }
        }
    }

    /// Waits (without limit) for the message at `index` (0-based) and
    /// returns it. Used by the `smtp-sink` binary to follow arrivals.
    pub async fn nth(&self, index: usize) -> Received {
        let mut receiver = self.messages.subscribe();
        let messages = receiver
            .wait_for(|m| m.len() > index)
            .await
            .expect("the sender lives as long as the sink");
        messages[index].clone()
    }
}

async fn serve(listener: TcpListener, messages: Arc<watch::Sender<Vec<Received>>>, tls: SinkTls) {
    let mut sessions = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => {
                    sessions.spawn(session(stream, Arc::clone(&messages), tls.clone()));
                }
                Err(error) => {
                    // e.g. too many open files: back off instead of spinning.
                    tracing::warn!(%error, "SMTP sink: accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            Some(_finished) = sessions.join_next() => {}
        }
    }
}

/// The state of one SMTP conversation.
#[derive(Default)]
struct Envelope {
    from: Option<String>,
    to: Vec<String>,
}

/// Where a conversation stands with respect to TLS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// Plain sink: no STARTTLS, mail accepted in clear.
    Plain,
    /// STARTTLS offered and required before MAIL / AUTH.
    BeforeStartTls,
    /// Encrypted (implicit TLS, or after STARTTLS).
    Tls,
}

async fn session(stream: TcpStream, messages: Arc<watch::Sender<Vec<Received>>>, tls: SinkTls) {
    let result = async {
        match tls {
            SinkTls::None => converse(stream, &messages, Stage::Plain, true)
                .await
                .map(drop),
            SinkTls::Implicit(config) => {
                let stream = TlsAcceptor::from(config).accept(stream).await?;
                converse(stream, &messages, Stage::Tls, true)
                    .await
                    .map(drop)
            }
            SinkTls::StartTls(config) => {
                let upgrade = converse(stream, &messages, Stage::BeforeStartTls, true).await?;
                if let Some(stream) = upgrade {
                    let stream = TlsAcceptor::from(config).accept(stream).await?;
                    // No new greeting after STARTTLS: the client speaks first.
                    converse(stream, &messages, Stage::Tls, false).await?;
                }
                Ok(())
            }
        }
    };
    if let Err(error) = result.await {
        tracing::debug!(%error, "SMTP sink: session ended with an error");
    }
}

/// One SMTP conversation over `stream`. `Ok(Some(stream))`: the client asked
/// for STARTTLS (accepted); the caller does the handshake and goes on.
async fn converse<S: AsyncRead + AsyncWrite + Unpin>(
    stream: S,
    messages: &watch::Sender<Vec<Received>>,
    stage: Stage,
    greet: bool,
) -> io::Result<Option<S>> {
    let (reader, mut writer) = tokio::io::split(stream);
    let mut reader = BufReader::new(reader);
    let mut envelope = Envelope::default();
    let mut auth_user: Option<String> = None;

    if greet {
        writer
            .write_all(b"220 localhost Regisseur SMTP sink ready\r\n")
            .await?;
    }
    loop {
        // Replies are complete before the next command is read (TLS buffers).
        writer.flush().await?;
        let Some(line) = read_line(&mut reader).await? else {
            return Ok(None);
        };
        let line = String::from_utf8_lossy(&line);
        let line = line.trim_end_matches(['\r', '\n']);
        let (verb, argument) = line.split_once(' ').unwrap_or((line, ""));
        let argument = argument.trim();
        let verb = verb.to_ascii_uppercase();
        if stage == Stage::BeforeStartTls && matches!(verb.as_str(), "MAIL" | "AUTH") {
            writer
                .write_all(b"530 5.7.0 Must issue a STARTTLS command first\r\n")
                .await?;
            continue;
        }
        let reply: &[u8] = match verb.as_str() {
            "EHLO" => {
                envelope = Envelope::default();
                let extensions: &[&str] = match stage {
                    Stage::BeforeStartTls => &["8BITMIME", "SMTPUTF8", "STARTTLS"],
                    Stage::Plain | Stage::Tls => &["8BITMIME", "SMTPUTF8", "AUTH PLAIN LOGIN"],
                };
                let mut reply = "250-localhost greets you\r\n".to_owned();
                for extension in extensions {
                    reply.push_str(&format!("250-{extension}\r\n"));
                }
                reply.push_str(&format!("250 SIZE {MAX_MESSAGE}\r\n"));
                writer.write_all(reply.as_bytes()).await?;
                continue;
            }
            "STARTTLS" if stage == Stage::BeforeStartTls => {
                writer
                    .write_all(b"220 2.0.0 Ready to start TLS\r\n")
                    .await?;
                writer.flush().await?;
                if !reader.buffer().is_empty() {
                    // Commands sent in clear before the handshake must not be
                    // taken as if they came over TLS.
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        "data pipelined after STARTTLS",
                    ));
                }
                return Ok(Some(reader.into_inner().unsplit(writer)));
            }
            "STARTTLS" if stage == Stage::Tls => b"503 5.5.1 TLS already active\r\n",
            "HELO" => {
                envelope = Envelope::default();
                b"250 localhost\r\n"
            }
            "MAIL" => match path_argument(argument, "FROM:") {
                _ if envelope.from.is_some() => b"503 5.5.1 Sender already given\r\n",
                Some(path) => {
                    envelope.from = Some(path);
                    b"250 2.1.0 Sender OK\r\n"
                }
                None => b"501 5.5.4 Syntax: MAIL FROM:<address>\r\n",
            },
            "RCPT" => match path_argument(argument, "TO:") {
                _ if envelope.from.is_none() => b"503 5.5.1 MAIL first\r\n",
                Some(path) if !path.is_empty() => {
                    envelope.to.push(path);
                    b"250 2.1.5 Recipient OK\r\n"
                }
                _ => b"501 5.5.4 Syntax: RCPT TO:<address>\r\n",
            },
            "DATA" if envelope.to.is_empty() => b"503 5.5.1 RCPT first\r\n",
            "DATA" => {
                writer
                    .write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                    .await?;
                writer.flush().await?;
                let Some(data) = read_data(&mut reader).await? else {
                    return Ok(None); // connection closed inside DATA: nothing kept
                };
                let envelope = std::mem::take(&mut envelope);
                match data {
                    Data::TooBig => {
                        writer.write_all(b"552 5.3.4 Message too big\r\n").await?;
                    }
                    Data::Message(data) => {
                        let received = Received {
                            from: envelope.from.unwrap_or_default(),
                            to: envelope.to,
                            data,
                            auth_user: auth_user.clone(),
                            tls: stage == Stage::Tls,
                        };
                        let mut number = 0;
                        messages.send_modify(|all| {
                            all.push(received);
                            number = all.len();
                        });
                        writer
                            .write_all(format!("250 2.0.0 OK queued as {number}\r\n").as_bytes())
                            .await?;
                    }
                }
                continue;
            }
            "RSET" => {
                envelope = Envelope::default();
                b"250 2.0.0 OK\r\n"
            }
            "NOOP" => b"250 2.0.0 OK\r\n",
            "VRFY" => b"252 2.5.2 Cannot VRFY user\r\n",
            "QUIT" => {
                writer.write_all(b"221 2.0.0 Bye\r\n").await?;
                writer.flush().await?;
                return Ok(None);
            }
            "AUTH" => {
                match authenticate(argument, &mut reader, &mut writer).await? {
                    None => return Ok(None),
                    Some(Some(user)) => auth_user = Some(user),
                    Some(None) => {} // refused: the previous state stands
                }
                continue;
            }
            _ => b"502 5.5.2 Command not implemented\r\n",
        };
        writer.write_all(reply).await?;
    }
}

/// `FROM:<a@b> SIZE=123` → `a@b` (also accepts a space after the colon).
fn path_argument(argument: &str, keyword: &str) -> Option<String> {
    let head = argument.get(..keyword.len())?;
    if !head.eq_ignore_ascii_case(keyword) {
        return None;
    }
    let rest = argument[keyword.len()..].trim_start();
    let inner = rest.strip_prefix('<')?;
    let end = inner.find('>')?;
    Some(inner[..end].to_owned())
}

/// AUTH PLAIN / LOGIN, any credentials accepted. `Ok(None)`: connection
/// closed; `Ok(Some(user))`: a reply was written (`user` is `None` when the
/// mechanism was refused).
async fn authenticate<R, W>(
    argument: &str,
    reader: &mut R,
    writer: &mut W,
) -> io::Result<Option<Option<String>>>
where
    R: tokio::io::AsyncBufRead + Unpin,
    W: tokio::io::AsyncWrite + Unpin,
{
    let (mechanism, initial) = argument.split_once(' ').unwrap_or((argument, ""));
    let decode = |s: &str| {
        base64::engine::general_purpose::STANDARD
            .decode(s.trim())
            .ok()
            .map(|b| String::from_utf8_lossy(&b).into_owned())
    };
    let user = match mechanism.to_ascii_uppercase().as_str() {
        "PLAIN" => {
            let response = if initial.is_empty() {
                match challenge(reader, writer, b"334 \r\n").await? {
                    Some(line) => line,
                    None => return Ok(None),
                }
            } else {
                initial.to_owned()
            };
            // authzid NUL authcid NUL password
            decode(&response).and_then(|s| s.split('\0').nth(1).map(str::to_owned))
        }
        "LOGIN" => {
            let user = if initial.is_empty() {
                match challenge(reader, writer, b"334 VXNlcm5hbWU6\r\n").await? {
                    Some(line) => line,
                    None => return Ok(None),
                }
            } else {
                initial.to_owned()
            };
            if challenge(reader, writer, b"334 UGFzc3dvcmQ6\r\n")
                .await?
                .is_none()
            {
                return Ok(None);
            }
            decode(&user)
        }
        _ => {
            writer
                .write_all(b"504 5.5.4 Unrecognized authentication type\r\n")
                .await?;
            return Ok(Some(None));
        }
    };
    match user {
        Some(user) => {
            writer
                .write_all(b"235 2.7.0 Authentication successful\r\n")
                .await?;
            Ok(Some(Some(user)))
        }
        None => {
            writer
                .write_all(b"501 5.5.2 Cannot decode the response\r\n")
                .await?;
            Ok(Some(None))
        }
    }
}

/// Writes a 334 challenge and reads the answer line (`None`: closed).
async fn challenge<R, W>(
    reader: &mut R,
    writer: &mut W,
    prompt: &[u8],
) -> io::Result<Option<String>>
where
    R: tokio::io::AsyncBufRead + Unpin,
    W: tokio::io::AsyncWrite + Unpin,
{
    writer.write_all(prompt).await?;
    writer.flush().await?;
    Ok(read_line(reader)
        .await?
        .map(|line| String::from_utf8_lossy(&line).trim().to_owned()))
}

/// One line including its line break; `None` at end of stream. Errors when a
/// line exceeds [`MAX_LINE`].
async fn read_line<R: tokio::io::AsyncBufRead + Unpin>(
    reader: &mut R,
) -> io::Result<Option<Vec<u8>>> {
    let mut line = Vec::new();
    let read = (&mut *reader)
        .take(MAX_LINE as u64)
        .read_until(b'\n', &mut line)
        .await?;
    if read == 0 {
        return Ok(None);
    }
    if !line.ends_with(b"\n") && line.len() >= MAX_LINE {
        return Err(io::Error::new(io::ErrorKind::InvalidData, "line too long"));
    }
    Ok(Some(line))
}

enum Data {
    Message(String),
    TooBig,
}

/// Reads DATA up to the lone `.` line, dot-unstuffing. `None`: the
/// connection closed first.
async fn read_data<R: tokio::io::AsyncBufRead + Unpin>(reader: &mut R) -> io::Result<Option<Data>> {
    let mut data = Vec::new();
    let mut too_big = false;
    loop {
        let Some(line) = read_line(reader).await? else {
            return Ok(None);
        };
        if line == b".\r\n" || line == b".\n" {
            break;
        }
        if !line.ends_with(b"\n") {
            // Last bytes before the connection closed, without a line break.
            return Ok(None);
        }
        let line = line.strip_prefix(b".").unwrap_or(&line);
        if data.len() + line.len() > MAX_MESSAGE {
            too_big = true;
            data.clear();
        }
        if !too_big {
            data.extend_from_slice(line);
        }
    }
    Ok(Some(if too_big {
        Data::TooBig
    } else {
        Data::Message(String::from_utf8_lossy(&data).into_owned())
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_arguments() {
        assert_eq!(
            path_argument("FROM:<a@b.c>", "FROM:").as_deref(),
            Some("a@b.c")
        );
        assert_eq!(
            path_argument("from: <a@b.c> BODY=8BITMIME SMTPUTF8", "FROM:").as_deref(),
            Some("a@b.c")
        );
        assert_eq!(path_argument("FROM:<>", "FROM:").as_deref(), Some(""));
        assert_eq!(path_argument("TO:<x@y>", "FROM:"), None);
        assert_eq!(path_argument("FROM:a@b.c", "FROM:"), None);
        assert_eq!(path_argument("", "TO:"), None);
    }

    fn received(data: &str) -> Received {
        Received {
            from: "a@b.c".into(),
            to: vec!["d@e.f".into()],
            data: data.into(),
            auth_user: None,
            tls: false,
        }
    }

    #[test]
    fn received_helpers() {
        let message = received(
            "From: =?utf-8?b?UsOpZ2lzc2V1cg==?= <no-reply@regisseur.invalid>\r\n\
Subject: =?utf-8?b?w6AgMTIgMDAwLDAwIOKCrA==?=\r\n\
Content-Type: text/plain; charset=utf-8\r\n\
Content-Transfer-Encoding: quoted-printable\r\n\r\n\
=C3=A0 bient=C3=B4t\r\n",
        );
        assert_eq!(message.subject().as_deref(), Some("à 12 000,00 €"));
        assert_eq!(
            message.header("from").as_deref(),
            Some("Régisseur <no-reply@regisseur.invalid>")
        );
        assert_eq!(message.header("X-Missing"), None);
        assert_eq!(message.text_body().as_deref(), Some("à bientôt\n"));
    }
}
