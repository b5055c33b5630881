//! Bad IBC messages on a live devnet: each is refused with a clear error
//! under ibc-go's codespace and code for it, nothing but the fee is taken,
//! and the chain goes on.

mod common;

use common::{send, Devnet};
use cosmos_sdk_proto::Any;
use ibc_proto::cosmos::base::v1beta1::Coin;
use ibc_proto::ibc::apps::transfer::v1::MsgTransfer;
use ibc_proto::ibc::core::channel::v1::{
    Channel, Counterparty, MsgChannelOpenInit, MsgRecvPacket, Packet,
};
use ibc_proto::ibc::core::client::v1::{Height, MsgUpdateClient};
use prost::Message;
use tendermint_rpc::Client;

fn any(type_url: &str, m: impl Message) -> Any {
    Any {
        type_url: type_url.to_string(),
        value: m.encode_to_vec(),
    }
}

fn transfer(sender: &str, channel: &str, denom: &str) -> Any {
    any(
        "/ibc.applications.transfer.v1.MsgTransfer",
        MsgTransfer {
            source_port: "transfer".into(),
            source_channel: channel.into(),
            token: Some(Coin {
                denom: denom.into(),
                amount: "5".into(),
            }),
            sender: sender.into(),
            receiver: "cosmos1qypqxpq9qcrsszg2pvxq6rs0zqg3yyc5lzv7xu".into(),
            timeout_height: Some(Height {
                revision_number: 1,
                revision_height: 1_000_000,
            }),
            timeout_timestamp: 0,
            memo: String::new(),
        },
    )
}

fn height(h: u64) -> Option<Height> {
    Some(Height {
        revision_number: 1,
        revision_height: h,
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_ibc_messages_are_refused_with_ibc_go_codes_and_cost_only_the_fee() {
    let net = Devnet::start().await;
    let me = net.devs[0].address.clone();
    let before = net.balance(&me).await;
    let gas = 400_000;
    let cases: Vec<(&str, Any, &str, u32, &str)> = vec![
        (
            "a transfer over a channel that does not exist",
            transfer(&me, "channel-7", "ustar"),
            "channel",
            3,
            "channel-7",
        ),
        (
            "a voucher this chain never minted",
            transfer(&me, "channel-0", &format!("ibc/{}", "AB".repeat(32))),
            "transfer",
            6,
            "denomination trace not found",
        ),
        (
            "an update of a client that does not exist",
            any(
                "/ibc.core.client.v1.MsgUpdateClient",
                MsgUpdateClient {
                    client_id: "07-tendermint-0".into(),
                    client_message: Some(ibc_proto::google::protobuf::Any {
                        type_url: "/ibc.lightclients.tendermint.v1.Header".into(),
                        value: vec![1, 2, 3],
                    }),
                    signer: me.clone(),
                },
            ),
            "client",
            4,
            "07-tendermint-0",
        ),
        (
            "a packet with a forged proof on a channel that does not exist",
            any(
                "/ibc.core.channel.v1.MsgRecvPacket",
                MsgRecvPacket {
                    packet: Some(Packet {
                        sequence: 1,
                        source_port: "transfer".into(),
                        source_channel: "channel-0".into(),
                        destination_port: "transfer".into(),
                        destination_channel: "channel-0".into(),
                        data: br#"{"amount":"1","denom":"ustar","receiver":"x","sender":"y"}"#
                            .to_vec(),
                        timeout_height: height(1_000_000),
                        timeout_timestamp: 0,
                    }),
                    proof_commitment: vec![0xde, 0xad, 0xbe, 0xef],
                    proof_height: height(5),
                    signer: me.clone(),
                },
            ),
            "channel",
            3,
            "channel-0",
        ),
        (
            "a channel on a port no application owns",
            any(
                "/ibc.core.channel.v1.MsgChannelOpenInit",
                MsgChannelOpenInit {
                    port_id: "nobody".into(),
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
                    signer: me.clone(),
                },
            ),
            "port",
            4,
            "nobody",
        ),
    ];
    let mut fees = 0u128;
    for (what, msg, codespace, code, needle) in cases {
        let tx = net.sign(0, vec![msg], gas).await;
        let r = net.deliver(tx).await;
        let res = &r.tx_result;
        assert!(res.code.is_err(), "{what}: accepted");
        assert_eq!(
            (res.codespace.as_str(), res.code.value()),
            (codespace, code),
            "{what}: {}",
            res.log
        );
        assert!(res.log.contains(needle), "{what}: {}", res.log);
        assert!(
            res.log
                .starts_with("failed to execute message; message index: 0: "),
            "{what}: {}",
            res.log
        );
        fees += common::fee_for(gas);
    }

    // A message whose bytes do not decode is refused before it is run.
    let garbage = Any {
        type_url: "/ibc.core.client.v1.MsgCreateClient".into(),
        value: vec![0xff, 0xff, 0xff],
    };
    let tx = net.sign(0, vec![garbage], gas).await;
    let r = net.client.broadcast_tx_sync(tx).await.unwrap();
    assert!(r.code.is_err(), "undecodable IBC message accepted");
    assert_eq!(r.codespace, "sdk", "{}", r.log);

    // Only the fees were taken, and the chain goes on.
    assert_eq!(net.balance(&me).await, before - fees);
    let other = net.devs[1].address.clone();
    let tx = net.sign(0, vec![send(&me, &other, 1)], 200_000).await;
    let r = net.deliver(tx).await;
    assert!(r.tx_result.code.is_ok(), "{}", r.tx_result.log);
}
