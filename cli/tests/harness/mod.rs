//! The built `starminer` binary as the integration tests run it: a fresh
//! `--home`, a fixed keystore passphrase, the devnet and wasmd binaries,
//! and none of the caller's STARMINER_* settings. Dropping it stops every
//! chain it may have started.

#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Output};
use std::time::Instant;

use serde_json::Value;

/// The wasmd v0.55.1 that `scripts/setup.sh` builds into the machine's
/// cache (or STARMINER_WASMD_BIN), if there is one.
pub fn wasmd_bin() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("STARMINER_WASMD_BIN") {
        return Some(PathBuf::from(p));
    }
    let cache = std::env::var_os("STARMINER_CACHE")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("XDG_CACHE_HOME").map(|d| PathBuf::from(d).join("starminer")))
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/starminer")))?;
    let bin = cache.join("wasmd-v0.55.1/bin/wasmd");
    bin.exists().then_some(bin)
}

/// wasmd, or `None` after saying why the test is skipped; under CI=true a
/// missing wasmd fails the test instead.
pub fn wasmd_or_skip() -> Option<PathBuf> {
    let bin = wasmd_bin();
    if bin.is_none() {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("CI=true but no wasmd: scripts/setup.sh builds it into ~/.cache/starminer/wasmd-v0.55.1/bin");
        }
        eprintln!("SKIPPED: no wasmd v0.55.1 (build it with scripts/setup.sh, or set STARMINER_WASMD_BIN)");
    }
    bin
}

pub struct Cli {
    pub home: tempfile::TempDir,
    pub wasmd: Option<PathBuf>,
    pub devnet_bin: PathBuf,
    /// wasmd chain ids to stop on drop.
    pub wasmd_chains: Vec<String>,
}

impl Cli {
    pub fn new(wasmd: Option<PathBuf>) -> Cli {
        Cli {
            home: tempfile::tempdir().unwrap(),
            wasmd,
            devnet_bin: starminer_testkit::devnet_bin(),
            wasmd_chains: Vec::new(),
        }
    }

    pub fn cmd(&self, args: &[&str]) -> Output {
        let mut c = Command::new(env!("CARGO_BIN_EXE_starminer"));
        c.arg("--home")
            .arg(self.home.path())
            .args(args)
            .env("STARMINER_PASSPHRASE", "test passphrase")
            .env("STARMINER_DEVNET_BIN", &self.devnet_bin)
            .env_remove("STARMINER_HOME")
            .env_remove("STARMINER_CHAIN")
            .env_remove("STARMINER_NODE");
        if let Some(w) = &self.wasmd {
            c.env("STARMINER_WASMD_BIN", w);
        }
        c.output().expect("running starminer")
    }

    /// Runs and expects success; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let t0 = Instant::now();
        let out = self.cmd(args);
        assert!(
            out.status.success(),
            "starminer {args:?} failed:\nstdout: {}\nstderr: {}\n(chain logs under {})",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
            self.home.path().display()
        );
        let secs = t0.elapsed().as_secs_f64();
        if secs > 2.0 {
            eprintln!("starminer {args:?}: {secs:.1} s");
        }
        String::from_utf8(out.stdout).unwrap()
    }

    pub fn json(&self, args: &[&str]) -> Value {
        let mut all = args.to_vec();
        all.push("--json");
        let text = self.ok(&all);
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{args:?}: {e}: {text}"))
    }

    /// Runs and expects failure; returns stderr.
    pub fn fails(&self, args: &[&str]) -> String {
        let out = self.cmd(args);
        assert!(!out.status.success(), "starminer {args:?} should fail");
        String::from_utf8(out.stderr).unwrap()
    }

    /// The node log of wasmd chain `chain_id` (validator 0).
    pub fn wasmd_log(&self, chain_id: &str) -> PathBuf {
        self.home
            .path()
            .join("chains")
            .join(chain_id)
            .join("node.log")
    }
}

impl Drop for Cli {
    fn drop(&mut self) {
        let _ = self.cmd(&["devnet", "down"]);
        for id in &self.wasmd_chains {
            let _ = self.cmd(&["chain", "down", "--engine", "wasmd", "--chain-id", id]);
        }
    }
}
