//! Bank statements: the upload form (bank account, format, the CSV column
//! mapping prefilled from the bank's saved one) and the list of imports;
//! one statement's lines and their state; the matching queue (each credit
//! line with its best suggestions, accepted in one click, another invoice
//! picked by hand, or the line ignored). A refused file is shown in words
//! with its line and element, nothing imported.

use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::Response;
use domain::Locale;
use domain::Money;
use domain::bank_statement::{Column, CsvMapping, DateFormat, TextEncoding};
use domain::locale::format_date;
use domain::paging::{KeysetRequest, PageRequest};
use domain::validation::ValidationErrors;
use serde::Deserialize;
use store::Tx;
use store::statements::{self, Allocation, Format};

use crate::authz::{Permission, allows};
use crate::ctx::Ctx;
use crate::error::AppResult;
use crate::extract::{Form, Id, Query};
use crate::pages::see_other;
use crate::view::{
    FieldErrors, Flash, FlashKind, KeysetPager, Layout, Pager, layout, render, render_status,
};
use crate::write::{Done, Refused, write};
use crate::{AppState, i18n};
use domain::ids::{BankLineId, StatementId};

/// The CSV mapping as the form shows it (column names or positions as text).
#[derive(Debug, Clone, Default)]
pub struct MappingForm {
    pub separator: String,
    pub skip_lines: String,
    pub date_format: String,
    pub date: String,
    pub value_date: String,
    pub label: String,
    pub amount: String,
    pub debit: String,
    pub credit: String,
    pub reference: String,
    pub counterparty: String,
    pub encoding: String,
}

impl MappingForm {
    fn from_mapping(m: &CsvMapping) -> MappingForm {
        let col = |c: &Option<Column>| c.as_ref().map(Column::display).unwrap_or_default();
        MappingForm {
            separator: match m.separator {
                '\t' => "tab".into(),
                c => c.to_string(),
            },
            skip_lines: m.skip_lines.to_string(),
            date_format: m.date_format.as_str().into(),
            date: m.date.display(),
            value_date: col(&m.value_date),
            label: m.label.display(),
            amount: col(&m.amount),
            debit: col(&m.debit),
            credit: col(&m.credit),
            reference: col(&m.reference),
            counterparty: col(&m.counterparty),
            encoding: m.encoding.as_str().into(),
        }
    }

    fn set(&mut self, name: &str, value: String) {
        match name {
            "separator" => self.separator = value,
            "skip_lines" => self.skip_lines = value,
            "date_format" => self.date_format = value,
            "col_date" => self.date = value,
            "col_value_date" => self.value_date = value,
            "col_label" => self.label = value,
            "col_amount" => self.amount = value,
            "col_debit" => self.debit = value,
            "col_credit" => self.credit = value,
            "col_reference" => self.reference = value,
            "col_counterparty" => self.counterparty = value,
            "encoding" => self.encoding = value,
            _ => {}
        }
    }

    fn to_mapping(&self) -> Result<CsvMapping, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let separator = match self.separator.trim() {
            ";" => ';',
            "," => ',',
            "tab" | "\t" => '\t',
            _ => {
                e.add("separator", "statement-mapping-separator");
                ';'
            }
        };
        let skip_lines = match self.skip_lines.trim() {
            "" => 0,
            s => s.parse::<usize>().unwrap_or_else(|_| {
                e.add("skip_lines", "statement-mapping-skip");
                0
            }),
        };
        let date_format = DateFormat::parse(self.date_format.trim()).unwrap_or_else(|| {
            e.add("date_format", "statement-mapping-date-format");
            DateFormat::DayMonthYear
        });
        let encoding = match self.encoding.trim() {
            "" => TextEncoding::Auto,
            s => TextEncoding::parse(s).unwrap_or_else(|| {
                e.add("encoding", "statement-mapping-encoding");
                TextEncoding::Auto
            }),
        };
        let date = Column::parse(&self.date);
        if date.is_none() {
            e.add("col_date", "field-required");
        }
        let label = Column::parse(&self.label);
        if label.is_none() {
            e.add("col_label", "field-required");
        }
        let m = CsvMapping {
            separator,
            skip_lines,
            header: true,
            date_format,
            date: date.unwrap_or(Column::Index(1)),
            value_date: Column::parse(&self.value_date),
            label: label.unwrap_or(Column::Index(2)),
            amount: Column::parse(&self.amount),
            debit: Column::parse(&self.debit),
            credit: Column::parse(&self.credit),
            reference: Column::parse(&self.reference),
            counterparty: Column::parse(&self.counterparty),
            encoding,
        };
        if e.is_empty()
            && let Err(r) = m.check()
        {
            e.add("col_amount", r.key());
        }
        e.into_result(|| m)
    }
}

pub struct AccountOption {
    pub id: String,
    pub label: String,
    pub selected: bool,
}

pub struct StatementView {
    pub id: String,
    pub bank: String,
    pub file_name: String,
    pub format: String,
    pub reference: String,
    pub period: String,
    pub lines: i32,
    /// Entries pending at the bank, left out until booked.
    pub not_booked: i32,
    pub matched: i64,
    pub ignored: i64,
    pub unmatched: i64,
    pub imported: String,
    pub opening: String,
    pub closing: String,
}

fn money(cents: i64, l: Locale) -> String {
    Money::from_cents(cents).format(l)
}

fn statement_view(s: &statements::StatementRow, layout: &Layout) -> StatementView {
    let l = layout.locale;
    StatementView {
        id: s.id.to_string(),
        bank: s.bank_label.clone(),
        file_name: s.file_name.clone(),
        format: if s.format == "camt053" {
            "CAMT.053".into()
        } else {
            "CSV".into()
        },
        reference: s.statement_ref.clone().unwrap_or_default(),
        period: match (s.period_from, s.period_to) {
            (Some(f), Some(t)) => format!("{} – {}", format_date(f, l), format_date(t, l)),
            _ => String::new(),
        },
        lines: s.line_count,
        not_booked: s.not_booked,
        matched: s.matched,
        ignored: s.ignored,
        unmatched: s.unmatched,
        imported: layout.datetime(&s.imported_at),
        opening: s
            .opening_balance_cents
            .map(|c| money(c, l))
            .unwrap_or_default(),
        closing: s
            .closing_balance_cents
            .map(|c| money(c, l))
            .unwrap_or_default(),
    }
}

#[derive(Template)]
#[template(path = "collections/statements.html")]
struct StatementsPage {
    layout: Layout,
    can_manage: bool,
    accounts: Vec<AccountOption>,
    csv: bool,
    mapping: MappingForm,
    errors: FieldErrors,
    statements: Vec<StatementView>,
    pager: Pager,
}

async fn statements_page(
    app: &AppState,
    ctx: &Ctx,
    chosen: Option<(&str, bool, MappingForm)>,
    errors: &ValidationErrors,
    page: PageRequest,
) -> AppResult<Response> {
    let can_manage = allows(ctx.user()?.role, Permission::ManageCollections);
    let mut tx = app.db.read().await?;
    let accounts = statements::accounts(&mut tx).await?;
    let list = statements::page(&mut tx, page).await?;
    let pager = Pager::new(&list, "/collections/statements", &[]);
    tx.commit().await?;
    let page_layout = layout(app, ctx, "statements-title").await?;
    let selected = chosen
        .as_ref()
        .map(|c| c.0.to_string())
        .or_else(|| accounts.first().map(|a| a.id.to_string()))
        .unwrap_or_default();
    // The mapping shown: what was sent, else the chosen bank's saved one,
    // else the usual French layout.
    let mapping = match &chosen {
        Some((_, _, m)) => m.clone(),
        None => {
            let saved = accounts
                .iter()
                .find(|a| a.id.to_string() == selected)
                .and_then(|a| a.csv_mapping.as_deref())
                .and_then(|j| serde_json::from_str::<CsvMapping>(j).ok());
            MappingForm::from_mapping(&saved.unwrap_or_else(CsvMapping::french_bank))
        }
    };
    let statements = list
        .items
        .iter()
        .map(|s| statement_view(s, &page_layout))
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render_status(
        status,
        &StatementsPage {
            errors: FieldErrors::new(page_layout.locale, errors),
            layout: page_layout,
            can_manage,
            accounts: accounts
                .iter()
                .map(|a| AccountOption {
                    selected: a.id.to_string() == selected,
                    id: a.id.to_string(),
                    label: format!("{} — {}", a.label, a.iban),
                })
                .collect(),
            csv: chosen.as_ref().is_some_and(|c| c.1),
            mapping,
            statements,
            pager,
        },
    )
}

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    pub page: Option<u32>,
}

/// GET /collections/statements?page=
pub async fn list(
    State(app): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let page = PageRequest::new(q.page, None);
    statements_page(&app, &ctx, None, &ValidationErrors::new(), page).await
}

/// Largest statement file accepted (a year of a busy account in CAMT is a
/// few megabytes).
pub const MAX_FILE_BYTES: usize = 15 * 1024 * 1024;

pub async fn upload(
    State(app): State<AppState>,
    ctx: Ctx,
    form: Result<Multipart, MultipartRejection>,
) -> AppResult<Response> {
    let malformed = || ValidationErrors::single("file", "statement-upload-malformed");
    let mut form = match form {
        Ok(f) => f,
        Err(_) => {
            return statements_page(&app, &ctx, None, &malformed(), PageRequest::default()).await;
        }
    };
    let mut bank = String::new();
    let mut format = String::new();
    let mut mapping = MappingForm::default();
    let mut file: Option<(String, Vec<u8>)> = None;
    loop {
        let field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(_) => {
                return statements_page(&app, &ctx, None, &malformed(), PageRequest::default())
                    .await;
            }
        };
        let name = field.name().unwrap_or_default().to_string();
        if name == "file" {
            let file_name = field.file_name().unwrap_or("releve").to_string();
            match field.bytes().await {
                Ok(b) if !b.is_empty() => file = Some((file_name, b.to_vec())),
                Ok(_) => {}
                Err(_) => {
                    let e = ValidationErrors::single("file", "statement-upload-too-large");
                    return statements_page(&app, &ctx, None, &e, PageRequest::default()).await;
                }
            }
        } else {
            let Ok(value) = field.text().await else {
                return statements_page(&app, &ctx, None, &malformed(), PageRequest::default())
                    .await;
            };
            match name.as_str() {
                "bank_account_id" => bank = value,
                "format" => format = value,
                other => mapping.set(other, value),
            }
        }
    }
    let is_csv = format == "csv";
    let chosen = Some((bank.as_str(), is_csv, mapping.clone()));
    let Some((file_name, bytes)) = file else {
        let e = ValidationErrors::single("file", "statement-upload-missing");
        return statements_page(&app, &ctx, chosen, &e, PageRequest::default()).await;
    };
    if bytes.len() > MAX_FILE_BYTES {
        let e = ValidationErrors::single("file", "statement-upload-too-large");
        return statements_page(&app, &ctx, chosen, &e, PageRequest::default()).await;
    }
    let format = if is_csv {
        match mapping.to_mapping() {
            Ok(m) => Format::Csv(Box::new(m)),
            Err(e) => return statements_page(&app, &ctx, chosen, &e, PageRequest::default()).await,
        }
    } else {
        Format::Camt053
    };
    let import = async |tx: &mut Tx| {
        statements::import(
            tx,
            &ctx.actor(),
            crate::extract::id_or_nil(&bank),
            &file_name,
            &bytes,
            &format,
        )
        .await
    };
    let said = |done: &statements::Imported| {
        Some(Flash::text(FlashKind::Success, report(ctx.locale, done)))
    };
    match write(&app, &ctx).run_then_flash(import, said).await? {
        // One statement: its page; several: the list of imports.
        Done(done) => Ok(see_other(&if done.statements.len() == 1 {
            format!("/collections/statements/{}", done.statement_id)
        } else {
            "/collections/statements".to_string()
        })),
        Refused(e) => statements_page(&app, &ctx, chosen, &e, PageRequest::default()).await,
    }
}

/// What an upload did, in the user's words: the statements imported, the
/// entries pending at the bank left out, and each statement left aside
/// with its rank, line, account and reason.
fn report(loc: Locale, done: &statements::Imported) -> String {
    let mut parts = vec![i18n::t_args(
        loc,
        "statement-imported-report",
        &[
            ("count", done.statements.len().to_string()),
            ("lines", done.lines.to_string()),
        ],
    )];
    if done.not_booked > 0 {
        parts.push(i18n::t_args(
            loc,
            "statement-not-booked",
            &[("count", done.not_booked.to_string())],
        ));
    }
    for s in &done.skipped {
        parts.push(i18n::t_args(loc, s.key, &s.args));
    }
    parts.join(" ")
}

pub struct LineView {
    pub id: String,
    pub date: String,
    pub value_date: String,
    pub label: String,
    pub counterparty: String,
    pub reference: String,
    pub amount: String,
    pub credit: bool,
    pub status: String,
    pub status_label: String,
    pub payment_id: String,
}

fn line_view(l: &statements::BankLine, loc: Locale) -> LineView {
    LineView {
        id: l.id.to_string(),
        date: format_date(l.booking_date, loc),
        value_date: l
            .value_date
            .map(|d| format_date(d, loc))
            .unwrap_or_default(),
        label: l.label.clone(),
        counterparty: l.counterparty.clone().unwrap_or_default(),
        reference: l
            .end_to_end_id
            .clone()
            .or_else(|| l.bank_reference.clone())
            .unwrap_or_default(),
        amount: money(l.amount_cents, loc),
        credit: l.amount_cents > 0,
        status: l.status.as_str().to_owned(),
        status_label: i18n::t(loc, &format!("statement-line-{}", l.status.as_str())),
        payment_id: l.payment_id.map(|p| p.to_string()).unwrap_or_default(),
    }
}

#[derive(Template)]
#[template(path = "collections/statement.html")]
struct StatementPage {
    layout: Layout,
    can_manage: bool,
    statement: StatementView,
    lines: Vec<LineView>,
    pager: KeysetPager,
}

#[derive(Debug, Default, Deserialize)]
pub struct LinesQuery {
    #[serde(default)]
    pub after: Option<String>,
    #[serde(default)]
    pub before: Option<String>,
    pub per_page: Option<u32>,
}

pub async fn show(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(id): Id<StatementId>,
    Query(q): Query<LinesQuery>,
) -> AppResult<Response> {
    let can_manage = allows(ctx.user()?.role, Permission::ManageCollections);
    let req = KeysetRequest::new(
        q.after.as_deref(),
        q.before.as_deref(),
        q.per_page.or(Some(100)),
        1,
    );
    let mut tx = app.db.read().await?;
    let s = statements::get(&mut tx, id).await?;
    let lines = statements::lines_page(&mut tx, id, &req).await?;
    let pager = KeysetPager::new(
        &lines,
        &format!("/collections/statements/{id}"),
        &[(
            "per_page",
            q.per_page.map(|n| n.to_string()).unwrap_or_default(),
        )],
        Some(s.line_count.max(0) as u64),
    );
    tx.commit().await?;
    let page_layout = layout(&app, &ctx, "statement-title").await?;
    let loc = page_layout.locale;
    render(&StatementPage {
        statement: statement_view(&s, &page_layout),
        lines: lines.items.iter().map(|l| line_view(l, loc)).collect(),
        layout: page_layout,
        can_manage,
        pager,
    })
}

pub struct ProposalView {
    pub client: String,
    pub confidence: u8,
    pub level: &'static str,
    pub reasons: Vec<String>,
    pub invoices: Vec<(String, String, String)>,
    pub credit: String,
    /// `invoice:cents,…`, what the accept button sends.
    pub allocations: String,
}

pub struct QueueView {
    pub line: LineView,
    pub proposals: Vec<ProposalView>,
}

pub struct OpenOption {
    pub id: String,
    pub label: String,
}

#[derive(Template)]
#[template(path = "collections/matching.html")]
struct MatchingPage {
    layout: Layout,
    can_manage: bool,
    queue: Vec<QueueView>,
    open: Vec<OpenOption>,
    more_open: bool,
    /// Lines no invoice explains, to post to an account: each with the
    /// account offered.
    to_post: Vec<(LineView, &'static str)>,
    /// (number, "627 — Services bancaires")
    accounts: Vec<(String, String)>,
}

/// Lines shown at once in the queue, and invoices offered in the picker.
const QUEUE_SIZE: i64 = 100;
const PICKER_SIZE: usize = 500;

pub async fn matching(State(app): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let can_manage = allows(ctx.user()?.role, Permission::ManageCollections);
    let mut tx = app.db.read().await?;
    let queue = statements::queue(&mut tx, QUEUE_SIZE, 3).await?;
    let open = statements::open_items(&mut tx).await?;
    let to_post = store::bank_postings::waiting(&mut tx, QUEUE_SIZE).await?;
    let accounts = store::bank_postings::accounts(&mut tx).await?;
    tx.commit().await?;
    let page_layout = layout(&app, &ctx, "matching-title").await?;
    let loc = page_layout.locale;
    let queue = queue
        .iter()
        .map(|q| QueueView {
            line: line_view(&q.line, loc),
            proposals: q
                .proposals
                .iter()
                .map(|p| ProposalView {
                    client: p.client_name.clone(),
                    confidence: p.confidence,
                    level: match p.confidence {
                        80.. => "high",
                        50..80 => "medium",
                        _ => "low",
                    },
                    reasons: p.reasons.iter().map(|r| i18n::t(loc, r.key())).collect(),
                    invoices: p
                        .allocations
                        .iter()
                        .map(|(i, m)| (i.number.clone(), m.format(loc), i.outstanding.format(loc)))
                        .collect(),
                    credit: if p.unallocated.is_zero() {
                        String::new()
                    } else {
                        p.unallocated.format(loc)
                    },
                    allocations: p
                        .allocations
                        .iter()
                        .map(|(i, m)| format!("{}:{}", i.invoice_id, m.cents()))
                        .collect::<Vec<_>>()
                        .join(","),
                })
                .collect(),
        })
        .collect();
    render(&MatchingPage {
        more_open: open.len() > PICKER_SIZE,
        open: open
            .iter()
            .take(PICKER_SIZE)
            .map(|i| OpenOption {
                id: i.invoice_id.clone(),
                label: format!(
                    "{} — {} — {} ({})",
                    i.number,
                    i.client_name,
                    i.outstanding.format(loc),
                    format_date(i.due_date, loc)
                ),
            })
            .collect(),
        to_post: to_post
            .iter()
            .map(|l| {
                (
                    line_view(l, loc),
                    domain::bank_posting::default_account(l.amount()),
                )
            })
            .collect(),
        accounts: accounts
            .into_iter()
            .map(|(n, label)| (n.clone(), format!("{n} — {label}")))
            .collect(),
        layout: page_layout,
        can_manage,
        queue,
    })
}

#[derive(Debug, Default, Deserialize)]
pub struct PostForm {
    #[serde(default)]
    pub account: String,
}

/// POST /collections/matching/{id}/post: the line posted to the account
/// chosen (bank fees to 627, a receipt nothing explains to 471…).
pub async fn post_line(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(line_id): Id<BankLineId>,
    Form(f): Form<PostForm>,
) -> AppResult<Response> {
    write(&app, &ctx)
        .flash("bank-posting-done-flash")
        .redirect("/collections/matching#to-post", async |tx| {
            store::bank_postings::post(tx, &ctx.actor(), line_id, &f.account).await
        })
        .await
}

#[derive(Debug, Default, Deserialize)]
pub struct AcceptForm {
    /// A suggestion: `invoice:cents,…`.
    #[serde(default)]
    pub allocations: String,
    /// Or one invoice picked by hand: as much of the line as it owes.
    #[serde(default)]
    pub invoice: String,
}

fn parse_allocations(raw: &str) -> Option<Vec<Allocation>> {
    raw.split(',')
        .filter(|p| !p.trim().is_empty())
        .map(|p| {
            let (id, cents) = p.trim().split_once(':')?;
            let cents: i64 = cents.parse().ok().filter(|c| *c > 0)?;
            Some(Allocation {
                invoice_id: crate::extract::id_or_nil(id),
                amount: Money::from_cents(cents),
            })
        })
        .collect()
}

/// Accepts a line: the suggestion sent, or the invoice picked. What the
/// invoices do not take stays as the client's credit (the money is on the
/// bank account already).
pub async fn accept(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(line_id): Id<BankLineId>,
    Form(f): Form<AcceptForm>,
) -> AppResult<Response> {
    let accept = async |tx: &mut Tx| {
        let line = statements::line(tx, line_id).await?;
        let allocations = if !f.invoice.trim().is_empty() {
            let items = statements::open_items(tx).await?;
            items
                .iter()
                .find(|i| i.invoice_id == f.invoice.trim())
                .map(|i| {
                    vec![Allocation {
                        invoice_id: crate::extract::id_or_nil(&i.invoice_id),
                        amount: Money::from_cents(line.amount_cents.min(i.outstanding.cents())),
                    }]
                })
        } else {
            parse_allocations(&f.allocations)
        };
        let Some(allocations) = allocations.filter(|a| !a.is_empty()) else {
            return Err(store::Error::Invalid(ValidationErrors::single(
                "allocations",
                "matching-no-invoice",
            )));
        };
        statements::accept(tx, &ctx.actor(), line_id, &allocations, true)
            .await
            .map_err(already_handled)
    };
    write(&app, &ctx)
        .flash("matching-accepted")
        .redirect("/collections/matching", accept)
        .await
}

/// A line someone else handled meanwhile: refused, saying so.
fn already_handled(e: store::Error) -> store::Error {
    match e {
        store::Error::Conflict { .. } => {
            store::Error::Invalid(ValidationErrors::single("line", "matching-already-handled"))
        }
        other => other,
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct BackForm {
    #[serde(default)]
    pub back: String,
}

fn back_to(f: &BackForm) -> String {
    crate::redirect::local_path_under(&f.back, "/collections/", "/collections/matching").to_owned()
}

/// Sets a line aside, or brings it back to the queue; a line someone else
/// handled meanwhile is said so, nothing changed.
async fn set_aside(
    app: &AppState,
    ctx: &Ctx,
    line_id: BankLineId,
    f: &BackForm,
    aside: bool,
) -> AppResult<Response> {
    let set = async |tx: &mut Tx| {
        let done = if aside {
            statements::ignore(tx, &ctx.actor(), line_id).await
        } else {
            statements::unignore(tx, &ctx.actor(), line_id).await
        };
        done.map_err(already_handled)
    };
    let key = if aside {
        "matching-ignored"
    } else {
        "matching-unignored"
    };
    write(app, ctx).flash(key).redirect(&back_to(f), set).await
}

pub async fn ignore(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(line_id): Id<BankLineId>,
    Form(f): Form<BackForm>,
) -> AppResult<Response> {
    set_aside(&app, &ctx, line_id, &f, true).await
}

pub async fn unignore(
    State(app): State<AppState>,
    ctx: Ctx,
    Id(line_id): Id<BankLineId>,
    Form(f): Form<BackForm>,
) -> AppResult<Response> {
    set_aside(&app, &ctx, line_id, &f, false).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allocations_read_back_and_garbage_is_refused() {
        let a = parse_allocations("inv-1:720000,inv-2:5").unwrap();
        assert_eq!(a.len(), 2);
        assert_eq!(a[0].amount, Money::from_cents(720_000));
        assert!(parse_allocations("inv-1:-5").is_none());
        assert!(parse_allocations("inv-1").is_none());
        assert_eq!(parse_allocations("").unwrap(), vec![]);
    }

    #[test]
    fn the_mapping_form_round_trips() {
        let m = CsvMapping::french_bank();
        assert_eq!(MappingForm::from_mapping(&m).to_mapping().unwrap(), m);
        let mut f = MappingForm::from_mapping(&m);
        f.separator = "|".into();
        f.credit.clear();
        let e = f.to_mapping().unwrap_err();
        assert!(e.for_field("separator").is_some());
    }
}
