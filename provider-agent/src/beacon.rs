//! A validator's beacon duty and the verifier draws it unlocks.
//!
//! The registry's randomness beacon is a RANDAO over hash chains: a seated
//! validator anchors `sha256ⁿ(secret)` and then reveals the chain's links
//! backwards, one per `beacon_interval`. Every link is fixed by the anchor,
//! so the agent has no choice to make but to reveal on time; a validator
//! that stops revealing is reported and slashed. The chain lives in memory:
//! a restarted agent simply anchors a fresh one (the registry accepts a new
//! anchor at any time, and counts it only once the beacon has moved on).
//!
//! Spot checkers and dispute voters are drawn once the beacon has passed
//! the reveal a job waits for. Anyone may trigger a draw; validators do it
//! for every job that is ready, since they are the ones drawn.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::Result;
use rand_core::{OsRng, RngCore};
use sha2::{Digest, Sha256};
use starminer_interfaces::job_market::{self as jm, Job, JobStatus};
use starminer_interfaces::registry::{self as reg, Role};

use crate::account::AgentAccount;
use crate::metrics::Metrics;

/// Links in one hash chain: at the default 10 s interval, about 11 hours
/// of reveals before the agent anchors a new chain.
pub const CHAIN_LINKS: usize = 4096;
/// Jobs the market draws for in one `DrawVerifiers`.
const DRAW_BATCH: usize = 20;

/// One hash chain: `links[0]` is the secret, `links[i] = sha256(links[i-1])`.
/// The anchor is the last link; reveals walk down towards the secret.
pub struct HashChain {
    links: Vec<[u8; 32]>,
    /// Index of the link the registry holds as this validator's anchor.
    anchored: usize,
}

impl HashChain {
    pub fn new(secret: [u8; 32], len: usize) -> HashChain {
        let mut links = Vec::with_capacity(len.max(2));
        links.push(secret);
        while links.len() < len.max(2) {
            let next: [u8; 32] = Sha256::digest(links[links.len() - 1]).into();
            links.push(next);
        }
        let anchored = links.len() - 1;
        HashChain { links, anchored }
    }

    pub fn random() -> HashChain {
        let mut secret = [0u8; 32];
        OsRng.fill_bytes(&mut secret);
        HashChain::new(secret, CHAIN_LINKS)
    }

    /// Hex of the link the registry should hold now.
    pub fn anchor_hex(&self) -> String {
        hex::encode(self.links[self.anchored])
    }

    /// The next preimage to reveal (None: the chain is used up).
    pub fn next_preimage(&self) -> Option<[u8; 32]> {
        self.anchored.checked_sub(1).map(|i| self.links[i])
    }

    /// The registry accepted the next preimage: it is the anchor now.
    pub fn advance(&mut self) {
        self.anchored = self.anchored.saturating_sub(1);
    }
}

/// What the agent keeps between rounds for its beacon duty.
#[derive(Default)]
pub struct BeaconState {
    chain: Option<HashChain>,
    last_attempt: Option<Instant>,
}

/// What the beacon duty uses: the account, this validator's hash chain and
/// the metrics.
pub struct BeaconContext<'a> {
    pub account: &'a AgentAccount,
    pub state: &'a Mutex<BeaconState>,
    pub metrics: &'a Metrics,
}

/// Anchors a chain when the agent has none (or used it up), reveals the
/// next link once per interval, and draws verifiers for jobs whose beacon
/// value exists.
pub async fn beacon_duty(ctx: &BeaconContext<'_>) -> Result<()> {
    let Some(me) = ctx.account.me().await? else {
        return Ok(());
    };
    if !me.has_active_role(Role::Validator) {
        return Ok(());
    }
    let interval = ctx
        .account
        .sm
        .registry()
        .config()
        .await?
        .params
        .duties
        .beacon_interval;
    let due = ctx.state.lock().is_ok_and(|mut s| {
        let due = s
            .last_attempt
            .is_none_or(|t| t.elapsed() >= Duration::from_secs(interval.max(1)));
        if due {
            s.last_attempt = Some(Instant::now());
        }
        due
    });
    if due {
        reveal_or_anchor(ctx).await?;
    }
    draw_ready_jobs(ctx).await
}

async fn reveal_or_anchor(ctx: &BeaconContext<'_>) -> Result<()> {
    // The next step, decided under the lock and carried out after it.
    let step =
        ctx.state.lock().ok().map(
            |mut s| match s.chain.as_ref().and_then(|c| c.next_preimage()) {
                Some(pre) => Err(pre),
                None => {
                    let chain = HashChain::random();
                    let anchor = chain.anchor_hex();
                    s.chain = Some(chain);
                    Ok(anchor)
                }
            },
        );
    match step {
        None => Ok(()),
        Some(Ok(anchor)) => {
            ctx.account
                .registry(&reg::ExecuteMsg::SetBeaconAnchor {
                    anchor: anchor.clone(),
                })
                .await
                .inspect_err(|_| forget_chain(ctx))?;
            tracing::info!(anchor = %anchor, "beacon: anchored a new hash chain");
            Ok(())
        }
        Some(Err(preimage)) => {
            match ctx
                .account
                .registry(&reg::ExecuteMsg::RevealBeacon {
                    preimage: hex::encode(preimage),
                })
                .await
            {
                Ok(out) => {
                    if let Ok(mut s) = ctx.state.lock() {
                        if let Some(c) = s.chain.as_mut() {
                            c.advance();
                        }
                    }
                    ctx.metrics.beacon_reveals.inc();
                    tracing::debug!(tx = %out.hash, "beacon: revealed");
                    Ok(())
                }
                Err(e) => {
                    let text = format!("{e:#}");
                    // Timing refusals pass with time; anything else means the
                    // registry holds another anchor (a restart, a reset by
                    // jailing): anchor afresh next time.
                    let timing = text.contains("one reveal per beacon interval")
                        || text.contains("its first reveal must wait");
                    if timing {
                        tracing::debug!("beacon: not yet ({text})");
                        Ok(())
                    } else {
                        forget_chain(ctx);
                        Err(e.context("revealing the beacon (a new chain is anchored next)"))
                    }
                }
            }
        }
    }
}

fn forget_chain(ctx: &BeaconContext<'_>) {
    if let Ok(mut s) = ctx.state.lock() {
        s.chain = None;
    }
}

/// Whether `job` waits for a draw whose beacon value exists at `seq`.
pub fn draw_ready(job: &Job, seq: u64) -> bool {
    let Some(v) = &job.verification else {
        return false;
    };
    let spot = v.draw_at.is_some_and(|at| at <= seq);
    let voters = v
        .dispute
        .as_ref()
        .and_then(|d| d.draw_at)
        .is_some_and(|at| at <= seq);
    spot || voters
}

async fn draw_ready_jobs(ctx: &BeaconContext<'_>) -> Result<()> {
    let seq = ctx.account.sm.registry().beacon().await?.seq;
    let mut ready = Vec::new();
    for status in [JobStatus::Submitted, JobStatus::Disputed] {
        let page = ctx
            .account
            .sm
            .job_market()
            .jobs_by_status(status, None, Some(100))
            .await?;
        ready.extend(
            page.into_iter()
                .filter(|j| draw_ready(j, seq))
                .map(|j| j.id),
        );
    }
    for ids in ready.chunks(DRAW_BATCH) {
        let out = ctx
            .account
            .market(&jm::ExecuteMsg::DrawVerifiers {
                job_ids: ids.to_vec(),
            })
            .await?;
        tracing::info!(jobs = ?ids, tx = %out.hash, "drew verifiers");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_reveal_hashes_to_the_previous_anchor_down_to_the_secret() {
        let secret = [7u8; 32];
        let mut chain = HashChain::new(secret, 5);
        let mut anchor = hex::decode(chain.anchor_hex()).unwrap();
        let mut revealed = 0;
        while let Some(pre) = chain.next_preimage() {
            assert_eq!(Sha256::digest(pre).to_vec(), anchor);
            chain.advance();
            anchor = hex::decode(chain.anchor_hex()).unwrap();
            revealed += 1;
        }
        assert_eq!(revealed, 4);
        assert_eq!(anchor, secret.to_vec());
    }

    #[test]
    fn two_random_chains_differ() {
        assert_ne!(
            HashChain::random().anchor_hex(),
            HashChain::random().anchor_hex()
        );
    }
}
