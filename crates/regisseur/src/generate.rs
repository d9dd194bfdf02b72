//! `generate`: synthetic companies and contacts for benchmarks, in batches,
//! with a progress bar.

use clap::Args;
use domain::company::{CompanyData, CompanyKind};
use domain::contact::{ContactData, ContactRole};
use domain::identifiers::{Email, Siren, Siret, VatNumber};
use indicatif::{ProgressBar, ProgressStyle};
use store::{Actor, Scope};

use crate::config::{Common, connect};

#[derive(Args, Debug)]
pub struct GenerateArgs {
    /// Number of companies to add.
    #[arg(long, default_value_t = 10_000)]
    pub companies: u32,
    /// Contacts per company.
    #[arg(long, default_value_t = 2)]
    pub contacts_per_company: u32,
    /// First SIREN payload; change it to add a second batch (SIRENs are unique).
    #[arg(long, default_value_t = 10_000_000)]
    pub siren_start: u32,
    /// Missions to add, spread over the generated client companies, 40
    /// generated consultants and 4 business managers, ending over the next year.
    #[arg(long, default_value_t = 0)]
    pub missions: u32,
    /// Consultants to add with employee records, dated costs, one mission a
    /// year, a validated report every month and the month's sales entry,
    /// over `--margin-years` (the margin benchmark's history).
    #[arg(long, default_value_t = 0)]
    pub margin_consultants: u32,
    /// Years of history for `--margin-consultants`.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=10))]
    pub margin_years: u32,
    /// Opportunities to add over the client and prospect companies and the
    /// business managers (the CRM benchmark's history), at every stage, a
    /// fifth of them children of an earlier need of their account.
    #[arg(long, default_value_t = 0)]
    pub opportunities: u32,
    /// Activities (calls, meetings, e-mails, tasks) to add over the
    /// opportunities, assigned to their business managers, mostly done,
    /// some overdue, some to come.
    #[arg(long, default_value_t = 0)]
    pub activities: u32,
}

const WORDS: &[&str] = &[
    "Atlas", "Boréal", "Cobalt", "Delta", "Éole", "Fjord", "Granit", "Horizon", "Iris", "Jade",
    "Kairos", "Lumen", "Mistral", "Nova", "Orion", "Pégase", "Quartz", "Rivage", "Sirius", "Titan",
    "Ulysse", "Vega", "Wagram", "Zénith",
];
const SECTORS: &[&str] = &[
    "Banque",
    "Assurances",
    "Énergie",
    "Transports",
    "Santé",
    "Industrie",
    "Retail",
    "Télécom",
];
const CITIES: &[(&str, &str)] = &[
    ("Paris", "75008"),
    ("Lyon", "69002"),
    ("Marseille", "13002"),
    ("Toulouse", "31000"),
    ("Nantes", "44000"),
    ("Lille", "59000"),
    ("Bordeaux", "33000"),
    ("Rennes", "35000"),
    ("Strasbourg", "67000"),
    ("Courbevoie", "92400"),
];
const FIRST: &[&str] = &[
    "Camille", "Louis", "Emma", "Hugo", "Chloé", "Lucas", "Léa", "Nathan", "Manon", "Jules",
];
const LAST: &[&str] = &[
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
    "Moreau",
];

const BATCH: u32 = 500;

pub async fn run(common: &Common, args: GenerateArgs) -> anyhow::Result<()> {
    let db = connect(common).await?;
    let actor = Actor::system("generate");
    let bar = progress(args.companies, "companies");
    let mut done = 0;
    while done < args.companies {
        let end = (done + BATCH).min(args.companies);
        // One transaction per batch: a failure loses at most one batch and
        // says which.
        let mut tx = db.begin().await?;
        for i in done..end {
            let company =
                store::companies::create(&mut tx, &actor, &company(args.siren_start + i, i))
                    .await?;
            for j in 0..args.contacts_per_company {
                store::contacts::create(&mut tx, &actor, Scope::All, &contact(company.id, i, j))
                    .await?;
            }
        }
        tx.commit().await?;
        bar.inc(u64::from(end - done));
        done = end;
    }
    bar.finish_with_message("companies");
    if args.missions > 0 {
        missions(&db, &actor, &args).await?;
    }
    if args.margin_consultants > 0 {
        margin_history(&db, &args).await?;
    }
    if args.opportunities > 0 {
        crm_history(&db, &args).await?;
    }
    if args.activities > 0 {
        let bar = progress(args.activities, "activities");
        let started = std::time::Instant::now();
        let n =
            fixtures::crm_data::activities(&db, args.activities as usize, store::today(), |done| {
                bar.set_position(done as u64)
            })
            .await?;
        bar.finish_and_clear();
        println!(
            "added {n} activities in {:.1} s",
            started.elapsed().as_secs_f64()
        );
    }
    println!(
        "added {} companies and {} contacts",
        args.companies,
        u64::from(args.companies) * u64::from(args.contacts_per_company)
    );
    Ok(())
}

fn company(siren_payload: u32, i: u32) -> CompanyData {
    let siren = Siren::with_check_digit(siren_payload % 100_000_000);
    let (city, postcode) = CITIES[i as usize % CITIES.len()];
    let kind = match i % 10 {
        0..=5 => CompanyKind::Client,
        6..=8 => CompanyKind::Prospect,
        _ => CompanyKind::Supplier,
    };
    CompanyData {
        name: format!(
            "{} {} {}",
            WORDS[i as usize % WORDS.len()],
            SECTORS[(i as usize / WORDS.len()) % SECTORS.len()],
            i
        ),
        kind,
        legal_form: Some("SAS".into()),
        siret: Some(Siret::with_check_digit(&siren, 1)),
        vat_number: Some(VatNumber::for_siren(&siren)),
        siren: Some(siren),
        address_line1: Some(format!("{} rue de la République", 1 + i % 200)),
        address_line2: None,
        postcode: Some(postcode.into()),
        city: Some(city.into()),
        country: "FR".into(),
        email: None,
        phone: Some("+33 1 40 00 00 00".into()),
        iban: None,
        key_account: i.is_multiple_of(50),
        notes: None,
        parent_id: None,
        entity_kind: None,
    }
}

fn contact(company_id: domain::ids::CompanyId, i: u32, j: u32) -> ContactData {
    let first = FIRST[(i + j) as usize % FIRST.len()];
    let last = LAST[(i * 3 + j) as usize % LAST.len()];
    ContactData {
        company_id,
        first_name: first.into(),
        last_name: last.into(),
        email: Email::parse(&format!(
            "{}.{}.{i}.{j}@example.com",
            store::search::normalize(first),
            store::search::normalize(last)
        ))
        .ok(),
        phone: None,
        job_title: Some("Acheteur".into()),
        role: ContactRole::ALL[j as usize % ContactRole::ALL.len()],
        notes: None,
    }
}

/// The margin benchmark's history, one step of the progress bar per stage.
async fn margin_history(db: &store::Db, args: &GenerateArgs) -> anyhow::Result<()> {
    const STAGES: [&str; 5] = ["people", "missions", "reports", "days", "ledger"];
    let bar = progress(STAGES.len() as u32, "margin history");
    let started = std::time::Instant::now();
    let f = fixtures::margin_data::margin_history(
        db,
        args.margin_consultants as usize,
        args.margin_years,
        store::today(),
        |stage| {
            bar.set_message(format!("margin history: {stage} written"));
            bar.inc(1);
        },
    )
    .await?;
    bar.finish_and_clear();
    println!(
        "added {} consultants with costs, {} missions, {} validated reports ({} half days) and {} sales entries, {} to {}, in {:.1} s",
        f.consultants,
        f.missions,
        f.reports,
        f.slots,
        f.sales_entries,
        f.first_month,
        f.last_month,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The CRM benchmark's opportunities, with a progress bar.
async fn crm_history(db: &store::Db, args: &GenerateArgs) -> anyhow::Result<()> {
    let bar = progress(args.opportunities, "opportunities");
    let started = std::time::Instant::now();
    let f =
        fixtures::crm_data::crm_history(db, args.opportunities as usize, store::today(), |done| {
            bar.set_position(done as u64)
        })
        .await?;
    bar.finish_and_clear();
    println!(
        "added {} opportunities ({} open, {} children of an earlier need), {} skills and {} timeline lines, in {:.1} s",
        f.opportunities,
        f.open,
        f.children,
        f.skills,
        f.events,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Synthetic missions for the renewal-scan benchmark: end dates spread evenly
/// over the next 365 days, so about one in six falls within the 60-day window.
async fn missions(db: &store::Db, actor: &Actor, args: &GenerateArgs) -> anyhow::Result<()> {
    use domain::mission::MissionInput;
    use domain::role::Role;
    use domain::user::UserInput;
    let tag = args.siren_start;
    let mut tx = db.begin().await?;
    let people = |role: Role, n: u32| {
        (0..n)
            .map(|i| UserInput {
                email: format!("{}-{tag}-{i}@generated.example", role.as_str()),
                display_name: format!(
                    "{} {}",
                    FIRST[i as usize % FIRST.len()],
                    LAST[(i as usize / FIRST.len()) % LAST.len()]
                ),
                role: role.as_str().into(),
                password: "generated password".into(),
                ..Default::default()
            })
            .collect::<Vec<_>>()
    };
    let mut consultants = Vec::new();
    for u in people(Role::Consultant, 40) {
        consultants.push(
            store::users::create(
                &mut tx,
                actor,
                &u.validate(true).map_err(|e| anyhow::anyhow!("{e:?}"))?,
            )
            .await?
            .id,
        );
    }
    let mut bms = Vec::new();
    for u in people(Role::BusinessManager, 4) {
        bms.push(
            store::users::create(
                &mut tx,
                actor,
                &u.validate(true).map_err(|e| anyhow::anyhow!("{e:?}"))?,
            )
            .await?
            .id,
        );
    }
    let clients = store::companies::options(&mut tx, Scope::All, Some(CompanyKind::Client)).await?;
    tx.commit().await?;
    anyhow::ensure!(
        !clients.is_empty(),
        "no client company: generate companies first"
    );
    let bar = progress(args.missions, "missions");
    let today = store::today();
    let mut done = 0;
    while done < args.missions {
        let end = (done + BATCH).min(args.missions);
        let mut tx = db.begin().await?;
        for i in done..end {
            let finish = today + time::Duration::days(i64::from(i % 365));
            let input = MissionInput {
                title: format!("Mission {i}"),
                client_id: clients[i as usize % clients.len()].0.to_string(),
                consultant_id: consultants[i as usize % consultants.len()].to_string(),
                business_manager_id: bms[i as usize % bms.len()].to_string(),
                start_date: (finish - time::Duration::days(180)).to_string(),
                end_date: finish.to_string(),
                tjm: format!("{}", 450 + (i % 40) * 10),
                ..Default::default()
            };
            let data = input.validate().map_err(|e| anyhow::anyhow!("{e:?}"))?;
            store::missions::create(&mut tx, actor, &data, &[]).await?;
        }
        tx.commit().await?;
        bar.inc(u64::from(end - done));
        done = end;
    }
    bar.finish_with_message("missions");
    println!("added {} missions", args.missions);
    Ok(())
}

pub(crate) fn progress(len: u32, what: &'static str) -> ProgressBar {
    let bar = ProgressBar::new(u64::from(len));
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} [{bar:40}] {pos}/{len} ({per_sec}, {eta})")
            .expect("valid template")
            .progress_chars("=> "),
    );
    bar.set_message(what);
    bar
}
