//! The leave settings page: leave types, yearly allowances and work
//! patterns, each with its form; a refused form comes back with its errors.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use domain::Locale;
use domain::calendar::Region;
use domain::ids::UserId;
use domain::validation::ValidationErrors;
use serde::Deserialize;
use store::leave::{Allowance, Employee, LeaveType};

use super::requests::type_label;
use super::{respond, today};
use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::extract::Query;
use crate::view::{FieldErrors, Layout, layout};
use crate::{AppState, i18n};

#[derive(Debug, Default, Deserialize)]
pub struct SettingsQuery {
    #[serde(default)]
    pub year: String,
    /// A type to edit in the type form.
    #[serde(default, rename = "type")]
    pub leave_type: String,
    /// A person whose work pattern fills the pattern form.
    #[serde(default)]
    pub user: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct TypeForm {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub label_fr: String,
    #[serde(default)]
    pub label_en: String,
    #[serde(default)]
    pub tracks_balance: Option<String>,
    #[serde(default)]
    pub active: Option<String>,
}

impl TypeForm {
    pub(super) fn tracks(&self) -> bool {
        self.tracks_balance.as_deref() == Some("true")
    }
    pub(super) fn is_active(&self) -> bool {
        self.active.as_deref() == Some("true")
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct AllowanceForm {
    #[serde(default)]
    pub user_id: String,
    #[serde(default)]
    pub leave_type: String,
    #[serde(default)]
    pub year: String,
    #[serde(default)]
    pub days: String,
}

#[derive(Debug, Default)]
pub struct PatternForm {
    pub user: String,
    pub region: String,
    /// Monday = 1 … Friday = 5.
    pub weekdays: Vec<u8>,
}

pub struct TypeRow {
    pub code: String,
    pub label_fr: String,
    pub label_en: String,
    pub tracks: String,
    pub active: bool,
}

pub struct PatternRow {
    pub id: UserId,
    pub name: String,
    pub region: String,
    pub weekdays: String,
    pub ratio: String,
}

/// A weekday checkbox: its number, label and state.
pub struct DayBox {
    pub n: u8,
    pub label: String,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "leave/settings.html")]
struct SettingsPage {
    layout: Layout,
    types: Vec<TypeRow>,
    type_form: TypeForm,
    type_errors: FieldErrors,
    year: String,
    allowances: Vec<(String, String, String)>,
    allowance_form: AllowanceForm,
    allowance_errors: FieldErrors,
    people: Vec<(String, String)>,
    tracked: Vec<(String, String)>,
    patterns: Vec<PatternRow>,
    pattern_form: PatternForm,
    pattern_errors: FieldErrors,
    regions: Vec<(&'static str, String)>,
    days: Vec<DayBox>,
}

/// Which form of the settings page was refused, with its errors.
pub(super) enum Refused {
    None,
    Type(ValidationErrors),
    Allowance(ValidationErrors),
    Pattern(ValidationErrors),
}

pub(super) struct SettingsForms {
    pub type_form: TypeForm,
    pub allowance_form: AllowanceForm,
    pub pattern_form: PatternForm,
}

/// The days of a weekly pattern, "lun., mar., jeu.".
pub(crate) fn weekday_labels(l: Locale, weekdays: u8) -> String {
    (1..=5u8)
        .filter(|n| weekdays & (1 << (n - 1)) != 0)
        .map(|n| i18n::t(l, &format!("leave-weekday-short-{n}")))
        .collect::<Vec<_>>()
        .join(", ")
}

fn region_label(l: Locale, r: Region) -> String {
    i18n::t(l, &format!("leave-region-{}", r.as_str().replace('_', "-")))
}

fn type_rows(types: &[LeaveType], l: Locale) -> Vec<TypeRow> {
    types
        .iter()
        .map(|t| TypeRow {
            code: t.code.clone(),
            label_fr: t.label_fr.clone(),
            label_en: t.label_en.clone(),
            tracks: i18n::t(l, if t.tracks_balance { "yes" } else { "no" }),
            active: t.active,
        })
        .collect()
}

/// (person, type, days acquired).
fn allowance_rows(
    allowances: &[Allowance],
    types: &[LeaveType],
    l: Locale,
) -> Vec<(String, String, String)> {
    allowances
        .iter()
        .map(|a| {
            (
                a.user_name.clone(),
                type_label(types, &a.leave_type, l),
                a.acquired.format(l),
            )
        })
        .collect()
}

fn pattern_rows(people: &[Employee], l: Locale) -> Vec<PatternRow> {
    people
        .iter()
        .map(|p| PatternRow {
            id: p.id,
            name: p.name.clone(),
            region: region_label(l, p.pattern.region),
            weekdays: weekday_labels(l, p.pattern.weekdays),
            ratio: format!("{} %", p.pattern.ratio_percent()),
        })
        .collect()
}

pub(super) async fn settings_page(
    app: &AppState,
    ctx: &Ctx,
    mut forms: SettingsForms,
    refused: Refused,
) -> AppResult<Response> {
    let l = ctx.locale;
    let year: i32 = forms
        .allowance_form
        .year
        .trim()
        .parse()
        .ok()
        .filter(|y| store::leave::ALLOWANCE_YEARS.contains(y))
        .unwrap_or_else(|| today().year());
    if forms.allowance_form.year.trim().is_empty() {
        forms.allowance_form.year = year.to_string();
    }
    let mut tx = app.db.read().await?;
    let types = store::leave::types(&mut tx).await?;
    let allowances = store::leave::allowances(&mut tx, year).await?;
    let people = store::leave::employees(&mut tx).await?;
    tx.commit().await?;
    let empty = ValidationErrors::new();
    let (type_errors, allowance_errors, pattern_errors) = match &refused {
        Refused::None => (&empty, &empty, &empty),
        Refused::Type(e) => (e, &empty, &empty),
        Refused::Allowance(e) => (&empty, e, &empty),
        Refused::Pattern(e) => (&empty, &empty, e),
    };
    let page = SettingsPage {
        layout: layout(app, ctx, "leave-settings-title").await?,
        types: type_rows(&types, l),
        type_form: forms.type_form,
        type_errors: FieldErrors::new(l, type_errors),
        year: year.to_string(),
        allowances: allowance_rows(&allowances, &types, l),
        allowance_form: forms.allowance_form,
        allowance_errors: FieldErrors::new(l, allowance_errors),
        people: people
            .iter()
            .map(|p| (p.id.to_string(), p.name.clone()))
            .collect(),
        tracked: types
            .iter()
            .filter(|t| t.tracks_balance)
            .map(|t| (t.code.clone(), t.label(l).to_owned()))
            .collect(),
        patterns: pattern_rows(&people, l),
        days: (1..=5u8)
            .map(|n| DayBox {
                n,
                label: i18n::t(l, &format!("leave-weekday-{n}")),
                checked: forms.pattern_form.weekdays.contains(&n),
            })
            .collect(),
        pattern_form: forms.pattern_form,
        pattern_errors: FieldErrors::new(l, pattern_errors),
        regions: Region::ALL
            .iter()
            .map(|r| (r.as_str(), region_label(l, *r)))
            .collect(),
    };
    respond(&page, !matches!(refused, Refused::None))
}

pub(super) fn blank_forms(year: String) -> SettingsForms {
    SettingsForms {
        type_form: TypeForm {
            active: Some("true".into()),
            ..Default::default()
        },
        allowance_form: AllowanceForm {
            year,
            ..Default::default()
        },
        pattern_form: PatternForm {
            region: Region::Standard.as_str().into(),
            weekdays: vec![1, 2, 3, 4, 5],
            ..Default::default()
        },
    }
}

pub async fn settings(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<SettingsQuery>,
) -> AppResult<Response> {
    let mut forms = blank_forms(q.year.clone());
    let mut tx = app.db.read().await?;
    if let Some(t) = store::leave::types(&mut tx)
        .await?
        .into_iter()
        .find(|t| t.code == q.leave_type)
    {
        forms.type_form = TypeForm {
            tracks_balance: t.tracks_balance.then(|| "true".into()),
            active: t.active.then(|| "true".into()),
            code: t.code,
            label_fr: t.label_fr,
            label_en: t.label_en,
        };
    }
    if let Some(user) = UserId::parse(&q.user)
        && let Some(p) = store::leave::employees(&mut tx)
            .await?
            .into_iter()
            .find(|p| p.id == user)
    {
        forms.pattern_form = PatternForm {
            user: p.id.to_string(),
            region: p.pattern.region.as_str().into(),
            weekdays: (1..=5u8)
                .filter(|n| p.pattern.weekdays & (1 << (n - 1)) != 0)
                .collect(),
        };
    }
    tx.commit().await?;
    settings_page(&app, &ctx, forms, Refused::None).await
}
