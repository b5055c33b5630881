//! The attack: a provider fakes a fraction f of its chunks (saving that share
//! of its compute cost) and hopes the spot checkers' samples miss them.
//!
//! Sampling is simulated off chain for speed, but with the contract's own
//! pieces: the shared Merkle tree, `logic::verify_chunk` (what
//! `RespondChallenge` runs on chain) and the fee/collateral arithmetic of
//! `logic::{fee_split, collateral_for}`. The economics are the deployment
//! defaults of `starminer-deploy` (market and pricing parameters, verifiers
//! per job and the off-chain sample count), read from a job really submitted
//! and claimed on the test chain.
//! A caught cheater loses the dispute (its collateral is slashed, it is not
//! paid, the job is requeued); the lifecycle is exercised on chain in
//! `verification::dispute_lost_by_a_cheating_provider_…`.
//!
//! `cargo test -p job-market --test job_market adversarial -- --nocapture`
//! prints the table.

use cosmwasm_std::Uint128;
use sha2::{Digest, Sha256};
use starminer_deploy::{DEFAULT_SPOT_CHECK_VERIFIERS, SPOT_CHECK_SAMPLES_PER_VERIFIER};
use starminer_interfaces::market::{Urgency, VerificationMode};

use crate::suite::*;

const CHUNKS: usize = 100;
const VERIFIERS: usize = DEFAULT_SPOT_CHECK_VERIFIERS as usize;
const SAMPLES_PER_VERIFIER: usize = SPOT_CHECK_SAMPLES_PER_VERIFIER as usize;
const JOBS_PER_F: u64 = 400;
/// A provider's real cost of computing a job, as a share of its payout.
const COST_SHARE: f64 = 0.8;

/// Cheap deterministic randomness (sha256 counter).
struct Rng([u8; 32], u64);
impl Rng {
    fn new(seed: u64) -> Self {
        Rng(Sha256::digest(seed.to_be_bytes()).into(), 0)
    }
    fn below(&mut self, n: usize) -> usize {
        self.1 += 1;
        let mut h = Sha256::new();
        h.update(self.0);
        h.update(self.1.to_be_bytes());
        let d = h.finalize();
        (u64::from_be_bytes(d[..8].try_into().unwrap()) % n as u64) as usize
    }
}

/// One job: returns whether any honest verifier's sample hit a faked chunk.
/// `sybil_verifiers` of the job's verifiers belong to the cheater: they
/// attest Valid without looking.
fn run_job(job: u64, f: f64, sybil_verifiers: usize, rng: &mut Rng) -> bool {
    let honest = honest_output(job, CHUNKS * CHUNK as usize);
    let mut output = honest.clone();
    let fake = ((CHUNKS as f64) * f).round().max(1.0) as usize;
    let mut faked = [false; CHUNKS];
    let mut n = 0;
    while n < fake {
        let i = rng.below(CHUNKS);
        if !faked[i] {
            faked[i] = true;
            output[i * CHUNK as usize] ^= 0xa5;
            n += 1;
        }
    }
    let tree = starminer_merkle::MerkleTree::from_data(&output, CHUNK as usize).unwrap();
    let root = hex::encode(tree.root());
    for _ in 0..VERIFIERS.saturating_sub(sybil_verifiers) {
        for _ in 0..SAMPLES_PER_VERIFIER {
            let i = rng.below(CHUNKS) as u64;
            // The provider serves chunk i with its proof; the verifier checks
            // the proof exactly as the chain does, then recomputes the chunk.
            let served = hex::encode(tree.leaf(i).unwrap());
            let proof: Vec<String> = tree.proof(i).unwrap().iter().map(hex::encode).collect();
            job_market::logic::verify_chunk(&root, tree.leaf_count(), i, &served, &proof).unwrap();
            let s = i as usize * CHUNK as usize;
            let recomputed =
                hex::encode(starminer_merkle::leaf_hash(&honest[s..s + CHUNK as usize]));
            if recomputed != served {
                return true;
            }
        }
    }
    false
}

/// Validators in the sybil scenarios, equal stakes.
const SEATS: usize = 16;

/// How many of a job's drawn verifiers are the cheater's, drawn as the chain
/// draws them (`logic::draw_weighted` over equal stakes, the provider
/// excluded) from a seed the cheater cannot steer (the beacon value comes
/// after its root).
fn sybils_drawn(job: u64, f: f64, sybil_seats: usize) -> usize {
    let set: Vec<(cosmwasm_std::Addr, Uint128)> = (0..SEATS)
        .map(|i| {
            (
                cosmwasm_std::Addr::unchecked(format!("validator{i:02}")),
                Uint128::new(10_000),
            )
        })
        .collect();
    let seed: [u8; 32] = Sha256::digest(format!("beacon {job} {f}")).into();
    job_market::logic::draw_weighted(&set, &[], VERIFIERS, &seed)
        .iter()
        .filter(|a| {
            let i: usize = a.as_str()["validator".len()..].parse().unwrap();
            i < sybil_seats
        })
        .count()
}

/// Probability that none of the drawn verifiers is honest-and-lucky: the
/// draw of `VERIFIERS` of `SEATS` without replacement, `sybil_seats` of
/// them the cheater's, each honest one missing all `fake` chunks with
/// (1 − fake/CHUNKS)^samples.
fn theory_with_sybils(fake: f64, sybil_seats: usize) -> f64 {
    let miss_one = (1.0 - fake / CHUNKS as f64).powi(SAMPLES_PER_VERIFIER as i32);
    // P(k sybils among the drawn), hypergeometric.
    let choose = |n: usize, k: usize| -> f64 {
        if k > n {
            return 0.0;
        }
        (0..k).fold(1.0, |acc, i| acc * (n - i) as f64 / (i + 1) as f64)
    };
    let total = choose(SEATS, VERIFIERS);
    let mut detect = 0.0;
    for k in 0..=VERIFIERS.min(sybil_seats) {
        let p = choose(sybil_seats, k) * choose(SEATS - sybil_seats, VERIFIERS - k) / total;
        detect += p * (1.0 - miss_one.powi((VERIFIERS - k) as i32));
    }
    detect
}

#[test]
fn adversarial_cheater_faking_chunks_is_caught_and_loses_money() {
    let params = starminer_deploy::market_params();
    let mut s = Suite::with_config(params.clone(), starminer_deploy::pricing_params());
    for v in ["v1", "v2", "v3"] {
        s.validator(v, 10_000);
    }
    s.provider("p1", "eu", 1);
    let mode = VerificationMode::SpotCheck {
        verifiers: VERIFIERS as u8,
    };
    // A 1000×1000 render: 10,000 units at the default tier-1 price.
    let mut spec = s.spec("eu", Urgency::Normal, mode);
    spec.params[0].value = 1_000;
    spec.params[1].value = 1_000;
    let id = s.submit("alice", &spec, spec.max_price.u128());
    s.claim("p1", id).unwrap();
    let job = s.job(id).job;
    let (payout, _) =
        job_market::logic::fee_split(job.quote.compute_cost, params.protocol_fee_rate);
    let collateral = job.slots[0].collateral;
    assert_eq!(
        collateral,
        job_market::logic::collateral_for(payout, params.collateral_rate)
    );
    assert!(
        payout > Uint128::new(1_000),
        "a job big enough to read the table"
    );
    let (payout, collateral) = (payout.u128() as f64, collateral.u128() as f64);
    let cost = COST_SHARE * payout;
    let honest_profit = payout - cost;
    println!();
    println!(
        "spot check at the starminer-deploy defaults: {VERIFIERS} verifiers × {SAMPLES_PER_VERIFIER} \
         secret samples, {CHUNKS} chunks; payout {payout} uagpu (fee {}), collateral {collateral} \
         (rate {}), compute cost {cost}",
        params.protocol_fee_rate, params.collateral_rate
    );
    println!(
        "{:>6} {:>6} {:>10} {:>10} {:>14} {:>14} {:>14}",
        "f", "jobs", "detected", "rate", "theory", "cheater E[π]", "vs honest"
    );
    let mut rng = Rng::new(7);
    for f in [0.01, 0.10, 0.50] {
        let detected = (0..JOBS_PER_F)
            .filter(|j| run_job(*j, f, 0, &mut rng))
            .count();
        let rate = detected as f64 / JOBS_PER_F as f64;
        let fake = ((CHUNKS as f64) * f).round().max(1.0);
        let theory =
            1.0 - (1.0 - fake / CHUNKS as f64).powi((VERIFIERS * SAMPLES_PER_VERIFIER) as i32);
        // Caught: no pay, collateral slashed, the (1 − f) work done is lost.
        let profit = (1.0 - rate) * payout - rate * collateral - (1.0 - f) * cost;
        println!(
            "{:>5.0}% {:>6} {:>10} {:>9.1}% {:>13.1}% {:>14.1} {:>14.1}",
            f * 100.0,
            JOBS_PER_F,
            detected,
            rate * 100.0,
            theory * 100.0,
            profit,
            profit - honest_profit
        );
        assert!(
            (rate - theory).abs() < 0.12,
            "measured {rate} vs theory {theory}"
        );
        assert!(
            profit < honest_profit,
            "cheating must not beat honest work at f = {f}"
        );
        assert!(
            profit < 0.0,
            "cheater's expected profit must be negative at f = {f}"
        );
    }
    println!("honest provider profit per job: {honest_profit:.1} uagpu");
}

/// The same attack with the cheater also holding 0, 1 or 2 of 16 validator
/// seats: its own seats attest Valid without looking, so only the honest
/// drawn verifiers can catch it. The draw is the chain's (stake-weighted,
/// from a beacon value the cheater cannot know when it fixes its root).
/// Prints the detection table; checks the measured rate against the
/// hypergeometric theory and that cheating never pays at f ≥ 10 %.
#[test]
fn adversarial_cheater_with_sybil_validator_seats_is_still_caught() {
    println!();
    println!(
        "{VERIFIERS} verifiers drawn of {SEATS} equal seats, {SAMPLES_PER_VERIFIER} samples each, {CHUNKS} chunks"
    );
    println!(
        "{:>6} {:>6} {:>6} {:>10} {:>9} {:>9}",
        "seats", "f", "jobs", "detected", "rate", "theory"
    );
    let mut rng = Rng::new(11);
    for seats in [0usize, 1, 2] {
        for f in [0.01, 0.10, 0.50] {
            let detected = (0..JOBS_PER_F)
                .filter(|j| run_job(*j, f, sybils_drawn(*j, f, seats), &mut rng))
                .count();
            let rate = detected as f64 / JOBS_PER_F as f64;
            let fake = ((CHUNKS as f64) * f).round().max(1.0);
            let theory = theory_with_sybils(fake, seats);
            println!(
                "{:>6} {:>5.0}% {:>6} {:>10} {:>8.1}% {:>8.1}%",
                seats,
                f * 100.0,
                JOBS_PER_F,
                detected,
                rate * 100.0,
                theory * 100.0
            );
            // 4σ of a binomial over JOBS_PER_F jobs, at least 2 points.
            let sigma = (theory * (1.0 - theory) / JOBS_PER_F as f64).sqrt();
            assert!(
                (rate - theory).abs() <= (4.0 * sigma).max(0.02),
                "seats {seats}, f {f}: measured {rate} vs theory {theory}"
            );
            if f >= 0.10 {
                assert!(
                    rate > 0.5,
                    "a cheater faking {f} with {seats} seats must be caught more often than not"
                );
            }
        }
    }
}
