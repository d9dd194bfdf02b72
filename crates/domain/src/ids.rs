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
    LeaveRequestId
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
}
