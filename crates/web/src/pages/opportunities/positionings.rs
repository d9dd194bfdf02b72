//! The positionings block of an opportunity's page: the consultants
//! proposed with their rate, expected margin (costed as the reader may see
//! it, `authz::margin_basis`) and the client's answer; the "Positionner un
//! consultant" form, whose picker lists first the consultants on the bench
//! or free within 60 days of the need's start; a form per line to record
//! the answer. A refused form comes back beside its fields (422).

use axum::extract::{Path, State};
use axum::response::Response;
use domain::crm::positioning::{Answer, AnswerInput, Availability, PositioningInput, suggest};
use domain::ids::{OpportunityId, PositioningId};
use domain::locale::format_date;
use domain::validation::ValidationErrors;
use store::Tx;
use store::opportunities::Opportunity;

use super::show::page;
use crate::api::positionings::basis;
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::extract::{Form, Id};
use crate::pages::see_other;
use crate::view::FieldErrors;
use crate::write::{Done, Refused, write};
use crate::{AppState, i18n};

/// What a refused form typed, to show it again.
#[derive(Default)]
pub struct Forms {
    position: Option<(PositioningInput, ValidationErrors)>,
    answer: Option<(PositioningId, AnswerInput, ValidationErrors)>,
}

impl Forms {
    pub fn refused(&self) -> bool {
        self.position.is_some() || self.answer.is_some()
    }
}

/// One line of the list.
pub struct Line {
    pub id: String,
    pub consultant: String,
    pub tjm: String,
    /// The daily cost, or "unknown".
    pub cost: String,
    /// Margins per day and over the need; `None`: the cost is unknown.
    pub margin_day: Option<String>,
    pub margin_total: Option<String>,
    pub loss: bool,
    pub answer: &'static str,
    pub answer_label: String,
    pub answered_on: Option<String>,
    pub note: Option<String>,
    /// The answer form's values and errors.
    pub form_answer: String,
    pub form_date: String,
    pub errors: FieldErrors,
}

pub struct PositioningBlock {
    pub lines: Vec<Line>,
    pub standard: bool,
    /// Suggested first, then the others: (id, label).
    pub soon: Vec<(String, String)>,
    pub others: Vec<(String, String)>,
    pub answers: Vec<(&'static str, String)>,
    pub form: PositioningInput,
    pub errors: FieldErrors,
    pub open: bool,
}

pub async fn positioning_block(
    tx: &mut Tx,
    ctx: &Ctx,
    o: &Opportunity,
    can_edit: bool,
    forms: Forms,
) -> AppResult<PositioningBlock> {
    let l = ctx.locale;
    let t = |k: &str| i18n::t(l, k);
    let basis = basis(tx, ctx).await?;
    let items = store::opportunities::positionings::list(tx, ctx.scope()?, o.id, basis).await?;
    let today = store::today();
    let (soon, others) = if can_edit {
        let people = store::opportunities::positionings::availability(tx, today).await?;
        // Those already positioned are not offered again.
        let people: Vec<_> = people
            .into_iter()
            .filter(|(u, _, _)| !items.iter().any(|p| p.consultant_id == Some(*u)))
            .collect();
        let (soon, others) = suggest(&people, o.data.start_date);
        let label = |(u, name, a): (domain::ids::UserId, String, Availability)| {
            let when = match a {
                Availability::Bench => t("positioning-bench"),
                Availability::BusyUntil(d) => {
                    i18n::t_args(l, "positioning-busy-until", &[("date", format_date(d, l))])
                }
            };
            (u.to_string(), format!("{name} — {when}"))
        };
        (
            soon.into_iter().map(label).collect(),
            others.into_iter().map(label).collect(),
        )
    } else {
        (Vec::new(), Vec::new())
    };
    let lines = items
        .iter()
        .map(|p| {
            let (form_answer, form_date, errors) = match &forms.answer {
                Some((id, input, e)) if *id == p.id => (
                    input.answer.clone(),
                    input.answered_on.clone(),
                    FieldErrors::new(l, e),
                ),
                _ => (
                    p.answer.as_str().to_owned(),
                    p.answered_on
                        .map(|d| d.to_string())
                        .unwrap_or_else(|| today.to_string()),
                    FieldErrors::default(),
                ),
            };
            Line {
                id: p.id.to_string(),
                consultant: p.consultant_name.clone().unwrap_or_default(),
                tjm: p.proposed_tjm.amount().format(l),
                cost: p
                    .daily_cost
                    .map(|c| c.format(l))
                    .unwrap_or_else(|| t("positioning-cost-unknown")),
                margin_day: p.margin.map(|m| m.per_day.format(l)),
                margin_total: p.margin.map(|m| m.total.format(l)),
                loss: p.margin.is_some_and(|m| m.per_day.cents() < 0),
                answer: p.answer.as_str(),
                answer_label: t(&p.answer.label_key()),
                answered_on: p.answered_on.map(|d| format_date(d, l)),
                note: p.note.clone(),
                form_answer,
                form_date,
                errors,
            }
        })
        .collect();
    let (form, errors) = match forms.position {
        Some((input, e)) => (input, FieldErrors::new(l, &e)),
        None => (PositioningInput::default(), FieldErrors::default()),
    };
    Ok(PositioningBlock {
        lines,
        standard: basis == domain::people::cjm::CostBasis::GradeStandard,
        soon,
        others,
        answers: Answer::ALL
            .iter()
            .map(|a| (a.as_str(), t(&a.label_key())))
            .collect(),
        form,
        errors,
        open: o.outcome == domain::crm::Outcome::Open,
    })
}

/// Positions a consultant; refused, the form comes back with its errors.
pub async fn position(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<OpportunityId>,
    Form(f): Form<PositioningInput>,
) -> AppResult<Response> {
    let new = match f.validate() {
        Ok(n) => n,
        Err(e) => return refused_position(&app, &ctx, id, f, e).await,
    };
    let scope = ctx.scope()?;
    match write(&app, &ctx)
        .flash("positioning-created")
        .run(async |tx| -> AppResult<_> {
            let basis = basis(tx, &ctx).await?;
            Ok(
                store::opportunities::positionings::create(
                    tx,
                    &ctx.actor(),
                    scope,
                    id,
                    &new,
                    basis,
                )
                .await?,
            )
        })
        .await?
    {
        Done(_) => Ok(see_other(&format!("/opportunities/{id}#positionings"))),
        Refused(e) => refused_position(&app, &ctx, id, f, e).await,
    }
}

async fn refused_position(
    app: &AppState,
    ctx: &Ctx,
    id: OpportunityId,
    f: PositioningInput,
    e: ValidationErrors,
) -> AppResult<Response> {
    let forms = Forms {
        position: Some((f, e)),
        answer: None,
    };
    page(app, ctx, id, forms).await
}

/// Records the client's answer to one positioning.
pub async fn answer(
    State(app): State<AppState>,
    ctx: Ctx,
    Path((id, positioning)): Path<(String, String)>,
    Form(f): Form<AnswerInput>,
) -> AppResult<Response> {
    let id = OpportunityId::parse(&id).ok_or(AppError::NotFound)?;
    let positioning = PositioningId::parse(&positioning).ok_or(AppError::NotFound)?;
    let scope = ctx.scope()?;
    match write(&app, &ctx)
        .flash("positioning-answered")
        .run(async |tx| -> AppResult<_> {
            let basis = basis(tx, &ctx).await?;
            Ok(store::opportunities::positionings::answer(
                tx,
                &ctx.actor(),
                scope,
                id,
                positioning,
                basis,
                |on| f.validate(on),
            )
            .await?)
        })
        .await?
    {
        Done(_) => Ok(see_other(&format!("/opportunities/{id}#positionings"))),
        Refused(e) => {
            let forms = Forms {
                position: None,
                answer: Some((positioning, f, e)),
            };
            page(&app, &ctx, id, forms).await
        }
    }
}
