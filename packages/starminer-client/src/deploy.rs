//! Deploying StarMiner on a chain through a [`Wallet`]: the deployment itself
//! is `starminer-deploy`'s ([`starminer_deploy::deploy`] over
//! [`DeployTarget`]); this module only implements the target for a real
//! chain, makes every step idempotent through the [`Manifest`], and registers
//! templates by governance proposal.
//!
//! Idempotence: a code whose checksum the manifest records (and the chain
//! still has) is not uploaded again; a contract whose predicted instantiate2
//! address already holds a contract is not instantiated again; a setup
//! execute whose digest the manifest records is skipped; templates already in
//! the job market are not proposed again. The manifest is saved after every
//! step, so an interrupted deployment resumes where it stopped.
//!
//! [`DeployTarget`] is synchronous; the target blocks on the async client
//! with `tokio::task::block_in_place`, so call [`deploy_contracts`] from a
//! multi-threaded tokio runtime.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context, Result};
use cosmwasm_std::{instantiate2_address, Addr, Binary, CanonicalAddr, Checksum};
use starminer_deploy::{plan, Contract, DeployConfig, DeployTarget, Deployment};
use starminer_interfaces::job_market::Template;

use crate::contracts::Starminer;
use crate::gov::{pass_proposal, ProposalStep};
use crate::manifest::{execute_digest, ChainDeployment, CodeRecord, Manifest};
use crate::upload::{prepare_upload, UploadSize};
use crate::wallet::Wallet;

/// What a deployment step did, for progress output.
#[derive(Clone, Debug)]
pub enum DeployStep {
    Stored {
        contract: Contract,
        code_id: u64,
        skipped: bool,
        /// The artifact's sizes against the node limits (when uploaded).
        upload: Option<UploadSize>,
    },
    Instantiated {
        contract: Contract,
        address: String,
        skipped: bool,
    },
    Executed {
        contract: String,
        skipped: bool,
    },
}

fn block_on<F: std::future::Future>(fut: F) -> F::Output {
    tokio::task::block_in_place(|| tokio::runtime::Handle::current().block_on(fut))
}

/// [`DeployTarget`] for a wallet on a chain, recording into a manifest.
pub struct ChainTarget<'a> {
    wallet: &'a Wallet,
    manifest: &'a mut Manifest,
    manifest_path: Option<PathBuf>,
    checksums: BTreeMap<u64, Checksum>,
    progress: Box<dyn FnMut(DeployStep) + 'a>,
}

impl<'a> ChainTarget<'a> {
    pub fn new(
        wallet: &'a Wallet,
        manifest: &'a mut Manifest,
        manifest_path: Option<&Path>,
        namespace: &str,
        progress: impl FnMut(DeployStep) + 'a,
    ) -> Result<Self> {
        let chain_id = wallet.chain().config().chain_id.clone();
        let d = manifest.chain_mut(&chain_id);
        if !d.deployer.is_empty() && (d.deployer != wallet.address() || d.namespace != namespace) {
            bail!(
                "the manifest's deployment on {chain_id} was made by {} in namespace `{}`: deploy with that key and namespace, or use another manifest (--manifest)",
                d.deployer,
                d.namespace
            );
        }
        d.deployer = wallet.address().to_string();
        d.namespace = namespace.to_string();
        Ok(ChainTarget {
            wallet,
            manifest,
            manifest_path: manifest_path.map(Path::to_path_buf),
            checksums: BTreeMap::new(),
            progress: Box::new(progress),
        })
    }

    fn record(&mut self, f: impl FnOnce(&mut ChainDeployment)) -> Result<()> {
        let chain_id = self.wallet.chain().config().chain_id.clone();
        f(self.manifest.chain_mut(&chain_id));
        if let Some(path) = &self.manifest_path {
            self.manifest.save(path)?;
        }
        Ok(())
    }

    fn deployment(&self) -> &ChainDeployment {
        let chain_id = &self.wallet.chain().config().chain_id;
        &self.manifest.chains[chain_id]
    }

    fn predicted_address(&self, code_id: u64, salt: &[u8]) -> Result<String> {
        let checksum = self
            .checksums
            .get(&code_id)
            .ok_or_else(|| anyhow!("code {code_id} was not stored by this deployment"))?;
        let (hrp, creator) = bech32::decode(self.wallet.address())?;
        let raw = instantiate2_address(checksum.as_slice(), &CanonicalAddr::from(creator), salt)
            .map_err(|e| anyhow!("instantiate2 address: {e}"))?;
        Ok(bech32::encode::<bech32::Bech32>(hrp, raw.as_slice())?)
    }
}

impl DeployTarget for ChainTarget<'_> {
    fn deployer(&self) -> Addr {
        Addr::unchecked(self.wallet.address())
    }

    fn store_code(&mut self, contract: Contract, wasm: &[u8]) -> Result<u64> {
        let checksum = Checksum::generate(wasm);
        if let Some(rec) = self.deployment().code(contract).cloned() {
            if rec.checksum == checksum.to_hex() {
                let on_chain = block_on(self.wallet.chain().code_checksum(rec.code_id))?;
                if on_chain.as_deref() == Some(checksum.as_slice()) {
                    self.checksums.insert(rec.code_id, checksum);
                    (self.progress)(DeployStep::Stored {
                        contract,
                        code_id: rec.code_id,
                        skipped: true,
                        upload: None,
                    });
                    return Ok(rec.code_id);
                }
            }
        }
        let (upload, size) = prepare_upload(wasm)
            .with_context(|| format!("uploading {}.wasm", contract.artifact()))?;
        let (code_id, _) = block_on(self.wallet.store_code(upload)).with_context(|| {
            format!(
                "uploading {}.wasm ({})",
                contract.artifact(),
                size.summary()
            )
        })?;
        self.checksums.insert(code_id, checksum);
        self.record(|d| {
            d.codes.insert(
                contract.artifact().to_string(),
                CodeRecord {
                    code_id,
                    checksum: checksum.to_hex(),
                },
            );
        })?;
        (self.progress)(DeployStep::Stored {
            contract,
            code_id,
            skipped: false,
            upload: Some(size),
        });
        Ok(code_id)
    }

    fn instantiate2(
        &mut self,
        code_id: u64,
        msg: Binary,
        label: &str,
        admin: &Addr,
        salt: &[u8],
    ) -> Result<Addr> {
        let contract = Contract::ORDER
            .into_iter()
            .find(|c| c.label() == label)
            .ok_or_else(|| anyhow!("unknown contract label {label}"))?;
        let predicted = self.predicted_address(code_id, salt)?;
        let existing = block_on(self.wallet.chain().contract_info(&predicted))?;
        let (address, skipped) = match existing {
            Some(info) if info.code_id == code_id => (predicted, true),
            Some(info) => bail!(
                "{predicted} already holds a contract of code {} (not {code_id}): deploy under another namespace",
                info.code_id
            ),
            None => {
                let (address, _) = block_on(self.wallet.instantiate2(
                    code_id,
                    msg.as_slice(),
                    label,
                    Some(admin.as_str()),
                    salt,
                    vec![],
                ))?;
                (address, false)
            }
        };
        self.record(|d| {
            d.contracts
                .insert(contract.artifact().to_string(), address.clone());
        })?;
        (self.progress)(DeployStep::Instantiated {
            contract,
            address: address.clone(),
            skipped,
        });
        Ok(Addr::unchecked(address))
    }

    fn execute(&mut self, contract: &Addr, msg: Binary) -> Result<()> {
        let digest = execute_digest(contract.as_str(), msg.as_slice());
        let skipped = self.deployment().executed.contains(&digest);
        if !skipped {
            let json: serde_json::Value = serde_json::from_slice(msg.as_slice())?;
            block_on(self.wallet.execute(contract.as_str(), &json, vec![]))?;
            self.record(|d| {
                d.executed.insert(digest);
            })?;
        }
        (self.progress)(DeployStep::Executed {
            contract: contract.to_string(),
            skipped,
        });
        Ok(())
    }
}

/// Reads `artifacts/<contract>.wasm`.
pub fn read_artifact(dir: &Path, contract: Contract) -> Result<Vec<u8>> {
    let path = dir.join(format!("{}.wasm", contract.artifact()));
    std::fs::read(&path).with_context(|| {
        format!(
            "reading {}: build the contracts with scripts/build-wasm.sh or pass --artifacts DIR",
            path.display()
        )
    })
}

/// Uploads, instantiates and wires every contract (skipping what is done),
/// recording into `manifest` (saved to `manifest_path` after every step).
/// Must run on a multi-threaded tokio runtime.
pub async fn deploy_contracts(
    wallet: &Wallet,
    artifacts: &Path,
    config: &DeployConfig,
    manifest: &mut Manifest,
    manifest_path: Option<&Path>,
    progress: impl FnMut(DeployStep) + Send,
) -> Result<Deployment> {
    wallet.chain().check_chain_id().await?;
    tokio::task::block_in_place(|| {
        let mut target =
            ChainTarget::new(wallet, manifest, manifest_path, &config.namespace, progress)?;
        starminer_deploy::deploy(&mut target, |c| read_artifact(artifacts, c), config)
    })
}

/// Registers the `templates` the job market does not have yet, by one
/// governance proposal that `wallet` passes alone (staking `stake` uamax if
/// it has none staked). Returns the ids registered (empty: nothing to do).
pub async fn register_templates(
    sm: &Starminer,
    wallet: &Wallet,
    templates: &[Template],
    stake: u128,
    manifest: &mut Manifest,
    manifest_path: Option<&Path>,
    progress: impl FnMut(ProposalStep),
) -> Result<Vec<String>> {
    let market = sm.job_market();
    let mut missing = Vec::new();
    for t in templates {
        if market.template(&t.id).await?.is_none() {
            missing.push(t.clone());
        }
    }
    let chain_id = sm.chain().config().chain_id.clone();
    if !missing.is_empty() {
        let ids: Vec<String> = missing.iter().map(|t| t.id.clone()).collect();
        let msgs = plan::register_templates_msgs(sm.addresses(), &missing);
        pass_proposal(
            sm,
            wallet,
            "Register job templates",
            &format!("Registers the templates {}", ids.join(", ")),
            msgs,
            stake,
            progress,
        )
        .await?;
        for id in &ids {
            if market.template(id).await?.is_none() {
                bail!("template {id} is still not registered after the proposal executed");
            }
        }
    }
    let d = manifest.chain_mut(&chain_id);
    let before = d.templates.len();
    d.templates.extend(templates.iter().map(|t| t.id.clone()));
    if d.templates.len() != before || !missing.is_empty() {
        if let Some(path) = manifest_path {
            manifest.save(path)?;
        }
    }
    Ok(missing.into_iter().map(|t| t.id).collect())
}
