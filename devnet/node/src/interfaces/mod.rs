//! The node's interfaces: CometBFT JSON-RPC and WebSocket ([`rpc`]), the
//! Cosmos REST gateway ([`rest`]) and gRPC ([`grpc`]), the last two
//! answering through the SDK services of [`services`]. They reach the
//! application thread through [`crate::app::driver::NodeHandle`] and read
//! blocks, results and proofs from the [`crate::store`].

pub mod grpc;
pub mod rest;
pub mod rpc;
pub mod services;
