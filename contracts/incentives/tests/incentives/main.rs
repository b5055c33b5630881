//! Multi-test suites of the incentives contract, one module per subject, all
//! in one test binary.

mod access;
mod claims;
mod emission;
mod properties;
mod suite;
