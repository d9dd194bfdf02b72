//! Receivables reporting (#8): the aged balance (balance âgée), DSO by the
//! two methods of ACCOUNTING.md §9, and the expected cash-in from due dates.
//!
//! The store reads the figures (open amounts per client and due date, the
//! 411 and 4181 balances, the monthly revenue of the sales journal); the
//! arithmetic lives here so it is tested without a database, and every
//! result carries the figures it was computed from so that a page can print
//! the formula with its numbers.

use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;
use time::{Date, Duration, Month};

use crate::ids::CompanyId;
use crate::money::Money;

/// How late an open amount is on a date: not yet due, or 0–30, 31–60,
/// 61–90, more than 90 days past its due date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Bucket {
    NotDue,
    Days0To30,
    Days31To60,
    Days61To90,
    Over90,
}

impl Bucket {
    pub const ALL: [Bucket; 5] = [
        Bucket::NotDue,
        Bucket::Days0To30,
        Bucket::Days31To60,
        Bucket::Days61To90,
        Bucket::Over90,
    ];

    /// The bucket of an amount due on `due`, seen on `as_of`. An amount is
    /// late from the day after its due date (L441-10: penalties run from
    /// the day after), so on the due date itself it is not due yet.
    pub fn of(due: Date, as_of: Date) -> Bucket {
        match days_late(due, as_of) {
            0 => Bucket::NotDue,
            1..=30 => Bucket::Days0To30,
            31..=60 => Bucket::Days31To60,
            61..=90 => Bucket::Days61To90,
            _ => Bucket::Over90,
        }
    }

    /// The latest due date whose amount is in [`Bucket::Over90`] on
    /// `as_of`: every earlier one is too, so a report may sum the amounts
    /// due on or before it as if they fell due that day (they are late for
    /// the cash-in forecast as well).
    pub fn over_90_due_by(as_of: Date) -> Date {
        as_of - Duration::days(91)
    }

    pub fn index(self) -> usize {
        self as usize
    }

    /// Translation key of the column title.
    pub fn key(self) -> &'static str {
        match self {
            Bucket::NotDue => "receivables-bucket-not-due",
            Bucket::Days0To30 => "receivables-bucket-0-30",
            Bucket::Days31To60 => "receivables-bucket-31-60",
            Bucket::Days61To90 => "receivables-bucket-61-90",
            Bucket::Over90 => "receivables-bucket-over-90",
        }
    }

    /// The French title, for documents printed in French only (the
    /// customer statement).
    pub fn label_fr(self) -> &'static str {
        match self {
            Bucket::NotDue => "Non échu",
            Bucket::Days0To30 => "0 à 30 jours",
            Bucket::Days31To60 => "31 à 60 jours",
            Bucket::Days61To90 => "61 à 90 jours",
            Bucket::Over90 => "Plus de 90 jours",
        }
    }
}

/// Days past `due` on `as_of` (0 when not late).
pub fn days_late(due: Date, as_of: Date) -> i64 {
    (as_of - due).whole_days().max(0)
}

/// Amounts per [`Bucket`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Buckets([Money; 5]);

impl Buckets {
    pub fn add(&mut self, bucket: Bucket, amount: Money) {
        self.0[bucket.index()] += amount;
    }

    pub fn get(&self, bucket: Bucket) -> Money {
        self.0[bucket.index()]
    }

    pub fn total(&self) -> Money {
        self.0.iter().copied().sum()
    }

    /// What is past due (every bucket but "not due").
    pub fn overdue(&self) -> Money {
        self.total() - self.get(Bucket::NotDue)
    }

    /// In [`Bucket::ALL`] order.
    pub fn amounts(&self) -> [Money; 5] {
        self.0
    }

    fn merge(&mut self, other: &Buckets) {
        for b in Bucket::ALL {
            self.add(b, other.get(b));
        }
    }
}

/// An amount still owed by a client, due on `due` (the store sums the
/// open invoices sharing a client and a due date into one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenAmount {
    pub client: CompanyId,
    pub due: Date,
    pub amount: Money,
}

/// A client's credit: money received and not yet allocated to an invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientCredit {
    pub client: CompanyId,
    pub amount: Money,
}

/// One client's line of the aged balance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClientAging {
    pub client: CompanyId,
    pub name: String,
    pub buckets: Buckets,
    /// Received and not allocated: it lowers what the client owes.
    pub credit: Money,
}

impl ClientAging {
    /// Open invoices, all buckets.
    pub fn total(&self) -> Money {
        self.buckets.total()
    }

    /// What the client owes once its credit is deducted.
    pub fn net(&self) -> Money {
        self.total() - self.credit
    }
}

/// The aged balance on a date: per client (by name), and the totals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AgedBalance {
    pub as_of: Date,
    pub clients: Vec<ClientAging>,
    pub totals: Buckets,
    pub credit: Money,
}

impl AgedBalance {
    pub fn total(&self) -> Money {
        self.totals.total()
    }

    pub fn net(&self) -> Money {
        self.total() - self.credit
    }

    /// The line of client `id`, if it owes or is owed anything.
    pub fn client(&self, id: CompanyId) -> Option<&ClientAging> {
        self.clients.iter().find(|c| c.client == id)
    }
}

/// Puts each open amount in its bucket as of `as_of`, per client; clients
/// with only a credit appear too. `names` gives each client's name (a
/// client without one is shown under its id); clients are sorted by name
/// without accents, then id.
pub fn aged_balance(
    as_of: Date,
    open: &[OpenAmount],
    credits: &[ClientCredit],
    names: &dyn Fn(CompanyId) -> Option<String>,
) -> AgedBalance {
    use std::collections::BTreeMap;
    let mut per: BTreeMap<CompanyId, (Buckets, Money)> = BTreeMap::new();
    for o in open {
        per.entry(o.client)
            .or_default()
            .0
            .add(Bucket::of(o.due, as_of), o.amount);
    }
    for c in credits.iter().filter(|c| !c.amount.is_zero()) {
        per.entry(c.client).or_default().1 += c.amount;
    }
    let mut clients: Vec<ClientAging> = per
        .into_iter()
        .map(|(client, (buckets, credit))| ClientAging {
            client,
            name: names(client).unwrap_or_else(|| client.to_string()),
            buckets,
            credit,
        })
        .collect();
    clients.sort_by_cached_key(|c| (crate::validation::fold_accents(&c.name), c.client));
    let mut totals = Buckets::default();
    let mut credit = Money::ZERO;
    for c in &clients {
        totals.merge(&c.buckets);
        credit += c.credit;
    }
    AgedBalance {
        as_of,
        clients,
        totals,
        credit,
    }
}

// ---------------------------------------------------------------- DSO

/// Rounds a number of days to one decimal, half away from zero: the only
/// rounding of DSO figures.
pub fn round_days(d: Decimal) -> Decimal {
    let mut r = d.round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero);
    r.rescale(1);
    r
}

/// A number of days as the reader writes it: `65,7` in French, `65.7` in
/// English (one decimal, as [`round_days`] leaves it).
pub fn format_days(d: Decimal, locale: crate::Locale) -> String {
    let s = round_days(d).to_string();
    match locale {
        crate::Locale::Fr => s.replace('.', ","),
        crate::Locale::En => s,
    }
}

/// `date` moved back `n` months, the day kept or brought to the month's
/// last day (31 March − 1 month = 28 or 29 February).
pub fn months_back(date: Date, n: u32) -> Date {
    let total = date.year() * 12 + (date.month() as i32 - 1) - n as i32;
    let (year, month0) = (total.div_euclid(12), total.rem_euclid(12));
    let month = Month::try_from(month0 as u8 + 1).expect("a month from 1 to 12");
    let last = time::util::days_in_month(month, year);
    let day = if date.day() == time::util::days_in_month(date.month(), date.year()) {
        // The last day of a month goes to the last day of the other, so
        // that periods ending at a month's end are calendar months.
        last
    } else {
        date.day().min(last)
    };
    Date::from_calendar_date(year, month, day).expect("a valid day")
}

/// One month of a DSO period: from `from` to `to` inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PeriodMonth {
    pub from: Date,
    pub to: Date,
}

impl PeriodMonth {
    pub fn days(self) -> i64 {
        (self.to - self.from).whole_days() + 1
    }
}

/// The `months` months ending at `end` (included), latest first: calendar
/// months when `end` is a month's last day, otherwise rolling months
/// (16 October – 15 November, …).
pub fn period_months(end: Date, months: u32) -> Vec<PeriodMonth> {
    (0..months)
        .map(|i| PeriodMonth {
            from: months_back(end, i + 1) + Duration::days(1),
            to: months_back(end, i),
        })
        .collect()
}

/// The revenue (TTC, the sales journal's 411 debits less its credits) of
/// one month of the period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct MonthRevenue {
    pub month: PeriodMonth,
    pub revenue: Money,
}

/// What DSO is computed from: the receivables at the end date (411
/// customers and 4181 accrued revenue, both TTC) and the revenue of each
/// month of the period, latest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DsoFigures {
    pub end: Date,
    pub customers: Money,
    pub accrued: Money,
    pub months: Vec<MonthRevenue>,
}

impl DsoFigures {
    /// 411 + 4181.
    pub fn receivables(&self) -> Money {
        self.customers + self.accrued
    }

    pub fn revenue(&self) -> Money {
        self.months.iter().map(|m| m.revenue).sum()
    }

    pub fn days(&self) -> i64 {
        self.months.iter().map(|m| m.month.days()).sum()
    }

    /// The first day of the period.
    pub fn start(&self) -> Option<Date> {
        self.months.last().map(|m| m.month.from)
    }
}

/// DSO, simple method: receivables ÷ revenue of the period × days of the
/// period. `None` when the period has no revenue (nothing to divide by).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SimpleDso {
    pub receivables: Money,
    pub revenue: Money,
    pub days: i64,
    pub value: Option<Decimal>,
}

pub fn dso_simple(f: &DsoFigures) -> SimpleDso {
    let (receivables, revenue, days) = (f.receivables(), f.revenue(), f.days());
    let value = (revenue.cents() > 0).then(|| {
        if receivables.cents() <= 0 {
            return round_days(Decimal::ZERO);
        }
        round_days(receivables.to_decimal() * Decimal::from(days) / revenue.to_decimal())
    });
    SimpleDso {
        receivables,
        revenue,
        days,
        value,
    }
}

/// One month consumed by the count-back: the part of the receivables it
/// explains and the days it counts (all its days, or a pro-rata).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CountBackStep {
    pub month: MonthRevenue,
    /// Receivables left before this month.
    pub before: Money,
    pub days: Decimal,
    /// Whether the month counted only a pro-rata of its days (the last).
    pub partial: bool,
}

/// DSO, count-back method: each month's revenue is taken from the
/// receivables, latest month first; the full months count all their days,
/// the last one its pro-rata (receivables left ÷ its revenue × its days).
/// When the period's revenue does not explain all the receivables, the
/// value is the whole period's days and `exhausted` says it is a floor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CountBackDso {
    pub receivables: Money,
    pub steps: Vec<CountBackStep>,
    pub value: Decimal,
    pub exhausted: bool,
}

pub fn dso_count_back(f: &DsoFigures) -> CountBackDso {
    let receivables = f.receivables();
    let mut left = receivables.cents().max(0);
    let mut steps = Vec::new();
    let mut days = Decimal::ZERO;
    for m in &f.months {
        if left == 0 {
            break;
        }
        // A month with no sales (or more credit notes than sales) explains
        // nothing: the receivables are older, the whole month counts.
        let revenue = m.revenue.cents().max(0);
        let month_days = Decimal::from(m.month.days());
        let before = Money::from_cents(left);
        if left >= revenue {
            days += month_days;
            left -= revenue;
            steps.push(CountBackStep {
                month: *m,
                before,
                days: month_days,
                partial: false,
            });
        } else {
            let part = Decimal::from(left) * month_days / Decimal::from(revenue);
            days += part;
            left = 0;
            steps.push(CountBackStep {
                month: *m,
                before,
                days: round_days(part),
                partial: true,
            });
        }
    }
    CountBackDso {
        receivables,
        steps,
        value: round_days(days),
        exhausted: left > 0,
    }
}

// ---------------------------------------------------------------- cash-in

/// One week of the expected cash-in: amounts due from `from` to `to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ForecastWeek {
    pub from: Date,
    pub to: Date,
    pub amount: Money,
}

/// Expected cash-in from the due dates of the open amounts: what is
/// already late ("en retard"), then week by week over `horizon_days` from
/// `today` (included; the last week may be shorter), then what falls due
/// later.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Forecast {
    pub today: Date,
    pub horizon_days: i64,
    pub overdue: Money,
    pub weeks: Vec<ForecastWeek>,
    pub later: Money,
}

impl Forecast {
    /// Late plus the weeks: what is expected within the horizon.
    pub fn within(&self) -> Money {
        self.overdue + self.weeks.iter().map(|w| w.amount).sum::<Money>()
    }

    pub fn total(&self) -> Money {
        self.within() + self.later
    }
}

pub fn cash_in_forecast(today: Date, horizon_days: i64, open: &[OpenAmount]) -> Forecast {
    let horizon_days = horizon_days.max(1);
    let last = today + Duration::days(horizon_days - 1);
    let mut weeks: Vec<ForecastWeek> = (0..horizon_days.div_euclid(7)
        + i64::from(horizon_days % 7 != 0))
        .map(|k| {
            let from = today + Duration::days(7 * k);
            ForecastWeek {
                from,
                to: (from + Duration::days(6)).min(last),
                amount: Money::ZERO,
            }
        })
        .collect();
    let (mut overdue, mut later) = (Money::ZERO, Money::ZERO);
    for o in open {
        if o.due < today {
            overdue += o.amount;
        } else if o.due > last {
            later += o.amount;
        } else {
            let k = ((o.due - today).whole_days() / 7) as usize;
            weeks[k].amount += o.amount;
        }
    }
    Forecast {
        today,
        horizon_days,
        overdue,
        weeks,
        later,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::str::FromStr;
    use time::macros::date;

    fn eur(n: i64) -> Money {
        Money::from_euros(n)
    }

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn an_amount_is_late_from_the_day_after_its_due_date() {
        let due = date!(2026 - 10 - 31);
        assert_eq!(Bucket::of(due, date!(2026 - 10 - 01)), Bucket::NotDue);
        assert_eq!(Bucket::of(due, due), Bucket::NotDue);
        assert_eq!(Bucket::of(due, date!(2026 - 11 - 01)), Bucket::Days0To30);
        assert_eq!(Bucket::of(due, date!(2026 - 11 - 30)), Bucket::Days0To30);
        assert_eq!(Bucket::of(due, date!(2026 - 12 - 01)), Bucket::Days31To60);
        assert_eq!(Bucket::of(due, date!(2026 - 12 - 30)), Bucket::Days31To60);
        assert_eq!(Bucket::of(due, date!(2026 - 12 - 31)), Bucket::Days61To90);
        assert_eq!(Bucket::of(due, date!(2027 - 01 - 29)), Bucket::Days61To90);
        assert_eq!(Bucket::of(due, date!(2027 - 01 - 30)), Bucket::Over90);
        assert_eq!(days_late(due, date!(2026 - 12 - 10)), 40);
        assert_eq!(days_late(due, date!(2026 - 10 - 10)), 0);
    }

    #[test]
    fn what_fell_due_by_the_over_90_day_is_over_90_days_late() {
        for as_of in [
            date!(2026 - 01 - 30),
            date!(2026 - 03 - 01),
            date!(2026 - 12 - 07),
        ] {
            let by = Bucket::over_90_due_by(as_of);
            assert_eq!(Bucket::of(by, as_of), Bucket::Over90);
            assert_eq!(Bucket::of(by - Duration::days(400), as_of), Bucket::Over90);
            assert_eq!(
                Bucket::of(by + Duration::days(1), as_of),
                Bucket::Days61To90
            );
        }
    }

    #[test]
    fn the_aged_balance_groups_by_client_and_deducts_credits() {
        let (a, b, c) = (CompanyId::new(), CompanyId::new(), CompanyId::new());
        let as_of = date!(2026 - 12 - 10);
        let open = vec![
            OpenAmount {
                client: a,
                due: date!(2026 - 12 - 31),
                amount: eur(14_400),
            },
            OpenAmount {
                client: a,
                due: date!(2026 - 10 - 31),
                amount: eur(7_200),
            },
            OpenAmount {
                client: b,
                due: date!(2026 - 08 - 31),
                amount: eur(1_000),
            },
        ];
        let credits = vec![
            ClientCredit {
                client: a,
                amount: eur(100),
            },
            ClientCredit {
                client: c,
                amount: eur(50),
            },
        ];
        let names = move |id: CompanyId| {
            Some(
                if id == a {
                    "Clientis"
                } else if id == b {
                    "Atelier"
                } else {
                    "Énergie"
                }
                .to_owned(),
            )
        };
        let ab = aged_balance(as_of, &open, &credits, &names);
        let order: Vec<&str> = ab.clients.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(order, ["Atelier", "Clientis", "Énergie"]);
        let clientis = ab.client(a).unwrap();
        assert_eq!(clientis.buckets.get(Bucket::NotDue), eur(14_400));
        assert_eq!(clientis.buckets.get(Bucket::Days31To60), eur(7_200));
        assert_eq!(clientis.net(), eur(21_500));
        assert_eq!(
            ab.client(b).unwrap().buckets.get(Bucket::Over90),
            eur(1_000)
        );
        assert_eq!(ab.client(c).unwrap().total(), Money::ZERO);
        assert_eq!(ab.total(), eur(22_600));
        assert_eq!(ab.credit, eur(150));
        assert_eq!(ab.net(), eur(22_450));
        assert_eq!(ab.totals.overdue(), eur(8_200));
    }

    #[test]
    fn months_back_keeps_month_ends() {
        assert_eq!(months_back(date!(2026 - 03 - 31), 1), date!(2026 - 02 - 28));
        assert_eq!(months_back(date!(2026 - 02 - 28), 1), date!(2026 - 01 - 31));
        assert_eq!(
            months_back(date!(2026 - 11 - 15), 12),
            date!(2025 - 11 - 15)
        );
        assert_eq!(months_back(date!(2026 - 01 - 30), 2), date!(2025 - 11 - 30));
        let p = period_months(date!(2026 - 11 - 30), 3);
        assert_eq!(
            p.iter()
                .map(|m| (m.from, m.to, m.days()))
                .collect::<Vec<_>>(),
            [
                (date!(2026 - 11 - 01), date!(2026 - 11 - 30), 30),
                (date!(2026 - 10 - 01), date!(2026 - 10 - 31), 31),
                (date!(2026 - 09 - 01), date!(2026 - 09 - 30), 30),
            ]
        );
        let rolling = period_months(date!(2026 - 11 - 15), 2);
        assert_eq!(rolling[0].from, date!(2026 - 10 - 16));
        assert_eq!(rolling[1].to, date!(2026 - 10 - 15));
        assert_eq!(rolling[1].from, date!(2026 - 09 - 16));
    }

    fn figures(customers: i64, accrued: i64, revenue: &[i64]) -> DsoFigures {
        let end = date!(2026 - 11 - 30);
        DsoFigures {
            end,
            customers: eur(customers),
            accrued: eur(accrued),
            months: period_months(end, revenue.len() as u32)
                .into_iter()
                .zip(revenue)
                .map(|(month, r)| MonthRevenue {
                    month,
                    revenue: eur(*r),
                })
                .collect(),
        }
    }

    /// 28 800 owed, 14 400 invoiced each month: simple 28 800 ÷ 43 200 × 91
    /// = 60,666… → 60,7 days; count-back November (30) + October (31) = 61.
    #[test]
    fn dso_by_hand_two_months_of_receivables() {
        let f = figures(28_800, 0, &[14_400, 14_400, 14_400]);
        let s = dso_simple(&f);
        assert_eq!(
            (s.receivables, s.revenue, s.days),
            (eur(28_800), eur(43_200), 91)
        );
        assert_eq!(s.value, Some(dec("60.7")));
        let c = dso_count_back(&f);
        assert_eq!(c.value, dec("61.0"));
        assert!(!c.exhausted);
        assert_eq!(c.steps.len(), 2);
        assert!(c.steps.iter().all(|s| !s.partial));
        assert_eq!(c.steps[1].before, eur(14_400));
    }

    /// 20 000 owed (411 18 000 + FAE 2 000), November 12 000, October
    /// 16 000: November whole (30 days), then 8 000 of October's 16 000 →
    /// 15,5 days: 45,5. Simple: 20 000 ÷ 28 000 × 61 = 43,571… → 43,6.
    #[test]
    fn dso_by_hand_with_a_pro_rata_and_accrued_revenue() {
        let f = figures(18_000, 2_000, &[12_000, 16_000]);
        assert_eq!(dso_simple(&f).value, Some(dec("43.6")));
        let c = dso_count_back(&f);
        assert_eq!(c.value, dec("45.5"));
        assert!(c.steps[1].partial);
        assert_eq!(c.steps[1].days, dec("15.5"));
        assert_eq!(c.steps[1].before, eur(8_000));
    }

    #[test]
    fn dso_without_revenue_or_receivables() {
        let f = figures(10_000, 0, &[0, 0, 0]);
        assert_eq!(dso_simple(&f).value, None);
        let c = dso_count_back(&f);
        assert_eq!(c.value, dec("91.0"));
        assert!(c.exhausted);
        let nothing = figures(0, 0, &[1_000, 1_000, 1_000]);
        assert_eq!(dso_simple(&nothing).value, Some(dec("0.0")));
        assert_eq!(dso_count_back(&nothing).value, dec("0.0"));
        assert!(dso_count_back(&nothing).steps.is_empty());
        // A month with no sales counts whole: the debt is older than it.
        let gap = figures(15_000, 0, &[0, 10_000, 10_000]);
        // November 30 + October 31 (5 000 left) + half of September 15 = 76.
        assert_eq!(dso_count_back(&gap).value, dec("76.0"));
    }

    #[test]
    fn days_round_half_away_from_zero_to_one_decimal() {
        assert_eq!(round_days(dec("60.65")), dec("60.7"));
        assert_eq!(round_days(dec("60.64999")), dec("60.6"));
        assert_eq!(round_days(dec("3")).to_string(), "3.0");
        assert_eq!(format_days(dec("65.72"), crate::Locale::Fr), "65,7");
        assert_eq!(format_days(dec("5"), crate::Locale::En), "5.0");
    }

    #[test]
    fn the_forecast_puts_late_amounts_apart_and_the_rest_by_week() {
        let c = CompanyId::new();
        let today = date!(2026 - 12 - 01);
        let at = |due, n| OpenAmount {
            client: c,
            due,
            amount: eur(n),
        };
        let f = cash_in_forecast(
            today,
            90,
            &[
                at(date!(2026 - 11 - 15), 1_000),
                at(date!(2026 - 12 - 01), 200),
                at(date!(2026 - 12 - 07), 300),
                at(date!(2026 - 12 - 08), 400),
                at(date!(2027 - 02 - 28), 500),
                at(date!(2027 - 03 - 01), 600),
            ],
        );
        assert_eq!(f.overdue, eur(1_000));
        assert_eq!(f.weeks.len(), 13);
        assert_eq!(f.weeks[0].amount, eur(500));
        assert_eq!(f.weeks[1].amount, eur(400));
        assert_eq!(f.weeks[12].from, date!(2027 - 02 - 23));
        assert_eq!(f.weeks[12].to, date!(2027 - 02 - 28));
        assert_eq!(f.weeks[12].amount, eur(500));
        assert_eq!(f.later, eur(600));
        assert_eq!(f.within(), eur(2_400));
        assert_eq!(f.total(), eur(3_000));
    }

    fn open_amounts() -> impl Strategy<Value = Vec<(u8, i64, i64)>> {
        prop::collection::vec((0u8..4, -200i64..200, 1i64..10_000_000), 0..40)
    }

    proptest! {
        #[test]
        fn buckets_add_up_to_the_total(items in open_amounts(), credit in 0i64..1_000_000) {
            let ids: Vec<CompanyId> = (0..4).map(|_| CompanyId::new()).collect();
            let as_of = date!(2026 - 06 - 30);
            let open: Vec<OpenAmount> = items
                .iter()
                .map(|(c, d, a)| OpenAmount {
                    client: ids[*c as usize],
                    due: as_of + Duration::days(*d),
                    amount: Money::from_cents(*a),
                })
                .collect();
            let credits = vec![ClientCredit { client: ids[0], amount: Money::from_cents(credit) }];
            let ab = aged_balance(as_of, &open, &credits, &|_| None);
            let sum: Money = open.iter().map(|o| o.amount).sum();
            prop_assert_eq!(ab.total(), sum);
            prop_assert_eq!(ab.totals.amounts().iter().copied().sum::<Money>(), sum);
            prop_assert_eq!(ab.clients.iter().map(|c| c.total()).sum::<Money>(), sum);
            prop_assert_eq!(ab.net(), sum - Money::from_cents(credit));
            let f = cash_in_forecast(as_of, 90, &open);
            prop_assert_eq!(f.total(), sum);
            prop_assert_eq!(f.overdue, ab.totals.overdue());
        }

        #[test]
        fn count_back_never_exceeds_the_days_available(
            owed in -1_000_000i64..100_000_000,
            revenue in prop::collection::vec(-1_000_000i64..20_000_000, 1..13),
        ) {
            let end = date!(2026 - 11 - 30);
            let f = DsoFigures {
                end,
                customers: Money::from_cents(owed),
                accrued: Money::ZERO,
                months: period_months(end, revenue.len() as u32)
                    .into_iter()
                    .zip(&revenue)
                    .map(|(month, r)| MonthRevenue { month, revenue: Money::from_cents(*r) })
                    .collect(),
            };
            let c = dso_count_back(&f);
            prop_assert!(c.value >= Decimal::ZERO);
            prop_assert!(c.value <= Decimal::from(f.days()));
            prop_assert_eq!(c.exhausted, owed > revenue.iter().map(|r| (*r).max(0)).sum::<i64>());
            if c.exhausted {
                prop_assert_eq!(c.value, Decimal::from(f.days()));
            }
            let s = dso_simple(&f);
            prop_assert_eq!(s.value.is_none(), f.revenue().cents() <= 0);
        }
    }
}
