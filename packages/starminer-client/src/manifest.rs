//! The deployment manifest: what has been deployed on which chain.
//!
//! One JSON file holds, per chain id, the deployer, the instantiate2
//! namespace, every contract's code id and checksum, every contract's
//! address, the digests of the setup messages already executed and the
//! templates registered. Deploying again reads it to skip what is done.
//!
//! ```json
//! { "chains": { "starminer-devnet-1": {
//!     "deployer": "starminer1…", "namespace": "starminer",
//!     "codes": { "job_market": { "code_id": 7, "checksum": "ab12…" } },
//!     "contracts": { "job_market": "starminer1…" },
//!     "executed": ["…sha256 of contract + msg…"],
//!     "templates": ["render.fractal"] } } }
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use anyhow::{anyhow, Context, Result};
use cosmwasm_std::Addr;
use serde::{Deserialize, Serialize};
use starminer_deploy::{Addresses, Contract};

/// A stored code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeRecord {
    pub code_id: u64,
    /// Hex sha256 of the wasm.
    pub checksum: String,
}

/// One chain's deployment.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainDeployment {
    pub deployer: String,
    pub namespace: String,
    /// By artifact name (`Contract::artifact()`, e.g. `job_market`).
    #[serde(default)]
    pub codes: BTreeMap<String, CodeRecord>,
    /// By artifact name.
    #[serde(default)]
    pub contracts: BTreeMap<String, String>,
    /// Hex sha256 digests of setup executes done (see [`execute_digest`]).
    #[serde(default)]
    pub executed: BTreeSet<String>,
    /// Template ids registered through governance.
    #[serde(default)]
    pub templates: BTreeSet<String>,
}

impl ChainDeployment {
    pub fn code(&self, c: Contract) -> Option<&CodeRecord> {
        self.codes.get(c.artifact())
    }

    pub fn contract(&self, c: Contract) -> Option<&str> {
        self.contracts.get(c.artifact()).map(String::as_str)
    }

    /// Every contract's address, once all are deployed.
    pub fn addresses(&self) -> Result<Addresses> {
        let get = |c: Contract| -> Result<Addr> {
            self.contract(c).map(Addr::unchecked).ok_or_else(|| {
                anyhow!(
                    "the manifest has no address for {}: run `starminer deploy` first",
                    c.label()
                )
            })
        };
        Ok(Addresses {
            amax: get(Contract::Amax)?,
            governance: get(Contract::Governance)?,
            agpu: get(Contract::Agpu)?,
            registry: get(Contract::Registry)?,
            pricing: get(Contract::Pricing)?,
            incentives: get(Contract::Incentives)?,
            job_market: get(Contract::JobMarket)?,
        })
    }

    /// Whether every contract has an address.
    pub fn is_complete(&self) -> bool {
        Contract::ORDER.iter().all(|c| self.contract(*c).is_some())
    }
}

/// Digest that identifies one setup execute (`contract` and `msg` JSON).
pub fn execute_digest(contract: &str, msg: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(contract.as_bytes());
    h.update([0u8]);
    h.update(msg);
    hex::encode(h.finalize())
}

/// Deployments by chain id.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub chains: BTreeMap<String, ChainDeployment>,
}

impl Manifest {
    /// Reads a manifest; a missing file is an empty manifest.
    pub fn load_or_default(path: impl AsRef<Path>) -> Result<Manifest> {
        let path = path.as_ref();
        if !path.exists() {
            return Ok(Manifest::default());
        }
        Manifest::load(path)
    }

    pub fn load(path: impl AsRef<Path>) -> Result<Manifest> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).with_context(|| {
            format!(
                "reading the manifest {}: deploy first (`starminer deploy`) or pass --manifest",
                path.display()
            )
        })?;
        serde_json::from_slice(&bytes)
            .with_context(|| format!("{} is not a StarMiner manifest", path.display()))
    }

    /// Writes atomically (a temporary file renamed over the old one).
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        let tmp = path.with_extension("json.tmp");
        std::fs::write(&tmp, serde_json::to_vec_pretty(self)?)
            .with_context(|| format!("writing {}", tmp.display()))?;
        std::fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))?;
        Ok(())
    }

    pub fn chain(&self, chain_id: &str) -> Result<&ChainDeployment> {
        self.chains.get(chain_id).ok_or_else(|| {
            anyhow!("the manifest has no deployment on `{chain_id}`: run `starminer deploy` for this chain")
        })
    }

    pub fn chain_mut(&mut self, chain_id: &str) -> &mut ChainDeployment {
        self.chains.entry(chain_id.to_string()).or_default()
    }

    /// The addresses of the complete deployment on `chain_id`.
    pub fn addresses(&self, chain_id: &str) -> Result<Addresses> {
        self.chain(chain_id)?.addresses()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn save_load_round_trip_and_missing_addresses_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/manifest.json");
        let mut m = Manifest::default();
        let d = m.chain_mut("c-1");
        d.deployer = "starminer1x".into();
        d.codes.insert(
            "job_market".into(),
            CodeRecord {
                code_id: 7,
                checksum: "ab".into(),
            },
        );
        d.contracts
            .insert("amax_token".into(), "starminer1a".into());
        d.executed.insert(execute_digest("x", b"{}"));
        m.save(&path).unwrap();
        let back = Manifest::load(&path).unwrap();
        assert_eq!(back, m);
        assert!(!back.chain("c-1").unwrap().is_complete());
        let err = back.addresses("c-1").unwrap_err().to_string();
        assert!(err.contains("starminer deploy"), "{err}");
        assert!(back.chain("other").is_err());
        assert_eq!(
            Manifest::load_or_default(dir.path().join("none.json")).unwrap(),
            Manifest::default()
        );
        assert_ne!(execute_digest("a", b"bc"), execute_digest("ab", b"c"));
    }
}
