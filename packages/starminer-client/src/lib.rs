//! The StarMiner SDK: the one client through which the CLI, the provider
//! agent and any Rust integrator talk to a chain (docs/protocol.md).
//!
//! It reaches a chain only through the standard interfaces of a wasmd node
//! (CometBFT JSON-RPC; transactions are Cosmos SDK `Tx` protobufs signed with
//! SIGN_MODE_DIRECT), so the same code runs against the embedded devnet and
//! any CosmWasm chain.
//!
//! # The API in one page
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! use starminer_client::{ChainClient, ChainConfig, Key, Keystore, Manifest, Starminer, Wallet};
//!
//! // A chain: endpoints, chain id, prefix, gas price (`ChainConfig::devnet()` for the devnet).
//! let chain = ChainClient::new(ChainConfig::devnet())?;
//!
//! // Keys: BIP-39 mnemonics on m/44'/118'/0'/0/0, kept in an encrypted keystore.
//! let keystore = Keystore::open("/home/me/.starminer/keys")?;
//! let key: Key = keystore.load("alice", "passphrase")?;
//!
//! // A wallet signs, simulates for gas, broadcasts and waits for the block,
//! // refreshing its sequence on `sdk/32` and retrying transport errors.
//! let wallet = Wallet::new(chain.clone(), key)?;
//! wallet.send("starminer1...", 1_000, "ustar").await?;
//!
//! // Typed contract clients from a deployment manifest.
//! let manifest = Manifest::load("/home/me/.starminer/manifest.json")?;
//! let sm = Starminer::from_manifest(chain.clone(), &manifest)?;
//! let balance = sm.agpu().balance(wallet.address()).await?;
//! let job = sm.job_market().job(1).await?;
//! # let _ = (balance, job); Ok(()) }
//! ```
//!
//! Modules:
//! - [`config`]: [`ChainConfig`] (RPC, optional gRPC/REST, chain id, prefix,
//!   gas price and denom, gas adjustment).
//! - [`keys`]: [`Key`] (mnemonic → secp256k1 key → bech32 address) and the
//!   encrypted file [`Keystore`] (scrypt + ChaCha20-Poly1305; see its docs).
//! - [`rpc`]: [`ChainClient`], the RPC client of one chain (queries,
//!   simulation, broadcast, waiting for commit, retries with backoff,
//!   failover between endpoints) and [`TxOutcome`] (a committed tx's result
//!   and events).
//! - [`wallet`]: [`Wallet`], a key bound to a chain client that builds, signs
//!   and sends transactions with sequence handling.
//! - [`contracts`]: typed clients of every StarMiner contract built on
//!   `starminer-interfaces`' own messages ([`Starminer`] groups them), cw20
//!   `Send` for AGPU-paid actions.
//! - [`events`]: typed job-lifecycle events decoded from tx results.
//! - [`manifest`]: the deployment manifest (code ids, checksums, addresses
//!   per chain id) as JSON.
//! - [`deploy`]: [`starminer_deploy::DeployTarget`] for a wallet, an idempotent
//!   deployment driver over the manifest, and the template registration by
//!   governance proposal.
//! - [`upload`]: wasm uploaded gzip'ed, its sizes against a public node's
//!   limits.
//! - [`gov`]: the proposal flow (stake, propose, vote, wait, execute).
//! - [`follow`]: [`BlockFollower`], the heights of new blocks in order, over
//!   the CometBFT WebSocket with polling as fallback, resumable from a height.
//! - [`subscribe`]: live job events over the CometBFT WebSocket.
//! - [`paginate`]: [`collect_pages`] reads every page of a contract list
//!   query (`start_after`) or a Cosmos SDK query (`next_key`).
//! - [`output`]: fetch a job's output from the provider's result server and
//!   verify it against the on-chain Merkle root.

pub mod config;
pub mod contracts;
pub mod deploy;
pub mod events;
pub mod follow;
pub mod gov;
pub mod human;
pub mod keys;
pub mod manifest;
pub mod output;
pub mod paginate;
pub mod rpc;
pub mod subscribe;
pub mod upload;
pub mod wallet;

pub use config::ChainConfig;
pub use contracts::Starminer;
/// The protobuf `Any` every message is sent as.
pub use cosmos_sdk_proto::Any;
pub use events::{JobAction, JobEvent};
pub use follow::{BlockFollower, FollowSource};
pub use keys::{Key, Keystore, KeystoreError};
pub use manifest::Manifest;
pub use paginate::{collect_pages, Page, MAX_PAGE};
pub use rpc::{ChainClient, TxError, TxEvent, TxOutcome};
pub use wallet::Wallet;

/// Re-exported so users name the same message types the contracts use.
pub use starminer_deploy;
pub use starminer_interfaces as interfaces;
