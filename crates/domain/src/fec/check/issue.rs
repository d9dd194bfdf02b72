//! The problems the checker finds, their rule (for the summary: one line
//! per rule) and their messages in French and English.

use time::Date;

use super::MAX_LINE;
use super::period::{NameError, Period};
use crate::fec::format_amount;
use crate::locale::Locale;

/// One problem and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// 1-based line number in the file (the header is line 1); 0 for the
    /// file's name.
    pub line: u64,
    pub issue: Issue,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Issue {
    /// The file is not named `<SIREN>FEC<AAAAMMJJ>`.
    FileName {
        name: String,
        error: NameError,
    },
    HeaderColumns {
        found: usize,
    },
    HeaderName {
        column: usize,
        expected: &'static str,
        found: String,
    },
    FieldCount {
        found: usize,
        expected: usize,
    },
    LineTooLong,
    EmptyLine,
    MixedEncoding,
    Required {
        column: &'static str,
    },
    Account {
        found: String,
    },
    BadDate {
        column: &'static str,
        found: String,
    },
    OutsideYear {
        found: Date,
        period: Period,
        /// The period is the longest year allowed (23 months before the
        /// closing date), not a given one.
        widest: bool,
    },
    BadAmount {
        column: &'static str,
        found: String,
    },
    BadSens {
        found: String,
    },
    BothSides,
    Unbalanced {
        journal: String,
        number: String,
        debit: i128,
        credit: i128,
    },
    /// Numbers `from` to `to` never appear; reported on the line of the
    /// number that follows them. `journal` is `None` when the file numbers
    /// its entries in one sequence across journals.
    NumberGap {
        journal: Option<String>,
        from: String,
        to: String,
        count: u64,
    },
    NumberOrder {
        journal: String,
        previous: String,
        found: String,
    },
    DateOrder {
        journal: String,
        previous: Date,
        found: Date,
    },
    NotContiguous {
        journal: String,
        number: String,
    },
    LetteringUnbalanced {
        account: String,
        code: String,
        balance: i128,
    },
    DateLetWithoutLet,
    LetWithoutDateLet,
}

fn amount(cents: i128) -> String {
    match i64::try_from(cents) {
        Ok(c) => format_amount(c),
        Err(_) => format!("{cents} c"),
    }
}

impl Issue {
    pub fn message(&self, locale: Locale) -> String {
        let fr = locale == Locale::Fr;
        match self {
            Issue::FileName { name, error } => error.message(name, locale),
            Issue::HeaderColumns { found } => {
                if fr {
                    format!("l'en-tête a {found} colonnes au lieu de 18")
                } else {
                    format!("the header has {found} columns instead of 18")
                }
            }
            Issue::HeaderName {
                column,
                expected,
                found,
            } => {
                if fr {
                    format!("colonne {column} de l'en-tête : « {found} » au lieu de « {expected} »")
                } else {
                    format!("header column {column}: '{found}' instead of '{expected}'")
                }
            }
            Issue::FieldCount { found, expected } => {
                if fr {
                    format!("{found} champs au lieu de {expected}")
                } else {
                    format!("{found} fields instead of {expected}")
                }
            }
            Issue::LineTooLong => {
                if fr {
                    format!("ligne de plus de {MAX_LINE} octets, ignorée")
                } else {
                    format!("line longer than {MAX_LINE} bytes, skipped")
                }
            }
            Issue::EmptyLine => {
                if fr {
                    "ligne vide".into()
                } else {
                    "empty line".into()
                }
            }
            Issue::MixedEncoding => {
                if fr {
                    "jeu de caractères différent des lignes précédentes (UTF-8 et ISO-8859-15 mélangés)".into()
                } else {
                    "charset differs from the previous lines (UTF-8 and ISO-8859-15 mixed)".into()
                }
            }
            Issue::Required { column } => {
                if fr {
                    format!("{column} est obligatoire et vide")
                } else {
                    format!("{column} is required and empty")
                }
            }
            Issue::Account { found } => {
                if fr {
                    format!("CompteNum « {found} » ne commence pas par 3 chiffres")
                } else {
                    format!("CompteNum '{found}' does not start with 3 digits")
                }
            }
            Issue::BadDate { column, found } => {
                if fr {
                    format!("{column} « {found} » n'est pas une date AAAAMMJJ réelle")
                } else {
                    format!("{column} '{found}' is not a real AAAAMMJJ date")
                }
            }
            Issue::OutsideYear {
                found,
                period,
                widest,
            } => {
                let (a, b) = (
                    super::super::format_date(period.start),
                    super::super::format_date(period.end),
                );
                let d = super::super::format_date(*found);
                match (fr, widest) {
                    (true, false) => format!("EcritureDate {d} hors de l'exercice ({a} – {b})"),
                    (false, false) => {
                        format!("EcritureDate {d} outside the fiscal year ({a} – {b})")
                    }
                    (true, true) => format!(
                        "EcritureDate {d} hors de tout exercice possible ({a} – {b} : 23 mois au plus jusqu'à la clôture)"
                    ),
                    (false, true) => format!(
                        "EcritureDate {d} outside any possible fiscal year ({a} – {b}: at most 23 months up to the closing date)"
                    ),
                }
            }
            Issue::BadAmount { column, found } => {
                if fr {
                    format!(
                        "{column} « {found} » n'est pas un montant (virgule décimale, sans séparateur de milliers)"
                    )
                } else {
                    format!(
                        "{column} '{found}' is not an amount (comma decimal, no thousands separator)"
                    )
                }
            }
            Issue::BadSens { found } => {
                if fr {
                    format!("Sens « {found} » : D, C, +1 ou -1 attendu")
                } else {
                    format!("Sens '{found}': D, C, +1 or -1 expected")
                }
            }
            Issue::BothSides => {
                if fr {
                    "débit et crédit tous deux non nuls".into()
                } else {
                    "debit and credit both non-zero".into()
                }
            }
            Issue::Unbalanced {
                journal,
                number,
                debit,
                credit,
            } => {
                if fr {
                    format!(
                        "écriture {journal} {number} déséquilibrée : débit {} ≠ crédit {}",
                        amount(*debit),
                        amount(*credit)
                    )
                } else {
                    format!(
                        "entry {journal} {number} unbalanced: debit {} ≠ credit {}",
                        amount(*debit),
                        amount(*credit)
                    )
                }
            }
            Issue::NumberGap {
                journal,
                from,
                to,
                count,
            } => {
                let numbers = if from == to {
                    if fr {
                        format!("numéro {from} absent")
                    } else {
                        format!("number {from} missing")
                    }
                } else if fr {
                    format!("numéros {from} à {to} absents ({count})")
                } else {
                    format!("numbers {from} to {to} missing ({count})")
                };
                match (journal, fr) {
                    (Some(j), true) => format!("journal {j} : {numbers} (rupture de séquence)"),
                    (Some(j), false) => format!("journal {j}: {numbers} (gap in the sequence)"),
                    (None, true) => format!(
                        "numérotation continue sur tout le fichier : {numbers} (rupture de séquence)"
                    ),
                    (None, false) => format!(
                        "numbering continuous across the file: {numbers} (gap in the sequence)"
                    ),
                }
            }
            Issue::NumberOrder {
                journal,
                previous,
                found,
            } => {
                if fr {
                    format!("journal {journal} : numéro {found} après {previous} (hors ordre)")
                } else {
                    format!("journal {journal}: number {found} after {previous} (out of order)")
                }
            }
            Issue::DateOrder {
                journal,
                previous,
                found,
            } => {
                if fr {
                    format!(
                        "journal {journal} : écriture du {} après une écriture du {} (ordre non chronologique)",
                        super::super::format_date(*found),
                        super::super::format_date(*previous)
                    )
                } else {
                    format!(
                        "journal {journal}: entry dated {} after one dated {} (not chronological)",
                        super::super::format_date(*found),
                        super::super::format_date(*previous)
                    )
                }
            }
            Issue::NotContiguous { journal, number } => {
                if fr {
                    format!("les lignes de l'écriture {journal} {number} ne se suivent pas")
                } else {
                    format!("the lines of entry {journal} {number} are not together")
                }
            }
            Issue::LetteringUnbalanced {
                account,
                code,
                balance,
            } => {
                if fr {
                    format!(
                        "lettrage {code} du compte {account} non soldé ({})",
                        amount(*balance)
                    )
                } else {
                    format!(
                        "lettering {code} on account {account} does not balance ({})",
                        amount(*balance)
                    )
                }
            }
            Issue::DateLetWithoutLet => {
                if fr {
                    "DateLet renseignée sans EcritureLet".into()
                } else {
                    "DateLet set without EcritureLet".into()
                }
            }
            Issue::LetWithoutDateLet => {
                if fr {
                    "EcritureLet renseignée sans DateLet".into()
                } else {
                    "EcritureLet set without DateLet".into()
                }
            }
        }
    }
}

/// The rules, in the order the summary lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rule {
    FileName,
    Header,
    FieldCount,
    LineTooLong,
    EmptyLine,
    Charset,
    Required,
    Account,
    BadDate,
    OutsideYear,
    BadAmount,
    BadSens,
    BothSides,
    Unbalanced,
    NumberGap,
    NumberOrder,
    DateOrder,
    NotContiguous,
    Lettering,
}

impl Issue {
    pub fn rule(&self) -> Rule {
        match self {
            Issue::FileName { .. } => Rule::FileName,
            Issue::HeaderColumns { .. } | Issue::HeaderName { .. } => Rule::Header,
            Issue::FieldCount { .. } => Rule::FieldCount,
            Issue::LineTooLong => Rule::LineTooLong,
            Issue::EmptyLine => Rule::EmptyLine,
            Issue::MixedEncoding => Rule::Charset,
            Issue::Required { .. } => Rule::Required,
            Issue::Account { .. } => Rule::Account,
            Issue::BadDate { .. } => Rule::BadDate,
            Issue::OutsideYear { .. } => Rule::OutsideYear,
            Issue::BadAmount { .. } => Rule::BadAmount,
            Issue::BadSens { .. } => Rule::BadSens,
            Issue::BothSides => Rule::BothSides,
            Issue::Unbalanced { .. } => Rule::Unbalanced,
            Issue::NumberGap { .. } => Rule::NumberGap,
            Issue::NumberOrder { .. } => Rule::NumberOrder,
            Issue::DateOrder { .. } => Rule::DateOrder,
            Issue::NotContiguous { .. } => Rule::NotContiguous,
            Issue::LetteringUnbalanced { .. }
            | Issue::DateLetWithoutLet
            | Issue::LetWithoutDateLet => Rule::Lettering,
        }
    }
}

impl Rule {
    pub fn title(self, locale: Locale) -> &'static str {
        let fr = locale == Locale::Fr;
        match self {
            Rule::FileName => {
                if fr {
                    "nom du fichier"
                } else {
                    "file name"
                }
            }
            Rule::Header => {
                if fr {
                    "en-tête"
                } else {
                    "header"
                }
            }
            Rule::FieldCount => {
                if fr {
                    "nombre de champs"
                } else {
                    "field count"
                }
            }
            Rule::LineTooLong => {
                if fr {
                    "ligne trop longue"
                } else {
                    "line too long"
                }
            }
            Rule::EmptyLine => {
                if fr {
                    "ligne vide"
                } else {
                    "empty line"
                }
            }
            Rule::Charset => {
                if fr {
                    "jeu de caractères"
                } else {
                    "charset"
                }
            }
            Rule::Required => {
                if fr {
                    "champ obligatoire vide"
                } else {
                    "required field empty"
                }
            }
            Rule::Account => {
                if fr {
                    "CompteNum sans 3 chiffres"
                } else {
                    "CompteNum without 3 digits"
                }
            }
            Rule::BadDate => {
                if fr {
                    "date invalide"
                } else {
                    "invalid date"
                }
            }
            Rule::OutsideYear => {
                if fr {
                    "date hors exercice"
                } else {
                    "date outside the fiscal year"
                }
            }
            Rule::BadAmount => {
                if fr {
                    "montant invalide"
                } else {
                    "invalid amount"
                }
            }
            Rule::BadSens => {
                if fr {
                    "Sens invalide"
                } else {
                    "invalid Sens"
                }
            }
            Rule::BothSides => {
                if fr {
                    "débit et crédit sur une ligne"
                } else {
                    "debit and credit on one line"
                }
            }
            Rule::Unbalanced => {
                if fr {
                    "écriture déséquilibrée"
                } else {
                    "unbalanced entry"
                }
            }
            Rule::NumberGap => {
                if fr {
                    "rupture de numérotation"
                } else {
                    "gap in the numbering"
                }
            }
            Rule::NumberOrder => {
                if fr {
                    "numéro hors ordre"
                } else {
                    "number out of order"
                }
            }
            Rule::DateOrder => {
                if fr {
                    "date hors ordre chronologique"
                } else {
                    "date out of chronological order"
                }
            }
            Rule::NotContiguous => {
                if fr {
                    "lignes d'une écriture séparées"
                } else {
                    "lines of an entry apart"
                }
            }
            Rule::Lettering => {
                if fr {
                    "lettrage"
                } else {
                    "lettering"
                }
            }
        }
    }
}

/// Not problems, but worth saying once: what the DGFiP's tester tolerates
/// with a remark.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Note {
    /// Lines end with one separator more than fields (first on `line`);
    /// the empty last field is ignored.
    TrailingSeparator { line: u64 },
    /// Columns after the legal ones (kept by some software, e.g. a due
    /// date or an invoice number); lines must carry as many fields.
    ExtraColumns { names: Vec<String> },
}

impl Note {
    pub fn message(&self, locale: Locale) -> String {
        let fr = locale == Locale::Fr;
        match self {
            Note::TrailingSeparator { line } => {
                if fr {
                    format!(
                        "les lignes finissent par un séparateur de trop (dès la ligne {line}) : le champ vide qu'il ajoute est ignoré, comme le fait Test Compta Demat"
                    )
                } else {
                    format!(
                        "lines end with one separator too many (from line {line}): the empty field it adds is ignored, as Test Compta Demat does"
                    )
                }
            }
            Note::ExtraColumns { names } => {
                let list = names.join(", ");
                if fr {
                    format!(
                        "colonnes hors A47 A-1 après les colonnes légales : {list} (non vérifiées)"
                    )
                } else {
                    format!("columns beyond A47 A-1 after the legal ones: {list} (not checked)")
                }
            }
        }
    }
}
