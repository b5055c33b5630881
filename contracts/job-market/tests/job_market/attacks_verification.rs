//! Attacks on the verification game (issue 12: C2, H2, M3, M5, L1) and the
//! accounting and authority fixes that go with them. Each test performs the
//! attack and shows it is refused or loses money.

use cosmwasm_std::{Addr, Binary, Uint128};
use cw_multi_test::Executor;
use sha2::{Digest, Sha256};
use starminer_interfaces::job_market::{
    Attestation, ExecuteMsg, JobStatus, MarketParams, ZoneUpdate,
};
use starminer_interfaces::market::{JobClass, Urgency, VerificationMode};
use starminer_interfaces::registry as reg;

use job_market::logic::{draw_seed, draw_weighted};

use crate::suite::*;

const VALIDATORS: [&str; 8] = ["v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8"];

/// Validators v1..v`n` (anchored beacon), provider p1 and a submitted
/// SpotCheck{2} job with `output` (honest unless the caller fakes it).
fn job_with(n: usize, output: impl Fn(u64) -> Vec<u8>) -> (Suite, u64, Vec<u8>) {
    let mut s = Suite::new();
    for v in &VALIDATORS[..n] {
        s.validator(v, 10_000);
    }
    s.provider("p1", "eu", 2);
    let id = s.claimed_spot_check();
    let out = output(id);
    s.submit_result("p1", id, &out).unwrap();
    (s, id, out)
}

fn faked(id: u64) -> Vec<u8> {
    let mut out = honest_output(id, 640);
    out[7 * 64 + 1] ^= 0x55; // chunk 7 was never computed
    out
}

fn vote(s: &mut Suite, who: &str, id: u64, provider_correct: bool) -> Res {
    s.exec(
        who,
        &ExecuteMsg::VoteDispute {
            job_id: id,
            provider_correct,
        },
    )
}

fn resolve(s: &mut Suite, id: u64) -> Res {
    s.exec("bob", &ExecuteMsg::ResolveChallenge { job_id: id })
}

/// The verifier lock of the suite's jobs: 10 × the 100 uagpu verifier fee.
const LOCK: u128 = 1_000;

// ---- C2: grinding ----------------------------------------------------------

fn h(parts: &[&[u8]]) -> String {
    let mut d = Sha256::new();
    for p in parts {
        d.update(p);
    }
    hex::encode(d.finalize())
}

/// N equal seats; the grinder holds the first `x`.
fn seats(n: usize) -> Vec<(Addr, Uint128)> {
    (0..n)
        .map(|i| (Addr::unchecked(format!("seat{i:02}")), Uint128::new(10_000)))
        .collect()
}

fn grinder_wins(drawn: &[Addr], x: usize) -> bool {
    drawn
        .iter()
        .all(|a| a.as_str()[4..].parse::<usize>().unwrap() < x)
}

/// 2,000 jobs; a provider with 2 of 16 seats tries 150 roots per job and
/// submits the one whose draw it can predict best. At 091ec88 the seed was
/// sha256(job ‖ root ‖ height): fully known at submission, so grinding wins
/// almost every job. Now the seed mixes the beacon value revealed *after*
/// the root: the grinder's choice is worth nothing, and it wins all slots
/// no more often than C(2,2)/C(16,2) = 1/120 allows (3σ).
/// The hash of chunk 7 (of 10) of job `id`'s honest output: what a
/// verifier names when it attests that a faked chunk 7 is wrong.
fn honest_leaf_7(id: u64) -> String {
    hex::encode(starminer_merkle::leaf_hash(
        &honest_output(id, 640)[7 * 64..8 * 64],
    ))
}

#[test]
fn attack_grinding_the_root_does_not_choose_the_verifiers() {
    const JOBS: u64 = 2_000;
    const TRIES: u64 = 150;
    let (n, x, c) = (16usize, 2usize, 2usize);
    let set = seats(n);
    let provider = Addr::unchecked("provider");
    let p_honest = 1.0 / 120.0; // C(x,c)/C(n,c)
    let mut wins_predictable = 0u64;
    let mut wins_beacon = 0u64;
    for job in 0..JOBS {
        // What the grinder knows when it submits: the current beacon head.
        let known = h(&[b"head", &job.to_be_bytes()]);
        let best = (0..TRIES)
            .map(|t| h(&[b"root", &job.to_be_bytes(), &t.to_be_bytes()]))
            .find(|root| {
                let seed = draw_seed(b"spot-check", job, root, &[], &known);
                grinder_wins(&draw_weighted(&set, &[&provider], c, &seed), x)
            })
            .unwrap_or_else(|| h(&[b"root", &job.to_be_bytes()]));
        // 091ec88: the draw used exactly what the grinder evaluated.
        let seed = draw_seed(b"spot-check", job, &best, &[], &known);
        if grinder_wins(&draw_weighted(&set, &[&provider], c, &seed), x) {
            wins_predictable += 1;
        }
        // Now: the value at draw_at = seq + reveals_per_draw, revealed after
        // the root (each link fixed by a validator's hash chain).
        let future = h(&[b"future", &job.to_be_bytes()]);
        let seed = draw_seed(b"spot-check", job, &best, &[], &future);
        if grinder_wins(&draw_weighted(&set, &[&provider], c, &seed), x) {
            wins_beacon += 1;
        }
    }
    let mean = JOBS as f64 * p_honest;
    let sigma = (JOBS as f64 * p_honest * (1.0 - p_honest)).sqrt();
    println!(
        "grinder with {x}/{n} seats, {TRIES} roots/job over {JOBS} jobs: predictable seed {wins_predictable}, \
         beacon seed {wins_beacon}, honest expectation {mean:.1} ± {sigma:.1}"
    );
    assert!(
        (wins_beacon as f64) <= mean + 3.0 * sigma,
        "the grinder won {wins_beacon} jobs, honest bound {}",
        mean + 3.0 * sigma
    );
    // The same grinder against a predictable seed: the test can fail.
    assert!((wins_predictable as f64) > mean + 20.0 * sigma);
}

/// End to end: the verifiers are unknown at SubmitResult; they are drawn
/// from the beacon value of a reveal that happened after the result, exactly
/// as `draw_weighted(draw_seed(job, root, value))` says.
#[test]
fn attack_grinding_the_root_end_to_end_draw_uses_a_later_beacon_value() {
    let (mut s, id, out) = job_with(6, |id| honest_output(id, 640));
    let job = s.job(id).job;
    let v = job.verification.clone().unwrap();
    assert!(v.verifiers.is_empty(), "nobody is drawn at submission");
    let head = s.beacon();
    assert!(head.reveals_per_draw > 0);
    let draw_at = v.draw_at.unwrap();
    assert_eq!(draw_at, head.seq + u64::from(head.reveals_per_draw));
    // Before the reveal: nothing to draw, nobody may attest.
    let res = s
        .exec("bob", &ExecuteMsg::DrawVerifiers { job_ids: vec![id] })
        .unwrap();
    assert_eq!(attr(&res, "drawn"), "");
    assert_err(s.attest("v1", id, Attestation::Valid), "not drawn yet");
    assert_err(s.settle(id), "beacon");
    s.advance(1);
    s.draw(id).unwrap();
    let entry = s.beacon_at(draw_at).unwrap();
    let submitted = job.result.as_ref().unwrap().submitted_at;
    assert!(entry.time > submitted, "the seed value came after the root");
    // Recompute the draw from public data.
    let seats: Vec<(Addr, Uint128)> = VALIDATORS[..6]
        .iter()
        .map(|v| (s.addr(v), Uint128::new(10_000)))
        .collect();
    let root = job.result.unwrap().root;
    let seed = draw_seed(b"spot-check", id, &root, &[], &entry.value);
    let p1 = s.addr("p1");
    let expected = draw_weighted(&seats, &[&p1], 2, &seed);
    let drawn: Vec<Addr> = s
        .job(id)
        .job
        .verification
        .unwrap()
        .verifiers
        .into_iter()
        .map(|e| e.address)
        .collect();
    assert_eq!(drawn, expected);
    // Each drawn verifier has its duty stake locked in the registry.
    for v in &drawn {
        let name = s.name_of(v);
        assert_eq!(s.stake(&name).locked.u128(), LOCK);
    }
    let names = s.verifier_names(id);
    s.attest(&names[0], id, Attestation::Valid).unwrap();
    s.attest(&names[1], id, Attestation::Valid).unwrap();
    assert_eq!(s.status(id), JobStatus::Settled);
    for v in &names {
        assert_eq!(s.stake(v).locked.u128(), 0, "duty over, lock released");
    }
    let _ = out;
}

/// A verifier holding seats among the possible voters attests Invalid at
/// the moment of its choice. At 091ec88 the voters were drawn in that same
/// transaction from (job, root, height): picking the height picked the
/// voters. Now the voters wait for a reveal after the attestation.
#[test]
fn attack_verifier_grinds_dispute_draw_by_timing_fails() {
    // Pure logic: 2,000 disputes; the verifier can attest at any of 60
    // moments (60 different beacon heads it knows) and would pick one where
    // its 3 of 12 candidate seats take all 3 voter places.
    const DISPUTES: u64 = 2_000;
    let set = seats(12);
    let (x, c) = (3usize, 3usize);
    let p_honest = 1.0 / 220.0; // C(3,3)/C(12,3)
    let mut wins = 0u64;
    let mut wins_predictable = 0u64;
    for d in 0..DISPUTES {
        let timing = (0..60u64).find(|t| {
            let known = h(&[b"head", &d.to_be_bytes(), &t.to_be_bytes()]);
            let seed = draw_seed(b"dispute", d, "root", &[0, 1], &known);
            grinder_wins(&draw_weighted(&set, &[], c, &seed), x)
        });
        if let Some(t) = timing {
            let known = h(&[b"head", &d.to_be_bytes(), &t.to_be_bytes()]);
            let seed = draw_seed(b"dispute", d, "root", &[0, 1], &known);
            wins_predictable += u64::from(grinder_wins(&draw_weighted(&set, &[], c, &seed), x));
        }
        // The value reveal draw_at brings does not depend on the timing.
        let future = h(&[b"future", &d.to_be_bytes()]);
        let seed = draw_seed(b"dispute", d, "root", &[0, 1], &future);
        wins += u64::from(grinder_wins(&draw_weighted(&set, &[], c, &seed), x));
    }
    let mean = DISPUTES as f64 * p_honest;
    let sigma = (DISPUTES as f64 * p_honest * (1.0 - p_honest)).sqrt();
    assert!((wins as f64) <= mean + 3.0 * sigma, "{wins} vs {mean}");
    assert!((wins_predictable as f64) > mean + 10.0 * sigma);

    // On chain: no voter exists at the attestation; they come from a later
    // reveal and match the public formula.
    let (mut s, id, out) = job_with(8, faked);
    s.draw(id).unwrap();
    let v = s.verifier_names(id);
    let leaf = honest_leaf_7(id);
    let seq_at_attest = s.beacon().seq;
    s.attest_invalid(&v[0], id, 7, leaf).unwrap();
    let d = s.job(id).job.verification.unwrap().dispute.unwrap();
    assert!(
        d.voters.is_empty(),
        "voters are not known at the attestation"
    );
    let draw_at = d.draw_at.unwrap();
    assert!(draw_at > seq_at_attest);
    assert_err(vote(&mut s, "v5", id, false), "not drawn yet");
    s.respond("p1", id, &out, 7).unwrap();
    s.draw(id).unwrap();
    let entry = s.beacon_at(draw_at).unwrap();
    let job = s.job(id).job;
    let mut extra = 7u64.to_be_bytes().to_vec();
    extra.push(1);
    extra.extend_from_slice(s.addr(&v[0]).as_bytes());
    let seed = draw_seed(
        b"dispute",
        id,
        &job.result.as_ref().unwrap().root,
        &extra,
        &entry.value,
    );
    let seats: Vec<(Addr, Uint128)> = VALIDATORS
        .iter()
        .map(|v| (s.addr(v), Uint128::new(10_000)))
        .collect();
    let p1 = s.addr("p1");
    let (a, b) = (s.addr(&v[0]), s.addr(&v[1]));
    let expected = draw_weighted(&seats, &[&p1, &a, &b], 3, &seed);
    let voters: Vec<Addr> = job
        .verification
        .unwrap()
        .dispute
        .unwrap()
        .voters
        .into_iter()
        .map(|x| x.address)
        .collect();
    assert_eq!(voters, expected);
}

// ---- H2: stake at risk -------------------------------------------------------

/// A verifier files a false Invalid and unbonds all its free bond right
/// after. Its duty lock cannot be unbonded, and the refutation slashes it.
#[test]
fn attack_false_invalid_then_unbond_is_still_slashed() {
    let (mut s, id, out) = job_with(6, |id| honest_output(id, 640));
    s.draw(id).unwrap();
    let v = s.verifier_names(id);
    let liar = v[0].clone();
    // The liar claims the chunk hashes to what the provider committed:
    // an exact template refutes that at once once the leaf is proved.
    let leaf = hex::encode(starminer_merkle::leaf_hash(&out[64..128]));
    s.attest_invalid(&liar, id, 1, leaf).unwrap();
    let before = s.stake(&liar);
    assert_eq!(before.locked.u128(), LOCK);
    // Unbond everything it can: the free part only.
    let free = before.free;
    s.app
        .execute_contract(
            s.addr(&liar),
            s.registry.clone(),
            &reg::ExecuteMsg::Unbond { amount: free },
            &[],
        )
        .unwrap();
    assert!(s
        .app
        .execute_contract(
            s.addr(&liar),
            s.registry.clone(),
            &reg::ExecuteMsg::Unbond {
                amount: Uint128::new(1)
            },
            &[],
        )
        .is_err());
    let slashed0 = s.stats().totals.slashed.u128();
    let p1 = s.balance("p1");
    s.respond("p1", id, &out, 1).unwrap();
    let after = s.stake(&liar);
    assert_eq!(
        after.bonded.u128(),
        before.bonded.u128() - free.u128() - LOCK
    );
    assert_eq!(after.locked.u128(), 0);
    assert_eq!(
        s.balance("p1"),
        p1 + LOCK / 2,
        "the wronged provider's share"
    );
    assert_eq!(s.stats().totals.slashed.u128(), slashed0 + LOCK);
    assert_eq!(s.status(id), JobStatus::Submitted);
}

/// A verifier attests Valid without checking; another catches the fraud and
/// the voters confirm it. The lazy verifier loses its lock to the catcher.
#[test]
fn lazy_valid_attestation_on_proven_fraud_is_slashed() {
    let (mut s, id, out) = job_with(8, faked);
    s.draw(id).unwrap();
    let v = s.verifier_names(id);
    let (lazy, honest) = (v[0].clone(), v[1].clone());
    s.attest(&lazy, id, Attestation::Valid).unwrap();
    let leaf = honest_leaf_7(id);
    s.attest_invalid(&honest, id, 7, leaf).unwrap();
    s.respond("p1", id, &out, 7).unwrap();
    s.draw(id).unwrap();
    let lazy_bond = s.stake(&lazy).bonded.u128();
    let honest_balance = s.balance(&honest);
    for voter in s.dispute_voter_names(id) {
        vote(&mut s, &voter, id, false).unwrap();
    }
    assert_eq!(s.status(id), JobStatus::Open, "requeued");
    assert_eq!(s.stake(&lazy).bonded.u128(), lazy_bond - LOCK);
    // The catcher gets half of the lazy verifier's lock and half of the
    // provider's 950 collateral; its own lock is released.
    assert_eq!(s.balance(&honest), honest_balance + LOCK / 2 + 475);
    assert_eq!(s.stake(&honest).locked.u128(), 0);
    assert_eq!(s.stake(&lazy).locked.u128(), 0);
}

// ---- M3: silence, ties, deadlines -------------------------------------------

/// A cheating provider's result is disputed; the drawn voters stay silent
/// (or one sybil votes for the provider). The cheater is never paid: silent
/// voters are slashed, a fresh round is drawn, and after the last round the
/// job fails back to the queue with the escrow kept for the requester.
#[test]
fn attack_silent_dispute_voters_do_not_let_cheater_win() {
    let (mut s, id, out) = job_with(8, faked);
    s.draw(id).unwrap();
    let v = s.verifier_names(id);
    let leaf = honest_leaf_7(id);
    s.attest_invalid(&v[0], id, 7, leaf).unwrap();
    s.respond("p1", id, &out, 7).unwrap();
    s.draw(id).unwrap();
    let round1 = s.dispute_voter_names(id);
    assert_eq!(round1.len(), 3);
    // One voter is the cheater's sybil; the others stay silent.
    vote(&mut s, &round1[0], id, true).unwrap();
    let bonds: Vec<u128> = round1.iter().map(|x| s.stake(x).bonded.u128()).collect();
    s.advance(301);
    resolve(&mut s, id).unwrap();
    assert_eq!(s.status(id), JobStatus::Disputed, "1 of 3 is no majority");
    for (i, x) in round1.iter().enumerate() {
        let lost = if i == 0 { 0 } else { LOCK };
        assert_eq!(s.stake(x).bonded.u128(), bonds[i] - lost, "{x}");
    }
    // Round 2 draws among the validators not used yet (v1..v8 minus the two
    // spot checkers and round 1: three left).
    s.draw(id).unwrap();
    let round2 = s.dispute_voter_names(id);
    assert!(round2.iter().all(|x| !round1.contains(x) && !v.contains(x)));
    s.advance(301);
    let p1 = s.balance("p1");
    let p1_bond = s.stake("p1").bonded.u128();
    resolve(&mut s, id).unwrap();
    // Undecided: nobody paid, the provider released (not slashed), the job
    // back in the queue with its escrow.
    assert_eq!(s.status(id), JobStatus::Open);
    assert_eq!(s.balance("p1"), p1);
    assert_eq!(s.stake("p1").bonded.u128(), p1_bond);
    assert_eq!(s.stake("p1").locked.u128(), 0);
    assert_eq!(s.market_balance(), 1_200);
    for x in &round2 {
        assert_eq!(s.stake(x).locked.u128(), 0);
    }
}

#[test]
fn late_vote_is_refused() {
    let (mut s, id, out) = job_with(8, faked);
    s.draw(id).unwrap();
    let v = s.verifier_names(id);
    let leaf = honest_leaf_7(id);
    s.attest_invalid(&v[0], id, 7, leaf).unwrap();
    s.draw(id).unwrap();
    // A late proof is refused too.
    let d = s.job(id).job.verification.unwrap().dispute.unwrap();
    let wait = d.response_deadline.seconds() - s.now().seconds() + 1;
    s.advance(wait);
    assert_err(s.respond("p1", id, &out, 7), "response window");
    // Fresh job for the vote deadline.
    let (mut s, id, out) = job_with(8, faked);
    s.draw(id).unwrap();
    let v = s.verifier_names(id);
    s.attest_invalid(&v[0], id, 7, "ab".repeat(32)).unwrap();
    s.draw(id).unwrap();
    s.respond("p1", id, &out, 7).unwrap();
    let voters = s.dispute_voter_names(id);
    vote(&mut s, &voters[0], id, false).unwrap();
    s.advance(301);
    assert_err(vote(&mut s, &voters[1], id, false), "vote window");
}

// ---- L1: attest and challenge close -----------------------------------------

#[test]
fn late_attestation_and_challenge_are_refused() {
    let (mut s, id, _) = job_with(6, |id| honest_output(id, 640));
    s.draw(id).unwrap();
    let v = s.verifier_names(id);
    s.advance(601);
    assert_err(
        s.attest(&v[0], id, Attestation::Valid),
        "attestation window",
    );
    assert_err(s.challenge_chunk(&v[1], id, 0, false), "challenge window");
    // The job settles; the silent verifiers are unpaid and released.
    s.settle(id).unwrap();
    assert_eq!(s.stake(&v[0]).locked.u128(), 0);
}

// ---- totals ------------------------------------------------------------------

/// The market's `slashed` total is what the registry took: here a bond that
/// no longer covers the collateral (governance slashed most of it first).
#[test]
fn slashed_total_counts_what_the_registry_took() {
    let mut s = Suite::new();
    s.validator("v1", 10_000);
    s.provider_with("p1", "eu", 2, vec![gpu(80, 132)], 2_000);
    let spec = s.spec("eu", Urgency::Normal, VerificationMode::None);
    let id = s.submit("alice", &spec, 1_000);
    let other = s.submit("alice", &spec, 1_000);
    s.claim("p1", id).unwrap();
    s.claim("p1", other).unwrap();
    // Two locks of 950; 100 free.
    assert_eq!(s.stake("p1").free.u128(), 100);
    let gov = s.gov.clone();
    s.app
        .execute_contract(
            gov,
            s.registry.clone(),
            &reg::ExecuteMsg::Slash {
                provider: s.addr("p1").to_string(),
                job_id: Some(id),
                amount: Uint128::new(900),
                beneficiary: None,
            },
            &[],
        )
        .unwrap();
    assert_eq!(s.stake("p1").bonded.u128(), 1_100);
    s.advance(10_001);
    let before = s.stats().totals.slashed.u128();
    let bond_before = s.stake("p1").bonded.u128();
    s.expire(id).unwrap();
    // Asked 950 (the collateral); what job 1's lock and the free bond held
    // is less, and exactly that is counted.
    let taken = bond_before - s.stake("p1").bonded.u128();
    assert!(taken > 0 && taken < 950, "taken {taken}");
    assert_eq!(s.stats().totals.slashed.u128() - before, taken);
    // Job 2's lock was not touched.
    assert!(s.stake("p1").locked.u128() >= 950);
}

// ---- oracles -------------------------------------------------------------------

#[test]
fn oracle_authority_comes_from_the_registry_role() {
    let mut s = Suite::new();
    let update = ExecuteMsg::SetZones {
        zones: vec![ZoneUpdate {
            zone: "eu".into(),
            capacity_threshold: 7,
        }],
    };
    // "oracle" is in the market's legacy list but not appointed: refused.
    assert_err(s.exec("oracle", &update), "appointed oracle");
    s.appoint_oracle("oracle");
    s.exec("oracle", &update).unwrap();
}

// ---- M5: data availability ---------------------------------------------------

fn training_job() -> (Suite, u64, Vec<u8>) {
    let mut s = Suite::new();
    for v in &VALIDATORS[..6] {
        s.validator(v, 10_000);
    }
    s.provider("p1", "eu", 2);
    let mut t = template();
    t.id = "ai.train".into();
    t.class = JobClass::Training;
    s.gov_exec(&ExecuteMsg::RegisterTemplate { template: t })
        .unwrap();
    let mut spec = s.spec(
        "eu",
        Urgency::Normal,
        VerificationMode::SpotCheck { verifiers: 2 },
    );
    spec.template = "ai.train".into();
    let id = s.submit("alice", &spec, 1_200);
    s.claim("p1", id).unwrap();
    let out = honest_output(id, 640);
    s.submit_result("p1", id, &out).unwrap();
    s.draw(id).unwrap();
    (s, id, out)
}

fn respond_data(s: &mut Suite, id: u64, out: &[u8], index: u64, data: &[u8]) -> Res {
    let tree = starminer_merkle::MerkleTree::from_data(out, CHUNK as usize).unwrap();
    s.exec(
        "p1",
        &ExecuteMsg::RespondData {
            job_id: id,
            index,
            data: Binary::from(data.to_vec()),
            proof: tree.proof(index).unwrap().iter().map(hex::encode).collect(),
        },
    )
}

/// A training provider withholds checkpoint 3, which a verifier needs to
/// re-run step 4. A leaf hash does not answer a data challenge; silence
/// past the response window convicts it like a withheld chunk.
#[test]
fn attack_withholding_previous_checkpoint_is_slashed() {
    let (mut s, id, out) = training_job();
    let v = s.verifier_names(id);
    s.challenge_chunk(&v[0], id, 3, true).unwrap();
    // Only the bytes answer it.
    assert_err(s.respond("p1", id, &out, 3), "nothing on job");
    // Wrong bytes do not match the committed leaf.
    assert_err(
        respond_data(&mut s, id, &out, 3, &out[4 * 64..5 * 64]),
        "Merkle proof rejected",
    );
    s.advance(301);
    let v0 = s.balance(&v[0]);
    let p1_bond = s.stake("p1").bonded.u128();
    resolve(&mut s, id).unwrap();
    assert_eq!(s.stake("p1").bonded.u128(), p1_bond - 950);
    assert_eq!(s.balance(&v[0]), v0 + 475);
    assert_eq!(s.status(id), JobStatus::Open);
}

#[test]
fn published_checkpoint_answers_the_data_challenge() {
    let (mut s, id, out) = training_job();
    let v = s.verifier_names(id);
    s.challenge_chunk(&v[0], id, 3, true).unwrap();
    let res = respond_data(&mut s, id, &out, 3, &out[3 * 64..4 * 64]).unwrap();
    let detail = attr(&res, "detail");
    let b64 = Binary::from(out[3 * 64..4 * 64].to_vec()).to_base64();
    assert!(detail.contains(&b64));
    let c = &s.job(id).job.verification.unwrap().challenges[0];
    assert!(c.data && c.answer.is_some());
    // Not on a template without chained checkpoints.
    let (mut s2, id2, _) = job_with(6, |id| honest_output(id, 640));
    s2.draw(id2).unwrap();
    let v2 = s2.verifier_names(id2);
    assert_err(
        s2.exec(
            &v2[0],
            &ExecuteMsg::ChallengeData {
                job_id: id2,
                index: 1,
            },
        ),
        "not Training",
    );
}

// ---- no beacon, stalled beacon, migration -------------------------------------

/// Without any anchored validator there is no beacon (`reveals_per_draw`
/// 0): SpotCheck jobs get no verifiers and their fees are refunded, as with
/// too small a validator set.
#[test]
fn without_a_beacon_spot_checks_run_without_verifiers() {
    let mut s = Suite::new();
    // A validator that never anchors a hash chain.
    let v1 = s.addr("v1");
    s.app
        .execute_contract(
            v1,
            s.registry.clone(),
            &reg::ExecuteMsg::Register {
                moniker: "v1".into(),
                pubkey: None,
                region: "r".into(),
                zone: "eu".into(),
                hardware: vec![gpu(80, 132)],
                result_server_url: None,
                roles: vec![reg::Role::Validator],
            },
            &[],
        )
        .unwrap();
    s.bond("v1", 10_000);
    s.provider("p1", "eu", 2);
    assert_eq!(s.beacon().reveals_per_draw, 0);
    let id = s.claimed_spot_check();
    s.submit_result("p1", id, &honest_output(id, 640)).unwrap();
    let v = s.job(id).job.verification.unwrap();
    assert!(v.draw_at.is_none() && v.verifiers.is_empty());
    s.advance(601);
    let alice = s.balance("alice");
    s.settle(id).unwrap();
    assert_eq!(s.status(id), JobStatus::Settled);
    assert_eq!(
        s.balance("alice"),
        alice + 200,
        "both verifier fees refunded"
    );
}

/// A draw whose beacon never comes fails the job with a full refund after
/// `draw_timeout`, nobody slashed.
#[test]
fn stalled_beacon_fails_the_job_with_a_refund() {
    let (mut s, id, _) = job_with(6, |id| honest_output(id, 640));
    assert_err(s.settle(id), "beacon");
    s.advance(3_601);
    // Far past the deadline too: the job ends instead of requeueing.
    s.advance(10_000);
    let alice = s.balance("alice");
    let p1_bond = s.stake("p1").bonded.u128();
    s.settle(id).unwrap();
    assert_eq!(s.status(id), JobStatus::Failed);
    assert_eq!(s.balance("alice"), alice + 1_200);
    assert_eq!(s.stake("p1").bonded.u128(), p1_bond);
    assert_eq!(s.stake("p1").locked.u128(), 0);
}

/// State written at 091ec88 (no issue-12 fields) still loads.
#[test]
fn market_state_from_091ec88_still_loads() {
    let s = Suite::new();
    let mut params = serde_json::to_value(market_params()).unwrap();
    for k in [
        "verifier_collateral_rate",
        "dispute_rounds",
        "draw_timeout",
        "max_data_bytes",
    ] {
        params.as_object_mut().unwrap().remove(k);
    }
    let p: MarketParams = serde_json::from_value(params).unwrap();
    assert_eq!(p.verifier_collateral_rate, dec("10"));
    assert_eq!((p.dispute_rounds, p.draw_timeout), (2, 3_600));
    // A verification and dispute as 091ec88 stored them.
    let old = serde_json::json!({
        "challenge_deadline": "1000000000",
        "verifiers": [{"address": "v", "attestation": null}],
        "challenges": [{"challenger": "v", "index": 1, "deadline": "5", "answer": null}],
        "dispute": {
            "challenger": "v", "index": 1, "claimed_hash": "00",
            "provider_leaf": null, "response_deadline": "7",
            "vote_deadline": null,
            "voters": [{"address": "w", "provider_correct": null}]
        }
    });
    let v: starminer_interfaces::job_market::Verification = serde_json::from_value(old).unwrap();
    assert!(v.draw_at.is_none(), "drawn at submission, as before");
    let d = v.dispute.unwrap();
    assert!(d.draw_at.is_none() && d.past_voters.is_empty() && d.round == 0);
    assert!(!v.challenges[0].data);
    let _ = s;
}

/// Emission the incentives contract owes `who` once the epoch closed.
fn pending_rewards(s: &Suite, who: &str) -> u128 {
    let r: starminer_interfaces::incentives::PendingRewardsResponse = s
        .app
        .wrap()
        .query_wasm_smart(
            &s.incentives,
            &starminer_interfaces::incentives::QueryMsg::PendingRewards {
                address: s.addr(who).to_string(),
            },
        )
        .unwrap();
    r.amount.u128()
}

/// Dispute voters did the work of recomputing the disputed chunk. Credited
/// only by a fee-less attestation record they earned nothing; now the voters
/// on the decided side ride on the fee the job's settlement paid, and the
/// voter on the losing side earns nothing (it also loses its lock).
#[test]
fn dispute_voters_on_the_decided_side_earn_emission_backed_by_the_fee() {
    let (mut s, id, out) = job_with(8, |id| honest_output(id, 640));
    s.draw(id).unwrap();
    let v = s.verifier_names(id);
    // A false Invalid: the claimed hash is not the chunk's.
    s.attest_invalid(&v[0], id, 3, "22".repeat(32)).unwrap();
    s.respond("p1", id, &out, 3).unwrap();
    s.draw(id).unwrap();
    let voters = s.dispute_voter_names(id);
    vote(&mut s, &voters[0], id, true).unwrap();
    vote(&mut s, &voters[1], id, true).unwrap();
    // The last vote decides the round at once.
    vote(&mut s, &voters[2], id, false).unwrap();
    assert_eq!(s.status(id), JobStatus::Submitted, "the provider won");
    // The last attestation settles the job.
    s.attest(&v[1], id, Attestation::Valid).unwrap();
    assert_eq!(s.status(id), JobStatus::Settled);
    s.advance(86_400);
    let (won0, won1, lost) = (
        pending_rewards(&s, &voters[0]),
        pending_rewards(&s, &voters[1]),
        pending_rewards(&s, &voters[2]),
    );
    assert!(won0 > 0 && won0 == won1, "winning voters: {won0}, {won1}");
    assert_eq!(lost, 0, "the losing voter earns nothing");
    assert_eq!(
        pending_rewards(&s, &v[0]),
        0,
        "the refuted challenger earns nothing"
    );
    assert!(
        pending_rewards(&s, &v[1]) > 0,
        "the paid spot checker earns"
    );
}
