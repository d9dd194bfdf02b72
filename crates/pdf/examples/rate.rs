//! Renders N mission orders (default 2000) with the default template and
//! prints documents per second and their average size.
//!
//!     cargo run --release -p pdf --example rate [-- N [OUT.pdf]]
//!
//! With OUT.pdf, the first document is also written there.

use std::collections::BTreeMap;
use std::time::Instant;

use pdf::{MissionOrderTemplate, sha256_hex};

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = match args.next() {
        Some(arg) => arg.parse().unwrap_or_else(|_| {
            eprintln!("usage: rate [N [OUT.pdf]]");
            std::process::exit(2)
        }),
        None => 2000,
    };
    let out = args.next();
    let created = time::macros::datetime!(2025-09-01 09:00 +02:00);

    let start = Instant::now();
    let template = MissionOrderTemplate::default();
    let mut bytes_total = 0usize;
    let mut pages_total = 0usize;
    let mut last = String::new();
    for i in 0..n {
        let mut doc = template
            .render(&values(i))
            .expect("the default template renders");
        doc.created_at(created);
        let bytes = doc.to_bytes();
        bytes_total += bytes.len();
        pages_total += count_pages(&bytes);
        if i == 0
            && let Some(path) = &out
        {
            std::fs::write(path, &bytes).expect("write the sample");
        }
        if i + 1 == n {
            last = sha256_hex(&bytes);
        }
    }
    let elapsed = start.elapsed().as_secs_f64();
    let n_f = n.max(1) as f64;
    println!(
        "{n} mission orders in {elapsed:.3} s: {:.0} documents/s, average {:.1} KiB, {:.1} pages (last sha256 {last})",
        n as f64 / elapsed,
        bytes_total as f64 / n_f / 1024.0,
        pages_total as f64 / n_f,
    );
}

fn values(i: usize) -> BTreeMap<&'static str, String> {
    let firsts = ["Amélie", "François", "Hélène", "Jérôme", "Noël", "Zoé"];
    let lasts = [
        "Lefèvre",
        "Gaël",
        "Bérénice",
        "Château",
        "Dufour",
        "Œhlenschläger",
    ];
    let clients = [
        "Société Générale des Eaux",
        "Crédit Agricole",
        "Électricité de France",
    ];
    [
        (
            "consultant_name",
            format!("{} {}", firsts[i % firsts.len()], lasts[i % lasts.len()]),
        ),
        ("client_name", clients[i % clients.len()].to_owned()),
        (
            "mission_title",
            format!(
                "Modernisation du système de facturation — lot {}",
                i % 7 + 1
            ),
        ),
        ("start_date", "1 septembre 2025".to_owned()),
        ("end_date", "28 février 2026".to_owned()),
        ("tjm", format!("{},00\u{202F}€", 550 + i % 300)),
        ("daily_cost", format!("{},00\u{202F}€", 380 + i % 150)),
        ("analytic_code", format!("MIS-2025-{:04}", i % 10_000)),
        ("business_manager", "Claire Dubœuf".to_owned()),
        ("delivery_manager", "Rémi Sørensen".to_owned()),
        (
            "work_site",
            "Tour Égée, 9-11 allée de l’Arche, 92400 Courbevoie".to_owned(),
        ),
        ("firm_name", "Régie Conseil SAS".to_owned()),
        ("firm_siren", "404\u{A0}833\u{A0}048".to_owned()),
        ("firm_address", "12 rue de la Paix, 75002 Paris".to_owned()),
        ("issue_date", "25 août 2025".to_owned()),
    ]
    .into_iter()
    .collect()
}

/// The page count, read back from the page tree's /Count.
fn count_pages(bytes: &[u8]) -> usize {
    let at = bytes
        .windows(7)
        .position(|w| w == b"/Count ")
        .expect("a page tree")
        + 7;
    bytes[at..]
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .fold(0, |n, b| n * 10 + usize::from(b - b'0'))
}
