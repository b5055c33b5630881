//! Calls of the job market (and governance): collateral, slashing, outcomes.

use cosmwasm_std::{
    DepsMut, Env, MessageInfo, OverflowError, OverflowOperation, Response, Uint128,
};
use starminer_interfaces::registry::{reputation, JobOutcome, ProviderStatus};

use crate::error::ContractError;
use crate::execute::stake::agpu_transfer;
use crate::execute::{ensure_authorized, load_registered, refresh_roles};
use crate::state::{save_provider, CONFIG, LOCKS, PARAMS, TOTAL_BONDED};

pub fn execute_lock_collateral(
    deps: DepsMut,
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
    let mut p = old.clone();
    p.locked = p.locked.checked_add(amount)?;
    save_provider(deps.storage, Some(&old), &p)?;
    Ok(Response::new()
        .add_attribute("action", "lock_collateral")
        .add_attribute("provider", provider_addr)
        .add_attribute("job_id", job_id.to_string())
        .add_attribute("amount", amount))
}

pub fn execute_unlock_collateral(
    deps: DepsMut,
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
    let mut p = old.clone();
    p.locked = p.locked.checked_sub(amount)?;
    save_provider(deps.storage, Some(&old), &p)?;
    Ok(Response::new()
        .add_attribute("action", "unlock_collateral")
        .add_attribute("provider", provider_addr)
        .add_attribute("job_id", job_id.to_string())
        .add_attribute("amount", amount))
}

/// Slashes up to `amount`: first from the job's lock, then from free bond;
/// never from other jobs' locks or from unbonding claims. Asking for more than
/// that slashes what there is (the job market must always be able to settle).
/// The beneficiary gets `slash_beneficiary_share`, the treasury (governance)
/// the rest; without a beneficiary the treasury gets everything.
pub fn execute_slash(
    deps: DepsMut,
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

    let mut from_lock = Uint128::zero();
    if let Some(job_id) = job_id {
        if let Some(lock) = LOCKS.may_load(deps.storage, (&provider_addr, job_id))? {
            from_lock = lock.min(amount);
            let rest = lock.checked_sub(from_lock)?;
            if rest.is_zero() {
                LOCKS.remove(deps.storage, (&provider_addr, job_id));
            } else {
                LOCKS.save(deps.storage, (&provider_addr, job_id), &rest)?;
            }
            p.locked = p.locked.checked_sub(from_lock)?;
        }
    }
    let from_free = amount.checked_sub(from_lock)?.min(p.free_stake());
    let slashed = from_lock.checked_add(from_free)?;
    p.bonded = p.bonded.checked_sub(slashed)?;
    refresh_roles(deps.storage, &mut p, &params)?;
    save_provider(deps.storage, Some(&old), &p)?;
    TOTAL_BONDED.update(deps.storage, |t| -> Result<_, ContractError> {
        Ok(t.checked_sub(slashed)?)
    })?;

    let to_beneficiary = match &beneficiary_addr {
        Some(_) => slashed.mul_floor(params.slash_beneficiary_share),
        None => Uint128::zero(),
    };
    let to_treasury = slashed.checked_sub(to_beneficiary)?;
    let mut response = Response::new();
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
        .add_attribute("from_collateral", from_lock)
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
    refresh_roles(deps.storage, &mut p, &params)?;
    save_provider(deps.storage, Some(&old), &p)?;
    Ok(response
        .add_attribute("action", "record_outcome")
        .add_attribute("provider", provider_addr)
        .add_attribute("outcome", kind)
        .add_attribute("reputation", p.reputation.to_string()))
}
