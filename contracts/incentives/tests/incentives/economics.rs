//! The worked example of the protocol's economics at the deployment's
//! default parameters (issue 12): what one GPU earns in an hour, what a wash
//! trader loses in an hour, and what verification costs. Run with
//! `cargo test -p incentives --test incentives worked_economics -- --nocapture`
//! to print the numbers.

use cosmwasm_std::{Decimal, Uint128};
use pricing::quote::{quote, QuoteRequest};
use starminer_interfaces::market::{JobClass, Urgency, VerificationMode};
use starminer_interfaces::pricing::QuoteResponse;

use crate::suite::SuiteBuilder;

/// A GPU benchmarked at 1,000 units/s (tier 4 by the registry's thresholds
/// 100/200/400/800): e.g. the fractal template at 1 G pixel-iterations/s,
/// a conservative figure for a current consumer GPU.
const UNITS_PER_SECOND: u128 = 1_000;
const TIER: u8 = 4;
/// One-minute jobs, back to back for an hour.
const JOB_SECONDS: u128 = 60;
const JOBS_PER_HOUR: u32 = 60;

fn q(units: u128, verification: VerificationMode) -> QuoteResponse {
    quote(
        &starminer_deploy::pricing_params(),
        QuoteRequest {
            tier: TIER,
            class: JobClass::Render,
            units: Uint128::new(units),
            urgency: Urgency::Normal,
            verification,
        },
        Decimal::one(),
        0,
    )
    .unwrap()
}

fn agpu(uagpu: i128) -> String {
    format!("{:.4} AGPU", uagpu as f64 / 1e6)
}

/// Runs an hour of `JOBS_PER_HOUR` jobs through the incentives contract at
/// its default parameters; `seats` are the addresses the emission goes to.
/// Returns (market income of the seats, emission they claimed, fees paid).
fn an_hour(verification: VerificationMode, wash: bool) -> (i128, i128, i128) {
    let mut s = SuiteBuilder::new()
        .params(|p| *p = starminer_deploy::incentives_params())
        .build();
    s.register("gpu");
    let market = starminer_deploy::market_params();
    let epoch = starminer_deploy::incentives_params().epoch_length;
    let units = UNITS_PER_SECOND * JOB_SECONDS;
    let verifiers: Vec<&str> =
        ["v1", "v2", "v3"][..usize::from(verification.verifier_count())].to_vec();
    let mut income: i128 = 0;
    let mut fees: i128 = 0;
    for _ in 0..JOBS_PER_HOUR {
        let quote = q(units, verification.clone());
        let fee = quote.compute_cost.mul_floor(market.protocol_fee_rate);
        let payout = quote.compute_cost - fee;
        // One payout and one protocol fee per replica.
        let replicas = u128::from(quote.replication);
        income += (payout.u128() * replicas) as i128;
        fees += (fee.u128() * replicas) as i128;
        if wash {
            // It also paid the quote and received its own verifiers' fees.
            income -= quote.total.u128() as i128;
            income += (quote.verifier_fee.u128() * u128::from(quote.verifiers)) as i128;
        }
        for _ in 0..replicas {
            s.settle_mode(
                "gpu",
                units,
                fee.u128(),
                verification.clone(),
                if wash { &verifiers } else { &[] },
            )
            .unwrap();
        }
        s.advance(JOB_SECONDS as u64);
    }
    s.advance(epoch);
    let mut emission: i128 = 0;
    for who in ["gpu", "v1", "v2", "v3"] {
        while s.pending(who).epochs > 0 {
            s.claim(who).unwrap();
        }
        emission += s.balance(who) as i128;
    }
    (income, emission, fees)
}

#[test]
fn worked_economics_example_at_default_params() {
    let spot = VerificationMode::SpotCheck {
        verifiers: starminer_deploy::DEFAULT_SPOT_CHECK_VERIFIERS,
    };
    let units_per_hour = UNITS_PER_SECOND * 3_600;
    let hour = q(units_per_hour, spot.clone());
    println!(
        "one GPU at {UNITS_PER_SECOND} units/s, tier {TIER}, render, normal urgency, multiplier 1"
    );
    println!(
        "  {units_per_hour} units/h at {} uagpu/unit = {} of compute",
        hour.unit_price,
        agpu(hour.compute_cost.u128() as i128)
    );

    let (income, emission, fees) = an_hour(spot.clone(), false);
    println!(
        "  honest provider, {JOBS_PER_HOUR} one-minute SpotCheck jobs: payout {} + emission {} = {} per hour (protocol fees {})",
        agpu(income),
        agpu(emission),
        agpu(income + emission),
        agpu(fees)
    );
    assert!(income > 0 && emission > 0);
    assert!(
        emission < fees,
        "the emission is a rebate smaller than the fees"
    );

    for mode in [
        VerificationMode::None,
        spot.clone(),
        VerificationMode::Replicated { k: 2 },
    ] {
        let (income, emission, fees) = an_hour(mode.clone(), true);
        let net = income + emission;
        println!(
            "  wash trader, same volume, {mode:?}: fees paid {}, emission back {}, net {} per hour",
            agpu(fees),
            agpu(emission),
            agpu(net)
        );
        assert!(net < 0);
    }

    // Verification: each verifier recomputes 16 chunks (the agent's
    // SPOT_CHECK_SAMPLES_PER_VERIFIER) of a job of C chunks.
    let samples = u128::from(starminer_deploy::SPOT_CHECK_SAMPLES_PER_VERIFIER);
    for chunks in [100u128, 1_024, 4_096] {
        let job = q(units_per_hour, spot.clone());
        let cc = job.compute_cost.u128();
        let recompute = cc * samples.min(chunks) / chunks;
        let fee = job.verifier_fee.u128();
        let n = u128::from(job.verifiers);
        let share = (n * (fee + recompute)) as f64 / job.total.u128() as f64;
        println!(
            "  {chunks}-chunk job: each verifier paid {} for recomputing {} ({:.2} %); fees + recompute = {:.2} % of the price",
            agpu(fee as i128),
            agpu(recompute as i128),
            100.0 * samples.min(chunks) as f64 / chunks as f64,
            100.0 * share
        );
        if chunks >= 1_024 {
            assert!(fee > recompute, "honest verification pays");
            assert!(share <= 0.10, "verification stays within 10 % of the price");
        }
    }
}
