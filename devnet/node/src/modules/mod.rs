//! The modules.

pub mod auth;
pub mod ibc;
pub mod wasm;
