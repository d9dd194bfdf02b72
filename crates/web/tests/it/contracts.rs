//! Client contracts' invoicing settings through the company page's forms:
//! set when the contract is recorded, changed afterwards, refused in words.

use axum::http::StatusCode;
use domain::calendar::YearMonth;
use domain::contract::{ContractInvoicing, InvoiceGrouping};
use domain::ids::{CompanyId, ContractId};
use domain::role::Role;
use store::Scope;

use crate::harness::{EmptyApp, on_each_backend_empty as on_each_backend};

/// Banque Horizon; and Clientis, a key account whose contract
/// CLT-CADRE-2026 (sent, not signed) has two validated months waiting
/// for its signature. Returns (Horizon, Clientis, its contract).
async fn clients(t: &EmptyApp) -> (CompanyId, CompanyId, ContractId) {
    let horizon = t.w.client().name("Banque Horizon").create().await.id;
    let clientis =
        t.w.client()
            .name("Clientis Group")
            .key_account()
            .create()
            .await;
    let m = t.w.mission(&clientis).locked().create().await;
    let k =
        t.w.contract(&clientis)
            .reference("CLT-CADRE-2026")
            .sent()
            .covering(&m)
            .create()
            .await;
    let now = YearMonth::of(store::today());
    for month in [now.prev().prev(), now.prev()] {
        t.w.validated_month(&m, month).await;
    }
    (horizon, clientis.id, k.id)
}

async fn settings(
    t: &EmptyApp,
    client: CompanyId,
    reference: &str,
) -> (ContractId, ContractInvoicing) {
    let mut tx = t.db.read().await.unwrap();
    let k = store::contracts::for_client(&mut tx, Scope::All, client)
        .await
        .unwrap()
        .into_iter()
        .find(|k| k.data.reference == reference)
        .expect("the contract");
    tx.commit().await.unwrap();
    (k.id, k.data.invoicing)
}

#[tokio::test]
async fn the_contract_forms_save_the_invoicing_settings() {
    on_each_backend(|t| async move {
        let (horizon, clientis, clientis_contract) = clients(&t).await;
        let finance = t.browser(Some(Role::Finance)).await;
        let company = format!("/companies/{horizon}");
        let page = t.get(&company, Some(&finance)).await;
        assert!(page.body.contains("Émettre les factures à la clôture"));
        assert!(
            page.body
                .contains("Les missions du contrat sur une facture")
        );

        let r = t
            .post_form(
                &format!("{company}/contracts"),
                &finance,
                &[
                    ("kind", "framework"),
                    ("reference", "HZ-CADRE-2027"),
                    ("title", "Contrat cadre 2027"),
                    ("valid_from", "01/01/2027"),
                    ("payment_days", "30"),
                    ("invoice_grouping", "per_contract"),
                    ("issue_at_close", "false"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let (id, saved) = settings(&t, horizon, "HZ-CADRE-2027").await;
        assert_eq!(
            saved,
            ContractInvoicing {
                invoice_grouping: InvoiceGrouping::PerContract,
                issue_at_close: false,
            }
        );
        let page = t.get(&company, Some(&finance)).await;
        assert!(
            page.body.contains(
                "Les missions du contrat sur une facture · brouillons gardés pour relecture"
            ),
            "the settings show beside the contract"
        );

        // Changed from the contract's line.
        let path = format!("/contracts/{id}/invoicing");
        let r = t
            .post_form(
                &path,
                &finance,
                &[
                    ("invoice_grouping", "per_mission"),
                    ("issue_at_close", "true"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(r.location(), format!("{company}#contracts"));
        assert_eq!(
            settings(&t, horizon, "HZ-CADRE-2027").await.1,
            ContractInvoicing::default()
        );
        let page = t.get(r.location(), Some(&finance)).await;
        assert!(
            page.body
                .contains("Une facture par mission · émises à la clôture")
        );

        // A value the form never offers: refused in words, nothing changed.
        let r = t
            .post_form(&path, &finance, &[("invoice_grouping", "per_client")])
            .await;
        let page = t.get(r.location(), Some(&finance)).await;
        assert!(page.body.contains("Choisissez une facture par mission"));
        assert_eq!(
            settings(&t, horizon, "HZ-CADRE-2027").await.1,
            ContractInvoicing::default()
        );

        // Clientis's contract has invoices waiting for its signature: the
        // grouping stays, with the reason.
        let r = t
            .post_form(
                &format!("/contracts/{clientis_contract}/invoicing"),
                &finance,
                &[
                    ("invoice_grouping", "per_contract"),
                    ("issue_at_close", "true"),
                ],
            )
            .await;
        assert_eq!(r.location(), format!("/companies/{clientis}#contracts"));
        let page = t.get(r.location(), Some(&finance)).await;
        assert!(
            page.body.contains("encore ouvertes"),
            "the refusal says why"
        );
        assert_eq!(
            settings(&t, clientis, "CLT-CADRE-2026").await.1,
            ContractInvoicing::default()
        );

        // A consultant may not change them.
        let consultant = t.browser(Some(Role::Consultant)).await;
        let r = t
            .post_form(&path, &consultant, &[("invoice_grouping", "per_contract")])
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    })
    .await;
}
