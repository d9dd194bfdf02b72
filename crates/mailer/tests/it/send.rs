//! `Mailer` against the sink and against misbehaving servers.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use mailer::sink::SmtpSink;
use mailer::{Attachment, DEFAULT_FROM, Email, MailConfig, MailError, Mailer};

use crate::fake::{self, Misbehaviour};
use crate::{WAIT, mailer_for, mailer_for_sink};

const SUBJECT: &str = "Votre ordre de mission à signer — 12 000,00 €";
const LINK: &str =
    "https://regisseur.example/missions/2026-014/signer?jeton=Zx9_aB-3&retour=%2Faccueil";

fn french_email() -> Email {
    Email::new(
        "Éloïse Dupont <eloise.dupont@example.org>",
        SUBJECT,
        format!(
            "Bonjour Éloïse,\n\
             \n\
             Votre ordre de mission n° 2026-014 (montant : 12 000,00 €) est prêt à être signé :\n\
             {LINK}\n\
             \n\
             .Cette ligne commence par un point, et celle-ci est très longue pour obliger l'encodeur à replier la ligne : « déjà vu », œuvre, ça, garçon, naïf, Noël.\n\
             \n\
             À bientôt,\n\
             La régie — Hôtel de ville\n"
        ),
    )
}

#[tokio::test]
async fn a_french_message_arrives_exactly() {
    let sink = SmtpSink::start().await;
    let email = french_email();

    mailer_for_sink(&sink).send(&email).await.unwrap();

    let messages = sink.wait_for(1, WAIT).await;
    assert_eq!(messages.len(), 1, "{messages:#?}");
    let message = &messages[0];
    assert_eq!(message.from, "no-reply@regisseur.invalid");
    assert_eq!(message.to, ["eloise.dupont@example.org"]);
    assert_eq!(message.auth_user, None);
    // lettre encoded everything to 7-bit: headers as RFC 2047, body as QP.
    assert!(message.data.is_ascii(), "{}", message.data);
    assert_eq!(message.subject().as_deref(), Some(SUBJECT));
    assert_eq!(message.header("From").as_deref(), Some(DEFAULT_FROM));
    assert_eq!(
        message.header("To").as_deref(),
        Some("Éloïse Dupont <eloise.dupont@example.org>")
    );
    assert_eq!(
        message.header("Content-Type").as_deref(),
        Some("text/plain; charset=utf-8")
    );
    assert_eq!(
        message.header("Content-Transfer-Encoding").as_deref(),
        Some("quoted-printable")
    );
    assert!(message.header("Date").is_some());
    assert!(message.header("Message-ID").is_some());

    let body = message.text_body().unwrap();
    assert_eq!(body, email.text);
    assert!(body.contains(LINK), "{body}");
    assert!(body.contains("Éloïse") && body.contains("12 000,00 €") && body.contains("À bientôt"));
    assert!(
        body.contains("\n.Cette ligne commence par un point"),
        "{body}"
    );
}

#[tokio::test]
async fn an_attached_file_arrives_beside_the_text() {
    let sink = SmtpSink::start().await;
    let pdf: Vec<u8> = b"%PDF-1.7\n\x00\xff\xfe binary \r\n.\r\n end"
        .iter()
        .copied()
        .cycle()
        .take(5000)
        .collect();
    let email = french_email().with_attachment(Attachment {
        file_name: "FA-2026-000001.pdf".into(),
        content_type: "application/pdf".into(),
        bytes: pdf.clone(),
    });

    mailer_for_sink(&sink).send(&email).await.unwrap();

    let messages = sink.wait_for(1, WAIT).await;
    let message = &messages[0];
    assert!(
        message
            .header("Content-Type")
            .is_some_and(|c| c.starts_with("multipart/mixed")),
        "{}",
        message.data
    );
    assert_eq!(message.subject().as_deref(), Some(SUBJECT));
    assert!(message.text_body().unwrap().contains("n° 2026-014"));
    let files = message.attachments();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].file_name, "FA-2026-000001.pdf");
    assert_eq!(files[0].content_type, "application/pdf");
    assert_eq!(files[0].bytes, pdf);
    // Without attachments, still a plain text message.
    mailer_for_sink(&sink).send(&french_email()).await.unwrap();
    let messages = sink.wait_for(2, WAIT).await;
    assert!(messages[1].attachments().is_empty());
}

#[tokio::test]
async fn a_mostly_non_ascii_body_goes_as_base64_and_decodes() {
    let sink = SmtpSink::start().await;
    let text = "€€€€ éèêë àâä ôö ûüù ç œ æ «»\n€€€€ ÉÈÊË ÀÂÄ ÔÖ ÛÜÙ Ç Œ Æ\n";
    let email = Email::new("caisse@example.org", "€€€ — «Écho»", text);

    mailer_for_sink(&sink).send(&email).await.unwrap();

    let message = &sink.wait_for(1, WAIT).await[0];
    assert_eq!(
        message.header("Content-Transfer-Encoding").as_deref(),
        Some("base64")
    );
    assert_eq!(message.subject().as_deref(), Some("€€€ — «Écho»"));
    // The mailer drops the final line break (see `Mailer::send`); base64
    // carries the rest byte for byte.
    assert_eq!(message.text_body().as_deref(), text.strip_suffix('\n'));
}

#[tokio::test]
async fn a_long_subject_folds_and_decodes() {
    let sink = SmtpSink::start().await;
    let subject = "Relance : ".to_owned() + &"échéance dépassée — 1 234,56 € ; ".repeat(8);
    mailer_for_sink(&sink)
        .send(&Email::new("a@example.org", subject.trim_end(), "x"))
        .await
        .unwrap();
    let message = &sink.wait_for(1, WAIT).await[0];
    assert!(
        message.data.lines().all(|line| line.len() <= 78),
        "{}",
        message.data
    );
    assert_eq!(message.subject().as_deref(), Some(subject.trim_end()));
}

#[tokio::test]
async fn subject_line_breaks_cannot_inject_headers() {
    let sink = SmtpSink::start().await;
    mailer_for_sink(&sink)
        .send(&Email::new(
            "a@example.org",
            "Bonjour\r\nBcc: pirate@example.org",
            "x",
        ))
        .await
        .unwrap();
    let message = &sink.wait_for(1, WAIT).await[0];
    assert_eq!(message.to, ["a@example.org"]);
    assert_eq!(message.header("Bcc"), None);
    assert_eq!(
        message.subject().as_deref(),
        Some("Bonjour Bcc: pirate@example.org")
    );
}

#[tokio::test]
async fn two_sends_make_two_messages() {
    let sink = SmtpSink::start().await;
    let mailer = mailer_for_sink(&sink);

    mailer
        .send(&Email::new("un@example.org", "Premier", "un"))
        .await
        .unwrap();
    mailer
        .send(&Email::new("deux@example.org", "Deuxième", "deux"))
        .await
        .unwrap();

    let messages = sink.wait_for(2, WAIT).await;
    assert_eq!(messages.len(), 2);
    assert_eq!(messages[0].to, ["un@example.org"]);
    assert_eq!(messages[0].subject().as_deref(), Some("Premier"));
    assert_eq!(messages[0].text_body().as_deref(), Some("un\n"));
    assert_eq!(messages[1].to, ["deux@example.org"]);
    assert_eq!(messages[1].subject().as_deref(), Some("Deuxième"));
    // SMTP data ends with a line break: the body gains one.
    assert_eq!(messages[1].text_body().as_deref(), Some("deux\n"));
    // Nothing else trickles in.
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(sink.messages().len(), 2);
}

#[tokio::test]
async fn concurrent_sends_from_clones_all_arrive() {
    let sink = SmtpSink::start().await;
    let mailer = mailer_for_sink(&sink);
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..8 {
        let mailer = mailer.clone();
        tasks.spawn(async move {
            mailer
                .send(&Email::new(
                    format!("agent{i}@example.org"),
                    format!("Message {i}"),
                    "corps",
                ))
                .await
        });
    }
    while let Some(result) = tasks.join_next().await {
        result.unwrap().unwrap();
    }
    let messages = sink.wait_for(8, WAIT).await;
    let mut subjects: Vec<String> = messages.iter().map(|m| m.subject().unwrap()).collect();
    subjects.sort();
    let expected: Vec<String> = (0..8).map(|i| format!("Message {i}")).collect();
    assert_eq!(subjects, expected);
}

#[tokio::test]
async fn credentials_in_the_url_are_used() {
    let sink = SmtpSink::start().await;
    let url = format!(
        "smtp://jean%40mairie.fr:s3cr%C3%A8t@{}?tls=none",
        sink.addr()
    );
    mailer_for(&url)
        .send(&Email::new("a@example.org", "Auth", "x"))
        .await
        .unwrap();
    let message = &sink.wait_for(1, WAIT).await[0];
    assert_eq!(message.auth_user.as_deref(), Some("jean@mairie.fr"));
}

#[tokio::test]
async fn bad_addresses_are_refused_before_any_connection() {
    let sink = SmtpSink::start().await;
    let configured = mailer_for_sink(&sink);
    let unconfigured = Mailer::new(&MailConfig::default()).unwrap();
    for address in [
        "",
        "pas une adresse",
        "jean@",
        "@example.org",
        "a@b@example.org",
        "un@example.org, deux@example.org",
        "jean@example.org\r\nBcc: pirate@example.org",
        "Jean <jean@example.org",
    ] {
        for mailer in [&configured, &unconfigured] {
            let error = mailer
                .send(&Email::new(address, "Objet", "Texte"))
                .await
                .unwrap_err();
            match &error {
                MailError::BadAddress { address: got } => assert_eq!(got, address),
                other => panic!("{address:?}: expected BadAddress, got {other:?}"),
            }
            assert!(error.is_permanent());
        }
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(sink.messages().is_empty());
}

/// Collects what `tracing` writes, for the log-mode test.
#[derive(Clone, Default)]
struct LogBuffer(Arc<Mutex<Vec<u8>>>);

impl Write for LogBuffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test] // current-thread runtime: the thread-local subscriber sees everything
async fn unconfigured_mailer_logs_and_reports_not_configured() {
    let logs = LogBuffer::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .with_max_level(tracing::Level::INFO)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let mailer = Mailer::new(&MailConfig::default()).unwrap();
    assert!(!mailer.is_configured());
    let email = french_email();
    let error = mailer.send(&email).await.unwrap_err();
    assert!(matches!(error, MailError::NotConfigured), "{error:?}");
    assert!(!error.is_permanent(), "the message must stay queued");

    let logs = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("INFO"), "{logs}");
    assert!(logs.contains("eloise.dupont@example.org"), "{logs}");
    assert!(logs.contains(SUBJECT), "{logs}");
    // Bodies carry signing links and one-time codes: never in a log.
    assert!(!logs.contains(LINK), "{logs}");
    assert!(!logs.contains("jeton"), "{logs}");
}

#[tokio::test]
async fn a_server_that_drops_the_connection_makes_send_fail_not_hang() {
    for misbehaviour in [
        Misbehaviour::DropOnAccept,
        Misbehaviour::DropAfterGreeting,
        Misbehaviour::DropAfterEhlo,
        Misbehaviour::DropAfterData,
    ] {
        let url = fake::start(misbehaviour).await;
        let started = Instant::now();
        let outcome = tokio::time::timeout(
            Duration::from_secs(5),
            mailer_for(&url).send(&french_email()),
        )
        .await
        .unwrap_or_else(|_| panic!("{misbehaviour:?}: send hung"));
        let error = outcome.expect_err("send must fail");
        assert!(
            matches!(
                error,
                MailError::Smtp {
                    permanent: false,
                    ..
                }
            ),
            "{misbehaviour:?}: {error:?}"
        );
        assert!(!error.is_permanent());
        assert!(started.elapsed() < Duration::from_secs(5));
    }
}

#[tokio::test]
async fn a_silent_server_times_out() {
    let url = fake::start(Misbehaviour::Silent).await;
    let timeout = Duration::from_millis(300);
    let mailer = Mailer::with_timeout(
        &MailConfig {
            smtp_url: Some(url),
            ..MailConfig::default()
        },
        timeout,
    )
    .unwrap();
    let started = Instant::now();
    let error = mailer.send(&french_email()).await.unwrap_err();
    assert!(
        matches!(error, MailError::Timeout { after } if after == timeout),
        "{error:?}"
    );
    assert!(!error.is_permanent());
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn the_default_timeout_is_fifteen_seconds() {
    assert_eq!(mailer::SEND_TIMEOUT, Duration::from_secs(15));
}

#[tokio::test]
async fn a_refused_connection_is_a_transient_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let error = mailer_for(&format!("smtp://{addr}?tls=none"))
        .send(&french_email())
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            MailError::Smtp {
                permanent: false,
                ..
            }
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn server_replies_decide_permanence() {
    let rejected = mailer_for(&fake::start(Misbehaviour::RejectRecipient).await)
        .send(&french_email())
        .await
        .unwrap_err();
    assert!(
        matches!(&rejected, MailError::Smtp { permanent: true, reason } if reason.contains("No such user")),
        "{rejected:?}"
    );
    assert!(rejected.is_permanent());

    let deferred = mailer_for(&fake::start(Misbehaviour::DeferRecipient).await)
        .send(&french_email())
        .await
        .unwrap_err();
    assert!(
        matches!(
            deferred,
            MailError::Smtp {
                permanent: false,
                ..
            }
        ),
        "{deferred:?}"
    );
}

#[test]
fn configuration_errors_name_the_variable() {
    let error = Mailer::new(&MailConfig {
        smtp_url: Some("smtps://u:secret@mail.example.org?tls=none".to_owned()),
        ..MailConfig::default()
    })
    .unwrap_err();
    let text = error.to_string();
    assert!(text.contains("REGISSEUR_SMTP_URL"), "{text}");
    assert!(text.contains("always TLS"), "{text}");
    assert!(!text.contains("secret"), "{text}");

    let error = Mailer::new(&MailConfig {
        from: "Régisseur".to_owned(),
        ..MailConfig::default()
    })
    .unwrap_err();
    assert!(error.to_string().contains("REGISSEUR_MAIL_FROM"), "{error}");
}
