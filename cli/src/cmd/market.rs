//! `starminer market`: prices per tier and class, queues per zone, price
//! history per tier.

use anyhow::{bail, Result};
use clap::Subcommand;
use cosmwasm_std::{Decimal, Uint128};
use serde::Serialize;
use starminer_client::contracts::format_unit_price;
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
    ///
    /// "spills at" is a zone's Matrix Spillover threshold: once that many
    /// jobs are open in a zone, its new jobs are offered to the neighbouring
    /// zones' providers too. Utilization is demand / supply of compute units
    /// in the epoch; "no supply" means no provider of the tier is online.
    Queues,
    /// Closed pricing epochs of one tier: demand, supply and utilization,
    /// the price multiplier during the epoch and the one it set for the next.
    ///
    /// Each epoch moves a tier's multiplier toward the utilization target:
    /// above it prices rise, below it they fall, within the governance
    /// bounds.
    History {
        /// The provider tier, 1 to 4.
        #[arg(long, default_value_t = 1)]
        tier: u8,
        /// How many of the newest epochs to show.
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
                let price = |d| format_unit_price(d, "AGPU");
                for tier in &p.tiers {
                    t.add_row(vec![
                        tier.tier.to_string(),
                        tier.multiplier.to_string(),
                        price(tier.prices.render),
                        price(tier.prices.hpc),
                        price(tier.prices.inference),
                        price(tier.prices.training),
                    ]);
                }
                println!("{t}");
                println!(
                    "(per compute unit, before the urgency multiplier; what a unit is depends on the \
                     template: `starminer job templates`, `starminer job quote`)"
                );
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
                        utilization_cell(x.demand, x.supply, x.utilization),
                    ]);
                }
                println!("{u}");
                println!("(spills at: open jobs at which a zone's new jobs are also offered to its neighbours; see --help)");
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
                        utilization_cell(e.demand, e.supply, e.utilization),
                        e.multiplier.to_string(),
                        e.next_multiplier.to_string(),
                    ]);
                }
                println!("tier {}\n{t}", h.tier);
                println!("(multiplier: the tier's price multiplier during the epoch; next: the one its utilization set for the following epoch)");
            })?;
        }
    }
    Ok(())
}

/// Utilization as a person reads it: a percentage, or why there is none.
/// With no supply the contract reports a sentinel (`Decimal::MAX`, or its
/// target when nothing was demanded either), which is not a measurement.
fn utilization_cell(demand: Uint128, supply: Uint128, utilization: Decimal) -> String {
    if supply.is_zero() {
        let why = if demand.is_zero() {
            "idle (no supply)"
        } else {
            "no supply"
        };
        return why.to_string();
    }
    // Tenths of a percent, rounded down.
    match utilization.checked_mul(Decimal::from_ratio(1000u128, 1u128)) {
        Ok(tenths) => {
            let t = tenths.to_uint_floor().u128();
            match t % 10 {
                0 => format!("{}%", t / 10),
                d => format!("{}.{d}%", t / 10),
            }
        }
        Err(_) => "off the scale".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utilization_never_prints_a_sentinel() {
        let u = |d: u128, s: u128, x: Decimal| utilization_cell(d.into(), s.into(), x);
        assert_eq!(u(5, 0, Decimal::MAX), "no supply");
        assert_eq!(u(0, 0, Decimal::percent(80)), "idle (no supply)");
        assert_eq!(u(1, 4, Decimal::percent(25)), "25%");
        assert_eq!(u(1, 3, Decimal::from_ratio(1u128, 3u128)), "33.3%");
    }
}
