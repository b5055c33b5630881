//! The test harness: the whole system deployed by `starminer-multitest`,
//! with the pricing parameters below and a registry whose providers are
//! registered, bonded and benchmarked into tiers (the supply is the
//! registry's own `TierCapacity`). The job market's address is the pricing
//! reporter. Each helper sends one message.

use std::str::FromStr;

use cosmwasm_std::{coins, Addr, Decimal, Uint128};
use cw_multi_test::App;
use pricing::ContractError;
use starminer_interfaces::market::{JobClass, Urgency, VerificationMode};
use starminer_interfaces::pricing::{
    EpochRecord, ExecuteMsg, PriceHistoryResponse, PricesResponse, PricingParams, QueryMsg,
    QuoteResponse, TierPrices, UrgencyMultipliers, UtilizationResponse,
};
use starminer_interfaces::registry::{self as reg, Role};
pub use starminer_multitest::attr;
use starminer_multitest::{Addresses, Harness, Registration, Setup};

pub type Res = starminer_multitest::Res;

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
    #[allow(dead_code)]
    pub agpu: Addr,
    pub registry: Addr,
    pub pricing: Addr,
    pub gov: Addr,
    pub market: Addr,
    contracts: Addresses,
}

starminer_multitest::impl_harness!(Suite);

impl Suite {
    pub fn new() -> Self {
        Self::with_params(default_params())
    }

    pub fn with_params(params: PricingParams) -> Self {
        let mut setup = Setup::new().config(|c| {
            c.pricing = params;
            c.registry = starminer_multitest::suite_registry_params();
            c.zones = vec!["eu-west".into()];
            c.oracles = vec![];
            c.agpu_cap = Uint128::new(1_000_000_000_000);
        });
        for who in ACTORS {
            setup = setup.agpu(who, 100_000).native(who, coins(1_000, NATIVE));
        }
        let system = setup.deploy();
        let c = system.contracts;
        let mut suite = Suite {
            app: system.app,
            agpu: c.agpu.clone(),
            registry: c.registry.clone(),
            pricing: c.pricing.clone(),
            gov: c.governance.clone(),
            market: c.job_market.clone(),
            contracts: c,
        };
        // The benchmark attester.
        suite.register_and_bond("val1", Role::Validator, 5_000);
        suite
    }

    pub fn addr(&self, name: &str) -> Addr {
        Harness::addr(self, name)
    }

    fn register_and_bond(&mut self, who: &str, role: Role, stake: u128) {
        let registration = Registration::new(who, "eu-west", vec![role]);
        let who = self.addr(who);
        self.register_with_stake(&who, &registration, stake);
    }

    /// Registers, bonds and benchmarks `who` as an active provider with
    /// verified `score` (tier by the registry's thresholds 100/200/400/800).
    pub fn provider(&mut self, who: &str, score: u64) {
        self.register_and_bond(who, Role::Provider, 1_000);
        let who = self.addr(who);
        let challenge_id = self.request_benchmark(&who, score).unwrap();
        self.submit_benchmark(&who, challenge_id, &"ab".repeat(32))
            .unwrap();
        let val1 = self.addr("val1");
        self.attest_benchmark(&val1, &who, challenge_id, true, score)
            .unwrap();
    }

    /// `who` sets its roles (an empty list drops the provider role: its
    /// capacity leaves the tier until it takes the role again).
    pub fn set_roles(&mut self, who: &str, roles: Vec<Role>) {
        let who = self.addr(who);
        self.registry_exec(
            &who,
            &reg::ExecuteMsg::UpdateProfile {
                moniker: None,
                pubkey: None,
                region: None,
                zone: None,
                result_server_url: None,
                roles: Some(roles),
            },
        )
        .unwrap();
    }

    /// Unbonds `who`'s whole stake: the provider leaves its tier's capacity.
    pub fn retire(&mut self, who: &str) {
        let who = self.addr(who);
        self.registry_exec(
            &who,
            &reg::ExecuteMsg::Unbond {
                amount: Uint128::new(1_000),
            },
        )
        .unwrap();
    }

    pub fn exec(&mut self, sender: &Addr, msg: &ExecuteMsg) -> Res {
        let pricing = self.pricing.clone();
        self.execute(sender, &pricing, msg)
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
        Harness::advance(self, seconds);
    }

    pub fn try_query<T: cosmwasm_schema::serde::de::DeserializeOwned>(
        &self,
        msg: &QueryMsg,
    ) -> cosmwasm_std::StdResult<T> {
        self.try_query_wasm(&self.pricing, msg)
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
    starminer_multitest::assert_contract_err(res, expected);
}
