//! The pure arithmetic of emissions: the schedule, the weights and the
//! split of an epoch's allocation. Everything rounds down, so the sum of
//! rewards of an epoch never exceeds what the epoch emitted.

use cosmwasm_std::{Decimal, Uint128};
use starminer_interfaces::registry::MAX_REPUTATION;

/// `E(e) = E0 · decay^e`, rounded down. `decay` is in (0, 1], so the power
/// never overflows; it underflows to zero once `decay^e < 10^-18` (and for
/// epochs beyond `u32::MAX`), which ends emissions for good.
pub fn epoch_emission(initial: Uint128, decay: Decimal, epoch: u64) -> Uint128 {
    if decay >= Decimal::one() {
        return initial;
    }
    let factor = u32::try_from(epoch)
        .ok()
        .and_then(|exp| decay.checked_pow(exp).ok())
        .unwrap_or_default();
    initial.mul_floor(factor)
}

/// A provider's weight for `units` of verified work at `reputation`:
/// `units · reputation / 10000` rounded down, but at least 1, so any
/// positive work counts.
pub fn work_weight(units: Uint128, reputation: u32) -> Uint128 {
    let reputation = reputation.min(MAX_REPUTATION);
    units
        .multiply_ratio(reputation, MAX_REPUTATION)
        .max(Uint128::one())
}

/// What the providers and the verifiers of an epoch share between them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pools {
    pub provider: Uint128,
    pub verifier: Uint128,
}

impl Pools {
    /// `floor(allocation · (1 − share))` for providers, the rest for
    /// verifiers; a side without weight gets nothing (its part is never
    /// minted).
    pub fn split(
        allocation: Uint128,
        verifier_share: Decimal,
        provider_weight: Uint128,
        verifier_weight: Uint128,
    ) -> Self {
        let share = verifier_share.min(Decimal::one());
        let provider = allocation.mul_floor(Decimal::one() - share);
        let verifier = allocation - provider;
        Pools {
            provider: if provider_weight.is_zero() {
                Uint128::zero()
            } else {
                provider
            },
            verifier: if verifier_weight.is_zero() {
                Uint128::zero()
            } else {
                verifier
            },
        }
    }

    pub fn total(&self) -> Uint128 {
        self.provider + self.verifier
    }

    /// `floor(pool · w / W)` per side.
    pub fn reward(&self, provider: (Uint128, Uint128), verifier: (Uint128, Uint128)) -> Uint128 {
        share(self.provider, provider) + share(self.verifier, verifier)
    }
}

/// `floor(pool · w / W)` (nothing without total weight).
pub fn share(pool: Uint128, (w, total): (Uint128, Uint128)) -> Uint128 {
    if total.is_zero() {
        Uint128::zero()
    } else {
        pool.multiply_ratio(w.min(total), total)
    }
}

/// The fee bound: a `share` is paid up to `floor(credit · bound)`; with no
/// bound (an epoch allocated before it existed) in full.
pub fn bounded(share: Uint128, credit: Uint128, bound: Option<Decimal>) -> Uint128 {
    match bound {
        Some(bound) => share.min(credit.mul_floor(bound)),
        None => share,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn emission_decays_geometrically_and_rounds_down() {
        let e0 = Uint128::new(1_000_000);
        assert_eq!(epoch_emission(e0, dec("0.9"), 0), e0);
        assert_eq!(epoch_emission(e0, dec("0.9"), 1), Uint128::new(900_000));
        assert_eq!(epoch_emission(e0, dec("0.9"), 2), Uint128::new(810_000));
        assert_eq!(epoch_emission(e0, dec("0.9"), 3), Uint128::new(729_000));
        assert_eq!(
            epoch_emission(Uint128::new(10), dec("0.15"), 1),
            Uint128::new(1)
        );
        assert_eq!(epoch_emission(e0, Decimal::one(), 1_000_000), e0);
    }

    #[test]
    fn emission_saturates_to_zero_far_out() {
        let e0 = Uint128::new(u128::MAX);
        assert_eq!(epoch_emission(e0, dec("0.5"), 10_000), Uint128::zero());
        assert_eq!(
            epoch_emission(e0, dec("0.999999"), u64::MAX),
            Uint128::zero()
        );
        assert_eq!(
            epoch_emission(e0, dec("0.999999"), u64::from(u32::MAX)),
            Uint128::zero()
        );
        // Monotone: never rises again.
        let e0 = Uint128::new(1_000_000_000_000);
        let mut last = e0;
        for e in 0..200 {
            let now = epoch_emission(e0, dec("0.8"), e);
            assert!(now <= last);
            last = now;
        }
        assert_eq!(last, Uint128::zero());
    }

    #[test]
    fn work_weight_scales_with_reputation_and_keeps_one() {
        assert_eq!(work_weight(Uint128::new(1_000), 5_000), Uint128::new(500));
        assert_eq!(
            work_weight(Uint128::new(1_000), 10_000),
            Uint128::new(1_000)
        );
        assert_eq!(
            work_weight(Uint128::new(1_000), 20_000),
            Uint128::new(1_000)
        );
        assert_eq!(work_weight(Uint128::new(3), 3_333), Uint128::one());
        assert_eq!(work_weight(Uint128::new(7), 0), Uint128::one());
        assert_eq!(work_weight(Uint128::MAX, 10_000), Uint128::MAX);
    }

    #[test]
    fn pools_split_and_drop_sides_without_weight() {
        let one = Uint128::one();
        let zero = Uint128::zero();
        let p = Pools::split(Uint128::new(1_001), dec("0.2"), one, one);
        assert_eq!(
            (p.provider, p.verifier),
            (Uint128::new(800), Uint128::new(201))
        );
        let p = Pools::split(Uint128::new(1_000), dec("0.2"), one, zero);
        assert_eq!(p.total(), Uint128::new(800));
        let p = Pools::split(Uint128::new(1_000), dec("0.2"), zero, one);
        assert_eq!(p.total(), Uint128::new(200));
        let p = Pools::split(Uint128::new(1_000), Decimal::one(), one, one);
        assert_eq!((p.provider, p.verifier), (zero, Uint128::new(1_000)));
    }

    #[test]
    fn the_fee_bound_caps_a_share_at_a_fraction_of_the_credit() {
        let u = Uint128::new;
        assert_eq!(bounded(u(1_000), u(100), Some(dec("0.5"))), u(50));
        assert_eq!(bounded(u(10), u(100), Some(dec("0.5"))), u(10));
        assert_eq!(bounded(u(1_000), u(0), Some(dec("0.5"))), u(0));
        assert_eq!(bounded(u(1_000), u(0), None), u(1_000));
    }

    #[test]
    fn rewards_round_down_and_never_exceed_the_pool() {
        let p = Pools {
            provider: Uint128::new(100),
            verifier: Uint128::new(10),
        };
        let w = |a: u128, b: u128| (Uint128::new(a), Uint128::new(b));
        let shares: Vec<_> = [1u128, 1, 1]
            .iter()
            .map(|x| p.reward(w(*x, 3), w(0, 0)))
            .collect();
        assert_eq!(shares, vec![Uint128::new(33); 3]);
        assert_eq!(p.reward(w(3, 3), w(2, 4)), Uint128::new(105));
        assert_eq!(p.reward(w(0, 3), w(0, 0)), Uint128::zero());
    }
}
