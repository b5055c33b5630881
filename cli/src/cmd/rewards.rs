//! `starminer rewards`: AGPU emissions (claim, pending, history).

use anyhow::{bail, Result};
use clap::Subcommand;
use serde::Serialize;
use starminer_client::contracts::{format_token, format_units};
use starminer_client::interfaces::incentives as inc;

use crate::context::{table, Ctx};
use crate::GlobalArgs;

#[derive(Subcommand)]
pub enum RewardsCmd {
    /// Mint the key's rewards of closed epochs.
    Claim {
        /// Key that signs (default: default_key of config.json).
        #[arg(long)]
        from: Option<String>,
    },
    /// What a claim would mint now.
    Pending {
        /// Key name or address (default: --from).
        who: Option<String>,
        /// Key that signs (default: default_key of config.json).
        #[arg(long)]
        from: Option<String>,
    },
    /// Emitted and claimed AGPU per epoch, and the totals.
    History {
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
}

pub async fn run(g: &GlobalArgs, cmd: RewardsCmd) -> Result<()> {
    let ctx = Ctx::new(g)?;
    let sm = ctx.starminer()?;
    let incentives = sm.incentives();
    match cmd {
        RewardsCmd::Claim { from } => {
            let wallet = ctx.wallet(&from)?;
            let pending = incentives.pending_rewards(wallet.address()).await?;
            if pending.amount.is_zero() {
                bail!("{} has no rewards to claim yet: rewards of an epoch are claimable once it closes", wallet.address());
            }
            let before = sm.agpu().balance(wallet.address()).await?;
            let tx = incentives.claim(&wallet).await?;
            let after = sm.agpu().balance(wallet.address()).await?;
            ctx.print(&tx, |_| {
                println!(
                    "claimed {} AGPU from {} epoch(s){}",
                    format_units(after.saturating_sub(before)),
                    pending.epochs,
                    if pending.more {
                        "; more epochs wait: claim again"
                    } else {
                        ""
                    }
                )
            })?;
        }
        RewardsCmd::Pending { who, from } => {
            let who = match who {
                Some(w) => w,
                None => ctx.key_name(&from)?,
            };
            let address = ctx.resolve_address(&who)?;
            let p = incentives.pending_rewards(&address).await?;
            ctx.print(&p, |p| {
                println!(
                    "{} AGPU claimable from {} epoch(s){}",
                    format_units(p.amount.u128()),
                    p.epochs,
                    if p.more { " (and more after that)" } else { "" }
                )
            })?;
        }
        RewardsCmd::History { limit } => {
            let epochs = incentives.emissions(None, Some(limit)).await?;
            let current = incentives.current_epoch().await?;
            let totals = incentives.totals().await?;
            #[derive(Serialize)]
            struct History {
                current: inc::EpochInfo,
                epochs: Vec<inc::EpochEmission>,
                totals: inc::TotalsResponse,
            }
            let h = History {
                current,
                epochs,
                totals,
            };
            ctx.print(&h, |h| {
                println!(
                    "epoch {} (ends {}), planned emission {}",
                    h.current.epoch,
                    starminer_client::human::when(h.current.ends_at.seconds()),
                    format_token(h.current.emission.u128(), "AGPU")
                );
                let mut t = table(&[
                    "epoch",
                    "emitted",
                    "claimed",
                    "provider weight",
                    "verifier weight",
                ]);
                for e in &h.epochs {
                    t.add_row(vec![
                        e.epoch.to_string(),
                        format_units(e.emitted.u128()),
                        format_units(e.claimed.u128()),
                        e.provider_weight.to_string(),
                        e.verifier_weight.to_string(),
                    ]);
                }
                println!("{t}");
                println!(
                    "minted {} AGPU · claimed {} · reserved {} · cap remaining {}",
                    format_units(h.totals.minted.u128()),
                    format_units(h.totals.claimed.u128()),
                    format_units(h.totals.reserved.u128()),
                    format_units(h.totals.cap_remaining.u128())
                );
            })?;
        }
    }
    Ok(())
}
