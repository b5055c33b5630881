//! `starminer dashboard`: serves the built web dashboard (`web/dist`) with
//! what it needs to find its chain on the same origin:
//!
//! - `/config.json`: the selected chain (id, prefix, fee denom, gas price)
//!   and its contract addresses from the manifest, so one build of the
//!   dashboard works on any chain the CLI knows;
//! - `/rpc` and `/rpc/…`: the chain's CometBFT JSON-RPC (POST and GET);
//! - `/rest/…`: the chain's REST gateway;
//! - `/results/{job}/output` and `/results/{job}/preview.png`: a job's output
//!   (and the image of render templates) from the provider's result server,
//!   at the `output_uri` the provider recorded on chain, so the page can
//!   check it against the Merkle root (the server is no open proxy: it
//!   reaches only URIs the chain names for a job).
//!
//! The browser opens the CometBFT WebSocket itself (WebSockets are not
//! subject to CORS); its URL is in `/config.json`. Every other path is a file
//! of the build, and unknown paths get `index.html` (the app routes itself).

use std::net::SocketAddr;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use anyhow::{bail, Context, Result};
use axum::body::Bytes;
use axum::extract::{Path as UrlPath, State};
use axum::http::{header, HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use axum::{Json, Router};
use clap::Args;
use serde_json::{json, Value};
use starminer_client::{ChainConfig, Starminer};

use crate::context::Ctx;
use crate::GlobalArgs;

#[derive(Args, Debug)]
pub struct DashboardArgs {
    /// Address to serve on.
    #[arg(long, default_value = "127.0.0.1:8788")]
    pub listen: SocketAddr,
    /// The built dashboard (`npm run build` in web/, or scripts/web.sh).
    /// Default: web/dist of the source tree this CLI was built from.
    #[arg(long, env = "STARMINER_WEB_DIR")]
    pub dir: Option<PathBuf>,
}

struct Shared {
    dir: PathBuf,
    config: Value,
    rpc: String,
    rest: Option<String>,
    http: reqwest::Client,
    starminer: Starminer,
}

/// The dashboard's `/config.json` for a chain and its deployed contracts.
pub fn dashboard_config(
    chain_name: &str,
    chain: &ChainConfig,
    contracts: &std::collections::BTreeMap<String, String>,
) -> Value {
    json!({
        "chainName": chain_name,
        "chainId": chain.chain_id,
        "prefix": chain.prefix,
        "feeDenom": chain.fee_denom,
        "gasPrice": chain.gas_price.to_string(),
        "gasAdjustment": chain.gas_adjustment,
        "rpc": "/rpc",
        "rest": "/rest",
        "websocket": chain.websocket_url(),
        "contracts": contracts,
    })
}

pub async fn run(g: &GlobalArgs, args: DashboardArgs) -> Result<()> {
    let ctx = Ctx::new(g)?;
    let dir = args
        .dir
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../web/dist"));
    if !dir.join("index.html").is_file() {
        bail!(
            "no built dashboard in {}: build it with scripts/web.sh (or pass --dir)",
            dir.display()
        );
    }
    let dir = dir.canonicalize()?;
    let manifest = ctx.manifest()?;
    let deployment = manifest
        .chains
        .get(&ctx.chain_config.chain_id)
        .with_context(|| {
            format!(
                "nothing deployed on {} in {}: deploy first (`starminer deploy` or `starminer devnet up`)",
                ctx.chain_config.chain_id,
                ctx.manifest_path.display()
            )
        })?;
    let config = dashboard_config(&ctx.chain_name, &ctx.chain_config, &deployment.contracts);
    let starminer = ctx.starminer()?;
    let shared = Arc::new(Shared {
        dir,
        config,
        rpc: ctx.chain_config.rpc.clone(),
        rest: ctx.chain_config.rest.clone(),
        http: reqwest::Client::new(),
        starminer,
    });
    let app = Router::new()
        .route("/config.json", get(config_json))
        .route("/rpc", any(rpc_proxy))
        .route("/rpc/{*path}", any(rpc_proxy))
        .route("/rest/{*path}", any(rest_proxy))
        .route("/results/{job}/{file}", get(result_proxy))
        .fallback(get(static_file))
        .with_state(shared.clone());
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("listening on {}", args.listen))?;
    let addr = listener.local_addr()?;
    // One line a script can wait for and read the URL from.
    println!(
        "dashboard on http://{addr}/ (chain {} at {}, files {})",
        ctx.chain_config.chain_id,
        shared.rpc,
        shared.dir.display()
    );
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}

async fn config_json(State(s): State<Arc<Shared>>) -> Json<Value> {
    Json(s.config.clone())
}

async fn rpc_proxy(
    State(s): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let suffix = uri.path().strip_prefix("/rpc").unwrap_or("");
    forward(&s.http, &s.rpc, suffix, method, uri.query(), &headers, body).await
}

async fn rest_proxy(
    State(s): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(rest) = &s.rest else {
        return (
            StatusCode::NOT_IMPLEMENTED,
            "this chain's config has no REST endpoint (`starminer config add-chain --rest`)",
        )
            .into_response();
    };
    let suffix = uri.path().strip_prefix("/rest").unwrap_or("");
    forward(&s.http, rest, suffix, method, uri.query(), &headers, body).await
}

async fn result_proxy(
    State(s): State<Arc<Shared>>,
    UrlPath((job_id, file)): UrlPath<(u64, String)>,
    headers: HeaderMap,
) -> Response {
    if file != "output" && file != "preview.png" {
        return (StatusCode::NOT_FOUND, "only output and preview.png").into_response();
    }
    let job = match s.starminer.job_market().job(job_id).await {
        Ok(j) => j.job,
        Err(e) => return (StatusCode::BAD_GATEWAY, format!("{e:#}")).into_response(),
    };
    let result = job
        .result
        .or_else(|| job.slots.into_iter().find_map(|slot| slot.result));
    let Some(result) = result else {
        return (
            StatusCode::NOT_FOUND,
            format!("job {job_id} has no result yet"),
        )
            .into_response();
    };
    let base = result.output_uri.trim_end_matches('/');
    forward(
        &s.http,
        base,
        &format!("/{file}"),
        Method::GET,
        None,
        &headers,
        Bytes::new(),
    )
    .await
}

async fn forward(
    http: &reqwest::Client,
    upstream: &str,
    suffix: &str,
    method: Method,
    query: Option<&str>,
    headers: &HeaderMap,
    body: Bytes,
) -> Response {
    let mut url = format!("{}{}", upstream.trim_end_matches('/'), suffix);
    if let Some(q) = query {
        url.push('?');
        url.push_str(q);
    }
    let mut req = http.request(method, &url).body(body);
    if let Some(ct) = headers.get(header::CONTENT_TYPE) {
        req = req.header(header::CONTENT_TYPE, ct);
    }
    let answer = match req.send().await {
        Ok(r) => r,
        Err(e) => return (StatusCode::BAD_GATEWAY, format!("{url}: {e}")).into_response(),
    };
    let status = answer.status();
    let content_type = answer.headers().get(header::CONTENT_TYPE).cloned();
    match answer.bytes().await {
        Ok(bytes) => {
            let mut resp = (status, bytes).into_response();
            if let Some(ct) = content_type {
                resp.headers_mut().insert(header::CONTENT_TYPE, ct);
            }
            resp
        }
        Err(e) => (StatusCode::BAD_GATEWAY, format!("{url}: {e}")).into_response(),
    }
}

/// The file of the build at a request path: only plain components below the
/// build folder; `None` for anything else.
fn file_under(dir: &Path, request_path: &str) -> Option<PathBuf> {
    let rel = Path::new(request_path.trim_start_matches('/'));
    if rel.components().any(|c| !matches!(c, Component::Normal(_))) {
        return None;
    }
    Some(dir.join(rel))
}

fn content_type_of(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("json") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("woff2") => "font/woff2",
        _ => "application/octet-stream",
    }
}

async fn static_file(State(s): State<Arc<Shared>>, uri: Uri) -> Response {
    let index = s.dir.join("index.html");
    let path = match file_under(&s.dir, uri.path()) {
        Some(p) if p.is_file() => p,
        // Unknown paths are the app's own routes.
        _ => index,
    };
    match tokio::fs::read(&path).await {
        Ok(bytes) => {
            // Vite names assets by content hash: they never change.
            let cache = if path.starts_with(s.dir.join("assets")) {
                "public, max-age=31536000, immutable"
            } else {
                "no-cache"
            };
            (
                [
                    (header::CONTENT_TYPE, content_type_of(&path)),
                    (header::CACHE_CONTROL, cache),
                ],
                bytes,
            )
                .into_response()
        }
        Err(e) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("{}: {e}", path.display()),
        )
            .into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_inside_the_build_are_files() {
        let dir = Path::new("/srv/dist");
        assert_eq!(
            file_under(dir, "/assets/a.js"),
            Some(PathBuf::from("/srv/dist/assets/a.js"))
        );
        assert_eq!(file_under(dir, "/"), Some(PathBuf::from("/srv/dist/")));
        assert_eq!(file_under(dir, "/../etc/passwd"), None);
        assert_eq!(file_under(dir, "/assets/../../x"), None);
        assert_eq!(
            file_under(dir, "//etc/passwd"),
            Some(PathBuf::from("/srv/dist/etc/passwd"))
        );
    }

    #[test]
    fn config_names_the_proxies_and_the_websocket() {
        let chain = ChainConfig::devnet_at("http://127.0.0.1:26657");
        let contracts = [("job_market".to_string(), "star1xyz".to_string())].into();
        let c = dashboard_config("devnet", &chain, &contracts);
        assert_eq!(c["rpc"], "/rpc");
        assert_eq!(c["rest"], "/rest");
        assert_eq!(c["websocket"], "ws://127.0.0.1:26657/websocket");
        assert_eq!(c["chainId"], chain.chain_id);
        assert_eq!(c["contracts"]["job_market"], "star1xyz");
    }
}
