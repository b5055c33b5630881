//! IBC between two devnets, driven by the unmodified Hermes relayer
//! (`ibc-relayer-cli` 1.11.0, built once into `~/.cache/starminer` by
//! `scripts/setup.sh`): Hermes opens the clients, the connection and an
//! ICS-20 channel, and relays transfers both ways, vouchers sent home,
//! height and timestamp timeouts, and packets while `hermes start` runs.
//! Balances, escrow accounts, voucher supplies and denom traces are
//! checked on both chains after every step.
//!
//! Ignored by default (it needs the Hermes binary); `scripts/test.sh` runs
//! it with `--ignored`. `STARMINER_HERMES_BIN` points at another binary.

mod common;

use std::time::{Duration, Instant};

use common::TxSpec;
use cosmos_sdk_proto::cosmos::bank::v1beta1::{QuerySupplyOfRequest, QuerySupplyOfResponse};
use cosmos_sdk_proto::cosmwasm::wasm::v1::{
    MsgExecuteContract, MsgInstantiateContract, MsgStoreCode, QuerySmartContractStateRequest,
    QuerySmartContractStateResponse,
};
use cosmos_sdk_proto::Any;
use ibc_proto::ibc::apps::transfer::v1::{
    QueryDenomTraceRequest, QueryDenomTraceResponse, QueryEscrowAddressRequest,
    QueryEscrowAddressResponse,
};
use ibc_proto::ibc::core::channel::v1::{MsgRecvPacket, Packet};
use ibc_proto::ibc::core::client::v1::{
    Height, MsgUpdateClient, QueryClientStateRequest, QueryClientStateResponse,
    QueryClientStatusRequest, QueryClientStatusResponse,
};
use ibc_proto::ibc::core::commitment::v1::MerkleProof;
use ibc_proto::ibc::lightclients::tendermint::v1::{
    ClientState as TmClientState, Header as TmHeader, Misbehaviour as TmMisbehaviour,
};
use ics23::CommitmentProof;
use prost::Message;
use serde_json::json;
use sha2::{Digest, Sha256};
use starminer_devnet::app::blocks::{PrivValidatorKey, Validator};
use starminer_testkit::hermes::Hermes;
use starminer_testkit::{DevnetOptions, LocalDevnet};
use tendermint_rpc::query::Query;
use tendermint_rpc::Order;
use tendermint_rpc::{Client, HttpClient};

const A: &str = "starminer-a-1";
const B: &str = "starminer-b-1";
const CHANNEL: &str = "channel-0";

/// What one chain holds, queried over ABCI.
struct Chain<'a> {
    net: &'a LocalDevnet,
    rpc: HttpClient,
}

impl<'a> Chain<'a> {
    fn new(net: &'a LocalDevnet) -> Self {
        Chain {
            net,
            rpc: HttpClient::new(net.rpc.as_str()).unwrap(),
        }
    }

    async fn query<Req: Message, Resp: Message + Default>(&self, path: &str, req: Req) -> Resp {
        common::abci(&self.rpc, path, req).await
    }

    async fn balance(&self, address: &str, denom: &str) -> u128 {
        common::bank_balance(&self.rpc, address, denom).await
    }

    async fn supply(&self, denom: &str) -> u128 {
        let r: QuerySupplyOfResponse = self
            .query(
                "/cosmos.bank.v1beta1.Query/SupplyOf",
                QuerySupplyOfRequest {
                    denom: denom.to_string(),
                },
            )
            .await;
        r.amount.unwrap().amount.parse().unwrap()
    }

    async fn escrow(&self) -> String {
        let r: QueryEscrowAddressResponse = self
            .query(
                "/ibc.applications.transfer.v1.Query/EscrowAddress",
                QueryEscrowAddressRequest {
                    port_id: "transfer".into(),
                    channel_id: CHANNEL.into(),
                },
            )
            .await;
        r.escrow_address
    }

    async fn trace(&self, voucher: &str) -> (String, String) {
        let r: QueryDenomTraceResponse = self
            .query(
                "/ibc.applications.transfer.v1.Query/DenomTrace",
                QueryDenomTraceRequest {
                    hash: voucher.to_string(),
                },
            )
            .await;
        let t = r.denom_trace.unwrap();
        (t.path, t.base_denom)
    }

    fn dev(&self, i: usize) -> &str {
        &self.net.devs[i].address
    }

    async fn height(&self) -> u64 {
        self.rpc
            .status()
            .await
            .unwrap()
            .sync_info
            .latest_block_height
            .value()
    }

    /// Signs `msgs` as dev `signer` and returns the committed result.
    async fn tx(&self, signer: u32, msgs: Vec<Any>) -> TxResult {
        let dev = common::dev(signer);
        let account = common::account(&self.rpc, &dev.address).await;
        let mut spec = TxSpec::new(msgs, 10_000_000, account.account_number, account.sequence);
        spec.chain_id = self
            .rpc
            .status()
            .await
            .unwrap()
            .node_info
            .network
            .to_string();
        common::deliver(&self.rpc, spec.sign(&dev.key))
            .await
            .tx_result
    }

    /// Stores and instantiates the `ibc-ping` test contract; its address.
    async fn instantiate_ping(&self) -> String {
        let sender = common::dev(0).address;
        let stored = self
            .tx(
                0,
                vec![common::any(&MsgStoreCode {
                    sender: sender.clone(),
                    wasm_byte_code: common::artifact("ibc_ping.wasm"),
                    instantiate_permission: None,
                })],
            )
            .await;
        assert!(stored.code.is_ok(), "store: {}", stored.log);
        let code_id = attribute(&stored, "store_code", "code_id").parse().unwrap();
        let created = self
            .tx(
                0,
                vec![common::any(&MsgInstantiateContract {
                    sender,
                    admin: String::new(),
                    code_id,
                    label: "ping".into(),
                    msg: b"{}".to_vec(),
                    funds: vec![],
                })],
            )
            .await;
        assert!(created.code.is_ok(), "instantiate: {}", created.log);
        attribute(&created, "instantiate", "_contract_address")
    }

    /// Executes `msg` on `contract` as dev 0.
    async fn execute(&self, contract: &str, msg: serde_json::Value) -> TxResult {
        self.execute_paying(contract, msg, 0).await
    }

    /// Executes `msg` on `contract` as dev 0, attaching `ustar` (none when 0).
    async fn execute_paying(
        &self,
        contract: &str,
        msg: serde_json::Value,
        ustar: u128,
    ) -> TxResult {
        let funds = (ustar > 0)
            .then(|| cosmos_sdk_proto::cosmos::base::v1beta1::Coin {
                denom: "ustar".into(),
                amount: ustar.to_string(),
            })
            .into_iter()
            .collect();
        self.tx(
            0,
            vec![common::any(&MsgExecuteContract {
                sender: common::dev(0).address,
                contract: contract.to_string(),
                msg: msg.to_string().into_bytes(),
                funds,
            })],
        )
        .await
    }

    async fn smart(&self, contract: &str, msg: serde_json::Value) -> serde_json::Value {
        let r: QuerySmartContractStateResponse = self
            .query(
                "/cosmwasm.wasm.v1.Query/SmartContractState",
                QuerySmartContractStateRequest {
                    address: contract.to_string(),
                    query_data: msg.to_string().into_bytes(),
                },
            )
            .await;
        serde_json::from_slice(&r.data).unwrap()
    }
}

type TxResult = tendermint::abci::types::ExecTxResult;

/// The value of `key` in the first `kind` event of a transaction.
fn attribute(tx: &TxResult, kind: &str, key: &str) -> String {
    tx.events
        .iter()
        .filter(|e| e.kind == kind)
        .flat_map(|e| e.attributes.iter())
        .find(|a| a.key_str().ok() == Some(key))
        .and_then(|a| a.value_str().ok())
        .unwrap_or_else(|| panic!("no {kind}.{key} in {:?}", tx.events))
        .to_string()
}

/// The voucher of `denom` arriving over `transfer/channel-0`.
fn voucher(denom: &str) -> String {
    voucher_over(CHANNEL, denom)
}

/// The voucher of `denom` arriving over `transfer/<channel>`.
fn voucher_over(channel: &str, denom: &str) -> String {
    let hash = Sha256::digest(format!("transfer/{channel}/{denom}").as_bytes());
    format!("ibc/{}", hex::encode_upper(hash))
}

/// Devnets A and B side by side (300 ms blocks, three dev accounts each).
async fn pair() -> (LocalDevnet, LocalDevnet) {
    let opts = |id: &str| {
        DevnetOptions::new(3)
            .chain_id(id)
            .servers()
            .block_time("300ms")
            .bin(common::bin())
    };
    tokio::join!(LocalDevnet::start(opts(A)), LocalDevnet::start(opts(B)))
}

const TIMEOUT: [&str; 2] = ["--timeout-seconds", "300"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Hermes 1.11.0 (scripts/setup.sh installs it); scripts/test.sh runs it"]
async fn hermes_opens_a_transfer_channel_and_relays_ics20_both_ways_with_timeouts() {
    let (net_a, net_b) = pair().await;
    let (a, b) = (Chain::new(&net_a), Chain::new(&net_b));
    let hermes = Hermes::new(&[(A, &net_a), (B, &net_b)], 4_000_000);
    let started = Instant::now();
    hermes.create_transfer_channel(A, B);
    eprintln!("channel open in {:?}", started.elapsed());
    let (esc_a, esc_b) = (a.escrow().await, b.escrow().await);
    let star = "ustar";
    let v = voucher(star); // the same on both sides: both channels are channel-0
                           // Hermes' `user` key is dev account 1 on both chains.
    let b_user = b.dev(1).to_string();
    let (a_rcv, b_rcv) = (a.dev(2).to_string(), b.dev(2).to_string());

    // A → B: escrowed on A, minted on B with its trace.
    hermes.transfer(A, B, CHANNEL, 1_000, star, &b_user, 1, &TIMEOUT);
    hermes.relay(A, B, CHANNEL);
    assert_eq!(a.balance(&esc_a, star).await, 1_000);
    assert_eq!(b.balance(&b_user, &v).await, 1_000);
    assert_eq!(b.supply(&v).await, 1_000);
    assert_eq!(
        b.trace(&v).await,
        (format!("transfer/{CHANNEL}"), star.to_string())
    );

    // The voucher goes home in two parts: burnt on B, released from A's escrow.
    let before = a.balance(&a_rcv, star).await;
    hermes.transfer(B, A, CHANNEL, 400, &v, &a_rcv, 1, &TIMEOUT);
    hermes.relay(B, A, CHANNEL);
    assert_eq!(a.balance(&a_rcv, star).await, before + 400);
    assert_eq!(a.balance(&esc_a, star).await, 600);
    assert_eq!(b.supply(&v).await, 600);
    hermes.transfer(B, A, CHANNEL, 600, &v, &a_rcv, 1, &TIMEOUT);
    hermes.relay(B, A, CHANNEL);
    assert_eq!(a.balance(&esc_a, star).await, 0);
    assert_eq!(b.supply(&v).await, 0, "every voucher burnt");
    assert_eq!(b.balance(&b_user, &v).await, 0);

    // B's own token the other way.
    hermes.transfer(B, A, CHANNEL, 500, star, &a_rcv, 1, &TIMEOUT);
    hermes.relay(B, A, CHANNEL);
    assert_eq!(b.balance(&esc_b, star).await, 500);
    assert_eq!(a.balance(&a_rcv, &v).await, 500);
    assert_eq!(a.supply(&v).await, 500);

    // A height timeout: the packet may not land after 3 more blocks of B.
    hermes.transfer(
        A,
        B,
        CHANNEL,
        77,
        star,
        &b_rcv,
        1,
        &["--timeout-height-offset", "3"],
    );
    assert_eq!(a.balance(&esc_a, star).await, 77);
    let h = b.height().await;
    while b.height().await < h + 5 {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    hermes.packet_recv(A, B, CHANNEL);
    assert_eq!(
        a.balance(&esc_a, star).await,
        0,
        "refunded on the height timeout"
    );
    assert_eq!(b.balance(&b_rcv, &v).await, 0);

    // A timestamp timeout.
    hermes.transfer(
        A,
        B,
        CHANNEL,
        88,
        star,
        &b_rcv,
        1,
        &["--timeout-seconds", "2"],
    );
    assert_eq!(a.balance(&esc_a, star).await, 88);
    tokio::time::sleep(Duration::from_secs(4)).await;
    hermes.packet_recv(A, B, CHANNEL);
    assert_eq!(
        a.balance(&esc_a, star).await,
        0,
        "refunded on the timestamp timeout"
    );
    assert_eq!(b.balance(&b_rcv, &v).await, 0);
    assert!(hermes.nothing_pending(A, CHANNEL) && hermes.nothing_pending(B, CHANNEL));

    // `hermes start`: packets sent while it runs are relayed both ways.
    let relayer = hermes.start();
    tokio::time::sleep(Duration::from_secs(3)).await;
    let (a_before, b_before) = (b.balance(&b_rcv, &v).await, a.balance(&a_rcv, &v).await);
    for _ in 0..3 {
        hermes.transfer(A, B, CHANNEL, 10, star, &b_rcv, 1, &TIMEOUT);
        hermes.transfer(B, A, CHANNEL, 20, star, &a_rcv, 1, &TIMEOUT);
    }
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let done = b.balance(&b_rcv, &v).await == a_before + 30
            && a.balance(&a_rcv, &v).await == b_before + 60
            && hermes.nothing_pending(A, CHANNEL)
            && hermes.nothing_pending(B, CHANNEL);
        if done {
            break;
        }
        if Instant::now() > deadline {
            drop(relayer);
            let log = std::fs::read_to_string(hermes.log_path()).unwrap_or_default();
            panic!("hermes start did not relay everything within 120 s; its log:\n{log}");
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    drop(relayer);
    assert_eq!(a.balance(&esc_a, star).await, 30);
    assert_eq!(b.balance(&esc_b, star).await, 560);

    // Hermes finds both chains healthy.
    let out = hermes.command(&["health-check"]).output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success() && !text.contains("not healthy"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Hermes 1.11.0 (scripts/setup.sh installs it); scripts/test.sh runs it"]
async fn a_chain_killed_while_hermes_relays_loses_no_packet_and_doubles_none() {
    let (net_a, mut net_b) = pair().await;
    let hermes = Hermes::new(&[(A, &net_a), (B, &net_b)], 4_000_000);
    hermes.create_transfer_channel(A, B);
    let star = "ustar";
    let v = voucher(star);
    let b_rcv = net_b.devs[2].address.clone();
    let relayer = hermes.start();
    tokio::time::sleep(Duration::from_secs(3)).await;
    // Four transactions of 5 transfers of 7; B dies once the first
    // packets landed there, while Hermes relays the rest and the acks
    // (ft-transfer reads B's time, so all are sent before).
    for _ in 0..4 {
        hermes.transfer(A, B, CHANNEL, 7, star, &b_rcv, 5, &TIMEOUT);
    }
    let b = Chain::new(&net_b);
    let deadline = Instant::now() + Duration::from_secs(60);
    while b.balance(&b_rcv, &v).await == 0 {
        assert!(Instant::now() < deadline, "Hermes relayed nothing in 60 s");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let before_kill = b.balance(&b_rcv, &v).await;
    net_b.kill9();
    drop(relayer);
    tokio::time::sleep(Duration::from_secs(1)).await;
    net_b.restart().await;
    hermes.write_config(&[(A, &net_a), (B, &net_b)]);
    let relayer = hermes.start();
    let (a, b) = (Chain::new(&net_a), Chain::new(&net_b));
    let esc_a = a.escrow().await;
    let deadline = Instant::now() + Duration::from_secs(180);
    loop {
        if b.balance(&b_rcv, &v).await == 140
            && hermes.nothing_pending(A, CHANNEL)
            && hermes.nothing_pending(B, CHANNEL)
        {
            break;
        }
        if Instant::now() > deadline {
            let log = std::fs::read_to_string(hermes.log_path()).unwrap_or_default();
            panic!(
                "not every packet completed within 180 s after the restart (B holds {}); Hermes' log:\n{log}",
                b.balance(&b_rcv, &v).await
            );
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    drop(relayer);
    eprintln!("B held {before_kill} of 140 when it was killed");
    // Exactly once: 20 packets of 7, none lost and none doubled.
    assert_eq!(b.balance(&b_rcv, &v).await, 140);
    assert_eq!(b.supply(&v).await, 140);
    assert_eq!(a.balance(&esc_a, star).await, 140, "escrow = vouchers out");
}

/// A fixed-seed generator for the random walk below.
struct Walk(u64);
impl Walk {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        (z ^ (z >> 31)) % n
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Hermes 1.11.0 (scripts/setup.sh installs it); scripts/test.sh runs it"]
async fn random_transfers_returns_and_timeouts_keep_vouchers_equal_to_escrow() {
    let (net_a, net_b) = pair().await;
    let (a, b) = (Chain::new(&net_a), Chain::new(&net_b));
    let hermes = Hermes::new(&[(A, &net_a), (B, &net_b)], 4_000_000);
    hermes.create_transfer_channel(A, B);
    let (esc_a, esc_b) = (a.escrow().await, b.escrow().await);
    let star = "ustar";
    let v = voucher(star);
    // Hermes' `user` key (dev 1) sends on both sides; it also receives, so
    // vouchers it holds can be sent home.
    let (ua, ub) = (a.dev(1).to_string(), b.dev(1).to_string());
    let supply_a = a.supply(star).await;
    let supply_b = b.supply(star).await;
    let mut walk = Walk(0x1bc_5eed);
    let mut log = Vec::new();
    for step in 0..14 {
        let amount = 1 + u128::from(walk.next(50));
        let (op, timeout) = (walk.next(4), walk.next(4) == 0);
        let (src, dst, denom, to, what) = match op {
            0 => (A, B, star.to_string(), ub.clone(), "A's star to B"),
            1 => (B, A, star.to_string(), ua.clone(), "B's star to A"),
            2 => (B, A, v.clone(), ua.clone(), "A's star home from B"),
            _ => (A, B, v.clone(), ub.clone(), "B's star home from A"),
        };
        let (chain, holder) = if src == A { (&a, &ua) } else { (&b, &ub) };
        if denom == v && chain.balance(holder, &v).await < amount {
            continue; // nothing (enough) to send home
        }
        if timeout {
            hermes.transfer(
                src,
                dst,
                CHANNEL,
                amount,
                &denom,
                &to,
                1,
                &["--timeout-height-offset", "1"],
            );
            // Let the destination pass the timeout height, then have it proven.
            let d = if dst == A { &a } else { &b };
            let h = d.height().await;
            while d.height().await < h + 3 {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            hermes.packet_recv(src, dst, CHANNEL);
        } else {
            hermes.transfer(src, dst, CHANNEL, amount, &denom, &to, 1, &TIMEOUT);
            hermes.relay(src, dst, CHANNEL);
        }
        log.push(format!(
            "{step}: {what} {amount}{}",
            if timeout { " (timed out)" } else { "" }
        ));
        // Every voucher in circulation is backed by the other side's escrow,
        // and neither chain's own supply moved.
        assert_eq!(b.supply(&v).await, a.balance(&esc_a, star).await, "{log:?}");
        assert_eq!(a.supply(&v).await, b.balance(&esc_b, star).await, "{log:?}");
        assert_eq!(a.supply(star).await, supply_a, "{log:?}");
        assert_eq!(b.supply(star).await, supply_b, "{log:?}");
    }
    assert!(hermes.nothing_pending(A, CHANNEL) && hermes.nothing_pending(B, CHANNEL));
    eprintln!("{}", log.join("\n"));
}

/// The `ibc-ping` contract's state on one chain.
async fn ping_state(chain: &Chain<'_>, contract: &str) -> serde_json::Value {
    chain.smart(contract, json!({"state": {}})).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Hermes 1.11.0 (scripts/setup.sh installs it); scripts/test.sh runs it"]
async fn hermes_relays_a_contracts_pings_acks_error_acks_deferred_acks_timeouts_and_close() {
    let (net_a, net_b) = pair().await;
    let (a, b) = (Chain::new(&net_a), Chain::new(&net_b));
    let (ping_a, ping_b) = tokio::join!(a.instantiate_ping(), b.instantiate_ping());
    let (port_a, port_b) = (format!("wasm.{ping_a}"), format!("wasm.{ping_b}"));
    let hermes = Hermes::new(&[(A, &net_a), (B, &net_b)], 4_000_000);

    // The handshake runs through both contracts (they insist on `ping-1`).
    hermes.create_channel(A, B, &port_a, &port_b, Some("ping-1"));
    let port = a.smart(&ping_a, json!({"port_id": {}})).await;
    assert_eq!(port["port_id"], port_a, "IbcQuery::PortId");
    let listed = a.smart(&ping_a, json!({"channels": {}})).await;
    let channel = &listed["channels"][0];
    assert_eq!(
        channel["endpoint"],
        json!({"port_id": port_a, "channel_id": CHANNEL})
    );
    assert_eq!(
        channel["counterparty_endpoint"],
        json!({"port_id": port_b, "channel_id": CHANNEL}),
        "IbcQuery::ListChannels"
    );
    assert_eq!(channel["version"], "ping-1");
    assert_eq!(channel["order"], "ORDER_UNORDERED");
    let one = b
        .smart(&ping_b, json!({"channel": {"channel": CHANNEL}}))
        .await;
    assert_eq!(one["channel"]["counterparty_endpoint"]["port_id"], port_a);
    assert_eq!(ping_state(&b, &ping_b).await["channels"], json!([CHANNEL]));

    let ping = |fail: bool, defer: bool, timeout_seconds: u64| {
        json!({"ping": {"channel": CHANNEL, "timeout_seconds": timeout_seconds,
                        "fail": fail, "defer": defer}})
    };
    let relay = || {
        hermes.packet_recv_on(A, B, &port_a, CHANNEL);
        hermes.packet_ack_on(A, B, &port_b, CHANNEL);
    };

    // 1. A ping, received and acknowledged with B's count.
    let sent = a.execute(&ping_a, ping(false, false, 300)).await;
    assert!(sent.code.is_ok(), "ping: {}", sent.log);
    assert_eq!(attribute(&sent, "send_packet", "packet_src_port"), port_a);
    assert_eq!(attribute(&sent, "send_packet", "packet_sequence"), "1");
    relay();
    assert_eq!(ping_state(&b, &ping_b).await["received"], 1);
    assert_eq!(
        ping_state(&a, &ping_a).await["last_ack"],
        r#"{"pong":{"count":1}}"#
    );

    // 2. A receive that fails: B's write is reverted, A gets an error ack.
    assert!(a
        .execute(&ping_a, ping(true, false, 300))
        .await
        .code
        .is_ok());
    relay();
    assert_eq!(
        ping_state(&b, &ping_b).await["received"],
        1,
        "the failed receive's write must be reverted"
    );
    let last = ping_state(&a, &ping_a).await["last_ack"].clone();
    let ack: serde_json::Value = serde_json::from_str(last.as_str().unwrap()).unwrap();
    assert!(
        ack["error"]
            .as_str()
            .is_some_and(|e| e.contains("ABCI code: 5")),
        "an error acknowledgement, got {ack}"
    );

    // 3. A deferred acknowledgement, written later by B's contract.
    assert!(a
        .execute(&ping_a, ping(false, true, 300))
        .await
        .code
        .is_ok());
    hermes.packet_recv_on(A, B, &port_a, CHANNEL);
    let state_b = ping_state(&b, &ping_b).await;
    assert_eq!(state_b["received"], 2);
    assert_eq!(state_b["deferred"], json!([[CHANNEL, 3]]));
    let written = b
        .execute(
            &ping_b,
            json!({"ack_deferred": {"channel": CHANNEL, "sequence": 3}}),
        )
        .await;
    assert!(written.code.is_ok(), "ack_deferred: {}", written.log);
    assert_eq!(
        attribute(&written, "write_acknowledgement", "packet_sequence"),
        "3"
    );
    hermes.packet_ack_on(A, B, &port_b, CHANNEL);
    assert_eq!(
        ping_state(&a, &ping_a).await["last_ack"],
        r#"{"pong":{"count":2}}"#
    );
    // The contract cannot acknowledge the same packet twice (its own
    // check), nor can the host be made to (no packet awaits one).
    let again = b
        .execute(
            &ping_b,
            json!({"ack_deferred": {"channel": CHANNEL, "sequence": 3}}),
        )
        .await;
    assert!(again.code.is_err());

    // 4. A ping that times out comes back to A's contract.
    assert!(a.execute(&ping_a, ping(false, false, 1)).await.code.is_ok());
    tokio::time::sleep(Duration::from_secs(3)).await;
    hermes.packet_recv_on(A, B, &port_a, CHANNEL);
    assert_eq!(ping_state(&a, &ping_a).await["timeouts"], 1);
    assert_eq!(ping_state(&b, &ping_b).await["received"], 2);
    assert!(hermes.nothing_pending_on(A, &port_a, CHANNEL));
    assert!(hermes.nothing_pending_on(B, &port_b, CHANNEL));

    // 5. A contract sends ICS-20 (IbcMsg::Transfer) from its own balance,
    // over a transfer channel beside the ping one.
    hermes.create_transfer_channel(A, B);
    const TRANSFER_CHANNEL: &str = "channel-1";
    let receiver = b.dev(2).to_string();
    let sent = a
        .execute_paying(
            &ping_a,
            json!({"transfer": {"channel": TRANSFER_CHANNEL, "to": receiver, "timeout_seconds": 300}}),
            7,
        )
        .await;
    assert!(sent.code.is_ok(), "contract transfer: {}", sent.log);
    assert_eq!(
        attribute(&sent, "send_packet", "packet_src_port"),
        "transfer"
    );
    assert_eq!(
        a.balance(&ping_a, "ustar").await,
        0,
        "the contract's coins are escrowed"
    );
    hermes.relay(A, B, TRANSFER_CHANNEL);
    assert_eq!(
        b.balance(&receiver, &voucher_over(TRANSFER_CHANNEL, "ustar"))
            .await,
        7
    );

    // 6. A's contract closes the channel; Hermes confirms the close on B,
    // whose contract is told.
    let closed = a
        .execute(&ping_a, json!({"close": {"channel": CHANNEL}}))
        .await;
    assert!(closed.code.is_ok(), "close: {}", closed.log);
    assert_eq!(
        a.smart(&ping_a, json!({"channels": {}})).await["channels"],
        json!([]),
        "a closed channel is not listed"
    );
    hermes.ok(&[
        "tx",
        "chan-close-confirm",
        "--dst-chain",
        B,
        "--src-chain",
        A,
        "--dst-connection",
        "connection-0",
        "--dst-port",
        &port_b,
        "--src-port",
        &port_a,
        "--dst-channel",
        CHANNEL,
        "--src-channel",
        CHANNEL,
    ]);
    assert_eq!(ping_state(&b, &ping_b).await["channels"], json!([]));
    let refused = a.execute(&ping_a, ping(false, false, 300)).await;
    assert!(refused.code.is_err(), "a ping over a closed channel");
}

/// The packet `chain` sent with `sequence` over `transfer/channel-0`, from
/// its `send_packet` event (as a relayer finds it).
async fn sent_packet(chain: &Chain<'_>, sequence: u64) -> Packet {
    let query = Query::eq("send_packet.packet_sequence", sequence.to_string());
    let found = chain
        .rpc
        .tx_search(query, false, 1, 10, Order::Ascending)
        .await
        .unwrap();
    let tx = &found
        .txs
        .first()
        .expect("the send_packet transaction")
        .tx_result;
    let attr = |key: &str| attribute(tx, "send_packet", key);
    let height = |s: String| {
        let (revision, height) = s.split_once('-').unwrap();
        Some(Height {
            revision_number: revision.parse().unwrap(),
            revision_height: height.parse().unwrap(),
        })
    };
    Packet {
        sequence,
        source_port: attr("packet_src_port"),
        source_channel: attr("packet_src_channel"),
        destination_port: attr("packet_dst_port"),
        destination_channel: attr("packet_dst_channel"),
        data: hex::decode(attr("packet_data_hex")).unwrap(),
        timeout_height: height(attr("packet_timeout_height")),
        timeout_timestamp: attr("packet_timeout_timestamp").parse().unwrap(),
    }
}

/// `client`'s status on `chain` (Active, Expired, Frozen, …).
async fn client_status(chain: &Chain<'_>, client: &str) -> String {
    let r: QueryClientStatusResponse = chain
        .query(
            "/ibc.core.client.v1.Query/ClientStatus",
            QueryClientStatusRequest {
                client_id: client.to_string(),
            },
        )
        .await;
    r.status
}

/// `client`'s latest height on `chain`.
async fn client_height(chain: &Chain<'_>, client: &str) -> u64 {
    let r: QueryClientStateResponse = chain
        .query(
            "/ibc.core.client.v1.Query/ClientState",
            QueryClientStateRequest {
                client_id: client.to_string(),
            },
        )
        .await;
    let state = TmClientState::decode(r.client_state.unwrap().value.as_slice()).unwrap();
    state.latest_height.unwrap().revision_height
}

/// A `MsgRecvPacket` on B of `packet`, proven by `proof` at `proof_height`.
fn recv(packet: &Packet, proof: &MerkleProof, proof_height: u64, signer: &str) -> Any {
    common::any(&MsgRecvPacket {
        packet: Some(packet.clone()),
        proof_commitment: proof.encode_to_vec(),
        proof_height: Some(Height {
            revision_number: 1,
            revision_height: proof_height,
        }),
        signer: signer.to_string(),
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Hermes 1.11.0 (scripts/setup.sh installs it); scripts/test.sh runs it"]
async fn forged_and_height_shifted_proofs_wrong_counterparties_replays_and_expired_clients_are_refused(
) {
    let (net_a, net_b) = pair().await;
    let (a, b) = (Chain::new(&net_a), Chain::new(&net_b));
    let hermes = Hermes::new(&[(A, &net_a), (B, &net_b)], 4_000_000);
    hermes.create_transfer_channel(A, B);
    let receiver = b.dev(2).to_string();
    let coin = voucher("ustar");

    // A packet sent on A and not relayed: this test relays it by hand.
    hermes.transfer(A, B, CHANNEL, 100, "ustar", &receiver, 1, &TIMEOUT);
    let packet = sent_packet(&a, 1).await;
    // A block past the send, so the state a header of the client commits
    // to holds the commitment.
    tokio::time::sleep(Duration::from_secs(1)).await;
    hermes.ok(&[
        "update",
        "client",
        "--host-chain",
        B,
        "--client",
        "07-tendermint-0",
    ]);
    let proven_at = client_height(&b, "07-tendermint-0").await;
    // The commitment proven in A's state of `proven_at - 1`, whose app hash
    // is in the header of `proven_at`: what a relayer sends.
    let key = format!("commitments/ports/transfer/channels/{CHANNEL}/sequences/1");
    let r = a
        .rpc
        .abci_query(
            Some("store/ibc/key".to_string()),
            key.into_bytes(),
            Some((proven_at - 1).try_into().unwrap()),
            true,
        )
        .await
        .unwrap();
    assert!(r.code.is_ok() && !r.value.is_empty(), "{}", r.log);
    let honest = MerkleProof {
        proofs: r
            .proof
            .unwrap()
            .ops
            .iter()
            .map(|op| CommitmentProof::decode(op.data.as_slice()).unwrap())
            .collect(),
    };
    // The client moves on, so a later consensus state exists to shift to.
    tokio::time::sleep(Duration::from_secs(1)).await;
    hermes.ok(&[
        "update",
        "client",
        "--host-chain",
        B,
        "--client",
        "07-tendermint-0",
    ]);
    let later = client_height(&b, "07-tendermint-0").await;
    assert!(later > proven_at);

    let relayer = common::dev(0).address;
    let mut forged = honest.clone();
    let bytes = forged.proofs[0].encode_to_vec();
    let mut tampered = bytes.clone();
    // Flip a byte of the leaf's value hash region: a proof of another commitment.
    let at = bytes.len() / 2;
    tampered[at] ^= 0x01;
    forged.proofs[0] = CommitmentProof::decode(tampered.as_slice()).unwrap_or_default();
    let mut elsewhere = packet.clone();
    elsewhere.source_channel = "channel-9".to_string();
    let cases = [
        (
            "a forged proof",
            recv(&packet, &forged, proven_at, &relayer),
            "client",
        ),
        (
            "an honest proof claimed at a later height",
            recv(&packet, &honest, later, &relayer),
            "client",
        ),
        (
            "a packet from a channel that is not the counterparty",
            recv(&elsewhere, &honest, proven_at, &relayer),
            "channel",
        ),
    ];
    let before = b.balance(&receiver, &coin).await;
    for (what, msg, codespace) in cases {
        let r = b.tx(0, vec![msg]).await;
        assert!(r.code.is_err(), "{what} was accepted");
        assert_eq!(r.codespace, codespace, "{what}: {}", r.log);
        assert_eq!(b.balance(&receiver, &coin).await, before, "{what} minted");
    }

    // The honest proof is accepted once; a replay changes nothing.
    let first = b
        .tx(0, vec![recv(&packet, &honest, proven_at, &relayer)])
        .await;
    assert!(first.code.is_ok(), "the honest receive: {}", first.log);
    assert_eq!(b.balance(&receiver, &coin).await, before + 100);
    // A replay: ibc-go's ante handler refuses a redundant relay and its
    // handler makes it a no-op; ibc-rs refuses it because the packet's
    // acknowledgement exists (ibc-go's channel/17). Nothing is received twice.
    let replay = b
        .tx(0, vec![recv(&packet, &honest, proven_at, &relayer)])
        .await;
    assert_eq!(
        (replay.codespace.as_str(), replay.code.value()),
        ("channel", 17),
        "a replayed receive: {}",
        replay.log
    );
    assert_eq!(
        b.balance(&receiver, &coin).await,
        before + 100,
        "a replay minted"
    );
    hermes.packet_ack_on(A, B, "transfer", CHANNEL);
    assert!(hermes.nothing_pending(A, CHANNEL));

    // A client whose trusting period has passed is expired on the host,
    // and Hermes cannot update it.
    let created = hermes.ok(&[
        "create",
        "client",
        "--host-chain",
        B,
        "--reference-chain",
        A,
        "--trusting-period",
        "5s",
    ]);
    let client = created["CreateClient"]["client_id"]
        .as_str()
        .unwrap_or("07-tendermint-1")
        .to_string();
    tokio::time::sleep(Duration::from_secs(8)).await;
    assert_eq!(client_status(&b, &client).await, "Expired");
    let update = hermes
        .command(&["update", "client", "--host-chain", B, "--client", &client])
        .output()
        .unwrap();
    assert!(!update.status.success(), "an expired client was updated");
}

/// Chain A's header at `height` and a second one at the same height with
/// another app hash, signed by `signer`: a fork, when `signer` is A's
/// validator.
async fn fork_at(
    a: &Chain<'_>,
    height: u64,
    signer: &Validator,
) -> (
    tendermint::block::signed_header::SignedHeader,
    tendermint::block::signed_header::SignedHeader,
) {
    let real = a.rpc.commit(height as u32).await.unwrap().signed_header;
    let mut header = real.header.clone();
    header.app_hash = tendermint::AppHash::try_from(vec![0xAB; 32]).unwrap();
    let block_id = tendermint::block::Id {
        hash: header.hash(),
        part_set_header: real.commit.block_id.part_set_header,
    };
    let commit = signer
        .sign_commit(&header.chain_id, height, block_id, header.time)
        .unwrap();
    let forged = tendermint::block::signed_header::SignedHeader::new(header, commit).unwrap();
    (real, forged)
}

/// The 07-tendermint `Header` of a signed header of A, trusted from `trusted`.
fn tm_header(
    signed: &tendermint::block::signed_header::SignedHeader,
    validators: &tendermint::validator::Set,
    trusted: u64,
) -> TmHeader {
    use tendermint_proto::v0_38::types as tmpb;
    // ibc-proto's tendermint messages are another version of the same wire types.
    let signed = prost_tm::Message::encode_to_vec(&tmpb::SignedHeader::from(signed.clone()));
    let set = prost_tm::Message::encode_to_vec(&tmpb::ValidatorSet::from(validators.clone()));
    TmHeader {
        signed_header: Some(Message::decode(signed.as_slice()).unwrap()),
        validator_set: Some(Message::decode(set.as_slice()).unwrap()),
        trusted_height: Some(Height {
            revision_number: 1,
            revision_height: trusted,
        }),
        trusted_validators: Some(Message::decode(set.as_slice()).unwrap()),
    }
}

fn update(client: &str, message: Any, signer: &str) -> Any {
    common::any(&MsgUpdateClient {
        client_id: client.to_string(),
        client_message: Some(message),
        signer: signer.to_string(),
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Hermes 1.11.0 (scripts/setup.sh installs it); scripts/test.sh runs it"]
async fn a_header_from_a_stranger_is_refused_and_a_validators_fork_freezes_the_client() {
    let (net_a, net_b) = pair().await;
    let (a, b) = (Chain::new(&net_a), Chain::new(&net_b));
    let hermes = Hermes::new(&[(A, &net_a), (B, &net_b)], 4_000_000);
    hermes.create_transfer_channel(A, B);
    const CLIENT: &str = "07-tendermint-0";
    let trusted = client_height(&b, CLIENT).await;
    let height = a.height().await.max(trusted + 2);
    while a.height().await <= height {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let key_file = net_a.home.path().join("config/priv_validator_key.json");
    let key: PrivValidatorKey = serde_json::from_slice(&std::fs::read(key_file).unwrap()).unwrap();
    let validator = Validator::new(&key).unwrap();
    let validators = validator.set();
    let relayer = common::dev(0).address;
    let header_any = |h: &TmHeader| Any {
        type_url: "/ibc.lightclients.tendermint.v1.Header".into(),
        value: h.encode_to_vec(),
    };

    // A header signed by a key that is not A's validator: refused, the client unharmed.
    let stranger = Validator::new(&PrivValidatorKey::generate()).unwrap();
    let (_, not_a) = fork_at(&a, height, &stranger).await;
    let refused = b
        .tx(
            0,
            vec![update(
                CLIENT,
                header_any(&tm_header(&not_a, &validators, trusted)),
                &relayer,
            )],
        )
        .await;
    assert!(refused.code.is_err(), "a stranger's header was accepted");
    assert_eq!(refused.codespace, "client", "{}", refused.log);
    assert_eq!(client_status(&b, CLIENT).await, "Active");

    // A's own validator signs two blocks at one height: the evidence
    // freezes the client.
    let (real, forged) = fork_at(&a, height, &validator).await;
    let evidence = TmMisbehaviour {
        #[allow(deprecated)]
        client_id: CLIENT.into(),
        header_1: Some(tm_header(&real, &validators, trusted)),
        header_2: Some(tm_header(&forged, &validators, trusted)),
    };
    let frozen = b
        .tx(
            0,
            vec![update(
                CLIENT,
                Any {
                    type_url: "/ibc.lightclients.tendermint.v1.Misbehaviour".into(),
                    value: evidence.encode_to_vec(),
                },
                &relayer,
            )],
        )
        .await;
    assert!(frozen.code.is_ok(), "misbehaviour: {}", frozen.log);
    assert_eq!(client_status(&b, CLIENT).await, "Frozen");

    // Nothing moves through a frozen client: the real header is refused
    // with ibc-go's "client is not active", and Hermes cannot relay.
    let later = a.height().await;
    let (real_later, _) = fork_at(&a, later, &validator).await;
    let after = b
        .tx(
            0,
            vec![update(
                CLIENT,
                header_any(&tm_header(&real_later, &validators, trusted)),
                &relayer,
            )],
        )
        .await;
    assert_eq!(
        (after.codespace.as_str(), after.code.value()),
        ("client", 29),
        "an update of a frozen client: {}",
        after.log
    );
    let receiver = b.dev(2).to_string();
    hermes.transfer(A, B, CHANNEL, 10, "ustar", &receiver, 1, &TIMEOUT);
    let relay = hermes
        .command(&[
            "tx",
            "packet-recv",
            "--dst-chain",
            B,
            "--src-chain",
            A,
            "--src-port",
            "transfer",
            "--src-channel",
            CHANNEL,
        ])
        .output()
        .unwrap();
    assert!(
        !relay.status.success() || String::from_utf8_lossy(&relay.stdout).contains("error"),
        "Hermes relayed through a frozen client"
    );
    assert_eq!(
        b.balance(&receiver, &voucher("ustar")).await,
        0,
        "a packet crossed a frozen client"
    );
}
