//! Creating proposals and closing them after the voting period.

use cosmwasm_std::{
    to_json_binary, to_json_vec, Addr, CosmosMsg, DepsMut, Env, Response, StdError, Storage,
    Uint128, WasmMsg,
};
use cw20::Cw20ExecuteMsg;
use starminer_interfaces::governance::{
    ProposalStatus, Tally, VotingRules, MAX_DESCRIPTION_LEN, MAX_PROPOSAL_MSGS_BYTES, MAX_TITLE_LEN,
};

use crate::error::ContractError;
use crate::state::{
    proposals, Config, Proposal, CONFIG, HELD_DEPOSITS, PROPOSAL_COUNT, PROPOSAL_MSGS, TALLIES,
    TOTAL_STAKED,
};
use crate::tally;

/// What a proposer submits, besides the deposit.
pub struct ProposalDraft {
    pub title: String,
    pub description: String,
    pub msgs: Vec<CosmosMsg>,
}

fn validate_draft(config: &Config, draft: &ProposalDraft) -> Result<(), ContractError> {
    if draft.title.trim().is_empty() {
        return Err(ContractError::EmptyTitle {});
    }
    if draft.title.len() > MAX_TITLE_LEN {
        return Err(ContractError::TitleTooLong {
            len: draft.title.len(),
            max: MAX_TITLE_LEN,
        });
    }
    if draft.description.len() > MAX_DESCRIPTION_LEN {
        return Err(ContractError::DescriptionTooLong {
            len: draft.description.len(),
            max: MAX_DESCRIPTION_LEN,
        });
    }
    let max_messages = config.params.max_messages;
    if draft.msgs.len() > max_messages as usize {
        return Err(ContractError::TooManyMessages {
            count: draft.msgs.len(),
            max: max_messages,
        });
    }
    let bytes = to_json_vec(&draft.msgs)?.len();
    if bytes > MAX_PROPOSAL_MSGS_BYTES {
        return Err(ContractError::MessagesTooLarge {
            bytes,
            max: MAX_PROPOSAL_MSGS_BYTES,
        });
    }
    Ok(())
}

/// Creates a proposal whose deposit (`deposit` uamax) was just received.
pub fn execute_propose(
    deps: DepsMut,
    env: Env,
    config: &Config,
    proposer_addr: Addr,
    deposit: Uint128,
    draft: ProposalDraft,
) -> Result<Response, ContractError> {
    validate_draft(config, &draft)?;
    let params = &config.params;
    if deposit < params.min_deposit {
        return Err(ContractError::DepositTooLow {
            deposit,
            min: params.min_deposit,
        });
    }
    let id = PROPOSAL_COUNT
        .load(deps.storage)?
        .checked_add(1)
        .ok_or_else(|| StdError::generic_err("proposal id overflow"))?;
    PROPOSAL_COUNT.save(deps.storage, &id)?;

    // Power is read at the start of this block: stake moved in this very
    // block (e.g. by the proposer, just before proposing) does not count.
    let start_height = env.block.height;
    let total_power = TOTAL_STAKED
        .may_load_at_height(deps.storage, start_height)?
        .unwrap_or_default();
    let voting_end = env.block.time.plus_seconds(params.voting_period);
    let executable_at = voting_end.plus_seconds(params.timelock);
    let proposal = Proposal {
        id,
        title: draft.title,
        description: draft.description,
        proposer: proposer_addr.clone(),
        deposit,
        start_height,
        start_time: env.block.time,
        voting_end,
        executable_at,
        total_power,
        rules: VotingRules {
            quorum: params.quorum,
            threshold: params.threshold,
            veto_threshold: params.veto_threshold,
        },
        status: ProposalStatus::Open,
    };
    proposals().save(deps.storage, id, &proposal)?;
    PROPOSAL_MSGS.save(deps.storage, id, &draft.msgs)?;
    TALLIES.save(deps.storage, id, &Tally::default())?;
    HELD_DEPOSITS.update(deps.storage, |d| {
        d.checked_add(deposit).map_err(StdError::from)
    })?;

    Ok(Response::new()
        .add_attribute("action", "propose")
        .add_attribute("proposal_id", id.to_string())
        .add_attribute("proposer", proposer_addr)
        .add_attribute("deposit", deposit)
        .add_attribute("start_height", start_height.to_string())
        .add_attribute("voting_end", voting_end.seconds().to_string())
        .add_attribute("total_power", total_power))
}

pub fn load_proposal(storage: &dyn Storage, id: u64) -> Result<Proposal, ContractError> {
    proposals()
        .may_load(storage, id)?
        .ok_or(ContractError::ProposalNotFound { id })
}

/// Ends voting on an open proposal whose voting period is over: records the
/// outcome, releases the deposit and returns the refund message (none when
/// vetoed: the deposit then stays in the treasury).
pub fn close_proposal(
    storage: &mut dyn Storage,
    env: &Env,
    amax_token: &Addr,
    proposal: &mut Proposal,
) -> Result<Response, ContractError> {
    if proposal.status != ProposalStatus::Open {
        return Err(ContractError::AlreadyClosed {
            id: proposal.id,
            status: proposal.status.kind().as_str().to_string(),
        });
    }
    if env.block.time < proposal.voting_end {
        return Err(ContractError::VotingNotEnded {
            id: proposal.id,
            voting_end: proposal.voting_end,
        });
    }
    let tally = TALLIES.load(storage, proposal.id)?;
    proposal.status = tally::outcome(&tally, proposal.total_power, &proposal.rules);
    proposals().save(storage, proposal.id, proposal)?;
    HELD_DEPOSITS.update(storage, |d| {
        d.checked_sub(proposal.deposit).map_err(StdError::from)
    })?;

    let mut res = Response::new()
        .add_attribute("action", "close")
        .add_attribute("proposal_id", proposal.id.to_string())
        .add_attribute("status", proposal.status.kind().as_str())
        .add_attribute("yes", tally.yes)
        .add_attribute("no", tally.no)
        .add_attribute("abstain", tally.abstain)
        .add_attribute("no_with_veto", tally.no_with_veto);
    if proposal.status == ProposalStatus::Vetoed {
        res = res.add_attribute("deposit_to_treasury", proposal.deposit);
    } else {
        res = res
            .add_message(WasmMsg::Execute {
                contract_addr: amax_token.to_string(),
                msg: to_json_binary(&Cw20ExecuteMsg::Transfer {
                    recipient: proposal.proposer.to_string(),
                    amount: proposal.deposit,
                })?,
                funds: vec![],
            })
            .add_attribute("deposit_refunded", proposal.deposit);
    }
    Ok(res)
}

pub fn execute_close(deps: DepsMut, env: Env, proposal_id: u64) -> Result<Response, ContractError> {
    let mut proposal = load_proposal(deps.storage, proposal_id)?;
    let config = CONFIG.load(deps.storage)?;
    close_proposal(deps.storage, &env, &config.amax_token, &mut proposal)
}
