//! Price history: closed epochs per tier, paginated, stored and pending.

use starminer_interfaces::pricing::QueryMsg;

use crate::suite::Suite;

#[test]
fn history_pages_through_stored_and_pending_epochs() {
    let mut s = Suite::new();
    s.provider("alice", 150);
    for i in 0..5u128 {
        s.demand(1, 1_000 * (i + 1)).unwrap();
        s.next_epoch();
    }
    // Epochs 0..=3 were written by the RecordDemand of the next epoch;
    // epoch 4 is closed but only pending (nobody executed since).
    let all = s.history(1, None, None);
    assert_eq!(
        all.iter().map(|r| r.epoch).collect::<Vec<_>>(),
        vec![0, 1, 2, 3, 4]
    );
    for (i, r) in all.iter().enumerate() {
        assert_eq!(r.demand.u128(), 1_000 * (i as u128 + 1));
        if i > 0 {
            assert_eq!(r.multiplier, all[i - 1].next_multiplier);
        }
    }
    let page1 = s.history(1, None, Some(2));
    let page2 = s.history(1, Some(1), Some(2));
    let page3 = s.history(1, Some(3), Some(2));
    assert_eq!(page1, all[0..2].to_vec());
    assert_eq!(page2, all[2..4].to_vec());
    assert_eq!(page3, all[4..5].to_vec());
    assert!(s.history(1, Some(4), None).is_empty());
    // Other tiers have their own history (idle epochs of an empty tier).
    assert_eq!(s.history(2, None, Some(100)).len(), 5);
}

#[test]
fn history_limit_is_capped_at_one_hundred() {
    let mut s = Suite::new();
    s.advance(150 * crate::suite::EPOCH);
    // 64 pending at most per rollover.
    assert_eq!(s.history(1, None, Some(1_000)).len(), 64);
    s.poke().unwrap();
    s.advance(60 * crate::suite::EPOCH);
    s.poke().unwrap();
    assert_eq!(s.history(1, None, Some(1_000)).len(), 100);
    assert_eq!(s.history(1, None, None).len(), 10);
}

#[test]
fn history_of_a_tier_that_does_not_exist_is_an_error() {
    let s = Suite::new();
    let res: cosmwasm_std::StdResult<starminer_interfaces::pricing::PriceHistoryResponse> = s
        .try_query(&QueryMsg::PriceHistory {
            tier: 9,
            start_after: None,
            limit: None,
        });
    assert!(res
        .unwrap_err()
        .to_string()
        .contains("tier 9 does not exist"));
}
