//! Paging of lists, shared by pages and the API. Pages clamp (a bookmarked
//! page 0 still shows something); the API refuses, naming the parameter, so
//! a client never receives fewer items than it asked for without knowing.

use serde::Serialize;

use crate::validation::ValidationErrors;

pub const DEFAULT_PER_PAGE: u32 = 25;
pub const MAX_PER_PAGE: u32 = 200;
/// Beyond this a list is walked by filters, not by pages: an offset of
/// billions of rows would only make the database scan for nothing.
pub const MAX_PAGE: u32 = 1_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub page: u32,
    pub per_page: u32,
}

impl PageRequest {
    /// Out-of-range values are clamped rather than refused: a bookmarked page 0
    /// or an over-large page size still shows something sensible.
    pub fn new(page: Option<u32>, per_page: Option<u32>) -> Self {
        Self {
            page: page.unwrap_or(1).max(1),
            per_page: per_page.unwrap_or(DEFAULT_PER_PAGE).clamp(1, MAX_PER_PAGE),
        }
    }

    /// The API's reading of `page` and `per_page` as sent: absent means the
    /// default, anything else must be a whole number within bounds.
    pub fn parse(page: Option<&str>, per_page: Option<&str>) -> Result<Self, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let mut number =
            |field: &'static str, key: &'static str, raw: Option<&str>, min: u32, max: u32| {
                let n = raw.map(|r| {
                    r.trim()
                        .parse::<u32>()
                        .ok()
                        .filter(|n| (min..=max).contains(n))
                });
                if let Some(None) = n {
                    e.add_with(field, key, crate::args![("min", min), ("max", max)]);
                }
                n.flatten()
            };
        let page = number("page", "page-invalid", page, 1, MAX_PAGE);
        let per_page = number("per_page", "per-page-invalid", per_page, 1, MAX_PER_PAGE);
        e.into_result(|| Self::new(page, per_page))
    }

    pub fn offset(&self) -> i64 {
        i64::from(self.page - 1) * i64::from(self.per_page)
    }

    pub fn limit(&self) -> i64 {
        i64::from(self.per_page)
    }
}

impl Default for PageRequest {
    fn default() -> Self {
        Self::new(None, None)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Paged<T> {
    pub items: Vec<T>,
    pub page: u32,
    pub per_page: u32,
    pub total: u64,
}

impl<T> Paged<T> {
    pub fn pages(&self) -> u32 {
        (self.total.div_ceil(u64::from(self.per_page)) as u32).max(1)
    }
    pub fn has_next(&self) -> bool {
        self.page < self.pages()
    }
    pub fn has_prev(&self) -> bool {
        self.page > 1
    }
}

/// A position in a list ordered by a stable key: the sort key's parts of one
/// row, its id last, so two rows never share a cursor. Travels in links as
/// the parts joined by commas (a comma or percent sign inside a part is
/// escaped), never interpreted by the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor(Vec<String>);

impl Cursor {
    pub fn new<I, S>(parts: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self(parts.into_iter().map(Into::into).collect())
    }

    pub fn parts(&self) -> &[String] {
        &self.0
    }

    pub fn encode(&self) -> String {
        self.0
            .iter()
            .map(|p| p.replace('%', "%25").replace(',', "%2C"))
            .collect::<Vec<_>>()
            .join(",")
    }

    /// None unless the text holds exactly `arity` parts.
    pub fn decode(raw: &str, arity: usize) -> Option<Self> {
        let parts: Vec<String> = raw
            .split(',')
            .map(|p| p.replace("%2C", ",").replace("%25", "%"))
            .collect();
        (parts.len() == arity).then_some(Self(parts))
    }
}

/// Where a keyset page starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seek {
    /// The beginning of the list.
    First,
    /// The rows after this one (the next page).
    After(Cursor),
    /// The rows before this one (the previous page).
    Before(Cursor),
}

/// A page of a list walked by its sort key (`WHERE (key, id) < (…)`) rather
/// than by an offset: each page costs the same however deep it is, and a
/// row inserted meanwhile neither repeats nor hides another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeysetRequest {
    pub seek: Seek,
    pub per_page: u32,
}

impl KeysetRequest {
    /// A page's reading of `after`, `before` and `per_page`: a cursor that
    /// does not decode means the first page, the size is clamped.
    pub fn new(
        after: Option<&str>,
        before: Option<&str>,
        per_page: Option<u32>,
        arity: usize,
    ) -> Self {
        let seek = match (after, before) {
            (Some(a), _) if !a.trim().is_empty() => {
                Cursor::decode(a.trim(), arity).map_or(Seek::First, Seek::After)
            }
            (_, Some(b)) if !b.trim().is_empty() => {
                Cursor::decode(b.trim(), arity).map_or(Seek::First, Seek::Before)
            }
            _ => Seek::First,
        };
        Self {
            seek,
            per_page: per_page.unwrap_or(DEFAULT_PER_PAGE).clamp(1, MAX_PER_PAGE),
        }
    }

    pub fn first(per_page: u32) -> Self {
        Self {
            seek: Seek::First,
            per_page: per_page.clamp(1, MAX_PER_PAGE),
        }
    }

    /// One row more than the page shows: whether it came tells whether
    /// there is a page beyond.
    pub fn fetch(&self) -> i64 {
        i64::from(self.per_page) + 1
    }

    /// The rows are read backwards (ascending when the list descends).
    pub fn backwards(&self) -> bool {
        matches!(self.seek, Seek::Before(_))
    }

    pub fn cursor(&self) -> Option<&Cursor> {
        match &self.seek {
            Seek::First => None,
            Seek::After(c) | Seek::Before(c) => Some(c),
        }
    }
}

/// A keyset page and the links around it.
#[derive(Debug, Clone)]
pub struct KeysetPage<T> {
    pub items: Vec<T>,
    pub per_page: u32,
    pub prev: Option<Seek>,
    pub next: Option<Seek>,
}

impl<T> KeysetPage<T> {
    /// The page from the rows read for `req` (at most `req.fetch()`, in the
    /// order read: backwards for a previous page). `key` gives a row's
    /// cursor.
    pub fn assemble(req: &KeysetRequest, mut rows: Vec<T>, key: impl Fn(&T) -> Cursor) -> Self {
        let n = req.per_page as usize;
        let more = rows.len() > n;
        rows.truncate(n);
        if req.backwards() {
            rows.reverse();
        }
        let first = rows.first().map(&key);
        let last = rows.last().map(&key);
        let (prev, next) = match &req.seek {
            Seek::First => (None, last.filter(|_| more).map(Seek::After)),
            // Reached from the page before: there is one, and the page
            // after exists only if a row more came.
            Seek::After(_) => (
                Some(first.map_or(Seek::First, Seek::Before)),
                last.filter(|_| more).map(Seek::After),
            ),
            Seek::Before(_) => (
                first.filter(|_| more).map(Seek::Before),
                Some(last.map_or(Seek::First, Seek::After)),
            ),
        };
        Self {
            items: rows,
            per_page: req.per_page,
            prev,
            next,
        }
    }

    /// A previous page that came short is the start of the list: the caller
    /// reads the first page instead, so it is full.
    pub fn came_short(&self, req: &KeysetRequest) -> bool {
        req.backwards() && self.prev.is_none() && self.items.len() < req.per_page as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn defaults_and_clamps() {
        let p = PageRequest::new(Some(0), Some(10_000));
        assert_eq!(p.page, 1);
        assert_eq!(p.per_page, MAX_PER_PAGE);
        assert_eq!(p.offset(), 0);
    }

    #[test]
    fn the_api_refuses_what_pages_clamp() {
        assert_eq!(PageRequest::parse(None, None), Ok(PageRequest::default()));
        assert_eq!(
            PageRequest::parse(Some("3"), Some("200")),
            Ok(PageRequest {
                page: 3,
                per_page: 200
            })
        );
        for (page, per_page, field) in [
            (None, Some("2147483648"), "per_page"),
            (None, Some("201"), "per_page"),
            (None, Some("0"), "per_page"),
            (None, Some("-1"), "per_page"),
            (None, Some("ten"), "per_page"),
            (Some("0"), None, "page"),
            (Some("1000001"), None, "page"),
            (Some(""), None, "page"),
        ] {
            let e = PageRequest::parse(page, per_page).unwrap_err();
            assert_eq!(e.0.len(), 1, "{page:?} {per_page:?}");
            assert_eq!(e.0[0].field, field);
        }
    }

    #[test]
    fn cursors_survive_commas_and_percent_signs() {
        let c = Cursor::new(["2026-11", "FA,2026%2C", "x"]);
        assert_eq!(Cursor::decode(&c.encode(), 3), Some(c.clone()));
        assert_eq!(Cursor::decode(&c.encode(), 2), None);
        let r = KeysetRequest::new(Some("garbage"), None, Some(10_000), 3);
        assert_eq!(r.seek, Seek::First);
        assert_eq!(r.per_page, MAX_PER_PAGE);
        let r = KeysetRequest::new(None, Some(&c.encode()), None, 3);
        assert_eq!(r.seek, Seek::Before(c));
    }

    /// Walks a sorted list with ties in the sort key forward to its end,
    /// then backward to its start, as the store does (a strict comparison
    /// on (key, id)); every row is seen exactly once each way.
    /// A row: its sort key (with ties) and its id.
    type Row = (u8, u32);

    fn walk(rows: &[Row], per_page: u32) -> (Vec<Row>, Vec<Row>) {
        let key = |r: &(u8, u32)| Cursor::new([r.0.to_string(), r.1.to_string()]);
        let read = |req: &KeysetRequest| -> Vec<(u8, u32)> {
            let parse = |c: &Cursor| {
                (
                    c.parts()[0].parse::<u8>().unwrap(),
                    c.parts()[1].parse::<u32>().unwrap(),
                )
            };
            let mut v: Vec<(u8, u32)> = match &req.seek {
                Seek::First => rows.to_vec(),
                Seek::After(c) => rows.iter().copied().filter(|r| *r > parse(c)).collect(),
                Seek::Before(c) => rows
                    .iter()
                    .rev()
                    .copied()
                    .filter(|r| *r < parse(c))
                    .collect(),
            };
            v.truncate(req.fetch() as usize);
            v
        };
        let mut forward = Vec::new();
        let mut req = KeysetRequest::first(per_page);
        let mut last_page;
        loop {
            let page = KeysetPage::assemble(&req, read(&req), key);
            forward.extend(page.items.iter().copied());
            last_page = page.clone();
            match page.next {
                Some(seek) => req = KeysetRequest { seek, per_page },
                None => break,
            }
        }
        let mut backward = Vec::new();
        let mut page = last_page;
        while let Some(seek) = page.prev.clone() {
            let req = KeysetRequest { seek, per_page };
            page = KeysetPage::assemble(&req, read(&req), key);
            if page.came_short(&req) {
                page = KeysetPage::assemble(
                    &KeysetRequest::first(per_page),
                    read(&KeysetRequest::first(per_page)),
                    key,
                );
            }
            backward.splice(0..0, page.items.iter().copied());
        }
        (forward, backward)
    }

    proptest! {
        #[test]
        fn every_item_is_on_exactly_one_page(total in 0u64..5000, per_page in 1u32..300) {
            let req = PageRequest::new(None, Some(per_page));
            let paged = Paged::<()> { items: vec![], page: 1, per_page: req.per_page, total };
            let pages = u64::from(paged.pages());
            prop_assert!(pages * u64::from(req.per_page) >= total);
            prop_assert!(total == 0 || (pages - 1) * u64::from(req.per_page) < total);
        }

        #[test]
        fn keyset_pages_walk_every_row_once(keys in proptest::collection::vec(0u8..4, 0..60), per_page in 1u32..8) {
            let mut rows: Vec<(u8, u32)> = keys.iter().enumerate().map(|(i, k)| (*k, i as u32)).collect();
            rows.sort();
            let (forward, backward) = walk(&rows, per_page);
            prop_assert_eq!(&forward, &rows);
            // Backward from the last page: the rows before it, each once.
            let last = rows.len() % per_page as usize;
            let last = if last == 0 { per_page as usize } else { last };
            let before = rows.len().saturating_sub(last);
            prop_assert_eq!(&backward[..], &rows[..before]);
        }
    }
}
