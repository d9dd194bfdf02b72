//! The parties frozen with an invoice (seller, buyer, terms), what they say
//! now, and the mentions a document cannot go out without. Below issuing,
//! crediting, printing and the Factur-X, which all read them.

use std::collections::HashMap;

use domain::company::CompanyData;
use domain::ids::{CompanyId, InvoiceId};
use domain::invoice::editing::DraftEdit;
use domain::invoice::{InvoiceKind, InvoiceStatus};
use domain::terms::{PaymentTerms, VatRegime};
use domain::validation::Arg;
use serde::{Deserialize, Serialize};
use time::Date;

use super::shared::refuse_with;
use crate::firm::Firm;
use crate::{Error, Result, Tx, corrupt, on_tx};

/// The buyer as the invoice names him.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Buyer {
    pub name: String,
    pub legal_form: Option<String>,
    pub siren: Option<String>,
    pub vat_number: Option<String>,
    pub address_line1: Option<String>,
    pub address_line2: Option<String>,
    pub postcode: Option<String>,
    pub city: Option<String>,
    pub country: String,
}

/// Everything printed on an issued document besides its lines, as it was
/// at issue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Frozen {
    pub seller: FrozenFirm,
    pub buyer: Buyer,
    pub billing_address: Option<String>,
    pub po_number: Option<String>,
    pub contract_reference: Option<String>,
    pub payment_days: u16,
    pub payment_end_of_month: bool,
    pub vat_regime: String,
    /// The buyer's reference (BT-10), given by finance on the draft.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buyer_reference: Option<String>,
    /// A free text printed on the invoice (a note of the Factur-X), given
    /// by finance on the draft.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The firm's identity as printed (mentions of R123-237).
pub type FrozenFirm = Firm;

fn blank_firm() -> Firm {
    Firm {
        name: "—".into(),
        country: "FR".into(),
        ..Firm::default()
    }
}

impl Frozen {
    /// The terms stored with a document (`invoices.frozen`), read back.
    pub(crate) fn read(stored: Option<&str>) -> Result<Frozen> {
        serde_json::from_str(stored.unwrap_or("null"))
            .map_err(|e| corrupt("frozen invoice", &e.to_string()))
    }

    /// What differs between the terms a draft was frozen with and the
    /// terms its mission, client and firm carry now, in words (empty: the
    /// draft still says what they say). Issue refuses a draft with changes
    /// until its user refreshes it: nothing an invoice states changes
    /// without someone seeing it.
    /// What differs from `now`, as translation keys.
    pub fn changes(&self, now: &Frozen) -> Vec<&'static str> {
        let mut out = Vec::new();
        if self.seller != now.seller {
            out.push("terms-change-seller");
        }
        if self.buyer != now.buyer {
            out.push("terms-change-buyer");
        }
        if self.billing_address != now.billing_address {
            out.push("terms-change-billing-address");
        }
        if self.po_number != now.po_number {
            out.push("terms-change-po-number");
        }
        if self.contract_reference != now.contract_reference {
            out.push("terms-change-contract-reference");
        }
        if (self.payment_days, self.payment_end_of_month)
            != (now.payment_days, now.payment_end_of_month)
        {
            out.push("terms-change-payment-terms");
        }
        if self.vat_regime != now.vat_regime {
            out.push("terms-change-vat-regime");
        }
        out
    }

    /// These terms with what finance changed on the draft in their place
    /// (`domain::invoice::editing`): what a draft previews and is issued
    /// with. The mission's own terms are compared without it
    /// ([`Frozen::changes`]), so an edit never reads as a change to review.
    pub fn edited(mut self, edit: Option<&DraftEdit>) -> Frozen {
        if let Some(e) = edit {
            self.note = e.note.clone();
            self.po_number = e.po_number.clone();
            self.buyer_reference = e.buyer_reference.clone();
            self.payment_days = e.terms.days();
            self.payment_end_of_month = e.terms.end_of_month();
        }
        self
    }

    pub fn regime(&self) -> VatRegime {
        VatRegime::parse(&self.vat_regime).unwrap_or_default()
    }

    pub fn terms(&self) -> PaymentTerms {
        PaymentTerms::new(self.payment_days, self.payment_end_of_month).unwrap_or_default()
    }
}

fn buyer(c: &CompanyData) -> Buyer {
    Buyer {
        name: c.name.clone(),
        legal_form: c.legal_form.clone(),
        siren: c.siren.as_ref().map(|s| s.to_string()),
        vat_number: c.vat_number.as_ref().map(|v| v.to_string()),
        address_line1: c.address_line1.clone(),
        address_line2: c.address_line2.clone(),
        postcode: c.postcode.clone(),
        city: c.city.clone(),
        country: c.country.clone(),
    }
}

/// What the document cannot go out without (C. com. L441-9 and R123-237,
/// CGI 242 nonies A, the reform's buyer SIREN), named for the person who
/// will fill it in (translation keys). Issuing adds what its Factur-X XML needs besides
/// (`facturx::missing`: the firm's IBAN, a buyer abroad's VAT number…).
pub(super) fn missing_mentions(
    seller: Option<&Firm>,
    c: &CompanyData,
    regime: VatRegime,
) -> Vec<&'static str> {
    let mut missing = Vec::new();
    match seller {
        None => missing.push("mention-seller-identity"),
        Some(f) => {
            if f.siren.is_none() {
                missing.push("mention-seller-siren");
            }
            if f.address_line1.is_none() || f.city.is_none() {
                missing.push("mention-seller-address");
            }
            if f.vat_number.is_none() {
                missing.push("mention-seller-vat");
            }
        }
    }
    // The reform's buyer SIREN is French; a buyer abroad is identified by
    // its VAT number (see `facturx::missing`).
    if c.siren.is_none() && c.country == "FR" {
        missing.push("mention-buyer-siren");
    }
    if c.address_line1.is_none() || c.postcode.is_none() || c.city.is_none() {
        missing.push("mention-buyer-address");
    }
    if regime == VatRegime::ReverseChargeEu && c.vat_number.is_none() {
        missing.push("mention-buyer-vat");
    }
    missing
}

#[derive(sqlx::FromRow)]
pub(crate) struct Head {
    #[sqlx(try_from = "String")]
    pub id: InvoiceId,
    #[sqlx(try_from = "String")]
    pub status: InvoiceStatus,
    #[sqlx(try_from = "String")]
    pub kind: InvoiceKind,
    pub client_id: String,
    pub period: String,
    pub mission_id: Option<String>,
    pub contract_id: Option<String>,
    pub net_cents: i64,
    pub vat_cents: i64,
    pub gross_cents: i64,
    pub number: Option<String>,
    pub frozen: Option<String>,
    pub draft_edits: Option<String>,
}

pub(crate) async fn head(tx: &mut Tx, id: InvoiceId) -> Result<Head> {
    heads(tx, &[id]).await?.pop().ok_or(Error::NotFound)
}

/// The heads of several documents, in no particular order; the ids not
/// found are left out.
pub(crate) async fn heads(tx: &mut Tx, ids: &[InvoiceId]) -> Result<Vec<Head>> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(crate::MAX_BINDS) {
        let sql = format!(
            "SELECT id, status, kind, client_id, period, mission_id, contract_id, net_cents, vat_cents, gross_cents,
               number, frozen, draft_edits
             FROM invoices WHERE id IN ({})",
            crate::values_list("?", chunk.len())
        );
        let rows: Vec<Head> = on_tx!(tx, |c| {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()));
            for id in chunk {
                q = q.bind(id.to_string());
            }
            q.fetch_all(c).await
        })?;
        out.extend(rows);
    }
    Ok(out)
}

/// The terms the invoice's mission (or the first mission of its contract)
/// carries: VAT regime, PO number, payment terms, billing address, and the
/// contract's reference.
type TermsRow = (
    String,
    Option<String>,
    i32,
    bool,
    Option<String>,
    Option<String>,
);

/// A [`TermsRow`] with the mission's or contract's id first.
type TermsKeyed = (
    String,
    String,
    Option<String>,
    i32,
    bool,
    Option<String>,
    Option<String>,
);

/// The terms of each head's mission (or its contract's first mission), by
/// mission or contract id: one query for the heads of missions billed
/// alone, one for those of contracts.
async fn terms_of(tx: &mut Tx, heads: &[&Head]) -> Result<HashMap<String, TermsRow>> {
    let missions: Vec<&str> = heads
        .iter()
        .filter_map(|h| h.mission_id.as_deref())
        .collect();
    let contracts: Vec<&str> = heads
        .iter()
        .filter(|h| h.mission_id.is_none())
        .filter_map(|h| h.contract_id.as_deref())
        .collect();
    // A contract's first mission (by start date, then id) comes first,
    // and is the one kept.
    let queries = [
        (
            &missions,
            "SELECT m.id, m.vat_regime, m.po_number, CAST(m.payment_days AS INTEGER), m.payment_end_of_month,
               m.billing_address, k.reference
             FROM missions m LEFT JOIN client_contracts k ON k.id = m.client_contract_id WHERE m.id IN ({})",
        ),
        (
            &contracts,
            "SELECT k.id, m.vat_regime, m.po_number, CAST(k.payment_days AS INTEGER), k.payment_end_of_month,
               m.billing_address, k.reference
             FROM client_contracts k JOIN missions m ON m.client_contract_id = k.id WHERE k.id IN ({})
             ORDER BY k.id, m.start_date, m.id",
        ),
    ];
    let mut out = HashMap::new();
    for (keys, template) in queries {
        for chunk in keys.chunks(crate::MAX_BINDS) {
            let sql = template.replace("{}", &crate::values_list("?", chunk.len()));
            let rows: Vec<TermsKeyed> = on_tx!(tx, |c| {
                let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()));
                for k in chunk {
                    q = q.bind(*k);
                }
                q.fetch_all(c).await
            })?;
            for (id, regime, po, days, eom, billing, reference) in rows {
                out.entry(id)
                    .or_insert((regime, po, days, eom, billing, reference));
            }
        }
    }
    Ok(out)
}

/// The latest issue date of a series' year: a document may not be dated
/// before it, so numbers follow dates.
pub(crate) async fn refuse_before_last(tx: &mut Tx, kind: InvoiceKind, date: Date) -> Result<()> {
    // Numbers follow dates, so the year's highest number carries its latest
    // date: one step down the (series, number) index, whatever the count.
    let year = date.year();
    let last: Option<Date> = on_tx!(tx, |c| {
        sqlx::query_scalar(
            "SELECT issue_date FROM invoices WHERE series = $1 AND number >= $2 AND number <= $3
         ORDER BY number DESC LIMIT 1",
        )
        .bind(kind.series())
        .bind(domain::invoice::number(kind, year, 0))
        .bind(domain::invoice::number(kind, year, 999_999))
        .fetch_optional(c)
        .await
    })?
    .flatten();
    if let Some(last) = last
        && date < last
    {
        return Err(refuse_with(
            "date",
            "invoice-date-before-last",
            domain::args![("date", last)],
        ));
    }
    Ok(())
}

/// The parties and terms a draft would be issued with, as they are now,
/// with what the mentions check needs (the seller is blank while the
/// firm's identity is not set).
pub(crate) struct Live {
    pub frozen: Frozen,
    pub firm: Option<Firm>,
    pub company: CompanyData,
}

pub(crate) async fn live(tx: &mut Tx, h: &Head) -> Result<Live> {
    live_many(tx, &[h])
        .await?
        .pop()
        .ok_or_else(|| corrupt("invoice terms", &h.id.to_string()))
}

/// [`live`] for several heads, in their order, with one read of the
/// firm, of the terms and of the clients for all of them.
pub(crate) async fn live_many(tx: &mut Tx, heads: &[&Head]) -> Result<Vec<Live>> {
    let terms = terms_of(tx, heads).await?;
    let mut clients: Vec<CompanyId> = heads
        .iter()
        .map(|h| CompanyId::parse(&h.client_id).ok_or_else(|| corrupt("company id", &h.client_id)))
        .collect::<Result<_>>()?;
    clients.sort_unstable();
    clients.dedup();
    let companies = crate::companies::get_many(tx, &clients).await?;
    let firm = crate::firm::get(tx).await?;
    heads
        .iter()
        .map(|h| {
            let key = h.mission_id.as_deref().or(h.contract_id.as_deref());
            let (regime, po, days, eom, billing, contract_ref) = key
                .and_then(|k| terms.get(k).cloned())
                .ok_or_else(|| corrupt("invoice without mission or contract", &h.period))?;
            let regime = VatRegime::parse(&regime).ok_or_else(|| corrupt("vat regime", &regime))?;
            let company = companies
                .get(h.client_id.as_str())
                .ok_or(Error::NotFound)?
                .data
                .clone();
            let frozen = Frozen {
                seller: firm.clone().unwrap_or_else(blank_firm),
                buyer: buyer(&company),
                billing_address: billing,
                po_number: po,
                contract_reference: contract_ref,
                payment_days: days.clamp(0, 366) as u16,
                payment_end_of_month: eom,
                vat_regime: regime.as_str().to_owned(),
                buyer_reference: None,
                note: None,
            };
            Ok(Live {
                frozen,
                firm: firm.clone(),
                company,
            })
        })
        .collect()
}

/// The terms a draft was frozen with at drafting (`None` for drafts made
/// before drafting froze them: they take the live terms at issue).
pub(crate) fn drafted(h: &Head) -> Result<Option<Frozen>> {
    h.frozen
        .as_deref()
        .map(|f| Frozen::read(Some(f)))
        .transpose()
}

/// What finance changed on a draft (`invoices.draft_edits`), read back.
pub(crate) fn read_edit(stored: Option<&str>) -> Result<Option<DraftEdit>> {
    stored
        .map(|s| serde_json::from_str(s).map_err(|e| corrupt("draft edits", &e.to_string())))
        .transpose()
}

pub(super) async fn set_frozen(tx: &mut Tx, id: InvoiceId, frozen: &Frozen) -> Result<()> {
    let json = serde_json::to_string(frozen).map_err(|e| Error::Corrupt(e.to_string()))?;
    on_tx!(tx, |c| sqlx::query(
        "UPDATE invoices SET frozen = $2 WHERE id = $1"
    )
    .bind(id.to_string())
    .bind(&json)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// The lines whose VAT rate is no longer their mission's: (mission title,
/// drafted rate, rate now), by document.
pub(super) async fn rate_changes(
    tx: &mut Tx,
    ids: &[InvoiceId],
) -> Result<HashMap<InvoiceId, Vec<(String, i32, i32)>>> {
    let mut out: HashMap<InvoiceId, Vec<(String, i32, i32)>> = HashMap::new();
    for chunk in ids.chunks(crate::MAX_BINDS) {
        let sql = format!(
            "SELECT DISTINCT l.invoice_id, m.title, CAST(l.vat_rate_bp AS INTEGER), CAST(m.vat_rate_bp AS INTEGER)
             FROM invoice_lines l JOIN missions m ON m.id = l.mission_id
             WHERE l.invoice_id IN ({}) AND l.vat_rate_bp <> m.vat_rate_bp ORDER BY l.invoice_id, m.title",
            crate::values_list("?", chunk.len())
        );
        let rows: Vec<(String, String, i32, i32)> = on_tx!(tx, |c| {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()));
            for id in chunk {
                q = q.bind(id.to_string());
            }
            q.fetch_all(c).await
        })?;
        for (id, title, was, now) in rows {
            out.entry(crate::id(&id)?)
                .or_default()
                .push((title, was, now));
        }
    }
    Ok(out)
}

/// What changed since the draft `id` was frozen, in words (empty: it can
/// be issued as it stands). Shown on the draft's page with the way to
/// refresh it.
pub async fn terms_changes(tx: &mut Tx, id: InvoiceId) -> Result<Vec<Arg>> {
    let h = head(tx, id).await?;
    let now = live(tx, &h).await?.frozen;
    changes_of(tx, id, &h, &now).await
}

/// What differs between the draft `h` (invoice `id`) and the terms `now`.
pub(super) async fn changes_of(
    tx: &mut Tx,
    id: InvoiceId,
    h: &Head,
    now: &Frozen,
) -> Result<Vec<Arg>> {
    let rates = rate_changes(tx, &[id])
        .await?
        .remove(&id)
        .unwrap_or_default();
    changes(h, now, &rates)
}

/// What differs between the draft `h` and the terms `now`, given the
/// lines whose VAT rate changed since ([`rate_changes`]).
pub(super) fn changes(h: &Head, now: &Frozen, rates: &[(String, i32, i32)]) -> Result<Vec<Arg>> {
    let mut out: Vec<Arg> = match drafted(h)? {
        Some(f) => f.changes(now).into_iter().map(Arg::key).collect(),
        None => Vec::new(),
    };
    for (title, was, now) in rates {
        let pct = |bp: i32| -> Arg {
            domain::terms::VatRate::from_basis_points(bp.max(0) as u32)
                .map(Arg::Rate)
                .unwrap_or_else(|_| bp.into())
        };
        out.push(Arg::Message(
            "terms-change-vat-rate".into(),
            domain::args![
                ("title", title.clone()),
                ("was", pct(*was)),
                ("now", pct(*now))
            ],
        ));
    }
    Ok(out)
}
