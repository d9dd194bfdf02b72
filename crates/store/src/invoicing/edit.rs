//! Editing a draft before it is issued (`domain::invoice::editing` decides
//! what may change and checks it): its free text, purchase order number,
//! buyer reference and payment terms are kept with the draft
//! (`invoices.draft_edits`) and take the place of its mission's when it is
//! previewed and issued; its lines take the order asked. Its days and
//! rates are never touched here. Refused, with nothing written, once the
//! document is issued.

use domain::ids::InvoiceId;
use domain::invoice::editing::{self, DraftEdit};
use domain::invoice::{InvoiceKind, InvoiceStatus};
use domain::validation::ErrorKey;

use super::frozen::{Frozen, drafted, head, live, read_edit};
use super::shared::refuse;
use crate::{Actor, Error, Result, Tx, audit, on_tx};

/// The terms the draft `id` would be issued with now: frozen at drafting
/// (or its mission's, for drafts made before drafting froze them), with
/// finance's edit in their place.
pub async fn effective_terms(tx: &mut Tx, id: InvoiceId) -> Result<Frozen> {
    let h = head(tx, id).await?;
    let frozen = match drafted(&h)? {
        Some(f) => f,
        None => live(tx, &h).await?.frozen,
    };
    Ok(frozen.edited(read_edit(h.draft_edits.as_deref())?.as_ref()))
}

/// The ids of a document's lines, in their order.
pub async fn line_ids(tx: &mut Tx, id: InvoiceId) -> Result<Vec<String>> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT id FROM invoice_lines WHERE invoice_id = $1 ORDER BY position"
    )
    .bind(id.to_string())
    .fetch_all(c)
    .await)?)
}

/// Keeps `edit` with the draft `id` and puts its lines in `order` (their
/// ids; empty keeps the order). Refused once issued, or when `order` does
/// not name each of its lines once.
pub async fn edit_draft(
    tx: &mut Tx,
    actor: &Actor,
    id: InvoiceId,
    edit: &DraftEdit,
    order: &[String],
) -> Result<()> {
    let h = head(tx, id).await?;
    if h.kind != InvoiceKind::Invoice
        || !matches!(
            h.status,
            InvoiceStatus::Draft | InvoiceStatus::WaitingSignature
        )
    {
        return Err(refuse("status", "invoice-not-a-draft"));
    }
    let current = line_ids(tx, id).await?;
    let positions = editing::reorder(&current, order).map_err(|e| refuse("order", e.key()))?;
    let before = read_edit(h.draft_edits.as_deref())?;
    let json = serde_json::to_string(edit).map_err(|e| Error::Corrupt(e.to_string()))?;
    let changed = on_tx!(tx, |c| {
        sqlx::query(
        "UPDATE invoices SET draft_edits = $2 WHERE id = $1 AND status IN ('draft', 'waiting_signature')"
    )
    .bind(id.to_string())
    .bind(&json)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    if changed != 1 {
        return Err(refuse("status", "invoice-not-a-draft"));
    }
    let reordered = positions
        .iter()
        .zip(&current)
        .any(|((asked, _), was)| asked != was);
    if reordered {
        // (invoice, position) is unique: the lines step aside first.
        on_tx!(tx, |c| sqlx::query(
            "UPDATE invoice_lines SET position = -position WHERE invoice_id = $1"
        )
        .bind(id.to_string())
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
        for (line, position) in &positions {
            on_tx!(tx, |c| sqlx::query(
                "UPDATE invoice_lines SET position = $3 WHERE id = $1 AND invoice_id = $2"
            )
            .bind(line.as_str())
            .bind(id.to_string())
            .bind(*position)
            .execute(c)
            .await
            .map(|r| r.rows_affected()))?;
        }
    }
    audit::record(
        tx,
        actor,
        "edit_draft_invoice",
        "invoice",
        &id.to_string(),
        before.as_ref(),
        Some(&serde_json::json!({
            "edit": edit,
            "order": reordered.then_some(positions.iter().map(|(l, _)| l).collect::<Vec<_>>()),
        })),
    )
    .await?;
    Ok(())
}
