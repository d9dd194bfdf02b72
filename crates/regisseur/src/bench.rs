//! `bench`: latency of the list page and the list API, measured in process
//! (the real router, middleware and database; no TCP), so runs on noisy
//! machines compare the application and not the network stack.

use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use clap::Args;
use domain::paging::PageRequest;
use domain::role::Role;
use store::Actor;
use tower::ServiceExt;
use web::{AppState, WebConfig};

use crate::config::{Common, connect};

#[derive(Args, Debug)]
pub struct BenchArgs {
    /// Requests per scenario.
    #[arg(long, default_value_t = 200)]
    pub requests: usize,
    /// Also time the renewal scan over every mission of the database.
    #[arg(long)]
    pub renewals: bool,
    /// Also time N mission orders: written from the template and the
    /// mission's facts, then also stored and sent for signature (each in a
    /// transaction rolled back afterwards).
    #[arg(long, value_name = "N")]
    pub mission_orders: Option<usize>,
    /// Also time activity reports at size N (1000 when no N is given): N
    /// consultants, each with a mission and a report validated by his
    /// client for the month before last, are added (set-based, and kept);
    /// then the manager validates the N in bulk in one transaction, and the
    /// billable lines, the late list and the on-time rates are computed
    /// (planner statistics refreshed after each bulk change, untimed).
    #[arg(long, value_name = "N", num_args = 0..=1, default_missing_value = "1000")]
    pub cras: Option<usize>,
    /// Also time the month-end close at size N (1000 when no N is given): N
    /// consultants, each with one unlocked mission at 600 € a day and last
    /// month's report validated by the manager (written directly, so the
    /// close does the drafting), are added and kept; then the close of last
    /// month (drafting, issuing and posting in batches of contracts) is
    /// timed against its floor: the same rows written in multi-row
    /// statements in one transaction, into a copy of the database taken
    /// before the close (and, for comparison, with one prepared single-row
    /// INSERT each).
    #[arg(long, value_name = "N", num_args = 0..=1, default_missing_value = "1000")]
    pub close: Option<usize>,
    /// Also time the FEC at size LINES: a year of that many posting lines
    /// (3-line sales, 2-line payments, every day) is bulk-loaded, sealed,
    /// into the year after the last one with entries (and kept); then its
    /// FEC export to a file, the file's check and `ledger verify` are
    /// timed, with the peak memory (VmHWM) before and after the export.
    #[arg(long, value_name = "LINES")]
    pub fec: Option<u64>,
    /// Also time N Factur-X documents (CII XML + PDF): read from the
    /// database through `app::invoicing::facturx::document` (cycling over the
    /// issued invoices and credit notes), then built from one document
    /// held in memory (XML, PDF and container only).
    #[arg(long, value_name = "N")]
    pub facturx: Option<usize>,
    /// Also time the aged balance over YEARS years of receivables: 50
    /// clients and 4,000 invoices a year with their payments, partial
    /// payments and credit notes are bulk-loaded (and kept); then the aged
    /// balance today and two years ago (with its plan, under statistics
    /// taken before the load and again after it), DSO over 12 months, the
    /// cash-in forecast and one client's statement are timed.
    #[arg(long, value_name = "YEARS")]
    pub aged: Option<u32>,
    /// Also time the matching of N bank statement credit lines (10000 when
    /// no N is given) against 50,000 open invoices of 2,000 clients (pure
    /// domain: index built, then every line's best three suggestions).
    #[arg(long, value_name = "N", num_args = 0..=1, default_missing_value = "10000")]
    pub matching: Option<usize>,
    /// Also time the live margin over the data in the database (`generate
    /// --margin-consultants`), N runs each (20 when no N is given): last
    /// month and the twelve months ending at it, for the whole firm and for
    /// the demo's business manager's portfolio, computed from the totals
    /// the triggers keep (what the pages do) and, as a baseline, from the
    /// report slots and ledger lines themselves; both must give the same
    /// facts.
    #[arg(long, value_name = "N", num_args = 0..=1, default_missing_value = "20")]
    pub margins: Option<usize>,
}

/// The live report with the most half-day entries, and its consultant.
async fn busiest_report(
    db: &store::Db,
) -> anyhow::Result<Option<(domain::ids::CraId, domain::ids::UserId)>> {
    let mut tx = db.read().await?;
    let found = store::cras::busiest(&mut tx).await?;
    tx.commit().await?;
    Ok(found)
}

pub async fn run(common: &Common, args: BenchArgs) -> anyhow::Result<()> {
    if let Some(n) = args.matching {
        matching(n);
    }
    let mut db = connect(common).await?;
    let mut tx = db.begin().await?;
    let admins = store::users::list(
        &mut tx,
        &store::users::UserFilter {
            role: Some(Role::Admin),
            ..Default::default()
        },
        PageRequest::new(Some(1), Some(1)),
    )
    .await?;
    let Some(admin) = admins.items.into_iter().next() else {
        bail!("no admin user: run `regisseur demo --no-serve` (and `generate`) first");
    };
    let session =
        store::sessions::create(&mut tx, Some(admin.id), Some("127.0.0.1"), Some("bench")).await?;
    let (_, token) =
        store::api_tokens::create(&mut tx, &Actor::system("bench"), admin.id, "bench").await?;
    tx.commit().await?;
    // First, while nothing else holds the database: the floor's copy of it
    // (PostgreSQL) needs the pool closed for a moment.
    if let Some(n) = args.close {
        close(&mut db, common, n).await?;
    }
    if let Some(n) = args.fec {
        fec(&db, n).await?;
    }
    let companies = {
        let mut tx = db.read().await?;
        let n = store::companies::counts_by_kind(&mut tx, store::Scope::All)
            .await?
            .iter()
            .map(|(_, n)| n)
            .sum::<i64>();
        tx.commit().await?;
        n
    };
    let app = web::app(AppState::new(db.clone(), WebConfig::default()));
    let cookie = format!("regisseur_session={}", session.token);
    let bearer = format!("Bearer {token}");
    let mut scenarios: Vec<(String, String, &str, String)> = [
        (
            "page /companies",
            "/companies",
            header::COOKIE.as_str(),
            cookie.as_str(),
        ),
        (
            "page /companies?q=lyon&page=3",
            "/companies?q=lyon&page=3",
            header::COOKIE.as_str(),
            cookie.as_str(),
        ),
        (
            "api /api/v1/companies",
            "/api/v1/companies",
            header::AUTHORIZATION.as_str(),
            bearer.as_str(),
        ),
        (
            "api /api/v1/companies?page=50",
            "/api/v1/companies?page=50",
            header::AUTHORIZATION.as_str(),
            bearer.as_str(),
        ),
    ]
    .into_iter()
    .map(|(n, u, h, v): (&str, &str, &str, &str)| (n.to_owned(), u.to_owned(), h, v.to_owned()))
    .collect();
    // The month grid as its consultant sees it (editable: every cell a
    // select), on the report with the most entries.
    if let Some((cra, consultant)) = busiest_report(&db).await? {
        let mut tx = db.begin().await?;
        let s =
            store::sessions::create(&mut tx, Some(consultant), Some("127.0.0.1"), Some("bench"))
                .await?;
        tx.commit().await?;
        scenarios.push((
            "page /cras/{id} (month grid)".into(),
            format!("/cras/{cra}"),
            header::COOKIE.as_str(),
            format!("regisseur_session={}", s.token),
        ));
    }
    if args.renewals {
        renewal_scan(&db).await?;
    }
    if let Some(n) = args.mission_orders {
        mission_orders(&db, n).await?;
    }
    if let Some(n) = args.cras {
        cras(&db, n).await?;
    }
    if let Some(n) = args.facturx {
        facturx(&db, n).await?;
    }
    if let Some(years) = args.aged {
        aged(&db, years).await?;
    }
    if let Some(n) = args.margins {
        margins(&db, n).await?;
    }
    if args.requests == 0 {
        return Ok(());
    }
    println!(
        "backend: {}, companies: {companies}, requests per scenario: {}",
        db.backend().name(),
        args.requests
    );
    println!(
        "{:<34} {:>9} {:>9} {:>9} {:>9}",
        "scenario", "p50 ms", "p95 ms", "p99 ms", "max ms"
    );
    for (name, uri, h, v) in scenarios {
        let mut times = Vec::with_capacity(args.requests);
        for i in 0..args.requests + 10 {
            let req = Request::get(&uri).header(h, &v).body(Body::empty())?;
            let start = Instant::now();
            let resp = app.clone().oneshot(req).await.context("request")?;
            let status = resp.status();
            let _ = axum::body::to_bytes(resp.into_body(), usize::MAX).await?;
            let elapsed = start.elapsed();
            if status != StatusCode::OK {
                bail!("{name}: HTTP {status}");
            }
            // The first requests warm caches and the pool; they are not counted.
            if i >= 10 {
                times.push(elapsed);
            }
        }
        times.sort();
        let pct = |p: f64| -> f64 {
            let idx = ((times.len() as f64 * p).ceil() as usize)
                .saturating_sub(1)
                .min(times.len() - 1);
            ms(times[idx])
        };
        println!(
            "{:<34} {:>9.2} {:>9.2} {:>9.2} {:>9.2}",
            name,
            pct(0.50),
            pct(0.95),
            pct(0.99),
            ms(*times.last().unwrap())
        );
    }
    Ok(())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The renewal scan, first run (creates the alerts, tasks and e-mails due
/// today) then second run (finds them all already made), each in its own
/// transaction and rolled back so the bench can be repeated.
async fn renewal_scan(db: &store::Db) -> anyhow::Result<()> {
    let mut tx = db.read().await?;
    let total = store::missions::list(
        &mut tx,
        store::Scope::All,
        &Default::default(),
        PageRequest::new(Some(1), Some(1)),
    )
    .await?
    .total;
    tx.commit().await?;
    let today = store::today();
    let mut tx = db.begin().await?;
    let start = Instant::now();
    let first = store::renewals::scan(&mut tx, today).await?;
    let first_time = start.elapsed();
    let start = Instant::now();
    let second = store::renewals::scan(&mut tx, today).await?;
    let second_time = start.elapsed();
    tx.rollback().await?;
    println!(
        "renewal scan over {total} missions ({}): first run {:.0} ms ({} in window, {} alerts), second run {:.0} ms ({} alerts)",
        db.backend().name(),
        ms(first_time),
        first.missions_seen,
        first.alerts_created,
        ms(second_time),
        second.alerts_created
    );
    Ok(())
}

/// Mission orders per second, side by side in one run: the PDF alone
/// (template + facts from the database, laid out and written), then the
/// whole sending (PDF, stored with its SHA-256, signature request, link and
/// code e-mails queued).
async fn mission_orders(db: &store::Db, n: usize) -> anyhow::Result<()> {
    let mut tx = db.read().await?;
    let missions = store::missions::list(
        &mut tx,
        store::Scope::All,
        &Default::default(),
        PageRequest::new(Some(1), Some(n.clamp(1, 200) as u32)),
    )
    .await?
    .items;
    tx.commit().await?;
    if missions.is_empty() {
        bail!("no mission: run `regisseur demo --no-serve` (and `generate --missions`) first");
    }
    let actor = Actor::system("bench");
    let origin = store::esign::Origin::system();
    let mut bytes = 0usize;
    let start = Instant::now();
    for i in 0..n {
        let m = &missions[i % missions.len()];
        let mut tx = db.read().await?;
        let doc = app::paperwork::mission_order(&mut tx, m, store::now()).await?;
        bytes += doc.to_bytes().len();
        tx.commit().await?;
    }
    let render = start.elapsed();
    let start = Instant::now();
    for i in 0..n {
        let m = &missions[i % missions.len()];
        let mut tx = db.begin().await?;
        let doc = app::paperwork::mission_order(&mut tx, m, store::now()).await?;
        let links = store::documents::Links {
            kind: domain::esign::DocumentKind::MissionOrder,
            mission_id: Some(m.id),
            contract_id: None,
            amendment_id: None,
            client_id: None,
            consultant_id: Some(m.data.consultant_id),
            cra_id: None,
        };
        let stored = app::documents::create_generated(&mut tx, &actor, links, &doc).await?;
        let signer = domain::esign::SignerData {
            name: m.consultant_name.clone(),
            email: domain::identifiers::Email::parse("bench@regisseur.invalid")?,
        };
        store::esign::send(
            &mut tx,
            &actor,
            &origin,
            "http://bench",
            stored.id,
            &[signer],
        )
        .await?;
        tx.rollback().await?;
    }
    let send = start.elapsed();
    let rate = |d: Duration| n as f64 / d.as_secs_f64();
    println!(
        "mission orders ({}, {n}): PDF from the database {:.0}/s ({} KB each), generated + stored + sent for signature {:.0}/s",
        db.backend().name(),
        rate(render),
        bytes / n / 1024,
        rate(send)
    );
    Ok(())
}

/// `n` Factur-X documents of the issued invoices: from the database (one
/// read transaction each), then from one document in memory.
async fn facturx(db: &store::Db, n: usize) -> anyhow::Result<()> {
    use app::invoicing::{facturx, print};
    use store::invoicing::read;
    let n = n.max(1);
    let mut tx = db.read().await?;
    let issued = read::list(
        &mut tx,
        &read::Filter {
            status: Some(domain::invoice::InvoiceStatus::Issued),
            ..Default::default()
        },
        200,
    )
    .await?;
    tx.commit().await?;
    if issued.is_empty() {
        bail!("no issued invoice: run `regisseur demo --no-serve` first");
    }
    let mut bytes = (0usize, 0usize);
    let start = Instant::now();
    for i in 0..n {
        let mut tx = db.read().await?;
        let doc = facturx::document(&mut tx, issued[i % issued.len()].id).await?;
        tx.commit().await?;
        bytes.0 += doc.xml.len();
        bytes.1 += doc.pdf.len();
    }
    let from_db = start.elapsed();
    let mut tx = db.read().await?;
    let d = read::get(&mut tx, issued[0].id).await?;
    let doc = store::invoicing::print::issued(&mut tx, d).await?;
    tx.commit().await?;
    let start = Instant::now();
    for _ in 0..n {
        let printed = print::issued_pdf(&doc)?;
        let xml = facturx::build_xml(&doc, &printed)?;
        let pdf = pdf::facturx_invoice(
            &printed,
            &pdf::FacturX {
                xml: &xml,
                conformance_level: facturx::CONFORMANCE_LEVEL,
                document_type: facturx::DOCUMENT_TYPE,
            },
        );
        std::hint::black_box(pdf);
    }
    let in_memory = start.elapsed();
    let rate = |d: Duration| n as f64 / d.as_secs_f64();
    println!(
        "factur-x ({}, {n}, {} issued documents): from the database {:.0}/s, in memory {:.0}/s \
         (XML {} KB, PDF/A-3 {} KB each)",
        db.backend().name(),
        issued.len(),
        rate(from_db),
        rate(in_memory),
        bytes.0 / n / 1024,
        bytes.1 / n / 1024,
    );
    Ok(())
}

/// Activity reports at size `n` on the current backend: the manager's bulk
/// validation through `store::cras::validate` in one transaction (commit
/// included), then the reports built on them.
async fn cras(db: &store::Db, n: usize) -> anyhow::Result<()> {
    use domain::calendar::YearMonth;
    anyhow::ensure!(n > 0, "--cras needs at least one report");
    let today = store::today();
    let month = YearMonth::of(today).prev().prev();
    let start = Instant::now();
    let mut tx = db.begin().await?;
    let fixture = fixtures::bench_data::client_validated_cras(&mut tx, n, month).await?;
    tx.commit().await?;
    let setup = start.elapsed();
    analyze(db).await?;

    let mut tx = db.read().await?;
    let start = Instant::now();
    let late_before = store::cra_reports::late(&mut tx, today).await?;
    let late_before_time = start.elapsed();
    tx.commit().await?;

    let start = Instant::now();
    let mut tx = db.begin().await?;
    let validated =
        store::cras::validate(&mut tx, &Actor::system("bench"), &fixture.reports).await?;
    tx.commit().await?;
    let validate_time = start.elapsed();
    anyhow::ensure!(
        validated.done.len() == n,
        "{} of {n} reports validated",
        validated.done.len()
    );
    // Without this, PostgreSQL would plan for the statuses as they were
    // before the validation (no report validated) until autovacuum runs.
    analyze(db).await?;

    let mut tx = db.read().await?;
    let start = Instant::now();
    let lines =
        store::cra_reports::billable(&mut tx, month, month, store::cra_reports::Billing::Any)
            .await?;
    let billable_time = start.elapsed();
    let start = Instant::now();
    let late_after = store::cra_reports::late(&mut tx, today).await?;
    let late_after_time = start.elapsed();
    let months: Vec<YearMonth> =
        std::iter::successors(Some(YearMonth::of(today).prev()), |m| Some(m.prev()))
            .take(12)
            .collect();
    let start = Instant::now();
    let rates = store::cra_reports::on_time_rates(&mut tx, &months, today).await?;
    let rates_time = start.elapsed();
    tx.commit().await?;
    let totals = store::cra_reports::totals(&lines);
    let expected = rates
        .iter()
        .find(|r| r.month == month)
        .map_or(0, |r| r.expected);
    let backend = db.backend().name();
    println!(
        "activity reports ({backend}, {n}, {month}): fixture written in {:.0} ms",
        ms(setup)
    );
    println!(
        "  manager validation of {n} in one transaction: {:.0} ms ({:.0} reports/s)",
        ms(validate_time),
        n as f64 / validate_time.as_secs_f64()
    );
    println!(
        "  billable: {:.0} ms ({} lines, {} missions, {} days, {})",
        ms(billable_time),
        lines.len(),
        totals.missions.len(),
        totals.days.format(domain::Locale::Fr),
        totals.amount.format(domain::Locale::Fr)
    );
    println!(
        "  late list: {:.0} ms before validation ({} late), {:.0} ms after ({} late)",
        ms(late_before_time),
        late_before.len(),
        ms(late_after_time),
        late_after.len()
    );
    println!(
        "  on-time rates over 12 months: {:.0} ms ({expected} reports expected for {month})",
        ms(rates_time)
    );
    Ok(())
}

/// The month-end close at size `n` on the current backend, against the floor
/// of the rows it writes, then the numbering checked.
async fn close(db: &mut store::Db, common: &Common, n: usize) -> anyhow::Result<()> {
    use domain::calendar::YearMonth;
    use fixtures::bench_data::{CLOSE_TABLES, Written};
    use store::invoicing::close::Close;
    anyhow::ensure!(n > 0, "--close needs at least one consultant");
    let today = store::today();
    let c = Close {
        period: YearMonth::of(today).prev(),
        issue_date: today,
    };
    let start = Instant::now();
    let mut tx = db.begin().await?;
    let fixture = fixtures::bench_data::validated_cras_for_close(&mut tx, n, c.period).await?;
    tx.commit().await?;
    let setup = start.elapsed();
    // PostgreSQL's autovacuum would refresh the statistics after such a
    // bulk change. SQLite keeps none unless told (the application never
    // runs ANALYZE): statistics taken now, with no invoice yet, would make
    // its planner scan invoices and their lines once per mission.
    if db.backend() == store::Backend::Postgres {
        analyze(db).await?;
    }
    let start = Instant::now();
    let snapshot =
        fixtures::bench_data::snapshot(db, &common.database_url, common.db_max_connections).await?;
    let snapshot_time = start.elapsed();
    let snapshot2 =
        fixtures::bench_data::snapshot(db, &common.database_url, common.db_max_connections).await?;

    let counts = async |db: &store::Db| -> anyhow::Result<Vec<(&'static str, i64)>> {
        let mut tx = db.read().await?;
        let c = fixtures::bench_data::row_counts(&mut tx, &CLOSE_TABLES).await?;
        tx.commit().await?;
        Ok(c)
    };
    let before = counts(db).await?;
    let since = store::now();
    let bar = crate::generate::progress(0, "close");
    let start = Instant::now();
    let summary = crate::close::execute(db, c, &mut |done, total| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    })
    .await?;
    let close_time = start.elapsed();
    bar.finish_and_clear();
    let after = counts(db).await?;
    let diff: Vec<(&str, i64)> = before
        .iter()
        .zip(&after)
        .map(|((t, b), (_, a))| (*t, a - b))
        .collect();
    let mut tx = db.read().await?;
    let written = Written::read(&mut tx, since).await?;
    let numbers = fixtures::bench_data::issued_numbers(&mut tx, &fixture.missions).await?;
    let sequence = fixtures::bench_data::issued_sequence(
        &mut tx,
        domain::invoice::InvoiceKind::Invoice.series(),
        c.issue_date.year(),
    )
    .await?;
    tx.commit().await?;

    // The floor: the same rows, inserted through the same driver in
    // multi-row statements, in one transaction (into the first copy); then,
    // for comparison, one prepared single-row INSERT per row (the second).
    let mut tx = snapshot.db.begin().await?;
    let start = Instant::now();
    let rows = written.insert(&mut tx, true).await?;
    tx.commit().await?;
    let floor_time = start.elapsed();
    snapshot.drop_db().await?;
    let mut tx = snapshot2.db.begin().await?;
    let start = Instant::now();
    written.insert(&mut tx, false).await?;
    tx.commit().await?;
    let single_time = start.elapsed();
    snapshot2.drop_db().await?;

    let backend = db.backend().name();
    println!(
        "month-end close ({backend}, {n} consultants, {}, invoices dated {}): fixture written in {:.0} ms, database copied in {:.0} ms",
        c.period,
        c.issue_date,
        ms(setup),
        ms(snapshot_time)
    );
    println!(
        "  close: {} units, {} drafted, {} issued, {} accrued, {} waiting, {} errors in {:.0} ms ({:.0} invoices/s)",
        summary.units,
        summary.drafted,
        summary.issued,
        summary.accrued,
        summary.waiting,
        summary.errors.len(),
        ms(close_time),
        summary.issued as f64 / close_time.as_secs_f64()
    );
    for e in summary.errors.iter().take(5) {
        println!("    error: {} — {} {:?}", e.unit, e.key, e.args);
    }
    println!(
        "  rows written: {}",
        diff.iter()
            .map(|(t, d)| format!("{t} {d}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    if written.counts() != diff {
        println!(
            "  warning: the rows read back differ from the counts: {:?}",
            written.counts()
        );
    }
    println!(
        "  floor: the same {rows} rows in multi-row statements, one transaction, into the copy: {:.0} ms",
        ms(floor_time)
    );
    println!(
        "  close / floor: {:.1}×",
        close_time.as_secs_f64() / floor_time.as_secs_f64()
    );
    println!(
        "  for comparison, the same rows one prepared single-row INSERT each, one transaction: {:.0} ms (close / that: {:.1}×)",
        ms(single_time),
        close_time.as_secs_f64() / single_time.as_secs_f64()
    );
    // Every fixture mission issued once; the year's series without a gap.
    let gap_free = sequence.iter().zip(1..).all(|(s, i)| *s == i);
    let run: Vec<i64> = numbers
        .iter()
        .filter_map(|n| n.rsplit('-').next()?.parse().ok())
        .collect();
    let contiguous = run.windows(2).all(|w| w[1] == w[0] + 1);
    println!(
        "  numbers: {} invoices of the fixture, {} → {}, {}; series {}-{}: {} issued, {}",
        numbers.len(),
        numbers.first().map_or("-", String::as_str),
        numbers.last().map_or("-", String::as_str),
        if contiguous {
            "consecutive"
        } else {
            "NOT CONSECUTIVE"
        },
        domain::invoice::InvoiceKind::Invoice.series(),
        c.issue_date.year(),
        sequence.len(),
        if gap_free { "no gap" } else { "GAPS" }
    );
    anyhow::ensure!(
        numbers.len() == n && contiguous && gap_free,
        "the close did not issue {n} invoices with consecutive numbers"
    );
    Ok(())
}

/// Fresh planner statistics after a bulk change, not timed.
async fn analyze(db: &store::Db) -> anyhow::Result<()> {
    let mut tx = db.begin().await?;
    fixtures::bench_data::analyze(&mut tx).await?;
    tx.commit().await?;
    Ok(())
}

/// The process's peak resident memory so far (VmHWM), in KiB.
fn vm_hwm_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

async fn fec(db: &store::Db, lines: u64) -> anyhow::Result<()> {
    anyhow::ensure!(lines > 0, "--fec needs at least one line");
    let start = Instant::now();
    let fixture = fixtures::bench_data::ledger_year(db, lines).await?;
    let load = start.elapsed();
    if db.backend() == store::Backend::Postgres {
        let mut tx = db.begin().await?;
        fixtures::bench_data::analyze(&mut tx).await?;
        tx.commit().await?;
    }
    println!(
        "fec: loaded {} entries, {} lines into {} in {:.2} s ({})",
        fixture.entries,
        fixture.lines,
        fixture.year,
        load.as_secs_f64(),
        db.backend().name()
    );
    let year = domain::ledger::FiscalYear::of(time::Date::from_calendar_date(
        fixture.year,
        time::Month::June,
        30,
    )?);
    let dir = std::env::temp_dir().join("regisseur-bench-fec");
    std::fs::create_dir_all(&dir)?;
    let before = vm_hwm_kib();
    let t = Instant::now();
    let (path, w) = crate::fec::export_to(db, year, &dir, &mut |_, _| {}).await?;
    let export = t.elapsed();
    let after = vm_hwm_kib();
    let size = std::fs::metadata(&path)?.len();
    println!(
        "fec export: {} lines, {:.1} MiB in {:.2} s = {:.0} lines/s -> {}",
        w.lines,
        size as f64 / (1 << 20) as f64,
        export.as_secs_f64(),
        w.lines as f64 / export.as_secs_f64(),
        path.display()
    );
    if let (Some(b), Some(a)) = (before, after) {
        println!(
            "fec export peak memory (VmHWM): {:.1} MiB before, {:.1} MiB after, +{:.1} MiB",
            b as f64 / 1024.0,
            a as f64 / 1024.0,
            a.saturating_sub(b) as f64 / 1024.0
        );
    }
    let t = Instant::now();
    let file = std::io::BufReader::with_capacity(1 << 16, std::fs::File::open(&path)?);
    let report = domain::fec::check::check(
        file,
        &domain::fec::check::Options {
            file_name: Some(path.display().to_string()),
            ..Default::default()
        },
    )
    .map_err(|e| anyhow::anyhow!(e.message(domain::Locale::En)))?;
    println!(
        "fec check: {} lines, {} entries, {} problems in {:.2} s",
        report.lines,
        report.entries,
        report.problem_count,
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let mut tx = db.read().await?;
    let v = store::ledger::verify(&mut tx).await?;
    tx.commit().await?;
    println!(
        "ledger verify: {} entries in {} chains, {} in {:.2} s",
        v.entries(),
        v.journals.len(),
        if v.is_intact() { "intact" } else { "BROKEN" },
        t.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The best and median of `runs` timings of `f`, in ms.
async fn timed<T, F, Fut>(runs: usize, mut f: F) -> anyhow::Result<(T, f64, f64)>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<T>>,
{
    let mut times = Vec::with_capacity(runs);
    let mut last = None;
    for _ in 0..runs.max(1) {
        let start = Instant::now();
        last = Some(f().await?);
        times.push(ms(start.elapsed()));
    }
    times.sort_by(f64::total_cmp);
    Ok((last.expect("one run"), times[0], times[times.len() / 2]))
}

/// Receivables reporting over `years` years of invoices (see `--aged`).
/// The planner's statistics are taken before the load (while the tables
/// are small) and again after it: the aged balance is timed under both,
/// with its plan, so a plan that depends on when `ANALYZE` ran shows.
async fn aged(db: &store::Db, years: u32) -> anyhow::Result<()> {
    anyhow::ensure!(years > 0, "--aged needs at least one year");
    let today = store::today();
    analyze(db).await?;
    let start = Instant::now();
    let fixture = fixtures::bench_data::aged_receivables(db, years, today).await?;
    let load = start.elapsed();
    println!(
        "aged: loaded {} invoices, {} credit notes, {} payments over {years} years in {:.2} s ({})",
        fixture.invoices,
        fixture.credit_notes,
        fixture.payments,
        load.as_secs_f64(),
        db.backend().name()
    );
    let runs = 5;
    let report = |name: &str, best: f64, median: f64, what: String| {
        println!("{name:<34} best {best:>8.1} ms, median {median:>8.1} ms  ({what})");
    };
    for statistics in ["statistics before the load", "statistics after the load"] {
        if statistics.ends_with("after the load") {
            analyze(db).await?;
        }
        println!("aged balance, {statistics}:");
        let mut tx = db.read().await?;
        for line in store::receivables::aged_balance_plan(&mut tx, today).await? {
            println!("  plan: {line}");
        }
        tx.commit().await?;
        for (name, as_of) in [
            ("aged balance today", today),
            (
                "aged balance 2 years ago",
                today - time::Duration::days(730),
            ),
        ] {
            let (ab, best, median) = timed(runs, || async {
                let mut tx = db.read().await?;
                let ab = store::receivables::aged_balance(&mut tx, as_of).await?;
                tx.commit().await?;
                Ok(ab)
            })
            .await?;
            report(
                name,
                best,
                median,
                format!(
                    "{} clients, {} open, {} overdue",
                    ab.clients.len(),
                    ab.total().format(domain::Locale::En),
                    ab.totals.overdue().format(domain::Locale::En)
                ),
            );
        }
    }
    let (dso, best, median) = timed(runs, || async {
        let mut tx = db.read().await?;
        let d = store::receivables::dso(&mut tx, today, 12).await?;
        tx.commit().await?;
        Ok(d)
    })
    .await?;
    report(
        "dso 12 months",
        best,
        median,
        format!("count-back {} days", dso.count_back.value),
    );
    let (f, best, median) = timed(runs, || async {
        let mut tx = db.read().await?;
        let f = store::receivables::cash_in_forecast(&mut tx, today, 90).await?;
        tx.commit().await?;
        Ok(f)
    })
    .await?;
    report(
        "cash-in forecast 90 days",
        best,
        median,
        format!("{} within 90 days", f.within().format(domain::Locale::En)),
    );
    let client = fixture.clients[0];
    let (st, best, median) = timed(runs, || async {
        let mut tx = db.read().await?;
        let (doc, _) =
            app::receivables::statement_pdf(&mut tx, client, today, store::now()).await?;
        tx.commit().await?;
        Ok(pdf::statement(&doc).to_bytes().len())
    })
    .await?;
    report(
        "statement PDF (one client)",
        best,
        median,
        format!("{st} bytes"),
    );
    Ok(())
}

/// `lines` statement credit lines matched against 50,000 open items: the
/// index, then every line's suggestions, timed apart.
fn matching(lines: usize) {
    use domain::matching::{Matcher, bench_data};
    const OPEN_ITEMS: usize = 50_000;
    let (items, credit) = bench_data(OPEN_ITEMS, lines);
    let start = Instant::now();
    let matcher = Matcher::new(&items);
    let indexed = start.elapsed();
    let mut suggested = 0usize;
    for l in &credit {
        suggested += usize::from(!matcher.suggest(l, 3).is_empty());
    }
    let total = start.elapsed();
    println!(
        "matching ({} lines, {OPEN_ITEMS} open items): {:.0} ms in all (index {:.0} ms), \
         {suggested} lines with a suggestion",
        credit.len(),
        ms(total),
        ms(indexed),
    );
}

/// p50 and p95 of `runs` timings of `f` (after one untimed run), in ms, and
/// the last result.
async fn percentiles<T, F, Fut>(runs: usize, mut f: F) -> anyhow::Result<(T, f64, f64)>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<T>>,
{
    f().await?;
    let mut times = Vec::with_capacity(runs);
    let mut last = None;
    for _ in 0..runs.max(1) {
        let start = Instant::now();
        last = Some(f().await?);
        times.push(ms(start.elapsed()));
    }
    times.sort_by(f64::total_cmp);
    let at = |p: f64| times[((times.len() as f64 * p).ceil() as usize).saturating_sub(1)];
    Ok((last.expect("one run"), at(0.50), at(0.95)))
}

/// The live margin from the triggers' totals beside the naive baseline
/// (see `--margins`).
async fn margins(db: &store::Db, runs: usize) -> anyhow::Result<()> {
    use domain::calendar::YearMonth;
    use domain::people::cjm::CostBasis;
    use store::Scope;
    let today = store::today();
    let last = YearMonth::of(today).prev();
    let mut twelve = last;
    for _ in 0..11 {
        twelve = twelve.prev();
    }
    let mut tx = db.read().await?;
    let bm = store::users::find_by_email(&mut tx, "bm@stafforia.example").await?;
    let counts = fixtures::bench_data::row_counts(&mut tx, &["cra_slots", "ledger_lines"]).await?;
    tx.commit().await?;
    println!(
        "margins ({}): {} report half days, {} ledger lines, {runs} runs each after one untimed",
        db.backend().name(),
        counts[0].1,
        counts[1].1
    );
    println!(
        "{:<44} {:>8} {:>12} {:>12} {:>12} {:>12}",
        "margin compute", "facts", "totals p50", "totals p95", "naive p50", "naive p95"
    );
    let mut scopes = vec![("firm", Scope::All, CostBasis::Personal)];
    if let Some(bm) = bm {
        scopes.push((
            "bm@stafforia.example",
            Scope::Portfolio(bm.id),
            CostBasis::GradeStandard,
        ));
    }
    for (who, scope, basis) in scopes {
        for (period, from) in [("last month", last), ("12 months", twelve)] {
            let (fast, fast50, fast95) = percentiles(runs, || async {
                let mut tx = db.read().await?;
                let m = store::margins::compute(&mut tx, scope, from, last, basis, today).await?;
                tx.commit().await?;
                Ok(m.facts)
            })
            .await?;
            let (slow, slow50, slow95) = percentiles(runs, || async {
                let mut tx = db.read().await?;
                let m = store::margins::compute_from_rows(&mut tx, scope, from, last, basis, today)
                    .await?;
                tx.commit().await?;
                Ok(m.facts)
            })
            .await?;
            // The same facts, whatever order each read returned them in.
            let key = |facts: &[domain::margin::live::Fact]| {
                let mut v: Vec<String> = facts
                    .iter()
                    .map(|f| {
                        let mut f = f.clone();
                        f.owners.sort_by_key(|o| o.bm);
                        format!("{f:?}")
                    })
                    .collect();
                v.sort();
                v
            };
            anyhow::ensure!(
                key(&fast) == key(&slow),
                "{who}, {period}: the totals and the rows give different margins"
            );
            println!(
                "{:<44} {:>8} {:>9.1} ms {:>9.1} ms {:>9.1} ms {:>9.1} ms",
                format!("{who}, {period}"),
                fast.len(),
                fast50,
                fast95,
                slow50,
                slow95
            );
        }
    }
    Ok(())
}
