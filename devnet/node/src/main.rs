//! `starminer-devnet`: a local single-validator CosmWasm chain.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use anyhow::{bail, Result};
use clap::{Parser, Subcommand};
use cosmwasm_std::Decimal;
use starminer_devnet::node::{self, InitOptions, ListenAddrs, StartOptions, DEFAULT_CHAIN_ID};

// glibc's allocator spends a fifth of the application thread in malloc/free
// under load and fragments across the RPC threads' arenas; mimalloc is
// faster and returns memory.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A local StarMiner chain: runs the real CosmWasm contracts and speaks
/// CometBFT JSON-RPC, so CosmJS, cosmrs and tendermint-rpc clients work against it
/// as against a wasmd node.
///
/// Quick start:
///   starminer-devnet init --home ~/.starminer-devnet
///   starminer-devnet start --home ~/.starminer-devnet
/// then point a client at http://127.0.0.1:26657 (CometBFT RPC),
/// http://127.0.0.1:1317 (Cosmos REST) or 127.0.0.1:9090 (gRPC) — chain id
/// starminer-devnet-1, prefix starminer, gas price 0.0025ustar — and use a
/// printed dev mnemonic.
/// Keplr: suggest the chain with devnet/chain/keplr.json.
///
/// Two devnets side by side (say, for IBC): give each its own home, chain
/// id and ports, e.g.
///   starminer-devnet init --home /tmp/b --chain-id starminer-b-1 \
///     --rpc-addr 127.0.0.1:26757 --rest-addr 127.0.0.1:1417 --grpc-addr 127.0.0.1:9190
#[derive(Parser)]
#[command(name = "starminer-devnet", version, verbatim_doc_comment)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create a home directory: genesis with funded dev accounts (their
    /// mnemonics are printed and saved in config/dev_accounts.json) and a
    /// fresh validator key.
    Init {
        /// Where the chain keeps its config and data.
        #[arg(long, default_value = "~/.starminer-devnet")]
        home: String,
        /// The chain id clients must sign for.
        #[arg(long, default_value = DEFAULT_CHAIN_ID)]
        chain_id: String,
        /// How many dev accounts to create and fund (1,000,000 STAR each).
        #[arg(long, default_value_t = 4)]
        dev_accounts: u32,
        /// Also fund this address (repeatable), e.g. a Keplr account.
        #[arg(long = "fund", value_name = "ADDRESS")]
        fund: Vec<String>,
        /// Replace an existing home (deletes its chain data).
        #[arg(long)]
        overwrite: bool,
        #[command(flatten)]
        listen: ListenArgs,
    },
    /// Run the chain: produce blocks and serve CometBFT JSON-RPC (HTTP and
    /// WebSocket at /websocket). Stops on Ctrl-C; restarting continues the
    /// chain where it stopped. Port 0 in an address takes any free port;
    /// once every server is bound the node writes the addresses it got to
    /// `<home>/data/listening.json` (removed when it stops), so scripts and
    /// tests can run devnets side by side without racing for ports.
    Start {
        /// The home directory created by `init`.
        #[arg(long, default_value = "~/.starminer-devnet")]
        home: String,
        /// Listen addresses; each defaults to what `init` recorded in
        /// config/listen.json.
        #[command(flatten)]
        listen: ListenArgs,
        /// Time between blocks, e.g. 1s, 500ms, 100ms (minimum 100ms).
        #[arg(long, default_value = "1s", value_parser = parse_duration)]
        block_time: Duration,
        /// Minimum gas price transactions must pay, in ustar per gas unit.
        #[arg(long, default_value = "0.0025")]
        min_gas_price: String,
    },
}

/// The node's listen addresses. `init` records them as `start`'s defaults
/// (so two homes made with different ports run side by side); `start` takes
/// them to override. Port 0 binds any free port (see data/listening.json).
#[derive(clap::Args, Clone, Debug, Default)]
struct ListenArgs {
    /// CometBFT RPC listen address (loopback by default; the devnet has no
    /// auth) [default: 127.0.0.1:26657].
    #[arg(long)]
    rpc_addr: Option<SocketAddr>,
    /// Cosmos REST listen address (the SDK's gRPC-gateway JSON, as on a
    /// wasmd node's port 1317; CORS open for browser wallets), or `off`
    /// [default: 127.0.0.1:1317].
    #[arg(long, value_parser = parse_optional_addr)]
    rest_addr: Option<OptionalAddr>,
    /// gRPC listen address (the SDK's and wasmd's query and tx services,
    /// HTTP/2 without TLS, as on a wasmd node's port 9090), or `off`
    /// [default: 127.0.0.1:9090].
    #[arg(long, value_parser = parse_optional_addr)]
    grpc_addr: Option<OptionalAddr>,
}

impl ListenArgs {
    /// These addresses over `base`.
    fn over(&self, base: ListenAddrs) -> ListenAddrs {
        ListenAddrs {
            rpc: self.rpc_addr.unwrap_or(base.rpc),
            rest: self.rest_addr.map_or(base.rest, |a| a.0),
            grpc: self.grpc_addr.map_or(base.grpc, |a| a.0),
        }
    }
}

fn parse_duration(s: &str) -> std::result::Result<Duration, String> {
    let (num, unit) = s
        .find(|c: char| !c.is_ascii_digit())
        .map(|i| s.split_at(i))
        .unwrap_or((s, "ms"));
    let n: u64 = num.parse().map_err(|_| format!("not a duration: {s}"))?;
    let d = match unit {
        "ms" => Duration::from_millis(n),
        "s" => Duration::from_secs(n),
        _ => return Err(format!("unknown unit in {s}: use ms or s")),
    };
    if d < Duration::from_millis(100) {
        return Err("the block time must be at least 100ms".to_string());
    }
    Ok(d)
}

/// A listen address, or `off`.
#[derive(Clone, Copy, Debug)]
struct OptionalAddr(Option<SocketAddr>);

fn parse_optional_addr(s: &str) -> std::result::Result<OptionalAddr, String> {
    if s == "off" {
        return Ok(OptionalAddr(None));
    }
    s.parse()
        .map(|a| OptionalAddr(Some(a)))
        .map_err(|e| format!("{s}: {e} (an address like 127.0.0.1:1317, or off)"))
}

fn expand_home(home: &str) -> PathBuf {
    match home.strip_prefix("~/") {
        Some(rest) => std::env::var_os("HOME")
            .map(PathBuf::from)
            .unwrap_or_default()
            .join(rest),
        None => PathBuf::from(home),
    }
}

fn main() -> Result<()> {
    tracing_subscriber::fmt()
        // Colour only on a terminal: `devnet up` writes node.log.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()))
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
                tracing_subscriber::EnvFilter::new("info,wasmer=warn,cranelift=warn")
            }),
        )
        .init();
    match Cli::parse().command {
        Command::Init {
            home,
            chain_id,
            dev_accounts,
            fund,
            overwrite,
            listen,
        } => {
            let home = expand_home(&home);
            let listen = listen.over(ListenAddrs::default());
            let devs = node::init_home(&InitOptions {
                home: home.clone(),
                chain_id: chain_id.clone(),
                dev_accounts,
                extra_accounts: fund,
                overwrite,
                listen: listen.clone(),
            })?;
            println!("Initialized {} in {}", chain_id, home.display());
            println!("Dev accounts (funded with 1000000000000ustar; HD path m/44'/118'/0'/0/0):");
            for d in &devs {
                println!(
                    "  {}  {}\n      mnemonic: {}",
                    d.name, d.address, d.mnemonic
                );
            }
            let show = |a: Option<SocketAddr>| a.map_or("off".to_string(), |a| a.to_string());
            println!(
                "Listens on: RPC {}, REST {}, gRPC {} (config/listen.json; `start` flags override)",
                listen.rpc,
                show(listen.rest),
                show(listen.grpc)
            );
            println!(
                "Start it with: starminer-devnet start --home {}",
                home.display()
            );
        }
        Command::Start {
            home,
            listen,
            block_time,
            min_gas_price,
        } => {
            let home = expand_home(&home);
            let listen = listen.over(ListenAddrs::configured(&home)?);
            let min_gas_price = match Decimal::from_str(min_gas_price.trim_end_matches("ustar")) {
                Ok(d) => d,
                Err(e) => bail!("--min-gas-price {min_gas_price}: {e}"),
            };
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()?;
            runtime.block_on(node::start(StartOptions {
                home,
                rpc_addr: listen.rpc,
                rest_addr: listen.rest,
                grpc_addr: listen.grpc,
                block_interval: block_time,
                min_gas_price,
            }))?;
        }
    }
    Ok(())
}
