//! One's balances of the year: the table and the stacked chart (taken,
//! planned, pending, still available per type). Pure: built from the stored
//! balances, tested without a database.

use domain::Locale;
use store::leave::TypeBalance;

use super::requests::signed_days;
use crate::chart::{self, StackedRow};
use crate::i18n;

pub struct BalanceRow {
    pub label: String,
    pub acquired: String,
    pub taken: String,
    pub planned: String,
    pub pending: String,
    pub remaining: String,
    pub negative: bool,
}

/// The year's balances as the page shows them.
pub struct Balances {
    pub rows: Vec<BalanceRow>,
    /// The chart (SVG), when some type shows.
    pub chart: Option<String>,
}

impl Balances {
    pub fn from_balances(balances: &[TypeBalance], l: Locale) -> Balances {
        let shown: Vec<&TypeBalance> = balances
            .iter()
            // A type shows once it has an allowance or some leave.
            .filter(|b| b.balance != Default::default())
            .collect();
        Balances {
            chart: (!shown.is_empty()).then(|| balance_chart(&shown, l)),
            rows: shown
                .iter()
                .map(|b| {
                    let x = &b.balance;
                    BalanceRow {
                        label: b.leave_type.label(l).to_owned(),
                        acquired: x.acquired.format(l),
                        taken: x.taken.format(l),
                        planned: x.planned.format(l),
                        pending: x.pending.format(l),
                        remaining: signed_days(x.remaining_half_days(), l),
                        negative: x.remaining_half_days() < 0,
                    }
                })
                .collect(),
        }
    }
}

fn balance_chart(balances: &[&TypeBalance], l: Locale) -> String {
    let rows: Vec<StackedRow> = balances
        .iter()
        .map(|b| {
            let x = &b.balance;
            let rest = b.balance.remaining_half_days() - i64::from(x.pending.half_days());
            StackedRow {
                label: b.leave_type.label(l).to_owned(),
                values: vec![
                    u64::from(x.taken.half_days()),
                    u64::from(x.planned.half_days()),
                    u64::from(x.pending.half_days()),
                    rest.max(0) as u64,
                ],
                total: i18n::t_args(
                    l,
                    "leave-chart-total",
                    &[
                        ("remaining", signed_days(x.remaining_half_days(), l)),
                        ("acquired", x.acquired.format(l)),
                    ],
                ),
            }
        })
        .collect();
    let legend: Vec<String> = [
        "leave-taken",
        "leave-planned",
        "leave-pending",
        "leave-available",
    ]
    .iter()
    .map(|k| i18n::t(l, k))
    .collect();
    chart::stacked(&i18n::t(l, "leave-chart-title"), &legend, &rows)
}

#[cfg(test)]
mod tests {
    use domain::leave::Balance;
    use domain::mission::DayQuantity;

    use super::*;

    fn of(code: &str, balance: Balance) -> TypeBalance {
        TypeBalance {
            leave_type: store::leave::LeaveType {
                code: code.into(),
                label_fr: format!("{code} fr"),
                label_en: format!("{code} en"),
                tracks_balance: true,
                active: true,
            },
            balance,
        }
    }

    #[test]
    fn types_without_allowance_or_leave_stay_hidden() {
        let days = DayQuantity::from_days;
        let b = Balances::from_balances(
            &[
                of(
                    "cp",
                    Balance {
                        acquired: days(25),
                        taken: days(10),
                        planned: DayQuantity::from_half_days(3),
                        pending: days(2),
                    },
                ),
                of("rtt", Balance::default()),
            ],
            Locale::Fr,
        );
        assert_eq!(b.rows.len(), 1);
        let cp = &b.rows[0];
        assert_eq!(cp.label, "cp fr");
        let shown = [&cp.acquired, &cp.taken, &cp.planned, &cp.pending];
        assert_eq!(shown, ["25", "10", "1,5", "2"]);
        assert_eq!(cp.remaining, "13,5");
        assert!(!cp.negative);
        assert!(b.chart.is_some());
    }

    #[test]
    fn an_advance_shows_negative() {
        let b = Balances::from_balances(
            &[of(
                "cp",
                Balance {
                    taken: DayQuantity::from_days(2),
                    ..Balance::default()
                },
            )],
            Locale::En,
        );
        assert_eq!(b.rows[0].remaining, "-2");
        assert!(b.rows[0].negative);
        assert_eq!(b.rows[0].label, "cp en");
    }

    #[test]
    fn no_chart_when_nothing_shows() {
        let b = Balances::from_balances(&[of("rtt", Balance::default())], Locale::Fr);
        assert!(b.rows.is_empty() && b.chart.is_none());
    }
}
