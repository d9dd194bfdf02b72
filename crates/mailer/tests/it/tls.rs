//! SMTP over TLS against the sink, with a test authority made by rcgen for
//! each test: delivered over STARTTLS and implicit TLS when the authority is
//! trusted (`REGISSEUR_SMTP_CA_FILE`); refused, with the reason, when the
//! certificate is not trusted or names another host; STARTTLS never skipped
//! and plain SMTP only when the URL says `?tls=none`.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use mailer::sink::{SinkTls, SmtpSink, tls_config};
use mailer::{DEFAULT_FROM, Email, MailConfig, MailError, Mailer};
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use tokio_rustls::rustls::ServerConfig;

use crate::bin::Running;
use crate::{TempDir, WAIT};

/// A test certificate authority, and a server certificate it signed for
/// some names.
struct Pki {
    /// The authority's certificate, written as a PEM file.
    ca_file: PathBuf,
    /// The server side: the signed certificate and its key.
    server: Arc<ServerConfig>,
    /// The same as PEM files.
    cert_file: PathBuf,
    key_file: PathBuf,
    _dir: TempDir,
}

fn pki(names: &[&str]) -> Pki {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    ca.distinguished_name
        .push(DnType::CommonName, "Régisseur test CA");
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca, ca_key);

    let key = KeyPair::generate().unwrap();
    let mut leaf =
        CertificateParams::new(names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>()).unwrap();
    leaf.distinguished_name.push(DnType::CommonName, names[0]);
    let cert = leaf.signed_by(&key, &issuer).unwrap();
    let server = tls_config(cert.pem().as_bytes(), key.serialize_pem().as_bytes()).unwrap();

    let dir = TempDir::new();
    std::fs::create_dir_all(&dir.0).unwrap();
    let ca_file = dir.0.join("ca.pem");
    std::fs::write(&ca_file, ca_cert.pem()).unwrap();
    let cert_file = dir.0.join("server.pem");
    std::fs::write(&cert_file, cert.pem()).unwrap();
    let key_file = dir.0.join("server.key");
    std::fs::write(&key_file, key.serialize_pem()).unwrap();
    Pki {
        ca_file,
        server,
        cert_file,
        key_file,
        _dir: dir,
    }
}

/// The usual test names: what the sink's URLs use.
fn local_pki() -> Pki {
    pki(&["localhost", "127.0.0.1"])
}

fn mailer(url: &str, ca_file: Option<&PathBuf>) -> Mailer {
    Mailer::with_timeout(
        &MailConfig {
            smtp_url: Some(url.to_owned()),
            from: DEFAULT_FROM.to_owned(),
            ca_file: ca_file.cloned(),
        },
        Duration::from_secs(5),
    )
    .expect("valid configuration")
}

fn email() -> Email {
    Email::new(
        "agnes@example.org",
        "Ordre de mission à signer",
        "Signez ici : https://regisseur.example/s/1\n",
    )
}

/// The send failed with a transient SMTP error whose reason holds `needle`,
/// and nothing reached the sink.
async fn refused(mailer: &Mailer, sink: &SmtpSink, needle: &str) -> String {
    let error = mailer.send(&email()).await.unwrap_err();
    let MailError::Smtp { reason, .. } = &error else {
        panic!("expected an SMTP error, got {error:?}");
    };
    assert!(reason.contains(needle), "{reason}");
    assert!(sink.messages().is_empty(), "{:?}", sink.messages());
    reason.clone()
}

#[tokio::test]
async fn starttls_delivers_when_the_ca_is_trusted() {
    let pki = local_pki();
    let sink = SmtpSink::start_with(SinkTls::StartTls(pki.server.clone())).await;
    // smtp:// without ?tls= means STARTTLS, required.
    assert_eq!(sink.url(), format!("smtp://{}", sink.addr()));
    let url = format!("smtp://jean:s3cret@{}", sink.addr());
    mailer(&url, Some(&pki.ca_file))
        .send(&email())
        .await
        .unwrap();
    let message = &sink.wait_for(1, WAIT).await[0];
    assert!(message.tls, "the message came over TLS");
    assert_eq!(message.auth_user.as_deref(), Some("jean"));
    assert_eq!(message.to, ["agnes@example.org"]);
    assert_eq!(
        message.subject().as_deref(),
        Some("Ordre de mission à signer")
    );
}

#[tokio::test]
async fn implicit_tls_delivers_when_the_ca_is_trusted() {
    let pki = local_pki();
    let sink = SmtpSink::start_with(SinkTls::Implicit(pki.server.clone())).await;
    assert_eq!(sink.url(), format!("smtps://{}", sink.addr()));
    // By host name this time: the certificate names `localhost` too.
    let url = format!("smtps://jean:s3cret@localhost:{}", sink.addr().port());
    let mailer = mailer(&url, Some(&pki.ca_file));
    mailer.send(&email()).await.unwrap();
    mailer
        .send(&Email::new("bob@example.org", "Deuxième", "x"))
        .await
        .unwrap();
    let messages = sink.wait_for(2, WAIT).await;
    assert!(messages.iter().all(|m| m.tls));
    assert_eq!(messages[0].auth_user.as_deref(), Some("jean"));
    assert_eq!(messages[1].subject().as_deref(), Some("Deuxième"));
}

#[tokio::test]
async fn a_certificate_from_an_unknown_authority_is_refused() {
    let pki = local_pki();
    let stranger = local_pki();
    for tls in [
        SinkTls::StartTls(pki.server.clone()),
        SinkTls::Implicit(pki.server.clone()),
    ] {
        let sink = SmtpSink::start_with(tls).await;
        // Public roots only (unknown issuer), then another private authority
        // of the same name (bad signature): both refuse.
        for ca_file in [None, Some(&stranger.ca_file)] {
            let reason = refused(&mailer(&sink.url(), ca_file), &sink, "not trusted").await;
            assert!(reason.contains("REGISSEUR_SMTP_CA_FILE"), "{reason}");
        }
    }
}

#[tokio::test]
async fn a_certificate_for_another_host_is_refused() {
    let pki = pki(&["mail.example.org"]);
    for tls in [
        SinkTls::StartTls(pki.server.clone()),
        SinkTls::Implicit(pki.server.clone()),
    ] {
        let sink = SmtpSink::start_with(tls).await;
        let reason = refused(
            &mailer(&sink.url(), Some(&pki.ca_file)),
            &sink,
            "not valid for the host name",
        )
        .await;
        assert!(reason.contains("127.0.0.1"), "{reason}");
    }
}

#[tokio::test]
async fn starttls_is_never_skipped() {
    // A plain server: `smtp://` without `?tls=none` does not fall back.
    let pki = local_pki();
    let sink = SmtpSink::start().await;
    let url = format!("smtp://u:secret@{}", sink.addr());
    let reason = refused(
        &mailer(&url, Some(&pki.ca_file)),
        &sink,
        "does not offer STARTTLS",
    )
    .await;
    assert!(reason.contains("?tls=none"), "{reason}");
    assert!(!reason.contains("secret"), "{reason}");
}

#[tokio::test]
async fn smtps_to_a_plain_server_fails_the_handshake() {
    let sink = SmtpSink::start().await;
    let url = format!("smtps://{}", sink.addr());
    refused(&mailer(&url, None), &sink, "TLS handshake").await;
}

#[tokio::test]
async fn plain_smtp_is_only_used_when_the_url_says_so() {
    // The sink requires STARTTLS, as relays do: `?tls=none` is refused by
    // the server, so the client did not encrypt on its own.
    let pki = local_pki();
    let sink = SmtpSink::start_with(SinkTls::StartTls(pki.server.clone())).await;
    let url = format!("smtp://{}?tls=none", sink.addr());
    let error = mailer(&url, Some(&pki.ca_file))
        .send(&email())
        .await
        .unwrap_err();
    assert!(
        matches!(&error, MailError::Smtp { permanent: true, reason } if reason.contains("STARTTLS")),
        "{error:?}"
    );
    assert!(sink.messages().is_empty());

    // And against a plain sink, `?tls=none` delivers in clear.
    let plain = SmtpSink::start().await;
    mailer(&plain.url(), None).send(&email()).await.unwrap();
    assert!(!plain.wait_for(1, WAIT).await[0].tls);
}

#[test]
fn a_bad_ca_file_stops_the_mailer_naming_the_variable() {
    let dir = TempDir::new();
    let error = Mailer::new(&MailConfig {
        smtp_url: Some("smtps://u:secret@mail.example.org".to_owned()),
        ca_file: Some(dir.0.join("missing.pem")),
        ..MailConfig::default()
    })
    .unwrap_err();
    let text = error.to_string();
    assert!(
        matches!(
            error,
            MailError::Config {
                variable: "REGISSEUR_SMTP_CA_FILE",
                ..
            }
        ),
        "{text}"
    );
    assert!(text.contains("missing.pem"), "{text}");
    assert!(!text.contains("secret"), "{text}");
}

#[test]
fn the_binary_speaks_tls_with_a_certificate() {
    let pki = local_pki();
    let cert = pki.cert_file.to_str().unwrap();
    let key = pki.key_file.to_str().unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    for (extra, scheme) in [(None, "smtp://"), (Some("--implicit-tls"), "smtps://")] {
        let mut args = vec!["--port", "0", "--tls-cert", cert, "--tls-key", key];
        args.extend(extra);
        let sink = Running::start(&args);
        let banner = sink.line();
        let url = banner
            .strip_prefix("smtp-sink listening on ")
            .unwrap_or_else(|| panic!("{banner}"))
            .to_owned();
        assert!(url.starts_with(&format!("{scheme}127.0.0.1:")), "{url}");
        assert!(!url.contains("tls=none"), "{url}");
        runtime
            .block_on(mailer(&url, Some(&pki.ca_file)).send(&email()))
            .unwrap();
        assert_eq!(
            sink.line(),
            "#1 to=<agnes@example.org> subject=Ordre de mission à signer"
        );
    }
}
