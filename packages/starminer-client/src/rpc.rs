//! The RPC client of a chain ([`ChainClient`]) over CometBFT JSON-RPC,
//! with failover between endpoints: queries over ABCI (the gRPC query services a wasmd
//! node serves through `abci_query`), simulation, broadcast and waiting for
//! a transaction's block, with retries and backoff on transport errors.

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use base64::Engine;
use cosmos_sdk_proto::cosmos::auth::v1beta1::{
    BaseAccount, QueryAccountRequest, QueryAccountResponse,
};
use cosmos_sdk_proto::cosmos::bank::v1beta1::{QueryBalanceRequest, QueryBalanceResponse};
use cosmos_sdk_proto::cosmos::base::abci::v1beta1::TxMsgData;
use cosmos_sdk_proto::cosmos::tx::v1beta1::{SimulateRequest, SimulateResponse};
use cosmos_sdk_proto::cosmwasm::wasm::v1::{
    ContractInfo, QueryCodeRequest, QueryCodeResponse, QueryContractInfoRequest,
    QueryContractInfoResponse, QuerySmartContractStateRequest, QuerySmartContractStateResponse,
};
use cosmos_sdk_proto::Any;
use prost::{Message, Name};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use tendermint_rpc::error::ErrorDetail;
use tendermint_rpc::{Client, HttpClient};

use crate::config::ChainConfig;

/// How often and how patiently transport errors are retried.
#[derive(Clone, Copy, Debug)]
pub struct RetryPolicy {
    /// Tries in all (1 = no retry).
    pub attempts: u32,
    /// First backoff; doubled after each failure.
    pub initial_backoff: Duration,
    pub max_backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            attempts: 6,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(3),
        }
    }
}

/// Whether an RPC error is the transport's (nothing answered: worth
/// retrying) rather than the node's answer. An HTTP error status is an
/// answer: see [`http_status`].
pub fn is_transport_error(e: &tendermint_rpc::Error) -> bool {
    matches!(
        e.detail(),
        ErrorDetail::Io(_)
            | ErrorDetail::Http(_)
            | ErrorDetail::Timeout(_)
            | ErrorDetail::WebSocket(_)
            | ErrorDetail::WebSocketTimeout(_)
            | ErrorDetail::ChannelSend(_)
    )
}

/// The HTTP status the node (or a proxy before it) answered instead of a
/// JSON-RPC response, e.g. 400 for a body over CometBFT's `max_body_bytes`.
pub fn http_status(e: &tendermint_rpc::Error) -> Option<u16> {
    match e.detail() {
        ErrorDetail::HttpRequestFailed(d) => Some(d.status.as_u16()),
        _ => None,
    }
}

/// Whether an HTTP status says "later" rather than "no": 429 and 5xx.
fn is_transient_status(status: u16) -> bool {
    status == 429 || status >= 500
}

/// A call to the node that failed before any transaction logic ran: nothing
/// answered, or the node refused the request itself. (A transaction the
/// chain refused is a [`TxError`], a failed query a [`QueryError`].)
#[derive(Debug, thiserror::Error)]
pub enum NodeError {
    /// Nothing answered: connection refused, DNS, timeout.
    #[error("{what}: cannot reach the node at {endpoint} after {tries} tries ({detail}): is it running? (`starminer devnet status` or `starminer chain status`)")]
    Unreachable {
        what: String,
        endpoint: String,
        tries: u32,
        detail: String,
    },
    /// The node (or a proxy in front of it) answered with an HTTP error
    /// status instead of a JSON-RPC response.
    #[error("{what}: the node at {endpoint} refused the request with HTTP {status}{}: {reason}{}",
        .request_bytes.map(|b| format!(" ({b}-byte request)")).unwrap_or_default(),
        refusal_hint(*.status, .reason, *.request_bytes))]
    HttpStatus {
        what: String,
        endpoint: String,
        status: u16,
        /// The node's own words (its response body), or the status text.
        reason: String,
        request_bytes: Option<usize>,
    },
    /// The node answered with a JSON-RPC error.
    #[error("{what}: the node at {endpoint} answered with an error: {detail}")]
    Rpc {
        what: String,
        endpoint: String,
        detail: String,
    },
}

impl NodeError {
    /// Whether the node could not be reached at all (as opposed to refusing).
    pub fn is_unreachable(&self) -> bool {
        matches!(self, NodeError::Unreachable { .. })
    }
}

fn refusal_hint(status: u16, reason: &str, request_bytes: Option<usize>) -> String {
    let too_large = status == 413
        || reason.contains("too large")
        || request_bytes.is_some_and(|b| b > crate::upload::COMETBFT_MAX_BODY_BYTES);
    if status < 500 && too_large {
        format!(
            " (the request is over the node's rpc.max_body_bytes; CometBFT's default, which public nodes keep, is {} bytes)",
            crate::upload::COMETBFT_MAX_BODY_BYTES
        )
    } else {
        String::new()
    }
}

/// Whether the node refused a broadcast because its mempool is full
/// (CometBFT's `ErrMempoolIsFull`, a JSON-RPC error): the node is busy, and
/// the same broadcast succeeds once a block has drained the mempool.
pub fn is_mempool_full(e: &tendermint_rpc::Error) -> bool {
    e.to_string().contains("mempool is full")
}

/// A failed transaction: rejected at CheckTx (never in a block) or failed in
/// its block (fee charged, sequence used).
#[derive(Debug, thiserror::Error)]
pub enum TxError {
    #[error("the node rejected the transaction ({codespace}/{code}): {log}")]
    CheckTx {
        codespace: String,
        code: u32,
        log: String,
    },
    #[error("transaction {} failed in block {} ({}/{}): {}", .0.hash, .0.height, .0.codespace, .0.code, .0.log)]
    Deliver(Box<TxOutcome>),
    #[error("simulation failed ({codespace}/{code}): {log}")]
    Simulate {
        codespace: String,
        code: u32,
        log: String,
    },
    #[error("transaction {hash} was not committed within {seconds}s: check the node (`starminer devnet status` or `starminer chain status`) and look the hash up later")]
    NotCommitted { hash: String, seconds: u64 },
}

impl TxError {
    /// The SDK's "account sequence mismatch" (sdk/32).
    pub fn is_wrong_sequence(&self) -> bool {
        let (codespace, code, log) = match self {
            TxError::CheckTx {
                codespace,
                code,
                log,
            }
            | TxError::Simulate {
                codespace,
                code,
                log,
            } => (codespace, *code, log),
            _ => return false,
        };
        (codespace == "sdk" && code == 32)
            || log.contains("account sequence mismatch")
            || log.contains("incorrect account sequence")
    }
}

/// One event of a transaction result, attributes in order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TxEvent {
    pub kind: String,
    pub attributes: Vec<(String, String)>,
}

impl From<&tendermint::abci::Event> for TxEvent {
    /// Keys and values as text (bytes that are not UTF-8 replaced).
    fn from(e: &tendermint::abci::Event) -> Self {
        TxEvent {
            kind: e.kind.clone(),
            attributes: e
                .attributes
                .iter()
                .map(|a| {
                    (
                        String::from_utf8_lossy(a.key_bytes()).into_owned(),
                        String::from_utf8_lossy(a.value_bytes()).into_owned(),
                    )
                })
                .collect(),
        }
    }
}

impl TxEvent {
    pub fn attribute(&self, key: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// A committed transaction's result.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TxOutcome {
    /// Upper-case hex, as CometBFT prints it.
    pub hash: String,
    pub height: u64,
    pub code: u32,
    pub codespace: String,
    pub log: String,
    pub gas_wanted: u64,
    pub gas_used: u64,
    pub events: Vec<TxEvent>,
    /// The messages' responses (`TxMsgData.msg_responses`), in order.
    #[serde(skip)]
    pub msg_responses: Vec<Any>,
}

impl TxOutcome {
    pub fn is_ok(&self) -> bool {
        self.code == 0
    }

    /// Events of one type.
    pub fn events_of<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a TxEvent> + 'a {
        self.events.iter().filter(move |e| e.kind == kind)
    }

    /// The first value of `key` in an event of type `kind`.
    pub fn attribute(&self, kind: &str, key: &str) -> Option<&str> {
        self.events
            .iter()
            .filter(|e| e.kind == kind)
            .find_map(|e| e.attribute(key))
    }

    /// The first value of `key` in the `wasm` events emitted by `contract`.
    pub fn wasm_attribute(&self, contract: &str, key: &str) -> Option<&str> {
        self.events_of("wasm")
            .filter(|e| e.attribute("_contract_address") == Some(contract))
            .find_map(|e| e.attribute(key))
    }

    /// Response `i` decoded as `M` (e.g. `MsgStoreCodeResponse`).
    pub fn msg_response<M: Message + Name + Default>(&self, i: usize) -> Result<M> {
        let any = self
            .msg_responses
            .get(i)
            .ok_or_else(|| anyhow!("transaction {} has no message response {i}", self.hash))?;
        if any.type_url != M::type_url() {
            bail!(
                "message response {i} is {}, not {}",
                any.type_url,
                M::type_url()
            );
        }
        M::decode(any.value.as_slice()).context("decoding the message response")
    }

    fn from_rpc(t: tendermint_rpc::endpoint::tx::Response) -> TxOutcome {
        let r = t.tx_result;
        TxOutcome {
            hash: t.hash.to_string(),
            height: t.height.value(),
            code: r.code.value(),
            codespace: r.codespace,
            log: r.log,
            gas_wanted: u64::try_from(r.gas_wanted).unwrap_or(0),
            gas_used: u64::try_from(r.gas_used).unwrap_or(0),
            events: r.events.iter().map(TxEvent::from).collect(),
            msg_responses: decode_msg_data(r.data.as_ref()),
        }
    }
}

/// `TxMsgData` of a result. CometBFT writes `data` as base64 and
/// tendermint-rs 0.41 keeps that text as the bytes (against any node), so it
/// is base64-decoded first; raw protobuf is accepted too.
fn decode_msg_data(data: &[u8]) -> Vec<Any> {
    let raw = base64::engine::general_purpose::STANDARD
        .decode(data)
        .unwrap_or_else(|_| data.to_vec());
    TxMsgData::decode(raw.as_slice())
        .map(|d| d.msg_responses)
        .unwrap_or_default()
}

/// The latest block as the node reports it.
#[derive(Clone, Debug, Serialize)]
pub struct ChainStatus {
    pub chain_id: String,
    pub height: u64,
    /// Unix seconds of the latest block.
    pub time: u64,
    pub catching_up: bool,
}

/// A client of one chain. Cheap to clone (the HTTP clients and the choice
/// of endpoint are shared by the clones).
///
/// With several RPC endpoints (`rpc` and `rpc_fallbacks`), one is current;
/// a transport error moves every clone on to the next, so a dead node costs
/// one failed request, not one per call.
#[derive(Clone, Debug)]
pub struct ChainClient {
    config: ChainConfig,
    endpoints: Arc<Vec<(String, HttpClient)>>,
    current: Arc<AtomicUsize>,
    retry: RetryPolicy,
    /// How long to wait for a broadcast transaction to be in a block.
    pub commit_timeout: Duration,
}

impl ChainClient {
    pub fn new(config: ChainConfig) -> Result<ChainClient> {
        config.validate()?;
        let endpoints = config
            .rpc_endpoints()
            .map(|url| {
                HttpClient::new(url)
                    .map(|c| (url.to_string(), c))
                    .with_context(|| format!("RPC endpoint {url}"))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(ChainClient {
            config,
            endpoints: Arc::new(endpoints),
            current: Arc::new(AtomicUsize::new(0)),
            retry: RetryPolicy::default(),
            commit_timeout: Duration::from_secs(60),
        })
    }

    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    pub fn config(&self) -> &ChainConfig {
        &self.config
    }

    /// The tendermint-rpc client of the current endpoint (blocks, tx
    /// search, …).
    pub fn rpc(&self) -> &HttpClient {
        &self.endpoints[self.current_index()].1
    }

    /// The URL of the current RPC endpoint.
    pub fn endpoint(&self) -> &str {
        &self.endpoints[self.current_index()].0
    }

    /// The WebSocket URL of the current RPC endpoint.
    pub fn websocket_url(&self) -> String {
        crate::config::websocket_url_of(self.endpoint())
    }

    fn current_index(&self) -> usize {
        self.current.load(Ordering::Relaxed) % self.endpoints.len()
    }

    /// Moves on to the next endpoint after `failed` (the index a request
    /// went to) could not be reached. Clones that already moved on are left
    /// where they are. Returns whether there is another endpoint to try.
    fn fail_over(&self, failed: usize) -> bool {
        let n = self.endpoints.len();
        if n < 2 {
            return false;
        }
        let next = (failed + 1) % n;
        if self
            .current
            .compare_exchange(failed, next, Ordering::Relaxed, Ordering::Relaxed)
            .is_ok()
        {
            tracing::warn!(
                from = %self.endpoints[failed].0,
                to = %self.endpoints[next].0,
                "RPC endpoint unreachable: failing over"
            );
        }
        true
    }

    /// Runs `call` again while it fails with a transport error: first on
    /// the other endpoints, then, after each round over all of them, after
    /// a backoff.
    pub async fn retrying<T, F, Fut>(&self, what: &str, call: F) -> Result<T>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<T, tendermint_rpc::Error>>,
    {
        let mut backoff = self.retry.initial_backoff;
        let rounds = self.retry.attempts.max(1);
        let per_round = self.endpoints.len() as u32;
        let mut attempt = 1;
        loop {
            let used = self.current_index();
            match call().await {
                Ok(v) => return Ok(v),
                Err(e)
                    if (is_transport_error(&e)
                        || is_mempool_full(&e)
                        || http_status(&e).is_some_and(is_transient_status))
                        && attempt < rounds * per_round =>
                {
                    tracing::debug!(%e, attempt, endpoint = %self.endpoints[used].0, "{what}: transient error, retrying");
                    let moved = is_transport_error(&e) && self.fail_over(used);
                    if !moved || attempt % per_round == 0 {
                        tokio::time::sleep(backoff).await;
                        backoff = (backoff * 2).min(self.retry.max_backoff);
                    }
                    attempt += 1;
                }
                Err(e) => return Err(self.node_error(what, attempt, used, &e).into()),
            }
        }
    }

    /// `e` classified: unreachable, an HTTP refusal, or a JSON-RPC error.
    fn node_error(
        &self,
        what: &str,
        tries: u32,
        endpoint: usize,
        e: &tendermint_rpc::Error,
    ) -> NodeError {
        let endpoint = if self.endpoints.len() > 1 && is_transport_error(e) {
            self.config.rpc_endpoints().collect::<Vec<_>>().join(", ")
        } else {
            self.endpoints[endpoint % self.endpoints.len()].0.clone()
        };
        let what = what.to_string();
        if let Some(status) = http_status(e) {
            let reason = reqwest::StatusCode::from_u16(status)
                .ok()
                .and_then(|s| s.canonical_reason())
                .unwrap_or("no reason given")
                .to_string();
            return NodeError::HttpStatus {
                what,
                endpoint,
                status,
                reason,
                request_bytes: None,
            };
        }
        if is_transport_error(e) {
            return NodeError::Unreachable {
                what,
                endpoint,
                tries,
                detail: e.to_string(),
            };
        }
        NodeError::Rpc {
            what,
            endpoint,
            detail: e.to_string(),
        }
    }

    /// An HTTP refusal of JSON-RPC `method` completed with the node's own
    /// words: tendermint-rpc drops the body of a non-200 answer, so the
    /// request is posted once more to read it (a request refused at the HTTP
    /// level was never processed, so repeating it is harmless).
    async fn explain_refusal(
        &self,
        e: anyhow::Error,
        method: &str,
        params: serde_json::Value,
    ) -> anyhow::Error {
        let Some(NodeError::HttpStatus { .. }) = e.downcast_ref::<NodeError>() else {
            return e;
        };
        let Ok(NodeError::HttpStatus {
            what,
            endpoint,
            status,
            reason,
            ..
        }) = e.downcast::<NodeError>()
        else {
            unreachable!("checked above");
        };
        let body =
            serde_json::json!({"jsonrpc": "2.0", "id": 0, "method": method, "params": params})
                .to_string();
        let request_bytes = body.len();
        let answer = async {
            let resp = reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .build()
                .ok()?
                .post(endpoint.as_str())
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .ok()?;
            let text = resp.text().await.ok()?;
            Some(rpc_error_text(&text))
        }
        .await;
        NodeError::HttpStatus {
            what,
            endpoint,
            status,
            reason: answer.filter(|a| !a.is_empty()).unwrap_or(reason),
            request_bytes: Some(request_bytes),
        }
        .into()
    }

    pub async fn status(&self) -> Result<ChainStatus> {
        let s = self.retrying("status", || self.rpc().status()).await?;
        let time = s
            .sync_info
            .latest_block_time
            .duration_since(tendermint::Time::unix_epoch())
            .map(|d| d.as_secs())
            .unwrap_or(0);
        Ok(ChainStatus {
            chain_id: s.node_info.network.to_string(),
            height: s.sync_info.latest_block_height.value(),
            time,
            catching_up: s.sync_info.catching_up,
        })
    }

    /// Checks that the node serves the configured chain id.
    pub async fn check_chain_id(&self) -> Result<ChainStatus> {
        let s = self.status().await?;
        if s.chain_id != self.config.chain_id {
            bail!(
                "the node at {} serves chain `{}`, not `{}`: fix chain_id or rpc in the config",
                self.endpoint(),
                s.chain_id,
                self.config.chain_id
            );
        }
        Ok(s)
    }

    /// Waits until the chain's height passes `height`.
    pub async fn wait_for_height(&self, height: u64, timeout: Duration) -> Result<u64> {
        let deadline = Instant::now() + timeout;
        loop {
            let h = self.status().await?.height;
            if h > height {
                return Ok(h);
            }
            if Instant::now() > deadline {
                bail!("no block after height {height} within {timeout:?}: is the node producing blocks?");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until the latest block's time is at least `unix_seconds`.
    pub async fn wait_for_time(&self, unix_seconds: u64, timeout: Duration) -> Result<ChainStatus> {
        let deadline = Instant::now() + timeout;
        loop {
            let s = self.status().await?;
            if s.time >= unix_seconds {
                return Ok(s);
            }
            if Instant::now() > deadline {
                bail!(
                    "block time did not reach {unix_seconds} within {timeout:?} (it is {})",
                    s.time
                );
            }
            let left = unix_seconds.saturating_sub(s.time).clamp(1, 5);
            tokio::time::sleep(Duration::from_millis(200 * left)).await;
        }
    }

    /// A gRPC query service method through `abci_query`, as CosmJS calls it.
    pub async fn abci_query<Req: Message, Resp: Message + Default>(
        &self,
        path: &str,
        req: &Req,
    ) -> Result<Resp> {
        let data = req.encode_to_vec();
        let r = match self
            .retrying(path, || {
                self.rpc()
                    .abci_query(Some(path.to_string()), data.clone(), None, false)
            })
            .await
        {
            Ok(r) => r,
            Err(e) => {
                let params = serde_json::json!({
                    "path": path, "data": hex::encode_upper(&data), "height": "0", "prove": false
                });
                return Err(self.explain_refusal(e, "abci_query", params).await);
            }
        };
        if !r.code.is_ok() {
            return Err(QueryError {
                path: path.to_string(),
                codespace: r.codespace,
                code: r.code.value(),
                log: r.log,
            }
            .into());
        }
        Resp::decode(r.value.as_slice()).with_context(|| format!("decoding the answer of {path}"))
    }

    /// The account, or `None` when the chain has never seen the address.
    pub async fn account(&self, address: &str) -> Result<Option<BaseAccount>> {
        let r: Result<QueryAccountResponse> = self
            .abci_query(
                "/cosmos.auth.v1beta1.Query/Account",
                &QueryAccountRequest {
                    address: address.to_string(),
                },
            )
            .await;
        match r {
            Ok(r) => {
                let any = r
                    .account
                    .ok_or_else(|| anyhow!("the node answered no account for {address}"))?;
                Ok(Some(decode_base_account(&any)?))
            }
            Err(e)
                if e.downcast_ref::<QueryError>()
                    .is_some_and(|q| q.is_not_found()) =>
            {
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    /// Bank balance of `address` in `denom`.
    pub async fn balance(&self, address: &str, denom: &str) -> Result<u128> {
        let r: QueryBalanceResponse = self
            .abci_query(
                "/cosmos.bank.v1beta1.Query/Balance",
                &QueryBalanceRequest {
                    address: address.to_string(),
                    denom: denom.to_string(),
                },
            )
            .await?;
        let amount = r.balance.map(|c| c.amount).unwrap_or_default();
        if amount.is_empty() {
            return Ok(0);
        }
        amount
            .parse()
            .with_context(|| format!("balance `{amount}` is not an integer"))
    }

    /// A contract's smart query, JSON in and out.
    pub async fn query_smart<Q: Serialize, R: DeserializeOwned>(
        &self,
        contract: &str,
        msg: &Q,
    ) -> Result<R> {
        let query_data = serde_json::to_vec(msg)?;
        let r: QuerySmartContractStateResponse = self
            .abci_query(
                "/cosmwasm.wasm.v1.Query/SmartContractState",
                &QuerySmartContractStateRequest {
                    address: contract.to_string(),
                    query_data,
                },
            )
            .await?;
        serde_json::from_slice(&r.data).with_context(|| {
            format!(
                "decoding the answer of contract {contract}: {}",
                String::from_utf8_lossy(&r.data)
            )
        })
    }

    /// The contract at `address`, or `None` if there is none.
    pub async fn contract_info(&self, address: &str) -> Result<Option<ContractInfo>> {
        let r: Result<QueryContractInfoResponse> = self
            .abci_query(
                "/cosmwasm.wasm.v1.Query/ContractInfo",
                &QueryContractInfoRequest {
                    address: address.to_string(),
                },
            )
            .await;
        match r {
            Ok(r) => Ok(r.contract_info),
            Err(e)
                if e.downcast_ref::<QueryError>()
                    .is_some_and(|q| q.is_not_found()) =>
            {
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    /// The sha256 checksum of stored code `code_id`, or `None` if there is none.
    pub async fn code_checksum(&self, code_id: u64) -> Result<Option<Vec<u8>>> {
        let r: Result<QueryCodeResponse> = self
            .abci_query(
                "/cosmwasm.wasm.v1.Query/Code",
                &QueryCodeRequest { code_id },
            )
            .await;
        match r {
            Ok(r) => Ok(r.code_info.map(|c| c.data_hash)),
            Err(e)
                if e.downcast_ref::<QueryError>()
                    .is_some_and(|q| q.is_not_found()) =>
            {
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    /// Gas used by a transaction (`TxRaw` bytes; signatures may be empty).
    pub async fn simulate(&self, tx_bytes: Vec<u8>) -> Result<u64> {
        #[allow(deprecated)]
        let req = SimulateRequest { tx: None, tx_bytes };
        let r: Result<SimulateResponse> = self
            .abci_query("/cosmos.tx.v1beta1.Service/Simulate", &req)
            .await;
        match r {
            Ok(r) => Ok(r
                .gas_info
                .ok_or_else(|| anyhow!("simulation returned no gas info"))?
                .gas_used),
            Err(e) => match e.downcast::<QueryError>() {
                Ok(q) => Err(TxError::Simulate {
                    codespace: q.codespace,
                    code: q.code,
                    log: q.log,
                }
                .into()),
                Err(e) => Err(e),
            },
        }
    }

    /// Broadcasts signed `TxRaw` bytes (sync mode). Returns the hash once the
    /// node accepted it into its mempool, or [`TxError::CheckTx`].
    pub async fn broadcast(&self, tx_bytes: Vec<u8>) -> Result<String> {
        let r = match self
            .retrying("broadcast_tx_sync", || {
                self.rpc().broadcast_tx_sync(tx_bytes.clone())
            })
            .await
        {
            Ok(r) => r,
            Err(e) => {
                let tx = base64::engine::general_purpose::STANDARD.encode(&tx_bytes);
                let params = serde_json::json!({ "tx": tx });
                return Err(self.explain_refusal(e, "broadcast_tx_sync", params).await);
            }
        };
        // 19: already in the mempool (a retried broadcast that had arrived).
        if r.code.is_ok() || (r.codespace == "sdk" && r.code.value() == 19) {
            return Ok(r.hash.to_string());
        }
        Err(TxError::CheckTx {
            codespace: r.codespace,
            code: r.code.value(),
            log: r.log,
        }
        .into())
    }

    /// The committed transaction `hash`, or `None` while it is not in a block.
    pub async fn tx(&self, hash: &str) -> Result<Option<TxOutcome>> {
        let h = tendermint::Hash::from_hex_upper(tendermint::hash::Algorithm::Sha256, hash)
            .with_context(|| format!("`{hash}` is not a transaction hash"))?;
        let probe = self
            .retrying(&format!("looking up tx {hash}"), || async {
                // CometBFT answers "tx (HASH) not found" for unknown hashes:
                // that is an answer, not an error to retry.
                match self.rpc().tx(h, false).await {
                    Ok(t) => Ok(Some(t)),
                    Err(e) if is_transport_error(&e) || http_status(&e).is_some() => Err(e),
                    Err(_) => Ok(None),
                }
            })
            .await?;
        Ok(probe.map(TxOutcome::from_rpc))
    }

    /// Waits until `hash` is in a block.
    pub async fn wait_for_tx(&self, hash: &str) -> Result<TxOutcome> {
        let deadline = Instant::now() + self.commit_timeout;
        let mut pause = Duration::from_millis(100);
        loop {
            if let Some(t) = self.tx(hash).await? {
                return Ok(t);
            }
            if Instant::now() > deadline {
                return Err(TxError::NotCommitted {
                    hash: hash.to_string(),
                    seconds: self.commit_timeout.as_secs(),
                }
                .into());
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 3 / 2).min(Duration::from_secs(1));
        }
    }

    /// Broadcasts and waits for the block. A transaction that failed in its
    /// block is returned as [`TxError::Deliver`].
    pub async fn broadcast_and_wait(&self, tx_bytes: Vec<u8>) -> Result<TxOutcome> {
        let hash = self.broadcast(tx_bytes).await?;
        let outcome = self.wait_for_tx(&hash).await?;
        if !outcome.is_ok() {
            return Err(TxError::Deliver(Box::new(outcome)).into());
        }
        Ok(outcome)
    }
}

/// The useful part of a refusal's body: a JSON-RPC error's data or message,
/// else the text itself (cut to 500 characters).
fn rpc_error_text(body: &str) -> String {
    let from_json = serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| {
            let err = v.get("error")?;
            let data = err.get("data").and_then(|d| d.as_str()).unwrap_or("");
            let msg = err.get("message").and_then(|m| m.as_str()).unwrap_or("");
            Some(match (msg.is_empty(), data.is_empty()) {
                (_, true) => msg.to_string(),
                (true, false) => data.to_string(),
                (false, false) => format!("{msg}: {data}"),
            })
        });
    let text = from_json.unwrap_or_else(|| body.trim().to_string());
    text.chars().take(500).collect()
}

/// A query the node answered with an error.
#[derive(Debug, thiserror::Error)]
#[error("query {path} failed ({codespace}/{code}): {log}")]
pub struct QueryError {
    pub path: String,
    pub codespace: String,
    pub code: u32,
    pub log: String,
}

impl QueryError {
    /// gRPC NotFound, or the SDK's / wasmd's "not found" codes.
    pub fn is_not_found(&self) -> bool {
        self.code == 22
            || self.log.contains("not found")
            || self.log.contains("NotFound")
            || self.log.contains("no such")
    }
}

fn decode_base_account(any: &Any) -> Result<BaseAccount> {
    if any.type_url == BaseAccount::type_url() {
        return BaseAccount::decode(any.value.as_slice()).context("decoding the account");
    }
    // Vesting and module accounts wrap a BaseAccount in field 1; take it.
    #[derive(Clone, PartialEq, Message)]
    struct Wrapper {
        #[prost(message, optional, tag = "1")]
        base: Option<BaseAccount>,
    }
    #[derive(Clone, PartialEq, Message)]
    struct Vesting {
        #[prost(message, optional, tag = "1")]
        base_vesting: Option<Wrapper>,
    }
    if let Ok(v) = Vesting::decode(any.value.as_slice()) {
        if let Some(base) = v.base_vesting.and_then(|w| w.base) {
            if !base.address.is_empty() {
                return Ok(base);
            }
        }
    }
    let w = Wrapper::decode(any.value.as_slice())
        .with_context(|| format!("account type {} is not supported", any.type_url))?;
    w.base
        .ok_or_else(|| anyhow!("account type {} is not supported", any.type_url))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn msg_data_is_decoded_from_base64_or_raw() {
        #[allow(deprecated)]
        let data = TxMsgData {
            data: vec![],
            msg_responses: vec![Any {
                type_url: "/x.Y".into(),
                value: vec![1, 2, 3],
            }],
        };
        let raw = data.encode_to_vec();
        let b64 = base64::engine::general_purpose::STANDARD.encode(&raw);
        assert_eq!(decode_msg_data(b64.as_bytes()), data.msg_responses);
        assert_eq!(decode_msg_data(&raw), data.msg_responses);
        assert!(decode_msg_data(b"").is_empty());
    }

    #[test]
    fn a_full_mempool_is_told_apart_from_other_node_errors() {
        use tendermint_rpc::response_error::{Code, ResponseError};
        let node_error = |data: &str| {
            tendermint_rpc::Error::response(ResponseError::new(
                Code::InternalError,
                Some(data.to_string()),
            ))
        };
        // What CometBFT (and the devnet) answer a broadcast into a full mempool.
        let full = node_error("mempool is full: number of txs 5000 (max: 5000)");
        assert!(is_mempool_full(&full));
        assert!(!is_transport_error(&full));
        assert!(!is_mempool_full(&node_error("tx already exists in cache")));
    }

    #[tokio::test]
    async fn transport_errors_are_retried_with_backoff_then_explained() {
        // A port nothing listens on.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let client = ChainClient::new(ChainConfig::devnet_at(&format!("http://127.0.0.1:{port}")))
            .unwrap()
            .with_retry(RetryPolicy {
                attempts: 3,
                initial_backoff: Duration::from_millis(50),
                max_backoff: Duration::from_millis(80),
            });
        let started = Instant::now();
        let err = client.status().await.unwrap_err().to_string();
        assert!(err.contains("after 3 tries"), "{err}");
        assert!(err.contains("is it running"), "{err}");
        // Two backoffs: 50 ms and 80 ms.
        assert!(started.elapsed() >= Duration::from_millis(130));
    }

    /// A node that answers every request with HTTP 400 and CometBFT's
    /// JSON-RPC error for a body over `max_body_bytes`.
    fn refusing_node() -> String {
        use std::io::{Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        std::thread::spawn(move || {
            for mut conn in listener.incoming().flatten() {
                let mut buf = [0u8; 65536];
                let _ = conn.read(&mut buf);
                let body = r#"{"jsonrpc":"2.0","id":-1,"error":{"code":-32600,"message":"Invalid Request","data":"error reading request body: http: request body too large"}}"#;
                let _ = write!(
                    conn,
                    "HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        format!("http://{addr}")
    }

    #[tokio::test]
    async fn an_http_refusal_is_told_apart_from_an_unreachable_node() {
        let client = ChainClient::new(ChainConfig::devnet_at(&refusing_node())).unwrap();
        let err = client.simulate(vec![7; 1000]).await.unwrap_err();
        let node = err.downcast_ref::<NodeError>().expect("a NodeError");
        assert!(!node.is_unreachable());
        let text = err.to_string();
        assert!(text.contains("refused the request with HTTP 400"), "{text}");
        assert!(text.contains("request body too large"), "{text}");
        assert!(text.contains("max_body_bytes"), "{text}");
        assert!(!text.contains("cannot reach"), "{text}");
        let err = client.broadcast(vec![7; 10]).await.unwrap_err().to_string();
        assert!(err.contains("broadcast_tx_sync"), "{err}");
        assert!(err.contains("HTTP 400"), "{err}");
    }

    #[test]
    fn rpc_error_bodies_are_reduced_to_their_reason() {
        assert_eq!(
            rpc_error_text(r#"{"error":{"message":"Invalid Request","data":"too large"}}"#),
            "Invalid Request: too large"
        );
        assert_eq!(rpc_error_text("  plain text\n"), "plain text");
    }

    #[test]
    fn sequence_mismatch_is_recognized() {
        let e = TxError::CheckTx {
            codespace: "sdk".into(),
            code: 32,
            log: "account sequence mismatch, expected 3, got 2".into(),
        };
        assert!(e.is_wrong_sequence());
        let e = TxError::Simulate {
            codespace: "sdk".into(),
            code: 2,
            log: "rpc error: incorrect account sequence".into(),
        };
        assert!(e.is_wrong_sequence());
        let e = TxError::CheckTx {
            codespace: "sdk".into(),
            code: 13,
            log: "insufficient fee".into(),
        };
        assert!(!e.is_wrong_sequence());
    }
}
