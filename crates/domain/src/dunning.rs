//! Dunning (relances): the levels a late invoice goes through, which one is
//! due on a given day, what the formal notice claims (late-payment penalties
//! and the 40 € recovery indemnity) and the e-mail sent at each level.
//!
//! French law (C. com. L441-10, D441-5): penalties run from the day after the
//! due date without any reminder, at the rate the invoice prints — three
//! times the legal interest rate here — and a fixed 40 € indemnity for
//! recovery costs is due once per late invoice.

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use time::Date;

use crate::Locale;
use crate::locale::format_date;
use crate::money::{Money, Rounding};
use crate::validation::{ErrorKey, ValidationErrors};

/// The fixed recovery indemnity (C. com. D441-5): 40 €, once per late invoice.
pub const RECOVERY_INDEMNITY: Money = Money::from_euros(40);

/// The penalty rate the invoices print is this many times the legal rate.
pub const PENALTY_MULTIPLIER: i64 = 3;

/// Days in the year the penalties are computed on (exact civil year, as the
/// courts and most accounting software do).
pub const DAYS_PER_YEAR: i64 = 365;

/// How a level speaks to the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tone {
    /// A courteous reminder (an oversight is assumed).
    Reminder,
    /// A firm reminder: payment is expected within days.
    Firm,
    /// A formal notice (mise en demeure): penalties and indemnity claimed.
    FormalNotice,
}

impl Tone {
    pub const ALL: [Tone; 3] = [Tone::Reminder, Tone::Firm, Tone::FormalNotice];

    pub fn as_str(self) -> &'static str {
        match self {
            Tone::Reminder => "reminder",
            Tone::Firm => "firm",
            Tone::FormalNotice => "formal_notice",
        }
    }

    pub fn parse(s: &str) -> Option<Tone> {
        Tone::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// Translation key of the tone's name (`dunning-tone-formal_notice`).
    pub fn label_key(self) -> String {
        format!("dunning-tone-{}", self.as_str())
    }
}

/// One dunning level: sent `days_after_due` days after the due date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Level {
    /// 1, 2, 3… in order of days.
    pub rank: u32,
    pub days_after_due: u32,
    pub name: String,
    pub tone: Tone,
    /// The notice claims the late-payment penalties and the indemnity.
    pub include_penalties: bool,
    /// An inactive level is never sent (it keeps its place).
    pub active: bool,
}

/// A level as typed in the settings form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LevelInput {
    pub days_after_due: String,
    pub name: String,
    pub tone: String,
    pub include_penalties: bool,
    pub active: bool,
}

/// The most levels a firm keeps (the form shows this many rows at most).
pub const MAX_LEVELS: usize = 6;

/// A valid list of levels: at least one, days strictly increasing, ranks
/// 1, 2, 3… in that order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Levels(Vec<Level>);

impl Levels {
    /// Validates the levels typed in the form; rows left entirely blank are
    /// dropped. Errors name the field `levels` and the row (`row`, from 1).
    pub fn parse(rows: &[LevelInput]) -> Result<Levels, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let mut levels: Vec<Level> = Vec::new();
        let typed: Vec<&LevelInput> = rows
            .iter()
            .filter(|r| !(r.days_after_due.trim().is_empty() && r.name.trim().is_empty()))
            .collect();
        if typed.is_empty() {
            e.add("levels", "dunning-levels-empty");
            return Err(e);
        }
        if typed.len() > MAX_LEVELS {
            e.add_with(
                "levels",
                "dunning-levels-too-many",
                crate::args![("max", MAX_LEVELS)],
            );
            return Err(e);
        }
        for (i, r) in typed.iter().enumerate() {
            let row = i + 1;
            let days = match r.days_after_due.trim().parse::<u32>() {
                Ok(d) if d <= 3650 => Some(d),
                _ => {
                    e.add_with(
                        "levels",
                        "dunning-level-days-invalid",
                        crate::args![("line", row)],
                    );
                    None
                }
            };
            let name = match crate::validation::text(&r.name, 80) {
                Ok(n) => Some(n),
                Err(_) => {
                    e.add_with(
                        "levels",
                        "dunning-level-name-invalid",
                        crate::args![("line", row)],
                    );
                    None
                }
            };
            let tone = Tone::parse(r.tone.trim());
            if tone.is_none() {
                e.add_with(
                    "levels",
                    "dunning-level-tone-invalid",
                    crate::args![("line", row)],
                );
            }
            if let (Some(days), Some(prev)) = (days, levels.last())
                && days <= prev.days_after_due
            {
                e.add_with(
                    "levels",
                    "dunning-level-days-order",
                    crate::args![("line", row)],
                );
            }
            if let (Some(days_after_due), Some(name), Some(tone)) = (days, name, tone) {
                levels.push(Level {
                    rank: (i + 1) as u32,
                    days_after_due,
                    name,
                    tone,
                    include_penalties: r.include_penalties,
                    active: r.active,
                });
            } else if let Some(days_after_due) = days {
                // Keep the days so the order of the next row is still checked.
                levels.push(Level {
                    rank: (i + 1) as u32,
                    days_after_due,
                    name: String::new(),
                    tone: Tone::Reminder,
                    include_penalties: false,
                    active: false,
                });
            }
        }
        e.into_result(|| Levels(levels))
    }

    /// Levels read back from the database, trusted to be valid (they were
    /// checked when saved); sorted by rank.
    pub fn from_stored(mut levels: Vec<Level>) -> Levels {
        levels.sort_by_key(|l| l.rank);
        Levels(levels)
    }

    pub fn as_slice(&self) -> &[Level] {
        &self.0
    }

    pub fn into_vec(self) -> Vec<Level> {
        self.0
    }

    /// The level to send today for an invoice due on `due`, of which
    /// `outstanding` is unpaid and the levels `sent` (ranks) were sent
    /// already: the highest active level reached and not yet sent, and only
    /// when no higher (or equal) level was sent before — dunning never goes
    /// back down, and a level skipped (the invoice was paused, or the levels
    /// were reconfigured) is not sent late. Nothing when nothing is owed or
    /// the invoice is not late.
    pub fn due<'a>(
        &'a self,
        today: Date,
        due: Date,
        outstanding: Money,
        sent: &[u32],
    ) -> Option<&'a Level> {
        if outstanding.cents() <= 0 {
            return None;
        }
        let late = days_late(today, due);
        if late <= 0 {
            return None;
        }
        let reached = self
            .0
            .iter()
            .filter(|l| l.active && i64::from(l.days_after_due) <= late)
            .max_by_key(|l| l.rank)?;
        let highest_sent = sent.iter().copied().max().unwrap_or(0);
        (reached.rank > highest_sent).then_some(reached)
    }
}

/// Days between the due date and `today` (negative before it).
pub fn days_late(today: Date, due: Date) -> i64 {
    (today - due).whole_days()
}

/// Late-payment penalties on `outstanding` for `days` days at three times
/// the legal rate `legal_rate_bp` (basis points per year):
/// `outstanding × (3 × legal rate) × days ÷ 365`, computed in `Decimal` and
/// rounded once, half up, to the cent. Never negative: nothing is owed on
/// a credit or for days not late.
pub fn penalty(outstanding: Money, legal_rate_bp: u32, days: i64) -> Money {
    if outstanding.cents() <= 0 || days <= 0 || legal_rate_bp == 0 {
        return Money::ZERO;
    }
    // cents × bp × 3 × days ÷ (10 000 × 365): the product first, one
    // division, one rounding.
    let numerator = Decimal::from(outstanding.cents())
        * Decimal::from(legal_rate_bp)
        * Decimal::from(PENALTY_MULTIPLIER)
        * Decimal::from(days);
    let euros = numerator / Decimal::from(10_000 * DAYS_PER_YEAR) / Decimal::ONE_HUNDRED;
    Money::from_decimal(euros, Rounding::HalfUp).unwrap_or(Money::ZERO)
}

/// What a notice claims on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Claim {
    pub days_late: i64,
    pub outstanding: Money,
    /// Zero at levels without penalties.
    pub penalty: Money,
    /// 40 € at levels with penalties (the same single indemnity each time
    /// it is claimed, never cumulated), zero otherwise.
    pub indemnity: Money,
}

impl Claim {
    pub fn compute(
        level: &Level,
        today: Date,
        due: Date,
        outstanding: Money,
        legal_rate_bp: u32,
    ) -> Claim {
        let days_late = days_late(today, due).max(0);
        let (penalty, indemnity) = if level.include_penalties && days_late > 0 {
            (
                penalty(outstanding, legal_rate_bp, days_late),
                RECOVERY_INDEMNITY,
            )
        } else {
            (Money::ZERO, Money::ZERO)
        };
        Claim {
            days_late,
            outstanding,
            penalty,
            indemnity,
        }
    }

    /// Outstanding + penalties + indemnity.
    pub fn total(&self) -> Money {
        self.outstanding + self.penalty + self.indemnity
    }
}

/// A rate in basis points written as a percent: `2,76 %` / `2.76 %`.
pub fn format_rate(bp: u32, locale: Locale) -> String {
    let d = Decimal::new(i64::from(bp), 2);
    let s = format!("{d:.2}");
    match locale {
        Locale::Fr => format!("{} %", s.replace('.', ",")),
        Locale::En => format!("{s} %"),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateInvalid;

impl ErrorKey for RateInvalid {
    fn key(&self) -> &'static str {
        "dunning-rate-invalid"
    }
}

/// Parses a yearly rate typed as a percent (`2,76`, `2.76 %`, `3`) into
/// basis points; at most two decimals, between 0 and 100 %.
pub fn parse_rate(raw: &str) -> Result<u32, RateInvalid> {
    let s = raw.trim().trim_end_matches('%').trim().replace(',', ".");
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return Err(RateInvalid);
    }
    let d: Decimal = s.parse().map_err(|_| RateInvalid)?;
    if d.scale() > 2 || d > Decimal::ONE_HUNDRED {
        return Err(RateInvalid);
    }
    (d * Decimal::ONE_HUNDRED).to_u32().ok_or(RateInvalid)
}

/// What the e-mail of a notice says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeFacts {
    pub firm_name: String,
    pub client_name: String,
    pub invoice_number: String,
    pub issue_date: Date,
    pub due_date: Date,
    pub legal_rate_bp: u32,
    pub claim: Claim,
}

/// The copy of a notice's e-mail (`subject`, `text`) sent to the firm: who
/// got it, at which `address`, and the notice itself.
pub fn copy(subject: &str, text: &str, client_name: &str, address: &str) -> (String, String) {
    (
        format!("[Copie] {subject}"),
        format!("Copie de la relance envoyée à {client_name} ({address}).\n\n{text}"),
    )
}

/// The e-mail of a notice, subject and plain text, in French (the firm's
/// clients are French companies): amounts as `12 000,00 €`, dates as
/// `28/11/2026`.
pub fn email(tone: Tone, f: &NoticeFacts) -> (String, String) {
    let l = Locale::Fr;
    let number = &f.invoice_number;
    let issued = format_date(f.issue_date, l);
    let due = format_date(f.due_date, l);
    let amount = f.claim.outstanding.format(l);
    let days = f.claim.days_late;
    let jours = if days > 1 { "jours" } else { "jour" };
    let facts = format!(
        "Facture : {number}\nDate d'émission : {issued}\nDate d'échéance : {due}\nMontant restant dû : {amount}\nRetard : {days} {jours}\n"
    );
    let signature = format!(
        "\nCordialement,\n\nLe service comptabilité\n{}\n",
        f.firm_name
    );
    match tone {
        Tone::Reminder => (
            format!("Rappel : facture {number} échue le {due}"),
            format!(
                "Madame, Monsieur,\n\nSauf erreur de notre part, la facture {number} du {issued}, échue le {due}, \
                 n'a pas encore été réglée. Il s'agit probablement d'un oubli : nous vous remercions de bien \
                 vouloir procéder à son règlement.\n\n{facts}\nVous trouverez la facture en pièce jointe. \
                 Si votre paiement a été effectué entre-temps, merci de ne pas tenir compte de ce message.\n{signature}"
            ),
        ),
        Tone::Firm => (
            format!("Relance : facture {number} impayée ({days} {jours} de retard)"),
            format!(
                "Madame, Monsieur,\n\nMalgré notre précédent rappel, la facture {number} du {issued}, échue le {due}, \
                 reste impayée à ce jour. Nous vous demandons de procéder à son règlement sous huit jours.\n\n{facts}\n\
                 Nous vous rappelons que tout retard de paiement rend exigibles, sans qu'un rappel soit nécessaire, \
                 des pénalités de retard au taux de {} l'an ainsi qu'une indemnité forfaitaire pour frais de \
                 recouvrement de {} (articles L441-10 et D441-5 du Code de commerce).\n\n\
                 La facture est jointe à ce message.\n{signature}",
                format_rate(f.legal_rate_bp * PENALTY_MULTIPLIER as u32, l),
                RECOVERY_INDEMNITY.format(l),
            ),
        ),
        Tone::FormalNotice => {
            let c = &f.claim;
            (
                format!("Mise en demeure de payer : facture {number}"),
                format!(
                    "Madame, Monsieur,\n\nMalgré nos relances, la facture {number} du {issued}, échue le {due}, \
                     demeure impayée. Par la présente, nous vous mettons en demeure de régler sous huit jours \
                     les sommes suivantes :\n\n{facts}\
                     Pénalités de retard ({} l'an, soit trois fois le taux de l'intérêt légal, sur {days} {jours}) : {}\n\
                     Indemnité forfaitaire pour frais de recouvrement (art. D441-5 du Code de commerce) : {}\n\
                     Total réclamé : {}\n\n\
                     Les pénalités sont calculées ainsi : {amount} × {} × {days} ÷ 365, arrondi au centime. \
                     Elles continuent de courir jusqu'au complet paiement (article L441-10 du Code de commerce).\n\n\
                     À défaut de règlement dans ce délai, nous nous réservons le droit d'engager une procédure \
                     de recouvrement judiciaire, sans autre avis.\n\nLa facture est jointe à ce message.\n{signature}",
                    format_rate(f.legal_rate_bp * PENALTY_MULTIPLIER as u32, l),
                    c.penalty.format(l),
                    c.indemnity.format(l),
                    c.total().format(l),
                    format_rate(f.legal_rate_bp * PENALTY_MULTIPLIER as u32, l),
                ),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use time::macros::date;

    use super::*;

    fn level(rank: u32, days: u32, tone: Tone, penalties: bool) -> Level {
        Level {
            rank,
            days_after_due: days,
            name: format!("Niveau {rank}"),
            tone,
            include_penalties: penalties,
            active: true,
        }
    }

    fn defaults() -> Levels {
        Levels::from_stored(vec![
            level(1, 1, Tone::Reminder, false),
            level(2, 15, Tone::Firm, false),
            level(3, 30, Tone::FormalNotice, true),
        ])
    }

    fn input(days: &str, name: &str, tone: &str) -> LevelInput {
        LevelInput {
            days_after_due: days.into(),
            name: name.into(),
            tone: tone.into(),
            include_penalties: false,
            active: true,
        }
    }

    const DUE: Date = date!(2026 - 10 - 31);
    const OWED: Money = Money::from_euros(14_400);

    #[test]
    fn nothing_before_the_due_date_or_on_it() {
        let l = defaults();
        assert_eq!(l.due(date!(2026 - 10 - 20), DUE, OWED, &[]), None);
        assert_eq!(l.due(DUE, DUE, OWED, &[]), None);
        assert_eq!(
            l.due(date!(2026 - 11 - 01), DUE, OWED, &[]).unwrap().rank,
            1
        );
    }

    #[test]
    fn the_highest_level_reached_is_sent_once() {
        let l = defaults();
        let d16 = date!(2026 - 11 - 16);
        assert_eq!(days_late(d16, DUE), 16);
        assert_eq!(l.due(d16, DUE, OWED, &[1]).unwrap().rank, 2);
        // 40 days late, nothing sent yet: only the formal notice goes.
        let d40 = date!(2026 - 12 - 10);
        assert_eq!(l.due(d40, DUE, OWED, &[]).unwrap().rank, 3);
        assert_eq!(l.due(d40, DUE, OWED, &[1, 2]).unwrap().rank, 3);
        assert_eq!(l.due(d40, DUE, OWED, &[1, 2, 3]), None);
        // Never back down: level 3 sent, level 2 is not sent afterwards.
        assert_eq!(l.due(d16, DUE, OWED, &[3]), None);
        assert_eq!(l.due(d16, DUE, OWED, &[2]), None);
    }

    #[test]
    fn nothing_when_nothing_is_owed() {
        let l = defaults();
        let d40 = date!(2026 - 12 - 10);
        assert_eq!(l.due(d40, DUE, Money::ZERO, &[]), None);
        assert_eq!(l.due(d40, DUE, Money::from_cents(-1), &[]), None);
        assert!(l.due(d40, DUE, Money::from_cents(1), &[]).is_some());
    }

    #[test]
    fn inactive_levels_are_skipped() {
        let mut v = defaults().into_vec();
        v[2].active = false;
        let l = Levels::from_stored(v);
        assert_eq!(
            l.due(date!(2026 - 12 - 10), DUE, OWED, &[1]).unwrap().rank,
            2
        );
    }

    #[test]
    fn levels_need_increasing_days_and_at_least_one_row() {
        let ok = Levels::parse(&[
            input("1", "Rappel", "reminder"),
            input("15", "Relance", "firm"),
            input("30", "Mise en demeure", "formal_notice"),
            input("", "", ""),
        ])
        .unwrap();
        assert_eq!(ok.as_slice().len(), 3);
        assert_eq!(ok.as_slice()[2].rank, 3);
        let e = Levels::parse(&[input("", "", "")]).unwrap_err();
        assert_eq!(e.0[0].key, "dunning-levels-empty");
        let e = Levels::parse(&[input("15", "A", "firm"), input("15", "B", "firm")]).unwrap_err();
        assert_eq!(e.0[0].key, "dunning-level-days-order");
        assert_eq!(e.0[0].args, crate::args![("line", 2u32)]);
        let e = Levels::parse(&[input("-3", "A", "firm")]).unwrap_err();
        assert_eq!(e.0[0].key, "dunning-level-days-invalid");
        let e = Levels::parse(&[input("3", "", "firm")]).unwrap_err();
        assert_eq!(e.0[0].key, "dunning-level-name-invalid");
        let e = Levels::parse(&[input("3", "A", "shout")]).unwrap_err();
        assert_eq!(e.0[0].key, "dunning-level-tone-invalid");
        let e = Levels::parse(&[input("30", "A", "firm"), input("1", "B", "firm")]).unwrap_err();
        assert_eq!(e.0[0].key, "dunning-level-days-order");
    }

    #[test]
    fn penalties_follow_the_formula() {
        // 14 400,00 € × 8,28 % × 40 ÷ 365 = 130,6652… → 130,67 €.
        assert_eq!(penalty(OWED, 276, 40), Money::from_cents(13_067));
        // 1 000,00 € × 8,28 % × 1 ÷ 365 = 0,22684… → 0,23 €.
        assert_eq!(
            penalty(Money::from_euros(1000), 276, 1),
            Money::from_cents(23)
        );
        // Half up: 365,00 € × 3 × 0,50 % × 1 ÷ 365 = 0,015 → 0,02 €.
        assert_eq!(penalty(Money::from_euros(365), 50, 1), Money::from_cents(2));
        // 12 000,00 € × 3 × 4,00 % × 365 ÷ 365 = 1 440,00 €.
        assert_eq!(
            penalty(Money::from_euros(12_000), 400, 365),
            Money::from_euros(1440)
        );
        assert_eq!(penalty(OWED, 276, 0), Money::ZERO);
        assert_eq!(penalty(OWED, 0, 40), Money::ZERO);
        assert_eq!(penalty(Money::from_cents(-500), 276, 40), Money::ZERO);
    }

    #[test]
    fn the_indemnity_comes_with_penalties_only() {
        let d40 = date!(2026 - 12 - 10);
        let formal = level(3, 30, Tone::FormalNotice, true);
        let c = Claim::compute(&formal, d40, DUE, OWED, 276);
        assert_eq!(c.days_late, 40);
        assert_eq!(c.penalty, Money::from_cents(13_067));
        assert_eq!(c.indemnity, Money::from_euros(40));
        assert_eq!(c.total(), Money::from_cents(1_457_067));
        let reminder = level(1, 1, Tone::Reminder, false);
        let c = Claim::compute(&reminder, d40, DUE, OWED, 276);
        assert_eq!((c.penalty, c.indemnity), (Money::ZERO, Money::ZERO));
        assert_eq!(c.total(), OWED);
    }

    #[test]
    fn rates_read_and_print_as_percents() {
        assert_eq!(format_rate(276, Locale::Fr), "2,76 %");
        assert_eq!(format_rate(828, Locale::En), "8.28 %");
        assert_eq!(format_rate(300, Locale::Fr), "3,00 %");
        assert_eq!(parse_rate("2,76"), Ok(276));
        assert_eq!(parse_rate("2.76 %"), Ok(276));
        assert_eq!(parse_rate("3"), Ok(300));
        assert_eq!(parse_rate("0,5"), Ok(50));
        assert_eq!(parse_rate("2,765"), Err(RateInvalid));
        assert_eq!(parse_rate("-1"), Err(RateInvalid));
        assert_eq!(parse_rate("abc"), Err(RateInvalid));
        assert_eq!(parse_rate("101"), Err(RateInvalid));
        assert_eq!(parse_rate(""), Err(RateInvalid));
    }

    #[test]
    fn the_formal_notice_spells_out_what_is_claimed() {
        let facts = NoticeFacts {
            firm_name: "Stafforia".into(),
            client_name: "Clientis".into(),
            invoice_number: "FA-2026-000001".into(),
            issue_date: date!(2026 - 10 - 01),
            due_date: DUE,
            legal_rate_bp: 276,
            claim: Claim::compute(
                &level(3, 30, Tone::FormalNotice, true),
                date!(2026 - 12 - 10),
                DUE,
                OWED,
                276,
            ),
        };
        let (subject, body) = email(Tone::FormalNotice, &facts);
        assert_eq!(subject, "Mise en demeure de payer : facture FA-2026-000001");
        for needle in [
            "FA-2026-000001",
            "01/10/2026",
            "31/10/2026",
            "14\u{202f}400,00\u{a0}€",
            "40 jours",
            "8,28 %",
            "130,67\u{a0}€",
            "40,00\u{a0}€",
            "Total réclamé : 14\u{202f}570,67\u{a0}€",
        ] {
            assert!(body.contains(needle), "{needle:?} missing from:\n{body}");
        }
        let (subject, body) = email(Tone::Reminder, &facts);
        assert!(subject.starts_with("Rappel : facture FA-2026-000001"));
        assert!(body.contains("14\u{202f}400,00\u{a0}€"));
        assert!(!body.contains("Total réclamé"));
        let (subject, _) = email(Tone::Firm, &facts);
        assert!(subject.contains("40 jours de retard"));
    }

    proptest! {
        #[test]
        fn penalties_grow_with_days_and_amount_and_are_never_negative(
            cents in -1_000_000_000_i64..10_000_000_000,
            extra in 0_i64..1_000_000_000,
            bp in 0_u32..2_000,
            days in -100_i64..5_000,
            more in 0_i64..1_000,
        ) {
            let p = penalty(Money::from_cents(cents), bp, days);
            prop_assert!(p.cents() >= 0);
            prop_assert!(penalty(Money::from_cents(cents), bp, days + more) >= p);
            prop_assert!(penalty(Money::from_cents(cents + extra), bp, days) >= p);
        }

        #[test]
        fn the_level_sent_never_goes_down(
            late in -10_i64..100,
            sent in proptest::collection::vec(1_u32..4, 0..3),
        ) {
            let l = defaults();
            let today = DUE + time::Duration::days(late);
            if let Some(level) = l.due(today, DUE, OWED, &sent) {
                prop_assert!(sent.iter().all(|s| *s < level.rank));
                prop_assert!(i64::from(level.days_after_due) <= late);
                prop_assert!(late > 0);
            }
        }
    }
}
