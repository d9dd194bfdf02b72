//! The half days lines bill, as stored: one row per line, consultant and
//! month in `billed_masks` (a bit per half day, `domain::invoice::billed`),
//! what each credit note's line gave back in `billed_credits`, and per
//! consultant and month the guard row `billed_guard`, the union of the half
//! days billed and not credited back. Drafting claims its bits in the guard
//! with one conditional upsert, which changes nothing when they meet bits
//! already there: a half day is never billed twice, also when two instances
//! draft at once (PostgreSQL queues the second on the guard row and
//! re-checks against the first's bits; SQLite has one writer). Crediting and
//! taking days off a draft clear their bits, so those days can be billed
//! again.

use std::collections::BTreeMap;

use domain::calendar::YearMonth;
use domain::cra::Half;
use domain::ids::{CraId, UserId};
use domain::invoice::billed::HalfDayMask;
use domain::invoice::drafting::BilledDay;
use time::Date;

use crate::{Error, Result, Tx, corrupt, on_tx};

/// The half days one line bills of one consultant's month.
#[derive(Debug, Clone)]
pub(crate) struct LineMask {
    pub line_id: String,
    pub consultant: UserId,
    pub month: YearMonth,
    pub cra: CraId,
    pub mask: HalfDayMask,
}

/// A stored mask, refused when its bits are no half days.
pub(crate) fn mask(bits: i64) -> Result<HalfDayMask> {
    HalfDayMask::from_bits(bits).ok_or_else(|| corrupt("half day mask", &bits.to_string()))
}

pub(crate) fn month(s: &str) -> Result<YearMonth> {
    YearMonth::parse(s).ok_or_else(|| corrupt("month", s))
}

/// Refused as a day already billed: the same refusal as the unique index
/// of one row per half day gave.
fn twice() -> Error {
    Error::Conflict { field: "day" }
}

/// Records what new lines bill: claims their bits in each consultant's
/// month first, refused as a whole (nothing to keep: the caller's
/// transaction is rolled back) when one of them is billed already, then
/// writes the lines' rows, in multi-row statements both.
pub(crate) async fn record(tx: &mut Tx, rows: &[LineMask]) -> Result<()> {
    let mut claims: BTreeMap<(UserId, YearMonth), HalfDayMask> = BTreeMap::new();
    for r in rows {
        let claim = claims.entry((r.consultant, r.month)).or_default();
        if claim.overlaps(r.mask) {
            return Err(twice());
        }
        *claim = *claim | r.mask;
    }
    let claims: Vec<((UserId, YearMonth), HalfDayMask)> = claims.into_iter().collect();
    for chunk in claims.chunks(crate::rows_per_statement(3)) {
        let sql = format!(
            "INSERT INTO billed_guard (consultant_id, month, mask) VALUES {}
             ON CONFLICT (consultant_id, month) DO UPDATE SET mask = billed_guard.mask | excluded.mask
             WHERE (billed_guard.mask & excluded.mask) = 0",
            crate::values_list("(?, ?, ?)", chunk.len())
        );
        let claimed = on_tx!(tx, |c| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
            for ((consultant, month), mask) in chunk {
                q = q
                    .bind(consultant.to_string())
                    .bind(month.to_string())
                    .bind(mask.bits());
            }
            q.execute(c).await.map(|r| r.rows_affected())
        })?;
        // A row whose bits met others was neither inserted nor updated.
        if claimed != chunk.len() as u64 {
            return Err(twice());
        }
    }
    for chunk in rows.chunks(crate::rows_per_statement(5)) {
        let sql = format!(
            "INSERT INTO billed_masks (line_id, consultant_id, month, cra_id, mask) VALUES {}",
            crate::values_list("(?, ?, ?, ?, ?)", chunk.len())
        );
        on_tx!(tx, |c| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
            for r in chunk {
                q = q
                    .bind(r.line_id.as_str())
                    .bind(r.consultant.to_string())
                    .bind(r.month.to_string())
                    .bind(r.cra.to_string())
                    .bind(r.mask.bits());
            }
            q.execute(c).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(())
}

/// Clears bits of a consultant's month from the guard: those days may be
/// billed again.
async fn release(tx: &mut Tx, consultant: &str, month: YearMonth, mask: HalfDayMask) -> Result<()> {
    if mask.is_empty() {
        return Ok(());
    }
    on_tx!(tx, |c| sqlx::query(
        "UPDATE billed_guard SET mask = mask & $3 WHERE consultant_id = $1 AND month = $2"
    )
    .bind(consultant)
    .bind(month.to_string())
    .bind((!mask).bits())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// A line's row of one consultant's month, as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct Stored {
    pub line_id: String,
    pub consultant_id: String,
    pub month: String,
    pub mask: i64,
    pub credited: i64,
}

impl Stored {
    pub fn month(&self) -> Result<YearMonth> {
        month(&self.month)
    }

    /// What the line still bills: its half days not credited back.
    pub fn live(&self) -> Result<HalfDayMask> {
        Ok(mask(self.mask)?.minus(mask(self.credited)?))
    }

    /// Its half days in date order, each with whether it was credited.
    pub fn days(&self) -> Result<Vec<(Date, Half, bool)>> {
        let credited = mask(self.credited)?;
        Ok(mask(self.mask)?
            .slots(self.month()?)
            .into_iter()
            .map(|(d, h)| (d, h, credited.contains(d, h)))
            .collect())
    }
}

/// The rows of a line.
async fn of_line(tx: &mut Tx, line: &str) -> Result<Vec<Stored>> {
    Ok(on_tx!(tx, |c| sqlx::query_as(
        "SELECT line_id, consultant_id, month, mask, credited FROM billed_masks WHERE line_id = $1
         ORDER BY consultant_id, month"
    )
    .bind(line)
    .fetch_all(c)
    .await)?)
}

/// Gives `days` of `line` back on `credit_line`: they are recorded as
/// credited by it and leave the guard. When one of them is not billed by
/// the line any more (another credit note took it in between), nothing is
/// written and the first such day is returned.
pub(crate) async fn give_back(
    tx: &mut Tx,
    line: &str,
    credit_line: &str,
    days: &[BilledDay],
) -> Result<std::result::Result<(), BilledDay>> {
    let groups = HalfDayMask::group(days.iter().map(|d| (d.consultant_id, d.day, d.half)));
    for ((consultant, month), m) in &groups {
        let n = on_tx!(tx, |c| {
            sqlx::query(
            "UPDATE billed_masks SET credited = credited | $4
             WHERE line_id = $1 AND consultant_id = $2 AND month = $3 AND (mask & $4) = $4 AND (credited & $4) = 0"
        )
        .bind(line)
        .bind(consultant.to_string())
        .bind(month.to_string())
        .bind(m.bits())
        .execute(c)
        .await
        .map(|r| r.rows_affected())
        })?;
        if n != 1 {
            let live = of_line(tx, line)
                .await?
                .iter()
                .filter(|s| {
                    s.consultant_id == consultant.to_string() && s.month == month.to_string()
                })
                .map(Stored::live)
                .try_fold(HalfDayMask::EMPTY, |a, m| m.map(|m| a | m))?;
            let gone = days
                .iter()
                .find(|d| !live.contains(d.day, d.half) && YearMonth::of(d.day) == *month)
                .copied()
                .unwrap_or(days[0]);
            return Ok(Err(gone));
        }
        on_tx!(tx, |c| sqlx::query(
            "INSERT INTO billed_credits (credit_line_id, line_id, consultant_id, month, mask)
             VALUES ($1, $2, $3, $4, $5)"
        )
        .bind(credit_line)
        .bind(line)
        .bind(consultant.to_string())
        .bind(month.to_string())
        .bind(m.bits())
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
        release(tx, &consultant.to_string(), *month, *m).await?;
    }
    Ok(Ok(()))
}

/// Takes `days` off a draft line: they leave its rows (a row left with no
/// day goes) and the guard. Returns how many half days the line has left.
pub(crate) async fn take_off(tx: &mut Tx, line: &str, days: &[(Date, Half)]) -> Result<u32> {
    let taken = HalfDayMask::group(days.iter().map(|(d, h)| ((), *d, *h)));
    let mut left = 0;
    for row in of_line(tx, line).await? {
        let month = row.month()?;
        let all = mask(row.mask)?;
        let gone = taken.get(&((), month)).copied().unwrap_or_default() & row.live()?;
        let kept = all.minus(gone);
        left += kept.count();
        if gone.is_empty() {
            continue;
        }
        if kept.is_empty() {
            on_tx!(tx, |c| sqlx::query(
                "DELETE FROM billed_masks WHERE line_id = $1 AND consultant_id = $2 AND month = $3"
            )
            .bind(line)
            .bind(&row.consultant_id)
            .bind(&row.month)
            .execute(c)
            .await
            .map(|r| r.rows_affected()))?;
        } else {
            on_tx!(tx, |c| {
                sqlx::query(
                "UPDATE billed_masks SET mask = $4 WHERE line_id = $1 AND consultant_id = $2 AND month = $3"
            )
            .bind(line)
            .bind(&row.consultant_id)
            .bind(&row.month)
            .bind(kept.bits())
            .execute(c)
            .await
            .map(|r| r.rows_affected())
            })?;
        }
        release(tx, &row.consultant_id, month, gone).await?;
    }
    Ok(left)
}
