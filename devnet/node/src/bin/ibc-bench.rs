//! `ibc-bench`: how fast the unmodified Hermes relayer (1.11.0) carries a
//! burst of ICS-20 transfers between two devnets, and what that load costs
//! the chains' block time. These are the figures StarMiner's own relayer
//! has to beat.
//!
//! Two devnets (`starminer-a-1`, `starminer-b-1`, `--block-time`, 1 s by
//! default) start side by side; Hermes opens a transfer channel between
//! them and runs (`hermes start`). The bench then sends `--transfers` ICS-20
//! transfers from A to B, `--per-tx` in each transaction (Hermes'
//! `tx ft-transfer --number-msgs`, one transaction after another), while a
//! poller reads A's packet commitments every 100 ms: a packet is done when
//! its commitment is gone, i.e. its acknowledgement came back to A.
//!
//! Reported:
//! - packets per second: transfers ÷ (last acknowledgement − first send);
//! - p50/p99 from send (the start of the transaction that carried the
//!   packet) to acknowledgement on A, in milliseconds;
//! - each chain's block execution time (the node's `took_ms` per block)
//!   while idle before the burst and during it: mean and p99.
//!
//! ```text
//! cargo build -p starminer-devnet --bins
//! target/debug/ibc-bench --transfers 1000 --per-tx 100
//! ```
//!
//! Needs Hermes from `scripts/setup.sh` (or `STARMINER_HERMES_BIN`).

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use clap::Parser;
use ibc_proto::ibc::core::channel::v1::{
    QueryPacketCommitmentsRequest, QueryPacketCommitmentsResponse,
};
use prost::Message;
use starminer_testkit::hermes::Hermes;
use starminer_testkit::{DevnetOptions, LocalDevnet};
use tendermint_rpc::{Client, HttpClient};

const A: &str = "starminer-a-1";
const B: &str = "starminer-b-1";
const CHANNEL: &str = "channel-0";

#[derive(Parser, Debug)]
#[command(
    about = "ICS-20 packets per second through Hermes between two devnets, send-to-ack latency, and the block-time cost"
)]
struct Args {
    /// Transfers in the burst.
    #[arg(long, default_value_t = 1000)]
    transfers: u32,
    /// Transfers per transaction.
    #[arg(long, default_value_t = 100)]
    per_tx: u32,
    /// The devnets' block time.
    #[arg(long, default_value = "1s")]
    block_time: String,
    /// Give up when the burst is not acknowledged within this many seconds.
    #[arg(long, default_value_t = 600)]
    timeout_secs: u64,
    /// The `starminer-devnet` binary (default: next to this one).
    #[arg(long)]
    node_bin: Option<PathBuf>,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
    /// Copy both nodes' logs and Hermes' log into this directory at the end.
    #[arg(long)]
    keep_logs: Option<PathBuf>,
}

fn sibling(name: &str) -> PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|p| p.parent().map(|d| d.join(name)))
        .unwrap_or_else(|| PathBuf::from(name))
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// `took_ms` of every committed block in a node's log, by height.
fn block_times(log: &Path) -> BTreeMap<u64, f64> {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let mut out = BTreeMap::new();
    for line in text.lines().filter(|l| l.contains("committed block")) {
        // Drop the ANSI colours around the fields, then read `key=value`s.
        let mut plain = String::with_capacity(line.len());
        let mut chars = line.chars();
        while let Some(c) = chars.next() {
            if c == '\u{1b}' {
                for c in chars.by_ref() {
                    if c == 'm' {
                        break;
                    }
                }
            } else {
                plain.push(c);
            }
        }
        let field = |name: &str| {
            plain
                .split_whitespace()
                .find_map(|w| w.strip_prefix(name)?.strip_prefix('='))
                .and_then(|v| v.parse::<f64>().ok())
        };
        if let (Some(h), Some(ms)) = (field("height"), field("took_ms")) {
            out.insert(h as u64, ms);
        }
    }
    out
}

/// Mean and p99 of the block times in `[from, to]`.
fn stats(times: &BTreeMap<u64, f64>, from: u64, to: u64) -> (f64, f64, usize) {
    let mut v: Vec<f64> = times.range(from..=to).map(|(_, ms)| *ms).collect();
    v.sort_by(|a, b| a.total_cmp(b));
    let mean = if v.is_empty() {
        0.0
    } else {
        v.iter().sum::<f64>() / v.len() as f64
    };
    (mean, percentile(&v, 0.99), v.len())
}

async fn height(rpc: &HttpClient) -> Result<u64> {
    Ok(rpc.status().await?.sync_info.latest_block_height.value())
}

/// The sequences with a commitment still on A's end of the channel.
async fn committed(rpc: &HttpClient) -> Result<Vec<u64>> {
    let req = QueryPacketCommitmentsRequest {
        port_id: "transfer".into(),
        channel_id: CHANNEL.into(),
        pagination: None,
    };
    let r = rpc
        .abci_query(
            Some("/ibc.core.channel.v1.Query/PacketCommitments".into()),
            req.encode_to_vec(),
            None,
            false,
        )
        .await?;
    if r.code.is_err() {
        bail!("PacketCommitments: {}", r.log);
    }
    let resp = QueryPacketCommitmentsResponse::decode(r.value.as_slice())?;
    Ok(resp.commitments.iter().map(|c| c.sequence).collect())
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<()> {
    let args = Args::parse();
    if args.per_tx == 0 || args.transfers == 0 {
        bail!("--transfers and --per-tx must be positive");
    }
    let bin = args
        .node_bin
        .clone()
        .unwrap_or_else(|| sibling("starminer-devnet"));
    let logs = tempfile::tempdir()?;
    let opts = |id: &str| {
        DevnetOptions::new(3)
            .chain_id(id)
            .servers()
            .block_time(&args.block_time)
            .bin(bin.clone())
            .log(logs.path().join(format!("{id}.log")), "info")
    };
    eprintln!("starting {A} and {B} ({} blocks)", args.block_time);
    let (net_a, net_b) = tokio::join!(LocalDevnet::start(opts(A)), LocalDevnet::start(opts(B)));
    let rpc_a = HttpClient::new(net_a.rpc.as_str())?;
    let rpc_b = HttpClient::new(net_b.rpc.as_str())?;
    let hermes = Hermes::new(&[(A, &net_a), (B, &net_b)], 100_000_000);
    let t = Instant::now();
    eprintln!("hermes: create channel (clients, connection, transfer channel)");
    hermes.create_transfer_channel(A, B);
    eprintln!("  open in {:.1} s", t.elapsed().as_secs_f64());
    let relayer = hermes.start();
    tokio::time::sleep(Duration::from_secs(5)).await;
    let idle_from = (height(&rpc_a).await?, height(&rpc_b).await?);

    // The poller: when each packet's commitment disappears from A.
    let sent_upto = Arc::new(AtomicU64::new(0));
    let acked: Arc<Mutex<HashMap<u64, Instant>>> = Arc::default();
    let total = u64::from(args.transfers);
    let poller = {
        let (sent_upto, acked) = (sent_upto.clone(), acked.clone());
        let rpc = rpc_a.clone();
        tokio::spawn(async move {
            loop {
                let upto = sent_upto.load(Ordering::SeqCst);
                if let Ok(open) = committed(&rpc).await {
                    let now = Instant::now();
                    let open: std::collections::HashSet<u64> = open.into_iter().collect();
                    let mut acked = acked.lock().expect("poller lock");
                    for seq in 1..=upto {
                        if !open.contains(&seq) {
                            acked.entry(seq).or_insert(now);
                        }
                    }
                    if acked.len() as u64 >= total {
                        return;
                    }
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        })
    };

    let idle_to = (height(&rpc_a).await?, height(&rpc_b).await?);
    let receiver = net_b.devs[2].address.clone();
    let mut sent_at: HashMap<u64, Instant> = HashMap::new();
    let first_send = Instant::now();
    let mut seq = 0u64;
    let mut left = args.transfers;
    eprintln!(
        "sending {} transfers A → B, {} per transaction",
        args.transfers, args.per_tx
    );
    while left > 0 {
        let n = left.min(args.per_tx);
        let started = Instant::now();
        let hermes_ref = &hermes;
        let receiver = receiver.clone();
        tokio::task::block_in_place(|| {
            hermes_ref.transfer(
                A,
                B,
                CHANNEL,
                1,
                "ustar",
                &receiver,
                n,
                &["--timeout-seconds", "3600"],
            )
        });
        for _ in 0..n {
            seq += 1;
            sent_at.insert(seq, started);
        }
        sent_upto.store(seq, Ordering::SeqCst);
        left -= n;
    }
    let deadline = Instant::now() + Duration::from_secs(args.timeout_secs);
    while !poller.is_finished() {
        if Instant::now() > deadline {
            drop(relayer);
            let done = acked.lock().expect("lock").len();
            bail!(
                "only {done} of {total} packets acknowledged within {} s (Hermes' log: {})",
                args.timeout_secs,
                hermes.log_path().display()
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let burst_to = (height(&rpc_a).await?, height(&rpc_b).await?);
    drop(relayer);
    if let Some(dir) = &args.keep_logs {
        std::fs::create_dir_all(dir)?;
        std::fs::copy(hermes.log_path(), dir.join("hermes.log"))?;
        for id in [A, B] {
            let name = format!("{id}.log");
            std::fs::copy(logs.path().join(&name), dir.join(&name))?;
        }
    }

    let acked = acked.lock().expect("lock").clone();
    let last_ack = acked
        .values()
        .max()
        .copied()
        .context("no acknowledgement")?;
    let seconds = (last_ack - first_send).as_secs_f64();
    let mut lat: Vec<f64> = acked
        .iter()
        .map(|(s, at)| (*at - sent_at[s]).as_secs_f64() * 1000.0)
        .collect();
    lat.sort_by(|a, b| a.total_cmp(b));
    let (ta, tb) = (
        block_times(&logs.path().join(format!("{A}.log"))),
        block_times(&logs.path().join(format!("{B}.log"))),
    );
    let idle_a = stats(&ta, idle_from.0, idle_to.0);
    let idle_b = stats(&tb, idle_from.1, idle_to.1);
    let busy_a = stats(&ta, idle_to.0 + 1, burst_to.0);
    let busy_b = stats(&tb, idle_to.1 + 1, burst_to.1);
    let report = serde_json::json!({
        "transfers": args.transfers,
        "per_tx": args.per_tx,
        "block_time": args.block_time,
        "packets_per_second": total as f64 / seconds,
        "burst_seconds": seconds,
        "send_to_ack_ms": { "p50": percentile(&lat, 0.5), "p99": percentile(&lat, 0.99) },
        "block_exec_ms": {
            A: { "idle_mean": idle_a.0, "idle_p99": idle_a.1, "burst_mean": busy_a.0, "burst_p99": busy_a.1, "burst_blocks": busy_a.2 },
            B: { "idle_mean": idle_b.0, "idle_p99": idle_b.1, "burst_mean": busy_b.0, "burst_p99": busy_b.1, "burst_blocks": busy_b.2 },
        },
    });
    if args.json {
        println!("{report}");
    } else {
        println!(
            "{} ICS-20 packets A → B through Hermes 1.11 at {} blocks: {:.1} packets/s ({:.1} s)",
            total,
            args.block_time,
            total as f64 / seconds,
            seconds
        );
        println!(
            "send → ack: p50 {:.0} ms, p99 {:.0} ms",
            percentile(&lat, 0.5),
            percentile(&lat, 0.99)
        );
        for (id, idle, busy) in [(A, idle_a, busy_a), (B, idle_b, busy_b)] {
            println!(
                "{id} block execution: idle mean {:.1} ms (p99 {:.1}), under IBC load mean {:.1} ms (p99 {:.1}) over {} blocks",
                idle.0, idle.1, busy.0, busy.1, busy.2
            );
        }
    }
    Ok(())
}
