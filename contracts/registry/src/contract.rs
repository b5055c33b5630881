//! Entry points. Dispatch only: funds are checked here, the work is done in
//! `execute::*` and `query`.

#[cfg(not(feature = "library"))]
use cosmwasm_std::entry_point;
use cosmwasm_std::{
    to_json_binary, Addr, Binary, Deps, DepsMut, Env, MessageInfo, Order, Response, StdResult,
    Uint128,
};
use starminer_interfaces::registry::{ExecuteMsg, InstantiateMsg, MigrateMsg, QueryMsg};

use crate::error::ContractError;
use crate::execute::governance::validate_authorized;
use crate::execute::profile::{ProfileUpdate, Registration};
use crate::execute::{beacon, benchmark, collateral, duties, governance, profile, stake};
use crate::query;
use crate::state::{
    Config, BEACON, CONFIG, NEXT_CHALLENGE_ID, PARAMS, PROVIDER_COUNT, SEATED_AT, SEATS,
    TOTAL_BONDED, TOTAL_CLAIMS, VALIDATORS, VALIDATOR_COUNT, VALIDATOR_STAKE, ZONES,
};
use crate::validate::{validate_params, validate_zone_id};

pub const CONTRACT_NAME: &str = "crates.io:starminer-registry";
pub const CONTRACT_VERSION: &str = env!("CARGO_PKG_VERSION");

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
        authorized: validate_authorized(deps.api, &msg.authorized)?,
    };
    for zone in &msg.zones {
        validate_zone_id(zone)?;
        ZONES.save(deps.storage, zone, &())?;
    }
    for oracle in &msg.oracles {
        let oracle_addr = deps.api.addr_validate(oracle)?;
        crate::state::ORACLES.save(deps.storage, &oracle_addr, &())?;
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
    beacon::init_beacon(deps.storage, &env)?;
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
            env,
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
            profile::execute_update_hardware(deps, env, info, hardware)
        }
        ExecuteMsg::Receive(wrapper) => stake::execute_receive(deps, env, info, wrapper),
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
        } => collateral::execute_lock_collateral(deps, env, info, provider, job_id, amount),
        ExecuteMsg::UnlockCollateral { provider, job_id } => {
            collateral::execute_unlock_collateral(deps, env, info, provider, job_id)
        }
        ExecuteMsg::Slash {
            provider,
            job_id,
            amount,
            beneficiary,
        } => collateral::execute_slash(deps, env, info, provider, job_id, amount, beneficiary),
        ExecuteMsg::RecordOutcome { provider, outcome } => {
            collateral::execute_record_outcome(deps, env, info, provider, outcome)
        }
        ExecuteMsg::UpdateConfig { governance, params } => {
            governance::execute_update_config(deps, env, info, governance, params)
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
        ExecuteMsg::SetBeaconAnchor { anchor } => {
            beacon::execute_set_beacon_anchor(deps, env, info, anchor)
        }
        ExecuteMsg::RevealBeacon { preimage } => {
            beacon::execute_reveal_beacon(deps, env, info, preimage)
        }
        ExecuteMsg::ReportMissedBeacon { validator } => {
            duties::execute_report_missed_beacon(deps, env, info, validator)
        }
        ExecuteMsg::FinalizeBenchmark { challenge_id } => {
            benchmark::execute_finalize_benchmark(deps, env, challenge_id)
        }
    }
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn query(deps: Deps, env: Env, msg: QueryMsg) -> StdResult<Binary> {
    let now = env.block.time;
    match msg {
        QueryMsg::Config {} => to_json_binary(&query::query_config(deps)?),
        QueryMsg::Provider { address } => {
            to_json_binary(&query::query_provider(deps, now, address)?)
        }
        QueryMsg::Providers { start_after, limit } => {
            to_json_binary(&query::query_providers(deps, now, start_after, limit)?)
        }
        QueryMsg::ProvidersByZone {
            zone,
            start_after,
            limit,
        } => to_json_binary(&query::query_providers_by_zone(
            deps,
            now,
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
            now,
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
            now,
            role,
            start_after,
            limit,
        )?),
        QueryMsg::Validators { start_after, limit } => {
            to_json_binary(&query::query_validators(deps, start_after, limit)?)
        }
        QueryMsg::ValidatorsAsOf {
            seq,
            start_after,
            limit,
        } => to_json_binary(&query::query_validators_as_of(
            deps,
            seq,
            start_after,
            limit,
        )?),
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
            to_json_binary(&benchmark::query_challenge(deps, challenge_id)?)
        }
        QueryMsg::Oracles { start_after, limit } => {
            to_json_binary(&query::query_oracles(deps, start_after, limit)?)
        }
        QueryMsg::Zones { start_after, limit } => {
            to_json_binary(&query::query_zones(deps, start_after, limit)?)
        }
        QueryMsg::DidDocument { address } => {
            to_json_binary(&query::query_did_document(deps, now, address)?)
        }
        QueryMsg::Capacity { start_after, limit } => {
            to_json_binary(&query::query_capacity(deps, start_after, limit)?)
        }
        QueryMsg::TierCapacity { tier } => to_json_binary(&query::query_tier_capacity(deps, tier)?),
        QueryMsg::Totals {} => to_json_binary(&query::query_totals(deps)?),
        QueryMsg::HasRole { address, role } => {
            to_json_binary(&query::query_has_role(deps, address, role)?)
        }
        QueryMsg::Beacon {} => to_json_binary(&beacon::query_beacon(deps)?),
        QueryMsg::BeaconAt { seq } => to_json_binary(&query::query_beacon_at(deps, seq)?),
    }
}

/// From 0.1.0 (commit 091ec88): the seated set was `VALIDATORS` (address →
/// stake) alone. The migration writes the (stake, address) seat index for
/// every seat and starts their duty clocks now, and starts the beacon at its
/// genesis value. Candidates that waited for a seat had no index; each
/// enters the queue at its next message (a `Heartbeat` will do), and from
/// then on a larger bond displaces the smallest seat. Records, parameters
/// and challenges read their new fields with serde defaults. The seated set
/// is bounded by `max_validators`, so the loop is bounded.
///
/// From state written before the draw-weight history (`STAKE_HISTORY`,
/// `crate::snapshot`): nothing to rewrite. An address without marks counts
/// with its current seat stake for every beacon value until its first
/// change, which writes its first mark; that is exact for every draw seeded
/// after the migration (only a draw already pending across it could count a
/// bond made between its value and the migration).
#[cfg_attr(not(feature = "library"), entry_point)]
pub fn migrate(deps: DepsMut, env: Env, _msg: MigrateMsg) -> Result<Response, ContractError> {
    let response =
        starminer_contract_kit::migrate_version(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)
            .map_err(ContractError::Migration)?;
    let mut seats = 0u32;
    if BEACON.may_load(deps.storage)?.is_none() {
        let seated: Vec<(Addr, Uint128)> = VALIDATORS
            .range(deps.storage, None, None, Order::Ascending)
            .collect::<StdResult<_>>()?;
        for (addr, stake) in &seated {
            SEATS.save(deps.storage, (stake.u128(), addr), &())?;
            SEATED_AT.save(deps.storage, addr, &env.block.time)?;
            seats += 1;
        }
        beacon::init_beacon(deps.storage, &env)?;
    }
    // The parameters gain `duties` (read with its defaults until governance
    // sets them); re-saving writes them out and checks them.
    let params = PARAMS.load(deps.storage)?;
    validate_params(&params)?;
    PARAMS.save(deps.storage, &params)?;
    Ok(response.add_attribute("seats_indexed", seats.to_string()))
}
