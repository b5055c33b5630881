//! The application: the state machine every transaction and query goes
//! through, on the node's application thread.
//!
//! - The block lifecycle is [`App`]'s: genesis ([`App::init_chain`]),
//!   blocks ([`App::execute_block`], [`App::take_block_writes`],
//!   [`App::committed`]), CheckTx and simulation.
//! - [`ante`] is the SDK's ante handler (fees, signatures, sequences, gas).
//! - [`router`] runs each message on the module that decoded it and hands
//!   queries to the modules ([`crate::modules::ALL`]); [`tx`] decodes
//!   transactions.
//! - [`blocks`] builds CometBFT headers and commits around the app's
//!   results; [`driver`] runs the application thread (mempool, block
//!   timer, requests from the interfaces) and [`sigcache`] keeps the
//!   signatures the RPC threads verified ahead of CheckTx.
//!
//! One `App` lives on the application thread (the wasm host is not
//! `Send`); everything that touches state goes through it.

pub mod ante;
pub mod blocks;
pub mod driver;
pub mod router;
pub mod sigcache;
pub mod tx;

use std::collections::HashMap;
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::Arc;

use anyhow::{Context, Result};
use cosmos_sdk_proto::cosmos::base::abci::v1beta1::TxMsgData;
use cosmos_sdk_proto::Any;
use cosmwasm_std::{Addr, Coin, Decimal, Timestamp};
use prost::Message;
use serde::{Deserialize, Serialize};
use starminer_wasm_host::{BlockContext, HostConfig, KvStore, WasmHost};
use tendermint::abci;

use crate::modules::auth;
use crate::modules::ibc::NodeChain;
use crate::modules::sdk::TxError;
use crate::modules::{Ctx, Gas};
use crate::store::{ChainDb, WorkingState};
use sigcache::SigCache;
use tx::DecodedTx;

pub use crate::modules::sdk::{BECH32_PREFIX, DENOM};

/// Key the app writes every block, so each height has its own tree version.
const LAST_HEIGHT_KEY: &[u8] = b"devnet/last_height";

/// The `app_state` of the genesis document.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct AppState {
    pub accounts: Vec<GenesisAccount>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct GenesisAccount {
    pub address: String,
    pub coins: Vec<Coin>,
}

/// How a transaction is run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// At broadcast: ante checks only, against committed state plus the mempool's sequences.
    Check,
    /// In a block.
    Deliver,
    /// `Simulate`: no signature check, unlimited gas, nothing kept.
    Simulate,
}

/// The result of one transaction.
#[derive(Clone, Debug, Default)]
pub struct TxExec {
    pub code: u32,
    pub codespace: String,
    pub log: String,
    pub gas_wanted: u64,
    pub gas_used: u64,
    pub events: Vec<abci::Event>,
    /// `TxMsgData` protobuf.
    pub data: Vec<u8>,
    pub msg_responses: Vec<Any>,
    /// The signers' addresses and the sequences they used (for the mempool).
    pub signer_sequences: Vec<(String, u64)>,
}

impl TxExec {
    fn failed(e: TxError, gas_wanted: u64, gas_used: u64, events: Vec<abci::Event>) -> Self {
        TxExec {
            code: e.code,
            codespace: e.codespace,
            log: e.log,
            gas_wanted,
            gas_used,
            events,
            ..Default::default()
        }
    }

    pub fn is_ok(&self) -> bool {
        self.code == 0
    }

    pub fn to_exec_tx_result(&self) -> abci::types::ExecTxResult {
        abci::types::ExecTxResult {
            code: self.code.into(),
            data: self.data.clone().into(),
            log: self.log.clone(),
            info: String::new(),
            gas_wanted: self.gas_wanted as i64,
            gas_used: self.gas_used as i64,
            events: self.events.clone(),
            codespace: self.codespace.clone(),
        }
    }
}

/// An ABCI query answer.
#[derive(Clone, Debug, Default)]
pub struct QueryAnswer {
    pub code: u32,
    pub codespace: String,
    pub log: String,
    pub key: Vec<u8>,
    pub value: Vec<u8>,
    pub height: u64,
}

impl QueryAnswer {
    fn ok(value: Vec<u8>, height: u64) -> Self {
        QueryAnswer {
            value,
            height,
            ..Default::default()
        }
    }

    fn err(e: TxError, height: u64) -> Self {
        QueryAnswer {
            code: e.code,
            codespace: e.codespace,
            log: e.log,
            height,
            ..Default::default()
        }
    }
}

/// Node-level settings of the application.
#[derive(Clone, Debug)]
pub struct AppConfig {
    pub chain_id: String,
    /// Minimum gas price in `ustar` per gas unit, checked at broadcast.
    pub min_gas_price: Decimal,
    /// Where compiled wasm modules are cached.
    pub wasm_cache_dir: PathBuf,
}

/// The state machine.
pub struct App {
    db: Arc<ChainDb>,
    state: WorkingState,
    host: WasmHost,
    config: AppConfig,
    fee_collector: Addr,
    /// Height and time of the last committed block.
    height: u64,
    time: Timestamp,
    /// Where the current block's DeliverTx time goes (logged at debug level).
    timing: PhaseTimes,
    /// Signatures verified at broadcast (by the RPC threads or CheckTx)
    /// that DeliverTx has not met yet.
    sigs: Arc<SigCache>,
    /// CheckTx calls since the last block and their time (logged at debug level).
    checks: (u64, std::time::Duration),
}

/// Time spent in each phase of DeliverTx over one block.
#[derive(Clone, Copy, Debug, Default)]
struct PhaseTimes {
    decode: std::time::Duration,
    ante: std::time::Duration,
    msgs: std::time::Duration,
}

impl App {
    /// Opens the application over the database (genesis must be applied
    /// with [`App::init_chain`] when the database is new).
    pub fn open(db: Arc<ChainDb>, config: AppConfig, genesis_time: Timestamp) -> Result<Self> {
        let state = WorkingState::new(db.clone())?;
        std::fs::create_dir_all(&config.wasm_cache_dir)?;
        let host_config = HostConfig {
            chain_id: config.chain_id.clone(),
            bech32_prefix: BECH32_PREFIX.to_string(),
            bond_denom: DENOM.to_string(),
            cache_dir: Some(config.wasm_cache_dir.clone()),
            genesis_time,
            ..HostConfig::default()
        };
        let host = WasmHost::with_store(host_config, Box::new(state.clone()))
            .context("starting the wasm host")?;
        // Contracts' IbcMsgs and IbcQuerys go to the IBC module.
        host.set_ibc_bridge(Rc::new(starminer_ibc::ContractIbc::new(Rc::new(
            NodeChain { db: db.clone() },
        ))));
        let fee_collector = host.address_codec().module_account("fee_collector");
        let height = db.latest_height()?.unwrap_or(0);
        let time = match db.block(height)? {
            Some(b) => {
                Timestamp::from_nanos(b.block.header.time.unix_timestamp_nanos().max(0) as u64)
            }
            None => genesis_time,
        };
        let app = App {
            db,
            state,
            host,
            config,
            fee_collector,
            height,
            time,
            timing: PhaseTimes::default(),
            // The mempool's worth and room for broadcasts CheckTx then refused.
            sigs: Arc::new(SigCache::new(4 * driver::MAX_MEMPOOL_TXS)),
            checks: Default::default(),
        };
        app.set_block_context(height, time, 0);
        Ok(app)
    }

    pub fn chain_id(&self) -> &str {
        &self.config.chain_id
    }

    pub fn host(&self) -> &WasmHost {
        &self.host
    }

    /// The verified signatures, for the RPC threads' [`crate::app::sigcache::preverify`].
    pub fn sig_cache(&self) -> Arc<SigCache> {
        self.sigs.clone()
    }

    fn set_block_context(&self, height: u64, time: Timestamp, tx_index: u32) {
        self.host.set_block(BlockContext {
            chain_id: self.config.chain_id.clone(),
            height,
            time,
            tx_index,
        });
    }

    /// Applies the genesis state (accounts and balances) as version 0.
    pub fn init_chain(&mut self, app_state: &AppState, genesis_json: &[u8]) -> Result<Vec<u8>> {
        let mut store = self.state.clone();
        for acc in &app_state.accounts {
            let addr = self
                .host
                .addr_validate(&acc.address)
                .with_context(|| format!("genesis account {}", acc.address))?;
            let raw = self.host.address_codec().canonicalize(addr.as_str())?;
            auth::ensure_account(&mut store, &raw, addr.as_str());
            self.host.mint_native(&addr, &acc.coins)?;
        }
        store.set(LAST_HEIGHT_KEY, &0u64.to_be_bytes());
        let writes = self.state.take_block_writes();
        let root = self.db.commit_genesis(writes, genesis_json)?;
        self.state.advance_to(0)?;
        Ok(root.0.to_vec())
    }

    /// Runs the block's transactions; the writes stay in the working state
    /// until the chain commits them with [`App::take_block_writes`].
    pub fn execute_block(&mut self, height: u64, time: Timestamp, txs: &[Vec<u8>]) -> Vec<TxExec> {
        let started = std::time::Instant::now();
        self.timing = PhaseTimes::default();
        let mut results = Vec::with_capacity(txs.len());
        for (i, tx) in txs.iter().enumerate() {
            self.set_block_context(height, time, i as u32);
            results.push(self.run_tx(tx, Mode::Deliver, &HashMap::new()));
        }
        let mut store = self.state.clone();
        store.set(LAST_HEIGHT_KEY, &height.to_be_bytes());
        let (checks, check_time) = std::mem::take(&mut self.checks);
        if !txs.is_empty() {
            tracing::debug!(
                height,
                checks_since_last_block = checks,
                check_ms = check_time.as_millis() as u64,
                txs = txs.len(),
                exec_ms = started.elapsed().as_millis() as u64,
                decode_ms = self.timing.decode.as_millis() as u64,
                ante_ms = self.timing.ante.as_millis() as u64,
                msgs_ms = self.timing.msgs.as_millis() as u64,
                "executed block"
            );
        }
        results
    }

    /// The block's state writes, for the commit.
    pub fn take_block_writes(&self) -> crate::store::WriteSet {
        self.state.take_block_writes()
    }

    /// After the chain committed `height`.
    pub fn committed(&mut self, height: u64, time: Timestamp) -> Result<()> {
        self.state.advance_to(height)?;
        self.height = height;
        self.time = time;
        self.set_block_context(height, time, 0);
        Ok(())
    }

    /// CheckTx: `pending` holds the next sequence of accounts with transactions in the mempool.
    pub fn check_tx(&mut self, tx: &[u8], pending: &HashMap<String, u64>) -> TxExec {
        let started = std::time::Instant::now();
        self.set_block_context(self.height + 1, self.time, 0);
        let r = self.run_tx(tx, Mode::Check, pending);
        self.state.discard_block();
        self.set_block_context(self.height, self.time, 0);
        self.checks.0 += 1;
        self.checks.1 += started.elapsed();
        r
    }

    /// Simulate: the transaction's gas and result, nothing kept.
    pub fn simulate(&mut self, tx: &[u8]) -> TxExec {
        self.set_block_context(self.height + 1, self.time, 0);
        let r = self.run_tx(tx, Mode::Simulate, &HashMap::new());
        self.state.discard_block();
        self.set_block_context(self.height, self.time, 0);
        r
    }

    fn run_tx(&mut self, bytes: &[u8], mode: Mode, pending: &HashMap<String, u64>) -> TxExec {
        let t0 = std::time::Instant::now();
        let tx = match DecodedTx::decode(bytes) {
            Ok(tx) => tx,
            Err(e) => return TxExec::failed(e, 0, 0, Vec::new()),
        };
        if let Err(e) = tx.msgs.iter().try_for_each(tx::RoutedMsg::validate_basic) {
            return TxExec::failed(e, 0, 0, Vec::new());
        }
        let fee = tx.auth_info.fee.clone().unwrap_or_default();
        let gas_wanted = fee.gas_limit;
        let mut gas = Gas {
            limit: if mode == Mode::Simulate {
                u64::MAX
            } else {
                gas_wanted
            },
            used: 0,
        };
        let t1 = std::time::Instant::now();
        self.state.begin_tx();
        let mut events = Vec::new();
        let signer_sequences =
            match self.ante(&tx, bytes.len(), mode, pending, &mut gas, &mut events) {
                Ok(s) => s,
                Err(e) => {
                    self.state.discard_tx();
                    return TxExec::failed(e, gas_wanted, gas.used, Vec::new());
                }
            };
        self.state.commit_tx();
        if mode == Mode::Check {
            return TxExec {
                gas_wanted,
                gas_used: gas.used,
                events,
                signer_sequences,
                ..Default::default()
            };
        }
        let t2 = std::time::Instant::now();
        if mode == Mode::Deliver {
            self.timing.decode += t1 - t0;
            self.timing.ante += t2 - t1;
        }
        // Messages: all or nothing; the ante's fee and sequence stay.
        self.state.begin_tx();
        let mut msg_responses = Vec::new();
        let mut msg_events = Vec::new();
        for msg in &tx.msgs {
            match self.run_msg(msg, &mut gas) {
                Ok((response, evs)) => {
                    msg_responses.push(response);
                    msg_events.extend(evs);
                }
                Err(e) => {
                    self.state.discard_tx();
                    return TxExec::failed(e, gas_wanted, gas.used, events);
                }
            }
        }
        self.state.commit_tx();
        if mode == Mode::Deliver {
            self.timing.msgs += t2.elapsed();
        }
        events.extend(msg_events);
        #[allow(deprecated)]
        let data = TxMsgData {
            data: Vec::new(),
            msg_responses: msg_responses.clone(),
        }
        .encode_to_vec();
        TxExec {
            code: 0,
            codespace: String::new(),
            log: String::new(),
            gas_wanted,
            gas_used: gas.used,
            events,
            data,
            msg_responses,
            signer_sequences,
        }
    }

    /// What a module runs on: the working state, the host and the chain.
    fn ctx(&self) -> Ctx<'_> {
        Ctx {
            state: &self.state,
            host: &self.host,
            db: &self.db,
            chain_id: &self.config.chain_id,
        }
    }

    /// The last committed height.
    pub fn height(&self) -> u64 {
        self.height
    }

    /// Read access to the current state.
    pub fn state(&self) -> &WorkingState {
        &self.state
    }
}
