//! The documents Régisseur writes for signature: the consultant's mission
//! order (from the administrator's template), the client contract and the
//! amendment, each laid out from the facts in the database. French only:
//! these are French legal documents whatever the reader's interface.

use std::collections::BTreeMap;

use domain::Locale::Fr;
use domain::locale::format_date;
use store::Tx;
use store::contracts::Contract;
use store::firm::Firm;
use store::missions::{Mission, StoredAmendment};
use time::OffsetDateTime;

/// What the administrator saved, or the default mission order.
pub async fn mission_order_template(tx: &mut Tx) -> store::Result<pdf::MissionOrderTemplate> {
    let saved = store::documents::template(tx, domain::esign::DocumentKind::MissionOrder).await?;
    // A saved template was checked when it was saved; should it no longer
    // parse (placeholders removed by an upgrade), the default still works.
    Ok(saved
        .and_then(|s| pdf::MissionOrderTemplate::parse(&s).ok())
        .unwrap_or_else(|| {
            pdf::MissionOrderTemplate::parse(pdf::DEFAULT_MISSION_ORDER).expect("default parses")
        }))
}

fn firm_address(f: &Firm) -> String {
    let parts: Vec<&str> = [
        f.address_line1.as_deref(),
        f.postcode.as_deref(),
        f.city.as_deref(),
    ]
    .into_iter()
    .flatten()
    .filter(|s| !s.trim().is_empty())
    .collect();
    if parts.is_empty() {
        "—".into()
    } else {
        parts.join(" ")
    }
}

fn company_address(c: &domain::company::CompanyData) -> String {
    let parts: Vec<&str> = [
        c.address_line1.as_deref(),
        c.address_line2.as_deref(),
        c.postcode.as_deref(),
        c.city.as_deref(),
    ]
    .into_iter()
    .flatten()
    .filter(|s| !s.trim().is_empty())
    .collect();
    if parts.is_empty() {
        "les locaux du client".into()
    } else {
        parts.join(" ")
    }
}

/// The values of a mission order's placeholders for `m`.
pub async fn mission_order_values(
    tx: &mut Tx,
    m: &Mission,
    today: time::Date,
) -> store::Result<BTreeMap<&'static str, String>> {
    let firm = store::firm::get(tx).await?.unwrap_or_default();
    let client = store::companies::get(tx, store::Scope::All, m.data.client_id).await?;
    let delivery = match m.data.delivery_manager_id {
        Some(id) => store::users::get(tx, id).await?.display_name,
        None => "—".into(),
    };
    let mut v = BTreeMap::new();
    v.insert("consultant_name", m.consultant_name.clone());
    v.insert("client_name", m.client_name.clone());
    v.insert("mission_title", m.data.title.clone());
    v.insert("start_date", format_date(m.data.start_date, Fr));
    v.insert("end_date", format_date(m.data.end_date, Fr));
    v.insert("analytic_code", m.analytic_code.clone());
    v.insert("business_manager", m.business_manager_name.clone());
    v.insert("delivery_manager", delivery);
    v.insert("work_site", company_address(&client.data));
    v.insert(
        "firm_name",
        if firm.name.is_empty() {
            "—".into()
        } else {
            firm.name.clone()
        },
    );
    v.insert(
        "firm_siren",
        firm.siren.clone().unwrap_or_else(|| "—".into()),
    );
    v.insert("firm_address", firm_address(&firm));
    v.insert("issue_date", format_date(today, Fr));
    Ok(v)
}

/// Sample values for the template editor's preview.
pub fn sample_values() -> BTreeMap<&'static str, String> {
    pdf::PLACEHOLDERS
        .iter()
        .map(|p| (*p, format!("[{p}]")))
        .collect()
}

pub async fn mission_order(
    tx: &mut Tx,
    m: &Mission,
    now: OffsetDateTime,
) -> store::Result<pdf::Document> {
    let template = mission_order_template(tx).await?;
    let values = mission_order_values(tx, m, domain::paris::date(now)).await?;
    let mut doc = template
        .render(&values)
        .map_err(|e| store::Error::Corrupt(format!("mission order template: {e}")))?;
    doc.created_at(now);
    Ok(doc)
}

fn signatures(doc: &mut pdf::Document) {
    doc.subheading("Signatures").paragraph(
        "Le présent document est signé électroniquement par les parties dans l’ordre indiqué lors de \
         son envoi ; la page de signature et le certificat de signature en font partie intégrante.",
    );
}

pub async fn client_contract(
    tx: &mut Tx,
    k: &Contract,
    now: OffsetDateTime,
) -> store::Result<pdf::Document> {
    let firm = store::firm::get(tx).await?.unwrap_or_default();
    let client = store::companies::get(tx, store::Scope::All, k.data.client_id).await?;
    let kind = match k.data.kind {
        domain::contract::ContractKind::Framework => "Contrat-cadre de prestations",
        domain::contract::ContractKind::PurchaseOrder => "Bon de commande",
    };
    let title = format!("{kind} {} — {}", k.data.reference, k.client_name);
    let validity = match k.data.valid_to {
        Some(to) => format!(
            "du {} au {}",
            format_date(k.data.valid_from, Fr),
            format_date(to, Fr)
        ),
        None => format!(
            "à compter du {}, sans terme",
            format_date(k.data.valid_from, Fr)
        ),
    };
    let ceiling = match (k.data.ceiling_amount, k.data.ceiling_days) {
        (Some(a), Some(d)) => format!("{} HT et {} jours", a.format(Fr), d.format(Fr)),
        (Some(a), None) => format!("{} HT", a.format(Fr)),
        (None, Some(d)) => format!("{} jours", d.format(Fr)),
        (None, None) => "aucun".into(),
    };
    let terms = &k.data.payment_terms;
    let payment = if terms.end_of_month() {
        format!("{} jours fin de mois", terms.days())
    } else {
        format!("{} jours nets", terms.days())
    };
    let mut doc = pdf::Document::new(&title);
    doc.created_at(now)
        .footer(&title)
        .heading(kind)
        .paragraph(&format!("Référence : {}\n{}", k.data.reference, k.data.title))
        .subheading("Entre les soussignés")
        .key_values(&[
            ("Le prestataire", &firm.name),
            ("SIREN", firm.siren.as_deref().unwrap_or("—")),
            ("Adresse", &firm_address(&firm)),
            ("Le client", &client.data.name),
            (
                "SIREN",
                &client
                    .data
                    .siren
                    .as_ref()
                    .map(|s| s.to_string())
                    .unwrap_or_else(|| "—".into()),
            ),
            ("Adresse", &company_address(&client.data)),
        ])
        .subheading("Objet")
        .paragraph(
            "Le présent contrat définit les conditions dans lesquelles le prestataire met à la disposition \
             du client des consultants pour des prestations d’assistance technique facturées au temps passé \
             (taux journalier moyen, TJM), sur la base de comptes rendus d’activité mensuels validés par le client.",
        )
        .key_values(&[
            ("Validité", &validity),
            ("Plafond", &ceiling),
            ("Délai de paiement", &payment),
        ])
        .subheading("Conditions de paiement")
        .paragraph(
            "Les factures sont émises mensuellement. Tout retard de paiement entraîne de plein droit des \
             pénalités au taux d’intérêt appliqué par la BCE à son opération de refinancement la plus récente \
             majoré de 10 points, et une indemnité forfaitaire pour frais de recouvrement de 40 € \
             (articles L441-10 et D441-5 du Code de commerce).",
        );
    signatures(&mut doc);
    Ok(doc)
}

pub fn amendment(m: &Mission, a: &StoredAmendment, now: OffsetDateTime) -> pdf::Document {
    let title = format!("Avenant n° {} — {}", a.number, m.data.title);
    let mut changes: Vec<(String, String)> = vec![(
        "Prise d’effet".into(),
        format_date(a.amendment.effective_from, Fr),
    )];
    if let Some(t) = a.amendment.new_tjm {
        changes.push(("Nouveau TJM (HT)".into(), t.amount().format(Fr)));
    }
    if let Some(d) = a.amendment.new_end {
        changes.push(("Nouvelle date de fin".into(), format_date(d, Fr)));
    }
    let pairs: Vec<(&str, &str)> = changes
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let mut doc = pdf::Document::new(&title);
    doc.created_at(now)
        .footer(&title)
        .heading(&format!("Avenant n° {}", a.number))
        .paragraph(&format!(
            "à la mission « {} » de {} chez {} (code analytique {}).",
            m.data.title, m.consultant_name, m.client_name, m.analytic_code
        ))
        .subheading("Modifications")
        .key_values(&pairs)
        .paragraph(&format!(
            "Motif : {}",
            a.reason.as_deref().unwrap_or("non précisé")
        ))
        .paragraph(
            "Les autres conditions de la mission restent inchangées. Le TJM en vigueur chaque jour est \
             celui que fixe le présent avenant à compter de sa date de prise d’effet : un changement en \
             cours de mois est facturé jour par jour.",
        );
    signatures(&mut doc);
    doc
}
