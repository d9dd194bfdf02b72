//! Typed identifiers: a `CompanyId` cannot be passed where a `UserId` is expected.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! typed_id {
    ($($name:ident),* $(,)?) => {$(
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            pub fn new() -> Self {
                Self(Uuid::new_v4())
            }

            pub fn parse(s: &str) -> Option<Self> {
                Uuid::parse_str(s).ok().map(Self)
            }
        }

        impl std::str::FromStr for $name {
            type Err = ParseIdError;

            fn from_str(s: &str) -> Result<Self, ParseIdError> {
                Self::parse(s).ok_or_else(|| ParseIdError {
                    kind: stringify!($name),
                    value: s.to_owned(),
                })
            }
        }

        /// How a stored id is read back: the text column, parsed once.
        impl TryFrom<String> for $name {
            type Error = ParseIdError;

            fn try_from(s: String) -> Result<Self, ParseIdError> {
                s.parse()
            }
        }

        impl From<Uuid> for $name {
            fn from(u: Uuid) -> Self {
                Self(u)
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    )*};
}

/// A text that is not an id of the expected kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a {kind}: {value:?}")]
pub struct ParseIdError {
    pub kind: &'static str,
    pub value: String,
}

typed_id!(
    CompanyId,
    ContactId,
    UserId,
    ApiTokenId,
    AuditId,
    MissionId,
    AmendmentId,
    JobId,
    ContractId,
    DocumentId,
    SignatureRequestId,
    SignerId,
    CraId,
    LeaveRequestId,
    // Invoices and credit notes share one table and one id space.
    InvoiceId,
    PaymentId,
    AllocationId,
    BankAccountId,
    StatementId,
    BankLineId,
    LedgerEntryId,
    ExportId,
    EmailId,
    DunningNoticeId,
    DunningPauseId,
    LetteringId,
    RenewalTaskId,
    CloseRunId,
    // An agency (a branch office) of the firm: employees belong to one,
    // and bench cost may be carried by it.
    AgencyId,
    // A person's employee record, and one dated version of his cost.
    EmployeeId,
    CostVersionId,
    // The CRM: an opportunity (a client's need), a follow-up meeting.
    OpportunityId,
    MeetingId,
    // A commercial activity (a call, a meeting, an e-mail, a task): a row
    // of `tasks`, like the renewal follow-up tasks.
    ActivityId,
    // A consultant proposed on an opportunity.
    PositioningId,
    // A domain (direction métier) of a key account's plan.
    AccountDomainId,
    // A saved view of the opportunity list.
    OpportunityViewId,
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_through_text() {
        let id = CompanyId::new();
        assert_eq!(CompanyId::parse(&id.to_string()), Some(id));
        assert_eq!(CompanyId::parse("not-a-uuid"), None);
    }

    #[test]
    fn ids_read_back_from_stored_text() {
        let id = InvoiceId::new();
        assert_eq!(InvoiceId::try_from(id.to_string()), Ok(id));
        assert_eq!(id.to_string().parse::<InvoiceId>(), Ok(id));
        let err = PaymentId::try_from("INV-1".to_string()).unwrap_err();
        assert_eq!(err.kind, "PaymentId");
        assert_eq!(err.to_string(), "not a PaymentId: \"INV-1\"");
    }
}
