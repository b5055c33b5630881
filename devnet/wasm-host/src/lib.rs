//! The StarMiner wasm host: runs real CosmWasm artifacts in `cosmwasm-vm`
//! 2.2 with wasmd 0.5x's semantics. It is the core of the devnet's `wasm`
//! and `bank` modules and powers the wasm-level tests of our contracts.
//!
//! - [`store`]: the key-value store trait, an in-memory implementation and
//!   branch / commit / discard layering.
//! - [`host`]: [`WasmHost`], the public API (store code, instantiate,
//!   execute, migrate, admins, bank, queries, blocks).
//! - [`engine`]: wasmd's keeper logic (submessages, replies, events, gas).
//! - [`ibc`]: contracts' IBC entry points, and the bridge through which
//!   their `IbcMsg`s and `IbcQuery`s reach the chain's IBC module.
//! - [`backend`]: the VM backend (contract storage, querier), [`address`]:
//!   bech32 and contract address derivation, [`bank`], [`records`] (codes and
//!   contracts), [`gas`], [`events`], [`error`].
//! - `testing` (feature `testing`): a whole StarMiner deployment in a host,
//!   for the gas benchmark and the wasm-level end-to-end tests.
//!
//! ```no_run
//! use starminer_wasm_host::WasmHost;
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let host = WasmHost::new()?;
//! let alice = host.addr_make("alice");
//! let code_id = host.store_code(&alice, &std::fs::read("artifacts/agpu_token.wasm")?)?;
//! # let _ = code_id; Ok(()) }
//! ```

pub mod address;
pub mod backend;
pub mod bank;
pub mod engine;
pub mod error;
pub mod events;
pub mod gas;
pub mod host;
pub mod ibc;
pub mod metered;
pub mod records;
pub mod store;
#[cfg(feature = "testing")]
pub mod testing;

pub use address::AddressCodec;
pub use engine::{BlockContext, Limits};
pub use error::HostError;
pub use gas::{GasConfig, GasUsage};
pub use host::{ExecResult, HostConfig, HostMsg, TxOutcome, WasmHost, CAPABILITIES};
pub use ibc::{BranchStore, BridgeCall, IbcBridge, IbcDispatched, IbcEntry, IbcOutcome};
pub use records::{CodeId, CodeInfo, ContractInfo};
pub use store::{KeyRange, KvStore, MemStore, StateStack};
