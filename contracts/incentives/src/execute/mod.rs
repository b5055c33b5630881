//! Execute handlers, one module per subject, and the helpers they share.

pub mod claim;
pub mod config;
pub mod record;

use cosmwasm_std::{Addr, Env, QuerierWrapper, StdResult, Storage, Uint128};
use cw20::{Cw20QueryMsg, MinterResponse, TokenInfoResponse};

use crate::error::ContractError;
use crate::state::{CONFIG, GENESIS, PARAMS};

pub fn ensure_governance(storage: &dyn Storage, sender: &Addr) -> Result<(), ContractError> {
    if CONFIG.load(storage)?.governance != *sender {
        return Err(ContractError::NotGovernance {});
    }
    Ok(())
}

pub fn ensure_reporter(storage: &dyn Storage, sender: &Addr) -> Result<(), ContractError> {
    if !CONFIG.load(storage)?.reporters.contains(sender) {
        return Err(ContractError::NotReporter {});
    }
    Ok(())
}

/// The epoch `env.block.time` falls in: whole epoch lengths since genesis.
pub fn current_epoch(storage: &dyn Storage, env: &Env) -> StdResult<u64> {
    let genesis = GENESIS.load(storage)?;
    let length = PARAMS.load(storage)?.epoch_length;
    Ok(env.block.time.seconds().saturating_sub(genesis.seconds()) / length)
}

/// What the AGPU cap still allows: cap − total supply. Zero when minting is
/// disabled; unbounded (up to `Uint128::MAX`) when the token has no cap.
pub fn cap_room(querier: &QuerierWrapper, token: &Addr) -> Result<Uint128, ContractError> {
    Ok(mint_room(querier, token)?.unwrap_or_default())
}

/// Like [`cap_room`], but `None` when minting is disabled (the token has no
/// minter).
pub fn mint_room(querier: &QuerierWrapper, token: &Addr) -> Result<Option<Uint128>, ContractError> {
    let token_err = |e: cosmwasm_std::StdError| ContractError::TokenQuery {
        reason: e.to_string(),
    };
    let minter: Option<MinterResponse> = querier
        .query_wasm_smart(token, &Cw20QueryMsg::Minter {})
        .map_err(token_err)?;
    let Some(minter) = minter else {
        return Ok(None);
    };
    let info: TokenInfoResponse = querier
        .query_wasm_smart(token, &Cw20QueryMsg::TokenInfo {})
        .map_err(token_err)?;
    Ok(Some(
        minter
            .cap
            .unwrap_or(Uint128::MAX)
            .saturating_sub(info.total_supply),
    ))
}
