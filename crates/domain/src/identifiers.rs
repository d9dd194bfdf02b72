//! French business identifiers, IBANs and e-mail addresses.
//!
//! Each type can only hold a value that passed its checks, so code that
//! receives a `Siret` never re-validates it. Fields are private for that
//! reason; the normalized text is available through `as_str()`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Why an identifier was refused. Variants are precise because the user is
/// told which check failed (a typo in the length and in the key call for
/// different corrections).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentifierError {
    #[error("empty")]
    Empty,
    #[error("expected {expected} characters, found {found}")]
    WrongLength { expected: usize, found: usize },
    #[error("only digits are allowed")]
    NotDigits,
    #[error("check digit mismatch")]
    ChecksumFailed,
    #[error("wrong country code {found:?}")]
    WrongCountry { found: String },
    #[error("the SIREN part is invalid")]
    InvalidSiren,
    #[error("the VAT key must be two digits")]
    InvalidKey,
    #[error("wrong VAT key, expected {expected}")]
    WrongKey { expected: String },
    #[error("invalid characters")]
    InvalidCharacters,
    #[error("unknown country code")]
    UnknownCountry,
    #[error("invalid e-mail address")]
    InvalidEmail,
}

impl IdentifierError {
    /// Translation key of the message shown to the user.
    pub fn key(&self) -> &'static str {
        match self {
            IdentifierError::Empty => "id-empty",
            IdentifierError::WrongLength { .. } => "id-wrong-length",
            IdentifierError::NotDigits => "id-not-digits",
            IdentifierError::ChecksumFailed => "id-checksum",
            IdentifierError::WrongCountry { .. } => "id-wrong-country",
            IdentifierError::InvalidSiren => "id-invalid-siren",
            IdentifierError::InvalidKey => "id-invalid-key",
            IdentifierError::WrongKey { .. } => "id-wrong-key",
            IdentifierError::InvalidCharacters => "id-invalid-characters",
            IdentifierError::UnknownCountry => "id-unknown-country",
            IdentifierError::InvalidEmail => "id-invalid-email",
        }
    }

    /// Variables of the translated message.
    pub fn args(&self) -> Vec<(&'static str, crate::message::Arg)> {
        match self {
            IdentifierError::WrongLength { expected, found } => {
                crate::args![("expected", *expected), ("found", *found)]
            }
            IdentifierError::WrongCountry { found } => crate::args![("found", found)],
            IdentifierError::WrongKey { expected } => crate::args![("expected", expected)],
            _ => Vec::new(),
        }
    }
}

/// Removes the separators people copy from Kbis extracts, invoices and
/// bank statements (spaces of all kinds, dots, dashes) and uppercases, so
/// "404 833 048", "404.833.048" and "fr 83-404…" all normalize alike.
fn normalize(input: &str) -> String {
    input
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{A0}' | '\u{202F}' | '.' | '-' | '\t'))
        .flat_map(char::to_uppercase)
        .collect()
}

fn check_digits_only(s: &str, expected_len: usize) -> Result<(), IdentifierError> {
    if s.is_empty() {
        return Err(IdentifierError::Empty);
    }
    if !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(IdentifierError::NotDigits);
    }
    if s.len() != expected_len {
        return Err(IdentifierError::WrongLength {
            expected: expected_len,
            found: s.len(),
        });
    }
    Ok(())
}

/// Luhn sum of ASCII digits (rightmost digit not doubled).
fn luhn_sum(digits: &[u8]) -> u32 {
    digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let x = d * 2;
                if x > 9 { x - 9 } else { x }
            } else {
                d
            }
        })
        .sum()
}

fn luhn_valid(digits: &[u8]) -> bool {
    luhn_sum(digits).is_multiple_of(10)
}

/// The digit that, appended to `payload`, makes it pass Luhn.
fn luhn_check_digit(payload: &[u8]) -> u8 {
    // Appending a digit shifts every payload digit one place left, so the
    // payload is summed as if followed by a 0 and the gap is made up.
    let mut with_zero = payload.to_vec();
    with_zero.push(b'0');
    let sum = luhn_sum(&with_zero);
    // `sum % 10` is below 10, so the result always fits in a digit.
    b'0' + ((10 - sum % 10) % 10) as u8
}

macro_rules! string_newtype_impls {
    ($t:ty) => {
        impl $t {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl FromStr for $t {
            type Err = IdentifierError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                <$t>::parse(s)
            }
        }

        impl TryFrom<String> for $t {
            type Error = IdentifierError;

            fn try_from(s: String) -> Result<Self, Self::Error> {
                <$t>::parse(&s)
            }
        }

        impl From<$t> for String {
            fn from(v: $t) -> String {
                v.0
            }
        }

        impl AsRef<str> for $t {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

/// SIREN: the 9-digit identifier of a French legal entity (INSEE), whose
/// last digit is a Luhn check digit.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Siren(String);

string_newtype_impls!(Siren);

impl Siren {
    pub fn parse(input: &str) -> Result<Siren, IdentifierError> {
        let s = normalize(input);
        check_digits_only(&s, 9)?;
        if !luhn_valid(s.as_bytes()) {
            return Err(IdentifierError::ChecksumFailed);
        }
        Ok(Siren(s))
    }

    /// Completes 8 digits into a valid SIREN, for demo and synthetic data.
    ///
    /// # Panics
    /// If `first8` has more than 8 digits.
    pub fn with_check_digit(first8: u32) -> Siren {
        assert!(first8 < 100_000_000, "SIREN payload has more than 8 digits");
        let mut s = format!("{first8:08}");
        let check = luhn_check_digit(s.as_bytes());
        s.push(char::from(check));
        Siren(s)
    }

    /// Print form: `542 051 180`, three groups held together by no-break
    /// spaces, as INSEE and the Kbis write it.
    pub fn formatted(&self) -> String {
        grouped(&self.0, &[3, 3, 3])
    }

    fn as_u64(&self) -> u64 {
        // Holds exactly 9 ASCII digits by construction.
        self.0
            .bytes()
            .fold(0, |acc, b| acc * 10 + u64::from(b - b'0'))
    }
}

/// `digits` cut into groups of the given sizes, joined by no-break spaces.
fn grouped(digits: &str, sizes: &[usize]) -> String {
    let mut out = String::with_capacity(digits.len() + 2 * sizes.len());
    let mut rest = digits;
    for (i, n) in sizes.iter().enumerate() {
        let (head, tail) = rest.split_at((*n).min(rest.len()));
        if i > 0 && !head.is_empty() {
            out.push('\u{a0}');
        }
        out.push_str(head);
        rest = tail;
    }
    out.push_str(rest);
    out
}

/// The SIREN of La Poste, whose establishments outnumber what a Luhn-valid
/// NIC sequence allows, so INSEE validates its SIRETs differently.
const LA_POSTE_SIREN: &str = "356000000";

/// SIRET: SIREN + 5-digit NIC identifying one establishment of the entity.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Siret(String);

string_newtype_impls!(Siret);

impl Siret {
    /// Valid when all 14 digits pass Luhn, or, for La Poste only, when
    /// their plain sum is a multiple of 5. The SIREN part must itself be a
    /// valid SIREN, which Luhn on 14 digits does not imply.
    pub fn parse(input: &str) -> Result<Siret, IdentifierError> {
        let s = normalize(input);
        check_digits_only(&s, 14)?;
        let bytes = s.as_bytes();
        let la_poste_ok = s.starts_with(LA_POSTE_SIREN)
            && bytes
                .iter()
                .map(|&b| u32::from(b - b'0'))
                .sum::<u32>()
                .is_multiple_of(5);
        if !luhn_valid(bytes) && !la_poste_ok {
            return Err(IdentifierError::ChecksumFailed);
        }
        if !luhn_valid(&bytes[..9]) {
            return Err(IdentifierError::InvalidSiren);
        }
        Ok(Siret(s))
    }

    /// Builds the SIRET of establishment `nic4` (the NIC without its check
    /// digit), for demo and synthetic data.
    ///
    /// # Panics
    /// If `nic4` has more than 4 digits.
    /// Print form: `542 051 180 00066` (the SIREN's groups, then the NIC).
    pub fn formatted(&self) -> String {
        grouped(&self.0, &[3, 3, 3, 5])
    }

    pub fn with_check_digit(siren: &Siren, nic4: u16) -> Siret {
        assert!(nic4 < 10_000, "NIC payload has more than 4 digits");
        let mut s = format!("{}{nic4:04}", siren.as_str());
        let check = luhn_check_digit(s.as_bytes());
        s.push(char::from(check));
        Siret(s)
    }

    pub fn siren(&self) -> Siren {
        Siren(self.0[..9].to_owned())
    }

    /// The 5-digit establishment number.
    pub fn nic(&self) -> &str {
        &self.0[9..]
    }
}

/// French intra-community VAT number: "FR" + 2-digit key + SIREN.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct VatNumber(String);

string_newtype_impls!(VatNumber);

fn vat_key(siren: &Siren) -> u64 {
    (12 + 3 * (siren.as_u64() % 97)) % 97
}

impl VatNumber {
    /// A French number is checked in full, in order: the FR prefix, the
    /// length, that the key is two digits, the SIREN, then the key; so the
    /// error names the first thing the user should fix. Keys with letters
    /// (issued to some non-resident companies) are refused as `InvalidKey`.
    ///
    /// Another EU member state's number (a client taxed under the reverse
    /// charge) is checked for its form only: its prefix (Greece's is `EL`),
    /// then 2 to 12 letters or digits. Its national check digits are not
    /// verified (VIES does that). Any other prefix is `WrongCountry`.
    pub fn parse(input: &str) -> Result<VatNumber, IdentifierError> {
        let s = normalize(input);
        if s.is_empty() {
            return Err(IdentifierError::Empty);
        }
        if !s.starts_with("FR") {
            let prefix: String = s.chars().take(2).collect();
            if !EU_VAT_PREFIXES.contains(&prefix.as_str()) {
                return Err(IdentifierError::WrongCountry { found: prefix });
            }
            // The prefix is ASCII: slicing after it is safe.
            let body = &s[2..];
            if !body.chars().all(|c| c.is_ascii_alphanumeric()) {
                return Err(IdentifierError::InvalidCharacters);
            }
            let len = body.len() + 2;
            if !(4..=14).contains(&len) {
                return Err(IdentifierError::WrongLength {
                    expected: len.clamp(4, 14),
                    found: len,
                });
            }
            return Ok(VatNumber(s));
        }
        let len = s.chars().count();
        if len != 13 {
            return Err(IdentifierError::WrongLength {
                expected: 13,
                found: len,
            });
        }
        // 13 chars starting with "FR": if all ASCII, byte slicing is safe;
        // any non-ASCII char lands in the key or SIREN and fails there.
        if !s.is_ascii() {
            return Err(if s[2..].chars().take(2).all(|c| c.is_ascii_digit()) {
                IdentifierError::InvalidSiren
            } else {
                IdentifierError::InvalidKey
            });
        }
        let key = &s[2..4];
        if !key.bytes().all(|b| b.is_ascii_digit()) {
            return Err(IdentifierError::InvalidKey);
        }
        let siren = Siren::parse(&s[4..]).map_err(|_| IdentifierError::InvalidSiren)?;
        let expected = format!("{:02}", vat_key(&siren));
        if key != expected {
            return Err(IdentifierError::WrongKey { expected });
        }
        Ok(VatNumber(s))
    }

    pub fn for_siren(siren: &Siren) -> VatNumber {
        VatNumber(format!("FR{:02}{}", vat_key(siren), siren.as_str()))
    }

    /// The SIREN inside a French number; `None` for another country's.
    pub fn siren(&self) -> Option<Siren> {
        self.is_french().then(|| Siren(self.0[4..].to_owned()))
    }

    pub fn is_french(&self) -> bool {
        self.0.starts_with("FR")
    }

    /// The issuing country's prefix: `FR`, `BE`, `EL` (Greece)…
    pub fn country(&self) -> &str {
        &self.0[..2]
    }
}

/// The VAT prefixes of the EU member states other than France (VIES),
/// and Northern Ireland's (XI).
const EU_VAT_PREFIXES: &[&str] = &[
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "HR", "HU", "IE", "IT", "LT",
    "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK", "XI",
];

/// IBAN lengths from the SWIFT IBAN registry. Countries not listed are
/// still accepted within the generic 15..=34 bounds, so a new registry
/// entry never blocks a payment; listed ones get the stricter check that
/// catches a dropped or doubled digit before the checksum does.
const IBAN_LENGTHS: &[(&str, usize)] = &[
    ("AD", 24),
    ("AE", 23),
    ("AL", 28),
    ("AT", 20),
    ("AZ", 28),
    ("BA", 20),
    ("BE", 16),
    ("BG", 22),
    ("BH", 22),
    ("BR", 29),
    ("BY", 28),
    ("CH", 21),
    ("CR", 22),
    ("CY", 28),
    ("CZ", 24),
    ("DE", 22),
    ("DK", 18),
    ("DO", 28),
    ("EE", 20),
    ("EG", 29),
    ("ES", 24),
    ("FI", 18),
    ("FO", 18),
    ("FR", 27),
    ("GB", 22),
    ("GE", 22),
    ("GI", 23),
    ("GL", 18),
    ("GR", 27),
    ("GT", 28),
    ("HR", 21),
    ("HU", 28),
    ("IE", 22),
    ("IL", 23),
    ("IQ", 23),
    ("IS", 26),
    ("IT", 27),
    ("JO", 30),
    ("KW", 30),
    ("KZ", 20),
    ("LB", 28),
    ("LC", 32),
    ("LI", 21),
    ("LT", 20),
    ("LU", 20),
    ("LV", 21),
    ("MC", 27),
    ("MD", 24),
    ("ME", 22),
    ("MK", 19),
    ("MR", 27),
    ("MT", 31),
    ("MU", 30),
    ("NL", 18),
    ("NO", 15),
    ("PK", 24),
    ("PL", 28),
    ("PS", 29),
    ("PT", 25),
    ("QA", 29),
    ("RO", 24),
    ("RS", 22),
    ("SA", 24),
    ("SC", 31),
    ("SE", 24),
    ("SI", 19),
    ("SK", 24),
    ("SM", 27),
    ("ST", 25),
    ("SV", 28),
    ("TL", 23),
    ("TN", 24),
    ("TR", 26),
    ("UA", 29),
    ("VA", 22),
    ("VG", 24),
    ("XK", 20),
];

const IBAN_MIN_LEN: usize = 15;
const IBAN_MAX_LEN: usize = 34;

/// ISO 13616 remainder of the IBAN moved to "BBAN + country + check digits"
/// with letters as 10..=35, fed one digit at a time so that no big integer
/// is needed.
fn iban_mod97(compact: &str) -> u32 {
    let (head, bban) = compact.split_at(4);
    bban.bytes().chain(head.bytes()).fold(0, |rem, b| {
        if b.is_ascii_digit() {
            (rem * 10 + u32::from(b - b'0')) % 97
        } else {
            (rem * 100 + u32::from(b - b'A') + 10) % 97
        }
    })
}

/// International Bank Account Number, stored compact (no spaces).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Iban(String);

string_newtype_impls!(Iban);

impl Iban {
    pub fn parse(input: &str) -> Result<Iban, IdentifierError> {
        let s = normalize(input);
        if s.is_empty() {
            return Err(IdentifierError::Empty);
        }
        if !s
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        {
            return Err(IdentifierError::InvalidCharacters);
        }
        let bytes = s.as_bytes();
        if bytes.len() < 2 || !bytes[..2].iter().all(u8::is_ascii_uppercase) {
            return Err(IdentifierError::UnknownCountry);
        }
        let expected = IBAN_LENGTHS
            .iter()
            .find(|(country, _)| *country == &s[..2])
            .map(|&(_, len)| len);
        let length_ok = match expected {
            Some(len) => s.len() == len,
            None => (IBAN_MIN_LEN..=IBAN_MAX_LEN).contains(&s.len()),
        };
        if !length_ok {
            let expected = expected.unwrap_or(if s.len() < IBAN_MIN_LEN {
                IBAN_MIN_LEN
            } else {
                IBAN_MAX_LEN
            });
            return Err(IdentifierError::WrongLength {
                expected,
                found: s.len(),
            });
        }
        if !bytes[2..4].iter().all(u8::is_ascii_digit) {
            return Err(IdentifierError::NotDigits);
        }
        // Check digits are always 02..=98; 00, 01 and 99 are congruent to
        // 97, 98 and 02 and would otherwise pass the remainder test.
        if matches!(&s[2..4], "00" | "01" | "99") || iban_mod97(&s) != 1 {
            return Err(IdentifierError::ChecksumFailed);
        }
        Ok(Iban(s))
    }

    /// ISO 3166-1 alpha-2 code of the bank's country.
    pub fn country(&self) -> &str {
        &self.0[..2]
    }

    /// The national account number part, after country and check digits.
    pub fn bban(&self) -> &str {
        &self.0[4..]
    }

    /// Print form: groups of four separated by spaces, as on a RIB.
    pub fn formatted(&self) -> String {
        let mut out = String::with_capacity(self.0.len() + self.0.len() / 4);
        for (i, c) in self.0.chars().enumerate() {
            if i > 0 && i.is_multiple_of(4) {
                out.push(' ');
            }
            out.push(c);
        }
        out
    }
}

const EMAIL_MAX_LEN: usize = 254;
const EMAIL_LOCAL_MAX_LEN: usize = 64;
const DNS_LABEL_MAX_LEN: usize = 63;

/// An e-mail address checked pragmatically: full RFC 5322 syntax (quoted
/// local parts, comments, IP literals) is rejected because such addresses
/// are almost always paste errors here, and the only real proof of an
/// address is a delivered message.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

string_newtype_impls!(Email);

impl Email {
    /// The domain is lowercased (DNS is case-insensitive); the local part
    /// keeps its case because servers are allowed to distinguish it.
    pub fn parse(input: &str) -> Result<Email, IdentifierError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(IdentifierError::Empty);
        }
        let (local, domain) = s.split_once('@').ok_or(IdentifierError::InvalidEmail)?;
        let domain = domain.to_ascii_lowercase();
        let local_ok = !local.is_empty()
            && local.len() <= EMAIL_LOCAL_MAX_LEN
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local.chars().all(|c| {
                !c.is_whitespace()
                    && !c.is_control()
                    && !matches!(
                        c,
                        '@' | '"' | '(' | ')' | ',' | ':' | ';' | '<' | '>' | '[' | ']' | '\\'
                    )
            });
        let domain_ok = domain.contains('.')
            && domain.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= DNS_LABEL_MAX_LEN
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            });
        let address = format!("{local}@{domain}");
        if !local_ok || !domain_ok || address.len() > EMAIL_MAX_LEN {
            return Err(IdentifierError::InvalidEmail);
        }
        Ok(Email(address))
    }

    pub fn local_part(&self) -> &str {
        self.0.split_once('@').map_or("", |(l, _)| l)
    }

    pub fn domain(&self) -> &str {
        self.0.split_once('@').map_or("", |(_, d)| d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde::de::IntoDeserializer;
    use serde::de::value::{Error as DeError, StrDeserializer};

    fn de<T: for<'de> Deserialize<'de>>(s: &str) -> Result<T, DeError> {
        let d: StrDeserializer<DeError> = s.into_deserializer();
        T::deserialize(d)
    }

    fn digit_sum(s: &str) -> u32 {
        s.bytes().map(|b| u32::from(b - b'0')).sum()
    }

    /// Replaces the byte at `i` (ASCII only).
    fn with_char(s: &str, i: usize, c: char) -> String {
        let mut out = s.to_owned();
        out.replace_range(i..=i, &c.to_string());
        out
    }

    /// Builds a valid IBAN from its parts by computing the check digits.
    fn make_iban(country: &str, bban: &str) -> String {
        let rem = iban_mod97(&format!("{country}00{bban}"));
        format!("{country}{:02}{bban}", 98 - rem)
    }

    // ---- errors ----

    #[test]
    fn error_keys_and_args() {
        let cases: Vec<(IdentifierError, &str)> = vec![
            (IdentifierError::Empty, "id-empty"),
            (
                IdentifierError::WrongLength {
                    expected: 9,
                    found: 8,
                },
                "id-wrong-length",
            ),
            (IdentifierError::NotDigits, "id-not-digits"),
            (IdentifierError::ChecksumFailed, "id-checksum"),
            (
                IdentifierError::WrongCountry { found: "DE".into() },
                "id-wrong-country",
            ),
            (IdentifierError::InvalidSiren, "id-invalid-siren"),
            (IdentifierError::InvalidKey, "id-invalid-key"),
            (
                IdentifierError::WrongKey {
                    expected: "83".into(),
                },
                "id-wrong-key",
            ),
            (IdentifierError::InvalidCharacters, "id-invalid-characters"),
            (IdentifierError::UnknownCountry, "id-unknown-country"),
            (IdentifierError::InvalidEmail, "id-invalid-email"),
        ];
        for (e, k) in &cases {
            assert_eq!(e.key(), *k);
            assert!(!e.to_string().is_empty());
        }
        assert_eq!(
            IdentifierError::WrongLength {
                expected: 9,
                found: 8
            }
            .args(),
            crate::args![("expected", 9usize), ("found", 8usize)]
        );
        assert_eq!(
            IdentifierError::WrongKey {
                expected: "83".into()
            }
            .args(),
            crate::args![("expected", "83")]
        );
        assert_eq!(
            IdentifierError::WrongCountry { found: "DE".into() }.args(),
            crate::args![("found", "DE")]
        );
        assert!(IdentifierError::ChecksumFailed.args().is_empty());
    }

    // ---- Luhn ----

    #[test]
    fn luhn_reference_values() {
        assert!(luhn_valid(b"79927398713"));
        assert!(!luhn_valid(b"79927398710"));
        assert_eq!(luhn_check_digit(b"7992739871"), b'3');
    }

    // ---- SIREN ----

    #[test]
    fn siren_real_values() {
        for s in ["404833048", "542051180", "732829320", "356000000"] {
            assert_eq!(Siren::parse(s).unwrap().as_str(), s);
        }
        assert_eq!(Siren::parse(" 404 833 048 ").unwrap().as_str(), "404833048");
        assert_eq!(
            Siren::parse("404\u{a0}833\u{202f}048").unwrap().as_str(),
            "404833048"
        );
        assert_eq!(Siren::parse("404.833.048").unwrap().as_str(), "404833048");
        assert_eq!(Siren::parse("404-833-048").unwrap().as_str(), "404833048");
        assert_eq!(
            Siren::parse("404833048").unwrap().formatted(),
            "404\u{a0}833\u{a0}048"
        );
        let siret = Siret::parse("54205118000017").unwrap();
        assert_eq!(siret.formatted(), "542\u{a0}051\u{a0}180\u{a0}00017");
        // The print form reads back as the same identifier.
        assert_eq!(Siret::parse(&siret.formatted()), Ok(siret));
    }

    #[test]
    fn siren_errors() {
        assert_eq!(Siren::parse(""), Err(IdentifierError::Empty));
        assert_eq!(Siren::parse(" . "), Err(IdentifierError::Empty));
        assert_eq!(Siren::parse("40483304A"), Err(IdentifierError::NotDigits));
        assert_eq!(
            Siren::parse("40483304"),
            Err(IdentifierError::WrongLength {
                expected: 9,
                found: 8
            })
        );
        assert_eq!(
            Siren::parse("404833049"),
            Err(IdentifierError::ChecksumFailed)
        );
        assert_eq!(
            Siren::parse("404833948"),
            Err(IdentifierError::ChecksumFailed)
        );
    }

    #[test]
    fn siren_with_check_digit() {
        assert_eq!(Siren::with_check_digit(40_483_304).as_str(), "404833048");
        assert_eq!(Siren::with_check_digit(0).as_str(), "000000000");
        assert_eq!(Siren::with_check_digit(1).as_str().len(), 9);
    }

    #[test]
    #[should_panic(expected = "8 digits")]
    fn siren_with_check_digit_rejects_long_payload() {
        let _ = Siren::with_check_digit(100_000_000);
    }

    #[test]
    fn siren_serde() {
        let s: Siren = de("404 833 048").unwrap();
        assert_eq!(s.as_str(), "404833048");
        assert!(de::<Siren>("404833049").is_err());
        assert_eq!(String::from(s.clone()), "404833048");
        assert_eq!(s.to_string(), "404833048");
        assert_eq!("404833048".parse::<Siren>(), Ok(s));
    }

    // ---- SIRET ----

    #[test]
    fn siret_real_values() {
        let siren = Siren::parse("404833048").unwrap();
        let siret = Siret::with_check_digit(&siren, 2);
        assert_eq!(siret.as_str(), "40483304800022");
        assert!(luhn_valid(siret.as_str().as_bytes()));
        assert_eq!(Siret::parse("404 833 048 00022"), Ok(siret.clone()));
        assert_eq!(siret.siren(), siren);
        assert_eq!(siret.nic(), "00022");
    }

    #[test]
    fn siret_la_poste() {
        // The head office passes plain Luhn (its digit sum, 26, does not
        // matter); the other establishment passes only the digit-sum rule.
        assert!(luhn_valid(b"35600000000048"));
        assert_eq!(digit_sum("35600000000048"), 26);
        assert_eq!(digit_sum("35600000049837"), 45);
        for s in ["35600000000048", "35600000049837"] {
            let siret = Siret::parse(s).unwrap();
            assert_eq!(siret.siren().as_str(), LA_POSTE_SIREN);
        }
        // Digit sum 45 is a multiple of 5 but Luhn fails: accepted only
        // because it is La Poste.
        assert!(!luhn_valid(b"35600000049837"));
        // Neither rule holds.
        assert_eq!(digit_sum("35600000049838") % 5, 1);
        assert_eq!(
            Siret::parse("35600000049838"),
            Err(IdentifierError::ChecksumFailed)
        );
        // The digit-sum rule does not apply outside La Poste.
        assert_eq!(digit_sum("40483304800024") % 5, 0);
        assert!(!luhn_valid(b"40483304800024"));
        assert_eq!(
            Siret::parse("40483304800024"),
            Err(IdentifierError::ChecksumFailed)
        );
    }

    #[test]
    fn siret_errors() {
        assert_eq!(Siret::parse(""), Err(IdentifierError::Empty));
        assert_eq!(
            Siret::parse("404833048"),
            Err(IdentifierError::WrongLength {
                expected: 14,
                found: 9
            })
        );
        assert_eq!(
            Siret::parse("4048330480002X"),
            Err(IdentifierError::NotDigits)
        );
        assert_eq!(
            Siret::parse("40483304800023"),
            Err(IdentifierError::ChecksumFailed)
        );
        // Luhn passes on all 14 digits but the SIREN part is not a SIREN.
        let bogus = {
            let mut s = "4048330490002".to_owned();
            s.push(char::from(luhn_check_digit(s.as_bytes())));
            s
        };
        assert!(luhn_valid(bogus.as_bytes()));
        assert_eq!(Siret::parse(&bogus), Err(IdentifierError::InvalidSiren));
    }

    // ---- VAT ----

    #[test]
    fn vat_examples() {
        let siren = Siren::parse("404833048").unwrap();
        let vat = VatNumber::for_siren(&siren);
        assert_eq!(vat.as_str(), "FR83404833048");
        assert_eq!(VatNumber::parse("fr 83 404 833 048"), Ok(vat.clone()));
        assert_eq!(VatNumber::parse("FR83-404.833.048"), Ok(vat.clone()));
        assert_eq!(vat.siren(), Some(siren));
        // Key 0 must be zero-padded: find a SIREN with a one-digit key.
        let small = (0..1000)
            .map(Siren::with_check_digit)
            .find(|s| vat_key(s) < 10)
            .unwrap();
        let v = VatNumber::for_siren(&small);
        assert_eq!(v.as_str().len(), 13);
        assert_eq!(VatNumber::parse(v.as_str()), Ok(v));
    }

    #[test]
    fn vat_errors_in_order() {
        assert_eq!(VatNumber::parse(""), Err(IdentifierError::Empty));
        assert_eq!(
            VatNumber::parse("US123456789"),
            Err(IdentifierError::WrongCountry { found: "US".into() })
        );
        // Another member state's: its form only, no SIREN inside.
        let be = VatNumber::parse("be 0403.170.701").unwrap();
        assert_eq!(
            (be.as_str(), be.country(), be.siren()),
            ("BE0403170701", "BE", None)
        );
        assert!(VatNumber::parse("EL094014201").is_ok());
        assert_eq!(
            VatNumber::parse("DE12345678901234"),
            Err(IdentifierError::WrongLength {
                expected: 14,
                found: 16
            })
        );
        assert_eq!(
            VatNumber::parse("DE12_45"),
            Err(IdentifierError::InvalidCharacters)
        );
        assert_eq!(
            VatNumber::parse("83404833048"),
            Err(IdentifierError::WrongCountry { found: "83".into() })
        );
        assert_eq!(
            VatNumber::parse("FR8340483304"),
            Err(IdentifierError::WrongLength {
                expected: 13,
                found: 12
            })
        );
        assert_eq!(
            VatNumber::parse("FRXX404833048"),
            Err(IdentifierError::InvalidKey)
        );
        assert_eq!(
            VatNumber::parse("FR0A404833048"),
            Err(IdentifierError::InvalidKey)
        );
        assert_eq!(
            VatNumber::parse("FR83404833049"),
            Err(IdentifierError::InvalidSiren)
        );
        assert_eq!(
            VatNumber::parse("FR8340483304X"),
            Err(IdentifierError::InvalidSiren)
        );
        assert_eq!(
            VatNumber::parse("FR84404833048"),
            Err(IdentifierError::WrongKey {
                expected: "83".into()
            })
        );
        assert_eq!(
            VatNumber::parse("FR12404833é48"),
            Err(IdentifierError::InvalidSiren)
        );
        assert_eq!(
            VatNumber::parse("FRé2404833048"),
            Err(IdentifierError::InvalidKey)
        );
    }

    #[test]
    fn vat_serde() {
        let v: VatNumber = de("FR 83 404833048").unwrap();
        assert_eq!(String::from(v), "FR83404833048");
        assert!(de::<VatNumber>("FR00404833048").is_err());
    }

    // ---- IBAN ----

    const FR_IBAN: &str = "FR7630006000011234567890189";

    #[test]
    fn iban_examples() {
        let iban = Iban::parse("FR76 3000 6000 0112 3456 7890 189").unwrap();
        assert_eq!(iban.as_str(), FR_IBAN);
        assert_eq!(iban.country(), "FR");
        assert_eq!(iban.bban(), "30006000011234567890189");
        assert_eq!(iban.formatted(), "FR76 3000 6000 0112 3456 7890 189");
        assert_eq!(Iban::parse(&iban.formatted()), Ok(iban.clone()));
        assert_eq!(Iban::parse("fr7630006000011234567890189"), Ok(iban));
        // Published examples from the IBAN registry.
        for s in [
            "DE89 3704 0044 0532 0130 00",
            "GB29 NWBK 6016 1331 9268 19",
            "BE68 5390 0754 7034",
            "NL91 ABNA 0417 1643 00",
            "CH93 0076 2011 6238 5295 7",
            "ES91 2100 0418 4502 0005 1332",
            "IT60 X054 2811 1010 0000 0123 456",
            "LU28 0019 4006 4475 0000",
            "AT61 1904 3002 3457 3201",
            "NO93 8601 1117 947",
            "MT84 MALT 0110 0001 2345 MTLC AST0 01S",
        ] {
            let iban = Iban::parse(s).unwrap_or_else(|e| panic!("{s}: {e:?}"));
            assert_eq!(iban.formatted(), s);
        }
    }

    #[test]
    fn iban_errors() {
        assert_eq!(Iban::parse(""), Err(IdentifierError::Empty));
        assert_eq!(
            Iban::parse("FR76 3000_6000"),
            Err(IdentifierError::InvalidCharacters)
        );
        assert_eq!(
            Iban::parse("FR76 3000 é000"),
            Err(IdentifierError::InvalidCharacters)
        );
        assert_eq!(
            Iban::parse("7630006000011234567890189"),
            Err(IdentifierError::UnknownCountry)
        );
        assert_eq!(Iban::parse("F"), Err(IdentifierError::UnknownCountry));
        assert_eq!(
            Iban::parse("FR763000600001123456789018"),
            Err(IdentifierError::WrongLength {
                expected: 27,
                found: 26
            })
        );
        assert_eq!(
            Iban::parse("ZZ12345678901"),
            Err(IdentifierError::WrongLength {
                expected: 15,
                found: 13
            })
        );
        assert_eq!(
            Iban::parse(&format!("ZZ12{}", "1".repeat(31))),
            Err(IdentifierError::WrongLength {
                expected: 34,
                found: 35
            })
        );
        assert_eq!(
            Iban::parse("FRAB30006000011234567890189"),
            Err(IdentifierError::NotDigits)
        );
        assert_eq!(
            Iban::parse("FR7730006000011234567890189"),
            Err(IdentifierError::ChecksumFailed)
        );
        // Unlisted country: only the generic bounds and the checksum apply.
        let zz = make_iban("ZZ", "12345678901234");
        assert!(Iban::parse(&zz).is_ok());
    }

    #[test]
    fn iban_rejects_out_of_range_check_digits() {
        // Find a BBAN whose true check digits are 97, 98 or 02: then 00, 01
        // or 99 respectively satisfy mod 97 but are invalid.
        for (true_cd, alias) in [(97, "00"), (98, "01"), (2, "99")] {
            let bban = (0u64..)
                .map(|n| format!("{n:023}"))
                .find(|b| make_iban("FR", b)[2..4] == format!("{true_cd:02}"))
                .unwrap();
            let aliased = format!("FR{alias}{bban}");
            assert_eq!(iban_mod97(&aliased), 1);
            assert_eq!(Iban::parse(&aliased), Err(IdentifierError::ChecksumFailed));
            assert!(Iban::parse(&make_iban("FR", &bban)).is_ok());
        }
    }

    #[test]
    fn iban_serde() {
        let i: Iban = de("FR76 3000 6000 0112 3456 7890 189").unwrap();
        assert_eq!(String::from(i), FR_IBAN);
        assert!(de::<Iban>("FR76 3000 6000 0112 3456 7890 188").is_err());
    }

    // ---- Email ----

    #[test]
    fn email_valid() {
        let e = Email::parse("  Jean.Dupont+factures@Example.CO.uk ").unwrap();
        assert_eq!(e.as_str(), "Jean.Dupont+factures@example.co.uk");
        assert_eq!(e.local_part(), "Jean.Dupont+factures");
        assert_eq!(e.domain(), "example.co.uk");
        assert!(Email::parse("a@b.fr").is_ok());
        assert!(Email::parse("compta@mon-cabinet.fr").is_ok());
        assert!(Email::parse("o'brien@x1.io").is_ok());
        assert!(Email::parse(&format!("{}@b.fr", "a".repeat(64))).is_ok());
        let e: Email = de("x@Y.fr").unwrap();
        assert_eq!(String::from(e), "x@y.fr");
    }

    #[test]
    fn email_invalid() {
        assert_eq!(Email::parse("  "), Err(IdentifierError::Empty));
        for bad in [
            "plainaddress",
            "@example.fr",
            "a@",
            "a@@b.fr",
            "a@b@c.fr",
            "a@localhost",
            "a b@c.fr",
            "a@c .fr",
            "a@-c.fr",
            "a@c-.fr",
            "a@c..fr",
            "a@.c.fr",
            "a@c.fr.",
            "a@c_d.fr",
            "a@cé.fr",
            ".a@c.fr",
            "a.@c.fr",
            "a..b@c.fr",
            "Jean <a@c.fr>",
            "\"a\"@c.fr",
            "a\u{0}@c.fr",
        ] {
            assert_eq!(
                Email::parse(bad),
                Err(IdentifierError::InvalidEmail),
                "{bad:?}"
            );
        }
        assert_eq!(
            Email::parse(&format!("{}@b.fr", "a".repeat(65))),
            Err(IdentifierError::InvalidEmail)
        );
        let long_domain = format!("{}.fr", vec!["a".repeat(60); 5].join("."));
        assert_eq!(
            Email::parse(&format!("x@{long_domain}")),
            Err(IdentifierError::InvalidEmail)
        );
        assert_eq!(
            Email::parse(&format!("x@{}.fr", "a".repeat(64))),
            Err(IdentifierError::InvalidEmail)
        );
    }

    // ---- properties ----

    fn valid_siren() -> impl Strategy<Value = Siren> {
        (0u32..100_000_000).prop_map(Siren::with_check_digit)
    }

    fn valid_siret() -> impl Strategy<Value = Siret> {
        (valid_siren(), 0u16..10_000).prop_map(|(s, n)| Siret::with_check_digit(&s, n))
    }

    /// Valid French IBANs with digit-only BBANs, so that every single
    /// substitution or adjacent swap changes the number mod 97.
    fn valid_numeric_fr_iban() -> impl Strategy<Value = Iban> {
        "[0-9]{23}".prop_map(|bban| Iban::parse(&make_iban("FR", &bban)).unwrap())
    }

    fn valid_alnum_iban() -> impl Strategy<Value = Iban> {
        prop_oneof![
            "[0-9]{5}[0-9]{5}[0-9A-Z]{11}[0-9]{2}".prop_map(|b| make_iban("FR", &b)),
            "[0-9]{18}".prop_map(|b| make_iban("DE", &b)),
            "[A-Z]{4}[0-9]{14}".prop_map(|b| make_iban("GB", &b)),
            "[0-9A-Z]{11,30}".prop_map(|b| make_iban("ZZ", &b)),
        ]
        .prop_map(|s| Iban::parse(&s).unwrap())
    }

    proptest! {
        #[test]
        fn siren_with_check_digit_parses(first8 in 0u32..100_000_000) {
            let s = Siren::with_check_digit(first8);
            prop_assert_eq!(&s.as_str()[..8], format!("{first8:08}"));
            prop_assert_eq!(Siren::parse(s.as_str()), Ok(s));
        }

        #[test]
        fn siren_single_digit_change_fails(s in valid_siren(), pos in 0usize..9, delta in 1u8..10) {
            let old = s.as_str().as_bytes()[pos] - b'0';
            let changed = with_char(s.as_str(), pos, char::from(b'0' + (old + delta) % 10));
            prop_assert!(!luhn_valid(changed.as_bytes()));
            prop_assert_eq!(Siren::parse(&changed), Err(IdentifierError::ChecksumFailed));
        }

        #[test]
        fn siret_with_check_digit_parses(s in valid_siret()) {
            prop_assert!(luhn_valid(s.as_str().as_bytes()));
            prop_assert_eq!(Siret::parse(s.as_str()), Ok(s.clone()));
            prop_assert_eq!(Siren::parse(s.siren().as_str()), Ok(s.siren()));
        }

        #[test]
        fn siret_single_digit_change_fails(s in valid_siret(), pos in 0usize..14, delta in 1u8..10) {
            let old = s.as_str().as_bytes()[pos] - b'0';
            let changed = with_char(s.as_str(), pos, char::from(b'0' + (old + delta) % 10));
            prop_assert!(!luhn_valid(changed.as_bytes()));
            // A change that lands in La Poste's SIREN may satisfy its
            // digit-sum rule instead; everything else must be refused.
            if !changed.starts_with(LA_POSTE_SIREN) {
                prop_assert!(Siret::parse(&changed).is_err());
            }
        }

        #[test]
        fn vat_for_siren_round_trips(s in valid_siren()) {
            let v = VatNumber::for_siren(&s);
            prop_assert_eq!(VatNumber::parse(v.as_str()), Ok(v.clone()));
            prop_assert_eq!(v.siren(), Some(s));
        }

        #[test]
        fn vat_wrong_key_reports_expected(s in valid_siren(), wrong in 0u64..100) {
            let v = VatNumber::for_siren(&s);
            let right = &v.as_str()[2..4];
            let candidate = format!("FR{wrong:02}{}", s.as_str());
            if format!("{wrong:02}") != right {
                prop_assert_eq!(
                    VatNumber::parse(&candidate),
                    Err(IdentifierError::WrongKey { expected: right.to_owned() })
                );
            }
        }

        #[test]
        fn iban_formatted_round_trips(i in valid_alnum_iban()) {
            prop_assert_eq!(Iban::parse(&i.formatted()), Ok(i.clone()));
            prop_assert_eq!(Iban::parse(&i.formatted().to_lowercase()), Ok(i));
        }

        #[test]
        fn iban_single_digit_substitution_fails(i in valid_numeric_fr_iban(), pos in 4usize..27, delta in 1u8..10) {
            let old = i.as_str().as_bytes()[pos] - b'0';
            let changed = with_char(i.as_str(), pos, char::from(b'0' + (old + delta) % 10));
            prop_assert_eq!(Iban::parse(&changed), Err(IdentifierError::ChecksumFailed));
        }

        #[test]
        fn iban_adjacent_swap_fails(i in valid_numeric_fr_iban(), pos in 4usize..26) {
            let b = i.as_str().as_bytes();
            // Equal neighbours make the swap a no-op; skipping (rather than
            // prop_assume) avoids proptest's global reject limit.
            if b[pos] == b[pos + 1] {
                return Ok(());
            }
            let mut swapped = b.to_vec();
            swapped.swap(pos, pos + 1);
            let swapped = String::from_utf8(swapped).unwrap();
            prop_assert_eq!(Iban::parse(&swapped), Err(IdentifierError::ChecksumFailed));
        }

        #[test]
        fn parsers_never_panic(s in any::<String>()) {
            let _ = Siren::parse(&s);
            let _ = Siret::parse(&s);
            let _ = VatNumber::parse(&s);
            let _ = Iban::parse(&s);
            let _ = Email::parse(&s);
        }

        #[test]
        fn parsers_never_panic_on_near_misses(s in "(FR|fr|DE)?[0-9A-Za-z é.\u{a0}-]{0,30}(@[a-z.-]{0,10})?") {
            let _ = Siren::parse(&s);
            let _ = Siret::parse(&s);
            let _ = VatNumber::parse(&s);
            let _ = Iban::parse(&s);
            let _ = Email::parse(&s);
        }

        #[test]
        fn email_parse_is_idempotent(local in "[a-zA-Z0-9+_]{1,20}", domain in "[a-zA-Z0-9]{1,10}\\.[a-z]{2,6}") {
            let e = Email::parse(&format!("{local}@{domain}")).unwrap();
            prop_assert_eq!(Email::parse(e.as_str()), Ok(e.clone()));
            prop_assert_eq!(e.domain(), domain.to_ascii_lowercase());
        }
    }
}
