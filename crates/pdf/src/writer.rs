//! Serialisation of a laid-out [`Document`] to PDF 1.7 bytes.
//!
//! Objects, in this order: 1 catalog, 2 page tree, 3 Helvetica, 4
//! Helvetica-Bold, 5 information dictionary, then for each page its page
//! object and its content stream. Content streams are written uncompressed
//! (no `/Filter`): the writer needs no zlib dependency, the pages are a few
//! kilobytes of text operators, and the files stay readable and diffable.

use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use crate::document::{Document, PAGE_HEIGHT, PAGE_WIDTH, draw_footer, literal, num, push_uint};
use crate::fonts::{Font, Metrics};
use crate::pdfa::{self, PdfA3Options};
use crate::{icc, ttf};

const FIRST_PAGE_OBJECT: usize = 6;
const PRODUCER: &str = "Régisseur";
/// `/F1` and `/F2`, objects 3 and 4.
const FONTS: [Font; 2] = [Font::Helvetica, Font::HelveticaBold];

impl Document {
    /// The file: a valid PDF 1.7 with a cross-reference table whose
    /// offsets are exact. The same document (same blocks, footer, title and
    /// [`created_at`](Document::created_at)) always gives the same bytes:
    /// the two identical 16-byte file identifiers of the trailer's `/ID` are
    /// the first half of the SHA-256 of everything before the
    /// cross-reference table.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.write(None)
    }

    /// The document as PDF/A-3b (ISO 19005-3, level B): see the
    /// [`pdfa`](crate::pdfa) module. Deterministic like
    /// [`to_bytes`](Self::to_bytes); text is measured with the embedded
    /// fonts' widths, which differ from Helvetica's for ¯ ± µ · ÷ only, so
    /// the page count may in rare cases differ from
    /// [`page_count`](Self::page_count).
    pub fn to_pdfa3_bytes(&self, options: &PdfA3Options<'_>) -> Vec<u8> {
        self.write(Some(options))
    }

    fn write(&self, pdfa: Option<&PdfA3Options<'_>>) -> Vec<u8> {
        let metrics = if pdfa.is_some() {
            Metrics::Embedded
        } else {
            Metrics::Standard
        };
        let mut pages = self.layout_with(metrics);
        let total = pages.len();
        if let Some(footer) = &self.footer {
            for (i, page) in pages.iter_mut().enumerate() {
                draw_footer(page, metrics, footer, i + 1, total);
            }
        }
        // PDF/A objects follow the pages, in this order: per font its
        // descriptor and program, the XMP stream, the ICC profile, then per
        // attachment its file specification and its stream.
        let first_extra = FIRST_PAGE_OBJECT + 2 * total;
        let font_object = |i: usize| first_extra + 2 * i;
        let metadata_object = first_extra + 4;
        let icc_object = first_extra + 5;
        let filespec_object = |i: usize| first_extra + 6 + 2 * i;
        let extra = pdfa.map_or(0, |o| 6 + 2 * o.attachments.len());
        let objects = first_extra - 1 + extra;

        let size: usize = pages.iter().map(Vec::len).sum();
        let embedded: usize = pdfa.map_or(0, |o| {
            let fonts: usize = FONTS.iter().map(|&f| ttf::embedded(f).data.len()).sum();
            let files: usize = o.attachments.iter().map(|a| a.data.len()).sum();
            fonts + files + icc::SRGB.len() + 8000
        });
        let mut out = Vec::with_capacity(size + embedded + 1200 + 160 * total);
        let mut offsets = Vec::with_capacity(objects);

        // A comment with bytes above 127 marks the file as binary.
        out.extend_from_slice(b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n");

        start_object(&mut out, &mut offsets);
        out.extend_from_slice(b"<< /Type /Catalog /Pages 2 0 R /Lang (fr-FR)");
        if let Some(o) = pdfa {
            out.extend_from_slice(b" /Metadata ");
            reference(&mut out, metadata_object);
            out.extend_from_slice(
                b" /OutputIntents [<< /Type /OutputIntent /S /GTS_PDFA1 /OutputConditionIdentifier ",
            );
            literal(&mut out, icc::SRGB_IDENTIFIER.as_bytes());
            out.extend_from_slice(b" /Info ");
            literal(&mut out, icc::SRGB_IDENTIFIER.as_bytes());
            out.extend_from_slice(b" /DestOutputProfile ");
            reference(&mut out, icc_object);
            out.extend_from_slice(b" >>]");
            if !o.attachments.is_empty() {
                out.extend_from_slice(b" /AF [");
                for i in 0..o.attachments.len() {
                    if i > 0 {
                        out.push(b' ');
                    }
                    reference(&mut out, filespec_object(i));
                }
                // The name tree's keys must be sorted.
                let mut by_name: Vec<usize> = (0..o.attachments.len()).collect();
                by_name.sort_by_key(|&i| o.attachments[i].name);
                out.extend_from_slice(b"] /Names << /EmbeddedFiles << /Names [");
                for (n, &i) in by_name.iter().enumerate() {
                    if n > 0 {
                        out.push(b' ');
                    }
                    text_string(&mut out, o.attachments[i].name);
                    out.push(b' ');
                    reference(&mut out, filespec_object(i));
                }
                out.extend_from_slice(b"] >> >>");
            }
        }
        out.extend_from_slice(b" >>");
        end_object(&mut out);

        start_object(&mut out, &mut offsets);
        out.extend_from_slice(b"<< /Type /Pages /Kids [");
        for i in 0..total {
            if i > 0 {
                out.push(b' ');
            }
            push_uint(&mut out, (FIRST_PAGE_OBJECT + 2 * i) as u64);
            out.extend_from_slice(b" 0 R");
        }
        out.extend_from_slice(b"] /Count ");
        push_uint(&mut out, total as u64);
        out.extend_from_slice(b" >>");
        end_object(&mut out);

        for (i, font) in FONTS.into_iter().enumerate() {
            start_object(&mut out, &mut offsets);
            if pdfa.is_some() {
                truetype_font(&mut out, font, font_object(i));
            } else {
                out.extend_from_slice(b"<< /Type /Font /Subtype /Type1 /BaseFont /");
                out.extend_from_slice(font.base_font().as_bytes());
                out.extend_from_slice(b" /Encoding /WinAnsiEncoding >>");
            }
            end_object(&mut out);
        }

        start_object(&mut out, &mut offsets);
        out.extend_from_slice(b"<< /Title ");
        text_string(&mut out, &self.title);
        if let Some(author) = pdfa.and_then(|o| o.author) {
            out.extend_from_slice(b" /Author ");
            text_string(&mut out, author);
        }
        out.extend_from_slice(b" /Producer ");
        text_string(&mut out, PRODUCER);
        out.extend_from_slice(b" /CreationDate ");
        pdf_date(&mut out, self.created_at);
        if pdfa.is_some() {
            // PDF/A wants every information entry mirrored in the XMP
            // packet: /Creator is xmp:CreatorTool, /ModDate xmp:ModifyDate.
            out.extend_from_slice(b" /Creator ");
            text_string(&mut out, PRODUCER);
            out.extend_from_slice(b" /ModDate ");
            pdf_date(&mut out, self.created_at);
        }
        out.extend_from_slice(b" >>");
        end_object(&mut out);

        for (i, content) in pages.iter().enumerate() {
            start_object(&mut out, &mut offsets);
            out.extend_from_slice(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ");
            num(&mut out, PAGE_WIDTH);
            out.push(b' ');
            num(&mut out, PAGE_HEIGHT);
            out.extend_from_slice(
                b"] /Resources << /Font << /F1 3 0 R /F2 4 0 R >> /ProcSet [/PDF /Text] >> /Contents ",
            );
            push_uint(&mut out, (FIRST_PAGE_OBJECT + 2 * i + 1) as u64);
            out.extend_from_slice(b" 0 R >>");
            end_object(&mut out);

            start_object(&mut out, &mut offsets);
            stream(&mut out, b"", content);
            end_object(&mut out);
        }

        if let Some(o) = pdfa {
            for (i, font) in FONTS.into_iter().enumerate() {
                let program = ttf::embedded(font);
                start_object(&mut out, &mut offsets);
                font_descriptor(&mut out, font, font_object(i) + 1);
                end_object(&mut out);
                start_object(&mut out, &mut offsets);
                let mut dict = b" /Length1 ".to_vec();
                push_uint(&mut dict, program.data.len() as u64);
                stream(&mut out, &dict, program.data);
                end_object(&mut out);
            }

            start_object(&mut out, &mut offsets);
            let metadata = pdfa::xmp(
                &self.title,
                o.author,
                PRODUCER,
                self.created_at,
                &o.xmp_extra,
            );
            stream(&mut out, b" /Type /Metadata /Subtype /XML", &metadata);
            end_object(&mut out);

            start_object(&mut out, &mut offsets);
            stream(&mut out, b" /N 3 /Alternate /DeviceRGB", &icc::SRGB);
            end_object(&mut out);

            for (i, file) in o.attachments.iter().enumerate() {
                start_object(&mut out, &mut offsets);
                out.extend_from_slice(b"<< /Type /Filespec /F ");
                text_string(&mut out, file.name);
                out.extend_from_slice(b" /UF ");
                text_string(&mut out, file.name);
                out.extend_from_slice(b" /Desc ");
                text_string(&mut out, file.description);
                out.extend_from_slice(b" /AFRelationship /");
                out.extend_from_slice(file.relationship.name().as_bytes());
                out.extend_from_slice(b" /EF << /F ");
                let stream_object = filespec_object(i) + 1;
                reference(&mut out, stream_object);
                out.extend_from_slice(b" /UF ");
                reference(&mut out, stream_object);
                out.extend_from_slice(b" >> >>");
                end_object(&mut out);

                start_object(&mut out, &mut offsets);
                let mut dict = b" /Type /EmbeddedFile /Subtype /".to_vec();
                name_bytes(&mut dict, file.mime_type.as_bytes());
                dict.extend_from_slice(b" /Params << /Size ");
                push_uint(&mut dict, file.data.len() as u64);
                dict.extend_from_slice(b" /ModDate ");
                pdf_date(&mut dict, self.created_at);
                dict.extend_from_slice(b" /CheckSum <");
                hex(&mut dict, &pdfa::md5(file.data));
                dict.extend_from_slice(b"> >>");
                stream(&mut out, &dict, file.data);
                end_object(&mut out);
            }
        }
        debug_assert_eq!(offsets.len(), objects);

        let digest = Sha256::digest(&out);
        let xref = out.len();
        out.extend_from_slice(b"xref\n0 ");
        push_uint(&mut out, (objects + 1) as u64);
        out.extend_from_slice(b"\n0000000000 65535 f \n");
        for offset in &offsets {
            let digits = offset.to_string();
            out.extend(std::iter::repeat_n(
                b'0',
                10usize.saturating_sub(digits.len()),
            ));
            out.extend_from_slice(digits.as_bytes());
            out.extend_from_slice(b" 00000 n \n");
        }
        out.extend_from_slice(b"trailer\n<< /Size ");
        push_uint(&mut out, (objects + 1) as u64);
        out.extend_from_slice(b" /Root 1 0 R /Info 5 0 R /ID [");
        for _ in 0..2 {
            out.push(b'<');
            hex(&mut out, &digest[..16]);
            out.push(b'>');
        }
        out.extend_from_slice(b"] >>\nstartxref\n");
        push_uint(&mut out, xref as u64);
        out.extend_from_slice(b"\n%%EOF\n");
        out
    }
}

fn reference(out: &mut Vec<u8>, object: usize) {
    push_uint(out, object as u64);
    out.extend_from_slice(b" 0 R");
}

/// `<< /Length n{dict} >>`, then the data as a stream, uncompressed.
fn stream(out: &mut Vec<u8>, dict: &[u8], data: &[u8]) {
    out.extend_from_slice(b"<< /Length ");
    push_uint(out, data.len() as u64);
    out.extend_from_slice(dict);
    out.extend_from_slice(b" >>\nstream\n");
    out.extend_from_slice(data);
    out.extend_from_slice(b"\nendstream");
}

/// The subset's name: a tag of six capitals, `+`, the PostScript name (PDF
/// 32000 9.6.4); fixed tags keep the output deterministic.
fn subset_name(out: &mut Vec<u8>, font: Font) {
    out.extend_from_slice(match font {
        Font::Helvetica => b"RGSRAA+",
        Font::HelveticaBold => b"RGSRAB+",
    });
    out.extend_from_slice(ttf::embedded(font).postscript_name.as_bytes());
}

/// A simple TrueType font: WinAnsi codes 32..=255, the widths of the
/// embedded program (PDF/A 6.2.11.5), nonsymbolic so that readers map codes
/// through WinAnsi names to the (3,1) cmap — which also gives text
/// extraction its Unicode without a ToUnicode map.
fn truetype_font(out: &mut Vec<u8>, font: Font, descriptor: usize) {
    let program = ttf::embedded(font);
    out.extend_from_slice(b"<< /Type /Font /Subtype /TrueType /BaseFont /");
    subset_name(out, font);
    out.extend_from_slice(b" /FirstChar 32 /LastChar 255 /Widths [");
    for (i, &w) in program.widths.iter().enumerate() {
        if i > 0 {
            out.push(b' ');
        }
        push_uint(out, u64::from(w));
    }
    out.extend_from_slice(b"] /Encoding /WinAnsiEncoding /FontDescriptor ");
    reference(out, descriptor);
    out.extend_from_slice(b" >>");
}

fn font_descriptor(out: &mut Vec<u8>, font: Font, program: usize) {
    let f = ttf::embedded(font);
    out.extend_from_slice(b"<< /Type /FontDescriptor /FontName /");
    subset_name(out, font);
    // 32: nonsymbolic, the glyphs are named by the standard Latin set.
    out.extend_from_slice(b" /Flags 32 /FontBBox [");
    for (i, v) in f.bbox.iter().enumerate() {
        if i > 0 {
            out.push(b' ');
        }
        int(out, *v);
    }
    out.extend_from_slice(b"] /ItalicAngle ");
    num(out, f.italic_angle);
    out.extend_from_slice(b" /Ascent ");
    int(out, f.ascent);
    out.extend_from_slice(b" /Descent ");
    int(out, f.descent);
    out.extend_from_slice(b" /CapHeight ");
    int(out, f.cap_height);
    out.extend_from_slice(b" /StemV ");
    int(out, f.stem_v);
    out.extend_from_slice(b" /FontFile2 ");
    reference(out, program);
    out.extend_from_slice(b" >>");
}

fn int(out: &mut Vec<u8>, v: i32) {
    if v < 0 {
        out.push(b'-');
    }
    push_uint(out, u64::from(v.unsigned_abs()));
}

/// A PDF name's characters: regular characters as they are, the others
/// (delimiters, `#`, whitespace, non-ASCII) as `#xx`.
fn name_bytes(out: &mut Vec<u8>, name: &[u8]) {
    for &b in name {
        if b.is_ascii_graphic() && !b"#()<>[]{}/%".contains(&b) {
            out.push(b);
        } else {
            out.push(b'#');
            out.extend_from_slice(format!("{b:02X}").as_bytes());
        }
    }
}

fn start_object(out: &mut Vec<u8>, offsets: &mut Vec<usize>) {
    offsets.push(out.len());
    push_uint(out, offsets.len() as u64);
    out.extend_from_slice(b" 0 obj\n");
}

fn end_object(out: &mut Vec<u8>) {
    out.extend_from_slice(b"\nendobj\n");
}

/// The lowercase hexadecimal SHA-256 of `bytes` (64 digits).
pub fn sha256_hex(bytes: &[u8]) -> String {
    let mut out = Vec::with_capacity(64);
    hex(&mut out, &Sha256::digest(bytes));
    String::from_utf8(out).expect("hex digits are ASCII")
}

fn hex(out: &mut Vec<u8>, bytes: &[u8]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for &b in bytes {
        out.push(DIGITS[usize::from(b >> 4)]);
        out.push(DIGITS[usize::from(b & 15)]);
    }
}

/// A PDF text string: a literal when printable ASCII, otherwise UTF-16BE
/// with a byte-order mark, in hexadecimal.
fn text_string(out: &mut Vec<u8>, text: &str) {
    if text.bytes().all(|b| (0x20..0x7F).contains(&b)) {
        literal(out, text.as_bytes());
        return;
    }
    out.extend_from_slice(b"<feff");
    let mut units = [0u16; 2];
    for c in text.chars() {
        for unit in c.encode_utf16(&mut units) {
            hex(out, &unit.to_be_bytes());
        }
    }
    out.push(b'>');
}

/// `(D:YYYYMMDDHHmmSS+HH'mm')`, or `Z` for UTC.
fn pdf_date(out: &mut Vec<u8>, at: OffsetDateTime) {
    let two = |out: &mut Vec<u8>, v: u8| {
        out.push(b'0' + v / 10);
        out.push(b'0' + v % 10);
    };
    out.extend_from_slice(b"(D:");
    let year = at.year().clamp(0, 9999) as u32;
    two(out, (year / 100) as u8);
    two(out, (year % 100) as u8);
    two(out, u8::from(at.month()));
    two(out, at.day());
    two(out, at.hour());
    two(out, at.minute());
    two(out, at.second());
    let offset = at.offset();
    if offset.is_utc() {
        out.push(b'Z');
    } else {
        let (h, m, _) = offset.as_hms();
        out.push(if offset.is_negative() { b'-' } else { b'+' });
        two(out, h.unsigned_abs());
        out.push(b'\'');
        two(out, m.unsigned_abs());
        out.push(b'\'');
    }
    out.push(b')');
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn sample() -> Document {
        let mut doc = Document::new("Société « Générale »");
        doc.created_at(datetime!(2025-03-04 05:06:07 +01:00))
            .heading("Titre")
            .paragraph("Bonjour (le monde) \\ €")
            .footer("Pied");
        doc
    }

    fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
        haystack.windows(needle.len()).position(|w| w == needle)
    }

    fn number_at(bytes: &[u8], at: usize) -> usize {
        let digits: Vec<u8> = bytes[at..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .copied()
            .collect();
        String::from_utf8(digits).unwrap().parse().unwrap()
    }

    /// Every xref entry points at "N 0 obj", and startxref at "xref".
    #[test]
    fn xref_offsets_are_exact() {
        let bytes = sample().to_bytes();
        let startxref = number_at(&bytes, find(&bytes, b"startxref\n").unwrap() + 10);
        assert!(bytes[startxref..].starts_with(b"xref\n0 8\n0000000000 65535 f \n"));
        let entries = &bytes[startxref + 29..];
        for i in 0..7 {
            let entry = &entries[20 * i..20 * (i + 1)];
            assert!(entry.ends_with(b" 00000 n \n"), "{entry:?}");
            let offset = number_at(entry, 0);
            let expected = format!("{} 0 obj\n", i + 1);
            assert!(
                bytes[offset..].starts_with(expected.as_bytes()),
                "object {}",
                i + 1
            );
        }
        assert!(entries[140..].starts_with(b"trailer\n"));
        assert!(bytes.ends_with(b"%%EOF\n"));
    }

    #[test]
    fn stream_lengths_are_exact() {
        let bytes = sample().to_bytes();
        let at = find(&bytes, b"/Length ").unwrap() + 8;
        let len = number_at(&bytes, at);
        let start = find(&bytes[at..], b"stream\n").unwrap() + at + 7;
        assert!(bytes[start + len..].starts_with(b"\nendstream\nendobj\n"));
    }

    #[test]
    fn info_and_id() {
        let bytes = sample().to_bytes();
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.contains("/CreationDate (D:20250304050607+01'00')"));
        // "Régisseur" in UTF-16BE.
        assert!(text.contains("/Producer <feff005200e90067006900730073006500750072>"));
        let id = text.split("/ID [<").nth(1).unwrap();
        let (first, rest) = id.split_once("><").unwrap();
        let second = rest.split('>').next().unwrap();
        assert_eq!(first.len(), 32);
        assert_eq!(first, second);
    }

    #[test]
    fn identical_input_identical_bytes() {
        assert_eq!(sample().to_bytes(), sample().to_bytes());
        let mut other = sample();
        other.paragraph("x");
        assert_ne!(sample().to_bytes(), other.to_bytes());
    }

    #[test]
    fn utc_date_and_ascii_title() {
        let mut out = Vec::new();
        pdf_date(&mut out, datetime!(2024-12-31 23:59:58 UTC));
        assert_eq!(out, b"(D:20241231235958Z)");
        out.clear();
        pdf_date(&mut out, datetime!(2024-01-02 03:04:05 -05:30));
        assert_eq!(out, b"(D:20240102030405-05'30')");
        out.clear();
        text_string(&mut out, "Plain (title)");
        assert_eq!(out, b"(Plain \\(title\\))");
    }

    fn pdfa_sample() -> Vec<u8> {
        let attachments = vec![crate::pdfa::Attachment {
            name: "b.xml",
            mime_type: "text/xml",
            description: "B",
            relationship: crate::pdfa::AfRelationship::Data,
            data: b"<b/>",
        }];
        let options = PdfA3Options {
            author: Some("Auteur"),
            attachments,
            xmp_extra: String::new(),
        };
        sample().to_pdfa3_bytes(&options)
    }

    /// Every xref entry points at its "N 0 obj", in PDF/A mode too.
    #[test]
    fn pdfa_xref_offsets_are_exact() {
        let bytes = pdfa_sample();
        let startxref = number_at(&bytes, find(&bytes, b"startxref\n").unwrap() + 10);
        assert!(bytes[startxref..].starts_with(b"xref\n0 "));
        let size = number_at(&bytes, startxref + 7);
        // 5 fixed objects, 2 per page, 6 PDF/A objects, 2 per attachment.
        assert_eq!(size, 1 + 5 + 2 + 6 + 2);
        let entries_at = startxref + find(&bytes[startxref..], b" f \n").unwrap() + 4;
        for i in 1..size {
            let entry = &bytes[entries_at + 20 * (i - 1)..entries_at + 20 * i];
            let offset = number_at(entry, 0);
            let expected = format!("{i} 0 obj\n");
            assert!(
                bytes[offset..].starts_with(expected.as_bytes()),
                "object {i}"
            );
        }
    }

    #[test]
    fn pdfa_catalog_info_and_attachment() {
        let bytes = pdfa_sample();
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.contains(
            "/Metadata 12 0 R /OutputIntents [<< /Type /OutputIntent /S /GTS_PDFA1 \
             /OutputConditionIdentifier (sRGB IEC61966-2.1) /Info (sRGB IEC61966-2.1) \
             /DestOutputProfile 13 0 R >>] /AF [14 0 R] \
             /Names << /EmbeddedFiles << /Names [(b.xml) 14 0 R] >> >>"
        ));
        assert!(text.contains(
            "/Author (Auteur) /Producer <feff005200e90067006900730073006500750072> \
             /CreationDate (D:20250304050607+01'00') /Creator <feff005200e90067006900730073006500750072> \
             /ModDate (D:20250304050607+01'00')"
        ));
        assert!(text.contains("/Subtype /TrueType /BaseFont /RGSRAA+RegisseurSans /FirstChar 32 /LastChar 255 /Widths [278 278 355 "));
        assert!(text.contains("/FontName /RGSRAB+RegisseurSans-Bold /Flags 32 /FontBBox ["));
        assert!(text.contains(
            "<< /Type /Filespec /F (b.xml) /UF (b.xml) /Desc (B) /AFRelationship /Data /EF << /F 15 0 R /UF 15 0 R >> >>"
        ));
        // MD5 of "<b/>".
        let md5: String = crate::pdfa::md5(b"<b/>")
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert!(text.contains(&format!(
            "<< /Length 4 /Type /EmbeddedFile /Subtype /text#2Fxml /Params << /Size 4 \
             /ModDate (D:20250304050607+01'00') /CheckSum <{md5}> >> >>\nstream\n<b/>\nendstream"
        )));
        assert_eq!(pdfa_sample(), bytes);
    }

    #[test]
    fn names_escape_delimiters() {
        let mut out = Vec::new();
        name_bytes(&mut out, b"text/xml; a#b");
        assert_eq!(out, b"text#2Fxml;#20a#23b");
    }

    #[test]
    fn sha256_of_abc() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
