//! Storage layout. Per-(address, epoch) weights double as each address's
//! queue of unclaimed epochs: `Claim` takes the oldest entries of its prefix
//! and deletes them, so a claim costs bounded gas however many epochs exist.

use cosmwasm_schema::cw_serde;
use cosmwasm_std::{Addr, Decimal, Timestamp, Uint128};
use cw_storage_plus::{Item, Map};
use starminer_interfaces::incentives::IncentivesParams;

#[cw_serde]
pub struct Config {
    pub governance: Addr,
    pub agpu_token: Addr,
    pub registry: Addr,
    pub reporters: Vec<Addr>,
}

pub const CONFIG: Item<Config> = Item::new("cfg");
pub const PARAMS: Item<IncentivesParams> = Item::new("params");
/// Start of epoch 0 (instantiation time).
pub const GENESIS: Item<Timestamp> = Item::new("genesis");

/// One epoch that received weight. Created, and its emission allocated, by
/// the first `Record*` of the epoch.
#[cw_serde]
pub struct EpochState {
    /// `E(e)` clipped to what the cap allowed at allocation time.
    pub allocation: Uint128,
    /// The verifier share in force when the epoch was allocated.
    pub verifier_share: Decimal,
    pub provider_weight: Uint128,
    pub verifier_weight: Uint128,
    pub claimed: Uint128,
    /// Set by the first claim after the epoch closed, when the part of the
    /// allocation no weight can claim is released from `RESERVED`.
    pub settled: bool,
    /// `reward_per_fee` in force when the epoch was allocated: each address
    /// claims at most this × its fee credit of the epoch. `None`: an epoch
    /// allocated before the fee bound existed (0.1.0), paid as then.
    #[serde(default)]
    pub fee_bound: Option<Decimal>,
    /// Protocol fees reported for the epoch's settled jobs.
    #[serde(default)]
    pub fees: Uint128,
    /// Shares given up by claims because fee credit did not back them;
    /// released from `RESERVED`, never minted.
    #[serde(default)]
    pub forfeited: Uint128,
}

pub const EPOCHS: Map<u64, EpochState> = Map::new("epochs");

/// An address's weights in one epoch and the protocol fees credited to it
/// on each side (the credits were added in 0.2.0: older entries read 0).
#[cw_serde]
#[derive(Default)]
pub struct Weights {
    pub provider: Uint128,
    pub verifier: Uint128,
    #[serde(default)]
    pub provider_credit: Uint128,
    #[serde(default)]
    pub verifier_credit: Uint128,
}

/// Unclaimed weight per (address, epoch).
pub const WEIGHTS: Map<(&Addr, u64), Weights> = Map::new("w");

/// Allocated to epochs and not yet claimed or released.
pub const RESERVED: Item<Uint128> = Item::new("reserved");
/// Rewards claimed so far.
pub const CLAIMED: Item<Uint128> = Item::new("claimed");
/// uagpu minted by this contract so far.
pub const MINTED: Item<Uint128> = Item::new("minted");
