//! The PDF of an activity report a client validates: one mission's days.

use domain::Locale;
use domain::locale::format_date;
use domain::mission::DayQuantity;
use store::render::{ActivityReport, Generated};

/// The report `r` laid out (French, like every document a client signs).
pub fn activity_report(r: &ActivityReport) -> Generated {
    let title = format!(
        "CRA {} — {} — {}",
        r.month.label_fr(),
        r.consultant_name,
        r.mission_title
    );
    let fr = Locale::Fr;
    let rows: Vec<Vec<String>> = r
        .days
        .iter()
        .map(|(d, h)| {
            vec![
                format_date(*d, fr),
                DayQuantity::from_half_days(*h).format(fr),
            ]
        })
        .collect();
    let total = DayQuantity::from_half_days(r.days.iter().map(|(_, h)| h).sum());
    let mut doc = pdf::Document::new(&title);
    doc.created_at(r.created_at)
        .footer(&title)
        .heading("Compte rendu d’activité")
        .key_values(&[
            ("Consultant", &r.consultant_name),
            ("Mois", &r.month.label_fr()),
            ("Mission", &r.mission_title),
            ("Client", &r.client_name),
            ("Jours travaillés", &total.format(fr)),
        ])
        .table(&["Date", "Jours"], &rows, &[0.6, 0.4]);
    if let Some(c) = &r.comment {
        doc.subheading("Commentaire du consultant").paragraph(c);
    }
    doc.paragraph(
        "En validant ce compte rendu, le client atteste que les jours ci-dessus ont été réalisés \
         pour son compte ; ils servent de base à la facturation du mois.",
    );
    Generated {
        title: doc.title().to_owned(),
        spec: doc.to_spec(),
        pdf: doc.to_bytes(),
    }
}
