//! `starminer`: the StarMiner command line. Every chain access goes through
//! the SDK (`starminer-client`).

mod cmd;
mod context;
mod process;
mod templates;

use std::path::PathBuf;

use anyhow::Result;
use clap::{Args, Parser, Subcommand};

/// StarMiner, a GPU compute marketplace on a Cosmos chain: keys, deployment,
/// a local devnet, jobs, providers, prices, tokens, staking, governance and
/// rewards.
///
/// Quick start on the local devnet:
///   export STARMINER_PASSPHRASE=...     # encrypts the keystore (or type it when asked)
///   starminer devnet up                 # start a chain, import dev keys dev0..dev3, deploy
///   starminer job templates
///   starminer job submit --template render.fractal --params width=256,height=256 --from dev1
///   starminer job watch 1
///
/// Every read command takes --json.
#[derive(Parser)]
#[command(name = "starminer", version, verbatim_doc_comment)]
struct Cli {
    #[command(flatten)]
    global: GlobalArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone, Debug)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// Home directory: config.json, keys/, manifest.json, devnet/.
    #[arg(long, global = true, env = "STARMINER_HOME")]
    pub home: Option<PathBuf>,
    /// Chain (a name in config.json; default: its default_chain, "devnet").
    #[arg(long, global = true, env = "STARMINER_CHAIN")]
    pub chain: Option<String>,
    /// Override the chain's RPC endpoint, e.g. http://127.0.0.1:26657; a
    /// comma-separated list names fallbacks, used in order when the first
    /// cannot be reached.
    #[arg(long, global = true, env = "STARMINER_NODE")]
    pub node: Option<String>,
    /// Deployment manifest (default: HOME/manifest.json).
    #[arg(long, global = true)]
    pub manifest: Option<PathBuf>,
    /// Print machine-readable JSON instead of tables.
    #[arg(long, global = true)]
    pub json: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Keys in the encrypted keystore (add, import, list, show).
    #[command(subcommand)]
    Keys(cmd::keys::KeysCmd),
    /// Chains known to this home (list, add-chain, use).
    #[command(subcommand)]
    Config(cmd::config::ConfigCmd),
    /// Upload, instantiate and wire every contract and register the built-in
    /// templates on the selected chain. Idempotent: skips what the manifest
    /// and the chain show done; writes the manifest.
    Deploy(cmd::deploy::DeployArgs),
    /// The local devnet (up, down, status).
    #[command(subcommand)]
    Devnet(cmd::devnet::DevnetCmd),
    /// A local chain on either engine: the devnet (default) or a real wasmd
    /// node (`--engine wasmd`); up, down, status.
    #[command(subcommand)]
    Chain(cmd::chain::ChainCmd),
    /// Jobs: templates, quote, submit, list, show, watch, cancel, fetch.
    #[command(subcommand)]
    Job(cmd::job::JobCmd),
    /// Providers in the registry (list, show, stats).
    #[command(subcommand)]
    Provider(cmd::provider::ProviderCmd),
    /// Prices per tier, queues per zone, price history.
    #[command(subcommand)]
    Market(cmd::market::MarketCmd),
    /// Balances and transfers (ustar, AGPU, AMAX).
    #[command(subcommand)]
    Token(cmd::token::TokenCmd),
    /// Stake AMAX in governance or bond AGPU in the registry.
    Stake(cmd::stake::StakeArgs),
    /// Unstake AMAX or unbond AGPU (claim after the unbonding period with
    /// `starminer stake claim`).
    Unstake(cmd::stake::UnstakeArgs),
    /// Governance: propose a parameter change, vote, execute, list.
    #[command(subcommand)]
    Gov(cmd::gov::GovCmd),
    /// Emissions: claim rewards, emission history.
    #[command(subcommand)]
    Rewards(cmd::rewards::RewardsCmd),
    /// Serve the web dashboard (web/dist) for the selected chain, with its
    /// /config.json and same-origin proxies of the chain's RPC and REST.
    Dashboard(cmd::dashboard::DashboardArgs),
}

fn main() {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: starting the async runtime: {e}");
            std::process::exit(1);
        }
    };
    if let Err(e) = runtime.block_on(run(cli)) {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}

async fn run(cli: Cli) -> Result<()> {
    let g = &cli.global;
    match cli.command {
        Command::Keys(c) => cmd::keys::run(g, c),
        Command::Config(c) => cmd::config::run(g, c),
        Command::Deploy(a) => cmd::deploy::run(g, a).await,
        Command::Devnet(c) => cmd::devnet::run(g, c).await,
        Command::Chain(c) => cmd::chain::run(g, c).await,
        Command::Job(c) => cmd::job::run(g, c).await,
        Command::Provider(c) => cmd::provider::run(g, c).await,
        Command::Market(c) => cmd::market::run(g, c).await,
        Command::Token(c) => cmd::token::run(g, c).await,
        Command::Stake(a) => cmd::stake::run_stake(g, a).await,
        Command::Unstake(a) => cmd::stake::run_unstake(g, a).await,
        Command::Gov(c) => cmd::gov::run(g, c).await,
        Command::Rewards(c) => cmd::rewards::run(g, c).await,
        Command::Dashboard(a) => cmd::dashboard::run(g, a).await,
    }
}
