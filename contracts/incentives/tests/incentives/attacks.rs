//! Adversarial tests of the emissions (issue 12, H4 and L2).

use cosmwasm_std::{Decimal, Uint128};
use cw_multi_test::Executor;
use incentives::ContractError;
use pricing::quote::{quote, QuoteRequest};
use starminer_interfaces::market::{JobClass, Urgency, VerificationMode};

use crate::suite::{assert_err, SuiteBuilder, EPOCH};

/// The job market's settlement, as `job-market/src/logic.rs::fee_split` and
/// `execute/settle.rs` pay it: per replica the provider gets the compute
/// cost less `floor(compute_cost · protocol_fee_rate)`, the treasury that
/// fee, each verifier its quoted fee; collateral is locked at claim and
/// returned at settlement (net zero for an honest-looking wash trade).
struct Settlement {
    paid_by_requester: u128,
    to_provider_seats: u128,
    to_verifier_seats: u128,
    protocol_fee_per_replica: u128,
    collateral_per_replica: u128,
}

fn settlement(units: u128, verification: &VerificationMode, multiplier: Decimal) -> Settlement {
    let pricing = starminer_deploy::pricing_params();
    let market = starminer_deploy::market_params();
    let q = quote(
        &pricing,
        QuoteRequest {
            tier: 1,
            class: JobClass::Render,
            units: Uint128::new(units),
            urgency: Urgency::Normal,
            verification: verification.clone(),
        },
        multiplier,
        0,
    )
    .unwrap();
    let cc = q.compute_cost;
    let fee = cc.mul_floor(market.protocol_fee_rate);
    let payout = cc - fee;
    Settlement {
        paid_by_requester: q.total.u128(),
        to_provider_seats: payout.u128() * u128::from(q.replication),
        to_verifier_seats: q.verifier_fee.u128() * u128::from(q.verifiers),
        protocol_fee_per_replica: fee.u128(),
        collateral_per_replica: payout.mul_ceil(market.collateral_rate).u128(),
    }
}

const SEATS: [&str; 3] = ["wash-v1", "wash-v2", "wash-v3"];

/// One party holds the requester, every provider slot and every verifier
/// seat, trades `jobs` jobs of `units` with itself in one epoch in which it
/// is alone (so it could take the whole emission), then claims everything.
/// Returns (net AGPU change in uagpu, emission received).
fn wash_trade(
    verification: VerificationMode,
    units: u128,
    jobs: u32,
    multiplier: Decimal,
) -> (i128, u128) {
    let mut s = SuiteBuilder::new()
        .params(|p| *p = starminer_deploy::incentives_params())
        .build();
    s.register("wash");
    let replicas = verification.replication();
    let verifiers: Vec<&str> = SEATS[..usize::from(verification.verifier_count())].to_vec();
    let mut net: i128 = 0;
    for _ in 0..jobs {
        let st = settlement(units, &verification, multiplier);
        // Collateral: locked at claim, returned at settlement.
        net -= st.collateral_per_replica as i128 * i128::from(replicas);
        net += st.collateral_per_replica as i128 * i128::from(replicas);
        net -= st.paid_by_requester as i128;
        net += (st.to_provider_seats + st.to_verifier_seats) as i128;
        for _ in 0..replicas {
            s.settle_mode(
                "wash",
                units,
                st.protocol_fee_per_replica,
                verification.clone(),
                &verifiers,
            )
            .unwrap();
        }
    }
    s.advance(EPOCH);
    let mut emission = 0;
    for who in std::iter::once("wash").chain(SEATS) {
        if s.pending(who).epochs > 0 {
            s.claim(who).unwrap();
        }
        emission += s.balance(who);
    }
    (net + emission as i128, emission)
}

#[test]
fn attack_wash_trading_loses_money_in_every_verification_mode() {
    let pricing = starminer_deploy::pricing_params();
    let modes = [
        VerificationMode::None,
        VerificationMode::SpotCheck {
            verifiers: starminer_deploy::DEFAULT_SPOT_CHECK_VERIFIERS,
        },
        VerificationMode::SpotCheck { verifiers: 3 },
        VerificationMode::Replicated { k: 3 },
    ];
    for mode in modes {
        for multiplier in [
            pricing.min_multiplier,
            Decimal::one(),
            pricing.max_multiplier,
        ] {
            for units in [100u128, 10_000, 1_000_000, 100_000_000] {
                let (net, emission) = wash_trade(mode.clone(), units, 5, multiplier);
                println!(
                    "{mode:?} x{multiplier} {units} units x5: net {net} uagpu, emission {emission}"
                );
                assert!(
                    net < 0,
                    "{mode:?} at ×{multiplier}, {units} units: the wash trader made {net} uagpu"
                );
                if mode == VerificationMode::None {
                    assert_eq!(emission, 0, "unverified work earns no emission");
                }
            }
        }
    }
    // The bound is what makes it lose: with a large job in SpotCheck the
    // trader does earn a rebate, just less than the fee it paid.
    let (net, emission) = wash_trade(
        VerificationMode::SpotCheck { verifiers: 2 },
        1_000_000,
        5,
        Decimal::one(),
    );
    let fees = 5 * settlement(
        1_000_000,
        &VerificationMode::SpotCheck { verifiers: 2 },
        Decimal::one(),
    )
    .protocol_fee_per_replica;
    assert!(
        emission > 0 && emission < fees,
        "rebate {emission} of fees {fees}"
    );
    assert_eq!(net, emission as i128 - fees as i128);
}

#[test]
fn attack_tiny_wash_trades_earn_nothing() {
    // A 1-unit job pays a protocol fee of 0 (rounded down by the market):
    // it backs no emission, however many of them are traded.
    let (net, emission) = wash_trade(
        VerificationMode::SpotCheck { verifiers: 2 },
        1,
        20,
        Decimal::one(),
    );
    assert_eq!(emission, 0);
    assert!(net <= 0);
}

#[test]
fn honest_fee_volume_funds_the_rebate_up_to_the_bound_only() {
    // A busy honest provider shares the epoch with a wash trader: the
    // trader's take is bounded by its own fees, not by the honest volume.
    let mut s = SuiteBuilder::new()
        .params(|p| *p = starminer_deploy::incentives_params())
        .build();
    s.register("honest");
    s.register("wash");
    s.settle("honest", 1_000_000, 1_000_000_000, &[]).unwrap();
    s.settle("wash", 100_000_000, 10, &[]).unwrap();
    s.advance(EPOCH);
    s.claim("wash").unwrap();
    // 0.5 × (1 − 0.2) × 10 = 4 uagpu, whatever its weight's share.
    assert_eq!(s.balance("wash"), 4);
    let e = s.epoch(0);
    assert!(e.forfeited.u128() > 0);
    assert_eq!(e.fees.u128(), 1_000_000_010);
}

#[test]
fn attack_claim_while_minting_is_off_keeps_the_rewards() {
    let mut s = SuiteBuilder::new().keep_governance_minter().build();
    s.register("alice");
    s.work("alice", 100).unwrap();
    s.next_epoch();
    let pending = s.pending("alice");
    assert!(pending.amount.u128() > 0);
    // Governance switches minting off altogether.
    let (gov, agpu) = (s.gov.clone(), s.agpu.clone());
    s.app
        .execute_contract(
            gov.clone(),
            agpu.clone(),
            &cw20::Cw20ExecuteMsg::UpdateMinter { new_minter: None },
            &[],
        )
        .unwrap();
    assert_err(s.claim("alice"), ContractError::MintingDisabled {});
    // Nothing was deleted: the reward is still there.
    assert_eq!(s.pending("alice"), pending);
    assert_eq!(s.totals().claimed, Uint128::zero());
    assert_eq!(s.balance("alice"), 0);
}

// ---- Dispute voters: rewarded only when a fee backs them --------------------

/// The legacy report the job market sends today for a dispute voter on the
/// decided side: weight without a fee credit.
fn legacy_vote(s: &mut crate::suite::Suite, voter: &str) {
    let msg = incentives_msg::RecordAttestation {
        verifier: s.addr(voter).to_string(),
    };
    let market = s.market.clone();
    s.exec(&market, &msg).unwrap();
}

use starminer_interfaces::incentives::ExecuteMsg as incentives_msg;

#[test]
fn dispute_voters_earn_emission_only_when_a_paid_fee_backs_them() {
    let mut s = SuiteBuilder::new().build();
    s.register("alice");
    // Epoch 0: a disputed job settles with a protocol fee of 10,000. Its
    // spot checker v1 and the two voters that voted with the decided side
    // are reported with the settlement (the fee-backed voter record); a
    // third voter only gets the legacy attestation.
    s.settle("alice", 1_000, 10_000, &["v1", "voter1", "voter2"])
        .unwrap();
    legacy_vote(&mut s, "voter3");
    s.next_epoch();
    // Verifier pool 0.2 × 1,000,000 over weight 4: 50,000 each, but each
    // fee-backed verifier is credited 0.2 × 10,000 / 3 = 666 of fee and
    // claims at most reward_per_fee (0.5) × 666 = 333.
    for voter in ["v1", "voter1", "voter2"] {
        s.claim(voter).unwrap();
        assert_eq!(s.balance(voter), 333, "{voter}");
    }
    // The fee-less voter did the same work and earns nothing.
    assert_eq!(s.pending("voter3").amount, Uint128::zero());
    let _ = s.claim("voter3");
    assert_eq!(s.balance("voter3"), 0);
    // The job's credits never exceed its fee: 0.8 × 10,000 to the provider
    // + 3 × 666 to verifier and voters.
    let e = s.epoch(0);
    assert_eq!(e.fees.u128(), 10_000);
    s.claim("alice").unwrap();
    assert!(s.balance("alice") + 3 * 333 <= 10_000 / 2);

    // Epoch 1: with an ample fee the voter gets its pro-rata share of the
    // verifier pool (0.2 × 900,000 over weight 3), no more; the legacy
    // voter's weight still earns nothing.
    s.settle("alice", 1_000, crate::suite::AMPLE_FEE, &["v1", "voter1"])
        .unwrap();
    legacy_vote(&mut s, "voter3");
    s.next_epoch();
    s.claim("voter1").unwrap();
    assert_eq!(s.balance("voter1"), 333 + 60_000);
    let _ = s.claim("voter3");
    assert_eq!(s.balance("voter3"), 0);
}
