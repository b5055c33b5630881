//! Drives a StarMiner deployment inside a [`WasmHost`]: deploys every
//! contract from `artifacts/` with `starminer-deploy` (the one deployment
//! definition) and sends typed messages. Shared by the gas benchmark and the
//! wasm-level end-to-end tests; behind the `testing` feature, so the node,
//! which runs the host, does not build the deployment tooling.

use std::path::PathBuf;

use crate::{CodeId, ExecResult, WasmHost};
use anyhow::{anyhow, Context, Result};
use cosmwasm_std::{Addr, Binary, CosmosMsg, Uint128, Uint64};
use cw20::Cw20Coin;
use starminer_deploy::{plan, Contract, DeployConfig, DeployTarget};
use starminer_interfaces::{agpu, governance as gov, registry as reg};

pub use starminer_deploy::{governance_params, registry_params, UNIT};

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

/// The host as a deployment target: every message from `deployer`.
struct HostTarget<'a> {
    host: &'a WasmHost,
    deployer: Addr,
}

impl DeployTarget for HostTarget<'_> {
    fn deployer(&self) -> Addr {
        self.deployer.clone()
    }
    fn store_code(&mut self, _contract: Contract, wasm: &[u8]) -> Result<u64> {
        Ok(self.host.store_code(&self.deployer, wasm)?)
    }
    fn instantiate2(
        &mut self,
        code_id: u64,
        msg: Binary,
        label: &str,
        admin: &Addr,
        salt: &[u8],
    ) -> Result<Addr> {
        let msg: serde_json::Value = serde_json::from_slice(&msg)?;
        let (addr, _) =
            self.host
                .instantiate2(&self.deployer, code_id, &msg, &[], label, Some(admin), salt)?;
        Ok(addr)
    }
    fn execute(&mut self, contract: &Addr, msg: Binary) -> Result<()> {
        let msg: serde_json::Value = serde_json::from_slice(&msg)?;
        self.host.execute(&self.deployer, contract, &msg, &[])?;
        Ok(())
    }
}

pub struct Codes {
    pub amax: CodeId,
    pub governance: CodeId,
    pub agpu: CodeId,
    pub registry: CodeId,
    pub pricing: CodeId,
    pub incentives: CodeId,
    pub job_market: CodeId,
}

/// Every contract, deployed by `starminer_deploy::deploy` at the devnet
/// defaults: governance is the wasm admin of all of them and owns every
/// parameter, incentives is AGPU's minter, the deployer is the market's
/// latency oracle and has posted the eight devnet zones.
pub struct Protocol {
    pub host: WasmHost,
    pub deployer: Addr,
    pub config: DeployConfig,
    pub codes: Codes,
    pub amax: Addr,
    pub governance: Addr,
    pub agpu: Addr,
    pub registry: Addr,
    pub pricing: Addr,
    pub incentives: Addr,
    pub job_market: Addr,
}

fn json<T: serde::Serialize>(msg: &T) -> Binary {
    cosmwasm_std::to_json_binary(msg).expect("messages serialize")
}

impl Protocol {
    /// Deploys with `amax_supply` and `agpu_supply` (micro units) held by the deployer.
    pub fn deploy(host: WasmHost, amax_supply: u128, agpu_supply: u128) -> Result<Self> {
        let deployer = host.addr_make("deployer");
        let coin = |amount: u128| {
            vec![Cw20Coin {
                address: deployer.to_string(),
                amount: Uint128::new(amount),
            }]
        };
        let config = DeployConfig::devnet(&deployer, coin(amax_supply), coin(agpu_supply));
        Self::deploy_with(host, config)
    }

    /// Deploys with an explicit configuration (its oracles should include
    /// the host's `deployer` so the zones get posted).
    pub fn deploy_with(host: WasmHost, config: DeployConfig) -> Result<Self> {
        let deployer = host.addr_make("deployer");
        let d = starminer_deploy::deploy(
            &mut HostTarget {
                host: &host,
                deployer: deployer.clone(),
            },
            |c| artifact(c.artifact()),
            &config,
        )?;
        let codes = Codes {
            amax: d.codes[&Contract::Amax],
            governance: d.codes[&Contract::Governance],
            agpu: d.codes[&Contract::Agpu],
            registry: d.codes[&Contract::Registry],
            pricing: d.codes[&Contract::Pricing],
            incentives: d.codes[&Contract::Incentives],
            job_market: d.codes[&Contract::JobMarket],
        };
        let a = d.addresses;
        Ok(Protocol {
            host,
            deployer,
            config,
            codes,
            amax: a.amax,
            governance: a.governance,
            agpu: a.agpu,
            registry: a.registry,
            pricing: a.pricing,
            incentives: a.incentives,
            job_market: a.job_market,
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
        plan::wasm_execute(&self.registry, msg)
    }

    /// Registers `who` as a provider in eu-west with one GPU.
    pub fn register(&self, who: &Addr) -> Result<ExecResult> {
        self.register_as(who, "eu-west", reg::Role::Provider)
    }

    /// Registers `who` in `zone` with one H100 and `role`.
    /// No DID key: the registry only accepts the sender's own key (the
    /// address derives from it), and these addresses are made, not derived.
    pub fn register_as(&self, who: &Addr, zone: &str, role: reg::Role) -> Result<ExecResult> {
        Ok(self.host.execute(
            who,
            &self.registry,
            &reg::ExecuteMsg::Register {
                moniker: "rig".into(),
                pubkey: None,
                region: "Frankfurt".into(),
                zone: zone.into(),
                hardware: vec![reg::Device {
                    vendor: "NVIDIA".into(),
                    name: "H100".into(),
                    compute_units: 132,
                    global_mem_bytes: Uint64::new(80_000_000_000),
                    max_clock_mhz: 1_980,
                    opencl_version: "OpenCL 3.0".into(),
                }],
                result_server_url: Some("https://rig.example:8443".into()),
                roles: vec![role],
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

// ---- the compute protocol: templates, providers, validators, jobs ---------

use starminer_interfaces::job_market as jm;

impl Protocol {
    /// The deployment's addresses, as `starminer-deploy` names them.
    pub fn addresses(&self) -> starminer_deploy::Addresses {
        starminer_deploy::Addresses {
            amax: self.amax.clone(),
            governance: self.governance.clone(),
            agpu: self.agpu.clone(),
            registry: self.registry.clone(),
            pricing: self.pricing.clone(),
            incentives: self.incentives.clone(),
            job_market: self.job_market.clone(),
        }
    }

    /// Registers `templates` the only way there is: `proposer` (who must
    /// hold AMAX) stakes, proposes, votes; the voting period and timelock
    /// pass; the proposal executes.
    pub fn register_templates(&self, proposer: &Addr, templates: &[jm::Template]) -> Result<()> {
        self.stake(proposer, 500 * UNIT)?;
        self.host.next_block(5);
        let msgs = plan::register_templates_msgs(&self.addresses(), templates);
        let (id, _) = self.propose(proposer, "Register templates", msgs)?;
        self.vote(proposer, id, gov::VoteOption::Yes)?;
        let g = &self.config.governance;
        self.host.next_block(g.voting_period + 1);
        self.host.next_block(g.timelock);
        self.execute_proposal(proposer, id)?;
        let status = self.proposal(id)?.status;
        if status != gov::ProposalStatus::Executed {
            return Err(anyhow!("template proposal ended {status:?}"));
        }
        Ok(())
    }

    /// Registers and bonds a validator in `zone`.
    /// Link `n` of the beacon hash chain of `who`: sha256ⁿ(secret), with a
    /// secret derived from its address (a bench's stand-in for the agent's
    /// random one).
    pub fn beacon_link(who: &Addr, n: usize) -> [u8; 32] {
        use sha2::{Digest, Sha256};
        let mut h: [u8; 32] = Sha256::digest(format!("{who} beacon secret")).into();
        for _ in 0..n {
            h = Sha256::digest(h).into();
        }
        h
    }

    /// `who` anchors a beacon chain of `links` links.
    pub fn anchor_beacon(&self, who: &Addr, links: usize) -> Result<ExecResult> {
        Ok(self.host.execute(
            who,
            &self.registry,
            &reg::ExecuteMsg::SetBeaconAnchor {
                anchor: hex::encode(Self::beacon_link(who, links)),
            },
            &[],
        )?)
    }

    /// `who` reveals link `n` of its chain (`links − 1` first).
    pub fn reveal_beacon(&self, who: &Addr, n: usize) -> Result<ExecResult> {
        Ok(self.host.execute(
            who,
            &self.registry,
            &reg::ExecuteMsg::RevealBeacon {
                preimage: hex::encode(Self::beacon_link(who, n)),
            },
            &[],
        )?)
    }

    pub fn validator(&self, who: &Addr, zone: &str) -> Result<()> {
        self.register_as(who, zone, reg::Role::Validator)?;
        self.bond(who, self.config.registry.min_validator_stake.u128())?;
        Ok(())
    }

    /// Registers and bonds a provider in `zone` (twice the minimum stake)
    /// and has the registry's benchmark verifiers (`validator` if none is
    /// listed yet) verify its benchmark at `score`; returns its tier.
    pub fn provider(&self, who: &Addr, zone: &str, score: u64, validator: &Addr) -> Result<u8> {
        self.register_as(who, zone, reg::Role::Provider)?;
        self.bond(who, 2 * self.config.registry.min_provider_stake.u128())?;
        let r = self.host.execute(
            who,
            &self.registry,
            &reg::ExecuteMsg::RequestBenchmark {
                claimed_score: score,
            },
            &[],
        )?;
        let challenge_id: u64 = r
            .attribute("wasm", "challenge_id")
            .ok_or_else(|| anyhow!("no challenge_id"))?
            .parse()?;
        self.host.execute(
            who,
            &self.registry,
            &reg::ExecuteMsg::SubmitBenchmarkResult {
                challenge_id,
                result_root: "cd".repeat(32),
            },
            &[],
        )?;
        // The registry's quorum attests: every seated validator when the
        // quorum covers them all (as here), else the ones it drew.
        let challenge: reg::Challenge = self
            .host
            .query_smart(&self.registry, &reg::QueryMsg::Challenge { challenge_id })?;
        let verifiers = if challenge.verifiers.is_empty() {
            vec![validator.clone()]
        } else {
            challenge.verifiers
        };
        for v in &verifiers {
            self.host.execute(
                v,
                &self.registry,
                &reg::ExecuteMsg::AttestBenchmark {
                    provider: who.to_string(),
                    challenge_id,
                    valid: true,
                    measured_score: score,
                },
                &[],
            )?;
        }
        let rec: reg::Provider = self.host.query_smart(
            &self.registry,
            &reg::QueryMsg::Provider {
                address: who.to_string(),
            },
        )?;
        Ok(rec.tier)
    }

    /// Submits a job paid with `amount` uagpu (cw20 `Send`); returns its id.
    pub fn submit_job(
        &self,
        who: &Addr,
        spec: &jm::JobSpec,
        amount: u128,
    ) -> Result<(u64, ExecResult)> {
        let r = self.cw20_send(
            &self.agpu,
            who,
            &self.job_market,
            amount,
            json(&jm::ReceiveMsg::SubmitJob { spec: spec.clone() }),
        )?;
        let id = r
            .attribute("wasm", "job_id")
            .ok_or_else(|| anyhow!("submit emitted no job_id"))?
            .parse()?;
        Ok((id, r))
    }

    pub fn market(&self, who: &Addr, msg: &jm::ExecuteMsg) -> Result<ExecResult> {
        Ok(self.host.execute(who, &self.job_market, msg, &[])?)
    }

    pub fn job(&self, job_id: u64) -> Result<jm::Job> {
        let r: jm::JobResponse = self
            .host
            .query_smart(&self.job_market, &jm::QueryMsg::Job { job_id })?;
        Ok(r.job)
    }

    pub fn agpu_balance(&self, who: &Addr) -> Result<u128> {
        let r: cw20::BalanceResponse = self.host.query_smart(
            &self.agpu,
            &agpu::QueryMsg::Balance {
                address: who.to_string(),
            },
        )?;
        Ok(r.balance.u128())
    }
}

/// Chunk size of [`fractal_template`]'s outputs.
pub const FRACTAL_CHUNK: u64 = 256;

/// The `render.fractal` template of the market stories: width × height / 100
/// units, exact, chunks of [`FRACTAL_CHUNK`] bytes, tier 1 with 1 GB and 8
/// compute units.
pub fn fractal_template() -> jm::Template {
    use starminer_interfaces::market::{Determinism, JobClass, UnitFormula};
    jm::Template {
        id: "render.fractal".into(),
        class: JobClass::Render,
        kernel_sha256: "ab".repeat(32),
        unit_formula: UnitFormula {
            params: vec!["width".into(), "height".into()],
            factor: 1,
            divisor: 100,
        },
        chunk_size: FRACTAL_CHUNK,
        determinism: Determinism::Exact,
        max_seconds_per_unit: "0.01".parse().expect("decimal"),
        min_hardware: jm::HardwareRequirements {
            min_tier: 1,
            min_device_memory: Uint64::new(1_000_000_000),
            min_compute_units: 8,
        },
        enabled: true,
    }
}

/// A 1,000 × 1,000 job of [`fractal_template`] (10,000 units) in `zone`,
/// with a remote input, paying at most 1,000 AGPU, due at `deadline`.
pub fn fractal_job(
    zone: &str,
    latency: jm::LatencyClass,
    deadline: cosmwasm_std::Timestamp,
    verification: starminer_interfaces::market::VerificationMode,
) -> jm::JobSpec {
    jm::JobSpec {
        template: "render.fractal".into(),
        params: ["width", "height"]
            .into_iter()
            .map(|name| jm::JobParam {
                name: name.into(),
                value: 1_000,
            })
            .collect(),
        input: jm::JobInput::Remote {
            uri: "https://in.example/scene.json".into(),
            sha256: "11".repeat(32),
            size: 1_000,
        },
        requirements: jm::JobRequirements {
            min_tier: 1,
            min_device_memory: Uint64::new(1_000_000_000),
            min_compute_units: 8,
            zone: zone.into(),
            urgency: starminer_interfaces::market::Urgency::Normal,
            latency,
        },
        max_price: Uint128::new(1_000 * UNIT),
        deadline,
        verification,
    }
}

/// The actors of a market story ([`Protocol::market_actors`]).
pub struct Actors {
    /// The requester.
    pub alice: Addr,
    /// `rig`, a provider in eu-west.
    pub provider: Addr,
    /// `val-1` and `val-2`, validators in eu-central.
    pub validators: [Addr; 2],
    /// The tier the provider's benchmark earned.
    pub provider_tier: u8,
}

impl Protocol {
    /// Funds and registers the actors of a market story: the requester
    /// `alice` with `alice_agpu` uagpu and 1,000 AMAX, with which she has
    /// governance register [`fractal_template`]; validators `val-1` and
    /// `val-2` (20,000 AGPU each) in eu-central, each anchored to a beacon
    /// hash chain of `beacon_links` links; and provider `rig` (20,000 AGPU)
    /// in eu-west, its benchmark of 250 units/s verified by `val-1`.
    pub fn market_actors(&self, alice_agpu: u128, beacon_links: usize) -> Result<Actors> {
        let alice = self.host.addr_make("alice");
        let provider = self.host.addr_make("rig");
        let validators = [self.host.addr_make("val-1"), self.host.addr_make("val-2")];
        self.transfer(&self.agpu, &self.deployer, &alice, alice_agpu)?;
        for who in [&provider, &validators[0], &validators[1]] {
            self.transfer(&self.agpu, &self.deployer, who, 20_000 * UNIT)?;
        }
        // Templates are governance's: stake, propose, vote, wait, execute.
        self.transfer(&self.amax, &self.deployer, &alice, 1_000 * UNIT)?;
        self.register_templates(&alice, &[fractal_template()])?;
        for v in &validators {
            self.validator(v, "eu-central")?;
            // The anchor is the chain's last link; reveals walk back
            // towards the secret.
            self.anchor_beacon(v, beacon_links)?;
        }
        let provider_tier = self.provider(&provider, "eu-west", 250, &validators[0])?;
        Ok(Actors {
            alice,
            provider,
            validators,
            provider_tier,
        })
    }
}
