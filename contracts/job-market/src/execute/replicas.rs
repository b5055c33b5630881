//! Replica slots drawn among applicants.
//!
//! *Attack.* With first-come slots, a party running several provider
//! identities seats ⌊k/2⌋+1 of them on a Replicated{k} job by claiming
//! first, outvotes the honest replica with an agreed wrong root, and has the
//! honest one slashed as a dissenter. Binding commitments to their author
//! (H5) stops copying, not this.
//!
//! *Rule.* While the market's `replica_window` is on, a `Claim` on a
//! Replicated job is an application: the provider locks one slot's
//! collateral (so every application is backed by free bond, and a sybil
//! identity needs its own) and enters with its bond as weight. Applications
//! run `replica_window` seconds from the first one, and beyond that until at
//! least as many applied as slots are open. The slots are then drawn without
//! replacement, weighted by bond, with the beacon value `draw_at`: the value
//! `reveals_per_draw` reveals past the beacon head at the latest application.
//! Every applicant applied before that value existed, so none can choose an
//! identity or a moment that the value favours. Splitting a bond over many
//! identities does not raise its total weight, so sybils win a slot with
//! the share of the applicants' bond they hold, no more (`draw_weighted`'s
//! exponential races: a candidate's chance depends only on its own weight
//! against the others').
//!
//! *Bounds.* At most `max_replica_applicants` (≤ 32) per job; when full, a
//! larger bond displaces the smallest applicant (released at once). A draw
//! reads one beacon entry and sorts at most 32 candidates.
//!
//! The losers' collateral is released at the draw; applications cannot be
//! withdrawn (a withdrawal just before the close would let a large bond
//! displace others and then leave). A job whose deadline no longer leaves a
//! full lease at the draw ends Expired with every applicant released and a
//! full refund.

use cosmwasm_std::{Addr, CosmosMsg, DepsMut, Env, Event, Response, StdResult, Storage, Uint128};
use starminer_interfaces::job_market::{Applicant, Job, JobStatus, MarketParams, ReplicaDraw};
use starminer_interfaces::market::VerificationMode;
use starminer_interfaces::registry::Provider;

use crate::error::ContractError;
use crate::execute::claim::{lease_that_fits, seat_slot, slot_collateral};
use crate::execute::settle::reopen_or_close;
use crate::execute::verify::{beacon_value_at, next_draw_at, Effects};
use crate::execute::{event, lock_msg, unlock_msg};
use crate::logic::{draw_seed, draw_weighted};
use crate::state::{save_job, Config, BY_PROVIDER, CONFIG};

/// Whether a claim on `job` is an application for a drawn slot: the window
/// is on, or a round already runs (one opened before governance turned the
/// window off still ends in its draw, so its applicants are released).
pub fn drawn(job: &Job, params: &MarketParams) -> bool {
    matches!(job.spec.verification, VerificationMode::Replicated { .. })
        && (params.replica_window > 0 || job.replica_draw.is_some())
}

/// `provider` applies for a slot of the Open Replicated `job`.
pub fn apply(
    deps: DepsMut,
    env: Env,
    params: &MarketParams,
    provider: &Provider,
    mut job: Job,
) -> Result<Response, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let now = env.block.time;
    let Some(draw_at) = next_draw_at(&deps.querier, &config.registry)? else {
        // No validator runs the beacon: nothing could ever draw the slots.
        return Err(ContractError::DrawPending {
            job_id: job.id,
            what: "replica slots".into(),
            draw_at: 0,
        });
    };
    if !job.takes_replica_applications(now) {
        let deadline = job.replica_draw.as_ref().map_or(now, |d| d.apply_until);
        return Err(ContractError::WindowClosed {
            job_id: job.id,
            what: "replica application".into(),
            deadline,
        });
    }
    // The lease must still fit once the window has closed (C1).
    let apply_until = job
        .replica_draw
        .as_ref()
        .map_or(now.plus_seconds(params.replica_window), |d| d.apply_until);
    let wait = apply_until.seconds().saturating_sub(now.seconds());
    let needed = lease_that_fits(deps.storage, &env, params, &job)?.saturating_add(wait);
    let left = job.spec.deadline.seconds().saturating_sub(now.seconds());
    if left < needed {
        return Err(ContractError::DeadlineTooClose {
            job_id: job.id,
            needed,
            left,
        });
    }
    let collateral = slot_collateral(&job, params);
    let mut msgs: Vec<CosmosMsg> = Vec::new();
    let mut events: Vec<Event> = Vec::new();
    let mut round = job.replica_draw.take().unwrap_or(ReplicaDraw {
        apply_until,
        draw_at,
        applicants: vec![],
    });
    round.draw_at = round.draw_at.max(draw_at);
    if round.applicants.len() >= params.max_replica_applicants as usize {
        // The smallest bond gives way to a larger; of equal ones the latest
        // (applicants are kept in the order they applied).
        let (i, smallest) = round
            .applicants
            .iter()
            .enumerate()
            .fold(None, |best: Option<(usize, Uint128)>, (i, a)| match best {
                Some((_, w)) if w < a.weight => best,
                _ => Some((i, a.weight)),
            })
            .unwrap_or_default();
        if provider.bonded <= smallest {
            return Err(ContractError::ApplicantsFull {
                job_id: job.id,
                max: params.max_replica_applicants,
                smallest,
            });
        }
        let out = round.applicants.remove(i);
        msgs.extend(release(deps.storage, &config, job.id, &out)?);
        events.push(event(
            deps.storage,
            &env,
            &job,
            "replica_displaced",
            Some(&out.provider),
            format!("bond={} by={}", out.weight, provider.address),
        )?);
    }
    round.applicants.push(Applicant {
        provider: provider.address.clone(),
        weight: provider.bonded,
        collateral,
        applied_at: now,
    });
    let (count, apply_until, draw_at) = (round.applicants.len(), round.apply_until, round.draw_at);
    job.replica_draw = Some(round);
    save_job(deps.storage, Some(&job.status), &job)?;
    BY_PROVIDER.save(deps.storage, (&provider.address, job.id), &())?;
    msgs.extend(lock_msg(&config, &provider.address, job.id, collateral)?);
    events.push(event(
        deps.storage,
        &env,
        &job,
        "replica_applied",
        Some(&provider.address),
        format!(
            "applicants={count} bond={} apply_until={} draw_at={draw_at}",
            provider.bonded,
            apply_until.seconds()
        ),
    )?);
    Ok(Response::new()
        .add_messages(msgs)
        .add_events(events)
        .add_attribute("action", "replica_applied")
        .add_attribute("job_id", job.id.to_string())
        .add_attribute("provider", provider.address.as_str())
        .add_attribute("collateral", collateral)
        .add_attribute("apply_until", apply_until.seconds().to_string())
        .add_attribute("draw_at", draw_at.to_string()))
}

/// Draws the open slots of `job` among its applicants once the window has
/// closed, enough applied and the beacon value exists; `None` while it
/// waits. The caller saves the job.
pub fn try_draw(
    deps: &mut DepsMut,
    env: &Env,
    job: &mut Job,
) -> Result<Option<Effects>, ContractError> {
    let now = env.block.time;
    let open = job.open_slots();
    let Some(round) = &job.replica_draw else {
        return Ok(None);
    };
    if job.status != JobStatus::Open || now <= round.apply_until || round.applicants.len() < open {
        return Ok(None);
    }
    let config = CONFIG.load(deps.storage)?;
    let Some(value) = beacon_value_at(&deps.querier, &config.registry, round.draw_at)? else {
        return Ok(None);
    };
    let draw_at = round.draw_at;
    let params = crate::state::PARAMS.load(deps.storage)?;
    let Ok(lease) = lease_that_fits(deps.storage, env, &params, job) else {
        // Too late for a full lease: the job ends and `reopen_or_close`
        // releases every applicant and slot (C1).
        return reopen_or_close(deps.storage, env, &config, job, JobStatus::Expired).map(Some);
    };
    let Some(round) = job.replica_draw.take() else {
        return Ok(None);
    };
    let seed = draw_seed(
        b"replica-slots",
        job.id,
        "",
        &job.requeues.to_be_bytes(),
        &value,
    );
    let candidates: Vec<(Addr, Uint128)> = round
        .applicants
        .iter()
        .map(|a| (a.provider.clone(), a.weight))
        .collect();
    let seated = draw_weighted(&candidates, &[], open, &seed);
    let mut msgs = Vec::new();
    let mut released = Vec::new();
    for a in &round.applicants {
        if seated.contains(&a.provider) {
            msgs.extend(seat_slot(
                &config,
                env,
                job,
                a.provider.clone(),
                a.collateral,
                lease,
            )?);
        } else {
            msgs.extend(release(deps.storage, &config, job.id, a)?);
            released.push(a.provider.as_str());
        }
    }
    if job.slots.len() >= usize::from(job.spec.verification.replication()) {
        job.status = JobStatus::Assigned;
    }
    let names: Vec<&str> = seated.iter().map(|a| a.as_str()).collect();
    let ev = event(
        deps.storage,
        env,
        job,
        "replicas_drawn",
        None,
        format!(
            "beacon_seq={draw_at} beacon_value={value} seated={} released={} lease_deadline={}",
            names.join(","),
            released.join(","),
            now.plus_seconds(lease).seconds()
        ),
    )?;
    Ok(Some((msgs, vec![ev])))
}

/// Releases every applicant of a job that ends without a draw.
pub fn release_applicants(
    storage: &mut dyn Storage,
    config: &Config,
    job: &mut Job,
) -> Result<Vec<CosmosMsg>, ContractError> {
    let mut msgs = Vec::new();
    if let Some(round) = job.replica_draw.take() {
        for a in &round.applicants {
            msgs.extend(release(storage, config, job.id, a)?);
        }
    }
    Ok(msgs)
}

/// Drops applicant `a` of job `job_id` from the provider index and unlocks
/// its collateral (the message, when it locked any).
fn release(
    storage: &mut dyn Storage,
    config: &Config,
    job_id: u64,
    a: &Applicant,
) -> StdResult<Option<CosmosMsg>> {
    BY_PROVIDER.remove(storage, (&a.provider, job_id));
    if a.collateral.is_zero() {
        return Ok(None);
    }
    unlock_msg(config, &a.provider, job_id).map(Some)
}

/// Applicants waiting on `job` (for `Cancel`'s check).
pub fn has_applicants(job: &Job) -> bool {
    job.replica_draw
        .as_ref()
        .is_some_and(|d| !d.applicants.is_empty())
}
