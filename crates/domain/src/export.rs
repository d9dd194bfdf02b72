//! Files produced in the background (the FEC of a fiscal year): what is
//! exported and how far the job producing it has got.

use serde::{Deserialize, Serialize};

use crate::code::stored_code;

/// What an export holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExportKind {
    /// The fichier des écritures comptables of one fiscal year.
    Fec,
}

impl ExportKind {
    pub const ALL: [ExportKind; 1] = [ExportKind::Fec];

    pub fn as_str(self) -> &'static str {
        match self {
            ExportKind::Fec => "fec",
        }
    }

    pub fn parse(s: &str) -> Option<ExportKind> {
        ExportKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Where an export stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExportStatus {
    Queued,
    Running,
    Done,
    Failed,
}

impl ExportStatus {
    pub const ALL: [ExportStatus; 4] = [
        ExportStatus::Queued,
        ExportStatus::Running,
        ExportStatus::Done,
        ExportStatus::Failed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ExportStatus::Queued => "queued",
            ExportStatus::Running => "running",
            ExportStatus::Done => "done",
            ExportStatus::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<ExportStatus> {
        ExportStatus::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Done or failed: the job will not touch it again.
    pub fn is_finished(self) -> bool {
        matches!(self, ExportStatus::Done | ExportStatus::Failed)
    }
}

stored_code!(ExportKind, ExportStatus);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for k in ExportKind::ALL {
            assert_eq!(ExportKind::try_from(k.as_str().to_owned()), Ok(k));
        }
        for s in ExportStatus::ALL {
            assert_eq!(ExportStatus::try_from(s.as_str().to_owned()), Ok(s));
        }
        assert!(ExportStatus::try_from("finished".to_owned()).is_err());
        assert!(ExportKind::try_from("FEC".to_owned()).is_err());
    }
}
