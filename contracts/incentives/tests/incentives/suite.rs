//! The test harness: a chain with the real AGPU token, the real registry and
//! the incentives contract, which governance made the AGPU minter. A "job
//! market" address is the incentives reporter and an authorized registry
//! contract (so it can move reputations). Each helper sends one message.

use std::str::FromStr;

use cosmwasm_std::{coins, Addr, Decimal, Empty, Uint128, Uint64};
use cw20::{BalanceResponse, Cw20Coin, Cw20ExecuteMsg, Cw20QueryMsg, TokenInfoResponse};
use cw_multi_test::{App, AppBuilder, AppResponse, Contract, ContractWrapper, Executor};
use incentives::ContractError;
use starminer_interfaces::incentives::{
    EmissionsResponse, EpochEmission, EpochInfo, ExecuteMsg, IncentivesParams, InstantiateMsg,
    PendingRewardsResponse, QueryMsg, TotalsResponse,
};
use starminer_interfaces::market::VerificationMode;
use starminer_interfaces::registry::{
    self as reg, BenchmarkParams, Device, JobOutcome, Limits, ReputationParams, Role,
};

pub type Res = anyhow::Result<AppResponse>;

pub const EPOCH: u64 = 3_600;
pub const NATIVE: &str = "ustar";
/// Default AGPU cap: far above anything the tests emit.
pub const BIG_CAP: u128 = 1_000_000_000_000_000;

pub fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

pub fn default_params() -> IncentivesParams {
    IncentivesParams {
        epoch_length: EPOCH,
        initial_emission: Uint128::new(1_000_000),
        decay: dec("0.9"),
        verifier_share: dec("0.2"),
        max_epochs_per_claim: 3,
        reward_per_fee: dec("0.5"),
        unverified_weight: Decimal::zero(),
    }
}

/// A protocol fee large enough that the fee bound never binds in the tests
/// of the emission schedule and split.
pub const AMPLE_FEE: u128 = 1_000_000_000_000_000;

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

fn incentives_contract() -> Box<dyn Contract<Empty>> {
    Box::new(
        ContractWrapper::new(
            incentives::contract::execute,
            incentives::contract::instantiate,
            incentives::contract::query,
        )
        .with_migrate(incentives::contract::migrate),
    )
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

pub struct SuiteBuilder {
    params: IncentivesParams,
    cap: u128,
    /// Supply minted to "whale" at genesis (to bring the cap close).
    genesis_supply: u128,
    hand_over_minter: bool,
}

impl SuiteBuilder {
    pub fn new() -> Self {
        SuiteBuilder {
            params: default_params(),
            cap: BIG_CAP,
            genesis_supply: 1_000,
            hand_over_minter: true,
        }
    }

    pub fn params(mut self, f: impl FnOnce(&mut IncentivesParams)) -> Self {
        f(&mut self.params);
        self
    }

    /// A token with `room` uagpu left under its cap.
    pub fn cap_room(mut self, room: u128) -> Self {
        self.cap = self.genesis_supply + room;
        self
    }

    pub fn keep_governance_minter(mut self) -> Self {
        self.hand_over_minter = false;
        self
    }

    pub fn build(self) -> Suite {
        let mut app = AppBuilder::new().build(|router, api, storage| {
            for who in ["governance", "job-market", "alice"] {
                router
                    .bank
                    .init_balance(storage, &api.addr_make(who), coins(1_000, NATIVE))
                    .unwrap();
            }
        });
        let gov = app.api().addr_make("governance");
        let market = app.api().addr_make("job-market");
        let token_code = app.store_code(agpu_contract());
        let agpu = app
            .instantiate_contract(
                token_code,
                gov.clone(),
                &starminer_interfaces::agpu::InstantiateMsg {
                    name: "AGPU token".into(),
                    symbol: "AGPU".into(),
                    initial_balances: vec![Cw20Coin {
                        address: app.api().addr_make("whale").to_string(),
                        amount: Uint128::new(self.genesis_supply),
                    }],
                    minter: gov.to_string(),
                    cap: Uint128::new(self.cap),
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
        let code = app.store_code(incentives_contract());
        let incentives = app
            .instantiate_contract(
                code,
                gov.clone(),
                &InstantiateMsg {
                    governance: gov.to_string(),
                    agpu_token: agpu.to_string(),
                    registry: registry.to_string(),
                    reporters: vec![market.to_string()],
                    params: self.params,
                },
                &[],
                "incentives",
                Some(gov.to_string()),
            )
            .unwrap();
        if self.hand_over_minter {
            app.execute_contract(
                gov.clone(),
                agpu.clone(),
                &Cw20ExecuteMsg::UpdateMinter {
                    new_minter: Some(incentives.to_string()),
                },
                &[],
            )
            .unwrap();
        }
        Suite {
            app,
            agpu,
            registry,
            incentives,
            gov,
            market,
        }
    }
}

pub struct Suite {
    pub app: App,
    pub agpu: Addr,
    pub registry: Addr,
    pub incentives: Addr,
    pub gov: Addr,
    pub market: Addr,
}

impl Suite {
    pub fn new() -> Self {
        SuiteBuilder::new().build()
    }

    pub fn addr(&self, name: &str) -> Addr {
        self.app.api().addr_make(name)
    }

    pub fn exec(&mut self, sender: &Addr, msg: &ExecuteMsg) -> Res {
        self.app
            .execute_contract(sender.clone(), self.incentives.clone(), msg, &[])
    }

    /// Registers `who` as a provider in the registry (reputation 5000).
    pub fn register(&mut self, who: &str) {
        let sender = self.addr(who);
        self.app
            .execute_contract(
                sender,
                self.registry.clone(),
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
                    roles: vec![Role::Provider],
                },
                &[],
            )
            .unwrap();
    }

    /// The job market reports `n` successful jobs to the registry (each one
    /// moves reputation towards 10000 by α = 0.1).
    pub fn succeed(&mut self, who: &str, n: u32) {
        let provider = self.addr(who).to_string();
        for _ in 0..n {
            self.app
                .execute_contract(
                    self.market.clone(),
                    self.registry.clone(),
                    &reg::ExecuteMsg::RecordOutcome {
                        provider: provider.clone(),
                        outcome: JobOutcome::Success {
                            units: Uint64::new(1),
                        },
                    },
                    &[],
                )
                .unwrap();
        }
    }

    pub fn reputation(&self, who: &str) -> u32 {
        let p: reg::Provider = self
            .app
            .wrap()
            .query_wasm_smart(
                self.registry.clone(),
                &reg::QueryMsg::Provider {
                    address: self.addr(who).to_string(),
                },
            )
            .unwrap();
        p.reputation
    }

    /// A verified (SpotCheck) job of `provider` without verifiers, whose
    /// protocol fee is ample: the fee bound does not bind.
    pub fn work(&mut self, provider: &str, units: u128) -> Res {
        self.settle(provider, units, AMPLE_FEE, &[])
    }

    /// The job market reports a settled SpotCheck job.
    pub fn settle(&mut self, provider: &str, units: u128, fee: u128, verifiers: &[&str]) -> Res {
        self.settle_mode(
            provider,
            units,
            fee,
            VerificationMode::SpotCheck {
                verifiers: verifiers.len() as u8,
            },
            verifiers,
        )
    }

    pub fn settle_mode(
        &mut self,
        provider: &str,
        units: u128,
        fee: u128,
        verification: VerificationMode,
        verifiers: &[&str],
    ) -> Res {
        let msg = ExecuteMsg::RecordSettlement {
            provider: self.addr(provider).to_string(),
            units: Uint128::new(units),
            protocol_fee: Uint128::new(fee),
            verification,
            verifiers: verifiers.iter().map(|v| self.addr(v).to_string()).collect(),
        };
        let market = self.market.clone();
        self.exec(&market, &msg)
    }

    /// The legacy report without a fee: weight but no fee credit.
    pub fn legacy_work(&mut self, provider: &str, units: u128) -> Res {
        let msg = ExecuteMsg::RecordWork {
            provider: self.addr(provider).to_string(),
            units: Uint128::new(units),
        };
        let market = self.market.clone();
        self.exec(&market, &msg)
    }

    pub fn claim(&mut self, who: &str) -> Res {
        let sender = self.addr(who);
        self.exec(&sender, &ExecuteMsg::Claim {})
    }

    pub fn update_params(&mut self, sender: &Addr, params: IncentivesParams) -> Res {
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

    /// Moves the clock into the next epoch.
    pub fn next_epoch(&mut self) {
        self.advance(EPOCH);
    }

    pub fn advance(&mut self, seconds: u64) {
        self.app.update_block(|b| {
            b.time = b.time.plus_seconds(seconds);
            b.height += seconds.div_ceil(5).max(1);
        });
    }

    pub fn query<T: cosmwasm_schema::serde::de::DeserializeOwned>(&self, msg: &QueryMsg) -> T {
        self.app
            .wrap()
            .query_wasm_smart(self.incentives.clone(), msg)
            .unwrap()
    }

    pub fn current_epoch(&self) -> EpochInfo {
        self.query(&QueryMsg::CurrentEpoch {})
    }

    pub fn emissions(&self, start_after: Option<u64>, limit: Option<u32>) -> Vec<EpochEmission> {
        let resp: EmissionsResponse = self.query(&QueryMsg::Emissions { start_after, limit });
        resp.epochs
    }

    pub fn epoch(&self, epoch: u64) -> EpochEmission {
        self.emissions(epoch.checked_sub(1), Some(1))
            .into_iter()
            .find(|e| e.epoch == epoch)
            .unwrap_or_else(|| panic!("epoch {epoch} has no emission record"))
    }

    pub fn pending(&self, who: &str) -> PendingRewardsResponse {
        self.query(&QueryMsg::PendingRewards {
            address: self.addr(who).to_string(),
        })
    }

    pub fn totals(&self) -> TotalsResponse {
        self.query(&QueryMsg::Totals {})
    }

    pub fn balance(&self, who: &str) -> u128 {
        let resp: BalanceResponse = self
            .app
            .wrap()
            .query_wasm_smart(
                self.agpu.clone(),
                &Cw20QueryMsg::Balance {
                    address: self.addr(who).to_string(),
                },
            )
            .unwrap();
        resp.balance.u128()
    }

    pub fn total_supply(&self) -> u128 {
        let resp: TokenInfoResponse = self
            .app
            .wrap()
            .query_wasm_smart(self.agpu.clone(), &Cw20QueryMsg::TokenInfo {})
            .unwrap();
        resp.total_supply.u128()
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
