//! Storage layout.

use cosmwasm_schema::cw_serde;
use cosmwasm_std::{Addr, CosmosMsg, Timestamp, Uint128};
use cw_storage_plus::{
    Index, IndexList, IndexedMap, Item, Map, MultiIndex, SnapshotItem, SnapshotMap, Strategy,
};
use starminer_interfaces::governance::{
    Claim, GovernanceParams, ProposalStatus, Tally, VoteOption, VotingRules,
};

#[cw_serde]
pub struct Config {
    pub amax_token: Addr,
    pub params: GovernanceParams,
    pub treasury_cw20s: Vec<Addr>,
}

/// A proposal without its messages and tally, which live in their own maps so
/// that a vote reads and writes only small records.
#[cw_serde]
pub struct Proposal {
    pub id: u64,
    pub title: String,
    pub description: String,
    pub proposer: Addr,
    pub deposit: Uint128,
    pub start_height: u64,
    pub start_time: Timestamp,
    pub voting_end: Timestamp,
    pub executable_at: Timestamp,
    pub total_power: Uint128,
    pub rules: VotingRules,
    pub status: ProposalStatus,
}

/// A voter's current ballot on a proposal.
#[cw_serde]
pub struct Ballot {
    pub option: VoteOption,
    pub power: Uint128,
    pub height: u64,
    pub time: Timestamp,
}

/// One entry of a proposal's vote history.
#[cw_serde]
pub struct VoteRecord {
    pub voter: Addr,
    pub option: VoteOption,
    pub previous: Option<VoteOption>,
    pub power: Uint128,
    pub height: u64,
    pub time: Timestamp,
}

pub const CONFIG: Item<Config> = Item::new("cfg");

/// Staked uamax per address, snapshotted every block it changes.
pub const STAKED: SnapshotMap<&Addr, Uint128> =
    SnapshotMap::new("stk", "stk__cp", "stk__cl", Strategy::EveryBlock);
/// Sum of `STAKED`, snapshotted alike.
pub const TOTAL_STAKED: SnapshotItem<Uint128> =
    SnapshotItem::new("tstk", "tstk__cp", "tstk__cl", Strategy::EveryBlock);

/// Pending unbonding claims per address, at most `MAX_PENDING_CLAIMS`.
pub const CLAIMS: Map<&Addr, Vec<Claim>> = Map::new("clm");
/// Sum of all pending claims.
pub const TOTAL_UNBONDING: Item<Uint128> = Item::new("tunb");
/// Sum of the deposits of proposals not yet closed.
pub const HELD_DEPOSITS: Item<Uint128> = Item::new("dep");

/// Id of the last proposal created.
pub const PROPOSAL_COUNT: Item<u64> = Item::new("pcnt");
pub const PROPOSAL_MSGS: Map<u64, Vec<CosmosMsg>> = Map::new("pmsg");
pub const TALLIES: Map<u64, Tally> = Map::new("tly");

/// Ballots by (proposal, voter) and, for the voter's history, by (voter, proposal).
pub const BALLOTS: Map<(u64, &Addr), Ballot> = Map::new("bal");
pub const VOTER_BALLOTS: Map<(&Addr, u64), Ballot> = Map::new("vbal");
/// Every vote event by (proposal, sequence number); `VOTE_EVENT_COUNT` holds
/// the last sequence number per proposal.
pub const VOTE_EVENTS: Map<(u64, u64), VoteRecord> = Map::new("vev");
pub const VOTE_EVENT_COUNT: Map<u64, u64> = Map::new("vevc");

pub struct ProposalIndexes<'a> {
    /// Status label (`ProposalStatusKind::as_str`) → proposals.
    pub status: MultiIndex<'a, String, Proposal, u64>,
}

impl IndexList<Proposal> for ProposalIndexes<'_> {
    fn get_indexes(&'_ self) -> Box<dyn Iterator<Item = &'_ dyn Index<Proposal>> + '_> {
        let v: Vec<&dyn Index<Proposal>> = vec![&self.status];
        Box::new(v.into_iter())
    }
}

pub fn proposals<'a>() -> IndexedMap<u64, Proposal, ProposalIndexes<'a>> {
    let indexes = ProposalIndexes {
        status: MultiIndex::new(
            |_pk, p: &Proposal| p.status.kind().as_str().to_string(),
            "prop",
            "prop__status",
        ),
    };
    IndexedMap::new("prop", indexes)
}
