//! The built-in simple electronic signature: who signs in which order, the
//! life of a signature request, the rules of the signing link and its
//! one-time code, and the hash chain that makes the audit trail tamper
//! evident.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};

use crate::identifiers::Email;
use crate::validation::{ErrorKey, ValidationErrors, text};

pub mod mail;

/// How long a signing link stays valid; a reminder issues a fresh one.
pub const LINK_VALIDITY: Duration = Duration::days(7);
/// How long a request waits for its signers before it expires.
pub const REQUEST_VALIDITY: Duration = Duration::days(30);
/// Wrong codes tolerated on one link before it is locked (a six-digit
/// code is only safe against guessing with a small budget).
pub const MAX_CODE_ATTEMPTS: i32 = 5;
/// Silence after which an invited signer is reminded.
pub const REMIND_AFTER: Duration = Duration::days(3);
pub const MAX_REMINDERS: i32 = 3;
/// Largest paper scan accepted, in bytes.
pub const MAX_SCAN_BYTES: usize = 10 * 1024 * 1024;
/// Signers of one request (the form offers this many rows).
pub const MAX_SIGNERS: usize = 3;

/// The consent a signer accepts, shown beside the box he ticks and copied
/// into the signature page.
pub const CONSENT_FR: &str = "J’ai lu le document et j’accepte de le signer électroniquement ; \
     je reconnais que cette signature m’engage comme une signature manuscrite.";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    MissionOrder,
    ClientContract,
    Amendment,
    /// A paper original, scanned and uploaded by finance.
    PaperScan,
    /// A consultant's monthly activity report, sent to the client for
    /// validation (one per mission: each client sees only his days).
    ActivityReport,
}

impl DocumentKind {
    pub const ALL: [DocumentKind; 5] = [
        DocumentKind::MissionOrder,
        DocumentKind::ClientContract,
        DocumentKind::Amendment,
        DocumentKind::PaperScan,
        DocumentKind::ActivityReport,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DocumentKind::MissionOrder => "mission_order",
            DocumentKind::ClientContract => "client_contract",
            DocumentKind::Amendment => "amendment",
            DocumentKind::PaperScan => "paper_scan",
            DocumentKind::ActivityReport => "activity_report",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label_key(self) -> String {
        format!("document-kind-{}", self.as_str().replace('_', "-"))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestStatus {
    Pending,
    Completed,
    Declined,
    Cancelled,
    Expired,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestEvent {
    /// The last signer signed.
    Complete,
    Decline,
    Cancel,
    Expire,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("illegal signature request transition from {from:?} on {event:?}")]
pub struct RequestTransitionError {
    pub from: RequestStatus,
    pub event: RequestEvent,
}

impl ErrorKey for RequestTransitionError {
    fn key(&self) -> &'static str {
        "esign-request-closed"
    }
}

impl RequestStatus {
    pub const ALL: [RequestStatus; 5] = [
        RequestStatus::Pending,
        RequestStatus::Completed,
        RequestStatus::Declined,
        RequestStatus::Cancelled,
        RequestStatus::Expired,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RequestStatus::Pending => "pending",
            RequestStatus::Completed => "completed",
            RequestStatus::Declined => "declined",
            RequestStatus::Cancelled => "cancelled",
            RequestStatus::Expired => "expired",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label_key(self) -> String {
        format!("esign-status-{}", self.as_str())
    }

    /// Only a pending request moves; every other status is final (a new
    /// request is sent instead, so each trail tells one story).
    pub fn transition(self, event: RequestEvent) -> Result<RequestStatus, RequestTransitionError> {
        use RequestEvent::*;
        use RequestStatus::*;
        match (self, event) {
            (Pending, Complete) => Ok(Completed),
            (Pending, Decline) => Ok(Declined),
            (Pending, Cancel) => Ok(Cancelled),
            (Pending, Expire) => Ok(Expired),
            (from, event) => Err(RequestTransitionError { from, event }),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignerStatus {
    /// Not his turn yet: an earlier signer has not signed.
    Waiting,
    Invited,
    Signed,
    Declined,
}

impl SignerStatus {
    pub const ALL: [SignerStatus; 4] = [
        SignerStatus::Waiting,
        SignerStatus::Invited,
        SignerStatus::Signed,
        SignerStatus::Declined,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SignerStatus::Waiting => "waiting",
            SignerStatus::Invited => "invited",
            SignerStatus::Signed => "signed",
            SignerStatus::Declined => "declined",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label_key(self) -> String {
        format!("esign-signer-{}", self.as_str())
    }
}

/// One row of the "signers" part of a sending form.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct SignerInput {
    pub name: String,
    pub email: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SignerData {
    pub name: String,
    pub email: Email,
}

/// The form field names of signer row `i` (fixed so that errors can name
/// them).
pub const SIGNER_FIELDS: [(&str, &str); MAX_SIGNERS] = [
    ("signer_name_1", "signer_email_1"),
    ("signer_name_2", "signer_email_2"),
    ("signer_name_3", "signer_email_3"),
];

/// Checks the signer rows of a form, in signing order. Blank rows are
/// skipped; a row with a name and no e-mail is an error (the link can only
/// reach a signer by e-mail); at least one signer; one e-mail once.
pub fn validate_signers(rows: &[SignerInput]) -> Result<Vec<SignerData>, ValidationErrors> {
    let mut e = ValidationErrors::new();
    let mut signers: Vec<SignerData> = Vec::new();
    if rows.len() > MAX_SIGNERS {
        e.add("signer_name_1", "esign-too-many-signers");
    }
    for (row, (name_field, email_field)) in rows.iter().zip(SIGNER_FIELDS) {
        if row.name.trim().is_empty() && row.email.trim().is_empty() {
            continue;
        }
        let name = e.required(name_field, &row.name, |s| text(s, 120));
        if row.email.trim().is_empty() {
            e.add(email_field, "esign-signer-email-required");
            continue;
        }
        let email = e.optional(email_field, &row.email, Email::parse);
        if let (Some(name), Some(email)) = (name, email) {
            let same = |s: &SignerData| s.email.as_str().eq_ignore_ascii_case(email.as_str());
            if signers.iter().any(same) {
                e.add(email_field, "esign-signer-duplicate");
            } else {
                signers.push(SignerData { name, email });
            }
        }
    }
    if signers.is_empty() && e.is_empty() {
        e.add("signer_name_1", "esign-no-signer");
    }
    e.into_result(|| signers)
}

/// Why a signing link cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkRefusal {
    Unknown,
    Expired,
    /// Already signed or declined through it.
    Used,
    /// Too many wrong codes.
    Locked,
    /// The request is no longer pending (completed, declined, cancelled).
    Closed,
    /// An earlier signer has not signed yet.
    NotYourTurn,
}

impl ErrorKey for LinkRefusal {
    fn key(&self) -> &'static str {
        match self {
            LinkRefusal::Unknown => "esign-link-unknown",
            LinkRefusal::Expired => "esign-link-expired",
            LinkRefusal::Used => "esign-link-used",
            LinkRefusal::Locked => "esign-link-locked",
            LinkRefusal::Closed => "esign-link-closed",
            LinkRefusal::NotYourTurn => "esign-link-not-your-turn",
        }
    }
}

/// What the store knows of a link when someone presents it.
#[derive(Debug, Clone, Copy)]
pub struct LinkState {
    pub request: RequestStatus,
    pub signer: SignerStatus,
    pub expires_at: OffsetDateTime,
    pub code_attempts: i32,
}

/// Whether a link may be used at `now`; the order of checks decides which
/// message a person sees, the most useful first.
pub fn check_link(state: &LinkState, now: OffsetDateTime) -> Result<(), LinkRefusal> {
    // A link is spent once its signer signed or declined (a replaced link
    // is simply unknown: its hash is gone).
    if matches!(state.signer, SignerStatus::Signed | SignerStatus::Declined) {
        return Err(LinkRefusal::Used);
    }
    if state.request != RequestStatus::Pending {
        return Err(LinkRefusal::Closed);
    }
    if state.signer == SignerStatus::Waiting {
        return Err(LinkRefusal::NotYourTurn);
    }
    if now >= state.expires_at {
        return Err(LinkRefusal::Expired);
    }
    if state.code_attempts >= MAX_CODE_ATTEMPTS {
        return Err(LinkRefusal::Locked);
    }
    Ok(())
}

/// Whether an invited signer is due a reminder at `now`.
pub fn reminder_due(
    last_invited_at: OffsetDateTime,
    reminders_sent: i32,
    now: OffsetDateTime,
) -> bool {
    reminders_sent < MAX_REMINDERS && now - last_invited_at >= REMIND_AFTER
}

/// A six-digit one-time code from random bytes (uniform enough: the
/// modulo bias of 2^64 over 10^6 is below 10^-13).
pub fn code_from_random(bytes: [u8; 8]) -> String {
    format!("{:06}", u64::from_le_bytes(bytes) % 1_000_000)
}

/// A typed code compared with the expected one, ignoring spaces people
/// put in when copying.
pub fn normalize_code(typed: &str) -> String {
    typed.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The typed name must be the signer's name (case, accents and spaces
/// aside): typing it is the act of signing, not a formality.
pub fn typed_name_matches(expected: &str, typed: &str) -> bool {
    let key = |s: &str| {
        crate::validation::fold_accents(s)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    !typed.trim().is_empty() && key(expected) == key(typed)
}

/// The first link of the chain points at this.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The facts of one audit event that its hash covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditFacts {
    pub seq: i64,
    /// RFC 3339, as stored.
    pub at: String,
    pub kind: String,
    pub actor: String,
    pub ip: String,
    pub user_agent: String,
    pub document_sha256: String,
    pub detail: String,
}

/// The hash of an event: SHA-256 over the previous hash and every field,
/// each length-prefixed so that no two different events share an input.
pub fn chain_hash(previous: &str, facts: &AuditFacts) -> String {
    let mut h = Sha256::new();
    let seq = facts.seq.to_string();
    for part in [
        previous,
        seq.as_str(),
        &facts.at,
        &facts.kind,
        &facts.actor,
        &facts.ip,
        &facts.user_agent,
        &facts.document_sha256,
        &facts.detail,
    ] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part.as_bytes());
    }
    hex_lower(&h.finalize())
}

fn hex_lower(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// SHA-256 of a document, lowercase hexadecimal.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex_lower(&Sha256::digest(bytes))
}

/// A stored event: its facts, the hash it claims and the one before.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainedEvent {
    pub facts: AuditFacts,
    pub previous_hash: String,
    pub hash: String,
}

/// Where a trail stops being trustworthy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChainBreak {
    /// The sequence number of the first event that does not check out.
    pub seq: i64,
}

/// Checks that the events follow each other (1, 2, 3…), that each points
/// at the hash of the one before, and that each hash covers its facts.
pub fn verify_chain(events: &[ChainedEvent]) -> Result<(), ChainBreak> {
    let mut previous = GENESIS.to_owned();
    for (i, e) in events.iter().enumerate() {
        let expected_seq = i as i64 + 1;
        if e.facts.seq != expected_seq
            || e.previous_hash != previous
            || chain_hash(&previous, &e.facts) != e.hash
        {
            return Err(ChainBreak { seq: e.facts.seq });
        }
        previous = e.hash.clone();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::datetime;

    fn row(name: &str, email: &str) -> SignerInput {
        SignerInput {
            name: name.into(),
            email: email.into(),
        }
    }

    #[test]
    fn signers_keep_their_order_and_skip_blank_rows() {
        let s = validate_signers(&[
            row("Camille Martin", "camille@stafforia.fr"),
            row("", ""),
            row("Paul Durand", "paul@stafforia.fr"),
        ])
        .unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].name, "Camille Martin");
        assert_eq!(s[1].email.as_str(), "paul@stafforia.fr");
    }

    #[test]
    fn a_signer_without_email_is_refused_on_his_row() {
        let e = validate_signers(&[row("A", "a@x.fr"), row("Sans Mail", "  ")]).unwrap_err();
        assert_eq!(
            e.for_field("signer_email_2").unwrap().key,
            "esign-signer-email-required"
        );
    }

    #[test]
    fn no_signer_duplicate_or_bad_email_is_refused() {
        assert_eq!(
            validate_signers(&[row("", "")]).unwrap_err().0[0].key,
            "esign-no-signer"
        );
        let dup = validate_signers(&[row("A", "a@x.fr"), row("B", "A@X.fr")]).unwrap_err();
        assert_eq!(
            dup.for_field("signer_email_2").unwrap().key,
            "esign-signer-duplicate"
        );
        let bad = validate_signers(&[row("A", "not an email")]).unwrap_err();
        assert!(bad.for_field("signer_email_1").is_some());
        let nameless = validate_signers(&[row("", "a@x.fr")]).unwrap_err();
        assert_eq!(
            nameless.for_field("signer_name_1").unwrap().key,
            "field-required"
        );
    }

    #[test]
    fn only_a_pending_request_moves() {
        use RequestEvent::*;
        for event in [Complete, Decline, Cancel, Expire] {
            assert!(RequestStatus::Pending.transition(event).is_ok());
            for from in RequestStatus::ALL
                .into_iter()
                .filter(|s| *s != RequestStatus::Pending)
            {
                assert!(from.transition(event).is_err(), "{from:?} {event:?}");
            }
        }
    }

    fn state() -> LinkState {
        LinkState {
            request: RequestStatus::Pending,
            signer: SignerStatus::Invited,
            expires_at: datetime!(2026-12-01 00:00 UTC),
            code_attempts: 0,
        }
    }

    #[test]
    fn links_expire_are_single_use_and_lock_after_wrong_codes() {
        let now = datetime!(2026-11-29 12:00 UTC);
        assert_eq!(check_link(&state(), now), Ok(()));
        assert_eq!(
            check_link(&state(), datetime!(2026-12-01 00:00 UTC)),
            Err(LinkRefusal::Expired)
        );
        let declined = LinkState {
            signer: SignerStatus::Declined,
            ..state()
        };
        assert_eq!(check_link(&declined, now), Err(LinkRefusal::Used));
        let signed = LinkState {
            signer: SignerStatus::Signed,
            ..state()
        };
        assert_eq!(check_link(&signed, now), Err(LinkRefusal::Used));
        let locked = LinkState {
            code_attempts: MAX_CODE_ATTEMPTS,
            ..state()
        };
        assert_eq!(check_link(&locked, now), Err(LinkRefusal::Locked));
        let waiting = LinkState {
            signer: SignerStatus::Waiting,
            ..state()
        };
        assert_eq!(check_link(&waiting, now), Err(LinkRefusal::NotYourTurn));
        let closed = LinkState {
            request: RequestStatus::Cancelled,
            ..state()
        };
        assert_eq!(check_link(&closed, now), Err(LinkRefusal::Closed));
    }

    #[test]
    fn reminders_wait_three_days_and_stop_after_three() {
        let invited = datetime!(2026-11-20 09:00 UTC);
        assert!(!reminder_due(invited, 0, datetime!(2026-11-23 08:59 UTC)));
        assert!(reminder_due(invited, 0, datetime!(2026-11-23 09:00 UTC)));
        assert!(!reminder_due(
            invited,
            MAX_REMINDERS,
            datetime!(2026-12-20 09:00 UTC)
        ));
    }

    #[test]
    fn codes_have_six_digits_and_typed_names_ignore_case_and_accents() {
        assert_eq!(code_from_random([0; 8]), "000000");
        assert_eq!(code_from_random(u64::MAX.to_le_bytes()).len(), 6);
        assert_eq!(normalize_code(" 123 456 "), "123456");
        assert!(typed_name_matches("Hélène  Dupré", "helene dupre"));
        assert!(!typed_name_matches("Hélène Dupré", "Hélène"));
        assert!(!typed_name_matches("Hélène Dupré", "  "));
    }

    fn facts(seq: i64, kind: &str) -> AuditFacts {
        AuditFacts {
            seq,
            at: format!("2026-11-29T10:00:0{seq}Z"),
            kind: kind.into(),
            actor: "camille@stafforia.fr".into(),
            ip: "127.0.0.1".into(),
            user_agent: "Chromium".into(),
            document_sha256: sha256_hex(b"doc"),
            detail: String::new(),
        }
    }

    fn chain(kinds: &[&str]) -> Vec<ChainedEvent> {
        let mut previous = GENESIS.to_owned();
        kinds
            .iter()
            .enumerate()
            .map(|(i, k)| {
                let f = facts(i as i64 + 1, k);
                let hash = chain_hash(&previous, &f);
                let e = ChainedEvent {
                    facts: f,
                    previous_hash: previous.clone(),
                    hash: hash.clone(),
                };
                previous = hash;
                e
            })
            .collect()
    }

    #[test]
    fn a_chain_checks_out_until_an_event_is_altered_removed_or_reordered() {
        let good = chain(&["sent", "viewed", "signed", "completed"]);
        assert_eq!(verify_chain(&good), Ok(()));
        let mut altered = good.clone();
        altered[1].facts.ip = "10.0.0.1".into();
        assert_eq!(verify_chain(&altered), Err(ChainBreak { seq: 2 }));
        let mut removed = good.clone();
        removed.remove(2);
        assert_eq!(verify_chain(&removed), Err(ChainBreak { seq: 4 }));
        let mut swapped = good.clone();
        swapped.swap(1, 2);
        assert!(verify_chain(&swapped).is_err());
    }

    #[test]
    fn field_boundaries_matter_to_the_hash() {
        let mut a = facts(1, "sent");
        let mut b = a.clone();
        a.actor = "ab".into();
        a.ip = "c".into();
        b.actor = "a".into();
        b.ip = "bc".into();
        assert_ne!(chain_hash(GENESIS, &a), chain_hash(GENESIS, &b));
    }

    proptest! {
        #[test]
        fn any_single_field_change_breaks_the_chain(ip in "[0-9.]{1,15}", n in 1usize..6) {
            let kinds = ["sent", "viewed", "signed", "reminded", "completed", "x"];
            let good = chain(&kinds[..n]);
            prop_assert!(verify_chain(&good).is_ok());
            let mut bad = good.clone();
            let last = bad.len() - 1;
            if bad[last].facts.ip != ip {
                bad[last].facts.ip = ip;
                prop_assert!(verify_chain(&bad).is_err());
            }
        }
    }
}
