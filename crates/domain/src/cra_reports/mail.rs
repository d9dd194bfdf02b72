//! The reminders about activity reports, subject and plain text, in French
//! (like every e-mail Régisseur sends its consultants and managers).

use time::Date;

use crate::Locale;
use crate::calendar::YearMonth;
use crate::cra::{self, CraStatus, ReminderKind};
use crate::locale::format_date;

fn fr_date(d: Date) -> String {
    format_date(d, Locale::Fr)
}

/// A consultant's reminder: subject and text.
pub fn consultant(
    kind: ReminderKind,
    name: &str,
    month: YearMonth,
    exists: bool,
    link: &str,
) -> (String, String) {
    let label = month.label_fr();
    let deadline = fr_date(cra::on_time_deadline(month));
    let (subject, opening) = match kind {
        ReminderKind::ConsultantBeforeEnd => (
            format!("CRA de {label} : à remplir et signer"),
            format!(
                "Le mois de {label} se termine. Pensez à remplir et signer votre compte rendu \
                 d’activité (CRA)."
            ),
        ),
        _ => (
            format!("CRA de {label} en retard"),
            if exists {
                format!(
                    "Votre compte rendu d’activité (CRA) de {label} n’est pas encore signé. \
                     Remplissez-le et signez-le dès que possible."
                )
            } else {
                format!(
                    "Votre compte rendu d’activité (CRA) de {label} n’est pas encore créé. \
                     Remplissez-le et signez-le dès que possible."
                )
            },
        ),
    };
    (
        subject,
        format!(
            "Bonjour {},\n\n{opening}\nVotre client puis votre manager doivent le valider au plus \
             tard le {deadline} (5e jour ouvré du mois suivant).\n\nVotre CRA : {link}\n— Régisseur",
            name
        ),
    )
}

/// One consultant's line in his manager's escalation: what is waiting and
/// on whom.
pub fn escalation_line(
    consultant: &str,
    status: Option<CraStatus>,
    clients: &[String],
    link: &str,
) -> String {
    let state = match status {
        None => "pas encore créé par le consultant".to_owned(),
        Some(CraStatus::Draft) => "pas encore signé par le consultant (brouillon)".to_owned(),
        Some(CraStatus::Signed) if clients.is_empty() => {
            "signé, en attente de validation client".to_owned()
        }
        Some(CraStatus::Signed) => format!(
            "signé, en attente de validation client : {} (relances de signature automatiques)",
            clients.join(", ")
        ),
        Some(_) => format!("validé par le client, à valider par le manager : {link}"),
    };
    format!("- {consultant} : {state}")
}

/// A manager's escalation for one month, from (consultant name, line)
/// pairs: subject and text.
pub fn manager(
    name: &str,
    month: YearMonth,
    lines: &[(String, String)],
    base: &str,
) -> (String, String) {
    let label = month.label_fr();
    let deadline = fr_date(cra::on_time_deadline(month));
    let list: Vec<&str> = lines.iter().map(|(_, l)| l.as_str()).collect();
    let subject = if lines.len() == 1 {
        format!("CRA de {label} : 1 compte rendu non validé")
    } else {
        format!(
            "CRA de {label} : {} comptes rendus non validés",
            lines.len()
        )
    };
    (
        subject,
        format!(
            "Bonjour {},\n\nLes comptes rendus d’activité de {label} doivent être validés par le \
             manager au plus tard le {deadline} (5e jour ouvré). Ceux-ci ne le sont pas encore :\n\n\
             {}\n\nLa liste à jour des CRA en retard : {base}/cras/late\n— Régisseur",
            name,
            list.join("\n")
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escalation_lines_say_who_must_act() {
        let l = escalation_line(
            "Camille Martin",
            Some(CraStatus::Signed),
            &["Clientis Group".into(), "Banque Horizon".into()],
            "x",
        );
        assert!(l.contains("Clientis Group, Banque Horizon"), "{l}");
        assert!(escalation_line("A", None, &[], "x").contains("pas encore créé"));
        assert!(
            escalation_line(
                "A",
                Some(CraStatus::ClientValidated),
                &[],
                "http://h/cras/1"
            )
            .contains("http://h/cras/1")
        );
    }
}
