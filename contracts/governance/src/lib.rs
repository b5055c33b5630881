//! StarMiner governance and treasury.
//!
//! AMAX holders stake through cw20 `Send` for voting power (height snapshots),
//! open proposals carrying `CosmosMsg`s with an AMAX deposit, vote, and — after
//! the voting period and a timelock — anyone executes a passed proposal as one
//! atomic batch whose failure is recorded on the proposal. The contract's own
//! balances are the protocol treasury; only executed proposals spend them.

pub mod contract;
pub mod error;
pub mod execute;
pub mod query;
pub mod state;
pub mod tally;

pub use crate::error::ContractError;
