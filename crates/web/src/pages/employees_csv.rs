//! The employee records as CSV, with the list's filters: every record
//! that matches, not only the page shown. No pay in it (the pay history
//! is read on each record's page, by those who may, and audited there).

use axum::extract::State;
use axum::response::Response;
use domain::ids::AgencyId;
use domain::locale::format_date;
use domain::paging::{MAX_PER_PAGE, PageRequest};
use store::employees::EmployeeFilter;

use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::extract::Query;
use crate::pages::employees::ListQuery;
use crate::{AppState, i18n};

/// GET /employees.csv
pub async fn list(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    use crate::csv::{document, response, text};
    let l = ctx.locale;
    let filter = EmployeeFilter {
        q: Some(q.q.clone()),
        agency_id: AgencyId::parse(q.agency_id.trim()),
    };
    let mut out = vec![
        [
            "employee-matricule",
            "employee-name",
            "employee-legal-entity",
            "employee-agency",
            "employee-contract",
            "employee-supplier",
            "employee-job-title",
            "employee-grade",
            "employee-manager",
            "employee-hire-date",
            "employee-exit-date",
        ]
        .iter()
        .map(|k| text(&i18n::t(l, k)))
        .collect::<Vec<_>>(),
    ];
    let mut tx = app.db.read().await?;
    let mut page = 1;
    loop {
        let paged = store::employees::list(
            &mut tx,
            &filter,
            PageRequest::new(Some(page), Some(MAX_PER_PAGE)),
        )
        .await?;
        for e in &paged.items {
            let d = &e.data;
            out.push(vec![
                text(d.matricule.as_str()),
                text(&e.name()),
                text(&d.legal_entity),
                text(&e.agency_name),
                text(&i18n::t(l, &d.contract.kind().label_key())),
                text(e.supplier_name.as_deref().unwrap_or_default()),
                text(&d.job_title),
                text(d.grade.as_ref().map(|g| g.as_str()).unwrap_or_default()),
                text(e.manager_name.as_deref().unwrap_or_default()),
                format_date(d.hire_date, l),
                d.exit_date.map(|x| format_date(x, l)).unwrap_or_default(),
            ]);
        }
        if !paged.has_next() {
            break;
        }
        page += 1;
    }
    tx.commit().await?;
    Ok(response("personnel.csv", document(&out)))
}
