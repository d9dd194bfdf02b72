//! The text of a statement file, whatever its encoding.
//!
//! XML says its encoding in its declaration (`<?xml … encoding="ISO-8859-1"?>`)
//! or with a UTF-16 byte order mark; without either it is UTF-8. The file
//! is decoded as it declares, and refused (line and reason) when the bytes
//! do not fit the declared encoding or the encoding is unknown.
//!
//! CSV exports say nothing: the mapping saved for the bank may name the
//! encoding; otherwise it is detected. Valid UTF-8 is UTF-8 (a BOM is
//! dropped). Else the file is one of the two single-byte encodings French
//! banks use, which differ on a few bytes: Windows-1252 puts the euro sign
//! at 0x80 and printable characters in 0x80–0x9F, ISO-8859-15 puts the
//! euro at 0xA4 and has only control codes in 0x80–0x9F. A file without
//! any byte in 0x80–0x9F but with 0xA4 is ISO-8859-15 (the euro sign,
//! where Windows-1252 would read "¤"); any other is Windows-1252, which
//! reads ISO-8859-1 the same way for every printable character.

use encoding_rs::{Encoding, ISO_8859_15, UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1252};
use serde::{Deserialize, Serialize};

use super::{ParseError, Reason, err};

/// How a CSV file is encoded: said by the user for the bank, or detected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum TextEncoding {
    #[default]
    #[serde(rename = "auto")]
    Auto,
    #[serde(rename = "utf-8")]
    Utf8,
    #[serde(rename = "windows-1252")]
    Windows1252,
    #[serde(rename = "iso-8859-15")]
    Iso8859_15,
}

impl TextEncoding {
    pub const ALL: [TextEncoding; 4] = [
        TextEncoding::Auto,
        TextEncoding::Utf8,
        TextEncoding::Windows1252,
        TextEncoding::Iso8859_15,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TextEncoding::Auto => "auto",
            TextEncoding::Utf8 => "utf-8",
            TextEncoding::Windows1252 => "windows-1252",
            TextEncoding::Iso8859_15 => "iso-8859-15",
        }
    }

    pub fn parse(s: &str) -> Option<TextEncoding> {
        TextEncoding::ALL.into_iter().find(|e| e.as_str() == s)
    }

    /// The encoding this file is read with: the declared one, or the
    /// detected one when the mapping says `Auto`.
    pub fn resolve(self, bytes: &[u8]) -> TextEncoding {
        match self {
            TextEncoding::Auto => detect(bytes),
            other => other,
        }
    }
}

/// UTF-8 when valid (a BOM is dropped), else ISO-8859-15 or Windows-1252
/// (see the module's rule). Never fails.
pub fn detect(bytes: &[u8]) -> TextEncoding {
    if std::str::from_utf8(bytes).is_ok() {
        TextEncoding::Utf8
    } else if !bytes.iter().any(|b| (0x80..=0x9F).contains(b)) && bytes.contains(&0xA4) {
        TextEncoding::Iso8859_15
    } else {
        TextEncoding::Windows1252
    }
}

/// Decodes a CSV export (see the module's rule); only a file declared
/// UTF-8 that is not can fail, naming its first bad line.
pub fn decode_csv(bytes: &[u8], encoding: TextEncoding) -> Result<String, ParseError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match encoding.resolve(bytes) {
        TextEncoding::Utf8 | TextEncoding::Auto => {
            std::str::from_utf8(bytes).map(str::to_string).map_err(|e| {
                err(
                    line_at(bytes, e.valid_up_to()),
                    "",
                    Reason::Encoding("UTF-8".into()),
                )
            })
        }
        TextEncoding::Windows1252 => Ok(WINDOWS_1252
            .decode_without_bom_handling(bytes)
            .0
            .into_owned()),
        TextEncoding::Iso8859_15 => Ok(ISO_8859_15
            .decode_without_bom_handling(bytes)
            .0
            .into_owned()),
    }
}

/// A CSV export decoded by detection (see the module's rule).
pub fn decode_text(bytes: &[u8]) -> String {
    decode_csv(bytes, TextEncoding::Auto).unwrap_or_default()
}

/// Decodes an XML file by its byte order mark or its declaration.
pub fn decode_xml(bytes: &[u8]) -> Result<String, ParseError> {
    let (encoding, body) = if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        (UTF_8, rest)
    } else if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        (UTF_16LE, rest)
    } else if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        (UTF_16BE, rest)
    } else {
        match declared(bytes) {
            None => (UTF_8, bytes),
            Some(label) => match Encoding::for_label(label.as_bytes()) {
                Some(e) => (e, bytes),
                None => {
                    return Err(err(
                        1,
                        "?xml/@encoding",
                        Reason::EncodingUnknown(label.chars().take(40).collect()),
                    ));
                }
            },
        }
    };
    if encoding == UTF_8 {
        return std::str::from_utf8(body).map(str::to_string).map_err(|e| {
            err(
                line_at(body, e.valid_up_to()),
                "",
                Reason::Encoding("UTF-8".into()),
            )
        });
    }
    encoding
        .decode_without_bom_handling_and_without_replacement(body)
        .map(|s| s.into_owned())
        .ok_or_else(|| err(1, "", Reason::Encoding(encoding.name().into())))
}

/// The `encoding` pseudo-attribute of the XML declaration, if any.
fn declared(bytes: &[u8]) -> Option<String> {
    let head = bytes.get(..bytes.len().min(256))?;
    let head: String = head
        .iter()
        .take_while(|&&b| b != b'>')
        .map(|&b| if b.is_ascii() { char::from(b) } else { '?' })
        .collect();
    let decl = head.strip_prefix("<?xml")?;
    let at = decl.find("encoding")?;
    let rest = decl[at + "encoding".len()..]
        .trim_start()
        .strip_prefix('=')?
        .trim_start();
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let value = &rest[1..];
    let end = value.find(quote)?;
    Some(value[..end].trim().to_string())
}

pub(super) fn line_at(bytes: &[u8], offset: usize) -> usize {
    1 + bytes[..offset.min(bytes.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
}
