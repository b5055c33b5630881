//! Claims: a specific job, or `ClaimNext` over the indexed open queues.
//!
//! `ClaimNext` merges the queues of the provider's zone and of every zone
//! with a route into it (at most `max_zones`), each read in (priority, job
//! id) order, and stops after `max_claim_scan` entries: its gas does not grow
//! with the number of open jobs.

use cosmwasm_std::{
    Addr, CosmosMsg, DepsMut, Env, MessageInfo, Order, Response, StdResult, Storage, Uint128,
};
use cw_storage_plus::Bound;
use starminer_interfaces::job_market::{Job, JobStatus, MarketParams, QueueCursor, Slot, Template};
use starminer_interfaces::market::Urgency;
use starminer_interfaces::pricing::ExecuteMsg as PricingMsg;
use starminer_interfaces::registry::{Provider, ProviderStatus, QueryMsg as RegistryQuery, Role};

use crate::error::ContractError;
use crate::execute::{event, load_job, lock_msg, replicas, wrong_status};
use crate::logic::{
    age_seconds, collateral_for, fee_split, hardware_fits, lease_seconds, spill_allowed,
};
use crate::state::{
    priority, save_job, urgency_of_priority, Config, QueueItem, BY_PROVIDER, CONFIG, PARAMS, QUEUE,
    SPILL, TEMPLATES, ZONES,
};

/// The full lease a slot of `units` at `urgency` needs: ⌈units × template
/// seconds per unit × urgency factor⌉, at least `min_lease_seconds`. A claim
/// is granted exactly this, never less (C1: no lease is cut to the deadline).
pub fn lease_needed(
    params: &MarketParams,
    template: &Template,
    units: Uint128,
    urgency: Urgency,
) -> u64 {
    lease_seconds(
        units,
        template.max_seconds_per_unit,
        params.lease_factors.for_urgency(urgency),
        params.min_lease_seconds,
    )
}

/// `Err(DeadlineTooClose)` when the time left before the job's deadline is
/// shorter than the full lease its units need; else the lease in seconds.
pub fn lease_that_fits(
    storage: &dyn Storage,
    env: &Env,
    params: &MarketParams,
    job: &Job,
) -> Result<u64, ContractError> {
    let template = TEMPLATES.load(storage, &job.spec.template)?;
    let needed = lease_needed(params, &template, job.units, job.spec.requirements.urgency);
    let left = job
        .spec
        .deadline
        .seconds()
        .saturating_sub(env.block.time.seconds());
    if left < needed {
        return Err(ContractError::DeadlineTooClose {
            job_id: job.id,
            needed,
            left,
        });
    }
    Ok(needed)
}

/// The registry's record of an active provider, or why it cannot claim.
fn load_active_provider(deps: &DepsMut, sender: &Addr) -> Result<Provider, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let provider: Provider = deps
        .querier
        .query_wasm_smart(
            &config.registry,
            &RegistryQuery::Provider {
                address: sender.to_string(),
            },
        )
        .map_err(|_| ContractError::ProviderInactive {
            address: sender.to_string(),
        })?;
    if provider.status != ProviderStatus::Active || !provider.has_active_role(Role::Provider) {
        return Err(ContractError::ProviderInactive {
            address: sender.to_string(),
        });
    }
    Ok(provider)
}

/// Whether `provider` may take the queued job `job_id` of zone `zone` now;
/// `Err` says why not.
fn check_candidate(
    storage: &dyn Storage,
    env: &Env,
    provider: &Provider,
    zone: &str,
    job_id: u64,
    item: &QueueItem,
) -> Result<(), ContractError> {
    if env.block.time >= item.deadline {
        return Err(ContractError::DeadlinePassed {
            job_id,
            deadline: item.deadline,
        });
    }
    if provider.tier < item.tier {
        return Err(ContractError::RequirementNotMet {
            job_id,
            reason: format!("tier {} < {}", provider.tier, item.tier),
        });
    }
    if !hardware_fits(
        &provider.hardware,
        item.min_device_memory.u64(),
        item.min_compute_units,
    ) {
        return Err(ContractError::RequirementNotMet {
            job_id,
            reason: "no device has the memory and compute units".into(),
        });
    }
    if zone != provider.zone {
        let route = SPILL.may_load(storage, (&provider.zone, zone))?;
        let zone_state = ZONES.load(storage, zone)?;
        if !spill_allowed(
            zone,
            &provider.zone,
            route.as_ref(),
            item.latency,
            age_seconds(env.block.time, item.submitted_at),
            zone_state.open_jobs,
            zone_state.capacity_threshold,
        ) {
            return Err(ContractError::ZoneNotAllowed {
                job_id,
                zone: provider.zone.clone(),
            });
        }
    }
    if BY_PROVIDER.has(storage, (&provider.address, job_id)) {
        return Err(ContractError::DuplicateSlot { job_id });
    }
    Ok(())
}

pub fn execute_claim(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    job_id: u64,
) -> Result<Response, ContractError> {
    let provider = load_active_provider(&deps, &info.sender)?;
    let job = load_job(deps.storage, job_id)?;
    if job.status != JobStatus::Open {
        return Err(wrong_status(&job, "Open"));
    }
    let zone = job.spec.requirements.zone.clone();
    let key = (
        zone.as_str(),
        crate::state::priority(job.spec.requirements.urgency),
        job_id,
    );
    let item = QUEUE.load(deps.storage, key)?;
    check_candidate(deps.storage, &env, &provider, &zone, job_id, &item)?;
    take_slot(deps, env, &provider, job)
}

type QueueIter<'a> = Box<dyn Iterator<Item = StdResult<((u8, u64), QueueItem)>> + 'a>;

/// One lazily-read queue, peeked one entry ahead for the merge.
struct ZoneCursor<'a> {
    zone: String,
    iter: QueueIter<'a>,
    head: Option<((u8, u64), QueueItem)>,
}

impl ZoneCursor<'_> {
    fn advance(&mut self) -> StdResult<()> {
        self.head = self.iter.next().transpose()?;
        Ok(())
    }
}

pub fn execute_claim_next(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    start_after: Option<QueueCursor>,
) -> Result<Response, ContractError> {
    // Resume after (priority, job id): the merged order of every zone queue.
    let after = start_after.map(|c| (priority(c.urgency), c.job_id));
    let provider = load_active_provider(&deps, &info.sender)?;
    let params = PARAMS.load(deps.storage)?;
    let max_zones = params.limits.max_zones as usize;

    // The provider's zone first, then every zone routed into it.
    let mut zones = vec![provider.zone.clone()];
    for from in SPILL
        .prefix(&provider.zone)
        .keys(deps.storage, None, None, Order::Ascending)
        .take(max_zones)
    {
        zones.push(from?);
    }

    let picked = {
        let storage: &dyn Storage = deps.storage;
        let mut cursors = Vec::with_capacity(zones.len());
        for zone in &zones {
            let iter = QUEUE.sub_prefix(zone.as_str()).range(
                storage,
                after.map(Bound::exclusive),
                None,
                Order::Ascending,
            );
            let mut cursor = ZoneCursor {
                zone: zone.clone(),
                iter: Box::new(iter),
                head: None,
            };
            cursor.advance()?;
            cursors.push(cursor);
        }
        let mut scanned: u32 = 0;
        let mut picked = None;
        let mut last: Option<(u8, u64)> = None;
        while scanned < params.max_claim_scan {
            // The best head across zones: most urgent, then oldest (lowest id).
            let best = cursors
                .iter()
                .enumerate()
                .filter_map(|(i, c)| c.head.as_ref().map(|(k, _)| (*k, i)))
                .min();
            let Some((_, i)) = best else { break };
            scanned += 1;
            let cursor = &mut cursors[i];
            if let Some(((prio, job_id), item)) = cursor.head.take() {
                last = Some((prio, job_id));
                if check_candidate(storage, &env, &provider, &cursor.zone, job_id, &item).is_ok() {
                    // Only a job whose deadline still leaves a full lease.
                    let job = load_job(storage, job_id)?;
                    if lease_that_fits(storage, &env, &params, &job).is_ok()
                        && (!replicas::drawn(&job, &params)
                            || job.takes_replica_applications(env.block.time))
                    {
                        picked = Some(job_id);
                        break;
                    }
                }
            }
            cursor.advance()?;
        }
        // Whether entries remain past the last one examined.
        let exhausted = cursors.iter().all(|c| c.head.is_none());
        let more = match last {
            Some((prio, job_id)) if !exhausted => format!(
                "; more wait: send ClaimNext with start_after {{urgency: {:?}, job_id: {job_id}}}",
                urgency_of_priority(prio)
            ),
            _ => String::new(),
        };
        picked.ok_or(ContractError::NoJobAvailable { scanned, more })?
    };
    let job = load_job(deps.storage, picked)?;
    take_slot(deps, env, &provider, job)
}

/// Gives `provider` the next slot of `job` (lease, collateral lock,
/// indexes), or on a Replicated job with drawn slots enters its application
/// ([`crate::execute::replicas`]).
fn take_slot(
    deps: DepsMut,
    env: Env,
    provider: &Provider,
    mut job: Job,
) -> Result<Response, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let params = PARAMS.load(deps.storage)?;
    if replicas::drawn(&job, &params) {
        return replicas::apply(deps, env, &params, provider, job);
    }
    // The full lease or no claim: a provider never holds a lease it could
    // not meet, so it is never slashed for the requester's deadline.
    let lease = lease_that_fits(deps.storage, &env, &params, &job)?;
    let collateral = slot_collateral(&job, &params);
    let provider = provider.address.clone();
    let mut msgs = seat_slot(&config, &env, &mut job, provider.clone(), collateral, lease)?;
    msgs.extend(lock_msg(&config, &provider, job.id, collateral)?);
    let old = job.status.clone();
    if job.slots.len() >= usize::from(job.spec.verification.replication()) {
        job.status = JobStatus::Assigned;
    }
    save_job(deps.storage, Some(&old), &job)?;
    BY_PROVIDER.save(deps.storage, (&provider, job.id), &())?;
    let lease_deadline = env.block.time.plus_seconds(lease);
    let ev = event(
        deps.storage,
        &env,
        &job,
        "job_claimed",
        Some(&provider),
        format!(
            "slot={} lease_deadline={} collateral={}",
            job.slots.len() - 1,
            lease_deadline.seconds(),
            collateral
        ),
    )?;
    Ok(Response::new()
        .add_messages(msgs)
        .add_event(ev)
        .add_attribute("action", "job_claimed")
        .add_attribute("job_id", job.id.to_string())
        .add_attribute("provider", provider)
        .add_attribute("lease_deadline", lease_deadline.seconds().to_string())
        .add_attribute("collateral", collateral))
}

/// What a provider locks for one slot of `job`: `collateral_rate` × its
/// payout (one replica's compute cost less the protocol fee).
pub fn slot_collateral(job: &Job, params: &MarketParams) -> Uint128 {
    let (payout, _) = fee_split(job.quote.compute_cost, params.protocol_fee_rate);
    collateral_for(payout, params.collateral_rate)
}

/// Seats `provider` in the next slot of `job` with a full `lease` from now
/// and its (already locked or about to be locked) `collateral`; returns the
/// demand report. Demand reaches pricing here, once per seated slot: real
/// work, which a submit-then-cancel never is (H3).
pub fn seat_slot(
    config: &Config,
    env: &Env,
    job: &mut Job,
    provider: Addr,
    collateral: Uint128,
    lease: u64,
) -> StdResult<Vec<CosmosMsg>> {
    job.slots.push(Slot {
        provider,
        claimed_at: env.block.time,
        lease_deadline: env.block.time.plus_seconds(lease),
        collateral,
        commitment: None,
        result: None,
    });
    Ok(vec![crate::execute::wasm_exec(
        &config.pricing,
        &PricingMsg::RecordDemand {
            tier: job.tier,
            units: job.units,
        },
    )?])
}
