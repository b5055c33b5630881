//! Bonding AGPU (cw20 `Send`), unbonding into claims, and paying claims out.

use cosmwasm_std::{
    from_json, to_json_binary, Addr, DepsMut, Env, MessageInfo, Response, Uint128, WasmMsg,
};
use cw20::{Cw20ExecuteMsg, Cw20ReceiveMsg};
use starminer_interfaces::claims::take_matured;
use starminer_interfaces::registry::{ProviderStatus, ReceiveMsg, UnbondingClaim};

use crate::error::ContractError;
use crate::execute::{load_registered, refresh_roles};
use crate::state::{save_provider, CLAIMS, CONFIG, PARAMS, TOTAL_BONDED, TOTAL_CLAIMS};

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
            execute_bond(deps, staker_addr, wrapper.amount)
        }
    }
}

fn execute_bond(
    deps: DepsMut,
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
    refresh_roles(deps.storage, &mut p, &params)?;
    save_provider(deps.storage, Some(&old), &p)?;
    TOTAL_BONDED.update(deps.storage, |t| -> Result<_, ContractError> {
        Ok(t.checked_add(amount)?)
    })?;
    Ok(Response::new()
        .add_attribute("action", "bond")
        .add_attribute("provider", staker_addr)
        .add_attribute("amount", amount)
        .add_attribute("bonded", p.bonded))
}

/// Moves free bond into a claim. When the whole bond leaves, the status
/// becomes `Unbonding{until}` (a jailed provider stays `Jailed`); roles whose
/// threshold is no longer met become inactive at once.
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
    refresh_roles(deps.storage, &mut p, &params)?;
    save_provider(deps.storage, Some(&old), &p)?;
    TOTAL_BONDED.update(deps.storage, |t| -> Result<_, ContractError> {
        Ok(t.checked_sub(amount)?)
    })?;
    TOTAL_CLAIMS.update(deps.storage, |t| -> Result<_, ContractError> {
        Ok(t.checked_add(amount)?)
    })?;
    Ok(Response::new()
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
    let claims = CLAIMS
        .may_load(deps.storage, &info.sender)?
        .unwrap_or_default();
    let (amount, pending) = take_matured(claims, env.block.time)?;
    if amount.is_zero() {
        return Err(ContractError::NothingToClaim {});
    }
    if pending.is_empty() {
        CLAIMS.remove(deps.storage, &info.sender);
    } else {
        CLAIMS.save(deps.storage, &info.sender, &pending)?;
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
