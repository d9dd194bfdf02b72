//! Checks `domain::calendar::holidays` against an independent implementation,
//! the PyPI package `holidays` (python-holidays), for every year 2000..=2100
//! in both regions.
//!
//! The oracle is found through `REGISSEUR_PYTHON` (default `python3`). When it
//! or its `holidays` module is missing the test is skipped with a notice,
//! unless `REGISSEUR_REQUIRE_HOLIDAYS_ORACLE=1`, which makes it fail instead:
//! `scripts/test-all` installs the pinned package and sets both variables, so
//! a full run can never pass without having compared anything.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::process::Command;

use domain::calendar::{Region, easter_sunday, holidays};
use time::{Date, Duration, Month};

const FIRST_YEAR: i32 = 2000;
const LAST_YEAR: i32 = 2100;

/// The package's subdivisions compared with each region. Alsace-Moselle is
/// two subdivisions there, Moselle ("57") and Alsace ("6AE", the Collectivité
/// européenne d'Alsace, i.e. 67 and 68); both must match ours.
const SUBDIVISIONS: [(&str, Region); 3] = [
    ("FR", Region::Standard),
    ("57", Region::AlsaceMoselle),
    ("6AE", Region::AlsaceMoselle),
];

/// Exit status of the script when `import holidays` fails, to tell a missing
/// module (skippable) from a script that broke (always a failure).
const NO_MODULE: i32 = 3;

const SCRIPT: &str = r#"
import sys
try:
    import holidays
except ImportError as e:
    print(e, file=sys.stderr)
    sys.exit(3)
first, last = int(sys.argv[1]), int(sys.argv[2])
print("version", holidays.__version__)
for key, subdiv in (("FR", None), ("57", "57"), ("6AE", "6AE")):
    days = holidays.France(years=range(first, last + 1), subdiv=subdiv)
    for d in sorted(days):
        print(key, d.isoformat())
"#;

/// Whit Monday in the years the package leaves it out.
///
/// The package drops Whit Monday in 2005, 2006 and 2007, because the law of
/// 30 June 2004 (n° 2004-626) made it, by default, the worked "journée de
/// solidarité" until the law of 16 April 2008 (n° 2008-351) untied the two.
/// It never left the Code du travail's list of public holidays (then art.
/// L222-1, now L3133-1), which is what `calendar` implements: it was a
/// holiday that employers could make a working day, as any holiday but
/// 1 May still is. So these three dates are added to the oracle's answer,
/// and only after checking that they really are its only difference there.
fn whit_monday_left_out_by_the_oracle(year: i32) -> Option<Date> {
    (2005..=2007)
        .contains(&year)
        .then(|| easter_sunday(year) + Duration::days(50))
}

fn require_oracle() -> bool {
    std::env::var("REGISSEUR_REQUIRE_HOLIDAYS_ORACLE").is_ok_and(|v| v == "1")
}

/// Skips (returns `None`) or, when the oracle is required, fails.
fn unavailable(why: &str) -> Option<String> {
    if require_oracle() {
        panic!(
            "holidays oracle unavailable: {why}\n\
             REGISSEUR_REQUIRE_HOLIDAYS_ORACLE=1 requires it: install the PyPI package \
             `holidays` for that interpreter (scripts/test-all does), or point \
             REGISSEUR_PYTHON at one that has it"
        );
    }
    // Straight to stderr: the harness would swallow `eprintln!` of a
    // passing test, and a skip must be seen.
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED holidays_oracle: {why} (set REGISSEUR_REQUIRE_HOLIDAYS_ORACLE=1 to make this fail)"
    );
    None
}

/// The oracle's output, or `None` when it is unavailable and not required.
fn run_oracle() -> Option<String> {
    let python = std::env::var("REGISSEUR_PYTHON").unwrap_or_else(|_| "python3".to_owned());
    let output = match Command::new(&python)
        .arg("-c")
        .arg(SCRIPT)
        .arg(FIRST_YEAR.to_string())
        .arg(LAST_YEAR.to_string())
        .output()
    {
        Ok(output) => output,
        Err(e) => return unavailable(&format!("cannot run {python:?}: {e}")),
    };
    let stderr = String::from_utf8_lossy(&output.stderr);
    if output.status.code() == Some(NO_MODULE) {
        return unavailable(&format!(
            "{python:?} has no `holidays` module: {}",
            stderr.trim()
        ));
    }
    assert!(
        output.status.success(),
        "the holidays oracle ({python:?}) failed with {}:\n{stderr}",
        output.status
    );
    Some(String::from_utf8(output.stdout).expect("the oracle prints UTF-8"))
}

fn parse_date(s: &str) -> Date {
    let mut parts = s.split('-').map(|p| p.parse::<u16>().expect(s));
    let (Some(y), Some(m), Some(d), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        panic!("not an ISO date: {s:?}");
    };
    Date::from_calendar_date(
        i32::from(y),
        Month::try_from(u8::try_from(m).expect(s)).expect(s),
        u8::try_from(d).expect(s),
    )
    .expect(s)
}

#[test]
fn holidays_match_python_holidays_2000_to_2100() {
    let Some(stdout) = run_oracle() else {
        return;
    };

    let mut version = None;
    let mut oracle: BTreeMap<(&str, i32), BTreeSet<Date>> = BTreeMap::new();
    for line in stdout.lines() {
        let (key, value) = line
            .split_once(' ')
            .unwrap_or_else(|| panic!("unexpected oracle line {line:?}"));
        if key == "version" {
            version = Some(value);
            continue;
        }
        let date = parse_date(value);
        oracle.entry((key, date.year())).or_default().insert(date);
    }
    println!(
        "holidays {} (python-holidays), years {FIRST_YEAR}..={LAST_YEAR}",
        version.expect("the oracle prints its version first")
    );

    let mut mismatches = Vec::new();
    let mut compared = 0;
    for (key, region) in SUBDIVISIONS {
        for year in FIRST_YEAR..=LAST_YEAR {
            let mut theirs = oracle.remove(&(key, year)).unwrap_or_default();
            if let Some(whit_monday) = whit_monday_left_out_by_the_oracle(year) {
                assert!(
                    theirs.insert(whit_monday),
                    "the oracle now lists Whit Monday {whit_monday} ({key}): \
                     drop the exception for {year}"
                );
            }
            let ours: BTreeSet<Date> = holidays(year, region).into_iter().map(|(d, _)| d).collect();
            let dates: Vec<String> = ours.iter().map(Date::to_string).collect();
            println!("{key} {year}: {}", dates.join(" "));
            if ours != theirs {
                mismatches.push(format!(
                    "{key} ({region:?}) {year}: only ours {:?}, only the oracle's {:?}",
                    ours.difference(&theirs).collect::<Vec<_>>(),
                    theirs.difference(&ours).collect::<Vec<_>>(),
                ));
            }
            compared += 1;
        }
    }
    assert!(
        oracle.is_empty(),
        "the oracle gave years outside {FIRST_YEAR}..={LAST_YEAR}: {:?}",
        oracle.keys().collect::<Vec<_>>()
    );
    assert_eq!(compared, 3 * (LAST_YEAR - FIRST_YEAR + 1));
    assert!(
        mismatches.is_empty(),
        "{} of {compared} years differ from python-holidays:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}
