//! Helpers shared by the integration tests.

use domain::company::{CompanyData, CompanyInput};
use domain::identifiers::Siren;
use domain::ids::CompanyId;
use domain::role::Role;
use domain::user::{UserData, UserInput};
use store::companies::Company;
use store::users::User;
use store::{Actor, Db};

pub const PASSWORD: &str = "correct horse battery staple";

pub fn actor() -> Actor {
    Actor::system("tests")
}

/// `SELECT COUNT(*)` of a table, outside any transaction.
pub async fn count(db: &Db, table: &str) -> i64 {
    let sql = format!("SELECT COUNT(*) FROM {table}");
    store::on_pool!(db, |c| sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .fetch_one(c)
        .await)
    .unwrap_or_else(|e| panic!("count {table}: {e}"))
}

/// A valid company; `siren8` is completed with its check digit.
pub fn company_data(name: &str, kind: &str, siren8: Option<u32>) -> CompanyData {
    CompanyInput {
        name: name.into(),
        kind: kind.into(),
        siren: siren8
            .map(|n| Siren::with_check_digit(n).to_string())
            .unwrap_or_default(),
        ..Default::default()
    }
    .validate()
    .expect("valid company")
}

pub async fn create_company_with(db: &Db, data: &CompanyData) -> Company {
    let mut tx = db.begin().await.unwrap();
    let c = store::companies::create(&mut tx, &actor(), data)
        .await
        .expect("create company");
    tx.commit().await.unwrap();
    c
}

pub async fn create_company(db: &Db, name: &str, kind: &str) -> Company {
    create_company_with(db, &company_data(name, kind, None)).await
}

pub fn user_data(email: &str, name: &str, role: Role, company: Option<CompanyId>) -> UserData {
    UserInput {
        email: email.into(),
        display_name: name.into(),
        role: role.as_str().into(),
        company_id: company.map(|c| c.to_string()).unwrap_or_default(),
        password: PASSWORD.into(),
        ..Default::default()
    }
    .validate(true)
    .expect("valid user")
}

pub async fn create_user(
    db: &Db,
    email: &str,
    name: &str,
    role: Role,
    company: Option<CompanyId>,
) -> User {
    let mut tx = db.begin().await.unwrap();
    let u = store::users::create(&mut tx, &actor(), &user_data(email, name, role, company))
        .await
        .expect("create user");
    tx.commit().await.unwrap();
    u
}

/// A signed-in session for `user`, committed; returns (cookie token, id hash).
pub async fn create_session(db: &Db, user: Option<&User>) -> (String, String) {
    let mut tx = db.begin().await.unwrap();
    let s = store::sessions::create(
        &mut tx,
        user.map(|u| u.id),
        Some("192.0.2.1"),
        Some("it-tests"),
    )
    .await
    .expect("create session");
    tx.commit().await.unwrap();
    (s.token, s.session.id_hash)
}

/// Id hashes of the sessions of one user, sorted.
pub async fn session_hashes(db: &Db, user: &User) -> Vec<String> {
    let sql = "SELECT id_hash FROM sessions WHERE user_id = $1 ORDER BY id_hash";
    let id = user.id.to_string();
    store::on_pool!(db, |c| sqlx::query_scalar(sql).bind(&id).fetch_all(c).await).unwrap()
}

/// SHA-256 in hex, computed here rather than through the store.
pub fn sha256_hex(s: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(s.as_bytes()))
}

/// A refusal's arguments as a French page writes them (a label of the
/// catalogue stays its key: the catalogue belongs to the web layer).
pub fn in_french(args: &[(&'static str, domain::validation::Arg)]) -> Vec<(&'static str, String)> {
    args.iter()
        .map(|(k, a)| (*k, a.format(domain::Locale::Fr, &|key, _| key.to_owned())))
        .collect()
}
