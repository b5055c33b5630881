//! Entry points. Dispatch only: funds are checked here, the work is done in
//! `execute::*` and `query`.

#[cfg(not(feature = "library"))]
use cosmwasm_std::entry_point;
use cosmwasm_std::{
    to_json_binary, Binary, Decimal, Deps, DepsMut, Env, MessageInfo, Response, StdResult,
};
use starminer_interfaces::pricing::{ExecuteMsg, InstantiateMsg, MigrateMsg, QueryMsg};
use starminer_interfaces::registry::TIER_COUNT;

use crate::error::ContractError;
use crate::execute::{config, demand};
use crate::query;
use crate::state::{Config, EpochClock, TierState, CLOCK, CONFIG, PARAMS, TIERS};
use crate::validate::{validate_params, validate_reporters};

pub const CONTRACT_NAME: &str = "crates.io:starminer-pricing";
/// The stored-state version, bumped for every change of what is stored
/// (0.2.0: time-weighted supply in `TierState`, `min_verifier_fee`).
pub const CONTRACT_VERSION: &str = "0.2.0";

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn instantiate(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    msg: InstantiateMsg,
) -> Result<Response, ContractError> {
    cw_utils::nonpayable(&info)?;
    let params = validate_params(msg.params)?;
    let config = Config {
        governance: deps.api.addr_validate(&msg.governance)?,
        registry: deps.api.addr_validate(&msg.registry)?,
        reporters: validate_reporters(deps.api, &msg.reporters)?,
    };
    cw2::set_contract_version(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;
    CONFIG.save(deps.storage, &config)?;
    PARAMS.save(deps.storage, &params)?;
    CLOCK.save(
        deps.storage,
        &EpochClock {
            origin_epoch: 0,
            origin_time: env.block.time,
        },
    )?;
    for tier in 1..=TIER_COUNT {
        TIERS.save(deps.storage, tier, &TierState::new(0, Decimal::one()))?;
    }
    Ok(Response::new()
        .add_attribute("action", "instantiate")
        .add_attribute("governance", config.governance)
        .add_attribute("registry", config.registry)
        .add_attribute("epoch_length", params.epoch_length.to_string()))
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
        ExecuteMsg::RecordDemand { tier, units } => {
            demand::execute_record_demand(deps, env, info, tier, units)
        }
        ExecuteMsg::Poke {} => demand::execute_poke(deps, env),
        ExecuteMsg::UpdateConfig {
            governance,
            registry,
            reporters,
            params,
        } => {
            config::execute_update_config(deps, env, info, governance, registry, reporters, params)
        }
    }
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn query(deps: Deps, env: Env, msg: QueryMsg) -> StdResult<Binary> {
    match msg {
        QueryMsg::Config {} => to_json_binary(&query::query_config(deps)?),
        QueryMsg::Quote {
            tier,
            class,
            units,
            urgency,
            verification,
        } => to_json_binary(&query::query_quote(
            deps,
            env,
            tier,
            class,
            units,
            urgency,
            verification,
        )?),
        QueryMsg::Prices {} => to_json_binary(&query::query_prices(deps, env)?),
        QueryMsg::PriceHistory {
            tier,
            start_after,
            limit,
        } => to_json_binary(&query::query_price_history(
            deps,
            env,
            tier,
            start_after,
            limit,
        )?),
        QueryMsg::Utilization { tier } => {
            to_json_binary(&query::query_utilization(deps, env, tier)?)
        }
    }
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn migrate(mut deps: DepsMut, env: Env, msg: MigrateMsg) -> Result<Response, ContractError> {
    let mut response =
        starminer_contract_kit::migrate_version(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)
            .map_err(ContractError::Migration)?;
    // Tiers written at 0.1.0 load with their supply fields defaulted: the
    // first observation treats the capacity as held since the epoch began.
    // Observing them now starts the time-weighted integration at once.
    for tier in 1..=TIER_COUNT {
        crate::rollover::roll_tier(&mut deps, &env, tier)?;
    }
    if let Some(params) = msg.params {
        let old = PARAMS.load(deps.storage)?;
        if params.epoch_length != old.epoch_length {
            return Err(ContractError::Migration(
                "a migration cannot change epoch_length; use UpdateConfig".into(),
            ));
        }
        let params = validate_params(params)?;
        config::apply_params(deps.storage, &params)?;
        response = response.add_attribute("params", "updated");
    }
    Ok(response)
}
