//! Queries do not stall block production: 50 concurrent query clients (25 on
//! the Cosmos REST gateway, 25 on gRPC through the generated tonic clients)
//! for 20 s while the chain makes 250 ms blocks.
//! The block interval (from the signed headers' times) must stay within 1.5×
//! the configured one at the 99th percentile. Prints the figures.

mod common;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use common::*;
use cosmos_sdk_proto::cosmos::bank::v1beta1::query_client::QueryClient as BankClient;
use cosmos_sdk_proto::cosmos::bank::v1beta1::QueryAllBalancesRequest;
use cosmos_sdk_proto::cosmos::base::abci::v1beta1::TxMsgData;
use cosmos_sdk_proto::cosmwasm::wasm::v1::query_client::QueryClient as WasmClient;
use cosmos_sdk_proto::cosmwasm::wasm::v1::{
    MsgInstantiateContractResponse, QuerySmartContractStateRequest,
};
use cosmrs::tx::Msg;
use prost::Message;
use tendermint_rpc::Client;

/// The node's block time.
const INTERVAL: Duration = Duration::from_millis(250);
const CLIENTS: usize = 50;
const LOAD: Duration = Duration::from_secs(20);

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn queries_from_50_clients_do_not_stall_blocks() {
    let net = Devnet::start_with_block_time("250ms").await;
    let alice = net.devs[0].address.clone();
    let bob = net.devs[1].address.clone();

    // A cw20 to query: smart queries run the contract in the VM.
    let store = cosmrs::cosmwasm::MsgStoreCode {
        sender: alice.parse().unwrap(),
        wasm_byte_code: artifact("agpu_token.wasm"),
        instantiate_permission: None,
    };
    let t = net
        .deliver(net.sign(0, vec![store.to_any().unwrap()], 30_000_000).await)
        .await;
    assert!(t.tx_result.code.is_ok(), "{}", t.tx_result.log);
    let init = serde_json::json!({
        "name": "Starminer GPU", "symbol": "AGPU",
        "initial_balances": [{"address": alice, "amount": "1000000"}],
        "minter": alice, "cap": "1000000000000", "governance": alice, "marketing": null,
    });
    let instantiate = cosmrs::cosmwasm::MsgInstantiateContract {
        sender: alice.parse().unwrap(),
        admin: None,
        code_id: 1,
        label: Some("agpu".to_string()),
        msg: init.to_string().into_bytes(),
        funds: vec![],
    };
    let t = net
        .deliver(
            net.sign(0, vec![instantiate.to_any().unwrap()], 5_000_000)
                .await,
        )
        .await;
    assert!(t.tx_result.code.is_ok(), "{}", t.tx_result.log);
    let raw = B64.decode(t.tx_result.data.as_ref()).unwrap();
    let data = TxMsgData::decode(raw.as_slice()).unwrap();
    let contract = MsgInstantiateContractResponse::decode(data.msg_responses[0].value.as_slice())
        .unwrap()
        .address;
    let balance_query = serde_json::json!({"balance": {"address": alice}}).to_string();

    let served = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let latencies = Arc::new(std::sync::Mutex::new(Vec::<Duration>::new()));
    let start_height = net.height().await;
    let until = Instant::now() + LOAD;
    let mut tasks = Vec::new();
    for i in 0..CLIENTS {
        let served = served.clone();
        let failed = failed.clone();
        let latencies = latencies.clone();
        let rest_base = format!("http://127.0.0.1:{}", net.rest_port);
        let grpc = format!("http://127.0.0.1:{}", net.grpc_port);
        let (alice, bob, contract) = (alice.clone(), bob.clone(), contract.clone());
        let smart_b64 = B64
            .encode(&balance_query)
            .replace('/', "%2F")
            .replace('+', "%2B");
        let balance_query = balance_query.clone();
        tasks.push(tokio::spawn(async move {
            let http = reqwest::Client::new();
            let mut bank = BankClient::connect(grpc.clone()).await.unwrap();
            let mut wasm = WasmClient::connect(grpc).await.unwrap();
            let mut n = 0usize;
            while Instant::now() < until {
                let t0 = Instant::now();
                let ok = if i.is_multiple_of(2) {
                    // REST: balances, account, latest block, smart query.
                    let path = match n % 4 {
                        0 => format!("/cosmos/bank/v1beta1/balances/{bob}"),
                        1 => format!("/cosmos/auth/v1beta1/accounts/{alice}"),
                        2 => "/cosmos/base/tendermint/v1beta1/blocks/latest".to_string(),
                        _ => format!("/cosmwasm/wasm/v1/contract/{contract}/smart/{smart_b64}"),
                    };
                    match http.get(format!("{rest_base}{path}")).send().await {
                        Ok(r) => r.status().is_success() && r.bytes().await.is_ok(),
                        Err(_) => false,
                    }
                } else if n.is_multiple_of(2) {
                    // gRPC, through the generated tonic clients.
                    bank.all_balances(QueryAllBalancesRequest {
                        address: bob.clone(),
                        pagination: None,
                        resolve_denom: false,
                    })
                    .await
                    .is_ok_and(|r| !r.into_inner().balances.is_empty())
                } else {
                    wasm.smart_contract_state(QuerySmartContractStateRequest {
                        address: contract.clone(),
                        query_data: balance_query.clone().into_bytes(),
                    })
                    .await
                    .is_ok_and(|r| !r.into_inner().data.is_empty())
                };
                let took = t0.elapsed();
                if ok {
                    served.fetch_add(1, Ordering::Relaxed);
                    latencies.lock().unwrap().push(took);
                } else {
                    failed.fetch_add(1, Ordering::Relaxed);
                }
                n += 1;
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let end_height = net.height().await;

    // Block intervals from the signed headers' times.
    let mut times = Vec::new();
    for h in (start_height + 1)..=end_height {
        let b = net.client.block(h as u32).await.unwrap();
        times.push(b.block.header.time);
    }
    let mut intervals: Vec<Duration> = times
        .windows(2)
        .map(|w| w[1].duration_since(w[0]).unwrap())
        .collect();
    intervals.sort();
    let mut lat = latencies.lock().unwrap().clone();
    lat.sort();
    let served = served.load(Ordering::Relaxed);
    let failed = failed.load(Ordering::Relaxed);
    let p99 = percentile(&intervals, 0.99);
    eprintln!(
        "load: {CLIENTS} clients for {LOAD:?}: {served} queries served ({:.0}/s), {failed} failed; \
         query latency p50 {:?} p99 {:?}; {} blocks at a {INTERVAL:?} interval: p50 {:?} p99 {:?} max {:?}",
        served as f64 / LOAD.as_secs_f64(),
        percentile(&lat, 0.5),
        percentile(&lat, 0.99),
        intervals.len() + 1,
        percentile(&intervals, 0.5),
        p99,
        intervals.last().unwrap(),
    );
    assert_eq!(failed, 0);
    assert!(served > 1000, "only {served} queries served");
    assert!(
        intervals.len() as f64 >= 0.6 * (LOAD.as_secs_f64() / INTERVAL.as_secs_f64()),
        "only {} blocks in {LOAD:?}",
        intervals.len() + 1
    );
    assert!(
        p99 <= INTERVAL * 3 / 2,
        "block interval p99 {p99:?} exceeds 1.5 × {INTERVAL:?}"
    );
}
