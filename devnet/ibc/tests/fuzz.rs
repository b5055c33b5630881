//! Random and mutated IBC messages through `deliver`: every one is either
//! run or refused with a codespace and a message; none panics. 6,000
//! inputs over every message type the module routes, from a fixed seed.

use std::collections::HashMap;
use std::rc::Rc;

use ibc_proto::cosmos::base::v1beta1::Coin;
use ibc_proto::ibc::apps::transfer::v1::MsgTransfer;
use ibc_proto::ibc::core::channel::v1::{
    Channel, Counterparty, MsgChannelOpenInit, MsgRecvPacket, Packet,
};
use ibc_proto::ibc::core::client::v1::{Height, MsgUpdateClient};
use prost::Message;
use starminer_ibc::{deliver, Apps, Bank, BlockEnv, HostChain, HostHeader, NoContracts};
use starminer_wasm_host::MemStore;

/// A chain that has no past headers or proofs to give.
struct NoChain;
impl HostChain for NoChain {
    fn header(&self, _: u64) -> Option<HostHeader> {
        None
    }
    fn proof(&self, _: &[u8], _: u64) -> Option<Vec<u8>> {
        None
    }
}

/// Balances in a map, with the bank's refusals (the node's bank is the
/// wasm host's; the node's own tests run the module on it).
#[derive(Default)]
struct MapBank(HashMap<(String, String), u128>);
impl Bank for MapBank {
    fn balance(&self, addr: &str, denom: &str) -> u128 {
        *self.0.get(&(addr.into(), denom.into())).unwrap_or(&0)
    }
    fn send(&mut self, from: &str, to: &str, denom: &str, amount: u128) -> Result<(), String> {
        let have = self.balance(from, denom);
        let left = have.checked_sub(amount).ok_or("insufficient funds")?;
        self.0.insert((from.into(), denom.into()), left);
        *self.0.entry((to.into(), denom.into())).or_default() += amount;
        Ok(())
    }
    fn mint(&mut self, to: &str, denom: &str, amount: u128) -> Result<(), String> {
        let e = self.0.entry((to.into(), denom.into())).or_default();
        *e = e.checked_add(amount).ok_or("overflow")?;
        Ok(())
    }
    fn burn(&mut self, from: &str, denom: &str, amount: u128) -> Result<(), String> {
        let have = self.balance(from, denom);
        let left = have.checked_sub(amount).ok_or("insufficient funds")?;
        self.0.insert((from.into(), denom.into()), left);
        Ok(())
    }
    fn validate_address(&self, addr: &str) -> Result<(), String> {
        if addr.starts_with("starminer1") && addr.len() > 20 {
            Ok(())
        } else {
            Err(format!("invalid address {addr}"))
        }
    }
    fn address_of(&self, raw: &[u8]) -> String {
        format!("starminer1{}", hex::encode(raw))
    }
}

struct SplitMix(u64);
impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

const SIGNER: &str = "starminer1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq";

fn height(h: u64) -> Option<Height> {
    Some(Height {
        revision_number: 1,
        revision_height: h,
    })
}

/// A well-formed message of each kind to mutate.
fn seeds() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        (
            "/ibc.applications.transfer.v1.MsgTransfer",
            MsgTransfer {
                source_port: "transfer".into(),
                source_channel: "channel-0".into(),
                token: Some(Coin {
                    denom: "ustar".into(),
                    amount: "5".into(),
                }),
                sender: SIGNER.into(),
                receiver: "cosmos1xyz".into(),
                timeout_height: height(100),
                timeout_timestamp: 0,
                memo: String::new(),
            }
            .encode_to_vec(),
        ),
        (
            "/ibc.core.channel.v1.MsgRecvPacket",
            MsgRecvPacket {
                packet: Some(Packet {
                    sequence: 1,
                    source_port: "transfer".into(),
                    source_channel: "channel-0".into(),
                    destination_port: "transfer".into(),
                    destination_channel: "channel-0".into(),
                    data: br#"{"amount":"1","denom":"ustar","receiver":"x","sender":"y"}"#.to_vec(),
                    timeout_height: height(100),
                    timeout_timestamp: 0,
                }),
                proof_commitment: vec![1, 2, 3],
                proof_height: height(5),
                signer: SIGNER.into(),
            }
            .encode_to_vec(),
        ),
        (
            "/ibc.core.channel.v1.MsgChannelOpenInit",
            MsgChannelOpenInit {
                port_id: "transfer".into(),
                channel: Some(Channel {
                    state: 1,
                    ordering: 1,
                    counterparty: Some(Counterparty {
                        port_id: "transfer".into(),
                        channel_id: String::new(),
                    }),
                    connection_hops: vec!["connection-0".into()],
                    version: "ics20-1".into(),
                    upgrade_sequence: 0,
                }),
                signer: SIGNER.into(),
            }
            .encode_to_vec(),
        ),
        (
            "/ibc.core.client.v1.MsgUpdateClient",
            MsgUpdateClient {
                client_id: "07-tendermint-0".into(),
                client_message: Some(ibc_proto::google::protobuf::Any {
                    type_url: "/ibc.lightclients.tendermint.v1.Header".into(),
                    value: vec![10, 2, 8, 1],
                }),
                signer: SIGNER.into(),
            }
            .encode_to_vec(),
        ),
    ]
}

const URLS: &[&str] = &[
    "/ibc.core.client.v1.MsgCreateClient",
    "/ibc.core.client.v1.MsgUpdateClient",
    "/ibc.core.client.v1.MsgUpgradeClient",
    "/ibc.core.client.v1.MsgSubmitMisbehaviour",
    "/ibc.core.connection.v1.MsgConnectionOpenInit",
    "/ibc.core.connection.v1.MsgConnectionOpenTry",
    "/ibc.core.connection.v1.MsgConnectionOpenAck",
    "/ibc.core.connection.v1.MsgConnectionOpenConfirm",
    "/ibc.core.channel.v1.MsgChannelOpenInit",
    "/ibc.core.channel.v1.MsgChannelOpenTry",
    "/ibc.core.channel.v1.MsgChannelOpenAck",
    "/ibc.core.channel.v1.MsgChannelOpenConfirm",
    "/ibc.core.channel.v1.MsgChannelCloseInit",
    "/ibc.core.channel.v1.MsgChannelCloseConfirm",
    "/ibc.core.channel.v1.MsgRecvPacket",
    "/ibc.core.channel.v1.MsgAcknowledgement",
    "/ibc.core.channel.v1.MsgTimeout",
    "/ibc.core.channel.v1.MsgTimeoutOnClose",
    "/ibc.applications.transfer.v1.MsgTransfer",
    "/ibc.core.nothing.v1.MsgNothing",
];

#[test]
fn random_and_mutated_ibc_messages_are_refused_or_run_and_never_panic() {
    let mut rng = SplitMix(0x1bc_f022);
    let store = MemStore::default();
    let mut bank = MapBank::default();
    bank.mint(SIGNER, "ustar", 1_000_000).unwrap();
    let seeds = seeds();
    let (mut refused, mut run) = (0, 0);
    for i in 0..6_000u64 {
        let (url, bytes) = if i % 2 == 0 {
            let url = URLS[(rng.next() as usize) % URLS.len()];
            let n = (rng.next() % 400) as usize;
            (url, rng.bytes(n))
        } else {
            let (url, seed) = &seeds[(rng.next() as usize) % seeds.len()];
            let mut b = seed.clone();
            for _ in 0..1 + rng.next() % 4 {
                let at = (rng.next() as usize) % b.len();
                b[at] ^= 1 + (rng.next() % 255) as u8;
            }
            if i % 10 == 1 {
                b.truncate((rng.next() as usize) % b.len());
            }
            (*url, b)
        };
        let env = BlockEnv {
            chain_id: "starminer-a-1".into(),
            height: 10 + i,
            time_nanos: 1_700_000_000_000_000_000 + i * 1_000_000_000,
        };
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            deliver(
                store.clone(),
                env,
                Rc::new(NoChain),
                Apps {
                    bank: &mut bank,
                    contracts: &NoContracts,
                    gas_limit: u64::MAX,
                },
                url,
                &bytes,
            )
        }));
        match outcome {
            Err(_) => panic!("{url} with {} panicked", hex::encode(&bytes)),
            Ok(Err(e)) => {
                assert!(!e.codespace.is_empty() && !e.log.is_empty(), "{url}: {e:?}");
                refused += 1;
            }
            Ok(Ok(_)) => run += 1,
        }
    }
    assert!(refused > 5_000, "{refused} refused, {run} run");
    // The signer's coins only move with a transfer that ran.
    assert!(bank.balance(SIGNER, "ustar") <= 1_000_000);
}
