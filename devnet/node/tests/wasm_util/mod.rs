//! Deploying the real AGPU cw20 artifact on a test devnet.
#![allow(dead_code)]

use cosmos_sdk_proto::cosmos::base::abci::v1beta1::TxMsgData;
use cosmos_sdk_proto::cosmwasm::wasm::v1::{
    MsgExecuteContract, MsgInstantiateContract, MsgInstantiateContractResponse, MsgStoreCode,
    MsgStoreCodeResponse, QuerySmartContractStateRequest, QuerySmartContractStateResponse,
};
use prost::Message;

use crate::common::*;

/// The `TxMsgData` of a committed transaction (CometBFT writes `data` as
/// base64, which tendermint-rs 0.41 keeps as text).
pub fn msg_data(t: &tendermint_rpc::endpoint::tx::Response) -> TxMsgData {
    use base64::Engine;
    let raw = base64::engine::general_purpose::STANDARD
        .decode(t.tx_result.data.as_ref())
        .unwrap();
    TxMsgData::decode(raw.as_slice()).unwrap()
}

/// Stores the AGPU artifact as dev 0; returns the code id.
pub async fn store_agpu(net: &Devnet) -> u64 {
    let tx = net
        .sign(
            0,
            vec![any(&MsgStoreCode {
                sender: net.devs[0].address.clone(),
                wasm_byte_code: artifact("agpu_token.wasm"),
                instantiate_permission: None,
            })],
            20_000_000,
        )
        .await;
    let t = net.deliver(tx).await;
    assert!(t.tx_result.code.is_ok(), "{}", t.tx_result.log);
    MsgStoreCodeResponse::decode(msg_data(&t).msg_responses[0].value.as_slice())
        .unwrap()
        .code_id
}

/// The AGPU instantiate message: dev 0 is minter and governance.
pub fn agpu_init(net: &Devnet, balances: &[(&str, u128)]) -> serde_json::Value {
    let alice = &net.devs[0].address;
    serde_json::json!({
        "name": "Starminer GPU", "symbol": "AGPU",
        "initial_balances": balances.iter().map(|(a, n)| serde_json::json!({
            "address": a, "amount": n.to_string()
        })).collect::<Vec<_>>(),
        "minter": alice, "cap": "1000000000000", "governance": alice, "marketing": null,
    })
}

/// Instantiates `code_id` as AGPU with `balances`; returns the contract address.
pub async fn instantiate_agpu(net: &Devnet, code_id: u64, balances: &[(&str, u128)]) -> String {
    let alice = net.devs[0].address.clone();
    let tx = net
        .sign(
            0,
            vec![any(&MsgInstantiateContract {
                sender: alice.clone(),
                admin: alice,
                code_id,
                label: "agpu".to_string(),
                msg: agpu_init(net, balances).to_string().into_bytes(),
                funds: vec![],
            })],
            2_000_000,
        )
        .await;
    let t = net.deliver(tx).await;
    assert!(t.tx_result.code.is_ok(), "{}", t.tx_result.log);
    MsgInstantiateContractResponse::decode(msg_data(&t).msg_responses[0].value.as_slice())
        .unwrap()
        .address
}

pub fn execute(sender: &str, contract: &str, msg: serde_json::Value) -> cosmos_sdk_proto::Any {
    any(&MsgExecuteContract {
        sender: sender.to_string(),
        contract: contract.to_string(),
        msg: msg.to_string().into_bytes(),
        funds: vec![],
    })
}

/// A cw20 balance, read with a smart query at `height` (0: latest).
pub async fn cw20_balance_at(net: &Devnet, contract: &str, address: &str, height: u32) -> String {
    use tendermint_rpc::Client;
    let r = net
        .client
        .abci_query(
            Some("/cosmwasm.wasm.v1.Query/SmartContractState".to_string()),
            QuerySmartContractStateRequest {
                address: contract.to_string(),
                query_data: format!(r#"{{"balance":{{"address":"{address}"}}}}"#).into_bytes(),
            }
            .encode_to_vec(),
            (height > 0).then(|| height.into()),
            false,
        )
        .await
        .unwrap();
    assert!(r.code.is_ok(), "{}", r.log);
    let r = QuerySmartContractStateResponse::decode(r.value.as_slice()).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&r.data).unwrap();
    v["balance"].as_str().unwrap().to_string()
}
