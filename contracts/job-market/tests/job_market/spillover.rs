//! Matrix Spillover over three zones, and the bounded ClaimNext scan.

use starminer_interfaces::job_market::{
    ExecuteMsg, LatencyClass, SpillRoute, SpillUpdate, ZoneUpdate,
};
use starminer_interfaces::market::{Urgency, VerificationMode};

use crate::suite::*;

fn route(from: &str, to: &str, delay: u64, latency: LatencyClass) -> SpillUpdate {
    SpillUpdate {
        from: from.into(),
        to: to.into(),
        route: Some(SpillRoute { delay, latency }),
    }
}

fn three_zones() -> Suite {
    let mut s = Suite::new();
    s.gov_exec(&ExecuteMsg::SetSpillover {
        routes: vec![
            route("eu", "us", 60, LatencyClass::Continental),
            route("eu", "ap", 30, LatencyClass::Global),
            route("us", "eu", 60, LatencyClass::Continental),
        ],
    })
    .unwrap();
    s.provider("p1", "eu", 2);
    s.provider("p2", "us", 2);
    s.provider("p3", "ap", 2);
    s
}

#[test]
fn a_job_spills_to_a_neighbour_zone_once_old_enough() {
    let mut s = three_zones();
    let spec = s.spec("eu", Urgency::Normal, VerificationMode::None);
    let id = s.submit("alice", &spec, 1_000);
    assert_err(s.claim_next("p2"), "no claimable job");
    assert_err(s.claim("p2", id), "not claimable from zone us");
    s.advance(30);
    assert_eq!(s.claim_next("p3").unwrap(), id); // ap's delay is 30
    let id2 = s.submit("alice", &spec, 1_000);
    s.advance(59);
    assert_err(s.claim("p2", id2), "not claimable");
    s.advance(1);
    assert_eq!(s.claim_next("p2").unwrap(), id2);
}

#[test]
fn an_overloaded_zone_spills_at_once() {
    let mut s = three_zones();
    // Oracles (the registry's Oracle role) may set thresholds.
    s.appoint_oracle("oracle");
    s.exec(
        "oracle",
        &ExecuteMsg::SetZones {
            zones: vec![ZoneUpdate {
                zone: "eu".into(),
                capacity_threshold: 2,
            }],
        },
    )
    .unwrap();
    assert_err(
        s.exec("bob", &ExecuteMsg::SetZones { zones: vec![] }),
        "only governance or an appointed oracle",
    );
    let spec = s.spec("eu", Urgency::Normal, VerificationMode::None);
    let a = s.submit("alice", &spec, 1_000);
    s.submit("alice", &spec, 1_000);
    assert_err(s.claim_next("p2"), "no claimable job"); // 2 open: not above 2
    s.submit("alice", &spec, 1_000);
    assert_eq!(s.claim_next("p2").unwrap(), a); // 3 > 2: spills immediately, oldest first
}

#[test]
fn latency_class_forbids_a_slow_route_however_long_the_job_waits() {
    let mut s = three_zones();
    let mut spec = s.spec("eu", Urgency::Normal, VerificationMode::None);
    spec.requirements.latency = LatencyClass::Continental;
    let id = s.submit("alice", &spec, 1_000);
    s.advance(5_000);
    assert_err(s.claim("p3", id), "not claimable from zone ap"); // eu→ap is Global
    assert_eq!(s.claim_next("p2").unwrap(), id); // eu→us is Continental
}

#[test]
fn own_zone_urgent_jobs_beat_older_spilled_ones_and_scan_is_bounded() {
    let mut params = market_params();
    params.max_claim_scan = 5;
    let mut s = Suite::with_params(params);
    s.gov_exec(&ExecuteMsg::SetSpillover {
        routes: vec![route("eu", "us", 0, LatencyClass::Global)],
    })
    .unwrap();
    s.provider("p2", "us", 1);
    // Ten eu jobs this tier-1 provider cannot take (tier 3) …
    let mut hard = s.spec("eu", Urgency::Realtime, VerificationMode::None);
    hard.requirements.min_tier = 3;
    for _ in 0..10 {
        s.submit("alice", &hard, 5_000);
    }
    let easy = s.spec("eu", Urgency::Low, VerificationMode::None);
    let easy_id = s.submit("alice", &easy, 5_000);
    // … so the scan of 5 gives up before reaching the easy one.
    assert_err(s.claim_next("p2"), "among the 5 queue entries");
    assert!(s.claim("p2", easy_id).is_ok());
    let own = s.spec("us", Urgency::High, VerificationMode::None);
    let old_eu = s.submit(
        "alice",
        &s.spec("eu", Urgency::Normal, VerificationMode::None),
        5_000,
    );
    s.advance(10);
    let us_id = s.submit("alice", &own, 5_000);
    let _ = old_eu;
    // Realtime eu jobs head the merged order but do not fit; the scan is 5.
    assert_err(s.claim_next("p2"), "no claimable job");
    s.set_params({
        let mut p = market_params();
        p.max_claim_scan = 20;
        p
    })
    .unwrap();
    assert_eq!(s.claim_next("p2").unwrap(), us_id); // High (us) before Normal (eu)
}
