//! The node: its home directory (`init`), and `start`, which opens the
//! chain, runs the application thread ([`crate::app::driver`]) and serves
//! the interfaces ([`crate::interfaces`]) over its [`NodeHandle`].
//!
//! Home layout:
//! - `config/genesis.json` — CometBFT genesis document with the app state
//! - `config/priv_validator_key.json` — the validator's ed25519 key
//! - `config/dev_accounts.json` — dev account mnemonics and addresses
//! - `data/chain.redb` — state tree, blocks, results, transactions
//! - `data/txindex.redb` — transactions by hash and by event ([`crate::store::txindex`])
//! - `data/wasm/` — compiled module cache

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{anyhow, bail, Context, Result};
use cosmwasm_std::{Coin, Decimal, Timestamp, Uint128};
use serde::{Deserialize, Serialize};
use tendermint::{block, consensus, Time};
use tokio::sync::broadcast;

use crate::app::blocks::{BlockProducer, PrivValidatorKey, Validator};
use crate::app::{App, AppConfig, AppState, GenesisAccount, BECH32_PREFIX, DENOM};
use crate::crypto;
use crate::store::txindex::{self, TxIndex};
use crate::store::ChainDb;

// The application thread's limits and handle, at their old paths.
pub use crate::app::driver::{
    run_app_thread, AppRequest, Genesis, NodeHandle, MAX_BLOCK_TXS, MAX_MEMPOOL_TXS, MEMPOOL_FULL,
};

pub const DEFAULT_CHAIN_ID: &str = "starminer-devnet-1";
/// What each dev account holds at genesis.
pub const DEV_ACCOUNT_BALANCE: u128 = 1_000_000_000_000;
/// A dev account as `init` prints and records it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DevAccount {
    pub name: String,
    pub address: String,
    pub mnemonic: String,
}

pub struct HomePaths {
    pub genesis: PathBuf,
    pub validator_key: PathBuf,
    pub dev_accounts: PathBuf,
    pub db: PathBuf,
    pub txindex: PathBuf,
    pub wasm_cache: PathBuf,
    /// The addresses `start` binds by default ([`ListenAddrs`]), from `init`.
    pub listen_config: PathBuf,
    /// The addresses the running node listens on, written once all are
    /// bound and removed when it stops.
    pub listening: PathBuf,
}

/// The node's listen addresses: as `init` records them in
/// `config/listen.json` (what `start` binds unless told otherwise), and as
/// `start` bound them, in `data/listening.json`. With port 0 in an address
/// the OS picks a free port and the second file tells which, so devnets
/// started side by side never race for a port.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ListenAddrs {
    pub rpc: std::net::SocketAddr,
    /// Cosmos REST; None: not served.
    pub rest: Option<std::net::SocketAddr>,
    /// gRPC; None: not served.
    pub grpc: Option<std::net::SocketAddr>,
}

impl Default for ListenAddrs {
    /// A wasmd node's ports on loopback: 26657, 1317 and 9090.
    fn default() -> Self {
        let local = |port| std::net::SocketAddr::from(([127, 0, 0, 1], port));
        ListenAddrs {
            rpc: local(26657),
            rest: Some(local(1317)),
            grpc: Some(local(9090)),
        }
    }
}

impl ListenAddrs {
    /// The addresses `init` recorded (the defaults for a home made before
    /// `init` recorded them).
    pub fn configured(home: &Path) -> Result<ListenAddrs> {
        let path = HomePaths::new(home).listen_config;
        if !path.exists() {
            return Ok(ListenAddrs::default());
        }
        Self::read(&path)
    }

    fn read(path: &Path) -> Result<ListenAddrs> {
        let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        serde_json::from_slice(&bytes).with_context(|| format!("parsing {}", path.display()))
    }

    fn write(&self, path: &Path) -> Result<()> {
        // Written whole and renamed, so a reader never sees half a file.
        let tmp = path.with_extension("json.partial");
        std::fs::write(&tmp, serde_json::to_vec_pretty(self)?)
            .with_context(|| format!("writing {}", tmp.display()))?;
        std::fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))
    }
}

impl HomePaths {
    pub fn new(home: &Path) -> Self {
        HomePaths {
            genesis: home.join("config/genesis.json"),
            validator_key: home.join("config/priv_validator_key.json"),
            dev_accounts: home.join("config/dev_accounts.json"),
            db: home.join("data/chain.redb"),
            txindex: home.join("data/txindex.redb"),
            wasm_cache: home.join("data/wasm"),
            listen_config: home.join("config/listen.json"),
            listening: home.join("data/listening.json"),
        }
    }
}

fn bech32_address(raw: &[u8]) -> Result<String> {
    let hrp = bech32::Hrp::parse(BECH32_PREFIX)?;
    Ok(bech32::encode::<bech32::Bech32>(hrp, raw)?)
}

/// The dev accounts: names `dev0`, `dev1`, … with mnemonics from [`crypto::dev_mnemonic`].
pub fn dev_accounts(count: u32) -> Result<Vec<DevAccount>> {
    (0..count)
        .map(|i| {
            let mnemonic = crypto::dev_mnemonic(i);
            let key = crypto::key_from_mnemonic(&mnemonic)?;
            let address = bech32_address(&crypto::address_bytes(&crypto::compressed_pubkey(&key)))?;
            Ok(DevAccount {
                name: format!("dev{i}"),
                address,
                mnemonic,
            })
        })
        .collect()
}

pub fn default_consensus_params() -> consensus::Params {
    consensus::Params {
        block: block::Size {
            max_bytes: 22_020_096,
            max_gas: -1,
            time_iota_ms: 1000,
        },
        evidence: tendermint::evidence::Params {
            max_age_num_blocks: 100_000,
            max_age_duration: tendermint::evidence::Duration(Duration::from_secs(172_800)),
            max_bytes: 1_048_576,
        },
        validator: consensus::params::ValidatorParams {
            pub_key_types: vec![tendermint::public_key::Algorithm::Ed25519],
        },
        version: Some(consensus::params::VersionParams { app: 0 }),
        abci: consensus::params::AbciParams::default(),
    }
}

/// Options of `init`.
pub struct InitOptions {
    pub home: PathBuf,
    pub chain_id: String,
    pub dev_accounts: u32,
    /// Extra funded addresses.
    pub extra_accounts: Vec<String>,
    pub overwrite: bool,
    /// What `start` binds unless told otherwise.
    pub listen: ListenAddrs,
}

/// Writes a new home: genesis, validator key, dev accounts. Returns the dev accounts.
pub fn init_home(opts: &InitOptions) -> Result<Vec<DevAccount>> {
    let paths = HomePaths::new(&opts.home);
    if paths.genesis.exists() && !opts.overwrite {
        bail!(
            "{} already exists; pass --overwrite to replace this home (its chain data is deleted)",
            paths.genesis.display()
        );
    }
    if opts.overwrite {
        let _ = std::fs::remove_dir_all(opts.home.join("data"));
    }
    std::fs::create_dir_all(opts.home.join("config"))?;
    std::fs::create_dir_all(opts.home.join("data"))?;
    opts.listen.write(&paths.listen_config)?;
    let key = PrivValidatorKey::generate();
    let validator = Validator::new(&key)?;
    let devs = dev_accounts(opts.dev_accounts)?;
    let funds = vec![Coin::new(Uint128::new(DEV_ACCOUNT_BALANCE), DENOM)];
    let mut accounts: Vec<GenesisAccount> = devs
        .iter()
        .map(|d| GenesisAccount {
            address: d.address.clone(),
            coins: funds.clone(),
        })
        .collect();
    for a in &opts.extra_accounts {
        accounts.push(GenesisAccount {
            address: a.clone(),
            coins: funds.clone(),
        });
    }
    let mut validator_info = validator.info.clone();
    validator_info.name = Some("devnet-validator".to_string());
    let genesis = Genesis {
        genesis_time: Time::now(),
        chain_id: opts.chain_id.parse().context("chain id")?,
        initial_height: 1,
        consensus_params: default_consensus_params(),
        validators: vec![validator_info],
        app_hash: Default::default(),
        app_state: AppState { accounts },
    };
    std::fs::write(&paths.genesis, serde_json::to_vec_pretty(&genesis)?)?;
    std::fs::write(&paths.validator_key, serde_json::to_vec_pretty(&key)?)?;
    std::fs::write(&paths.dev_accounts, serde_json::to_vec_pretty(&devs)?)?;
    Ok(devs)
}

/// Options of `start`.
#[derive(Clone, Debug)]
pub struct StartOptions {
    pub home: PathBuf,
    pub rpc_addr: std::net::SocketAddr,
    /// Cosmos REST (gRPC-gateway JSON) listen address; `None`: not served.
    pub rest_addr: Option<std::net::SocketAddr>,
    /// gRPC listen address; `None`: not served.
    pub grpc_addr: Option<std::net::SocketAddr>,
    pub block_interval: Duration,
    pub min_gas_price: Decimal,
}

/// The chain opened by [`open_chain`].
pub struct OpenedChain {
    pub chain: BlockProducer,
    pub db: Arc<ChainDb>,
    pub index: Arc<TxIndex>,
    pub genesis: Genesis,
    pub validator: Validator,
}

/// Opens the chain in `home`, applying genesis on first start.
pub fn open_chain(opts: &StartOptions) -> Result<OpenedChain> {
    let paths = HomePaths::new(&opts.home);
    let genesis_bytes = std::fs::read(&paths.genesis).with_context(|| {
        format!(
            "reading {}; run `starminer-devnet init --home {}` first",
            paths.genesis.display(),
            opts.home.display()
        )
    })?;
    let genesis: Genesis =
        serde_json::from_slice(&genesis_bytes).context("parsing genesis.json")?;
    let key: PrivValidatorKey = serde_json::from_slice(&std::fs::read(&paths.validator_key)?)
        .context("parsing priv_validator_key.json")?;
    let validator = Validator::new(&key)?;
    let db = ChainDb::open(&paths.db)?;
    let genesis_time =
        Timestamp::from_nanos(genesis.genesis_time.unix_timestamp_nanos().max(0) as u64);
    let config = AppConfig {
        chain_id: genesis.chain_id.to_string(),
        min_gas_price: opts.min_gas_price,
        wasm_cache_dir: paths.wasm_cache.clone(),
    };
    let fresh = db.latest_height()?.is_none();
    let mut app = App::open(db.clone(), config, genesis_time)?;
    if fresh {
        let root = app.init_chain(&genesis.app_state, &genesis_bytes)?;
        tracing::info!(app_hash = %hex::encode_upper(&root), "genesis applied");
    }
    let chain = BlockProducer::new(
        app,
        db.clone(),
        Validator::new(&key)?,
        genesis.chain_id.as_str(),
        genesis.consensus_params.clone(),
    )?;
    let index = TxIndex::open(&paths.txindex, db.clone())?;
    Ok(OpenedChain {
        chain,
        db,
        index,
        genesis,
        validator,
    })
}

/// Starts the node: the application thread and the RPC server; returns when
/// the server stops (Ctrl-C).
pub async fn start(opts: StartOptions) -> Result<()> {
    let (req_tx, req_rx) = mpsc::channel();
    // The channel keeps its last `capacity` blocks (with every tx and result)
    // alive: 32 bounds that memory; a subscriber further behind skips ahead.
    let (blocks_tx, _) = broadcast::channel(32);
    let interval = opts.block_interval;
    let blocks_for_app = blocks_tx.clone();
    // The wasm host is single-threaded: the chain is opened and run on its own thread.
    let (opened_tx, opened_rx) = std::sync::mpsc::channel();
    let app_opts = opts.clone();
    let app_thread = std::thread::Builder::new()
        .name("app".to_string())
        .spawn(move || {
            let opened = open_chain(&app_opts).and_then(|o| {
                let indexer = txindex::spawn_indexer(o.index.clone())?;
                Ok((o, indexer))
            });
            match opened {
                Ok((o, indexer)) => {
                    tracing::info!(
                        chain_id = %o.genesis.chain_id,
                        height = o.chain.latest_height(),
                        indexed_height = o.index.indexed_height(),
                        block_interval_ms = interval.as_millis() as u64,
                        "starting"
                    );
                    let _ = opened_tx.send(Ok((
                        o.db,
                        o.index,
                        o.chain.app.sig_cache(),
                        o.genesis,
                        o.validator.info.clone(),
                    )));
                    run_app_thread(o.chain, req_rx, blocks_for_app, indexer, interval);
                }
                Err(e) => {
                    let _ = opened_tx.send(Err(e));
                }
            }
        })?;
    let (db, index, sigs, genesis, validator) = opened_rx
        .recv()
        .map_err(|_| anyhow!("the application thread stopped while opening the chain"))??;
    let listening_file = HomePaths::new(&opts.home).listening;
    // A file left by a node that was killed must not be read as this one's.
    let _ = std::fs::remove_file(&listening_file);
    let (listener, rpc_addr) = bind(opts.rpc_addr, "RPC").await?;
    let rest_listener = match opts.rest_addr {
        Some(addr) => Some(bind(addr, "REST").await?),
        None => None,
    };
    let grpc_listener = match opts.grpc_addr {
        Some(addr) => Some(bind(addr, "gRPC").await?),
        None => None,
    };
    let listening = ListenAddrs {
        rpc: rpc_addr,
        rest: rest_listener.as_ref().map(|(_, a)| *a),
        grpc: grpc_listener.as_ref().map(|(_, a)| *a),
    };
    let handle = NodeHandle {
        requests: req_tx,
        db,
        index,
        sigs,
        blocks: blocks_tx,
        genesis: Arc::new(genesis),
        validator,
        rpc_addr,
        min_gas_price: opts.min_gas_price,
    };
    tracing::info!(addr = %rpc_addr, "CometBFT JSON-RPC listening (HTTP and /websocket)");
    let rest = match rest_listener {
        Some((listener, addr)) => {
            tracing::info!(%addr, "Cosmos REST listening");
            Some(crate::interfaces::rest::serve(listener, handle.clone()))
        }
        None => None,
    };
    let rest = async move {
        match rest {
            Some(server) => server.await,
            None => std::future::pending().await,
        }
    };
    let grpc = match grpc_listener {
        Some((listener, addr)) => {
            tracing::info!(%addr, "gRPC listening");
            Some(crate::interfaces::grpc::serve(listener, handle.clone()))
        }
        None => None,
    };
    let grpc = async move {
        match grpc {
            Some(server) => server.await,
            None => std::future::pending().await,
        }
    };
    let server = crate::interfaces::rpc::serve(listener, handle);
    listening.write(&listening_file)?;
    let stopped = tokio::select! {
        r = server => r,
        r = rest => r,
        r = grpc => r,
        _ = tokio::signal::ctrl_c() => {
            tracing::info!("stopping");
            Ok(())
        }
    };
    let _ = std::fs::remove_file(&listening_file);
    drop(app_thread);
    stopped
}

/// Binds `addr` (port 0: any free port); the listener and the address it got.
async fn bind(
    addr: std::net::SocketAddr,
    what: &str,
) -> Result<(tokio::net::TcpListener, std::net::SocketAddr)> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("binding the {what} address {addr}"))?;
    let bound = listener
        .local_addr()
        .with_context(|| format!("reading the bound {what} address"))?;
    Ok((listener, bound))
}
