//! The month as the report page shows it, built from the stored sheet alone:
//! one row per day (holiday and leave noted beside it), one column per
//! mission of the month then, for the firm only, the free activities; the
//! totals, the extras (on-call, overtime), each client's approval, the files
//! and the history. A client contact sees his missions' columns and his own
//! company's approval, nothing of the consultant's other activities.
//!
//! Pure: no database, no request; the page adds who may do what.

use std::collections::BTreeMap;

use domain::Locale;
use domain::calendar;
use domain::cra::{self, Activity, FREE_ACTIVITIES};
use domain::ids::CompanyId;
use domain::locale::{format_date, format_datetime};
use domain::mission::DayQuantity;
use store::Scope;
use store::cras::{ExtraKind, Sheet};
use store::leave::LeaveType;
use time::Date;

use super::Typed;
use crate::i18n;

pub struct Column {
    pub key: String,
    pub label: String,
    pub billable: bool,
}

pub struct CellView {
    /// Its column's activity (`Activity::row_key`): what the page's script
    /// adds up live and what the phone's mission picker shows or hides.
    pub key: String,
    pub name: String,
    pub value: &'static str,
    pub label: String,
    /// A free activity (not a mission): folded away on a phone when the
    /// month has a single mission, leaving one control per day.
    pub free: bool,
}

pub struct DayRow {
    pub id: String,
    pub label: String,
    pub off: bool,
    pub note: String,
    pub cells: Vec<CellView>,
    pub total: String,
    /// Half days of approved leave in the day (not in the cells): the
    /// live total starts from them.
    pub leave_halves: u32,
    pub over: bool,
}

pub struct ApprovalView {
    pub client: String,
    pub mission: String,
    pub mission_id: String,
    pub state: String,
    pub done: bool,
    pub document: Option<String>,
    pub mine: bool,
}

pub struct ExtraView {
    pub mission_id: String,
    pub mission: String,
    pub on_call: String,
    pub overtime: String,
}

pub struct TotalView {
    /// The activity (`Activity::row_key`), matching the grid's columns.
    pub key: String,
    pub label: String,
    pub days: String,
}

/// Who reads the sheet: the firm (manager, consultant) or a client contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Viewer {
    Firm,
    Client(CompanyId),
}

impl Viewer {
    pub fn of(scope: Scope) -> Viewer {
        match scope {
            Scope::Company(c) => Viewer::Client(c),
            _ => Viewer::Firm,
        }
    }

    fn company(self) -> Option<CompanyId> {
        match self {
            Viewer::Client(c) => Some(c),
            Viewer::Firm => None,
        }
    }
}

/// Everything of the report page that comes from the sheet.
pub struct Grid {
    pub deadline: String,
    pub working_days: String,
    pub holidays: Vec<String>,
    pub columns: Vec<Column>,
    pub rows: Vec<DayRow>,
    pub totals: Vec<TotalView>,
    /// The missions running in the month: (id, title).
    pub missions: Vec<(String, String)>,
    pub extras: Vec<ExtraView>,
    pub approvals: Vec<ApprovalView>,
    /// (id, file name, uploaded at).
    pub attachments: Vec<(String, String, String)>,
    /// Who an attachment is for: each client mission of the month (its
    /// client sees the file), or internal (none).
    pub attachment_for: Vec<(String, String)>,
    /// (at, who, what, detail).
    pub events: Vec<(String, String, String, String)>,
}

/// Leave type codes and their names in the reader's language.
type LeaveNames = BTreeMap<String, String>;

impl Grid {
    /// The page's view of `sheet`; `typed`, when a refused form comes back,
    /// replaces the stored cells so nothing typed is lost.
    pub fn from_sheet(
        sheet: &Sheet,
        l: Locale,
        leave_types: &[LeaveType],
        viewer: Viewer,
        typed: Option<&Typed>,
    ) -> Grid {
        let leave_names: LeaveNames = leave_types
            .iter()
            .map(|t| (t.code.clone(), t.label(l).to_owned()))
            .collect();
        let month = sheet.cra.month;
        let columns = columns(sheet, l, viewer);
        let running = sheet
            .missions
            .iter()
            .filter(|m| m.start <= month.last_day() && m.end >= month.first_day());
        Grid {
            deadline: format_date(cra::on_time_deadline(month), l),
            working_days: DayQuantity::from_days(sheet.pattern.working_days(month).len() as u32)
                .format(l),
            holidays: calendar::holidays(month.year, sheet.pattern.region)
                .into_iter()
                .filter(|(d, _)| month.contains(*d))
                .map(|(d, h)| format!("{} ({})", format_date(d, l), h.label(l)))
                .collect(),
            rows: rows(sheet, l, &leave_names, &columns, typed),
            columns,
            totals: cra::totals(&sheet.slots)
                .iter()
                .map(|(a, q)| TotalView {
                    key: a.row_key(),
                    label: activity_label(l, a, sheet, &leave_names),
                    days: q.format(l),
                })
                .collect(),
            missions: running
                .clone()
                .map(|m| (m.id.to_string(), m.title.clone()))
                .collect(),
            extras: extras(sheet, l),
            approvals: approvals(sheet, l, viewer),
            attachments: sheet
                .attachments
                .iter()
                .map(|a| {
                    (
                        a.id.clone(),
                        a.filename.clone(),
                        format_datetime(a.uploaded_at, l),
                    )
                })
                .collect(),
            attachment_for: running
                .map(|m| (m.id.to_string(), format!("{} — {}", m.client_name, m.title)))
                .collect(),
            events: sheet
                .events
                .iter()
                .map(|e| {
                    (
                        format_datetime(e.at, l),
                        e.actor_name.clone(),
                        i18n::t(l, &format!("cra-event-{}", e.kind.replace('_', "-"))),
                        e.detail.clone().unwrap_or_default(),
                    )
                })
                .collect(),
        }
    }
}

/// The sheet's missions, then (for the firm) the free activities.
fn columns(sheet: &Sheet, l: Locale, viewer: Viewer) -> Vec<Column> {
    let mut columns: Vec<Column> = sheet
        .missions
        .iter()
        .map(|m| Column {
            key: Activity::Mission(m.id).row_key(),
            label: format!("{} — {}", m.title, m.client_name),
            billable: true,
        })
        .collect();
    if viewer == Viewer::Firm {
        columns.extend(FREE_ACTIVITIES.iter().map(|k| Column {
            key: (*k).to_owned(),
            label: i18n::t(l, &format!("cra-activity-{k}")),
            billable: false,
        }));
    }
    columns
}

fn rows(
    sheet: &Sheet,
    l: Locale,
    leave_names: &LeaveNames,
    columns: &[Column],
    typed: Option<&Typed>,
) -> Vec<DayRow> {
    let stored = cra::cells_of(&sheet.slots);
    let value = |key: &str, d: Date| match typed {
        Some(t) => t.get(&(key.to_owned(), d)).copied().unwrap_or(0),
        None => Activity::parse_row_key(key)
            .and_then(|a| stored.get(&a).and_then(|m| m.get(&d)).copied())
            .unwrap_or(0),
    };
    sheet
        .cra
        .month
        .days()
        .map(|d| day_row(sheet, l, leave_names, columns, d, &value))
        .collect()
}

/// One day: its cells, what else fills it (holiday, leave) and its total,
/// which counts leave halves too and is flagged beyond one day.
fn day_row(
    sheet: &Sheet,
    l: Locale,
    leave_names: &LeaveNames,
    columns: &[Column],
    d: Date,
    value: &impl Fn(&str, Date) -> u8,
) -> DayRow {
    let leave: Vec<String> = sheet
        .slots
        .iter()
        .filter(|s| s.day == d)
        .filter_map(|s| match &s.activity {
            Activity::Leave(t) => Some(format!(
                "{} ({})",
                leave_name(leave_names, t.as_str()),
                i18n::t(l, &format!("cra-half-{}", s.half.as_str()))
            )),
            _ => None,
        })
        .collect();
    let mut note = Vec::new();
    if let Some(h) = calendar::holiday(d, sheet.pattern.region) {
        note.push(h.label(l).to_owned());
    }
    note.extend(leave);
    let mut total = 0u32;
    let cells: Vec<CellView> = columns
        .iter()
        .map(|c| {
            let h = value(&c.key, d);
            total += u32::from(h);
            CellView {
                key: c.key.clone(),
                name: format!("c:{}:{}", c.key, d),
                value: half_value(h),
                label: format!("{} — {}", c.label, format_date(d, l)),
                free: !c.billable,
            }
        })
        .collect();
    let leave_halves = sheet
        .slots
        .iter()
        .filter(|s| s.day == d && s.activity.is_leave())
        .count() as u32;
    total += leave_halves;
    DayRow {
        id: d.to_string(),
        label: day_label(l, d),
        off: !sheet.pattern.works_on(d),
        note: note.join(" · "),
        cells,
        total: if total == 0 {
            String::new()
        } else {
            DayQuantity::from_half_days(total).format(l)
        },
        leave_halves,
        over: total > 2,
    }
}

/// Each client's say on his missions; a client contact sees only his own.
fn approvals(sheet: &Sheet, l: Locale, viewer: Viewer) -> Vec<ApprovalView> {
    let company = viewer.company();
    sheet
        .approvals
        .iter()
        .filter(|a| company.is_none_or(|c| c == a.client_id))
        .map(|a| ApprovalView {
            client: a.client_name.clone(),
            mission: sheet
                .missions
                .iter()
                .find(|m| m.id == a.mission_id)
                .map(|m| m.title.clone())
                .unwrap_or_default(),
            mission_id: a.mission_id.to_string(),
            state: match (&a.approved_at, &a.approved_by) {
                (Some(at), by) => format!(
                    "{} — {} {}",
                    i18n::t(
                        l,
                        &format!("cra-via-{}", a.via.as_deref().unwrap_or("portal"))
                    ),
                    by.as_deref().unwrap_or(""),
                    format_datetime(*at, l)
                ),
                (None, _) => i18n::t(l, "cra-client-pending"),
            },
            done: a.approved_at.is_some(),
            document: a.document_id.clone(),
            mine: company == Some(a.client_id),
        })
        .collect()
}

/// On-call and overtime hours of the missions that allow them.
fn extras(sheet: &Sheet, l: Locale) -> Vec<ExtraView> {
    sheet
        .missions
        .iter()
        .filter(|m| m.extras_allowed)
        .map(|m| {
            let q = |k: ExtraKind| {
                sheet
                    .extras
                    .iter()
                    .find(|x| x.mission_id == m.id && x.kind == k)
                    .map(|x| hundredths_text(x.hundredths, l))
                    .unwrap_or_default()
            };
            ExtraView {
                mission_id: m.id.to_string(),
                mission: m.title.clone(),
                on_call: q(ExtraKind::OnCall),
                overtime: q(ExtraKind::Overtime),
            }
        })
        .collect()
}

fn leave_name(leave_names: &LeaveNames, code: &str) -> String {
    leave_names
        .get(code)
        .cloned()
        .unwrap_or_else(|| code.to_string())
}

fn day_label(l: Locale, d: Date) -> String {
    let wd = match (l, d.weekday().number_days_from_monday()) {
        (Locale::Fr, n) => ["lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim."][n as usize],
        (Locale::En, n) => ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][n as usize],
    };
    format!("{wd} {}", format_date(d, l))
}

fn half_value(h: u8) -> &'static str {
    match h {
        0 => "",
        1 => "0,5",
        _ => "1",
    }
}

fn activity_label(l: Locale, a: &Activity, sheet: &Sheet, leave_names: &LeaveNames) -> String {
    match a {
        Activity::Mission(m) => sheet
            .missions
            .iter()
            .find(|x| x.id == *m)
            .map(|x| format!("{} — {}", x.title, x.client_name))
            .unwrap_or_else(|| m.to_string()),
        Activity::Leave(t) => leave_name(leave_names, t.as_str()),
        other => i18n::t(l, &format!("cra-activity-{}", other.kind())),
    }
}

/// Hours kept in hundredths, written as people write them: "1,5", "1.25".
pub(super) fn hundredths_text(h: i64, l: Locale) -> String {
    let whole = h / 100;
    let frac = h % 100;
    let sep = if l == Locale::Fr { "," } else { "." };
    if frac == 0 {
        whole.to_string()
    } else if frac % 10 == 0 {
        format!("{whole}{sep}{}", frac / 10)
    } else {
        format!("{whole}{sep}{frac:02}")
    }
}

#[cfg(test)]
mod tests {
    use domain::calendar::YearMonth;
    use domain::cra::{CraStatus, Half, Slot, WorkPattern};
    use domain::ids::{CraId, MissionId, UserId};
    use domain::leave::LeaveTypeCode;
    use store::cras::{Approval, Cra, Extra, MissionLine};
    use time::OffsetDateTime;
    use time::macros::{date, datetime};

    use super::*;

    struct Month {
        sheet: Sheet,
        build: MissionId,
        run: MissionId,
        acme: CompanyId,
        globex: CompanyId,
    }

    fn slot(day: Date, half: Half, activity: Activity) -> Slot {
        Slot {
            day,
            half,
            activity,
        }
    }

    fn mission(id: MissionId, title: &str, client: CompanyId, name: &str) -> MissionLine {
        MissionLine {
            id,
            title: title.into(),
            client_id: client,
            client_name: name.into(),
            start: date!(2026 - 01 - 01),
            end: date!(2026 - 12 - 31),
            extras_allowed: false,
        }
    }

    fn approval(mission_id: MissionId, client: CompanyId, name: &str) -> Approval {
        Approval {
            mission_id,
            client_id: client,
            client_name: name.into(),
            document_id: None,
            approved_at: None,
            approved_by: None,
            via: None,
        }
    }

    /// November 2026 (11th: Armistice) over two missions for two clients,
    /// with a morning of paid leave on the 16th.
    fn november() -> Month {
        let (build, run) = (MissionId::new(), MissionId::new());
        let (acme, globex) = (CompanyId::new(), CompanyId::new());
        let cp = Activity::Leave(LeaveTypeCode::parse("cp").unwrap());
        let sheet = Sheet {
            cra: Cra {
                id: CraId::new(),
                consultant_id: UserId::new(),
                consultant_name: "Camille Martin".into(),
                consultant_email: "camille@example.fr".into(),
                month: YearMonth::parse("2026-11").unwrap(),
                version: 1,
                status: CraStatus::Signed,
                comment: None,
                rejection_reason: None,
                signed_at: None,
                client_validated_at: None,
                validated_at: None,
                validated_by: None,
                updated_at: OffsetDateTime::UNIX_EPOCH,
            },
            pattern: WorkPattern::default(),
            slots: vec![
                slot(date!(2026 - 11 - 02), Half::Am, Activity::Mission(build)),
                slot(date!(2026 - 11 - 02), Half::Pm, Activity::Mission(build)),
                slot(date!(2026 - 11 - 03), Half::Am, Activity::Mission(run)),
                slot(date!(2026 - 11 - 16), Half::Am, cp),
                slot(date!(2026 - 11 - 16), Half::Pm, Activity::Mission(run)),
            ],
            missions: vec![
                mission(build, "Build", acme, "Acme"),
                mission(run, "Run", globex, "Globex"),
            ],
            approvals: vec![
                Approval {
                    approved_at: Some(datetime!(2026-12-01 09:30 UTC)),
                    approved_by: Some("Alice <alice@acme.fr>".into()),
                    via: Some("portal".into()),
                    ..approval(build, acme, "Acme")
                },
                approval(run, globex, "Globex"),
            ],
            extras: vec![],
            attachments: vec![],
            events: vec![],
        };
        Month {
            sheet,
            build,
            run,
            acme,
            globex,
        }
    }

    fn leave_types() -> Vec<LeaveType> {
        vec![LeaveType {
            code: "cp".into(),
            label_fr: "Congés payés".into(),
            label_en: "Paid leave".into(),
            tracks_balance: true,
            active: true,
        }]
    }

    fn grid(m: &Month, viewer: Viewer, typed: Option<&Typed>) -> Grid {
        Grid::from_sheet(&m.sheet, Locale::Fr, &leave_types(), viewer, typed)
    }

    fn day(g: &Grid, d: Date) -> &DayRow {
        g.rows.iter().find(|r| r.id == d.to_string()).unwrap()
    }

    fn values(r: &DayRow) -> Vec<&str> {
        r.cells.iter().map(|c| c.value).collect()
    }

    #[test]
    fn a_month_with_a_holiday_a_leave_half_day_and_two_missions() {
        let m = november();
        let g = grid(&m, Viewer::Firm, None);
        let keys: Vec<&str> = g.columns.iter().map(|c| c.key.as_str()).collect();
        let (build, run) = (format!("mission:{}", m.build), format!("mission:{}", m.run));
        assert_eq!(
            keys,
            [&*build, &*run, "bench", "training", "internal", "presales"]
        );
        assert_eq!(g.columns[0].label, "Build — Acme");
        assert!(g.columns[0].billable && !g.columns[2].billable);
        assert_eq!(g.rows.len(), 30);
        // 21 weekdays, the Armistice a Wednesday; All Saints a Sunday.
        assert_eq!(g.working_days, "20");
        assert_eq!(
            g.holidays,
            ["01/11/2026 (Toussaint)", "11/11/2026 (Armistice 1918)"]
        );

        let monday = day(&g, date!(2026 - 11 - 02));
        assert_eq!(monday.label, "lun. 02/11/2026");
        assert_eq!(values(monday), ["1", "", "", "", "", ""]);
        assert_eq!(monday.cells[0].name, format!("c:{build}:2026-11-02"));
        assert_eq!(monday.cells[0].label, "Build — Acme — 02/11/2026");
        assert_eq!(
            (monday.total.as_str(), monday.off, monday.over),
            ("1", false, false)
        );

        let armistice = day(&g, date!(2026 - 11 - 11));
        assert_eq!(armistice.note, "Armistice 1918");
        assert!(armistice.off);
        assert_eq!(armistice.total, "");

        // The leave half is not a cell one types, but counts in the day.
        let leave = day(&g, date!(2026 - 11 - 16));
        assert_eq!(leave.note, "Congés payés (matin)");
        assert_eq!(values(leave), ["", "0,5", "", "", "", ""]);
        assert_eq!(leave.total, "1");

        assert!(day(&g, date!(2026 - 11 - 07)).off, "a Saturday");
        let totals: Vec<(&str, &str)> = g
            .totals
            .iter()
            .map(|t| (t.label.as_str(), t.days.as_str()))
            .collect();
        assert_eq!(totals.len(), 3);
        assert!(totals.contains(&("Build — Acme", "1")), "{totals:?}");
        assert!(totals.contains(&("Run — Globex", "1")), "{totals:?}");
        assert!(totals.contains(&("Congés payés", "0,5")), "{totals:?}");
        assert_eq!(
            g.deadline,
            format_date(cra::on_time_deadline(m.sheet.cra.month), Locale::Fr)
        );
        assert_eq!(g.missions.len(), 2);
        assert_eq!(g.attachment_for[1].1, "Globex — Run");
    }

    #[test]
    fn the_firm_sees_every_clients_approval() {
        let m = november();
        let g = grid(&m, Viewer::Firm, None);
        assert_eq!(g.approvals.len(), 2);
        assert!(g.approvals.iter().all(|a| !a.mine));
        let acme = &g.approvals[0];
        assert_eq!(
            (acme.client.as_str(), acme.mission.as_str()),
            ("Acme", "Build")
        );
        assert!(acme.done);
        assert_eq!(
            acme.state,
            "Validé dans le portail — Alice <alice@acme.fr> 01/12/2026 10:30"
        );
        assert_eq!(g.approvals[1].state, "en attente du client");
    }

    #[test]
    fn a_client_contact_sees_his_missions_and_his_approval_only() {
        let m = november();
        let g = grid(&m, Viewer::Client(m.globex), None);
        let keys: Vec<String> = g.columns.iter().map(|c| c.key.clone()).collect();
        assert_eq!(
            keys,
            [format!("mission:{}", m.build), format!("mission:{}", m.run)],
            "no bench, training, internal or pre-sales column"
        );
        assert_eq!(g.approvals.len(), 1);
        let mine = &g.approvals[0];
        assert_eq!(mine.mission_id, m.run.to_string());
        assert!(mine.mine && !mine.done);
        let other = grid(&m, Viewer::Client(m.acme), None);
        assert_eq!(other.approvals.len(), 1);
        assert!(other.approvals[0].mine && other.approvals[0].done);
    }

    #[test]
    fn a_refused_form_shows_the_cells_as_typed() {
        let m = november();
        let d = date!(2026 - 11 - 04);
        let typed: Typed = [
            ((format!("mission:{}", m.build), d), 1),
            (("bench".to_owned(), d), 2),
        ]
        .into();
        let g = grid(&m, Viewer::Firm, Some(&typed));
        let row = day(&g, d);
        assert_eq!(values(row), ["0,5", "", "1", "", "", ""]);
        assert_eq!(row.total, "1,5");
        assert!(row.over, "more than a day");
        // What was stored gives way to what was typed.
        assert_eq!(values(day(&g, date!(2026 - 11 - 02)))[0], "");
        // Leave is not typed: it still counts.
        assert_eq!(day(&g, date!(2026 - 11 - 16)).total, "0,5");
    }

    #[test]
    fn extras_show_for_missions_that_allow_them() {
        let mut m = november();
        m.sheet.missions[1].extras_allowed = true;
        m.sheet.extras = vec![Extra {
            mission_id: m.run,
            kind: ExtraKind::Overtime,
            hundredths: 125,
        }];
        let g = grid(&m, Viewer::Firm, None);
        assert_eq!(g.extras.len(), 1);
        let x = &g.extras[0];
        assert_eq!((x.mission.as_str(), x.on_call.as_str()), ("Run", ""));
        assert_eq!(x.overtime, "1,25");
    }

    #[test]
    fn english_readers_get_english_days() {
        let m = november();
        let g = Grid::from_sheet(&m.sheet, Locale::En, &leave_types(), Viewer::Firm, None);
        assert!(day(&g, date!(2026 - 11 - 02)).label.starts_with("Mon "));
        assert_eq!(day(&g, date!(2026 - 11 - 16)).note, "Paid leave (morning)");
        assert_eq!(
            g.columns[2].label,
            i18n::t(Locale::En, "cra-activity-bench")
        );
    }

    #[test]
    fn hours_in_hundredths_read_as_people_write_them() {
        assert_eq!(hundredths_text(150, Locale::Fr), "1,5");
        assert_eq!(hundredths_text(125, Locale::En), "1.25");
        assert_eq!(hundredths_text(300, Locale::Fr), "3");
    }
}
