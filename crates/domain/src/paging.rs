//! Paging of lists, shared by pages and the API so both clamp the same way.

use serde::Serialize;

pub const DEFAULT_PER_PAGE: u32 = 25;
pub const MAX_PER_PAGE: u32 = 200;

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
