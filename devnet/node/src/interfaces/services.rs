//! The Cosmos SDK query and tx services behind the REST gateway ([`super::rest`]):
//! each answers with the SDK's protobuf response, or a [`Status`] carrying the
//! gRPC code the SDK answers with.
//!
//! Module queries (auth, bank, wasm, IBC, tx simulation) go to the
//! application thread, whose router hands them to the modules; transactions, blocks and node info are
//! read from the block log; staking and distribution describe the genesis
//! validator, whose power is fixed (the devnet has no staking module).

use std::collections::BTreeSet;

use cosmos_sdk_proto::cosmos::base::abci::v1beta1::TxResponse;
use cosmos_sdk_proto::cosmos::base::node::v1beta1 as node_svc;
use cosmos_sdk_proto::cosmos::base::tendermint::v1beta1 as tm_svc;
use cosmos_sdk_proto::cosmos::staking::v1beta1 as staking;
use cosmos_sdk_proto::cosmos::tx::v1beta1::{
    AuthInfo, BroadcastMode, GetTxResponse, GetTxsEventResponse, OrderBy, Tx, TxBody, TxRaw,
};
use cosmos_sdk_proto::tendermint as tmpb;
use cosmos_sdk_proto::Any;
use prost::{Message, Name};

use crate::app::blocks::{BLOCK_PROTOCOL, COMETBFT_VERSION};
use crate::app::driver::{AppRequest, NodeHandle};
use crate::store::tx_hash;
use crate::store::{StoredBlock, TxRecord};

/// gRPC status codes (the subset the SDK's services answer with).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Code {
    Unknown = 2,
    InvalidArgument = 3,
    NotFound = 5,
    Unauthenticated = 16,
    Unimplemented = 12,
    Internal = 13,
}

/// A failed call: gRPC code and message, as the SDK's servers answer.
#[derive(Clone, Debug)]
pub struct Status {
    pub code: Code,
    pub message: String,
}

impl Status {
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Status {
            code,
            message: message.into(),
        }
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Status::new(Code::InvalidArgument, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Status::new(Code::NotFound, message)
    }
}

impl From<anyhow::Error> for Status {
    fn from(e: anyhow::Error) -> Self {
        Status::new(Code::Internal, format!("{e:#}"))
    }
}

pub type SvcResult<T> = Result<T, Status>;

/// The status the SDK's gRPC router gives a failed ABCI query: the
/// `rpc error: code = X desc = Y` errors keep their code, registered SDK
/// errors map as the SDK maps them, the rest are `Unknown`.
fn status_from_query(codespace: &str, code: u32, log: String) -> Status {
    if let Some(rest) = log.strip_prefix("rpc error: code = ") {
        if let Some((name, desc)) = rest.split_once(" desc = ") {
            let code = match name {
                "InvalidArgument" => Code::InvalidArgument,
                "NotFound" => Code::NotFound,
                "Unauthenticated" => Code::Unauthenticated,
                "Unimplemented" => Code::Unimplemented,
                "Internal" => Code::Internal,
                _ => Code::Unknown,
            };
            // The router's own suffix is not part of the service's status.
            let desc = desc.strip_suffix(" : unknown request").unwrap_or(desc);
            return Status::new(code, desc);
        }
    }
    // A contract's failed query, which the query router wrapped in sdk/6:
    // the wasm service itself answered Unknown. (Other sdk/6 answers are
    // unknown paths: Unimplemented, below.)
    if let ("sdk", 6, Some(desc)) = (codespace, code, log.strip_suffix(": unknown request")) {
        if desc.ends_with("query wasm contract failed") || desc.ends_with("wasmvm error") {
            return Status::new(Code::Unknown, desc);
        }
    }
    let code = match (codespace, code) {
        ("sdk", 18) | ("sdk", 26) => Code::InvalidArgument,
        ("sdk", 22) | ("wasm", 8) => Code::NotFound,
        ("sdk", 6) => Code::Unimplemented,
        _ => Code::Unknown,
    };
    Status::new(code, log)
}

/// A module query through the application (`path` is the gRPC method).
pub async fn query<Req: Message, Resp: Message + Default>(
    node: &NodeHandle,
    path: &str,
    req: &Req,
    height: u64,
) -> SvcResult<Resp> {
    let value = query_raw(node, path, req.encode_to_vec(), height).await?;
    Resp::decode(value.as_slice())
        .map_err(|e| Status::new(Code::Internal, format!("decoding the answer: {e}")))
}

/// A module query with the request and the answer as protobuf bytes.
pub async fn query_raw(
    node: &NodeHandle,
    path: &str,
    data: Vec<u8>,
    height: u64,
) -> SvcResult<Vec<u8>> {
    let path = path.to_string();
    let answer = node
        .request(|reply| AppRequest::Query {
            path,
            data,
            height,
            reply,
        })
        .await?;
    if answer.code != 0 {
        return Err(status_from_query(
            &answer.codespace,
            answer.code,
            answer.log,
        ));
    }
    Ok(answer.value)
}

/// A tendermint-rs (prost 0.14) message as the SDK's (prost 0.13) type: same wire form.
fn reencode<T: prost_tm::Message, U: Message + Default>(m: &T) -> SvcResult<U> {
    U::decode(m.encode_to_vec().as_slice())
        .map_err(|e| Status::new(Code::Internal, format!("re-encoding: {e}")))
}

/// The chain's bech32 string of `raw` under `hrp`.
pub fn bech32(hrp: &str, raw: &[u8]) -> SvcResult<String> {
    let hrp = bech32::Hrp::parse(hrp).map_err(|e| Status::new(Code::Internal, e.to_string()))?;
    bech32::encode::<bech32::Bech32>(hrp, raw)
        .map_err(|e| Status::new(Code::Internal, e.to_string()))
}

/// Checks a bech32 address with the chain's account prefix.
pub fn check_account_address(addr: &str) -> SvcResult<()> {
    match bech32::decode(addr) {
        Ok((hrp, data)) if hrp.as_str() == crate::app::BECH32_PREFIX && !data.is_empty() => Ok(()),
        Ok((hrp, _)) => Err(Status::invalid(format!(
            "invalid address: invalid Bech32 prefix; expected {}, got {hrp}",
            crate::app::BECH32_PREFIX
        ))),
        Err(e) => Err(Status::invalid(format!("invalid address: {e}"))),
    }
}

// ---- tx service -----------------------------------------------------------

/// The `Tx` of raw tx bytes, as the SDK decodes it for responses.
pub fn decode_tx(bytes: &[u8]) -> SvcResult<Tx> {
    let raw = TxRaw::decode(bytes).map_err(|e| Status::invalid(format!("tx parse error: {e}")))?;
    Ok(Tx {
        body: Some(
            TxBody::decode(raw.body_bytes.as_slice())
                .map_err(|e| Status::invalid(format!("tx parse error: {e}")))?,
        ),
        auth_info: Some(
            AuthInfo::decode(raw.auth_info_bytes.as_slice())
                .map_err(|e| Status::invalid(format!("tx parse error: {e}")))?,
        ),
        signatures: raw.signatures,
    })
}

/// The SDK's time format in `TxResponse.timestamp` (RFC 3339, whole seconds).
fn rfc3339_seconds(t: tendermint::Time) -> String {
    let secs = t.unix_timestamp();
    tendermint::Time::from_unix_timestamp(secs, 0)
        .map(|t| t.to_rfc3339())
        .unwrap_or_default()
}

fn abci_events(events: &[tendermint::abci::Event]) -> Vec<tmpb::abci::Event> {
    events
        .iter()
        .map(|e| tmpb::abci::Event {
            r#type: e.kind.clone(),
            attributes: e
                .attributes
                .iter()
                .map(|a| tmpb::abci::EventAttribute {
                    key: a.key_str().unwrap_or_default().to_string(),
                    value: a.value_str().unwrap_or_default().to_string(),
                    index: a.index(),
                })
                .collect(),
        })
        .collect()
}

/// `TxResponse` of a delivered transaction, as the SDK's `NewResponseResultTx` builds it.
pub fn tx_response(node: &NodeHandle, rec: &TxRecord) -> SvcResult<(Tx, TxResponse)> {
    let tx = decode_tx(&rec.tx)?;
    let timestamp = node
        .db
        .block(rec.height)?
        .map(|b| rfc3339_seconds(b.block.header.time))
        .unwrap_or_default();
    let r = &rec.result;
    let response = TxResponse {
        height: rec.height as i64,
        txhash: rec.hash.to_string(),
        codespace: r.codespace.clone(),
        code: r.code.value(),
        data: hex::encode_upper(&r.data),
        raw_log: r.log.clone(),
        logs: Vec::new(),
        info: r.info.clone(),
        gas_wanted: r.gas_wanted,
        gas_used: r.gas_used,
        tx: Some(Any {
            type_url: Tx::type_url(),
            value: tx.encode_to_vec(),
        }),
        timestamp,
        events: abci_events(&r.events),
    };
    Ok((tx, response))
}

fn parse_hash(hash: &str) -> SvcResult<Vec<u8>> {
    if hash.is_empty() {
        return Err(Status::invalid("tx hash cannot be empty"));
    }
    let bytes = hex::decode(hash).map_err(|e| Status::invalid(format!("invalid tx hash: {e}")))?;
    if bytes.len() != 32 {
        return Err(Status::invalid(format!(
            "invalid tx hash: {} bytes, expected 32",
            bytes.len()
        )));
    }
    Ok(bytes)
}

/// `cosmos.tx.v1beta1.Service/GetTx`.
pub async fn get_tx(node: &NodeHandle, hash: &str) -> SvcResult<GetTxResponse> {
    let bytes = parse_hash(hash)?;
    let rec = node
        .index
        .settled()
        .await
        .tx(&bytes)?
        .ok_or_else(|| Status::not_found(format!("tx not found: {hash}")))?;
    let (tx, tx_response) = tx_response(node, &rec)?;
    Ok(GetTxResponse {
        tx: Some(tx),
        tx_response: Some(tx_response),
    })
}

/// One `key=value` condition of an events query (`'` quotes around the value allowed).
fn parse_condition(cond: &str) -> SvcResult<(String, String)> {
    let (k, v) = cond.split_once('=').ok_or_else(|| {
        Status::invalid(format!(
            "invalid event; event {cond} should be of the format: type.attribute=value"
        ))
    })?;
    let k = k.trim();
    let v = v.trim().trim_matches('\'').trim_matches('"');
    if !k.contains('.') || k.contains(['<', '>', '!']) {
        return Err(Status::invalid(format!(
            "invalid event; event {cond} should be of the format: type.attribute=value (the devnet answers equality conditions)"
        )));
    }
    Ok((k.to_string(), v.to_string()))
}

/// `cosmos.tx.v1beta1.Service/GetTxsEvent`: `events` (each `type.key=value`,
/// all must hold) or `query` (conditions joined by `AND`); `page` from 1,
/// `limit` (default 100), ascending unless `ORDER_BY_DESC`.
pub async fn get_txs_event(
    node: &NodeHandle,
    events: &[String],
    query: &str,
    order_by: OrderBy,
    page: u64,
    limit: u64,
) -> SvcResult<GetTxsEventResponse> {
    let mut conditions: Vec<(String, String)> = Vec::new();
    for e in events {
        conditions.push(parse_condition(e)?);
    }
    if !query.trim().is_empty() {
        for c in query.split(" AND ") {
            conditions.push(parse_condition(c)?);
        }
    }
    if conditions.is_empty() {
        return Err(Status::invalid("query cannot be empty"));
    }
    let page = if page == 0 { 1 } else { page };
    let limit = if limit == 0 { 100 } else { limit };
    let index = node.index.settled().await;
    let mut found: Option<BTreeSet<(u64, u32)>> = None;
    for (k, v) in &conditions {
        let positions: BTreeSet<(u64, u32)> = if k == "tx.height" {
            let h: u64 = v
                .parse()
                .map_err(|_| Status::invalid(format!("invalid tx.height {v}")))?;
            node.db.tx_positions_in(h, h)?.into_iter().collect()
        } else if k == "tx.hash" {
            let hash = parse_hash(v)?;
            index.position(&hash)?.into_iter().collect()
        } else {
            index
                .positions_by_event(&format!("{k}={v}"))?
                .into_iter()
                .collect()
        };
        found = Some(match found {
            None => positions,
            Some(prev) => prev.intersection(&positions).copied().collect(),
        });
    }
    let mut positions: Vec<(u64, u32)> = found.unwrap_or_default().into_iter().collect();
    if order_by == OrderBy::Desc {
        positions.reverse();
    }
    let total = positions.len() as u64;
    let start = (page - 1).saturating_mul(limit);
    if start > 0 && start >= total {
        return Err(Status::invalid(format!(
            "page should be within [1, {}] range, given {page}",
            total.div_ceil(limit).max(1)
        )));
    }
    let mut txs = Vec::new();
    let mut tx_responses = Vec::new();
    for (h, i) in positions
        .into_iter()
        .skip(start as usize)
        .take(limit as usize)
    {
        if let Some(rec) = node.db.tx_at(h, i)? {
            let (tx, r) = tx_response(node, &rec)?;
            txs.push(tx);
            tx_responses.push(r);
        }
    }
    #[allow(deprecated)]
    Ok(GetTxsEventResponse {
        txs,
        tx_responses,
        pagination: None,
        total,
    })
}

/// `cosmos.tx.v1beta1.Service/BroadcastTx` in SYNC or ASYNC mode: the SDK's
/// `TxResponse` with the CheckTx outcome (SYNC) or only the hash (ASYNC).
pub async fn broadcast(
    node: &NodeHandle,
    tx: Vec<u8>,
    mode: BroadcastMode,
) -> SvcResult<TxResponse> {
    let txhash = tx_hash(&tx).to_string();
    let respond = |code: u32, codespace: &str, raw_log: String| TxResponse {
        txhash: txhash.clone(),
        code,
        codespace: codespace.to_string(),
        raw_log,
        ..Default::default()
    };
    // The SDK's TxServiceBroadcast: an empty tx first, then the mode
    // (an unsupported one is a plain error, so gRPC `Unknown`).
    if tx.is_empty() {
        return Err(Status::invalid("invalid empty tx"));
    }
    match mode {
        BroadcastMode::Sync => {}
        BroadcastMode::Async => {
            let node = node.clone();
            tokio::spawn(async move {
                let _ = node.broadcast(tx).await;
            });
            return Ok(respond(0, "", String::new()));
        }
        BroadcastMode::Block => {
            return Err(Status::new(
                Code::Unknown,
                "unsupported return type block; supported types: sync, async",
            ))
        }
        BroadcastMode::Unspecified => {
            return Err(Status::new(
                Code::Unknown,
                "unsupported return type ; supported types: sync, async",
            ))
        }
    }
    let result = node.broadcast(tx).await?;
    Ok(match result {
        Ok(r) => respond(r.code, &r.codespace, r.log),
        // CometBFT's mempool refusals, as the SDK's CheckCometError reports them.
        Err(e) if e.contains("already exists in cache") => {
            respond(19, "sdk", "tx already in mempool".to_string())
        }
        Err(e) if e.contains(crate::app::driver::MEMPOOL_FULL) => respond(20, "sdk", e),
        Err(e) => return Err(Status::new(Code::Unknown, e)),
    })
}

// ---- tendermint service ---------------------------------------------------

/// `cosmos.base.tendermint.v1beta1.Service/GetNodeInfo`.
pub fn node_info(node: &NodeHandle) -> tm_svc::GetNodeInfoResponse {
    let rpc = format!("tcp://{}", node.rpc_addr);
    tm_svc::GetNodeInfoResponse {
        default_node_info: Some(tmpb::p2p::DefaultNodeInfo {
            protocol_version: Some(tmpb::p2p::ProtocolVersion {
                p2p: 8,
                block: BLOCK_PROTOCOL,
                app: 0,
            }),
            default_node_id: node.validator.address.to_string().to_lowercase(),
            listen_addr: rpc.clone(),
            network: node.genesis.chain_id.to_string(),
            version: COMETBFT_VERSION.to_string(),
            channels: hex::decode("40202122233038606100").unwrap_or_default(),
            moniker: "starminer-devnet".to_string(),
            other: Some(tmpb::p2p::DefaultNodeInfoOther {
                tx_index: "on".to_string(),
                rpc_address: rpc,
            }),
        }),
        application_version: Some(tm_svc::VersionInfo {
            name: "starminer".to_string(),
            app_name: "starminer-devnet".to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
            git_commit: String::new(),
            build_tags: String::new(),
            go_version: String::new(),
            build_deps: build_deps(),
            // The SDK release whose services and shapes the devnet answers with.
            cosmos_sdk_version: COSMOS_SDK_VERSION.to_string(),
        }),
    }
}

/// The queries the node itself answers rather than a module (node info and
/// config, staking parameters), by full method name, for gRPC and
/// `abci_query` alike: relayers ask some of them over `abci_query` (Hermes
/// fetches the node info that way) and others over gRPC. None: the path is
/// not one of them.
pub fn node_service(node: &NodeHandle, path: &str) -> Option<Vec<u8>> {
    Some(match path {
        "/cosmos.base.tendermint.v1beta1.Service/GetNodeInfo" => node_info(node).encode_to_vec(),
        "/cosmos.base.node.v1beta1.Service/Config" => node_config(node).encode_to_vec(),
        "/cosmos.staking.v1beta1.Query/Params" => staking::QueryParamsResponse {
            params: Some(staking_params()),
        }
        .encode_to_vec(),
        _ => return None,
    })
}

/// An SDK `Dec` as text: 18 decimals.
pub fn sdk_dec(d: cosmwasm_std::Decimal) -> String {
    let atomics = d.atomics().u128();
    let unit = 10u128.pow(18);
    format!("{}.{:018}", atomics / unit, atomics % unit)
}

/// The node's configuration as `cosmos.base.node.v1beta1.Service/Config`
/// gives it: the minimum gas price relayers and wallets check their own
/// against. The devnet keeps every version (no pruning) and never halts.
pub fn node_config(node: &NodeHandle) -> node_svc::ConfigResponse {
    node_svc::ConfigResponse {
        minimum_gas_price: format!("{}{}", sdk_dec(node.min_gas_price), crate::app::DENOM),
        pruning_keep_recent: "0".to_string(),
        pruning_interval: "0".to_string(),
        halt_height: 0,
    }
}

/// Seconds a validator's stake stays slashable after it unbonds, as the
/// staking parameters report it (the SDK's default, 21 days). The devnet
/// has no staking module; relayers derive a client's trusting period from
/// it.
pub const UNBONDING_SECONDS: i64 = 21 * 24 * 3600;

/// The staking parameters the devnet reports: the SDK's defaults, with
/// historical entries kept (relayers refuse a chain that keeps none, since
/// a connection handshake proves the host's own past consensus states).
pub fn staking_params() -> staking::Params {
    staking::Params {
        unbonding_time: Some(tmpb::google::protobuf::Duration {
            seconds: UNBONDING_SECONDS,
            nanos: 0,
        }),
        max_validators: 100,
        max_entries: 7,
        historical_entries: 10_000,
        bond_denom: crate::app::DENOM.to_string(),
        min_commission_rate: sdk_dec(cosmwasm_std::Decimal::zero()),
    }
}

/// The Cosmos SDK release whose services and shapes the devnet answers with.
pub const COSMOS_SDK_VERSION: &str = "v0.50.13";

/// The ibc-go release whose protocol, paths and queries the IBC module follows.
pub const IBC_GO_VERSION: &str = "v8.7.0";

/// `build_deps` of the node info. A Go node lists the modules it was built
/// from, and relayers pick their compatibility mode from two of them (the
/// SDK and the consensus engine). The devnet is built from neither: it
/// answers as those releases do, and says so with the same module paths and
/// the versions it speaks, marked `(protocol)` in the checksum field where a
/// Go build puts a hash. The Rust crates it really runs on follow, under
/// their crates.io names. ibc-go is listed the same way: the IBC module is
/// ibc-rs, which implements the IBC protocol version ibc-go v8 speaks
/// (relayers refuse a chain without an ibc-go entry).
pub fn build_deps() -> Vec<tm_svc::Module> {
    let dep = |path: &str, version: &str, sum: &str| tm_svc::Module {
        path: path.to_string(),
        version: version.to_string(),
        sum: sum.to_string(),
    };
    vec![
        dep(
            "github.com/cosmos/cosmos-sdk",
            COSMOS_SDK_VERSION,
            "(protocol)",
        ),
        dep(
            "github.com/cometbft/cometbft",
            &format!("v{}", crate::app::blocks::COMETBFT_VERSION),
            "(protocol)",
        ),
        dep("github.com/cosmos/ibc-go/v8", IBC_GO_VERSION, "(protocol)"),
        dep("crates.io/cosmwasm-vm", "v2.2.10", "(crate)"),
        dep("crates.io/ibc", "v0.57.0", "(crate)"),
        dep("crates.io/tendermint", "v0.41.0", "(crate)"),
        dep("crates.io/jmt", "v0.12.0", "(crate)"),
    ]
}

/// The latest committed height (0 before the first block).
pub fn latest_height(node: &NodeHandle) -> SvcResult<u64> {
    Ok(node.db.latest_height()?.unwrap_or(0))
}

/// A committed block: its id, the CometBFT block and the SDK block (whose
/// header names the proposer by its bech32 consensus address).
pub fn block_at(
    node: &NodeHandle,
    height: u64,
) -> SvcResult<(tmpb::types::BlockId, tmpb::types::Block, tm_svc::Block)> {
    let latest = latest_height(node)?;
    if height > latest {
        return Err(Status::invalid(
            "requested block height is bigger then the chain length",
        ));
    }
    let stored: StoredBlock = node
        .db
        .block(height)?
        .ok_or_else(|| Status::not_found(format!("no block at height {height}")))?;
    let block_id: tmpb::types::BlockId = reencode(&tendermint_proto::v0_38::types::BlockId::from(
        stored.block_id,
    ))?;
    let block: tmpb::types::Block = reencode(&tendermint_proto::v0_38::types::Block::from(
        stored.block.clone(),
    ))?;
    let h = block.header.clone().unwrap_or_default();
    let sdk_block = tm_svc::Block {
        header: Some(tm_svc::Header {
            version: h.version,
            chain_id: h.chain_id,
            height: h.height,
            time: h.time,
            last_block_id: h.last_block_id,
            last_commit_hash: h.last_commit_hash,
            data_hash: h.data_hash,
            validators_hash: h.validators_hash,
            next_validators_hash: h.next_validators_hash,
            consensus_hash: h.consensus_hash,
            app_hash: h.app_hash,
            last_results_hash: h.last_results_hash,
            evidence_hash: h.evidence_hash,
            proposer_address: bech32(
                &format!("{}valcons", crate::app::BECH32_PREFIX),
                &h.proposer_address,
            )?,
        }),
        data: block.data.clone(),
        evidence: block.evidence.clone(),
        last_commit: block.last_commit.clone(),
    };
    Ok((block_id, block, sdk_block))
}

// ---- staking and distribution --------------------------------------------

/// The SDK's `DefaultPowerReduction`: tokens per unit of consensus power.
pub const POWER_REDUCTION: u64 = 1_000_000;

/// The genesis validator as the staking module describes it.
pub struct StakingValidator {
    pub operator_address: String,
    pub consensus_pubkey: Vec<u8>,
    pub tokens: u64,
    pub moniker: String,
}

pub fn staking_validator(node: &NodeHandle) -> SvcResult<StakingValidator> {
    let v = &node.validator;
    Ok(StakingValidator {
        operator_address: bech32(
            &format!("{}valoper", crate::app::BECH32_PREFIX),
            v.address.as_bytes(),
        )?,
        consensus_pubkey: v.pub_key.to_bytes(),
        tokens: v.power.value() * POWER_REDUCTION,
        moniker: node
            .genesis
            .validators
            .first()
            .and_then(|g| g.name.clone())
            .unwrap_or_else(|| "devnet-validator".to_string()),
    })
}

#[cfg(test)]
mod tests {
    /// The crates `build_deps` names are the versions Cargo.lock builds.
    #[test]
    fn build_deps_name_the_locked_crate_versions() {
        let lock =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../Cargo.lock"))
                .unwrap();
        for m in super::build_deps() {
            let Some(name) = m.path.strip_prefix("crates.io/") else {
                continue;
            };
            let entry = format!("name = \"{name}\"\nversion = \"{}\"", &m.version[1..]);
            assert!(lock.contains(&entry), "{name} {} is not locked", m.version);
        }
    }
}
