//! Multi-test suites of the governance contract, one module per subject.
//! A single test binary keeps link time down.

mod attacks;
mod config;
mod execution;
mod properties;
mod proposals;
mod staking;
mod suite;
mod treasury;
