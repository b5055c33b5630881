//! Quote arithmetic (docs/protocol.md), pure:
//! `unit_price = base[tier][class] · multiplier[tier] · urgency`,
//! `compute_cost = ⌈units · unit_price⌉`,
//! `verifier_fee = max(⌈compute_cost · verifier_fee_rate⌉, min_verifier_fee)`,
//! `total = compute_cost · replication + verifier_fee · verifiers`.
//! Rounding goes up, so a quote never undercharges a provider; every step is
//! checked.

use cosmwasm_std::{Decimal, Uint128};
use starminer_interfaces::market::{JobClass, Urgency, VerificationMode};
use starminer_interfaces::pricing::{PricingParams, QuoteResponse};

use crate::error::ContractError;

pub struct QuoteRequest {
    pub tier: u8,
    pub class: JobClass,
    pub units: Uint128,
    pub urgency: Urgency,
    pub verification: VerificationMode,
}

/// Unit price of `class` in `tier` at `multiplier`, before urgency.
pub fn tier_unit_price(
    params: &PricingParams,
    tier: u8,
    class: JobClass,
    multiplier: Decimal,
) -> Result<Decimal, ContractError> {
    let base = params
        .base_prices
        .iter()
        .find(|t| t.tier == tier)
        .ok_or(ContractError::InvalidTier { tier })?
        .for_class(class);
    base.checked_mul(multiplier)
        .map_err(|_| ContractError::PriceOverflow {})
}

pub fn quote(
    params: &PricingParams,
    req: QuoteRequest,
    multiplier: Decimal,
    epoch: u64,
) -> Result<QuoteResponse, ContractError> {
    if req.units.is_zero() {
        return Err(ContractError::ZeroUnits {});
    }
    let replication = req.verification.replication();
    let verifiers = req.verification.verifier_count();
    let needs_one = match req.verification {
        VerificationMode::None => false,
        VerificationMode::SpotCheck { verifiers } => verifiers == 0,
        VerificationMode::Replicated { k } => k == 0,
    };
    if needs_one {
        return Err(ContractError::InvalidVerification {});
    }
    let overflow = |_| ContractError::PriceOverflow {};
    let unit_price = tier_unit_price(params, req.tier, req.class, multiplier)?
        .checked_mul(params.urgency.for_urgency(req.urgency))
        .map_err(overflow)?;
    let compute_cost = req
        .units
        .checked_mul_ceil(unit_price)
        .map_err(|_| ContractError::PriceOverflow {})?;
    let verifier_fee = compute_cost
        .checked_mul_ceil(params.verifier_fee_rate)
        .map_err(|_| ContractError::PriceOverflow {})?
        .max(params.min_verifier_fee);
    let total = compute_cost
        .checked_mul(Uint128::from(replication))
        .and_then(|c| c.checked_add(verifier_fee.checked_mul(Uint128::from(verifiers))?))
        .map_err(overflow)?;
    Ok(QuoteResponse {
        tier: req.tier,
        class: req.class,
        units: req.units,
        epoch,
        unit_price,
        compute_cost,
        replication,
        verifier_fee,
        verifiers,
        total,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    use crate::validate::tests::params;

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn req(units: u128, verification: VerificationMode) -> QuoteRequest {
        QuoteRequest {
            tier: 2,
            class: JobClass::Hpc,
            units: Uint128::new(units),
            urgency: Urgency::High,
            verification,
        }
    }

    #[test]
    fn spot_check_adds_rounded_up_verifier_fees() {
        // hpc base 2 × multiplier 1.1 × high 1.5 = 3.3 per unit.
        let q = quote(
            &params(),
            req(7, VerificationMode::SpotCheck { verifiers: 3 }),
            dec("1.1"),
            9,
        )
        .unwrap();
        assert_eq!(q.unit_price, dec("3.3"));
        assert_eq!(q.compute_cost, Uint128::new(24)); // ⌈23.1⌉
        assert_eq!(q.verifier_fee, Uint128::new(3)); // ⌈2.4⌉
        assert_eq!((q.replication, q.verifiers), (1, 3));
        assert_eq!(q.total, Uint128::new(24 + 3 * 3));
        assert_eq!(q.epoch, 9);
    }

    #[test]
    fn replication_multiplies_the_compute_cost_only() {
        let q = quote(
            &params(),
            req(10, VerificationMode::Replicated { k: 3 }),
            Decimal::one(),
            0,
        )
        .unwrap();
        assert_eq!(q.compute_cost, Uint128::new(30));
        assert_eq!(
            (q.replication, q.verifiers, q.verifier_fee),
            (3, 0, Uint128::new(3))
        );
        assert_eq!(q.total, Uint128::new(90));
    }

    #[test]
    fn the_verifier_fee_never_falls_below_its_floor() {
        let mut p = params();
        p.min_verifier_fee = Uint128::new(50);
        let q = quote(
            &p,
            req(1, VerificationMode::SpotCheck { verifiers: 2 }),
            Decimal::one(),
            0,
        )
        .unwrap();
        // ⌈1 · 3.0⌉ = 3 compute, ⌈0.3⌉ = 1 by rate, floored at 50.
        assert_eq!(q.verifier_fee, Uint128::new(50));
        assert_eq!(q.total, Uint128::new(3 + 2 * 50));
        // Large jobs pay the rate.
        let q = quote(
            &p,
            req(1_000, VerificationMode::SpotCheck { verifiers: 1 }),
            Decimal::one(),
            0,
        )
        .unwrap();
        assert_eq!(q.verifier_fee, Uint128::new(300));
    }

    #[test]
    fn zero_units_bad_modes_and_overflow_are_errors() {
        let p = params();
        let none = VerificationMode::None;
        assert_eq!(
            quote(&p, req(0, none.clone()), Decimal::one(), 0),
            Err(ContractError::ZeroUnits {})
        );
        for bad in [
            VerificationMode::SpotCheck { verifiers: 0 },
            VerificationMode::Replicated { k: 0 },
        ] {
            assert_eq!(
                quote(&p, req(1, bad), Decimal::one(), 0),
                Err(ContractError::InvalidVerification {})
            );
        }
        assert_eq!(
            quote(&p, req(u128::MAX, none.clone()), Decimal::one(), 0),
            Err(ContractError::PriceOverflow {})
        );
        assert_eq!(
            quote(
                &p,
                req(u128::MAX / 4, VerificationMode::Replicated { k: 255 }),
                Decimal::one(),
                0
            ),
            Err(ContractError::PriceOverflow {})
        );
        let mut bad_tier = req(1, none);
        bad_tier.tier = 5;
        assert_eq!(
            quote(&p, bad_tier, Decimal::one(), 0),
            Err(ContractError::InvalidTier { tier: 5 })
        );
    }
}
