//! Entry points: check funds and dispatch to the handler of each message.

#[cfg(not(feature = "library"))]
use cosmwasm_std::entry_point;
use cosmwasm_std::{
    from_json, Binary, Deps, DepsMut, Env, MessageInfo, Reply, Response, StdResult,
};
use cw20::Cw20ReceiveMsg;
use starminer_interfaces::governance::{
    ExecuteMsg, InstantiateMsg, MigrateMsg, QueryMsg, ReceiveMsg,
};

use crate::error::ContractError;
use crate::execute::{config, execution, proposal, stake, vote};
use crate::query;
use crate::state::CONFIG;

pub const CONTRACT_NAME: &str = "crates.io:starminer-governance";
pub const CONTRACT_VERSION: &str = env!("CARGO_PKG_VERSION");

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn instantiate(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    msg: InstantiateMsg,
) -> Result<Response, ContractError> {
    cw_utils::nonpayable(&info)?;
    cw2::set_contract_version(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;
    config::instantiate(deps, env, msg)
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn execute(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    msg: ExecuteMsg,
) -> Result<Response, ContractError> {
    // Native coins reach the treasury by plain bank sends; no message takes them.
    cw_utils::nonpayable(&info)?;
    match msg {
        ExecuteMsg::Receive(wrapper) => receive(deps, env, info, wrapper),
        ExecuteMsg::Unstake { amount } => stake::execute_unstake(deps, env, info, amount),
        ExecuteMsg::Claim {} => stake::execute_claim(deps, env, info),
        ExecuteMsg::Vote { proposal_id, vote } => {
            vote::execute_vote(deps, env, info, proposal_id, vote)
        }
        ExecuteMsg::Close { proposal_id } => proposal::execute_close(deps, env, proposal_id),
        ExecuteMsg::Execute { proposal_id } => execution::execute_execute(deps, env, proposal_id),
        ExecuteMsg::UpdateConfig {
            quorum,
            threshold,
            veto_threshold,
            voting_period,
            timelock,
            unbonding_period,
            min_deposit,
            max_messages,
            treasury_cw20s,
        } => config::execute_update_config(
            deps,
            env,
            info,
            config::ConfigUpdate {
                quorum,
                threshold,
                veto_threshold,
                voting_period,
                timelock,
                unbonding_period,
                min_deposit,
                max_messages,
                treasury_cw20s,
            },
        ),
        ExecuteMsg::ExecuteProposalMessages { proposal_id } => {
            execution::execute_proposal_messages(deps, env, info, proposal_id)
        }
        ExecuteMsg::CheckAmaxReserves {} => execution::execute_check_amax_reserves(deps, env, info),
    }
}

/// cw20 hook: only AMAX is accepted; the cw20 `sender` is the staker or proposer.
fn receive(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    wrapper: Cw20ReceiveMsg,
) -> Result<Response, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    if info.sender != config.amax_token {
        return Err(ContractError::ForeignToken {
            token: info.sender.into_string(),
            expected: config.amax_token.into_string(),
        });
    }
    if wrapper.amount.is_zero() {
        return Err(ContractError::ZeroAmount {});
    }
    let sender_addr = deps.api.addr_validate(&wrapper.sender)?;
    match from_json(&wrapper.msg)? {
        ReceiveMsg::Stake {} => stake::execute_stake(deps, env, sender_addr, wrapper.amount),
        ReceiveMsg::Propose {
            title,
            description,
            msgs,
        } => proposal::execute_propose(
            deps,
            env,
            &config,
            sender_addr,
            wrapper.amount,
            proposal::ProposalDraft {
                title,
                description,
                msgs,
            },
        ),
    }
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn query(deps: Deps, env: Env, msg: QueryMsg) -> StdResult<Binary> {
    query::query(deps, env, msg)
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn reply(deps: DepsMut, env: Env, msg: Reply) -> Result<Response, ContractError> {
    execution::reply_execution_failed(deps, env, msg)
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn migrate(deps: DepsMut, _env: Env, _msg: MigrateMsg) -> Result<Response, ContractError> {
    starminer_contract_kit::migrate_version(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)
        .map_err(ContractError::Migration)
}
