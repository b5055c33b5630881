//! Bad input: each rejected as a wasmd (Cosmos SDK 0.50) node rejects it, with
//! the same codespace, code and log, no crash, and no state change beyond the
//! fee where the SDK charges one (a transaction that fails in DeliverTx).

mod common;

use common::*;
use cosmos_sdk_proto::cosmos::tx::v1beta1::TxRaw;
use cosmos_sdk_proto::cosmwasm::wasm::v1::{
    MsgExecuteContract, MsgInstantiateContract, MsgStoreCode, QueryCodesRequest,
    QueryCodesResponse, QuerySmartContractStateRequest, QuerySmartContractStateResponse,
};
use cosmos_sdk_proto::Any;
use prost::Message;
use tendermint_rpc::Client;

/// Broadcasts `tx` and asserts CheckTx answers `codespace/code` with `log`.
async fn rejected(net: &Devnet, tx: Vec<u8>, codespace: &str, code: u32, log: &str) {
    let r = net.client.broadcast_tx_sync(tx).await.unwrap();
    assert_eq!(
        (r.codespace.as_str(), r.code.value()),
        (codespace, code),
        "log: {}",
        r.log
    );
    assert_eq!(r.log, log);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ante_rejections_answer_the_sdk_codes_and_change_nothing() {
    let net = Devnet::start().await;
    let (alice, bob) = (net.devs[0].address.clone(), net.devs[1].address.clone());
    let key = &net.devs[0].key;
    let balance = net.balance(&alice).await;
    let acc = net.account(&alice).await;
    assert_eq!(acc.sequence, 0);
    let spec = || TxSpec::new(vec![send(&alice, &bob, 7)], 200_000, acc.account_number, 0);

    // Malformed bytes: the SDK's tx decoder fails.
    let r = net
        .client
        .broadcast_tx_sync(vec![0xff, 0xff, 0xff])
        .await
        .unwrap();
    assert_eq!(
        (r.codespace.as_str(), r.code.value()),
        ("sdk", 2),
        "{}",
        r.log
    );
    assert!(r.log.ends_with(": tx parse error"), "{}", r.log);

    // A tampered signature.
    let mut raw = TxRaw::decode(spec().sign(key).as_slice()).unwrap();
    raw.signatures[0][5] ^= 0x40;
    let verify_failed = format!(
        "signature verification failed; please verify account number ({}), sequence (0) and chain-id ({CHAIN_ID}): unauthorized",
        acc.account_number
    );
    rejected(&net, raw.encode_to_vec(), "sdk", 4, &verify_failed).await;

    // Signed for another chain: the SDK cannot tell it from a bad signature.
    let mut other = spec();
    other.chain_id = "other-chain-1".to_string();
    rejected(&net, other.sign(key), "sdk", 4, &verify_failed).await;

    // Signed with the wrong account number: the same.
    let mut wrong_number = spec();
    wrong_number.account_number += 1;
    rejected(&net, wrong_number.sign(key), "sdk", 4, &verify_failed).await;

    // A future sequence.
    let mut future = spec();
    future.sequence = 5;
    rejected(
        &net,
        future.sign(key),
        "sdk",
        32,
        "account sequence mismatch, expected 0, got 5: incorrect account sequence",
    )
    .await;

    // A fee under the minimum gas price (0.0025ustar × 200,000 gas = 500ustar).
    let mut cheap = spec();
    cheap.fee = 499;
    rejected(
        &net,
        cheap.sign(key),
        "sdk",
        13,
        "insufficient fees; got: 499ustar required: 500ustar: insufficient fee",
    )
    .await;

    // A message type the chain does not know: the decoder cannot resolve it.
    let unknown = TxSpec::new(
        vec![Any {
            type_url: "/starminer.unknown.v1.MsgNothing".to_string(),
            value: vec![0x0a, 0x01, 0x41],
        }],
        200_000,
        acc.account_number,
        0,
    );
    let r = net
        .client
        .broadcast_tx_sync(unknown.sign(key))
        .await
        .unwrap();
    assert_eq!(
        (r.codespace.as_str(), r.code.value()),
        ("sdk", 2),
        "{}",
        r.log
    );
    assert_eq!(
        r.log,
        "unable to resolve type URL /starminer.unknown.v1.MsgNothing: tx parse error"
    );

    // Wasm over wasmd's 800 KiB limit, and none: MsgStoreCode's ValidateBasic.
    for (wasm, log) in [
        (
            vec![0u8; 800 * 1024 + 1],
            "code bytes cannot be longer than 819200 bytes: exceeds limit: invalid request",
        ),
        (Vec::new(), "code bytes is required: empty: invalid request"),
    ] {
        let store = TxSpec::new(
            vec![any(&MsgStoreCode {
                sender: alice.clone(),
                wasm_byte_code: wasm,
                instantiate_permission: None,
            })],
            20_000_000,
            acc.account_number,
            0,
        );
        rejected(&net, store.sign(key), "sdk", 18, log).await;
    }

    // Nothing of that reached the state, even after a few blocks.
    let h = net.height().await;
    net.wait_past(h + 2).await;
    assert_eq!(net.balance(&alice).await, balance);
    assert_eq!(net.account(&alice).await.sequence, 0);

    // A valid transaction still goes through; then its sequence is stale.
    let ok = net.deliver(spec().sign(key)).await;
    assert!(ok.tx_result.code.is_ok(), "{}", ok.tx_result.log);
    assert_eq!(net.account(&alice).await.sequence, 1);
    rejected(
        &net,
        spec().sign(key),
        "sdk",
        32,
        "account sequence mismatch, expected 1, got 0: incorrect account sequence",
    )
    .await;
    assert_eq!(net.balance(&alice).await, balance - 7 - fee_for(200_000));
    assert_eq!(net.account(&alice).await.sequence, 1);
}

async fn cw20_balance(net: &Devnet, contract: &str, address: &str) -> String {
    let r: QuerySmartContractStateResponse = net
        .query(
            "/cosmwasm.wasm.v1.Query/SmartContractState",
            QuerySmartContractStateRequest {
                address: contract.to_string(),
                query_data: format!(r#"{{"balance":{{"address":"{address}"}}}}"#).into_bytes(),
            },
        )
        .await;
    let v: serde_json::Value = serde_json::from_slice(&r.data).unwrap();
    v["balance"].as_str().unwrap().to_string()
}

async fn code_count(net: &Devnet) -> usize {
    let r: QueryCodesResponse = net
        .query(
            "/cosmwasm.wasm.v1.Query/Codes",
            QueryCodesRequest { pagination: None },
        )
        .await;
    r.code_infos.len()
}

/// Asserts the last DeliverTx failed with `codespace/code`, charged exactly
/// the fee and used one sequence.
async fn failed_in_block(
    net: &Devnet,
    tx: Vec<u8>,
    gas: u64,
    codespace: &str,
    code: u32,
) -> String {
    let alice = net.devs[0].address.clone();
    let (balance, sequence) = (
        net.balance(&alice).await,
        net.account(&alice).await.sequence,
    );
    let t = net.deliver(tx).await;
    let r = t.tx_result;
    assert_eq!(
        (r.codespace.as_str(), r.code.value()),
        (codespace, code),
        "{}",
        r.log
    );
    assert_eq!(net.balance(&alice).await, balance - fee_for(gas));
    assert_eq!(net.account(&alice).await.sequence, sequence + 1);
    r.log
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_in_deliver_tx_charge_the_fee_and_revert_the_messages() {
    let net = Devnet::start().await;
    let (alice, bob) = (net.devs[0].address.clone(), net.devs[1].address.clone());
    let key = &net.devs[0].key;

    // Garbage instead of wasm: wasmd's create fails (wasm/2).
    let gas = 2_000_000;
    let garbage = SplitMix(7).bytes(4096);
    let tx = net
        .sign(
            0,
            vec![any(&MsgStoreCode {
                sender: alice.clone(),
                wasm_byte_code: garbage,
                instantiate_permission: None,
            })],
            gas,
        )
        .await;
    let log = failed_in_block(&net, tx, gas, "wasm", 2).await;
    assert!(
        log.starts_with("failed to execute message; message index: 0: "),
        "{log}"
    );
    assert!(log.ends_with(": create wasm contract failed"), "{log}");
    assert_eq!(code_count(&net).await, 0);

    // A cw20 (the AGPU artifact) holding 1000 for alice.
    let gas = 20_000_000;
    let tx = net
        .sign(
            0,
            vec![any(&MsgStoreCode {
                sender: alice.clone(),
                wasm_byte_code: artifact("agpu_token.wasm"),
                instantiate_permission: None,
            })],
            gas,
        )
        .await;
    let t = net.deliver(tx).await;
    assert!(t.tx_result.code.is_ok(), "{}", t.tx_result.log);
    let init = serde_json::json!({
        "name": "Starminer GPU", "symbol": "AGPU",
        "initial_balances": [{"address": alice, "amount": "1000"}],
        "minter": alice, "cap": "1000000000000", "governance": alice, "marketing": null,
    });
    let gas = 2_000_000;
    let tx = net
        .sign(
            0,
            vec![any(&MsgInstantiateContract {
                sender: alice.clone(),
                admin: alice.clone(),
                code_id: 1,
                label: "agpu".to_string(),
                msg: init.to_string().into_bytes(),
                funds: vec![],
            })],
            gas,
        )
        .await;
    let t = net.deliver(tx).await;
    assert!(t.tx_result.code.is_ok(), "{}", t.tx_result.log);
    let contract = t
        .tx_result
        .events
        .iter()
        .filter(|e| e.kind == "instantiate")
        .flat_map(|e| e.attributes.iter())
        .find(|a| a.key_bytes() == b"_contract_address")
        .map(|a| String::from_utf8(a.value_bytes().to_vec()).unwrap())
        .expect("instantiate event");

    // Transferring more than the balance: the contract errs (wasm/5).
    let transfer = serde_json::json!({"transfer": {"recipient": bob, "amount": "1001"}});
    let tx = net
        .sign(
            0,
            vec![any(&MsgExecuteContract {
                sender: alice.clone(),
                contract: contract.clone(),
                msg: transfer.to_string().into_bytes(),
                funds: vec![],
            })],
            gas,
        )
        .await;
    let log = failed_in_block(&net, tx, gas, "wasm", 5).await;
    assert!(
        log.starts_with("failed to execute message; message index: 0: "),
        "{log}"
    );
    assert!(log.ends_with(": execute wasm contract failed"), "{log}");
    assert_eq!(cw20_balance(&net, &contract, &alice).await, "1000");
    assert_eq!(cw20_balance(&net, &contract, &bob).await, "0");

    // In a two-message tx, the failing second message reverts the first.
    let bob_before = net.balance(&bob).await;
    let tx = TxSpec::new(
        vec![
            send(&alice, &bob, 1_000),
            any(&MsgExecuteContract {
                sender: alice.clone(),
                contract: contract.clone(),
                msg: transfer.to_string().into_bytes(),
                funds: vec![],
            }),
        ],
        gas,
        net.account(&alice).await.account_number,
        net.account(&alice).await.sequence,
    )
    .sign(key);
    let log = failed_in_block(&net, tx, gas, "wasm", 5).await;
    assert!(
        log.starts_with("failed to execute message; message index: 1: "),
        "{log}"
    );
    assert_eq!(net.balance(&bob).await, bob_before);
}
