//! A lease from its computed result to payment: the result sent
//! (`SubmitResult`, or `CommitResult` then `RevealResult` for a replicated
//! job), a forced-error pair sealed, shown to the verifiers the chain drew
//! and revealed ([`crate::decoy`]), chunk and data challenges and disputes
//! answered with Merkle proofs from the result files, the job settled past
//! its windows and the payout counted; or the lease ended without pay
//! (`Abandon`, `ReportBadInput`, a lost slot, an expired lease).
//!
//! [`Settlement`] carries out what the daemon's provider loop
//! decides, one lease at a time, and writes each step's phase to the duties
//! database ([`crate::duties`]) before the next, so a restart resumes where
//! it stopped. It neither claims jobs nor computes them.

use std::sync::{Arc, Mutex};

use anyhow::{anyhow, bail, Context, Result};
use rand_core::{OsRng, RngCore};
use starminer_interfaces::job_market::{self as jm, decoy_index, Job, JobStatus};
use starminer_interfaces::market::VerificationMode;

use crate::account::AgentAccount;
use crate::decoy::{self, DecoySeal, DecoyView, Tree};
use crate::duties::{DutyDb, Lease, Phase, SubmittedResult};
use crate::metrics::Metrics;
use crate::results::{ResultStore, StoredResult};

/// What settling a lease uses: the account that sends the messages, the
/// duties database of the leases, the result files the proofs come from,
/// the metrics and the URL the result server is reached at. Nothing of
/// claiming or computing.
#[derive(Clone)]
pub struct Settlement {
    pub account: AgentAccount,
    pub duties: Arc<DutyDb>,
    pub results: Arc<ResultStore>,
    pub metrics: Arc<Metrics>,
    /// The result server's public URL (`server.public_url`).
    pub public_url: String,
}

impl Settlement {
    /// Writes a computed result into its lease (phase `computed`) and
    /// returns the lease to submit. A forced-error pair sealed before a
    /// restart keeps its seal and the root it chose.
    pub fn record_computed(&self, job_id: u64, stored: &StoredResult) -> Result<Lease> {
        let id = &stored.meta.id;
        let mut lease = self.duties.lease(job_id)?.context("lease vanished")?;
        let sealed = lease.result.as_ref().and_then(|r| r.decoy.clone());
        lease.result = Some(SubmittedResult {
            result_id: id.clone(),
            root: stored.meta.root.clone(),
            chunk_count: stored.meta.chunk_count,
            output_size: stored.meta.output_size,
            output_uri: format!("{}/results/{id}", self.public_url.trim_end_matches('/')),
            decoy: None,
        });
        if let (Some(seal), Some(r)) = (sealed, lease.result.as_mut()) {
            r.root = seal.submitted_root().to_string();
            r.decoy = Some(seal);
        }
        lease.phase = Phase::Computed;
        lease.attempts = 0;
        lease.last_error = None;
        self.duties.put_lease(&lease)?;
        tracing::info!(job = job_id, root = %stored.meta.root, chunks = stored.meta.chunk_count, "computed");
        Ok(lease)
    }

    /// Reports the job's input as bad (it does not hash to the job's input
    /// hash) and ends the lease.
    pub async fn report_bad_input(&self, job_id: u64) -> Result<()> {
        self.account
            .market(&jm::ExecuteMsg::ReportBadInput { job_id })
            .await?;
        self.duties.set_phase(job_id, Phase::BadInput)?;
        Ok(())
    }

    /// Ends a lease whose job no longer waits for this agent's result.
    pub fn drop_lost(&self, job_id: u64, status: &JobStatus) -> Result<()> {
        tracing::info!(job = job_id, ?status, "job is no longer ours; dropping it");
        self.duties.end_lease(job_id, format!("{status:?}"))
    }

    /// Gives the job back on chain (`Abandon`: a part of the collateral is
    /// slashed, less than a timeout would cost, and the job is requeued at
    /// once) and ends the lease. If the chain refuses, the lease is ended
    /// locally all the same and expires on chain.
    pub async fn abandon(&self, job_id: u64, reason: String) -> Result<()> {
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

    /// Sends a computed result: `SubmitResult`, or for a replicated job
    /// `CommitResult` with the job's derived salt. Within the lease only; a
    /// send whose answer was lost is recognised on chain.
    pub async fn submit(&self, lease: &Lease, block_time: u64) -> Result<()> {
        let job_id = lease.job_id;
        let mut r = lease
            .result
            .clone()
            .context("computed lease without a result")?;
        if block_time > lease.lease_deadline {
            self.duties
                .end_lease(job_id, "lease expired before the result was submitted")?;
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
                    self.account
                        .my_slot(&job)
                        .is_some_and(|s| s.commitment.is_some())
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
                if !self.account.holds_unsent_slot(&job) {
                    self.duties.end_lease(job_id, format!("{:?}", job.status))?;
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
    pub async fn reveal(&self, lease: &Lease, block_time: u64) -> Result<()> {
        let job_id = lease.job_id;
        let job = self.account.job(job_id).await?;
        let Some(slot) = self.account.my_slot(&job) else {
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
                    if self
                        .account
                        .my_slot(&now)
                        .is_none_or(|s| s.result.is_none())
                    {
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
    pub async fn follow_replicated(&self, lease: &Lease, block_time: u64) -> Result<()> {
        let job_id = lease.job_id;
        let job = self.account.job(job_id).await?;
        let Some(slot) = self.account.my_slot(&job) else {
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
        self.duties.end_lease(job_id, format!("{status:?}"))
    }

    pub async fn follow_submitted(&self, lease: &Lease, block_time: u64) -> Result<()> {
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
                    self.answer_challenge(lease, &root, *index, true).await?;
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
                    self.answer_challenge(lease, &root, *index, false).await?;
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
                self.end_unpaid(job_id, &status)?;
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

    /// Answers a challenge of chunk `index` under the chain's `root`: a
    /// chunk challenge or dispute with the chunk's leaf hash and Merkle
    /// proof; a data challenge (`data`) with the chunk itself and its proof,
    /// on chain (a verifier of a training job needs the checkpoint to re-run
    /// the next step).
    async fn answer_challenge(
        &self,
        lease: &Lease,
        root: &str,
        index: u64,
        data: bool,
    ) -> Result<()> {
        let stored = self.stored_result(lease)?;
        let which = Self::tree_for_root(&stored, root)?;
        let tree = stored.tree_of(which);
        let proof = tree
            .proof(index)
            .context("chunk out of range")?
            .iter()
            .map(hex::encode)
            .collect();
        let job_id = lease.job_id;
        let (msg, what) = if data {
            let data = stored
                .chunk_in(which, index)?
                .with_context(|| format!("chunk {index} is out of range"))?;
            let msg = jm::ExecuteMsg::RespondData {
                job_id,
                index,
                data: data.into(),
                proof,
            };
            (
                msg,
                "answered a data challenge with the chunk and its Merkle proof",
            )
        } else {
            let leaf = tree.leaf(index).context("chunk out of range")?;
            let msg = jm::ExecuteMsg::RespondChallenge {
                job_id,
                index,
                leaf_hash: hex::encode(leaf),
                proof,
            };
            (msg, "answered a chunk challenge with its Merkle proof")
        };
        self.account.market(&msg).await?;
        tracing::info!(job = job_id, index, "{what}");
        Ok(())
    }
}
