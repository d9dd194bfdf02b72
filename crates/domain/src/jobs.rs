//! Rules of the background jobs (alert scans, status refresh, e-mails).
//! The queue itself, and the runner, live in the store and the binary;
//! what is decided here is how often a failing job is retried and what a
//! lease means, so those rules are tested without a database.

use std::fmt;

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

/// Attempts before a job is marked failed for good and left for an
/// administrator to retry. With [`retry_delay`] that is about 1 h 04 of
/// retries (30 s + 1 + 2 + 4 + 8 + 16 + 32 min), enough to ride out a mail
/// server or database restart without hammering it.
pub const MAX_ATTEMPTS: u32 = 8;

const FIRST_DELAY_SECONDS: i64 = 30;
const MAX_DELAY_SECONDS: i64 = 3600;

/// How long to wait before running a job again after its `attempt`-th
/// attempt (1-based) failed: 30 s × 2^(attempt − 1), capped at one hour.
/// Attempt 0 is treated as 1.
///
/// Exponential backoff spaces retries out when the cause is lasting (a
/// remote service down) while retrying quickly after a blip; the cap keeps
/// a long-failing job from vanishing for days.
pub fn retry_delay(attempt: u32) -> Duration {
    let exponent = attempt.saturating_sub(1);
    // 30 × 2^7 already exceeds the cap; stopping there also avoids overflow.
    let seconds = if exponent >= 7 {
        MAX_DELAY_SECONDS
    } else {
        (FIRST_DELAY_SECONDS << exponent).min(MAX_DELAY_SECONDS)
    };
    Duration::seconds(seconds)
}

/// After a failed attempt: the delay before the next one, or `None` when
/// the job has used its [`MAX_ATTEMPTS`] and is failed for good.
pub fn retry_after_failure(attempts: u32) -> Option<Duration> {
    (attempts < MAX_ATTEMPTS).then(|| retry_delay(attempts))
}

/// Where a job is in the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    /// Waiting for its run time (first run or retry).
    Queued,
    /// Claimed by an instance, under a lease.
    Running,
    Done,
    /// Out of attempts; only a manual retry queues it again.
    Failed,
}

impl JobState {
    pub const ALL: [JobState; 4] = [
        JobState::Queued,
        JobState::Running,
        JobState::Done,
        JobState::Failed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Done => "done",
            JobState::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<JobState> {
        JobState::ALL.into_iter().find(|j| j.as_str() == s)
    }

    pub fn label_key(self) -> String {
        format!("job-state-{}", self.as_str())
    }

    /// Done and failed jobs never run again on their own.
    pub fn is_final(self) -> bool {
        matches!(self, JobState::Done | JobState::Failed)
    }
}

impl fmt::Display for JobState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The right of one instance (`holder`) to run a claimed job until `until`.
///
/// Several instances of Régisseur may share one database. A job is claimed
/// by writing a lease rather than by holding a lock, because an instance
/// can die mid-job (crash, deployment, OOM kill) without releasing
/// anything: a lock held by a dead process would block the job forever,
/// whereas a lease simply runs out. Once it has expired, any instance may
/// claim the job again, so a crashed job is retried after at most the lease
/// duration. The lease must therefore be longer than any normal run; and
/// since the original holder might in fact be alive but slow, completing a
/// job checks that the lease is still its own, so two instances can never
/// both record the outcome. Jobs must be idempotent anyway, as a run can
/// be repeated after a takeover.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lease {
    pub holder: String,
    pub until: OffsetDateTime,
}

impl Lease {
    pub fn new(holder: impl Into<String>, now: OffsetDateTime, duration: Duration) -> Lease {
        Lease {
            holder: holder.into(),
            until: now + duration,
        }
    }

    /// Expired strictly after `until`, the same comparison as the claim
    /// query, so an instance never considers a job both held and free.
    pub fn is_expired(&self, now: OffsetDateTime) -> bool {
        self.until < now
    }

    /// Whether `worker` may still act on the job as its owner.
    pub fn is_held_by(&self, worker: &str, now: OffsetDateTime) -> bool {
        self.holder == worker && !self.is_expired(now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::datetime;

    #[test]
    fn backoff_doubles_then_caps() {
        let secs = |a| retry_delay(a).whole_seconds();
        assert_eq!(secs(0), 30);
        assert_eq!(secs(1), 30);
        assert_eq!(secs(2), 60);
        assert_eq!(secs(3), 120);
        assert_eq!(secs(7), 1920);
        assert_eq!(secs(8), 3600);
        assert_eq!(secs(9), 3600);
        assert_eq!(secs(u32::MAX), 3600);
        let total: i64 = (1..MAX_ATTEMPTS).map(secs).sum();
        assert_eq!(total, 30 * 127, "documented total of retries");
    }

    #[test]
    fn attempts_run_out() {
        assert_eq!(retry_after_failure(1), Some(Duration::seconds(30)));
        assert_eq!(retry_after_failure(MAX_ATTEMPTS - 1), Some(retry_delay(7)));
        assert_eq!(retry_after_failure(MAX_ATTEMPTS), None);
    }

    #[test]
    fn states_round_trip() {
        for s in JobState::ALL {
            assert_eq!(JobState::parse(s.as_str()), Some(s));
            assert_eq!(s.to_string(), s.as_str());
        }
        assert_eq!(JobState::parse("QUEUED"), None);
        assert_eq!(JobState::Failed.label_key(), "job-state-failed");
        assert!(JobState::Done.is_final() && !JobState::Running.is_final());
    }

    #[test]
    fn leases_expire() {
        let now = datetime!(2026-11-28 10:00 UTC);
        let lease = Lease::new("worker-a", now, Duration::minutes(5));
        assert!(lease.is_held_by("worker-a", now));
        assert!(!lease.is_held_by("worker-b", now));
        let at_end = now + Duration::minutes(5);
        assert!(!lease.is_expired(at_end) && lease.is_held_by("worker-a", at_end));
        let after = at_end + Duration::seconds(1);
        assert!(lease.is_expired(after));
        assert!(
            !lease.is_held_by("worker-a", after),
            "a takeover may have happened"
        );
    }

    proptest! {
        #[test]
        fn backoff_is_monotonic_and_bounded(a in any::<u32>()) {
            let d = retry_delay(a);
            prop_assert!(d >= Duration::seconds(30) && d <= Duration::hours(1));
            prop_assert!(retry_delay(a.saturating_add(1)) >= d);
        }
    }
}
