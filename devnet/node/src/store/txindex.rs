//! The transaction index: lookups by hash and by event, for `tx`,
//! `tx_search` and the tx service's `GetTx` / `GetTxsEvent`.
//!
//! Like CometBFT's indexer it runs beside consensus, not inside it: the
//! application thread commits a block (state, block, results, transactions
//! by position) and hands it to the indexer thread, which writes the index
//! into its own database, `data/txindex.redb`:
//!
//! | table       | key                               | value            |
//! |-------------|-----------------------------------|------------------|
//! | `by_hash`   | tx hash                           | (height, index)  |
//! | `by_event`  | (`type.key=value`, height, index) | empty            |
//! | `meta`      | `indexed_height`                  | u64              |
//!
//! Writing ~25 event keys per transaction was half of a loaded block's
//! commit; off the application thread it overlaps the next block.
//!
//! The index trails the chain by the time it takes to index one block.
//! Lookups go through [`TxIndex::settled`], which first waits until the index
//! has caught up with the chain's height at the time of the call, so a `tx`
//! query right after the commit event finds its transaction.
//! After a crash the index may be behind the chain (its writes are separate);
//! [`TxIndex::catch_up`] re-indexes the missing heights from the chain's
//! stored transactions when the node starts.

use std::path::Path;
use std::sync::mpsc;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use redb::{Database, ReadableTable, TableDefinition};
use tokio::sync::watch;

use super::CommittedBlock;
use super::{ChainDb, TxRecord};

const BY_HASH: TableDefinition<&[u8], (u64, u32)> = TableDefinition::new("by_hash");
const BY_EVENT: TableDefinition<(&str, u64, u32), ()> = TableDefinition::new("by_event");
const META: TableDefinition<&str, u64> = TableDefinition::new("meta");
const META_INDEXED: &str = "indexed_height";

/// The index database's page cache.
const CACHE_BYTES: usize = 64 * 1024 * 1024;
/// Blocks the application thread may hand over before it waits for the indexer.
const QUEUE_BLOCKS: usize = 8;
/// How long [`TxIndex::settled`] waits for the indexer before answering from what it has.
const SETTLE_TIMEOUT: Duration = Duration::from_secs(10);

/// The strings a transaction's events are indexed under: `type.key=value`.
pub fn event_index_keys(events: &[tendermint::abci::Event]) -> Vec<String> {
    let mut keys = Vec::new();
    for e in events {
        for a in &e.attributes {
            if let (Ok(k), Ok(v)) = (a.key_str(), a.value_str()) {
                keys.push(format!("{}.{}={}", e.kind, k, v));
            }
        }
    }
    keys.sort();
    keys.dedup();
    keys
}

/// The index database and the height it has reached.
pub struct TxIndex {
    db: Database,
    chain: Arc<ChainDb>,
    indexed: watch::Sender<u64>,
}

impl TxIndex {
    /// Opens (or creates) the index at `path` over `chain`'s transactions.
    pub fn open(path: &Path, chain: Arc<ChainDb>) -> Result<Arc<Self>> {
        let db = Database::builder()
            .set_cache_size(CACHE_BYTES)
            .create(path)
            .with_context(|| format!("opening {}", path.display()))?;
        let wtx = db.begin_write()?;
        let indexed = {
            wtx.open_table(BY_HASH)?;
            wtx.open_table(BY_EVENT)?;
            let meta = wtx.open_table(META)?;
            let h = meta.get(META_INDEXED)?.map_or(0, |v| v.value());
            h
        };
        wtx.commit()?;
        let chain_height = chain.latest_height()?.unwrap_or(0);
        let indexed = if indexed > chain_height {
            // An index ahead of its chain belongs to another chain (the home
            // was re-created without it): start over.
            tracing::warn!(
                indexed,
                chain_height,
                "the tx index is ahead of the chain; rebuilding it"
            );
            let wtx = db.begin_write()?;
            wtx.delete_table(BY_HASH)?;
            wtx.delete_table(BY_EVENT)?;
            wtx.open_table(BY_HASH)?;
            wtx.open_table(BY_EVENT)?;
            wtx.open_table(META)?.insert(META_INDEXED, 0)?;
            wtx.commit()?;
            0
        } else {
            indexed
        };
        Ok(Arc::new(TxIndex {
            db,
            chain,
            indexed: watch::channel(indexed).0,
        }))
    }

    /// The last height whose transactions are indexed.
    pub fn indexed_height(&self) -> u64 {
        *self.indexed.borrow()
    }

    /// Indexes `blocks` (consecutive heights, each with its transactions) in one write.
    fn index(&self, blocks: &[(u64, &[TxRecord])]) -> Result<()> {
        let Some(&(last, _)) = blocks.last() else {
            return Ok(());
        };
        let wtx = self.db.begin_write()?;
        {
            let mut by_hash = wtx.open_table(BY_HASH)?;
            let mut by_event = wtx.open_table(BY_EVENT)?;
            // Inserted in key order: neighbouring inserts share B-tree pages.
            let mut hashes: Vec<(&[u8], (u64, u32))> = Vec::new();
            let mut keys: Vec<(String, u64, u32)> = Vec::new();
            for (_, txs) in blocks {
                for tx in txs.iter() {
                    hashes.push((tx.hash.as_bytes(), (tx.height, tx.index)));
                    for k in event_index_keys(&tx.result.events) {
                        keys.push((k, tx.height, tx.index));
                    }
                }
            }
            hashes.sort_unstable();
            for (hash, pos) in hashes {
                by_hash.insert(hash, pos)?;
            }
            keys.sort_unstable();
            for (k, height, index) in &keys {
                by_event.insert((k.as_str(), *height, *index), ())?;
            }
            wtx.open_table(META)?.insert(META_INDEXED, last)?;
        }
        wtx.commit()?;
        self.indexed.send_replace(last);
        Ok(())
    }

    /// Indexes every committed height above the indexed one, reading the
    /// transactions back from the chain.
    pub fn catch_up(&self) -> Result<()> {
        let target = self.chain.latest_height()?.unwrap_or(0);
        let mut next = self.indexed_height() + 1;
        while next <= target {
            // A bounded batch of heights per write.
            let to = (next + 63).min(target);
            let txs = self.chain.txs_in(next, to)?;
            let mut blocks: Vec<(u64, &[TxRecord])> = Vec::new();
            let mut start = 0;
            for h in next..=to {
                let end = start + txs[start..].iter().take_while(|t| t.height == h).count();
                blocks.push((h, &txs[start..end]));
                start = end;
            }
            self.index(&blocks)?;
            next = to + 1;
        }
        Ok(())
    }

    /// The lookups, once the index covers the chain's height at the time of
    /// the call (waiting at most 10 s, then answering from what is indexed).
    pub async fn settled(&self) -> Settled<'_> {
        if let Ok(Some(target)) = self.chain.latest_height() {
            let mut rx = self.indexed.subscribe();
            if tokio::time::timeout(SETTLE_TIMEOUT, rx.wait_for(|h| *h >= target))
                .await
                .is_err()
            {
                tracing::warn!(
                    target,
                    indexed = self.indexed_height(),
                    "the tx index is behind the chain; answering from what it holds"
                );
            }
        }
        Settled(self)
    }
}

/// Lookups in a [`TxIndex`] that has caught up with the chain ([`TxIndex::settled`]).
pub struct Settled<'a>(&'a TxIndex);

impl Settled<'_> {
    /// The position of a transaction by hash.
    pub fn position(&self, hash: &[u8]) -> Result<Option<(u64, u32)>> {
        let rtx = self.0.db.begin_read()?;
        let t = rtx.open_table(BY_HASH)?;
        Ok(t.get(hash)?.map(|v| v.value()))
    }

    /// A transaction by hash.
    pub fn tx(&self, hash: &[u8]) -> Result<Option<TxRecord>> {
        match self.position(hash)? {
            Some((h, i)) => self.0.chain.tx_at(h, i),
            None => Ok(None),
        }
    }

    /// Positions of transactions indexed under `type.key=value`, in chain order.
    pub fn positions_by_event(&self, index_key: &str) -> Result<Vec<(u64, u32)>> {
        let rtx = self.0.db.begin_read()?;
        let t = rtx.open_table(BY_EVENT)?;
        let mut out = Vec::new();
        for entry in t.range((index_key, 0u64, 0u32)..=(index_key, u64::MAX, u32::MAX))? {
            let (k, _) = entry?;
            let (_, h, i) = k.value();
            out.push((h, i));
        }
        Ok(out)
    }
}

/// Starts the indexer thread: it first catches up with the chain, then
/// indexes each block the returned sender hands it (several at once when it
/// falls behind). The sender blocks when the indexer is 8 blocks behind.
pub fn spawn_indexer(index: Arc<TxIndex>) -> Result<mpsc::SyncSender<Arc<CommittedBlock>>> {
    let (tx, rx) = mpsc::sync_channel::<Arc<CommittedBlock>>(QUEUE_BLOCKS);
    std::thread::Builder::new()
        .name("indexer".to_string())
        .spawn(move || {
            if let Err(e) = index.catch_up() {
                tracing::error!("indexing the chain's stored transactions failed: {e:#}");
                return;
            }
            while let Ok(first) = rx.recv() {
                let mut batch = vec![first];
                batch.extend(rx.try_iter());
                let indexed = index.indexed_height();
                let first_height = batch[0].block.block.header.height.value();
                let result = if first_height > indexed + 1 {
                    // A gap (blocks committed while catching up): read back from the chain.
                    index.catch_up()
                } else {
                    let blocks: Vec<(u64, &[TxRecord])> = batch
                        .iter()
                        .map(|b| (b.block.block.header.height.value(), b.txs.as_slice()))
                        .filter(|(h, _)| *h > indexed)
                        .collect();
                    index.index(&blocks)
                };
                if let Err(e) = result {
                    tracing::error!("indexing transactions failed: {e:#}");
                    return;
                }
            }
        })?;
    Ok(tx)
}
