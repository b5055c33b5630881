//! The test harness: the whole system deployed by `starminer-multitest`,
//! with the registry parameters below, the job market's address as the one
//! authorized contract and a second token of AGPU's code that the registry
//! must refuse. Each helper sends one message, so tests read as a story.

use cosmwasm_std::{coins, Addr, Binary, Uint128};
use cw20::Cw20Coin;
use cw_multi_test::{App, Executor};
use registry::ContractError;
use starminer_interfaces::registry::{
    BeaconResponse, Challenge, ConfigResponse, Device, ExecuteMsg, JobOutcome, Params, Provider,
    ProvidersResponse, QueryMsg, ReceiveMsg, Role, StakeResponse, TotalsResponse,
    ValidatorTotalsResponse,
};
pub use starminer_multitest::{attr, HashChain as Chain};
use starminer_multitest::{Addresses, Beacon, Contract, Harness, Registration, Setup};

pub type Res = starminer_multitest::Res;

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

/// AGPU's cap (and the foreign token's).
const CAP: u128 = 1_000_000_000_000;

/// The suite's registry parameters (also the pricing and incentives suites').
pub fn default_params() -> Params {
    starminer_multitest::suite_registry_params()
}

pub fn gpu(units: u32) -> Device {
    starminer_multitest::gpu(80, units)
}

pub fn pubkey() -> Binary {
    let mut key = vec![0x02u8];
    key.extend([7u8; 32]);
    Binary::from(key)
}

pub struct Suite {
    pub app: App,
    /// Beacon hash chains of the validators the suite anchored.
    pub chains: Beacon,
    pub agpu: Addr,
    pub foreign: Addr,
    pub registry: Addr,
    pub gov: Addr,
    pub market: Addr,
    contracts: Addresses,
}

starminer_multitest::impl_harness!(Suite);

impl Suite {
    pub fn new() -> Self {
        Self::with_params(default_params())
    }

    pub fn with_params(params: Params) -> Self {
        let mut setup = Setup::new().config(|c| {
            c.registry = params;
            c.zones = vec!["eu-west".into(), "us-east".into(), "ap-south".into()];
            c.oracles = vec![];
            c.agpu_cap = Uint128::new(CAP);
        });
        for user in USERS {
            setup = setup
                .agpu(user, START_BALANCE)
                .native(user, coins(1_000, NATIVE));
        }
        let system = setup.deploy();
        let c = system.contracts;
        let gov = c.governance.clone();
        // Same code, different contract: a token the registry must refuse.
        let foreign = starminer_interfaces::agpu::InstantiateMsg {
            name: "FAKE token".into(),
            symbol: "FAKE".into(),
            initial_balances: USERS
                .iter()
                .map(|u| Cw20Coin {
                    address: starminer_multitest::account(u).to_string(),
                    amount: Uint128::new(START_BALANCE),
                })
                .collect(),
            minter: gov.to_string(),
            cap: Uint128::new(CAP),
            governance: gov.to_string(),
            marketing: None,
        };
        let mut app = system.app;
        let foreign = app
            .instantiate_contract(
                system.codes[&Contract::Agpu],
                gov.clone(),
                &foreign,
                &[],
                "fake",
                None,
            )
            .unwrap();
        let mut suite = Suite {
            app,
            chains: Beacon::default(),
            agpu: c.agpu.clone(),
            foreign,
            registry: c.registry.clone(),
            gov,
            market: c.job_market.clone(),
            contracts: c,
        };
        // The job market is the one contract these tests authorize.
        let market = suite.market.to_string();
        suite
            .gov(&ExecuteMsg::SetAuthorized {
                contracts: vec![market],
            })
            .unwrap();
        suite
    }

    pub fn addr(&self, name: &str) -> Addr {
        Harness::addr(self, name)
    }

    pub fn exec(&mut self, sender: &Addr, msg: &ExecuteMsg) -> Res {
        self.registry_exec(sender, msg)
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
        Registration {
            result_server_url: Some("https://rig.example:8443".into()),
            ..Registration::new("rig", zone, roles)
        }
        .msg()
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

    pub fn bond(&mut self, who: &str, amount: u128) -> Res {
        let who = self.addr(who);
        Harness::bond(self, &who, amount)
    }

    pub fn bond_foreign(&mut self, who: &str, amount: u128) -> Res {
        let (who, foreign, registry) =
            (self.addr(who), self.foreign.clone(), self.registry.clone());
        self.send_cw20(&foreign, &who, &registry, amount, &ReceiveMsg::Bond {})
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
        let who = self.addr(who);
        Harness::request_benchmark(self, &who, claimed_score)
    }

    pub fn submit_benchmark(&mut self, who: &str, challenge_id: u64) -> Res {
        let who = self.addr(who);
        Harness::submit_benchmark(self, &who, challenge_id, &"ab".repeat(32))
    }

    pub fn attest(
        &mut self,
        validator: &str,
        provider: &str,
        challenge_id: u64,
        valid: bool,
        measured_score: u64,
    ) -> Res {
        let (validator, provider) = (self.addr(validator), self.addr(provider));
        self.attest_benchmark(&validator, &provider, challenge_id, valid, measured_score)
    }

    /// The address whose secp256k1 key is `key` (as the SDK derives it).
    pub fn addr_of_key(&self, key: &Binary) -> Addr {
        let canonical = registry::validate::pubkey_address(key).unwrap();
        cosmwasm_std::Api::addr_humanize(self.app.api(), &canonical).unwrap()
    }

    /// Every seated validator.
    pub fn seated(&self) -> Vec<Addr> {
        self.seated_validators()
    }

    /// Gives every seated validator without one a beacon anchor.
    pub fn anchor_all(&mut self) {
        for v in self.seated() {
            if !self.chains.has_chain(&v) {
                let chain = Chain::new(v.as_str(), 200);
                self.chains
                    .anchor(&mut self.app, &self.registry, &v, chain)
                    .unwrap();
            }
        }
    }

    /// Moves the beacon `n` reveals on with the seated, anchored validators
    /// (anchoring any that are not), advancing the clock by an interval
    /// whenever none of them may reveal.
    pub fn advance_beacon(&mut self, n: u64) {
        self.anchor_all();
        let target = Harness::beacon(self).seq + n;
        let among = self.seated();
        let interval = self.config().params.duties.beacon_interval;
        self.chains
            .reveal_until(&mut self.app, &self.registry, &among, target, interval);
    }

    pub fn beacon(&self) -> BeaconResponse {
        Harness::beacon(self)
    }

    pub fn config(&self) -> ConfigResponse {
        self.registry_config()
    }

    pub fn advance(&mut self, seconds: u64) {
        Harness::advance(self, seconds);
    }

    pub fn query<T: cosmwasm_schema::serde::de::DeserializeOwned>(&self, msg: &QueryMsg) -> T {
        self.registry_query(msg)
    }

    pub fn provider(&self, who: &str) -> Provider {
        self.provider_of(&self.addr(who))
    }

    pub fn provider_at(&self, addr: &Addr) -> Provider {
        self.provider_of(addr)
    }

    pub fn stake(&self, who: &str) -> StakeResponse {
        self.stake_of(&self.addr(who))
    }

    pub fn totals(&self) -> TotalsResponse {
        self.query(&QueryMsg::Totals {})
    }

    pub fn validator_totals(&self) -> ValidatorTotalsResponse {
        self.query(&QueryMsg::ValidatorTotals {})
    }

    pub fn challenge(&self, challenge_id: u64) -> Challenge {
        Harness::challenge(self, challenge_id)
    }

    pub fn names(&self, resp: ProvidersResponse) -> Vec<Addr> {
        resp.providers.into_iter().map(|p| p.address).collect()
    }

    pub fn agpu_balance(&self, addr: &Addr) -> u128 {
        Harness::agpu_balance(self, addr)
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
    starminer_multitest::assert_err_message(res, expected);
}
