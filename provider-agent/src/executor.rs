//! The executor: owns one [`ClDevice`] per OpenCL device (each with its
//! program cache, so a template's kernel is compiled once per device), runs
//! templates with progress logging, and commits the output.
//!
//! Devices are opened once, one after the other, and then shared: PoCL was
//! seen to fail buffer allocations when several contexts are created
//! concurrently.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use starminer_merkle::MerkleTree;
use starminer_templates::{list_devices, ClDevice, Params, Template};

pub struct Executor {
    devices: Vec<ClDevice>,
}

/// A finished job: the output, its Merkle tree and what the user sees.
pub struct JobOutput {
    pub data: Vec<u8>,
    pub tree: MerkleTree,
    pub preview_png: Option<Vec<u8>>,
    pub device: String,
    /// Time on the device (without hashing).
    pub run_time: Duration,
    pub commit_time: Duration,
}

impl Executor {
    /// Opens every OpenCL device. Fails when there is none: the agent cannot
    /// compute without one.
    pub fn open_all() -> Result<Executor> {
        let mut devices = Vec::new();
        for (platform, device) in list_devices() {
            let dev = ClDevice::new(platform, device)?;
            tracing::info!(device = %dev.name(), "opened OpenCL device");
            devices.push(dev);
        }
        if devices.is_empty() {
            bail!("no OpenCL device found: install an OpenCL driver (on Debian: scripts/setup.sh installs pocl-opencl-icd)");
        }
        Ok(Executor { devices })
    }

    pub fn devices(&self) -> &[ClDevice] {
        &self.devices
    }

    pub fn device(&self, index: usize) -> Result<&ClDevice> {
        self.devices.get(index).with_context(|| {
            format!(
                "no device {index}: this machine has {} (see `starminer-agent devices`)",
                self.devices.len()
            )
        })
    }

    /// Runs `template` on device `device`, logging progress about every 10%,
    /// then hashes the output into the Merkle tree the chain will check.
    pub fn run(
        &self,
        device: usize,
        template: &dyn Template,
        params: &Params,
        input: &[u8],
    ) -> Result<JobOutput> {
        let dev = self.device(device)?;
        let id = template.info().id;
        tracing::info!(template = id, device = %dev.name(), params = %params.canonical(), "running job");
        let logged = AtomicU64::new(0);
        let progress = |done: u64, total: u64| {
            let pct = done * 100 / total.max(1);
            if pct >= logged.load(Ordering::Relaxed) + 10 || done == total {
                logged.store(pct, Ordering::Relaxed);
                tracing::info!(template = id, "{pct:>3}% ({done}/{total})");
            }
        };
        let started = Instant::now();
        let data = template
            .run(dev, params, input, &progress)
            .with_context(|| format!("running {id} on {}", dev.name()))?;
        let run_time = started.elapsed();
        let started = Instant::now();
        let tree = starminer_templates::commit(&data, template.info().chunk_size);
        let commit_time = started.elapsed();
        let preview_png = template.preview_png(params, &data)?;
        tracing::info!(
            template = id,
            bytes = data.len(),
            chunks = tree.leaf_count(),
            root = %hex::encode(tree.root()),
            run_ms = run_time.as_millis() as u64,
            "job done"
        );
        Ok(JobOutput {
            data,
            tree,
            preview_png,
            device: dev.name(),
            run_time,
            commit_time,
        })
    }
}
