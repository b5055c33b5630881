//! CometBFT JSON-RPC (0.38 dialect) over HTTP POST, HTTP GET (URI params)
//! and WebSocket `/websocket` with subscriptions. Result shapes are the
//! `tendermint-rpc` endpoint response types, serialized as they are.

use std::collections::{BTreeMap, HashMap};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Result;
use axum::extract::ws::{Message as WsMessage, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, Query as UriQuery, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tendermint::{abci, block};
use tendermint_rpc::endpoint;
use tendermint_rpc::event::{self, EventData, TxInfo, TxResult};
use tendermint_rpc::query::{Condition, EventType, Operand, Operation, Query};
use tendermint_rpc::response_error::{Code, ResponseError};
use tendermint_rpc::Id;
use tokio::sync::{broadcast, mpsc};

use crate::app::blocks::COMETBFT_VERSION;
use crate::app::driver::{AppRequest, NodeHandle};
use crate::app::TxExec;
use crate::store::TxRecord;
use crate::store::{tx_hash, CommittedBlock};

/// An RPC error: JSON-RPC code and data.
struct RpcError {
    code: Code,
    data: String,
}

impl RpcError {
    fn invalid_params(data: impl Into<String>) -> Self {
        RpcError {
            code: Code::InvalidParams,
            data: data.into(),
        }
    }

    fn internal(data: impl Into<String>) -> Self {
        RpcError {
            code: Code::InternalError,
            data: data.into(),
        }
    }
}

impl From<anyhow::Error> for RpcError {
    fn from(e: anyhow::Error) -> Self {
        RpcError::internal(format!("{e:#}"))
    }
}

type RpcResult = std::result::Result<Value, RpcError>;

fn to_value<T: serde::Serialize>(v: &T) -> RpcResult {
    let mut v = serde_json::to_value(v).map_err(|e| RpcError::internal(e.to_string()))?;
    base64_result_data(&mut v);
    Ok(v)
}

/// CometBFT writes ABCI results' `data` bytes as base64; tendermint-rs'
/// `ExecTxResult`/`CheckTx` serialize their `bytes::Bytes` as a number array
/// (and read Comet's string back as its text), so the wire form is restored here.
fn base64_result_data(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for (k, child) in map.iter_mut() {
                if k == "data" {
                    if let Value::Array(items) = child {
                        if items.iter().all(|i| i.as_u64().is_some_and(|n| n <= 255)) {
                            let bytes: Vec<u8> = items
                                .iter()
                                .filter_map(|i| i.as_u64())
                                .map(|n| n as u8)
                                .collect();
                            *child = Value::String(B64.encode(bytes));
                            continue;
                        }
                    }
                }
                base64_result_data(child);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(base64_result_data),
        _ => {}
    }
}

pub async fn serve(listener: tokio::net::TcpListener, node: NodeHandle) -> Result<()> {
    let app = Router::new()
        .route("/", post(http_post).get(index))
        .route("/websocket", get(websocket))
        .route("/{method}", get(http_get))
        .with_state(node);
    axum::serve(listener, app).await?;
    Ok(())
}

async fn index() -> impl IntoResponse {
    let methods = METHODS.join("\n");
    format!("StarMiner devnet — CometBFT {COMETBFT_VERSION} JSON-RPC. Endpoints:\n{methods}\n")
}

const METHODS: &[&str] = &[
    "abci_info",
    "abci_query",
    "block",
    "block_results",
    "block_search",
    "blockchain",
    "broadcast_tx_async",
    "broadcast_tx_commit",
    "broadcast_tx_sync",
    "commit",
    "consensus_params",
    "genesis",
    "header",
    "health",
    "net_info",
    "num_unconfirmed_txs",
    "status",
    "subscribe (WebSocket)",
    "tx",
    "tx_search",
    "unsubscribe (WebSocket)",
    "unsubscribe_all (WebSocket)",
    "validators",
];

/// The JSON-RPC envelope as CometBFT writes it: `result` or `error`, never both
/// (CosmJS treats any `error` key, even null, as a failure).
fn envelope(id: Id, result: RpcResult) -> Value {
    let id = serde_json::to_value(id).unwrap_or(Value::Null);
    match result {
        Ok(v) => json!({"jsonrpc": "2.0", "id": id, "result": v}),
        Err(e) => {
            let error = serde_json::to_value(ResponseError::new(e.code, Some(e.data)))
                .unwrap_or(Value::Null);
            json!({"jsonrpc": "2.0", "id": id, "error": error})
        }
    }
}

fn parse_id(v: &Value) -> Id {
    serde_json::from_value(v.get("id").cloned().unwrap_or(Value::Null)).unwrap_or(Id::None)
}

async fn handle_call(node: &NodeHandle, call: &Value) -> Value {
    let id = parse_id(call);
    let Some(method) = call.get("method").and_then(Value::as_str) else {
        return envelope(
            id,
            Err(RpcError {
                code: Code::InvalidRequest,
                data: "missing method".to_string(),
            }),
        );
    };
    let params = call.get("params").cloned().unwrap_or(Value::Null);
    envelope(id, dispatch(node, method, params).await)
}

async fn http_post(State(node): State<NodeHandle>, body: axum::body::Bytes) -> Response {
    let parsed: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => {
            return Json(envelope(
                Id::None,
                Err(RpcError {
                    code: Code::ParseError,
                    data: e.to_string(),
                }),
            ))
            .into_response()
        }
    };
    match parsed {
        Value::Array(calls) => {
            let mut out = Vec::with_capacity(calls.len());
            for c in &calls {
                out.push(handle_call(&node, c).await);
            }
            Json(Value::Array(out)).into_response()
        }
        call => Json(handle_call(&node, &call).await).into_response(),
    }
}

/// URI requests: `GET /block?height=5`, strings quoted (`path="/..."`), bytes as `0x…` hex.
async fn http_get(
    State(node): State<NodeHandle>,
    Path(method): Path<String>,
    UriQuery(query): UriQuery<HashMap<String, String>>,
) -> Response {
    let mut params = serde_json::Map::new();
    for (k, v) in query {
        let value = if let Some(s) = v.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
            Value::String(s.to_string())
        } else if let Some(hex_str) = v.strip_prefix("0x") {
            match hex::decode(hex_str) {
                // Byte parameters travel as base64 in JSON bodies, except abci_query's hex data.
                Ok(bytes) if k == "data" => Value::String(hex::encode(bytes)),
                Ok(bytes) => Value::String(B64.encode(bytes)),
                Err(_) => Value::String(v.clone()),
            }
        } else if v == "true" || v == "false" {
            Value::Bool(v == "true")
        } else {
            Value::String(v)
        };
        params.insert(k, value);
    }
    Json(envelope(
        Id::Num(-1),
        dispatch(&node, &method, Value::Object(params)).await,
    ))
    .into_response()
}

// ---- parameters -------------------------------------------------------------

/// Named parameters, also accepting CometBFT's positional form.
struct Params {
    map: serde_json::Map<String, Value>,
}

impl Params {
    fn new(params: Value, names: &[&str]) -> Self {
        let map = match params {
            Value::Object(m) => m,
            Value::Array(items) => names
                .iter()
                .zip(items)
                .map(|(n, v)| (n.to_string(), v))
                .collect(),
            _ => serde_json::Map::new(),
        };
        Params { map }
    }

    fn str(&self, name: &str) -> Option<String> {
        match self.map.get(name)? {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    fn u64(&self, name: &str) -> std::result::Result<Option<u64>, RpcError> {
        match self.str(name) {
            None => Ok(None),
            Some(s) if s.is_empty() => Ok(None),
            Some(s) => s
                .parse()
                .map(Some)
                .map_err(|_| RpcError::invalid_params(format!("{name}: not a number: {s}"))),
        }
    }

    fn base64(&self, name: &str) -> std::result::Result<Vec<u8>, RpcError> {
        let s = self
            .str(name)
            .ok_or_else(|| RpcError::invalid_params(format!("missing {name}")))?;
        B64.decode(s.as_bytes())
            .map_err(|e| RpcError::invalid_params(format!("{name}: invalid base64: {e}")))
    }
}

// ---- dispatch ---------------------------------------------------------------

async fn dispatch(node: &NodeHandle, method: &str, params: Value) -> RpcResult {
    match method {
        "health" => to_value(&endpoint::health::Response {}),
        "status" => status(node).await,
        "abci_info" => abci_info(node),
        "abci_query" => {
            abci_query(
                node,
                Params::new(params, &["path", "data", "height", "prove"]),
            )
            .await
        }
        "broadcast_tx_sync" | "broadcast_tx_async" => {
            broadcast_sync(node, Params::new(params, &["tx"])).await
        }
        "broadcast_tx_commit" => broadcast_commit(node, Params::new(params, &["tx"])).await,
        "tx" => tx(node, Params::new(params, &["hash", "prove"])).await,
        "tx_search" => {
            tx_search(
                node,
                Params::new(params, &["query", "prove", "page", "per_page", "order_by"]),
            )
            .await
        }
        "block" => block_at(node, Params::new(params, &["height"])),
        "header" => header_at(node, Params::new(params, &["height"])),
        "consensus_params" => consensus_params(node, Params::new(params, &["height"])),
        "block_search" => block_search(
            node,
            Params::new(params, &["query", "page", "per_page", "order_by"]),
        ),
        "block_results" => block_results(node, Params::new(params, &["height"])),
        "blockchain" => blockchain(node, Params::new(params, &["minHeight", "maxHeight"])),
        "commit" => commit(node, Params::new(params, &["height"])),
        "validators" => validators(node, Params::new(params, &["height", "page", "per_page"])),
        "genesis" => to_value(&endpoint::genesis::Response {
            genesis: (*node.genesis).clone(),
        }),
        "net_info" => to_value(&endpoint::net_info::Response {
            listening: true,
            listeners: vec![serde_json::from_value(json!(format!(
                "Listener(@tcp://{})",
                node.rpc_addr
            )))
            .map_err(|e| RpcError::internal(e.to_string()))?],
            n_peers: 0,
            peers: Vec::new(),
        }),
        "num_unconfirmed_txs" => {
            let (n, bytes) = node
                .request(|reply| AppRequest::MempoolSize { reply })
                .await?;
            Ok(json!({
                "n_txs": n.to_string(),
                "total": n.to_string(),
                "total_bytes": bytes.to_string(),
                "txs": null
            }))
        }
        "subscribe" | "unsubscribe" | "unsubscribe_all" => Err(RpcError::internal(
            "subscribe is only available over the WebSocket at /websocket",
        )),
        other => Err(RpcError {
            code: Code::MethodNotFound,
            data: format!("unknown method {other}"),
        }),
    }
}

fn latest_height(node: &NodeHandle) -> std::result::Result<u64, RpcError> {
    Ok(node.db.latest_height()?.unwrap_or(0))
}

fn height_param(node: &NodeHandle, p: &Params) -> std::result::Result<u64, RpcError> {
    let latest = latest_height(node)?;
    match p.u64("height")? {
        None | Some(0) => {
            if latest == 0 {
                Err(RpcError::internal(
                    "no blocks yet: the first block is being produced",
                ))
            } else {
                Ok(latest)
            }
        }
        Some(h) if h > latest => Err(RpcError::internal(format!(
            "height {h} must be less than or equal to the current blockchain height {latest}"
        ))),
        Some(h) => Ok(h),
    }
}

async fn status(node: &NodeHandle) -> RpcResult {
    let latest = latest_height(node)?;
    let latest_block = if latest > 0 {
        node.db.block(latest)?
    } else {
        None
    };
    let first = if latest > 0 { node.db.block(1)? } else { None };
    let app_hash = tendermint::AppHash::try_from(node.db.latest_app_hash()?)
        .map_err(|e| RpcError::internal(e.to_string()))?;
    let node_id = tendermint::node::Id::new(
        node.validator
            .address
            .as_bytes()
            .try_into()
            .map_err(|_| RpcError::internal("validator address"))?,
    );
    let network = node.genesis.chain_id.clone();
    let node_info = tendermint::node::Info {
        protocol_version: tendermint::node::info::ProtocolVersionInfo {
            p2p: 8,
            block: crate::app::blocks::BLOCK_PROTOCOL,
            app: 0,
        },
        id: node_id,
        listen_addr: tendermint::node::info::ListenAddress::new(format!("tcp://{}", node.rpc_addr)),
        network,
        version: serde_json::from_value(json!(COMETBFT_VERSION))
            .map_err(|e| RpcError::internal(e.to_string()))?,
        channels: serde_json::from_value(json!("40202122233038606100"))
            .map_err(|e| RpcError::internal(e.to_string()))?,
        moniker: serde_json::from_value(json!("starminer-devnet"))
            .map_err(|e| RpcError::internal(e.to_string()))?,
        other: tendermint::node::info::OtherInfo {
            tx_index: tendermint::node::info::TxIndexStatus::On,
            rpc_address: format!("tcp://{}", node.rpc_addr),
        },
    };
    let genesis_time = node.genesis.genesis_time;
    let sync_info = endpoint::status::SyncInfo {
        earliest_block_hash: first.as_ref().map(|b| b.block_id.hash).unwrap_or_default(),
        earliest_app_hash: first
            .as_ref()
            .map(|b| b.block.header.app_hash.clone())
            .unwrap_or_default(),
        earliest_block_height: block::Height::from(if latest > 0 { 1u32 } else { 0u32 }),
        earliest_block_time: first
            .as_ref()
            .map(|b| b.block.header.time)
            .unwrap_or(genesis_time),
        latest_block_hash: latest_block
            .as_ref()
            .map(|b| b.block_id.hash)
            .unwrap_or_default(),
        latest_app_hash: app_hash,
        latest_block_height: block::Height::try_from(latest)
            .map_err(|e| RpcError::internal(e.to_string()))?,
        latest_block_time: latest_block
            .as_ref()
            .map(|b| b.block.header.time)
            .unwrap_or(genesis_time),
        catching_up: false,
    };
    let mut v = to_value(&endpoint::status::Response {
        node_info,
        sync_info,
        validator_info: node.validator.clone(),
    })?;
    if let Some(info) = v.get_mut("validator_info") {
        comet_validator_json(info, false);
    }
    Ok(v)
}

/// CometBFT writes a validator's power as `voting_power` (with
/// `proposer_priority` in `/validators`); tendermint-rs' `validator::Info`
/// serializer writes its genesis form (`power`, `name`) and only accepts the
/// RPC names when reading, so the RPC form is restored here.
fn comet_validator_json(v: &mut Value, with_priority: bool) {
    if let Some(obj) = v.as_object_mut() {
        obj.remove("name");
        if let Some(power) = obj.remove("power") {
            obj.insert("voting_power".to_string(), power);
        }
        if with_priority {
            obj.entry("proposer_priority")
                .or_insert_with(|| Value::String("0".to_string()));
        } else {
            obj.remove("proposer_priority");
        }
    }
}

fn abci_info(node: &NodeHandle) -> RpcResult {
    let latest = latest_height(node)?;
    to_value(&endpoint::abci_info::Response {
        response: abci::response::Info {
            data: "starminer-devnet".to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
            app_version: 0,
            last_block_height: block::Height::try_from(latest)
                .map_err(|e| RpcError::internal(e.to_string()))?,
            last_block_app_hash: tendermint::AppHash::try_from(node.db.latest_app_hash()?)
                .map_err(|e| RpcError::internal(e.to_string()))?,
        },
    })
}

async fn abci_query(node: &NodeHandle, p: Params) -> RpcResult {
    let path = p.str("path").unwrap_or_default();
    let data = match p.str("data") {
        Some(s) => hex::decode(s.trim_start_matches("0x"))
            .map_err(|e| RpcError::invalid_params(format!("data: invalid hex: {e}")))?,
        None => Vec::new(),
    };
    let height = p.u64("height")?.unwrap_or(0);
    let prove = p.str("prove").is_some_and(|s| s == "true");
    if let Some(value) = crate::interfaces::services::node_service(node, &path) {
        // Answered by the node itself, at the latest height.
        return to_value(&endpoint::abci_query::Response {
            response: endpoint::abci_query::AbciQuery {
                value,
                height: block::Height::try_from(node.db.latest_height()?.unwrap_or(0))
                    .map_err(|e| RpcError::internal(e.to_string()))?,
                ..Default::default()
            },
        });
    }
    let store_path = path.clone();
    let answer = node
        .request(|reply| AppRequest::Query {
            path,
            data,
            height,
            reply,
        })
        .await?;
    let proof = if prove && answer.code == 0 {
        crate::store::proofs::store_proof(
            &node.db,
            &store_path,
            &answer.key,
            answer.height,
            &answer.value,
        )?
    } else {
        None
    };
    to_value(&endpoint::abci_query::Response {
        response: endpoint::abci_query::AbciQuery {
            code: answer.code.into(),
            log: answer.log,
            info: String::new(),
            index: 0,
            key: answer.key,
            value: answer.value,
            proof,
            height: block::Height::try_from(answer.height)
                .map_err(|e| RpcError::internal(e.to_string()))?,
            codespace: answer.codespace,
        },
    })
}

async fn check(node: &NodeHandle, tx: Vec<u8>) -> std::result::Result<TxExec, RpcError> {
    node.broadcast(tx).await?.map_err(RpcError::internal)
}

async fn broadcast_sync(node: &NodeHandle, p: Params) -> RpcResult {
    let tx = p.base64("tx")?;
    let hash = tx_hash(&tx);
    let r = check(node, tx).await?;
    to_value(&endpoint::broadcast::tx_sync::Response {
        codespace: r.codespace,
        code: r.code.into(),
        data: Vec::new().into(),
        log: r.log,
        hash,
    })
}

fn check_tx_response(r: &TxExec) -> abci::response::CheckTx {
    abci::response::CheckTx {
        code: r.code.into(),
        data: Vec::new().into(),
        log: r.log.clone(),
        info: String::new(),
        gas_wanted: r.gas_wanted as i64,
        gas_used: r.gas_used as i64,
        events: r.events.clone(),
        codespace: r.codespace.clone(),
        ..Default::default()
    }
}

async fn broadcast_commit(node: &NodeHandle, p: Params) -> RpcResult {
    let tx = p.base64("tx")?;
    let hash = tx_hash(&tx);
    // Subscribe before the broadcast so the including block cannot be missed.
    let mut blocks = node.blocks.subscribe();
    let r = check(node, tx).await?;
    if !r.is_ok() {
        return to_value(&endpoint::broadcast::tx_commit::Response {
            check_tx: check_tx_response(&r),
            tx_result: Default::default(),
            hash,
            // CometBFT answers height 0 (tendermint-rs' default height is 1).
            height: block::Height::try_from(0u64).map_err(|e| RpcError::internal(e.to_string()))?,
        });
    }
    let wait = async {
        loop {
            match blocks.recv().await {
                Ok(b) => {
                    if let Some(t) = b.txs.iter().find(|t| t.hash == hash) {
                        return Some(t.clone());
                    }
                }
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    if let Ok(Some(t)) = node.index.settled().await.tx(hash.as_bytes()) {
                        return Some(t);
                    }
                }
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    };
    match tokio::time::timeout(Duration::from_secs(60), wait).await {
        Ok(Some(t)) => to_value(&endpoint::broadcast::tx_commit::Response {
            check_tx: check_tx_response(&r),
            tx_result: t.result,
            hash,
            height: block::Height::try_from(t.height)
                .map_err(|e| RpcError::internal(e.to_string()))?,
        }),
        _ => Err(RpcError::internal(
            "timed out waiting for tx to be included in a block",
        )),
    }
}

fn tx_response(t: TxRecord) -> std::result::Result<endpoint::tx::Response, RpcError> {
    Ok(endpoint::tx::Response {
        hash: t.hash,
        height: block::Height::try_from(t.height).map_err(|e| RpcError::internal(e.to_string()))?,
        index: t.index,
        tx_result: t.result,
        tx: t.tx,
        proof: None,
    })
}

async fn tx(node: &NodeHandle, p: Params) -> RpcResult {
    let raw = p
        .str("hash")
        .ok_or_else(|| RpcError::invalid_params("missing hash"))?;
    // JSON bodies carry the hash as base64; URI requests as 0x hex (turned into base64 above).
    let bytes = B64
        .decode(raw.as_bytes())
        .ok()
        .filter(|b| b.len() == 32)
        .or_else(|| hex::decode(&raw).ok())
        .ok_or_else(|| RpcError::invalid_params("hash: expected 32 bytes in base64 or hex"))?;
    match node.index.settled().await.tx(&bytes)? {
        Some(t) => to_value(&tx_response(t)?),
        None => Err(RpcError::internal(format!(
            "tx ({}) not found",
            hex::encode_upper(&bytes)
        ))),
    }
}

// ---- event queries ----------------------------------------------------------

fn operand_cmp(actual: &str, operand: &Operand) -> Option<std::cmp::Ordering> {
    match operand {
        Operand::String(s) => Some(actual.cmp(s.as_str())),
        Operand::Signed(i) => actual.parse::<i64>().ok().map(|a| a.cmp(i)),
        Operand::Unsigned(u) => actual.parse::<u64>().ok().map(|a| a.cmp(u)),
        Operand::Float(f) => actual.parse::<f64>().ok().and_then(|a| a.partial_cmp(f)),
        other => Some(actual.cmp(other.to_string().trim_matches('\''))),
    }
}

fn condition_holds(cond: &Condition, values: &[String]) -> bool {
    use std::cmp::Ordering::*;
    values.iter().any(|v| match &cond.operation {
        Operation::Eq(o) => operand_cmp(v, o) == Some(Equal),
        Operation::Lt(o) => operand_cmp(v, o) == Some(Less),
        Operation::Lte(o) => matches!(operand_cmp(v, o), Some(Less | Equal)),
        Operation::Gt(o) => operand_cmp(v, o) == Some(Greater),
        Operation::Gte(o) => matches!(operand_cmp(v, o), Some(Greater | Equal)),
        Operation::Contains(s) => v.contains(s.as_str()),
        Operation::Exists => true,
    })
}

/// The `type.key → values` map CometBFT publishes with a transaction.
/// Events as the indexers match them: `type.attribute` → values.
fn event_map(events: &[tendermint::abci::Event]) -> BTreeMap<String, Vec<String>> {
    let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for e in events {
        for a in &e.attributes {
            if let (Ok(k), Ok(v)) = (a.key_str(), a.value_str()) {
                map.entry(format!("{}.{}", e.kind, k))
                    .or_default()
                    .push(v.to_string());
            }
        }
    }
    map
}

fn tx_event_map(t: &TxRecord) -> BTreeMap<String, Vec<String>> {
    let mut map = event_map(&t.result.events);
    map.insert("tm.event".to_string(), vec!["Tx".to_string()]);
    map.insert(
        "tx.hash".to_string(),
        vec![hex::encode_upper(t.hash.as_bytes())],
    );
    map.insert("tx.height".to_string(), vec![t.height.to_string()]);
    map
}

fn query_matches(q: &Query, map: &BTreeMap<String, Vec<String>>) -> bool {
    q.conditions.iter().all(|c| match map.get(&c.key) {
        Some(values) => condition_holds(c, values),
        None => false,
    })
}

/// The heights `1..=latest` narrowed by the query's conditions on `key`
/// (`tx.height` or `block.height`); empty when `from > to`.
fn height_range(query: &Query, key: &str, latest: u64) -> (u64, u64) {
    let (mut from, mut to) = (1, latest);
    for c in query.conditions.iter().filter(|c| c.key == key) {
        let n = |o: &Operand| match o {
            Operand::Unsigned(u) => Some(*u),
            Operand::Signed(i) => u64::try_from(*i).ok(),
            Operand::String(s) => s.parse().ok(),
            _ => None,
        };
        match &c.operation {
            Operation::Eq(o) => {
                if let Some(h) = n(o) {
                    from = from.max(h);
                    to = to.min(h);
                }
            }
            Operation::Gt(o) => from = from.max(n(o).map_or(from, |h| h + 1)),
            Operation::Gte(o) => from = from.max(n(o).unwrap_or(from)),
            Operation::Lt(o) => to = to.min(n(o).map_or(to, |h| h.saturating_sub(1))),
            Operation::Lte(o) => to = to.min(n(o).unwrap_or(to)),
            _ => {}
        }
    }
    (from, to)
}

/// The search parameters tx_search and block_search share: the parsed
/// query, the page (from 1), the page size (1 to 100) and whether newest
/// come first.
fn search_params(p: &Params) -> std::result::Result<(Query, usize, usize, bool), RpcError> {
    let query_text = p
        .str("query")
        .ok_or_else(|| RpcError::invalid_params("missing query"))?;
    let query = Query::from_str(&query_text)
        .map_err(|e| RpcError::invalid_params(format!("invalid query {query_text}: {e}")))?;
    let page = p.u64("page")?.unwrap_or(1).max(1) as usize;
    let per_page = p.u64("per_page")?.unwrap_or(30).clamp(1, 100) as usize;
    let descending = p.str("order_by").as_deref() == Some("desc");
    Ok((query, page, per_page, descending))
}

/// The items of page `page` (from 1) of `total` items in pages of
/// `per_page`, or CometBFT's error for a page out of range.
fn page_bounds(
    total: usize,
    page: usize,
    per_page: usize,
) -> std::result::Result<(usize, usize), RpcError> {
    let pages = total.div_ceil(per_page).max(1);
    if page > pages {
        return Err(RpcError::invalid_params(format!(
            "page should be within [1, {pages}] range, given {page}"
        )));
    }
    Ok(((page - 1) * per_page, per_page))
}

async fn tx_search(node: &NodeHandle, p: Params) -> RpcResult {
    let (query, page, per_page, descending) = search_params(&p)?;
    let index = node.index.settled().await;
    let latest = latest_height(node)?;

    // Candidates: by hash, by an indexed equality, or by height range.
    let mut candidates: Vec<TxRecord> = Vec::new();
    let eq = |key: &str| {
        query.conditions.iter().find_map(|c| match &c.operation {
            Operation::Eq(Operand::String(s)) if c.key == key => Some(s.clone()),
            _ => None,
        })
    };
    if let Some(h) = eq("tx.hash") {
        let bytes =
            hex::decode(&h).map_err(|_| RpcError::invalid_params("tx.hash: invalid hex"))?;
        candidates.extend(index.tx(&bytes)?);
    } else if let Some(c) = query
        .conditions
        .iter()
        .find(|c| !c.key.starts_with("tx.") && matches!(c.operation, Operation::Eq(_)))
    {
        let Operation::Eq(operand) = &c.operation else {
            unreachable!()
        };
        let value = match operand {
            Operand::String(s) => s.clone(),
            other => other.to_string(),
        };
        for (h, i) in index.positions_by_event(&format!("{}={}", c.key, value))? {
            candidates.extend(node.db.tx_at(h, i)?);
        }
    } else {
        let (from, to) = height_range(&query, "tx.height", latest);
        if from <= to {
            candidates.extend(node.db.txs_in(from, to)?);
        }
    }
    let mut matching: Vec<TxRecord> = candidates
        .into_iter()
        .filter(|t| query_matches(&query, &tx_event_map(t)))
        .collect();
    matching.sort_by_key(|t| (t.height, t.index));
    if descending {
        matching.reverse();
    }
    let total = matching.len();
    let (skip, take) = page_bounds(total, page, per_page)?;
    let txs = matching
        .into_iter()
        .skip(skip)
        .take(take)
        .map(tx_response)
        .collect::<std::result::Result<Vec<_>, _>>()?;
    to_value(&endpoint::tx_search::Response {
        txs,
        total_count: total as u32,
    })
}

// ---- blocks -----------------------------------------------------------------

/// The block at the `height` parameter (the latest without one).
fn stored_block(
    node: &NodeHandle,
    p: &Params,
) -> std::result::Result<crate::store::StoredBlock, RpcError> {
    let h = height_param(node, p)?;
    node.db
        .block(h)?
        .ok_or_else(|| RpcError::internal(format!("block {h} not found")))
}

fn block_at(node: &NodeHandle, p: Params) -> RpcResult {
    let b = stored_block(node, &p)?;
    to_value(&endpoint::block::Response {
        block_id: b.block_id,
        block: b.block,
    })
}

fn header_at(node: &NodeHandle, p: Params) -> RpcResult {
    let b = stored_block(node, &p)?;
    to_value(&endpoint::header::Response {
        header: b.block.header,
    })
}

/// The consensus parameters at a height: the genesis ones, which the
/// devnet never changes.
fn consensus_params(node: &NodeHandle, p: Params) -> RpcResult {
    let h = height_param(node, &p)?;
    to_value(&endpoint::consensus_params::Response {
        block_height: block::Height::try_from(h).map_err(|e| RpcError::internal(e.to_string()))?,
        consensus_params: node.genesis.consensus_params.clone(),
    })
}

/// Blocks whose FinalizeBlock events (and `block.height`) match the query,
/// as CometBFT's block indexer finds them. The devnet scans the stored
/// results of the heights the query's `block.height` conditions leave,
/// which a local chain's length keeps cheap.
fn block_search(node: &NodeHandle, p: Params) -> RpcResult {
    let (query, page, per_page, descending) = search_params(&p)?;
    let (from, to) = height_range(&query, "block.height", latest_height(node)?);
    let mut matching = Vec::new();
    for h in from..=to {
        let Some(r) = node.db.results(h)? else {
            continue;
        };
        let mut map = event_map(&r.events);
        map.insert("block.height".to_string(), vec![h.to_string()]);
        if query_matches(&query, &map) {
            matching.push(h);
        }
    }
    if descending {
        matching.reverse();
    }
    let total = matching.len();
    let (skip, take) = page_bounds(total, page, per_page)?;
    let mut blocks = Vec::new();
    for h in matching.into_iter().skip(skip).take(take) {
        if let Some(b) = node.db.block(h)? {
            blocks.push(endpoint::block::Response {
                block_id: b.block_id,
                block: b.block,
            });
        }
    }
    to_value(&endpoint::block_search::Response {
        blocks,
        total_count: total as u32,
    })
}

fn block_results(node: &NodeHandle, p: Params) -> RpcResult {
    let h = height_param(node, &p)?;
    let r = node
        .db
        .results(h)?
        .ok_or_else(|| RpcError::internal(format!("results of block {h} not found")))?;
    to_value(&endpoint::block_results::Response {
        height: block::Height::try_from(h).map_err(|e| RpcError::internal(e.to_string()))?,
        txs_results: if r.tx_results.is_empty() {
            None
        } else {
            Some(r.tx_results)
        },
        finalize_block_events: r.events,
        begin_block_events: None,
        end_block_events: None,
        validator_updates: r.validator_updates,
        consensus_param_updates: r.consensus_param_updates,
        app_hash: r.app_hash,
    })
}

fn blockchain(node: &NodeHandle, p: Params) -> RpcResult {
    let latest = latest_height(node)?;
    let max = p
        .u64("maxHeight")?
        .filter(|h| *h > 0)
        .unwrap_or(latest)
        .min(latest);
    let min = p
        .u64("minHeight")?
        .filter(|h| *h > 0)
        .unwrap_or(1)
        .max(max.saturating_sub(19))
        .max(1);
    if min > max && latest > 0 {
        return Err(RpcError::invalid_params(format!(
            "min height {min} can't be greater than max height {max}"
        )));
    }
    let mut metas = Vec::new();
    for h in (min..=max).rev() {
        if let Some(b) = node.db.block(h)? {
            metas.push(block::Meta {
                block_id: b.block_id,
                block_size: b.size as i64,
                header: b.block.header.clone(),
                num_txs: b.block.data.len() as i64,
            });
        }
    }
    to_value(&endpoint::blockchain::Response {
        last_height: block::Height::try_from(latest)
            .map_err(|e| RpcError::internal(e.to_string()))?,
        block_metas: metas,
    })
}

fn commit(node: &NodeHandle, p: Params) -> RpcResult {
    let b = stored_block(node, &p)?;
    to_value(&endpoint::commit::Response {
        signed_header: tendermint::block::signed_header::SignedHeader::new(
            b.block.header.clone(),
            b.commit,
        )
        .map_err(|e| RpcError::internal(e.to_string()))?,
        canonical: true,
    })
}

fn validators(node: &NodeHandle, p: Params) -> RpcResult {
    // CometBFT knows the set of the next height once a block is committed
    // (its header names it), and light clients ask for it: a header of
    // height h is verified with the validators of h + 1 as its next set.
    let latest = latest_height(node)?;
    let h = match p.u64("height")? {
        Some(h) if latest > 0 && h == latest + 1 => h,
        _ => height_param(node, &p)?,
    };
    let mut v = to_value(&endpoint::validators::Response::new(
        block::Height::try_from(h).map_err(|e| RpcError::internal(e.to_string()))?,
        vec![node.validator.clone()],
        1,
    ))?;
    if let Some(Value::Array(vals)) = v.get_mut("validators") {
        for val in vals {
            comet_validator_json(val, true);
        }
    }
    Ok(v)
}

// ---- WebSocket --------------------------------------------------------------

async fn websocket(State(node): State<NodeHandle>, ws: WebSocketUpgrade) -> Response {
    tracing::debug!("websocket connection");
    ws.on_upgrade(move |socket| run_socket(node, socket))
}

struct Subscription {
    id: Id,
    query_text: String,
    query: Query,
}

/// `type.key → values`, as CometBFT publishes with each event.
type EventMap = BTreeMap<String, Vec<String>>;

/// The events a committed block publishes: one NewBlock and, when
/// `with_txs`, one Tx per transaction.
fn block_events(b: &CommittedBlock, with_txs: bool) -> Vec<(Option<EventMap>, event::Event)> {
    let mut out = Vec::new();
    let mut block_map: BTreeMap<String, Vec<String>> = BTreeMap::new();
    block_map.insert("tm.event".to_string(), vec!["NewBlock".to_string()]);
    block_map.insert(
        "block.height".to_string(),
        vec![b.block.block.header.height.to_string()],
    );
    out.push((
        Some(block_map.clone()),
        event::Event {
            query: String::new(),
            data: EventData::NewBlock {
                block: Some(Box::new(b.block.block.clone())),
                block_id: b.block.block_id,
                result_finalize_block: Some(b.finalize_block()),
            },
            events: Some(block_map),
        },
    ));
    for t in b.txs.iter().filter(|_| with_txs) {
        let map = tx_event_map(t);
        out.push((
            Some(map.clone()),
            event::Event {
                query: String::new(),
                data: EventData::Tx {
                    tx_result: TxInfo {
                        height: t.height as i64,
                        index: Some(t.index as i64),
                        tx: t.tx.clone(),
                        result: TxResult {
                            log: Some(t.result.log.clone()),
                            gas_wanted: Some(t.result.gas_wanted.to_string()),
                            gas_used: Some(t.result.gas_used.to_string()),
                            events: t.result.events.clone(),
                        },
                    },
                },
                events: Some(map),
            },
        ));
    }
    out
}

fn event_json(id: &Id, query_text: &str, mut e: event::Event) -> Value {
    e.query = query_text.to_string();
    let is_block = matches!(e.data, EventData::NewBlock { .. });
    let mut v = serde_json::to_value(event::v0_38::SerEvent::from(e)).unwrap_or(Value::Null);
    base64_result_data(&mut v);
    // CometBFT tags event data with its amino name; the crate's serializer
    // writes the bare variant name (it only aliases the amino name when reading).
    if let Some(ty) = v.pointer_mut("/data/type") {
        *ty = Value::String(
            if is_block {
                "tendermint/event/NewBlock"
            } else {
                "tendermint/event/Tx"
            }
            .to_string(),
        );
    }
    envelope(id.clone(), Ok(v))
}

async fn run_socket(node: NodeHandle, socket: WebSocket) {
    let (mut sink, mut stream) = socket.split();
    let (out_tx, mut out_rx) = mpsc::channel::<Value>(1024);
    let writer = tokio::spawn(async move {
        while let Some(v) = out_rx.recv().await {
            if sink
                .send(WsMessage::Text(v.to_string().into()))
                .await
                .is_err()
            {
                break;
            }
        }
    });
    let subs: Arc<tokio::sync::Mutex<Vec<Subscription>>> = Arc::default();
    // One forwarder per socket: every committed block's events go to each matching subscription.
    let forwarder = {
        let subs = subs.clone();
        let out = out_tx.clone();
        let mut blocks = node.blocks.subscribe();
        tokio::spawn(async move {
            loop {
                let b = match blocks.recv().await {
                    Ok(b) => b,
                    Err(broadcast::error::RecvError::Lagged(n)) => {
                        tracing::warn!("a WebSocket client fell {n} blocks behind");
                        continue;
                    }
                    Err(broadcast::error::RecvError::Closed) => return,
                };
                let subs = subs.lock().await;
                // Tx events are built only for a socket subscribed to them: a
                // NewBlock subscriber of a loaded chain would pay for thousands.
                let with_txs = subs
                    .iter()
                    .any(|s| s.query.event_type != Some(EventType::NewBlock));
                let events = block_events(&b, with_txs);
                for s in subs.iter() {
                    for (map, e) in &events {
                        let is_block = matches!(e.data, EventData::NewBlock { .. });
                        let type_ok = match &s.query.event_type {
                            Some(EventType::NewBlock) => is_block,
                            Some(EventType::Tx) => !is_block,
                            None => true,
                        };
                        if type_ok
                            && map.as_ref().is_some_and(|m| query_matches(&s.query, m))
                            && out
                                .send(event_json(&s.id, &s.query_text, e.clone()))
                                .await
                                .is_err()
                        {
                            return;
                        }
                    }
                }
            }
        })
    };
    while let Some(Ok(msg)) = stream.next().await {
        let text = match msg {
            WsMessage::Text(t) => t.to_string(),
            WsMessage::Binary(b) => String::from_utf8_lossy(&b).to_string(),
            WsMessage::Close(_) => break,
            _ => continue,
        };
        tracing::debug!(request = %text, "websocket request");
        let call: Value = match serde_json::from_str(&text) {
            Ok(v) => v,
            Err(e) => {
                let _ = out_tx
                    .send(envelope(
                        Id::None,
                        Err(RpcError {
                            code: Code::ParseError,
                            data: e.to_string(),
                        }),
                    ))
                    .await;
                continue;
            }
        };
        let id = parse_id(&call);
        let method = call
            .get("method")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let params = Params::new(
            call.get("params").cloned().unwrap_or(Value::Null),
            &["query"],
        );
        let reply = match method {
            "subscribe" => {
                let text = params.str("query").unwrap_or_default();
                match Query::from_str(&text) {
                    Ok(query) => {
                        subs.lock().await.push(Subscription {
                            id: id.clone(),
                            query_text: text,
                            query,
                        });
                        envelope(id, Ok(json!({})))
                    }
                    Err(e) => envelope(
                        id,
                        Err(RpcError::invalid_params(format!("invalid query: {e}"))),
                    ),
                }
            }
            "unsubscribe" => {
                let text = params.str("query").unwrap_or_default();
                let mut s = subs.lock().await;
                let before = s.len();
                s.retain(|sub| sub.query_text != text);
                if s.len() == before {
                    envelope(id, Err(RpcError::internal("subscription not found")))
                } else {
                    envelope(id, Ok(json!({})))
                }
            }
            "unsubscribe_all" => {
                subs.lock().await.clear();
                envelope(id, Ok(json!({})))
            }
            _ => handle_call(&node, &call).await,
        };
        if out_tx.send(reply).await.is_err() {
            break;
        }
    }
    forwarder.abort();
    writer.abort();
}
