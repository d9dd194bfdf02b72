//! The consultant's mission order (ordre de mission), as a template an
//! administrator can edit.
//!
//! A template is plain text with `{{placeholder}}` fields (spaces inside the
//! braces are allowed: `{{ tjm }}`) and a line markup:
//!
//! - `# ` starts a heading, `## ` a subheading (one line each);
//! - a line starting with `- ` is a bullet, drawn as a paragraph starting
//!   with "• ";
//! - other consecutive lines form one paragraph, their line breaks kept
//!   (what the administrator typed is what prints; long lines wrap);
//! - a blank line ends a paragraph.
//!
//! [`MissionOrderTemplate::parse`] refuses a placeholder outside
//! [`PLACEHOLDERS`], naming it and its line, so that a typo is caught when
//! the administrator saves. Values are inserted after the markup is read
//! and are not themselves read as markup or placeholders: a value can
//! neither add a heading nor inject a field.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use crate::Document;

/// The placeholders a mission order template may use. The consultant signs
/// the mission order: what the client pays (the selling rate, its terms) is
/// none of his business and has no placeholder.
pub const PLACEHOLDERS: &[&str] = &[
    "consultant_name",
    "client_name",
    "mission_title",
    "start_date",
    "end_date",
    "analytic_code",
    "business_manager",
    "delivery_manager",
    "work_site",
    "firm_name",
    "firm_siren",
    "firm_address",
    "issue_date",
];

/// The default mission order: a salaried consultant sent by the firm on an
/// assistance technique (régie) mission at a client's. It uses every
/// placeholder of [`PLACEHOLDERS`].
pub const DEFAULT_MISSION_ORDER: &str = "\
# Ordre de mission

Entre les soussignés :

- {{firm_name}}, SIREN {{firm_siren}}, dont le siège est situé {{firm_address}}, représentée par {{business_manager}}, ci-après « la Société » ;
- {{consultant_name}}, salarié(e) de la Société, ci-après « le Consultant ».

Le présent ordre de mission est établi en application du contrat de travail du Consultant. Il précise les conditions dans lesquelles le Consultant réalise, pour le compte de la Société, une prestation d’assistance technique (régie) auprès d’un client de la Société. Il ne modifie aucun élément du contrat de travail.

## 1. Mission

- Intitulé : {{mission_title}}
- Client : {{client_name}}
- Code analytique : {{analytic_code}}

Le Consultant met son expertise au service du client dans le cadre défini par la Société et le client. Les livrables, le périmètre et le niveau d’expertise attendus sont ceux convenus entre la Société et le client ; toute évolution significative est signalée au responsable de la mission.

## 2. Durée

La mission débute le {{start_date}} et prend fin le {{end_date}}. Elle peut être prolongée ou écourtée selon les besoins du client ; toute prolongation ou modification fait l’objet d’un nouvel ordre de mission ou d’un avenant remis au Consultant.

## 3. Lieu d’exécution

La mission s’exécute principalement à l’adresse suivante : {{work_site}}.
Les déplacements ponctuels nécessaires à la mission sont pris en charge selon la politique de frais de la Société, sur justificatifs.

## 4. Encadrement

Le Consultant demeure placé sous l’autorité hiérarchique et disciplinaire exclusive de la Société, qui reste son seul employeur pendant toute la durée de la mission. Le client n’exerce aucun pouvoir de direction ni de sanction à son égard.

- Responsable commercial, interlocuteur du client : {{business_manager}}
- Responsable de la mission (delivery), interlocuteur du Consultant : {{delivery_manager}}

Les congés, absences et éventuelles modifications d’horaires sont demandés à la Société, qui en informe le client. Le Consultant respecte le règlement intérieur ainsi que les consignes d’hygiène, de sécurité et de sûreté applicables sur le site du client.

## 5. Conditions de la mission

La rémunération du Consultant reste celle prévue par son contrat de travail ; la mission n’en modifie aucun élément.
Le Consultant déclare chaque mois, dans Régisseur, les jours travaillés sur la mission (compte rendu d’activité) ; ce relevé, validé par la Société, sert de base à la facturation.

## 6. Confidentialité

Le Consultant s’engage à garder strictement confidentielles toutes les informations, données, documents et méthodes dont il a connaissance chez le client ou à l’occasion de la mission, pendant la mission et après son terme. Il respecte les règles de sécurité des systèmes d’information et de protection des données personnelles du client et de la Société, et restitue à la fin de la mission les documents, badges et matériels qui lui ont été confiés.

## 7. Signatures

Fait en deux exemplaires originaux, le {{issue_date}}.

Pour la Société : {{firm_name}}
{{business_manager}}
Signature :

Le Consultant : {{consultant_name}}
Signature, précédée de la mention « Lu et approuvé » :
";

/// Why a template was refused or could not be rendered.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TemplateError {
    /// `{{name}}` is not one of [`PLACEHOLDERS`] (`line` counts from 1).
    UnknownPlaceholder { name: String, line: usize },
    /// `{{` without a closing `}}` on the same line.
    Unclosed { line: usize },
    /// `{{}}`.
    EmptyPlaceholder { line: usize },
    /// The template uses `{{name}}` but no value was given for it.
    MissingValue { name: String },
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TemplateError::UnknownPlaceholder { name, line } => write!(
                f,
                "unknown placeholder {{{{{name}}}}} on line {line} (allowed: {})",
                PLACEHOLDERS.join(", ")
            ),
            TemplateError::Unclosed { line } => {
                write!(f, "\"{{{{\" without \"}}}}\" on line {line}")
            }
            TemplateError::EmptyPlaceholder { line } => {
                write!(f, "empty placeholder {{{{}}}} on line {line}")
            }
            TemplateError::MissingValue { name } => {
                write!(f, "no value for placeholder {{{{{name}}}}}")
            }
        }
    }
}

impl std::error::Error for TemplateError {}

/// A parsed, validated mission order template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MissionOrderTemplate {
    source: String,
    lines: Vec<Line>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Kind {
    Heading,
    Subheading,
    Bullet,
    Text,
    Blank,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Line {
    kind: Kind,
    segments: Vec<Segment>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Segment {
    Text(String),
    Field(&'static str),
}

impl MissionOrderTemplate {
    /// Reads and validates `text`: every placeholder must be one of
    /// [`PLACEHOLDERS`] and be closed on its line.
    pub fn parse(text: &str) -> Result<Self, TemplateError> {
        let mut lines = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let number = i + 1;
            let trimmed = raw.trim();
            let (kind, content) = if trimmed.is_empty() {
                (Kind::Blank, "")
            } else if let Some(rest) = trimmed.strip_prefix("## ") {
                (Kind::Subheading, rest.trim_start())
            } else if let Some(rest) = trimmed.strip_prefix("# ") {
                (Kind::Heading, rest.trim_start())
            } else if let Some(rest) = trimmed.strip_prefix("- ") {
                (Kind::Bullet, rest.trim_start())
            } else {
                (Kind::Text, trimmed)
            };
            lines.push(Line {
                kind,
                segments: segments(content, number)?,
            });
        }
        Ok(MissionOrderTemplate {
            source: text.to_owned(),
            lines,
        })
    }

    /// The text the template was parsed from.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The placeholders the template uses.
    pub fn placeholders(&self) -> BTreeSet<&'static str> {
        self.lines
            .iter()
            .flat_map(|l| &l.segments)
            .filter_map(|s| match s {
                Segment::Field(name) => Some(*name),
                Segment::Text(_) => None,
            })
            .collect()
    }

    /// The mission order with the placeholders replaced by `values` (keys
    /// the template does not use are ignored). A placeholder without a
    /// value is an error naming it: pass an explicit text such as "—" for a
    /// field that is unknown. The document's title is the first heading
    /// (or "Ordre de mission"), its footer the title and the consultant's
    /// name; its creation date is now (set it with
    /// [`Document::created_at`]).
    pub fn render(&self, values: &BTreeMap<&str, String>) -> Result<Document, TemplateError> {
        let mut blocks: Vec<(Kind, String)> = Vec::new();
        let mut paragraph: Option<String> = None;
        for line in &self.lines {
            let mut text = String::new();
            for segment in &line.segments {
                match segment {
                    Segment::Text(t) => text.push_str(t),
                    Segment::Field(name) => match values.get(name) {
                        Some(v) => text.push_str(v),
                        None => {
                            return Err(TemplateError::MissingValue {
                                name: (*name).to_owned(),
                            });
                        }
                    },
                }
            }
            if line.kind == Kind::Text {
                match &mut paragraph {
                    Some(p) => {
                        p.push('\n');
                        p.push_str(&text);
                    }
                    None => paragraph = Some(text),
                }
                continue;
            }
            if let Some(p) = paragraph.take() {
                blocks.push((Kind::Text, p));
            }
            if line.kind != Kind::Blank {
                blocks.push((line.kind.clone(), text));
            }
        }
        if let Some(p) = paragraph.take() {
            blocks.push((Kind::Text, p));
        }

        let title = blocks
            .iter()
            .find(|(kind, _)| *kind == Kind::Heading)
            .map_or("Ordre de mission", |(_, text)| text.as_str());
        let mut doc = Document::new(title);
        match values.get("consultant_name") {
            Some(name) if !name.trim().is_empty() => doc.footer(&format!("{title} — {name}")),
            _ => doc.footer(title),
        };
        for (kind, text) in &blocks {
            match kind {
                Kind::Heading => doc.heading(text),
                Kind::Subheading => doc.subheading(text),
                Kind::Bullet => doc.bullet(text),
                Kind::Text | Kind::Blank => doc.paragraph(text),
            };
        }
        Ok(doc)
    }
}

impl Default for MissionOrderTemplate {
    /// [`DEFAULT_MISSION_ORDER`].
    fn default() -> Self {
        MissionOrderTemplate::parse(DEFAULT_MISSION_ORDER).expect("the default template is valid")
    }
}

fn segments(mut text: &str, line: usize) -> Result<Vec<Segment>, TemplateError> {
    let mut out = Vec::new();
    while let Some(open) = text.find("{{") {
        if open > 0 {
            out.push(Segment::Text(text[..open].to_owned()));
        }
        let rest = &text[open + 2..];
        let close = rest.find("}}").ok_or(TemplateError::Unclosed { line })?;
        let name = rest[..close].trim();
        if name.is_empty() {
            return Err(TemplateError::EmptyPlaceholder { line });
        }
        let known = PLACEHOLDERS.iter().find(|p| **p == name).ok_or_else(|| {
            TemplateError::UnknownPlaceholder {
                name: name.to_owned(),
                line,
            }
        })?;
        out.push(Segment::Field(known));
        text = &rest[close + 2..];
    }
    if !text.is_empty() {
        out.push(Segment::Text(text.to_owned()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values() -> BTreeMap<&'static str, String> {
        PLACEHOLDERS
            .iter()
            .map(|p| (*p, format!("<{p}>")))
            .collect()
    }

    #[test]
    fn the_default_uses_every_placeholder() {
        let template = MissionOrderTemplate::default();
        let used = template.placeholders();
        let all: BTreeSet<&str> = PLACEHOLDERS.iter().copied().collect();
        assert_eq!(used, all);
        assert_eq!(template.source(), DEFAULT_MISSION_ORDER);
    }

    #[test]
    fn unknown_placeholders_are_named_with_their_line() {
        let err =
            MissionOrderTemplate::parse("# Titre\n\nBonjour {{ consultant_nom }}.").unwrap_err();
        assert_eq!(
            err,
            TemplateError::UnknownPlaceholder {
                name: "consultant_nom".into(),
                line: 3
            }
        );
        assert!(
            err.to_string()
                .starts_with("unknown placeholder {{consultant_nom}} on line 3")
        );
        assert_eq!(
            MissionOrderTemplate::parse("a {{tjm").unwrap_err(),
            TemplateError::Unclosed { line: 1 }
        );
        assert_eq!(
            MissionOrderTemplate::parse("\n{{ }}").unwrap_err(),
            TemplateError::EmptyPlaceholder { line: 2 }
        );
    }

    #[test]
    fn the_selling_rate_has_no_placeholder() {
        // The consultant signs the mission order: what the client pays
        // is not his to read.
        for name in ["tjm", "daily_cost"] {
            assert!(
                matches!(
                    MissionOrderTemplate::parse(&format!("{{{{{name}}}}}")),
                    Err(TemplateError::UnknownPlaceholder { .. })
                ),
                "{name}"
            );
        }
        assert!(!DEFAULT_MISSION_ORDER.contains("TJM"));
    }

    #[test]
    fn a_missing_value_is_named() {
        let template = MissionOrderTemplate::parse("Client : {{client_name}}").unwrap();
        let err = template.render(&BTreeMap::new()).unwrap_err();
        assert_eq!(
            err,
            TemplateError::MissingValue {
                name: "client_name".into()
            }
        );
        assert_eq!(err.to_string(), "no value for placeholder {{client_name}}");
    }

    #[test]
    fn markup_becomes_blocks() {
        let template = MissionOrderTemplate::parse(
            "# Titre {{client_name}}\n## Sous\nun\ndeux\n\n- puce\ntrois",
        )
        .unwrap();
        let mut values = values();
        values.insert("client_name", "# {{tjm}}".into());
        let doc = template.render(&values).unwrap();
        assert_eq!(doc.title(), "Titre # {{tjm}}");
        let mut expected = Document::new("Titre # {{tjm}}");
        expected
            .footer("Titre # {{tjm}} — <consultant_name>")
            .heading("Titre # {{tjm}}")
            .subheading("Sous")
            .paragraph("un\ndeux")
            .bullet("puce")
            .paragraph("trois");
        let at = time::macros::datetime!(2025-01-01 00:00 UTC);
        let (mut doc, mut expected) = (doc, expected);
        doc.created_at(at);
        expected.created_at(at);
        assert_eq!(doc.to_bytes(), expected.to_bytes());
    }
}
