//! The test harness: a chain with the real AGPU token, the real registry
//! (providers registered, bonded and benchmarked into tiers, so the supply is
//! the registry's own `TierCapacity`) and the pricing engine. A "job market"
//! address is the pricing reporter. Each helper sends one message.

use std::str::FromStr;

use cosmwasm_std::{coins, to_json_binary, Addr, Decimal, Empty, Uint128, Uint64};
use cw20::{Cw20Coin, Cw20ExecuteMsg};
use cw_multi_test::{App, AppBuilder, AppResponse, Contract, ContractWrapper, Executor};
use pricing::ContractError;
use starminer_interfaces::market::{JobClass, Urgency, VerificationMode};
use starminer_interfaces::pricing::{
    EpochRecord, ExecuteMsg, InstantiateMsg, PriceHistoryResponse, PricesResponse, PricingParams,
    QueryMsg, QuoteResponse, TierPrices, UrgencyMultipliers, UtilizationResponse,
};
use starminer_interfaces::registry::{
    self as reg, BenchmarkParams, Device, Limits, ReputationParams, Role,
};

pub type Res = anyhow::Result<AppResponse>;

pub const EPOCH: u64 = 3_600;
pub const NATIVE: &str = "ustar";

pub fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

/// κ = 0.5, target 0.5, δ = 0.125, multiplier in [0.25, 4]; base prices per
/// class 1, 2, 3, 4 uagpu times the tier.
pub fn default_params() -> PricingParams {
    PricingParams {
        epoch_length: EPOCH,
        base_prices: (1..=4u8)
            .map(|tier| {
                let t = Decimal::from_ratio(tier, 1u8);
                TierPrices {
                    tier,
                    render: t,
                    hpc: t * dec("2"),
                    inference: t * dec("3"),
                    training: t * dec("4"),
                }
            })
            .collect(),
        urgency: UrgencyMultipliers {
            low: dec("0.8"),
            normal: dec("1"),
            high: dec("1.5"),
            realtime: dec("3"),
        },
        kappa: dec("0.5"),
        target_utilization: dec("0.5"),
        max_change: dec("0.125"),
        min_multiplier: dec("0.25"),
        max_multiplier: dec("4"),
        verifier_fee_rate: dec("0.1"),
        min_verifier_fee: Uint128::one(),
    }
}

fn registry_params() -> reg::Params {
    reg::Params {
        min_provider_stake: Uint128::new(1_000),
        min_validator_stake: Uint128::new(5_000),
        unbonding_period: 100,
        max_pending_claims: 3,
        reputation: ReputationParams {
            alpha: dec("0.1"),
            beta: dec("0.2"),
            gamma: dec("0.5"),
            floor: 2_000,
            benchmark_boost: 100,
        },
        jail_duration: 1_000,
        slash_beneficiary_share: dec("0.6"),
        tier_thresholds: vec![100, 200, 400, 800],
        benchmark: BenchmarkParams {
            work: 60_000,
            min_duration: 60,
            max_duration: 3_600,
            attest_window: 600,
        },
        max_validators: 3,
        limits: Limits {
            max_devices: 2,
            max_text_len: 32,
            max_url_len: 64,
        },
        duties: Default::default(),
    }
}

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
    Box::new(
        ContractWrapper::new(
            pricing::contract::execute,
            pricing::contract::instantiate,
            pricing::contract::query,
        )
        .with_migrate(pricing::contract::migrate),
    )
}

/// Everybody who may hold AGPU and native coins in the tests.
const ACTORS: &[&str] = &[
    "alice",
    "bob",
    "carol",
    "dave",
    "erin",
    "val1",
    "governance",
    "job-market",
];

pub struct Suite {
    pub app: App,
    pub agpu: Addr,
    pub registry: Addr,
    pub pricing: Addr,
    pub gov: Addr,
    pub market: Addr,
}

impl Suite {
    pub fn new() -> Self {
        Self::with_params(default_params())
    }

    pub fn with_params(params: PricingParams) -> Self {
        let mut app = AppBuilder::new().build(|router, api, storage| {
            for who in ACTORS {
                router
                    .bank
                    .init_balance(storage, &api.addr_make(who), coins(1_000, NATIVE))
                    .unwrap();
            }
        });
        let gov = app.api().addr_make("governance");
        let market = app.api().addr_make("job-market");
        let balances = ACTORS
            .iter()
            .map(|who| Cw20Coin {
                address: app.api().addr_make(who).to_string(),
                amount: Uint128::new(100_000),
            })
            .collect();
        let token_code = app.store_code(agpu_contract());
        let agpu = app
            .instantiate_contract(
                token_code,
                gov.clone(),
                &starminer_interfaces::agpu::InstantiateMsg {
                    name: "AGPU token".into(),
                    symbol: "AGPU".into(),
                    initial_balances: balances,
                    minter: gov.to_string(),
                    cap: Uint128::new(1_000_000_000_000),
                    governance: gov.to_string(),
                    marketing: None,
                },
                &[],
                "agpu",
                None,
            )
            .unwrap();
        let registry_code = app.store_code(registry_contract());
        let registry = app
            .instantiate_contract(
                registry_code,
                gov.clone(),
                &reg::InstantiateMsg {
                    governance: gov.to_string(),
                    agpu_token: agpu.to_string(),
                    authorized: vec![market.to_string()],
                    zones: vec!["eu-west".into()],
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
                &InstantiateMsg {
                    governance: gov.to_string(),
                    registry: registry.to_string(),
                    reporters: vec![market.to_string()],
                    params,
                },
                &[],
                "pricing",
                Some(gov.to_string()),
            )
            .unwrap();
        let mut suite = Suite {
            app,
            agpu,
            registry,
            pricing,
            gov,
            market,
        };
        // The benchmark attester.
        suite.register_and_bond("val1", Role::Validator, 5_000);
        suite
    }

    pub fn addr(&self, name: &str) -> Addr {
        self.app.api().addr_make(name)
    }

    fn registry_exec(&mut self, who: &str, msg: &reg::ExecuteMsg) -> AppResponse {
        let sender = self.addr(who);
        self.app
            .execute_contract(sender, self.registry.clone(), msg, &[])
            .unwrap()
    }

    fn register_and_bond(&mut self, who: &str, role: Role, stake: u128) {
        self.registry_exec(
            who,
            &reg::ExecuteMsg::Register {
                moniker: who.into(),
                pubkey: None,
                region: "Frankfurt".into(),
                zone: "eu-west".into(),
                hardware: vec![Device {
                    vendor: "NVIDIA".into(),
                    name: "H100".into(),
                    compute_units: 132,
                    global_mem_bytes: Uint64::new(80_000_000_000),
                    max_clock_mhz: 1_980,
                    opencl_version: "OpenCL 3.0".into(),
                }],
                result_server_url: None,
                roles: vec![role],
            },
        );
        let sender = self.addr(who);
        self.app
            .execute_contract(
                sender,
                self.agpu.clone(),
                &Cw20ExecuteMsg::Send {
                    contract: self.registry.to_string(),
                    amount: Uint128::new(stake),
                    msg: to_json_binary(&reg::ReceiveMsg::Bond {}).unwrap(),
                },
                &[],
            )
            .unwrap();
    }

    /// Registers, bonds and benchmarks `who` as an active provider with
    /// verified `score` (tier by the registry's thresholds 100/200/400/800).
    pub fn provider(&mut self, who: &str, score: u64) {
        self.register_and_bond(who, Role::Provider, 1_000);
        let res = self.registry_exec(
            who,
            &reg::ExecuteMsg::RequestBenchmark {
                claimed_score: score,
            },
        );
        let challenge_id: u64 = attr(&res, "challenge_id").parse().unwrap();
        self.registry_exec(
            who,
            &reg::ExecuteMsg::SubmitBenchmarkResult {
                challenge_id,
                result_root: "ab".repeat(32),
            },
        );
        let provider = self.addr(who).to_string();
        self.registry_exec(
            "val1",
            &reg::ExecuteMsg::AttestBenchmark {
                provider,
                challenge_id,
                valid: true,
                measured_score: score,
            },
        );
    }

    /// `who` sets its roles (an empty list drops the provider role: its
    /// capacity leaves the tier until it takes the role again).
    pub fn set_roles(&mut self, who: &str, roles: Vec<Role>) {
        self.registry_exec(
            who,
            &reg::ExecuteMsg::UpdateProfile {
                moniker: None,
                pubkey: None,
                region: None,
                zone: None,
                result_server_url: None,
                roles: Some(roles),
            },
        );
    }

    /// Unbonds `who`'s whole stake: the provider leaves its tier's capacity.
    pub fn retire(&mut self, who: &str) {
        self.registry_exec(
            who,
            &reg::ExecuteMsg::Unbond {
                amount: Uint128::new(1_000),
            },
        );
    }

    pub fn exec(&mut self, sender: &Addr, msg: &ExecuteMsg) -> Res {
        self.app
            .execute_contract(sender.clone(), self.pricing.clone(), msg, &[])
    }

    pub fn demand(&mut self, tier: u8, units: u128) -> Res {
        let market = self.market.clone();
        self.exec(
            &market,
            &ExecuteMsg::RecordDemand {
                tier,
                units: Uint128::new(units),
            },
        )
    }

    pub fn poke(&mut self) -> Res {
        let anyone = self.addr("erin");
        self.exec(&anyone, &ExecuteMsg::Poke {})
    }

    pub fn update_params(&mut self, sender: &Addr, params: PricingParams) -> Res {
        self.exec(
            sender,
            &ExecuteMsg::UpdateConfig {
                governance: None,
                registry: None,
                reporters: None,
                params: Some(params),
            },
        )
    }

    pub fn next_epoch(&mut self) {
        self.advance(EPOCH);
    }

    pub fn advance(&mut self, seconds: u64) {
        self.app.update_block(|b| {
            b.time = b.time.plus_seconds(seconds);
            b.height += seconds.div_ceil(5).max(1);
        });
    }

    pub fn try_query<T: cosmwasm_schema::serde::de::DeserializeOwned>(
        &self,
        msg: &QueryMsg,
    ) -> cosmwasm_std::StdResult<T> {
        self.app.wrap().query_wasm_smart(self.pricing.clone(), msg)
    }

    pub fn query<T: cosmwasm_schema::serde::de::DeserializeOwned>(&self, msg: &QueryMsg) -> T {
        self.try_query(msg).unwrap()
    }

    pub fn prices(&self) -> PricesResponse {
        self.query(&QueryMsg::Prices {})
    }

    pub fn multiplier(&self, tier: u8) -> Decimal {
        self.prices().tiers[usize::from(tier) - 1].multiplier
    }

    pub fn history(
        &self,
        tier: u8,
        start_after: Option<u64>,
        limit: Option<u32>,
    ) -> Vec<EpochRecord> {
        let resp: PriceHistoryResponse = self.query(&QueryMsg::PriceHistory {
            tier,
            start_after,
            limit,
        });
        assert_eq!(resp.tier, tier);
        resp.epochs
    }

    pub fn utilization(&self, tier: u8) -> UtilizationResponse {
        self.query(&QueryMsg::Utilization { tier })
    }

    pub fn try_quote(
        &self,
        tier: u8,
        class: JobClass,
        units: u128,
        urgency: Urgency,
        verification: VerificationMode,
    ) -> cosmwasm_std::StdResult<QuoteResponse> {
        self.try_query(&QueryMsg::Quote {
            tier,
            class,
            units: Uint128::new(units),
            urgency,
            verification,
        })
    }
}

/// Asserts that the call failed with exactly `expected`.
#[track_caller]
pub fn assert_err(res: Res, expected: ContractError) {
    let error = res.expect_err("the call should have failed");
    // cw-multi-test wraps the contract's error as an ad-hoc anyhow error
    // under a context; anyhow downcasts through both.
    let found = error.downcast_ref::<ContractError>().or_else(|| {
        error
            .chain()
            .find_map(|e| e.downcast_ref::<ContractError>())
    });
    assert_eq!(found, Some(&expected), "full error: {error:?}");
}

pub fn attr(res: &AppResponse, key: &str) -> String {
    res.events
        .iter()
        .flat_map(|e| e.attributes.iter())
        .find(|a| a.key == key)
        .map(|a| a.value.clone())
        .unwrap_or_else(|| panic!("no attribute {key}"))
}
