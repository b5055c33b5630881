//! Spot checks, chunk challenges and both outcomes of a dispute.

use starminer_interfaces::job_market::{
    Attestation, ExecuteMsg, JobStatus, QueryMsg, VerifierTasksResponse,
};

use crate::suite::*;

/// A provider p1 in eu and validators v1..v6; returns the suite and a
/// submitted SpotCheck{2} job with p1's output.
fn spot_checked_job() -> (Suite, u64, Vec<u8>) {
    let mut s = Suite::new();
    for v in ["v1", "v2", "v3", "v4", "v5", "v6"] {
        s.validator(v, 10_000);
    }
    s.provider("p1", "eu", 2);
    let id = s.claimed_spot_check();
    let out = honest_output(id, 640);
    s.submit_result("p1", id, &out).unwrap();
    // The verifiers come from a beacon value revealed after the result.
    s.draw(id).unwrap();
    (s, id, out)
}

#[test]
fn spot_check_auto_settles_when_the_last_verifier_attests_valid() {
    let (mut s, id, _) = spot_checked_job();
    let verifiers = s.verifier_names(id);
    assert_eq!(verifiers.len(), 2);
    assert!(!verifiers.contains(&"p1".to_string()));
    let tasks: VerifierTasksResponse = s.query(&QueryMsg::VerifierTasks {
        address: s.addr(&verifiers[0]).to_string(),
        start_after: None,
        limit: None,
    });
    assert!(tasks.tasks[0].pending);
    assert_err(
        s.attest("p2", id, Attestation::Valid),
        "not an assigned verifier",
    );
    let v0 = s.balance(&verifiers[0]);
    s.attest(&verifiers[0], id, Attestation::Valid).unwrap();
    assert_eq!(s.status(id), JobStatus::Submitted);
    let res = s.attest(&verifiers[1], id, Attestation::Valid).unwrap();
    assert!(res
        .events
        .iter()
        .any(|e| e.attributes.iter().any(|a| a.value == "settled")));
    assert_eq!(s.status(id), JobStatus::Settled);
    assert_eq!(s.balance(&verifiers[0]), v0 + 100); // 10% of the 1000 compute cost
    assert_eq!(s.market_balance(), 0);
}

#[test]
fn silent_verifier_is_not_paid_and_its_fee_is_refunded() {
    let (mut s, id, _) = spot_checked_job();
    let verifiers = s.verifier_names(id);
    s.attest(&verifiers[0], id, Attestation::Valid).unwrap();
    s.advance(601);
    let alice = s.balance("alice");
    s.settle(id).unwrap();
    assert_eq!(s.balance("alice"), alice + 100);
}

#[test]
fn withheld_chunk_unanswered_in_time_slashes_the_provider_to_the_challenger() {
    let (mut s, id, out) = spot_checked_job();
    let v = s.verifier_names(id);
    s.challenge_chunk(&v[0], id, 3, false).unwrap();
    assert_err(s.settle(id), "cannot be settled");
    // Answered challenges do not convict.
    s.challenge_chunk(&v[1], id, 5, false).unwrap();
    s.respond("p1", id, &out, 5).unwrap();
    assert_err(
        s.exec("bob", &ExecuteMsg::ResolveChallenge { job_id: id }),
        "nothing on job",
    );
    s.advance(301);
    let v0 = s.balance(&v[0]);
    s.exec("bob", &ExecuteMsg::ResolveChallenge { job_id: id })
        .unwrap();
    assert_eq!(s.balance(&v[0]), v0 + 475);
    assert_eq!(s.status(id), JobStatus::Open); // requeued: the deadline allows
    assert_eq!(s.provider_record("p1").counters.times_slashed, 1);
}

#[test]
fn answered_challenge_with_a_forged_proof_is_rejected() {
    let (mut s, id, out) = spot_checked_job();
    let v = s.verifier_names(id);
    s.challenge_chunk(&v[0], id, 2, false).unwrap();
    let mut forged = out.clone();
    forged[2 * 64] ^= 0xff;
    assert_err(s.respond("p1", id, &forged, 2), "Merkle proof rejected");
}

#[test]
fn dispute_lost_by_a_cheating_provider_slashes_it_and_requeues_the_job() {
    let mut s = Suite::new();
    for v in ["v1", "v2", "v3", "v4", "v5", "v6"] {
        s.validator(v, 10_000);
    }
    s.provider("p1", "eu", 2);
    let id = s.claimed_spot_check();
    let honest = honest_output(id, 640);
    let mut faked = honest.clone();
    faked[7 * 64 + 1] ^= 0x55; // chunk 7 is not computed
    s.submit_result("p1", id, &faked).unwrap();
    s.draw(id).unwrap();
    let v = s.verifier_names(id);
    let true_leaf = hex::encode(starminer_merkle::leaf_hash(&honest[7 * 64..8 * 64]));
    s.attest_invalid(&v[0], id, 7, true_leaf).unwrap();
    assert_eq!(s.status(id), JobStatus::Disputed);
    s.draw(id).unwrap();
    let voters = s.dispute_voter_names(id);
    assert_eq!(voters.len(), 3);
    assert!(!voters.contains(&v[0]) && !voters.contains(&v[1]));
    assert_err(
        s.exec(
            &voters[0],
            &ExecuteMsg::VoteDispute {
                job_id: id,
                provider_correct: false,
            },
        ),
        "not yet proved",
    );
    // The provider proves its (faked) leaf; the voters recompute and disagree.
    s.respond("p1", id, &faked, 7).unwrap();
    for voter in &voters {
        s.exec(
            voter,
            &ExecuteMsg::VoteDispute {
                job_id: id,
                provider_correct: false,
            },
        )
        .unwrap();
    }
    assert_eq!(s.status(id), JobStatus::Open);
    assert_eq!(s.stake("p1").bonded.u128(), 1_000_000 - 950);
    assert_eq!(s.provider_record("p1").counters.times_slashed, 1);
    assert_eq!(s.market_balance(), 1_200); // still escrowed for the next attempt
}

#[test]
fn dispute_lost_by_a_lying_verifier_slashes_the_verifier_and_settles() {
    let (mut s, id, out) = spot_checked_job();
    let v = s.verifier_names(id);
    let lie = "00".repeat(32);
    s.attest_invalid(&v[0], id, 1, lie).unwrap();
    s.draw(id).unwrap();
    let voters = s.dispute_voter_names(id);
    s.respond("p1", id, &out, 1).unwrap();
    s.exec(
        &voters[0],
        &ExecuteMsg::VoteDispute {
            job_id: id,
            provider_correct: true,
        },
    )
    .unwrap();
    s.exec(
        &voters[1],
        &ExecuteMsg::VoteDispute {
            job_id: id,
            provider_correct: true,
        },
    )
    .unwrap();
    // The third voter stays silent; the vote window closes.
    s.advance(301);
    let v0_bond = s.stake(&v[0]).bonded.u128();
    let silent_bond = s.stake(&voters[2]).bonded.u128();
    let p1 = s.balance("p1");
    s.exec("bob", &ExecuteMsg::ResolveChallenge { job_id: id })
        .unwrap();
    // The liar loses its duty lock (10 × the 100 verifier fee), half to p1;
    // the silent voter loses its lock for the missed duty.
    assert_eq!(s.stake(&v[0]).bonded.u128(), v0_bond - 1_000);
    assert_eq!(s.balance("p1"), p1 + 500);
    assert_eq!(s.stake(&voters[2]).bonded.u128(), silent_bond - 1_000);
    assert_eq!(s.status(id), JobStatus::Submitted);
    s.attest(&v[1], id, Attestation::Valid).unwrap();
    // Everyone has attested and nothing is open: settled at once.
    assert_eq!(s.status(id), JobStatus::Settled);
    let settlement = s.job(id).job.settlement.unwrap();
    assert_eq!(settlement.verifier_fees.u128(), 100); // only the honest verifier
}

#[test]
fn exact_template_refutes_an_invalid_claim_equal_to_the_proved_leaf() {
    let (mut s, id, out) = spot_checked_job();
    let v = s.verifier_names(id);
    let leaf = hex::encode(starminer_merkle::leaf_hash(&out[64..128]));
    s.attest_invalid(&v[0], id, 1, leaf).unwrap();
    let bond = s.stake(&v[0]).bonded.u128();
    s.respond("p1", id, &out, 1).unwrap();
    assert_eq!(s.stake(&v[0]).bonded.u128(), bond - 1_000);
    assert_eq!(s.status(id), JobStatus::Submitted);
}
