//! Multi-test suites of the registry, one module per subject, all in one test
//! binary (one link instead of many).

mod benchmark;
mod collateral;
mod conservation;
mod governance;
mod identity;
mod stake;
mod suite;
