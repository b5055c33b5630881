//! Queries. Every list paginates with `start_after` and `limit` (the rule of
//! `starminer_interfaces::pagination`: default 10, at most 100).

use cosmwasm_std::{to_json_binary, Binary, Deps, Env, StdError, StdResult, Uint128};
use cw20::{BalanceResponse, Cw20QueryMsg};
use starminer_interfaces::governance::{
    AmaxTreasury, ClaimsResponse, ConfigResponse, Cw20Balance, ProposalResponse,
    ProposalStatusKind, ProposalsResponse, QueryMsg, StakedResponse, TotalPowerResponse,
    TreasuryResponse, VoteEvent, VoteHistoryResponse, VoteInfo, VotesResponse, VotingPowerResponse,
};

use crate::state::{
    proposals, Proposal, BALLOTS, CLAIMS, CONFIG, HELD_DEPOSITS, PROPOSAL_MSGS, STAKED, TALLIES,
    TOTAL_STAKED, TOTAL_UNBONDING, VOTER_BALLOTS, VOTE_EVENTS,
};

use starminer_contract_kit::Paginated;

pub fn query(deps: Deps, env: Env, msg: QueryMsg) -> StdResult<Binary> {
    match msg {
        QueryMsg::Config {} => to_json_binary(&query_config(deps)?),
        QueryMsg::Proposal { proposal_id } => to_json_binary(&query_proposal(deps, proposal_id)?),
        QueryMsg::Proposals {
            status,
            start_after,
            limit,
        } => to_json_binary(&query_proposals(deps, status, start_after, limit)?),
        QueryMsg::Votes {
            proposal_id,
            start_after,
            limit,
        } => to_json_binary(&query_votes(deps, proposal_id, start_after, limit)?),
        QueryMsg::VoterVotes {
            voter,
            start_after,
            limit,
        } => to_json_binary(&query_voter_votes(deps, voter, start_after, limit)?),
        QueryMsg::VoteHistory {
            proposal_id,
            start_after,
            limit,
        } => to_json_binary(&query_vote_history(deps, proposal_id, start_after, limit)?),
        QueryMsg::VotingPower { address, height } => {
            to_json_binary(&query_voting_power(deps, env, address, height)?)
        }
        QueryMsg::TotalPower { height } => to_json_binary(&query_total_power(deps, env, height)?),
        QueryMsg::Staked { address } => to_json_binary(&query_staked(deps, address)?),
        QueryMsg::Claims { address } => to_json_binary(&query_claims(deps, address)?),
        QueryMsg::Treasury {} => to_json_binary(&query_treasury(deps, env)?),
    }
}

pub fn query_config(deps: Deps) -> StdResult<ConfigResponse> {
    let config = CONFIG.load(deps.storage)?;
    Ok(ConfigResponse {
        amax_token: config.amax_token,
        params: config.params,
        treasury_cw20s: config.treasury_cw20s,
    })
}

fn proposal_response(deps: Deps, proposal: Proposal) -> StdResult<ProposalResponse> {
    let msgs = PROPOSAL_MSGS.load(deps.storage, proposal.id)?;
    let tally = TALLIES.load(deps.storage, proposal.id)?;
    Ok(ProposalResponse {
        id: proposal.id,
        title: proposal.title,
        description: proposal.description,
        proposer: proposal.proposer,
        msgs,
        deposit: proposal.deposit,
        start_height: proposal.start_height,
        start_time: proposal.start_time,
        voting_end: proposal.voting_end,
        executable_at: proposal.executable_at,
        total_power: proposal.total_power,
        rules: proposal.rules,
        tally,
        status: proposal.status,
    })
}

pub fn query_proposal(deps: Deps, proposal_id: u64) -> StdResult<ProposalResponse> {
    let proposal = proposals()
        .may_load(deps.storage, proposal_id)?
        .ok_or_else(|| StdError::not_found(format!("proposal {proposal_id}")))?;
    proposal_response(deps, proposal)
}

pub fn query_proposals(
    deps: Deps,
    status: Option<ProposalStatusKind>,
    start_after: Option<u64>,
    limit: Option<u32>,
) -> StdResult<ProposalsResponse> {
    let map = proposals();
    let found: Vec<Proposal> = match status {
        Some(kind) => map
            .idx
            .status
            .prefix(kind.as_str().to_string())
            .page(deps.storage, start_after, limit)
            .map(|r| r.map(|(_, p)| p))
            .collect::<StdResult<_>>()?,
        None => map
            .page(deps.storage, start_after, limit)
            .map(|r| r.map(|(_, p)| p))
            .collect::<StdResult<_>>()?,
    };
    let proposals = found
        .into_iter()
        .map(|p| proposal_response(deps, p))
        .collect::<StdResult<_>>()?;
    Ok(ProposalsResponse { proposals })
}

pub fn query_votes(
    deps: Deps,
    proposal_id: u64,
    start_after: Option<String>,
    limit: Option<u32>,
) -> StdResult<VotesResponse> {
    let start_addr = start_after
        .map(|a| deps.api.addr_validate(&a))
        .transpose()?;
    let votes = BALLOTS
        .prefix(proposal_id)
        .page(deps.storage, start_addr.as_ref(), limit)
        .map(|r| {
            r.map(|(voter, b)| VoteInfo {
                proposal_id,
                voter,
                option: b.option,
                power: b.power,
                height: b.height,
                time: b.time,
            })
        })
        .collect::<StdResult<_>>()?;
    Ok(VotesResponse { votes })
}

pub fn query_voter_votes(
    deps: Deps,
    voter: String,
    start_after: Option<u64>,
    limit: Option<u32>,
) -> StdResult<VotesResponse> {
    let voter_addr = deps.api.addr_validate(&voter)?;
    let votes = VOTER_BALLOTS
        .prefix(&voter_addr)
        .page(deps.storage, start_after, limit)
        .map(|r| {
            r.map(|(proposal_id, b)| VoteInfo {
                proposal_id,
                voter: voter_addr.clone(),
                option: b.option,
                power: b.power,
                height: b.height,
                time: b.time,
            })
        })
        .collect::<StdResult<_>>()?;
    Ok(VotesResponse { votes })
}

pub fn query_vote_history(
    deps: Deps,
    proposal_id: u64,
    start_after: Option<u64>,
    limit: Option<u32>,
) -> StdResult<VoteHistoryResponse> {
    let events = VOTE_EVENTS
        .prefix(proposal_id)
        .page(deps.storage, start_after, limit)
        .map(|r| {
            r.map(|(seq, e)| VoteEvent {
                seq,
                voter: e.voter,
                option: e.option,
                previous: e.previous,
                power: e.power,
                height: e.height,
                time: e.time,
            })
        })
        .collect::<StdResult<_>>()?;
    Ok(VoteHistoryResponse { events })
}

pub fn query_voting_power(
    deps: Deps,
    env: Env,
    address: String,
    height: Option<u64>,
) -> StdResult<VotingPowerResponse> {
    let address = deps.api.addr_validate(&address)?;
    let (height, power) = match height {
        Some(h) => (h, STAKED.may_load_at_height(deps.storage, &address, h)?),
        None => (env.block.height, STAKED.may_load(deps.storage, &address)?),
    };
    Ok(VotingPowerResponse {
        address,
        height,
        power: power.unwrap_or_default(),
    })
}

pub fn query_total_power(
    deps: Deps,
    env: Env,
    height: Option<u64>,
) -> StdResult<TotalPowerResponse> {
    let (height, power) = match height {
        Some(h) => (h, TOTAL_STAKED.may_load_at_height(deps.storage, h)?),
        None => (env.block.height, TOTAL_STAKED.may_load(deps.storage)?),
    };
    Ok(TotalPowerResponse {
        height,
        power: power.unwrap_or_default(),
    })
}

pub fn query_staked(deps: Deps, address: String) -> StdResult<StakedResponse> {
    let address = deps.api.addr_validate(&address)?;
    let staked = STAKED.may_load(deps.storage, &address)?.unwrap_or_default();
    Ok(StakedResponse { address, staked })
}

/// All pending claims of `address`: at most `MAX_PENDING_CLAIMS`, so unpaged.
pub fn query_claims(deps: Deps, address: String) -> StdResult<ClaimsResponse> {
    let address = deps.api.addr_validate(&address)?;
    let claims = CLAIMS.may_load(deps.storage, &address)?.unwrap_or_default();
    Ok(ClaimsResponse { claims })
}

fn cw20_balance(deps: Deps, env: &Env, token: &cosmwasm_std::Addr) -> StdResult<Uint128> {
    let res: BalanceResponse = deps.querier.query_wasm_smart(
        token,
        &Cw20QueryMsg::Balance {
            address: env.contract.address.to_string(),
        },
    )?;
    Ok(res.balance)
}

/// Treasury balances. The cw20 list is bounded by `MAX_TREASURY_CW20S`, so
/// the answer is unpaged.
pub fn query_treasury(deps: Deps, env: Env) -> StdResult<TreasuryResponse> {
    let config = CONFIG.load(deps.storage)?;
    // AllBalances is deprecated because a denom-spammed account makes it
    // heavy; it is only a query here, and the treasury must list every coin.
    #[allow(deprecated)]
    let native = deps.querier.query_all_balances(&env.contract.address)?;
    let balance = cw20_balance(deps, &env, &config.amax_token)?;
    let staked = TOTAL_STAKED.load(deps.storage)?;
    let unbonding = TOTAL_UNBONDING.load(deps.storage)?;
    let held_deposits = HELD_DEPOSITS.load(deps.storage)?;
    let owed = staked.checked_add(unbonding)?.checked_add(held_deposits)?;
    let cw20s = config
        .treasury_cw20s
        .iter()
        .map(|token| {
            Ok(Cw20Balance {
                token: token.clone(),
                balance: cw20_balance(deps, &env, token)?,
            })
        })
        .collect::<StdResult<_>>()?;
    Ok(TreasuryResponse {
        native,
        amax: AmaxTreasury {
            token: config.amax_token,
            balance,
            staked,
            unbonding,
            held_deposits,
            // The balance covers what is owed unless tokens were burnt from
            // under the contract; report nothing spendable then.
            spendable: balance.saturating_sub(owed),
        },
        cw20s,
    })
}
