//! Execute handlers, one module per subject.

pub mod config;
pub mod execution;
pub mod proposal;
pub mod stake;
pub mod vote;
