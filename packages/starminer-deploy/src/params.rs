//! Default parameters of a fresh deployment, sized for a devnet: periods are
//! minutes, not days, so that a demo or a test sees voting, unbonding,
//! pricing epochs and emission epochs roll over. Production deployments start
//! from these and lengthen the periods (every value is governance-owned and
//! can be changed by proposal afterwards).
//!
//! Amounts are micro units (6 decimals): [`UNIT`] = 1 AGPU = 1 AMAX.

use cosmwasm_std::{Decimal, Uint128};
use starminer_interfaces::governance::GovernanceParams;
use starminer_interfaces::incentives::IncentivesParams;
use starminer_interfaces::job_market::{LeaseFactors, MarketLimits, MarketParams};
use starminer_interfaces::pricing::{PricingParams, TierPrices, UrgencyMultipliers};
use starminer_interfaces::registry::{
    BenchmarkParams, DutyParams, Limits, Params, ReputationParams,
};

/// 1 AGPU (or 1 AMAX) in micro units.
pub const UNIT: u128 = 1_000_000;

/// `n / 1000` as a `Decimal` (the defaults are written in per mille).
const fn permille(n: u64) -> Decimal {
    Decimal::raw(n as u128 * 1_000_000_000_000_000)
}

// ---- verification constants of the off-chain verifier ---------------------

/// Chunks each assigned verifier samples (secretly) from a SpotCheck result,
/// fetches with Merkle proofs and recomputes. Off chain: the validator agent
/// reads this constant. With [`DEFAULT_SPOT_CHECK_VERIFIERS`] verifiers a job
/// is checked on 32 samples, so a provider faking a fraction f of its chunks
/// is caught with probability 1 − (1 − f)^32: 27.5 % at f = 1 %, 96.6 % at
/// f = 10 %. Together with [`market_params`]' full-payout collateral this
/// makes cheating lose money in expectation at every f (the job market's
/// adversarial test prints the table).
pub const SPOT_CHECK_SAMPLES_PER_VERIFIER: u32 = 16;

/// Verifiers a client asks for when it picks SpotCheck without saying how
/// many (SDK and CLI default).
pub const DEFAULT_SPOT_CHECK_VERIFIERS: u8 = 2;

// ---- zones -------------------------------------------------------------------

/// The devnet's zones: eight, in four continents of two each.
pub const DEVNET_ZONES: [&str; 8] = [
    "eu-west",
    "eu-central",
    "us-east",
    "us-west",
    "ap-south",
    "ap-east",
    "sa-east",
    "sa-west",
];

/// Open jobs above which a zone's jobs spill to every route at once.
pub const ZONE_CAPACITY_THRESHOLD: u64 = 500;

/// Age (seconds) after which a job may be claimed from a neighbouring zone
/// of the same continent (a `Regional` route).
pub const SPILL_DELAY_REGIONAL: u64 = 60;

/// Age (seconds) after which a job may be claimed from another continent
/// (a `Global` route).
pub const SPILL_DELAY_GLOBAL: u64 = 300;

/// Continent of a devnet zone: the part of its name before the dash.
pub fn continent(zone: &str) -> &str {
    zone.split('-').next().unwrap_or(zone)
}

// ---- tokens ------------------------------------------------------------------

/// AGPU's hard supply cap: one billion AGPU.
pub const AGPU_CAP: u128 = 1_000_000_000 * UNIT;

// ---- governance ----------------------------------------------------------------

/// Cosmos SDK gov semantics with devnet periods: 5 minutes of voting, a
/// 1-minute timelock, 10 minutes of AMAX unbonding.
pub fn governance_params() -> GovernanceParams {
    GovernanceParams {
        // One third of the staked AMAX must vote (Cosmos Hub's 33.4 %).
        quorum: permille(334),
        // Yes must outweigh No + NoWithVeto.
        threshold: permille(500),
        veto_threshold: permille(334),
        voting_period: 300,
        timelock: 60,
        unbonding_period: 600,
        min_deposit: Uint128::new(10 * UNIT),
        max_messages: 16,
    }
}

// ---- registry --------------------------------------------------------------------

/// Stakes: 1,000 AGPU for a provider, 5,000 for a validator. A benchmark
/// score is throughput in compute units per second; tiers start at 100, 200,
/// 400 and 800 units/s.
pub fn registry_params() -> Params {
    Params {
        min_provider_stake: Uint128::new(1_000 * UNIT),
        min_validator_stake: Uint128::new(5_000 * UNIT),
        unbonding_period: 600,
        max_pending_claims: 8,
        reputation: ReputationParams {
            alpha: permille(100),
            beta: permille(200),
            gamma: permille(500),
            floor: 2_000,
            benchmark_boost: 100,
        },
        jail_duration: 600,
        slash_beneficiary_share: permille(600),
        tier_thresholds: vec![100, 200, 400, 800],
        benchmark: BenchmarkParams {
            // A provider claiming score s answers within 60,000 / s seconds
            // (1 minute at 1,000 units/s), clamped to [60 s, 1 h].
            work: 60_000,
            min_duration: 60,
            max_duration: 3_600,
            attest_window: 600,
        },
        max_validators: 16,
        limits: Limits {
            max_devices: 8,
            max_text_len: 64,
            max_url_len: 128,
        },
        duties: DutyParams {
            // Each validator reveals at most every 10 s and must reveal at
            // least every 10 minutes; a draw waits for 3 reveals.
            beacon_interval: 10,
            beacon_reveals_per_draw: 3,
            beacon_grace: 600,
            // 1 % of the bond (50 AGPU at the minimum validator stake).
            missed_duty_slash: permille(10),
            benchmark_quorum: 3,
            // A zone change takes effect after 10 minutes.
            zone_change_delay: 600,
        },
    }
}

// ---- pricing -----------------------------------------------------------------------

/// Base prices in uagpu per compute unit: tier 1 render costs 1 uagpu/unit
/// (a 1-megapixel fractal at the built-in templates' formulas is a few
/// thousand units), classes scale by how much memory bandwidth and precision
/// they need, tiers by the hardware they imply.
pub fn pricing_params() -> PricingParams {
    let tier = |tier: u8, scale: u64| TierPrices {
        tier,
        render: permille(1_000 * scale),
        hpc: permille(1_200 * scale),
        inference: permille(1_500 * scale),
        training: permille(2_000 * scale),
    };
    PricingParams {
        // Ten-minute epochs on the devnet.
        epoch_length: 600,
        base_prices: vec![tier(1, 1), tier(2, 2), tier(3, 4), tier(4, 8)],
        urgency: UrgencyMultipliers {
            low: permille(800),
            normal: permille(1_000),
            high: permille(1_500),
            realtime: permille(2_500),
        },
        // m' = m · (1 + clamp(κ·(u − 0.8), ±12.5 %)): EIP-1559's 12.5 % step,
        // reached at u = 1.05 or u = 0.55.
        kappa: permille(500),
        target_utilization: permille(800),
        max_change: permille(125),
        min_multiplier: permille(250),
        max_multiplier: permille(8_000),
        // Each verifier is paid 3 % of one replica's compute cost, at least
        // 0.001 AGPU. With 16 sampled chunks per verifier that covers the
        // recompute of any job of at least 1,024 chunks (16/1024 = 1.6 % of
        // the job, paid 3 %), and two verifiers' fees plus their recompute
        // stay under 10 % of the price (see the pricing crate docs).
        verifier_fee_rate: permille(30),
        min_verifier_fee: Uint128::new(1_000),
    }
}

// ---- incentives ------------------------------------------------------------------------

/// At most 100 AGPU per ten-minute epoch, decaying 0.01 % per epoch (about
/// 41 % a month of devnet time); a fifth to verifiers. Emissions are a
/// rebate on protocol fees: an address claims from an epoch at most half the
/// protocol fees its work paid in it (`reward_per_fee` 0.5), and unverified
/// (`None`) work earns nothing. 100 AGPU an epoch is the rebate of about
/// 200 AGPU of protocol fees, i.e. 4,000 AGPU of compute per ten minutes:
/// roughly 800 GPUs kept busy at tier 4 (see the incentives crate docs for
/// the worked example). Below that volume the unbacked rest is never minted.
pub fn incentives_params() -> IncentivesParams {
    IncentivesParams {
        epoch_length: 600,
        initial_emission: Uint128::new(100 * UNIT),
        decay: Decimal::raw(999_900_000_000_000_000),
        verifier_share: permille(200),
        max_epochs_per_claim: 50,
        reward_per_fee: permille(500),
        unverified_weight: permille(0),
    }
}

// ---- job market ---------------------------------------------------------------------------

/// The market's economics: 5 % protocol fee; collateral = the full provider
/// payout, so a provider caught faking chunks loses as much as it hoped to
/// earn (see [`SPOT_CHECK_SAMPLES_PER_VERIFIER`] for why that makes cheating
/// unprofitable); five-minute challenge window; two-minute response and
/// commit windows.
pub fn market_params() -> MarketParams {
    MarketParams {
        protocol_fee_rate: permille(50),
        collateral_rate: permille(1_000),
        challenge_window: 300,
        response_window: 120,
        commit_window: 120,
        dispute_verifiers: 3,
        // Queue entries one ClaimNext examines over the provider's zone and
        // the zones that spill into it: the bound on its gas.
        max_claim_scan: 32,
        lease_factors: LeaseFactors {
            low: permille(2_000),
            normal: permille(1_000),
            high: permille(750),
            realtime: permille(500),
        },
        min_lease_seconds: 60,
        bad_input_fee_rate: permille(100),
        limits: MarketLimits {
            max_params: 16,
            max_param_name_len: 32,
            max_uri_len: 256,
            max_inline_input_bytes: 1_024,
            max_verifiers: 5,
            max_replication: 5,
            // A week.
            max_job_duration: 7 * 86_400,
            max_history: 32,
            max_zones: 16,
            // Requirements above any accelerator sold today are refused.
            max_device_memory: cosmwasm_std::Uint64::new(1 << 40),
            max_compute_units: 4_096,
        },
        // Abandoning a lease costs half the collateral; a timeout all of it.
        abandon_slash_rate: permille(500),
        // Any job pays something. At these defaults a unit costs 1–8 uagpu,
        // so a higher floor would refuse the small jobs the devnet's tests
        // and quick demo submit; against queue spam the market relies on
        // the requirement caps, the cancel fee and ClaimNext's cursor. A
        // deployment with real prices raises it (the contract's own
        // default is 100).
        min_job_price: Uint128::new(1),
        // A cancelled job leaves 5 % of its escrow to the treasury.
        cancel_fee_rate: permille(50),
        bad_input_window: 600,
        // Each drawn verifier / dispute voter locks 10 verifier fees of its
        // bond for the duty: what it loses for a refuted Invalid, a Valid on
        // a proven fraud or a missed vote.
        verifier_collateral_rate: permille(10_000),
        // Two voter rounds, then an undecided dispute fails with a refund.
        dispute_rounds: 2,
        // A draw waits at most an hour for its beacon reveal.
        draw_timeout: 3_600,
        // Chunks a verifier can force on chain (ChallengeData): 64 KiB.
        max_data_bytes: 65_536,
        forced_errors: true,
        // A Replicated job takes applications for 10 s after the first, then
        // draws its slots by bond from a later beacon value: agents poll
        // every block, so every honest provider watching applies in time.
        replica_window: 10,
        max_replica_applicants: 16,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permille_writes_the_decimal_it_says() {
        assert_eq!(permille(334).to_string(), "0.334");
        assert_eq!(permille(2_500).to_string(), "2.5");
        assert_eq!(
            incentives_params().decay.to_string(),
            "0.9999",
            "decay per epoch"
        );
    }

    #[test]
    fn every_devnet_zone_has_a_continent_neighbour() {
        for z in DEVNET_ZONES {
            let neighbours = DEVNET_ZONES
                .iter()
                .filter(|o| **o != z && continent(o) == continent(z))
                .count();
            assert_eq!(neighbours, 1, "{z}");
        }
    }
}
