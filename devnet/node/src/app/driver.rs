//! The application thread: the mempool, a block every interval, and the
//! requests of the interfaces (broadcast, query, mempool size), which reach
//! it over a channel through a [`NodeHandle`].

use std::collections::{HashMap, HashSet};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{anyhow, Result};
use cosmwasm_std::Decimal;
use tendermint::Time;
use tokio::sync::{broadcast, oneshot};

use super::blocks::BlockProducer;
use super::sigcache::{self, SigCache};
use super::{AppState, QueryAnswer, TxExec};
use crate::store::txindex::TxIndex;
use crate::store::{tx_hash, ChainDb, CommittedBlock};

/// How many transactions at most go into one block.
pub const MAX_BLOCK_TXS: usize = 20_000;
/// How many transactions the mempool holds at most: CometBFT's default
/// `mempool.size`. Past it a broadcast is refused ("mempool is full") and
/// the client retries, which bounds the queue, and so the latency and the
/// memory, of a chain offered more than it executes.
pub const MAX_MEMPOOL_TXS: usize = 5_000;
/// How a refusal for a full mempool begins, as CometBFT words it (clients
/// recognise it by this text).
pub const MEMPOOL_FULL: &str = "mempool is full";

/// The genesis document, with the app state.
pub type Genesis = tendermint::Genesis<AppState>;

/// A request to the application thread.
pub enum AppRequest {
    /// CheckTx and, when it passes, into the mempool.
    Broadcast {
        tx: Vec<u8>,
        reply: oneshot::Sender<std::result::Result<TxExec, String>>,
    },
    Query {
        path: String,
        data: Vec<u8>,
        height: u64,
        reply: oneshot::Sender<QueryAnswer>,
    },
    /// How many transactions wait in the mempool, and their total bytes.
    MempoolSize {
        reply: oneshot::Sender<(usize, usize)>,
    },
}

/// What the RPC server shares with the application thread.
#[derive(Clone)]
pub struct NodeHandle {
    pub requests: mpsc::Sender<AppRequest>,
    pub db: Arc<ChainDb>,
    pub index: Arc<TxIndex>,
    /// Signatures the RPC threads verified ahead of CheckTx.
    pub sigs: Arc<SigCache>,
    pub blocks: broadcast::Sender<Arc<CommittedBlock>>,
    pub genesis: Arc<Genesis>,
    pub validator: tendermint::validator::Info,
    pub rpc_addr: std::net::SocketAddr,
    /// The minimum gas price CheckTx asks for, in ustar per gas unit.
    pub min_gas_price: Decimal,
}

impl NodeHandle {
    pub async fn request<T>(
        &self,
        make: impl FnOnce(oneshot::Sender<T>) -> AppRequest,
    ) -> Result<T> {
        let (tx, rx) = oneshot::channel();
        self.requests
            .send(make(tx))
            .map_err(|_| anyhow!("the application has stopped"))?;
        rx.await.map_err(|_| anyhow!("the application has stopped"))
    }

    /// Broadcasts a transaction: its signatures are verified here, on the
    /// calling thread, then CheckTx runs on the application thread (which
    /// finds them verified) and a passing transaction enters the mempool.
    pub async fn broadcast(&self, tx: Vec<u8>) -> Result<std::result::Result<TxExec, String>> {
        sigcache::preverify(&self.db, self.genesis.chain_id.as_str(), &self.sigs, &tx);
        self.request(|reply| AppRequest::Broadcast { tx, reply })
            .await
    }
}

struct Mempool {
    txs: Vec<Vec<u8>>,
    hashes: HashSet<[u8; 32]>,
    /// Next sequence of each account with transactions waiting.
    next_sequence: HashMap<String, u64>,
    bytes: usize,
}

/// Runs the application thread until the request channel closes.
pub fn run_app_thread(
    mut chain: BlockProducer,
    requests: mpsc::Receiver<AppRequest>,
    blocks: broadcast::Sender<Arc<CommittedBlock>>,
    indexer: mpsc::SyncSender<Arc<CommittedBlock>>,
    interval: Duration,
) {
    let mut mempool = Mempool {
        txs: Vec::new(),
        hashes: HashSet::new(),
        next_sequence: HashMap::new(),
        bytes: 0,
    };
    let mut next_block = Instant::now() + interval;
    loop {
        let wait = next_block.saturating_duration_since(Instant::now());
        // A block that is due goes first: a steady stream of requests (queries
        // from many clients) must not starve block production.
        let next = if wait.is_zero() {
            Err(mpsc::RecvTimeoutError::Timeout)
        } else {
            requests.recv_timeout(wait)
        };
        match next {
            Ok(req) => handle_request(&mut chain, &mut mempool, req),
            Err(mpsc::RecvTimeoutError::Timeout) => {
                let take = mempool.txs.len().min(MAX_BLOCK_TXS);
                let txs: Vec<Vec<u8>> = mempool.txs.drain(..take).collect();
                for t in &txs {
                    mempool
                        .hashes
                        .remove(tx_hash(t).as_bytes().try_into().unwrap_or(&[0; 32]));
                    mempool.bytes -= t.len();
                }
                if mempool.txs.is_empty() {
                    mempool.next_sequence.clear();
                }
                let started = Instant::now();
                match chain.produce_block(txs, Time::now()) {
                    Ok(committed) => {
                        tracing::info!(
                            height = committed.block.block.header.height.value(),
                            txs = committed.txs.len(),
                            app_hash = %committed.block.block.header.app_hash,
                            took_ms = started.elapsed().as_millis() as u64,
                            "committed block"
                        );
                        let committed = Arc::new(committed);
                        if indexer.send(committed.clone()).is_err() {
                            // Queries by hash and event would stop seeing new
                            // transactions; the indexer logged why.
                            tracing::error!("the tx indexer stopped; stopping block production");
                            return;
                        }
                        let _ = blocks.send(committed);
                    }
                    Err(e) => {
                        // A failed commit leaves the database at the previous
                        // block; stopping is safer than diverging.
                        tracing::error!("block production failed: {e:#}");
                        return;
                    }
                }
                next_block += interval;
                let now = Instant::now();
                if next_block < now {
                    next_block = now + interval / 4;
                }
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => return,
        }
    }
}

fn handle_request(chain: &mut BlockProducer, mempool: &mut Mempool, req: AppRequest) {
    match req {
        AppRequest::Broadcast { tx, reply } => {
            let hash: [u8; 32] = tx_hash(&tx).as_bytes().try_into().unwrap_or([0; 32]);
            if mempool.hashes.contains(&hash) {
                let _ = reply.send(Err("tx already exists in cache".to_string()));
                return;
            }
            if mempool.txs.len() >= MAX_MEMPOOL_TXS {
                let _ = reply.send(Err(format!(
                    "{MEMPOOL_FULL}: number of txs {} (max: {MAX_MEMPOOL_TXS})",
                    mempool.txs.len()
                )));
                return;
            }
            let result = chain.app.check_tx(&tx, &mempool.next_sequence);
            if result.is_ok() {
                for (addr, seq) in &result.signer_sequences {
                    mempool.next_sequence.insert(addr.clone(), seq + 1);
                }
                mempool.bytes += tx.len();
                mempool.hashes.insert(hash);
                mempool.txs.push(tx);
            }
            let _ = reply.send(Ok(result));
        }
        AppRequest::Query {
            path,
            data,
            height,
            reply,
        } => {
            let _ = reply.send(chain.app.query(&path, &data, height));
        }
        AppRequest::MempoolSize { reply } => {
            let _ = reply.send((mempool.txs.len(), mempool.bytes));
        }
    }
}
