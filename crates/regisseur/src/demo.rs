//! `demo`: replaces the database content with the demo data, prints the
//! logins, then serves.

use anyhow::bail;
use clap::Args;

use crate::config::{Common, connect};
use crate::serve::{ServeArgs, listen, serve_on};

#[derive(Args, Debug)]
pub struct DemoArgs {
    #[command(flatten)]
    pub serve: ServeArgs,
    /// Only load the data, do not serve.
    #[arg(long)]
    pub no_serve: bool,
    /// Erase a database that holds another firm's data.
    #[arg(long)]
    pub yes_erase: bool,
    /// Stop before the key-account chain: Camille's two validated months
    /// wait for Clientis's signature, not yet accrued, so the month-end
    /// close and the signature can be shown (or tested) by hand.
    #[arg(long)]
    pub key_account_pending: bool,
}

pub async fn run(common: &Common, args: DemoArgs) -> anyhow::Result<()> {
    let db = connect(common).await?;
    // The demo empties the database first: refuse to do that to real data.
    let mut tx = db.read().await?;
    let firm = store::firm::get(&mut tx).await?;
    tx.commit().await?;
    if let Some(f) = firm
        && f.name != fixtures::demo::stafforia().name
        && !args.yes_erase
    {
        bail!(
            "this database holds the data of {:?}; `demo` would erase it. Use another DATABASE_URL or pass --yes-erase",
            f.name
        );
    }
    let stage = if args.key_account_pending {
        fixtures::demo::Stage::BeforeBilling
    } else {
        fixtures::demo::Stage::Full
    };
    // Bound first: the demo's e-mailed links carry the address it is
    // served at (the port chosen, when REGISSEUR_BIND asks for port 0).
    let listening = if args.no_serve {
        None
    } else {
        Some(listen(&args.serve).await?)
    };
    let base_url = match &listening {
        Some(l) => l.public_url.clone(),
        None => args
            .serve
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", args.serve.bind)),
    };
    let summary = fixtures::demo::seed_stage_at(&db, stage, &base_url).await?;
    let mut text = String::from("\nDemo data loaded: Stafforia Services, ");
    text.push_str(&format!(
        "{} companies, {} contacts.\n",
        summary.companies, summary.contacts
    ));
    text.push_str(&format!(
        "Logins (password for all: {}):\n",
        summary.password
    ));
    for l in &summary.logins {
        text.push_str(&format!(
            "  {:<18} {:<36} {}\n",
            l.role.as_str(),
            l.email,
            l.name
        ));
    }
    let Some(listening) = listening else {
        print!("{text}");
        return Ok(());
    };
    serve_on(
        db,
        args.serve,
        listening,
        Some(Box::new(move |url: &str| {
            print!("{text}");
            println!("\nOpen {url} in a browser.");
        })),
    )
    .await
}
