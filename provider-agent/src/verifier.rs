//! Validator duties (docs/protocol.md): spot checks of other providers'
//! results, dispute votes, and benchmark attestations.
//!
//! A spot check draws its own secret random sample of chunk indices (kept
//! in the agent's database, so a restart checks the same chunks), fetches
//! each chunk with its Merkle proof from the provider's result server,
//! checks the proof against the root on chain, recomputes the chunk alone
//! and compares it (bit for bit, or within the template's tolerance). A
//! chunk that cannot be fetched or proved is challenged on chain; a chunk
//! that differs is attested `Invalid` with the recomputed leaf hash;
//! otherwise the result is attested `Valid`.
//!
//! Forced errors: a result submitted with a forced-error pair has its chunk
//! `decoy.index` checked first, always, besides the secret sample: on half
//! of such jobs the chain designated the provider's deliberately wrong tree,
//! and only a verifier that recomputes that chunk calls it `Invalid` (with
//! the true leaf hash) instead of losing its duty lock. Chunks are asked for
//! under the chain's root (`?root=`); a provider that has not yet seen the
//! draw answers "not ready", which is waited for a short grace before the
//! chunk counts as withheld.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use cosmwasm_std::Binary;
use rand_core::{OsRng, RngCore};
use starminer_interfaces::job_market::{
    self as jm, attestation_seal, Attestation, Job, JobInput, JobResult,
};
use starminer_interfaces::registry::{self as reg, ChallengeStatus};
use starminer_merkle::{leaf_hash, verify_proof, Hash};
use starminer_templates::{by_id, outputs_match, Params, Template};
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::account::AgentAccount;
use crate::beacon::{beacon_duty, BeaconContext, BeaconState};
use crate::duties::{DutyDb, SealedVerdict, Verification};
use crate::executor::Executor;
use crate::fetch::job_input;
use crate::filter::params_text;
use crate::metrics::Metrics;
use crate::now_unix;
use crate::pace::Pace;
use crate::server::ChunkResponse;

/// What verifier duties use: the account that attests and votes, the
/// duties database that keeps each duty's sample and sealed verdict, the
/// executor and device chunks are recomputed on, the input size limit, the
/// sample size and the metrics. Nothing of the provider's claims.
#[derive(Clone)]
pub struct VerifierContext {
    pub account: AgentAccount,
    pub duties: Arc<DutyDb>,
    pub exec: Arc<Executor>,
    /// OpenCL device index chunks are recomputed on.
    pub device: usize,
    /// Largest input fetched (`agent.max_input_bytes`).
    pub max_input_bytes: u64,
    /// Chunks sampled from each result (`agent.verifier_samples`).
    pub samples: u32,
    pub metrics: Arc<Metrics>,
}

/// Seconds between scans for bad-input reports to judge and benchmark
/// challenges to verify (a scan of every provider: not on every block).
const BENCHMARK_SCAN_SECONDS: u64 = 5;

/// The validator's duties, a long-lived task of the daemon ([`Self::run`])
/// with the state only they use: spot checks and dispute votes run as
/// background tasks (one per job at a time), bad-input reports and
/// benchmark challenges are looked at every few seconds, and the beacon
/// duty runs every round.
pub struct ValidatorDuties {
    ctx: VerifierContext,
    /// Spot checks and dispute votes in flight; each returns its job id.
    verifications: JoinSet<u64>,
    /// Jobs with a verification in flight.
    verifying: HashSet<u64>,
    /// When bad inputs and benchmark challenges were last looked for.
    last_scan: Option<Instant>,
    /// The validator's beacon hash chain ([`crate::beacon`]).
    beacon: Mutex<BeaconState>,
}

impl ValidatorDuties {
    pub fn new(ctx: VerifierContext) -> Self {
        ValidatorDuties {
            ctx,
            verifications: JoinSet::new(),
            verifying: HashSet::new(),
            last_scan: None,
            beacon: Mutex::new(BeaconState::default()),
        }
    }

    /// Runs a round of duties on every new block (and at least every
    /// `poll`) until `shutdown` is cancelled, then waits for the
    /// verifications in flight. A failed round is retried with backoff.
    pub async fn run(
        mut self,
        heights: watch::Receiver<u64>,
        poll: Duration,
        shutdown: CancellationToken,
    ) {
        let mut pace = Pace::new(heights, poll);
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => break,
                _ = pace.tick() => {}
                Some(done) = self.verifications.join_next() => self.finished(done),
            }
            let round = self.round().await;
            if !pace
                .after("validator round", round, &self.ctx.metrics, &shutdown)
                .await
            {
                break;
            }
        }
        while let Some(done) = self.verifications.join_next().await {
            self.finished(done);
        }
    }

    fn finished(&mut self, done: Result<u64, tokio::task::JoinError>) {
        match done {
            Ok(job_id) => {
                self.verifying.remove(&job_id);
            }
            Err(e) => tracing::error!("a verification task failed: {e}"),
        }
    }

    /// One round of duties; verifications are spawned in the background.
    async fn round(&mut self) -> Result<()> {
        let ctx = &self.ctx;
        let beacon = BeaconContext {
            account: &ctx.account,
            state: &self.beacon,
            metrics: &ctx.metrics,
        };
        if let Err(e) = beacon_duty(&beacon).await {
            ctx.metrics.error("beacon");
            tracing::warn!("beacon duty: {e:#}");
        }
        for task in ctx.account.pending_verifier_tasks().await? {
            let job_id = task.job_id;
            if !self.verifying.insert(job_id) {
                continue;
            }
            let ctx = ctx.clone();
            self.verifications.spawn(async move {
                if let Err(e) = verify(&ctx, &task).await {
                    ctx.metrics.error("verify");
                    tracing::warn!(job = job_id, "verification: {e:#}");
                }
                job_id
            });
        }
        let scan_due = self
            .last_scan
            .is_none_or(|t| t.elapsed().as_secs() >= BENCHMARK_SCAN_SECONDS);
        if !scan_due {
            return Ok(());
        }
        self.last_scan = Some(Instant::now());
        if let Err(e) = judge_bad_inputs(&self.ctx).await {
            self.ctx.metrics.error("judge");
            tracing::warn!("judging bad-input reports: {e:#}");
        }
        if let Err(e) = attest_benchmarks(&self.ctx).await {
            self.ctx.metrics.error("benchmark");
            tracing::warn!("benchmark attestation: {e:#}");
        }
        Ok(())
    }
}

/// Draws `n` distinct chunk indices of `0..count` from the OS's random
/// source (secret: the provider cannot predict which chunks are checked).
pub fn draw_sample(count: u64, n: u32) -> Vec<u64> {
    let n = u64::from(n).min(count);
    let mut picked = std::collections::BTreeSet::new();
    while (picked.len() as u64) < n {
        picked.insert(OsRng.next_u64() % count);
    }
    picked.into_iter().collect()
}

/// Seconds a verifier waits for a provider whose result server answers
/// "not ready" (a forced-error pair whose draw it has not seen yet, or a
/// root it is switching away from) before the chunk counts as withheld.
pub const NOT_READY_GRACE_SECS: u64 = 60;

/// The chunks a spot check recomputes, in order: a forced-error pair's
/// decoy chunk first (every verifier must check it), then the secret sample.
pub fn chunks_to_check(sample: &[u64], decoy: Option<u64>) -> Vec<u64> {
    decoy
        .into_iter()
        .chain(sample.iter().copied().filter(|i| Some(*i) != decoy))
        .collect()
}

/// Whether a "not ready" answer first met at `since` may still be waited
/// for at `now`.
pub fn within_grace(since: u64, now: u64) -> bool {
    now < since.saturating_add(NOT_READY_GRACE_SECS)
}

/// Whether this verifier may keep waiting for job `job_id`'s provider to
/// be ready (the first "not ready" is remembered in the database).
fn may_wait(ctx: &VerifierContext, job_id: u64) -> Result<bool> {
    let key = format!("not-ready-{job_id}");
    let now = now_unix();
    let since = match ctx.duties.meta::<u64>(&key)? {
        Some(t) => t,
        None => {
            ctx.duties.put_meta(&key, &now)?;
            now
        }
    };
    Ok(within_grace(since, now))
}

/// Why a chunk could not be checked.
#[derive(Debug)]
enum ChunkFetch {
    Ok(Vec<u8>),
    /// Unreachable, missing, or its proof does not lead to the root.
    Withheld(String),
    /// The provider's server is not serving the chain's root yet (503: a
    /// sealed forced-error pair whose draw it has not seen; 409: it serves
    /// the other root of its pair). Waited for briefly, then withheld.
    NotReady(String),
}

impl ChunkFetch {
    /// A "not ready" past the grace counts as withheld.
    fn or_withheld(self, may_wait: bool) -> ChunkFetch {
        match self {
            ChunkFetch::NotReady(why) if !may_wait => ChunkFetch::Withheld(why),
            other => other,
        }
    }
}

/// Fetches chunk `index` of `result` and checks it against the on-chain root.
async fn fetch_chunk(result: &JobResult, index: u64) -> ChunkFetch {
    let url = format!(
        "{}/chunks/{index}?root={}",
        result.output_uri.trim_end_matches('/'),
        result.root
    );
    let client = match reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
    {
        Ok(c) => c,
        Err(e) => return ChunkFetch::Withheld(e.to_string()),
    };
    let resp = match client.get(&url).send().await {
        Ok(r) if r.status().is_success() => r,
        Ok(r)
            if r.status() == reqwest::StatusCode::SERVICE_UNAVAILABLE
                || r.status() == reqwest::StatusCode::CONFLICT =>
        {
            let status = r.status();
            let body = r.text().await.unwrap_or_default();
            return ChunkFetch::NotReady(format!("{url}: HTTP {status} {body}"));
        }
        Ok(r) => return ChunkFetch::Withheld(format!("{url}: HTTP {}", r.status())),
        Err(e) => return ChunkFetch::Withheld(format!("{url}: {e}")),
    };
    let chunk: ChunkResponse = match resp.json().await {
        Ok(c) => c,
        Err(e) => return ChunkFetch::Withheld(format!("{url}: {e}")),
    };
    let decode32 = |h: &str| -> Option<Hash> { hex::decode(h).ok()?.try_into().ok() };
    let (Some(root), Ok(data)) = (decode32(&result.root), hex::decode(&chunk.data)) else {
        return ChunkFetch::Withheld(format!("{url}: malformed response"));
    };
    let proof: Option<Vec<Hash>> = chunk.proof.iter().map(|h| decode32(h)).collect();
    let leaf = leaf_hash(&data);
    let proved =
        proof.is_some_and(|p| verify_proof(&root, result.chunk_count, index, &leaf, &p).is_ok());
    if !proved {
        return ChunkFetch::Withheld(format!(
            "{url}: the proof does not lead to the root on chain"
        ));
    }
    ChunkFetch::Ok(data)
}

/// Recomputes chunk `index` on this agent's device (the previous chunk, a
/// checkpoint, is fetched and proved for training templates).
async fn recompute(
    ctx: &VerifierContext,
    job_id: u64,
    template: &'static dyn Template,
    params: &Params,
    input: &[u8],
    result: &JobResult,
    index: u64,
) -> Result<Vec<u8>> {
    let previous = if template.info().id == "ai.training.sgd" && index > 0 {
        Some(checkpoint(ctx, job_id, result, index - 1).await?)
    } else {
        None
    };
    let exec = ctx.exec.clone();
    let device = ctx.device;
    let params = params.clone();
    let input = input.to_vec();
    tokio::task::spawn_blocking(move || {
        let dev = exec.device(device)?;
        template
            .recompute_chunk(dev, &params, &input, index, previous.as_deref())
            .map_err(anyhow::Error::from)
    })
    .await?
}

/// Checkpoint `index` of a training job: from the provider's result
/// server, or else as the provider published it on chain (`RespondData`).
/// When neither has it, it is demanded on chain with `ChallengeData` (once;
/// the provider must publish it within the response window or is
/// convicted) and this fails until the answer is there.
async fn checkpoint(
    ctx: &VerifierContext,
    job_id: u64,
    result: &JobResult,
    index: u64,
) -> Result<Vec<u8>> {
    let why = match fetch_chunk(result, index).await {
        ChunkFetch::Ok(d) => return Ok(d),
        ChunkFetch::NotReady(why) if may_wait(ctx, job_id)? => {
            bail!("checkpoint {index} not served yet ({why}); retrying")
        }
        ChunkFetch::Withheld(why) | ChunkFetch::NotReady(why) => why,
    };
    let r = ctx.account.sm.job_market().job(job_id).await?;
    if let Some(data) = published_data(&r.history, index) {
        return Ok(data);
    }
    let me = ctx.account.address();
    let demanded = r.job.verification.as_ref().is_some_and(|v| {
        v.challenges
            .iter()
            .any(|c| c.data && c.index == index && c.challenger.as_str() == me)
    });
    if !demanded {
        tracing::warn!(
            job = job_id,
            index,
            "checkpoint withheld ({why}); demanding it on chain"
        );
        ctx.account
            .market(&jm::ExecuteMsg::ChallengeData { job_id, index })
            .await?;
    }
    bail!("checkpoint {index} withheld ({why}); demanded on chain with ChallengeData")
}

/// The bytes of chunk `index` as `RespondData` published them in a job's
/// history (action `data_published`, detail `index=I leaf=H data=BASE64`;
/// the contract checked them against the root before recording them).
pub fn published_data(history: &[jm::JobEvent], index: u64) -> Option<Vec<u8>> {
    history
        .iter()
        .rev()
        .filter(|e| e.action == "data_published")
        .find_map(|e| {
            let field = |name: &str| e.detail.split(' ').find_map(|part| part.strip_prefix(name));
            if field("index=")?.parse::<u64>().ok()? != index {
                return None;
            }
            cosmwasm_std::Binary::from_base64(field("data=")?)
                .ok()
                .map(|b| b.to_vec())
        })
}

/// Does one pending verifier task (spot check or dispute vote).
pub async fn verify(ctx: &VerifierContext, task: &jm::VerifierTask) -> Result<()> {
    let job_id = task.job_id;
    let job = ctx.account.job(job_id).await?;
    let result = job.result.clone().context("job has no result")?;
    let template = by_id(&job.spec.template)?;
    let params = template.parse_params(&params_text(&job))?;
    if task.dispute {
        return vote(ctx, &job, &result, template, &params).await;
    }
    let mut v = match ctx.duties.verification(job_id)? {
        Some(v) => v,
        None => {
            let v = Verification {
                job_id,
                dispute: false,
                sample: draw_sample(result.chunk_count, ctx.samples),
                verdict: None,
                sent: false,
                sealed: None,
                attempts: 0,
                last_error: None,
                updated_at: 0,
            };
            ctx.duties.put_verification(&v)?;
            v
        }
    };
    if v.sent {
        return Ok(());
    }
    let attestation = match &v.sealed {
        Some(sealed) => sealed.attestation.clone(),
        None => spot_check(ctx, &job, &result, template, &params, &v).await?,
    };
    if job.verification.as_ref().is_some_and(|ver| ver.sealed()) {
        return sealed_attest(ctx, &job, &mut v, attestation).await;
    }
    send_attestation(ctx, &mut v, attestation, None).await
}

/// Recomputes the forced-error chunk (if any) and the secret sample of a
/// spot check; the verdict to attest.
async fn spot_check(
    ctx: &VerifierContext,
    job: &Job,
    result: &JobResult,
    template: &'static dyn Template,
    params: &Params,
    v: &Verification,
) -> Result<Attestation> {
    let job_id = job.id;
    let input = job_input(&job.spec.input, ctx.max_input_bytes).await?;
    let decoy = job
        .verification
        .as_ref()
        .and_then(|ver| ver.decoy.as_ref())
        .map(|d| d.index);
    let chunks = chunks_to_check(&v.sample, decoy);
    tracing::info!(job = job_id, sample = ?v.sample, decoy_chunk = ?decoy, "spot-checking");
    let mut attestation = Attestation::Valid;
    for &index in &chunks {
        let fetched = fetch_chunk(result, index).await;
        let fetched = match fetched {
            ChunkFetch::NotReady(_) => fetched.or_withheld(may_wait(ctx, job_id)?),
            other => other,
        };
        let served = match fetched {
            ChunkFetch::Ok(d) => d,
            ChunkFetch::NotReady(why) => {
                bail!("chunk {index} not served yet ({why}); retrying shortly")
            }
            ChunkFetch::Withheld(why) => {
                let open = job.verification.as_ref().is_some_and(|ver| {
                    ver.challenges
                        .iter()
                        .any(|c| c.challenger.as_str() == ctx.account.address() && c.index == index)
                });
                if !open {
                    tracing::warn!(job = job_id, index, "{why}; challenging on chain");
                    ctx.account
                        .market(&jm::ExecuteMsg::Challenge { job_id, index })
                        .await?;
                }
                bail!("chunk {index} withheld ({why}); challenged");
            }
        };
        let expected = recompute(ctx, job_id, template, params, &input, result, index).await?;
        if !outputs_match(template.info(), &expected, &served) {
            if Some(index) == decoy {
                tracing::warn!(
                    job = job_id,
                    index,
                    "the forced-error chunk differs from the recomputation (a forced error, or a wrong result): attesting Invalid with the true leaf"
                );
            } else {
                tracing::warn!(job = job_id, index, "chunk differs from the recomputation");
            }
            attestation = Attestation::Invalid {
                index,
                chunk_hash: hex::encode(leaf_hash(&expected)),
            };
            break;
        }
    }
    Ok(attestation)
}

/// Sealed attestations (two or more verifiers of a forced-error pair):
/// seals the verdict first, keeping it and its salt in the database before
/// the seal goes out, and opens it once every verifier has sealed or the
/// seal window closed.
async fn sealed_attest(
    ctx: &VerifierContext,
    job: &Job,
    v: &mut Verification,
    attestation: Attestation,
) -> Result<()> {
    let job_id = job.id;
    let ver = job
        .verification
        .as_ref()
        .context("job has no verification")?;
    let me = ctx.account.address();
    let sealed = match &v.sealed {
        Some(s) => s.clone(),
        None => {
            let mut salt = [0u8; 32];
            OsRng.fill_bytes(&mut salt);
            let s = SealedVerdict {
                attestation,
                salt: hex::encode(salt),
            };
            v.sealed = Some(s.clone());
            ctx.duties.put_verification(v)?;
            s
        }
    };
    let salt = hex::decode(&sealed.salt).context("a damaged salt in the agent database")?;
    let on_chain = ver
        .verifiers
        .iter()
        .find(|e| e.address.as_str() == me)
        .context("this agent is not among the job's verifiers")?;
    let (_, block_time) = ctx.account.head().await?;
    let now = cosmwasm_std::Timestamp::from_seconds(block_time);
    if on_chain.seal.is_none() {
        if !ver.sealing(now) {
            v.sent = true;
            v.last_error = Some("the seal window closed before this verifier sealed".into());
            ctx.duties.put_verification(v)?;
            bail!("job {job_id}: the seal window closed before this verifier sealed; the duty is missed (unpaid)");
        }
        let seal = attestation_seal(job_id, me, &sealed.attestation, &salt);
        ctx.account
            .market(&jm::ExecuteMsg::SealAttestation { job_id, seal })
            .await?;
        tracing::info!(
            job = job_id,
            "sealed the attestation; it is opened once every verifier has sealed"
        );
        return Ok(());
    }
    if ver.sealing(now) {
        tracing::debug!(job = job_id, "waiting for the other verifiers to seal");
        return Ok(());
    }
    send_attestation(ctx, v, sealed.attestation, Some(Binary::from(salt))).await
}

/// Sends (or opens) the attestation and records it as sent.
async fn send_attestation(
    ctx: &VerifierContext,
    v: &mut Verification,
    attestation: Attestation,
    salt: Option<Binary>,
) -> Result<()> {
    let job_id = v.job_id;
    let valid = attestation == Attestation::Valid;
    ctx.account
        .market(&jm::ExecuteMsg::Attest {
            job_id,
            attestation,
            salt,
        })
        .await?;
    ctx.metrics.verdict(if valid { "valid" } else { "invalid" });
    v.verdict = Some(valid);
    v.sent = true;
    ctx.duties.put_verification(v)?;
    tracing::info!(job = job_id, valid, "attested");
    Ok(())
}

/// A dispute voter recomputes the disputed chunk and says whether the
/// provider's proved chunk is right.
async fn vote(
    ctx: &VerifierContext,
    job: &Job,
    result: &JobResult,
    template: &'static dyn Template,
    params: &Params,
) -> Result<()> {
    let Some(d) = job.verification.as_ref().and_then(|v| v.dispute.as_ref()) else {
        return Ok(());
    };
    let Some(provider_leaf) = &d.provider_leaf else {
        // The provider has not proved the chunk yet: nothing to vote on.
        return Ok(());
    };
    let fetched = fetch_chunk(result, d.index).await;
    let fetched = match fetched {
        ChunkFetch::NotReady(_) => fetched.or_withheld(may_wait(ctx, job.id)?),
        other => other,
    };
    let provider_correct = match fetched {
        ChunkFetch::NotReady(why) => {
            bail!(
                "disputed chunk {} not served yet ({why}); retrying shortly",
                d.index
            )
        }
        ChunkFetch::Ok(served) if hex::encode(leaf_hash(&served)) == *provider_leaf => {
            let input = job_input(&job.spec.input, ctx.max_input_bytes).await?;
            let expected =
                recompute(ctx, job.id, template, params, &input, result, d.index).await?;
            outputs_match(template.info(), &expected, &served)
        }
        ChunkFetch::Ok(_) => false,
        ChunkFetch::Withheld(why) => {
            tracing::warn!(job = job.id, "disputed chunk unavailable: {why}");
            false
        }
    };
    ctx.account
        .market(&jm::ExecuteMsg::VoteDispute {
            job_id: job.id,
            provider_correct,
        })
        .await?;
    ctx.metrics.verdict(if provider_correct {
        "vote_correct"
    } else {
        "vote_wrong"
    });
    ctx.duties.put_verification(&Verification {
        job_id: job.id,
        dispute: true,
        sample: vec![d.index],
        verdict: Some(provider_correct),
        sent: true,
        sealed: None,
        attempts: 0,
        last_error: None,
        updated_at: 0,
    })?;
    tracing::info!(
        job = job.id,
        index = d.index,
        provider_correct,
        "voted on the dispute"
    );
    Ok(())
}

/// Parameters of the registry's benchmark challenge: `bench.v1` at its
/// default size with the challenge's seed.
pub fn benchmark_params(seed_hex: &str) -> Result<Params> {
    Ok(by_id("bench.v1")?.parse_params(&format!("seed={seed_hex}"))?)
}

/// Runs a benchmark challenge on `device`; returns the hex result root and
/// the kernel seconds.
pub fn run_benchmark(
    exec: &crate::executor::Executor,
    device: usize,
    seed_hex: &str,
) -> Result<(String, f64)> {
    let template = by_id("bench.v1")?;
    let params = benchmark_params(seed_hex)?;
    let out = exec.run(device, template, &params, &[])?;
    Ok((hex::encode(out.tree.root()), out.run_time.as_secs_f64()))
}

/// Attests every submitted benchmark challenge of another provider that
/// this validator has not attested yet, by recomputing it.
pub async fn attest_benchmarks(ctx: &VerifierContext) -> Result<()> {
    for p in ctx.account.providers().await? {
        if p.address.as_str() == ctx.account.address() {
            continue;
        }
        let Some(challenge_id) = p.benchmark.open_challenge else {
            continue;
        };
        let key = format!("benchmark-{challenge_id}");
        if ctx.duties.meta::<bool>(&key)?.is_some() {
            continue;
        }
        let c = ctx.account.benchmark_challenge(challenge_id).await?;
        let ChallengeStatus::Submitted { result_root, .. } = &c.status else {
            continue;
        };
        // Only the drawn verifiers may attest: once the draw is made, an
        // agent left out of it does not spend a benchmark run on it.
        let me = ctx.account.address();
        if !c.verifiers.is_empty() && !c.verifiers.iter().any(|v| v.as_str() == me) {
            continue;
        }
        if c.attestations.iter().any(|a| a.validator.as_str() == me) {
            ctx.duties.put_meta(&key, &true)?;
            continue;
        }
        let exec = ctx.exec.clone();
        let device = ctx.device;
        let seed = c.seed.clone();
        let (root, _) =
            tokio::task::spawn_blocking(move || run_benchmark(&exec, device, &seed)).await??;
        let valid = root == result_root.to_lowercase();
        ctx.account
            .registry(&reg::ExecuteMsg::AttestBenchmark {
                provider: p.address.to_string(),
                challenge_id,
                valid,
                measured_score: c.claimed_score,
            })
            .await?;
        ctx.duties.put_meta(&key, &valid)?;
        tracing::info!(provider = %p.address, challenge_id, valid, "attested a benchmark");
    }
    Ok(())
}

/// The judge's verdict on a bad-input report, from fetching the input
/// itself: `Some(true)` when the input really is bad (missing, too large
/// for its declared size, or hashing to something else), `Some(false)`
/// when it matches its hash, `None` when the fetch failed in a way that
/// says nothing about the input (a timeout, a network error): judged later.
pub fn bad_input_verdict(fetched: &Result<Vec<u8>, crate::fetch::FetchError>) -> Option<bool> {
    use crate::fetch::FetchError as E;
    match fetched {
        Ok(_) => Some(false),
        Err(E::HashMismatch { .. } | E::NotFound(_) | E::TooLarge { .. }) => Some(true),
        Err(E::UnsupportedScheme(_) | E::BadExpectedHash(_)) => Some(true),
        Err(E::Http { status, .. }) if (400..500).contains(status) => Some(true),
        Err(_) => None,
    }
}

/// Bad-input reports this validator was drawn to judge: it fetches the
/// input and says whether the reporter was right.
pub async fn judge_bad_inputs(ctx: &VerifierContext) -> Result<()> {
    let me = ctx.account.address().to_string();
    let market = ctx.account.sm.job_market();
    let mut held = market
        .jobs_by_status(jm::JobStatus::Assigned, None, Some(100))
        .await?;
    held.extend(
        market
            .jobs_by_status(jm::JobStatus::Open, None, Some(100))
            .await?
            .into_iter()
            .filter(|j| !j.slots.is_empty()),
    );
    for job in held {
        let r = market.job(job.id).await?;
        if r.bad_input_judge.as_ref().is_none_or(|j| j.as_str() != me) {
            continue;
        }
        if !matches!(job.spec.input, JobInput::Remote { .. }) {
            continue;
        }
        let fetched = job_input(&job.spec.input, ctx.max_input_bytes).await;
        let Some(input_bad) = bad_input_verdict(&fetched) else {
            tracing::info!(
                job = job.id,
                "bad-input report: cannot fetch the input yet ({:?}); judging later",
                fetched.err()
            );
            continue;
        };
        ctx.account
            .market(&jm::ExecuteMsg::JudgeBadInput {
                job_id: job.id,
                input_bad,
            })
            .await?;
        tracing::info!(job = job.id, input_bad, "judged a bad-input report");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_checkpoints_are_read_back_from_the_history() {
        let ev = |action: &str, detail: &str| jm::JobEvent {
            seq: 0,
            action: action.into(),
            actor: None,
            height: 1,
            time: cosmwasm_std::Timestamp::from_seconds(1),
            detail: detail.into(),
        };
        let history = vec![
            ev("challenge_answered", "index=3 leaf=ab"),
            ev("data_published", "index=3 leaf=ab data=AQID"),
            ev("data_published", "index=4 leaf=cd data=!!"),
        ];
        assert_eq!(published_data(&history, 3), Some(vec![1, 2, 3]));
        // Not published, or published as something that is not base64.
        assert_eq!(published_data(&history, 5), None);
        assert_eq!(published_data(&history, 4), None);
    }

    #[test]
    fn samples_are_distinct_in_range_and_capped_by_the_chunk_count() {
        let s = draw_sample(1000, 16);
        assert_eq!(s.len(), 16);
        assert!(s.windows(2).all(|w| w[0] < w[1]));
        assert!(s.iter().all(|&i| i < 1000));
        assert_eq!(draw_sample(3, 16), vec![0, 1, 2]);
        // Two draws of 16 out of 2^40 are (practically) never equal: secret.
        assert_ne!(draw_sample(1 << 40, 16), draw_sample(1 << 40, 16));
    }

    #[test]
    fn the_forced_error_chunk_is_checked_first_and_once() {
        assert_eq!(chunks_to_check(&[1, 5, 9], None), [1, 5, 9]);
        assert_eq!(chunks_to_check(&[1, 5, 9], Some(7)), [7, 1, 5, 9]);
        assert_eq!(chunks_to_check(&[1, 5, 9], Some(5)), [5, 1, 9]);
        assert_eq!(chunks_to_check(&[], Some(0)), [0]);
    }

    #[test]
    fn not_ready_is_waited_for_a_grace_only() {
        assert!(within_grace(100, 100));
        assert!(within_grace(100, 100 + NOT_READY_GRACE_SECS - 1));
        assert!(!within_grace(100, 100 + NOT_READY_GRACE_SECS));
        assert!(matches!(
            ChunkFetch::NotReady("x".into()).or_withheld(false),
            ChunkFetch::Withheld(_)
        ));
        assert!(matches!(
            ChunkFetch::NotReady("x".into()).or_withheld(true),
            ChunkFetch::NotReady(_)
        ));
    }

    #[test]
    fn benchmark_params_take_the_seed() {
        let p = benchmark_params(&"ab".repeat(32)).unwrap();
        assert_eq!(p.hex32("seed"), [0xab; 32]);
        assert!(benchmark_params("zz").is_err());
    }

    #[test]
    fn a_judge_rules_on_what_the_input_is_not_on_transient_failures() {
        use crate::fetch::FetchError as E;
        assert_eq!(bad_input_verdict(&Ok(vec![1])), Some(false));
        let mismatch = E::HashMismatch {
            uri: "u".into(),
            expected: "a".into(),
            actual: "b".into(),
        };
        assert_eq!(bad_input_verdict(&Err(mismatch)), Some(true));
        assert_eq!(bad_input_verdict(&Err(E::NotFound("u".into()))), Some(true));
        let gone = E::Http {
            uri: "u".into(),
            status: 404,
        };
        assert_eq!(bad_input_verdict(&Err(gone)), Some(true));
        let busy = E::Http {
            uri: "u".into(),
            status: 503,
        };
        assert_eq!(bad_input_verdict(&Err(busy)), None);
        let slow = E::Timeout {
            uri: "u".into(),
            secs: 30,
        };
        assert_eq!(bad_input_verdict(&Err(slow)), None);
    }
}
