//! ISO-8859-15 (Latin-9), the charset of the FEC we write: Latin-1 with
//! eight code points replaced (€ at 0xA4, Š š Ž ž Œ œ Ÿ). A character
//! outside it becomes `?`, except a few typographic ones common in French
//! labels that have a plain equivalent (’ → ', « » kept, – — → -, … → ...,
//! narrow and ordinary no-break spaces → space), so a label keeps reading.

/// The eight code points where Latin-9 differs from Latin-1.
const SPECIAL: [(u8, char); 8] = [
    (0xA4, '€'),
    (0xA6, 'Š'),
    (0xA8, 'š'),
    (0xB4, 'Ž'),
    (0xB8, 'ž'),
    (0xBC, 'Œ'),
    (0xBD, 'œ'),
    (0xBE, 'Ÿ'),
];

/// The Latin-9 byte of `c`, if it has one.
pub fn byte_of(c: char) -> Option<u8> {
    let u = c as u32;
    if u < 0x80 {
        return Some(u as u8);
    }
    if let Some((b, _)) = SPECIAL.iter().find(|(_, s)| *s == c) {
        return Some(*b);
    }
    // C1 controls are not text; the Latin-1 characters Latin-9 replaced
    // have no byte any more.
    if (0xA0..=0xFF).contains(&u) && !SPECIAL.iter().any(|(b, _)| u32::from(*b) == u) {
        return Some(u as u8);
    }
    None
}

/// Appends `s` encoded in Latin-9 to `out`.
pub fn encode_into(s: &str, out: &mut Vec<u8>) {
    for c in s.chars() {
        match byte_of(c) {
            Some(b) => out.push(b),
            None => match c {
                '\u{2018}' | '\u{2019}' | '\u{201B}' | '\u{2032}' => out.push(b'\''),
                '\u{201C}' | '\u{201D}' | '\u{201E}' => out.push(b'"'),
                '\u{2010}'..='\u{2015}' | '\u{2212}' => out.push(b'-'),
                '\u{2026}' => out.extend_from_slice(b"..."),
                '\u{202F}' | '\u{2007}' | '\u{2009}' | '\u{200A}' => out.push(b' '),
                _ => out.push(b'?'),
            },
        }
    }
}

pub fn encode(s: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    encode_into(s, &mut out);
    out
}

/// Decodes Latin-9 bytes (every byte is a character).
pub fn decode(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| match SPECIAL.iter().find(|(s, _)| *s == b) {
            Some((_, c)) => *c,
            None => char::from(b),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn euro_and_french_letters() {
        assert_eq!(encode("€"), vec![0xA4]);
        assert_eq!(encode("Œuvre à l'été, ça coûte 5 €"), {
            let mut v = vec![0xBC];
            v.extend_from_slice(b"uvre ");
            v.push(0xE0);
            v.extend_from_slice(b" l'");
            v.push(0xE9);
            v.extend_from_slice(b"t");
            v.push(0xE9);
            v.extend_from_slice(b", ");
            v.push(0xE7);
            v.extend_from_slice(b"a co");
            v.push(0xFB);
            v.extend_from_slice(b"te 5 ");
            v.push(0xA4);
            v
        });
        assert_eq!(
            encode("Ÿ œ Š ž"),
            vec![0xBE, b' ', 0xBD, b' ', 0xA6, b' ', 0xB8]
        );
    }

    #[test]
    fn outside_characters_become_question_marks_or_their_plain_form() {
        assert_eq!(encode("¤¦¨´¸¼½¾"), b"????????".to_vec(), "Latin-1 only");
        assert_eq!(encode("日本 😀 \u{85}"), b"?? ? ?".to_vec());
        assert_eq!(
            encode("d’encaissement — 1\u{202F}000…"),
            b"d'encaissement - 1 000...".to_vec()
        );
    }

    proptest! {
        #[test]
        fn what_is_in_latin9_round_trips(s in "[ -~\u{A0}-\u{FF}€ŠšŽžŒœŸ]{0,60}") {
            let encoded = encode(&s);
            let latin1_only = ['¤', '¦', '¨', '´', '¸', '¼', '½', '¾'];
            let expected: String = s.chars().map(|c| if latin1_only.contains(&c) { '?' } else { c }).collect();
            prop_assert_eq!(decode(&encoded), expected);
            prop_assert_eq!(encoded.len(), s.chars().count());
        }

        #[test]
        fn encoding_never_panics_and_is_one_byte_per_char_or_more(s in any::<String>()) {
            prop_assert!(encode(&s).len() >= s.chars().count());
        }
    }
}
