//! The demo data, in one place: the founding article's firm Stafforia Services,
//! its key account Clientis Group, two other clients, a prospect, a supplier,
//! their contacts, one user per role and the consultant Camille Martin.
//! Later features extend this module so the demo tells the article's story.

use domain::company::CompanyInput;
use domain::contact::ContactInput;
use domain::ids::CompanyId;
use domain::role::Role;
use domain::user::UserInput;

use crate::firm::Firm;
use crate::{Actor, Db, Error, Result, Tx, on_tx};

/// Every demo account shares this password, printed when the demo starts.
pub const DEMO_PASSWORD: &str = "regisseur-demo";

#[derive(Debug, Clone)]
pub struct DemoLogin {
    pub role: Role,
    pub email: String,
    pub name: String,
}

#[derive(Debug, Clone)]
pub struct DemoSummary {
    pub logins: Vec<DemoLogin>,
    pub password: &'static str,
    pub companies: usize,
    pub contacts: usize,
}

/// Tables in an order that respects foreign keys, for a full refresh.
pub const TABLES: &[&str] = &[
    "outbox_attachments",
    "dunning_pauses",
    "dunning_notices",
    "lettering_lines",
    "letterings",
    "bank_lines",
    "bank_statements",
    "payment_allocations",
    "payments",
    "bank_accounts",
    "export_chunks",
    "exports",
    "invoice_lifecycle",
    "einvoice_deposits",
    "accruals",
    "billed_days",
    "invoice_lines",
    "invoices",
    "ledger_lines",
    "ledger_entries",
    "close_runs",
    "ledger_sequences",
    "ledger_periods",
    "cra_reminders",
    "cra_events",
    "cra_client_approvals",
    "cra_attachments",
    "cra_extras",
    "cra_slots",
    "signature_events",
    "signature_signers",
    "signature_requests",
    "documents",
    "cras",
    "leave_requests",
    "leave_allowances",
    "document_templates",
    "domain_events",
    "renewal_alerts",
    "tasks",
    "renewals",
    "amendments",
    "mission_validators",
    "missions",
    "client_contracts",
    "jobs",
    "schedules",
    "outbox_emails",
    "audit_log",
    "api_tokens",
    "sessions",
    "login_attempts",
    "users",
    "contacts",
    "companies",
    "firm",
];

/// Empties every table (a "refresh"). Schema and migrations stay.
pub async fn clear(tx: &mut Tx) -> Result<()> {
    for t in TABLES {
        let sql = format!("DELETE FROM {t}");
        on_tx!(tx, |c| sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
            .execute(c)
            .await
            .map(|r| r.rows_affected()))?;
    }
    Ok(())
}

pub fn stafforia() -> Firm {
    Firm {
        name: "Stafforia Services".into(),
        legal_form: Some("SAS".into()),
        siren: Some("812345676".into()),
        vat_number: Some("FR19812345676".into()),
        rcs_city: Some("Nanterre".into()),
        share_capital_cents: Some(5_000_000),
        address_line1: Some("12 rue des Régisseurs".into()),
        postcode: Some("92100".into()),
        city: Some("Boulogne-Billancourt".into()),
        country: "FR".into(),
        iban: Some("FR7630004000031234567890143".into()),
        bic: Some("BNPAFRPPXXX".into()),
        email: Some("contact@stafforia.example".into()),
        phone: Some("+33 1 84 00 00 00".into()),
    }
}

struct DemoCompany {
    name: &'static str,
    kind: &'static str,
    siren: &'static str,
    vat: &'static str,
    city: &'static str,
    postcode: &'static str,
    address: &'static str,
    key_account: bool,
    contacts: &'static [(&'static str, &'static str, &'static str, &'static str)],
}

const COMPANIES: &[DemoCompany] = &[
    DemoCompany {
        name: "Clientis Group",
        kind: "client",
        siren: "542051180",
        vat: "FR59542051180",
        city: "Courbevoie",
        postcode: "92400",
        address: "1 esplanade de la Défense",
        key_account: true,
        contacts: &[
            ("Sophie", "Bernard", "buyer", "Acheteuse IT"),
            (
                "Marc",
                "Lefèvre",
                "domain_manager",
                "Responsable du domaine Data",
            ),
            (
                "Nadia",
                "Haddad",
                "accounts_payable",
                "Comptabilité fournisseurs",
            ),
        ],
    },
    DemoCompany {
        name: "Banque Horizon",
        kind: "client",
        siren: "382114098",
        vat: "FR89382114098",
        city: "Paris",
        postcode: "75009",
        address: "40 boulevard Haussmann",
        key_account: false,
        contacts: &[
            ("Julien", "Moreau", "operational", "Directeur de projet"),
            ("Claire", "Petit", "buyer", "Achats"),
        ],
    },
    DemoCompany {
        name: "Mutuelle Atlantique",
        kind: "client",
        siren: "775674385",
        vat: "FR54775674385",
        city: "Nantes",
        postcode: "44000",
        address: "5 quai de la Fosse",
        key_account: false,
        contacts: &[("Thomas", "Garnier", "domain_manager", "DSI adjoint")],
    },
    DemoCompany {
        name: "Proxima Énergie",
        kind: "prospect",
        siren: "902314566",
        vat: "FR18902314566",
        city: "Lyon",
        postcode: "69002",
        address: "10 cours de Verdun",
        key_account: false,
        contacts: &[("Inès", "Roux", "buyer", "Responsable achats")],
    },
    DemoCompany {
        name: "DataFreelance Portage",
        kind: "supplier",
        siren: "884120775",
        vat: "FR60884120775",
        city: "Lille",
        postcode: "59000",
        address: "3 rue Nationale",
        key_account: false,
        contacts: &[("Paul", "Lambert", "accounts_payable", "Gestion")],
    },
];

const STAFF: &[(Role, &str, &str)] = &[
    (
        Role::Admin,
        "admin@stafforia.example",
        "Alice Administratrice",
    ),
    (
        Role::Direction,
        "direction@stafforia.example",
        "Denis Directeur",
    ),
    (
        Role::BusinessManager,
        "bm@stafforia.example",
        "Bruno Marchand",
    ),
    (
        Role::DeliveryManager,
        "delivery@stafforia.example",
        "Delphine Leroy",
    ),
    (
        Role::Recruiter,
        "recrutement@stafforia.example",
        "Rachid Benali",
    ),
    (
        Role::Finance,
        "finance@stafforia.example",
        "Fanny Comptable",
    ),
    (
        Role::Consultant,
        "camille.martin@stafforia.example",
        "Camille Martin",
    ),
    (
        Role::Consultant,
        "lucas.petit@stafforia.example",
        "Lucas Petit",
    ),
];

const CLIENT_CONTACT_LOGIN: &str = "sophie.bernard@clientis.example";

/// Replaces whatever the database holds with the demo data, in one transaction.
/// How far the demo goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Stage {
    /// Everything, the key-account chain included (two months accrued,
    /// then the contract signed and the invoices issued).
    #[default]
    Full,
    /// Stops before the month-end closes: Camille's two validated months
    /// wait for Clientis's signature, not yet accrued, and the framework
    /// contract waits for Sophie — to show (or test) the close and the
    /// signature by hand.
    BeforeBilling,
}

pub async fn seed(db: &Db) -> Result<DemoSummary> {
    seed_stage(db, Stage::Full).await
}

pub async fn seed_stage(db: &Db, stage: Stage) -> Result<DemoSummary> {
    let actor = Actor::system("demo");
    let mut tx = db.begin().await?;
    clear(&mut tx).await?;
    crate::firm::save(&mut tx, &stafforia()).await?;
    let mut clientis: Option<CompanyId> = None;
    let mut contacts = 0;
    for c in COMPANIES {
        let input = CompanyInput {
            name: c.name.into(),
            kind: c.kind.into(),
            legal_form: "SA".into(),
            siren: c.siren.into(),
            vat_number: c.vat.into(),
            address_line1: c.address.into(),
            postcode: c.postcode.into(),
            city: c.city.into(),
            country: "FR".into(),
            key_account: c.key_account,
            ..Default::default()
        };
        let company = crate::companies::create(&mut tx, &actor, &input.validate()?).await?;
        if c.name == "Clientis Group" {
            clientis = Some(company.id);
        }
        let domain_part = c
            .name
            .split_whitespace()
            .next()
            .unwrap_or("x")
            .to_lowercase()
            .replace('é', "e");
        for (first, last, role, title) in c.contacts {
            let email = format!(
                "{}.{}@{}.example",
                crate::search::normalize(first),
                crate::search::normalize(last),
                domain_part
            );
            let input = ContactInput {
                company_id: company.id.to_string(),
                first_name: (*first).into(),
                last_name: (*last).into(),
                email,
                phone: "+33 1 40 00 00 00".into(),
                job_title: (*title).into(),
                role: (*role).into(),
                ..Default::default()
            };
            crate::companies::get(&mut tx, crate::Scope::All, company.id).await?;
            crate::contacts::create(&mut tx, &actor, crate::Scope::All, &input.validate()?).await?;
            contacts += 1;
        }
    }
    let mut logins = Vec::new();
    let mut users: Vec<(Role, &str, &str, Option<CompanyId>)> =
        STAFF.iter().map(|(r, e, n)| (*r, *e, *n, None)).collect();
    users.push((
        Role::ClientContact,
        CLIENT_CONTACT_LOGIN,
        "Sophie Bernard",
        clientis,
    ));
    for (role, email, name, company) in users {
        let input = UserInput {
            email: email.into(),
            display_name: name.into(),
            role: role.as_str().into(),
            company_id: company.map(|c| c.to_string()).unwrap_or_default(),
            password: DEMO_PASSWORD.into(),
            ..Default::default()
        };
        crate::users::create(&mut tx, &actor, &input.validate(true)?).await?;
        logins.push(DemoLogin {
            role,
            email: email.into(),
            name: name.into(),
        });
    }
    missions(&mut tx, &actor).await?;
    activity(&mut tx).await?;
    tx.commit().await?;
    if stage == Stage::Full {
        billing(db, &actor).await?;
    }
    Ok(DemoSummary {
        logins,
        password: DEMO_PASSWORD,
        companies: COMPANIES.len(),
        contacts,
    })
}

/// Camille's mission at Clientis (600 € a day, started on the first day of the
/// month two months ago, ten days after the opportunity; invoicing locked
/// until Clientis signs) and Lucas's mission at Banque Horizon ending in 45
/// days, so the renewal alert shows.
async fn missions(tx: &mut Tx, actor: &Actor) -> Result<()> {
    use time::{Duration, Month};
    let today = crate::today();
    let (y, m) = if today.month() as u8 > 2 {
        (
            today.year(),
            Month::try_from(today.month() as u8 - 2).expect("valid month"),
        )
    } else {
        (
            today.year() - 1,
            Month::try_from(today.month() as u8 + 10).expect("valid month"),
        )
    };
    let camille_start = time::Date::from_calendar_date(y, m, 1).expect("first of month");
    let user = async |tx: &mut Tx, email: &str| -> Result<String> {
        Ok(crate::users::find_by_email(tx, email)
            .await?
            .map(|u| u.id.to_string())
            .unwrap_or_default())
    };
    let company = async |tx: &mut Tx, name: &str| -> Result<(String, Vec<(String, String)>)> {
        let page = crate::companies::list(
            tx,
            crate::Scope::All,
            &crate::companies::CompanyFilter {
                q: Some(name.into()),
                kind: None,
            },
            domain::paging::PageRequest::default(),
        )
        .await?;
        let c = page
            .items
            .into_iter()
            .next()
            .ok_or(crate::Error::NotFound)?;
        let contacts = crate::contacts::list(
            tx,
            crate::Scope::All,
            &crate::contacts::ContactFilter {
                q: None,
                company_id: Some(c.id),
            },
            domain::paging::PageRequest::default(),
        )
        .await?;
        Ok((
            c.id.to_string(),
            contacts
                .items
                .iter()
                .map(|p| (p.data.last_name.clone(), p.id.to_string()))
                .collect(),
        ))
    };
    let bm = user(tx, "bm@stafforia.example").await?;
    let dm = user(tx, "delivery@stafforia.example").await?;
    let (clientis, clientis_contacts) = company(tx, "Clientis").await?;
    let contact = |list: &[(String, String)], last: &str| {
        list.iter()
            .find(|(l, _)| l == last)
            .map(|(_, id)| id.clone())
            .unwrap_or_default()
    };
    let camille = domain::mission::MissionInput {
        title: "Data Engineer — plateforme data".into(),
        client_id: clientis,
        consultant_id: user(tx, "camille.martin@stafforia.example").await?,
        business_manager_id: bm.clone(),
        delivery_manager_id: dm.clone(),
        start_date: camille_start.to_string(),
        end_date: (camille_start + Duration::days(180)).to_string(),
        tjm: "600".into(),
        po_number: "CLT-PO-2026-0412".into(),
        payment_days: "45".into(),
        payment_end_of_month: true,
        vat_rate: "20".into(),
        vat_regime: "on_receipts".into(),
        expense_policy: "at_cost".into(),
        invoicing_locked: true,
        extras_allowed: true,
        invoicing_contact_id: contact(&clientis_contacts, "Haddad"),
        billing_address: "Clientis Group — Comptabilité fournisseurs, 1 esplanade de la Défense, 92400 Courbevoie".into(),
        ..Default::default()
    };
    let data = camille.validate()?;
    let camille_mission = crate::missions::create(
        tx,
        actor,
        &data,
        &[
            domain::ids::ContactId::parse(&contact(&clientis_contacts, "Lefèvre"))
                .ok_or(crate::Error::NotFound)?,
        ],
    )
    .await?;
    let (horizon, horizon_contacts) = company(tx, "Horizon").await?;
    let lucas = domain::mission::MissionInput {
        title: "Développeur Java — paiements".into(),
        client_id: horizon,
        consultant_id: user(tx, "lucas.petit@stafforia.example").await?,
        business_manager_id: bm,
        delivery_manager_id: dm,
        start_date: (today - Duration::days(320)).to_string(),
        end_date: (today + Duration::days(45)).to_string(),
        tjm: "550".into(),
        payment_days: "30".into(),
        vat_rate: "20".into(),
        vat_regime: "on_receipts".into(),
        expense_policy: "not_rebilled".into(),
        invoicing_contact_id: contact(&horizon_contacts, "Petit"),
        ..Default::default()
    };
    let data = lucas.validate()?;
    let lucas_mission = crate::missions::create(
        tx,
        actor,
        &data,
        &[
            domain::ids::ContactId::parse(&contact(&horizon_contacts, "Moreau"))
                .ok_or(crate::Error::NotFound)?,
        ],
    )
    .await?;
    // Clientis's framework contract is sent but not signed: the key-account
    // case where invoicing waits. Horizon's purchase order came back signed.
    let contract = |client: domain::ids::CompanyId,
                    kind: &str,
                    reference: &str,
                    title: &str,
                    from: time::Date| {
        domain::contract::ContractInput {
            client_id: client.to_string(),
            kind: kind.into(),
            reference: reference.into(),
            title: title.into(),
            valid_from: from.to_string(),
            ceiling_amount: "250000".into(),
            payment_days: "45".into(),
            payment_end_of_month: true,
            ..Default::default()
        }
    };
    let clientis_contract = crate::contracts::create(
        tx,
        actor,
        &contract(
            camille_mission.data.client_id,
            "framework",
            "CLT-CADRE-2026",
            "Contrat cadre d'assistance technique",
            camille_start,
        )
        .validate()?,
    )
    .await?;
    crate::contracts::apply(
        tx,
        actor,
        crate::Scope::All,
        clientis_contract.id,
        domain::contract::ContractEvent::Send,
        None,
    )
    .await?;
    crate::contracts::attach(
        tx,
        actor,
        crate::Scope::All,
        camille_mission.id,
        clientis_contract.id,
    )
    .await?;
    // The key-account case: the framework contract went out for e-signature
    // to Sophie Bernard and is not signed yet.
    let now = crate::now();
    let pdf = crate::paperwork::client_contract(tx, &clientis_contract, now).await?;
    let links = crate::documents::Links {
        kind: domain::esign::DocumentKind::ClientContract,
        mission_id: None,
        contract_id: Some(clientis_contract.id),
        amendment_id: None,
        client_id: Some(clientis_contract.data.client_id),
        consultant_id: None,
        cra_id: None,
    };
    let contract_doc = crate::documents::create_generated(tx, actor, links, &pdf)
        .await?
        .id;
    send_for_signature(
        tx,
        actor,
        contract_doc,
        CLIENT_CONTACT_LOGIN,
        "Sophie Bernard",
    )
    .await?;
    // Camille's mission order, signed by her through the real signing path.
    let pdf = crate::paperwork::mission_order(tx, &camille_mission, now).await?;
    let links = crate::documents::Links {
        kind: domain::esign::DocumentKind::MissionOrder,
        mission_id: Some(camille_mission.id),
        contract_id: None,
        amendment_id: None,
        client_id: None,
        consultant_id: Some(camille_mission.data.consultant_id),
        cra_id: None,
    };
    let order = crate::documents::create_generated(tx, actor, links, &pdf)
        .await?
        .id;
    send_for_signature(
        tx,
        actor,
        order,
        "camille.martin@stafforia.example",
        "Camille Martin",
    )
    .await?;
    sign_from_mailbox(tx, "camille.martin@stafforia.example", "Camille Martin").await?;
    let horizon_po = crate::contracts::create(
        tx,
        actor,
        &contract(
            lucas_mission.data.client_id,
            "purchase_order",
            "BH-BC-7781",
            "Bon de commande — développement paiements",
            lucas_mission.data.start_date,
        )
        .validate()?,
    )
    .await?;
    crate::contracts::apply(
        tx,
        actor,
        crate::Scope::All,
        horizon_po.id,
        domain::contract::ContractEvent::Sign,
        Some("Claire Petit (papier)"),
    )
    .await?;
    crate::contracts::attach(
        tx,
        actor,
        crate::Scope::All,
        lucas_mission.id,
        horizon_po.id,
    )
    .await?;
    crate::renewals::scan(tx, today).await?;
    Ok(())
}

/// Camille's activity: a day of paid leave approved in her second month,
/// her first two months validated by all three parties through the real
/// paths (her signature, the client's e-mailed link and code, the manager),
/// the current month signed and waiting for the client. Lucas has not
/// signed last month: he shows on the late page.
async fn activity(tx: &mut Tx) -> Result<()> {
    use domain::calendar::YearMonth;
    use domain::cra::{Activity, Cell, Half};
    let find = async |tx: &mut Tx, email: &str| -> Result<crate::users::User> {
        crate::users::find_by_email(tx, email)
            .await?
            .ok_or(Error::NotFound)
    };
    let camille = find(tx, "camille.martin@stafforia.example").await?;
    let lucas = find(tx, "lucas.petit@stafforia.example").await?;
    let manager = find(tx, "delivery@stafforia.example").await?;
    let as_user = |u: &crate::users::User| Actor {
        user_id: Some(u.id),
        label: u.display_name.clone(),
        ip: Some("192.0.2.30".into()),
    };
    let today = crate::today();
    let current = YearMonth::of(today);
    let months = [current.prev().prev(), current.prev(), current];
    for year in [current.year, current.year - 1] {
        for (code, days) in [("cp", 25), ("rtt", 9)] {
            for who in [&camille, &lucas] {
                crate::leave::set_allowance(
                    tx,
                    &as_user(&manager),
                    who.id,
                    code,
                    year,
                    domain::mission::DayQuantity::from_days(days),
                )
                .await?;
            }
        }
    }
    // A day of paid leave on the first month's second working day (the
    // second month is then billed in full: 20 days × 600 € in November 2026).
    let pattern = crate::cras::work_pattern(tx, camille.id).await?;
    let leave_day = pattern.working_days(months[0])[1];
    let leave = crate::leave::request(
        tx,
        &as_user(&camille),
        camille.id,
        &crate::leave::NewLeave {
            leave_type: "cp".into(),
            period: domain::leave::LeavePeriod {
                start: leave_day,
                start_half: Half::Am,
                end: leave_day,
                end_half: Half::Pm,
            },
            comment: Some("Rendez-vous administratif".into()),
        },
    )
    .await?;
    crate::leave::decide(
        tx,
        &as_user(&manager),
        crate::Scope::All,
        leave.id,
        &crate::leave::Decision::Approve,
    )
    .await?;
    for (i, month) in months.iter().enumerate() {
        let id = filled_and_signed(tx, &camille, *month).await?;
        if i < 2 {
            sign_from_mailbox(tx, "marc.lefevre@clientis.example", "Marc Lefèvre").await?;
            crate::cras::validate(tx, &as_user(&manager), &[id]).await?;
            // As it happened: signed on the month's last working day, the
            // client on the 2nd working day after, the manager on the 3rd
            // (on time: the deadline is the 5th).
            let next = month.next();
            let wd = |n| {
                domain::calendar::nth_working_day(
                    next.year,
                    next.month,
                    n,
                    domain::calendar::Region::Standard,
                )
            };
            let last = *month
                .working_days(domain::calendar::Region::Standard)
                .last()
                .expect("a month has working days");
            let at = |d: time::Date, h: u8| d.with_hms(h, 0, 0).expect("valid hour").assume_utc();
            on_tx!(tx, |c| {
                sqlx::query(
                "UPDATE cras SET signed_at = $2, client_validated_at = $3, validated_at = $4 WHERE id = $1"
            )
            .bind(id.to_string())
            .bind(at(last, 17))
            .bind(at(wd(2), 10))
            .bind(at(wd(3), 11))
            .execute(c)
            .await
            .map(|r| r.rows_affected())
            })?;
        }
    }
    // Lucas typed half of last month and stopped there.
    let id = crate::cras::open(tx, &as_user(&lucas), lucas.id, months[1]).await?;
    let sheet = crate::cras::get(tx, crate::Scope::Own(lucas.id), id).await?;
    let days = sheet.pattern.working_days(months[1]);
    let cells: Vec<Cell> = sheet
        .missions
        .iter()
        .take(1)
        .flat_map(|m| {
            days.iter()
                .take(days.len() / 2)
                .filter(|d| m.window().contains(**d))
                .map(move |d| Cell {
                    activity: Activity::Mission(m.id),
                    day: *d,
                    half_days: 2,
                })
        })
        .collect();
    let entry = crate::cras::Entry {
        cells,
        comment: None,
        extras: Vec::new(),
    };
    crate::cras::save(
        tx,
        &as_user(&lucas),
        crate::Scope::Own(lucas.id),
        id,
        &entry,
    )
    .await?;
    Ok(())
}

/// Banque Horizon's invoice for a month of Lucas's, issued 70 days ago at
/// 30 days net and still unpaid: 40 days late today, what the dunning
/// shows. Issued before the key-account chain, since the sales journal's
/// dates must follow each other.
async fn late_invoice(db: &Db, actor: &Actor) -> Result<()> {
    use domain::calendar::YearMonth;
    let issue_date = crate::today() - time::Duration::days(70);
    let period = YearMonth::of(issue_date).prev();
    let mut tx = db.begin().await?;
    let find = async |tx: &mut Tx, email: &str| -> Result<crate::users::User> {
        crate::users::find_by_email(tx, email)
            .await?
            .ok_or(Error::NotFound)
    };
    let lucas = find(&mut tx, "lucas.petit@stafforia.example").await?;
    let manager = find(&mut tx, "delivery@stafforia.example").await?;
    let id = filled_and_signed(&mut tx, &lucas, period).await?;
    sign_from_mailbox(&mut tx, "julien.moreau@banque.example", "Julien Moreau").await?;
    let as_manager = Actor {
        user_id: Some(manager.id),
        label: manager.display_name.clone(),
        ip: Some("192.0.2.30".into()),
    };
    crate::cras::validate(&mut tx, &as_manager, &[id]).await?;
    tx.commit().await?;
    let c = crate::invoicing::close::Close { period, issue_date };
    crate::invoicing::close::run(db, actor, c, &mut |_, _| {}).await?;
    Ok(())
}

/// The statement shipped with the demo (dates, invoice number and amounts
/// filled in at seeding).
const STATEMENT: &str = include_str!("../demo/statement-clientis.camt053.xml");

/// Collections: the firm's bank account, and its statement showing
/// Clientis paying the invoice of its second month (14 400,00 € when that
/// month has 20 working days) in two transfers, imported from the file
/// shipped with the demo and matched as the matching screen proposes; the
/// bank fee and an unexplained transfer stay in the queue.
async fn collections(db: &Db, actor: &Actor) -> Result<()> {
    let today = crate::today();
    let firm = stafforia();
    let mut tx = db.begin().await?;
    let bank = crate::bank_accounts::create(
        &mut tx,
        actor,
        &crate::bank_accounts::BankAccountInput {
            label: "BNP Paribas — compte courant".into(),
            iban: firm.iban.clone().unwrap_or_default(),
            bic: firm.bic.clone().unwrap_or_default(),
            ledger_account: "512".into(),
            other_id: String::new(),
        },
    )
    .await?;
    let (invoice, number, gross): (String, String, i64) = on_tx!(&mut tx, |c| {
        sqlx::query_as(
        "SELECT i.id, i.number, i.gross_cents FROM invoices i JOIN companies c ON c.id = i.client_id
         WHERE c.name = 'Clientis Group' AND i.kind = 'invoice' AND i.status = 'issued'
         ORDER BY i.period DESC LIMIT 1"
    )
    .fetch_one(c)
    .await
    })?;
    // 8 000 + 6 400 for 14 400: five ninths, in whole hundreds of euros.
    let first = gross * 5 / 9 / 10_000 * 10_000;
    let amount = |cents: i64| {
        domain::money::Money::from_cents(cents)
            .to_decimal()
            .to_string()
    };
    let closing = 2_500_000 + gross - 1_440 + 200_000;
    let file = STATEMENT
        .replace("{{DATE1}}", &today.to_string())
        .replace("{{DATE2}}", &today.to_string())
        .replace(
            "{{STATEMENT_ID}}",
            &format!("{}-001", today.to_string().replace('-', "")),
        )
        .replace("{{SEQ}}", "1")
        .replace("{{INVOICE}}", &number)
        .replace("{{AMOUNT1}}", &amount(first))
        .replace("{{AMOUNT2}}", &amount(gross - first))
        .replace("{{CLOSING}}", &amount(closing));
    crate::statements::import(
        &mut tx,
        actor,
        &bank.id,
        "releve-bnp-clientis.xml",
        file.as_bytes(),
        &crate::statements::Format::Camt053,
    )
    .await?;
    // Accept, one after the other, what the queue proposes for this invoice
    // alone (the second transfer matches once the first is recorded).
    for _ in 0..2 {
        let queue = crate::statements::queue(&mut tx, 100, 3).await?;
        let (line, allocations) = queue
            .iter()
            .find_map(|q| {
                q.proposals
                    .iter()
                    .find(|p| p.allocations.len() == 1 && p.allocations[0].0.invoice_id == invoice)
                    .map(|p| (q.line.id.clone(), p.allocations.clone()))
            })
            .ok_or_else(|| Error::Corrupt("demo: no proposal for Clientis's transfer".into()))?;
        let allocations: Vec<crate::statements::Allocation> = allocations
            .into_iter()
            .map(|(item, a)| crate::statements::Allocation {
                invoice_id: item.invoice_id,
                amount: a,
            })
            .collect();
        crate::statements::accept(&mut tx, actor, &line, &allocations, false).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Opens someone's report for `month`, fills every working day of his
/// missions (days outside them are bench), saves and signs it as him.
async fn filled_and_signed(
    tx: &mut Tx,
    who: &crate::users::User,
    month: domain::calendar::YearMonth,
) -> Result<domain::ids::CraId> {
    use domain::cra::{Activity, Cell};
    let me = Actor {
        user_id: Some(who.id),
        label: who.display_name.clone(),
        ip: Some("192.0.2.30".into()),
    };
    let origin = crate::esign::Origin {
        actor: format!("{} <{}>", who.display_name, who.email),
        ip: "192.0.2.30".into(),
        user_agent: "Régisseur démo".into(),
    };
    let id = crate::cras::open(tx, &me, who.id, month).await?;
    let sheet = crate::cras::get(tx, crate::Scope::Own(who.id), id).await?;
    let mut cells = Vec::new();
    for m in &sheet.missions {
        cells = domain::cra::fill_month(
            month,
            sheet.pattern,
            &m.window(),
            &cells,
            &sheet.leave_slots(),
        );
    }
    // Days before the mission started are bench.
    let covered: std::collections::BTreeSet<time::Date> = cells.iter().map(|c| c.day).collect();
    for d in sheet.pattern.working_days(month) {
        if !covered.contains(&d) && !sheet.leave_slots().iter().any(|s| s.day == d) {
            cells.push(Cell {
                activity: Activity::Bench,
                day: d,
                half_days: 2,
            });
        }
    }
    let entry = crate::cras::Entry {
        cells,
        comment: None,
        extras: Vec::new(),
    };
    crate::cras::save(tx, &me, crate::Scope::Own(who.id), id, &entry).await?;
    crate::cras::sign(tx, &me, crate::Scope::Own(who.id), id, &origin, DEMO_URL).await?;
    Ok(id)
}

/// The key-account chain: Camille's first two months were validated while
/// Clientis had not signed its framework contract, so each month-end close
/// booked them as accrued revenue (FAE). Then Sophie Bernard signs (through
/// her e-mailed link and code) and the two waiting invoices go out, each
/// accrual reversed and linked to its invoice. A purchase order for next
/// year then waits for her signature.
async fn billing(db: &Db, actor: &Actor) -> Result<()> {
    use domain::calendar::YearMonth;
    let today = crate::today();
    let current = YearMonth::of(today);
    let (first, second) = (current.prev().prev(), current.prev());
    late_invoice(db, actor).await?;
    for (period, issue_date) in [(first, second.first_day()), (second, current.first_day())] {
        let c = crate::invoicing::close::Close { period, issue_date };
        crate::invoicing::close::run(db, actor, c, &mut |_, _| {}).await?;
    }
    let mut tx = db.begin().await?;
    sign_from_mailbox(&mut tx, CLIENT_CONTACT_LOGIN, "Sophie Bernard").await?;
    let clientis: CompanyId = on_tx!(&mut tx, |c| sqlx::query_scalar(
        "SELECT client_id FROM client_contracts WHERE reference = 'CLT-CADRE-2026'"
    )
    .fetch_one(c)
    .await)
    .map(|id: String| CompanyId::parse(&id))?
    .ok_or(Error::NotFound)?;
    let contract = crate::contracts::for_client(&mut tx, crate::Scope::All, clientis)
        .await?
        .into_iter()
        .find(|k| k.data.reference == "CLT-CADRE-2026")
        .ok_or(Error::NotFound)?;
    tx.commit().await?;
    // What the job the signature queued does, done now so the demo shows it.
    crate::invoicing::lock::release_contract(db, actor, contract.id, today).await?;

    let mut tx = db.begin().await?;
    let po = crate::contracts::create(
        &mut tx,
        actor,
        &domain::contract::ContractInput {
            client_id: clientis.to_string(),
            kind: "purchase_order".into(),
            reference: "CLT-BC-2027-001".into(),
            title: "Bon de commande — plateforme data 2027".into(),
            valid_from: today.to_string(),
            ceiling_amount: "150000".into(),
            payment_days: "45".into(),
            payment_end_of_month: true,
            ..Default::default()
        }
        .validate()?,
    )
    .await?;
    crate::contracts::apply(
        &mut tx,
        actor,
        crate::Scope::All,
        po.id,
        domain::contract::ContractEvent::Send,
        None,
    )
    .await?;
    let pdf = crate::paperwork::client_contract(&mut tx, &po, crate::now()).await?;
    let links = crate::documents::Links {
        kind: domain::esign::DocumentKind::ClientContract,
        mission_id: None,
        contract_id: Some(po.id),
        amendment_id: None,
        client_id: Some(clientis),
        consultant_id: None,
        cra_id: None,
    };
    let doc = crate::documents::create_generated(&mut tx, actor, links, &pdf)
        .await?
        .id;
    send_for_signature(&mut tx, actor, doc, CLIENT_CONTACT_LOGIN, "Sophie Bernard").await?;
    tx.commit().await?;
    collections(db, actor).await?;
    reminders(db).await?;
    Ok(())
}

/// Banque Horizon's unpaid invoice has had its reminder (D+1) and its firm
/// reminder (D+15), each sent by the dunning run of that day; the formal
/// notice (D+30) goes out at the worker's next daily run.
async fn reminders(db: &Db) -> Result<()> {
    let mut tx = db.read().await?;
    let due: time::Date = on_tx!(&mut tx, |c| sqlx::query_scalar(
        "SELECT i.due_date FROM invoices i JOIN companies c ON c.id = i.client_id
         WHERE c.name = 'Banque Horizon' AND i.kind = 'invoice' AND i.status = 'issued'
         ORDER BY i.due_date LIMIT 1"
    )
    .fetch_one(c)
    .await)?;
    tx.commit().await?;
    for days in [1, 15] {
        crate::dunning::run(db, due + time::Duration::days(days)).await?;
    }
    Ok(())
}

const DEMO_URL: &str = "http://127.0.0.1:8080";

async fn send_for_signature(
    tx: &mut Tx,
    actor: &Actor,
    doc: domain::ids::DocumentId,
    email: &str,
    name: &str,
) -> Result<()> {
    let signer = domain::esign::SignerData {
        name: name.into(),
        email: domain::identifiers::Email::parse(email).expect("demo e-mail"),
    };
    let origin = crate::esign::Origin {
        actor: "Paul Durand <paul.durand@stafforia.example>".into(),
        ip: "192.0.2.10".into(),
        user_agent: "Régisseur démo".into(),
    };
    crate::esign::send(tx, actor, &origin, DEMO_URL, doc, &[signer]).await?;
    Ok(())
}

/// Signs as the person would: with the link and the code from the two
/// e-mails waiting in the outbox.
async fn sign_from_mailbox(tx: &mut Tx, email: &str, name: &str) -> Result<()> {
    let (token, code) = crate::esign::mailed_credentials(tx, email)
        .await?
        .ok_or_else(|| Error::Corrupt("demo: no signing e-mails".into()))?;
    let origin = crate::esign::Origin {
        actor: format!("{name} <{email}>"),
        ip: "192.0.2.44".into(),
        user_agent: "Mozilla/5.0 (iPhone) démo".into(),
    };
    let decision = crate::esign::Decision::Sign {
        typed_name: name.into(),
        consent: true,
    };
    match crate::esign::decide(tx, &token, &origin, DEMO_URL, &code, &decision).await? {
        crate::esign::Outcome::Done { .. } => Ok(()),
        other => Err(Error::Corrupt(format!("demo signature: {other:?}"))),
    }
}
