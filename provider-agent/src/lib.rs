//! The StarMiner provider agent (docs/protocol.md).
//!
//! On the device: OpenCL discovery and benchmarks ([`devices`], [`bench`](mod@bench))
//! and the [`executor`] that runs built-in templates and commits their
//! output with `starminer-merkle`. On disk: the configuration file
//! ([`config`]), the result files ([`results`]) and the duties database of
//! leases and verifier duties ([`duties`]). On the network: input fetching
//! ([`fetch`]) and the HTTP result server that serves chunks with Merkle
//! proofs and `/metrics` ([`server`]). On the chain, through the SDK
//! (`starminer-client`): the agent's [`account`], registration
//! ([`register`]) and [`status`].
//!
//! The [`daemon`] runs these as a few long-lived tasks: the provider loop
//! with the [`market`] watcher (claims, through the job [`filter`]),
//! [`compute`] tasks and [`settlement`] (results to payment, with forced-
//! error pairs from [`decoy`]), and the validator's duties ([`verifier`],
//! [`beacon`]).

pub mod account;
pub mod beacon;
pub mod bench;
#[cfg(feature = "test-cheat")]
pub mod cheat;
pub mod compute;
pub mod config;
pub mod daemon;
pub mod decoy;
pub mod devices;
pub mod duties;
pub mod executor;
pub mod fetch;
pub mod filter;
pub mod hashing;
pub mod market;
pub mod metrics;
pub mod onboarding;
pub mod pace;
pub mod register;
pub mod results;
pub mod server;
pub mod settlement;
pub mod status;
pub mod verifier;

/// Seconds since the Unix epoch on this machine's clock (0 if the clock is
/// before 1970).
pub fn now_unix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}
