//! `user add`: create an account from the command line (the first admin of a
//! fresh installation, typically).

use anyhow::bail;
use clap::{Args, Subcommand};
use domain::company::CompanyKind;
use domain::user::UserInput;
use store::{Actor, Scope};

use crate::config::{Common, connect};

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Create a user.
    Add(AddArgs),
}

#[derive(Args, Debug)]
pub struct AddArgs {
    #[arg(long)]
    pub email: String,
    #[arg(long)]
    pub name: String,
    /// admin, direction, business_manager, delivery_manager, recruiter, finance, consultant, client_contact
    #[arg(long)]
    pub role: String,
    /// For a client contact: the client company's SIREN or name.
    #[arg(long)]
    pub company: Option<String>,
    /// The password (12 characters or more); read from REGISSEUR_PASSWORD, or generated and printed when absent.
    #[arg(long, env = "REGISSEUR_PASSWORD", hide_env_values = true)]
    pub password: Option<String>,
}

pub async fn run(common: &Common, cmd: UserCommand) -> anyhow::Result<()> {
    let UserCommand::Add(args) = cmd;
    let db = connect(common).await?;
    let mut tx = db.begin().await?;
    let company_id = match &args.company {
        None => String::new(),
        Some(key) => {
            let found = store::companies::list(
                &mut tx,
                Scope::All,
                &store::companies::CompanyFilter {
                    q: Some(key.clone()),
                    kinds: vec![CompanyKind::Client],
                },
                domain::paging::PageRequest::new(Some(1), Some(2)),
            )
            .await?;
            match found.items.as_slice() {
                [one] => one.id.to_string(),
                [] => bail!("no client company matches {key:?}"),
                _ => bail!("several client companies match {key:?}; give the SIREN"),
            }
        }
    };
    let generated = args.password.is_none();
    let password = args
        .password
        .clone()
        .unwrap_or_else(|| store::credentials::new_token()[..20].to_string());
    let input = UserInput {
        email: args.email.clone(),
        display_name: args.name.clone(),
        role: args.role.clone(),
        company_id,
        password: password.clone(),
        ..Default::default()
    };
    let data = match input.validate(true) {
        Ok(d) => d,
        Err(e) => {
            let problems: Vec<String> =
                e.0.iter()
                    .map(|f| format!("{}: {}", f.field, f.key))
                    .collect();
            bail!("invalid user: {}", problems.join(", "));
        }
    };
    let user = match store::users::create(&mut tx, &Actor::system("cli"), &data).await {
        Ok(u) => u,
        Err(store::Error::Conflict { field }) => bail!("{field} already used by another account"),
        Err(e) => return Err(e.into()),
    };
    tx.commit().await?;
    println!("created {} ({}) as {}", user.email, user.id, user.role);
    if generated {
        println!("password: {password}");
    }
    Ok(())
}
