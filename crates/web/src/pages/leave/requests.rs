//! Requests as the lists show them (one's own, the team's queue and
//! decisions) and refusals placed beside the request they concern. Pure:
//! built from the stored requests and leave types, tested without a database.

use domain::Locale;
use domain::cra::Half;
use domain::ids::LeaveRequestId;
use domain::leave::{LeavePeriod, LeaveStatus};
use domain::locale::format_date;
use domain::mission::DayQuantity;
use domain::validation::ValidationErrors;
use store::leave::{LeaveRequest, LeaveType, TypeBalance};
use time::Date;

use super::first_message;
use crate::i18n;

pub(super) fn type_label(types: &[LeaveType], code: &str, l: Locale) -> String {
    types
        .iter()
        .find(|t| t.code == code)
        .map_or_else(|| code.to_owned(), |t| t.label(l).to_owned())
}

/// "16/11/2026", "16/11/2026 (matin)", "du 16/11/2026 (après-midi) au
/// 20/11/2026 (midi)".
pub fn period_text(p: &LeavePeriod, l: Locale) -> String {
    let t = |k: &str| i18n::t(l, k);
    let day = |d: Date| format_date(d, l);
    if p.start == p.end {
        return match (p.start_half, p.end_half) {
            (Half::Am, Half::Am) => format!("{} ({})", day(p.start), t("leave-from-morning")),
            (Half::Pm, _) => format!("{} ({})", day(p.start), t("leave-from-afternoon")),
            _ => day(p.start),
        };
    }
    let start = match p.start_half {
        Half::Am => day(p.start),
        Half::Pm => format!("{} ({})", day(p.start), t("leave-from-afternoon")),
    };
    let end = match p.end_half {
        Half::Am => format!("{} ({})", day(p.end), t("leave-until-noon")),
        Half::Pm => day(p.end),
    };
    i18n::t_args(l, "leave-period-range", &[("start", start), ("end", end)])
}

/// Days with a sign: balances go negative when leave is advanced.
pub(super) fn signed_days(half_days: i64, l: Locale) -> String {
    let abs = DayQuantity::from_half_days(half_days.unsigned_abs().min(u64::from(u32::MAX)) as u32);
    if half_days < 0 {
        format!("-{}", abs.format(l))
    } else {
        abs.format(l)
    }
}

/// One request as the lists show it.
pub struct RequestRow {
    pub id: LeaveRequestId,
    pub who: String,
    pub leave_type: String,
    pub period: String,
    pub days: String,
    pub status: String,
    pub status_code: &'static str,
    pub comment: String,
    pub decision: String,
    pub can_cancel: bool,
    /// Remaining balance of that type, for the approver.
    pub balance: String,
    /// Why the last action on this row was refused.
    pub error: Option<String>,
    /// The refusal reason as typed, kept when the refusal failed.
    pub note: String,
}

impl RequestRow {
    /// The row of `r`, its type named in the reader's language.
    pub fn of(r: &LeaveRequest, types: &[LeaveType], l: Locale) -> RequestRow {
        let mut decision = Vec::new();
        if r.status != LeaveStatus::Requested
            && let Some(who) = &r.decided_by
        {
            decision.push(match r.decided_at {
                Some(at) => format!("{who}, {}", format_date(domain::paris::date(at), l)),
                None => who.clone(),
            });
        }
        if let Some(n) = &r.decision_note {
            decision.push(n.clone());
        }
        RequestRow {
            id: r.id,
            who: r.user_name.clone(),
            leave_type: type_label(types, &r.leave_type, l),
            period: period_text(&r.period, l),
            days: r.days.format(l),
            status: i18n::t(l, &r.status.label_key()),
            status_code: r.status.as_str(),
            comment: r.comment.clone().unwrap_or_default(),
            decision: decision.join(" — "),
            can_cancel: matches!(r.status, LeaveStatus::Requested | LeaveStatus::Approved),
            balance: String::new(),
            error: None,
            note: String::new(),
        }
    }

    /// For the approver: what the person has left of the type asked in
    /// `year`, from that year's `balances`.
    pub fn with_balance(
        mut self,
        r: &LeaveRequest,
        balances: &[TypeBalance],
        year: i32,
        l: Locale,
    ) -> RequestRow {
        if let Some(tb) = balances
            .iter()
            .find(|tb| tb.leave_type.code == r.leave_type)
        {
            self.balance = i18n::t_args(
                l,
                "leave-balance-left",
                &[
                    (
                        "remaining",
                        signed_days(tb.balance.remaining_half_days(), l),
                    ),
                    ("year", year.to_string()),
                ],
            );
        }
        self
    }
}

/// A refusal to show beside the request it concerns.
pub(super) struct RowRefusal {
    pub id: LeaveRequestId,
    pub errors: ValidationErrors,
    pub note: String,
}

/// Places the refusal on its row; returns it when no row shows that request.
pub(super) fn place(
    rows: &mut [RequestRow],
    refusal: Option<RowRefusal>,
    l: Locale,
) -> Option<String> {
    let r = refusal?;
    let message = first_message(l, &r.errors);
    match rows.iter_mut().find(|row| row.id == r.id) {
        Some(row) => {
            row.error = Some(message);
            row.note = r.note;
            None
        }
        None => Some(message),
    }
}

#[cfg(test)]
mod tests {
    use domain::ids::UserId;
    use domain::leave::Balance;
    use time::OffsetDateTime;
    use time::macros::{date, datetime};

    use super::*;

    const FR: Locale = Locale::Fr;

    fn types() -> Vec<LeaveType> {
        vec![LeaveType {
            code: "cp".into(),
            label_fr: "Congés payés".into(),
            label_en: "Paid leave".into(),
            tracks_balance: true,
            active: true,
        }]
    }

    fn period(start: Date, start_half: Half, end: Date, end_half: Half) -> LeavePeriod {
        LeavePeriod {
            start,
            start_half,
            end,
            end_half,
        }
    }

    fn request(status: LeaveStatus) -> LeaveRequest {
        LeaveRequest {
            id: LeaveRequestId::new(),
            user_id: UserId::new(),
            user_name: "Camille Martin".into(),
            leave_type: "cp".into(),
            period: period(
                date!(2026 - 11 - 16),
                Half::Pm,
                date!(2026 - 11 - 20),
                Half::Am,
            ),
            days: DayQuantity::from_half_days(8),
            status,
            comment: None,
            decided_by: None,
            decided_at: None,
            decision_note: None,
            created_at: OffsetDateTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn periods_name_their_halves() {
        let d = date!(2026 - 11 - 16);
        assert_eq!(
            period_text(&period(d, Half::Am, d, Half::Pm), FR),
            "16/11/2026"
        );
        assert_eq!(
            period_text(&period(d, Half::Am, d, Half::Am), FR),
            "16/11/2026 (matin)"
        );
        assert_eq!(
            period_text(&period(d, Half::Pm, d, Half::Pm), FR),
            "16/11/2026 (après-midi)"
        );
        assert_eq!(
            period_text(&request(LeaveStatus::Requested).period, FR),
            "du 16/11/2026 (après-midi) au 20/11/2026 (midi)"
        );
    }

    #[test]
    fn balances_go_negative_with_a_sign() {
        assert_eq!(signed_days(3, FR), "1,5");
        assert_eq!(signed_days(-3, FR), "-1,5");
        assert_eq!(signed_days(0, FR), "0");
    }

    #[test]
    fn a_row_shows_the_request_and_who_decided() {
        let asked = RequestRow::of(&request(LeaveStatus::Requested), &types(), FR);
        assert_eq!(asked.leave_type, "Congés payés");
        assert_eq!(asked.days, "4");
        assert_eq!(asked.status, "Demandé");
        assert_eq!(asked.status_code, "requested");
        assert_eq!(asked.decision, "");
        assert!(asked.can_cancel);

        let refused = LeaveRequest {
            decided_by: Some("Marie Durand".into()),
            decided_at: Some(datetime!(2026-11-10 09:00 UTC)),
            decision_note: Some("Mise en production".into()),
            leave_type: "unknown".into(),
            ..request(LeaveStatus::Refused)
        };
        let row = RequestRow::of(&refused, &types(), FR);
        assert_eq!(
            row.decision,
            "Marie Durand, 10/11/2026 — Mise en production"
        );
        assert_eq!(row.leave_type, "unknown", "an unknown type shows its code");
        assert!(!row.can_cancel);
        assert!(RequestRow::of(&request(LeaveStatus::Approved), &types(), FR).can_cancel);
    }

    #[test]
    fn the_approver_sees_what_is_left_of_the_type_asked() {
        let r = request(LeaveStatus::Requested);
        let balances = vec![TypeBalance {
            leave_type: types().remove(0),
            balance: Balance {
                acquired: DayQuantity::from_days(25),
                taken: DayQuantity::from_days(20),
                planned: DayQuantity::from_days(6),
                pending: DayQuantity::from_half_days(8),
            },
        }];
        let row = RequestRow::of(&r, &types(), FR).with_balance(&r, &balances, 2026, FR);
        assert_eq!(row.balance, "Solde restant 2026 : -1 j");
        let other = LeaveRequest {
            leave_type: "rtt".into(),
            ..request(LeaveStatus::Requested)
        };
        let row = RequestRow::of(&other, &types(), FR).with_balance(&other, &balances, 2026, FR);
        assert_eq!(row.balance, "");
    }

    #[test]
    fn a_refusal_shows_on_its_row_or_above_the_list() {
        let r = request(LeaveStatus::Requested);
        let mut rows = vec![RequestRow::of(&r, &types(), FR)];
        let refusal = |id| RowRefusal {
            id,
            errors: ValidationErrors::new(),
            note: "typed".into(),
        };
        assert_eq!(place(&mut rows, None, FR), None);
        assert_eq!(place(&mut rows, Some(refusal(r.id)), FR), None);
        assert_eq!(
            rows[0].error.as_deref(),
            Some(&*i18n::t(FR, "error-validation"))
        );
        assert_eq!(rows[0].note, "typed");
        let elsewhere = place(&mut rows, Some(refusal(LeaveRequestId::new())), FR);
        assert_eq!(elsewhere, Some(i18n::t(FR, "error-validation")));
    }
}
