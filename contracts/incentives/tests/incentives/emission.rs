//! The emission schedule, its decay, the cap, and how an epoch is shared.

use cosmwasm_std::Uint128;

use crate::suite::{attr, dec, Suite, SuiteBuilder, AMPLE_FEE, EPOCH};

#[test]
fn schedule_decays_epoch_by_epoch() {
    let mut s = Suite::new();
    let genesis = s.app.block_info().time;
    let mut seen = vec![];
    for _ in 0..4 {
        let info = s.current_epoch();
        let start = genesis.plus_seconds(info.epoch * EPOCH);
        assert_eq!(info.starts_at, start);
        assert_eq!(info.ends_at, start.plus_seconds(EPOCH));
        seen.push((info.epoch, info.emission.u128()));
        s.next_epoch();
    }
    assert_eq!(
        seen,
        vec![(0, 1_000_000), (1, 900_000), (2, 810_000), (3, 729_000)]
    );
    // Mid-epoch the number does not move.
    s.advance(EPOCH / 2);
    assert_eq!(s.current_epoch().epoch, 4);
    assert_eq!(s.current_epoch().emission.u128(), 656_100);
}

#[test]
fn a_lone_provider_gets_the_provider_share_of_every_epoch() {
    let mut s = Suite::new();
    s.register("alice");
    for _ in 0..3 {
        s.work("alice", 1_000).unwrap();
        s.next_epoch();
    }
    s.claim("alice").unwrap();
    // (1 − 0.2) of 1_000_000, 900_000 and 810_000.
    assert_eq!(s.balance("alice"), 800_000 + 720_000 + 648_000);
    let emitted: Vec<u128> = s
        .emissions(None, None)
        .iter()
        .map(|e| e.emitted.u128())
        .collect();
    assert_eq!(emitted, vec![800_000, 720_000, 648_000]);
    let totals = s.totals();
    assert_eq!(totals.minted.u128(), 2_168_000);
    assert_eq!(totals.claimed, totals.minted);
    // The verifiers' share of epochs without attestations went back to the cap.
    assert_eq!(totals.reserved, Uint128::zero());
}

#[test]
fn epochs_without_work_emit_nothing() {
    let mut s = Suite::new();
    s.register("alice");
    s.next_epoch();
    s.next_epoch();
    s.work("alice", 10).unwrap();
    let epochs = s.emissions(None, None);
    assert_eq!(epochs.len(), 1);
    assert_eq!(epochs[0].epoch, 2);
    s.next_epoch();
    s.claim("alice").unwrap();
    assert_eq!(s.balance("alice"), 648_000);
}

#[test]
fn cap_clips_the_allocation_and_later_epochs_get_nothing() {
    let mut s = SuiteBuilder::new()
        .params(|p| p.verifier_share = dec("0"))
        .cap_room(300_000)
        .build();
    s.register("alice");
    s.work("alice", 1_000).unwrap();
    assert_eq!(s.epoch(0).emitted.u128(), 300_000);
    assert_eq!(s.totals().reserved.u128(), 300_000);
    s.next_epoch();
    // Epoch 0 holds the whole room until it is claimed.
    s.work("alice", 1_000).unwrap();
    assert_eq!(s.epoch(1).emitted, Uint128::zero());
    s.next_epoch();
    s.claim("alice").unwrap();
    assert_eq!(s.balance("alice"), 300_000);
    let totals = s.totals();
    assert_eq!(totals.cap_remaining, Uint128::zero());
    assert_eq!(totals.reserved, Uint128::zero());
    // The token is at its cap; more work earns nothing and minting nothing
    // is not an error.
    s.work("alice", 1_000).unwrap();
    assert_eq!(s.epoch(2).emitted, Uint128::zero());
    s.next_epoch();
    let res = s.claim("alice").unwrap();
    assert_eq!(attr(&res, "minted"), "0");
    assert_eq!(s.total_supply(), 1_000 + 300_000);
}

#[test]
fn cap_room_is_shared_in_epoch_order() {
    let mut s = SuiteBuilder::new()
        .params(|p| p.verifier_share = dec("0"))
        .cap_room(1_500_000)
        .build();
    s.register("alice");
    s.register("bob");
    s.work("alice", 1).unwrap();
    s.next_epoch();
    s.work("bob", 1).unwrap();
    s.next_epoch();
    // Epoch 0 took 1_000_000; epoch 1 what was left of the room.
    assert_eq!(s.epoch(0).emitted.u128(), 1_000_000);
    assert_eq!(s.epoch(1).emitted.u128(), 500_000);
    // Bob claims first: epoch 1's reservation is his whatever the order.
    s.claim("bob").unwrap();
    s.claim("alice").unwrap();
    assert_eq!((s.balance("alice"), s.balance("bob")), (1_000_000, 500_000));
    assert_eq!(s.total_supply(), 1_000 + 1_500_000);
}

#[test]
fn parameter_changes_apply_to_epochs_not_yet_allocated() {
    let mut s = Suite::new();
    s.register("alice");
    s.work("alice", 1).unwrap();
    let gov = s.gov.clone();
    let mut p = crate::suite::default_params();
    p.initial_emission = Uint128::new(2_000_000);
    p.verifier_share = dec("0");
    s.update_params(&gov, p).unwrap();
    s.work("alice", 1).unwrap();
    s.next_epoch();
    s.work("alice", 1).unwrap();
    s.next_epoch();
    // Epoch 0 keeps its allocation and split; epoch 1 is 2_000_000 · 0.9.
    assert_eq!(s.epoch(0).emitted.u128(), 800_000);
    assert_eq!(s.epoch(1).emitted.u128(), 1_800_000);
    s.claim("alice").unwrap();
    assert_eq!(s.balance("alice"), 2_600_000);
}

#[test]
fn providers_share_in_proportion_to_units_times_reputation() {
    let mut s = Suite::new();
    s.register("alice");
    s.register("bob");
    s.succeed("bob", 1);
    assert_eq!((s.reputation("alice"), s.reputation("bob")), (5_000, 5_500));
    let res = s.work("alice", 1_000).unwrap();
    assert_eq!(attr(&res, "weight"), "500");
    let res = s.work("bob", 1_000).unwrap();
    assert_eq!(attr(&res, "weight"), "550");
    assert_eq!(s.epoch(0).provider_weight.u128(), 1_050);
    s.next_epoch();
    s.claim("alice").unwrap();
    s.claim("bob").unwrap();
    // Provider pool 800_000, split 500 : 550, rounded down.
    assert_eq!(s.balance("alice"), 800_000 * 500 / 1_050);
    assert_eq!(s.balance("bob"), 800_000 * 550 / 1_050);
    assert_eq!((s.balance("alice"), s.balance("bob")), (380_952, 419_047));
    let e = s.epoch(0);
    assert_eq!(e.claimed.u128(), 799_999);
    assert!(e.claimed <= e.emitted);
}

#[test]
fn reputation_is_read_when_the_work_is_reported() {
    let mut s = Suite::new();
    s.register("alice");
    s.work("alice", 1_000).unwrap();
    s.succeed("alice", 1);
    let res = s.work("alice", 1_000).unwrap();
    assert_eq!(attr(&res, "weight"), "550");
    assert_eq!(s.epoch(0).provider_weight.u128(), 1_050);
}

#[test]
fn tiny_work_still_counts_as_one() {
    let mut s = Suite::new();
    s.register("alice");
    let res = s.work("alice", 1).unwrap();
    assert_eq!(attr(&res, "weight"), "1");
}

#[test]
fn verifiers_share_their_part_by_attestations() {
    let mut s = Suite::new();
    s.register("alice");
    s.settle("alice", 500, AMPLE_FEE, &["val1", "val2"])
        .unwrap();
    s.settle("alice", 500, AMPLE_FEE, &["val1"]).unwrap();
    let e = s.epoch(0);
    assert_eq!((e.verifier_weight.u128(), e.emitted.u128()), (3, 1_000_000));
    s.next_epoch();
    for who in ["alice", "val1", "val2"] {
        s.claim(who).unwrap();
    }
    assert_eq!(s.balance("alice"), 800_000);
    assert_eq!(s.balance("val1"), 133_333);
    assert_eq!(s.balance("val2"), 66_666);
    assert_eq!(s.epoch(0).claimed.u128(), 999_999);
}

#[test]
fn a_verifier_who_also_provides_is_paid_on_both_sides() {
    let mut s = Suite::new();
    s.register("alice");
    s.register("bob");
    s.work("alice", 1_000).unwrap();
    s.settle("bob", 1_000, AMPLE_FEE, &["alice"]).unwrap();
    s.next_epoch();
    assert_eq!(s.pending("alice").amount.u128(), 400_000 + 200_000);
    s.claim("alice").unwrap();
    assert_eq!(s.balance("alice"), 600_000);
}
