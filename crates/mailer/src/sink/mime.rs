//! Just enough MIME to read back what lettre writes: header unfolding,
//! RFC 2047 encoded words (B and Q), quoted-printable and base64 bodies,
//! `multipart/*` bodies. Test tooling, but correct for UTF-8.

use base64::Engine as _;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

/// Lenient standard base64: padding optional, as readers must accept.
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// A parsed entity: unfolded headers (raw values) and the body text.
pub(crate) struct Entity<'a> {
    pub headers: Vec<(String, String)>,
    pub body: &'a str,
}

impl<'a> Entity<'a> {
    /// Splits `raw` at the first empty line. No empty line: all headers.
    pub fn parse(raw: &'a str) -> Self {
        let (head, body) =
            if let Some(body) = raw.strip_prefix("\r\n").or_else(|| raw.strip_prefix('\n')) {
                // The first line is already empty: no headers.
                ("", body)
            } else {
                match (raw.find("\r\n\r\n"), raw.find("\n\n")) {
                    (Some(crlf), Some(lf)) if lf < crlf => (&raw[..lf], &raw[lf + 2..]),
                    (Some(crlf), _) => (&raw[..crlf], &raw[crlf + 4..]),
                    (None, Some(lf)) => (&raw[..lf], &raw[lf + 2..]),
                    (None, None) => (raw, ""),
                }
            };
        let mut headers: Vec<(String, String)> = Vec::new();
        for line in head.split('\n') {
            let line = line.strip_suffix('\r').unwrap_or(line);
            if line.starts_with([' ', '\t']) {
                // Unfolding (RFC 5322 §2.2.3): drop the line break only.
                if let Some((_, value)) = headers.last_mut() {
                    value.push_str(line);
                }
            } else if let Some((name, value)) = line.split_once(':') {
                headers.push((name.trim().to_owned(), value.trim_start().to_owned()));
            }
        }
        for (_, value) in &mut headers {
            let trimmed = value.trim_end().len();
            value.truncate(trimmed);
        }
        Self { headers, body }
    }

    /// First header with this name (case-insensitive), raw (not decoded).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The first `text/plain` part, decoded, line endings as `\n`.
    pub fn text_plain(&self) -> Option<String> {
        let content_type = ContentType::parse(self.header("Content-Type").unwrap_or("text/plain"));
        if content_type.mime.starts_with("multipart/") {
            let boundary = content_type.param("boundary")?;
            return multipart_parts(self.body, boundary)
                .into_iter()
                .find_map(|part| Entity::parse(part).text_plain());
        }
        if content_type.mime != "text/plain" {
            return None;
        }
        let encoding = self
            .header("Content-Transfer-Encoding")
            .unwrap_or("7bit")
            .trim()
            .to_ascii_lowercase();
        let bytes = match encoding.as_str() {
            "base64" => {
                let compact: String = self.body.chars().filter(|c| !c.is_whitespace()).collect();
                BASE64
                    .decode(compact.as_bytes())
                    .unwrap_or_else(|e| panic!("invalid base64 body ({e}):\n{}", self.body))
            }
            "quoted-printable" => decode_quoted_printable(self.body),
            _ => self.body.as_bytes().to_vec(),
        };
        let charset = content_type.param("charset").unwrap_or("us-ascii");
        Some(decode_charset(charset, &bytes).replace("\r\n", "\n"))
    }
}

/// A file part of a message as the sink read it back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedAttachment {
    /// From `Content-Disposition: attachment; filename=…`.
    pub file_name: String,
    /// `application/pdf` (lower case, without parameters).
    pub content_type: String,
    /// Decoded (base64, quoted-printable or as is).
    pub bytes: Vec<u8>,
}

impl Entity<'_> {
    /// The parts sent as attachments (`Content-Disposition: attachment`),
    /// searched through nested `multipart/*` bodies, in order.
    pub fn attachments(&self) -> Vec<ReceivedAttachment> {
        let content_type = ContentType::parse(self.header("Content-Type").unwrap_or("text/plain"));
        if content_type.mime.starts_with("multipart/") {
            let Some(boundary) = content_type.param("boundary") else {
                return Vec::new();
            };
            return multipart_parts(self.body, boundary)
                .into_iter()
                .flat_map(|part| Entity::parse(part).attachments())
                .collect();
        }
        let Some(disposition) = self.header("Content-Disposition") else {
            return Vec::new();
        };
        let disposition = ContentType::parse(disposition);
        if disposition.mime != "attachment" {
            return Vec::new();
        }
        let encoding = self
            .header("Content-Transfer-Encoding")
            .unwrap_or("7bit")
            .trim()
            .to_ascii_lowercase();
        let bytes = match encoding.as_str() {
            "base64" => {
                let compact: String = self.body.chars().filter(|c| !c.is_whitespace()).collect();
                BASE64.decode(compact.as_bytes()).unwrap_or_default()
            }
            "quoted-printable" => decode_quoted_printable(self.body),
            _ => self.body.as_bytes().to_vec(),
        };
        vec![ReceivedAttachment {
            file_name: decode_header(disposition.param("filename").unwrap_or_default()),
            content_type: content_type.mime,
            bytes,
        }]
    }
}

/// `type/subtype; key=value; key="quoted value"`.
struct ContentType {
    mime: String,
    params: Vec<(String, String)>,
}

impl ContentType {
    fn parse(value: &str) -> Self {
        let mut pieces = split_params(value).into_iter();
        let mime = pieces
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        let params = pieces
            .filter_map(|p| {
                let (key, value) = p.split_once('=')?;
                let value = value.trim();
                let value = value
                    .strip_prefix('"')
                    .and_then(|v| v.strip_suffix('"'))
                    .map_or_else(
                        || value.to_owned(),
                        |v| v.replace("\\\"", "\"").replace("\\\\", "\\"),
                    );
                Some((key.trim().to_ascii_lowercase(), value))
            })
            .collect();
        Self { mime, params }
    }

    fn param(&self, key: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// Splits at `;` outside double quotes.
fn split_params(value: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut start, mut quoted, mut escaped) = (0, false, false);
    for (i, c) in value.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            ';' if !quoted => {
                out.push(&value[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&value[start..]);
    out
}

/// The parts between `--boundary` lines, up to `--boundary--`.
fn multipart_parts<'a>(body: &'a str, boundary: &str) -> Vec<&'a str> {
    let delimiter = format!("--{boundary}");
    let mut parts = Vec::new();
    let mut current: Option<usize> = None;
    let mut offset = 0;
    for line in body.split_inclusive('\n') {
        let bare = line
            .trim_end_matches(['\r', '\n'])
            .trim_end_matches([' ', '\t']);
        if let Some(rest) = bare.strip_prefix(delimiter.as_str())
            && (rest.is_empty() || rest == "--")
        {
            if let Some(start) = current {
                // The line break before the delimiter belongs to the delimiter.
                let part = &body[start..offset];
                let part = part.strip_suffix('\n').unwrap_or(part);
                parts.push(part.strip_suffix('\r').unwrap_or(part));
            }
            if rest == "--" {
                return parts;
            }
            current = Some(offset + line.len());
        }
        offset += line.len();
    }
    if let Some(start) = current {
        parts.push(&body[start..]);
    }
    parts
}

/// RFC 2045 §6.7 quoted-printable: `=XX` bytes, `=` soft line breaks,
/// unencoded trailing whitespace dropped. Malformed `=` sequences are kept
/// literally (the "robust" reading the RFC recommends).
pub(crate) fn decode_quoted_printable(body: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len());
    let mut lines = body.split('\n').peekable();
    while let Some(line) = lines.next() {
        let has_break = lines.peek().is_some();
        let line = line.strip_suffix('\r').unwrap_or(line);
        let line = line.trim_end_matches([' ', '\t']);
        let (line, soft) = match line.strip_suffix('=') {
            Some(rest) => (rest, true),
            None => (line, false),
        };
        let bytes = line.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'='
                && let Some(byte) = bytes.get(i + 1..i + 3).and_then(hex_byte)
            {
                out.push(byte);
                i += 3;
                continue;
            }
            out.push(bytes[i]);
            i += 1;
        }
        if has_break && !soft {
            out.extend_from_slice(b"\r\n");
        }
    }
    out
}

fn hex_byte(pair: &[u8]) -> Option<u8> {
    let digit = |c: u8| (c as char).to_digit(16);
    Some((digit(pair[0])? * 16 + digit(pair[1])?) as u8)
}

/// Bytes in `charset` to a string: UTF-8 (and ASCII) or Latin-1; anything
/// else is read as UTF-8, invalid sequences replaced.
fn decode_charset(charset: &str, bytes: &[u8]) -> String {
    let charset = charset.trim().to_ascii_lowercase();
    let charset = charset.split('*').next().unwrap_or_default();
    match charset {
        "iso-8859-1" | "latin1" | "iso_8859-1" | "l1" => bytes.iter().map(|&b| b as char).collect(),
        _ => String::from_utf8_lossy(bytes).into_owned(),
    }
}

enum Token<'a> {
    Text(&'a str),
    Word { charset: &'a str, bytes: Vec<u8> },
}

/// Decodes RFC 2047 encoded words (`=?charset?B|Q?text?=`) in an unfolded
/// header value. Whitespace between two adjacent encoded words is dropped
/// (§6.2), and the bytes of adjacent words in the same charset are joined
/// before conversion, so a character split across two words survives.
/// Malformed words are left as they are.
pub(crate) fn decode_header(value: &str) -> String {
    let mut tokens = Vec::new();
    let mut rest = value;
    let mut cursor = 0;
    while let Some(found) = rest[cursor..].find("=?") {
        let at = cursor + found;
        match parse_word(&rest[at..]) {
            Some((token, len)) => {
                if at > 0 {
                    tokens.push(Token::Text(&rest[..at]));
                }
                tokens.push(token);
                rest = &rest[at + len..];
                cursor = 0;
            }
            None => cursor = at + 2,
        }
    }
    if !rest.is_empty() {
        tokens.push(Token::Text(rest));
    }

    let mut out = String::new();
    let mut pending: Option<(&str, Vec<u8>)> = None;
    for (i, token) in tokens.iter().enumerate() {
        match token {
            Token::Text(text) => {
                let between_words = text.trim().is_empty()
                    && i > 0
                    && matches!(tokens.get(i + 1), Some(Token::Word { .. }))
                    && matches!(tokens[i - 1], Token::Word { .. });
                if between_words {
                    continue;
                }
                if let Some((charset, bytes)) = pending.take() {
                    out.push_str(&decode_charset(charset, &bytes));
                }
                out.push_str(text);
            }
            Token::Word { charset, bytes } => match &mut pending {
                Some((current, buffer)) if current.eq_ignore_ascii_case(charset) => {
                    buffer.extend_from_slice(bytes);
                }
                _ => {
                    if let Some((charset, bytes)) = pending.take() {
                        out.push_str(&decode_charset(charset, &bytes));
                    }
                    pending = Some((charset, bytes.clone()));
                }
            },
        }
    }
    if let Some((charset, bytes)) = pending {
        out.push_str(&decode_charset(charset, &bytes));
    }
    out
}

/// Parses one encoded word at the start of `s`; returns it and its length.
fn parse_word(s: &str) -> Option<(Token<'_>, usize)> {
    let inner = s.strip_prefix("=?")?;
    let (charset, after_charset) = inner.split_once('?')?;
    let (encoding, after_encoding) = after_charset.split_once('?')?;
    let (text, _) = after_encoding.split_once("?=")?;
    // A token (RFC 2047 §2); "." is tolerated.
    let valid_charset = !charset.is_empty()
        && !charset.contains(|c: char| {
            c.is_whitespace() || c.is_control() || "()<>@,;:\"/[]=".contains(c)
        });
    if !valid_charset || text.contains(|c: char| c.is_whitespace() || c == '?') {
        return None;
    }
    let bytes = match encoding {
        "B" | "b" => BASE64.decode(text.as_bytes()).ok()?,
        "Q" | "q" => decode_q(text)?,
        _ => return None,
    };
    let len = 2 + charset.len() + 1 + encoding.len() + 1 + text.len() + 2;
    Some((Token::Word { charset, bytes }, len))
}

/// RFC 2047 §4.2 "Q": `_` is a space, `=XX` a byte.
fn decode_q(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'_' => out.push(b' '),
            b'=' => {
                out.push(hex_byte(bytes.get(i + 1..i + 3)?)?);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc2047_examples() {
        // RFC 2047 §8.
        assert_eq!(decode_header("(=?ISO-8859-1?Q?a?=)"), "(a)");
        assert_eq!(decode_header("(=?ISO-8859-1?Q?a?= b)"), "(a b)");
        assert_eq!(
            decode_header("(=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=)"),
            "(ab)"
        );
        assert_eq!(
            decode_header("(=?ISO-8859-1?Q?a?=  =?ISO-8859-1?Q?b?=)"),
            "(ab)"
        );
        assert_eq!(
            decode_header("(=?ISO-8859-1?Q?a?=\t =?ISO-8859-1?Q?b?=)"),
            "(ab)"
        );
        assert_eq!(decode_header("(=?ISO-8859-1?Q?a_b?=)"), "(a b)");
        assert_eq!(
            decode_header("(=?ISO-8859-1?Q?a?= =?ISO-8859-2?Q?_b?=)"),
            "(a b)"
        );
        assert_eq!(
            decode_header("=?ISO-8859-1?Q?Andr=E9?= Pirard <PIRARD@vm1.ulg.ac.be>"),
            "André Pirard <PIRARD@vm1.ulg.ac.be>"
        );
        assert_eq!(
            decode_header(
                "=?ISO-8859-1?B?SWYgeW91IGNhbiByZWFkIHRoaXMgeW8=?= =?ISO-8859-2?B?dSB1bmRlcnN0YW5kIHRoZSBleGFtcGxlLg==?="
            ),
            "If you can read this you understand the example."
        );
    }

    #[test]
    fn utf8_words_b_and_q() {
        assert_eq!(
            decode_header("=?utf-8?b?UsOpZ2lzc2V1cg==?= <a@b.c>"),
            "Régisseur <a@b.c>"
        );
        assert_eq!(
            decode_header("=?UTF-8?Q?12_000,00_=E2=82=AC?="),
            "12 000,00 €"
        );
        // Unpadded base64 is accepted.
        assert_eq!(decode_header("=?utf-8?B?w6k?="), "é");
        // A character split across two words (bytes joined before decoding).
        assert_eq!(decode_header("=?utf-8?Q?=E2=82?= =?utf-8?Q?=AC?="), "€");
        // RFC 2231 language suffix.
        assert_eq!(decode_header("=?utf-8*fr?Q?=C3=A0?="), "à");
    }

    #[test]
    fn malformed_words_are_kept() {
        for value in [
            "=?utf-8?x?abc?=",
            "=?utf-8?Q?a b?=",
            "=?utf-8?B?***?=",
            "=?utf-8?Q?=ZZ?=",
            "a =? b ?= c",
            "=?utf-8?Q?unterminated",
        ] {
            assert_eq!(decode_header(value), value);
        }
        assert_eq!(decode_header("x =?bad?= =?utf-8?Q?ok?="), "x =?bad?= ok");
    }

    #[test]
    fn plain_text_between_words_keeps_its_spaces() {
        assert_eq!(
            decode_header("=?utf-8?Q?=C3=A0?= plain =?utf-8?Q?=C3=A9?="),
            "à plain é"
        );
        assert_eq!(decode_header("  lead and trail  "), "  lead and trail  ");
    }

    #[test]
    fn quoted_printable() {
        assert_eq!(
            decode_quoted_printable("Caf=C3=A9 cr=C3=A8me=\r\n br=C3=BBl=C3=A9e\r\nl=C3=A0  \r\n"),
            "Café crème brûlée\r\nlà\r\n".as_bytes()
        );
        // Malformed `=` kept, lone `=` at end is a soft break.
        assert_eq!(decode_quoted_printable("a=ZZb=4"), b"a=ZZb=4");
        assert_eq!(decode_quoted_printable("a=\nb=3D"), b"ab=");
        assert_eq!(decode_quoted_printable("=e2=82=ac"), "€".as_bytes());
    }

    #[test]
    fn headers_are_unfolded() {
        let entity = Entity::parse(
            "Subject: =?utf-8?b?w6k=?=\r\n =?utf-8?b?w6A=?=\r\nX-Two: a\r\n\tb\r\n\r\nbody\r\n",
        );
        assert_eq!(
            entity.header("subject"),
            Some("=?utf-8?b?w6k=?= =?utf-8?b?w6A=?=")
        );
        assert_eq!(decode_header(entity.header("SUBJECT").unwrap()), "éà");
        assert_eq!(entity.header("x-two"), Some("a\tb"));
        assert_eq!(entity.body, "body\r\n");
    }

    #[test]
    fn bodies_in_each_encoding() {
        let qp = "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n=C3=A9t=C3=A9=\r\n =E2=82=AC\r\nfin\r\n";
        assert_eq!(Entity::parse(qp).text_plain().unwrap(), "été €\nfin\n");

        let b64 = "Content-Type: text/plain; charset=\"UTF-8\"\r\nContent-Transfer-Encoding: base64\r\n\r\nw6l0w6kg4oKs\r\nCmZpbg==\r\n";
        assert_eq!(Entity::parse(b64).text_plain().unwrap(), "été €\nfin");

        let eight = "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nété\r\n";
        assert_eq!(Entity::parse(eight).text_plain().unwrap(), "été\n");

        let latin1 = "Content-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n=E9t=E9";
        assert_eq!(Entity::parse(latin1).text_plain().unwrap(), "été");

        let none = "Subject: x\r\n\r\nhello\r\n";
        assert_eq!(Entity::parse(none).text_plain().unwrap(), "hello\n");

        let html = "Content-Type: text/html\r\n\r\n<p>x</p>";
        assert_eq!(Entity::parse(html).text_plain(), None);
    }

    #[test]
    fn multipart_takes_the_first_text_part() {
        let raw = "Content-Type: multipart/mixed; boundary=\"outer;b\"\r\n\r\n\
preamble\r\n\
--outer;b\r\n\
Content-Type: multipart/alternative; boundary=inner\r\n\r\n\
--inner\r\n\
Content-Type: text/plain; charset=utf-8\r\n\
Content-Transfer-Encoding: quoted-printable\r\n\r\n\
d=C3=A9j=C3=A0\r\n\
--inner\r\n\
Content-Type: text/html\r\n\r\n\
<p>déjà</p>\r\n\
--inner--\r\n\
--outer;b\r\n\
Content-Type: application/pdf\r\n\r\n\
xx\r\n\
--outer;b--\r\n\
epilogue\r\n";
        assert_eq!(Entity::parse(raw).text_plain().unwrap(), "déjà");
    }
}
