//! Lettering of the customer account (411): letters lines together, extends
//! a partial lettering, un-letters with a reason, letters an invoice with
//! its payments and credit notes, and reads a customer's lines with their
//! codes. The rules are `domain::lettering`'s; this module reads the lines
//! and letterings they need and writes the outcome, with the audit trail,
//! in the caller's transaction.

use std::collections::{BTreeMap, BTreeSet};

use domain::ids::{CompanyId, InvoiceId, LetteringId, PaymentId};
use domain::invoice::{InvoiceKind, InvoiceStatus};
use domain::ledger::Journal;
use domain::ledger_reports::{AccountPrefix, DateRange};
use domain::lettering::{self, Code, Complete, Item, LineKey, Live, Plan};
use domain::money::Money;
use domain::validation::ValidationErrors;
use serde::Serialize;
use time::{Date, OffsetDateTime};

use crate::{Actor, Error, Result, Tx, audit, corrupt, map_unique, now, on_tx};

/// A posting line, by its entry and position.
pub type LineRef = LineKey;

/// The lettering a command made or extended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Lettered {
    pub id: LetteringId,
    pub code: Code,
    pub complete: bool,
}

impl Lettered {
    /// The code as shown: capitals when complete, lowercase when partial.
    pub fn shown(&self) -> String {
        self.code.shown(self.complete)
    }
}

fn refuse(
    field: &'static str,
    key: &'static str,
    args: Vec<(&'static str, domain::message::Arg)>,
) -> Error {
    let mut e = ValidationErrors::new();
    e.add_with(field, key, args);
    Error::Invalid(e)
}

/// One lettering command on a third party's account at a time: the next
/// code is read then taken. SQLite's writer lock already does it.
async fn lock_third_party(tx: &mut Tx, third_party: CompanyId) -> Result<()> {
    if let Tx::Postgres(t) = tx {
        sqlx::query("SELECT id FROM companies WHERE id = $1 FOR NO KEY UPDATE")
            .bind(third_party.to_string())
            .fetch_optional(&mut **t)
            .await?;
    }
    Ok(())
}

#[derive(sqlx::FromRow)]
struct ItemRow {
    entry_id: String,
    position: i32,
    account: String,
    third_party_id: Option<String>,
    debit_cents: i64,
    credit_cents: i64,
    journal: String,
    year: i32,
    number: i64,
    reverses_id: Option<String>,
    reversed_by: Option<String>,
}

/// A line with what lettering needs to know of its entry: the entry that
/// cancels it or that it cancels, whose mirror line must be lettered with
/// it.
struct Loaded {
    item: Item,
    mirror: Option<LineKey>,
}

fn company(id: Option<String>) -> Result<Option<CompanyId>> {
    id.map(|t| CompanyId::parse(&t).ok_or_else(|| corrupt("company id", &t)))
        .transpose()
}

/// The lines `keys` of the ledger, those that exist.
async fn load_items(tx: &mut Tx, keys: &[LineKey]) -> Result<BTreeMap<LineKey, Loaded>> {
    let mut out = BTreeMap::new();
    let entries: Vec<&str> = keys
        .iter()
        .map(|k| k.entry_id.as_str())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let wanted: BTreeSet<&LineKey> = keys.iter().collect();
    for chunk in entries.chunks(crate::rows_per_statement(1)) {
        let sql = format!(
            "SELECT l.entry_id, l.position, l.account, l.third_party_id, l.debit_cents, l.credit_cents,
               e.journal, e.year, e.number, e.reverses_id,
               (SELECT r.id FROM ledger_entries r WHERE r.reverses_id = e.id) AS reversed_by
             FROM ledger_lines l JOIN ledger_entries e ON e.id = l.entry_id
             WHERE l.entry_id IN ({})",
            crate::values_list("?", chunk.len())
        );
        let rows: Vec<ItemRow> = on_tx!(tx, |c| {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()));
            for id in chunk {
                q = q.bind(*id);
            }
            q.fetch_all(c).await
        })?;
        for r in rows {
            let key = LineKey::new(&r.entry_id, r.position);
            if !wanted.contains(&key) {
                continue;
            }
            let journal =
                Journal::parse(&r.journal).ok_or_else(|| corrupt("journal", &r.journal))?;
            let mirror = r
                .reverses_id
                .or(r.reversed_by)
                .map(|e| LineKey::new(&e, r.position));
            out.insert(
                key.clone(),
                Loaded {
                    item: Item {
                        key,
                        account: r.account,
                        third_party: company(r.third_party_id)?,
                        debit: Money::from_cents(r.debit_cents),
                        credit: Money::from_cents(r.credit_cents),
                        label: domain::ledger::entry_number(journal, r.year, r.number),
                    },
                    mirror,
                },
            );
        }
    }
    Ok(out)
}

#[derive(sqlx::FromRow)]
struct LetteringRow {
    id: String,
    account: String,
    third_party_id: String,
    code: String,
    complete: bool,
    lettered_on: Date,
    undone_at: Option<OffsetDateTime>,
}

const LETTERING_COLUMNS: &str =
    "id, account, third_party_id, code, complete, lettered_on, undone_at";

fn code_of(s: &str) -> Result<Code> {
    Code::parse(s).ok_or_else(|| corrupt("lettering code", s))
}

/// The live letterings any of `keys` is in, with all their live lines.
async fn live_letterings(tx: &mut Tx, keys: &[LineKey]) -> Result<Vec<Live>> {
    let mut ids = BTreeSet::new();
    let entries: BTreeSet<&str> = keys.iter().map(|k| k.entry_id.as_str()).collect();
    let entries: Vec<&str> = entries.into_iter().collect();
    let wanted: BTreeSet<&LineKey> = keys.iter().collect();
    for chunk in entries.chunks(crate::rows_per_statement(1)) {
        let sql = format!(
            "SELECT lettering_id, entry_id, position FROM lettering_lines
             WHERE live = TRUE AND entry_id IN ({})",
            crate::values_list("?", chunk.len())
        );
        let rows: Vec<(String, String, i32)> = on_tx!(tx, |c| {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()));
            for id in chunk {
                q = q.bind(*id);
            }
            q.fetch_all(c).await
        })?;
        ids.extend(
            rows.into_iter()
                .filter(|(_, e, p)| wanted.contains(&LineKey::new(e, *p)))
                .map(|(l, _, _)| l),
        );
    }
    let mut out = Vec::new();
    for id in ids {
        let (row, lines) = lettering_with_lines(tx, &id).await?;
        let items = load_items(tx, &lines).await?;
        out.push(Live {
            id: row.id,
            code: code_of(&row.code)?,
            complete: row.complete,
            lines: items.into_values().map(|l| l.item).collect(),
        });
    }
    Ok(out)
}

/// A lettering and its live lines (none once undone).
async fn lettering_with_lines(tx: &mut Tx, id: &str) -> Result<(LetteringRow, Vec<LineKey>)> {
    let sql = format!("SELECT {LETTERING_COLUMNS} FROM letterings WHERE id = $1");
    let row: Option<LetteringRow> =
        on_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(id)
            .fetch_optional(c)
            .await)?;
    let row = row.ok_or(Error::NotFound)?;
    let lines: Vec<(String, i32)> = on_tx!(tx, |c| sqlx::query_as(
        "SELECT entry_id, position FROM lettering_lines
         WHERE lettering_id = $1 AND live = TRUE ORDER BY entry_id, position"
    )
    .bind(id)
    .fetch_all(c)
    .await)?;
    Ok((
        row,
        lines
            .into_iter()
            .map(|(e, p)| LineKey::new(&e, p))
            .collect(),
    ))
}

async fn highest_code(tx: &mut Tx, account: &str, third_party: CompanyId) -> Result<Option<Code>> {
    // Longer codes come later (ZZ, then AAA); within a length, text order.
    let code: Option<String> = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT code FROM letterings WHERE account = $1 AND third_party_id = $2
         ORDER BY LENGTH(code) DESC, code DESC LIMIT 1"
    )
    .bind(account)
    .bind(third_party.to_string())
    .fetch_optional(c)
    .await)?;
    code.as_deref().map(code_of).transpose()
}

/// What the audit log keeps of a lettering.
#[derive(Serialize)]
struct Trail<'a> {
    code: &'a str,
    account: &'a str,
    third_party_id: String,
    complete: bool,
    lettered_on: Date,
    lines: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
}

/// Decides and checks a lettering, the store's part: the lines exist, and
/// a line of a reversed entry (or of a reversal) comes with its mirror, so
/// a cancelled invoice is never "settled" by a payment.
async fn prepare(
    tx: &mut Tx,
    third_party: CompanyId,
    account: &str,
    lines: &[LineRef],
    complete: Complete,
) -> Result<std::result::Result<Plan, ValidationErrors>> {
    let loaded = load_items(tx, lines).await?;
    let mut selected = Vec::with_capacity(lines.len());
    for k in lines {
        match loaded.get(k) {
            Some(l) => selected.push(l.item.clone()),
            None => {
                let mut e = ValidationErrors::new();
                e.add_with(
                    "lines",
                    "lettering-line-unknown",
                    domain::args![("number", k.token())],
                );
                return Ok(Err(e));
            }
        }
    }
    let live = live_letterings(tx, lines).await?;
    // A line of a reversed entry (or of a reversal) goes with its mirror,
    // selected or already lettered with it.
    let with: BTreeSet<&LineKey> = lines
        .iter()
        .chain(live.iter().flat_map(|l| l.lines.iter().map(|i| &i.key)))
        .collect();
    for k in lines {
        if let Some(m) = loaded.get(k).and_then(|l| l.mirror.as_ref())
            && !with.contains(m)
        {
            let mut e = ValidationErrors::new();
            e.add_with(
                "lines",
                "lettering-line-reversed",
                domain::args![("number", loaded[k].item.label.clone())],
            );
            return Ok(Err(e));
        }
    }
    let highest = highest_code(tx, account, third_party).await?;
    let plan = lettering::plan(
        account,
        third_party,
        &selected,
        &live,
        highest.as_ref(),
        complete,
    );
    Ok(plan)
}

/// Writes a planned lettering.
async fn apply(
    tx: &mut Tx,
    actor: &Actor,
    third_party: CompanyId,
    account: &str,
    plan: Plan,
    on: Date,
) -> Result<Lettered> {
    let at = now();
    let user = actor.user_id.map(|u| u.to_string());
    let (id, added, before) = match &plan {
        Plan::New {
            code,
            lines,
            complete,
        } => {
            let id = uuid::Uuid::new_v4().to_string();
            on_tx!(tx, |c| sqlx::query(
                "INSERT INTO letterings (id, account, third_party_id, code, complete, lettered_on, created_by, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
            )
            .bind(&id)
            .bind(account)
            .bind(third_party.to_string())
            .bind(code.as_str())
            .bind(*complete)
            .bind(on)
            .bind(user.as_deref())
            .bind(at)
            .execute(c)
            .await
            .map(|r| r.rows_affected()))
            .map_err(|e| map_unique(e, &[("letterings_code_key", "lines"), ("letterings.code", "lines")]))?;
            (id, lines.clone(), None)
        }
        Plan::Extend {
            id,
            added,
            complete,
            ..
        } => {
            let (row, keys) = lettering_with_lines(tx, id).await?;
            on_tx!(tx, |c| sqlx::query(
                "UPDATE letterings SET complete = $2, lettered_on = $3 WHERE id = $1"
            )
            .bind(id)
            .bind(*complete)
            .bind(on)
            .execute(c)
            .await
            .map(|r| r.rows_affected()))?;
            (id.clone(), added.clone(), Some((row, keys)))
        }
    };
    const ROW: &str = "(?, ?, ?, TRUE)";
    for chunk in added.chunks(crate::rows_per_statement(3)) {
        let sql = format!(
            "INSERT INTO lettering_lines (lettering_id, entry_id, position, live) VALUES {}",
            crate::values_list(ROW, chunk.len())
        );
        on_tx!(tx, |c| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
            for i in chunk {
                q = q.bind(&id).bind(&i.key.entry_id).bind(i.key.position);
            }
            q.execute(c).await.map(|r| r.rows_affected())
        })
        // Another lettering took a line meanwhile.
        .map_err(|e| map_unique(e, &[("lettering_lines", "lines")]))?;
    }
    let (_, keys) = lettering_with_lines(tx, &id).await?;
    let after = Trail {
        code: plan.code().as_str(),
        account,
        third_party_id: third_party.to_string(),
        complete: plan.complete(),
        lettered_on: on,
        lines: keys.iter().map(LineKey::token).collect(),
        reason: None,
    };
    match before {
        None => {
            audit::record(
                tx,
                actor,
                "letter",
                "lettering",
                &id,
                None::<&()>,
                Some(&after),
            )
            .await?
        }
        Some((row, old)) => {
            let before = Trail {
                code: &row.code,
                account,
                third_party_id: row.third_party_id.clone(),
                complete: row.complete,
                lettered_on: row.lettered_on,
                lines: old.iter().map(LineKey::token).collect(),
                reason: None,
            };
            audit::record(
                tx,
                actor,
                "extend_lettering",
                "lettering",
                &id,
                Some(&before),
                Some(&after),
            )
            .await?
        }
    }
    Ok(Lettered {
        id: crate::id(&id)?,
        code: plan.code().clone(),
        complete: plan.complete(),
    })
}

/// Letters `lines` of `third_party`'s `account` together on `on`: a new
/// lettering with the next code, or, when some of the lines are already in
/// a live partial lettering, that lettering extended (it keeps its code;
/// the audit log keeps its lines before and after). Complete when the
/// lines sum to zero. Refused in words, nothing written: a line that does
/// not exist, is on another account or third party, is in a complete
/// lettering or in two letterings, lines on one side only, or a line of a
/// reversed entry without its reversal.
pub async fn letter(
    tx: &mut Tx,
    actor: &Actor,
    third_party: CompanyId,
    account: &str,
    lines: &[LineRef],
    on: Date,
) -> Result<Lettered> {
    lock_third_party(tx, third_party).await?;
    let plan = prepare(tx, third_party, account, lines, Complete::Refuse)
        .await?
        .map_err(Error::Invalid)?;
    apply(tx, actor, third_party, account, plan, on).await
}

/// [`letter`] on the account of the selected lines (the first that
/// exists; the others must be on it too), as the customer page sends them.
pub async fn letter_lines(
    tx: &mut Tx,
    actor: &Actor,
    third_party: CompanyId,
    lines: &[LineRef],
    on: Date,
) -> Result<Lettered> {
    let loaded = load_items(tx, lines).await?;
    let account = lines
        .iter()
        .find_map(|k| loaded.get(k))
        .map(|l| l.item.account.clone())
        .unwrap_or_else(|| AccountPrefix::customers().as_str().to_owned());
    letter(tx, actor, third_party, &account, lines, on).await
}

/// Debits minus credits of the lines `lines` of `third_party` (others are
/// not counted): the balance of a selection before lettering it.
pub async fn balance_of(tx: &mut Tx, third_party: CompanyId, lines: &[LineRef]) -> Result<Money> {
    let loaded = load_items(tx, lines).await?;
    Ok(lettering::balance(
        loaded
            .values()
            .map(|l| &l.item)
            .filter(|i| i.third_party == Some(third_party)),
    ))
}

/// A lettering as read back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LetteringInfo {
    pub id: LetteringId,
    pub account: String,
    pub third_party: CompanyId,
    pub code: Code,
    pub complete: bool,
    pub lettered_on: Date,
    pub undone: bool,
}

pub async fn get(tx: &mut Tx, id: LetteringId) -> Result<LetteringInfo> {
    let (row, _) = lettering_with_lines(tx, &id.to_string()).await?;
    Ok(LetteringInfo {
        code: code_of(&row.code)?,
        third_party: company(Some(row.third_party_id.clone()))?
            .ok_or_else(|| corrupt("lettering third party", &row.id))?,
        id,
        account: row.account,
        complete: row.complete,
        lettered_on: row.lettered_on,
        undone: row.undone_at.is_some(),
    })
}

/// Undoes a live lettering: its lines are open again (and may be lettered
/// anew, under a new code: this one stays taken). The lettering is kept
/// with who undid it, when and why, and the audit log has it too. A reason
/// is required.
pub async fn unletter(
    tx: &mut Tx,
    actor: &Actor,
    lettering_id: LetteringId,
    reason: &str,
) -> Result<LetteringInfo> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(refuse("reason", "field-required", Vec::new()));
    }
    if reason.chars().count() > 500 {
        return Err(refuse(
            "reason",
            "field-too-long",
            domain::args![("max", 500u32)],
        ));
    }
    let info = get(tx, lettering_id).await?;
    lock_third_party(tx, info.third_party).await?;
    let (_, keys) = lettering_with_lines(tx, &lettering_id.to_string()).await?;
    let done = on_tx!(tx, |c| sqlx::query(
        "UPDATE letterings SET undone_at = $2, undone_by = $3, undo_reason = $4
         WHERE id = $1 AND undone_at IS NULL"
    )
    .bind(lettering_id.to_string())
    .bind(now())
    .bind(actor.user_id.map(|u| u.to_string()))
    .bind(reason)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    if done == 0 {
        return Err(refuse(
            "lettering",
            "lettering-already-undone",
            domain::args![("number", info.code.to_string())],
        ));
    }
    on_tx!(tx, |c| sqlx::query(
        "UPDATE lettering_lines SET live = FALSE WHERE lettering_id = $1"
    )
    .bind(lettering_id.to_string())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    let trail = |reason: Option<&'static str>| Trail {
        code: info.code.as_str(),
        account: &info.account,
        third_party_id: info.third_party.to_string(),
        complete: info.complete,
        lettered_on: info.lettered_on,
        lines: keys.iter().map(LineKey::token).collect(),
        reason,
    };
    let before = trail(None);
    let after = Trail {
        reason: Some(reason),
        ..trail(None)
    };
    audit::record(
        tx,
        actor,
        "unletter",
        "lettering",
        &lettering_id.to_string(),
        Some(&before),
        Some(&after),
    )
    .await?;
    Ok(LetteringInfo {
        undone: true,
        ..info
    })
}

#[derive(sqlx::FromRow)]
struct InvoiceRow {
    #[sqlx(try_from = "String")]
    kind: InvoiceKind,
    #[sqlx(try_from = "String")]
    status: InvoiceStatus,
    client_id: String,
    credits_id: Option<String>,
    ledger_entry_id: Option<String>,
}

/// Letters an invoice's customer lines together: its own 411 line (line 1
/// of its sales entry), the 411 line of each payment allocated to it, and
/// the 411 line of each issued credit note crediting it. Complete when
/// they sum to zero (paid in full), partial otherwise. Lines already in
/// the invoice's lettering are left as they are and the others join it,
/// even when it was complete (a credit note after the payment); a credit
/// note's id letters the invoice it credits.
///
/// `None`, nothing written, when there is nothing to letter (an invoice
/// not issued, nothing against it yet) or when its lines are lettered
/// otherwise by hand (in two letterings, or with lines that refuse it):
/// the one who lettered them decides. Called after recording a payment.
pub async fn letter_invoice(
    tx: &mut Tx,
    actor: &Actor,
    invoice_id: InvoiceId,
    on: Date,
) -> Result<Option<Lettered>> {
    let row: Option<InvoiceRow> = on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT kind, status, client_id, credits_id, ledger_entry_id FROM invoices WHERE id = $1"
    )
    .bind(invoice_id.to_string())
    .fetch_optional(c)
    .await
    })?;
    let row = row.ok_or(Error::NotFound)?;
    if row.kind == InvoiceKind::CreditNote {
        return match row.credits_id {
            Some(credited) if row.status == InvoiceStatus::Issued => {
                Box::pin(letter_invoice(tx, actor, crate::id(&credited)?, on)).await
            }
            _ => Ok(None),
        };
    }
    let Some(entry) = row
        .ledger_entry_id
        .filter(|_| row.status == InvoiceStatus::Issued)
    else {
        return Ok(None);
    };
    let client =
        CompanyId::parse(&row.client_id).ok_or_else(|| corrupt("company id", &row.client_id))?;
    let mut keys = vec![LineKey::new(&entry, 1)];
    let allocations: Vec<(String, i32)> = on_tx!(tx, |c| sqlx::query_as(
        "SELECT ledger_entry_id, ledger_position FROM payment_allocations
         WHERE invoice_id = $1 ORDER BY allocated_on, created_at, id"
    )
    .bind(invoice_id.to_string())
    .fetch_all(c)
    .await)?;
    keys.extend(allocations.into_iter().map(|(e, p)| LineKey::new(&e, p)));
    let credit_notes: Vec<String> = on_tx!(tx, |c| {
        sqlx::query_scalar(
        "SELECT ledger_entry_id FROM invoices
         WHERE credits_id = $1 AND kind = 'credit_note' AND status = 'issued' AND ledger_entry_id IS NOT NULL
         ORDER BY issue_date, number"
    )
    .bind(invoice_id.to_string())
    .fetch_all(c)
    .await
    })?;
    keys.extend(credit_notes.into_iter().map(|e| LineKey::new(&e, 1)));
    letter_together(tx, actor, client, &keys, on).await
}

/// Letters a payment's credit (the part left unallocated, its 411 credit
/// line) with the uses of it (the 411 debit line, position 1, of each OD
/// entry that allocated some of it to an invoice later): complete once
/// the credit is used up, partial before. `None`, nothing written, when
/// the payment left no credit or none of it was used yet, or when its
/// lines are lettered otherwise by hand. Called after using a credit.
pub async fn letter_credit(
    tx: &mut Tx,
    actor: &Actor,
    payment_id: PaymentId,
    on: Date,
) -> Result<Option<Lettered>> {
    let row: Option<(String, String, Option<i32>)> = on_tx!(tx, |c| sqlx::query_as(
        "SELECT client_id, ledger_entry_id, credit_position FROM payments WHERE id = $1"
    )
    .bind(payment_id.to_string())
    .fetch_optional(c)
    .await)?;
    let (client, entry, position) = row.ok_or(Error::NotFound)?;
    let Some(position) = position else {
        return Ok(None);
    };
    let client = CompanyId::parse(&client).ok_or_else(|| corrupt("company id", &client))?;
    let uses: Vec<String> = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT DISTINCT ledger_entry_id FROM payment_allocations
         WHERE payment_id = $1 AND ledger_entry_id <> $2 ORDER BY ledger_entry_id"
    )
    .bind(payment_id.to_string())
    .bind(&entry)
    .fetch_all(c)
    .await)?;
    let mut keys = vec![LineKey::new(&entry, position)];
    keys.extend(uses.iter().map(|e| LineKey::new(e, 1)));
    letter_together(tx, actor, client, &keys, on).await
}

/// Letters lines that belong together by construction (an invoice and
/// what settles it, a credit and its uses): those already lettered with
/// them stay, the others join; `None` when there is nothing to do or the
/// lines are lettered otherwise by hand.
async fn letter_together(
    tx: &mut Tx,
    actor: &Actor,
    client: CompanyId,
    keys: &[LineKey],
    on: Date,
) -> Result<Option<Lettered>> {
    if keys.len() < 2 {
        return Ok(None);
    }
    lock_third_party(tx, client).await?;
    let Some(first) = load_items(tx, &keys[..1]).await?.remove(&keys[0]) else {
        return Err(corrupt("ledger line", &keys[0].token()));
    };
    let account = first.item.account.clone();
    let live = live_letterings(tx, keys).await?;
    if let [one] = live.as_slice() {
        let have: BTreeSet<&LineKey> = one.lines.iter().map(|i| &i.key).collect();
        if keys.iter().all(|k| have.contains(k)) {
            return Ok(Some(Lettered {
                id: crate::id(&one.id)?,
                code: one.code.clone(),
                complete: one.complete,
            }));
        }
    }
    match prepare(tx, client, &account, keys, Complete::Extend).await? {
        Ok(plan) => apply(tx, actor, client, &account, plan, on).await.map(Some),
        Err(_) => Ok(None),
    }
}

/// Which lines of the customer ledger to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub enum Show {
    #[default]
    All,
    /// Not in a complete lettering (partly lettered lines are still open).
    Open,
    /// In a live lettering, complete or partial.
    Lettered,
}

impl Show {
    pub const ALL: [Show; 3] = [Show::All, Show::Open, Show::Lettered];

    pub fn as_str(self) -> &'static str {
        match self {
            Show::All => "all",
            Show::Open => "open",
            Show::Lettered => "lettered",
        }
    }

    /// Blank or unknown: all lines.
    pub fn parse(s: &str) -> Show {
        Show::ALL
            .into_iter()
            .find(|v| v.as_str() == s.trim())
            .unwrap_or_default()
    }

    pub fn keeps(self, mark: Option<&Mark>) -> bool {
        match self {
            Show::All => true,
            Show::Open => mark.is_none_or(|m| !m.complete),
            Show::Lettered => mark.is_some(),
        }
    }
}

/// A line's live lettering.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mark {
    pub lettering_id: LetteringId,
    pub code: Code,
    pub complete: bool,
    pub lettered_on: Date,
}

impl Mark {
    pub fn shown(&self) -> String {
        self.code.shown(self.complete)
    }
}

/// One customer line with its running balance and lettering.
#[derive(Debug, Clone, Serialize)]
pub struct LedgerItem {
    pub key: LineKey,
    pub date: Date,
    pub journal: Journal,
    pub number: String,
    pub piece_ref: Option<String>,
    pub entry_label: String,
    pub label: String,
    pub debit: Money,
    pub credit: Money,
    /// The account's balance after this line (all lines of the range
    /// count, shown or not).
    pub balance: Money,
    pub mark: Option<Mark>,
}

/// One customer account (411…) of the customer ledger.
#[derive(Debug, Clone, Serialize)]
pub struct AccountItems {
    pub account: String,
    pub label: String,
    pub opening: Money,
    /// The lines `show` keeps.
    pub items: Vec<LedgerItem>,
    /// Totals of all the range's lines.
    pub debit: Money,
    pub credit: Money,
    pub closing: Money,
}

#[derive(Debug, Clone, Serialize)]
pub struct CustomerLedger {
    pub accounts: Vec<AccountItems>,
    /// What the open lines dated up to the range's end add up to
    /// (lettering as it stands now).
    pub open_balance: Money,
}

#[derive(sqlx::FromRow)]
struct LedgerRow {
    entry_id: String,
    position: i32,
    account: String,
    account_label: String,
    entry_date: Date,
    journal: String,
    year: i32,
    number: i64,
    piece_ref: Option<String>,
    entry_label: String,
    label: String,
    debit_cents: i64,
    credit_cents: i64,
    lettering_id: Option<String>,
    code: Option<String>,
    complete: Option<bool>,
    lettered_on: Option<Date>,
}

/// A customer's lines on the customer accounts in `range`, with their live
/// lettering (within a day, what he owes before what settles it: an
/// invoice and its payment on the same date read in that order, whatever
/// the journals' codes), per account with its opening balance and running balance;
/// `show` chooses the lines listed. Refused in words beyond `max_lines`
/// lines in the range, like the general ledger.
pub async fn customer_ledger(
    tx: &mut Tx,
    third_party: CompanyId,
    range: DateRange,
    show: Show,
    max_lines: i64,
) -> Result<CustomerLedger> {
    let pattern = AccountPrefix::customers().like_pattern();
    let customer = third_party.to_string();
    let openings: Vec<(String, String, i64)> = on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT l.account, a.label, CAST(SUM(l.debit_cents) - SUM(l.credit_cents) AS BIGINT)
         FROM ledger_lines l JOIN ledger_entries e ON e.id = l.entry_id JOIN ledger_accounts a ON a.number = l.account
         WHERE e.entry_date < $1 AND l.account LIKE $2 AND l.third_party_id = $3
         GROUP BY l.account, a.label"
    )
    .bind(range.from())
    .bind(&pattern)
    .bind(&customer)
    .fetch_all(c)
    .await
    })?;
    let rows: Vec<LedgerRow> = on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT l.entry_id, l.position, l.account, a.label AS account_label, e.entry_date, e.journal, e.year,
           e.number, e.piece_ref, e.label AS entry_label, l.label, l.debit_cents, l.credit_cents,
           g.id AS lettering_id, g.code, g.complete, g.lettered_on
         FROM ledger_lines l JOIN ledger_entries e ON e.id = l.entry_id JOIN ledger_accounts a ON a.number = l.account
           LEFT JOIN lettering_lines ll ON ll.entry_id = l.entry_id AND ll.position = l.position AND ll.live = TRUE
           LEFT JOIN letterings g ON g.id = ll.lettering_id
         WHERE e.entry_date >= $1 AND e.entry_date <= $2 AND l.account LIKE $3 AND l.third_party_id = $4
         ORDER BY l.account, e.entry_date, CASE WHEN l.debit_cents > 0 THEN 0 ELSE 1 END,
           e.journal, e.year, e.number, l.position
         LIMIT $5"
    )
    .bind(range.from())
    .bind(range.to())
    .bind(&pattern)
    .bind(&customer)
    .bind(max_lines.saturating_add(1))
    .fetch_all(c)
    .await
    })?;
    if rows.len() as i64 > max_lines {
        return Err(refuse(
            "from",
            "ledger-report-too-long",
            domain::args![("max", max_lines)],
        ));
    }
    let open: i64 = on_tx!(tx, |c| {
        sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(l.debit_cents - l.credit_cents), 0) AS BIGINT)
         FROM ledger_lines l JOIN ledger_entries e ON e.id = l.entry_id
           LEFT JOIN lettering_lines ll ON ll.entry_id = l.entry_id AND ll.position = l.position AND ll.live = TRUE
           LEFT JOIN letterings g ON g.id = ll.lettering_id
         WHERE e.entry_date <= $1 AND l.account LIKE $2 AND l.third_party_id = $3
           AND (g.id IS NULL OR g.complete = FALSE)"
    )
    .bind(range.to())
    .bind(&pattern)
    .bind(&customer)
    .fetch_one(c)
    .await
    })?;
    let mut accounts: BTreeMap<String, AccountItems> = BTreeMap::new();
    for (account, label, balance) in openings {
        accounts.insert(
            account.clone(),
            AccountItems {
                account,
                label,
                opening: Money::from_cents(balance),
                items: Vec::new(),
                debit: Money::ZERO,
                credit: Money::ZERO,
                closing: Money::from_cents(balance),
            },
        );
    }
    for r in rows {
        let journal = Journal::parse(&r.journal).ok_or_else(|| corrupt("journal", &r.journal))?;
        let mark = match (r.lettering_id, r.code, r.complete, r.lettered_on) {
            (Some(id), Some(code), Some(complete), Some(on)) => Some(Mark {
                lettering_id: crate::id(&id)?,
                code: code_of(&code)?,
                complete,
                lettered_on: on,
            }),
            _ => None,
        };
        let a = accounts
            .entry(r.account.clone())
            .or_insert_with(|| AccountItems {
                account: r.account.clone(),
                label: r.account_label.clone(),
                opening: Money::ZERO,
                items: Vec::new(),
                debit: Money::ZERO,
                credit: Money::ZERO,
                closing: Money::ZERO,
            });
        let (debit, credit) = (
            Money::from_cents(r.debit_cents),
            Money::from_cents(r.credit_cents),
        );
        a.debit += debit;
        a.credit += credit;
        a.closing += debit - credit;
        if show.keeps(mark.as_ref()) {
            a.items.push(LedgerItem {
                key: LineKey::new(&r.entry_id, r.position),
                date: r.entry_date,
                journal,
                number: domain::ledger::entry_number(journal, r.year, r.number),
                piece_ref: r.piece_ref,
                entry_label: r.entry_label,
                label: r.label,
                debit,
                credit,
                balance: a.closing,
                mark,
            });
        }
    }
    Ok(CustomerLedger {
        accounts: accounts
            .into_values()
            .filter(|a| !a.opening.is_zero() || !a.debit.is_zero() || !a.credit.is_zero())
            .collect(),
        open_balance: Money::from_cents(open),
    })
}

/// An undone lettering, for the history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Undone {
    pub id: LetteringId,
    pub account: String,
    pub code: Code,
    pub lettered_on: Date,
    /// The debits it had lettered.
    pub amount: Money,
    pub undone_at: OffsetDateTime,
    /// Who undid it: a user's name, `None` for the system.
    pub undone_by: Option<String>,
    pub reason: String,
}

#[derive(sqlx::FromRow)]
struct UndoneRow {
    id: String,
    account: String,
    code: String,
    lettered_on: Date,
    amount_cents: i64,
    undone_at: OffsetDateTime,
    undone_by: Option<String>,
    undo_reason: Option<String>,
}

/// A customer's undone letterings, newest first, at most `limit`.
pub async fn undone(tx: &mut Tx, third_party: CompanyId, limit: i64) -> Result<Vec<Undone>> {
    let rows: Vec<UndoneRow> = on_tx!(tx, |c| sqlx::query_as(
        "SELECT g.id, g.account, g.code, g.lettered_on,
           CAST(COALESCE((SELECT SUM(l.debit_cents) FROM lettering_lines x
              JOIN ledger_lines l ON l.entry_id = x.entry_id AND l.position = x.position
              WHERE x.lettering_id = g.id), 0) AS BIGINT) AS amount_cents,
           g.undone_at, u.display_name AS undone_by, g.undo_reason
         FROM letterings g LEFT JOIN users u ON u.id = g.undone_by
         WHERE g.third_party_id = $1 AND g.undone_at IS NOT NULL
         ORDER BY g.undone_at DESC LIMIT $2"
    )
    .bind(third_party.to_string())
    .bind(limit)
    .fetch_all(c)
    .await)?;
    rows.into_iter()
        .map(|r| {
            Ok(Undone {
                code: code_of(&r.code)?,
                id: crate::id(&r.id)?,
                account: r.account,
                lettered_on: r.lettered_on,
                amount: Money::from_cents(r.amount_cents),
                undone_at: r.undone_at,
                undone_by: r.undone_by,
                reason: r.undo_reason.unwrap_or_default(),
            })
        })
        .collect()
}
