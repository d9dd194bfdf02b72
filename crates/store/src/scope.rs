//! Which records a query may return. Built by the web crate's policy module
//! from the signed-in user and applied inside every list/get query, so a
//! template can never show what the query did not return.
//!
//! [`scope_clause!`](crate::scope_clause) is the one table of who sees what:
//! for each scoped entity, the condition on its rows. Every scoped query
//! includes it and binds [`Scope::company`] as `$1`, [`Scope::own_user`] as
//! `$2` and [`Scope::portfolio`] as `$3` (staff bind three NULLs and see
//! every row); a test below fails when a scoped query of the listed modules
//! leaves it out or binds fewer than the three.
//!
//! A business manager's scope is his portfolio: the missions in which he
//! holds or held a dated period (`mission_portfolio`), whatever its share.
//! Past periods count: his variable pay and his history concern those
//! missions, so he keeps seeing them after handing them over; a mission he
//! never owned he does not see. His accounts are the clients of those
//! missions and the companies of his own account portfolio
//! (`company_portfolio`), with their contacts and contracts; the reports,
//! documents and invoices he sees are those of his missions (and of the
//! contracts they bill under).

use domain::ids::{CompanyId, UserId};

/// The missions of `$n`'s portfolio (every period he holds or held), as a
/// sub-select for `IN (...)`: the one definition of "his missions", used
/// by the scope and by his home figures. Served by the index
/// `mission_portfolio_holder (business_manager_id, mission_id)`.
#[macro_export]
macro_rules! portfolio_missions {
    ($n:literal) => {
        concat!(
            "SELECT pf_m.mission_id FROM mission_portfolio pf_m WHERE pf_m.business_manager_id = ",
            $n
        )
    };
}

/// The accounts of `$n`'s portfolio: the clients of his missions and the
/// companies of his account portfolio, as a sub-select for `IN (...)`.
#[macro_export]
macro_rules! portfolio_companies {
    ($n:literal) => {
        concat!(
            "SELECT pf_c.client_id FROM missions pf_c WHERE pf_c.id IN (",
            $crate::portfolio_missions!($n),
            ") UNION SELECT pf_a.company_id FROM company_portfolio pf_a WHERE pf_a.business_manager_id = ",
            $n
        )
    };
}

/// The invoices and credit notes of `$n`'s missions, on `i`: those of a
/// mission of his portfolio, or of a client contract one of them bills
/// under; every document when `$n` is null.
#[macro_export]
macro_rules! portfolio_invoices {
    ($n:literal) => {
        concat!(
            "(CAST(",
            $n,
            " AS TEXT) IS NULL OR i.mission_id IN (",
            $crate::portfolio_missions!($n),
            ") OR i.contract_id IN (SELECT pf_k.client_contract_id FROM missions pf_k WHERE pf_k.id IN (",
            $crate::portfolio_missions!($n),
            ")))"
        )
    };
}

/// The scope condition of an entity's rows, as a string literal (usable in
/// `concat!`), under the alias its queries give the table. `$1` is the
/// client contact's company, `$2` the consultant's user id, `$3` the
/// business manager whose portfolio bounds what he sees.
#[macro_export]
macro_rules! scope_clause {
    // A client contact sees his company; consultants see no company yet
    // (they will see those of their missions once the CRM exposes them);
    // a business manager his accounts.
    (companies) => {
        concat!(
            " (CAST($1 AS TEXT) IS NULL OR id = $1) AND CAST($2 AS TEXT) IS NULL \
              AND (CAST($3 AS TEXT) IS NULL OR id IN (",
            $crate::portfolio_companies!("$3"),
            ")) "
        )
    };
    // Contacts follow their company (alias `p`).
    (contacts) => {
        concat!(
            " (CAST($1 AS TEXT) IS NULL OR p.company_id = $1) AND CAST($2 AS TEXT) IS NULL \
              AND (CAST($3 AS TEXT) IS NULL OR p.company_id IN (",
            $crate::portfolio_companies!("$3"),
            ")) "
        )
    };
    // A client's contracts; a consultant's, through his missions; a
    // business manager's accounts' (`k`).
    (contracts) => {
        concat!(
            " (CAST($1 AS TEXT) IS NULL OR k.client_id = $1) \
              AND (CAST($2 AS TEXT) IS NULL OR k.id IN (SELECT client_contract_id FROM missions WHERE consultant_id = $2)) \
              AND (CAST($3 AS TEXT) IS NULL OR k.client_id IN (",
            $crate::portfolio_companies!("$3"),
            ")) "
        )
    };
    // A mission is its client's, its consultant's and its business
    // managers' (`m`).
    (missions) => {
        concat!(
            " (CAST($1 AS TEXT) IS NULL OR m.client_id = $1) AND (CAST($2 AS TEXT) IS NULL OR m.consultant_id = $2) \
              AND (CAST($3 AS TEXT) IS NULL OR m.id IN (",
            $crate::portfolio_missions!("$3"),
            ")) "
        )
    };
    // A document is its client's and its consultant's; a business
    // manager's when it is about one of his missions, or not about a
    // mission but about one of his accounts (`d`).
    (documents) => {
        concat!(
            " (CAST($1 AS TEXT) IS NULL OR d.client_id = $1) AND (CAST($2 AS TEXT) IS NULL OR d.consultant_id = $2) \
              AND (CAST($3 AS TEXT) IS NULL OR d.mission_id IN (",
            $crate::portfolio_missions!("$3"),
            ") OR (d.mission_id IS NULL AND d.client_id IN (",
            $crate::portfolio_companies!("$3"),
            "))) "
        )
    };
    // A report is its consultant's, and each client's whose mission is in
    // it (one approval row per client); a business manager's when one of
    // its days is on one of his missions (`r`).
    (cras) => {
        concat!(
            " (CAST($2 AS TEXT) IS NULL OR r.consultant_id = $2) \
              AND (CAST($1 AS TEXT) IS NULL OR EXISTS (SELECT 1 FROM cra_client_approvals a \
                WHERE a.cra_id = r.id AND a.client_id = $1)) \
              AND (CAST($3 AS TEXT) IS NULL OR r.id IN (SELECT pf_s.cra_id FROM cra_slots pf_s WHERE pf_s.mission_id IN (",
            $crate::portfolio_missions!("$3"),
            "))) "
        )
    };
    // An invoice or credit note is its client's, and a business manager's
    // when it bills one of his missions; a consultant sees none (`i`).
    (invoices) => {
        concat!(
            " (CAST($1 AS TEXT) IS NULL OR i.client_id = $1) AND CAST($2 AS TEXT) IS NULL AND ",
            $crate::portfolio_invoices!("$3"),
            " "
        )
    };
    // A follow-up meeting is the firm's managers': a business manager's
    // when it is about one of his missions, or not about a mission but
    // about one of his accounts; client contacts and consultants see none
    // (the policy refuses them the pages too) (`mt`).
    (meetings) => {
        concat!(
            " CAST($1 AS TEXT) IS NULL AND CAST($2 AS TEXT) IS NULL \
              AND (CAST($3 AS TEXT) IS NULL OR mt.mission_id IN (",
            $crate::portfolio_missions!("$3"),
            ") OR (mt.mission_id IS NULL AND mt.company_id IN (",
            $crate::portfolio_companies!("$3"),
            "))) "
        )
    };
    // An opportunity is the firm's commercial staff's: a business manager
    // sees those he manages and those of his accounts; a client contact
    // and a consultant none (the policy refuses them the pages too) (`o`).
    (opportunities) => {
        concat!(
            " CAST($1 AS TEXT) IS NULL AND CAST($2 AS TEXT) IS NULL \
              AND (CAST($3 AS TEXT) IS NULL OR o.business_manager_id = $3 OR o.client_id IN (",
            $crate::portfolio_companies!("$3"),
            ")) "
        )
    };
    // An activity (a call, a meeting, an e-mail, a task, a renewal task)
    // is the firm's commercial staff's: a business manager sees those
    // assigned to him and those about his accounts, his missions or the
    // opportunities he manages; client contacts and consultants none (the
    // policy refuses them the pages too) (`t`).
    (activities) => {
        concat!(
            " CAST($1 AS TEXT) IS NULL AND CAST($2 AS TEXT) IS NULL \
              AND (CAST($3 AS TEXT) IS NULL OR t.assignee_id = $3 OR t.company_id IN (",
            $crate::portfolio_companies!("$3"),
            ") OR t.mission_id IN (",
            $crate::portfolio_missions!("$3"),
            ") OR t.opportunity_id IN (SELECT pf_o.id FROM opportunities pf_o WHERE pf_o.business_manager_id = $3)) "
        )
    };
    // Leave is one's own; a client contact sees none; a business manager
    // approves leave as before, firm-wide: `$3` does not narrow it (`l`).
    (leave) => {
        " CAST($1 AS TEXT) IS NULL AND (CAST($2 AS TEXT) IS NULL OR l.user_id = $2) \
          AND (CAST($3 AS TEXT) IS NULL OR CAST($3 AS TEXT) IS NOT NULL) "
    };
}

/// A statement's text up to and including its scope condition, for the
/// helpers that add a list's filters after it (`filter::rows`). Made only
/// by [`scoped_sql!`], which writes the clause: a helper that takes one
/// cannot be handed SQL without it.
#[derive(Debug, Clone, Copy)]
pub struct ScopedSql(&'static str);

impl ScopedSql {
    #[doc(hidden)]
    pub const fn from_scoped_sql_macro(sql: &'static str) -> Self {
        ScopedSql(sql)
    }

    pub fn as_str(self) -> &'static str {
        self.0
    }
}

/// `$head` followed by the scope condition of `$entity` (as in
/// `scope_clause!`): `scoped_sql!("tasks t WHERE ", activities)`.
#[macro_export]
macro_rules! scoped_sql {
    ($head:expr, $entity:ident) => {
        $crate::scope::ScopedSql::from_scoped_sql_macro(concat!(
            $head,
            $crate::scope_clause!($entity)
        ))
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
    /// A business manager: the missions and accounts of his portfolio,
    /// and what hangs from them.
    Portfolio(UserId),
}

impl Scope {
    /// The `$1` bind: the client contact's company, else NULL.
    pub fn company(&self) -> Option<String> {
        match self {
            Scope::Company(c) => Some(c.to_string()),
            _ => None,
        }
    }

    /// The `$2` bind: the consultant, else NULL.
    pub fn own_user(&self) -> Option<String> {
        match self {
            Scope::Own(u) => Some(u.to_string()),
            _ => None,
        }
    }

    /// The `$3` bind: the business manager whose portfolio bounds the
    /// rows, else NULL.
    pub fn portfolio(&self) -> Option<String> {
        match self {
            Scope::Portfolio(u) => Some(u.to_string()),
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

    /// Names (macros, constants) whose definition carries the clause,
    /// directly or through another carrier (a macro built on one).
    fn carriers(text: &str) -> Vec<String> {
        // Every definition: its name as used (`name!` for a macro) and body.
        let mut defs = Vec::new();
        for (kw, end, used_as) in [("macro_rules! ", " {", "!"), ("const ", ":", "")] {
            let mut rest = text;
            while let Some(i) = rest.find(kw) {
                let after = &rest[i + kw.len()..];
                let name = after.split(end).next().unwrap_or("").trim().to_owned();
                let def_end = after
                    .find("\n}")
                    .or_else(|| after.find("\n);"))
                    .unwrap_or(after.len());
                if !name.is_empty() {
                    defs.push((format!("{name}{used_as}"), &after[..def_end]));
                }
                rest = after;
            }
        }
        let mut out: Vec<String> = vec!["scope_clause!".into()];
        loop {
            let found: Vec<String> = defs
                .iter()
                .filter(|(name, body)| {
                    !out.contains(name) && out.iter().any(|c| body.contains(c.as_str()))
                })
                .map(|(name, _)| name.clone())
                .collect();
            if found.is_empty() {
                break;
            }
            out.extend(found);
        }
        out.remove(0);
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
            checked += scan(path, text, &mut faults);
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

    /// `ScopedSql` is made by `scoped_sql!` alone, so a helper taking one
    /// always has the clause.
    #[test]
    fn scoped_sql_is_made_by_its_macro_only() {
        let mut files = Vec::new();
        sources(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut files,
        );
        let makers: Vec<&String> = files
            .iter()
            .filter(|(p, t)| {
                !p.ends_with("scope.rs")
                    && (t.contains("from_scoped_sql_macro") || t.contains("ScopedSql("))
            })
            .map(|(p, _)| p)
            .collect();
        assert!(
            makers.is_empty(),
            "ScopedSql made outside its macro: {makers:?}"
        );
    }

    /// The scan itself fails a query that binds the scope's first two
    /// parameters only (its own `$3` would take the portfolio's place), or
    /// out of order, or that leaves the clause out.
    #[test]
    fn the_scan_refuses_two_binds_or_no_clause() {
        let query = |binds: &str, clause: &str| {
            format!(
                "\npub async fn get(tx: &mut Tx, scope: Scope, id: MissionId) -> Result<Row> {{\n    \
                 on_tx!(tx, |c| sqlx::query_as(concat!(\"SELECT m.id FROM missions m WHERE m.id = $4 AND \", {clause}))\n{binds}        \
                 .bind(id.to_string())\n        .fetch_one(c)\n        .await)\n}}\n"
            )
        };
        let three = "        .bind(scope.company())\n        .bind(scope.own_user())\n        .bind(scope.portfolio())\n";
        let two = "        .bind(scope.company())\n        .bind(scope.own_user())\n";
        let swapped = "        .bind(scope.company())\n        .bind(scope.portfolio())\n        .bind(scope.own_user())\n";
        let faults = |text: String| {
            let mut faults = Vec::new();
            assert_eq!(scan("x.rs", &text, &mut faults), 1, "{text}");
            faults.len()
        };
        assert_eq!(faults(query(three, "crate::scope_clause!(missions)")), 0);
        assert_eq!(faults(query(two, "crate::scope_clause!(missions)")), 1);
        assert_eq!(faults(query(swapped, "crate::scope_clause!(missions)")), 1);
        assert_eq!(faults(query(three, "\"1 = 1\"")), 1);
    }

    /// Checks the scoped queries of one source file, adding its faults;
    /// returns how many it checked.
    fn scan(path: &str, text: &str, faults: &mut Vec<String>) -> usize {
        let mut checked = 0;
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
            // Its SQL comes from `scoped_sql!`, which wrote the clause.
            if signature.contains(": ScopedSql") {
                checked += 1;
                continue;
            }
            checked += 1;
            // The three binds, in their order: a query binding two would
            // shift its own parameters onto `$3`.
            let at = |b: &str| f.find(b);
            let binds = match (
                at(".bind(scope.company())"),
                at(".bind(scope.own_user())"),
                at(".bind(scope.portfolio())"),
            ) {
                (Some(a), Some(b), Some(c)) => a < b && b < c,
                _ => false,
            };
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
        checked
    }
}
