//! Placeholder filled in by the governance work.
