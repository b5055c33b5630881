//! The IBC module: the `/ibc.core.*` messages and ICS-20's `MsgTransfer`,
//! run by the `starminer-ibc` crate (ibc-rs) over the working state, and
//! the `ibc.core.*` and `ibc.applications.transfer.v1` queries. Its paths
//! live in the `ibc` substore; this file gives the crate the node's past
//! headers and two-level proofs ([`NodeChain`]) and its bank ([`NodeBank`]).

use std::rc::Rc;
use std::sync::Arc;

use cosmos_sdk_proto::Any;
use cosmwasm_std::{Addr, Uint128};
use ibc_proto::ibc::core::commitment::v1::MerkleProof;
use prost::Message;
use starminer_ibc::{BankAccess, HostBank, HostChain, HostHeader};
use starminer_wasm_host::bank::Bank as WasmBank;
use starminer_wasm_host::{AddressCodec, HostError, WasmHost};

use super::module::{Ctx, Delivered, Gas, Module, Msg};
use super::sdk::{abci_event, bech32_error, host_event, TxError};
use crate::store::{substore_of, ChainDb};

/// The IBC module (ICS-20 included: `starminer-ibc` routes its port).
pub struct Ibc;

impl Module for Ibc {
    fn name(&self) -> &'static str {
        "ibc"
    }

    fn decode(&self, any: &Any) -> Option<Result<Msg, TxError>> {
        let url = any.type_url.as_str();
        if !starminer_ibc::handles(url) {
            return None;
        }
        Some(
            starminer_ibc::signer(url, &any.value)
                .map(|signer| Msg::new(url, signer, any.value.clone()))
                .map_err(|e| TxError {
                    codespace: e.codespace.to_string(),
                    code: e.code,
                    log: e.log,
                }),
        )
    }

    fn validate_basic(&self, msg: &Msg) -> Result<(), TxError> {
        match bech32_error(&msg.signer) {
            Some(e) => Err(TxError::sdk(7, format!("invalid signer address: {e}"))),
            None => Ok(()),
        }
    }

    /// Runs the message through `starminer-ibc`, on the same working state
    /// and bank as every other message.
    fn deliver(&self, ctx: &Ctx<'_>, msg: &Msg, gas: &mut Gas) -> Result<Delivered, TxError> {
        let index = msg.index;
        let value: &Vec<u8> = msg.expect()?;
        let env = block_env(ctx, ctx.host.block().height);
        let chain = Rc::new(NodeChain { db: ctx.db.clone() });
        let mut bank = HostBank::new(NodeBank {
            host: ctx.host,
            gas: 0,
        });
        let url = msg.type_url.as_str();
        let apps = starminer_ibc::Apps {
            bank: &mut bank,
            contracts: ctx.host,
            gas_limit: gas.limit.saturating_sub(gas.used),
        };
        let result = starminer_ibc::deliver(ctx.state.clone(), env, chain, apps, url, value);
        gas.used = gas.used.saturating_add(bank.access.gas);
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
        let mut events: Vec<_> = bank
            .events
            .iter()
            .map(|e| host_event(e, Some(index)))
            .collect();
        events.extend(out.events.into_iter().map(|(kind, mut attrs)| {
            attrs.push(("msg_index".to_string(), index.to_string()));
            abci_event(&kind, attrs)
        }));
        Ok(Delivered { response, events })
    }

    /// Answers every `/ibc.*` method: an unknown one is refused here.
    fn query(&self, ctx: &Ctx<'_>, path: &str, data: &[u8]) -> Option<Result<Vec<u8>, TxError>> {
        if !path.starts_with("/ibc.") {
            return None;
        }
        let env = block_env(ctx, ctx.state.version());
        let chain = Rc::new(NodeChain { db: ctx.db.clone() });
        let bank = HostBank::new(NodeBank {
            host: ctx.host,
            gas: 0,
        });
        Some(
            match starminer_ibc::query(ctx.state.clone(), env, chain, &bank, path, data) {
                Some(answer) => answer.map_err(|e| {
                    TxError::sdk(22, format!("rpc error: code = NotFound desc = {e}"))
                }),
                None => Err(TxError::sdk(6, format!("unknown query path {path}"))),
            },
        )
    }
}

/// What the IBC module knows of the block: the chain id, `height` and the
/// host's block time.
fn block_env(ctx: &Ctx<'_>, height: u64) -> starminer_ibc::BlockEnv {
    starminer_ibc::BlockEnv {
        chain_id: ctx.chain_id.to_string(),
        height,
        time_nanos: ctx.host.block().time.nanos(),
    }
}

/// The chain's committed blocks and state, as the IBC module reads them.
pub struct NodeChain {
    pub db: Arc<ChainDb>,
}

impl HostChain for NodeChain {
    fn header(&self, height: u64) -> Option<HostHeader> {
        let stored = self.db.block(height).ok()??;
        let h = &stored.block.header;
        Some(HostHeader {
            time_nanos: u64::try_from(h.time.unix_timestamp_nanos()).ok()?,
            app_hash: h.app_hash.as_bytes().to_vec(),
            next_validators_hash: h.next_validators_hash.as_bytes().to_vec(),
        })
    }

    fn proof(&self, key: &[u8], version: u64) -> Option<Vec<u8>> {
        let (name, inner) = substore_of(key)?;
        let (_, proofs) = self.db.get_with_substore_proof(name, inner, version).ok()?;
        Some(
            MerkleProof {
                proofs: proofs.to_vec(),
            }
            .encode_to_vec(),
        )
    }
}

/// How a relayer's message reaches the wasm host's bank ([`HostBank`] does
/// the rest): each operation atomic under its own meter, whose SDK gas is
/// counted for the transaction.
pub struct NodeBank<'a> {
    pub host: &'a WasmHost,
    /// The SDK gas of the operations so far.
    pub gas: u64,
}

impl BankAccess for NodeBank<'_> {
    fn codec(&self) -> &AddressCodec {
        self.host.address_codec()
    }

    fn balance(&self, addr: &Addr, denom: &str) -> Result<Uint128, HostError> {
        self.host.bank_balance(addr, denom)
    }

    fn run(
        &mut self,
        op: &dyn Fn(&WasmBank) -> Result<Vec<cosmwasm_std::Event>, HostError>,
    ) -> Result<Vec<cosmwasm_std::Event>, HostError> {
        let (r, usage) = self.host.bank_op(op);
        self.gas = self.gas.saturating_add(usage.sdk_gas);
        r
    }
}
