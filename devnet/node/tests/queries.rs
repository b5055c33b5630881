//! gRPC-method queries beyond the latest state: past heights, pagination of
//! the list queries, and the auth accounts wasmd creates for contracts.

mod common;
mod wasm_util;

use common::*;
use cosmos_sdk_proto::cosmos::auth::v1beta1::{
    BaseAccount, QueryAccountRequest, QueryAccountResponse,
};
use cosmos_sdk_proto::cosmos::bank::v1beta1::{
    QueryAllBalancesRequest, QueryAllBalancesResponse, QueryBalanceRequest, QueryBalanceResponse,
};
use cosmos_sdk_proto::cosmos::base::query::v1beta1::PageRequest;
use cosmos_sdk_proto::cosmwasm::wasm::v1::{
    QueryCodesRequest, QueryCodesResponse, QueryContractInfoRequest, QueryContractsByCodeRequest,
    QueryContractsByCodeResponse,
};
use prost::Message;
use tendermint_rpc::Client;
use wasm_util::*;

/// An ABCI query at `height` (0: latest): (code, log, value, answered height).
async fn query_at<Req: Message>(
    net: &Devnet,
    path: &str,
    req: Req,
    height: u64,
) -> (u32, String, Vec<u8>, u64) {
    let r = net
        .client
        .abci_query(
            Some(path.to_string()),
            req.encode_to_vec(),
            (height > 0).then(|| (height as u32).into()),
            false,
        )
        .await
        .unwrap();
    (r.code.value(), r.log, r.value, r.height.value())
}

async fn balance_at(net: &Devnet, address: &str, height: u64) -> u128 {
    let (code, log, value, at) = query_at(
        net,
        "/cosmos.bank.v1beta1.Query/Balance",
        QueryBalanceRequest {
            address: address.to_string(),
            denom: DENOM.to_string(),
        },
        height,
    )
    .await;
    assert_eq!(code, 0, "{log}");
    if height > 0 {
        assert_eq!(at, height);
    }
    QueryBalanceResponse::decode(value.as_slice())
        .unwrap()
        .balance
        .unwrap()
        .amount
        .parse()
        .unwrap()
}

fn page(key: Vec<u8>, offset: u64, limit: u64, count_total: bool) -> Option<PageRequest> {
    Some(PageRequest {
        key,
        offset,
        limit,
        count_total,
        reverse: false,
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_heights_answer_the_state_of_their_block() {
    let net = Devnet::start().await;
    let (alice, bob) = (net.devs[0].address.clone(), net.devs[1].address.clone());
    let code_id = store_agpu(&net).await;
    let before_contract = net.height().await;
    let contract = instantiate_agpu(&net, code_id, &[(&alice, 1000)]).await;
    let t = net
        .deliver(
            net.sign(
                0,
                vec![
                    send(&alice, &bob, 777),
                    execute(
                        &alice,
                        &contract,
                        serde_json::json!({"transfer": {"recipient": bob, "amount": "250"}}),
                    ),
                ],
                2_000_000,
            )
            .await,
        )
        .await;
    assert!(t.tx_result.code.is_ok(), "{}", t.tx_result.log);
    let h = t.height.value();
    net.wait_past(h).await;

    // Bank, auth and a contract's own state, each as of the block before and at h.
    assert_eq!(
        balance_at(&net, &bob, h).await,
        balance_at(&net, &bob, h - 1).await + 777
    );
    assert_eq!(
        balance_at(&net, &bob, 0).await,
        balance_at(&net, &bob, h).await
    );
    let seq_at = |height| {
        let net = &net;
        let alice = alice.clone();
        async move {
            let (code, log, value, _) = query_at(
                net,
                "/cosmos.auth.v1beta1.Query/Account",
                QueryAccountRequest { address: alice },
                height,
            )
            .await;
            assert_eq!(code, 0, "{log}");
            let any = QueryAccountResponse::decode(value.as_slice())
                .unwrap()
                .account
                .unwrap();
            BaseAccount::decode(any.value.as_slice()).unwrap().sequence
        }
    };
    assert_eq!(seq_at(h).await, seq_at(h - 1).await + 1);
    assert_eq!(
        cw20_balance_at(&net, &contract, &bob, (h - 1) as u32).await,
        "0"
    );
    assert_eq!(
        cw20_balance_at(&net, &contract, &bob, h as u32).await,
        "250"
    );
    assert_eq!(cw20_balance_at(&net, &contract, &bob, 0).await, "250");

    // Before its instantiation the contract does not exist.
    let (code, log, _, _) = query_at(
        &net,
        "/cosmwasm.wasm.v1.Query/ContractInfo",
        QueryContractInfoRequest {
            address: contract.clone(),
        },
        before_contract,
    )
    .await;
    assert_ne!(code, 0, "the contract answered before it existed: {log}");
    assert!(
        log.contains("no such contract") || log.contains("not found"),
        "{log}"
    );

    // A height in the future is refused, as the SDK refuses it.
    let latest = net.height().await;
    let (code, log, _, _) = query_at(
        &net,
        "/cosmos.bank.v1beta1.Query/Balance",
        QueryBalanceRequest {
            address: bob.clone(),
            denom: DENOM.to_string(),
        },
        latest + 1000,
    )
    .await;
    assert_eq!(code, 26, "{log}");
    assert!(
        log.starts_with("cannot query with height in the future"),
        "{log}"
    );

    // And the latest state is untouched by the excursions.
    assert_eq!(cw20_balance_at(&net, &contract, &alice, 0).await, "750");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_queries_paginate_and_contracts_get_accounts() {
    let mut net = Devnet::start().await;
    // Genesis with more denoms for dev 0, to page through its balances.
    net.kill();
    let genesis_path = net.home().join("config/genesis.json");
    let mut genesis: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&genesis_path).unwrap()).unwrap();
    let coins = &mut genesis["app_state"]["accounts"][0]["coins"];
    for denom in ["uaaa", "ubbb", "uccc", "uddd"] {
        coins
            .as_array_mut()
            .unwrap()
            .push(serde_json::json!({"denom": denom, "amount": "5"}));
    }
    std::fs::write(&genesis_path, serde_json::to_vec(&genesis).unwrap()).unwrap();
    std::fs::remove_dir_all(net.home().join("data")).unwrap();
    std::fs::create_dir_all(net.home().join("data")).unwrap();
    net.spawn().await;
    let alice = net.devs[0].address.clone();

    // AllBalances: 5 denoms in pages of 2, by key.
    let all = |pagination| QueryAllBalancesRequest {
        address: alice.clone(),
        pagination,
        resolve_denom: false,
    };
    let mut denoms = Vec::new();
    let mut key = Vec::new();
    let mut pages = 0;
    loop {
        let r: QueryAllBalancesResponse = net
            .query(
                "/cosmos.bank.v1beta1.Query/AllBalances",
                all(page(key, 0, 2, false)),
            )
            .await;
        pages += 1;
        assert!(r.balances.len() <= 2);
        denoms.extend(r.balances.into_iter().map(|c| c.denom));
        key = r.pagination.unwrap().next_key;
        if key.is_empty() {
            break;
        }
    }
    assert_eq!(denoms, ["uaaa", "ubbb", "uccc", "uddd", "ustar"]);
    assert_eq!(pages, 3);
    // By offset, with the total; and no limit: everything, counted.
    let r: QueryAllBalancesResponse = net
        .query(
            "/cosmos.bank.v1beta1.Query/AllBalances",
            all(page(vec![], 3, 1, true)),
        )
        .await;
    assert_eq!(r.balances[0].denom, "uddd");
    let p = r.pagination.unwrap();
    assert_eq!((p.total, p.next_key), (5, b"ustar".to_vec()));
    let r: QueryAllBalancesResponse = net
        .query("/cosmos.bank.v1beta1.Query/AllBalances", all(None))
        .await;
    assert_eq!((r.balances.len(), r.pagination.unwrap().total), (5, 5));
    // Key and offset together are refused.
    let (code, log, _, _) = query_at(
        &net,
        "/cosmos.bank.v1beta1.Query/AllBalances",
        all(page(b"ubbb".to_vec(), 1, 2, false)),
        0,
    )
    .await;
    assert_eq!(code, 18, "{log}");
    assert!(
        log.contains("either offset or key is expected, got both"),
        "{log}"
    );

    // Three codes, three contracts of code 1.
    for _ in 0..3 {
        store_agpu(&net).await;
    }
    let mut contracts = Vec::new();
    for _ in 0..3 {
        contracts.push(instantiate_agpu(&net, 1, &[(&alice, 1)]).await);
    }
    let r: QueryCodesResponse = net
        .query(
            "/cosmwasm.wasm.v1.Query/Codes",
            QueryCodesRequest {
                pagination: page(vec![], 0, 2, true),
            },
        )
        .await;
    let ids: Vec<u64> = r.code_infos.iter().map(|c| c.code_id).collect();
    assert_eq!(ids, [1, 2]);
    let p = r.pagination.unwrap();
    assert_eq!(p.total, 3);
    let r: QueryCodesResponse = net
        .query(
            "/cosmwasm.wasm.v1.Query/Codes",
            QueryCodesRequest {
                pagination: page(p.next_key, 0, 2, false),
            },
        )
        .await;
    let ids: Vec<u64> = r.code_infos.iter().map(|c| c.code_id).collect();
    assert_eq!(ids, [3]);
    assert!(r.pagination.unwrap().next_key.is_empty());

    let by_code = |pagination| QueryContractsByCodeRequest {
        code_id: 1,
        pagination,
    };
    let r: QueryContractsByCodeResponse = net
        .query(
            "/cosmwasm.wasm.v1.Query/ContractsByCode",
            by_code(page(vec![], 1, 1, false)),
        )
        .await;
    assert_eq!(r.contracts, [contracts[1].clone()]);
    let next = r.pagination.unwrap().next_key;
    let r: QueryContractsByCodeResponse = net
        .query(
            "/cosmwasm.wasm.v1.Query/ContractsByCode",
            by_code(page(next, 0, 5, false)),
        )
        .await;
    assert_eq!(r.contracts, [contracts[2].clone()]);
    let r: QueryContractsByCodeResponse = net
        .query("/cosmwasm.wasm.v1.Query/ContractsByCode", by_code(None))
        .await;
    assert_eq!(r.contracts, contracts);

    // Each contract got an auth account, numbered after the two dev accounts
    // in instantiation order, as wasmd creates them (CosmJS getAccount works).
    for (i, c) in contracts.iter().enumerate() {
        let acc = net.account(c).await;
        assert_eq!(acc.address, *c);
        assert_eq!(acc.account_number, 2 + i as u64);
        assert_eq!(acc.sequence, 0);
        assert!(acc.pub_key.is_none());
    }
}
