//! Submission (cw20 `Send` of AGPU with `SubmitJob`) and cancellation.

use cosmwasm_std::{from_json, Addr, DepsMut, Env, MessageInfo, Response, Uint128};
use cw20::Cw20ReceiveMsg;
use starminer_interfaces::job_market::{Job, JobSpec, JobStatus, ReceiveMsg};
use starminer_interfaces::market::{Determinism, VerificationMode};
use starminer_interfaces::pricing::{QueryMsg as PricingQuery, QuoteResponse};

use crate::error::ContractError;
use crate::execute::{agpu_transfer, disburse, event, load_job, wrong_status, Disbursement};
use crate::state::{
    save_job, BY_REQUESTER, BY_ZONE, CONFIG, JOB_COUNT, NEXT_JOB_ID, PARAMS, TEMPLATES, TOTALS,
    ZONES,
};
use crate::validate::validate_spec;

pub fn execute_receive(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    wrapper: Cw20ReceiveMsg,
) -> Result<Response, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    if info.sender != config.agpu_token {
        return Err(ContractError::WrongToken {});
    }
    let requester = deps.api.addr_validate(&wrapper.sender)?;
    match from_json(&wrapper.msg)? {
        ReceiveMsg::SubmitJob { spec } => {
            execute_submit_job(deps, env, requester, wrapper.amount, spec)
        }
    }
}

/// Validates the spec, prices it with the pricing contract, escrows the
/// quote's total and refunds the excess at once.
pub fn execute_submit_job(
    deps: DepsMut,
    env: Env,
    requester: Addr,
    sent: Uint128,
    spec: JobSpec,
) -> Result<Response, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let params = PARAMS.load(deps.storage)?;
    validate_spec(&spec, &params, &env)?;
    let template = TEMPLATES
        .may_load(deps.storage, &spec.template)?
        .ok_or_else(|| ContractError::UnknownTemplate {
            id: spec.template.clone(),
        })?;
    if !template.enabled {
        return Err(ContractError::TemplateDisabled { id: template.id });
    }
    // Replicas are compared by root. A tolerance template's output may
    // differ in its last bits between devices (seen: ai.training.sgd on PoCL
    // and on an NVIDIA GPU, within 3e-5 relative), so honest replicas could
    // disagree and the dissenter be slashed: such templates verify by
    // recomputation (SpotCheck) instead.
    if let (VerificationMode::Replicated { .. }, Determinism::Tolerance { .. }) =
        (&spec.verification, &template.determinism)
    {
        return Err(ContractError::InvalidSpec {
            reason: format!(
                "template {} is reproducible only within a tolerance, so its replicas' roots cannot be compared: use SpotCheck verification",
                template.id
            ),
        });
    }
    let zone = &spec.requirements.zone;
    if !ZONES.has(deps.storage, zone) {
        return Err(ContractError::UnknownZone { zone: zone.clone() });
    }
    let named: Vec<(String, u64)> = spec
        .params
        .iter()
        .map(|p| (p.name.clone(), p.value))
        .collect();
    let units = template
        .unit_formula
        .units(&named)
        .map_err(|e| ContractError::InvalidSpec {
            reason: e.to_string(),
        })?;
    // Deadline trap (C1): a deadline no provider could meet is refused here,
    // and no claim is ever granted a lease shorter than its units need.
    let needed =
        crate::execute::claim::lease_needed(&params, &template, units, spec.requirements.urgency);
    let left = spec
        .deadline
        .seconds()
        .saturating_sub(env.block.time.seconds());
    if left < needed {
        return Err(ContractError::DeadlineUnmeetable { needed, left });
    }
    let req = &spec.requirements;
    let hw = &template.min_hardware;
    let tier = req.min_tier.max(hw.min_tier);
    let quote: QuoteResponse = deps.querier.query_wasm_smart(
        &config.pricing,
        &PricingQuery::Quote {
            tier,
            class: template.class,
            units,
            urgency: req.urgency,
            verification: spec.verification.clone(),
        },
    )?;
    if quote.total.is_zero() {
        return Err(ContractError::ZeroQuote {});
    }
    if quote.total < params.min_job_price {
        return Err(ContractError::BelowMinPrice {
            total: quote.total,
            min: params.min_job_price,
        });
    }
    if quote.total > spec.max_price {
        return Err(ContractError::PriceAboveMax {
            total: quote.total,
            max_price: spec.max_price,
        });
    }
    if quote.total > sent {
        return Err(ContractError::InsufficientPayment {
            total: quote.total,
            sent,
        });
    }

    let id = NEXT_JOB_ID.load(deps.storage)?;
    NEXT_JOB_ID.save(deps.storage, &(id + 1))?;
    let job = Job {
        id,
        requester: requester.clone(),
        class: template.class,
        tier,
        min_device_memory: req.min_device_memory.max(hw.min_device_memory),
        min_compute_units: req.min_compute_units.max(hw.min_compute_units),
        units,
        escrow: quote.total,
        quote,
        status: JobStatus::Open,
        submitted_at: env.block.time,
        submit_height: env.block.height,
        requeues: 0,
        slots: vec![],
        result: None,
        verification: None,
        reveal_deadline: None,
        settlement: None,
        replica_draw: None,
        spec,
    };
    save_job(deps.storage, None, &job)?;
    BY_REQUESTER.save(deps.storage, (&requester, id), &())?;
    BY_ZONE.save(deps.storage, (&job.spec.requirements.zone, id), &())?;
    JOB_COUNT.update(deps.storage, |n| -> Result<_, ContractError> { Ok(n + 1) })?;
    TOTALS.update(deps.storage, |mut t| -> Result<_, ContractError> {
        t.escrowed = t.escrowed.checked_add(job.escrow)?;
        t.live_escrow = t.live_escrow.checked_add(job.escrow)?;
        Ok(t)
    })?;

    let excess = sent.checked_sub(job.escrow)?;
    let mut response = Response::new();
    if !excess.is_zero() {
        response = response.add_message(agpu_transfer(&config, &requester, excess)?);
    }
    let ev = event(
        deps.storage,
        &env,
        &job,
        "job_submitted",
        Some(&requester),
        format!("units={} total={}", units, job.escrow),
    )?;
    // Demand reaches pricing when a slot is claimed (real work), not here:
    // a submission can be cancelled (H3).
    Ok(response
        .add_event(ev)
        .add_attribute("action", "job_submitted")
        .add_attribute("job_id", id.to_string())
        .add_attribute("requester", requester)
        .add_attribute("template", &job.spec.template)
        .add_attribute("zone", &job.spec.requirements.zone)
        .add_attribute("units", units)
        .add_attribute("escrow", job.escrow)
        .add_attribute("refunded_excess", excess))
}

/// The requester takes back a job nobody has claimed, less the cancellation
/// fee (`cancel_fee_rate` of the escrow, rounded up) that the treasury keeps.
pub fn execute_cancel(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    job_id: u64,
) -> Result<Response, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let mut job = load_job(deps.storage, job_id)?;
    if job.requester != info.sender {
        return Err(ContractError::NotRequester { job_id });
    }
    if job.status != JobStatus::Open {
        return Err(wrong_status(&job, "Open"));
    }
    if !job.slots.is_empty() || crate::execute::replicas::has_applicants(&job) {
        return Err(ContractError::AlreadyClaimed { job_id });
    }
    let params = PARAMS.load(deps.storage)?;
    let fee = job.escrow.mul_ceil(params.cancel_fee_rate).min(job.escrow);
    let old = job.status.clone();
    let msgs = disburse(
        deps.storage,
        &config,
        &mut job,
        Disbursement {
            protocol_fee: fee,
            ..Disbursement::default()
        },
    )?;
    job.status = JobStatus::Cancelled;
    save_job(deps.storage, Some(&old), &job)?;
    let refund = job
        .settlement
        .as_ref()
        .map(|s| s.refund)
        .unwrap_or_default();
    let ev = event(
        deps.storage,
        &env,
        &job,
        "cancelled",
        Some(&info.sender),
        format!("refund={refund} cancel_fee={fee}"),
    )?;
    Ok(Response::new()
        .add_messages(msgs)
        .add_event(ev)
        .add_attribute("action", "cancelled")
        .add_attribute("job_id", job_id.to_string())
        .add_attribute("cancel_fee", fee)
        .add_attribute("refund", refund))
}
