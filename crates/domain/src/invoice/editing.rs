//! What finance may change on a draft before issuing it: a free text
//! printed on the invoice, the buyer's purchase order number (bon de
//! commande), the buyer's reference (the service or person the invoice is
//! addressed to, BT-10), the payment terms within the legal cap of
//! C. com. L441-10 (60 days from issue, or 45 days end of month), and the
//! order of its lines. Never its days, quantities or rates: those come
//! from the validated reports and the mission, and a wrong one is
//! corrected there (or by a credit note once issued).
//!
//! The edit is the whole set of those values as the person saw and
//! changed them; it takes the place of what the mission says for this
//! draft, and is frozen with the invoice when it is issued, so the PDF and
//! the Factur-X state the same thing.

use serde::{Deserialize, Serialize};

use crate::terms::PaymentTerms;
use crate::validation::{ErrorKey, ValidationErrors, single_line, text};

/// Longest free text printed on the invoice (one note of the Factur-X).
pub const NOTE_MAX: usize = 500;
/// Longest purchase order number or buyer reference.
pub const REFERENCE_MAX: usize = 100;

/// A draft's edited values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftEdit {
    pub note: Option<String>,
    pub po_number: Option<String>,
    pub buyer_reference: Option<String>,
    pub terms: PaymentTerms,
}

/// The values as typed (a form or the API).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct DraftEditInput {
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub po_number: String,
    #[serde(default)]
    pub buyer_reference: String,
    #[serde(default)]
    pub payment_days: String,
    #[serde(default)]
    pub payment_end_of_month: bool,
}

impl DraftEdit {
    /// Checks what was typed; every refusal names its field, and nothing
    /// is kept when one is refused. A blank text means none.
    pub fn parse(input: &DraftEditInput) -> Result<DraftEdit, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let mut optional = |field: &'static str, raw: &str, max: usize| {
            let line = single_line(raw);
            e.optional(field, &line, |t| text(t, max))
        };
        let note = optional("note", &input.note, NOTE_MAX);
        let po_number = optional("po_number", &input.po_number, REFERENCE_MAX);
        let buyer_reference = optional("buyer_reference", &input.buyer_reference, REFERENCE_MAX);
        let terms = match PaymentTerms::parse(&input.payment_days, input.payment_end_of_month) {
            Ok(t) => Some(t),
            Err(err) => {
                e.add_with("payment_days", err.key(), err.args());
                None
            }
        };
        match terms {
            Some(terms) if e.is_empty() => Ok(DraftEdit {
                note,
                po_number,
                buyer_reference,
                terms,
            }),
            _ => Err(e),
        }
    }
}

/// Why a new order of the lines is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the order must name each line of the draft once")]
pub struct OrderRefused;

impl ErrorKey for OrderRefused {
    fn key(&self) -> &'static str {
        "invoice-edit-order-invalid"
    }
}

/// The lines `current` (ids, in their order) in the order asked: `asked`
/// names each line once (ids), or is empty to keep the order. Returns the
/// ids with their new positions, from 1.
pub fn reorder<T: PartialEq + Clone>(
    current: &[T],
    asked: &[T],
) -> Result<Vec<(T, i32)>, OrderRefused> {
    let order = if asked.is_empty() { current } else { asked };
    let each_once = order.len() == current.len()
        && current
            .iter()
            .all(|c| order.iter().filter(|a| *a == c).count() == 1);
    if !each_once {
        return Err(OrderRefused);
    }
    Ok(order.iter().cloned().zip(1..).collect())
}

/// The order typed as a number beside each line (`ranks`, in the lines'
/// current order): lines sorted by their number, ties kept in their
/// current order. A number that does not parse is refused.
pub fn order_from_ranks<T: Clone>(current: &[T], ranks: &[&str]) -> Result<Vec<T>, OrderRefused> {
    if ranks.len() != current.len() {
        return Err(OrderRefused);
    }
    let mut keyed = ranks
        .iter()
        .zip(current)
        .enumerate()
        .map(|(i, (r, id))| {
            r.trim()
                .parse::<i64>()
                .map(|n| (n, i, id.clone()))
                .map_err(|_| OrderRefused)
        })
        .collect::<Result<Vec<_>, _>>()?;
    keyed.sort_by_key(|(n, i, _)| (*n, *i));
    Ok(keyed.into_iter().map(|(_, _, id)| id).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(days: &str, eom: bool) -> DraftEditInput {
        DraftEditInput {
            note: "  Merci de rappeler\nla référence  ".into(),
            po_number: " PO-2026-17 ".into(),
            buyer_reference: "".into(),
            payment_days: days.into(),
            payment_end_of_month: eom,
        }
    }

    #[test]
    fn texts_are_trimmed_on_one_line_and_blank_means_none() {
        let e = DraftEdit::parse(&input("45", false)).unwrap();
        assert_eq!(e.note.as_deref(), Some("Merci de rappeler la référence"));
        assert_eq!(e.po_number.as_deref(), Some("PO-2026-17"));
        assert_eq!(e.buyer_reference, None);
        assert_eq!(e.terms, PaymentTerms::new(45, false).unwrap());
    }

    #[test]
    fn terms_beyond_the_legal_cap_are_refused_beside_their_field() {
        let e = DraftEdit::parse(&input("61", false)).unwrap_err();
        assert_eq!(e.0.len(), 1);
        assert_eq!(e.0[0].field, "payment_days");
        assert_eq!(e.0[0].key, "terms-over-legal-cap");
        // 45 days end of month is the other regime's cap.
        assert!(DraftEdit::parse(&input("45", true)).is_ok());
        let e = DraftEdit::parse(&input("50", true)).unwrap_err();
        assert_eq!(e.0[0].key, "terms-over-legal-cap");
        let e = DraftEdit::parse(&input("trente", false)).unwrap_err();
        assert_eq!(e.0[0].key, "terms-days-invalid");
    }

    #[test]
    fn every_refusal_is_reported_at_once() {
        let mut i = input("90", false);
        i.po_number = "x".repeat(REFERENCE_MAX + 1);
        i.note = "y".repeat(NOTE_MAX + 1);
        let e = DraftEdit::parse(&i).unwrap_err();
        let fields: Vec<_> = e.0.iter().map(|f| f.field).collect();
        assert_eq!(fields, ["note", "po_number", "payment_days"]);
    }

    #[test]
    fn the_order_names_each_line_once() {
        let current = ["a", "b", "c"];
        assert_eq!(
            reorder(&current, &["c", "a", "b"]).unwrap(),
            [("c", 1), ("a", 2), ("b", 3)]
        );
        assert_eq!(
            reorder(&current, &[]).unwrap(),
            [("a", 1), ("b", 2), ("c", 3)]
        );
        assert_eq!(reorder(&current, &["a", "b"]), Err(OrderRefused));
        assert_eq!(reorder(&current, &["a", "a", "b"]), Err(OrderRefused));
        assert_eq!(reorder(&current, &["a", "b", "z"]), Err(OrderRefused));
    }

    #[test]
    fn ranks_typed_beside_the_lines_sort_them_ties_kept_in_order() {
        let current = ["a", "b", "c"];
        assert_eq!(
            order_from_ranks(&current, &["3", "1", "2"]).unwrap(),
            ["b", "c", "a"]
        );
        assert_eq!(
            order_from_ranks(&current, &["2", "1", "1"]).unwrap(),
            ["b", "c", "a"]
        );
        assert_eq!(
            order_from_ranks(&current, &["1", "deux", "3"]),
            Err(OrderRefused)
        );
        assert_eq!(order_from_ranks(&current, &["1"]), Err(OrderRefused));
    }
}
