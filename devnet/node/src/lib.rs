//! `starminer-devnet`: a single-validator CosmWasm chain for local use.
//!
//! It executes the real contract artifacts with `cosmwasm-vm` (through
//! [`starminer_wasm_host`]) and speaks CometBFT's JSON-RPC, the Cosmos REST
//! gateway and gRPC, so unmodified clients (CosmJS, Keplr, cosmrs,
//! tendermint-rpc) work against it as against a wasmd node. What it
//! implements and does not, how it is tested and how it compares with
//! wasmd are in `devnet/node/README.md`.
//!
//! # Layers
//!
//! Each layer imports only the layers below it:
//! `node` → [`interfaces`] → [`app`] → [`modules`] → [`store`].
//!
//! - [`node`] makes the home and genesis and, in `start`, opens the chain,
//!   runs the application thread and serves the interfaces.
//! - [`interfaces`]: [`rpc`] (CometBFT JSON-RPC and WebSocket), [`rest`] (a
//!   wasmd node's port 1317) and [`grpc`] (its port 9090), the last two over
//!   the shared [`services`]. They reach the application through
//!   [`app::driver::NodeHandle`] and read committed blocks from the store.
//! - [`app`]: the state machine. [`app::App`] runs the block lifecycle
//!   (genesis, blocks, commit, CheckTx, simulation), [`app::ante`] the SDK's
//!   ante handler and [`app::router`] each message and query on the modules;
//!   [`app::blocks`] builds CometBFT headers and commits around its results
//!   and [`app::driver`] runs the application thread with its mempool.
//! - [`modules`]: auth, bank, wasm and IBC (ICS-20 included), each a type
//!   implementing [`modules::Module`]; it decodes its messages, runs them
//!   and answers its queries, on its own keys of the working state. Bank
//!   and contract operations run in the wasm host, IBC in the
//!   `starminer-ibc` crate. The app routes through the list
//!   [`modules::ALL`]: adding a module adds an entry there, not code to the
//!   app.
//! - [`store`]: the versioned authenticated state (a Jellyfish Merkle tree
//!   over redb, with an `ibc` substore whose root the main tree holds; the
//!   app hash is the main tree's root) and the block log; [`store::proofs`]
//!   turns reads into ICS-23 proofs and [`store::txindex`] keeps lookups by
//!   hash and by event in their own database, written by a thread beside
//!   block production.
//!
//! [`crypto`] (keys and signatures) is used by several layers and imports
//! nothing of the crate.

pub mod app;
pub mod crypto;
pub mod interfaces;
pub mod modules;
pub mod node;
pub mod store;

// The paths other crates, the binaries and the tests use.
pub use interfaces::{grpc, rest, rpc, services};
pub use store::proofs;
