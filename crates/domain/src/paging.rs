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

    proptest! {
        #[test]
        fn every_item_is_on_exactly_one_page(total in 0u64..5000, per_page in 1u32..300) {
            let req = PageRequest::new(None, Some(per_page));
            let paged = Paged::<()> { items: vec![], page: 1, per_page: req.per_page, total };
            let pages = u64::from(paged.pages());
            prop_assert!(pages * u64::from(req.per_page) >= total);
            prop_assert!(total == 0 || (pages - 1) * u64::from(req.per_page) < total);
        }
    }
}
