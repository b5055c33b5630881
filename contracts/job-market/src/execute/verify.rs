//! Spot-check verification: verifier assignment, attestations, chunk
//! challenges (withheld data), disputes (Invalid attestations) and their
//! resolution.
//!
//! Who is paid or slashed: a provider that loses (fails to prove a chunk in
//! time, or is outvoted) forfeits its collateral to the challenging verifier
//! (the honest verifier that caught it) and the treasury; a verifier whose
//! Invalid claim is refuted (the provider's proved leaf equals the claimed
//! hash of an Exact template, or the dispute verifiers outvote it) is slashed
//! the same amount from its bond in favour of the provider it wronged. A tie
//! slashes nobody and leaves the result standing (the Invalid attestation is
//! not paid).

use cosmwasm_std::{
    Addr, CosmosMsg, Deps, DepsMut, Env, Event, MessageInfo, Response, StdResult, Storage, Uint128,
};
use starminer_interfaces::job_market::{
    Attestation, ChunkChallenge, Dispute, DisputeVoter, Job, JobStatus, VerifierEntry,
};
use starminer_interfaces::market::Determinism;
use starminer_interfaces::registry::{
    JobOutcome, QueryMsg as RegistryQuery, ValidatorTotalsResponse, ValidatorsResponse,
};

use crate::error::ContractError;
use crate::execute::settle::{reopen_or_close, settle_if_ready};
use crate::execute::{attestation_msg, event, load_job, outcome_msg, slash_msgs, wrong_status};
use crate::logic::{select_weighted, selection_seed, verify_chunk};
use crate::state::{save_job, Config, CONFIG, PARAMS, TEMPLATES, VERIFIER_TASKS};
use crate::validate::is_hex_hash;

/// Withheld-chunk challenges one challenger may open on one job.
pub const MAX_CHALLENGES_PER_CHALLENGER: usize = 4;
const REGISTRY_PAGE: u32 = 100;

/// The registry's validator set with stakes, read page by page; never more
/// than the registry's `max_validators`.
pub fn validator_set(deps: Deps, registry: &Addr) -> StdResult<Vec<(Addr, Uint128)>> {
    let totals: ValidatorTotalsResponse = deps
        .querier
        .query_wasm_smart(registry, &RegistryQuery::ValidatorTotals {})?;
    let bound = totals.count.min(totals.max_validators) as usize;
    let mut set = Vec::with_capacity(bound);
    let mut start_after: Option<String> = None;
    while set.len() < bound {
        let page: ValidatorsResponse = deps.querier.query_wasm_smart(
            registry,
            &RegistryQuery::Validators {
                start_after: start_after.clone(),
                limit: Some(REGISTRY_PAGE),
            },
        )?;
        let n = page.validators.len();
        start_after = page.validators.last().map(|v| v.address.to_string());
        set.extend(page.validators.into_iter().map(|v| (v.address, v.stake)));
        if n < REGISTRY_PAGE as usize {
            break;
        }
    }
    set.truncate(bound);
    Ok(set)
}

fn result_provider(job: &Job) -> Result<Addr, ContractError> {
    job.slots
        .first()
        .map(|s| s.provider.clone())
        .ok_or(ContractError::NotSlotProvider { job_id: job.id })
}

/// Stake-weighted draw of the spot checkers, seeded from job id, root and
/// height; never the provider. Fewer validators than asked: fewer verifiers
/// (the unused fees are refunded at settlement).
pub fn assign_spot_checkers(
    deps: Deps,
    env: &Env,
    job: &Job,
    root: &str,
    count: u8,
) -> Result<Vec<VerifierEntry>, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let provider = result_provider(job)?;
    let set = validator_set(deps, &config.registry)?;
    let seed = selection_seed(b"spot-check", job.id, root, env.block.height);
    Ok(
        select_weighted(&set, &[&provider], usize::from(count), &seed)
            .into_iter()
            .map(|address| VerifierEntry {
                address,
                attestation: None,
            })
            .collect(),
    )
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

fn verification_mut(
    job: &mut Job,
) -> Result<&mut starminer_interfaces::job_market::Verification, ContractError> {
    let id = job.id;
    job.verification
        .as_mut()
        .ok_or(ContractError::NotVerifier { job_id: id })
}

pub fn execute_attest(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    job_id: u64,
    attestation: Attestation,
) -> Result<Response, ContractError> {
    let params = PARAMS.load(deps.storage)?;
    let mut job = load_job(deps.storage, job_id)?;
    if !matches!(job.status, JobStatus::Submitted | JobStatus::Disputed) {
        return Err(wrong_status(&job, "Submitted"));
    }
    let chunk_count = job.result.as_ref().map(|r| r.chunk_count).unwrap_or(0);
    let root = job
        .result
        .as_ref()
        .map(|r| r.root.clone())
        .unwrap_or_default();
    let old = job.status.clone();
    let v = verification_mut(&mut job)?;
    let entry = v
        .verifiers
        .iter_mut()
        .find(|e| e.address == info.sender)
        .ok_or(ContractError::NotVerifier { job_id })?;
    if entry.attestation.is_some() {
        return Err(ContractError::AlreadyAttested { job_id });
    }
    let mut response = Response::new()
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
            if v.dispute.is_some() {
                return Err(ContractError::DisputeOpen { job_id });
            }
            entry.attestation = Some(Attestation::Invalid {
                index: *index,
                chunk_hash: chunk_hash.to_lowercase(),
            });
            let mut exclude: Vec<Addr> = v.verifiers.iter().map(|e| e.address.clone()).collect();
            exclude.push(result_provider(&job)?);
            let config = CONFIG.load(deps.storage)?;
            let set = validator_set(deps.as_ref(), &config.registry)?;
            let seed = selection_seed(b"dispute", job_id, &root, env.block.height);
            let excl: Vec<&Addr> = exclude.iter().collect();
            let voters = select_weighted(&set, &excl, usize::from(params.dispute_verifiers), &seed);
            let v = verification_mut(&mut job)?;
            v.dispute = Some(Dispute {
                challenger: info.sender.clone(),
                index: *index,
                claimed_hash: chunk_hash.to_lowercase(),
                provider_leaf: None,
                response_deadline: env.block.time.plus_seconds(params.response_window),
                vote_deadline: None,
                voters: voters
                    .into_iter()
                    .map(|address| DisputeVoter {
                        address,
                        provider_correct: None,
                    })
                    .collect(),
            });
            job.status = JobStatus::Disputed;
            index_verifiers(deps.storage, &job)?;
            save_job(deps.storage, Some(&old), &job)?;
            let ev = event(
                deps.storage,
                &env,
                &job,
                "disputed",
                Some(&info.sender),
                format!("index={index} claimed_hash={chunk_hash}"),
            )?;
            Ok(response
                .add_event(ev)
                .add_attribute("verdict", "invalid")
                .add_attribute("index", index.to_string()))
        }
    }
}

/// An assigned verifier (or the requester of a job without verifiers) says
/// chunk `index` cannot be fetched; the provider must prove it in time.
pub fn execute_challenge(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    job_id: u64,
    index: u64,
) -> Result<Response, ContractError> {
    let params = PARAMS.load(deps.storage)?;
    let mut job = load_job(deps.storage, job_id)?;
    if !matches!(job.status, JobStatus::Submitted | JobStatus::Disputed) {
        return Err(wrong_status(&job, "Submitted"));
    }
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
    });
    save_job(deps.storage, Some(&job.status.clone()), &job)?;
    let ev = event(
        deps.storage,
        &env,
        &job,
        "challenged",
        Some(&info.sender),
        format!("index={index} deadline={}", deadline.seconds()),
    )?;
    Ok(Response::new()
        .add_event(ev)
        .add_attribute("action", "challenged")
        .add_attribute("job_id", job_id.to_string())
        .add_attribute("index", index.to_string()))
}

/// The provider proves chunk `index` against its root: answers every open
/// challenge of that chunk and the dispute about it.
pub fn execute_respond_challenge(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    job_id: u64,
    index: u64,
    leaf_hash: String,
    proof: Vec<String>,
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
    let leaf = leaf_hash.to_lowercase();
    verify_chunk(&result.root, result.chunk_count, index, &leaf, &proof)?;
    let template = TEMPLATES.load(deps.storage, &job.spec.template)?;
    let old = job.status.clone();
    let now = env.block.time;
    let v = verification_mut(&mut job)?;
    let mut answered = 0u32;
    for c in v.challenges.iter_mut() {
        if c.index == index && c.answer.is_none() {
            c.answer = Some(leaf.clone());
            answered += 1;
        }
    }
    let mut refuted = false;
    if let Some(d) = v.dispute.as_mut() {
        if d.index == index && d.provider_leaf.is_none() {
            d.provider_leaf = Some(leaf.clone());
            d.vote_deadline = Some(now.plus_seconds(params.response_window));
            answered += 1;
            // The provider's committed chunk is exactly what the challenger
            // computed: for an exact template the Invalid claim refutes itself.
            refuted = template.determinism == Determinism::Exact && d.claimed_hash == leaf;
        }
    }
    if answered == 0 {
        return Err(ContractError::NothingToAnswer { job_id, index });
    }
    let ev = event(
        deps.storage,
        &env,
        &job,
        "challenge_answered",
        Some(&info.sender),
        format!("index={index} leaf={leaf}"),
    )?;
    let mut response = Response::new()
        .add_event(ev)
        .add_attribute("action", "challenge_answered")
        .add_attribute("job_id", job_id.to_string())
        .add_attribute("index", index.to_string());
    if refuted {
        let (msgs, events) = decide_dispute(deps.storage, &env, &mut job, Verdict::Provider)?;
        response = response.add_messages(msgs).add_events(events);
    }
    save_job(deps.storage, Some(&old), &job)?;
    Ok(response)
}

pub fn execute_vote_dispute(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    job_id: u64,
    provider_correct: bool,
) -> Result<Response, ContractError> {
    let mut job = load_job(deps.storage, job_id)?;
    if job.status != JobStatus::Disputed {
        return Err(wrong_status(&job, "Disputed"));
    }
    let v = verification_mut(&mut job)?;
    let d = v
        .dispute
        .as_mut()
        .ok_or(ContractError::NotDisputeVoter { job_id })?;
    if d.provider_leaf.is_none() {
        return Err(ContractError::ProofPending { job_id });
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
        .add_event(ev)
        .add_attribute("action", "dispute_vote")
        .add_attribute("job_id", job_id.to_string());
    if all_voted {
        let verdict = tally(&job);
        let (msgs, events) = decide_dispute(deps.storage, &env, &mut job, verdict)?;
        response = response.add_messages(msgs).add_events(events);
    }
    save_job(deps.storage, Some(&JobStatus::Disputed), &job)?;
    Ok(response)
}

/// Anyone, once a deadline has passed: an unproved dispute or challenge
/// convicts the provider; a proved dispute is decided by the votes cast.
pub fn execute_resolve_challenge(
    deps: DepsMut,
    env: Env,
    job_id: u64,
) -> Result<Response, ContractError> {
    let mut job = load_job(deps.storage, job_id)?;
    if !matches!(job.status, JobStatus::Submitted | JobStatus::Disputed) {
        return Err(wrong_status(&job, "Submitted or Disputed"));
    }
    let now = env.block.time;
    let old = job.status.clone();
    let v = job
        .verification
        .as_ref()
        .ok_or(ContractError::NothingToResolve { job_id })?;
    let verdict = if let Some(d) = &v.dispute {
        match (&d.provider_leaf, d.vote_deadline) {
            (None, _) if now > d.response_deadline => {
                Some(Verdict::Challenger(d.challenger.clone()))
            }
            (Some(_), Some(deadline)) if now > deadline => Some(tally(&job)),
            _ => None,
        }
    } else {
        v.challenges
            .iter()
            .find(|c| c.answer.is_none() && now > c.deadline)
            .map(|c| Verdict::Challenger(c.challenger.clone()))
    };
    let verdict = verdict.ok_or(ContractError::NothingToResolve { job_id })?;
    let (msgs, events) = decide_dispute(deps.storage, &env, &mut job, verdict)?;
    save_job(deps.storage, Some(&old), &job)?;
    Ok(Response::new()
        .add_messages(msgs)
        .add_events(events)
        .add_attribute("action", "challenge_resolved")
        .add_attribute("job_id", job_id.to_string()))
}

/// Who won a dispute or challenge.
pub enum Verdict {
    /// The provider's result stands; the disputing verifier lied.
    Provider,
    /// The provider cheated or withheld data; the address caught it.
    Challenger(Addr),
    /// No majority: nobody is slashed, the result stands.
    Tie,
}

fn tally(job: &Job) -> Verdict {
    let Some(d) = job.verification.as_ref().and_then(|v| v.dispute.as_ref()) else {
        return Verdict::Tie;
    };
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
    match yes.cmp(&no) {
        std::cmp::Ordering::Greater => Verdict::Provider,
        std::cmp::Ordering::Less => Verdict::Challenger(d.challenger.clone()),
        std::cmp::Ordering::Equal => Verdict::Tie,
    }
}

/// Applies a verdict to the job (not saved: the caller saves).
pub fn decide_dispute(
    storage: &mut dyn Storage,
    env: &Env,
    job: &mut Job,
    verdict: Verdict,
) -> Result<(Vec<CosmosMsg>, Vec<Event>), ContractError> {
    let config = CONFIG.load(storage)?;
    let params = PARAMS.load(storage)?;
    let mut msgs = Vec::new();
    let mut events = Vec::new();
    let provider = result_provider(job)?;
    let collateral = job.slots.first().map(|s| s.collateral).unwrap_or_default();
    let dispute = job.verification.as_mut().and_then(|v| v.dispute.take());
    // Dispute verifiers on the winning side are reported to incentives.
    let reward_voters = |config: &Config, side: bool| -> StdResult<Vec<CosmosMsg>> {
        dispute
            .iter()
            .flat_map(|d| d.voters.iter())
            .filter(|x| x.provider_correct == Some(side))
            .map(|x| attestation_msg(config, &x.address))
            .collect()
    };
    match verdict {
        Verdict::Challenger(challenger) => {
            msgs.extend(slash_msgs(
                storage,
                &config,
                &provider,
                Some(job.id),
                collateral,
                Some(&challenger),
            )?);
            msgs.push(outcome_msg(&config, &provider, JobOutcome::Slashed)?);
            msgs.extend(reward_voters(&config, false)?);
            msgs.push(attestation_msg(&config, &challenger)?);
            job.slots.clear();
            events.push(event(
                storage,
                env,
                job,
                "provider_slashed",
                Some(&provider),
                format!("collateral={collateral} beneficiary={challenger}"),
            )?);
            let (more, evs) = reopen_or_close(storage, env, &config, job, JobStatus::Failed)?;
            msgs.extend(more);
            events.extend(evs);
        }
        Verdict::Provider | Verdict::Tie => {
            let provider_won = matches!(verdict, Verdict::Provider);
            if let (true, Some(d)) = (provider_won, &dispute) {
                msgs.extend(slash_msgs(
                    storage,
                    &config,
                    &d.challenger,
                    None,
                    collateral,
                    Some(&provider),
                )?);
                msgs.extend(reward_voters(&config, true)?);
            }
            job.status = JobStatus::Submitted;
            if let Some(v) = job.verification.as_mut() {
                let extended = env.block.time.plus_seconds(params.response_window);
                v.challenge_deadline = v.challenge_deadline.max(extended);
            }
            events.push(event(
                storage,
                env,
                job,
                "dispute_resolved",
                None,
                if provider_won {
                    "winner=provider".into()
                } else {
                    "winner=none".into()
                },
            )?);
            let (more, evs) = settle_if_ready(storage, env, job)?;
            msgs.extend(more);
            events.extend(evs);
        }
    }
    Ok((msgs, events))
}
