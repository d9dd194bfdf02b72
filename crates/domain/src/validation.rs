//! Field-level validation errors shared by pages (messages beside the field)
//! and the API (problem documents naming the field).

use serde::Serialize;

pub use crate::message::Arg;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: &'static str,
    /// Translation key of the message.
    pub key: &'static str,
    /// Variables of the message (e.g. expected length), as values: the
    /// edge writes them in the reader's language.
    pub args: Vec<(&'static str, Arg)>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ValidationErrors(pub Vec<FieldError>);

impl ValidationErrors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, field: &'static str, key: &'static str) {
        self.0.push(FieldError {
            field,
            key,
            args: Vec::new(),
        });
    }

    pub fn add_with(
        &mut self,
        field: &'static str,
        key: &'static str,
        args: Vec<(&'static str, Arg)>,
    ) {
        self.0.push(FieldError { field, key, args });
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn for_field(&self, field: &str) -> Option<&FieldError> {
        self.0.iter().find(|e| e.field == field)
    }

    pub fn single(field: &'static str, key: &'static str) -> Self {
        let mut e = Self::new();
        e.add(field, key);
        e
    }

    /// Runs a parser on an optional text field: blank means absent, an error is
    /// recorded against `field` and the value is dropped.
    pub fn optional<T, E: ErrorKey>(
        &mut self,
        field: &'static str,
        raw: &str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Option<T> {
        let raw = raw.trim();
        if raw.is_empty() {
            return None;
        }
        match parse(raw) {
            Ok(v) => Some(v),
            Err(e) => {
                self.add_with(field, e.key(), e.args());
                None
            }
        }
    }

    /// Like `optional` but a blank value is itself an error.
    pub fn required<T, E: ErrorKey>(
        &mut self,
        field: &'static str,
        raw: &str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Option<T> {
        if raw.trim().is_empty() {
            self.add(field, "field-required");
            return None;
        }
        self.optional(field, raw, parse)
    }

    pub fn into_result<T>(self, value: impl FnOnce() -> T) -> Result<T, ValidationErrors> {
        if self.is_empty() {
            Ok(value())
        } else {
            Err(self)
        }
    }
}

/// Errors that can be shown to a user through the message catalogue.
pub trait ErrorKey {
    fn key(&self) -> &'static str;
    fn args(&self) -> Vec<(&'static str, Arg)> {
        Vec::new()
    }
}

impl ErrorKey for crate::money::MoneyError {
    fn key(&self) -> &'static str {
        crate::money::MoneyError::key(self)
    }
}

impl ErrorKey for crate::identifiers::IdentifierError {
    fn key(&self) -> &'static str {
        crate::identifiers::IdentifierError::key(self)
    }
    fn args(&self) -> Vec<(&'static str, Arg)> {
        crate::identifiers::IdentifierError::args(self)
    }
}

/// A bounded, trimmed, non-empty text (names, titles, references).
///
/// This is the one rule for every free text that reaches the ledger, the
/// FEC or a Factur-X (a label, a piece reference, a party's name): those
/// formats have no way to carry a control character, and the FEC requires
/// some of these fields (an entry's label, its piece reference), so a text
/// made only of control characters or spaces would leave them empty in a
/// legal export. The ledger checks its entries against [`export_text`]
/// again, whatever the way in.
pub fn text(raw: &str, max_chars: usize) -> Result<String, TextError> {
    let t = export_text(raw)?;
    if t.chars().count() > max_chars {
        return Err(TextError::TooLong(max_chars));
    }
    Ok(t.to_string())
}

/// [`text`] without a length bound: trimmed, not empty, no control
/// character (a tab, a line break, a C0 or C1 control).
pub fn export_text(raw: &str) -> Result<&str, TextError> {
    let t = raw.trim();
    if t.is_empty() {
        return Err(TextError::Empty);
    }
    if t.chars().any(char::is_control) {
        return Err(TextError::ControlCharacters);
    }
    Ok(t)
}

/// A text read from someone else's file (a bank's statement line, which
/// some banks export on several lines): every run of white space and
/// control characters becomes one space, the ends are trimmed. What is
/// left passes [`export_text`] unless it is empty.
pub fn single_line(raw: &str) -> String {
    raw.split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Lower case without accents, so that "Société" and "societe" compare
/// equal (search keys, typed signatures).
pub fn fold_accents(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().flat_map(char::to_lowercase) {
        match c {
            'à' | 'á' | 'â' | 'ä' | 'ã' | 'å' => out.push('a'),
            'ç' => out.push('c'),
            'é' | 'è' | 'ê' | 'ë' => out.push('e'),
            'í' | 'ì' | 'î' | 'ï' => out.push('i'),
            'ñ' => out.push('n'),
            'ó' | 'ò' | 'ô' | 'ö' | 'õ' => out.push('o'),
            'ú' | 'ù' | 'û' | 'ü' => out.push('u'),
            'ý' | 'ÿ' => out.push('y'),
            'œ' => out.push_str("oe"),
            'æ' => out.push_str("ae"),
            _ => out.push(c),
        }
    }
    out
}

/// The first and last dates the firm's business may carry (missions,
/// leave, contracts, invoices, reports): far wider than any real use, and
/// narrow enough to stop a slip of the keyboard (`0001`, `9999`, a year
/// typed with two digits) before it reaches a calendar, a deadline or the
/// books. The ledger narrows it further to its open years.
pub const EARLIEST_DATE: time::Date = time::macros::date!(2000 - 01 - 01);
pub const LATEST_DATE: time::Date = time::macros::date!(2100 - 12 - 31);

/// A date typed by a person: `28/11/2026` or ISO `2026-11-28`, between
/// [`EARLIEST_DATE`] and [`LATEST_DATE`].
pub fn date(raw: &str) -> Result<time::Date, DateError> {
    let d = crate::locale::parse_date(raw).ok_or(DateError::Invalid)?;
    date_in_range(d)
}

/// `d` when it lies between [`EARLIEST_DATE`] and [`LATEST_DATE`].
pub fn date_in_range(d: time::Date) -> Result<time::Date, DateError> {
    if (EARLIEST_DATE..=LATEST_DATE).contains(&d) {
        Ok(d)
    } else {
        Err(DateError::OutOfRange)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateError {
    Invalid,
    OutOfRange,
}

impl ErrorKey for DateError {
    fn key(&self) -> &'static str {
        match self {
            DateError::Invalid => "date-invalid",
            DateError::OutOfRange => "date-out-of-range",
        }
    }
    fn args(&self) -> Vec<(&'static str, Arg)> {
        match self {
            DateError::Invalid => Vec::new(),
            DateError::OutOfRange => {
                crate::args![("from", EARLIEST_DATE), ("to", LATEST_DATE)]
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TextError {
    Empty,
    TooLong(usize),
    ControlCharacters,
}

impl ErrorKey for TextError {
    fn key(&self) -> &'static str {
        match self {
            TextError::Empty => "field-required",
            TextError::TooLong(_) => "field-too-long",
            TextError::ControlCharacters => "field-control-characters",
        }
    }
    fn args(&self) -> Vec<(&'static str, Arg)> {
        match self {
            TextError::TooLong(max) => crate::args![("max", *max)],
            _ => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn typed_dates_stay_within_the_business_window() {
        assert_eq!(date("28/11/2026"), Ok(time::macros::date!(2026 - 11 - 28)));
        assert_eq!(date("2000-01-01"), Ok(EARLIEST_DATE));
        assert_eq!(date("31/12/2100"), Ok(LATEST_DATE));
        assert_eq!(date("0001-01-01"), Err(DateError::OutOfRange));
        assert_eq!(date("31/12/9999"), Err(DateError::OutOfRange));
        assert_eq!(date("31/12/1999"), Err(DateError::OutOfRange));
        assert_eq!(date("30/02/2026"), Err(DateError::Invalid));
        assert_eq!(
            DateError::OutOfRange.args(),
            crate::args![("from", EARLIEST_DATE), ("to", LATEST_DATE)]
        );
    }

    #[test]
    fn text_for_exports_refuses_control_characters_and_blanks() {
        assert_eq!(text("  VIR CLIENTIS  ", 100), Ok("VIR CLIENTIS".into()));
        assert_eq!(
            text("\u{1}\u{2}\u{3}", 100),
            Err(TextError::ControlCharacters)
        );
        assert_eq!(text(" \t\n ", 100), Err(TextError::Empty));
        assert_eq!(
            text("VIR\nCLIENTIS", 100),
            Err(TextError::ControlCharacters)
        );
        assert_eq!(text("ré\u{85}f", 100), Err(TextError::ControlCharacters));
        assert_eq!(text("abc", 2), Err(TextError::TooLong(2)));
        assert_eq!(
            single_line(" VIR SEPA\r\nCLIENTIS \t FA-1 "),
            "VIR SEPA CLIENTIS FA-1"
        );
        assert_eq!(single_line("\u{1}\u{2}"), "");
    }

    proptest! {
        /// Whatever a bank sends, once on a single line it is either empty
        /// or a valid export text, unchanged by a second pass.
        #[test]
        fn a_single_line_is_an_export_text(raw in any::<String>()) {
            let line = single_line(&raw);
            if !line.is_empty() {
                prop_assert_eq!(export_text(&line), Ok(line.as_str()));
            }
            prop_assert_eq!(single_line(&line), line.clone());
        }
    }

    #[test]
    fn blank_optional_is_absent_and_not_an_error() {
        let mut e = ValidationErrors::new();
        let v: Option<String> = e.optional("name", "   ", |s| text(s, 10));
        assert!(v.is_none());
        assert!(e.is_empty());
    }

    #[test]
    fn required_records_the_field() {
        let mut e = ValidationErrors::new();
        let _: Option<String> = e.required("name", "", |s| text(s, 10));
        assert_eq!(e.for_field("name").unwrap().key, "field-required");
    }

    #[test]
    fn text_is_trimmed_and_bounded() {
        assert_eq!(text("  Clientis  ", 20).unwrap(), "Clientis");
        assert_eq!(text("abcdef", 3), Err(TextError::TooLong(3)));
        assert_eq!(text("a\u{7}b", 3), Err(TextError::ControlCharacters));
    }
}
