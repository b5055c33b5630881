//! When the daemon's loops run a round: on every new block, at least every
//! poll interval, and after a failed round only once its backoff has
//! passed. The provider loop and the validator's duties share it.

use std::time::Duration;

use anyhow::Result;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use crate::metrics::Metrics;

/// Longest backoff between retries of one failed action.
pub const MAX_BACKOFF: Duration = Duration::from_secs(60);

/// Backoff before retry `attempts` of a failed action (1, 2, 4 … seconds,
/// capped at [`MAX_BACKOFF`]).
pub fn backoff(attempts: u32) -> Duration {
    Duration::from_secs(1u64 << attempts.min(6)).min(MAX_BACKOFF)
}

/// The pace of one loop of rounds.
pub struct Pace {
    /// New block heights from the block follower.
    heights: watch::Receiver<u64>,
    poll: Duration,
    /// Rounds failed in a row.
    failures: u32,
}

impl Pace {
    pub fn new(heights: watch::Receiver<u64>, poll: Duration) -> Self {
        Pace {
            heights,
            poll,
            failures: 0,
        }
    }

    /// The latest height the follower published.
    pub fn height(&self) -> u64 {
        *self.heights.borrow()
    }

    /// Waits for a new block, or the poll interval, whichever comes first.
    pub async fn tick(&mut self) {
        tokio::select! {
            changed = self.heights.changed() => {
                if changed.is_err() {
                    tokio::time::sleep(self.poll).await;
                }
            }
            _ = tokio::time::sleep(self.poll) => {}
        }
    }

    /// Counts a round's result. A failed round (`what`) is logged, counted
    /// as a `chain` error and waited out with backoff; `false` when
    /// `shutdown` came meanwhile.
    pub async fn after(
        &mut self,
        what: &str,
        round: Result<()>,
        metrics: &Metrics,
        shutdown: &CancellationToken,
    ) -> bool {
        let Err(e) = round else {
            self.failures = 0;
            return true;
        };
        self.failures += 1;
        metrics.error("chain");
        let wait = backoff(self.failures);
        tracing::warn!("{what} failed ({e:#}); retrying in {}s", wait.as_secs());
        tokio::select! {
            _ = shutdown.cancelled() => false,
            _ = tokio::time::sleep(wait) => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        assert_eq!(backoff(0), Duration::from_secs(1));
        assert_eq!(backoff(3), Duration::from_secs(8));
        assert_eq!(backoff(30), MAX_BACKOFF);
    }
}
