//! Parsing of `REGISSEUR_SMTP_URL`.
//!
//! lettre's own `from_url` only exists when a TLS feature is compiled in, so
//! the plain-SMTP subset is parsed here, with the same meaning:
//! `smtp://[user:password@]host[:port][/helo-name]`, user and password
//! percent-encoded, port 25 when absent.

/// A parsed plain SMTP URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SmtpUrl {
    pub host: String,
    pub port: u16,
    pub credentials: Option<(String, String)>,
    /// Name sent with EHLO (the URL path), instead of the machine's hostname.
    pub hello_name: Option<String>,
}

const TLS_HINT: &str = "TLS is not compiled in: only plain smtp:// URLs work \
    (TLS SMTP would need lettre's `tokio1-rustls` feature)";

impl SmtpUrl {
    /// Parses `url`; the error text never contains the password.
    pub fn parse(url: &str) -> Result<Self, String> {
        let Some((scheme, rest)) = url.split_once("://") else {
            return Err("expected smtp://host[:port]".to_owned());
        };
        match scheme.to_ascii_lowercase().as_str() {
            "smtp" => {}
            "smtps" => return Err(format!("smtps:// is not supported: {TLS_HINT}")),
            other => return Err(format!("unknown scheme {other:?}, expected smtp://")),
        }
        if rest.contains('#') {
            return Err("a URL fragment (#…) is not allowed".to_owned());
        }
        let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
        if !query.is_empty() {
            return Err(if query.split('&').any(|p| p.starts_with("tls=")) {
                format!("?tls=… is not supported: {TLS_HINT}")
            } else {
                "URL parameters (?…) are not supported".to_owned()
            });
        }
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
            None => 25,
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

    fn url(host: &str, port: u16) -> SmtpUrl {
        SmtpUrl {
            host: host.to_owned(),
            port,
            credentials: None,
            hello_name: None,
        }
    }

    #[test]
    fn plain_urls() {
        assert_eq!(
            SmtpUrl::parse("smtp://127.0.0.1:2525"),
            Ok(url("127.0.0.1", 2525))
        );
        assert_eq!(
            SmtpUrl::parse("SMTP://mail.example.org"),
            Ok(url("mail.example.org", 25))
        );
        assert_eq!(
            SmtpUrl::parse("smtp://mail.example.org/"),
            Ok(url("mail.example.org", 25))
        );
        assert_eq!(SmtpUrl::parse("smtp://[::1]:2525"), Ok(url("::1", 2525)));
        assert_eq!(SmtpUrl::parse("smtp://[::1]"), Ok(url("::1", 25)));
    }

    #[test]
    fn credentials_and_hello_name() {
        let parsed =
            SmtpUrl::parse("smtp://jean%40mairie.fr:p%40ss%3Aw%C3%B6rd@host:587/app.example.org")
                .unwrap();
        assert_eq!(
            parsed,
            SmtpUrl {
                host: "host".to_owned(),
                port: 587,
                credentials: Some(("jean@mairie.fr".to_owned(), "p@ss:wörd".to_owned())),
                hello_name: Some("app.example.org".to_owned()),
            }
        );
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
            ("smtps://host", "TLS is not compiled in"),
            ("smtp://host?tls=required", "TLS is not compiled in"),
            ("smtp://host?x=1", "parameters"),
            ("smtp://host#x", "fragment"),
            ("smtp://", "not a host"),
            ("smtp://:25", "not a host"),
            ("smtp://ho st", "not a host"),
            ("smtp://host:0", "not a port"),
            ("smtp://host:99999", "not a port"),
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
            "smtp://u:secret@host?tls=1",
        ] {
            let err = SmtpUrl::parse(input).unwrap_err();
            assert!(!err.contains("secret"), "{err}");
        }
    }
}
