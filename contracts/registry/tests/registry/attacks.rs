//! The registry's rows of the issue-12 security review: each test tries the
//! attack and shows it is refused or loses money.

use cosmwasm_std::{Addr, Uint128};
use cw20::Cw20ExecuteMsg;
use cw_multi_test::Executor;
use registry::ContractError;
use starminer_interfaces::registry::{
    ChallengeStatus, ExecuteMsg, QueryMsg, Role, SlashResult, ValidatorsResponse,
};

use crate::suite::{assert_err, default_params, Suite};
use starminer_interfaces::draw::draw_weighted;

/// Sends `amount` AGPU from alice's genesis balance to `to`.
fn fund(s: &mut Suite, to: &Addr, amount: u128) {
    let alice = s.addr("alice");
    s.app
        .execute_contract(
            alice,
            s.agpu.clone(),
            &Cw20ExecuteMsg::Transfer {
                recipient: to.to_string(),
                amount: Uint128::new(amount),
            },
            &[],
        )
        .unwrap();
}

/// Registers `name` as a validator and bonds `stake` (funded by alice).
fn validator_named(s: &mut Suite, name: &str, stake: u128) -> Addr {
    let addr = s.addr(name);
    fund(s, &addr, stake);
    s.exec(
        &addr,
        &Suite::register_msg("us-east", vec![Role::Validator]),
    )
    .unwrap();
    s.bond(name, stake).unwrap();
    addr
}

fn seated(s: &Suite) -> Vec<Addr> {
    s.seated()
}

fn attest_as(
    s: &mut Suite,
    v: &Addr,
    provider: &str,
    id: u64,
    valid: bool,
    score: u64,
) -> crate::suite::Res {
    let provider = s.addr(provider).to_string();
    s.exec(
        v,
        &ExecuteMsg::AttestBenchmark {
            provider,
            challenge_id: id,
            valid,
            measured_score: score,
        },
    )
}

// ---- H6: first come, first seated ------------------------------------------

#[test]
fn attack_seat_squatting_is_displaced_by_larger_bond() {
    // 16 × 5,000 fill every seat first; a later validator with a larger bond
    // must still get a seat, and the smallest squatter loses its seat.
    let mut params = default_params();
    params.max_validators = 16;
    let mut s = Suite::with_params(params);
    let squatters: Vec<Addr> = (0..16)
        .map(|i| validator_named(&mut s, &format!("squat{i:02}"), 5_000 + i))
        .collect();
    assert_eq!(s.validator_totals().count, 16);
    // An honest validator with more stake arrives after them.
    s.register("bob", "us-east", vec![Role::Validator]).unwrap();
    let res = s.bond("bob", 50_000).unwrap();
    assert!(seated(&s).contains(&s.addr("bob")));
    assert_eq!(s.validator_totals().count, 16);
    // The smallest squatter (5,000) was displaced, with an event.
    assert!(!seated(&s).contains(&squatters[0]));
    let ev = res
        .events
        .iter()
        .find(|e| e.ty == "wasm-validator_unseated")
        .unwrap();
    assert!(ev
        .attributes
        .iter()
        .any(|a| a.key == "validator" && a.value == squatters[0].as_str()));
    // It waits, and takes a seat back as soon as it outbids the smallest.
    fund(&mut s, &squatters[0], 10);
    s.bond("squat00", 10).unwrap(); // 5,010 > squat01's 5,001
    assert!(seated(&s).contains(&squatters[0]));
    assert!(!seated(&s).contains(&squatters[1]));
    // The set is always the top 16 by bond.
    let v: ValidatorsResponse = s.query(&QueryMsg::Validators {
        start_after: None,
        limit: Some(100),
    });
    let smallest_seat = v.validators.iter().map(|v| v.stake).min().unwrap();
    assert!(smallest_seat >= Uint128::new(5_002));
}

#[test]
fn lowering_max_validators_drops_the_smallest_seats_with_events() {
    let mut params = default_params();
    params.max_validators = 15;
    let mut s = Suite::with_params(params.clone());
    for i in 0..15u128 {
        validator_named(&mut s, &format!("v{i:02}"), 5_000 + i);
    }
    // A cut of more than 10 seats at once is refused.
    let mut cut = params.clone();
    cut.max_validators = 4;
    assert_err(
        s.gov(&ExecuteMsg::UpdateConfig {
            governance: None,
            params: Some(cut.clone()),
        }),
        ContractError::SeatChangeTooLarge { max: 10 },
    );
    cut.max_validators = 5;
    let res = s
        .gov(&ExecuteMsg::UpdateConfig {
            governance: None,
            params: Some(cut),
        })
        .unwrap();
    let dropped: Vec<_> = res
        .events
        .iter()
        .filter(|e| e.ty == "wasm-validator_unseated")
        .collect();
    assert_eq!(dropped.len(), 10);
    assert_eq!(s.validator_totals().count, 5);
    // The five largest stay.
    let v: ValidatorsResponse = s.query(&QueryMsg::Validators {
        start_after: None,
        limit: Some(100),
    });
    assert!(v.validators.iter().all(|v| v.stake >= Uint128::new(5_010)));
    // Raising it again seats the best candidates at once.
    params.max_validators = 8;
    s.gov(&ExecuteMsg::UpdateConfig {
        governance: None,
        params: Some(params),
    })
    .unwrap();
    assert_eq!(s.validator_totals().count, 8);
}

// ---- H2: a verifier's stake is never at risk --------------------------------

#[test]
fn attack_verifier_unbonds_after_false_invalid_is_still_slashed() {
    // A drawn verifier files a false Invalid (off this contract: the market
    // locks its verifier collateral under (verifier, job)) and unbonds all
    // it can in the same transaction, hoping the refuting slash finds
    // nothing.
    let mut s = Suite::new();
    s.validator_with_stake("val1", 6_000);
    s.lock("val1", 7, 1_000).unwrap();
    // The locked part cannot leave.
    assert_err(
        s.unbond("val1", 6_000),
        ContractError::InsufficientFreeStake {
            free: Uint128::new(5_000),
            requested: Uint128::new(6_000),
        },
    );
    s.unbond("val1", 5_000).unwrap();
    // The refutation slashes 3,000: the lock, then the unbonding claim.
    let provider_before = s.balance_of("alice");
    let res = s.slash("val1", Some(7), 3_000, Some("alice")).unwrap();
    let data: SlashResult = cosmwasm_std::from_json(res.data.clone().unwrap()).unwrap();
    assert_eq!(data.taken, Uint128::new(3_000));
    assert_eq!(crate::suite::attr(&res, "from_claims"), "2000");
    assert_eq!(s.balance_of("alice"), provider_before + 1_800);
    let stake = s.stake("val1");
    assert_eq!(stake.bonded, Uint128::zero());
    assert_eq!(stake.claims[0].amount, Uint128::new(3_000));
    // What is left is paid once it matures, and the books balance.
    s.advance(100);
    let before = s.balance_of("val1");
    s.claim("val1").unwrap();
    assert_eq!(s.balance_of("val1"), before + 3_000);
    let t = s.totals();
    assert_eq!(
        s.agpu_balance(&s.registry),
        (t.total_bonded + t.total_claims).u128()
    );
}

#[test]
fn attack_unbond_before_slash_is_slashed_from_unbonding_claims_newest_first() {
    let mut s = Suite::new();
    s.provider_with_stake("alice", 3_000);
    s.unbond("alice", 1_000).unwrap(); // matures at +100
    s.advance(50);
    s.unbond("alice", 2_000).unwrap(); // matures at +150
                                       // Nothing free is left; the slash takes the newest claim first.
    let res = s.slash("alice", None, 2_500, None).unwrap();
    assert_eq!(crate::suite::attr(&res, "slashed"), "2500");
    let claims = s.stake("alice").claims;
    assert_eq!(claims.len(), 1);
    assert_eq!(claims[0].amount, Uint128::new(500));
    assert_eq!(s.totals().total_claims, Uint128::new(500));
    assert_eq!(s.agpu_balance(&s.gov), 2_500);
    // A matured claim is no longer at risk.
    s.advance(50);
    let res = s.slash("alice", None, 500, None).unwrap();
    assert_eq!(crate::suite::attr(&res, "slashed"), "0");
    s.claim("alice").unwrap();
}

// ---- M1: one validator decides a benchmark -----------------------------------

/// A provider (alice) and five seated validators; `erin` is alice's sybil.
fn benchmark_setup() -> Suite {
    let mut params = default_params();
    params.max_validators = 5;
    let mut s = Suite::with_params(params);
    s.provider_with_stake("alice", 1_000);
    for v in ["val1", "val2", "val3", "val4"] {
        s.validator_with_stake(v, 5_000);
    }
    s.validator_with_stake("erin", 5_000);
    s.anchor_all();
    s.advance_beacon(3);
    s
}

#[test]
fn attack_sybil_validator_certifies_fake_tier_is_refused() {
    let mut s = benchmark_setup();
    let erin = s.addr("erin");
    // alice claims tier 4 on hardware that cannot do it; her sybil erin
    // stands ready to certify it.
    let id = s.request_benchmark("alice", 900).unwrap();
    s.submit_benchmark("alice", id).unwrap();
    // Before the draw nobody may attest (erin cannot get in first).
    let draw_seq = s.challenge(id).draw_seq.unwrap();
    assert_err(
        attest_as(&mut s, &erin, "alice", id, true, 900),
        ContractError::NotDrawnYet {
            challenge_id: id,
            draw_seq,
        },
    );
    s.advance_beacon(u64::from(s.beacon().reveals_per_draw));
    let c = s.challenge(id);
    assert_eq!(c.quorum, 3);
    assert_eq!(c.verifiers.len(), 3);
    if !c.verifiers.contains(&erin) {
        assert_err(
            attest_as(&mut s, &erin, "alice", id, true, 900),
            ContractError::NotDrawn { challenge_id: id },
        );
    }
    // Drawn or not, one seat is not a majority of three: the honest drawn
    // verifiers recompute and find the result wrong.
    for v in c.verifiers.clone() {
        let valid = v == erin;
        attest_as(&mut s, &v, "alice", id, valid, 900).unwrap();
    }
    assert!(matches!(
        s.challenge(id).status,
        ChallengeStatus::Rejected { .. }
    ));
    let p = s.provider("alice");
    assert_eq!((p.tier, p.benchmark.verified_score), (0, 0));
}

#[test]
fn attack_single_validator_front_runs_invalid_benchmark() {
    let mut s = benchmark_setup();
    let id = s.request_benchmark("alice", 300).unwrap();
    s.submit_benchmark("alice", id).unwrap();
    s.advance_beacon(u64::from(s.beacon().reveals_per_draw));
    let drawn = s.challenge(id).verifiers;
    // The first drawn verifier is hostile and attests Invalid at once.
    attest_as(&mut s, &drawn[0], "alice", id, false, 0).unwrap();
    assert!(matches!(
        s.challenge(id).status,
        ChallengeStatus::Submitted { .. }
    ));
    // It cannot vote twice.
    assert_err(
        attest_as(&mut s, &drawn[0], "alice", id, false, 0),
        ContractError::AlreadyAttested {
            challenge_id: id,
            validator: drawn[0].to_string(),
        },
    );
    // The two honest ones measure 250 and 320: verified at the median of the
    // valid attestations (the lower middle of two), capped at the claim.
    attest_as(&mut s, &drawn[1], "alice", id, true, 320).unwrap();
    let res = attest_as(&mut s, &drawn[2], "alice", id, true, 250).unwrap();
    assert_eq!(crate::suite::attr(&res, "decision"), "verified");
    let p = s.provider("alice");
    assert_eq!(p.benchmark.verified_score, 250);
    assert_eq!(p.tier, 2);
}

#[test]
fn drawn_verifier_that_stays_silent_is_jailed_and_slashed() {
    let mut s = benchmark_setup();
    let id = s.request_benchmark("alice", 200).unwrap();
    s.submit_benchmark("alice", id).unwrap();
    s.advance_beacon(u64::from(s.beacon().reveals_per_draw));
    let drawn = s.challenge(id).verifiers;
    attest_as(&mut s, &drawn[0], "alice", id, true, 200).unwrap();
    attest_as(&mut s, &drawn[1], "alice", id, true, 200).unwrap();
    // Too early to finalize.
    let closes = s.challenge(id).deadline.plus_seconds(600);
    assert_err(
        s.exec_as("bob", &ExecuteMsg::FinalizeBenchmark { challenge_id: id }),
        ContractError::AttestWindowOpen {
            challenge_id: id,
            closes,
        },
    );
    s.advance(300 + 601);
    let treasury = s.agpu_balance(&s.gov);
    s.exec_as("bob", &ExecuteMsg::FinalizeBenchmark { challenge_id: id })
        .unwrap();
    // Two of three valid: verified.
    assert_eq!(s.provider("alice").tier, 2);
    // The silent one lost 1 % of its bond to the treasury, and its seat.
    let silent = s.provider_at(&drawn[2]);
    assert!(silent.is_jailed());
    assert_eq!(silent.bonded, Uint128::new(4_950));
    assert_eq!(s.agpu_balance(&s.gov), treasury + 50);
    assert!(!s.seated().contains(&drawn[2]));
}

#[test]
fn slash_beyond_the_job_lock_never_takes_other_locks() {
    // 0.1.0 counted the job's lock as free once it was taken, so a slash
    // asking for more than lock + free bond failed (or took other jobs'
    // collateral): the market could not settle.
    let mut s = Suite::new();
    s.provider_with_stake("alice", 1_000);
    s.lock("alice", 1, 300).unwrap();
    s.lock("alice", 2, 200).unwrap();
    let res = s.slash("alice", Some(1), 10_000, None).unwrap();
    assert_eq!(crate::suite::attr(&res, "slashed"), "800");
    let stake = s.stake("alice");
    assert_eq!((stake.bonded.u128(), stake.locked.u128()), (200, 200));
}

// ---- M4: zone hopping ----------------------------------------------------------

#[test]
fn attack_zone_hopping_claim_in_same_tx_is_refused() {
    // A provider in eu-west moves to us-east to claim a job there at once,
    // skipping the spillover delays and the latency limits. The job market
    // reads the provider's zone from the registry: in the same block (and
    // for zone_change_delay after it) that zone is still eu-west.
    let mut s = Suite::new();
    s.provider_with_stake("alice", 1_000);
    let move_to = |zone: &str| ExecuteMsg::UpdateProfile {
        moniker: None,
        pubkey: None,
        region: None,
        zone: Some(zone.into()),
        result_server_url: None,
        roles: None,
    };
    let res = s.exec_as("alice", &move_to("us-east")).unwrap();
    assert_eq!(crate::suite::attr(&res, "zone"), "eu-west");
    assert_eq!(crate::suite::attr(&res, "pending_zone"), "us-east");
    assert_eq!(s.provider("alice").zone, "eu-west");
    let us: starminer_interfaces::registry::ProvidersResponse =
        s.query(&QueryMsg::ProvidersByZone {
            zone: "us-east".into(),
            start_after: None,
            limit: None,
        });
    assert!(us.providers.is_empty());
    // Hopping again restarts the clock; going back cancels the move.
    s.advance(3_000);
    s.exec_as("alice", &move_to("ap-south")).unwrap();
    s.advance(1_000);
    assert_eq!(s.provider("alice").zone, "eu-west");
    s.exec_as("alice", &move_to("eu-west")).unwrap();
    s.advance(10_000);
    let p = s.provider("alice");
    assert_eq!((p.zone.as_str(), p.pending_zone), ("eu-west", None));
    // Registration sets the zone at once.
    s.register("bob", "ap-south", vec![]).unwrap();
    assert_eq!(s.provider("bob").zone, "ap-south");
}

// ---- Draw weights: stake bonded once the beacon value is public -------------

/// The seated set weighted for a draw seeded by beacon value `seq`.
fn weights_as_of(s: &Suite, seq: u64) -> Vec<(Addr, Uint128)> {
    let v: ValidatorsResponse = s.query(&QueryMsg::ValidatorsAsOf {
        seq,
        start_after: None,
        limit: Some(100),
    });
    v.validators
        .into_iter()
        .map(|v| (v.address, v.stake))
        .collect()
}

/// `who`'s weight in a draw seeded by value `seq` (None: not seated now).
fn weight_as_of(s: &Suite, seq: u64, who: &str) -> Option<u128> {
    let addr = s.addr(who);
    weights_as_of(s, seq)
        .into_iter()
        .find(|(a, _)| *a == addr)
        .map(|(_, w)| w.u128())
}

fn seat_stake(s: &Suite, who: &str) -> Option<u128> {
    let addr = s.addr(who);
    let v: ValidatorsResponse = s.query(&QueryMsg::Validators {
        start_after: None,
        limit: Some(100),
    });
    v.validators
        .into_iter()
        .find(|v| v.address == addr)
        .map(|v| v.stake.u128())
}

/// Five seats (val1, val2, val4, erin at 5,000; val3 at 8,000), all running
/// the beacon.
fn draw_weight_setup() -> Suite {
    let mut params = default_params();
    params.max_validators = 5;
    let mut s = Suite::with_params(params);
    for v in ["val1", "val2", "val4", "erin"] {
        s.validator_with_stake(v, 5_000);
    }
    s.validator_with_stake("val3", 8_000);
    s.anchor_all();
    s.advance_beacon(3);
    s
}

#[test]
fn attack_bonding_after_the_beacon_value_does_not_raise_draw_weight() {
    let mut s = draw_weight_setup();
    // A consumer fixes a draw on the next beacon value...
    let draw_at = s.beacon().seq + 1;
    s.advance_beacon(1);
    // ...which is now public: everyone can compute the draw's seed.
    let before = weights_as_of(&s, draw_at);
    assert_eq!(weight_as_of(&s, draw_at, "val1"), Some(5_000));

    // val1 bonds 20x more to win that draw, and again in two later beacon
    // sequences (so "the stake at its last change" would be past the value).
    s.bond("val1", 100_000).unwrap();
    s.advance_beacon(1);
    s.bond("val1", 100_000).unwrap();
    s.advance_beacon(1);
    s.bond("val1", 100_000).unwrap();
    assert_eq!(seat_stake(&s, "val1"), Some(305_000));
    // Its weight in that draw is unchanged...
    assert_eq!(weight_as_of(&s, draw_at, "val1"), Some(5_000));
    // ...and so is the whole weighted set: the draw comes out the same.
    assert_eq!(weights_as_of(&s, draw_at), before);
    let seed = [7u8; 32];
    assert_eq!(
        draw_weighted(&weights_as_of(&s, draw_at), &[], 2, &seed),
        draw_weighted(&before, &[], 2, &seed)
    );
    // Each bond counts from the value after it on.
    assert_eq!(weight_as_of(&s, draw_at + 1, "val1"), Some(105_000));
    assert_eq!(weight_as_of(&s, draw_at + 2, "val1"), Some(205_000));
    let head = s.beacon().seq;
    assert_eq!(weight_as_of(&s, head + 1, "val1"), Some(305_000));

    // Stake that left after the value counts as gone (the smaller of the
    // two): val3 is slashed 3,000 of its 8,000...
    s.slash("val3", None, 3_000, None).unwrap();
    assert_eq!(weight_as_of(&s, draw_at, "val3"), Some(5_000));
    // ...and bonding it back does not restore more than it had before.
    s.bond("val3", 10_000).unwrap();
    assert_eq!(weight_as_of(&s, draw_at, "val3"), Some(8_000));
    // val2 unbonds below the validator minimum: no seat, not in the draw.
    s.unbond("val2", 1_000).unwrap();
    assert_eq!(weight_as_of(&s, draw_at, "val2"), None);

    // A newcomer seated after the value (dave takes the free seat) is listed
    // but weighs nothing in that draw: it held no seat before the value.
    s.validator_with_stake("dave", 50_000);
    assert_eq!(seat_stake(&s, "dave"), Some(50_000));
    assert_eq!(weight_as_of(&s, draw_at, "dave"), Some(0));
    let head = s.beacon().seq;
    assert_eq!(weight_as_of(&s, head + 1, "dave"), Some(50_000));
    assert!(!draw_weighted(&weights_as_of(&s, draw_at), &[], 5, &seed).contains(&s.addr("dave")));
}

#[test]
fn draw_weight_history_is_bounded_and_forgets_to_zero() {
    let mut s = draw_weight_setup();
    let draw_at = s.beacon().seq + 1;
    s.advance_beacon(1);
    // Several changes in one beacon sequence are one mark.
    for _ in 0..20 {
        s.bond("val4", 10).unwrap();
    }
    assert_eq!(weight_as_of(&s, draw_at, "val4"), Some(5_000));
    let hist = |s: &Suite| {
        let storage = s.app.contract_storage(&s.registry);
        registry::state::STAKE_HISTORY
            .load(&*storage, &s.addr("val4"))
            .unwrap()
    };
    let marks_now = hist(&s).marks.len();
    // Changes in eight more sequences: nine marks from `draw_at` on, one
    // more than are kept. The oldest goes and with it what the stake was
    // before `draw_at`: unknown stake counts as nothing.
    for i in 0..8 {
        s.advance_beacon(1);
        s.bond("val4", 10).unwrap();
        let kept = hist(&s).marks.len();
        assert!(kept <= registry::snapshot::MAX_STAKE_MARKS);
        if i < 7 {
            assert_eq!(weight_as_of(&s, draw_at, "val4"), Some(5_000), "{i}");
        }
    }
    assert!(marks_now <= registry::snapshot::MAX_STAKE_MARKS);
    assert_eq!(hist(&s).marks.len(), registry::snapshot::MAX_STAKE_MARKS);
    assert_eq!(weight_as_of(&s, draw_at, "val4"), Some(0));
    // Recent values are still exact.
    let head = s.beacon().seq;
    assert_eq!(weight_as_of(&s, head, "val4"), Some(5_000 + 200 + 70));
    assert_eq!(weight_as_of(&s, head + 1, "val4"), Some(5_000 + 200 + 80));
    // Others are untouched.
    assert_eq!(weight_as_of(&s, draw_at, "val1"), Some(5_000));
}

/// A benchmark challenge of alice's, submitted; `leave` unbond everything
/// before the draw's beacon value exists, and with `bond_after` val3 bonds
/// 190x its stake once the value is public. The drawn verifiers, sorted.
fn benchmark_draw(leave: &[&str], bond_after: bool) -> (Suite, u64, Vec<Addr>) {
    let mut s = benchmark_setup();
    let id = s.request_benchmark("alice", 300).unwrap();
    s.submit_benchmark("alice", id).unwrap();
    for v in leave {
        s.unbond(v, 5_000).unwrap();
    }
    s.advance_beacon(u64::from(s.beacon().reveals_per_draw));
    if bond_after {
        s.bond("val3", 950_000).unwrap();
    }
    let mut drawn = s.challenge(id).verifiers;
    drawn.sort();
    (s, id, drawn)
}

#[test]
fn attack_benchmark_draw_weighs_stake_as_of_the_beacon_value() {
    // Bonding once the value is public changes nothing in the draw.
    let (_, _, quiet) = benchmark_draw(&["val1"], false);
    let (_, _, loud) = benchmark_draw(&["val1"], true);
    assert_eq!(quiet, loud);
    assert_eq!(quiet.len(), 3);
    // Stake that left before the value is not drawn, although the challenge
    // snapshotted it at submission: with two of five gone, the three left
    // are the quorum.
    let (mut s, id, drawn) = benchmark_draw(&["val1", "val2"], true);
    let mut expected = vec![s.addr("val3"), s.addr("val4"), s.addr("erin")];
    expected.sort();
    assert_eq!(drawn, expected);
    assert!(!quiet.contains(&s.addr("val1")));
    // The drawn set holds: they attest and decide.
    for v in drawn {
        attest_as(&mut s, &v, "alice", id, true, 300).unwrap();
    }
    assert!(matches!(
        s.challenge(id).status,
        ChallengeStatus::Verified { .. }
    ));
}
