//! `serve`: the web application, with graceful shutdown.

use std::net::SocketAddr;

use anyhow::Context;
use clap::Args;
use store::Db;
use tokio::net::TcpListener;
use web::{AppState, WebConfig};

use crate::config::{Common, connect};

#[derive(Args, Debug, Clone)]
pub struct ServeArgs {
    /// Address to listen on; port 0 picks a free port (printed at start).
    #[arg(long, env = "REGISSEUR_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,
    /// The URL users reach the application at; `https://…` turns on Secure cookies.
    #[arg(long, env = "REGISSEUR_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Trust X-Forwarded-For for client addresses (only behind a reverse proxy).
    #[arg(long, env = "REGISSEUR_TRUST_PROXY", value_parser = clap::builder::BoolishValueParser::new())]
    pub trust_proxy: bool,
    /// Largest accepted request body, in bytes.
    #[arg(long, env = "REGISSEUR_BODY_LIMIT", default_value_t = 1024 * 1024)]
    pub body_limit: usize,
    /// Do not run background jobs in this instance (another instance runs them).
    #[arg(long, env = "REGISSEUR_NO_WORKER", value_parser = clap::builder::BoolishValueParser::new())]
    pub no_worker: bool,
    /// E-invoicing: the folder exchanged with the platform (`outbox/` for
    /// deposits, `inbox/` for the statuses it sends back), beside the
    /// embedded database by default.
    #[arg(long, env = "REGISSEUR_EINVOICE_DROP_DIR", default_value = "einvoice")]
    pub einvoice_drop_dir: std::path::PathBuf,
    /// E-mail: a PEM file of CA certificates trusted for the SMTP server
    /// (a self-hosted relay with a private CA), besides the public roots.
    #[arg(long, env = mailer::ENV_SMTP_CA_FILE)]
    pub smtp_ca_file: Option<std::path::PathBuf>,
}

pub async fn run(common: &Common, args: ServeArgs) -> anyhow::Result<()> {
    let db = connect(common).await?;
    serve(db, args, None).await
}

/// Printed once the listening address is known.
pub type Banner = Box<dyn FnOnce(&str) + Send>;

/// The socket bound, and the addresses it answers at.
pub struct Listening {
    listener: TcpListener,
    /// `http://` and the address bound (the port chosen when it was 0).
    pub url: String,
    /// The address users reach: `REGISSEUR_PUBLIC_URL`, else `url`. Links
    /// in e-mails point there.
    pub public_url: String,
}

/// Binds `REGISSEUR_BIND`, so that the address is known before serving
/// (the demo's e-mails carry it).
pub async fn listen(args: &ServeArgs) -> anyhow::Result<Listening> {
    let listener = TcpListener::bind(args.bind)
        .await
        .with_context(|| format!("REGISSEUR_BIND: cannot listen on {}", args.bind))?;
    let url = format!("http://{}", listener.local_addr()?);
    let public_url = args.public_url.clone().unwrap_or_else(|| url.clone());
    Ok(Listening {
        listener,
        url,
        public_url,
    })
}

/// Serves until Ctrl-C or SIGTERM; `banner` is printed once the address is known.
pub async fn serve(db: Db, args: ServeArgs, banner: Option<Banner>) -> anyhow::Result<()> {
    let listening = listen(&args).await?;
    serve_on(db, args, listening, banner).await
}

/// [`serve`] on a socket already bound.
pub async fn serve_on(
    db: Db,
    args: ServeArgs,
    listening: Listening,
    banner: Option<Banner>,
) -> anyhow::Result<()> {
    let Listening {
        listener,
        url,
        public_url,
    } = listening;
    let config = WebConfig {
        public_url: public_url.clone(),
        trust_proxy: args.trust_proxy,
        body_limit: args.body_limit,
    };
    let app = web::app(AppState::new(db.clone(), config));
    if let Some(b) = banner {
        b(&url);
    }
    // A line that scripts and tests can wait for.
    println!("REGISSEUR_URL={url}");
    tracing::info!(%url, backend = db.backend().name(), "listening");
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let worker = if args.no_worker {
        None
    } else {
        let worker = crate::worker::configured(
            db.clone(),
            &public_url,
            &args.einvoice_drop_dir,
            args.smtp_ca_file.as_deref(),
        )?;
        Some(tokio::spawn(worker.run(stopped)))
    };
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await?;
    let _ = stop.send(true);
    if let Some(w) = worker {
        let _ = w.await;
    }
    db.close().await;
    tracing::info!("stopped");
    Ok(())
}

pub(crate) async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
