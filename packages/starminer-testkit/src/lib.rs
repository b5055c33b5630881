//! Test support for the integration tests of the SDK, the CLI and the
//! provider agent: the real `starminer-devnet` binary, found or built once,
//! initialized in a temporary home and started on free loopback ports.
//!
//! ```no_run
//! # async fn example() {
//! use starminer_testkit::{DevnetOptions, LocalDevnet};
//! let net = LocalDevnet::start(DevnetOptions::new(3).block_time("200ms")).await;
//! println!("{} with {} dev accounts", net.rpc, net.devs.len());
//! # }
//! ```

pub mod hermes;

use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant, SystemTime};

use serde::Deserialize;
use tendermint_rpc::{Client, HttpClient};

/// The repository's root.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Where `scripts/build-wasm.sh` writes the contract artifacts.
pub fn artifacts_dir() -> PathBuf {
    workspace_root().join("artifacts")
}

/// Whether `bin` is newer than every source of the devnet (its crates and
/// the lock file), so a binary an earlier `cargo build` or `cargo test`
/// made can be used instead of building it again.
fn is_fresh(bin: &Path, root: &Path) -> bool {
    fn newest(dir: &Path, acc: &mut SystemTime) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                if p.file_name()
                    .is_some_and(|n| n != "node_modules" && n != "target")
                {
                    newest(&p, acc);
                }
            } else if p.extension().is_some_and(|x| x == "rs" || x == "toml") {
                if let Ok(m) = e.metadata().and_then(|m| m.modified()) {
                    *acc = (*acc).max(m);
                }
            }
        }
    }
    let Ok(built) = std::fs::metadata(bin).and_then(|m| m.modified()) else {
        return false;
    };
    let mut latest = std::fs::metadata(root.join("Cargo.lock"))
        .and_then(|m| m.modified())
        .unwrap_or(SystemTime::UNIX_EPOCH);
    newest(&root.join("devnet"), &mut latest);
    built > latest
}

/// The devnet binary: `$STARMINER_DEVNET_BIN`, or `target/debug`'s when it
/// is newer than the devnet's sources, or built by cargo (once per test
/// process) into the workspace's target directory.
pub fn devnet_bin() -> PathBuf {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        if let Some(p) = std::env::var_os("STARMINER_DEVNET_BIN") {
            return PathBuf::from(p);
        }
        let root = workspace_root();
        let bin = std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| root.join("target"))
            .join("debug/starminer-devnet");
        if is_fresh(&bin, &root) {
            return bin;
        }
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = Command::new(cargo)
            .current_dir(&root)
            .args([
                "build",
                "-p",
                "starminer-devnet",
                "--bin",
                "starminer-devnet",
            ])
            .status()
            .expect("running cargo build for the devnet");
        assert!(status.success(), "building starminer-devnet failed");
        bin
    })
    .clone()
}

/// A loopback port nothing listens on now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("binding a loopback port")
        .port()
}

/// A dev account as `starminer-devnet init` records it.
#[derive(Clone, Debug, Deserialize)]
pub struct DevAccount {
    pub name: String,
    pub address: String,
    pub mnemonic: String,
}

/// How [`LocalDevnet::start`] runs the node.
#[derive(Clone, Debug)]
pub struct DevnetOptions {
    pub dev_accounts: u32,
    /// The node's `--block-time`.
    pub block_time: String,
    /// How long the node may take to bind its ports and produce its second
    /// block.
    pub start_timeout: Duration,
    /// Also serve Cosmos REST and gRPC (each on a free port); off by default.
    pub servers: bool,
    /// The binary to run (default: [`devnet_bin`]).
    pub bin: Option<PathBuf>,
    /// `init --chain-id` (default: the devnet's own).
    pub chain_id: Option<String>,
    /// Where the node's log goes (stdout and stderr); default: stdout
    /// discarded and stderr to the test's.
    pub log: Option<PathBuf>,
    /// The node's `RUST_LOG`.
    pub rust_log: String,
}

impl DevnetOptions {
    /// `dev_accounts` funded accounts, 100 ms blocks, RPC only.
    pub fn new(dev_accounts: u32) -> Self {
        DevnetOptions {
            dev_accounts,
            block_time: "100ms".to_string(),
            start_timeout: Duration::from_secs(60),
            servers: false,
            bin: None,
            chain_id: None,
            log: None,
            rust_log: "warn".to_string(),
        }
    }

    pub fn block_time(mut self, block_time: &str) -> Self {
        self.block_time = block_time.to_string();
        self
    }

    /// Serves Cosmos REST and gRPC as well.
    pub fn servers(mut self) -> Self {
        self.servers = true;
        self
    }

    pub fn bin(mut self, bin: PathBuf) -> Self {
        self.bin = Some(bin);
        self
    }

    pub fn chain_id(mut self, chain_id: &str) -> Self {
        self.chain_id = Some(chain_id.to_string());
        self
    }

    pub fn log(mut self, path: PathBuf, rust_log: &str) -> Self {
        self.log = Some(path);
        self.rust_log = rust_log.to_string();
        self
    }
}

/// The addresses a running devnet reports in `data/listening.json`.
#[derive(Clone, Copy, Debug, Deserialize)]
pub struct Listening {
    pub rpc: SocketAddr,
    pub rest: Option<SocketAddr>,
    pub grpc: Option<SocketAddr>,
}

impl Listening {
    /// None while the node has not bound its ports (or is not running).
    pub fn read(home: &Path) -> Option<Listening> {
        let bytes = std::fs::read(home.join("data/listening.json")).ok()?;
        serde_json::from_slice(&bytes).ok()
    }
}

/// A `starminer-devnet` child process with its temporary home. Every server
/// binds port 0 and the node reports the port it got, so devnets of tests
/// running side by side never race for a port. Killed when dropped.
///
/// The one launcher of the repository's tests and benches: the node's own
/// tests, `tx-bench`, and the SDK's, the CLI's and the agent's tests.
pub struct LocalDevnet {
    pub home: tempfile::TempDir,
    child: Option<Child>,
    opts: DevnetOptions,
    /// `http://127.0.0.1:<port>`: CometBFT RPC (and `/websocket`).
    pub rpc: String,
    /// `http://127.0.0.1:<port>` of Cosmos REST, when served.
    pub rest: Option<String>,
    /// `http://127.0.0.1:<port>` of gRPC, when served.
    pub grpc: Option<String>,
    /// The addresses the node bound (the URLs above are made from them).
    pub listening: Listening,
    pub devs: Vec<DevAccount>,
}

impl LocalDevnet {
    /// `init`s a fresh home and `start`s the node; returns once it has
    /// committed its second block.
    pub async fn start(opts: DevnetOptions) -> LocalDevnet {
        let home = tempfile::tempdir().expect("a temporary home");
        let bin = opts.bin.clone().unwrap_or_else(devnet_bin);
        let mut init = Command::new(&bin);
        init.args(["init", "--home"])
            .arg(home.path())
            .args(["--dev-accounts", &opts.dev_accounts.to_string()]);
        if let Some(id) = &opts.chain_id {
            init.args(["--chain-id", id]);
        }
        let out = init.output().expect("running starminer-devnet init");
        assert!(out.status.success(), "devnet init failed: {out:?}");
        let devs: Vec<DevAccount> = serde_json::from_slice(
            &std::fs::read(home.path().join("config/dev_accounts.json"))
                .expect("init writes config/dev_accounts.json"),
        )
        .expect("dev_accounts.json parses");
        let deadline = Instant::now() + opts.start_timeout;
        let (child, listening) = launch(home.path(), &opts, deadline).await;
        let mut net = LocalDevnet {
            home,
            child: Some(child),
            opts,
            rpc: String::new(),
            rest: None,
            grpc: None,
            listening,
            devs,
        };
        net.serve_at(listening, deadline).await;
        net
    }

    /// Starts the node process again, after [`Self::kill9`], on fresh
    /// ports; returns once it answers with a block past the first.
    pub async fn restart(&mut self) {
        assert!(self.child.is_none(), "the devnet is running");
        let deadline = Instant::now() + self.opts.start_timeout;
        let (child, listening) = launch(self.home.path(), &self.opts, deadline).await;
        self.child = Some(child);
        self.serve_at(listening, deadline).await;
    }

    /// Points the URLs at what the node bound and waits for its blocks.
    async fn serve_at(&mut self, listening: Listening, deadline: Instant) {
        self.listening = listening;
        self.rpc = format!("http://{}", listening.rpc);
        self.rest = listening.rest.map(|a| format!("http://{a}"));
        self.grpc = listening.grpc.map(|a| format!("http://{a}"));
        self.wait_for_blocks(deadline).await;
    }

    /// `kill -9`: the node dies without a chance to clean up.
    pub fn kill9(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// The node's process id, while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(|c| c.id())
    }

    /// Why the node process is gone, if it is (None while it runs).
    pub fn exited(&mut self) -> Option<String> {
        match self.child.as_mut().map(|c| c.try_wait()) {
            None => Some("the devnet was stopped".into()),
            Some(Ok(Some(status))) => Some(format!("the devnet exited: {status}")),
            Some(Ok(None)) => None,
            Some(Err(e)) => Some(format!("the devnet's state is unknown: {e}")),
        }
    }

    /// Waits until the node answers with a height past its first block.
    async fn wait_for_blocks(&mut self, deadline: Instant) {
        let client = HttpClient::new(self.rpc.as_str()).expect("an RPC URL");
        loop {
            if let Ok(s) = client.status().await {
                if s.sync_info.latest_block_height.value() > 1 {
                    return;
                }
            }
            if let Some(c) = self.child.as_mut() {
                assert_alive(c);
            }
            assert!(
                Instant::now() < deadline,
                "the devnet produced no block past the first"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// Fails the test if the node process has exited while starting.
fn assert_alive(child: &mut Child) {
    if let Ok(Some(status)) = child.try_wait() {
        panic!("the devnet exited while starting: {status}");
    }
}

/// Spawns `start` on `home` with every server on port 0 and waits until the
/// node reports the addresses it bound.
async fn launch(home: &Path, opts: &DevnetOptions, deadline: Instant) -> (Child, Listening) {
    let bin = opts.bin.clone().unwrap_or_else(devnet_bin);
    let servers = if opts.servers { "127.0.0.1:0" } else { "off" };
    let mut cmd = Command::new(&bin);
    cmd.args(["start", "--home"])
        .arg(home)
        .args(["--rpc-addr", "127.0.0.1:0"])
        .args(["--rest-addr", servers, "--grpc-addr", servers])
        .args(["--block-time", &opts.block_time])
        .env("RUST_LOG", &opts.rust_log);
    match &opts.log {
        Some(path) => {
            let file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .expect("opening the devnet's log");
            cmd.stdout(file.try_clone().expect("the log file"))
                .stderr(file);
        }
        None => {
            cmd.stdout(Stdio::null()).stderr(Stdio::inherit());
        }
    }
    // A file left by a killed node must not be read as this one's.
    let _ = std::fs::remove_file(home.join("data/listening.json"));
    let mut child = cmd.spawn().expect("starting starminer-devnet");
    loop {
        if let Some(l) = Listening::read(home) {
            return (child, l);
        }
        assert_alive(&mut child);
        assert!(
            Instant::now() < deadline,
            "the devnet did not report its addresses within {:?}",
            opts.start_timeout
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

impl Drop for LocalDevnet {
    fn drop(&mut self) {
        self.kill9();
    }
}
