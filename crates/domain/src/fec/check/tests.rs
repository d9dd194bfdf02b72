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
        ..Default::default()
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
                journal: Some("VE".into()),
                from: "VE-2026-000002".into(),
                to: "VE-2026-000003".into(),
                count: 2
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
            (
                9,
                Issue::FieldCount {
                    found: 3,
                    expected: 18
                }
            ),
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

// ---- Other software's files (issue 17, section 4) ----

const BNC: &[u8] = include_bytes!("fixtures/123456782FEC20261231-bnc.txt");
const ODOO: &[u8] = include_bytes!("fixtures/123456782FEC20260630-odoo.txt");
const DOLIBARR: &[u8] = include_bytes!("fixtures/123456782FEC20261231-dolibarr.txt");

fn named(bytes: &[u8], name: &str) -> Report {
    let opts = Options {
        file_name: Some(name.into()),
        ..Default::default()
    };
    check(bytes, &opts).expect("readable")
}

fn rules_of(r: &Report) -> Vec<Rule> {
    r.rules.keys().copied().collect()
}

#[test]
fn the_22_columns_of_bnc_cash_accounts_are_valid() {
    let r = named(BNC, "123456782FEC20261231.txt");
    assert!(r.is_clean(), "{:?}", r.problems);
    assert_eq!(r.columns, Columns::BncCash);
    assert_eq!(r.entries, 4);
    assert_eq!(r.encoding, Encoding::Latin9);
    assert!(r.notes.is_empty(), "{:?}", r.notes);
    // The BA variant: the same without IdClient (21 columns).
    let ba: Vec<u8> = String::from_utf8_lossy(BNC)
        .lines()
        .map(|l| {
            let mut f: Vec<&str> = l.split('\t').collect();
            f.pop();
            f.join("\t") + "\r\n"
        })
        .collect::<String>()
        .into_bytes();
    let r = named(&ba, "123456782FEC20261231.txt");
    assert!(r.is_clean(), "{:?}", r.problems);
    assert_eq!(r.columns, Columns::BaCash);
    // DateRglt and ModeRglt are required, DateRglt is a date.
    let text = String::from_utf8_lossy(BNC).replacen("\t20260105\tVirement\t", "\t\tVirement\t", 1);
    let text = text.replacen("\t20260112\tCarte\t", "\t2026-01-12\t\t", 1);
    let i: Vec<(u64, Issue)> = named(text.as_bytes(), "123456782FEC20261231.txt")
        .problems
        .into_iter()
        .map(|p| (p.line, p.issue))
        .collect();
    assert_eq!(
        i,
        vec![
            (2, Issue::Required { column: "DateRglt" }),
            (4, Issue::Required { column: "ModeRglt" }),
            (
                4,
                Issue::BadDate {
                    column: "DateRglt",
                    found: "2026-01-12".into()
                }
            ),
        ]
    );
}

#[test]
fn odoo_shaped_file_with_a_july_to_june_year_is_clean() {
    let r = named(ODOO, "123456782FEC20260630.txt");
    assert!(r.is_clean(), "{:?}", r.problems);
    assert_eq!(r.separator, Separator::Pipe);
    assert_eq!(r.line_end, LineEnd::CrLf);
    assert_eq!(r.lines, 16);
    assert_eq!(
        r.period,
        Some(Period {
            start: time::macros::date!(2025 - 07 - 01),
            end: time::macros::date!(2026 - 06 - 30)
        })
    );
    assert_eq!(r.period_source, PeriodSource::Closing { from_name: true });
    // Taken as a calendar year, half of it is outside.
    let r = check(
        ODOO,
        &Options {
            period: Period::calendar(2026),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(r.rules[&Rule::OutsideYear].count, 11);
}

#[test]
fn dolibarr_shaped_file_numbered_across_journals_with_extra_columns_is_clean() {
    let r = named(DOLIBARR, "123456782FEC20261231.txt");
    assert!(r.is_clean(), "{:?}", r.problems);
    assert_eq!(
        r.notes,
        vec![Note::ExtraColumns {
            names: vec![
                "DateLimitReglmt".into(),
                "NumFacture".into(),
                "FichierFacture".into()
            ]
        }]
    );
    // Entry 3 missing from the file-wide sequence: one gap, not one per journal.
    let text: String = String::from_utf8_lossy(DOLIBARR)
        .lines()
        .filter(|l| !l.starts_with("BQ\t"))
        .map(|l| format!("{l}\r\n"))
        .collect();
    let r = named(text.as_bytes(), "123456782FEC20261231.txt");
    assert_eq!(
        r.problems
            .iter()
            .map(|p| (p.line, p.issue.clone()))
            .collect::<Vec<_>>(),
        vec![(
            8,
            Issue::NumberGap {
                journal: None,
                from: "3".into(),
                to: "3".into(),
                count: 1
            }
        )]
    );
}

#[test]
fn a_malformed_name_is_said_and_no_year_is_guessed() {
    let bytes = file(&good());
    for (name, error) in [
        ("FEC2026.txt", NameError::Siren(String::new())),
        ("export-2026.txt", NameError::NoFec),
        (
            "123456782FEC20261331.txt",
            NameError::Closing("20261331".into()),
        ),
        (
            "123456789FEC20261231.txt",
            NameError::SirenKey("123456789".into()),
        ),
    ] {
        let r = named(&bytes, &format!("/some/dir/{name}"));
        assert_eq!(
            r.problems
                .iter()
                .map(|p| (p.line, p.issue.clone()))
                .collect::<Vec<_>>(),
            vec![(
                0,
                Issue::FileName {
                    name: name.into(),
                    error
                }
            )]
        );
        assert_eq!(r.period, None);
        assert_eq!(r.period_source, PeriodSource::Unknown);
        let m = r.problems[0].issue.message(Locale::En);
        assert!(m.contains(name), "{m}");
    }
    // The user may still give the period, or the closing date.
    let opts = Options {
        file_name: Some("export.txt".into()),
        closing: Some(time::macros::date!(2026 - 12 - 31)),
        ..Default::default()
    };
    let r = check(&bytes[..], &opts).unwrap();
    assert_eq!(r.period, Period::calendar(2026));
    assert_eq!(r.period_source, PeriodSource::Closing { from_name: false });
    assert_eq!(r.problem_count, 1, "the name stays a problem");
}

#[test]
fn a_first_year_of_up_to_23_months_from_its_oldest_entry() {
    // Founded in March 2025, first closing on 31 December 2026.
    let mut l = good();
    for x in &mut l[0..3] {
        x.ecriture_date = date!(2025 - 03 - 10);
        x.piece_date = date!(2025 - 03 - 10);
        x.valid_date = date!(2025 - 03 - 10);
    }
    let r = named(&file(&l), "123456782FEC20261231.txt");
    assert!(r.is_clean(), "{:?}", r.problems);
    assert_eq!(
        r.period,
        Some(Period {
            start: date!(2025 - 03 - 10),
            end: date!(2026 - 12 - 31)
        })
    );
    assert_eq!(
        r.period_source,
        PeriodSource::LongYear {
            from_name: true,
            line: 2
        }
    );
    let text = r.period_source.describe(r.period, Locale::Fr);
    assert!(
        text.contains("22 mois") && text.contains("ligne 2"),
        "{text}"
    );
    // 24 months before the closing date is too far for any year.
    for x in &mut l[0..3] {
        x.ecriture_date = date!(2024 - 12 - 31);
    }
    let r = named(&file(&l), "123456782FEC20261231.txt");
    assert_eq!(r.rules[&Rule::OutsideYear].count, 3);
    assert!(matches!(
        r.problems[0].issue,
        Issue::OutsideYear { widest: true, .. }
    ));
    assert_eq!(r.period, Period::calendar(2026));
    // A given period is strict.
    let opts = Options {
        period: Some(Period {
            start: date!(2025 - 06 - 01),
            end: date!(2026 - 12 - 31),
        }),
        file_name: Some("123456782FEC20261231.txt".into()),
        ..Default::default()
    };
    let r = check(&file(&l)[..], &opts).unwrap();
    assert_eq!(r.rules[&Rule::OutsideYear].count, 3);
    assert_eq!(r.period_source, PeriodSource::Given);
}

#[test]
fn cr_alone_separates_lines() {
    let mac: Vec<u8> = BNC
        .split(|&b| b == b'\n')
        .flat_map(|l| l.iter().copied().filter(|&b| b != b'\r').chain([b'\r']))
        .collect();
    assert!(!mac.contains(&b'\n'));
    let r = named(&mac, "123456782FEC20261231.txt");
    assert!(r.is_clean(), "{:?}", r.problems);
    assert_eq!(r.line_end, LineEnd::Cr);
    assert_eq!(r.lines, 8);
}

#[test]
fn a_trailing_separator_on_every_line_is_noted_once() {
    let text = String::from_utf8_lossy(&file(&good())).replace("\r\n", "\t\r\n");
    let r = run(text.as_bytes());
    assert!(r.is_clean(), "{:?}", r.problems);
    assert_eq!(r.notes, vec![Note::TrailingSeparator { line: 1 }]);
    // The rest is still checked.
    let text = text.replacen("\t411\t", "\tX11\t", 1);
    let r = run(text.as_bytes());
    assert_eq!(rules_of(&r), vec![Rule::Account]);
    // The same with pipes, and only on the data lines.
    let text = String::from_utf8_lossy(ODOO)
        .replace("\r\n", "|\r\n")
        .replacen("Idevise|\r\n", "Idevise\r\n", 1)
        + "|";
    let r = named(text.as_bytes(), "123456782FEC20260630.txt");
    assert!(r.is_clean(), "{:?}", r.problems);
    assert_eq!(r.notes, vec![Note::TrailingSeparator { line: 2 }]);
}

#[test]
fn gaps_and_numbers_out_of_order_are_told_apart() {
    let entry = |n: u32, d: Date| {
        let num = format!("VE-2026-{n:06}");
        vec![line(&num, d, "411", 100, 0), line(&num, d, "706", 0, 100)]
    };
    let d = date!(2026 - 02 - 01);
    // 1, 3, 2, 4: one entry out of order, no gap.
    let l: Vec<FecLine> = [1, 3, 2, 4].into_iter().flat_map(|n| entry(n, d)).collect();
    let r = run(&file(&l));
    assert_eq!(rules_of(&r), vec![Rule::NumberOrder], "{:?}", r.problems);
    assert_eq!(r.problems[0].line, 6);
    // 1, 2, 5: a gap of two numbers, reported once, nothing out of order.
    let l: Vec<FecLine> = [1, 2, 5].into_iter().flat_map(|n| entry(n, d)).collect();
    let r = run(&file(&l));
    assert_eq!(
        r.problems
            .iter()
            .map(|p| (p.line, p.issue.clone()))
            .collect::<Vec<_>>(),
        vec![(
            6,
            Issue::NumberGap {
                journal: Some("VE".into()),
                from: "VE-2026-000003".into(),
                to: "VE-2026-000004".into(),
                count: 2
            }
        )]
    );
    // Both in one file: each under its own rule.
    let l: Vec<FecLine> = [1, 4, 2, 6].into_iter().flat_map(|n| entry(n, d)).collect();
    let r = run(&file(&l));
    assert_eq!(rules_of(&r), vec![Rule::NumberGap, Rule::NumberOrder]);
    assert_eq!(r.rules[&Rule::NumberGap].count, 2, "3 and 5");
    // A new prefix (a new year's sequence) is not a gap.
    let mut l = entry(7, d);
    l.extend(entry(1, d).into_iter().map(|mut x| {
        x.ecriture_num = "VE-2027-000001".into();
        x
    }));
    assert!(run(&file(&l)).is_clean());
}

#[test]
fn one_summary_per_rule_with_the_first_examples_and_every_problem_to_the_sink() {
    let mut bytes = file(&good());
    for i in 0..2000 {
        bytes.extend_from_slice(
            format!("VE\tVentes\tVE-2026-{:06}\t2026013{}\t411\tC\t\t\tP\t20260101\tL\t1,00\t0,00\t\t\t20260101\t\t\r\n", 3 + i, 2 + i % 2)
                .as_bytes(),
        );
    }
    let mut seen = Vec::new();
    let r = check_streaming(&bytes[..], &Options::default(), &mut |p| {
        seen.push(p.clone())
    })
    .unwrap();
    assert_eq!(seen.len() as u64, r.problem_count);
    assert_eq!(r.problems.len(), MAX_PROBLEMS);
    assert_eq!(seen[..MAX_PROBLEMS], r.problems[..]);
    let bad = &r.rules[&Rule::BadDate];
    assert_eq!(bad.count, 2000);
    assert_eq!(
        bad.examples.iter().map(|p| p.line).collect::<Vec<_>>(),
        vec![9, 10, 11, 12, 13]
    );
    assert_eq!(r.rules[&Rule::Unbalanced].count, 2000);
    assert_eq!(
        r.rules.values().map(|s| s.count).sum::<u64>(),
        r.problem_count
    );
    // Titles exist in both languages.
    for rule in r.rules.keys() {
        assert_ne!(rule.title(Locale::Fr), rule.title(Locale::En));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn garbage_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..4000)) {
        let _ = check(&bytes[..], &Options::default());
        let _ = check(&bytes[..], &Options { file_name: Some("123456782FEC20261231.txt".into()), ..Default::default() });
        let mut cr = bytes.clone();
        cr.iter_mut().filter(|b| **b == b'\n').for_each(|b| *b = b'\r');
        let _ = check(&cr[..], &Options::default());
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
        let mut sunk = 0u64;
        let opts = Options { file_name: Some("123456782FEC20261231.txt".into()), ..Default::default() };
        if let Ok(r) = check_streaming(&bytes[..], &opts, &mut |_| sunk += 1) {
            // Every problem reaches the sink and is counted under one rule.
            prop_assert_eq!(sunk, r.problem_count);
            prop_assert_eq!(r.rules.values().map(|s| s.count).sum::<u64>(), r.problem_count);
            prop_assert!(r.rules.values().all(|s| s.examples.len() <= EXAMPLES));
        }
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
