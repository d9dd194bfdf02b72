//! A browser's `User-Agent` header summarised for people: "Chrome sur
//! Android", "Safari sur iPhone". Audit and signature trails keep the raw
//! header (the signature certificate and the API show it); pages show this
//! summary, which is what a person checking "was it me?" recognises.
//!
//! The order of the tests matters: most browsers name the engines they are
//! compatible with (Edge says "Chrome" and "Safari", Chrome says "Safari",
//! Android says "Linux"), so the most specific token is looked for first.

/// The browser family, from the most specific token of the header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Browser {
    Edge,
    Opera,
    SamsungInternet,
    Firefox,
    Chrome,
    Safari,
    /// A program rather than a browser (curl, an HTTP library).
    Program,
    Unknown,
}

/// The operating system or device.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    Android,
    IPhone,
    IPad,
    Windows,
    MacOs,
    ChromeOs,
    Linux,
    Unknown,
}

/// What a trail shows of a `User-Agent` header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    pub browser: Browser,
    pub platform: Platform,
}

impl Browser {
    /// Brand names are not translated; the unknown cases are message keys.
    pub fn name(self) -> Option<&'static str> {
        Some(match self {
            Browser::Edge => "Edge",
            Browser::Opera => "Opera",
            Browser::SamsungInternet => "Samsung Internet",
            Browser::Firefox => "Firefox",
            Browser::Chrome => "Chrome",
            Browser::Safari => "Safari",
            Browser::Program | Browser::Unknown => return None,
        })
    }
}

impl Platform {
    pub fn name(self) -> Option<&'static str> {
        Some(match self {
            Platform::Android => "Android",
            Platform::IPhone => "iPhone",
            Platform::IPad => "iPad",
            Platform::Windows => "Windows",
            Platform::MacOs => "macOS",
            Platform::ChromeOs => "ChromeOS",
            Platform::Linux => "Linux",
            Platform::Unknown => return None,
        })
    }
}

/// Reads the browser and platform out of a `User-Agent` header.
pub fn summarise(header: &str) -> Summary {
    let has = |token: &str| header.contains(token);
    let browser = if has("Edg/") || has("EdgA/") || has("EdgiOS/") {
        Browser::Edge
    } else if has("OPR/") || has("Opera") {
        Browser::Opera
    } else if has("SamsungBrowser/") {
        Browser::SamsungInternet
    } else if has("Firefox/") || has("FxiOS/") {
        Browser::Firefox
    } else if has("Chrome/") || has("CriOS/") || has("Chromium/") {
        Browser::Chrome
    } else if has("Safari/") && has("Version/") {
        Browser::Safari
    } else if has("Mozilla/") || header.trim().is_empty() || header.trim() == "-" {
        // A browser we do not name, or no header at all.
        Browser::Unknown
    } else {
        Browser::Program
    };
    let platform = if has("Android") {
        Platform::Android
    } else if has("iPhone") || has("iPod") {
        Platform::IPhone
    } else if has("iPad") {
        Platform::IPad
    } else if has("Windows") {
        Platform::Windows
    } else if has("CrOS") {
        Platform::ChromeOs
    } else if has("Macintosh") || has("Mac OS X") {
        Platform::MacOs
    } else if has("Linux") || has("X11") {
        Platform::Linux
    } else {
        Platform::Unknown
    };
    Summary { browser, platform }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Headers as the browsers send them (copied from the browsers'
    /// published strings), with what a person would call them.
    const REAL: &[(&str, Browser, Platform)] = &[
        (
            "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
            Browser::Chrome,
            Platform::Android,
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1",
            Browser::Safari,
            Platform::IPhone,
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1",
            Browser::Chrome,
            Platform::IPhone,
        ),
        (
            "Mozilla/5.0 (iPad; CPU OS 16_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/132.0 Mobile/15E148 Safari/605.1.15",
            Browser::Firefox,
            Platform::IPad,
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.70",
            Browser::Edge,
            Platform::Windows,
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
            Browser::Firefox,
            Platform::Windows,
        ),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
            Browser::Safari,
            Platform::MacOs,
        ),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
            Browser::Chrome,
            Platform::MacOs,
        ),
        (
            "Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S921B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36",
            Browser::SamsungInternet,
            Platform::Android,
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 OPR/115.0.0.0",
            Browser::Opera,
            Platform::Windows,
        ),
        (
            "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
            Browser::Firefox,
            Platform::Linux,
        ),
        (
            "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
            Browser::Chrome,
            Platform::ChromeOs,
        ),
        (
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36",
            Browser::Chrome,
            Platform::Linux,
        ),
        ("curl/8.11.1", Browser::Program, Platform::Unknown),
        ("-", Browser::Unknown, Platform::Unknown),
        ("", Browser::Unknown, Platform::Unknown),
    ];

    #[test]
    fn real_headers_read_as_people_name_them() {
        for (header, browser, platform) in REAL {
            assert_eq!(
                summarise(header),
                Summary {
                    browser: *browser,
                    platform: *platform
                },
                "{header}"
            );
        }
    }
}
