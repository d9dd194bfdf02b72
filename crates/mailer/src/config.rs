//! Mail configuration, read from the environment.

use std::env::VarError;
use std::fmt;
use std::path::{Path, PathBuf};

use lettre::transport::smtp::client::Certificate;
use tokio_rustls::rustls::RootCertStore;
use tokio_rustls::rustls::pki_types::CertificateDer;
use tokio_rustls::rustls::pki_types::pem::PemObject;

use crate::MailError;

/// Environment variable holding the SMTP server URL.
pub const ENV_SMTP_URL: &str = "REGISSEUR_SMTP_URL";
/// Environment variable naming a PEM file of extra trusted CA certificates
/// (a self-hosted relay with a private CA).
pub const ENV_SMTP_CA_FILE: &str = "REGISSEUR_SMTP_CA_FILE";
/// Environment variable holding the `From:` mailbox.
pub const ENV_MAIL_FROM: &str = "REGISSEUR_MAIL_FROM";
/// `From:` mailbox used when [`ENV_MAIL_FROM`] is unset or empty.
pub const DEFAULT_FROM: &str = "Régisseur <no-reply@regisseur.invalid>";

/// Where and as whom e-mails are sent.
///
/// `smtp_url` is an SMTP URL (user and password percent-encoded), TLS
/// unless it says otherwise:
/// - `smtps://user:pass@host` — implicit TLS, port 465 by default;
/// - `smtp://user:pass@host` (or `…?tls=required`) — STARTTLS, required,
///   port 587 by default;
/// - `smtp://127.0.0.1:2525?tls=none` — plain SMTP (port 25 by default),
///   only for a sink or a relay on the same machine.
///
/// With TLS, the server's certificate must chain to a public root
/// (webpki-roots) or to a certificate of `ca_file`, and name the host.
/// See the crate documentation.
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
    /// PEM file of CA certificates trusted for the SMTP server, in addition
    /// to the public roots (`REGISSEUR_SMTP_CA_FILE`).
    pub ca_file: Option<PathBuf>,
}

impl Default for MailConfig {
    /// Log mode, from [`DEFAULT_FROM`].
    fn default() -> Self {
        Self {
            smtp_url: None,
            from: DEFAULT_FROM.to_owned(),
            ca_file: None,
        }
    }
}

impl fmt::Debug for MailConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MailConfig")
            .field("smtp_url", &self.smtp_url.as_deref().map(redact_url))
            .field("from", &self.from)
            .field("ca_file", &self.ca_file)
            .finish()
    }
}

impl MailConfig {
    /// Reads [`ENV_SMTP_URL`], [`ENV_MAIL_FROM`] and [`ENV_SMTP_CA_FILE`].
    ///
    /// An unset or blank `REGISSEUR_SMTP_URL` means log mode; an unset or
    /// blank `REGISSEUR_MAIL_FROM` means [`DEFAULT_FROM`]; an unset or blank
    /// `REGISSEUR_SMTP_CA_FILE` means the public roots only. The values are
    /// validated here (URL scheme and syntax, `From:` mailbox syntax, the CA
    /// file read and parsed) so that a typo stops the program at start-up,
    /// not at the first e-mail.
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
            ca_file: read(ENV_SMTP_CA_FILE)?.map(PathBuf::from),
        };
        config.validate()?;
        Ok(config)
    }

    /// Checks the settings without connecting anywhere (the CA file is
    /// read).
    ///
    /// # Errors
    /// [`MailError::Config`] naming [`ENV_SMTP_URL`], [`ENV_MAIL_FROM`] or
    /// [`ENV_SMTP_CA_FILE`].
    pub fn validate(&self) -> Result<(), MailError> {
        crate::send::parse_from(&self.from)?;
        let roots = self.ca_file.as_deref().map(read_ca_file).transpose()?;
        if let Some(url) = &self.smtp_url {
            crate::send::build_transport(url, roots.as_deref(), crate::SEND_TIMEOUT)?;
        }
        Ok(())
    }
}

/// The certificates of a PEM CA file, each checked to be usable as a trust
/// anchor.
///
/// # Errors
/// [`MailError::Config`] naming [`ENV_SMTP_CA_FILE`] and the file.
pub(crate) fn read_ca_file(path: &Path) -> Result<Vec<Certificate>, MailError> {
    let error = |reason: String| MailError::Config {
        variable: ENV_SMTP_CA_FILE,
        reason: format!("{}: {reason}", path.display()),
    };
    let pem = std::fs::read(path).map_err(|e| error(format!("cannot read the file ({e})")))?;
    let ders = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| error(format!("not a valid PEM file ({e})")))?;
    if ders.is_empty() {
        return Err(error(
            "no certificate in it (expected PEM: -----BEGIN CERTIFICATE-----)".to_owned(),
        ));
    }
    let mut store = RootCertStore::empty();
    ders.into_iter()
        .enumerate()
        .map(|(index, der)| {
            store
                .add(der.clone())
                .map_err(|e| error(format!("certificate #{} is unusable ({e})", index + 1)))?;
            Certificate::from_der(der.to_vec())
                .map_err(|e| error(format!("certificate #{} is unusable ({e})", index + 1)))
        })
        .collect()
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
            (ENV_SMTP_CA_FILE, ""),
        ]))
        .unwrap();
        assert_eq!(config.ca_file, None);
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
            "smtps://mail.example.org?tls=none",
            "smtp://mail.example.org?tls=opportunistic",
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
            ..MailConfig::default()
        };
        let debug = format!("{config:?}");
        assert!(!debug.contains("s3cr3t"), "{debug}");
        assert!(
            debug.contains("smtp://jean:***@mail.example.org:587/ehlo-name"),
            "{debug}"
        );

        let bad = MailConfig {
            smtp_url: Some("smtps://jean:s3cr3t@mail.example.org?tls=none".to_owned()),
            ..MailConfig::default()
        };
        let err = bad.validate().unwrap_err().to_string();
        assert!(!err.contains("s3cr3t"), "{err}");
    }

    #[test]
    fn bad_ca_file_names_the_variable_and_the_file() {
        let dir = std::env::temp_dir().join(format!("mailer-ca-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let not_pem = dir.join("not-pem.txt");
        std::fs::write(&not_pem, "hello").unwrap();
        let bad_der = dir.join("bad-der.pem");
        std::fs::write(
            &bad_der,
            "-----BEGIN CERTIFICATE-----\naGVsbG8=\n-----END CERTIFICATE-----\n",
        )
        .unwrap();
        let missing = dir.join("missing.pem");
        for (path, needle) in [
            (&missing, "cannot read"),
            (&not_pem, "no certificate"),
            (&bad_der, "certificate #1 is unusable"),
        ] {
            let err = MailConfig::from_lookup(lookup(&[
                (ENV_SMTP_URL, "smtp://mail.example.org"),
                (ENV_SMTP_CA_FILE, path.to_str().unwrap()),
            ]))
            .unwrap_err();
            assert!(
                matches!(
                    err,
                    MailError::Config {
                        variable: ENV_SMTP_CA_FILE,
                        ..
                    }
                ),
                "{err:?}"
            );
            let text = err.to_string();
            assert!(text.contains("REGISSEUR_SMTP_CA_FILE"), "{text}");
            assert!(text.contains(&path.display().to_string()), "{text}");
            assert!(text.contains(needle), "{text}");
            // Checked even without an SMTP URL: a typo is caught at start-up.
            let err =
                MailConfig::from_lookup(lookup(&[(ENV_SMTP_CA_FILE, path.to_str().unwrap())]))
                    .unwrap_err();
            assert!(err.to_string().contains(needle), "{err}");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn redact_url_leaves_password_less_urls_alone() {
        assert_eq!(redact_url("smtp://127.0.0.1:2525"), "smtp://127.0.0.1:2525");
        assert_eq!(redact_url("smtp://user@host"), "smtp://user@host");
        assert_eq!(redact_url("smtp://u:p@host/x@y"), "smtp://u:***@host/x@y");
        assert_eq!(redact_url("not a url"), "not a url");
    }
}
