//! Client contracts' invoicing settings on both backends: what the form
//! sets is what is read back, and the grouping stays while an invoice of
//! the contract is open.

use domain::calendar::YearMonth;
use domain::contract::{ContractInput, ContractInvoicing, InvoiceGrouping};
use domain::ids::ContractId;
use fixtures::build::World;
use fixtures::testing::on_each_backend;
use store::{Error, Scope};

use crate::support::{actor, create_company};

fn input(client: domain::ids::CompanyId, reference: &str) -> ContractInput {
    ContractInput {
        client_id: client.to_string(),
        kind: "framework".into(),
        reference: reference.into(),
        title: "Contrat cadre d'assistance technique".into(),
        valid_from: "2026-01-01".into(),
        ..Default::default()
    }
}

#[tokio::test]
async fn invoicing_settings_round_trip() {
    on_each_backend(|db| async move {
        let client = create_company(&db, "Clientis", "client").await;
        let mut grouped = input(client.id, "CC-GROUPED");
        grouped.invoice_grouping = "per_contract".into();
        grouped.issue_at_close = "false".into();
        let plain = input(client.id, "CC-PLAIN");

        let mut tx = db.begin().await.unwrap();
        let g = store::contracts::create(&mut tx, &actor(), &grouped.validate().unwrap())
            .await
            .unwrap();
        let p = store::contracts::create(&mut tx, &actor(), &plain.validate().unwrap())
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let reviewed = ContractInvoicing {
            invoice_grouping: InvoiceGrouping::PerContract,
            issue_at_close: false,
        };
        assert_eq!(g.data.invoicing, reviewed);
        // Blank in the form: one invoice per mission, issued at the close.
        assert_eq!(p.data.invoicing, ContractInvoicing::default());

        let mut tx = db.read().await.unwrap();
        assert_eq!(
            store::contracts::get(&mut tx, Scope::All, g.id)
                .await
                .unwrap()
                .data
                .invoicing,
            reviewed
        );
        let listed = store::contracts::for_client(&mut tx, Scope::All, client.id)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let find = |id: ContractId| listed.iter().find(|k| k.id == id).unwrap().data.invoicing;
        assert_eq!(find(g.id), reviewed);
        assert_eq!(find(p.id), ContractInvoicing::default());
        // What the close reads: the columns themselves.
        let (grouping, at_close): (String, bool) = store::on_pool!(&db, |c| sqlx::query_as(
            "SELECT invoice_grouping, issue_at_close FROM client_contracts WHERE id = $1"
        )
        .bind(g.id.to_string())
        .fetch_one(c)
        .await)
        .unwrap();
        assert_eq!((grouping.as_str(), at_close), ("per_contract", false));

        // Changed afterwards (no invoice open), recorded in the audit log.
        let mut tx = db.begin().await.unwrap();
        let after = store::contracts::set_invoicing(
            &mut tx,
            &actor(),
            Scope::All,
            g.id,
            ContractInvoicing::default(),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(after.data.invoicing, ContractInvoicing::default());
        let mut tx = db.read().await.unwrap();
        let again = store::contracts::get(&mut tx, Scope::All, g.id)
            .await
            .unwrap();
        let history = store::audit::for_entity(&mut tx, "contract", &g.id.to_string())
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(again.data.invoicing, ContractInvoicing::default());
        assert_eq!(history[0].action, "set_invoicing");
        assert!(
            history[0]
                .after_json
                .as_deref()
                .unwrap()
                .contains("\"invoice_grouping\":\"per_mission\"")
        );
    })
    .await;
}

#[tokio::test]
async fn the_grouping_stays_while_an_invoice_is_open() {
    on_each_backend(|db| async move {
        // A key account: two validated months of Camille's wait for the
        // contract's signature.
        let w = World::new(&db).await;
        let clientis = w.client().key_account().create().await;
        let camille = w.mission(&clientis).locked().create().await;
        let k = w
            .contract(&clientis)
            .sent()
            .covering(&camille)
            .create()
            .await
            .id;
        let now = YearMonth::of(store::today());
        for month in [now.prev().prev(), now.prev()] {
            w.validated_month(&camille, month).await;
        }
        let mut tx = db.begin().await.unwrap();
        let refused = store::contracts::set_invoicing(
            &mut tx,
            &actor(),
            Scope::All,
            k,
            ContractInvoicing {
                invoice_grouping: InvoiceGrouping::PerContract,
                issue_at_close: true,
            },
        )
        .await;
        match refused {
            Err(Error::Invalid(v)) => {
                let f = v.for_field("invoice_grouping").unwrap();
                assert_eq!(f.key, "contract-grouping-open-invoices");
                assert_eq!(f.args, domain::args![("count", 2u32)]);
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
        // Whether the close issues may change at any time.
        let kept = ContractInvoicing {
            invoice_grouping: InvoiceGrouping::PerMission,
            issue_at_close: false,
        };
        let after = store::contracts::set_invoicing(&mut tx, &actor(), Scope::All, k, kept)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(after.data.invoicing, kept);
    })
    .await;
}
