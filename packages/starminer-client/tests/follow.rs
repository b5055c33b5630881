//! The block follower against a real devnet (100 ms blocks): every height in
//! order over the WebSocket, by polling, after a WebSocket that cannot be
//! reached, and from an earlier height when resuming.

mod common;

use std::time::Duration;

use starminer_client::{BlockFollower, FollowSource};
use tokio::time::timeout;

const POLL: Duration = Duration::from_millis(100);

/// The next `n` heights of `f`, failing the test if they take too long.
async fn heights(f: &mut BlockFollower, n: usize) -> Vec<u64> {
    let mut out = Vec::new();
    for _ in 0..n {
        let h = timeout(Duration::from_secs(30), f.next_height())
            .await
            .expect("a new block within 30 s");
        out.push(h);
    }
    out
}

fn assert_consecutive(hs: &[u64]) {
    for w in hs.windows(2) {
        assert_eq!(w[1], w[0] + 1, "heights not consecutive: {hs:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_follower_hands_out_every_height_by_websocket_polling_and_resume() {
    let net = common::Devnet::start(1).await;
    let chain = net.client();

    // Over the WebSocket.
    let mut ws = BlockFollower::new(chain.clone(), POLL);
    let hs = heights(&mut ws, 6).await;
    assert_consecutive(&hs);
    assert_eq!(ws.source(), FollowSource::WebSocket);
    assert!(ws.head() >= hs[5]);

    // Polling only: heights arrive in jumps but are handed out one by one.
    let mut polled = BlockFollower::new(chain.clone(), Duration::from_millis(350)).polling_only();
    let hs = heights(&mut polled, 8).await;
    assert_consecutive(&hs);
    assert_eq!(polled.source(), FollowSource::Polling);

    // A WebSocket nobody serves: the follower polls instead.
    let dead = format!(
        "ws://127.0.0.1:{}/websocket",
        starminer_testkit::free_port()
    );
    let mut fallback = BlockFollower::new(chain.clone(), POLL).with_websocket_url(dead);
    let hs = heights(&mut fallback, 4).await;
    assert_consecutive(&hs);
    assert_eq!(fallback.source(), FollowSource::Polling);

    // Resuming: the first height is the one asked for, though the chain is
    // past it, and the rest follow without a gap.
    let head = chain.status().await.unwrap().height;
    assert!(head > 10, "the devnet is at {head}");
    let mut resumed = BlockFollower::new(chain.clone(), POLL).resume_from(head - 10);
    let hs = heights(&mut resumed, 14).await;
    assert_eq!(hs[0], head - 10);
    assert_consecutive(&hs);

    // Published on a watch channel; the task ends with its last receiver.
    let (tx, mut rx) = tokio::sync::watch::channel(0u64);
    let task = tokio::spawn(BlockFollower::new(chain.clone(), POLL).publish(tx));
    let mut seen = Vec::new();
    while seen.len() < 3 {
        timeout(Duration::from_secs(30), rx.changed())
            .await
            .expect("a height within 30 s")
            .unwrap();
        seen.push(*rx.borrow_and_update());
    }
    assert!(seen.windows(2).all(|w| w[1] > w[0]), "{seen:?}");
    drop(rx);
    timeout(Duration::from_secs(10), task)
        .await
        .expect("the publisher stops once nobody listens")
        .unwrap();
}
