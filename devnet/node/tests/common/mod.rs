//! Helpers for the node's integration tests: a devnet child process (the
//! testkit's launcher, on ports the node picks itself), a tendermint-rpc
//! client, and transactions built and signed with cosmrs.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use cosmos_sdk_proto::cosmos::auth::v1beta1::{
    BaseAccount, QueryAccountRequest, QueryAccountResponse,
};
use cosmos_sdk_proto::cosmos::bank::v1beta1::{MsgSend, QueryBalanceRequest, QueryBalanceResponse};
use cosmos_sdk_proto::cosmos::base::v1beta1::Coin as ProtoCoin;
use cosmos_sdk_proto::Any;
use cosmrs::crypto::secp256k1::SigningKey;
use cosmrs::tx::{Body, Fee, SignDoc, SignerInfo};
use prost::{Message, Name};
use starminer_testkit::{DevnetOptions, LocalDevnet};
use tendermint_rpc::{Client, HttpClient};

pub const CHAIN_ID: &str = "starminer-devnet-1";
pub const DENOM: &str = "ustar";
/// The node's default minimum gas price is 0.0025ustar.
pub const GAS_PRICE_MILLI: u128 = 25; // per 10,000 gas units... see `fee_for`

/// The fee the minimum gas price asks for `gas` (0.0025ustar per gas, rounded up).
pub fn fee_for(gas: u64) -> u128 {
    (gas as u128 * GAS_PRICE_MILLI).div_ceil(10_000)
}

/// A gRPC-path `abci_query`, decoded; panics if the node refuses it.
pub async fn abci<Req: Message, Resp: Message + Default>(
    client: &HttpClient,
    path: &str,
    req: Req,
) -> Resp {
    let r = client
        .abci_query(Some(path.to_string()), req.encode_to_vec(), None, false)
        .await
        .unwrap();
    assert!(r.code.is_ok(), "query {path}: {}", r.log);
    Resp::decode(r.value.as_slice()).unwrap()
}

/// `address`'s balance of `denom`.
pub async fn bank_balance(client: &HttpClient, address: &str, denom: &str) -> u128 {
    let r: QueryBalanceResponse = abci(
        client,
        "/cosmos.bank.v1beta1.Query/Balance",
        QueryBalanceRequest {
            address: address.to_string(),
            denom: denom.to_string(),
        },
    )
    .await;
    r.balance.unwrap().amount.parse().unwrap()
}

/// `address`'s account (number and sequence).
pub async fn account(client: &HttpClient, address: &str) -> BaseAccount {
    let r: QueryAccountResponse = abci(
        client,
        "/cosmos.auth.v1beta1.Query/Account",
        QueryAccountRequest {
            address: address.to_string(),
        },
    )
    .await;
    BaseAccount::decode(r.account.unwrap().value.as_slice()).unwrap()
}

/// Broadcasts; asserts CheckTx passed; waits for the block; returns the DeliverTx result.
pub async fn deliver(client: &HttpClient, tx: Vec<u8>) -> tendermint_rpc::endpoint::tx::Response {
    let r = client.broadcast_tx_sync(tx).await.unwrap();
    assert!(
        r.code.is_ok(),
        "CheckTx failed: {}/{} {}",
        r.codespace,
        r.code.value(),
        r.log
    );
    wait_tx(client, r.hash).await
}

/// The committed result of transaction `hash` (waits up to 10 s for it).
pub async fn wait_tx(
    client: &HttpClient,
    hash: tendermint::Hash,
) -> tendermint_rpc::endpoint::tx::Response {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Ok(t) = client.tx(hash, false).await {
            return t;
        }
        assert!(Instant::now() < deadline, "tx {hash} was not committed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_starminer-devnet"))
}

pub fn artifact(name: &str) -> Vec<u8> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../artifacts");
    std::fs::read(root.join(name)).expect("artifact (run scripts/build-wasm.sh)")
}

/// A dev account: its address and key.
pub struct Dev {
    pub address: String,
    pub key: SigningKey,
}

/// Dev account `i` of a devnet home (its key derived from the dev mnemonic).
pub fn dev(i: u32) -> Dev {
    let d = &starminer_devnet::node::dev_accounts(i + 1).unwrap()[i as usize];
    let k = starminer_devnet::crypto::key_from_mnemonic(&d.mnemonic).unwrap();
    Dev {
        address: d.address.clone(),
        key: SigningKey::from_slice(&k.to_bytes()).unwrap(),
    }
}

/// A devnet child process with its home: the testkit's launcher, with
/// REST and gRPC served, and this crate's clients.
pub struct Devnet {
    pub net: LocalDevnet,
    pub port: u16,
    /// The Cosmos REST port.
    pub rest_port: u16,
    /// The gRPC port.
    pub grpc_port: u16,
    pub client: HttpClient,
    pub devs: Vec<Dev>,
}

impl Devnet {
    /// `init` a fresh home with two dev accounts and `start` the node (100 ms blocks).
    pub async fn start() -> Devnet {
        Self::start_with_block_time("100ms").await
    }

    /// [`Devnet::start`] with another `--block-time`.
    pub async fn start_with_block_time(block_time: &'static str) -> Devnet {
        let net = LocalDevnet::start(
            DevnetOptions::new(2)
                .block_time(block_time)
                .servers()
                .bin(bin()),
        )
        .await;
        let mut d = Devnet {
            net,
            port: 0,
            rest_port: 0,
            grpc_port: 0,
            client: HttpClient::new("http://127.0.0.1:1").unwrap(),
            devs: (0..2).map(dev).collect(),
        };
        d.read_ports();
        d
    }

    fn read_ports(&mut self) {
        let l = self.net.listening;
        self.port = l.rpc.port();
        self.rest_port = l.rest.expect("REST is served").port();
        self.grpc_port = l.grpc.expect("gRPC is served").port();
        self.client = HttpClient::new(self.net.rpc.as_str()).unwrap();
    }

    /// The node's home directory.
    pub fn home(&self) -> &Path {
        self.net.home.path()
    }

    /// Starts the node process again (after [`Devnet::kill`]) on fresh
    /// ports and waits for a block.
    pub async fn spawn(&mut self) {
        self.net.restart().await;
        self.read_ports();
    }

    /// `kill -9`.
    pub fn kill(&mut self) {
        self.net.kill9();
    }

    pub async fn height(&self) -> u64 {
        self.client
            .status()
            .await
            .unwrap()
            .sync_info
            .latest_block_height
            .value()
    }

    /// Waits until the chain is past `height`.
    pub async fn wait_past(&self, height: u64) -> u64 {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let h = self.height().await;
            if h > height {
                return h;
            }
            assert!(Instant::now() < deadline, "no block after {height}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub async fn query<Req: Message, Resp: Message + Default>(&self, path: &str, req: Req) -> Resp {
        abci(&self.client, path, req).await
    }

    pub async fn account(&self, address: &str) -> BaseAccount {
        account(&self.client, address).await
    }

    pub async fn balance(&self, address: &str) -> u128 {
        bank_balance(&self.client, address, DENOM).await
    }

    /// Signs `msgs` as dev `signer` with its current account number and sequence.
    pub async fn sign(&self, signer: usize, msgs: Vec<Any>, gas: u64) -> Vec<u8> {
        let acc = self.account(&self.devs[signer].address).await;
        TxSpec::new(msgs, gas, acc.account_number, acc.sequence).sign(&self.devs[signer].key)
    }

    /// Broadcasts; asserts CheckTx passed; waits for the block; returns the DeliverTx result.
    pub async fn deliver(&self, tx: Vec<u8>) -> tendermint_rpc::endpoint::tx::Response {
        deliver(&self.client, tx).await
    }

    pub async fn wait_tx(&self, hash: tendermint::Hash) -> tendermint_rpc::endpoint::tx::Response {
        wait_tx(&self.client, hash).await
    }
}

impl Drop for Devnet {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The parts of a transaction a test may want to get wrong.
pub struct TxSpec {
    pub msgs: Vec<Any>,
    pub gas: u64,
    pub fee: u128,
    pub account_number: u64,
    pub sequence: u64,
    pub chain_id: String,
}

impl TxSpec {
    pub fn new(msgs: Vec<Any>, gas: u64, account_number: u64, sequence: u64) -> Self {
        TxSpec {
            msgs,
            gas,
            fee: fee_for(gas),
            account_number,
            sequence,
            chain_id: CHAIN_ID.to_string(),
        }
    }

    /// `TxRaw` bytes signed with SIGN_MODE_DIRECT by cosmrs.
    pub fn sign(&self, key: &SigningKey) -> Vec<u8> {
        let body = Body::new(self.msgs.clone(), "", 0u32);
        let fee = Fee::from_amount_and_gas(
            cosmrs::Coin {
                denom: DENOM.parse().unwrap(),
                amount: self.fee,
            },
            self.gas,
        );
        let auth_info =
            SignerInfo::single_direct(Some(key.public_key()), self.sequence).auth_info(fee);
        let chain_id: cosmrs::tendermint::chain::Id = self.chain_id.parse().unwrap();
        SignDoc::new(&body, &auth_info, &chain_id, self.account_number)
            .unwrap()
            .sign(key)
            .unwrap()
            .to_bytes()
            .unwrap()
    }
}

pub fn any<M: Message + Name>(m: &M) -> Any {
    Any {
        type_url: M::type_url(),
        value: m.encode_to_vec(),
    }
}

pub fn send(from: &str, to: &str, amount: u128) -> Any {
    any(&MsgSend {
        from_address: from.to_string(),
        to_address: to.to_string(),
        amount: vec![ProtoCoin {
            denom: DENOM.to_string(),
            amount: amount.to_string(),
        }],
    })
}

/// A small deterministic RNG (SplitMix64) for reproducible random inputs.
pub struct SplitMix(pub u64);

impl SplitMix {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next_u64() as u8).collect()
    }
}
