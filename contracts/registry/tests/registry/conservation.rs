//! Property: whatever sequence of bond / unbond / lock / unlock / slash /
//! claim happens, no AGPU is created or lost. The registry holds exactly the
//! bonds plus the pending claims, and every token is somewhere.

use proptest::prelude::*;
use starminer_interfaces::registry::{CollateralLocksResponse, QueryMsg, Role};

use crate::suite::{Suite, START_BALANCE, USERS};

const ACTORS: &[&str] = &["alice", "bob", "carol"];

#[derive(Debug, Clone)]
enum Op {
    Bond(usize, u128),
    Unbond(usize, u128),
    Lock(usize, u64, u128),
    Unlock(usize, u64),
    Slash(usize, Option<u64>, u128, bool),
    Claim(usize),
    Advance(u64),
}

fn op() -> impl Strategy<Value = Op> {
    let who = 0..ACTORS.len();
    prop_oneof![
        (who.clone(), 1u128..3_000).prop_map(|(w, a)| Op::Bond(w, a)),
        (who.clone(), 1u128..3_000).prop_map(|(w, a)| Op::Unbond(w, a)),
        (who.clone(), 0u64..4, 1u128..2_000).prop_map(|(w, j, a)| Op::Lock(w, j, a)),
        (who.clone(), 0u64..4).prop_map(|(w, j)| Op::Unlock(w, j)),
        (
            who.clone(),
            prop::option::of(0u64..4),
            1u128..3_000,
            any::<bool>()
        )
            .prop_map(|(w, j, a, b)| Op::Slash(w, j, a, b)),
        who.prop_map(Op::Claim),
        (1u64..80).prop_map(Op::Advance),
    ]
}

fn check_conservation(s: &Suite) {
    let totals = s.totals();
    let registry_balance = s.agpu_balance(&s.registry);
    assert_eq!(
        registry_balance,
        (totals.total_bonded + totals.total_claims).u128(),
        "registry balance = bonds + pending claims"
    );
    let mut bonded = 0u128;
    let mut claims = 0u128;
    for who in ACTORS {
        let stake = s.stake(who);
        assert!(stake.locked <= stake.bonded);
        let locks: CollateralLocksResponse = s.query(&QueryMsg::CollateralLocks {
            provider: s.addr(who).to_string(),
            start_after: None,
            limit: Some(100),
        });
        let locked: u128 = locks.locks.iter().map(|l| l.amount.u128()).sum();
        assert_eq!(locked, stake.locked.u128(), "locked = sum of job locks");
        bonded += stake.bonded.u128();
        claims += stake.claims.iter().map(|c| c.amount.u128()).sum::<u128>();
    }
    assert_eq!(bonded, totals.total_bonded.u128());
    assert_eq!(claims, totals.total_claims.u128());
    // Nothing created or lost: every user's tokens plus the treasury and the
    // registry add up to the genesis supply.
    let held: u128 = USERS.iter().map(|u| s.balance_of(u)).sum::<u128>()
        + s.agpu_balance(&s.gov)
        + registry_balance;
    assert_eq!(held, START_BALANCE * USERS.len() as u128);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, max_shrink_iters: 64, ..ProptestConfig::default() })]

    #[test]
    fn agpu_is_conserved(ops in prop::collection::vec(op(), 1..30)) {
        let mut s = Suite::new();
        for who in ACTORS {
            s.register(who, "eu-west", vec![Role::Provider]).unwrap();
        }
        for op in ops {
            // Individual calls may fail (too little stake, no lock...); a
            // failed call must change nothing, which the check also covers.
            let _ = match op {
                Op::Bond(w, a) => s.bond(ACTORS[w], a).map(|_| ()),
                Op::Unbond(w, a) => s.unbond(ACTORS[w], a).map(|_| ()),
                Op::Lock(w, j, a) => s.lock(ACTORS[w], j, a).map(|_| ()),
                Op::Unlock(w, j) => s.unlock(ACTORS[w], j).map(|_| ()),
                Op::Slash(w, j, a, b) => s
                    .slash(ACTORS[w], j, a, b.then_some("requester"))
                    .map(|_| ()),
                Op::Claim(w) => s.claim(ACTORS[w]).map(|_| ()),
                Op::Advance(secs) => {
                    s.advance(secs);
                    Ok(())
                }
            };
            check_conservation(&s);
        }
    }
}
