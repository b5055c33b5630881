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

use std::net::TcpListener;
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
    /// How long the node may take to produce its second block.
    pub start_timeout: Duration,
}

impl DevnetOptions {
    /// `dev_accounts` funded accounts, 100 ms blocks.
    pub fn new(dev_accounts: u32) -> Self {
        DevnetOptions {
            dev_accounts,
            block_time: "100ms".to_string(),
            start_timeout: Duration::from_secs(60),
        }
    }

    pub fn block_time(mut self, block_time: &str) -> Self {
        self.block_time = block_time.to_string();
        self
    }
}

/// A `starminer-devnet` child process with its temporary home, serving
/// CometBFT RPC only (REST and gRPC stay off, so devnets of tests running
/// side by side do not fight over ports). Killed when dropped.
pub struct LocalDevnet {
    pub home: tempfile::TempDir,
    child: Child,
    /// `http://127.0.0.1:<port>`.
    pub rpc: String,
    pub devs: Vec<DevAccount>,
}

impl LocalDevnet {
    /// `init`s a fresh home and `start`s the node; returns once it has
    /// committed its second block.
    pub async fn start(opts: DevnetOptions) -> LocalDevnet {
        let home = tempfile::tempdir().expect("a temporary home");
        let out = Command::new(devnet_bin())
            .args(["init", "--home"])
            .arg(home.path())
            .args(["--dev-accounts", &opts.dev_accounts.to_string()])
            .output()
            .expect("running starminer-devnet init");
        assert!(out.status.success(), "devnet init failed: {out:?}");
        let devs: Vec<DevAccount> = serde_json::from_slice(
            &std::fs::read(home.path().join("config/dev_accounts.json"))
                .expect("init writes config/dev_accounts.json"),
        )
        .expect("dev_accounts.json parses");
        let port = free_port();
        let child = Command::new(devnet_bin())
            .args(["start", "--home"])
            .arg(home.path())
            .args(["--rpc-addr", &format!("127.0.0.1:{port}")])
            .args(["--rest-addr", "off", "--grpc-addr", "off"])
            .args(["--block-time", &opts.block_time])
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("starting starminer-devnet");
        let mut net = LocalDevnet {
            home,
            child,
            rpc: format!("http://127.0.0.1:{port}"),
            devs,
        };
        net.wait_for_blocks(opts.start_timeout).await;
        net
    }

    async fn wait_for_blocks(&mut self, timeout: Duration) {
        let client = HttpClient::new(self.rpc.as_str()).expect("an RPC URL");
        let deadline = Instant::now() + timeout;
        loop {
            if let Ok(s) = client.status().await {
                if s.sync_info.latest_block_height.value() > 1 {
                    return;
                }
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("the devnet exited while starting: {status}");
            }
            assert!(Instant::now() < deadline, "the devnet did not start");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for LocalDevnet {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
