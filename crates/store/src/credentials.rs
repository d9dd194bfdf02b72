//! Password hashing (argon2id) and opaque tokens (sessions, API). Only hashes
//! of tokens are stored, so a copy of the database cannot be replayed.

use std::sync::LazyLock;

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use domain::user::Password;
use sha2::{Digest, Sha256};

pub fn hash_password(password: &Password) -> String {
    Argon2::default()
        .hash_password(password.expose().as_bytes())
        .expect("argon2 with default parameters cannot fail on a bounded password")
        .to_string()
}

pub fn verify_password(hash: &str, candidate: &str) -> bool {
    match argon2::password_hash::phc::PasswordHash::new(hash) {
        Ok(parsed) => Argon2::default()
            .verify_password(candidate.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// Verifying against this when the e-mail is unknown keeps the response time
/// the same, so timing does not reveal which accounts exist.
pub fn verify_against_dummy(candidate: &str) {
    static DUMMY: LazyLock<String> = LazyLock::new(|| {
        hash_password(&Password::parse("dummy password for timing").expect("long enough"))
    });
    let _ = verify_password(&DUMMY, candidate);
}

/// A random token of 244 bits (two v4 UUIDs' random bits), hex encoded.
pub fn new_token() -> String {
    let a = uuid::Uuid::new_v4();
    let b = uuid::Uuid::new_v4();
    format!("{}{}", a.simple(), b.simple())
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_then_verify() {
        let pw = Password::parse("correct horse battery").unwrap();
        let h = hash_password(&pw);
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password(&h, "correct horse battery"));
        assert!(!verify_password(&h, "correct horse batterx"));
        assert!(!verify_password("garbage", "x"));
    }

    #[test]
    fn tokens_are_unique_and_hashed() {
        let a = new_token();
        assert_eq!(a.len(), 64);
        assert_ne!(a, new_token());
        assert_eq!(token_hash(&a).len(), 64);
        assert_ne!(token_hash(&a), a);
    }
}
