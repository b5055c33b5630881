//! The StarMiner provider agent's compute core (DESIGN.md §11): OpenCL
//! device discovery and benchmarks, the executor that runs built-in
//! templates and commits their output with `starminer-merkle`, the on-disk
//! result store, the HTTP result server that serves chunks with Merkle
//! proofs, and input fetching. The chain loop (claims, submissions,
//! challenges) builds on these once the devnet and SDK exist.

pub mod bench;
pub mod devices;
pub mod executor;
pub mod fetch;
pub mod hashing;
pub mod server;
pub mod store;
