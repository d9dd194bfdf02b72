//! Companies the firm deals with: clients, prospects and suppliers.

pub mod group;

use serde::{Deserialize, Serialize};

use crate::identifiers::{Email, Iban, Siren, Siret, VatNumber};
use crate::validation::{ErrorKey, ValidationErrors, text};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum CompanyKind {
    #[default]
    Client,
    Prospect,
    Supplier,
}

impl CompanyKind {
    pub const ALL: [CompanyKind; 3] = [
        CompanyKind::Client,
        CompanyKind::Prospect,
        CompanyKind::Supplier,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CompanyKind::Client => "client",
            CompanyKind::Prospect => "prospect",
            CompanyKind::Supplier => "supplier",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label_key(self) -> String {
        format!("company-kind-{}", self.as_str())
    }
}

/// What a user typed: every field is raw text so a refused form can be shown
/// again exactly as entered.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct CompanyInput {
    pub name: String,
    pub kind: String,
    pub legal_form: String,
    pub siren: String,
    pub siret: String,
    pub vat_number: String,
    pub address_line1: String,
    pub address_line2: String,
    pub postcode: String,
    pub city: String,
    pub country: String,
    pub email: String,
    pub phone: String,
    pub iban: String,
    pub key_account: bool,
    pub notes: String,
    /// The parent company's id (its group); blank: none.
    pub parent_id: String,
    /// `group`, `billing_entity` or `site`; blank: not said.
    pub entity_kind: String,
}

/// A company whose every field has been checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CompanyData {
    pub name: String,
    pub kind: CompanyKind,
    pub legal_form: Option<String>,
    pub siren: Option<Siren>,
    pub siret: Option<Siret>,
    pub vat_number: Option<VatNumber>,
    pub address_line1: Option<String>,
    pub address_line2: Option<String>,
    pub postcode: Option<String>,
    pub city: Option<String>,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    pub email: Option<Email>,
    pub phone: Option<String>,
    pub iban: Option<Iban>,
    pub key_account: bool,
    pub notes: Option<String>,
    /// The company above it in its group (a group's entity or site).
    pub parent_id: Option<crate::ids::CompanyId>,
    pub entity_kind: Option<group::EntityKind>,
}

impl CompanyInput {
    pub fn validate(&self) -> Result<CompanyData, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let name = e.required("name", &self.name, |s| text(s, 200));
        let kind = match CompanyKind::parse(self.kind.trim()) {
            Some(k) => Some(k),
            None if self.kind.trim().is_empty() => Some(CompanyKind::default()),
            None => {
                e.add("kind", "company-kind-invalid");
                None
            }
        };
        let legal_form = e.optional("legal_form", &self.legal_form, |s| text(s, 60));
        let siren = e.optional("siren", &self.siren, Siren::parse);
        let siret = e.optional("siret", &self.siret, Siret::parse);
        let vat_number = e.optional("vat_number", &self.vat_number, VatNumber::parse);
        let address_line1 = e.optional("address_line1", &self.address_line1, |s| text(s, 200));
        let address_line2 = e.optional("address_line2", &self.address_line2, |s| text(s, 200));
        let country = if self.country.trim().is_empty() {
            Some("FR".to_string())
        } else {
            e.optional("country", &self.country, parse_country)
        };
        let postcode = e.optional("postcode", &self.postcode, |s| {
            parse_postcode(s, country.as_deref().unwrap_or("FR"))
        });
        let city = e.optional("city", &self.city, |s| text(s, 100));
        let email = e.optional("email", &self.email, Email::parse);
        let phone = e.optional("phone", &self.phone, parse_phone);
        let iban = e.optional("iban", &self.iban, Iban::parse);
        let notes = e.optional("notes", &self.notes, |s| text_multiline(s, 5000));
        let parent_id = match self.parent_id.trim() {
            "" => None,
            raw => {
                let p = crate::ids::CompanyId::parse(raw);
                if p.is_none() {
                    e.add("parent_id", "id-unknown-record");
                }
                p
            }
        };
        let entity_kind = match self.entity_kind.trim() {
            "" => None,
            raw => {
                let k = group::EntityKind::parse(raw);
                if k.is_none() {
                    e.add("entity_kind", "company-entity-invalid");
                }
                k
            }
        };

        // Identifiers of one company must agree with each other: a SIRET or VAT
        // number of another company is a typing mistake worth stopping.
        if let (Some(siren), Some(siret)) = (&siren, &siret)
            && siret.siren() != *siren
        {
            e.add("siret", "siret-siren-mismatch");
        }
        if let (Some(siren), Some(vat)) = (&siren, &vat_number)
            && vat.siren().is_some_and(|v| v != *siren)
        {
            e.add("vat_number", "vat-siren-mismatch");
        }

        if !e.is_empty() {
            return Err(e);
        }
        // A SIRET implies the SIREN: fill it so uniqueness is enforced on it.
        let siren = siren.or_else(|| siret.as_ref().map(Siret::siren));
        let country = country.expect("checked");
        // A French company's intra-community VAT number is its SIREN with
        // a computed key (CGI art. 286 ter): left empty, it is derived, so
        // invoices carry it without anyone typing it.
        let vat_number = vat_number.or_else(|| {
            (country == "FR")
                .then_some(siren.as_ref())
                .flatten()
                .map(VatNumber::for_siren)
        });
        Ok(CompanyData {
            name: name.expect("checked"),
            kind: kind.expect("checked"),
            legal_form,
            siren,
            siret,
            vat_number,
            address_line1,
            address_line2,
            postcode,
            city,
            country,
            email,
            phone,
            iban,
            key_account: self.key_account,
            notes,
            parent_id,
            entity_kind,
        })
    }
}

impl CompanyData {
    /// The form shown to edit an existing company.
    pub fn to_input(&self) -> CompanyInput {
        let s = |o: &Option<String>| o.clone().unwrap_or_default();
        CompanyInput {
            name: self.name.clone(),
            kind: self.kind.as_str().to_string(),
            legal_form: s(&self.legal_form),
            siren: self
                .siren
                .as_ref()
                .map(|v| v.as_str().to_string())
                .unwrap_or_default(),
            siret: self
                .siret
                .as_ref()
                .map(|v| v.as_str().to_string())
                .unwrap_or_default(),
            vat_number: self
                .vat_number
                .as_ref()
                .map(|v| v.as_str().to_string())
                .unwrap_or_default(),
            address_line1: s(&self.address_line1),
            address_line2: s(&self.address_line2),
            postcode: s(&self.postcode),
            city: s(&self.city),
            country: self.country.clone(),
            email: self
                .email
                .as_ref()
                .map(|v| v.as_str().to_string())
                .unwrap_or_default(),
            phone: s(&self.phone),
            iban: self
                .iban
                .as_ref()
                .map(|v| v.formatted())
                .unwrap_or_default(),
            key_account: self.key_account,
            notes: s(&self.notes),
            parent_id: self.parent_id.map(|p| p.to_string()).unwrap_or_default(),
            entity_kind: self
                .entity_kind
                .map(|k| k.as_str().to_owned())
                .unwrap_or_default(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldFormatError {
    Country,
    Postcode,
    Phone,
    Text(crate::validation::TextError),
}

impl ErrorKey for FieldFormatError {
    fn key(&self) -> &'static str {
        match self {
            FieldFormatError::Country => "country-invalid",
            FieldFormatError::Postcode => "postcode-invalid",
            FieldFormatError::Phone => "phone-invalid",
            FieldFormatError::Text(t) => t.key(),
        }
    }
    fn args(&self) -> Vec<(&'static str, crate::message::Arg)> {
        match self {
            FieldFormatError::Text(t) => t.args(),
            _ => Vec::new(),
        }
    }
}

pub fn parse_country(s: &str) -> Result<String, FieldFormatError> {
    let c = s.trim().to_ascii_uppercase();
    if c.len() == 2 && c.chars().all(|ch| ch.is_ascii_uppercase()) {
        Ok(c)
    } else {
        Err(FieldFormatError::Country)
    }
}

/// French postcodes are five digits; elsewhere we only bound the length.
pub fn parse_postcode(s: &str, country: &str) -> Result<String, FieldFormatError> {
    let p = s.trim();
    let ok = if country == "FR" {
        p.len() == 5 && p.chars().all(|c| c.is_ascii_digit())
    } else {
        (2..=12).contains(&p.len())
            && p.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-')
    };
    if ok {
        Ok(p.to_string())
    } else {
        Err(FieldFormatError::Postcode)
    }
}

/// Phones are kept as typed (people write them many ways) but must look like one.
pub fn parse_phone(s: &str) -> Result<String, FieldFormatError> {
    let p = s.trim();
    let digits = p.chars().filter(|c| c.is_ascii_digit()).count();
    let allowed = p
        .chars()
        .all(|c| c.is_ascii_digit() || " +.-()".contains(c));
    if allowed && (6..=20).contains(&digits) && p.len() <= 30 {
        Ok(p.to_string())
    } else {
        Err(FieldFormatError::Phone)
    }
}

/// Like `text` but line breaks are allowed (notes).
pub fn text_multiline(raw: &str, max_chars: usize) -> Result<String, FieldFormatError> {
    let t = raw.trim();
    if t.chars().count() > max_chars {
        return Err(FieldFormatError::Text(
            crate::validation::TextError::TooLong(max_chars),
        ));
    }
    if t.chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err(FieldFormatError::Text(
            crate::validation::TextError::ControlCharacters,
        ));
    }
    Ok(t.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clientis() -> CompanyInput {
        CompanyInput {
            name: "Clientis Group".into(),
            kind: "client".into(),
            siren: "542 051 180".into(),
            postcode: "92400".into(),
            city: "Courbevoie".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_valid_company_is_accepted_and_normalised() {
        let c = clientis().validate().unwrap();
        assert_eq!(c.siren.unwrap().as_str(), "542051180");
        assert_eq!(c.country, "FR");
        assert_eq!(c.kind, CompanyKind::Client);
    }

    #[test]
    fn a_french_vat_number_left_empty_is_derived_from_the_siren() {
        let c = clientis().validate().unwrap();
        assert_eq!(c.vat_number.unwrap().as_str(), "FR59542051180");
        // From a SIRET alone too.
        let mut i = clientis();
        i.siren = String::new();
        i.siret = "54205118000017".into();
        assert_eq!(
            i.validate().unwrap().vat_number.unwrap().as_str(),
            "FR59542051180"
        );
        // Abroad, or without an identifier, nothing is made up.
        let mut i = clientis();
        i.country = "BE".into();
        i.postcode = "1000".into();
        assert_eq!(i.validate().unwrap().vat_number, None);
        let mut i = clientis();
        i.siren = String::new();
        assert_eq!(i.validate().unwrap().vat_number, None);
    }

    #[test]
    fn a_bad_siren_names_the_failed_check() {
        let mut i = clientis();
        i.siren = "542051181".into();
        let e = i.validate().unwrap_err();
        assert_eq!(e.for_field("siren").unwrap().key, "id-checksum");
        i.siren = "5420511".into();
        let e = i.validate().unwrap_err();
        assert_eq!(e.for_field("siren").unwrap().key, "id-wrong-length");
    }

    #[test]
    fn identifiers_of_another_company_are_refused() {
        let mut i = clientis();
        i.vat_number = VatNumber::for_siren(&Siren::parse("404833048").unwrap()).to_string();
        let e = i.validate().unwrap_err();
        assert_eq!(e.for_field("vat_number").unwrap().key, "vat-siren-mismatch");
    }

    #[test]
    fn siret_fills_the_siren() {
        let siren = Siren::parse("542051180").unwrap();
        let siret = Siret::with_check_digit(&siren, 12);
        let mut i = clientis();
        i.siren.clear();
        i.siret = siret.to_string();
        assert_eq!(i.validate().unwrap().siren, Some(siren));
    }

    #[test]
    fn every_error_is_reported_at_once() {
        let i = CompanyInput {
            kind: "alien".into(),
            postcode: "ABC".into(),
            phone: "call me".into(),
            ..Default::default()
        };
        let e = i.validate().unwrap_err();
        for f in ["name", "kind", "postcode", "phone"] {
            assert!(e.for_field(f).is_some(), "{f}");
        }
    }

    #[test]
    fn to_input_round_trips() {
        let c = clientis().validate().unwrap();
        assert_eq!(c.to_input().validate().unwrap(), c);
    }
}
