//! The per-epoch price adjustment (docs/protocol.md), pure arithmetic:
//! `m' = clamp(m · (1 + clamp(κ·(u − u_target), −δ, +δ)), min, max)`.
//!
//! `κ·(u − u_target)` is signed; it is computed as a magnitude and a
//! direction on `Decimal`, so nothing can underflow, and every overflow
//! saturates in the direction it was heading (a huge utilization is a rise of
//! exactly δ).

use cosmwasm_std::{Decimal, Timestamp, Uint128};
use starminer_interfaces::pricing::{EpochRecord, PricingParams};

use crate::state::{EpochClock, TierState};

/// Most epochs one rollover applies. A tier nobody touched for longer than
/// this catches up on its first 64 epochs only and jumps to the current
/// epoch: its epochs were idle, each one lowered the multiplier by the same
/// factor, and for sane parameters (`(1 − δ)^64 ≤ min/max`, e.g. δ = 0.125
/// reaches any bound ratio above 1/5000) it already sits at `min_multiplier`.
/// The skipped epochs have no history record. This bounds the work of the
/// call that happens to close a long gap to 64 records per tier.
pub const MAX_CATCH_UP_EPOCHS: u64 = 64;

/// `u = demand / supply`. Without supply, any demand is the largest
/// utilization there is (`Decimal::MAX`: the price rises by δ), and no demand
/// is exactly the target (an empty tier keeps its price).
pub fn utilization(demand: Uint128, supply: Uint128, target: Decimal) -> Decimal {
    if supply.is_zero() {
        return if demand.is_zero() {
            target
        } else {
            Decimal::MAX
        };
    }
    Decimal::checked_from_ratio(demand, supply).unwrap_or(Decimal::MAX)
}

/// One epoch's adjustment of a multiplier at utilization `u`.
pub fn adjust(multiplier: Decimal, u: Decimal, params: &PricingParams) -> Decimal {
    let target = params.target_utilization;
    let delta = params.max_change;
    let next = if u >= target {
        let step = params
            .kappa
            .checked_mul(u - target)
            .unwrap_or(Decimal::MAX)
            .min(delta);
        multiplier
            .checked_mul(Decimal::one() + step)
            .unwrap_or(Decimal::MAX)
    } else {
        let step = params
            .kappa
            .checked_mul(target - u)
            .unwrap_or(Decimal::MAX)
            .min(delta);
        // δ < 1 (validated), so 1 − step > 0.
        multiplier * (Decimal::one() - step)
    };
    next.clamp(params.min_multiplier, params.max_multiplier)
}

/// `capacity` units per second held for `seconds` (saturating).
pub fn capacity_seconds(capacity: Uint128, seconds: u64) -> Uint128 {
    capacity.saturating_mul(Uint128::from(seconds))
}

fn seconds_between(from: Timestamp, to: Timestamp) -> u64 {
    to.seconds().saturating_sub(from.seconds())
}

/// Observes the tier at `now`, when the registry reports `capacity`, and
/// brings `state` up to date:
///
/// - the interval since the last observation is credited with the larger of
///   the two readings (`max(previous, capacity)` × seconds): a dip seen at a
///   single instant (drop roles, poke, re-add them in one tx) is outvoted by
///   the readings on either side of it, while a lasting drop counts from the
///   observation that first saw it once the next observation confirms it;
/// - if the epoch changed, the old epoch is closed with its recorded demand
///   and its time-weighted supply, then each idle epoch with no demand and
///   the same capacity throughout, at most [`MAX_CATCH_UP_EPOCHS`] in all.
///
/// A state never observed (fresh, or written before supply was integrated)
/// counts `capacity` as held since the start of its epoch. Returns the new
/// state and the records of the closed epochs, oldest first.
pub fn observe(
    state: &TierState,
    clock: &EpochClock,
    now: Timestamp,
    capacity: Uint128,
    params: &PricingParams,
) -> (TierState, Vec<EpochRecord>) {
    let length = params.epoch_length;
    let epoch_now = clock.epoch_at(now, length);
    let epoch_start = clock.start_of(state.epoch, length);
    let (previous, since) = match state.observed_at {
        Some(t) => (state.capacity, t.max(epoch_start)),
        None => (capacity, epoch_start),
    };
    let rate = previous.max(capacity);
    if state.epoch >= epoch_now {
        let mut next = state.clone();
        next.supply = state
            .supply
            .saturating_add(capacity_seconds(rate, seconds_between(since, now)));
        next.capacity = capacity;
        next.observed_at = Some(now.max(since));
        return (next, vec![]);
    }
    let steps = (epoch_now - state.epoch).min(MAX_CATCH_UP_EPOCHS);
    let mut records = Vec::with_capacity(steps as usize);
    let mut multiplier = state.multiplier;
    let mut demand = state.demand;
    let first_end = clock.start_of(state.epoch.saturating_add(1), length);
    let mut supply = state
        .supply
        .saturating_add(capacity_seconds(rate, seconds_between(since, first_end)));
    for epoch in state.epoch..state.epoch + steps {
        let u = utilization(demand, supply, params.target_utilization);
        let next = adjust(multiplier, u, params);
        records.push(EpochRecord {
            epoch,
            demand,
            supply,
            utilization: u,
            multiplier,
            next_multiplier: next,
        });
        multiplier = next;
        demand = Uint128::zero();
        supply = capacity_seconds(rate, length);
    }
    let start_now = clock.start_of(epoch_now, length);
    let rolled = TierState {
        epoch: epoch_now,
        multiplier,
        demand: Uint128::zero(),
        supply: capacity_seconds(rate, seconds_between(start_now, now)),
        capacity,
        observed_at: Some(now),
    };
    (rolled, records)
}

/// The epoch's supply if the tier keeps `capacity` from `now` to the end of
/// its epoch: what `observe` would have integrated by then.
pub fn projected_supply(
    state: &TierState,
    clock: &EpochClock,
    now: Timestamp,
    capacity: Uint128,
    params: &PricingParams,
) -> Uint128 {
    let (observed, _) = observe(state, clock, now, capacity, params);
    let end = clock.start_of(observed.epoch.saturating_add(1), params.epoch_length);
    observed
        .supply
        .saturating_add(capacity_seconds(capacity, seconds_between(now, end)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    use crate::validate::tests::params;

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn utilization_edges() {
        let t = dec("0.5");
        assert_eq!(
            utilization(Uint128::new(1), Uint128::new(4), t),
            dec("0.25")
        );
        assert_eq!(
            utilization(Uint128::zero(), Uint128::new(4), t),
            Decimal::zero()
        );
        assert_eq!(
            utilization(Uint128::new(1), Uint128::zero(), t),
            Decimal::MAX
        );
        assert_eq!(utilization(Uint128::zero(), Uint128::zero(), t), t);
        assert_eq!(utilization(Uint128::MAX, Uint128::one(), t), Decimal::MAX);
    }

    #[test]
    fn adjustment_is_proportional_then_clamped_to_delta() {
        // κ = 0.5, target 0.5, δ = 0.125, bounds [0.25, 4].
        let p = params();
        let one = Decimal::one();
        assert_eq!(adjust(one, dec("0.5"), &p), one);
        assert_eq!(adjust(one, dec("0.6"), &p), dec("1.05"));
        assert_eq!(adjust(one, dec("0.4"), &p), dec("0.95"));
        assert_eq!(adjust(one, dec("3"), &p), dec("1.125"));
        assert_eq!(adjust(one, Decimal::zero(), &p), dec("0.875"));
        assert_eq!(adjust(one, Decimal::MAX, &p), dec("1.125"));
    }

    #[test]
    fn adjustment_respects_the_bounds() {
        let p = params();
        assert_eq!(adjust(dec("3.9"), Decimal::MAX, &p), dec("4"));
        assert_eq!(adjust(dec("0.26"), Decimal::zero(), &p), dec("0.25"));
        let mut huge = params();
        huge.kappa = Decimal::MAX;
        huge.max_multiplier = Decimal::MAX;
        assert_eq!(adjust(Decimal::MAX, Decimal::MAX, &huge), Decimal::MAX);
    }

    const L: u64 = 3_600;

    fn clock() -> EpochClock {
        EpochClock {
            origin_epoch: 0,
            origin_time: Timestamp::from_seconds(0),
        }
    }

    fn at(epoch: u64, offset: u64) -> Timestamp {
        Timestamp::from_seconds(epoch * L + offset)
    }

    fn cap(n: u128) -> Uint128 {
        Uint128::new(n)
    }

    #[test]
    fn rollover_closes_the_epoch_then_the_idle_ones() {
        let p = params();
        let mut state = TierState::new(3, Decimal::one());
        state.demand = Uint128::new(800 * L as u128);
        // Capacity 1,000/s all along: supply 1,000 · L per epoch.
        let (rolled, records) = observe(&state, &clock(), at(6, 0), cap(1_000), &p);
        assert_eq!(records.len(), 3);
        assert_eq!(records[0].epoch, 3);
        assert_eq!(records[0].supply, cap(1_000 * L as u128));
        assert_eq!(records[0].utilization, dec("0.8"));
        assert_eq!(records[0].next_multiplier, dec("1.125"));
        assert_eq!(records[1].demand, Uint128::zero());
        assert_eq!(records[1].multiplier, dec("1.125"));
        assert_eq!(
            records[2].next_multiplier,
            dec("1.125") * dec("0.875") * dec("0.875")
        );
        assert_eq!(rolled.epoch, 6);
        assert_eq!(rolled.multiplier, records[2].next_multiplier);
        assert_eq!(rolled.demand, Uint128::zero());
        assert_eq!(rolled.supply, Uint128::zero());
        assert_eq!(rolled.observed_at, Some(at(6, 0)));
        // Already current, no time passed: nothing changes.
        let (same, none) = observe(&rolled, &clock(), at(6, 0), cap(1_000), &p);
        assert_eq!(same, rolled);
        assert!(none.is_empty());
    }

    #[test]
    fn supply_integrates_capacity_over_time() {
        let p = params();
        let state = TierState::new(0, Decimal::one());
        // Seen at 1,000/s at the start and 400/s a third into the epoch;
        // seen at 400/s again at two thirds and at the close, which confirms
        // the drop: it counts from the observation that first saw it.
        let (s1, _) = observe(&state, &clock(), at(0, 0), cap(1_000), &p);
        let (s2, _) = observe(&s1, &clock(), at(0, L / 3), cap(400), &p);
        assert_eq!(s2.supply, cap(1_000 * (L / 3) as u128));
        let (s3, _) = observe(&s2, &clock(), at(0, 2 * L / 3), cap(400), &p);
        let (_, records) = observe(&s3, &clock(), at(1, 0), cap(400), &p);
        let expected = 1_000 * (L / 3) + 400 * (2 * L / 3);
        assert_eq!(records[0].supply, cap(expected as u128));
    }

    #[test]
    fn a_one_instant_dip_does_not_count() {
        let p = params();
        let (s1, _) = observe(
            &TierState::new(0, Decimal::one()),
            &clock(),
            at(0, 0),
            cap(1_000),
            &p,
        );
        // The dip is observed exactly at the rollover, then capacity is back.
        let (dipped, records) = observe(&s1, &clock(), at(1, 0), cap(10), &p);
        assert_eq!(records[0].supply, cap(1_000 * L as u128));
        let (_, records) = observe(&dipped, &clock(), at(2, 0), cap(1_000), &p);
        assert_eq!(records[0].supply, cap(1_000 * L as u128));
    }

    #[test]
    fn projection_extends_the_current_capacity_to_the_epoch_end() {
        let p = params();
        let (s1, _) = observe(
            &TierState::new(0, Decimal::one()),
            &clock(),
            at(0, 0),
            cap(100),
            &p,
        );
        assert_eq!(
            projected_supply(&s1, &clock(), at(0, L / 2), cap(100), &p),
            cap(100 * L as u128)
        );
        // max(100, 300) over the first half, 300 over the rest.
        assert_eq!(
            projected_supply(&s1, &clock(), at(0, L / 2), cap(300), &p),
            cap(300 * L as u128)
        );
    }

    #[test]
    fn a_long_gap_is_bounded_and_ends_at_the_floor() {
        let p = params();
        let state = TierState::new(0, p.max_multiplier);
        let (rolled, records) = observe(&state, &clock(), at(1_000_000, 0), cap(5), &p);
        assert_eq!(records.len() as u64, MAX_CATCH_UP_EPOCHS);
        assert_eq!(rolled.epoch, 1_000_000);
        assert_eq!(rolled.multiplier, p.min_multiplier);
    }

    #[test]
    fn an_empty_tier_keeps_its_price() {
        let p = params();
        let state = TierState::new(0, dec("1.5"));
        let (rolled, _) = observe(&state, &clock(), at(10, 0), Uint128::zero(), &p);
        assert_eq!(rolled.multiplier, dec("1.5"));
    }
}
