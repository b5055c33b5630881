//! Storage layout: one dynamic state per tier, rolled over lazily, and the
//! closed epochs of each tier keyed by (tier, epoch).

use cosmwasm_schema::cw_serde;
use cosmwasm_std::{Addr, Decimal, Timestamp, Uint128};
use cw_storage_plus::{Item, Map};
use starminer_interfaces::pricing::{EpochRecord, PricingParams};

#[cw_serde]
pub struct Config {
    pub governance: Addr,
    pub registry: Addr,
    pub reporters: Vec<Addr>,
}

pub const CONFIG: Item<Config> = Item::new("cfg");
/// Base prices are kept sorted by tier, so `base_prices[tier - 1]` is the tier.
pub const PARAMS: Item<PricingParams> = Item::new("params");

/// Epoch numbering: `origin_epoch` started at `origin_time`, and every
/// `epoch_length` seconds after it another begins. A change of the epoch
/// length re-anchors the clock at the start of the current epoch, so epoch
/// numbers only ever move forward.
#[cw_serde]
pub struct EpochClock {
    pub origin_epoch: u64,
    pub origin_time: Timestamp,
}

impl EpochClock {
    pub fn epoch_at(&self, time: Timestamp, epoch_length: u64) -> u64 {
        let elapsed = time.seconds().saturating_sub(self.origin_time.seconds());
        self.origin_epoch.saturating_add(elapsed / epoch_length)
    }

    /// Start of `epoch` (not before the origin).
    pub fn start_of(&self, epoch: u64, epoch_length: u64) -> Timestamp {
        let offset = epoch
            .saturating_sub(self.origin_epoch)
            .saturating_mul(epoch_length);
        self.origin_time.plus_seconds(offset)
    }
}

pub const CLOCK: Item<EpochClock> = Item::new("clock");

/// A tier's dynamic state as of `epoch`: the multiplier in force, the
/// demand recorded so far in that epoch, and the time-weighted supply.
///
/// Supply is integrated, not sampled: `supply` is the capacity·seconds of
/// the epoch from its start up to `observed_at`, when the registry last
/// reported `capacity` (units per second). The three supply fields were
/// added after 091ec88; state written then reads them as zero / `None`, and
/// the first observation treats the capacity as constant since the start of
/// the epoch (what that version assumed).
#[cw_serde]
pub struct TierState {
    pub epoch: u64,
    pub multiplier: Decimal,
    pub demand: Uint128,
    #[serde(default)]
    pub supply: Uint128,
    #[serde(default)]
    pub capacity: Uint128,
    #[serde(default)]
    pub observed_at: Option<Timestamp>,
}

impl TierState {
    /// A fresh tier at `epoch`, never observed.
    pub fn new(epoch: u64, multiplier: Decimal) -> Self {
        TierState {
            epoch,
            multiplier,
            demand: Uint128::zero(),
            supply: Uint128::zero(),
            capacity: Uint128::zero(),
            observed_at: None,
        }
    }
}

pub const TIERS: Map<u8, TierState> = Map::new("tier");

/// Closed epochs per (tier, epoch).
pub const HISTORY: Map<(u8, u64), EpochRecord> = Map::new("hist");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_counts_whole_epochs_from_its_origin() {
        let clock = EpochClock {
            origin_epoch: 7,
            origin_time: Timestamp::from_seconds(1_000),
        };
        assert_eq!(clock.epoch_at(Timestamp::from_seconds(999), 100), 7);
        assert_eq!(clock.epoch_at(Timestamp::from_seconds(1_099), 100), 7);
        assert_eq!(clock.epoch_at(Timestamp::from_seconds(1_100), 100), 8);
        assert_eq!(clock.start_of(9, 100), Timestamp::from_seconds(1_200));
        assert_eq!(clock.start_of(3, 100), Timestamp::from_seconds(1_000));
    }
}
