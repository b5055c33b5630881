//! Governance: AMAX staking for voting power, proposals that carry
//! `CosmosMsg`s executed after a timelock, and the protocol treasury (the
//! contract's own balances, spent only by executed proposals).
//!
//! Voting power is the AMAX staked at the start of the proposal's block
//! (`start_height`), so stake added in the block a proposal is created in does
//! not count for it. Tallying follows Cosmos SDK x/gov: a proposal passes when
//! turnout (all votes, abstain included) / total power >= quorum, Yes / (Yes +
//! No + NoWithVeto) > threshold, and NoWithVeto / all votes < veto threshold.

use cosmwasm_schema::{cw_serde, QueryResponses};
use cosmwasm_std::{Addr, Coin, CosmosMsg, Decimal, Timestamp, Uint128};
use cw20::Cw20ReceiveMsg;

/// Longest proposal title, in bytes.
pub const MAX_TITLE_LEN: usize = 256;
/// Longest proposal description, in bytes.
pub const MAX_DESCRIPTION_LEN: usize = 16 * 1024;
/// Largest JSON encoding of a proposal's messages together, in bytes.
pub const MAX_PROPOSAL_MSGS_BYTES: usize = 64 * 1024;
/// Upper bound governance may set for `max_messages`.
pub const MAX_MESSAGES_LIMIT: u32 = 64;
/// Most cw20 tokens the treasury lists besides AMAX.
pub const MAX_TREASURY_CW20S: usize = 32;
/// Most unbonding claims one address may have pending at once.
pub const MAX_PENDING_CLAIMS: usize = 32;

/// Tunable parameters. Every one can be changed by an executed proposal
/// (`UpdateConfig`); a change applies to proposals created afterwards.
#[cw_serde]
pub struct GovernanceParams {
    /// Minimum turnout (all votes incl. abstain / total power), in (0, 1].
    pub quorum: Decimal,
    /// Yes / (Yes + No + NoWithVeto) must be strictly above this, in (0, 1].
    pub threshold: Decimal,
    /// NoWithVeto / all votes at or above this vetoes the proposal, in (0, 1].
    pub veto_threshold: Decimal,
    /// Seconds a proposal is open for voting. Non-zero.
    pub voting_period: u64,
    /// Seconds a passed proposal waits after the voting end before anyone may
    /// execute it.
    pub timelock: u64,
    /// Seconds unstaked AMAX stays locked before it can be claimed.
    pub unbonding_period: u64,
    /// Least AMAX (uamax) a proposal must carry as deposit. Non-zero.
    pub min_deposit: Uint128,
    /// Most `CosmosMsg`s one proposal may carry, 1..=`MAX_MESSAGES_LIMIT`.
    pub max_messages: u32,
}

#[cw_serde]
pub struct InstantiateMsg {
    /// The AMAX cw20 contract: the only token that can be staked or deposited.
    pub amax_token: String,
    pub params: GovernanceParams,
    /// cw20 tokens (other than AMAX) the treasury query reports.
    pub treasury_cw20s: Vec<String>,
}

#[cw_serde]
pub enum ExecuteMsg {
    /// cw20 hook: AMAX sent with `Send` carrying a [`ReceiveMsg`].
    Receive(Cw20ReceiveMsg),
    /// Starts unbonding `amount` uamax of the sender's stake. Voting power
    /// drops at once; the tokens can be claimed after the unbonding period.
    Unstake { amount: Uint128 },
    /// Pays out every matured unbonding claim of the sender.
    Claim {},
    /// Casts or changes the sender's vote while the proposal is open.
    Vote { proposal_id: u64, vote: VoteOption },
    /// Ends voting on a proposal after its voting end: records Passed,
    /// Rejected or Vetoed and refunds the deposit unless vetoed. Anyone.
    Close { proposal_id: u64 },
    /// Executes a passed proposal once its timelock is over (closing it first
    /// if needed). Anyone. A failure of any of its messages reverts them all
    /// and is recorded as `ExecutionFailed`; it is never retried.
    Execute { proposal_id: u64 },
    /// Changes parameters. Only the contract itself, i.e. an executed proposal.
    UpdateConfig {
        quorum: Option<Decimal>,
        threshold: Option<Decimal>,
        veto_threshold: Option<Decimal>,
        voting_period: Option<u64>,
        timelock: Option<u64>,
        unbonding_period: Option<u64>,
        min_deposit: Option<Uint128>,
        max_messages: Option<u32>,
        /// Replaces the list of cw20s the treasury reports.
        treasury_cw20s: Option<Vec<String>>,
    },
    /// Internal: dispatched by `Execute` to the contract itself so that a
    /// proposal's messages run as one revertible batch. Rejected from anyone
    /// but the contract.
    ExecuteProposalMessages { proposal_id: u64 },
    /// Internal: appended after a proposal's messages; fails the batch if the
    /// proposal spent AMAX that belongs to stakers, claimants or depositors.
    CheckAmaxReserves {},
}

/// Messages carried by an AMAX cw20 `Send` to governance.
#[cw_serde]
pub enum ReceiveMsg {
    /// Stakes the sent AMAX for the cw20 sender.
    Stake {},
    /// Creates a proposal; the sent AMAX is its deposit.
    Propose {
        title: String,
        description: String,
        msgs: Vec<CosmosMsg>,
    },
}

#[cw_serde]
#[derive(Copy, Eq, PartialOrd, Ord)]
pub enum VoteOption {
    Yes,
    No,
    Abstain,
    NoWithVeto,
}

#[cw_serde]
pub enum ProposalStatus {
    /// Voting is (or was, until someone closes it) open.
    Open,
    /// Passed; executable by anyone once the timelock is over.
    Passed,
    Rejected,
    /// Vetoed: the deposit went to the treasury.
    Vetoed,
    Executed,
    /// Execution was attempted and reverted; kept for the record.
    ExecutionFailed {
        reason: String,
    },
}

/// A status without its payload, to filter proposal lists.
#[cw_serde]
#[derive(Copy, Eq)]
pub enum ProposalStatusKind {
    Open,
    Passed,
    Rejected,
    Vetoed,
    Executed,
    ExecutionFailed,
}

impl ProposalStatus {
    pub fn kind(&self) -> ProposalStatusKind {
        match self {
            ProposalStatus::Open => ProposalStatusKind::Open,
            ProposalStatus::Passed => ProposalStatusKind::Passed,
            ProposalStatus::Rejected => ProposalStatusKind::Rejected,
            ProposalStatus::Vetoed => ProposalStatusKind::Vetoed,
            ProposalStatus::Executed => ProposalStatusKind::Executed,
            ProposalStatus::ExecutionFailed { .. } => ProposalStatusKind::ExecutionFailed,
        }
    }
}

impl ProposalStatusKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            ProposalStatusKind::Open => "open",
            ProposalStatusKind::Passed => "passed",
            ProposalStatusKind::Rejected => "rejected",
            ProposalStatusKind::Vetoed => "vetoed",
            ProposalStatusKind::Executed => "executed",
            ProposalStatusKind::ExecutionFailed => "execution_failed",
        }
    }
}

/// Voting power per option.
#[cw_serde]
#[derive(Default)]
pub struct Tally {
    pub yes: Uint128,
    pub no: Uint128,
    pub abstain: Uint128,
    pub no_with_veto: Uint128,
}

/// The tallying rules a proposal was created under.
#[cw_serde]
pub struct VotingRules {
    pub quorum: Decimal,
    pub threshold: Decimal,
    pub veto_threshold: Decimal,
}

#[cw_serde]
#[derive(QueryResponses)]
pub enum QueryMsg {
    #[returns(ConfigResponse)]
    Config {},
    #[returns(ProposalResponse)]
    Proposal { proposal_id: u64 },
    /// Proposals by id, optionally only those with one status.
    #[returns(ProposalsResponse)]
    Proposals {
        status: Option<ProposalStatusKind>,
        start_after: Option<u64>,
        limit: Option<u32>,
    },
    /// Current ballots on one proposal, by voter address.
    #[returns(VotesResponse)]
    Votes {
        proposal_id: u64,
        start_after: Option<String>,
        limit: Option<u32>,
    },
    /// One voter's current ballots across proposals, by proposal id.
    #[returns(VotesResponse)]
    VoterVotes {
        voter: String,
        start_after: Option<u64>,
        limit: Option<u32>,
    },
    /// Every vote cast or changed on one proposal, in order.
    #[returns(VoteHistoryResponse)]
    VoteHistory {
        proposal_id: u64,
        start_after: Option<u64>,
        limit: Option<u32>,
    },
    /// Staked AMAX of `address` at the start of block `height` (the power a
    /// proposal created at `height` counts); without a height, the stake now.
    #[returns(VotingPowerResponse)]
    VotingPower {
        address: String,
        height: Option<u64>,
    },
    /// Total staked AMAX at the start of block `height`; without, now.
    #[returns(TotalPowerResponse)]
    TotalPower { height: Option<u64> },
    #[returns(StakedResponse)]
    Staked { address: String },
    #[returns(ClaimsResponse)]
    Claims { address: String },
    /// Treasury balances: native coins, AMAX (with what proposals may spend)
    /// and the listed cw20s.
    #[returns(TreasuryResponse)]
    Treasury {},
}

#[cw_serde]
pub struct MigrateMsg {}

#[cw_serde]
pub struct ConfigResponse {
    pub amax_token: Addr,
    pub params: GovernanceParams,
    pub treasury_cw20s: Vec<Addr>,
}

#[cw_serde]
pub struct ProposalResponse {
    pub id: u64,
    pub title: String,
    pub description: String,
    pub proposer: Addr,
    pub msgs: Vec<CosmosMsg>,
    /// uamax held as deposit.
    pub deposit: Uint128,
    /// Voting power is read at the start of this block.
    pub start_height: u64,
    pub start_time: Timestamp,
    /// Voting is open while block time < `voting_end`.
    pub voting_end: Timestamp,
    /// A passed proposal can be executed from this time on.
    pub executable_at: Timestamp,
    /// Total staked AMAX at `start_height`: the quorum's denominator.
    pub total_power: Uint128,
    pub rules: VotingRules,
    pub tally: Tally,
    pub status: ProposalStatus,
}

#[cw_serde]
pub struct ProposalsResponse {
    pub proposals: Vec<ProposalResponse>,
}

#[cw_serde]
pub struct VoteInfo {
    pub proposal_id: u64,
    pub voter: Addr,
    pub option: VoteOption,
    pub power: Uint128,
    /// When the ballot was last cast or changed.
    pub height: u64,
    pub time: Timestamp,
}

#[cw_serde]
pub struct VotesResponse {
    pub votes: Vec<VoteInfo>,
}

/// One vote cast or change, in the order they happened on a proposal.
#[cw_serde]
pub struct VoteEvent {
    pub seq: u64,
    pub voter: Addr,
    pub option: VoteOption,
    /// The voter's earlier option, when this event changed a vote.
    pub previous: Option<VoteOption>,
    pub power: Uint128,
    pub height: u64,
    pub time: Timestamp,
}

#[cw_serde]
pub struct VoteHistoryResponse {
    pub events: Vec<VoteEvent>,
}

#[cw_serde]
pub struct VotingPowerResponse {
    pub address: Addr,
    pub height: u64,
    pub power: Uint128,
}

#[cw_serde]
pub struct TotalPowerResponse {
    pub height: u64,
    pub power: Uint128,
}

#[cw_serde]
pub struct StakedResponse {
    pub address: Addr,
    pub staked: Uint128,
}

/// An AMAX unbonding claim (the same record as the registry's AGPU claims).
pub type Claim = crate::claims::UnbondingClaim;

#[cw_serde]
pub struct ClaimsResponse {
    pub claims: Vec<Claim>,
}

/// AMAX held by governance and what of it belongs to the treasury.
#[cw_serde]
pub struct AmaxTreasury {
    pub token: Addr,
    pub balance: Uint128,
    pub staked: Uint128,
    /// Unstaked AMAX waiting for (or ready for) its claim.
    pub unbonding: Uint128,
    /// Deposits of proposals not yet closed.
    pub held_deposits: Uint128,
    /// balance − staked − unbonding − held_deposits: what proposals may spend.
    pub spendable: Uint128,
}

#[cw_serde]
pub struct Cw20Balance {
    pub token: Addr,
    pub balance: Uint128,
}

#[cw_serde]
pub struct TreasuryResponse {
    pub native: Vec<Coin>,
    pub amax: AmaxTreasury,
    pub cw20s: Vec<Cw20Balance>,
}
