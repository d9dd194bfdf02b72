//! The filters of a list as SQL holding only the conditions asked for.
//!
//! A list with optional filters written once as `($4 IS NULL OR col = $4)`
//! reads well but plans badly: SQLite cannot use an index through such an
//! `OR`, and PostgreSQL's generic plan of a prepared statement (chosen after
//! five runs) cannot either. With 50 000 opportunities the kanban's columns
//! each scanned the whole table. [`Conditions`] writes `AND col = $n` for
//! the filters present only, numbered after the scope's `$1`–`$3`; each
//! combination of filters is its own statement with its own plan. Column
//! names and operators are fixed texts of the caller, never the request's.

use domain::paging::PageRequest;
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use time::{Date, OffsetDateTime};

use crate::scope::ScopedSql;
use crate::{Result, Scope, Tx, on_tx};

/// A value bound to one of the conditions.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Text(String),
    Date(Date),
    Instant(OffsetDateTime),
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::Text(s)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::Text(s.to_owned())
    }
}

impl From<Date> for Value {
    fn from(d: Date) -> Self {
        Value::Date(d)
    }
}

impl From<OffsetDateTime> for Value {
    fn from(t: OffsetDateTime) -> Self {
        Value::Instant(t)
    }
}

/// `AND …` conditions and the values they bind, from `$4` on.
#[derive(Debug, Clone)]
pub(crate) struct Conditions {
    sql: String,
    values: Vec<Value>,
}

/// The scope binds `$1` to `$3`.
const FIRST: usize = 4;

impl Conditions {
    pub fn new() -> Self {
        Conditions {
            sql: String::new(),
            values: Vec::new(),
        }
    }

    /// `column op $n` when `value` is present.
    pub fn cmp<V: Into<Value>>(
        &mut self,
        column: &'static str,
        op: &'static str,
        value: Option<V>,
    ) -> &mut Self {
        if let Some(v) = value {
            let n = self.next();
            self.values.push(v.into());
            self.sql.push_str(&format!(" AND {column} {op} ${n}"));
        }
        self
    }

    /// `column = $n` when `value` is present.
    pub fn eq<V: Into<Value>>(&mut self, column: &'static str, value: Option<V>) -> &mut Self {
        self.cmp(column, "=", value)
    }

    /// `column LIKE $n` (the pattern of `search::like_pattern`).
    pub fn like(&mut self, column: &'static str, pattern: Option<String>) -> &mut Self {
        if let Some(p) = pattern {
            let n = self.next();
            self.values.push(Value::Text(p));
            self.sql
                .push_str(&format!(" AND {column} LIKE ${n} ESCAPE '\\'"));
        }
        self
    }

    /// `column IN ({select} LIKE $n)`, `select` a fixed sub-select up to its
    /// searched column: the rows whose related record's words hold the
    /// pattern (a client's name typed rather than picked).
    pub fn like_within(
        &mut self,
        column: &'static str,
        select: &'static str,
        pattern: Option<String>,
    ) -> &mut Self {
        if let Some(p) = pattern {
            let n = self.next();
            self.values.push(Value::Text(p));
            self.sql.push_str(&format!(
                " AND {column} IN ({select} LIKE ${n} ESCAPE '\\')"
            ));
        }
        self
    }

    /// `column IN ($n, …)` over `values` (at most `MAX_BINDS` less the
    /// other binds: the caller chunks longer lists).
    pub fn within(
        &mut self,
        column: &'static str,
        values: impl IntoIterator<Item = String>,
    ) -> &mut Self {
        let first = self.next();
        self.values.extend(values.into_iter().map(Value::Text));
        let n = self.next() - first;
        if n == 0 {
            // In an empty list: nothing.
            self.sql.push_str(" AND 1 = 0");
            return self;
        }
        self.sql.push_str(&format!(
            " AND {column} IN ({})",
            crate::values_list_from("?", n, first)
        ));
        self
    }

    /// A fixed condition without a value, when `on`.
    pub fn when(&mut self, on: bool, condition: &'static str) -> &mut Self {
        if on {
            self.sql.push_str(" AND ");
            self.sql.push_str(condition);
        }
        self
    }

    /// The `AND …` text (empty without filters): to follow a `WHERE`
    /// clause that holds the scope.
    pub fn sql(&self) -> &str {
        &self.sql
    }

    /// The number of the next parameter after the conditions' (for a
    /// `LIMIT` or an `OFFSET`).
    pub fn next(&self) -> usize {
        FIRST + self.values.len()
    }

    pub fn values(&self) -> &[Value] {
        &self.values
    }
}

/// Binds the conditions' values, in order, to a query that has bound the
/// scope's three.
#[macro_export]
macro_rules! bind_values {
    ($q:expr, $conditions:expr) => {{
        let mut q = $q;
        for v in $conditions.values() {
            q = match v {
                $crate::filter::Value::Text(s) => q.bind(s.clone()),
                $crate::filter::Value::Date(d) => q.bind(*d),
                $crate::filter::Value::Instant(t) => q.bind(*t),
            };
        }
        q
    }};
}

/// `SELECT COUNT(*) FROM {from} WHERE {scope}{conditions}`: `from_where`
/// is the text up to and including the scope's clause. With `at_most`,
/// counts up to one past it.
pub(crate) async fn count(
    tx: &mut Tx,
    scope: Scope,
    from_where: ScopedSql,
    c: &Conditions,
    at_most: Option<u64>,
) -> Result<u64> {
    // Counting every row a broad scope matches costs a pass over them all
    // (200 000 activities: 0,2 s for a business manager); a page that says
    // "more than 1 000" stops at the 1 001st.
    let sql = match at_most {
        None => format!("SELECT COUNT(*) FROM {}{}", from_where.as_str(), c.sql()),
        Some(n) => format!(
            "SELECT COUNT(*) FROM (SELECT 1 FROM {}{} LIMIT {}) counted",
            from_where.as_str(),
            c.sql(),
            n.saturating_add(1)
        ),
    };
    let n: i64 = on_tx!(tx, |x| bind_values!(
        sqlx::query_scalar(sqlx::AssertSqlSafe(sql.clone()))
            .bind(scope.company())
            .bind(scope.own_user())
            .bind(scope.portfolio()),
        c
    )
    .fetch_one(x)
    .await)?;
    Ok(n as u64)
}

/// The rows of `select_where` (a statement up to and including the
/// scope's clause) with the conditions, then `tail` (a fixed `ORDER BY` or
/// `GROUP BY` text), then the page's `LIMIT` and `OFFSET` if any.
pub(crate) async fn rows<R>(
    tx: &mut Tx,
    scope: Scope,
    select_where: ScopedSql,
    c: &Conditions,
    tail: &str,
    page: Option<PageRequest>,
) -> Result<Vec<R>>
where
    R: for<'r> sqlx::FromRow<'r, SqliteRow> + for<'r> sqlx::FromRow<'r, PgRow> + Send + Unpin,
{
    let mut sql = format!("{}{} {tail}", select_where.as_str(), c.sql());
    if page.is_some() {
        sql.push_str(&format!(" LIMIT ${} OFFSET ${}", c.next(), c.next() + 1));
    }
    on_tx!(tx, |x| {
        let q = bind_values!(
            sqlx::query_as::<_, R>(sqlx::AssertSqlSafe(sql.clone()))
                .bind(scope.company())
                .bind(scope.own_user())
                .bind(scope.portfolio()),
            c
        );
        match page {
            Some(p) => q.bind(p.limit()).bind(p.offset()).fetch_all(x).await,
            None => q.fetch_all(x).await,
        }
    })
    .map_err(Into::into)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_filters_present_are_written_numbered_after_the_scope() {
        let mut c = Conditions::new();
        c.eq("o.stage", Some("proposition"))
            .eq::<String>("o.kind", None)
            .cmp(
                "o.start_date",
                ">=",
                Some(time::macros::date!(2026 - 12 - 01)),
            )
            .when(true, "t.done_at IS NULL")
            .when(false, "t.done_at IS NOT NULL")
            .like("o.search_key", Some("%data%".into()))
            .within("o.client_id", ["a".to_string(), "b".to_string()]);
        assert_eq!(
            c.sql(),
            " AND o.stage = $4 AND o.start_date >= $5 AND t.done_at IS NULL \
             AND o.search_key LIKE $6 ESCAPE '\\' AND o.client_id IN ($7, $8)"
        );
        assert_eq!(c.values().len(), 5);
        assert_eq!(c.next(), 9);
    }

    #[test]
    fn no_filter_no_text() {
        let c = Conditions::new();
        assert_eq!(c.sql(), "");
        assert_eq!(c.next(), 4);
    }
}
