//! People who log in, and the rules on their credentials.

use serde::Deserialize;

use crate::identifiers::Email;
use crate::ids::CompanyId;
use crate::locale::Locale;
use crate::role::Role;
use crate::validation::{ErrorKey, ValidationErrors, text};

pub const PASSWORD_MIN_CHARS: usize = 12;
pub const PASSWORD_MAX_CHARS: usize = 256;

/// A password that meets the policy. Never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(***)")
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PasswordError {
    TooShort,
    TooLong,
}

impl ErrorKey for PasswordError {
    fn key(&self) -> &'static str {
        match self {
            PasswordError::TooShort => "password-too-short",
            PasswordError::TooLong => "password-too-long",
        }
    }
    fn args(&self) -> Vec<(&'static str, crate::message::Arg)> {
        match self {
            PasswordError::TooShort => crate::args![("min", PASSWORD_MIN_CHARS)],
            PasswordError::TooLong => crate::args![("max", PASSWORD_MAX_CHARS)],
        }
    }
}

impl Password {
    /// Length is the rule that matters (NIST SP 800-63B); composition rules
    /// push people to predictable patterns, so there are none.
    pub fn parse(raw: &str) -> Result<Password, PasswordError> {
        let n = raw.chars().count();
        if n < PASSWORD_MIN_CHARS {
            Err(PasswordError::TooShort)
        } else if n > PASSWORD_MAX_CHARS {
            Err(PasswordError::TooLong)
        } else {
            Ok(Password(raw.to_string()))
        }
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct UserInput {
    pub email: String,
    pub display_name: String,
    pub role: String,
    pub company_id: String,
    pub locale: String,
    /// Only for creation; blank on edit keeps the current password.
    pub password: String,
    pub active: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserData {
    pub email: Email,
    pub display_name: String,
    pub role: Role,
    pub company_id: Option<CompanyId>,
    pub locale: Option<Locale>,
    pub password: Option<Password>,
    pub active: bool,
}

impl UserInput {
    /// `creating`: a new account must get a password.
    pub fn validate(&self, creating: bool) -> Result<UserData, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let email = e.required("email", &self.email, Email::parse);
        let display_name = e.required("display_name", &self.display_name, |s| text(s, 120));
        let role = match Role::parse(self.role.trim()) {
            Some(r) => Some(r),
            None => {
                e.add(
                    "role",
                    if self.role.trim().is_empty() {
                        "field-required"
                    } else {
                        "role-invalid"
                    },
                );
                None
            }
        };
        let company_id = match self.company_id.trim() {
            "" => None,
            s => {
                let id = CompanyId::parse(s);
                if id.is_none() {
                    e.add("company_id", "company-unknown");
                }
                id
            }
        };
        match role {
            Some(r)
                if r.requires_company()
                    && company_id.is_none()
                    && !self.company_id.trim().is_empty() => {}
            Some(r) if r.requires_company() && company_id.is_none() => {
                e.add("company_id", "user-company-required")
            }
            Some(r) if !r.requires_company() && company_id.is_some() => {
                e.add("company_id", "user-company-forbidden")
            }
            _ => {}
        }
        let locale = match self.locale.trim() {
            "" => None,
            s => {
                let l = Locale::parse(s);
                if l.is_none() {
                    e.add("locale", "locale-invalid");
                }
                l
            }
        };
        let password = if self.password.is_empty() {
            if creating {
                e.add("password", "field-required");
            }
            None
        } else {
            match Password::parse(&self.password) {
                Ok(p) => Some(p),
                Err(err) => {
                    e.add_with("password", err.key(), err.args());
                    None
                }
            }
        };
        e.into_result(|| UserData {
            email: email.expect("checked"),
            display_name: display_name.expect("checked"),
            role: role.expect("checked"),
            company_id,
            locale,
            password,
            active: self.active.unwrap_or(true),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(role: &str) -> UserInput {
        UserInput {
            email: "camille.martin@stafforia.example".into(),
            display_name: "Camille Martin".into(),
            role: role.into(),
            password: "correct horse battery".into(),
            ..Default::default()
        }
    }

    #[test]
    fn password_policy_is_length() {
        assert_eq!(Password::parse("short"), Err(PasswordError::TooShort));
        assert!(Password::parse("twelve chars").is_ok());
        assert_eq!(
            format!("{:?}", Password::parse("twelve chars").unwrap()),
            "Password(***)"
        );
    }

    #[test]
    fn client_contact_needs_exactly_one_company() {
        let e = input("client_contact").validate(true).unwrap_err();
        assert_eq!(
            e.for_field("company_id").unwrap().key,
            "user-company-required"
        );
        let mut i = input("consultant");
        i.company_id = CompanyId::new().to_string();
        assert_eq!(
            i.validate(true)
                .unwrap_err()
                .for_field("company_id")
                .unwrap()
                .key,
            "user-company-forbidden"
        );
    }

    #[test]
    fn creation_needs_a_password_edit_does_not() {
        let mut i = input("consultant");
        i.password.clear();
        assert!(i.validate(true).is_err());
        assert!(i.validate(false).is_ok());
    }
}
