//! `starminer market`: prices per tier and class, queues per zone, price
//! history per tier.

use anyhow::{bail, Result};
use clap::Subcommand;
use serde::Serialize;
use starminer_client::interfaces::job_market as jm;
use starminer_client::interfaces::pricing as pr;

use crate::context::{table, Ctx};
use crate::GlobalArgs;

#[derive(Subcommand)]
pub enum MarketCmd {
    /// Current unit prices (uagpu per unit) of every tier and class.
    Prices,
    /// Open jobs per zone, with each zone's spill threshold and the
    /// current epoch's utilization per tier.
    Queues,
    /// Closed pricing epochs of one tier.
    History {
        #[arg(long, default_value_t = 1)]
        tier: u8,
        #[arg(long, default_value_t = 30)]
        limit: u32,
    },
}

pub async fn run(g: &GlobalArgs, cmd: MarketCmd) -> Result<()> {
    let ctx = Ctx::new(g)?;
    let sm = ctx.starminer()?;
    let pricing = sm.pricing();
    match cmd {
        MarketCmd::Prices => {
            let p = pricing.prices().await?;
            ctx.print(&p, |p| {
                println!("pricing epoch {}", p.epoch);
                let mut t = table(&[
                    "tier",
                    "multiplier",
                    "render",
                    "hpc",
                    "inference",
                    "training",
                ]);
                for tier in &p.tiers {
                    t.add_row(vec![
                        tier.tier.to_string(),
                        tier.multiplier.to_string(),
                        tier.prices.render.to_string(),
                        tier.prices.hpc.to_string(),
                        tier.prices.inference.to_string(),
                        tier.prices.training.to_string(),
                    ]);
                }
                println!("{t}");
                println!("(uagpu per compute unit, before the urgency multiplier)");
            })?;
        }
        MarketCmd::Queues => {
            let zones = sm.job_market().zones().await?;
            let mut utilization = Vec::new();
            for tier in 1..=4u8 {
                utilization.push(pricing.utilization(tier).await?);
            }
            #[derive(Serialize)]
            struct Queues {
                zones: Vec<jm::ZoneInfo>,
                utilization: Vec<pr::UtilizationResponse>,
            }
            let q = Queues { zones, utilization };
            ctx.print(&q, |q| {
                let mut t = table(&["zone", "open jobs", "spills at"]);
                for z in &q.zones {
                    t.add_row(vec![
                        z.zone.clone(),
                        z.open_jobs.to_string(),
                        z.capacity_threshold.to_string(),
                    ]);
                }
                println!("{t}");
                let mut u = table(&[
                    "tier",
                    "epoch",
                    "demand (units)",
                    "supply (units)",
                    "utilization",
                ]);
                for x in &q.utilization {
                    u.add_row(vec![
                        x.tier.to_string(),
                        x.epoch.to_string(),
                        x.demand.to_string(),
                        x.supply.to_string(),
                        x.utilization.to_string(),
                    ]);
                }
                println!("{u}");
            })?;
        }
        MarketCmd::History { tier, limit } => {
            if !(1..=4).contains(&tier) {
                bail!("--tier must be 1 to 4");
            }
            let h = pricing.price_history(tier, None, Some(limit)).await?;
            ctx.print(&h, |h| {
                if h.epochs.is_empty() {
                    println!("tier {}: no closed pricing epoch yet", h.tier);
                    return;
                }
                let mut t = table(&[
                    "epoch",
                    "demand",
                    "supply",
                    "utilization",
                    "multiplier",
                    "next",
                ]);
                for e in &h.epochs {
                    t.add_row(vec![
                        e.epoch.to_string(),
                        e.demand.to_string(),
                        e.supply.to_string(),
                        e.utilization.to_string(),
                        e.multiplier.to_string(),
                        e.next_multiplier.to_string(),
                    ]);
                }
                println!("tier {}\n{t}", h.tier);
            })?;
        }
    }
    Ok(())
}
