//! Quote arithmetic for every urgency and verification mode, at the base
//! price and after the multiplier moved.

use cosmwasm_std::{Decimal, Uint128};
use starminer_interfaces::market::{JobClass, Urgency, VerificationMode};

use crate::suite::{dec, Suite, EPOCH};

const URGENCIES: [(Urgency, &str); 4] = [
    (Urgency::Low, "0.8"),
    (Urgency::Normal, "1"),
    (Urgency::High, "1.5"),
    (Urgency::Realtime, "3"),
];

fn modes() -> Vec<(VerificationMode, u128, u128)> {
    vec![
        (VerificationMode::None, 1, 0),
        (VerificationMode::SpotCheck { verifiers: 1 }, 1, 1),
        (VerificationMode::SpotCheck { verifiers: 3 }, 1, 3),
        (VerificationMode::Replicated { k: 2 }, 2, 0),
        (VerificationMode::Replicated { k: 5 }, 5, 0),
    ]
}

/// ⌈a · b⌉ for a whole `a`, computed independently of the contract.
fn ceil(a: u128, b: Decimal) -> u128 {
    let atomics = Uint128::new(a) * b.atomics();
    let one = Uint128::new(1_000_000_000_000_000_000);
    atomics.u128().div_ceil(one.u128())
}

fn check_all(s: &Suite, tier: u8, multiplier: Decimal) {
    // training base = 4 · tier.
    let base = Decimal::from_ratio(4 * u128::from(tier), 1u128);
    for (urgency, factor) in URGENCIES {
        for (mode, replication, verifiers) in modes() {
            let units = 12_345;
            let q = s
                .try_quote(tier, JobClass::Training, units, urgency, mode.clone())
                .unwrap();
            let unit_price = base * multiplier * dec(factor);
            let compute = ceil(units, unit_price);
            let fee = ceil(compute, dec("0.1"));
            assert_eq!(q.unit_price, unit_price, "{urgency:?} {mode:?}");
            assert_eq!(q.compute_cost.u128(), compute);
            assert_eq!(q.verifier_fee.u128(), fee);
            assert_eq!(
                (q.replication as u128, q.verifiers as u128),
                (replication, verifiers)
            );
            assert_eq!(q.total.u128(), compute * replication + fee * verifiers);
            assert_eq!(
                (q.tier, q.class, q.units),
                (tier, JobClass::Training, Uint128::new(units))
            );
        }
    }
}

#[test]
fn quote_arithmetic_for_every_urgency_and_verification_mode() {
    let mut s = Suite::new();
    check_all(&s, 2, Decimal::one());
    // Demand without supply in tier 2: +δ twice.
    for _ in 0..2 {
        s.demand(2, 1).unwrap();
        s.next_epoch();
    }
    let m = dec("1.125") * dec("1.125");
    assert_eq!(s.multiplier(2), m);
    check_all(&s, 2, m);
    let q = s
        .try_quote(
            2,
            JobClass::Render,
            1,
            Urgency::Normal,
            VerificationMode::None,
        )
        .unwrap();
    assert_eq!(q.epoch, 2);
}

#[test]
fn a_known_quote_by_hand() {
    let s = Suite::new();
    // Tier 3 hpc: 6 per unit; realtime ×3 → 18; 1001 units → 18018;
    // verifier fee ⌈1801.8⌉ = 1802; two verifiers.
    let q = s
        .try_quote(
            3,
            JobClass::Hpc,
            1_001,
            Urgency::Realtime,
            VerificationMode::SpotCheck { verifiers: 2 },
        )
        .unwrap();
    assert_eq!(q.unit_price, dec("18"));
    assert_eq!(q.compute_cost.u128(), 18_018);
    assert_eq!(q.verifier_fee.u128(), 1_802);
    assert_eq!(q.total.u128(), 18_018 + 2 * 1_802);
}

#[test]
fn fractional_prices_round_up() {
    let mut s = Suite::new();
    // Idle tier 1 with a provider: ×0.875.
    s.provider("alice", 150);
    s.advance(EPOCH);
    let q = s
        .try_quote(1, JobClass::Render, 3, Urgency::Low, VerificationMode::None)
        .unwrap();
    // 1 · 0.875 · 0.8 = 0.7 per unit; 3 units = 2.1 → 3.
    assert_eq!(q.unit_price, dec("0.7"));
    assert_eq!(q.compute_cost.u128(), 3);
}

#[test]
fn bad_quotes_are_refused_with_a_reason() {
    let s = Suite::new();
    let none = VerificationMode::None;
    let err = |r: cosmwasm_std::StdResult<_>| r.unwrap_err().to_string();
    for tier in [0, 5] {
        let e = err(s.try_quote(tier, JobClass::Hpc, 1, Urgency::Normal, none.clone()));
        assert!(e.contains(&format!("tier {tier} does not exist")), "{e}");
    }
    let e = err(s.try_quote(1, JobClass::Hpc, 0, Urgency::Normal, none.clone()));
    assert!(e.contains("units must be positive"), "{e}");
    for mode in [
        VerificationMode::SpotCheck { verifiers: 0 },
        VerificationMode::Replicated { k: 0 },
    ] {
        let e = err(s.try_quote(1, JobClass::Hpc, 1, Urgency::Normal, mode));
        assert!(e.contains("at least one verifier"), "{e}");
    }
    let e = err(s.try_quote(4, JobClass::Training, u128::MAX, Urgency::Realtime, none));
    assert!(e.contains("does not fit"), "{e}");
}

#[test]
fn one_unit_spot_check_pays_a_nonzero_verifier_fee() {
    // At the deployment's defaults a 1-unit job costs 1 uagpu of compute;
    // 3 % of it would round to (almost) nothing. The floor pays each
    // verifier at least `min_verifier_fee`, more than recomputing the whole
    // job is worth.
    let params = starminer_deploy::pricing_params();
    let s = Suite::with_params(params.clone());
    let q = s
        .try_quote(
            1,
            JobClass::Render,
            1,
            Urgency::Normal,
            VerificationMode::SpotCheck { verifiers: 2 },
        )
        .unwrap();
    assert!(!params.min_verifier_fee.is_zero());
    assert_eq!(q.verifier_fee, params.min_verifier_fee);
    assert!(q.verifier_fee > q.compute_cost);
    assert_eq!(q.total, q.compute_cost + q.verifier_fee * Uint128::new(2));
}
