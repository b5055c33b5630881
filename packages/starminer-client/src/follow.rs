//! Following the chain block by block: the heights of new blocks, in order
//! and without gaps, from the CometBFT WebSocket's `NewBlock` events while
//! it is up and from polling `/status` while it is not.
//!
//! A [`BlockFollower`] starts at the head, or at an earlier height to resume
//! after a restart ([`BlockFollower::resume_from`]); it hands out each height
//! once, and only once the chain reported a block at least that high. The
//! WebSocket is a low-latency signal, not the source of truth: heights it
//! skipped while reconnecting are still handed out, and a WebSocket that goes
//! quiet is dropped for polling and tried again later.
//!
//! Job events of committed transactions have their own subscription
//! ([`crate::subscribe`]).

use std::time::Duration;

use anyhow::{anyhow, Context, Result};
use futures_util::StreamExt;
use tendermint_rpc::event::EventData;
use tendermint_rpc::query::EventType;
use tendermint_rpc::{SubscriptionClient, WebSocketClient};
use tokio::sync::watch;

use crate::rpc::ChainClient;

/// Where a follower learns of new blocks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FollowSource {
    /// `NewBlock` events over the WebSocket.
    WebSocket,
    /// `/status` every poll interval.
    Polling,
}

/// Heights handed out and heights known: the gap-free part of a follower.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct HeightCursor {
    /// The next height to hand out; `None`: the first head seen.
    next: Option<u64>,
    /// The highest height the chain reported.
    head: u64,
}

impl HeightCursor {
    /// Records that the chain reached `height`.
    fn observe(&mut self, height: u64) {
        self.head = self.head.max(height);
        if self.next.is_none() && height > 0 {
            self.next = Some(height);
        }
    }

    /// The next height to hand out, if the chain reached it.
    fn take(&mut self) -> Option<u64> {
        let next = self.next?;
        if next > self.head {
            return None;
        }
        self.next = Some(next + 1);
        Some(next)
    }
}

/// An open `NewBlock` subscription.
struct BlockSubscription {
    client: WebSocketClient,
    driver: tokio::task::JoinHandle<Result<(), tendermint_rpc::Error>>,
    blocks: tendermint_rpc::Subscription,
}

impl BlockSubscription {
    async fn open(url: &str) -> Result<Self> {
        let (client, driver) = WebSocketClient::new(url)
            .await
            .with_context(|| format!("connecting to {url}"))?;
        let driver = tokio::spawn(driver.run());
        match client.subscribe(EventType::NewBlock.into()).await {
            Ok(blocks) => Ok(BlockSubscription {
                client,
                driver,
                blocks,
            }),
            Err(e) => {
                let _ = client.close();
                driver.abort();
                Err(anyhow!("subscribing to new blocks at {url}: {e}"))
            }
        }
    }

    /// The next block's height; an error once the subscription ended.
    async fn next_height(&mut self) -> Result<u64> {
        loop {
            match self.blocks.next().await {
                Some(Ok(event)) => {
                    if let EventData::NewBlock { block: Some(b), .. } = event.data {
                        return Ok(b.header.height.value());
                    }
                }
                Some(Err(e)) => return Err(anyhow!("WebSocket event error: {e}")),
                None => return Err(anyhow!("the WebSocket closed")),
            }
        }
    }

    fn close(self) {
        let _ = self.client.close();
        self.driver.abort();
    }
}

/// Follows the chain's blocks (see the module docs).
pub struct BlockFollower {
    chain: ChainClient,
    poll: Duration,
    /// `false`: never try the WebSocket (a node that does not serve it).
    websocket: bool,
    /// A WebSocket URL instead of the current endpoint's.
    websocket_url: Option<String>,
    cursor: HeightCursor,
    subscription: Option<BlockSubscription>,
    /// Polls left before the WebSocket is tried again.
    polls_until_retry: u32,
    /// When `/status` was last polled (polls are `poll` apart).
    last_poll: Option<tokio::time::Instant>,
}

impl BlockFollower {
    /// Polls before a dropped WebSocket is tried again.
    pub const POLLS_BETWEEN_RETRIES: u32 = 6;
    /// Poll intervals without a block after which a WebSocket counts as
    /// quiet and is dropped for polling.
    pub const QUIET_POLLS: u32 = 6;

    /// A follower that starts at the chain's current head and polls every
    /// `poll` while the WebSocket is down.
    pub fn new(chain: ChainClient, poll: Duration) -> Self {
        BlockFollower {
            chain,
            poll,
            websocket: true,
            websocket_url: None,
            cursor: HeightCursor::default(),
            subscription: None,
            polls_until_retry: 0,
            last_poll: None,
        }
    }

    /// Starts at `height` instead of the head: heights from `height` up to
    /// the head are handed out first (resuming after a restart).
    pub fn resume_from(mut self, height: u64) -> Self {
        self.cursor.next = Some(height.max(1));
        self
    }

    /// Polls only, never opening a WebSocket.
    pub fn polling_only(mut self) -> Self {
        self.websocket = false;
        self
    }

    /// Subscribes at `url` instead of the current RPC endpoint's
    /// `/websocket`.
    pub fn with_websocket_url(mut self, url: impl Into<String>) -> Self {
        self.websocket_url = Some(url.into());
        self
    }

    /// Where new blocks are learned of now.
    pub fn source(&self) -> FollowSource {
        if self.subscription.is_some() {
            FollowSource::WebSocket
        } else {
            FollowSource::Polling
        }
    }

    /// The highest height the chain reported so far (0 before the first).
    pub fn head(&self) -> u64 {
        self.cursor.head
    }

    /// The next block's height: the height after the one returned before
    /// (or the start height), once the chain has it. Waits as long as it
    /// takes; an unreachable chain is logged and polled again.
    pub async fn next_height(&mut self) -> u64 {
        loop {
            if let Some(height) = self.cursor.take() {
                return height;
            }
            self.learn().await;
        }
    }

    /// Waits for news of the chain's head from the WebSocket, or polls once.
    async fn learn(&mut self) {
        if self.subscription.is_none() && self.websocket && self.polls_until_retry == 0 {
            // The current endpoint's: after a failover, the live node's.
            let url = self
                .websocket_url
                .clone()
                .unwrap_or_else(|| self.chain.websocket_url());
            match BlockSubscription::open(&url).await {
                Ok(sub) => {
                    tracing::info!(%url, "following new blocks over the WebSocket");
                    self.subscription = Some(sub);
                    // Blocks committed while it was down: polled once.
                    self.poll_once().await;
                    return;
                }
                Err(e) => {
                    tracing::warn!("WebSocket unavailable ({e:#}); polling");
                    self.polls_until_retry = Self::POLLS_BETWEEN_RETRIES;
                }
            }
        }
        if let Some(sub) = self.subscription.as_mut() {
            let quiet = self.poll * Self::QUIET_POLLS;
            match tokio::time::timeout(quiet, sub.next_height()).await {
                Ok(Ok(height)) => {
                    self.cursor.observe(height);
                    return;
                }
                Ok(Err(e)) => tracing::warn!("{e:#}; polling"),
                Err(_) => tracing::warn!("no block over the WebSocket for {quiet:?}; polling"),
            }
            if let Some(sub) = self.subscription.take() {
                sub.close();
            }
            self.polls_until_retry = Self::POLLS_BETWEEN_RETRIES;
        }
        if let Some(last) = self.last_poll {
            tokio::time::sleep_until(last + self.poll).await;
        }
        self.last_poll = Some(tokio::time::Instant::now());
        self.poll_once().await;
        self.polls_until_retry = self.polls_until_retry.saturating_sub(1);
    }

    async fn poll_once(&mut self) {
        match self.chain.status().await {
            Ok(s) => self.cursor.observe(s.height),
            Err(e) => tracing::warn!("chain unreachable: {e:#}"),
        }
    }

    /// Publishes every new height on `tx` until every receiver is gone.
    pub async fn publish(mut self, tx: watch::Sender<u64>) {
        loop {
            tokio::select! {
                height = self.next_height() => {
                    if tx.send(height).is_err() {
                        break;
                    }
                }
                _ = tx.closed() => break,
            }
        }
        if let Some(sub) = self.subscription.take() {
            sub.close();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fresh_cursor_starts_at_the_first_head_seen() {
        let mut c = HeightCursor::default();
        assert_eq!(c.take(), None);
        c.observe(0);
        assert_eq!(c.take(), None, "height 0 is no block");
        c.observe(41);
        assert_eq!(c.take(), Some(41));
        assert_eq!(c.take(), None);
        c.observe(42);
        assert_eq!(c.take(), Some(42));
    }

    #[test]
    fn skipped_heights_are_handed_out_in_order() {
        let mut c = HeightCursor::default();
        c.observe(10);
        assert_eq!(c.take(), Some(10));
        c.observe(13);
        assert_eq!(
            std::iter::from_fn(|| c.take()).collect::<Vec<_>>(),
            [11, 12, 13]
        );
        // An older report (a lagging node after a failover) moves nothing back.
        c.observe(12);
        assert_eq!(c.take(), None);
        assert_eq!(c.head, 13);
    }

    #[test]
    fn a_resumed_cursor_catches_up_from_its_height() {
        let mut c = HeightCursor {
            next: Some(5),
            head: 0,
        };
        assert_eq!(c.take(), None, "nothing before the chain is seen");
        c.observe(7);
        assert_eq!(
            std::iter::from_fn(|| c.take()).collect::<Vec<_>>(),
            [5, 6, 7]
        );
    }
}
