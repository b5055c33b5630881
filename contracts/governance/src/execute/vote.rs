//! Casting and changing votes. A vote touches a fixed number of records
//! whatever the number of earlier votes: O(1) gas.

use cosmwasm_std::{DepsMut, Env, MessageInfo, Response};
use starminer_interfaces::governance::{ProposalStatus, VoteOption};

use crate::error::ContractError;
use crate::execute::proposal::load_proposal;
use crate::state::{
    Ballot, VoteRecord, BALLOTS, STAKED, TALLIES, VOTER_BALLOTS, VOTE_EVENTS, VOTE_EVENT_COUNT,
};
use crate::tally;

pub fn execute_vote(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    proposal_id: u64,
    option: VoteOption,
) -> Result<Response, ContractError> {
    let proposal = load_proposal(deps.storage, proposal_id)?;
    if proposal.status != ProposalStatus::Open {
        return Err(ContractError::NotOpen {
            id: proposal_id,
            status: proposal.status.kind().as_str().to_string(),
        });
    }
    if env.block.time >= proposal.voting_end {
        return Err(ContractError::VotingEnded {
            id: proposal_id,
            voting_end: proposal.voting_end,
        });
    }
    let power = STAKED
        .may_load_at_height(deps.storage, &info.sender, proposal.start_height)?
        .unwrap_or_default();
    if power.is_zero() {
        return Err(ContractError::NoVotingPower {
            id: proposal_id,
            height: proposal.start_height,
        });
    }

    let mut tally = TALLIES.load(deps.storage, proposal_id)?;
    let previous = BALLOTS.may_load(deps.storage, (proposal_id, &info.sender))?;
    if let Some(prev) = &previous {
        // A changed vote moves the voter's power; it is never counted twice.
        tally::remove_vote(&mut tally, prev.option, prev.power)?;
    }
    tally::add_vote(&mut tally, option, power)?;
    TALLIES.save(deps.storage, proposal_id, &tally)?;

    let ballot = Ballot {
        option,
        power,
        height: env.block.height,
        time: env.block.time,
    };
    BALLOTS.save(deps.storage, (proposal_id, &info.sender), &ballot)?;
    VOTER_BALLOTS.save(deps.storage, (&info.sender, proposal_id), &ballot)?;

    let seq = VOTE_EVENT_COUNT
        .may_load(deps.storage, proposal_id)?
        .unwrap_or_default()
        .checked_add(1)
        .ok_or_else(|| cosmwasm_std::StdError::generic_err("vote event overflow"))?;
    VOTE_EVENT_COUNT.save(deps.storage, proposal_id, &seq)?;
    VOTE_EVENTS.save(
        deps.storage,
        (proposal_id, seq),
        &VoteRecord {
            voter: info.sender.clone(),
            option,
            previous: previous.map(|p| p.option),
            power,
            height: env.block.height,
            time: env.block.time,
        },
    )?;

    Ok(Response::new()
        .add_attribute("action", "vote")
        .add_attribute("proposal_id", proposal_id.to_string())
        .add_attribute("voter", info.sender)
        .add_attribute("option", format!("{option:?}"))
        .add_attribute("power", power))
}
