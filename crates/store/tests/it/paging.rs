//! Lists walked by their sort key: every row on exactly one page, forward
//! and back, ties in the key broken by the id; filters hold on every page;
//! totals are those of the whole filter, not of a page.
// Amounts in cents are written euros_cents (1_000_00 = 1 000,00 €).
#![allow(clippy::inconsistent_digit_grouping)]

use std::collections::HashSet;

use domain::calendar::YearMonth;
use domain::ids::InvoiceId;
use domain::money::Money;
use domain::paging::{KeysetPage, KeysetRequest};
use fixtures::build::World;
use fixtures::testing::on_each_backend;
use store::Db;
use store::invoicing::read::{self, Filter, Summary};
use store::payments;

fn ym(y: i32, m: u8) -> YearMonth {
    YearMonth::new(y, time::Month::try_from(m).unwrap())
}

/// Every page from the first, then every page back from the last; the
/// rows of each walk in order.
async fn walk_invoices(db: &Db, f: &Filter, per_page: u32) -> (Vec<InvoiceId>, Vec<InvoiceId>) {
    let mut tx = db.read().await.unwrap();
    let mut forward = Vec::new();
    let mut req = KeysetRequest::first(per_page);
    let mut last: KeysetPage<Summary>;
    loop {
        let page = read::page(&mut tx, f, &req).await.unwrap();
        assert!(page.items.len() <= per_page as usize);
        forward.extend(page.items.iter().map(|s| s.id));
        last = page.clone();
        match page.next {
            Some(seek) => req = KeysetRequest { seek, per_page },
            None => break,
        }
    }
    let mut backward = last.items.iter().map(|s| s.id).collect::<Vec<_>>();
    let mut page = last;
    while let Some(seek) = page.prev.clone() {
        page = read::page(&mut tx, f, &KeysetRequest { seek, per_page })
            .await
            .unwrap();
        backward.splice(0..0, page.items.iter().map(|s| s.id));
    }
    tx.commit().await.unwrap();
    (forward, backward)
}

#[tokio::test]
async fn invoice_pages_hold_every_document_once_with_ties_in_the_key() {
    on_each_backend(|db| async move {
        let w = World::new(&db).await;
        let acme = w.client().name("Acmé Industrie").create().await;
        let other = w.client().name("Zèbre Conseil").create().await;
        // Three months, each with drafts (no number: a tie on the whole
        // key but the id), numbered invoices and a credit note.
        let mut rows = Vec::new();
        let numbers: Vec<String> = (1..=30).map(|n| format!("FA-2026-{n:06}")).collect();
        let credits: Vec<String> = (1..=3).map(|n| format!("AV-2026-{n:06}")).collect();
        for (i, m) in [9u8, 10, 11].into_iter().enumerate() {
            for _ in 0..4 {
                rows.push((ym(2026, m), None, false, 1_000_00));
            }
            for k in 0..3 {
                rows.push((
                    ym(2026, m),
                    Some(numbers[i * 3 + k].as_str()),
                    false,
                    2_000_00,
                ));
            }
            rows.push((ym(2026, m), Some(credits[i].as_str()), true, 500_00));
        }
        let mine = w.listed_invoices(&acme, &rows).await;
        let theirs = w
            .listed_invoices(
                &other,
                &[(ym(2026, 10), Some("FA-2026-000099"), false, 7_00)],
            )
            .await;
        let everything = {
            let mut tx = db.read().await.unwrap();
            let l = read::list(&mut tx, &Filter::default(), 1000).await.unwrap();
            tx.commit().await.unwrap();
            l.iter().map(|s| s.id).collect::<Vec<_>>()
        };
        assert_eq!(everything.len(), mine.len() + theirs.len());
        // Newest month first; within it, by number descending, drafts last.
        {
            let mut tx = db.read().await.unwrap();
            let l = read::list(&mut tx, &Filter::default(), 1000).await.unwrap();
            tx.commit().await.unwrap();
            assert_eq!(l[0].period, "2026-11");
            assert_eq!(l[0].number.as_deref(), Some("FA-2026-000009"));
            assert!(
                l[4..8].iter().all(|s| s.number.is_none()),
                "drafts last in their month"
            );
        }
        for per_page in [1, 2, 3, 5, 7, 25] {
            let (forward, backward) = walk_invoices(&db, &Filter::default(), per_page).await;
            assert_eq!(forward, everything, "forward, {per_page} a page");
            let unique: HashSet<_> = forward.iter().collect();
            assert_eq!(unique.len(), forward.len());
            assert_eq!(backward, everything, "backward, {per_page} a page");
        }
        // A filter holds on every page: by client id, by words of his name
        // (accents and case ignored), by month.
        for f in [
            Filter {
                client: Some(acme.id),
                ..Filter::default()
            },
            Filter {
                client_name: Some("acme".into()),
                ..Filter::default()
            },
        ] {
            let (forward, backward) = walk_invoices(&db, &f, 4).await;
            assert_eq!(forward.len(), mine.len());
            assert!(forward.iter().all(|id| mine.contains(id)));
            assert_eq!(backward, forward);
        }
        let october = Filter {
            period: Some(ym(2026, 10)),
            ..Filter::default()
        };
        let (forward, _) = walk_invoices(&db, &october, 3).await;
        assert_eq!(forward.len(), 9);
        // Totals are the filter's, whatever the page: issued documents,
        // credit notes deducted; the drafts apart, never added to them.
        let mut tx = db.read().await.unwrap();
        let t = read::totals(&mut tx, &october).await.unwrap();
        assert_eq!(t.count, 9);
        assert_eq!(t.net, Money::from_cents(3 * 2_000_00 - 500_00 + 7_00));
        assert_eq!(t.gross, Money::from_cents(3 * 2_400_00 - 600_00 + 8_40));
        assert_eq!(t.not_issued, Money::from_cents(4 * 1_200_00));
        let none = read::totals(
            &mut tx,
            &Filter {
                client_name: Some("100%".into()),
                ..Filter::default()
            },
        )
        .await
        .unwrap();
        assert_eq!((none.count, none.net), (0, Money::ZERO));
        tx.commit().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn payment_pages_walk_a_day_of_many_receipts_once() {
    on_each_backend(|db| async move {
        let w = World::new(&db).await;
        let acme = w.client().name("Acmé Industrie").create().await;
        let other = w.client().name("Zèbre Conseil").create().await;
        let today = store::today();
        let mut mine = Vec::new();
        for (days, n) in [(0, 3), (1, 4), (9, 2)] {
            for k in 0..n {
                let p = w
                    .credit_payment(
                        &acme,
                        today - time::Duration::days(days),
                        Money::from_cents(100_00 + k),
                    )
                    .await;
                mine.push(p.id);
            }
        }
        let theirs = w
            .credit_payment(&other, today, Money::from_cents(1_00))
            .await
            .id;
        let f = payments::Filter {
            client_name: Some("ACME".into()),
            ..payments::Filter::default()
        };
        let mut tx = db.read().await.unwrap();
        let all = payments::list(&mut tx, &payments::Filter::default(), 1000)
            .await
            .unwrap();
        assert_eq!(all.len(), mine.len() + 1);
        assert!(all.windows(2).all(|p| p[0].received_on >= p[1].received_on));
        for per_page in [1, 2, 4] {
            let mut seen = Vec::new();
            let mut req = KeysetRequest::first(per_page);
            loop {
                let page = payments::page(&mut tx, &f, &req).await.unwrap();
                seen.extend(page.items.iter().map(|p| p.id));
                match page.next {
                    Some(seek) => req = KeysetRequest { seek, per_page },
                    None => break,
                }
            }
            assert_eq!(seen.len(), mine.len(), "{per_page} a page");
            assert!(!seen.contains(&theirs));
            let unique: HashSet<_> = seen.iter().collect();
            assert_eq!(unique.len(), seen.len());
        }
        let t = payments::totals(&mut tx, &f).await.unwrap();
        assert_eq!(t.count, mine.len() as u64);
        let expected: i64 = [3, 4, 2]
            .iter()
            .map(|n| (0..*n).map(|k| 100_00 + k).sum::<i64>())
            .sum();
        assert_eq!(t.amount, Money::from_cents(expected));
        // The API's numbered pages: the same rows, and the count.
        let p2 = payments::numbered(
            &mut tx,
            &f,
            domain::paging::PageRequest::new(Some(2), Some(4)),
        )
        .await
        .unwrap();
        assert_eq!(p2.total, mine.len() as u64);
        assert_eq!(p2.items.len(), 4);
        tx.commit().await.unwrap();
    })
    .await;
}
