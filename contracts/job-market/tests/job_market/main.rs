//! Multi-test suites of the job market, one module per subject, all in one
//! test binary. Run the adversarial table with
//! `cargo test -p job-market --test job_market adversarial -- --nocapture`.

mod accounting;
mod adversarial;
mod attacks_claims;
mod attacks_verification;
mod forced_errors;
mod lifecycle;
mod migration;
mod replica_draw;
mod spillover;
mod suite;
mod verification;
