//! Benchmark challenges: request (seed and deadline fixed at issue), result,
//! validator attestation that sets the verified score and the tier.

use cosmwasm_std::{Addr, DepsMut, Env, MessageInfo, Response, Storage, Timestamp};
use sha2::{Digest, Sha256};
use starminer_interfaces::registry::{
    reputation, BenchmarkParams, Challenge, ChallengeStatus, Role,
};

use crate::error::ContractError;
use crate::execute::{load_registered, refresh_roles};
use crate::state::{save_provider, CHALLENGES, NEXT_CHALLENGE_ID, PARAMS, VALIDATORS};

/// Whether a challenge still blocks a new request: issued and before its
/// deadline, or submitted and inside the attestation window.
fn is_open(c: &Challenge, now: Timestamp, b: &BenchmarkParams) -> bool {
    match c.status {
        ChallengeStatus::Issued => now <= c.deadline,
        ChallengeStatus::Submitted { .. } => now <= c.deadline.plus_seconds(b.attest_window),
        ChallengeStatus::Verified { .. } | ChallengeStatus::Rejected { .. } => false,
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
    let old = load_registered(deps.storage, &info.sender)?;
    if let starminer_interfaces::registry::ProviderStatus::Jailed { until } = old.status {
        return Err(ContractError::Jailed { until });
    }
    if !old.has_active_role(Role::Provider) {
        return Err(ContractError::ProviderRoleInactive {
            min_stake: params.min_provider_stake,
        });
    }
    if let Some(open_id) = old.benchmark.open_challenge {
        let open = load_challenge(deps.storage, open_id)?;
        if is_open(&open, env.block.time, &params.benchmark) {
            return Err(ContractError::ChallengeOpen {
                challenge_id: open_id,
            });
        }
    }
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
    };
    CHALLENGES.save(deps.storage, id, &challenge)?;
    let mut p = old.clone();
    p.benchmark.claimed_score = claimed_score;
    p.benchmark.open_challenge = Some(id);
    save_provider(deps.storage, Some(&old), &p)?;
    Ok(Response::new()
        .add_attribute("action", "request_benchmark")
        .add_attribute("provider", info.sender)
        .add_attribute("challenge_id", id.to_string())
        .add_attribute("claimed_score", claimed_score.to_string())
        .add_attribute("seed", challenge.seed)
        .add_attribute("deadline", challenge.deadline.seconds().to_string()))
}

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
    let result_root = result_root.to_ascii_lowercase();
    challenge.status = ChallengeStatus::Submitted {
        result_root: result_root.clone(),
        submitted_at: env.block.time,
    };
    CHALLENGES.save(deps.storage, challenge_id, &challenge)?;
    Ok(Response::new()
        .add_attribute("action", "submit_benchmark_result")
        .add_attribute("provider", info.sender)
        .add_attribute("challenge_id", challenge_id.to_string())
        .add_attribute("result_root", result_root))
}

/// One attestation by a seated validator decides a challenge. A valid result
/// verifies min(measured, claimed), sets the tier and adds the benchmark boost.
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
    if !VALIDATORS.has(deps.storage, &info.sender) {
        return Err(ContractError::NotValidator {});
    }
    let params = PARAMS.load(deps.storage)?;
    let mut challenge = load_challenge(deps.storage, challenge_id)?;
    if challenge.provider != provider_addr {
        return Err(ContractError::ChallengeNotYours { challenge_id });
    }
    if !matches!(challenge.status, ChallengeStatus::Submitted { .. }) {
        return Err(ContractError::ChallengeNotSubmitted { challenge_id });
    }
    let closed = challenge
        .deadline
        .plus_seconds(params.benchmark.attest_window);
    if env.block.time > closed {
        return Err(ContractError::AttestWindowClosed {
            challenge_id,
            closed,
        });
    }
    let old = load_registered(deps.storage, &provider_addr)?;
    let mut p = old.clone();
    if p.benchmark.open_challenge == Some(challenge_id) {
        p.benchmark.open_challenge = None;
    }
    let mut response = Response::new()
        .add_attribute("action", "attest_benchmark")
        .add_attribute("provider", provider_addr.as_str())
        .add_attribute("challenge_id", challenge_id.to_string())
        .add_attribute("validator", info.sender.as_str())
        .add_attribute("valid", valid.to_string());
    if valid {
        let verified = measured_score.min(challenge.claimed_score);
        p.benchmark.verified_score = verified;
        p.benchmark.verified_at = Some(env.block.height);
        p.tier = reputation::tier_for_score(verified, &params.tier_thresholds);
        p.reputation = reputation::boost(p.reputation, params.reputation.benchmark_boost);
        challenge.status = ChallengeStatus::Verified {
            validator: info.sender,
            measured_score,
        };
        response = response
            .add_attribute("verified_score", verified.to_string())
            .add_attribute("tier", p.tier.to_string());
    } else {
        challenge.status = ChallengeStatus::Rejected {
            validator: info.sender,
        };
    }
    CHALLENGES.save(deps.storage, challenge_id, &challenge)?;
    refresh_roles(deps.storage, &mut p, &params)?;
    save_provider(deps.storage, Some(&old), &p)?;
    Ok(response)
}
