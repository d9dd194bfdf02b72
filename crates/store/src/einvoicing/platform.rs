//! The "plateforme agréée" (PA) as Régisseur sees it: a place to deposit
//! documents and a source of status messages. No platform is reachable
//! from here, so [`FileDrop`] exchanges files in a folder a connector (or
//! a person) can pick up and answer:
//!
//! - `outbox/<number>.pdf`: each document deposited (the Factur-X PDF);
//! - `outbox/manifest.csv`: one line per document (number, type code 380
//!   invoice / 381 credit note, issue date, seller and buyer SIREN, HT,
//!   TVA, TTC in cents, SHA-256 of the file, deposit time), rewritten
//!   whole on each deposit;
//! - `inbox/*.json`: status messages from the platform,
//!   `{"number": "FA-2026-000001", "status": 205, "at": "2026-11-20T10:00:00Z",
//!   "reason": "…", "message_id": "…", "amount_cents": 1000, "paid_on": "2026-11-20"}`;
//!   applied ones go to `inbox/done/`, refused ones to `inbox/rejected/`
//!   with a `.reason.txt` beside them.
//!
//! Every file is written to a temporary name then renamed, so a reader
//! never sees half a file; the manifest is rewritten under a file lock, so
//! two instances depositing at once keep both lines.
//!
//! The trait is synchronous: the file drop does short local I/O. A network
//! platform would block the same way inside the deposit transaction.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::{Date, OffsetDateTime};

/// What is deposited.
#[derive(Debug, Clone)]
pub struct Outbound {
    pub number: String,
    /// UNTDID 1001: 380 invoice, 381 credit note.
    pub type_code: u16,
    pub issue_date: Date,
    pub seller_siren: String,
    pub buyer_siren: String,
    pub net_cents: i64,
    pub vat_cents: i64,
    pub gross_cents: i64,
    pub file_name: String,
    pub pdf: Vec<u8>,
    pub xml: Vec<u8>,
}

/// A deposit the platform acknowledged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deposit {
    /// The platform's reference of the deposit.
    pub platform_id: String,
    pub sha256: String,
    pub deposited_at: OffsetDateTime,
}

/// A status the platform sends back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusMessage {
    pub number: String,
    pub status: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub message_id: Option<String>,
    #[serde(default)]
    pub amount_cents: Option<i64>,
    /// `YYYY-MM-DD`.
    #[serde(default)]
    pub paid_on: Option<String>,
    /// Where it came from (the inbox file), to acknowledge it.
    #[serde(skip)]
    pub handle: String,
}

#[derive(Debug, thiserror::Error)]
pub enum PlatformError {
    #[error("{0}: {1}")]
    Io(String, std::io::Error),
    #[error("{0}")]
    Refused(String),
}

pub type PlatformResult<T> = std::result::Result<T, PlatformError>;

pub trait Platform: Send + Sync {
    /// The channel's name, stored with each deposit.
    fn channel(&self) -> &str;
    /// Deposits a document. Depositing the same number again replaces it.
    fn deposit(&self, doc: &Outbound) -> PlatformResult<Deposit>;
    /// The status messages waiting.
    fn poll(&self) -> PlatformResult<Vec<StatusMessage>>;
    /// Marks a message applied (`Ok`) or refused (`Err(reason)`), so it is
    /// not polled again.
    fn acknowledge(
        &self,
        msg: &StatusMessage,
        outcome: std::result::Result<(), String>,
    ) -> PlatformResult<()>;
}

/// A folder exchange with a platform (see the module).
#[derive(Debug, Clone)]
pub struct FileDrop {
    root: PathBuf,
}

const MANIFEST_HEADER: &str = "number,type,issue_date,seller_siren,buyer_siren,net_cents,vat_cents,gross_cents,sha256,deposited_at";

fn io(what: &Path) -> impl FnOnce(std::io::Error) -> PlatformError + '_ {
    move |e| PlatformError::Io(what.display().to_string(), e)
}

/// Writes `bytes` to `path` through a temporary file in the same folder
/// and a rename: readers see the old file or the new one, never half.
fn write_atomic(path: &Path, bytes: &[u8]) -> PlatformResult<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("file"),
        uuid::Uuid::new_v4().simple()
    ));
    let mut f = fs::File::create(&tmp).map_err(io(&tmp))?;
    f.write_all(bytes).map_err(io(&tmp))?;
    f.sync_all().map_err(io(&tmp))?;
    drop(f);
    fs::rename(&tmp, path).map_err(io(path))
}

/// A number fit for a file name (numbers are `FA-2026-000001`; anything
/// else is replaced).
fn safe(number: &str) -> String {
    number
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

impl FileDrop {
    pub fn new(root: impl Into<PathBuf>) -> FileDrop {
        FileDrop { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn outbox(&self) -> PathBuf {
        self.root.join("outbox")
    }

    pub fn inbox(&self) -> PathBuf {
        self.root.join("inbox")
    }

    fn manifest_line(doc: &Outbound, sha: &str, at: OffsetDateTime) -> String {
        let at = at
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
        format!(
            "{},{},{},{},{},{},{},{},{},{}",
            safe(&doc.number),
            doc.type_code,
            doc.issue_date,
            safe(&doc.seller_siren),
            safe(&doc.buyer_siren),
            doc.net_cents,
            doc.vat_cents,
            doc.gross_cents,
            sha,
            at
        )
    }

    fn move_to(&self, from: &Path, folder: &str, note: Option<&str>) -> PlatformResult<()> {
        let dir = self.inbox().join(folder);
        fs::create_dir_all(&dir).map_err(io(&dir))?;
        let name = from.file_name().map(|n| n.to_owned()).unwrap_or_default();
        let to = dir.join(&name);
        if let Some(note) = note {
            let mut reason = to.clone().into_os_string();
            reason.push(".reason.txt");
            write_atomic(Path::new(&reason), note.as_bytes())?;
        }
        fs::rename(from, &to).map_err(io(from))
    }
}

impl Platform for FileDrop {
    fn channel(&self) -> &str {
        "file_drop"
    }

    fn deposit(&self, doc: &Outbound) -> PlatformResult<Deposit> {
        let out = self.outbox();
        fs::create_dir_all(&out).map_err(io(&out))?;
        let sha = hex::encode(Sha256::digest(&doc.pdf));
        let name = format!("{}.pdf", safe(&doc.number));
        write_atomic(&out.join(&name), &doc.pdf)?;
        let at = crate::now();
        // One writer of the manifest at a time, across processes.
        let lock_path = out.join(".manifest.lock");
        let lock = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(io(&lock_path))?;
        lock.lock().map_err(io(&lock_path))?;
        let manifest = out.join("manifest.csv");
        let old = match fs::read_to_string(&manifest) {
            Ok(s) => s,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(PlatformError::Io(manifest.display().to_string(), e)),
        };
        let key = format!("{},", safe(&doc.number));
        let mut text = String::from(MANIFEST_HEADER);
        text.push('\n');
        for line in old.lines().skip(1) {
            if !line.is_empty() && !line.starts_with(&key) {
                text.push_str(line);
                text.push('\n');
            }
        }
        text.push_str(&Self::manifest_line(doc, &sha, at));
        text.push('\n');
        let written = write_atomic(&manifest, text.as_bytes());
        let _ = lock.unlock();
        written?;
        Ok(Deposit {
            platform_id: format!("outbox/{name}"),
            sha256: sha,
            deposited_at: at,
        })
    }

    fn poll(&self) -> PlatformResult<Vec<StatusMessage>> {
        let inbox = self.inbox();
        let entries = match fs::read_dir(&inbox) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(PlatformError::Io(inbox.display().to_string(), e)),
        };
        let mut paths: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "json"))
            .collect();
        paths.sort();
        let mut out = Vec::new();
        for p in paths {
            let parsed = fs::read_to_string(&p)
                .map_err(|e| e.to_string())
                .and_then(|s| serde_json::from_str::<StatusMessage>(&s).map_err(|e| e.to_string()));
            match parsed {
                Ok(mut m) => {
                    m.handle = p.display().to_string();
                    out.push(m);
                }
                Err(e) => {
                    self.move_to(&p, "rejected", Some(&format!("message illisible : {e}")))?
                }
            }
        }
        Ok(out)
    }

    fn acknowledge(
        &self,
        msg: &StatusMessage,
        outcome: std::result::Result<(), String>,
    ) -> PlatformResult<()> {
        let from = PathBuf::from(&msg.handle);
        match outcome {
            Ok(()) => self.move_to(&from, "done", None),
            Err(reason) => self.move_to(&from, "rejected", Some(&reason)),
        }
    }
}
