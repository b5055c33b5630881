//! Multi-test suites of the incentives contract, one module per subject, all
//! in one test binary.

mod access;
mod attacks;
mod claims;
mod economics;
mod emission;
mod migration;
mod properties;
mod suite;
