//! The SMTP sink spoken to by hand.

use std::time::Duration;

use mailer::Email;
use mailer::sink::SmtpSink;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};

use crate::{WAIT, mailer_for_sink};

struct Client {
    reader: BufReader<OwnedReadHalf>,
    writer: OwnedWriteHalf,
}

impl Client {
    async fn connect(sink: &SmtpSink) -> Self {
        let (reader, writer) = TcpStream::connect(sink.addr()).await.unwrap().into_split();
        let mut client = Self {
            reader: BufReader::new(reader),
            writer,
        };
        assert!(client.reply().await.starts_with("220 "));
        client
    }

    /// Reads one (possibly multi-line) reply, lines joined with `\n`.
    async fn reply(&mut self) -> String {
        let mut all = String::new();
        loop {
            let mut line = String::new();
            let read = tokio::time::timeout(WAIT, self.reader.read_line(&mut line))
                .await
                .expect("reply in time")
                .unwrap();
            assert!(read > 0, "connection closed; so far: {all:?}");
            assert!(line.ends_with("\r\n"), "{line:?}");
            all.push_str(line.trim_end());
            if line.as_bytes().get(3) == Some(&b'-') {
                all.push('\n');
            } else {
                return all;
            }
        }
    }

    async fn send(&mut self, raw: &str) {
        self.writer.write_all(raw.as_bytes()).await.unwrap();
    }

    /// Sends one command line, returns the reply code.
    async fn command(&mut self, line: &str) -> u16 {
        self.send(&format!("{line}\r\n")).await;
        self.reply().await[..3].parse().unwrap()
    }

    async fn at_eof(&mut self) -> bool {
        let mut line = String::new();
        tokio::time::timeout(WAIT, self.reader.read_line(&mut line))
            .await
            .expect("EOF in time")
            .unwrap()
            == 0
    }
}

#[tokio::test]
async fn url_points_at_the_listening_port() {
    let sink = SmtpSink::start().await;
    assert!(sink.addr().ip().is_loopback());
    assert_eq!(
        sink.url(),
        format!("smtp://127.0.0.1:{}?tls=none", sink.addr().port())
    );
    assert!(sink.messages().is_empty());
}

#[tokio::test]
async fn a_full_session_by_hand() {
    let sink = SmtpSink::start().await;
    let mut c = Client::connect(&sink).await;

    let ehlo = {
        c.send("EHLO client.example\r\n").await;
        c.reply().await
    };
    assert!(ehlo.starts_with("250-"), "{ehlo}");
    assert!(
        ehlo.contains("8BITMIME") && ehlo.contains("AUTH PLAIN LOGIN"),
        "{ehlo}"
    );
    assert_eq!(c.command("HELO client.example").await, 250);
    assert_eq!(c.command("NOOP").await, 250);
    assert_eq!(c.command("VRFY jean").await, 252);
    assert_eq!(c.command("XYZZY").await, 502);

    // Order is enforced.
    assert_eq!(c.command("RCPT TO:<a@example.org>").await, 503);
    assert_eq!(c.command("DATA").await, 503);
    assert_eq!(c.command("MAIL FROM:a@example.org").await, 501);
    assert_eq!(
        c.command("mail from:<expediteur@example.org> BODY=8BITMIME")
            .await,
        250
    );
    assert_eq!(c.command("MAIL FROM:<autre@example.org>").await, 503);
    assert_eq!(c.command("DATA").await, 503);
    assert_eq!(c.command("RCPT TO:<a@example.org>").await, 250);
    assert_eq!(c.command("RCPT TO: <b@example.org>").await, 250);
    assert_eq!(c.command("DATA").await, 354);
    c.send(
        "Subject: =?utf-8?Q?Caf=C3=A9?=\r\n\
         \r\n\
         ..ligne avec un point\r\n\
         ...\r\n\
         . \r\n\
         fin\r\n\
         .\r\n",
    )
    .await;
    let queued = c.reply().await;
    assert!(
        queued.starts_with("250 ") && queued.ends_with("queued as 1"),
        "{queued}"
    );

    // RSET forgets a half-built envelope.
    assert_eq!(c.command("MAIL FROM:<x@example.org>").await, 250);
    assert_eq!(c.command("RCPT TO:<y@example.org>").await, 250);
    assert_eq!(c.command("RSET").await, 250);
    assert_eq!(c.command("DATA").await, 503);
    assert_eq!(c.command("RCPT TO:<y@example.org>").await, 503);

    // A second message on the same connection, null sender allowed.
    assert_eq!(c.command("MAIL FROM:<>").await, 250);
    assert_eq!(c.command("RCPT TO:<z@example.org>").await, 250);
    assert_eq!(c.command("DATA").await, 354);
    c.send("Subject: deux\r\n\r\ncorps\r\n.\r\n").await;
    assert!(c.reply().await.ends_with("queued as 2"));

    assert_eq!(c.command("QUIT").await, 221);
    assert!(c.at_eof().await);

    let messages = sink.messages();
    assert_eq!(messages.len(), 2);
    assert_eq!(messages[0].from, "expediteur@example.org");
    assert_eq!(messages[0].to, ["a@example.org", "b@example.org"]);
    assert_eq!(
        messages[0].data,
        "Subject: =?utf-8?Q?Caf=C3=A9?=\r\n\r\n.ligne avec un point\r\n..\r\n \r\nfin\r\n"
    );
    assert_eq!(messages[0].subject().as_deref(), Some("Café"));
    assert_eq!(
        messages[0].text_body().as_deref(),
        Some(".ligne avec un point\n..\n \nfin\n")
    );
    assert_eq!(messages[1].from, "");
    assert_eq!(messages[1].to, ["z@example.org"]);
    assert_eq!(messages[1].subject().as_deref(), Some("deux"));
}

#[tokio::test]
async fn auth_login_and_plain_accept_anything_and_record_the_user() {
    let sink = SmtpSink::start().await;

    let mut c = Client::connect(&sink).await;
    assert_eq!(c.command("EHLO x").await, 250);
    c.send("AUTH LOGIN\r\n").await;
    assert_eq!(c.reply().await, "334 VXNlcm5hbWU6");
    c.send("amVhbg==\r\n").await; // "jean"
    assert_eq!(c.reply().await, "334 UGFzc3dvcmQ6");
    c.send("cHc=\r\n").await;
    assert!(c.reply().await.starts_with("235 "));
    assert_eq!(c.command("MAIL FROM:<a@x>").await, 250);
    assert_eq!(c.command("RCPT TO:<b@x>").await, 250);
    assert_eq!(c.command("DATA").await, 354);
    c.send("\r\nx\r\n.\r\n").await;
    assert_eq!(c.reply().await[..3].parse::<u16>().unwrap(), 250);

    let mut c = Client::connect(&sink).await;
    assert_eq!(c.command("EHLO x").await, 250);
    // "\0marie\0pw" without initial response.
    c.send("AUTH PLAIN\r\n").await;
    assert!(c.reply().await.starts_with("334"));
    assert_eq!(c.command("AG1hcmllAHB3").await, 235);
    assert_eq!(c.command("AUTH CRAM-MD5").await, 504);
    assert_eq!(c.command("MAIL FROM:<a@x>").await, 250);
    assert_eq!(c.command("RCPT TO:<b@x>").await, 250);
    assert_eq!(c.command("DATA").await, 354);
    c.send("\r\nx\r\n.\r\n").await;
    assert_eq!(c.reply().await[..3].parse::<u16>().unwrap(), 250);

    let users: Vec<Option<String>> = sink.messages().into_iter().map(|m| m.auth_user).collect();
    assert_eq!(users, [Some("jean".to_owned()), Some("marie".to_owned())]);
}

#[tokio::test]
async fn a_connection_lost_inside_data_keeps_nothing_and_the_sink_goes_on() {
    let sink = SmtpSink::start().await;
    let mut c = Client::connect(&sink).await;
    assert_eq!(c.command("HELO x").await, 250);
    assert_eq!(c.command("MAIL FROM:<a@x>").await, 250);
    assert_eq!(c.command("RCPT TO:<b@x>").await, 250);
    assert_eq!(c.command("DATA").await, 354);
    c.send("Subject: perdu\r\n\r\nà moitié").await;
    drop(c);

    // Another client, at the same time as a third that idles.
    let idle = Client::connect(&sink).await;
    mailer_for_sink(&sink)
        .send(&Email::new("b@example.org", "gardé", "ok"))
        .await
        .unwrap();
    drop(idle);
    let messages = sink.wait_for(1, WAIT).await;
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].subject().as_deref(), Some("gardé"));
}

#[tokio::test]
async fn many_connections_one_after_another() {
    let sink = SmtpSink::start().await;
    let mailer = mailer_for_sink(&sink);
    for i in 0..20 {
        mailer
            .send(&Email::new("a@example.org", format!("n°{i}"), "x"))
            .await
            .unwrap();
    }
    let messages = sink.wait_for(20, WAIT).await;
    assert_eq!(messages.len(), 20);
    assert_eq!(messages[19].subject().as_deref(), Some("n°19"));
}

#[tokio::test]
async fn nth_waits_for_a_later_message() {
    let sink = SmtpSink::start().await;
    let mailer = mailer_for_sink(&sink);
    let (second, ()) = tokio::join!(tokio::time::timeout(WAIT, sink.nth(1)), async {
        for subject in ["un", "deux"] {
            mailer
                .send(&Email::new("a@example.org", subject, "x"))
                .await
                .unwrap();
        }
    });
    assert_eq!(second.unwrap().subject().as_deref(), Some("deux"));
}

#[tokio::test]
#[should_panic(expected = "expected 1 message(s)")]
async fn wait_for_panics_when_nothing_comes() {
    let sink = SmtpSink::start().await;
    sink.wait_for(1, Duration::from_millis(50)).await;
}

#[tokio::test]
async fn dropping_the_sink_closes_its_port() {
    let sink = SmtpSink::start().await;
    let addr = sink.addr();
    drop(sink);
    // The accept loop is aborted asynchronously; give it a moment.
    let mut refused = false;
    for _ in 0..50 {
        if TcpStream::connect(addr).await.is_err() {
            refused = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(refused, "the sink still accepts connections after drop");
}
