//! One module per command group.

pub mod chain;
pub mod config;
pub mod dashboard;
pub mod deploy;
pub mod devnet;
pub mod gov;
pub mod job;
pub mod keys;
pub mod market;
pub mod provider;
pub mod rewards;
pub mod stake;
pub mod token;
