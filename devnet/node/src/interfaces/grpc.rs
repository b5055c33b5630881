//! gRPC (HTTP/2 without TLS, as a wasmd node's port 9090): the SDK's and
//! wasmd's services, for tonic, grpc-go and grpcurl-style clients.
//!
//! Like the SDK's gRPC router, the server takes the full method name
//! (`/cosmos.bank.v1beta1.Query/Balance`) and the protobuf request bytes:
//! module queries (auth, bank, wasm, tx `Simulate`) go to the application
//! through the same router as `abci_query` ([`crate::app::router`]); the tx
//! service's `GetTx`, `GetTxsEvent`, `BroadcastTx`, the tendermint
//! service's `GetNodeInfo`, `GetSyncing`, `GetLatestBlock`,
//! `GetBlockByHeight`, the node service's `Config` and staking `Params`
//! (what relayers check before they relay) are answered from
//! [`super::services`]. A method no
//! handler knows is `UNIMPLEMENTED`. The `x-cosmos-block-height` metadata
//! selects the query height, as on the SDK.
//!
//! Server reflection (`grpc.reflection.v1` and `v1alpha`, for grpcurl and
//! other dynamic clients) is tonic-reflection's, over [`DESCRIPTORS`]: the
//! protobuf files of the served services and their imports, compiled into
//! `proto/descriptors.bin` by `scripts/gen-grpc-descriptors.sh`.

use std::future::Future;
use std::pin::Pin;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::Response;
use axum::Router;
use bytes::{Buf, BufMut};
use cosmos_sdk_proto::cosmos::base::tendermint::v1beta1 as tm_svc;
use cosmos_sdk_proto::cosmos::tx::v1beta1::{
    BroadcastMode, BroadcastTxRequest, BroadcastTxResponse, GetTxRequest, GetTxsEventRequest,
    OrderBy,
};
use prost::Message;
use tonic::codec::{Codec, DecodeBuf, Decoder, EncodeBuf, Encoder};

use crate::app::driver::NodeHandle;
use crate::interfaces::services::{self, Code, Status, SvcResult};

impl From<Status> for tonic::Status {
    fn from(s: Status) -> Self {
        let code = match s.code {
            Code::Unknown => tonic::Code::Unknown,
            Code::InvalidArgument => tonic::Code::InvalidArgument,
            Code::NotFound => tonic::Code::NotFound,
            Code::Unauthenticated => tonic::Code::Unauthenticated,
            Code::Unimplemented => tonic::Code::Unimplemented,
            Code::Internal => tonic::Code::Internal,
        };
        tonic::Status::new(code, s.message)
    }
}

/// Messages pass as their protobuf bytes; each handler decodes its own.
#[derive(Clone, Copy, Default)]
struct RawCodec;

struct RawEncoder;
struct RawDecoder;

impl Encoder for RawEncoder {
    type Item = Vec<u8>;
    type Error = tonic::Status;

    fn encode(&mut self, item: Vec<u8>, dst: &mut EncodeBuf<'_>) -> Result<(), tonic::Status> {
        dst.put_slice(&item);
        Ok(())
    }
}

impl Decoder for RawDecoder {
    type Item = Vec<u8>;
    type Error = tonic::Status;

    fn decode(&mut self, src: &mut DecodeBuf<'_>) -> Result<Option<Vec<u8>>, tonic::Status> {
        let mut out = vec![0; src.remaining()];
        src.copy_to_slice(&mut out);
        Ok(Some(out))
    }
}

impl Codec for RawCodec {
    type Encode = Vec<u8>;
    type Decode = Vec<u8>;
    type Encoder = RawEncoder;
    type Decoder = RawDecoder;

    fn encoder(&mut self) -> RawEncoder {
        RawEncoder
    }

    fn decoder(&mut self) -> RawDecoder {
        RawDecoder
    }
}

/// One unary call of `path`.
struct Method {
    node: NodeHandle,
    path: String,
}

type CallFuture =
    Pin<Box<dyn Future<Output = Result<tonic::Response<Vec<u8>>, tonic::Status>> + Send>>;

impl tonic::server::UnaryService<Vec<u8>> for Method {
    type Response = Vec<u8>;
    type Future = CallFuture;

    fn call(&mut self, req: tonic::Request<Vec<u8>>) -> CallFuture {
        let node = self.node.clone();
        let path = std::mem::take(&mut self.path);
        Box::pin(async move {
            let height = match req.metadata().get("x-cosmos-block-height") {
                None => 0,
                Some(v) => v
                    .to_str()
                    .ok()
                    .and_then(|s| s.parse().ok())
                    .ok_or_else(|| {
                        tonic::Status::invalid_argument("x-cosmos-block-height: not a height")
                    })?,
            };
            answer(&node, &path, req.into_inner(), height)
                .await
                .map(tonic::Response::new)
                .map_err(tonic::Status::from)
        })
    }
}

fn decode<M: Message + Default>(data: &[u8]) -> SvcResult<M> {
    M::decode(data).map_err(|e| Status::invalid(format!("decoding the request: {e}")))
}

/// Answers one method call with the response's protobuf bytes.
async fn answer(node: &NodeHandle, path: &str, data: Vec<u8>, height: u64) -> SvcResult<Vec<u8>> {
    Ok(match path {
        "/cosmos.tx.v1beta1.Service/GetTx" => {
            let req: GetTxRequest = decode(&data)?;
            services::get_tx(node, &req.hash).await?.encode_to_vec()
        }
        "/cosmos.tx.v1beta1.Service/GetTxsEvent" => {
            let req: GetTxsEventRequest = decode(&data)?;
            #[allow(deprecated)]
            let (mut page, mut limit) = (req.page, req.limit);
            #[allow(deprecated)]
            if let Some(p) = &req.pagination {
                // The deprecated offset pagination: its page and limit.
                if limit == 0 {
                    limit = p.limit;
                }
                if page == 0 && p.offset > 0 {
                    page = p.offset / limit.max(1) + 1;
                }
            }
            #[allow(deprecated)]
            let events = req.events;
            services::get_txs_event(
                node,
                &events,
                &req.query,
                OrderBy::try_from(req.order_by).unwrap_or(OrderBy::Unspecified),
                page,
                limit,
            )
            .await?
            .encode_to_vec()
        }
        "/cosmos.tx.v1beta1.Service/BroadcastTx" => {
            let req: BroadcastTxRequest = decode(&data)?;
            let mode = BroadcastMode::try_from(req.mode)
                .map_err(|_| Status::invalid("invalid broadcast mode"))?;
            let r = services::broadcast(node, req.tx_bytes, mode).await?;
            BroadcastTxResponse {
                tx_response: Some(r),
            }
            .encode_to_vec()
        }
        "/cosmos.base.tendermint.v1beta1.Service/GetSyncing" => {
            tm_svc::GetSyncingResponse { syncing: false }.encode_to_vec()
        }
        "/cosmos.base.tendermint.v1beta1.Service/GetLatestBlock" => {
            let (block_id, block, sdk_block) =
                services::block_at(node, services::latest_height(node)?)?;
            #[allow(deprecated)]
            tm_svc::GetLatestBlockResponse {
                block_id: Some(block_id),
                block: Some(block),
                sdk_block: Some(sdk_block),
            }
            .encode_to_vec()
        }
        "/cosmos.base.tendermint.v1beta1.Service/GetBlockByHeight" => {
            let req: tm_svc::GetBlockByHeightRequest = decode(&data)?;
            if req.height <= 0 {
                return Err(Status::invalid("block height must be greater than 0"));
            }
            let (block_id, block, sdk_block) = services::block_at(node, req.height as u64)?;
            #[allow(deprecated)]
            tm_svc::GetBlockByHeightResponse {
                block_id: Some(block_id),
                block: Some(block),
                sdk_block: Some(sdk_block),
            }
            .encode_to_vec()
        }
        // The node's own services (node info and config, staking
        // parameters), then module queries: the application's gRPC router
        // (unknown methods come back as sdk/6, which is UNIMPLEMENTED).
        _ => match services::node_service(node, path) {
            Some(answer) => answer,
            None => services::query_raw(node, path, data, height).await?,
        },
    })
}

/// The encoded `FileDescriptorSet` reflection serves: the files declaring
/// the served services (cosmos auth, bank and tx, the tendermint service,
/// cosmwasm.wasm.v1 Query) and everything they import; the served methods'
/// messages have the fields cosmos-sdk-proto 0.27 generates (Cosmos SDK
/// v0.50.9, wasmd v0.52.0), as `tests/grpc_reflection.rs` checks.
pub const DESCRIPTORS: &[u8] = include_bytes!("../../proto/descriptors.bin");

/// The reflection services' one method, per version.
const REFLECTION_V1: &str = "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo";
const REFLECTION_V1ALPHA: &str = "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo";

/// A reflection builder over the served files and both reflection services'.
fn reflection() -> tonic_reflection::server::Builder<'static> {
    tonic_reflection::server::Builder::configure()
        .register_encoded_file_descriptor_set(DESCRIPTORS)
        .register_encoded_file_descriptor_set(tonic_reflection::pb::v1::FILE_DESCRIPTOR_SET)
        .register_encoded_file_descriptor_set(tonic_reflection::pb::v1alpha::FILE_DESCRIPTOR_SET)
        .include_reflection_service(false)
}

async fn handle(State(node): State<NodeHandle>, req: Request) -> Response {
    let path = req.uri().path().to_string();
    let mut grpc = tonic::server::Grpc::new(RawCodec);
    grpc.unary(Method { node, path }, req).await.map(Body::new)
}

/// Serves gRPC on `listener` (HTTP/2 cleartext) until the server stops.
pub async fn serve(listener: tokio::net::TcpListener, node: NodeHandle) -> anyhow::Result<()> {
    let router = Router::new()
        .route_service(REFLECTION_V1, reflection().build_v1()?)
        .route_service(REFLECTION_V1ALPHA, reflection().build_v1alpha()?)
        .fallback(handle)
        .with_state(node);
    axum::serve(listener, router).await?;
    Ok(())
}
