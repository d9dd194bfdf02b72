//! Saving the grid as typed: reading its fields, then saving (after laying
//! a mission over the free days for "fill", and signing for "sign") in one
//! transaction; a refusal shows the grid again as typed.

use axum::extract::State;
use axum::response::Response;
use domain::cra::{self, Activity, Cell};
use domain::ids::{CraId, MissionId};
use domain::validation::ValidationErrors;
use store::Tx;
use store::cras::{Entry, Extra, ExtraKind};

use super::Typed;
use super::show::show_page;
use crate::AppState;
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::extract::{Form, Id};
use crate::pages::see_other;
use crate::write::{Done, Refused, write};

/// The grid's fields: `c:<row key>:<date>` cells, `x:<kind>:<mission>`
/// extras, the comment, and which button was pressed.
fn read_grid(
    fields: &[(String, String)],
) -> (
    Vec<Cell>,
    Typed,
    Vec<Extra>,
    ValidationErrors,
    Option<String>,
) {
    let mut cells = Vec::new();
    let mut typed = Typed::new();
    let mut extras = Vec::new();
    let mut e = ValidationErrors::new();
    let mut comment = None;
    for (k, v) in fields {
        if k == "comment" {
            comment = Some(v.trim().to_owned()).filter(|c| !c.is_empty());
            continue;
        }
        // The row key may hold a colon itself ("mission:<id>"): the date is
        // after the last one.
        let (prefix, rest) = k.split_once(':').unwrap_or((k.as_str(), ""));
        let (key, last) = rest.rsplit_once(':').unwrap_or((rest, ""));
        match (prefix, key, last) {
            ("c", key, day) => {
                let (Some(activity), Ok(day)) = (
                    Activity::parse_row_key(key),
                    time::Date::parse(day, &time::format_description::well_known::Iso8601::DATE),
                ) else {
                    e.add("grid", "error-malformed-form");
                    continue;
                };
                match cra::parse_cell(v) {
                    Ok(h) => {
                        typed.insert(((*key).to_owned(), day), h);
                        cells.push(Cell {
                            activity,
                            day,
                            half_days: h,
                        });
                    }
                    Err(cra::CellError::OverOneDay) => {
                        e.add_with("grid", "cra-cell-over-one-day", domain::args![("day", day)])
                    }
                    Err(cra::CellError::Invalid) => {
                        e.add_with("grid", "cra-cell-invalid", domain::args![("day", day)])
                    }
                }
            }
            ("x", kind, mission) => {
                let (Some(kind), Some(mission)) =
                    (ExtraKind::parse(kind), MissionId::parse(mission))
                else {
                    e.add("extras", "error-malformed-form");
                    continue;
                };
                match parse_hundredths(v) {
                    Some(0) => {}
                    Some(h) => extras.push(Extra {
                        mission_id: mission,
                        kind,
                        hundredths: h,
                    }),
                    None => e.add("extras", "cra-extras-invalid"),
                }
            }
            _ => {}
        }
    }
    (cells, typed, extras, e, comment)
}

/// Saves the grid; "fill" first lays the mission over the free working days,
/// "sign" saves then signs. A refusal shows the grid again as typed.
pub async fn save(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<CraId>,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let (mut cells, typed, extras, parse_errors, comment) = read_grid(&fields);
    let action = fields
        .iter()
        .find(|(k, _)| k == "action")
        .map(|(_, v)| v.as_str())
        .unwrap_or("save");
    let (scope, me) = (ctx.scope()?, ctx.user()?.id);
    // The sheet as read in the transaction, for a refusal to show again.
    let mut read = None;
    let save = async |tx: &mut Tx| -> AppResult<()> {
        let sheet = read.insert(store::cras::get(tx, scope, id).await?);
        if sheet.cra.consultant_id != me {
            return Err(AppError::NotFound);
        }
        if !parse_errors.is_empty() {
            return Err(AppError::Validation(parse_errors));
        }
        if let Some(m) = action.strip_prefix("fill:") {
            let mission = sheet
                .missions
                .iter()
                .find(|x| x.id.to_string() == m)
                .ok_or(AppError::BadRequest("error-malformed-form"))?;
            cells = cra::fill_month(
                sheet.cra.month,
                sheet.pattern,
                &mission.window(),
                &cells,
                &sheet.leave_slots(),
            );
        }
        let entry = Entry {
            cells,
            comment: comment.clone(),
            extras,
        };
        let actor = ctx.actor();
        store::cras::save(tx, &actor, scope, id, &entry).await?;
        if action == "sign" {
            let origin = ctx.origin();
            store::cras::sign(
                tx,
                &actor,
                scope,
                id,
                &origin,
                &app.config.public_url,
                &app::Render,
            )
            .await?;
        }
        Ok(())
    };
    let key = match action {
        "sign" => "cra-signed-flash",
        _ => "cra-saved-flash",
    };
    match write(&app, &ctx).flash(key).run(save).await? {
        Done(()) => Ok(see_other(&format!("/cras/{id}"))),
        // Signing refused after a good save: keep what was typed anyway.
        Refused(v) => match read {
            Some(sheet) => show_page(&app, &ctx, &sheet, Some(&typed), comment, Some(&v)).await,
            None => Err(AppError::Validation(v)),
        },
    }
}

fn parse_hundredths(raw: &str) -> Option<i64> {
    let t = raw.trim().replace(',', ".");
    if t.is_empty() {
        return Some(0);
    }
    let (whole, frac) = t.split_once('.').unwrap_or((&t, ""));
    if whole.is_empty()
        || frac.len() > 2
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let frac: i64 = format!("{frac:0<2}").parse().ok()?;
    whole
        .parse::<i64>()
        .ok()?
        .checked_mul(100)?
        .checked_add(frac)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn grid_fields_name_their_row_and_day() {
        let m = MissionId::new();
        let (cells, typed, extras, errors, comment) = read_grid(&fields(&[
            (&format!("c:mission:{m}:2026-11-02"), "1"),
            ("c:bench:2026-11-03", "0,5"),
            ("c:training:2026-11-04", ""),
            (&format!("x:on_call:{m}"), "2"),
            (&format!("x:overtime:{m}"), "1,25"),
            ("comment", "  RAS  "),
            ("action", "save"),
        ]));
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(cells.len(), 3);
        assert_eq!(cells[0].activity, Activity::Mission(m));
        assert_eq!(cells[0].half_days, 2);
        assert_eq!(cells[1].half_days, 1);
        assert_eq!(typed.len(), 3);
        assert_eq!(
            extras,
            vec![
                Extra {
                    mission_id: m,
                    kind: ExtraKind::OnCall,
                    hundredths: 200
                },
                Extra {
                    mission_id: m,
                    kind: ExtraKind::Overtime,
                    hundredths: 125
                },
            ]
        );
        assert_eq!(comment.as_deref(), Some("RAS"));
    }

    #[test]
    fn bad_cells_are_named_by_their_day() {
        let (_, _, _, errors, _) = read_grid(&fields(&[
            ("c:bench:2026-11-03", "1,5"),
            ("c:bench:2026-11-04", "0,3"),
            ("c:nonsense:2026-11-05", "1"),
            ("c:bench:2026-13-01", "1"),
            ("x:on_call:not-a-mission", "1"),
        ]));
        let keys: Vec<&str> = errors.0.iter().map(|e| e.key).collect();
        assert_eq!(
            keys,
            [
                "cra-cell-over-one-day",
                "cra-cell-invalid",
                "error-malformed-form",
                "error-malformed-form",
                "error-malformed-form"
            ]
        );
    }

    #[test]
    fn units_in_hundredths() {
        assert_eq!(parse_hundredths(""), Some(0));
        assert_eq!(parse_hundredths("3"), Some(300));
        assert_eq!(parse_hundredths("1,5"), Some(150));
        assert_eq!(parse_hundredths("0.25"), Some(25));
        assert_eq!(parse_hundredths("1,255"), None);
        assert_eq!(parse_hundredths("-1"), None);
        assert_eq!(parse_hundredths("x"), None);
    }
}
