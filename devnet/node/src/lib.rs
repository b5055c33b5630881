//! `starminer-devnet`: a single-validator CosmWasm chain for local use.
//!
//! It executes the real contract artifacts with `cosmwasm-vm` (through
//! [`starminer_wasm_host`]) and speaks CometBFT's JSON-RPC, so unmodified
//! clients (CosmJS, cosmrs, tendermint-rpc) work against it as against a
//! wasmd node. The crate follows basecoin-rs' cut:
//!
//! - [`store`]: the versioned authenticated state (a Jellyfish Merkle tree
//!   over redb) and the block log; the app hash is the tree root.
//!   [`txindex`]: lookups by hash and by event, in their own database,
//!   written by a thread beside block production as CometBFT's indexer is.
//! - [`app`]: the state machine (ante handler, message router onto the wasm
//!   host, genesis, queries in [`queries`]); [`auth`] accounts; [`tx`]
//!   decoding and SDK error codes; [`crypto`] keys and signatures;
//!   [`sigcache`] signatures verified once, on the RPC threads.
//! - [`chain`]: CometBFT headers and signed commits; [`node`]: home, genesis,
//!   the application thread with its mempool; [`rpc`]: the CometBFT JSON-RPC.
//! - [`services`]: the SDK's query and tx services shared by [`rest`] (the
//!   gRPC-gateway JSON of a wasmd node's port 1317) and [`grpc`] (its port
//!   9090); [`proofs`]: ICS-23 proofs for `abci_query` with `prove=true`.
//!
//! # Status
//!
//! Works and is tested: the store (unit tests), and end to end with
//! unmodified CosmJS 0.39 (`tests/cosmjs/run.sh`): account and balance
//! queries, bank send, upload / instantiate / execute / query of the real
//! AGPU artifact, contract and code queries, tx by hash, tx search by event,
//! NewBlock subscriptions over the WebSocket. The same story through cosmrs
//! (typed messages, SIGN_MODE_DIRECT) and tendermint-rpc's `HttpClient` and
//! `WebSocketClient` (`tests/client.rs`; note that tendermint-rs 0.41 hands
//! back a result's `data` as the text of CometBFT's base64, against any node).
//!
//! Bad input (`tests/bad_input.rs`), each answered with wasmd's codespace,
//! code and log and no state change beyond the fee where the SDK charges one:
//! malformed bytes (sdk/2), tampered signature, other chain id or account
//! number (sdk/4), stale and future sequence (sdk/32), fee under the minimum
//! gas price (sdk/13), unknown message type (sdk/2), oversized or empty wasm
//! (sdk/18, MsgStoreCode's ValidateBasic); in DeliverTx, fee charged and
//! sequence used: garbage wasm (wasm/2), cw20 overdraft (wasm/5), a failing
//! second message reverting the first. `tests/fuzz.rs`: 10,000 random and
//! mutated txs to `broadcast_tx_sync`, blocks continue, a valid tx commits.
//! `tests/crash.rs`: `kill -9` under load, restart: every tx seen committed
//! keeps its height, index and result, blocks and app hashes are unchanged,
//! the chain continues on top of them; a deleted tx index is rebuilt from
//! the stored transactions.
//!
//! Issue 5 (Devnet II), tested: Cosmos REST answers compared field by field
//! with the node's RPC answers in the SDK gateway's JSON shapes
//! (`tests/rest.rs`); gRPC through cosmos-sdk-proto's generated tonic clients
//! (`tests/grpc.rs`); gRPC server reflection (`grpc.reflection.v1` and
//! `v1alpha`, so grpcurl can list and describe) of every served service, its
//! descriptors checked field by field against the prost types the node
//! encodes (`tests/grpc_reflection.rs`); `abci_query` proofs verified with `ics23`, and
//! `/commit` + `/validators` accepted by `tendermint-light-client-verifier`
//! sequentially and skipping across 100 heights (`tests/proofs.rs`); Keplr's
//! own `@keplr-wallet/chain-validator` checks against `devnet/chain/keplr.json`
//! and a running node (`tests/keplr/run.sh`); 25 REST + 25 gRPC clients do not
//! stall blocks (`tests/load.rs`). Not done: REST simulate takes
//! `tx_bytes` only (not a JSON `tx`); staking and distribution describe the
//! fixed genesis validator (no staking module, no delegations or rewards).
//!
//! Issue 4, also tested: out of gas in DeliverTx (sdk/11, messages
//! reverted, fee charged, sequence used) and a contract that panics (the
//! AGPU mint overflow in cw20-base traps the VM: wasm/29 "wasmvm error" as
//! wasmd ≥ 0.51 answers, node unharmed) in `tests/wasm_faults.rs`;
//! ValidateBasic of every routed message with the SDK's and wasmd's codes and
//! logs (`tests/validate_basic.rs`); gRPC-path queries at past heights, the
//! SDK's pagination (key / offset / limit / count_total / reverse, next_key)
//! of wasm `Codes` / `ContractsByCode` and bank `AllBalances`, and auth
//! accounts for contracts as wasmd creates them (`tests/queries.rs`);
//! `blockchain`, `commit` (its signature verified), `validators`, `genesis`,
//! `net_info` and `broadcast_tx_commit` through tendermint-rpc
//! (`tests/rpc_endpoints.rs`).
//!
//! Not done: the mempool is not persisted (txs accepted but not committed
//! before a crash are lost, as with CometBFT); the SDK's gas for creating an
//! account (a coin recipient's or a contract's) is not charged.
//!
//! # Performance
//!
//! `tx-bench` (`src/bin/tx-bench.rs`) starts a node, has K funded accounts
//! send pre-signed cw20 transfers of the real AGPU artifact over
//! `broadcast_tx_sync`, and times each from broadcast to the NewBlock event
//! carrying it. The bars (≥ 1,000 tx/s at 1 s blocks, p99 ≤ 2
//! blocks, RSS ≤ 1 GiB after 100,000 transactions) are checked at an offered
//! load; without `--rate` every account sends as fast as CheckTx answers,
//! which measures the ceiling. Release build, this 2-core machine, the bench
//! client on the same cores:
//!
//! | run (100,000 transfers, 500 accounts) | tx/s | p50 | p99 | peak RSS |
//! |---|---|---|---|---|
//! | `--rate 1100` | 1,094 | 1.01 s (1 block) | 1.53 s (2 blocks) | 418 MiB |
//! | `--rate 1500` | 1,484 | 1.18 s (2 blocks) | 1.73 s (2 blocks) | 429 MiB |
//! | saturated | 2,080 | 1.55 s (2 blocks) | 3.35 s (3 blocks) | 631 MiB |
//!
//! Saturated, CheckTx admits faster than blocks execute: the mempool fills
//! to its cap (CometBFT's default, 5,000 txs), further broadcasts are
//! refused with "mempool is full" and the bench's accounts retry, so blocks
//! carry up to 5,000 transfers and the queue shows in the latency.
//!
//! What makes it fast enough: the application thread only executes and
//! commits. Signatures are verified on the RPC threads before CheckTx
//! ([`sigcache`], with libsecp256k1; CheckTx fell from ≈0.17 to ≈0.04 ms
//! per transfer), the tx index is written by its own thread into its own
//! database ([`txindex`]; the block commit fell from ≈0.25 to ≈0.03 ms per
//! transfer), blocks, results and transactions are stored as protobuf
//! rather than JSON, tx results are kept once, and mimalloc replaces glibc's
//! allocator (a fifth of the application thread was in malloc/free; peak
//! RSS fell by a third).
//!
//! What limits it, against the 5,000 tx/s aim: CPU, ≈0.86 ms per transfer
//! over both cores at 1,760 tx/s offered (a profile of the whole machine):
//! the application thread ≈0.40 ms (DeliverTx most of it, and a third of
//! that is cosmwasm-vm making and dropping a wasmer instance per call:
//! mapping the linear memory, copying data segments, page faults,
//! unmapping, as wasmd does; the contract's own code is about a tenth), the
//! RPC threads ≈0.24 ms (HTTP and JSON-RPC, the signature check ≈0.06 ms,
//! the WebSocket block events), the indexer ≈0.12 ms and the bench client
//! itself ≈0.10 ms. 5,000 tx/s on two cores would need ≈0.4 ms per
//! transfer in all: instance reuse (which cosmwasm-vm does not offer),
//! parallel execution of transactions that touch different accounts, and a
//! leaner event index are the next steps.

pub mod app;
pub mod auth;
pub mod chain;
pub mod crypto;
pub mod grpc;
pub mod node;
pub mod proofs;
pub mod queries;
pub mod rest;
pub mod rpc;
pub mod services;
pub mod sigcache;
pub mod store;
pub mod tx;
pub mod txindex;
