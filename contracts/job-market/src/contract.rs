//! Entry points. Dispatch only: funds are checked here, the work is done in
//! `execute::*` and `query`.

#[cfg(not(feature = "library"))]
use cosmwasm_std::entry_point;
use cosmwasm_std::{
    to_json_binary, Binary, Deps, DepsMut, Env, MessageInfo, Reply, Response, StdResult,
};
use starminer_interfaces::job_market::{ExecuteMsg, InstantiateMsg, MigrateMsg, QueryMsg, Totals};

use crate::error::ContractError;
use crate::execute::admin::validate_oracles;
use crate::execute::{admin, claim, decoy, result, settle, submit, verify};
use crate::query;
use crate::state::{Config, CONFIG, JOB_COUNT, NEXT_JOB_ID, PARAMS, TOTALS, ZONE_COUNT};
use crate::validate::validate_params;

pub const CONTRACT_NAME: &str = "crates.io:starminer-job-market";
/// 0.2.0: trust hardening (state of 0.1.0, commit 091ec88, migrates: new
/// parameters take their serde defaults, old jobs keep their log ring).
pub const CONTRACT_VERSION: &str = "0.4.0";

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
        registry: deps.api.addr_validate(&msg.registry)?,
        pricing: deps.api.addr_validate(&msg.pricing)?,
        incentives: deps.api.addr_validate(&msg.incentives)?,
        oracles: validate_oracles(deps.api, &msg.oracles)?,
    };
    cw2::set_contract_version(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;
    CONFIG.save(deps.storage, &config)?;
    PARAMS.save(deps.storage, &msg.params)?;
    NEXT_JOB_ID.save(deps.storage, &1)?;
    JOB_COUNT.save(deps.storage, &0)?;
    ZONE_COUNT.save(deps.storage, &0)?;
    TOTALS.save(deps.storage, &Totals::default())?;
    Ok(Response::new()
        .add_attribute("action", "instantiate")
        .add_attribute("governance", config.governance)
        .add_attribute("agpu_token", config.agpu_token)
        .add_attribute("registry", config.registry))
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
    // Every registry Slash goes out as a submessage whose reply counts what
    // the registry actually took (execute::with_slash_replies).
    let registry = CONFIG.load(deps.storage)?.registry;
    let response = match msg {
        ExecuteMsg::Receive(wrapper) => submit::execute_receive(deps, env, info, wrapper),
        ExecuteMsg::Cancel { job_id } => submit::execute_cancel(deps, env, info, job_id),
        ExecuteMsg::Claim { job_id } => claim::execute_claim(deps, env, info, job_id),
        ExecuteMsg::ClaimNext { start_after } => {
            claim::execute_claim_next(deps, env, info, start_after)
        }
        ExecuteMsg::SubmitResult {
            job_id,
            root,
            chunk_count,
            output_size,
            output_uri,
            decoy,
        } => result::execute_submit_result(
            deps,
            env,
            info,
            job_id,
            root,
            chunk_count,
            output_size,
            output_uri,
            decoy,
        ),
        ExecuteMsg::RevealDecoy {
            job_id,
            salt,
            honest,
        } => decoy::execute_reveal_decoy(deps, env, info, job_id, salt, honest),
        ExecuteMsg::CommitResult { job_id, commitment } => {
            result::execute_commit_result(deps, env, info, job_id, commitment)
        }
        ExecuteMsg::RevealResult {
            job_id,
            root,
            salt,
            chunk_count,
            output_size,
            output_uri,
        } => result::execute_reveal_result(
            deps,
            env,
            info,
            job_id,
            root,
            salt,
            chunk_count,
            output_size,
            output_uri,
        ),
        ExecuteMsg::ReportBadInput { job_id } => {
            result::execute_report_bad_input(deps, env, info, job_id)
        }
        ExecuteMsg::JudgeBadInput { job_id, input_bad } => {
            result::execute_judge_bad_input(deps, env, info, job_id, input_bad)
        }
        ExecuteMsg::Abandon { job_id } => settle::execute_abandon(deps, env, info, job_id),
        ExecuteMsg::Attest {
            job_id,
            attestation,
            salt,
        } => verify::execute_attest(deps, env, info, job_id, attestation, salt),
        ExecuteMsg::SealAttestation { job_id, seal } => {
            verify::execute_seal_attestation(deps, env, info, job_id, seal)
        }
        ExecuteMsg::Challenge { job_id, index } => {
            verify::execute_challenge(deps, env, info, job_id, index)
        }
        ExecuteMsg::RespondChallenge {
            job_id,
            index,
            leaf_hash,
            proof,
        } => verify::execute_respond_challenge(deps, env, info, job_id, index, leaf_hash, proof),
        ExecuteMsg::VoteDispute {
            job_id,
            provider_correct,
        } => verify::execute_vote_dispute(deps, env, info, job_id, provider_correct),
        ExecuteMsg::ResolveChallenge { job_id } => {
            verify::execute_resolve_challenge(deps, env, job_id)
        }
        ExecuteMsg::DrawVerifiers { job_ids } => verify::execute_draw_verifiers(deps, env, job_ids),
        ExecuteMsg::ChallengeData { job_id, index } => {
            verify::execute_challenge_data(deps, env, info, job_id, index)
        }
        ExecuteMsg::RespondData {
            job_id,
            index,
            data,
            proof,
        } => verify::execute_respond_data(deps, env, info, job_id, index, data, proof),
        ExecuteMsg::Expire { job_id } => settle::execute_expire(deps, env, job_id),
        ExecuteMsg::Settle { job_id } => settle::execute_settle(deps, env, job_id),
        ExecuteMsg::UpdateConfig {
            governance,
            agpu_token,
            registry,
            pricing,
            incentives,
            oracles,
            params,
        } => admin::execute_update_config(
            deps, info, governance, agpu_token, registry, pricing, incentives, oracles, params,
        ),
        ExecuteMsg::RegisterTemplate { template } => {
            admin::execute_register_template(deps, info, template)
        }
        ExecuteMsg::SetTemplateEnabled { id, enabled } => {
            admin::execute_set_template_enabled(deps, info, id, enabled)
        }
        ExecuteMsg::SetZones { zones } => admin::execute_set_zones(deps, info, zones),
        ExecuteMsg::SetSpillover { routes } => admin::execute_set_spillover(deps, info, routes),
    }?;
    Ok(crate::execute::with_slash_replies(&registry, response))
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn query(deps: Deps, _env: Env, msg: QueryMsg) -> StdResult<Binary> {
    match msg {
        QueryMsg::Config {} => to_json_binary(&query::query_config(deps)?),
        QueryMsg::Template { id } => to_json_binary(&query::query_template(deps, id)?),
        QueryMsg::Templates { start_after, limit } => {
            to_json_binary(&query::query_templates(deps, start_after, limit)?)
        }
        QueryMsg::Job { job_id } => to_json_binary(&query::query_job(deps, job_id)?),
        QueryMsg::JobsByRequester {
            requester,
            start_after,
            limit,
        } => to_json_binary(&query::query_jobs_by_requester(
            deps,
            requester,
            start_after,
            limit,
        )?),
        QueryMsg::JobsByProvider {
            provider,
            start_after,
            limit,
        } => to_json_binary(&query::query_jobs_by_provider(
            deps,
            provider,
            start_after,
            limit,
        )?),
        QueryMsg::JobsByStatus {
            status,
            start_after,
            limit,
        } => to_json_binary(&query::query_jobs_by_status(
            deps,
            status,
            start_after,
            limit,
        )?),
        QueryMsg::JobsByZone {
            zone,
            start_after,
            limit,
        } => to_json_binary(&query::query_jobs_by_zone(deps, zone, start_after, limit)?),
        QueryMsg::OpenQueue {
            zone,
            tier,
            start_after,
            limit,
        } => to_json_binary(&query::query_open_queue(
            deps,
            zone,
            tier,
            start_after,
            limit,
        )?),
        QueryMsg::VerifierTasks {
            address,
            start_after,
            limit,
        } => to_json_binary(&query::query_verifier_tasks(
            deps,
            address,
            start_after,
            limit,
        )?),
        QueryMsg::Zones { start_after, limit } => {
            to_json_binary(&query::query_zones(deps, start_after, limit)?)
        }
        QueryMsg::Spillover {
            to,
            start_after,
            limit,
        } => to_json_binary(&query::query_spillover(deps, to, start_after, limit)?),
        QueryMsg::Stats {} => to_json_binary(&query::query_stats(deps)?),
    }
}

/// Replies of registry `Slash` submessages: what was actually taken.
#[cfg_attr(not(feature = "library"), entry_point)]
pub fn reply(deps: DepsMut, _env: Env, msg: Reply) -> Result<Response, ContractError> {
    crate::execute::record_slash_reply(deps.storage, msg)
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn migrate(deps: DepsMut, _env: Env, _msg: MigrateMsg) -> Result<Response, ContractError> {
    let response =
        starminer_contract_kit::migrate_version(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)
            .map_err(ContractError::Migration)?;
    // Jobs logged before per-job rings keep the ring they were written with.
    if crate::state::LEGACY_RING.may_load(deps.storage)?.is_none() {
        let params = PARAMS.load(deps.storage)?;
        crate::state::LEGACY_RING.save(deps.storage, &params.limits.max_history.max(1))?;
    }
    Ok(response)
}
