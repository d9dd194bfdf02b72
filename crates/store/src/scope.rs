//! Which records a query may return. Built by the web crate's policy module
//! from the signed-in user and applied inside every list/get query, so a
//! template can never show what the query did not return.
//!
//! [`scope_clause!`](crate::scope_clause) is the one table of who sees what:
//! for each scoped entity, the condition on its rows. Every scoped query
//! includes it and binds [`Scope::company`] as `$1` and [`Scope::own_user`]
//! as `$2` (staff bind two NULLs and see every row); a test below fails when
//! a scoped query of the listed modules leaves it out.

use domain::ids::{CompanyId, UserId};

/// The scope condition of an entity's rows, as a string literal (usable in
/// `concat!`), under the alias its queries give the table. `$1` is the
/// client contact's company, `$2` the consultant's user id.
#[macro_export]
macro_rules! scope_clause {
    // A client contact sees his company; consultants see no company yet
    // (they will see those of their missions once the CRM exposes them).
    (companies) => {
        " (CAST($1 AS TEXT) IS NULL OR id = $1) AND CAST($2 AS TEXT) IS NULL "
    };
    // Contacts follow their company (alias `p`).
    (contacts) => {
        " (CAST($1 AS TEXT) IS NULL OR p.company_id = $1) AND CAST($2 AS TEXT) IS NULL "
    };
    // A client's contracts; a consultant's, through his missions (`k`).
    (contracts) => {
        " (CAST($1 AS TEXT) IS NULL OR k.client_id = $1) \
          AND (CAST($2 AS TEXT) IS NULL OR k.id IN (SELECT client_contract_id FROM missions WHERE consultant_id = $2)) "
    };
    // A mission is its client's and its consultant's (`m`).
    (missions) => {
        " (CAST($1 AS TEXT) IS NULL OR m.client_id = $1) AND (CAST($2 AS TEXT) IS NULL OR m.consultant_id = $2) "
    };
    // A document is its client's and its consultant's (`d`).
    (documents) => {
        " (CAST($1 AS TEXT) IS NULL OR d.client_id = $1) AND (CAST($2 AS TEXT) IS NULL OR d.consultant_id = $2) "
    };
    // A report is its consultant's, and each client's whose mission is in
    // it (one approval row per client) (`r`).
    (cras) => {
        " (CAST($2 AS TEXT) IS NULL OR r.consultant_id = $2) \
          AND (CAST($1 AS TEXT) IS NULL OR EXISTS (SELECT 1 FROM cra_client_approvals a \
                WHERE a.cra_id = r.id AND a.client_id = $1)) "
    };
    // An invoice or credit note is its client's; a consultant sees none
    // (`i`).
    (invoices) => {
        " (CAST($1 AS TEXT) IS NULL OR i.client_id = $1) AND CAST($2 AS TEXT) IS NULL "
    };
    // Leave is one's own; a client contact sees none (`l`).
    (leave) => {
        " CAST($1 AS TEXT) IS NULL AND (CAST($2 AS TEXT) IS NULL OR l.user_id = $2) "
    };
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Firm staff: every record.
    All,
    /// A client contact: only his company's records.
    Company(CompanyId),
    /// A consultant: only records about himself.
    Own(UserId),
}

impl Scope {
    /// Parameters for the `scope` SQL fragment used by queries:
    /// `(CAST($a AS TEXT) IS NULL OR company_id = $a)` style binds.
    pub fn company(&self) -> Option<String> {
        match self {
            Scope::Company(c) => Some(c.to_string()),
            _ => None,
        }
    }

    pub fn own_user(&self) -> Option<String> {
        match self {
            Scope::Own(u) => Some(u.to_string()),
            _ => None,
        }
    }

    pub fn is_all(&self) -> bool {
        matches!(self, Scope::All)
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// The source files of this crate, with their text.
    fn sources(dir: &Path, out: &mut Vec<(String, String)>) {
        for e in std::fs::read_dir(dir).expect("src dir") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                sources(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let text = std::fs::read_to_string(&p).expect("source");
                out.push((p.display().to_string(), text));
            }
        }
    }

    /// Names (macros, constants) whose definition carries the clause.
    fn carriers(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        // A macro is used as `name!`, a constant by its name.
        for (kw, end, used_as) in [("macro_rules! ", " {", "!"), ("const ", ":", "")] {
            let mut rest = text;
            while let Some(i) = rest.find(kw) {
                let after = &rest[i + kw.len()..];
                let name = after.split(end).next().unwrap_or("").trim().to_owned();
                let def_end = after
                    .find("\n}")
                    .or_else(|| after.find("\n);"))
                    .unwrap_or(after.len());
                if after[..def_end].contains("scope_clause!") && !name.is_empty() {
                    out.push(format!("{name}{used_as}"));
                }
                rest = after;
            }
        }
        out
    }

    /// Every function of the crate that takes a `Scope` and selects rows
    /// either binds the scope and builds its SQL with `scope_clause!`
    /// (directly or through a macro or constant that carries it), or first
    /// reads its record through a scoped function (`get(tx, scope, id)`):
    /// a scoped query written without the one clause fails here.
    #[test]
    fn every_scoped_query_uses_the_one_clause() {
        let mut files = Vec::new();
        sources(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut files,
        );
        let mut checked = 0;
        let mut faults = Vec::new();
        for (path, text) in &files {
            if path.ends_with("scope.rs") {
                continue;
            }
            let carriers = carriers(text);
            let starts: Vec<usize> = text
                .match_indices("\nfn ")
                .chain(text.match_indices("\npub fn "))
                .chain(text.match_indices("\nasync fn "))
                .chain(text.match_indices("\npub async fn "))
                .chain(text.match_indices("\npub(crate) async fn "))
                .map(|(i, _)| i + 1)
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect();
            for (n, &start) in starts.iter().enumerate() {
                let end = starts.get(n + 1).copied().unwrap_or(text.len());
                // The function alone: up to its closing brace at column 0.
                let f = &text[start..end];
                let f = &f[..f.find("\n}").map_or(f.len(), |i| i + 2)];
                let signature = &f[..f.find('{').unwrap_or(f.len())];
                // A read: SQL that selects (a write checks access through
                // a scoped read first, e.g. `get(tx, scope, id)`).
                let reads = f.contains("SELECT")
                    || f.contains("query_as")
                    || f.contains("query_scalar")
                    || carriers.iter().any(|c| f.contains(c.as_str()));
                if !signature.contains("scope: Scope") || !f.contains("sqlx::query") || !reads {
                    continue;
                }
                checked += 1;
                let binds =
                    f.contains(".bind(scope.company())") && f.contains(".bind(scope.own_user())");
                let clause =
                    f.contains("scope_clause!") || carriers.iter().any(|c| f.contains(c.as_str()));
                // Or it reaches its rows through a scoped read first
                // (`get(tx, scope, id)`), then reads what hangs from them.
                let delegates = f.contains("(tx, scope,");
                if !(delegates || (binds && clause)) {
                    let name = signature.lines().next().unwrap_or("").trim().to_owned();
                    faults.push(format!("{path}: {name}"));
                }
            }
        }
        assert!(
            checked >= 15,
            "the scan found only {checked} scoped queries"
        );
        assert!(
            faults.is_empty(),
            "scoped queries without the clause:\n{}",
            faults.join("\n")
        );
    }
}
