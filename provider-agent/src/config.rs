//! The agent's configuration file (`agent.toml`), written by
//! `starminer-agent init` and read by every chain command.
//!
//! Hardware inventory and price policy are data here, not code (STYLE.md):
//! a provider edits the file to change what it charges or how many jobs it
//! runs at once. Every field is documented in [`EXAMPLE`], which is also what
//! `init` writes (with the given values filled in).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use anyhow::{bail, ensure, Context, Result};
use cosmwasm_std::Decimal;
use serde::{Deserialize, Serialize};
use starminer_client::ChainConfig;

/// File name of the configuration inside the agent's home directory.
pub const CONFIG_FILE: &str = "agent.toml";
/// File name of the key (a BIP-39 mnemonic, mode 0600) inside the home.
pub const KEY_FILE: &str = "keys/agent.json";

/// The whole configuration file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgentConfig {
    pub chain: ChainSection,
    pub provider: ProviderConfig,
    /// Minimum price per template id (see [`PricePolicy`]).
    #[serde(default)]
    pub prices: PricePolicy,
    pub agent: RuntimeConfig,
    pub server: ServerConfig,
}

/// The `[chain]` section: how to reach the chain (the SDK's
/// [`starminer_client::ChainConfig`], its fields written inline) and which
/// contracts to talk to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChainSection {
    /// Endpoints, chain id, address prefix, fee denom and gas price, as the
    /// SDK's client takes them. Files that omit `prefix`, `fee_denom` or
    /// `gas_price` get the devnet's (see [`AgentConfig::parse`]).
    #[serde(flatten)]
    pub client: ChainConfig,
    /// The deployment manifest (JSON written by the deploy tool) that names
    /// every contract's address. Relative paths are relative to the config.
    pub manifest: PathBuf,
    /// Keys the two above do not know (a typo): refused by
    /// [`AgentConfig::validate`].
    #[serde(flatten, skip_serializing)]
    pub unknown: BTreeMap<String, toml::Value>,
}

/// Who this agent is on chain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderConfig {
    pub moniker: String,
    /// Free-text region, e.g. `Europe`.
    pub region: String,
    /// A zone of the registry, e.g. `eu-west`.
    pub zone: String,
    /// Key file (a BIP-39 mnemonic). Relative paths are relative to the config.
    pub key_file: PathBuf,
    /// `provider`: claims and computes jobs. `validator`: also verifies
    /// other providers' results and benchmarks.
    #[serde(default = "default_roles")]
    pub roles: Vec<RoleName>,
    /// AGPU (micro units, uagpu) bonded by `register` when the bond is below it.
    #[serde(default = "default_bond")]
    pub bond_uagpu: u64,
    /// Score claimed for the registry's benchmark challenge, in compute units
    /// per second; `register` measures it when 0.
    #[serde(default)]
    pub claimed_score: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RoleName {
    Provider,
    Validator,
}

/// How the daemon runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuntimeConfig {
    /// Jobs computed at the same time.
    #[serde(default = "default_concurrency")]
    pub concurrency: usize,
    /// State database and result store live here. Relative paths are
    /// relative to the config.
    pub data_dir: PathBuf,
    /// OpenCL device index (see `starminer-agent devices`); `None`: the
    /// device with the most global memory.
    #[serde(default)]
    pub device: Option<usize>,
    /// Largest input the agent downloads, in bytes.
    #[serde(default = "default_max_input")]
    pub max_input_bytes: u64,
    /// Seconds between polls of the chain when the WebSocket is down (and
    /// between housekeeping rounds when it is up).
    #[serde(default = "default_poll")]
    pub poll_seconds: u64,
    /// Seconds between registry heartbeats (and checks for incentive
    /// rewards to claim).
    #[serde(default = "default_heartbeat")]
    pub heartbeat_seconds: u64,
    /// Chunks a verifier samples from each result it checks.
    #[serde(default = "default_samples")]
    pub verifier_samples: u32,
}

/// The result server: where verifiers and requesters fetch outputs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    /// Address the HTTP server listens on.
    pub listen: SocketAddr,
    /// URL others reach it at (registered on chain; results are
    /// `<public_url>/results/<id>`).
    pub public_url: String,
}

/// The lowest price the agent accepts, per template, in uagpu per compute
/// unit (decimal text, e.g. `"0.8"`). A job is claimed only if its compute
/// cost divided by its units is at least this. `default` applies to templates
/// not listed; a template with neither is accepted at any price.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct PricePolicy {
    #[serde(default)]
    pub default: Option<String>,
    #[serde(default, flatten)]
    pub per_template: BTreeMap<String, String>,
}

impl PricePolicy {
    /// The minimum uagpu per unit for `template`.
    pub fn min_price(&self, template: &str) -> Result<Decimal> {
        let text = self
            .per_template
            .get(template)
            .or(self.default.as_ref())
            .map(String::as_str)
            .unwrap_or("0");
        Decimal::from_str(text.trim())
            .with_context(|| format!("price for {template}: `{text}` is not a decimal number"))
    }
}

/// `text` as a [`Decimal`], or an error that shows the expected form
/// (also the parser of `init --gas-price`).
pub fn parse_decimal(text: &str) -> Result<Decimal> {
    Decimal::from_str(text.trim())
        .map_err(|_| anyhow::anyhow!("`{text}` is not a decimal number (e.g. \"0.0025\")"))
}

fn default_roles() -> Vec<RoleName> {
    vec![RoleName::Provider]
}
fn default_bond() -> u64 {
    1_000_000_000
}
fn default_concurrency() -> usize {
    2
}
fn default_max_input() -> u64 {
    256 << 20
}
fn default_poll() -> u64 {
    5
}
fn default_heartbeat() -> u64 {
    60
}
/// The protocol's per-verifier sample count (the deploy package's off-chain
/// verifier constant).
fn default_samples() -> u32 {
    starminer_deploy::SPOT_CHECK_SAMPLES_PER_VERIFIER
}

/// A commented configuration with every field, as `init` writes it.
pub const EXAMPLE: &str = r#"# StarMiner provider agent configuration (written by `starminer-agent init`).

[chain]
# CometBFT RPC endpoint; the agent subscribes to new blocks at <rpc>/websocket
# and polls the same endpoint when the WebSocket is down.
rpc = "http://127.0.0.1:26657"
# Other nodes of the same chain, used in order while rpc cannot be reached.
rpc_fallbacks = []
chain_id = "starminer-devnet-1"
# Bech32 address prefix, fee denom and gas price (per gas unit) of the chain.
prefix = "starminer"
fee_denom = "ustar"
gas_price = "0.0025"
# Simulated gas is multiplied by this before signing (default 1.3).
# gas_adjustment = 1.3
# Deployment manifest (JSON from the deploy tool) naming every contract.
# Relative paths are relative to this file.
manifest = "manifest.json"

[provider]
moniker = "my-rig"
region = "Europe"
# A zone the registry knows (the devnet has eu-west, eu-central, us-east,
# us-west, ap-south, ap-east, sa-east, sa-west).
zone = "eu-west"
# The agent's account key: an SDK keystore file (the mnemonic encrypted
# with a passphrase, read from STARMINER_AGENT_PASSPHRASE, else
# STARMINER_PASSPHRASE, else asked), or a plain mnemonic file (older homes).
# Either must be readable by its owner only (mode 0600).
key_file = "keys/agent.json"
# "provider" claims and computes jobs; "validator" also verifies others'
# results and benchmarks (needs the validator stake).
roles = ["provider"]
# uagpu that `register` bonds (1 AGPU = 1000000 uagpu).
bond_uagpu = 1000000000
# Benchmark score claimed in the registry's challenge (compute units per
# second); 0 lets `register` measure it on this machine.
claimed_score = 0

# Lowest accepted price per template in uagpu per compute unit (decimal
# text). `default` covers templates not listed; without either a template is
# accepted at any price.
[prices]
default = "0"
"render.fractal" = "0.5"
"hpc.sgemm" = "0.5"

[agent]
# Jobs computed at once.
concurrency = 2
# State database (agent.redb) and result store (results/). Relative to this file.
data_dir = "data"
# OpenCL device index (`starminer-agent devices`); omit for the device with
# the most memory.
# device = 0
# Largest input downloaded, in bytes.
max_input_bytes = 268435456
# Seconds between chain polls when the WebSocket is down.
poll_seconds = 5
# Seconds between registry heartbeats and reward claims.
heartbeat_seconds = 60
# Chunks sampled from each result this agent verifies (validator role).
verifier_samples = 16

[server]
# The result server (chunks with Merkle proofs, /metrics).
listen = "127.0.0.1:8645"
# URL registered on chain for verifiers and requesters.
public_url = "http://127.0.0.1:8645"
"#;

/// What `init` was told; everything else keeps [`EXAMPLE`]'s value.
#[derive(Debug, Clone)]
pub struct InitValues {
    pub rpc: String,
    pub rpc_fallbacks: Vec<String>,
    pub chain_id: String,
    pub prefix: String,
    pub fee_denom: String,
    pub gas_price: Decimal,
    pub manifest: PathBuf,
    pub moniker: String,
    pub region: String,
    pub zone: String,
    pub roles: Vec<RoleName>,
    pub listen: SocketAddr,
    pub public_url: String,
    pub concurrency: usize,
    /// uagpu to bond.
    pub bond_uagpu: u64,
    /// 0: measured by `register`.
    pub claimed_score: u64,
}

impl AgentConfig {
    /// Parses a configuration and checks what the types cannot.
    ///
    /// `[chain]` keys that configs of earlier agents could leave out
    /// (`prefix`, `fee_denom`, `gas_price`) default to the devnet's values.
    pub fn parse(text: &str) -> Result<AgentConfig> {
        let mut doc: toml::Table = toml::from_str(text).context("parsing the agent config")?;
        if let Some(toml::Value::Table(chain)) = doc.get_mut("chain") {
            let devnet = ChainConfig::devnet();
            for (key, value) in [
                ("prefix", devnet.prefix),
                ("fee_denom", devnet.fee_denom),
                ("gas_price", devnet.gas_price.to_string()),
            ] {
                chain
                    .entry(key)
                    .or_insert_with(|| toml::Value::String(value));
            }
            // Named here: serde's error for a bad Decimal names neither field nor form.
            if let Some(toml::Value::String(price)) = chain.get("gas_price") {
                parse_decimal(price).context("chain.gas_price")?;
            }
        }
        let config: AgentConfig = doc.try_into().context("reading the agent config")?;
        config.validate()?;
        Ok(config)
    }

    /// Reads `path`; relative paths inside are resolved against its folder.
    pub fn load(path: &Path) -> Result<AgentConfig> {
        let text = std::fs::read_to_string(path).with_context(|| {
            format!(
                "reading {} (create it with `starminer-agent init`)",
                path.display()
            )
        })?;
        let mut config = Self::parse(&text).with_context(|| format!("in {}", path.display()))?;
        let base = path.parent().unwrap_or(Path::new("."));
        config.resolve_paths(base);
        Ok(config)
    }

    fn resolve_paths(&mut self, base: &Path) {
        for p in [
            &mut self.chain.manifest,
            &mut self.provider.key_file,
            &mut self.agent.data_dir,
        ] {
            if p.is_relative() {
                *p = base.join(&*p);
            }
        }
    }

    pub fn validate(&self) -> Result<()> {
        ensure!(
            self.agent.concurrency >= 1 && self.agent.concurrency <= 64,
            "agent.concurrency must be 1-64"
        );
        ensure!(
            !self.provider.roles.is_empty(),
            "provider.roles must name provider and/or validator"
        );
        if let Some(key) = self.chain.unknown.keys().next() {
            bail!(
                "[chain] has an unknown key `{key}` (known: chain_id, rpc, rpc_fallbacks, grpc, \
                 rest, prefix, fee_denom, gas_price, gas_adjustment, manifest)"
            );
        }
        for rpc in self.chain.client.rpc_endpoints() {
            ensure!(
                rpc.starts_with("http://") || rpc.starts_with("https://"),
                "chain.rpc and chain.rpc_fallbacks must be http(s):// URLs, not `{rpc}`"
            );
        }
        self.chain.client.validate().context("in [chain]")?;
        ensure!(
            self.server.public_url.starts_with("http://")
                || self.server.public_url.starts_with("https://"),
            "server.public_url must be an http(s):// URL"
        );
        ensure!(
            self.agent.poll_seconds >= 1,
            "agent.poll_seconds must be ≥ 1"
        );
        ensure!(
            self.agent.verifier_samples >= 1,
            "agent.verifier_samples must be ≥ 1"
        );
        for template in self.prices.per_template.keys() {
            starminer_templates::by_id(template)
                .with_context(|| format!("[prices] names `{template}`"))?;
            self.prices.min_price(template)?;
        }
        if let Some(default) = &self.prices.default {
            Decimal::from_str(default.trim()).with_context(|| {
                format!("[prices] default: `{default}` is not a decimal number")
            })?;
        }
        Ok(())
    }

    /// [`EXAMPLE`] with `values` filled in.
    pub fn from_init(values: &InitValues) -> Result<(AgentConfig, String)> {
        let mut doc: toml::Table = toml::from_str(EXAMPLE).context("the example config")?;
        let set = |doc: &mut toml::Table, section: &str, key: &str, v: toml::Value| {
            if let Some(toml::Value::Table(t)) = doc.get_mut(section) {
                t.insert(key.to_string(), v);
            }
        };
        let s = |v: &str| toml::Value::String(v.to_string());
        set(&mut doc, "chain", "rpc", s(&values.rpc));
        set(&mut doc, "chain", "chain_id", s(&values.chain_id));
        let fallbacks = values.rpc_fallbacks.iter().map(|r| s(r)).collect();
        set(
            &mut doc,
            "chain",
            "rpc_fallbacks",
            toml::Value::Array(fallbacks),
        );
        set(&mut doc, "chain", "prefix", s(&values.prefix));
        set(&mut doc, "chain", "fee_denom", s(&values.fee_denom));
        set(
            &mut doc,
            "chain",
            "gas_price",
            s(&values.gas_price.to_string()),
        );
        set(
            &mut doc,
            "chain",
            "manifest",
            s(&values.manifest.to_string_lossy()),
        );
        set(&mut doc, "provider", "moniker", s(&values.moniker));
        set(&mut doc, "provider", "region", s(&values.region));
        set(&mut doc, "provider", "zone", s(&values.zone));
        let roles = values
            .roles
            .iter()
            .map(|r| {
                s(match r {
                    RoleName::Provider => "provider",
                    RoleName::Validator => "validator",
                })
            })
            .collect();
        set(&mut doc, "provider", "roles", toml::Value::Array(roles));
        set(&mut doc, "server", "listen", s(&values.listen.to_string()));
        set(&mut doc, "server", "public_url", s(&values.public_url));
        let int = |v: u64| toml::Value::Integer(i64::try_from(v).unwrap_or(i64::MAX));
        set(
            &mut doc,
            "agent",
            "concurrency",
            int(values.concurrency as u64),
        );
        set(&mut doc, "provider", "bond_uagpu", int(values.bond_uagpu));
        set(
            &mut doc,
            "provider",
            "claimed_score",
            int(values.claimed_score),
        );
        let config: AgentConfig = doc.clone().try_into().context("building the config")?;
        config.validate()?;
        // Keep the example's comments: rewrite only the lines whose values changed.
        let text = rewrite_values(EXAMPLE, &doc);
        let check = Self::parse(&text)?;
        if check != config {
            bail!("internal: the written config does not read back as built");
        }
        Ok((config, text))
    }

    pub fn has_role(&self, role: RoleName) -> bool {
        self.provider.roles.contains(&role)
    }

    pub fn db_path(&self) -> PathBuf {
        self.agent.data_dir.join("agent.redb")
    }

    pub fn results_dir(&self) -> PathBuf {
        self.agent.data_dir.join("results")
    }
}

/// Replaces the value of every `key = value` line of `text` (per section)
/// with the value in `doc`, leaving comments and order alone.
fn rewrite_values(text: &str, doc: &toml::Table) -> String {
    let mut section = String::new();
    let mut out = String::new();
    for line in text.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with('[') && !trimmed.starts_with("[[") {
            section = trimmed
                .trim_start_matches('[')
                .trim_end_matches(']')
                .to_string();
        } else if !trimmed.starts_with('#') {
            if let Some((key, _)) = trimmed.split_once('=') {
                let key = key.trim();
                let value = doc
                    .get(&section)
                    .and_then(|t| t.as_table())
                    .and_then(|t| t.get(key.trim_matches('"')));
                if let Some(v) = value {
                    out.push_str(&format!("{key} = {v}\n"));
                    continue;
                }
            }
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn init_values() -> InitValues {
        InitValues {
            rpc: "http://10.0.0.5:26657".into(),
            rpc_fallbacks: vec!["https://rpc2.example:443".into()],
            chain_id: "starminer-test-9".into(),
            prefix: "wasm".into(),
            fee_denom: "stake".into(),
            gas_price: Decimal::from_str("0.025").unwrap(),
            manifest: "deploy/manifest.json".into(),
            moniker: "rig \"7\"".into(),
            region: "Asia".into(),
            zone: "ap-east".into(),
            roles: vec![RoleName::Provider, RoleName::Validator],
            listen: "0.0.0.0:9000".parse().unwrap(),
            public_url: "http://rig7.example:9000".into(),
            concurrency: 3,
            bond_uagpu: 5_000_000_000,
            claimed_score: 250,
        }
    }

    #[test]
    fn the_example_parses_and_validates() {
        let c = AgentConfig::parse(EXAMPLE).unwrap();
        assert_eq!(c.agent.concurrency, 2);
        assert_eq!(c.provider.roles, vec![RoleName::Provider]);
        assert_eq!(
            c.prices.min_price("render.fractal").unwrap(),
            Decimal::percent(50)
        );
        // Not listed: the default.
        assert_eq!(
            c.prices.min_price("ai.training.sgd").unwrap(),
            Decimal::zero()
        );
    }

    #[test]
    fn init_values_are_written_and_comments_kept() {
        let (config, text) = AgentConfig::from_init(&init_values()).unwrap();
        assert_eq!(config.chain.client.chain_id, "starminer-test-9");
        assert_eq!(
            config.chain.client.rpc_fallbacks,
            ["https://rpc2.example:443"]
        );
        assert_eq!(
            (
                config.chain.client.prefix.as_str(),
                config.chain.client.fee_denom.as_str()
            ),
            ("wasm", "stake")
        );
        assert_eq!(config.provider.zone, "ap-east");
        assert_eq!(config.provider.moniker, "rig \"7\"");
        assert_eq!(config.agent.concurrency, 3);
        assert_eq!(config.provider.bond_uagpu, 5_000_000_000);
        assert_eq!(config.provider.claimed_score, 250);
        assert!(config.has_role(RoleName::Validator));
        assert!(text.contains("# Jobs computed at once."));
        assert_eq!(AgentConfig::parse(&text).unwrap(), config);
    }

    #[test]
    fn relative_paths_resolve_against_the_config_folder() {
        let dir = tempfile::tempdir().unwrap();
        let (_, text) = AgentConfig::from_init(&init_values()).unwrap();
        let path = dir.path().join(CONFIG_FILE);
        std::fs::write(&path, text).unwrap();
        let c = AgentConfig::load(&path).unwrap();
        assert_eq!(c.chain.manifest, dir.path().join("deploy/manifest.json"));
        assert_eq!(c.provider.key_file, dir.path().join(KEY_FILE));
        assert_eq!(c.db_path(), dir.path().join("data/agent.redb"));
    }

    #[test]
    fn configs_without_chain_fee_keys_get_the_devnet_values() {
        let mut text = EXAMPLE.to_string();
        for line in [
            "prefix = \"starminer\"\n",
            "fee_denom = \"ustar\"\n",
            "gas_price = \"0.0025\"\n",
        ] {
            assert!(text.contains(line), "{line}");
            text = text.replacen(line, "", 1);
        }
        let c = AgentConfig::parse(&text).unwrap();
        assert_eq!(c, AgentConfig::parse(EXAMPLE).unwrap());
        assert_eq!(
            c.chain.client.gas_price,
            Decimal::from_str("0.0025").unwrap()
        );
        assert_eq!(c.chain.client.fee_for(1_000), 3);
    }

    #[test]
    fn the_chain_section_takes_the_sdk_settings_and_refuses_typos() {
        let text = EXAMPLE.replacen(
            "gas_price = \"0.0025\"",
            "gas_price = \"0.01\"\ngas_adjustment = 1.5",
            1,
        );
        let c = AgentConfig::parse(&text).unwrap();
        assert_eq!(c.chain.client.gas_price, Decimal::percent(1));
        assert_eq!(c.chain.client.adjusted_gas(1_000), 1_500);
        let text = EXAMPLE.replacen("fee_denom = ", "fee_denon = \"x\"\nfee_denom = ", 1);
        let e = format!("{:#}", AgentConfig::parse(&text).unwrap_err());
        assert!(e.contains("fee_denon"), "{e}");
        let text = EXAMPLE.replacen("gas_price = \"0.0025\"", "gas_price = \"cheap\"", 1);
        let e = format!("{:#}", AgentConfig::parse(&text).unwrap_err());
        assert!(e.contains("cheap") && e.contains("chain.gas_price"), "{e}");
    }

    #[test]
    fn bad_configs_are_refused_with_the_field_named() {
        let bad = |from: &str, to: &str| {
            let text = EXAMPLE.replacen(from, to, 1);
            assert_ne!(text, EXAMPLE, "{from} not in the example");
            format!("{:#}", AgentConfig::parse(&text).unwrap_err())
        };
        assert!(bad("concurrency = 2", "concurrency = 0").contains("concurrency"));
        assert!(bad("\"hpc.sgemm\" = \"0.5\"", "\"hpc.sgemmm\" = \"0.5\"").contains("hpc.sgemmm"));
        assert!(bad("\"hpc.sgemm\" = \"0.5\"", "\"hpc.sgemm\" = \"cheap\"").contains("cheap"));
        assert!(bad("roles = [\"provider\"]", "roles = [\"miner\"]").contains("miner"));
        assert!(bad("poll_seconds = 5", "poll_seconds = 5\ncolour = 1").contains("colour"));
        assert!(bad("rpc = \"http://", "rpc = \"ftp://").contains("chain.rpc"));
    }
}
