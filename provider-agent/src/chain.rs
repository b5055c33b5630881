//! The agent's view of the chain, on the SDK (`starminer-client`): one
//! signing wallet, the typed contract clients of the deployment named by the
//! manifest, and the few queries and messages the agent sends. Nothing here
//! signs or encodes a transaction itself.

use std::time::Duration;

use anyhow::{Context, Result};
use futures_util::StreamExt;
use starminer_client::{
    collect_pages, ChainClient, ChainConfig, Key, Manifest, Page, Starminer, TxOutcome, Wallet,
    MAX_PAGE,
};
use starminer_interfaces::job_market::{self as jm, Job, JobStatus};
use starminer_interfaces::registry::{self as reg, Provider};
use tokio::sync::watch;

use crate::config::AgentConfig;

/// A connected, signing agent.
#[derive(Clone)]
pub struct AgentChain {
    pub sm: Starminer,
    pub wallet: Wallet,
}

/// The SDK's chain settings from the agent's `[chain]` section.
pub fn chain_config(config: &AgentConfig) -> Result<ChainConfig> {
    let mut c = ChainConfig::devnet_at(&config.chain.rpc);
    c.rpc_fallbacks = config.chain.rpc_fallbacks.clone();
    c.chain_id = config.chain.chain_id.clone();
    c.prefix = config.chain.prefix.clone();
    c.fee_denom = config.chain.fee_denom.clone();
    c.gas_price = config
        .chain
        .gas_price
        .parse()
        .with_context(|| format!("chain.gas_price `{}`", config.chain.gas_price))?;
    c.validate()?;
    Ok(c)
}

/// The key of the agent's account, read from `key_file` (a mnemonic).
pub fn load_key(config: &AgentConfig) -> Result<Key> {
    let path = &config.provider.key_file;
    let mnemonic = std::fs::read_to_string(path).with_context(|| {
        format!(
            "reading the key {} (create it with `starminer-agent init`)",
            path.display()
        )
    })?;
    Key::from_mnemonic(mnemonic.trim()).with_context(|| format!("the key in {}", path.display()))
}

impl AgentChain {
    pub fn connect(config: &AgentConfig) -> Result<AgentChain> {
        let chain = ChainClient::new(chain_config(config)?)?;
        let manifest = Manifest::load(&config.chain.manifest).with_context(|| {
            format!(
                "the deployment manifest {} (chain.manifest)",
                config.chain.manifest.display()
            )
        })?;
        let sm = Starminer::from_manifest(chain.clone(), &manifest)?;
        let wallet = Wallet::new(chain, load_key(config)?)?;
        Ok(AgentChain { sm, wallet })
    }

    pub fn address(&self) -> &str {
        self.wallet.address()
    }

    pub fn chain(&self) -> &ChainClient {
        self.sm.chain()
    }

    pub async fn market(&self, msg: &jm::ExecuteMsg) -> Result<TxOutcome> {
        self.sm.job_market().execute(&self.wallet, msg).await
    }

    pub async fn registry(&self, msg: &reg::ExecuteMsg) -> Result<TxOutcome> {
        self.sm.registry().execute(&self.wallet, msg).await
    }

    pub async fn job(&self, job_id: u64) -> Result<Job> {
        Ok(self.sm.job_market().job(job_id).await?.job)
    }

    /// The market's lease rule (urgency factors, shortest lease).
    pub async fn lease_rule(&self) -> Result<crate::filter::LeaseRule> {
        let params = self.sm.job_market().config().await?.params;
        Ok(crate::filter::LeaseRule {
            factors: params.lease_factors,
            min_seconds: params.min_lease_seconds,
        })
    }

    pub async fn template(&self, id: &str) -> Result<Option<jm::Template>> {
        self.sm.job_market().template(id).await
    }

    /// This agent's registry record (`None`: not registered).
    pub async fn me(&self) -> Result<Option<Provider>> {
        self.sm.registry().provider(self.address()).await
    }

    /// Open jobs, oldest first, at most `max`.
    pub async fn open_jobs(&self, max: usize) -> Result<Vec<Job>> {
        collect_pages(Some(max), |start_after| async move {
            let page: jm::JobsResponse = self
                .sm
                .job_market()
                .query(&jm::QueryMsg::JobsByStatus {
                    status: JobStatus::Open,
                    start_after,
                    limit: Some(MAX_PAGE),
                })
                .await?;
            Ok(Page::after_last(page.jobs, MAX_PAGE, |j| j.id))
        })
        .await
    }

    /// Jobs the market indexes under this agent's address
    /// (`JobsByProvider`), in every status.
    pub async fn my_jobs(&self) -> Result<Vec<Job>> {
        collect_pages(None, |start_after| async move {
            let page: jm::JobsResponse = self
                .sm
                .job_market()
                .query(&jm::QueryMsg::JobsByProvider {
                    provider: self.address().to_string(),
                    start_after,
                    limit: Some(MAX_PAGE),
                })
                .await?;
            Ok(Page::after_last(page.jobs, MAX_PAGE, |j| j.id))
        })
        .await
    }

    /// Routes that let this agent's zone take other zones' jobs.
    pub async fn spill_routes(&self, zone: &str) -> Result<Vec<jm::SpilloverEntry>> {
        let r: jm::SpilloverResponse = self
            .sm
            .job_market()
            .query(&jm::QueryMsg::Spillover {
                to: zone.to_string(),
                start_after: None,
                limit: Some(MAX_PAGE),
            })
            .await?;
        Ok(r.routes)
    }

    /// Jobs where this agent is a verifier or dispute voter and still owes
    /// a verdict.
    pub async fn pending_verifier_tasks(&self) -> Result<Vec<jm::VerifierTask>> {
        let tasks = collect_pages(None, |start_after| async move {
            let page: jm::VerifierTasksResponse = self
                .sm
                .job_market()
                .query(&jm::QueryMsg::VerifierTasks {
                    address: self.address().to_string(),
                    start_after,
                    limit: Some(MAX_PAGE),
                })
                .await?;
            Ok(Page::after_last(page.tasks, MAX_PAGE, |t| t.job_id))
        })
        .await?;
        Ok(tasks.into_iter().filter(|t| t.pending).collect())
    }

    /// Every registered address with the provider role active.
    pub async fn providers(&self) -> Result<Vec<Provider>> {
        collect_pages(None, |start_after| async move {
            let page: reg::ProvidersResponse = self
                .sm
                .registry()
                .query(&reg::QueryMsg::ProvidersByRole {
                    role: reg::Role::Provider,
                    start_after,
                    limit: Some(MAX_PAGE),
                })
                .await?;
            Ok(Page::after_last(page.providers, MAX_PAGE, |p| {
                p.address.to_string()
            }))
        })
        .await
    }

    pub async fn benchmark_challenge(&self, id: u64) -> Result<reg::Challenge> {
        self.sm
            .registry()
            .query(&reg::QueryMsg::Challenge { challenge_id: id })
            .await
    }

    /// Latest height and block time (unix seconds).
    pub async fn head(&self) -> Result<(u64, u64)> {
        let s = self.chain().status().await?;
        Ok((s.height, s.time))
    }
}

/// Follows new blocks: a NewBlock subscription on the node's WebSocket,
/// falling back to polling the RPC every `poll` while the WebSocket is down
/// (and retrying it). Publishes the latest height on `tx`; returns when every
/// receiver is gone.
pub async fn follow_blocks(chain: ChainClient, poll: Duration, tx: watch::Sender<u64>) {
    use tendermint_rpc::{SubscriptionClient, WebSocketClient};
    loop {
        if tx.is_closed() {
            return;
        }
        // The current endpoint's: after a failover, the live node's.
        let url = chain.websocket_url();
        match WebSocketClient::new(url.as_str()).await {
            Ok((client, driver)) => {
                let driver = tokio::spawn(driver.run());
                match client
                    .subscribe(tendermint_rpc::query::EventType::NewBlock.into())
                    .await
                {
                    Ok(mut blocks) => {
                        tracing::info!(%url, "following new blocks over the WebSocket");
                        loop {
                            let next = tokio::time::timeout(poll * 6, blocks.next()).await;
                            match next {
                                Ok(Some(Ok(ev))) => {
                                    if let tendermint_rpc::event::EventData::NewBlock {
                                        block: Some(b),
                                        ..
                                    } = ev.data
                                    {
                                        if tx.send(b.header.height.value()).is_err() {
                                            return;
                                        }
                                    }
                                }
                                Ok(Some(Err(e))) => {
                                    tracing::warn!("WebSocket event error: {e}");
                                    break;
                                }
                                Ok(None) => break,
                                Err(_) => {
                                    tracing::warn!("no block over the WebSocket for a while");
                                    break;
                                }
                            }
                        }
                    }
                    Err(e) => tracing::warn!("subscribing to new blocks: {e}"),
                }
                let _ = client.close();
                driver.abort();
            }
            Err(e) => tracing::warn!(%url, "WebSocket unavailable ({e}); polling"),
        }
        // Poll for a while before trying the WebSocket again.
        for _ in 0..6 {
            match chain.status().await {
                Ok(s) => {
                    if tx.send(s.height).is_err() {
                        return;
                    }
                }
                Err(e) => tracing::warn!("chain unreachable: {e:#}"),
            }
            tokio::time::sleep(poll).await;
        }
    }
}
