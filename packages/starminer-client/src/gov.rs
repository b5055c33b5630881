//! The governance proposal flow, end to end: make sure the proposer has
//! voting power, propose with the minimum deposit, vote Yes, wait for the end
//! of voting and the timelock (block time), execute, and check the result.
//!
//! Voting power is read at the proposal's start height and stake added in
//! that same block does not count, so a fresh stake is followed by one block
//! before proposing.

use std::time::Duration;

use anyhow::{bail, Context, Result};
use cosmwasm_std::CosmosMsg;
use starminer_interfaces::governance::{ProposalStatus, VoteOption};

use crate::contracts::{format_units, Starminer};
use crate::wallet::Wallet;

/// A timestamp rounded up to whole seconds: block times are compared with
/// nanosecond precision, so waiting for the floor can be a block too early.
pub fn ceil_seconds(t: cosmwasm_std::Timestamp) -> u64 {
    t.seconds() + u64::from(t.subsec_nanos() > 0)
}

/// Progress of [`pass_proposal`], for spinners and logs.
#[derive(Clone, Debug)]
pub enum ProposalStep {
    Staked {
        amount: u128,
    },
    Proposed {
        id: u64,
    },
    Voted {
        id: u64,
    },
    /// Waiting for the chain's block time to reach `until` (unix seconds).
    Waiting {
        id: u64,
        until: u64,
        what: &'static str,
    },
    Executed {
        id: u64,
    },
}

/// Passes a proposal carrying `msgs` with `wallet`'s vote alone (enough when
/// it holds the stake that decides, as the deployer of a fresh chain does).
/// If the wallet has no AMAX staked, `stake` uamax are staked first. Returns
/// the proposal id once it is executed.
pub async fn pass_proposal(
    sm: &Starminer,
    wallet: &Wallet,
    title: &str,
    description: &str,
    msgs: Vec<CosmosMsg>,
    stake: u128,
    mut progress: impl FnMut(ProposalStep),
) -> Result<u64> {
    let gov = sm.governance();
    let amax = sm.amax();
    let params = gov.config().await?.params;
    let staked = gov.staked(wallet.address()).await?;
    let need = params.min_deposit.u128() + if staked == 0 { stake } else { 0 };
    let have = amax.balance(wallet.address()).await?;
    if have < need {
        bail!(
            "{} holds {} AMAX but a proposal needs {} AMAX ({} deposit{}): {} AMAX is missing",
            wallet.address(),
            format_units(have),
            format_units(need),
            format_units(params.min_deposit.u128()),
            if staked == 0 {
                " plus stake for voting power"
            } else {
                ""
            },
            format_units(need - have)
        );
    }
    if staked == 0 {
        if stake == 0 {
            bail!("{} has no AMAX staked, so its vote has no power: stake AMAX first (`starminer stake amax`)", wallet.address());
        }
        let tx = sm.stake_amax(wallet, stake).await?;
        progress(ProposalStep::Staked { amount: stake });
        // Power staked in the proposal's own block does not count.
        sm.chain()
            .wait_for_height(tx.height, Duration::from_secs(30))
            .await?;
    }
    let (id, _) = gov
        .propose(
            wallet,
            &amax,
            params.min_deposit.u128(),
            title,
            description,
            msgs,
        )
        .await?;
    progress(ProposalStep::Proposed { id });
    gov.vote(wallet, id, VoteOption::Yes).await?;
    progress(ProposalStep::Voted { id });
    let p = gov.proposal(id).await?;
    let slack = Duration::from_secs(120);
    let voting_end = ceil_seconds(p.voting_end);
    progress(ProposalStep::Waiting {
        id,
        until: voting_end,
        what: "end of voting",
    });
    sm.chain()
        .wait_for_time(
            voting_end,
            Duration::from_secs(params.voting_period) + slack,
        )
        .await?;
    let executable_at = ceil_seconds(p.executable_at);
    progress(ProposalStep::Waiting {
        id,
        until: executable_at,
        what: "end of the timelock",
    });
    sm.chain()
        .wait_for_time(executable_at, Duration::from_secs(params.timelock) + slack)
        .await?;
    // The block that runs the execute must be past the timelock too.
    let now = sm.chain().status().await?;
    sm.chain()
        .wait_for_height(now.height, Duration::from_secs(30))
        .await?;
    let executed = gov.execute_proposal(wallet, id).await;
    let p = gov
        .proposal(id)
        .await
        .with_context(|| format!("reading proposal {id}"))?;
    match (&p.status, executed) {
        (ProposalStatus::Executed, _) => {
            progress(ProposalStep::Executed { id });
            Ok(id)
        }
        (ProposalStatus::ExecutionFailed { reason }, _) => {
            bail!("proposal {id} passed but its execution failed: {reason}")
        }
        (status, Err(e)) => bail!("proposal {id} is {status:?}; executing it failed: {e:#}"),
        (status, Ok(_)) => bail!("proposal {id} ended {status:?}, not executed"),
    }
}
