//! The compute task: one leased job's input fetched, its kernel run on the
//! lease's device by the [`Executor`], and the output with its Merkle tree
//! written to the result files ([`crate::results`]).
//!
//! A compute task sends nothing to the chain and decides nothing about the
//! lease. It records how far it got (`fetching`, `computing`) in the lease,
//! so that a restart shows where it stopped and starts the job again from
//! its input, and it reports how it ended as a [`ComputeOutcome`] to the
//! daemon's provider loop, which owns every decision that
//! follows: submitting, reporting a bad input, abandoning, trying again.

use std::sync::Arc;

use anyhow::{anyhow, Result};
use starminer_interfaces::job_market::JobStatus;
use starminer_templates::by_id;

use crate::account::AgentAccount;
use crate::duties::{DutyDb, Lease, Phase};
use crate::executor::Executor;
use crate::fetch::{job_input, FetchError};
use crate::metrics::Metrics;
use crate::results::{NewResult, ResultStore, StoredResult};

/// What a compute task uses: the account only to read the job, the duties
/// database only to record its progress, the result files it writes, the
/// executor, the input size limit and the metrics.
#[derive(Clone)]
pub struct ComputeContext {
    pub account: AgentAccount,
    pub duties: Arc<DutyDb>,
    pub results: Arc<ResultStore>,
    pub exec: Arc<Executor>,
    /// Largest input fetched (`agent.max_input_bytes`).
    pub max_input_bytes: u64,
    pub metrics: Arc<Metrics>,
}

/// How a compute task ended.
#[derive(Debug)]
pub enum ComputeOutcome {
    /// The output is in the result files (computed now, or before a restart).
    Computed(Arc<StoredResult>),
    /// The job no longer waits for this agent's result; it is in `status`.
    NoLongerOurs(JobStatus),
    /// The downloaded input does not hash to the job's input hash.
    BadInput(FetchError),
    /// The input could not be downloaded.
    InputUnavailable(FetchError),
    /// The kernel could not be built or the device failed: this agent
    /// cannot run the job.
    KernelFailed(anyhow::Error),
}

/// Result id of a job's output in the result files.
pub fn result_id(job_id: u64) -> String {
    format!("job-{job_id}")
}

/// Runs `lease`'s job unless its output is already stored (see the module
/// docs). An error is a transient failure (the chain, the disk) to retry.
pub async fn compute(ctx: &ComputeContext, lease: &Lease) -> Result<ComputeOutcome> {
    let job_id = lease.job_id;
    let job = ctx.account.job(job_id).await?;
    if !ctx.account.holds_unsent_slot(&job) {
        return Ok(ComputeOutcome::NoLongerOurs(job.status));
    }
    let id = result_id(job_id);
    if let Some(stored) = ctx.results.get(&id) {
        // Computed before a restart: reuse it.
        return Ok(ComputeOutcome::Computed(stored));
    }
    let template = by_id(&lease.template)?;
    let info = template.info();
    let params = template.parse_params(&lease.params)?;
    ctx.duties.set_phase(job_id, Phase::Fetching)?;
    let input = match job_input(&job.spec.input, ctx.max_input_bytes).await {
        Ok(input) => input,
        Err(e @ FetchError::HashMismatch { .. }) => return Ok(ComputeOutcome::BadInput(e)),
        Err(e) => return Ok(ComputeOutcome::InputUnavailable(e)),
    };
    ctx.duties.set_phase(job_id, Phase::Computing)?;
    let exec = ctx.exec.clone();
    let device = lease.device;
    let p = params.clone();
    let run = tokio::task::spawn_blocking(move || exec.run(device, template, &p, &input))
        .await
        .map_err(|e| anyhow!("kernel task: {e}"))?;
    #[cfg_attr(not(feature = "test-cheat"), allow(unused_mut))]
    let mut out = match run {
        Ok(out) => out,
        Err(e) => return Ok(ComputeOutcome::KernelFailed(e)),
    };
    #[cfg(feature = "test-cheat")]
    crate::cheat::apply(&mut out, info.chunk_size);
    ctx.metrics
        .computed(info.id, lease.units, out.run_time.as_secs_f64());
    let stored = ctx.results.put(NewResult {
        id: &id,
        template: info.id,
        params: &params.canonical(),
        kernel_sha256: &info.kernel_sha256_hex(),
        chunk_size: info.chunk_size,
        device: &out.device,
        output: &out.data,
        tree: &out.tree,
        preview_png: out.preview_png.as_deref(),
    })?;
    Ok(ComputeOutcome::Computed(stored))
}
