//! Staking AMAX for voting power, unbonding, and claiming unbonded AMAX.

use cosmwasm_std::{
    to_json_binary, Addr, DepsMut, Env, MessageInfo, Response, StdError, Uint128, WasmMsg,
};
use cw20::Cw20ExecuteMsg;
use starminer_contract_kit::release_matured;
use starminer_interfaces::governance::{Claim, MAX_PENDING_CLAIMS};

use crate::error::ContractError;
use crate::state::{CLAIMS, CONFIG, STAKED, TOTAL_STAKED, TOTAL_UNBONDING};

/// Adds `amount` (already received from AMAX) to `staker_addr`'s stake.
pub fn execute_stake(
    deps: DepsMut,
    env: Env,
    staker_addr: Addr,
    amount: Uint128,
) -> Result<Response, ContractError> {
    let height = env.block.height;
    let staked = STAKED
        .may_load(deps.storage, &staker_addr)?
        .unwrap_or_default();
    let staked = staked.checked_add(amount)?;
    STAKED.save(deps.storage, &staker_addr, &staked, height)?;
    let total = TOTAL_STAKED.load(deps.storage)?.checked_add(amount)?;
    TOTAL_STAKED.save(deps.storage, &total, height)?;
    Ok(Response::new()
        .add_attribute("action", "stake")
        .add_attribute("staker", staker_addr)
        .add_attribute("amount", amount)
        .add_attribute("staked", staked)
        .add_attribute("total_staked", total))
}

pub fn execute_unstake(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    amount: Uint128,
) -> Result<Response, ContractError> {
    if amount.is_zero() {
        return Err(ContractError::ZeroAmount {});
    }
    let height = env.block.height;
    let staked = STAKED
        .may_load(deps.storage, &info.sender)?
        .unwrap_or_default();
    if staked < amount {
        return Err(ContractError::InsufficientStake {
            staked,
            requested: amount,
        });
    }
    let remaining = staked.checked_sub(amount)?;
    if remaining.is_zero() {
        STAKED.remove(deps.storage, &info.sender, height)?;
    } else {
        STAKED.save(deps.storage, &info.sender, &remaining, height)?;
    }
    let total = TOTAL_STAKED.load(deps.storage)?.checked_sub(amount)?;
    TOTAL_STAKED.save(deps.storage, &total, height)?;

    let unbonding_period = CONFIG.load(deps.storage)?.params.unbonding_period;
    let release_at = env.block.time.plus_seconds(unbonding_period);
    let mut claims = CLAIMS
        .may_load(deps.storage, &info.sender)?
        .unwrap_or_default();
    match claims.last_mut() {
        // Unstakes maturing at the same moment share one claim.
        Some(last) if last.release_at == release_at => {
            last.amount = last.amount.checked_add(amount)?;
        }
        _ => {
            if claims.len() >= MAX_PENDING_CLAIMS {
                return Err(ContractError::TooManyPendingClaims {
                    max: MAX_PENDING_CLAIMS,
                });
            }
            claims.push(Claim { amount, release_at });
        }
    }
    CLAIMS.save(deps.storage, &info.sender, &claims)?;
    TOTAL_UNBONDING.update(deps.storage, |t| {
        t.checked_add(amount).map_err(StdError::from)
    })?;

    Ok(Response::new()
        .add_attribute("action", "unstake")
        .add_attribute("staker", info.sender)
        .add_attribute("amount", amount)
        .add_attribute("staked", remaining)
        .add_attribute("release_at", release_at.seconds().to_string()))
}

/// Pays out every matured claim of the sender (at most `MAX_PENDING_CLAIMS`).
pub fn execute_claim(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
) -> Result<Response, ContractError> {
    let amount = release_matured(deps.storage, &CLAIMS, &info.sender, env.block.time)?;
    if amount.is_zero() {
        return Err(ContractError::NothingToClaim {});
    }
    TOTAL_UNBONDING.update(deps.storage, |t| {
        t.checked_sub(amount).map_err(StdError::from)
    })?;
    let amax_token = CONFIG.load(deps.storage)?.amax_token;
    let transfer = WasmMsg::Execute {
        contract_addr: amax_token.into_string(),
        msg: to_json_binary(&Cw20ExecuteMsg::Transfer {
            recipient: info.sender.to_string(),
            amount,
        })?,
        funds: vec![],
    };
    Ok(Response::new()
        .add_message(transfer)
        .add_attribute("action", "claim")
        .add_attribute("staker", info.sender)
        .add_attribute("amount", amount))
}
