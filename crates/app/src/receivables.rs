//! A client's statement of account as a PDF.

use domain::ids::CompanyId;
use domain::locale::{Locale, format_date};
use domain::money::Money;
use domain::receivables::Bucket;
use store::receivables::{self, statement};
use store::{Result, Tx};
use time::{Date, OffsetDateTime};

use crate::invoicing::print;

/// How a payment method reads on a French document.
fn method_fr(method: &str) -> &str {
    match method {
        "transfer" => "Virement",
        "cheque" => "Chèque",
        "card" => "Carte",
        "direct_debit" => "Prélèvement",
        "cash" => "Espèces",
        "other" => "Autre",
        other => other,
    }
}

/// The statement of `client` on `as_of` as a printable document (French,
/// like invoices), with the firm's identity and bank details, and the
/// name to download it under.
pub async fn statement_pdf(
    tx: &mut Tx,
    client: CompanyId,
    as_of: Date,
    created_at: OffsetDateTime,
) -> Result<(pdf::StatementPdf, String)> {
    const FR: Locale = Locale::Fr;
    let st = statement(tx, client, as_of).await?;
    let firm = store::firm::get(tx).await?.unwrap_or_default();
    let (a1, a2, postcode, city, country) = receivables::postal_address(tx, client).await?;
    let seller = print::seller(&firm);
    let money = |m: Money| m.format(FR);
    let doc = pdf::StatementPdf {
        seller,
        client_name: st.name.clone(),
        client_address: print::address(
            &[a1.as_deref(), a2.as_deref()],
            postcode.as_deref(),
            city.as_deref(),
            &country,
        ),
        as_of: format_date(as_of, FR),
        items: st
            .items
            .iter()
            .map(|i| pdf::statement::StatementItem {
                number: i.number.clone(),
                issue_date: format_date(i.issue_date, FR),
                due_date: format_date(i.due_date, FR),
                amount: money(i.gross),
                paid: money(i.settled),
                outstanding: money(i.outstanding),
                days_late: if i.days_late > 0 {
                    i.days_late.to_string()
                } else {
                    String::new()
                },
            })
            .collect(),
        buckets: Bucket::ALL
            .iter()
            .map(|b| (b.label_fr().to_owned(), money(st.buckets.get(*b))))
            .collect(),
        total_open: money(st.total_open()),
        credit: (!st.credit.is_zero()).then(|| money(st.credit)),
        balance: money(st.balance()),
        payments: st
            .payments
            .iter()
            .map(|p| pdf::statement::StatementPayment {
                date: format_date(p.received_on, FR),
                method: method_fr(&p.method).to_owned(),
                reference: p.reference.clone().unwrap_or_default(),
                amount: money(p.amount),
            })
            .collect(),
        payments_since: format_date(st.payments_since, FR),
        created_at,
    };
    let slug: String = domain::validation::fold_accents(&st.name)
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    Ok((doc, format!("releve-{slug}-{as_of}.pdf")))
}
