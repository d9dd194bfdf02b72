//! Commercial activities (calls, meetings, e-mails, tasks) and the renewal
//! follow-up tasks, all rows of `tasks`: read here for the list, the
//! detail, "ma journée" and the timelines of an opportunity, an account or
//! a mission, always through the scope (a business manager sees those
//! assigned to him and those of his accounts, missions and opportunities;
//! consultants and client contacts none). Writing is in `write.rs`, the
//! morning e-mail in `digest.rs`.

mod digest;
mod write;

pub use digest::{DIGEST_JOB, run_morning_digest};
pub use write::{create, set_done, update};

use domain::crm::activity::ActivityKind;
use domain::ids::{ActivityId, CompanyId, ContactId, MissionId, OpportunityId, UserId};
use domain::paging::{PageRequest, Paged};
use serde::Serialize;
use time::{Date, OffsetDateTime};

use crate::filter::{self, Conditions};
use crate::{Error, Result, Scope, Tx, corrupt, on_tx};

#[derive(Debug, Clone, Serialize)]
pub struct Activity {
    pub id: ActivityId,
    pub kind: ActivityKind,
    pub title: String,
    pub due_date: Date,
    pub assignee_id: UserId,
    pub assignee_name: String,
    pub company_id: Option<CompanyId>,
    pub company_name: Option<String>,
    pub contact_id: Option<ContactId>,
    pub contact_name: Option<String>,
    pub opportunity_id: Option<OpportunityId>,
    pub opportunity_title: Option<String>,
    pub mission_id: Option<MissionId>,
    pub mission_title: Option<String>,
    pub notes: Option<String>,
    pub done_at: Option<OffsetDateTime>,
    pub created_at: OffsetDateTime,
}

impl Activity {
    pub fn is_done(&self) -> bool {
        self.done_at.is_some()
    }
}

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    kind: String,
    title: String,
    due_date: Date,
    assignee_id: String,
    assignee_name: String,
    company_id: Option<String>,
    company_name: Option<String>,
    contact_id: Option<String>,
    contact_name: Option<String>,
    opportunity_id: Option<String>,
    opportunity_title: Option<String>,
    mission_id: Option<String>,
    mission_title: Option<String>,
    notes: Option<String>,
    done_at: Option<OffsetDateTime>,
    created_at: OffsetDateTime,
}

impl Row {
    fn into_activity(self) -> Result<Activity> {
        let opt = |s: Option<String>| s.as_deref().map(crate::id).transpose();
        Ok(Activity {
            id: crate::id(&self.id)?,
            kind: ActivityKind::parse(&self.kind)
                .ok_or_else(|| corrupt("activity kind", &self.kind))?,
            title: self.title,
            due_date: self.due_date,
            assignee_id: crate::id(&self.assignee_id)?,
            assignee_name: self.assignee_name,
            company_id: opt(self.company_id)?,
            company_name: self.company_name,
            contact_id: self.contact_id.as_deref().map(crate::id).transpose()?,
            contact_name: self.contact_name,
            opportunity_id: self.opportunity_id.as_deref().map(crate::id).transpose()?,
            opportunity_title: self.opportunity_title,
            mission_id: self.mission_id.as_deref().map(crate::id).transpose()?,
            mission_title: self.mission_title,
            notes: self.notes,
            done_at: self.done_at,
            created_at: self.created_at,
        })
    }
}

/// The columns of [`Row`], from `t` and its joins. A renewal task names
/// its mission's client as its account.
macro_rules! activity_columns {
    () => {
        "SELECT t.id, t.kind, t.title, t.due_date, t.assignee_id, u.display_name AS assignee_name, \
         COALESCE(t.company_id, m.client_id) AS company_id, c.name AS company_name, \
         t.contact_id, p.first_name || ' ' || p.last_name AS contact_name, \
         t.opportunity_id, o.title AS opportunity_title, t.mission_id, m.title AS mission_title, \
         t.notes, t.done_at, t.created_at \
         FROM tasks t JOIN users u ON u.id = t.assignee_id \
         LEFT JOIN missions m ON m.id = t.mission_id \
         LEFT JOIN companies c ON c.id = COALESCE(t.company_id, m.client_id) \
         LEFT JOIN contacts p ON p.id = t.contact_id \
         LEFT JOIN opportunities o ON o.id = t.opportunity_id "
    };
}

fn rows(rows: Vec<Row>) -> Result<Vec<Activity>> {
    rows.into_iter().map(Row::into_activity).collect()
}

pub async fn get(tx: &mut Tx, scope: Scope, id: ActivityId) -> Result<Activity> {
    const SQL: &str = concat!(
        activity_columns!(),
        "WHERE t.id = $4 AND ",
        crate::scope_clause!(activities)
    );
    let row: Option<Row> = on_tx!(tx, |c| sqlx::query_as(SQL)
        .bind(scope.company())
        .bind(scope.own_user())
        .bind(scope.portfolio())
        .bind(id.to_string())
        .fetch_optional(c)
        .await)?;
    row.ok_or(Error::NotFound)?.into_activity()
}

/// Open (not done yet) or done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Open,
    Done,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Done => "done",
        }
    }
    pub fn parse(s: &str) -> Option<Status> {
        [Status::Open, Status::Done]
            .into_iter()
            .find(|k| k.as_str() == s.trim())
    }
}

#[derive(Debug, Clone, Default)]
pub struct ActivityFilter {
    pub assignee_id: Option<UserId>,
    pub kind: Option<ActivityKind>,
    pub status: Option<Status>,
    /// Due on or after / on or before.
    pub due_from: Option<Date>,
    pub due_to: Option<Date>,
    pub company_id: Option<CompanyId>,
    pub opportunity_id: Option<OpportunityId>,
    pub mission_id: Option<MissionId>,
}

impl ActivityFilter {
    /// The filters present, as conditions on `t`.
    fn conditions(&self) -> Conditions {
        let mut c = Conditions::new();
        c.eq("t.assignee_id", self.assignee_id.map(|u| u.to_string()))
            .eq("t.kind", self.kind.map(|k| k.as_str()))
            .when(self.status == Some(Status::Open), "t.done_at IS NULL")
            .when(self.status == Some(Status::Done), "t.done_at IS NOT NULL")
            .cmp("t.due_date", ">=", self.due_from)
            .cmp("t.due_date", "<=", self.due_to)
            .eq("t.company_id", self.company_id.map(|x| x.to_string()))
            .eq(
                "t.opportunity_id",
                self.opportunity_id.map(|x| x.to_string()),
            )
            .eq("t.mission_id", self.mission_id.map(|x| x.to_string()));
        c
    }
}

/// The activities of `scope`, filtered, the latest due first (an index
/// walked backwards: `tasks_due`), with their exact count.
pub async fn list(
    tx: &mut Tx,
    scope: Scope,
    f: &ActivityFilter,
    page: PageRequest,
) -> Result<Paged<Activity>> {
    list_counted(tx, scope, f, page, None).await
}

/// [`list`] counting at most `at_most` + 1 rows: a page says "more than
/// `at_most`" rather than pass over every activity of a broad scope.
pub async fn list_at_most(
    tx: &mut Tx,
    scope: Scope,
    f: &ActivityFilter,
    page: PageRequest,
    at_most: u64,
) -> Result<Paged<Activity>> {
    list_counted(tx, scope, f, page, Some(at_most)).await
}

async fn list_counted(
    tx: &mut Tx,
    scope: Scope,
    f: &ActivityFilter,
    page: PageRequest,
    at_most: Option<u64>,
) -> Result<Paged<Activity>> {
    let c = f.conditions();
    let total = filter::count(
        tx,
        scope,
        crate::scoped_sql!("tasks t WHERE ", activities),
        &c,
        at_most,
    )
    .await?;
    let found: Vec<Row> = filter::rows(
        tx,
        scope,
        crate::scoped_sql!(concat!(activity_columns!(), "WHERE "), activities),
        &c,
        "ORDER BY t.due_date DESC, t.id DESC",
        Some(page),
    )
    .await?;
    Ok(Paged {
        items: rows(found)?,
        page: page.page,
        per_page: page.per_page,
        total,
    })
}

/// How many overdue activities "ma journée" lists, the oldest first; the
/// page counts the others and links to the list.
pub const MY_DAY_OVERDUE: u32 = 100;
/// How many due today it lists at the most.
const MY_DAY_TODAY: u32 = 200;

/// "Ma journée": `user`'s open activities due today or before: the
/// oldest [`MY_DAY_OVERDUE`] overdue, then today's. His own, whatever his
/// portfolio (served by the partial index `tasks_open_due`).
pub async fn my_day(tx: &mut Tx, user: UserId, today: Date) -> Result<Vec<Activity>> {
    const OVERDUE: &str = concat!(
        activity_columns!(),
        "WHERE t.assignee_id = $1 AND t.done_at IS NULL AND t.due_date < $2 \
         ORDER BY t.due_date, t.id LIMIT $3"
    );
    const TODAY: &str = concat!(
        activity_columns!(),
        "WHERE t.assignee_id = $1 AND t.done_at IS NULL AND t.due_date = $2 \
         ORDER BY t.id LIMIT $3"
    );
    let mut found: Vec<Row> = Vec::new();
    for (sql, limit) in [(OVERDUE, MY_DAY_OVERDUE), (TODAY, MY_DAY_TODAY)] {
        let rows: Vec<Row> = on_tx!(tx, |c| sqlx::query_as(sql)
            .bind(user.to_string())
            .bind(today)
            .bind(i64::from(limit))
            .fetch_all(c)
            .await)?;
        found.extend(rows);
    }
    rows(found)
}

/// How many of `user`'s open activities are overdue on `today`.
pub async fn overdue_count(tx: &mut Tx, user: UserId, today: Date) -> Result<u64> {
    let n: i64 = on_tx!(tx, |c| {
        sqlx::query_scalar(
        "SELECT COUNT(*) FROM tasks t WHERE t.assignee_id = $1 AND t.done_at IS NULL AND t.due_date < $2"
    )
    .bind(user.to_string())
    .bind(today)
    .fetch_one(c)
    .await
    })?;
    Ok(n as u64)
}

/// What a timeline is about.
#[derive(Debug, Clone, Copy)]
pub enum Subject {
    Opportunity(OpportunityId),
    Company(CompanyId),
    Mission(MissionId),
}

/// The activities about an opportunity, an account or a mission, the
/// latest due first, at most `limit` (served by `tasks_opportunity`,
/// `tasks_company`, `tasks_mission`).
pub async fn timeline(
    tx: &mut Tx,
    scope: Scope,
    about: Subject,
    limit: u32,
) -> Result<Vec<Activity>> {
    // One text per subject, so that each reads its own index.
    macro_rules! about {
        ($col:literal) => {
            concat!(
                activity_columns!(),
                "WHERE t.",
                $col,
                " = $4 AND ",
                crate::scope_clause!(activities),
                " ORDER BY t.due_date DESC, t.id DESC LIMIT $5"
            )
        };
    }
    let (sql, id): (&'static str, String) = match about {
        Subject::Opportunity(o) => (about!("opportunity_id"), o.to_string()),
        Subject::Company(c) => (about!("company_id"), c.to_string()),
        Subject::Mission(m) => (about!("mission_id"), m.to_string()),
    };
    let found: Vec<Row> = on_tx!(tx, |x| sqlx::query_as(sql)
        .bind(scope.company())
        .bind(scope.own_user())
        .bind(scope.portfolio())
        .bind(id.as_str())
        .bind(i64::from(limit))
        .fetch_all(x)
        .await)?;
    rows(found)
}
