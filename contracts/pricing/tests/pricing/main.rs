//! Multi-test suites of the pricing engine, one module per subject, all in
//! one test binary.

mod access;
mod dynamics;
mod history;
mod properties;
mod quotes;
mod suite;
