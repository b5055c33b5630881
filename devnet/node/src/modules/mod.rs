//! The chain's modules, each a type implementing [`Module`]: [`auth::Auth`]
//! (accounts), [`bank::Bank`] (`MsgSend`, balances, supply),
//! [`wasm::Wasm`] (wasmd's messages and queries) and [`ibc::Ibc`] (IBC core
//! and ICS-20 through `starminer-ibc`).
//!
//! [`ALL`] is the list the app routes by; adding a module is adding a
//! file here and its entry in that list.
//!
//! - [`module`]: the trait, the decoded [`Msg`], the [`Ctx`] a module runs
//!   on and the [`Gas`] meter;
//! - [`sdk`]: what every module speaks (the SDK's error codes, events,
//!   coins, addresses, pagination);
//! - [`host`]: running a message on the wasm host, which the bank and
//!   wasm modules share (contracts move funds through the bank).

pub mod auth;
pub mod bank;
pub mod host;
pub mod ibc;
pub mod module;
pub mod sdk;
pub mod wasm;

pub use module::{Ctx, Delivered, Gas, Module, Msg};

/// Every module, in the order the app asks them to decode a message or
/// answer a query.
pub static ALL: &[&dyn Module] = &[&auth::Auth, &bank::Bank, &wasm::Wasm, &ibc::Ibc];
