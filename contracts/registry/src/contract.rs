//! Entry points. Dispatch only: funds are checked here, the work is done in
//! `execute::*` and `query`.

#[cfg(not(feature = "library"))]
use cosmwasm_std::entry_point;
use cosmwasm_std::{
    to_json_binary, Binary, Deps, DepsMut, Env, MessageInfo, Response, StdResult, Uint128,
};
use starminer_interfaces::registry::{ExecuteMsg, InstantiateMsg, MigrateMsg, QueryMsg};

use crate::error::ContractError;
use crate::execute::governance::validate_authorized;
use crate::execute::profile::{ProfileUpdate, Registration};
use crate::execute::{benchmark, collateral, governance, profile, stake};
use crate::query;
use crate::state::{
    Config, CONFIG, NEXT_CHALLENGE_ID, PARAMS, PROVIDER_COUNT, TOTAL_BONDED, TOTAL_CLAIMS,
    VALIDATOR_COUNT, VALIDATOR_STAKE, ZONES,
};
use crate::validate::{validate_params, validate_zone_id};

pub const CONTRACT_NAME: &str = "crates.io:starminer-registry";
pub const CONTRACT_VERSION: &str = env!("CARGO_PKG_VERSION");

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn instantiate(
    deps: DepsMut,
    _env: Env,
    info: MessageInfo,
    msg: InstantiateMsg,
) -> Result<Response, ContractError> {
    cw_utils::nonpayable(&info)?;
    validate_params(&msg.params)?;
    let config = Config {
        governance: deps.api.addr_validate(&msg.governance)?,
        agpu_token: deps.api.addr_validate(&msg.agpu_token)?,
        authorized: validate_authorized(deps.api, &msg.authorized)?,
    };
    for zone in &msg.zones {
        validate_zone_id(zone)?;
        ZONES.save(deps.storage, zone, &())?;
    }
    cw2::set_contract_version(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;
    CONFIG.save(deps.storage, &config)?;
    PARAMS.save(deps.storage, &msg.params)?;
    PROVIDER_COUNT.save(deps.storage, &0)?;
    VALIDATOR_COUNT.save(deps.storage, &0)?;
    VALIDATOR_STAKE.save(deps.storage, &Uint128::zero())?;
    TOTAL_BONDED.save(deps.storage, &Uint128::zero())?;
    TOTAL_CLAIMS.save(deps.storage, &Uint128::zero())?;
    NEXT_CHALLENGE_ID.save(deps.storage, &1)?;
    Ok(Response::new()
        .add_attribute("action", "instantiate")
        .add_attribute("governance", config.governance)
        .add_attribute("agpu_token", config.agpu_token)
        .add_attribute("zones", msg.zones.join(",")))
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn execute(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    msg: ExecuteMsg,
) -> Result<Response, ContractError> {
    // No message takes native coins: AGPU arrives only through cw20 `Send`.
    cw_utils::nonpayable(&info)?;
    match msg {
        ExecuteMsg::Register {
            moniker,
            pubkey,
            region,
            zone,
            hardware,
            result_server_url,
            roles,
        } => profile::execute_register(
            deps,
            env,
            info,
            Registration {
                moniker,
                pubkey,
                region,
                zone,
                hardware,
                result_server_url,
                roles,
            },
        ),
        ExecuteMsg::UpdateProfile {
            moniker,
            pubkey,
            region,
            zone,
            result_server_url,
            roles,
        } => profile::execute_update_profile(
            deps,
            info,
            ProfileUpdate {
                moniker,
                pubkey,
                region,
                zone,
                result_server_url,
                roles,
            },
        ),
        ExecuteMsg::UpdateHardware { hardware } => {
            profile::execute_update_hardware(deps, info, hardware)
        }
        ExecuteMsg::Receive(wrapper) => stake::execute_receive(deps, info, wrapper),
        ExecuteMsg::Unbond { amount } => stake::execute_unbond(deps, env, info, amount),
        ExecuteMsg::Claim {} => stake::execute_claim(deps, env, info),
        ExecuteMsg::Heartbeat {} => profile::execute_heartbeat(deps, env, info),
        ExecuteMsg::Unjail {} => profile::execute_unjail(deps, env, info),
        ExecuteMsg::RequestBenchmark { claimed_score } => {
            benchmark::execute_request_benchmark(deps, env, info, claimed_score)
        }
        ExecuteMsg::SubmitBenchmarkResult {
            challenge_id,
            result_root,
        } => benchmark::execute_submit_benchmark_result(deps, env, info, challenge_id, result_root),
        ExecuteMsg::AttestBenchmark {
            provider,
            challenge_id,
            valid,
            measured_score,
        } => benchmark::execute_attest_benchmark(
            deps,
            env,
            info,
            provider,
            challenge_id,
            valid,
            measured_score,
        ),
        ExecuteMsg::LockCollateral {
            provider,
            job_id,
            amount,
        } => collateral::execute_lock_collateral(deps, info, provider, job_id, amount),
        ExecuteMsg::UnlockCollateral { provider, job_id } => {
            collateral::execute_unlock_collateral(deps, info, provider, job_id)
        }
        ExecuteMsg::Slash {
            provider,
            job_id,
            amount,
            beneficiary,
        } => collateral::execute_slash(deps, info, provider, job_id, amount, beneficiary),
        ExecuteMsg::RecordOutcome { provider, outcome } => {
            collateral::execute_record_outcome(deps, env, info, provider, outcome)
        }
        ExecuteMsg::UpdateConfig { governance, params } => {
            governance::execute_update_config(deps, info, governance, params)
        }
        ExecuteMsg::SetAuthorized { contracts } => {
            governance::execute_set_authorized(deps, info, contracts)
        }
        ExecuteMsg::AppointOracle { address } => {
            governance::execute_appoint_oracle(deps, info, address)
        }
        ExecuteMsg::RemoveOracle { address } => {
            governance::execute_remove_oracle(deps, info, address)
        }
        ExecuteMsg::AddZones { zones } => governance::execute_add_zones(deps, info, zones),
        ExecuteMsg::RemoveZones { zones } => governance::execute_remove_zones(deps, info, zones),
    }
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn query(deps: Deps, _env: Env, msg: QueryMsg) -> StdResult<Binary> {
    match msg {
        QueryMsg::Config {} => to_json_binary(&query::query_config(deps)?),
        QueryMsg::Provider { address } => to_json_binary(&query::query_provider(deps, address)?),
        QueryMsg::Providers { start_after, limit } => {
            to_json_binary(&query::query_providers(deps, start_after, limit)?)
        }
        QueryMsg::ProvidersByZone {
            zone,
            start_after,
            limit,
        } => to_json_binary(&query::query_providers_by_zone(
            deps,
            zone,
            start_after,
            limit,
        )?),
        QueryMsg::ProvidersByTier {
            tier,
            start_after,
            limit,
        } => to_json_binary(&query::query_providers_by_tier(
            deps,
            tier,
            start_after,
            limit,
        )?),
        QueryMsg::ProvidersByRole {
            role,
            start_after,
            limit,
        } => to_json_binary(&query::query_providers_by_role(
            deps,
            role,
            start_after,
            limit,
        )?),
        QueryMsg::Validators { start_after, limit } => {
            to_json_binary(&query::query_validators(deps, start_after, limit)?)
        }
        QueryMsg::ValidatorTotals {} => to_json_binary(&query::query_validator_totals(deps)?),
        QueryMsg::Stake { address } => to_json_binary(&query::query_stake(deps, address)?),
        QueryMsg::CollateralLocks {
            provider,
            start_after,
            limit,
        } => to_json_binary(&query::query_collateral_locks(
            deps,
            provider,
            start_after,
            limit,
        )?),
        QueryMsg::Challenge { challenge_id } => {
            to_json_binary(&query::query_challenge(deps, challenge_id)?)
        }
        QueryMsg::Oracles { start_after, limit } => {
            to_json_binary(&query::query_oracles(deps, start_after, limit)?)
        }
        QueryMsg::Zones { start_after, limit } => {
            to_json_binary(&query::query_zones(deps, start_after, limit)?)
        }
        QueryMsg::DidDocument { address } => {
            to_json_binary(&query::query_did_document(deps, address)?)
        }
        QueryMsg::Capacity { start_after, limit } => {
            to_json_binary(&query::query_capacity(deps, start_after, limit)?)
        }
        QueryMsg::TierCapacity { tier } => to_json_binary(&query::query_tier_capacity(deps, tier)?),
        QueryMsg::Totals {} => to_json_binary(&query::query_totals(deps)?),
    }
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn migrate(deps: DepsMut, _env: Env, _msg: MigrateMsg) -> Result<Response, ContractError> {
    let from = cw2::ensure_from_older_version(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)
        .map_err(|e| ContractError::Migration(e.to_string()))?;
    Ok(Response::new()
        .add_attribute("action", "migrate")
        .add_attribute("from_version", from.to_string())
        .add_attribute("to_version", CONTRACT_VERSION))
}
