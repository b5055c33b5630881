//! Proposing, voting, closing, and the listing queries.

use cosmwasm_std::{to_json_binary, BankMsg, CosmosMsg, Uint128, WasmMsg};
use governance::ContractError;
use starminer_interfaces::governance::{
    ProposalStatus, ProposalStatusKind, ReceiveMsg, VoteOption, MAX_DESCRIPTION_LEN,
    MAX_PROPOSAL_MSGS_BYTES, MAX_TITLE_LEN,
};

use crate::suite::{gov_err, Suite, SuiteBuilder, MIN_DEPOSIT, USER_AMAX, VOTING_PERIOD};

fn propose_raw(
    s: &mut Suite,
    deposit: u128,
    title: String,
    description: String,
    msgs: Vec<CosmosMsg>,
) -> anyhow::Result<cw_multi_test::AppResponse> {
    let alice = s.users[0].clone();
    s.send_amax(
        &alice,
        deposit,
        &ReceiveMsg::Propose {
            title,
            description,
            msgs,
        },
    )
}

fn bank_msg(s: &Suite) -> CosmosMsg {
    BankMsg::Send {
        to_address: s.users[1].to_string(),
        amount: Suite::native(1),
    }
    .into()
}

#[test]
fn propose_records_everything_and_holds_the_deposit() {
    let mut s = SuiteBuilder::new().build();
    s.everyone_stakes(1_000);
    let alice = s.users[0].clone();
    let msg = bank_msg(&s);
    let id = s
        .propose_with(&alice, 2_500, "pay bob", vec![msg.clone()])
        .unwrap();
    assert_eq!(id, 1);
    let p = s.proposal(id);
    assert_eq!(p.title, "pay bob");
    assert_eq!(p.proposer, alice);
    assert_eq!(p.msgs, vec![msg]);
    assert_eq!(p.deposit, Uint128::new(2_500));
    assert_eq!(p.start_height, s.height());
    assert_eq!(p.total_power, Uint128::new(4_000));
    assert_eq!(p.voting_end, p.start_time.plus_seconds(VOTING_PERIOD));
    assert_eq!(p.status, ProposalStatus::Open);
    assert_eq!(s.treasury().amax.held_deposits, Uint128::new(2_500));
    assert_eq!(s.amax_balance(&alice), USER_AMAX - 1_000 - 2_500);
    assert_eq!(s.propose(&alice, vec![]).unwrap(), 2);
}

#[test]
fn propose_validates_its_content() {
    let mut s = SuiteBuilder::new()
        .with_params(|p| p.max_messages = 2)
        .build();
    let err = propose_raw(&mut s, MIN_DEPOSIT - 1, "t".into(), "d".into(), vec![]).unwrap_err();
    assert_eq!(
        gov_err(&err),
        &ContractError::DepositTooLow {
            deposit: Uint128::new(MIN_DEPOSIT - 1),
            min: Uint128::new(MIN_DEPOSIT)
        }
    );
    let err = propose_raw(&mut s, MIN_DEPOSIT, "  ".into(), "d".into(), vec![]).unwrap_err();
    assert_eq!(gov_err(&err), &ContractError::EmptyTitle {});
    let long_title = "x".repeat(MAX_TITLE_LEN + 1);
    let err = propose_raw(&mut s, MIN_DEPOSIT, long_title, "d".into(), vec![]).unwrap_err();
    assert!(gov_err(&err).has("the title is"));
    let long_desc = "x".repeat(MAX_DESCRIPTION_LEN + 1);
    let err = propose_raw(&mut s, MIN_DEPOSIT, "t".into(), long_desc, vec![]).unwrap_err();
    assert!(gov_err(&err).has("the description is"));
    let three = vec![bank_msg(&s), bank_msg(&s), bank_msg(&s)];
    let err = propose_raw(&mut s, MIN_DEPOSIT, "t".into(), "d".into(), three).unwrap_err();
    assert_eq!(
        gov_err(&err),
        &ContractError::TooManyMessages { count: 3, max: 2 }
    );
    let huge: CosmosMsg = WasmMsg::Execute {
        contract_addr: s.gov.to_string(),
        msg: to_json_binary(&"y".repeat(MAX_PROPOSAL_MSGS_BYTES)).unwrap(),
        funds: vec![],
    }
    .into();
    let err = propose_raw(&mut s, MIN_DEPOSIT, "t".into(), "d".into(), vec![huge]).unwrap_err();
    assert!(gov_err(&err).has("bytes of JSON"));
    // Nothing was created or held.
    assert!(s.proposals(None, None, None).is_empty());
    assert_eq!(s.treasury().amax.held_deposits, Uint128::zero());
}

#[test]
fn voting_needs_power_and_an_existing_open_proposal() {
    let mut s = SuiteBuilder::new().build();
    s.everyone_stakes(1_000);
    let alice = s.users[0].clone();
    let stranger = s.user("stranger");
    let err = s.vote(&alice, 7, VoteOption::Yes).unwrap_err();
    assert_eq!(gov_err(&err), &ContractError::ProposalNotFound { id: 7 });
    let id = s.propose(&alice, vec![]).unwrap();
    let err = s.vote(&stranger, id, VoteOption::Yes).unwrap_err();
    assert!(gov_err(&err).has("you had no staked AMAX"));
    s.vote(&alice, id, VoteOption::Yes).unwrap();
    let vote = &s.votes(id, None, None).votes[0];
    assert_eq!(vote.voter, alice);
    assert_eq!(vote.power, Uint128::new(1_000));
    assert_eq!(vote.height, s.height());
}

#[test]
fn close_needs_the_voting_end_and_happens_once() {
    let mut s = SuiteBuilder::new().build();
    s.everyone_stakes(1_000);
    let alice = s.users[0].clone();
    let err = s.close(&alice, 3).unwrap_err();
    assert_eq!(gov_err(&err), &ContractError::ProposalNotFound { id: 3 });
    let id = s.propose(&alice, vec![]).unwrap();
    s.advance(VOTING_PERIOD - 5);
    let err = s.close(&alice, id).unwrap_err();
    assert!(gov_err(&err).has("is still open until"));
    s.advance(5);
    s.close(&alice, id).unwrap();
    let err = s.close(&alice, id).unwrap_err();
    assert_eq!(
        gov_err(&err),
        &ContractError::AlreadyClosed {
            id,
            status: "rejected".into()
        }
    );
}

/// Runs one proposal with the given votes (one user each) and returns its
/// final status and the proposer's AMAX change.
fn outcome_of(votes: &[Option<VoteOption>]) -> (ProposalStatus, i128) {
    let mut s = SuiteBuilder::new().build();
    s.everyone_stakes(1_000);
    let alice = s.users[0].clone();
    let id = s.propose(&alice, vec![]).unwrap();
    let before = s.amax_balance(&alice) as i128;
    for (u, v) in s.users.clone().iter().zip(votes) {
        if let Some(v) = v {
            s.vote(u, id, *v).unwrap();
        }
    }
    s.advance(VOTING_PERIOD);
    let bob = s.users[1].clone();
    s.close(&bob, id).unwrap();
    (
        s.proposal(id).status,
        s.amax_balance(&alice) as i128 - before,
    )
}

#[test]
fn tally_follows_cosmos_gov_rules() {
    use VoteOption::*;
    let deposit = MIN_DEPOSIT as i128;
    // Turnout 25% < 40% quorum: rejected, deposit refunded.
    assert_eq!(
        outcome_of(&[Some(Yes), None, None, None]),
        (ProposalStatus::Rejected, deposit)
    );
    // Yes 2 / (2 + 1) > 50%.
    assert_eq!(
        outcome_of(&[Some(Yes), Some(Yes), Some(No), None]),
        (ProposalStatus::Passed, deposit)
    );
    // Abstain counts for quorum only.
    assert_eq!(
        outcome_of(&[Some(Yes), Some(Abstain), Some(Abstain), None]),
        (ProposalStatus::Passed, deposit)
    );
    // Tie: not strictly above the threshold.
    assert_eq!(
        outcome_of(&[Some(Yes), Some(No), None, None]),
        (ProposalStatus::Rejected, deposit)
    );
    // All abstain.
    assert_eq!(
        outcome_of(&[Some(Abstain), Some(Abstain), None, None]),
        (ProposalStatus::Rejected, deposit)
    );
    // 1 veto of 3 votes = 33.3% < 33.4%: not vetoed, and Yes 2/3 passes.
    assert_eq!(
        outcome_of(&[Some(Yes), Some(Yes), Some(NoWithVeto), None]),
        (ProposalStatus::Passed, deposit)
    );
    // 2 vetoes of 4: vetoed, deposit kept by the treasury.
    assert_eq!(
        outcome_of(&[Some(Yes), Some(Yes), Some(NoWithVeto), Some(NoWithVeto)]),
        (ProposalStatus::Vetoed, 0)
    );
}

#[test]
fn proposals_list_by_status_and_paginate() {
    let mut s = SuiteBuilder::new().build();
    s.everyone_stakes(1_000);
    let alice = s.users[0].clone();
    for _ in 0..12 {
        s.propose(&alice, vec![]).unwrap();
    }
    assert_eq!(s.proposals(None, None, None), (1..=10).collect::<Vec<_>>());
    assert_eq!(s.proposals(None, Some(10), None), vec![11, 12]);
    assert_eq!(s.proposals(None, Some(2), Some(3)), vec![3, 4, 5]);
    assert_eq!(s.proposals(None, None, Some(1000)).len(), 12);
    // Pass 2 and 5, leave the rest to be rejected.
    for id in [2, 5] {
        for u in s.users.clone() {
            s.vote(&u, id, VoteOption::Yes).unwrap();
        }
    }
    s.advance(VOTING_PERIOD);
    for id in 1..=6 {
        s.close(&alice, id).unwrap();
    }
    assert_eq!(
        s.proposals(Some(ProposalStatusKind::Passed), None, None),
        vec![2, 5]
    );
    assert_eq!(
        s.proposals(Some(ProposalStatusKind::Passed), Some(2), None),
        vec![5]
    );
    assert_eq!(
        s.proposals(Some(ProposalStatusKind::Rejected), None, Some(2)),
        vec![1, 3]
    );
    assert_eq!(
        s.proposals(Some(ProposalStatusKind::Open), None, None),
        (7..=12).collect::<Vec<_>>()
    );
    assert!(s
        .proposals(Some(ProposalStatusKind::Executed), None, None)
        .is_empty());
}

#[test]
fn votes_list_by_proposal_and_by_voter() {
    let mut s = SuiteBuilder::new().build();
    s.everyone_stakes(1_000);
    let alice = s.users[0].clone();
    let a = s.propose(&alice, vec![]).unwrap();
    let b = s.propose(&alice, vec![]).unwrap();
    for u in s.users.clone() {
        s.vote(&u, a, VoteOption::No).unwrap();
    }
    s.vote(&alice, b, VoteOption::Yes).unwrap();
    let all = s.votes(a, None, None).votes;
    assert_eq!(all.len(), 4);
    let first_two = s.votes(a, None, Some(2)).votes;
    let rest = s.votes(a, Some(first_two[1].voter.to_string()), None).votes;
    assert_eq!(first_two.len() + rest.len(), 4);
    assert_eq!(rest[0].voter, all[2].voter);
    let history = s.voter_votes(&alice, None, None).votes;
    assert_eq!(history.len(), 2);
    assert_eq!(
        (history[0].proposal_id, history[0].option),
        (a, VoteOption::No)
    );
    assert_eq!(
        (history[1].proposal_id, history[1].option),
        (b, VoteOption::Yes)
    );
    assert_eq!(s.voter_votes(&alice, Some(a), None).votes.len(), 1);
}
