//! `starminer-agent run`: the daemon (docs/protocol.md), a few long-lived
//! tasks, each given the context it needs and nothing more:
//!
//! - the SDK's [`BlockFollower`] publishes the heights of new blocks
//!   (WebSocket `NewBlock`, polling as fallback) to the loops below;
//! - the result server ([`crate::server`]) serves chunks, proofs and
//!   `/metrics`;
//! - the provider loop (here) owns the leases and every decision about
//!   them: the market watcher ([`crate::market`]) claims the jobs that fit,
//!   compute tasks ([`crate::compute`]) fetch, run and store a job in the
//!   background and report how it ended, and [`crate::settlement`] sends
//!   the result, answers challenges and settles;
//! - the validator's duties ([`crate::verifier::ValidatorDuties`]: spot
//!   checks, dispute votes, bad-input judging, benchmark attestations and
//!   the beacon) run in a loop of their own on the same heights, with the
//!   state only they use, and see only what they need of the agent
//!   ([`crate::verifier::VerifierContext`]);
//! - upkeep sends registry heartbeats and claims incentive rewards.
//!
//! None of these modules imports this one. The lease's phase is written to
//! the duties database ([`crate::duties`]) before the agent acts on it, so a
//! crash or restart at any point resumes where it stopped:
//!
//! ```text
//! claimed ─▶ fetching ─▶ computing ─▶ computed ─▶ submitted ─▶ settled
//!                │            │            (SubmitResult retried with backoff
//!                │            │             until the lease deadline)
//!                │            └─ kernel/device error ─▶ Abandon ─▶ abandoned (reason logged)
//!                └─ input hash mismatch ─▶ ReportBadInput ─▶ bad_input
//! submitted: open chunk challenges and disputes are answered with Merkle
//! proofs from the result store; past the challenge window the agent settles.
//! ```
//!
//! Forced errors ([`crate::decoy`]): when the market asks for them, a
//! spot-checked result is submitted with a pair of trees (one with a
//! deliberately wrong chunk), the submitted one drawn at random and sealed
//! with a salt persisted in the lease before `SubmitResult` is sent. While
//! submitted, the agent tells its result server which tree the chain
//! designated for the verifiers (nothing is served before the draw), and
//! once every verifier has attested or the challenge window closed it sends
//! `RevealDecoy` (retried with backoff, before the reveal deadline); from
//! then on the true tree and the output are served.
//!
//! Replicated (commit–reveal) jobs take the same path up to `computed`; the
//! result is then sent in two steps:
//!
//! ```text
//! computed ─▶ committed ─▶ submitted ─▶ settled
//!  (CommitResult,  (status Revealing:   (the last reveal settles; past the
//!   derived salt)    RevealResult)        reveal window the agent settles)
//! ```
//!
//! A replicated job that goes back to Open (no majority) or fails ends the
//! lease; a reveal the chain already holds (restart) is adopted.
//!
//! SIGTERM/SIGINT stops claiming, lets running kernels finish (their results
//! are stored and submitted) and the validator's verifications end, then
//! exits; a kill -9 loses at most the kernel time of the jobs in flight,
//! which restart from their input.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use starminer_client::BlockFollower;
use tokio::sync::watch;
use tokio::task::{JoinError, JoinSet};
use tokio_util::sync::CancellationToken;

use crate::account::AgentAccount;
use crate::compute::{compute, ComputeContext, ComputeOutcome};
use crate::config::{AgentConfig, RoleName};
use crate::duties::{DutyDb, Lease, Phase};
use crate::executor::Executor;
use crate::filter::DeviceCaps;
use crate::market::MarketWatcher;
use crate::metrics::Metrics;
use crate::now_unix;
use crate::pace::{backoff, Pace};
use crate::results::ResultStore;
use crate::settlement::Settlement;
use crate::verifier::{ValidatorDuties, VerifierContext};

/// Fetch attempts before a job whose input cannot be downloaded is abandoned.
const MAX_FETCH_ATTEMPTS: u32 = 3;

/// The agent's parts, opened from its configuration; [`Agent::run`] hands
/// each task the ones it needs.
pub struct Agent {
    pub config: AgentConfig,
    pub account: AgentAccount,
    pub duties: Arc<DutyDb>,
    pub results: Arc<ResultStore>,
    pub exec: Arc<Executor>,
    pub devices: Vec<DeviceCaps>,
    pub metrics: Arc<Metrics>,
}

impl Agent {
    pub fn open(config: AgentConfig) -> Result<Agent> {
        // Logs the test-only warning at start in a cheating test process.
        #[cfg(feature = "test-cheat")]
        crate::cheat::active();
        Ok(Agent {
            account: AgentAccount::connect(&config)?,
            duties: Arc::new(DutyDb::open(&config.db_path())?),
            results: Arc::new(ResultStore::open(config.results_dir())?),
            exec: Arc::new(Executor::open_all()?),
            devices: usable_devices(config.agent.device)?,
            metrics: Arc::new(Metrics::new()),
            config,
        })
    }

    /// Runs the tasks until `shutdown` is cancelled, then drains (see the
    /// module docs).
    pub async fn run(self, shutdown: CancellationToken) -> Result<()> {
        let Agent {
            config,
            account,
            duties,
            results,
            exec,
            devices,
            metrics,
        } = self;
        tracing::info!(address = %account.address(), zone = %config.provider.zone, roles = ?config.provider.roles, "agent starting");
        let listener = tokio::net::TcpListener::bind(config.server.listen)
            .await
            .with_context(|| format!("binding the result server to {}", config.server.listen))?;
        let server = tokio::spawn(crate::server::serve_daemon(
            results.clone(),
            metrics.clone(),
            duties.clone(),
            listener,
        ));
        tracing::info!(listen = %config.server.listen, public = %config.server.public_url, "result server up (/results, /metrics, /agent/status)");

        let (height_tx, heights) = watch::channel(0u64);
        let poll = Duration::from_secs(config.agent.poll_seconds);
        let follower =
            tokio::spawn(BlockFollower::new(account.client().clone(), poll).publish(height_tx));

        let validator = config.has_role(RoleName::Validator).then(|| {
            let duties = ValidatorDuties::new(VerifierContext {
                account: account.clone(),
                duties: duties.clone(),
                exec: exec.clone(),
                device: devices.first().map_or(0, |d| d.index),
                max_input_bytes: config.agent.max_input_bytes,
                samples: config.agent.verifier_samples,
                metrics: metrics.clone(),
            });
            tokio::spawn(duties.run(heights.clone(), poll, shutdown.clone()))
        });
        let upkeep = tokio::spawn(upkeep(
            account.clone(),
            metrics.clone(),
            Duration::from_secs(config.agent.heartbeat_seconds),
            poll,
            shutdown.clone(),
        ));

        let provider = ProviderLoop {
            account: account.clone(),
            duties: duties.clone(),
            metrics: metrics.clone(),
            claims: config.has_role(RoleName::Provider),
            concurrency: config.agent.concurrency,
            market: MarketWatcher::new(
                account.clone(),
                duties.clone(),
                devices,
                config.prices.clone(),
                config.agent.max_input_bytes,
                metrics.clone(),
            ),
            settlement: Settlement {
                account: account.clone(),
                duties: duties.clone(),
                results: results.clone(),
                metrics: metrics.clone(),
                public_url: config.server.public_url.clone(),
            },
            compute: ComputeContext {
                account,
                duties: duties.clone(),
                results,
                exec,
                max_input_bytes: config.agent.max_input_bytes,
                metrics,
            },
            computing: JoinSet::new(),
            busy: HashMap::new(),
        };
        provider.run(heights, poll, &shutdown).await;
        if let Some(validator) = validator {
            if let Err(e) = validator.await {
                tracing::error!("the validator's duties ended abnormally: {e}");
            }
        }
        let _ = upkeep.await;
        follower.abort();
        server.abort();
        let left: Vec<String> = duties
            .active_leases()?
            .iter()
            .map(|l| format!("{}:{}", l.job_id, l.phase.name()))
            .collect();
        tracing::info!(leases = ?left, "stopped; state saved");
        Ok(())
    }
}

/// The OpenCL devices the agent computes on: every one, or only
/// `agent.device`.
fn usable_devices(only: Option<usize>) -> Result<Vec<DeviceCaps>> {
    let mut devices: Vec<DeviceCaps> = crate::devices::discover()
        .iter()
        .map(DeviceCaps::from)
        .collect();
    if let Some(only) = only {
        devices.retain(|d| d.index == only);
        if devices.is_empty() {
            bail!("agent.device = {only}, but there is no such device (see `starminer-agent devices`)");
        }
    }
    Ok(devices)
}

/// The loop that owns the provider's leases: it claims through the market
/// watcher, starts a compute task per claimed lease and decides what each
/// task's outcome leads to, and moves submitted leases on through
/// settlement.
struct ProviderLoop {
    account: AgentAccount,
    duties: Arc<DutyDb>,
    metrics: Arc<Metrics>,
    /// Whether this agent claims jobs (the provider role).
    claims: bool,
    /// Jobs computed at the same time (`agent.concurrency`).
    concurrency: usize,
    market: MarketWatcher,
    settlement: Settlement,
    compute: ComputeContext,
    /// Compute tasks in flight.
    computing: JoinSet<Result<ComputeOutcome>>,
    /// The job of each compute task in flight.
    busy: HashMap<tokio::task::Id, u64>,
}

impl ProviderLoop {
    /// Runs a round on every new block (and at least every `poll`) and on
    /// every compute outcome, until `shutdown`; then lets the running
    /// kernels finish and submits what they computed.
    async fn run(
        mut self,
        heights: watch::Receiver<u64>,
        poll: Duration,
        shutdown: &CancellationToken,
    ) {
        if let Err(e) = self.market.adopt_orphans().await {
            tracing::warn!("could not compare leases with the chain yet: {e:#}");
        }
        let mut pace = Pace::new(heights, poll);
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => break,
                _ = pace.tick() => {}
                Some(done) = self.computing.join_next_with_id() => self.finished(done).await,
            }
            self.metrics.chain_height.set(pace.height() as i64);
            let round = self.round(false).await;
            if !pace.after("round", round, &self.metrics, shutdown).await {
                break;
            }
        }

        tracing::info!(
            running = self.busy.len(),
            "stopping: no new claims; waiting for running jobs to finish"
        );
        while let Some(done) = self.computing.join_next_with_id().await {
            self.finished(done).await;
        }
        // One last pass submits what could not be submitted at once.
        if let Err(e) = self.round(true).await {
            tracing::warn!("final submission round: {e:#} (the results stay stored and are submitted after a restart)");
        }
    }

    fn is_busy(&self, job_id: u64) -> bool {
        self.busy.values().any(|j| *j == job_id)
    }

    /// One pass over the leases, then (unless `draining`) claims.
    async fn round(&mut self, draining: bool) -> Result<()> {
        let (_, block_time) = self.account.head().await?;
        for listed in self.duties.active_leases()? {
            if self.is_busy(listed.job_id) {
                continue;
            }
            // An earlier step of this round may have moved the lease on:
            // act on it as it is now.
            let Some(lease) = self.duties.lease(listed.job_id)? else {
                continue;
            };
            if lease.phase.is_terminal() {
                continue;
            }
            if lease.attempts > 0
                && now_unix() < lease.updated_at + backoff(lease.attempts).as_secs()
            {
                continue;
            }
            let job_id = lease.job_id;
            let r = match lease.phase {
                Phase::Claimed | Phase::Fetching | Phase::Computing => {
                    if !draining {
                        self.spawn_compute(lease);
                    }
                    Ok(())
                }
                Phase::Applied => self.market.follow_application(&lease, block_time).await,
                Phase::Computed => self.settlement.submit(&lease, block_time).await,
                Phase::Committed => self.settlement.reveal(&lease, block_time).await,
                Phase::Submitted if lease.replicated => {
                    self.settlement.follow_replicated(&lease, block_time).await
                }
                Phase::Submitted => self.settlement.follow_submitted(&lease, block_time).await,
                _ => Ok(()),
            };
            if let Err(e) = r {
                self.metrics.error("lease");
                let n = self.duties.record_failure(job_id, &format!("{e:#}"))?;
                tracing::warn!(job = job_id, attempt = n, "{e:#}");
            }
        }
        self.metrics.set_jobs(&self.duties.leases()?);
        if draining || !self.claims {
            return Ok(());
        }
        let free = self.concurrency.saturating_sub(self.busy.len());
        for lease in self.market.claim_jobs(free, block_time).await? {
            self.spawn_compute(lease);
        }
        Ok(())
    }

    fn spawn_compute(&mut self, lease: Lease) {
        let job_id = lease.job_id;
        if self.is_busy(job_id) {
            return;
        }
        let ctx = self.compute.clone();
        let task = self
            .computing
            .spawn(async move { compute(&ctx, &lease).await });
        self.busy.insert(task.id(), job_id);
    }

    /// A compute task ended: acts on its outcome; a failure is recorded in
    /// the lease and retried with backoff by a later round.
    async fn finished(
        &mut self,
        done: Result<(tokio::task::Id, Result<ComputeOutcome>), JoinError>,
    ) {
        let (task, outcome) = match done {
            Ok((task, outcome)) => (task, outcome),
            Err(e) => (e.id(), Err(anyhow!("compute task: {e}"))),
        };
        let Some(job_id) = self.busy.remove(&task) else {
            return;
        };
        let r = match outcome {
            Ok(outcome) => self.decide(job_id, outcome).await,
            Err(e) => Err(e),
        };
        if let Err(e) = r {
            self.metrics.error("compute");
            let _ = self.duties.record_failure(job_id, &format!("{e:#}"));
            tracing::warn!(job = job_id, "{e:#}");
        }
    }

    /// What a compute outcome leads to: a computed result is submitted at
    /// once; a bad input is reported; a job this agent cannot run, or whose
    /// input stays unavailable, is abandoned.
    async fn decide(&mut self, job_id: u64, outcome: ComputeOutcome) -> Result<()> {
        match outcome {
            ComputeOutcome::Computed(stored) => {
                let lease = self.settlement.record_computed(job_id, &stored)?;
                let (_, block_time) = self.account.head().await?;
                self.settlement.submit(&lease, block_time).await
            }
            ComputeOutcome::NoLongerOurs(status) => self.settlement.drop_lost(job_id, &status),
            ComputeOutcome::BadInput(e) => {
                tracing::warn!(job = job_id, "{e}; reporting bad input");
                self.settlement.report_bad_input(job_id).await
            }
            ComputeOutcome::InputUnavailable(e) => {
                let e = anyhow::Error::from(e);
                let attempts = self.duties.lease(job_id)?.map_or(0, |l| l.attempts);
                if attempts + 1 >= MAX_FETCH_ATTEMPTS {
                    return self
                        .settlement
                        .abandon(job_id, format!("input unavailable: {e:#}"))
                        .await;
                }
                Err(e.context("fetching the input"))
            }
            ComputeOutcome::KernelFailed(e) => {
                // Kernel build or device error: this agent cannot run it.
                self.metrics.error("kernel");
                self.settlement.abandon(job_id, format!("{e:#}")).await
            }
        }
    }
}

/// Registry heartbeats and incentive rewards, each every `every` (a failed
/// heartbeat is tried again after `poll`), until `shutdown`.
async fn upkeep(
    account: AgentAccount,
    metrics: Arc<Metrics>,
    every: Duration,
    poll: Duration,
    shutdown: CancellationToken,
) {
    let due = |last: Option<Instant>| last.is_none_or(|t| t.elapsed() >= every);
    let mut last_heartbeat: Option<Instant> = None;
    let mut last_rewards: Option<Instant> = None;
    loop {
        if due(last_heartbeat) {
            match account.heartbeat().await {
                Ok(()) => last_heartbeat = Some(Instant::now()),
                Err(e) => {
                    metrics.error("heartbeat");
                    tracing::warn!("heartbeat: {e:#}");
                }
            }
        }
        if due(last_rewards) {
            last_rewards = Some(Instant::now());
            match account.claim_rewards().await {
                Ok(0) => {}
                Ok(uagpu) => {
                    metrics
                        .rewards_uagpu
                        .inc_by(u64::try_from(uagpu).unwrap_or(u64::MAX));
                    tracing::info!(uagpu, "claimed incentive rewards");
                }
                Err(e) => {
                    metrics.error("rewards");
                    tracing::warn!("claiming rewards: {e:#}");
                }
            }
        }
        tokio::select! {
            _ = shutdown.cancelled() => break,
            _ = tokio::time::sleep(poll) => {}
        }
    }
}
