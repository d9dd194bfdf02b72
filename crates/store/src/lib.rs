//! Régisseur's persistence. The only crate that speaks SQL; both backends are
//! served by the same functions (see `db`).

pub mod account_plans;
pub mod activities;
pub mod agencies;
pub mod api_tokens;
pub mod audit;
pub mod backup;
pub mod bank_accounts;
pub mod bank_postings;
pub mod brouillard;
pub mod clock;
pub mod companies;
pub mod contacts;
pub mod contracts;
pub mod costs;
pub mod cra_reports;
pub mod cras;
pub mod credentials;
pub mod db;
pub mod documents;
pub mod dunning;
pub mod einvoicing;
pub mod employees;
pub mod esign;
pub mod exports;
pub mod fec;
pub(crate) mod filter;
pub mod firm;
pub mod invitations;
pub mod invoice_emails;
pub mod invoicing;
pub mod jobs;
pub mod leave;
pub mod ledger;
pub mod ledger_close;
pub mod ledger_reports;
pub mod ledger_seal;
pub mod lettering;
pub mod margin_forecast;
pub mod margin_inputs;
pub mod margins;
pub mod meetings;
pub mod missions;
pub mod opportunities;
pub mod outbox;
pub mod payments;
pub mod portfolio;
pub mod receivables;
pub mod render;
pub mod renewals;
pub mod scope;
pub mod search;
pub mod sessions;
pub mod statements;
pub mod throttle;
mod upgrade;
pub mod users;

pub use audit::Actor;
pub use clock::{now, today};
pub use db::{Backend, Db, Tx};
pub use scope::Scope;

use std::str::FromStr;

use domain::ids::ParseIdError;
use domain::validation::ValidationErrors;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("not found")]
    NotFound,
    /// A uniqueness rule refused the write; `field` names the form field.
    #[error("conflict on {field}")]
    Conflict { field: &'static str },
    #[error("invalid input")]
    Invalid(ValidationErrors),
    #[error("configuration: {0}")]
    Config(String),
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
    #[error(transparent)]
    Db(sqlx::Error),
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// Writing a file (an export) failed.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<sqlx::Error> for Error {
    /// A column that does not decode (an id that is not one, say) is bad
    /// stored data, not a failing database.
    fn from(e: sqlx::Error) -> Self {
        match e {
            sqlx::Error::ColumnDecode { index, source } => {
                Error::Corrupt(format!("column {index}: {source}"))
            }
            e => Error::Db(e),
        }
    }
}

impl From<ValidationErrors> for Error {
    fn from(e: ValidationErrors) -> Self {
        Error::Invalid(e)
    }
}

/// Maps a unique violation to the form field it concerns, using the constraint
/// names of the migrations (PostgreSQL reports the name, SQLite the columns).
pub(crate) fn map_unique(e: sqlx::Error, rules: &[(&str, &'static str)]) -> Error {
    if let sqlx::Error::Database(db) = &e
        && db.is_unique_violation()
    {
        let hay = format!("{} {}", db.constraint().unwrap_or_default(), db.message());
        for (needle, field) in rules {
            if hay.contains(needle) {
                return Error::Conflict { field };
            }
        }
    }
    Error::Db(e)
}

/// Bound parameters of one multi-row statement, at most: multi-row inserts are
/// cut into statements of this many. Far below the limits (SQLite: 999 before
/// 3.32, 32,766 since; PostgreSQL: 65,535) because sqlx binds SQLite
/// parameters by looking up each one's name, a cost that grows with their
/// number: binding a statement is quadratic in its size. Around 250
/// parameters that cost is negligible and statements are still few (on a
/// renewal scan creating 25,000 alerts, 999 parameters a statement took about
/// 1 s more CPU than 250; 30,000 took 40 s more).
pub(crate) const MAX_BINDS: usize = 250;

/// `INDEXED BY index` on SQLite, nothing on PostgreSQL (whose planner has
/// statistics and no such clause): SQLite keeps none unless told, and
/// without them it may take an index that scans a whole month where the
/// query names a few people, or flip plans after an `ANALYZE` taken while
/// the tables were small.
pub(crate) fn pinned(tx: &Tx, index: &str) -> String {
    match tx.backend() {
        Backend::Sqlite => format!("INDEXED BY {index}"),
        Backend::Postgres => String::new(),
    }
}

/// How many rows of `binds_per_row` parameters fit in one statement.
/// Public for code outside this crate that batches its own statements the
/// same way (the bench data of the `fixtures` crate).
pub fn rows_per_statement(binds_per_row: usize) -> usize {
    (MAX_BINDS / binds_per_row).max(1)
}

/// The `VALUES` list of a multi-row statement: `rows` copies of `row`, a
/// row template where each `?` stands for a bound parameter, numbered `$1`,
/// `$2`, … across the rows (`row` holds no other `?`). Public for the same
/// reason as [`rows_per_statement`].
pub fn values_list(row: &str, rows: usize) -> String {
    values_list_from(row, rows, 1)
}

/// [`values_list`] whose parameters are numbered from `first` (after the
/// statement's own leading parameters).
pub fn values_list_from(row: &str, rows: usize, first: usize) -> String {
    let mut out = String::with_capacity((row.len() + 16) * rows);
    let mut n = first - 1;
    for i in 0..rows {
        if i > 0 {
            out.push_str(", ");
        }
        for ch in row.chars() {
            if ch == '?' {
                n += 1;
                out.push('$');
                out.push_str(&n.to_string());
            } else {
                out.push(ch);
            }
        }
    }
    out
}

pub fn corrupt(what: &str, value: &str) -> Error {
    Error::Corrupt(format!("{what}: {value:?}"))
}

/// Reads a typed id from the text it is stored as, where a row is not read
/// through `FromRow` (row structs use `#[sqlx(try_from = "String")]`).
/// Ids are written as their `Display` text: `.bind(id.to_string())`.
pub(crate) fn id<T: FromStr<Err = ParseIdError>>(s: &str) -> Result<T> {
    s.parse()
        .map_err(|e: ParseIdError| Error::Corrupt(e.to_string()))
}

/// A nullable id column, read as `Option<SomeId>` by a row struct's field
/// marked `#[sqlx(try_from = "store::MaybeId")]`. Public only because the
/// derived `FromRow` of public row structs names it.
#[doc(hidden)]
pub struct MaybeId(Option<String>);

impl<'r, DB: sqlx::Database> sqlx::Decode<'r, DB> for MaybeId
where
    Option<String>: sqlx::Decode<'r, DB>,
{
    fn decode(
        value: <DB as sqlx::Database>::ValueRef<'r>,
    ) -> Result<Self, sqlx::error::BoxDynError> {
        <Option<String> as sqlx::Decode<'r, DB>>::decode(value).map(MaybeId)
    }
}

impl<DB: sqlx::Database> sqlx::Type<DB> for MaybeId
where
    String: sqlx::Type<DB>,
{
    fn type_info() -> DB::TypeInfo {
        <String as sqlx::Type<DB>>::type_info()
    }

    fn compatible(ty: &DB::TypeInfo) -> bool {
        <String as sqlx::Type<DB>>::compatible(ty)
    }
}

impl<T: FromStr<Err = ParseIdError>> TryFrom<MaybeId> for Option<T> {
    type Error = ParseIdError;

    fn try_from(v: MaybeId) -> Result<Self, ParseIdError> {
        v.0.map(|s| s.parse()).transpose()
    }
}

#[cfg(test)]
mod dependencies;
#[cfg(test)]
mod module_graph;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_lists_number_the_parameters_across_rows() {
        assert_eq!(values_list("(?, 'x', ?)", 1), "($1, 'x', $2)");
        assert_eq!(
            values_list("(?, 0, ?)", 3),
            "($1, 0, $2), ($3, 0, $4), ($5, 0, $6)"
        );
        assert_eq!(values_list("(?)", 0), "");
        assert!(rows_per_statement(7) * 7 <= MAX_BINDS);
        assert_eq!(rows_per_statement(MAX_BINDS + 1), 1);
    }

    #[test]
    fn a_stored_id_that_is_none_is_corrupt_data() {
        use domain::ids::InvoiceId;
        let good = InvoiceId::new();
        assert_eq!(id::<InvoiceId>(&good.to_string()).unwrap(), good);
        assert!(matches!(
            id::<InvoiceId>("FA-2026-000001"),
            Err(Error::Corrupt(_))
        ));
        let none: Option<InvoiceId> = MaybeId(None).try_into().unwrap();
        assert_eq!(none, None);
        let bad: Result<Option<InvoiceId>, _> = MaybeId(Some("x".into())).try_into();
        assert!(bad.is_err());
        // What a row struct's `try_from` reports becomes the same error.
        let decode = sqlx::Error::ColumnDecode {
            index: "id".into(),
            source: Box::new(bad.unwrap_err()),
        };
        assert!(matches!(Error::from(decode), Error::Corrupt(_)));
    }

    #[test]
    fn timestamps_keep_six_fractional_digits() {
        for _ in 0..1000 {
            let t = now();
            assert!(!(t.nanosecond() / 1000).is_multiple_of(10));
            assert_eq!(t.nanosecond() % 1000, 0);
        }
    }
}
