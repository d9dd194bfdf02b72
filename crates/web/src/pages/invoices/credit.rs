//! The credit note form of an issued invoice: the half days it still
//! bills, by line then day (a whole day ticks both halves), or everything
//! at once; a reason and a date. Refused in words on the invoice's page.

use std::collections::{BTreeMap, BTreeSet};

use axum::extract::State;
use axum::response::Response;
use domain::Locale;
use domain::cra::Half;
use domain::ids::UserId;
use domain::locale::format_date;
use domain::validation::ValidationErrors;
use store::Tx;
use store::invoicing::CreditSelection;
use store::invoicing::credit::BilledDay;
use store::invoicing::read::{self, Detail};
use time::Date;

use super::show::{Refusal, half_label, page};
use crate::AppState;
use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::extract::Form;
use crate::extract::Id;
use crate::pages::see_other;
use crate::write::{Done, Refused, write};
use domain::ids::InvoiceId;

pub struct CreditHalf {
    pub value: String,
    pub label: String,
    pub checked: bool,
}

pub struct CreditDay {
    pub value: String,
    pub label: String,
    pub checked: bool,
    pub halves: Vec<CreditHalf>,
}

/// The days of one line that can still be credited.
pub struct CreditGroup {
    pub title: String,
    pub days: Vec<CreditDay>,
}

#[derive(Default)]
pub struct CreditTyped {
    pub all: bool,
    pub halves: BTreeSet<String>,
    pub days: BTreeSet<String>,
    pub date: String,
    pub reason: String,
}

/// The value of a half day in the credit form: `consultant|2026-11-03|am`.
fn half_value(consultant: &str, day: Date, h: Half) -> String {
    format!("{consultant}|{day}|{}", h.as_str())
}

fn day_value(consultant: &str, day: Date) -> String {
    format!("{consultant}|{day}")
}

/// The days still billed, by line then day, as the credit form offers them.
pub fn credit_groups(l: Locale, d: &Detail, typed: &CreditTyped) -> Vec<CreditGroup> {
    d.lines
        .iter()
        .filter_map(|x| {
            let consultant = x.consultant_id.as_deref()?;
            let mut by_day: BTreeMap<Date, Vec<Half>> = BTreeMap::new();
            for (day, h, credited) in &x.days {
                if !credited {
                    by_day.entry(*day).or_default().push(*h);
                }
            }
            if by_day.is_empty() {
                return None;
            }
            Some(CreditGroup {
                title: x.description.clone(),
                days: by_day
                    .into_iter()
                    .map(|(day, halves)| {
                        let value = day_value(consultant, day);
                        CreditDay {
                            label: format_date(day, l),
                            checked: typed.days.contains(&value),
                            value,
                            halves: halves
                                .into_iter()
                                .map(|h| {
                                    let value = half_value(consultant, day, h);
                                    CreditHalf {
                                        label: half_label(l, h),
                                        checked: typed.halves.contains(&value),
                                        value,
                                    }
                                })
                                .collect(),
                        }
                    })
                    .collect(),
            })
        })
        .collect()
}

/// A half day of the form (`consultant|2026-11-03|am`).
fn parse_half(v: &str) -> Option<BilledDay> {
    let mut parts = v.split('|');
    let consultant = UserId::parse(parts.next()?)?;
    let day = domain::locale::parse_date(parts.next()?)?;
    let half = Half::parse(parts.next()?)?;
    parts.next().is_none().then_some(BilledDay {
        consultant_id: consultant,
        day,
        half,
    })
}

/// POST /invoices/{id}/credit: a credit note for the half days ticked
/// (a whole day ticks both halves), or for everything still billed.
pub async fn credit(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<InvoiceId>,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let mut typed = CreditTyped::default();
    for (k, v) in fields {
        match k.as_str() {
            "all" => typed.all = !v.is_empty(),
            "half" => {
                typed.halves.insert(v);
            }
            "day" => {
                typed.days.insert(v);
            }
            "date" => typed.date = v.trim().to_owned(),
            "reason" => typed.reason = v.trim().to_owned(),
            _ => {}
        }
    }
    let mut errors = ValidationErrors::new();
    let date = errors.required("date", &typed.date, domain::validation::date);
    let reason = match domain::validation::text(&typed.reason, 500) {
        Ok(r) => Some(r),
        Err(_) => {
            errors.add("reason", "credit-reason-required");
            None
        }
    };
    let (Some(date), Some(reason)) = (date, reason) else {
        return page(&app, &ctx, id, Refusal::Credit { errors, typed }).await;
    };
    // Whole days are read against the invoice in the transaction that
    // credits them.
    let credit = async |tx: &mut Tx| {
        let selection = if typed.all {
            CreditSelection::All
        } else {
            let mut days: BTreeSet<BilledDay> =
                typed.halves.iter().filter_map(|v| parse_half(v)).collect();
            // A whole day: the halves of it the invoice still bills (both, when
            // it bills none, for the store to say so).
            let d = read::get(tx, id).await?;
            for v in &typed.days {
                let both: Vec<BilledDay> = Half::BOTH
                    .iter()
                    .filter_map(|h| parse_half(&format!("{v}|{}", h.as_str())))
                    .collect();
                let live: Vec<BilledDay> = both
                    .iter()
                    .copied()
                    .filter(|b| {
                        d.lines.iter().any(|x| {
                            x.consultant_id.as_deref() == Some(&b.consultant_id.to_string())
                                && x.days.contains(&(b.day, b.half, false))
                        })
                    })
                    .collect();
                days.extend(if live.is_empty() { both } else { live });
            }
            CreditSelection::Days(days.into_iter().collect())
        };
        store::invoicing::credit(tx, &ctx.actor(), id, &selection, date, &reason).await
    };
    match write(&app, &ctx)
        .flash("credit-note-issued-flash")
        .run(credit)
        .await?
    {
        Done(note) => Ok(see_other(&format!("/invoices/{}", note.id))),
        Refused(v) => page(&app, &ctx, id, Refusal::Credit { errors: v, typed }).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_names_a_half_day() {
        let who = "0b0e8a8e-5f5c-4f55-9d57-5f1d2c1f7c11";
        let d = parse_half(&format!("{who}|2026-11-03|pm")).unwrap();
        assert_eq!(d.day.to_string(), "2026-11-03");
        assert_eq!(d.half, Half::Pm);
        assert_eq!(
            half_value(who, d.day, d.half),
            format!("{who}|2026-11-03|pm")
        );
        assert!(parse_half(&format!("{who}|2026-11-03")).is_none());
        assert!(parse_half(&format!("{who}|2026-11-03|pm|x")).is_none());
        assert!(parse_half("nobody|2026-11-03|am").is_none());
    }
}
