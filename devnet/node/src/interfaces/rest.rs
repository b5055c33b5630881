//! Cosmos REST: the routes of the SDK's gRPC gateway (the "LCD", port 1317
//! on a wasmd node) that wallets, explorers and CosmJS-style clients use.
//!
//! Bodies are the gateway's JSON: the gogoproto `jsonpb` marshaler with
//! `OrigName` and `EmitDefaults`, so fields keep their proto names, 64-bit
//! integers are strings, 32-bit ones numbers, bytes base64 (`null` when
//! empty), enums their names, timestamps RFC 3339, and an `Any` is inlined
//! with its `@type`. wasmd's `RawContractMessage` (contract messages and
//! smart query answers) is inlined as the JSON it holds, and a code's
//! `data_hash` is upper-case hex, as wasmd marshals them. Errors are the
//! gateway's `{"code", "message", "details"}` with the HTTP status it maps
//! the gRPC code to. CORS is open, for browser wallets.
//!
//! The answers come from [`crate::interfaces::services`], which shares the query logic
//! of the ABCI query paths ([`crate::modules::wasm`]).

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::engine::general_purpose::{STANDARD as B64, URL_SAFE as B64URL};
use base64::Engine;
use cosmos_sdk_proto::cosmos::auth::v1beta1::{
    BaseAccount, QueryAccountRequest, QueryAccountResponse,
};
use cosmos_sdk_proto::cosmos::bank::v1beta1::{
    MsgSend, QueryAllBalancesRequest, QueryAllBalancesResponse, QueryBalanceRequest,
    QueryBalanceResponse, QuerySpendableBalancesRequest, QuerySpendableBalancesResponse,
    QuerySupplyOfRequest, QuerySupplyOfResponse, QueryTotalSupplyRequest, QueryTotalSupplyResponse,
};
use cosmos_sdk_proto::cosmos::base::abci::v1beta1::TxResponse;
use cosmos_sdk_proto::cosmos::base::query::v1beta1::PageResponse;
use cosmos_sdk_proto::cosmos::base::tendermint::v1beta1 as tm_svc;
use cosmos_sdk_proto::cosmos::base::v1beta1::Coin;
use cosmos_sdk_proto::cosmos::crypto::{ed25519, secp256k1};
use cosmos_sdk_proto::cosmos::tx::signing::v1beta1::SignMode;
use cosmos_sdk_proto::cosmos::tx::v1beta1::{
    mode_info, BroadcastMode, ModeInfo, OrderBy, SimulateRequest, SimulateResponse, Tx,
};
use cosmos_sdk_proto::cosmwasm::wasm::v1 as wasm;
use cosmos_sdk_proto::tendermint as tmpb;
use cosmos_sdk_proto::Any;
use prost::{Message, Name};
use serde_json::{json, Map, Value};
use tower_http::cors::CorsLayer;

use crate::app::driver::NodeHandle;
use crate::interfaces::services::{self, Code, Status, SvcResult};

// ---- errors -----------------------------------------------------------------

impl Status {
    /// The HTTP status grpc-gateway maps the gRPC code to.
    fn http(&self) -> StatusCode {
        match self.code {
            Code::InvalidArgument => StatusCode::BAD_REQUEST,
            Code::NotFound => StatusCode::NOT_FOUND,
            Code::Unauthenticated => StatusCode::UNAUTHORIZED,
            Code::Unimplemented => StatusCode::NOT_IMPLEMENTED,
            Code::Unknown | Code::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for Status {
    fn into_response(self) -> Response {
        (
            self.http(),
            Json(json!({"code": self.code as i32, "message": self.message, "details": []})),
        )
            .into_response()
    }
}

type Reply = Result<Json<Value>, Status>;

// ---- jsonpb rendering -------------------------------------------------------

fn b64(bytes: &[u8]) -> Value {
    if bytes.is_empty() {
        Value::Null
    } else {
        Value::String(B64.encode(bytes))
    }
}

fn s64(n: impl ToString) -> Value {
    Value::String(n.to_string())
}

fn coins(cs: &[Coin]) -> Value {
    Value::Array(
        cs.iter()
            .map(|c| json!({"denom": c.denom, "amount": c.amount}))
            .collect(),
    )
}

fn page(p: Option<&PageResponse>) -> Value {
    match p {
        Some(p) => json!({"next_key": b64(&p.next_key), "total": s64(p.total)}),
        None => Value::Null,
    }
}

/// A `google.protobuf.Timestamp` as jsonpb writes it: RFC 3339 UTC with 0, 3, 6 or 9 fraction digits.
fn timestamp(t: Option<&tmpb::google::protobuf::Timestamp>) -> Value {
    let Some(t) = t else { return Value::Null };
    let Ok(base) = tendermint::Time::from_unix_timestamp(t.seconds, 0) else {
        return Value::Null;
    };
    let base = base.to_rfc3339();
    let whole = base.trim_end_matches('Z');
    let nanos = t.nanos.max(0) as u32;
    let frac = if nanos == 0 {
        String::new()
    } else if nanos.is_multiple_of(1_000_000) {
        format!(".{:03}", nanos / 1_000_000)
    } else if nanos.is_multiple_of(1_000) {
        format!(".{:06}", nanos / 1_000)
    } else {
        format!(".{nanos:09}")
    };
    Value::String(format!("{whole}{frac}Z"))
}

/// wasmd's `RawContractMessage`: the JSON it holds, inlined.
fn raw_json(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).unwrap_or_else(|_| Value::String(B64.encode(bytes)))
}

fn decode_as<M: Message + Default>(any: &Any) -> SvcResult<M> {
    M::decode(any.value.as_slice())
        .map_err(|e| Status::new(Code::Internal, format!("decoding {}: {e}", any.type_url)))
}

fn with_type(url: &str, v: Value) -> Value {
    let mut out = Map::new();
    out.insert("@type".to_string(), Value::String(url.to_string()));
    if let Value::Object(fields) = v {
        out.extend(fields);
    }
    Value::Object(out)
}

/// An `Any` as jsonpb writes it with the app's interface registry: `@type`
/// and the message's fields.
fn any_json(any: &Any) -> SvcResult<Value> {
    let url = any.type_url.as_str();
    let v = match url {
        u if u == BaseAccount::type_url() => {
            let a: BaseAccount = decode_as(any)?;
            json!({
                "address": a.address,
                "pub_key": match &a.pub_key { Some(k) => any_json(k)?, None => Value::Null },
                "account_number": s64(a.account_number),
                "sequence": s64(a.sequence),
            })
        }
        u if u == secp256k1::PubKey::type_url() => {
            let k: secp256k1::PubKey = decode_as(any)?;
            json!({"key": b64(&k.key)})
        }
        u if u == ed25519::PubKey::type_url() => {
            let k: ed25519::PubKey = decode_as(any)?;
            json!({"key": b64(&k.key)})
        }
        u if u == Tx::type_url() => tx_json(&decode_as(any)?)?,
        u if u == MsgSend::type_url() => {
            let m: MsgSend = decode_as(any)?;
            json!({"from_address": m.from_address, "to_address": m.to_address, "amount": coins(&m.amount)})
        }
        "/cosmos.bank.v1beta1.MsgSendResponse"
        | "/cosmwasm.wasm.v1.MsgUpdateAdminResponse"
        | "/cosmwasm.wasm.v1.MsgClearAdminResponse" => json!({}),
        u if u == wasm::MsgStoreCode::type_url() => {
            let m: wasm::MsgStoreCode = decode_as(any)?;
            json!({
                "sender": m.sender,
                "wasm_byte_code": b64(&m.wasm_byte_code),
                "instantiate_permission": m.instantiate_permission.as_ref().map(access_config),
            })
        }
        u if u == wasm::MsgInstantiateContract::type_url() => {
            let m: wasm::MsgInstantiateContract = decode_as(any)?;
            json!({
                "sender": m.sender, "admin": m.admin, "code_id": s64(m.code_id),
                "label": m.label, "msg": raw_json(&m.msg), "funds": coins(&m.funds),
            })
        }
        u if u == wasm::MsgInstantiateContract2::type_url() => {
            let m: wasm::MsgInstantiateContract2 = decode_as(any)?;
            json!({
                "sender": m.sender, "admin": m.admin, "code_id": s64(m.code_id),
                "label": m.label, "msg": raw_json(&m.msg), "funds": coins(&m.funds),
                "salt": b64(&m.salt), "fix_msg": m.fix_msg,
            })
        }
        u if u == wasm::MsgExecuteContract::type_url() => {
            let m: wasm::MsgExecuteContract = decode_as(any)?;
            json!({"sender": m.sender, "contract": m.contract, "msg": raw_json(&m.msg), "funds": coins(&m.funds)})
        }
        u if u == wasm::MsgMigrateContract::type_url() => {
            let m: wasm::MsgMigrateContract = decode_as(any)?;
            json!({"sender": m.sender, "contract": m.contract, "code_id": s64(m.code_id), "msg": raw_json(&m.msg)})
        }
        u if u == wasm::MsgUpdateAdmin::type_url() => {
            let m: wasm::MsgUpdateAdmin = decode_as(any)?;
            json!({"sender": m.sender, "new_admin": m.new_admin, "contract": m.contract})
        }
        u if u == wasm::MsgClearAdmin::type_url() => {
            let m: wasm::MsgClearAdmin = decode_as(any)?;
            json!({"sender": m.sender, "contract": m.contract})
        }
        u if u == wasm::MsgStoreCodeResponse::type_url() => {
            let m: wasm::MsgStoreCodeResponse = decode_as(any)?;
            json!({"code_id": s64(m.code_id), "checksum": b64(&m.checksum)})
        }
        u if u == wasm::MsgInstantiateContractResponse::type_url() => {
            let m: wasm::MsgInstantiateContractResponse = decode_as(any)?;
            json!({"address": m.address, "data": b64(&m.data)})
        }
        u if u == wasm::MsgInstantiateContract2Response::type_url() => {
            let m: wasm::MsgInstantiateContract2Response = decode_as(any)?;
            json!({"address": m.address, "data": b64(&m.data)})
        }
        u if u == wasm::MsgExecuteContractResponse::type_url() => {
            let m: wasm::MsgExecuteContractResponse = decode_as(any)?;
            json!({"data": b64(&m.data)})
        }
        u if u == wasm::MsgMigrateContractResponse::type_url() => {
            let m: wasm::MsgMigrateContractResponse = decode_as(any)?;
            json!({"data": b64(&m.data)})
        }
        other => {
            return Err(Status::new(
                Code::Internal,
                format!("unable to resolve type URL {other}"),
            ))
        }
    };
    Ok(with_type(url, v))
}

fn access_config(a: &wasm::AccessConfig) -> Value {
    // wasmd marshals AccessType by its short name.
    let permission = match wasm::AccessType::try_from(a.permission) {
        Ok(wasm::AccessType::Nobody) => "Nobody",
        Ok(wasm::AccessType::Everybody) => "Everybody",
        Ok(wasm::AccessType::AnyOfAddresses) => "AnyOfAddresses",
        _ => "Unspecified",
    };
    json!({"permission": permission, "addresses": a.addresses})
}

fn sign_mode(mode: i32) -> Value {
    match SignMode::try_from(mode) {
        Ok(m) => Value::String(m.as_str_name().to_string()),
        Err(_) => Value::from(mode),
    }
}

fn mode_info_json(m: Option<&ModeInfo>) -> Value {
    match m.and_then(|m| m.sum.as_ref()) {
        None => Value::Null,
        Some(mode_info::Sum::Single(s)) => json!({"single": {"mode": sign_mode(s.mode)}}),
        Some(mode_info::Sum::Multi(multi)) => json!({"multi": {
            "bitarray": multi.bitarray.as_ref().map(|b| json!({
                "extra_bits_stored": b.extra_bits_stored, "elems": b64(&b.elems),
            })),
            "mode_infos": multi.mode_infos.iter().map(|m| mode_info_json(Some(m))).collect::<Vec<_>>(),
        }}),
    }
}

fn tx_json(tx: &Tx) -> SvcResult<Value> {
    let body = match &tx.body {
        None => Value::Null,
        Some(b) => json!({
            "messages": b.messages.iter().map(any_json).collect::<SvcResult<Vec<_>>>()?,
            "memo": b.memo,
            "timeout_height": s64(b.timeout_height),
            "extension_options": b.extension_options.iter().map(any_json).collect::<SvcResult<Vec<_>>>()?,
            "non_critical_extension_options": b.non_critical_extension_options.iter().map(any_json).collect::<SvcResult<Vec<_>>>()?,
        }),
    };
    let auth_info = match &tx.auth_info {
        None => Value::Null,
        Some(a) => {
            let mut signer_infos = Vec::new();
            for s in &a.signer_infos {
                signer_infos.push(json!({
                    "public_key": match &s.public_key { Some(k) => any_json(k)?, None => Value::Null },
                    "mode_info": mode_info_json(s.mode_info.as_ref()),
                    "sequence": s64(s.sequence),
                }));
            }
            #[allow(deprecated)]
            let tip = a
                .tip
                .as_ref()
                .map(|t| json!({"amount": coins(&t.amount), "tipper": t.tipper}));
            json!({
                "signer_infos": signer_infos,
                "fee": a.fee.as_ref().map(|f| json!({
                    "amount": coins(&f.amount), "gas_limit": s64(f.gas_limit),
                    "payer": f.payer, "granter": f.granter,
                })),
                "tip": tip,
            })
        }
    };
    Ok(json!({
        "body": body,
        "auth_info": auth_info,
        "signatures": tx.signatures.iter().map(|s| b64(s)).collect::<Vec<_>>(),
    }))
}

fn events_json(events: &[tmpb::abci::Event]) -> Value {
    Value::Array(
        events
            .iter()
            .map(|e| {
                json!({
                    "type": e.r#type,
                    "attributes": e.attributes.iter().map(|a| json!({
                        "key": a.key, "value": a.value, "index": a.index,
                    })).collect::<Vec<_>>(),
                })
            })
            .collect(),
    )
}

fn tx_response_json(r: &TxResponse) -> SvcResult<Value> {
    Ok(json!({
        "height": s64(r.height),
        "txhash": r.txhash,
        "codespace": r.codespace,
        "code": r.code,
        "data": r.data,
        "raw_log": r.raw_log,
        "logs": [],
        "info": r.info,
        "gas_wanted": s64(r.gas_wanted),
        "gas_used": s64(r.gas_used),
        "tx": match &r.tx { Some(t) => any_json(t)?, None => Value::Null },
        "timestamp": r.timestamp,
        "events": events_json(&r.events),
    }))
}

fn block_id_json(id: Option<&tmpb::types::BlockId>) -> Value {
    match id {
        None => Value::Null,
        Some(id) => json!({
            "hash": b64(&id.hash),
            "part_set_header": id.part_set_header.as_ref().map(|p| json!({"total": p.total, "hash": b64(&p.hash)})),
        }),
    }
}

fn header_fields(
    version: Option<&tmpb::version::Consensus>,
    chain_id: &str,
    height: i64,
    time: Option<&tmpb::google::protobuf::Timestamp>,
    last_block_id: Option<&tmpb::types::BlockId>,
    hashes: [(&str, &[u8]); 8],
    proposer: Value,
) -> Value {
    let mut m = Map::new();
    m.insert(
        "version".into(),
        version.map_or(
            Value::Null,
            |v| json!({"block": s64(v.block), "app": s64(v.app)}),
        ),
    );
    m.insert("chain_id".into(), json!(chain_id));
    m.insert("height".into(), s64(height));
    m.insert("time".into(), timestamp(time));
    m.insert("last_block_id".into(), block_id_json(last_block_id));
    for (name, h) in hashes {
        m.insert(name.into(), b64(h));
    }
    m.insert("proposer_address".into(), proposer);
    Value::Object(m)
}

fn commit_json(c: Option<&tmpb::types::Commit>) -> Value {
    let Some(c) = c else { return Value::Null };
    let flag = |f: i32| match tmpb::types::BlockIdFlag::try_from(f) {
        Ok(f) => Value::String(f.as_str_name().to_string()),
        Err(_) => Value::from(f),
    };
    json!({
        "height": s64(c.height),
        "round": c.round,
        "block_id": block_id_json(c.block_id.as_ref()),
        "signatures": c.signatures.iter().map(|s| json!({
            "block_id_flag": flag(s.block_id_flag),
            "validator_address": b64(&s.validator_address),
            "timestamp": timestamp(s.timestamp.as_ref()),
            "signature": b64(&s.signature),
        })).collect::<Vec<_>>(),
    })
}

fn data_evidence(
    data: Option<&tmpb::types::Data>,
    evidence: Option<&tmpb::types::EvidenceList>,
) -> (Value, Value) {
    (
        data.map_or(
            Value::Null,
            |d| json!({"txs": d.txs.iter().map(|t| b64(t)).collect::<Vec<_>>()}),
        ),
        // The devnet never has evidence (one honest validator).
        evidence.map_or(Value::Null, |_| json!({"evidence": []})),
    )
}

fn block_json(b: &tmpb::types::Block) -> Value {
    let h = b.header.clone().unwrap_or_default();
    let (data, evidence) = data_evidence(b.data.as_ref(), b.evidence.as_ref());
    json!({
        "header": header_fields(h.version.as_ref(), &h.chain_id, h.height, h.time.as_ref(), h.last_block_id.as_ref(), [
            ("last_commit_hash", &h.last_commit_hash), ("data_hash", &h.data_hash),
            ("validators_hash", &h.validators_hash), ("next_validators_hash", &h.next_validators_hash),
            ("consensus_hash", &h.consensus_hash), ("app_hash", &h.app_hash),
            ("last_results_hash", &h.last_results_hash), ("evidence_hash", &h.evidence_hash),
        ], b64(&h.proposer_address)),
        "data": data,
        "evidence": evidence,
        "last_commit": commit_json(b.last_commit.as_ref()),
    })
}

fn sdk_block_json(b: &tm_svc::Block) -> Value {
    let h = b.header.clone().unwrap_or_default();
    let (data, evidence) = data_evidence(b.data.as_ref(), b.evidence.as_ref());
    json!({
        "header": header_fields(h.version.as_ref(), &h.chain_id, h.height, h.time.as_ref(), h.last_block_id.as_ref(), [
            ("last_commit_hash", &h.last_commit_hash), ("data_hash", &h.data_hash),
            ("validators_hash", &h.validators_hash), ("next_validators_hash", &h.next_validators_hash),
            ("consensus_hash", &h.consensus_hash), ("app_hash", &h.app_hash),
            ("last_results_hash", &h.last_results_hash), ("evidence_hash", &h.evidence_hash),
        ], json!(h.proposer_address)),
        "data": data,
        "evidence": evidence,
        "last_commit": commit_json(b.last_commit.as_ref()),
    })
}

// ---- request helpers --------------------------------------------------------

/// The `x-cosmos-block-height` header (0: latest).
fn query_height(headers: &HeaderMap) -> SvcResult<u64> {
    match headers.get("x-cosmos-block-height") {
        None => Ok(0),
        Some(v) => v
            .to_str()
            .ok()
            .and_then(|s| s.parse::<u64>().ok())
            .ok_or_else(|| Status::invalid("x-cosmos-block-height: not a height")),
    }
}

/// A bytes path or query parameter: base64, standard or URL-safe, as grpc-gateway takes it.
fn bytes_param(name: &str, s: &str) -> SvcResult<Vec<u8>> {
    B64.decode(s)
        .or_else(|_| B64URL.decode(s))
        .map_err(|e| Status::invalid(format!("type mismatch, parameter: {name}, error: {e}")))
}

fn u64_param(name: &str, s: &str) -> SvcResult<u64> {
    s.parse()
        .map_err(|e| Status::invalid(format!("type mismatch, parameter: {name}, error: {e}")))
}

fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// An enum field in a JSON body or query: its name or its number.
fn enum_value(v: &Value, by_name: impl Fn(&str) -> Option<i32>) -> Option<i32> {
    match v {
        Value::String(s) => by_name(s).or_else(|| s.parse().ok()),
        Value::Number(n) => n.as_i64().map(|n| n as i32),
        Value::Null => Some(0),
        _ => None,
    }
}

// ---- routes -----------------------------------------------------------------

pub fn router(node: NodeHandle) -> Router {
    Router::new()
        .route("/cosmos/base/tendermint/v1beta1/node_info", get(node_info))
        .route("/cosmos/base/tendermint/v1beta1/syncing", get(syncing))
        .route(
            "/cosmos/base/tendermint/v1beta1/blocks/latest",
            get(latest_block),
        )
        .route(
            "/cosmos/base/tendermint/v1beta1/blocks/{height}",
            get(block_by_height),
        )
        .route("/cosmos/auth/v1beta1/accounts/{address}", get(account))
        .route("/cosmos/bank/v1beta1/balances/{address}", get(balances))
        .route(
            "/cosmos/bank/v1beta1/balances/{address}/by_denom",
            get(balance_by_denom),
        )
        .route(
            "/cosmos/bank/v1beta1/spendable_balances/{address}",
            get(spendable_balances),
        )
        .route("/cosmos/bank/v1beta1/supply", get(supply))
        .route("/cosmos/bank/v1beta1/supply/by_denom", get(supply_of))
        .route("/cosmos/tx/v1beta1/simulate", post(simulate))
        .route(
            "/cosmos/tx/v1beta1/txs",
            post(broadcast_tx).get(txs_by_event),
        )
        .route("/cosmos/tx/v1beta1/txs/{hash}", get(tx_by_hash))
        .route("/cosmwasm/wasm/v1/contract/{address}", get(contract_info))
        .route(
            "/cosmwasm/wasm/v1/contract/{address}/smart/{query}",
            get(smart_query),
        )
        .route(
            "/cosmwasm/wasm/v1/contract/{address}/raw/{key}",
            get(raw_query),
        )
        .route("/cosmwasm/wasm/v1/code", get(codes))
        .route("/cosmwasm/wasm/v1/code/{code_id}", get(code))
        .route(
            "/cosmwasm/wasm/v1/code/{code_id}/contracts",
            get(contracts_by_code),
        )
        .route("/cosmos/staking/v1beta1/params", get(staking_params))
        .route("/cosmos/staking/v1beta1/pool", get(staking_pool))
        .route("/cosmos/staking/v1beta1/validators", get(validators))
        .route(
            "/cosmos/staking/v1beta1/validators/{valoper}",
            get(validator),
        )
        .route(
            "/cosmos/staking/v1beta1/delegations/{address}",
            get(delegations),
        )
        .route(
            "/cosmos/staking/v1beta1/delegators/{address}/unbonding_delegations",
            get(unbonding_delegations),
        )
        .route(
            "/cosmos/distribution/v1beta1/params",
            get(distribution_params),
        )
        .route(
            "/cosmos/distribution/v1beta1/delegators/{address}/rewards",
            get(delegation_rewards),
        )
        .fallback(not_found)
        .layer(CorsLayer::permissive())
        .with_state(node)
}

/// Serves the REST gateway on `listener` until the server stops.
pub async fn serve(listener: tokio::net::TcpListener, node: NodeHandle) -> anyhow::Result<()> {
    axum::serve(listener, router(node)).await?;
    Ok(())
}

/// A path no service serves: grpc-gateway v1 (the SDK 0.50 gateway) answers
/// `Unimplemented`, HTTP 501 (wallets probe optional modules this way).
async fn not_found() -> Status {
    Status::new(Code::Unimplemented, "Not Implemented")
}

async fn node_info(State(node): State<NodeHandle>) -> Reply {
    let r = services::node_info(&node);
    let n = r.default_node_info.unwrap_or_default();
    let v = r.application_version.unwrap_or_default();
    Ok(Json(json!({
        "default_node_info": {
            "protocol_version": n.protocol_version.map(|p| json!({
                "p2p": s64(p.p2p), "block": s64(p.block), "app": s64(p.app),
            })),
            "default_node_id": n.default_node_id,
            "listen_addr": n.listen_addr,
            "network": n.network,
            "version": n.version,
            "channels": b64(&n.channels),
            "moniker": n.moniker,
            "other": n.other.map(|o| json!({"tx_index": o.tx_index, "rpc_address": o.rpc_address})),
        },
        "application_version": {
            "name": v.name, "app_name": v.app_name, "version": v.version,
            "git_commit": v.git_commit, "build_tags": v.build_tags, "go_version": v.go_version,
            "build_deps": v.build_deps.iter().map(|m| json!({"path": m.path, "version": m.version, "sum": m.sum})).collect::<Vec<_>>(),
            "cosmos_sdk_version": v.cosmos_sdk_version,
        },
    })))
}

async fn syncing() -> Json<Value> {
    Json(json!({"syncing": false}))
}

fn block_reply(node: &NodeHandle, height: u64) -> Reply {
    let (id, block, sdk_block) = services::block_at(node, height)?;
    Ok(Json(json!({
        "block_id": block_id_json(Some(&id)),
        "block": block_json(&block),
        "sdk_block": sdk_block_json(&sdk_block),
    })))
}

async fn latest_block(State(node): State<NodeHandle>) -> Reply {
    let h = services::latest_height(&node)?;
    block_reply(&node, h)
}

async fn block_by_height(State(node): State<NodeHandle>, Path(height): Path<String>) -> Reply {
    let h = u64_param("height", &height)?;
    if h == 0 {
        return Err(Status::invalid("block height must be greater than 0"));
    }
    block_reply(&node, h)
}

async fn account(
    State(node): State<NodeHandle>,
    Path(address): Path<String>,
    headers: HeaderMap,
) -> Reply {
    let r: QueryAccountResponse = services::query(
        &node,
        "/cosmos.auth.v1beta1.Query/Account",
        &QueryAccountRequest { address },
        query_height(&headers)?,
    )
    .await?;
    Ok(Json(json!({
        "account": match &r.account { Some(a) => any_json(a)?, None => Value::Null },
    })))
}

async fn balances(
    State(node): State<NodeHandle>,
    Path(address): Path<String>,
    headers: HeaderMap,
) -> Reply {
    let r: QueryAllBalancesResponse = services::query(
        &node,
        "/cosmos.bank.v1beta1.Query/AllBalances",
        &QueryAllBalancesRequest {
            address,
            pagination: None,
            resolve_denom: false,
        },
        query_height(&headers)?,
    )
    .await?;
    Ok(Json(
        json!({"balances": coins(&r.balances), "pagination": page(r.pagination.as_ref())}),
    ))
}

async fn balance_by_denom(
    State(node): State<NodeHandle>,
    Path(address): Path<String>,
    Query(params): Query<Vec<(String, String)>>,
    headers: HeaderMap,
) -> Reply {
    let denom = param(&params, "denom").unwrap_or_default().to_string();
    let r: QueryBalanceResponse = services::query(
        &node,
        "/cosmos.bank.v1beta1.Query/Balance",
        &QueryBalanceRequest { address, denom },
        query_height(&headers)?,
    )
    .await?;
    Ok(Json(
        json!({"balance": r.balance.map(|c| json!({"denom": c.denom, "amount": c.amount}))}),
    ))
}

async fn spendable_balances(
    State(node): State<NodeHandle>,
    Path(address): Path<String>,
    headers: HeaderMap,
) -> Reply {
    let r: QuerySpendableBalancesResponse = services::query(
        &node,
        "/cosmos.bank.v1beta1.Query/SpendableBalances",
        &QuerySpendableBalancesRequest {
            address,
            pagination: None,
        },
        query_height(&headers)?,
    )
    .await?;
    Ok(Json(
        json!({"balances": coins(&r.balances), "pagination": page(r.pagination.as_ref())}),
    ))
}

async fn supply(State(node): State<NodeHandle>, headers: HeaderMap) -> Reply {
    let r: QueryTotalSupplyResponse = services::query(
        &node,
        "/cosmos.bank.v1beta1.Query/TotalSupply",
        &QueryTotalSupplyRequest { pagination: None },
        query_height(&headers)?,
    )
    .await?;
    Ok(Json(
        json!({"supply": coins(&r.supply), "pagination": page(r.pagination.as_ref())}),
    ))
}

async fn supply_of(
    State(node): State<NodeHandle>,
    Query(params): Query<Vec<(String, String)>>,
    headers: HeaderMap,
) -> Reply {
    let denom = param(&params, "denom").unwrap_or_default().to_string();
    let r: QuerySupplyOfResponse = services::query(
        &node,
        "/cosmos.bank.v1beta1.Query/SupplyOf",
        &QuerySupplyOfRequest { denom },
        query_height(&headers)?,
    )
    .await?;
    Ok(Json(
        json!({"amount": r.amount.map(|c| json!({"denom": c.denom, "amount": c.amount}))}),
    ))
}

fn body_json(body: &[u8]) -> SvcResult<Value> {
    serde_json::from_slice(body).map_err(|e| Status::invalid(format!("invalid JSON body: {e}")))
}

fn body_tx_bytes(v: &Value) -> SvcResult<Vec<u8>> {
    match v.get("tx_bytes").or_else(|| v.get("txBytes")) {
        Some(Value::String(s)) => bytes_param("tx_bytes", s),
        _ => Err(Status::invalid(
            "empty txBytes is not allowed (the devnet takes tx_bytes, base64 TxRaw)",
        )),
    }
}

async fn simulate(State(node): State<NodeHandle>, body: axum::body::Bytes) -> Reply {
    let v = body_json(&body)?;
    let tx_bytes = body_tx_bytes(&v)?;
    #[allow(deprecated)]
    let req = SimulateRequest { tx: None, tx_bytes };
    let r: SimulateResponse =
        services::query(&node, "/cosmos.tx.v1beta1.Service/Simulate", &req, 0).await?;
    let gas = r.gas_info.unwrap_or_default();
    let result = match &r.result {
        None => Value::Null,
        #[allow(deprecated)]
        Some(res) => json!({
            "data": b64(&res.data),
            "log": res.log,
            "events": events_json(&res.events),
            "msg_responses": res.msg_responses.iter().map(any_json).collect::<SvcResult<Vec<_>>>()?,
        }),
    };
    Ok(Json(json!({
        "gas_info": {"gas_wanted": s64(gas.gas_wanted), "gas_used": s64(gas.gas_used)},
        "result": result,
    })))
}

async fn broadcast_tx(State(node): State<NodeHandle>, body: axum::body::Bytes) -> Reply {
    let v = body_json(&body)?;
    let tx = body_tx_bytes(&v)?;
    let mode = enum_value(v.get("mode").unwrap_or(&Value::Null), |s| {
        BroadcastMode::from_str_name(s).map(|m| m as i32)
    })
    .and_then(|m| BroadcastMode::try_from(m).ok())
    .ok_or_else(|| Status::invalid("invalid broadcast mode"))?;
    let r = services::broadcast(&node, tx, mode).await?;
    Ok(Json(json!({"tx_response": tx_response_json(&r)?})))
}

async fn tx_by_hash(State(node): State<NodeHandle>, Path(hash): Path<String>) -> Reply {
    let r = services::get_tx(&node, &hash).await?;
    Ok(Json(json!({
        "tx": match &r.tx { Some(t) => tx_json(t)?, None => Value::Null },
        "tx_response": match &r.tx_response { Some(t) => tx_response_json(t)?, None => Value::Null },
    })))
}

async fn txs_by_event(
    State(node): State<NodeHandle>,
    Query(params): Query<Vec<(String, String)>>,
) -> Reply {
    let events: Vec<String> = params
        .iter()
        .filter(|(k, _)| k == "events")
        .map(|(_, v)| v.clone())
        .collect();
    let query = param(&params, "query").unwrap_or_default();
    let order = match param(&params, "order_by") {
        None => OrderBy::Unspecified,
        Some(s) => enum_value(&json!(s), |n| OrderBy::from_str_name(n).map(|o| o as i32))
            .and_then(|o| OrderBy::try_from(o).ok())
            .ok_or_else(|| Status::invalid(format!("invalid order_by {s}")))?,
    };
    let num = |names: &[&str]| -> SvcResult<u64> {
        for n in names {
            if let Some(v) = param(&params, n) {
                return u64_param(n, v);
            }
        }
        Ok(0)
    };
    let limit = num(&["limit", "pagination.limit"])?;
    let mut page_no = num(&["page"])?;
    if page_no == 0 {
        // A pagination offset stands for the page it starts.
        let offset = num(&["pagination.offset"])?;
        let l = if limit == 0 { 100 } else { limit };
        page_no = offset / l + 1;
    }
    let r = services::get_txs_event(&node, &events, query, order, page_no, limit).await?;
    Ok(Json(json!({
        "txs": r.txs.iter().map(tx_json).collect::<SvcResult<Vec<_>>>()?,
        "tx_responses": r.tx_responses.iter().map(tx_response_json).collect::<SvcResult<Vec<_>>>()?,
        "pagination": Value::Null,
        "total": s64(r.total),
    })))
}

fn contract_info_json(c: Option<&wasm::ContractInfo>) -> Value {
    let Some(c) = c else { return Value::Null };
    json!({
        "code_id": s64(c.code_id),
        "creator": c.creator,
        "admin": c.admin,
        "label": c.label,
        "created": c.created.as_ref().map(|p| json!({
            "block_height": s64(p.block_height), "tx_index": s64(p.tx_index),
        })),
        "ibc_port_id": c.ibc_port_id,
        "extension": Value::Null,
    })
}

fn code_info_json(c: &wasm::CodeInfoResponse) -> Value {
    json!({
        "code_id": s64(c.code_id),
        "creator": c.creator,
        "data_hash": hex::encode_upper(&c.data_hash),
        "instantiate_permission": c.instantiate_permission.as_ref().map(access_config),
    })
}

async fn contract_info(
    State(node): State<NodeHandle>,
    Path(address): Path<String>,
    headers: HeaderMap,
) -> Reply {
    let r: wasm::QueryContractInfoResponse = services::query(
        &node,
        "/cosmwasm.wasm.v1.Query/ContractInfo",
        &wasm::QueryContractInfoRequest { address },
        query_height(&headers)?,
    )
    .await?;
    Ok(Json(json!({
        "address": r.address,
        "contract_info": contract_info_json(r.contract_info.as_ref()),
    })))
}

async fn smart_query(
    State(node): State<NodeHandle>,
    Path((address, query)): Path<(String, String)>,
    headers: HeaderMap,
) -> Reply {
    let query_data = bytes_param("query_data", &query)?;
    let r: wasm::QuerySmartContractStateResponse = services::query(
        &node,
        "/cosmwasm.wasm.v1.Query/SmartContractState",
        &wasm::QuerySmartContractStateRequest {
            address,
            query_data,
        },
        query_height(&headers)?,
    )
    .await?;
    Ok(Json(json!({"data": raw_json(&r.data)})))
}

async fn raw_query(
    State(node): State<NodeHandle>,
    Path((address, key)): Path<(String, String)>,
    headers: HeaderMap,
) -> Reply {
    let query_data = bytes_param("query_data", &key)?;
    let r: wasm::QueryRawContractStateResponse = services::query(
        &node,
        "/cosmwasm.wasm.v1.Query/RawContractState",
        &wasm::QueryRawContractStateRequest {
            address,
            query_data,
        },
        query_height(&headers)?,
    )
    .await?;
    Ok(Json(json!({"data": b64(&r.data)})))
}

async fn codes(State(node): State<NodeHandle>, headers: HeaderMap) -> Reply {
    let r: wasm::QueryCodesResponse = services::query(
        &node,
        "/cosmwasm.wasm.v1.Query/Codes",
        &wasm::QueryCodesRequest { pagination: None },
        query_height(&headers)?,
    )
    .await?;
    Ok(Json(json!({
        "code_infos": r.code_infos.iter().map(code_info_json).collect::<Vec<_>>(),
        "pagination": page(r.pagination.as_ref()),
    })))
}

async fn code(
    State(node): State<NodeHandle>,
    Path(code_id): Path<String>,
    headers: HeaderMap,
) -> Reply {
    let code_id = u64_param("code_id", &code_id)?;
    let r: wasm::QueryCodeResponse = services::query(
        &node,
        "/cosmwasm.wasm.v1.Query/Code",
        &wasm::QueryCodeRequest { code_id },
        query_height(&headers)?,
    )
    .await?;
    Ok(Json(json!({
        "code_info": r.code_info.as_ref().map(code_info_json),
        "data": b64(&r.data),
    })))
}

async fn contracts_by_code(
    State(node): State<NodeHandle>,
    Path(code_id): Path<String>,
    headers: HeaderMap,
) -> Reply {
    let code_id = u64_param("code_id", &code_id)?;
    let r: wasm::QueryContractsByCodeResponse = services::query(
        &node,
        "/cosmwasm.wasm.v1.Query/ContractsByCode",
        &wasm::QueryContractsByCodeRequest {
            code_id,
            pagination: None,
        },
        query_height(&headers)?,
    )
    .await?;
    Ok(Json(json!({
        "contracts": r.contracts,
        "pagination": page(r.pagination.as_ref()),
    })))
}

// ---- staking and distribution (the fixed genesis validator) ----------------

const ZERO_DEC: &str = "0.000000000000000000";

fn empty_page() -> Value {
    json!({"next_key": null, "total": "0"})
}

async fn staking_params() -> Json<Value> {
    let p = services::staking_params();
    Json(json!({"params": {
        "unbonding_time": format!("{}s", p.unbonding_time.map_or(0, |d| d.seconds)),
        "max_validators": p.max_validators,
        "max_entries": p.max_entries,
        "historical_entries": p.historical_entries,
        "bond_denom": p.bond_denom,
        "min_commission_rate": p.min_commission_rate,
    }}))
}

async fn staking_pool(State(node): State<NodeHandle>) -> Reply {
    let v = services::staking_validator(&node)?;
    Ok(Json(json!({"pool": {
        "not_bonded_tokens": "0",
        "bonded_tokens": s64(v.tokens),
    }})))
}

fn validator_json(node: &NodeHandle) -> SvcResult<Value> {
    let v = services::staking_validator(node)?;
    let genesis_time =
        tendermint_proto::google::protobuf::Timestamp::from(node.genesis.genesis_time);
    let update_time = timestamp(Some(&tmpb::google::protobuf::Timestamp {
        seconds: genesis_time.seconds,
        nanos: genesis_time.nanos,
    }));
    Ok(json!({
        "operator_address": v.operator_address,
        "consensus_pubkey": {"@type": ed25519::PubKey::type_url(), "key": b64(&v.consensus_pubkey)},
        "jailed": false,
        "status": "BOND_STATUS_BONDED",
        "tokens": s64(v.tokens),
        "delegator_shares": format!("{}.000000000000000000", v.tokens),
        "description": {
            "moniker": v.moniker, "identity": "", "website": "",
            "security_contact": "", "details": "the devnet's single validator",
        },
        "unbonding_height": "0",
        "unbonding_time": "1970-01-01T00:00:00Z",
        "commission": {
            "commission_rates": {"rate": ZERO_DEC, "max_rate": ZERO_DEC, "max_change_rate": ZERO_DEC},
            "update_time": update_time,
        },
        "min_self_delegation": "1",
        "unbonding_on_hold_ref_count": "0",
        "unbonding_ids": [],
    }))
}

async fn validators(
    State(node): State<NodeHandle>,
    Query(params): Query<Vec<(String, String)>>,
) -> Reply {
    let list = match param(&params, "status") {
        None | Some("") | Some("BOND_STATUS_BONDED") => vec![validator_json(&node)?],
        Some("BOND_STATUS_UNBONDED" | "BOND_STATUS_UNBONDING" | "BOND_STATUS_UNSPECIFIED") => {
            Vec::new()
        }
        Some(other) => return Err(Status::invalid(format!("invalid validator status {other}"))),
    };
    let total = list.len();
    Ok(Json(json!({
        "validators": list,
        "pagination": {"next_key": null, "total": s64(total)},
    })))
}

async fn validator(State(node): State<NodeHandle>, Path(valoper): Path<String>) -> Reply {
    let v = services::staking_validator(&node)?;
    if valoper != v.operator_address {
        return Err(Status::not_found(format!("validator {valoper} not found")));
    }
    Ok(Json(json!({"validator": validator_json(&node)?})))
}

async fn delegations(Path(address): Path<String>) -> Reply {
    services::check_account_address(&address)?;
    Ok(Json(
        json!({"delegation_responses": [], "pagination": empty_page()}),
    ))
}

async fn unbonding_delegations(Path(address): Path<String>) -> Reply {
    services::check_account_address(&address)?;
    Ok(Json(
        json!({"unbonding_responses": [], "pagination": empty_page()}),
    ))
}

async fn distribution_params() -> Json<Value> {
    Json(json!({"params": {
        "community_tax": ZERO_DEC,
        "base_proposer_reward": ZERO_DEC,
        "bonus_proposer_reward": ZERO_DEC,
        "withdraw_addr_enabled": true,
    }}))
}

async fn delegation_rewards(Path(address): Path<String>) -> Reply {
    services::check_account_address(&address)?;
    Ok(Json(json!({"rewards": [], "total": []})))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_use_jsonpb_fraction_groups() {
        let t =
            |seconds, nanos| timestamp(Some(&tmpb::google::protobuf::Timestamp { seconds, nanos }));
        assert_eq!(t(0, 0), json!("1970-01-01T00:00:00Z"));
        assert_eq!(
            t(1_700_000_000, 500_000_000),
            json!("2023-11-14T22:13:20.500Z")
        );
        assert_eq!(
            t(1_700_000_000, 1_000),
            json!("2023-11-14T22:13:20.000001Z")
        );
        assert_eq!(t(1_700_000_000, 7), json!("2023-11-14T22:13:20.000000007Z"));
    }

    #[test]
    fn any_inlines_the_message_with_its_type() {
        let acc = BaseAccount {
            address: "starminer1x".into(),
            pub_key: None,
            account_number: 7,
            sequence: 0,
        };
        let v = any_json(&Any {
            type_url: BaseAccount::type_url(),
            value: acc.encode_to_vec(),
        })
        .unwrap();
        assert_eq!(
            v,
            json!({"@type": "/cosmos.auth.v1beta1.BaseAccount", "address": "starminer1x",
                   "pub_key": null, "account_number": "7", "sequence": "0"})
        );
        let err = any_json(&Any {
            type_url: "/x.Unknown".into(),
            value: vec![],
        })
        .unwrap_err();
        assert_eq!(err.code, Code::Internal);
    }
}
