//! Search keys: lower case without accents, so "Société" matches "societe" on
//! both backends without collation or extension differences.

pub fn normalize(s: &str) -> String {
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
/// escaped (queries use `ESCAPE '\'`). None for a blank term.
pub fn like_pattern(term: Option<&str>) -> Option<String> {
    let t = term.map(str::trim).filter(|t| !t.is_empty())?;
    let mut p = String::from("%");
    for c in normalize(t).chars() {
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
    }
}
