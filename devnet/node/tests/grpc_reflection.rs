//! gRPC server reflection: the descriptor set it serves
//! (`proto/descriptors.bin`) against the prost types the node answers with,
//! and the reflection services (v1 and v1alpha) through tonic-reflection's
//! generated client, as grpcurl uses them.

mod common;

use common::*;
use cosmos_sdk_proto::cosmos::auth::v1beta1 as auth;
use cosmos_sdk_proto::cosmos::bank::v1beta1 as bank;
use cosmos_sdk_proto::cosmos::base::node::v1beta1 as node;
use cosmos_sdk_proto::cosmos::base::query::v1beta1::{PageRequest, PageResponse};
use cosmos_sdk_proto::cosmos::base::tendermint::v1beta1 as tm;
use cosmos_sdk_proto::cosmos::base::v1beta1::Coin;
use cosmos_sdk_proto::cosmos::staking::v1beta1 as staking;
use cosmos_sdk_proto::cosmos::tx::v1beta1 as tx;
use cosmos_sdk_proto::cosmwasm::wasm::v1 as wasm;
use prost::{Message, Name};
use prost_reflect::{DescriptorPool, DynamicMessage, Value};
use starminer_devnet::grpc::DESCRIPTORS;
use tonic_reflection::pb::{v1, v1alpha};

/// Every method the node serves, with its request and response types as
/// cosmos-sdk-proto names them.
fn served() -> Vec<(&'static str, String, String)> {
    fn m<Req: Name, Resp: Name>(path: &'static str) -> (&'static str, String, String) {
        (path, Req::full_name(), Resp::full_name())
    }
    vec![
        m::<auth::QueryAccountRequest, auth::QueryAccountResponse>(
            "cosmos.auth.v1beta1.Query/Account",
        ),
        m::<bank::QueryBalanceRequest, bank::QueryBalanceResponse>(
            "cosmos.bank.v1beta1.Query/Balance",
        ),
        m::<bank::QueryAllBalancesRequest, bank::QueryAllBalancesResponse>(
            "cosmos.bank.v1beta1.Query/AllBalances",
        ),
        m::<bank::QuerySpendableBalancesRequest, bank::QuerySpendableBalancesResponse>(
            "cosmos.bank.v1beta1.Query/SpendableBalances",
        ),
        m::<bank::QueryTotalSupplyRequest, bank::QueryTotalSupplyResponse>(
            "cosmos.bank.v1beta1.Query/TotalSupply",
        ),
        m::<bank::QuerySupplyOfRequest, bank::QuerySupplyOfResponse>(
            "cosmos.bank.v1beta1.Query/SupplyOf",
        ),
        m::<tx::SimulateRequest, tx::SimulateResponse>("cosmos.tx.v1beta1.Service/Simulate"),
        m::<tx::GetTxRequest, tx::GetTxResponse>("cosmos.tx.v1beta1.Service/GetTx"),
        m::<tx::GetTxsEventRequest, tx::GetTxsEventResponse>(
            "cosmos.tx.v1beta1.Service/GetTxsEvent",
        ),
        m::<tx::BroadcastTxRequest, tx::BroadcastTxResponse>(
            "cosmos.tx.v1beta1.Service/BroadcastTx",
        ),
        m::<tm::GetNodeInfoRequest, tm::GetNodeInfoResponse>(
            "cosmos.base.tendermint.v1beta1.Service/GetNodeInfo",
        ),
        m::<tm::GetSyncingRequest, tm::GetSyncingResponse>(
            "cosmos.base.tendermint.v1beta1.Service/GetSyncing",
        ),
        m::<tm::GetLatestBlockRequest, tm::GetLatestBlockResponse>(
            "cosmos.base.tendermint.v1beta1.Service/GetLatestBlock",
        ),
        m::<tm::GetBlockByHeightRequest, tm::GetBlockByHeightResponse>(
            "cosmos.base.tendermint.v1beta1.Service/GetBlockByHeight",
        ),
        m::<node::ConfigRequest, node::ConfigResponse>("cosmos.base.node.v1beta1.Service/Config"),
        m::<staking::QueryParamsRequest, staking::QueryParamsResponse>(
            "cosmos.staking.v1beta1.Query/Params",
        ),
        m::<wasm::QuerySmartContractStateRequest, wasm::QuerySmartContractStateResponse>(
            "cosmwasm.wasm.v1.Query/SmartContractState",
        ),
        m::<wasm::QueryRawContractStateRequest, wasm::QueryRawContractStateResponse>(
            "cosmwasm.wasm.v1.Query/RawContractState",
        ),
        m::<wasm::QueryContractInfoRequest, wasm::QueryContractInfoResponse>(
            "cosmwasm.wasm.v1.Query/ContractInfo",
        ),
        m::<wasm::QueryCodeRequest, wasm::QueryCodeResponse>("cosmwasm.wasm.v1.Query/Code"),
        m::<wasm::QueryCodesRequest, wasm::QueryCodesResponse>("cosmwasm.wasm.v1.Query/Codes"),
        m::<wasm::QueryContractsByCodeRequest, wasm::QueryContractsByCodeResponse>(
            "cosmwasm.wasm.v1.Query/ContractsByCode",
        ),
    ]
}

const SERVICES: &[&str] = &[
    "cosmos.auth.v1beta1.Query",
    "cosmos.bank.v1beta1.Query",
    "cosmos.tx.v1beta1.Service",
    "cosmos.base.tendermint.v1beta1.Service",
    "cosmos.base.node.v1beta1.Service",
    "cosmos.staking.v1beta1.Query",
    "cosmwasm.wasm.v1.Query",
];

fn pool() -> DescriptorPool {
    DescriptorPool::decode(DESCRIPTORS).expect("proto/descriptors.bin decodes")
}

/// Field paths (`a.b.3`) of `msg` and its sub-messages that the descriptor
/// does not know: fields prost encoded that a reflecting client would drop.
fn unknown_fields(msg: &DynamicMessage, at: &str, out: &mut Vec<String>) {
    for f in msg.unknown_fields() {
        out.push(format!("{at}{}", f.number()));
    }
    for (field, value) in msg.fields() {
        let at = format!("{at}{}.", field.name());
        let mut visit = |v: &Value| {
            if let Value::Message(m) = v {
                unknown_fields(m, &at, out);
            }
        };
        match value {
            Value::List(vs) => vs.iter().for_each(&mut visit),
            Value::Map(m) => m.values().for_each(&mut visit),
            v => visit(v),
        }
    }
}

/// Decodes `msg`'s encoding with the reflected descriptor of its type, and
/// checks that every field is known and the message survives the round trip.
fn same_shape<M: Message + Name + Default + PartialEq + std::fmt::Debug>(
    pool: &DescriptorPool,
    msg: &M,
) {
    let bytes = msg.encode_to_vec();
    let desc = pool
        .get_message_by_name(&M::full_name())
        .unwrap_or_else(|| panic!("{} is not in the descriptors", M::full_name()));
    let dynamic = DynamicMessage::decode(desc, bytes.as_slice())
        .unwrap_or_else(|e| panic!("{}: {e}", M::full_name()));
    let mut unknown = Vec::new();
    unknown_fields(&dynamic, "", &mut unknown);
    assert!(
        unknown.is_empty(),
        "{}: fields missing from the descriptors: {unknown:?}",
        M::full_name()
    );
    assert_eq!(
        &M::decode(dynamic.encode_to_vec().as_slice()).unwrap(),
        msg,
        "{}",
        M::full_name()
    );
}

fn page_req() -> Option<PageRequest> {
    Some(PageRequest {
        key: vec![1, 2],
        offset: 3,
        limit: 4,
        count_total: true,
        reverse: true,
    })
}

fn page_resp() -> Option<PageResponse> {
    Some(PageResponse {
        next_key: vec![5],
        total: 6,
    })
}

fn coin() -> Coin {
    Coin {
        denom: DENOM.into(),
        amount: "7".into(),
    }
}

#[test]
fn every_served_method_is_described_with_its_types() {
    let pool = pool();
    for (path, req, resp) in served() {
        let (service, method) = path.split_once('/').unwrap();
        let svc = pool
            .get_service_by_name(service)
            .unwrap_or_else(|| panic!("service {service} is not described"));
        let m = svc
            .methods()
            .find(|m| m.name() == method)
            .unwrap_or_else(|| panic!("{path} is not described"));
        assert_eq!(m.input().full_name(), req, "{path} input");
        assert_eq!(m.output().full_name(), resp, "{path} output");
        assert!(!m.is_client_streaming() && !m.is_server_streaming());
    }
    // Only the served services: no Msg or other module's services.
    let mut services: Vec<String> = pool.services().map(|s| s.full_name().into()).collect();
    services.sort();
    let mut want: Vec<String> = SERVICES.iter().map(|s| s.to_string()).collect();
    want.sort();
    assert_eq!(services, want);
}

/// The .proto files come from older packages than the SDK and wasmd
/// cosmos-sdk-proto is generated from (see scripts/gen-grpc-descriptors.sh):
/// populated requests and responses of the served methods must not carry a
/// field the descriptors lack (GetTxsEvent's `query`, the blocks' `sdk_block`).
#[test]
#[allow(deprecated)]
fn descriptors_have_every_field_the_node_encodes() {
    let pool = pool();
    let p = &pool;
    let addr = "starminer1qypqxpq9qcrsszg2pvxq6rs0zqg3yyc5lzv7xu".to_string();

    same_shape(
        p,
        &node::ConfigResponse {
            minimum_gas_price: "0.0025ustar".into(),
            pruning_keep_recent: "0".into(),
            pruning_interval: "0".into(),
            halt_height: 1,
        },
    );
    same_shape(
        p,
        &staking::QueryParamsResponse {
            params: Some(starminer_devnet::services::staking_params()),
        },
    );
    same_shape(
        p,
        &auth::QueryAccountRequest {
            address: addr.clone(),
        },
    );
    same_shape(
        p,
        &auth::QueryAccountResponse {
            account: Some(prost_types_any("/cosmos.auth.v1beta1.BaseAccount", &[1])),
        },
    );
    same_shape(
        p,
        &bank::QueryBalanceRequest {
            address: addr.clone(),
            denom: DENOM.into(),
        },
    );
    same_shape(
        p,
        &bank::QueryBalanceResponse {
            balance: Some(coin()),
        },
    );
    same_shape(
        p,
        &bank::QueryAllBalancesRequest {
            address: addr.clone(),
            pagination: page_req(),
            resolve_denom: true,
        },
    );
    same_shape(
        p,
        &bank::QueryAllBalancesResponse {
            balances: vec![coin()],
            pagination: page_resp(),
        },
    );
    same_shape(
        p,
        &bank::QuerySpendableBalancesRequest {
            address: addr.clone(),
            pagination: page_req(),
        },
    );
    same_shape(
        p,
        &bank::QuerySpendableBalancesResponse {
            balances: vec![coin()],
            pagination: page_resp(),
        },
    );
    same_shape(
        p,
        &bank::QueryTotalSupplyRequest {
            pagination: page_req(),
        },
    );
    same_shape(
        p,
        &bank::QueryTotalSupplyResponse {
            supply: vec![coin()],
            pagination: page_resp(),
        },
    );
    same_shape(
        p,
        &bank::QuerySupplyOfRequest {
            denom: DENOM.into(),
        },
    );
    same_shape(
        p,
        &bank::QuerySupplyOfResponse {
            amount: Some(coin()),
        },
    );

    same_shape(
        p,
        &tx::GetTxsEventRequest {
            events: vec!["a.b='c'".into()],
            pagination: page_req(),
            order_by: tx::OrderBy::Desc as i32,
            page: 2,
            limit: 3,
            query: "message.sender='x'".into(),
        },
    );
    same_shape(
        p,
        &tx::GetTxsEventResponse {
            txs: vec![tx::Tx::default()],
            tx_responses: vec![Default::default()],
            pagination: page_resp(),
            total: 9,
        },
    );
    same_shape(
        p,
        &tx::BroadcastTxRequest {
            tx_bytes: vec![1],
            mode: tx::BroadcastMode::Sync as i32,
        },
    );
    same_shape(p, &tx::GetTxRequest { hash: "AB".into() });
    same_shape(
        p,
        &tx::SimulateRequest {
            tx: Some(tx::Tx::default()),
            tx_bytes: vec![1],
        },
    );
    same_shape(p, &tm::GetBlockByHeightRequest { height: 5 });
    same_shape(
        p,
        &wasm::QuerySmartContractStateRequest {
            address: addr.clone(),
            query_data: b"{}".to_vec(),
        },
    );
    same_shape(
        p,
        &wasm::QueryRawContractStateRequest {
            address: addr.clone(),
            query_data: vec![1],
        },
    );
    same_shape(
        p,
        &wasm::QueryContractInfoRequest {
            address: addr.clone(),
        },
    );
    same_shape(p, &wasm::QueryCodeRequest { code_id: 4 });
    same_shape(
        p,
        &wasm::QueryCodesRequest {
            pagination: page_req(),
        },
    );
    same_shape(
        p,
        &wasm::QueryContractsByCodeRequest {
            code_id: 4,
            pagination: page_req(),
        },
    );
    same_shape(
        p,
        &wasm::QueryContractsByCodeResponse {
            contracts: vec![addr.clone()],
            pagination: page_resp(),
        },
    );
    same_shape(
        p,
        &wasm::QueryContractInfoResponse {
            address: addr.clone(),
            contract_info: Some(wasm::ContractInfo {
                code_id: 1,
                creator: addr.clone(),
                admin: addr.clone(),
                label: "l".into(),
                created: Some(wasm::AbsoluteTxPosition {
                    block_height: 2,
                    tx_index: 3,
                }),
                ibc_port_id: "wasm.x".into(),
                extension: Some(prost_types_any("/x.Ext", &[1])),
            }),
        },
    );
    let access = wasm::AccessConfig {
        permission: wasm::AccessType::AnyOfAddresses as i32,
        addresses: vec![addr.clone()],
    };
    let info = wasm::CodeInfoResponse {
        code_id: 1,
        creator: addr.clone(),
        data_hash: vec![9; 32],
        instantiate_permission: Some(access),
    };
    same_shape(
        p,
        &wasm::QueryCodeResponse {
            code_info: Some(info.clone()),
            data: vec![0, 97, 115, 109],
        },
    );
    same_shape(
        p,
        &wasm::QueryCodesResponse {
            code_infos: vec![info],
            pagination: page_resp(),
        },
    );
}

fn prost_types_any(type_url: &str, value: &[u8]) -> cosmos_sdk_proto::Any {
    cosmos_sdk_proto::Any {
        type_url: type_url.into(),
        value: value.to_vec(),
    }
}

/// The responses a running node gives (blocks, node info, txs) decode with
/// the reflected descriptors without unknown fields; the reflection services
/// list the served services and resolve symbols to their files.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reflection_lists_and_describes_the_served_services() {
    let net = Devnet::start().await;
    let url = format!("http://127.0.0.1:{}", net.grpc_port);
    let pool = pool();
    let alice = net.devs[0].address.clone();
    let bob = net.devs[1].address.clone();

    // Real answers, field by field against the descriptors.
    let mut tmc = tm::service_client::ServiceClient::connect(url.clone())
        .await
        .unwrap();
    let latest = tmc
        .get_latest_block(tm::GetLatestBlockRequest {})
        .await
        .unwrap()
        .into_inner();
    assert!(latest.sdk_block.is_some());
    same_shape(&pool, &latest);
    let by_height = tmc
        .get_block_by_height(tm::GetBlockByHeightRequest { height: 1 })
        .await
        .unwrap()
        .into_inner();
    same_shape(&pool, &by_height);
    let info = tmc
        .get_node_info(tm::GetNodeInfoRequest {})
        .await
        .unwrap()
        .into_inner();
    same_shape(&pool, &info);

    let mut txc = tx::service_client::ServiceClient::connect(url.clone())
        .await
        .unwrap();
    let signed = net.sign(0, vec![send(&alice, &bob, 4321)], 200_000).await;
    #[allow(deprecated)]
    let sim = txc
        .simulate(tx::SimulateRequest {
            tx: None,
            tx_bytes: signed.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    same_shape(&pool, &sim);
    let committed = net.deliver(signed.clone()).await;
    assert_eq!(committed.tx_result.code.value(), 0);
    let hash = committed.hash.to_string();
    let got = txc
        .get_tx(tx::GetTxRequest { hash: hash.clone() })
        .await
        .unwrap()
        .into_inner();
    assert!(!got.tx_response.as_ref().unwrap().events.is_empty());
    same_shape(&pool, &got);
    #[allow(deprecated)]
    let found = txc
        .get_txs_event(tx::GetTxsEventRequest {
            events: Vec::new(),
            pagination: None,
            order_by: tx::OrderBy::Desc as i32,
            page: 1,
            limit: 10,
            query: format!("message.sender='{alice}'"),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(found.total, 1);
    same_shape(&pool, &found);
    let acc = auth::query_client::QueryClient::connect(url.clone())
        .await
        .unwrap()
        .account(auth::QueryAccountRequest {
            address: alice.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    same_shape(&pool, &acc);

    // Reflection v1: list services.
    let channel = tonic::transport::Channel::from_shared(url)
        .unwrap()
        .connect()
        .await
        .unwrap();
    let mut v1c = v1::server_reflection_client::ServerReflectionClient::new(channel.clone());
    let ask = |req: v1::server_reflection_request::MessageRequest| v1::ServerReflectionRequest {
        host: String::new(),
        message_request: Some(req),
    };
    let answers = v1_ask(
        &mut v1c,
        vec![
            ask(v1::server_reflection_request::MessageRequest::ListServices(
                String::new(),
            )),
            ask(
                v1::server_reflection_request::MessageRequest::FileContainingSymbol(
                    "cosmos.bank.v1beta1.Query".into(),
                ),
            ),
            ask(
                v1::server_reflection_request::MessageRequest::FileContainingSymbol(
                    "cosmwasm.wasm.v1.Query".into(),
                ),
            ),
            ask(
                v1::server_reflection_request::MessageRequest::FileContainingSymbol(
                    "cosmos.tx.v1beta1.GetTxsEventRequest".into(),
                ),
            ),
        ],
    )
    .await;
    use v1::server_reflection_response::MessageResponse as R;
    let Some(R::ListServicesResponse(list)) = &answers[0] else {
        panic!("list services: {:?}", answers[0]);
    };
    let mut names: Vec<&str> = list.service.iter().map(|s| s.name.as_str()).collect();
    names.sort();
    let mut want: Vec<&str> = SERVICES.to_vec();
    want.extend([
        "grpc.reflection.v1.ServerReflection",
        "grpc.reflection.v1alpha.ServerReflection",
    ]);
    want.sort();
    assert_eq!(names, want);

    for (i, (file, symbol)) in [
        ("cosmos/bank/v1beta1/query.proto", "Query"),
        ("cosmwasm/wasm/v1/query.proto", "Query"),
        ("cosmos/tx/v1beta1/service.proto", "GetTxsEventRequest"),
    ]
    .into_iter()
    .enumerate()
    {
        let Some(R::FileDescriptorResponse(files)) = &answers[i + 1] else {
            panic!("file containing symbol {i}: {:?}", answers[i + 1]);
        };
        let fd = files
            .file_descriptor_proto
            .iter()
            .map(|b| prost_types::FileDescriptorProto::decode(b.as_slice()).unwrap())
            .find(|f| f.name() == file)
            .unwrap_or_else(|| panic!("{file} not among the answer's files"));
        assert!(
            fd.service.iter().any(|s| s.name() == symbol)
                || fd.message_type.iter().any(|m| m.name() == symbol),
            "{symbol} not in {file}"
        );
        if symbol == "GetTxsEventRequest" {
            let m = fd.message_type.iter().find(|m| m.name() == symbol).unwrap();
            let query = m.field.iter().find(|f| f.name() == "query").unwrap();
            assert_eq!(query.number(), 6);
        }
    }
    // A service the node does not serve is not described.
    let err = v1c
        .server_reflection_info(stream_of_one(ask(
            v1::server_reflection_request::MessageRequest::FileContainingSymbol(
                "cosmos.distribution.v1beta1.Query".into(),
            ),
        )))
        .await
        .unwrap()
        .into_inner()
        .message()
        .await
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::NotFound, "{err:?}");

    // v1alpha (older grpcurl and grpc-go clients) answers the same.
    let mut alpha = v1alpha::server_reflection_client::ServerReflectionClient::new(channel);
    let mut stream = alpha
        .server_reflection_info(stream_of_one(v1alpha::ServerReflectionRequest {
            host: String::new(),
            message_request: Some(
                v1alpha::server_reflection_request::MessageRequest::FileContainingSymbol(
                    "cosmos.base.tendermint.v1beta1.Service".into(),
                ),
            ),
        }))
        .await
        .unwrap()
        .into_inner();
    let answer = stream.message().await.unwrap().unwrap();
    let Some(v1alpha::server_reflection_response::MessageResponse::FileDescriptorResponse(files)) =
        answer.message_response
    else {
        panic!("v1alpha: {answer:?}");
    };
    let names: Vec<String> = files
        .file_descriptor_proto
        .iter()
        .map(|b| {
            prost_types::FileDescriptorProto::decode(b.as_slice())
                .unwrap()
                .name()
                .to_string()
        })
        .collect();
    assert!(
        names.contains(&"cosmos/base/tendermint/v1beta1/query.proto".to_string()),
        "{names:?}"
    );
}

/// Sends `reqs` on one reflection stream and collects an answer for each.
async fn v1_ask(
    client: &mut v1::server_reflection_client::ServerReflectionClient<tonic::transport::Channel>,
    reqs: Vec<v1::ServerReflectionRequest>,
) -> Vec<Option<v1::server_reflection_response::MessageResponse>> {
    let n = reqs.len();
    let mut stream = client
        .server_reflection_info(futures_util::stream::iter(reqs))
        .await
        .unwrap()
        .into_inner();
    let mut out = Vec::new();
    for _ in 0..n {
        let r = stream
            .message()
            .await
            .unwrap()
            .expect("an answer per request");
        out.push(r.message_response);
    }
    out
}

fn stream_of_one<T: Send + 'static>(item: T) -> impl futures_util::Stream<Item = T> {
    futures_util::stream::iter([item])
}
