//! A real devnet with the StarMiner contracts deployed through the SDK, and
//! agent processes (the `starminer-agent` binary) configured against it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use cosmwasm_std::{Timestamp, Uint128, Uint64};
use cw20::Cw20Coin;
use starminer_agent::config::{AgentConfig, InitValues, RoleName};
use starminer_client::deploy::{deploy_contracts, register_templates};
use starminer_client::{ChainClient, ChainConfig, Manifest, Starminer, Wallet};
use starminer_deploy::DeployConfig;
use starminer_interfaces::job_market::{
    Job, JobInput, JobParam, JobRequirements, JobSpec, LatencyClass, Template,
};
use starminer_interfaces::market::{Urgency, VerificationMode};
use starminer_testkit::{DevnetOptions, LocalDevnet};

pub const UNIT: u128 = 1_000_000;

/// The passphrase of the test agents' encrypted keys.
pub const AGENT_PASSPHRASE: &str = "agent-test-passphrase";
pub use starminer_agent::account::PASSPHRASE_ENV;

pub use starminer_testkit::{free_port, workspace_root};

/// The devnet of the agent's tests ([`starminer_testkit`]): 200 ms blocks,
/// and the SDK's config, client and dev wallets for it.
pub struct Devnet(LocalDevnet);

impl std::ops::Deref for Devnet {
    type Target = LocalDevnet;

    fn deref(&self) -> &LocalDevnet {
        &self.0
    }
}

impl Devnet {
    pub async fn start(dev_accounts: u32) -> Devnet {
        Devnet(LocalDevnet::start(DevnetOptions::new(dev_accounts).block_time("200ms")).await)
    }

    pub fn config(&self) -> ChainConfig {
        ChainConfig::devnet_at(&self.rpc)
    }

    pub fn client(&self) -> ChainClient {
        ChainClient::new(self.config()).unwrap()
    }

    pub fn wallet(&self, dev: usize) -> Wallet {
        Wallet::from_mnemonic(self.client(), &self.devs[dev].mnemonic).unwrap()
    }
}

/// Every built-in job template as the chain registers it (min tier 1).
/// A `render.fractal` job of `width` × `height` pixels at `max_iter`
/// iterations in eu-west (tier 1, normal urgency, metro latency, an empty
/// inline input), due an hour after `now`, needing `min_device_memory`
/// bytes and paying at most `max_agpu` AGPU.
pub fn fractal_job(
    now: Timestamp,
    [width, height, max_iter]: [u64; 3],
    min_device_memory: u64,
    max_agpu: u128,
    verification: VerificationMode,
) -> JobSpec {
    JobSpec {
        template: "render.fractal".into(),
        params: [("width", width), ("height", height), ("max_iter", max_iter)]
            .into_iter()
            .map(|(name, value)| JobParam {
                name: name.into(),
                value,
            })
            .collect(),
        input: JobInput::Inline {
            data: Default::default(),
        },
        requirements: JobRequirements {
            min_tier: 1,
            min_device_memory: Uint64::new(min_device_memory),
            min_compute_units: 1,
            zone: "eu-west".into(),
            urgency: Urgency::Normal,
            latency: LatencyClass::Metro,
        },
        max_price: Uint128::new(max_agpu * UNIT),
        deadline: now.plus_seconds(3_600),
        verification,
    }
}

/// Job `id` as the chain holds it now.
pub async fn job(sm: &Starminer, id: u64) -> Job {
    sm.job_market().job(id).await.unwrap().job
}

pub fn chain_templates() -> Vec<Template> {
    starminer_templates::chain_templates()
}

/// Deploys every contract with `deployer` (dev account 0) through the SDK,
/// with short periods so a test sees votes, windows and epochs pass, gives
/// AGPU to `funded`, registers the templates by proposal; returns the
/// manifest path and the contracts.
pub async fn deploy(net: &Devnet, dir: &Path, funded: &[&str]) -> (PathBuf, Starminer) {
    let deployer = net.wallet(0);
    let deployer_addr = cosmwasm_std::Addr::unchecked(deployer.address());
    let mut agpu: Vec<Cw20Coin> = funded
        .iter()
        .map(|a| Cw20Coin {
            address: a.to_string(),
            amount: Uint128::new(100_000 * UNIT),
        })
        .collect();
    agpu.push(Cw20Coin {
        address: deployer.address().to_string(),
        amount: Uint128::new(100_000 * UNIT),
    });
    let amax = vec![Cw20Coin {
        address: deployer.address().to_string(),
        amount: Uint128::new(1_000_000 * UNIT),
    }];
    let mut config = DeployConfig::devnet(&deployer_addr, amax, agpu);
    config.governance.voting_period = 3;
    config.governance.timelock = 1;
    config.market.challenge_window = 120;
    config.market.response_window = 30;
    config.market.dispute_verifiers = 1;
    config.incentives.epoch_length = 20;
    let path = dir.join("manifest.json");
    let mut manifest = Manifest::default();
    deploy_contracts(
        &deployer,
        &workspace_root().join("artifacts"),
        &config,
        &mut manifest,
        Some(&path),
        |_| {},
    )
    .await
    .expect("deploying the contracts");
    let sm = Starminer::from_manifest(net.client(), &manifest).unwrap();
    register_templates(
        &sm,
        &deployer,
        &chain_templates(),
        100_000 * UNIT,
        &mut manifest,
        Some(&path),
        |_| {},
    )
    .await
    .expect("registering the templates");
    (path, sm)
}

/// One agent's home: config, key and data, and its process when running.
pub struct AgentHome {
    pub dir: PathBuf,
    pub name: String,
    pub metrics_url: String,
    child: Option<Child>,
    env: Vec<(String, String)>,
}

/// Fails (with the command that provides it) without an OpenCL platform or
/// the contract artifacts: without them these tests would check nothing.
pub fn require_opencl_and_artifacts() {
    assert!(
        !starminer_templates::list_devices().is_empty(),
        "no OpenCL platform: run scripts/setup.sh (it installs pocl-opencl-icd)"
    );
    assert!(
        workspace_root().join("artifacts/job_market.wasm").exists(),
        "no contract artifacts: run scripts/build-wasm.sh"
    );
}

pub fn agent_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_starminer-agent"))
}

impl AgentHome {
    /// Writes an agent home for dev account `dev` in `zone`.
    pub fn new(
        root: &Path,
        name: &str,
        net: &Devnet,
        dev: usize,
        manifest: &Path,
        zone: &str,
        roles: Vec<RoleName>,
    ) -> AgentHome {
        let dir = root.join(name);
        std::fs::create_dir_all(&dir).unwrap();
        let port = free_port();
        let listen: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        let validator = roles.contains(&RoleName::Validator);
        let (mut config, _) = AgentConfig::from_init(&InitValues {
            rpc: net.rpc.clone(),
            rpc_fallbacks: Vec::new(),
            chain_id: "starminer-devnet-1".into(),
            prefix: "starminer".into(),
            fee_denom: "ustar".into(),
            gas_price: "0.0025".parse().unwrap(),
            manifest: manifest.to_path_buf(),
            moniker: name.into(),
            region: "test".into(),
            zone: zone.into(),
            roles,
            listen,
            public_url: format!("http://{listen}"),
            concurrency: 2,
            bond_uagpu: if validator {
                6_000 * UNIT
            } else {
                2_000 * UNIT
            } as u64,
            claimed_score: 120,
        })
        .unwrap();
        config.provider.key_file = dir.join("keys/agent.json");
        config.agent.data_dir = dir.join("data");
        config.agent.poll_seconds = 1;
        config.agent.heartbeat_seconds = 5;
        config.agent.verifier_samples = 4;
        config.prices.default = Some("0.5".into());
        // Far above what the devnet pays for SGEMM: such jobs are refused.
        config
            .prices
            .per_template
            .insert("hpc.sgemm".into(), "1000".into());
        std::fs::write(dir.join("agent.toml"), toml::to_string(&config).unwrap()).unwrap();
        // The key encrypted as `init` writes it, at a cheap scrypt cost.
        starminer_client::Keystore::open(dir.join("keys"))
            .unwrap()
            .with_scrypt_log_n(8)
            .import("agent", &net.devs[dev].mnemonic, AGENT_PASSPHRASE)
            .unwrap();
        AgentHome {
            dir,
            name: name.into(),
            metrics_url: format!("http://{listen}/metrics"),
            child: None,
            env: vec![(PASSPHRASE_ENV.into(), AGENT_PASSPHRASE.into())],
        }
    }

    /// A provider agent in eu-west, the zone of the tests' jobs.
    pub fn provider(root: &Path, name: &str, net: &Devnet, dev: usize, manifest: &Path) -> Self {
        Self::new(
            root,
            name,
            net,
            dev,
            manifest,
            "eu-west",
            vec![RoleName::Provider],
        )
    }

    /// Validator agents `val-<dev>` in eu-central for dev accounts `devs`,
    /// registered (bonded as validators) and started.
    pub fn validators<const N: usize>(
        root: &Path,
        net: &Devnet,
        devs: [usize; N],
        manifest: &Path,
    ) -> [Self; N] {
        let mut validators = devs.map(|dev| {
            Self::new(
                root,
                &format!("val-{dev}"),
                net,
                dev,
                manifest,
                "eu-central",
                vec![RoleName::Validator],
            )
        });
        for v in &mut validators {
            v.register(None);
            v.start();
        }
        validators
    }

    pub fn with_env(mut self, key: &str, value: &str) -> Self {
        self.env.push((key.into(), value.into()));
        self
    }

    fn log(&self) -> std::fs::File {
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.join("agent.log"))
            .unwrap()
    }

    /// `starminer-agent register` (blocking until it exits).
    pub fn register(&self, wait_verified: Option<u64>) {
        let mut cmd = Command::new(agent_bin());
        cmd.args(["register", "--home"]).arg(&self.dir);
        if let Some(w) = wait_verified {
            cmd.args(["--wait-verified", &w.to_string()]);
        }
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        let out = cmd
            .env("RUST_LOG", "info")
            .stderr(self.log())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}: register failed: {}\n{}",
            self.name,
            String::from_utf8_lossy(&out.stdout),
            self.log_text()
        );
    }

    pub fn start(&mut self) {
        assert!(self.child.is_none(), "{} already runs", self.name);
        let mut cmd = Command::new(agent_bin());
        cmd.args(["run", "--home"])
            .arg(&self.dir)
            .env("RUST_LOG", "info,starminer_agent=debug")
            .stdout(self.log())
            .stderr(self.log());
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        self.child = Some(cmd.spawn().unwrap());
    }

    pub fn kill9(&mut self) {
        if let Some(mut c) = self.child.take() {
            c.kill().unwrap();
            c.wait().unwrap();
        }
    }

    /// SIGTERM; waits for the exit and returns its status (`None`: it did
    /// not exit in time and was killed).
    pub fn terminate(&mut self, within: Duration) -> Option<std::process::ExitStatus> {
        let mut c = self.child.take()?;
        let _ = Command::new("kill")
            .args(["-TERM", &c.id().to_string()])
            .status();
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = c.try_wait().unwrap() {
                return Some(status);
            }
            if Instant::now() > deadline {
                let _ = c.kill();
                let _ = c.wait();
                return None;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(self.dir.join("agent.log")).unwrap_or_default()
    }

    /// The value of a sample line of the agent's `/metrics`.
    pub async fn metric(&self, name: &str) -> Option<f64> {
        let text = reqwest::get(&self.metrics_url)
            .await
            .ok()?
            .text()
            .await
            .ok()?;
        text.lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
    }
}

impl Drop for AgentHome {
    fn drop(&mut self) {
        self.kill9();
        if std::thread::panicking() {
            eprintln!("---- log of agent {} ----\n{}", self.name, self.log_text());
        }
    }
}

/// Polls `check` every 500 ms until it returns `Some`, failing after `limit`.
pub async fn wait_for<T, F, Fut>(what: &str, limit: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + limit;
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}
