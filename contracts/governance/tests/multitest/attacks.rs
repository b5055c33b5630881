//! Adversarial tests, each named for the attack it tries.

use cosmwasm_std::{to_json_binary, BankMsg, Uint128};
use cw20::{Cw20ExecuteMsg, Cw20ReceiveMsg};
use cw_multi_test::Executor;
use governance::ContractError;
use starminer_interfaces::governance::{ExecuteMsg, ProposalStatus, ReceiveMsg, VoteOption};

use crate::suite::{
    gov_err, Suite, SuiteBuilder, MIN_DEPOSIT, NATIVE_DENOM, TIMELOCK, TREASURY_AMAX,
    TREASURY_NATIVE, USER_AMAX, VOTING_PERIOD,
};

#[test]
fn receive_from_foreign_token_is_rejected() {
    let mut s = SuiteBuilder::new().build();
    let alice = s.users[0].clone();
    // A real cw20 Send of another token...
    let err = s
        .app
        .execute_contract(
            alice.clone(),
            s.other.clone(),
            &Cw20ExecuteMsg::Send {
                contract: s.gov.to_string(),
                amount: Uint128::new(100),
                msg: to_json_binary(&ReceiveMsg::Stake {}).unwrap(),
            },
            &[],
        )
        .unwrap_err();
    assert_eq!(
        gov_err(&err),
        &ContractError::ForeignToken {
            token: s.other.to_string(),
            expected: s.amax.to_string()
        }
    );
    // ...and a forged hook from a plain account.
    let err = s
        .app
        .execute_contract(
            alice.clone(),
            s.gov.clone(),
            &ExecuteMsg::Receive(Cw20ReceiveMsg {
                sender: alice.to_string(),
                amount: Uint128::new(1_000_000_000),
                msg: to_json_binary(&ReceiveMsg::Stake {}).unwrap(),
            }),
            &[],
        )
        .unwrap_err();
    assert!(gov_err(&err).has("governance only accepts AMAX"));
    assert_eq!(s.staked(&alice), 0);
    assert_eq!(s.total_power(None), 0);
}

#[test]
fn vote_after_end_is_rejected() {
    let mut s = SuiteBuilder::new().build();
    s.everyone_stakes(1_000);
    let alice = s.users[0].clone();
    let id = s.propose(&alice, vec![]).unwrap();
    s.advance(VOTING_PERIOD);
    let err = s.vote(&alice, id, VoteOption::Yes).unwrap_err();
    assert_eq!(
        gov_err(&err),
        &ContractError::VotingEnded {
            id,
            voting_end: s.proposal(id).voting_end
        }
    );
    s.close(&alice, id).unwrap();
    let err = s.vote(&alice, id, VoteOption::Yes).unwrap_err();
    assert!(gov_err(&err).has("is no longer open for voting"));
}

#[test]
fn flash_stake_in_proposal_block_has_no_power() {
    let mut s = SuiteBuilder::new().build();
    let (alice, bob) = (s.users[0].clone(), s.users[1].clone());
    s.stake(&alice, 100).unwrap();
    s.next_block();
    // Bob stakes, proposes and votes in one block, then unstakes.
    s.stake(&bob, 900_000).unwrap();
    let id = s.propose(&bob, vec![]).unwrap();
    let p = s.proposal(id);
    assert_eq!(p.total_power, Uint128::new(100));
    let err = s.vote(&bob, id, VoteOption::Yes).unwrap_err();
    assert_eq!(
        gov_err(&err),
        &ContractError::NoVotingPower {
            id,
            height: p.start_height
        }
    );
    // Still none in later blocks: power is fixed at the start height.
    s.next_block();
    let err = s.vote(&bob, id, VoteOption::Yes).unwrap_err();
    assert!(gov_err(&err).has("you had no staked AMAX"));
    // Alice's earlier stake counts in full even if she unstakes now.
    s.unstake(&alice, 100).unwrap();
    s.vote(&alice, id, VoteOption::No).unwrap();
    assert_eq!(s.proposal(id).tally.no, Uint128::new(100));
}

#[test]
fn execute_before_timelock_is_rejected() {
    let mut s = SuiteBuilder::new().build();
    s.everyone_stakes(1_000);
    let alice = s.users[0].clone();
    let msg = s.cw20_transfer_msg(&s.amax.clone(), &alice, 10);
    let id = s.propose(&alice, vec![msg]).unwrap();
    for u in s.users.clone() {
        s.vote(&u, id, VoteOption::Yes).unwrap();
    }
    // During voting.
    let err = s.execute(&alice, id).unwrap_err();
    assert!(gov_err(&err).has("is still open until"));
    // After voting, inside the timelock (closing happens implicitly and is
    // reverted with the failed execute).
    s.advance(VOTING_PERIOD + TIMELOCK - 1);
    let err = s.execute(&alice, id).unwrap_err();
    assert_eq!(
        gov_err(&err),
        &ContractError::TimelockNotOver {
            id,
            executable_at: s.proposal(id).executable_at
        }
    );
    s.close(&alice, id).unwrap();
    let err = s.execute(&alice, id).unwrap_err();
    assert!(gov_err(&err).has("is timelocked until"));
    s.advance(1);
    s.execute(&alice, id).unwrap();
    assert_eq!(s.proposal(id).status, ProposalStatus::Executed);
}

#[test]
fn treasury_cannot_be_spent_without_proposal() {
    let mut s = SuiteBuilder::new().build();
    s.everyone_stakes(1_000);
    let mallory = s.user("mallory");
    // The internal entry points refuse outside callers.
    let err = s
        .exec(
            &mallory,
            &ExecuteMsg::ExecuteProposalMessages { proposal_id: 1 },
        )
        .unwrap_err();
    assert_eq!(gov_err(&err), &ContractError::Unauthorized {});
    let err = s
        .exec(&mallory, &ExecuteMsg::CheckAmaxReserves {})
        .unwrap_err();
    assert_eq!(gov_err(&err), &ContractError::Unauthorized {});
    // A proposal exists but has not passed: its messages cannot be forced.
    let alice = s.users[0].clone();
    let spend = BankMsg::Send {
        to_address: mallory.to_string(),
        amount: Suite::native(TREASURY_NATIVE),
    };
    let id = s.propose(&alice, vec![spend.into()]).unwrap();
    let err = s
        .exec(
            &mallory,
            &ExecuteMsg::ExecuteProposalMessages { proposal_id: id },
        )
        .unwrap_err();
    assert_eq!(gov_err(&err), &ContractError::Unauthorized {});
    let err = s.execute(&mallory, id).unwrap_err();
    assert!(gov_err(&err).has("is still open until"));
    // Config cannot be changed directly either.
    let err = s
        .exec(
            &mallory,
            &ExecuteMsg::UpdateConfig {
                quorum: None,
                threshold: None,
                veto_threshold: None,
                voting_period: None,
                timelock: None,
                unbonding_period: None,
                min_deposit: None,
                max_messages: None,
                treasury_cw20s: Some(vec![]),
            },
        )
        .unwrap_err();
    assert_eq!(gov_err(&err), &ContractError::Unauthorized {});
    assert_eq!(s.native_balance(&s.gov.clone()), TREASURY_NATIVE);
    assert_eq!(s.native_balance(&mallory), 0);
}

#[test]
fn proposal_cannot_spend_staked_amax() {
    let mut s = SuiteBuilder::new().build();
    s.everyone_stakes(1_000);
    let mallory = s.user("mallory");
    // Spendable is the seeded treasury only; try to take one uamax more.
    let treasury = s.treasury();
    assert_eq!(treasury.amax.spendable, Uint128::new(TREASURY_AMAX));
    let msg = s.cw20_transfer_msg(&s.amax.clone(), &mallory, TREASURY_AMAX + 1);
    let id = s.pass_proposal(vec![msg]);
    s.execute(&mallory, id).unwrap();
    match s.proposal(id).status {
        ProposalStatus::ExecutionFailed { reason } => {
            assert!(reason.contains("owed to stakers"), "{reason}")
        }
        other => panic!("expected ExecutionFailed, got {other:?}"),
    }
    assert_eq!(s.amax_balance(&mallory), 0);
    // Exactly the spendable part is fine.
    let msg = s.cw20_transfer_msg(&s.amax.clone(), &mallory, TREASURY_AMAX);
    let id = s.pass_proposal(vec![msg]);
    s.execute(&mallory, id).unwrap();
    assert_eq!(s.proposal(id).status, ProposalStatus::Executed);
    assert_eq!(s.amax_balance(&mallory), TREASURY_AMAX);
    assert_eq!(s.treasury().amax.spendable, Uint128::zero());
}

#[test]
fn double_vote_counts_once() {
    let mut s = SuiteBuilder::new().build();
    s.everyone_stakes(1_000);
    let (alice, bob) = (s.users[0].clone(), s.users[1].clone());
    let id = s.propose(&alice, vec![]).unwrap();
    for _ in 0..3 {
        s.vote(&alice, id, VoteOption::Yes).unwrap();
    }
    s.vote(&bob, id, VoteOption::No).unwrap();
    s.vote(&bob, id, VoteOption::NoWithVeto).unwrap();
    s.vote(&bob, id, VoteOption::Abstain).unwrap();
    let tally = s.proposal(id).tally;
    assert_eq!(tally.yes, Uint128::new(1_000));
    assert_eq!(tally.no, Uint128::zero());
    assert_eq!(tally.no_with_veto, Uint128::zero());
    assert_eq!(tally.abstain, Uint128::new(1_000));
    assert_eq!(s.votes(id, None, None).votes.len(), 2);
    // The history keeps every change, in order.
    let history = s.vote_history(id).events;
    assert_eq!(history.len(), 6);
    assert_eq!(history[5].voter, bob);
    assert_eq!(history[5].option, VoteOption::Abstain);
    assert_eq!(history[5].previous, Some(VoteOption::NoWithVeto));
    assert_eq!(history[0].previous, None);
}

#[test]
fn vetoed_deposit_is_not_refunded() {
    let mut s = SuiteBuilder::new().build();
    s.everyone_stakes(1_000);
    let alice = s.users[0].clone();
    let id = s.propose_with(&alice, 5_000, "greedy", vec![]).unwrap();
    // 3 Yes, 2 of 4 veto... use 2 Yes / 2 NoWithVeto: veto share 50% ≥ 33.4%.
    let users = s.users.clone();
    s.vote(&users[0], id, VoteOption::Yes).unwrap();
    s.vote(&users[1], id, VoteOption::Yes).unwrap();
    s.vote(&users[2], id, VoteOption::NoWithVeto).unwrap();
    s.vote(&users[3], id, VoteOption::NoWithVeto).unwrap();
    s.advance(VOTING_PERIOD);
    let before = s.amax_balance(&alice);
    s.close(&users[3], id).unwrap();
    assert_eq!(s.proposal(id).status, ProposalStatus::Vetoed);
    assert_eq!(s.amax_balance(&alice), before);
    let treasury = s.treasury().amax;
    assert_eq!(treasury.held_deposits, Uint128::zero());
    assert_eq!(treasury.spendable, Uint128::new(TREASURY_AMAX + 5_000));
    let err = s.execute(&alice, id).unwrap_err();
    assert!(gov_err(&err).has("did not pass"));
    assert_eq!(s.amax_balance(&alice), USER_AMAX - 1_000 - 5_000);
}

#[test]
fn failed_execution_is_recorded_not_retried() {
    let mut s = SuiteBuilder::new().build();
    s.everyone_stakes(1_000);
    let (alice, mallory) = (s.users[0].clone(), s.user("mallory"));
    // First message would succeed, second overdraws the native treasury.
    let pay = BankMsg::Send {
        to_address: mallory.to_string(),
        amount: Suite::native(100),
    };
    let overdraw = BankMsg::Send {
        to_address: mallory.to_string(),
        amount: Suite::native(TREASURY_NATIVE * 10),
    };
    let id = s.pass_proposal(vec![pay.into(), overdraw.into()]);
    let res = s.execute(&alice, id).unwrap();
    assert!(res
        .events
        .iter()
        .any(|e| e.attributes.iter().any(|a| a.value == "execution_failed")));
    let status = s.proposal(id).status;
    assert!(
        matches!(status, ProposalStatus::ExecutionFailed { .. }),
        "{status:?}"
    );
    // Atomic: the first payment was reverted along with the second.
    assert_eq!(s.native_balance(&mallory), 0);
    assert_eq!(s.native_balance(&s.gov.clone()), TREASURY_NATIVE);
    // Not retried, even once the treasury could afford it.
    s.app
        .init_modules(|router, _, storage| {
            router.bank.init_balance(
                storage,
                &s.gov,
                cosmwasm_std::coins(TREASURY_NATIVE * 100, NATIVE_DENOM),
            )
        })
        .unwrap();
    let err = s.execute(&alice, id).unwrap_err();
    assert!(gov_err(&err).has("already failed to execute"));
    assert_eq!(s.native_balance(&mallory), 0);
    // The deposit was still refunded: the proposal itself passed.
    assert_eq!(s.amax_balance(&alice), USER_AMAX - 1_000);
    let _ = MIN_DEPOSIT;
}

#[test]
fn proposal_that_reexecutes_itself_fails_and_is_recorded() {
    let mut s = SuiteBuilder::new().build();
    s.everyone_stakes(1_000);
    let alice = s.users[0].clone();
    // Proposal id 1 re-enters Execute on itself.
    let reenter = s.self_msg(&ExecuteMsg::Execute { proposal_id: 1 });
    let id = s.pass_proposal(vec![reenter]);
    assert_eq!(id, 1);
    s.execute(&alice, id).unwrap();
    match s.proposal(id).status {
        ProposalStatus::ExecutionFailed { reason } => {
            assert!(reason.contains("already executed"), "{reason}")
        }
        other => panic!("expected ExecutionFailed, got {other:?}"),
    }
}
