//! One write ceremony for every handler that changes something.
//!
//! A command runs in one write transaction. When it succeeds, the message
//! the next page shows (the flash) is written into the session row in that
//! same transaction, then everything commits at once: one writer lock on
//! SQLite, and no error page after a change that was made. When the command
//! refuses (a rule the user can fix), nothing it wrote stays: the
//! transaction is rolled back and the handler gets the reasons, to show
//! the form again beside its fields (422) or to flash the first one and
//! send the user back ([`Write::redirect`]). Any other error propagates.
//!
//! ```ignore
//! match write(&app, &ctx)
//!     .flash("leave-requested")
//!     .run(async |tx| store::leave::request(tx, &actor, user, &n).await)
//!     .await?
//! {
//!     Done(_) => Ok(see_other("/leave")),
//!     Refused(errors) => mine_page(&app, &ctx, f, &errors, None).await,
//! }
//! ```
//!
//! Which errors are refusals is said by the type the command fails with:
//! a `store::Error` refuses with `Invalid` only, an [`AppError`] with
//! `Validation`, which also holds a uniqueness conflict named by its field
//! (`From<store::Error>`). A command mixing store calls with `?` declares
//! it: `async |tx| -> AppResult<_> { … }`.

use axum::response::Response;
use domain::validation::ValidationErrors;
use store::Tx;

use crate::AppState;
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::pages::see_other;
use crate::view::{Flash, flash_refusal};

/// What became of a command.
#[must_use]
pub enum Outcome<T> {
    /// Done and committed, with its flash; the command's output.
    Done(T),
    /// Refused: nothing was written; the reasons, by field.
    Refused(ValidationErrors),
}

pub use Outcome::{Done, Refused};

impl<T> Outcome<T> {
    /// The output, a refusal being an error like any other (the error page
    /// or the API's problem document names the fields).
    pub fn or_error(self) -> AppResult<T> {
        match self {
            Done(t) => Ok(t),
            Refused(v) => Err(AppError::Validation(v)),
        }
    }
}

/// An error a command fails with, and which of them are refusals.
pub trait CommandError: Into<AppError> + Sized {
    /// The reasons when the user can fix it; else the error itself.
    fn refusal(self) -> Result<ValidationErrors, Self>;
}

impl CommandError for store::Error {
    fn refusal(self) -> Result<ValidationErrors, Self> {
        match self {
            store::Error::Invalid(v) => Ok(v),
            other => Err(other),
        }
    }
}

impl CommandError for AppError {
    fn refusal(self) -> Result<ValidationErrors, Self> {
        match self {
            AppError::Validation(v) => Ok(v),
            other => Err(other),
        }
    }
}

/// A write about to run for this request; see the module documentation.
#[must_use]
pub struct Write<'a> {
    app: &'a AppState,
    ctx: &'a Ctx,
    flash: Option<Flash>,
}

/// Starts a write for this request.
pub fn write<'a>(app: &'a AppState, ctx: &'a Ctx) -> Write<'a> {
    Write {
        app,
        ctx,
        flash: None,
    }
}

impl<'a> Write<'a> {
    /// The success message (a translation key) the next page shows.
    pub fn flash(mut self, key: &str) -> Self {
        self.flash = Some(Flash::success(key));
        self
    }

    /// Runs `cmd` in one write transaction; on success writes the flash in
    /// it and commits; on a refusal rolls back and returns the reasons.
    pub async fn run<T, E: CommandError>(
        mut self,
        cmd: impl AsyncFnOnce(&mut Tx) -> Result<T, E>,
    ) -> AppResult<Outcome<T>> {
        let flash = self.flash.take();
        self.run_then_flash(cmd, |_| flash).await
    }

    /// [`run`](Self::run), the message chosen from what the command did
    /// (instead of any set before; `None`: no message).
    pub async fn run_then_flash<T, E: CommandError>(
        self,
        cmd: impl AsyncFnOnce(&mut Tx) -> Result<T, E>,
        message: impl FnOnce(&T) -> Option<Flash>,
    ) -> AppResult<Outcome<T>> {
        let mut tx = self.app.db.begin().await?;
        match cmd(&mut tx).await {
            Ok(done) => {
                if let Some(f) = message(&done) {
                    put_flash(&mut tx, self.ctx, &f).await?;
                }
                tx.commit().await?;
                Ok(Done(done))
            }
            Err(e) => {
                let rolled_back = tx.rollback().await;
                match e.refusal() {
                    Ok(v) => {
                        rolled_back?;
                        Ok(Refused(v))
                    }
                    // The cause, rather than a rollback failing after it.
                    Err(e) => {
                        if let Err(rb) = rolled_back {
                            tracing::warn!(error = ?rb, "rollback after a failed command");
                        }
                        Err(e.into())
                    }
                }
            }
        }
    }

    /// Runs `cmd`, a refusal being an error (the API, and commands whose
    /// refusals have no form to go back to).
    pub async fn commit<T, E: CommandError>(
        self,
        cmd: impl AsyncFnOnce(&mut Tx) -> Result<T, E>,
    ) -> AppResult<T> {
        self.run(cmd).await?.or_error()
    }

    /// Runs `cmd` from a small inline form, then back to `to` either way:
    /// with the success message, or with the first reason of a refusal.
    pub async fn redirect<T, E: CommandError>(
        self,
        to: &str,
        cmd: impl AsyncFnOnce(&mut Tx) -> Result<T, E>,
    ) -> AppResult<Response> {
        let (app, ctx) = (self.app, self.ctx);
        match self.run(cmd).await? {
            Done(_) => Ok(see_other(to)),
            Refused(v) => flash_back(app, ctx, &v, to).await,
        }
    }
}

/// After a refusal that nothing else records: its first reason flashed
/// (a write of its own), and back to `to`.
pub async fn flash_back(
    app: &AppState,
    ctx: &Ctx,
    errors: &ValidationErrors,
    to: &str,
) -> AppResult<Response> {
    flash_refusal(app, ctx, errors, "error-validation").await?;
    Ok(see_other(to))
}

/// Leaves `flash` for the next page this session shows, in `tx`.
pub async fn put_flash(tx: &mut Tx, ctx: &Ctx, flash: &Flash) -> AppResult<()> {
    if let Some(s) = &ctx.session {
        let f = serde_json::to_string(flash).expect("serializable");
        store::sessions::set_flash(tx, &s.id_hash, Some(&f)).await?;
    }
    Ok(())
}
