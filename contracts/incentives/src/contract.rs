//! Entry points. Dispatch only: funds are checked here, the work is done in
//! `execute::*` and `query`.

#[cfg(not(feature = "library"))]
use cosmwasm_std::entry_point;
use cosmwasm_std::{
    to_json_binary, Binary, Deps, DepsMut, Env, MessageInfo, Response, StdResult, Uint128,
};
use starminer_interfaces::incentives::{ExecuteMsg, InstantiateMsg, MigrateMsg, QueryMsg};

use crate::error::ContractError;
use crate::execute::{claim, config, record};
use crate::query;
use crate::state::{Config, CLAIMED, CONFIG, GENESIS, MINTED, PARAMS, RESERVED};
use crate::validate::{validate_params, validate_reporters};

pub const CONTRACT_NAME: &str = "crates.io:starminer-incentives";
/// The stored-state version, bumped for every change of what is stored
/// (0.2.0: fee credits per address and epoch, the fee bound per epoch, new
/// parameters).
pub const CONTRACT_VERSION: &str = "0.2.0";

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn instantiate(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    msg: InstantiateMsg,
) -> Result<Response, ContractError> {
    cw_utils::nonpayable(&info)?;
    validate_params(&msg.params)?;
    let config = Config {
        governance: deps.api.addr_validate(&msg.governance)?,
        agpu_token: deps.api.addr_validate(&msg.agpu_token)?,
        registry: deps.api.addr_validate(&msg.registry)?,
        reporters: validate_reporters(deps.api, &msg.reporters)?,
    };
    cw2::set_contract_version(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;
    CONFIG.save(deps.storage, &config)?;
    PARAMS.save(deps.storage, &msg.params)?;
    GENESIS.save(deps.storage, &env.block.time)?;
    RESERVED.save(deps.storage, &Uint128::zero())?;
    CLAIMED.save(deps.storage, &Uint128::zero())?;
    MINTED.save(deps.storage, &Uint128::zero())?;
    Ok(Response::new()
        .add_attribute("action", "instantiate")
        .add_attribute("governance", config.governance)
        .add_attribute("agpu_token", config.agpu_token)
        .add_attribute("registry", config.registry)
        .add_attribute("genesis", env.block.time.seconds().to_string()))
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn execute(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    msg: ExecuteMsg,
) -> Result<Response, ContractError> {
    // Nothing here takes native coins.
    cw_utils::nonpayable(&info)?;
    match msg {
        ExecuteMsg::RecordWork { provider, units } => {
            record::execute_record_work(deps, env, info, provider, units)
        }
        ExecuteMsg::RecordAttestation { verifier } => {
            record::execute_record_attestation(deps, env, info, verifier)
        }
        ExecuteMsg::RecordSettlement {
            provider,
            units,
            protocol_fee,
            verification,
            verifiers,
        } => record::execute_record_settlement(
            deps,
            env,
            info,
            record::Settlement {
                provider,
                units,
                protocol_fee,
                verification,
                verifiers,
            },
        ),
        ExecuteMsg::Claim {} => claim::execute_claim(deps, env, info),
        ExecuteMsg::UpdateConfig {
            governance,
            registry,
            reporters,
            params,
        } => config::execute_update_config(deps, info, governance, registry, reporters, params),
    }
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn query(deps: Deps, env: Env, msg: QueryMsg) -> StdResult<Binary> {
    match msg {
        QueryMsg::Config {} => to_json_binary(&query::query_config(deps)?),
        QueryMsg::CurrentEpoch {} => to_json_binary(&query::query_current_epoch(deps, env)?),
        QueryMsg::Emissions { start_after, limit } => {
            to_json_binary(&query::query_emissions(deps, start_after, limit)?)
        }
        QueryMsg::PendingRewards { address } => {
            to_json_binary(&query::query_pending_rewards(deps, env, address)?)
        }
        QueryMsg::Totals {} => to_json_binary(&query::query_totals(deps)?),
    }
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn migrate(deps: DepsMut, _env: Env, msg: MigrateMsg) -> Result<Response, ContractError> {
    let mut response =
        starminer_contract_kit::migrate_version(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)
            .map_err(ContractError::Migration)?;
    // State of 0.1.0 loads as is: epochs without `fee_bound` are paid as
    // they were promised (uncapped), weights without credits read 0, and
    // parameters without `reward_per_fee` read 0 (no rewards for new epochs)
    // until `msg.params` or `UpdateConfig` sets it.
    if let Some(params) = msg.params {
        config::replace_params(deps.storage, &params)?;
        response = response.add_attribute("params", "updated");
    }
    Ok(response)
}
