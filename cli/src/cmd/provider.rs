//! `starminer provider`: the registry's view of providers and validators.

use anyhow::{Context, Result};
use clap::Subcommand;
use serde::Serialize;
use starminer_client::contracts::format_units;
use starminer_client::interfaces::registry::{self as reg, ProviderStatus};

use crate::context::{table, Ctx};
use crate::GlobalArgs;

#[derive(Subcommand)]
pub enum ProviderCmd {
    /// Registered providers and validators (optionally of one zone).
    List {
        #[arg(long)]
        zone: Option<String>,
        #[arg(long, default_value_t = 100)]
        limit: u32,
    },
    /// One provider's full record.
    Show {
        /// Key name or address.
        who: String,
    },
    /// Totals of the registry and the job market.
    Stats,
}

fn status(s: &ProviderStatus) -> String {
    match s {
        ProviderStatus::Active => "active".into(),
        ProviderStatus::Jailed { until } => {
            format!(
                "jailed until {}",
                starminer_client::human::when(until.seconds())
            )
        }
        ProviderStatus::Unbonding { until } => {
            format!(
                "unbonding until {}",
                starminer_client::human::when(until.seconds())
            )
        }
    }
}

fn roles(p: &reg::Provider) -> String {
    p.active_roles
        .iter()
        .map(|r| format!("{r:?}").to_lowercase())
        .collect::<Vec<_>>()
        .join(",")
}

pub async fn run(g: &GlobalArgs, cmd: ProviderCmd) -> Result<()> {
    let ctx = Ctx::new(g)?;
    let sm = ctx.starminer()?;
    let registry = sm.registry();
    match cmd {
        ProviderCmd::List { zone, limit } => {
            let providers: Vec<reg::Provider> = match zone {
                Some(zone) => {
                    let r: reg::ProvidersResponse = registry
                        .query(&reg::QueryMsg::ProvidersByZone {
                            zone,
                            start_after: None,
                            limit: Some(limit),
                        })
                        .await?;
                    r.providers
                }
                None => registry.providers(None, Some(limit)).await?,
            };
            ctx.print(&providers, |ps| {
                if ps.is_empty() {
                    println!("No providers registered yet.");
                    return;
                }
                let mut t = table(&[
                    "address",
                    "moniker",
                    "zone",
                    "roles",
                    "tier",
                    "reputation",
                    "bonded (AGPU)",
                    "jobs done",
                    "status",
                ]);
                for p in ps {
                    t.add_row(vec![
                        p.address.to_string(),
                        p.moniker.clone(),
                        p.zone.clone(),
                        roles(p),
                        p.tier.to_string(),
                        p.reputation.to_string(),
                        format_units(p.bonded.u128()),
                        p.counters.jobs_done.to_string(),
                        status(&p.status),
                    ]);
                }
                println!("{t}");
            })?;
        }
        ProviderCmd::Show { who } => {
            let address = ctx.resolve_address(&who)?;
            let p = registry
                .provider(&address)
                .await?
                .with_context(|| format!("{address} is not registered in the registry"))?;
            let now = sm.chain().status().await?.time;
            ctx.print(&p, |p| {
                let mut t = table(&["provider", p.address.as_str()]);
                t.add_row(vec!["moniker".into(), p.moniker.clone()]);
                t.add_row(vec![
                    "region / zone".into(),
                    format!("{} / {}", p.region, p.zone),
                ]);
                t.add_row(vec!["roles (active)".into(), roles(p)]);
                t.add_row(vec!["status".into(), status(&p.status)]);
                t.add_row(vec!["tier".into(), p.tier.to_string()]);
                t.add_row(vec!["reputation".into(), p.reputation.to_string()]);
                t.add_row(vec![
                    "last heartbeat".into(),
                    p.last_heartbeat
                        .map(|h| starminer_client::human::ago(h.seconds(), now))
                        .unwrap_or_else(|| "none yet".into()),
                ]);
                t.add_row(vec![
                    "benchmark".into(),
                    format!(
                        "claimed {} · verified {}",
                        p.benchmark.claimed_score, p.benchmark.verified_score
                    ),
                ]);
                t.add_row(vec![
                    "bonded / locked".into(),
                    format!(
                        "{} / {} AGPU",
                        format_units(p.bonded.u128()),
                        format_units(p.locked.u128())
                    ),
                ]);
                let c = &p.counters;
                t.add_row(vec![
                    "jobs".into(),
                    format!(
                        "done {} · failed {} · timed out {} · slashed {} · units {}",
                        c.jobs_done,
                        c.jobs_failed,
                        c.jobs_timed_out,
                        c.times_slashed,
                        c.units_computed
                    ),
                ]);
                t.add_row(vec![
                    "result server".into(),
                    p.result_server_url.clone().unwrap_or_default(),
                ]);
                for (i, d) in p.hardware.iter().enumerate() {
                    t.add_row(vec![
                        format!("device {i}"),
                        format!(
                            "{} {} · {} CUs · {} MiB · {} MHz · {}",
                            d.vendor,
                            d.name,
                            d.compute_units,
                            d.global_mem_bytes.u64() >> 20,
                            d.max_clock_mhz,
                            d.opencl_version
                        ),
                    ]);
                }
                println!("{t}");
            })?;
        }
        ProviderCmd::Stats => {
            let totals: reg::TotalsResponse = registry.query(&reg::QueryMsg::Totals {}).await?;
            let validators: reg::ValidatorTotalsResponse =
                registry.query(&reg::QueryMsg::ValidatorTotals {}).await?;
            let market = sm.job_market().stats().await?;
            #[derive(Serialize)]
            struct Stats {
                registry: reg::TotalsResponse,
                validators: reg::ValidatorTotalsResponse,
                market: starminer_client::interfaces::job_market::StatsResponse,
            }
            let s = Stats {
                registry: totals,
                validators,
                market,
            };
            ctx.print(&s, |s| {
                let mut t = table(&["", ""]);
                t.add_row(vec![
                    "registered addresses".into(),
                    s.registry.providers.to_string(),
                ]);
                t.add_row(vec![
                    "bonded AGPU".into(),
                    format_units(s.registry.total_bonded.u128()),
                ]);
                t.add_row(vec![
                    "unbonding AGPU".into(),
                    format_units(s.registry.total_claims.u128()),
                ]);
                t.add_row(vec![
                    "validators".into(),
                    format!(
                        "{} of {} (stake {} AGPU)",
                        s.validators.count,
                        s.validators.max_validators,
                        format_units(s.validators.total_stake.u128())
                    ),
                ]);
                t.add_row(vec!["jobs".into(), s.market.jobs.to_string()]);
                for c in &s.market.by_status {
                    t.add_row(vec![
                        format!("  {:?}", c.status).to_lowercase(),
                        c.count.to_string(),
                    ]);
                }
                let m = &s.market.totals;
                t.add_row(vec![
                    "escrowed AGPU".into(),
                    format_units(m.escrowed.u128()),
                ]);
                t.add_row(vec![
                    "paid to providers".into(),
                    format_units(m.provider_payouts.u128()),
                ]);
                t.add_row(vec![
                    "verifier fees".into(),
                    format_units(m.verifier_fees.u128()),
                ]);
                t.add_row(vec![
                    "protocol fees".into(),
                    format_units(m.protocol_fees.u128()),
                ]);
                t.add_row(vec!["slashed".into(), format_units(m.slashed.u128())]);
                println!("{t}");
            })?;
        }
    }
    Ok(())
}
