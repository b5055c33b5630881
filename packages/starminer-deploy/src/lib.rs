//! The one definition of a StarMiner deployment.
//!
//! Which contracts exist, in which order they are instantiated, what each
//! instantiate message says, how they are wired to each other and which
//! parameters a fresh (devnet) deployment starts with. The wasm-level tests,
//! the gas benchmark, the SDK/CLI `deploy` command and the devnet demo all
//! build their deployment from here, so there is one place to change it.
//!
//! - [`params`]: documented default parameters of every contract (devnet
//!   scale: short periods) and the off-chain verifier constants.
//! - [`plan`]: the contracts in deployment order, their predictable
//!   (instantiate2) addresses, and pure functions that build every
//!   instantiate message and setup message from those addresses.
//! - [`deploy`]: a small driver that runs the plan against anything that can
//!   store code, instantiate and execute ([`DeployTarget`]): the in-process
//!   wasm host or a real chain client.
//!
//! # Wiring
//!
//! Every contract is instantiated with instantiate2 at an address known
//! before the first one exists, so each instantiate message already names its
//! final peers and nothing needs a second, privileged wiring step:
//!
//! ```text
//! AMAX ─▶ governance ─▶ AGPU ─▶ registry ─▶ pricing ─▶ incentives ─▶ job-market
//!  governance: owner of every parameter, wasm admin of every contract
//!              (itself included) and the treasury (protocol fees, slashes)
//!  AGPU minter        = incentives   (governance may reassign it)
//!  registry authorized = [job-market, incentives]
//!  pricing reporters   = [job-market]
//!  incentives reporters = [job-market]
//! ```
//!
//! The only post-instantiate step is the market's zone table and spillover
//! matrix, which the latency oracle (the deployer at genesis; governance
//! can replace it) posts with [`plan::market_zone_msgs`]. Templates are
//! registered by governance proposal ([`plan::register_templates_msgs`]).

pub mod deploy;
pub mod params;
pub mod plan;

pub use deploy::{deploy, DeployTarget, Deployment};
pub use params::*;
pub use plan::{Addresses, Contract, DeployConfig, SpillDelays};
