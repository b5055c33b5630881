//! Settlement, replication rounds, requeues and lease expiry. Every path
//! here touches one job and its at most `k` slots and `verifiers` entries:
//! O(1) in the number of open jobs.

use std::collections::BTreeMap;

use cosmwasm_std::{
    Addr, CosmosMsg, DepsMut, Env, Event, MessageInfo, Response, Storage, Uint128, Uint64,
};
use starminer_interfaces::incentives::ExecuteMsg as IncentivesMsg;
use starminer_interfaces::job_market::{Job, JobStatus};
use starminer_interfaces::market::VerificationMode;
use starminer_interfaces::registry::JobOutcome;

use crate::error::ContractError;
use crate::execute::result::{ensure_no_report_by, reject_bad_input, slot_of};
use crate::execute::verify::{execute_resolve_challenge, release_all_duties};
use crate::execute::{
    disburse, event, incentives_exec, load_job, outcome_msg, slash_msgs, unlock_msg,
    valid_attesters, wrong_status, Disbursement,
};
use crate::logic::fee_split;
use crate::state::{save_job, Config, BAD_INPUT, CONFIG, MAX_CREDITED, PARAMS, VOTER_CREDITS};

use crate::execute::verify::Effects;

/// Why a submitted job cannot settle now (None: it can).
fn settle_blocker(job: &Job, env: &Env) -> Option<String> {
    if job.status != JobStatus::Submitted {
        return Some(format!("it is {:?}", job.status));
    }
    let v = job.verification.as_ref()?;
    if let Some(draw_at) = v.draw_at {
        return Some(format!(
            "its verifiers wait for beacon reveal {draw_at} (DrawVerifiers)"
        ));
    }
    if v.dispute.is_some() {
        return Some("a dispute is open".into());
    }
    if v.challenges.iter().any(|c| c.answer.is_none()) {
        return Some("a chunk challenge is unanswered".into());
    }
    if let Some(reason) = crate::execute::decoy::reveal_blocker(v) {
        return Some(reason);
    }
    if crate::execute::decoy::revealed(v) {
        // Revealed only once the attestations were in or closed.
        return None;
    }
    let all_attested = !v.verifiers.is_empty() && v.all_attested();
    if env.block.time < v.challenge_deadline && !all_attested {
        return Some(format!(
            "the challenge window closes at {}",
            v.challenge_deadline.seconds()
        ));
    }
    None
}

/// Settles at once when every verifier has attested and nothing is open
/// (auto-settlement); otherwise does nothing.
pub fn settle_if_ready(
    storage: &mut dyn Storage,
    env: &Env,
    job: &mut Job,
) -> Result<Effects, ContractError> {
    let ready = job.verification.as_ref().is_some_and(|v| {
        crate::execute::decoy::revealed(v) || (!v.verifiers.is_empty() && v.all_attested())
    });
    if ready && settle_blocker(job, env).is_none() {
        settle_submitted(storage, env, job)
    } else {
        Ok((vec![], vec![]))
    }
}

/// Pays a verified single-provider job: the provider its compute cost less
/// the protocol fee, each verifier that attested Valid its fee, the treasury
/// the fee, the requester the rest (unassigned or silent verifiers' fees).
pub fn settle_submitted(
    storage: &mut dyn Storage,
    env: &Env,
    job: &mut Job,
) -> Result<Effects, ContractError> {
    let config = CONFIG.load(storage)?;
    let params = PARAMS.load(storage)?;
    let provider = job
        .slots
        .first()
        .cloned()
        .ok_or(ContractError::NotSlotProvider { job_id: job.id })?;
    let (payout, fee) = fee_split(job.quote.compute_cost, params.protocol_fee_rate);
    let paid_verifiers = valid_attesters(job);
    let mut msgs = disburse(
        storage,
        &config,
        job,
        Disbursement {
            providers: vec![(provider.provider.clone(), payout)],
            verifiers: paid_verifiers
                .iter()
                .map(|a| (a.clone(), job_fee(job)))
                .collect(),
            protocol_fee: fee,
            bad_input_fee: None,
        },
    )?;
    // Voters and challengers that decided a dispute of this job ride on the
    // fee it paid.
    let mut credited = paid_verifiers.clone();
    for a in VOTER_CREDITS.may_load(storage, job.id)?.unwrap_or_default() {
        if credited.len() < MAX_CREDITED && !credited.contains(&a) {
            credited.push(a);
        }
    }
    VOTER_CREDITS.remove(storage, job.id);
    msgs.extend(success_msgs(
        &config,
        job,
        &provider.provider,
        provider.collateral,
        fee,
        &credited,
    )?);
    // Every verifier's duty ends: release the locks not slashed.
    msgs.extend(release_all_duties(storage, &config, job.id)?);
    job.status = JobStatus::Settled;
    let s = job.settlement.clone().unwrap_or_default();
    let ev = event(
        storage,
        env,
        job,
        "settled",
        None,
        format!(
            "payout={} verifier_fees={} protocol_fee={} refund={}",
            s.provider_payouts, s.verifier_fees, s.protocol_fee, s.refund
        ),
    )?;
    Ok((msgs, vec![ev]))
}

fn job_fee(job: &Job) -> Uint128 {
    job.quote.verifier_fee
}

/// Unlock, reputation up, and the settlement to incentives: units, the
/// protocol fee this replica paid and the verifiers paid for it (emissions
/// are bounded by that fee, so self-dealing cannot farm them: H4).
fn success_msgs(
    config: &Config,
    job: &Job,
    provider: &Addr,
    collateral: Uint128,
    protocol_fee: Uint128,
    paid_verifiers: &[Addr],
) -> Result<Vec<CosmosMsg>, ContractError> {
    let units = Uint64::new(u64::try_from(job.units.u128()).unwrap_or(u64::MAX));
    let mut msgs = Vec::new();
    if !collateral.is_zero() {
        msgs.push(unlock_msg(config, provider, job.id)?);
    }
    msgs.push(outcome_msg(
        config,
        provider,
        JobOutcome::Success { units },
    )?);
    msgs.push(incentives_exec(
        config,
        &IncentivesMsg::RecordSettlement {
            provider: provider.to_string(),
            units: job.units,
            protocol_fee,
            verification: job.spec.verification.clone(),
            verifiers: paid_verifiers.iter().map(|v| v.to_string()).collect(),
        },
    )?);
    Ok(msgs)
}

/// After the current attempt failed (slots already slashed or released and
/// removed by the caller): back to Open while the deadline still leaves a
/// full lease (C1: a job nobody could finish in time is not offered), else
/// the job ends as `terminal` with every remaining slot released and a full
/// refund.
pub fn reopen_or_close(
    storage: &mut dyn Storage,
    env: &Env,
    config: &Config,
    job: &mut Job,
    terminal: JobStatus,
) -> Result<Effects, ContractError> {
    // The attempt's verification ends: its verifiers and voters are free.
    let released = release_all_duties(storage, config, job.id)?;
    job.result = None;
    job.verification = None;
    job.reveal_deadline = None;
    let params = PARAMS.load(storage)?;
    if crate::execute::claim::lease_that_fits(storage, env, &params, job).is_ok() {
        job.status = JobStatus::Open;
        job.requeues = job.requeues.saturating_add(1);
        let ev = event(
            storage,
            env,
            job,
            "requeued",
            None,
            format!("requeues={}", job.requeues),
        )?;
        return Ok((released, vec![ev]));
    }
    let mut msgs = released;
    msgs.extend(crate::execute::replicas::release_applicants(
        storage, config, job,
    )?);
    for slot in job.slots.drain(..) {
        if !slot.collateral.is_zero() {
            msgs.push(unlock_msg(config, &slot.provider, job.id)?);
        }
    }
    msgs.extend(disburse(storage, config, job, Disbursement::default())?);
    // No fee was paid: nothing backs the voters' credits.
    VOTER_CREDITS.remove(storage, job.id);
    job.status = terminal.clone();
    let action = if terminal == JobStatus::Expired {
        "expired"
    } else {
        "failed"
    };
    let refund = job
        .settlement
        .as_ref()
        .map(|s| s.refund)
        .unwrap_or_default();
    let ev = event(storage, env, job, action, None, format!("refund={refund}"))?;
    Ok((msgs, vec![ev]))
}

/// Decides a replicated job's reveal round. A root revealed by a strict
/// majority of the k slots wins: its providers are paid, dissenters are
/// slashed (to the requester), slots that never revealed are slashed as
/// timeouts, the unpaid replicas are refunded. Without a majority nobody is
/// paid, silent slots are slashed and the job goes back to Open (or fails).
pub fn finalize_replicated(
    storage: &mut dyn Storage,
    env: &Env,
    job: &mut Job,
) -> Result<(Vec<CosmosMsg>, Vec<Event>, &'static str), ContractError> {
    let config = CONFIG.load(storage)?;
    let params = PARAMS.load(storage)?;
    let k = usize::from(job.spec.verification.replication());
    let mut votes: BTreeMap<&str, usize> = BTreeMap::new();
    for s in &job.slots {
        if let Some(r) = &s.result {
            *votes.entry(r.root.as_str()).or_default() += 1;
        }
    }
    let winner = votes
        .iter()
        .find(|(_, n)| **n * 2 > k)
        .map(|(root, _)| root.to_string());
    let mut msgs = Vec::new();
    let mut events = Vec::new();
    let slots = job.slots.clone();
    // Penalties: silent slots always; dissenters when there is a majority.
    for s in &slots {
        let outcome = match (&s.result, &winner) {
            (None, _) => Some(JobOutcome::Timeout),
            (Some(r), Some(w)) if r.root != *w => Some(JobOutcome::Slashed),
            _ => None,
        };
        if let Some(outcome) = outcome {
            msgs.extend(slash_msgs(
                storage,
                &config,
                &s.provider,
                Some(job.id),
                s.collateral,
                Some(&job.requester),
            )?);
            msgs.push(outcome_msg(&config, &s.provider, outcome)?);
            events.push(event(
                storage,
                env,
                job,
                "provider_slashed",
                Some(&s.provider),
                format!("collateral={}", s.collateral),
            )?);
        }
    }
    let Some(winner) = winner else {
        // No majority: release the revealers, start over.
        for s in &slots {
            if s.result.is_some() && !s.collateral.is_zero() {
                msgs.push(unlock_msg(&config, &s.provider, job.id)?);
            }
        }
        job.slots.clear();
        let (more, evs) = reopen_or_close(storage, env, &config, job, JobStatus::Failed)?;
        msgs.extend(more);
        events.extend(evs);
        return Ok((msgs, events, "no_majority"));
    };
    let (payout, fee) = fee_split(job.quote.compute_cost, params.protocol_fee_rate);
    let winners: Vec<_> = slots
        .iter()
        .filter(|s| s.result.as_ref().is_some_and(|r| r.root == winner))
        .collect();
    let n = Uint128::from(winners.len() as u128);
    job.result = winners.first().and_then(|s| s.result.clone());
    msgs.extend(disburse(
        storage,
        &config,
        job,
        Disbursement {
            providers: winners
                .iter()
                .map(|s| (s.provider.clone(), payout))
                .collect(),
            verifiers: vec![],
            protocol_fee: fee.checked_mul(n)?,
            bad_input_fee: None,
        },
    )?);
    for s in &winners {
        msgs.extend(success_msgs(
            &config,
            job,
            &s.provider,
            s.collateral,
            fee,
            &[],
        )?);
    }
    job.status = JobStatus::Settled;
    let refund = job
        .settlement
        .as_ref()
        .map(|s| s.refund)
        .unwrap_or_default();
    events.push(event(
        storage,
        env,
        job,
        "settled",
        None,
        format!(
            "root={winner} replicas_paid={} refund={refund}",
            winners.len()
        ),
    )?);
    Ok((msgs, events, "settled"))
}

pub fn execute_settle(deps: DepsMut, env: Env, job_id: u64) -> Result<Response, ContractError> {
    let mut job = load_job(deps.storage, job_id)?;
    let old = job.status.clone();
    let (msgs, events, outcome) = match job.status {
        JobStatus::Revealing => {
            let all_revealed = job.slots.iter().all(|s| s.result.is_some());
            let closed = job.reveal_deadline.is_some_and(|d| env.block.time > d);
            if !all_revealed && !closed {
                return Err(ContractError::NotSettleable {
                    job_id,
                    reason: "reveals are still open".into(),
                });
            }
            finalize_replicated(deps.storage, &env, &mut job)?
        }
        JobStatus::Submitted => {
            if job
                .verification
                .as_ref()
                .is_some_and(|v| v.draw_at.is_some())
            {
                // Draw now if the beacon value exists (nothing else can
                // happen before), or give up on a stalled beacon.
                return resolve_pending_draw(deps, env, job_id);
            }
            if let Some((m, e)) =
                crate::execute::decoy::convict_unrevealed(deps.storage, &env, &mut job)?
            {
                (m, e, "provider_convicted")
            } else {
                if let Some(reason) = settle_blocker(&job, &env) {
                    return Err(ContractError::NotSettleable { job_id, reason });
                }
                let (m, e) = settle_submitted(deps.storage, &env, &mut job)?;
                (m, e, "settled")
            }
        }
        _ => return Err(wrong_status(&job, "Submitted or Revealing")),
    };
    save_job(deps.storage, Some(&old), &job)?;
    Ok(Response::new()
        .add_messages(msgs)
        .add_events(events)
        .add_attribute("action", outcome)
        .add_attribute("job_id", job_id.to_string()))
}

/// Anyone, after a lease passed without a result (single: no result;
/// replicated: no commitment): the provider's collateral is slashed to the
/// requester and a timeout recorded; the job goes back to Open while its
/// deadline allows, else ends Expired with a full refund. An open job whose
/// deadline passed expires the same way.
pub fn execute_expire(deps: DepsMut, env: Env, job_id: u64) -> Result<Response, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let mut job = load_job(deps.storage, job_id)?;
    if !matches!(job.status, JobStatus::Open | JobStatus::Assigned) {
        return Err(wrong_status(&job, "Open or Assigned"));
    }
    let now = env.block.time;
    // A bad-input report left unjudged past its window counts as false: the
    // reporter's bond goes to the requester (H1). While it is judged, the
    // reporter's lease does not run out.
    let pending = BAD_INPUT.may_load(deps.storage, job_id)?;
    if let Some(report) = &pending {
        if now > report.deadline {
            BAD_INPUT.remove(deps.storage, job_id);
            let old = job.status.clone();
            let (msgs, events) = reject_bad_input(deps.storage, &env, &config, &mut job, report)?;
            save_job(deps.storage, Some(&old), &job)?;
            return Ok(Response::new()
                .add_messages(msgs)
                .add_events(events)
                .add_attribute("action", "bad_input_rejected")
                .add_attribute("job_id", job_id.to_string())
                .add_attribute("reporter", report.reporter.as_str()));
        }
    }
    let judged = pending.map(|r| r.reporter);
    let replicated = matches!(job.spec.verification, VerificationMode::Replicated { .. });
    let (late, kept): (Vec<_>, Vec<_>) = job.slots.clone().into_iter().partition(|s| {
        let delivered = if replicated {
            s.commitment.is_some()
        } else {
            s.result.is_some()
        };
        now > s.lease_deadline && !delivered && judged.as_ref() != Some(&s.provider)
    });
    // An open job whose deadline no longer leaves a full lease can never be
    // claimed again (C1): it ends now, refunded, rather than at its deadline.
    let params = PARAMS.load(deps.storage)?;
    let deadline_passed = now >= job.spec.deadline
        || crate::execute::claim::lease_that_fits(deps.storage, &env, &params, &job).is_err();
    if late.is_empty() && !(deadline_passed && job.status == JobStatus::Open) {
        return Err(ContractError::NothingToExpire { job_id });
    }
    let old = job.status.clone();
    let mut msgs = Vec::new();
    let mut events = Vec::new();
    for s in &late {
        msgs.extend(slash_msgs(
            deps.storage,
            &config,
            &s.provider,
            Some(job_id),
            s.collateral,
            Some(&job.requester),
        )?);
        msgs.push(outcome_msg(&config, &s.provider, JobOutcome::Timeout)?);
        events.push(event(
            deps.storage,
            &env,
            &job,
            "lease_expired",
            Some(&s.provider),
            format!("collateral={}", s.collateral),
        )?);
    }
    job.slots = kept;
    let (more, evs) = reopen_or_close(deps.storage, &env, &config, &mut job, JobStatus::Expired)?;
    if job.status.is_terminal() {
        // The job ended (every slot released): no report is left to judge.
        BAD_INPUT.remove(deps.storage, job_id);
    }
    msgs.extend(more);
    events.extend(evs);
    save_job(deps.storage, Some(&old), &job)?;
    let action = if job.status == JobStatus::Open {
        "requeued"
    } else {
        "expired"
    };
    Ok(Response::new()
        .add_messages(msgs)
        .add_events(events)
        .add_attribute("action", action)
        .add_attribute("job_id", job_id.to_string())
        .add_attribute("timed_out", late.len().to_string()))
}

/// `Settle` on a job whose verifiers are not drawn: draws them if the beacon
/// value exists, fails the job with a refund if it waited past
/// `draw_timeout`, else explains what it waits for.
fn resolve_pending_draw(deps: DepsMut, env: Env, job_id: u64) -> Result<Response, ContractError> {
    match execute_resolve_challenge(deps, env, job_id) {
        Err(ContractError::NothingToResolve { .. }) => Err(ContractError::NotSettleable {
            job_id,
            reason: "its verifiers wait for the beacon (DrawVerifiers once it is revealed)".into(),
        }),
        other => other,
    }
}

/// The lease holder gives its slot up before delivering (single: no
/// result; replicated: no commitment) and before its lease ends. It loses
/// `abandon_slash_rate` of its collateral to the requester (less than the
/// full-collateral slash of a timeout, so telling early pays), a timeout is
/// recorded, the rest of its collateral is released, and the slot reopens
/// at once, or the job ends Expired with a refund when its deadline no
/// longer leaves a full lease.
pub fn execute_abandon(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    job_id: u64,
) -> Result<Response, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let params = PARAMS.load(deps.storage)?;
    let mut job = load_job(deps.storage, job_id)?;
    if !matches!(job.status, JobStatus::Open | JobStatus::Assigned) {
        return Err(wrong_status(&job, "Open or Assigned"));
    }
    let i = slot_of(&job, &info.sender)?;
    ensure_no_report_by(deps.storage, job_id, &info.sender)?;
    let slot = &job.slots[i];
    if slot.commitment.is_some() || slot.result.is_some() {
        return Err(ContractError::AlreadySubmitted { job_id });
    }
    if env.block.time > slot.lease_deadline {
        return Err(ContractError::LeaseExpired {
            job_id,
            lease_deadline: slot.lease_deadline,
        });
    }
    let old = job.status.clone();
    let slot = job.slots.remove(i);
    let slash = slot
        .collateral
        .mul_floor(params.abandon_slash_rate)
        .min(slot.collateral);
    let mut msgs = slash_msgs(
        deps.storage,
        &config,
        &slot.provider,
        Some(job_id),
        slash,
        Some(&job.requester),
    )?;
    if slot.collateral > slash {
        // The registry keeps the rest of the lock after the slash; release it.
        msgs.push(unlock_msg(&config, &slot.provider, job_id)?);
    }
    msgs.push(outcome_msg(&config, &slot.provider, JobOutcome::Timeout)?);
    let mut events = vec![event(
        deps.storage,
        &env,
        &job,
        "abandoned",
        Some(&slot.provider),
        format!("slashed={slash} released={}", slot.collateral - slash),
    )?];
    let (more, evs) = reopen_or_close(deps.storage, &env, &config, &mut job, JobStatus::Expired)?;
    msgs.extend(more);
    events.extend(evs);
    save_job(deps.storage, Some(&old), &job)?;
    let outcome = if job.status == JobStatus::Open {
        "requeued"
    } else {
        "expired"
    };
    Ok(Response::new()
        .add_messages(msgs)
        .add_events(events)
        .add_attribute("action", "abandoned")
        .add_attribute("job_id", job_id.to_string())
        .add_attribute("provider", slot.provider)
        .add_attribute("slashed", slash)
        .add_attribute("outcome", outcome))
}
