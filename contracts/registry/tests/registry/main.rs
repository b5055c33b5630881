//! Multi-test suites of the registry, one module per subject, all in one test
//! binary (one link instead of many).

mod attacks;
mod beacon;
mod benchmark;
mod collateral;
mod conservation;
mod governance;
mod identity;
mod migration;
mod stake;
mod suite;
