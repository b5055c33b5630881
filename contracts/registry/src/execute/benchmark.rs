//! Benchmark challenges: request (seed and deadline fixed at issue), result
//! (fixes the verifier draw), attestations by a drawn quorum, decision.
//!
//! One validator cannot decide a benchmark. At `SubmitBenchmarkResult` the
//! challenge snapshots the seated validators other than the provider, fixes
//! its quorum q = min(`benchmark_quorum`, their number) and the beacon reveal
//! `draw_seq` = head + `reveals_per_draw` (at least one reveal later). Once
//! that beacon value exists, q verifiers are drawn stake-weighted from the
//! snapshot with sha256("benchmark" ‖ seed ‖ value), each weighing the
//! smaller of its stake at submission and its seat stake just before that
//! value was revealed (`crate::snapshot`). (When q covers every
//! candidate, all of them verify at once: there is nothing to draw.) Neither
//! the provider
//! (who chose when to submit, before the value existed) nor any validator
//! (whose reveal was fixed by its anchor) can choose them. Only drawn
//! verifiers attest. When all q have attested (or, after the window, at
//! `FinalizeBenchmark` / the provider's next request), a majority of q
//! attesting valid verifies the median of their measured scores (the lower
//! middle for an even count), capped at the claim; a majority attesting
//! invalid rejects it; otherwise it expires. So a single hostile `valid =
//! false` cannot fail a benchmark, and a sybil seat cannot certify one,
//! unless they hold a majority of the drawn quorum. Drawn verifiers that
//! stayed silent although the draw was known by the challenge's deadline
//! (so they had at least `attest_window`) are jailed and slashed.

use cosmwasm_std::{
    Addr, Deps, DepsMut, Env, Event, MessageInfo, Order, Response, StdResult, Storage, Timestamp,
    Uint128,
};
use sha2::{Digest, Sha256};
use starminer_interfaces::registry::{
    reputation, BenchmarkAttestation, BenchmarkParams, Challenge, ChallengeStatus, Params,
    ProviderStatus, Role,
};

use crate::draw::draw_seed;
use crate::error::ContractError;
use crate::execute::beacon::reveals_per_draw;
use crate::execute::duties::{punish, Punishment};
use crate::execute::{load_registered, store};
use crate::snapshot::seat_stake_before;
use crate::state::{
    BEACON, BEACON_LOG, BENCH_CANDIDATES, CHALLENGES, NEXT_CHALLENGE_ID, PARAMS, VALIDATORS,
};
use starminer_interfaces::draw::draw_weighted;

/// Hard ceiling on `benchmark_quorum` (bounds every loop over attestations).
pub const MAX_BENCHMARK_QUORUM: u32 = 16;

/// When attestations stop being accepted.
fn closes_at(c: &Challenge, b: &BenchmarkParams) -> Timestamp {
    c.deadline.plus_seconds(b.attest_window)
}

/// Whether a challenge still blocks a new request: issued and before its
/// deadline, or submitted and inside the attestation window.
fn is_open(c: &Challenge, now: Timestamp, b: &BenchmarkParams) -> bool {
    match c.status {
        ChallengeStatus::Issued => now <= c.deadline,
        ChallengeStatus::Submitted { .. } => now <= closes_at(c, b),
        _ => false,
    }
}

/// sha256(height ‖ time ‖ provider ‖ challenge id): unknown until the block
/// that issues the challenge, so no work can be precomputed.
fn challenge_seed(env: &Env, provider: &Addr, id: u64) -> String {
    let mut h = Sha256::new();
    h.update(env.block.height.to_be_bytes());
    h.update(env.block.time.nanos().to_be_bytes());
    h.update(provider.as_bytes());
    h.update(id.to_be_bytes());
    hex::encode(h.finalize())
}

fn load_challenge(storage: &dyn Storage, challenge_id: u64) -> Result<Challenge, ContractError> {
    CHALLENGES
        .may_load(storage, challenge_id)?
        .ok_or(ContractError::UnknownChallenge { challenge_id })
}

/// The drawn verifiers of a submitted challenge, or None while the beacon
/// value it waits for does not exist (or the challenge predates draws).
/// The same answer in queries and in execution: it depends only on the
/// snapshot, the beacon log and the stake history before the value, all
/// fixed once the value exists.
pub fn drawn_verifiers(storage: &dyn Storage, c: &Challenge) -> StdResult<Option<Vec<Addr>>> {
    if !c.verifiers.is_empty() {
        return Ok(Some(c.verifiers.clone()));
    }
    let Some(draw_seq) = c.draw_seq else {
        return Ok(None);
    };
    let Some(entry) = BEACON_LOG.may_load(storage, draw_seq)? else {
        return Ok(None);
    };
    // Each candidate weighs the smaller of its stake at submission and its
    // seat stake just before the value was revealed: stake bonded once the
    // value was public never counts. Stake that leaves after the reveal does
    // not change the draw: who is drawn is fixed when the value exists, so a
    // verifier shown as drawn stays drawn and a silent one is punished only
    // for a draw it could see.
    let candidates = BENCH_CANDIDATES
        .may_load(storage, c.id)?
        .unwrap_or_default()
        .into_iter()
        .map(|(addr, stake)| {
            let before = seat_stake_before(storage, &addr, draw_seq)?;
            Ok((addr, stake.min(before)))
        })
        .collect::<StdResult<Vec<_>>>()?;
    let seed = draw_seed(b"benchmark", &c.seed, &entry.value);
    Ok(Some(draw_weighted(
        &candidates,
        &[],
        usize::try_from(c.quorum).unwrap_or(usize::MAX),
        &seed,
    )))
}

/// The time the draw became known (None: not yet). Without a `draw_seq`
/// every candidate was a verifier from the submission on.
fn drawn_at(storage: &dyn Storage, c: &Challenge) -> StdResult<Option<Timestamp>> {
    Ok(match (&c.draw_seq, &c.status) {
        (Some(seq), _) => BEACON_LOG.may_load(storage, *seq)?.map(|e| e.time),
        (None, ChallengeStatus::Submitted { submitted_at, .. }) if !c.verifiers.is_empty() => {
            Some(*submitted_at)
        }
        _ => None,
    })
}

/// Decides a challenge from its attestations: a majority of the quorum
/// valid verifies the median, a majority invalid rejects, else it expires.
/// Returns whether it was verified (the caller updates the provider).
fn decide(c: &mut Challenge, last: Option<&Addr>) -> Option<u64> {
    let majority = c.quorum / 2 + 1;
    let mut valid: Vec<u64> = c
        .attestations
        .iter()
        .filter(|a| a.valid)
        .map(|a| a.measured_score)
        .collect();
    let invalid = c.attestations.iter().filter(|a| !a.valid).count();
    valid.sort_unstable();
    let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    if c.quorum > 0 && count(valid.len()) >= majority {
        let median = valid[(valid.len() - 1) / 2];
        let validator = last
            .cloned()
            .or_else(|| {
                c.attestations
                    .iter()
                    .rev()
                    .find(|a| a.valid)
                    .map(|a| a.validator.clone())
            })
            .unwrap_or_else(|| c.provider.clone());
        c.status = ChallengeStatus::Verified {
            validator,
            measured_score: median,
        };
        Some(median)
    } else if c.quorum > 0 && count(invalid) >= majority {
        let validator = c
            .attestations
            .iter()
            .rev()
            .find(|a| !a.valid)
            .map(|a| a.validator.clone())
            .unwrap_or_else(|| c.provider.clone());
        c.status = ChallengeStatus::Rejected { validator };
        None
    } else {
        c.status = ChallengeStatus::Expired {};
        None
    }
}

/// Applies a decided challenge to its provider: a verified median sets the
/// score (capped at the claim), the tier and the boost; any decision clears
/// the open challenge.
fn apply_decision(
    storage: &mut dyn Storage,
    env: &Env,
    params: &Params,
    c: &Challenge,
    verified: Option<u64>,
) -> Result<Vec<Event>, ContractError> {
    let old = load_registered(storage, &c.provider)?;
    let mut p = old.clone();
    if p.benchmark.open_challenge == Some(c.id) {
        p.benchmark.open_challenge = None;
    }
    let mut decided = Event::new("benchmark_decided")
        .add_attribute("challenge_id", c.id.to_string())
        .add_attribute("provider", c.provider.as_str());
    if let Some(median) = verified {
        let score = median.min(c.claimed_score);
        p.benchmark.verified_score = score;
        p.benchmark.verified_at = Some(env.block.height);
        p.tier = reputation::tier_for_score(score, &params.tier_thresholds);
        p.reputation = reputation::boost(p.reputation, params.reputation.benchmark_boost);
        decided = decided
            .add_attribute("verified_score", score.to_string())
            .add_attribute("tier", p.tier.to_string());
    }
    BENCH_CANDIDATES.remove(storage, c.id);
    CHALLENGES.save(storage, c.id, c)?;
    let mut events = vec![decided];
    events.extend(store(storage, env.block.time, params, Some(&old), &mut p)?);
    Ok(events)
}

/// Decides a submitted challenge whose window has closed, punishing the
/// drawn verifiers that did not attest although the draw was known by the
/// deadline. Returns the messages and events, or None when there is nothing
/// to finalize.
fn finalize_closed(
    storage: &mut dyn Storage,
    env: &Env,
    params: &Params,
    c: &mut Challenge,
) -> Result<Option<Punishment>, ContractError> {
    if !matches!(c.status, ChallengeStatus::Submitted { .. })
        || env.block.time <= closes_at(c, &params.benchmark)
    {
        return Ok(None);
    }
    let drawn = drawn_verifiers(storage, c)?.unwrap_or_default();
    let on_time = drawn_at(storage, c)?.is_some_and(|t| t <= c.deadline);
    c.verifiers = drawn.clone();
    let verified = decide(c, None);
    let mut events = apply_decision(storage, env, params, c, verified)?;
    let mut messages = vec![];
    if on_time {
        for v in drawn {
            if c.attestations.iter().any(|a| a.validator == v) {
                continue;
            }
            let punishment = punish(storage, env, params, &v, "benchmark attestation")?;
            messages.extend(punishment.messages);
            events.extend(punishment.events);
        }
    }
    events.push(
        Event::new("benchmark_finalized")
            .add_attribute("challenge_id", c.id.to_string())
            .add_attribute("attestations", c.attestations.len().to_string())
            .add_attribute("quorum", c.quorum.to_string()),
    );
    Ok(Some(Punishment { messages, events }))
}

pub fn execute_request_benchmark(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    claimed_score: u64,
) -> Result<Response, ContractError> {
    if claimed_score == 0 {
        return Err(ContractError::ZeroClaimedScore {});
    }
    let params = PARAMS.load(deps.storage)?;
    let registered = load_registered(deps.storage, &info.sender)?;
    if let ProviderStatus::Jailed { until } = registered.status {
        return Err(ContractError::Jailed { until });
    }
    if !registered.has_active_role(Role::Provider) {
        return Err(ContractError::ProviderRoleInactive {
            min_stake: params.min_provider_stake,
        });
    }
    let mut response = Response::new();
    if let Some(open_id) = registered.benchmark.open_challenge {
        let mut open = load_challenge(deps.storage, open_id)?;
        if is_open(&open, env.block.time, &params.benchmark) {
            return Err(ContractError::ChallengeOpen {
                challenge_id: open_id,
            });
        }
        if let Some(done) = finalize_closed(deps.storage, &env, &params, &mut open)? {
            response = response.add_messages(done.messages).add_events(done.events);
        }
    }
    let old = load_registered(deps.storage, &info.sender)?;
    let id = NEXT_CHALLENGE_ID.load(deps.storage)?;
    NEXT_CHALLENGE_ID.save(deps.storage, &id.saturating_add(1))?;
    let b = &params.benchmark;
    let duration =
        reputation::benchmark_duration(claimed_score, b.work, b.min_duration, b.max_duration);
    let challenge = Challenge {
        id,
        provider: info.sender.clone(),
        claimed_score,
        seed: challenge_seed(&env, &info.sender, id),
        issued_height: env.block.height,
        issued_at: env.block.time,
        deadline: env.block.time.plus_seconds(duration),
        status: ChallengeStatus::Issued,
        draw_seq: None,
        quorum: 0,
        verifiers: vec![],
        attestations: vec![],
    };
    CHALLENGES.save(deps.storage, id, &challenge)?;
    let mut p = old.clone();
    p.benchmark.claimed_score = claimed_score;
    p.benchmark.open_challenge = Some(id);
    let events = store(deps.storage, env.block.time, &params, Some(&old), &mut p)?;
    Ok(response
        .add_events(events)
        .add_attribute("action", "request_benchmark")
        .add_attribute("provider", info.sender)
        .add_attribute("challenge_id", id.to_string())
        .add_attribute("claimed_score", claimed_score.to_string())
        .add_attribute("seed", challenge.seed)
        .add_attribute("deadline", challenge.deadline.seconds().to_string()))
}

/// Posts the result and fixes the draw: the seated validators other than
/// the provider now, and the beacon value `reveals_per_draw` reveals later.
pub fn execute_submit_benchmark_result(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    challenge_id: u64,
    result_root: String,
) -> Result<Response, ContractError> {
    let mut challenge = load_challenge(deps.storage, challenge_id)?;
    if challenge.provider != info.sender {
        return Err(ContractError::ChallengeNotYours { challenge_id });
    }
    if challenge.status != ChallengeStatus::Issued {
        return Err(ContractError::ChallengeNotIssued { challenge_id });
    }
    if env.block.time > challenge.deadline {
        return Err(ContractError::DeadlinePassed {
            challenge_id,
            deadline: challenge.deadline,
        });
    }
    if result_root.len() != 64 || !result_root.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(ContractError::InvalidResultRoot {});
    }
    let params = PARAMS.load(deps.storage)?;
    let result_root = result_root.to_ascii_lowercase();
    // The validator set is at most `max_validators` (capped in validate).
    let candidates: Vec<(Addr, Uint128)> = VALIDATORS
        .range(deps.storage, None, None, Order::Ascending)
        .filter(|r| r.as_ref().map_or(true, |(a, _)| *a != info.sender))
        .collect::<StdResult<_>>()?;
    let quorum = params
        .duties
        .benchmark_quorum
        .min(u32::try_from(candidates.len()).unwrap_or(u32::MAX));
    let mut draw = "all candidates".to_string();
    if usize::try_from(quorum).unwrap_or(usize::MAX) >= candidates.len() {
        // Everyone is a verifier: no randomness to wait for.
        challenge.verifiers = candidates.iter().map(|(a, _)| a.clone()).collect();
    } else {
        let head = BEACON.load(deps.storage)?;
        let wait = reveals_per_draw(deps.storage, &params)?.max(1);
        let draw_seq = head.seq.saturating_add(u64::from(wait));
        BENCH_CANDIDATES.save(deps.storage, challenge_id, &candidates)?;
        challenge.draw_seq = Some(draw_seq);
        draw = draw_seq.to_string();
    }
    challenge.status = ChallengeStatus::Submitted {
        result_root: result_root.clone(),
        submitted_at: env.block.time,
    };
    challenge.quorum = quorum;
    CHALLENGES.save(deps.storage, challenge_id, &challenge)?;
    Ok(Response::new()
        .add_attribute("action", "submit_benchmark_result")
        .add_attribute("provider", info.sender)
        .add_attribute("challenge_id", challenge_id.to_string())
        .add_attribute("result_root", result_root)
        .add_attribute("quorum", quorum.to_string())
        .add_attribute("draw_seq", draw))
}

/// A drawn verifier's attestation; the last of the quorum decides.
pub fn execute_attest_benchmark(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    provider: String,
    challenge_id: u64,
    valid: bool,
    measured_score: u64,
) -> Result<Response, ContractError> {
    let provider_addr = deps.api.addr_validate(&provider)?;
    if provider_addr == info.sender {
        return Err(ContractError::SelfAttestation {});
    }
    let params = PARAMS.load(deps.storage)?;
    let mut challenge = load_challenge(deps.storage, challenge_id)?;
    if challenge.provider != provider_addr {
        return Err(ContractError::ChallengeNotYours { challenge_id });
    }
    if !matches!(challenge.status, ChallengeStatus::Submitted { .. }) {
        return Err(ContractError::ChallengeNotSubmitted { challenge_id });
    }
    let closed = closes_at(&challenge, &params.benchmark);
    if env.block.time > closed {
        return Err(ContractError::AttestWindowClosed {
            challenge_id,
            closed,
        });
    }
    let Some(drawn) = drawn_verifiers(deps.storage, &challenge)? else {
        if !VALIDATORS.has(deps.storage, &info.sender) {
            return Err(ContractError::NotValidator {});
        }
        return Err(ContractError::NotDrawnYet {
            challenge_id,
            draw_seq: challenge.draw_seq.unwrap_or_default(),
        });
    };
    if !drawn.contains(&info.sender) {
        if !VALIDATORS.has(deps.storage, &info.sender) {
            return Err(ContractError::NotValidator {});
        }
        return Err(ContractError::NotDrawn { challenge_id });
    }
    let attester = load_registered(deps.storage, &info.sender)?;
    if let ProviderStatus::Jailed { until } = attester.status {
        return Err(ContractError::Jailed { until });
    }
    if challenge
        .attestations
        .iter()
        .any(|a| a.validator == info.sender)
    {
        return Err(ContractError::AlreadyAttested {
            challenge_id,
            validator: info.sender.to_string(),
        });
    }
    challenge.verifiers = drawn;
    challenge.attestations.push(BenchmarkAttestation {
        validator: info.sender.clone(),
        valid,
        measured_score,
    });
    let mut response = Response::new()
        .add_attribute("action", "attest_benchmark")
        .add_attribute("provider", provider_addr.as_str())
        .add_attribute("challenge_id", challenge_id.to_string())
        .add_attribute("validator", info.sender.as_str())
        .add_attribute("valid", valid.to_string())
        .add_attribute(
            "attestations",
            format!(
                "{}/{}",
                challenge.attestations.len(),
                challenge.verifiers.len()
            ),
        );
    if challenge.attestations.len() < challenge.verifiers.len() {
        CHALLENGES.save(deps.storage, challenge_id, &challenge)?;
        return Ok(response);
    }
    let verified = decide(&mut challenge, Some(&info.sender));
    let events = apply_decision(deps.storage, &env, &params, &challenge, verified)?;
    response = response.add_events(events).add_attribute(
        "decision",
        match challenge.status {
            ChallengeStatus::Verified { .. } => "verified",
            ChallengeStatus::Rejected { .. } => "rejected",
            _ => "expired",
        },
    );
    Ok(response)
}

/// Anyone, once the window closed: decide with what is there and punish the
/// silent drawn verifiers.
pub fn execute_finalize_benchmark(
    deps: DepsMut,
    env: Env,
    challenge_id: u64,
) -> Result<Response, ContractError> {
    let params = PARAMS.load(deps.storage)?;
    let mut challenge = load_challenge(deps.storage, challenge_id)?;
    if !matches!(challenge.status, ChallengeStatus::Submitted { .. }) {
        return Err(ContractError::ChallengeNotSubmitted { challenge_id });
    }
    let closes = closes_at(&challenge, &params.benchmark);
    let Some(done) = finalize_closed(deps.storage, &env, &params, &mut challenge)? else {
        return Err(ContractError::AttestWindowOpen {
            challenge_id,
            closes,
        });
    };
    Ok(Response::new()
        .add_messages(done.messages)
        .add_events(done.events)
        .add_attribute("action", "finalize_benchmark")
        .add_attribute("challenge_id", challenge_id.to_string()))
}

/// The challenge as stored, with its drawn verifiers filled in once the
/// beacon value exists.
pub fn query_challenge(deps: Deps, challenge_id: u64) -> StdResult<Challenge> {
    let mut c = CHALLENGES
        .may_load(deps.storage, challenge_id)?
        .ok_or_else(|| cosmwasm_std::StdError::not_found(format!("challenge {challenge_id}")))?;
    if c.verifiers.is_empty() && matches!(c.status, ChallengeStatus::Submitted { .. }) {
        c.verifiers = drawn_verifiers(deps.storage, &c)?.unwrap_or_default();
    }
    Ok(c)
}
