//! StarMiner incentives: AGPU emissions (DESIGN.md §4 and §9).
//!
//! Epoch `e` emits `E(e) = E0 · decay^e`, never past the AGPU cap. The job
//! market reports settled work (`RecordWork`) and attestations
//! (`RecordAttestation`); each becomes weight of its address in the current
//! epoch. Once an epoch has closed, its weights claim their share with
//! `Claim`, and this contract — the AGPU minter, appointed by governance with
//! cw20 `UpdateMinter` — mints it to the claimant. Message types live in
//! `starminer_interfaces::incentives`.
//!
//! Design choices (where the issue left them open):
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
//!   allocated nothing.

pub mod contract;
pub mod emission;
pub mod error;
pub mod execute;
pub mod query;
pub mod state;
pub mod validate;

pub use crate::error::ContractError;
