//! The AGPU and AMAX cw20 artifacts running in the host: lifecycle, transfers,
//! events as wasmd names them, gas, and rollback of failed transactions.

mod common;

use common::{artifact, Tokens};
use cosmwasm_std::{coins, to_json_binary, Binary, Uint128};
use cw20::TokenInfoResponse;
use sha2::{Digest, Sha256};
use starminer_interfaces::agpu;
use starminer_wasm_host::{HostError, HostMsg};

fn transfer(recipient: &cosmwasm_std::Addr, amount: u128) -> agpu::ExecuteMsg {
    agpu::ExecuteMsg::Transfer {
        recipient: recipient.to_string(),
        amount: Uint128::new(amount),
    }
}

#[test]
fn codes_get_sequential_ids_and_sha256_checksums() {
    let t = Tokens::deploy();
    assert_eq!((t.agpu_code, t.amax_code), (1, 2));
    let info = t.host.code_info(t.agpu_code).unwrap();
    assert_eq!(
        info.checksum.as_slice(),
        &Sha256::digest(artifact("agpu_token"))[..]
    );
    assert_eq!(info.creator, t.alice);
}

#[test]
fn contracts_get_wasmd_classic_addresses_and_instantiate_events() {
    let t = Tokens::deploy();
    let codec = t.host.address_codec();
    assert_eq!(t.agpu, codec.classic_contract_address(t.agpu_code, 1));
    assert_eq!(t.amax, codec.classic_contract_address(t.amax_code, 2));
    assert!(t.agpu.as_str().starts_with("starminer1"));
    assert_eq!(codec.canonicalize(t.agpu.as_str()).unwrap().len(), 32);

    let (third, r) = t
        .host
        .instantiate(
            &t.alice,
            t.amax_code,
            &starminer_interfaces::amax::InstantiateMsg {
                name: "Third".to_string(),
                symbol: "THRD".to_string(),
                initial_balances: vec![cw20::Cw20Coin {
                    address: t.bob.to_string(),
                    amount: Uint128::new(5),
                }],
                marketing: None,
            },
            &[],
            "third",
            None,
        )
        .unwrap();
    let first = &r.events[0];
    assert_eq!(first.ty, "instantiate");
    assert_eq!(first.attributes[0].key, "_contract_address");
    assert_eq!(first.attributes[0].value, third.as_str());
    assert_eq!(r.attribute("instantiate", "code_id"), Some("2"));
    let info = t.host.contract_info(&third).unwrap();
    assert_eq!(
        (info.code_id, info.label.as_str(), info.admin),
        (2, "third", None)
    );
}

#[test]
fn token_info_and_balances_answer_smart_queries() {
    let t = Tokens::deploy();
    let info: TokenInfoResponse = t
        .host
        .query_smart(&t.agpu, &agpu::QueryMsg::TokenInfo {})
        .unwrap();
    assert_eq!((info.symbol.as_str(), info.decimals), ("AGPU", 6));
    assert_eq!(info.total_supply.u128(), 1_000_000_000);
    assert_eq!(t.balance(&t.agpu, &t.alice), 1_000_000_000);
    assert_eq!(t.balance(&t.amax, &t.alice), 500_000_000);
}

#[test]
fn raw_query_reads_the_contract_store_by_key() {
    let t = Tokens::deploy();
    // cw-storage-plus Map("balance"): u16 length of the namespace, namespace, key.
    let mut key = vec![0, 7];
    key.extend_from_slice(b"balance");
    key.extend_from_slice(t.alice.as_bytes());
    let raw = t
        .host
        .query_raw(&t.agpu, &key)
        .unwrap()
        .expect("alice has a balance entry");
    assert_eq!(raw, b"\"1000000000\"");
    assert_eq!(t.host.query_raw(&t.agpu, b"no such key").unwrap(), None);
}

#[test]
fn transfer_moves_tokens_and_emits_events_named_as_wasmd() {
    let t = Tokens::deploy();
    let r = t
        .host
        .execute(&t.alice, &t.agpu, &transfer(&t.bob, 250), &[])
        .unwrap();
    assert_eq!(t.balance(&t.agpu, &t.bob), 250);
    assert_eq!(t.balance(&t.agpu, &t.alice), 1_000_000_000 - 250);

    let types: Vec<&str> = r.events.iter().map(|e| e.ty.as_str()).collect();
    assert_eq!(types, ["execute", "wasm"]);
    assert_eq!(r.events[0].attributes[0].key, "_contract_address");
    assert_eq!(r.events[0].attributes[0].value, t.agpu.as_str());
    let wasm = &r.events[1];
    assert_eq!(wasm.attributes[0].key, "_contract_address");
    assert_eq!(wasm.attributes[0].value, t.agpu.as_str());
    assert_eq!(r.attribute("wasm", "action"), Some("transfer"));
    assert_eq!(r.attribute("wasm", "from"), Some(t.alice.as_str()));
    assert_eq!(r.attribute("wasm", "to"), Some(t.bob.as_str()));
    assert_eq!(r.attribute("wasm", "amount"), Some("250"));
}

#[test]
fn gas_is_reported_in_vm_and_sdk_units_with_wasmd_multiplier() {
    let t = Tokens::deploy();
    // A first transfer creates bob's balance entry; later ones only update it.
    t.host
        .execute(&t.alice, &t.agpu, &transfer(&t.bob, 1), &[])
        .unwrap();
    let r = t
        .host
        .execute(&t.alice, &t.agpu, &transfer(&t.bob, 1), &[])
        .unwrap();
    let g = t.host.gas_config();
    assert!(r.gas.vm_gas > 0);
    // Instance load + VM gas converted + storage and events on top.
    assert!(r.gas.sdk_gas >= g.instance_cost + r.gas.vm_gas / g.gas_multiplier);
    assert!(
        r.gas.sdk_gas < 1_000_000,
        "a cw20 transfer costs {} SDK gas",
        r.gas.sdk_gas
    );
    // Deterministic: the same transfer again costs the same.
    let again = t
        .host
        .execute(&t.alice, &t.agpu, &transfer(&t.bob, 1), &[])
        .unwrap();
    assert_eq!(again.gas.vm_gas, r.gas.vm_gas);
    assert_eq!(again.gas.sdk_gas, r.gas.sdk_gas);
}

#[test]
fn failing_transfer_returns_the_contract_error_and_changes_nothing() {
    let t = Tokens::deploy();
    let err = t
        .host
        .execute(&t.bob, &t.agpu, &transfer(&t.alice, 1), &[])
        .unwrap_err();
    match &err {
        HostError::ContractFailed {
            entry_point,
            message,
            ..
        } => {
            assert_eq!(*entry_point, "execute");
            assert!(
                message.contains("Overflow") || message.contains("Cannot Sub"),
                "{message}"
            );
        }
        other => panic!("expected a contract error, got {other}"),
    }
    assert!(err.contract_message().is_some());
    assert_eq!(t.balance(&t.agpu, &t.alice), 1_000_000_000);
}

#[test]
fn native_funds_sent_with_a_rejected_call_are_returned() {
    let t = Tokens::deploy();
    t.host
        .mint_native(&t.alice, &coins(1_000, "ustar"))
        .unwrap();
    let err = t
        .host
        .execute(
            &t.alice,
            &t.agpu,
            &transfer(&t.bob, 1),
            &coins(100, "ustar"),
        )
        .unwrap_err();
    assert!(err.to_string().contains("funds"), "{err}");
    assert_eq!(
        t.host.bank_balance(&t.alice, "ustar").unwrap().u128(),
        1_000
    );
    assert_eq!(t.host.bank_balance(&t.agpu, "ustar").unwrap().u128(), 0);
    assert_eq!(t.balance(&t.agpu, &t.bob), 0);
}

#[test]
fn send_to_a_contract_that_rejects_it_rolls_back_the_whole_transaction() {
    let t = Tokens::deploy();
    // AMAX has no Receive handler: the Send's callback fails, so the debit of alice must not stick.
    let send = agpu::ExecuteMsg::Send {
        contract: t.amax.to_string(),
        amount: Uint128::new(10),
        msg: to_json_binary(&"anything").unwrap(),
    };
    let err = t.host.execute(&t.alice, &t.agpu, &send, &[]).unwrap_err();
    assert!(matches!(err, HostError::SubMessageFailed { .. }), "{err}");
    assert_eq!(t.balance(&t.agpu, &t.alice), 1_000_000_000);
    assert_eq!(t.balance(&t.agpu, &t.amax), 0);
}

#[test]
fn running_out_of_gas_fails_and_rolls_back() {
    let t = Tokens::deploy();
    let out = t.host.apply(
        HostMsg::Execute {
            sender: t.alice.clone(),
            contract: t.agpu.clone(),
            msg: Binary::from(serde_json::to_vec(&transfer(&t.bob, 7)).unwrap()),
            funds: vec![],
        },
        70_000,
    );
    let err = out.result.unwrap_err();
    assert!(err.is_out_of_gas(), "{err}");
    assert_eq!(out.gas.sdk_gas, 70_000);
    assert_eq!(t.balance(&t.agpu, &t.bob), 0);
    // With enough gas the same message goes through.
    let ok = t.host.apply(
        HostMsg::Execute {
            sender: t.alice.clone(),
            contract: t.agpu.clone(),
            msg: Binary::from(serde_json::to_vec(&transfer(&t.bob, 7)).unwrap()),
            funds: vec![],
        },
        1_000_000,
    );
    assert!(ok.result.is_ok());
    assert_eq!(t.balance(&t.agpu, &t.bob), 7);
}

#[test]
fn only_the_admin_migrates_and_admins_can_be_moved_and_cleared() {
    let t = Tokens::deploy();
    let msg = agpu::MigrateMsg {};
    let err = t
        .host
        .migrate(&t.bob, &t.agpu, t.agpu_code, &msg)
        .unwrap_err();
    assert!(matches!(err, HostError::Unauthorized { .. }), "{err}");

    let r = t
        .host
        .migrate(&t.alice, &t.agpu, t.agpu_code, &msg)
        .unwrap();
    assert_eq!(r.events[0].ty, "migrate");
    assert_eq!(r.attribute("migrate", "code_id"), Some("1"));
    assert_eq!(
        r.attribute("migrate", "_contract_address"),
        Some(t.agpu.as_str())
    );

    let r = t.host.update_admin(&t.alice, &t.agpu, &t.bob).unwrap();
    assert_eq!(
        r.attribute("update_contract_admin", "new_admin_address"),
        Some(t.bob.as_str())
    );
    assert_eq!(
        t.host.contract_info(&t.agpu).unwrap().admin,
        Some(t.bob.clone())
    );
    assert!(t.host.update_admin(&t.alice, &t.agpu, &t.alice).is_err());
    t.host.clear_admin(&t.bob, &t.agpu).unwrap();
    assert_eq!(t.host.contract_info(&t.agpu).unwrap().admin, None);
    assert!(t.host.migrate(&t.bob, &t.agpu, t.agpu_code, &msg).is_err());
}

#[test]
fn instantiate2_lands_on_the_predicted_address() {
    let t = Tokens::deploy();
    let checksum = t.host.code_info(t.amax_code).unwrap().checksum;
    let creator = t
        .host
        .address_codec()
        .canonicalize(t.alice.as_str())
        .unwrap();
    let predicted =
        cosmwasm_std::instantiate2_address(checksum.as_slice(), &creator.into(), b"salt-1")
            .unwrap();
    let (addr, _) = t
        .host
        .instantiate2(
            &t.alice,
            t.amax_code,
            &starminer_interfaces::amax::InstantiateMsg {
                name: "Predictable".to_string(),
                symbol: "PRED".to_string(),
                initial_balances: vec![cw20::Cw20Coin {
                    address: t.alice.to_string(),
                    amount: Uint128::new(1),
                }],
                marketing: None,
            },
            &[],
            "predictable",
            None,
            b"salt-1",
        )
        .unwrap();
    assert_eq!(
        addr,
        t.host
            .address_codec()
            .humanize(predicted.as_slice())
            .unwrap()
    );
}

#[test]
fn bank_sends_emit_sdk_events_and_keep_supply() {
    let t = Tokens::deploy();
    t.host.mint_native(&t.alice, &coins(500, "ustar")).unwrap();
    let r = t
        .host
        .bank_send(&t.alice, &t.bob, &coins(200, "ustar"))
        .unwrap();
    let types: Vec<&str> = r.events.iter().map(|e| e.ty.as_str()).collect();
    assert_eq!(types, ["coin_spent", "coin_received", "transfer"]);
    assert_eq!(r.attribute("transfer", "amount"), Some("200ustar"));
    assert_eq!(t.host.bank_balance(&t.bob, "ustar").unwrap().u128(), 200);
    assert_eq!(t.host.bank_supply("ustar").unwrap().u128(), 500);
    assert!(t
        .host
        .bank_send(&t.bob, &t.alice, &coins(201, "ustar"))
        .is_err());
    assert_eq!(
        t.host.bank_all_balances(&t.bob).unwrap(),
        coins(200, "ustar")
    );
}

#[test]
fn oversized_or_invalid_code_is_rejected() {
    let t = Tokens::deploy();
    let err = t
        .host
        .store_code(&t.alice, &vec![0u8; 900 * 1024])
        .unwrap_err();
    assert!(matches!(err, HostError::CodeTooLarge { .. }), "{err}");
    let err = t
        .host
        .store_code(&t.alice, b"\0asm not really")
        .unwrap_err();
    assert!(matches!(err, HostError::InvalidCode(_)), "{err}");
}

#[test]
fn blocks_advance_height_and_time() {
    let t = Tokens::deploy();
    let before = t.host.block();
    assert_eq!(before.chain_id, "starminer-devnet-1");
    t.host.next_block(6);
    let after = t.host.block();
    assert_eq!(after.height, before.height + 1);
    assert_eq!(after.time.seconds(), before.time.seconds() + 6);
}
