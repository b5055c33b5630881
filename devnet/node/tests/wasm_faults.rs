//! Faults inside contract execution, in DeliverTx: running out of gas and a
//! contract that traps. Each answers what a wasmd 0.5x node answers, reverts
//! the messages' state, still charges the fee and uses the sequence, and the
//! node keeps producing blocks.

mod common;
mod wasm_util;

use common::*;
use cosmos_sdk_proto::cosmos::tx::v1beta1::{SimulateRequest, SimulateResponse};
use wasm_util::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn out_of_gas_and_a_contract_panic_charge_the_fee_and_revert() {
    let net = Devnet::start().await;
    let (alice, bob) = (net.devs[0].address.clone(), net.devs[1].address.clone());
    let code_id = store_agpu(&net).await;
    let contract = instantiate_agpu(&net, code_id, &[(&alice, 1000)]).await;

    // What a cw20 transfer needs, as a client's "auto" gas finds it.
    let transfer = execute(
        &alice,
        &contract,
        serde_json::json!({"transfer": {"recipient": bob, "amount": "400"}}),
    );
    let probe = net.sign(0, vec![transfer.clone()], 10_000_000).await;
    #[allow(deprecated)]
    let sim: SimulateResponse = net
        .query(
            "/cosmos.tx.v1beta1.Service/Simulate",
            SimulateRequest {
                tx: None,
                tx_bytes: probe,
            },
        )
        .await;
    let needed = sim.gas_info.unwrap().gas_used;

    // Three quarters of it: the ante handler passes, the contract runs dry.
    let gas = needed * 3 / 4;
    let (balance, sequence) = (
        net.balance(&alice).await,
        net.account(&alice).await.sequence,
    );
    let t = net
        .deliver(net.sign(0, vec![transfer.clone()], gas).await)
        .await;
    let r = &t.tx_result;
    assert_eq!(
        (r.codespace.as_str(), r.code.value()),
        ("sdk", 11),
        "{}",
        r.log
    );
    assert!(
        r.log.starts_with("out of gas in location: ") && r.log.ends_with(": out of gas"),
        "{}",
        r.log
    );
    assert!(r.log.contains(&format!("gasWanted: {gas}")), "{}", r.log);
    assert_eq!(r.gas_wanted, gas as i64);
    assert!(r.gas_used >= r.gas_wanted, "gas used {}", r.gas_used);
    // State reverted, fee charged, sequence used.
    assert_eq!(cw20_balance_at(&net, &contract, &alice, 0).await, "1000");
    assert_eq!(cw20_balance_at(&net, &contract, &bob, 0).await, "0");
    assert_eq!(net.balance(&alice).await, balance - fee_for(gas));
    assert_eq!(net.account(&alice).await.sequence, sequence + 1);

    // The same transfer with the gas it needs goes through.
    let t = net
        .deliver(net.sign(0, vec![transfer], needed * 13 / 10).await)
        .await;
    assert!(t.tx_result.code.is_ok(), "{}", t.tx_result.log);
    assert_eq!(cw20_balance_at(&net, &contract, &bob, 0).await, "400");

    // A contract panic: cw20-base adds a mint to the supply with Uint128's
    // `+=`, which panics on overflow before the cap is checked. The artifact
    // is built with panic = "abort", so the VM traps.
    let gas = 2_000_000;
    let (balance, sequence) = (
        net.balance(&alice).await,
        net.account(&alice).await.sequence,
    );
    let mint = execute(
        &alice,
        &contract,
        serde_json::json!({"mint": {"recipient": bob, "amount": u128::MAX.to_string()}}),
    );
    let t = net.deliver(net.sign(0, vec![mint], gas).await).await;
    let r = &t.tx_result;
    assert_eq!(
        (r.codespace.as_str(), r.code.value()),
        ("wasm", 29),
        "{}",
        r.log
    );
    assert!(
        r.log
            .starts_with("failed to execute message; message index: 0: Error calling the VM: "),
        "{}",
        r.log
    );
    assert!(r.log.contains("panicked"), "{}", r.log);
    assert!(r.log.ends_with(": wasmvm error"), "{}", r.log);
    assert_eq!(net.balance(&alice).await, balance - fee_for(gas));
    assert_eq!(net.account(&alice).await.sequence, sequence + 1);
    assert_eq!(cw20_balance_at(&net, &contract, &bob, 0).await, "400");

    // The node lives on: blocks continue and the contract still answers.
    let h = net.height().await;
    net.wait_past(h + 1).await;
    let t = net
        .deliver(
            net.sign(
                0,
                vec![execute(
                    &alice,
                    &contract,
                    serde_json::json!({"transfer": {"recipient": bob, "amount": "1"}}),
                )],
                gas,
            )
            .await,
        )
        .await;
    assert!(t.tx_result.code.is_ok(), "{}", t.tx_result.log);
    assert_eq!(cw20_balance_at(&net, &contract, &bob, 0).await, "401");
}
