//! The test harness: a chain with the real AGPU token, the registry, a
//! governance address and a "job market" address that governance authorized.
//! Each helper sends one message, so tests read as a story.

use std::str::FromStr;

use cosmwasm_std::{coins, to_json_binary, Addr, Binary, Decimal, Empty, Uint128, Uint64};
use cw20::{BalanceResponse, Cw20Coin, Cw20ExecuteMsg, Cw20QueryMsg};
use cw_multi_test::{App, AppBuilder, AppResponse, Contract, ContractWrapper, Executor};
use registry::ContractError;
use starminer_interfaces::registry::{
    BeaconResponse, BenchmarkParams, Challenge, ConfigResponse, Device, ExecuteMsg, InstantiateMsg,
    JobOutcome, Limits, Params, Provider, ProvidersResponse, QueryMsg, ReceiveMsg,
    ReputationParams, Role, StakeResponse, TotalsResponse, ValidatorTotalsResponse,
    ValidatorsResponse,
};

pub type Res = anyhow::Result<AppResponse>;

pub const NATIVE: &str = "ustar";
pub const START_BALANCE: u128 = 1_000_000;
/// Everybody the tests talk about; each starts with AGPU and some native coins.
pub const USERS: &[&str] = &[
    "alice",
    "bob",
    "carol",
    "dave",
    "erin",
    "val1",
    "val2",
    "val3",
    "val4",
    "requester",
];

fn agpu_contract() -> Box<dyn Contract<Empty>> {
    Box::new(ContractWrapper::new(
        agpu_token::contract::execute,
        agpu_token::contract::instantiate,
        agpu_token::contract::query,
    ))
}

fn registry_contract() -> Box<dyn Contract<Empty>> {
    Box::new(
        ContractWrapper::new(
            registry::contract::execute,
            registry::contract::instantiate,
            registry::contract::query,
        )
        .with_migrate(registry::contract::migrate),
    )
}

pub fn default_params() -> Params {
    Params {
        min_provider_stake: Uint128::new(1_000),
        min_validator_stake: Uint128::new(5_000),
        unbonding_period: 100,
        max_pending_claims: 3,
        reputation: ReputationParams {
            alpha: Decimal::from_str("0.1").unwrap(),
            beta: Decimal::from_str("0.2").unwrap(),
            gamma: Decimal::from_str("0.5").unwrap(),
            floor: 2_000,
            benchmark_boost: 100,
        },
        jail_duration: 1_000,
        slash_beneficiary_share: Decimal::from_str("0.6").unwrap(),
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

pub fn gpu(units: u32) -> Device {
    Device {
        vendor: "NVIDIA".into(),
        name: "H100".into(),
        compute_units: units,
        global_mem_bytes: Uint64::new(80_000_000_000),
        max_clock_mhz: 1_980,
        opencl_version: "OpenCL 3.0".into(),
    }
}

pub fn pubkey() -> Binary {
    let mut key = vec![0x02u8];
    key.extend([7u8; 32]);
    Binary::from(key)
}

/// A hash chain for the beacon: `links[0]` is the secret, the last link the
/// anchor; reveals go down from the link below the anchor.
pub struct Chain {
    links: Vec<[u8; 32]>,
    next: usize,
}

impl Chain {
    pub fn new(secret: &str, n: usize) -> Self {
        use sha2::{Digest, Sha256};
        let mut links: Vec<[u8; 32]> = vec![Sha256::digest(secret.as_bytes()).into()];
        for i in 0..n {
            let next: [u8; 32] = Sha256::digest(links[i]).into();
            links.push(next);
        }
        Chain { links, next: n }
    }

    pub fn anchor(&self) -> String {
        hex::encode(self.links[self.next])
    }

    /// The next preimage to reveal.
    pub fn pop(&mut self) -> String {
        self.next -= 1;
        hex::encode(self.links[self.next])
    }
}

pub struct Suite {
    pub app: App,
    /// Beacon hash chains of the validators the suite anchored.
    pub chains: std::collections::HashMap<Addr, Chain>,
    pub agpu: Addr,
    pub foreign: Addr,
    pub registry: Addr,
    pub gov: Addr,
    pub market: Addr,
}

impl Suite {
    pub fn new() -> Self {
        Self::with_params(default_params())
    }

    pub fn with_params(params: Params) -> Self {
        let mut app = AppBuilder::new().build(|router, api, storage| {
            for user in USERS {
                router
                    .bank
                    .init_balance(storage, &api.addr_make(user), coins(1_000, NATIVE))
                    .unwrap();
            }
        });
        let gov = app.api().addr_make("governance");
        let market = app.api().addr_make("job-market");
        let balances: Vec<Cw20Coin> = USERS
            .iter()
            .map(|u| Cw20Coin {
                address: app.api().addr_make(u).to_string(),
                amount: Uint128::new(START_BALANCE),
            })
            .collect();
        let token_code = app.store_code(agpu_contract());
        let token_msg = |symbol: &str| starminer_interfaces::agpu::InstantiateMsg {
            name: format!("{symbol} token"),
            symbol: symbol.into(),
            initial_balances: balances.clone(),
            minter: gov.to_string(),
            cap: Uint128::new(1_000_000_000_000),
            governance: gov.to_string(),
            marketing: None,
        };
        let agpu = app
            .instantiate_contract(
                token_code,
                gov.clone(),
                &token_msg("AGPU"),
                &[],
                "agpu",
                None,
            )
            .unwrap();
        // Same code, different contract: a token the registry must refuse.
        let foreign = app
            .instantiate_contract(
                token_code,
                gov.clone(),
                &token_msg("FAKE"),
                &[],
                "fake",
                None,
            )
            .unwrap();
        let registry_code = app.store_code(registry_contract());
        let registry = app
            .instantiate_contract(
                registry_code,
                gov.clone(),
                &InstantiateMsg {
                    governance: gov.to_string(),
                    agpu_token: agpu.to_string(),
                    authorized: vec![market.to_string()],
                    zones: vec!["eu-west".into(), "us-east".into(), "ap-south".into()],
                    params,
                    oracles: vec![],
                },
                &[],
                "registry",
                Some(gov.to_string()),
            )
            .unwrap();
        Suite {
            app,
            chains: Default::default(),
            agpu,
            foreign,
            registry,
            gov,
            market,
        }
    }

    pub fn addr(&self, name: &str) -> Addr {
        self.app.api().addr_make(name)
    }

    pub fn exec(&mut self, sender: &Addr, msg: &ExecuteMsg) -> Res {
        self.app
            .execute_contract(sender.clone(), self.registry.clone(), msg, &[])
    }

    pub fn exec_as(&mut self, who: &str, msg: &ExecuteMsg) -> Res {
        let sender = self.addr(who);
        self.exec(&sender, msg)
    }

    pub fn gov(&mut self, msg: &ExecuteMsg) -> Res {
        let gov = self.gov.clone();
        self.exec(&gov, msg)
    }

    pub fn market(&mut self, msg: &ExecuteMsg) -> Res {
        let market = self.market.clone();
        self.exec(&market, msg)
    }

    pub fn register_msg(zone: &str, roles: Vec<Role>) -> ExecuteMsg {
        ExecuteMsg::Register {
            moniker: "rig".into(),
            pubkey: None,
            region: "Frankfurt".into(),
            zone: zone.into(),
            hardware: vec![gpu(132)],
            result_server_url: Some("https://rig.example:8443".into()),
            roles,
        }
    }

    pub fn register(&mut self, who: &str, zone: &str, roles: Vec<Role>) -> Res {
        self.exec_as(who, &Self::register_msg(zone, roles))
    }

    /// Registers as a provider in eu-west and bonds `stake`.
    pub fn provider_with_stake(&mut self, who: &str, stake: u128) {
        self.register(who, "eu-west", vec![Role::Provider]).unwrap();
        self.bond(who, stake).unwrap();
    }

    /// Registers as a validator in us-east and bonds `stake`.
    pub fn validator_with_stake(&mut self, who: &str, stake: u128) {
        self.register(who, "us-east", vec![Role::Validator])
            .unwrap();
        self.bond(who, stake).unwrap();
    }

    fn send_token(&mut self, token: Addr, who: &str, amount: u128, msg: Binary) -> Res {
        let sender = self.addr(who);
        self.app.execute_contract(
            sender,
            token,
            &Cw20ExecuteMsg::Send {
                contract: self.registry.to_string(),
                amount: Uint128::new(amount),
                msg,
            },
            &[],
        )
    }

    pub fn bond(&mut self, who: &str, amount: u128) -> Res {
        let msg = to_json_binary(&ReceiveMsg::Bond {}).unwrap();
        self.send_token(self.agpu.clone(), who, amount, msg)
    }

    pub fn bond_foreign(&mut self, who: &str, amount: u128) -> Res {
        let msg = to_json_binary(&ReceiveMsg::Bond {}).unwrap();
        self.send_token(self.foreign.clone(), who, amount, msg)
    }

    pub fn unbond(&mut self, who: &str, amount: u128) -> Res {
        self.exec_as(
            who,
            &ExecuteMsg::Unbond {
                amount: Uint128::new(amount),
            },
        )
    }

    pub fn claim(&mut self, who: &str) -> Res {
        self.exec_as(who, &ExecuteMsg::Claim {})
    }

    pub fn lock(&mut self, provider: &str, job_id: u64, amount: u128) -> Res {
        let provider = self.addr(provider).to_string();
        self.market(&ExecuteMsg::LockCollateral {
            provider,
            job_id,
            amount: Uint128::new(amount),
        })
    }

    pub fn unlock(&mut self, provider: &str, job_id: u64) -> Res {
        let provider = self.addr(provider).to_string();
        self.market(&ExecuteMsg::UnlockCollateral { provider, job_id })
    }

    pub fn slash(
        &mut self,
        provider: &str,
        job_id: Option<u64>,
        amount: u128,
        beneficiary: Option<&str>,
    ) -> Res {
        let msg = ExecuteMsg::Slash {
            provider: self.addr(provider).to_string(),
            job_id,
            amount: Uint128::new(amount),
            beneficiary: beneficiary.map(|b| self.addr(b).to_string()),
        };
        self.market(&msg)
    }

    pub fn record(&mut self, provider: &str, outcome: JobOutcome) -> Res {
        let provider = self.addr(provider).to_string();
        self.market(&ExecuteMsg::RecordOutcome { provider, outcome })
    }

    pub fn request_benchmark(&mut self, who: &str, claimed_score: u64) -> anyhow::Result<u64> {
        let res = self.exec_as(who, &ExecuteMsg::RequestBenchmark { claimed_score })?;
        Ok(attr(&res, "challenge_id").parse()?)
    }

    pub fn submit_benchmark(&mut self, who: &str, challenge_id: u64) -> Res {
        self.exec_as(
            who,
            &ExecuteMsg::SubmitBenchmarkResult {
                challenge_id,
                result_root: "ab".repeat(32),
            },
        )
    }

    pub fn attest(
        &mut self,
        validator: &str,
        provider: &str,
        challenge_id: u64,
        valid: bool,
        measured_score: u64,
    ) -> Res {
        let provider = self.addr(provider).to_string();
        self.exec_as(
            validator,
            &ExecuteMsg::AttestBenchmark {
                provider,
                challenge_id,
                valid,
                measured_score,
            },
        )
    }

    /// The address whose secp256k1 key is `key` (as the SDK derives it).
    pub fn addr_of_key(&self, key: &Binary) -> Addr {
        let canonical = registry::validate::pubkey_address(key).unwrap();
        cosmwasm_std::Api::addr_humanize(self.app.api(), &canonical).unwrap()
    }

    /// Every seated validator.
    pub fn seated(&self) -> Vec<Addr> {
        let v: ValidatorsResponse = self.query(&QueryMsg::Validators {
            start_after: None,
            limit: Some(100),
        });
        v.validators.into_iter().map(|v| v.address).collect()
    }

    /// Gives every seated validator without one a beacon anchor.
    pub fn anchor_all(&mut self) {
        for v in self.seated() {
            if self.chains.contains_key(&v) {
                continue;
            }
            let chain = Chain::new(v.as_str(), 200);
            let anchor = chain.anchor();
            self.exec(&v, &ExecuteMsg::SetBeaconAnchor { anchor })
                .unwrap();
            self.chains.insert(v, chain);
        }
    }

    /// Moves the beacon `n` reveals on with the seated, anchored validators
    /// (anchoring any that are not), advancing the clock by an interval
    /// whenever none of them may reveal.
    pub fn advance_beacon(&mut self, n: u64) {
        self.anchor_all();
        let target = self.beacon().seq + n;
        let mut idle = 0;
        while self.beacon().seq < target {
            let mut moved = false;
            for v in self.seated() {
                let Some(chain) = self.chains.get(&v) else {
                    continue;
                };
                let mut probe = Chain {
                    links: chain.links.clone(),
                    next: chain.next,
                };
                let preimage = probe.pop();
                if self
                    .exec(&v, &ExecuteMsg::RevealBeacon { preimage })
                    .is_ok()
                {
                    self.chains.get_mut(&v).unwrap().pop();
                    moved = true;
                    break;
                }
            }
            if !moved {
                idle += 1;
                assert!(idle < 20, "the beacon is stuck");
                let interval = self.config().params.duties.beacon_interval;
                self.advance(interval);
            }
        }
    }

    pub fn beacon(&self) -> BeaconResponse {
        self.query(&QueryMsg::Beacon {})
    }

    pub fn config(&self) -> ConfigResponse {
        self.query(&QueryMsg::Config {})
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
            .query_wasm_smart(self.registry.clone(), msg)
            .unwrap()
    }

    pub fn provider(&self, who: &str) -> Provider {
        self.query(&QueryMsg::Provider {
            address: self.addr(who).to_string(),
        })
    }

    pub fn provider_at(&self, addr: &Addr) -> Provider {
        self.query(&QueryMsg::Provider {
            address: addr.to_string(),
        })
    }

    pub fn stake(&self, who: &str) -> StakeResponse {
        self.query(&QueryMsg::Stake {
            address: self.addr(who).to_string(),
        })
    }

    pub fn totals(&self) -> TotalsResponse {
        self.query(&QueryMsg::Totals {})
    }

    pub fn validator_totals(&self) -> ValidatorTotalsResponse {
        self.query(&QueryMsg::ValidatorTotals {})
    }

    pub fn challenge(&self, challenge_id: u64) -> Challenge {
        self.query(&QueryMsg::Challenge { challenge_id })
    }

    pub fn names(&self, resp: ProvidersResponse) -> Vec<Addr> {
        resp.providers.into_iter().map(|p| p.address).collect()
    }

    pub fn agpu_balance(&self, addr: &Addr) -> u128 {
        let resp: BalanceResponse = self
            .app
            .wrap()
            .query_wasm_smart(
                self.agpu.clone(),
                &Cw20QueryMsg::Balance {
                    address: addr.to_string(),
                },
            )
            .unwrap();
        resp.balance.u128()
    }

    pub fn balance_of(&self, who: &str) -> u128 {
        self.agpu_balance(&self.addr(who))
    }
}

/// Asserts that the call failed with exactly `expected` (also when the
/// registry was reached through the token's `Send`). cw-multi-test keeps only
/// the message of a contract error, so the messages are compared; every
/// variant's message carries its fields.
#[track_caller]
pub fn assert_err(res: Res, expected: ContractError) {
    let error = res.expect_err("the call should have failed");
    assert_eq!(
        error.root_cause().to_string(),
        expected.to_string(),
        "full error: {error:?}"
    );
}

pub fn attr(res: &AppResponse, key: &str) -> String {
    res.events
        .iter()
        .flat_map(|e| e.attributes.iter())
        .find(|a| a.key == key)
        .map(|a| a.value.clone())
        .unwrap_or_else(|| panic!("no attribute {key}"))
}
