//! StarMiner Multi-Tier Pricing engine (docs/protocol.md).
//!
//! Unit prices per (tier, class) = governance-set base price × the tier's
//! dynamic multiplier; a quote multiplies by urgency, replication and adds
//! verifier fees ([`quote`]). Once per epoch each tier's multiplier follows
//! its utilization `u = demand / supply` like EIP-1559's base fee
//! ([`dynamics`]). Message types live in `starminer_interfaces::pricing`.
//!
//! Design choices:
//!
//! - **Lazy rollover.** A tier rolls over on the first execute that touches
//!   it in a new epoch: `RecordDemand` rolls its tier, `Poke` and
//!   `UpdateConfig` roll all four. Queries compute the same rollover without
//!   writing, and `PriceHistory` lists the epochs it would close after the
//!   stored ones, so what a query sees is what the next execute writes (as
//!   long as the registry's capacity does not change in between). Every
//!   execute also observes the capacity of the tiers it rolls.
//! - **Idle epochs.** Epochs nobody touched are closed with zero demand, each
//!   applying its own adjustment, but at most
//!   [`dynamics::MAX_CATCH_UP_EPOCHS`] (64) per tier per rollover; after that
//!   the tier jumps to the current epoch without records (64 idle epochs
//!   take the multiplier to its floor for any sane δ).
//! - **Supply.** The time integral over the epoch of the registry's
//!   `TierCapacity{tier}.score_sum` (verified work units per second of the
//!   tier's active providers), in capacity·seconds; see *Security* below for
//!   how it is sampled. Supply 0 with demand counts as the largest
//!   utilization (`Decimal::MAX`, price +δ); supply 0 without demand counts
//!   as the target (price unchanged).
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
//!   epoch length > 0, `min_verifier_fee` > 0; at most 16 reporters.
//!
//! # Security
//!
//! - **H3, supply cut at rollover.** *Attack:* a provider drops its roles,
//!   pokes pricing so the epoch closes while the tier's capacity is low, and
//!   re-adds the roles in the same tx: sampled at that instant, the closed
//!   epoch shows half the supply and the price rises 12.5 %. *Defence:*
//!   supply is integrated over time. Every pricing execute (`RecordDemand`,
//!   `Poke`, `UpdateConfig`, migration) reads `TierCapacity` and credits the
//!   interval since the previous reading with the **larger** of the two
//!   readings (`TierState.{supply, capacity, observed_at}`,
//!   [`dynamics::observe`]). *Why:* a dip seen at a single instant is
//!   outvoted by the readings on both sides of it, while a drop that lasts is
//!   confirmed by the next reading and counts from the reading that first saw
//!   it; the registry (another contract) needs no history, and nothing reads
//!   more than one capacity per call. A spike seen at one instant is counted
//!   for the adjacent intervals, but raising supply needs staked, benchmarked
//!   providers that could as well stay registered all epoch, so it gives an
//!   attacker nothing new. *Tests:*
//!   `attacks::attack_supply_dip_at_rollover_does_not_raise_price` (and the
//!   control `attacks::a_lasting_supply_drop_still_raises_the_price`).
//! - **H3, demand inflated by submit-then-cancel.** *Defence:* demand is
//!   accepted only from the reporters (the job market), and the market
//!   reports it when a provider claims the work, not at submission, so a
//!   job submitted and cancelled leaves no demand. *Tests:*
//!   `attacks::attack_demand_reported_by_anyone_but_the_market_is_refused`
//!   here, and the job market's submit-then-cancel test.
//! - **H4, verifier fee rounding to 0 on tiny jobs.** *Defence:* each
//!   verifier's fee is `max(⌈compute_cost · verifier_fee_rate⌉,
//!   min_verifier_fee)`. *Test:* `quotes::one_unit_spot_check_pays_a_nonzero_verifier_fee`.
//!
//! # Verifier pay covers verifier work (default parameters)
//!
//! A SpotCheck verifier recomputes `s` = 16 sampled chunks (the agent's
//! `SPOT_CHECK_SAMPLES_PER_VERIFIER`) of a job of `C` chunks, a fraction
//! `16 / C` of the job, and is paid `f` = 3 % of the compute cost (at least
//! 0.001 AGPU). With the default two verifiers:
//!
//! - honest verification pays when `16 / C < 3 %`, i.e. `C > 533` chunks;
//!   at `C ≥ 1,024` (64 MiB of output at 64 KiB chunks) it recomputes
//!   ≤ 1.56 % and is paid 3 %, a margin of ≥ 1.9×;
//! - the requester pays `2 · 3 % = 6 %` of the compute cost in fees, 5.7 %
//!   of the price `1.06 · cost`; fees plus the verifiers' recompute are
//!   `(6 % + 2 · 1.56 %) / 1.06 = 8.6 %` of the price at `C = 1,024`
//!   (≤ 10 % from `C ≥ 696`);
//! - below that size the fee rate does not cover a 16-chunk sample; the
//!   floor covers jobs whose whole compute cost is ≤ 0.001 AGPU (a verifier
//!   recomputes at most the whole job). For jobs in between (e.g. 100
//!   chunks, 16 % recomputed) verification is unprofitable unless the agent
//!   samples fewer chunks: detection then rests on more verifiers, or the
//!   requester should choose `Replicated`.
//!
//! Example (one hour of a 1,000 units/s GPU at tier 4, 28.8 AGPU of
//! compute): each verifier is paid 0.864 AGPU; at 1,024 chunks it
//! recomputes 0.45 AGPU worth; fees + recompute = 2.63 AGPU of a
//! 30.53 AGPU price (8.6 %).
//!
//! # Migration
//!
//! `CONTRACT_VERSION` 0.2.0. State written at 0.1.0 (commit 091ec88) loads:
//! the new `TierState` fields and `min_verifier_fee` are serde-defaulted;
//! `migrate` observes every tier (a never-observed tier counts the current
//! capacity as held since its epoch began) and installs `MigrateMsg.params`
//! if given (validated: that is how `min_verifier_fee` gets set). *Test:*
//! `migration::state_of_091ec88_loads_and_migrates`.

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
