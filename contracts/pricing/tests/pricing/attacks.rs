//! Adversarial tests of the price signal (issue 12, H3): demand and supply
//! must count only real work and time-weighted capacity.

use cosmwasm_std::{Decimal, Uint128};
use pricing::ContractError;
use starminer_interfaces::pricing::ExecuteMsg;
use starminer_interfaces::registry::Role;

use crate::suite::{assert_err, dec, Suite, EPOCH};

/// Two providers of 150 units/s in tier 1 and demand of exactly the target
/// utilization (0.5) of their joint capacity in epoch 0: an honest epoch
/// leaves the price where it is.
fn balanced_tier() -> Suite {
    let mut s = Suite::new();
    s.provider("alice", 150);
    s.provider("erin", 150);
    // Observe the full capacity from the start of the epoch.
    s.poke().unwrap();
    let supply = 2 * 150 * u128::from(EPOCH);
    s.demand(1, supply / 2).unwrap();
    s
}

#[test]
fn attack_supply_dip_at_rollover_does_not_raise_price() {
    // Control: nothing happens at the rollover.
    let mut honest = balanced_tier();
    honest.advance(EPOCH);
    honest.poke().unwrap();
    assert_eq!(honest.multiplier(1), Decimal::one());

    // Attack: in the first block of epoch 1, erin drops its provider
    // role (half the tier's capacity leaves), pokes so that epoch 0 is
    // closed while the capacity is low, and takes the role back, all in
    // one block. Sampled at that instant, epoch 0 would read 150 units/s
    // against demand for 150: u = 1 and the price +12.5 %.
    let mut s = balanced_tier();
    s.advance(EPOCH);
    s.set_roles("erin", vec![]);
    assert_eq!(s.utilization(1).capacity.u128(), 150);
    s.poke().unwrap();
    s.set_roles("erin", vec![Role::Provider]);
    assert_eq!(s.utilization(1).capacity.u128(), 300);
    let closed = &s.history(1, None, None)[0];
    assert_eq!(closed.supply.u128(), 300 * u128::from(EPOCH));
    assert_eq!(closed.utilization, dec("0.5"));
    assert_eq!(s.multiplier(1), Decimal::one());

    // Nor does the dip leak into epoch 1: the next observation sees the
    // capacity back, and the larger reading counts for the interval.
    s.advance(EPOCH);
    s.poke().unwrap();
    honest.advance(EPOCH);
    honest.poke().unwrap();
    let next = &s.history(1, None, None)[1];
    assert_eq!(next.supply.u128(), 300 * u128::from(EPOCH));

    // The same dip repeated every rollover for many epochs never moves the
    // price above the honest run's.
    for _ in 0..5 {
        honest.demand(1, 150 * u128::from(EPOCH)).unwrap();
        honest.advance(EPOCH);
        honest.poke().unwrap();
        s.demand(1, 150 * u128::from(EPOCH)).unwrap();
        s.advance(EPOCH);
        s.set_roles("erin", vec![]);
        s.poke().unwrap();
        s.set_roles("erin", vec![Role::Provider]);
    }
    assert_eq!(s.multiplier(1), honest.multiplier(1));
    assert_eq!(s.history(1, None, None), honest.history(1, None, None));
}

#[test]
fn a_lasting_supply_drop_still_raises_the_price() {
    // The defence must not blind pricing: capacity that really leaves for
    // the epoch counts from the first observation after it left.
    let mut s = balanced_tier();
    s.set_roles("erin", vec![]);
    s.poke().unwrap();
    s.advance(EPOCH);
    s.poke().unwrap();
    let closed = &s.history(1, None, None)[0];
    assert_eq!(closed.supply.u128(), 150 * u128::from(EPOCH));
    assert_eq!(s.multiplier(1), dec("1.125"));
}

#[test]
fn attack_demand_reported_by_anyone_but_the_market_is_refused() {
    // Demand counts only what the job market reports, and the market reports
    // it when a provider claims the work (see the market's own test for
    // submit-then-cancel): nobody else can pump the price with fake demand.
    let mut s = balanced_tier();
    let before = s.utilization(1).demand;
    for who in ["erin", "alice", "governance"] {
        let sender = s.addr(who);
        let msg = ExecuteMsg::RecordDemand {
            tier: 1,
            units: Uint128::new(10_000_000),
        };
        assert_err(s.exec(&sender, &msg), ContractError::NotReporter {});
    }
    assert_eq!(s.utilization(1).demand, before);
    s.advance(EPOCH);
    s.poke().unwrap();
    assert_eq!(s.multiplier(1), Decimal::one());
}
