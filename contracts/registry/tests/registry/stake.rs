//! Bonding, unbonding, claims, role thresholds and the validator set.

use cosmwasm_std::{to_json_binary, Uint128};
use cw20::Cw20ReceiveMsg;
use registry::ContractError;
use starminer_interfaces::registry::{
    ExecuteMsg, ProviderStatus, ProvidersResponse, QueryMsg, Role, ValidatorsResponse,
};

use crate::suite::{assert_err, Suite, START_BALANCE};

#[test]
fn bond_adds_stake_and_activates_the_provider_role() {
    let mut s = Suite::new();
    s.register("alice", "eu-west", vec![Role::Provider])
        .unwrap();
    s.bond("alice", 999).unwrap();
    assert!(s.provider("alice").active_roles.is_empty());
    s.bond("alice", 1).unwrap();
    let p = s.provider("alice");
    assert_eq!(p.bonded, Uint128::new(1_000));
    assert_eq!(p.active_roles, vec![Role::Provider]);
    assert_eq!(s.balance_of("alice"), START_BALANCE - 1_000);
    assert_eq!(s.agpu_balance(&s.registry), 1_000);
    let by_role: ProvidersResponse = s.query(&QueryMsg::ProvidersByRole {
        role: Role::Provider,
        start_after: None,
        limit: None,
    });
    assert_eq!(s.names(by_role), vec![s.addr("alice")]);
}

#[test]
fn bond_with_foreign_token_is_rejected() {
    let mut s = Suite::new();
    s.register("alice", "eu-west", vec![Role::Provider])
        .unwrap();
    assert_err(s.bond_foreign("alice", 5_000), ContractError::WrongToken {});
    assert_eq!(s.provider("alice").bonded, Uint128::zero());
}

#[test]
fn forged_receive_without_tokens_is_rejected() {
    // Calling Receive directly claims tokens that never arrived.
    let mut s = Suite::new();
    s.register("alice", "eu-west", vec![Role::Provider])
        .unwrap();
    let forged = ExecuteMsg::Receive(Cw20ReceiveMsg {
        sender: s.addr("alice").to_string(),
        amount: Uint128::new(1_000_000),
        msg: to_json_binary(&starminer_interfaces::registry::ReceiveMsg::Bond {}).unwrap(),
    });
    assert_err(s.exec_as("alice", &forged), ContractError::WrongToken {});
}

#[test]
fn bond_by_unregistered_address_is_rejected() {
    let mut s = Suite::new();
    assert_err(
        s.bond("bob", 1_000),
        ContractError::NotRegistered {
            address: s.addr("bob").to_string(),
        },
    );
    // The failed Send moved nothing.
    assert_eq!(s.balance_of("bob"), START_BALANCE);
}

#[test]
fn unbond_creates_a_claim_and_drops_the_role_below_threshold() {
    let mut s = Suite::new();
    s.provider_with_stake("alice", 1_500);
    s.unbond("alice", 600).unwrap();
    let p = s.provider("alice");
    assert_eq!(p.bonded, Uint128::new(900));
    assert!(p.active_roles.is_empty(), "900 < min_provider_stake");
    assert_eq!(p.status, ProviderStatus::Active);
    let stake = s.stake("alice");
    assert_eq!(stake.claims.len(), 1);
    assert_eq!(stake.claims[0].amount, Uint128::new(600));
    assert_eq!(
        stake.claims[0].release_at,
        s.app.block_info().time.plus_seconds(100)
    );
    // Bonding again brings the role back.
    s.bond("alice", 100).unwrap();
    assert_eq!(s.provider("alice").active_roles, vec![Role::Provider]);
}

#[test]
fn unbonding_everything_sets_unbonding_status_until_rebond() {
    let mut s = Suite::new();
    s.provider_with_stake("alice", 1_000);
    s.unbond("alice", 1_000).unwrap();
    let until = s.app.block_info().time.plus_seconds(100);
    assert_eq!(
        s.provider("alice").status,
        ProviderStatus::Unbonding { until }
    );
    s.bond("alice", 1_000).unwrap();
    assert_eq!(s.provider("alice").status, ProviderStatus::Active);
}

#[test]
fn unbond_errors() {
    let mut s = Suite::new();
    s.provider_with_stake("alice", 1_000);
    assert_err(s.unbond("alice", 0), ContractError::ZeroAmount {});
    assert_err(
        s.unbond("alice", 1_001),
        ContractError::InsufficientFreeStake {
            free: Uint128::new(1_000),
            requested: Uint128::new(1_001),
        },
    );
    assert_err(
        s.unbond("bob", 1),
        ContractError::NotRegistered {
            address: s.addr("bob").to_string(),
        },
    );
    for _ in 0..3 {
        s.unbond("alice", 1).unwrap();
    }
    assert_err(
        s.unbond("alice", 1),
        ContractError::TooManyClaims { max: 3 },
    );
}

#[test]
fn unbond_locked_collateral_is_rejected() {
    let mut s = Suite::new();
    s.provider_with_stake("alice", 1_000);
    s.lock("alice", 7, 800).unwrap();
    assert_err(
        s.unbond("alice", 201),
        ContractError::InsufficientFreeStake {
            free: Uint128::new(200),
            requested: Uint128::new(201),
        },
    );
    s.unbond("alice", 200).unwrap();
    s.unlock("alice", 7).unwrap();
    s.unbond("alice", 800).unwrap();
}

#[test]
fn claim_before_unbonding_ends_fails() {
    let mut s = Suite::new();
    s.provider_with_stake("alice", 1_000);
    s.unbond("alice", 400).unwrap();
    s.advance(99);
    assert_err(s.claim("alice"), ContractError::NothingToClaim {});
    s.advance(1);
    let before = s.balance_of("alice");
    s.claim("alice").unwrap();
    assert_eq!(s.balance_of("alice"), before + 400);
    assert!(s.stake("alice").claims.is_empty());
    assert_err(s.claim("alice"), ContractError::NothingToClaim {});
}

#[test]
fn claim_pays_only_matured_claims() {
    let mut s = Suite::new();
    s.provider_with_stake("alice", 1_000);
    s.unbond("alice", 100).unwrap();
    s.advance(50);
    s.unbond("alice", 200).unwrap();
    s.advance(50);
    let before = s.balance_of("alice");
    s.claim("alice").unwrap();
    assert_eq!(s.balance_of("alice"), before + 100);
    let stake = s.stake("alice");
    assert_eq!(stake.claims.len(), 1);
    assert_eq!(stake.claims[0].amount, Uint128::new(200));
    assert_eq!(s.totals().total_claims, Uint128::new(200));
    assert_eq!(s.totals().total_bonded, Uint128::new(700));
}

#[test]
fn validator_set_is_the_top_stakes_and_tracks_total_stake() {
    let mut s = Suite::new();
    s.validator_with_stake("val1", 5_000);
    s.validator_with_stake("val2", 6_000);
    s.validator_with_stake("val3", 7_000);
    // max_validators = 3: a fourth with a larger bond takes the smallest
    // seat (val1's), which waits.
    s.register("val4", "us-east", vec![Role::Validator])
        .unwrap();
    let res = s.bond("val4", 9_000).unwrap();
    let unseated = res
        .events
        .iter()
        .find(|e| e.ty == "wasm-validator_unseated")
        .expect("an unseated event");
    assert!(unseated
        .attributes
        .iter()
        .any(|a| a.key == "validator" && a.value == s.addr("val1").as_str()));
    assert_eq!(s.provider("val4").active_roles, vec![Role::Validator]);
    assert!(s.provider("val1").active_roles.is_empty());
    let totals = s.validator_totals();
    assert_eq!(totals.count, 3);
    assert_eq!(totals.max_validators, 3);
    assert_eq!(totals.total_stake, Uint128::new(22_000));

    // A tie does not displace: val1 at 6,000 equals val2's smallest seat.
    s.bond("val1", 1_000).unwrap();
    assert!(s.provider("val1").active_roles.is_empty());
    assert_eq!(s.validator_totals().total_stake, Uint128::new(22_000));
    // A member's stake changes move the total.
    s.bond("val3", 1_000).unwrap();
    assert_eq!(s.validator_totals().total_stake, Uint128::new(23_000));
    // Dropping below the threshold frees the seat; the best candidate (val1)
    // takes it in the same message.
    s.unbond("val2", 2_000).unwrap();
    assert_eq!(s.provider("val1").active_roles, vec![Role::Validator]);
    assert!(s.provider("val2").active_roles.is_empty());
    let totals = s.validator_totals();
    assert_eq!(totals.count, 3);
    assert_eq!(totals.total_stake, Uint128::new(23_000));
    // A seated validator whose bond falls below the best candidate's swaps
    // with it: val2 back to 6,000 + 1 waits, val1 (6,000) is the smallest.
    s.bond("val2", 2_001).unwrap();
    assert_eq!(s.provider("val2").active_roles, vec![Role::Validator]);
    assert!(s.provider("val1").active_roles.is_empty());

    // Paginated listing with stakes.
    let page: ValidatorsResponse = s.query(&QueryMsg::Validators {
        start_after: None,
        limit: Some(2),
    });
    assert_eq!(page.validators.len(), 2);
    let rest: ValidatorsResponse = s.query(&QueryMsg::Validators {
        start_after: Some(page.validators[1].address.to_string()),
        limit: Some(2),
    });
    assert_eq!(rest.validators.len(), 1);
    let sum: Uint128 = page
        .validators
        .iter()
        .chain(rest.validators.iter())
        .map(|v| v.stake)
        .sum();
    assert_eq!(sum, s.validator_totals().total_stake);
}
