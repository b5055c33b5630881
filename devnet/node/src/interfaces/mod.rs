//! The node's interfaces.

pub mod grpc;
pub mod rest;
pub mod rpc;
pub mod services;
