//! The app and the deployed system.

use std::collections::BTreeMap;

use anyhow::{bail, Result};
use cosmwasm_std::{Addr, Binary, Checksum, Coin, Empty, WasmMsg};
use cw20::Cw20Coin;
use cw_multi_test::{
    App, AppBuilder, ChecksumGenerator, ContractWrapper, Executor, IntoAddr, WasmKeeper,
};
use starminer_deploy::{deploy, Addresses, Contract, DeployConfig, DeployTarget, UNIT};

/// The account that stores the codes and instantiates the contracts.
pub const DEPLOYER: &str = "deployer";

/// The `MockApi` (bech32, prefix `cosmwasm`) address of the account `name`.
pub fn account(name: &str) -> Addr {
    name.into_addr()
}

/// The name a test gives each contract of the system.
fn contract_name(contract: Contract) -> &'static str {
    match contract {
        Contract::Amax => "amax",
        Contract::Governance => "governance",
        Contract::Agpu => "agpu",
        Contract::Registry => "registry",
        Contract::Pricing => "pricing",
        Contract::Incentives => "incentives",
        Contract::JobMarket => "job-market",
    }
}

/// The address a test means by `name`: the deployed contract of that name
/// (`governance`, `job-market`, `agpu`, ...), otherwise the account.
pub fn named(contracts: &Addresses, name: &str) -> Addr {
    Contract::ORDER
        .into_iter()
        .find(|c| contract_name(*c) == name)
        .map(|c| contracts.of(c).clone())
        .unwrap_or_else(|| account(name))
}

/// The native (multi-test) code of a contract, with every entry point it has.
pub fn code(contract: Contract) -> Box<dyn cw_multi_test::Contract<Empty>> {
    match contract {
        Contract::Amax => Box::new(
            ContractWrapper::new(
                amax_token::contract::execute,
                amax_token::contract::instantiate,
                amax_token::contract::query,
            )
            .with_migrate(amax_token::contract::migrate),
        ),
        Contract::Governance => Box::new(
            ContractWrapper::new(
                governance::contract::execute,
                governance::contract::instantiate,
                governance::contract::query,
            )
            .with_reply(governance::contract::reply)
            .with_migrate(governance::contract::migrate),
        ),
        Contract::Agpu => Box::new(
            ContractWrapper::new(
                agpu_token::contract::execute,
                agpu_token::contract::instantiate,
                agpu_token::contract::query,
            )
            .with_migrate(agpu_token::contract::migrate),
        ),
        Contract::Registry => Box::new(
            ContractWrapper::new(
                registry::contract::execute,
                registry::contract::instantiate,
                registry::contract::query,
            )
            .with_migrate(registry::contract::migrate),
        ),
        Contract::Pricing => Box::new(
            ContractWrapper::new(
                pricing::contract::execute,
                pricing::contract::instantiate,
                pricing::contract::query,
            )
            .with_migrate(pricing::contract::migrate),
        ),
        Contract::Incentives => Box::new(
            ContractWrapper::new(
                incentives::contract::execute,
                incentives::contract::instantiate,
                incentives::contract::query,
            )
            .with_migrate(incentives::contract::migrate),
        ),
        Contract::JobMarket => Box::new(
            ContractWrapper::new(
                job_market::contract::execute,
                job_market::contract::instantiate,
                job_market::contract::query,
            )
            .with_reply(job_market::contract::reply)
            .with_migrate(job_market::contract::migrate),
        ),
    }
}

/// Native codes have no bytes: code `id` stands for these, and its checksum
/// (which instantiate2 addresses derive from) is their hash, on the app as
/// in the deployment plan's address prediction.
fn code_bytes(code_id: u64) -> Vec<u8> {
    format!("starminer-multitest code {code_id}").into_bytes()
}

struct CodeChecksums;

impl ChecksumGenerator for CodeChecksums {
    fn checksum(&self, _creator: &Addr, code_id: u64) -> Checksum {
        Checksum::generate(&code_bytes(code_id))
    }
}

/// The app as a [`DeployTarget`]: the deployer sends everything.
struct Target<'a> {
    app: &'a mut App,
    deployer: Addr,
}

impl DeployTarget for Target<'_> {
    fn deployer(&self) -> Addr {
        self.deployer.clone()
    }

    fn store_code(&mut self, contract: Contract, wasm: &[u8]) -> Result<u64> {
        let code_id = self
            .app
            .store_code_with_creator(self.deployer.clone(), code(contract));
        if wasm != code_bytes(code_id) {
            bail!(
                "{} stored as code {code_id}, out of order",
                contract.label()
            );
        }
        Ok(code_id)
    }

    fn instantiate2(
        &mut self,
        code_id: u64,
        msg: Binary,
        label: &str,
        admin: &Addr,
        salt: &[u8],
    ) -> Result<Addr> {
        let instantiate = WasmMsg::Instantiate2 {
            admin: Some(admin.to_string()),
            code_id,
            label: label.into(),
            msg,
            funds: vec![],
            salt: Binary::from(salt),
        };
        let res = self
            .app
            .execute(self.deployer.clone(), instantiate.into())?;
        let data = cw_utils::parse_instantiate_response_data(&res.data.unwrap_or_default())?;
        Ok(Addr::unchecked(data.contract_address))
    }

    fn execute(&mut self, contract: &Addr, msg: Binary) -> Result<()> {
        let execute = WasmMsg::Execute {
            contract_addr: contract.to_string(),
            msg,
            funds: vec![],
        };
        self.app.execute(self.deployer.clone(), execute.into())?;
        Ok(())
    }
}

/// A deployment to make: [`DeployConfig::devnet`] (the parameters of
/// `starminer_deploy::params`) unless a suite overrides them, plus genesis
/// balances given by account name ([`named`]: contracts by their names).
pub struct Setup {
    config: DeployConfig,
    agpu: Vec<(String, u128)>,
    native: Vec<(String, Vec<Coin>)>,
}

impl Default for Setup {
    fn default() -> Self {
        Self::new()
    }
}

impl Setup {
    /// The devnet defaults; the deployer holds the whole AMAX supply (one
    /// million) and nobody holds AGPU.
    pub fn new() -> Self {
        let deployer = account(DEPLOYER);
        let amax = vec![Cw20Coin {
            address: deployer.to_string(),
            amount: (1_000_000 * UNIT).into(),
        }];
        Setup {
            config: DeployConfig::devnet(&deployer, amax, vec![]),
            agpu: vec![],
            native: vec![],
        }
    }

    /// Changes the deployment's config (parameters, zones, oracles, cap...).
    pub fn config(mut self, change: impl FnOnce(&mut DeployConfig)) -> Self {
        change(&mut self.config);
        self
    }

    /// Genesis AGPU of `who`.
    pub fn agpu(mut self, who: &str, amount: u128) -> Self {
        self.agpu.push((who.into(), amount));
        self
    }

    /// Native coins `who` starts with.
    pub fn native(mut self, who: &str, coins: Vec<Coin>) -> Self {
        self.native.push((who.into(), coins));
        self
    }

    /// Builds the app and deploys the system into it.
    pub fn deploy(mut self) -> System {
        let deployer = account(DEPLOYER);
        let checksum = |c: Contract| Checksum::generate(&code_bytes(code_id(c)));
        let predicted = Addresses::predict(&deployer, checksum, &self.config.namespace)
            .expect("the deployer is a bech32 address");
        for (who, amount) in &self.agpu {
            self.config.agpu_balances.push(Cw20Coin {
                address: named(&predicted, who).to_string(),
                amount: (*amount).into(),
            });
        }
        let native: Vec<(Addr, Vec<Coin>)> = self
            .native
            .iter()
            .map(|(who, coins)| (named(&predicted, who), coins.clone()))
            .collect();
        let mut app = AppBuilder::new()
            .with_wasm(WasmKeeper::new().with_checksum_generator(CodeChecksums))
            .build(|router, _api, storage| {
                for (addr, coins) in native {
                    router.bank.init_balance(storage, &addr, coins).unwrap();
                }
            });
        let mut target = Target {
            app: &mut app,
            deployer: deployer.clone(),
        };
        let deployment = deploy(&mut target, |c| Ok(code_bytes(code_id(c))), &self.config)
            .expect("the system deploys");
        assert_eq!(deployment.addresses, predicted);
        System {
            app,
            contracts: deployment.addresses,
            codes: deployment.codes,
            deployer,
        }
    }
}

/// The code id `contract` gets: code ids are handed out in deployment order
/// from 1 on a fresh app.
fn code_id(contract: Contract) -> u64 {
    Contract::ORDER.iter().position(|c| *c == contract).unwrap() as u64 + 1
}

/// The deployed system: the app, every contract's address and code id.
pub struct System {
    pub app: App,
    pub contracts: Addresses,
    pub codes: BTreeMap<Contract, u64>,
    pub deployer: Addr,
}
