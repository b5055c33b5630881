use cosmwasm_std::{Decimal, Timestamp, Uint128};

starminer_contract_kit::contract_error! {
    pub enum ContractError {
        #[error("governance only accepts AMAX ({expected}); tokens from {token} are rejected")]
        ForeignToken { token: String, expected: String },

        #[error("the amount must be above zero")]
        ZeroAmount {},

        #[error("{name} must be in (0, 1], got {value}")]
        FractionOutOfRange { name: String, value: Decimal },

        #[error("voting_period must be at least one second")]
        ZeroVotingPeriod {},

        #[error("min_deposit must be above zero, or proposals could be spammed for free")]
        ZeroMinDeposit {},

        #[error("max_messages must be in 1..={max}, got {value}")]
        MaxMessagesOutOfRange { value: u32, max: u32 },

        #[error("the treasury lists at most {max} cw20 tokens, got {count}")]
        TooManyTreasuryTokens { count: usize, max: usize },

        #[error("{token} is listed twice in treasury_cw20s (AMAX is always listed and must not be repeated)")]
        DuplicateTreasuryToken { token: String },

        #[error("only the governance contract itself may do this: submit a proposal")]
        Unauthorized {},

        #[error("cannot unstake {requested} uamax: only {staked} uamax is staked")]
        InsufficientStake { staked: Uint128, requested: Uint128 },

        #[error("at most {max} unbonding claims may be pending; claim matured ones or wait")]
        TooManyPendingClaims { max: usize },

        #[error("no unbonding claim has matured yet")]
        NothingToClaim {},

        #[error("a proposal needs a title")]
        EmptyTitle {},

        #[error("the title is {len} bytes; at most {max} are allowed")]
        TitleTooLong { len: usize, max: usize },

        #[error("the description is {len} bytes; at most {max} are allowed")]
        DescriptionTooLong { len: usize, max: usize },

        #[error("a proposal may carry at most {max} messages, got {count}")]
        TooManyMessages { count: usize, max: u32 },

        #[error("the proposal's messages take {bytes} bytes of JSON; at most {max} are allowed")]
        MessagesTooLarge { bytes: usize, max: usize },

        #[error("the deposit of {deposit} uamax is below the minimum of {min} uamax")]
        DepositTooLow { deposit: Uint128, min: Uint128 },

        #[error("proposal {id} does not exist")]
        ProposalNotFound { id: u64 },

        #[error("voting on proposal {id} ended at {voting_end}")]
        VotingEnded { id: u64, voting_end: Timestamp },

        #[error("proposal {id} is no longer open for voting (status {status})")]
        NotOpen { id: u64, status: String },

        #[error("you had no staked AMAX at height {height}, when proposal {id} started")]
        NoVotingPower { id: u64, height: u64 },

        #[error("voting on proposal {id} is still open until {voting_end}")]
        VotingNotEnded { id: u64, voting_end: Timestamp },

        #[error("proposal {id} is already closed (status {status})")]
        AlreadyClosed { id: u64, status: String },

        #[error("proposal {id} did not pass (status {status}) and cannot be executed")]
        NotPassed { id: u64, status: String },

        #[error("proposal {id} is timelocked until {executable_at}")]
        TimelockNotOver { id: u64, executable_at: Timestamp },

        #[error("proposal {id} was already executed")]
        AlreadyExecuted { id: u64 },

        #[error("proposal {id} already failed to execute ({reason}); submit a new proposal")]
        ExecutionAlreadyFailed { id: u64, reason: String },

        #[error("a proposal may not spend AMAX owed to stakers, claimants or depositors: balance {balance} uamax, owed {owed} uamax")]
        AmaxReservesSpent { balance: Uint128, owed: Uint128 },

        #[error("unknown reply id {id}")]
        UnknownReply { id: u64 },
    }
}
