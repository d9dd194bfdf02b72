//! ACCOUNTING.md §2, row by row, with the doc's mission: 20 d × 600 € =
//! 12 000 HT, VAT 20 % 2 400, TTC 14 400. Amounts in cents are written
//! euros_cents (14_400_00 = 14 400,00 €).
#![allow(clippy::inconsistent_digit_grouping)]

use proptest::prelude::*;
use time::macros::date;

use super::*;
use crate::bank_posting::default_account;
use crate::calendar::YearMonth;
use crate::ids::CompanyId;
use crate::ledger::{Journal, NewEntry, trial_balance};
use crate::payment::Settled;
use crate::terms::VatRegime;

fn m(cents: i64) -> Money {
    Money::from_cents(cents)
}

/// (account, debit, credit) of each line, in order.
fn moves(e: &NewEntry) -> Vec<(&str, i64, i64)> {
    e.lines
        .iter()
        .map(|l| (l.account.as_str(), l.debit.cents(), l.credit.cents()))
        .collect()
}

fn revenue(net: i64) -> Vec<Revenue> {
    vec![Revenue {
        analytic: Some("CLI-001".into()),
        net: m(net),
    }]
}

fn sale<'a>(
    document: SalesDocument,
    number: &'a str,
    regime: VatRegime,
    revenue: &'a [Revenue],
    vat: i64,
    client: CompanyId,
) -> SalesInputs<'a> {
    let net: i64 = revenue.iter().map(|r| r.net.cents()).sum();
    SalesInputs {
        document,
        number,
        date: date!(2026 - 11 - 30),
        client,
        client_name: "Clientis",
        regime,
        revenue,
        vat: m(vat),
        gross: m(net + vat),
    }
}

#[test]
fn a_invoice_with_vat_on_receipts() {
    let client = CompanyId::new();
    let r = revenue(12_000_00);
    let e = sales_entry(&sale(
        SalesDocument::Invoice,
        "FA-2026-000001",
        VatRegime::OnReceipts,
        &r,
        2_400_00,
        client,
    ));
    assert_eq!(e.validate(), Ok(()));
    assert_eq!(e.journal, Journal::Ve);
    assert_eq!(e.date, date!(2026 - 11 - 30));
    assert_eq!(e.label, "Facture FA-2026-000001 — Clientis");
    assert_eq!(e.piece_ref.as_deref(), Some("FA-2026-000001"));
    assert_eq!(
        moves(&e),
        [
            ("411", 14_400_00, 0),
            ("706", 0, 12_000_00),
            ("44574", 0, 2_400_00)
        ]
    );
    let labels: Vec<&str> = e.lines.iter().map(|l| l.label.as_str()).collect();
    assert_eq!(
        labels,
        ["Clientis", "Prestations FA-2026-000001", "TVA collectée"]
    );
    assert_eq!(e.lines[0].third_party, Some(client));
    assert_eq!(e.lines[1].analytic.as_deref(), Some("CLI-001"));
    assert_eq!(
        (e.lines[1].third_party, e.lines[2].analytic.clone()),
        (None, None)
    );
}

#[test]
fn a_prime_invoice_with_the_option_for_debits() {
    let r = revenue(12_000_00);
    let e = sales_entry(&sale(
        SalesDocument::Invoice,
        "FA-2026-000001",
        VatRegime::OnDebits,
        &r,
        2_400_00,
        CompanyId::new(),
    ));
    assert_eq!(
        moves(&e),
        [
            ("411", 14_400_00, 0),
            ("706", 0, 12_000_00),
            ("44571", 0, 2_400_00)
        ]
    );
}

#[test]
fn an_invoice_without_vat_has_no_vat_line_and_one_706_line_per_code() {
    let r = vec![
        Revenue {
            analytic: Some("A".into()),
            net: m(6_000_00),
        },
        Revenue {
            analytic: None,
            net: m(1_000_00),
        },
        Revenue {
            analytic: Some("B".into()),
            net: m(5_000_00),
        },
    ];
    for regime in [VatRegime::ReverseChargeEu, VatRegime::Exempt] {
        let e = sales_entry(&sale(
            SalesDocument::Invoice,
            "FA-2026-000002",
            regime,
            &r,
            0,
            CompanyId::new(),
        ));
        assert_eq!(e.validate(), Ok(()));
        assert_eq!(
            moves(&e),
            [
                ("411", 12_000_00, 0),
                ("706", 0, 6_000_00),
                ("706", 0, 1_000_00),
                ("706", 0, 5_000_00)
            ]
        );
        let codes: Vec<Option<&str>> = e.lines.iter().map(|l| l.analytic.as_deref()).collect();
        assert_eq!(codes, [None, Some("A"), None, Some("B")]);
    }
}

#[test]
fn e_credit_note_of_an_unpaid_invoice_takes_the_vat_back_from_44574() {
    let r = revenue(12_000_00);
    let e = sales_entry(&sale(
        SalesDocument::CreditNote {
            vat_waiting: m(2_400_00),
        },
        "AV-2026-000001",
        VatRegime::OnReceipts,
        &r,
        2_400_00,
        CompanyId::new(),
    ));
    assert_eq!(e.validate(), Ok(()));
    assert_eq!(e.label, "Avoir AV-2026-000001 — Clientis");
    assert_eq!(
        moves(&e),
        [
            ("411", 0, 14_400_00),
            ("706", 12_000_00, 0),
            ("44574", 2_400_00, 0)
        ]
    );
    assert_eq!(e.lines[1].label, "Prestations AV-2026-000001");
    assert_eq!(e.lines[2].label, "TVA collectée");
}

#[test]
fn e_prime_credit_note_after_payment_takes_the_vat_back_from_44571() {
    let r = revenue(12_000_00);
    let e = sales_entry(&sale(
        SalesDocument::CreditNote {
            vat_waiting: Money::ZERO,
        },
        "AV-2026-000001",
        VatRegime::OnReceipts,
        &r,
        2_400_00,
        CompanyId::new(),
    ));
    assert_eq!(
        moves(&e),
        [
            ("411", 0, 14_400_00),
            ("706", 12_000_00, 0),
            ("44571", 2_400_00, 0)
        ]
    );
    assert_eq!(e.lines[2].label, "TVA collectée déjà exigible");
    // Half paid (D'): half the VAT still waits, half is due.
    let e = sales_entry(&sale(
        SalesDocument::CreditNote {
            vat_waiting: m(1_200_00),
        },
        "AV-2026-000001",
        VatRegime::OnReceipts,
        &r,
        2_400_00,
        CompanyId::new(),
    ));
    assert_eq!(
        moves(&e),
        [
            ("411", 0, 14_400_00),
            ("706", 12_000_00, 0),
            ("44574", 1_200_00, 0),
            ("44571", 1_200_00, 0)
        ]
    );
    // Opted on debits, the VAT was due at invoicing: 44571 whatever waits.
    let e = sales_entry(&sale(
        SalesDocument::CreditNote {
            vat_waiting: m(2_400_00),
        },
        "AV-2026-000001",
        VatRegime::OnDebits,
        &r,
        2_400_00,
        CompanyId::new(),
    ));
    assert_eq!(e.lines[2].label, "TVA collectée");
    assert_eq!(moves(&e)[2], ("44571", 2_400_00, 0));
}

#[test]
fn f_partial_credit_note_of_one_day() {
    let r = revenue(600_00);
    let e = sales_entry(&sale(
        SalesDocument::CreditNote {
            vat_waiting: m(2_400_00),
        },
        "AV-2026-000002",
        VatRegime::OnReceipts,
        &r,
        120_00,
        CompanyId::new(),
    ));
    assert_eq!(
        moves(&e),
        [("411", 0, 720_00), ("706", 600_00, 0), ("44574", 120_00, 0)]
    );
}

fn fae(revenue: &[Revenue]) -> FaeInputs<'_> {
    FaeInputs {
        billed: YearMonth::parse("2026-11").unwrap(),
        closing: YearMonth::parse("2026-11").unwrap(),
        client: CompanyId::new(),
        gross: m(14_400_00),
        vat: m(2_400_00),
        revenue,
    }
}

#[test]
fn b_the_fae_at_the_close_and_b_prime_its_reversal() {
    let r = revenue(12_000_00);
    let inputs = fae(&r);
    let b = fae_entry(&inputs);
    assert_eq!(b.validate(), Ok(()));
    assert_eq!(b.journal, Journal::Od);
    assert_eq!(b.date, date!(2026 - 11 - 30));
    assert_eq!(b.label, "FAE 2026-11 — prestations non facturées");
    assert_eq!(b.piece_ref, None);
    assert_eq!(
        moves(&b),
        [
            ("4181", 14_400_00, 0),
            ("706", 0, 12_000_00),
            ("44587", 0, 2_400_00)
        ]
    );
    assert_eq!(b.lines[0].third_party, Some(inputs.client));
    assert_eq!(b.lines[1].label, b.label);
    assert_eq!(b.lines[2].label, "TVA sur factures à établir");
    // Accrued again at a later close: dated that close, still naming the
    // month billed.
    let later = fae_entry(&FaeInputs {
        closing: YearMonth::parse("2026-12").unwrap(),
        ..inputs.clone()
    });
    assert_eq!(
        (later.date, later.label.as_str()),
        (date!(2026 - 12 - 31), b.label.as_str())
    );

    let b_prime = fae_reversal(
        &b,
        date!(2026 - 12 - 03),
        FaeRelease::Invoiced("FA-2026-000007"),
    );
    assert_eq!(b_prime.validate(), Ok(()));
    assert_eq!(
        (b_prime.journal, b_prime.date, b_prime.label.as_str()),
        (
            Journal::Od,
            date!(2026 - 12 - 03),
            "Extourne FAE — facture FA-2026-000007"
        )
    );
    assert_eq!(
        moves(&b_prime),
        [
            ("4181", 0, 14_400_00),
            ("706", 12_000_00, 0),
            ("44587", 2_400_00, 0)
        ]
    );
    assert_eq!(
        FaeRelease::Corrected.label(),
        "Extourne FAE — montant corrigé"
    );
    assert_eq!(
        FaeRelease::DaysRemoved.label(),
        "Extourne FAE — jours retirés"
    );
}

#[test]
fn the_close_books_keeps_or_books_again() {
    let a = FaeAmounts {
        net: m(12_000_00),
        vat: m(2_400_00),
        gross: m(14_400_00),
    };
    assert_eq!(fae_step(None, a), FaeStep::Book);
    assert_eq!(fae_step(Some(a), a), FaeStep::Keep);
    let b = FaeAmounts {
        net: m(12_600_00),
        vat: m(2_520_00),
        gross: m(15_120_00),
    };
    assert_eq!(fae_step(Some(a), b), FaeStep::Rebook);
}

fn settled(number: &str, outstanding: i64, vat_due: i64) -> Settled {
    Settled {
        number: number.into(),
        outstanding: m(outstanding),
        vat_due: m(vat_due),
    }
}

fn payment(amount: i64, vat_due: i64) -> PaymentPlan {
    PaymentPlan {
        client: CompanyId::new(),
        client_name: "Clientis".into(),
        bank_account: "512".into(),
        received_on: date!(2026 - 12 - 15),
        amount: m(amount),
        reference: None,
        allocations: vec![(settled("FA-2026-000001", 14_400_00, vat_due), m(amount))],
        open_total: m(14_400_00),
        keep_excess: false,
    }
}

#[test]
fn c_and_c_prime_full_payment_and_d_d_prime_partial() {
    let c = payment(14_400_00, 2_400_00).posting().unwrap().entry;
    assert_eq!(c.journal, Journal::Bq);
    assert_eq!(
        moves(&c),
        [
            ("512", 14_400_00, 0),
            ("411", 0, 14_400_00),
            ("44574", 2_400_00, 0),
            ("44571", 0, 2_400_00)
        ]
    );
    let d = payment(7_200_00, 1_200_00).posting().unwrap().entry;
    assert_eq!(
        moves(&d),
        [
            ("512", 7_200_00, 0),
            ("411", 0, 7_200_00),
            ("44574", 1_200_00, 0),
            ("44571", 0, 1_200_00)
        ]
    );
}

#[test]
fn a_cancelled_payment_is_its_entry_mirrored() {
    let c = payment(14_400_00, 2_400_00).posting().unwrap().entry;
    let r = payment_reversal(&c, date!(2026 - 12 - 20), "Clientis", "Mauvais client");
    assert_eq!(r.validate(), Ok(()));
    assert_eq!(
        (r.journal, r.date, r.label.as_str()),
        (
            Journal::Bq,
            date!(2026 - 12 - 20),
            "Annulation règlement Clientis — Mauvais client"
        )
    );
    assert_eq!(
        moves(&r),
        [
            ("512", 0, 14_400_00),
            ("411", 14_400_00, 0),
            ("44574", 0, 2_400_00),
            ("44571", 2_400_00, 0)
        ]
    );
    let long = payment_reversal(&c, date!(2026 - 12 - 20), "Clientis", &"x".repeat(300));
    assert_eq!(long.label.chars().count(), 200);
}

#[test]
fn a_client_credit_used_later_moves_411_and_the_vat() {
    let (e, _, _) = credit_use_entry(
        CompanyId::new(),
        date!(2026 - 12 - 20),
        &settled("FA-2026-000002", 1_200_00, 100_00),
        m(600_00),
        m(600_00),
    )
    .unwrap();
    assert_eq!(
        moves(&e),
        [
            ("411", 600_00, 0),
            ("411", 0, 600_00),
            ("44574", 100_00, 0),
            ("44571", 0, 100_00)
        ]
    );
}

#[test]
fn k_a_vat_exempt_bank_fee() {
    // K without its VAT: the bank's fees are mostly exempt, and a bank line
    // posts two lines.
    let line = LineToPost {
        booking_date: date!(2026 - 11 - 30),
        amount: m(-12_00),
        label: "FRAIS TENUE DE COMPTE",
        bank_reference: None,
        bank_account: "512",
    };
    let k = bank_line_entry(&line, default_account(line.amount)).unwrap();
    assert_eq!(k.journal, Journal::Bq);
    assert_eq!(moves(&k), [("627", 12_00, 0), ("512", 0, 12_00)]);
}

fn regime() -> impl Strategy<Value = VatRegime> {
    proptest::sample::select(VatRegime::ALL.to_vec())
}

fn revenues() -> impl Strategy<Value = Vec<Revenue>> {
    proptest::collection::vec(
        (proptest::option::of("[A-Z]{3}-[0-9]{3}"), 1i64..100_000_000),
        1..5,
    )
    .prop_map(|v| {
        v.into_iter()
            .map(|(analytic, net)| Revenue {
                analytic,
                net: m(net),
            })
            .collect()
    })
}

fn net(r: &[Revenue]) -> i64 {
    r.iter().map(|r| r.net.cents()).sum()
}

proptest! {
    /// Every entry the rules return balances and passes the ledger's
    /// checks: invoices and credit notes under any regime and whatever VAT
    /// still waits, accruals and their reversals.
    #[test]
    fn every_entry_balances(
        revenue in revenues(),
        regime in regime(),
        rate_bp in 0i64..=2_000,
        waiting in -10_000_000i64..30_000_000,
        credit in any::<bool>(),
    ) {
        let vat = net(&revenue) * rate_bp / 10_000;
        let document = if credit {
            SalesDocument::CreditNote { vat_waiting: m(waiting) }
        } else {
            SalesDocument::Invoice
        };
        let e = sales_entry(&sale(document, "FA-2026-000001", regime, &revenue, vat, CompanyId::new()));
        prop_assert_eq!(e.validate(), Ok(()));
        let a = fae_entry(&FaeInputs {
            gross: m(net(&revenue) + vat),
            vat: m(vat),
            ..fae(&revenue)
        });
        prop_assert_eq!(a.validate(), Ok(()));
        let r = fae_reversal(&a, date!(2026 - 12 - 01), FaeRelease::Corrected);
        prop_assert_eq!(r.validate(), Ok(()));
    }

    /// An accrual and its reversal leave every account where it was.
    #[test]
    fn an_accrual_and_its_reversal_net_to_zero(revenue in revenues(), rate_bp in 0i64..=2_000) {
        let vat = net(&revenue) * rate_bp / 10_000;
        let a = fae_entry(&FaeInputs {
            gross: m(net(&revenue) + vat),
            vat: m(vat),
            ..fae(&revenue)
        });
        let r = fae_reversal(&a, date!(2026 - 12 - 03), FaeRelease::Invoiced("FA-2026-000001"));
        let tb = trial_balance(a.lines.iter().chain(&r.lines));
        prop_assert!(tb.values().all(|t| t.balance().is_zero()));
        prop_assert!(tb.contains_key(&crate::ledger::AccountNumber::parse(FAE).unwrap()));
    }

    /// A credit note of a whole invoice nothing was paid on is its mirror:
    /// the same accounts and amounts in the same order, sides swapped.
    #[test]
    fn a_whole_credit_of_an_unpaid_invoice_mirrors_it(
        revenue in revenues(),
        regime in regime(),
        rate_bp in 0i64..=2_000,
    ) {
        let vat = net(&revenue) * rate_bp / 10_000;
        let client = CompanyId::new();
        let invoice = sales_entry(&sale(SalesDocument::Invoice, "FA-2026-000001", regime, &revenue, vat, client));
        let credit = sales_entry(&sale(
            SalesDocument::CreditNote { vat_waiting: m(vat) },
            "AV-2026-000001",
            regime,
            &revenue,
            vat,
            client,
        ));
        prop_assert_eq!(invoice.lines.len(), credit.lines.len());
        for (i, c) in invoice.lines.iter().zip(&credit.lines) {
            prop_assert_eq!(&i.account, &c.account);
            prop_assert_eq!((i.debit, i.credit), (c.credit, c.debit));
            prop_assert_eq!(&i.analytic, &c.analytic);
            prop_assert_eq!(i.third_party, c.third_party);
        }
    }

    /// A credit note takes back its VAT exactly: never more than its VAT
    /// in all, never more from 44574 than waits there, the rest from 44571.
    #[test]
    fn a_credit_note_takes_back_its_vat_and_no_more_than_waits(
        revenue in revenues(),
        rate_bp in 0i64..=2_000,
        waiting in -10_000_000i64..30_000_000,
    ) {
        let vat = net(&revenue) * rate_bp / 10_000;
        let (pending, due) = credit_vat_split(m(vat), m(waiting));
        prop_assert!(pending >= Money::ZERO && due >= Money::ZERO);
        prop_assert_eq!(pending + due, m(vat));
        prop_assert!(pending <= m(waiting.max(0)));
        let e = sales_entry(&sale(
            SalesDocument::CreditNote { vat_waiting: m(waiting) },
            "AV-2026-000001",
            VatRegime::OnReceipts,
            &revenue,
            vat,
            CompanyId::new(),
        ));
        let on = |account: &str| -> (i64, i64) {
            e.lines
                .iter()
                .filter(|l| l.account.as_str() == account)
                .fold((0, 0), |(d, c), l| (d + l.debit.cents(), c + l.credit.cents()))
        };
        let (from_44574, c_44574) = on(VAT_PENDING);
        let (from_44571, c_44571) = on(VAT_DUE);
        prop_assert_eq!((c_44574, c_44571), (0, 0));
        prop_assert_eq!(from_44574 + from_44571, vat);
        prop_assert!(from_44574 <= waiting.max(0));
        prop_assert_eq!((m(from_44574), m(from_44571)), (pending, due));
    }
}
