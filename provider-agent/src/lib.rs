//! The StarMiner provider agent (docs/protocol.md): OpenCL device discovery
//! and benchmarks ([`devices`], [`bench`]), the [`executor`] that runs
//! built-in templates and commits their output with `starminer-merkle`, the
//! result files on disk ([`results`]), the HTTP result server that serves
//! chunks with Merkle proofs and `/metrics` ([`server`]), input fetching
//! ([`fetch`]), the configuration file ([`config`]), the duties database of
//! leases and verifier duties ([`duties`]), the job [`filter`] that decides
//! what the agent claims, and, on the SDK (`starminer-client`), the agent's
//! on-chain [`account`], registration, the [`daemon`], [`verifier`] duties
//! and [`status`].

pub mod account;
pub mod beacon;
pub mod bench;
#[cfg(feature = "test-cheat")]
pub mod cheat;
pub mod config;
pub mod daemon;
pub mod decoy;
pub mod devices;
pub mod duties;
pub mod executor;
pub mod fetch;
pub mod filter;
pub mod hashing;
pub mod metrics;
pub mod register;
pub mod results;
pub mod server;
pub mod status;
pub mod verifier;

/// Seconds since the Unix epoch on this machine's clock (0 if the clock is
/// before 1970).
pub fn now_unix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}
