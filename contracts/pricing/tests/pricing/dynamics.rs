//! The per-epoch adjustment seen through the contract: demand against the
//! registry's real capacity.

use cosmwasm_std::{Decimal, Uint128};

use crate::suite::{attr, dec, Suite, EPOCH};

/// alice: verified score 150 → tier 1; capacity 150 · 3600 units an epoch.
fn tier1() -> (Suite, u128) {
    let mut s = Suite::new();
    s.provider("alice", 150);
    (s, 150 * u128::from(EPOCH))
}

#[test]
fn supply_is_the_registry_capacity_over_an_epoch() {
    let (mut s, supply) = tier1();
    s.provider("bob", 180);
    let u = s.utilization(1);
    assert_eq!(u.supply.u128(), supply + 180 * u128::from(EPOCH));
    assert_eq!(
        (u.demand, u.utilization),
        (Uint128::zero(), Decimal::zero())
    );
    s.demand(1, 330 * 3_600 / 4).unwrap();
    assert_eq!(s.utilization(1).utilization, dec("0.25"));
    // Other tiers have no providers.
    assert_eq!(s.utilization(2).supply, Uint128::zero());
}

#[test]
fn sustained_over_demand_raises_the_price_epoch_by_epoch() {
    let (mut s, supply) = tier1();
    let mut expected = Decimal::one();
    let mut last = Decimal::one();
    for _ in 0..14 {
        // u = 1: κ·(1 − 0.5) = 0.25, clamped to δ = 0.125.
        s.demand(1, supply).unwrap();
        s.next_epoch();
        let m = s.multiplier(1);
        expected = (expected * dec("1.125")).min(dec("4"));
        assert_eq!(m, expected);
        assert!(m >= last && m <= last * dec("1.125"));
        last = m;
    }
    assert_eq!(last, dec("4"));
}

#[test]
fn a_small_excess_moves_the_price_proportionally() {
    let (mut s, supply) = tier1();
    // u = 0.6: κ·0.1 = 0.05.
    s.demand(1, supply * 6 / 10).unwrap();
    s.next_epoch();
    assert_eq!(s.multiplier(1), dec("1.05"));
    // u = target: unchanged.
    s.demand(1, supply / 2).unwrap();
    s.next_epoch();
    assert_eq!(s.multiplier(1), dec("1.05"));
}

#[test]
fn idle_supply_lowers_the_price_to_its_floor() {
    let (mut s, _) = tier1();
    let mut last = Decimal::one();
    for _ in 0..14 {
        s.next_epoch();
        s.poke().unwrap();
        let m = s.multiplier(1);
        assert!(m <= last && m >= last * dec("0.875"));
        assert!(m >= dec("0.25"));
        last = m;
    }
    assert_eq!(last, dec("0.25"));
    // Tiers without providers and without demand keep their price.
    assert_eq!(s.multiplier(2), Decimal::one());
}

#[test]
fn demand_without_any_supply_raises_the_price_by_delta() {
    let mut s = Suite::new();
    s.demand(3, 1).unwrap();
    s.next_epoch();
    assert_eq!(s.multiplier(3), dec("1.125"));
    let record = &s.history(3, None, None)[0];
    assert_eq!(record.utilization, Decimal::MAX);
    assert_eq!(record.supply, Uint128::zero());
}

#[test]
fn a_provider_leaving_shrinks_the_supply() {
    let (mut s, supply) = tier1();
    s.provider("bob", 150);
    assert_eq!(s.utilization(1).supply.u128(), 2 * supply);
    s.retire("bob");
    assert_eq!(s.utilization(1).supply.u128(), supply);
}

#[test]
fn lazy_rollover_seen_by_queries_equals_what_the_next_execute_writes() {
    let (mut s, supply) = tier1();
    s.demand(1, supply).unwrap();
    s.demand(2, 10).unwrap();
    s.advance(3 * EPOCH + 17);
    let prices = s.prices();
    let history = s.history(1, None, None);
    let history2 = s.history(2, None, None);
    let util = s.utilization(1);
    assert_eq!(prices.epoch, 3);
    assert_eq!(history.len(), 3);
    assert_eq!(history[0].demand.u128(), supply);
    // +δ, then two idle epochs at −δ.
    assert_eq!(
        prices.tiers[0].multiplier,
        dec("1.125") * dec("0.875") * dec("0.875")
    );
    assert_eq!((util.epoch, util.demand), (3, Uint128::zero()));

    let res = s.poke().unwrap();
    assert_eq!(attr(&res, "tier_1_epochs_closed"), "3");
    assert_eq!(s.prices(), prices);
    assert_eq!(s.history(1, None, None), history);
    assert_eq!(s.history(2, None, None), history2);
    assert_eq!(s.utilization(1), util);
    // Nothing left to roll.
    let res = s.poke().unwrap();
    assert_eq!(attr(&res, "tier_1_epochs_closed"), "0");
}

#[test]
fn record_demand_rolls_its_tier_over_first() {
    let (mut s, supply) = tier1();
    s.demand(1, supply).unwrap();
    s.next_epoch();
    let res = s.demand(1, 5).unwrap();
    assert_eq!(attr(&res, "epoch"), "1");
    assert_eq!(attr(&res, "epoch_demand"), "5");
    assert_eq!(attr(&res, "multiplier"), "1.125");
    assert_eq!(attr(&res, "epochs_closed"), "1");
    assert_eq!(s.utilization(1).demand.u128(), 5);
}

#[test]
fn a_long_gap_is_caught_up_in_bounded_work() {
    let (mut s, supply) = tier1();
    s.demand(1, supply).unwrap();
    s.advance(1_000 * EPOCH);
    let res = s.poke().unwrap();
    assert_eq!(attr(&res, "tier_1_epochs_closed"), "64");
    assert_eq!(attr(&res, "tier_1_epoch"), "1000");
    let history = s.history(1, Some(60), None);
    assert_eq!(
        history.iter().map(|r| r.epoch).collect::<Vec<_>>(),
        vec![61, 62, 63]
    );
    assert_eq!(s.multiplier(1), dec("0.25"));
    // The next epoch continues from 1000.
    s.next_epoch();
    s.poke().unwrap();
    assert_eq!(s.history(1, Some(63), None)[0].epoch, 1_000);
}
