//! Blocks: CometBFT headers and commits signed by the single validator's
//! ed25519 key, built around the application's results and committed to the
//! database in one transaction.

use std::sync::Arc;

use anyhow::{anyhow, Context, Result};
use cosmwasm_std::Timestamp;
use prost_tm::Message;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tendermint::block::{self, parts, Commit, CommitSig, Header};
use tendermint::crypto::default::Sha256 as TmSha256;
use tendermint::merkle::simple_hash_from_byte_vectors;
use tendermint::{abci, account, chain, validator, vote, AppHash, Block, Hash, PublicKey, Time};
use tendermint_proto::v0_38 as pb;

use crate::app::App;
use crate::store::{tx_hash, BlockCommit, ChainDb, CommittedBlock, StoredBlock, TxRecord};

/// CometBFT's block protocol version.
pub const BLOCK_PROTOCOL: u64 = 11;
/// The CometBFT version the RPC reports (CosmJS picks its client by it).
pub const COMETBFT_VERSION: &str = "0.38.17";

/// The validator's key file, in CometBFT's `priv_validator_key.json` format.
#[derive(Serialize, Deserialize)]
pub struct PrivValidatorKey {
    pub address: account::Id,
    pub pub_key: PublicKey,
    pub priv_key: tendermint::PrivateKey,
}

impl PrivValidatorKey {
    pub fn generate() -> Self {
        let signing = ed25519_consensus::SigningKey::new(rand_core::OsRng);
        let bytes = signing.to_bytes();
        let tm_key = tendermint::crypto::ed25519::SigningKey::try_from(&bytes[..])
            .expect("32-byte ed25519 seed");
        let pub_key = PublicKey::from_raw_ed25519(signing.verification_key().as_bytes())
            .expect("ed25519 public key");
        PrivValidatorKey {
            address: account::Id::from(pub_key),
            pub_key,
            priv_key: tendermint::PrivateKey::Ed25519(tm_key),
        }
    }

    fn signing_key(&self) -> Result<ed25519_consensus::SigningKey> {
        match &self.priv_key {
            tendermint::PrivateKey::Ed25519(k) => {
                let seed: [u8; 32] = k
                    .as_bytes()
                    .try_into()
                    .map_err(|_| anyhow!("ed25519 seed must be 32 bytes"))?;
                Ok(ed25519_consensus::SigningKey::from(seed))
            }
            _ => Err(anyhow!("the validator key must be ed25519")),
        }
    }
}

/// The single validator.
pub struct Validator {
    key: ed25519_consensus::SigningKey,
    pub info: validator::Info,
}

impl Validator {
    pub fn new(key_file: &PrivValidatorKey) -> Result<Self> {
        let key = key_file.signing_key()?;
        let info = validator::Info::new(key_file.pub_key, vote::Power::from(10u32));
        Ok(Validator { key, info })
    }

    pub fn set(&self) -> validator::Set {
        validator::Set::new(vec![self.info.clone()], Some(self.info.clone()))
    }

    /// The validator's precommit of `block_id` at `height`, as the block's
    /// commit (what a light client verifies).
    pub fn sign_commit(
        &self,
        chain_id: &tendermint::chain::Id,
        height: u64,
        block_id: block::Id,
        time: Time,
    ) -> Result<Commit> {
        let vote = vote::Vote {
            vote_type: vote::Type::Precommit,
            height: block::Height::try_from(height)?,
            round: block::Round::default(),
            block_id: Some(block_id),
            timestamp: Some(time),
            validator_address: self.info.address,
            validator_index: vote::ValidatorIndex::try_from(0u32)?,
            signature: None,
            extension: Vec::new(),
            extension_signature: None,
        };
        let sign_bytes = vote.into_signable_vec(chain_id.clone());
        let signature = self.key.sign(&sign_bytes);
        Ok(Commit {
            height: block::Height::try_from(height)?,
            round: block::Round::default(),
            block_id,
            signatures: vec![CommitSig::BlockIdFlagCommit {
                validator_address: self.info.address,
                timestamp: time,
                signature: tendermint::Signature::try_from(signature.to_bytes().as_slice()).ok(),
            }],
        })
    }
}

/// Block production on top of the application.
pub struct BlockProducer {
    pub app: App,
    db: Arc<ChainDb>,
    validator: Validator,
    chain_id: chain::Id,
    consensus_params: tendermint::consensus::Params,
    /// Height and `LastResultsHash` input of the last block this process produced.
    last_results_hash: Option<(u64, Hash)>,
    /// The last block this process produced (the next one links to it).
    last_block: Option<StoredBlock>,
}

/// CometBFT's `HashConsensusParams`: sha256 of the block size limits.
fn consensus_hash(params: &tendermint::consensus::Params) -> Hash {
    let hashed = pb::types::HashedParams {
        block_max_bytes: params.block.max_bytes as i64,
        block_max_gas: params.block.max_gas,
    };
    Hash::Sha256(Sha256::digest(hashed.encode_to_vec()).into())
}

/// CometBFT's `ABCIResults.Hash`: a Merkle root of each result's deterministic fields.
fn results_hash(results: &[abci::types::ExecTxResult]) -> Hash {
    let leaves: Vec<Vec<u8>> = results
        .iter()
        .map(|r| {
            pb::abci::ExecTxResult {
                code: r.code.value(),
                data: r.data.clone(),
                gas_wanted: r.gas_wanted,
                gas_used: r.gas_used,
                ..Default::default()
            }
            .encode_to_vec()
        })
        .collect();
    Hash::Sha256(simple_hash_from_byte_vectors::<TmSha256>(&leaves))
}

/// CometBFT's `Commit.Hash`: a Merkle root of the commit signatures.
fn commit_hash(commit: Option<&Commit>) -> Hash {
    let leaves: Vec<Vec<u8>> = commit
        .map(|c| {
            c.signatures
                .iter()
                .map(|s| pb::types::CommitSig::from(s.clone()).encode_to_vec())
                .collect()
        })
        .unwrap_or_default();
    Hash::Sha256(simple_hash_from_byte_vectors::<TmSha256>(&leaves))
}

/// CometBFT's `Txs.Hash`: a Merkle root of the transactions' sha256 hashes.
fn data_hash(txs: &[Vec<u8>]) -> Hash {
    let leaves: Vec<Vec<u8>> = txs.iter().map(|t| Sha256::digest(t).to_vec()).collect();
    Hash::Sha256(simple_hash_from_byte_vectors::<TmSha256>(&leaves))
}

/// The part set header of a block: 64 KiB parts of its protobuf encoding.
fn part_set_header(encoded: &[u8]) -> Result<parts::Header> {
    let parts: Vec<&[u8]> = encoded.chunks(65536).collect();
    let hash = simple_hash_from_byte_vectors::<TmSha256>(&parts);
    Ok(parts::Header::new(parts.len() as u32, Hash::Sha256(hash))?)
}

pub fn to_tm_time(t: Timestamp) -> Result<Time> {
    Time::from_unix_timestamp(t.seconds() as i64, t.subsec_nanos() as u32)
        .map_err(|e| anyhow!("block time: {e}"))
}

impl BlockProducer {
    pub fn new(
        app: App,
        db: Arc<ChainDb>,
        validator: Validator,
        chain_id: &str,
        consensus_params: tendermint::consensus::Params,
    ) -> Result<Self> {
        Ok(BlockProducer {
            app,
            db,
            validator,
            chain_id: chain_id.parse().context("chain id")?,
            consensus_params,
            last_results_hash: None,
            last_block: None,
        })
    }

    pub fn latest_height(&self) -> u64 {
        self.app.height()
    }

    /// Executes `txs` as the next block at `time`, signs it and commits it.
    pub fn produce_block(&mut self, txs: Vec<Vec<u8>>, time: Time) -> Result<CommittedBlock> {
        let height = self.app.height() + 1;
        let kept = self
            .last_block
            .take()
            .filter(|b| b.block.header.height.value() + 1 == height);
        let prev = match kept {
            Some(b) => Some(b),
            None if height > 1 => Some(
                self.db
                    .block(height - 1)?
                    .ok_or_else(|| anyhow!("block {} missing", height - 1))?,
            ),
            None => None,
        };
        // The previous block's results hash: kept from producing it, read back after a restart.
        let prev_results_hash = match self.last_results_hash {
            Some((h, hash)) if h + 1 == height => hash,
            _ if height > 1 => results_hash(
                &self
                    .db
                    .results(height - 1)?
                    .map(|r| r.tx_results)
                    .unwrap_or_default(),
            ),
            _ => results_hash(&[]),
        };
        // Time strictly increases, as CometBFT's BFT time does.
        let time = match &prev {
            Some(p) if time <= p.block.header.time => (p.block.header.time
                + std::time::Duration::from_millis(1))
            .map_err(|e| anyhow!("{e}"))?,
            _ => time,
        };
        let unix_nanos = time.unix_timestamp_nanos().max(0) as u64;
        let wasm_time = Timestamp::from_nanos(unix_nanos);

        let results = self.app.execute_block(height, wasm_time, &txs);
        let writes = self.app.take_block_writes();
        let tx_results: Vec<abci::types::ExecTxResult> =
            results.iter().map(|r| r.to_exec_tx_result()).collect();
        let this_results_hash = results_hash(&tx_results);

        let app_hash =
            AppHash::try_from(self.db.latest_app_hash()?).map_err(|e| anyhow!("app hash: {e}"))?;
        let vset = self.validator.set();
        let header = Header {
            version: block::header::Version {
                block: BLOCK_PROTOCOL,
                app: 0,
            },
            chain_id: self.chain_id.clone(),
            height: block::Height::try_from(height)?,
            time,
            last_block_id: prev.as_ref().map(|p| p.block_id),
            last_commit_hash: Some(commit_hash(prev.as_ref().map(|p| &p.commit))),
            data_hash: Some(data_hash(&txs)),
            validators_hash: vset.hash(),
            next_validators_hash: vset.hash(),
            consensus_hash: consensus_hash(&self.consensus_params),
            app_hash,
            last_results_hash: Some(prev_results_hash),
            evidence_hash: Some(Hash::Sha256(simple_hash_from_byte_vectors::<TmSha256>(
                &Vec::<Vec<u8>>::new(),
            ))),
            proposer_address: self.validator.info.address,
        };
        let block = Block::new(
            header,
            txs.clone(),
            tendermint::evidence::List::default(),
            prev.as_ref().map(|p| p.commit.clone()),
        );
        // Encoded once: for the part set, the size and the store.
        let encoded = pb::types::Block::from(block.clone()).encode_to_vec();
        let block_id = block::Id {
            hash: block.header.hash(),
            part_set_header: part_set_header(&encoded)?,
        };
        let commit = self
            .validator
            .sign_commit(&self.chain_id, height, block_id, time)?;
        let stored = StoredBlock {
            block_id,
            block,
            commit,
            size: encoded.len() as u64,
        };
        let tx_records: Vec<TxRecord> = txs
            .into_iter()
            .zip(tx_results)
            .enumerate()
            .map(|(i, (tx, result))| TxRecord {
                hash: tx_hash(&tx),
                height,
                index: i as u32,
                tx,
                result,
            })
            .collect();
        let mut finalize = abci::response::FinalizeBlock {
            events: Vec::new(),
            tx_results: Vec::new(),
            validator_updates: Vec::new(),
            consensus_param_updates: None,
            app_hash: AppHash::default(),
        };
        let commit_started = std::time::Instant::now();
        let root = self.db.commit_block(BlockCommit {
            height,
            writes,
            block: &stored,
            block_proto: &encoded,
            results: &finalize,
            txs: &tx_records,
        })?;
        if !tx_records.is_empty() {
            tracing::debug!(
                height,
                commit_ms = commit_started.elapsed().as_millis() as u64,
                "stored block"
            );
        }
        self.app.committed(height, wasm_time)?;
        self.last_results_hash = Some((height, this_results_hash));
        self.last_block = Some(stored.clone());
        finalize.app_hash = AppHash::try_from(root.0.to_vec()).map_err(|e| anyhow!("{e}"))?;
        Ok(CommittedBlock {
            block: stored,
            results: finalize,
            txs: tx_records,
        })
    }
}
