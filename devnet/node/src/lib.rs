//! `starminer-devnet`: a single-validator CosmWasm chain for local use.
//!
//! It executes the real contract artifacts with `cosmwasm-vm` (through
//! [`starminer_wasm_host`]) and speaks CometBFT's JSON-RPC, the Cosmos REST
//! gateway and gRPC, so unmodified clients (CosmJS, Keplr, cosmrs,
//! tendermint-rpc) work against it as against a wasmd node. What it
//! implements and does not, how it is tested and how it compares with
//! wasmd are in `devnet/node/README.md`.
//!
//! # Modules, by layer
//!
//! - The store: [`store`] holds the versioned authenticated state (a
//!   Jellyfish Merkle tree over redb, with an `ibc` substore whose root the
//!   main tree holds) and the block log; the app hash is the main tree's
//!   root. [`proofs`] turns reads into ICS-23 proofs. [`txindex`] keeps
//!   lookups by hash and by event in their own database, written by a
//!   thread beside block production.
//! - The application: [`app`] is the state machine (ante handler, the
//!   message router onto the wasm host, genesis); [`queries`] answers the
//!   SDK's and wasmd's query paths on it; [`auth`] holds accounts, [`tx`]
//!   decodes transactions and carries the SDK's error codes, [`crypto`]
//!   keys and signatures, [`sigcache`] the signatures the RPC threads
//!   verified ahead of CheckTx.
//! - IBC: the `starminer-ibc` crate runs ibc-rs (clients, connections,
//!   channels, ICS-20) over the working state; [`ibc_host`] gives it the
//!   node's headers, proofs and bank, and [`app`] routes `/ibc.*` messages
//!   and queries to it.
//! - Block production: [`blocks`] builds CometBFT headers and commits
//!   signed by the validator around the application's results; [`node`]
//!   makes the home and genesis and runs the application thread with its
//!   mempool.
//! - The interfaces: [`rpc`] (CometBFT JSON-RPC and WebSocket), [`rest`]
//!   (a wasmd node's port 1317) and [`grpc`] (its port 9090), the last two
//!   over the shared [`services`].
//!
//! The layers do not yet form a strict stack: the application reaches the
//! interface-side [`services`] for simulation, and [`blocks`] and [`node`]
//! know each other. Cutting modules behind one small trait (auth, bank,
//! wasm, ibc, transfer) comes with the IBC host.

pub mod app;
pub mod crypto;
pub mod interfaces;
pub mod modules;
pub mod node;
pub mod store;

// The paths other crates, the binaries and the tests use.
pub use interfaces::{grpc, rest, rpc, services};
pub use store::proofs;
