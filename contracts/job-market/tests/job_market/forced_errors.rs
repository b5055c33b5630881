//! Forced errors: the verifier's dilemma (issue 12). A spot-checked result
//! comes as two roots that differ at one leaf; the draw designates which
//! one the verifiers check, and the provider reveals afterwards which one is
//! true. A verifier that attests Valid without recomputing is caught on
//! every forced error (half of its duties) and loses money in expectation;
//! one that recomputes is paid. Two or more verifiers seal their verdicts
//! before any is opened, so none can copy another's call on the decoy
//! chunk.

use cosmwasm_std::Binary;
use starminer_interfaces::job_market::{
    decoy_commitment, decoy_index, Attestation, DecoyPair, ExecuteMsg, JobStatus,
};
use starminer_interfaces::market::{Urgency, VerificationMode};
use starminer_merkle::{leaf_hash, root_from_proof, MerkleTree};

use crate::suite::*;

const VALIDATORS: [&str; 6] = ["v1", "v2", "v3", "v4", "v5", "v6"];
/// The suite's jobs of 1,200 uagpu quote a verifier fee of 100; the duty
/// lock is ten fees.
const FEE: u128 = 100;
const LOCK: u128 = 1_000;
const OUTPUT_LEN: usize = 640;
const SALT: &[u8] = b"p1's secret salt, 32 bytes long!";
/// Each verifier's salt for its sealed attestation.
fn seal_salt(who: &str) -> Vec<u8> {
    format!("{who}'s attestation salt").into_bytes()
}

fn forced_suite() -> Suite {
    let mut params = market_params();
    params.forced_errors = true;
    let mut s = Suite::with_params(params);
    for v in VALIDATORS {
        s.validator(v, 10_000);
    }
    s.provider("p1", "eu", 2);
    s
}

/// The provider's two trees: the true output and the same with chunk
/// `decoy_index` inverted.
struct Pair {
    index: u64,
    true_root: String,
    false_root: String,
    true_leaf: String,
    false_leaf: String,
    proof: Vec<String>,
}

fn pair_of(job_id: u64, output: &[u8]) -> Pair {
    let tree = MerkleTree::from_data(output, CHUNK as usize).unwrap();
    let index = decoy_index(job_id, tree.leaf_count());
    let start = index as usize * CHUNK as usize;
    let end = (start + CHUNK as usize).min(output.len());
    let wrong: Vec<u8> = output[start..end].iter().map(|b| b ^ 0xff).collect();
    let false_leaf = leaf_hash(&wrong);
    let proof = tree.proof(index).unwrap();
    let false_root = root_from_proof(tree.leaf_count(), index, &false_leaf, &proof).unwrap();
    Pair {
        index,
        true_root: hex::encode(tree.root()),
        false_root: hex::encode(false_root),
        true_leaf: hex::encode(tree.leaf(index).unwrap()),
        false_leaf: hex::encode(false_leaf),
        proof: proof.iter().map(hex::encode).collect(),
    }
}

/// SubmitResult with the pair; `true_first`: the submitted root is the true
/// one (honest = 0), else the false one (honest = 1).
fn submit_pair(s: &mut Suite, who: &str, job_id: u64, p: &Pair, true_first: bool) -> Res {
    let honest = if true_first { 0 } else { 1 };
    let (root, leaf, other_leaf) = if true_first {
        (&p.true_root, &p.true_leaf, &p.false_leaf)
    } else {
        (&p.false_root, &p.false_leaf, &p.true_leaf)
    };
    let commitment = decoy_commitment(SALT, honest, s.addr(who).as_str(), job_id);
    s.exec(
        who,
        &ExecuteMsg::SubmitResult {
            job_id,
            root: root.clone(),
            chunk_count: (OUTPUT_LEN as u64).div_ceil(CHUNK),
            output_size: OUTPUT_LEN as u64,
            output_uri: format!("https://{who}.example/out/{job_id}"),
            decoy: Some(DecoyPair {
                leaf: leaf.clone(),
                other_leaf: other_leaf.clone(),
                proof: p.proof.clone(),
                commitment,
            }),
        },
    )
}

fn reveal(s: &mut Suite, who: &str, job_id: u64, salt: &[u8], honest: u8) -> Res {
    s.exec(
        who,
        &ExecuteMsg::RevealDecoy {
            job_id,
            salt: Binary::from(salt.to_vec()),
            honest,
        },
    )
}

/// A claimed SpotCheck{2} job with its pair submitted and verifiers drawn.
fn drawn_job(s: &mut Suite, true_first: bool) -> (u64, Pair) {
    let id = s.claimed_spot_check();
    let p = pair_of(id, &honest_output(id, OUTPUT_LEN));
    submit_pair(s, "p1", id, &p, true_first).unwrap();
    s.draw(id).unwrap();
    (id, p)
}

/// The next job whose draw shows the verifiers the false root (the jobs
/// before it are checked honestly and settle).
fn forced_job(s: &mut Suite) -> (u64, Pair) {
    loop {
        let (id, p) = drawn_job(s, true);
        if shown_false(s, id, &p) {
            return (id, p);
        }
        attest_checked(s, id, &p);
        reveal(s, "p1", id, SALT, 0).unwrap();
        assert_eq!(s.status(id), JobStatus::Settled);
    }
}

/// Whether the verifiers of `id` were shown the false root.
fn shown_false(s: &Suite, id: u64, p: &Pair) -> bool {
    let root = s.job(id).job.result.unwrap().root;
    assert!(root == p.true_root || root == p.false_root);
    root == p.false_root
}

/// What a verifier that recomputes says: the designated root's decoy leaf
/// against the chunk it computed itself.
fn checked_verdict(s: &Suite, id: u64, p: &Pair) -> Attestation {
    if shown_false(s, id, p) {
        Attestation::Invalid {
            index: p.index,
            chunk_hash: p.true_leaf.clone(),
        }
    } else {
        Attestation::Valid
    }
}

/// Every listed verifier seals its verdict, then all open them: the way
/// verifiers of a job with sealed attestations attest.
fn attest_all(s: &mut Suite, id: u64, verdicts: &[(String, Attestation)]) {
    for (who, a) in verdicts {
        s.seal_attestation(who, id, a, &seal_salt(who)).unwrap();
    }
    for (who, a) in verdicts {
        s.open_attestation(who, id, a.clone(), &seal_salt(who))
            .unwrap();
    }
}

/// Every verifier of `id` attests what a recomputation shows.
fn attest_checked(s: &mut Suite, id: u64, p: &Pair) {
    let verdicts: Vec<_> = s
        .verifier_names(id)
        .into_iter()
        .map(|v| (v, checked_verdict(s, id, p)))
        .collect();
    attest_all(s, id, &verdicts);
}

/// Free AGPU plus bonded stake: what a verifier owns.
fn wealth(s: &Suite, who: &str) -> u128 {
    s.balance(who) + s.stake(who).bonded.u128()
}

#[test]
fn spot_check_result_without_a_valid_pair_is_refused() {
    let mut s = forced_suite();
    let id = s.claimed_spot_check();
    let out = honest_output(id, OUTPUT_LEN);
    assert_err(s.submit_result("p1", id, &out), "must carry a decoy pair");
    let p = pair_of(id, &out);
    // A pair whose leaves are equal hides nothing.
    let mut same = pair_of(id, &out);
    same.false_leaf = same.true_leaf.clone();
    same.false_root = same.true_root.clone();
    assert_err(submit_pair(&mut s, "p1", id, &same, true), "must differ");
    // A proof that does not lead to the submitted root: the two roots could
    // differ elsewhere, so the pair is refused.
    let mut forged = pair_of(id, &out);
    forged.proof[0] = "11".repeat(32);
    assert_err(
        submit_pair(&mut s, "p1", id, &forged, true),
        "do not lead to the submitted root",
    );
    submit_pair(&mut s, "p1", id, &p, true).unwrap();
    let stored = s.job(id).job.verification.unwrap().decoy.unwrap();
    assert_eq!(stored.index, p.index);
    assert_eq!(
        stored.roots,
        vec![p.true_root.clone(), p.false_root.clone()]
    );

    // Jobs without verifiers take no pair.
    let spec = s.spec("eu", Urgency::Normal, VerificationMode::None);
    let id = s.submit("alice", &spec, 1_200);
    s.claim("p1", id).unwrap();
    let p = pair_of(id, &honest_output(id, OUTPUT_LEN));
    assert_err(
        submit_pair(&mut s, "p1", id, &p, true),
        "only with a SpotCheck result",
    );
}

#[test]
fn attack_lazy_verifier_attests_valid_on_a_forced_error_and_is_slashed() {
    let mut s = forced_suite();
    // The draw designates the root; find a job where it shows the false one.
    let (id, p) = forced_job(&mut s);
    let names = s.verifier_names(id);
    let (lazy, honest) = (names[0].clone(), names[1].clone());
    let before = (wealth(&s, &lazy), wealth(&s, &honest), s.balance("p1"));
    let verdict = checked_verdict(&s, id, &p);
    attest_all(
        &mut s,
        id,
        &[
            (lazy.clone(), Attestation::Valid),
            (honest.clone(), verdict),
        ],
    );
    assert_eq!(s.status(id), JobStatus::Submitted, "waits for the reveal");
    let res = reveal(&mut s, "p1", id, SALT, 0).unwrap();
    assert_eq!(attr(&res, "forced_error"), "true");
    assert_eq!(s.status(id), JobStatus::Settled);
    let job = s.job(id).job;
    assert_eq!(
        job.result.unwrap().root,
        p.true_root,
        "the true root stands"
    );
    assert_eq!(
        wealth(&s, &lazy),
        before.0 - LOCK,
        "the lazy verifier lost its lock and earned no fee"
    );
    assert_eq!(wealth(&s, &honest), before.1 + FEE, "the checker is paid");
    assert!(s.balance("p1") > before.2, "the honest provider is paid");
    assert_eq!(s.stake(&lazy).locked.u128(), 0);
    assert_eq!(s.stake(&honest).locked.u128(), 0);
}

#[test]
fn lazy_verifier_loses_money_in_expectation_and_a_checking_one_earns() {
    let mut s = forced_suite();
    let mut lazy_total: i128 = 0;
    let mut checker_total: i128 = 0;
    let mut forced = 0;
    let jobs = 16;
    for n in 0..jobs {
        // The provider seals either order; the draw decides what is shown.
        let (id, p) = drawn_job(&mut s, n % 3 != 0);
        let honest = if n % 3 != 0 { 0 } else { 1 };
        forced += u32::from(shown_false(&s, id, &p));
        let names = s.verifier_names(id);
        let (lazy, checker) = (names[0].clone(), names[1].clone());
        let before = (wealth(&s, &lazy) as i128, wealth(&s, &checker) as i128);
        let verdict = checked_verdict(&s, id, &p);
        attest_all(
            &mut s,
            id,
            &[
                (lazy.clone(), Attestation::Valid),
                (checker.clone(), verdict),
            ],
        );
        reveal(&mut s, "p1", id, SALT, honest).unwrap();
        assert_eq!(s.status(id), JobStatus::Settled);
        lazy_total += wealth(&s, &lazy) as i128 - before.0;
        checker_total += wealth(&s, &checker) as i128 - before.1;
    }
    println!(
        "{jobs} jobs, {forced} forced errors: lazy verifier {lazy_total:+} uagpu, checking verifier {checker_total:+} uagpu"
    );
    assert!(forced > 0 && forced < jobs, "the draw mixes both cases");
    assert_eq!(checker_total, i128::from(jobs) * FEE as i128);
    let unforced = i128::from(jobs - forced);
    assert_eq!(
        lazy_total,
        unforced * FEE as i128 - i128::from(forced) * LOCK as i128
    );
    assert!(lazy_total < 0, "laziness loses money");
}

#[test]
fn attack_provider_hides_a_forced_error_by_not_revealing_is_convicted() {
    let mut s = forced_suite();
    let (id, p) = drawn_job(&mut s, true);
    attest_checked(&mut s, id, &p);
    assert_eq!(s.status(id), JobStatus::Submitted);
    assert_err(s.settle(id), "has not revealed its forced-error pair");
    let collateral = s.job(id).job.slots[0].collateral.u128();
    let (alice, p1_stake) = (s.balance("alice"), s.stake("p1").bonded.u128());
    // Challenge window 600 s, reveal window of the sealed attestations
    // 300 s, then the provider's own 300 s.
    s.advance(1_201);
    assert_err(reveal(&mut s, "p1", id, SALT, 0), "reveal window");
    s.settle(id).unwrap();
    assert_eq!(s.stake("p1").bonded.u128(), p1_stake - collateral);
    assert!(s.balance("alice") > alice, "the requester gets the slash");
    let status = s.status(id);
    assert!(
        matches!(status, JobStatus::Open | JobStatus::Failed),
        "{status:?}"
    );
}

#[test]
fn attack_lazy_verifier_waits_for_the_reveal_is_refused() {
    let mut s = forced_suite();
    let (id, _p) = drawn_job(&mut s, true);
    let names = s.verifier_names(id);
    s.seal_attestation(&names[0], id, &Attestation::Valid, &seal_salt(&names[0]))
        .unwrap();
    // A reveal while a verifier may still attest would tell it the answer.
    assert_err(reveal(&mut s, "p1", id, SALT, 0), "may attest until");
    assert_err(
        reveal(&mut s, "p1", id, b"another salt", 0),
        "may attest until",
    );
}

#[test]
fn attack_decoy_seal_opened_with_another_choice_or_by_another_is_refused() {
    let mut s = forced_suite();
    s.provider("p2", "eu", 2);
    let (id, p) = drawn_job(&mut s, true);
    attest_checked(&mut s, id, &p);
    // Claiming after the fact that the other root was the true one.
    assert_err(reveal(&mut s, "p1", id, SALT, 1), "do not open");
    assert_err(
        reveal(&mut s, "p1", id, b"a guessed salt", 0),
        "do not open",
    );
    assert_err(reveal(&mut s, "p1", id, SALT, 2), "do not open");
    // Someone else cannot open the provider's seal.
    assert_err(reveal(&mut s, "p2", id, SALT, 0), "");
    reveal(&mut s, "p1", id, SALT, 0).unwrap();
    assert_eq!(s.status(id), JobStatus::Settled);
    assert_err(reveal(&mut s, "p1", id, SALT, 0), "Settled");
}

#[test]
fn flag_on_the_decoy_leaf_with_another_hash_opens_a_dispute() {
    let mut s = forced_suite();
    let (id, p) = forced_job(&mut s);
    let names = s.verifier_names(id);
    // The second verifier's recomputation disagrees with the provider's
    // true leaf as well: no dispute before the reveal, one after it.
    attest_all(
        &mut s,
        id,
        &[
            (
                names[0].clone(),
                Attestation::Invalid {
                    index: p.index,
                    chunk_hash: p.true_leaf.clone(),
                },
            ),
            (
                names[1].clone(),
                Attestation::Invalid {
                    index: p.index,
                    chunk_hash: "22".repeat(32),
                },
            ),
        ],
    );
    assert_eq!(s.status(id), JobStatus::Submitted);
    reveal(&mut s, "p1", id, SALT, 0).unwrap();
    assert_eq!(s.status(id), JobStatus::Disputed);
    let d = s.job(id).job.verification.unwrap().dispute.unwrap();
    assert_eq!(d.index, p.index);
    assert_eq!(d.challenger, s.addr(&names[1]));
}

#[test]
fn attack_verifier_copies_a_co_verifiers_attestation_is_refused_and_slashed() {
    let mut s = forced_suite();
    let (id, p) = forced_job(&mut s);
    let names = s.verifier_names(id);
    let (honest, copier) = (names[0].clone(), names[1].clone());
    let before = (wealth(&s, &honest), wealth(&s, &copier));
    let verdict = checked_verdict(&s, id, &p);
    assert!(
        matches!(verdict, Attestation::Invalid { .. }),
        "a forced error"
    );
    // Nothing is public to copy: verdicts go in sealed, and a plain one is
    // refused.
    assert_err(
        s.attest(&copier, id, Attestation::Valid),
        "takes sealed attestations",
    );
    s.seal_attestation(&honest, id, &verdict, &seal_salt(&honest))
        .unwrap();
    // The honest verifier cannot open (and so show) its verdict while the
    // copier has not sealed.
    assert_err(
        s.open_attestation(&honest, id, verdict.clone(), &seal_salt(&honest)),
        "still being sealed",
    );
    // The copier copies the honest seal byte for byte ...
    let honest_seal = s.job(id).job.verification.unwrap().verifiers[0]
        .seal
        .clone()
        .unwrap();
    s.exec(
        &copier,
        &ExecuteMsg::SealAttestation {
            job_id: id,
            seal: honest_seal,
        },
    )
    .unwrap();
    assert_err(
        s.seal_attestation(&copier, id, &Attestation::Valid, b"again"),
        "already attested",
    );
    s.open_attestation(&honest, id, verdict.clone(), &seal_salt(&honest))
        .unwrap();
    // ... and, once the verdict and salt are public, cannot open it: the
    // seal is bound to its author. Nor can it switch to another verdict.
    assert_err(
        s.open_attestation(&copier, id, verdict.clone(), &seal_salt(&honest)),
        "do not open your seal",
    );
    assert_err(
        s.open_attestation(&copier, id, Attestation::Valid, &seal_salt(&honest)),
        "do not open your seal",
    );
    assert_err(reveal(&mut s, "p1", id, SALT, 0), "may attest until");
    // Its seal stays shut through the reveal window; the provider reveals.
    s.advance(600 + 300 + 1);
    assert_err(
        s.open_attestation(&copier, id, verdict.clone(), &seal_salt(&honest)),
        "attestation reveal",
    );
    let res = reveal(&mut s, "p1", id, SALT, 0).unwrap();
    assert_eq!(attr(&res, "forced_error"), "true");
    assert_eq!(s.status(id), JobStatus::Settled);
    assert_eq!(
        wealth(&s, &copier),
        before.1 - LOCK,
        "the copier lost its lock"
    );
    assert_eq!(wealth(&s, &honest), before.0 + FEE, "the checker is paid");
    assert_eq!(s.stake(&copier).locked.u128(), 0);
}

#[test]
fn sealed_attestations_open_after_the_seals_and_close_with_their_windows() {
    let mut s = forced_suite();
    let (id, p) = drawn_job(&mut s, true);
    let names = s.verifier_names(id);
    let v = s.job(id).job.verification.unwrap();
    assert!(v.sealed(), "two verifiers of a pair seal");
    assert_eq!(
        v.reveal_until.unwrap().seconds(),
        v.challenge_deadline.seconds() + 300
    );
    let verdict = checked_verdict(&s, id, &p);
    assert_err(
        s.exec(
            &names[0],
            &ExecuteMsg::SealAttestation {
                job_id: id,
                seal: "zz".into(),
            },
        ),
        "64 hex",
    );
    assert_err(
        s.seal_attestation("p1", id, &verdict, b"x"),
        "not an assigned verifier",
    );
    s.seal_attestation(&names[0], id, &verdict, &seal_salt(&names[0]))
        .unwrap();
    // Without its salt, or a seal, nothing opens.
    assert_err(
        s.attest(&names[0], id, verdict.clone()),
        "takes sealed attestations",
    );
    // The seal window closes with the challenge window: the silent second
    // verifier can no longer seal, and the first opens its seal.
    s.advance(601);
    assert_err(
        s.seal_attestation(&names[1], id, &verdict, &seal_salt(&names[1])),
        "window",
    );
    assert_err(
        s.open_attestation(&names[1], id, verdict.clone(), &seal_salt(&names[1])),
        "takes sealed attestations",
    );
    s.open_attestation(&names[0], id, verdict.clone(), &seal_salt(&names[0]))
        .unwrap();
    // The silent verifier is unpaid but not slashed; the opened one is paid.
    let before = (wealth(&s, &names[0]), wealth(&s, &names[1]));
    assert_err(reveal(&mut s, "p1", id, SALT, 0), "may attest until");
    s.advance(300);
    reveal(&mut s, "p1", id, SALT, 0).unwrap();
    assert_eq!(s.status(id), JobStatus::Settled);
    assert_eq!(wealth(&s, &names[0]), before.0 + FEE);
    assert_eq!(wealth(&s, &names[1]), before.1);

    // A job with one verifier has nobody to copy: plain attestations.
    let one = s.claimed_spot_check_by(1);
    let p = pair_of(one, &honest_output(one, OUTPUT_LEN));
    submit_pair(&mut s, "p1", one, &p, true).unwrap();
    s.draw(one).unwrap();
    let v = s.verifier_names(one)[0].clone();
    assert!(!s.job(one).job.verification.unwrap().sealed());
    assert_err(
        s.seal_attestation(&v, one, &Attestation::Valid, b"x"),
        "takes plain attestations",
    );
    let verdict = checked_verdict(&s, one, &p);
    s.attest(&v, one, verdict).unwrap();
    reveal(&mut s, "p1", one, SALT, 0).unwrap();
    assert_eq!(s.status(one), JobStatus::Settled);
}
