//! Property: whatever the job market reports and whoever claims when, the
//! claims of an epoch never exceed what it emitted, everything minted is in
//! claimants' wallets, the AGPU cap holds, and once everyone has claimed
//! only rounding dust is left unclaimed.

use cosmwasm_std::Uint128;
use proptest::prelude::*;

use crate::suite::{Suite, SuiteBuilder, AMPLE_FEE, EPOCH};

const PROVIDERS: [&str; 3] = ["alice", "bob", "carol"];
const VERIFIERS: [&str; 2] = ["val1", "val2"];
const EVERYONE: [&str; 5] = ["alice", "bob", "carol", "val1", "val2"];

#[derive(Debug, Clone)]
enum Op {
    Work(usize, u128),
    Attest(usize),
    Advance(u64),
    Claim(usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0..PROVIDERS.len(), 1u128..5_000).prop_map(|(p, u)| Op::Work(p, u)),
        2 => (0..VERIFIERS.len()).prop_map(Op::Attest),
        2 => (0..2 * EPOCH).prop_map(Op::Advance),
        2 => (0..EVERYONE.len()).prop_map(Op::Claim),
    ]
}

fn check_invariants(s: &Suite, cap: u128, genesis_supply: u128) {
    let epochs = s.emissions(None, Some(100));
    for e in &epochs {
        assert!(e.claimed <= e.emitted, "epoch {} over-claimed", e.epoch);
    }
    let totals = s.totals();
    let wallets: u128 = EVERYONE.iter().map(|w| s.balance(w)).sum();
    assert_eq!(totals.minted.u128(), wallets);
    assert_eq!(totals.minted, totals.claimed);
    let claimed: Uint128 = epochs.iter().map(|e| e.claimed).sum();
    assert_eq!(claimed, totals.claimed);
    assert!(s.total_supply() <= cap);
    assert_eq!(s.total_supply(), genesis_supply + wallets);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn claims_never_exceed_emissions(
        ops in proptest::collection::vec(op(), 1..40),
        room in 500_000u128..4_000_000,
        max_per_claim in 1u32..4,
    ) {
        let genesis_supply = 1_000;
        let cap = genesis_supply + room;
        let mut s = SuiteBuilder::new()
            .params(|p| p.max_epochs_per_claim = max_per_claim)
            .cap_room(room)
            .build();
        for (i, p) in PROVIDERS.iter().enumerate() {
            s.register(p);
            s.succeed(p, i as u32 * 2);
        }
        for op in ops {
            match op {
                Op::Work(p, units) => { s.work(PROVIDERS[p], units).unwrap(); }
                Op::Attest(v) => { s.settle(PROVIDERS[0], 1, AMPLE_FEE, &[VERIFIERS[v]]).unwrap(); }
                Op::Advance(secs) => s.advance(secs),
                Op::Claim(w) => { let _ = s.claim(EVERYONE[w]); }
            }
            check_invariants(&s, cap, genesis_supply);
        }
        // Close the last epoch and let everyone claim everything.
        s.advance(EPOCH);
        for who in EVERYONE {
            while s.claim(who).is_ok() {}
            prop_assert_eq!(s.pending(who).epochs, 0);
        }
        check_invariants(&s, cap, genesis_supply);
        // Only rounding dust is left: less than one uagpu per claimant and side.
        for e in s.emissions(None, Some(100)) {
            let dust = (e.emitted - e.claimed).u128();
            prop_assert!(dust < EVERYONE.len() as u128 * 2, "epoch {} left {}", e.epoch, dust);
        }
        prop_assert_eq!(s.totals().reserved.u128(),
            s.emissions(None, Some(100)).iter().map(|e| (e.emitted - e.claimed).u128()).sum::<u128>());
    }
}
