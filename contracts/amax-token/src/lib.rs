//! AMAX — StarMiner's governance token.
//!
//! A cw20 token built on `cw20-base` whose whole supply is distributed at
//! instantiation. It has no minter, so the supply can never change except
//! by holders burning their own tokens. Holders stake it in the governance
//! contract (cw20 `Send`) for voting power.

pub mod contract;
pub mod error;

pub use crate::error::ContractError;
