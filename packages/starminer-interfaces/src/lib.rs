//! The wire interface of every StarMiner contract.
//!
//! Each module holds one contract's `InstantiateMsg`, `ExecuteMsg`, `QueryMsg`
//! and response types. Contracts depend on this crate to talk to each other
//! with typed messages, and off-chain clients (SDK, CLI, provider agent)
//! depend on it to build the same messages, so a message has exactly one
//! definition.

pub mod addresses;
pub mod agpu;
pub mod amax;
pub mod claims;
pub mod draw;
pub mod governance;
pub mod incentives;
pub mod job_market;
pub mod market;
pub mod pagination;
pub mod pricing;
pub mod registry;
