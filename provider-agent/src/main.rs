//! `starminer-agent`: the StarMiner provider agent's command line.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use cosmwasm_std::Decimal;
use starminer_agent::config::{
    parse_decimal, AgentConfig, InitValues, RoleName, CONFIG_FILE, KEY_FILE,
};
use starminer_agent::executor::Executor;
use starminer_agent::fetch::{fetch_input, FetchLimits};
use starminer_agent::results::{NewResult, ResultStore};
use starminer_agent::{bench, devices, server};
use starminer_templates::{by_id, catalogue};

/// StarMiner provider agent: runs compute jobs on this machine's OpenCL
/// devices, commits outputs with Merkle trees and serves them to verifiers.
///
/// Start with `starminer-agent devices` to see what it can use, then
/// `starminer-agent run-local --template render.fractal --out results` to run
/// a job, and `starminer-agent serve --dir results` to serve it.
///
/// On a chain: `starminer-agent init --home DIR ...` writes DIR/agent.toml and
/// a key, `starminer-agent register --home DIR` registers, bonds and answers
/// the benchmark challenge, `starminer-agent run --home DIR` is the daemon,
/// `starminer-agent status --home DIR` shows its jobs. The key's passphrase
/// comes from STARMINER_AGENT_PASSPHRASE (else STARMINER_PASSPHRASE, else a
/// prompt).
/// Logs go to stderr; set RUST_LOG=debug for more. Errors print on one line
/// (`error: ...`) and exit with status 1.
#[derive(Parser)]
#[command(name = "starminer-agent", version, about, long_about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Where the agent's config lives.
#[derive(clap::Args, Clone)]
struct Home {
    /// The agent's home directory (holds agent.toml, the key and data/).
    #[arg(long, default_value = "~/.starminer-agent")]
    home: String,
    /// The config file (default: <home>/agent.toml).
    #[arg(long)]
    config: Option<PathBuf>,
}

impl Home {
    fn dir(&self) -> PathBuf {
        match self.home.strip_prefix("~/") {
            Some(rest) => std::env::var_os("HOME")
                .map(PathBuf::from)
                .unwrap_or_default()
                .join(rest),
            None => PathBuf::from(&self.home),
        }
    }

    fn config_path(&self) -> PathBuf {
        self.config
            .clone()
            .unwrap_or_else(|| self.dir().join(CONFIG_FILE))
    }

    fn load(&self) -> Result<AgentConfig> {
        AgentConfig::load(&self.config_path())
    }
}

// Parsed once per run: the size of the `init` variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
enum Command {
    /// Create the agent's home: agent.toml (every field commented) and the
    /// account key (imported from a mnemonic, or new), encrypted in
    /// keys/agent.json with a passphrase from STARMINER_AGENT_PASSPHRASE
    /// (else STARMINER_PASSPHRASE, else asked). Refuses to overwrite either
    /// without --force.
    Init {
        #[command(flatten)]
        home: Home,
        /// Import the key from the mnemonic in this file (default: a new key).
        #[arg(long, conflicts_with = "mnemonic_stdin")]
        mnemonic_file: Option<PathBuf>,
        /// Read the mnemonic to import from standard input.
        #[arg(long)]
        mnemonic_stdin: bool,
        /// CometBFT RPC endpoint. Repeat it (or separate with commas) to
        /// name other nodes of the chain, used in order while the first
        /// cannot be reached.
        #[arg(long, value_delimiter = ',', default_value = "http://127.0.0.1:26657")]
        rpc: Vec<String>,
        #[arg(long, default_value = "starminer-devnet-1")]
        chain_id: String,
        /// Bech32 prefix of the chain's addresses (wasmd: wasm).
        #[arg(long, default_value = "starminer")]
        prefix: String,
        /// Denom fees are paid in (wasmd: stake).
        #[arg(long, default_value = "ustar")]
        fee_denom: String,
        /// Price per gas unit, in the fee denom.
        #[arg(long, default_value = "0.0025", value_parser = parse_decimal)]
        gas_price: Decimal,
        /// Deployment manifest (JSON from the deploy tool).
        #[arg(long, default_value = "manifest.json")]
        manifest: PathBuf,
        #[arg(long, default_value = "starminer-agent")]
        moniker: String,
        #[arg(long, default_value = "Europe")]
        region: String,
        /// A zone of the registry (e.g. eu-west).
        #[arg(long, default_value = "eu-west")]
        zone: String,
        /// Also verify other providers' results (needs the validator stake).
        #[arg(long)]
        validator: bool,
        /// Verify only: do not claim jobs.
        #[arg(long, requires = "validator")]
        no_provider: bool,
        /// Result server listen address.
        #[arg(long, default_value = "127.0.0.1:8645")]
        listen: SocketAddr,
        /// URL others reach the result server at (default: http://<listen>).
        #[arg(long)]
        public_url: Option<String>,
        /// Jobs computed at once.
        #[arg(long, default_value_t = 2)]
        concurrency: usize,
        /// AGPU that `register` bonds (default: 1000, or 5000 with
        /// --validator: the devnet's minimum stakes).
        #[arg(long)]
        bond_agpu: Option<u64>,
        /// Benchmark score to claim in units/s (default: measured at register).
        #[arg(long, default_value_t = 0)]
        claimed_score: u64,
        /// Overwrite an existing config and key.
        #[arg(long)]
        force: bool,
    },
    /// Register (or update) this agent on chain with its detected hardware,
    /// bond AGPU up to provider.bond_uagpu, and answer the registry's
    /// benchmark challenge (bench.v1) so a validator can verify the tier.
    Register {
        #[command(flatten)]
        home: Home,
        /// Wait this many seconds for a validator to verify the benchmark.
        #[arg(long)]
        wait_verified: Option<u64>,
    },
    /// The daemon: follow the chain, claim jobs that fit the device and the
    /// price policy, compute, submit, answer challenges, verify (validator
    /// role), claim rewards. SIGTERM/Ctrl-C stops claiming, finishes running
    /// jobs and exits; a restart resumes every lease.
    Run {
        #[command(flatten)]
        home: Home,
    },
    /// The agent's jobs (from its database) and, when the chain answers,
    /// its registry record, stake and pending rewards.
    Status {
        #[command(flatten)]
        home: Home,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
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

/// Runs the command; an error is printed as its context chain on one line
/// (`error: registering: …: cause`) and the exit status is 1, whatever
/// `RUST_BACKTRACE` says: a user needs the reasons, not a stack trace.
fn main() -> std::process::ExitCode {
    match run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run() -> Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        // Colour only on a terminal: log files stay greppable.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    match Cli::parse().command {
        Command::Init {
            home,
            mnemonic_file,
            mnemonic_stdin,
            rpc,
            chain_id,
            prefix,
            fee_denom,
            gas_price,
            manifest,
            moniker,
            region,
            zone,
            validator,
            no_provider,
            listen,
            public_url,
            concurrency,
            bond_agpu,
            claimed_score,
            force,
        } => {
            let mut roles = Vec::new();
            if !no_provider {
                roles.push(RoleName::Provider);
            }
            if validator {
                roles.push(RoleName::Validator);
            }
            let mnemonic = if mnemonic_stdin {
                let mut text = String::new();
                std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)?;
                Some(text)
            } else {
                mnemonic_file
                    .map(|p| {
                        std::fs::read_to_string(&p)
                            .with_context(|| format!("reading {}", p.display()))
                    })
                    .transpose()?
            };
            init(
                &home,
                InitValues {
                    rpc: rpc[0].clone(),
                    rpc_fallbacks: rpc[1..].to_vec(),
                    chain_id,
                    prefix,
                    fee_denom,
                    gas_price,
                    manifest,
                    moniker,
                    region,
                    zone,
                    roles,
                    listen,
                    public_url: public_url.unwrap_or_else(|| format!("http://{listen}")),
                    concurrency,
                    bond_uagpu: bond_agpu
                        .unwrap_or(if validator { 5_000 } else { 1_000 })
                        .saturating_mul(1_000_000),
                    claimed_score,
                },
                mnemonic,
                force,
            )?;
        }
        Command::Register {
            home,
            wait_verified,
        } => {
            let config = home.load()?;
            let rt = tokio::runtime::Runtime::new()?;
            rt.block_on(starminer_agent::register::register(
                &config,
                wait_verified.map(std::time::Duration::from_secs),
            ))?;
        }
        Command::Run { home } => {
            let config = home.load()?;
            let rt = tokio::runtime::Runtime::new()?;
            rt.block_on(async {
                // Installed before anything else, so a SIGTERM is never
                // met by the default action (immediate death).
                use tokio::signal::unix::{signal, SignalKind};
                let mut term = signal(SignalKind::terminate()).context("installing the SIGTERM handler")?;
                let mut int = signal(SignalKind::interrupt()).context("installing the SIGINT handler")?;
                let shutdown = tokio_util::sync::CancellationToken::new();
                let cancel = shutdown.clone();
                tokio::spawn(async move {
                    tokio::select! { _ = term.recv() => {}, _ = int.recv() => {} }
                    tracing::info!("signal received: finishing running jobs, then stopping (send again to force)");
                    cancel.cancel();
                    tokio::select! { _ = term.recv() => {}, _ = int.recv() => {} }
                    tracing::warn!("second signal: exiting now; unfinished jobs resume after a restart");
                    std::process::exit(130);
                });
                let agent = starminer_agent::daemon::Agent::open(config)?;
                agent.run(shutdown).await
            })?;
        }
        Command::Status { home, json } => {
            let config = home.load()?;
            let rt = tokio::runtime::Runtime::new()?;
            rt.block_on(starminer_agent::status::print_status(&config, json))?;
        }
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

fn init(home: &Home, values: InitValues, mnemonic: Option<String>, force: bool) -> Result<()> {
    let dir = home.dir();
    let config_path = home.config_path();
    let key_path = dir.join(KEY_FILE);
    for path in [&config_path, &key_path] {
        if path.exists() && !force {
            anyhow::bail!(
                "{} exists: pass --force to overwrite it (the old key is lost unless you kept its mnemonic)",
                path.display()
            );
        }
    }
    let (config, text) = AgentConfig::from_init(&values)?;
    let (key, mnemonic, generated) = match mnemonic {
        Some(m) => {
            let m = m.split_whitespace().collect::<Vec<_>>().join(" ");
            (starminer_client::Key::from_mnemonic(&m)?, m, false)
        }
        None => {
            let (key, m) = starminer_client::Key::generate()?;
            (key, m.to_string(), true)
        }
    };
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    if let Some(parent) = config_path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let pass = starminer_agent::account::passphrase(
        "New passphrase for the agent's key (it encrypts the key file): ",
        true,
    )?;
    let (keystore, name) = starminer_agent::account::keystore_of(&key_path)?;
    if key_path.exists() {
        // --force was given (checked above).
        std::fs::remove_file(&key_path)
            .with_context(|| format!("removing the old key {}", key_path.display()))?;
    }
    keystore.import(&name, &mnemonic, &pass)?;
    std::fs::write(&config_path, text)
        .with_context(|| format!("writing {}", config_path.display()))?;
    println!("config:  {}", config_path.display());
    println!(
        "key:     {} (encrypted with the passphrase; mode 0600; `run`, `register` and `status` read the passphrase from {} or ask it)",
        key_path.display(),
        starminer_agent::account::PASSPHRASE_ENV
    );
    println!("address: {}", key.address(&config.chain.client.prefix)?);
    if generated {
        println!("mnemonic (write it down; it is the only backup of the key):\n  {mnemonic}");
    }
    let address = key.address(&config.chain.client.prefix)?;
    let steps = starminer_agent::onboarding::NextSteps {
        address: &address,
        home: &dir.display().to_string(),
        manifest: &config.chain.manifest.display().to_string(),
        bond_uagpu: u128::from(config.provider.bond_uagpu),
        min_stake_uagpu: chain_min_stake(&config),
        fee_denom: &config.chain.client.fee_denom,
        gas_price: config.chain.client.gas_price,
    };
    println!("{}", steps.text());
    Ok(())
}

/// The chain's minimum bond for the roles of `config`, when the deployment
/// manifest is in place and the chain answers within a few seconds (`init`
/// works offline too; its next steps then give the configured bond only).
fn chain_min_stake(config: &AgentConfig) -> Option<u128> {
    let rt = tokio::runtime::Runtime::new().ok()?;
    rt.block_on(async {
        let manifest = starminer_client::Manifest::load(&config.chain.manifest).ok()?;
        let chain = starminer_client::ChainClient::new(config.chain.client.clone()).ok()?;
        let sm = starminer_client::Starminer::from_manifest(chain, &manifest).ok()?;
        let params =
            tokio::time::timeout(std::time::Duration::from_secs(3), sm.registry().config())
                .await
                .ok()?
                .ok()?
                .params;
        let mut min = 0;
        if config.has_role(RoleName::Provider) {
            min = min.max(params.min_provider_stake.u128());
        }
        if config.has_role(RoleName::Validator) {
            min = min.max(params.min_validator_stake.u128());
        }
        Some(min)
    })
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
