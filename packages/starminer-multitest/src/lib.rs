//! Test support shared by the contracts' cw-multi-test suites.
//!
//! Every suite runs against the same chain: the whole StarMiner system,
//! deployed by [`starminer_deploy`] exactly as a real deployment is (codes,
//! instantiate2 addresses, wiring, default parameters), on a cw-multi-test
//! [`App`](cw_multi_test::App) whose accounts are `MockApi` bech32 addresses.
//! A suite overrides the parameters it tests and keeps only the helpers that
//! are about its own contract; this crate holds the rest:
//!
//! - [`Setup`] / [`System`]: the app, the deployment and its genesis
//!   balances (AGPU and native coins) by account name;
//! - [`Harness`]: what a suite can do on that chain without knowing its
//!   contract: accounts, the clock, AGPU balances, minting and `Send`s,
//!   registry registration, bonds, benchmarks and queries;
//! - [`suite_registry_params`]: the small registry parameters most suites
//!   run with;
//! - [`Beacon`] and [`HashChain`]: validators' commit/reveal hash chains,
//!   driven until the registry's beacon reaches the seq a draw waits for;
//! - [`assert_contract_err`], [`assert_err_message`], [`assert_err_contains`]
//!   and [`attr`]: matching a failed call's error and reading events.

mod beacon;
mod errors;
mod harness;
mod params;
mod system;

pub use beacon::{Beacon, HashChain};
pub use errors::{
    assert_contract_err, assert_err_contains, assert_err_message, attr, contract_error,
};
pub use harness::{gpu, Harness, Registration};
pub use params::suite_registry_params;
pub use system::{account, code, named, Setup, System, DEPLOYER};

pub use cw_multi_test::App;
pub use starminer_deploy::{Addresses, Contract, DeployConfig};

/// What executing a message in the app returns.
pub type Res = anyhow::Result<cw_multi_test::AppResponse>;

/// Implements [`Harness`] for a suite: a struct with the fields `app: App`
/// and `contracts: Addresses`.
#[macro_export]
macro_rules! impl_harness {
    ($suite:ty) => {
        impl $crate::Harness for $suite {
            fn app(&self) -> &$crate::App {
                &self.app
            }
            fn app_mut(&mut self) -> &mut $crate::App {
                &mut self.app
            }
            fn contracts(&self) -> &$crate::Addresses {
                &self.contracts
            }
        }
    };
}
