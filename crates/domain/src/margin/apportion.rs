//! Splitting an amount into parts that add up to it to the cent.
//!
//! A margin shared 70/30 between two business managers, or a bench cost
//! spread over missions by their days, must not lose or invent a cent:
//! rounding each part on its own would (three thirds of 100,00 € give
//! 99,99 €), and the totals by business manager would then disagree with
//! the totals by mission. The largest-remainder method gives each part its
//! exact share rounded down, then hands the cents left over one by one to
//! the parts that lost the most; ties go to the earlier part, so the
//! result depends only on the order the caller gives.

use crate::money::Money;

/// `total` split in proportion to `weights`, each part within one cent of
/// its exact share, the parts adding up to `total` exactly. `None` when the
/// weights are all zero (or none are given): there is nothing to split by.
///
/// A negative total is split as its opposite and negated, so a loss is
/// shared exactly as a profit of the same size would be.
pub fn apportion(total: Money, weights: &[u64]) -> Option<Vec<Money>> {
    let sum: i128 = weights.iter().map(|&w| i128::from(w)).sum();
    if sum == 0 {
        return None;
    }
    let magnitude = i128::from(total.cents()).abs();
    let mut parts: Vec<i128> = Vec::with_capacity(weights.len());
    let mut remainders: Vec<(i128, usize)> = Vec::with_capacity(weights.len());
    for (i, &w) in weights.iter().enumerate() {
        // |total| < 2^63 and w < 2^64: the product fits in i128.
        let exact = magnitude * i128::from(w);
        parts.push(exact / sum);
        remainders.push((exact % sum, i));
    }
    let left = magnitude - parts.iter().sum::<i128>();
    // Largest remainder first; the earlier part first among equals.
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    // `left` < number of weights, hence a usize.
    let left = usize::try_from(left).expect("fewer cents left than parts");
    for &(_, i) in remainders.iter().take(left) {
        parts[i] += 1;
    }
    let negative = total.is_negative();
    Some(
        parts
            .into_iter()
            .map(|c| {
                let c = i64::try_from(c).expect("a part is at most the total");
                Money::from_cents(if negative { -c } else { c })
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn cents(v: &[Money]) -> Vec<i64> {
        v.iter().map(|m| m.cents()).collect()
    }

    #[test]
    fn thirds_of_a_hundred_euros_lose_no_cent() {
        let parts = apportion(Money::from_euros(100), &[1, 1, 1]).unwrap();
        assert_eq!(cents(&parts), vec![3334, 3333, 3333]);
        let loss = apportion(Money::from_euros(-100), &[1, 1, 1]).unwrap();
        assert_eq!(cents(&loss), vec![-3334, -3333, -3333]);
    }

    #[test]
    fn the_largest_remainder_takes_the_cent() {
        // 1,00 € split 70/30 is exact; 0,05 € split 70/30 is 0,035/0,015:
        // both remainders are a half, the earlier part takes the cent.
        assert_eq!(
            cents(&apportion(Money::from_euros(1), &[7000, 3000]).unwrap()),
            vec![70, 30]
        );
        assert_eq!(
            cents(&apportion(Money::from_cents(5), &[7000, 3000]).unwrap()),
            vec![4, 1]
        );
        // 0,10 € over 1, 2 and 7 half days: exact 0,01 / 0,02 / 0,07.
        assert_eq!(
            cents(&apportion(Money::from_cents(10), &[1, 2, 7]).unwrap()),
            vec![1, 2, 7]
        );
        // 0,02 € over 1, 1, 1: the first two take a cent each.
        assert_eq!(
            cents(&apportion(Money::from_cents(2), &[1, 1, 1]).unwrap()),
            vec![1, 1, 0]
        );
    }

    #[test]
    fn nothing_to_split_by() {
        assert_eq!(apportion(Money::from_euros(1), &[]), None);
        assert_eq!(apportion(Money::from_euros(1), &[0, 0]), None);
        assert_eq!(
            cents(&apportion(Money::from_euros(1), &[0, 5]).unwrap()),
            vec![0, 100]
        );
    }

    proptest! {
        /// The parts add up to the total, each within a cent of its exact
        /// share, and a part of weight zero gets nothing.
        #[test]
        fn parts_sum_exactly(total in -10_000_000_000i64..10_000_000_000, weights in prop::collection::vec(0u64..1_000_000, 1..12)) {
            let sum: u64 = weights.iter().sum();
            let parts = apportion(Money::from_cents(total), &weights);
            if sum == 0 {
                prop_assert!(parts.is_none());
            } else {
                let parts = parts.unwrap();
                prop_assert_eq!(parts.iter().sum::<Money>(), Money::from_cents(total));
                for (p, &w) in parts.iter().zip(&weights) {
                    let exact = i128::from(total) * i128::from(w);
                    let diff = i128::from(p.cents()) * i128::from(sum) - exact;
                    prop_assert!(diff.abs() < i128::from(sum), "part {} weight {}", p.cents(), w);
                    if w == 0 {
                        prop_assert_eq!(*p, Money::ZERO);
                    }
                }
            }
        }
    }
}
