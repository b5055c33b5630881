//! Claiming: bounded per call, resumable, never twice, never early.

use cosmwasm_std::Uint128;
use incentives::ContractError;

use crate::suite::{assert_err, attr, Suite, SuiteBuilder};

/// alice works in each of `epochs` epochs; the clock ends in the next one.
fn worked_epochs(epochs: u64) -> Suite {
    let mut s = Suite::new();
    s.register("alice");
    for _ in 0..epochs {
        s.work("alice", 100).unwrap();
        s.next_epoch();
    }
    s
}

/// 0.8 · 1_000_000 · 0.9^e, as the contract rounds it.
fn provider_share(epoch: u32) -> u128 {
    let mut e = 1_000_000u128;
    for _ in 0..epoch {
        e = e * 9 / 10;
    }
    e * 8 / 10
}

#[test]
fn claim_is_bounded_per_call_and_resumes_oldest_first() {
    let mut s = worked_epochs(7);
    let pending = s.pending("alice");
    assert_eq!((pending.epochs, pending.more), (3, true));
    assert_eq!(
        pending.amount.u128(),
        (0..3).map(provider_share).sum::<u128>()
    );

    let res = s.claim("alice").unwrap();
    assert_eq!(attr(&res, "epochs"), "0,1,2");
    assert_eq!(attr(&res, "more"), "true");
    assert_eq!(s.balance("alice"), pending.amount.u128());

    let res = s.claim("alice").unwrap();
    assert_eq!(attr(&res, "epochs"), "3,4,5");
    let res = s.claim("alice").unwrap();
    assert_eq!(attr(&res, "epochs"), "6");
    assert_eq!(attr(&res, "more"), "false");
    assert_eq!(s.balance("alice"), (0..7).map(provider_share).sum::<u128>());

    assert_err(
        s.claim("alice"),
        ContractError::NothingToClaim {
            address: s.addr("alice").to_string(),
        },
    );
    let pending = s.pending("alice");
    assert_eq!(
        (pending.amount, pending.epochs, pending.more),
        (Uint128::zero(), 0, false)
    );
}

#[test]
fn double_claim_is_impossible() {
    let mut s = worked_epochs(1);
    s.claim("alice").unwrap();
    let paid = s.balance("alice");
    assert_eq!(paid, provider_share(0));
    assert_err(
        s.claim("alice"),
        ContractError::NothingToClaim {
            address: s.addr("alice").to_string(),
        },
    );
    // Later work in the same epoch as the claim is a new epoch's weight.
    s.work("alice", 100).unwrap();
    s.next_epoch();
    s.claim("alice").unwrap();
    assert_eq!(s.balance("alice"), paid + provider_share(1));
    assert_eq!(s.epoch(0).claimed.u128(), provider_share(0));
}

#[test]
fn the_open_epoch_cannot_be_claimed_early() {
    let mut s = Suite::new();
    s.register("alice");
    s.work("alice", 100).unwrap();
    assert_eq!(s.pending("alice").epochs, 0);
    assert_err(
        s.claim("alice"),
        ContractError::NothingToClaim {
            address: s.addr("alice").to_string(),
        },
    );
    // The epoch stays open to the last second.
    s.advance(crate::suite::EPOCH - 1);
    assert!(s.claim("alice").is_err());
    s.advance(1);
    s.claim("alice").unwrap();
    assert_eq!(s.balance("alice"), provider_share(0));
}

#[test]
fn a_stranger_claims_nothing_and_takes_nothing() {
    let mut s = worked_epochs(1);
    assert_err(
        s.claim("mallory"),
        ContractError::NothingToClaim {
            address: s.addr("mallory").to_string(),
        },
    );
    assert_eq!(s.pending("alice").amount.u128(), provider_share(0));
}

#[test]
fn claim_before_the_minter_hand_over_reverts_and_keeps_the_rewards() {
    let mut s = SuiteBuilder::new().keep_governance_minter().build();
    s.register("alice");
    s.work("alice", 100).unwrap();
    s.next_epoch();
    assert!(s.claim("alice").is_err());
    assert_eq!(s.pending("alice").amount.u128(), provider_share(0));
    assert_eq!(s.totals().claimed, Uint128::zero());
    let incentives = s.incentives.clone();
    s.set_minter(&incentives).unwrap();
    s.claim("alice").unwrap();
    assert_eq!(s.balance("alice"), provider_share(0));
}

#[test]
fn an_outside_mint_near_the_cap_clips_the_claim() {
    // Governance keeps the minter, mints into the room reserved for epoch 0,
    // then hands minting over: the claim is clipped to what the cap allows.
    let mut s = SuiteBuilder::new()
        .keep_governance_minter()
        .cap_room(1_000_000)
        .build();
    s.register("alice");
    s.work("alice", 100).unwrap();
    s.next_epoch();
    use cw_multi_test::Executor;
    let (gov, agpu) = (s.gov.clone(), s.agpu.clone());
    let whale = s.addr("whale").to_string();
    s.app
        .execute_contract(
            gov,
            agpu,
            &cw20::Cw20ExecuteMsg::Mint {
                recipient: whale,
                amount: Uint128::new(900_000),
            },
            &[],
        )
        .unwrap();
    let incentives = s.incentives.clone();
    s.set_minter(&incentives).unwrap();
    let res = s.claim("alice").unwrap();
    assert_eq!(attr(&res, "reward"), "800000");
    assert_eq!(attr(&res, "minted"), "100000");
    assert_eq!(s.balance("alice"), 100_000);
    let totals = s.totals();
    assert_eq!(
        (totals.claimed.u128(), totals.minted.u128()),
        (800_000, 100_000)
    );
    assert_eq!(totals.cap_remaining, Uint128::zero());
}
