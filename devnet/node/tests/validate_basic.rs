//! Messages' `ValidateBasic`: each rejected at broadcast (CheckTx) with the
//! codespace, code and log a wasmd 0.5x node (Cosmos SDK 0.50) gives, and
//! nothing charged.

mod common;

use common::*;
use cosmos_sdk_proto::cosmos::bank::v1beta1::MsgSend;
use cosmos_sdk_proto::cosmos::base::v1beta1::Coin as ProtoCoin;
use cosmos_sdk_proto::cosmwasm::wasm::v1::{
    MsgClearAdmin, MsgExecuteContract, MsgInstantiateContract, MsgInstantiateContract2,
    MsgMigrateContract, MsgStoreCode, MsgUpdateAdmin,
};
use cosmos_sdk_proto::Any;
use tendermint_rpc::Client;

fn coin(amount: &str, denom: &str) -> ProtoCoin {
    ProtoCoin {
        denom: denom.to_string(),
        amount: amount.to_string(),
    }
}

/// Broadcasts `msg` from dev 0 and returns the CheckTx (codespace, code, log).
async fn check(net: &Devnet, msg: Any) -> (String, u32, String) {
    let acc = net.account(&net.devs[0].address).await;
    let tx =
        TxSpec::new(vec![msg], 500_000, acc.account_number, acc.sequence).sign(&net.devs[0].key);
    let r = net.client.broadcast_tx_sync(tx).await.unwrap();
    (r.codespace, r.code.value(), r.log)
}

fn bech32(hrp: &str, bytes: &[u8]) -> String {
    bech32::encode::<bech32::Bech32>(bech32::Hrp::parse(hrp).unwrap(), bytes).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_messages_fail_validate_basic_with_wasmd_codes() {
    let net = Devnet::start().await;
    let (alice, bob) = (net.devs[0].address.clone(), net.devs[1].address.clone());
    let balance = net.balance(&alice).await;
    let cosmos_addr = bech32("cosmos", &[7u8; 20]);
    // Any well-formed address serves as a contract: ValidateBasic does not look at state.
    let contract = bech32("starminer", &[9u8; 32]);
    let ok_msg = br#"{"a":1}"#.to_vec();

    let send = |to: &str, amount: Vec<ProtoCoin>| {
        any(&MsgSend {
            from_address: alice.clone(),
            to_address: to.to_string(),
            amount,
        })
    };
    let instantiate = |code_id: u64, label: &str, admin: &str, msg: &[u8], funds| {
        any(&MsgInstantiateContract {
            sender: alice.clone(),
            admin: admin.to_string(),
            code_id,
            label: label.to_string(),
            msg: msg.to_vec(),
            funds,
        })
    };
    let instantiate2 = |salt: Vec<u8>| {
        any(&MsgInstantiateContract2 {
            sender: alice.clone(),
            admin: String::new(),
            code_id: 1,
            label: "x".to_string(),
            msg: b"{}".to_vec(),
            funds: vec![],
            salt,
            fix_msg: false,
        })
    };
    let execute = |sender: &str, contract: &str, msg: &[u8], funds| {
        any(&MsgExecuteContract {
            sender: sender.to_string(),
            contract: contract.to_string(),
            msg: msg.to_vec(),
            funds,
        })
    };

    let cases: Vec<(&str, Any, (&str, u32, String))> = vec![
        (
            "send to another chain's address",
            send(&cosmos_addr, vec![coin("5", "ustar")]),
            (
                "sdk",
                7,
                "invalid to address: invalid Bech32 prefix; expected starminer, got cosmos: invalid address"
                    .to_string(),
            ),
        ),
        (
            "send of zero",
            send(&bob, vec![coin("0", "ustar")]),
            ("sdk", 10, "0ustar: invalid coins".to_string()),
        ),
        (
            "send of nothing",
            send(&bob, vec![]),
            ("sdk", 10, ": invalid coins".to_string()),
        ),
        (
            "send of unsorted coins",
            send(&bob, vec![coin("1", "ustar"), coin("1", "uabc")]),
            ("sdk", 10, "1ustar,1uabc: invalid coins".to_string()),
        ),
        (
            "send of a bad denom",
            send(&bob, vec![coin("1", "u")]),
            ("sdk", 10, "1u: invalid coins".to_string()),
        ),
        (
            "store code from an empty sender",
            any(&MsgStoreCode {
                sender: String::new(),
                wasm_byte_code: vec![0, 97, 115, 109],
                instantiate_permission: None,
            }),
            (
                "undefined",
                1,
                "empty address string is not allowed".to_string(),
            ),
        ),
        (
            "instantiate without a code id",
            instantiate(0, "x", "", &ok_msg, vec![]),
            ("sdk", 18, "code id is required: invalid request".to_string()),
        ),
        (
            "instantiate without a label",
            instantiate(1, "", "", &ok_msg, vec![]),
            ("wasm", 12, "label: is required: empty".to_string()),
        ),
        (
            "instantiate with a 129-character label",
            instantiate(1, &"l".repeat(129), "", &ok_msg, vec![]),
            (
                "wasm",
                13,
                "label: cannot be longer than 128 characters: exceeds limit".to_string(),
            ),
        ),
        (
            "instantiate with a padded label",
            instantiate(1, " x", "", &ok_msg, vec![]),
            (
                "wasm",
                14,
                "label: label must not start/end with whitespaces: invalid".to_string(),
            ),
        ),
        (
            "instantiate with zero funds",
            instantiate(1, "x", "", &ok_msg, vec![coin("0", "ustar")]),
            ("sdk", 10, "invalid coins".to_string()),
        ),
        (
            "instantiate with another chain's admin",
            instantiate(1, "x", &cosmos_addr, &ok_msg, vec![]),
            (
                "undefined",
                1,
                "admin: invalid Bech32 prefix; expected starminer, got cosmos".to_string(),
            ),
        ),
        (
            "instantiate with a message that is not JSON",
            instantiate(1, "x", "", b"{not json", vec![]),
            ("wasm", 14, "payload msg: invalid".to_string()),
        ),
        (
            "instantiate2 without a salt",
            instantiate2(vec![]),
            ("wasm", 12, "salt: is required: empty".to_string()),
        ),
        (
            "instantiate2 with a 65-byte salt",
            instantiate2(vec![1; 65]),
            (
                "wasm",
                13,
                "salt: cannot be longer than 64 bytes: exceeds limit".to_string(),
            ),
        ),
        (
            "execute on an empty contract address",
            execute(&alice, "", &ok_msg, vec![]),
            (
                "undefined",
                1,
                "contract: empty address string is not allowed".to_string(),
            ),
        ),
        (
            "execute with unsorted funds",
            execute(
                &alice,
                &contract,
                &ok_msg,
                vec![coin("1", "ustar"), coin("1", "uabc")],
            ),
            ("sdk", 10, "sentFunds: invalid coins".to_string()),
        ),
        (
            "execute with an empty message",
            execute(&alice, &contract, b"", vec![]),
            ("wasm", 14, "payload msg: invalid".to_string()),
        ),
        (
            "migrate to code 0",
            any(&MsgMigrateContract {
                sender: alice.clone(),
                contract: contract.clone(),
                code_id: 0,
                msg: ok_msg.clone(),
            }),
            ("sdk", 18, "code id is required: invalid request".to_string()),
        ),
        (
            "migrate with a message that is not JSON",
            any(&MsgMigrateContract {
                sender: alice.clone(),
                contract: contract.clone(),
                code_id: 1,
                msg: b"[1,".to_vec(),
            }),
            ("wasm", 14, "payload msg: invalid".to_string()),
        ),
        (
            "update admin to the sender",
            any(&MsgUpdateAdmin {
                sender: alice.clone(),
                new_admin: alice.to_uppercase(),
                contract: contract.clone(),
            }),
            (
                "wasm",
                14,
                "new admin is the same as the old: invalid".to_string(),
            ),
        ),
        (
            "update admin to an empty address",
            any(&MsgUpdateAdmin {
                sender: alice.clone(),
                new_admin: String::new(),
                contract: contract.clone(),
            }),
            (
                "undefined",
                1,
                "new admin: empty address string is not allowed".to_string(),
            ),
        ),
        (
            "clear admin of an empty address",
            any(&MsgClearAdmin {
                sender: alice.clone(),
                contract: String::new(),
            }),
            (
                "undefined",
                1,
                "contract: empty address string is not allowed".to_string(),
            ),
        ),
    ];
    for (name, msg, (codespace, code, log)) in cases {
        let got = check(&net, msg).await;
        assert_eq!(
            (got.0.as_str(), got.1, got.2.as_str()),
            (codespace, code, log.as_str()),
            "{name}"
        );
    }

    // A corrupt bech32 string: the decoder's own reason follows wasmd's prefix.
    let mut bad = bob.clone();
    bad.pop();
    bad.push(if bob.ends_with('q') { 'p' } else { 'q' });
    let (codespace, code, log) = check(&net, execute(&bad, &contract, &ok_msg, vec![])).await;
    assert_eq!((codespace.as_str(), code), ("undefined", 1), "{log}");
    assert!(log.starts_with("sender: decoding bech32 failed: "), "{log}");

    // Nothing was charged, no sequence used; a valid message still passes.
    let h = net.height().await;
    net.wait_past(h + 1).await;
    assert_eq!(net.balance(&alice).await, balance);
    assert_eq!(net.account(&alice).await.sequence, 0);
    let (_, code, log) = check(&net, send(&bob, vec![coin("5", "ustar")])).await;
    assert_eq!(code, 0, "{log}");
}
