//! Two devnets on one machine, as IBC tests need them: each with its own
//! home, chain id and ports. The ports are the node's own pick (port 0,
//! reported in data/listening.json), so devnets started at the same time
//! never race for one; and the ports `init` records are `start`'s defaults.

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use starminer_testkit::{DevnetOptions, Listening, LocalDevnet};
use tendermint_rpc::{Client, HttpClient};

async fn chain_id(rpc: &str) -> String {
    let status = HttpClient::new(rpc).unwrap().status().await.unwrap();
    status.node_info.network.to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_devnets_run_side_by_side_with_their_own_chain_ids_and_ports() {
    let opts = |id: &str| {
        DevnetOptions::new(1)
            .chain_id(id)
            .servers()
            .bin(common::bin())
    };
    let (a, b) = tokio::join!(
        LocalDevnet::start(opts("starminer-a-1")),
        LocalDevnet::start(opts("starminer-b-1"))
    );
    assert_eq!(chain_id(&a.rpc).await, "starminer-a-1");
    assert_eq!(chain_id(&b.rpc).await, "starminer-b-1");
    let ports = |n: &LocalDevnet| {
        let l = n.listening;
        [Some(l.rpc), l.rest, l.grpc]
            .into_iter()
            .map(|a| a.expect("served").port())
            .collect::<Vec<_>>()
    };
    let (pa, pb) = (ports(&a), ports(&b));
    assert!(
        pa.iter().all(|p| !pb.contains(p) && *p != 0),
        "{pa:?} {pb:?}"
    );
    // Both serve REST (the node info carries the chain id there too).
    for (n, id) in [(&a, "starminer-a-1"), (&b, "starminer-b-1")] {
        let url = format!(
            "{}/cosmos/base/tendermint/v1beta1/node_info",
            n.rest.as_ref().unwrap()
        );
        let info: serde_json::Value = reqwest::get(url).await.unwrap().json().await.unwrap();
        assert_eq!(info["default_node_info"]["network"], id);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn init_records_the_ports_start_binds_and_the_bound_ones_are_reported() {
    let home = tempfile::tempdir().unwrap();
    let out = Command::new(common::bin())
        .args(["init", "--home"])
        .arg(home.path())
        .args(["--chain-id", "starminer-c-1", "--dev-accounts", "1"])
        .args(["--rpc-addr", "127.0.0.1:0", "--rest-addr", "off"])
        .args(["--grpc-addr", "127.0.0.1:0"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("REST off"), "{stdout}");
    let recorded: serde_json::Value =
        serde_json::from_slice(&std::fs::read(home.path().join("config/listen.json")).unwrap())
            .unwrap();
    assert_eq!(recorded["rpc"], "127.0.0.1:0");
    assert!(recorded["rest"].is_null());

    // `start` without address flags binds what init recorded.
    let mut child = Command::new(common::bin())
        .args(["start", "--home"])
        .arg(home.path())
        .args(["--block-time", "100ms"])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let bound = loop {
        if let Some(l) = Listening::read(home.path()) {
            break l;
        }
        assert!(child.try_wait().unwrap().is_none(), "the node exited");
        assert!(Instant::now() < deadline, "no data/listening.json");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(bound.rest.is_none(), "REST stays off");
    assert!(bound.grpc.is_some());
    assert_ne!(bound.rpc.port(), 0);
    let rpc = format!("http://{}", bound.rpc);
    assert_eq!(chain_id(&rpc).await, "starminer-c-1");
    child.kill().unwrap();
    child.wait().unwrap();

    // A second start on a port that is taken fails with the address in
    // the error, and leaves no stale report behind.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let out = Command::new(common::bin())
        .args(["start", "--home"])
        .arg(home.path())
        .args(["--rpc-addr", &addr])
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("binding the RPC address {addr}")),
        "{err}"
    );
    assert!(Listening::read(home.path()).is_none());
}
