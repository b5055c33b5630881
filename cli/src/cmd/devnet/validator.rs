//! The devnet's validator agent: what verifies providers' benchmarks and
//! spot-checks jobs on a local chain, so that a newcomer's provider gets a
//! tier and its jobs settle without a second machine or a second set-up.
//!
//! `devnet up` runs `starminer-agent` with `--validator --no-provider` in
//! `HOME/devnet/validator-agent`: on first use it creates the agent's home
//! with a new key, funds it from dev0 (fees and the validator bond) and
//! registers it; on every `up` it starts the daemon in the background (log
//! `validator-agent.log`, pid `validator-agent.pid` in the devnet's home).
//! `devnet down` stops it before the chain.
//!
//! The key is as disposable as the devnet's dev accounts, whose mnemonics
//! sit in `config/dev_accounts.json`: its passphrase is generated once and
//! kept beside it (`validator-agent/passphrase`, mode 0600), so the daemon
//! can be started without a prompt.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use anyhow::{bail, Context, Result};
use starminer_client::{Key, Wallet};

use crate::context::Ctx;

/// AGPU (whole tokens) sent from dev0: the registry's 5,000 AGPU validator
/// minimum on a devnet, and room for its duty locks.
const FUND_AGPU: u128 = 10_000;
/// Fee coin sent from dev0, in base units (thousands of transactions).
const FUND_FEES: u128 = 10_000_000;
/// The agent's passphrase environment variable.
const PASSPHRASE_ENV: &str = "STARMINER_AGENT_PASSPHRASE";

/// Where the validator agent of the devnet at `devnet_home` lives.
pub struct ValidatorAgent {
    pub dir: PathBuf,
    pub pid_file: PathBuf,
    pub log: PathBuf,
}

impl ValidatorAgent {
    pub fn of(devnet_home: &Path) -> Self {
        Self {
            dir: devnet_home.join("validator-agent"),
            pid_file: devnet_home.join("validator-agent.pid"),
            log: devnet_home.join("validator-agent.log"),
        }
    }

    /// The daemon's pid while it runs.
    pub fn running(&self) -> Option<u32> {
        crate::process::read_pid(&self.pid_file).filter(|p| crate::process::alive(*p))
    }

    fn initialized(&self) -> bool {
        self.dir.join("agent.toml").exists() && self.dir.join("keys/agent.json").exists()
    }

    fn passphrase_file(&self) -> PathBuf {
        self.dir.join("passphrase")
    }

    /// The passphrase of the agent's key, made on first use.
    fn passphrase(&self) -> Result<String> {
        let path = self.passphrase_file();
        if let Ok(p) = std::fs::read_to_string(&path) {
            return Ok(p.trim().to_string());
        }
        std::fs::create_dir_all(&self.dir)?;
        let mut bytes = [0u8; 24];
        rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut bytes);
        let pass = hex::encode(bytes);
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)
            .with_context(|| format!("creating {}", path.display()))?;
        f.write_all(pass.as_bytes())?;
        Ok(pass)
    }

    fn command(&self, bin: &Path, pass: &str, args: &[&str]) -> Command {
        let mut cmd = Command::new(bin);
        cmd.args(args)
            .arg("--home")
            .arg(&self.dir)
            .env(PASSPHRASE_ENV, pass)
            .stdin(Stdio::null());
        cmd
    }

    /// Stops the daemon if it runs.
    pub async fn stop(&self, ctx: &Ctx) -> Result<()> {
        let Some(pid) = self.running() else {
            let _ = std::fs::remove_file(&self.pid_file);
            return Ok(());
        };
        crate::process::stop("the devnet's validator agent", pid, Duration::from_secs(30)).await?;
        let _ = std::fs::remove_file(&self.pid_file);
        ctx.note(format!("stopped the validator agent (pid {pid})"));
        Ok(())
    }
}

/// The `starminer-agent` binary: `--agent-bin`/`STARMINER_AGENT_BIN`, else
/// next to `starminer`, else on PATH.
pub fn find_agent_bin(explicit: &Option<PathBuf>) -> Option<PathBuf> {
    crate::process::find_sibling_bin(explicit, "starminer-agent")
}

/// What `up` needs to set the agent up.
pub struct Setup<'a> {
    pub ctx: &'a Ctx,
    pub bin: &'a Path,
    /// dev0, which funds the agent.
    pub funder: &'a Wallet,
    pub chain_id: &'a str,
    pub rpc: &'a str,
}

/// Creates, funds and registers the agent on first use, then starts its
/// daemon unless it runs. Returns the daemon's pid.
pub async fn ensure_running(agent: &ValidatorAgent, s: Setup<'_>) -> Result<u32> {
    if let Some(pid) = agent.running() {
        s.ctx.note(format!(
            "the validator agent is already running (pid {pid})"
        ));
        return Ok(pid);
    }
    let pass = agent.passphrase()?;
    if !agent.initialized() {
        initialize(agent, &s, &pass).await?;
    }
    let logfile = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&agent.log)
        .with_context(|| format!("opening {}", agent.log.display()))?;
    let mut cmd = agent.command(s.bin, &pass, &["run"]);
    cmd.stdout(logfile.try_clone()?).stderr(logfile);
    {
        // Its own process group, like the chain: Ctrl-C here later leaves it.
        use std::os::unix::process::CommandExt;
        cmd.process_group(0);
    }
    let child = cmd
        .spawn()
        .with_context(|| format!("starting {}", s.bin.display()))?;
    let pid = child.id();
    std::fs::write(&agent.pid_file, pid.to_string())?;
    // A daemon that cannot start (no OpenCL device, a port in use) exits
    // within a moment: say so now rather than leave providers waiting.
    tokio::time::sleep(Duration::from_secs(2)).await;
    if !crate::process::alive(pid) {
        let _ = std::fs::remove_file(&agent.pid_file);
        bail!(
            "the validator agent exited at start:\n{}\n(full log: {})",
            crate::process::log_tail(&agent.log, 8),
            agent.log.display()
        );
    }
    s.ctx.note(format!(
        "validator agent running (pid {pid}): it verifies providers' benchmarks and spot checks; log {}",
        agent.log.display()
    ));
    Ok(pid)
}

async fn initialize(agent: &ValidatorAgent, s: &Setup<'_>, pass: &str) -> Result<()> {
    let (key, mnemonic) = Key::generate()?;
    let prefix = &s.ctx.chain_config.prefix;
    let address = key.address(prefix)?;
    let listen = free_loopback_port()?;
    let manifest = s.ctx.manifest_path.display().to_string();
    let mut init = agent.command(
        s.bin,
        pass,
        &[
            "init",
            "--force",
            "--mnemonic-stdin",
            "--validator",
            "--no-provider",
            "--moniker",
            "devnet-validator",
            "--zone",
            "eu-central",
        ],
    );
    init.args(["--rpc", s.rpc, "--chain-id", s.chain_id, "--prefix", prefix])
        .args(["--fee-denom", &s.ctx.chain_config.fee_denom])
        .args(["--manifest", &manifest])
        .args(["--listen", &format!("127.0.0.1:{listen}")])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = init
        .spawn()
        .with_context(|| format!("running {} init", s.bin.display()))?;
    child
        .stdin
        .take()
        .context("the agent's stdin")?
        .write_all(mnemonic.to_string().as_bytes())?;
    let out = child.wait_with_output()?;
    if !out.status.success() {
        bail!(
            "starminer-agent init failed for the validator agent: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    // Fees and the bond from dev0, then the registration (bond as validator).
    let sm = s.ctx.starminer()?;
    s.funder
        .send(&address, FUND_FEES, &s.ctx.chain_config.fee_denom)
        .await
        .context("sending the validator agent its fee coin from dev0")?;
    sm.agpu()
        .transfer(s.funder, &address, FUND_AGPU * 1_000_000)
        .await
        .context("sending the validator agent its AGPU bond from dev0")?;
    let out = agent
        .command(s.bin, pass, &["register"])
        .output()
        .context("running starminer-agent register")?;
    std::fs::write(
        agent.dir.join("register.log"),
        [&out.stdout[..], &out.stderr[..]].concat(),
    )?;
    if !out.status.success() {
        bail!(
            "the validator agent could not register: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    s.ctx.note(format!(
        "registered the devnet's validator agent {address} (bond {FUND_AGPU} AGPU from dev0; home {})",
        agent.dir.display()
    ));
    Ok(())
}

/// A port on 127.0.0.1 that nothing listens on now; the agent's result
/// server and status API bind it (recorded in its agent.toml).
fn free_loopback_port() -> Result<u16> {
    let l = std::net::TcpListener::bind("127.0.0.1:0").context("finding a free port")?;
    Ok(l.local_addr()?.port())
}
