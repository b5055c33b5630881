//! `starminer-agent`: the StarMiner provider agent's command line.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use starminer_agent::executor::Executor;
use starminer_agent::fetch::{fetch_input, FetchLimits};
use starminer_agent::store::{NewResult, ResultStore};
use starminer_agent::{bench, devices, server};
use starminer_templates::{by_id, catalogue};

/// StarMiner provider agent: runs compute jobs on this machine's OpenCL
/// devices, commits outputs with Merkle trees and serves them to verifiers.
///
/// Start with `starminer-agent devices` to see what it can use, then
/// `starminer-agent run-local --template render.fractal --out results` to run
/// a job, and `starminer-agent serve --dir results` to serve it.
/// Logs go to stderr; set RUST_LOG=debug for more.
#[derive(Parser)]
#[command(name = "starminer-agent", version, about, long_about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// List OpenCL platforms and devices (compute units, memory, clocks, versions).
    Devices {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// List the built-in job templates: class, unit formula, chunk size,
    /// determinism, kernel hash and parameters.
    Templates {
        /// Print JSON (what the deploy tooling registers on chain).
        #[arg(long)]
        json: bool,
    },
    /// Benchmark every device: SGEMM GFLOP/s, memory bandwidth GB/s, fractal Mpixel/s.
    Bench {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
        /// Timed repetitions per figure (the best is kept).
        #[arg(long, default_value_t = 3)]
        reps: usize,
    },
    /// Run one template locally and store the output, its Merkle root and, for
    /// render templates, a PNG.
    RunLocal {
        /// Template id, e.g. render.fractal (see `templates`).
        #[arg(long)]
        template: String,
        /// Parameters as name=value,name=value (defaults fill the rest).
        #[arg(long, default_value = "")]
        params: String,
        /// Input as file:///path or http(s):// URL (needs --input-sha256).
        #[arg(long, requires = "input_sha256")]
        input: Option<String>,
        /// Expected hex SHA-256 of the input.
        #[arg(long)]
        input_sha256: Option<String>,
        /// Device index (see `devices`).
        #[arg(long, default_value_t = 0)]
        device: usize,
        /// Result store directory (servable with `serve --dir`).
        #[arg(long, default_value = "starminer-results")]
        out: PathBuf,
        /// Result id (default: template-<first 12 hex digits of the root>).
        #[arg(long)]
        id: Option<String>,
    },
    /// Serve a result store over HTTP: metadata, chunks with Merkle proofs,
    /// whole outputs (GET /results to start).
    Serve {
        /// Result store directory.
        #[arg(long, default_value = "starminer-results")]
        dir: PathBuf,
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8645")]
        addr: SocketAddr,
    },
}

fn main() -> Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    match Cli::parse().command {
        Command::Devices { json } => {
            let list = devices::discover();
            if json {
                println!("{}", serde_json::to_string_pretty(&list)?);
            } else if list.is_empty() {
                println!("no OpenCL device found (install one: scripts/setup.sh installs PoCL)");
            } else {
                print!("{}", devices::table(&list));
            }
        }
        Command::Templates { json } => templates(json)?,
        Command::Bench { json, reps } => {
            let exec = Executor::open_all()?;
            let mut results = Vec::new();
            for dev in exec.devices() {
                tracing::info!(device = %dev.name(), "benchmarking");
                results.push(bench::bench_device(dev, reps.max(1))?);
            }
            if json {
                println!("{}", serde_json::to_string_pretty(&results)?);
            } else {
                println!(
                    "{:<40} {:>14} {:>14} {:>16}",
                    "device", "SGEMM GFLOP/s", "memory GB/s", "fractal Mpx/s"
                );
                for r in &results {
                    println!(
                        "{:<40} {:>14.1} {:>14.1} {:>16.1}",
                        r.device, r.sgemm_gflops, r.bandwidth_gbs, r.fractal_mpixels
                    );
                }
            }
        }
        Command::RunLocal {
            template,
            params,
            input,
            input_sha256,
            device,
            out,
            id,
        } => run_local(
            &template,
            &params,
            input.as_deref(),
            input_sha256.as_deref(),
            device,
            out,
            id,
        )?,
        Command::Serve { dir, addr } => {
            let store = Arc::new(ResultStore::open(&dir)?);
            let rt = tokio::runtime::Runtime::new()?;
            rt.block_on(async {
                let listener = tokio::net::TcpListener::bind(addr)
                    .await
                    .with_context(|| format!("binding {addr}"))?;
                tracing::info!(%addr, dir = %dir.display(), "serving results (GET /results)");
                tokio::select! {
                    r = server::serve(store, listener) => r.context("result server failed"),
                    _ = tokio::signal::ctrl_c() => {
                        tracing::info!("stopping");
                        Ok(())
                    }
                }
            })?;
        }
    }
    Ok(())
}

fn templates(json: bool) -> Result<()> {
    let rows: Vec<serde_json::Value> = catalogue()
        .iter()
        .map(|t| {
            let i = t.info();
            serde_json::json!({
                "id": i.id,
                "description": i.description,
                "class": i.class,
                "unit_formula": i.unit_formula(),
                "unit": i.unit_name,
                "chunk_size": i.chunk_size,
                "determinism": i.determinism(),
                "max_seconds_per_unit": i.max_seconds_per_unit(),
                "min_device_memory": i.min_device_memory,
                "kernel_sha256": i.kernel_sha256_hex(),
                "params": i.params.iter().map(|p| serde_json::json!({
                    "name": p.name, "kind": format!("{:?}", p.kind), "doc": p.doc,
                })).collect::<Vec<_>>(),
                "input": i.input_doc,
                "output": i.output_doc,
            })
        })
        .collect();
    if json {
        println!("{}", serde_json::to_string_pretty(&rows)?);
        return Ok(());
    }
    for t in catalogue() {
        let i = t.info();
        println!("{}  ({:?}; {})", i.id, i.class, i.description);
        println!(
            "  units: {} = {}·{} / {}; chunk {} B; {}; kernel sha256 {}",
            i.unit_name,
            i.unit_factor,
            i.unit_params.join("·"),
            i.unit_divisor,
            i.chunk_size,
            i.tolerance
                .map_or("exact".to_string(), |e| format!("tolerance {e}")),
            i.kernel_sha256_hex()
        );
        for p in i.params {
            println!("    {:<16} {:?}  {}", p.name, p.kind, p.doc);
        }
        println!("  input: {}\n  output: {}\n", i.input_doc, i.output_doc);
    }
    Ok(())
}

fn run_local(
    template_id: &str,
    params_text: &str,
    input_uri: Option<&str>,
    input_sha256: Option<&str>,
    device: usize,
    out: PathBuf,
    id: Option<String>,
) -> Result<()> {
    let template = by_id(template_id)?;
    let params = template.parse_params(params_text)?;
    let units = template.info().units(&params)?;
    let input = match (input_uri, input_sha256) {
        (Some(uri), Some(sha)) => {
            let rt = tokio::runtime::Runtime::new()?;
            rt.block_on(fetch_input(uri, sha, FetchLimits::default()))?
        }
        _ => Vec::new(),
    };
    let store = ResultStore::open(&out)?;
    let exec = Executor::open_all()?;
    let job = exec.run(device, template, &params, &input)?;
    let root = hex::encode(job.tree.root());
    let id = id.unwrap_or_else(|| format!("{template_id}-{}", &root[..12]));
    let stored = store.put(NewResult {
        id: &id,
        template: template_id,
        params: &params.canonical(),
        kernel_sha256: &template.info().kernel_sha256_hex(),
        chunk_size: template.info().chunk_size,
        device: &job.device,
        output: &job.data,
        tree: &job.tree,
        preview_png: job.preview_png.as_deref(),
    })?;
    println!(
        "template:  {template_id} ({} units of {})",
        units,
        template.info().unit_name
    );
    println!("params:    {}", params.canonical());
    println!("device:    {}", job.device);
    println!(
        "time:      {:.3} s compute, {:.3} s Merkle",
        job.run_time.as_secs_f64(),
        job.commit_time.as_secs_f64()
    );
    println!(
        "output:    {} ({} bytes, {} chunks of {} B)",
        stored.output_path().display(),
        job.data.len(),
        job.tree.leaf_count(),
        template.info().chunk_size
    );
    if let Some(png) = stored.preview_path() {
        println!("image:     {}", png.display());
    }
    println!("root:      {root}");
    println!(
        "result id: {id}  (serve with: starminer-agent serve --dir {})",
        out.display()
    );
    Ok(())
}
