//! The StarMiner provider registry (docs/protocol.md).
//!
//! Identities and roles, bonded AGPU stake, job collateral, slashing,
//! reputation and jailing, heartbeats, benchmark-verified tiers and
//! `did:starminer:<address>` documents. Message types live in
//! `starminer_interfaces::registry`; the reputation/tier arithmetic in
//! `starminer_interfaces::registry::reputation` so the job market and
//! incentives share it.
//!
//! Design choices:
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
//! - **Validator set (H6).** The top `max_validators` eligible validators by
//!   bond (requested role, not jailed, bond ≥ `min_validator_stake`). Two
//!   indexes keyed by (bond, address), `SEATS` and `WAITING`, give the
//!   smallest seat and the best candidate in one read each, so after any
//!   record change `execute::seats::rebalance` restores the invariant in a
//!   few bounded steps: a free seat goes to the best candidate, and a
//!   candidate with a strictly larger bond displaces the smallest seat (ties
//!   keep the incumbent), with `validator_seated` / `validator_unseated`
//!   events. Seats are never first come, first served. Lowering
//!   `max_validators` drops the smallest seats in the same `UpdateConfig`,
//!   each with an event; a cut of more than 10 seats at once is refused
//!   (governance steps down), so the message's gas stays bounded. A seat's
//!   weight is its whole bond; the set, its size and its total stake are kept
//!   in `VALIDATORS`, `VALIDATOR_COUNT`, `VALIDATOR_STAKE`, so the job market
//!   picks verifiers stake-weighted over a bounded set (at most 100).
//! - **Draw weights (stake snapshots).** A draw seeded by the beacon value
//!   at `s` weighs each seat by the smaller of its seat stake just before
//!   value `s` was revealed and its stake now (`snapshot`): bonding once a
//!   value is public cannot raise one's weight in the draws it seeds, and
//!   stake that left since counts as gone. A log of at most 8 marks per
//!   address (one per beacon sequence with a change) holds it; the
//!   `ValidatorsAsOf{seq}` query pages the seated set with these weights for
//!   the job market, and the benchmark draw uses them too.
//! - **Stake.** Bonding only through cw20 `Send` from the configured AGPU
//!   contract with `ReceiveMsg::Bond{}`, and only for registered addresses;
//!   native funds are refused by every message. `Unbond` takes free
//!   (unlocked) bond into a claim maturing after `unbonding_period`, at most
//!   `max_pending_claims` per address; `Claim` pays all matured claims. When
//!   the whole bond leaves, the status becomes `Unbonding{until}`; a new bond
//!   makes it `Active` again.
//! - **Collateral and slashing (H2).** Only governance and the
//!   governance-set authorized contracts (at most 16) lock, unlock, slash and
//!   record outcomes. One lock per (address, job id), for any bonded address:
//!   a provider's job collateral, and the verifier and dispute-voter locks
//!   the job market takes from validators. Locked bond cannot be unbonded.
//!   A slash takes from the job's lock first, then from free bond, then from
//!   unbonding claims that have not matured, newest first (as the Cosmos
//!   SDK's staking module slashes unbonding delegations), never from other
//!   jobs' locks or matured claims; asking for more slashes what is there.
//!   So unbonding in the same transaction as a false attestation saves
//!   nothing: stake stays at risk for the whole unbonding period. The
//!   beneficiary gets `slash_beneficiary_share`, the treasury (governance)
//!   the rest, by cw20 `Transfer`; `Response::data` is the JSON
//!   `SlashResult` (what was actually taken), so the market counts real
//!   amounts. `Slash` moves tokens only: the job market reports
//!   `RecordOutcome{Slashed}` to count it and cut reputation.
//! - **Reputation.** 0..=10000, new 5000; success/timeout/slash per §8 with
//!   gains rounded down and losses up; failures are counted only. Below
//!   `reputation.floor` the provider is jailed for `jail_duration`: no roles,
//!   no heartbeats, no collateral, no benchmarks. `Unjail` after `until` lifts
//!   reputation to the floor (probation: the next loss jails again). A
//!   verified benchmark adds `benchmark_boost`; heartbeats add nothing (they
//!   would be farmable).
//! - **Benchmarks (M1).** `RequestBenchmark` needs the active provider role;
//!   the seed is sha256(height ‖ time ‖ provider ‖ challenge id), the
//!   deadline now + clamp(⌈work / claimed_score⌉, min, max).
//!   `SubmitBenchmarkResult` snapshots the seated validators other than the
//!   provider, fixes the quorum q = min(`benchmark_quorum`, their number) and
//!   the beacon reveal the draw uses (head + `reveals_per_draw`, at least
//!   one later). Once that value exists, q verifiers are drawn
//!   stake-weighted (`draw`); only they attest. When all have attested (or at
//!   `FinalizeBenchmark` / the next request once the window closed), a
//!   majority of q attesting valid verifies the median of their measured
//!   scores, capped at the claim, and sets the tier; a majority invalid
//!   rejects; otherwise it expires. One hostile `valid = false` or one sybil
//!   seat is not a majority of three. Drawn verifiers that stayed silent
//!   although the draw was known by the deadline are jailed and slashed. A
//!   challenge is open until its deadline (or, once submitted, until
//!   deadline + `attest_window`); after that a new one may be requested.
//!   Changing the hardware resets the verified score and the tier to 0.
//! - **Beacon (C2, M1).** A RANDAO over validator hash chains
//!   (`execute::beacon`). A seated validator commits to
//!   anchor = sha256ⁿ(secret); `RevealBeacon{preimage}` needs
//!   sha256(preimage) = anchor, moves the anchor to the preimage and sets
//!   value = sha256(prev value ‖ revealer address ‖ preimage), logged per
//!   `seq`. *Why it cannot be ground:* every preimage a validator will ever
//!   reveal is fixed by its anchor before the values it mixes into exist (a
//!   new anchor may only reveal after the beacon has moved on, except when
//!   no other validator could move it), so a revealer's only choice is to
//!   reveal or to withhold. Withholding is punished: at most one reveal per
//!   `beacon_interval`, and a seated validator silent for `beacon_grace` is
//!   reported by anyone (`ReportMissedBeacon`), slashed `missed_duty_slash`
//!   of its bond, jailed and unseated. *What bias remains:* the last revealer
//!   before a consumer's draw sees the value its reveal would give and may
//!   withhold it, which picks between two outcomes (reveal, or whoever
//!   reveals next) at the price of a missed-duty slash if it stays silent
//!   past the grace; a coalition holding the last k revealers gets at most
//!   2^k choices, each costly. Consumers fix their seed first and draw with
//!   the value `reveals_per_draw` = min(`beacon_reveals_per_draw`, anchored
//!   seats) reveals later, so a single revealer never decides a draw alone
//!   when there are several.
//! - **Zones (M4).** `UpdateProfile{zone}` records a pending zone effective
//!   after `zone_change_delay`: `Provider` queries show the old zone until
//!   then, so nobody can move into a zone and claim its jobs in the same
//!   transaction. Registration sets the zone at once. A due change reaches
//!   the record and the zone indexes at the record's next write.
//! - **DID keys (L3).** A public key given to `Register` / `UpdateProfile`
//!   must derive the sender's address (ripemd160(sha256(compressed key)),
//!   the chain's bech32 prefix, as the Cosmos SDK derives secp256k1
//!   accounts), so nobody can publish someone else's key as theirs.
//! - **Migration.** From 0.1.0 (091ec88): the seat index is built from the
//!   old seated set, its duty clocks start at the migration, the beacon
//!   starts at its genesis value; new record, parameter and challenge fields
//!   read with serde defaults. Candidates that waited enter the queue at
//!   their next message.
//! - **Indexes and aggregates.** `BY_ZONE`, `BY_TIER`, `BY_ROLE` and the
//!   per-(zone, tier) `CAPACITY` of active providers are maintained in one
//!   place, `state::save_provider`, which every handler that changes an
//!   indexed field goes through. Zones in use cannot be removed.

pub mod contract;
pub mod draw;
pub mod error;
pub mod execute;
pub mod query;
pub mod snapshot;
pub mod state;
pub mod validate;

pub use crate::error::ContractError;
