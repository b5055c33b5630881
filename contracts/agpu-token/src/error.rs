use cosmwasm_std::{StdError, Uint128};
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

    #[error("only the current minter or governance may change the minter")]
    UnauthorizedMinterChange {},

    #[error("AGPU needs a positive supply cap")]
    ZeroCap {},

    #[error("initial balances total {initial} uagpu, above the cap of {cap} uagpu")]
    InitialSupplyAboveCap { initial: Uint128, cap: Uint128 },

    #[error("cannot migrate: {0}")]
    Migration(String),
}
