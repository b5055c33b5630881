//! `starminer stake` / `unstake`: AMAX in governance (voting power), AGPU in
//! the registry (the bond behind the provider and validator roles).

use anyhow::{bail, Result};
use clap::{Args, ValueEnum};
use starminer_client::contracts::{format_units, parse_units};
use starminer_client::interfaces::{governance as gov, registry as reg};

use crate::context::Ctx;
use crate::GlobalArgs;

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Asset {
    /// AMAX staked in governance.
    Amax,
    /// AGPU bonded in the registry.
    Agpu,
}

#[derive(Args)]
pub struct StakeArgs {
    /// amax or agpu; `claim` pays out matured unbonding claims of both.
    #[arg(value_parser = ["amax", "agpu", "claim"])]
    pub what: String,
    /// Amount in whole tokens, e.g. 1000 (not for claim).
    pub amount: Option<String>,
    /// Key that signs (default: default_key of config.json).
    #[arg(long)]
    pub from: Option<String>,
}

#[derive(Args)]
pub struct UnstakeArgs {
    pub asset: Asset,
    /// Amount in whole tokens.
    pub amount: String,
    /// Key that signs (default: default_key of config.json).
    #[arg(long)]
    pub from: Option<String>,
}

pub async fn run_stake(g: &GlobalArgs, a: StakeArgs) -> Result<()> {
    let ctx = Ctx::new(g)?;
    let sm = ctx.starminer()?;
    let wallet = ctx.wallet(&a.from)?;
    if a.what == "claim" {
        let pb = ctx.spinner("claiming matured unbonding claims");
        let gov_claims = sm.governance().claims(wallet.address()).await?;
        let reg_stake = sm.registry().stake(wallet.address()).await?;
        let mut done = Vec::new();
        if !gov_claims.claims.is_empty() {
            let tx = sm
                .governance()
                .execute(&wallet, &gov::ExecuteMsg::Claim {})
                .await?;
            done.push(tx);
        }
        if !reg_stake.claims.is_empty() {
            let tx = sm
                .registry()
                .execute(&wallet, &reg::ExecuteMsg::Claim {})
                .await?;
            done.push(tx);
        }
        pb.finish_and_clear();
        if done.is_empty() {
            bail!("{} has no unbonding claims (unstake first; claims mature after the unbonding period)", wallet.address());
        }
        return ctx.print(&done, |d| println!("claimed in {} transaction(s)", d.len()));
    }
    let Some(amount) = &a.amount else {
        bail!("how much? e.g. `starminer stake {} 1000`", a.what);
    };
    let micro = parse_units(amount)?;
    let (token, name) = if a.what == "amax" {
        (sm.amax(), "AMAX")
    } else {
        (sm.agpu(), "AGPU")
    };
    let have = token.balance(wallet.address()).await?;
    if have < micro {
        bail!(
            "{} holds {} {name} but {amount} are to be staked: {} {name} is missing",
            wallet.address(),
            format_units(have),
            format_units(micro - have)
        );
    }
    let pb = ctx.spinner(format!("staking {amount} {name}"));
    let tx = if a.what == "amax" {
        sm.stake_amax(&wallet, micro).await?
    } else {
        if sm.registry().provider(wallet.address()).await?.is_none() {
            bail!("{} is not registered in the registry: register as a provider or validator first (the provider agent does it)", wallet.address());
        }
        sm.bond_agpu(&wallet, micro).await?
    };
    pb.finish_and_clear();
    ctx.print(&tx, |tx| {
        println!("staked {amount} {name} in block {}", tx.height)
    })
}

pub async fn run_unstake(g: &GlobalArgs, a: UnstakeArgs) -> Result<()> {
    let ctx = Ctx::new(g)?;
    let sm = ctx.starminer()?;
    let wallet = ctx.wallet(&a.from)?;
    let micro = parse_units(&a.amount)?;
    let pb = ctx.spinner(format!("unstaking {}", a.amount));
    let tx = match a.asset {
        Asset::Amax => {
            let staked = sm.governance().staked(wallet.address()).await?;
            if staked < micro {
                bail!("only {} AMAX is staked", format_units(staked));
            }
            sm.governance().unstake(&wallet, micro).await?
        }
        Asset::Agpu => {
            let s = sm.registry().stake(wallet.address()).await?;
            if s.free.u128() < micro {
                bail!(
                    "only {} AGPU of the bond is free ({} locked as collateral of running jobs)",
                    format_units(s.free.u128()),
                    format_units(s.locked.u128())
                );
            }
            sm.registry().unbond(&wallet, micro).await?
        }
    };
    pb.finish_and_clear();
    ctx.print(&tx, |tx| {
        println!(
            "unbonding started in block {}; claim it after the unbonding period with `starminer stake claim`",
            tx.height
        )
    })
}
