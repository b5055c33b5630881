use cosmwasm_std::{OverflowError, StdError};
use cw_utils::PaymentError;
use thiserror::Error;

#[derive(Error, Debug, PartialEq)]
pub enum ContractError {
    #[error("{0}")]
    Std(#[from] StdError),

    #[error("{0}")]
    Overflow(#[from] OverflowError),

    #[error("{0}")]
    Payment(#[from] PaymentError),

    #[error("only governance may do this")]
    NotGovernance {},

    #[error("only a reporter contract (the job market) may record demand")]
    NotReporter {},

    #[error("at most {max} reporters may be set")]
    TooManyReporters { max: usize },

    #[error("tier {tier} does not exist: tiers are 1 to 4")]
    InvalidTier { tier: u8 },

    #[error("units must be positive")]
    ZeroUnits {},

    #[error(
        "verification mode needs at least one verifier (SpotCheck) or one replica (Replicated)"
    )]
    InvalidVerification {},

    #[error("the price of this job does not fit in 128 bits; ask for fewer units")]
    PriceOverflow {},

    #[error("the registry could not report the capacity of tier {tier}: {reason}")]
    SupplyQuery { tier: u8, reason: String },

    #[error("invalid parameters: {reason}")]
    InvalidParams { reason: String },

    #[error("cannot migrate: {0}")]
    Migration(String),
}
