//! Field-level validation errors shared by pages (messages beside the field)
//! and the API (problem documents naming the field).

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: &'static str,
    /// Translation key of the message.
    pub key: &'static str,
    /// Variables of the message (e.g. expected length).
    pub args: Vec<(&'static str, String)>,
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
        args: Vec<(&'static str, String)>,
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
    fn args(&self) -> Vec<(&'static str, String)> {
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
    fn args(&self) -> Vec<(&'static str, String)> {
        crate::identifiers::IdentifierError::args(self)
    }
}

/// A bounded, trimmed, non-empty text (names, titles).
pub fn text(raw: &str, max_chars: usize) -> Result<String, TextError> {
    let t = raw.trim();
    if t.is_empty() {
        return Err(TextError::Empty);
    }
    if t.chars().count() > max_chars {
        return Err(TextError::TooLong(max_chars));
    }
    if t.chars().any(|c| c.is_control()) {
        return Err(TextError::ControlCharacters);
    }
    Ok(t.to_string())
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

/// A date typed by a person: `28/11/2026` or ISO `2026-11-28`.
pub fn date(raw: &str) -> Result<time::Date, DateInvalid> {
    crate::locale::parse_date(raw).ok_or(DateInvalid)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateInvalid;

impl ErrorKey for DateInvalid {
    fn key(&self) -> &'static str {
        "date-invalid"
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
    fn args(&self) -> Vec<(&'static str, String)> {
        match self {
            TextError::TooLong(max) => vec![("max", max.to_string())],
            _ => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
