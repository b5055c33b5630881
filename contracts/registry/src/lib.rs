//! The StarMiner provider registry (DESIGN.md §3 and §8).
//!
//! Identities and roles, bonded AGPU stake, job collateral, slashing,
//! reputation and jailing, heartbeats, benchmark-verified tiers and
//! `did:starminer:<address>` documents. Message types live in
//! `starminer_interfaces::registry`; the reputation/tier arithmetic in
//! `starminer_interfaces::registry::reputation` so the job market and
//! incentives share it.
//!
//! Design choices (where the issue left them open):
//!
//! - **Roles.** `Requester` is implicit for everyone; `Oracle` is a
//!   governance-appointed set that needs no registration. `Provider` and
//!   `Validator` are *requested* in the record (`roles`) and *active*
//!   (`active_roles`, indexed) while the address is not jailed and its bond
//!   (locked part included) meets `min_provider_stake` / `min_validator_stake`.
//!   Unbonding or a slash below a threshold deactivates the role at once;
//!   bonding again reactivates it. Roles are re-evaluated on every change of a
//!   record, never by scanning, so a threshold change by governance reaches an
//!   address at its next state change.
//! - **Validator set.** Bounded by `max_validators`: an eligible validator is
//!   seated only while there is room (members keep their seat; nobody is
//!   evicted). Its weight is its whole bond; the set, its size and its total
//!   stake are kept in `VALIDATORS`, `VALIDATOR_COUNT`, `VALIDATOR_STAKE`, so
//!   the job market can pick verifiers stake-weighted over a bounded set.
//! - **Stake.** Bonding only through cw20 `Send` from the configured AGPU
//!   contract with `ReceiveMsg::Bond{}`, and only for registered addresses;
//!   native funds are refused by every message. `Unbond` takes free
//!   (unlocked) bond into a claim maturing after `unbonding_period`, at most
//!   `max_pending_claims` per address; `Claim` pays all matured claims. When
//!   the whole bond leaves, the status becomes `Unbonding{until}`; a new bond
//!   makes it `Active` again. Claims are not slashable.
//! - **Collateral and slashing.** Only governance and the governance-set
//!   authorized contracts (at most 16) lock, unlock, slash and record
//!   outcomes. One lock per (provider, job id). A slash takes from the job's
//!   lock first, then from free bond, never from other jobs' locks; asking for
//!   more slashes what is there. The beneficiary gets
//!   `slash_beneficiary_share`, the treasury (governance) the rest, by cw20
//!   `Transfer`. `Slash` moves tokens only: the job market reports
//!   `RecordOutcome{Slashed}` to count it and cut reputation.
//! - **Reputation.** 0..=10000, new 5000; success/timeout/slash per §8 with
//!   gains rounded down and losses up; failures are counted only. Below
//!   `reputation.floor` the provider is jailed for `jail_duration`: no roles,
//!   no heartbeats, no collateral, no benchmarks. `Unjail` after `until` lifts
//!   reputation to the floor (probation: the next loss jails again). A
//!   verified benchmark adds `benchmark_boost`; heartbeats add nothing (they
//!   would be farmable).
//! - **Benchmarks.** `RequestBenchmark` needs the active provider role; the
//!   seed is sha256(height ‖ time ‖ provider ‖ challenge id), the deadline
//!   now + clamp(⌈work / claimed_score⌉, min, max). One attestation by a
//!   seated validator other than the provider decides: valid sets the verified
//!   score to min(measured, claimed) and the tier from `tier_thresholds`. A
//!   challenge is open until its deadline (or, once submitted, until deadline +
//!   `attest_window`); after that a new one may be requested. Changing the
//!   hardware resets the verified score and the tier to 0.
//! - **Indexes and aggregates.** `BY_ZONE`, `BY_TIER`, `BY_ROLE` and the
//!   per-(zone, tier) `CAPACITY` of active providers are maintained in one
//!   place, `state::save_provider`, which every handler that changes an
//!   indexed field goes through. Zones in use cannot be removed.

pub mod contract;
pub mod error;
pub mod execute;
pub mod query;
pub mod state;
pub mod validate;

pub use crate::error::ContractError;
