//! The Rust client path: transactions built and signed with cosmrs (its typed
//! messages), sent and read through tendermint-rpc's `HttpClient`, blocks and
//! transactions received through its `WebSocketClient`: the same story as the
//! CosmJS acceptance test.

mod common;

use std::time::Duration;

use common::*;
use cosmos_sdk_proto::cosmos::base::abci::v1beta1::TxMsgData;
use cosmos_sdk_proto::cosmos::tx::v1beta1::{SimulateRequest, SimulateResponse};
use cosmos_sdk_proto::cosmwasm::wasm::v1::{
    MsgInstantiateContractResponse, MsgStoreCodeResponse, QuerySmartContractStateRequest,
    QuerySmartContractStateResponse,
};
use cosmrs::tx::Msg;
use cosmrs::{AccountId, Coin};
use futures_util::StreamExt;
use prost::Message;
use tendermint_rpc::event::EventData;
use tendermint_rpc::query::{EventType, Query};
use tendermint_rpc::{Client, Order, SubscriptionClient, WebSocketClient};

/// Simulates `msgs` (like CosmJS' "auto" fee), then signs with 1.3× the gas.
async fn sign_auto(net: &Devnet, signer: usize, msgs: Vec<cosmrs::Any>) -> Vec<u8> {
    let probe = net.sign(signer, msgs.clone(), 100_000_000).await;
    let sim: SimulateResponse = net
        .query(
            "/cosmos.tx.v1beta1.Service/Simulate",
            #[allow(deprecated)]
            SimulateRequest {
                tx: None,
                tx_bytes: probe,
            },
        )
        .await;
    let used = sim.gas_info.unwrap().gas_used;
    net.sign(signer, msgs, used * 13 / 10).await
}

/// The `TxMsgData` of a result. CometBFT writes `data` as base64, and
/// tendermint-rs 0.41 keeps that string's text as the bytes (as it does
/// against a real node), so it is decoded here.
fn msg_data(t: &tendermint_rpc::endpoint::tx::Response) -> TxMsgData {
    use base64::Engine;
    let raw = base64::engine::general_purpose::STANDARD
        .decode(t.tx_result.data.as_ref())
        .unwrap();
    TxMsgData::decode(raw.as_slice()).unwrap()
}

fn ustar(amount: u128) -> Coin {
    Coin {
        denom: DENOM.parse().unwrap(),
        amount,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cosmrs_and_tendermint_rpc_drive_the_devnet() {
    let net = Devnet::start().await;
    let alice: AccountId = net.devs[0].address.parse().unwrap();
    let bob: AccountId = net.devs[1].address.parse().unwrap();

    // Chain id, account, balance.
    let status = net.client.status().await.unwrap();
    assert_eq!(status.node_info.network.as_str(), CHAIN_ID);
    let account = net.account(alice.as_ref()).await;
    assert_eq!((account.account_number, account.sequence), (0, 0));
    let bob_before = net.balance(bob.as_ref()).await;
    assert_eq!(bob_before, 1_000_000_000_000);

    // Blocks and transactions over the WebSocket.
    let (ws, driver) =
        WebSocketClient::new(format!("ws://127.0.0.1:{}/websocket", net.port).as_str())
            .await
            .unwrap();
    let driver = tokio::spawn(driver.run());
    let mut blocks = ws.subscribe(EventType::NewBlock.into()).await.unwrap();
    let mut transfers = ws
        .subscribe(Query::from(EventType::Tx).and_eq("transfer.recipient", bob.to_string()))
        .await
        .unwrap();

    // Bank send.
    let send = cosmrs::bank::MsgSend {
        from_address: alice.clone(),
        to_address: bob.clone(),
        amount: vec![ustar(12_345)],
    };
    let t = net
        .deliver(sign_auto(&net, 0, vec![send.to_any().unwrap()]).await)
        .await;
    assert!(t.tx_result.code.is_ok(), "{}", t.tx_result.log);
    assert_eq!(net.balance(bob.as_ref()).await, bob_before + 12_345);
    let send_tx = t.tx.clone();
    let decoded = cosmrs::Tx::from_bytes(&t.tx).unwrap();
    assert_eq!(decoded.body.messages, vec![send.to_any().unwrap()]);

    // Upload, instantiate, execute, query the AGPU cw20.
    let wasm = artifact("agpu_token.wasm");
    let store = cosmrs::cosmwasm::MsgStoreCode {
        sender: alice.clone(),
        wasm_byte_code: wasm,
        instantiate_permission: None,
    };
    let t = net
        .deliver(sign_auto(&net, 0, vec![store.to_any().unwrap()]).await)
        .await;
    assert!(t.tx_result.code.is_ok(), "{}", t.tx_result.log);
    let data = msg_data(&t);
    let code_id = MsgStoreCodeResponse::decode(data.msg_responses[0].value.as_slice())
        .unwrap()
        .code_id;
    assert_eq!(code_id, 1);
    let init = serde_json::json!({
        "name": "Starminer GPU", "symbol": "AGPU",
        "initial_balances": [{"address": alice.to_string(), "amount": "1000000"}],
        "minter": alice.to_string(), "cap": "1000000000000",
        "governance": alice.to_string(), "marketing": null,
    });
    let instantiate = cosmrs::cosmwasm::MsgInstantiateContract {
        sender: alice.clone(),
        admin: Some(alice.clone()),
        code_id,
        label: Some("agpu".to_string()),
        msg: init.to_string().into_bytes(),
        funds: vec![],
    };
    let t = net
        .deliver(sign_auto(&net, 0, vec![instantiate.to_any().unwrap()]).await)
        .await;
    assert!(t.tx_result.code.is_ok(), "{}", t.tx_result.log);
    let data = msg_data(&t);
    let contract = MsgInstantiateContractResponse::decode(data.msg_responses[0].value.as_slice())
        .unwrap()
        .address;
    assert!(contract.starts_with("starminer1"));
    let execute = cosmrs::cosmwasm::MsgExecuteContract {
        sender: alice.clone(),
        contract: contract.parse().unwrap(),
        msg: serde_json::json!({"transfer": {"recipient": bob.to_string(), "amount": "2500"}})
            .to_string()
            .into_bytes(),
        funds: vec![],
    };
    let exec = net
        .deliver(sign_auto(&net, 0, vec![execute.to_any().unwrap()]).await)
        .await;
    assert!(exec.tx_result.code.is_ok(), "{}", exec.tx_result.log);
    let r: QuerySmartContractStateResponse = net
        .query(
            "/cosmwasm.wasm.v1.Query/SmartContractState",
            QuerySmartContractStateRequest {
                address: contract.clone(),
                query_data: format!(r#"{{"balance":{{"address":"{bob}"}}}}"#).into_bytes(),
            },
        )
        .await;
    let bal: serde_json::Value = serde_json::from_slice(&r.data).unwrap();
    assert_eq!(bal["balance"], "2500");

    // The transaction by hash and by event.
    let by_hash = net.client.tx(exec.hash, false).await.unwrap();
    assert_eq!(by_hash.height, exec.height);
    let found = net
        .client
        .tx_search(
            Query::eq("execute._contract_address", contract.as_str()),
            false,
            1,
            30,
            Order::Ascending,
        )
        .await
        .unwrap();
    assert!(found.txs.iter().any(|t| t.hash == exec.hash));

    // What the WebSocket delivered meanwhile.
    let wait = Duration::from_secs(5);
    let mut heights = Vec::new();
    while heights.len() < 2 {
        let ev = tokio::time::timeout(wait, blocks.next())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        match ev.data {
            EventData::NewBlock { block: Some(b), .. } => heights.push(b.header.height.value()),
            other => panic!("not a new block: {other:?}"),
        }
    }
    assert_eq!(heights[1], heights[0] + 1);
    let ev = tokio::time::timeout(wait, transfers.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    match ev.data {
        EventData::Tx { tx_result } => assert_eq!(tx_result.tx, send_tx),
        other => panic!("not a tx: {other:?}"),
    }
    ws.close().unwrap();
    let _ = driver.await;
}
