//! Device benchmarks reported by `starminer-agent bench`: SGEMM GFLOP/s
//! (the `hpc.sgemm` kernel), memory bandwidth (a copy kernel) and fractal
//! Mpixel/s (the `render.fractal` template). Best of several repetitions.

use std::time::Instant;

use anyhow::Result;
use serde::Serialize;
use starminer_templates::{by_id, rng::symmetric_f32s, sgemm_multiply, ClDevice};

const BANDWIDTH_SOURCE: &str = include_str!("../kernels/bandwidth.cl");

#[derive(Debug, Clone, Serialize)]
pub struct DeviceBench {
    pub device: String,
    pub sgemm_n: usize,
    pub sgemm_gflops: f64,
    pub bandwidth_gbs: f64,
    pub fractal_mpixels: f64,
}

/// Best time in seconds of `reps` runs of `f` (after one warm-up run, which
/// also builds the kernels).
pub fn best_of<T>(reps: usize, mut f: impl FnMut() -> Result<T>) -> Result<f64> {
    f()?;
    let mut best = f64::INFINITY;
    for _ in 0..reps {
        let t = Instant::now();
        f()?;
        best = best.min(t.elapsed().as_secs_f64());
    }
    Ok(best)
}

/// SGEMM of two seeded n×n matrices; GFLOP/s including transfers.
pub fn sgemm_gflops(dev: &ClDevice, n: usize, reps: usize) -> Result<f64> {
    let a = symmetric_f32s(1, 0, n * n, 1.0);
    let b = symmetric_f32s(1, 1, n * n, 1.0);
    let secs = best_of(reps, || Ok(sgemm_multiply(dev, n, n, n, &a, &b)?))?;
    Ok(2.0 * (n as f64).powi(3) / secs / 1e9)
}

/// Copy bandwidth over a 64 MiB buffer, counting bytes read plus written.
pub fn bandwidth_gbs(dev: &ClDevice, reps: usize) -> Result<f64> {
    let n = 16usize << 20; // floats
    let program = dev.program_from_source("agent.bandwidth", BANDWIDTH_SOURCE)?;
    let src = dev.upload(&vec![1.0f32; n])?;
    let dst = dev.scratch::<f32>(n)?;
    let kernel = ocl::Kernel::builder()
        .program(&program)
        .name("copy4")
        .queue(dev.queue().clone())
        .global_work_size(n / 16)
        .arg(&src)
        .arg(&dst)
        .arg((n / 4) as u32)
        .build()?;
    let secs = best_of(reps, || {
        // SAFETY: both buffers hold n floats = n/4 float4s; each work-item
        // touches 4 of them below n/4.
        unsafe { kernel.enq()? };
        dev.queue().finish()?;
        Ok(())
    })?;
    Ok(2.0 * (n * 4) as f64 / secs / 1e9)
}

/// The fractal template at 1024×768, 256 iterations, Mpixel/s.
pub fn fractal_mpixels(dev: &ClDevice, reps: usize) -> Result<f64> {
    let t = by_id("render.fractal")?;
    let p = t.parse_params("width=1024,height=768,max_iter=256")?;
    let secs = best_of(reps, || Ok(t.run(dev, &p, &[], &|_, _| {})?))?;
    Ok(1024.0 * 768.0 / secs / 1e6)
}

pub fn bench_device(dev: &ClDevice, reps: usize) -> Result<DeviceBench> {
    let sgemm_n = 1024;
    Ok(DeviceBench {
        device: dev.name(),
        sgemm_n,
        sgemm_gflops: sgemm_gflops(dev, sgemm_n, reps)?,
        bandwidth_gbs: bandwidth_gbs(dev, reps)?,
        fractal_mpixels: fractal_mpixels(dev, reps)?,
    })
}
