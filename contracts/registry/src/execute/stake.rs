//! Bonding AGPU (cw20 `Send`), unbonding into claims, and paying claims out.

use cosmwasm_std::{
    from_json, to_json_binary, Addr, DepsMut, Env, MessageInfo, Response, Uint128, WasmMsg,
};
use cw20::{Cw20ExecuteMsg, Cw20ReceiveMsg};
use starminer_contract_kit::release_matured;
use starminer_interfaces::registry::{ProviderStatus, ReceiveMsg, UnbondingClaim};

use crate::error::ContractError;
use crate::execute::{load_registered, store};
use crate::state::{CLAIMS, CONFIG, LOCKS, PARAMS, TOTAL_BONDED, TOTAL_CLAIMS};

/// A cw20 `Transfer` of AGPU from the registry.
pub fn agpu_transfer(
    token: &Addr,
    recipient: &Addr,
    amount: Uint128,
) -> Result<WasmMsg, ContractError> {
    Ok(WasmMsg::Execute {
        contract_addr: token.to_string(),
        msg: to_json_binary(&Cw20ExecuteMsg::Transfer {
            recipient: recipient.to_string(),
            amount,
        })?,
        funds: vec![],
    })
}

pub fn execute_receive(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    wrapper: Cw20ReceiveMsg,
) -> Result<Response, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    if info.sender != config.agpu_token {
        return Err(ContractError::WrongToken {});
    }
    match from_json(&wrapper.msg)? {
        ReceiveMsg::Bond {} => {
            let staker_addr = deps.api.addr_validate(&wrapper.sender)?;
            execute_bond(deps, env, staker_addr, wrapper.amount)
        }
    }
}

fn execute_bond(
    deps: DepsMut,
    env: Env,
    staker_addr: Addr,
    amount: Uint128,
) -> Result<Response, ContractError> {
    if amount.is_zero() {
        return Err(ContractError::ZeroAmount {});
    }
    let params = PARAMS.load(deps.storage)?;
    let old = load_registered(deps.storage, &staker_addr)?;
    let mut p = old.clone();
    p.bonded = p.bonded.checked_add(amount)?;
    if matches!(p.status, ProviderStatus::Unbonding { .. }) {
        p.status = ProviderStatus::Active;
    }
    let events = store(deps.storage, env.block.time, &params, Some(&old), &mut p)?;
    TOTAL_BONDED.update(deps.storage, |t| -> Result<_, ContractError> {
        Ok(t.checked_add(amount)?)
    })?;
    Ok(Response::new()
        .add_events(events)
        .add_attribute("action", "bond")
        .add_attribute("provider", staker_addr)
        .add_attribute("amount", amount)
        .add_attribute("bonded", p.bonded))
}

/// Moves free bond into a claim. When the whole bond leaves, the status
/// becomes `Unbonding{until}` (a jailed provider stays `Jailed`); roles whose
/// threshold is no longer met become inactive at once. Locked bond (job
/// collateral, verifier and voter duty locks) cannot leave, and the claim
/// stays slashable until it matures (see [`take_stake`]).
pub fn execute_unbond(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    amount: Uint128,
) -> Result<Response, ContractError> {
    if amount.is_zero() {
        return Err(ContractError::ZeroAmount {});
    }
    let params = PARAMS.load(deps.storage)?;
    let old = load_registered(deps.storage, &info.sender)?;
    let free = old.free_stake();
    if amount > free {
        return Err(ContractError::InsufficientFreeStake {
            free,
            requested: amount,
        });
    }
    let mut claims = CLAIMS
        .may_load(deps.storage, &info.sender)?
        .unwrap_or_default();
    if claims.len() >= usize::try_from(params.max_pending_claims).unwrap_or(usize::MAX) {
        return Err(ContractError::TooManyClaims {
            max: params.max_pending_claims,
        });
    }
    let release_at = env.block.time.plus_seconds(params.unbonding_period);
    claims.push(UnbondingClaim { amount, release_at });
    CLAIMS.save(deps.storage, &info.sender, &claims)?;

    let mut p = old.clone();
    p.bonded = p.bonded.checked_sub(amount)?;
    if p.bonded.is_zero() && matches!(p.status, ProviderStatus::Active) {
        p.status = ProviderStatus::Unbonding { until: release_at };
    }
    let events = store(deps.storage, env.block.time, &params, Some(&old), &mut p)?;
    TOTAL_BONDED.update(deps.storage, |t| -> Result<_, ContractError> {
        Ok(t.checked_sub(amount)?)
    })?;
    TOTAL_CLAIMS.update(deps.storage, |t| -> Result<_, ContractError> {
        Ok(t.checked_add(amount)?)
    })?;
    Ok(Response::new()
        .add_events(events)
        .add_attribute("action", "unbond")
        .add_attribute("provider", info.sender)
        .add_attribute("amount", amount)
        .add_attribute("release_at", release_at.seconds().to_string()))
}

/// Pays every matured claim. Works for deregistered-looking records too: the
/// claims map is keyed by address only.
pub fn execute_claim(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
) -> Result<Response, ContractError> {
    let amount = release_matured(deps.storage, &CLAIMS, &info.sender, env.block.time)?;
    if amount.is_zero() {
        return Err(ContractError::NothingToClaim {});
    }
    TOTAL_CLAIMS.update(deps.storage, |t| -> Result<_, ContractError> {
        Ok(t.checked_sub(amount)?)
    })?;
    let config = CONFIG.load(deps.storage)?;
    Ok(Response::new()
        .add_message(agpu_transfer(&config.agpu_token, &info.sender, amount)?)
        .add_attribute("action", "claim")
        .add_attribute("provider", info.sender)
        .add_attribute("amount", amount))
}

/// Where a slash came from.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Taken {
    pub from_lock: Uint128,
    pub from_free: Uint128,
    pub from_claims: Uint128,
}

impl Taken {
    pub fn total(&self) -> Result<Uint128, ContractError> {
        Ok(self
            .from_lock
            .checked_add(self.from_free)?
            .checked_add(self.from_claims)?)
    }
}

/// Takes up to `amount` of `p`'s stake, in this order: the collateral locked
/// for `job_id`, free bond, then unbonding claims that have not matured yet,
/// newest first (as the Cosmos SDK slashes unbonding delegations): stake
/// stays at risk for the whole unbonding period. Never touches other jobs'
/// locks or matured claims. Updates `p` (the caller writes it), the locks,
/// the claims and the totals.
pub fn take_stake(
    storage: &mut dyn cosmwasm_std::Storage,
    now: cosmwasm_std::Timestamp,
    p: &mut starminer_interfaces::registry::Provider,
    job_id: Option<u64>,
    amount: Uint128,
) -> Result<Taken, ContractError> {
    let addr = p.address.clone();
    let mut taken = Taken::default();
    if let Some(job_id) = job_id {
        if let Some(lock) = LOCKS.may_load(storage, (&addr, job_id))? {
            taken.from_lock = lock.min(amount);
            let rest = lock.checked_sub(taken.from_lock)?;
            if rest.is_zero() {
                LOCKS.remove(storage, (&addr, job_id));
            } else {
                LOCKS.save(storage, (&addr, job_id), &rest)?;
            }
            // The lock leaves the bond with it (free stake is bond − locks).
            p.locked = p.locked.checked_sub(taken.from_lock)?;
            p.bonded = p.bonded.checked_sub(taken.from_lock)?;
        }
    }
    let mut rest = amount.checked_sub(taken.from_lock)?;
    taken.from_free = rest.min(p.free_stake());
    rest = rest.checked_sub(taken.from_free)?;
    p.bonded = p.bonded.checked_sub(taken.from_free)?;
    let from_bond = taken.from_lock.checked_add(taken.from_free)?;
    TOTAL_BONDED.update(storage, |t| -> Result<_, ContractError> {
        Ok(t.checked_sub(from_bond)?)
    })?;
    if !rest.is_zero() {
        let mut claims = CLAIMS.may_load(storage, &addr)?.unwrap_or_default();
        for claim in claims.iter_mut().rev() {
            if rest.is_zero() {
                break;
            }
            if claim.release_at <= now {
                continue;
            }
            let cut = claim.amount.min(rest);
            claim.amount = claim.amount.checked_sub(cut)?;
            rest = rest.checked_sub(cut)?;
            taken.from_claims = taken.from_claims.checked_add(cut)?;
        }
        claims.retain(|c| !c.amount.is_zero());
        if claims.is_empty() {
            CLAIMS.remove(storage, &addr);
        } else {
            CLAIMS.save(storage, &addr, &claims)?;
        }
        let from_claims = taken.from_claims;
        TOTAL_CLAIMS.update(storage, |t| -> Result<_, ContractError> {
            Ok(t.checked_sub(from_claims)?)
        })?;
    }
    Ok(taken)
}
