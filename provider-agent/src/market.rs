//! The market watcher: which open jobs this provider claims, and its leases
//! from the claim to the start of computing.
//!
//! Each round it reads the open jobs in the market's order (most urgent,
//! then oldest), skips those above its tier, outside its zone and the
//! spillover routes into it, or still waiting for their replica draw
//! (each refusal but the last logged once per job, with its reason), asks
//! the job [`filter`] whether its devices, prices and the time left fit,
//! and claims up to the free compute slots. A claim is written to the
//! duties database as a lease; the daemon's provider loop starts
//! its compute task. A claim on a job with drawn replica slots is an
//! application, followed until the draw seats the agent or leaves it out.
//! At start, jobs the chain says this agent holds but the database does not
//! know (a crash between the claim and its record) are adopted.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use anyhow::Result;
use starminer_interfaces::job_market::{self as jm, Job, JobStatus};
use starminer_interfaces::market::VerificationMode;
use starminer_interfaces::registry::{ProviderStatus, Role};
use starminer_templates::by_id;

use crate::account::AgentAccount;
use crate::config::PricePolicy;
use crate::duties::{DutyDb, Lease, Phase};
use crate::filter::{self, DeviceCaps, Refusal};
use crate::metrics::Metrics;

/// The market watcher's context: the account that claims, the duties
/// database it records leases in, the devices and price policy the
/// [`filter`] weighs jobs against, and the jobs it already refused.
pub struct MarketWatcher {
    pub account: AgentAccount,
    pub duties: Arc<DutyDb>,
    pub devices: Vec<DeviceCaps>,
    pub prices: PricePolicy,
    /// Largest input fetched (`agent.max_input_bytes`).
    pub max_input_bytes: u64,
    pub metrics: Arc<Metrics>,
    /// Open jobs already refused (logged once).
    refused: HashSet<u64>,
}

impl MarketWatcher {
    pub fn new(
        account: AgentAccount,
        duties: Arc<DutyDb>,
        devices: Vec<DeviceCaps>,
        prices: PricePolicy,
        max_input_bytes: u64,
        metrics: Arc<Metrics>,
    ) -> Self {
        MarketWatcher {
            account,
            duties,
            devices,
            prices,
            max_input_bytes,
            metrics,
            refused: HashSet::new(),
        }
    }

    /// Jobs this address holds on chain (assigned, no result yet) that the
    /// database does not know: a claim whose transaction committed but whose
    /// lease record was not written (crash in between). They are adopted.
    pub async fn adopt_orphans(&self) -> Result<()> {
        for job in self.account.my_jobs().await? {
            // A replicated job stays Open until all its slots are taken.
            let held = matches!(job.status, JobStatus::Assigned | JobStatus::Open);
            if held && self.duties.lease(job.id)?.is_none() {
                if self.account.is_applicant(&job) {
                    tracing::warn!(
                        job = job.id,
                        "adopting a replica application missing from the database"
                    );
                    let mut lease = self.record_claim(&job, job.spec.deadline.seconds())?;
                    lease.phase = Phase::Applied;
                    self.duties.put_lease(&lease)?;
                } else if let Some(slot) = self.account.my_slot(&job) {
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

    /// Claims up to `free` open jobs that fit (see the module docs) and
    /// returns the leases to compute now (an application waits for its
    /// draw first).
    pub async fn claim_jobs(&mut self, free: usize, block_time: u64) -> Result<Vec<Lease>> {
        let mut to_compute = Vec::new();
        if free == 0 {
            return Ok(to_compute);
        }
        let Some(me) = self.account.me().await? else {
            tracing::debug!("not registered: run `starminer-agent register`");
            return Ok(to_compute);
        };
        if me.status != ProviderStatus::Active || !me.has_active_role(Role::Provider) {
            tracing::debug!(status = ?me.status, "provider role not active; not claiming");
            return Ok(to_compute);
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
            if self.duties.lease(job.id)?.is_some() {
                continue;
            }
            if job.tier > me.tier {
                self.log_refusal(
                    job.id,
                    &Refusal::TierTooLow {
                        job: job.tier,
                        mine: me.tier,
                    },
                );
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
                    self.log_refusal(
                        job.id,
                        &Refusal::OtherZone {
                            zone: zone.clone(),
                            mine: me.zone.clone(),
                        },
                    );
                    continue;
                }
            }
            let id = job.spec.template.clone();
            if !templates.contains_key(&id) {
                templates.insert(id.clone(), self.account.template(&id).await?);
            }
            let Some(Some(chain_template)) = templates.get(&id) else {
                self.log_refusal(job.id, &Refusal::TemplateNotOnChain(id));
                continue;
            };
            let accepted = match filter::evaluate(
                &job,
                chain_template,
                &self.devices,
                &self.prices,
                self.max_input_bytes,
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
                    if self.account.is_applicant(&after) {
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
                    let deadline = self
                        .account
                        .my_slot(&after)
                        .map_or(job.spec.deadline.seconds(), |s| s.lease_deadline.seconds());
                    let mut lease = self.record_claim(&after, deadline)?;
                    lease.device = accepted.device;
                    self.duties.put_lease(&lease)?;
                    tracing::info!(job = job.id, template = %id, units = accepted.units, device = accepted.device, lease_deadline = deadline, "claimed");
                    claimed += 1;
                    to_compute.push(lease);
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
        Ok(to_compute)
    }

    /// An application for a drawn replica slot: once seated, the lease gets
    /// the slot's deadline and computing starts on the next round; while the
    /// draw is due, the agent asks for it itself (anyone may); drawn out, the
    /// lease ends (the market released the collateral).
    pub async fn follow_application(&self, lease: &Lease, block_time: u64) -> Result<()> {
        let job_id = lease.job_id;
        let job = self.account.job(job_id).await?;
        if let Some(slot) = self.account.my_slot(&job) {
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
        let Some(draw) = job
            .replica_draw
            .as_ref()
            .filter(|_| self.account.is_applicant(&job))
        else {
            self.metrics.claims_lost.inc();
            tracing::info!(job = job_id, status = ?job.status, "not drawn for a replica slot; collateral released");
            self.duties
                .end_lease(job_id, format!("not drawn ({:?})", job.status))?;
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

    fn log_refusal(&mut self, job_id: u64, refusal: &Refusal) {
        if self.refused.insert(job_id) {
            tracing::info!(job = job_id, "not claiming: {refusal}");
        }
    }
}
