//! Sending an issued invoice (or credit note) to the client by e-mail: who
//! receives it and what the message says.
//!
//! The invoice goes to the client's billing contact: the invoicing contact
//! of the mission it bills (set on the mission's billing settings), else the
//! client company's own e-mail address. The business manager of the mission
//! is copied. The message is French, English when the billing contact reads
//! the client portal in English; the Factur-X PDF is attached.
//!
//! A client that asks for it (`send_invoices_by_email` on the company, off
//! unless turned on) gets each invoice automatically when it is issued,
//! exactly once; anyone who manages invoices may send it again by hand.

use time::Date;

use crate::Locale;
use crate::identifiers::Email;
use crate::locale::format_date;
use crate::money::Money;

/// Why an invoice was e-mailed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reason {
    /// At issue, because the client asked for its invoices by e-mail.
    Issue,
    /// By hand, from the invoice page or the API.
    Resend,
}

crate::code::stored_code!(Reason);

impl Reason {
    pub const ALL: [Reason; 2] = [Reason::Issue, Reason::Resend];

    pub const fn as_str(self) -> &'static str {
        match self {
            Reason::Issue => "issue",
            Reason::Resend => "resend",
        }
    }

    pub fn parse(s: &str) -> Option<Reason> {
        Reason::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn label_key(self) -> String {
        format!("invoice-email-reason-{}", self.as_str())
    }
}

/// The candidate addresses, in the order they are tried.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Addresses {
    /// The invoicing contacts' e-mails of the missions the invoice bills.
    pub invoicing_contacts: Vec<String>,
    /// The client company's e-mail.
    pub company: Option<String>,
}

/// The billing address: the first well-formed invoicing contact's, else
/// the company's; none when neither is usable.
pub fn billing_address(a: &Addresses) -> Option<Email> {
    a.invoicing_contacts
        .iter()
        .map(String::as_str)
        .chain(a.company.as_deref())
        .find_map(|s| Email::parse(s.trim()).ok())
}

/// What the message says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    pub firm_name: String,
    pub client_name: String,
    pub credit_note: bool,
    pub number: String,
    pub issue_date: Date,
    /// None for a credit note.
    pub due_date: Option<Date>,
    pub gross: Money,
    /// The billing contact's name, to greet him; none: "Madame, Monsieur".
    pub contact_name: Option<String>,
}

/// Subject and plain text of the e-mail, in `locale`.
pub fn email(f: &Facts, locale: Locale) -> (String, String) {
    let number = &f.number;
    let issued = format_date(f.issue_date, locale);
    let amount = f.gross.format(locale);
    let firm = &f.firm_name;
    match locale {
        Locale::Fr => {
            let greeting = match &f.contact_name {
                Some(n) => format!("Bonjour {n},"),
                None => "Madame, Monsieur,".to_owned(),
            };
            let (what, subject) = if f.credit_note {
                ("l'avoir", format!("Avoir {number} — {firm}"))
            } else {
                ("la facture", format!("Facture {number} — {firm}"))
            };
            let due = f
                .due_date
                .map(|d| format!("Échéance : {}\n", format_date(d, locale)))
                .unwrap_or_default();
            (
                subject,
                format!(
                    "{greeting}\n\nVeuillez trouver ci-joint {what} {number} du {issued} adressé{e} à {client}, \
                     d'un montant de {amount} TTC.\n\n\
                     Numéro : {number}\nDate : {issued}\nMontant TTC : {amount}\n{due}\n\
                     Le PDF joint est au format Factur-X : les données de la facture y sont incluses \
                     pour votre logiciel comptable.\n\n\
                     Cordialement,\n\nLe service comptabilité\n{firm}\n",
                    e = if f.credit_note { "" } else { "e" },
                    client = f.client_name,
                ),
            )
        }
        Locale::En => {
            let greeting = match &f.contact_name {
                Some(n) => format!("Dear {n},"),
                None => "Dear Sir or Madam,".to_owned(),
            };
            let (what, subject) = if f.credit_note {
                ("credit note", format!("Credit note {number} — {firm}"))
            } else {
                ("invoice", format!("Invoice {number} — {firm}"))
            };
            let due = f
                .due_date
                .map(|d| format!("Due date: {}\n", format_date(d, locale)))
                .unwrap_or_default();
            (
                subject,
                format!(
                    "{greeting}\n\nPlease find attached {what} {number} of {issued} to {client}, \
                     for {amount} including VAT.\n\n\
                     Number: {number}\nDate: {issued}\nTotal including VAT: {amount}\n{due}\n\
                     The attached PDF is a Factur-X file: the invoice's data is embedded in it \
                     for your accounting software.\n\n\
                     Kind regards,\n\nAccounts department\n{firm}\n",
                    client = f.client_name,
                ),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    fn facts() -> Facts {
        Facts {
            firm_name: "Stafforia Services".into(),
            client_name: "Clientis Group".into(),
            credit_note: false,
            number: "FA-2026-000001".into(),
            issue_date: date!(2026 - 11 - 30),
            due_date: Some(date!(2026 - 12 - 30)),
            gross: Money::from_euros(14_400),
            contact_name: Some("Nadia Haddad".into()),
        }
    }

    #[test]
    fn the_message_is_french_with_french_amounts_and_dates() {
        let (subject, text) = email(&facts(), Locale::Fr);
        assert_eq!(subject, "Facture FA-2026-000001 — Stafforia Services");
        assert!(text.starts_with("Bonjour Nadia Haddad,"), "{text}");
        for needle in [
            "14\u{202f}400,00\u{a0}€",
            "30/11/2026",
            "Échéance : 30/12/2026",
            "Factur-X",
        ] {
            assert!(text.contains(needle), "{needle} in {text}");
        }
    }

    #[test]
    fn english_for_an_english_reader_and_credit_notes_say_so() {
        let mut f = facts();
        f.credit_note = true;
        f.due_date = None;
        f.contact_name = None;
        let (subject, text) = email(&f, Locale::En);
        assert_eq!(subject, "Credit note FA-2026-000001 — Stafforia Services");
        assert!(text.starts_with("Dear Sir or Madam,"), "{text}");
        assert!(!text.contains("Due date"), "{text}");
        let (subject, text) = email(&f, Locale::Fr);
        assert!(subject.starts_with("Avoir "), "{subject}");
        assert!(
            text.contains("l'avoir FA-2026-000001 du 30/11/2026 adressé à"),
            "{text}"
        );
    }

    #[test]
    fn the_billing_address_is_the_invoicing_contact_then_the_company() {
        let mut a = Addresses {
            invoicing_contacts: vec!["".into(), "compta@clientis.example".into()],
            company: Some("contact@clientis.example".into()),
        };
        assert_eq!(
            billing_address(&a).unwrap().as_str(),
            "compta@clientis.example"
        );
        a.invoicing_contacts.clear();
        assert_eq!(
            billing_address(&a).unwrap().as_str(),
            "contact@clientis.example"
        );
        a.company = Some("  ".into());
        assert_eq!(billing_address(&a), None);
    }
}
