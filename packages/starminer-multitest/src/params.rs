//! Parameters the suites share.

use cosmwasm_std::Uint128;
use starminer_interfaces::registry::{Limits, Params};

/// The registry parameters of the registry, pricing and incentives suites:
/// the deployment's reputation, slashing, tier and benchmark rules
/// ([`starminer_deploy::registry_params`]) with stakes of 1,000 (provider)
/// and 5,000 (validator) uagpu, three validator seats, short windows, small
/// profile limits and the default duties, so that every state is a few
/// messages away.
pub fn suite_registry_params() -> Params {
    Params {
        min_provider_stake: Uint128::new(1_000),
        min_validator_stake: Uint128::new(5_000),
        unbonding_period: 100,
        max_pending_claims: 3,
        jail_duration: 1_000,
        max_validators: 3,
        limits: Limits {
            max_devices: 2,
            max_text_len: 32,
            max_url_len: 64,
        },
        duties: Default::default(),
        ..starminer_deploy::registry_params()
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use cosmwasm_std::Decimal;
    use starminer_interfaces::registry::{BenchmarkParams, ReputationParams};

    use super::*;

    #[test]
    fn the_inherited_rules_are_the_ones_the_suites_assert_on() {
        let p = suite_registry_params();
        let dec = |s| Decimal::from_str(s).unwrap();
        assert_eq!(
            p.reputation,
            ReputationParams {
                alpha: dec("0.1"),
                beta: dec("0.2"),
                gamma: dec("0.5"),
                floor: 2_000,
                benchmark_boost: 100,
            }
        );
        assert_eq!(p.slash_beneficiary_share, dec("0.6"));
        assert_eq!(p.tier_thresholds, vec![100, 200, 400, 800]);
        assert_eq!(
            p.benchmark,
            BenchmarkParams {
                work: 60_000,
                min_duration: 60,
                max_duration: 3_600,
                attest_window: 600,
            }
        );
    }
}
