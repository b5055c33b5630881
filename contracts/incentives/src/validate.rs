//! Checks applied once, at the edge, to everything a message brings in.

use cosmwasm_std::{Addr, Api, Decimal};
use starminer_interfaces::addresses::{validate_address_list, AddressListError};
use starminer_interfaces::incentives::IncentivesParams;

use crate::error::ContractError;

/// Most reporter contracts (checked by a linear scan on every report).
pub const MAX_REPORTERS: usize = 16;
/// Hard ceiling on `max_epochs_per_claim`, whatever governance sets.
pub const MAX_EPOCHS_PER_CLAIM_CEILING: u32 = 100;
/// Most verifiers one `RecordSettlement` names (bounds its gas).
pub const MAX_VERIFIERS_PER_SETTLEMENT: usize = 16;

fn invalid(reason: &str) -> ContractError {
    ContractError::InvalidParams {
        reason: reason.to_string(),
    }
}

/// `initial_emission` may be zero: governance's way to pause emissions for
/// epochs not yet allocated.
pub fn validate_params(p: &IncentivesParams) -> Result<(), ContractError> {
    if p.epoch_length == 0 {
        return Err(invalid("epoch_length must be positive"));
    }
    if p.decay.is_zero() || p.decay > Decimal::one() {
        return Err(invalid("decay must be in (0, 1]"));
    }
    if p.verifier_share > Decimal::one() {
        return Err(invalid("verifier_share must be at most 1"));
    }
    if p.max_epochs_per_claim == 0 || p.max_epochs_per_claim > MAX_EPOCHS_PER_CLAIM_CEILING {
        return Err(invalid("max_epochs_per_claim must be 1..=100"));
    }
    if p.reward_per_fee >= Decimal::one() {
        return Err(invalid(
            "reward_per_fee must be below 1: emissions must never repay the fees that earned them",
        ));
    }
    if p.unverified_weight > Decimal::one() {
        return Err(invalid("unverified_weight must be at most 1"));
    }
    Ok(())
}

/// Validates the reporter list, dropping duplicates.
pub fn validate_reporters(api: &dyn Api, reporters: &[String]) -> Result<Vec<Addr>, ContractError> {
    validate_address_list(api, reporters, MAX_REPORTERS).map_err(|e| match e {
        AddressListError::TooMany { max } => ContractError::TooManyReporters { max },
        AddressListError::Invalid(e) => e.into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use cosmwasm_std::Uint128;
    use std::str::FromStr;

    fn params() -> IncentivesParams {
        IncentivesParams {
            epoch_length: 100,
            initial_emission: Uint128::new(1_000),
            decay: Decimal::from_str("0.99").unwrap(),
            verifier_share: Decimal::from_str("0.1").unwrap(),
            max_epochs_per_claim: 10,
            reward_per_fee: Decimal::from_str("0.5").unwrap(),
            unverified_weight: Decimal::zero(),
        }
    }

    #[test]
    fn accepts_sane_and_boundary_values() {
        validate_params(&params()).unwrap();
        let mut p = params();
        p.decay = Decimal::one();
        p.verifier_share = Decimal::one();
        p.initial_emission = Uint128::zero();
        p.max_epochs_per_claim = 100;
        validate_params(&p).unwrap();
    }

    #[test]
    fn rejects_each_bad_value() {
        let cases: Vec<fn(&mut IncentivesParams)> = vec![
            |p| p.epoch_length = 0,
            |p| p.decay = Decimal::zero(),
            |p| p.decay = Decimal::from_str("1.01").unwrap(),
            |p| p.verifier_share = Decimal::from_str("1.5").unwrap(),
            |p| p.max_epochs_per_claim = 0,
            |p| p.max_epochs_per_claim = 101,
            |p| p.reward_per_fee = Decimal::one(),
            |p| p.unverified_weight = Decimal::from_str("1.01").unwrap(),
        ];
        for (i, change) in cases.into_iter().enumerate() {
            let mut p = params();
            change(&mut p);
            assert!(
                matches!(
                    validate_params(&p),
                    Err(ContractError::InvalidParams { .. })
                ),
                "case {i}"
            );
        }
    }
}
