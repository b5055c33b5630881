//! Instantiation checks, config changes through proposals, migration guard.

use cosmwasm_std::{Decimal, Uint128};
use cw_multi_test::Executor;
use governance::ContractError;
use starminer_interfaces::governance::{
    ExecuteMsg, GovernanceParams, InstantiateMsg, MigrateMsg, ProposalStatus, MAX_MESSAGES_LIMIT,
    MAX_TREASURY_CW20S,
};

use crate::suite::{default_params, gov_err, governance_contract, Suite, SuiteBuilder};

/// Instantiates a second governance next to the suite's with these inputs.
fn instantiate_with(
    s: &mut Suite,
    params: GovernanceParams,
    treasury_cw20s: Vec<String>,
    funds: &[cosmwasm_std::Coin],
) -> anyhow::Result<cosmwasm_std::Addr> {
    let code = s.app.store_code(governance_contract());
    let deployer = s.users[0].clone();
    s.app.instantiate_contract(
        code,
        deployer,
        &InstantiateMsg {
            amax_token: s.amax.to_string(),
            params,
            treasury_cw20s,
        },
        funds,
        "gov2",
        None,
    )
}

type ParamsTweak = Box<dyn Fn(&mut GovernanceParams)>;

#[test]
fn instantiate_validates_params() {
    let mut s = SuiteBuilder::new().build();
    let cases: Vec<(ParamsTweak, ContractError)> = vec![
        (
            Box::new(|p| p.quorum = Decimal::zero()),
            ContractError::FractionOutOfRange {
                name: "quorum".into(),
                value: Decimal::zero(),
            },
        ),
        (
            Box::new(|p| p.threshold = Decimal::percent(101)),
            ContractError::FractionOutOfRange {
                name: "threshold".into(),
                value: Decimal::percent(101),
            },
        ),
        (
            Box::new(|p| p.veto_threshold = Decimal::zero()),
            ContractError::FractionOutOfRange {
                name: "veto_threshold".into(),
                value: Decimal::zero(),
            },
        ),
        (
            Box::new(|p| p.voting_period = 0),
            ContractError::ZeroVotingPeriod {},
        ),
        (
            Box::new(|p| p.min_deposit = Uint128::zero()),
            ContractError::ZeroMinDeposit {},
        ),
        (
            Box::new(|p| p.max_messages = 0),
            ContractError::MaxMessagesOutOfRange {
                value: 0,
                max: MAX_MESSAGES_LIMIT,
            },
        ),
        (
            Box::new(|p| p.max_messages = MAX_MESSAGES_LIMIT + 1),
            ContractError::MaxMessagesOutOfRange {
                value: MAX_MESSAGES_LIMIT + 1,
                max: MAX_MESSAGES_LIMIT,
            },
        ),
    ];
    for (tweak, expected) in cases {
        let mut params = default_params();
        tweak(&mut params);
        let err = instantiate_with(&mut s, params, vec![], &[]).unwrap_err();
        assert_eq!(gov_err(&err), &expected);
    }
    // Edge values that are allowed.
    let mut params = default_params();
    params.quorum = Decimal::one();
    params.timelock = 0;
    params.unbonding_period = 0;
    params.max_messages = MAX_MESSAGES_LIMIT;
    instantiate_with(&mut s, params, vec![], &[]).unwrap();
}

#[test]
fn instantiate_validates_treasury_tokens_and_rejects_funds() {
    let mut s = SuiteBuilder::new().build();
    let other = s.other.to_string();
    let err = instantiate_with(
        &mut s,
        default_params(),
        vec![other.clone(), other.clone()],
        &[],
    )
    .unwrap_err();
    assert_eq!(
        gov_err(&err),
        &ContractError::DuplicateTreasuryToken {
            token: other.clone()
        }
    );
    let amax = s.amax.to_string();
    let err = instantiate_with(&mut s, default_params(), vec![amax], &[]).unwrap_err();
    assert!(gov_err(&err).has("is listed twice"));
    let many: Vec<String> = (0..=MAX_TREASURY_CW20S)
        .map(|i| s.user(&format!("token{i}")).to_string())
        .collect();
    let err = instantiate_with(&mut s, default_params(), many, &[]).unwrap_err();
    assert!(gov_err(&err).has("the treasury lists at most"));
    let err =
        instantiate_with(&mut s, default_params(), vec!["not an address".into()], &[]).unwrap_err();
    assert!(gov_err(&err).has("bech32"), "{:?}", gov_err(&err));
    let err = instantiate_with(&mut s, default_params(), vec![], &Suite::native(1)).unwrap_err();
    assert!(gov_err(&err).has("accept funds"));
}

#[test]
fn update_config_through_a_proposal_changes_every_field() {
    let mut s = SuiteBuilder::new().build();
    s.everyone_stakes(1_000);
    let alice = s.users[0].clone();
    let update = ExecuteMsg::UpdateConfig {
        quorum: Some(Decimal::percent(30)),
        threshold: Some(Decimal::percent(60)),
        veto_threshold: Some(Decimal::percent(20)),
        voting_period: Some(100),
        timelock: Some(0),
        unbonding_period: Some(50),
        min_deposit: Some(Uint128::new(7)),
        max_messages: Some(3),
        treasury_cw20s: Some(vec![]),
    };
    let msg = s.self_msg(&update);
    let id = s.pass_proposal(vec![msg]);
    s.execute(&alice, id).unwrap();
    assert_eq!(s.proposal(id).status, ProposalStatus::Executed);
    let c = s.config();
    assert_eq!(
        c.params,
        GovernanceParams {
            quorum: Decimal::percent(30),
            threshold: Decimal::percent(60),
            veto_threshold: Decimal::percent(20),
            voting_period: 100,
            timelock: 0,
            unbonding_period: 50,
            min_deposit: Uint128::new(7),
            max_messages: 3,
        }
    );
    assert!(c.treasury_cw20s.is_empty());
    assert!(s.treasury().cw20s.is_empty());
    // The new rules apply to the next proposal: timelock 0, tiny deposit.
    let id = s.propose_with(&alice, 7, "fast", vec![]).unwrap();
    for u in s.users.clone() {
        s.vote(&u, id, starminer_interfaces::governance::VoteOption::Yes)
            .unwrap();
    }
    s.advance(100);
    s.execute(&alice, id).unwrap();
    assert_eq!(s.proposal(id).status, ProposalStatus::Executed);
}

#[test]
fn migrate_is_guarded_by_contract_version() {
    let mut s = SuiteBuilder::new().build();
    let deployer = s.deployer.clone();
    let code = s.app.store_code(governance_contract());
    let gov = s.gov.clone();
    // Same version: allowed.
    s.app
        .migrate_contract(deployer.clone(), gov.clone(), &MigrateMsg {}, code)
        .unwrap();
    // From a newer version: refused.
    cw2::set_contract_version(
        s.app.contract_storage_mut(&gov).as_mut(),
        governance::contract::CONTRACT_NAME,
        "99.0.0",
    )
    .unwrap();
    let err = s
        .app
        .migrate_contract(deployer.clone(), gov.clone(), &MigrateMsg {}, code)
        .unwrap_err();
    assert!(gov_err(&err).has("cannot migrate"));
    // From another contract: refused.
    cw2::set_contract_version(
        s.app.contract_storage_mut(&gov).as_mut(),
        "crates.io:something-else",
        "0.0.1",
    )
    .unwrap();
    let err = s
        .app
        .migrate_contract(deployer, gov, &MigrateMsg {}, code)
        .unwrap_err();
    assert!(gov_err(&err).has("cannot migrate"));
}
