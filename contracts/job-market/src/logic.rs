//! Pure rules of the market, unit-tested here and shared by the handlers (and
//! by the adversarial simulation in `tests/`): fee split, collateral, lease
//! length, spillover eligibility, hardware matching, verifier selection,
//! result commitments and on-chain Merkle proof checks.

use cosmwasm_std::{Decimal, Timestamp, Uint128};
use sha2::{Digest, Sha256};
use starminer_interfaces::job_market::{LatencyClass, SpillRoute};
use starminer_interfaces::registry::Device;

use crate::error::ContractError;

/// One replica's compute cost split into (provider payout, protocol fee).
/// The fee rounds down, so the provider never loses to rounding.
pub fn fee_split(compute_cost: Uint128, protocol_fee_rate: Decimal) -> (Uint128, Uint128) {
    let fee = compute_cost.mul_floor(protocol_fee_rate).min(compute_cost);
    (compute_cost - fee, fee)
}

/// Collateral a provider locks for one slot: `rate × payout`, rounded up so
/// that any positive rate puts something at stake.
pub fn collateral_for(payout: Uint128, collateral_rate: Decimal) -> Uint128 {
    payout.mul_ceil(collateral_rate)
}

/// The lease rule is shared with the provider agents.
pub use starminer_interfaces::job_market::lease_seconds;

/// Whether a provider of zone `provider_zone` may take a job of `job_zone`:
/// always in its own zone; through a route M[job_zone][provider_zone] once the
/// job is old enough, or at once while the job's zone is over capacity, and
/// never over a route slower than the job's latency class.
pub fn spill_allowed(
    job_zone: &str,
    provider_zone: &str,
    route: Option<&SpillRoute>,
    job_latency: LatencyClass,
    age_seconds: u64,
    zone_open_jobs: u64,
    zone_capacity_threshold: u64,
) -> bool {
    if job_zone == provider_zone {
        return true;
    }
    let Some(route) = route else {
        return false;
    };
    if route.latency > job_latency {
        return false;
    }
    age_seconds >= route.delay || zone_open_jobs > zone_capacity_threshold
}

/// Whether one device has at least `min_memory` bytes and `min_units`
/// compute units (a job runs on one device).
pub fn hardware_fits(devices: &[Device], min_memory: u64, min_units: u32) -> bool {
    devices
        .iter()
        .any(|d| d.global_mem_bytes.u64() >= min_memory && d.compute_units >= min_units)
}

pub fn age_seconds(now: Timestamp, since: Timestamp) -> u64 {
    now.seconds().saturating_sub(since.seconds())
}

/// Seed of a draw (spot checkers or dispute voters): sha256(tag ‖ job id ‖
/// root ‖ extra ‖ beacon value). The beacon value is revealed only after the
/// job fixed everything else (its root, the disputed index), so neither the
/// provider nor a verifier can grind the draw by choosing them.
pub fn draw_seed(
    tag: &[u8],
    job_id: u64,
    root: &str,
    extra: &[u8],
    beacon_value: &str,
) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(tag);
    h.update(job_id.to_be_bytes());
    h.update(root.as_bytes());
    h.update(extra);
    h.update(beacon_value.as_bytes());
    h.finalize().into()
}

/// The stake-weighted draw, shared with the registry's benchmark draw.
pub use starminer_interfaces::draw::draw_weighted;

/// Decodes a lower-case or upper-case hex SHA-256.
pub fn parse_hash(hex_str: &str, what: &str) -> Result<[u8; 32], ContractError> {
    let bytes = hex::decode(hex_str).map_err(|_| ContractError::InvalidResult {
        reason: format!("{what} must be 64 hex characters"),
    })?;
    bytes.try_into().map_err(|_| ContractError::InvalidResult {
        reason: format!("{what} must be 64 hex characters (32 bytes)"),
    })
}

/// The commitment of a replica, bound to its committer and its job (H5):
/// hex sha256(root bytes ‖ salt ‖ provider address bytes ‖ job id
/// big-endian). One formula, shared with the provider agents.
pub use starminer_interfaces::job_market::replica_commitment;

/// Checks that `leaf` (hex) is chunk `index` of the committed output with
/// `chunk_count` chunks and root `root` (hex), through `starminer_merkle`.
pub fn verify_chunk(
    root: &str,
    chunk_count: u64,
    index: u64,
    leaf: &str,
    proof: &[String],
) -> Result<(), ContractError> {
    let root = parse_hash(root, "root")?;
    let leaf = parse_hash(leaf, "leaf hash")?;
    let siblings = proof
        .iter()
        .map(|s| parse_hash(s, "proof hash"))
        .collect::<Result<Vec<_>, _>>()?;
    starminer_merkle::verify_proof(&root, chunk_count, index, &leaf, &siblings).map_err(|e| {
        ContractError::InvalidProof {
            reason: e.to_string(),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn fee_split_rounds_fee_down_and_conserves() {
        let (pay, fee) = fee_split(Uint128::new(1001), dec("0.05"));
        assert_eq!((pay.u128(), fee.u128()), (951, 50));
        assert_eq!(
            fee_split(Uint128::new(7), Decimal::one()),
            (Uint128::zero(), Uint128::new(7))
        );
        assert_eq!(
            collateral_for(Uint128::new(951), dec("0.5")),
            Uint128::new(476)
        );
        assert_eq!(
            collateral_for(Uint128::new(1), dec("0.01")),
            Uint128::new(1)
        );
        assert_eq!(
            collateral_for(Uint128::new(10), Decimal::zero()),
            Uint128::zero()
        );
    }

    #[test]
    fn lease_scales_with_units_and_urgency_and_has_a_floor() {
        assert_eq!(
            lease_seconds(Uint128::new(100), dec("2"), dec("0.5"), 10),
            100
        );
        assert_eq!(lease_seconds(Uint128::new(3), dec("0.1"), dec("1"), 10), 10);
        assert_eq!(
            lease_seconds(Uint128::MAX, Decimal::MAX, dec("1"), 10),
            u64::MAX
        );
    }

    #[test]
    fn spillover_needs_a_route_age_or_overload_and_latency() {
        let route = SpillRoute {
            delay: 60,
            latency: LatencyClass::Continental,
        };
        let ok = |route: Option<&SpillRoute>, lat, age, open| {
            spill_allowed("a", "b", route, lat, age, open, 5)
        };
        assert!(spill_allowed("a", "a", None, LatencyClass::Metro, 0, 0, 0));
        assert!(!ok(None, LatencyClass::Global, 1000, 100));
        assert!(!ok(Some(&route), LatencyClass::Global, 59, 5));
        assert!(ok(Some(&route), LatencyClass::Global, 60, 5));
        assert!(ok(Some(&route), LatencyClass::Continental, 0, 6));
        assert!(!ok(Some(&route), LatencyClass::Regional, 1000, 100));
    }

    #[test]
    fn commitments_and_proofs_use_the_shared_tree() {
        let data: Vec<u8> = (0..=255u8).cycle().take(1000).collect();
        let tree = starminer_merkle::MerkleTree::from_data(&data, 64).unwrap();
        let root = hex::encode(tree.root());
        let proof: Vec<String> = tree.proof(3).unwrap().iter().map(hex::encode).collect();
        let leaf = hex::encode(tree.leaf(3).unwrap());
        assert!(verify_chunk(&root, tree.leaf_count(), 3, &leaf, &proof).is_ok());
        assert!(verify_chunk(&root, tree.leaf_count(), 4, &leaf, &proof).is_err());
        assert!(verify_chunk(&root, tree.leaf_count(), 3, "zz", &proof).is_err());
        let c1 = replica_commitment(&tree.root(), b"salt", "p1", 7);
        assert_ne!(c1, replica_commitment(&tree.root(), b"pepper", "p1", 7));
        assert_ne!(c1, replica_commitment(&tree.root(), b"salt", "p2", 7));
        assert_ne!(c1, replica_commitment(&tree.root(), b"salt", "p1", 8));
        assert_eq!(c1.len(), 64);
    }
}
