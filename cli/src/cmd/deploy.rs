//! `starminer deploy`: the whole deployment on the selected chain, through
//! the SDK's idempotent driver over `starminer-deploy`'s plan, then the
//! built-in templates by governance proposal.

use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::Args;
use cosmwasm_std::{Addr, Uint128};
use cw20::Cw20Coin;
use starminer_client::contracts::{format_units, parse_units};
use starminer_client::deploy::{deploy_contracts, register_templates, DeployStep};
use starminer_client::gov::ProposalStep;
use starminer_client::{Starminer, Wallet};
use starminer_deploy::DeployConfig;

use crate::context::{absolute, table, Ctx};
use crate::GlobalArgs;

#[derive(Args, Clone, Debug)]
pub struct DeployArgs {
    /// The deployer key: creator of every code and contract, latency oracle,
    /// first AMAX holder (default: default_key of config.json).
    #[arg(long)]
    pub from: Option<String>,
    /// Directory of the wasm artifacts (scripts/build-wasm.sh writes them).
    #[arg(long, default_value = "artifacts")]
    pub artifacts: PathBuf,
    /// Prefix of the instantiate2 salts (another namespace, another deployment).
    #[arg(long, default_value = "starminer")]
    pub namespace: String,
    /// AMAX's whole fixed supply goes to the deployer (in AMAX).
    #[arg(long, default_value = "100000000")]
    pub amax_supply: String,
    /// AGPU genesis balances, ADDRESS_OR_KEY=AMOUNT (AGPU), repeatable. The
    /// deployer gets --deployer-agpu besides.
    #[arg(long = "agpu", value_name = "ADDR=AMOUNT")]
    pub agpu: Vec<String>,
    /// AGPU for the deployer at genesis.
    #[arg(long, default_value = "10000000")]
    pub deployer_agpu: String,
    /// Governance voting period in seconds (the devnet default is 300).
    #[arg(long)]
    pub voting_period: Option<u64>,
    /// Governance timelock in seconds (the devnet default is 60).
    #[arg(long)]
    pub timelock: Option<u64>,
    #[command(flatten)]
    pub periods: PeriodArgs,
    /// AMAX the deployer stakes to vote the template proposal through.
    #[arg(long, default_value = "1000000")]
    pub stake: String,
    /// Skip registering the built-in templates.
    #[arg(long)]
    pub no_templates: bool,
}

/// Periods of the market, pricing and incentives a deployment starts with
/// (defaults: `starminer-deploy`'s devnet parameters). Short ones let a
/// local chain show settlement, spillover and epochs within minutes.
#[derive(Args, Clone, Debug, Default)]
pub struct PeriodArgs {
    /// Job-market challenge window in seconds (default 300): how long after
    /// a result settlement must wait.
    #[arg(long)]
    pub challenge_window: Option<u64>,
    /// Seconds before a job may spill to the neighbouring zone of its
    /// continent (default 60). The spillover matrix is posted by the
    /// deployer as latency oracle, so deploying again with other delays
    /// posts the new matrix (and without the flag, the default one).
    #[arg(long)]
    pub spill_regional: Option<u64>,
    /// Seconds before a job may spill to another continent (default 300).
    #[arg(long)]
    pub spill_global: Option<u64>,
    /// Pricing epoch in seconds (default 600): how often unit prices follow
    /// utilization.
    #[arg(long)]
    pub pricing_epoch: Option<u64>,
    /// Emission epoch of the incentives contract in seconds (default 600).
    #[arg(long)]
    pub incentives_epoch: Option<u64>,
}

impl PeriodArgs {
    pub fn apply(&self, config: &mut DeployConfig) {
        if let Some(w) = self.challenge_window {
            config.market.challenge_window = w;
        }
        if let Some(d) = self.spill_regional {
            config.spill.regional = d;
        }
        if let Some(d) = self.spill_global {
            config.spill.global = d;
        }
        if let Some(e) = self.pricing_epoch {
            config.pricing.epoch_length = e;
        }
        if let Some(e) = self.incentives_epoch {
            config.incentives.epoch_length = e;
        }
    }
}

/// Deploys with `wallet`; prints progress; returns the deployment handle.
pub async fn deploy_with(ctx: &Ctx, wallet: &Wallet, a: &DeployArgs) -> Result<Starminer> {
    let artifacts = absolute(&a.artifacts);
    if !artifacts.join("job_market.wasm").exists() {
        bail!(
            "no contract artifacts in {}: build them with scripts/build-wasm.sh or pass --artifacts DIR",
            artifacts.display()
        );
    }
    let mut agpu = vec![Cw20Coin {
        address: wallet.address().to_string(),
        amount: Uint128::new(parse_units(&a.deployer_agpu)?),
    }];
    for entry in &a.agpu {
        let (who, amount) = entry
            .split_once('=')
            .with_context(|| format!("--agpu {entry}: expected ADDRESS_OR_KEY=AMOUNT"))?;
        agpu.push(Cw20Coin {
            address: ctx.resolve_address(who)?,
            amount: Uint128::new(parse_units(amount)?),
        });
    }
    let mut config = DeployConfig::devnet(
        &Addr::unchecked(wallet.address()),
        vec![Cw20Coin {
            address: wallet.address().to_string(),
            amount: Uint128::new(parse_units(&a.amax_supply)?),
        }],
        agpu,
    );
    config.namespace = a.namespace.clone();
    if let Some(v) = a.voting_period {
        config.governance.voting_period = v;
    }
    if let Some(t) = a.timelock {
        config.governance.timelock = t;
    }
    a.periods.apply(&mut config);
    let mut manifest = ctx.manifest()?;
    let pb = ctx.spinner(format!(
        "deploying on {} as {}",
        ctx.chain_config.chain_id,
        wallet.address()
    ));
    let pb2 = pb.clone();
    let deployment = deploy_contracts(
        wallet,
        &artifacts,
        &config,
        &mut manifest,
        Some(&ctx.manifest_path),
        move |step| {
            let line = match step {
                DeployStep::Stored {
                    contract,
                    code_id,
                    skipped,
                    upload,
                } => format!(
                    "{} {} code {code_id}{}",
                    if skipped { "have  " } else { "stored" },
                    contract.artifact(),
                    upload
                        .map(|u| format!(" ({})", u.summary()))
                        .unwrap_or_default()
                ),
                DeployStep::Instantiated {
                    contract,
                    address,
                    skipped,
                } => format!(
                    "{} {} at {address}",
                    if skipped {
                        "have        "
                    } else {
                        "instantiated"
                    },
                    contract.label()
                ),
                DeployStep::Executed { contract, skipped } => format!(
                    "{} setup on {contract}",
                    if skipped { "have    " } else { "executed" }
                ),
            };
            pb2.suspend(|| eprintln!("{line}"));
        },
    )
    .await?;
    pb.finish_and_clear();
    let sm = Starminer::new(wallet.chain().clone(), deployment.addresses.clone());
    if !a.no_templates {
        let pb = ctx.spinner("registering the built-in templates by governance proposal");
        let pb2 = pb.clone();
        let registered = register_templates(
            &sm,
            wallet,
            &starminer_templates::chain_templates(),
            parse_units(&a.stake)?,
            &mut manifest,
            Some(&ctx.manifest_path),
            move |s| match s {
                ProposalStep::Staked { amount } => {
                    pb2.suspend(|| eprintln!("staked {} AMAX", format_units(amount)))
                }
                ProposalStep::Proposed { id } => pb2.suspend(|| eprintln!("proposal {id} created")),
                ProposalStep::Voted { id } => pb2.suspend(|| eprintln!("voted yes on {id}")),
                ProposalStep::Waiting { id, what, until } => pb2.set_message(format!(
                    "proposal {id}: waiting for the {what} (block time {until})"
                )),
                ProposalStep::Executed { id } => {
                    pb2.suspend(|| eprintln!("proposal {id} executed"))
                }
            },
        )
        .await?;
        pb.finish_and_clear();
        if registered.is_empty() {
            ctx.note("templates: all registered already");
        } else {
            ctx.note(format!("templates registered: {}", registered.join(", ")));
        }
    }
    Ok(sm)
}

pub async fn run(g: &GlobalArgs, a: DeployArgs) -> Result<()> {
    let ctx = Ctx::new(g)?;
    let wallet = ctx.wallet(&a.from)?;
    let sm = deploy_with(&ctx, &wallet, &a).await?;
    print_addresses(&ctx, &sm)
}

pub fn print_addresses(ctx: &Ctx, sm: &Starminer) -> Result<()> {
    let a = sm.addresses();
    let rows: Vec<(String, String)> = starminer_deploy::Contract::ORDER
        .iter()
        .map(|c| (c.label().to_string(), a.of(*c).to_string()))
        .collect();
    let json: serde_json::Map<String, serde_json::Value> = rows
        .iter()
        .map(|(k, v)| (k.clone(), v.clone().into()))
        .collect();
    ctx.print(&json, |_| {
        let mut t = table(&["contract", "address"]);
        for (k, v) in &rows {
            t.add_row(vec![k.clone(), v.clone()]);
        }
        println!("{t}");
        println!("Manifest: {}", ctx.manifest_path.display());
    })
}
