//! `starminer-devnet`: a single-validator CosmWasm chain for local use.
//!
//! It executes the real contract artifacts with `cosmwasm-vm` (through
//! [`starminer_wasm_host`]) and speaks CometBFT's JSON-RPC, so unmodified
//! clients (CosmJS, cosmrs, tendermint-rpc) work against it as against a
//! wasmd node. The crate follows basecoin-rs' cut:
//!
//! - [`store`]: the versioned authenticated state (a Jellyfish Merkle tree
//!   over redb) and the block log; the app hash is the tree root.
//! - [`app`]: the state machine (ante handler, message router onto the wasm
//!   host, genesis, queries in [`queries`]); [`auth`] accounts; [`tx`]
//!   decoding and SDK error codes; [`crypto`] keys and signatures.
//! - [`chain`]: CometBFT headers and signed commits; [`node`]: home, genesis,
//!   the application thread with its mempool; [`rpc`]: the CometBFT JSON-RPC.
//!
//! # Status
//!
//! Works and is tested: the store (unit tests), and end to end with
//! unmodified CosmJS 0.39 (`tests/cosmjs/run.sh`): account and balance
//! queries, bank send, upload / instantiate / execute / query of the real
//! AGPU artifact, contract and code queries, tx by hash, tx search by event,
//! NewBlock subscriptions over the WebSocket.
//!
//! Unfinished (issue 4 continues): the cosmrs + tendermint-rpc client test;
//! bad-input, random-bytes and kill -9 tests; the tx/s bench; queries of
//! gRPC paths at past heights (only `store/<module>/key` answers at any
//! height); ICS-23 proofs in `abci_query`; pagination of the wasm `Codes` /
//! `ContractsByCode` and bank `AllBalances` queries (they answer everything
//! in one page); accounts for contracts; Cosmos REST and gRPC servers.

pub mod app;
pub mod auth;
pub mod chain;
pub mod crypto;
pub mod node;
pub mod queries;
pub mod rpc;
pub mod store;
pub mod tx;
