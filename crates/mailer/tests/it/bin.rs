//! The `smtp-sink` binary, as the browser tests will use it.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use mailer::Email;
use mailer::sink::Received;

use crate::{TempDir, WAIT, mailer_for};

const BIN: &str = env!("CARGO_BIN_EXE_smtp-sink");

pub(crate) struct Running {
    child: Child,
    lines: mpsc::Receiver<String>,
}

impl Running {
    pub(crate) fn start(args: &[&str]) -> Self {
        let mut child = Command::new(BIN)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start smtp-sink");
        let stdout = child.stdout.take().unwrap();
        let (sender, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { return };
                if sender.send(line).is_err() {
                    return;
                }
            }
        });
        Self { child, lines }
    }

    pub(crate) fn line(&self) -> String {
        self.lines
            .recv_timeout(WAIT)
            .expect("a line from smtp-sink")
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn the_binary_prints_and_stores_each_message() {
    let temp = TempDir::new();
    let dir = temp.0.join("courriels"); // created by the binary
    let sink = Running::start(&["--port", "0", "--dir", dir.to_str().unwrap()]);
    let banner = sink.line();
    let url = banner
        .strip_prefix("smtp-sink listening on ")
        .unwrap_or_else(|| panic!("{banner}"))
        .to_owned();
    assert!(url.starts_with("smtp://127.0.0.1:"), "{url}");

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mailer = mailer_for(&url);
    runtime.block_on(async {
        mailer
            .send(&Email::new(
                "Agnès <agnes@example.org>",
                "Votre ordre de mission à signer — 12 000,00 €",
                "Signez ici : https://regisseur.example/s/1\nMerci, à bientôt.",
            ))
            .await
            .unwrap();
        mailer
            .send(&Email::new("bob@example.org", "Deuxième", "deux"))
            .await
            .unwrap();
    });

    assert_eq!(
        sink.line(),
        "#1 to=<agnes@example.org> subject=Votre ordre de mission à signer — 12 000,00 €"
    );
    assert_eq!(sink.line(), "#2 to=<bob@example.org> subject=Deuxième");

    let raw = std::fs::read_to_string(dir.join("1.eml")).unwrap();
    assert!(raw.contains("\r\n"), "raw message keeps CRLF");
    let first = Received {
        from: String::new(),
        to: Vec::new(),
        data: raw,
        auth_user: None,
        tls: false,
    };
    assert_eq!(
        first.subject().as_deref(),
        Some("Votre ordre de mission à signer — 12 000,00 €")
    );
    assert_eq!(
        first.text_body().as_deref(),
        Some("Signez ici : https://regisseur.example/s/1\nMerci, à bientôt.\n")
    );
    assert!(dir.join("2.eml").is_file());
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["1.eml", "2.eml"], "no temporary files left");

    drop(sink);
}

#[test]
fn the_binary_rejects_bad_arguments_and_explains_usage() {
    let output = Command::new(BIN)
        .args(["--port", "soixante"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("--port") && stderr.contains("usage:"),
        "{stderr}"
    );

    let output = Command::new(BIN).arg("--verbose").output().unwrap();
    assert_eq!(output.status.code(), Some(2));

    let output = Command::new(BIN).arg("--help").output().unwrap();
    assert!(output.status.success());
    assert!(String::from_utf8_lossy(&output.stdout).contains("--dir"));
}

#[test]
fn the_binary_reports_a_busy_port() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let mut child = Command::new(BIN)
        .args(["--port", &port])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + WAIT;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("smtp-sink kept running on a busy port");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(!status.success());
    drop(taken);
}
