#[cfg(not(feature = "library"))]
use cosmwasm_std::entry_point;
use cosmwasm_std::{Binary, Deps, DepsMut, Env, MessageInfo, Response, StdResult};
use starminer_interfaces::amax::{ExecuteMsg, InstantiateMsg, MigrateMsg, QueryMsg, AMAX_DECIMALS};

use crate::error::ContractError;

pub const CONTRACT_NAME: &str = "crates.io:starminer-amax-token";
pub const CONTRACT_VERSION: &str = env!("CARGO_PKG_VERSION");

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn instantiate(
    mut deps: DepsMut,
    env: Env,
    info: MessageInfo,
    msg: InstantiateMsg,
) -> Result<Response, ContractError> {
    cw_utils::nonpayable(&info)?;
    if msg.initial_balances.iter().all(|c| c.amount.is_zero()) {
        return Err(ContractError::EmptySupply {});
    }
    let base = cw20_base::msg::InstantiateMsg {
        name: msg.name,
        symbol: msg.symbol,
        decimals: AMAX_DECIMALS,
        initial_balances: msg.initial_balances,
        mint: None,
        marketing: msg.marketing,
    };
    let res = cw20_base::contract::instantiate(deps.branch(), env, info, base)?;
    cw2::set_contract_version(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;
    let supply = cw20_base::contract::query_token_info(deps.as_ref())?.total_supply;
    Ok(res
        .add_attribute("action", "instantiate")
        .add_attribute("token", "AMAX")
        .add_attribute("total_supply", supply))
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn execute(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    msg: ExecuteMsg,
) -> Result<Response, ContractError> {
    cw_utils::nonpayable(&info)?;
    match msg {
        ExecuteMsg::Mint { .. } | ExecuteMsg::UpdateMinter { .. } => {
            Err(ContractError::FixedSupply {})
        }
        other => Ok(cw20_base::contract::execute(deps, env, info, other)?),
    }
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
