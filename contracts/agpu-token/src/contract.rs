#[cfg(not(feature = "library"))]
use cosmwasm_std::entry_point;
use cosmwasm_std::{Binary, Deps, DepsMut, Env, MessageInfo, Response, StdResult};
use cw20::MinterResponse;
use cw20_base::state::{MinterData, TOKEN_INFO};
use starminer_interfaces::agpu::{ExecuteMsg, InstantiateMsg, MigrateMsg, QueryMsg, AGPU_DECIMALS};

use crate::error::ContractError;
use crate::state::{CAP, GOVERNANCE};

pub const CONTRACT_NAME: &str = "crates.io:starminer-agpu-token";
pub const CONTRACT_VERSION: &str = env!("CARGO_PKG_VERSION");

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn instantiate(
    mut deps: DepsMut,
    env: Env,
    info: MessageInfo,
    msg: InstantiateMsg,
) -> Result<Response, ContractError> {
    cw_utils::nonpayable(&info)?;
    if msg.cap.is_zero() {
        return Err(ContractError::ZeroCap {});
    }
    let initial = msg
        .initial_balances
        .iter()
        .try_fold(cosmwasm_std::Uint128::zero(), |acc, c| {
            acc.checked_add(c.amount)
        })
        .map_err(cosmwasm_std::StdError::from)?;
    if initial > msg.cap {
        return Err(ContractError::InitialSupplyAboveCap {
            initial,
            cap: msg.cap,
        });
    }
    let governance_addr = deps.api.addr_validate(&msg.governance)?;
    let base = cw20_base::msg::InstantiateMsg {
        name: msg.name,
        symbol: msg.symbol,
        decimals: AGPU_DECIMALS,
        initial_balances: msg.initial_balances,
        mint: Some(MinterResponse {
            minter: msg.minter,
            cap: Some(msg.cap),
        }),
        marketing: msg.marketing,
    };
    cw20_base::contract::instantiate(deps.branch(), env, info, base)?;
    // cw20-base wrote its own name; the deployed contract is ours.
    cw2::set_contract_version(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;
    GOVERNANCE.save(deps.storage, &governance_addr)?;
    CAP.save(deps.storage, &msg.cap)?;
    Ok(Response::new()
        .add_attribute("action", "instantiate")
        .add_attribute("token", "AGPU")
        .add_attribute("cap", msg.cap)
        .add_attribute("governance", governance_addr))
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn execute(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    msg: ExecuteMsg,
) -> Result<Response, ContractError> {
    // A cw20 never takes native coins: they would be stuck forever.
    cw_utils::nonpayable(&info)?;
    match msg {
        ExecuteMsg::UpdateMinter { new_minter } => execute_update_minter(deps, info, new_minter),
        other => Ok(cw20_base::contract::execute(deps, env, info, other)?),
    }
}

/// Reassigns (or, with `None`, disables) minting. Allowed for the current
/// minter and for governance; the cap always comes from `CAP`.
pub fn execute_update_minter(
    deps: DepsMut,
    info: MessageInfo,
    new_minter: Option<String>,
) -> Result<Response, ContractError> {
    let mut token = TOKEN_INFO.load(deps.storage)?;
    let governance_addr = GOVERNANCE.load(deps.storage)?;
    let is_minter = token.mint.as_ref().is_some_and(|m| m.minter == info.sender);
    if !is_minter && info.sender != governance_addr {
        return Err(ContractError::UnauthorizedMinterChange {});
    }
    let cap = CAP.load(deps.storage)?;
    token.mint = new_minter
        .map(|m| deps.api.addr_validate(&m))
        .transpose()?
        .map(|minter| MinterData {
            minter,
            cap: Some(cap),
        });
    TOKEN_INFO.save(deps.storage, &token)?;
    let shown = token
        .mint
        .map(|m| m.minter.into_string())
        .unwrap_or_else(|| "none".to_string());
    Ok(Response::new()
        .add_attribute("action", "update_minter")
        .add_attribute("new_minter", shown)
        .add_attribute("sender", info.sender))
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn query(deps: Deps, env: Env, msg: QueryMsg) -> StdResult<Binary> {
    cw20_base::contract::query(deps, env, msg)
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn migrate(deps: DepsMut, _env: Env, _msg: MigrateMsg) -> Result<Response, ContractError> {
    starminer_contract_kit::migrate_version(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)
        .map_err(ContractError::Migration)
}
