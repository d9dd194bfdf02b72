//! Mail configuration, read from the environment.

use std::env::VarError;
use std::fmt;

use crate::MailError;

/// Environment variable holding the SMTP server URL.
pub const ENV_SMTP_URL: &str = "REGISSEUR_SMTP_URL";
/// Environment variable holding the `From:` mailbox.
pub const ENV_MAIL_FROM: &str = "REGISSEUR_MAIL_FROM";
/// `From:` mailbox used when [`ENV_MAIL_FROM`] is unset or empty.
pub const DEFAULT_FROM: &str = "Régisseur <no-reply@regisseur.invalid>";

/// Where and as whom e-mails are sent.
///
/// `smtp_url` is a lettre connection URL for **plain** SMTP, e.g.
/// `smtp://127.0.0.1:2525` or `smtp://user:pass@host:587` (user and password
/// percent-encoded). No TLS is compiled in for now: `smtps://…` and
/// `?tls=…` are rejected. TLS SMTP would need lettre's `tokio1-rustls`
/// feature (see the crate documentation), never `native-tls`/OpenSSL.
/// Without a port, 25 is used.
///
/// `None` puts the [`crate::Mailer`] in "log" mode.
///
/// `Debug` hides the SMTP password.
#[derive(Clone, PartialEq, Eq)]
pub struct MailConfig {
    /// SMTP server URL, or `None` for log mode.
    pub smtp_url: Option<String>,
    /// `From:` mailbox, `Name <address>` or a bare address.
    pub from: String,
}

impl Default for MailConfig {
    /// Log mode, from [`DEFAULT_FROM`].
    fn default() -> Self {
        Self {
            smtp_url: None,
            from: DEFAULT_FROM.to_owned(),
        }
    }
}

impl fmt::Debug for MailConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MailConfig")
            .field("smtp_url", &self.smtp_url.as_deref().map(redact_url))
            .field("from", &self.from)
            .finish()
    }
}

impl MailConfig {
    /// Reads [`ENV_SMTP_URL`] and [`ENV_MAIL_FROM`].
    ///
    /// An unset or blank `REGISSEUR_SMTP_URL` means log mode; an unset or
    /// blank `REGISSEUR_MAIL_FROM` means [`DEFAULT_FROM`]. Both values are
    /// validated here (URL scheme and syntax, `From:` mailbox syntax) so that
    /// a typo stops the program at start-up, not at the first e-mail.
    ///
    /// # Errors
    /// [`MailError::Config`] naming the variable at fault.
    pub fn from_env() -> Result<Self, MailError> {
        Self::from_lookup(std::env::var)
    }

    /// [`MailConfig::from_env`] with an injectable lookup (tests).
    pub(crate) fn from_lookup(
        lookup: impl Fn(&'static str) -> Result<String, VarError>,
    ) -> Result<Self, MailError> {
        let read = |variable: &'static str| -> Result<Option<String>, MailError> {
            match lookup(variable) {
                Ok(value) if value.trim().is_empty() => Ok(None),
                Ok(value) => Ok(Some(value.trim().to_owned())),
                Err(VarError::NotPresent) => Ok(None),
                Err(VarError::NotUnicode(_)) => Err(MailError::Config {
                    variable,
                    reason: "the value is not valid UTF-8".to_owned(),
                }),
            }
        };
        let config = Self {
            smtp_url: read(ENV_SMTP_URL)?,
            from: read(ENV_MAIL_FROM)?.unwrap_or_else(|| DEFAULT_FROM.to_owned()),
        };
        config.validate()?;
        Ok(config)
    }

    /// Checks both settings without connecting anywhere.
    ///
    /// # Errors
    /// [`MailError::Config`] naming [`ENV_SMTP_URL`] or [`ENV_MAIL_FROM`].
    pub fn validate(&self) -> Result<(), MailError> {
        crate::send::parse_from(&self.from)?;
        if let Some(url) = &self.smtp_url {
            crate::send::build_transport(url, crate::SEND_TIMEOUT)?;
        }
        Ok(())
    }
}

/// `scheme://user:***@host…`: the URL with its password (if any) masked, for
/// logs and `Debug`.
pub(crate) fn redact_url(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_owned();
    };
    let authority_start = scheme_end + 3;
    let rest = &url[authority_start..];
    let authority_len = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_len];
    let Some(at) = authority.rfind('@') else {
        return url.to_owned();
    };
    let userinfo = &authority[..at];
    let Some(colon) = userinfo.find(':') else {
        return url.to_owned();
    };
    format!(
        "{}{}:***{}",
        &url[..authority_start],
        &userinfo[..colon],
        &url[authority_start + at..]
    )
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::ffi::OsString;

    use super::*;

    fn lookup(vars: &[(&'static str, &str)]) -> impl Fn(&'static str) -> Result<String, VarError> {
        let vars: HashMap<&'static str, String> =
            vars.iter().map(|(k, v)| (*k, (*v).to_owned())).collect();
        move |name| vars.get(name).cloned().ok_or(VarError::NotPresent)
    }

    #[test]
    fn nothing_set_means_log_mode_and_default_from() {
        let config = MailConfig::from_lookup(lookup(&[])).unwrap();
        assert_eq!(config, MailConfig::default());
        assert_eq!(config.smtp_url, None);
        assert_eq!(config.from, DEFAULT_FROM);
    }

    #[test]
    fn blank_values_count_as_unset() {
        let config =
            MailConfig::from_lookup(lookup(&[(ENV_SMTP_URL, "  "), (ENV_MAIL_FROM, "")])).unwrap();
        assert_eq!(config, MailConfig::default());
    }

    #[test]
    fn reads_both_variables() {
        let config = MailConfig::from_lookup(lookup(&[
            (ENV_SMTP_URL, "smtp://user:p%40ss@mail.example.org:587"),
            (ENV_MAIL_FROM, "Mairie de Saint-Étienne <regie@example.org>"),
        ]))
        .unwrap();
        assert_eq!(
            config.smtp_url.as_deref(),
            Some("smtp://user:p%40ss@mail.example.org:587")
        );
        assert_eq!(config.from, "Mairie de Saint-Étienne <regie@example.org>");
    }

    #[test]
    fn bad_url_names_the_variable() {
        for url in [
            "mail.example.org",
            "http://mail.example.org",
            "smtps://mail.example.org",
            "smtp://mail.example.org?tls=required",
        ] {
            let err = MailConfig::from_lookup(lookup(&[(ENV_SMTP_URL, url)])).unwrap_err();
            assert!(
                matches!(
                    err,
                    MailError::Config {
                        variable: ENV_SMTP_URL,
                        ..
                    }
                ),
                "{url}: {err:?}"
            );
            assert!(err.to_string().contains("REGISSEUR_SMTP_URL"), "{err}");
        }
    }

    #[test]
    fn bad_from_names_the_variable() {
        let err =
            MailConfig::from_lookup(lookup(&[(ENV_MAIL_FROM, "not an address")])).unwrap_err();
        assert!(
            matches!(
                err,
                MailError::Config {
                    variable: ENV_MAIL_FROM,
                    ..
                }
            ),
            "{err:?}"
        );
        assert!(err.to_string().contains("REGISSEUR_MAIL_FROM"), "{err}");
    }

    #[test]
    fn non_unicode_value_names_the_variable() {
        let err = MailConfig::from_lookup(|name| {
            if name == ENV_SMTP_URL {
                Err(VarError::NotUnicode(OsString::from("x")))
            } else {
                Err(VarError::NotPresent)
            }
        })
        .unwrap_err();
        assert!(
            matches!(
                err,
                MailError::Config {
                    variable: ENV_SMTP_URL,
                    ..
                }
            ),
            "{err:?}"
        );
    }

    #[test]
    fn debug_and_errors_hide_the_password() {
        let config = MailConfig {
            smtp_url: Some("smtp://jean:s3cr3t@mail.example.org:587/ehlo-name".to_owned()),
            from: DEFAULT_FROM.to_owned(),
        };
        let debug = format!("{config:?}");
        assert!(!debug.contains("s3cr3t"), "{debug}");
        assert!(
            debug.contains("smtp://jean:***@mail.example.org:587/ehlo-name"),
            "{debug}"
        );

        let bad = MailConfig {
            smtp_url: Some("smtps://jean:s3cr3t@mail.example.org".to_owned()),
            from: DEFAULT_FROM.to_owned(),
        };
        let err = bad.validate().unwrap_err().to_string();
        assert!(!err.contains("s3cr3t"), "{err}");
    }

    #[test]
    fn redact_url_leaves_password_less_urls_alone() {
        assert_eq!(redact_url("smtp://127.0.0.1:2525"), "smtp://127.0.0.1:2525");
        assert_eq!(redact_url("smtp://user@host"), "smtp://user@host");
        assert_eq!(redact_url("smtp://u:p@host/x@y"), "smtp://u:***@host/x@y");
        assert_eq!(redact_url("not a url"), "not a url");
    }
}
