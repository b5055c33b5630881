//! Runs the plan against a chain: store every code, instantiate every
//! contract at its predicted address, post the zone table and spillover
//! matrix. The chain is anything implementing [`DeployTarget`] (the
//! in-process wasm host in tests and the gas bench; a signing client for a
//! real node).

use std::collections::BTreeMap;

use anyhow::{Context, Result};
use cosmwasm_std::{Addr, Binary, Checksum};

use crate::plan::{self, Addresses, Contract, DeployConfig};

/// What a deployment needs from a chain, all sent by one deployer account.
pub trait DeployTarget {
    /// The deployer's address (creator of the codes and contracts).
    fn deployer(&self) -> Addr;
    /// Stores `wasm`; returns the code id.
    fn store_code(&mut self, contract: Contract, wasm: &[u8]) -> Result<u64>;
    /// Instantiates `code_id` with instantiate2; returns the new address.
    fn instantiate2(
        &mut self,
        code_id: u64,
        msg: Binary,
        label: &str,
        admin: &Addr,
        salt: &[u8],
    ) -> Result<Addr>;
    /// Executes `msg` on `contract` without funds.
    fn execute(&mut self, contract: &Addr, msg: Binary) -> Result<()>;
}

/// A finished deployment: code ids and addresses.
#[derive(Clone, Debug)]
pub struct Deployment {
    pub codes: BTreeMap<Contract, u64>,
    pub addresses: Addresses,
}

/// Deploys every contract of the plan. `wasm` returns a contract's artifact
/// bytes (usually `artifacts/<Contract::artifact()>.wasm`).
pub fn deploy<T: DeployTarget>(
    target: &mut T,
    wasm: impl Fn(Contract) -> Result<Vec<u8>>,
    config: &DeployConfig,
) -> Result<Deployment> {
    let mut codes = BTreeMap::new();
    let mut checksums = BTreeMap::new();
    for c in Contract::ORDER {
        let bytes = wasm(c)?;
        checksums.insert(c, Checksum::generate(&bytes));
        let code_id = target
            .store_code(c, &bytes)
            .with_context(|| format!("storing {}", c.artifact()))?;
        codes.insert(c, code_id);
    }
    let deployer = target.deployer();
    let addresses = Addresses::predict(&deployer, |c| checksums[&c], &config.namespace)?;
    for c in Contract::ORDER {
        let got = target
            .instantiate2(
                codes[&c],
                plan::instantiate_msg(c, &addresses, config),
                c.label(),
                plan::admin(&addresses),
                &c.salt(&config.namespace),
            )
            .with_context(|| format!("instantiating {}", c.label()))?;
        plan::check_address(c, addresses.of(c), &got)?;
    }
    if config.oracles.contains(&deployer.to_string()) {
        for msg in plan::market_zone_msgs(&config.zones, &config.spill) {
            target
                .execute(&addresses.job_market, cosmwasm_std::to_json_binary(&msg)?)
                .context("posting the market's zones and spillover matrix")?;
        }
    }
    Ok(Deployment { codes, addresses })
}
