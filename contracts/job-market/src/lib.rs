//! The StarMiner job market (DESIGN.md §7).
//!
//! Templates, escrowed submission paid in AGPU through cw20 `Send`, priced by
//! the pricing contract; claims with collateral locked in the registry;
//! matchmaking over indexed per-zone queues with Matrix Spillover; results as
//! Merkle roots (`starminer_merkle`); spot checks, chunk challenges and
//! disputes, or replication with commit–reveal; settlement, requeues,
//! expiry and refunds. Message types live in
//! `starminer_interfaces::job_market`.
//!
//! Design choices (where DESIGN.md leaves them open):
//!
//! - **Escrow.** At submission the contract asks pricing for a `Quote` at
//!   tier max(job, template), rejects it above `max_price` or above the sent
//!   amount, escrows exactly `quote.total` and refunds the excess *at once*.
//!   Every escrow leaves the contract through one function,
//!   `execute::disburse`, which pays the listed parties and refunds the rest
//!   to the requester, refusing to pay more than the job brought. Hence the
//!   contract's AGPU balance always equals the sum of live escrows
//!   (`Stats.totals.live_escrow`). Slashes never touch escrow: they move
//!   bonded stake inside the registry.
//! - **Prices and fees.** Per replica: provider payout = compute cost −
//!   ⌊compute cost × protocol_fee_rate⌋; the fee goes to the treasury
//!   (governance). Each verifier that attested Valid gets the quoted
//!   verifier fee; fees of verifiers that were not drawn (small validator
//!   set), stayed silent or lost a dispute are refunded, as are the replicas
//!   of a replicated job whose providers lost. Demand reported to pricing
//!   is units × replication.
//! - **Collateral.** ⌈collateral_rate × provider payout⌉ per slot, locked in
//!   the registry at claim, released at settlement, slashed on a timeout or
//!   a lost dispute/challenge. A verifier whose Invalid claim is refuted is
//!   slashed the same amount from its free bond.
//! - **Who gets a slash.** Timeouts and replicated dissenters: the requester.
//!   A provider convicted by a dispute or an unanswered chunk challenge: the
//!   challenging verifier (the honest verifier who caught it). A refuted
//!   verifier: the provider it accused. The registry splits each slash with
//!   the treasury by its `slash_beneficiary_share`.
//! - **Queues and bounded gas.** An Open job sits in `QUEUE` under (zone,
//!   priority, job id) — priority 0 is Realtime, ids grow with submission
//!   time — and in a per-tier mirror; `state::save_job` moves it in and out
//!   as its status changes, and keeps per-zone open counts. `ClaimNext`
//!   merges the provider's zone and every zone with a route into it (at
//!   most `max_zones`), reads entries lazily in (urgency, age) order and
//!   gives up after `max_claim_scan` entries. Settlement, expiry and
//!   disputes touch one job and its ≤ k slots and ≤ verifiers entries. The
//!   only loop over outside state is the validator set (paged through the
//!   registry's `Validators` query, bounded by its `max_validators`), read
//!   when verifiers are drawn.
//! - **Spillover.** M[from][to] is stored keyed (to, from). A job of zone A
//!   is claimable from zone B when the route exists, its latency class is at
//!   most the job's, and either the job's age (since first submission; a
//!   requeued job keeps its age) reaches the route's delay or A's open queue
//!   is longer than A's capacity threshold. Evaluated at claim time.
//! - **Matching.** The provider must be Active with the provider role, have
//!   at least the job's tier, and one device with both the memory and the
//!   compute units asked (a job runs on one device). A provider never holds
//!   two slots of one job and never claims again a job it held (so a timed
//!   out provider cannot grab the requeued job again).
//! - **Leases.** now + ⌈units × template seconds per unit × urgency lease
//!   factor⌉, at least `min_lease_seconds`, never past the job deadline.
//!   `Expire` (anyone) after a lease slashes the collateral, records a
//!   Timeout and requeues while the deadline allows, else ends Expired with
//!   a full refund. An Open job whose deadline passed expires too.
//! - **Cancel** only while Open and no slot is claimed (replicas already
//!   computing are not robbed of their work): full refund.
//! - **SpotCheck.** At `SubmitResult` the contract draws the verifiers
//!   stake-weighted without replacement from the validator set, seeded by
//!   sha256(tag ‖ job id ‖ root ‖ height), never the provider. The
//!   challenge window then runs; settlement is automatic when the last
//!   verifier attests Valid, otherwise anyone settles after the window with
//!   no open challenge or dispute. Verifiers pick their secret samples and
//!   fetch chunks off chain; a withheld chunk is challenged on chain
//!   (`Challenge`, at most 4 per verifier per job, one open at a time) and
//!   the provider must answer with the leaf hash and Merkle proof within
//!   `response_window` or `ResolveChallenge` convicts it. With verification
//!   None the requester may challenge.
//! - **Disputes.** An Invalid{index, chunk_hash} attestation opens a dispute
//!   (one at a time; a verifier attests once, so disputes per job are
//!   bounded by its verifiers) and draws `dispute_verifiers` extra
//!   validators (not the provider, not the spot checkers). The provider must
//!   prove its leaf of chunk `index` against its root within
//!   `response_window`, or lose. For an Exact template a proved leaf equal
//!   to the claimed hash refutes the verifier at once. Otherwise the
//!   dispute verifiers recompute the chunk and vote within another
//!   `response_window`; majority decides, a tie slashes nobody and lets the
//!   result stand. A convicted provider's job goes back to Open while its
//!   deadline allows, else it fails with a full refund. Dispute verifiers
//!   are rewarded through incentives (`RecordAttestation`), not from the
//!   escrow, which only covers the quoted verifiers.
//! - **Training-like templates.** Chunk i is a checkpoint; a verifier checks
//!   it by re-running step i from checkpoint i−1 (fetched with its proof).
//!   That is off chain: the chain only sees the index and the leaf hash.
//! - **Tolerance templates.** Leaf hashes of recomputed f32 chunks differ
//!   within the tolerance, so a dispute on such a template is always decided
//!   by the dispute verifiers' votes, never by hash equality.
//! - **Replicated{k}** takes only Exact templates: a Tolerance template's
//!   output may differ in its last bits between devices (ai.training.sgd on
//!   PoCL and on an NVIDIA H100: 702 of 65,536 values, within 3e-5
//!   relative), so honest replicas could disagree and one be slashed.
//!   k slots claimed independently; each commits
//!   sha256(root ‖ salt) before its lease. When all k have committed the
//!   reveal round opens for `commit_window` seconds (a slot that never
//!   commits is expired at its lease, slashed, and its slot reopened). A root
//!   revealed by a strict majority of k wins; dissenters are slashed,
//!   silent slots are slashed as timeouts, winners are paid one replica
//!   each. No majority: silent slots are slashed, the job is requeued with
//!   fresh slots or, past the deadline, fails with a refund.
//! - **Bad input.** A slot holder that has not yet delivered may report bad
//!   input: the job fails, the reporter gets `bad_input_fee_rate` of one
//!   replica's payout, every slot is released, the rest is refunded, nobody
//!   is slashed and no outcome is recorded.
//! - **History.** Each job keeps a ring of its last `max_history` events
//!   (also emitted as `wasm-job` events with `action` and `job_id`); every
//!   response carries `action` and `job_id` attributes.
//! - **Zones and oracles.** The market keeps its own zone list with
//!   capacity thresholds and the matrix (at most `max_zones` zones; zones
//!   are never removed). Governance and up to 16 governance-set oracle
//!   addresses may change them (the registry has no single-address oracle
//!   lookup, so the market keeps its own list).
//! - **Templates** are immutable once registered (open jobs depend on their
//!   chunk size and lease rule); only `enabled` changes.

pub mod contract;
pub mod error;
pub mod execute;
pub mod logic;
pub mod query;
pub mod state;
pub mod validate;

pub use crate::error::ContractError;
