//! The background chain processes `devnet` and `chain` start: their pid
//! files, whether they still run, and stopping them.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

/// A companion binary: `explicit` if given, else `name` next to the running
/// executable, else `name` on PATH.
pub fn find_sibling_bin(explicit: &Option<PathBuf>, name: &str) -> Option<PathBuf> {
    if let Some(p) = explicit {
        return Some(p.clone());
    }
    if let Ok(me) = std::env::current_exe() {
        let sibling = me.with_file_name(name);
        if sibling.exists() {
            return Some(sibling);
        }
    }
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(name))
        .find(|p| p.exists())
}

/// The last `lines` lines of a background process's log file (empty when
/// it cannot be read), for the error that says why it stopped.
pub fn log_tail(path: &Path, lines: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// The pid recorded in `file`, if it holds one.
pub fn read_pid(file: &Path) -> Option<u32> {
    std::fs::read_to_string(file).ok()?.trim().parse().ok()
}

/// Whether process `pid` runs. A zombie (exited, not yet reaped) still has
/// /proc/PID; its state is Z.
pub fn alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => !stat
            .rsplit_once(')')
            .map(|(_, rest)| rest.trim_start().starts_with('Z'))
            .unwrap_or(false),
        Err(_) => false,
    }
}

/// Sends `what` (pid `pid`) SIGTERM and waits up to `patience` for it to
/// exit.
pub async fn stop(what: &str, pid: u32, patience: Duration) -> Result<()> {
    let status = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .context("running kill")?;
    if !status.success() {
        bail!("could not signal pid {pid}: stop it by hand");
    }
    let deadline = Instant::now() + patience;
    while alive(pid) {
        if Instant::now() > deadline {
            bail!(
                "{what} (pid {pid}) did not stop within {} s: `kill -9 {pid}`",
                patience.as_secs()
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(())
}
