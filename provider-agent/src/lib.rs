//! The StarMiner provider agent (DESIGN.md §11): OpenCL device discovery
//! and benchmarks, the executor that runs built-in templates and commits
//! their output with `starminer-merkle`, the on-disk result store, the HTTP
//! result server that serves chunks with Merkle proofs (and `/metrics`),
//! input fetching, the configuration file, the persistent lease database and
//! the job filter that decides what the agent claims.

pub mod bench;
pub mod config;
pub mod devices;
pub mod executor;
pub mod fetch;
pub mod filter;
pub mod hashing;
pub mod metrics;
pub mod server;
pub mod state;
pub mod store;
