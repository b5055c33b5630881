//! gRPC through the tonic clients cosmos-sdk-proto generates (the SDK's and
//! wasmd's service definitions): auth, bank, tx (Simulate, BroadcastTx,
//! GetTx, GetTxsEvent), cosmwasm.wasm.v1 Query and the tendermint service,
//! compared with what the same node answers over CometBFT RPC.

mod common;

use common::*;
use cosmos_sdk_proto::cosmos::auth::v1beta1::{
    query_client::QueryClient as AuthClient, BaseAccount, QueryAccountRequest,
};
use cosmos_sdk_proto::cosmos::bank::v1beta1::{
    query_client::QueryClient as BankClient, QueryAllBalancesRequest, QueryBalanceRequest,
    QueryTotalSupplyRequest,
};
use cosmos_sdk_proto::cosmos::base::node::v1beta1::{
    service_client::ServiceClient as NodeClient, ConfigRequest,
};
use cosmos_sdk_proto::cosmos::base::tendermint::v1beta1::GetLatestBlockResponse;
use cosmos_sdk_proto::cosmos::base::tendermint::v1beta1::{
    service_client::ServiceClient as TmClient, GetBlockByHeightRequest, GetLatestBlockRequest,
    GetNodeInfoRequest, GetSyncingRequest,
};
use cosmos_sdk_proto::cosmos::staking::v1beta1::{
    query_client::QueryClient as StakingClient, QueryParamsRequest, QueryValidatorsRequest,
};
use cosmos_sdk_proto::cosmos::tx::v1beta1::{
    service_client::ServiceClient as TxClient, BroadcastMode, BroadcastTxRequest, GetTxRequest,
    GetTxsEventRequest, OrderBy, SimulateRequest,
};
use cosmos_sdk_proto::cosmwasm::wasm::v1::{
    query_client::QueryClient as WasmClient, QueryCodeRequest, QueryCodesRequest,
    QueryContractInfoRequest,
};
use prost::Message;
use sha2::{Digest, Sha256};
use tendermint_rpc::Client;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generated_tonic_clients_query_and_transact() {
    let net = Devnet::start().await;
    let url = format!("http://127.0.0.1:{}", net.grpc_port);
    let alice = net.devs[0].address.clone();
    let bob = net.devs[1].address.clone();

    // Tendermint service.
    let mut tm = TmClient::connect(url.clone()).await.unwrap();
    let info = tm
        .get_node_info(GetNodeInfoRequest {})
        .await
        .unwrap()
        .into_inner();
    assert_eq!(info.default_node_info.unwrap().network, CHAIN_ID);
    assert!(
        !tm.get_syncing(GetSyncingRequest {})
            .await
            .unwrap()
            .into_inner()
            .syncing
    );
    let latest: GetLatestBlockResponse = tm
        .get_latest_block(GetLatestBlockRequest {})
        .await
        .unwrap()
        .into_inner();
    let header = latest.block.unwrap().header.unwrap();
    let rpc_block = net.client.block(header.height as u32).await.unwrap();
    assert_eq!(header.app_hash, rpc_block.block.header.app_hash.as_bytes());
    assert_eq!(
        latest.block_id.unwrap().hash,
        rpc_block.block_id.hash.as_bytes()
    );
    assert!(latest
        .sdk_block
        .unwrap()
        .header
        .unwrap()
        .proposer_address
        .starts_with("starminervalcons1"));
    let first = tm
        .get_block_by_height(GetBlockByHeightRequest { height: 1 })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(first.block.unwrap().header.unwrap().height, 1);
    let err = tm
        .get_block_by_height(GetBlockByHeightRequest { height: 0 })
        .await
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::InvalidArgument);

    // Auth and bank.
    let mut auth = AuthClient::connect(url.clone()).await.unwrap();
    let acc = auth
        .account(QueryAccountRequest {
            address: alice.clone(),
        })
        .await
        .unwrap()
        .into_inner()
        .account
        .unwrap();
    assert_eq!(acc.type_url, "/cosmos.auth.v1beta1.BaseAccount");
    let acc = BaseAccount::decode(acc.value.as_slice()).unwrap();
    assert_eq!(acc.address, alice);
    assert_eq!(acc.account_number, net.account(&alice).await.account_number);
    let stranger = cosmrs::AccountId::new("starminer", &[3u8; 20])
        .unwrap()
        .to_string();
    let err = auth
        .account(QueryAccountRequest { address: stranger })
        .await
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::NotFound, "{err:?}");

    let mut bank = BankClient::connect(url.clone()).await.unwrap();
    let bal = bank
        .balance(QueryBalanceRequest {
            address: bob.clone(),
            denom: DENOM.to_string(),
        })
        .await
        .unwrap()
        .into_inner()
        .balance
        .unwrap();
    assert_eq!(bal.amount, net.balance(&bob).await.to_string());
    let all = bank
        .all_balances(QueryAllBalancesRequest {
            address: bob.clone(),
            pagination: None,
            resolve_denom: false,
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(all.balances, vec![bal.clone()]);
    let supply = bank
        .total_supply(QueryTotalSupplyRequest { pagination: None })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(supply.supply[0].denom, DENOM);
    let err = bank
        .balance(QueryBalanceRequest {
            address: "cosmos1wrongprefix".to_string(),
            denom: DENOM.to_string(),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::InvalidArgument);

    // Tx service: simulate, broadcast (sync), get by hash, search by events.
    let mut tx_svc = TxClient::connect(url.clone()).await.unwrap();
    let tx = net.sign(0, vec![send(&alice, &bob, 999)], 200_000).await;
    #[allow(deprecated)]
    let sim = tx_svc
        .simulate(SimulateRequest {
            tx: None,
            tx_bytes: tx.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    assert!(sim.gas_info.unwrap().gas_used > 0);
    let b = tx_svc
        .broadcast_tx(BroadcastTxRequest {
            tx_bytes: tx.clone(),
            mode: BroadcastMode::Sync as i32,
        })
        .await
        .unwrap()
        .into_inner()
        .tx_response
        .unwrap();
    assert_eq!(b.code, 0, "{}", b.raw_log);
    let hash = hex::encode_upper(Sha256::digest(&tx));
    assert_eq!(b.txhash, hash);
    let committed = net.wait_tx(hash.parse().unwrap()).await;
    let got = tx_svc
        .get_tx(GetTxRequest { hash: hash.clone() })
        .await
        .unwrap()
        .into_inner();
    let r = got.tx_response.unwrap();
    assert_eq!(r.height as u64, committed.height.value());
    assert_eq!(r.gas_used, committed.tx_result.gas_used);
    assert_eq!(
        got.tx.unwrap().body.unwrap().messages[0],
        send(&alice, &bob, 999)
    );
    #[allow(deprecated)]
    let found = tx_svc
        .get_txs_event(GetTxsEventRequest {
            events: Vec::new(),
            pagination: None,
            order_by: OrderBy::Desc as i32,
            page: 1,
            limit: 10,
            query: format!("message.sender='{alice}' AND transfer.amount='999ustar'"),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(found.total, 1);
    assert_eq!(found.tx_responses[0].txhash, hash);
    let err = tx_svc
        .get_tx(GetTxRequest {
            hash: "AB".repeat(32),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::NotFound);

    // Wasm queries.
    let mut wasm = WasmClient::connect(url.clone()).await.unwrap();
    let codes = wasm
        .codes(QueryCodesRequest { pagination: None })
        .await
        .unwrap()
        .into_inner();
    assert!(codes.code_infos.is_empty());
    let err = wasm
        .code(QueryCodeRequest { code_id: 42 })
        .await
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::NotFound, "{err:?}");
    let err = wasm
        .contract_info(QueryContractInfoRequest {
            address: "not-an-address".to_string(),
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::InvalidArgument);

    // What relayers check before they relay (Hermes' health check): the
    // staking parameters with historical entries kept and an unbonding
    // time, and the node's minimum gas price; GetNodeInfo is also asked
    // over abci_query.
    let mut staking = StakingClient::connect(url.clone()).await.unwrap();
    let params = staking
        .params(QueryParamsRequest {})
        .await
        .unwrap()
        .into_inner()
        .params
        .unwrap();
    assert!(params.historical_entries > 0);
    assert_eq!(params.unbonding_time.unwrap().seconds, 21 * 24 * 3600);
    assert_eq!(params.bond_denom, DENOM);
    let mut node_svc = NodeClient::connect(url.clone()).await.unwrap();
    let config = node_svc
        .config(ConfigRequest {})
        .await
        .unwrap()
        .into_inner();
    assert_eq!(config.minimum_gas_price, "0.002500000000000000ustar");
    let r = net
        .client
        .abci_query(
            Some("/cosmos.base.tendermint.v1beta1.Service/GetNodeInfo".into()),
            vec![],
            None,
            false,
        )
        .await
        .unwrap();
    assert!(r.code.is_ok(), "{}", r.log);
    let info = cosmos_sdk_proto::cosmos::base::tendermint::v1beta1::GetNodeInfoResponse::decode(
        r.value.as_slice(),
    )
    .unwrap();
    assert!(info
        .application_version
        .unwrap()
        .build_deps
        .iter()
        .any(|m| m.path == "github.com/cometbft/cometbft"));

    // A service the devnet does not have.
    let err = staking
        .validators(QueryValidatorsRequest::default())
        .await
        .unwrap_err();
    assert_eq!(err.code(), tonic::Code::Unimplemented, "{err:?}");
}
