//! PDF/A-3b output and Factur-X invoices.

//!
//! [`Document::to_pdfa3_bytes`] writes the same pages as
//! [`Document::to_bytes`] with what ISO 19005-3 level B adds: the two fonts
//! embedded (Regisseur Sans: renamed Liberation Sans subsets as simple `/TrueType` fonts with
//! `/WinAnsiEncoding`, `/Widths` and font descriptor read from the font
//! programs, text measured with those widths), an XMP metadata stream
//! (`pdfaid:part` 3, `pdfaid:conformance` B) agreeing with the information
//! dictionary, an sRGB output intent, and associated files (`/AF`, with
//! `/AFRelationship`, MIME subtype, size, date and MD5 checksum). Nothing is
//! compressed, encrypted or transparent; colours are DeviceGray, which the
//! RGB output intent covers.
//!
//! [`facturx_invoice`] is the Factur-X hybrid invoice: the PDF of
//! [`invoice()`](crate::invoice()) with the CII XML attached as
//! `factur-x.xml` (`/Data`) and the `fx:` XMP properties with their PDF/A
//! extension schema, as in the Factur-X 1.0.7 specification's sample.
//!
//! # How conformance is checked
//!
//! veraPDF, the reference PDF/A validator, is not installable here (it is
//! distributed through Maven Central, which this environment cannot
//! reach); validating a sample with it stays a manual step. Instead the
//! tests check, with tools this crate did not write: `qpdf --check` (file
//! structure, xref, stream lengths), `pdffonts` (every font embedded),
//! `pdftotext` (the French text, é and € included, extracts from the
//! embedded fonts), `pdfdetach` (the attachment is listed and comes back
//! byte for byte), and `pypdf` through `tests/check_pdfa.py` (catalog
//! `/AF`, `/Names` `/EmbeddedFiles`, output intent `/GTS_PDFA1` with a
//! 3-component ICC profile, XMP `pdfaid` and `fx:` properties, information
//! dictionary ↔ XMP agreement, `/FontFile2` on every font; when the
//! python also has fontTools, `/Widths` equal to the font program's
//! advances, and with Pillow, Little CMS loads the ICC profile and maps
//! sRGB onto it as the identity). The unit tests cover the TrueType
//! parsing, the ICC profile and the XMP packet.
//!
//! [`Document::to_pdfa3_bytes`]: crate::Document::to_pdfa3_bytes
//! [`Document::to_bytes`]: crate::Document::to_bytes
//! [`Document::created_at`]: crate::Document::created_at

use md5::{Digest, Md5};
use time::OffsetDateTime;

use crate::invoice::{InvoicePdf, invoice};

/// The relationship of an associated file to the document (PDF 2.0
/// `/AFRelationship`, required by PDF/A-3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AfRelationship {
    /// The original content the document was made from.
    Source,
    /// Data the document's content represents (Factur-X: the invoice XML).
    Data,
    /// An alternative representation of the content.
    Alternative,
    /// Supplementary information.
    Supplement,
    Unspecified,
}

impl AfRelationship {
    pub(crate) fn name(self) -> &'static str {
        match self {
            AfRelationship::Source => "Source",
            AfRelationship::Data => "Data",
            AfRelationship::Alternative => "Alternative",
            AfRelationship::Supplement => "Supplement",
            AfRelationship::Unspecified => "Unspecified",
        }
    }
}

/// A file embedded in the PDF and associated with the document (catalog
/// `/AF` and `/Names /EmbeddedFiles`). Its modification date is the
/// document's [`created_at`](crate::Document::created_at).
#[derive(Clone, Copy, Debug)]
pub struct Attachment<'a> {
    /// File name, `/F` and `/UF` (`factur-x.xml`).
    pub name: &'a str,
    /// MIME type, written as the stream's `/Subtype` (`text/xml`).
    pub mime_type: &'a str,
    /// `/Desc` of the file specification.
    pub description: &'a str,
    pub relationship: AfRelationship,
    pub data: &'a [u8],
}

/// What a PDF/A-3b file carries besides the pages.
#[derive(Clone, Debug, Default)]
pub struct PdfA3Options<'a> {
    /// The author: XMP `dc:creator` and the information dictionary's
    /// `/Author`.
    pub author: Option<&'a str>,
    pub attachments: Vec<Attachment<'a>>,
    /// Further `rdf:Description` elements for the XMP packet, inserted as
    /// they are (already escaped XML): custom schemas and the PDF/A
    /// extension schema describing them.
    pub xmp_extra: String,
}

/// The Factur-X data of a hybrid invoice.
#[derive(Clone, Copy, Debug)]
pub struct FacturX<'a> {
    /// The CII XML, embedded byte for byte as `factur-x.xml`.
    pub xml: &'a [u8],
    /// `fx:ConformanceLevel`: `MINIMUM`, `BASIC WL`, `BASIC`, `EN 16931`
    /// or `EXTENDED`.
    pub conformance_level: &'a str,
    /// `fx:DocumentType`: `INVOICE` (credit notes included) or `ORDER`.
    pub document_type: &'a str,
}

/// The file name Factur-X requires for the embedded XML.
pub const FACTURX_FILE_NAME: &str = "factur-x.xml";

/// The invoice/credit note as a PDF/A-3b with the Factur-X XML embedded as
/// factur-x.xml.
///
/// Pure: the same invoice and XML give the same bytes (every date is
/// [`InvoicePdf::created_at`]).
pub fn facturx_invoice(inv: &InvoicePdf, fx: &FacturX<'_>) -> Vec<u8> {
    let options = PdfA3Options {
        author: Some(&inv.seller.name),
        attachments: vec![Attachment {
            name: FACTURX_FILE_NAME,
            mime_type: "text/xml",
            description: "Factur-X invoice",
            relationship: AfRelationship::Data,
            data: fx.xml,
        }],
        xmp_extra: facturx_xmp(fx),
    };
    invoice(inv).to_pdfa3_bytes(&options)
}

const FX_NAMESPACE: &str = "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#";

/// The `fx:` properties and their PDF/A extension schema description, as
/// in the sample XMP of the Factur-X 1.0.7 specification.
pub(crate) fn facturx_xmp(fx: &FacturX<'_>) -> String {
    let mut out = String::with_capacity(3000);
    out.push_str(
        "<rdf:Description rdf:about=\"\" \
         xmlns:pdfaExtension=\"http://www.aiim.org/pdfa/ns/extension/\" \
         xmlns:pdfaSchema=\"http://www.aiim.org/pdfa/ns/schema#\" \
         xmlns:pdfaProperty=\"http://www.aiim.org/pdfa/ns/property#\">\n\
         <pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType=\"Resource\">\n\
         <pdfaSchema:schema>Factur-X PDFA Extension Schema</pdfaSchema:schema>\n\
         <pdfaSchema:namespaceURI>",
    );
    out.push_str(FX_NAMESPACE);
    out.push_str(
        "</pdfaSchema:namespaceURI>\n\
         <pdfaSchema:prefix>fx</pdfaSchema:prefix>\n\
         <pdfaSchema:property><rdf:Seq>\n",
    );
    for (name, description) in [
        ("DocumentFileName", "The name of the embedded XML document"),
        (
            "DocumentType",
            "The type of the hybrid document in capital letters, e.g. INVOICE or ORDER",
        ),
        (
            "Version",
            "The actual version of the standard applying to the embedded XML document",
        ),
        (
            "ConformanceLevel",
            "The conformance level of the embedded XML document",
        ),
    ] {
        out.push_str("<rdf:li rdf:parseType=\"Resource\"><pdfaProperty:name>");
        out.push_str(name);
        out.push_str(
            "</pdfaProperty:name><pdfaProperty:valueType>Text</pdfaProperty:valueType>\
             <pdfaProperty:category>external</pdfaProperty:category><pdfaProperty:description>",
        );
        out.push_str(description);
        out.push_str("</pdfaProperty:description></rdf:li>\n");
    }
    out.push_str(
        "</rdf:Seq></pdfaSchema:property>\n\
         </rdf:li></rdf:Bag></pdfaExtension:schemas>\n\
         </rdf:Description>\n\
         <rdf:Description rdf:about=\"\" xmlns:fx=\"",
    );
    out.push_str(FX_NAMESPACE);
    out.push_str("\">\n<fx:DocumentType>");
    xml_text(&mut out, fx.document_type);
    out.push_str("</fx:DocumentType>\n<fx:DocumentFileName>");
    out.push_str(FACTURX_FILE_NAME);
    out.push_str("</fx:DocumentFileName>\n<fx:Version>1.0</fx:Version>\n<fx:ConformanceLevel>");
    xml_text(&mut out, fx.conformance_level);
    out.push_str("</fx:ConformanceLevel>\n</rdf:Description>\n");
    out
}

/// The XMP packet of a PDF/A-3b document. `producer` is also the creator
/// tool; both dates are `at`, as in the information dictionary.
pub(crate) fn xmp(
    title: &str,
    author: Option<&str>,
    producer: &str,
    at: OffsetDateTime,
    extra: &str,
) -> Vec<u8> {
    let mut out = String::with_capacity(2000 + extra.len());
    out.push_str(
        "<?xpacket begin=\"\u{FEFF}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n\
         <x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n\
         <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n\
         <rdf:Description rdf:about=\"\" xmlns:pdfaid=\"http://www.aiim.org/pdfa/ns/id/\">\n\
         <pdfaid:part>3</pdfaid:part>\n<pdfaid:conformance>B</pdfaid:conformance>\n\
         </rdf:Description>\n\
         <rdf:Description rdf:about=\"\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n\
         <dc:format>application/pdf</dc:format>\n\
         <dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">",
    );
    xml_text(&mut out, title);
    out.push_str("</rdf:li></rdf:Alt></dc:title>\n");
    if let Some(author) = author {
        out.push_str("<dc:creator><rdf:Seq><rdf:li>");
        xml_text(&mut out, author);
        out.push_str("</rdf:li></rdf:Seq></dc:creator>\n");
    }
    out.push_str(
        "</rdf:Description>\n\
         <rdf:Description rdf:about=\"\" xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\">\n\
         <pdf:Producer>",
    );
    xml_text(&mut out, producer);
    out.push_str(
        "</pdf:Producer>\n</rdf:Description>\n\
         <rdf:Description rdf:about=\"\" xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\">\n\
         <xmp:CreatorTool>",
    );
    xml_text(&mut out, producer);
    out.push_str("</xmp:CreatorTool>\n<xmp:CreateDate>");
    let date = xmp_date(at);
    out.push_str(&date);
    out.push_str("</xmp:CreateDate>\n<xmp:ModifyDate>");
    out.push_str(&date);
    out.push_str("</xmp:ModifyDate>\n</rdf:Description>\n");
    out.push_str(extra);
    // Writers may pad the packet so that it can be edited in place; a
    // generated archive copy is never edited, so no padding.
    out.push_str("</rdf:RDF>\n</x:xmpmeta>\n<?xpacket end=\"w\"?>");
    out.into_bytes()
}

/// ISO 8601 with the offset, to the second: the instant of the PDF date.
fn xmp_date(at: OffsetDateTime) -> String {
    let offset = at.offset();
    let zone = if offset.is_utc() {
        "Z".to_owned()
    } else {
        let (h, m, _) = offset.as_hms();
        let sign = if offset.is_negative() { '-' } else { '+' };
        format!("{sign}{:02}:{:02}", h.unsigned_abs(), m.unsigned_abs())
    };
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{zone}",
        at.year().clamp(0, 9999),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    )
}

/// XML character data: markup characters escaped, and the control
/// characters XML 1.0 cannot carry dropped.
pub(crate) fn xml_text(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
}

/// MD5 of an embedded file, for its `/CheckSum`.
pub(crate) fn md5(data: &[u8]) -> [u8; 16] {
    Md5::digest(data).into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn fx() -> FacturX<'static> {
        FacturX {
            xml: b"<x/>",
            conformance_level: "EN 16931",
            document_type: "INVOICE",
        }
    }

    fn packet() -> String {
        let extra = facturx_xmp(&fx());
        let bytes = xmp(
            "Facture N° 1 — A & B <SARL>",
            Some("L'Équipe"),
            "Régisseur",
            datetime!(2025-09-01 09:30:00 +02:00),
            &extra,
        );
        String::from_utf8(bytes).unwrap()
    }

    #[test]
    fn xmp_declares_pdfa_3b_and_escapes_text() {
        let x = packet();
        assert!(x.starts_with("<?xpacket begin=\"\u{FEFF}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>"));
        assert!(x.ends_with("<?xpacket end=\"w\"?>"));
        assert!(x.contains("<pdfaid:part>3</pdfaid:part>"));
        assert!(x.contains("<pdfaid:conformance>B</pdfaid:conformance>"));
        assert!(x.contains(
            "<rdf:li xml:lang=\"x-default\">Facture N° 1 — A &amp; B &lt;SARL&gt;</rdf:li>"
        ));
        assert!(x.contains("<rdf:li>L&apos;Équipe</rdf:li>"));
        assert!(x.contains("<pdf:Producer>Régisseur</pdf:Producer>"));
        assert!(x.contains("<xmp:CreatorTool>Régisseur</xmp:CreatorTool>"));
        assert!(x.contains("<xmp:CreateDate>2025-09-01T09:30:00+02:00</xmp:CreateDate>"));
        assert!(x.contains("<xmp:ModifyDate>2025-09-01T09:30:00+02:00</xmp:ModifyDate>"));
    }

    #[test]
    fn xmp_carries_the_facturx_schema_and_its_description() {
        let x = packet();
        assert!(x.contains(
            "xmlns:fx=\"urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#\">\n\
             <fx:DocumentType>INVOICE</fx:DocumentType>\n\
             <fx:DocumentFileName>factur-x.xml</fx:DocumentFileName>\n\
             <fx:Version>1.0</fx:Version>\n\
             <fx:ConformanceLevel>EN 16931</fx:ConformanceLevel>"
        ));
        assert!(x.contains(
            "<pdfaSchema:namespaceURI>urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#</pdfaSchema:namespaceURI>"
        ));
        assert!(x.contains("<pdfaSchema:prefix>fx</pdfaSchema:prefix>"));
        for name in [
            "DocumentFileName",
            "DocumentType",
            "Version",
            "ConformanceLevel",
        ] {
            assert!(
                x.contains(&format!(
                    "<pdfaProperty:name>{name}</pdfaProperty:name><pdfaProperty:valueType>Text</pdfaProperty:valueType><pdfaProperty:category>external</pdfaProperty:category>"
                )),
                "{name}"
            );
        }
        // Every element opened is closed: a crude well-formedness check.
        for tag in ["rdf:Description", "rdf:li", "rdf:Seq", "rdf:Bag", "rdf:Alt"] {
            let open =
                x.matches(&format!("<{tag}>")).count() + x.matches(&format!("<{tag} ")).count();
            assert_eq!(open, x.matches(&format!("</{tag}>")).count(), "{tag}");
        }
    }

    #[test]
    fn xmp_dates_in_utc_and_negative_offsets() {
        assert_eq!(
            xmp_date(datetime!(2024-12-31 23:59:58 UTC)),
            "2024-12-31T23:59:58Z"
        );
        assert_eq!(
            xmp_date(datetime!(2024-01-02 03:04:05 -05:30)),
            "2024-01-02T03:04:05-05:30"
        );
    }

    #[test]
    fn xml_text_drops_control_characters() {
        let mut out = String::new();
        xml_text(&mut out, "a\u{1}b\u{7}\tc");
        assert_eq!(out, "ab\tc");
    }

    #[test]
    fn md5_of_abc() {
        let hex: String = md5(b"abc").iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, "900150983cd24fb0d6963f7d28e17f72");
    }
}
