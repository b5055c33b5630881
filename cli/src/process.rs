//! The background chain processes `devnet` and `chain` start: their pid
//! files, whether they still run, and stopping them.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

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
