//! Stake snapshots for beacon-seeded draws.
//!
//! *Attack.* A draw seeded by the beacon value at sequence `s` (the job
//! market's spot checkers and dispute voters, the registry's benchmark
//! verifiers) happens some time after value `s` is public. Weighing by the
//! stake at draw time let a validator that saw the value bond more first and
//! raise its own weight in a draw whose outcome it could already compute.
//!
//! *Rule.* A draw seeded by value `s` weighs each validator by its **seat
//! stake before value `s` was revealed** (its bond while it held a seat; 0
//! without a seat), or its stake now if that is smaller: stake added once
//! the value is public does not count, stake unbonded, slashed or unseated
//! since counts as gone. A change made while the beacon head is at `h`
//! happens before value `h + 1` exists, so it counts for every `s > h` and
//! for no `s ≤ h`. (Lowering one's own weight cannot help anyone: in
//! `draw_weighted` a candidate's key depends only on the seed, its address
//! and its own weight, so it only drops itself further back.)
//!
//! *What remains.* The validator that reveals value `s` can compute it
//! before publishing it, so it could still bond while the head is at
//! `s − 1` (the beacon's known last-revealer bias, now also over its own
//! weight). A consumer that wants to exclude that too asks for the stake as
//! of the value after the head at which it fixed its draw (`fixed_at + 1`
//! instead of `draw_at`): nobody short of the last `reveals_per_draw`
//! revealers together knew the draw's value then.
//!
//! *Design: a short per-validator change log, not a global snapshot.* Per
//! address that held a seat, `STAKE_HISTORY` keeps marks (head seq at the
//! change, seat stake before it), one per beacon sequence in which the seat
//! stake changed (changes within one sequence merge: the mark keeps the
//! stake from before the first). The stake before value `s` is the `before`
//! of the first mark with seq ≥ `s`, or the current stake when there is none.
//! Only changes write: a draw reads one entry per candidate; nothing is
//! written per reveal or per draw, and the validator set is never scanned.
//!
//! *Bounds.* At most [`MAX_STAKE_MARKS`] marks per address (≈ 25 bytes each
//! as JSON): a change costs one read and one write of ≤ 8 marks, a weighted
//! read one read per candidate. Storage is ≤ 8 marks per address that was
//! ever seated (of the same order as its `PROVIDERS` record). When a ninth
//! sequence is recorded the oldest mark is dropped and `pruned_to` remembers
//! its sequence; a draw seeded at or before it no longer knows that stake
//! and weighs the validator 0 (safe: unknown stake never counts). Only marks
//! with seq ≥ `s` matter to a draw seeded by `s`, so losing one takes
//! changes of that validator's seat stake in nine different beacon sequences
//! from `s` on, i.e. all after value `s` was public; draws are normally made
//! within a reveal or two of their value (the registry's benchmark draw at
//! the first attestation, the job market's at `DrawVerifiers`).
//!
//! Why not the simpler "stake as of the last change plus the current one":
//! two changes in two later sequences would move "as of the last change"
//! past `s` and let a bond made after value `s` count. A history pruned to
//! the window of pending draws was the alternative; the registry does not
//! know the job market's pending draws, so the bound is by count instead.
//!
//! *Migration.* State from before this log has no marks: each validator
//! then counts with its current stake for every `s` until its first change,
//! which is exact for every draw seeded after the migration.

use cosmwasm_std::{Addr, StdResult, Storage, Uint128};

use crate::state::{BEACON, STAKE_HISTORY, VALIDATORS};

/// Marks kept per address (the oldest is dropped beyond it).
pub const MAX_STAKE_MARKS: usize = 8;

/// Records that `addr`'s seat stake is about to change from `before` (called
/// by `state::save_provider` for every change of a seat stake).
pub fn note_change(storage: &mut dyn Storage, addr: &Addr, before: Uint128) -> StdResult<()> {
    let seq = BEACON.may_load(storage)?.map(|h| h.seq).unwrap_or_default();
    let mut history = STAKE_HISTORY.may_load(storage, addr)?.unwrap_or_default();
    if history.marks.last().is_some_and(|(at, _)| *at == seq) {
        // Already changed in this sequence: the stake before it is kept.
        return Ok(());
    }
    history.marks.push((seq, before));
    while history.marks.len() > MAX_STAKE_MARKS {
        let (dropped, _) = history.marks.remove(0);
        history.pruned_to = Some(dropped);
    }
    STAKE_HISTORY.save(storage, addr, &history)
}

/// `addr`'s seat stake just before beacon value `seq` was revealed, given
/// its seat stake now: 0 when the history no longer reaches back to `seq`.
/// Once value `seq` exists the answer never changes (until pruned).
pub fn stake_before(
    storage: &dyn Storage,
    addr: &Addr,
    seq: u64,
    current: Uint128,
) -> StdResult<Uint128> {
    let Some(history) = STAKE_HISTORY.may_load(storage, addr)? else {
        return Ok(current);
    };
    if history.pruned_to.is_some_and(|p| p >= seq) {
        return Ok(Uint128::zero());
    }
    Ok(history
        .marks
        .iter()
        .find(|(at, _)| *at >= seq)
        .map_or(current, |(_, before)| *before))
}

/// `addr`'s seat stake just before beacon value `seq` was revealed, whatever
/// it is now (0 without a seat then, or when no longer known).
pub fn seat_stake_before(storage: &dyn Storage, addr: &Addr, seq: u64) -> StdResult<Uint128> {
    let current = VALIDATORS.may_load(storage, addr)?.unwrap_or_default();
    stake_before(storage, addr, seq, current)
}
