//! Credit notes by days: which billed half days a credit note gives back,
//! the lines it prints (one per line of the invoice it credits, in the
//! invoice's order, in the words of [`wording::credit_line`]) and its
//! totals. A day is given back at most once: only the days the invoice
//! still bills may be chosen. The credit note that gives back the last
//! days takes exactly what is left of the invoice, so the invoice and its
//! credit notes net to zero to the cent.
//!
//! A report corrected after invoicing is reconciled with what was billed:
//! [`stale`] sorts the billed days it no longer has into days to take off
//! drafts and days to credit on issued invoices.

use std::collections::{BTreeMap, BTreeSet};

use time::Date;

use super::drafting::BilledDay;
use super::{InvoiceLine, Totals, totals, wording};
use crate::cra::Half;
use crate::ids::MissionId;
use crate::mission::DayQuantity;
use crate::money::Money;
use crate::terms::VatRate;

/// What a credit note gives back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CreditSelection {
    /// Every day the invoice still bills.
    All,
    Days(Vec<BilledDay>),
}

/// Why a credit note is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CreditRefusal {
    /// These days are not billed by the invoice any more (never on it, or
    /// credited already): crediting them would credit more than it bills.
    NotOnInvoice(Vec<BilledDay>),
    NothingSelected,
    /// The credit note would exceed the invoice, or credit nothing.
    LargerThanInvoice,
}

impl CreditRefusal {
    pub fn key(&self) -> &'static str {
        match self {
            CreditRefusal::NotOnInvoice(_) => "credit-days-not-on-invoice",
            CreditRefusal::NothingSelected => "credit-nothing-selected",
            CreditRefusal::LargerThanInvoice => "credit-larger-than-invoice",
        }
    }
}

/// The days `selection` gives back among the `live` days of an invoice
/// (each with the key of the line that bills it), in the order of `live`.
pub fn choose<K: Clone>(
    live: &[(BilledDay, K)],
    selection: &CreditSelection,
) -> Result<Vec<(BilledDay, K)>, CreditRefusal> {
    let chosen: Vec<(BilledDay, K)> = match selection {
        CreditSelection::All => live.to_vec(),
        CreditSelection::Days(days) => {
            let wanted: BTreeSet<BilledDay> = days.iter().copied().collect();
            let found: Vec<(BilledDay, K)> = live
                .iter()
                .filter(|(d, _)| wanted.contains(d))
                .cloned()
                .collect();
            let on: BTreeSet<BilledDay> = found.iter().map(|(d, _)| *d).collect();
            let off: Vec<BilledDay> = wanted.difference(&on).copied().collect();
            if !off.is_empty() {
                return Err(CreditRefusal::NotOnInvoice(off));
            }
            found
        }
    };
    if chosen.is_empty() {
        return Err(CreditRefusal::NothingSelected);
    }
    Ok(chosen)
}

/// A line of the invoice being credited, as its credit note needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreditedLine<K> {
    pub key: K,
    pub description: String,
    pub unit_price: Money,
    pub vat_rate: VatRate,
}

/// A line of a credit note: the invoice line it credits and the days it
/// gives back (in the order chosen).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreditLine<K> {
    pub credits: K,
    pub line: InvoiceLine,
    pub days: Vec<BilledDay>,
    /// First and last day given back.
    pub from: Date,
    pub to: Date,
}

/// The lines of the credit note of `invoice_number` giving back `chosen`:
/// one per credited line that has chosen days, in the order of `invoice`
/// (the invoice's lines in position order), at that line's price and rate.
pub fn lines<K: Ord + Clone>(
    invoice_number: &str,
    invoice: &[CreditedLine<K>],
    chosen: &[(BilledDay, K)],
) -> Vec<CreditLine<K>> {
    let mut per_line: BTreeMap<&K, Vec<BilledDay>> = BTreeMap::new();
    for (d, line) in chosen {
        per_line.entry(line).or_default().push(*d);
    }
    invoice
        .iter()
        .filter_map(|s| {
            let days = per_line.get(&s.key)?;
            let quantity = DayQuantity::from_half_days(days.len() as u32);
            Some(CreditLine {
                credits: s.key.clone(),
                line: InvoiceLine {
                    description: wording::credit_line(
                        invoice_number,
                        &s.description,
                        quantity,
                        s.unit_price,
                    ),
                    quantity,
                    unit_price: s.unit_price,
                    vat_rate: s.vat_rate,
                },
                days: days.clone(),
                from: days.iter().map(|d| d.day).min()?,
                to: days.iter().map(|d| d.day).max()?,
            })
        })
        .collect()
}

/// The totals of a credit note made of `lines`. When it gives back every
/// day the invoice still bills (`left` is then what is left of the
/// invoice once its earlier credit notes are taken away), it takes exactly
/// `left`, whatever its own rounding. Refused when it would exceed
/// `invoice_gross` or credit nothing.
pub fn credit_totals<K>(
    lines: &[CreditLine<K>],
    left: Option<Totals>,
    invoice_gross: Money,
) -> Result<Totals, CreditRefusal> {
    let t = match left {
        Some(left) => left,
        None => totals(&lines.iter().map(|l| l.line.clone()).collect::<Vec<_>>()),
    };
    if t.gross > invoice_gross || t.net <= Money::ZERO {
        return Err(CreditRefusal::LargerThanInvoice);
    }
    Ok(t)
}

/// One billed day of a consultant's month, as reconciling reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Billed<L, I> {
    pub day: Date,
    pub half: Half,
    /// The line that bills it, its mission and its invoice.
    pub line: L,
    pub mission: Option<MissionId>,
    pub invoice: I,
    pub issued: bool,
}

/// The billed days a corrected report no longer has on their mission:
/// per draft line, the days to take off it; per issued invoice, the days
/// to credit (each with its line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stale<L, I> {
    pub drafts: BTreeMap<L, Vec<(Date, Half)>>,
    pub issued: BTreeMap<I, Vec<(Date, Half, L)>>,
}

/// Sorts the `billed` days of a consultant's month that `worked` (the
/// validated report's mission half days) no longer has.
pub fn stale<L: Ord + Clone, I: Ord + Clone>(
    billed: &[Billed<L, I>],
    worked: &BTreeSet<(Date, Half, Option<MissionId>)>,
) -> Stale<L, I> {
    let mut out = Stale {
        drafts: BTreeMap::new(),
        issued: BTreeMap::new(),
    };
    for b in billed {
        if worked.contains(&(b.day, b.half, b.mission)) {
            continue;
        }
        if b.issued {
            out.issued
                .entry(b.invoice.clone())
                .or_default()
                .push((b.day, b.half, b.line.clone()));
        } else {
            out.drafts
                .entry(b.line.clone())
                .or_default()
                .push((b.day, b.half));
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::inconsistent_digit_grouping)]
mod tests {
    use super::*;
    use crate::ids::UserId;
    use proptest::prelude::*;
    use time::macros::date;

    fn consultant() -> UserId {
        UserId(uuid::Uuid::from_u128(7))
    }

    fn day(d: u8, half: Half) -> BilledDay {
        BilledDay {
            consultant_id: consultant(),
            day: date!(2026 - 11 - 01).replace_day(d).unwrap(),
            half,
        }
    }

    fn invoice_lines() -> Vec<CreditedLine<u32>> {
        let rate = VatRate::from_basis_points(2000).unwrap();
        vec![
            CreditedLine {
                key: 1,
                description: "Prestation de Camille Martin — novembre 2026 — 2 j × 600,00\u{a0}€"
                    .into(),
                unit_price: Money::from_cents(600_00),
                vat_rate: rate,
            },
            CreditedLine {
                key: 2,
                description: "Prestation de Camille Martin — novembre 2026 — 1 j × 650,00 €".into(),
                unit_price: Money::from_cents(650_00),
                vat_rate: rate,
            },
        ]
    }

    fn live() -> Vec<(BilledDay, u32)> {
        vec![
            (day(2, Half::Am), 1),
            (day(2, Half::Pm), 1),
            (day(3, Half::Am), 1),
            (day(3, Half::Pm), 1),
            (day(16, Half::Am), 2),
            (day(16, Half::Pm), 2),
        ]
    }

    #[test]
    fn only_days_the_invoice_still_bills_may_be_chosen() {
        assert_eq!(choose(&live(), &CreditSelection::All).unwrap(), live());
        let some = CreditSelection::Days(vec![day(3, Half::Pm), day(2, Half::Am)]);
        assert_eq!(
            choose(&live(), &some).unwrap(),
            vec![(day(2, Half::Am), 1), (day(3, Half::Pm), 1)]
        );
        let off = CreditSelection::Days(vec![day(2, Half::Am), day(4, Half::Am)]);
        assert_eq!(
            choose(&live(), &off),
            Err(CreditRefusal::NotOnInvoice(vec![day(4, Half::Am)]))
        );
        assert_eq!(
            choose(&live(), &CreditSelection::Days(vec![])),
            Err(CreditRefusal::NothingSelected)
        );
        assert_eq!(
            choose::<u32>(&[], &CreditSelection::All),
            Err(CreditRefusal::NothingSelected)
        );
    }

    #[test]
    fn one_credit_line_per_invoice_line_in_its_order() {
        let chosen = vec![
            (day(16, Half::Am), 2),
            (day(2, Half::Am), 1),
            (day(3, Half::Pm), 1),
        ];
        let l = lines("FA-2026-000001", &invoice_lines(), &chosen);
        assert_eq!(l.len(), 2);
        assert_eq!(l[0].credits, 1);
        assert_eq!(
            l[0].line.description,
            "Avoir sur FA-2026-000001 : Prestation de Camille Martin — novembre 2026 — 1 j × 600,00\u{a0}€"
        );
        assert_eq!(l[0].line.net(), Money::from_cents(600_00));
        assert_eq!(
            (l[0].from, l[0].to),
            (date!(2026 - 11 - 02), date!(2026 - 11 - 03))
        );
        assert_eq!(l[1].line.net(), Money::from_cents(325_00));
        let t = credit_totals(&l, None, Money::from_cents(2760_00)).unwrap();
        assert_eq!(t.gross, Money::from_cents(1110_00));
        assert_eq!(
            credit_totals(&l, None, Money::from_cents(1000_00)),
            Err(CreditRefusal::LargerThanInvoice)
        );
    }

    #[test]
    fn the_last_days_take_exactly_what_is_left() {
        let l = lines("FA-2026-000001", &invoice_lines(), &live());
        let left = Totals {
            net: Money::from_cents(1850_00),
            breakdown: Vec::new(),
            vat: Money::from_cents(369_99),
            gross: Money::from_cents(2219_99),
        };
        let t = credit_totals(&l, Some(left.clone()), Money::from_cents(2220_00)).unwrap();
        assert_eq!(t, left);
        assert_eq!(
            credit_totals(&l, Some(Totals::zero()), Money::from_cents(2220_00)),
            Err(CreditRefusal::LargerThanInvoice)
        );
    }

    #[test]
    fn a_corrected_report_takes_days_off_drafts_and_credits_issued_ones() {
        let m = Some(MissionId(uuid::Uuid::from_u128(1)));
        let b = |d: u8, half, line: u32, issued| Billed {
            day: date!(2026 - 11 - 01).replace_day(d).unwrap(),
            half,
            line,
            mission: m,
            invoice: if issued { "FA" } else { "draft" },
            issued,
        };
        let billed = vec![
            b(2, Half::Am, 1, true),
            b(3, Half::Am, 1, true),
            b(20, Half::Pm, 5, false),
        ];
        let worked: BTreeSet<_> = [(date!(2026 - 11 - 02), Half::Am, m)].into();
        let s = stale(&billed, &worked);
        assert_eq!(s.issued["FA"], vec![(date!(2026 - 11 - 03), Half::Am, 1)]);
        assert_eq!(s.drafts[&5], vec![(date!(2026 - 11 - 20), Half::Pm)]);
        // The same day on another mission is not the day billed.
        let elsewhere: BTreeSet<_> = [(date!(2026 - 11 - 02), Half::Am, None)].into();
        assert_eq!(stale(&billed[..1], &elsewhere).issued["FA"].len(), 1);
    }

    proptest! {
        /// Whatever is chosen, each day chosen is credited once, on the
        /// line that billed it, at that line's price: no day twice, none
        /// lost, none foreign.
        #[test]
        fn every_chosen_day_is_credited_once_on_its_line(mask in proptest::collection::vec(any::<bool>(), 6)) {
            let picked: Vec<BilledDay> = live().iter().zip(&mask).filter(|(_, m)| **m).map(|(d, _)| d.0).collect();
            let chosen = match choose(&live(), &CreditSelection::Days(picked.clone())) {
                Ok(c) => c,
                Err(e) => {
                    prop_assert!(picked.is_empty());
                    prop_assert_eq!(e, CreditRefusal::NothingSelected);
                    return Ok(());
                }
            };
            let l = lines("FA-2026-000001", &invoice_lines(), &chosen);
            let mut seen = BTreeSet::new();
            for c in &l {
                prop_assert_eq!(c.line.quantity.half_days() as usize, c.days.len());
                let source = invoice_lines().into_iter().find(|s| s.key == c.credits).unwrap();
                prop_assert_eq!(c.line.unit_price, source.unit_price);
                for d in &c.days {
                    prop_assert!(live().contains(&(*d, c.credits)));
                    prop_assert!(seen.insert(*d));
                }
            }
            let expected: BTreeSet<BilledDay> = picked.into_iter().collect();
            prop_assert_eq!(seen, expected);
        }
    }
}
