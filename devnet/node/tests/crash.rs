//! Crash test: `kill -9` the node while it takes transactions, restart it:
//! every transaction reported committed is there with the same result at the
//! same height, the blocks (and so app hashes) seen before are unchanged, and
//! the chain continues from them.

mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use tendermint_rpc::Client;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_under_load_loses_nothing_committed() {
    let mut net = Devnet::start().await;
    let addrs: Vec<String> = net.devs.iter().map(|d| d.address.clone()).collect();
    let keys = [dev(0).key, dev(1).key];
    let numbers = [
        net.account(&addrs[0]).await.account_number,
        net.account(&addrs[1]).await.account_number,
    ];

    // Load: both dev accounts send to each other as fast as CheckTx takes it.
    let accepted = Arc::new(Mutex::new(Vec::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let load = {
        let (client, accepted, stop) = (net.client.clone(), accepted.clone(), stop.clone());
        tokio::spawn(async move {
            let mut seq = [0u64; 2];
            for i in 0.. {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let s = i % 2;
                let tx = TxSpec::new(
                    vec![send(&addrs[s], &addrs[1 - s], 1 + i as u128)],
                    200_000,
                    numbers[s],
                    seq[s],
                )
                .sign(&keys[s]);
                match client.broadcast_tx_sync(tx).await {
                    Ok(r) if r.code.is_ok() => {
                        seq[s] += 1;
                        accepted.lock().unwrap().push(r.hash);
                    }
                    Ok(r) => panic!("CheckTx: {}", r.log),
                    Err(_) => break, // the node is gone
                }
            }
        })
    };

    tokio::time::sleep(Duration::from_millis(1500)).await;
    // What the node reports committed, read while the load goes on.
    let hashes = accepted.lock().unwrap().clone();
    let mut committed = Vec::new();
    for h in hashes {
        if let Ok(t) = net.client.tx(h, false).await {
            committed.push(t);
        }
    }
    let last = net.height().await;
    let last_block = net.client.block(last as u32).await.unwrap();
    let first_block = net.client.block(1u32).await.unwrap();
    net.kill();
    stop.store(true, Ordering::Relaxed);
    load.await.unwrap();
    eprintln!(
        "killed at height {last}: {} txs accepted, {} seen committed",
        accepted.lock().unwrap().len(),
        committed.len()
    );
    assert!(
        committed.len() >= 20,
        "only {} txs committed",
        committed.len()
    );
    assert!(
        accepted.lock().unwrap().len() > committed.len(),
        "the kill was not under load"
    );

    net.spawn().await;
    for before in &committed {
        let after = net.client.tx(before.hash, false).await.unwrap();
        assert_eq!(after.height, before.height);
        assert_eq!(after.index, before.index);
        assert_eq!(after.tx_result, before.tx_result);
        assert_eq!(after.tx, before.tx);
    }
    for before in [&first_block, &last_block] {
        let after = net.client.block(before.block.header.height).await.unwrap();
        assert_eq!(after.block_id, before.block_id);
        assert_eq!(after.block.header.app_hash, before.block.header.app_hash);
    }
    // Heights continue on top of the blocks seen before the kill.
    let now = net.wait_past(last + 1).await;
    assert!(now > last);
    let next = net.client.block((last + 1) as u32).await.unwrap();
    let prev = net.client.block(last as u32).await.unwrap();
    assert_eq!(next.block.header.last_block_id, Some(prev.block_id));
    let info = net.client.abci_info().await.unwrap();
    assert!(info.last_block_height.value() > last);

    // And the chain takes transactions again at the committed sequences.
    let t = net
        .deliver(
            net.sign(
                0,
                vec![send(&net.devs[0].address, &net.devs[1].address, 3)],
                200_000,
            )
            .await,
        )
        .await;
    assert!(t.tx_result.code.is_ok(), "{}", t.tx_result.log);
}

/// The tx index is a separate database the node can rebuild: with it
/// deleted (or behind the chain after a crash), the restarted node indexes
/// the stored transactions again, and lookups by hash and by event answer
/// as before.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_tx_index_is_rebuilt_from_the_chain() {
    let mut net = Devnet::start().await;
    let (a, b) = (net.devs[0].address.clone(), net.devs[1].address.clone());
    let mut delivered = Vec::new();
    for amount in 1..=3u128 {
        let t = net
            .deliver(net.sign(0, vec![send(&a, &b, amount)], 200_000).await)
            .await;
        assert!(t.tx_result.code.is_ok(), "{}", t.tx_result.log);
        delivered.push(t);
    }
    let query: tendermint_rpc::query::Query = format!("transfer.recipient='{b}'").parse().unwrap();
    let search = |net: &Devnet| {
        let (client, query) = (net.client.clone(), query.clone());
        async move {
            client
                .tx_search(query, false, 1, 30, tendermint_rpc::Order::Ascending)
                .await
                .unwrap()
        }
    };
    let found_before = search(&net).await;
    assert_eq!(found_before.total_count, 3);

    net.kill();
    let index = net.home().join("data/txindex.redb");
    assert!(index.exists(), "no tx index at {}", index.display());
    std::fs::remove_file(&index).unwrap();
    net.spawn().await;

    for before in &delivered {
        let after = net.client.tx(before.hash, false).await.unwrap();
        assert_eq!((after.height, after.index), (before.height, before.index));
        assert_eq!(after.tx_result, before.tx_result);
    }
    let found_after = search(&net).await;
    assert_eq!(found_after.total_count, found_before.total_count);
    let hashes = |r: &tendermint_rpc::endpoint::tx_search::Response| {
        r.txs.iter().map(|t| t.hash).collect::<Vec<_>>()
    };
    assert_eq!(hashes(&found_after), hashes(&found_before));
}
