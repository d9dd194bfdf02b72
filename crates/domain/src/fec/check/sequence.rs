//! Entry numbers: which were seen, as runs of consecutive numbers, so that
//! a number coming late (out of order) and a number never coming (a gap)
//! are told apart once the whole file is read. A file numbered in order
//! keeps one run per sequence; memory grows only with the disorder.

/// `lo..=hi` were all seen; `line` is where `lo` was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Run {
    lo: u64,
    hi: u64,
    line: u64,
}

/// The numbers of one sequence (a journal's, or the whole file's, for one
/// prefix) and their width when zero-padded.
#[derive(Debug, Default, Clone)]
pub(super) struct Seen {
    runs: Vec<Run>,
    pub(super) width: usize,
}

/// Missing numbers `from..=to`, just before the number first seen on `line`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Gap {
    pub(super) from: u64,
    pub(super) to: u64,
    pub(super) line: u64,
}

impl Seen {
    pub(super) fn new(width: usize) -> Seen {
        Seen {
            runs: Vec::new(),
            width,
        }
    }

    pub(super) fn insert(&mut self, n: u64, line: u64) {
        if let Some(last) = self.runs.last_mut() {
            if last.hi.checked_add(1) == Some(n) {
                last.hi = n;
                return;
            }
            if n > last.hi {
                self.runs.push(Run { lo: n, hi: n, line });
                return;
            }
        } else {
            self.runs.push(Run { lo: n, hi: n, line });
            return;
        }
        // Out of order: the first run that ends at n - 1 or later.
        let i = self.runs.partition_point(|r| r.hi.saturating_add(1) < n);
        let r = self.runs[i];
        if r.lo <= n && n <= r.hi {
            return;
        }
        if r.hi.checked_add(1) == Some(n) {
            self.runs[i].hi = n;
            if let Some(next) = self.runs.get(i + 1).copied()
                && next.lo == n + 1
            {
                self.runs[i].hi = next.hi;
                self.runs.remove(i + 1);
            }
        } else if n.checked_add(1) == Some(r.lo) {
            self.runs[i].lo = n;
            self.runs[i].line = line;
        } else {
            self.runs.insert(i, Run { lo: n, hi: n, line });
        }
    }

    pub(super) fn gaps(&self) -> impl Iterator<Item = Gap> + '_ {
        self.runs.windows(2).map(|w| Gap {
            from: w[0].hi + 1,
            to: w[1].lo - 1,
            line: w[1].line,
        })
    }

    pub(super) fn missing(&self) -> u64 {
        self.gaps().map(|g| g.to - g.from + 1).sum()
    }
}

/// Trailing digits of an entry number and what comes before them.
pub(super) fn split(num: &str) -> Option<(&str, u64, usize)> {
    let digits = num.bytes().rev().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits > 18 {
        return None;
    }
    let start = num.len() - digits;
    Some((&num[..start], num[start..].parse().ok()?, digits))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn gaps(numbers: &[u64]) -> Vec<(u64, u64, u64)> {
        let mut s = Seen::default();
        for (i, n) in numbers.iter().enumerate() {
            s.insert(*n, i as u64 + 2);
        }
        s.gaps().map(|g| (g.from, g.to, g.line)).collect()
    }

    #[test]
    fn late_numbers_fill_gaps_missing_ones_stay() {
        assert_eq!(gaps(&[1, 2, 3]), vec![]);
        assert_eq!(gaps(&[1, 3, 2, 4]), vec![]);
        assert_eq!(gaps(&[1, 2, 5, 6]), vec![(3, 4, 4)]);
        assert_eq!(gaps(&[5, 1, 3]), vec![(2, 2, 4), (4, 4, 2)]);
        assert_eq!(gaps(&[5, 1, 3, 4, 2]), vec![]);
        assert_eq!(gaps(&[3, 3, 1]), vec![(2, 2, 2)]);
        assert_eq!(split("VE-2026-000012"), Some(("VE-2026-", 12, 6)));
        assert_eq!(split("INV/2021/00001"), Some(("INV/2021/", 1, 5)));
        assert_eq!(split("AB"), None);
        assert_eq!(split("1234567890123456789"), None);
    }

    proptest! {
        #[test]
        fn runs_match_a_set(numbers in proptest::collection::vec(0u64..60, 0..80)) {
            let mut s = Seen::default();
            for (i, n) in numbers.iter().enumerate() {
                s.insert(*n, i as u64);
            }
            let set: std::collections::BTreeSet<u64> = numbers.iter().copied().collect();
            let mut expected = Vec::new();
            let v: Vec<u64> = set.into_iter().collect();
            for w in v.windows(2) {
                if w[1] > w[0] + 1 {
                    expected.push((w[0] + 1, w[1] - 1));
                }
            }
            let found: Vec<(u64, u64)> = s.gaps().map(|g| (g.from, g.to)).collect();
            prop_assert_eq!(found, expected);
            prop_assert!(s.runs.windows(2).all(|w| w[0].hi + 1 < w[1].lo));
        }
    }
}
