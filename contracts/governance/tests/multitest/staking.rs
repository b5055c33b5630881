//! Staking through cw20 `Send`, unstaking with unbonding, claims, snapshots.

use cosmwasm_std::Uint128;
use cw_utils::PaymentError;
use governance::ContractError;
use starminer_interfaces::governance::{ExecuteMsg, MAX_PENDING_CLAIMS};

use crate::suite::{gov_err, Suite, SuiteBuilder, UNBONDING, USER_AMAX};

#[test]
fn stake_moves_amax_and_adds_power_from_the_next_block() {
    let mut s = SuiteBuilder::new().build();
    let alice = s.users[0].clone();
    let h = s.height();
    s.stake(&alice, 400).unwrap();
    s.stake(&alice, 100).unwrap();
    assert_eq!(s.staked(&alice), 500);
    assert_eq!(s.amax_balance(&alice), USER_AMAX - 500);
    // Power at this height is what it was when the block started.
    assert_eq!(s.voting_power(&alice, Some(h)), 0);
    assert_eq!(s.total_power(Some(h)), 0);
    assert_eq!(s.voting_power(&alice, None), 500);
    s.next_block();
    assert_eq!(s.voting_power(&alice, Some(h + 1)), 500);
    assert_eq!(s.total_power(Some(h + 1)), 500);
    assert_eq!(s.total_power(None), 500);
}

#[test]
fn unstake_lowers_power_at_once_and_creates_a_claim() {
    let mut s = SuiteBuilder::new().build();
    let alice = s.users[0].clone();
    s.stake(&alice, 500).unwrap();
    s.next_block();
    let start = s.app.block_info().time;
    s.unstake(&alice, 200).unwrap();
    assert_eq!(s.staked(&alice), 300);
    assert_eq!(s.total_power(None), 300);
    let claims = s.claims(&alice).claims;
    assert_eq!(claims.len(), 1);
    assert_eq!(claims[0].amount, Uint128::new(200));
    assert_eq!(claims[0].release_at, start.plus_seconds(UNBONDING));
    // A second unstake in the same block joins the same claim.
    s.unstake(&alice, 50).unwrap();
    assert_eq!(s.claims(&alice).claims.len(), 1);
    assert_eq!(s.claims(&alice).claims[0].amount, Uint128::new(250));
    // Unstaking everything removes the stake entry.
    s.unstake(&alice, 250).unwrap();
    assert_eq!(s.staked(&alice), 0);
}

#[test]
fn claim_pays_matured_claims_only() {
    let mut s = SuiteBuilder::new().build();
    let alice = s.users[0].clone();
    s.stake(&alice, 500).unwrap();
    s.unstake(&alice, 100).unwrap();
    s.advance(UNBONDING / 2);
    s.unstake(&alice, 50).unwrap();
    s.advance(UNBONDING / 2);
    let before = s.amax_balance(&alice);
    s.claim(&alice).unwrap();
    assert_eq!(s.amax_balance(&alice), before + 100);
    assert_eq!(s.claims(&alice).claims.len(), 1);
    let err = s.claim(&alice).unwrap_err();
    assert_eq!(gov_err(&err), &ContractError::NothingToClaim {});
    s.advance(UNBONDING / 2);
    s.claim(&alice).unwrap();
    assert_eq!(s.amax_balance(&alice), before + 150);
    assert!(s.claims(&alice).claims.is_empty());
    assert_eq!(s.treasury().amax.unbonding, Uint128::zero());
}

#[test]
fn withdraw_stake_before_unbonding_ends_fails() {
    let mut s = SuiteBuilder::new().build();
    let alice = s.users[0].clone();
    s.stake(&alice, 500).unwrap();
    s.unstake(&alice, 500).unwrap();
    s.advance(UNBONDING - 1);
    let err = s.claim(&alice).unwrap_err();
    assert_eq!(gov_err(&err), &ContractError::NothingToClaim {});
    assert_eq!(s.amax_balance(&alice), USER_AMAX - 500);
    s.advance(1);
    s.claim(&alice).unwrap();
    assert_eq!(s.amax_balance(&alice), USER_AMAX);
}

#[test]
fn unstake_more_than_staked_or_zero_fails() {
    let mut s = SuiteBuilder::new().build();
    let alice = s.users[0].clone();
    s.stake(&alice, 500).unwrap();
    let err = s.unstake(&alice, 501).unwrap_err();
    assert_eq!(
        gov_err(&err),
        &ContractError::InsufficientStake {
            staked: Uint128::new(500),
            requested: Uint128::new(501)
        }
    );
    let err = s.unstake(&alice, 0).unwrap_err();
    assert_eq!(gov_err(&err), &ContractError::ZeroAmount {});
    let bob = s.users[1].clone();
    let err = s.unstake(&bob, 1).unwrap_err();
    assert!(gov_err(&err).has("cannot unstake"));
}

#[test]
fn pending_claims_are_capped() {
    let mut s = SuiteBuilder::new().build();
    let alice = s.users[0].clone();
    s.stake(&alice, 1_000).unwrap();
    for _ in 0..MAX_PENDING_CLAIMS {
        s.unstake(&alice, 1).unwrap();
        s.next_block();
    }
    let err = s.unstake(&alice, 1).unwrap_err();
    assert_eq!(
        gov_err(&err),
        &ContractError::TooManyPendingClaims {
            max: MAX_PENDING_CLAIMS
        }
    );
    // Once claims mature and are paid, unstaking works again.
    s.advance(UNBONDING);
    s.claim(&alice).unwrap();
    s.unstake(&alice, 1).unwrap();
}

#[test]
fn native_funds_are_rejected_on_every_message() {
    let mut s = SuiteBuilder::new().build();
    let alice = s.users[0].clone();
    s.stake(&alice, 500).unwrap();
    let msgs = [
        ExecuteMsg::Unstake {
            amount: Uint128::new(1),
        },
        ExecuteMsg::Claim {},
        ExecuteMsg::Close { proposal_id: 1 },
        ExecuteMsg::Execute { proposal_id: 1 },
        ExecuteMsg::CheckAmaxReserves {},
    ];
    for msg in msgs {
        let err = s
            .app
            .execute_contract(alice.clone(), s.gov.clone(), &msg, &Suite::native(1))
            .unwrap_err();
        assert_eq!(
            gov_err(&err),
            &ContractError::Payment(PaymentError::NonPayable {}),
            "{msg:?}"
        );
    }
    // The cw20 hook too, even when called directly with a valid-looking body.
    let err = s
        .app
        .execute_contract(
            alice.clone(),
            s.gov.clone(),
            &ExecuteMsg::Receive(cw20::Cw20ReceiveMsg {
                sender: alice.to_string(),
                amount: Uint128::new(1),
                msg: cosmwasm_std::to_json_binary(
                    &starminer_interfaces::governance::ReceiveMsg::Stake {},
                )
                .unwrap(),
            }),
            &Suite::native(1),
        )
        .unwrap_err();
    assert_eq!(
        gov_err(&err),
        &ContractError::Payment(PaymentError::NonPayable {})
    );
}

use cw_multi_test::Executor;
