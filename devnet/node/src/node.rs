//! The node: its home directory (`init`), and `start`, which runs the
//! application thread (mempool, CheckTx, blocks at a fixed interval) and
//! hands RPC requests to it over a channel.
//!
//! Home layout:
//! - `config/genesis.json` — CometBFT genesis document with the app state
//! - `config/priv_validator_key.json` — the validator's ed25519 key
//! - `config/dev_accounts.json` — dev account mnemonics and addresses
//! - `data/chain.redb` — state tree, blocks, results, transactions
//! - `data/txindex.redb` — transactions by hash and by event ([`crate::store::txindex`])
//! - `data/wasm/` — compiled module cache

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use cosmwasm_std::{Coin, Decimal, Timestamp, Uint128};
use serde::{Deserialize, Serialize};
use tendermint::{block, consensus, Time};
use tokio::sync::{broadcast, oneshot};

use crate::app::{
    App, AppConfig, AppState, GenesisAccount, QueryAnswer, TxExec, BECH32_PREFIX, DENOM,
};
use crate::app::blocks::{tx_hash, BlockProducer, CommittedBlock, PrivValidatorKey, Validator};
use crate::crypto;
use crate::app::sigcache::{self, SigCache};
use crate::store::ChainDb;
use crate::store::txindex::{self, TxIndex};

pub const DEFAULT_CHAIN_ID: &str = "starminer-devnet-1";
/// What each dev account holds at genesis.
pub const DEV_ACCOUNT_BALANCE: u128 = 1_000_000_000_000;
/// How many transactions at most go into one block.
pub const MAX_BLOCK_TXS: usize = 20_000;
/// How many transactions the mempool holds at most: CometBFT's default
/// `mempool.size`. Past it a broadcast is refused ("mempool is full") and
/// the client retries, which bounds the queue, and so the latency and the
/// memory, of a chain offered more than it executes.
pub const MAX_MEMPOOL_TXS: usize = 5_000;
/// How a refusal for a full mempool begins, as CometBFT words it (clients
/// recognise it by this text).
pub const MEMPOOL_FULL: &str = "mempool is full";

pub type Genesis = tendermint::Genesis<AppState>;

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

/// A request to the application thread.
pub enum AppRequest {
    /// CheckTx and, when it passes, into the mempool.
    Broadcast {
        tx: Vec<u8>,
        reply: oneshot::Sender<std::result::Result<TxExec, String>>,
    },
    Query {
        path: String,
        data: Vec<u8>,
        height: u64,
        reply: oneshot::Sender<QueryAnswer>,
    },
    /// How many transactions wait in the mempool, and their total bytes.
    MempoolSize {
        reply: oneshot::Sender<(usize, usize)>,
    },
}

/// What the RPC server shares with the application thread.
#[derive(Clone)]
pub struct NodeHandle {
    pub requests: mpsc::Sender<AppRequest>,
    pub db: Arc<ChainDb>,
    pub index: Arc<TxIndex>,
    /// Signatures the RPC threads verified ahead of CheckTx.
    pub sigs: Arc<SigCache>,
    pub blocks: broadcast::Sender<Arc<CommittedBlock>>,
    pub genesis: Arc<Genesis>,
    pub validator: tendermint::validator::Info,
    pub rpc_addr: std::net::SocketAddr,
    /// The minimum gas price CheckTx asks for, in ustar per gas unit.
    pub min_gas_price: Decimal,
}

impl NodeHandle {
    pub async fn request<T>(
        &self,
        make: impl FnOnce(oneshot::Sender<T>) -> AppRequest,
    ) -> Result<T> {
        let (tx, rx) = oneshot::channel();
        self.requests
            .send(make(tx))
            .map_err(|_| anyhow!("the application has stopped"))?;
        rx.await.map_err(|_| anyhow!("the application has stopped"))
    }

    /// Broadcasts a transaction: its signatures are verified here, on the
    /// calling thread, then CheckTx runs on the application thread (which
    /// finds them verified) and a passing transaction enters the mempool.
    pub async fn broadcast(&self, tx: Vec<u8>) -> Result<std::result::Result<TxExec, String>> {
        sigcache::preverify(&self.db, self.genesis.chain_id.as_str(), &self.sigs, &tx);
        self.request(|reply| AppRequest::Broadcast { tx, reply })
            .await
    }
}

struct Mempool {
    txs: Vec<Vec<u8>>,
    hashes: HashSet<[u8; 32]>,
    /// Next sequence of each account with transactions waiting.
    next_sequence: HashMap<String, u64>,
    bytes: usize,
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

/// Runs the application thread until the request channel closes.
pub fn run_app_thread(
    mut chain: BlockProducer,
    requests: mpsc::Receiver<AppRequest>,
    blocks: broadcast::Sender<Arc<CommittedBlock>>,
    indexer: mpsc::SyncSender<Arc<CommittedBlock>>,
    interval: Duration,
) {
    let mut mempool = Mempool {
        txs: Vec::new(),
        hashes: HashSet::new(),
        next_sequence: HashMap::new(),
        bytes: 0,
    };
    let mut next_block = Instant::now() + interval;
    loop {
        let wait = next_block.saturating_duration_since(Instant::now());
        // A block that is due goes first: a steady stream of requests (queries
        // from many clients) must not starve block production.
        let next = if wait.is_zero() {
            Err(mpsc::RecvTimeoutError::Timeout)
        } else {
            requests.recv_timeout(wait)
        };
        match next {
            Ok(req) => handle_request(&mut chain, &mut mempool, req),
            Err(mpsc::RecvTimeoutError::Timeout) => {
                let take = mempool.txs.len().min(MAX_BLOCK_TXS);
                let txs: Vec<Vec<u8>> = mempool.txs.drain(..take).collect();
                for t in &txs {
                    mempool
                        .hashes
                        .remove(tx_hash(t).as_bytes().try_into().unwrap_or(&[0; 32]));
                    mempool.bytes -= t.len();
                }
                if mempool.txs.is_empty() {
                    mempool.next_sequence.clear();
                }
                let started = Instant::now();
                match chain.produce_block(txs, Time::now()) {
                    Ok(committed) => {
                        tracing::info!(
                            height = committed.block.block.header.height.value(),
                            txs = committed.txs.len(),
                            app_hash = %committed.block.block.header.app_hash,
                            took_ms = started.elapsed().as_millis() as u64,
                            "committed block"
                        );
                        let committed = Arc::new(committed);
                        if indexer.send(committed.clone()).is_err() {
                            // Queries by hash and event would stop seeing new
                            // transactions; the indexer logged why.
                            tracing::error!("the tx indexer stopped; stopping block production");
                            return;
                        }
                        let _ = blocks.send(committed);
                    }
                    Err(e) => {
                        // A failed commit leaves the database at the previous
                        // block; stopping is safer than diverging.
                        tracing::error!("block production failed: {e:#}");
                        return;
                    }
                }
                next_block += interval;
                let now = Instant::now();
                if next_block < now {
                    next_block = now + interval / 4;
                }
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => return,
        }
    }
}

fn handle_request(chain: &mut BlockProducer, mempool: &mut Mempool, req: AppRequest) {
    match req {
        AppRequest::Broadcast { tx, reply } => {
            let hash: [u8; 32] = tx_hash(&tx).as_bytes().try_into().unwrap_or([0; 32]);
            if mempool.hashes.contains(&hash) {
                let _ = reply.send(Err("tx already exists in cache".to_string()));
                return;
            }
            if mempool.txs.len() >= MAX_MEMPOOL_TXS {
                let _ = reply.send(Err(format!(
                    "{MEMPOOL_FULL}: number of txs {} (max: {MAX_MEMPOOL_TXS})",
                    mempool.txs.len()
                )));
                return;
            }
            let result = chain.app.check_tx(&tx, &mempool.next_sequence);
            if result.is_ok() {
                for (addr, seq) in &result.signer_sequences {
                    mempool.next_sequence.insert(addr.clone(), seq + 1);
                }
                mempool.bytes += tx.len();
                mempool.hashes.insert(hash);
                mempool.txs.push(tx);
            }
            let _ = reply.send(Ok(result));
        }
        AppRequest::Query {
            path,
            data,
            height,
            reply,
        } => {
            let _ = reply.send(chain.app.query(&path, &data, height));
        }
        AppRequest::MempoolSize { reply } => {
            let _ = reply.send((mempool.txs.len(), mempool.bytes));
        }
    }
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
