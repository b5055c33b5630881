//! Results: single-provider `SubmitResult`, replicated commit–reveal, and
//! bad-input reports.

use cosmwasm_std::{Addr, Binary, DepsMut, Env, MessageInfo, Response, Uint128};
use starminer_interfaces::job_market::{Job, JobResult, JobStatus, Template, Verification};
use starminer_interfaces::market::VerificationMode;

use crate::error::ContractError;
use crate::execute::settle::finalize_replicated;
use crate::execute::verify::assign_spot_checkers;
use crate::execute::{disburse, event, load_job, unlock_msg, wrong_status, Disbursement};
use crate::logic::{fee_split, parse_hash, result_commitment};
use crate::state::{save_job, CONFIG, PARAMS, TEMPLATES};
use crate::validate::is_hex_hash;

/// The slot index of `sender` in `job`.
fn slot_of(job: &Job, sender: &Addr) -> Result<usize, ContractError> {
    job.slots
        .iter()
        .position(|s| s.provider == *sender)
        .ok_or(ContractError::NotSlotProvider { job_id: job.id })
}

/// Checks a result's shape against the template's chunking rule.
fn check_result(
    template: &Template,
    root: &str,
    chunk_count: u64,
    output_size: u64,
    output_uri: &str,
    max_uri_len: u32,
) -> Result<(), ContractError> {
    if !is_hex_hash(root) {
        return Err(ContractError::InvalidResult {
            reason: "root must be 64 hex characters".into(),
        });
    }
    let expected = starminer_merkle::chunk_count(output_size, template.chunk_size);
    if chunk_count != expected {
        return Err(ContractError::InvalidResult {
            reason: format!(
                "{output_size} bytes in chunks of {} make {expected} chunks, not {chunk_count}",
                template.chunk_size
            ),
        });
    }
    if output_uri.is_empty() || output_uri.len() > max_uri_len as usize {
        return Err(ContractError::InvalidResult {
            reason: format!("output_uri must be 1-{max_uri_len} characters"),
        });
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
pub fn execute_submit_result(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    job_id: u64,
    root: String,
    chunk_count: u64,
    output_size: u64,
    output_uri: String,
) -> Result<Response, ContractError> {
    let params = PARAMS.load(deps.storage)?;
    let mut job = load_job(deps.storage, job_id)?;
    if matches!(job.spec.verification, VerificationMode::Replicated { .. }) {
        return Err(ContractError::UseCommitReveal { job_id });
    }
    if job.status != JobStatus::Assigned {
        return Err(wrong_status(&job, "Assigned"));
    }
    let i = slot_of(&job, &info.sender)?;
    let lease_deadline = job.slots[i].lease_deadline;
    if env.block.time > lease_deadline {
        return Err(ContractError::LeaseExpired {
            job_id,
            lease_deadline,
        });
    }
    let template = TEMPLATES.load(deps.storage, &job.spec.template)?;
    let root = root.to_lowercase();
    check_result(
        &template,
        &root,
        chunk_count,
        output_size,
        &output_uri,
        params.limits.max_uri_len,
    )?;
    let result = JobResult {
        root: root.clone(),
        chunk_count,
        output_size,
        output_uri,
        submitted_at: env.block.time,
    };
    job.slots[i].result = Some(result.clone());
    job.result = Some(result);
    let verifiers = match job.spec.verification {
        VerificationMode::SpotCheck { verifiers } => {
            assign_spot_checkers(deps.as_ref(), &env, &job, &root, verifiers)?
        }
        _ => vec![],
    };
    job.verification = Some(Verification {
        challenge_deadline: env.block.time.plus_seconds(params.challenge_window),
        verifiers,
        challenges: vec![],
        dispute: None,
    });
    let old = job.status.clone();
    job.status = JobStatus::Submitted;
    crate::execute::verify::index_verifiers(deps.storage, &job)?;
    save_job(deps.storage, Some(&old), &job)?;
    let assigned: Vec<String> = job
        .verification
        .as_ref()
        .map(|v| v.verifiers.iter().map(|e| e.address.to_string()).collect())
        .unwrap_or_default();
    let ev = event(
        deps.storage,
        &env,
        &job,
        "result_submitted",
        Some(&info.sender),
        format!("root={root} verifiers={}", assigned.join(",")),
    )?;
    Ok(Response::new()
        .add_event(ev)
        .add_attribute("action", "result_submitted")
        .add_attribute("job_id", job_id.to_string())
        .add_attribute("root", root)
        .add_attribute("verifiers", assigned.join(",")))
}

pub fn execute_commit_result(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    job_id: u64,
    commitment: String,
) -> Result<Response, ContractError> {
    let params = PARAMS.load(deps.storage)?;
    let mut job = load_job(deps.storage, job_id)?;
    let VerificationMode::Replicated { k } = job.spec.verification else {
        return Err(ContractError::NotReplicated { job_id });
    };
    if !matches!(job.status, JobStatus::Open | JobStatus::Assigned) {
        return Err(wrong_status(&job, "Open or Assigned"));
    }
    let i = slot_of(&job, &info.sender)?;
    let slot = &mut job.slots[i];
    if env.block.time > slot.lease_deadline {
        return Err(ContractError::LeaseExpired {
            job_id,
            lease_deadline: slot.lease_deadline,
        });
    }
    if slot.commitment.is_some() {
        return Err(ContractError::AlreadySubmitted { job_id });
    }
    if !is_hex_hash(&commitment) {
        return Err(ContractError::InvalidResult {
            reason: "commitment must be 64 hex characters".into(),
        });
    }
    slot.commitment = Some(commitment.to_lowercase());
    let old = job.status.clone();
    let all_committed =
        job.slots.len() == usize::from(k) && job.slots.iter().all(|s| s.commitment.is_some());
    if all_committed {
        job.status = JobStatus::Revealing;
        job.reveal_deadline = Some(env.block.time.plus_seconds(params.commit_window));
    }
    save_job(deps.storage, Some(&old), &job)?;
    let ev = event(
        deps.storage,
        &env,
        &job,
        "result_committed",
        Some(&info.sender),
        format!("slot={i}"),
    )?;
    let mut response = Response::new()
        .add_event(ev)
        .add_attribute("action", "result_committed")
        .add_attribute("job_id", job_id.to_string());
    if all_committed {
        let ev = event(
            deps.storage,
            &env,
            &job,
            "reveal_opened",
            None,
            String::new(),
        )?;
        response = response.add_event(ev);
    }
    Ok(response)
}

#[allow(clippy::too_many_arguments)]
pub fn execute_reveal_result(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    job_id: u64,
    root: String,
    salt: Binary,
    chunk_count: u64,
    output_size: u64,
    output_uri: String,
) -> Result<Response, ContractError> {
    let params = PARAMS.load(deps.storage)?;
    let mut job = load_job(deps.storage, job_id)?;
    if job.status != JobStatus::Revealing {
        return Err(wrong_status(&job, "Revealing"));
    }
    let deadline = job.reveal_deadline.unwrap_or(env.block.time);
    if env.block.time > deadline {
        return Err(ContractError::RevealClosed { job_id, deadline });
    }
    let i = slot_of(&job, &info.sender)?;
    if job.slots[i].result.is_some() {
        return Err(ContractError::AlreadySubmitted { job_id });
    }
    let template = TEMPLATES.load(deps.storage, &job.spec.template)?;
    let root = root.to_lowercase();
    check_result(
        &template,
        &root,
        chunk_count,
        output_size,
        &output_uri,
        params.limits.max_uri_len,
    )?;
    let root_bytes = parse_hash(&root, "root")?;
    if job.slots[i].commitment.as_deref() != Some(result_commitment(&root_bytes, &salt).as_str()) {
        return Err(ContractError::CommitmentMismatch {});
    }
    job.slots[i].result = Some(JobResult {
        root: root.clone(),
        chunk_count,
        output_size,
        output_uri,
        submitted_at: env.block.time,
    });
    let ev = event(
        deps.storage,
        &env,
        &job,
        "result_revealed",
        Some(&info.sender),
        format!("slot={i} root={root}"),
    )?;
    let response = Response::new()
        .add_event(ev)
        .add_attribute("action", "result_revealed")
        .add_attribute("job_id", job_id.to_string())
        .add_attribute("root", root);
    if job.slots.iter().all(|s| s.result.is_some()) {
        // The last reveal decides at once.
        let (msgs, events, action) = finalize_replicated(deps.storage, &env, &mut job)?;
        save_job(deps.storage, Some(&JobStatus::Revealing), &job)?;
        return Ok(response
            .add_messages(msgs)
            .add_events(events)
            .add_attribute("outcome", action));
    }
    save_job(deps.storage, Some(&JobStatus::Revealing), &job)?;
    Ok(response)
}

/// A provider that found the input's hash wrong ends the job: it is paid
/// `bad_input_fee_rate` of one replica's cost, every slot's collateral is
/// released, the rest is refunded, nobody is slashed.
pub fn execute_report_bad_input(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    job_id: u64,
) -> Result<Response, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let params = PARAMS.load(deps.storage)?;
    let mut job = load_job(deps.storage, job_id)?;
    if !matches!(job.status, JobStatus::Open | JobStatus::Assigned) {
        return Err(wrong_status(&job, "Assigned"));
    }
    let i = slot_of(&job, &info.sender)?;
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
    let (payout, _) = fee_split(job.quote.compute_cost, params.protocol_fee_rate);
    let fee = payout.mul_floor(params.bad_input_fee_rate).min(job.escrow);
    let mut msgs = Vec::new();
    for s in &job.slots {
        if !s.collateral.is_zero() {
            msgs.push(unlock_msg(&config, &s.provider, job.id)?);
        }
    }
    msgs.extend(disburse(
        deps.storage,
        &config,
        &mut job,
        Disbursement {
            bad_input_fee: Some((info.sender.clone(), fee)),
            ..Disbursement::default()
        },
    )?);
    let old = job.status.clone();
    job.status = JobStatus::Failed;
    save_job(deps.storage, Some(&old), &job)?;
    let refund = job
        .settlement
        .as_ref()
        .map(|s| s.refund)
        .unwrap_or(Uint128::zero());
    let ev = event(
        deps.storage,
        &env,
        &job,
        "failed",
        Some(&info.sender),
        format!("reason=bad_input fee={fee} refund={refund}"),
    )?;
    Ok(Response::new()
        .add_messages(msgs)
        .add_event(ev)
        .add_attribute("action", "failed")
        .add_attribute("reason", "bad_input")
        .add_attribute("job_id", job_id.to_string())
        .add_attribute("fee", fee)
        .add_attribute("refund", refund))
}
