//! Results: single-provider `SubmitResult`, replicated commit–reveal, and
//! bad-input reports.

use cosmwasm_std::{
    Addr, Binary, CosmosMsg, Deps, DepsMut, Env, Event, MessageInfo, Response, StdResult, Storage,
    Uint128,
};
use starminer_interfaces::job_market::{
    BadInputReport, DecoyPair, Job, JobInput, JobResult, JobStatus, Template,
};
use starminer_interfaces::market::VerificationMode;
use starminer_interfaces::registry::{
    BeaconEntryResponse, BeaconResponse, JobOutcome, QueryMsg as RegistryQuery,
};

use crate::error::ContractError;
use crate::execute::decoy::accept_decoy;
use crate::execute::settle::finalize_replicated;
use crate::execute::verify::open_verification;
use crate::execute::{disburse, event, load_job, unlock_msg, wrong_status, Disbursement};
use crate::logic::{draw_seed, draw_weighted, fee_split, parse_hash, replica_commitment};
use crate::state::{save_job, Config, BAD_INPUT, CONFIG, PARAMS, TEMPLATES};
use crate::validate::is_hex_hash;

/// The slot index of `sender` in `job`.
pub fn slot_of(job: &Job, sender: &Addr) -> Result<usize, ContractError> {
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
    decoy: Option<DecoyPair>,
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
    ensure_no_report_by(deps.storage, job_id, &info.sender)?;
    let lease_deadline = job.slots[i].lease_deadline;
    if env.block.time > lease_deadline {
        return Err(ContractError::LeaseExpired {
            job_id,
            lease_deadline,
        });
    }
    let template = TEMPLATES.load(deps.storage, &job.spec.template)?;
    let root = root.to_ascii_lowercase();
    check_result(
        &template,
        &root,
        chunk_count,
        output_size,
        &output_uri,
        params.limits.max_uri_len,
    )?;
    let decoy = accept_decoy(&job, &params, &root, chunk_count, decoy)?;
    let result = JobResult {
        root: root.clone(),
        chunk_count,
        output_size,
        output_uri,
        submitted_at: env.block.time,
    };
    job.slots[i].result = Some(result.clone());
    job.result = Some(result);
    // SpotCheck: the verifiers are drawn later from a beacon value revealed
    // after this root (verify::open_verification, DrawVerifiers).
    let mut verification = open_verification(deps.as_ref(), &env, &job)?;
    verification.decoy = decoy;
    job.verification = Some(verification);
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
    ensure_no_report_by(deps.storage, job_id, &info.sender)?;
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
    slot.commitment = Some(commitment.to_ascii_lowercase());
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
    let root = root.to_ascii_lowercase();
    check_result(
        &template,
        &root,
        chunk_count,
        output_size,
        &output_uri,
        params.limits.max_uri_len,
    )?;
    let root_bytes = parse_hash(&root, "root")?;
    // Bound to the revealer and the job (H5): a slot that copied another's
    // commitment cannot open it with the other's root and salt.
    let expected = replica_commitment(&root_bytes, &salt, info.sender.as_str(), job_id);
    if job.slots[i].commitment.as_deref() != Some(expected.as_str()) {
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

/// Refuses while `provider`'s own bad-input report on the job is judged.
pub fn ensure_no_report_by(
    storage: &dyn Storage,
    job_id: u64,
    provider: &Addr,
) -> Result<(), ContractError> {
    if BAD_INPUT
        .may_load(storage, job_id)?
        .is_some_and(|r| r.reporter == *provider)
    {
        return Err(ContractError::BadInputPending { job_id });
    }
    Ok(())
}

/// A slot holder that has not delivered reports the input bad (H1). Its
/// slot collateral stands as the bond. An inline input is on chain: the
/// bytes are exactly what the requester signed, so the report is refused
/// and nothing changes. A remote input is judged: the report waits for one
/// validator drawn with a beacon value revealed after it (or the
/// requester's concession) until `bad_input_window` ends.
pub fn execute_report_bad_input(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    job_id: u64,
) -> Result<Response, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let params = PARAMS.load(deps.storage)?;
    let job = load_job(deps.storage, job_id)?;
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
    if BAD_INPUT.has(deps.storage, job_id) {
        return Err(ContractError::BadInputPending { job_id });
    }
    if let JobInput::Inline { .. } = job.spec.input {
        return Err(ContractError::InlineInputOnChain { job_id });
    }
    // The slot's collateral is the bond a false report loses.
    if slot.collateral.is_zero() {
        return Err(ContractError::BadInputNeedsBond { job_id });
    }
    // The judge is drawn with the beacon value `reveals_per_draw` reveals
    // from now: unknown to the reporter when it reports. A registry without
    // an anchored validator (or without a beacon) leaves no judge: only the
    // requester can then uphold the report.
    let beacon: Option<BeaconResponse> = deps
        .querier
        .query_wasm_smart(&config.registry, &RegistryQuery::Beacon {})
        .ok();
    let judge_beacon_seq = beacon
        .filter(|b| b.reveals_per_draw > 0)
        .map(|b| b.seq.saturating_add(u64::from(b.reveals_per_draw)));
    let report = BadInputReport {
        reporter: info.sender.clone(),
        reported_at: env.block.time,
        deadline: env.block.time.plus_seconds(params.bad_input_window),
        judge_beacon_seq,
    };
    BAD_INPUT.save(deps.storage, job_id, &report)?;
    let ev = event(
        deps.storage,
        &env,
        &job,
        "bad_input_reported",
        Some(&info.sender),
        format!(
            "bond={} deadline={} judge_beacon_seq={}",
            slot.collateral,
            report.deadline.seconds(),
            judge_beacon_seq.map(|s| s.to_string()).unwrap_or_default()
        ),
    )?;
    Ok(Response::new()
        .add_event(ev)
        .add_attribute("action", "bad_input_reported")
        .add_attribute("job_id", job_id.to_string())
        .add_attribute("bond", slot.collateral)
        .add_attribute("judge_deadline", report.deadline.seconds().to_string()))
}

/// The drawn judge of `report`: one validator, stake-weighted, never a slot
/// holder or the requester, seeded by sha256("bad-input" ‖ job id ‖ input
/// hash ‖ reporter ‖ beacon value at `judge_beacon_seq`). None until that
/// value is revealed, or when no judge could be drawn.
pub fn bad_input_judge(deps: Deps, job: &Job, report: &BadInputReport) -> StdResult<Option<Addr>> {
    let Some(seq) = report.judge_beacon_seq else {
        return Ok(None);
    };
    let config = CONFIG.load(deps.storage)?;
    let at: BeaconEntryResponse = deps
        .querier
        .query_wasm_smart(&config.registry, &RegistryQuery::BeaconAt { seq })?;
    let Some(entry) = at.entry else {
        return Ok(None);
    };
    let input_hash = match &job.spec.input {
        JobInput::Remote { sha256, .. } => sha256.as_str(),
        JobInput::Inline { .. } => "",
    };
    let seed = draw_seed(
        b"bad-input",
        job.id,
        input_hash,
        report.reporter.as_bytes(),
        &entry.value,
    );
    let set = crate::execute::verify::validator_set(deps, &config.registry, seq)?;
    let mut exclude: Vec<&Addr> = job.slots.iter().map(|s| &s.provider).collect();
    exclude.push(&job.requester);
    Ok(draw_weighted(&set, &exclude, 1, &seed).into_iter().next())
}

/// The drawn judge decides a bad-input report, or the requester concedes.
/// Upheld: the job fails at the requester's cost (the reporter earns
/// `bad_input_fee_rate`, every slot is released, nobody is slashed).
/// Rejected: the reporter loses its bond to the requester and the slot
/// reopens.
pub fn execute_judge_bad_input(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    job_id: u64,
    input_bad: bool,
) -> Result<Response, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let mut job = load_job(deps.storage, job_id)?;
    let report = BAD_INPUT
        .may_load(deps.storage, job_id)?
        .ok_or(ContractError::NoBadInputReport { job_id })?;
    if env.block.time > report.deadline {
        return Err(ContractError::BadInputWindowClosed {
            job_id,
            deadline: report.deadline,
        });
    }
    if info.sender == job.requester {
        if !input_bad {
            return Err(ContractError::RequesterMayOnlyConcede { job_id });
        }
    } else if bad_input_judge(deps.as_ref(), &job, &report)?.as_ref() != Some(&info.sender) {
        return Err(ContractError::NotBadInputJudge { job_id });
    }
    BAD_INPUT.remove(deps.storage, job_id);
    let old = job.status.clone();
    let (msgs, events, action) = if input_bad {
        let (m, e) = uphold_bad_input(deps.storage, &env, &config, &mut job, &report.reporter)?;
        (m, e, "failed")
    } else {
        let (m, e) = reject_bad_input(deps.storage, &env, &config, &mut job, &report)?;
        (m, e, "bad_input_rejected")
    };
    save_job(deps.storage, Some(&old), &job)?;
    Ok(Response::new()
        .add_messages(msgs)
        .add_events(events)
        .add_attribute("action", action)
        .add_attribute("job_id", job_id.to_string())
        .add_attribute("judge", info.sender))
}

/// An upheld report: the reporter is paid `bad_input_fee_rate` of one
/// replica's payout, every slot's collateral is released, the rest is
/// refunded, nobody is slashed; the job fails.
fn uphold_bad_input(
    storage: &mut dyn Storage,
    env: &Env,
    config: &Config,
    job: &mut Job,
    reporter: &Addr,
) -> Result<(Vec<CosmosMsg>, Vec<Event>), ContractError> {
    let params = PARAMS.load(storage)?;
    let (payout, _) = fee_split(job.quote.compute_cost, params.protocol_fee_rate);
    let fee = payout.mul_floor(params.bad_input_fee_rate).min(job.escrow);
    let mut msgs = Vec::new();
    for s in &job.slots {
        if !s.collateral.is_zero() {
            msgs.push(unlock_msg(config, &s.provider, job.id)?);
        }
    }
    msgs.extend(disburse(
        storage,
        config,
        job,
        Disbursement {
            bad_input_fee: Some((reporter.clone(), fee)),
            ..Disbursement::default()
        },
    )?);
    job.status = JobStatus::Failed;
    let refund = job
        .settlement
        .as_ref()
        .map(|s| s.refund)
        .unwrap_or(Uint128::zero());
    let ev = event(
        storage,
        env,
        job,
        "failed",
        Some(reporter),
        format!("reason=bad_input fee={fee} refund={refund}"),
    )?;
    Ok((msgs, vec![ev]))
}

/// A rejected or unjudged report: the reporter's whole slot collateral is
/// slashed to the requester, a `Slashed` outcome recorded, its slot removed
/// (it never claims this job again) and the job reopened while the deadline
/// leaves a full lease, else ended with a refund.
pub fn reject_bad_input(
    storage: &mut dyn Storage,
    env: &Env,
    config: &Config,
    job: &mut Job,
    report: &BadInputReport,
) -> Result<(Vec<CosmosMsg>, Vec<Event>), ContractError> {
    let i = slot_of(job, &report.reporter)?;
    let slot = job.slots.remove(i);
    let mut msgs = crate::execute::slash_msgs(
        storage,
        config,
        &slot.provider,
        Some(job.id),
        slot.collateral,
        Some(&job.requester),
    )?;
    msgs.push(crate::execute::outcome_msg(
        config,
        &slot.provider,
        JobOutcome::Slashed,
    )?);
    let mut events = vec![event(
        storage,
        env,
        job,
        "bad_input_rejected",
        Some(&slot.provider),
        format!("bond_slashed={}", slot.collateral),
    )?];
    let (more, evs) =
        crate::execute::settle::reopen_or_close(storage, env, config, job, JobStatus::Expired)?;
    msgs.extend(more);
    events.extend(evs);
    Ok((msgs, events))
}
