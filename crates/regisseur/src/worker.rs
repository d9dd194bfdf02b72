//! The background worker: every instance runs one. It enqueues due schedule
//! slots and runs jobs claimed with a lease from the database, so two
//! instances never run the same job and a crashed instance's job is taken
//! over once its lease expires.

use std::sync::Arc;
use std::time::Duration as StdDuration;

use store::Db;
use store::jobs::Job;
use time::Duration;
use tokio::sync::watch;

pub const LEASE: Duration = Duration::minutes(5);
const IDLE_PAUSE: StdDuration = StdDuration::from_secs(5);

pub struct Worker {
    pub db: Db,
    pub mailer: mailer::Mailer,
    /// Names this instance in `jobs.locked_by`.
    pub id: String,
    /// The address signing links in reminders point to.
    pub public_url: String,
    /// The e-invoicing platform documents are deposited on.
    pub einvoice: Arc<dyn store::einvoicing::Platform>,
}

/// Where documents are dropped when nothing is configured: a folder of the
/// system's temporary directory (`serve` passes the configured one).
pub fn default_drop_dir() -> std::path::PathBuf {
    std::env::temp_dir().join("regisseur-einvoice")
}

/// The recurring work every installation runs.
pub async fn ensure_schedules(db: &Db) -> anyhow::Result<()> {
    let mut tx = db.begin().await?;
    let start = store::now();
    store::jobs::ensure_schedule(
        &mut tx,
        "renewal-scan",
        store::renewals::SCAN_JOB,
        Duration::hours(1),
        start,
    )
    .await?;
    store::jobs::ensure_schedule(
        &mut tx,
        "mission-status",
        STATUS_JOB,
        Duration::hours(1),
        start,
    )
    .await?;
    store::jobs::ensure_schedule(&mut tx, "purge", PURGE_JOB, Duration::hours(6), start).await?;
    store::jobs::ensure_schedule(
        &mut tx,
        "einvoice-poll",
        store::einvoicing::POLL_JOB,
        Duration::minutes(5),
        start,
    )
    .await?;
    store::jobs::ensure_schedule(
        &mut tx,
        "esign-reminders",
        store::esign::REMINDER_JOB,
        Duration::hours(1),
        start,
    )
    .await?;
    // Daily at 06:00 UTC (07:00 or 08:00 in Paris). The first slot is the
    // last 06:00 gone by, so a new installation runs it at once. A second
    // run on one day sends nothing more: each reminder is recorded per day.
    let six = start.replace_time(time::macros::time!(06:00));
    store::jobs::ensure_schedule(
        &mut tx,
        "cra-reminders",
        store::cra_reports::REMINDER_JOB,
        Duration::days(1),
        if six <= start {
            six
        } else {
            six - Duration::days(1)
        },
    )
    .await?;
    // The morning e-mail of each user's day, daily at 05:30 UTC (06:30 or
    // 07:30 in Paris), before the day starts; a second run on one day
    // sends nothing more: each e-mail is recorded per user and day.
    let dawn = start.replace_time(time::macros::time!(05:30));
    store::jobs::ensure_schedule(
        &mut tx,
        "activity-digest",
        store::activities::DIGEST_JOB,
        Duration::days(1),
        if dawn <= start {
            dawn
        } else {
            dawn - Duration::days(1)
        },
    )
    .await?;
    // Dunning, daily at 07:00 UTC (after the night's statement imports);
    // a second run on one day sends nothing more: each notice is recorded
    // once per invoice and level.
    let seven = start.replace_time(time::macros::time!(07:00));
    store::jobs::ensure_schedule(
        &mut tx,
        "dunning",
        DUNNING_JOB,
        Duration::days(1),
        if seven <= start {
            seven
        } else {
            seven - Duration::days(1)
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// What one pass over the queue did.
#[derive(Debug, Default)]
pub struct Pass {
    pub ran: usize,
    pub failed: Vec<Failure>,
}

#[derive(Debug)]
pub struct Failure {
    pub kind: String,
    pub error: String,
    /// The job will not be tried again (it ran out of attempts).
    pub last_attempt: bool,
}

/// `regisseur worker`: the background worker alone (web instances then run
/// with `REGISSEUR_NO_WORKER`), or one pass over the queue with
/// `--run-once`, for cron and for tests that wait for a job's effect.
#[derive(clap::Args, Debug)]
pub struct WorkerArgs {
    /// Run every job due now, and those they queue, until nothing is due;
    /// then exit: 0, or 1 when a job failed for good (out of attempts).
    #[arg(long)]
    pub run_once: bool,
    /// The address signing links in reminders point to.
    #[arg(long, env = "REGISSEUR_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// E-invoicing: the folder exchanged with the platform (as for `serve`).
    #[arg(long, env = "REGISSEUR_EINVOICE_DROP_DIR", default_value = "einvoice")]
    pub einvoice_drop_dir: std::path::PathBuf,
    /// E-mail: a PEM file of CA certificates trusted for the SMTP server.
    #[arg(long, env = mailer::ENV_SMTP_CA_FILE)]
    pub smtp_ca_file: Option<std::path::PathBuf>,
}

/// The worker as configured by the environment: the mailer, the
/// e-invoicing folder and the public address (`serve` and `worker`).
pub fn configured(
    db: Db,
    public_url: &str,
    einvoice_drop_dir: &std::path::Path,
    smtp_ca_file: Option<&std::path::Path>,
) -> anyhow::Result<Worker> {
    use anyhow::Context;
    let mut mail = mailer::MailConfig::from_env().context("e-mail configuration")?;
    if let Some(ca_file) = smtp_ca_file {
        // The flag wins over REGISSEUR_SMTP_CA_FILE; read and checked below.
        mail.ca_file = Some(ca_file.to_path_buf());
    }
    let mailer = mailer::Mailer::new(&mail).context("e-mail configuration")?;
    std::fs::create_dir_all(einvoice_drop_dir).with_context(|| {
        format!(
            "REGISSEUR_EINVOICE_DROP_DIR: cannot create {}",
            einvoice_drop_dir.display()
        )
    })?;
    let platform = Arc::new(store::einvoicing::FileDrop::new(
        einvoice_drop_dir.to_path_buf(),
    ));
    Ok(Worker::new(db, mailer)
        .with_public_url(public_url)
        .with_einvoice(platform))
}

pub async fn run_command(
    common: &crate::config::Common,
    args: WorkerArgs,
) -> anyhow::Result<std::process::ExitCode> {
    let db = crate::config::connect(common).await?;
    // As `serve` does: REGISSEUR_PUBLIC_URL, else the address the web
    // instances listen on (REGISSEUR_BIND, shared with them).
    let public_url = args.public_url.clone().unwrap_or_else(|| {
        let bind = std::env::var("REGISSEUR_BIND").unwrap_or_else(|_| "127.0.0.1:8080".into());
        format!("http://{bind}")
    });
    let worker = configured(
        db.clone(),
        &public_url,
        &args.einvoice_drop_dir,
        args.smtp_ca_file.as_deref(),
    )?;
    if !args.run_once {
        let (stop, stopped) = watch::channel(false);
        let running = tokio::spawn(worker.run(stopped));
        crate::serve::shutdown_signal().await;
        let _ = stop.send(true);
        let _ = running.await;
        db.close().await;
        return Ok(std::process::ExitCode::SUCCESS);
    }
    ensure_schedules(&db).await?;
    let pass = worker.pass().await?;
    db.close().await;
    for f in &pass.failed {
        eprintln!(
            "job {} failed{}: {}",
            f.kind,
            if f.last_attempt {
                " for good"
            } else {
                ", will be retried"
            },
            f.error
        );
    }
    println!("{} job(s) run, {} failed", pass.ran, pass.failed.len());
    Ok(if pass.failed.iter().any(|f| f.last_attempt) {
        std::process::ExitCode::FAILURE
    } else {
        std::process::ExitCode::SUCCESS
    })
}

/// Sends the dunning notices due (`store::dunning::run`).
pub const DUNNING_JOB: &str = store::dunning::RUN_JOB;
pub const STATUS_JOB: &str = "mission_status";
pub const PURGE_JOB: &str = "purge";

impl Worker {
    pub fn new(db: Db, mailer: mailer::Mailer) -> Worker {
        let id = format!(
            "{}-{}",
            std::process::id(),
            &uuid::Uuid::new_v4().simple().to_string()[..8]
        );
        Worker {
            db,
            mailer,
            id,
            public_url: "http://127.0.0.1:8080".into(),
            einvoice: Arc::new(store::einvoicing::FileDrop::new(default_drop_dir())),
        }
    }

    pub fn with_einvoice(mut self, platform: Arc<dyn store::einvoicing::Platform>) -> Worker {
        self.einvoice = platform;
        self
    }

    pub fn with_public_url(mut self, url: &str) -> Worker {
        self.public_url = url.to_owned();
        self
    }

    /// Runs until `stop` turns true.
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        if let Err(e) = ensure_schedules(&self.db).await {
            tracing::error!(error = ?e, "cannot declare schedules");
        }
        if !self.mailer.is_configured() {
            // Said once, with a count: never the messages themselves, which
            // carry signing links and one-time codes.
            let waiting = async {
                let mut tx = self.db.read().await?;
                let n = store::outbox::unsent(&mut tx).await?;
                tx.commit().await?;
                Ok::<_, store::Error>(n)
            };
            match waiting.await {
                Ok(n) => tracing::warn!(
                    waiting = n,
                    "no SMTP server configured ({}): e-mails stay queued and go out once one is",
                    mailer::ENV_SMTP_URL
                ),
                Err(e) => tracing::error!(error = ?e, "cannot count queued e-mails"),
            }
        }
        loop {
            match self.run_due().await {
                Ok(n) if n > 0 => tracing::debug!(jobs = n, "worker pass"),
                Ok(_) => {}
                Err(e) => tracing::error!(error = ?e, "worker pass failed"),
            }
            tokio::select! {
                _ = tokio::time::sleep(IDLE_PAUSE) => {}
                _ = stop.changed() => {
                    if *stop.borrow() { break; }
                }
            }
        }
        tracing::info!(worker = %self.id, "worker stopped");
    }

    /// Enqueues due schedule slots, then runs every due job; returns how many ran.
    pub async fn run_due(&self) -> anyhow::Result<usize> {
        Ok(self.pass().await?.ran)
    }

    /// What `run_due` does, telling which jobs failed.
    pub async fn pass(&self) -> anyhow::Result<Pass> {
        store::jobs::tick_schedules(&self.db).await?;
        let mut pass = Pass::default();
        // Without a mail server, e-mails are left queued rather than tried,
        // logged and failed every few seconds until they run out of attempts.
        let skip = (!self.mailer.is_configured()).then_some(store::outbox::SEND_JOB);
        while let Some(job) = store::jobs::claim(&self.db, &self.id, LEASE, skip).await? {
            pass.ran += 1;
            if let Err(e) = self.handle(&job).await {
                tracing::warn!(job = %job.id, kind = %job.kind, error = %e, "job failed");
                let error = format!("{e:#}");
                store::jobs::fail(&self.db, &job, &self.id, &error).await?;
                pass.failed.push(Failure {
                    kind: job.kind.clone(),
                    error,
                    // The same rule `jobs::fail` applies: no attempt left.
                    last_attempt: job.attempts >= job.max_attempts,
                });
            }
        }
        Ok(pass)
    }

    /// Runs one job. Work that only touches the database commits in the same
    /// transaction as the job's completion, so it happens exactly once.
    async fn handle(&self, job: &Job) -> anyhow::Result<()> {
        let today = store::today();
        match job.kind.as_str() {
            store::renewals::SCAN_JOB => {
                let mut tx = self.db.begin().await?;
                let report = store::renewals::scan(&mut tx, today).await?;
                self.finish(tx, job).await?;
                tracing::info!(
                    seen = report.missions_seen,
                    alerts = report.alerts_created,
                    "renewal scan"
                );
            }
            STATUS_JOB => {
                let mut tx = self.db.begin().await?;
                store::missions::refresh_statuses(&mut tx, today).await?;
                self.finish(tx, job).await?;
            }
            PURGE_JOB => {
                let mut tx = self.db.begin().await?;
                store::sessions::purge_expired(&mut tx).await?;
                store::throttle::purge_old(&mut tx).await?;
                self.finish(tx, job).await?;
            }
            store::esign::REMINDER_JOB => {
                let mut tx = self.db.begin().await?;
                let (expired, reminded) =
                    store::esign::run_reminders(&mut tx, &self.public_url, store::now()).await?;
                self.finish(tx, job).await?;
                tracing::info!(expired, reminded, "signature reminders");
            }
            store::cra_reports::REMINDER_JOB => {
                let mut tx = self.db.begin().await?;
                let sent =
                    store::cra_reports::run_reminders(&mut tx, &self.public_url, today).await?;
                self.finish(tx, job).await?;
                tracing::info!(
                    consultants = sent.consultants,
                    escalated = sent.escalated,
                    managers = sent.managers,
                    "activity report reminders"
                );
            }
            store::activities::DIGEST_JOB => {
                let mut tx = self.db.begin().await?;
                let sent =
                    store::activities::run_morning_digest(&mut tx, &self.public_url, today).await?;
                self.finish(tx, job).await?;
                tracing::info!(sent, "morning e-mails of the day's activities");
            }
            store::invoicing::lock::RELEASE_JOB => {
                let payload: serde_json::Value = serde_json::from_str(&job.payload)?;
                let contract = payload["contract_id"]
                    .as_str()
                    .and_then(domain::ids::ContractId::parse)
                    .ok_or_else(|| anyhow::anyhow!("no contract_id"))?;
                // Each invoice commits on its own (and a second run finds
                // nothing waiting), so the job completes afterwards.
                let released = store::invoicing::lock::release_contract(
                    &self.db,
                    &store::Actor::system("signature du contrat"),
                    contract,
                    today,
                )
                .await?;
                self.finish(self.db.begin().await?, job).await?;
                tracing::info!(
                    invoices = released.len(),
                    issued = released.iter().filter(|r| r.issued.is_some()).count(),
                    "contract signed: waiting invoices released"
                );
            }
            store::invoicing::close::CLOSE_JOB => {
                // Each batch commits on its own and a second run finds the
                // batches done, so the job completes afterwards. A close
                // refused when it starts (its period closed in the ledger
                // meanwhile) is recorded on the run, not retried.
                match store::invoicing::close::run_job(&self.db, job, &mut |_, _| {}).await {
                    Ok(s) => tracing::info!(
                        period = %s.period,
                        issued = s.issued,
                        accrued = s.accrued,
                        errors = s.errors.len(),
                        "month-end close"
                    ),
                    Err(store::Error::Invalid(v)) => {
                        tracing::warn!(refusal = ?v, "month-end close refused")
                    }
                    Err(e) => return Err(e.into()),
                }
                self.finish(self.db.begin().await?, job).await?;
            }
            store::exports::FEC_JOB => {
                let payload: serde_json::Value = serde_json::from_str(&job.payload)?;
                let id = payload["export_id"]
                    .as_str()
                    .and_then(domain::ids::ExportId::parse)
                    .ok_or_else(|| anyhow::anyhow!("no export_id"))?;
                // The export commits its chunks as it goes (and starts over
                // when run again), so the job completes afterwards.
                store::exports::run_fec(&self.db, id).await?;
                self.finish(self.db.begin().await?, job).await?;
            }
            store::einvoicing::DEPOSIT_JOB => {
                let payload: serde_json::Value = serde_json::from_str(&job.payload)?;
                let invoice = payload["invoice_id"]
                    .as_str()
                    .and_then(domain::ids::InvoiceId::parse)
                    .ok_or_else(|| anyhow::anyhow!("no invoice_id"))?;
                // The deposit commits on its own (and a second run finds it
                // deposited); a failure is recorded on the deposit and the
                // job retries with back-off.
                let outcome = store::einvoicing::deposit::run(
                    &self.db,
                    self.einvoice.as_ref(),
                    invoice,
                    &app::Render,
                )
                .await?;
                self.finish(self.db.begin().await?, job).await?;
                tracing::info!(%invoice, ?outcome, "e-invoice deposit");
            }
            store::einvoicing::POLL_JOB => {
                let polled =
                    store::einvoicing::deposit::poll(&self.db, self.einvoice.as_ref()).await?;
                self.finish(self.db.begin().await?, job).await?;
                if polled.applied + polled.rejected > 0 {
                    tracing::info!(
                        applied = polled.applied,
                        rejected = polled.rejected,
                        "e-invoice statuses imported"
                    );
                }
            }
            DUNNING_JOB => {
                // Each notice commits on its own (unique per invoice and
                // level, so a second instance sends nothing), then the job
                // completes.
                let done = store::dunning::run(&self.db, today, &app::Render).await?;
                self.finish(self.db.begin().await?, job).await?;
                tracing::info!(
                    late = done.late,
                    paused = done.paused,
                    sent = done.sent,
                    no_address = done.no_address,
                    "dunning"
                );
            }
            store::invoice_emails::SEND_JOB => {
                let payload: serde_json::Value = serde_json::from_str(&job.payload)?;
                let invoice = payload["invoice_id"]
                    .as_str()
                    .and_then(domain::ids::InvoiceId::parse)
                    .ok_or_else(|| anyhow::anyhow!("no invoice_id"))?;
                // The sending row, the e-mail and the job's completion
                // commit together: sent once, whichever instance runs it.
                let mut tx = self.db.begin().await?;
                let outcome = store::invoice_emails::send(
                    &mut tx,
                    &store::invoice_emails::automatic_sender(),
                    invoice,
                    domain::invoice::delivery::Reason::Issue,
                    &app::Render,
                )
                .await?;
                self.finish(tx, job).await?;
                tracing::info!(%invoice, ?outcome, "invoice e-mailed to the client");
            }
            store::outbox::SEND_JOB => self.send_email(job).await?,
            other => anyhow::bail!("unknown job kind {other:?}"),
        }
        Ok(())
    }

    async fn finish(&self, mut tx: store::Tx, job: &Job) -> anyhow::Result<()> {
        if store::jobs::complete(&mut tx, job.id, &self.id).await? {
            tx.commit().await?;
            Ok(())
        } else {
            // Another instance took the job over after our lease expired:
            // its run counts, ours is rolled back.
            tx.rollback().await?;
            anyhow::bail!("lease lost")
        }
    }

    async fn send_email(&self, job: &Job) -> anyhow::Result<()> {
        let payload: serde_json::Value = serde_json::from_str(&job.payload)?;
        let id = payload["email_id"]
            .as_str()
            .and_then(domain::ids::EmailId::parse)
            .ok_or_else(|| anyhow::anyhow!("no email_id"))?;
        let mut tx = self.db.read().await?;
        let email = store::outbox::get(&mut tx, id).await?;
        let files = match &email {
            Some(e) if e.sent_at.is_none() => store::outbox::attachments(&mut tx, id).await?,
            _ => Vec::new(),
        };
        tx.commit().await?;
        let Some(email) = email else {
            anyhow::bail!("e-mail {id} not found")
        };
        if email.sent_at.is_none() {
            let message = mailer::Email {
                to: email.to_address.clone(),
                cc: email.cc_address.clone(),
                subject: email.subject.clone(),
                text: email.body_text.clone(),
                attachments: files
                    .into_iter()
                    .map(|f| mailer::Attachment {
                        file_name: f.file_name,
                        content_type: f.content_type,
                        bytes: f.bytes,
                    })
                    .collect(),
            };
            if let Err(e) = self.mailer.send(&message).await {
                let mut tx = self.db.begin().await?;
                store::outbox::mark_failed(&mut tx, id, &e.to_string()).await?;
                tx.commit().await?;
                return Err(e.into());
            }
        }
        let mut tx = self.db.begin().await?;
        store::outbox::mark_sent(&mut tx, id).await?;
        self.finish(tx, job).await
    }
}

#[cfg(test)]
mod tests {
    /// Every kind of job [`Worker::handle`] runs: the jobs page names each in
    /// words (`job-kind-…` in the catalogue), which a test checks.
    const KINDS: &[&str] = &[
        store::renewals::SCAN_JOB,
        super::STATUS_JOB,
        super::PURGE_JOB,
        store::esign::REMINDER_JOB,
        store::cra_reports::REMINDER_JOB,
        store::activities::DIGEST_JOB,
        store::invoicing::lock::RELEASE_JOB,
        store::invoicing::close::CLOSE_JOB,
        store::exports::FEC_JOB,
        store::einvoicing::DEPOSIT_JOB,
        store::einvoicing::POLL_JOB,
        super::DUNNING_JOB,
        store::invoice_emails::SEND_JOB,
        store::outbox::SEND_JOB,
    ];

    #[test]
    fn every_job_kind_is_named_in_words() {
        for kind in KINDS {
            let key = format!("job-kind-{}", kind.replace('_', "-"));
            for locale in [domain::Locale::Fr, domain::Locale::En] {
                assert!(web::i18n::has(locale, &key), "{key} ({locale:?})");
            }
        }
    }

    use std::time::Duration as StdDuration;

    use domain::mission::MissionInput;
    use domain::paging::PageRequest;
    use mailer::sink::SmtpSink;
    use mailer::{MailConfig, Mailer};
    use store::Scope;

    use super::*;

    /// A mission ending in 20 days: both the D-60 and D-30 alerts are due.
    async fn mission_ending_soon(db: &Db) -> domain::ids::MissionId {
        let mut tx = db.begin().await.unwrap();
        let find = |role: &str| store::users::UserFilter {
            role: domain::role::Role::parse(role),
            ..Default::default()
        };
        let consultant = store::users::list(&mut tx, &find("consultant"), PageRequest::default())
            .await
            .unwrap()
            .items[0]
            .id;
        let bm = store::users::list(&mut tx, &find("business_manager"), PageRequest::default())
            .await
            .unwrap()
            .items[0]
            .id;
        let client = store::companies::options(
            &mut tx,
            Scope::All,
            Some(domain::company::CompanyKind::Client),
        )
        .await
        .unwrap()[0]
            .0;
        let today = store::today();
        let input = MissionInput {
            title: "Mission courte".into(),
            client_id: client.to_string(),
            consultant_id: consultant.to_string(),
            business_manager_id: bm.to_string(),
            start_date: (today - Duration::days(100)).to_string(),
            end_date: (today + Duration::days(20)).to_string(),
            tjm: "500".into(),
            ..Default::default()
        };
        let m = store::missions::create(
            &mut tx,
            &store::Actor::system("test"),
            &input.validate().unwrap(),
            &[],
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        m.id
    }

    /// The demo's e-mails: the renewal alert; link and code for Sophie
    /// (Clientis contract); link, code and confirmation for Camille (mission
    /// order); link and code to Marc for each of Camille's three reports,
    /// confirmation to Marc and notice to Camille for the two he validated;
    /// the leave request to both managers and its approval to Camille;
    /// Sophie's notice of the contract she signed, and the link and code of
    /// next year's purchase order; link and code to Julien Moreau for
    /// Lucas's late month, his confirmation and Lucas's notice; Clientis's
    /// two invoices, e-mailed at their release. (Banque Horizon's two
    /// reminders are counted apart.)
    const DEMO_EMAILS: usize = 1 + 2 + 3 + 3 * 2 + 2 * 2 + 2 + 1 + 1 + 2 + 4 + 2;
    /// The release of waiting invoices each signed contract of the demo
    /// queued (Horizon's purchase order, Clientis's framework contract; the
    /// demo released Clientis's invoices already: the jobs find nothing),
    /// and the sending of Clientis's two released invoices (the demo sent
    /// them already: the jobs send nothing twice).
    const DEMO_JOBS: usize = 2 + 2;

    fn temp_drop() -> Arc<store::einvoicing::FileDrop> {
        Arc::new(store::einvoicing::FileDrop::new(std::env::temp_dir().join(
            format!("regisseur-worker-einv-{}", uuid::Uuid::new_v4().simple()),
        )))
    }

    fn drop_root(d: &store::einvoicing::FileDrop) -> std::path::PathBuf {
        d.root().to_path_buf()
    }

    async fn deposits_queued(db: &Db) -> usize {
        let mut tx = db.read().await.unwrap();
        let n = store::jobs::list(
            &mut tx,
            Some(domain::jobs::JobState::Queued),
            PageRequest::new(Some(1), Some(100)),
        )
        .await
        .unwrap()
        .items
        .iter()
        .filter(|j| j.kind == store::einvoicing::DEPOSIT_JOB)
        .count();
        tx.commit().await.unwrap();
        n
    }

    /// The activity-report reminders queued so far (their subjects start so).
    async fn cra_reminder_emails(db: &Db) -> usize {
        let mut tx = db.read().await.unwrap();
        let emails = store::outbox::recent(&mut tx, 1000).await.unwrap();
        tx.commit().await.unwrap();
        emails
            .iter()
            .filter(|e| e.subject.starts_with("CRA de "))
            .count()
    }

    /// The morning e-mails of the day's activities queued so far.
    async fn digest_emails(db: &Db) -> usize {
        let mut tx = db.read().await.unwrap();
        let emails = store::outbox::recent(&mut tx, 1000).await.unwrap();
        tx.commit().await.unwrap();
        emails
            .iter()
            .filter(|e| e.subject.starts_with("Ma journée du "))
            .count()
    }

    /// Dunning notices the demo's late invoices got (if any are late
    /// today), each one e-mail.
    async fn dunning_emails(db: &Db) -> usize {
        let mut tx = db.read().await.unwrap();
        let notices = store::dunning::notices(&mut tx, 1000).await.unwrap();
        tx.commit().await.unwrap();
        notices
            .iter()
            .filter(|n| n.email != store::dunning::EmailState::NoAddress)
            .count()
    }

    fn is_dunning(subject: &str) -> bool {
        ["Rappel : ", "Relance : ", "Mise en demeure "]
            .iter()
            .any(|p| subject.starts_with(p))
    }

    fn cra_reminders_due_today() -> bool {
        let today = store::today();
        let month = domain::calendar::YearMonth::of(today);
        [month.prev(), month]
            .into_iter()
            .any(|m| !domain::cra::reminders_due(m, today).is_empty())
    }

    #[tokio::test]
    async fn two_instances_run_each_job_once() {
        fixtures::testing::on_each_backend(|db| async move {
            fixtures::demo::seed(&db).await.unwrap();
            let mission = mission_ending_soon(&db).await;
            let sink = SmtpSink::start().await;
            let config = MailConfig {
                smtp_url: Some(sink.url()),
                ..MailConfig::default()
            };
            let mailer = Mailer::new(&config).unwrap();
            ensure_schedules(&db).await.unwrap();
            let drop = temp_drop();
            let deposits = deposits_queued(&db).await;
            assert!(deposits > 0, "the demo's invoices wait for their deposit");
            let a = Worker::new(db.clone(), mailer.clone()).with_einvoice(drop.clone());
            let b = Worker::new(db.clone(), mailer.clone()).with_einvoice(drop.clone());
            let (ra, rb) = tokio::join!(a.run_due(), b.run_due());
            let ran = ra.unwrap() + rb.unwrap();
            // Eight scheduled jobs, the demo's job and e-mails (see DEMO_JOBS and
            // DEMO_EMAILS), a deposit per issued document, the
            // two e-mails of the new mission's alerts (queued by the scan,
            // run in the same pass), and the activity-report reminders if
            // today is a reminder day (store tests pin those down on fixed
            // dates).
            let cra = cra_reminder_emails(&db).await;
            assert_eq!(cra > 0, cra_reminders_due_today(), "{cra} CRA reminders");
            // The dunning notices of the demo's invoices late today, if any.
            let cra = cra + dunning_emails(&db).await;
            // The morning e-mails of the day's activities: one per user
            // with open ones due (the demo's business manager has some).
            let digests = digest_emails(&db).await;
            assert!(digests >= 1, "the demo's business manager gets his day");
            let cra = cra + digests;
            assert_eq!(
                ran,
                8 + DEMO_JOBS + DEMO_EMAILS + deposits + 2 + cra,
                "every job ran exactly once across both instances"
            );
            let messages = sink
                .wait_for(DEMO_EMAILS + 2 + cra, StdDuration::from_secs(10))
                .await;
            tokio::time::sleep(StdDuration::from_millis(300)).await;
            assert_eq!(
                sink.messages().len(),
                DEMO_EMAILS + 2 + cra,
                "each e-mail delivered once"
            );
            assert!(messages.iter().any(|m| {
                m.subject()
                    .is_some_and(|s| s.contains("J-30") && s.contains("Mission courte"))
            }));
            let mut tx = db.read().await.unwrap();
            let lines = store::renewals::upcoming(&mut tx, Scope::All, store::today(), 90)
                .await
                .unwrap();
            let line = lines.iter().find(|l| l.mission_id == mission).unwrap();
            assert_eq!(line.alerts.len(), 2, "D-60 and D-30, once each");
            let done = store::jobs::list(
                &mut tx,
                Some(domain::jobs::JobState::Done),
                PageRequest::new(Some(1), Some(100)),
            )
            .await
            .unwrap();
            assert_eq!(
                done.items
                    .iter()
                    .filter(|j| j.kind == store::renewals::SCAN_JOB)
                    .count(),
                1
            );
            assert_eq!(
                done.total as usize,
                8 + DEMO_JOBS + DEMO_EMAILS + deposits + 2 + cra
            );
            // Each document deposited once, whichever instance ran it.
            let manifest =
                std::fs::read_to_string(drop_root(&drop).join("outbox/manifest.csv")).unwrap();
            assert_eq!(manifest.lines().count(), 1 + deposits);
            tx.commit().await.unwrap();
            // A second pass finds nothing to do: the schedule slots moved on.
            assert_eq!(a.run_due().await.unwrap() + b.run_due().await.unwrap(), 0);
        })
        .await;
    }

    /// The morning e-mail of the day's activities: two instances run the
    /// daily job, each user with something due gets one e-mail; the job
    /// run again the same day sends nothing more.
    #[tokio::test]
    async fn the_morning_email_goes_once_per_user() {
        fixtures::testing::on_each_backend(|db| async move {
            let w = fixtures::build::World::new(&db).await;
            let today = store::today();
            let mut people = Vec::new();
            for (name, due) in [
                ("Bruno Marchand", today),
                ("Olivia Roux", today - Duration::days(2)),
                ("Paul Later", today + Duration::days(3)),
            ] {
                let u = w
                    .user(domain::role::Role::BusinessManager)
                    .name(name)
                    .create()
                    .await;
                let data = domain::crm::activity::ActivityInput {
                    title: format!("Rappeler le client de {name}"),
                    due_date: due.to_string(),
                    assignee_id: u.id.to_string(),
                    ..Default::default()
                }
                .validate()
                .unwrap();
                let mut tx = db.begin().await.unwrap();
                store::activities::create(&mut tx, w.actor(), Scope::All, &data)
                    .await
                    .unwrap();
                tx.commit().await.unwrap();
                people.push(u);
            }
            let sink = SmtpSink::start().await;
            let mailer = Mailer::new(&MailConfig {
                smtp_url: Some(sink.url()),
                ..MailConfig::default()
            })
            .unwrap();
            ensure_schedules(&db).await.unwrap();
            let a = Worker::new(db.clone(), mailer.clone()).with_einvoice(temp_drop());
            let b = Worker::new(db.clone(), mailer.clone()).with_einvoice(temp_drop());
            let (ra, rb) = tokio::join!(a.run_due(), b.run_due());
            ra.unwrap();
            rb.unwrap();
            // The job once more the same day (a second schedule slot, a
            // retry): nothing more.
            let mut tx = db.begin().await.unwrap();
            store::jobs::enqueue(
                &mut tx,
                store::activities::DIGEST_JOB,
                &serde_json::json!({}),
                store::now(),
                None,
            )
            .await
            .unwrap();
            tx.commit().await.unwrap();
            a.run_due().await.unwrap();
            let ours = |m: &&mailer::sink::Received| {
                m.subject().is_some_and(|s| s.starts_with("Ma journée du "))
            };
            sink.wait_for(2, StdDuration::from_secs(10)).await;
            tokio::time::sleep(StdDuration::from_millis(300)).await;
            let messages = sink.messages();
            let mut to: Vec<String> = messages
                .iter()
                .filter(ours)
                .flat_map(|m| m.to.clone())
                .collect();
            to.sort();
            let mut expected = vec![people[0].email.clone(), people[1].email.clone()];
            expected.sort();
            assert_eq!(to, expected, "one each, none for the one due later");
        })
        .await;
    }

    /// Two instances run the daily dunning at once: the invoice 40 days
    /// late gets its formal notice once, by e-mail, with the amounts and
    /// the invoice's PDF attached.
    #[tokio::test]
    async fn two_instances_send_each_dunning_notice_once() {
        fixtures::testing::on_each_backend(|db| async move {
            fixtures::demo::seed(&db).await.unwrap();
            // The demo's Banque Horizon invoice: 40 days late, its reminder
            // and firm reminder sent; the formal notice is due.
            let mut tx = db.begin().await.unwrap();
            let (id, client, number, gross): (String, String, String, i64) =
                store::on_tx!(&mut tx, |c| {
                    sqlx::query_as(
                    "SELECT i.id, i.client_id, i.number, i.gross_cents FROM invoices i
                     JOIN companies c ON c.id = i.client_id
                     WHERE i.status = 'issued' AND i.kind = 'invoice' AND c.name = 'Banque Horizon'"
                )
                .fetch_one(c)
                .await
                .unwrap()
                });
            store::on_tx!(&mut tx, |c| sqlx::query(
                "UPDATE companies SET email = 'compta@client.example' WHERE id = $1"
            )
            .bind(client.as_str())
            .execute(c)
            .await
            .map(|r| r.rows_affected())
            .unwrap());
            tx.commit().await.unwrap();
            let sink = SmtpSink::start().await;
            let mailer = Mailer::new(&MailConfig {
                smtp_url: Some(sink.url()),
                ..MailConfig::default()
            })
            .unwrap();
            ensure_schedules(&db).await.unwrap();
            let a = Worker::new(db.clone(), mailer.clone()).with_einvoice(temp_drop());
            let b = Worker::new(db.clone(), mailer.clone()).with_einvoice(temp_drop());
            // The button's run too: whichever runs, each notice goes once.
            let mut tx = db.begin().await.unwrap();
            store::dunning::request_run(&mut tx).await.unwrap();
            tx.commit().await.unwrap();
            let (ra, rb) = tokio::join!(a.run_due(), b.run_due());
            ra.unwrap();
            rb.unwrap();
            let mut tx = db.read().await.unwrap();
            let notices = store::dunning::notices_of_invoice(
                &mut tx,
                domain::ids::InvoiceId::parse(&id).unwrap(),
            )
            .await
            .unwrap();
            tx.commit().await.unwrap();
            assert_eq!(notices.len(), 3, "{notices:?}");
            let n = &notices[2];
            assert_eq!(n.level_rank, 3);
            assert_eq!(n.email, store::dunning::EmailState::Sent);
            tokio::time::sleep(StdDuration::from_millis(300)).await;
            let ours: Vec<_> = sink
                .messages()
                .into_iter()
                .filter(|m| {
                    m.subject()
                        .is_some_and(|s| s.contains(&number) && s.starts_with("Mise en demeure"))
                })
                .collect();
            assert_eq!(ours.len(), 1, "one e-mail for the one notice");
            let m = &ours[0];
            assert_eq!(m.to, ["compta@client.example"]);
            assert!(m.subject().unwrap().starts_with("Mise en demeure"));
            let body = m.text_body().unwrap();
            let fr = |c: i64| domain::Money::from_cents(c).format(domain::Locale::Fr);
            let penalty = domain::dunning::penalty(domain::Money::from_cents(gross), 276, 40);
            for needle in [
                fr(gross),
                penalty.format(domain::Locale::Fr),
                fr(4000),
                fr(gross + penalty.cents() + 4000),
                "40 jours".to_string(),
                "8,28 %".to_string(),
            ] {
                assert!(body.contains(&needle), "{needle:?} in\n{body}");
            }
            let files = m.attachments();
            assert_eq!(files.len(), 1);
            assert_eq!(files[0].content_type, "application/pdf");
            assert_eq!(files[0].file_name, format!("{number}.pdf"));
            assert!(files[0].bytes.starts_with(b"%PDF"));
            // Later passes send nothing more.
            a.run_due().await.unwrap();
            let mut tx = db.begin().await.unwrap();
            store::dunning::request_run(&mut tx).await.unwrap();
            tx.commit().await.unwrap();
            b.run_due().await.unwrap();
            tokio::time::sleep(StdDuration::from_millis(200)).await;
            assert_eq!(
                sink.messages()
                    .iter()
                    .filter(|m| m
                        .subject()
                        .is_some_and(|s| s.contains(&number) && s.starts_with("Mise en demeure")))
                    .count(),
                1
            );
        })
        .await;
    }

    /// A client who asked for its invoices by e-mail: two instances run
    /// the jobs at once, and the issued invoice reaches the billing contact
    /// once through SMTP, the business manager copied, its Factur-X PDF
    /// attached with the CII XML embedded.
    #[tokio::test]
    async fn an_issued_invoice_is_emailed_once_with_its_facturx() {
        fixtures::testing::on_each_backend(|db| async move {
            let w = fixtures::build::World::new(&db).await;
            let client = w.client().name("Clientis Group").create().await;
            let mut tx = db.begin().await.unwrap();
            store::invoice_emails::set_client_wants_email(
                &mut tx,
                &store::Actor::system("test"),
                client.id,
                true,
            )
            .await
            .unwrap();
            tx.commit().await.unwrap();
            let contact = client.contact.id.to_string();
            let m = w
                .mission(&client)
                .with(|m| m.invoicing_contact_id = contact.clone())
                .create()
                .await;
            let month = domain::calendar::YearMonth::of(store::today()).prev();
            let invoice = w.issued_invoice(&m, month).await;
            let number = invoice.number.clone().unwrap();
            let to = client.contact.data.email.as_ref().unwrap().to_string();
            let bm = w.managers().await.0.email.clone();
            let sink = SmtpSink::start().await;
            let mailer = Mailer::new(&MailConfig {
                smtp_url: Some(sink.url()),
                ..MailConfig::default()
            })
            .unwrap();
            let a = Worker::new(db.clone(), mailer.clone()).with_einvoice(temp_drop());
            let b = Worker::new(db.clone(), mailer.clone()).with_einvoice(temp_drop());
            let (ra, rb) = tokio::join!(a.run_due(), b.run_due());
            ra.unwrap();
            rb.unwrap();
            // Later passes send nothing more.
            a.run_due().await.unwrap();
            b.run_due().await.unwrap();
            tokio::time::sleep(StdDuration::from_millis(300)).await;
            let ours: Vec<_> = sink
                .messages()
                .into_iter()
                .filter(|m| m.subject().is_some_and(|s| s.contains(&number)))
                .collect();
            assert_eq!(ours.len(), 1, "one e-mail for the one invoice");
            let m = &ours[0];
            assert!(
                m.subject()
                    .unwrap()
                    .starts_with(&format!("Facture {number} — ")),
                "{:?}",
                m.subject()
            );
            let mut rcpt = m.to.clone();
            rcpt.sort();
            let mut expected = vec![to.clone(), bm.clone()];
            expected.sort();
            assert_eq!(rcpt, expected, "to the billing contact, copy to the BM");
            assert!(m.header("Cc").is_some_and(|cc| cc.contains(&bm)));
            let body = m.text_body().unwrap();
            assert!(
                body.contains("Veuillez trouver ci-joint la facture"),
                "{body}"
            );
            assert!(
                body.contains(&invoice.gross.format(domain::Locale::Fr)),
                "{body}"
            );
            let files = m.attachments();
            assert_eq!(files.len(), 1);
            assert_eq!(files[0].content_type, "application/pdf");
            assert_eq!(files[0].file_name, format!("{number}.pdf"));
            let pdf = &files[0].bytes;
            assert!(pdf.starts_with(b"%PDF-"));
            let text = String::from_utf8_lossy(pdf);
            assert!(
                text.contains("/EmbeddedFiles"),
                "a PDF with an embedded file"
            );
            assert!(text.contains("(factur-x.xml)"), "named factur-x.xml");
            assert!(
                text.contains("CrossIndustryInvoice") && text.contains(&number),
                "the CII XML of the invoice, embedded"
            );
            // Its history says so.
            let mut tx = db.read().await.unwrap();
            let history = store::invoice_emails::of_invoice(&mut tx, invoice.id)
                .await
                .unwrap();
            tx.commit().await.unwrap();
            assert_eq!(history.len(), 1);
            assert_eq!(history[0].email, store::outbox::EmailState::Sent);
        })
        .await;
    }

    /// Without a mail server, e-mails wait in the queue untouched (no
    /// attempt spent, nothing logged each pass); with a server that cannot
    /// be reached, each is tried, kept with the reason and retried later.
    #[tokio::test]
    async fn without_a_mail_server_emails_wait_and_an_unreachable_one_is_retried() {
        fixtures::testing::on_each_backend(|db| async move {
            fixtures::demo::seed(&db).await.unwrap();
            let demo_emails = async |db: &Db| {
                let mut tx = db.read().await.unwrap();
                let emails: Vec<_> = store::outbox::recent(&mut tx, 100)
                    .await
                    .unwrap()
                    .into_iter()
                    .filter(|e| !e.subject.starts_with("CRA de ") && !is_dunning(&e.subject))
                    .collect();
                let sends: Vec<_> = store::jobs::list(
                    &mut tx,
                    Some(domain::jobs::JobState::Queued),
                    PageRequest::default(),
                )
                .await
                .unwrap()
                .items
                .into_iter()
                .filter(|j| j.kind == store::outbox::SEND_JOB)
                .collect();
                tx.commit().await.unwrap();
                (emails, sends)
            };
            let w = Worker::new(db.clone(), Mailer::new(&MailConfig::default()).unwrap());
            w.run_due().await.unwrap();
            let (emails, sends) = demo_emails(&db).await;
            assert_eq!(emails.len(), DEMO_EMAILS, "the demo's e-mails");
            assert!(
                emails
                    .iter()
                    .all(|e| e.sent_at.is_none() && e.last_error.is_none()),
                "kept, never tried"
            );
            assert!(
                !sends.is_empty() && sends.iter().all(|j| j.attempts == 0),
                "no attempt spent"
            );

            // Port 1 of the loopback: nothing listens, the connection is refused.
            let unreachable = Mailer::new(&MailConfig {
                smtp_url: Some("smtp://127.0.0.1:1?tls=none".into()),
                ..MailConfig::default()
            })
            .unwrap();
            Worker::new(db.clone(), unreachable)
                .run_due()
                .await
                .unwrap();
            let (emails, sends) = demo_emails(&db).await;
            assert!(
                emails
                    .iter()
                    .all(|e| e.sent_at.is_none() && e.last_error.is_some()),
                "kept, with the reason"
            );
            assert!(sends.iter().any(|j| j.attempts == 1), "retried later");
        })
        .await;
    }

    /// The signature of a client contract queues the release of what waits
    /// for it; the worker issues it (once, whichever instance runs it).
    #[tokio::test]
    async fn a_signed_contract_releases_its_waiting_invoices() {
        fixtures::testing::on_each_backend(|db| async move {
            fixtures::demo::seed(&db).await.unwrap();
            let actor = store::Actor::system("test");
            let mut tx = db.begin().await.unwrap();
            let camille = store::users::find_by_email(&mut tx, "camille.martin@stafforia.example")
                .await
                .unwrap()
                .unwrap();
            let month = domain::calendar::YearMonth::of(store::today());
            let cra = store::cras::find(&mut tx, camille.id, month)
                .await
                .unwrap()
                .unwrap();
            let mission = store::cras::get(&mut tx, Scope::All, cra)
                .await
                .unwrap()
                .missions[0]
                .id;
            let clientis = store::missions::get(&mut tx, Scope::All, mission)
                .await
                .unwrap()
                .data
                .client_id;
            let po = store::contracts::for_client(&mut tx, Scope::All, clientis)
                .await
                .unwrap()
                .into_iter()
                .find(|k| k.data.reference == "CLT-BC-2027-001")
                .unwrap()
                .id;
            // Camille's current month moves under next year's unsigned order,
            // then goes through the client and the manager: it waits.
            store::contracts::attach(&mut tx, &actor, Scope::All, mission, po)
                .await
                .unwrap();
            store::cras::client_validate(
                &mut tx,
                Scope::All,
                cra,
                store::cras::Via::Portal {
                    mission,
                    actor: &actor,
                },
                "Marc Lefèvre",
            )
            .await
            .unwrap();
            store::cras::validate(&mut tx, &actor, &[cra])
                .await
                .unwrap();
            assert_eq!(
                store::invoicing::read::waiting(&mut tx)
                    .await
                    .unwrap()
                    .len(),
                1
            );
            store::contracts::apply(
                &mut tx,
                &actor,
                Scope::All,
                po,
                domain::contract::ContractEvent::Sign,
                Some("Sophie Bernard (papier)"),
            )
            .await
            .unwrap();
            tx.commit().await.unwrap();
            let w = Worker::new(db.clone(), Mailer::new(&MailConfig::default()).unwrap());
            w.run_due().await.unwrap();
            let mut tx = db.read().await.unwrap();
            assert!(
                store::invoicing::read::waiting(&mut tx)
                    .await
                    .unwrap()
                    .is_empty()
            );
            let issued = store::invoicing::read::list(
                &mut tx,
                &store::invoicing::read::Filter {
                    period: Some(month),
                    ..Default::default()
                },
                10,
            )
            .await
            .unwrap();
            tx.commit().await.unwrap();
            assert_eq!(issued.len(), 1);
            assert_eq!(issued[0].status, domain::invoice::InvoiceStatus::Issued);
            assert!(
                issued[0]
                    .number
                    .as_deref()
                    .is_some_and(|n| n.ends_with("000004")),
                "after the demo's three invoices"
            );
        })
        .await;
    }
}
