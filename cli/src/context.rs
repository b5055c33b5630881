//! What every command works with: the home directory (config, keystore,
//! manifest, devnet), the selected chain, passphrases and output.
//!
//! Home layout (`--home`, `$STARMINER_HOME`, default `~/.starminer`):
//!
//! ```text
//! config.json     chains by name and the defaults (see `Config`)
//! keys/           the encrypted keystore (starminer-client's format)
//! manifest.json   deployments per chain id
//! devnet/         the local chain started by `starminer devnet up`
//! ```

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use serde::{Deserialize, Serialize};
use starminer_client::{ChainClient, ChainConfig, Keystore, Manifest, Starminer, Wallet};

use crate::GlobalArgs;

/// `config.json`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Config {
    /// The chain used when `--chain` is not given.
    pub default_chain: String,
    /// The key that signs when `--from` is not given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_key: Option<String>,
    pub chains: BTreeMap<String, ChainConfig>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            default_chain: "devnet".into(),
            default_key: None,
            chains: BTreeMap::from([("devnet".to_string(), ChainConfig::devnet())]),
        }
    }
}

pub struct Ctx {
    pub home: PathBuf,
    pub config: Config,
    pub chain_name: String,
    pub chain_config: ChainConfig,
    pub manifest_path: PathBuf,
    pub json: bool,
}

/// The environment variable read for keystore passphrases.
pub const PASSPHRASE_ENV: &str = "STARMINER_PASSPHRASE";

impl Ctx {
    pub fn new(g: &GlobalArgs) -> Result<Ctx> {
        let home = match &g.home {
            Some(h) => h.clone(),
            None => default_home(),
        };
        let config_path = home.join("config.json");
        let config: Config = if config_path.exists() {
            serde_json::from_slice(&std::fs::read(&config_path)?)
                .with_context(|| format!("{} is not a valid config", config_path.display()))?
        } else {
            Config::default()
        };
        let chain_name = g
            .chain
            .clone()
            .unwrap_or_else(|| config.default_chain.clone());
        let mut chain_config = config.chains.get(&chain_name).cloned().with_context(|| {
            format!(
                "no chain named `{chain_name}` in {}: known chains are {}; add one with `starminer config add-chain`",
                config_path.display(),
                config.chains.keys().cloned().collect::<Vec<_>>().join(", ")
            )
        })?;
        if let Some(node) = &g.node {
            let mut nodes = node.split(',').map(str::trim).filter(|n| !n.is_empty());
            chain_config.rpc = nodes.next().unwrap_or_default().to_string();
            chain_config.rpc_fallbacks = nodes.map(str::to_string).collect();
        }
        let manifest_path = g
            .manifest
            .clone()
            .unwrap_or_else(|| home.join("manifest.json"));
        Ok(Ctx {
            home,
            config,
            chain_name,
            chain_config,
            manifest_path,
            json: g.json,
        })
    }

    pub fn save_config(&self) -> Result<()> {
        std::fs::create_dir_all(&self.home)
            .with_context(|| format!("creating {}", self.home.display()))?;
        let path = self.home.join("config.json");
        std::fs::write(&path, serde_json::to_vec_pretty(&self.config)?)
            .with_context(|| format!("writing {}", path.display()))
    }

    pub fn keystore(&self) -> Result<Keystore> {
        Keystore::open(self.home.join("keys"))
    }

    pub fn client(&self) -> Result<ChainClient> {
        ChainClient::new(self.chain_config.clone())
    }

    pub fn manifest(&self) -> Result<Manifest> {
        Manifest::load_or_default(&self.manifest_path)
    }

    /// The deployment on the selected chain.
    pub fn starminer(&self) -> Result<Starminer> {
        let manifest = Manifest::load(&self.manifest_path)?;
        Starminer::from_manifest(self.client()?, &manifest)
    }

    /// The key name to sign with.
    pub fn key_name(&self, from: &Option<String>) -> Result<String> {
        if let Some(f) = from {
            return Ok(f.clone());
        }
        if let Some(k) = &self.config.default_key {
            return Ok(k.clone());
        }
        bail!("which key signs? pass --from NAME (see `starminer keys list`) or set default_key in {}", self.home.join("config.json").display())
    }

    /// A wallet for key `from` (decrypted with the passphrase).
    pub fn wallet(&self, from: &Option<String>) -> Result<Wallet> {
        let name = self.key_name(from)?;
        let ks = self.keystore()?;
        if !ks.contains(&name) {
            bail!(
                "no key named `{name}` in {}: add one with `starminer keys add {name}` or import a mnemonic with `starminer keys import {name}`",
                ks.dir().display()
            );
        }
        let pass = passphrase(&format!("Passphrase for key `{name}`: "), false)?;
        let key = ks.load(&name, &pass)?;
        Wallet::new(self.client()?, key)
    }

    /// `name_or_address` as an address: a key name of the keystore, or a
    /// bech32 address as is.
    pub fn resolve_address(&self, name_or_address: &str) -> Result<String> {
        if name_or_address.starts_with(&format!("{}1", self.chain_config.prefix)) {
            return Ok(name_or_address.to_string());
        }
        let ks = self.keystore()?;
        if ks.contains(name_or_address) {
            return ks.info(name_or_address)?.address(&self.chain_config.prefix);
        }
        bail!(
            "`{name_or_address}` is neither a key (see `starminer keys list`) nor a {}1… address",
            self.chain_config.prefix
        )
    }

    /// Prints `value` as JSON when `--json` is on, else runs `human`.
    pub fn print<T: Serialize>(&self, value: &T, human: impl FnOnce(&T)) -> Result<()> {
        if self.json {
            println!("{}", serde_json::to_string_pretty(value)?);
        } else {
            human(value);
        }
        Ok(())
    }

    /// A spinner on stderr (hidden with `--json` or without a terminal).
    pub fn spinner(&self, msg: impl Into<String>) -> ProgressBar {
        let pb = if self.json || !std::io::stderr().is_terminal() {
            ProgressBar::hidden()
        } else {
            ProgressBar::new_spinner()
        };
        pb.set_style(
            ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        pb.set_message(msg.into());
        pb.enable_steady_tick(Duration::from_millis(120));
        pb
    }

    /// A progress line on stderr that survives the spinner.
    pub fn note(&self, msg: impl AsRef<str>) {
        if !self.json {
            eprintln!("{}", msg.as_ref());
        }
    }
}

pub fn default_home() -> PathBuf {
    if let Some(h) = std::env::var_os("STARMINER_HOME") {
        return PathBuf::from(h);
    }
    std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."))
        .join(".starminer")
}

/// The keystore passphrase: `$STARMINER_PASSPHRASE`, else asked on the
/// terminal (twice when `confirm`).
pub fn passphrase(prompt: &str, confirm: bool) -> Result<String> {
    if let Ok(p) = std::env::var(PASSPHRASE_ENV) {
        return Ok(p);
    }
    if !std::io::stdin().is_terminal() {
        bail!("a keystore passphrase is needed: set {PASSPHRASE_ENV} or run in a terminal");
    }
    let first = rpassword::prompt_password(prompt)?;
    if confirm {
        let again = rpassword::prompt_password("Repeat the passphrase: ")?;
        if again != first {
            bail!("the passphrases differ: try again");
        }
    }
    Ok(first)
}

/// A table with the given header, UTF-8 borders, content-width columns.
pub fn table(header: &[&str]) -> comfy_table::Table {
    let mut t = comfy_table::Table::new();
    t.load_preset(comfy_table::presets::UTF8_BORDERS_ONLY)
        .set_content_arrangement(comfy_table::ContentArrangement::Dynamic)
        .set_header(header.iter().copied());
    // A terminal sets the width; piped output keeps to $COLUMNS, else 100.
    if t.width().is_none() {
        let columns = std::env::var("COLUMNS")
            .ok()
            .and_then(|c| c.parse().ok())
            .unwrap_or(100);
        t.set_width(columns);
    }
    t
}

/// `path`, made absolute against the current directory.
pub fn absolute(path: &Path) -> PathBuf {
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|d| d.join(path))
            .unwrap_or_else(|_| path.to_path_buf())
    }
}
