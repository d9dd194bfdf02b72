use super::*;
use crate::fec::{FecLine, write_header};
use proptest::prelude::*;
use time::macros::date;

fn line(num: &str, d: Date, account: &str, debit: i64, credit: i64) -> FecLine {
    FecLine {
        journal_code: num[..2].into(),
        journal_lib: "Ventes".into(),
        ecriture_num: num.into(),
        ecriture_date: d,
        compte_num: account.into(),
        compte_lib: "Compte".into(),
        comp_aux: None,
        piece_ref: "P1".into(),
        piece_date: d,
        ecriture_lib: "Écriture à l’été 5 €".into(),
        debit_cents: debit,
        credit_cents: credit,
        lettering: None,
        valid_date: d,
    }
}

fn good() -> Vec<FecLine> {
    vec![
        line("VE-2026-000001", date!(2026 - 01 - 05), "411", 1_440_000, 0),
        line("VE-2026-000001", date!(2026 - 01 - 05), "706", 0, 1_200_000),
        line("VE-2026-000001", date!(2026 - 01 - 05), "44574", 0, 240_000),
        line("BQ-2026-000001", date!(2026 - 01 - 06), "512", 1_440_000, 0),
        line("BQ-2026-000001", date!(2026 - 01 - 06), "411", 0, 1_440_000),
        line("VE-2026-000002", date!(2026 - 01 - 07), "411", 720_000, 0),
        line("VE-2026-000002", date!(2026 - 01 - 07), "706", 0, 720_000),
    ]
}

fn file(lines: &[FecLine]) -> Vec<u8> {
    let mut out = Vec::new();
    write_header(&mut out);
    for l in lines {
        l.write(&mut out);
    }
    out
}

fn run(bytes: &[u8]) -> Report {
    check(bytes, &Options::default()).expect("readable")
}

fn issues(bytes: &[u8]) -> Vec<(u64, Issue)> {
    run(bytes)
        .problems
        .into_iter()
        .map(|p| (p.line, p.issue))
        .collect()
}

#[test]
fn our_own_file_is_clean() {
    let r = run(&file(&good()));
    assert!(r.is_clean(), "{:?}", r.problems);
    assert_eq!(r.lines, 7);
    assert_eq!(r.entries, 3);
    assert_eq!(r.separator, Separator::Tab);
    assert_eq!(r.encoding, Encoding::Latin9);
    assert_eq!(r.debit_cents, r.credit_cents);
    assert_eq!(r.period, Period::calendar(2026));
}

#[test]
fn utf8_pipes_lf_and_the_montant_sens_variant_are_accepted() {
    let text = "JournalCode|JournalLib|EcritureNum|EcritureDate|CompteNum|CompteLib|CompAuxNum|CompAuxLib|PieceRef|PieceDate|EcritureLib|Montant|Sens|EcritureLet|DateLet|ValidDate|Montantdevise|Idevise\n\
VE|Ventes|1|20260105|411000|Clients|C1|Clientis|F1|20260105|Facture été €|144,5|D|A|20260110|20260105||\n\
VE|Ventes|1|20260105|706000|Prestations|||F1|20260105|Facture été|144,50|C|||20260105||\n\
BQ|Banque|1|20260110|411000|Clients|C1|Clientis|R1|20260110|Règlement|144,50|C|A|20260110|20260110||\n\
BQ|Banque|1|20260110|512000|Banque|||R1|20260110|Règlement|144,50|D|||20260110||\n";
    let r = run(text.as_bytes());
    assert!(r.is_clean(), "{:?}", r.problems);
    assert_eq!(r.layout, Layout::MontantSens);
    assert_eq!(r.separator, Separator::Pipe);
    assert_eq!(r.encoding, Encoding::Utf8);
    assert_eq!(r.debit_cents, 28_900);
}

#[test]
fn header_problems() {
    let mut bytes = file(&good());
    // "Debit" → "Débit", a wrong name.
    let at = bytes.windows(5).position(|w| w == b"Debit").unwrap();
    bytes.splice(at..at + 5, b"Dbit".iter().copied());
    let i = issues(&bytes);
    assert_eq!(
        i,
        vec![(
            1,
            Issue::HeaderName {
                column: 12,
                expected: "Debit",
                found: "Dbit".into()
            }
        )]
    );
    let short = b"JournalCode\tJournalLib\r\n";
    assert!(matches!(
        issues(short)[0],
        (1, Issue::HeaderColumns { found: 2 })
    ));
    assert_eq!(
        check(&b""[..], &Options::default()).unwrap_err(),
        Unreadable::Empty
    );
    assert_eq!(
        check(&b"a;b;c\n1;2;3\n"[..], &Options::default()).unwrap_err(),
        Unreadable::NoSeparator
    );
}

#[test]
fn each_field_rule_is_reported_with_its_line() {
    let mut l = good();
    l[0].compte_num = "4A1".into(); // line 2
    l[1].ecriture_lib = String::new(); // line 3
    l[3].debit_cents = 5; // line 5: BQ unbalanced… and both sides below
    l[3].credit_cents = 5;
    let mut bytes = file(&l);
    // line 7: an impossible date
    let text = String::from_utf8_lossy(&bytes)
        .replace("VE-2026-000002\t20260107", "VE-2026-000002\t20260230");
    bytes = crate::fec::latin9::encode(&text);
    let i = issues(&bytes);
    assert!(
        i.contains(&(
            2,
            Issue::Account {
                found: "4A1".into()
            }
        )),
        "{i:?}"
    );
    assert!(i.contains(&(
        3,
        Issue::Required {
            column: "EcritureLib"
        }
    )));
    assert!(i.contains(&(5, Issue::BothSides)));
    assert!(i.contains(&(
        7,
        Issue::BadDate {
            column: "EcritureDate",
            found: "20260230".into()
        }
    )));
    assert!(
        i.iter()
            .any(|(l, x)| *l == 5
                && matches!(x, Issue::Unbalanced { journal, .. } if journal == "BQ"))
    );
}

#[test]
fn amounts_need_a_comma_decimal() {
    assert_eq!(parse_amount("14400,00"), Some(1_440_000));
    assert_eq!(parse_amount("14400"), Some(1_440_000));
    assert_eq!(parse_amount("0,5"), Some(50));
    assert_eq!(parse_amount("-3,10"), Some(-310));
    for bad in [
        "14400.00",
        "14 400,00",
        "1,234",
        "",
        ",5",
        "5,",
        "abc",
        "--1",
        "1e3",
    ] {
        assert_eq!(parse_amount(bad), None, "{bad}");
    }
    let text = String::from_utf8_lossy(&file(&good())).replace("14400,00\t0,00", "14400.00\t0,00");
    let i = issues(text.as_bytes());
    assert!(i.contains(&(
        2,
        Issue::BadAmount {
            column: "Debit",
            found: "14400.00".into()
        }
    )));
}

#[test]
fn dates_outside_the_year_from_the_name_the_option_or_the_data() {
    let bytes = file(&good());
    let opts = Options {
        file_name: Some("/tmp/123456782FEC20251231.txt".into()),
        ..Default::default()
    };
    let r = check(&bytes[..], &opts).unwrap();
    assert_eq!(r.problem_count, 7, "every line is in 2026, not 2025");
    assert!(matches!(r.problems[0].issue, Issue::OutsideYear { .. }));
    let opts = Options {
        period: Period::calendar(2026),
        file_name: Some("123456782FEC20251231.txt".into()),
    };
    assert!(check(&bytes[..], &opts).unwrap().is_clean(), "--year wins");
    let mut l = good();
    l[5].ecriture_date = date!(2027 - 01 - 07);
    l[6].ecriture_date = date!(2027 - 01 - 07);
    let i = issues(&file(&l));
    assert_eq!(
        i.iter()
            .filter(|(_, x)| matches!(x, Issue::OutsideYear { .. }))
            .count(),
        2
    );
    // A year ending 30 June.
    assert_eq!(
        Period::ending(date!(2026 - 06 - 30)),
        Some(Period {
            start: date!(2025 - 07 - 01),
            end: date!(2026 - 06 - 30)
        })
    );
    assert_eq!(
        Period::ending(date!(2024 - 02 - 29)).unwrap().start,
        date!(2023 - 03 - 01)
    );
}

#[test]
fn sequences_gaps_order_and_contiguity() {
    let mut l = good();
    for x in &mut l[5..7] {
        x.ecriture_num = "VE-2026-000004".into();
    }
    let i = issues(&file(&l));
    assert_eq!(
        i,
        vec![(
            7,
            Issue::NumberGap {
                journal: "VE".into(),
                expected: "VE-2026-000002".into(),
                found: "VE-2026-000004".into()
            }
        )]
    );
    // Dates going back in a journal.
    let mut l = good();
    for x in &mut l[5..7] {
        x.ecriture_date = date!(2026 - 01 - 02);
    }
    assert!(
        issues(&file(&l))
            .iter()
            .any(|(n, x)| *n == 7 && matches!(x, Issue::DateOrder { .. }))
    );
    // Lines of one entry apart.
    let mut l = good();
    let moved = l.remove(2);
    l.push(moved);
    let i = issues(&file(&l));
    assert!(
        i.iter()
            .any(|(n, x)| *n == 8 && matches!(x, Issue::NotContiguous { .. })),
        "{i:?}"
    );
    // Numbers going back.
    let mut l = good();
    l.swap(0, 5);
    l.swap(1, 6);
    l.remove(2);
    let i = issues(&file(&l));
    assert!(
        i.iter()
            .any(|(_, x)| matches!(x, Issue::NumberOrder { .. })),
        "{i:?}"
    );
}

#[test]
fn lettering_must_balance_and_come_with_its_date() {
    let mut l = good();
    l[0].lettering = Some(("AA".into(), date!(2026 - 01 - 06)));
    l[4].lettering = Some(("AA".into(), date!(2026 - 01 - 06)));
    assert!(run(&file(&l)).is_clean());
    l[5].lettering = Some(("AA".into(), date!(2026 - 01 - 07)));
    let i = issues(&file(&l));
    assert_eq!(
        i,
        vec![(
            2,
            Issue::LetteringUnbalanced {
                account: "411".into(),
                code: "AA".into(),
                balance: 720_000
            }
        )]
    );
    let text = String::from_utf8_lossy(&file(&good())).replacen(
        "\t0,00\t\t\t2026",
        "\t0,00\tZ\t\t2026",
        1,
    );
    let i = issues(text.as_bytes());
    assert!(i.contains(&(2, Issue::LetWithoutDateLet)), "{i:?}");
}

#[test]
fn field_counts_long_and_empty_lines() {
    let mut bytes = file(&good());
    bytes.extend_from_slice(b"VE\tVentes\tVE-2026-000003\r\n");
    bytes.extend_from_slice(b"\r\n");
    bytes.extend(std::iter::repeat_n(b'x', MAX_LINE + 10));
    bytes.extend_from_slice(b"\n\n\n");
    let i = issues(&bytes);
    assert_eq!(
        i,
        vec![
            (9, Issue::FieldCount { found: 3 }),
            (10, Issue::EmptyLine),
            (11, Issue::LineTooLong)
        ]
    );
}

#[test]
fn messages_exist_in_both_languages() {
    let all = [
        Issue::HeaderColumns { found: 3 },
        Issue::Required {
            column: "CompteLib",
        },
        Issue::BothSides,
        Issue::MixedEncoding,
        Issue::Unbalanced {
            journal: "VE".into(),
            number: "1".into(),
            debit: 100,
            credit: 50,
        },
    ];
    for i in all {
        assert_ne!(i.message(Locale::Fr), i.message(Locale::En));
    }
    assert!(Issue::BothSides.message(Locale::Fr).contains("débit"));
}

#[test]
fn mixed_charsets_are_reported() {
    let mut bytes = file(&good()); // Latin-9 (é, €) in the labels
    bytes.extend_from_slice("VE\tVentes\tVE-2026-000003\t20260108\t411\tClients\t\t\tP\t20260108\tété\t1,00\t0,00\t\t\t20260108\t\t\r\n".as_bytes());
    // Decided Latin-9 first: a UTF-8 line reads as mojibake, not a crash.
    let r = run(&bytes);
    assert_eq!(r.encoding, Encoding::Latin9);
    let text = "JournalCode\tJournalLib\tEcritureNum\tEcritureDate\tCompteNum\tCompteLib\tCompAuxNum\tCompAuxLib\tPieceRef\tPieceDate\tEcritureLib\tDebit\tCredit\tEcritureLet\tDateLet\tValidDate\tMontantdevise\tIdevise\nVE\tVentes\t1\t20260105\t411\tClients\t\t\tP\t20260105\tété\t1,00\t0,00\t\t\t20260105\t\t\n";
    let mut bytes = text.as_bytes().to_vec();
    bytes.extend_from_slice(b"VE\tVentes\t1\t20260105\t706\tPrest\t\t\tP\t20260105\t\xe9t\xe9\t0,00\t1,00\t\t\t20260105\t\t\n");
    let i = issues(&bytes);
    assert_eq!(i, vec![(3, Issue::MixedEncoding)]);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn garbage_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..4000)) {
        let _ = check(&bytes[..], &Options::default());
    }

    #[test]
    fn mangled_fecs_never_panic(
        cut in 0usize..2000,
        noise in proptest::collection::vec((0usize..2000, any::<u8>()), 0..20),
        fields in 0usize..40,
    ) {
        let mut bytes = file(&good());
        for (at, b) in noise {
            let at = at % bytes.len();
            bytes[at] = b;
        }
        bytes.truncate(cut.min(bytes.len()));
        bytes.extend(std::iter::repeat_n(b'\t', fields));
        bytes.extend_from_slice(b"\n");
        let _ = check(&bytes[..], &Options::default());
    }

    #[test]
    fn any_generated_year_is_clean(n in 1usize..40, cents in 1i64..10_000_000) {
        let mut lines = Vec::new();
        for i in 0..n {
            let d = date!(2026 - 01 - 01) + time::Duration::days(i as i64 * 9);
            let num = format!("VE-2026-{:06}", i + 1);
            lines.push(line(&num, d, "411", cents, 0));
            lines.push(line(&num, d, "706", 0, cents));
        }
        let r = run(&file(&lines));
        prop_assert!(r.is_clean(), "{:?}", r.problems);
        prop_assert_eq!(r.entries, n as u64);
    }
}

#[test]
fn huge_fields_and_many_problems_stay_bounded() {
    let mut bytes = file(&good());
    for _ in 0..5000 {
        bytes.extend_from_slice(b"a\tb\n");
    }
    bytes.extend(std::iter::repeat_n(b'\t', 3 * MAX_LINE));
    let r = run(&bytes);
    assert_eq!(r.problems.len(), MAX_PROBLEMS);
    assert_eq!(r.problem_count, 5001);
}

/// `cargo test -p domain --release --lib fec::check::tests::speed -- --ignored --nocapture`:
/// the check's speed on a million generated lines (the bench's shape).
#[test]
#[ignore]
fn speed() {
    let n: usize = std::env::var("FEC_SPEED_LINES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let mut lines = Vec::with_capacity(n);
    for i in 0..n / 2 {
        let d = date!(2026 - 01 - 01) + time::Duration::days((i * 365 / (n / 2).max(1)) as i64);
        let num = format!("VE-2026-{:07}", i + 1);
        lines.push(line(&num, d, "411", 1_440_000, 0));
        lines.push(line(&num, d, "706", 0, 1_440_000));
    }
    let bytes = file(&lines);
    drop(lines);
    let mut best = f64::MAX;
    for _ in 0..3 {
        let t = std::time::Instant::now();
        let r = check(&bytes[..], &Options::default()).unwrap();
        best = best.min(t.elapsed().as_secs_f64());
        assert!(r.is_clean(), "{:?}", r.problems.first());
    }
    println!(
        "fec check: {n} lines, {:.1} MiB in {best:.3} s = {:.0} lines/s",
        bytes.len() as f64 / (1 << 20) as f64,
        n as f64 / best
    );
}
