//! The per-epoch price adjustment (DESIGN.md §6), pure arithmetic:
//! `m' = clamp(m · (1 + clamp(κ·(u − u_target), −δ, +δ)), min, max)`.
//!
//! `κ·(u − u_target)` is signed; it is computed as a magnitude and a
//! direction on `Decimal`, so nothing can underflow, and every overflow
//! saturates in the direction it was heading (a huge utilization is a rise of
//! exactly δ).

use cosmwasm_std::{Decimal, Uint128};
use starminer_interfaces::pricing::{EpochRecord, PricingParams};

use crate::state::TierState;

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

/// A tier's capacity over one epoch: `score_sum` work units per second times
/// the epoch length (saturating).
pub fn epoch_supply(score_sum: Uint128, epoch_length: u64) -> Uint128 {
    score_sum.saturating_mul(Uint128::from(epoch_length))
}

/// Brings `state` to epoch `to_epoch`: closes its epoch with the recorded
/// demand, then each following idle epoch with no demand, at most
/// [`MAX_CATCH_UP_EPOCHS`] in all. Every closed epoch is measured against
/// `supply`, the tier's capacity when the rollover happens (the registry
/// keeps no history). Returns the new state and the records of the closed
/// epochs, oldest first. Does nothing when `state` is already current.
pub fn roll_over(
    state: &TierState,
    to_epoch: u64,
    supply: Uint128,
    params: &PricingParams,
) -> (TierState, Vec<EpochRecord>) {
    if state.epoch >= to_epoch {
        return (state.clone(), vec![]);
    }
    let steps = (to_epoch - state.epoch).min(MAX_CATCH_UP_EPOCHS);
    let mut records = Vec::with_capacity(steps as usize);
    let mut multiplier = state.multiplier;
    let mut demand = state.demand;
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
    }
    let rolled = TierState {
        epoch: to_epoch,
        multiplier,
        demand: Uint128::zero(),
    };
    (rolled, records)
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

    #[test]
    fn rollover_closes_the_epoch_then_the_idle_ones() {
        let p = params();
        let state = TierState {
            epoch: 3,
            multiplier: Decimal::one(),
            demand: Uint128::new(800),
        };
        let (rolled, records) = roll_over(&state, 6, Uint128::new(1_000), &p);
        assert_eq!(records.len(), 3);
        assert_eq!(records[0].epoch, 3);
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
        // Already current: nothing happens.
        let (same, none) = roll_over(&rolled, 6, Uint128::new(1_000), &p);
        assert_eq!(same, rolled);
        assert!(none.is_empty());
    }

    #[test]
    fn a_long_gap_is_bounded_and_ends_at_the_floor() {
        let p = params();
        let state = TierState {
            epoch: 0,
            multiplier: p.max_multiplier,
            demand: Uint128::zero(),
        };
        let (rolled, records) = roll_over(&state, 1_000_000, Uint128::new(5), &p);
        assert_eq!(records.len() as u64, MAX_CATCH_UP_EPOCHS);
        assert_eq!(rolled.epoch, 1_000_000);
        assert_eq!(rolled.multiplier, p.min_multiplier);
    }

    #[test]
    fn an_empty_tier_keeps_its_price() {
        let p = params();
        let state = TierState {
            epoch: 0,
            multiplier: dec("1.5"),
            demand: Uint128::zero(),
        };
        let (rolled, _) = roll_over(&state, 10, Uint128::zero(), &p);
        assert_eq!(rolled.multiplier, dec("1.5"));
    }
}
