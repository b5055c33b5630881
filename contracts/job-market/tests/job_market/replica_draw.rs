//! Replica slots drawn among applicants (issue 12: sybil replicas). With
//! first-come slots, a party that runs several provider identities and
//! claims first seats a majority of a Replicated job and outvotes the
//! honest replica. With `replica_window` on, claims are applications and the
//! slots are drawn by bond from a beacon value revealed after the last one.

use cosmwasm_std::{Addr, Uint128};
use starminer_interfaces::job_market::{ExecuteMsg, JobStatus, MarketParams};
use starminer_interfaces::market::{Urgency, VerificationMode};

use job_market::logic::{draw_seed, draw_weighted};

use crate::suite::*;

const WINDOW: u64 = 30;
const HONEST: [&str; 2] = ["p1", "p2"];
const SYBILS: [&str; 4] = ["p3", "p4", "p5", "p6"];
const HONEST_BOND: u128 = 15_000_000;
const SYBIL_BOND: u128 = 5_000_000;

fn drawn_params() -> MarketParams {
    MarketParams {
        replica_window: WINDOW,
        max_replica_applicants: 16,
        ..market_params()
    }
}

/// Validators v1..v4 run the beacon; p1, p2 are honest providers with
/// 15 M bond each, p3..p6 one party's sybil identities with 5 M each (40 %
/// of the providers' bond in all).
fn market(params: MarketParams) -> Suite {
    let mut s = Suite::with_params(params);
    for v in ["v1", "v2", "v3", "v4"] {
        s.validator(v, 10_000);
    }
    for p in HONEST {
        s.provider_with(p, "eu", 1, vec![gpu(80, 132)], HONEST_BOND);
    }
    for p in SYBILS {
        s.provider_with(p, "eu", 1, vec![gpu(80, 132)], SYBIL_BOND);
    }
    s
}

fn replicated(s: &mut Suite, k: u8) -> u64 {
    let spec = s.spec("eu", Urgency::Normal, VerificationMode::Replicated { k });
    s.submit("alice", &spec, 20_000)
}

/// Closes the job's window, reveals up to its `draw_at` and draws.
fn close_and_draw(s: &mut Suite, id: u64) -> Res {
    s.advance(WINDOW + 1);
    let at = s
        .job(id)
        .job
        .replica_draw
        .expect("an application round")
        .draw_at;
    let seq = s.beacon().seq;
    if at > seq {
        s.reveal_n(at - seq);
    }
    s.exec("bob", &ExecuteMsg::DrawVerifiers { job_ids: vec![id] })
}

fn seated(s: &Suite, id: u64) -> Vec<String> {
    s.job(id)
        .job
        .slots
        .iter()
        .map(|slot| s.name_of(&slot.provider))
        .collect()
}

/// P(at least `need` of the `k` drawn are sybils) when `k` of `weights`
/// (the first `sybils` of them the sybils') are drawn without replacement,
/// each next one with probability weight / remaining weight.
fn theory(weights: &[f64], sybils: usize, k: usize, need: usize) -> f64 {
    fn walk(w: &[f64], taken: &mut Vec<usize>, sybils: usize, k: usize, need: usize) -> f64 {
        if taken.len() == k {
            let s = taken.iter().filter(|&&i| i < sybils).count();
            return if s >= need { 1.0 } else { 0.0 };
        }
        let left: f64 = (0..w.len())
            .filter(|i| !taken.contains(i))
            .map(|i| w[i])
            .sum();
        let mut p = 0.0;
        for i in 0..w.len() {
            if taken.contains(&i) {
                continue;
            }
            taken.push(i);
            p += w[i] / left * walk(w, taken, sybils, k, need);
            taken.pop();
        }
        p
    }
    walk(weights, &mut vec![], sybils, k, need)
}

/// The sybils apply first on every job. First come, first seated (the
/// market before the draw) gives them all three slots of every
/// Replicated{3} job; drawn by bond, they win a majority (2 of 3) only as
/// often as 40 % of the bond allows: within 3σ of the exact probability
/// over 150 jobs, and a single slot about 40 % of the time.
#[test]
fn attack_sybil_replicas_claiming_first_win_only_their_bond_share() {
    // First come: the attack works.
    let mut s = market(MarketParams {
        replica_window: 0,
        ..drawn_params()
    });
    for _ in 0..5 {
        let id = replicated(&mut s, 3);
        for p in &SYBILS[..3] {
            s.claim(p, id).unwrap();
        }
        assert_eq!(
            seated(&s, id),
            ["p3", "p4", "p5"],
            "first come, first seated"
        );
        assert_err(s.claim("p1", id), "Assigned");
    }

    // Drawn by bond.
    const JOBS: usize = 150;
    let mut s = market(drawn_params());
    let (mut majorities, mut sybil_seats) = (0usize, 0usize);
    for _ in 0..JOBS {
        let id = replicated(&mut s, 3);
        for p in SYBILS.iter().chain(HONEST.iter()) {
            s.claim(p, id).unwrap();
        }
        assert_eq!(s.status(id), JobStatus::Open, "applications do not seat");
        close_and_draw(&mut s, id).unwrap();
        assert_eq!(s.status(id), JobStatus::Assigned);
        let seats = seated(&s, id);
        let n = seats
            .iter()
            .filter(|p| SYBILS.contains(&p.as_str()))
            .count();
        sybil_seats += n;
        if n >= 2 {
            majorities += 1;
        }
    }
    let weights: Vec<f64> = [SYBIL_BOND; 4]
        .iter()
        .chain([HONEST_BOND; 2].iter())
        .map(|&b| b as f64)
        .collect();
    let p = theory(&weights, 4, 3, 2);
    let mean = JOBS as f64 * p;
    let sigma = (JOBS as f64 * p * (1.0 - p)).sqrt();
    let share = sybil_seats as f64 / (3 * JOBS) as f64;
    println!(
        "sybils with 40 % of the bond, applying first: majority of 3 slots in {majorities}/{JOBS} jobs \
         (exact {mean:.1} ± {sigma:.1}), {:.1} % of all slots",
        share * 100.0
    );
    assert!(
        (majorities as f64 - mean).abs() <= 3.0 * sigma,
        "sybils won {majorities} majorities, expected {mean:.1} ± 3 × {sigma:.1}"
    );
    assert!(
        (majorities as f64) < JOBS as f64 * 0.6,
        "far from the certainty of first come"
    );
}

/// Every application moves the draw to `reveals_per_draw` reveals past the
/// head it saw, so the value that draws the slots is revealed after the last
/// application: a sybil cannot wait for it and apply only with the identities
/// it favours. The draw is exactly `draw_weighted` by bond with that value.
#[test]
fn attack_applying_after_the_draw_value_is_known_is_impossible() {
    let mut s = market(drawn_params());
    let id = replicated(&mut s, 2);
    let r = u64::from(s.beacon().reveals_per_draw);
    assert!(r > 0);
    s.claim("p1", id).unwrap();
    let first = s.job(id).job.replica_draw.unwrap();
    assert_eq!(first.draw_at, s.beacon().seq + r);
    // Time passes and the beacon moves on inside the window.
    s.reveal_n(r);
    s.claim("p3", id).unwrap();
    let round = s.job(id).job.replica_draw.unwrap();
    assert_eq!(
        round.draw_at,
        s.beacon().seq + r,
        "the late application moved the draw"
    );
    assert!(round.draw_at > first.draw_at);
    assert!(
        s.beacon_at(round.draw_at).is_none(),
        "not revealed at the last application"
    );
    // Nothing is drawn before the window closes, whatever the beacon says.
    s.reveal_n(r);
    let res = s
        .exec("bob", &ExecuteMsg::DrawVerifiers { job_ids: vec![id] })
        .unwrap();
    assert_eq!(attr(&res, "drawn"), "");
    let last_applied = s.now();
    close_and_draw(&mut s, id).unwrap();
    let entry = s.beacon_at(round.draw_at).unwrap();
    assert!(entry.time >= last_applied);
    let candidates = vec![
        (s.addr("p1"), Uint128::new(HONEST_BOND)),
        (s.addr("p3"), Uint128::new(SYBIL_BOND)),
    ];
    let seed = draw_seed(b"replica-slots", id, "", &0u32.to_be_bytes(), &entry.value);
    let expected: Vec<Addr> = draw_weighted(&candidates, &[], 2, &seed);
    let got: Vec<Addr> = s
        .job(id)
        .job
        .slots
        .iter()
        .map(|x| x.provider.clone())
        .collect();
    assert_eq!(got.len(), 2);
    assert!(expected.iter().all(|a| got.contains(a)));
}

/// Once the window closed with enough applicants, applications are refused
/// with a typed error and `ClaimNext` passes the job by; the losers of the
/// draw get their collateral back, the winners hold full leases and the job
/// runs to settlement with them.
#[test]
fn window_closes_losers_are_released_and_winners_run_the_job() {
    let mut s = market(drawn_params());
    let id = replicated(&mut s, 2);
    for p in ["p1", "p2", "p3"] {
        s.claim(p, id).unwrap();
        assert!(
            s.stake(p).locked.u128() > 0,
            "an application locks collateral"
        );
    }
    assert_err(s.claim("p1", id), "already holds");
    s.advance(WINDOW + 1);
    assert_err(s.claim("p4", id), "replica application window");
    assert_err(s.claim_next("p4"), "no claimable job");
    close_and_draw(&mut s, id).unwrap();
    let seats = seated(&s, id);
    assert_eq!(seats.len(), 2);
    let loser = ["p1", "p2", "p3"]
        .into_iter()
        .find(|p| !seats.contains(&p.to_string()))
        .unwrap();
    assert_eq!(s.stake(loser).locked.u128(), 0, "the loser is released");
    let job = s.job(id).job;
    assert!(job.replica_draw.is_none());
    for slot in &job.slots {
        assert!(slot.lease_deadline.seconds() >= s.now().seconds() + 100);
    }
    let output = honest_output(id, 300);
    for p in &seats {
        s.commit(p, id, &output, p.as_bytes()).unwrap();
    }
    for p in &seats {
        s.reveal(p, id, &output, p.as_bytes()).unwrap();
    }
    assert_eq!(s.status(id), JobStatus::Settled);
    for p in ["p1", "p2", "p3"] {
        assert_eq!(s.stake(p).locked.u128(), 0);
    }
}

/// A full list gives way only to a larger bond; the displaced applicant is
/// released at once.
#[test]
fn a_full_applicant_list_is_displaced_only_by_a_larger_bond() {
    let mut s = market(MarketParams {
        max_replica_applicants: 5,
        ..drawn_params()
    });
    let id = replicated(&mut s, 2);
    for p in ["p3", "p4", "p5", "p6", "p1"] {
        s.claim(p, id).unwrap();
    }
    // p6 applied last among the smallest bonds: it gives way to p2.
    s.claim("p2", id).unwrap();
    let round = s.job(id).job.replica_draw.unwrap();
    assert_eq!(round.applicants.len(), 5);
    assert!(round.applicants.iter().all(|a| a.provider != s.addr("p6")));
    assert_eq!(s.stake("p6").locked.u128(), 0);
    // p6 again: 5 M does not beat the smallest 5 M.
    assert_err(s.claim("p6", id), "most replica applicants");
}

/// A requester cannot cancel under the applicants; a job whose deadline
/// passes before the draw ends Expired with every applicant released and
/// the escrow refunded.
#[test]
fn applicants_are_released_when_the_job_expires_before_its_draw() {
    let mut s = market(drawn_params());
    let alice0 = s.balance("alice");
    let id = replicated(&mut s, 3);
    s.claim("p1", id).unwrap();
    s.claim("p3", id).unwrap();
    assert_err(
        s.exec("alice", &ExecuteMsg::Cancel { job_id: id }),
        "claimed",
    );
    // Nobody else applies: the window stays open for the third slot until
    // the deadline no longer leaves a lease.
    s.advance(10_000);
    s.expire(id).unwrap();
    assert_eq!(s.status(id), JobStatus::Expired);
    assert_eq!(s.stake("p1").locked.u128(), 0);
    assert_eq!(s.stake("p3").locked.u128(), 0);
    assert_eq!(s.balance("alice"), alice0, "full refund");
    assert!(s.job(id).job.replica_draw.is_none());
}

/// Governance turns the window off while a round runs: later claims still
/// join that round, which ends in its draw, so nobody's collateral stays
/// locked under applications that would never be drawn.
#[test]
fn a_round_opened_before_the_window_was_turned_off_still_ends_in_its_draw() {
    let mut s = market(drawn_params());
    let id = replicated(&mut s, 2);
    s.claim("p1", id).unwrap();
    s.set_params(MarketParams {
        replica_window: 0,
        ..drawn_params()
    })
    .unwrap();
    s.claim("p3", id).unwrap();
    let job = s.job(id).job;
    assert!(job.slots.is_empty(), "the second claim joined the round");
    assert_eq!(job.replica_draw.unwrap().applicants.len(), 2);
    close_and_draw(&mut s, id).unwrap();
    assert_eq!(s.status(id), JobStatus::Assigned);
    assert_eq!(seated(&s, id).len(), 2);
}
