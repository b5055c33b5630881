//! Checks applied once, at the edge, to everything a message brings in.

use cosmwasm_std::{Addr, Api, Decimal};
use starminer_interfaces::addresses::{validate_address_list, AddressListError};
use starminer_interfaces::pricing::PricingParams;
use starminer_interfaces::registry::TIER_COUNT;

use crate::error::ContractError;

/// Most reporter contracts (checked by a linear scan on every report).
pub const MAX_REPORTERS: usize = 16;

fn invalid(reason: &str) -> ContractError {
    ContractError::InvalidParams {
        reason: reason.to_string(),
    }
}

pub fn validate_tier(tier: u8) -> Result<(), ContractError> {
    if tier == 0 || tier > TIER_COUNT {
        return Err(ContractError::InvalidTier { tier });
    }
    Ok(())
}

/// Validates the parameters and returns them with the base prices sorted by
/// tier (exactly one entry for each of tiers 1..=4).
pub fn validate_params(mut p: PricingParams) -> Result<PricingParams, ContractError> {
    if p.epoch_length == 0 {
        return Err(invalid("epoch_length must be positive"));
    }
    p.base_prices.sort_by_key(|t| t.tier);
    let tiers: Vec<u8> = p.base_prices.iter().map(|t| t.tier).collect();
    if tiers != (1..=TIER_COUNT).collect::<Vec<_>>() {
        return Err(invalid(
            "base_prices needs exactly one entry for each tier 1..=4",
        ));
    }
    for t in &p.base_prices {
        if [t.render, t.hpc, t.inference, t.training]
            .iter()
            .any(Decimal::is_zero)
        {
            return Err(invalid("every base price must be positive"));
        }
    }
    let u = &p.urgency;
    if [u.low, u.normal, u.high, u.realtime]
        .iter()
        .any(Decimal::is_zero)
    {
        return Err(invalid("every urgency multiplier must be positive"));
    }
    if p.target_utilization.is_zero() || p.target_utilization > Decimal::one() {
        return Err(invalid("target_utilization must be in (0, 1]"));
    }
    if p.max_change.is_zero() || p.max_change >= Decimal::one() {
        return Err(invalid("max_change (δ) must be in (0, 1)"));
    }
    if p.min_multiplier.is_zero()
        || p.min_multiplier > Decimal::one()
        || p.max_multiplier < Decimal::one()
    {
        return Err(invalid(
            "multiplier bounds must satisfy 0 < min_multiplier <= 1 <= max_multiplier",
        ));
    }
    if p.verifier_fee_rate > Decimal::one() {
        return Err(invalid("verifier_fee_rate must be at most 1"));
    }
    if p.min_verifier_fee.is_zero() {
        return Err(invalid(
            "min_verifier_fee must be positive: a verifier must never be paid nothing",
        ));
    }
    Ok(p)
}

/// Validates the reporter list, dropping duplicates.
pub fn validate_reporters(api: &dyn Api, reporters: &[String]) -> Result<Vec<Addr>, ContractError> {
    validate_address_list(api, reporters, MAX_REPORTERS).map_err(|e| match e {
        AddressListError::TooMany { max } => ContractError::TooManyReporters { max },
        AddressListError::Invalid(e) => e.into(),
    })
}

#[cfg(test)]
pub mod tests {
    use super::*;
    use starminer_interfaces::pricing::{TierPrices, UrgencyMultipliers};
    use std::str::FromStr;

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    /// κ = 0.5, target 0.5, δ = 0.125, multiplier in [0.25, 4].
    pub fn params() -> PricingParams {
        PricingParams {
            epoch_length: 3_600,
            base_prices: (1..=4)
                .map(|tier| TierPrices {
                    tier,
                    render: dec("1"),
                    hpc: dec("2"),
                    inference: dec("3"),
                    training: dec("4"),
                })
                .collect(),
            urgency: UrgencyMultipliers {
                low: dec("0.8"),
                normal: dec("1"),
                high: dec("1.5"),
                realtime: dec("3"),
            },
            kappa: dec("0.5"),
            target_utilization: dec("0.5"),
            max_change: dec("0.125"),
            min_multiplier: dec("0.25"),
            max_multiplier: dec("4"),
            verifier_fee_rate: dec("0.1"),
            min_verifier_fee: cosmwasm_std::Uint128::one(),
        }
    }

    #[test]
    fn accepts_and_sorts_base_prices() {
        let mut p = params();
        p.base_prices.reverse();
        let p = validate_params(p).unwrap();
        assert_eq!(
            p.base_prices.iter().map(|t| t.tier).collect::<Vec<_>>(),
            vec![1, 2, 3, 4]
        );
        // Bounds may touch 1.
        let mut p = params();
        p.min_multiplier = Decimal::one();
        p.max_multiplier = Decimal::one();
        p.kappa = Decimal::zero();
        validate_params(p).unwrap();
    }

    #[test]
    fn rejects_each_bad_value() {
        let cases: Vec<fn(&mut PricingParams)> = vec![
            |p| p.epoch_length = 0,
            |p| {
                p.base_prices.pop();
            },
            |p| p.base_prices[3].tier = 3,
            |p| p.base_prices[0].tier = 0,
            |p| p.base_prices[3].tier = 5,
            |p| {
                let extra = p.base_prices[0].clone();
                p.base_prices.push(extra);
            },
            |p| p.base_prices[2].inference = Decimal::zero(),
            |p| p.urgency.realtime = Decimal::zero(),
            |p| p.target_utilization = Decimal::zero(),
            |p| p.target_utilization = dec("1.1"),
            |p| p.max_change = Decimal::zero(),
            |p| p.max_change = Decimal::one(),
            |p| p.min_multiplier = Decimal::zero(),
            |p| p.min_multiplier = dec("1.01"),
            |p| p.max_multiplier = dec("0.99"),
            |p| p.verifier_fee_rate = dec("1.5"),
            |p| p.min_verifier_fee = cosmwasm_std::Uint128::zero(),
        ];
        for (i, change) in cases.into_iter().enumerate() {
            let mut p = params();
            change(&mut p);
            assert!(
                matches!(validate_params(p), Err(ContractError::InvalidParams { .. })),
                "case {i}"
            );
        }
    }

    #[test]
    fn tiers_are_one_to_four() {
        assert_eq!(
            validate_tier(0),
            Err(ContractError::InvalidTier { tier: 0 })
        );
        assert_eq!(
            validate_tier(5),
            Err(ContractError::InvalidTier { tier: 5 })
        );
        for t in 1..=4 {
            validate_tier(t).unwrap();
        }
    }
}
