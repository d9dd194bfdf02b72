//! The write ceremony (`web::write`): a command and its flash commit
//! together; a refusal leaves neither, and is flashed when the handler
//! sends back; what is a refusal is said by the command's error type.

use axum::http::{StatusCode, header};
use domain::Locale;
use domain::validation::ValidationErrors;
use store::{Db, Tx, on_tx};
use web::ctx::Ctx;
use web::error::AppError;
use web::view::Flash;
use web::write::{Done, Refused, write};
use web::{AppState, WebConfig};

async fn sessions(db: &Db) -> i64 {
    let mut tx = db.read().await.unwrap();
    let n: i64 = on_tx!(&mut tx, |c| sqlx::query_scalar(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM sessions"
    )
    .fetch_one(c)
    .await)
    .unwrap();
    tx.commit().await.unwrap();
    n
}

/// The message left for the next page of `ctx`'s session.
async fn flash_of(db: &Db, ctx: &Ctx) -> Option<Flash> {
    let id_hash = &ctx.session.as_ref().unwrap().id_hash;
    let mut tx = db.read().await.unwrap();
    let raw: Option<String> = on_tx!(&mut tx, |c| sqlx::query_scalar(
        "SELECT flash FROM sessions WHERE id_hash = $1"
    )
    .bind(id_hash)
    .fetch_one(c)
    .await)
    .unwrap();
    tx.commit().await.unwrap();
    raw.map(|r| serde_json::from_str(&r).unwrap())
}

/// Some write the test can count: one more (anonymous) session.
async fn another_session(tx: &mut Tx) -> store::Result<()> {
    store::sessions::create(tx, None, None, None).await?;
    Ok(())
}

fn required() -> store::Error {
    store::Error::Invalid(ValidationErrors::single("name", "field-required"))
}

#[tokio::test]
async fn the_flash_commits_with_the_command_and_a_refusal_leaves_neither() {
    fixtures::testing::on_each_backend(|db| async move {
        let app = AppState::new(db.clone(), WebConfig::default());
        let mut tx = db.begin().await.unwrap();
        let mine = store::sessions::create(&mut tx, None, None, None)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let ctx = Ctx {
            request_id: "test".into(),
            ip: "127.0.0.1".into(),
            user_agent: String::new(),
            locale: Locale::Fr,
            session: Some(mine.session),
            user: None,
            form_token: None,
            is_api: false,
            path: "/".into(),
        };

        // Refused after a write: rolled back, no message left.
        let refused = write(&app, &ctx)
            .flash("saved")
            .run(async |tx: &mut Tx| {
                another_session(tx).await?;
                Err::<(), _>(required())
            })
            .await
            .unwrap();
        assert!(matches!(&refused, Refused(v) if v.0[0].key == "field-required"));
        assert_eq!(sessions(&db).await, 1);
        assert!(flash_of(&db, &ctx).await.is_none());

        // A uniqueness conflict is a refusal for a command speaking
        // AppError, an error for one speaking store::Error.
        let conflict = || store::Error::Conflict { field: "email" };
        let as_store = write(&app, &ctx)
            .run(async |_: &mut Tx| Err::<(), _>(conflict()))
            .await;
        assert!(matches!(as_store, Err(AppError::Validation(_))));
        let as_app = write(&app, &ctx)
            .run(async |_: &mut Tx| Err::<(), AppError>(conflict().into()))
            .await
            .unwrap();
        assert!(matches!(as_app, Refused(v) if v.0[0].key == "email-taken"));
        // Any other error propagates, nothing written.
        let failed = write(&app, &ctx)
            .flash("saved")
            .run(async |tx: &mut Tx| {
                another_session(tx).await?;
                Err::<(), _>(store::Error::NotFound)
            })
            .await;
        assert!(matches!(failed, Err(AppError::NotFound)));
        assert_eq!(sessions(&db).await, 1);
        assert!(flash_of(&db, &ctx).await.is_none());

        // Done: the write and its message, together.
        let done = write(&app, &ctx)
            .flash("saved")
            .run(async |tx: &mut Tx| another_session(tx).await)
            .await
            .unwrap();
        assert!(matches!(done, Done(())));
        assert_eq!(sessions(&db).await, 2);
        let f = flash_of(&db, &ctx).await.expect("a message");
        assert_eq!((f.key.as_str(), f.text), ("saved", None));

        // Sent back after a refusal: its first reason, in the user's words.
        let resp = write(&app, &ctx)
            .flash("saved")
            .redirect("/back", async |_: &mut Tx| Err::<(), _>(required()))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        assert_eq!(resp.headers()[header::LOCATION], "/back");
        let f = flash_of(&db, &ctx).await.expect("the refusal");
        let said = web::i18n::field_error(
            Locale::Fr,
            &ValidationErrors::single("name", "field-required").0[0],
        );
        assert_eq!(f.text.as_deref(), Some(said.as_str()));
        assert_eq!(sessions(&db).await, 2);
    })
    .await;
}
