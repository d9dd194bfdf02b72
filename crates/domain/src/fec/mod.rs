//! The FEC (fichier des écritures comptables, LPF L47 A, A47 A-1): the
//! file of a fiscal year's entries the tax administration may ask for
//! (ACCOUNTING.md §3). This module formats it and checks any FEC, ours or
//! another software's ([`check`]); the store streams the lines.
//!
//! What we write: the 18 columns in order with the header line, a tab
//! between fields, CRLF at the end of each line (the DGFiP tester takes
//! either; CRLF is what the spreadsheet and accounting tools of the
//! administration expect), ISO-8859-15 text ([`latin9`]), dates `AAAAMMJJ`,
//! amounts `14400,00`, one line per posting line with the debit or the
//! credit (the other `0,00`).

pub mod check;
pub mod latin9;

use time::Date;

/// The 18 columns, in the order of A47 A-1.
pub const COLUMNS: [&str; 18] = [
    "JournalCode",
    "JournalLib",
    "EcritureNum",
    "EcritureDate",
    "CompteNum",
    "CompteLib",
    "CompAuxNum",
    "CompAuxLib",
    "PieceRef",
    "PieceDate",
    "EcritureLib",
    "Debit",
    "Credit",
    "EcritureLet",
    "DateLet",
    "ValidDate",
    "Montantdevise",
    "Idevise",
];

pub const SEPARATOR: u8 = b'\t';
pub const LINE_END: &[u8] = b"\r\n";

/// The opening entry's journal ("à nouveaux"): balance-sheet balances
/// carried from the previous years, first in the file.
pub const OPENING_JOURNAL: &str = "AN";
pub const OPENING_JOURNAL_LABEL: &str = "A nouveaux";

/// One line of the FEC: one posting line with its entry's fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FecLine {
    pub journal_code: String,
    pub journal_lib: String,
    pub ecriture_num: String,
    pub ecriture_date: Date,
    pub compte_num: String,
    pub compte_lib: String,
    /// The customer's code and name on a 411 line with a third party.
    pub comp_aux: Option<(String, String)>,
    pub piece_ref: String,
    pub piece_date: Date,
    pub ecriture_lib: String,
    pub debit_cents: i64,
    pub credit_cents: i64,
    /// Lettering (matched lines): the code and the match date.
    pub lettering: Option<(String, Date)>,
    /// The date the entry became irreversible.
    pub valid_date: Date,
}

/// `AAAAMMJJ`.
pub fn format_date(d: Date) -> String {
    format!("{:04}{:02}{:02}", d.year(), u8::from(d.month()), d.day())
}

/// Cents as `14400,00`: comma decimal, no thousands separator.
pub fn format_amount(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let a = cents.unsigned_abs();
    format!("{sign}{},{:02}", a / 100, a % 100)
}

/// A text field: the separator and line breaks would cut the line, so they
/// become spaces; leading and trailing spaces go.
fn text(out: &mut Vec<u8>, s: &str) {
    let clean: String = s
        .trim()
        .chars()
        .map(|c| match c {
            '\t' | '\r' | '\n' | '|' => ' ',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect();
    latin9::encode_into(&clean, out);
}

fn sep(out: &mut Vec<u8>) {
    out.push(SEPARATOR);
}

/// Appends the header line.
pub fn write_header(out: &mut Vec<u8>) {
    for (i, c) in COLUMNS.iter().enumerate() {
        if i > 0 {
            sep(out);
        }
        out.extend_from_slice(c.as_bytes());
    }
    out.extend_from_slice(LINE_END);
}

impl FecLine {
    /// Appends the line, encoded, with its line end.
    pub fn write(&self, out: &mut Vec<u8>) {
        text(out, &self.journal_code);
        sep(out);
        text(out, &self.journal_lib);
        sep(out);
        text(out, &self.ecriture_num);
        sep(out);
        out.extend_from_slice(format_date(self.ecriture_date).as_bytes());
        sep(out);
        text(out, &self.compte_num);
        sep(out);
        text(out, &self.compte_lib);
        sep(out);
        if let Some((num, lib)) = &self.comp_aux {
            text(out, num);
            sep(out);
            text(out, lib);
        } else {
            sep(out);
        }
        sep(out);
        text(out, &self.piece_ref);
        sep(out);
        out.extend_from_slice(format_date(self.piece_date).as_bytes());
        sep(out);
        text(out, &self.ecriture_lib);
        sep(out);
        out.extend_from_slice(format_amount(self.debit_cents).as_bytes());
        sep(out);
        out.extend_from_slice(format_amount(self.credit_cents).as_bytes());
        sep(out);
        if let Some((code, date)) = &self.lettering {
            text(out, code);
            sep(out);
            out.extend_from_slice(format_date(*date).as_bytes());
        } else {
            sep(out);
        }
        sep(out);
        out.extend_from_slice(format_date(self.valid_date).as_bytes());
        // Montantdevise and Idevise: everything is in euros.
        sep(out);
        sep(out);
        out.extend_from_slice(LINE_END);
    }
}

/// `<SIREN>FEC<AAAAMMJJ>.txt`, the closing date of the fiscal year.
pub fn file_name(siren: &str, closing: Date) -> String {
    format!("{}FEC{}.txt", siren.trim(), format_date(closing))
}

/// The SIREN and closing date of a file named `<SIREN>FEC<AAAAMMJJ>…`.
pub fn parse_file_name(name: &str) -> Option<(String, Date)> {
    let at = name.find("FEC")?;
    let siren = &name[..at];
    let rest = name.get(at + 3..)?;
    let digits = rest.get(..8)?;
    if siren.len() != 9 || !siren.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((siren.to_owned(), parse_date(digits)?))
}

/// A real date written `AAAAMMJJ`.
pub fn parse_date(s: &str) -> Option<Date> {
    if s.len() != 8 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let y: i32 = s[..4].parse().ok()?;
    let m: u8 = s[4..6].parse().ok()?;
    let d: u8 = s[6..].parse().ok()?;
    Date::from_calendar_date(y, time::Month::try_from(m).ok()?, d).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn line() -> FecLine {
        FecLine {
            journal_code: "VE".into(),
            journal_lib: "Ventes".into(),
            ecriture_num: "VE-2026-000001".into(),
            ecriture_date: date!(2026 - 11 - 30),
            compte_num: "411".into(),
            compte_lib: "Clients".into(),
            comp_aux: Some(("552100554".into(), "Clientis".into())),
            piece_ref: "FA-2026-000001".into(),
            piece_date: date!(2026 - 11 - 30),
            ecriture_lib: "Facture FA-2026-000001 — Clientis".into(),
            debit_cents: 1_440_000,
            credit_cents: 0,
            lettering: None,
            valid_date: date!(2026 - 12 - 01),
        }
    }

    #[test]
    fn a_line_has_18_fields_in_order() {
        let mut out = Vec::new();
        line().write(&mut out);
        assert_eq!(
            out,
            b"VE\tVentes\tVE-2026-000001\t20261130\t411\tClients\t552100554\tClientis\tFA-2026-000001\t20261130\tFacture FA-2026-000001 - Clientis\t14400,00\t0,00\t\t\t20261201\t\t\r\n"
        );
        assert_eq!(out.split(|&b| b == b'\t').count(), 18);
    }

    #[test]
    fn blanks_lettering_and_encoding() {
        let mut l = line();
        l.comp_aux = None;
        l.debit_cents = 0;
        l.credit_cents = 5;
        l.lettering = Some(("AA".into(), date!(2026 - 12 - 15)));
        l.ecriture_lib = "Note\tà\nfrais 5 €|x".into();
        let mut out = Vec::new();
        l.write(&mut out);
        let fields: Vec<&[u8]> = out[..out.len() - 2].split(|&b| b == b'\t').collect();
        assert_eq!(fields.len(), 18);
        assert_eq!(fields[6], b"");
        assert_eq!(fields[7], b"");
        assert_eq!(fields[10], b"Note \xe0 frais 5 \xa4 x");
        assert_eq!(fields[11], b"0,00");
        assert_eq!(fields[12], b"0,05");
        assert_eq!(fields[13], b"AA");
        assert_eq!(fields[14], b"20261215");
        assert_eq!(fields[16], b"");
        assert_eq!(fields[17], b"");
    }

    #[test]
    fn header_amounts_dates_and_names() {
        let mut h = Vec::new();
        write_header(&mut h);
        assert!(h.starts_with(b"JournalCode\tJournalLib\tEcritureNum\tEcritureDate\tCompteNum"));
        assert!(h.ends_with(b"ValidDate\tMontantdevise\tIdevise\r\n"));
        assert_eq!(format_amount(1_440_000), "14400,00");
        assert_eq!(format_amount(0), "0,00");
        assert_eq!(format_amount(7), "0,07");
        assert_eq!(format_amount(-123_456), "-1234,56");
        assert_eq!(format_amount(100_000_000_000), "1000000000,00");
        assert_eq!(format_date(date!(2026 - 01 - 05)), "20260105");
        assert_eq!(parse_date("20260229"), None);
        assert_eq!(parse_date("20240229"), Some(date!(2024 - 02 - 29)));
        assert_eq!(parse_date("2026011"), None);
        assert_eq!(parse_date("2026-1-01"), None);
        assert_eq!(
            file_name("123456782", date!(2026 - 12 - 31)),
            "123456782FEC20261231.txt"
        );
        assert_eq!(
            parse_file_name("123456782FEC20261231.txt"),
            Some(("123456782".into(), date!(2026 - 12 - 31)))
        );
        assert_eq!(parse_file_name("FEC20261231.txt"), None);
        assert_eq!(parse_file_name("123456782FEC2026"), None);
        assert_eq!(parse_file_name("12345678éFEC20261231"), None);
    }
}
