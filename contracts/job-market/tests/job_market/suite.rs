//! The test chain: the whole system deployed by `starminer-multitest` (the
//! real AGPU token, registry, pricing (MTP), incentives and the job market,
//! wired by `starminer-deploy`), with the parameters below. Quotes come from
//! the pricing contract; [`Suite::quote`] asks it what a job costs now. Each
//! helper sends one message, so tests read as a story.

#![allow(dead_code)]

use std::str::FromStr;

use cosmwasm_std::{Addr, Binary, Decimal, Timestamp, Uint128, Uint64};
use cw_multi_test::App;
use starminer_interfaces::incentives as inc;
use starminer_interfaces::job_market::*;
use starminer_interfaces::market::{Determinism, JobClass, UnitFormula, Urgency, VerificationMode};
use starminer_interfaces::pricing::{
    self as pri, PricingParams, QuoteResponse, TierPrices, UrgencyMultipliers,
};
use starminer_interfaces::registry as reg;
pub use starminer_multitest::attr;
use starminer_multitest::{Addresses, Beacon, Harness, HashChain, Registration, Setup};

pub type Res = starminer_multitest::Res;

pub const START_BALANCE: u128 = 100_000_000;
pub const ZONES3: [&str; 3] = ["eu", "us", "ap"];
pub const TEMPLATE: &str = "render.fractal";
pub const CHUNK: u64 = 64;

pub fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

// ---- pricing -------------------------------------------------------------

/// uagpu per unit at every tier and class at multiplier 1 (the suite's flat
/// price list keeps the arithmetic of the tests readable).
pub const UNIT_PRICE: u128 = 10;
/// Seconds per pricing epoch: longer than any single test's clock moves, so
/// amounts stay at multiplier 1 unless a test crosses an epoch on purpose.
pub const PRICING_EPOCH: u64 = 86_400;

/// The real MTP engine at a flat 10 uagpu per unit, urgency ×0.8 / ×1 / ×1.5
/// / ×2, verifier fee 10 % of a replica; ±10 % per epoch at most.
pub fn pricing_params() -> PricingParams {
    let flat = |tier: u8| TierPrices {
        tier,
        render: Decimal::from_ratio(UNIT_PRICE, 1u128),
        hpc: Decimal::from_ratio(UNIT_PRICE, 1u128),
        inference: Decimal::from_ratio(UNIT_PRICE, 1u128),
        training: Decimal::from_ratio(UNIT_PRICE, 1u128),
    };
    PricingParams {
        epoch_length: PRICING_EPOCH,
        base_prices: (1..=4).map(flat).collect(),
        urgency: UrgencyMultipliers {
            low: dec("0.8"),
            normal: dec("1"),
            high: dec("1.5"),
            realtime: dec("2"),
        },
        kappa: dec("1"),
        target_utilization: dec("0.5"),
        max_change: dec("0.1"),
        min_multiplier: dec("0.5"),
        max_multiplier: dec("4"),
        verifier_fee_rate: dec("0.1"),
        min_verifier_fee: Uint128::one(),
    }
}

pub fn registry_params() -> reg::Params {
    reg::Params {
        min_provider_stake: Uint128::new(1_000),
        min_validator_stake: Uint128::new(5_000),
        unbonding_period: 100,
        max_pending_claims: 3,
        reputation: reg::ReputationParams {
            alpha: dec("0.1"),
            beta: dec("0.1"),
            gamma: dec("0.2"),
            floor: 100,
            benchmark_boost: 100,
        },
        jail_duration: 1_000,
        slash_beneficiary_share: dec("0.5"),
        tier_thresholds: vec![100, 200, 400, 800],
        benchmark: reg::BenchmarkParams {
            work: 60_000,
            min_duration: 60,
            max_duration: 3_600,
            attest_window: 600,
        },
        max_validators: 20,
        limits: reg::Limits {
            max_devices: 2,
            max_text_len: 32,
            max_url_len: 64,
        },
        duties: Default::default(),
    }
}

pub fn market_params() -> MarketParams {
    MarketParams {
        protocol_fee_rate: dec("0.05"),
        collateral_rate: dec("1"),
        challenge_window: 600,
        response_window: 300,
        commit_window: 300,
        dispute_verifiers: 3,
        max_claim_scan: 32,
        lease_factors: LeaseFactors {
            low: dec("2"),
            normal: dec("1"),
            high: dec("0.75"),
            realtime: dec("0.5"),
        },
        min_lease_seconds: 60,
        bad_input_fee_rate: dec("0.1"),
        limits: MarketLimits {
            max_params: 8,
            max_param_name_len: 16,
            max_uri_len: 128,
            max_inline_input_bytes: 256,
            max_verifiers: 5,
            max_replication: 5,
            max_job_duration: 100_000,
            max_history: 32,
            max_zones: 16,
            max_device_memory: Uint64::new(1 << 40),
            max_compute_units: 4_096,
        },
        abandon_slash_rate: dec("0.5"),
        min_job_price: Uint128::new(100),
        cancel_fee_rate: dec("0.05"),
        bad_input_window: 600,
        verifier_collateral_rate: dec("10"),
        dispute_rounds: 2,
        draw_timeout: 3_600,
        max_data_bytes: 4_096,
        // Forced errors are exercised by forced_errors.rs, which turns them
        // on; the other suites check the rest of the game without them.
        forced_errors: false,
        // Drawn replica slots are exercised by replica_draw.rs; the other
        // suites seat replicas first come, first served.
        replica_window: 0,
        max_replica_applicants: 16,
    }
}

pub fn template() -> Template {
    Template {
        id: TEMPLATE.into(),
        class: JobClass::Render,
        kernel_sha256: "ab".repeat(32),
        unit_formula: UnitFormula {
            params: vec!["width".into(), "height".into()],
            factor: 1,
            divisor: 100,
        },
        chunk_size: CHUNK,
        determinism: Determinism::Exact,
        max_seconds_per_unit: dec("1"),
        min_hardware: HardwareRequirements {
            min_tier: 1,
            min_device_memory: Uint64::new(1_000_000_000),
            min_compute_units: 8,
        },
        enabled: true,
    }
}

pub struct Suite {
    pub app: App,
    pub gov: Addr,
    pub agpu: Addr,
    pub registry: Addr,
    pub pricing: Addr,
    pub incentives: Addr,
    pub market: Addr,
    /// The beacon hash chains of the validators that anchored one.
    pub chains: Beacon,
    contracts: Addresses,
}

starminer_multitest::impl_harness!(Suite);

/// Links of each test validator's beacon hash chain.
pub const CHAIN_LEN: u32 = 512;

/// `who`'s beacon hash chain of [`CHAIN_LEN`] links.
fn hash_chain(who: &str) -> HashChain {
    HashChain::new(&format!("secret:{who}"), CHAIN_LEN as usize)
}

/// sha256ⁿ(sha256("secret" ‖ name)): link `n` of `who`'s hash chain.
pub fn chain_link(who: &str, n: u32) -> String {
    HashChain::new(&format!("secret:{who}"), n as usize).anchor()
}

pub fn gpu(mem_gb: u64, units: u32) -> reg::Device {
    starminer_multitest::gpu(mem_gb, units)
}

impl Suite {
    pub fn new() -> Self {
        Self::with_params(market_params())
    }

    pub fn with_params(params: MarketParams) -> Self {
        Self::with_config(params, pricing_params())
    }

    pub fn with_config(params: MarketParams, pricing: PricingParams) -> Self {
        let users = [
            "alice", "bob", "p1", "p2", "p3", "p4", "p5", "p6", "v1", "v2", "v3", "v4", "v5", "v6",
            "v7", "v8",
        ];
        let mut setup = Setup::new().config(|c| {
            c.market = params;
            c.pricing = pricing;
            c.registry = registry_params();
            c.incentives = inc::IncentivesParams {
                epoch_length: 86_400,
                initial_emission: Uint128::new(1_000_000),
                decay: dec("0.9"),
                verifier_share: dec("0.2"),
                max_epochs_per_claim: 10,
                reward_per_fee: dec("0.5"),
                unverified_weight: Decimal::zero(),
            };
            c.zones = ZONES3
                .iter()
                .map(|z| z.to_string())
                .chain((0..8).map(|i| format!("z{i}")))
                .collect();
            // Zones and routes are the suite's own (below); nobody is a
            // registry oracle until a test appoints one.
            c.oracles = vec![];
            c.agpu_cap = Uint128::new(1_000_000_000_000_000);
        });
        for user in users {
            setup = setup.agpu(user, START_BALANCE);
        }
        let system = setup.deploy();
        let c = system.contracts;
        let mut suite = Suite {
            app: system.app,
            gov: c.governance.clone(),
            agpu: c.agpu.clone(),
            registry: c.registry.clone(),
            pricing: c.pricing.clone(),
            incentives: c.incentives.clone(),
            market: c.job_market.clone(),
            chains: Beacon::default(),
            contracts: c,
        };
        // "oracle" stands in the market's legacy list, which is not read:
        // the registry's role decides.
        let oracle = suite.addr("oracle").to_string();
        suite
            .gov_exec(&ExecuteMsg::UpdateConfig {
                governance: None,
                agpu_token: None,
                registry: None,
                pricing: None,
                incentives: None,
                oracles: Some(vec![oracle]),
                params: None,
            })
            .unwrap();
        suite
            .gov_exec(&ExecuteMsg::RegisterTemplate {
                template: template(),
            })
            .unwrap();
        suite
            .gov_exec(&ExecuteMsg::SetZones {
                zones: ZONES3
                    .iter()
                    .map(|z| ZoneUpdate {
                        zone: z.to_string(),
                        capacity_threshold: 100,
                    })
                    .collect(),
            })
            .unwrap();
        suite
    }

    /// What pricing quotes now for `units` of the suite's template (tier 1,
    /// render) at `urgency` with `verification`.
    pub fn quote(
        &self,
        units: u128,
        urgency: Urgency,
        verification: &VerificationMode,
    ) -> QuoteResponse {
        self.query_wasm(
            &self.pricing,
            &pri::QueryMsg::Quote {
                tier: 1,
                class: JobClass::Render,
                units: Uint128::new(units),
                urgency,
                verification: verification.clone(),
            },
        )
    }

    pub fn addr(&self, name: &str) -> Addr {
        Harness::addr(self, name)
    }

    pub fn exec(&mut self, who: &str, msg: &ExecuteMsg) -> Res {
        let (sender, market) = (self.addr(who), self.market.clone());
        self.execute(&sender, &market, msg)
    }

    pub fn gov_exec(&mut self, msg: &ExecuteMsg) -> Res {
        let (gov, market) = (self.gov.clone(), self.market.clone());
        self.execute(&gov, &market, msg)
    }

    /// Governance replaces the market's parameters (and nothing else).
    pub fn set_params(&mut self, params: MarketParams) -> Res {
        self.gov_exec(&ExecuteMsg::UpdateConfig {
            governance: None,
            agpu_token: None,
            registry: None,
            pricing: None,
            incentives: None,
            oracles: None,
            params: Some(params),
        })
    }

    /// Registers, bonds and (for providers) gets a verified tier.
    pub fn provider(&mut self, who: &str, zone: &str, tier: u8) {
        self.provider_with(who, zone, tier, vec![gpu(80, 132)], 1_000_000);
    }

    pub fn provider_with(
        &mut self,
        who: &str,
        zone: &str,
        tier: u8,
        hw: Vec<reg::Device>,
        bond: u128,
    ) {
        let registration = Registration {
            region: "r".into(),
            hardware: hw,
            ..Registration::new(who, zone, vec![reg::Role::Provider])
        };
        let provider = self.addr(who);
        self.register_with_stake(&provider, &registration, bond);
        if tier > 0 {
            let score = [0u64, 100, 200, 400, 800][tier as usize];
            // The registry draws the benchmark's verifiers from the seated
            // set at submission: make sure there is one.
            if self.seated_validators().is_empty() {
                self.validator("v8", 10_000);
            }
            let challenge_id = self.request_benchmark(&provider, score).unwrap();
            self.submit_benchmark(&provider, challenge_id, &"cd".repeat(32))
                .unwrap();
            // Every verifier of the registry's quorum attests: all
            // validators at once when the quorum covers them, else those
            // drawn with a later beacon value.
            let mut verifiers = self.challenge(challenge_id).verifiers;
            while verifiers.is_empty() {
                let wait = u64::from(self.beacon().reveals_per_draw.max(1));
                self.reveal_n(wait);
                verifiers = self.challenge(challenge_id).verifiers;
            }
            for v in verifiers {
                self.attest_benchmark(&v, &provider, challenge_id, true, score)
                    .unwrap();
            }
        }
    }

    pub fn validator(&mut self, who: &str, stake: u128) {
        let registration = Registration {
            region: "r".into(),
            ..Registration::new(who, "eu", vec![reg::Role::Validator])
        };
        let validator = self.addr(who);
        self.register(&validator, &registration).unwrap();
        self.bond(who, stake);
        // Seated validators run the beacon (a validator left without a seat
        // cannot anchor).
        let _ = self
            .chains
            .anchor(&mut self.app, &self.registry, &validator, hash_chain(who));
    }

    /// Registers `who` and has governance appoint it a registry oracle (the
    /// market asks the registry's `HasRole{Oracle}`).
    pub fn appoint_oracle(&mut self, who: &str) {
        let registration = Registration {
            region: "r".into(),
            hardware: vec![],
            ..Registration::new(who, "eu", vec![])
        };
        let oracle = self.addr(who);
        self.register(&oracle, &registration).unwrap();
        let gov = self.gov.clone();
        self.registry_exec(
            &gov,
            &reg::ExecuteMsg::AppointOracle {
                address: oracle.to_string(),
            },
        )
        .unwrap();
    }

    /// The registry beacon's head.
    pub fn beacon(&self) -> reg::BeaconResponse {
        Harness::beacon(self)
    }

    pub fn beacon_at(&self, seq: u64) -> Option<reg::BeaconEntry> {
        let r: reg::BeaconEntryResponse = self.registry_query(&reg::QueryMsg::BeaconAt { seq });
        r.entry
    }

    /// `who` reveals its next hash-chain link.
    pub fn reveal_beacon(&mut self, who: &str) -> Res {
        let validator = self.addr(who);
        self.chains
            .reveal(&mut self.app, &self.registry, &validator)
    }

    /// Moves the beacon `count` reveals on, taking turns among the
    /// validators in `among` (advancing the clock when all must wait).
    pub fn reveal_among(&mut self, among: &[&str], count: u64) {
        let target = self.beacon().seq + count;
        let among: Vec<Addr> = among.iter().map(|who| self.addr(who)).collect();
        self.chains
            .reveal_until(&mut self.app, &self.registry, &among, target, 30);
    }

    /// Moves the beacon `count` reveals on with the suite's validators.
    pub fn reveal_n(&mut self, count: u64) {
        self.reveal_among(&["v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8"], count);
    }

    /// Reveals until the beacon reaches what the job's pending draw (spot
    /// checkers or dispute voters) waits for, then draws it.
    pub fn draw(&mut self, job_id: u64) -> Res {
        let job = self.job(job_id).job;
        let v = job.verification.expect("the job has a verification");
        let at = v.draw_at.or(v.dispute.and_then(|d| d.draw_at));
        if let Some(at) = at {
            let seq = self.beacon().seq;
            if at > seq {
                self.reveal_n(at - seq);
            }
        }
        self.exec(
            "bob",
            &ExecuteMsg::DrawVerifiers {
                job_ids: vec![job_id],
            },
        )
    }

    pub fn bond(&mut self, who: &str, amount: u128) {
        let who = self.addr(who);
        Harness::bond(self, &who, amount).unwrap();
    }

    pub fn now(&self) -> Timestamp {
        Harness::now(self)
    }

    pub fn advance(&mut self, seconds: u64) {
        Harness::advance(self, seconds);
    }

    pub fn spec(&self, zone: &str, urgency: Urgency, verification: VerificationMode) -> JobSpec {
        JobSpec {
            template: TEMPLATE.into(),
            params: vec![
                JobParam {
                    name: "width".into(),
                    value: 100,
                },
                JobParam {
                    name: "height".into(),
                    value: 100,
                },
            ],
            input: JobInput::Remote {
                uri: "https://in.example/scene".into(),
                sha256: "11".repeat(32),
                size: 1000,
            },
            requirements: JobRequirements {
                min_tier: 1,
                min_device_memory: Uint64::new(1_000_000_000),
                min_compute_units: 8,
                zone: zone.into(),
                urgency,
                latency: LatencyClass::Global,
            },
            max_price: Uint128::new(1_000_000),
            deadline: self.now().plus_seconds(10_000),
            verification,
        }
    }

    pub fn submit_spec(&mut self, who: &str, spec: &JobSpec, amount: u128) -> Res {
        let (sender, market) = (self.addr(who), self.market.clone());
        let submit = ReceiveMsg::SubmitJob { spec: spec.clone() };
        self.send_agpu(&sender, &market, amount, &submit)
    }

    /// Submits and returns the job id.
    pub fn submit(&mut self, who: &str, spec: &JobSpec, amount: u128) -> u64 {
        let res = self.submit_spec(who, spec, amount).unwrap();
        attr(&res, "job_id").parse().unwrap()
    }

    /// The suites' usual spot-checked job: alice's SpotCheck{2} render job
    /// in "eu" at 1,200 uagpu, claimed by p1. Returns its id.
    pub fn claimed_spot_check(&mut self) -> u64 {
        self.claimed_spot_check_by(2)
    }

    /// [`Self::claimed_spot_check`] with `verifiers` verifiers.
    pub fn claimed_spot_check_by(&mut self, verifiers: u8) -> u64 {
        let spec = self.spec(
            "eu",
            Urgency::Normal,
            VerificationMode::SpotCheck { verifiers },
        );
        let id = self.submit("alice", &spec, 1_200);
        self.claim("p1", id).unwrap();
        id
    }

    pub fn claim(&mut self, who: &str, job_id: u64) -> Res {
        self.exec(who, &ExecuteMsg::Claim { job_id })
    }

    pub fn claim_next(&mut self, who: &str) -> anyhow::Result<u64> {
        let res = self.exec(who, &ExecuteMsg::ClaimNext { start_after: None })?;
        Ok(attr(&res, "job_id").parse()?)
    }

    pub fn submit_result(&mut self, who: &str, job_id: u64, output: &[u8]) -> Res {
        let tree = starminer_merkle::MerkleTree::from_data(output, CHUNK as usize).unwrap();
        self.exec(
            who,
            &ExecuteMsg::SubmitResult {
                job_id,
                root: hex::encode(tree.root()),
                chunk_count: tree.leaf_count(),
                output_size: output.len() as u64,
                output_uri: format!("https://{who}.example/out/{job_id}"),
                decoy: None,
            },
        )
    }

    pub fn commit(&mut self, who: &str, job_id: u64, output: &[u8], salt: &[u8]) -> Res {
        let tree = starminer_merkle::MerkleTree::from_data(output, CHUNK as usize).unwrap();
        let commitment = job_market::logic::replica_commitment(
            &tree.root(),
            salt,
            self.addr(who).as_str(),
            job_id,
        );
        self.exec(who, &ExecuteMsg::CommitResult { job_id, commitment })
    }

    pub fn reveal(&mut self, who: &str, job_id: u64, output: &[u8], salt: &[u8]) -> Res {
        let tree = starminer_merkle::MerkleTree::from_data(output, CHUNK as usize).unwrap();
        self.exec(
            who,
            &ExecuteMsg::RevealResult {
                job_id,
                root: hex::encode(tree.root()),
                salt: Binary::from(salt.to_vec()),
                chunk_count: tree.leaf_count(),
                output_size: output.len() as u64,
                output_uri: "https://out.example/x".into(),
            },
        )
    }

    /// Proves chunk `index` of `output`.
    /// Challenges chunk `index` of the job: its leaf (`data: false`) or its
    /// bytes (`data: true`, a `ChallengeData`).
    pub fn challenge_chunk(&mut self, who: &str, job_id: u64, index: u64, data: bool) -> Res {
        let msg = if data {
            ExecuteMsg::ChallengeData { job_id, index }
        } else {
            ExecuteMsg::Challenge { job_id, index }
        };
        self.exec(who, &msg)
    }

    pub fn respond(&mut self, who: &str, job_id: u64, output: &[u8], index: u64) -> Res {
        let tree = starminer_merkle::MerkleTree::from_data(output, CHUNK as usize).unwrap();
        self.exec(
            who,
            &ExecuteMsg::RespondChallenge {
                job_id,
                index,
                leaf_hash: hex::encode(tree.leaf(index).unwrap()),
                proof: tree.proof(index).unwrap().iter().map(hex::encode).collect(),
            },
        )
    }

    pub fn attest(&mut self, who: &str, job_id: u64, attestation: Attestation) -> Res {
        self.exec(
            who,
            &ExecuteMsg::Attest {
                job_id,
                attestation,
                salt: None,
            },
        )
    }

    /// Attests that chunk `index` of the job is wrong: it should hash to
    /// `chunk_hash`.
    pub fn attest_invalid(
        &mut self,
        who: &str,
        job_id: u64,
        index: u64,
        chunk_hash: String,
    ) -> Res {
        self.attest(who, job_id, Attestation::Invalid { index, chunk_hash })
    }

    /// Seals `attestation` under `salt` (jobs with sealed attestations).
    pub fn seal_attestation(
        &mut self,
        who: &str,
        job_id: u64,
        attestation: &Attestation,
        salt: &[u8],
    ) -> Res {
        let seal = starminer_interfaces::job_market::attestation_seal(
            job_id,
            self.addr(who).as_str(),
            attestation,
            salt,
        );
        self.exec(who, &ExecuteMsg::SealAttestation { job_id, seal })
    }

    /// Opens a sealed attestation.
    pub fn open_attestation(
        &mut self,
        who: &str,
        job_id: u64,
        attestation: Attestation,
        salt: &[u8],
    ) -> Res {
        self.exec(
            who,
            &ExecuteMsg::Attest {
                job_id,
                attestation,
                salt: Some(Binary::from(salt.to_vec())),
            },
        )
    }

    pub fn settle(&mut self, job_id: u64) -> Res {
        self.exec("alice", &ExecuteMsg::Settle { job_id })
    }

    pub fn expire(&mut self, job_id: u64) -> Res {
        self.exec("bob", &ExecuteMsg::Expire { job_id })
    }

    pub fn job(&self, job_id: u64) -> JobResponse {
        self.query(&QueryMsg::Job { job_id })
    }

    pub fn status(&self, job_id: u64) -> JobStatus {
        self.job(job_id).job.status
    }

    pub fn stats(&self) -> StatsResponse {
        self.query(&QueryMsg::Stats {})
    }

    pub fn query<T: cosmwasm_schema::serde::de::DeserializeOwned>(&self, msg: &QueryMsg) -> T {
        self.query_wasm(&self.market, msg)
    }

    pub fn provider_record(&self, who: &str) -> reg::Provider {
        self.provider_of(&self.addr(who))
    }

    pub fn stake(&self, who: &str) -> reg::StakeResponse {
        self.stake_of(&self.addr(who))
    }

    pub fn balance_of_addr(&self, addr: &Addr) -> u128 {
        self.agpu_balance(addr)
    }

    pub fn balance(&self, who: &str) -> u128 {
        self.balance_of_addr(&self.addr(who))
    }

    pub fn market_balance(&self) -> u128 {
        self.balance_of_addr(&self.market)
    }

    pub fn treasury(&self) -> u128 {
        self.balance_of_addr(&self.gov)
    }

    /// Verifier names of a job (the suite's users whose address was drawn).
    pub fn verifier_names(&self, job_id: u64) -> Vec<String> {
        let job = self.job(job_id).job;
        let v = job.verification.unwrap();
        v.verifiers
            .iter()
            .map(|e| self.name_of(&e.address))
            .collect()
    }

    pub fn dispute_voter_names(&self, job_id: u64) -> Vec<String> {
        let job = self.job(job_id).job;
        let d = job.verification.unwrap().dispute.unwrap();
        d.voters.iter().map(|e| self.name_of(&e.address)).collect()
    }

    pub fn name_of(&self, addr: &Addr) -> String {
        for n in [
            "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "p1", "p2", "p3", "p4", "p5", "p6",
            "alice", "bob",
        ] {
            if self.addr(n) == *addr {
                return n.to_string();
            }
        }
        panic!("unknown address {addr}")
    }
}

#[track_caller]
pub fn assert_err<T: std::fmt::Debug>(res: anyhow::Result<T>, expected: &str) {
    starminer_multitest::assert_err_contains(res, expected);
}

/// Deterministic output bytes of an honest run of job `job_id`.
pub fn honest_output(job_id: u64, len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| ((i as u64 * 31 + job_id * 7) % 251) as u8)
        .collect()
}
