//! `smtp-sink [--port PORT] [--dir DIR] [--tls-cert PEM --tls-key PEM [--implicit-tls]]`:
//! a local SMTP server that keeps every message, for the demo and the browser
//! tests.
//!
//! Listens on 127.0.0.1:PORT (default 2525; 0 picks a free port), prints
//! `smtp-sink listening on URL` once ready, URL being what to give as
//! `REGISSEUR_SMTP_URL`: `smtp://127.0.0.1:PORT?tls=none` (plain SMTP), or
//! with a certificate and its key `smtp://127.0.0.1:PORT` (STARTTLS,
//! required before MAIL) or, with `--implicit-tls`, `smtps://127.0.0.1:PORT`.
//! Then it prints one line
//! per message: `#N to=<a@b>,<c@d> subject=…`. With `--dir`, message N is
//! also written raw (RFC 5322, CRLF) to `DIR/N.eml` (N from 1) *before* its
//! line is printed; files appear atomically (written to a temporary name,
//! then renamed). Stops on Ctrl-C / SIGTERM.

use std::path::PathBuf;
use std::process::ExitCode;

use mailer::sink::{SinkTls, SmtpSink, tls_config};

const USAGE: &str = "usage: smtp-sink [--port PORT] [--dir DIR] [--tls-cert PEM --tls-key PEM [--implicit-tls]]\n\
    Local SMTP server for tests: listens on 127.0.0.1:PORT (default 2525),\n\
    prints each message's recipients and subject, and writes DIR/N.eml if --dir is given.\n\
    With a certificate chain and its key: STARTTLS (required), or implicit TLS.";

struct Args {
    port: u16,
    dir: Option<PathBuf>,
    tls_cert: Option<PathBuf>,
    tls_key: Option<PathBuf>,
    implicit_tls: bool,
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut parsed = Args {
        port: 2525,
        dir: None,
        tls_cert: None,
        tls_key: None,
        implicit_tls: false,
    };
    while let Some(arg) = args.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((name, value)) => (name.to_owned(), Some(value.to_owned())),
            None => (arg, None),
        };
        let mut value = || {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match name.as_str() {
            "--port" => {
                let port = value()?;
                parsed.port = port
                    .parse()
                    .map_err(|_| format!("--port: {port:?} is not a port number"))?;
            }
            "--dir" => parsed.dir = Some(PathBuf::from(value()?)),
            "--tls-cert" => parsed.tls_cert = Some(PathBuf::from(value()?)),
            "--tls-key" => parsed.tls_key = Some(PathBuf::from(value()?)),
            "--implicit-tls" => parsed.implicit_tls = true,
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    if parsed.tls_cert.is_some() != parsed.tls_key.is_some() {
        return Err("--tls-cert and --tls-key go together".to_owned());
    }
    if parsed.implicit_tls && parsed.tls_cert.is_none() {
        return Err("--implicit-tls needs --tls-cert and --tls-key".to_owned());
    }
    Ok(parsed)
}

/// The sink's TLS from the PEM files given, if any.
fn tls(args: &Args) -> Result<SinkTls, String> {
    let (Some(cert), Some(key)) = (&args.tls_cert, &args.tls_key) else {
        return Ok(SinkTls::None);
    };
    let read = |path: &PathBuf| {
        std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
    };
    let config = tls_config(&read(cert)?, &read(key)?)?;
    Ok(if args.implicit_tls {
        SinkTls::Implicit(config)
    } else {
        SinkTls::StartTls(config)
    })
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(message) if message.is_empty() => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("smtp-sink: {message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    if let Some(dir) = &args.dir
        && let Err(error) = std::fs::create_dir_all(dir)
    {
        eprintln!("smtp-sink: cannot create {}: {error}", dir.display());
        return ExitCode::FAILURE;
    }
    let tls = match tls(&args) {
        Ok(tls) => tls,
        Err(message) => {
            eprintln!("smtp-sink: {message}");
            return ExitCode::from(2);
        }
    };
    let sink = match SmtpSink::bind_with(("127.0.0.1", args.port), tls).await {
        Ok(sink) => sink,
        Err(error) => {
            eprintln!(
                "smtp-sink: cannot listen on 127.0.0.1:{}: {error}",
                args.port
            );
            return ExitCode::FAILURE;
        }
    };
    println!("smtp-sink listening on {}", sink.url());

    let follow = async {
        for index in 0.. {
            let message = sink.nth(index).await;
            let number = index + 1;
            if let Some(dir) = &args.dir {
                let path = dir.join(format!("{number}.eml"));
                let temporary = dir.join(format!(".{number}.eml.tmp"));
                let written = std::fs::write(&temporary, message.data.as_bytes())
                    .and_then(|()| std::fs::rename(&temporary, &path));
                if let Err(error) = written {
                    eprintln!("smtp-sink: cannot write {}: {error}", path.display());
                }
            }
            let to: Vec<String> = message.to.iter().map(|to| format!("<{to}>")).collect();
            println!(
                "#{number} to={} subject={}",
                to.join(","),
                message.subject().unwrap_or_default()
            );
        }
    };
    tokio::select! {
        () = follow => {}
        () = shutdown_signal() => {}
    }
    ExitCode::SUCCESS
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}
