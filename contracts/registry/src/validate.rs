//! Checks applied once, at the edge, to everything a message brings in.

use cosmwasm_std::{Binary, CanonicalAddr, Decimal};
use ripemd::Ripemd160;
use sha2::{Digest, Sha256};
use starminer_interfaces::registry::{
    Device, Params, Role, MAX_REPUTATION, SECP256K1_COMPRESSED_LEN, SECP256K1_UNCOMPRESSED_LEN,
    TIER_COUNT,
};

use crate::error::ContractError;

/// Longest zone id.
pub const MAX_ZONE_ID_LEN: usize = 32;
/// Most authorized contracts (checked by a linear scan on every authorized call).
pub const MAX_AUTHORIZED: usize = 16;
/// Hard ceiling on `max_pending_claims`, whatever governance sets.
pub const MAX_PENDING_CLAIMS_CEILING: u32 = 100;
/// Hard ceiling on `max_validators`: benchmark submissions snapshot the set
/// and the job market reads it whole, so it must stay small.
pub const MAX_VALIDATORS_CEILING: u32 = 100;

fn invalid(reason: &str) -> ContractError {
    ContractError::InvalidParams {
        reason: reason.to_string(),
    }
}

pub fn validate_params(p: &Params) -> Result<(), ContractError> {
    if p.min_provider_stake.is_zero() || p.min_validator_stake.is_zero() {
        return Err(invalid("minimum stakes must be positive"));
    }
    if p.unbonding_period == 0 {
        return Err(invalid("unbonding_period must be positive"));
    }
    if p.max_pending_claims == 0 || p.max_pending_claims > MAX_PENDING_CLAIMS_CEILING {
        return Err(invalid("max_pending_claims must be 1..=100"));
    }
    let r = &p.reputation;
    for (name, d) in [("alpha", r.alpha), ("beta", r.beta), ("gamma", r.gamma)] {
        if d > Decimal::one() {
            return Err(invalid(&format!("reputation {name} must be at most 1")));
        }
    }
    if r.floor > MAX_REPUTATION || r.benchmark_boost > MAX_REPUTATION {
        return Err(invalid("reputation floor and boost must be at most 10000"));
    }
    if p.jail_duration == 0 {
        return Err(invalid("jail_duration must be positive"));
    }
    if p.slash_beneficiary_share > Decimal::one() {
        return Err(invalid("slash_beneficiary_share must be at most 1"));
    }
    if p.tier_thresholds.len() != usize::from(TIER_COUNT)
        || p.tier_thresholds[0] == 0
        || p.tier_thresholds.windows(2).any(|w| w[0] >= w[1])
    {
        return Err(invalid(
            "tier_thresholds must be 4 positive, strictly increasing scores",
        ));
    }
    let b = &p.benchmark;
    if b.work == 0 || b.min_duration == 0 || b.min_duration > b.max_duration {
        return Err(invalid(
            "benchmark work and min_duration must be positive and min_duration <= max_duration",
        ));
    }
    if p.max_validators == 0 {
        return Err(invalid("max_validators must be positive"));
    }
    if p.max_validators > MAX_VALIDATORS_CEILING {
        return Err(invalid("max_validators must be at most 100"));
    }
    let d = &p.duties;
    if d.beacon_interval == 0 || d.beacon_grace < d.beacon_interval {
        return Err(invalid(
            "beacon_interval must be positive and beacon_grace at least beacon_interval",
        ));
    }
    if d.beacon_reveals_per_draw == 0 {
        return Err(invalid("beacon_reveals_per_draw must be positive"));
    }
    if d.missed_duty_slash > Decimal::one() {
        return Err(invalid("missed_duty_slash must be at most 1"));
    }
    if d.benchmark_quorum == 0
        || d.benchmark_quorum > crate::execute::benchmark::MAX_BENCHMARK_QUORUM
    {
        return Err(invalid("benchmark_quorum must be 1..=16"));
    }
    let l = &p.limits;
    if l.max_devices == 0 || l.max_text_len == 0 || l.max_url_len < 10 {
        return Err(invalid(
            "max_devices and max_text_len must be positive and max_url_len at least 10",
        ));
    }
    Ok(())
}

pub fn validate_text(field: &str, value: &str, max: u32) -> Result<(), ContractError> {
    let len = value.chars().count();
    let max_len = usize::try_from(max).unwrap_or(usize::MAX);
    if len == 0 || len > max_len || value.chars().any(char::is_control) {
        return Err(ContractError::InvalidText {
            field: field.to_string(),
            max,
        });
    }
    Ok(())
}

pub fn validate_url(url: &str, max: u32) -> Result<(), ContractError> {
    let max_len = usize::try_from(max).unwrap_or(usize::MAX);
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    let ok = url.len() <= max_len
        && rest.is_some_and(|host| {
            !host.is_empty() && !host.starts_with('/') && host.chars().all(|c| c.is_ascii_graphic())
        });
    if ok {
        Ok(())
    } else {
        Err(ContractError::InvalidUrl { max })
    }
}

pub fn validate_pubkey(key: &Binary) -> Result<(), ContractError> {
    let ok = match key.len() {
        SECP256K1_COMPRESSED_LEN => matches!(key[0], 0x02 | 0x03),
        SECP256K1_UNCOMPRESSED_LEN => key[0] == 0x04,
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(ContractError::InvalidPubkey {})
    }
}

/// The canonical address the Cosmos SDK derives from a secp256k1 key:
/// ripemd160(sha256(33-byte compressed key)). An uncompressed key is
/// compressed first (0x02/0x03 by the parity of y, then x).
pub fn pubkey_address(key: &Binary) -> Result<CanonicalAddr, ContractError> {
    let compressed: Vec<u8> = match key.len() {
        SECP256K1_COMPRESSED_LEN => key.to_vec(),
        SECP256K1_UNCOMPRESSED_LEN => {
            let mut c = Vec::with_capacity(SECP256K1_COMPRESSED_LEN);
            c.push(if key[64] & 1 == 1 { 0x03 } else { 0x02 });
            c.extend_from_slice(&key[1..33]);
            c
        }
        _ => return Err(ContractError::InvalidPubkey {}),
    };
    let sha = Sha256::digest(&compressed);
    let rip = Ripemd160::digest(sha);
    Ok(CanonicalAddr::from(&rip[..]))
}

pub fn validate_zone_id(zone: &str) -> Result<(), ContractError> {
    let ok = !zone.is_empty()
        && zone.len() <= MAX_ZONE_ID_LEN
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

pub fn validate_hardware(devices: &[Device], params: &Params) -> Result<(), ContractError> {
    let max = params.limits.max_devices;
    if devices.len() > usize::try_from(max).unwrap_or(usize::MAX) {
        return Err(ContractError::TooManyDevices { max });
    }
    let text = params.limits.max_text_len;
    for (index, d) in devices.iter().enumerate() {
        validate_text("device vendor", &d.vendor, text)?;
        validate_text("device name", &d.name, text)?;
        validate_text("device opencl_version", &d.opencl_version, text)?;
        if d.compute_units == 0 || d.global_mem_bytes.is_zero() || d.max_clock_mhz == 0 {
            return Err(ContractError::InvalidDevice { index });
        }
    }
    Ok(())
}

/// Requested roles: `Provider` and/or `Validator`, returned sorted and deduplicated.
pub fn validate_roles(roles: &[Role]) -> Result<Vec<Role>, ContractError> {
    if roles
        .iter()
        .any(|r| !matches!(r, Role::Provider | Role::Validator))
    {
        return Err(ContractError::InvalidRoleRequest {});
    }
    let mut roles = roles.to_vec();
    roles.sort();
    roles.dedup();
    Ok(roles)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert!(validate_url("https://node.example:8443/chunks", 100).is_ok());
        assert!(validate_url("http://10.0.0.1", 100).is_ok());
        assert!(validate_url("ftp://x", 100).is_err());
        assert!(validate_url("https://", 100).is_err());
        assert!(validate_url("https:///path", 100).is_err());
        assert!(validate_url("https://a b", 100).is_err());
        assert!(validate_url("https://example.com", 12).is_err());
    }

    #[test]
    fn pubkeys() {
        let mut k = vec![0x02; 33];
        assert!(validate_pubkey(&Binary::from(k.clone())).is_ok());
        k[0] = 0x05;
        assert!(validate_pubkey(&Binary::from(k)).is_err());
        let mut u = vec![0x04; 65];
        assert!(validate_pubkey(&Binary::from(u.clone())).is_ok());
        u.pop();
        assert!(validate_pubkey(&Binary::from(u)).is_err());
    }

    #[test]
    fn pubkey_addresses_follow_the_sdk() {
        // A key and its uncompressed form derive the same address.
        let x = [0x11u8; 32];
        let mut y = [0x22u8; 32];
        y[31] = 0x05; // odd
        let mut compressed = vec![0x03];
        compressed.extend(x);
        let mut uncompressed = vec![0x04];
        uncompressed.extend(x);
        uncompressed.extend(y);
        let a = pubkey_address(&Binary::from(compressed)).unwrap();
        let b = pubkey_address(&Binary::from(uncompressed)).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.len(), 20);
        // The SDK's well-known test vector: the secp256k1 key of private key 1
        // (the generator) derives 751e76e8199196d454941c45d1b3a323f1433bd6.
        let g = hex::decode("0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798")
            .unwrap();
        assert_eq!(
            hex::encode(pubkey_address(&Binary::from(g)).unwrap().as_slice()),
            "751e76e8199196d454941c45d1b3a323f1433bd6"
        );
    }

    #[test]
    fn zone_ids() {
        assert!(validate_zone_id("eu-west_1").is_ok());
        assert!(validate_zone_id("").is_err());
        assert!(validate_zone_id("EU").is_err());
        assert!(validate_zone_id(&"a".repeat(33)).is_err());
    }

    #[test]
    fn text() {
        assert!(validate_text("moniker", "rig-01", 10).is_ok());
        assert!(validate_text("moniker", "", 10).is_err());
        assert!(validate_text("moniker", "a\nb", 10).is_err());
        assert!(validate_text("moniker", "ééééé", 5).is_ok());
        assert!(validate_text("moniker", "ééééé!", 5).is_err());
    }

    #[test]
    fn roles() {
        assert_eq!(
            validate_roles(&[Role::Validator, Role::Provider, Role::Validator]).unwrap(),
            vec![Role::Provider, Role::Validator]
        );
        assert!(validate_roles(&[Role::Oracle]).is_err());
        assert!(validate_roles(&[Role::Requester]).is_err());
    }
}
