//! Storage layout. Every list the contract serves is a `Map` keyed for that
//! lookup. [`save_job`] is the one place that keeps the status index, the
//! status counters and the open queues in step with a job record, so no
//! execute path ever scans.

use cosmwasm_schema::cw_serde;
use cosmwasm_std::{Addr, Env, Event, StdResult, Storage, Timestamp, Uint128, Uint64};
use cw_storage_plus::{Item, Map};
use starminer_interfaces::job_market::{
    BadInputReport, Job, JobEvent, JobStatus, LatencyClass, MarketParams, SpillRoute, Template,
    Totals,
};
use starminer_interfaces::market::Urgency;

#[cw_serde]
pub struct Config {
    pub governance: Addr,
    pub agpu_token: Addr,
    pub registry: Addr,
    pub pricing: Addr,
    pub incentives: Addr,
    pub oracles: Vec<Addr>,
}

pub const CONFIG: Item<Config> = Item::new("cfg");
pub const PARAMS: Item<MarketParams> = Item::new("params");

pub const TEMPLATES: Map<&str, Template> = Map::new("tpl");

#[cw_serde]
pub struct ZoneState {
    pub capacity_threshold: u64,
    /// Queue entries of the zone (jobs in status Open).
    pub open_jobs: u64,
}

pub const ZONES: Map<&str, ZoneState> = Map::new("zones");
pub const ZONE_COUNT: Item<u32> = Item::new("zones_n");
/// The spillover matrix keyed (to, from): the routes *into* a provider's zone
/// are one prefix, which is what `ClaimNext` reads.
pub const SPILL: Map<(&str, &str), SpillRoute> = Map::new("spill");

pub const NEXT_JOB_ID: Item<u64> = Item::new("job_next");
pub const JOBS: Map<u64, Job> = Map::new("jobs");

/// What matching needs of an open job, kept in the queue entry so that
/// `ClaimNext` filters candidates without loading them.
#[cw_serde]
pub struct QueueItem {
    pub tier: u8,
    pub min_device_memory: Uint64,
    pub min_compute_units: u32,
    pub latency: LatencyClass,
    pub submitted_at: Timestamp,
    pub deadline: Timestamp,
}

/// Open queues: (zone, priority, job id). Priority 0 is the most urgent, and
/// job ids grow with submission time, so ascending order is matching order.
pub const QUEUE: Map<(&str, u8, u64), QueueItem> = Map::new("q");
/// The same entries by (zone, tier, priority, job id) for the per-tier view.
pub const QUEUE_BY_TIER: Map<((&str, u8), u8, u64), ()> = Map::new("qt");

pub const BY_REQUESTER: Map<(&Addr, u64), ()> = Map::new("by_req");
/// Every provider that ever held a slot of a job (a provider never holds two
/// slots of one job, nor claims again a job it timed out on).
pub const BY_PROVIDER: Map<(&Addr, u64), ()> = Map::new("by_prov");
pub const BY_STATUS: Map<(u8, u64), ()> = Map::new("by_st");
pub const BY_ZONE: Map<(&str, u64), ()> = Map::new("by_zone");
/// (verifier, job id) → assigned to a dispute (true) or as spot checker.
pub const VERIFIER_TASKS: Map<(&Addr, u64), bool> = Map::new("vtask");
/// (job id, verifier or dispute voter) → stake the market locked in the
/// registry for that duty (key (verifier, job id) there). Removed when the
/// duty ends (unlocked) or the lock is slashed; at most `max_verifiers` +
/// `dispute_verifiers` × `dispute_rounds` entries per job.
pub const DUTY_LOCKS: Map<(u64, &Addr), Uint128> = Map::new("duty_locks");
/// Job id → dispute voters on the decided side and winning challengers of
/// the job, credited as verifiers in the `RecordSettlement` of the job's
/// paid settlement (their emission is then backed by a fee actually paid),
/// at most [`MAX_CREDITED`] with the paid spot checkers.
pub const VOTER_CREDITS: Map<u64, Vec<Addr>> = Map::new("vcredit");
/// Verifiers incentives accepts in one `RecordSettlement`.
pub const MAX_CREDITED: usize = 16;

/// Adds `who` to the job's voter credits (once each, bounded).
pub fn credit_voters(
    storage: &mut dyn cosmwasm_std::Storage,
    job_id: u64,
    who: impl IntoIterator<Item = Addr>,
) -> cosmwasm_std::StdResult<()> {
    let mut credits = VOTER_CREDITS.may_load(storage, job_id)?.unwrap_or_default();
    for a in who {
        if credits.len() < MAX_CREDITED && !credits.contains(&a) {
            credits.push(a);
        }
    }
    if !credits.is_empty() {
        VOTER_CREDITS.save(storage, job_id, &credits)?;
    }
    Ok(())
}

/// Per-job event log, a ring of `max_history` entries.
pub const EVENTS: Map<(u64, u32), JobEvent> = Map::new("ev");
pub const EVENT_COUNT: Map<u64, u32> = Map::new("ev_n");
/// The ring size of each job's log, fixed at its first event, so that a
/// later change of `max_history` never moves where its entries are.
pub const EVENT_RING: Map<u64, u32> = Map::new("ev_ring");
/// The ring size of jobs logged before `EVENT_RING` existed (the
/// `max_history` in force when the contract was migrated).
pub const LEGACY_RING: Item<u32> = Item::new("ev_ring_legacy");

/// Pending bad-input reports on remote inputs, by job.
pub const BAD_INPUT: Map<u64, BadInputReport> = Map::new("bad_in");

pub const STATUS_COUNT: Map<u8, u64> = Map::new("st_n");
pub const JOB_COUNT: Item<u64> = Item::new("jobs_n");
pub const TOTALS: Item<Totals> = Item::new("totals");

/// Queue priority of an urgency: 0 for Realtime … 3 for Low.
pub fn priority(urgency: Urgency) -> u8 {
    3 - urgency.key()
}

pub fn urgency_of_priority(priority: u8) -> Urgency {
    match priority {
        0 => Urgency::Realtime,
        1 => Urgency::High,
        2 => Urgency::Normal,
        _ => Urgency::Low,
    }
}

/// Writes a job and moves it between status indexes and the open queue when
/// its status changed from `old_status` (None: a new job).
pub fn save_job(
    storage: &mut dyn Storage,
    old_status: Option<&JobStatus>,
    job: &Job,
) -> StdResult<()> {
    if old_status != Some(&job.status) {
        if let Some(old) = old_status {
            BY_STATUS.remove(storage, (old.key(), job.id));
            change_status_count(storage, old.key(), false)?;
            if *old == JobStatus::Open {
                dequeue(storage, job)?;
            }
        }
        BY_STATUS.save(storage, (job.status.key(), job.id), &())?;
        change_status_count(storage, job.status.key(), true)?;
        if job.status == JobStatus::Open {
            enqueue(storage, job)?;
        }
    }
    JOBS.save(storage, job.id, job)
}

fn change_status_count(storage: &mut dyn Storage, key: u8, add: bool) -> StdResult<()> {
    let n = STATUS_COUNT.may_load(storage, key)?.unwrap_or_default();
    let n = if add {
        n.saturating_add(1)
    } else {
        n.saturating_sub(1)
    };
    STATUS_COUNT.save(storage, key, &n)
}

fn enqueue(storage: &mut dyn Storage, job: &Job) -> StdResult<()> {
    let zone = job.spec.requirements.zone.as_str();
    let prio = priority(job.spec.requirements.urgency);
    QUEUE.save(
        storage,
        (zone, prio, job.id),
        &QueueItem {
            tier: job.tier,
            min_device_memory: job.min_device_memory,
            min_compute_units: job.min_compute_units,
            latency: job.spec.requirements.latency,
            submitted_at: job.submitted_at,
            deadline: job.spec.deadline,
        },
    )?;
    QUEUE_BY_TIER.save(storage, ((zone, job.tier), prio, job.id), &())?;
    ZONES.update(storage, zone, |z| {
        let mut z = z.ok_or_else(|| cosmwasm_std::StdError::not_found("zone"))?;
        z.open_jobs = z.open_jobs.saturating_add(1);
        Ok::<_, cosmwasm_std::StdError>(z)
    })?;
    Ok(())
}

fn dequeue(storage: &mut dyn Storage, job: &Job) -> StdResult<()> {
    let zone = job.spec.requirements.zone.as_str();
    let prio = priority(job.spec.requirements.urgency);
    QUEUE.remove(storage, (zone, prio, job.id));
    QUEUE_BY_TIER.remove(storage, ((zone, job.tier), prio, job.id));
    ZONES.update(storage, zone, |z| {
        let mut z = z.ok_or_else(|| cosmwasm_std::StdError::not_found("zone"))?;
        z.open_jobs = z.open_jobs.saturating_sub(1);
        Ok::<_, cosmwasm_std::StdError>(z)
    })?;
    Ok(())
}

/// The ring size of job `job_id`'s log: fixed at its first event; jobs
/// logged before that rule use the ring of the migration (else `current`).
pub fn event_ring(storage: &dyn Storage, job_id: u64, current: u32) -> StdResult<u32> {
    Ok(match EVENT_RING.may_load(storage, job_id)? {
        Some(ring) => ring,
        None => LEGACY_RING.may_load(storage)?.unwrap_or(current),
    }
    .max(1))
}

/// Appends to the job's event log (dropping the oldest entry beyond
/// `max_history`) and returns the matching wasm event (`wasm-job`).
pub fn log_event(
    storage: &mut dyn Storage,
    env: &Env,
    max_history: u32,
    job: &Job,
    action: &str,
    actor: Option<&Addr>,
    detail: String,
) -> StdResult<Event> {
    let seq = EVENT_COUNT.may_load(storage, job.id)?.unwrap_or_default();
    let ring = match EVENT_RING.may_load(storage, job.id)? {
        Some(ring) => ring,
        None if seq == 0 => {
            let ring = max_history.max(1);
            EVENT_RING.save(storage, job.id, &ring)?;
            ring
        }
        None => event_ring(storage, job.id, max_history)?,
    };
    let slot = seq % ring;
    EVENTS.save(
        storage,
        (job.id, slot),
        &JobEvent {
            seq,
            action: action.to_string(),
            actor: actor.cloned(),
            height: env.block.height,
            time: env.block.time,
            detail: detail.clone(),
        },
    )?;
    EVENT_COUNT.save(storage, job.id, &seq.saturating_add(1))?;
    let mut event = Event::new("job")
        .add_attribute("action", action)
        .add_attribute("job_id", job.id.to_string())
        .add_attribute("status", format!("{:?}", job.status).to_ascii_lowercase());
    if let Some(actor) = actor {
        event = event.add_attribute("actor", actor.as_str());
    }
    if !detail.is_empty() {
        event = event.add_attribute("detail", detail);
    }
    Ok(event)
}
