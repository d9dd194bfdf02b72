//! People at a company ("interlocuteurs").

use serde::{Deserialize, Serialize};

use crate::company::{parse_phone, text_multiline};
use crate::identifiers::Email;
use crate::validation::{ValidationErrors, text};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ContactRole {
    Buyer,
    DomainManager,
    AccountsPayable,
    Operational,
    #[default]
    Other,
}

impl ContactRole {
    pub const ALL: [ContactRole; 5] = [
        ContactRole::Buyer,
        ContactRole::DomainManager,
        ContactRole::AccountsPayable,
        ContactRole::Operational,
        ContactRole::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ContactRole::Buyer => "buyer",
            ContactRole::DomainManager => "domain_manager",
            ContactRole::AccountsPayable => "accounts_payable",
            ContactRole::Operational => "operational",
            ContactRole::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label_key(self) -> String {
        format!("contact-role-{}", self.as_str().replace('_', "-"))
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct ContactInput {
    pub company_id: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone: String,
    pub job_title: String,
    pub role: String,
    pub notes: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContactData {
    pub company_id: crate::ids::CompanyId,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<Email>,
    pub phone: Option<String>,
    pub job_title: Option<String>,
    pub role: ContactRole,
    pub notes: Option<String>,
}

impl ContactInput {
    pub fn validate(&self) -> Result<ContactData, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let company_id = if self.company_id.trim().is_empty() {
            e.add("company_id", "field-required");
            None
        } else {
            let id = crate::ids::CompanyId::parse(self.company_id.trim());
            if id.is_none() {
                e.add("company_id", "company-unknown");
            }
            id
        };
        let first_name = e.required("first_name", &self.first_name, |s| text(s, 100));
        let last_name = e.required("last_name", &self.last_name, |s| text(s, 100));
        let email = e.optional("email", &self.email, Email::parse);
        let phone = e.optional("phone", &self.phone, parse_phone);
        let job_title = e.optional("job_title", &self.job_title, |s| text(s, 120));
        let role = match self.role.trim() {
            "" => Some(ContactRole::default()),
            r => {
                let parsed = ContactRole::parse(r);
                if parsed.is_none() {
                    e.add("role", "contact-role-invalid");
                }
                parsed
            }
        };
        let notes = e.optional("notes", &self.notes, |s| text_multiline(s, 5000));
        e.into_result(|| ContactData {
            company_id: company_id.expect("checked"),
            first_name: first_name.expect("checked"),
            last_name: last_name.expect("checked"),
            email,
            phone,
            job_title,
            role: role.expect("checked"),
            notes,
        })
    }
}

impl ContactData {
    pub fn to_input(&self) -> ContactInput {
        let s = |o: &Option<String>| o.clone().unwrap_or_default();
        ContactInput {
            company_id: self.company_id.to_string(),
            first_name: self.first_name.clone(),
            last_name: self.last_name.clone(),
            email: self
                .email
                .as_ref()
                .map(|v| v.as_str().to_string())
                .unwrap_or_default(),
            phone: s(&self.phone),
            job_title: s(&self.job_title),
            role: self.role.as_str().to_string(),
            notes: s(&self.notes),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_contact_needs_names_and_a_company() {
        let e = ContactInput::default().validate().unwrap_err();
        for f in ["company_id", "first_name", "last_name"] {
            assert_eq!(e.for_field(f).unwrap().key, "field-required", "{f}");
        }
    }

    #[test]
    fn a_valid_contact_round_trips() {
        let i = ContactInput {
            company_id: crate::ids::CompanyId::new().to_string(),
            first_name: "Sophie".into(),
            last_name: "Bernard".into(),
            email: "Sophie.Bernard@Clientis.example".into(),
            role: "buyer".into(),
            ..Default::default()
        };
        let c = i.validate().unwrap();
        assert_eq!(c.role, ContactRole::Buyer);
        assert_eq!(c.to_input().validate().unwrap(), c);
    }
}
