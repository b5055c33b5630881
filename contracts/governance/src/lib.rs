//! The governance contract (work in progress).
