//! `tx-bench`: sustained transaction throughput of a chain under a cw20
//! transfer load, on the devnet or on a real wasmd node.
//!
//! The engines (`--engine`):
//!
//! - `devnet` (the default): a devnet node, a child process of the
//!   `starminer-devnet` binary built next to this one (`--node-bin`: one
//!   that reports its ports in data/listening.json), with a fresh home
//!   (`init --dev-accounts K`, then `start`), through the testkit's launcher. Chain id `starminer-devnet-1`,
//!   prefix `starminer`, fee denom `ustar`.
//! - `wasmd`: a single-validator wasmd v0.55.1 node (CometBFT, the Cosmos
//!   SDK, wasmvm), started by the `starminer` CLI (`chain up --engine
//!   wasmd`, `--cli-bin`, default next to this binary) in a temporary home on
//!   free ports, with the wasmd binary of `--wasmd-bin` (default the cache
//!   `scripts/setup.sh` fills). Chain id `tx-bench-wasmd-1`, prefix `wasm`,
//!   fee denom `stake`, CometBFT's default limits (mempool of 5,000 txs, 900
//!   RPC connections). Only dev0…dev3 have coins in its genesis, so dev0
//!   first funds the other senders with bank `MsgMultiSend`s. The node is
//!   stopped with `chain down` at the end, on an error, and on Ctrl-C or
//!   SIGTERM.
//!
//! On either engine the bench then deploys the real AGPU cw20 artifact with a
//! balance for each of the K sender accounts (the devnet's dev accounts: the
//! same keys on both chains), pre-signs N cw20 transfers (SIGN_MODE_DIRECT,
//! consecutive sequences per account, the gas of a simulated transfer ×1.3 at
//! 0.0025 per gas, both chains' minimum price), and sends them over the
//! CometBFT JSON-RPC: every account sends its transactions one after another
//! with `broadcast_tx_sync`, all K accounts at once. A refusal for a full
//! mempool is retried after 50 ms (counted in the report). Commits are
//! observed through a WebSocket `tm.event='NewBlock'` subscription, so each
//! transaction's broadcast→commit time is measured to the block event that
//! carried it.
//!
//! Reports sustained tx/s (N ÷ time from the first broadcast to the block
//! event carrying the last tx), p50/p99 broadcast→commit latency in
//! milliseconds and in blocks, the node's peak RSS (`VmHWM` of
//! `/proc/<pid>/status`) after the run, and the node's CPU time (user +
//! system, from `/proc/<pid>/stat`) spent from the first broadcast to the
//! last commit, per transaction. `--min-tps`, `--max-p99-blocks` and
//! `--max-rss-mib` turn the issue's bars into a non-zero exit status, on
//! either engine.
//!
//! `--rate R` offers R tx/s in all (open loop): the latency a client sees
//! at that load. Without it every account sends as fast as CheckTx answers:
//! the node's ceiling, with the mempool's queue in the latency. The issue's
//! bars, checked at 1,100 tx/s offered:
//!
//! ```text
//! cargo build --release -p starminer-devnet --bins
//! target/release/tx-bench --txs 100000 --accounts 500 --rate 1100 \
//!     --min-tps 1000 --max-p99-blocks 2 --max-rss-mib 1024
//! target/release/tx-bench --txs 100000 --accounts 500     # the ceiling
//! ```
//!
//! Both chains side by side, the same load on each (`--json` reports,
//! one table with the devnet/wasmd ratios; needs wasmd from
//! `scripts/setup.sh`, the `starminer` CLI and the artifacts):
//!
//! ```text
//! scripts/bench-chains.sh                              # 5,000 txs at 250 tx/s
//! scripts/bench-chains.sh --txs 10000 --accounts 400   # each one's ceiling
//! target/debug/tx-bench --engine wasmd --txs 5000 --accounts 200 --rate 250
//! ```

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use clap::Parser;
use cosmos_sdk_proto::cosmos::auth::v1beta1::{
    BaseAccount, QueryAccountRequest, QueryAccountResponse,
};
use cosmos_sdk_proto::cosmos::bank::v1beta1::{Input, MsgMultiSend, Output};
use cosmos_sdk_proto::cosmos::base::v1beta1::Coin as ProtoCoin;
use cosmos_sdk_proto::cosmos::crypto::secp256k1::PubKey;
use cosmos_sdk_proto::cosmos::tx::signing::v1beta1::SignMode;
use cosmos_sdk_proto::cosmos::tx::v1beta1::{
    mode_info, AuthInfo, Fee, ModeInfo, SignDoc, SignerInfo, SimulateRequest, SimulateResponse,
    TxBody, TxRaw,
};
use cosmos_sdk_proto::cosmwasm::wasm::v1::{
    MsgExecuteContract, MsgInstantiateContract, MsgInstantiateContractResponse, MsgStoreCode,
    MsgStoreCodeResponse,
};
use cosmos_sdk_proto::Any;
use futures_util::StreamExt;
use k256::ecdsa::signature::Signer;
use k256::ecdsa::{Signature, SigningKey};
use prost::{Message, Name};
use serde::Serialize;
use sha2::{Digest, Sha256};
use starminer_devnet::crypto;
use starminer_devnet::node::MEMPOOL_FULL;
use starminer_testkit::{DevnetOptions, LocalDevnet};
use tendermint_rpc::client::WebSocketConfig;
use tendermint_rpc::event::EventData;
use tendermint_rpc::query::EventType;
use tendermint_rpc::{Client, HttpClient, SubscriptionClient, WebSocketClient};

/// CometBFT's refusal of a transaction its mempool cache has seen.
const TX_IN_CACHE: &str = "tx already exists in cache";

/// The wasmd chain the bench starts (in a home of its own, so the id is free).
const WASMD_CHAIN_ID: &str = "tx-bench-wasmd-1";
const WASMD_PREFIX: &str = "wasm";
const WASMD_DENOM: &str = "stake";
/// The wasmd release the CLI runs (the build cache's directory name).
const WASMD_VERSION: &str = "v0.55.1";
/// Outputs per funding `MsgMultiSend` on wasmd (a few txs for many accounts).
const FUND_OUTPUTS_PER_TX: usize = 250;

/// Which chain the bench measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
enum Engine {
    /// StarMiner's own devnet (`starminer-devnet`).
    Devnet,
    /// A real wasmd v0.55.1 node, started through `starminer chain up --engine wasmd`.
    Wasmd,
}

impl Engine {
    fn name(self) -> &'static str {
        match self {
            Engine::Devnet => "devnet",
            Engine::Wasmd => "wasmd",
        }
    }
}

/// What a transaction and an address depend on: the engine's chain.
#[derive(Clone, Debug)]
struct Chain {
    chain_id: String,
    prefix: String,
    denom: String,
}

/// Transaction throughput of a chain (the devnet or wasmd): K accounts send signed cw20 transfers over RPC.
#[derive(Parser, Debug)]
#[command(name = "tx-bench")]
struct Args {
    /// The chain to measure: the devnet, or a real wasmd node (started and
    /// stopped through the `starminer` CLI).
    #[arg(long, value_enum, default_value_t = Engine::Devnet)]
    engine: Engine,
    /// How many cw20 transfers to send.
    #[arg(long, default_value_t = 100_000)]
    txs: usize,
    /// How many funded accounts send them (each sends txs/accounts in sequence).
    #[arg(long, default_value_t = 500)]
    accounts: u32,
    /// The node's block interval in milliseconds.
    #[arg(long, default_value_t = 1000)]
    block_time_ms: u64,
    /// The `starminer-devnet` binary (default: next to this one).
    #[arg(long)]
    node_bin: Option<PathBuf>,
    /// wasmd: the `starminer` CLI that starts and stops the node (default: next to this one).
    #[arg(long)]
    cli_bin: Option<PathBuf>,
    /// wasmd: the wasmd binary, handed to the CLI as STARMINER_WASMD_BIN
    /// (default: ~/.cache/starminer/wasmd-v0.55.1/bin/wasmd, which
    /// scripts/setup.sh builds).
    #[arg(long, env = "STARMINER_WASMD_BIN")]
    wasmd_bin: Option<PathBuf>,
    /// The AGPU cw20 artifact (default: artifacts/agpu_token.wasm of the repository).
    #[arg(long)]
    artifact: Option<PathBuf>,
    /// Print the report as JSON instead of a table.
    #[arg(long)]
    json: bool,
    /// Offer at most this many tx/s in total (an open-loop rate, spread over
    /// the accounts); without it every account sends as fast as CheckTx
    /// accepts, which saturates the node and measures its ceiling.
    #[arg(long)]
    rate: Option<f64>,
    /// Write the node's log to this file instead of discarding it (devnet:
    /// RUST_LOG, default warn; wasmd: its node.log, copied when it stops).
    #[arg(long)]
    node_log: Option<PathBuf>,
    /// Fail (exit 1) below this many tx/s.
    #[arg(long)]
    min_tps: Option<f64>,
    /// Fail when the p99 broadcast→commit latency exceeds this many blocks,
    /// counted in heights or in block intervals of time.
    #[arg(long)]
    max_p99_blocks: Option<u64>,
    /// Fail when the node's peak RSS exceeds this many MiB.
    #[arg(long)]
    max_rss_mib: Option<u64>,
}

#[derive(Serialize, Debug)]
struct Report {
    engine: Engine,
    chain_id: String,
    txs: usize,
    accounts: u32,
    block_time_ms: u64,
    /// The offered rate (`--rate`), if any.
    offered_tx_per_s: Option<f64>,
    /// Seconds from the first broadcast to the block event carrying the last tx.
    duration_s: f64,
    /// Sustained throughput: txs ÷ duration.
    tx_per_s: f64,
    /// Rate at which CheckTx accepted the transactions.
    broadcast_tx_per_s: f64,
    latency_ms_p50: f64,
    latency_ms_p99: f64,
    latency_ms_max: f64,
    latency_blocks_p50: u64,
    latency_blocks_p99: u64,
    latency_blocks_max: u64,
    blocks: u64,
    max_txs_per_block: usize,
    /// Peak resident set size of the node process (VmHWM), MiB.
    node_peak_rss_mib: f64,
    /// Resident set size of the node process at the end (VmRSS), MiB.
    node_rss_mib: f64,
    /// CPU time (user + system) the node process spent from the first
    /// broadcast to the block event carrying the last tx, seconds.
    node_cpu_s: f64,
    /// `node_cpu_s` per transaction, milliseconds.
    node_cpu_ms_per_tx: f64,
    /// Gas limit of each transfer (the simulated gas × 1.3).
    gas_per_tx: u64,
    failed_txs: usize,
    /// Broadcasts refused with "mempool is full" and sent again.
    mempool_full_retries: u64,
}

/// A dev account with the key the bench signs with.
struct Account {
    address: String,
    key: SigningKey,
    number: u64,
    sequence: u64,
}

/// A wasmd node the CLI started in a temporary home. It runs detached (its
/// own process group, not our child), so dropping this stops it with
/// `starminer chain down`, then with SIGKILL if it is still there.
struct WasmdNode {
    cli: PathBuf,
    wasmd: PathBuf,
    home: tempfile::TempDir,
    pid: u32,
    /// Where to copy the node's log when it stops (`--node-log`).
    log: Option<PathBuf>,
}

impl WasmdNode {
    /// `starminer --home HOME ARGS`, with the wasmd binary and a keystore
    /// passphrase in the environment, and none of the caller's chain choice.
    fn cli(&self) -> Command {
        cli_command(&self.cli, &self.wasmd, self.home.path())
    }

    fn chain_home(&self) -> PathBuf {
        self.home.path().join("chains").join(WASMD_CHAIN_ID)
    }
}

impl Drop for WasmdNode {
    fn drop(&mut self) {
        let down = self
            .cli()
            .args([
                "chain",
                "down",
                "--engine",
                "wasmd",
                "--chain-id",
                WASMD_CHAIN_ID,
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        if !matches!(down, Ok(s) if s.success()) || process_alive(self.pid) {
            eprintln!(
                "tx-bench: `chain down` did not stop wasmd (pid {}); killing it",
                self.pid
            );
            let _ = Command::new("kill")
                .args(["-KILL", &self.pid.to_string()])
                .status();
            let deadline = Instant::now() + Duration::from_secs(5);
            while process_alive(self.pid) && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        if let Some(to) = &self.log {
            let from = self.chain_home().join("node.log");
            if let Err(e) = std::fs::copy(&from, to) {
                eprintln!(
                    "tx-bench: could not copy {} to {}: {e}",
                    from.display(),
                    to.display()
                );
            }
        }
    }
}

/// The node under load, on either engine.
enum Node {
    Devnet(Box<LocalDevnet>),
    Wasmd(WasmdNode),
}

impl Node {
    fn pid(&self) -> u32 {
        match self {
            Node::Devnet(n) => n.pid().unwrap_or(0),
            Node::Wasmd(n) => n.pid,
        }
    }

    /// Why the node is gone, if it is.
    fn exited(&mut self) -> Result<Option<String>> {
        Ok(match self {
            Node::Devnet(n) => n.exited(),
            Node::Wasmd(n) => (!process_alive(n.pid)).then(|| {
                format!(
                    "wasmd (pid {}) is gone; its log is {}",
                    n.pid,
                    n.chain_home().join("node.log").display()
                )
            }),
        })
    }
}

/// Is `pid` a live process (not a zombie)?
fn process_alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => !stat
            .rsplit_once(')')
            .map(|(_, rest)| rest.trim_start().starts_with('Z'))
            .unwrap_or(false),
        Err(_) => false,
    }
}

fn cli_command(cli: &Path, wasmd: &Path, home: &Path) -> Command {
    let mut cmd = Command::new(cli);
    cmd.env("STARMINER_PASSPHRASE", "tx-bench")
        .env("STARMINER_WASMD_BIN", wasmd)
        .env_remove("STARMINER_HOME")
        .env_remove("STARMINER_CHAIN")
        .env_remove("STARMINER_NODE")
        .arg("--home")
        .arg(home);
    cmd
}

/// The binary `name` built beside this one; `hint` says how to get it.
fn sibling_bin(name: &str, hint: &str) -> Result<PathBuf> {
    let exe = std::env::current_exe()?;
    let dir = exe
        .parent()
        .ok_or_else(|| anyhow!("no directory for {}", exe.display()))?;
    // `target/<profile>/tx-bench` or `target/<profile>/deps/tx-bench-…`.
    for d in [dir, dir.parent().unwrap_or(dir)] {
        let p = d.join(name);
        if p.exists() {
            return Ok(p);
        }
    }
    bail!("no {name} binary next to {}; {hint}", exe.display())
}

/// Where `scripts/setup.sh` builds wasmd (the same cache as `scripts/lib.sh`).
fn default_wasmd_bin() -> PathBuf {
    let env = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    let cache = env("STARMINER_CACHE").unwrap_or_else(|| {
        env("XDG_CACHE_HOME")
            .unwrap_or_else(|| env("HOME").unwrap_or_else(|| ".".into()).join(".cache"))
            .join("starminer")
    });
    cache.join(format!("wasmd-{WASMD_VERSION}/bin/wasmd"))
}

fn default_artifact() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../artifacts/agpu_token.wasm")
}

/// Peak and current RSS of a process, in KiB, from `/proc/<pid>/status`.
fn rss_kib(pid: u32) -> Result<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .with_context(|| format!("reading /proc/{pid}/status"))?;
    let field = |name: &str| -> Result<u64> {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .ok_or_else(|| anyhow!("no {name} in /proc/{pid}/status"))
    };
    Ok((field("VmHWM:")?, field("VmRSS:")?))
}

/// CPU time a process has used so far, user + system, in clock ticks
/// (fields 14 and 15 of `/proc/<pid>/stat`; every thread counts).
fn cpu_ticks(pid: u32) -> Result<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .with_context(|| format!("reading /proc/{pid}/stat"))?;
    // The command name may hold spaces and parentheses: count after the last ')'.
    let rest = stat
        .rsplit_once(')')
        .map(|(_, r)| r)
        .ok_or_else(|| anyhow!("unexpected /proc/{pid}/stat"))?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // `rest` starts at field 3 (the state): utime is field 14, stime 15.
    let field = |i: usize| -> Result<u64> {
        fields
            .get(i - 3)
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| anyhow!("no field {i} in /proc/{pid}/stat"))
    };
    Ok(field(14)? + field(15)?)
}

/// Clock ticks per second (`getconf CLK_TCK`; 100, Linux's usual value, if that fails).
fn clock_ticks_per_s() -> u64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
        .filter(|t| *t > 0)
        .unwrap_or(100)
}

/// The devnet through the testkit's launcher (the one the tests use): a
/// fresh home, every server on a port the node picks itself, REST and gRPC
/// off so the bench measures the RPC path. Returns it and its RPC port.
async fn start_devnet(
    bin: &Path,
    accounts: u32,
    block_time_ms: u64,
    log: Option<&Path>,
) -> Result<(LocalDevnet, u16)> {
    let mut opts = DevnetOptions::new(accounts)
        .block_time(&format!("{block_time_ms}ms"))
        .bin(bin.to_path_buf());
    if let Some(path) = log {
        let _ = std::fs::remove_file(path);
        opts = opts.log(
            path.to_path_buf(),
            &std::env::var("RUST_LOG").unwrap_or_else(|_| "warn".to_string()),
        );
    }
    let net = LocalDevnet::start(opts).await;
    let port = net.listening.rpc.port();
    Ok((net, port))
}

/// `n` distinct free ports (all held open until each is chosen).
fn free_ports(n: usize) -> Result<Vec<u16>> {
    let listeners = (0..n)
        .map(|_| std::net::TcpListener::bind("127.0.0.1:0"))
        .collect::<std::io::Result<Vec<_>>>()?;
    listeners
        .iter()
        .map(|l| Ok(l.local_addr()?.port()))
        .collect()
}

/// Starts a wasmd chain with `starminer chain up --engine wasmd` in a
/// temporary home on free ports; returns it and its RPC port. `up` returns
/// once the node has made blocks.
fn start_wasmd(
    cli: &Path,
    wasmd: &Path,
    block_time_ms: u64,
    log: Option<&Path>,
) -> Result<(WasmdNode, u16)> {
    let home = tempfile::Builder::new()
        .prefix("starminer-tx-bench-wasmd-")
        .tempdir()?;
    let ports = free_ports(4)?;
    let mut cmd = cli_command(cli, wasmd, home.path());
    cmd.args([
        "chain",
        "up",
        "--engine",
        "wasmd",
        "--chain-id",
        WASMD_CHAIN_ID,
    ])
    .args(["--prefix", WASMD_PREFIX, "--denom", WASMD_DENOM])
    .args(["--gas-price", "0.0025"])
    .args(["--rpc-port", &ports[0].to_string()])
    .args(["--rest-port", &ports[1].to_string()])
    .args(["--grpc-port", &ports[2].to_string()])
    .args(["--p2p-port", &ports[3].to_string()])
    .args(["--block-time", &format!("{block_time_ms}ms")])
    .stdin(Stdio::null());
    let out = cmd
        .output()
        .with_context(|| format!("running {}", cli.display()))?;
    // From here on the node may run: the handle stops it whatever happens next.
    let pid_file = home
        .path()
        .join("chains")
        .join(WASMD_CHAIN_ID)
        .join("wasmd.pid");
    let pid: Option<u32> = std::fs::read_to_string(&pid_file)
        .ok()
        .and_then(|p| p.trim().parse().ok());
    let node = pid.map(|pid| WasmdNode {
        cli: cli.to_path_buf(),
        wasmd: wasmd.to_path_buf(),
        home,
        pid,
        log: log.map(Path::to_path_buf),
    });
    if !out.status.success() {
        drop(node);
        bail!(
            "`starminer chain up --engine wasmd` failed: {}{}",
            String::from_utf8_lossy(&out.stderr).trim(),
            String::from_utf8_lossy(&out.stdout).trim()
        );
    }
    let mut node = node.ok_or_else(|| anyhow!("`chain up` wrote no {}", pid_file.display()))?;
    // The pid as `chain status` reports it (the pid file is the fallback).
    let status = node
        .cli()
        .args([
            "--json",
            "chain",
            "status",
            "--engine",
            "wasmd",
            "--chain-id",
            WASMD_CHAIN_ID,
        ])
        .stdin(Stdio::null())
        .output()?;
    if let Some(pid) = serde_json::from_slice::<serde_json::Value>(&status.stdout)
        .ok()
        .and_then(|v| v.pointer("/nodes/0/pid").and_then(|p| p.as_u64()))
    {
        node.pid = pid as u32;
    }
    Ok((node, ports[0]))
}

fn any<M: Message + Name>(m: &M) -> Any {
    Any {
        type_url: M::type_url(),
        value: m.encode_to_vec(),
    }
}

/// `TxRaw` bytes signed with SIGN_MODE_DIRECT.
fn sign_tx(chain: &Chain, account: &Account, sequence: u64, msgs: Vec<Any>, gas: u64) -> Vec<u8> {
    let body = TxBody {
        messages: msgs,
        ..Default::default()
    };
    // 0.0025 per gas, rounded up: the minimum gas price of both engines.
    let fee = (gas as u128 * 25).div_ceil(10_000);
    let auth_info = AuthInfo {
        signer_infos: vec![SignerInfo {
            public_key: Some(any(&PubKey {
                key: crypto::compressed_pubkey(&account.key),
            })),
            mode_info: Some(ModeInfo {
                sum: Some(mode_info::Sum::Single(mode_info::Single {
                    mode: SignMode::Direct as i32,
                })),
            }),
            sequence,
        }],
        fee: Some(Fee {
            amount: vec![ProtoCoin {
                denom: chain.denom.clone(),
                amount: fee.to_string(),
            }],
            gas_limit: gas,
            payer: String::new(),
            granter: String::new(),
        }),
        ..Default::default()
    };
    let body_bytes = body.encode_to_vec();
    let auth_info_bytes = auth_info.encode_to_vec();
    let sign_doc = SignDoc {
        body_bytes: body_bytes.clone(),
        auth_info_bytes: auth_info_bytes.clone(),
        chain_id: chain.chain_id.clone(),
        account_number: account.number,
    }
    .encode_to_vec();
    // k256 signs sha256(sign_doc) and returns low-S signatures, as the SDK requires.
    let signature: Signature = account.key.sign(&sign_doc);
    TxRaw {
        body_bytes,
        auth_info_bytes,
        signatures: vec![signature.to_bytes().to_vec()],
    }
    .encode_to_vec()
}

async fn query<Req: Message, Resp: Message + Default>(
    client: &HttpClient,
    path: &str,
    req: Req,
) -> Result<Resp> {
    let r = client
        .abci_query(Some(path.to_string()), req.encode_to_vec(), None, false)
        .await?;
    if r.code.is_err() {
        bail!("query {path}: {}", r.log);
    }
    Ok(Resp::decode(r.value.as_slice())?)
}

async fn account(client: &HttpClient, address: &str) -> Result<BaseAccount> {
    let r: QueryAccountResponse = query(
        client,
        "/cosmos.auth.v1beta1.Query/Account",
        QueryAccountRequest {
            address: address.to_string(),
        },
    )
    .await?;
    Ok(BaseAccount::decode(
        r.account
            .ok_or_else(|| anyhow!("no account {address}"))?
            .value
            .as_slice(),
    )?)
}

/// Broadcasts and polls `/tx` until committed; fails unless DeliverTx passed.
async fn deliver(
    client: &HttpClient,
    tx: Vec<u8>,
) -> Result<tendermint_rpc::endpoint::tx::Response> {
    let r = client.broadcast_tx_sync(tx).await?;
    if r.code.is_err() {
        bail!(
            "CheckTx failed: {}/{} {}",
            r.codespace,
            r.code.value(),
            r.log
        );
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(t) = client.tx(r.hash, false).await {
            if t.tx_result.code.is_err() {
                bail!("DeliverTx failed: {}", t.tx_result.log);
            }
            return Ok(t);
        }
        if Instant::now() > deadline {
            bail!("tx {} was not committed within 60 s", r.hash);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn wait_for_node(client: &HttpClient, node: &mut Node) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(s) = client.status().await {
            if s.sync_info.latest_block_height.value() >= 1 {
                return Ok(());
            }
        }
        if let Some(why) = node.exited()? {
            bail!("the node exited: {why}");
        }
        if Instant::now() > deadline {
            bail!("the node did not produce a block within 60 s");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Stores and instantiates the AGPU cw20 with `balance` for every account; returns its address.
async fn deploy(
    client: &HttpClient,
    chain: &Chain,
    wasm: Vec<u8>,
    accounts: &mut [Account],
    balance: u128,
) -> Result<String> {
    let deployer = &accounts[0];
    let tx = sign_tx(
        chain,
        deployer,
        deployer.sequence,
        vec![any(&MsgStoreCode {
            sender: deployer.address.clone(),
            wasm_byte_code: wasm,
            instantiate_permission: None,
        })],
        40_000_000,
    );
    let stored = deliver(client, tx).await.context("storing the AGPU code")?;
    let code_id =
        MsgStoreCodeResponse::decode(first_msg_response(&stored)?.value.as_slice())?.code_id;
    let init = serde_json::json!({
        "name": "Starminer GPU", "symbol": "AGPU",
        "initial_balances": accounts.iter().map(|a| serde_json::json!({
            "address": a.address, "amount": balance.to_string()
        })).collect::<Vec<_>>(),
        "minter": deployer.address, "cap": "1000000000000000000000",
        "governance": deployer.address, "marketing": null,
    });
    let tx = sign_tx(
        chain,
        deployer,
        deployer.sequence + 1,
        vec![any(&MsgInstantiateContract {
            sender: deployer.address.clone(),
            admin: deployer.address.clone(),
            code_id,
            label: "agpu-bench".to_string(),
            msg: init.to_string().into_bytes(),
            funds: vec![],
        })],
        200_000_000,
    );
    let t = deliver(client, tx)
        .await
        .context("instantiating the AGPU cw20")?;
    accounts[0].sequence += 2;
    Ok(MsgInstantiateContractResponse::decode(first_msg_response(&t)?.value.as_slice())?.address)
}

/// What each sender gets on wasmd for its fees: enough for `per_account`
/// transfers of up to 2,000,000 gas at 0.0025 per gas, plus a margin.
fn fee_budget(per_account: usize) -> u128 {
    per_account as u128 * 5_000 + 10_000_000
}

/// The first message response of a committed transaction.
fn first_msg_response(t: &tendermint_rpc::endpoint::tx::Response) -> Result<Any> {
    use base64::Engine;
    let data = base64::engine::general_purpose::STANDARD
        .decode(t.tx_result.data.as_ref())
        .unwrap_or_else(|_| t.tx_result.data.to_vec());
    let msg_data =
        cosmos_sdk_proto::cosmos::base::abci::v1beta1::TxMsgData::decode(data.as_slice())?;
    msg_data
        .msg_responses
        .into_iter()
        .next()
        .ok_or_else(|| anyhow!("tx {} returned no message response", t.hash))
}

/// The gas a transaction uses, as the node simulates it.
async fn simulate(client: &HttpClient, tx: Vec<u8>) -> Result<u64> {
    #[allow(deprecated)]
    let sim: SimulateResponse = query(
        client,
        "/cosmos.tx.v1beta1.Service/Simulate",
        SimulateRequest {
            tx: None,
            tx_bytes: tx,
        },
    )
    .await?;
    sim.gas_info
        .map(|g| g.gas_used)
        .ok_or_else(|| anyhow!("the simulation reported no gas"))
}

/// wasmd: `funder` sends `amount` of the fee denom to every recipient, in
/// bank `MsgMultiSend`s of up to [`FUND_OUTPUTS_PER_TX`] outputs, each
/// committed before the next.
async fn fund(
    client: &HttpClient,
    chain: &Chain,
    funder: &mut Account,
    recipients: &[String],
    amount: u128,
) -> Result<()> {
    let coin = |amount: u128| ProtoCoin {
        denom: chain.denom.clone(),
        amount: amount.to_string(),
    };
    for chunk in recipients.chunks(FUND_OUTPUTS_PER_TX) {
        let msg = any(&MsgMultiSend {
            inputs: vec![Input {
                address: funder.address.clone(),
                coins: vec![coin(amount * chunk.len() as u128)],
            }],
            outputs: chunk
                .iter()
                .map(|a| Output {
                    address: a.clone(),
                    coins: vec![coin(amount)],
                })
                .collect(),
        });
        let probe = sign_tx(
            chain,
            funder,
            funder.sequence,
            vec![msg.clone()],
            100_000_000,
        );
        let gas = simulate(client, probe)
            .await
            .context("simulating the senders' funding")?
            * 13
            / 10;
        let tx = sign_tx(chain, funder, funder.sequence, vec![msg], gas);
        deliver(client, tx)
            .await
            .context("funding the senders from dev0")?;
        funder.sequence += 1;
    }
    Ok(())
}

/// The secp256k1 keys and `prefix` addresses of the first `count` dev
/// accounts (the devnet's dev mnemonics; the same keys on every engine).
fn dev_keys(count: u32, prefix: &str) -> Result<Vec<(String, SigningKey)>> {
    let hrp = bech32::Hrp::parse(prefix)?;
    (0..count)
        .map(|i| {
            let key = crypto::key_from_mnemonic(&crypto::dev_mnemonic(i))?;
            let raw = crypto::address_bytes(&crypto::compressed_pubkey(&key));
            Ok((bech32::encode::<bech32::Bech32>(hrp, &raw)?, key))
        })
        .collect()
}

fn transfer_msg(from: &str, contract: &str, to: &str) -> Any {
    any(&MsgExecuteContract {
        sender: from.to_string(),
        contract: contract.to_string(),
        msg: serde_json::json!({"transfer": {"recipient": to, "amount": "1"}})
            .to_string()
            .into_bytes(),
        funds: vec![],
    })
}

fn percentile<T: Copy + Ord>(sorted: &[T], p: f64) -> T {
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i]
}

/// When a transaction was broadcast, and the latest height seen then.
#[derive(Clone, Copy)]
struct Sent {
    at: Instant,
    height: u64,
}

/// When and in which block a transaction was committed.
#[derive(Clone, Copy)]
struct Committed {
    at: Instant,
    height: u64,
    ok: bool,
}

#[derive(Default)]
struct Tracker {
    sent: HashMap<[u8; 32], Sent>,
    committed: HashMap<[u8; 32], Committed>,
    latest_height: u64,
    block_sizes: Vec<usize>,
    /// The node's CPU ticks when the block with the last transaction arrived.
    cpu_ticks_at_end: Option<u64>,
}

async fn run(args: Args) -> Result<Report> {
    if args.accounts == 0 || args.txs == 0 {
        bail!("--accounts and --txs must be positive");
    }
    let artifact = args.artifact.clone().unwrap_or_else(default_artifact);
    let wasm = std::fs::read(&artifact).with_context(|| {
        format!(
            "reading {} (build it with scripts/build-wasm.sh)",
            artifact.display()
        )
    })?;
    let per_account = args.txs.div_ceil(args.accounts as usize);

    let (chain, mut node, port) = match args.engine {
        Engine::Devnet => {
            let bin = match &args.node_bin {
                Some(b) => b.clone(),
                None => sibling_bin(
                    "starminer-devnet",
                    "build it (cargo build --workspace --bins) or pass --node-bin",
                )?,
            };
            eprintln!(
                "tx-bench: {} transfers from {} accounts, {} ms blocks, devnet {}",
                args.txs,
                args.accounts,
                args.block_time_ms,
                bin.display()
            );
            let (node, port) = start_devnet(
                &bin,
                args.accounts,
                args.block_time_ms,
                args.node_log.as_deref(),
            )
            .await?;
            let chain = Chain {
                chain_id: starminer_devnet::node::DEFAULT_CHAIN_ID.to_string(),
                prefix: starminer_devnet::app::BECH32_PREFIX.to_string(),
                denom: starminer_devnet::app::DENOM.to_string(),
            };
            (chain, Node::Devnet(Box::new(node)), port)
        }
        Engine::Wasmd => {
            let cli = match &args.cli_bin {
                Some(b) => b.clone(),
                None => sibling_bin(
                    "starminer",
                    "build it (cargo build --workspace --bins) or pass --cli-bin",
                )?,
            };
            let wasmd = args.wasmd_bin.clone().unwrap_or_else(default_wasmd_bin);
            if !wasmd.exists() {
                bail!(
                    "no wasmd at {}: build it with scripts/setup.sh, or pass --wasmd-bin",
                    wasmd.display()
                );
            }
            eprintln!(
                "tx-bench: {} transfers from {} accounts, {} ms blocks, wasmd {} (through {})",
                args.txs,
                args.accounts,
                args.block_time_ms,
                wasmd.display(),
                cli.display()
            );
            let (node, port) =
                start_wasmd(&cli, &wasmd, args.block_time_ms, args.node_log.as_deref())?;
            let chain = Chain {
                chain_id: WASMD_CHAIN_ID.to_string(),
                prefix: WASMD_PREFIX.to_string(),
                denom: WASMD_DENOM.to_string(),
            };
            (chain, Node::Wasmd(node), port)
        }
    };
    let pid = node.pid();
    let url = format!("http://127.0.0.1:{port}");
    let client = HttpClient::new(url.as_str())?;
    wait_for_node(&client, &mut node).await?;
    eprintln!(
        "tx-bench: {} running (pid {pid}, chain {}, rpc {url})",
        args.engine.name(),
        chain.chain_id
    );

    // The senders: the dev accounts. The devnet's `init` funded all K; wasmd's
    // genesis only dev0…dev3, so dev0 pays the others their fees first.
    let keys = dev_keys(args.accounts, &chain.prefix)?;
    if args.engine == Engine::Wasmd && keys.len() > 1 {
        let (address, key) = keys[0].clone();
        let acc = account(&client, &address).await?;
        let mut funder = Account {
            address,
            key,
            number: acc.account_number,
            sequence: acc.sequence,
        };
        let recipients: Vec<String> = keys[1..].iter().map(|(a, _)| a.clone()).collect();
        eprintln!("tx-bench: funding {} senders from dev0", recipients.len());
        fund(
            &client,
            &chain,
            &mut funder,
            &recipients,
            fee_budget(per_account),
        )
        .await?;
    }
    let mut accounts = Vec::with_capacity(keys.len());
    for (address, key) in keys {
        let acc = account(&client, &address).await?;
        accounts.push(Account {
            address,
            key,
            number: acc.account_number,
            sequence: acc.sequence,
        });
    }
    let contract = deploy(
        &client,
        &chain,
        wasm,
        &mut accounts,
        per_account as u128 + 1,
    )
    .await?;
    eprintln!("tx-bench: AGPU cw20 at {contract}; pre-signing transfers");

    // The gas of one transfer, as a client's "auto" fee would find it.
    let probe = sign_tx(
        &chain,
        &accounts[0],
        accounts[0].sequence,
        vec![transfer_msg(
            &accounts[0].address,
            &contract,
            &accounts[1 % accounts.len()].address,
        )],
        10_000_000,
    );
    let gas = simulate(&client, probe)
        .await
        .context("simulating a transfer")?
        * 13
        / 10;
    if args.engine == Engine::Wasmd
        && (gas as u128 * 25).div_ceil(10_000) * per_account as u128 > fee_budget(per_account)
    {
        bail!("a transfer needs {gas} gas: more than the fees tx-bench funded the senders with");
    }

    // Pre-sign everything (both cores), so signing does not compete with the node while measuring.
    let n_acc = accounts.len();
    let mut jobs: Vec<Vec<(usize, u64)>> = vec![Vec::new(); n_acc];
    for i in 0..args.txs {
        let a = i % n_acc;
        let seq = accounts[a].sequence + jobs[a].len() as u64;
        jobs[a].push((a, seq));
    }
    let accounts = Arc::new(accounts);
    let contract = Arc::new(contract);
    let signed: Vec<Vec<Vec<u8>>> = {
        let chunks: Vec<Vec<usize>> = (0..2)
            .map(|t| (0..n_acc).filter(|a| a % 2 == t).collect())
            .collect();
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|idx| {
                let (accounts, contract, jobs, chain) = (
                    accounts.clone(),
                    contract.clone(),
                    jobs.clone(),
                    chain.clone(),
                );
                std::thread::spawn(move || {
                    idx.into_iter()
                        .map(|a| {
                            let to = &accounts[(a + 1) % accounts.len()].address;
                            let txs: Vec<Vec<u8>> = jobs[a]
                                .iter()
                                .map(|&(a, seq)| {
                                    sign_tx(
                                        &chain,
                                        &accounts[a],
                                        seq,
                                        vec![transfer_msg(&accounts[a].address, &contract, to)],
                                        gas,
                                    )
                                })
                                .collect();
                            (a, txs)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let mut out = vec![Vec::new(); n_acc];
        for h in handles {
            for (a, txs) in h.join().map_err(|_| anyhow!("a signing thread panicked"))? {
                out[a] = txs;
            }
        }
        out
    };

    // Blocks (and the transactions in them) through a WebSocket subscription.
    let tracker = Arc::new(Mutex::new(Tracker::default()));
    // A NewBlock event carries every tx result of the block: a block of
    // thousands of transfers is a message of tens of MiB, over tungstenite's
    // default 16 MiB frame limit.
    let ws_config = WebSocketConfig {
        max_frame_size: None,
        max_message_size: None,
        ..Default::default()
    };
    let (ws, driver) = WebSocketClient::builder(
        format!("ws://127.0.0.1:{port}/websocket")
            .as_str()
            .try_into()?,
    )
    .config(ws_config)
    .build()
    .await?;
    let driver = tokio::spawn(driver.run());
    let mut blocks = ws.subscribe(EventType::NewBlock.into()).await?;
    {
        let h = client.status().await?.sync_info.latest_block_height.value();
        tracker.lock().unwrap().latest_height = h;
    }
    let mut watcher = {
        let tracker = tracker.clone();
        let total = args.txs;
        tokio::spawn(async move {
            while let Some(ev) = blocks.next().await {
                let ev = match ev {
                    Ok(ev) => ev,
                    Err(e) => return Err(anyhow!("block subscription: {e}")),
                };
                let now = Instant::now();
                let EventData::NewBlock {
                    block: Some(block),
                    result_finalize_block,
                    ..
                } = ev.data
                else {
                    continue;
                };
                let height = block.header.height.value();
                let codes: Vec<bool> = result_finalize_block
                    .map(|r| r.tx_results.iter().map(|t| t.code.is_ok()).collect())
                    .unwrap_or_default();
                let mut t = tracker.lock().unwrap();
                t.latest_height = t.latest_height.max(height);
                t.block_sizes.push(block.data.len());
                for (i, tx) in block.data.iter().enumerate() {
                    let hash: [u8; 32] = Sha256::digest(tx).into();
                    t.committed.insert(
                        hash,
                        Committed {
                            at: now,
                            height,
                            ok: codes.get(i).copied().unwrap_or(false),
                        },
                    );
                }
                if t.committed.len() >= total {
                    // The node's CPU clock at the last commit, read at once.
                    t.cpu_ticks_at_end = cpu_ticks(pid).ok();
                    return Ok(());
                }
            }
            Err(anyhow!("the block subscription ended"))
        })
    };

    // The load: every account sends its transactions in sequence, all accounts at once.
    eprintln!("tx-bench: sending");
    let ticks_per_s = clock_ticks_per_s();
    let cpu_at_start = cpu_ticks(pid)?;
    let started = Instant::now();
    let rejected = Arc::new(Mutex::new(Vec::<String>::new()));
    let retries = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let mut senders = Vec::new();
    let rate = args.rate.filter(|r| *r > 0.0);
    for (a, txs) in signed.into_iter().enumerate() {
        let (client, tracker, rejected, retries) = (
            client.clone(),
            tracker.clone(),
            rejected.clone(),
            retries.clone(),
        );
        senders.push(tokio::spawn(async move {
            for (j, tx) in txs.into_iter().enumerate() {
                if let Some(rate) = rate {
                    // The j-th tx of account a is the (j·K + a)-th of the whole load.
                    let due = (j * n_acc + a) as f64 / rate;
                    tokio::time::sleep_until((started + Duration::from_secs_f64(due)).into()).await;
                }
                let hash: [u8; 32] = Sha256::digest(&tx).into();
                let sent = Sent {
                    at: Instant::now(),
                    height: tracker.lock().unwrap().latest_height,
                };
                tracker.lock().unwrap().sent.insert(hash, sent);
                let result = loop {
                    match client.broadcast_tx_sync(tx.clone()).await {
                        // A full mempool is back-pressure: wait a little and
                        // send again, as a client of a busy node does (the
                        // latency counts from the first attempt).
                        Err(e) if e.to_string().contains(MEMPOOL_FULL) => {
                            retries.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                            tokio::time::sleep(Duration::from_millis(50)).await;
                        }
                        // An earlier attempt of this very tx reached the
                        // mempool (CometBFT's cache remembers it): sent.
                        Err(e) if e.to_string().contains(TX_IN_CACHE) => break Ok(None),
                        other => break other.map(Some),
                    }
                };
                match result {
                    Ok(None) => {}
                    Ok(Some(r)) if r.code.is_ok() => {}
                    Ok(Some(r)) => {
                        rejected.lock().unwrap().push(format!(
                            "CheckTx {}/{}: {}",
                            r.codespace,
                            r.code.value(),
                            r.log
                        ));
                        return; // later sequences of this account cannot pass
                    }
                    Err(e) => {
                        rejected.lock().unwrap().push(format!("broadcast: {e}"));
                        return;
                    }
                }
            }
        }));
    }
    for s in senders {
        s.await?;
    }
    let broadcast_done = started.elapsed();
    let rejected = rejected.lock().unwrap().clone();
    if !rejected.is_empty() {
        bail!(
            "{} accounts stopped on a rejected broadcast; first: {}",
            rejected.len(),
            rejected[0]
        );
    }
    let timeout = Duration::from_secs(120);
    // The watcher returns once every transaction is seen, or on a failed subscription.
    let finished = match tokio::time::timeout(timeout, &mut watcher).await {
        Ok(r) => {
            r??;
            true
        }
        Err(_) => false,
    };
    if !finished {
        let t = tracker.lock().unwrap();
        bail!(
            "only {} of {} transactions committed within {timeout:?} of the last broadcast",
            t.committed.len(),
            args.txs
        );
    }
    let (peak_kib, rss_kib) = rss_kib(pid)?;
    let cpu_at_end = match tracker.lock().unwrap().cpu_ticks_at_end {
        Some(t) => t,
        None => cpu_ticks(pid)?,
    };
    ws.close()?;
    let _ = driver.await;

    let t = tracker.lock().unwrap();
    let mut latencies_ms = Vec::with_capacity(args.txs);
    let mut latencies_blocks = Vec::with_capacity(args.txs);
    let mut last_commit = started;
    let mut failed = 0;
    for (hash, sent) in &t.sent {
        let c = t
            .committed
            .get(hash)
            .ok_or_else(|| anyhow!("a broadcast transaction was not committed"))?;
        if !c.ok {
            failed += 1;
        }
        last_commit = last_commit.max(c.at);
        latencies_ms.push(c.at.duration_since(sent.at).as_micros() as u64);
        latencies_blocks.push(c.height.saturating_sub(sent.height));
    }
    latencies_ms.sort_unstable();
    latencies_blocks.sort_unstable();
    let duration = last_commit.duration_since(started).as_secs_f64();
    let ms = |us: u64| us as f64 / 1000.0;
    let node_cpu_s = cpu_at_end.saturating_sub(cpu_at_start) as f64 / ticks_per_s as f64;
    Ok(Report {
        engine: args.engine,
        chain_id: chain.chain_id.clone(),
        txs: args.txs,
        accounts: args.accounts,
        block_time_ms: args.block_time_ms,
        offered_tx_per_s: args.rate,
        duration_s: duration,
        tx_per_s: args.txs as f64 / duration,
        broadcast_tx_per_s: args.txs as f64 / broadcast_done.as_secs_f64(),
        latency_ms_p50: ms(percentile(&latencies_ms, 0.50)),
        latency_ms_p99: ms(percentile(&latencies_ms, 0.99)),
        latency_ms_max: ms(*latencies_ms.last().unwrap_or(&0)),
        latency_blocks_p50: percentile(&latencies_blocks, 0.50),
        latency_blocks_p99: percentile(&latencies_blocks, 0.99),
        latency_blocks_max: *latencies_blocks.last().unwrap_or(&0),
        blocks: t.block_sizes.iter().filter(|n| **n > 0).count() as u64,
        max_txs_per_block: t.block_sizes.iter().copied().max().unwrap_or(0),
        node_peak_rss_mib: peak_kib as f64 / 1024.0,
        node_rss_mib: rss_kib as f64 / 1024.0,
        node_cpu_s,
        node_cpu_ms_per_tx: node_cpu_s * 1000.0 / args.txs as f64,
        gas_per_tx: gas,
        failed_txs: failed,
        mempool_full_retries: retries.load(std::sync::atomic::Ordering::Relaxed),
    })
}

fn print_table(r: &Report) {
    println!(
        "{} tx-bench ({}): {} cw20 transfers from {} accounts, {} ms blocks",
        r.engine.name(),
        r.chain_id,
        r.txs,
        r.accounts,
        r.block_time_ms
    );
    let rows = [
        (
            "offered load",
            match r.offered_tx_per_s {
                Some(rate) => format!("{rate:.0} tx/s"),
                None => "as fast as CheckTx accepts".to_string(),
            },
        ),
        ("sustained throughput", format!("{:.0} tx/s", r.tx_per_s)),
        (
            "broadcast (CheckTx) rate",
            format!("{:.0} tx/s", r.broadcast_tx_per_s),
        ),
        ("duration", format!("{:.2} s", r.duration_s)),
        (
            "broadcast→commit p50",
            format!(
                "{:.0} ms, {} blocks",
                r.latency_ms_p50, r.latency_blocks_p50
            ),
        ),
        (
            "broadcast→commit p99",
            format!(
                "{:.0} ms, {} blocks",
                r.latency_ms_p99, r.latency_blocks_p99
            ),
        ),
        (
            "broadcast→commit max",
            format!(
                "{:.0} ms, {} blocks",
                r.latency_ms_max, r.latency_blocks_max
            ),
        ),
        (
            "blocks with txs",
            format!("{} (at most {} txs)", r.blocks, r.max_txs_per_block),
        ),
        (
            "node peak RSS (VmHWM)",
            format!("{:.0} MiB", r.node_peak_rss_mib),
        ),
        ("node RSS at the end", format!("{:.0} MiB", r.node_rss_mib)),
        (
            "node CPU (user+system)",
            format!("{:.2} s, {:.3} ms/tx", r.node_cpu_s, r.node_cpu_ms_per_tx),
        ),
        ("gas limit per transfer", r.gas_per_tx.to_string()),
        ("failed in DeliverTx", r.failed_txs.to_string()),
        (
            "\"mempool is full\" retries",
            r.mempool_full_retries.to_string(),
        ),
    ];
    for (k, v) in rows {
        println!("  {k:<26} {v}");
    }
}

fn main() {
    let args = Args::parse();
    let (min_tps, max_blocks, max_rss, json) = (
        args.min_tps,
        args.max_p99_blocks,
        args.max_rss_mib,
        args.json,
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    // Ctrl-C or SIGTERM drops the run, and with it the node: the devnet child
    // is killed, wasmd (detached, so the terminal's Ctrl-C misses it) is
    // stopped with `chain down`.
    let outcome = runtime.block_on(async {
        let mut term =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
        let terminated = async {
            match term.as_mut() {
                Some(t) => {
                    t.recv().await;
                }
                None => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            r = run(args) => Some(r),
            _ = tokio::signal::ctrl_c() => None,
            _ = terminated => None,
        }
    });
    let report = match outcome {
        Some(Ok(r)) => r,
        Some(Err(e)) => {
            eprintln!("tx-bench failed: {e:#}");
            std::process::exit(2);
        }
        None => {
            eprintln!("tx-bench: interrupted; the node is stopped");
            std::process::exit(130);
        }
    };
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&report).expect("report JSON")
        );
    } else {
        print_table(&report);
    }
    let mut missed = Vec::new();
    if report.failed_txs > 0 {
        missed.push(format!(
            "{} transfers failed in DeliverTx",
            report.failed_txs
        ));
    }
    if let Some(min) = min_tps {
        if report.tx_per_s < min {
            missed.push(format!("{:.0} tx/s < {min} tx/s", report.tx_per_s));
        }
    }
    if let Some(max) = max_blocks {
        // Both in heights (blocks committed until the one holding the tx)
        // and in time: slow blocks must not hide behind few heights.
        if report.latency_blocks_p99 > max {
            missed.push(format!(
                "p99 latency {} blocks > {max} blocks",
                report.latency_blocks_p99
            ));
        }
        let max_ms = (max * report.block_time_ms) as f64;
        if report.latency_ms_p99 > max_ms {
            missed.push(format!(
                "p99 latency {:.0} ms > {max} block intervals ({max_ms:.0} ms)",
                report.latency_ms_p99
            ));
        }
    }
    if let Some(max) = max_rss {
        if report.node_peak_rss_mib > max as f64 {
            missed.push(format!(
                "node peak RSS {:.0} MiB > {max} MiB",
                report.node_peak_rss_mib
            ));
        }
    }
    if !missed.is_empty() {
        eprintln!("tx-bench: bar missed: {}", missed.join("; "));
        std::process::exit(1);
    }
}
