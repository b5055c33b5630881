//! AGPU — StarMiner's utility token.
//!
//! A cw20 token built on `cw20-base`: it pays for compute, bonds providers and
//! validators, and rewards work. Two things set it apart from a plain cw20:
//! the supply cap is fixed at instantiation and survives every minter change,
//! and governance can always reassign the minter (cw20-base alone lets only the
//! current minter do that, which would strand minting in a retired contract).

pub mod contract;
pub mod error;
pub mod state;

pub use crate::error::ContractError;
