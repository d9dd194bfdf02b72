//! CSV for French spreadsheets: UTF-8 with a BOM, `;` between cells,
//! decimal commas, CRLF line ends, and cells that can never run as formulas.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use domain::money::Money;

/// An amount as a spreadsheet reads it: `-1234,50` (no thousands separator).
pub fn amount(m: Money) -> String {
    let c = m.cents();
    let sign = if c < 0 { "-" } else { "" };
    let a = c.unsigned_abs();
    format!("{sign}{},{:02}", a / 100, a % 100)
}

/// A text cell: quoted when it holds a separator, a quote or a line break;
/// a leading `=`, `+`, `-` or `@` is neutralised so that a spreadsheet never
/// runs a title as a formula.
pub fn text(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_owned()
    };
    if s.contains([';', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// Rows (cells already escaped) as a document with its BOM.
pub fn document(rows: &[Vec<String>]) -> String {
    let mut out = String::from("\u{feff}");
    for r in rows {
        out.push_str(&r.join(";"));
        out.push_str("\r\n");
    }
    out
}

/// The download: not cached, named `filename`.
pub fn response(filename: &str, body: String) -> Response {
    let mut resp = (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/csv; charset=utf-8"),
        )],
        body,
    )
        .into_response();
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_safe_for_spreadsheets() {
        assert_eq!(amount(Money::from_cents(-123_450)), "-1234,50");
        assert_eq!(amount(Money::from_cents(5)), "0,05");
        assert_eq!(text("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(text("a;b"), "\"a;b\"");
        assert_eq!(text("dit \"x\""), "\"dit \"\"x\"\"\"");
        assert_eq!(text("x\"; y"), "\"x\"\"; y\"");
        assert_eq!(document(&[vec!["a".into(), "b".into()]]), "\u{feff}a;b\r\n");
    }
}
