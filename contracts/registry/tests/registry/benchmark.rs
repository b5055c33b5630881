//! Benchmark challenges: request, result, attestation, tier.

use registry::ContractError;
use starminer_interfaces::registry::{
    CapacityResponse, ChallengeStatus, ExecuteMsg, ProvidersResponse, QueryMsg,
    TierCapacityResponse,
};

use crate::suite::{assert_err, attr, Suite};

/// alice: a provider with stake; val1: a seated validator.
fn setup() -> Suite {
    let mut s = Suite::new();
    s.provider_with_stake("alice", 1_000);
    s.validator_with_stake("val1", 5_000);
    s
}

#[test]
fn verified_benchmark_sets_score_tier_and_boost() {
    let mut s = setup();
    let id = s.request_benchmark("alice", 200).unwrap();
    let c = s.challenge(id);
    assert_eq!(c.provider, s.addr("alice"));
    assert_eq!(c.seed.len(), 64);
    // 60_000 score·s of work at a claimed 200 → 300 s.
    assert_eq!(c.deadline, c.issued_at.plus_seconds(300));
    assert_eq!(s.provider("alice").benchmark.open_challenge, Some(id));

    s.advance(100);
    let res = s.submit_benchmark("alice", id).unwrap();
    assert_eq!(attr(&res, "challenge_id"), id.to_string());
    // One candidate: the quorum is 1 and it verifies; nothing to draw.
    assert_eq!(attr(&res, "quorum"), "1");
    assert_eq!(attr(&res, "draw_seq"), "all candidates");
    assert_eq!(s.challenge(id).verifiers, vec![s.addr("val1")]);
    let res = s.attest("val1", "alice", id, true, 250).unwrap();
    assert_eq!(attr(&res, "provider"), s.addr("alice").to_string());
    assert_eq!(attr(&res, "tier"), "2");

    let p = s.provider("alice");
    // Verified at most what was claimed.
    assert_eq!(p.benchmark.verified_score, 200);
    assert_eq!(p.benchmark.verified_at, Some(s.app.block_info().height));
    assert_eq!(p.benchmark.open_challenge, None);
    assert_eq!(p.tier, 2);
    assert_eq!(p.reputation, 5_100);
    assert!(matches!(
        s.challenge(id).status,
        ChallengeStatus::Verified { .. }
    ));
    let tier2: ProvidersResponse = s.query(&QueryMsg::ProvidersByTier {
        tier: 2,
        start_after: None,
        limit: None,
    });
    assert_eq!(s.names(tier2), vec![s.addr("alice")]);
    let cap: CapacityResponse = s.query(&QueryMsg::Capacity {
        start_after: None,
        limit: None,
    });
    assert_eq!(cap.entries.len(), 1);
    assert_eq!(
        (cap.entries[0].zone.as_str(), cap.entries[0].tier),
        ("eu-west", 2)
    );
    assert_eq!(cap.entries[0].capacity.score_sum.u128(), 200);
    // Pricing's view: the tier's supply moved from tier 0 to tier 2.
    let t2: TierCapacityResponse = s.query(&QueryMsg::TierCapacity { tier: 2 });
    assert_eq!((t2.providers, t2.score_sum.u128()), (1, 200));
    let t0: TierCapacityResponse = s.query(&QueryMsg::TierCapacity { tier: 0 });
    assert_eq!((t0.providers, t0.score_sum.u128()), (0, 0));
}

#[test]
fn seeds_differ_between_challenges() {
    let mut s = setup();
    s.provider_with_stake("bob", 1_000);
    let a = s.request_benchmark("alice", 200).unwrap();
    let b = s.request_benchmark("bob", 200).unwrap();
    assert_ne!(s.challenge(a).seed, s.challenge(b).seed);
}

#[test]
fn invalid_attestation_keeps_the_old_tier() {
    let mut s = setup();
    let id = s.request_benchmark("alice", 900).unwrap();
    s.submit_benchmark("alice", id).unwrap();
    s.attest("val1", "alice", id, false, 0).unwrap();
    let p = s.provider("alice");
    assert_eq!(p.tier, 0);
    assert_eq!(p.reputation, 5_000);
    assert!(matches!(
        s.challenge(id).status,
        ChallengeStatus::Rejected { .. }
    ));
    // Decided: a new challenge may be requested at once.
    s.request_benchmark("alice", 100).unwrap();
}

#[test]
fn provider_cannot_attest_own_benchmark() {
    let mut s = Suite::new();
    // alice is both a provider and a seated validator.
    s.register(
        "alice",
        "eu-west",
        vec![
            starminer_interfaces::registry::Role::Provider,
            starminer_interfaces::registry::Role::Validator,
        ],
    )
    .unwrap();
    s.bond("alice", 5_000).unwrap();
    let id = s.request_benchmark("alice", 800).unwrap();
    s.submit_benchmark("alice", id).unwrap();
    assert_err(
        s.attest("alice", "alice", id, true, 800),
        ContractError::SelfAttestation {},
    );
    assert_eq!(s.provider("alice").tier, 0);
}

#[test]
fn non_validator_cannot_attest() {
    let mut s = setup();
    s.provider_with_stake("bob", 1_000);
    let id = s.request_benchmark("alice", 200).unwrap();
    s.submit_benchmark("alice", id).unwrap();
    assert_err(
        s.attest("bob", "alice", id, true, 200),
        ContractError::NotValidator {},
    );
}

#[test]
fn benchmark_result_after_deadline_is_rejected() {
    let mut s = setup();
    let id = s.request_benchmark("alice", 200).unwrap();
    let deadline = s.challenge(id).deadline;
    s.advance(301);
    assert_err(
        s.submit_benchmark("alice", id),
        ContractError::DeadlinePassed {
            challenge_id: id,
            deadline,
        },
    );
    // Expired: the provider may ask again, and gets a new seed.
    let again = s.request_benchmark("alice", 200).unwrap();
    assert_ne!(again, id);
    assert_ne!(s.challenge(again).seed, s.challenge(id).seed);
}

#[test]
fn open_challenge_blocks_a_new_request() {
    let mut s = setup();
    let id = s.request_benchmark("alice", 200).unwrap();
    assert_err(
        s.exec_as(
            "alice",
            &ExecuteMsg::RequestBenchmark { claimed_score: 300 },
        ),
        ContractError::ChallengeOpen { challenge_id: id },
    );
    // Submitted and waiting for a validator: still open within the window.
    s.submit_benchmark("alice", id).unwrap();
    s.advance(300 + 600);
    assert_err(
        s.exec_as(
            "alice",
            &ExecuteMsg::RequestBenchmark { claimed_score: 300 },
        ),
        ContractError::ChallengeOpen { challenge_id: id },
    );
    s.advance(1);
    let closed = s.challenge(id).deadline.plus_seconds(600);
    assert_err(
        s.attest("val1", "alice", id, true, 200),
        ContractError::AttestWindowClosed {
            challenge_id: id,
            closed,
        },
    );
    s.request_benchmark("alice", 300).unwrap();
}

#[test]
fn benchmark_message_errors() {
    let mut s = setup();
    assert_err(
        s.exec_as("alice", &ExecuteMsg::RequestBenchmark { claimed_score: 0 }),
        ContractError::ZeroClaimedScore {},
    );
    // A registered address without the active provider role.
    s.register("carol", "eu-west", vec![]).unwrap();
    assert_err(
        s.exec_as("carol", &ExecuteMsg::RequestBenchmark { claimed_score: 10 }),
        ContractError::ProviderRoleInactive {
            min_stake: cosmwasm_std::Uint128::new(1_000),
        },
    );
    let id = s.request_benchmark("alice", 200).unwrap();
    assert_err(
        s.submit_benchmark("val1", id),
        ContractError::ChallengeNotYours { challenge_id: id },
    );
    assert_err(
        s.submit_benchmark("alice", 999),
        ContractError::UnknownChallenge { challenge_id: 999 },
    );
    assert_err(
        s.exec_as(
            "alice",
            &ExecuteMsg::SubmitBenchmarkResult {
                challenge_id: id,
                result_root: "xyz".into(),
            },
        ),
        ContractError::InvalidResultRoot {},
    );
    assert_err(
        s.attest("val1", "alice", id, true, 200),
        ContractError::ChallengeNotSubmitted { challenge_id: id },
    );
    s.submit_benchmark("alice", id).unwrap();
    assert_err(
        s.submit_benchmark("alice", id),
        ContractError::ChallengeNotIssued { challenge_id: id },
    );
    assert_err(
        s.attest("val1", "carol", id, true, 200),
        ContractError::ChallengeNotYours { challenge_id: id },
    );
}
