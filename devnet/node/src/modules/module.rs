//! What a module is to the app: the [`Module`] trait, the messages it
//! decodes ([`Msg`]), what it runs on ([`Ctx`]) and the gas it pays
//! ([`Gas`]).
//!
//! The app knows modules only through this trait: it asks each module in
//! turn to decode a transaction's messages, runs every message on the
//! module that decoded it, and hands a query path to the modules until one
//! answers. A module keeps its state under its own keys of the working
//! state and answers its own queries.

use std::sync::Arc;

use cosmos_sdk_proto::Any;
use starminer_wasm_host::WasmHost;
use tendermint::abci;

use super::sdk::TxError;
use crate::store::{ChainDb, WorkingState};

/// A module of the chain: the messages it routes and the queries it answers.
pub trait Module: Sync {
    /// The module's name, the `message.module` attribute of its messages.
    fn name(&self) -> &'static str;

    /// Decodes `any` when its type is one of this module's messages (`None`
    /// when it is not), naming the address that must sign it.
    fn decode(&self, _any: &Any) -> Option<Result<Msg, TxError>> {
        None
    }

    /// The message's stateless checks, the SDK's `ValidateBasic`.
    fn validate_basic(&self, _msg: &Msg) -> Result<(), TxError> {
        Ok(())
    }

    /// Runs a message this module decoded on the working state, charging
    /// `gas`; returns its `Any` response and the events that follow the
    /// `message` event the app emits for every message.
    fn deliver(&self, _ctx: &Ctx<'_>, msg: &Msg, _gas: &mut Gas) -> Result<Delivered, TxError> {
        Err(misrouted(msg))
    }

    /// Answers the gRPC method `path` with the protobuf request `data`, when
    /// the method is one of this module's (`None` when it is not).
    fn query(&self, _ctx: &Ctx<'_>, _path: &str, _data: &[u8]) -> Option<Result<Vec<u8>, TxError>> {
        None
    }
}

/// The SDK's internal error for a message handed to a module that did not decode it.
fn misrouted(msg: &Msg) -> TxError {
    TxError::sdk(1, format!("misrouted message {}", msg.type_url))
}

/// A message a module decoded: its type, its signer, its place in the
/// transaction and the module's own form of it.
#[derive(Clone)]
pub struct Msg {
    pub type_url: String,
    /// The address that must sign the message.
    pub signer: String,
    /// The message's index in its transaction.
    pub index: usize,
    body: Arc<dyn std::any::Any + Send + Sync>,
}

impl Msg {
    pub fn new<T: Send + Sync + 'static>(
        type_url: impl Into<String>,
        signer: impl Into<String>,
        body: T,
    ) -> Self {
        Msg {
            type_url: type_url.into(),
            signer: signer.into(),
            index: 0,
            body: Arc::new(body),
        }
    }

    /// The decoded message, when it is a `T`.
    pub fn body<T: 'static>(&self) -> Option<&T> {
        self.body.downcast_ref()
    }

    /// The decoded message as a `T`, or the SDK's internal error (a module
    /// handed a message another module decoded).
    pub fn expect<T: 'static>(&self) -> Result<&T, TxError> {
        self.body().ok_or_else(|| misrouted(self))
    }
}

impl std::fmt::Debug for Msg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Msg")
            .field("type_url", &self.type_url)
            .field("signer", &self.signer)
            .field("index", &self.index)
            .finish_non_exhaustive()
    }
}

/// A message's outcome.
pub struct Delivered {
    pub response: Any,
    pub events: Vec<abci::Event>,
}

/// What a message or query runs on: the working state (pointed at the
/// queried version for a query), the wasm host that runs bank and contract
/// operations on it, and the committed chain.
pub struct Ctx<'a> {
    pub state: &'a WorkingState,
    pub host: &'a WasmHost,
    pub db: &'a Arc<ChainDb>,
    pub chain_id: &'a str,
}

/// An SDK gas meter: a transaction's limit and what it used so far.
#[derive(Clone, Copy, Debug)]
pub struct Gas {
    pub limit: u64,
    pub used: u64,
}

impl Gas {
    pub fn consume(&mut self, amount: u64, what: &str) -> Result<(), TxError> {
        self.used = self.used.saturating_add(amount);
        self.check(what)
    }

    /// The SDK's out-of-gas error once the meter is past its limit.
    pub fn check(&self, what: &str) -> Result<(), TxError> {
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

    pub fn remaining(&self) -> u64 {
        self.limit.saturating_sub(self.used)
    }
}

impl Ctx<'_> {
    /// Validates a message's address field; `what` names it in the error.
    pub fn addr(&self, address: &str, what: &str) -> Result<cosmwasm_std::Addr, TxError> {
        self.host
            .addr_validate(address)
            .map_err(|e| TxError::sdk(7, format!("{what}: {e}")))
    }
}
