//! `starminer gov`: parameter-change proposals, votes, execution, listing.

use anyhow::{bail, Context, Result};
use clap::{Subcommand, ValueEnum};
use cosmwasm_std::CosmosMsg;
use starminer_client::contracts::format_units;
use starminer_client::interfaces::governance::{self as gov, ProposalStatus, VoteOption};
use starminer_client::interfaces::{incentives, job_market, pricing, registry};
use starminer_deploy::plan::wasm_execute;

use crate::context::{table, Ctx};
use crate::GlobalArgs;

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Target {
    Governance,
    Registry,
    Pricing,
    Incentives,
    JobMarket,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Ballot {
    Yes,
    No,
    Abstain,
    Veto,
}

#[derive(Subcommand)]
pub enum GovCmd {
    /// Propose a parameter change: an `update_config` (or other
    /// governance-only) execute message of one contract, as JSON, checked
    /// against that contract's message type. The minimum deposit (AMAX) is sent.
    Propose {
        #[arg(long, value_enum)]
        contract: Target,
        /// e.g. '{"update_config":{"voting_period":600,...}}' (see the schema/ folder).
        #[arg(long)]
        msg: String,
        #[arg(long)]
        title: String,
        #[arg(long, default_value = "")]
        description: String,
        /// Key that signs (default: default_key of config.json).
        #[arg(long)]
        from: Option<String>,
    },
    /// Vote on an open proposal (changeable until voting ends).
    Vote {
        id: u64,
        #[arg(value_enum)]
        ballot: Ballot,
        /// Key that signs (default: default_key of config.json).
        #[arg(long)]
        from: Option<String>,
    },
    /// Execute a passed proposal after its timelock (anyone may).
    Execute {
        id: u64,
        /// Key that signs (default: default_key of config.json).
        #[arg(long)]
        from: Option<String>,
    },
    /// Proposals, newest last.
    List {
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// One proposal with its tally.
    Show { id: u64 },
}

fn check_msg(target: Target, json: &str) -> Result<serde_json::Value> {
    let v: serde_json::Value = serde_json::from_str(json).context("--msg is not valid JSON")?;
    let ok = match target {
        Target::Governance => serde_json::from_value::<gov::ExecuteMsg>(v.clone()).map(|_| ()),
        Target::Registry => serde_json::from_value::<registry::ExecuteMsg>(v.clone()).map(|_| ()),
        Target::Pricing => serde_json::from_value::<pricing::ExecuteMsg>(v.clone()).map(|_| ()),
        Target::Incentives => {
            serde_json::from_value::<incentives::ExecuteMsg>(v.clone()).map(|_| ())
        }
        Target::JobMarket => {
            serde_json::from_value::<job_market::ExecuteMsg>(v.clone()).map(|_| ())
        }
    };
    ok.with_context(|| {
        format!("--msg is not an execute message of the {target:?} contract (see schema/ for its shape)")
    })?;
    Ok(v)
}

fn status(s: &ProposalStatus) -> String {
    match s {
        ProposalStatus::ExecutionFailed { reason } => format!("execution failed: {reason}"),
        other => other.kind().as_str().to_string(),
    }
}

pub async fn run(g: &GlobalArgs, cmd: GovCmd) -> Result<()> {
    let ctx = Ctx::new(g)?;
    let sm = ctx.starminer()?;
    let governance = sm.governance();
    match cmd {
        GovCmd::Propose {
            contract,
            msg,
            title,
            description,
            from,
        } => {
            let v = check_msg(contract, &msg)?;
            let a = sm.addresses();
            let addr = match contract {
                Target::Governance => &a.governance,
                Target::Registry => &a.registry,
                Target::Pricing => &a.pricing,
                Target::Incentives => &a.incentives,
                Target::JobMarket => &a.job_market,
            };
            let msgs: Vec<CosmosMsg> = vec![wasm_execute(addr, &v)];
            let wallet = ctx.wallet(&from)?;
            let deposit = governance.config().await?.params.min_deposit.u128();
            let have = sm.amax().balance(wallet.address()).await?;
            if have < deposit {
                bail!(
                    "a proposal needs a deposit of {} AMAX; {} holds {}: {} AMAX is missing",
                    format_units(deposit),
                    wallet.address(),
                    format_units(have),
                    format_units(deposit - have)
                );
            }
            let (id, tx) = governance
                .propose(&wallet, &sm.amax(), deposit, &title, &description, msgs)
                .await?;
            let p = governance.proposal(id).await?;
            ctx.print(&serde_json::json!({"proposal_id": id, "tx": tx.hash, "voting_end": p.voting_end.seconds()}), |_| {
                println!("proposal {id} created; voting ends {}. Vote: starminer gov vote {id} yes", starminer_client::human::when(p.voting_end.seconds()))
            })?;
        }
        GovCmd::Vote { id, ballot, from } => {
            let wallet = ctx.wallet(&from)?;
            let vote = match ballot {
                Ballot::Yes => VoteOption::Yes,
                Ballot::No => VoteOption::No,
                Ballot::Abstain => VoteOption::Abstain,
                Ballot::Veto => VoteOption::NoWithVeto,
            };
            let tx = governance.vote(&wallet, id, vote).await?;
            ctx.print(&tx, |tx| {
                println!("voted {ballot:?} on proposal {id} in block {}", tx.height)
            })?;
        }
        GovCmd::Execute { id, from } => {
            let wallet = ctx.wallet(&from)?;
            let p = governance.proposal(id).await?;
            let now = sm.chain().status().await?.time;
            if now < p.executable_at.seconds() {
                bail!(
                    "proposal {id} can be executed {} (its timelock)",
                    starminer_client::human::until(p.executable_at.seconds(), now)
                );
            }
            governance.execute_proposal(&wallet, id).await?;
            let p = governance.proposal(id).await?;
            ctx.print(&p, |p| println!("proposal {id}: {}", status(&p.status)))?;
        }
        GovCmd::List { limit } => {
            let ps = governance.proposals(None, None, Some(limit)).await?;
            ctx.print(&ps, |ps| {
                if ps.is_empty() {
                    println!("No proposals.");
                    return;
                }
                let mut t = table(&[
                    "id",
                    "title",
                    "status",
                    "yes",
                    "no",
                    "abstain",
                    "veto",
                    "voting end",
                    "executable at",
                ]);
                for p in ps {
                    t.add_row(vec![
                        p.id.to_string(),
                        p.title.clone(),
                        status(&p.status),
                        format_units(p.tally.yes.u128()),
                        format_units(p.tally.no.u128()),
                        format_units(p.tally.abstain.u128()),
                        format_units(p.tally.no_with_veto.u128()),
                        starminer_client::human::when(p.voting_end.seconds()),
                        starminer_client::human::when(p.executable_at.seconds()),
                    ]);
                }
                println!("{t}");
            })?;
        }
        GovCmd::Show { id } => {
            let p = governance.proposal(id).await?;
            ctx.print(&p, |p| {
                let mut t = table(&["proposal", &p.id.to_string()]);
                t.add_row(vec!["title".into(), p.title.clone()]);
                t.add_row(vec!["description".into(), p.description.clone()]);
                t.add_row(vec!["proposer".into(), p.proposer.to_string()]);
                t.add_row(vec!["status".into(), status(&p.status)]);
                t.add_row(vec![
                    "tally".into(),
                    format!(
                        "yes {} · no {} · abstain {} · veto {} of {} AMAX",
                        format_units(p.tally.yes.u128()),
                        format_units(p.tally.no.u128()),
                        format_units(p.tally.abstain.u128()),
                        format_units(p.tally.no_with_veto.u128()),
                        format_units(p.total_power.u128())
                    ),
                ]);
                t.add_row(vec![
                    "messages".into(),
                    serde_json::to_string(&p.msgs).unwrap_or_default(),
                ]);
                println!("{t}");
            })?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proposal_messages_are_checked_against_the_contract() {
        assert!(check_msg(Target::Pricing, r#"{"poke":{}}"#).is_ok());
        assert!(check_msg(Target::Pricing, r#"{"nope":{}}"#).is_err());
        assert!(check_msg(Target::JobMarket, "not json").is_err());
    }
}
