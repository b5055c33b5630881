//! The registry contract (work in progress).
