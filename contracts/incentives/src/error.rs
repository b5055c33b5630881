use cosmwasm_std::{OverflowError, StdError, Uint128};
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

    #[error("only a reporter contract (the job market) may record work and attestations")]
    NotReporter {},

    #[error("at most {max} reporters may be set")]
    TooManyReporters { max: usize },

    #[error("units must be positive")]
    ZeroUnits {},

    #[error("{address} is not a registered provider; the registry has no reputation for it")]
    UnknownProvider { address: String },

    #[error("nothing to claim: no closed epoch holds work or attestations of {address}")]
    NothingToClaim { address: String },

    #[error("the AGPU token refused to report its cap and supply: {reason}")]
    TokenQuery { reason: String },

    #[error("reward of {amount} uagpu does not fit the accounting; report this")]
    Accounting { amount: Uint128 },

    #[error(
        "epoch_length is fixed at instantiation ({current} s): epochs already recorded would move"
    )]
    EpochLengthFixed { current: u64 },

    #[error(
        "minting is off (the AGPU token has no minter): nothing can be paid now; your rewards stay claimable, claim again once governance appoints this contract as the minter"
    )]
    MintingDisabled {},

    #[error("a settlement names at most {max} verifiers")]
    TooManyVerifiers { max: usize },

    #[error("invalid parameters: {reason}")]
    InvalidParams { reason: String },

    #[error("cannot migrate: {0}")]
    Migration(String),
}
