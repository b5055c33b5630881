//! Who may do what: reporters, governance, funds, parameter validation and
//! what a configuration change does to the running epochs.

use cosmwasm_std::{coins, Decimal};
use cw_multi_test::Executor;
use cw_utils::PaymentError;
use pricing::ContractError;
use starminer_interfaces::pricing::{ConfigResponse, ExecuteMsg, QueryMsg};

use crate::suite::{assert_err, dec, default_params, Suite, EPOCH, NATIVE};

#[test]
fn only_reporters_record_demand() {
    let mut s = Suite::new();
    for who in ["alice", "governance"] {
        let sender = s.addr(who);
        let msg = ExecuteMsg::RecordDemand {
            tier: 1,
            units: 1_000_000u128.into(),
        };
        assert_err(s.exec(&sender, &msg), ContractError::NotReporter {});
    }
    assert!(s.utilization(1).demand.is_zero());
}

#[test]
fn demand_needs_a_real_tier_and_units() {
    let mut s = Suite::new();
    assert_err(s.demand(0, 1), ContractError::InvalidTier { tier: 0 });
    assert_err(s.demand(5, 1), ContractError::InvalidTier { tier: 5 });
    assert_err(s.demand(1, 0), ContractError::ZeroUnits {});
}

#[test]
fn native_funds_are_refused_by_every_message() {
    let mut s = Suite::new();
    let messages = [
        (
            s.market.clone(),
            ExecuteMsg::RecordDemand {
                tier: 1,
                units: 1u128.into(),
            },
        ),
        (s.addr("alice"), ExecuteMsg::Poke {}),
        (
            s.gov.clone(),
            ExecuteMsg::UpdateConfig {
                governance: None,
                registry: None,
                reporters: None,
                params: None,
            },
        ),
    ];
    for (sender, msg) in messages {
        let res = s
            .app
            .execute_contract(sender, s.pricing.clone(), &msg, &coins(5, NATIVE));
        assert_err(res, ContractError::Payment(PaymentError::NonPayable {}));
    }
}

#[test]
fn only_governance_updates_the_config() {
    let mut s = Suite::new();
    for who in ["alice", "job-market"] {
        let sender = s.addr(who);
        assert_err(
            s.update_params(&sender, default_params()),
            ContractError::NotGovernance {},
        );
    }
}

#[test]
fn invalid_parameters_are_refused() {
    let mut s = Suite::new();
    let gov = s.gov.clone();
    let mut p = default_params();
    p.max_change = Decimal::one();
    let err = s.update_params(&gov, p).unwrap_err();
    assert!(matches!(
        err.downcast::<ContractError>().unwrap(),
        ContractError::InvalidParams { .. }
    ));
    let mut p = default_params();
    p.base_prices.truncate(3);
    assert!(s.update_params(&gov, p).is_err());
    // Instantiation validates too.
    let code = s.app.contract_data(&s.pricing).unwrap().code_id;
    let mut p = default_params();
    p.min_multiplier = dec("1.5");
    let msg = starminer_interfaces::pricing::InstantiateMsg {
        governance: gov.to_string(),
        registry: s.registry.to_string(),
        reporters: vec![],
        params: p,
    };
    let err = s
        .app
        .instantiate_contract(code, gov, &msg, &[], "bad", None)
        .unwrap_err();
    assert!(matches!(
        err.downcast::<ContractError>().unwrap(),
        ContractError::InvalidParams { .. }
    ));
}

#[test]
fn new_bounds_clamp_the_multipliers_at_once() {
    let mut s = Suite::new();
    for _ in 0..3 {
        s.demand(1, 1).unwrap();
        s.next_epoch();
    }
    // 1.125³ ≈ 1.42 under the old bounds.
    let gov = s.gov.clone();
    let mut p = default_params();
    p.max_multiplier = dec("1.2");
    s.update_params(&gov, p).unwrap();
    assert_eq!(s.multiplier(1), dec("1.2"));
    // The epochs closed by the update were judged under the old rules.
    let last = s.history(1, None, None).pop().unwrap();
    assert_eq!(
        last.next_multiplier,
        dec("1.125") * dec("1.125") * dec("1.125")
    );
}

#[test]
fn a_new_epoch_length_keeps_the_current_epoch_and_its_demand() {
    let mut s = Suite::new();
    s.provider("alice", 150);
    s.advance(EPOCH + EPOCH / 2);
    s.demand(1, 77).unwrap();
    let gov = s.gov.clone();
    let mut p = default_params();
    p.epoch_length = 600;
    s.update_params(&gov, p).unwrap();
    // Epoch 1 started at 3600 s; at 5400 s three 600 s epochs have passed.
    let u = s.utilization(1);
    assert_eq!(u.epoch, 4);
    s.advance(1);
    assert_eq!(s.prices().epoch, 4);
    let h = s.history(1, Some(0), None);
    assert_eq!(h[0].epoch, 1);
    assert_eq!(h[0].demand.u128(), 77);
    // Supply of the new epochs uses the new length.
    assert_eq!(u.supply.u128(), 150 * 600);
    let config: ConfigResponse = s.query(&QueryMsg::Config {});
    assert_eq!(config.params.epoch_length, 600);
}

#[test]
fn governance_hands_over_and_replaces_the_reporters() {
    let mut s = Suite::new();
    let gov = s.gov.clone();
    let new_gov = s.addr("governance-v2");
    let new_market = s.addr("market-v2");
    s.exec(
        &gov,
        &ExecuteMsg::UpdateConfig {
            governance: Some(new_gov.to_string()),
            registry: None,
            reporters: Some(vec![new_market.to_string()]),
            params: None,
        },
    )
    .unwrap();
    assert_err(s.demand(1, 1), ContractError::NotReporter {});
    s.exec(
        &new_market,
        &ExecuteMsg::RecordDemand {
            tier: 1,
            units: 1u128.into(),
        },
    )
    .unwrap();
    assert_err(
        s.update_params(&gov, default_params()),
        ContractError::NotGovernance {},
    );
    s.update_params(&new_gov, default_params()).unwrap();
    let config: ConfigResponse = s.query(&QueryMsg::Config {});
    assert_eq!(
        (config.governance, config.reporters),
        (new_gov, vec![new_market])
    );
}
