//! Parsing of `REGISSEUR_SMTP_URL`.
//!
//! The forms (user and password percent-encoded, the path is the name sent
//! with EHLO):
//!
//! | URL | Connection | Port by default |
//! |---|---|---|
//! | `smtps://[user:pass@]host[:port][/helo]` | implicit TLS (TLS from the first byte) | 465 |
//! | `smtp://[user:pass@]host[:port][/helo]` | STARTTLS, **required** | 587 |
//! | `smtp://…?tls=required` | the same, spelled out | 587 |
//! | `smtp://…?tls=none` | plain SMTP, no encryption | 25 |
//!
//! TLS is the default: plain SMTP only when the URL says `?tls=none` (a
//! local sink, a relay on the same machine). With TLS the server's
//! certificate must chain to a trusted root (the public roots, plus
//! `REGISSEUR_SMTP_CA_FILE`) and name the URL's host; there is no way to
//! turn that check off. STARTTLS is never optional: a server that does not
//! offer it is refused rather than talked to in clear
//! (`?tls=opportunistic` is refused on purpose, for that reason).
//!
//! The same meaning as lettre's own `from_url`, except the STARTTLS default
//! of a bare `smtp://`; parsed here so that errors never show the password.

/// How the connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Security {
    /// `smtps://`: TLS from the first byte.
    ImplicitTls,
    /// `smtp://` (or `?tls=required`): STARTTLS, refused if not offered.
    StartTls,
    /// `smtp://…?tls=none`: no encryption.
    Plain,
}

impl Security {
    /// Port used when the URL has none.
    pub fn default_port(self) -> u16 {
        match self {
            Self::ImplicitTls => 465,
            Self::StartTls => 587,
            Self::Plain => 25,
        }
    }
}

/// A parsed SMTP URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SmtpUrl {
    pub security: Security,
    pub host: String,
    pub port: u16,
    pub credentials: Option<(String, String)>,
    /// Name sent with EHLO (the URL path), instead of the machine's hostname.
    pub hello_name: Option<String>,
}

impl SmtpUrl {
    /// Parses `url`; the error text never contains the password.
    pub fn parse(url: &str) -> Result<Self, String> {
        let Some((scheme, rest)) = url.split_once("://") else {
            return Err("expected smtp://host[:port] or smtps://host[:port]".to_owned());
        };
        let implicit = match scheme.to_ascii_lowercase().as_str() {
            "smtp" => false,
            "smtps" => true,
            other => {
                return Err(format!(
                    "unknown scheme {other:?}, expected smtp:// or smtps://"
                ));
            }
        };
        if rest.contains('#') {
            return Err("a URL fragment (#…) is not allowed".to_owned());
        }
        let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
        let mut tls = None;
        for parameter in query.split('&').filter(|p| !p.is_empty()) {
            match parameter.split_once('=') {
                Some(("tls", value)) if tls.is_none() => tls = Some(value),
                Some(("tls", _)) => return Err("?tls= is given twice".to_owned()),
                _ => {
                    return Err(
                        "unknown URL parameter: only ?tls=required or ?tls=none is understood"
                            .to_owned(),
                    );
                }
            }
        }
        let security = match (implicit, tls) {
            (true, None) => Security::ImplicitTls,
            (true, Some(_)) => {
                return Err(
                    "smtps:// is always TLS: ?tls= only applies to smtp:// (STARTTLS)".to_owned(),
                );
            }
            (false, None | Some("required")) => Security::StartTls,
            (false, Some("none")) => Security::Plain,
            (false, Some("opportunistic")) => {
                return Err(
                    "?tls=opportunistic is not supported (it would fall back to plain \
                    text without a word): use ?tls=required (the default) or ?tls=none"
                        .to_owned(),
                );
            }
            // The value is not echoed: with an unencoded '?' in a password,
            // it could be a piece of the password.
            (false, Some(_)) => {
                return Err(
                    "the ?tls= value is not understood: use ?tls=required (the default) or ?tls=none"
                        .to_owned(),
                );
            }
        };
        let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
        let (userinfo, hostport) = match authority.rsplit_once('@') {
            Some((userinfo, hostport)) => (Some(userinfo), hostport),
            None => (None, authority),
        };

        let credentials = match userinfo {
            None => None,
            Some(userinfo) => {
                let Some((user, password)) = userinfo.split_once(':') else {
                    return Err(
                        "a user name needs a password: smtp://user:password@host".to_owned()
                    );
                };
                let user = percent_decode(user).ok_or("the user name is badly percent-encoded")?;
                let password =
                    percent_decode(password).ok_or("the password is badly percent-encoded")?;
                if user.is_empty() {
                    return Err("the user name is empty".to_owned());
                }
                Some((user, password))
            }
        };

        let (host, port) = if let Some(bracketed) = hostport.strip_prefix('[') {
            // [IPv6]:port
            let (ip, after) = bracketed
                .split_once(']')
                .ok_or("unterminated [IPv6] address")?;
            ip.parse::<std::net::Ipv6Addr>()
                .map_err(|_| format!("{ip:?} is not an IPv6 address"))?;
            let port = match after {
                "" => None,
                _ => Some(after.strip_prefix(':').ok_or("expected :port after ]")?),
            };
            (ip.to_owned(), port)
        } else {
            match hostport.split_once(':') {
                Some((host, port)) => (host.to_owned(), Some(port)),
                None => (hostport.to_owned(), None),
            }
        };
        let valid_host = !host.is_empty()
            && host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-._:".contains(c));
        if !valid_host {
            return Err(format!("{host:?} is not a host name or IP address"));
        }
        let port = match port {
            None => security.default_port(),
            Some(port) => match port.parse::<u16>() {
                Ok(port) if port != 0 => port,
                _ => return Err(format!("{port:?} is not a port number")),
            },
        };

        let path = path.trim_matches('/');
        let hello_name = if path.is_empty() {
            None
        } else {
            Some(percent_decode(path).ok_or("the path is badly percent-encoded")?)
        };
        Ok(Self {
            security,
            host,
            port,
            credentials,
            hello_name,
        })
    }
}

/// `%XX` decoding to UTF-8; `None` on a bad escape or invalid UTF-8.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(security: Security, host: &str, port: u16) -> SmtpUrl {
        SmtpUrl {
            security,
            host: host.to_owned(),
            port,
            credentials: None,
            hello_name: None,
        }
    }

    #[test]
    fn tls_is_the_default() {
        use Security::*;
        for (input, expected) in [
            (
                "smtp://mail.example.org",
                url(StartTls, "mail.example.org", 587),
            ),
            (
                "SMTP://mail.example.org/",
                url(StartTls, "mail.example.org", 587),
            ),
            (
                "smtp://mail.example.org:25",
                url(StartTls, "mail.example.org", 25),
            ),
            (
                "smtp://mail.example.org?tls=required",
                url(StartTls, "mail.example.org", 587),
            ),
            ("smtp://127.0.0.1:2525", url(StartTls, "127.0.0.1", 2525)),
            (
                "smtps://mail.example.org",
                url(ImplicitTls, "mail.example.org", 465),
            ),
            (
                "SMTPS://mail.example.org:4650/",
                url(ImplicitTls, "mail.example.org", 4650),
            ),
            ("smtps://[::1]", url(ImplicitTls, "::1", 465)),
        ] {
            assert_eq!(SmtpUrl::parse(input), Ok(expected), "{input}");
        }
    }

    #[test]
    fn plain_only_when_the_url_says_so() {
        use Security::Plain;
        for (input, expected) in [
            (
                "smtp://127.0.0.1:2525?tls=none",
                url(Plain, "127.0.0.1", 2525),
            ),
            (
                "smtp://mail.example.org?tls=none",
                url(Plain, "mail.example.org", 25),
            ),
            (
                "smtp://mail.example.org/?tls=none",
                url(Plain, "mail.example.org", 25),
            ),
            ("smtp://[::1]:2525?tls=none", url(Plain, "::1", 2525)),
            ("smtp://[::1]?tls=none&", url(Plain, "::1", 25)),
        ] {
            assert_eq!(SmtpUrl::parse(input), Ok(expected), "{input}");
        }
    }

    #[test]
    fn credentials_and_hello_name() {
        let parsed =
            SmtpUrl::parse("smtp://jean%40mairie.fr:p%40ss%3Aw%C3%B6rd@host:587/app.example.org")
                .unwrap();
        assert_eq!(
            parsed,
            SmtpUrl {
                security: Security::StartTls,
                host: "host".to_owned(),
                port: 587,
                credentials: Some(("jean@mairie.fr".to_owned(), "p@ss:wörd".to_owned())),
                hello_name: Some("app.example.org".to_owned()),
            }
        );
        let parsed = SmtpUrl::parse("smtps://u:p@host/helo.example.org").unwrap();
        assert_eq!(parsed.security, Security::ImplicitTls);
        assert_eq!(parsed.credentials, Some(("u".to_owned(), "p".to_owned())));
        assert_eq!(parsed.hello_name.as_deref(), Some("helo.example.org"));
        let parsed = SmtpUrl::parse("smtp://u:p@host/helo?tls=none").unwrap();
        assert_eq!(parsed.security, Security::Plain);
        assert_eq!(parsed.hello_name.as_deref(), Some("helo"));
        // A password may contain an unencoded '@': the last '@' ends it.
        let parsed = SmtpUrl::parse("smtp://u:a@b@host").unwrap();
        assert_eq!(parsed.credentials, Some(("u".to_owned(), "a@b".to_owned())));
        assert_eq!(parsed.host, "host");
    }

    #[test]
    fn rejected_urls() {
        for (input, needle) in [
            ("127.0.0.1:2525", "expected smtp://"),
            ("http://host", "unknown scheme"),
            ("smtps://host?tls=none", "smtps:// is always TLS"),
            ("smtps://host?tls=required", "smtps:// is always TLS"),
            (
                "smtp://host?tls=opportunistic",
                "opportunistic is not supported",
            ),
            ("smtp://host?tls=yes", "not understood"),
            ("smtp://host?tls=", "not understood"),
            ("smtp://host?tls=none&tls=none", "twice"),
            ("smtp://host?x=1", "unknown URL parameter"),
            ("smtp://host?tls", "unknown URL parameter"),
            ("smtp://host#x", "fragment"),
            ("smtp://", "not a host"),
            ("smtps://", "not a host"),
            ("smtp://:25", "not a host"),
            ("smtp://ho st", "not a host"),
            ("smtp://host:0", "not a port"),
            ("smtps://host:99999", "not a port"),
            ("smtp://host:x", "not a port"),
            ("smtp://user@host", "needs a password"),
            ("smtp://:pw@host", "user name is empty"),
            ("smtp://u:%zz@host", "badly percent-encoded"),
            ("smtp://[::1", "unterminated"),
            ("smtp://[nope]:25", "not an IPv6"),
        ] {
            let err = SmtpUrl::parse(input).unwrap_err();
            assert!(err.contains(needle), "{input}: {err}");
        }
    }

    #[test]
    fn errors_never_show_the_password() {
        for input in [
            "smtp://u:secret@host:x",
            "smtp://u:secret@",
            "smtps://u:secret@host?tls=none",
            "smtp://u:secret@host?tls=1",
            "smtp://u:secret@host?tls=opportunistic",
            "smtp://u:secret@host?x=secret",
            // An unencoded '?' inside the password.
            "smtp://u:x?tls=secret@host",
            "smtp://u:x?secret@host",
        ] {
            let err = SmtpUrl::parse(input).unwrap_err();
            assert!(!err.contains("secret"), "{input}: {err}");
        }
    }
}
