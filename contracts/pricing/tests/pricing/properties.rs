//! Property: whatever the demand, the supply and the gaps between calls,
//! every closed epoch moves the multiplier by at most δ and never outside
//! [min, max].

use cosmwasm_std::Decimal;
use proptest::prelude::*;

use crate::suite::{dec, Suite, EPOCH};

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    #[test]
    fn the_multiplier_moves_at_most_delta_and_stays_in_bounds(
        scores in proptest::collection::vec(100u64..200, 0..3),
        epochs in proptest::collection::vec((0u128..3_000_000, 0u64..4), 1..24),
        retire_at in 0usize..24,
    ) {
        let mut s = Suite::new();
        let names = ["alice", "bob", "carol"];
        for (name, score) in names.iter().zip(&scores) {
            s.provider(name, *score);
        }
        for (i, (demand, gap)) in epochs.iter().enumerate() {
            if i == retire_at && !scores.is_empty() {
                s.retire("alice");
            }
            if *demand > 0 {
                s.demand(1, *demand).unwrap();
            }
            // One epoch, or a gap of several idle ones.
            s.advance(EPOCH * (1 + gap));
        }
        s.poke().unwrap();
        let (min, max, delta) = (dec("0.25"), dec("4"), dec("0.125"));
        let history = s.history(1, None, Some(100));
        prop_assert!(!history.is_empty());
        let mut previous: Option<Decimal> = None;
        for r in &history {
            prop_assert!(r.next_multiplier >= min && r.next_multiplier <= max);
            prop_assert!(r.next_multiplier <= r.multiplier * (Decimal::one() + delta));
            prop_assert!(r.next_multiplier >= r.multiplier * (Decimal::one() - delta));
            if let Some(p) = previous {
                prop_assert_eq!(r.multiplier, p);
            }
            previous = Some(r.next_multiplier);
        }
        prop_assert_eq!(s.multiplier(1), previous.unwrap());
    }
}
