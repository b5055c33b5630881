//! `starminer-agent run`: the daemon (docs/protocol.md).
//!
//! A few long-lived tasks: the SDK's block follower (WebSocket NewBlock
//! subscription, polling as fallback) wakes the reconcile loop; the result
//! server serves chunks, proofs and `/metrics`; compute and verifier tasks
//! run jobs in the background. The reconcile loop decides what to claim,
//! answer, reveal and settle; a compute task carries its own job from
//! fetching to its result message (`SubmitResult` or `CommitResult`; or
//! `Abandon`, `ReportBadInput`). Both write
//! the lease's phase to the duties database ([`crate::duties`]) before
//! acting, so a crash or restart at any point resumes where it stopped:
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
//! The validator's duties ([`crate::verifier::ValidatorDuties`]: spot
//! checks, dispute votes, bad-input judging, benchmark attestations and the
//! beacon) are owned by the run loop with the state only they use, and see
//! only what they need of the agent ([`crate::verifier::VerifierContext`],
//! [`crate::beacon::BeaconContext`]); neither module imports this one.
//!
//! SIGTERM/SIGINT stops claiming, lets running kernels finish (their results
//! are stored and submitted), then exits; a kill -9 loses at most the kernel
//! time of the jobs in flight, which restart from their input.

use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use rand_core::{OsRng, RngCore};
use starminer_client::BlockFollower;
use starminer_interfaces::job_market::{self as jm, decoy_index, Job, JobStatus};
use starminer_interfaces::market::VerificationMode;
use starminer_interfaces::registry::{ProviderStatus, Role};
use starminer_templates::by_id;
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::account::AgentAccount;
use crate::config::{AgentConfig, RoleName};
use crate::decoy::{self, DecoySeal, DecoyView, Tree};
use crate::duties::{DutyDb, Lease, Phase, SubmittedResult};
use crate::executor::Executor;
use crate::fetch::{job_input, FetchError};
use crate::filter::{self, DeviceCaps, Refusal};
use crate::metrics::Metrics;
use crate::now_unix;
use crate::results::{NewResult, ResultStore, StoredResult};
use crate::verifier::{ValidatorDuties, VerifierContext};

/// Fetch attempts before a job whose input cannot be downloaded is abandoned.
const MAX_FETCH_ATTEMPTS: u32 = 3;
/// Longest backoff between retries of one lease's chain action.
const MAX_BACKOFF: Duration = Duration::from_secs(60);

/// Everything the daemon's tasks share.
pub struct Agent {
    pub config: AgentConfig,
    pub account: AgentAccount,
    pub duties: Arc<DutyDb>,
    pub results: Arc<ResultStore>,
    pub exec: Arc<Executor>,
    pub devices: Vec<DeviceCaps>,
    pub metrics: Arc<Metrics>,
    /// Jobs with a compute task in flight.
    busy: Mutex<HashSet<u64>>,
    /// Open jobs already refused (logged once).
    refused: Mutex<HashSet<u64>>,
}

/// Result id of a job's output in the store.
pub fn result_id(job_id: u64) -> String {
    format!("job-{job_id}")
}

/// Backoff before retry `attempts` (1, 2, 4 … seconds, capped).
pub fn backoff(attempts: u32) -> Duration {
    Duration::from_secs(1u64 << attempts.min(6)).min(MAX_BACKOFF)
}

impl Agent {
    pub fn open(config: AgentConfig) -> Result<Agent> {
        let account = AgentAccount::connect(&config)?;
        let duties = Arc::new(DutyDb::open(&config.db_path())?);
        let results = Arc::new(ResultStore::open(config.results_dir())?);
        let exec = Arc::new(Executor::open_all()?);
        let mut devices: Vec<DeviceCaps> = crate::devices::discover()
            .iter()
            .map(DeviceCaps::from)
            .collect();
        if let Some(only) = config.agent.device {
            devices.retain(|d| d.index == only);
            if devices.is_empty() {
                bail!("agent.device = {only}, but there is no such device (see `starminer-agent devices`)");
            }
        }
        // Logs the test-only warning at start in a cheating test process.
        #[cfg(feature = "test-cheat")]
        crate::cheat::active();
        Ok(Agent {
            config,
            account,
            duties,
            results,
            exec,
            devices,
            metrics: Arc::new(Metrics::new()),
            busy: Mutex::new(HashSet::new()),
            refused: Mutex::new(HashSet::new()),
        })
    }

    /// What verifier duties need of the agent (shared handles: cheap).
    fn verifier_context(&self) -> VerifierContext {
        VerifierContext {
            account: self.account.clone(),
            duties: self.duties.clone(),
            exec: self.exec.clone(),
            device: self.devices.first().map_or(0, |d| d.index),
            max_input_bytes: self.config.agent.max_input_bytes,
            samples: self.config.agent.verifier_samples,
            metrics: self.metrics.clone(),
        }
    }

    fn is_busy(&self, job_id: u64) -> bool {
        self.busy
            .lock()
            .map(|b| b.contains(&job_id))
            .unwrap_or(true)
    }

    fn busy_count(&self) -> usize {
        self.busy.lock().map(|b| b.len()).unwrap_or(usize::MAX)
    }

    /// Runs until `shutdown` is cancelled, then drains (see the module docs).
    pub async fn run(self: Arc<Self>, shutdown: CancellationToken) -> Result<()> {
        let me = self.account.address().to_string();
        tracing::info!(address = %me, zone = %self.config.provider.zone, roles = ?self.config.provider.roles, "agent starting");
        let listener = tokio::net::TcpListener::bind(self.config.server.listen)
            .await
            .with_context(|| {
                format!("binding the result server to {}", self.config.server.listen)
            })?;
        let server = tokio::spawn(crate::server::serve_with_metrics(
            self.results.clone(),
            self.metrics.clone(),
            listener,
        ));
        tracing::info!(listen = %self.config.server.listen, public = %self.config.server.public_url, "result server up (/results, /metrics)");

        let (height_tx, mut height_rx) = watch::channel(0u64);
        let poll = Duration::from_secs(self.config.agent.poll_seconds);
        let follower = tokio::spawn(
            BlockFollower::new(self.account.client().clone(), poll).publish(height_tx),
        );

        if let Err(e) = self.adopt_orphans().await {
            tracing::warn!("could not compare leases with the chain yet: {e:#}");
        }

        let mut tasks: JoinSet<()> = JoinSet::new();
        let mut validator = self
            .config
            .has_role(RoleName::Validator)
            .then(|| ValidatorDuties::new(self.verifier_context()));
        let mut last_heartbeat: Option<Instant> = None;
        let mut last_rewards: Option<Instant> = None;
        let mut failures = 0u32;
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => break,
                changed = height_rx.changed() => {
                    if changed.is_err() {
                        tokio::time::sleep(poll).await;
                    }
                }
                _ = tokio::time::sleep(poll) => {}
                Some(_) = tasks.join_next() => {}
            }
            let height = *height_rx.borrow();
            self.metrics.chain_height.set(height as i64);
            match self.round(&mut tasks, validator.as_mut(), false).await {
                Ok(()) => failures = 0,
                Err(e) => {
                    failures += 1;
                    self.metrics.error("chain");
                    let wait = backoff(failures);
                    tracing::warn!("round failed ({e:#}); retrying in {}s", wait.as_secs());
                    tokio::select! {
                        _ = shutdown.cancelled() => break,
                        _ = tokio::time::sleep(wait) => {}
                    }
                    continue;
                }
            }
            let due = |last: Option<Instant>, every: u64| {
                last.is_none_or(|t| t.elapsed() >= Duration::from_secs(every))
            };
            if due(last_heartbeat, self.config.agent.heartbeat_seconds) {
                match self.heartbeat().await {
                    Ok(()) => last_heartbeat = Some(Instant::now()),
                    Err(e) => {
                        self.metrics.error("heartbeat");
                        tracing::warn!("heartbeat: {e:#}");
                    }
                }
            }
            if due(last_rewards, self.config.agent.heartbeat_seconds) {
                last_rewards = Some(Instant::now());
                if let Err(e) = self.claim_rewards().await {
                    self.metrics.error("rewards");
                    tracing::warn!("claiming rewards: {e:#}");
                }
            }
        }

        tracing::info!(
            running = self.busy_count(),
            "stopping: no new claims; waiting for running jobs to finish"
        );
        while tasks.join_next().await.is_some() {}
        // One last pass submits what the running jobs computed.
        if let Err(e) = self.round(&mut tasks, None, true).await {
            tracing::warn!("final submission round: {e:#} (the results stay stored and are submitted after a restart)");
        }
        while tasks.join_next().await.is_some() {}
        follower.abort();
        server.abort();
        let left: Vec<String> = self
            .duties
            .active_leases()?
            .iter()
            .map(|l| format!("{}:{}", l.job_id, l.phase.name()))
            .collect();
        tracing::info!(leases = ?left, "stopped; state saved");
        Ok(())
    }

    /// Jobs this address holds on chain (assigned, no result yet) that the
    /// database does not know: a claim whose transaction committed but whose
    /// lease record was not written (crash in between). They are adopted.
    async fn adopt_orphans(&self) -> Result<()> {
        let me = self.account.address().to_string();
        for job in self.account.my_jobs().await? {
            // A replicated job stays Open until all its slots are taken.
            let held = matches!(job.status, JobStatus::Assigned | JobStatus::Open);
            if held && self.duties.lease(job.id)?.is_none() {
                if is_applicant(&job, &me) {
                    tracing::warn!(
                        job = job.id,
                        "adopting a replica application missing from the database"
                    );
                    let mut lease = self.record_claim(&job, job.spec.deadline.seconds())?;
                    lease.phase = Phase::Applied;
                    self.duties.put_lease(&lease)?;
                } else if let Some(slot) = job.slots.iter().find(|s| s.provider.as_str() == me) {
                    if slot.result.is_none() && slot.commitment.is_none() {
                        tracing::warn!(
                            job = job.id,
                            "adopting a claimed job missing from the database"
                        );
                        self.record_claim(&job, slot.lease_deadline.seconds())?;
                    }
                }
            }
        }
        Ok(())
    }

    fn record_claim(&self, job: &Job, lease_deadline: u64) -> Result<Lease> {
        let template = by_id(&job.spec.template)?;
        let params = template.parse_params(&filter::params_text(job))?;
        let device = self
            .devices
            .iter()
            .max_by_key(|d| d.global_memory_bytes)
            .map_or(0, |d| d.index);
        let lease = Lease {
            job_id: job.id,
            template: job.spec.template.clone(),
            params: params.canonical(),
            device,
            units: job.units.u128(),
            payout: job.quote.compute_cost.u128(),
            lease_deadline,
            phase: Phase::Claimed,
            result: None,
            replicated: matches!(job.spec.verification, VerificationMode::Replicated { .. }),
            attempts: 0,
            last_error: None,
            updated_at: 0,
        };
        self.duties.put_lease(&lease)?;
        Ok(lease)
    }

    /// One pass over everything: leases, claims, verifier duties.
    /// One pass over the leases, then (unless `draining`) claims and the
    /// validator's duties.
    async fn round(
        self: &Arc<Self>,
        tasks: &mut JoinSet<()>,
        validator: Option<&mut ValidatorDuties>,
        draining: bool,
    ) -> Result<()> {
        let (_, block_time) = self.account.head().await?;
        for listed in self.duties.active_leases()? {
            if self.is_busy(listed.job_id) {
                continue;
            }
            // A compute task may have finished (and moved the lease on)
            // since the list was read: act on the lease as it is now.
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
                    if draining {
                        Ok(())
                    } else {
                        self.spawn_compute(tasks, lease);
                        Ok(())
                    }
                }
                Phase::Applied => self.follow_application(&lease, block_time).await,
                Phase::Computed => self.submit(&lease, block_time).await,
                Phase::Committed => self.reveal(&lease, block_time).await,
                Phase::Submitted if lease.replicated => {
                    self.follow_replicated(&lease, block_time).await
                }
                Phase::Submitted => self.follow_submitted(&lease, block_time).await,
                _ => Ok(()),
            };
            if let Err(e) = r {
                self.metrics.error("lease");
                let n = self.duties.record_failure(job_id, &format!("{e:#}"))?;
                tracing::warn!(job = job_id, attempt = n, "{e:#}");
            }
        }
        self.metrics.set_jobs(&self.duties.leases()?);
        if draining {
            return Ok(());
        }
        if self.config.has_role(RoleName::Provider) {
            self.claim_jobs(tasks, block_time).await?;
        }
        if let Some(validator) = validator {
            validator.round(tasks).await?;
        }
        Ok(())
    }

    async fn heartbeat(&self) -> Result<()> {
        if self.account.me().await?.is_some() {
            self.account
                .registry(&starminer_interfaces::registry::ExecuteMsg::Heartbeat {})
                .await?;
        }
        Ok(())
    }

    async fn claim_rewards(&self) -> Result<()> {
        let inc = self.account.sm.incentives();
        let pending = inc.pending_rewards(self.account.address()).await?;
        if !pending.amount.is_zero() {
            inc.claim(&self.account.wallet).await?;
            self.metrics
                .rewards_uagpu
                .inc_by(u64::try_from(pending.amount.u128()).unwrap_or(u64::MAX));
            tracing::info!(uagpu = %pending.amount, "claimed incentive rewards");
        }
        Ok(())
    }

    // ---- claiming ---------------------------------------------------------

    async fn claim_jobs(self: &Arc<Self>, tasks: &mut JoinSet<()>, block_time: u64) -> Result<()> {
        let free = self
            .config
            .agent
            .concurrency
            .saturating_sub(self.busy_count());
        if free == 0 {
            return Ok(());
        }
        let Some(me) = self.account.me().await? else {
            tracing::debug!("not registered: run `starminer-agent register`");
            return Ok(());
        };
        if me.status != ProviderStatus::Active || !me.has_active_role(Role::Provider) {
            tracing::debug!(status = ?me.status, "provider role not active; not claiming");
            return Ok(());
        }
        let routes: BTreeMap<String, jm::SpillRoute> = self
            .account
            .spill_routes(&me.zone)
            .await?
            .into_iter()
            .map(|r| (r.from, r.route))
            .collect();
        let lease_rule = self.account.lease_rule().await?;
        let mut jobs = self.account.open_jobs(200).await?;
        // The market's order: most urgent first, then oldest.
        jobs.sort_by_key(|j| (std::cmp::Reverse(j.spec.requirements.urgency), j.id));
        let mut templates: BTreeMap<String, Option<jm::Template>> = BTreeMap::new();
        let mut claimed = 0;
        for job in jobs {
            if claimed >= free {
                break;
            }
            if self.duties.lease(job.id)?.is_some() || job.tier > me.tier {
                continue;
            }
            if !job.takes_replica_applications(cosmwasm_std::Timestamp::from_seconds(block_time)) {
                // Its slots wait for their draw among those who applied.
                continue;
            }
            let zone = &job.spec.requirements.zone;
            if *zone != me.zone {
                let age = block_time.saturating_sub(job.submitted_at.seconds());
                let allowed = routes
                    .get(zone)
                    .is_some_and(|r| r.latency <= job.spec.requirements.latency && age >= r.delay);
                if !allowed {
                    continue;
                }
            }
            let id = job.spec.template.clone();
            if !templates.contains_key(&id) {
                templates.insert(id.clone(), self.account.template(&id).await?);
            }
            let Some(Some(chain_template)) = templates.get(&id) else {
                continue;
            };
            let accepted = match filter::evaluate(
                &job,
                chain_template,
                &self.devices,
                &self.config.prices,
                self.config.agent.max_input_bytes,
            )
            .and_then(|a| {
                filter::check_time_left(&job, chain_template, &lease_rule, block_time).map(|()| a)
            }) {
                Ok(a) => a,
                Err(refusal) => {
                    self.log_refusal(job.id, &refusal);
                    continue;
                }
            };
            match self
                .account
                .market(&jm::ExecuteMsg::Claim { job_id: job.id })
                .await
            {
                Ok(_) => {
                    self.metrics.claims.inc();
                    let after = self.account.job(job.id).await?;
                    if is_applicant(&after, self.account.address()) {
                        // Drawn slots: this was an application.
                        let mut lease = self.record_claim(&after, job.spec.deadline.seconds())?;
                        lease.device = accepted.device;
                        lease.phase = Phase::Applied;
                        self.duties.put_lease(&lease)?;
                        let draw = after.replica_draw.as_ref();
                        tracing::info!(
                            job = job.id,
                            template = %id,
                            apply_until = draw.map(|d| d.apply_until.seconds()),
                            draw_at = draw.map(|d| d.draw_at),
                            "applied for a replica slot"
                        );
                        claimed += 1;
                        continue;
                    }
                    let deadline = after
                        .slots
                        .iter()
                        .find(|s| s.provider.as_str() == self.account.address())
                        .map_or(job.spec.deadline.seconds(), |s| s.lease_deadline.seconds());
                    let mut lease = self.record_claim(&after, deadline)?;
                    lease.device = accepted.device;
                    self.duties.put_lease(&lease)?;
                    tracing::info!(job = job.id, template = %id, units = accepted.units, device = accepted.device, lease_deadline = deadline, "claimed");
                    claimed += 1;
                    self.spawn_compute(tasks, lease);
                }
                Err(e) => {
                    // Lost a race, or the chain said no: look at the job.
                    match self.account.job(job.id).await {
                        Ok(now) if now.status != JobStatus::Open => {
                            self.metrics.claims_lost.inc();
                            tracing::info!(job = job.id, status = ?now.status, "another provider claimed it first");
                        }
                        _ => {
                            self.metrics.error("claim");
                            tracing::warn!(job = job.id, "claim failed: {e:#}");
                            self.log_refusal(
                                job.id,
                                &Refusal::NotOpen(format!("claim failed: {e}")),
                            );
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// An application for a drawn replica slot: once seated, the lease gets
    /// the slot's deadline and computing starts on the next round; while the
    /// draw is due, the agent asks for it itself (anyone may); drawn out, the
    /// lease ends (the market released the collateral).
    async fn follow_application(&self, lease: &Lease, block_time: u64) -> Result<()> {
        let job_id = lease.job_id;
        let job = self.account.job(job_id).await?;
        let me = self.account.address();
        if let Some(slot) = job.slots.iter().find(|s| s.provider.as_str() == me) {
            let mut seated = lease.clone();
            seated.lease_deadline = slot.lease_deadline.seconds();
            seated.phase = Phase::Claimed;
            self.duties.put_lease(&seated)?;
            tracing::info!(
                job = job_id,
                lease_deadline = seated.lease_deadline,
                "drawn for a replica slot"
            );
            return Ok(());
        }
        let Some(draw) = job.replica_draw.as_ref().filter(|_| is_applicant(&job, me)) else {
            self.metrics.claims_lost.inc();
            tracing::info!(job = job_id, status = ?job.status, "not drawn for a replica slot; collateral released");
            self.duties.set_phase(
                job_id,
                Phase::Ended {
                    status: format!("not drawn ({:?})", job.status),
                },
            )?;
            return Ok(());
        };
        if block_time > draw.apply_until.seconds() && draw.applicants.len() >= job.open_slots() {
            let seq = self.account.sm.registry().beacon().await?.seq;
            if seq >= draw.draw_at {
                let out = self
                    .account
                    .market(&jm::ExecuteMsg::DrawVerifiers {
                        job_ids: vec![job_id],
                    })
                    .await?;
                tracing::info!(job = job_id, tx = %out.hash, "drew the replica slots");
            }
        }
        Ok(())
    }

    fn log_refusal(&self, job_id: u64, refusal: &Refusal) {
        if let Ok(mut seen) = self.refused.lock() {
            if seen.insert(job_id) {
                tracing::info!(job = job_id, "not claiming: {refusal}");
            }
        }
    }

    // ---- computing --------------------------------------------------------

    fn spawn_compute(self: &Arc<Self>, tasks: &mut JoinSet<()>, lease: Lease) {
        let job_id = lease.job_id;
        if let Ok(mut busy) = self.busy.lock() {
            if !busy.insert(job_id) {
                return;
            }
        }
        let agent = self.clone();
        tasks.spawn(async move {
            let r = agent.compute(lease).await;
            if let Err(e) = r {
                agent.metrics.error("compute");
                let _ = agent.duties.record_failure(job_id, &format!("{e:#}"));
                tracing::warn!(job = job_id, "{e:#}");
            }
            if let Ok(mut busy) = agent.busy.lock() {
                busy.remove(&job_id);
            }
        });
    }

    /// Fetch, run, store; then submit at once.
    async fn compute(self: &Arc<Self>, lease: Lease) -> Result<()> {
        let job_id = lease.job_id;
        let job = self.account.job(job_id).await?;
        if !self.holds_unsent_slot(&job) {
            tracing::info!(job = job_id, status = ?job.status, "job is no longer ours; dropping it");
            self.duties.set_phase(
                job_id,
                Phase::Ended {
                    status: format!("{:?}", job.status),
                },
            )?;
            return Ok(());
        }
        let template = by_id(&lease.template)?;
        let info = template.info();
        let params = template.parse_params(&lease.params)?;
        let id = result_id(job_id);
        let stored = match self.results.get(&id) {
            // Computed before a restart: reuse it.
            Some(r) => r,
            None => {
                self.duties.set_phase(job_id, Phase::Fetching)?;
                let input =
                    match job_input(&job.spec.input, self.config.agent.max_input_bytes).await {
                        Ok(input) => input,
                        Err(e @ FetchError::HashMismatch { .. }) => {
                            tracing::warn!(job = job_id, "{e}; reporting bad input");
                            self.account
                                .market(&jm::ExecuteMsg::ReportBadInput { job_id })
                                .await?;
                            self.duties.set_phase(job_id, Phase::BadInput)?;
                            return Ok(());
                        }
                        Err(e) => {
                            let e = anyhow::Error::from(e);
                            let lease = self.duties.lease(job_id)?.unwrap_or(lease);
                            if lease.attempts + 1 >= MAX_FETCH_ATTEMPTS {
                                self.abandon(job_id, format!("input unavailable: {e:#}"))
                                    .await?;
                                return Ok(());
                            }
                            return Err(e.context("fetching the input"));
                        }
                    };
                self.duties.set_phase(job_id, Phase::Computing)?;
                let exec = self.exec.clone();
                let device = lease.device;
                let p = params.clone();
                let run =
                    tokio::task::spawn_blocking(move || exec.run(device, template, &p, &input))
                        .await
                        .map_err(|e| anyhow!("kernel task: {e}"))?;
                #[cfg_attr(not(feature = "test-cheat"), allow(unused_mut))]
                let mut out = match run {
                    Ok(out) => out,
                    Err(e) => {
                        // Kernel build or device error: this agent cannot run it.
                        self.metrics.error("kernel");
                        self.abandon(job_id, format!("{e:#}")).await?;
                        return Ok(());
                    }
                };
                #[cfg(feature = "test-cheat")]
                crate::cheat::apply(&mut out, info.chunk_size);
                self.metrics
                    .computed(info.id, lease.units, out.run_time.as_secs_f64());
                self.results.put(NewResult {
                    id: &id,
                    template: info.id,
                    params: &params.canonical(),
                    kernel_sha256: &info.kernel_sha256_hex(),
                    chunk_size: info.chunk_size,
                    device: &out.device,
                    output: &out.data,
                    tree: &out.tree,
                    preview_png: out.preview_png.as_deref(),
                })?
            }
        };
        let mut lease = self.duties.lease(job_id)?.context("lease vanished")?;
        let sealed = lease.result.as_ref().and_then(|r| r.decoy.clone());
        lease.result = Some(SubmittedResult {
            result_id: id.clone(),
            root: stored.meta.root.clone(),
            chunk_count: stored.meta.chunk_count,
            output_size: stored.meta.output_size,
            output_uri: format!(
                "{}/results/{id}",
                self.config.server.public_url.trim_end_matches('/')
            ),
            decoy: None,
        });
        if let (Some(seal), Some(r)) = (sealed, lease.result.as_mut()) {
            // Sealed before a restart: keep the seal and the root it chose.
            r.root = seal.submitted_root().to_string();
            r.decoy = Some(seal);
        }
        lease.phase = Phase::Computed;
        lease.attempts = 0;
        lease.last_error = None;
        self.duties.put_lease(&lease)?;
        tracing::info!(job = job_id, root = %stored.meta.root, chunks = stored.meta.chunk_count, "computed");
        let (_, block_time) = self.account.head().await?;
        self.submit(&lease, block_time).await
    }

    /// Gives the job back on chain (`Abandon`: a part of the collateral is
    /// slashed, less than a timeout would cost, and the job is requeued at
    /// once) and ends the lease. If the chain refuses, the lease is ended
    /// locally all the same and expires on chain.
    async fn abandon(&self, job_id: u64, reason: String) -> Result<()> {
        match self
            .account
            .market(&jm::ExecuteMsg::Abandon { job_id })
            .await
        {
            Ok(_) => {
                tracing::error!(job = job_id, %reason, "abandoned the job on chain (requeued for another provider)")
            }
            Err(e) => tracing::error!(
                job = job_id,
                %reason,
                "abandoning the job; the chain refused Abandon ({e:#}), so the lease will expire"
            ),
        }
        self.duties.set_phase(job_id, Phase::Abandoned { reason })?;
        Ok(())
    }

    // ---- results ----------------------------------------------------------

    /// Whether `job` is still waiting for this agent's result: it holds a
    /// slot with nothing sent, and the job takes results (Assigned; a
    /// replicated job also while Open, before all its slots are taken).
    fn holds_unsent_slot(&self, job: &Job) -> bool {
        let replicated = matches!(job.spec.verification, VerificationMode::Replicated { .. });
        let status_ok =
            job.status == JobStatus::Assigned || (replicated && job.status == JobStatus::Open);
        status_ok
            && job.slots.iter().any(|s| {
                s.provider.as_str() == self.account.address()
                    && s.commitment.is_none()
                    && s.result.is_none()
            })
    }

    /// This agent's slot of `job`, if it holds one.
    fn my_slot<'a>(&self, job: &'a Job) -> Option<&'a jm::Slot> {
        job.slots
            .iter()
            .find(|s| s.provider.as_str() == self.account.address())
    }

    /// Sends a computed result: `SubmitResult`, or for a replicated job
    /// `CommitResult` with the job's derived salt. Within the lease only; a
    /// send whose answer was lost is recognised on chain.
    async fn submit(&self, lease: &Lease, block_time: u64) -> Result<()> {
        let job_id = lease.job_id;
        let mut r = lease
            .result
            .clone()
            .context("computed lease without a result")?;
        if block_time > lease.lease_deadline {
            self.duties.set_phase(
                job_id,
                Phase::Ended {
                    status: "lease expired before the result was submitted".into(),
                },
            )?;
            tracing::error!(
                job = job_id,
                "the lease expired before the result could be submitted"
            );
            return Ok(());
        }
        let (msg, next, what) = if lease.replicated {
            let salt = self.salt_for(job_id)?;
            let me = self.account.address().to_string();
            let commitment = crate::hashing::result_commitment(&r.root, &salt, &me, job_id)?;
            (
                jm::ExecuteMsg::CommitResult { job_id, commitment },
                Phase::Committed,
                "result committed",
            )
        } else {
            let decoy = self.decoy_pair(lease, &mut r).await?;
            let what = if decoy.is_some() {
                "result submitted with its forced-error pair"
            } else {
                "result submitted"
            };
            (
                jm::ExecuteMsg::SubmitResult {
                    job_id,
                    root: r.root.clone(),
                    chunk_count: r.chunk_count,
                    output_size: r.output_size,
                    output_uri: r.output_uri.clone(),
                    decoy,
                },
                Phase::Submitted,
                what,
            )
        };
        match self.account.market(&msg).await {
            Ok(_) => {
                self.duties.set_phase(job_id, next)?;
                tracing::info!(job = job_id, root = %r.root, "{what}");
                Ok(())
            }
            Err(e) => {
                // A send whose answer was lost, or a job taken from us?
                let job = self.account.job(job_id).await?;
                let landed = if lease.replicated {
                    self.my_slot(&job).is_some_and(|s| s.commitment.is_some())
                } else {
                    // With a pair, the chain's root may already be the
                    // designated one: the submitted root is the pair's first.
                    let submitted = job
                        .verification
                        .as_ref()
                        .and_then(|v| v.decoy.as_ref())
                        .and_then(|d| d.roots.first());
                    job.result.as_ref().is_some_and(|x| x.root == r.root)
                        || submitted.is_some_and(|root| *root == r.root)
                };
                if landed {
                    self.duties.set_phase(job_id, next)?;
                    return Ok(());
                }
                if !self.holds_unsent_slot(&job) {
                    self.duties.set_phase(
                        job_id,
                        Phase::Ended {
                            status: format!("{:?}", job.status),
                        },
                    )?;
                    return Ok(());
                }
                Err(e.context("submitting the result"))
            }
        }
    }

    /// The forced-error pair `SubmitResult` must carry, if the job needs one
    /// (SpotCheck with verifiers while the market's `forced_errors` is on).
    /// The seal (salt, which tree is submitted) is drawn once and written to
    /// the lease before anything is sent, so a retry or a restart sends the
    /// same pair and can reveal it; `r` gets the submitted root. The result
    /// store is given the false tree, shown sealed.
    async fn decoy_pair(
        &self,
        lease: &Lease,
        r: &mut SubmittedResult,
    ) -> Result<Option<jm::DecoyPair>> {
        let job_id = lease.job_id;
        if r.decoy.is_none() {
            let job = self.account.job(job_id).await?;
            if !matches!(job.spec.verification, VerificationMode::SpotCheck { verifiers } if verifiers > 0)
            {
                return Ok(None);
            }
            let params = self.account.sm.job_market().config().await?.params;
            if !decoy::needs_decoy(&job, &params) {
                return Ok(None);
            }
            let stored = self.stored_result(lease)?;
            let index = decoy_index(job_id, stored.tree.leaf_count());
            let chunk = stored
                .chunk(index)?
                .with_context(|| format!("decoy chunk {index} is not in the output"))?;
            let false_tree = decoy::false_tree(&stored.tree, index, &chunk)?;
            let seal = decoy::new_seal(job_id, &stored.tree, &false_tree)?;
            r.root = seal.submitted_root().to_string();
            r.decoy = Some(seal);
            let mut now = self.duties.lease(job_id)?.context("lease vanished")?;
            now.result = Some(r.clone());
            self.duties.put_lease(&now)?;
            tracing::info!(
                job = job_id,
                index,
                "sealed a forced-error pair (two roots differing at one chunk; the salt is kept to reveal it)"
            );
        }
        let seal = r.decoy.as_ref().context("no seal")?;
        let stored = self
            .results
            .seal_decoy(&r.result_id, seal.index, seal.submitted())?;
        let pair = decoy::pair(
            seal,
            &stored.tree,
            stored.tree_of(Tree::False),
            self.account.address(),
            job_id,
        )?;
        Ok(Some(pair))
    }

    /// Tells the result server which tree of a lease's forced-error pair to
    /// show (logged when it changes).
    fn set_decoy_view(&self, lease: &Lease, seal: &DecoySeal, view: DecoyView) -> Result<()> {
        let r = lease.result.as_ref().context("no result")?;
        // A pair sealed into the lease but not yet into the store (crash in
        // between) is put there first.
        if self
            .results
            .get(&r.result_id)
            .is_some_and(|s| s.decoy().is_none())
        {
            self.results
                .seal_decoy(&r.result_id, seal.index, seal.submitted())?;
        }
        if !self.results.set_decoy_view(&r.result_id, view)? {
            return Ok(());
        }
        let job = lease.job_id;
        match view {
            DecoyView::Sealed => tracing::info!(
                job,
                "forced-error pair sealed: chunks are withheld until the verifiers are drawn"
            ),
            DecoyView::Designated(tree) => tracing::info!(
                job,
                index = seal.index,
                designated = ?tree,
                root = %seal.root_of(tree),
                "verifiers drawn: serving the designated tree of the forced-error pair"
            ),
            DecoyView::Open => tracing::info!(
                job,
                "forced-error pair open: serving the true tree and the output"
            ),
        }
        Ok(())
    }

    /// Opens a lease's forced-error seal with `RevealDecoy` (the caller
    /// checked it is due). A reveal the chain already holds is adopted.
    async fn reveal_decoy(
        &self,
        lease: &Lease,
        job: &Job,
        seal: &DecoySeal,
        block_time: u64,
    ) -> Result<()> {
        let job_id = lease.job_id;
        let d = job
            .verification
            .as_ref()
            .and_then(|v| v.decoy.as_ref())
            .context("the job has no forced-error pair")?;
        if let Some(by) = d.reveal_deadline {
            if block_time > by.seconds() {
                bail!(
                    "the forced-error reveal was due by {} (block time {block_time}); the market will convict this result",
                    by.seconds()
                );
            }
        }
        // Every attestation is in or can no longer be made: what the server
        // shows cannot change them any more.
        self.set_decoy_view(lease, seal, DecoyView::Open)?;
        let sent = self
            .account
            .market(&jm::ExecuteMsg::RevealDecoy {
                job_id,
                salt: seal.salt_bytes()?.into(),
                honest: seal.honest,
            })
            .await;
        if let Err(e) = sent {
            let now = self.account.job(job_id).await?;
            let revealed = now
                .verification
                .as_ref()
                .and_then(|v| v.decoy.as_ref())
                .is_some_and(|d| d.honest.is_some());
            if !revealed {
                return Err(e.context("revealing the forced-error pair (RevealDecoy)"));
            }
        }
        let forced_error = d.designated.is_some_and(|k| k != seal.honest);
        tracing::info!(
            job = job_id,
            index = seal.index,
            honest = seal.honest,
            designated = ?d.designated,
            forced_error,
            root = %seal.true_root,
            "revealed the forced-error pair (RevealDecoy): the true root is the result's"
        );
        Ok(())
    }

    /// The commitment salt of a replicated job: SHA-256 of this agent's
    /// commitment secret (32 random bytes drawn once and kept in the
    /// database) and the job id. Nothing per lease has to be stored before
    /// the commitment is sent, and a restarted agent derives the same salt;
    /// nobody without the secret can open the commitment early.
    fn salt_for(&self, job_id: u64) -> Result<Vec<u8>> {
        use sha2::{Digest, Sha256};
        static CREATE: Mutex<()> = Mutex::new(());
        const KEY: &str = "commit_secret";
        let secret: String = match self.duties.meta(KEY)? {
            Some(s) => s,
            None => {
                let _guard = CREATE.lock().map_err(|_| anyhow!("salt lock poisoned"))?;
                match self.duties.meta(KEY)? {
                    Some(s) => s,
                    None => {
                        let mut bytes = [0u8; 32];
                        OsRng.fill_bytes(&mut bytes);
                        let s = hex::encode(bytes);
                        self.duties.put_meta(KEY, &s)?;
                        s
                    }
                }
            }
        };
        let secret = hex::decode(secret).context("the stored commitment secret is not hex")?;
        let mut h = Sha256::new();
        h.update(b"starminer-commit-salt");
        h.update(&secret);
        h.update(job_id.to_be_bytes());
        Ok(h.finalize().to_vec())
    }

    /// Replicated, committed: reveal once every slot has committed.
    async fn reveal(&self, lease: &Lease, block_time: u64) -> Result<()> {
        let job_id = lease.job_id;
        let job = self.account.job(job_id).await?;
        let Some(slot) = self.my_slot(&job) else {
            return self.end_unpaid(job_id, &job.status);
        };
        if slot.result.is_some() {
            // Revealed before a restart: adopt the chain's state.
            self.duties.set_phase(job_id, Phase::Submitted)?;
            tracing::info!(job = job_id, "the reveal is already on chain");
            return self.follow_replicated(lease, block_time).await;
        }
        match job.status {
            // Waiting for the other slots' commitments.
            JobStatus::Open | JobStatus::Assigned => Ok(()),
            JobStatus::Revealing => {
                let closed = job
                    .reveal_deadline
                    .is_some_and(|d| block_time > d.seconds());
                if closed {
                    tracing::error!(
                        job = job_id,
                        "the reveal window closed before this agent revealed"
                    );
                    self.settle_replicated(job_id).await?;
                    return self.end_unpaid(job_id, &JobStatus::Revealing);
                }
                let r = lease
                    .result
                    .as_ref()
                    .context("committed lease without a result")?;
                let salt = self.salt_for(job_id)?;
                let sent = self
                    .account
                    .market(&jm::ExecuteMsg::RevealResult {
                        job_id,
                        root: r.root.clone(),
                        salt: salt.into(),
                        chunk_count: r.chunk_count,
                        output_size: r.output_size,
                        output_uri: r.output_uri.clone(),
                    })
                    .await;
                if let Err(e) = sent {
                    let now = self.account.job(job_id).await?;
                    if self.my_slot(&now).is_none_or(|s| s.result.is_none()) {
                        return Err(e.context("revealing the result"));
                    }
                }
                self.duties.set_phase(job_id, Phase::Submitted)?;
                tracing::info!(job = job_id, root = %r.root, "result revealed");
                let (_, block_time) = self.account.head().await?;
                let lease = self.duties.lease(job_id)?.context("lease vanished")?;
                self.follow_replicated(&lease, block_time).await
            }
            status => self.end_unpaid(job_id, &status),
        }
    }

    /// Replicated, revealed: wait for the decision (the last reveal makes it;
    /// past the reveal window the agent settles).
    async fn follow_replicated(&self, lease: &Lease, block_time: u64) -> Result<()> {
        let job_id = lease.job_id;
        let job = self.account.job(job_id).await?;
        let Some(slot) = self.my_slot(&job) else {
            // No majority: the slots were cleared and the job reopened (or failed).
            return self.end_unpaid(job_id, &job.status);
        };
        match job.status {
            JobStatus::Revealing => {
                if job
                    .reveal_deadline
                    .is_some_and(|d| block_time > d.seconds())
                {
                    self.settle_replicated(job_id).await?;
                }
                Ok(())
            }
            JobStatus::Settled => {
                let winner_root = match (&slot.result, &job.result) {
                    (Some(mine), Some(winner)) if mine.root == winner.root => winner.root.clone(),
                    _ => return self.end_unpaid(job_id, &job.status),
                };
                // Every winning slot is paid the same share.
                let winners = job
                    .slots
                    .iter()
                    .filter(|s| s.result.as_ref().map(|r| &r.root) == Some(&winner_root))
                    .count()
                    .max(1) as u128;
                let paid = job
                    .settlement
                    .as_ref()
                    .map_or(0, |s| s.provider_payouts.u128())
                    / winners;
                self.metrics
                    .earnings_uagpu
                    .inc_by(u64::try_from(paid).unwrap_or(u64::MAX));
                self.duties.set_phase(job_id, Phase::Settled)?;
                tracing::info!(job = job_id, paid_uagpu = paid, "settled (replicated)");
                Ok(())
            }
            status => self.end_unpaid(job_id, &status),
        }
    }

    /// `Settle` on a replicated job whose reveal window closed; someone else
    /// settling first is fine.
    async fn settle_replicated(&self, job_id: u64) -> Result<()> {
        if let Err(e) = self
            .account
            .market(&jm::ExecuteMsg::Settle { job_id })
            .await
        {
            let job = self.account.job(job_id).await?;
            if job.status == JobStatus::Revealing {
                return Err(e.context("settling after the reveal window"));
            }
        }
        tracing::info!(job = job_id, "settled the reveal round");
        Ok(())
    }

    fn end_unpaid(&self, job_id: u64, status: &JobStatus) -> Result<()> {
        tracing::info!(job = job_id, ?status, "job ended without paying this agent");
        self.duties.set_phase(
            job_id,
            Phase::Ended {
                status: format!("{status:?}"),
            },
        )?;
        Ok(())
    }

    async fn follow_submitted(&self, lease: &Lease, block_time: u64) -> Result<()> {
        let job_id = lease.job_id;
        let job = self.account.job(job_id).await?;
        let me = self.account.address();
        let still_mine = job.slots.first().is_some_and(|s| s.provider.as_str() == me);
        match job.status {
            JobStatus::Settled if still_mine => {
                self.open_decoy(lease);
                let paid = job
                    .settlement
                    .as_ref()
                    .map_or(0, |s| s.provider_payouts.u128());
                self.metrics
                    .earnings_uagpu
                    .inc_by(u64::try_from(paid).unwrap_or(u64::MAX));
                self.duties.set_phase(job_id, Phase::Settled)?;
                tracing::info!(job = job_id, paid_uagpu = paid, "settled");
            }
            JobStatus::Submitted | JobStatus::Disputed if still_mine => {
                let Some(v) = &job.verification else {
                    return Ok(());
                };
                let seal = lease.result.as_ref().and_then(|r| r.decoy.as_ref());
                if let Some(seal) = seal {
                    // Once the reveal is due the attestations are final:
                    // stay open even if a reveal has to be retried.
                    let view = if decoy::reveal_due(&job, block_time) {
                        DecoyView::Open
                    } else {
                        decoy::view_for(&job, seal)
                    };
                    self.set_decoy_view(lease, seal, view)?;
                }
                // Challenges are proved against the root the chain has now
                // (with a pair: the designated one until the reveal).
                let root = job
                    .result
                    .as_ref()
                    .map(|r| r.root.clone())
                    .unwrap_or_default();
                // A data challenge (training checkpoints) is answered with
                // the chunk's bytes, any other with its leaf and proof.
                let mut to_publish: Vec<u64> = v
                    .challenges
                    .iter()
                    .filter(|c| c.answer.is_none() && c.data)
                    .map(|c| c.index)
                    .collect();
                to_publish.sort_unstable();
                to_publish.dedup();
                for index in &to_publish {
                    self.publish_chunk(lease, &root, *index).await?;
                }
                let mut to_prove: Vec<u64> = v
                    .challenges
                    .iter()
                    .filter(|c| c.answer.is_none() && !c.data)
                    .map(|c| c.index)
                    .collect();
                if let Some(d) = &v.dispute {
                    if d.provider_leaf.is_none() {
                        to_prove.push(d.index);
                    }
                }
                to_prove.sort_unstable();
                to_prove.dedup();
                for index in &to_prove {
                    self.prove_chunk(lease, &root, *index).await?;
                }
                if let Some(seal) = seal {
                    if decoy::reveal_due(&job, block_time) {
                        // The market settles on the reveal when nothing
                        // else is open; the next round follows up.
                        return self.reveal_decoy(lease, &job, seal, block_time).await;
                    }
                }
                let sealed = v.decoy.as_ref().is_some_and(|d| d.honest.is_none());
                let window_over = block_time > v.challenge_deadline.seconds();
                if to_prove.is_empty()
                    && to_publish.is_empty()
                    && !sealed
                    && job.status == JobStatus::Submitted
                    && window_over
                    && v.challenges.iter().all(|c| c.answer.is_some())
                {
                    self.account
                        .market(&jm::ExecuteMsg::Settle { job_id })
                        .await?;
                }
            }
            status => {
                self.open_decoy(lease);
                tracing::info!(job = job_id, ?status, "job ended without paying this agent");
                self.duties.set_phase(
                    job_id,
                    Phase::Ended {
                        status: format!("{status:?}"),
                    },
                )?;
            }
        }
        Ok(())
    }

    /// Serves a finished job's result in full (its forced-error pair, if
    /// any, no longer matters).
    fn open_decoy(&self, lease: &Lease) {
        if let Some(seal) = lease.result.as_ref().and_then(|r| r.decoy.as_ref()) {
            if let Err(e) = self.set_decoy_view(lease, seal, DecoyView::Open) {
                tracing::warn!(job = lease.job_id, "opening the forced-error pair: {e:#}");
            }
        }
    }

    /// The stored result of a lease whose result was computed.
    fn stored_result(&self, lease: &Lease) -> Result<Arc<StoredResult>> {
        let r = lease.result.as_ref().context("no result")?;
        self.results
            .get(&r.result_id)
            .with_context(|| format!("result {} is not in the store", r.result_id))
    }

    /// The stored tree whose root is the chain's `root` (with a forced-error
    /// pair, either tree).
    fn tree_for_root(stored: &StoredResult, root: &str) -> Result<Tree> {
        stored.tree_for_root(root).with_context(|| {
            format!(
                "the chain's root {root} is not a root of stored result {}",
                stored.meta.id
            )
        })
    }

    async fn prove_chunk(&self, lease: &Lease, root: &str, index: u64) -> Result<()> {
        let stored = self.stored_result(lease)?;
        let tree = stored.tree_of(Self::tree_for_root(&stored, root)?);
        let leaf = tree.leaf(index).context("chunk out of range")?;
        let proof = tree.proof(index).context("chunk out of range")?;
        self.account
            .market(&jm::ExecuteMsg::RespondChallenge {
                job_id: lease.job_id,
                index,
                leaf_hash: hex::encode(leaf),
                proof: proof.iter().map(hex::encode).collect(),
            })
            .await?;
        tracing::info!(
            job = lease.job_id,
            index,
            "answered a chunk challenge with its Merkle proof"
        );
        Ok(())
    }

    /// Answers a data challenge: chunk `index` itself, with its proof, on
    /// chain (a verifier of a training job needs the checkpoint to re-run
    /// the next step).
    async fn publish_chunk(&self, lease: &Lease, root: &str, index: u64) -> Result<()> {
        let stored = self.stored_result(lease)?;
        let which = Self::tree_for_root(&stored, root)?;
        let data = stored
            .chunk_in(which, index)?
            .with_context(|| format!("chunk {index} is out of range"))?;
        let proof = stored
            .tree_of(which)
            .proof(index)
            .context("chunk out of range")?;
        self.account
            .market(&jm::ExecuteMsg::RespondData {
                job_id: lease.job_id,
                index,
                data: data.into(),
                proof: proof.iter().map(hex::encode).collect(),
            })
            .await?;
        tracing::info!(
            job = lease.job_id,
            index,
            "answered a data challenge with the chunk and its Merkle proof"
        );
        Ok(())
    }
}

/// Whether `address` waits in `job`'s replica application round.
fn is_applicant(job: &Job, address: &str) -> bool {
    job.replica_draw
        .as_ref()
        .is_some_and(|d| d.applicants.iter().any(|a| a.provider.as_str() == address))
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
