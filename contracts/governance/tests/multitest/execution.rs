//! Executing passed proposals: the full story and its error paths.

use cosmwasm_std::{BankMsg, Decimal, Uint128};
use governance::ContractError;
use starminer_interfaces::governance::{ExecuteMsg, ProposalStatus, VoteOption};

use crate::suite::{
    gov_err, SuiteBuilder, MIN_DEPOSIT, TIMELOCK, TREASURY_AMAX, USER_AMAX, VOTING_PERIOD,
};

fn update_quorum(quorum: Decimal) -> ExecuteMsg {
    ExecuteMsg::UpdateConfig {
        quorum: Some(quorum),
        threshold: None,
        veto_threshold: None,
        voting_period: None,
        timelock: None,
        unbonding_period: None,
        min_deposit: None,
        max_messages: None,
        treasury_cw20s: None,
    }
}

#[test]
fn full_story_stake_propose_vote_close_wait_execute() {
    let mut s = SuiteBuilder::new().build();
    let (alice, bob, carol, dave) = (
        s.users[0].clone(),
        s.users[1].clone(),
        s.users[2].clone(),
        s.users[3].clone(),
    );
    // Holders stake; their power counts from the next block.
    s.stake(&alice, 3_000).unwrap();
    s.stake(&bob, 2_000).unwrap();
    s.stake(&carol, 1_000).unwrap();
    s.next_block();

    // Dave proposes a grant to himself from the treasury and a quorum change.
    let grant = s.cw20_transfer_msg(&s.amax.clone(), &dave, 40_000);
    let quorum = s.self_msg(&update_quorum(Decimal::percent(25)));
    let id = s.propose(&dave, vec![grant, quorum]).unwrap();
    assert_eq!(s.amax_balance(&dave), USER_AMAX - MIN_DEPOSIT);

    s.vote(&alice, id, VoteOption::Yes).unwrap();
    s.vote(&bob, id, VoteOption::No).unwrap();
    s.next_block();
    s.vote(&carol, id, VoteOption::Abstain).unwrap();
    // Bob changes his mind before the end.
    s.vote(&bob, id, VoteOption::Yes).unwrap();

    s.advance(VOTING_PERIOD);
    s.close(&carol, id).unwrap();
    let p = s.proposal(id);
    assert_eq!(p.status, ProposalStatus::Passed);
    assert_eq!(p.tally.yes, Uint128::new(5_000));
    assert_eq!(p.tally.abstain, Uint128::new(1_000));
    assert_eq!(p.tally.no, Uint128::zero());
    // Closing refunded the deposit.
    assert_eq!(s.amax_balance(&dave), USER_AMAX);

    let err = s.execute(&carol, id).unwrap_err();
    assert!(gov_err(&err).has("is timelocked until"));
    s.advance(TIMELOCK);
    let stranger = s.user("stranger");
    s.execute(&stranger, id).unwrap();

    assert_eq!(s.proposal(id).status, ProposalStatus::Executed);
    assert_eq!(s.amax_balance(&dave), USER_AMAX + 40_000);
    assert_eq!(s.config().params.quorum, Decimal::percent(25));
    let treasury = s.treasury().amax;
    assert_eq!(treasury.spendable, Uint128::new(TREASURY_AMAX - 40_000));
    assert_eq!(treasury.staked, Uint128::new(6_000));

    let err = s.execute(&stranger, id).unwrap_err();
    assert_eq!(gov_err(&err), &ContractError::AlreadyExecuted { id });

    // The whole story is on record.
    let history = s.vote_history(id).events;
    assert_eq!(history.len(), 4);
    assert_eq!(history[3].voter, bob);
    assert_eq!(history[3].previous, Some(VoteOption::No));
    assert_eq!(history[2].height, history[1].height + 1);
}

#[test]
fn execute_closes_implicitly_when_nobody_closed() {
    let mut s = SuiteBuilder::new().build();
    s.everyone_stakes(1_000);
    let alice = s.users[0].clone();
    let bob = s.users[1].clone();
    let pay = BankMsg::Send {
        to_address: bob.to_string(),
        amount: crate::suite::Suite::native(10),
    };
    let id = s.pass_proposal(vec![pay.into()]);
    let before = s.amax_balance(&alice);
    assert_eq!(s.proposal(id).status, ProposalStatus::Open);
    s.execute(&bob, id).unwrap();
    assert_eq!(s.proposal(id).status, ProposalStatus::Executed);
    assert_eq!(s.amax_balance(&alice), before + MIN_DEPOSIT);
    assert_eq!(s.native_balance(&bob), 10);
}

#[test]
fn text_proposal_without_messages_executes() {
    let mut s = SuiteBuilder::new().build();
    s.everyone_stakes(1_000);
    let alice = s.users[0].clone();
    let id = s.pass_proposal(vec![]);
    s.execute(&alice, id).unwrap();
    assert_eq!(s.proposal(id).status, ProposalStatus::Executed);
}

#[test]
fn rejected_or_unknown_proposals_cannot_execute() {
    let mut s = SuiteBuilder::new().build();
    s.everyone_stakes(1_000);
    let alice = s.users[0].clone();
    let err = s.execute(&alice, 42).unwrap_err();
    assert_eq!(gov_err(&err), &ContractError::ProposalNotFound { id: 42 });
    let id = s.propose(&alice, vec![]).unwrap();
    s.advance(VOTING_PERIOD + TIMELOCK);
    // Implicit close finds it rejected (no votes); the error reverts the close.
    let err = s.execute(&alice, id).unwrap_err();
    assert_eq!(
        gov_err(&err),
        &ContractError::NotPassed {
            id,
            status: "rejected".into()
        }
    );
    s.close(&alice, id).unwrap();
    let err = s.execute(&alice, id).unwrap_err();
    assert!(gov_err(&err).has("did not pass"));
}

#[test]
fn invalid_config_change_fails_execution_and_keeps_config() {
    let mut s = SuiteBuilder::new().build();
    s.everyone_stakes(1_000);
    let alice = s.users[0].clone();
    let bad = s.self_msg(&update_quorum(Decimal::percent(150)));
    let id = s.pass_proposal(vec![bad]);
    s.execute(&alice, id).unwrap();
    match s.proposal(id).status {
        ProposalStatus::ExecutionFailed { reason } => {
            assert!(reason.contains("quorum must be in (0, 1]"), "{reason}")
        }
        other => panic!("expected ExecutionFailed, got {other:?}"),
    }
    assert_eq!(s.config().params.quorum, Decimal::percent(40));
}

#[test]
fn config_change_does_not_alter_running_proposals() {
    let mut s = SuiteBuilder::new().build();
    s.everyone_stakes(1_000);
    let alice = s.users[0].clone();
    let change = s.self_msg(&update_quorum(Decimal::one()));
    let change_id = s.propose(&alice, vec![change]).unwrap();
    let other_id = s.propose(&alice, vec![]).unwrap();
    for u in s.users.clone() {
        s.vote(&u, change_id, VoteOption::Yes).unwrap();
    }
    // Two of four vote on the other proposal: 50% turnout, enough at 40%.
    s.vote(&s.users[0].clone(), other_id, VoteOption::Yes)
        .unwrap();
    s.vote(&s.users[1].clone(), other_id, VoteOption::Yes)
        .unwrap();
    s.advance(VOTING_PERIOD + TIMELOCK);
    s.execute(&alice, change_id).unwrap();
    assert_eq!(s.config().params.quorum, Decimal::one());
    s.close(&alice, other_id).unwrap();
    assert_eq!(s.proposal(other_id).status, ProposalStatus::Passed);
    assert_eq!(s.proposal(other_id).rules.quorum, Decimal::percent(40));
}
