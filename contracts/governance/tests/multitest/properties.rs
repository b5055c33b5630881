//! Property test: random sequences of stake / unstake / claim / transfer /
//! propose / vote / block changes on the multi-test chain, checked against a
//! simple model after every step:
//! - AMAX is conserved: users + governance + deployer hold the whole supply;
//! - each proposal's recorded power, and every user's power at its start
//!   height, equal the model's stakes at the start of that block;
//! - each tally equals the sum of the latest vote of every voter.

use std::collections::BTreeMap;

use cosmwasm_std::Uint128;
use proptest::prelude::*;
use starminer_interfaces::governance::{Tally, VoteOption};

use crate::suite::{
    Suite, SuiteBuilder, MIN_DEPOSIT, TREASURY_AMAX, UNBONDING, USERS, USER_AMAX, VOTING_PERIOD,
};

#[derive(Debug, Clone)]
enum Step {
    Stake {
        user: usize,
        amount: u128,
    },
    Unstake {
        user: usize,
        amount: u128,
    },
    Claim {
        user: usize,
    },
    Transfer {
        from: usize,
        to: usize,
        amount: u128,
    },
    Propose {
        user: usize,
    },
    Vote {
        user: usize,
        proposal: usize,
        option: VoteOption,
    },
    NextBlock,
    Advance {
        seconds: u64,
    },
}

fn option() -> impl Strategy<Value = VoteOption> {
    prop_oneof![
        Just(VoteOption::Yes),
        Just(VoteOption::No),
        Just(VoteOption::Abstain),
        Just(VoteOption::NoWithVeto),
    ]
}

fn step() -> impl Strategy<Value = Step> {
    let user = 0..USERS.len();
    let amount = prop_oneof![3 => 1u128..2_000, 1 => 2_000u128..400_000];
    prop_oneof![
        4 => (user.clone(), amount.clone()).prop_map(|(user, amount)| Step::Stake { user, amount }),
        2 => (user.clone(), amount.clone()).prop_map(|(user, amount)| Step::Unstake { user, amount }),
        1 => user.clone().prop_map(|user| Step::Claim { user }),
        2 => (user.clone(), user.clone(), amount)
            .prop_map(|(from, to, amount)| Step::Transfer { from, to, amount }),
        2 => user.clone().prop_map(|user| Step::Propose { user }),
        6 => (user, 0..8usize, option())
            .prop_map(|(user, proposal, option)| Step::Vote { user, proposal, option }),
        4 => Just(Step::NextBlock),
        1 => (1u64..VOTING_PERIOD).prop_map(|seconds| Step::Advance { seconds }),
    ]
}

struct ModelProposal {
    id: u64,
    /// Stakes at the start of the proposal's block.
    snapshot: Vec<u128>,
    voting_end: u64,
    /// Latest vote per user: (option, power).
    votes: BTreeMap<usize, (VoteOption, u128)>,
}

#[derive(Default)]
struct Model {
    balances: Vec<u128>,
    stakes: Vec<u128>,
    /// Stakes when the current block started.
    block_start_stakes: Vec<u128>,
    /// Pending claims per user: (release_at seconds, amount).
    claims: Vec<Vec<(u64, u128)>>,
    proposals: Vec<ModelProposal>,
}

fn now(s: &Suite) -> u64 {
    s.app.block_info().time.seconds()
}

fn new_block(s: &mut Suite, m: &mut Model, seconds: u64) {
    s.advance(seconds);
    m.block_start_stakes = m.stakes.clone();
}

fn apply(s: &mut Suite, m: &mut Model, step: &Step) {
    let users = s.users.clone();
    match *step {
        Step::Stake { user, amount } => {
            let ok = s.stake(&users[user], amount).is_ok();
            assert_eq!(ok, m.balances[user] >= amount, "{step:?}");
            if ok {
                m.balances[user] -= amount;
                m.stakes[user] += amount;
            }
        }
        Step::Unstake { user, amount } => {
            let ok = s.unstake(&users[user], amount).is_ok();
            let release_at = now(s) + UNBONDING;
            let merges = m.claims[user].last().is_some_and(|c| c.0 == release_at);
            let room = merges
                || m.claims[user].len() < starminer_interfaces::governance::MAX_PENDING_CLAIMS;
            assert_eq!(ok, m.stakes[user] >= amount && room, "{step:?}");
            if ok {
                m.stakes[user] -= amount;
                match m.claims[user].last_mut() {
                    Some(last) if last.0 == release_at => last.1 += amount,
                    _ => m.claims[user].push((release_at, amount)),
                }
            }
        }
        Step::Claim { user } => {
            let t = now(s);
            let matured: u128 = m.claims[user]
                .iter()
                .filter(|c| c.0 <= t)
                .map(|c| c.1)
                .sum();
            let ok = s.claim(&users[user]).is_ok();
            assert_eq!(ok, matured > 0, "{step:?}");
            if ok {
                m.claims[user].retain(|c| c.0 > t);
                m.balances[user] += matured;
            }
        }
        Step::Transfer { from, to, amount } => {
            let ok = s.transfer_amax(&users[from], &users[to], amount).is_ok();
            assert_eq!(ok, m.balances[from] >= amount, "{step:?}");
            if ok {
                m.balances[from] -= amount;
                m.balances[to] += amount;
            }
        }
        Step::Propose { user } => {
            let res = s.propose(&users[user], vec![]);
            assert_eq!(res.is_ok(), m.balances[user] >= MIN_DEPOSIT, "{step:?}");
            if let Ok(id) = res {
                m.balances[user] -= MIN_DEPOSIT;
                m.proposals.push(ModelProposal {
                    id,
                    snapshot: m.block_start_stakes.clone(),
                    voting_end: now(s) + VOTING_PERIOD,
                    votes: BTreeMap::new(),
                });
            }
        }
        Step::Vote {
            user,
            proposal,
            option,
        } => {
            if m.proposals.is_empty() {
                return;
            }
            let count = m.proposals.len();
            let p = &mut m.proposals[proposal % count];
            let power = p.snapshot[user];
            let ok = s.vote(&users[user], p.id, option).is_ok();
            assert_eq!(ok, power > 0 && now(s) < p.voting_end, "{step:?}");
            if ok {
                p.votes.insert(user, (option, power));
            }
        }
        Step::NextBlock => new_block(s, m, 5),
        Step::Advance { seconds } => new_block(s, m, seconds),
    }
}

fn check(s: &Suite, m: &Model) {
    // Conservation of AMAX.
    let users: u128 = s.users.iter().map(|u| s.amax_balance(u)).sum();
    let gov = s.amax_balance(&s.gov);
    let deployer = s.amax_balance(&s.deployer);
    assert_eq!(
        users + gov + deployer,
        USER_AMAX * USERS.len() as u128 + TREASURY_AMAX
    );
    for (i, u) in s.users.iter().enumerate() {
        assert_eq!(s.amax_balance(u), m.balances[i]);
        assert_eq!(s.staked(u), m.stakes[i]);
    }
    // Governance holds the treasury, the stakes, the claims and open deposits.
    let treasury = s.treasury().amax;
    assert_eq!(treasury.spendable, Uint128::new(TREASURY_AMAX));
    assert_eq!(treasury.staked.u128(), m.stakes.iter().sum::<u128>());
    assert_eq!(
        treasury.unbonding.u128(),
        m.claims.iter().flatten().map(|c| c.1).sum::<u128>()
    );

    for p in &m.proposals {
        let q = s.proposal(p.id);
        assert_eq!(q.total_power.u128(), p.snapshot.iter().sum::<u128>());
        assert_eq!(s.total_power(Some(q.start_height)), q.total_power.u128());
        for (i, u) in s.users.iter().enumerate() {
            assert_eq!(s.voting_power(u, Some(q.start_height)), p.snapshot[i]);
        }
        let mut expected = Tally::default();
        for (option, power) in p.votes.values() {
            let slot = match option {
                VoteOption::Yes => &mut expected.yes,
                VoteOption::No => &mut expected.no,
                VoteOption::Abstain => &mut expected.abstain,
                VoteOption::NoWithVeto => &mut expected.no_with_veto,
            };
            *slot += Uint128::new(*power);
        }
        assert_eq!(q.tally, expected, "tally of proposal {}", p.id);
        assert_eq!(s.votes(p.id, None, Some(100)).votes.len(), p.votes.len());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn staking_and_voting_keep_their_invariants(
        initial_stakes in prop::collection::vec(prop_oneof![1 => Just(0u128), 3 => 1u128..5_000], USERS.len()),
        steps in prop::collection::vec(step(), 1..40),
    ) {
        let mut s = SuiteBuilder::new().build();
        let n = USERS.len();
        let mut m = Model {
            balances: vec![USER_AMAX; n],
            stakes: vec![0; n],
            block_start_stakes: vec![0; n],
            claims: vec![vec![]; n],
            proposals: vec![],
        };
        // Most users hold some stake from an earlier block, so votes count.
        for (user, amount) in initial_stakes.into_iter().enumerate() {
            if amount > 0 {
                apply(&mut s, &mut m, &Step::Stake { user, amount });
            }
        }
        apply(&mut s, &mut m, &Step::NextBlock);
        for step in &steps {
            apply(&mut s, &mut m, step);
            check(&s, &m);
        }
    }
}
