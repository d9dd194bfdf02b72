//! Where a user may be sent back to after a form (`next` after sign-in,
//! `back` after switching the language or handling a statement line).
//!
//! These values arrive in links and forms anyone can forge, so only a path
//! of this site is followed: an open redirect would let a link to our
//! sign-in page land a user, signed in, on a look-alike site. Browsers are
//! lenient with what they follow: they drop tabs and line breaks anywhere
//! (`/\t/evil.example` becomes `//evil.example`), read `\` as `/`, and treat
//! `//host` as another origin. So the rule is strict rather than clever:
//! printable ASCII only (a non-ASCII path arrives percent-encoded anyway),
//! one leading `/` not followed by `/` or `\`, no `\` anywhere.

/// `raw` when it is a path of this site, else `None`.
pub fn local_path(raw: &str) -> Option<&str> {
    let bytes = raw.as_bytes();
    let printable = bytes.iter().all(|b| (0x21..=0x7e).contains(b));
    let rooted = bytes.first() == Some(&b'/') && !matches!(bytes.get(1), Some(b'/' | b'\\'));
    (printable && rooted && !raw.contains('\\')).then_some(raw)
}

/// `raw` when it is a path of this site under `prefix`, else `fallback`.
pub fn local_path_under<'a>(raw: &'a str, prefix: &str, fallback: &'a str) -> &'a str {
    match local_path(raw) {
        Some(p) if p.starts_with(prefix) => p,
        _ => fallback,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn local_paths_pass_and_others_fall_back() {
        assert_eq!(
            local_path("/companies?q=a&b=%C3%A9#top"),
            Some("/companies?q=a&b=%C3%A9#top")
        );
        assert_eq!(local_path("/"), Some("/"));
        for bad in [
            "",
            "companies",
            "//evil.example",
            "/\\evil.example",
            "/%09/evil.example".replace("%09", "\t").as_str(),
            "/\n",
            "/\r\n/evil.example",
            "https://evil.example",
            " /companies",
            "/a\\b",
            "/société",
            "\\\\evil.example",
            "/\u{0}",
            "/\u{7f}",
        ] {
            assert_eq!(local_path(bad), None, "{bad:?}");
        }
        assert_eq!(
            local_path_under("/collections/matching?x=1", "/collections/", "/"),
            "/collections/matching?x=1"
        );
        assert_eq!(local_path_under("/companies", "/collections/", "/x"), "/x");
    }

    /// Resolves `path` against our origin the way a browser does (the
    /// WHATWG URL parser of the `url` crate), after the header survives.
    fn browser_target(path: &str) -> Option<url::Url> {
        axum::http::HeaderValue::from_str(path).ok()?;
        url::Url::parse("https://app.regisseur.example/login")
            .ok()?
            .join(path)
            .ok()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]

        /// Whatever is typed, an accepted path is a valid `Location` header
        /// and a browser following it stays on our origin.
        #[test]
        fn accepted_paths_stay_on_our_origin(raw in prop_oneof![
            any::<String>(),
            "[/\\\\\t\n\r %:.a-z@?#]{0,12}",
            "/[\\PC\t\n\r\\\\/]{0,10}",
        ]) {
            if let Some(p) = local_path(&raw) {
                let target = browser_target(p);
                prop_assert!(target.is_some(), "{p:?} is not a valid redirect");
                let target = target.unwrap();
                prop_assert_eq!(target.host_str(), Some("app.regisseur.example"), "{:?}", p);
                prop_assert_eq!(target.scheme(), "https");
            }
        }
    }
}
