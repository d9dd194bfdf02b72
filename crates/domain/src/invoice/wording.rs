//! The wording of invoice lines, in French as printed. A drafted line says
//! who worked, which month, and the days at the daily rate, three parts
//! apart by " — " ("Prestation de Camille Martin — novembre 2026 — 20 j ×
//! 600,00 €"). A credit note's line cites the invoice, the first two parts
//! of the line it credits and its own count; a drafted line that loses days
//! (a corrected report) keeps its words with the new count.

use crate::Locale;
use crate::calendar::YearMonth;
use crate::mission::DayQuantity;
use crate::money::Money;

/// What separates the parts of a line's description.
pub const SEPARATOR: &str = " — ";

/// The days of `consultant` in `month` at `unit_price` a day.
pub fn service_line(
    consultant: &str,
    month: YearMonth,
    quantity: DayQuantity,
    unit_price: Money,
) -> String {
    format!(
        "Prestation de {consultant} — {} — {} j × {}",
        month.label_fr(),
        quantity.format(Locale::Fr),
        unit_price.format(Locale::Fr)
    )
}

/// The line of a credit note of `invoice_number` giving back `quantity`
/// days of the line described `credited`: its first two parts (who and
/// which month, for a drafted line; all of a description without parts),
/// then the days given back at `unit_price`.
pub fn credit_line(
    invoice_number: &str,
    credited: &str,
    quantity: DayQuantity,
    unit_price: Money,
) -> String {
    format!(
        "Avoir sur {invoice_number} : {} — {} j × {}",
        credited
            .split(SEPARATOR)
            .take(2)
            .collect::<Vec<_>>()
            .join(SEPARATOR),
        quantity.format(Locale::Fr),
        unit_price.format(Locale::Fr)
    )
}

/// `description` with `quantity` days instead of its own, when it is a
/// drafted line's ("who — month — n j × price"); any other description
/// unchanged.
pub fn retitle(description: &str, quantity: DayQuantity) -> String {
    let parts: Vec<&str> = description.split(SEPARATOR).collect();
    match parts.as_slice() {
        [who, month, last] if last.contains(" j × ") => {
            let price = last.split(" j × ").nth(1).unwrap_or_default();
            format!(
                "{who} — {month} — {} j × {price}",
                quantity.format(Locale::Fr)
            )
        }
        _ => description.to_owned(),
    }
}

#[cfg(test)]
#[allow(clippy::inconsistent_digit_grouping)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn november() -> YearMonth {
        YearMonth::parse("2026-11").unwrap()
    }

    fn days(half_days: u32) -> DayQuantity {
        DayQuantity::from_half_days(half_days)
    }

    #[test]
    fn a_drafted_line_names_who_when_and_the_days_at_the_rate() {
        assert_eq!(
            service_line(
                "Camille Martin",
                november(),
                days(40),
                Money::from_cents(600_00)
            ),
            "Prestation de Camille Martin — novembre 2026 — 20 j × 600,00\u{a0}€"
        );
    }

    #[test]
    fn a_credit_line_cites_the_invoice_and_the_line_credited() {
        let drafted = service_line(
            "Camille Martin",
            november(),
            days(40),
            Money::from_cents(600_00),
        );
        assert_eq!(
            credit_line(
                "FA-2026-000001",
                &drafted,
                days(3),
                Money::from_cents(600_00)
            ),
            "Avoir sur FA-2026-000001 : Prestation de Camille Martin — novembre 2026 — 1,5 j × 600,00\u{a0}€"
        );
        // A description without parts is cited whole; one with more, its
        // first two parts.
        assert_eq!(
            credit_line(
                "FA-2026-000002",
                "Forfait",
                days(2),
                Money::from_cents(1_000_00)
            ),
            "Avoir sur FA-2026-000002 : Forfait — 1 j × 1\u{202f}000,00\u{a0}€"
        );
        assert_eq!(
            credit_line(
                "FA-2026-000003",
                "A — B — C — D",
                days(2),
                Money::from_cents(1_00)
            ),
            "Avoir sur FA-2026-000003 : A — B — 1 j × 1,00\u{a0}€"
        );
    }

    #[test]
    fn a_line_is_retitled_with_its_new_count() {
        assert_eq!(
            retitle(
                "Prestation de Camille Martin — novembre 2026 — 20 j × 600,00 €",
                days(37)
            ),
            "Prestation de Camille Martin — novembre 2026 — 18,5 j × 600,00 €"
        );
        assert_eq!(retitle("Forfait", days(2)), "Forfait");
        assert_eq!(retitle("A — B — C", days(2)), "A — B — C");
    }

    proptest! {
        /// A drafted line retitled says what drafting the new count would
        /// have said, and its credit line keeps who and when.
        #[test]
        fn drafted_lines_keep_their_words(
            who in "[A-Z][a-zé]{1,12} [A-Z][a-z]{1,12}",
            month in 1u8..=12,
            before in 1u32..100,
            after in 1u32..100,
            price in 1i64..500_000,
        ) {
            let month = YearMonth::parse(&format!("2026-{month:02}")).unwrap();
            let price = Money::from_cents(price);
            let drafted = service_line(&who, month, days(before), price);
            prop_assert_eq!(retitle(&drafted, days(after)), service_line(&who, month, days(after), price));
            let credit = credit_line("FA-2026-000001", &drafted, days(after), price);
            let expected = format!(
                "Avoir sur FA-2026-000001 : Prestation de {who} — {} — {} j × {}",
                month.label_fr(),
                days(after).format(Locale::Fr),
                price.format(Locale::Fr)
            );
            prop_assert_eq!(credit, expected);
        }
    }
}
