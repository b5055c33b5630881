//! The result server: verifiers and requesters fetch outputs here.
//!
//! ```text
//! GET /health                              "ok"
//! GET /results?start_after=ID&limit=N      result metadata, paginated (limit ≤ 100)
//! GET /results/{id}                        metadata (template, params, chunking, root)
//! GET /results/{id}/chunks/{index}         {index, chunk_count, root, leaf, proof[], data} (hex)
//!     [?root=HEX]                          the root the caller checks against (the chain's)
//! GET /results/{id}/chunks/{index}/raw     the chunk's bytes [?root=HEX]
//! GET /results/{id}/output                 the whole output; `Range: bytes=a-b` (one range,
//!                                          at most MAX_RANGE_BYTES) answers 206
//! GET /results/{id}/preview.png            the image of render templates
//! GET /metrics                             Prometheus metrics (the agent daemon only)
//! GET /agent/status                        the daemon's leases and verifications, JSON
//!                                          `{leases, verifications}` (the daemon only; to
//!                                          callers on the same machine only, 403 otherwise)
//! ```
//!
//! Errors are JSON `{"error": "..."}` with 400, 404 or 416. Proofs verify with
//! `starminer_merkle::verify_proof(root, chunk_count, index, leaf, proof)`.
//!
//! Forced errors ([`crate::decoy`]): a result submitted with a pair of trees
//! serves the tree the chain designated for its verifiers, which the daemon
//! sets in the store once it reads the draw. Until then chunks answer 503
//! (retry shortly); a `root` that is not the served tree's answers 409. The
//! output and the preview answer 503 until the pair is revealed (they would
//! tell the true tree), and the metadata's `root` is the chain's root, not
//! the true one, until then.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use crate::decoy::Tree;
use crate::duties::DutyDb;
use crate::metrics::Metrics;
use crate::results::{ResultMeta, ResultStore, StoredResult, Withheld};

/// Largest byte range served in one response.
pub const MAX_RANGE_BYTES: u64 = 64 << 20;
const DEFAULT_LIMIT: usize = 10;
const MAX_LIMIT: usize = 100;

/// One chunk with its Merkle proof, hashes and data in hex.
#[derive(Debug, Serialize, Deserialize)]
pub struct ChunkResponse {
    pub index: u64,
    pub chunk_count: u64,
    pub root: String,
    pub leaf: String,
    /// Sibling hashes from the leaf up.
    pub proof: Vec<String>,
    pub data: String,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct ListResponse {
    pub results: Vec<ResultMeta>,
}

pub fn router(store: Arc<ResultStore>) -> Router {
    Router::new()
        .route("/health", get(|| async { "ok" }))
        .route("/results", get(list))
        .route("/results/{id}", get(meta))
        .route("/results/{id}/chunks/{index}", get(chunk))
        .route("/results/{id}/chunks/{index}/raw", get(chunk_raw))
        .route("/results/{id}/output", get(output))
        .route("/results/{id}/preview.png", get(preview))
        .fallback(|| async { error(StatusCode::NOT_FOUND, "no such endpoint: see GET /results") })
        .with_state(store)
}

/// Serves the store on `listener` until the future is dropped or fails.
pub async fn serve(
    store: Arc<ResultStore>,
    listener: tokio::net::TcpListener,
) -> std::io::Result<()> {
    axum::serve(listener, router(store)).await
}

/// The result server plus `GET /metrics` (what the daemon serves).
pub fn router_with_metrics(store: Arc<ResultStore>, metrics: Arc<Metrics>) -> Router {
    Router::new()
        .route("/metrics", get(metrics_text))
        .with_state(metrics)
        .merge(router(store))
}

/// Serves the store and the metrics on `listener`.
pub async fn serve_with_metrics(
    store: Arc<ResultStore>,
    metrics: Arc<Metrics>,
    listener: tokio::net::TcpListener,
) -> std::io::Result<()> {
    axum::serve(listener, router_with_metrics(store, metrics)).await
}

/// Serves the store, the metrics and the daemon's `/agent/status` (what
/// `starminer-agent status` reads while the daemon holds the database).
pub async fn serve_daemon(
    store: Arc<ResultStore>,
    metrics: Arc<Metrics>,
    duties: Arc<DutyDb>,
    listener: tokio::net::TcpListener,
) -> std::io::Result<()> {
    let own_ip = listener.local_addr()?.ip();
    let app = Router::new()
        .route("/agent/status", get(agent_status))
        .with_state((duties, own_ip))
        .merge(router_with_metrics(store, metrics));
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .await
}

/// The leases and verifications of the duties database. Only the machine's
/// own users may ask (over loopback, or from the address the server listens
/// on): the result server is public, and lease errors can name local paths
/// and hosts.
async fn agent_status(
    State((duties, own_ip)): State<(Arc<DutyDb>, std::net::IpAddr)>,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
) -> Response {
    if !peer.ip().is_loopback() && peer.ip() != own_ip {
        return error(
            StatusCode::FORBIDDEN,
            "the agent's status is answered to callers on its own machine only",
        );
    }
    match duties
        .leases()
        .and_then(|l| Ok((l, duties.verifications()?)))
    {
        Ok((leases, verifications)) => Json(serde_json::json!({
            "leases": leases,
            "verifications": verifications,
        }))
        .into_response(),
        Err(e) => internal(e),
    }
}

async fn metrics_text(State(metrics): State<Arc<Metrics>>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        metrics.encode(),
    )
        .into_response()
}

fn error(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(serde_json::json!({ "error": message.into() }))).into_response()
}

// Handlers answer errors as ready responses; these run once per request.
#[allow(clippy::result_large_err)]
fn find(store: &ResultStore, id: &str) -> Result<Arc<StoredResult>, Response> {
    store.get(id).ok_or_else(|| {
        error(
            StatusCode::NOT_FOUND,
            format!("no result `{id}` on this server"),
        )
    })
}

fn internal(e: anyhow::Error) -> Response {
    tracing::error!("result server: {e:#}");
    error(StatusCode::INTERNAL_SERVER_ERROR, format!("{e:#}"))
}

#[derive(Deserialize)]
struct ListQuery {
    start_after: Option<String>,
    limit: Option<usize>,
}

async fn list(
    State(store): State<Arc<ResultStore>>,
    Query(q): Query<ListQuery>,
) -> Json<ListResponse> {
    let limit = q.limit.unwrap_or(DEFAULT_LIMIT).min(MAX_LIMIT);
    let results = store
        .list(q.start_after.as_deref(), limit)
        .iter()
        .map(|r| r.public_meta())
        .collect();
    Json(ListResponse { results })
}

async fn meta(State(store): State<Arc<ResultStore>>, Path(id): Path<String>) -> Response {
    match find(&store, &id) {
        Ok(r) => Json(r.public_meta()).into_response(),
        Err(e) => e.into_response(),
    }
}

#[derive(Deserialize)]
struct ChunkQuery {
    root: Option<String>,
}

/// The answer to a chunk of a result that is sealed or not of `root`.
fn withheld(id: &str, w: Withheld) -> Response {
    match w {
        Withheld::Sealed => (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::RETRY_AFTER, "2")],
            Json(serde_json::json!({
                "error": format!("result `{id}` is sealed: its provider has not yet seen which root its verifiers check; retry shortly")
            })),
        )
            .into_response(),
        Withheld::OtherRoot { asked, served } => error(
            StatusCode::CONFLICT,
            format!("result `{id}` is served under root {served}, not {asked}"),
        ),
    }
}

#[allow(clippy::result_large_err)]
fn chunk_of(
    store: &ResultStore,
    id: &str,
    index: &str,
    root: Option<&str>,
) -> Result<(Arc<StoredResult>, Tree, u64, Vec<u8>), Response> {
    let r = find(store, id)?;
    let index: u64 = index.parse().map_err(|_| {
        error(
            StatusCode::BAD_REQUEST,
            format!("chunk index `{index}` is not a number"),
        )
    })?;
    let which = r.tree_to_serve(root).map_err(|w| withheld(id, w))?;
    match r.chunk_in(which, index) {
        Ok(Some(data)) => Ok((r, which, index, data)),
        Ok(None) => Err(error(
            StatusCode::NOT_FOUND,
            format!(
                "chunk {index} does not exist: result `{id}` has {} chunks (0..{})",
                r.meta.chunk_count, r.meta.chunk_count
            ),
        )),
        Err(e) => Err(internal(e)),
    }
}

async fn chunk(
    State(store): State<Arc<ResultStore>>,
    Path((id, index)): Path<(String, String)>,
    Query(q): Query<ChunkQuery>,
) -> Response {
    let (r, which, index, data) = match chunk_of(&store, &id, &index, q.root.as_deref()) {
        Ok(v) => v,
        Err(e) => return e.into_response(),
    };
    let tree = r.tree_of(which);
    let (Some(leaf), Some(proof)) = (tree.leaf(index), tree.proof(index)) else {
        return error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "tree and output disagree",
        );
    };
    Json(ChunkResponse {
        index,
        chunk_count: r.meta.chunk_count,
        root: r.root_of(which),
        leaf: hex::encode(leaf),
        proof: proof.iter().map(hex::encode).collect(),
        data: hex::encode(data),
    })
    .into_response()
}

async fn chunk_raw(
    State(store): State<Arc<ResultStore>>,
    Path((id, index)): Path<(String, String)>,
    Query(q): Query<ChunkQuery>,
) -> Response {
    match chunk_of(&store, &id, &index, q.root.as_deref()) {
        Ok((_, _, _, data)) => {
            ([(header::CONTENT_TYPE, "application/octet-stream")], data).into_response()
        }
        Err(e) => e.into_response(),
    }
}

/// Parses a single `bytes=a-b`, `bytes=a-` or `bytes=-n` range.
fn parse_range(value: &str, size: u64) -> Result<(u64, u64), String> {
    let spec = value
        .strip_prefix("bytes=")
        .ok_or_else(|| "only byte ranges are supported".to_string())?;
    if spec.contains(',') {
        return Err("only one range per request is supported".into());
    }
    let (a, b) = spec.split_once('-').ok_or("malformed range")?;
    let num = |s: &str| {
        s.trim()
            .parse::<u64>()
            .map_err(|_| format!("malformed range `{value}`"))
    };
    let (start, end) = match (a.trim().is_empty(), b.trim().is_empty()) {
        (false, false) => (num(a)?, num(b)?.min(size.saturating_sub(1))),
        (false, true) => (num(a)?, size.saturating_sub(1)),
        (true, false) => (size.saturating_sub(num(b)?), size.saturating_sub(1)),
        (true, true) => return Err(format!("malformed range `{value}`")),
    };
    if size == 0 || start > end || start >= size {
        return Err(format!("range `{value}` is outside the {size}-byte output"));
    }
    Ok((start, end))
}

/// The answer to the output or preview of a result whose forced-error pair
/// is not revealed yet.
fn sealed_output(id: &str) -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::RETRY_AFTER, "10")],
        Json(serde_json::json!({
            "error": format!("the output of result `{id}` is served once its provider has revealed its forced-error pair (after the spot check)")
        })),
    )
        .into_response()
}

async fn output(
    State(store): State<Arc<ResultStore>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let r = match find(&store, &id) {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    if !r.output_open() {
        return sealed_output(&id);
    }
    let size = r.meta.output_size;
    if let Some(range) = headers.get(header::RANGE) {
        let (start, end) = match range
            .to_str()
            .map_err(|e| e.to_string())
            .and_then(|v| parse_range(v, size))
        {
            Ok(v) => v,
            Err(msg) => {
                return (
                    StatusCode::RANGE_NOT_SATISFIABLE,
                    [(header::CONTENT_RANGE, format!("bytes */{size}"))],
                    Json(serde_json::json!({ "error": msg })),
                )
                    .into_response()
            }
        };
        let len = end - start + 1;
        if len > MAX_RANGE_BYTES {
            return error(
                StatusCode::RANGE_NOT_SATISFIABLE,
                format!("ranges are limited to {MAX_RANGE_BYTES} bytes; asked for {len}"),
            );
        }
        return match r.read_range(start, len) {
            Ok(bytes) => (
                StatusCode::PARTIAL_CONTENT,
                [
                    (header::CONTENT_TYPE, "application/octet-stream".to_string()),
                    (header::CONTENT_RANGE, format!("bytes {start}-{end}/{size}")),
                    (header::ACCEPT_RANGES, "bytes".to_string()),
                ],
                bytes,
            )
                .into_response(),
            Err(e) => internal(e).into_response(),
        };
    }
    match tokio::fs::File::open(r.output_path()).await {
        Ok(file) => (
            [
                (header::CONTENT_TYPE, "application/octet-stream".to_string()),
                (header::CONTENT_LENGTH, size.to_string()),
                (header::ACCEPT_RANGES, "bytes".to_string()),
            ],
            Body::from_stream(tokio_util::io::ReaderStream::new(file)),
        )
            .into_response(),
        Err(e) => internal(e.into()).into_response(),
    }
}

async fn preview(State(store): State<Arc<ResultStore>>, Path(id): Path<String>) -> Response {
    let r = match find(&store, &id) {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    if !r.output_open() {
        return sealed_output(&id);
    }
    let Some(path) = r.preview_path() else {
        return error(
            StatusCode::NOT_FOUND,
            format!("result `{id}` ({}) has no image", r.meta.template),
        );
    };
    match tokio::fs::read(path).await {
        Ok(png) => ([(header::CONTENT_TYPE, "image/png")], png).into_response(),
        Err(e) => internal(e.into()).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::parse_range;

    #[test]
    fn ranges_parse_and_clamp() {
        assert_eq!(parse_range("bytes=0-9", 100), Ok((0, 9)));
        assert_eq!(parse_range("bytes=90-200", 100), Ok((90, 99)));
        assert_eq!(parse_range("bytes=95-", 100), Ok((95, 99)));
        assert_eq!(parse_range("bytes=-10", 100), Ok((90, 99)));
        assert!(parse_range("bytes=100-", 100).is_err());
        assert!(parse_range("bytes=5-1", 100).is_err());
        assert!(parse_range("bytes=0-1,4-5", 100).is_err());
        assert!(parse_range("items=0-1", 100).is_err());
    }
}
