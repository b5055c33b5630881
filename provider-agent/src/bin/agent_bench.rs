//! `agent-bench`: the provider agent's performance check, printed as a table.
//!
//! (a) SGEMM n = 1024 f32 on the first OpenCL device (the `hpc.sgemm`
//!     kernel, transfers included) against numpy's matmul (OpenBLAS) on the
//!     same machine, measured in alternation in the same run; the ratio is
//!     taken per round and the median reported.
//! (b) Merkle commitment of a file (64 KiB chunks, hashed on all cores)
//!     against `sha256sum` over the same bytes.
//!
//! numpy comes from a virtual environment under `.tools/bench-venv`
//! (created with pip when missing); `--python` picks another interpreter.
//! The machines are shared and small: every figure is the best of several
//! repetitions, and rounds are interleaved so that both sides see the same
//! load.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use clap::Parser;
use starminer_agent::bench::sgemm_gflops;
use starminer_agent::hashing::commit_file;
use starminer_templates::ClDevice;

#[derive(Parser)]
#[command(
    name = "agent-bench",
    about = "SGEMM against numpy and Merkle hashing against sha256sum, as a table"
)]
struct Args {
    /// Interleaved measurement rounds.
    #[arg(long, default_value_t = 3)]
    rounds: usize,
    /// Matrix size.
    #[arg(long, default_value_t = 1024)]
    n: usize,
    /// MiB hashed in the Merkle comparison.
    #[arg(long, default_value_t = 512)]
    mib: u64,
    /// Python interpreter with numpy (default: .tools/bench-venv, created if missing).
    #[arg(long)]
    python: Option<PathBuf>,
    /// Skip the SGEMM comparison.
    #[arg(long)]
    no_sgemm: bool,
    /// Skip the Merkle comparison.
    #[arg(long)]
    no_merkle: bool,
}

const NUMPY_TIMING: &str = r#"
import sys, time
import numpy as np
n, reps = int(sys.argv[1]), int(sys.argv[2])
rng = np.random.default_rng(1)
a = rng.uniform(-1, 1, (n, n)).astype(np.float32)
b = rng.uniform(-1, 1, (n, n)).astype(np.float32)
a @ b
best = float("inf")
for _ in range(reps):
    t = time.perf_counter(); a @ b; best = min(best, time.perf_counter() - t)
print(2.0 * n ** 3 / best / 1e9)
"#;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

fn has_numpy(python: &Path) -> bool {
    Command::new(python)
        .args(["-c", "import numpy"])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// A Python with numpy: the given one, or `.tools/bench-venv` (created and
/// provisioned with pip on first use).
fn python_with_numpy(given: Option<PathBuf>) -> Result<PathBuf> {
    if let Some(p) = given {
        if has_numpy(&p) {
            return Ok(p);
        }
        bail!("{} cannot import numpy", p.display());
    }
    let venv = repo_root().join(".tools/bench-venv");
    let python = venv.join("bin/python");
    if has_numpy(&python) {
        return Ok(python);
    }
    eprintln!("installing numpy into {} (once)", venv.display());
    let ok = Command::new("python3")
        .args(["-m", "venv"])
        .arg(&venv)
        .status()?
        .success()
        && Command::new(&python)
            .args(["-m", "pip", "install", "--quiet", "numpy"])
            .status()?
            .success();
    if !ok || !has_numpy(&python) {
        bail!(
            "could not install numpy into {}; pass --python with one that has it",
            venv.display()
        );
    }
    Ok(python)
}

fn numpy_gflops(python: &Path, n: usize, reps: usize) -> Result<f64> {
    let out = Command::new(python)
        .args(["-c", NUMPY_TIMING, &n.to_string(), &reps.to_string()])
        .output()
        .context("running python")?;
    if !out.status.success() {
        bail!(
            "numpy timing failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().parse()?)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Writes `mib` MiB of pseudo-random bytes (so nothing compresses or
/// short-cuts) to a temporary file.
fn make_file(mib: u64) -> Result<tempfile::NamedTempFile> {
    use std::io::Write;
    let mut f = tempfile::NamedTempFile::new()?;
    let mut block = vec![0u8; 1 << 20];
    let mut x = 0x1234_5678_9abc_def0u64;
    for _ in 0..mib {
        for b in block.chunks_exact_mut(8) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            b.copy_from_slice(&x.to_le_bytes());
        }
        f.write_all(&block)?;
    }
    f.flush()?;
    Ok(f)
}

fn sha256sum_mbs(path: &Path, bytes: u64) -> Result<f64> {
    let t = Instant::now();
    let out = Command::new("sha256sum")
        .arg(path)
        .output()
        .context("running sha256sum")?;
    let secs = t.elapsed().as_secs_f64();
    if !out.status.success() {
        bail!("sha256sum failed");
    }
    Ok(bytes as f64 / secs / 1e6)
}

fn merkle_mbs(path: &Path, bytes: u64) -> Result<f64> {
    let t = Instant::now();
    commit_file(path, 64 * 1024)?;
    Ok(bytes as f64 / t.elapsed().as_secs_f64() / 1e6)
}

fn main() -> Result<()> {
    let args = Args::parse();
    let rounds = args.rounds.max(1);
    println!(
        "agent-bench: {} rounds, {} threads available",
        rounds,
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    if !args.no_sgemm {
        let dev =
            ClDevice::first()?.context("no OpenCL device: install PoCL (scripts/setup.sh)")?;
        let python = python_with_numpy(args.python.clone())?;
        println!(
            "\n(a) SGEMM n={} f32 — {} vs numpy matmul ({})",
            args.n,
            dev.name(),
            python.display()
        );
        println!(
            "{:>6} {:>16} {:>16} {:>8}",
            "round", "OpenCL GFLOP/s", "numpy GFLOP/s", "ratio"
        );
        let mut ratios = Vec::new();
        let (mut best_cl, mut best_np) = (0f64, 0f64);
        for r in 0..rounds {
            let cl = sgemm_gflops(&dev, args.n, 3)?;
            let np = numpy_gflops(&python, args.n, 5)?;
            best_cl = best_cl.max(cl);
            best_np = best_np.max(np);
            ratios.push(cl / np);
            println!("{:>6} {:>16.1} {:>16.1} {:>8.2}", r + 1, cl, np, cl / np);
        }
        println!(
            "{:>6} {:>16.1} {:>16.1} {:>8.2}   (median ratio; bar 0.25)",
            "best",
            best_cl,
            best_np,
            median(ratios)
        );
    }
    if !args.no_merkle {
        let file = make_file(args.mib)?;
        let bytes = args.mib << 20;
        // Warm the page cache so that both sides read from memory.
        sha256sum_mbs(file.path(), bytes)?;
        println!(
            "\n(b) Merkle commitment (64 KiB chunks, parallel) vs sha256sum over {} MiB",
            args.mib
        );
        println!(
            "{:>6} {:>16} {:>16} {:>8}",
            "round", "Merkle MB/s", "sha256sum MB/s", "ratio"
        );
        let mut ratios = Vec::new();
        for r in 0..rounds {
            let m = merkle_mbs(file.path(), bytes)?;
            let s = sha256sum_mbs(file.path(), bytes)?;
            ratios.push(m / s);
            println!("{:>6} {:>16.0} {:>16.0} {:>8.2}", r + 1, m, s, m / s);
        }
        println!(
            "{:>6} {:>16} {:>16} {:>8.2}   (median ratio; bar 0.8)",
            "median",
            "",
            "",
            median(ratios)
        );
    }
    Ok(())
}
