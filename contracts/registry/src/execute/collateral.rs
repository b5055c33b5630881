//! Calls of the job market (and governance): collateral, slashing, outcomes.

use cosmwasm_std::{
    to_json_binary, DepsMut, Env, MessageInfo, OverflowError, OverflowOperation, Response, Uint128,
};
use starminer_interfaces::registry::{reputation, JobOutcome, ProviderStatus, SlashResult};

use crate::error::ContractError;
use crate::execute::stake::{agpu_transfer, take_stake};
use crate::execute::{ensure_authorized, load_registered, store};
use crate::state::{CONFIG, LOCKS, PARAMS};

/// Locks part of any bonded address's free bond under (address, job id): a
/// provider's job collateral, or a verifier's or dispute voter's duty lock.
/// Locked bond cannot be unbonded.
pub fn execute_lock_collateral(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    provider: String,
    job_id: u64,
    amount: Uint128,
) -> Result<Response, ContractError> {
    ensure_authorized(deps.storage, &info.sender)?;
    let provider_addr = deps.api.addr_validate(&provider)?;
    if amount.is_zero() {
        return Err(ContractError::ZeroAmount {});
    }
    let old = load_registered(deps.storage, &provider_addr)?;
    if let ProviderStatus::Jailed { until } = old.status {
        return Err(ContractError::Jailed { until });
    }
    if LOCKS.has(deps.storage, (&provider_addr, job_id)) {
        return Err(ContractError::CollateralAlreadyLocked { job_id });
    }
    let free = old.free_stake();
    if amount > free {
        return Err(ContractError::InsufficientFreeStake {
            free,
            requested: amount,
        });
    }
    LOCKS.save(deps.storage, (&provider_addr, job_id), &amount)?;
    let params = PARAMS.load(deps.storage)?;
    let mut p = old.clone();
    p.locked = p.locked.checked_add(amount)?;
    let events = store(deps.storage, env.block.time, &params, Some(&old), &mut p)?;
    Ok(Response::new()
        .add_events(events)
        .add_attribute("action", "lock_collateral")
        .add_attribute("provider", provider_addr)
        .add_attribute("job_id", job_id.to_string())
        .add_attribute("amount", amount))
}

pub fn execute_unlock_collateral(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    provider: String,
    job_id: u64,
) -> Result<Response, ContractError> {
    ensure_authorized(deps.storage, &info.sender)?;
    let provider_addr = deps.api.addr_validate(&provider)?;
    let old = load_registered(deps.storage, &provider_addr)?;
    let amount = LOCKS
        .may_load(deps.storage, (&provider_addr, job_id))?
        .ok_or(ContractError::NoCollateral { job_id })?;
    LOCKS.remove(deps.storage, (&provider_addr, job_id));
    let params = PARAMS.load(deps.storage)?;
    let mut p = old.clone();
    p.locked = p.locked.checked_sub(amount)?;
    let events = store(deps.storage, env.block.time, &params, Some(&old), &mut p)?;
    Ok(Response::new()
        .add_events(events)
        .add_attribute("action", "unlock_collateral")
        .add_attribute("provider", provider_addr)
        .add_attribute("job_id", job_id.to_string())
        .add_attribute("amount", amount))
}

/// Slashes up to `amount`: first from the job's lock, then from free bond,
/// then from unbonding claims that have not matured (newest first); never
/// from other jobs' locks. Asking for more than that slashes what there is
/// (the job market must always be able to settle). The beneficiary gets
/// `slash_beneficiary_share`, the treasury (governance) the rest; without a
/// beneficiary the treasury gets everything. `Response::data` is the JSON
/// [`SlashResult`]: what was actually taken.
pub fn execute_slash(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    provider: String,
    job_id: Option<u64>,
    amount: Uint128,
    beneficiary: Option<String>,
) -> Result<Response, ContractError> {
    ensure_authorized(deps.storage, &info.sender)?;
    let provider_addr = deps.api.addr_validate(&provider)?;
    let beneficiary_addr = beneficiary
        .map(|b| deps.api.addr_validate(&b))
        .transpose()?;
    if amount.is_zero() {
        return Err(ContractError::ZeroAmount {});
    }
    let params = PARAMS.load(deps.storage)?;
    let config = CONFIG.load(deps.storage)?;
    let old = load_registered(deps.storage, &provider_addr)?;
    let mut p = old.clone();
    let taken = take_stake(deps.storage, env.block.time, &mut p, job_id, amount)?;
    let slashed = taken.total()?;
    let events = store(deps.storage, env.block.time, &params, Some(&old), &mut p)?;

    let to_beneficiary = match &beneficiary_addr {
        Some(_) => slashed.mul_floor(params.slash_beneficiary_share),
        None => Uint128::zero(),
    };
    let to_treasury = slashed.checked_sub(to_beneficiary)?;
    let mut response = Response::new().set_data(to_json_binary(&SlashResult {
        taken: slashed,
        to_beneficiary,
        to_treasury,
    })?);
    if let Some(addr) = &beneficiary_addr {
        if !to_beneficiary.is_zero() {
            response =
                response.add_message(agpu_transfer(&config.agpu_token, addr, to_beneficiary)?);
        }
    }
    if !to_treasury.is_zero() {
        response = response.add_message(agpu_transfer(
            &config.agpu_token,
            &config.governance,
            to_treasury,
        )?);
    }
    Ok(response
        .add_events(events)
        .add_attribute("action", "slash")
        .add_attribute("provider", provider_addr)
        .add_attribute(
            "job_id",
            job_id
                .map(|j| j.to_string())
                .unwrap_or_else(|| "none".into()),
        )
        .add_attribute("requested", amount)
        .add_attribute("slashed", slashed)
        .add_attribute("from_collateral", taken.from_lock)
        .add_attribute("from_claims", taken.from_claims)
        .add_attribute("to_beneficiary", to_beneficiary)
        .add_attribute("to_treasury", to_treasury))
}

/// Applies one job outcome to reputation and counters; a reputation below the
/// floor jails the provider for `jail_duration` (an already jailed provider
/// keeps its release time).
pub fn execute_record_outcome(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    provider: String,
    outcome: JobOutcome,
) -> Result<Response, ContractError> {
    ensure_authorized(deps.storage, &info.sender)?;
    let provider_addr = deps.api.addr_validate(&provider)?;
    let params = PARAMS.load(deps.storage)?;
    let old = load_registered(deps.storage, &provider_addr)?;
    let mut p = old.clone();
    let c = &mut p.counters;
    let overflow = || OverflowError::new(OverflowOperation::Add);
    let kind = match &outcome {
        JobOutcome::Success { units } => {
            c.jobs_done = c.jobs_done.checked_add(1).ok_or_else(overflow)?;
            c.units_computed = c.units_computed.checked_add(*units)?;
            "success"
        }
        JobOutcome::Failure => {
            c.jobs_failed = c.jobs_failed.checked_add(1).ok_or_else(overflow)?;
            "failure"
        }
        JobOutcome::Timeout => {
            c.jobs_timed_out = c.jobs_timed_out.checked_add(1).ok_or_else(overflow)?;
            "timeout"
        }
        JobOutcome::Slashed => {
            c.times_slashed = c.times_slashed.checked_add(1).ok_or_else(overflow)?;
            "slashed"
        }
    };
    p.reputation = reputation::apply_outcome(p.reputation, &outcome, &params.reputation);
    let mut response = Response::new();
    if reputation::is_below_floor(p.reputation, params.reputation.floor) && !p.is_jailed() {
        let until = env.block.time.plus_seconds(params.jail_duration);
        p.status = ProviderStatus::Jailed { until };
        response = response
            .add_attribute("jailed", "true")
            .add_attribute("jailed_until", until.seconds().to_string());
    }
    let events = store(deps.storage, env.block.time, &params, Some(&old), &mut p)?;
    Ok(response
        .add_events(events)
        .add_attribute("action", "record_outcome")
        .add_attribute("provider", provider_addr)
        .add_attribute("outcome", kind)
        .add_attribute("reputation", p.reputation.to_string()))
}
