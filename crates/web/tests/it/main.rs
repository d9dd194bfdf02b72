//! Web integration tests: the real router, middleware and database, on
//! SQLite and on PostgreSQL.

mod accounting;
mod api;
mod company_groups;
mod confidentiality;
mod contracts;
mod cra_reports;
mod cras;
mod delivery;
mod dunning;
mod einvoicing;
mod esign;
mod fec;
mod harness;
mod home;
mod invoices;
mod invoices_daily;
mod leave;
mod lettering;
mod lists;
mod margins;
mod meetings;
mod messages;
mod missions;
mod openapi;
mod opportunities;
mod pages;
mod payments;
mod people;
mod portfolio;
mod positionings;
mod receivables;
mod routes;
mod security;
mod statements;
mod write;
