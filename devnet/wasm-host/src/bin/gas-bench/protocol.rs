//! Deploys AMAX, governance, AGPU and the registry from `artifacts/` into a
//! host and drives them with typed messages. Shared by the gas benchmark and
//! the wasm-level end-to-end tests (which include this file).
#![allow(dead_code)] // shared by the benchmark and the tests; each uses a part of it

use std::path::PathBuf;
use std::str::FromStr;

use anyhow::{anyhow, Context, Result};
use cosmwasm_std::{to_json_binary, Addr, Binary, CosmosMsg, Decimal, Uint128, Uint64, WasmMsg};
use cw20::Cw20Coin;
use starminer_interfaces::{agpu, amax, governance as gov, registry as reg};
use starminer_wasm_host::{CodeId, ExecResult, WasmHost};

/// Reads `artifacts/<name>.wasm`, failing with the command that makes it.
pub fn artifact(name: &str) -> Result<Vec<u8>> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../artifacts")
        .join(format!("{name}.wasm"));
    std::fs::read(&path).with_context(|| {
        format!(
            "wasm artifact {} is missing: run scripts/build-wasm.sh",
            path.display()
        )
    })
}

/// 1 AMAX / 1 AGPU in micro units.
pub const UNIT: u128 = 1_000_000;

pub fn governance_params() -> gov::GovernanceParams {
    gov::GovernanceParams {
        quorum: Decimal::from_str("0.334").expect("decimal"),
        threshold: Decimal::percent(50),
        veto_threshold: Decimal::from_str("0.334").expect("decimal"),
        voting_period: 3_600,
        timelock: 600,
        unbonding_period: 86_400,
        min_deposit: Uint128::new(10 * UNIT),
        max_messages: 10,
    }
}

pub fn registry_params() -> reg::Params {
    reg::Params {
        min_provider_stake: Uint128::new(1_000 * UNIT),
        min_validator_stake: Uint128::new(5_000 * UNIT),
        unbonding_period: 7 * 86_400,
        max_pending_claims: 8,
        reputation: reg::ReputationParams {
            alpha: Decimal::percent(10),
            beta: Decimal::percent(20),
            gamma: Decimal::percent(50),
            floor: 2_000,
            benchmark_boost: 100,
        },
        jail_duration: 86_400,
        slash_beneficiary_share: Decimal::percent(60),
        tier_thresholds: vec![100, 200, 400, 800],
        benchmark: reg::BenchmarkParams {
            work: 60_000,
            min_duration: 60,
            max_duration: 3_600,
            attest_window: 600,
        },
        max_validators: 16,
        limits: reg::Limits {
            max_devices: 8,
            max_text_len: 64,
            max_url_len: 128,
        },
    }
}

pub struct Codes {
    pub amax: CodeId,
    pub governance: CodeId,
    pub agpu: CodeId,
    pub registry: CodeId,
}

/// The four contracts, deployed the way the devnet's genesis will: governance
/// is the wasm admin of AGPU and the registry, AGPU's minter and the owner of
/// every parameter.
pub struct Protocol {
    pub host: WasmHost,
    pub deployer: Addr,
    pub codes: Codes,
    pub amax: Addr,
    pub governance: Addr,
    pub agpu: Addr,
    pub registry: Addr,
}

fn json<T: serde::Serialize>(msg: &T) -> Binary {
    to_json_binary(msg).expect("messages serialize")
}

impl Protocol {
    /// Deploys with `amax_supply` and `agpu_supply` (micro units) held by the deployer.
    pub fn deploy(host: WasmHost, amax_supply: u128, agpu_supply: u128) -> Result<Self> {
        let deployer = host.addr_make("deployer");
        let store = |name: &str| -> Result<CodeId> {
            host.store_code(&deployer, &artifact(name)?)
                .with_context(|| format!("storing {name}"))
        };
        let codes = Codes {
            amax: store("amax_token")?,
            governance: store("governance")?,
            agpu: store("agpu_token")?,
            registry: store("registry")?,
        };
        let (amax, _) = host.instantiate(
            &deployer,
            codes.amax,
            &amax::InstantiateMsg {
                name: "StarMiner Governance".into(),
                symbol: "AMAX".into(),
                initial_balances: vec![Cw20Coin {
                    address: deployer.to_string(),
                    amount: Uint128::new(amax_supply),
                }],
                marketing: None,
            },
            &[],
            "amax",
            None,
        )?;
        let (governance, _) = host.instantiate(
            &deployer,
            codes.governance,
            &gov::InstantiateMsg {
                amax_token: amax.to_string(),
                params: governance_params(),
                treasury_cw20s: vec![],
            },
            &[],
            "governance",
            None,
        )?;
        // Governance administers itself from here on.
        host.update_admin(&deployer, &governance, &governance).ok();
        let (agpu, _) = host.instantiate(
            &deployer,
            codes.agpu,
            &agpu::InstantiateMsg {
                name: "StarMiner GPU".into(),
                symbol: "AGPU".into(),
                initial_balances: vec![Cw20Coin {
                    address: deployer.to_string(),
                    amount: Uint128::new(agpu_supply),
                }],
                minter: governance.to_string(),
                cap: Uint128::new(agpu_supply * 10),
                governance: governance.to_string(),
                marketing: None,
            },
            &[],
            "agpu",
            Some(&governance),
        )?;
        let (registry, _) = host.instantiate(
            &deployer,
            codes.registry,
            &reg::InstantiateMsg {
                governance: governance.to_string(),
                agpu_token: agpu.to_string(),
                authorized: vec![],
                zones: vec!["eu-west".into(), "us-east".into()],
                params: registry_params(),
            },
            &[],
            "registry",
            Some(&governance),
        )?;
        Ok(Protocol {
            host,
            deployer,
            codes,
            amax,
            governance,
            agpu,
            registry,
        })
    }

    fn cw20_send(
        &self,
        token: &Addr,
        from: &Addr,
        to: &Addr,
        amount: u128,
        msg: Binary,
    ) -> Result<ExecResult> {
        Ok(self.host.execute(
            from,
            token,
            &agpu::ExecuteMsg::Send {
                contract: to.to_string(),
                amount: Uint128::new(amount),
                msg,
            },
            &[],
        )?)
    }

    /// A plain cw20 transfer: the yardstick of the gas table.
    pub fn transfer(
        &self,
        token: &Addr,
        from: &Addr,
        to: &Addr,
        amount: u128,
    ) -> Result<ExecResult> {
        Ok(self.host.execute(
            from,
            token,
            &agpu::ExecuteMsg::Transfer {
                recipient: to.to_string(),
                amount: Uint128::new(amount),
            },
            &[],
        )?)
    }

    /// Stakes AMAX in governance (cw20 `Send` with `Stake`).
    pub fn stake(&self, who: &Addr, amount: u128) -> Result<ExecResult> {
        self.cw20_send(
            &self.amax,
            who,
            &self.governance,
            amount,
            json(&gov::ReceiveMsg::Stake {}),
        )
    }

    /// Creates a proposal carrying `msgs` with the minimum deposit; returns its id.
    pub fn propose(
        &self,
        who: &Addr,
        title: &str,
        msgs: Vec<CosmosMsg>,
    ) -> Result<(u64, ExecResult)> {
        let deposit = governance_params().min_deposit.u128();
        let r = self.cw20_send(
            &self.amax,
            who,
            &self.governance,
            deposit,
            json(&gov::ReceiveMsg::Propose {
                title: title.into(),
                description: format!("{title}: submitted by the wasm-host suite"),
                msgs,
            }),
        )?;
        let id = r
            .attribute("wasm", "proposal_id")
            .ok_or_else(|| anyhow!("propose emitted no proposal_id"))?
            .parse()?;
        Ok((id, r))
    }

    pub fn vote(&self, who: &Addr, proposal_id: u64, vote: gov::VoteOption) -> Result<ExecResult> {
        Ok(self.host.execute(
            who,
            &self.governance,
            &gov::ExecuteMsg::Vote { proposal_id, vote },
            &[],
        )?)
    }

    pub fn execute_proposal(&self, who: &Addr, proposal_id: u64) -> Result<ExecResult> {
        Ok(self.host.execute(
            who,
            &self.governance,
            &gov::ExecuteMsg::Execute { proposal_id },
            &[],
        )?)
    }

    pub fn proposal(&self, proposal_id: u64) -> Result<gov::ProposalResponse> {
        Ok(self
            .host
            .query_smart(&self.governance, &gov::QueryMsg::Proposal { proposal_id })?)
    }

    /// A proposal message that executes `msg` on the registry.
    pub fn registry_call(&self, msg: &reg::ExecuteMsg) -> CosmosMsg {
        CosmosMsg::Wasm(WasmMsg::Execute {
            contract_addr: self.registry.to_string(),
            msg: json(msg),
            funds: vec![],
        })
    }

    /// Registers `who` as a provider in eu-west with one GPU.
    pub fn register(&self, who: &Addr) -> Result<ExecResult> {
        let mut pubkey = vec![0x02u8];
        pubkey.extend([7u8; 32]);
        Ok(self.host.execute(
            who,
            &self.registry,
            &reg::ExecuteMsg::Register {
                moniker: "rig".into(),
                pubkey: Some(Binary::from(pubkey)),
                region: "Frankfurt".into(),
                zone: "eu-west".into(),
                hardware: vec![reg::Device {
                    vendor: "NVIDIA".into(),
                    name: "H100".into(),
                    compute_units: 132,
                    global_mem_bytes: Uint64::new(80_000_000_000),
                    max_clock_mhz: 1_980,
                    opencl_version: "OpenCL 3.0".into(),
                }],
                result_server_url: Some("https://rig.example:8443".into()),
                roles: vec![reg::Role::Provider],
            },
            &[],
        )?)
    }

    /// Bonds AGPU in the registry (cw20 `Send` with `Bond`).
    pub fn bond(&self, who: &Addr, amount: u128) -> Result<ExecResult> {
        self.cw20_send(
            &self.agpu,
            who,
            &self.registry,
            amount,
            json(&reg::ReceiveMsg::Bond {}),
        )
    }

    pub fn registry_config(&self) -> Result<reg::ConfigResponse> {
        Ok(self
            .host
            .query_smart(&self.registry, &reg::QueryMsg::Config {})?)
    }
}
