//! Spot-check verification: beacon-seeded draws of verifiers and dispute
//! voters, attestations, chunk and data challenges (withheld data),
//! disputes (Invalid attestations) and their resolution.
//!
//! Draws. A job fixes everything it contributes to its draw first (at
//! `SubmitResult`: the root; at an Invalid attestation: the disputed index)
//! and records `draw_at` = the registry beacon's `seq + reveals_per_draw`.
//! The draw happens once that reveal exists (`DrawVerifiers`, or lazily in
//! any handler of the job), seeded by sha256(tag ‖ job id ‖ root ‖ … ‖ the
//! beacon value at `draw_at`): a value nobody knew when the root or the
//! attestation time was chosen. Every drawn verifier or voter has
//! ⌈`verifier_collateral_rate` × verifier fee⌉ of its free bond locked in the
//! registry under (verifier, job id) until its duty ends.
//!
//! Who is paid or slashed: a provider that loses (fails to prove a chunk or
//! publish a checkpoint in time, or is outvoted) forfeits its collateral to
//! the challenging verifier; a verifier whose Invalid claim is refuted loses
//! its lock to the provider it wronged; when the voters prove the result
//! fraudulent, every verifier that attested Valid loses its lock to the
//! challenger; voters that stay silent or vote against the decided side lose
//! theirs to the treasury. A round without a strict majority of its drawn
//! voters starts a fresh draw, up to `dispute_rounds`; after that the job
//! fails with a refund and nobody else is slashed.

use std::collections::BTreeMap;

use cosmwasm_std::{
    Addr, Binary, CosmosMsg, Deps, DepsMut, Env, Event, MessageInfo, QuerierWrapper, Response,
    StdResult, Storage, Uint128,
};
use starminer_interfaces::job_market::{
    attestation_seal, Attestation, ChunkChallenge, Dispute, DisputeVoter, Job, JobStatus,
    MarketParams, Verification, VerifierEntry, MAX_DRAW_BATCH,
};
use starminer_interfaces::market::{Determinism, JobClass, VerificationMode};
use starminer_interfaces::registry::{
    BeaconEntryResponse, BeaconResponse, JobOutcome, QueryMsg as RegistryQuery,
    ValidatorTotalsResponse, ValidatorsResponse,
};

use crate::error::ContractError;
use crate::execute::settle::{reopen_or_close, settle_if_ready};
use crate::execute::{
    event, load_job, outcome_msg, slash_msgs, unlock_msg, valid_attesters, wrong_status,
};
use crate::logic::{draw_seed, draw_weighted, verify_chunk};
use crate::state::{
    credit_voters, save_job, Config, CONFIG, DUTY_LOCKS, PARAMS, TEMPLATES, VERIFIER_TASKS,
};
use crate::validate::is_hex_hash;

/// Withheld-chunk challenges one challenger may open on one job.
pub const MAX_CHALLENGES_PER_CHALLENGER: usize = 4;
const REGISTRY_PAGE: u32 = 100;

pub type Effects = (Vec<CosmosMsg>, Vec<Event>);

/// A seated validator: (address, stake, free bond).
pub type Seat = (Addr, Uint128, Uint128);

/// The registry's validator set with their draw weights (address, stake)
/// for a draw seeded by beacon value `as_of`.
pub fn validator_set(deps: Deps, registry: &Addr, as_of: u64) -> StdResult<Vec<(Addr, Uint128)>> {
    Ok(validator_seats(&deps.querier, registry, as_of)?
        .into_iter()
        .map(|(a, stake, _)| (a, stake))
        .collect())
}

/// The registry's validator set with free bond, weighted for a draw seeded
/// by beacon value `as_of`: each seat counts with the smaller of its stake
/// before that value was revealed and its stake now (`ValidatorsAsOf`), so
/// bonding after the seed is public buys no weight in that draw. Read page
/// by page; never more than the registry's `max_validators`.
pub fn validator_seats(
    querier: &QuerierWrapper,
    registry: &Addr,
    as_of: u64,
) -> StdResult<Vec<Seat>> {
    let totals: ValidatorTotalsResponse =
        querier.query_wasm_smart(registry, &RegistryQuery::ValidatorTotals {})?;
    let bound = totals.count.min(totals.max_validators) as usize;
    let mut set = Vec::with_capacity(bound);
    let mut start_after: Option<String> = None;
    while set.len() < bound {
        let page: ValidatorsResponse = querier.query_wasm_smart(
            registry,
            &RegistryQuery::ValidatorsAsOf {
                seq: as_of,
                start_after: start_after.clone(),
                limit: Some(REGISTRY_PAGE),
            },
        )?;
        let n = page.validators.len();
        start_after = page.validators.last().map(|v| v.address.to_string());
        set.extend(
            page.validators
                .into_iter()
                .map(|v| (v.address, v.stake, v.free)),
        );
        if n < REGISTRY_PAGE as usize {
            break;
        }
    }
    set.truncate(bound);
    Ok(set)
}

fn beacon_head(querier: &QuerierWrapper, registry: &Addr) -> StdResult<BeaconResponse> {
    querier.query_wasm_smart(registry, &RegistryQuery::Beacon {})
}

/// The beacon value right after reveal `seq`, if it happened.
pub(crate) fn beacon_value_at(
    querier: &QuerierWrapper,
    registry: &Addr,
    seq: u64,
) -> StdResult<Option<String>> {
    let r: BeaconEntryResponse =
        querier.query_wasm_smart(registry, &RegistryQuery::BeaconAt { seq })?;
    Ok(r.entry.map(|e| e.value))
}

/// The reveal a draw fixed now waits for; None when no validator runs the
/// beacon (`reveals_per_draw` 0: nothing can be drawn).
pub(crate) fn next_draw_at(querier: &QuerierWrapper, registry: &Addr) -> StdResult<Option<u64>> {
    let head = beacon_head(querier, registry)?;
    Ok((head.reveals_per_draw > 0)
        .then(|| head.seq.saturating_add(u64::from(head.reveals_per_draw))))
}

pub fn result_provider(job: &Job) -> Result<Addr, ContractError> {
    job.slots
        .first()
        .map(|s| s.provider.clone())
        .ok_or(ContractError::NotSlotProvider { job_id: job.id })
}

/// Stake each verifier or voter of `job` locks for its duty.
pub fn duty_lock(job: &Job, params: &MarketParams) -> Uint128 {
    job.quote
        .verifier_fee
        .checked_mul_ceil(params.verifier_collateral_rate)
        .unwrap_or(Uint128::MAX)
}

/// The verification record of a result just submitted. SpotCheck: the
/// verifiers wait for beacon reveal `seq + reveals_per_draw` (drawn later);
/// without a beacon (`reveals_per_draw` 0, no anchored validator) there are
/// no verifiers and their fees are refunded at settlement, as with a too
/// small validator set. The challenge window opens now and restarts at the
/// draw.
pub fn open_verification(deps: Deps, env: &Env, job: &Job) -> Result<Verification, ContractError> {
    let params = PARAMS.load(deps.storage)?;
    let config = CONFIG.load(deps.storage)?;
    let draw_at = match job.spec.verification {
        VerificationMode::SpotCheck { verifiers } if verifiers > 0 => {
            next_draw_at(&deps.querier, &config.registry)?
        }
        _ => None,
    };
    Ok(Verification {
        challenge_deadline: env.block.time.plus_seconds(params.challenge_window),
        decoy: None,
        draw_at,
        verifiers: vec![],
        challenges: vec![],
        dispute: None,
        reveal_until: None,
    })
}

/// State shared by the draws of one transaction: the validator set (read
/// once) and the bond already reserved by earlier draws of the same
/// transaction, whose locks the registry has not applied yet.
#[derive(Default)]
pub struct DrawCtx {
    /// The set read for one beacon value (draws of one transaction may be
    /// seeded by different values).
    set: Option<(u64, Vec<Seat>)>,
    reserved: BTreeMap<Addr, Uint128>,
}

impl DrawCtx {
    /// Seats (address, draw weight as of beacon value `as_of`) whose free
    /// bond still covers `lock`.
    fn eligible(
        &mut self,
        querier: &QuerierWrapper,
        registry: &Addr,
        as_of: u64,
        lock: Uint128,
    ) -> StdResult<Vec<(Addr, Uint128)>> {
        if self.set.as_ref().is_none_or(|(seq, _)| *seq != as_of) {
            self.set = Some((as_of, validator_seats(querier, registry, as_of)?));
        }
        let set = self
            .set
            .as_ref()
            .map(|(_, s)| s.as_slice())
            .unwrap_or_default();
        Ok(set
            .iter()
            .filter(|(a, _, free)| {
                let reserved = self.reserved.get(a).copied().unwrap_or_default();
                lock.is_zero() || free.saturating_sub(reserved) >= lock
            })
            .map(|(a, stake, _)| (a.clone(), *stake))
            .collect())
    }
}

/// Locks `lock` of each drawn address for `job_id` and records it.
fn lock_duties(
    storage: &mut dyn Storage,
    config: &Config,
    ctx: &mut DrawCtx,
    job_id: u64,
    drawn: &[Addr],
    lock: Uint128,
) -> StdResult<Vec<CosmosMsg>> {
    let mut msgs = Vec::new();
    if lock.is_zero() {
        return Ok(msgs);
    }
    for addr in drawn {
        msgs.extend(crate::execute::lock_msg(config, addr, job_id, lock)?);
        DUTY_LOCKS.save(storage, (job_id, addr), &lock)?;
        let r = ctx.reserved.entry(addr.clone()).or_default();
        *r = r.saturating_add(lock);
    }
    Ok(msgs)
}

/// Unlocks the duty lock of `addr` on `job_id`, if any.
pub fn release_duty(
    storage: &mut dyn Storage,
    config: &Config,
    job_id: u64,
    addr: &Addr,
) -> StdResult<Vec<CosmosMsg>> {
    match DUTY_LOCKS.may_load(storage, (job_id, addr))? {
        Some(amount) => {
            DUTY_LOCKS.remove(storage, (job_id, addr));
            if amount.is_zero() {
                Ok(vec![])
            } else {
                Ok(vec![unlock_msg(config, addr, job_id)?])
            }
        }
        None => Ok(vec![]),
    }
}

/// Unlocks every duty lock left on `job_id` (its verification ended).
/// Bounded by `max_verifiers` + `dispute_verifiers` × `dispute_rounds`.
pub fn release_all_duties(
    storage: &mut dyn Storage,
    config: &Config,
    job_id: u64,
) -> StdResult<Vec<CosmosMsg>> {
    let holders: Vec<Addr> = DUTY_LOCKS
        .prefix(job_id)
        .keys(storage, None, None, cosmwasm_std::Order::Ascending)
        .collect::<StdResult<_>>()?;
    let mut msgs = Vec::new();
    for addr in holders {
        msgs.extend(release_duty(storage, config, job_id, &addr)?);
    }
    Ok(msgs)
}

/// Slashes the duty lock of `addr` on `job_id`. A verifier entry written
/// before duty locks existed has no lock: the registry then takes
/// `fallback` from its free bond.
pub fn slash_duty(
    storage: &mut dyn Storage,
    config: &Config,
    job_id: u64,
    addr: &Addr,
    fallback: Uint128,
    beneficiary: Option<&Addr>,
) -> StdResult<Vec<CosmosMsg>> {
    let amount = DUTY_LOCKS
        .may_load(storage, (job_id, addr))?
        .unwrap_or(fallback);
    DUTY_LOCKS.remove(storage, (job_id, addr));
    slash_msgs(storage, config, addr, Some(job_id), amount, beneficiary)
}

/// Draws what the job waits for (spot checkers when Submitted, dispute
/// voters when Disputed) if its beacon value exists. Ok(None): nothing
/// pending or not ready. The job is not saved.
pub fn try_draw(
    deps: &mut DepsMut,
    env: &Env,
    ctx: &mut DrawCtx,
    job: &mut Job,
) -> Result<Option<Effects>, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let params = PARAMS.load(deps.storage)?;
    let root = job
        .result
        .as_ref()
        .map(|r| r.root.clone())
        .unwrap_or_default();
    let provider = result_provider(job)?;
    let lock = duty_lock(job, &params);
    let job_id = job.id;
    let Some(v) = job.verification.as_mut() else {
        return Ok(None);
    };
    let querier = deps.querier;
    if let (JobStatus::Submitted, Some(draw_at)) = (&job.status, v.draw_at) {
        let Some(value) = beacon_value_at(&querier, &config.registry, draw_at)? else {
            return Ok(None);
        };
        let count = match job.spec.verification {
            VerificationMode::SpotCheck { verifiers } => usize::from(verifiers),
            _ => 0,
        };
        let seed = draw_seed(b"spot-check", job_id, &root, &[], &value);
        let pool = ctx.eligible(&querier, &config.registry, draw_at, lock)?;
        let drawn = draw_weighted(&pool, &[&provider], count, &seed);
        let msgs = lock_duties(deps.storage, &config, ctx, job_id, &drawn, lock)?;
        v.verifiers = drawn
            .iter()
            .map(|address| VerifierEntry {
                address: address.clone(),
                attestation: None,
                seal: None,
            })
            .collect();
        v.draw_at = None;
        v.challenge_deadline = env.block.time.plus_seconds(params.challenge_window);
        // Two or more verifiers of a forced-error pair seal their verdicts
        // first: otherwise the last could copy the others' call on the
        // decoy chunk without recomputing it.
        if v.decoy.is_some() && v.verifiers.len() > 1 {
            v.reveal_until = Some(v.challenge_deadline.plus_seconds(params.response_window));
        }
        // Forced errors: the same seed designates which root of the pair
        // the verifiers check.
        let designated = crate::execute::decoy::designate(v, &seed, &params);
        if let (Some(root), Some(result)) = (&designated, job.result.as_mut()) {
            result.root = root.clone();
        }
        index_verifiers(deps.storage, job)?;
        let names: Vec<&str> = drawn.iter().map(|a| a.as_str()).collect();
        let ev = event(
            deps.storage,
            env,
            job,
            "verifiers_drawn",
            None,
            format!(
                "beacon_seq={draw_at} beacon_value={value} lock={lock} verifiers={}{}",
                names.join(","),
                designated
                    .map(|r| format!(" designated_root={r}"))
                    .unwrap_or_default()
            ),
        )?;
        return Ok(Some((msgs, vec![ev])));
    }
    let spot_checkers: Vec<Addr> = v.verifiers.iter().map(|e| e.address.clone()).collect();
    let Some(d) = v.dispute.as_mut() else {
        return Ok(None);
    };
    let (JobStatus::Disputed, Some(draw_at)) = (&job.status, d.draw_at) else {
        return Ok(None);
    };
    let Some(value) = beacon_value_at(&querier, &config.registry, draw_at)? else {
        return Ok(None);
    };
    let mut extra = d.index.to_be_bytes().to_vec();
    extra.push(d.round);
    extra.extend_from_slice(d.challenger.as_bytes());
    let seed = draw_seed(b"dispute", job_id, &root, &extra, &value);
    let mut exclude: Vec<&Addr> = vec![&provider];
    exclude.extend(spot_checkers.iter());
    exclude.extend(d.past_voters.iter());
    let pool = ctx.eligible(&querier, &config.registry, draw_at, lock)?;
    let drawn = draw_weighted(
        &pool,
        &exclude,
        usize::from(params.dispute_verifiers),
        &seed,
    );
    let msgs = lock_duties(deps.storage, &config, ctx, job_id, &drawn, lock)?;
    d.voters = drawn
        .iter()
        .map(|address| DisputeVoter {
            address: address.clone(),
            provider_correct: None,
        })
        .collect();
    d.draw_at = None;
    if d.provider_leaf.is_some() {
        d.vote_deadline = Some(env.block.time.plus_seconds(params.response_window));
    }
    let round = d.round;
    index_verifiers(deps.storage, job)?;
    let names: Vec<&str> = drawn.iter().map(|a| a.as_str()).collect();
    let ev = event(
        deps.storage,
        env,
        job,
        "voters_drawn",
        None,
        format!(
            "round={round} beacon_seq={draw_at} beacon_value={value} lock={lock} voters={}",
            names.join(",")
        ),
    )?;
    Ok(Some((msgs, vec![ev])))
}

/// Whether the job waits for a draw, and for which reveal.
fn pending_draw(job: &Job) -> Option<(u64, &'static str)> {
    let v = job.verification.as_ref()?;
    if job.status == JobStatus::Submitted {
        if let Some(at) = v.draw_at {
            return Some((at, "verifiers"));
        }
    }
    if job.status == JobStatus::Disputed {
        if let Some(at) = v.dispute.as_ref().and_then(|d| d.draw_at) {
            return Some((at, "dispute voters"));
        }
    }
    None
}

/// Whether a pending draw waited longer than `draw_timeout` for its beacon.
fn draw_stalled(job: &Job, env: &Env, params: &MarketParams) -> bool {
    let Some(v) = job.verification.as_ref() else {
        return false;
    };
    let since = if job.status == JobStatus::Submitted && v.draw_at.is_some() {
        job.result.as_ref().map(|r| r.submitted_at)
    } else {
        v.dispute
            .as_ref()
            .filter(|d| d.draw_at.is_some())
            .map(|d| d.opened_at.unwrap_or(d.response_deadline))
    };
    since.is_some_and(|t| env.block.time > t.plus_seconds(params.draw_timeout))
}

/// Draws if ready; fails with [`ContractError::DrawPending`] while a draw
/// the caller needs still waits for its beacon value.
fn draw_or_wait(deps: &mut DepsMut, env: &Env, job: &mut Job) -> Result<Effects, ContractError> {
    let Some((draw_at, what)) = pending_draw(job) else {
        return Ok((vec![], vec![]));
    };
    match try_draw(deps, env, &mut DrawCtx::default(), job)? {
        Some(effects) => Ok(effects),
        None => Err(ContractError::DrawPending {
            job_id: job.id,
            what: what.into(),
            draw_at,
        }),
    }
}

/// Records every verifier and dispute voter of the job in the per-address
/// task index.
pub fn index_verifiers(storage: &mut dyn Storage, job: &Job) -> StdResult<()> {
    if let Some(v) = &job.verification {
        for e in &v.verifiers {
            VERIFIER_TASKS.save(storage, (&e.address, job.id), &false)?;
        }
        if let Some(d) = &v.dispute {
            for voter in &d.voters {
                VERIFIER_TASKS.save(storage, (&voter.address, job.id), &true)?;
            }
        }
    }
    Ok(())
}

fn verification_mut(job: &mut Job) -> Result<&mut Verification, ContractError> {
    let id = job.id;
    job.verification
        .as_mut()
        .ok_or(ContractError::NotVerifier { job_id: id })
}

/// Attestations and challenges close with the challenge window.
fn ensure_window_open(job: &Job, env: &Env, what: &str) -> Result<(), ContractError> {
    if let Some(v) = &job.verification {
        if env.block.time > v.challenge_deadline {
            return Err(ContractError::WindowClosed {
                job_id: job.id,
                what: what.into(),
                deadline: v.challenge_deadline,
            });
        }
    }
    Ok(())
}

/// Anyone: draws the verifiers or dispute voters of each listed job whose
/// beacon value exists; skips the others.
pub fn execute_draw_verifiers(
    mut deps: DepsMut,
    env: Env,
    job_ids: Vec<u64>,
) -> Result<Response, ContractError> {
    if job_ids.len() > MAX_DRAW_BATCH {
        return Err(ContractError::TooManyJobIds {
            max: MAX_DRAW_BATCH,
        });
    }
    let mut ctx = DrawCtx::default();
    let mut response = Response::new().add_attribute("action", "draw_verifiers");
    let mut drawn = Vec::new();
    for job_id in job_ids {
        let Some(mut job) = crate::state::JOBS.may_load(deps.storage, job_id)? else {
            continue;
        };
        let old = job.status.clone();
        let effects = if job.replica_draw.is_some() {
            crate::execute::replicas::try_draw(&mut deps, &env, &mut job)?
        } else {
            try_draw(&mut deps, &env, &mut ctx, &mut job)?
        };
        if let Some((msgs, events)) = effects {
            save_job(deps.storage, Some(&old), &job)?;
            response = response.add_messages(msgs).add_events(events);
            drawn.push(job_id.to_string());
        }
    }
    Ok(response.add_attribute("drawn", drawn.join(",")))
}

/// Loads a job that takes attestations (Submitted, or Disputed while its
/// other verifiers still attest) and draws its verifiers if they are due.
fn attestable_job(
    deps: &mut DepsMut,
    env: &Env,
    job_id: u64,
) -> Result<(Job, JobStatus, Effects), ContractError> {
    let mut job = load_job(deps.storage, job_id)?;
    if !matches!(job.status, JobStatus::Submitted | JobStatus::Disputed) {
        return Err(wrong_status(&job, "Submitted"));
    }
    let old = job.status.clone();
    let effects = if job.status == JobStatus::Submitted {
        draw_or_wait(deps, env, &mut job)?
    } else {
        (vec![], vec![])
    };
    Ok((job, old, effects))
}

/// The sender's entry among the job's drawn verifiers, while it has not
/// attested.
fn own_entry<'a>(
    v: &'a mut Verification,
    sender: &Addr,
    job_id: u64,
) -> Result<&'a mut VerifierEntry, ContractError> {
    let entry = v
        .verifiers
        .iter_mut()
        .find(|e| e.address == *sender)
        .ok_or(ContractError::NotVerifier { job_id })?;
    if entry.attestation.is_some() {
        return Err(ContractError::AlreadyAttested { job_id });
    }
    Ok(entry)
}

/// A verifier of a job with sealed attestations commits to its verdict.
pub fn execute_seal_attestation(
    mut deps: DepsMut,
    env: Env,
    info: MessageInfo,
    job_id: u64,
    seal: String,
) -> Result<Response, ContractError> {
    let (mut job, old, (msgs, events)) = attestable_job(&mut deps, &env, job_id)?;
    ensure_window_open(&job, &env, "attestation seal")?;
    if !is_hex_hash(&seal) {
        return Err(ContractError::InvalidResult {
            reason: "seal must be 64 hex characters".into(),
        });
    }
    let v = verification_mut(&mut job)?;
    if !v.sealed() {
        return Err(ContractError::NotSealed { job_id });
    }
    let entry = own_entry(v, &info.sender, job_id)?;
    if entry.seal.is_some() {
        return Err(ContractError::AlreadyAttested { job_id });
    }
    let seal = seal.to_ascii_lowercase();
    entry.seal = Some(seal.clone());
    let ev = event(
        deps.storage,
        &env,
        &job,
        "attestation_sealed",
        Some(&info.sender),
        seal,
    )?;
    save_job(deps.storage, Some(&old), &job)?;
    Ok(Response::new()
        .add_messages(msgs)
        .add_events(events)
        .add_event(ev)
        .add_attribute("action", "attestation_sealed")
        .add_attribute("job_id", job_id.to_string()))
}

/// Checks that `attestation` may be taken from `sender` now: within the
/// challenge window, or with sealed attestations, after the seals and
/// within the reveal window, opening the sender's seal.
fn check_attest_window(
    job: &Job,
    env: &Env,
    sender: &Addr,
    attestation: &Attestation,
    salt: Option<&Binary>,
) -> Result<(), ContractError> {
    let job_id = job.id;
    let Some(v) = job.verification.as_ref().filter(|v| v.sealed()) else {
        return ensure_window_open(job, env, "attestation");
    };
    let seal = v
        .verifiers
        .iter()
        .find(|e| e.address == *sender)
        .ok_or(ContractError::NotVerifier { job_id })?
        .seal
        .as_deref()
        .ok_or(ContractError::SealRequired { job_id })?;
    let salt = salt.ok_or(ContractError::SealRequired { job_id })?;
    if v.sealing(env.block.time) {
        return Err(ContractError::SealsPending {
            job_id,
            until: v.challenge_deadline.seconds(),
        });
    }
    let deadline = v.attest_deadline();
    if env.block.time > deadline {
        return Err(ContractError::WindowClosed {
            job_id,
            what: "attestation reveal".into(),
            deadline,
        });
    }
    if attestation_seal(job_id, sender.as_str(), attestation, salt) != seal {
        return Err(ContractError::SealMismatch { job_id });
    }
    Ok(())
}

pub fn execute_attest(
    mut deps: DepsMut,
    env: Env,
    info: MessageInfo,
    job_id: u64,
    attestation: Attestation,
    salt: Option<Binary>,
) -> Result<Response, ContractError> {
    let (mut job, old, (draw_msgs, draw_events)) = attestable_job(&mut deps, &env, job_id)?;
    check_attest_window(&job, &env, &info.sender, &attestation, salt.as_ref())?;
    let chunk_count = job.result.as_ref().map(|r| r.chunk_count).unwrap_or(0);
    let v = verification_mut(&mut job)?;
    let sealed_index = crate::execute::decoy::sealed_index(v);
    let dispute_open = v.dispute.is_some();
    let entry = own_entry(v, &info.sender, job_id)?;
    let mut response = Response::new()
        .add_messages(draw_msgs)
        .add_events(draw_events)
        .add_attribute("action", "attested")
        .add_attribute("job_id", job_id.to_string());
    match &attestation {
        Attestation::Valid => {
            entry.attestation = Some(Attestation::Valid);
            let ev = event(
                deps.storage,
                &env,
                &job,
                "attested",
                Some(&info.sender),
                "valid".into(),
            )?;
            response = response.add_event(ev).add_attribute("verdict", "valid");
            let (msgs, events) = settle_if_ready(deps.storage, &env, &mut job)?;
            save_job(deps.storage, Some(&old), &job)?;
            Ok(response.add_messages(msgs).add_events(events))
        }
        Attestation::Invalid { index, chunk_hash } => {
            if *index >= chunk_count {
                return Err(ContractError::ChunkOutOfRange {
                    index: *index,
                    chunk_count,
                });
            }
            if !is_hex_hash(chunk_hash) {
                return Err(ContractError::InvalidResult {
                    reason: "chunk_hash must be 64 hex characters".into(),
                });
            }
            let chunk_hash = chunk_hash.to_ascii_lowercase();
            // A flag on the decoy leaf of a sealed pair waits for the
            // provider's reveal: it may be the forced error.
            let held = sealed_index == Some(*index);
            if !held && dispute_open {
                return Err(ContractError::DisputeOpen { job_id });
            }
            entry.attestation = Some(Attestation::Invalid {
                index: *index,
                chunk_hash: chunk_hash.clone(),
            });
            let ev = if held {
                event(
                    deps.storage,
                    &env,
                    &job,
                    "attested",
                    Some(&info.sender),
                    format!("invalid index={index} claimed_hash={chunk_hash} (decoy leaf: judged at the reveal)"),
                )?
            } else {
                open_dispute(
                    deps.storage,
                    &deps.querier,
                    &env,
                    &mut job,
                    &info.sender,
                    *index,
                    &chunk_hash,
                )?
            };
            save_job(deps.storage, Some(&old), &job)?;
            Ok(response
                .add_event(ev)
                .add_attribute("verdict", "invalid")
                .add_attribute("index", index.to_string()))
        }
    }
}

/// Opens the dispute of an Invalid claim on chunk `index`: the provider
/// must prove its leaf within `response_window`; the voters are drawn from
/// a beacon value revealed after this moment, so its timing chooses nothing.
pub fn open_dispute(
    storage: &mut dyn Storage,
    querier: &QuerierWrapper,
    env: &Env,
    job: &mut Job,
    challenger: &Addr,
    index: u64,
    claimed_hash: &str,
) -> Result<Event, ContractError> {
    let params = PARAMS.load(storage)?;
    let config = CONFIG.load(storage)?;
    let draw_at = next_draw_at(querier, &config.registry)?;
    let v = verification_mut(job)?;
    v.dispute = Some(Dispute {
        challenger: challenger.clone(),
        index,
        claimed_hash: claimed_hash.to_string(),
        provider_leaf: None,
        response_deadline: env.block.time.plus_seconds(params.response_window),
        vote_deadline: None,
        voters: vec![],
        draw_at,
        round: 1,
        past_voters: vec![],
        opened_at: Some(env.block.time),
    });
    job.status = JobStatus::Disputed;
    event(
        storage,
        env,
        job,
        "disputed",
        Some(challenger),
        format!(
            "index={index} claimed_hash={claimed_hash} voters_at_beacon={}",
            draw_at
                .map(|s| s.to_string())
                .unwrap_or_else(|| "none".into())
        ),
    )
}

/// An assigned verifier (or the requester of a job without verifiers) says
/// chunk `index` cannot be fetched (`data` false: the provider must prove
/// its leaf) or that it needs the chunk's bytes (`data` true, sequential
/// templates: the provider must publish them).
fn open_challenge(
    mut deps: DepsMut,
    env: Env,
    info: MessageInfo,
    job_id: u64,
    index: u64,
    data: bool,
) -> Result<Response, ContractError> {
    let params = PARAMS.load(deps.storage)?;
    let mut job = load_job(deps.storage, job_id)?;
    if !matches!(job.status, JobStatus::Submitted | JobStatus::Disputed) {
        return Err(wrong_status(&job, "Submitted"));
    }
    if data {
        let template = TEMPLATES.load(deps.storage, &job.spec.template)?;
        if template.class != JobClass::Training {
            return Err(ContractError::NotSequential { job_id });
        }
        if template.chunk_size > params.max_data_bytes {
            return Err(ContractError::DataTooLarge {
                size: template.chunk_size,
                max: params.max_data_bytes,
            });
        }
    }
    let old = job.status.clone();
    let (draw_msgs, draw_events) = if job.status == JobStatus::Submitted {
        draw_or_wait(&mut deps, &env, &mut job)?
    } else {
        (vec![], vec![])
    };
    ensure_window_open(&job, &env, "challenge")?;
    let chunk_count = job.result.as_ref().map(|r| r.chunk_count).unwrap_or(0);
    if index >= chunk_count {
        return Err(ContractError::ChunkOutOfRange { index, chunk_count });
    }
    let requester = job.requester.clone();
    let v = verification_mut(&mut job)?;
    let allowed = if v.verifiers.is_empty() {
        info.sender == requester
    } else {
        v.verifiers
            .iter()
            .any(|e| e.address == info.sender && e.attestation.is_none())
    };
    if !allowed {
        return Err(ContractError::NotVerifier { job_id });
    }
    let mine = v.challenges.iter().filter(|c| c.challenger == info.sender);
    if mine.clone().any(|c| c.answer.is_none()) || mine.count() >= MAX_CHALLENGES_PER_CHALLENGER {
        return Err(ContractError::ChallengeAlreadyOpen { job_id });
    }
    let deadline = env.block.time.plus_seconds(params.response_window);
    v.challenges.push(ChunkChallenge {
        challenger: info.sender.clone(),
        index,
        deadline,
        answer: None,
        data,
    });
    save_job(deps.storage, Some(&old), &job)?;
    let action = if data {
        "data_challenged"
    } else {
        "challenged"
    };
    let ev = event(
        deps.storage,
        &env,
        &job,
        action,
        Some(&info.sender),
        format!("index={index} deadline={}", deadline.seconds()),
    )?;
    Ok(Response::new()
        .add_messages(draw_msgs)
        .add_events(draw_events)
        .add_event(ev)
        .add_attribute("action", action)
        .add_attribute("job_id", job_id.to_string())
        .add_attribute("index", index.to_string()))
}

pub fn execute_challenge(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    job_id: u64,
    index: u64,
) -> Result<Response, ContractError> {
    open_challenge(deps, env, info, job_id, index, false)
}

pub fn execute_challenge_data(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    job_id: u64,
    index: u64,
) -> Result<Response, ContractError> {
    open_challenge(deps, env, info, job_id, index, true)
}

/// The provider proves chunk `index` against its root: answers every open
/// challenge of that chunk and the dispute about it (leaf-only answers
/// cannot answer a data challenge).
pub fn execute_respond_challenge(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    job_id: u64,
    index: u64,
    leaf_hash: String,
    proof: Vec<String>,
) -> Result<Response, ContractError> {
    answer_chunk(deps, env, info, job_id, index, leaf_hash, proof, None)
}

/// The provider publishes chunk `index` with its proof; answers data and
/// leaf challenges of that chunk and the dispute about it.
pub fn execute_respond_data(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    job_id: u64,
    index: u64,
    data: cosmwasm_std::Binary,
    proof: Vec<String>,
) -> Result<Response, ContractError> {
    let params = PARAMS.load(deps.storage)?;
    let job = load_job(deps.storage, job_id)?;
    let template = TEMPLATES.load(deps.storage, &job.spec.template)?;
    let max = template.chunk_size.min(params.max_data_bytes);
    let size = data.len() as u64;
    if size > max {
        return Err(ContractError::DataTooLarge { size, max });
    }
    let leaf = hex::encode(starminer_merkle::leaf_hash(data.as_slice()));
    answer_chunk(deps, env, info, job_id, index, leaf, proof, Some(data))
}

#[allow(clippy::too_many_arguments)]
fn answer_chunk(
    mut deps: DepsMut,
    env: Env,
    info: MessageInfo,
    job_id: u64,
    index: u64,
    leaf_hash: String,
    proof: Vec<String>,
    data: Option<cosmwasm_std::Binary>,
) -> Result<Response, ContractError> {
    let params = PARAMS.load(deps.storage)?;
    let mut job = load_job(deps.storage, job_id)?;
    if !matches!(job.status, JobStatus::Submitted | JobStatus::Disputed) {
        return Err(wrong_status(&job, "Submitted or Disputed"));
    }
    if result_provider(&job)? != info.sender {
        return Err(ContractError::NotSlotProvider { job_id });
    }
    let result = job
        .result
        .clone()
        .ok_or(ContractError::NothingToAnswer { job_id, index })?;
    // Bounded by the tree height; longer proofs are refused by the verifier.
    if proof.len() > 64 {
        return Err(ContractError::InvalidProof {
            reason: "too many sibling hashes".into(),
        });
    }
    let leaf = leaf_hash.to_ascii_lowercase();
    verify_chunk(&result.root, result.chunk_count, index, &leaf, &proof)?;
    let template = TEMPLATES.load(deps.storage, &job.spec.template)?;
    let old = job.status.clone();
    // Voters may be drawn now (the provider's answer does not wait for them).
    let (draw_msgs, draw_events) =
        try_draw(&mut deps, &env, &mut DrawCtx::default(), &mut job)?.unwrap_or_default();
    let now = env.block.time;
    let with_data = data.is_some();
    let v = verification_mut(&mut job)?;
    let mut answered = 0u32;
    let mut late: Option<cosmwasm_std::Timestamp> = None;
    for c in v.challenges.iter_mut() {
        if c.index == index && c.answer.is_none() && (with_data || !c.data) {
            if now > c.deadline {
                late = Some(c.deadline);
                continue;
            }
            c.answer = Some(leaf.clone());
            answered += 1;
        }
    }
    let mut refuted = false;
    if let Some(d) = v.dispute.as_mut() {
        if d.index == index && d.provider_leaf.is_none() {
            if now > d.response_deadline {
                late = Some(d.response_deadline);
            } else {
                d.provider_leaf = Some(leaf.clone());
                if d.draw_at.is_none() {
                    d.vote_deadline = Some(now.plus_seconds(params.response_window));
                }
                answered += 1;
                // The provider's committed chunk is exactly what the
                // challenger computed: for an exact template the Invalid
                // claim refutes itself.
                refuted = template.determinism == Determinism::Exact && d.claimed_hash == leaf;
            }
        }
    }
    if answered == 0 {
        return Err(match late {
            Some(deadline) => ContractError::WindowClosed {
                job_id,
                what: "response".into(),
                deadline,
            },
            None => ContractError::NothingToAnswer { job_id, index },
        });
    }
    let mut detail = format!("index={index} leaf={leaf}");
    if let Some(data) = &data {
        detail.push_str(&format!(" data={}", data.to_base64()));
    }
    let action = if with_data {
        "data_published"
    } else {
        "challenge_answered"
    };
    let ev = event(deps.storage, &env, &job, action, Some(&info.sender), detail)?;
    let mut response = Response::new()
        .add_messages(draw_msgs)
        .add_events(draw_events)
        .add_event(ev)
        .add_attribute("action", action)
        .add_attribute("job_id", job_id.to_string())
        .add_attribute("index", index.to_string());
    if refuted {
        let config = CONFIG.load(deps.storage)?;
        let mut msgs = Vec::new();
        // Nobody needs to vote: release the voters drawn so far.
        let voters: Vec<Addr> = job
            .verification
            .as_ref()
            .and_then(|v| v.dispute.as_ref())
            .map(|d| d.voters.iter().map(|x| x.address.clone()).collect())
            .unwrap_or_default();
        for voter in &voters {
            msgs.extend(release_duty(deps.storage, &config, job_id, voter)?);
        }
        let (more, events) = decide_dispute(deps.storage, &env, &mut job, Verdict::Provider)?;
        msgs.extend(more);
        response = response.add_messages(msgs).add_events(events);
    }
    save_job(deps.storage, Some(&old), &job)?;
    Ok(response)
}

pub fn execute_vote_dispute(
    mut deps: DepsMut,
    env: Env,
    info: MessageInfo,
    job_id: u64,
    provider_correct: bool,
) -> Result<Response, ContractError> {
    let mut job = load_job(deps.storage, job_id)?;
    if job.status != JobStatus::Disputed {
        return Err(wrong_status(&job, "Disputed"));
    }
    let (draw_msgs, draw_events) = draw_or_wait(&mut deps, &env, &mut job)?;
    let v = verification_mut(&mut job)?;
    let d = v
        .dispute
        .as_mut()
        .ok_or(ContractError::NotDisputeVoter { job_id })?;
    if d.provider_leaf.is_none() {
        return Err(ContractError::ProofPending { job_id });
    }
    if let Some(deadline) = d.vote_deadline {
        if env.block.time > deadline {
            return Err(ContractError::WindowClosed {
                job_id,
                what: "vote".into(),
                deadline,
            });
        }
    }
    let voter = d
        .voters
        .iter_mut()
        .find(|x| x.address == info.sender && x.provider_correct.is_none())
        .ok_or(ContractError::NotDisputeVoter { job_id })?;
    voter.provider_correct = Some(provider_correct);
    let all_voted = d.voters.iter().all(|x| x.provider_correct.is_some());
    let ev = event(
        deps.storage,
        &env,
        &job,
        "dispute_vote",
        Some(&info.sender),
        format!("provider_correct={provider_correct}"),
    )?;
    let mut response = Response::new()
        .add_messages(draw_msgs)
        .add_events(draw_events)
        .add_event(ev)
        .add_attribute("action", "dispute_vote")
        .add_attribute("job_id", job_id.to_string());
    if all_voted {
        let (msgs, events) = end_round(&mut deps, &env, &mut job)?;
        response = response.add_messages(msgs).add_events(events);
    }
    save_job(deps.storage, Some(&JobStatus::Disputed), &job)?;
    Ok(response)
}

/// Anyone: draws what waits for the beacon if it is ready; otherwise, once a
/// deadline has passed, an unproved dispute or challenge convicts the
/// provider, a proved dispute ends its voting round, and a draw that waited
/// longer than `draw_timeout` fails the job with a refund.
pub fn execute_resolve_challenge(
    mut deps: DepsMut,
    env: Env,
    job_id: u64,
) -> Result<Response, ContractError> {
    let params = PARAMS.load(deps.storage)?;
    let mut job = load_job(deps.storage, job_id)?;
    if !matches!(job.status, JobStatus::Submitted | JobStatus::Disputed) {
        return Err(wrong_status(&job, "Submitted or Disputed"));
    }
    let now = env.block.time;
    let old = job.status.clone();
    let response = Response::new()
        .add_attribute("action", "challenge_resolved")
        .add_attribute("job_id", job_id.to_string());
    if pending_draw(&job).is_some() {
        if let Some((msgs, events)) = try_draw(&mut deps, &env, &mut DrawCtx::default(), &mut job)?
        {
            save_job(deps.storage, Some(&old), &job)?;
            return Ok(response.add_messages(msgs).add_events(events));
        }
    }
    let v = job
        .verification
        .as_ref()
        .ok_or(ContractError::NothingToResolve { job_id })?;
    let step = if let Some(d) = &v.dispute {
        match (&d.provider_leaf, d.vote_deadline) {
            (None, _) if now > d.response_deadline => {
                Some(Step::Decide(Verdict::Challenger(d.challenger.clone())))
            }
            (Some(_), Some(deadline)) if now > deadline => Some(Step::EndRound),
            _ if draw_stalled(&job, &env, &params) => Some(Step::Decide(Verdict::Undecided)),
            _ => None,
        }
    } else if draw_stalled(&job, &env, &params) {
        Some(Step::Decide(Verdict::Undecided))
    } else {
        v.challenges
            .iter()
            .find(|c| c.answer.is_none() && now > c.deadline)
            .map(|c| Step::Decide(Verdict::Challenger(c.challenger.clone())))
    };
    let (msgs, events) = match step.ok_or(ContractError::NothingToResolve { job_id })? {
        Step::Decide(verdict) => {
            let config = CONFIG.load(deps.storage)?;
            let mut msgs = Vec::new();
            // Voters drawn for an unproved dispute had nothing to vote on.
            let voters: Vec<Addr> = job
                .verification
                .as_ref()
                .and_then(|v| v.dispute.as_ref())
                .map(|d| d.voters.iter().map(|x| x.address.clone()).collect())
                .unwrap_or_default();
            for voter in &voters {
                msgs.extend(release_duty(deps.storage, &config, job_id, voter)?);
            }
            let (more, events) = decide_dispute(deps.storage, &env, &mut job, verdict)?;
            msgs.extend(more);
            (msgs, events)
        }
        Step::EndRound => end_round(&mut deps, &env, &mut job)?,
    };
    save_job(deps.storage, Some(&old), &job)?;
    Ok(response.add_messages(msgs).add_events(events))
}

enum Step {
    Decide(Verdict),
    EndRound,
}

/// Who won a dispute or challenge.
pub enum Verdict {
    /// The provider's result stands; the disputing verifier lied.
    Provider,
    /// The provider withheld data (or never proved the disputed chunk); the
    /// address caught it.
    Challenger(Addr),
    /// The voters recomputed the chunk and found the result fraudulent: as
    /// `Challenger`, and every verifier that attested Valid is slashed.
    ProvenFraud(Addr),
    /// No side won after every voter round, or the beacon stalled: the job
    /// fails with a refund; the provider is released, nobody is slashed.
    Undecided,
}

/// Ends a voting round (everyone voted or the deadline passed). Silent
/// voters lose their lock (missed duty). A side backed by a strict majority
/// of the round's drawn voters wins: voters on the other side lose their
/// lock too, the winners are released and the verdict applies. Otherwise the
/// voters that voted are released and a fresh round is drawn from a later
/// beacon value, up to `dispute_rounds`; after the last one the dispute is
/// undecided.
fn end_round(deps: &mut DepsMut, env: &Env, job: &mut Job) -> Result<Effects, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let params = PARAMS.load(deps.storage)?;
    let fallback = duty_lock(job, &params);
    let Some(d) = job.verification.as_ref().and_then(|v| v.dispute.clone()) else {
        return Ok((vec![], vec![]));
    };
    let n = d.voters.len();
    let yes = d
        .voters
        .iter()
        .filter(|x| x.provider_correct == Some(true))
        .count();
    let no = d
        .voters
        .iter()
        .filter(|x| x.provider_correct == Some(false))
        .count();
    let winner = if yes * 2 > n {
        Some(true)
    } else if no * 2 > n {
        Some(false)
    } else {
        None
    };
    let mut msgs = Vec::new();
    let mut events = Vec::new();
    for voter in &d.voters {
        let lose = match (voter.provider_correct, winner) {
            (None, _) => true,
            (Some(side), Some(w)) => side != w,
            (Some(_), None) => false,
        };
        if lose {
            msgs.extend(slash_duty(
                deps.storage,
                &config,
                job.id,
                &voter.address,
                fallback,
                None,
            )?);
            events.push(event(
                deps.storage,
                env,
                job,
                "voter_slashed",
                Some(&voter.address),
                match voter.provider_correct {
                    None => "silent".into(),
                    Some(_) => "outvoted".into(),
                },
            )?);
        } else {
            msgs.extend(release_duty(deps.storage, &config, job.id, &voter.address)?);
        }
    }
    let verdict = match winner {
        Some(true) => Some(Verdict::Provider),
        Some(false) => Some(Verdict::ProvenFraud(d.challenger.clone())),
        None if d.round < params.dispute_rounds => {
            match next_draw_at(&deps.querier, &config.registry)? {
                Some(draw_at) => {
                    if let Some(dm) = job.verification.as_mut().and_then(|v| v.dispute.as_mut()) {
                        dm.past_voters
                            .extend(dm.voters.drain(..).map(|x| x.address));
                        dm.draw_at = Some(draw_at);
                        dm.vote_deadline = None;
                        dm.round = dm.round.saturating_add(1);
                        dm.opened_at = Some(env.block.time);
                    }
                    events.push(event(
                        deps.storage,
                        env,
                        job,
                        "dispute_round",
                        None,
                        format!(
                            "round={} yes={yes} no={no} voters={n} next_voters_at_beacon={draw_at}",
                            d.round.saturating_add(1)
                        ),
                    )?);
                    None
                }
                None => Some(Verdict::Undecided),
            }
        }
        None => Some(Verdict::Undecided),
    };
    if let Some(verdict) = verdict {
        let (more, evs) = decide_dispute(deps.storage, env, job, verdict)?;
        msgs.extend(more);
        events.extend(evs);
    }
    Ok((msgs, events))
}

/// Applies a verdict to the job (not saved: the caller saves). The voters'
/// locks are settled by the caller.
pub fn decide_dispute(
    storage: &mut dyn Storage,
    env: &Env,
    job: &mut Job,
    verdict: Verdict,
) -> Result<Effects, ContractError> {
    let config = CONFIG.load(storage)?;
    let params = PARAMS.load(storage)?;
    let fallback = duty_lock(job, &params);
    let mut msgs = Vec::new();
    let mut events = Vec::new();
    let provider = result_provider(job)?;
    let collateral = job.slots.first().map(|s| s.collateral).unwrap_or_default();
    let dispute = job.verification.as_mut().and_then(|v| v.dispute.take());
    // Dispute voters on the decided side are credited in the job's paid
    // settlement, where a fee backs their emission.
    let reward_voters = |storage: &mut dyn Storage, side: bool| -> StdResult<()> {
        let winners = dispute
            .iter()
            .flat_map(|d| d.voters.iter())
            .filter(|x| x.provider_correct == Some(side))
            .map(|x| x.address.clone());
        credit_voters(storage, job.id, winners.collect::<Vec<_>>())
    };
    match verdict {
        Verdict::ProvenFraud(challenger) => {
            // Verifiers that attested Valid on a result now proven
            // fraudulent did not check it (or lied): they lose their lock.
            let lazy = valid_attesters(job);
            for verifier in &lazy {
                msgs.extend(slash_duty(
                    storage,
                    &config,
                    job.id,
                    verifier,
                    fallback,
                    Some(&challenger),
                )?);
                events.push(event(
                    storage,
                    env,
                    job,
                    "verifier_slashed",
                    Some(verifier),
                    "attested valid on a proven fraud".into(),
                )?);
            }
            reward_voters(storage, false)?;
            let (more, evs) = convict(
                storage,
                env,
                &config,
                job,
                &provider,
                collateral,
                &challenger,
            )?;
            msgs.extend(more);
            events.extend(evs);
        }
        Verdict::Challenger(challenger) => {
            let (more, evs) = convict(
                storage,
                env,
                &config,
                job,
                &provider,
                collateral,
                &challenger,
            )?;
            msgs.extend(more);
            events.extend(evs);
        }
        Verdict::Provider => {
            if let Some(d) = &dispute {
                msgs.extend(slash_duty(
                    storage,
                    &config,
                    job.id,
                    &d.challenger,
                    fallback,
                    Some(&provider),
                )?);
                reward_voters(storage, true)?;
            }
            job.status = JobStatus::Submitted;
            if let Some(v) = job.verification.as_mut() {
                let extended = env.block.time.plus_seconds(params.response_window);
                v.challenge_deadline = v.challenge_deadline.max(extended);
                let reveal_by = crate::execute::decoy::reveal_deadline(v, &params);
                if let Some(d) = v.decoy.as_mut() {
                    d.reveal_deadline = d.reveal_deadline.map(|_| reveal_by);
                }
            }
            events.push(event(
                storage,
                env,
                job,
                "dispute_resolved",
                None,
                "winner=provider".into(),
            )?);
            let (more, evs) = settle_if_ready(storage, env, job)?;
            msgs.extend(more);
            events.extend(evs);
        }
        Verdict::Undecided => {
            // Neither side proved its case. Paying the provider would let a
            // cheater win by its voters' silence; slashing the challenger
            // would reward it. The requester gets its money back (or a new
            // provider), the provider its collateral, nobody is paid.
            for slot in job.slots.drain(..) {
                if !slot.collateral.is_zero() {
                    msgs.push(unlock_msg(&config, &slot.provider, job.id)?);
                }
            }
            events.push(event(
                storage,
                env,
                job,
                "dispute_undecided",
                None,
                "winner=none".into(),
            )?);
            let (more, evs) = reopen_or_close(storage, env, &config, job, JobStatus::Failed)?;
            msgs.extend(more);
            events.extend(evs);
        }
    }
    Ok((msgs, events))
}

/// Slashes a convicted provider to the challenger and requeues the job (or
/// fails it past the deadline).
fn convict(
    storage: &mut dyn Storage,
    env: &Env,
    config: &Config,
    job: &mut Job,
    provider: &Addr,
    collateral: Uint128,
    challenger: &Addr,
) -> Result<Effects, ContractError> {
    let mut msgs = slash_msgs(
        storage,
        config,
        provider,
        Some(job.id),
        collateral,
        Some(challenger),
    )?;
    msgs.push(outcome_msg(config, provider, JobOutcome::Slashed)?);
    credit_voters(storage, job.id, [challenger.clone()])?;
    job.slots.clear();
    let mut events = vec![event(
        storage,
        env,
        job,
        "provider_slashed",
        Some(provider),
        format!("collateral={collateral} beneficiary={challenger}"),
    )?];
    let (more, evs) = reopen_or_close(storage, env, config, job, JobStatus::Failed)?;
    msgs.extend(more);
    events.extend(evs);
    Ok((msgs, events))
}
