//! Live job-lifecycle events over the CometBFT WebSocket (`/websocket`):
//! a subscription to the transactions that ran a job market, whose
//! `wasm-job` events are decoded into [`JobEvent`]s as blocks commit.
//!
//! A subscription is a convenience for low latency; it can miss events while
//! disconnected, so a follower that must not miss any also reads the job's
//! on-chain history (`JobMarket::job`) after reconnecting.

use anyhow::{anyhow, Context, Result};
use futures_util::StreamExt;
use tendermint_rpc::event::EventData;
use tendermint_rpc::query::{EventType, Query};
use tendermint_rpc::{SubscriptionClient, WebSocketClient};

use crate::config::ChainConfig;
use crate::events::JobEvent;
use crate::rpc::TxEvent;

/// Job events of one committed transaction.
#[derive(Clone, Debug)]
pub struct JobEventBatch {
    pub height: u64,
    pub events: Vec<JobEvent>,
}

/// An open subscription to one job market's events.
pub struct JobEventSubscription {
    client: WebSocketClient,
    driver: tokio::task::JoinHandle<Result<(), tendermint_rpc::Error>>,
    subscription: tendermint_rpc::Subscription,
    job_market: String,
}

impl JobEventSubscription {
    /// Connects to the chain's WebSocket and subscribes to the transactions
    /// with job events of `job_market`.
    pub async fn open(config: &ChainConfig, job_market: &str) -> Result<Self> {
        let url = config.websocket_url();
        let (client, driver) = WebSocketClient::new(url.as_str())
            .await
            .with_context(|| format!("connecting to {url}"))?;
        let driver = tokio::spawn(driver.run());
        // Every transaction that runs the job market carries its `wasm`
        // event; the `wasm-job` events are picked out below. (Queries on
        // `wasm-job.…` itself would be tighter, but tendermint-rs' query
        // grammar, which the devnet parses with, has no '-' in keys.)
        let query =
            Query::from(EventType::Tx).and_eq("wasm._contract_address", job_market.to_string());
        let subscription = client
            .subscribe(query)
            .await
            .with_context(|| format!("subscribing to the job events of {job_market}"))?;
        Ok(JobEventSubscription {
            client,
            driver,
            subscription,
            job_market: job_market.to_string(),
        })
    }

    /// The next transaction's job events; `None` once the connection closed.
    pub async fn next(&mut self) -> Option<Result<JobEventBatch>> {
        loop {
            let event = match self.subscription.next().await? {
                Ok(e) => e,
                Err(e) => return Some(Err(anyhow!("job event subscription: {e}"))),
            };
            let EventData::Tx { tx_result } = event.data else {
                continue;
            };
            let events: Vec<JobEvent> = tx_result
                .result
                .events
                .iter()
                .map(TxEvent::from)
                .filter_map(|e| JobEvent::from_tx_event(&e))
                .filter(|e| e.contract == self.job_market)
                .collect();
            if !events.is_empty() {
                return Some(Ok(JobEventBatch {
                    height: u64::try_from(tx_result.height).unwrap_or(0),
                    events,
                }));
            }
        }
    }

    /// Unsubscribes and closes the connection.
    pub async fn close(self) {
        let _ = self.client.close();
        let _ = self.driver.await;
    }
}
