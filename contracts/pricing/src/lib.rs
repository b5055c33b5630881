//! StarMiner Multi-Tier Pricing engine (DESIGN.md §6).
//!
//! Unit prices per (tier, class) = governance-set base price × the tier's
//! dynamic multiplier; a quote multiplies by urgency, replication and adds
//! verifier fees ([`quote`]). Once per epoch each tier's multiplier follows
//! its utilization `u = demand / supply` like EIP-1559's base fee
//! ([`dynamics`]). Message types live in `starminer_interfaces::pricing`.
//!
//! Design choices (where the issue left them open):
//!
//! - **Lazy rollover.** A tier rolls over on the first execute that touches
//!   it in a new epoch: `RecordDemand` rolls its tier, `Poke` and
//!   `UpdateConfig` roll all four. Queries compute the same rollover without
//!   writing, and `PriceHistory` lists the epochs it would close after the
//!   stored ones, so what a query sees is what the next execute writes (as
//!   long as the registry's capacity does not change in between).
//! - **Idle epochs.** Epochs nobody touched are closed with zero demand, each
//!   applying its own adjustment, but at most
//!   [`dynamics::MAX_CATCH_UP_EPOCHS`] (64) per tier per rollover; after that
//!   the tier jumps to the current epoch without records (64 idle epochs
//!   take the multiplier to its floor for any sane δ).
//! - **Supply.** The registry's `TierCapacity{tier}.score_sum` (verified work
//!   units per second of the tier's active providers) × the epoch length, read
//!   when the epoch is closed: the registry keeps no history. Supply 0 with
//!   demand counts as the largest utilization (`Decimal::MAX`, price +δ);
//!   supply 0 without demand counts as the target (price unchanged).
//! - **Arithmetic.** `κ·(u − u_target)` is handled as magnitude and direction
//!   on `Decimal`; overflows saturate towards their direction and are then
//!   clamped to ±δ, the multiplier to `[min_multiplier, max_multiplier]`.
//!   Quotes round up (ceil) and fail with `PriceOverflow` rather than wrap.
//! - **Configuration.** `UpdateConfig` (governance) first rolls every tier
//!   over under the old rules; new bounds clamp the multipliers at once; a
//!   new epoch length re-anchors the epoch clock at the start of the current
//!   epoch (epoch numbers never go back). Parameters: exactly one base-price
//!   entry per tier 1..=4, all prices and urgency multipliers positive,
//!   `0 < min ≤ 1 ≤ max`, δ in (0, 1), target in (0, 1], fee rate ≤ 1,
//!   epoch length > 0; at most 16 reporters.

pub mod contract;
pub mod dynamics;
pub mod error;
pub mod execute;
pub mod query;
pub mod quote;
pub mod rollover;
pub mod state;
pub mod validate;

pub use crate::error::ContractError;
