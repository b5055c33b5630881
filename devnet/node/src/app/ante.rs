//! The SDK's ante handler: basic checks, tx size gas, the fee, public
//! keys, signature gas and verification, sequence increments.

use std::collections::HashMap;

use cosmos_sdk_proto::cosmos::tx::signing::v1beta1::SignMode;
use cosmos_sdk_proto::cosmos::tx::v1beta1::{mode_info, SignDoc};
use cosmwasm_std::{Coin, Uint128};
use prost::{Message, Name};
use starminer_wasm_host::{HostError, HostMsg};
use tendermint::abci;

use super::sigcache::sig_key;
use super::tx::DecodedTx;
use super::{App, Mode, DENOM};
use crate::crypto;
use crate::modules::auth;
use crate::modules::sdk::{abci_event, coins_text, host_event, parse_coins, TxError};
use crate::modules::Gas;

/// The SDK's `TxSizeCostPerByte`.
const TX_SIZE_COST_PER_BYTE: u64 = 10;
/// The SDK's `SigVerifyCostSecp256k1`.
const SIG_VERIFY_COST_SECP256K1: u64 = 1000;
/// The SDK's default `MaxMemoCharacters`.
const MAX_MEMO_CHARACTERS: usize = 256;

impl App {
    /// The SDK's ante chain: basic checks, tx size gas, fee, public keys,
    /// signature gas and verification, sequence increments.
    pub(super) fn ante(
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
                        coins_text(&fee.amount)
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
                ("fee".to_string(), coins_text(&fee.amount)),
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
}
