//! `starminer chain`: a local chain in the background, on either engine.
//!
//! - `--engine devnet` (the default) is `starminer devnet up|down|status`.
//! - `--engine wasmd` runs a real single-validator wasmd v0.55.1 node
//!   (CometBFT consensus, the Cosmos SDK's modules, wasmvm), built by
//!   `scripts/setup.sh` into `~/.cache/starminer/wasmd-v0.55.1/bin`.
//!
//! `up --engine wasmd` initializes `HOME/chains/<chain-id>` on first use
//! (with `--validators N`, one home per validator in `node<i>` under it):
//! `wasmd init`, the devnet's dev keys `dev0`…`dev3` (same mnemonics) and a
//! `validator` key recovered into wasmd's `test` keyring, genesis accounts,
//! each validator's gentx, `collect-gentxs` into one genesis that every
//! node shares, and x/gov voting periods of seconds. Validators peer on
//! loopback (`persistent_peers`); validator i listens on each base port
//! plus 10·i. `up` again restarts the nodes that are down.
//!
//! Every start rewrites the listen addresses (127.0.0.1 only),
//! `timeout_commit` and the REST and gRPC servers; the node's limits (body
//! size, tx size, mempool) stay at CometBFT's defaults, as on a public node.
//! The nodes run detached (pid in `wasmd.pid`, log in `node.log`); `up`
//! waits for blocks, then writes a chain named `wasmd` (`--name`) into
//! config.json and imports the dev keys into the keystore, so that
//! `starminer --chain wasmd deploy --from dev0` deploys there.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand, ValueEnum};
use cosmwasm_std::Decimal;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use starminer_client::rpc::RetryPolicy;
use starminer_client::{ChainClient, ChainConfig, Key, Manifest};

use crate::cmd::deploy::PeriodArgs;
use crate::cmd::devnet::{self, DevnetCmd, HomeArgs};
use crate::context::{passphrase, Ctx};
use crate::GlobalArgs;

/// The wasmd release `scripts/setup.sh` builds.
pub const WASMD_VERSION: &str = "v0.55.1";
/// The default chain id of a local wasmd chain.
const WASMD_CHAIN_ID: &str = "starminer-wasmd-1";
/// Dev accounts, as on the devnet.
const DEV_ACCOUNTS: u32 = 4;
/// Each dev account's genesis balance (as on the devnet), and the validator's.
const DEV_BALANCE: u128 = 1_000_000_000_000;
/// The validator's self-delegation.
const VALIDATOR_BOND: u128 = 100_000_000_000;

#[derive(Subcommand)]
pub enum ChainCmd {
    /// Start a local chain in the background and wait for blocks.
    ///
    /// With --engine wasmd: a real wasmd node (CometBFT + Cosmos SDK +
    /// wasmvm) with the devnet's dev accounts, 1 s blocks and x/gov voting
    /// periods of seconds; its home is HOME/chains/<chain-id>. Afterwards
    ///   starminer --chain wasmd deploy --from dev0
    /// deploys StarMiner there. Ports default to the usual ones; pass others
    /// to run it beside the devnet, e.g.
    ///   starminer chain up --engine wasmd --rpc-port 36657 --rest-port 11317 \
    ///       --grpc-port 19090 --p2p-port 36656
    /// A network of 4 validator processes (3 of 4 keep finalizing):
    ///   starminer chain up --engine wasmd --validators 4
    #[command(verbatim_doc_comment)]
    Up(UpArgs),
    /// Stop the background chain (its data stays; `up` continues it).
    Down(Selector),
    /// Is it running, at which height, is StarMiner deployed?
    Status(Selector),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Engine {
    /// StarMiner's own devnet (`starminer devnet`).
    Devnet,
    /// A real wasmd node (built by scripts/setup.sh).
    Wasmd,
}

#[derive(Args, Clone)]
pub struct Selector {
    /// Which chain software.
    #[arg(long, value_enum, default_value_t = Engine::Devnet)]
    pub engine: Engine,
    /// wasmd: the chain id; its home is HOME/chains/<chain-id>.
    #[arg(long, default_value = WASMD_CHAIN_ID)]
    pub chain_id: String,
}

#[derive(Args, Clone)]
pub struct UpArgs {
    #[command(flatten)]
    pub sel: Selector,
    /// wasmd: the name of the chain written into config.json (--chain NAME).
    #[arg(long, default_value = "wasmd")]
    pub name: String,
    /// wasmd: bech32 account prefix. wasmd compiles it in: another prefix
    /// needs its own build, `WASMD_PREFIX=PREFIX scripts/setup.sh`.
    #[arg(long, default_value = "wasm")]
    pub prefix: String,
    /// wasmd: bond and fee denom.
    #[arg(long, default_value = "stake")]
    pub denom: String,
    /// wasmd: the node's minimum gas price and the config's gas price, in
    /// --denom per gas unit.
    #[arg(long, default_value = "0.0025")]
    pub gas_price: Decimal,
    /// CometBFT RPC port on 127.0.0.1.
    #[arg(long, default_value_t = 26657)]
    pub rpc_port: u16,
    /// Cosmos REST port on 127.0.0.1 (devnet: 0 turns it off).
    #[arg(long, default_value_t = 1317)]
    pub rest_port: u16,
    /// gRPC port on 127.0.0.1 (devnet: 0 takes any free port).
    #[arg(long, default_value_t = 9090)]
    pub grpc_port: u16,
    /// wasmd: CometBFT P2P port on 127.0.0.1.
    #[arg(long, default_value_t = 26656)]
    pub p2p_port: u16,
    /// Time between blocks (wasmd: CometBFT's timeout_commit), e.g. 1s.
    #[arg(long, default_value = "1s")]
    pub block_time: String,
    /// wasmd: x/gov voting period in seconds (StarMiner's own governance is
    /// a contract and has its own periods).
    #[arg(long, default_value_t = 10)]
    pub gov_voting_period: u64,
    /// Delete the chain's data and start from a fresh genesis (the
    /// manifest's entry for the chain id is dropped too).
    #[arg(long)]
    pub fresh: bool,
    /// wasmd: the binary (default: the cache scripts/setup.sh fills, then PATH).
    #[arg(long, env = "STARMINER_WASMD_BIN")]
    pub wasmd_bin: Option<PathBuf>,
    /// devnet: the `starminer-devnet` binary.
    #[arg(long, env = "STARMINER_DEVNET_BIN")]
    pub devnet_bin: Option<PathBuf>,
    /// wasmd: how many validators, each its own process and home
    /// (HOME/chains/<chain-id>/node<i>), peers on loopback; validator i
    /// listens on every base port + 10·i. 3 of 4 keep finalizing.
    #[arg(long, default_value_t = 1)]
    pub validators: u32,
    /// devnet: only start the chain; do not deploy.
    #[arg(long)]
    pub no_deploy: bool,
    /// devnet: do not run the devnet's validator agent (see `devnet up --help`).
    #[arg(long)]
    pub no_validator_agent: bool,
}

/// What `up` recorded about a wasmd chain, for `down` and `status`.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct ChainRecord {
    engine: Engine,
    name: String,
    chain_id: String,
    binary: PathBuf,
    chain: ChainConfig,
    #[serde(default = "one")]
    validators: u32,
    /// Each validator's RPC endpoint.
    #[serde(default)]
    rpcs: Vec<String>,
}

fn one() -> u32 {
    1
}

#[derive(Serialize)]
struct NodeStatus {
    home: String,
    pid: Option<u32>,
    rpc: String,
    height: Option<u64>,
}

#[derive(Serialize)]
struct Status {
    engine: Engine,
    home: String,
    running: bool,
    pid: Option<u32>,
    rpc: Option<String>,
    rest: Option<String>,
    grpc: Option<String>,
    chain_id: String,
    height: Option<u64>,
    deployed: bool,
    validators: u32,
    nodes: Vec<NodeStatus>,
}

/// The context without a selected chain (the one `--chain` names may not
/// exist before `up` writes it).
fn setup_ctx(g: &GlobalArgs) -> Result<Ctx> {
    let mut g = g.clone();
    g.chain = None;
    Ctx::new(&g)
}

fn chain_home(ctx: &Ctx, chain_id: &str) -> PathBuf {
    ctx.home.join("chains").join(chain_id)
}

fn pid_path(home: &Path) -> PathBuf {
    home.join("wasmd.pid")
}

fn read_pid(home: &Path) -> Option<u32> {
    crate::process::read_pid(&pid_path(home))
}

/// The devnet's dev mnemonic `index` (the same derivation as
/// `starminer-devnet init`: 24 words from sha256 of a fixed phrase).
pub fn dev_mnemonic(index: u32) -> String {
    let entropy = Sha256::digest(format!("starminer devnet dev account {index}").as_bytes());
    bip39::Mnemonic::from_entropy(&entropy)
        .expect("32 bytes of entropy make a 24-word mnemonic")
        .to_string()
}

/// The mnemonic of local wasmd validator `index`'s key (fixed, like the dev
/// keys).
fn validator_mnemonic(index: usize) -> String {
    let entropy = Sha256::digest(format!("starminer local wasmd validator {index}").as_bytes());
    bip39::Mnemonic::from_entropy(&entropy)
        .expect("32 bytes of entropy make a 24-word mnemonic")
        .to_string()
}

fn cache_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("STARMINER_CACHE") {
        return PathBuf::from(d);
    }
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(|| PathBuf::from(".cache"));
    base.join("starminer")
}

/// The wasmd binary: explicit, else the build cache for `prefix`, else PATH.
pub fn find_wasmd(explicit: &Option<PathBuf>, prefix: &str) -> Result<PathBuf> {
    if let Some(p) = explicit {
        if !p.exists() {
            bail!("--wasmd-bin {} does not exist", p.display());
        }
        return Ok(p.clone());
    }
    let mut dir = format!("wasmd-{WASMD_VERSION}");
    if prefix != "wasm" {
        dir.push('-');
        dir.push_str(prefix);
    }
    let cached = cache_dir().join(dir).join("bin/wasmd");
    if cached.exists() {
        return Ok(cached);
    }
    if prefix == "wasm" {
        if let Some(path) = std::env::var_os("PATH") {
            for d in std::env::split_paths(&path) {
                let p = d.join("wasmd");
                if p.exists() {
                    return Ok(p);
                }
            }
        }
    }
    let env = if prefix == "wasm" {
        String::new()
    } else {
        format!("WASMD_PREFIX={prefix} ")
    };
    bail!(
        "no wasmd {WASMD_VERSION} for prefix `{prefix}` at {}: build it with `{env}scripts/setup.sh` (about 4 minutes the first time), or pass --wasmd-bin PATH",
        cached.display()
    )
}

/// A wasmd command with libwasmvm found beside the binary.
fn wasmd_cmd(bin: &Path, home: &Path) -> Command {
    let mut cmd = Command::new(bin);
    if let Some(dir) = bin.parent() {
        let mut paths = vec![dir.to_path_buf()];
        if let Some(old) = std::env::var_os("LD_LIBRARY_PATH") {
            paths.extend(std::env::split_paths(&old));
        }
        if let Ok(joined) = std::env::join_paths(paths) {
            cmd.env("LD_LIBRARY_PATH", joined);
        }
    }
    cmd.arg("--home").arg(home);
    cmd
}

/// Runs `wasmd ARGS --home HOME` (stdin fed with `input`); fails with its output.
fn run_wasmd(bin: &Path, home: &Path, args: &[&str], input: Option<&str>) -> Result<String> {
    let mut cmd = wasmd_cmd(bin, home);
    cmd.args(args)
        .stdin(if input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .with_context(|| format!("running {}", bin.display()))?;
    if let Some(text) = input {
        use std::io::Write;
        let mut stdin = child.stdin.take().context("wasmd's stdin")?;
        stdin.write_all(text.as_bytes())?;
        stdin.write_all(b"\n")?;
    }
    let out = child.wait_with_output()?;
    if !out.status.success() {
        bail!(
            "`wasmd {}` failed ({}): {}{}",
            args.join(" "),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim(),
            String::from_utf8_lossy(&out.stdout).trim()
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Sets `key = value` in `[section]` ("" for the top) of a TOML file's text.
fn set_toml(text: &str, section: &str, key: &str, value: &str) -> Result<String> {
    let mut current = String::new();
    let mut done = false;
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let t = line.trim();
        if t.starts_with('[') && t.ends_with(']') {
            current = t[1..t.len() - 1].to_string();
        } else if !done
            && current == section
            && !t.starts_with('#')
            && t.split_once('=').map(|(k, _)| k.trim()) == Some(key)
        {
            out.push_str(&format!("{key} = {value}\n"));
            done = true;
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    if !done {
        bail!("no `{key}` in [{section}]: is this a wasmd {WASMD_VERSION} home?");
    }
    Ok(out)
}

fn edit_toml(path: &Path, edits: &[(&str, &str, String)]) -> Result<()> {
    let mut text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    for (section, key, value) in edits {
        text = set_toml(&text, section, key, value)
            .with_context(|| format!("editing {}", path.display()))?;
    }
    std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))
}

fn quoted(s: impl AsRef<str>) -> String {
    format!("\"{}\"", s.as_ref())
}

fn port_free(port: u16) -> bool {
    TcpListener::bind(("127.0.0.1", port)).is_ok()
}

/// Node `i`'s ports: the base ports plus 10 per node.
#[derive(Clone, Copy, Debug)]
struct Ports {
    rpc: u16,
    rest: u16,
    grpc: u16,
    p2p: u16,
}

impl Ports {
    fn of(a: &UpArgs, i: usize) -> Result<Ports> {
        let step = u16::try_from(i * 10).context("too many validators")?;
        let add = |p: u16| {
            p.checked_add(step)
                .context("a port plus the per-validator offset is over 65535")
        };
        Ok(Ports {
            rpc: add(a.rpc_port)?,
            rest: add(a.rest_port)?,
            grpc: add(a.grpc_port)?,
            p2p: add(a.p2p_port)?,
        })
    }
}

/// The node homes: the chain home itself for one validator, else
/// `node0`, `node1`, … inside it.
fn node_homes(root: &Path, validators: u32) -> Vec<PathBuf> {
    if validators <= 1 {
        vec![root.to_path_buf()]
    } else {
        (0..validators)
            .map(|i| root.join(format!("node{i}")))
            .collect()
    }
}

/// `wasmd init` in every node home; the dev keys (in the first node's
/// keyring) and each validator's key; genesis accounts; one gentx per
/// validator collected into the first node's genesis, which every node then
/// shares; x/gov periods of seconds.
fn init_wasmd(bin: &Path, homes: &[PathBuf], a: &UpArgs) -> Result<()> {
    let chain_id = a.sel.chain_id.as_str();
    let denom = a.denom.as_str();
    let first = &homes[0];
    for (i, home) in homes.iter().enumerate() {
        run_wasmd(
            bin,
            home,
            &[
                "init",
                &format!("starminer-local-{i}"),
                "--chain-id",
                chain_id,
                "--default-denom",
                denom,
            ],
            None,
        )?;
    }
    // (keyring home, name, mnemonic)
    let mut keys: Vec<(&PathBuf, String, String)> = (0..DEV_ACCOUNTS)
        .map(|i| (first, format!("dev{i}"), dev_mnemonic(i)))
        .collect();
    for (i, home) in homes.iter().enumerate() {
        keys.push((home, "validator".into(), validator_mnemonic(i)));
    }
    for (home, name, mnemonic) in &keys {
        let out = run_wasmd(
            bin,
            home,
            &[
                "keys",
                "add",
                name,
                "--recover",
                "--keyring-backend",
                "test",
                "--output",
                "json",
            ],
            Some(mnemonic),
        )?;
        let address = Key::from_mnemonic(mnemonic)?.address(&a.prefix)?;
        if !out.contains(&address) {
            bail!(
                "wasmd derived another address for {name} than {address}: is {} built with prefix `{}`? ({})",
                bin.display(),
                a.prefix,
                out.trim()
            );
        }
        let coins = format!("{DEV_BALANCE}{denom}");
        let add = ["genesis", "add-genesis-account", &address, &coins];
        run_wasmd(bin, first, &add, None)?;
        // A validator's own genesis needs its account for its gentx.
        if *home != first {
            run_wasmd(bin, home, &add, None)?;
        }
    }
    let gentx_dir = first.join("config/gentx");
    std::fs::create_dir_all(&gentx_dir)?;
    for (i, home) in homes.iter().enumerate() {
        let doc = gentx_dir.join(format!("gentx-validator{i}.json"));
        run_wasmd(
            bin,
            home,
            &[
                "genesis",
                "gentx",
                "validator",
                &format!("{VALIDATOR_BOND}{denom}"),
                "--chain-id",
                chain_id,
                "--keyring-backend",
                "test",
                "--moniker",
                &format!("starminer-local-{i}"),
                "--output-document",
                doc.to_str().context("a non-UTF-8 home path")?,
            ],
            None,
        )?;
    }
    run_wasmd(bin, first, &["genesis", "collect-gentxs"], None)?;

    // x/gov in seconds (the expedited period must be shorter).
    let path = first.join("config/genesis.json");
    let mut genesis: serde_json::Value = serde_json::from_slice(&std::fs::read(&path)?)
        .with_context(|| format!("reading {}", path.display()))?;
    let params = genesis
        .pointer_mut("/app_state/gov/params")
        .context("genesis.json has no app_state.gov.params")?;
    let voting = a.gov_voting_period.max(2);
    params["voting_period"] = format!("{voting}s").into();
    params["max_deposit_period"] = format!("{voting}s").into();
    params["expedited_voting_period"] = format!("{}s", voting / 2).into();
    std::fs::write(&path, serde_json::to_vec_pretty(&genesis)?)?;
    run_wasmd(bin, first, &["genesis", "validate"], None)?;
    for home in &homes[1..] {
        std::fs::copy(&path, home.join("config/genesis.json"))?;
    }
    Ok(())
}

/// Listen addresses, peers, block time, REST and gRPC: rewritten on every
/// start.
fn configure_wasmd(home: &Path, a: &UpArgs, ports: Ports, peers: &str) -> Result<()> {
    let config = home.join("config/config.toml");
    let several = !peers.is_empty();
    edit_toml(
        &config,
        &[
            (
                "rpc",
                "laddr",
                quoted(format!("tcp://127.0.0.1:{}", ports.rpc)),
            ),
            ("rpc", "cors_allowed_origins", "[\"*\"]".into()),
            ("rpc", "pprof_laddr", quoted("")),
            (
                "p2p",
                "laddr",
                quoted(format!("tcp://127.0.0.1:{}", ports.p2p)),
            ),
            ("p2p", "persistent_peers", quoted(peers)),
            // Peers on loopback: CometBFT refuses private and duplicate IPs by default.
            ("p2p", "addr_book_strict", (!several).to_string()),
            ("p2p", "allow_duplicate_ip", several.to_string()),
            ("consensus", "timeout_commit", quoted(&a.block_time)),
        ],
    )?;
    let app = home.join("config/app.toml");
    edit_toml(
        &app,
        &[
            (
                "",
                "minimum-gas-prices",
                quoted(format!("{}{}", a.gas_price, a.denom)),
            ),
            ("api", "enable", "true".into()),
            (
                "api",
                "address",
                quoted(format!("tcp://127.0.0.1:{}", ports.rest)),
            ),
            ("api", "enabled-unsafe-cors", "true".into()),
            ("grpc", "enable", "true".into()),
            (
                "grpc",
                "address",
                quoted(format!("127.0.0.1:{}", ports.grpc)),
            ),
        ],
    )?;
    Ok(())
}

/// Waits for the first node's blocks while every node stays alive.
async fn wait_for_blocks(client: &ChainClient, nodes: &[(u32, PathBuf)]) -> Result<u64> {
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        if let Ok(s) = client.status().await {
            if s.height > 1 {
                return Ok(s.height);
            }
        }
        for (pid, log) in nodes {
            if !crate::process::alive(*pid) {
                bail!(
                    "wasmd exited during start-up; the end of its log {}:\n{}",
                    log.display(),
                    crate::process::log_tail(log, 15)
                );
            }
        }
        if Instant::now() > deadline {
            let log = &nodes[0].1;
            bail!(
                "wasmd produced no block within 90 s; the end of its log {}:\n{}",
                log.display(),
                crate::process::log_tail(log, 15)
            );
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

fn start_node(bin: &Path, home: &Path) -> Result<u32> {
    let log = home.join("node.log");
    // Appended: a restarted node's log keeps what came before.
    let logfile = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&log)
        .with_context(|| format!("opening {}", log.display()))?;
    let mut cmd = wasmd_cmd(bin, home);
    cmd.arg("start")
        .stdin(Stdio::null())
        .stdout(logfile.try_clone()?)
        .stderr(logfile);
    {
        // Its own process group: Ctrl-C here later does not stop it.
        use std::os::unix::process::CommandExt;
        cmd.process_group(0);
    }
    let child = cmd
        .spawn()
        .with_context(|| format!("starting {}", bin.display()))?;
    std::fs::write(pid_path(home), child.id().to_string())?;
    Ok(child.id())
}

async fn up_wasmd(g: &GlobalArgs, a: UpArgs) -> Result<()> {
    let mut ctx = setup_ctx(g)?;
    let root = chain_home(&ctx, &a.sel.chain_id);
    if a.validators == 0 {
        bail!("--validators must be at least 1");
    }
    let homes = node_homes(&root, a.validators);
    let ports: Vec<Ports> = (0..homes.len())
        .map(|i| Ports::of(&a, i))
        .collect::<Result<_>>()?;
    let rpc = format!("http://127.0.0.1:{}", ports[0].rpc);
    // The other validators' RPCs are the fallbacks: a client of this chain
    // keeps working while any one node is down.
    let chain = ChainConfig {
        chain_id: a.sel.chain_id.clone(),
        rpc: rpc.clone(),
        rpc_fallbacks: ports
            .iter()
            .skip(1)
            .map(|p| format!("http://127.0.0.1:{}", p.rpc))
            .collect(),
        grpc: Some(format!("http://127.0.0.1:{}", ports[0].grpc)),
        rest: Some(format!("http://127.0.0.1:{}", ports[0].rest)),
        prefix: a.prefix.clone(),
        fee_denom: a.denom.clone(),
        gas_price: a.gas_price,
        gas_adjustment: 1.3,
    };
    chain.validate()?;
    if let Ok(old) = read_record(&root) {
        if old.validators != a.validators && !a.fresh {
            bail!(
                "{} was made with {} validator(s), not {}: pass --fresh to start it anew with {}",
                root.display(),
                old.validators,
                a.validators,
                a.validators
            );
        }
    }
    let running: Vec<Option<u32>> = homes
        .iter()
        .map(|h| read_pid(h).filter(|p| crate::process::alive(*p)))
        .collect();
    if a.fresh {
        if let Some(pid) = running.iter().flatten().next() {
            bail!("wasmd is running (pid {pid}): stop it with `starminer chain down --engine wasmd --chain-id {}` before --fresh", a.sel.chain_id);
        }
    }
    let bin = find_wasmd(&a.wasmd_bin, &a.prefix)?;
    if a.fresh && root.exists() {
        std::fs::remove_dir_all(&root).with_context(|| format!("removing {}", root.display()))?;
    }
    if !homes.iter().all(|h| h.join("config/genesis.json").exists()) {
        if root.exists() {
            std::fs::remove_dir_all(&root)
                .with_context(|| format!("removing the half-made {}", root.display()))?;
        }
        for h in &homes {
            std::fs::create_dir_all(h)?;
        }
        let pb = ctx.spinner(format!("initializing a wasmd chain in {}", root.display()));
        let r = init_wasmd(&bin, &homes, &a);
        pb.finish_and_clear();
        r.with_context(|| format!("initializing wasmd in {}", root.display()))?;
        let mut manifest = ctx.manifest()?;
        if manifest.chains.remove(&chain.chain_id).is_some() {
            manifest.save(&ctx.manifest_path)?;
        }
        ctx.note(format!(
            "initialized {} (wasmd {WASMD_VERSION}, {} validator(s)) in {}",
            chain.chain_id,
            homes.len(),
            root.display()
        ));
    }
    let ids: Vec<String> = homes
        .iter()
        .map(|h| run_wasmd(&bin, h, &["comet", "show-node-id"], None).map(|s| s.trim().to_string()))
        .collect::<Result<_>>()?;
    let mut nodes = Vec::new();
    for (i, home) in homes.iter().enumerate() {
        let pid = match running[i] {
            Some(pid) => {
                ctx.note(format!(
                    "wasmd {} is already running (pid {pid})",
                    home.display()
                ));
                pid
            }
            None => {
                let p = ports[i];
                for (flag, port) in [
                    ("--rpc-port", p.rpc),
                    ("--rest-port", p.rest),
                    ("--grpc-port", p.grpc),
                    ("--p2p-port", p.p2p),
                ] {
                    if !port_free(port) {
                        bail!("port {port} on 127.0.0.1 is in use (another chain, e.g. the devnet?): pass another {flag} (validator i uses it + 10·i)");
                    }
                }
                let peers: Vec<String> = (0..homes.len())
                    .filter(|j| *j != i)
                    .map(|j| format!("{}@127.0.0.1:{}", ids[j], ports[j].p2p))
                    .collect();
                configure_wasmd(home, &a, p, &peers.join(","))?;
                start_node(&bin, home)?
            }
        };
        nodes.push((pid, home.join("node.log")));
    }
    let record = ChainRecord {
        engine: Engine::Wasmd,
        name: a.name.clone(),
        chain_id: chain.chain_id.clone(),
        binary: bin.clone(),
        chain: chain.clone(),
        validators: a.validators,
        rpcs: ports
            .iter()
            .map(|p| format!("http://127.0.0.1:{}", p.rpc))
            .collect(),
    };
    std::fs::write(root.join("chain.json"), serde_json::to_vec_pretty(&record)?)?;
    let client = ChainClient::new(chain.clone())?;
    let pb = ctx.spinner(format!("waiting for wasmd's blocks at {rpc}"));
    let height = wait_for_blocks(&client, &nodes).await;
    pb.finish_and_clear();
    let height = height?;

    ctx.config.chains.insert(a.name.clone(), chain.clone());
    if ctx.config.default_key.is_none() {
        ctx.config.default_key = Some("dev0".into());
    }
    ctx.save_config()?;
    let ks = ctx.keystore()?;
    let missing: Vec<u32> = (0..DEV_ACCOUNTS)
        .filter(|i| !ks.contains(&format!("dev{i}")))
        .collect();
    if !missing.is_empty() {
        let pass = passphrase("Passphrase for the dev keys: ", false)?;
        for i in missing {
            let key = ks.import(&format!("dev{i}"), &dev_mnemonic(i), &pass)?;
            ctx.note(format!(
                "imported dev key dev{i} ({})",
                key.address(&chain.prefix)?
            ));
        }
    }
    let pids: Vec<String> = nodes.iter().map(|(p, _)| p.to_string()).collect();
    let mut text = format!(
        "wasmd {WASMD_VERSION} running: chain {}, {} validator(s) (pid {}), height {height}\n  rpc  {rpc}\n  rest {}\n  grpc 127.0.0.1:{}\n  home {}\n  log  {}",
        chain.chain_id,
        homes.len(),
        pids.join(", "),
        chain.rest.clone().unwrap_or_default(),
        ports[0].grpc,
        homes[0].display(),
        nodes[0].1.display(),
    );
    for (i, p) in ports.iter().enumerate().skip(1) {
        text.push_str(&format!(
            "\n  validator {i}: rpc http://127.0.0.1:{}, p2p {}, home {}",
            p.rpc,
            p.p2p,
            homes[i].display()
        ));
    }
    text.push_str(&format!(
        "\nchain `{}` is in {}; deploy with\n  starminer --chain {} deploy --from dev0",
        a.name,
        ctx.home.join("config.json").display(),
        a.name
    ));
    ctx.note(text);
    Ok(())
}

fn read_record(home: &Path) -> Result<ChainRecord> {
    let path = home.join("chain.json");
    serde_json::from_slice(&std::fs::read(&path).with_context(|| {
        format!(
            "no wasmd chain at {}: start one with `starminer chain up --engine wasmd`",
            home.display()
        )
    })?)
    .with_context(|| format!("{} is not a chain record", path.display()))
}

async fn stop(pid: u32) -> Result<()> {
    crate::process::stop("wasmd", pid, Duration::from_secs(30)).await
}

async fn down_wasmd(g: &GlobalArgs, s: Selector) -> Result<()> {
    let ctx = setup_ctx(g)?;
    let root = chain_home(&ctx, &s.chain_id);
    let validators = read_record(&root).map(|r| r.validators).unwrap_or(1);
    let mut stopped = Vec::new();
    for home in node_homes(&root, validators) {
        let Some(pid) = read_pid(&home) else { continue };
        if crate::process::alive(pid) {
            stop(pid).await?;
            stopped.push(pid.to_string());
        }
        std::fs::remove_file(pid_path(&home))?;
    }
    if stopped.is_empty() {
        ctx.note(format!("wasmd {} is not running", s.chain_id));
    } else {
        ctx.note(format!(
            "stopped wasmd {} (pid {}); `starminer chain up --engine wasmd` continues it",
            s.chain_id,
            stopped.join(", ")
        ));
    }
    Ok(())
}

async fn status_wasmd(g: &GlobalArgs, s: Selector) -> Result<()> {
    let ctx = setup_ctx(g)?;
    let root = chain_home(&ctx, &s.chain_id);
    let record = read_record(&root)?;
    let homes = node_homes(&root, record.validators);
    let mut nodes = Vec::new();
    for (i, home) in homes.iter().enumerate() {
        let pid = read_pid(home).filter(|p| crate::process::alive(*p));
        let mut cfg = record.chain.clone();
        if let Some(rpc) = record.rpcs.get(i) {
            cfg.rpc = rpc.clone();
        }
        let client = ChainClient::new(cfg.clone())?.with_retry(RetryPolicy {
            attempts: 1,
            ..Default::default()
        });
        let height = match pid {
            Some(_) => client.status().await.ok().map(|n| n.height),
            None => None,
        };
        nodes.push(NodeStatus {
            home: home.display().to_string(),
            pid,
            rpc: cfg.rpc,
            height,
        });
    }
    let deployed = Manifest::load_or_default(&ctx.manifest_path)?
        .chains
        .get(&record.chain_id)
        .is_some_and(|d| d.is_complete());
    let st = Status {
        engine: Engine::Wasmd,
        home: root.display().to_string(),
        running: nodes.iter().all(|n| n.height.is_some()),
        pid: nodes[0].pid,
        rpc: Some(record.chain.rpc.clone()),
        rest: record.chain.rest.clone(),
        grpc: record.chain.grpc.clone(),
        chain_id: record.chain_id.clone(),
        height: nodes[0].height,
        deployed,
        validators: record.validators,
        nodes,
    };
    ctx.print(&st, |st| {
        if st.running {
            println!(
                "running  wasmd {WASMD_VERSION}  chain {}  height {}  validators {}",
                st.chain_id,
                st.height.unwrap_or_default(),
                st.validators
            );
        } else if st.nodes.iter().any(|n| n.pid.is_some()) {
            println!("degraded (a node is stopped or does not answer):");
        } else {
            println!("stopped  (start it with `starminer chain up --engine wasmd`)");
        }
        for n in &st.nodes {
            println!(
                "node     {}  pid {}  height {}  {}",
                n.rpc,
                n.pid.map(|p| p.to_string()).unwrap_or_else(|| "-".into()),
                n.height
                    .map(|h| h.to_string())
                    .unwrap_or_else(|| "-".into()),
                n.home
            );
        }
        println!("rest     {}", st.rest.clone().unwrap_or_default());
        println!("grpc     {}", st.grpc.clone().unwrap_or_default());
        println!(
            "deployed {}",
            if st.deployed {
                "yes"
            } else {
                "no (`starminer --chain NAME deploy`)"
            }
        );
    })
}

pub async fn run(g: &GlobalArgs, cmd: ChainCmd) -> Result<()> {
    match cmd {
        ChainCmd::Up(a) if a.sel.engine == Engine::Wasmd => up_wasmd(g, a).await,
        ChainCmd::Up(a) => {
            let up = devnet::UpArgs {
                home: HomeArgs { devnet_home: None },
                devnet_bin: a.devnet_bin,
                rpc_port: a.rpc_port,
                rest_port: a.rest_port,
                grpc_port: a.grpc_port,
                block_time: a.block_time,
                fresh: a.fresh,
                no_deploy: a.no_deploy,
                no_validator_agent: a.no_validator_agent,
                agent_bin: None,
                artifacts: PathBuf::from("artifacts"),
                periods: PeriodArgs::default(),
            };
            devnet::run(g, DevnetCmd::Up(up)).await
        }
        ChainCmd::Down(s) if s.engine == Engine::Wasmd => down_wasmd(g, s).await,
        ChainCmd::Down(_) => devnet::run(g, DevnetCmd::Down(HomeArgs { devnet_home: None })).await,
        ChainCmd::Status(s) if s.engine == Engine::Wasmd => status_wasmd(g, s).await,
        ChainCmd::Status(_) => {
            devnet::run(g, DevnetCmd::Status(HomeArgs { devnet_home: None })).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_keys_are_set_in_their_section_only() {
        let text = "proxy_app = \"a\"\n[rpc]\n# laddr = \"x\"\nladdr = \"tcp://0.0.0.0:1\"\n[p2p]\nladdr = \"tcp://0.0.0.0:2\"\n";
        let out = set_toml(text, "p2p", "laddr", "\"tcp://127.0.0.1:3\"").unwrap();
        assert!(out.contains("[rpc]\n# laddr = \"x\"\nladdr = \"tcp://0.0.0.0:1\""));
        assert!(out.contains("[p2p]\nladdr = \"tcp://127.0.0.1:3\""));
        let out = set_toml(&out, "", "proxy_app", "\"b\"").unwrap();
        assert!(out.starts_with("proxy_app = \"b\"\n"));
        assert!(set_toml(text, "p2p", "nothing", "1").is_err());
    }

    #[test]
    fn dev_mnemonics_match_the_devnets() {
        // dev0 on the devnet is starminer1… of this mnemonic; same key on wasmd.
        let m = dev_mnemonic(0);
        assert_eq!(m.split(' ').count(), 24);
        assert_ne!(m, dev_mnemonic(1));
        let key = Key::from_mnemonic(&m).unwrap();
        assert!(key.address("wasm").unwrap().starts_with("wasm1"));
    }
}
