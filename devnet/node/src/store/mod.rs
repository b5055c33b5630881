//! The store: the node's durable, versioned, authenticated state and its
//! block log, with [`proofs`] (ICS-23 proofs of its reads) and [`txindex`]
//! (transactions by hash and by event). It imports nothing of the layers
//! above; the modules keep their state under its keys (`acc/`, `bank/`,
//! `wasm/`, and the `ibc` substore).
//!
//! One redb database holds everything a block commits:
//!
//! | table        | key                          | value                                   |
//! |--------------|------------------------------|-----------------------------------------|
//! | `jmt_nodes`  | borsh `NodeKey`              | borsh `Node` of the Jellyfish Merkle tree |
//! | `state`      | (state key, version)         | `1 ‖ value`, or `0` for a deletion      |
//! | `preimages`  | sha256(state key)            | the state key                           |
//! | `sub_nodes`  | (substore, borsh `NodeKey`)  | borsh `Node` of a substore's tree       |
//! | `sub_preimages` | (substore, sha256(inner key)) | the state key                       |
//! | `meta`       | name                         | format, latest height, app hash, genesis |
//! | `blocks`     | height                       | size ‖ framed protobuf `BlockId`, `Block`, `Commit` |
//! | `results`    | height                       | protobuf `ResponseFinalizeBlock` without its tx results |
//! | `tx_by_pos`  | (height, index)              | framed tx bytes ‖ protobuf `ExecTxResult` |
//!
//! Records are CometBFT's protobufs (v0.38): encoding a block of thousands
//! of transactions as protobuf costs a fraction of what JSON did, and the
//! RPC turns them back into the same domain types. The lookups by hash and
//! by event live in a separate database that a background thread fills
//! ([`txindex`]), as CometBFT's indexer does.
//!
//! The version of the tree is the block height (genesis is version 0); the
//! app hash is the tree's root.
//!
//! Substores. The keys of a module whose state other chains verify (IBC,
//! whose paths must be proven under a commitment prefix) live in a tree of
//! their own: a key `ibc/<path>` is stored at `<path>` in the `ibc`
//! substore, and the main tree holds the substore's root under the key
//! `ibc`. A proof of such a key is two ICS-23 proofs, as on an SDK chain:
//! the path in the substore, then the substore's root in the main tree.
//! A substore's tree is written every block from the first block that puts
//! a key into it; until then it is empty and its root is absent from the
//! main tree (so a chain that never used it keeps its app hashes). A block's state writes, tree nodes, block,
//! results and transactions go into one write transaction, so a crash at any
//! point either keeps the whole block or none of it.
//!
//! [`WorkingState`] is what the wasm host runs on: the committed state at the
//! latest version plus a block overlay and a transaction overlay, implementing
//! the host's [`KvStore`].

pub mod proofs;
pub mod txindex;

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::ops::Bound;
use std::path::Path;
use std::rc::Rc;
use std::sync::Arc;

use anyhow::{anyhow, Context, Result};
use cosmwasm_std::{Order, Record};
use jmt::storage::{LeafNode, Node, NodeKey, TreeReader};
use jmt::{KeyHash, OwnedValue, RootHash, Sha256Jmt, Version};
use prost_tm::Message;
use redb::{Database, ReadOnlyTable, TableDefinition};
use sha2::{Digest, Sha256};
use starminer_wasm_host::{KeyRange, KvStore};
use tendermint::{abci, Hash};
use tendermint_proto::v0_38 as pb;

const JMT_NODES: TableDefinition<&[u8], &[u8]> = TableDefinition::new("jmt_nodes");
const STATE: TableDefinition<(&[u8], u64), &[u8]> = TableDefinition::new("state");
const PREIMAGES: TableDefinition<&[u8], &[u8]> = TableDefinition::new("preimages");
const SUB_NODES: TableDefinition<(&str, &[u8]), &[u8]> = TableDefinition::new("sub_nodes");
const SUB_PREIMAGES: TableDefinition<(&str, &[u8]), &[u8]> = TableDefinition::new("sub_preimages");

/// The substores: modules whose keys (`<name>/<inner key>`) are committed
/// in a tree of their own, whose root the main tree holds under `<name>`.
pub const SUBSTORES: &[&str] = &["ibc"];

/// The substore a state key belongs to, with its key inside it.
pub fn substore_of(key: &[u8]) -> Option<(&'static str, &[u8])> {
    SUBSTORES.iter().find_map(|name| {
        key.strip_prefix(name.as_bytes())
            .and_then(|rest| rest.strip_prefix(b"/"))
            .map(|inner| (*name, inner))
    })
}

fn meta_sub_start(name: &str) -> String {
    format!("substore_start/{name}")
}
const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");
const BLOCKS: TableDefinition<u64, &[u8]> = TableDefinition::new("blocks");
const RESULTS: TableDefinition<u64, &[u8]> = TableDefinition::new("results");
const TX_BY_POS: TableDefinition<(u64, u32), &[u8]> = TableDefinition::new("tx_by_pos");

/// The database's page cache.
const DB_CACHE_BYTES: usize = 128 * 1024 * 1024;

/// The layout of the tables above; a database of another layout is refused.
const FORMAT: u64 = 2;

const META_FORMAT: &str = "format";
const META_HEIGHT: &str = "latest_height";
const META_APP_HASH: &str = "latest_app_hash";
const META_GENESIS: &str = "genesis";

/// Pending writes: `Some(value)` sets, `None` deletes.
pub type WriteSet = BTreeMap<Vec<u8>, Option<Vec<u8>>>;

/// A committed block with the commit that signs it (CometBFT's "seen commit").
#[derive(Clone, Debug)]
pub struct StoredBlock {
    pub block_id: tendermint::block::Id,
    pub block: tendermint::Block,
    pub commit: tendermint::block::Commit,
    /// Size of the protobuf-encoded block.
    pub size: u64,
}

/// A delivered transaction and its result, as `/tx` returns it.
#[derive(Clone, Debug)]
pub struct TxRecord {
    pub hash: tendermint::Hash,
    pub height: u64,
    pub index: u32,
    pub tx: Vec<u8>,
    pub result: tendermint::abci::types::ExecTxResult,
}

/// Appends a 4-byte big-endian length and `part`.
fn put_frame(out: &mut Vec<u8>, part: &[u8]) {
    out.extend_from_slice(&(part.len() as u32).to_be_bytes());
    out.extend_from_slice(part);
}

/// Splits one frame off the front of `raw`.
fn take_frame<'a>(raw: &mut &'a [u8]) -> Result<&'a [u8]> {
    let (len, rest) = raw
        .split_first_chunk::<4>()
        .ok_or_else(|| anyhow!("stored record truncated"))?;
    let len = u32::from_be_bytes(*len) as usize;
    if rest.len() < len {
        return Err(anyhow!("stored record truncated"));
    }
    let (part, rest) = rest.split_at(len);
    *raw = rest;
    Ok(part)
}

impl StoredBlock {
    /// `block_proto`: the block's protobuf encoding, which the producer has.
    fn encode(&self, block_proto: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(block_proto.len() + 512);
        out.extend_from_slice(&self.size.to_be_bytes());
        put_frame(
            &mut out,
            &pb::types::BlockId::from(self.block_id).encode_to_vec(),
        );
        put_frame(&mut out, block_proto);
        put_frame(
            &mut out,
            &pb::types::Commit::from(self.commit.clone()).encode_to_vec(),
        );
        out
    }

    fn decode(raw: &[u8]) -> Result<Self> {
        let (size, mut rest) = raw
            .split_first_chunk::<8>()
            .ok_or_else(|| anyhow!("stored block truncated"))?;
        let block_id = pb::types::BlockId::decode(take_frame(&mut rest)?)?;
        let block = pb::types::Block::decode(take_frame(&mut rest)?)?;
        let commit = pb::types::Commit::decode(take_frame(&mut rest)?)?;
        Ok(StoredBlock {
            block_id: block_id.try_into().context("stored block id")?,
            block: block.try_into().context("stored block")?,
            commit: commit.try_into().context("stored commit")?,
            size: u64::from_be_bytes(*size),
        })
    }
}

impl TxRecord {
    fn encode(&self) -> Vec<u8> {
        let result = pb::abci::ExecTxResult::from(self.result.clone());
        let mut out = Vec::with_capacity(self.tx.len() + result.encoded_len() + 4);
        put_frame(&mut out, &self.tx);
        result.encode(&mut out).expect("a Vec grows");
        out
    }

    fn decode(height: u64, index: u32, raw: &[u8]) -> Result<Self> {
        let mut rest = raw;
        let tx = take_frame(&mut rest)?.to_vec();
        let result = pb::abci::ExecTxResult::decode(rest)?
            .try_into()
            .context("stored tx result")?;
        Ok(TxRecord {
            hash: tx_hash(&tx),
            height,
            index,
            tx,
            result,
        })
    }
}

/// Everything one block commits, written atomically by [`ChainDb::commit_block`].
pub struct BlockCommit<'a> {
    pub height: u64,
    pub writes: WriteSet,
    pub block: &'a StoredBlock,
    /// `block.block` as protobuf (`pb::types::Block`).
    pub block_proto: &'a [u8],
    /// The `FinalizeBlock` response without its tx results (they are in
    /// `txs`); its app hash is filled in by the commit.
    pub results: &'a tendermint::abci::response::FinalizeBlock,
    pub txs: &'a [TxRecord],
}

/// The database: state tree, block log and indexes.
pub struct ChainDb {
    db: Database,
}

fn key_hash(key: &[u8]) -> KeyHash {
    KeyHash::with::<Sha256>(key)
}

fn encode_value(v: Option<&[u8]>) -> Vec<u8> {
    match v {
        Some(v) => {
            let mut out = Vec::with_capacity(v.len() + 1);
            out.push(1);
            out.extend_from_slice(v);
            out
        }
        None => vec![0],
    }
}

fn decode_value(raw: &[u8]) -> Option<Vec<u8>> {
    match raw.split_first() {
        Some((1, rest)) => Some(rest.to_vec()),
        _ => None,
    }
}

impl ChainDb {
    /// Opens (or creates) the database at `path`.
    pub fn open(path: &Path) -> Result<Arc<Self>> {
        // redb caches up to 1 GiB by default; the devnet's working set is far smaller.
        let db = Database::builder()
            .set_cache_size(DB_CACHE_BYTES)
            .create(path)
            .with_context(|| format!("opening {}", path.display()))?;
        let wtx = db.begin_write()?;
        {
            wtx.open_table(JMT_NODES)?;
            wtx.open_table(STATE)?;
            wtx.open_table(PREIMAGES)?;
            wtx.open_table(SUB_NODES)?;
            wtx.open_table(SUB_PREIMAGES)?;
            wtx.open_table(META)?;
            wtx.open_table(BLOCKS)?;
            wtx.open_table(RESULTS)?;
            wtx.open_table(TX_BY_POS)?;
        }
        wtx.commit()?;
        let chain = ChainDb { db };
        if chain.latest_height()?.is_some() {
            let format = chain
                .meta(META_FORMAT)?
                .and_then(|v| v.try_into().ok())
                .map_or(1, u64::from_be_bytes);
            if format != FORMAT {
                return Err(anyhow!(
                    "{} holds chain data in storage format {format}; this starminer-devnet reads format {FORMAT}. \
                     Re-create the home with `starminer-devnet init --overwrite` or `starminer devnet up --fresh` (a devnet's data is disposable)",
                    path.display()
                ));
            }
        }
        Ok(Arc::new(chain))
    }

    fn meta(&self, name: &str) -> Result<Option<Vec<u8>>> {
        let rtx = self.db.begin_read()?;
        let t = rtx.open_table(META)?;
        Ok(t.get(name)?.map(|v| v.value().to_vec()))
    }

    /// The latest committed height (0: only genesis), or `None` before genesis.
    pub fn latest_height(&self) -> Result<Option<u64>> {
        Ok(self
            .meta(META_HEIGHT)?
            .map(|v| u64::from_be_bytes(v.as_slice().try_into().unwrap_or([0; 8]))))
    }

    /// The app hash after the latest committed height.
    pub fn latest_app_hash(&self) -> Result<Vec<u8>> {
        Ok(self.meta(META_APP_HASH)?.unwrap_or_default())
    }

    /// The genesis document as stored at genesis (JSON).
    pub fn genesis_json(&self) -> Result<Option<Vec<u8>>> {
        self.meta(META_GENESIS)
    }

    /// The tree root at `version`.
    pub fn root_at(&self, version: Version) -> Result<RootHash> {
        let reader = self.reader()?;
        Sha256Jmt::new(&reader).get_root_hash(version)
    }

    /// A read-only view of the tree for proofs and point reads.
    pub fn reader(&self) -> Result<DbReader> {
        let rtx = self.db.begin_read()?;
        Ok(DbReader {
            nodes: rtx.open_table(JMT_NODES)?,
            state: rtx.open_table(STATE)?,
            preimages: rtx.open_table(PREIMAGES)?,
        })
    }

    /// Writes the genesis state as version 0 together with the genesis document.
    pub fn commit_genesis(&self, writes: WriteSet, genesis_json: &[u8]) -> Result<RootHash> {
        let wtx = self.db.begin_write()?;
        let root = self.write_state(&wtx, 0, &writes)?;
        {
            let mut meta = wtx.open_table(META)?;
            meta.insert(META_GENESIS, genesis_json)?;
            meta.insert(META_FORMAT, FORMAT.to_be_bytes().as_slice())?;
            meta.insert(META_HEIGHT, 0u64.to_be_bytes().as_slice())?;
            meta.insert(META_APP_HASH, root.0.as_slice())?;
        }
        wtx.commit()?;
        Ok(root)
    }

    /// Commits one block: state writes as tree version `height`, the block,
    /// its results and its transactions, in a single transaction.
    pub fn commit_block(&self, commit: BlockCommit) -> Result<RootHash> {
        let wtx = self.db.begin_write()?;
        let root = self.write_state(&wtx, commit.height, &commit.writes)?;
        // The tx results are stored once, with their transactions.
        let block_results = tendermint::abci::response::FinalizeBlock {
            app_hash: tendermint::AppHash::try_from(root.0.to_vec())
                .map_err(|e| anyhow!("app hash: {e}"))?,
            tx_results: Vec::new(),
            ..commit.results.clone()
        };
        {
            let mut blocks = wtx.open_table(BLOCKS)?;
            blocks.insert(
                commit.height,
                commit.block.encode(commit.block_proto).as_slice(),
            )?;
            let mut results = wtx.open_table(RESULTS)?;
            results.insert(
                commit.height,
                pb::abci::ResponseFinalizeBlock::from(block_results)
                    .encode_to_vec()
                    .as_slice(),
            )?;
            let mut by_pos = wtx.open_table(TX_BY_POS)?;
            for tx in commit.txs {
                by_pos.insert((tx.height, tx.index), tx.encode().as_slice())?;
            }
            let mut meta = wtx.open_table(META)?;
            meta.insert(META_HEIGHT, commit.height.to_be_bytes().as_slice())?;
            meta.insert(META_APP_HASH, root.0.as_slice())?;
        }
        wtx.commit()?;
        Ok(root)
    }

    fn write_state(
        &self,
        wtx: &redb::WriteTransaction,
        version: Version,
        writes: &WriteSet,
    ) -> Result<RootHash> {
        // The tree reads its current nodes from the committed database; the
        // new nodes land in this same write transaction.
        let reader = self.reader()?;
        let tree = Sha256Jmt::new(&reader);
        let mut main: Vec<(KeyHash, Option<OwnedValue>)> = Vec::new();
        let mut roots = Vec::new();
        for name in SUBSTORES {
            if let Some((root, changed)) = self.write_substore(wtx, name, version, writes)? {
                if changed {
                    roots.push((name.as_bytes().to_vec(), Some(root.0.to_vec())));
                }
            }
        }
        for (k, v) in writes.iter().chain(roots.iter().map(|(k, v)| (k, v))) {
            if substore_of(k).is_none() {
                main.push((key_hash(k), v.clone()));
            }
        }
        let value_set = main;
        let (root, batch) = tree.put_value_set(value_set, version)?;
        {
            let mut nodes = wtx.open_table(JMT_NODES)?;
            for (key, node) in batch.node_batch.nodes() {
                nodes.insert(
                    borsh::to_vec(key)?.as_slice(),
                    borsh::to_vec(node)?.as_slice(),
                )?;
            }
            let mut state = wtx.open_table(STATE)?;
            let mut preimages = wtx.open_table(PREIMAGES)?;
            for (k, v) in writes.iter().chain(roots.iter().map(|(k, v)| (k, v))) {
                state.insert(
                    (k.as_slice(), version),
                    encode_value(v.as_deref()).as_slice(),
                )?;
                if substore_of(k).is_none() {
                    preimages.insert(key_hash(k).0.as_slice(), k.as_slice())?;
                }
            }
        }
        Ok(root)
    }

    /// Puts a block's writes of substore `name` as its tree's version
    /// `version`: its root, and whether it differs from the previous one
    /// (None: the substore is still unused).
    fn write_substore(
        &self,
        wtx: &redb::WriteTransaction,
        name: &'static str,
        version: Version,
        writes: &WriteSet,
    ) -> Result<Option<(RootHash, bool)>> {
        let inner: Vec<(&[u8], &[u8], Option<OwnedValue>)> = writes
            .iter()
            .filter_map(|(k, v)| {
                substore_of(k)
                    .filter(|(n, _)| *n == name)
                    .map(|(_, inner)| (k.as_slice(), inner, v.clone()))
            })
            .collect();
        let reader = self.sub_reader(name)?;
        if reader.start.is_none() && inner.is_empty() {
            return Ok(None);
        }
        let tree = Sha256Jmt::new(&reader);
        let before = if version > 0 {
            tree.get_root_hash_option(version - 1)?
        } else {
            None
        };
        let (root, batch) = tree.put_value_set(
            inner.iter().map(|(_, i, v)| (key_hash(i), v.clone())),
            version,
        )?;
        {
            let mut nodes = wtx.open_table(SUB_NODES)?;
            for (key, node) in batch.node_batch.nodes() {
                nodes.insert(
                    (name, borsh::to_vec(key)?.as_slice()),
                    borsh::to_vec(node)?.as_slice(),
                )?;
            }
            let mut preimages = wtx.open_table(SUB_PREIMAGES)?;
            for (full, i, _) in &inner {
                preimages.insert((name, key_hash(i).0.as_slice()), *full)?;
            }
            if reader.start.is_none() {
                let mut meta = wtx.open_table(META)?;
                meta.insert(
                    meta_sub_start(name).as_str(),
                    version.to_be_bytes().as_slice(),
                )?;
            }
        }
        Ok(Some((root, before != Some(root))))
    }

    /// A read-only view of substore `name`'s tree.
    pub fn sub_reader(&self, name: &'static str) -> Result<SubReader> {
        let start = self
            .meta(&meta_sub_start(name))?
            .and_then(|v| v.try_into().ok())
            .map(u64::from_be_bytes);
        let rtx = self.db.begin_read()?;
        Ok(SubReader {
            name,
            start,
            nodes: rtx.open_table(SUB_NODES)?,
            preimages: rtx.open_table(SUB_PREIMAGES)?,
            state: rtx.open_table(STATE)?,
        })
    }

    /// A committed block.
    pub fn block(&self, height: u64) -> Result<Option<StoredBlock>> {
        let rtx = self.db.begin_read()?;
        let t = rtx.open_table(BLOCKS)?;
        match t.get(height)? {
            Some(v) => Ok(Some(StoredBlock::decode(v.value())?)),
            None => Ok(None),
        }
    }

    /// The `FinalizeBlock` response of a committed block, with its tx results.
    pub fn results(
        &self,
        height: u64,
    ) -> Result<Option<tendermint::abci::response::FinalizeBlock>> {
        let rtx = self.db.begin_read()?;
        let t = rtx.open_table(RESULTS)?;
        let Some(v) = t.get(height)? else {
            return Ok(None);
        };
        let mut results: tendermint::abci::response::FinalizeBlock =
            pb::abci::ResponseFinalizeBlock::decode(v.value())?
                .try_into()
                .context("stored block results")?;
        results.tx_results = self
            .txs_in(height, height)?
            .into_iter()
            .map(|t| t.result)
            .collect();
        Ok(Some(results))
    }

    /// Every transaction with `from <= height <= to`, in chain order.
    pub fn txs_in(&self, from: u64, to: u64) -> Result<Vec<TxRecord>> {
        let rtx = self.db.begin_read()?;
        let t = rtx.open_table(TX_BY_POS)?;
        let mut out = Vec::new();
        for entry in t.range((from, 0u32)..=(to, u32::MAX))? {
            let (k, v) = entry?;
            let (h, i) = k.value();
            out.push(TxRecord::decode(h, i, v.value())?);
        }
        Ok(out)
    }

    /// Positions of every transaction with `from <= height <= to`, in chain order.
    pub fn tx_positions_in(&self, from: u64, to: u64) -> Result<Vec<(u64, u32)>> {
        let rtx = self.db.begin_read()?;
        let t = rtx.open_table(TX_BY_POS)?;
        let mut out = Vec::new();
        for entry in t.range((from, 0u32)..=(to, u32::MAX))? {
            let (k, _) = entry?;
            out.push(k.value());
        }
        Ok(out)
    }

    /// The transaction at a position.
    pub fn tx_at(&self, height: u64, index: u32) -> Result<Option<TxRecord>> {
        let rtx = self.db.begin_read()?;
        let t = rtx.open_table(TX_BY_POS)?;
        match t.get((height, index))? {
            Some(v) => Ok(Some(TxRecord::decode(height, index, v.value())?)),
            None => Ok(None),
        }
    }
}

/// A bound of the `state` table's (key, version) order.
type StateBound<'a> = Bound<(&'a [u8], u64)>;

/// Read access to the committed tree: point reads at any version, and the
/// jmt [`TreeReader`].
pub struct DbReader {
    nodes: ReadOnlyTable<&'static [u8], &'static [u8]>,
    state: ReadOnlyTable<(&'static [u8], u64), &'static [u8]>,
    preimages: ReadOnlyTable<&'static [u8], &'static [u8]>,
}

impl DbReader {
    /// The value of `key` at `version` (the newest write at or before it).
    pub fn get(&self, key: &[u8], version: Version) -> Option<Vec<u8>> {
        let mut range = self
            .state
            .range((key, 0u64)..=(key, version))
            .expect("state table read");
        let (_, v) = range.next_back()?.expect("state table read");
        decode_value(v.value())
    }

    /// The first live entry of `range` at `version` strictly after `cursor` in `order`.
    pub fn next_after(
        &self,
        range: &KeyRange,
        cursor: Option<&[u8]>,
        order: Order,
        version: Version,
    ) -> Option<Record> {
        let mut cursor: Option<Vec<u8>> = cursor.map(<[u8]>::to_vec);
        loop {
            let candidate = {
                let (lower, upper): (StateBound, StateBound) = match order {
                    Order::Ascending => (
                        match (&cursor, &range.start) {
                            (Some(c), _) => Bound::Excluded((c.as_slice(), u64::MAX)),
                            (None, Some(s)) => Bound::Included((s.as_slice(), 0)),
                            (None, None) => Bound::Unbounded,
                        },
                        match &range.end {
                            Some(e) => Bound::Excluded((e.as_slice(), 0)),
                            None => Bound::Unbounded,
                        },
                    ),
                    Order::Descending => (
                        match &range.start {
                            Some(s) => Bound::Included((s.as_slice(), 0)),
                            None => Bound::Unbounded,
                        },
                        match (&cursor, &range.end) {
                            (Some(c), _) => Bound::Excluded((c.as_slice(), 0)),
                            (None, Some(e)) => Bound::Excluded((e.as_slice(), 0)),
                            (None, None) => Bound::Unbounded,
                        },
                    ),
                };
                if let Some(c) = &cursor {
                    let exhausted = match order {
                        Order::Ascending => range.end.as_ref().is_some_and(|e| c >= e),
                        Order::Descending => range.start.as_ref().is_some_and(|s| c <= s),
                    };
                    if exhausted {
                        return None;
                    }
                }
                let mut it = self.state.range((lower, upper)).ok()?;
                let entry = match order {
                    Order::Ascending => it.next(),
                    Order::Descending => it.next_back(),
                };
                let (k, _) = entry?.expect("state table read");
                k.value().0.to_vec()
            };
            if !range.contains(&candidate) {
                return None;
            }
            if let Some(v) = self.get(&candidate, version) {
                return Some((candidate, v));
            }
            cursor = Some(candidate);
        }
    }
}

impl TreeReader for DbReader {
    fn get_node_option(&self, node_key: &NodeKey) -> Result<Option<Node>> {
        let key = borsh::to_vec(node_key)?;
        match self.nodes.get(key.as_slice())? {
            Some(v) => Ok(Some(borsh::from_slice(v.value())?)),
            None => Ok(None),
        }
    }

    fn get_value_option(
        &self,
        max_version: Version,
        key_hash: KeyHash,
    ) -> Result<Option<OwnedValue>> {
        match self.preimages.get(key_hash.0.as_slice())? {
            Some(key) => Ok(self.get(key.value(), max_version)),
            None => Ok(None),
        }
    }

    fn get_rightmost_leaf(&self) -> Result<Option<(NodeKey, LeafNode)>> {
        // Only used when restoring a tree from a snapshot, which the devnet never does.
        Err(anyhow!("tree restore is not supported"))
    }
}

impl jmt::storage::HasPreimage for DbReader {
    fn preimage(&self, key_hash: KeyHash) -> Result<Option<Vec<u8>>> {
        Ok(self
            .preimages
            .get(key_hash.0.as_slice())?
            .map(|k| k.value().to_vec()))
    }
}

/// Read access to one substore's tree. Before the first block that used
/// the substore its root is the empty tree's, at every version.
pub struct SubReader {
    name: &'static str,
    /// The first version written (None: never used).
    start: Option<Version>,
    nodes: ReadOnlyTable<(&'static str, &'static [u8]), &'static [u8]>,
    preimages: ReadOnlyTable<(&'static str, &'static [u8]), &'static [u8]>,
    state: ReadOnlyTable<(&'static [u8], u64), &'static [u8]>,
}

impl TreeReader for SubReader {
    fn get_node_option(&self, node_key: &NodeKey) -> Result<Option<Node>> {
        let key = borsh::to_vec(node_key)?;
        if let Some(v) = self.nodes.get((self.name, key.as_slice()))? {
            return Ok(Some(borsh::from_slice(v.value())?));
        }
        let before_start = self.start.is_none_or(|s| node_key.version() < s);
        if before_start && node_key.nibble_path().num_nibbles() == 0 {
            return Ok(Some(Node::Null));
        }
        Ok(None)
    }

    fn get_value_option(
        &self,
        max_version: Version,
        key_hash: KeyHash,
    ) -> Result<Option<OwnedValue>> {
        let Some(full) = self.preimages.get((self.name, key_hash.0.as_slice()))? else {
            return Ok(None);
        };
        let full = full.value();
        let mut range = self.state.range((full, 0u64)..=(full, max_version))?;
        Ok(match range.next_back() {
            Some(entry) => decode_value(entry?.1.value()),
            None => None,
        })
    }

    fn get_rightmost_leaf(&self) -> Result<Option<(NodeKey, LeafNode)>> {
        Err(anyhow!("tree restore is not supported"))
    }
}

impl jmt::storage::HasPreimage for SubReader {
    fn preimage(&self, key_hash: KeyHash) -> Result<Option<Vec<u8>>> {
        Ok(self
            .preimages
            .get((self.name, key_hash.0.as_slice()))?
            .and_then(|full| substore_of(full.value()).map(|(_, inner)| inner.to_vec())))
    }
}

impl ChainDb {
    /// The value of state key `name/<inner>` of substore `name` at `version`
    /// with its two ICS-23 proofs: `inner` in the substore's tree, then the
    /// substore's root under the key `name` in the main tree (the app hash
    /// of the header of block `version + 1`). Verify both with
    /// [`jmt::ics23_spec`].
    pub fn get_with_substore_proof(
        &self,
        name: &'static str,
        inner: &[u8],
        version: Version,
    ) -> Result<(Option<Vec<u8>>, [ics23::CommitmentProof; 2])> {
        let sub = self.sub_reader(name)?;
        let (value, inner_proof) =
            Sha256Jmt::new(&sub).get_with_ics23_proof(inner.to_vec(), version)?;
        let (_, outer_proof) = self.get_with_proof(name.as_bytes(), version)?;
        Ok((value, [inner_proof, outer_proof]))
    }

    /// The value of `key` at `version` with an ICS-23 proof (existence, or
    /// non-existence through the neighbouring keys) against the tree root of
    /// that version, i.e. the app hash in the header of block `version + 1`.
    /// Verify it with [`jmt::ics23_spec`].
    pub fn get_with_proof(
        &self,
        key: &[u8],
        version: Version,
    ) -> Result<(Option<Vec<u8>>, ics23::CommitmentProof)> {
        let reader = self.reader()?;
        Sha256Jmt::new(&reader).get_with_ics23_proof(key.to_vec(), version)
    }
}

struct Working {
    db: Arc<ChainDb>,
    reader: DbReader,
    version: Version,
    block: WriteSet,
    tx: Option<WriteSet>,
}

/// The state the host runs on: committed state at the latest version, the
/// current block's writes and the current transaction's writes.
///
/// Cloning gives another handle to the same state: the node keeps one and
/// hands one to the wasm host.
#[derive(Clone)]
pub struct WorkingState {
    inner: Rc<RefCell<Working>>,
}

impl WorkingState {
    pub fn new(db: Arc<ChainDb>) -> Result<Self> {
        let version = db.latest_height()?.unwrap_or(0);
        let reader = db.reader()?;
        Ok(WorkingState {
            inner: Rc::new(RefCell::new(Working {
                db,
                reader,
                version,
                block: WriteSet::new(),
                tx: None,
            })),
        })
    }

    /// The committed version the overlays sit on.
    pub fn version(&self) -> Version {
        self.inner.borrow().version
    }

    /// Runs `f` reading the committed state at `version` instead of the
    /// latest (queries at past heights). Only between blocks, when the
    /// overlays are empty.
    pub fn at_version<T>(&self, version: Version, f: impl FnOnce() -> T) -> T {
        let latest = std::mem::replace(&mut self.inner.borrow_mut().version, version);
        let out = f();
        self.inner.borrow_mut().version = latest;
        out
    }

    /// Opens a transaction overlay: later writes can be dropped together.
    pub fn begin_tx(&self) {
        let mut w = self.inner.borrow_mut();
        debug_assert!(w.tx.is_none(), "transaction overlay already open");
        w.tx = Some(WriteSet::new());
    }

    /// Folds the transaction overlay into the block.
    pub fn commit_tx(&self) {
        let mut w = self.inner.borrow_mut();
        if let Some(tx) = w.tx.take() {
            w.block.extend(tx);
        }
    }

    /// Drops the transaction overlay.
    pub fn discard_tx(&self) {
        self.inner.borrow_mut().tx = None;
    }

    /// Drops every uncommitted write (a simulation, or a failed block).
    pub fn discard_block(&self) {
        let mut w = self.inner.borrow_mut();
        w.tx = None;
        w.block.clear();
    }

    /// Takes the block's writes for committing.
    pub fn take_block_writes(&self) -> WriteSet {
        let mut w = self.inner.borrow_mut();
        debug_assert!(w.tx.is_none(), "transaction overlay still open");
        std::mem::take(&mut w.block)
    }

    /// After a commit: move to the new version and re-open the reader.
    pub fn advance_to(&self, version: Version) -> Result<()> {
        let mut w = self.inner.borrow_mut();
        w.reader = w.db.reader()?;
        w.version = version;
        w.block.clear();
        w.tx = None;
        Ok(())
    }
}

impl KvStore for WorkingState {
    fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
        let w = self.inner.borrow();
        if let Some(v) = w.tx.as_ref().and_then(|t| t.get(key)) {
            return v.clone();
        }
        if let Some(v) = w.block.get(key) {
            return v.clone();
        }
        w.reader.get(key, w.version)
    }

    fn set(&mut self, key: &[u8], value: &[u8]) {
        let mut w = self.inner.borrow_mut();
        let target = match w.tx.as_mut() {
            Some(t) => t,
            None => &mut w.block,
        };
        target.insert(key.to_vec(), Some(value.to_vec()));
    }

    fn remove(&mut self, key: &[u8]) {
        let mut w = self.inner.borrow_mut();
        let target = match w.tx.as_mut() {
            Some(t) => t,
            None => &mut w.block,
        };
        target.insert(key.to_vec(), None);
    }

    fn next_after(&self, range: &KeyRange, cursor: Option<&[u8]>, order: Order) -> Option<Record> {
        // Merge walk over the two overlays and the committed state: the
        // nearest key wins, the newest layer wins ties, a deletion moves the
        // cursor past its key.
        let w = self.inner.borrow();
        let mut cursor = cursor.map(<[u8]>::to_vec);
        loop {
            let mut best: Option<(Vec<u8>, Option<Vec<u8>>)> = None;
            let closer = |key: &[u8], best: &Option<(Vec<u8>, Option<Vec<u8>>)>| match best {
                None => true,
                Some((b, _)) => match order {
                    Order::Ascending => key < b.as_slice(),
                    Order::Descending => key > b.as_slice(),
                },
            };
            for layer in w.tx.iter().chain(std::iter::once(&w.block)) {
                if let Some((k, v)) = overlay_next(layer, range, cursor.as_deref(), order) {
                    if closer(&k, &best) {
                        best = Some((k, v));
                    }
                }
            }
            if let Some((k, v)) = w
                .reader
                .next_after(range, cursor.as_deref(), order, w.version)
            {
                if closer(&k, &best) {
                    best = Some((k, Some(v)));
                }
            }
            match best {
                None => return None,
                Some((k, Some(v))) => return Some((k, v)),
                Some((k, None)) => cursor = Some(k),
            }
        }
    }
}

fn overlay_next(
    layer: &WriteSet,
    range: &KeyRange,
    cursor: Option<&[u8]>,
    order: Order,
) -> Option<(Vec<u8>, Option<Vec<u8>>)> {
    let lower: Bound<&[u8]> = match (order, cursor) {
        (Order::Ascending, Some(c)) => Bound::Excluded(c),
        _ => range
            .start
            .as_deref()
            .map_or(Bound::Unbounded, Bound::Included),
    };
    let upper: Bound<&[u8]> = match (order, cursor) {
        (Order::Descending, Some(c)) => Bound::Excluded(c),
        _ => range
            .end
            .as_deref()
            .map_or(Bound::Unbounded, Bound::Excluded),
    };
    let valid = match (lower, upper) {
        (Bound::Included(a), Bound::Included(b)) => a <= b,
        (Bound::Included(a) | Bound::Excluded(a), Bound::Excluded(b))
        | (Bound::Excluded(a), Bound::Included(b)) => a < b,
        _ => true,
    };
    if !valid {
        return None;
    }
    let mut it = layer
        .range::<[u8], _>((lower, upper))
        .filter(|(k, _)| range.contains(k));
    let entry = match order {
        Order::Ascending => it.next(),
        Order::Descending => it.next_back(),
    };
    entry.map(|(k, v)| (k.clone(), v.clone()))
}

/// A transaction's hash as CometBFT computes it: sha256 of its bytes.
pub fn tx_hash(tx: &[u8]) -> Hash {
    Hash::Sha256(Sha256::digest(tx).into())
}

/// A block just committed, for subscribers and waiters.
#[derive(Clone, Debug)]
pub struct CommittedBlock {
    pub block: StoredBlock,
    /// The block's `FinalizeBlock` response without its tx results, which
    /// are in `txs` (a loaded block's results are megabytes: kept once).
    pub results: abci::response::FinalizeBlock,
    pub txs: Vec<TxRecord>,
}

impl CommittedBlock {
    /// The whole `FinalizeBlock` response, tx results included.
    pub fn finalize_block(&self) -> abci::response::FinalizeBlock {
        abci::response::FinalizeBlock {
            tx_results: self.txs.iter().map(|t| t.result.clone()).collect(),
            ..self.results.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db() -> (tempfile::TempDir, Arc<ChainDb>) {
        let dir = tempfile::tempdir().unwrap();
        let db = ChainDb::open(&dir.path().join("chain.redb")).unwrap();
        (dir, db)
    }

    fn writes(entries: &[(&str, Option<&str>)]) -> WriteSet {
        entries
            .iter()
            .map(|(k, v)| (k.as_bytes().to_vec(), v.map(|v| v.as_bytes().to_vec())))
            .collect()
    }

    fn keys(records: Vec<Record>) -> Vec<String> {
        records
            .into_iter()
            .map(|(k, _)| String::from_utf8(k).unwrap())
            .collect()
    }

    #[test]
    fn versions_answer_reads_at_past_heights_and_roots_change() {
        let (_d, db) = db();
        let r0 = db
            .commit_genesis(writes(&[("a", Some("1")), ("b", Some("2"))]), b"{}")
            .unwrap();
        let wtx = db.db.begin_write().unwrap();
        let r1 = db
            .write_state(&wtx, 1, &writes(&[("a", Some("9")), ("b", None)]))
            .unwrap();
        wtx.commit().unwrap();
        assert_ne!(r0, r1);
        let reader = db.reader().unwrap();
        assert_eq!(reader.get(b"a", 0), Some(b"1".to_vec()));
        assert_eq!(reader.get(b"a", 1), Some(b"9".to_vec()));
        assert_eq!(reader.get(b"b", 0), Some(b"2".to_vec()));
        assert_eq!(reader.get(b"b", 1), None);
        assert_eq!(db.root_at(0).unwrap(), r0);
        assert_eq!(db.root_at(1).unwrap(), r1);
        // The tree agrees with the flat table.
        let tree = Sha256Jmt::new(&reader);
        assert_eq!(tree.get(key_hash(b"a"), 0).unwrap(), Some(b"1".to_vec()));
        assert_eq!(tree.get(key_hash(b"b"), 1).unwrap(), None);
    }

    #[test]
    fn walks_skip_deleted_and_future_keys_both_ways() {
        let (_d, db) = db();
        db.commit_genesis(
            writes(&[
                ("p1", Some("x")),
                ("p3", Some("x")),
                ("p5", Some("x")),
                ("q", Some("x")),
            ]),
            b"{}",
        )
        .unwrap();
        let wtx = db.db.begin_write().unwrap();
        db.write_state(&wtx, 1, &writes(&[("p3", None), ("p4", Some("y"))]))
            .unwrap();
        wtx.commit().unwrap();
        let reader = db.reader().unwrap();
        let walk = |version, order| {
            let r = KeyRange::prefix(b"p");
            let mut out = Vec::new();
            let mut cursor: Option<Vec<u8>> = None;
            while let Some((k, v)) = reader.next_after(&r, cursor.as_deref(), order, version) {
                cursor = Some(k.clone());
                out.push((k, v));
            }
            keys(out)
        };
        assert_eq!(walk(0, Order::Ascending), ["p1", "p3", "p5"]);
        assert_eq!(walk(1, Order::Ascending), ["p1", "p4", "p5"]);
        assert_eq!(walk(1, Order::Descending), ["p5", "p4", "p1"]);
    }

    #[test]
    fn working_state_layers_tx_over_block_over_committed() {
        let (_d, db) = db();
        db.commit_genesis(writes(&[("a", Some("1")), ("c", Some("3"))]), b"{}")
            .unwrap();
        let mut ws = WorkingState::new(db.clone()).unwrap();
        ws.set(b"b", b"2");
        ws.begin_tx();
        ws.remove(b"a");
        ws.set(b"d", b"4");
        assert_eq!(
            keys(ws.range(&KeyRange::default(), Order::Ascending)),
            ["b", "c", "d"]
        );
        ws.discard_tx();
        assert_eq!(
            keys(ws.range(&KeyRange::default(), Order::Descending)),
            ["c", "b", "a"]
        );
        let w = ws.take_block_writes();
        assert_eq!(w.len(), 1);
    }

    #[test]
    fn a_database_of_another_format_is_refused_with_the_way_out() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("chain.redb");
        {
            let db = ChainDb::open(&path).unwrap();
            db.commit_genesis(writes(&[("k", Some("v"))]), b"{}")
                .unwrap();
            // What a home written before format 2 looks like: no format key.
            let wtx = db.db.begin_write().unwrap();
            wtx.open_table(META).unwrap().remove(META_FORMAT).unwrap();
            wtx.commit().unwrap();
        }
        let err = ChainDb::open(&path).err().expect("an old database opens");
        let msg = format!("{err:#}");
        assert!(msg.contains("storage format 1"), "{msg}");
        assert!(msg.contains("init --overwrite"), "{msg}");
        // A current database opens.
        let fresh = dir.path().join("fresh.redb");
        ChainDb::open(&fresh)
            .unwrap()
            .commit_genesis(writes(&[("k", Some("v"))]), b"{}")
            .unwrap();
        assert!(ChainDb::open(&fresh).is_ok());
    }

    #[test]
    fn block_commit_is_durable_across_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("chain.redb");
        let root = {
            let db = ChainDb::open(&path).unwrap();
            db.commit_genesis(writes(&[("k", Some("v"))]), b"{\"g\":1}")
                .unwrap()
        };
        let db = ChainDb::open(&path).unwrap();
        assert_eq!(db.latest_height().unwrap(), Some(0));
        assert_eq!(db.latest_app_hash().unwrap(), root.0.to_vec());
        assert_eq!(db.genesis_json().unwrap().unwrap(), b"{\"g\":1}".to_vec());
        assert_eq!(db.reader().unwrap().get(b"k", 0), Some(b"v".to_vec()));
    }
}

#[cfg(test)]
mod substore_tests {
    use super::*;

    fn commit(db: &ChainDb, version: Version, entries: &[(&str, Option<&str>)]) -> RootHash {
        let writes: WriteSet = entries
            .iter()
            .map(|(k, v)| (k.as_bytes().to_vec(), v.map(|v| v.as_bytes().to_vec())))
            .collect();
        let wtx = db.db.begin_write().unwrap();
        let root = db.write_state(&wtx, version, &writes).unwrap();
        {
            let mut meta = wtx.open_table(META).unwrap();
            meta.insert(META_HEIGHT, version.to_be_bytes().as_slice())
                .unwrap();
        }
        wtx.commit().unwrap();
        root
    }

    /// Checks the two-level proof of `ibc/<inner>` at `version` the way a
    /// relayer's light client does: the inner proof against the substore
    /// root it implies, that root against the app hash.
    fn verify(db: &ChainDb, inner: &str, version: Version, value: Option<&str>) {
        let app_hash = db.root_at(version).unwrap();
        let (got, [inner_proof, outer_proof]) = db
            .get_with_substore_proof("ibc", inner.as_bytes(), version)
            .unwrap();
        assert_eq!(got.as_deref(), value.map(str::as_bytes));
        let spec = jmt::ics23_spec();
        let sub_root = db
            .reader()
            .unwrap()
            .get(b"ibc", version)
            .expect("the main tree holds the substore's root");
        match value {
            Some(v) => {
                let ics23::commitment_proof::Proof::Exist(e) = inner_proof.proof.clone().unwrap()
                else {
                    panic!("an existence proof");
                };
                assert_eq!(
                    ics23::calculate_existence_root::<ics23::HostFunctionsManager>(&e).unwrap(),
                    sub_root
                );
                assert!(ics23::verify_membership::<ics23::HostFunctionsManager>(
                    &inner_proof,
                    &spec,
                    &sub_root,
                    inner.as_bytes(),
                    v.as_bytes()
                ));
            }
            None => assert!(ics23::verify_non_membership::<ics23::HostFunctionsManager>(
                &inner_proof,
                &spec,
                &sub_root,
                inner.as_bytes()
            )),
        }
        assert!(ics23::verify_membership::<ics23::HostFunctionsManager>(
            &outer_proof,
            &spec,
            &app_hash.0.to_vec(),
            b"ibc",
            &sub_root
        ));
        // A forged value or another path does not pass.
        assert!(!ics23::verify_membership::<ics23::HostFunctionsManager>(
            &inner_proof,
            &spec,
            &sub_root,
            inner.as_bytes(),
            b"forged"
        ));
    }

    #[test]
    fn ibc_keys_live_in_a_substore_proven_in_two_levels_and_unused_it_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let db = ChainDb::open(&dir.path().join("chain.redb")).unwrap();
        db.commit_genesis(
            [(b"bank/a".to_vec(), Some(b"1".to_vec()))]
                .into_iter()
                .collect(),
            b"{}",
        )
        .unwrap();
        // Unused: no root in the main tree, and the app hash is the main
        // tree's alone (a tree of the same main keys has the same root).
        let r1 = commit(&db, 1, &[("bank/b", Some("2"))]);
        assert_eq!(db.reader().unwrap().get(b"ibc", 1), None);
        let dir2 = tempfile::tempdir().unwrap();
        let plain = ChainDb::open(&dir2.path().join("chain.redb")).unwrap();
        let plain_root = plain
            .commit_genesis(
                [("bank/a", "1"), ("bank/b", "2")]
                    .map(|(k, v)| (k.as_bytes().to_vec(), Some(v.as_bytes().to_vec())))
                    .into_iter()
                    .collect(),
                b"{}",
            )
            .unwrap();
        assert_eq!(r1, plain_root);

        commit(
            &db,
            2,
            &[
                ("ibc/clients/07-tendermint-0/clientState", Some("cs")),
                ("ibc/connections/connection-0", Some("conn")),
                ("bank/a", Some("3")),
            ],
        );
        let reader = db.reader().unwrap();
        assert_eq!(
            reader.get(b"ibc/clients/07-tendermint-0/clientState", 2),
            Some(b"cs".to_vec()),
            "reads see the full key"
        );
        verify(&db, "clients/07-tendermint-0/clientState", 2, Some("cs"));
        verify(&db, "connections/connection-0", 2, Some("conn"));
        verify(
            &db,
            "channelEnds/ports/transfer/channels/channel-0",
            2,
            None,
        );

        // A block without IBC writes keeps the substore's root and proofs.
        let root2 = db.reader().unwrap().get(b"ibc", 2);
        commit(&db, 3, &[("bank/c", Some("4"))]);
        assert_eq!(db.reader().unwrap().get(b"ibc", 3), root2);
        verify(&db, "connections/connection-0", 3, Some("conn"));

        // A deletion: absent now, still proven at the older height.
        commit(&db, 4, &[("ibc/connections/connection-0", None)]);
        assert_ne!(db.reader().unwrap().get(b"ibc", 4), root2);
        verify(&db, "connections/connection-0", 4, None);
        verify(&db, "connections/connection-0", 2, Some("conn"));
        verify(&db, "clients/07-tendermint-0/clientState", 4, Some("cs"));
        // A main-tree key still proves in one level.
        let (v, proof) = db.get_with_proof(b"bank/c", 4).unwrap();
        assert!(ics23::verify_membership::<ics23::HostFunctionsManager>(
            &proof,
            &jmt::ics23_spec(),
            &db.root_at(4).unwrap().0.to_vec(),
            b"bank/c",
            &v.unwrap()
        ));
    }
}
