//! Saved views of the opportunity list: a user names the filters and the
//! sort he is looking at, to come back to them in one click. A view keeps
//! the list's query string and nothing else: only the list's own
//! parameters, each once (the values are then read by the list's filter
//! parser, at the edge, so a view never holds what the list would refuse).
//! The page number is not part of a view.

use crate::validation::{self, ErrorKey, ValidationErrors};

/// The longest name, in characters.
pub const NAME_MAX: usize = 80;

/// The parameters of the opportunity list a view may hold, in the order a
/// view's query is written (so one set of filters has one text).
pub const PARAMETERS: [&str; 11] = [
    "q",
    "stage",
    "kind",
    "business_manager_id",
    "client_id",
    "client",
    "source",
    "start_from",
    "start_to",
    "sort",
    "order",
];

/// Parameters of the list that are not a view's: dropped, not refused
/// (saving while on page 3 saves the filters).
const DROPPED: [&str; 1] = ["page"];

/// A view's name: trimmed, not empty, at most [`NAME_MAX`] characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewName(String);

impl ViewName {
    pub fn parse(raw: &str) -> Result<ViewName, ValidationErrors> {
        validation::text(raw, NAME_MAX).map(ViewName).map_err(|e| {
            let mut v = ValidationErrors::new();
            v.add_with("name", e.key(), e.args());
            v
        })
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The pairs of a query string kept by a view, in [`PARAMETERS`] order,
/// blank values left out. An unknown or repeated parameter is refused on
/// the field `query`, naming it.
pub fn parameters(
    pairs: &[(String, String)],
) -> Result<Vec<(&'static str, String)>, ValidationErrors> {
    let mut e = ValidationErrors::new();
    let mut kept: Vec<(&'static str, String)> = Vec::new();
    for (key, value) in pairs {
        if DROPPED.contains(&key.as_str()) {
            continue;
        }
        let Some(known) = PARAMETERS.iter().find(|p| **p == key.as_str()) else {
            e.add_with(
                "query",
                "opportunity-view-parameter-unknown",
                crate::args![("name", key.clone())],
            );
            continue;
        };
        if kept.iter().any(|(k, _)| k == known) {
            e.add_with(
                "query",
                "opportunity-view-parameter-repeated",
                crate::args![("name", key.clone())],
            );
            continue;
        }
        let value = value.trim();
        if !value.is_empty() {
            kept.push((known, value.to_owned()));
        }
    }
    if !e.is_empty() {
        return Err(e);
    }
    kept.sort_by_key(|(k, _)| PARAMETERS.iter().position(|p| p == k));
    Ok(kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn a_name_is_required_and_bounded() {
        assert_eq!(
            ViewName::parse("  Mes besoins  ").map(|n| n.as_str().to_owned()),
            Ok("Mes besoins".to_owned())
        );
        let e = ViewName::parse("   ").unwrap_err();
        assert_eq!(e.0[0].field, "name");
        assert_eq!(e.0[0].key, "field-required");
        assert!(ViewName::parse(&"é".repeat(80)).is_ok());
        let e = ViewName::parse(&"é".repeat(81)).unwrap_err();
        assert_eq!(e.0[0].key, "field-too-long");
    }

    #[test]
    fn a_query_keeps_the_lists_parameters_in_one_order() {
        let kept = parameters(&pairs(&[
            ("sort", "expected"),
            ("page", "3"),
            ("stage", "positionnement"),
            ("kind", " "),
            ("q", "data"),
        ]))
        .unwrap();
        assert_eq!(
            kept,
            vec![
                ("q", "data".to_owned()),
                ("stage", "positionnement".to_owned()),
                ("sort", "expected".to_owned()),
            ]
        );
        assert_eq!(parameters(&[]).unwrap(), Vec::new());
    }

    #[test]
    fn unknown_and_repeated_parameters_are_refused_by_name() {
        let e = parameters(&pairs(&[("stage", "a"), ("evil", "1"), ("stage", "b")])).unwrap_err();
        assert_eq!(e.0.len(), 2);
        assert!(e.0.iter().all(|f| f.field == "query"));
        assert_eq!(e.0[0].key, "opportunity-view-parameter-unknown");
        assert_eq!(e.0[1].key, "opportunity-view-parameter-repeated");
    }
}
