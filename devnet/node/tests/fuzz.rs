//! 10,000 random byte strings (and mutations of a valid transaction) sent to
//! `broadcast_tx_sync`: every one is rejected, the node keeps producing
//! blocks and still accepts a valid transaction.

mod common;

use std::time::{Duration, Instant};

use common::*;
use futures_util::stream::{self, StreamExt};
use tendermint_rpc::Client;

const INPUTS: usize = 10_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_bytes_are_rejected_and_blocks_continue() {
    let net = Devnet::start().await;
    let (alice, bob) = (net.devs[0].address.clone(), net.devs[1].address.clone());
    let valid = net.sign(0, vec![send(&alice, &bob, 1)], 200_000).await;
    let mut rng = SplitMix(0x5eed_f022);
    let inputs: Vec<Vec<u8>> = (0..INPUTS)
        .map(|i| {
            if i % 2 == 0 {
                let len = (rng.next_u64() % 600) as usize + 1;
                rng.bytes(len)
            } else {
                // A valid transaction with 1 to 4 bytes changed, or cut short.
                let mut tx = valid.clone();
                if i % 10 == 1 {
                    tx.truncate((rng.next_u64() as usize) % tx.len());
                } else {
                    for _ in 0..1 + rng.next_u64() % 4 {
                        let at = (rng.next_u64() as usize) % tx.len();
                        tx[at] ^= 1 + (rng.next_u64() % 255) as u8;
                    }
                }
                tx
            }
        })
        .collect();
    let start_height = net.height().await;
    let started = Instant::now();
    let client = &net.client;
    let results: Vec<_> = stream::iter(inputs)
        .map(|tx| async move { (client.broadcast_tx_sync(tx.clone()).await, tx) })
        .buffer_unordered(8)
        .collect()
        .await;
    let took = started.elapsed();
    let mut accepted = 0;
    for (r, tx) in results {
        match r {
            Ok(r) => {
                if r.code.is_ok() {
                    accepted += 1;
                    assert!(tx == valid, "accepted a changed tx: {}", hex::encode(&tx));
                }
            }
            // Only the mempool's duplicate check answers with an RPC error.
            Err(e) => assert!(e.to_string().contains("tx already exists in cache"), "{e}"),
        }
    }
    assert!(accepted <= 1);
    assert!(
        took < Duration::from_secs(25),
        "10,000 broadcasts took {took:?}"
    );
    eprintln!("{INPUTS} random broadcasts in {took:?}");

    // Blocks continue while and after the noise, and a valid tx still goes through.
    let h = net.height().await;
    assert!(h > start_height, "no blocks during the random broadcasts");
    net.wait_past(h + 2).await;
    let t = net
        .deliver(net.sign(1, vec![send(&bob, &alice, 5)], 200_000).await)
        .await;
    assert!(t.tx_result.code.is_ok(), "{}", t.tx_result.log);
}
