//! Cosmos REST (the SDK's gRPC-gateway JSON) against a running devnet:
//! every answer is read into the shape the SDK's JSON has (proto field
//! names, 64-bit integers as strings, enum names, `@type` in Any; unknown
//! fields rejected) and compared field by field with what the same node
//! answers over CometBFT RPC / ABCI queries (tendermint-rpc, cosmrs).

mod common;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use common::*;
use cosmos_sdk_proto::cosmwasm::wasm::v1::{QueryContractInfoRequest, QueryContractInfoResponse};
use cosmrs::tx::Msg;
use cosmrs::AccountId;
use serde::Deserialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use tendermint_rpc::Client;

struct Rest {
    base: String,
    http: reqwest::Client,
}

impl Rest {
    fn new(net: &Devnet) -> Self {
        Rest {
            base: format!("http://127.0.0.1:{}", net.rest_port),
            http: reqwest::Client::new(),
        }
    }

    async fn get_status(&self, path: &str) -> (u16, Value) {
        let r = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap())
    }

    async fn get(&self, path: &str) -> Value {
        let (status, v) = self.get_status(path).await;
        assert_eq!(status, 200, "GET {path}: {v}");
        v
    }

    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap())
    }
}

/// Reads `v` as `T`, failing on any field the SDK's JSON does not have.
fn shape<T: for<'de> Deserialize<'de>>(v: &Value) -> T {
    serde_json::from_value(v.clone()).unwrap_or_else(|e| panic!("{e}: {v:#}"))
}

/// A gateway error: `code`, `message`, `details`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct GatewayError {
    code: i32,
    message: String,
    details: Vec<Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CoinJson {
    denom: String,
    amount: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PageJson {
    next_key: Option<String>,
    total: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Balances {
    balances: Vec<CoinJson>,
    pagination: PageJson,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BaseAccountJson {
    #[serde(rename = "@type")]
    type_url: String,
    address: String,
    pub_key: Option<Value>,
    account_number: String,
    sequence: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AccountResp {
    account: BaseAccountJson,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AttrJson {
    key: String,
    value: String,
    index: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EventJson {
    #[serde(rename = "type")]
    kind: String,
    attributes: Vec<AttrJson>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TxResponseJson {
    height: String,
    txhash: String,
    codespace: String,
    code: u32,
    data: String,
    raw_log: String,
    logs: Vec<Value>,
    info: String,
    gas_wanted: String,
    gas_used: String,
    tx: Option<Value>,
    timestamp: String,
    events: Vec<EventJson>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BroadcastResp {
    tx_response: TxResponseJson,
}

fn b64(s: &str) -> Vec<u8> {
    B64.decode(s).unwrap()
}

fn hex_hash(tx: &[u8]) -> String {
    hex::encode_upper(Sha256::digest(tx))
}

async fn wait_rest_tx(rest: &Rest, hash: &str) -> Value {
    for _ in 0..200 {
        let (status, v) = rest
            .get_status(&format!("/cosmos/tx/v1beta1/txs/{hash}"))
            .await;
        if status == 200 {
            return v;
        }
        assert_eq!(status, 404, "{v}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("tx {hash} not committed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rest_answers_as_the_sdk_gateway_does() {
    let net = Devnet::start().await;
    let rest = Rest::new(&net);
    let alice = net.devs[0].address.clone();
    let bob = net.devs[1].address.clone();

    // ---- node info, syncing, blocks ----
    let info = rest.get("/cosmos/base/tendermint/v1beta1/node_info").await;
    let status = net.client.status().await.unwrap();
    let n = &info["default_node_info"];
    assert_eq!(n["network"], CHAIN_ID);
    assert_eq!(n["protocol_version"]["block"], "11");
    assert_eq!(n["version"], status.node_info.version.to_string());
    assert_eq!(
        n["default_node_id"],
        status.node_info.id.to_string(),
        "node id as CometBFT's status gives it"
    );
    assert_eq!(b64(n["channels"].as_str().unwrap()).len(), 10);
    assert!(info["application_version"]["cosmos_sdk_version"]
        .as_str()
        .unwrap()
        .starts_with("v0.50"));
    // Relayers pick their compatibility mode from these two entries.
    let deps = info["application_version"]["build_deps"]
        .as_array()
        .unwrap();
    let dep = |path: &str| {
        deps.iter()
            .find(|d| d["path"] == path)
            .and_then(|d| d["version"].as_str())
            .unwrap_or_default()
            .to_string()
    };
    assert!(dep("github.com/cometbft/cometbft").starts_with("v0.38."));
    assert!(dep("github.com/cosmos/cosmos-sdk").starts_with("v0.50."));
    assert_eq!(
        rest.get("/cosmos/base/tendermint/v1beta1/syncing").await,
        json!({"syncing": false})
    );

    let latest = rest
        .get("/cosmos/base/tendermint/v1beta1/blocks/latest")
        .await;
    let height: u64 = latest["block"]["header"]["height"]
        .as_str()
        .expect("height is a string")
        .parse()
        .unwrap();
    let rpc_block = net.client.block(height as u32).await.unwrap();
    let header = &latest["block"]["header"];
    assert_eq!(
        b64(header["app_hash"].as_str().unwrap()),
        rpc_block.block.header.app_hash.as_bytes()
    );
    assert_eq!(
        b64(latest["block_id"]["hash"].as_str().unwrap()),
        rpc_block.block_id.hash.as_bytes()
    );
    assert_eq!(latest["block_id"]["part_set_header"]["total"], 1);
    assert_eq!(header["version"], json!({"block": "11", "app": "0"}));
    assert_eq!(header["chain_id"], CHAIN_ID);
    assert_eq!(
        b64(header["proposer_address"].as_str().unwrap()),
        rpc_block.block.header.proposer_address.as_bytes()
    );
    let time: tendermint::Time = header["time"].as_str().unwrap().parse().unwrap();
    assert_eq!(time, rpc_block.block.header.time);
    let sig = &latest["block"]["last_commit"]["signatures"][0];
    assert_eq!(sig["block_id_flag"], "BLOCK_ID_FLAG_COMMIT");
    assert_eq!(b64(sig["signature"].as_str().unwrap()).len(), 64);
    assert_eq!(
        latest["block"]["last_commit"]["height"],
        (height - 1).to_string()
    );
    assert!(latest["sdk_block"]["header"]["proposer_address"]
        .as_str()
        .unwrap()
        .starts_with("starminervalcons1"));
    assert_eq!(latest["block"]["evidence"], json!({"evidence": []}));
    let first = rest.get("/cosmos/base/tendermint/v1beta1/blocks/1").await;
    assert_eq!(first["block"]["header"]["height"], "1");
    let (code, e) = rest
        .get_status("/cosmos/base/tendermint/v1beta1/blocks/99999999")
        .await;
    assert_eq!(code, 400);
    let e: GatewayError = shape(&e);
    assert_eq!(e.code, 3);

    // ---- auth and bank ----
    let acc: AccountResp = shape(
        &rest
            .get(&format!("/cosmos/auth/v1beta1/accounts/{alice}"))
            .await,
    );
    let rpc_acc = net.account(&alice).await;
    assert_eq!(acc.account.type_url, "/cosmos.auth.v1beta1.BaseAccount");
    assert_eq!(acc.account.address, alice);
    assert_eq!(
        acc.account.account_number,
        rpc_acc.account_number.to_string()
    );
    assert_eq!(acc.account.sequence, rpc_acc.sequence.to_string());
    assert_eq!(acc.account.pub_key, None);

    let stranger = AccountId::new("starminer", &[7u8; 20]).unwrap().to_string();
    let (code, e) = rest
        .get_status(&format!("/cosmos/auth/v1beta1/accounts/{stranger}"))
        .await;
    assert_eq!(code, 404, "{e}");
    let e: GatewayError = shape(&e);
    assert_eq!(e.code, 5);
    assert!(e.message.contains("not found"), "{}", e.message);
    let (code, e) = rest
        .get_status("/cosmos/auth/v1beta1/accounts/cosmos1notours")
        .await;
    assert_eq!(code, 400, "{e}");
    assert_eq!(shape::<GatewayError>(&e).code, 3);

    let bal: Balances = shape(
        &rest
            .get(&format!("/cosmos/bank/v1beta1/balances/{bob}"))
            .await,
    );
    assert_eq!(bal.balances.len(), 1);
    assert_eq!(bal.balances[0].denom, DENOM);
    assert_eq!(bal.balances[0].amount, net.balance(&bob).await.to_string());
    assert_eq!(bal.pagination.next_key, None);
    bal.pagination
        .total
        .parse::<u64>()
        .expect("total is a decimal string");
    let spendable: Balances = shape(
        &rest
            .get(&format!("/cosmos/bank/v1beta1/spendable_balances/{bob}"))
            .await,
    );
    assert_eq!(spendable.balances[0].amount, bal.balances[0].amount);
    let by_denom = rest
        .get(&format!(
            "/cosmos/bank/v1beta1/balances/{bob}/by_denom?denom=ustar"
        ))
        .await;
    assert_eq!(by_denom["balance"]["amount"], bal.balances[0].amount);
    let supply = rest.get("/cosmos/bank/v1beta1/supply").await;
    assert_eq!(supply["supply"][0]["denom"], DENOM);
    let total: u128 = supply["supply"][0]["amount"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(total >= 2 * 1_000_000_000_000, "{supply}");
    assert_eq!(supply["pagination"]["total"], "1");

    // ---- simulate, broadcast (sync and async), tx by hash and by events ----
    let tx = net.sign(0, vec![send(&alice, &bob, 777)], 200_000).await;
    let (code, sim) = rest
        .post(
            "/cosmos/tx/v1beta1/simulate",
            json!({"tx_bytes": B64.encode(&tx)}),
        )
        .await;
    assert_eq!(code, 200, "{sim}");
    let gas_used: u64 = sim["gas_info"]["gas_used"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(gas_used > 0);
    assert_eq!(sim["gas_info"]["gas_wanted"], "200000");
    assert_eq!(
        sim["result"]["msg_responses"],
        json!([{"@type": "/cosmos.bank.v1beta1.MsgSendResponse"}])
    );

    let (code, b) = rest
        .post(
            "/cosmos/tx/v1beta1/txs",
            json!({"tx_bytes": B64.encode(&tx), "mode": "BROADCAST_MODE_SYNC"}),
        )
        .await;
    assert_eq!(code, 200, "{b}");
    let b: BroadcastResp = shape(&b);
    assert_eq!(b.tx_response.code, 0, "{}", b.tx_response.raw_log);
    assert_eq!(b.tx_response.txhash, hex_hash(&tx));
    assert_eq!(b.tx_response.height, "0");
    assert!(b.tx_response.tx.is_none());
    // The same bytes again: CometBFT's cache answer, as the SDK reports it.
    let (_, again) = rest
        .post(
            "/cosmos/tx/v1beta1/txs",
            json!({"tx_bytes": B64.encode(&tx), "mode": "BROADCAST_MODE_SYNC"}),
        )
        .await;
    assert_eq!(again["tx_response"]["code"], 19, "{again}");

    let got = wait_rest_tx(&rest, &b.tx_response.txhash).await;
    let rpc_tx = net
        .client
        .tx(b.tx_response.txhash.parse().unwrap(), false)
        .await
        .unwrap();
    let r: TxResponseJson = shape(&got["tx_response"]);
    assert_eq!(r.height, rpc_tx.height.value().to_string());
    assert_eq!(r.code, 0);
    assert_eq!(r.codespace, "");
    assert_eq!(r.gas_used, rpc_tx.tx_result.gas_used.to_string());
    assert_eq!(r.gas_wanted, "200000");
    assert!(r.logs.is_empty());
    assert_eq!(r.info, "");
    let _ = (&r.data, &r.raw_log);
    let block_time = net
        .client
        .block(rpc_tx.height)
        .await
        .unwrap()
        .block
        .header
        .time
        .unix_timestamp();
    let ts: tendermint::Time = r.timestamp.parse().unwrap();
    assert_eq!(ts.unix_timestamp(), block_time);
    assert!(!r.timestamp.contains('.'), "whole seconds: {}", r.timestamp);
    assert!(
        r.events
            .iter()
            .filter(|e| e.kind == "transfer")
            .flat_map(|e| &e.attributes)
            .any(|a| a.key == "amount" && a.value == "777ustar" && a.index),
        "{:#}",
        got["tx_response"]["events"]
    );
    let t = r.tx.unwrap();
    assert_eq!(t["@type"], "/cosmos.tx.v1beta1.Tx");
    assert_eq!(t["body"], got["tx"]["body"]);
    let body = &got["tx"]["body"];
    assert_eq!(
        body["messages"],
        json!([{"@type": "/cosmos.bank.v1beta1.MsgSend", "from_address": alice,
                "to_address": bob, "amount": [{"denom": "ustar", "amount": "777"}]}])
    );
    assert_eq!(body["timeout_height"], "0");
    let auth = &got["tx"]["auth_info"];
    assert_eq!(
        auth["signer_infos"][0]["mode_info"],
        json!({"single": {"mode": "SIGN_MODE_DIRECT"}})
    );
    assert_eq!(
        auth["signer_infos"][0]["public_key"]["@type"],
        "/cosmos.crypto.secp256k1.PubKey"
    );
    assert_eq!(
        b64(auth["signer_infos"][0]["public_key"]["key"]
            .as_str()
            .unwrap()),
        net.devs[0].key.public_key().to_bytes()
    );
    assert_eq!(auth["signer_infos"][0]["sequence"], "0");
    assert_eq!(auth["fee"]["gas_limit"], "200000");
    assert_eq!(
        auth["fee"]["amount"][0]["amount"],
        fee_for(200_000).to_string()
    );
    // The signature is the one cosmrs made over SIGN_MODE_DIRECT.
    let raw = cosmrs::Tx::from_bytes(&tx).unwrap();
    assert_eq!(
        b64(got["tx"]["signatures"][0].as_str().unwrap()),
        raw.signatures[0]
    );

    // Async: answered at once with the hash, committed later.
    let tx2 = net.sign(1, vec![send(&bob, &alice, 5)], 200_000).await;
    let (code, b2) = rest
        .post(
            "/cosmos/tx/v1beta1/txs",
            json!({"tx_bytes": B64.encode(&tx2), "mode": "BROADCAST_MODE_ASYNC"}),
        )
        .await;
    assert_eq!(code, 200, "{b2}");
    assert_eq!(b2["tx_response"]["txhash"], hex_hash(&tx2));
    wait_rest_tx(&rest, &hex_hash(&tx2)).await;
    // Garbage bytes: CheckTx's decode error, HTTP 200 as the SDK answers it.
    let (code, bad) = rest
        .post(
            "/cosmos/tx/v1beta1/txs",
            json!({"tx_bytes": B64.encode(b"\xff\xffnot a tx"), "mode": "BROADCAST_MODE_SYNC"}),
        )
        .await;
    assert_eq!(code, 200);
    assert_eq!(bad["tx_response"]["codespace"], "sdk");
    assert_ne!(bad["tx_response"]["code"], 0);
    let (code, e) = rest
        .post(
            "/cosmos/tx/v1beta1/txs",
            json!({"tx_bytes": B64.encode(&tx2), "mode": "BROADCAST_MODE_BLOCK"}),
        )
        .await;
    assert_eq!((code, shape::<GatewayError>(&e).code), (500, 2));

    let search = rest
        .get(&format!(
            "/cosmos/tx/v1beta1/txs?events=message.sender%3D%27{alice}%27&events=transfer.amount%3D%27777ustar%27"
        ))
        .await;
    assert_eq!(search["total"], "1", "{search}");
    assert_eq!(search["tx_responses"][0]["txhash"], hex_hash(&tx));
    assert_eq!(search["txs"][0]["body"], got["tx"]["body"]);
    assert_eq!(search["pagination"], Value::Null);
    let by_query = rest
        .get(&format!(
            "/cosmos/tx/v1beta1/txs?query=transfer.recipient%3D%27{alice}%27&order_by=ORDER_BY_DESC&limit=1"
        ))
        .await;
    assert_eq!(by_query["tx_responses"][0]["txhash"], hex_hash(&tx2));
    let (code, e) = rest.get_status("/cosmos/tx/v1beta1/txs").await;
    assert_eq!((code, shape::<GatewayError>(&e).code), (400, 3));
    let (code, e) = rest
        .get_status(&format!("/cosmos/tx/v1beta1/txs/{}", "AB".repeat(32)))
        .await;
    assert_eq!((code, shape::<GatewayError>(&e).code), (404, 5));

    // ---- wasm ----
    let store = cosmrs::cosmwasm::MsgStoreCode {
        sender: alice.parse().unwrap(),
        wasm_byte_code: artifact("agpu_token.wasm"),
        instantiate_permission: None,
    };
    let t = net
        .deliver(net.sign(0, vec![store.to_any().unwrap()], 30_000_000).await)
        .await;
    assert!(t.tx_result.code.is_ok(), "{}", t.tx_result.log);
    let init = json!({
        "name": "Starminer GPU", "symbol": "AGPU",
        "initial_balances": [{"address": alice, "amount": "1000000"}],
        "minter": alice, "cap": "1000000000000", "governance": alice, "marketing": null,
    });
    let instantiate = cosmrs::cosmwasm::MsgInstantiateContract {
        sender: alice.parse().unwrap(),
        admin: Some(alice.parse().unwrap()),
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
    let inst_hash = t.hash.to_string();
    let inst = rest
        .get(&format!("/cosmos/tx/v1beta1/txs/{inst_hash}"))
        .await;
    let msg = &inst["tx"]["body"]["messages"][0];
    assert_eq!(msg["@type"], "/cosmwasm.wasm.v1.MsgInstantiateContract");
    assert_eq!(msg["code_id"], "1");
    assert_eq!(msg["msg"], init, "RawContractMessage is inlined JSON");
    let contract = rest.get("/cosmwasm/wasm/v1/code/1/contracts").await;
    let addr = contract["contracts"][0].as_str().unwrap().to_string();
    assert!(addr.starts_with("starminer1"));

    let codes = rest.get("/cosmwasm/wasm/v1/code").await;
    let c = &codes["code_infos"][0];
    assert_eq!(c["code_id"], "1");
    assert_eq!(c["creator"], alice);
    let checksum = hex::encode_upper(Sha256::digest(artifact("agpu_token.wasm")));
    assert_eq!(c["data_hash"], checksum);
    assert_eq!(
        c["instantiate_permission"],
        json!({"permission": "Everybody", "addresses": []})
    );
    let code = rest.get("/cosmwasm/wasm/v1/code/1").await;
    assert_eq!(code["code_info"], *c);
    assert_eq!(
        b64(code["data"].as_str().unwrap()),
        artifact("agpu_token.wasm")
    );
    let (status, e) = rest.get_status("/cosmwasm/wasm/v1/code/99").await;
    assert_eq!((status, shape::<GatewayError>(&e).code), (404, 5));

    let info = rest
        .get(&format!("/cosmwasm/wasm/v1/contract/{addr}"))
        .await;
    assert_eq!(info["address"], addr);
    let ci = &info["contract_info"];
    assert_eq!(ci["code_id"], "1");
    assert_eq!(ci["admin"], alice);
    assert_eq!(ci["label"], "agpu");
    assert_eq!(ci["created"]["block_height"], t.height.value().to_string());
    let abci: QueryContractInfoResponse = net
        .query(
            "/cosmwasm.wasm.v1.Query/ContractInfo",
            QueryContractInfoRequest {
                address: addr.clone(),
            },
        )
        .await;
    let created = abci.contract_info.unwrap().created.unwrap();
    assert_eq!(ci["created"]["tx_index"], created.tx_index.to_string());
    assert_eq!(ci["ibc_port_id"], "");

    let q = B64.encode(json!({"token_info": {}}).to_string());
    let smart = rest
        .get(&format!(
            "/cosmwasm/wasm/v1/contract/{addr}/smart/{}",
            q.replace('/', "%2F").replace('+', "%2B")
        ))
        .await;
    assert_eq!(smart["data"]["symbol"], "AGPU");
    assert_eq!(smart["data"]["total_supply"], "1000000");
    let raw = rest
        .get(&format!(
            "/cosmwasm/wasm/v1/contract/{addr}/raw/{}",
            B64.encode("token_info")
        ))
        .await;
    let stored: Value = serde_json::from_slice(&b64(raw["data"].as_str().unwrap())).unwrap();
    assert_eq!(stored["symbol"], "AGPU");
    let bad_query = B64.encode(json!({"no_such_query": {}}).to_string());
    let (status, e) = rest
        .get_status(&format!(
            "/cosmwasm/wasm/v1/contract/{addr}/smart/{}",
            bad_query.replace('/', "%2F").replace('+', "%2B")
        ))
        .await;
    assert_eq!(status, 500, "{e}");
    assert_eq!(shape::<GatewayError>(&e).code, 2);

    // ---- staking and distribution: the genesis validator ----
    let vals = rest
        .get("/cosmos/staking/v1beta1/validators?status=BOND_STATUS_BONDED")
        .await;
    let v = &vals["validators"][0];
    let rpc_vals = net
        .client
        .validators(1u32, tendermint_rpc::Paging::All)
        .await
        .unwrap();
    assert_eq!(
        b64(v["consensus_pubkey"]["key"].as_str().unwrap()),
        rpc_vals.validators[0].pub_key.to_bytes()
    );
    assert_eq!(
        v["consensus_pubkey"]["@type"],
        "/cosmos.crypto.ed25519.PubKey"
    );
    assert_eq!(v["status"], "BOND_STATUS_BONDED");
    let tokens: u64 = v["tokens"].as_str().unwrap().parse().unwrap();
    assert_eq!(tokens, rpc_vals.validators[0].power.value() * 1_000_000);
    let pool = rest.get("/cosmos/staking/v1beta1/pool").await;
    assert_eq!(pool["pool"]["bonded_tokens"], v["tokens"]);
    let one = rest
        .get(&format!(
            "/cosmos/staking/v1beta1/validators/{}",
            v["operator_address"].as_str().unwrap()
        ))
        .await;
    assert_eq!(one["validator"], *v);
    let params = rest.get("/cosmos/staking/v1beta1/params").await;
    assert_eq!(params["params"]["bond_denom"], DENOM);
    assert_eq!(params["params"]["max_validators"], 100);
    let dist = rest.get("/cosmos/distribution/v1beta1/params").await;
    assert_eq!(dist["params"]["withdraw_addr_enabled"], true);
    let dels = rest
        .get(&format!("/cosmos/staking/v1beta1/delegations/{alice}"))
        .await;
    assert_eq!(dels["delegation_responses"], json!([]));
    let rewards = rest
        .get(&format!(
            "/cosmos/distribution/v1beta1/delegators/{alice}/rewards"
        ))
        .await;
    assert_eq!(rewards, json!({"rewards": [], "total": []}));

    // ---- CORS and unknown routes ----
    let pre = rest
        .http
        .request(
            reqwest::Method::OPTIONS,
            format!("{}/cosmos/bank/v1beta1/balances/{bob}", rest.base),
        )
        .header("Origin", "http://wallet.example")
        .header("Access-Control-Request-Method", "GET")
        .send()
        .await
        .unwrap();
    assert!(pre.status().is_success());
    assert_eq!(pre.headers()["access-control-allow-origin"], "*");
    let (status, e) = rest.get_status("/cosmos/nothing/here").await;
    assert_eq!(status, 501);
    assert_eq!(
        e,
        json!({"code": 12, "message": "Not Implemented", "details": []})
    );

    // Queries at a past height through the gateway's height header.
    let past = rest
        .http
        .get(format!("{}/cosmos/bank/v1beta1/balances/{bob}", rest.base))
        .header("x-cosmos-block-height", "999999999")
        .send()
        .await
        .unwrap();
    assert_eq!(past.status().as_u16(), 400);
}
