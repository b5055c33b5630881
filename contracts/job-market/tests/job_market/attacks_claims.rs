//! Attacks on claims, results, bad-input reports, the queue and the
//! market's reports to pricing (issue 12: C1, H5, H1, M2, H3, L3), and the
//! `Abandon` message. Each test performs the attack and shows that it is
//! refused or loses money.

use cosmwasm_std::{Binary, Uint128, Uint64};
use starminer_interfaces::job_market::*;
use starminer_interfaces::market::{Urgency, VerificationMode};
use starminer_interfaces::pricing as pri;

use crate::suite::*;

/// Units of the suite's default spec (100 × 100 / 100).
const UNITS: u128 = 100;
/// One replica's provider payout at Normal urgency: 1,000 less the 5 % fee;
/// also the collateral (rate 1).
const PAYOUT: u128 = 950;

fn demand(s: &Suite, tier: u8) -> u128 {
    let u: pri::UtilizationResponse = s
        .app
        .wrap()
        .query_wasm_smart(&s.pricing, &pri::QueryMsg::Utilization { tier })
        .unwrap();
    u.demand.u128()
}

// ---- C1: deadline trap -------------------------------------------------------

#[test]
fn attack_deadline_trap_is_refused() {
    let mut s = Suite::new();
    s.provider("p1", "eu", 1);
    let bonded = s.stake("p1").bonded.u128();
    let alice0 = s.balance("alice");
    // Realtime: 100 units × 1 s × 0.5 = 50 s, raised to the 60 s minimum lease.
    let mut spec = s.spec("eu", Urgency::Realtime, VerificationMode::None);

    // A deadline seconds away is refused at submission: nobody could meet it.
    spec.deadline = s.now().plus_seconds(30);
    assert_err(
        s.submit_spec("alice", &spec, 10_000),
        "need a lease of at least 60 s but the deadline is 30 s away",
    );

    // A deadline that fitted at submission but no longer leaves a full lease:
    // the claim is refused (the lease is never cut to the deadline).
    spec.deadline = s.now().plus_seconds(90);
    let id = s.submit("alice", &spec, 10_000);
    s.advance(40);
    assert_err(
        s.claim("p1", id),
        "needs a lease of 60 s but only 50 s remain",
    );
    assert_err(s.claim_next("p1"), "no claimable job");
    assert_eq!(s.stake("p1").locked.u128(), 0, "no collateral locked");

    // The requester's trap springs on nothing: the job, which nobody can
    // take any more, expires at once, refunded, and the provider's
    // collateral is intact.
    s.expire(id).unwrap();
    assert_eq!(s.status(id), JobStatus::Expired);
    assert_eq!(s.stake("p1").bonded.u128(), bonded);
    assert_eq!(s.balance("alice"), alice0);
    assert_eq!(s.provider_record("p1").counters.jobs_timed_out, 0);

    // A claim made in time gets the full lease, exactly to the deadline here.
    spec.deadline = s.now().plus_seconds(60);
    let id = s.submit("alice", &spec, 10_000);
    s.claim("p1", id).unwrap();
    assert_eq!(s.job(id).job.slots[0].lease_deadline, spec.deadline);
}

// ---- H5: replicated commit–reveal --------------------------------------------

#[test]
fn attack_replica_copies_commitment_is_not_paid() {
    let mut s = Suite::new();
    for p in ["p1", "p2", "p3"] {
        s.provider(p, "eu", 1);
    }
    let spec = s.spec("eu", Urgency::Normal, VerificationMode::Replicated { k: 3 });
    let id = s.submit("alice", &spec, 10_000);
    for p in ["p1", "p2", "p3"] {
        s.claim(p, id).unwrap();
    }
    let output = honest_output(id, 300);
    s.commit("p1", id, &output, b"p1-salt").unwrap();
    // p2 computes nothing: it copies p1's commitment from the chain.
    let copied = s.job(id).job.slots[0].commitment.clone().unwrap();
    s.exec(
        "p2",
        &ExecuteMsg::CommitResult {
            job_id: id,
            commitment: copied,
        },
    )
    .unwrap();
    s.commit("p3", id, &output, b"p3-salt").unwrap();
    assert_eq!(s.status(id), JobStatus::Revealing);

    let p2_bonded = s.stake("p2").bonded.u128();
    let (p1_0, p2_0, p3_0) = (s.balance("p1"), s.balance("p2"), s.balance("p3"));
    s.reveal("p1", id, &output, b"p1-salt").unwrap();
    // p2 replays p1's reveal (root and salt, now public): it does not open
    // p2's copied commitment, which is bound to p1's address and the job.
    assert_err(
        s.reveal("p2", id, &output, b"p1-salt"),
        "do not match the commitment",
    );
    s.reveal("p3", id, &output, b"p3-salt").unwrap();
    s.advance(301);
    s.settle(id).unwrap();

    assert_eq!(s.status(id), JobStatus::Settled);
    assert_eq!(s.balance("p1"), p1_0 + PAYOUT);
    assert_eq!(s.balance("p3"), p3_0 + PAYOUT);
    assert_eq!(s.balance("p2"), p2_0, "the copier is not paid");
    assert_eq!(
        s.stake("p2").bonded.u128(),
        p2_bonded - PAYOUT,
        "the copier's collateral is slashed"
    );
    assert_eq!(s.stake("p1").locked.u128(), 0);
}

// ---- H1: bad-input reports -----------------------------------------------------

#[test]
fn attack_free_bad_input_report_on_inline_input_is_refused() {
    let mut s = Suite::new();
    s.provider("p1", "eu", 1);
    let mut spec = s.spec("eu", Urgency::Normal, VerificationMode::None);
    spec.input = JobInput::Inline {
        data: Binary::from(b"a perfectly good scene".to_vec()),
    };
    let alice0 = s.balance("alice");
    let id = s.submit("alice", &spec, 1_000);
    let p1 = s.balance("p1");
    // Claim and report in the same breath, hoping for the 10 % fee.
    s.claim("p1", id).unwrap();
    assert_err(
        s.exec("p1", &ExecuteMsg::ReportBadInput { job_id: id }),
        "input is inline",
    );
    // Nothing changed: the job is still p1's to compute, nothing was paid.
    assert_eq!(s.status(id), JobStatus::Assigned);
    assert_eq!(s.balance("p1"), p1);
    assert_eq!(s.balance("alice"), alice0 - 1_000);
    assert_eq!(s.stake("p1").locked.u128(), PAYOUT);
    assert!(s.job(id).bad_input_report.is_none());
    s.submit_result("p1", id, &honest_output(id, 200)).unwrap();
}

#[test]
fn attack_false_bad_input_report_loses_bond() {
    let mut s = Suite::new();
    s.provider("p1", "eu", 1);
    s.provider("p2", "eu", 1);
    let spec = s.spec("eu", Urgency::Normal, VerificationMode::None);
    let alice0 = s.balance("alice");
    let id = s.submit("alice", &spec, 1_000);
    s.claim("p1", id).unwrap();
    let (p1_0, bonded) = (s.balance("p1"), s.stake("p1").bonded.u128());

    // The input is fine; p1 claims it is bad to walk away with a fee.
    let res = s
        .exec("p1", &ExecuteMsg::ReportBadInput { job_id: id })
        .unwrap();
    assert_eq!(attr(&res, "bond"), PAYOUT.to_string());
    assert_eq!(s.status(id), JobStatus::Assigned, "nothing is paid yet");
    let report = s.job(id).bad_input_report.unwrap();
    assert_eq!(report.reporter, s.addr("p1"));
    // No second report, no result while judged, no cheap exit by Abandon.
    assert_err(
        s.exec("p1", &ExecuteMsg::ReportBadInput { job_id: id }),
        "waiting for its judge",
    );
    assert_err(
        s.exec("p1", &ExecuteMsg::Abandon { job_id: id }),
        "waiting for its judge",
    );
    // Nobody but the drawn judge decides; the requester may only concede.
    assert_err(
        s.exec(
            "bob",
            &ExecuteMsg::JudgeBadInput {
                job_id: id,
                input_bad: true,
            },
        ),
        "only the drawn judge",
    );
    assert_err(
        s.exec(
            "p1",
            &ExecuteMsg::JudgeBadInput {
                job_id: id,
                input_bad: true,
            },
        ),
        "only the drawn judge",
    );
    // The report's window runs; the lease of the reporter does not expire it.
    s.advance(200);
    assert_err(s.expire(id), "no lease or deadline");
    s.advance(401);
    assert_err(
        s.exec(
            "alice",
            &ExecuteMsg::JudgeBadInput {
                job_id: id,
                input_bad: true,
            },
        ),
        "window of job",
    );
    // Unjudged: the report counts as false. The bond is slashed, half to
    // the requester (the registry's beneficiary share), and the job reopens.
    let res = s.expire(id).unwrap();
    assert_eq!(attr(&res, "action"), "bad_input_rejected");
    assert_eq!(s.stake("p1").bonded.u128(), bonded - PAYOUT);
    assert_eq!(s.stake("p1").locked.u128(), 0);
    assert_eq!(s.balance("p1"), p1_0, "no bad-input fee");
    assert_eq!(s.balance("alice"), alice0 - 1_000 + PAYOUT / 2);
    assert_eq!(s.status(id), JobStatus::Open);
    assert!(s.job(id).bad_input_report.is_none());
    assert_err(s.claim("p1", id), "already holds (or held)");
    // An honest provider does the work and is paid in full.
    s.claim("p2", id).unwrap();
    s.submit_result("p2", id, &honest_output(id, 200)).unwrap();
    s.advance(601);
    s.settle(id).unwrap();
    assert_eq!(s.status(id), JobStatus::Settled);
}

#[test]
fn attack_bad_input_report_without_a_bond_is_refused() {
    // A market without collateral cannot charge a bond for a report.
    let mut params = market_params();
    params.collateral_rate = dec("0");
    let mut s = Suite::with_params(params);
    s.provider("p1", "eu", 1);
    let spec = s.spec("eu", Urgency::Normal, VerificationMode::None);
    let id = s.submit("alice", &spec, 1_000);
    s.claim("p1", id).unwrap();
    assert_err(
        s.exec("p1", &ExecuteMsg::ReportBadInput { job_id: id }),
        "locks no collateral",
    );
    assert!(s.job(id).bad_input_report.is_none());
    assert_eq!(s.status(id), JobStatus::Assigned);
}

#[test]
fn honest_bad_input_report_conceded_by_the_requester_pays_the_reporter() {
    let mut s = Suite::new();
    s.provider("p1", "eu", 1);
    let spec = s.spec("eu", Urgency::Normal, VerificationMode::None);
    let alice0 = s.balance("alice");
    let id = s.submit("alice", &spec, 1_000);
    s.claim("p1", id).unwrap();
    let p1_0 = s.balance("p1");
    s.exec("p1", &ExecuteMsg::ReportBadInput { job_id: id })
        .unwrap();
    // The requester may not reject the report it is party to.
    assert_err(
        s.exec(
            "alice",
            &ExecuteMsg::JudgeBadInput {
                job_id: id,
                input_bad: false,
            },
        ),
        "may only concede",
    );
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
    assert_eq!(s.status(id), JobStatus::Failed);
    assert_eq!(s.balance("p1"), p1_0 + 95, "10 % of the 950 payout");
    assert_eq!(s.balance("alice"), alice0 - 95);
    assert_eq!(s.stake("p1").locked.u128(), 0);
    assert_eq!(s.stake("p1").bonded.u128(), 1_000_000);
    assert_eq!(s.market_balance(), 0);
}

// ---- Abandon -------------------------------------------------------------------

#[test]
fn abandon_costs_less_than_a_timeout_and_requeues_at_once() {
    let mut s = Suite::new();
    for p in ["p1", "p2", "p3"] {
        s.provider(p, "eu", 1);
    }
    let spec = s.spec("eu", Urgency::Normal, VerificationMode::None);
    let alice0 = s.balance("alice");
    let a = s.submit("alice", &spec, 1_000);
    let b = s.submit("alice", &spec, 1_000);

    // p1 abandons job a while its lease runs.
    s.claim("p1", a).unwrap();
    let p1_bonded = s.stake("p1").bonded.u128();
    assert_err(
        s.exec("p2", &ExecuteMsg::Abandon { job_id: a }),
        "holds no slot",
    );
    let res = s.exec("p1", &ExecuteMsg::Abandon { job_id: a }).unwrap();
    assert_eq!(attr(&res, "outcome"), "requeued");
    let abandon_cost = p1_bonded - s.stake("p1").bonded.u128();
    assert_eq!(abandon_cost, PAYOUT / 2, "abandon_slash_rate 0.5");
    assert_eq!(s.stake("p1").locked.u128(), 0, "the rest is released");
    assert_eq!(s.provider_record("p1").counters.jobs_timed_out, 1);
    // Requeued at once: another provider takes it without waiting for the
    // lease to run out; the abandoner cannot come back.
    assert_eq!(s.status(a), JobStatus::Open);
    assert_err(s.claim("p1", a), "already holds (or held)");
    s.claim("p2", a).unwrap();

    // p3 lets its lease of job b run out instead: the full collateral.
    s.claim("p3", b).unwrap();
    let p3_bonded = s.stake("p3").bonded.u128();
    s.advance(101);
    s.expire(b).unwrap();
    let timeout_cost = p3_bonded - s.stake("p3").bonded.u128();
    assert_eq!(timeout_cost, PAYOUT);
    assert!(abandon_cost < timeout_cost);

    // Too late to abandon once the lease is over; nothing to abandon once
    // the result is in.
    s.claim("p1", b).unwrap();
    s.submit_result("p1", b, &honest_output(b, 200)).unwrap();
    assert_err(
        s.exec("p1", &ExecuteMsg::Abandon { job_id: b }),
        "this needs it to be Open or Assigned",
    );
    s.advance(101);
    assert_err(
        s.exec("p2", &ExecuteMsg::Abandon { job_id: a }),
        "lease of job",
    );
    // The requester got half of each slash (the registry's share).
    assert_eq!(
        s.balance("alice"),
        alice0 - 2_000 + abandon_cost / 2 + timeout_cost / 2
    );
}

#[test]
fn abandon_when_the_deadline_leaves_no_full_lease_ends_the_job_with_a_refund() {
    let mut s = Suite::new();
    s.provider("p1", "eu", 1);
    let mut spec = s.spec("eu", Urgency::Normal, VerificationMode::None);
    spec.deadline = s.now().plus_seconds(150);
    let alice0 = s.balance("alice");
    let id = s.submit("alice", &spec, 1_000);
    s.advance(10);
    s.claim("p1", id).unwrap();
    s.advance(50);
    // 90 s are left, the job needs 100: requeueing would only trap the next
    // provider, so the job ends at once with a full refund.
    let res = s.exec("p1", &ExecuteMsg::Abandon { job_id: id }).unwrap();
    assert_eq!(attr(&res, "outcome"), "expired");
    assert_eq!(s.status(id), JobStatus::Expired);
    assert_eq!(s.balance("alice"), alice0 + PAYOUT / 2 / 2);
    assert_eq!(s.market_balance(), 0);
}

// ---- M2: ClaimNext head-of-line blocking ---------------------------------------

#[test]
fn attack_claim_next_head_of_line_blocking_fails() {
    let mut s = Suite::new();
    // p1: an ordinary 80 GB GPU; p2: a rig with the largest memory allowed.
    s.provider("p1", "eu", 1);
    s.provider_with("p2", "eu", 1, vec![gpu(1_100, 132)], 1_000_000);
    let mut spec = s.spec("eu", Urgency::Realtime, VerificationMode::None);

    // Requirements nobody's device meets are refused at submission.
    spec.requirements.min_device_memory = Uint64::new(u64::MAX);
    assert_err(
        s.submit_spec("bob", &spec, 10_000),
        "min_device_memory may be at most",
    );
    spec.requirements.min_device_memory = Uint64::new(1_000_000_000);
    spec.requirements.min_compute_units = u32::MAX;
    assert_err(
        s.submit_spec("bob", &spec, 10_000),
        "min_compute_units may be at most",
    );
    // A 1-unit job (20 uagpu) is below the minimum price: spam costs money.
    spec.requirements.min_compute_units = 8;
    let mut tiny = spec.clone();
    tiny.params[0].value = 1;
    assert_err(
        s.submit_spec("bob", &tiny, 10_000),
        "below the market's minimum job price",
    );

    // The attack within the bounds: 33 Realtime jobs asking 1 TiB.
    spec.requirements.min_device_memory = Uint64::new(1 << 40);
    let bob0 = s.balance("bob");
    let treasury0 = s.treasury();
    let spam: Vec<u64> = (0..33).map(|_| s.submit("bob", &spec, 10_000)).collect();
    let price = s.job(spam[0]).job.escrow.u128();
    assert!(price >= 100);
    // An honest Normal job queued behind them.
    let honest = s.submit(
        "alice",
        &s.spec("eu", Urgency::Normal, VerificationMode::None),
        1_000,
    );

    // One ClaimNext examines 32 entries and says where to go on.
    let err = s.claim_next("p1").unwrap_err();
    let text = format!("{err:#}");
    assert!(text.contains("no claimable job"), "{text}");
    assert!(text.contains("start_after"), "{text}");
    // Resuming past the blockers finds the honest job in one more call.
    let res = s
        .exec(
            "p1",
            &ExecuteMsg::ClaimNext {
                start_after: Some(QueueCursor {
                    urgency: Urgency::Realtime,
                    job_id: spam[31],
                }),
            },
        )
        .unwrap();
    assert_eq!(attr(&res, "job_id"), honest.to_string());

    // A rig that does qualify takes the spam as real work: it is paid, and
    // the attacker pays for it.
    let taken = s.claim_next("p2").unwrap();
    assert_eq!(taken, spam[0]);
    s.submit_result("p2", taken, &honest_output(taken, 200))
        .unwrap();
    // Cancelling the rest is not free: the treasury keeps 5 % of each.
    for id in &spam[1..] {
        s.exec("bob", &ExecuteMsg::Cancel { job_id: *id }).unwrap();
    }
    let fee = Uint128::new(price).mul_ceil(dec("0.05")).u128();
    assert!(fee > 0);
    assert_eq!(s.treasury(), treasury0 + 32 * fee);
    assert_eq!(s.balance("bob"), bob0 - price - 32 * fee);
}

// ---- H3: demand inflated by submit-then-cancel ---------------------------------

#[test]
fn attack_submit_and_cancel_does_not_raise_price() {
    let mut s = Suite::new();
    s.provider("p1", "eu", 1);
    let spec = s.spec("eu", Urgency::Normal, VerificationMode::None);
    let q0 = s.quote(UNITS, Urgency::Normal, &VerificationMode::None);
    // Submit and cancel many jobs within the epoch.
    for _ in 0..20 {
        let id = s.submit("bob", &spec, 1_000);
        s.exec("bob", &ExecuteMsg::Cancel { job_id: id }).unwrap();
    }
    assert_eq!(demand(&s, 1), 0, "no demand recorded for cancelled jobs");
    s.advance(PRICING_EPOCH);
    let q1 = s.quote(UNITS, Urgency::Normal, &VerificationMode::None);
    assert!(q1.total <= q0.total, "{} > {}", q1.total, q0.total);

    // Real work is counted: a claimed slot reports its units.
    let spec = s.spec("eu", Urgency::Normal, VerificationMode::None);
    let id = s.submit("alice", &spec, 1_000);
    assert_eq!(demand(&s, 1), 0);
    s.claim("p1", id).unwrap();
    assert_eq!(demand(&s, 1), UNITS);
}

// ---- L3: max_history changes ---------------------------------------------------

#[test]
fn changing_max_history_keeps_old_jobs_histories_readable() {
    let mut params = market_params();
    params.limits.max_history = 2;
    let mut s = Suite::with_params(params.clone());
    s.provider("p1", "eu", 1);
    let spec = s.spec("eu", Urgency::Normal, VerificationMode::None);
    let id = s.submit("alice", &spec, 1_000);
    s.claim("p1", id).unwrap();
    s.submit_result("p1", id, &honest_output(id, 200)).unwrap();
    s.advance(601);
    s.settle(id).unwrap();
    let before = s.job(id).history;
    assert_eq!(before.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![2, 3]);
    for max_history in [10, 1, 7] {
        params.limits.max_history = max_history;
        s.set_params(params.clone()).unwrap();
        // The old job keeps the ring it was written with.
        assert_eq!(s.job(id).history, before, "max_history {max_history}");
    }
    // A new job uses the new bound.
    let id = s.submit("alice", &spec, 1_000);
    s.claim("p1", id).unwrap();
    s.submit_result("p1", id, &honest_output(id, 200)).unwrap();
    let h = s.job(id).history;
    assert_eq!(h.len(), 3);
    assert_eq!(h.last().unwrap().action, "result_submitted");
}

#[test]
fn a_drawn_validator_judges_bad_input_reports_both_ways() {
    let mut s = Suite::new();
    for v in ["v1", "v2", "v3"] {
        s.validator(v, 10_000);
    }
    s.provider("p1", "eu", 1);
    s.provider("p2", "eu", 1);
    let spec = s.spec("eu", Urgency::Normal, VerificationMode::None);
    let a = s.submit("alice", &spec, 1_000);
    let b = s.submit("alice", &spec, 1_000);
    s.claim("p1", a).unwrap();
    s.claim("p2", b).unwrap();

    // p1's report on job a: the judge is fixed by a beacon value that does
    // not exist yet when p1 reports.
    s.exec("p1", &ExecuteMsg::ReportBadInput { job_id: a })
        .unwrap();
    let seq = s.job(a).bad_input_report.unwrap().judge_beacon_seq.unwrap();
    assert!(seq > s.beacon().seq);
    assert!(s.job(a).bad_input_judge.is_none());
    for v in ["v1", "v2", "v3"] {
        assert_err(
            s.exec(
                v,
                &ExecuteMsg::JudgeBadInput {
                    job_id: a,
                    input_bad: true,
                },
            ),
            "only the drawn judge",
        );
    }
    let head = s.beacon().seq;
    s.reveal_among(&["v1", "v2", "v3"], seq - head);
    let judge = s.name_of(&s.job(a).bad_input_judge.unwrap());
    assert!(["v1", "v2", "v3"].contains(&judge.as_str()));
    let other = ["v1", "v2", "v3"]
        .into_iter()
        .find(|v| *v != judge)
        .unwrap();
    assert_err(
        s.exec(
            other,
            &ExecuteMsg::JudgeBadInput {
                job_id: a,
                input_bad: false,
            },
        ),
        "only the drawn judge",
    );
    // The judge fetched the input and found it fine: p1 loses its bond.
    let bonded = s.stake("p1").bonded.u128();
    let res = s
        .exec(
            &judge,
            &ExecuteMsg::JudgeBadInput {
                job_id: a,
                input_bad: false,
            },
        )
        .unwrap();
    assert_eq!(attr(&res, "action"), "bad_input_rejected");
    assert_eq!(s.stake("p1").bonded.u128(), bonded - PAYOUT);
    assert_eq!(s.status(a), JobStatus::Open);

    // p2's report on job b is true: its judge upholds it and p2 is paid.
    let p2_0 = s.balance("p2");
    s.exec("p2", &ExecuteMsg::ReportBadInput { job_id: b })
        .unwrap();
    let seq = s.job(b).bad_input_report.unwrap().judge_beacon_seq.unwrap();
    let head = s.beacon().seq;
    s.reveal_among(&["v1", "v2", "v3"], seq - head);
    let judge = s.name_of(&s.job(b).bad_input_judge.unwrap());
    let res = s
        .exec(
            &judge,
            &ExecuteMsg::JudgeBadInput {
                job_id: b,
                input_bad: true,
            },
        )
        .unwrap();
    assert_eq!(attr(&res, "action"), "failed");
    assert_eq!(s.status(b), JobStatus::Failed);
    assert_eq!(s.balance("p2"), p2_0 + 95);
    assert_eq!(s.stake("p2").locked.u128(), 0);
}
