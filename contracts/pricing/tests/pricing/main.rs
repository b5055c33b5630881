//! Multi-test suites of the pricing engine, one module per subject, all in
//! one test binary.

mod access;
mod attacks;
mod dynamics;
mod history;
mod migration;
mod properties;
mod quotes;
mod suite;
