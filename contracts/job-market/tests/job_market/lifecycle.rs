//! Submission, claims, urgency, leases, cancellation, bad input, settlement
//! without verifiers and replication.

use cosmwasm_std::Uint128;
use cw_multi_test::Executor;
use starminer_interfaces::job_market::{ExecuteMsg, JobStatus, QueryMsg, QueueResponse};
use starminer_interfaces::market::{Determinism, Urgency, VerificationMode};

use crate::suite::*;

/// 100×100/100 = 100 units at 10 uagpu.
const UNITS: u128 = 100;

#[test]
fn none_mode_job_settles_after_the_challenge_window_and_conserves_escrow() {
    let mut s = Suite::new();
    s.provider("p1", "eu", 2);
    let spec = s.spec("eu", Urgency::Normal, VerificationMode::None);
    let alice0 = s.balance("alice");
    let id = s.submit("alice", &spec, 5_000); // quote 1000, 4000 refunded at once
    assert_eq!(s.balance("alice"), alice0 - 1_000);
    assert_eq!(s.market_balance(), 1_000);
    assert_eq!(s.claim_next("p1").unwrap(), id);
    assert_eq!(s.stake("p1").locked.u128(), 950); // collateral_rate 1 × payout
    let out = honest_output(id, 1000);
    s.submit_result("p1", id, &out).unwrap();
    assert_err(s.settle(id), "challenge window");
    s.advance(601);
    let p1 = s.balance("p1");
    let t0 = s.treasury();
    let res = s.settle(id).unwrap();
    assert_eq!(attr(&res, "action"), "settled");
    assert_eq!(s.balance("p1"), p1 + 950);
    assert_eq!(s.treasury(), t0 + 50);
    assert_eq!(s.market_balance(), 0);
    assert_eq!(s.stake("p1").locked.u128(), 0);
    let rec = s.provider_record("p1");
    assert_eq!(rec.counters.jobs_done, 1);
    assert!(rec.reputation > 5_000);
    let job = s.job(id);
    assert_eq!(job.job.status, JobStatus::Settled);
    let actions: Vec<_> = job.history.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "job_submitted",
            "job_claimed",
            "result_submitted",
            "settled"
        ]
    );
    let stats = s.stats();
    assert_eq!(stats.totals.live_escrow, Uint128::zero());
    assert_eq!(stats.totals.provider_payouts.u128(), 950);
    assert_eq!(stats.totals.protocol_fees.u128(), 50);
}

#[test]
fn submission_is_validated_priced_and_only_paid_in_agpu() {
    let mut s = Suite::new();
    let mut spec = s.spec("eu", Urgency::Normal, VerificationMode::None);
    assert_err(s.submit_spec("alice", &spec, 999), "only 999 were sent");
    spec.max_price = Uint128::new(999);
    assert_err(
        s.submit_spec("alice", &spec, 5_000),
        "above the job's max price",
    );
    let mut spec = s.spec("mars", Urgency::Normal, VerificationMode::None);
    assert_err(s.submit_spec("alice", &spec, 5_000), "not a market zone");
    spec.requirements.zone = "eu".into();
    spec.verification = VerificationMode::Replicated { k: 9 };
    assert_err(s.submit_spec("alice", &spec, 50_000), "Replicated takes");
    // A tolerance template's replicas may differ in their last bits on
    // different devices: replication (compared by root) is refused for it,
    // recomputation (SpotCheck) is not.
    let mut tolerant = template();
    tolerant.id = "hpc.tolerant".into();
    tolerant.determinism = Determinism::Tolerance {
        eps: cosmwasm_std::Decimal::permille(1),
    };
    s.gov_exec(&ExecuteMsg::RegisterTemplate { template: tolerant })
        .unwrap();
    spec.template = "hpc.tolerant".into();
    spec.verification = VerificationMode::Replicated { k: 2 };
    assert_err(
        s.submit_spec("alice", &spec, 50_000),
        "reproducible only within a tolerance",
    );
    spec.verification = VerificationMode::SpotCheck { verifiers: 1 };
    s.submit_spec("alice", &spec, 50_000).unwrap();
    spec.template = TEMPLATE.into();
    spec.verification = VerificationMode::None;
    spec.params.pop();
    assert_err(s.submit_spec("alice", &spec, 5_000), "missing parameter");
    // Direct Receive from someone who is not the token.
    let fake = ExecuteMsg::Receive(cw20::Cw20ReceiveMsg {
        sender: s.addr("alice").to_string(),
        amount: Uint128::new(10_000),
        msg: cosmwasm_std::to_json_binary(
            &starminer_interfaces::job_market::ReceiveMsg::SubmitJob {
                spec: s.spec("eu", Urgency::Normal, VerificationMode::None),
            },
        )
        .unwrap(),
    });
    assert_err(s.exec("alice", &fake), "paid in AGPU only");
    // Native coins are refused on every message.
    let alice = s.addr("alice");
    let market = s.market.clone();
    assert!(s
        .app
        .execute_contract(
            alice,
            market,
            &ExecuteMsg::ClaimNext { start_after: None },
            &cosmwasm_std::coins(1, "ustar")
        )
        .is_err());
}

#[test]
fn every_urgency_is_served_in_priority_order_with_its_lease() {
    let mut s = Suite::new();
    s.provider("p1", "eu", 2);
    let mut ids = vec![];
    for u in [
        Urgency::Low,
        Urgency::Normal,
        Urgency::High,
        Urgency::Realtime,
    ] {
        let spec = s.spec("eu", u, VerificationMode::None);
        ids.push((u, s.submit("alice", &spec, 5_000)));
    }
    let q: QueueResponse = s.query(&QueryMsg::OpenQueue {
        zone: "eu".into(),
        tier: Some(1),
        start_after: None,
        limit: None,
    });
    let order: Vec<u64> = q.entries.iter().map(|e| e.job_id).collect();
    assert_eq!(order, vec![4, 3, 2, 1]);
    // 100 units × 1 s × factor: realtime 50 → min lease 60, high 75, normal 100, low 200.
    let expected = [
        (Urgency::Realtime, 60),
        (Urgency::High, 75),
        (Urgency::Normal, 100),
        (Urgency::Low, 200),
    ];
    for (u, lease) in expected {
        let id = s.claim_next("p1").unwrap();
        let (want_u, want_id) = ids.iter().find(|(x, _)| *x == u).unwrap();
        assert_eq!((id, u), (*want_id, *want_u));
        let job = s.job(id).job;
        assert_eq!(
            job.slots[0].lease_deadline.seconds() - s.now().seconds(),
            lease
        );
        // Prices follow the urgency multiplier.
        assert_eq!(job.escrow, s.quote(UNITS, u, &VerificationMode::None).total);
        s.submit_result("p1", id, &honest_output(id, 200)).unwrap();
    }
    assert_err(s.claim_next("p1"), "no claimable job");
}

#[test]
fn lease_timeout_slashes_requeues_then_expires_with_full_refund() {
    let mut s = Suite::new();
    s.provider("p1", "eu", 2);
    s.provider("p2", "eu", 2);
    let mut spec = s.spec("eu", Urgency::Normal, VerificationMode::None);
    spec.deadline = s.now().plus_seconds(250);
    let alice0 = s.balance("alice");
    let id = s.submit("alice", &spec, 1_000);
    s.claim("p1", id).unwrap();
    assert_err(s.expire(id), "no lease or deadline");
    s.advance(101);
    let bonded = s.stake("p1").bonded.u128();
    let res = s.expire(id).unwrap();
    assert_eq!(attr(&res, "action"), "requeued");
    assert_eq!(s.stake("p1").bonded.u128(), bonded - 950);
    assert_eq!(s.balance("alice"), alice0 - 1_000 + 475); // half of the slash to the requester
    assert_eq!(s.provider_record("p1").counters.jobs_timed_out, 1);
    assert_eq!(s.status(id), JobStatus::Open);
    // The provider that timed out cannot take it again.
    assert_err(s.claim("p1", id), "already holds (or held)");
    s.claim("p2", id).unwrap();
    assert_eq!(
        s.job(id).job.slots[0].lease_deadline,
        spec.deadline.min(s.now().plus_seconds(100))
    );
    s.advance(200);
    let res = s.expire(id).unwrap();
    assert_eq!(attr(&res, "action"), "expired");
    assert_eq!(s.status(id), JobStatus::Expired);
    assert_eq!(s.balance("alice"), alice0 + 475 + 475);
    assert_eq!(s.market_balance(), 0);
}

#[test]
fn open_job_past_its_deadline_expires_with_refund() {
    let mut s = Suite::new();
    let mut spec = s.spec("eu", Urgency::Low, VerificationMode::None);
    // Low urgency: a 200 s lease, the shortest deadline accepted.
    spec.deadline = s.now().plus_seconds(200);
    let alice0 = s.balance("alice");
    let id = s.submit("alice", &spec, 800);
    s.advance(200);
    s.expire(id).unwrap();
    assert_eq!(s.status(id), JobStatus::Expired);
    assert_eq!(s.balance("alice"), alice0);
}

#[test]
fn requester_cancels_an_unclaimed_job_for_a_full_refund_but_not_a_claimed_one() {
    let mut s = Suite::new();
    s.provider("p1", "eu", 2);
    let spec = s.spec("eu", Urgency::Normal, VerificationMode::None);
    let alice0 = s.balance("alice");
    let a = s.submit("alice", &spec, 1_000);
    let b = s.submit("alice", &spec, 1_000);
    assert_err(
        s.exec("bob", &ExecuteMsg::Cancel { job_id: a }),
        "only the requester",
    );
    let res = s.exec("alice", &ExecuteMsg::Cancel { job_id: a }).unwrap();
    assert_eq!(attr(&res, "action"), "cancelled");
    // The treasury keeps the 5 % cancellation fee.
    assert_eq!(attr(&res, "cancel_fee"), "50");
    assert_eq!(s.balance("alice"), alice0 - 1_000 - 50);
    s.claim("p1", b).unwrap();
    assert_err(
        s.exec("alice", &ExecuteMsg::Cancel { job_id: b }),
        "is Assigned",
    );
    assert_eq!(s.status(a), JobStatus::Cancelled);
}

#[test]
fn bad_input_fails_at_the_requesters_cost_and_slashes_nobody() {
    let mut s = Suite::new();
    s.provider("p1", "eu", 2);
    let spec = s.spec("eu", Urgency::Normal, VerificationMode::None);
    let alice0 = s.balance("alice");
    let id = s.submit("alice", &spec, 1_000);
    s.claim("p1", id).unwrap();
    let p1 = s.balance("p1");
    s.exec("p1", &ExecuteMsg::ReportBadInput { job_id: id })
        .unwrap();
    // A remote input is judged; here the requester concedes.
    let res = s
        .exec(
            "alice",
            &ExecuteMsg::JudgeBadInput {
                job_id: id,
                input_bad: true,
            },
        )
        .unwrap();
    assert_eq!(attr(&res, "action"), "failed");
    assert_eq!(s.balance("p1"), p1 + 95); // 10% of the 950 payout
    assert_eq!(s.balance("alice"), alice0 - 95);
    assert_eq!(s.stake("p1").locked.u128(), 0);
    assert_eq!(s.stake("p1").bonded.u128(), 1_000_000);
    assert_eq!(s.status(id), JobStatus::Failed);
    assert_eq!(s.market_balance(), 0);
}

#[test]
fn claims_check_activity_tier_and_hardware() {
    let mut s = Suite::new();
    s.provider("p1", "eu", 1);
    s.provider_with("p2", "eu", 3, vec![gpu(80, 4), gpu(1, 200)], 1_000_000);
    let mut spec = s.spec("eu", Urgency::Normal, VerificationMode::None);
    spec.requirements.min_tier = 2;
    spec.requirements.min_device_memory = cosmwasm_std::Uint64::new(2_000_000_000);
    let id = s.submit("alice", &spec, 1_000);
    assert_err(s.claim("p1", id), "tier 1 < 2");
    // p2: one device has memory, the other compute units; none has both.
    assert_err(s.claim("p2", id), "no device has");
    assert_err(s.claim("bob", id), "not active in the registry");
}

#[test]
fn replicated_job_pays_the_majority_and_slashes_the_dissenter() {
    let mut s = Suite::new();
    for p in ["p1", "p2", "p3"] {
        s.provider(p, "eu", 2);
    }
    let spec = s.spec("eu", Urgency::High, VerificationMode::Replicated { k: 3 });
    let quote = s.quote(UNITS, Urgency::High, &VerificationMode::Replicated { k: 3 });
    let alice0 = s.balance("alice");
    let id = s.submit("alice", &spec, quote.total.u128());
    for p in ["p1", "p2", "p3"] {
        assert_eq!(s.claim_next(p).unwrap(), id);
    }
    assert_err(s.claim_next("p1"), "no claimable job");
    let good = honest_output(id, 500);
    let mut bad = good.clone();
    bad[130] ^= 1;
    s.commit("p1", id, &good, b"salt-one-0123456").unwrap();
    s.commit("p2", id, &good, b"salt-two-0123456").unwrap();
    assert_err(
        s.reveal("p1", id, &good, b"salt-one-0123456"),
        "is Assigned",
    );
    s.commit("p3", id, &bad, b"salt-three-01234").unwrap();
    assert_eq!(s.status(id), JobStatus::Revealing);
    assert_err(
        s.reveal("p1", id, &good, b"wrong-salt-01234"),
        "do not match",
    );
    s.reveal("p1", id, &good, b"salt-one-0123456").unwrap();
    s.reveal("p3", id, &bad, b"salt-three-01234").unwrap();
    let (p1, p2) = (s.balance("p1"), s.balance("p2"));
    let p3_bond = s.stake("p3").bonded.u128();
    // The last reveal decides.
    s.reveal("p2", id, &good, b"salt-two-0123456").unwrap();
    assert_eq!(s.status(id), JobStatus::Settled);
    let (payout, fee) = job_market::logic::fee_split(quote.compute_cost, dec("0.05"));
    assert_eq!(s.balance("p1"), p1 + payout.u128());
    assert_eq!(s.balance("p2"), p2 + payout.u128());
    assert_eq!(s.stake("p3").bonded.u128(), p3_bond - payout.u128());
    assert_eq!(s.provider_record("p3").counters.times_slashed, 1);
    // Paid: 2 replicas; the third comes back, plus half of p3's slash.
    let refund = quote.compute_cost.u128();
    assert_eq!(
        s.balance("alice"),
        alice0 - quote.total.u128() + refund + payout.u128() / 2
    );
    assert_eq!(
        s.job(id).job.settlement.unwrap().protocol_fee,
        fee * Uint128::new(2)
    );
    assert_eq!(s.market_balance(), 0);
}

#[test]
fn replicated_job_without_reveals_slashes_silent_slots_and_requeues() {
    let mut s = Suite::new();
    for p in ["p1", "p2", "p3"] {
        s.provider(p, "eu", 2);
    }
    let spec = s.spec("eu", Urgency::Normal, VerificationMode::Replicated { k: 2 });
    let id = s.submit("alice", &spec, 2_000);
    s.claim("p1", id).unwrap();
    s.claim("p2", id).unwrap();
    let out = honest_output(id, 100);
    s.commit("p1", id, &out, b"0123456789abcdef").unwrap();
    // p2 never commits: its lease ends, it is slashed and its slot reopens.
    s.advance(101);
    s.expire(id).unwrap();
    assert_eq!(s.status(id), JobStatus::Open);
    assert_eq!(s.job(id).job.slots.len(), 1);
    s.claim("p3", id).unwrap();
    s.commit("p3", id, &out, b"fedcba9876543210").unwrap();
    s.reveal("p1", id, &out, b"0123456789abcdef").unwrap();
    assert_err(s.settle(id), "reveals are still open");
    s.advance(301);
    // p3 did not reveal: 1 of 2 is no majority; p3 slashed, job requeued.
    s.settle(id).unwrap();
    assert_eq!(s.status(id), JobStatus::Open);
    assert_eq!(s.provider_record("p3").counters.jobs_timed_out, 1);
    assert_eq!(s.stake("p1").locked.u128(), 0);
}

#[test]
fn demand_reaches_pricing_and_idle_supply_cuts_the_next_epochs_price_but_not_locked_quotes() {
    let mut s = Suite::new();
    s.provider("p1", "eu", 1);
    let spec = s.spec("eu", Urgency::Normal, VerificationMode::None);
    let q0 = s.quote(UNITS, Urgency::Normal, &VerificationMode::None);
    assert_eq!(q0.total.u128(), 1_000);
    let first = s.submit("alice", &spec, q0.total.u128());
    s.claim("p1", first).unwrap();
    // The claim reported the job's units as tier-1 demand; supply is p1's
    // verified score over the epoch, so utilization is far below target.
    let u: starminer_interfaces::pricing::UtilizationResponse = s
        .app
        .wrap()
        .query_wasm_smart(
            &s.pricing,
            &starminer_interfaces::pricing::QueryMsg::Utilization { tier: 1 },
        )
        .unwrap();
    assert_eq!(u.demand.u128(), UNITS);
    assert_eq!(u.supply.u128(), 100 * PRICING_EPOCH as u128);
    s.advance(PRICING_EPOCH);
    // Idle supply: the price falls by the full step δ = 10 %.
    let q1 = s.quote(UNITS, Urgency::Normal, &VerificationMode::None);
    assert_eq!(q1.epoch, 1);
    assert_eq!(q1.total.u128(), 900);
    let spec = s.spec("eu", Urgency::Normal, VerificationMode::None);
    let second = s.submit("alice", &spec, 1_000);
    assert_eq!(s.job(second).job.escrow.u128(), 900);
    // The first job keeps the quote locked at its submission.
    assert_eq!(s.job(first).job.escrow.u128(), 1_000);
}
