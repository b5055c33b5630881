//! Conservation: random sequences of jobs and actions; after every step the
//! market's AGPU balance equals its live escrows, and once everything is
//! finished every escrowed uagpu is payout, fee or refund.

use proptest::prelude::*;
use starminer_interfaces::job_market::{Attestation, JobStatus};
use starminer_interfaces::market::{Urgency, VerificationMode};

use crate::suite::*;

#[derive(Debug, Clone)]
enum Step {
    Submit { urgency: u8, mode: u8, extra: u16 },
    Claim { provider: u8 },
    Deliver { job: u8, honest: bool },
    Attest { job: u8, valid: bool },
    Cancel { job: u8 },
    BadInput { job: u8 },
    Advance { secs: u16 },
    Poke { job: u8 },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (0u8..4, 0u8..3, 0u16..500).prop_map(|(urgency, mode, extra)| Step::Submit {
            urgency,
            mode,
            extra
        }),
        (0u8..3).prop_map(|provider| Step::Claim { provider }),
        (0u8..8, any::<bool>()).prop_map(|(job, honest)| Step::Deliver { job, honest }),
        (0u8..8, any::<bool>()).prop_map(|(job, valid)| Step::Attest { job, valid }),
        (0u8..8).prop_map(|job| Step::Cancel { job }),
        (0u8..8).prop_map(|job| Step::BadInput { job }),
        (1u16..400).prop_map(|secs| Step::Advance { secs }),
        (0u8..8).prop_map(|job| Step::Poke { job }),
    ]
}

const PROVIDERS: [&str; 3] = ["p1", "p2", "p3"];

fn check_invariant(s: &Suite) {
    let stats = s.stats();
    assert_eq!(
        s.market_balance(),
        stats.totals.live_escrow.u128(),
        "balance = live escrow"
    );
    let t = &stats.totals;
    assert_eq!(
        t.escrowed,
        t.live_escrow
            + t.provider_payouts
            + t.verifier_fees
            + t.protocol_fees
            + t.bad_input_fees
            + t.refunded,
        "escrowed = live + paid + fees + refunds"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, max_shrink_iters: 32, ..ProptestConfig::default() })]
    #[test]
    fn every_escrowed_uagpu_ends_as_payout_fee_refund_or_stays_escrowed(steps in prop::collection::vec(step(), 1..40)) {
        let mut s = Suite::new();
        for v in ["v1", "v2", "v3", "v4"] { s.validator(v, 10_000); }
        for p in PROVIDERS { s.provider(p, "eu", 2); }
        let mut jobs: Vec<u64> = vec![];
        let supply0: u128 = ["alice"].iter().map(|u| s.balance(u)).sum();
        for st in steps {
            match st {
                Step::Submit { urgency, mode, extra } => {
                    let u = [Urgency::Low, Urgency::Normal, Urgency::High, Urgency::Realtime][urgency as usize];
                    let m = [VerificationMode::None, VerificationMode::SpotCheck { verifiers: 2 }, VerificationMode::Replicated { k: 2 }][mode as usize].clone();
                    let spec = s.spec("eu", u, m.clone());
                    let total = s.quote(100, u, &m).total.u128();
                    jobs.push(s.submit("alice", &spec, total + extra as u128));
                }
                Step::Claim { provider } => { let _ = s.claim_next(PROVIDERS[provider as usize]); }
                Step::Deliver { job, honest } => {
                    if let Some(&id) = jobs.get(job as usize) {
                        let j = s.job(id).job;
                        for slot in j.slots.clone() {
                            let who = s.name_of(&slot.provider);
                            let mut out = honest_output(id, 300);
                            if !honest { out[0] ^= 1; }
                            if matches!(j.spec.verification, VerificationMode::Replicated { .. }) {
                                let _ = s.commit(&who, id, &out, b"salt-salt-salt-1");
                                let _ = s.reveal(&who, id, &out, b"salt-salt-salt-1");
                            } else {
                                let _ = s.submit_result(&who, id, &out);
                            }
                        }
                    }
                }
                Step::Attest { job, valid } => {
                    if let Some(&id) = jobs.get(job as usize) {
                        let j = s.job(id).job;
                        if let Some(v) = j.verification {
                            for e in v.verifiers {
                                let who = s.name_of(&e.address);
                                let att = if valid { Attestation::Valid } else { Attestation::Invalid { index: 0, chunk_hash: "00".repeat(32) } };
                                let _ = s.attest(&who, id, att);
                            }
                        }
                    }
                }
                Step::Cancel { job } => { if let Some(&id) = jobs.get(job as usize) { let _ = s.exec("alice", &starminer_interfaces::job_market::ExecuteMsg::Cancel { job_id: id }); } }
                Step::BadInput { job } => {
                    if let Some(&id) = jobs.get(job as usize) {
                        for slot in s.job(id).job.slots { let who = s.name_of(&slot.provider); let _ = s.exec(&who, &starminer_interfaces::job_market::ExecuteMsg::ReportBadInput { job_id: id }); }
                    }
                }
                Step::Advance { secs } => s.advance(secs as u64),
                Step::Poke { job } => {
                    if let Some(&id) = jobs.get(job as usize) {
                        let _ = s.settle(id);
                        let _ = s.expire(id);
                        let _ = s.exec("bob", &starminer_interfaces::job_market::ExecuteMsg::ResolveChallenge { job_id: id });
                    }
                }
            }
            check_invariant(&s);
        }
        // Drain: let every deadline pass and finish every job.
        s.advance(20_000);
        for &id in &jobs {
            for _ in 0..3 {
                let _ = s.exec("bob", &starminer_interfaces::job_market::ExecuteMsg::ResolveChallenge { job_id: id });
                let _ = s.settle(id);
                let _ = s.expire(id);
            }
            let status = s.status(id);
            prop_assert!(status.is_terminal(), "job {} stuck in {:?}", id, status);
            prop_assert_eq!(s.job(id).job.escrow.u128(), 0);
        }
        check_invariant(&s);
        prop_assert_eq!(s.market_balance(), 0);
        let _ = supply0;
        let _ = JobStatus::Open;
    }
}
