//! Executing passed proposals.
//!
//! `Execute` marks the proposal Executed and dispatches, as a submessage with
//! `reply_on_error`, `ExecuteProposalMessages` to the contract itself. That
//! internal call returns the proposal's messages followed by
//! `CheckAmaxReserves`, so they all run as one batch: if any fails, the batch
//! reverts as a whole and `reply` records `ExecutionFailed { reason }` on the
//! proposal, which can then never be executed again.

use cosmwasm_std::{
    to_json_binary, DepsMut, Env, MessageInfo, Reply, Response, SubMsg, SubMsgResult, Uint128,
    WasmMsg,
};
use cw20::{BalanceResponse, Cw20QueryMsg};
use starminer_interfaces::governance::{ExecuteMsg, ProposalStatus};

use crate::error::ContractError;
use crate::execute::proposal::{close_proposal, load_proposal};
use crate::state::{
    proposals, CONFIG, HELD_DEPOSITS, PROPOSAL_MSGS, TOTAL_STAKED, TOTAL_UNBONDING,
};

pub fn execute_execute(
    deps: DepsMut,
    env: Env,
    proposal_id: u64,
) -> Result<Response, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let mut proposal = load_proposal(deps.storage, proposal_id)?;
    let mut res = Response::new();
    if proposal.status == ProposalStatus::Open && env.block.time >= proposal.voting_end {
        res = close_proposal(deps.storage, &env, &config.amax_token, &mut proposal)?;
    }
    match &proposal.status {
        ProposalStatus::Passed => {}
        ProposalStatus::Open => {
            return Err(ContractError::VotingNotEnded {
                id: proposal_id,
                voting_end: proposal.voting_end,
            })
        }
        ProposalStatus::Executed => return Err(ContractError::AlreadyExecuted { id: proposal_id }),
        ProposalStatus::ExecutionFailed { reason } => {
            return Err(ContractError::ExecutionAlreadyFailed {
                id: proposal_id,
                reason: reason.clone(),
            })
        }
        other => {
            return Err(ContractError::NotPassed {
                id: proposal_id,
                status: other.kind().as_str().to_string(),
            })
        }
    }
    if env.block.time < proposal.executable_at {
        return Err(ContractError::TimelockNotOver {
            id: proposal_id,
            executable_at: proposal.executable_at,
        });
    }
    // Marked before dispatch: a message of the proposal that calls Execute
    // again finds it Executed; a failure turns it into ExecutionFailed.
    proposal.status = ProposalStatus::Executed;
    proposals().save(deps.storage, proposal_id, &proposal)?;

    let msg_count = PROPOSAL_MSGS.load(deps.storage, proposal_id)?.len();
    if msg_count > 0 {
        let batch = WasmMsg::Execute {
            contract_addr: env.contract.address.to_string(),
            msg: to_json_binary(&ExecuteMsg::ExecuteProposalMessages { proposal_id })?,
            funds: vec![],
        };
        res = res.add_submessage(SubMsg::reply_on_error(batch, proposal_id));
    }
    Ok(res
        .add_attribute("action", "execute")
        .add_attribute("proposal_id", proposal_id.to_string())
        .add_attribute("messages", msg_count.to_string()))
}

/// Internal: returns the proposal's messages, then the reserves check.
pub fn execute_proposal_messages(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    proposal_id: u64,
) -> Result<Response, ContractError> {
    if info.sender != env.contract.address {
        return Err(ContractError::Unauthorized {});
    }
    let proposal = load_proposal(deps.storage, proposal_id)?;
    if proposal.status != ProposalStatus::Executed {
        return Err(ContractError::NotPassed {
            id: proposal_id,
            status: proposal.status.kind().as_str().to_string(),
        });
    }
    let msgs = PROPOSAL_MSGS.load(deps.storage, proposal_id)?;
    let check = WasmMsg::Execute {
        contract_addr: env.contract.address.to_string(),
        msg: to_json_binary(&ExecuteMsg::CheckAmaxReserves {})?,
        funds: vec![],
    };
    Ok(Response::new()
        .add_messages(msgs)
        .add_message(check)
        .add_attribute("action", "execute_proposal_messages")
        .add_attribute("proposal_id", proposal_id.to_string()))
}

/// AMAX owed to stakers, unbonding claimants and depositors.
pub fn amax_owed(storage: &dyn cosmwasm_std::Storage) -> Result<Uint128, ContractError> {
    Ok(TOTAL_STAKED
        .load(storage)?
        .checked_add(TOTAL_UNBONDING.load(storage)?)?
        .checked_add(HELD_DEPOSITS.load(storage)?)?)
}

/// Internal: fails (reverting the proposal's batch) when the contract's AMAX
/// balance no longer covers what it owes.
pub fn execute_check_amax_reserves(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
) -> Result<Response, ContractError> {
    if info.sender != env.contract.address {
        return Err(ContractError::Unauthorized {});
    }
    let amax_token = CONFIG.load(deps.storage)?.amax_token;
    let balance: BalanceResponse = deps.querier.query_wasm_smart(
        amax_token,
        &Cw20QueryMsg::Balance {
            address: env.contract.address.to_string(),
        },
    )?;
    let owed = amax_owed(deps.storage)?;
    if balance.balance < owed {
        return Err(ContractError::AmaxReservesSpent {
            balance: balance.balance,
            owed,
        });
    }
    Ok(Response::new().add_attribute("action", "check_amax_reserves"))
}

/// Longest failure reason stored on a proposal, in bytes.
const MAX_REASON_LEN: usize = 1024;

fn truncate(mut s: String, max: usize) -> String {
    if s.len() > max {
        let mut cut = max;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
    }
    s
}

/// The proposal's batch failed: record why. Must not fail itself, or the
/// whole `Execute` would revert and the failure would be lost.
pub fn reply_execution_failed(
    deps: DepsMut,
    _env: Env,
    msg: Reply,
) -> Result<Response, ContractError> {
    let proposal_id = msg.id;
    let mut proposal = proposals()
        .may_load(deps.storage, proposal_id)?
        .ok_or(ContractError::UnknownReply { id: proposal_id })?;
    let reason = match msg.result {
        SubMsgResult::Err(reason) => reason,
        // Only errors are replied to; nothing to record on success.
        SubMsgResult::Ok(_) => return Ok(Response::new()),
    };
    let reason = truncate(reason, MAX_REASON_LEN);
    proposal.status = ProposalStatus::ExecutionFailed {
        reason: reason.clone(),
    };
    proposals().save(deps.storage, proposal_id, &proposal)?;
    Ok(Response::new()
        .add_attribute("action", "execution_failed")
        .add_attribute("proposal_id", proposal_id.to_string())
        .add_attribute("reason", reason))
}
