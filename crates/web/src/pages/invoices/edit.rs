//! The draft's edit form on the invoice's page: free text, purchase order
//! number, buyer reference, payment terms within the legal cap, and a
//! number beside each line for their order (`domain::invoice::editing`).
//! A refusal re-renders the page with the message beside the field (422),
//! nothing written.

use axum::extract::State;
use axum::response::Response;
use domain::Locale;
use domain::invoice::editing::{self, DraftEdit, DraftEditInput};
use domain::validation::{ErrorKey, ValidationErrors};
use store::invoicing::issue::Frozen;
use store::invoicing::read::Detail;

use super::show::{Refusal, page};
use crate::AppState;
use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::extract::{Form, Id};
use crate::pages::see_other;
use crate::view::FieldErrors;
use crate::write::{Done, Refused, write};
use domain::ids::InvoiceId;

/// What was typed in the form, shown again when refused.
#[derive(Debug, Default)]
pub struct EditTyped {
    pub input: DraftEditInput,
    /// The lines' ids, in the order the page showed them.
    pub lines: Vec<String>,
    /// The number typed beside each line.
    pub ranks: Vec<String>,
}

impl EditTyped {
    fn read(fields: Vec<(String, String)>) -> EditTyped {
        let mut t = EditTyped::default();
        for (k, v) in fields {
            match k.as_str() {
                "note" => t.input.note = v,
                "po_number" => t.input.po_number = v,
                "buyer_reference" => t.input.buyer_reference = v,
                "payment_days" => t.input.payment_days = v,
                "payment_end_of_month" => t.input.payment_end_of_month = !v.is_empty(),
                "line" => t.lines.push(v),
                "rank" => t.ranks.push(v),
                _ => {}
            }
        }
        t
    }
}

pub struct EditLine {
    pub id: String,
    pub rank: String,
    pub description: String,
}

pub struct EditPanel {
    pub note: String,
    pub po_number: String,
    pub buyer_reference: String,
    pub payment_days: String,
    pub end_of_month: bool,
    pub lines: Vec<EditLine>,
    pub errors: FieldErrors,
    /// Refused: shown open with the messages.
    pub open: bool,
}

/// The form of a draft stating `terms`, or as typed when refused.
pub fn edit_panel(
    l: Locale,
    d: &Detail,
    terms: &Frozen,
    refused: Option<(ValidationErrors, EditTyped)>,
) -> EditPanel {
    let described = |id: &str| {
        d.lines
            .iter()
            .find(|x| x.id == id)
            .map(|x| x.description.clone())
            .unwrap_or_default()
    };
    match refused {
        Some((errors, t)) => EditPanel {
            note: t.input.note,
            po_number: t.input.po_number,
            buyer_reference: t.input.buyer_reference,
            payment_days: t.input.payment_days,
            end_of_month: t.input.payment_end_of_month,
            lines: t
                .lines
                .iter()
                .enumerate()
                .map(|(i, id)| EditLine {
                    id: id.clone(),
                    rank: t.ranks.get(i).cloned().unwrap_or_default(),
                    description: described(id),
                })
                .collect(),
            errors: FieldErrors::new(l, &errors),
            open: true,
        },
        None => EditPanel {
            note: terms.note.clone().unwrap_or_default(),
            po_number: terms.po_number.clone().unwrap_or_default(),
            buyer_reference: terms.buyer_reference.clone().unwrap_or_default(),
            payment_days: terms.payment_days.to_string(),
            end_of_month: terms.payment_end_of_month,
            lines: d
                .lines
                .iter()
                .zip(1..)
                .map(|(x, n): (_, u32)| EditLine {
                    id: x.id.clone(),
                    rank: n.to_string(),
                    description: x.description.clone(),
                })
                .collect(),
            errors: FieldErrors::default(),
            open: false,
        },
    }
}

/// POST /invoices/{id}/edit: the draft's free text, references, payment
/// terms and line order.
pub async fn edit(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<InvoiceId>,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let typed = EditTyped::read(fields);
    let parsed = DraftEdit::parse(&typed.input);
    let ranks: Vec<&str> = typed.ranks.iter().map(String::as_str).collect();
    let order = editing::order_from_ranks(&typed.lines, &ranks);
    let (edit, order) = match (parsed, order) {
        (Ok(e), Ok(o)) => (e, o),
        (parsed, order) => {
            let mut errors = parsed.err().unwrap_or_default();
            if let Err(e) = order {
                errors.add("order", e.key());
            }
            return page(&app, &ctx, id, Refusal::Edit { errors, typed }).await;
        }
    };
    match write(&app, &ctx)
        .flash("invoice-edited-flash")
        .run(async |tx| {
            store::invoicing::edit::edit_draft(tx, &ctx.actor(), id, &edit, &order).await
        })
        .await?
    {
        Done(()) => Ok(see_other(&format!("/invoices/{id}"))),
        Refused(errors) => page(&app, &ctx, id, Refusal::Edit { errors, typed }).await,
    }
}
