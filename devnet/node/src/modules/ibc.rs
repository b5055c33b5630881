//! The node's side of the IBC module (`starminer-ibc`): its past headers
//! and two-level proofs, its bank, and the running of an IBC message of a
//! transaction.

use std::sync::Arc;

use cosmwasm_std::{Addr, Coin, Uint128};
use ibc_proto::ibc::core::commitment::v1::MerkleProof;
use prost::Message;
use starminer_ibc::{Bank, HostChain, HostHeader};
use starminer_wasm_host::{HostError, WasmHost};

use crate::store::{substore_of, ChainDb};

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

/// The wasm host's bank, for ICS-20: the SDK gas and the bank events of
/// every operation are collected for the transaction.
pub struct NodeBank<'a> {
    pub host: &'a WasmHost,
    pub gas: u64,
    pub events: Vec<cosmwasm_std::Event>,
}

impl NodeBank<'_> {
    fn addr(&self, a: &str) -> Result<Addr, String> {
        self.host.addr_validate(a).map_err(|e| e.to_string())
    }

    fn run(
        &mut self,
        f: impl FnOnce(&starminer_wasm_host::bank::Bank) -> Result<Vec<cosmwasm_std::Event>, HostError>,
    ) -> Result<(), String> {
        let (r, usage) = self.host.bank_op(f);
        self.gas = self.gas.saturating_add(usage.sdk_gas);
        self.events.extend(r.map_err(|e| e.to_string())?);
        Ok(())
    }
}

fn coin(denom: &str, amount: u128) -> Vec<Coin> {
    vec![Coin::new(Uint128::new(amount), denom)]
}

impl Bank for NodeBank<'_> {
    fn balance(&self, addr: &str, denom: &str) -> u128 {
        self.addr(addr)
            .ok()
            .and_then(|a| self.host.bank_balance(&a, denom).ok())
            .map_or(0, |b| b.u128())
    }

    fn send(&mut self, from: &str, to: &str, denom: &str, amount: u128) -> Result<(), String> {
        let (from, to) = (self.addr(from)?, self.addr(to)?);
        self.run(|bank| bank.send(&from, &to, &coin(denom, amount)))
    }

    fn mint(&mut self, to: &str, denom: &str, amount: u128) -> Result<(), String> {
        let to = self.addr(to)?;
        self.run(|bank| bank.mint(&to, &coin(denom, amount)))
    }

    fn burn(&mut self, from: &str, denom: &str, amount: u128) -> Result<(), String> {
        let from = self.addr(from)?;
        self.run(|bank| bank.burn(&from, &coin(denom, amount)))
    }

    fn validate_address(&self, addr: &str) -> Result<(), String> {
        self.addr(addr).map(|_| ())
    }

    fn address_of(&self, raw: &[u8]) -> String {
        self.host
            .address_codec()
            .humanize(raw)
            .map(|a| a.to_string())
            .unwrap_or_default()
    }
}
