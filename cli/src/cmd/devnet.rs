//! `starminer devnet`: the local chain in the background.
//!
//! `up` initializes `HOME/devnet` on first use (genesis with funded dev
//! accounts), starts `starminer-devnet start` detached (its log in
//! `HOME/devnet/node.log`, its pid in `HOME/devnet/devnet.pid`), waits for
//! blocks, points the `devnet` chain of the config at it, imports the dev
//! keys `dev0`…`dev3` into the keystore and deploys (dev0 deploys and holds
//! the AMAX; every dev account gets AGPU). Devnet governance periods are
//! shortened (voting 10 s, timelock 2 s) so proposals pass in seconds.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use serde::{Deserialize, Serialize};
use starminer_client::{ChainClient, ChainConfig, Manifest, Wallet};

use crate::cmd::deploy::{deploy_with, print_addresses, DeployArgs, PeriodArgs};
use crate::context::{passphrase, Ctx};
use crate::GlobalArgs;

mod validator;
use validator::ValidatorAgent;

#[derive(Subcommand)]
pub enum DevnetCmd {
    /// Start the devnet in the background (initializing it on first use),
    /// wait for blocks, import the dev keys and deploy.
    Up(UpArgs),
    /// Stop the background devnet (its chain data stays; `up` continues it).
    Down(HomeArgs),
    /// Is it running, at which height, is StarMiner deployed?
    Status(HomeArgs),
}

#[derive(Args, Clone)]
pub struct HomeArgs {
    /// The devnet's home (default: HOME/devnet).
    #[arg(long)]
    pub devnet_home: Option<PathBuf>,
}

#[derive(Args, Clone)]
pub struct UpArgs {
    #[command(flatten)]
    pub home: HomeArgs,
    /// The `starminer-devnet` binary (default: next to `starminer`, else PATH).
    #[arg(long, env = "STARMINER_DEVNET_BIN")]
    pub devnet_bin: Option<PathBuf>,
    /// CometBFT RPC port on 127.0.0.1 (0: any free port; the node reports
    /// the one it bound, and the CLI's config records it).
    #[arg(long, default_value_t = 26657)]
    pub rpc_port: u16,
    /// Cosmos REST port on 127.0.0.1 (0: no REST server).
    #[arg(long, default_value_t = 1317)]
    pub rest_port: u16,
    /// gRPC port on 127.0.0.1 (0: any free port).
    #[arg(long, default_value_t = 9090)]
    pub grpc_port: u16,
    /// Time between blocks, e.g. 1s or 200ms.
    #[arg(long, default_value = "1s")]
    pub block_time: String,
    /// Delete the devnet's chain data and start from a fresh genesis (the
    /// manifest's devnet entry is dropped too).
    #[arg(long)]
    pub fresh: bool,
    /// Only start the chain; do not deploy (nor start the validator agent).
    #[arg(long)]
    pub no_deploy: bool,
    /// Do not run the devnet's validator agent. By default `up` runs
    /// `starminer-agent` as a validator (created, funded from dev0 and
    /// registered on first use, in DEVNET_HOME/validator-agent), which
    /// verifies providers' benchmarks and spot checks so that a local
    /// provider gets a tier and its jobs settle. Pass this when you run your
    /// own validators.
    #[arg(long)]
    pub no_validator_agent: bool,
    /// The `starminer-agent` binary for the validator agent (default: next
    /// to `starminer`, else PATH).
    #[arg(long, env = "STARMINER_AGENT_BIN")]
    pub agent_bin: Option<PathBuf>,
    /// Directory of the wasm artifacts.
    #[arg(long, default_value = "artifacts")]
    pub artifacts: PathBuf,
    #[command(flatten)]
    pub periods: PeriodArgs,
}

/// The job market's challenge window `devnet up` deploys with, in seconds,
/// unless `--challenge-window` says otherwise (a deployment elsewhere
/// defaults to 300).
const DEVNET_CHALLENGE_WINDOW: u64 = 30;

/// How many dev accounts the devnet is created with (dev0 … dev3).
const DEV_ACCOUNTS: u32 = 4;

#[derive(Clone, Debug, Deserialize)]
struct DevAccount {
    name: String,
    address: String,
    mnemonic: String,
}

#[derive(Serialize)]
struct Status {
    home: String,
    running: bool,
    pid: Option<u32>,
    rpc: String,
    chain_id: Option<String>,
    height: Option<u64>,
    deployed: bool,
    /// The validator agent's pid while it runs.
    validator_agent: Option<u32>,
}

fn devnet_home(ctx: &Ctx, h: &HomeArgs) -> PathBuf {
    h.devnet_home
        .clone()
        .unwrap_or_else(|| ctx.home.join("devnet"))
}

fn pid_path(home: &Path) -> PathBuf {
    home.join("devnet.pid")
}

fn read_pid(home: &Path) -> Option<u32> {
    crate::process::read_pid(&pid_path(home))
}

fn find_devnet_bin(explicit: &Option<PathBuf>) -> Result<PathBuf> {
    crate::process::find_sibling_bin(explicit, "starminer-devnet").context(
        "cannot find the starminer-devnet binary: build it (`cargo build --release -p starminer-devnet`) and pass --devnet-bin PATH or set STARMINER_DEVNET_BIN",
    )
}

/// What a running node reports in `data/listening.json`.
#[derive(serde::Deserialize)]
struct Listening {
    rpc: String,
    rest: Option<String>,
}

/// Waits for the node to bind its ports and report them.
async fn bound_addresses(home: &Path, pid: u32, log: &Path) -> Result<Listening> {
    let path = home.join("data/listening.json");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(l) = std::fs::read(&path)
            .ok()
            .and_then(|b| serde_json::from_slice::<Listening>(&b).ok())
        {
            return Ok(l);
        }
        if !crate::process::alive(pid) {
            bail!(
                "the devnet exited during start-up: see {} (a port in use? try --rpc-port / --rest-port / --grpc-port, or 0 for any free port)",
                log.display()
            );
        }
        if Instant::now() > deadline {
            bail!(
                "the devnet did not report its addresses ({}) within 60 s: see {}",
                path.display(),
                log.display()
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn wait_for_blocks(client: &ChainClient, pid: u32, log: &Path) -> Result<u64> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(s) = client.status().await {
            if s.height > 1 {
                return Ok(s.height);
            }
        }
        if !crate::process::alive(pid) {
            bail!(
                "the devnet exited during start-up: see {} (a port in use? try --rpc-port / --rest-port)",
                log.display()
            );
        }
        if Instant::now() > deadline {
            bail!(
                "the devnet produced no block within 60 s: see {}",
                log.display()
            );
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn up(g: &GlobalArgs, a: UpArgs) -> Result<()> {
    let mut ctx = Ctx::new(g)?;
    let home = devnet_home(&ctx, &a.home);
    let rpc = format!("http://127.0.0.1:{}", a.rpc_port);
    let mut chain = ChainConfig::devnet_at(&rpc);
    if a.rest_port != 0 {
        chain.rest = Some(format!("http://127.0.0.1:{}", a.rest_port));
    }
    let running = read_pid(&home).filter(|p| crate::process::alive(*p));
    if a.fresh {
        if let Some(pid) = running {
            bail!("the devnet is running (pid {pid}): stop it with `starminer devnet down` before --fresh");
        }
        // The validator agent's records belong to the old chain.
        let agent = ValidatorAgent::of(&home);
        agent.stop(&ctx).await?;
        if agent.dir.exists() {
            std::fs::remove_dir_all(&agent.dir)
                .with_context(|| format!("removing {}", agent.dir.display()))?;
        }
    }
    let bin = find_devnet_bin(&a.devnet_bin)?;
    let genesis = home.join("config/genesis.json");
    if a.fresh || !genesis.exists() {
        std::fs::create_dir_all(&home)?;
        let mut cmd = Command::new(&bin);
        cmd.args(["init", "--home"])
            .arg(&home)
            .args(["--dev-accounts", &DEV_ACCOUNTS.to_string()]);
        if a.fresh {
            cmd.arg("--overwrite");
        }
        let out = cmd
            .output()
            .with_context(|| format!("running {}", bin.display()))?;
        if !out.status.success() {
            bail!(
                "starminer-devnet init failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let mut manifest = ctx.manifest()?;
        if manifest.chains.remove(&chain.chain_id).is_some() {
            manifest.save(&ctx.manifest_path)?;
        }
        ctx.note(format!("initialized a fresh devnet in {}", home.display()));
    }
    let log = home.join("node.log");
    let pid = match running {
        Some(pid) => {
            ctx.note(format!("the devnet is already running (pid {pid})"));
            pid
        }
        None => {
            let logfile = std::fs::File::create(&log)
                .with_context(|| format!("creating {}", log.display()))?;
            let mut cmd = Command::new(&bin);
            cmd.args(["start", "--home"])
                .arg(&home)
                .args(["--rpc-addr", &format!("127.0.0.1:{}", a.rpc_port)])
                .args(["--grpc-addr", &format!("127.0.0.1:{}", a.grpc_port)])
                .args(["--block-time", &a.block_time])
                .stdin(Stdio::null())
                .stdout(logfile.try_clone()?)
                .stderr(logfile);
            if a.rest_port != 0 {
                cmd.args(["--rest-addr", &format!("127.0.0.1:{}", a.rest_port)]);
            } else {
                cmd.args(["--rest-addr", "off"]);
            }
            {
                // Its own process group: Ctrl-C in this terminal later does not stop it.
                use std::os::unix::process::CommandExt;
                cmd.process_group(0);
            }
            let child = cmd
                .spawn()
                .with_context(|| format!("starting {}", bin.display()))?;
            std::fs::write(pid_path(&home), child.id().to_string())?;
            child.id()
        }
    };
    // The addresses the node bound (port 0 takes any free one).
    let bound = bound_addresses(&home, pid, &log).await?;
    let rpc = format!("http://{}", bound.rpc);
    chain.rpc = rpc.clone();
    chain.rest = bound.rest.map(|a| format!("http://{a}"));
    let client = ChainClient::new(chain.clone())?;
    let pb = ctx.spinner(format!("waiting for blocks at {rpc}"));
    let height = wait_for_blocks(&client, pid, &log).await;
    pb.finish_and_clear();
    let height = height?;
    ctx.note(format!(
        "devnet running (pid {pid}) at {rpc}, height {height}; log {}",
        log.display()
    ));

    // The config's devnet chain, the dev keys.
    ctx.config.chains.insert("devnet".into(), chain.clone());
    if ctx.config.default_key.is_none() {
        ctx.config.default_key = Some("dev0".into());
    }
    ctx.save_config()?;
    if ctx.chain_name == "devnet" {
        ctx.chain_config = chain.clone();
    }
    let devs: Vec<DevAccount> = serde_json::from_slice(
        &std::fs::read(home.join("config/dev_accounts.json"))
            .context("reading the devnet's dev_accounts.json")?,
    )?;
    let ks = ctx.keystore()?;
    let missing: Vec<&DevAccount> = devs.iter().filter(|d| !ks.contains(&d.name)).collect();
    let mut deployer_key = None;
    if !missing.is_empty() {
        let pass = passphrase("Passphrase for the dev keys: ", false)?;
        for d in missing {
            let key = ks.import(&d.name, &d.mnemonic, &pass)?;
            if key.address(&chain.prefix)? != d.address {
                bail!(
                    "dev key {} derives to another address than the devnet's",
                    d.name
                );
            }
            ctx.note(format!("imported dev key {} ({})", d.name, d.address));
            if d.name == "dev0" {
                deployer_key = Some(key);
            }
        }
    }
    if a.no_deploy {
        return Ok(());
    }
    let deploy = DeployArgs {
        from: Some("dev0".into()),
        artifacts: a.artifacts.clone(),
        namespace: "starminer".into(),
        amax_supply: "100000000".into(),
        agpu: devs
            .iter()
            .skip(1)
            .map(|d| format!("{}=1000000", d.address))
            .collect(),
        deployer_agpu: "10000000".into(),
        voting_period: Some(10),
        timelock: Some(2),
        stake: "1000000".into(),
        periods: PeriodArgs {
            // A local chain's first job should settle within a minute, not
            // after a production-length challenge window.
            challenge_window: a.periods.challenge_window.or(Some(DEVNET_CHALLENGE_WINDOW)),
            ..a.periods.clone()
        },
        no_templates: false,
    };
    let mut dctx = Ctx::new(g)?;
    dctx.chain_name = "devnet".into();
    dctx.chain_config = chain.clone();
    let wallet = match deployer_key {
        Some(key) => Wallet::new(dctx.client()?, key)?,
        None => dctx.wallet(&Some("dev0".into()))?,
    };
    let sm = deploy_with(&dctx, &wallet, &deploy).await?;
    print_addresses(&dctx, &sm)?;
    if a.no_validator_agent {
        return Ok(());
    }
    let Some(bin) = validator::find_agent_bin(&a.agent_bin) else {
        eprintln!(
            "warning: no starminer-agent binary next to starminer or on PATH, so no validator agent runs: \
             providers' benchmarks and spot checks wait for one. Build it (`cargo build --release -p starminer-agent`) \
             and run `starminer devnet up` again, or pass --agent-bin PATH."
        );
        return Ok(());
    };
    let started = validator::ensure_running(
        &ValidatorAgent::of(&home),
        validator::Setup {
            ctx: &dctx,
            bin: &bin,
            funder: &wallet,
            chain_id: &chain.chain_id,
            rpc: &chain.rpc,
        },
    )
    .await;
    if let Err(e) = started {
        eprintln!(
            "warning: the devnet runs, but its validator agent does not, so providers' benchmarks and \
             spot checks wait for one: {e:#}"
        );
    }
    Ok(())
}

async fn down(g: &GlobalArgs, h: HomeArgs) -> Result<()> {
    let ctx = Ctx::new(g)?;
    let home = devnet_home(&ctx, &h);
    ValidatorAgent::of(&home).stop(&ctx).await?;
    let Some(pid) = read_pid(&home) else {
        ctx.note("the devnet is not running (no pid file)");
        return Ok(());
    };
    if !crate::process::alive(pid) {
        std::fs::remove_file(pid_path(&home))?;
        ctx.note(format!("the devnet (pid {pid}) had already stopped"));
        return Ok(());
    }
    crate::process::stop("the devnet", pid, Duration::from_secs(20)).await?;
    std::fs::remove_file(pid_path(&home))?;
    ctx.note(format!(
        "stopped the devnet (pid {pid}); `starminer devnet up` continues it"
    ));
    Ok(())
}

async fn status(g: &GlobalArgs, h: HomeArgs) -> Result<()> {
    let ctx = Ctx::new(g)?;
    let home = devnet_home(&ctx, &h);
    let pid = read_pid(&home).filter(|p| crate::process::alive(*p));
    let chain = ctx
        .config
        .chains
        .get("devnet")
        .cloned()
        .unwrap_or_else(ChainConfig::devnet);
    let client = ChainClient::new(chain.clone())?.with_retry(starminer_client::rpc::RetryPolicy {
        attempts: 1,
        ..Default::default()
    });
    let node = if pid.is_some() {
        client.status().await.ok()
    } else {
        None
    };
    let deployed = Manifest::load_or_default(&ctx.manifest_path)?
        .chains
        .get(&chain.chain_id)
        .is_some_and(|d| d.is_complete());
    let s = Status {
        home: home.display().to_string(),
        running: pid.is_some() && node.is_some(),
        pid,
        rpc: chain.rpc.clone(),
        chain_id: node.as_ref().map(|n| n.chain_id.clone()),
        height: node.as_ref().map(|n| n.height),
        deployed,
        validator_agent: ValidatorAgent::of(&home).running(),
    };
    ctx.print(&s, |s| {
        if s.running {
            println!(
                "running  pid {}  {}  chain {}  height {}",
                s.pid.unwrap_or_default(),
                s.rpc,
                s.chain_id.clone().unwrap_or_default(),
                s.height.unwrap_or_default()
            );
        } else if let Some(pid) = s.pid {
            println!("process {pid} is alive but {} does not answer", s.rpc);
        } else {
            println!("stopped  (start it with `starminer devnet up`)");
        }
        println!("home     {}", s.home);
        println!(
            "deployed {}",
            if s.deployed {
                "yes"
            } else {
                "no (`starminer deploy` or `starminer devnet up`)"
            }
        );
        match s.validator_agent {
            Some(pid) => println!("validator agent running (pid {pid})"),
            None => println!("validator agent not running (`starminer devnet up` starts it)"),
        }
    })
}

pub async fn run(g: &GlobalArgs, cmd: DevnetCmd) -> Result<()> {
    match cmd {
        DevnetCmd::Up(a) => up(g, a).await,
        DevnetCmd::Down(h) => down(g, h).await,
        DevnetCmd::Status(h) => status(g, h).await,
    }
}
