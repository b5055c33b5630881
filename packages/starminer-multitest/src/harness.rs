//! What a suite does on the chain whatever its contract: accounts, the
//! clock, AGPU, the registry's records, bonds and benchmarks.

use cosmwasm_std::{to_json_binary, Addr, Binary, StdResult, Timestamp, Uint128, Uint64};
use cw20::{BalanceResponse, Cw20ExecuteMsg, Cw20QueryMsg, MinterResponse, TokenInfoResponse};
use cw_multi_test::{App, Executor};
use serde::de::DeserializeOwned;
use serde::Serialize;
use starminer_deploy::Addresses;
use starminer_interfaces::registry::{
    BeaconResponse, Challenge, ConfigResponse, Device, ExecuteMsg as RegistryMsg, Provider,
    QueryMsg as RegistryQuery, ReceiveMsg, Role, StakeResponse, ValidatorsResponse,
};

use crate::errors::attr;
use crate::system::named;
use crate::Res;

/// An NVIDIA H100-like device with `mem_gb` GB and `units` compute units.
pub fn gpu(mem_gb: u64, units: u32) -> Device {
    Device {
        vendor: "NVIDIA".into(),
        name: "H100".into(),
        compute_units: units,
        global_mem_bytes: Uint64::new(mem_gb * 1_000_000_000),
        max_clock_mhz: 1_980,
        opencl_version: "OpenCL 3.0".into(),
    }
}

/// A registry `Register` message, field by field.
#[derive(Clone, Debug)]
pub struct Registration {
    pub moniker: String,
    pub pubkey: Option<Binary>,
    pub region: String,
    pub zone: String,
    pub hardware: Vec<Device>,
    pub result_server_url: Option<String>,
    pub roles: Vec<Role>,
}

impl Registration {
    /// One 80 GB, 132-unit GPU in Frankfurt, no key, no result server.
    pub fn new(moniker: &str, zone: &str, roles: Vec<Role>) -> Self {
        Registration {
            moniker: moniker.into(),
            pubkey: None,
            region: "Frankfurt".into(),
            zone: zone.into(),
            hardware: vec![gpu(80, 132)],
            result_server_url: None,
            roles,
        }
    }

    pub fn msg(&self) -> RegistryMsg {
        RegistryMsg::Register {
            moniker: self.moniker.clone(),
            pubkey: self.pubkey.clone(),
            region: self.region.clone(),
            zone: self.zone.clone(),
            hardware: self.hardware.clone(),
            result_server_url: self.result_server_url.clone(),
            roles: self.roles.clone(),
        }
    }
}

/// Moves the clock `seconds` on, and the height one block per started five
/// seconds (at least one).
pub(crate) fn advance(app: &mut App, seconds: u64) {
    app.update_block(|b| {
        b.time = b.time.plus_seconds(seconds);
        b.height += seconds.div_ceil(5).max(1);
    });
}

/// A suite on the deployed system: it lends its app and the contracts'
/// addresses and gets every helper here. Suites keep `app` a field of their
/// own so that tests can borrow it beside the suite's other fields.
pub trait Harness {
    fn app(&self) -> &App;
    fn app_mut(&mut self) -> &mut App;
    fn contracts(&self) -> &Addresses;

    /// The address a test calls `name` (see [`named`]).
    fn addr(&self, name: &str) -> Addr {
        named(self.contracts(), name)
    }

    fn advance(&mut self, seconds: u64) {
        advance(self.app_mut(), seconds);
    }

    fn now(&self) -> Timestamp {
        self.app().block_info().time
    }

    /// `sender` executes `msg` on `contract` without funds.
    fn execute<M: Serialize + std::fmt::Debug>(
        &mut self,
        sender: &Addr,
        contract: &Addr,
        msg: &M,
    ) -> Res {
        self.app_mut()
            .execute_contract(sender.clone(), contract.clone(), msg, &[])
    }

    fn try_query_wasm<T: DeserializeOwned, M: Serialize>(
        &self,
        contract: &Addr,
        msg: &M,
    ) -> StdResult<T> {
        self.app().wrap().query_wasm_smart(contract, msg)
    }

    /// A smart query that must succeed.
    fn query_wasm<T: DeserializeOwned, M: Serialize>(&self, contract: &Addr, msg: &M) -> T {
        self.try_query_wasm(contract, msg).unwrap()
    }

    // ---- AGPU ----------------------------------------------------------------

    fn agpu_balance(&self, owner: &Addr) -> u128 {
        let agpu = self.contracts().agpu.clone();
        let resp: BalanceResponse = self.query_wasm(
            &agpu,
            &Cw20QueryMsg::Balance {
                address: owner.to_string(),
            },
        );
        resp.balance.u128()
    }

    fn agpu_supply(&self) -> u128 {
        let agpu = self.contracts().agpu.clone();
        let resp: TokenInfoResponse = self.query_wasm(&agpu, &Cw20QueryMsg::TokenInfo {});
        resp.total_supply.u128()
    }

    /// Mints `amount` AGPU to `to`, sent by whoever is the minter now.
    fn mint_agpu(&mut self, to: &Addr, amount: u128) -> Res {
        let agpu = self.contracts().agpu.clone();
        let minter: Option<MinterResponse> = self.query_wasm(&agpu, &Cw20QueryMsg::Minter {});
        let minter = Addr::unchecked(minter.expect("AGPU has a minter").minter);
        let mint = Cw20ExecuteMsg::Mint {
            recipient: to.to_string(),
            amount: Uint128::new(amount),
        };
        self.execute(&minter, &agpu, &mint)
    }

    /// `from` sends `amount` of the cw20 `token` to `contract` with the hook
    /// message `msg`.
    fn send_cw20<M: Serialize>(
        &mut self,
        token: &Addr,
        from: &Addr,
        contract: &Addr,
        amount: u128,
        msg: &M,
    ) -> Res {
        let send = Cw20ExecuteMsg::Send {
            contract: contract.to_string(),
            amount: Uint128::new(amount),
            msg: to_json_binary(msg)?,
        };
        self.execute(from, token, &send)
    }

    /// `from` sends `amount` AGPU to `contract` with the hook message `msg`.
    fn send_agpu<M: Serialize>(
        &mut self,
        from: &Addr,
        contract: &Addr,
        amount: u128,
        msg: &M,
    ) -> Res {
        let agpu = self.contracts().agpu.clone();
        self.send_cw20(&agpu, from, contract, amount, msg)
    }

    // ---- registry ------------------------------------------------------------

    fn registry_exec(&mut self, sender: &Addr, msg: &RegistryMsg) -> Res {
        let registry = self.contracts().registry.clone();
        self.execute(sender, &registry, msg)
    }

    fn registry_query<T: DeserializeOwned>(&self, msg: &RegistryQuery) -> T {
        self.query_wasm(&self.contracts().registry, msg)
    }

    fn register(&mut self, who: &Addr, registration: &Registration) -> Res {
        self.registry_exec(who, &registration.msg())
    }

    /// `who` bonds `amount` AGPU in the registry.
    fn bond(&mut self, who: &Addr, amount: u128) -> Res {
        let registry = self.contracts().registry.clone();
        self.send_agpu(who, &registry, amount, &ReceiveMsg::Bond {})
    }

    /// Registers `who` and bonds `stake`; both must succeed.
    fn register_with_stake(&mut self, who: &Addr, registration: &Registration, stake: u128) {
        self.register(who, registration).unwrap();
        self.bond(who, stake).unwrap();
    }

    fn stake_of(&self, who: &Addr) -> StakeResponse {
        self.registry_query(&RegistryQuery::Stake {
            address: who.to_string(),
        })
    }

    fn provider_of(&self, who: &Addr) -> Provider {
        self.registry_query(&RegistryQuery::Provider {
            address: who.to_string(),
        })
    }

    fn registry_config(&self) -> ConfigResponse {
        self.registry_query(&RegistryQuery::Config {})
    }

    /// The registry beacon's head.
    fn beacon(&self) -> BeaconResponse {
        self.registry_query(&RegistryQuery::Beacon {})
    }

    /// The seated validators, in the registry's order (at most 100).
    fn seated_validators(&self) -> Vec<Addr> {
        let v: ValidatorsResponse = self.registry_query(&RegistryQuery::Validators {
            start_after: None,
            limit: Some(100),
        });
        v.validators.into_iter().map(|v| v.address).collect()
    }

    /// `who` asks for a benchmark claiming `score`; returns the challenge id.
    fn request_benchmark(&mut self, who: &Addr, score: u64) -> anyhow::Result<u64> {
        let res = self.registry_exec(
            who,
            &RegistryMsg::RequestBenchmark {
                claimed_score: score,
            },
        )?;
        Ok(attr(&res, "challenge_id").parse()?)
    }

    /// `who` answers its benchmark challenge with the Merkle root `root`.
    fn submit_benchmark(&mut self, who: &Addr, challenge_id: u64, root: &str) -> Res {
        self.registry_exec(
            who,
            &RegistryMsg::SubmitBenchmarkResult {
                challenge_id,
                result_root: root.into(),
            },
        )
    }

    fn attest_benchmark(
        &mut self,
        validator: &Addr,
        provider: &Addr,
        challenge_id: u64,
        valid: bool,
        measured_score: u64,
    ) -> Res {
        self.registry_exec(
            validator,
            &RegistryMsg::AttestBenchmark {
                provider: provider.to_string(),
                challenge_id,
                valid,
                measured_score,
            },
        )
    }

    fn challenge(&self, challenge_id: u64) -> Challenge {
        self.registry_query(&RegistryQuery::Challenge { challenge_id })
    }
}
