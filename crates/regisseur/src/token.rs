//! `token create`: a personal API token for an existing account, printed
//! once on standard output (only its hash is kept), for scripts and tests
//! that cannot click through the account page.

use anyhow::bail;
use clap::{Args, Subcommand};
use store::Actor;

use crate::config::{Common, connect};

#[derive(Subcommand, Debug)]
pub enum TokenCommand {
    /// Create an API token for a user; prints the token alone on stdout.
    Create(CreateArgs),
}

#[derive(Args, Debug)]
pub struct CreateArgs {
    /// The account's e-mail.
    #[arg(long)]
    pub email: String,
    /// A name to tell the token apart on the account page.
    #[arg(long)]
    pub name: String,
}

pub async fn run(common: &Common, cmd: TokenCommand) -> anyhow::Result<()> {
    let TokenCommand::Create(args) = cmd;
    let name = args.name.trim();
    if name.is_empty() || name.chars().count() > 80 {
        bail!("--name must have 1 to 80 characters (as on the account page)");
    }
    let db = connect(common).await?;
    let mut tx = db.begin().await?;
    let Some(user) = store::users::find_by_email(&mut tx, args.email.trim()).await? else {
        bail!("no account with the e-mail {:?}", args.email);
    };
    if !user.active {
        bail!("the account {} is disabled", user.email);
    }
    let (_, secret) =
        store::api_tokens::create(&mut tx, &Actor::system("cli"), user.id, name).await?;
    tx.commit().await?;
    println!("{secret}");
    Ok(())
}
