//! A real devnet for the SDK's tests: the `starminer-devnet` binary (built
//! with cargo on first use, or `$STARMINER_DEVNET_BIN`) initialized in a
//! temporary home and started on a free loopback port with 100 ms blocks.
#![allow(dead_code)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde::Deserialize;
use starminer_client::{ChainClient, ChainConfig};

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Whether `bin` is newer than every source of the devnet (its crates and
/// the lock file), so a binary built by an earlier `cargo build` or `cargo
/// test` can be reused instead of building it again.
fn is_fresh(bin: &Path, root: &Path) -> bool {
    fn newest(dir: &Path, acc: &mut std::time::SystemTime) {
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
        .unwrap_or(std::time::UNIX_EPOCH);
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
        let target = std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| workspace_root().join("target"));
        let bin = target.join("debug/starminer-devnet");
        if is_fresh(&bin, &workspace_root()) {
            return bin;
        }
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = Command::new(cargo)
            .current_dir(workspace_root())
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

pub fn artifacts_dir() -> PathBuf {
    workspace_root().join("artifacts")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[derive(Clone, Debug, Deserialize)]
pub struct DevAccount {
    pub name: String,
    pub address: String,
    pub mnemonic: String,
}

pub struct Devnet {
    pub home: tempfile::TempDir,
    child: Child,
    pub rpc: String,
    pub devs: Vec<DevAccount>,
}

impl Devnet {
    pub async fn start(dev_accounts: u32) -> Devnet {
        let home = tempfile::tempdir().unwrap();
        let out = Command::new(devnet_bin())
            .args(["init", "--home"])
            .arg(home.path())
            .args(["--dev-accounts", &dev_accounts.to_string()])
            .output()
            .unwrap();
        assert!(out.status.success(), "devnet init failed: {out:?}");
        let devs: Vec<DevAccount> = serde_json::from_slice(
            &std::fs::read(home.path().join("config/dev_accounts.json")).unwrap(),
        )
        .unwrap();
        let port = free_port();
        let child = Command::new(devnet_bin())
            .args(["start", "--home"])
            .arg(home.path())
            .args(["--rpc-addr", &format!("127.0.0.1:{port}")])
            .args(["--rest-addr", "off"])
            .args(["--block-time", "100ms"])
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let net = Devnet {
            home,
            child,
            rpc: format!("http://127.0.0.1:{port}"),
            devs,
        };
        let client = net.client();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(s) = client.status().await {
                if s.height > 1 {
                    break;
                }
            }
            assert!(Instant::now() < deadline, "the devnet did not start");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        net
    }

    pub fn config(&self) -> ChainConfig {
        ChainConfig::devnet_at(&self.rpc)
    }

    pub fn client(&self) -> ChainClient {
        ChainClient::new(self.config()).unwrap()
    }
}

impl Drop for Devnet {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
