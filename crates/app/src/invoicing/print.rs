//! The PDF of an invoice or a credit note, laid out from what
//! `store::invoicing::print` reads.
//!
//! An issued document prints from what was frozen when it was issued (the
//! seller, the buyer, the terms, the VAT regime) and from its stored lines,
//! never from the live company or mission records: it prints the same
//! forever. A draft, or an invoice waiting for a contract's signature, has
//! no number yet: it prints as a preview marked [`DRAFT_MARK`], from the
//! parties and terms as they are now, without issue or due date, so that
//! someone can check it before issuing.

use domain::Locale;
use domain::calendar::YearMonth;
use domain::ids::InvoiceId;
use domain::invoice::{InvoiceKind, Totals};
use domain::locale::format_date;
use domain::mission::DayQuantity;
use domain::money::Money;
use domain::terms::{PaymentTerms, VatRate, VatRegime};
use store::invoicing::issue::{Frozen, FrozenFirm};
use store::invoicing::print::{self, IssuedDocument, Printable};
use store::invoicing::read::Detail;
use store::{Result, Tx, corrupt, now};
use time::{Date, OffsetDateTime};

/// What a preview prints instead of a number.
pub const DRAFT_MARK: &str = "BROUILLON — sans valeur";

/// Printed under the legal mentions of a preview.
pub const DRAFT_NOTICE: &str = "Aperçu d'une facture en préparation : ce document n'est pas une \
     facture, il n'a ni numéro ni date d'émission et ne peut pas être payé.";

const FR: Locale = Locale::Fr;

/// A document ready to lay out, and the name to download it under.
#[derive(Debug, Clone)]
pub struct Printed {
    pub pdf: pdf::InvoicePdf,
    pub file_name: String,
}

/// The printable invoice or credit note `id`: issued, from its frozen
/// parties; otherwise a preview marked [`DRAFT_MARK`] of what the draft
/// would state (see `store::invoicing::print::printable`).
pub async fn printable(tx: &mut Tx, id: InvoiceId) -> Result<Printed> {
    of_printable(&print::printable(tx, id).await?)
}

/// The PDF of what `store::invoicing::print::printable` read.
pub fn of_printable(p: &Printable) -> Result<Printed> {
    Ok(Printed {
        pdf: build(&p.detail, &p.frozen, &p.totals, p.issued_at)?,
        file_name: p.file_name.clone(),
    })
}

/// The PDF of an issued document, as [`printable`] lays it out.
pub fn issued_pdf(doc: &IssuedDocument) -> Result<pdf::InvoicePdf> {
    build(&doc.detail, &doc.frozen, &doc.totals, Some(doc.issued_at))
}

fn rate(bp: i32) -> Result<VatRate> {
    VatRate::from_basis_points(bp.max(0) as u32).map_err(|_| corrupt("vat rate", &bp.to_string()))
}

/// The document `d` as the PDF lays it out: the parties and terms of
/// `frozen`, the lines of `d`, the amounts of `totals`. `issued_at` is the
/// time it was issued; `None` makes a preview marked [`DRAFT_MARK`].
pub fn build(
    d: &Detail,
    frozen: &Frozen,
    totals: &Totals,
    issued_at: Option<OffsetDateTime>,
) -> Result<pdf::InvoicePdf> {
    let s = &d.summary;
    let issued = issued_at.is_some() && s.number.is_some();
    let date = |d: Option<Date>| d.map(|d| format_date(d, FR)).unwrap_or_else(|| "—".into());
    let kind = match s.kind {
        InvoiceKind::Invoice => pdf::invoice::InvoiceKind::Invoice,
        InvoiceKind::CreditNote => {
            let original = d
                .credited
                .as_ref()
                .ok_or_else(|| corrupt("credit note without its invoice", &s.id.to_string()))?;
            pdf::invoice::InvoiceKind::CreditNote {
                invoice_number: original.number.clone().unwrap_or_default(),
                invoice_date: date(original.issue_date),
            }
        }
    };
    let payment_terms = match &kind {
        pdf::invoice::InvoiceKind::Invoice => terms_fr(frozen.terms()),
        pdf::invoice::InvoiceKind::CreditNote { invoice_number, .. } => format!(
            "À déduire de la facture {invoice_number} si elle reste due, sinon remboursé par virement"
        ),
    };
    let month = YearMonth::parse(&s.period);
    let from = d.lines.iter().filter_map(|l| l.service_from).min();
    let to = d.lines.iter().filter_map(|l| l.service_to).max();
    let period = pdf::invoice::ServicePeriod {
        from: date(from.or(month.map(YearMonth::first_day))),
        to: date(to.or(month.map(YearMonth::last_day))),
    };
    let lines = d
        .lines
        .iter()
        .map(|l| {
            Ok(pdf::invoice::InvoicePdfLine {
                description: l.description.clone(),
                quantity: DayQuantity::from_half_days(l.half_days.max(0) as u32).format(FR),
                unit: "jour".into(),
                unit_price: l.unit_price.format(FR),
                vat_rate: rate(l.vat_rate_bp)?.format(FR),
                net: l.net.format(FR),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let mut legal = pdf::invoice::LegalTexts::default();
    if !issued {
        legal.extra.push(DRAFT_NOTICE.to_owned());
    }
    // Finance's free text: printed with the other texts, and so repeated
    // among the Factur-X notes, which are worded from the PDF's.
    if let Some(note) = &frozen.note {
        legal.extra.push(note.clone());
    }
    Ok(pdf::InvoicePdf {
        kind,
        number: match (&s.number, issued) {
            (Some(n), true) => n.clone(),
            _ => DRAFT_MARK.to_owned(),
        },
        issue_date: if issued {
            date(s.issue_date)
        } else {
            "—".into()
        },
        period,
        due_date: if issued {
            date(s.due_date)
        } else {
            "—".into()
        },
        payment_terms,
        seller: seller(&frozen.seller),
        buyer: buyer(frozen),
        purchase_order: frozen.po_number.clone(),
        buyer_reference: frozen.buyer_reference.clone(),
        contract_reference: frozen.contract_reference.clone(),
        lines,
        vat_breakdown: totals
            .breakdown
            .iter()
            .map(|b| pdf::invoice::VatBreakdownRow {
                rate: b.rate.format(FR),
                taxable: b.taxable.format(FR),
                vat: b.vat.format(FR),
            })
            .collect(),
        totals: pdf::invoice::InvoiceTotals {
            net: totals.net.format(FR),
            vat: totals.vat.format(FR),
            gross: totals.gross.format(FR),
        },
        vat_regime: match frozen.regime() {
            VatRegime::OnReceipts => pdf::invoice::VatRegime::OnReceipts,
            VatRegime::OnDebits => pdf::invoice::VatRegime::OnDebits,
            VatRegime::ReverseChargeEu => pdf::invoice::VatRegime::ReverseChargeEu,
            VatRegime::Exempt => pdf::invoice::VatRegime::Exempt {
                mention: pdf::invoice::FRANCHISE_MENTION.to_owned(),
            },
        },
        legal,
        created_at: issued_at.unwrap_or_else(now),
    })
}

/// The payment terms as the French catalogue words them.
fn terms_fr(t: PaymentTerms) -> String {
    let days = t
        .label_args()
        .into_iter()
        .find(|(k, _)| *k == "days")
        .map(|(_, v)| v)
        .unwrap_or_default();
    match t.label_key() {
        "terms-on-receipt" => "À réception".to_owned(),
        "terms-end-of-month" => "Fin de mois".to_owned(),
        "terms-days-eom" => format!("{days} jours fin de mois"),
        _ => format!("{days} jours"),
    }
}

/// `542051180` as `542 051 180`.
fn siren(s: &str) -> String {
    if s.len() == 9 && s.bytes().all(|b| b.is_ascii_digit()) {
        format!("{} {} {}", &s[0..3], &s[3..6], &s[6..9])
    } else {
        s.to_owned()
    }
}

/// Address lines, empty parts left out; the country only when abroad.
pub fn address(
    parts: &[Option<&str>],
    postcode: Option<&str>,
    city: Option<&str>,
    country: &str,
) -> String {
    let mut lines: Vec<String> = parts
        .iter()
        .flatten()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    let town = [postcode, city]
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    if !town.is_empty() {
        lines.push(town);
    }
    if !country.trim().is_empty() && !country.trim().eq_ignore_ascii_case("FR") {
        lines.push(country.trim().to_owned());
    }
    if lines.is_empty() {
        "—".into()
    } else {
        lines.join("\n")
    }
}

pub fn seller(f: &FrozenFirm) -> pdf::invoice::Seller {
    let or_dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".into());
    pdf::invoice::Seller {
        name: f.name.clone(),
        legal_form: or_dash(&f.legal_form),
        share_capital: f
            .share_capital_cents
            .map(|c| Money::from_cents(c).format(FR))
            .unwrap_or_else(|| "—".into()),
        head_office: address(
            &[f.address_line1.as_deref()],
            f.postcode.as_deref(),
            f.city.as_deref(),
            &f.country,
        ),
        siren: f.siren.as_deref().map(siren).unwrap_or_else(|| "—".into()),
        rcs_city: or_dash(&f.rcs_city),
        vat_number: or_dash(&f.vat_number),
        iban: or_dash(&f.iban),
        bic: f.bic.clone(),
        email: f.email.clone(),
        phone: f.phone.clone(),
    }
}

fn buyer(frozen: &Frozen) -> pdf::invoice::Buyer {
    let b = &frozen.buyer;
    pdf::invoice::Buyer {
        name: b.name.clone(),
        address: address(
            &[b.address_line1.as_deref(), b.address_line2.as_deref()],
            b.postcode.as_deref(),
            b.city.as_deref(),
            &b.country,
        ),
        billing_address: frozen
            .billing_address
            .clone()
            .filter(|a| !a.trim().is_empty()),
        delivery_address: None,
        siren: b.siren.as_deref().map(siren),
        vat_number: b.vat_number.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sirens_and_addresses_print_as_people_write_them() {
        assert_eq!(siren("542051180"), "542 051 180");
        assert_eq!(siren("FR123"), "FR123");
        assert_eq!(
            address(
                &[Some("1 rue de la Paix"), None],
                Some("75002"),
                Some("Paris"),
                "FR"
            ),
            "1 rue de la Paix\n75002 Paris"
        );
        assert_eq!(
            address(&[Some(" ")], None, Some("Bruxelles"), "BE"),
            "Bruxelles\nBE"
        );
        assert_eq!(address(&[], None, None, "FR"), "—");
    }

    #[test]
    fn terms_are_worded_as_in_the_catalogue() {
        assert_eq!(terms_fr(PaymentTerms::new(30, false).unwrap()), "30 jours");
        assert_eq!(
            terms_fr(PaymentTerms::new(45, true).unwrap()),
            "45 jours fin de mois"
        );
        assert_eq!(
            terms_fr(PaymentTerms::new(0, false).unwrap()),
            "À réception"
        );
    }
}
