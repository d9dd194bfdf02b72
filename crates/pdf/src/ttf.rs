//! The two embedded TrueType fonts of PDF/A documents (Liberation Sans
//! Regular and Bold, cp1252 subsets, see `fonts/README.md`) and what the
//! PDF needs to know about them, read from their own tables.
//!
//! Only the tables a simple `/TrueType` font dictionary needs are parsed:
//! `head` (units per em, bounding box), `hhea` (ascender, descender, number
//! of advance widths), `maxp` (glyph count), `hmtx` (advances), `cmap`
//! (the (3,1) format 4 subtable: Unicode to glyph), `OS/2` (cap height,
//! weight), `post` (italic angle) and `name` (PostScript name). PDF/A
//! requires the `/Widths` of the font dictionary to match the advances of
//! the font program, so they are computed from `hmtx` here rather than
//! copied from the Helvetica AFM tables, and the layout measures with them.
//!
//! The parse runs once per process ([`LazyLock`]): the fonts are compiled
//! in, so a malformed table is a build mistake and panics at first use (the
//! unit tests parse both fonts).

use std::sync::LazyLock;

use crate::fonts::Font;

/// A parsed, embeddable font program. Metrics are in PDF glyph space
/// (1/1000 em), rounded to integers.
#[derive(Debug)]
pub(crate) struct TrueType {
    /// The font file, written as `/FontFile2`.
    pub data: &'static [u8],
    /// The PostScript name (name ID 6).
    pub postscript_name: String,
    /// Advance width of WinAnsi codes 32..=255.
    pub widths: [u16; 224],
    pub bbox: [i32; 4],
    pub italic_angle: f32,
    pub ascent: i32,
    pub descent: i32,
    pub cap_height: i32,
    pub stem_v: i32,
}

static REGULAR: LazyLock<TrueType> = LazyLock::new(|| {
    TrueType::parse(include_bytes!("../fonts/RegisseurSans-Regular.ttf"))
        .unwrap_or_else(|e| panic!("the vendored Liberation Sans Regular: {}", e.0))
});

static BOLD: LazyLock<TrueType> = LazyLock::new(|| {
    TrueType::parse(include_bytes!("../fonts/RegisseurSans-Bold.ttf"))
        .unwrap_or_else(|e| panic!("the vendored Liberation Sans Bold: {}", e.0))
});

/// The embedded font drawn for `font` in PDF/A documents.
pub(crate) fn embedded(font: Font) -> &'static TrueType {
    match font {
        Font::Helvetica => &REGULAR,
        Font::HelveticaBold => &BOLD,
    }
}

/// The Unicode character of WinAnsi codes 0x80..=0x9F; 0 where cp1252 has
/// none.
const WINANSI_HIGH: [u16; 32] = [
    0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039,
    0x0152, 0, 0x017D, 0, 0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC,
    0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
];

/// The Unicode character a WinAnsi code stands for, if any.
pub(crate) fn winansi_char(code: u8) -> Option<char> {
    match code {
        0x20..=0x7E | 0xA0..=0xFF => Some(char::from(code)),
        0x80..=0x9F => match WINANSI_HIGH[usize::from(code - 0x80)] {
            0 => None,
            u => char::from_u32(u32::from(u)),
        },
        _ => None,
    }
}

/// A malformed or unsupported font file.
#[derive(Debug)]
pub(crate) struct FontError(&'static str);

impl TrueType {
    pub(crate) fn parse(data: &'static [u8]) -> Result<TrueType, FontError> {
        let font = Tables::new(data)?;
        let head = font.table(b"head")?;
        let units_per_em = u16_at(head, 18)?;
        if units_per_em == 0 {
            return Err(FontError("head: unitsPerEm is 0"));
        }
        let scale = |v: i32| (f64::from(v) * 1000.0 / f64::from(units_per_em)).round() as i32;
        let bbox = [
            scale(i32::from(i16_at(head, 36)?)),
            scale(i32::from(i16_at(head, 38)?)),
            scale(i32::from(i16_at(head, 40)?)),
            scale(i32::from(i16_at(head, 42)?)),
        ];

        let hhea = font.table(b"hhea")?;
        let ascent = scale(i32::from(i16_at(hhea, 4)?));
        let descent = scale(i32::from(i16_at(hhea, 6)?));
        let long_metrics = usize::from(u16_at(hhea, 34)?);
        let glyphs = usize::from(u16_at(font.table(b"maxp")?, 4)?);
        if long_metrics == 0 || long_metrics > glyphs {
            return Err(FontError("hhea: bad numberOfHMetrics"));
        }
        let hmtx = font.table(b"hmtx")?;
        let advance = |glyph: u16| -> Result<u16, FontError> {
            let i = usize::from(glyph).min(long_metrics - 1);
            u16_at(hmtx, 4 * i)
        };

        let os2 = font.table(b"OS/2")?;
        let weight = u16_at(os2, 4)?;
        // sCapHeight exists from OS/2 version 2; before that, the ascent is
        // the usual stand-in.
        let cap_height = if u16_at(os2, 0)? >= 2 {
            scale(i32::from(i16_at(os2, 88)?))
        } else {
            ascent
        };
        // TrueType has no stem width; this is the usual estimate from the
        // weight class (88 for 400, 166 for 700, close to Helvetica's AFM).
        let stem_v = (50.0 + (f64::from(weight) / 65.0).powi(2)).round() as i32;

        let post = font.table(b"post")?;
        let italic_angle = f64::from(u32_at(post, 4)? as i32) / 65536.0;

        let cmap = Cmap::new(font.table(b"cmap")?)?;
        let notdef = advance(0)?;
        let bullet = advance(cmap.glyph(0x2022)?)?;
        let mut widths = [0u16; 224];
        for (code, w) in (32u8..=255).zip(widths.iter_mut()) {
            let units = match winansi_char(code) {
                Some(c) => match cmap.glyph(c as u32)? {
                    0 => notdef,
                    glyph => advance(glyph)?,
                },
                // PDF 32000 D.2 note 3: unused WinAnsi codes show the bullet.
                None if code > 0x20 => bullet,
                None => notdef,
            };
            *w = scale(i32::from(units)) as u16;
        }

        Ok(TrueType {
            data,
            postscript_name: postscript_name(font.table(b"name")?)?,
            widths,
            bbox,
            italic_angle: italic_angle as f32,
            ascent,
            descent,
            cap_height,
            stem_v,
        })
    }

    /// Advance width of a WinAnsi code, 1/1000 em (0 for control codes).
    pub(crate) fn code_width(&self, code: u8) -> u16 {
        if code < 32 {
            0
        } else {
            self.widths[usize::from(code - 32)]
        }
    }
}

struct Tables<'a> {
    data: &'a [u8],
    count: usize,
}

impl<'a> Tables<'a> {
    fn new(data: &'a [u8]) -> Result<Self, FontError> {
        match u32_at(data, 0)? {
            0x0001_0000 | 0x7472_7565 => {}
            _ => return Err(FontError("not a TrueType font")),
        }
        Ok(Tables {
            data,
            count: usize::from(u16_at(data, 4)?),
        })
    }

    fn table(&self, tag: &[u8; 4]) -> Result<&'a [u8], FontError> {
        for i in 0..self.count {
            let record = 12 + 16 * i;
            if slice(self.data, record, 4)? == tag {
                let offset = u32_at(self.data, record + 8)? as usize;
                let length = u32_at(self.data, record + 12)? as usize;
                return slice(self.data, offset, length);
            }
        }
        Err(FontError("a required table is missing"))
    }
}

/// The (3,1) format 4 subtable: what a PDF reader uses for a nonsymbolic
/// TrueType font with WinAnsiEncoding.
struct Cmap<'a> {
    sub: &'a [u8],
    segments: usize,
}

impl<'a> Cmap<'a> {
    fn new(cmap: &'a [u8]) -> Result<Self, FontError> {
        let count = usize::from(u16_at(cmap, 2)?);
        for i in 0..count {
            let record = 4 + 8 * i;
            if u16_at(cmap, record)? == 3 && u16_at(cmap, record + 2)? == 1 {
                let offset = u32_at(cmap, record + 4)? as usize;
                let sub = cmap.get(offset..).ok_or(FontError("cmap: bad offset"))?;
                if u16_at(sub, 0)? != 4 {
                    return Err(FontError("cmap: (3,1) is not format 4"));
                }
                let segments = usize::from(u16_at(sub, 6)? / 2);
                return Ok(Cmap { sub, segments });
            }
        }
        Err(FontError("cmap: no (3,1) subtable"))
    }

    /// The glyph of a BMP character, 0 (.notdef) when unmapped.
    fn glyph(&self, c: u32) -> Result<u16, FontError> {
        let Ok(c) = u16::try_from(c) else {
            return Ok(0);
        };
        let n = self.segments;
        let ends = 14;
        let starts = ends + 2 * n + 2;
        let deltas = starts + 2 * n;
        let range_offsets = deltas + 2 * n;
        for i in 0..n {
            if u16_at(self.sub, ends + 2 * i)? < c {
                continue;
            }
            let start = u16_at(self.sub, starts + 2 * i)?;
            if c < start {
                return Ok(0);
            }
            let delta = u16_at(self.sub, deltas + 2 * i)?;
            let range_offset = usize::from(u16_at(self.sub, range_offsets + 2 * i)?);
            if range_offset == 0 {
                return Ok(c.wrapping_add(delta));
            }
            // idRangeOffset is relative to its own position in the table.
            let at = range_offsets + 2 * i + range_offset + 2 * usize::from(c - start);
            return Ok(match u16_at(self.sub, at)? {
                0 => 0,
                glyph => glyph.wrapping_add(delta),
            });
        }
        Ok(0)
    }
}

/// Name ID 6 from a Windows (UTF-16BE) or Macintosh (Roman, ASCII) record.
fn postscript_name(name: &[u8]) -> Result<String, FontError> {
    let count = usize::from(u16_at(name, 2)?);
    let strings = usize::from(u16_at(name, 4)?);
    for i in 0..count {
        let record = 6 + 12 * i;
        if u16_at(name, record + 6)? != 6 {
            continue;
        }
        let platform = u16_at(name, record)?;
        let length = usize::from(u16_at(name, record + 8)?);
        let offset = usize::from(u16_at(name, record + 10)?);
        let bytes = slice(name, strings + offset, length)?;
        let text = match platform {
            3 => String::from_utf16_lossy(
                &bytes
                    .chunks_exact(2)
                    .map(|p| u16::from_be_bytes([p[0], p[1]]))
                    .collect::<Vec<_>>(),
            ),
            1 => bytes.iter().map(|&b| char::from(b)).collect(),
            _ => continue,
        };
        // A PDF name: keep it to the characters PostScript names use.
        if !text.is_empty() && text.bytes().all(|b| b.is_ascii_graphic() && b != b'/') {
            return Ok(text);
        }
    }
    Err(FontError("name: no PostScript name"))
}

fn slice(data: &[u8], at: usize, len: usize) -> Result<&[u8], FontError> {
    at.checked_add(len)
        .and_then(|end| data.get(at..end))
        .ok_or(FontError("a table is truncated"))
}

fn u16_at(data: &[u8], at: usize) -> Result<u16, FontError> {
    let b = slice(data, at, 2)?;
    Ok(u16::from_be_bytes([b[0], b[1]]))
}

fn i16_at(data: &[u8], at: usize) -> Result<i16, FontError> {
    u16_at(data, at).map(|v| v as i16)
}

fn u32_at(data: &[u8], at: usize) -> Result<u32, FontError> {
    let b = slice(data, at, 4)?;
    Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fonts::winansi_byte;

    #[test]
    fn regular_metrics_come_from_the_font() {
        let f = embedded(Font::Helvetica);
        assert_eq!(f.postscript_name, "RegisseurSans");
        // space 569/2048, "a" 1139/2048, "W" 1933/2048, € 1139/2048.
        assert_eq!(f.code_width(b' '), 278);
        assert_eq!(f.code_width(b'a'), 556);
        assert_eq!(f.code_width(b'W'), 944);
        assert_eq!(f.code_width(0x80), 556);
        // Where Liberation differs from Helvetica's AFM: · is 682/2048.
        assert_eq!(f.code_width(0xB7), 333);
        assert_eq!(Font::Helvetica.code_width(0xB7), 278);
        assert_eq!(f.ascent, 905);
        assert_eq!(f.descent, -212);
        assert_eq!(f.cap_height, 688);
        assert_eq!(f.italic_angle, 0.0);
        assert_eq!(f.stem_v, 88);
        assert!(f.bbox[0] < 0 && f.bbox[1] < 0 && f.bbox[2] > 1000 && f.bbox[3] > 900);
    }

    #[test]
    fn bold_metrics_come_from_the_font() {
        let f = embedded(Font::HelveticaBold);
        assert_eq!(f.postscript_name, "RegisseurSans-Bold");
        assert_eq!(f.code_width(b'a'), 556);
        assert_eq!(f.code_width(b'b'), 611);
        assert_eq!(f.code_width(b'W'), 944);
        assert_eq!(f.stem_v, 166);
    }

    /// Liberation is metric-compatible with Helvetica: every cp1252 glyph
    /// but the five known ones has the AFM width, so layouts barely move.
    #[test]
    fn widths_match_helvetica_but_five_glyphs() {
        for font in [Font::Helvetica, Font::HelveticaBold] {
            let differ: Vec<u8> = (32u8..=255)
                .filter(|&b| winansi_char(b).is_some())
                .filter(|&b| embedded(font).code_width(b) != font.code_width(b))
                .collect();
            assert_eq!(differ, [0xAF, 0xB1, 0xB5, 0xB7, 0xF7], "{font:?}");
        }
    }

    #[test]
    fn winansi_char_inverts_winansi_byte() {
        for code in 32u8..=255 {
            if let Some(c) = winansi_char(code) {
                assert_eq!(winansi_byte(c), code, "{c:?}");
                assert!(embedded(Font::Helvetica).code_width(code) > 0);
            }
        }
        assert_eq!(winansi_char(0x81), None);
        assert_eq!(winansi_char(0x7F), None);
    }

    #[test]
    fn every_cp1252_character_has_a_glyph() {
        for data in [REGULAR.data, BOLD.data] {
            let tables = Tables::new(data).unwrap();
            let cmap = Cmap::new(tables.table(b"cmap").unwrap()).unwrap();
            for code in 32u8..=255 {
                if let Some(c) = winansi_char(code) {
                    assert_ne!(cmap.glyph(c as u32).unwrap(), 0, "{c:?}");
                }
            }
            assert_eq!(cmap.glyph(0x4E00).unwrap(), 0);
        }
    }

    #[test]
    fn garbage_is_an_error() {
        assert!(TrueType::parse(b"").is_err());
        assert!(TrueType::parse(b"\x00\x01\x00\x00\x00\x01").is_err());
        assert!(TrueType::parse(b"OTTO\x00\x00").is_err());
    }
}
