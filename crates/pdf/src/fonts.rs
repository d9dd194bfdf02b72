//! The two standard Type 1 fonts the writer uses, their AFM advance widths
//! and the WinAnsiEncoding (Windows code page 1252) text encoding.
//!
//! Helvetica and Helvetica-Bold are among the 14 standard fonts every PDF
//! reader provides, so nothing is embedded (PDF/A documents draw the same
//! `Font`s with embedded Liberation Sans instead, measured with that
//! font's own widths: see [`Metrics`] and the `ttf` module). The widths below are Adobe's
//! Helvetica AFM metrics (version 003.001, the same values as the Core 14
//! AFM files), indexed by WinAnsi code; kerning is not applied, neither when
//! measuring nor when drawing, so measured widths are the drawn widths.

/// A font the writer can draw with: its regular or bold face (Liberation
/// Sans in PDF/A documents).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Font {
    /// Helvetica (resource `/F1`).
    Helvetica,
    /// Helvetica-Bold (resource `/F2`).
    HelveticaBold,
}

impl Font {
    /// The PostScript name of the standard font.
    pub fn base_font(self) -> &'static str {
        match self {
            Font::Helvetica => "Helvetica",
            Font::HelveticaBold => "Helvetica-Bold",
        }
    }

    /// The name of the font in the page resources.
    pub(crate) fn resource(self) -> &'static [u8] {
        match self {
            Font::Helvetica => b"/F1",
            Font::HelveticaBold => b"/F2",
        }
    }

    /// Advance width of one WinAnsi code, in 1/1000 em.
    pub fn code_width(self, code: u8) -> u16 {
        if code < 32 {
            return 0;
        }
        let table = match self {
            Font::Helvetica => &HELVETICA,
            Font::HelveticaBold => &HELVETICA_BOLD,
        };
        table[usize::from(code - 32)]
    }

    /// Width of WinAnsi-encoded text, in 1/1000 em.
    pub fn units(self, encoded: &[u8]) -> u32 {
        encoded.iter().map(|&b| u32::from(self.code_width(b))).sum()
    }

    /// Width of `text` drawn at `size` points, in points (the text is
    /// encoded to WinAnsi first, as it would be drawn).
    pub fn text_width(self, text: &str, size: f32) -> f32 {
        self.units(&encode_winansi(text)) as f32 * size / 1000.0
    }
}

/// Which advance widths the layout measures with: the Helvetica AFM
/// tables for ordinary documents (nothing embedded), the embedded Liberation
/// Sans program's for PDF/A, whose `/Widths` must match the font program.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Metrics {
    Standard,
    Embedded,
}

impl Font {
    /// Advance width of one WinAnsi code under `metrics`, in 1/1000 em.
    pub(crate) fn width_in(self, metrics: Metrics, code: u8) -> u16 {
        match metrics {
            Metrics::Standard => self.code_width(code),
            Metrics::Embedded => crate::ttf::embedded(self).code_width(code),
        }
    }

    /// Width of WinAnsi-encoded text under `metrics`, in 1/1000 em.
    pub(crate) fn units_in(self, metrics: Metrics, encoded: &[u8]) -> u32 {
        match metrics {
            Metrics::Standard => self.units(encoded),
            Metrics::Embedded => {
                let font = crate::ttf::embedded(self);
                encoded.iter().map(|&b| u32::from(font.code_width(b))).sum()
            }
        }
    }
}

/// The WinAnsi (cp1252) byte drawn for `c`.
///
/// Characters outside cp1252 become `?`, with a few folds so that text
/// produced elsewhere in Régisseur still prints: the typographic spaces
/// (U+2002..=U+200A, U+202F narrow no-break space used by French number
/// formatting) become the no-break space 0xA0, U+2010/U+2011 hyphens become
/// `-`, and a tab becomes a space. Other control characters become `?`.
/// Callers handle `\n` (line break) and drop `\r`, soft hyphens and
/// zero-width spaces before encoding (see [`encode_winansi`]).
pub fn winansi_byte(c: char) -> u8 {
    let u = c as u32;
    match u {
        0x20..=0x7E => u as u8,
        0xA0..=0xFF => u as u8,
        0x09 => b' ',
        0x2002..=0x200A | 0x202F => 0xA0,
        0x2010 | 0x2011 => b'-',
        0x20AC => 0x80,
        0x201A => 0x82,
        0x0192 => 0x83,
        0x201E => 0x84,
        0x2026 => 0x85,
        0x2020 => 0x86,
        0x2021 => 0x87,
        0x02C6 => 0x88,
        0x2030 => 0x89,
        0x0160 => 0x8A,
        0x2039 => 0x8B,
        0x0152 => 0x8C,
        0x017D => 0x8E,
        0x2018 => 0x91,
        0x2019 => 0x92,
        0x201C => 0x93,
        0x201D => 0x94,
        0x2022 => 0x95,
        0x2013 => 0x96,
        0x2014 => 0x97,
        0x02DC => 0x98,
        0x2122 => 0x99,
        0x0161 => 0x9A,
        0x203A => 0x9B,
        0x0153 => 0x9C,
        0x017E => 0x9E,
        0x0178 => 0x9F,
        _ => b'?',
    }
}

/// Encodes one line of text to WinAnsi bytes: see [`winansi_byte`]. `\r`,
/// soft hyphens (U+00AD), zero-width spaces (U+200B) and byte-order marks
/// are dropped; a `\n` becomes a space (split lines before encoding to keep
/// line breaks).
pub fn encode_winansi(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    encode_into(text, &mut out);
    out
}

pub(crate) fn encode_into(text: &str, out: &mut Vec<u8>) {
    for c in text.chars() {
        match c {
            '\r' | '\u{AD}' | '\u{200B}' | '\u{FEFF}' => {}
            '\n' => out.push(b' '),
            c => out.push(winansi_byte(c)),
        }
    }
}

/// Advance widths of Helvetica (1/1000 em, AFM), WinAnsiEncoding codes 32..=255;
/// 0 marks the codes without a glyph: 127 (DEL) and the five codes cp1252
/// leaves undefined (129, 141, 143, 144, 157), which are never drawn.
pub(crate) const HELVETICA: [u16; 224] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, // 32..=47
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, // 48..=63
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722,
    778, // 64..=79
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, // 80..=95
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556,
    556, // 96..=111
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, 0, // 112..=127
    556, 0, 222, 556, 333, 1000, 556, 556, 333, 1000, 667, 333, 1000, 0, 611, 0, // 128..=143
    0, 222, 222, 333, 333, 350, 556, 1000, 333, 1000, 500, 333, 944, 0, 500, 667, // 144..=159
    278, 333, 556, 556, 556, 556, 260, 556, 333, 737, 370, 556, 584, 333, 737,
    333, // 160..=175
    400, 584, 333, 333, 333, 578, 537, 278, 333, 333, 365, 556, 834, 834, 834,
    611, // 176..=191
    667, 667, 667, 667, 667, 667, 1000, 722, 667, 667, 667, 667, 278, 278, 278,
    278, // 192..=207
    722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667,
    611, // 208..=223
    556, 556, 556, 556, 556, 556, 889, 500, 556, 556, 556, 556, 278, 278, 278,
    278, // 224..=239
    556, 556, 556, 556, 556, 556, 556, 584, 611, 556, 556, 556, 556, 500, 556,
    500, // 240..=255
];

/// Advance widths of Helvetica-Bold (1/1000 em, AFM), WinAnsiEncoding codes 32..=255;
/// 0 marks the codes without a glyph: 127 (DEL) and the five codes cp1252
/// leaves undefined (129, 141, 143, 144, 157), which are never drawn.
pub(crate) const HELVETICA_BOLD: [u16; 224] = [
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278, // 32..=47
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611, // 48..=63
    975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778, // 64..=79
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556, // 80..=95
    333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611,
    611, // 96..=111
    611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584, 0, // 112..=127
    556, 0, 278, 556, 500, 1000, 556, 556, 333, 1000, 667, 333, 1000, 0, 611, 0, // 128..=143
    0, 278, 278, 500, 500, 350, 556, 1000, 333, 1000, 556, 333, 944, 0, 500, 667, // 144..=159
    278, 333, 556, 556, 556, 556, 280, 556, 333, 737, 370, 556, 584, 333, 737,
    333, // 160..=175
    400, 584, 333, 333, 333, 611, 556, 278, 333, 333, 365, 556, 834, 834, 834,
    611, // 176..=191
    722, 722, 722, 722, 722, 722, 1000, 722, 667, 667, 667, 667, 278, 278, 278,
    278, // 192..=207
    722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667,
    611, // 208..=223
    556, 556, 556, 556, 556, 556, 889, 556, 556, 556, 556, 556, 278, 278, 278,
    278, // 224..=239
    611, 611, 611, 611, 611, 611, 611, 584, 611, 611, 611, 611, 611, 556, 611,
    556, // 240..=255
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn societe_width_from_the_afm_by_hand() {
        // Helvetica: S 667 + o 556 + c 500 + i 222 + é 556 + t 278 + é 556.
        assert_eq!(Font::Helvetica.units(&encode_winansi("Société")), 3335);
        // Helvetica-Bold: S 667 + o 611 + c 556 + i 278 + é 556 + t 333 + é 556.
        assert_eq!(Font::HelveticaBold.units(&encode_winansi("Société")), 3557);
        let w = Font::Helvetica.text_width("Société", 11.0);
        assert!((w - 36.685).abs() < 1e-3, "{w}");
    }

    #[test]
    fn french_characters_map_to_cp1252() {
        let bytes = encode_winansi("éèêàçôûùîïœ«»€’–—Œ…");
        assert_eq!(
            bytes,
            [
                0xE9, 0xE8, 0xEA, 0xE0, 0xE7, 0xF4, 0xFB, 0xF9, 0xEE, 0xEF, 0x9C, 0xAB, 0xBB, 0x80,
                0x92, 0x96, 0x97, 0x8C, 0x85
            ]
        );
        assert_eq!(encode_winansi("日本 ✓ \u{1F600}"), b"?? ? ?");
        assert_eq!(
            encode_winansi("1\u{202F}234\u{A0}€"),
            [b'1', 0xA0, b'2', b'3', b'4', 0xA0, 0x80]
        );
        assert_eq!(encode_winansi("a\r\nb\tc\u{7}"), b"a b c?");
    }

    #[test]
    fn every_cp1252_character_round_trips_and_has_a_width() {
        // The 0x80..=0x9F row of cp1252, as Unicode (None: undefined).
        const ROW: [Option<char>; 32] = [
            Some('€'),
            None,
            Some('‚'),
            Some('ƒ'),
            Some('„'),
            Some('…'),
            Some('†'),
            Some('‡'),
            Some('ˆ'),
            Some('‰'),
            Some('Š'),
            Some('‹'),
            Some('Œ'),
            None,
            Some('Ž'),
            None,
            None,
            Some('‘'),
            Some('’'),
            Some('“'),
            Some('”'),
            Some('•'),
            Some('–'),
            Some('—'),
            Some('˜'),
            Some('™'),
            Some('š'),
            Some('›'),
            Some('œ'),
            None,
            Some('ž'),
            Some('Ÿ'),
        ];
        for code in 32u8..=255 {
            let c = match code {
                0x7F => continue,
                0x80..=0x9F => match ROW[usize::from(code - 0x80)] {
                    Some(c) => c,
                    None => continue,
                },
                _ => char::from(code),
            };
            assert_eq!(winansi_byte(c), code, "{c:?}");
            for font in [Font::Helvetica, Font::HelveticaBold] {
                assert!(font.code_width(code) > 0, "{font:?} {code}");
            }
        }
    }
}
