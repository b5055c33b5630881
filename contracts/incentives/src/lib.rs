//! StarMiner incentives: AGPU emissions (docs/protocol.md).
//!
//! Epoch `e` emits `E(e) = E0 · decay^e`, never past the AGPU cap. The job
//! market reports settled work (`RecordWork`) and attestations
//! (`RecordAttestation`); each becomes weight of its address in the current
//! epoch. Once an epoch has closed, its weights claim their share with
//! `Claim`, and this contract — the AGPU minter, appointed by governance with
//! cw20 `UpdateMinter` — mints it to the claimant. Message types live in
//! `starminer_interfaces::incentives`.
//!
//! Design choices:
//!
//! - **Epochs.** Epoch 0 starts at instantiation; `epoch = ⌊(now − genesis) /
//!   epoch_length⌋`. The epoch length cannot change afterwards
//!   (`EpochLengthFixed`): weights already recorded would move between epochs.
//! - **Weights.** Provider weight += `units · reputation / 10000`, rounded
//!   down but at least 1 for positive units; the reputation is read from the
//!   registry's `Provider` query when the work is reported. Verifier weight
//!   += 1 per attestation.
//! - **Allocation, cap and reservation.** The first weight of an epoch
//!   allocates `E(e)` clipped to `cap − total_supply − reserved` (cap and
//!   supply queried from the token: `Minter{}` and `TokenInfo{}`) and adds it
//!   to `reserved`. Epochs are opened in time order, so near the cap the older
//!   epoch wins, and allocations together never exceed the cap. The epoch's
//!   `verifier_share` is fixed then too; later parameter changes apply to
//!   epochs not yet allocated. `initial_emission = 0` pauses emissions.
//! - **Split.** Providers share `floor(allocation · (1 − verifier_share))`,
//!   verifiers the rest, each side pro rata to weight, rounded down. A side
//!   without weight in an epoch gets nothing: the first claim after the epoch
//!   closed releases that part (and, as it is final then, nothing else) from
//!   `reserved`. The queried `emitted` is what the weights can claim, so the
//!   sum of claims of an epoch never exceeds its `emitted`.
//! - **Claims.** Per-(address, epoch) weights are also the address's queue
//!   of unclaimed epochs; `Claim` settles the oldest closed ones, at most
//!   `max_epochs_per_claim` (≤ 100) per call, deletes them (no double claim)
//!   and mints the sum with one cw20 `Mint`. Nothing to settle is
//!   `NothingToClaim`. The mint is clipped to `cap − total_supply` in case
//!   another minter ate into the cap; `Totals` then shows `claimed > minted`.
//! - **Failures.** A token that cannot report its cap fails the report
//!   (`TokenQuery`); with minting disabled (`Minter{}` is null) new epochs are
//!   allocated nothing and `Claim` is refused (`MintingDisabled`).
//!
//! # Security
//!
//! - **H4, emissions farmed by wash trading.** *Attack:* one party plays
//!   requester, provider and verifier: it submits a job, claims it, submits
//!   any root, has its own verifier seats attest, and settles. At 091ec88
//!   it paid only the protocol fee (0.002 AGPU in the demo epoch) and was
//!   reported weight for an epoch emitting 1,000 AGPU. *Defence:* emissions
//!   are a **rebate bounded by the fees the work paid**. The market reports
//!   each settled job with `RecordSettlement { protocol_fee, verification,
//!   verifiers }`; the provider is credited `(1 − verifier_share)` of the
//!   job's protocol fee, the verifiers share the rest. At claim, each side's
//!   pro-rata share of the epoch is paid up to `reward_per_fee` (< 1,
//!   default 0.5) × the address's credit in that epoch; the rest is
//!   forfeited and released under the cap, never minted. Unverified
//!   (`None`) work has weight × `unverified_weight` (default 0). *Why:* the
//!   credits of one job add up to at most its protocol fee, so whoever holds
//!   every seat of a job gets back at most half of the fee it paid; the
//!   verifier fees and the payout are transfers between its own seats, and
//!   the collateral comes back. The honest volume of other users cannot
//!   fund a farmer's take, since the bound is per address. The legacy
//!   `RecordWork` / `RecordAttestation` carry no fee and earn nothing in new
//!   epochs. Dispute voters that vote with the decided side did a
//!   verifier's work on the job: the market lists them with the job's
//!   `verifiers` when it settles, so the fee the job paid backs them like
//!   the spot checkers, and the job's credits still add up to at most its
//!   fee (test:
//!   `attacks::dispute_voters_earn_emission_only_when_a_paid_fee_backs_them`).
//!   *Tests:*
//!   `attacks::attack_wash_trading_loses_money_in_every_verification_mode`
//!   (None, SpotCheck 2 and 3, Replicated 3; multipliers 0.25, 1, 8; 100 to
//!   10⁸ units; the quote from the pricing crate and the settlement from the
//!   market's rules at the `starminer-deploy` defaults),
//!   `attacks::attack_tiny_wash_trades_earn_nothing`,
//!   `attacks::honest_fee_volume_funds_the_rebate_up_to_the_bound_only`.
//! - **L2, claiming while minting is off.** *Attack/bug:* with the token's
//!   minter unset, `Claim` minted 0 but deleted the weights. *Defence:*
//!   `Claim` first asks the token for its minter and refuses with
//!   `MintingDisabled`, touching nothing. *Test:*
//!   `attacks::attack_claim_while_minting_is_off_keeps_the_rewards`.
//!
//! # Worked example (default parameters)
//!
//! `economics::worked_economics_example_at_default_params` runs it through
//! the contract. A GPU benchmarked at 1,000 units/s (tier 4; e.g. the
//! fractal template at 1 G pixel-iterations/s) rendering one-minute
//! SpotCheck jobs at multiplier 1 and normal urgency: 3.6 M units/h at
//! 8 uagpu/unit = 28.8 AGPU/h of compute; payout 27.36 AGPU/h after the
//! 5 % protocol fee (1.44 AGPU/h), plus an emission rebate of
//! 0.5 × 0.8 × 1.44 = 0.576 AGPU/h: **27.94 AGPU per hour**. A wash trader
//! cycling the same volume with itself loses the fee and gets back at most
//! half of it: **−1.44 AGPU/h** with `None` (no emission), **−0.72 AGPU/h**
//! with SpotCheck (2 own verifiers), **−1.73 AGPU/h** with Replicated{2}.
//! `E0` = 100 AGPU per ten-minute epoch is the rebate of 200 AGPU of fees,
//! i.e. about 800 such GPUs kept busy; below that the unbacked rest of the
//! epoch is never minted.
//!
//! # Migration
//!
//! `CONTRACT_VERSION` 0.2.0. State written at 0.1.0 (commit 091ec88) loads:
//! epochs without `fee_bound` are paid as they were promised (uncapped),
//! weights without credits read 0, parameters without `reward_per_fee` read
//! 0 (new epochs pay nothing) until `MigrateMsg.params` or `UpdateConfig`
//! sets them. *Test:* `migration::state_of_091ec88_loads_and_migrates`.

pub mod contract;
pub mod emission;
pub mod error;
pub mod execute;
pub mod query;
pub mod state;
pub mod validate;

pub use crate::error::ContractError;
