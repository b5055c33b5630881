//! `hpc.sgemm`: C = A·B in f32 with a tiled local-memory kernel.
//!
//! A (m×k) and B (k×n) come from the input blob (A then B, row-major
//! little-endian f32) or, when the input is empty, are generated from `seed`
//! row by row (so a verifier regenerates only the rows it needs and jobs
//! need no big input files). Output: C (m×n) row-major f32; a chunk is a
//! block of rows of C.

use std::borrow::Cow;
use std::ops::Range;

use crate::params::{ParamKind, ParamSpec};
use crate::rng::{mix64, SplitMix64};
use crate::rows::{par_rows, RowKernel, Rows};
use crate::{
    bytes_to_f32s, f32s_to_bytes, ClDevice, JobClass, Params, Result, TemplateError, TemplateInfo,
};

pub(crate) static SGEMM: Rows<Sgemm> = Rows(Sgemm);

static INFO: TemplateInfo = TemplateInfo {
    id: "hpc.sgemm",
    description: "Single-precision matrix multiply C = A·B (tiled, local memory); A and B from the input or a seed",
    class: JobClass::Hpc,
    unit_params: &["m", "n", "k"],
    unit_factor: 2,
    unit_divisor: 1_000_000,
    unit_name: "MFLOP",
    chunk_size: 256 * 1024,
    tolerance: Some("0.001"),
    max_seconds_per_unit: "0.001",
    min_device_memory: 256 << 20,
    kernel_source: include_str!("../kernels/sgemm.cl"),
    params: &[
        ParamSpec { name: "m", kind: ParamKind::Int { min: 1, max: 8192, default: 512 }, doc: "rows of A and C" },
        ParamSpec { name: "n", kind: ParamKind::Int { min: 1, max: 8192, default: 512 }, doc: "columns of B and C" },
        ParamSpec { name: "k", kind: ParamKind::Int { min: 1, max: 8192, default: 512 }, doc: "columns of A, rows of B" },
        ParamSpec { name: "seed", kind: ParamKind::Int { min: 0, max: u64::MAX, default: 1 }, doc: "generates A and B when the input is empty" },
    ],
    input_doc: "empty (A and B generated from `seed`, uniform in [-1, 1)) or A (m×k) then B (k×n), row-major little-endian f32",
    output_doc: "C (m×n), row-major little-endian f32",
};

/// Which kernel of `kernels/sgemm.cl` runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SgemmKernel {
    /// Local-memory tiling, for GPUs.
    Local,
    /// Register-tiled micro-kernel, for CPU devices.
    Registers,
}

impl SgemmKernel {
    /// The kernel suited to `dev`: registers on CPUs, local memory elsewhere.
    pub fn for_device(dev: &ClDevice) -> SgemmKernel {
        let is_cpu = dev
            .device()
            .info(ocl::enums::DeviceInfo::Type)
            .map(|t| t.to_string().contains("CPU"))
            .unwrap_or(false);
        if is_cpu {
            SgemmKernel::Registers
        } else {
            SgemmKernel::Local
        }
    }

    /// (row multiple, column multiple, depth multiple, kernel name,
    /// columns per work-item, rows per work-item, work-group size).
    fn shape(
        self,
    ) -> (
        usize,
        usize,
        usize,
        &'static str,
        usize,
        usize,
        Option<[usize; 2]>,
    ) {
        match self {
            SgemmKernel::Local => (32, 64, 64, "sgemm_local", 16, 4, Some([4, 8])),
            SgemmKernel::Registers => (6, 16, 1, "sgemm_regs", 16, 6, None),
        }
    }
}

pub(crate) struct Sgemm;

/// One row of a seeded matrix (`stream` 0 for A, 1 for B).
fn seeded_row(seed: u64, stream: u64, row: u64, len: usize) -> Vec<f32> {
    let mut g = SplitMix64::new(mix64(
        seed ^ mix64((row << 1 | stream).wrapping_add(0xA5A5)),
    ));
    (0..len).map(|_| g.symmetric_f32()).collect()
}

/// Rows `rows` of A and the whole of B, from the input or the seed.
fn operands(p: &Params, input: &[u8], rows: Range<u64>) -> (Vec<f32>, Vec<f32>) {
    let (m, n, k) = (p.usize("m"), p.usize("n"), p.usize("k"));
    if input.is_empty() {
        let seed = p.int("seed");
        let a = rows.flat_map(|r| seeded_row(seed, 0, r, k)).collect();
        let b = (0..k as u64)
            .flat_map(|r| seeded_row(seed, 1, r, n))
            .collect();
        (a, b)
    } else {
        let a_bytes = &input[rows.start as usize * k * 4..rows.end as usize * k * 4];
        let b_bytes = &input[m * k * 4..];
        (bytes_to_f32s(a_bytes), bytes_to_f32s(b_bytes))
    }
}

fn pad(src: &[f32], rows: usize, cols: usize, prow: usize, pcol: usize) -> Cow<'_, [f32]> {
    if rows == prow && cols == pcol {
        return Cow::Borrowed(src);
    }
    let mut out = vec![0.0; prow * pcol];
    for r in 0..rows {
        out[r * pcol..r * pcol + cols].copy_from_slice(&src[r * cols..(r + 1) * cols]);
    }
    Cow::Owned(out)
}

/// C = A·B on `dev` for row-major `a` (m×k) and `b` (k×n) with the kernel
/// suited to the device. Public for the agent's benchmark.
pub fn multiply(
    dev: &ClDevice,
    m: usize,
    n: usize,
    k: usize,
    a: &[f32],
    b: &[f32],
) -> Result<Vec<f32>> {
    multiply_with(dev, SgemmKernel::for_device(dev), m, n, k, a, b)
}

/// C = A·B with a chosen kernel (tests run both on any device). Pads the
/// operands to the kernel's tile multiples as needed.
pub fn multiply_with(
    dev: &ClDevice,
    which: SgemmKernel,
    m: usize,
    n: usize,
    k: usize,
    a: &[f32],
    b: &[f32],
) -> Result<Vec<f32>> {
    let (rm, cm, km, name, tn, tm, wg) = which.shape();
    let (mp, np, kp) = (
        m.div_ceil(rm) * rm,
        n.div_ceil(cm) * cm,
        k.div_ceil(km) * km,
    );
    let a_buf = dev.upload(&pad(a, m, k, mp, kp))?;
    let b_buf = dev.upload(&pad(b, k, n, kp, np))?;
    // Every element of C is written by the kernel: no fill needed.
    let c_buf = dev.output::<f32>(mp * np)?;
    let program = dev.program(&INFO)?;
    let mut builder = ocl::Kernel::builder();
    builder
        .program(&program)
        .name(name)
        .queue(dev.queue().clone())
        .global_work_size([np / tn, mp / tm])
        .arg(mp as u32)
        .arg(np as u32)
        .arg(kp as u32)
        .arg(&a_buf)
        .arg(&b_buf)
        .arg(&c_buf);
    if let Some(wg) = wg {
        builder.local_work_size(wg);
    }
    let kernel = builder.build()?;
    // SAFETY: the buffers hold the padded mp×kp, kp×np and mp×np matrices
    // the kernel indexes; the work sizes cover C exactly in tm×tn tiles.
    unsafe { kernel.enq()? };
    let mut c = dev.download(&c_buf, mp * np)?;
    if np == n {
        c.truncate(m * n);
        return Ok(c);
    }
    Ok((0..m)
        .flat_map(|r| c[r * np..r * np + n].iter().copied())
        .collect())
}

impl RowKernel for Sgemm {
    fn info(&self) -> &'static TemplateInfo {
        &INFO
    }

    fn shape(&self, p: &Params) -> (u64, u64) {
        (p.int("m"), p.int("n") * 4)
    }

    fn check_input(&self, p: &Params, input: &[u8]) -> Result<()> {
        let (m, n, k) = (p.int("m"), p.int("n"), p.int("k"));
        let want = (m * k + k * n) * 4;
        if !input.is_empty() && input.len() as u64 != want {
            return Err(TemplateError::BadInput(format!(
                "hpc.sgemm with m={m}, n={n}, k={k} takes A and B as {want} bytes of f32 (or no input); got {} bytes",
                input.len()
            )));
        }
        Ok(())
    }

    fn band_rows(&self, p: &Params) -> u64 {
        // Few, large launches: the kernel is fastest on whole panels.
        let m = p.int("m");
        m.div_ceil(4).max(256)
    }

    fn gpu_rows(
        &self,
        dev: &ClDevice,
        p: &Params,
        input: &[u8],
        rows: Range<u64>,
    ) -> Result<Vec<u8>> {
        let (n, k) = (p.usize("n"), p.usize("k"));
        let m = (rows.end - rows.start) as usize;
        let (a, b) = operands(p, input, rows);
        Ok(f32s_to_bytes(&multiply(dev, m, n, k, &a, &b)?))
    }

    fn cpu_rows(&self, p: &Params, input: &[u8], rows: Range<u64>) -> Result<Vec<u8>> {
        let (n, k) = (p.usize("n"), p.usize("k"));
        let first = rows.start;
        let (a, b) = operands(p, input, rows.clone());
        Ok(par_rows(rows, n as u64 * 4, |r, out| {
            let a_row = &a[(r - first) as usize * k..(r - first + 1) as usize * k];
            let mut acc = vec![0f32; n];
            for (kk, &x) in a_row.iter().enumerate() {
                for (c, &y) in acc.iter_mut().zip(&b[kk * n..(kk + 1) * n]) {
                    *c += x * y;
                }
            }
            for (o, v) in out.chunks_exact_mut(4).zip(&acc) {
                o.copy_from_slice(&v.to_le_bytes());
            }
        }))
    }
}
