//! `starminer config`: the chains this home knows.

use anyhow::{bail, Result};
use clap::Subcommand;
use cosmwasm_std::Decimal;
use starminer_client::ChainConfig;

use crate::context::{table, Ctx};
use crate::GlobalArgs;

#[derive(Subcommand)]
pub enum ConfigCmd {
    /// List the chains (the default one marked).
    List,
    /// Add (or replace) a chain: any CosmWasm chain reachable over CometBFT RPC.
    AddChain {
        /// Name used with --chain.
        name: String,
        #[arg(long)]
        chain_id: String,
        /// CometBFT RPC endpoint, e.g. https://rpc.example.org:443. Repeat
        /// it (or separate with commas) to name other nodes of the chain:
        /// the first is used, the others when it cannot be reached.
        #[arg(long, required = true, value_delimiter = ',')]
        rpc: Vec<String>,
        #[arg(long)]
        grpc: Option<String>,
        #[arg(long)]
        rest: Option<String>,
        /// Bech32 account prefix.
        #[arg(long)]
        prefix: String,
        /// Fee denom, e.g. ustake.
        #[arg(long)]
        fee_denom: String,
        /// Gas price in fee_denom per gas unit, e.g. 0.025.
        #[arg(long)]
        gas_price: Decimal,
        #[arg(long, default_value_t = 1.3)]
        gas_adjustment: f64,
    },
    /// Make a chain the default.
    Use { name: String },
    /// Make a key the default signer (--from).
    DefaultKey { name: String },
}

pub fn run(g: &GlobalArgs, cmd: ConfigCmd) -> Result<()> {
    let mut ctx = Ctx::new(g)?;
    match cmd {
        ConfigCmd::List => {
            let config = ctx.config.clone();
            ctx.print(&config, |c| {
                let mut t = table(&["", "name", "chain id", "rpc", "prefix", "gas price"]);
                for (name, chain) in &c.chains {
                    t.add_row(vec![
                        if *name == c.default_chain { "*" } else { "" }.to_string(),
                        name.clone(),
                        chain.chain_id.clone(),
                        chain.rpc.clone(),
                        chain.prefix.clone(),
                        format!("{}{}", chain.gas_price, chain.fee_denom),
                    ]);
                }
                println!("{t}");
            })?;
        }
        ConfigCmd::AddChain {
            name,
            chain_id,
            rpc,
            grpc,
            rest,
            prefix,
            fee_denom,
            gas_price,
            gas_adjustment,
        } => {
            let chain = ChainConfig {
                chain_id,
                rpc: rpc[0].clone(),
                rpc_fallbacks: rpc[1..].to_vec(),
                grpc,
                rest,
                prefix,
                fee_denom,
                gas_price,
                gas_adjustment,
            };
            chain.validate()?;
            ctx.config.chains.insert(name.clone(), chain);
            ctx.save_config()?;
            ctx.note(format!("Added chain `{name}`; use it with --chain {name} or `starminer config use {name}`."));
        }
        ConfigCmd::Use { name } => {
            if !ctx.config.chains.contains_key(&name) {
                bail!("no chain named `{name}`: add it with `starminer config add-chain`");
            }
            ctx.config.default_chain = name;
            ctx.save_config()?;
        }
        ConfigCmd::DefaultKey { name } => {
            if !ctx.keystore()?.contains(&name) {
                bail!("no key named `{name}`: see `starminer keys list`");
            }
            ctx.config.default_key = Some(name);
            ctx.save_config()?;
        }
    }
    Ok(())
}
