//! Read-only views. Every list paginates (`start_after`, `limit` default 10,
//! max 100).

use cosmwasm_std::{Addr, Deps, StdResult};
use starminer_interfaces::job_market::{
    ConfigResponse, Job, JobResponse, JobStatus, JobsResponse, QueueCursor, QueueEntry,
    QueueResponse, SpilloverEntry, SpilloverResponse, StatsResponse, StatusCount, Template,
    TemplatesResponse, VerifierTask, VerifierTasksResponse, ZoneInfo, ZonesResponse,
};

use crate::state::{
    priority, urgency_of_priority, BY_PROVIDER, BY_REQUESTER, BY_STATUS, BY_ZONE, CONFIG, EVENTS,
    EVENT_COUNT, JOBS, JOB_COUNT, PARAMS, QUEUE, QUEUE_BY_TIER, SPILL, STATUS_COUNT, TEMPLATES,
    TOTALS, VERIFIER_TASKS, ZONES,
};

use starminer_contract_kit::Paginated;

pub fn query_config(deps: Deps) -> StdResult<ConfigResponse> {
    let c = CONFIG.load(deps.storage)?;
    Ok(ConfigResponse {
        governance: c.governance,
        agpu_token: c.agpu_token,
        registry: c.registry,
        pricing: c.pricing,
        incentives: c.incentives,
        oracles: c.oracles,
        params: PARAMS.load(deps.storage)?,
    })
}

pub fn query_template(deps: Deps, id: String) -> StdResult<Template> {
    TEMPLATES.load(deps.storage, &id)
}

pub fn query_templates(
    deps: Deps,
    start_after: Option<String>,
    limit: Option<u32>,
) -> StdResult<TemplatesResponse> {
    let templates = TEMPLATES
        .page(deps.storage, start_after.as_deref(), limit)
        .map(|r| r.map(|(_, t)| t))
        .collect::<StdResult<_>>()?;
    Ok(TemplatesResponse { templates })
}

pub fn query_job(deps: Deps, job_id: u64) -> StdResult<JobResponse> {
    let job = JOBS.load(deps.storage, job_id)?;
    let count = EVENT_COUNT
        .may_load(deps.storage, job_id)?
        .unwrap_or_default();
    // The ring the job was logged with, not today's `max_history`: a
    // change of the parameter must not move old jobs' entries.
    let current = PARAMS.load(deps.storage)?.limits.max_history;
    let ring = crate::state::event_ring(deps.storage, job_id, current)?;
    let first = count.saturating_sub(ring);
    let history = (first..count)
        .map(|seq| EVENTS.load(deps.storage, (job_id, seq % ring)))
        .collect::<StdResult<Vec<_>>>()?;
    let bad_input_report = crate::state::BAD_INPUT.may_load(deps.storage, job_id)?;
    // The judge is known once the beacon value it waits for is revealed.
    let bad_input_judge = match &bad_input_report {
        Some(report) => crate::execute::result::bad_input_judge(deps, &job, report)
            .ok()
            .flatten(),
        None => None,
    };
    Ok(JobResponse {
        job,
        history,
        bad_input_report,
        bad_input_judge,
    })
}

fn jobs_from_ids(deps: Deps, ids: Vec<u64>) -> StdResult<JobsResponse> {
    let jobs = ids
        .into_iter()
        .map(|id| JOBS.load(deps.storage, id))
        .collect::<StdResult<Vec<Job>>>()?;
    Ok(JobsResponse { jobs })
}

fn ids_by_addr(
    deps: Deps,
    map: cw_storage_plus::Map<(&Addr, u64), ()>,
    addr: &Addr,
    start_after: Option<u64>,
    limit: Option<u32>,
) -> StdResult<Vec<u64>> {
    map.prefix(addr)
        .page_keys(deps.storage, start_after, limit)
        .collect()
}

pub fn query_jobs_by_requester(
    deps: Deps,
    requester: String,
    start_after: Option<u64>,
    limit: Option<u32>,
) -> StdResult<JobsResponse> {
    let addr = deps.api.addr_validate(&requester)?;
    let ids = ids_by_addr(deps, BY_REQUESTER, &addr, start_after, limit)?;
    jobs_from_ids(deps, ids)
}

pub fn query_jobs_by_provider(
    deps: Deps,
    provider: String,
    start_after: Option<u64>,
    limit: Option<u32>,
) -> StdResult<JobsResponse> {
    let addr = deps.api.addr_validate(&provider)?;
    let ids = ids_by_addr(deps, BY_PROVIDER, &addr, start_after, limit)?;
    jobs_from_ids(deps, ids)
}

pub fn query_jobs_by_status(
    deps: Deps,
    status: JobStatus,
    start_after: Option<u64>,
    limit: Option<u32>,
) -> StdResult<JobsResponse> {
    let ids = BY_STATUS
        .prefix(status.key())
        .page_keys(deps.storage, start_after, limit)
        .collect::<StdResult<Vec<_>>>()?;
    jobs_from_ids(deps, ids)
}

pub fn query_jobs_by_zone(
    deps: Deps,
    zone: String,
    start_after: Option<u64>,
    limit: Option<u32>,
) -> StdResult<JobsResponse> {
    let ids = BY_ZONE
        .prefix(&zone)
        .page_keys(deps.storage, start_after, limit)
        .collect::<StdResult<Vec<_>>>()?;
    jobs_from_ids(deps, ids)
}

pub fn query_open_queue(
    deps: Deps,
    zone: String,
    tier: Option<u8>,
    start_after: Option<QueueCursor>,
    limit: Option<u32>,
) -> StdResult<QueueResponse> {
    let start = start_after.map(|c| (priority(c.urgency), c.job_id));
    let keys: Vec<(u8, u64)> = match tier {
        Some(tier) => QUEUE_BY_TIER
            .sub_prefix((zone.as_str(), tier))
            .page_keys(deps.storage, start, limit)
            .collect::<StdResult<_>>()?,
        None => QUEUE
            .sub_prefix(&zone)
            .page_keys(deps.storage, start, limit)
            .collect::<StdResult<_>>()?,
    };
    let entries = keys
        .into_iter()
        .map(|(prio, job_id)| {
            let item = QUEUE.load(deps.storage, (&zone, prio, job_id))?;
            Ok(QueueEntry {
                job_id,
                zone: zone.clone(),
                urgency: urgency_of_priority(prio),
                tier: item.tier,
                submitted_at: item.submitted_at,
            })
        })
        .collect::<StdResult<_>>()?;
    Ok(QueueResponse { entries })
}

pub fn query_verifier_tasks(
    deps: Deps,
    address: String,
    start_after: Option<u64>,
    limit: Option<u32>,
) -> StdResult<VerifierTasksResponse> {
    let addr = deps.api.addr_validate(&address)?;
    let tasks = VERIFIER_TASKS
        .prefix(&addr)
        .page(deps.storage, start_after, limit)
        .map(|r| {
            let (job_id, dispute) = r?;
            let job = JOBS.load(deps.storage, job_id)?;
            let pending = job.verification.as_ref().is_some_and(|v| {
                if dispute {
                    v.dispute.as_ref().is_some_and(|d| {
                        d.voters
                            .iter()
                            .any(|x| x.address == addr && x.provider_correct.is_none())
                    })
                } else {
                    v.verifiers
                        .iter()
                        .any(|e| e.address == addr && e.attestation.is_none())
                }
            }) && !job.status.is_terminal();
            Ok(VerifierTask {
                job_id,
                status: job.status,
                dispute,
                pending,
            })
        })
        .collect::<StdResult<_>>()?;
    Ok(VerifierTasksResponse { tasks })
}

pub fn query_zones(
    deps: Deps,
    start_after: Option<String>,
    limit: Option<u32>,
) -> StdResult<ZonesResponse> {
    let zones = ZONES
        .page(deps.storage, start_after.as_deref(), limit)
        .map(|r| {
            r.map(|(zone, z)| ZoneInfo {
                zone,
                capacity_threshold: z.capacity_threshold,
                open_jobs: z.open_jobs,
            })
        })
        .collect::<StdResult<_>>()?;
    Ok(ZonesResponse { zones })
}

pub fn query_spillover(
    deps: Deps,
    to: String,
    start_after: Option<String>,
    limit: Option<u32>,
) -> StdResult<SpilloverResponse> {
    let routes = SPILL
        .prefix(&to)
        .page(deps.storage, start_after.as_deref(), limit)
        .map(|r| {
            r.map(|(from, route)| SpilloverEntry {
                from,
                to: to.clone(),
                route,
            })
        })
        .collect::<StdResult<_>>()?;
    Ok(SpilloverResponse { routes })
}

pub fn query_stats(deps: Deps) -> StdResult<StatsResponse> {
    let by_status = JobStatus::ALL
        .iter()
        .map(|s| {
            Ok(StatusCount {
                status: s.clone(),
                count: STATUS_COUNT
                    .may_load(deps.storage, s.key())?
                    .unwrap_or_default(),
            })
        })
        .collect::<StdResult<_>>()?;
    Ok(StatsResponse {
        jobs: JOB_COUNT.load(deps.storage)?,
        by_status,
        totals: TOTALS.load(deps.storage)?,
    })
}
