//! Who may do what: reporters, governance, funds, parameters.

use cosmwasm_std::{coins, Uint128};
use cw_multi_test::Executor;
use cw_utils::PaymentError;
use incentives::ContractError;
use starminer_interfaces::incentives::{ConfigResponse, ExecuteMsg, QueryMsg};

use crate::suite::{assert_err, dec, default_params, Suite, NATIVE};

#[test]
fn strangers_and_governance_cannot_report_work_or_attestations() {
    let mut s = Suite::new();
    s.register("alice");
    for sender in [s.addr("alice"), s.gov.clone()] {
        let work = ExecuteMsg::RecordWork {
            provider: s.addr("alice").to_string(),
            units: Uint128::new(1_000_000),
        };
        assert_err(s.exec(&sender, &work), ContractError::NotReporter {});
        let attest = ExecuteMsg::RecordAttestation {
            verifier: sender.to_string(),
        };
        assert_err(s.exec(&sender, &attest), ContractError::NotReporter {});
    }
    assert!(s.emissions(None, None).is_empty());
}

#[test]
fn work_of_unregistered_providers_and_zero_units_is_refused() {
    let mut s = Suite::new();
    assert_err(
        s.work("ghost", 10),
        ContractError::UnknownProvider {
            address: s.addr("ghost").to_string(),
        },
    );
    s.register("alice");
    assert_err(s.work("alice", 0), ContractError::ZeroUnits {});
}

#[test]
fn native_funds_are_refused_by_every_message() {
    let mut s = Suite::new();
    s.register("alice");
    let messages = [
        (
            s.market.clone(),
            ExecuteMsg::RecordWork {
                provider: s.addr("alice").to_string(),
                units: Uint128::new(1),
            },
        ),
        (
            s.market.clone(),
            ExecuteMsg::RecordAttestation {
                verifier: s.addr("alice").to_string(),
            },
        ),
        (s.addr("alice"), ExecuteMsg::Claim {}),
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
            .execute_contract(sender, s.incentives.clone(), &msg, &coins(10, NATIVE));
        assert_err(res, ContractError::Payment(PaymentError::NonPayable {}));
    }
}

#[test]
fn only_governance_updates_the_config() {
    let mut s = Suite::new();
    let alice = s.addr("alice");
    assert_err(
        s.update_params(&alice, default_params()),
        ContractError::NotGovernance {},
    );
    let market = s.market.clone();
    assert_err(
        s.update_params(&market, default_params()),
        ContractError::NotGovernance {},
    );
}

#[test]
fn the_epoch_length_is_fixed_and_bad_params_are_refused() {
    let mut s = Suite::new();
    let gov = s.gov.clone();
    let mut p = default_params();
    p.epoch_length = 60;
    assert_err(
        s.update_params(&gov, p),
        ContractError::EpochLengthFixed { current: 3_600 },
    );
    let mut p = default_params();
    p.decay = dec("1.5");
    assert!(matches!(
        s.update_params(&gov, p)
            .unwrap_err()
            .downcast::<ContractError>()
            .unwrap(),
        ContractError::InvalidParams { .. }
    ));
    let mut p = default_params();
    p.max_epochs_per_claim = 10;
    s.update_params(&gov, p).unwrap();
    let config: ConfigResponse = s.query(&QueryMsg::Config {});
    assert_eq!(config.params.max_epochs_per_claim, 10);
}

#[test]
fn governance_replaces_the_reporters_and_hands_itself_over() {
    let mut s = Suite::new();
    s.register("alice");
    let gov = s.gov.clone();
    let new_market = s.addr("market-v2");
    let new_gov = s.addr("governance-v2");
    s.exec(
        &gov,
        &ExecuteMsg::UpdateConfig {
            governance: Some(new_gov.to_string()),
            registry: None,
            reporters: Some(vec![new_market.to_string(), new_market.to_string()]),
            params: None,
        },
    )
    .unwrap();
    let config: ConfigResponse = s.query(&QueryMsg::Config {});
    assert_eq!(config.governance, new_gov);
    assert_eq!(config.reporters, vec![new_market.clone()]);
    assert_err(s.work("alice", 10), ContractError::NotReporter {});
    let work = ExecuteMsg::RecordWork {
        provider: s.addr("alice").to_string(),
        units: Uint128::new(10),
    };
    s.exec(&new_market, &work).unwrap();
    assert_err(
        s.update_params(&gov, default_params()),
        ContractError::NotGovernance {},
    );
    s.update_params(&new_gov, default_params()).unwrap();
}

#[test]
fn instantiation_validates_its_parameters() {
    let mut s = Suite::new();
    let code = s.app.contract_data(&s.incentives).unwrap().code_id;
    let mut params = default_params();
    params.max_epochs_per_claim = 0;
    let msg = starminer_interfaces::incentives::InstantiateMsg {
        governance: s.gov.to_string(),
        agpu_token: s.agpu.to_string(),
        registry: s.registry.to_string(),
        reporters: vec![],
        params,
    };
    let gov = s.gov.clone();
    let err = s
        .app
        .instantiate_contract(code, gov, &msg, &[], "bad", None)
        .unwrap_err();
    assert!(matches!(
        err.downcast::<ContractError>().unwrap(),
        ContractError::InvalidParams { .. }
    ));
}
