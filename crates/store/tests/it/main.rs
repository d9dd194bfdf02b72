//! Integration tests of the store: every test that touches a database runs
//! its body on a fresh SQLite file and on a fresh PostgreSQL database
//! (`fixtures::testing::on_each_backend`).

mod support;

mod api_tokens;
mod backup;
mod bench_data;
mod billed;
mod brouillard;
mod companies;
mod concurrency;
mod contacts;
mod contracts;
mod cra_reports;
mod cras;
mod delivery;
mod demo;
mod dunning;
mod einvoicing;
mod esign;
mod facturx;
mod fec;
mod invoicing;
mod leave;
mod ledger;
mod ledger_reports;
mod ledger_seal;
mod lettering;
mod margin_history;
mod margin_inputs;
mod margins;
mod meetings;
mod opportunities;
mod paging;
mod payments;
mod people;
mod portfolio;
mod positionings;
mod receivables;
mod renewals;
mod schema;
mod scope_portfolio;
mod sessions;
mod statements;
mod throttle;
mod users;
