//! The FEC of a fiscal year on both backends: the opening entry first,
//! then the entries by date, journal and number; the customer's code and
//! name on 411 lines; ISO-8859-15; pages of any size give the same file;
//! the checker finds it clean; the queued export stores the same bytes.

use domain::fec::check::{self, Options};
use domain::ledger::{FiscalYear, Journal, Line, NewEntry};
use domain::money::Money;
use fixtures::testing::on_each_backend;
use store::{Db, ledger};
use time::Date;
use time::macros::date;

use crate::support::{actor, company_data, create_company_with};

fn eur(n: i64) -> Money {
    Money::from_euros(n)
}

/// Posts an entry; a bank entry is validated at once (the FEC lists
/// validated entries only).
async fn post(db: &Db, e: NewEntry) {
    let mut tx = db.begin().await.unwrap();
    ledger::post(&mut tx, &actor(), &e, None).await.unwrap();
    if e.journal == Journal::Bq {
        store::brouillard::validate(&mut tx, &actor(), e.journal, e.date)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
}

fn entry(
    journal: Journal,
    date: Date,
    label: &str,
    piece: Option<&str>,
    lines: Vec<Line>,
) -> NewEntry {
    NewEntry {
        journal,
        date,
        label: label.into(),
        piece_ref: piece.map(str::to_owned),
        lines,
    }
}

/// Books of 2025 (one unpaid invoice) and 2026; returns the customer's SIREN.
async fn books(db: &Db) -> String {
    let data = company_data("Clientis Équipements", "client", Some(55_210_055));
    let siren = data.siren.as_ref().unwrap().to_string();
    let clientis = create_company_with(db, &data).await.id;
    post(
        db,
        entry(
            Journal::Ve,
            date!(2025 - 12 - 01),
            "Facture FA-2025-000001",
            Some("FA-2025-000001"),
            vec![
                Line::debit("411", eur(14_400), "Clientis").for_customer(clientis),
                Line::credit("706", eur(12_000), "Prestations"),
                Line::credit("44574", eur(2_400), "TVA"),
            ],
        ),
    )
    .await;
    post(
        db,
        entry(
            Journal::Ve,
            date!(2026 - 01 - 05),
            "Facture FA-2026-000001",
            Some("FA-2026-000001"),
            vec![
                Line::debit("411", eur(7_200), "Clientis").for_customer(clientis),
                Line::credit("706", eur(6_000), "Prestations d’été").analytic("MIS-1"),
                Line::credit("44574", eur(1_200), "TVA"),
            ],
        ),
    )
    .await;
    post(
        db,
        entry(
            Journal::Od,
            date!(2026 - 01 - 05),
            "Frais 5 €",
            None,
            vec![
                Line::debit("6251", eur(5), "Hôtel"),
                Line::credit("467", eur(5), "Débours"),
            ],
        ),
    )
    .await;
    post(
        db,
        entry(
            Journal::Bq,
            date!(2026 - 01 - 10),
            "Règlement FA-2025-000001",
            Some("REL-1"),
            vec![
                Line::debit("512", eur(14_400), "Banque"),
                Line::credit("411", eur(14_400), "Clientis").for_customer(clientis),
            ],
        ),
    )
    .await;
    post(
        db,
        entry(
            Journal::Ve,
            date!(2026 - 02 - 01),
            "Facture FA-2026-000002",
            Some("FA-2026-000002"),
            vec![
                Line::debit("411", eur(1_200), "Clientis").for_customer(clientis),
                Line::credit("706", eur(1_000), "Prestations"),
                Line::credit("44574", eur(200), "TVA"),
            ],
        ),
    )
    .await;
    // Next year: not in 2026's file.
    post(
        db,
        entry(
            Journal::Ve,
            date!(2027 - 01 - 04),
            "Facture FA-2027-000001",
            None,
            vec![
                Line::debit("411", eur(1_200), "Clientis").for_customer(clientis),
                Line::credit("706", eur(1_200), "Prestations"),
            ],
        ),
    )
    .await;
    siren
}

async fn write(db: &Db, year: FiscalYear) -> (Vec<u8>, store::fec::Written) {
    let mut tx = db.read().await.unwrap();
    let mut out = Vec::new();
    let w = store::fec::write(&mut tx, year, &mut out, &mut |_| {})
        .await
        .unwrap();
    tx.commit().await.unwrap();
    (out, w)
}

fn fields(line: &[u8]) -> Vec<String> {
    domain::fec::latin9::decode(line)
        .trim_end_matches("\r")
        .split('\t')
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn a_years_fec_opens_with_the_balances_carried_and_lists_entries_by_date() {
    on_each_backend(|db| async move {
        let siren = books(&db).await;
        let y2026 = FiscalYear::of(date!(2026 - 06 - 30));
        let (bytes, w) = write(&db, y2026).await;
        let lines: Vec<&[u8]> = bytes
            .split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
            .collect();
        assert_eq!(w.lines as usize, lines.len() - 1);
        assert_eq!(w.bytes as usize, bytes.len());
        assert!(
            bytes.windows(2).filter(|w| w == b"\r\n").count() == lines.len(),
            "CRLF"
        );
        assert_eq!(fields(lines[0])[0], "JournalCode");
        let rows: Vec<Vec<String>> = lines[1..].iter().map(|l| fields(l)).collect();
        assert!(rows.iter().all(|r| r.len() == 18));
        // The opening entry: 411 for Clientis, 44574, and the 2025 result on 120.
        let an: Vec<_> = rows.iter().take_while(|r| r[0] == "AN").collect();
        assert_eq!(an.len(), 3, "{an:?}");
        assert!(
            an.iter()
                .all(|r| r[2] == "AN-2026-000001" && r[3] == "20260101")
        );
        let find = |acct: &str| an.iter().find(|r| r[4] == acct).unwrap();
        assert_eq!(
            (find("411")[11].as_str(), find("411")[6].as_str()),
            ("14400,00", siren.as_str())
        );
        assert_eq!(find("411")[7], "Clientis Équipements");
        assert_eq!(find("44574")[12], "2400,00");
        assert_eq!(find("120")[12], "12000,00");
        // Then by date, journal, number.
        let order: Vec<(&str, &str, &str)> = rows[3..]
            .iter()
            .map(|r| (r[3].as_str(), r[0].as_str(), r[4].as_str()))
            .collect();
        assert_eq!(
            order,
            vec![
                ("20260105", "OD", "6251"),
                ("20260105", "OD", "467"),
                ("20260105", "VE", "411"),
                ("20260105", "VE", "706"),
                ("20260105", "VE", "44574"),
                ("20260110", "BQ", "512"),
                ("20260110", "BQ", "411"),
                ("20260201", "VE", "411"),
                ("20260201", "VE", "706"),
                ("20260201", "VE", "44574"),
            ]
        );
        let od = &rows[3];
        assert_eq!(od[2], "OD-2026-000001");
        assert_eq!(od[8], "OD-2026-000001", "no piece: the entry number");
        assert_eq!(od[10], "Frais 5 € - Hôtel");
        assert_eq!(od[6], "", "no customer on a 6251 line");
        let ve = &rows[5];
        assert_eq!(
            (ve[6].as_str(), ve[8].as_str(), ve[9].as_str()),
            (siren.as_str(), "FA-2026-000001", "20260105")
        );
        assert_eq!((ve[11].as_str(), ve[12].as_str()), ("7200,00", "0,00"));
        assert_eq!(rows[6][10], "Facture FA-2026-000001 - Prestations d'été");
        assert_eq!(
            ve[15],
            domain::fec::format_date(store::today()),
            "ValidDate: posted today"
        );
        assert_eq!(
            (
                ve[13].as_str(),
                ve[14].as_str(),
                ve[16].as_str(),
                ve[17].as_str()
            ),
            ("", "", "", "")
        );
        // ISO-8859-15: é and € are one byte each.
        assert!(bytes.contains(&0xA4) && bytes.contains(&0xE9));
        assert!(std::str::from_utf8(&bytes).is_err());
        // Our own checker finds it clean, with the name of the file.
        let mut tx = db.read().await.unwrap();
        let name = store::fec::file_name(&mut tx, y2026).await.unwrap();
        tx.commit().await.unwrap();
        assert!(name.ends_with("FEC20261231.txt"));
        let report = check::check(
            &bytes[..],
            &Options {
                file_name: Some(name),
                ..Default::default()
            },
        )
        .unwrap();
        assert!(report.is_clean(), "{:?}", report.problems);
        assert_eq!(report.encoding, check::Encoding::Latin9);
        assert_eq!(report.entries, 5);
        // 2025 has no opening entry; 2027 opens with 2026's balances.
        let (b2025, _) = write(&db, FiscalYear::of(date!(2025 - 01 - 01))).await;
        assert!(!b2025.windows(3).any(|w| w == b"AN\t"));
        let (b2027, _) = write(&db, FiscalYear::of(date!(2027 - 01 - 01))).await;
        let r = check::check(&b2027[..], &Options::default()).unwrap();
        assert!(r.is_clean(), "{:?}", r.problems);
    })
    .await;
}

#[tokio::test]
async fn pages_of_any_size_give_the_same_lines_and_the_queued_export_stores_them() {
    on_each_backend(|db| async move {
        books(&db).await;
        let year = FiscalYear::of(date!(2026 - 06 - 30));
        let mut all = Vec::new();
        for size in [1, 2, 3, 1000] {
            let mut tx = db.read().await.unwrap();
            let mut cursor = store::fec::Cursor::with_page(year, size);
            let mut lines = Vec::new();
            loop {
                let page = cursor.next_page(&mut tx).await.unwrap();
                if page.is_empty() {
                    break;
                }
                lines.extend(page);
            }
            tx.commit().await.unwrap();
            all.push(lines);
        }
        assert_eq!(all[0].len(), 13);
        assert!(all.iter().all(|l| *l == all[0]));
        // The job queue's export: progress and chunks in the database.
        let mut tx = db.begin().await.unwrap();
        let id = store::exports::request_fec(&mut tx, &actor(), year)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        store::exports::run_fec(&db, id).await.unwrap();
        let mut tx = db.read().await.unwrap();
        let e = store::exports::get(&mut tx, id).await.unwrap().unwrap();
        assert_eq!(
            (e.status.as_str(), e.lines_done, e.percent()),
            ("done", 13, 100)
        );
        let mut stored = Vec::new();
        let mut seq = 0;
        while let Some(c) = store::exports::chunk(&mut tx, id, seq).await.unwrap() {
            stored.extend(c);
            seq += 1;
        }
        let recent = store::exports::recent(&mut tx, domain::export::ExportKind::Fec, 10)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(recent.len(), 1);
        assert_eq!(stored.len() as i64, e.size_bytes);
        assert_eq!(stored, write(&db, year).await.0);
        // Run again (a retry): the same file, not twice.
        store::exports::run_fec(&db, id).await.unwrap();
        let mut tx = db.read().await.unwrap();
        assert!(
            store::exports::chunk(&mut tx, id, 1)
                .await
                .unwrap()
                .is_none()
        );
        tx.commit().await.unwrap();
    })
    .await;
}
