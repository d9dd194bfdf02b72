//! The firm's bank accounts: where payments arrive and statements come
//! from. Each posts to its own ledger account (512, or 512x when the firm
//! keeps several banks) and remembers how its CSV statements read.

use domain::identifiers::Iban;
use domain::ids::BankAccountId;
use domain::ledger::AccountNumber;
use domain::validation::ValidationErrors;
use serde::Serialize;

use crate::{Actor, Error, Result, Tx, audit, map_unique, now, on_tx};

#[derive(Debug, Clone, Serialize, PartialEq, Eq, sqlx::FromRow)]
pub struct BankAccount {
    #[sqlx(try_from = "String")]
    pub id: BankAccountId,
    pub label: String,
    pub iban: String,
    pub bic: Option<String>,
    pub ledger_account: String,
    /// The number the bank gives the account when not its IBAN (CAMT.053
    /// `Acct/Id/Othr/Id`), in capitals without spaces or punctuation.
    pub other_id: Option<String>,
    pub csv_mapping: Option<String>,
    pub active: bool,
}

impl BankAccount {
    pub fn iban_formatted(&self) -> String {
        Iban::parse(&self.iban)
            .map(|i| i.formatted())
            .unwrap_or_else(|_| self.iban.clone())
    }
}

/// What a form gives.
#[derive(Debug, Clone, Default)]
pub struct BankAccountInput {
    pub label: String,
    pub iban: String,
    pub bic: String,
    pub ledger_account: String,
    /// Another identifier the bank uses for the account (optional).
    pub other_id: String,
}

struct Checked {
    label: String,
    iban: Iban,
    bic: Option<String>,
    ledger_account: AccountNumber,
    other_id: Option<String>,
}

fn check(input: &BankAccountInput) -> Result<Checked> {
    let mut e = ValidationErrors::new();
    let label = input.label.trim();
    if label.is_empty() {
        e.add("label", "field-required");
    }
    let iban = e.optional("iban", &input.iban, Iban::parse);
    if iban.is_none() && e.for_field("iban").is_none() {
        e.add("iban", "field-required");
    }
    let bic: String = input
        .bic
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase();
    // ISO 9362: 4 letters (bank), 2 letters (country), 2 alphanumerics
    // (place), optionally 3 alphanumerics (branch).
    let bic_ok = bic.is_empty()
        || ((bic.len() == 8 || bic.len() == 11)
            && bic[..6].bytes().all(|b| b.is_ascii_uppercase())
            && bic[6..].bytes().all(|b| b.is_ascii_alphanumeric()));
    if !bic_ok {
        e.add("bic", "bank-bic-invalid");
    }
    let raw = if input.ledger_account.trim().is_empty() {
        "512"
    } else {
        input.ledger_account.trim()
    };
    let ledger_account = AccountNumber::parse(raw)
        .ok()
        .filter(|a| a.as_str().starts_with("512"));
    if ledger_account.is_none() {
        e.add("ledger_account", "bank-ledger-account-invalid");
    }
    // ISO 20022 Max34Text; letters and digits once spaces and punctuation
    // are dropped.
    let other_id = domain::bank_statement::normalise_account_id(&input.other_id);
    if other_id.len() > 34 || (other_id.is_empty() && !input.other_id.trim().is_empty()) {
        e.add("other_id", "bank-other-id-invalid");
    }
    if !e.is_empty() {
        return Err(Error::Invalid(e));
    }
    Ok(Checked {
        other_id: (!other_id.is_empty()).then_some(other_id),
        label: label.chars().take(200).collect(),
        iban: iban.expect("checked"),
        bic: (!bic.is_empty()).then_some(bic),
        ledger_account: ledger_account.expect("checked"),
    })
}

const COLUMNS: &str = "id, label, iban, bic, ledger_account, other_id, csv_mapping, active";

pub async fn list(tx: &mut Tx) -> Result<Vec<BankAccount>> {
    let sql = format!("SELECT {COLUMNS} FROM bank_accounts ORDER BY active DESC, label, id");
    Ok(on_tx!(tx, |c| sqlx::query_as::<_, BankAccount>(
        sqlx::AssertSqlSafe(sql.clone())
    )
    .fetch_all(c)
    .await)?)
}

/// The accounts a payment can go to.
pub async fn active(tx: &mut Tx) -> Result<Vec<BankAccount>> {
    Ok(list(tx).await?.into_iter().filter(|a| a.active).collect())
}

pub async fn get(tx: &mut Tx, id: BankAccountId) -> Result<BankAccount> {
    let sql = format!("SELECT {COLUMNS} FROM bank_accounts WHERE id = $1");
    on_tx!(tx, |c| sqlx::query_as::<_, BankAccount>(
        sqlx::AssertSqlSafe(sql.clone())
    )
    .bind(id.to_string())
    .fetch_optional(c)
    .await)?
    .ok_or(Error::NotFound)
}

/// Makes sure the ledger account exists (a 512x sub-account is added with
/// the bank's label).
async fn ensure_ledger_account(tx: &mut Tx, number: &AccountNumber, label: &str) -> Result<()> {
    on_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO ledger_accounts (number, label) VALUES ($1, $2) ON CONFLICT (number) DO NOTHING"
    )
    .bind(number.as_str())
    .bind(format!("Banque — {label}"))
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(())
}

pub async fn create(tx: &mut Tx, actor: &Actor, input: &BankAccountInput) -> Result<BankAccount> {
    let c = check(input)?;
    ensure_ledger_account(tx, &c.ledger_account, &c.label).await?;
    let account = BankAccount {
        id: BankAccountId::new(),
        label: c.label,
        iban: c.iban.as_str().to_owned(),
        bic: c.bic,
        ledger_account: c.ledger_account.as_str().to_owned(),
        other_id: c.other_id,
        csv_mapping: None,
        active: true,
    };
    on_tx!(tx, |cx| sqlx::query(
        "INSERT INTO bank_accounts (id, label, iban, bic, ledger_account, other_id, active, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, TRUE, $7)"
    )
    .bind(account.id.to_string())
    .bind(&account.label)
    .bind(&account.iban)
    .bind(&account.bic)
    .bind(&account.ledger_account)
    .bind(&account.other_id)
    .bind(now())
    .execute(cx)
    .await
    .map(|r| r.rows_affected()))
    .map_err(|e| map_unique(e, &[("iban", "iban")]))?;
    audit::record(
        tx,
        actor,
        "create",
        "bank_account",
        &account.id.to_string(),
        None::<&()>,
        Some(&account),
    )
    .await?;
    Ok(account)
}

/// Label, BIC, ledger account, the bank's other identifier and whether
/// payments may still go to it.
/// The IBAN identifies the account: another IBAN is another account.
pub async fn update(
    tx: &mut Tx,
    actor: &Actor,
    id: BankAccountId,
    input: &BankAccountInput,
    active: bool,
) -> Result<BankAccount> {
    let before = get(tx, id).await?;
    let c = check(&BankAccountInput {
        iban: before.iban.clone(),
        ..input.clone()
    })?;
    ensure_ledger_account(tx, &c.ledger_account, &c.label).await?;
    on_tx!(tx, |cx| {
        sqlx::query(
        "UPDATE bank_accounts SET label = $2, bic = $3, ledger_account = $4, active = $5, other_id = $6
         WHERE id = $1"
    )
    .bind(id.to_string())
    .bind(&c.label)
    .bind(&c.bic)
    .bind(c.ledger_account.as_str())
    .bind(active)
    .bind(&c.other_id)
    .execute(cx)
    .await
    .map(|r| r.rows_affected())
    })?;
    let after = get(tx, id).await?;
    audit::record(
        tx,
        actor,
        "update",
        "bank_account",
        &id.to_string(),
        Some(&before),
        Some(&after),
    )
    .await?;
    Ok(after)
}

/// Remembers how this bank's CSV statements read (JSON of the mapping).
pub async fn set_csv_mapping(
    tx: &mut Tx,
    actor: &Actor,
    id: BankAccountId,
    json: &str,
) -> Result<()> {
    let before = get(tx, id).await?;
    if before.csv_mapping.as_deref() == Some(json) {
        return Ok(());
    }
    on_tx!(tx, |c| sqlx::query(
        "UPDATE bank_accounts SET csv_mapping = $2 WHERE id = $1"
    )
    .bind(id.to_string())
    .bind(json)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    audit::record(
        tx,
        actor,
        "csv_mapping",
        "bank_account",
        &id.to_string(),
        before.csv_mapping.as_ref(),
        Some(&json),
    )
    .await
}
