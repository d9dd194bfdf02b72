//! The client commercial contract (framework agreement or purchase order)
//! that a key account must sign before any invoice.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::ids::CompanyId;
use crate::terms::PaymentTerms;
use crate::validation::{ErrorKey, ValidationErrors, text};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContractKind {
    Framework,
    PurchaseOrder,
}

impl ContractKind {
    pub const ALL: [ContractKind; 2] = [ContractKind::Framework, ContractKind::PurchaseOrder];

    pub fn as_str(self) -> &'static str {
        match self {
            ContractKind::Framework => "framework",
            ContractKind::PurchaseOrder => "purchase_order",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label_key(self) -> String {
        format!("contract-kind-{}", self.as_str().replace('_', "-"))
    }
}

/// How the month's validated days of the contract's missions go onto
/// invoices: one invoice per mission (the default), or every mission of the
/// contract on one invoice (a client that wants one document per month).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvoiceGrouping {
    #[default]
    PerMission,
    PerContract,
}

impl InvoiceGrouping {
    pub const ALL: [InvoiceGrouping; 2] =
        [InvoiceGrouping::PerMission, InvoiceGrouping::PerContract];

    pub fn as_str(self) -> &'static str {
        match self {
            InvoiceGrouping::PerMission => "per_mission",
            InvoiceGrouping::PerContract => "per_contract",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label_key(self) -> String {
        format!("contract-grouping-{}", self.as_str().replace('_', "-"))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContractStatus {
    Draft,
    Sent,
    Signed,
    Cancelled,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContractEvent {
    Send,
    Sign,
    Cancel,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("illegal contract transition from {from:?} on {event:?}")]
pub struct ContractTransitionError {
    pub from: ContractStatus,
    pub event: ContractEvent,
}

impl ErrorKey for ContractTransitionError {
    fn key(&self) -> &'static str {
        "contract-illegal-transition"
    }
}

impl ContractStatus {
    pub const ALL: [ContractStatus; 4] = [
        ContractStatus::Draft,
        ContractStatus::Sent,
        ContractStatus::Signed,
        ContractStatus::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ContractStatus::Draft => "draft",
            ContractStatus::Sent => "sent",
            ContractStatus::Signed => "signed",
            ContractStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label_key(self) -> String {
        format!("contract-status-{}", self.as_str())
    }

    /// A draft may be signed directly (a paper contract signed on the spot);
    /// a signed contract is final: ending it early is an amendment, not a
    /// status change, so the invoices it allowed stay justified.
    pub fn transition(
        self,
        event: ContractEvent,
    ) -> Result<ContractStatus, ContractTransitionError> {
        use ContractEvent::*;
        use ContractStatus::*;
        match (self, event) {
            (Draft, Send) => Ok(Sent),
            (Draft | Sent, Sign) => Ok(Signed),
            (Draft | Sent, Cancel) => Ok(Cancelled),
            (from, event) => Err(ContractTransitionError { from, event }),
        }
    }

    pub fn allows_invoicing(self) -> bool {
        self == ContractStatus::Signed
    }
}

/// What the key-account lock looks at for one mission: whether invoicing is
/// locked on it, and the status of its client contract (none when the
/// mission has none yet, or when the stored status is not one we know).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyAccountFacts {
    pub invoicing_locked: bool,
    pub contract: Option<ContractStatus>,
}

impl KeyAccountFacts {
    /// No signed contract, no invoice: the lock holds when invoicing is
    /// locked on the mission and its contract does not allow invoicing
    /// (there is none, or it is not signed). The revenue is then booked as
    /// accrued (FAE) and released when the contract is signed.
    pub fn lock_holds(self) -> bool {
        self.invoicing_locked && !self.contract.is_some_and(ContractStatus::allows_invoicing)
    }
}

/// An invoice waits for a signature when the lock holds for one of the
/// missions it bills.
pub fn invoice_waits(missions: impl IntoIterator<Item = KeyAccountFacts>) -> bool {
    missions.into_iter().any(KeyAccountFacts::lock_holds)
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct ContractInput {
    pub client_id: String,
    pub kind: String,
    pub reference: String,
    pub title: String,
    pub valid_from: String,
    pub valid_to: String,
    /// Ceiling in days (half days allowed), blank for none.
    pub ceiling_days: String,
    /// Ceiling in euros excluding VAT, blank for none.
    pub ceiling_amount: String,
    pub payment_days: String,
    pub payment_end_of_month: bool,
    /// `per_mission` or `per_contract`; blank for one invoice per mission.
    pub invoice_grouping: String,
    /// `true` or `false`; blank for true (the month-end close issues the
    /// invoices; false keeps them as drafts for someone to review and issue).
    pub issue_at_close: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContractData {
    pub client_id: CompanyId,
    pub kind: ContractKind,
    pub reference: String,
    pub title: String,
    pub valid_from: Date,
    pub valid_to: Option<Date>,
    pub ceiling_days: Option<crate::mission::DayQuantity>,
    pub ceiling_amount: Option<crate::money::Money>,
    pub payment_terms: PaymentTerms,
    #[serde(flatten)]
    pub invoicing: ContractInvoicing,
}

/// What the month-end close does with the contract's invoices. Not part of
/// what the client signs: it may change at any time (see
/// `store::contracts::set_invoicing`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ContractInvoicing {
    pub invoice_grouping: InvoiceGrouping,
    pub issue_at_close: bool,
}

impl Default for ContractInvoicing {
    fn default() -> Self {
        ContractInvoicing {
            invoice_grouping: InvoiceGrouping::PerMission,
            issue_at_close: true,
        }
    }
}

/// The invoicing settings as typed in a form.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct ContractInvoicingInput {
    pub invoice_grouping: String,
    pub issue_at_close: String,
}

impl ContractInvoicingInput {
    pub fn validate(&self) -> Result<ContractInvoicing, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let v = invoicing(&mut e, &self.invoice_grouping, &self.issue_at_close);
        e.into_result(|| v.expect("checked"))
    }
}

/// Parses the two settings, adding an error per bad field; blanks take the
/// defaults.
fn invoicing(
    e: &mut ValidationErrors,
    grouping: &str,
    issue_at_close: &str,
) -> Option<ContractInvoicing> {
    let invoice_grouping = match grouping.trim() {
        "" => Some(InvoiceGrouping::default()),
        s => InvoiceGrouping::parse(s).or_else(|| {
            e.add("invoice_grouping", "contract-grouping-invalid");
            None
        }),
    };
    let issue_at_close = match issue_at_close.trim() {
        "" | "true" => Some(true),
        "false" => Some(false),
        _ => {
            e.add("issue_at_close", "contract-issue-at-close-invalid");
            None
        }
    };
    Some(ContractInvoicing {
        invoice_grouping: invoice_grouping?,
        issue_at_close: issue_at_close?,
    })
}

struct AmountError(&'static str);

impl ErrorKey for AmountError {
    fn key(&self) -> &'static str {
        self.0
    }
}

impl ContractInput {
    pub fn validate(&self) -> Result<ContractData, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let client_id = match CompanyId::parse(self.client_id.trim()) {
            Some(id) => Some(id),
            None => {
                e.add(
                    "client_id",
                    if self.client_id.trim().is_empty() {
                        "field-required"
                    } else {
                        "id-unknown-record"
                    },
                );
                None
            }
        };
        let kind = match ContractKind::parse(self.kind.trim()) {
            Some(k) => Some(k),
            None if self.kind.trim().is_empty() => Some(ContractKind::Framework),
            None => {
                e.add("kind", "contract-kind-invalid");
                None
            }
        };
        let reference = e.required("reference", &self.reference, |s| text(s, 60));
        let title = e.required("title", &self.title, |s| text(s, 200));
        let valid_from = e.required("valid_from", &self.valid_from, |s| {
            crate::validation::date(s)
        });
        let valid_to = e.optional("valid_to", &self.valid_to, crate::validation::date);
        if let (Some(from), Some(to)) = (valid_from, valid_to)
            && to < from
        {
            e.add("valid_to", "contract-end-before-start");
        }
        let ceiling_days = e.optional("ceiling_days", &self.ceiling_days, |s| {
            crate::mission::DayQuantity::parse(s)
                .map_err(|_| AmountError("days-invalid"))
                .and_then(|d| {
                    if d.half_days() == 0 {
                        Err(AmountError("contract-ceiling-not-positive"))
                    } else {
                        Ok(d)
                    }
                })
        });
        let ceiling_amount = e.optional("ceiling_amount", &self.ceiling_amount, |s| {
            crate::money::Money::parse(s)
                .map_err(|m| AmountError(m.key()))
                .and_then(|m| {
                    if m.cents() <= 0 {
                        Err(AmountError("contract-ceiling-not-positive"))
                    } else {
                        Ok(m)
                    }
                })
        });
        let payment_terms = if self.payment_days.trim().is_empty() && !self.payment_end_of_month {
            Some(PaymentTerms::default())
        } else {
            e.required("payment_days", &self.payment_days, |s| {
                PaymentTerms::parse(s, self.payment_end_of_month)
            })
        };
        let invoicing = invoicing(&mut e, &self.invoice_grouping, &self.issue_at_close);
        e.into_result(|| ContractData {
            client_id: client_id.expect("checked"),
            kind: kind.expect("checked"),
            reference: reference.expect("checked"),
            title: title.expect("checked"),
            valid_from: valid_from.expect("checked"),
            valid_to,
            ceiling_days,
            ceiling_amount,
            payment_terms: payment_terms.expect("checked"),
            invoicing: invoicing.expect("checked"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> ContractInput {
        ContractInput {
            client_id: CompanyId::new().to_string(),
            kind: "framework".into(),
            reference: "CC-2026-01".into(),
            title: "Contrat cadre d'assistance technique".into(),
            valid_from: "01/09/2026".into(),
            valid_to: "31/08/2027".into(),
            ceiling_amount: "150 000".into(),
            ..Default::default()
        }
    }

    #[test]
    fn every_status_event_pair_is_decided() {
        use ContractEvent::*;
        use ContractStatus::*;
        let legal = [
            (Draft, Send, Sent),
            (Draft, Sign, Signed),
            (Sent, Sign, Signed),
            (Draft, Cancel, Cancelled),
            (Sent, Cancel, Cancelled),
        ];
        for from in ContractStatus::ALL {
            for event in [Send, Sign, Cancel] {
                let expected = legal
                    .iter()
                    .find(|(f, e, _)| *f == from && *e == event)
                    .map(|(_, _, to)| *to);
                assert_eq!(from.transition(event).ok(), expected, "{from:?} {event:?}");
            }
        }
        assert!(Signed.allows_invoicing() && !Sent.allows_invoicing());
    }

    #[test]
    fn the_key_account_lock_holds_until_the_contract_is_signed() {
        let contracts = std::iter::once(None).chain(ContractStatus::ALL.map(Some));
        for invoicing_locked in [false, true] {
            for contract in contracts.clone() {
                let facts = KeyAccountFacts {
                    invoicing_locked,
                    contract,
                };
                let expected = invoicing_locked && contract != Some(ContractStatus::Signed);
                assert_eq!(facts.lock_holds(), expected, "{facts:?}");
            }
        }
        let open = KeyAccountFacts {
            invoicing_locked: false,
            contract: None,
        };
        let locked = KeyAccountFacts {
            invoicing_locked: true,
            contract: Some(ContractStatus::Sent),
        };
        assert!(!invoice_waits([]));
        assert!(!invoice_waits([open, open]));
        assert!(invoice_waits([open, locked]));
    }

    #[test]
    fn a_valid_contract_parses() {
        let c = input().validate().unwrap();
        assert_eq!(c.ceiling_amount.unwrap().cents(), 15_000_000);
        assert_eq!(c.payment_terms, PaymentTerms::default());
        // Blank settings: one invoice per mission, issued at the close.
        assert_eq!(c.invoicing, ContractInvoicing::default());
        assert_eq!(c.invoicing.invoice_grouping, InvoiceGrouping::PerMission);
        assert!(c.invoicing.issue_at_close);
    }

    #[test]
    fn invoicing_settings_parse_and_name_their_fields() {
        let mut i = input();
        i.invoice_grouping = "per_contract".into();
        i.issue_at_close = "false".into();
        let c = i.validate().unwrap();
        assert_eq!(
            c.invoicing,
            ContractInvoicing {
                invoice_grouping: InvoiceGrouping::PerContract,
                issue_at_close: false,
            }
        );
        i.invoice_grouping = "per_client".into();
        i.issue_at_close = "sometimes".into();
        let e = i.validate().unwrap_err();
        assert_eq!(
            e.for_field("invoice_grouping").unwrap().key,
            "contract-grouping-invalid"
        );
        assert_eq!(
            e.for_field("issue_at_close").unwrap().key,
            "contract-issue-at-close-invalid"
        );
        let alone = ContractInvoicingInput {
            invoice_grouping: " per_mission ".into(),
            issue_at_close: "true".into(),
        };
        assert_eq!(alone.validate().unwrap(), ContractInvoicing::default());
        assert!(
            ContractInvoicingInput {
                invoice_grouping: "PerContract".into(),
                ..Default::default()
            }
            .validate()
            .is_err()
        );
    }

    #[test]
    fn groupings_round_trip_through_their_stored_names() {
        for g in InvoiceGrouping::ALL {
            assert_eq!(InvoiceGrouping::parse(g.as_str()), Some(g));
        }
        // The names the migration's CHECK constraint allows.
        assert_eq!(InvoiceGrouping::PerMission.as_str(), "per_mission");
        assert_eq!(InvoiceGrouping::PerContract.as_str(), "per_contract");
        assert_eq!(
            InvoiceGrouping::PerContract.label_key(),
            "contract-grouping-per-contract"
        );
    }

    #[test]
    fn bad_contracts_name_their_fields() {
        let mut i = input();
        i.valid_to = "01/01/2026".into();
        i.ceiling_days = "0".into();
        i.payment_days = "75".into();
        i.reference.clear();
        let e = i.validate().unwrap_err();
        assert_eq!(
            e.for_field("valid_to").unwrap().key,
            "contract-end-before-start"
        );
        assert_eq!(
            e.for_field("ceiling_days").unwrap().key,
            "contract-ceiling-not-positive"
        );
        assert_eq!(
            e.for_field("payment_days").unwrap().key,
            "terms-over-legal-cap"
        );
        assert_eq!(e.for_field("reference").unwrap().key, "field-required");
    }
}
