//! The application: the ante handler (fees, signatures, sequences, gas), the
//! message router onto the wasm host, genesis, blocks and ABCI queries.
//!
//! One `App` lives on the node's application thread (the wasm host is not
//! `Send`); everything that touches state goes through it.

use std::collections::HashMap;
use std::path::PathBuf;
use std::rc::Rc;
use std::str::FromStr;
use std::sync::Arc;

use anyhow::{Context, Result};
use cosmos_sdk_proto::cosmos::bank::v1beta1::MsgSendResponse;
use cosmos_sdk_proto::cosmos::base::abci::v1beta1::TxMsgData;
use cosmos_sdk_proto::cosmos::base::v1beta1::Coin as ProtoCoin;
use cosmos_sdk_proto::cosmos::tx::signing::v1beta1::SignMode;
use cosmos_sdk_proto::cosmos::tx::v1beta1::{mode_info, SignDoc};
use cosmos_sdk_proto::cosmwasm::wasm::v1::{
    MsgClearAdminResponse, MsgExecuteContractResponse, MsgInstantiateContract2Response,
    MsgInstantiateContractResponse, MsgMigrateContractResponse, MsgStoreCodeResponse,
    MsgUpdateAdminResponse,
};
use cosmos_sdk_proto::Any;
use cosmwasm_std::{Addr, Binary, Coin, Decimal, Timestamp, Uint128};
use prost::{Message, Name};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use starminer_wasm_host::{BlockContext, HostConfig, HostError, HostMsg, KvStore, WasmHost};
use tendermint::abci;

pub mod blocks;
pub mod sigcache;
pub mod tx;

use crate::modules::auth;
use crate::crypto;
use crate::modules::ibc::{NodeBank, NodeChain};
use crate::app::sigcache::{sig_key, SigCache};
use crate::store::{ChainDb, WorkingState};
use crate::app::tx::{
    sdk_description, uncompress_wasm, wasm_description, DecodedTx, IbcMsg, NodeMsg, TxError,
};

/// The fee and staking denom.
pub const DENOM: &str = "ustar";
/// Bech32 prefix of account addresses.
pub const BECH32_PREFIX: &str = "starminer";
/// The SDK's `TxSizeCostPerByte`.
const TX_SIZE_COST_PER_BYTE: u64 = 10;
/// The SDK's `SigVerifyCostSecp256k1`.
const SIG_VERIFY_COST_SECP256K1: u64 = 1000;
/// The SDK's default `MaxMemoCharacters`.
const MAX_MEMO_CHARACTERS: usize = 256;
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

/// An SDK gas meter for the ante handler.
struct Gas {
    limit: u64,
    used: u64,
}

impl Gas {
    fn consume(&mut self, amount: u64, what: &str) -> Result<(), TxError> {
        self.used = self.used.saturating_add(amount);
        self.check(what)
    }

    /// The SDK's out-of-gas error once the meter is past its limit.
    fn check(&self, what: &str) -> Result<(), TxError> {
        if self.used > self.limit {
            Err(TxError::sdk(
                11,
                format!(
                    "out of gas in location: {what}; gasWanted: {}, gasUsed: {}",
                    self.limit, self.used
                ),
            ))
        } else {
            Ok(())
        }
    }

    fn remaining(&self) -> u64 {
        self.limit.saturating_sub(self.used)
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

pub fn abci_event(kind: &str, attrs: Vec<(String, String)>) -> abci::Event {
    abci::Event::new(kind, attrs.into_iter().map(|(k, v)| (k, v, true)))
}

fn host_event(e: &cosmwasm_std::Event, msg_index: Option<usize>) -> abci::Event {
    let mut attrs: Vec<(String, String)> = e
        .attributes
        .iter()
        .map(|a| (a.key.clone(), a.value.clone()))
        .collect();
    if let Some(i) = msg_index {
        attrs.push(("msg_index".to_string(), i.to_string()));
    }
    abci_event(&e.ty, attrs)
}

fn coins_string(coins: &[ProtoCoin]) -> String {
    coins
        .iter()
        .map(|c| format!("{}{}", c.amount, c.denom))
        .collect::<Vec<_>>()
        .join(",")
}

fn parse_coins(coins: &[ProtoCoin]) -> Result<Vec<Coin>, TxError> {
    coins
        .iter()
        .map(|c| {
            Uint128::from_str(&c.amount)
                .map(|amount| Coin::new(amount, c.denom.clone()))
                .map_err(|_| TxError::sdk(10, format!("invalid coin amount {}", c.amount)))
        })
        .collect()
}

fn host_error(e: &HostError, msg_index: usize, gas: &Gas) -> TxError {
    let (codespace, code) = e.abci_code();
    if e.is_out_of_gas() {
        return TxError::sdk(
            11,
            format!(
                "out of gas in location: wasm contract; gasWanted: {}, gasUsed: {}",
                gas.limit, gas.used
            ),
        );
    }
    let inner = e.wasmd_message();
    let desc = if codespace == "wasm" {
        wasm_description(code)
    } else {
        sdk_description(code)
    };
    TxError {
        codespace: codespace.to_string(),
        code,
        log: format!("failed to execute message; message index: {msg_index}: {inner}: {desc}"),
    }
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
            sigs: Arc::default(),
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
        if let Err(e) = tx.msgs.iter().try_for_each(NodeMsg::validate_basic) {
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
        for (i, msg) in tx.msgs.iter().enumerate() {
            match self.run_msg(i, msg, &mut gas) {
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

    /// The SDK's ante chain: basic checks, tx size gas, fee, public keys,
    /// signature gas and verification, sequence increments.
    fn ante(
        &mut self,
        tx: &DecodedTx,
        tx_len: usize,
        mode: Mode,
        pending: &HashMap<String, u64>,
        gas: &mut Gas,
        events: &mut Vec<abci::Event>,
    ) -> Result<Vec<(String, u64)>, TxError> {
        let kv = self.host.gas_config().kv.clone();
        if tx.msgs.is_empty() {
            return Err(TxError::sdk(18, "must contain at least one message"));
        }
        if mode != Mode::Simulate && tx.signatures.is_empty() {
            return Err(TxError::sdk(15, ""));
        }
        let signers = tx.signers();
        if tx.signatures.len() != signers.len() {
            return Err(TxError::sdk(
                4,
                format!(
                    "wrong number of signers; expected {}, got {}",
                    signers.len(),
                    tx.signatures.len()
                ),
            ));
        }
        if tx.auth_info.signer_infos.len() != signers.len() {
            return Err(TxError::sdk(
                4,
                format!(
                    "invalid number of signer infos; expected {}, got {}",
                    signers.len(),
                    tx.auth_info.signer_infos.len()
                ),
            ));
        }
        let block_height = self.height + 1;
        if tx.body.timeout_height > 0 && block_height > tx.body.timeout_height {
            return Err(TxError::sdk(
                30,
                format!(
                    "block height: {block_height}, timeout height: {}",
                    tx.body.timeout_height
                ),
            ));
        }
        if tx.body.memo.chars().count() > MAX_MEMO_CHARACTERS {
            return Err(TxError::sdk(
                12,
                format!(
                    "maximum number of characters is {MAX_MEMO_CHARACTERS} but received {} characters",
                    tx.body.memo.chars().count()
                ),
            ));
        }
        gas.consume(TX_SIZE_COST_PER_BYTE * tx_len as u64, "txSize")?;
        if mode == Mode::Simulate {
            // Like the SDK, a simulation pays for the signature bytes (and the
            // public key) the real transaction will carry.
            for sig in &tx.signatures {
                if sig.is_empty() {
                    gas.consume(TX_SIZE_COST_PER_BYTE * (64 + 33 + 12), "txSize")?;
                }
            }
        }

        // Signer accounts.
        let mut accounts = Vec::new();
        for signer in &signers {
            let addr = self
                .host
                .addr_validate(signer)
                .map_err(|e| TxError::sdk(7, format!("invalid signer address {signer}: {e}")))?;
            let raw = self
                .host
                .address_codec()
                .canonicalize(addr.as_str())
                .map_err(|e| TxError::sdk(7, e.to_string()))?;
            let account = auth::account(&self.state, &raw)
                .ok_or_else(|| TxError::sdk(9, format!("account {signer} not found")))?;
            gas.consume(
                kv.read_cost_flat
                    + kv.read_cost_per_byte * (raw.len() + 5 + account.encoded_len()) as u64,
                "ReadFlat",
            )?;
            accounts.push((addr, raw, account));
        }

        // Fee: the minimum gas price at broadcast, then deduction from the payer.
        let fee = tx.auth_info.fee.clone().unwrap_or_default();
        let fee_coins = parse_coins(&fee.amount)?;
        if mode == Mode::Check && !self.config.min_gas_price.is_zero() {
            let required = Uint128::from(fee.gas_limit).mul_ceil(self.config.min_gas_price);
            let offered = fee_coins
                .iter()
                .filter(|c| c.denom == DENOM)
                .map(|c| c.amount)
                .sum::<Uint128>();
            if offered < required {
                return Err(TxError::sdk(
                    13,
                    format!(
                        "insufficient fees; got: {} required: {required}{DENOM}",
                        coins_string(&fee.amount)
                    ),
                ));
            }
        }
        let payer = if fee.payer.is_empty() {
            accounts[0].0.clone()
        } else {
            self.host
                .addr_validate(&fee.payer)
                .map_err(|e| TxError::sdk(7, e.to_string()))?
        };
        let mut fee_coins: Vec<Coin> = fee_coins
            .into_iter()
            .filter(|c| !c.amount.is_zero())
            .collect();
        if mode == Mode::Simulate && fee_coins.is_empty() {
            // Clients simulate without a fee, then attach one: charge the gas
            // of deducting it by moving a nominal 1ustar (discarded with the
            // simulation), so the estimate covers the real transaction.
            if self
                .host
                .bank_balance(&payer, DENOM)
                .is_ok_and(|b| !b.is_zero())
            {
                fee_coins.push(Coin::new(Uint128::one(), DENOM));
            }
        }
        if !fee_coins.is_empty() {
            let outcome = self.host.apply(
                HostMsg::BankSend {
                    from: payer.clone(),
                    to: self.fee_collector.clone(),
                    amount: fee_coins.clone(),
                },
                gas.remaining(),
            );
            gas.used = gas.used.saturating_add(outcome.gas.sdk_gas);
            match outcome.result {
                Ok(r) => {
                    events.extend(r.events.iter().map(|e| host_event(e, None)));
                    events.push(abci_event(
                        "message",
                        vec![("sender".to_string(), payer.to_string())],
                    ));
                }
                Err(HostError::InsufficientFunds {
                    available, needed, ..
                }) => {
                    return Err(TxError::sdk(
                        5,
                        format!(
                            "spendable balance {available} is smaller than {needed}: insufficient funds"
                        ),
                    ));
                }
                Err(e) if e.is_out_of_gas() => {
                    return Err(TxError::sdk(
                        11,
                        format!(
                            "out of gas in location: fee deduction; gasWanted: {}, gasUsed: {}",
                            gas.limit, gas.used
                        ),
                    ));
                }
                Err(e) => {
                    let (_, code) = e.abci_code();
                    return Err(TxError::sdk(code, e.to_string()));
                }
            }
        }
        events.push(abci_event(
            "tx",
            vec![
                ("fee".to_string(), coins_string(&fee.amount)),
                ("fee_payer".to_string(), payer.to_string()),
            ],
        ));

        // Public keys, signatures and sequences.
        let mut signer_sequences = Vec::new();
        for (i, (addr, raw, account)) in accounts.iter_mut().enumerate() {
            let info = &tx.auth_info.signer_infos[i];
            if let Some(pk) = &info.public_key {
                let key = cosmos_sdk_proto::cosmos::crypto::secp256k1::PubKey::decode(
                    pk.value.as_slice(),
                )
                .map_err(|e| TxError::sdk(8, e.to_string()))?;
                if pk.type_url != cosmos_sdk_proto::cosmos::crypto::secp256k1::PubKey::type_url() {
                    return Err(TxError::sdk(
                        8,
                        format!("unsupported public key type {}", pk.type_url),
                    ));
                }
                if crypto::address_bytes(&key.key) != *raw {
                    return Err(TxError::sdk(
                        8,
                        format!(
                            "pubKey does not match signer address {addr} with signer index: {i}"
                        ),
                    ));
                }
                if account.pub_key.is_none() {
                    account.pub_key = Some(auth::pubkey_any(&key.key));
                }
            }
            let pubkey = match &account.pub_key {
                Some(pk) => {
                    cosmos_sdk_proto::cosmos::crypto::secp256k1::PubKey::decode(pk.value.as_slice())
                        .map_err(|e| TxError::sdk(8, e.to_string()))?
                        .key
                }
                None if mode == Mode::Simulate => Vec::new(),
                None => {
                    return Err(TxError::sdk(
                        8,
                        format!("pubkey on account {addr} is not set"),
                    ))
                }
            };
            gas.consume(SIG_VERIFY_COST_SECP256K1, "ante verify: secp256k1")?;
            let expected = match mode {
                Mode::Check => pending
                    .get(addr.as_str())
                    .copied()
                    .unwrap_or(account.sequence)
                    .max(account.sequence),
                _ => account.sequence,
            };
            if mode != Mode::Simulate && info.sequence != expected {
                return Err(TxError::sdk(
                    32,
                    format!(
                        "account sequence mismatch, expected {expected}, got {}",
                        info.sequence
                    ),
                ));
            }
            if mode != Mode::Simulate {
                let direct = matches!(
                    info.mode_info.as_ref().and_then(|m| m.sum.as_ref()),
                    Some(mode_info::Sum::Single(s)) if s.mode == SignMode::Direct as i32
                );
                let sign_doc = SignDoc {
                    body_bytes: tx.body_bytes.clone(),
                    auth_info_bytes: tx.auth_info_bytes.clone(),
                    chain_id: self.config.chain_id.clone(),
                    account_number: account.account_number,
                }
                .encode_to_vec();
                if !direct || !self.verify_signature(mode, &pubkey, &sign_doc, &tx.signatures[i]) {
                    return Err(TxError::sdk(
                        4,
                        format!(
                            "signature verification failed; please verify account number ({}), sequence ({}) and chain-id ({})",
                            account.account_number, info.sequence, self.config.chain_id
                        ),
                    ));
                }
            }
            events.push(abci_event(
                "tx",
                vec![("acc_seq".to_string(), format!("{addr}/{}", info.sequence))],
            ));
            signer_sequences.push((addr.to_string(), info.sequence));
            account.sequence = info.sequence.max(account.sequence) + 1;
            let mut store = self.state.clone();
            auth::set_account(&mut store, raw, account);
            gas.consume(
                kv.write_cost_flat
                    + kv.write_cost_per_byte * (raw.len() + 5 + account.encoded_len()) as u64,
                "WriteFlat",
            )?;
        }
        for sig in &tx.signatures {
            events.push(abci_event(
                "tx",
                vec![(
                    "signature".to_string(),
                    base64::Engine::encode(&base64::engine::general_purpose::STANDARD, sig),
                )],
            ));
        }
        Ok(signer_sequences)
    }

    /// Checks a secp256k1 signature through the shared [`SigCache`]:
    /// a signature verified at broadcast is not verified again, and DeliverTx
    /// takes it out of the cache.
    fn verify_signature(&mut self, mode: Mode, pubkey: &[u8], sign_doc: &[u8], sig: &[u8]) -> bool {
        match mode {
            Mode::Deliver => {
                self.sigs.take(&sig_key(pubkey, sign_doc, sig))
                    || crypto::verify_secp256k1(pubkey, sign_doc, sig)
            }
            _ => self.sigs.verify(pubkey, sign_doc, sig),
        }
    }

    fn addr(&self, address: &str, what: &str) -> Result<Addr, TxError> {
        self.host
            .addr_validate(address)
            .map_err(|e| TxError::sdk(7, format!("{what}: {e}")))
    }

    /// Runs one message under the gas left; returns its `Any` response and events.
    fn run_msg(
        &mut self,
        index: usize,
        msg: &NodeMsg,
        gas: &mut Gas,
    ) -> Result<(Any, Vec<abci::Event>), TxError> {
        let sender = self.addr(msg.signer(), "sender")?;
        let host_msg = match msg {
            NodeMsg::Ibc(m) => return self.run_ibc(index, &sender, m, gas),
            NodeMsg::Send(m) => HostMsg::BankSend {
                from: sender.clone(),
                to: self.addr(&m.to_address, "to address")?,
                amount: parse_coins(&m.amount)?,
            },
            NodeMsg::StoreCode(m) => HostMsg::StoreCode {
                sender: sender.clone(),
                wasm: uncompress_wasm(&m.wasm_byte_code)?,
            },
            NodeMsg::Instantiate(m) => HostMsg::Instantiate {
                sender: sender.clone(),
                code_id: m.code_id,
                msg: Binary::from(m.msg.clone()),
                funds: parse_coins(&m.funds)?,
                label: m.label.clone(),
                admin: self.optional_admin(&m.admin)?,
            },
            NodeMsg::Instantiate2(m) => {
                if m.fix_msg {
                    return Err(TxError {
                        codespace: "wasm".to_string(),
                        code: 14,
                        log: format!(
                            "failed to execute message; message index: {index}: fix msg is not supported: {}",
                            wasm_description(14)
                        ),
                    });
                }
                HostMsg::Instantiate2 {
                    sender: sender.clone(),
                    code_id: m.code_id,
                    msg: Binary::from(m.msg.clone()),
                    funds: parse_coins(&m.funds)?,
                    label: m.label.clone(),
                    admin: self.optional_admin(&m.admin)?,
                    salt: Binary::from(m.salt.clone()),
                }
            }
            NodeMsg::Execute(m) => HostMsg::Execute {
                sender: sender.clone(),
                contract: self.addr(&m.contract, "contract")?,
                msg: Binary::from(m.msg.clone()),
                funds: parse_coins(&m.funds)?,
            },
            NodeMsg::Migrate(m) => HostMsg::Migrate {
                sender: sender.clone(),
                contract: self.addr(&m.contract, "contract")?,
                code_id: m.code_id,
                msg: Binary::from(m.msg.clone()),
            },
            NodeMsg::UpdateAdmin(m) => HostMsg::UpdateAdmin {
                sender: sender.clone(),
                contract: self.addr(&m.contract, "contract")?,
                new_admin: self.addr(&m.new_admin, "new admin")?,
            },
            NodeMsg::ClearAdmin(m) => HostMsg::ClearAdmin {
                sender: sender.clone(),
                contract: self.addr(&m.contract, "contract")?,
            },
        };
        let wasm_checksum = match &host_msg {
            HostMsg::StoreCode { wasm, .. } => Sha256::digest(wasm).to_vec(),
            _ => Vec::new(),
        };
        let stored_wasm = match &host_msg {
            HostMsg::StoreCode { wasm, .. } => Some(wasm.clone()),
            _ => None,
        };
        let outcome = self.host.apply(host_msg, gas.remaining());
        gas.used = gas.used.saturating_add(outcome.gas.sdk_gas);
        let result = outcome.result.map_err(|e| host_error(&e, index, gas))?;
        gas.check("wasm contract")?;
        // Accounts, in the order the message created them: the SDK's bank
        // creates an account for an address that first receives coins, and
        // wasmd one for every new contract (nested instantiations included).
        for e in &result.events {
            let key = match e.ty.as_str() {
                "transfer" => "recipient",
                "instantiate" => "_contract_address",
                _ => continue,
            };
            for a in e.attributes.iter().filter(|a| a.key == key) {
                let raw = self
                    .host
                    .address_codec()
                    .canonicalize(&a.value)
                    .map_err(|e| TxError::sdk(7, e.to_string()))?;
                let mut store = self.state.clone();
                auth::ensure_account(&mut store, &raw, &a.value);
            }
        }
        let data = result.data.as_ref().map(|d| d.to_vec()).unwrap_or_default();
        let response = match msg {
            NodeMsg::Send(_) => any(MsgSendResponse {}),
            NodeMsg::StoreCode(_) => {
                let code_id = result.code_id.unwrap_or_default();
                if let Some(wasm) = stored_wasm {
                    let mut store = self.state.clone();
                    store.set(&code_bytes_key(code_id), &wasm);
                }
                any(MsgStoreCodeResponse {
                    code_id,
                    checksum: wasm_checksum,
                })
            }
            NodeMsg::Instantiate(_) => any(MsgInstantiateContractResponse {
                address: result
                    .contract
                    .as_ref()
                    .map(|a| a.to_string())
                    .unwrap_or_default(),
                data,
            }),
            NodeMsg::Instantiate2(_) => any(MsgInstantiateContract2Response {
                address: result
                    .contract
                    .as_ref()
                    .map(|a| a.to_string())
                    .unwrap_or_default(),
                data,
            }),
            NodeMsg::Execute(_) => any(MsgExecuteContractResponse { data }),
            NodeMsg::Migrate(_) => any(MsgMigrateContractResponse { data }),
            NodeMsg::UpdateAdmin(_) => any(MsgUpdateAdminResponse {}),
            NodeMsg::ClearAdmin(_) => any(MsgClearAdminResponse {}),
            NodeMsg::Ibc(_) => unreachable!("IBC messages returned above"),
        };
        let mut events = vec![abci_event(
            "message",
            vec![
                ("action".to_string(), msg.type_url()),
                ("sender".to_string(), sender.to_string()),
                ("module".to_string(), msg.module().to_string()),
                ("msg_index".to_string(), index.to_string()),
            ],
        )];
        events.extend(result.events.iter().map(|e| host_event(e, Some(index))));
        if matches!(msg, NodeMsg::Send(_)) {
            events.push(abci_event(
                "message",
                vec![
                    ("sender".to_string(), sender.to_string()),
                    ("msg_index".to_string(), index.to_string()),
                ],
            ));
        }
        Ok((response, events))
    }

    /// Runs an IBC message through `starminer-ibc`, on the same working
    /// state and bank as every other message.
    fn run_ibc(
        &mut self,
        index: usize,
        sender: &Addr,
        msg: &IbcMsg,
        gas: &mut Gas,
    ) -> Result<(Any, Vec<abci::Event>), TxError> {
        let env = self.ibc_env(self.host.block().height);
        let chain = Rc::new(NodeChain {
            db: self.db.clone(),
        });
        let mut bank = NodeBank {
            host: &self.host,
            gas: 0,
            events: Vec::new(),
        };
        let url = msg.any.type_url.as_str();
        let apps = starminer_ibc::Apps {
            bank: &mut bank,
            contracts: &self.host,
            gas_limit: gas.limit.saturating_sub(gas.used),
        };
        let result = starminer_ibc::deliver(
            self.state.clone(),
            env,
            chain,
            apps,
            url,
            &msg.any.value,
        );
        gas.used = gas.used.saturating_add(bank.gas);
        let out = result.map_err(|e| TxError {
            codespace: e.codespace.to_string(),
            code: e.code,
            log: format!(
                "failed to execute message; message index: {index}: {}",
                e.log
            ),
        })?;
        gas.consume(out.gas_used, "ibc")?;
        let response = match out.sequence {
            Some(sequence) if url == starminer_ibc::MSG_TRANSFER_URL => Any {
                type_url: format!("{url}Response"),
                value: ibc_proto::ibc::apps::transfer::v1::MsgTransferResponse { sequence }
                    .encode_to_vec(),
            },
            _ => Any {
                type_url: format!("{url}Response"),
                value: Vec::new(),
            },
        };
        let mut events = vec![abci_event(
            "message",
            vec![
                ("action".to_string(), url.to_string()),
                ("sender".to_string(), sender.to_string()),
                ("module".to_string(), "ibc".to_string()),
                ("msg_index".to_string(), index.to_string()),
            ],
        )];
        events.extend(bank.events.iter().map(|e| host_event(e, Some(index))));
        events.extend(out.events.into_iter().map(|(kind, mut attrs)| {
            attrs.push(("msg_index".to_string(), index.to_string()));
            abci_event(&kind, attrs)
        }));
        Ok((response, events))
    }

    /// What the IBC module knows of the block: the chain id, `height` and
    /// the host's block time.
    fn ibc_env(&self, height: u64) -> starminer_ibc::BlockEnv {
        starminer_ibc::BlockEnv {
            chain_id: self.config.chain_id.clone(),
            height,
            time_nanos: self.host.block().time.nanos(),
        }
    }

    /// Answers an `ibc.core.*` or ICS-20 gRPC query on the state the query
    /// handlers read (the queried height's); `None` for an unknown method.
    pub fn ibc_query(&self, path: &str, data: &[u8]) -> Option<Result<Vec<u8>, TxError>> {
        let env = self.ibc_env(self.state.version());
        let chain = Rc::new(NodeChain {
            db: self.db.clone(),
        });
        let bank = NodeBank {
            host: &self.host,
            gas: 0,
            events: Vec::new(),
        };
        let answer = starminer_ibc::query(self.state.clone(), env, chain, &bank, path, data)?;
        Some(answer.map_err(|e| TxError::sdk(22, format!("rpc error: code = NotFound desc = {e}"))))
    }

    fn optional_admin(&self, admin: &str) -> Result<Option<Addr>, TxError> {
        if admin.is_empty() {
            Ok(None)
        } else {
            self.addr(admin, "admin").map(Some)
        }
    }

    // ---- queries ------------------------------------------------------------

    /// The last committed height.
    pub fn height(&self) -> u64 {
        self.height
    }

    /// An ABCI query (`path` is a gRPC method or `store/<module>/key`).
    pub fn query(&mut self, path: &str, data: &[u8], height: u64) -> QueryAnswer {
        let latest = self.height;
        let at = if height == 0 { latest } else { height };
        if at > latest {
            return QueryAnswer::err(
                TxError::sdk(
                    26,
                    "cannot query with height in the future; please provide a valid height"
                        .to_string(),
                ),
                latest,
            );
        }
        if let Some(rest) = path.strip_prefix("store/") {
            return self.query_store(rest, data, at);
        }
        let answer = if at == latest {
            crate::modules::wasm::handle(self, path, data)
        } else {
            // Every handler reads through the working state: point it at the
            // tree version of that height, and contracts at that block.
            let time = match self.db.block(at) {
                Ok(Some(b)) => {
                    Timestamp::from_nanos(b.block.header.time.unix_timestamp_nanos().max(0) as u64)
                }
                _ => self.time,
            };
            self.set_block_context(at, time, 0);
            let state = self.state.clone();
            let answer = state.at_version(at, || crate::modules::wasm::handle(self, path, data));
            self.set_block_context(self.height, self.time, 0);
            answer
        };
        match answer {
            Ok(value) => QueryAnswer::ok(value, at),
            Err(e) => QueryAnswer::err(e, at),
        }
    }

    fn query_store(&self, rest: &str, key: &[u8], at: u64) -> QueryAnswer {
        let Some(module) = rest.strip_suffix("/key") else {
            return QueryAnswer::err(
                TxError::sdk(
                    6,
                    format!("unknown query path store/{rest}; use store/<module>/key"),
                ),
                at,
            );
        };
        let Some(full) = crate::store::proofs::store_key(&format!("store/{rest}"), key) else {
            return QueryAnswer::err(TxError::sdk(6, format!("no such store: {module}")), at);
        };
        let value = match self.db.reader() {
            Ok(r) => r.get(&full, at).unwrap_or_default(),
            Err(e) => return QueryAnswer::err(TxError::sdk(1, e.to_string()), at),
        };
        QueryAnswer {
            key: key.to_vec(),
            value,
            height: at,
            ..Default::default()
        }
    }

    /// Read access to the current state for query handlers.
    pub fn state(&self) -> &WorkingState {
        &self.state
    }

    pub fn simulate_bytes(&mut self, tx: &[u8]) -> TxExec {
        self.simulate(tx)
    }
}

/// Where the node keeps a stored code's Wasm bytes (for the `Code` query).
pub fn code_bytes_key(code_id: u64) -> Vec<u8> {
    let mut k = b"wasmcode/".to_vec();
    k.extend_from_slice(&code_id.to_be_bytes());
    k
}

fn any<M: Message + Name>(m: M) -> Any {
    Any {
        type_url: M::type_url(),
        value: m.encode_to_vec(),
    }
}
