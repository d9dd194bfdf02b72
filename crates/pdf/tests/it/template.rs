//! The mission order template.

use std::collections::BTreeMap;

use pdf::{DEFAULT_MISSION_ORDER, MissionOrderTemplate, PLACEHOLDERS, TemplateError};

use crate::{CREATED, check, normalize};

fn values() -> BTreeMap<&'static str, String> {
    BTreeMap::from([
        ("consultant_name", "Amélie Lefèvre".to_owned()),
        ("client_name", "Électricité de France".to_owned()),
        (
            "mission_title",
            "Refonte du portail « Clients » — lot 2".to_owned(),
        ),
        ("start_date", "1er septembre 2025".to_owned()),
        ("end_date", "28 février 2026".to_owned()),
        ("analytic_code", "MIS-2025-0042".to_owned()),
        ("business_manager", "Claire Dubœuf".to_owned()),
        ("delivery_manager", "Rémi Garçon".to_owned()),
        ("work_site", "Tour Égée, 92400 Courbevoie".to_owned()),
        ("firm_name", "Régie Conseil SAS".to_owned()),
        ("firm_siren", "404 833 048".to_owned()),
        ("firm_address", "12 rue de la Paix, 75002 Paris".to_owned()),
        ("issue_date", "25 août 2025".to_owned()),
    ])
}

#[test]
fn the_default_template_renders_with_every_placeholder_filled() {
    let values = values();
    assert_eq!(values.len(), PLACEHOLDERS.len());
    let mut doc = MissionOrderTemplate::default().render(&values).unwrap();
    doc.created_at(CREATED);
    assert_eq!(doc.title(), "Ordre de mission");
    let bytes = doc.to_bytes();
    let Some(pages) = check(&bytes) else { return };
    let text = normalize(&pages.join("\n"));
    assert!(!text.contains("{{") && !text.contains("}}"), "{text}");
    for (name, value) in &values {
        assert!(
            text.contains(&normalize(value)),
            "{name}: {value:?} not in the text"
        );
    }
    for expected in [
        "Ordre de mission",
        "Entre les soussignés :",
        "• Intitulé : Refonte du portail « Clients » — lot 2",
        "reste celle prévue par son contrat de travail",
        "autorité hiérarchique et disciplinaire exclusive de la Société",
        "6. Confidentialité",
        "Fait en deux exemplaires originaux, le 25 août 2025.",
        "« Lu et approuvé »",
        "Ordre de mission — Amélie Lefèvre",
    ] {
        assert!(text.contains(expected), "{expected:?} not in {text:?}");
    }
    let total = pages.len();
    for (i, page) in pages.iter().enumerate() {
        assert!(page.contains(&format!("page {} / {total}", i + 1)));
    }
}

#[test]
fn parse_refuses_an_unknown_placeholder_naming_it() {
    let edited = DEFAULT_MISSION_ORDER.replace("{{client_name}}", "{{ tjn }}");
    let line = edited
        .lines()
        .position(|l| l.contains("{{ tjn }}"))
        .unwrap()
        + 1;
    let err = MissionOrderTemplate::parse(&edited).unwrap_err();
    assert_eq!(
        err,
        TemplateError::UnknownPlaceholder {
            name: "tjn".into(),
            line
        }
    );
    assert!(err.to_string().contains("{{tjn}}"), "{err}");

    let err = MissionOrderTemplate::parse("Bonjour {{unknown}}").unwrap_err();
    assert!(
        matches!(&err, TemplateError::UnknownPlaceholder { name, line: 1 } if name == "unknown")
    );
    assert!(err.to_string().contains("unknown"));
}

#[test]
fn an_edited_template_renders_its_markup() {
    let template = MissionOrderTemplate::parse(
        "# Ordre de mission {{analytic_code}}\n\n## Parties\n{{firm_name}}\net {{consultant_name}}\n\n- Client : {{client_name}}\n- Lieu : {{work_site}}\n",
    )
    .unwrap();
    let mut doc = template.render(&values()).unwrap();
    doc.created_at(CREATED);
    assert_eq!(doc.title(), "Ordre de mission MIS-2025-0042");
    let Some(pages) = check(&doc.to_bytes()) else {
        return;
    };
    let lines: Vec<&str> = pages[0].lines().filter(|l| !l.is_empty()).collect();
    assert_eq!(
        &lines[..6],
        [
            "Ordre de mission MIS-2025-0042",
            "Parties",
            "Régie Conseil SAS",
            "et Amélie Lefèvre",
            "• Client : Électricité de France",
            "• Lieu : Tour Égée, 92400 Courbevoie",
        ]
    );
}

#[test]
fn a_missing_value_is_refused_when_rendering() {
    let mut values = values();
    values.remove("work_site");
    let err = MissionOrderTemplate::default().render(&values).unwrap_err();
    assert_eq!(
        err,
        TemplateError::MissingValue {
            name: "work_site".into()
        }
    );
}
