//! A key bound to a chain: builds, simulates, signs (SIGN_MODE_DIRECT),
//! broadcasts and waits, keeping the account sequence.
//!
//! The wallet caches the account number and sequence after the first
//! transaction and counts up locally, so several transactions can go into one
//! block. When the node answers "account sequence mismatch" (`sdk/32`, e.g.
//! because another process used the same key), the wallet re-reads the account
//! and tries again. Transactions of one wallet are signed one at a time (a
//! lock is held from simulation to broadcast); waiting for the block happens
//! outside the lock.

use std::sync::Arc;

use anyhow::{anyhow, Context, Result};
use cosmos_sdk_proto::cosmos::tx::v1beta1::TxRaw;
use cosmos_sdk_proto::cosmwasm::wasm::v1::{
    MsgInstantiateContract2, MsgInstantiateContract2Response, MsgMigrateContract,
    MsgStoreCodeResponse,
};
use cosmos_sdk_proto::Any;
use cosmrs::tx::{Body, Fee, Msg, SignDoc, SignerInfo};
use cosmrs::AccountId;
use prost::{Message, Name};
use serde::Serialize;
use tokio::sync::Mutex;

use crate::keys::Key;
use crate::rpc::{ChainClient, TxError, TxOutcome};

/// How many times a transaction is re-signed after a sequence mismatch.
const SEQUENCE_RETRIES: u32 = 4;

#[derive(Clone, Copy, Debug)]
struct AccountState {
    number: u64,
    sequence: u64,
}

/// A signing account on one chain. Clones share the sequence counter.
#[derive(Clone)]
pub struct Wallet {
    chain: ChainClient,
    key: Key,
    account: AccountId,
    address: String,
    state: Arc<Mutex<Option<AccountState>>>,
}

impl std::fmt::Debug for Wallet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Wallet")
            .field("address", &self.address)
            .field("chain_id", &self.chain.config().chain_id)
            .finish()
    }
}

/// A coin as `amount` of `denom`.
pub fn coin(amount: u128, denom: &str) -> Result<cosmrs::Coin> {
    Ok(cosmrs::Coin {
        denom: denom
            .parse()
            .map_err(|e| anyhow!("`{denom}` is not a valid denom: {e}"))?,
        amount,
    })
}

impl Wallet {
    pub fn new(chain: ChainClient, key: Key) -> Result<Wallet> {
        let account = key.account_id(&chain.config().prefix)?;
        Ok(Wallet {
            address: account.to_string(),
            chain,
            key,
            account,
            state: Arc::new(Mutex::new(None)),
        })
    }

    pub fn from_mnemonic(chain: ChainClient, mnemonic: &str) -> Result<Wallet> {
        Wallet::new(chain, Key::from_mnemonic(mnemonic)?)
    }

    pub fn address(&self) -> &str {
        &self.address
    }

    pub fn account_id(&self) -> &AccountId {
        &self.account
    }

    pub fn chain(&self) -> &ChainClient {
        &self.chain
    }

    pub fn key(&self) -> &Key {
        &self.key
    }

    /// Forgets the cached sequence (the next transaction re-reads it).
    pub async fn reset_sequence(&self) {
        *self.state.lock().await = None;
    }

    /// The sequence the next transaction will be signed with.
    pub async fn next_sequence(&self) -> Result<u64> {
        let mut guard = self.state.lock().await;
        let state = match *guard {
            Some(s) => s,
            None => self.fetch_account().await?,
        };
        *guard = Some(state);
        Ok(state.sequence)
    }

    async fn fetch_account(&self) -> Result<AccountState> {
        let acc = self.chain.account(&self.address).await?.ok_or_else(|| {
            anyhow!(
                "account {} does not exist on {} yet: send it some {} first (its fees are paid in {})",
                self.address,
                self.chain.config().chain_id,
                self.chain.config().fee_denom,
                self.chain.config().fee_denom
            )
        })?;
        Ok(AccountState {
            number: acc.account_number,
            sequence: acc.sequence,
        })
    }

    fn body(msgs: &[Any], memo: &str) -> Body {
        Body::new(msgs.to_vec(), memo, 0u32)
    }

    /// The unsigned transaction that simulation runs (empty signature). Its
    /// fee is 1 unit of the fee denom, not empty as CosmJS sends it: wasmd
    /// deducts a non-empty fee in simulation too, so the fee transfer's gas
    /// (about 20,000, more than the gas adjustment covers on a bank send)
    /// is counted.
    fn simulation_bytes(&self, msgs: &[Any], memo: &str, state: AccountState) -> Result<Vec<u8>> {
        let body = Self::body(msgs, memo);
        let fee = Fee {
            amount: vec![coin(1, &self.chain.config().fee_denom)?],
            gas_limit: 0,
            payer: None,
            granter: None,
        };
        let auth_info =
            SignerInfo::single_direct(Some(self.key.public_key()), state.sequence).auth_info(fee);
        Ok(TxRaw {
            body_bytes: body
                .into_bytes()
                .map_err(|e| anyhow!("encoding the tx body: {e}"))?,
            auth_info_bytes: auth_info
                .into_bytes()
                .map_err(|e| anyhow!("encoding the auth info: {e}"))?,
            signatures: vec![vec![]],
        }
        .encode_to_vec())
    }

    fn sign(&self, msgs: &[Any], memo: &str, state: AccountState, gas: u64) -> Result<Vec<u8>> {
        let config = self.chain.config();
        let fee = Fee::from_amount_and_gas(coin(config.fee_for(gas), &config.fee_denom)?, gas);
        let auth_info =
            SignerInfo::single_direct(Some(self.key.public_key()), state.sequence).auth_info(fee);
        let chain_id: cosmrs::tendermint::chain::Id = config
            .chain_id
            .parse()
            .map_err(|e| anyhow!("chain id `{}`: {e}", config.chain_id))?;
        let doc = SignDoc::new(&Self::body(msgs, memo), &auth_info, &chain_id, state.number)
            .map_err(|e| anyhow!("building the sign doc: {e}"))?;
        let raw = doc
            .sign(&self.key.signing_key())
            .map_err(|e| anyhow!("signing: {e}"))?;
        raw.to_bytes().map_err(|e| anyhow!("encoding the tx: {e}"))
    }

    /// Simulates `msgs` and returns the gas they use (nothing is sent).
    pub async fn simulate(&self, msgs: &[Any], memo: &str) -> Result<u64> {
        let state = {
            let mut guard = self.state.lock().await;
            let s = match *guard {
                Some(s) => s,
                None => self.fetch_account().await?,
            };
            *guard = Some(s);
            s
        };
        self.chain
            .simulate(self.simulation_bytes(msgs, memo, state)?)
            .await
    }

    /// Signs and broadcasts `msgs` in one transaction with simulated gas × the
    /// gas adjustment; returns once the node accepted it, with its hash.
    pub async fn broadcast(&self, msgs: Vec<Any>, memo: &str) -> Result<String> {
        self.broadcast_inner(msgs, memo, None).await
    }

    /// Signs and broadcasts `msgs` with a gas limit of `gas`, without
    /// simulating first: a transaction that fails (out of gas, a contract
    /// error) is still sent and fails in its block, with its result on
    /// chain. For tests and tools that want exactly that.
    pub async fn broadcast_with_gas(&self, msgs: Vec<Any>, memo: &str, gas: u64) -> Result<String> {
        self.broadcast_inner(msgs, memo, Some(gas)).await
    }

    async fn broadcast_inner(
        &self,
        msgs: Vec<Any>,
        memo: &str,
        gas: Option<u64>,
    ) -> Result<String> {
        let mut retries = 0;
        loop {
            let mut guard = self.state.lock().await;
            let state = match *guard {
                Some(s) => s,
                None => self.fetch_account().await?,
            };
            *guard = Some(state);
            let attempt = async {
                let gas = match gas {
                    Some(gas) => gas,
                    None => {
                        let gas_used = self
                            .chain
                            .simulate(self.simulation_bytes(&msgs, memo, state)?)
                            .await?;
                        self.chain.config().adjusted_gas(gas_used)
                    }
                };
                let tx = self.sign(&msgs, memo, state, gas)?;
                self.chain.broadcast(tx).await
            }
            .await;
            match attempt {
                Ok(hash) => {
                    *guard = Some(AccountState {
                        sequence: state.sequence + 1,
                        ..state
                    });
                    return Ok(hash);
                }
                Err(e) => {
                    let wrong_sequence = e
                        .downcast_ref::<TxError>()
                        .is_some_and(TxError::is_wrong_sequence);
                    if wrong_sequence && retries < SEQUENCE_RETRIES {
                        tracing::debug!(address = %self.address, "sequence mismatch; re-reading the account");
                        *guard = None;
                        retries += 1;
                        continue;
                    }
                    // Unknown whether a broadcast that failed on the transport
                    // arrived: read the sequence again next time.
                    if e.downcast_ref::<TxError>().is_none() {
                        *guard = None;
                    }
                    return Err(e);
                }
            }
        }
    }

    /// [`Wallet::broadcast`], then waits for the block. A transaction that
    /// failed in its block is [`TxError::Deliver`].
    pub async fn execute_msgs(&self, msgs: Vec<Any>, memo: &str) -> Result<TxOutcome> {
        let hash = self.broadcast(msgs, memo).await?;
        let outcome = self.chain.wait_for_tx(&hash).await?;
        if !outcome.is_ok() {
            return Err(TxError::Deliver(Box::new(outcome)).into());
        }
        Ok(outcome)
    }

    /// The bank `MsgSend` of `amount` `denom` from this account to `to`.
    pub fn bank_send_msg(&self, to: &str, amount: u128, denom: &str) -> Result<Any> {
        let msg = cosmrs::bank::MsgSend {
            from_address: self.account.clone(),
            to_address: to
                .parse()
                .map_err(|e| anyhow!("`{to}` is not a bech32 address: {e}"))?,
            amount: vec![coin(amount, denom)?],
        };
        to_any(&msg)
    }

    /// Bank send of `amount` `denom` to `to`.
    pub async fn send(&self, to: &str, amount: u128, denom: &str) -> Result<TxOutcome> {
        let msg = self.bank_send_msg(to, amount, denom)?;
        self.execute_msgs(vec![msg], "").await
    }

    /// Uploads wasm code (gzip'ed, see [`crate::upload`]; code already
    /// gzip'ed is sent as is); returns the code id. Code that a node with
    /// CometBFT's default limits would refuse fails before anything is sent.
    pub async fn store_code(&self, wasm: Vec<u8>) -> Result<(u64, TxOutcome)> {
        let (upload, _) = crate::upload::prepare_upload(&wasm)?;
        let msg = cosmrs::cosmwasm::MsgStoreCode {
            sender: self.account.clone(),
            wasm_byte_code: upload,
            instantiate_permission: None,
        };
        let outcome = self.execute_msgs(vec![to_any(&msg)?], "").await?;
        let code_id = match outcome.msg_response::<MsgStoreCodeResponse>(0) {
            Ok(r) => r.code_id,
            Err(_) => outcome
                .attribute("store_code", "code_id")
                .ok_or_else(|| anyhow!("store code tx {} reported no code id", outcome.hash))?
                .parse()
                .context("code_id attribute")?,
        };
        Ok((code_id, outcome))
    }

    /// Instantiates `code_id` with instantiate2 (predictable address).
    #[allow(clippy::too_many_arguments)]
    pub async fn instantiate2(
        &self,
        code_id: u64,
        msg: &[u8],
        label: &str,
        admin: Option<&str>,
        salt: &[u8],
        funds: Vec<cosmrs::Coin>,
    ) -> Result<(String, TxOutcome)> {
        let msg = MsgInstantiateContract2 {
            sender: self.address.clone(),
            admin: admin.unwrap_or_default().to_string(),
            code_id,
            label: label.to_string(),
            msg: msg.to_vec(),
            funds: funds.into_iter().map(Into::into).collect(),
            salt: salt.to_vec(),
            fix_msg: false,
        };
        let any = Any {
            type_url: MsgInstantiateContract2::type_url(),
            value: msg.encode_to_vec(),
        };
        let outcome = self.execute_msgs(vec![any], "").await?;
        let address = match outcome.msg_response::<MsgInstantiateContract2Response>(0) {
            Ok(r) => r.address,
            Err(_) => outcome
                .attribute("instantiate", "_contract_address")
                .ok_or_else(|| anyhow!("instantiate tx {} reported no address", outcome.hash))?
                .to_string(),
        };
        Ok((address, outcome))
    }

    /// The `MsgExecuteContract` of `msg` (JSON) on `contract` with `funds`.
    pub fn execute_msg<M: Serialize>(
        &self,
        contract: &str,
        msg: &M,
        funds: Vec<cosmrs::Coin>,
    ) -> Result<Any> {
        let m = cosmrs::cosmwasm::MsgExecuteContract {
            sender: self.account.clone(),
            contract: contract
                .parse()
                .map_err(|e| anyhow!("`{contract}` is not a contract address: {e}"))?,
            msg: serde_json::to_vec(msg)?,
            funds,
        };
        to_any(&m)
    }

    /// The `MsgMigrateContract` moving `contract` to `code_id` with
    /// `msg` (JSON); only the contract's admin may send it.
    pub fn migrate_msg<M: Serialize>(&self, contract: &str, code_id: u64, msg: &M) -> Result<Any> {
        let m = MsgMigrateContract {
            sender: self.address.clone(),
            contract: contract.to_string(),
            code_id,
            msg: serde_json::to_vec(msg)?,
        };
        Ok(Any {
            type_url: MsgMigrateContract::type_url(),
            value: m.encode_to_vec(),
        })
    }

    /// Executes `msg` (JSON) on `contract` and waits for the block.
    pub async fn execute<M: Serialize>(
        &self,
        contract: &str,
        msg: &M,
        funds: Vec<cosmrs::Coin>,
    ) -> Result<TxOutcome> {
        let any = self.execute_msg(contract, msg, funds)?;
        self.execute_msgs(vec![any], "").await
    }
}

fn to_any<M: Msg>(msg: &M) -> Result<Any> {
    msg.to_any()
        .map_err(|e| anyhow!("encoding the message: {e}"))
}
