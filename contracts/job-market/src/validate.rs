//! Validation of everything governance, oracles and requesters send, done
//! once at the edge.

use cosmwasm_std::{Decimal, Env};
use starminer_interfaces::job_market::{JobInput, JobSpec, MarketParams, Template};
use starminer_interfaces::market::{Determinism, VerificationMode};
use starminer_interfaces::registry::TIER_COUNT;

use crate::error::ContractError;

fn bad_params(reason: &str) -> ContractError {
    ContractError::InvalidParams {
        reason: reason.to_string(),
    }
}

pub fn validate_params(p: &MarketParams) -> Result<(), ContractError> {
    let one = Decimal::one();
    if p.protocol_fee_rate > one || p.bad_input_fee_rate > one {
        return Err(bad_params("fee rates must be at most 1"));
    }
    if p.abandon_slash_rate >= one {
        return Err(bad_params(
            "abandon_slash_rate must be below 1 (a timeout slashes the whole collateral)",
        ));
    }
    if p.cancel_fee_rate > one {
        return Err(bad_params("cancel_fee_rate must be at most 1"));
    }
    if p.bad_input_window == 0 {
        return Err(bad_params("bad_input_window must be positive"));
    }
    if p.limits.max_device_memory.is_zero() || p.limits.max_compute_units == 0 {
        return Err(bad_params(
            "max_device_memory and max_compute_units must be positive",
        ));
    }
    if p.collateral_rate > Decimal::from_ratio(10u32, 1u32) {
        return Err(bad_params("collateral_rate must be at most 10"));
    }
    if p.challenge_window == 0 || p.response_window == 0 || p.commit_window == 0 {
        return Err(bad_params("windows must be positive"));
    }
    if p.dispute_verifiers == 0 {
        return Err(bad_params("dispute_verifiers must be at least 1"));
    }
    if p.max_claim_scan == 0 || p.max_claim_scan > 1_000 {
        return Err(bad_params("max_claim_scan must be 1..=1000"));
    }
    let f = &p.lease_factors;
    for factor in [f.low, f.normal, f.high, f.realtime] {
        if factor.is_zero() || factor > Decimal::from_ratio(100u32, 1u32) {
            return Err(bad_params("lease factors must be in (0, 100]"));
        }
    }
    let l = &p.limits;
    if l.max_params == 0
        || l.max_param_name_len == 0
        || l.max_uri_len < 8
        || l.max_verifiers == 0
        || l.max_replication < 2
        || l.max_job_duration == 0
        || l.max_history == 0
        || l.max_zones == 0
    {
        return Err(bad_params(
            "limits must be positive (max_replication at least 2, max_uri_len at least 8)",
        ));
    }
    if p.max_replica_applicants < u32::from(l.max_replication) || p.max_replica_applicants > 32 {
        return Err(bad_params(
            "max_replica_applicants must be max_replication..=32 (a draw seats up to k of them)",
        ));
    }
    if p.replica_window > 86_400 {
        return Err(bad_params("replica_window must be at most a day"));
    }
    if l.max_zones > 256 || l.max_history > 1_000 || l.max_params > 64 {
        return Err(bad_params(
            "max_zones ≤ 256, max_history ≤ 1000, max_params ≤ 64",
        ));
    }
    Ok(())
}

pub fn validate_zone_id(zone: &str) -> Result<(), ContractError> {
    let ok = (1..=32).contains(&zone.len())
        && zone
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(ContractError::InvalidZoneId {
            zone: zone.to_string(),
        })
    }
}

pub fn is_hex_hash(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

pub fn validate_template(t: &Template) -> Result<(), ContractError> {
    let bad = |reason: &str| ContractError::InvalidTemplate {
        reason: reason.to_string(),
    };
    let id_ok = (1..=64).contains(&t.id.len())
        && t.id.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'_')
        });
    if !id_ok {
        return Err(bad("id: 1-64 characters of a-z, 0-9, '.', '-', '_'"));
    }
    if !is_hex_hash(&t.kernel_sha256) {
        return Err(bad("kernel_sha256 must be 64 hex characters"));
    }
    let f = &t.unit_formula;
    if f.factor == 0 || f.divisor == 0 || f.params.is_empty() || f.params.len() > 16 {
        return Err(bad(
            "unit formula needs 1-16 parameters and a positive factor and divisor",
        ));
    }
    if t.chunk_size == 0 {
        return Err(bad("chunk_size must be positive"));
    }
    if let Determinism::Tolerance { eps } = t.determinism {
        if eps.is_zero() {
            return Err(bad("a tolerance must be positive (use Exact otherwise)"));
        }
    }
    if t.max_seconds_per_unit.is_zero() {
        return Err(bad("max_seconds_per_unit must be positive"));
    }
    if !(1..=TIER_COUNT).contains(&t.min_hardware.min_tier) {
        return Err(bad("min_tier must be 1..=4"));
    }
    Ok(())
}

/// Checks the spec's own shape and bounds (the template, zone and pricing
/// are checked by the submit handler).
pub fn validate_spec(
    spec: &JobSpec,
    params: &MarketParams,
    env: &Env,
) -> Result<(), ContractError> {
    let bad = |reason: String| ContractError::InvalidSpec { reason };
    let l = &params.limits;
    if spec.params.len() > l.max_params as usize {
        return Err(bad(format!("at most {} parameters", l.max_params)));
    }
    for (i, p) in spec.params.iter().enumerate() {
        if p.name.is_empty() || p.name.len() > l.max_param_name_len as usize {
            return Err(bad(format!(
                "parameter names are 1-{} characters",
                l.max_param_name_len
            )));
        }
        if spec.params[..i].iter().any(|q| q.name == p.name) {
            return Err(bad(format!("parameter `{}` is given twice", p.name)));
        }
    }
    match &spec.input {
        JobInput::Remote { uri, sha256, .. } => {
            if uri.is_empty() || uri.len() > l.max_uri_len as usize {
                return Err(bad(format!(
                    "input uri must be 1-{} characters",
                    l.max_uri_len
                )));
            }
            if !is_hex_hash(sha256) {
                return Err(bad("input sha256 must be 64 hex characters".into()));
            }
        }
        JobInput::Inline { data } => {
            if data.len() > l.max_inline_input_bytes as usize {
                return Err(bad(format!(
                    "inline input is limited to {} bytes; use a remote input",
                    l.max_inline_input_bytes
                )));
            }
        }
    }
    let r = &spec.requirements;
    if !(1..=TIER_COUNT).contains(&r.min_tier) {
        return Err(bad("min_tier must be 1..=4".into()));
    }
    // Requirements nobody's device can meet would only clog the queue
    // (ClaimNext head-of-line blocking): bounded by governance.
    if r.min_device_memory > l.max_device_memory {
        return Err(bad(format!(
            "min_device_memory may be at most {} bytes",
            l.max_device_memory
        )));
    }
    if r.min_compute_units > l.max_compute_units {
        return Err(bad(format!(
            "min_compute_units may be at most {}",
            l.max_compute_units
        )));
    }
    match spec.verification {
        VerificationMode::None => {}
        VerificationMode::SpotCheck { verifiers } => {
            if verifiers == 0 || verifiers > l.max_verifiers {
                return Err(bad(format!(
                    "SpotCheck takes 1-{} verifiers",
                    l.max_verifiers
                )));
            }
        }
        VerificationMode::Replicated { k } => {
            if k < 2 || k > l.max_replication {
                return Err(bad(format!(
                    "Replicated takes k = 2..={}",
                    l.max_replication
                )));
            }
        }
    }
    if spec.max_price.is_zero() {
        return Err(bad("max_price must be positive".into()));
    }
    let now = env.block.time;
    if spec.deadline <= now {
        return Err(bad("the deadline must be in the future".into()));
    }
    if spec.deadline.seconds() - now.seconds() > l.max_job_duration {
        return Err(bad(format!(
            "the deadline may be at most {} seconds away",
            l.max_job_duration
        )));
    }
    Ok(())
}
