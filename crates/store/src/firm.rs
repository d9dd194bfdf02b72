//! The firm using Régisseur: its identity appears on every invoice and contract.

use serde::{Deserialize, Serialize};

use crate::{Result, Tx, now, on_tx};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct Firm {
    pub name: String,
    pub legal_form: Option<String>,
    pub siren: Option<String>,
    pub vat_number: Option<String>,
    pub rcs_city: Option<String>,
    pub share_capital_cents: Option<i64>,
    pub address_line1: Option<String>,
    pub postcode: Option<String>,
    pub city: Option<String>,
    pub country: String,
    pub iban: Option<String>,
    pub bic: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

pub async fn get(tx: &mut Tx) -> Result<Option<Firm>> {
    let sql = "SELECT name, legal_form, siren, vat_number, rcs_city, share_capital_cents, address_line1, postcode,
                      city, country, iban, bic, email, phone FROM firm WHERE id = 1";
    Ok(on_tx!(tx, |c| sqlx::query_as(sql).fetch_optional(c).await)?)
}

pub async fn save(tx: &mut Tx, f: &Firm) -> Result<()> {
    let sql = "INSERT INTO firm (id, name, legal_form, siren, vat_number, rcs_city, share_capital_cents, address_line1,
                 postcode, city, country, iban, bic, email, phone, updated_at)
               VALUES (1, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
               ON CONFLICT (id) DO UPDATE SET name = excluded.name, legal_form = excluded.legal_form,
                 siren = excluded.siren, vat_number = excluded.vat_number, rcs_city = excluded.rcs_city,
                 share_capital_cents = excluded.share_capital_cents, address_line1 = excluded.address_line1,
                 postcode = excluded.postcode, city = excluded.city, country = excluded.country, iban = excluded.iban,
                 bic = excluded.bic, email = excluded.email, phone = excluded.phone, updated_at = excluded.updated_at";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(&f.name)
        .bind(&f.legal_form)
        .bind(&f.siren)
        .bind(&f.vat_number)
        .bind(&f.rcs_city)
        .bind(f.share_capital_cents)
        .bind(&f.address_line1)
        .bind(&f.postcode)
        .bind(&f.city)
        .bind(&f.country)
        .bind(&f.iban)
        .bind(&f.bic)
        .bind(&f.email)
        .bind(&f.phone)
        .bind(now())
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}
