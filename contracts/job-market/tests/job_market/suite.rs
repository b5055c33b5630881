//! The test chain: the real AGPU token, registry, pricing (MTP) and
//! incentives contracts and the job market, wired as a deployment wires them
//! (registry authorizes the market, pricing and incentives take its reports).
//! Quotes come from the pricing contract; [`Suite::quote`] asks it what a job
//! costs now. Each helper sends one message, so tests read as a story.

#![allow(dead_code)]

use std::str::FromStr;

use cosmwasm_std::{to_json_binary, Addr, Binary, Decimal, Empty, Timestamp, Uint128, Uint64};
use cw20::{BalanceResponse, Cw20Coin, Cw20ExecuteMsg, Cw20QueryMsg};
use cw_multi_test::{App, AppResponse, Contract, ContractWrapper, Executor};
use starminer_interfaces::incentives as inc;
use starminer_interfaces::job_market::*;
use starminer_interfaces::market::{Determinism, JobClass, UnitFormula, Urgency, VerificationMode};
use starminer_interfaces::pricing::{
    self as pri, PricingParams, QuoteResponse, TierPrices, UrgencyMultipliers,
};
use starminer_interfaces::registry as reg;

pub type Res = anyhow::Result<AppResponse>;

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

// ---- contracts --------------------------------------------------------------

fn agpu_contract() -> Box<dyn Contract<Empty>> {
    Box::new(ContractWrapper::new(
        agpu_token::contract::execute,
        agpu_token::contract::instantiate,
        agpu_token::contract::query,
    ))
}
fn registry_contract() -> Box<dyn Contract<Empty>> {
    Box::new(ContractWrapper::new(
        registry::contract::execute,
        registry::contract::instantiate,
        registry::contract::query,
    ))
}
fn pricing_contract() -> Box<dyn Contract<Empty>> {
    Box::new(ContractWrapper::new(
        pricing::contract::execute,
        pricing::contract::instantiate,
        pricing::contract::query,
    ))
}
fn incentives_contract() -> Box<dyn Contract<Empty>> {
    Box::new(ContractWrapper::new(
        incentives::contract::execute,
        incentives::contract::instantiate,
        incentives::contract::query,
    ))
}
fn market_contract() -> Box<dyn Contract<Empty>> {
    Box::new(
        ContractWrapper::new(
            job_market::contract::execute,
            job_market::contract::instantiate,
            job_market::contract::query,
        )
        .with_migrate(job_market::contract::migrate)
        .with_reply(job_market::contract::reply),
    )
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
    /// Beacon reveals each validator has made (its next hash-chain link).
    pub reveals: std::collections::BTreeMap<String, u32>,
}

/// Links of each test validator's beacon hash chain.
pub const CHAIN_LEN: u32 = 512;

/// sha256ⁿ(sha256("secret" ‖ name)): link `n` of `who`'s hash chain.
pub fn chain_link(who: &str, n: u32) -> String {
    use sha2::{Digest, Sha256};
    let mut h: [u8; 32] = Sha256::digest(format!("secret:{who}").as_bytes()).into();
    for _ in 0..n {
        h = Sha256::digest(h).into();
    }
    hex::encode(h)
}

pub fn gpu(mem_gb: u64, units: u32) -> reg::Device {
    reg::Device {
        vendor: "NVIDIA".into(),
        name: "H100".into(),
        compute_units: units,
        global_mem_bytes: Uint64::new(mem_gb * 1_000_000_000),
        max_clock_mhz: 1_980,
        opencl_version: "OpenCL 3.0".into(),
    }
}

impl Suite {
    pub fn new() -> Self {
        Self::with_params(market_params())
    }

    pub fn with_params(params: MarketParams) -> Self {
        Self::with_config(params, pricing_params())
    }

    pub fn with_config(params: MarketParams, pricing: PricingParams) -> Self {
        let mut app = App::default();
        let gov = app.api().addr_make("governance");
        let users = [
            "alice", "bob", "p1", "p2", "p3", "p4", "p5", "p6", "v1", "v2", "v3", "v4", "v5", "v6",
            "v7", "v8",
        ];
        let balances: Vec<Cw20Coin> = users
            .iter()
            .map(|u| Cw20Coin {
                address: app.api().addr_make(u).to_string(),
                amount: Uint128::new(START_BALANCE),
            })
            .collect();
        let code = app.store_code(agpu_contract());
        let agpu = app
            .instantiate_contract(
                code,
                gov.clone(),
                &starminer_interfaces::agpu::InstantiateMsg {
                    name: "AGPU token".into(),
                    symbol: "AGPU".into(),
                    initial_balances: balances,
                    minter: gov.to_string(),
                    cap: Uint128::new(1_000_000_000_000_000),
                    governance: gov.to_string(),
                    marketing: None,
                },
                &[],
                "agpu",
                None,
            )
            .unwrap();
        let code = app.store_code(registry_contract());
        let registry = app
            .instantiate_contract(
                code,
                gov.clone(),
                &reg::InstantiateMsg {
                    governance: gov.to_string(),
                    agpu_token: agpu.to_string(),
                    authorized: vec![],
                    zones: ZONES3
                        .iter()
                        .map(|z| z.to_string())
                        .chain((0..8).map(|i| format!("z{i}")))
                        .collect(),
                    params: registry_params(),
                    oracles: vec![],
                },
                &[],
                "registry",
                None,
            )
            .unwrap();
        let code = app.store_code(pricing_contract());
        let pricing = app
            .instantiate_contract(
                code,
                gov.clone(),
                &pri::InstantiateMsg {
                    governance: gov.to_string(),
                    registry: registry.to_string(),
                    reporters: vec![],
                    params: pricing,
                },
                &[],
                "pricing",
                None,
            )
            .unwrap();
        let code = app.store_code(incentives_contract());
        let incentives = app
            .instantiate_contract(
                code,
                gov.clone(),
                &inc::InstantiateMsg {
                    governance: gov.to_string(),
                    agpu_token: agpu.to_string(),
                    registry: registry.to_string(),
                    reporters: vec![],
                    params: inc::IncentivesParams {
                        epoch_length: 86_400,
                        initial_emission: Uint128::new(1_000_000),
                        decay: dec("0.9"),
                        verifier_share: dec("0.2"),
                        max_epochs_per_claim: 10,
                        reward_per_fee: dec("0.5"),
                        unverified_weight: Decimal::zero(),
                    },
                },
                &[],
                "incentives",
                None,
            )
            .unwrap();
        let code = app.store_code(market_contract());
        let market = app
            .instantiate_contract(
                code,
                gov.clone(),
                &InstantiateMsg {
                    governance: gov.to_string(),
                    agpu_token: agpu.to_string(),
                    registry: registry.to_string(),
                    pricing: pricing.to_string(),
                    incentives: incentives.to_string(),
                    oracles: vec![app.api().addr_make("oracle").to_string()],
                    params,
                },
                &[],
                "job-market",
                Some(gov.to_string()),
            )
            .unwrap();
        app.execute_contract(
            gov.clone(),
            registry.clone(),
            &reg::ExecuteMsg::SetAuthorized {
                contracts: vec![market.to_string()],
            },
            &[],
        )
        .unwrap();
        app.execute_contract(
            gov.clone(),
            pricing.clone(),
            &pri::ExecuteMsg::UpdateConfig {
                governance: None,
                registry: None,
                reporters: Some(vec![market.to_string()]),
                params: None,
            },
            &[],
        )
        .unwrap();
        app.execute_contract(
            gov.clone(),
            incentives.clone(),
            &inc::ExecuteMsg::UpdateConfig {
                governance: None,
                registry: None,
                reporters: Some(vec![market.to_string()]),
                params: None,
            },
            &[],
        )
        .unwrap();
        let mut suite = Suite {
            app,
            gov,
            agpu,
            registry,
            pricing,
            incentives,
            market,
            reveals: Default::default(),
        };
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
        self.app
            .wrap()
            .query_wasm_smart(
                &self.pricing,
                &pri::QueryMsg::Quote {
                    tier: 1,
                    class: JobClass::Render,
                    units: Uint128::new(units),
                    urgency,
                    verification: verification.clone(),
                },
            )
            .unwrap()
    }

    pub fn addr(&self, name: &str) -> Addr {
        self.app.api().addr_make(name)
    }

    pub fn exec(&mut self, who: &str, msg: &ExecuteMsg) -> Res {
        let sender = self.addr(who);
        self.app
            .execute_contract(sender, self.market.clone(), msg, &[])
    }

    pub fn gov_exec(&mut self, msg: &ExecuteMsg) -> Res {
        self.app
            .execute_contract(self.gov.clone(), self.market.clone(), msg, &[])
    }

    fn reg_exec(&mut self, who: &str, msg: &reg::ExecuteMsg) -> Res {
        let sender = self.addr(who);
        self.app
            .execute_contract(sender, self.registry.clone(), msg, &[])
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
        self.reg_exec(
            who,
            &reg::ExecuteMsg::Register {
                moniker: who.into(),
                pubkey: None,
                region: "r".into(),
                zone: zone.into(),
                hardware: hw,
                result_server_url: None,
                roles: vec![reg::Role::Provider],
            },
        )
        .unwrap();
        self.bond(who, bond);
        if tier > 0 {
            let score = [0u64, 100, 200, 400, 800][tier as usize];
            // The registry draws the benchmark's verifiers from the seated
            // set at submission: make sure there is one.
            let _ = self.any_validator();
            let res = self
                .reg_exec(
                    who,
                    &reg::ExecuteMsg::RequestBenchmark {
                        claimed_score: score,
                    },
                )
                .unwrap();
            let challenge_id: u64 = attr(&res, "challenge_id").parse().unwrap();
            self.reg_exec(
                who,
                &reg::ExecuteMsg::SubmitBenchmarkResult {
                    challenge_id,
                    result_root: "cd".repeat(32),
                },
            )
            .unwrap();
            let provider = self.addr(who).to_string();
            // Every verifier of the registry's quorum attests: all
            // validators at once when the quorum covers them, else those
            // drawn with a later beacon value.
            let challenge = |s: &Self| -> reg::Challenge {
                s.app
                    .wrap()
                    .query_wasm_smart(&s.registry, &reg::QueryMsg::Challenge { challenge_id })
                    .unwrap()
            };
            let mut verifiers = challenge(self).verifiers;
            while verifiers.is_empty() {
                let wait = u64::from(self.beacon().reveals_per_draw.max(1));
                self.reveal_n(wait);
                verifiers = challenge(self).verifiers;
            }
            for v in verifiers {
                let validator = self.name_of(&v);
                self.reg_exec(
                    &validator,
                    &reg::ExecuteMsg::AttestBenchmark {
                        provider: provider.clone(),
                        challenge_id,
                        valid: true,
                        measured_score: score,
                    },
                )
                .unwrap();
            }
        }
    }

    fn any_validator(&mut self) -> String {
        let v: reg::ValidatorsResponse = self
            .app
            .wrap()
            .query_wasm_smart(
                &self.registry,
                &reg::QueryMsg::Validators {
                    start_after: None,
                    limit: Some(1),
                },
            )
            .unwrap();
        match v.validators.first() {
            Some(first) => self.name_of(&first.address),
            None => {
                self.validator("v8", 10_000);
                "v8".into()
            }
        }
    }

    pub fn validator(&mut self, who: &str, stake: u128) {
        self.reg_exec(
            who,
            &reg::ExecuteMsg::Register {
                moniker: who.into(),
                pubkey: None,
                region: "r".into(),
                zone: "eu".into(),
                hardware: vec![gpu(80, 132)],
                result_server_url: None,
                roles: vec![reg::Role::Validator],
            },
        )
        .unwrap();
        self.bond(who, stake);
        // Seated validators run the beacon (a validator left without a seat
        // cannot anchor).
        let _ = self.reg_exec(
            who,
            &reg::ExecuteMsg::SetBeaconAnchor {
                anchor: chain_link(who, CHAIN_LEN),
            },
        );
    }

    /// Registers `who` and has governance appoint it a registry oracle (the
    /// market asks the registry's `HasRole{Oracle}`).
    pub fn appoint_oracle(&mut self, who: &str) {
        self.reg_exec(
            who,
            &reg::ExecuteMsg::Register {
                moniker: who.into(),
                pubkey: None,
                region: "r".into(),
                zone: "eu".into(),
                hardware: vec![],
                result_server_url: None,
                roles: vec![],
            },
        )
        .unwrap();
        let gov = self.gov.clone();
        self.app
            .execute_contract(
                gov,
                self.registry.clone(),
                &reg::ExecuteMsg::AppointOracle {
                    address: self.addr(who).to_string(),
                },
                &[],
            )
            .unwrap();
    }

    /// The registry beacon's head.
    pub fn beacon(&self) -> reg::BeaconResponse {
        self.app
            .wrap()
            .query_wasm_smart(&self.registry, &reg::QueryMsg::Beacon {})
            .unwrap()
    }

    pub fn beacon_at(&self, seq: u64) -> Option<reg::BeaconEntry> {
        let r: reg::BeaconEntryResponse = self
            .app
            .wrap()
            .query_wasm_smart(&self.registry, &reg::QueryMsg::BeaconAt { seq })
            .unwrap();
        r.entry
    }

    /// `who` reveals its next hash-chain link.
    pub fn reveal_beacon(&mut self, who: &str) -> Res {
        let n = self.reveals.get(who).copied().unwrap_or_default();
        let res = self.reg_exec(
            who,
            &reg::ExecuteMsg::RevealBeacon {
                preimage: chain_link(who, CHAIN_LEN - 1 - n),
            },
        )?;
        self.reveals.insert(who.to_string(), n + 1);
        Ok(res)
    }

    /// Moves the beacon `count` reveals on, taking turns among the
    /// validators in `among` (advancing the clock when all must wait).
    pub fn reveal_among(&mut self, among: &[&str], count: u64) {
        let target = self.beacon().seq + count;
        let mut idle_rounds = 0;
        while self.beacon().seq < target {
            let mut moved = false;
            for who in among {
                if self.beacon().seq >= target {
                    break;
                }
                if self.reveal_beacon(who).is_ok() {
                    moved = true;
                }
            }
            if !moved {
                idle_rounds += 1;
                assert!(idle_rounds < 20, "the beacon does not move");
                self.advance(30);
            }
        }
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
        let sender = self.addr(who);
        self.app
            .execute_contract(
                sender,
                self.agpu.clone(),
                &Cw20ExecuteMsg::Send {
                    contract: self.registry.to_string(),
                    amount: Uint128::new(amount),
                    msg: to_json_binary(&reg::ReceiveMsg::Bond {}).unwrap(),
                },
                &[],
            )
            .unwrap();
    }

    pub fn now(&self) -> Timestamp {
        self.app.block_info().time
    }

    pub fn advance(&mut self, seconds: u64) {
        self.app.update_block(|b| {
            b.time = b.time.plus_seconds(seconds);
            b.height += seconds.div_ceil(5).max(1);
        });
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
        let sender = self.addr(who);
        self.app.execute_contract(
            sender,
            self.agpu.clone(),
            &Cw20ExecuteMsg::Send {
                contract: self.market.to_string(),
                amount: Uint128::new(amount),
                msg: to_json_binary(&ReceiveMsg::SubmitJob { spec: spec.clone() }).unwrap(),
            },
            &[],
        )
    }

    /// Submits and returns the job id.
    pub fn submit(&mut self, who: &str, spec: &JobSpec, amount: u128) -> u64 {
        let res = self.submit_spec(who, spec, amount).unwrap();
        attr(&res, "job_id").parse().unwrap()
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
        self.app
            .wrap()
            .query_wasm_smart(&self.market, &QueryMsg::Job { job_id })
            .unwrap()
    }

    pub fn status(&self, job_id: u64) -> JobStatus {
        self.job(job_id).job.status
    }

    pub fn stats(&self) -> StatsResponse {
        self.app
            .wrap()
            .query_wasm_smart(&self.market, &QueryMsg::Stats {})
            .unwrap()
    }

    pub fn query<T: cosmwasm_schema::serde::de::DeserializeOwned>(&self, msg: &QueryMsg) -> T {
        self.app.wrap().query_wasm_smart(&self.market, msg).unwrap()
    }

    pub fn provider_record(&self, who: &str) -> reg::Provider {
        self.app
            .wrap()
            .query_wasm_smart(
                &self.registry,
                &reg::QueryMsg::Provider {
                    address: self.addr(who).to_string(),
                },
            )
            .unwrap()
    }

    pub fn stake(&self, who: &str) -> reg::StakeResponse {
        self.app
            .wrap()
            .query_wasm_smart(
                &self.registry,
                &reg::QueryMsg::Stake {
                    address: self.addr(who).to_string(),
                },
            )
            .unwrap()
    }

    pub fn balance_of_addr(&self, addr: &Addr) -> u128 {
        let r: BalanceResponse = self
            .app
            .wrap()
            .query_wasm_smart(
                &self.agpu,
                &Cw20QueryMsg::Balance {
                    address: addr.to_string(),
                },
            )
            .unwrap();
        r.balance.u128()
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

pub fn attr(res: &AppResponse, key: &str) -> String {
    res.events
        .iter()
        .flat_map(|e| e.attributes.iter())
        .find(|a| a.key == key)
        .map(|a| a.value.clone())
        .unwrap_or_else(|| panic!("no attribute {key}"))
}

#[track_caller]
pub fn assert_err<T: std::fmt::Debug>(res: anyhow::Result<T>, expected: &str) {
    let error = res.expect_err("the call should have failed");
    let text = format!("{:#}", error);
    assert!(text.contains(expected), "expected `{expected}` in `{text}`");
}

/// Deterministic output bytes of an honest run of job `job_id`.
pub fn honest_output(job_id: u64, len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| ((i as u64 * 31 + job_id * 7) % 251) as u8)
        .collect()
}
