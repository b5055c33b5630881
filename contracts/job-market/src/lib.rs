//! The StarMiner job market (docs/protocol.md).
//!
//! Templates, escrowed submission paid in AGPU through cw20 `Send`, priced by
//! the pricing contract; claims with collateral locked in the registry;
//! matchmaking over indexed per-zone queues with Matrix Spillover; results as
//! Merkle roots (`starminer_merkle`); spot checks, chunk challenges and
//! disputes, or replication with commit–reveal; settlement, requeues,
//! expiry and refunds. Message types live in
//! `starminer_interfaces::job_market`.
//!
//! Design choices (where docs/protocol.md leaves them open):
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
//!   is the units of each claimed slot, reported at the claim (see H3
//!   below).
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
//!   factor⌉, at least `min_lease_seconds`, always in full (see C1).
//!   `Expire` (anyone) after a lease slashes the collateral, records a
//!   Timeout and requeues while the deadline still leaves a full lease, else
//!   ends Expired with a full refund. An Open job whose deadline passed, or
//!   no longer leaves a full lease, expires too.
//! - **Cancel** only while Open and no slot is claimed or applied for (replicas already
//!   computing are not robbed of their work): refund less the cancellation
//!   fee (see M2).
//! - **SpotCheck.** At `SubmitResult` the job records `draw_at` = the
//!   registry beacon's `seq + reveals_per_draw`; once that reveal exists
//!   the verifiers are drawn (`DrawVerifiers`, or lazily by Attest,
//!   Challenge, Settle, ResolveChallenge) stake-weighted without
//!   replacement among seated validators whose free bond covers the duty
//!   lock, never the provider (see C2, H2 below). The challenge window runs
//!   from the draw; settlement is automatic when the last
//!   verifier attests Valid, otherwise anyone settles after the window with
//!   no open challenge or dispute. Verifiers pick their secret samples and
//!   fetch chunks off chain; a withheld chunk is challenged on chain
//!   (`Challenge`, at most 4 per verifier per job, one open at a time) and
//!   the provider must answer with the leaf hash and Merkle proof within
//!   `response_window` or `ResolveChallenge` convicts it. With verification
//!   None the requester may challenge.
//! - **Disputes.** An Invalid{index, chunk_hash} attestation opens a dispute
//!   (one at a time; a verifier attests once, so disputes per job are
//!   bounded by its verifiers). The provider must prove its leaf of chunk
//!   `index` against its root within `response_window`, or lose. For an
//!   Exact template a proved leaf equal to the claimed hash refutes the
//!   verifier at once. Otherwise `dispute_verifiers` voters (not the
//!   provider, not the spot checkers, not earlier rounds' voters) are drawn
//!   from a later beacon value, recompute the chunk and vote within
//!   `response_window` of the later of proof and draw (see M3 below). A
//!   convicted provider's job goes back to Open while its deadline allows,
//!   else it fails with a full refund. Dispute verifiers are rewarded
//!   through incentives (`RecordAttestation`), not from the escrow.
//! - **Training-like templates.** Chunk i is a checkpoint; a verifier checks
//!   it by re-running step i from checkpoint i−1, which it can force on
//!   chain with `ChallengeData` (see M5 below).
//! - **Tolerance templates.** Leaf hashes of recomputed f32 chunks differ
//!   within the tolerance, so a dispute on such a template is always decided
//!   by the dispute verifiers' votes, never by hash equality.
//! - **Replicated{k}** takes only Exact templates: a Tolerance template's
//!   output may differ in its last bits between devices (ai.training.sgd on
//!   PoCL and on an NVIDIA H100: 702 of 65,536 values, within 3e-5
//!   relative), so honest replicas could disagree and one be slashed.
//!   With `replica_window` on (the deployed default), the slots are drawn
//!   among applicants by bond from a beacon value revealed after the last
//!   application (`execute/replicas.rs`; tests `replica_draw.rs`);
//!   otherwise first come, first seated. Each slot holder commits
//!   sha256(root ‖ salt ‖ provider ‖ job id) before its lease (see H5). When all k have committed the
//!   reveal round opens for `commit_window` seconds (a slot that never
//!   commits is expired at its lease, slashed, and its slot reopened). A root
//!   revealed by a strict majority of k wins; dissenters are slashed,
//!   silent slots are slashed as timeouts, winners are paid one replica
//!   each. No majority: silent slots are slashed, the job is requeued with
//!   fresh slots or, past the deadline, fails with a refund.
//! - **Bad input.** A slot holder that has not yet delivered may report bad
//!   input, with its slot collateral as the bond; see H1 for how it is
//!   judged. Upheld: the job fails, the reporter gets `bad_input_fee_rate`
//!   of one replica's payout, every slot is released, the rest is refunded,
//!   nobody is slashed and no outcome is recorded.
//! - **History.** Each job keeps a ring of its last events (also emitted as
//!   `wasm-job` events with `action` and `job_id`); every response carries
//!   `action` and `job_id` attributes. The ring's size is `max_history` at
//!   the job's first event and stays fixed for that job (L3 below).
//! - **Zones and oracles.** The market keeps its own zone list with
//!   capacity thresholds and the matrix (at most `max_zones` zones; zones
//!   are never removed). Governance, and any address for which the
//!   registry's `HasRole{address, Oracle}` is true (appointed there,
//!   registered, not jailed), may change them. The market's `oracles`
//!   config field is still accepted (instantiate, `UpdateConfig`, `Config`)
//!   for compatibility but no longer read: the registry is the one list.
//!   Test: `oracle_authority_comes_from_the_registry_role`.
//! - **Collateral of verifiers.** Each drawn verifier and dispute voter has
//!   ⌈`verifier_collateral_rate` × the job's quoted verifier fee⌉ (default
//!   10 fees) of its free bond locked in the registry under (verifier, job
//!   id) until its duty ends (settlement, requeue, the end of its voting
//!   round); only validators whose `free` covers it are drawn. Ten fees:
//!   a lazy verifier that attests Valid without checking loses in
//!   expectation as soon as more than 1 in 10 of the results it waves
//!   through are later proven fraudulent, and the lock is small next to
//!   the validator bond (1,000 of a 10,000 bond in the tests).
//!
//! Trust hardening, verification side: each attack, its defence,
//! why, and the test (`tests/job_market/attacks_verification.rs`).
//!
//! - **C2 Grinding the draws.** Attack: the provider tries roots offline
//!   until sha256(job ‖ root ‖ height) draws only its own validator seats;
//!   a verifier picks the block of its Invalid attestation to choose the
//!   dispute voters. Defence: a draw's seed is fixed in two steps. The job
//!   first fixes everything it contributes (the root at `SubmitResult`; the
//!   index, round and challenger at an Invalid) and records `draw_at` =
//!   beacon `seq + reveals_per_draw`; the draw then uses sha256(tag ‖ job
//!   id ‖ root ‖ … ‖ beacon value at `draw_at`), a value produced after the
//!   job's input by validators' hash chains (each link fixed when its
//!   anchor was set; the registry's `reveals_per_draw` bounds what a
//!   withholding last revealer can do). `draw_weighted` gives each
//!   candidate an independent exponential key −log2(u)/stake from
//!   sha256(seed ‖ address), so changing one's own stake or leaving the set
//!   never moves another candidate's chance. Why: the party that could
//!   grind no longer knows the seed when it chooses. Tests:
//!   `attack_grinding_the_root_does_not_choose_the_verifiers` (2,000 jobs,
//!   2 of 16 seats, 150 roots per job: within 3σ of 1/120, while the same
//!   grinder against the old predictable seed wins far above it),
//!   `attack_grinding_the_root_end_to_end_draw_uses_a_later_beacon_value`,
//!   `attack_verifier_grinds_dispute_draw_by_timing_fails`. When no
//!   validator runs the beacon (`reveals_per_draw` 0) nothing can be drawn:
//!   SpotCheck runs without verifiers and their fees are refunded, as with
//!   too small a validator set (`without_a_beacon_spot_checks_run_without_verifiers`).
//!   A draw that waits longer than `draw_timeout` fails the job with a
//!   refund (requeue while the deadline allows), nobody slashed
//!   (`stalled_beacon_fails_the_job_with_a_refund`). Residual: the draw
//!   reads stakes at draw time, so a seat could add bond after the value is
//!   public to raise its own chance in that draw (never another's).
//! - **H2 Stake at risk while it backs a duty.** Attack: file a false
//!   Invalid, then unbond; or attest Valid without checking. Defence: the
//!   duty lock above cannot be unbonded; a refuted Invalid is slashed from
//!   it to the provider; when voters prove a result fraudulent every
//!   verifier that attested Valid is slashed its lock to the challenger;
//!   silent and outvoted voters lose theirs to the treasury. Tests:
//!   `attack_false_invalid_then_unbond_is_still_slashed`,
//!   `lazy_valid_attestation_on_proven_fraud_is_slashed`.
//! - **M3 Silence and ties.** Attack: a cheating provider's voters stay
//!   silent (or its one sybil voter votes for it) and the result stood.
//!   Defence: a side wins only with a strict majority of the round's drawn
//!   voters; silent voters are slashed; an undecided round draws a fresh
//!   set from a later beacon value (at most `dispute_rounds`); after the
//!   last, the dispute is undecided: the job fails back to the queue (or
//!   ends with a refund), the provider is released unpaid, nobody else is
//!   slashed. Why: neither side proved its case, so the requester must not
//!   pay for an unconfirmed result and the challenger must not be punished
//!   for the voters' silence; the provider loses its work, the price of a
//!   result a bonded verifier contested. Votes after `vote_deadline` and
//!   proofs after `response_deadline` (or a challenge's deadline) are
//!   refused (`WindowClosed`). Tests:
//!   `attack_silent_dispute_voters_do_not_let_cheater_win`,
//!   `late_vote_is_refused`.
//! - **L1 Attest and Challenge deadlines.** Refused after the challenge
//!   window (`WindowClosed`). Test:
//!   `late_attestation_and_challenge_are_refused`.
//! - **M5 Data availability for training templates.** Attack: withhold
//!   checkpoint i−1 so nobody can re-run step i; a leaf proof does not
//!   reveal the data. Defence: on a Training-class template a verifier
//!   sends `ChallengeData{index}`; only `RespondData{index, data, proof}`
//!   with the chunk's bytes (≤ template chunk size and `max_data_bytes`)
//!   hashing to the committed leaf answers it, within `response_window`,
//!   and the bytes are emitted in the `wasm-job` event (`data=` base64).
//!   Unanswered, `ResolveChallenge` convicts the provider like a withheld
//!   chunk. Tests: `attack_withholding_previous_checkpoint_is_slashed`,
//!   `published_checkpoint_answers_the_data_challenge`.
//! - **The verifier's dilemma.** Attack: attest Valid without recomputing
//!   while providers are honest, and be paid for nothing. Defence: forced
//!   errors (`execute::decoy`): a SpotCheck result is a pair of roots that
//!   differ only at leaf `decoy_index`, one of them deliberately wrong; the
//!   verifier draw designates the one shown; after the attestations the
//!   provider opens its seal with `RevealDecoy`. Valid on a forced error
//!   loses the duty lock. Tests: `tests/job_market/forced_errors.rs`.
//! - **Slash totals.** Every registry `Slash` leaves as a submessage with
//!   `reply_on_success` (set once at the entry point); the reply's
//!   `SlashResult.taken` is what `Stats.totals.slashed` adds. Test:
//!   `slashed_total_counts_what_the_registry_took`.
//!
//! Trust hardening, claims and results side: each attack, its
//! defence, why, and the test (`tests/job_market/attacks_claims.rs`) that
//! performs it.
//!
//! - **C1 Deadline trap.** Attack: a requester posts an attractive job whose
//!   deadline is seconds away, a provider claims it, cannot finish, and the
//!   requester `Expire`s it to take the collateral. Defence: a lease is
//!   always the full time the units need; a claim whose remaining time
//!   (deadline − now) is shorter is refused (`DeadlineTooClose`, naming
//!   needed and left seconds), `ClaimNext` skips such jobs, and a
//!   submission whose deadline is closer than the minimum lease of its
//!   units is refused (`DeadlineUnmeetable`). A requeue happens only while a
//!   full lease still fits; otherwise the job ends with a refund. Why: the
//!   only way to be slashed is then to miss a lease one accepted in full,
//!   which is the provider's own fault. Test:
//!   `attack_deadline_trap_is_refused`.
//! - **H5 Replica commitments.** Attack: slot 2 copies slot 1's commitment,
//!   then its reveal, and is paid for no work. Defence: the commitment is
//!   hex sha256(root ‖ salt ‖ provider address ‖ job id big-endian)
//!   (`starminer_interfaces::job_market::replica_commitment`, also used by
//!   the agent); a copied commitment cannot be opened by the copier, whose
//!   reveal is refused, and it is slashed as a silent slot. Test:
//!   `attack_replica_copies_commitment_is_not_paid`. Residual risk: sybil
//!   replicas that really compute (or share one computation off chain) are
//!   indistinguishable from independent ones; what bounds them is one slot
//!   per identity per job, the registry's minimum provider bond per
//!   identity, and a full collateral lock per slot. With ⌊k/2⌋+1 sybil slots
//!   an attacker decides the root only when it holds that many of the k
//!   slots, i.e. roughly with the probability its share of the eligible,
//!   claiming capacity gives it; a wrong majority is caught later only if a
//!   requester challenges. Slots are first-come today; drawing them from
//!   the beacon is the verification side's follow-up.
//! - **H1 Free bad-input reports.** Attack: claim any job and report bad
//!   input in the same transaction for 10 % of the payout. Defence: the
//!   reporter's slot collateral is the bond (a slot without collateral
//!   cannot report: `BadInputNeedsBond`). An inline input is on chain:
//!   its bytes are what the requester signed, so the report is refused
//!   (`InlineInputOnChain`) and nothing changes. A remote input is judged:
//!   one validator drawn stake-weighted (never a slot holder or the
//!   requester) with the registry beacon's value `reveals_per_draw` reveals
//!   after the report, so the reporter cannot choose its judge by timing;
//!   the requester may concede but not reject. Upheld: the job fails as
//!   before. Rejected or unjudged within `bad_input_window` (`Expire`): the
//!   whole bond is slashed to the requester and the slot reopens; the
//!   reporter never claims the job again. While judged, the reporter's
//!   lease does not run out and it cannot submit or abandon. Why the
//!   default is "false": a report is a claim the reporter must get
//!   confirmed; silence must not pay. Residuals: a silent judge costs an
//!   honest reporter its bond (the registry's missed-duty jailing is what
//!   deters silence); the judge is drawn from the validator set as it is
//!   when the judge acts (`JobResponse.bad_input_judge` names it once the
//!   beacon value exists), so the registry's seat rules, not the market,
//!   bound who can enter that set after the value is known; without a
//!   beacon (no anchored validator) only the requester can uphold a
//!   report. Tests:
//!   `attack_free_bad_input_report_on_inline_input_is_refused`,
//!   `attack_false_bad_input_report_loses_bond`,
//!   `honest_bad_input_report_conceded_by_the_requester_pays_the_reporter`,
//!   `a_drawn_validator_judges_bad_input_reports_both_ways`,
//!   `attack_bad_input_report_without_a_bond_is_refused`.
//! - **Abandon.** A lease holder that cannot finish sends `Abandon` before
//!   delivering: `abandon_slash_rate` (< 1) of its collateral goes to the
//!   requester, the rest is released, a Timeout is recorded and the slot
//!   reopens at once (or the job ends with a refund when no full lease
//!   fits). Cheaper than a timeout so telling early pays, and the job does
//!   not wait for the lease. Tests:
//!   `abandon_costs_less_than_a_timeout_and_requeues_at_once`,
//!   `abandon_when_the_deadline_leaves_no_full_lease_ends_the_job_with_a_refund`.
//! - **M2 ClaimNext head-of-line blocking.** Attack: 33 cheap Realtime jobs
//!   asking `min_device_memory = u64::MAX`, cancellable for a refund, make
//!   every `ClaimNext` of the zone answer `NoJobAvailable`. Defence, four
//!   parts: requirements above `limits.max_device_memory` /
//!   `max_compute_units` are refused at submission, so every queued job is
//!   claimable by some real device and spam is executed (and paid for) by
//!   the providers that qualify; a quote below `min_job_price` is refused;
//!   `Cancel` leaves `cancel_fee_rate` of the escrow to the treasury; and
//!   `ClaimNext { start_after }` resumes the scan after the position a
//!   `NoJobAvailable` names, so a provider skips any number of entries it
//!   cannot take in bounded calls (each still examines at most
//!   `max_claim_scan`). Test: `attack_claim_next_head_of_line_blocking_fails`.
//! - **H3 Demand by submit-then-cancel.** Attack: `SubmitJob` then `Cancel`
//!   in one transaction records demand and raises the tier's price. Defence:
//!   demand is reported to pricing when a slot is claimed (units per slot),
//!   never at submission. Test:
//!   `attack_submit_and_cancel_does_not_raise_price`.
//! - **L3 `max_history` changes.** Changing the bound moved the ring index
//!   (seq mod max) of old jobs, so their history failed to load. Defence:
//!   each job's ring size is stored at its first event; jobs logged before
//!   0.2.0 use the ring in force at the migration. Test:
//!   `changing_max_history_keeps_old_jobs_histories_readable`.
//! - **Migration (0.1.0 → 0.2.0).** New parameters are serde defaults;
//!   `migrate` records the legacy ring size. Test:
//!   `migration_from_091ec88_state_keeps_params_and_history`.
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
