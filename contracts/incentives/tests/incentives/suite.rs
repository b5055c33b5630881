//! The test harness: the whole system deployed by `starminer-multitest`,
//! with the incentives parameters below; the deployment makes incentives the
//! AGPU minter. The job market's address is the incentives reporter and an
//! authorized registry contract (so it can move reputations). Each helper
//! sends one message.

use std::str::FromStr;

use cosmwasm_std::{coins, Addr, Decimal, Uint128, Uint64};
use cw20::Cw20ExecuteMsg;
use cw_multi_test::App;
use incentives::ContractError;
use starminer_interfaces::incentives::{
    EmissionsResponse, EpochEmission, EpochInfo, ExecuteMsg, IncentivesParams,
    PendingRewardsResponse, QueryMsg, TotalsResponse,
};
use starminer_interfaces::market::VerificationMode;
use starminer_interfaces::registry::{self as reg, JobOutcome, Role};
pub use starminer_multitest::attr;
use starminer_multitest::{Addresses, Harness, Registration, Setup};

pub type Res = starminer_multitest::Res;

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
        let system = Setup::new()
            .config(|c| {
                c.incentives = self.params;
                c.registry = starminer_multitest::suite_registry_params();
                c.zones = vec!["eu-west".into()];
                c.oracles = vec![];
                c.agpu_cap = Uint128::new(self.cap);
            })
            .agpu("whale", self.genesis_supply)
            .native("governance", coins(1_000, NATIVE))
            .native("job-market", coins(1_000, NATIVE))
            .native("alice", coins(1_000, NATIVE))
            .deploy();
        let c = system.contracts;
        let mut suite = Suite {
            app: system.app,
            agpu: c.agpu.clone(),
            registry: c.registry.clone(),
            incentives: c.incentives.clone(),
            gov: c.governance.clone(),
            market: c.job_market.clone(),
            contracts: c,
        };
        // The deployment makes incentives the minter; governance may take
        // minting back.
        if !self.hand_over_minter {
            let gov = suite.gov.clone();
            suite.set_minter(&gov).unwrap();
        }
        suite
    }
}

pub struct Suite {
    pub app: App,
    pub agpu: Addr,
    pub registry: Addr,
    pub incentives: Addr,
    pub gov: Addr,
    pub market: Addr,
    contracts: Addresses,
}

starminer_multitest::impl_harness!(Suite);

impl Suite {
    pub fn new() -> Self {
        SuiteBuilder::new().build()
    }

    /// Governance, AGPU's minter once the builder kept it, hands minting
    /// to `minter`.
    pub fn set_minter(&mut self, minter: &Addr) -> Res {
        let (gov, agpu) = (self.gov.clone(), self.agpu.clone());
        let update = Cw20ExecuteMsg::UpdateMinter {
            new_minter: Some(minter.to_string()),
        };
        self.execute(&gov, &agpu, &update)
    }

    pub fn addr(&self, name: &str) -> Addr {
        Harness::addr(self, name)
    }

    pub fn exec(&mut self, sender: &Addr, msg: &ExecuteMsg) -> Res {
        let incentives = self.incentives.clone();
        self.execute(sender, &incentives, msg)
    }

    /// Registers `who` as a provider in the registry (reputation 5000).
    pub fn register(&mut self, who: &str) {
        let registration = Registration::new(who, "eu-west", vec![Role::Provider]);
        let who = self.addr(who);
        Harness::register(self, &who, &registration).unwrap();
    }

    /// The job market reports `n` successful jobs to the registry (each one
    /// moves reputation towards 10000 by α = 0.1).
    pub fn succeed(&mut self, who: &str, n: u32) {
        let provider = self.addr(who).to_string();
        let market = self.market.clone();
        for _ in 0..n {
            let outcome = reg::ExecuteMsg::RecordOutcome {
                provider: provider.clone(),
                outcome: JobOutcome::Success {
                    units: Uint64::new(1),
                },
            };
            self.registry_exec(&market, &outcome).unwrap();
        }
    }

    pub fn reputation(&self, who: &str) -> u32 {
        self.provider_of(&self.addr(who)).reputation
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
        Harness::advance(self, seconds);
    }

    pub fn query<T: cosmwasm_schema::serde::de::DeserializeOwned>(&self, msg: &QueryMsg) -> T {
        self.query_wasm(&self.incentives, msg)
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
        self.agpu_balance(&self.addr(who))
    }

    pub fn total_supply(&self) -> u128 {
        self.agpu_supply()
    }
}

/// Asserts that the call failed with exactly `expected`.
#[track_caller]
pub fn assert_err(res: Res, expected: ContractError) {
    starminer_multitest::assert_contract_err(res, expected);
}
