//! Search keys: lower case without accents, so "Société" matches "societe" on
//! both backends without collation or extension differences.

pub use domain::validation::fold_accents as normalize;

/// The key stored for a record: its searchable parts, normalized, joined.
pub fn key(parts: &[Option<&str>]) -> String {
    parts
        .iter()
        .flatten()
        .map(|p| normalize(p))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A `LIKE` pattern matching the term anywhere, with wildcards in the term
/// escaped (queries use `ESCAPE '\'`). None for a blank term. Control
/// characters are dropped: no stored key holds one (names refuse them), and
/// PostgreSQL refuses a NUL in a text parameter outright.
pub fn like_pattern(term: Option<&str>) -> Option<String> {
    let t = term.map(str::trim).filter(|t| !t.is_empty())?;
    let mut p = String::from("%");
    for c in normalize(t).chars().filter(|c| !c.is_control()) {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    Some(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accents_and_case_are_ignored() {
        assert_eq!(
            normalize("Société Générale ŒUVRE"),
            "societe generale oeuvre"
        );
    }

    #[test]
    fn wildcards_are_escaped() {
        assert_eq!(like_pattern(Some(" 100%_x ")).unwrap(), "%100\\%\\_x%");
        assert_eq!(like_pattern(Some("  ")), None);
        assert_eq!(like_pattern(Some("\u{0}S\u{1b}")).unwrap(), "%s%");
    }
}
