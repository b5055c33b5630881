use cosmwasm_std::StdError;
use cw_utils::PaymentError;
use thiserror::Error;

#[derive(Error, Debug, PartialEq)]
pub enum ContractError {
    #[error("{0}")]
    Std(#[from] StdError),

    #[error("{0}")]
    Base(#[from] cw20_base::ContractError),

    #[error("{0}")]
    Payment(#[from] PaymentError),

    #[error("AMAX needs a non-zero initial supply: it can never be minted later")]
    EmptySupply {},

    #[error("AMAX has a fixed supply: nothing can be minted")]
    FixedSupply {},

    #[error("cannot migrate: {0}")]
    Migration(String),
}
