//! The randomness beacon: a RANDAO over validator hash chains.
//!
//! A seated validator commits to a hash chain, `anchor = sha256ⁿ(secret)`.
//! Each `RevealBeacon{preimage}` must hash to the current anchor; the
//! preimage becomes the new anchor and the beacon moves on:
//! `value := sha256(prev value ‖ revealer's canonical address ‖ preimage)`.
//! Every link of the chain is fixed when the anchor is set, so the only
//! choice a revealer has is whether (and when) to reveal, never what.
//!
//! A new anchor counts only for reveals that mix a value that did not exist
//! when it was set (the beacon must have moved on since): otherwise a
//! validator could pick a secret offline whose first link makes the current
//! value come out as it likes. The exception keeps the beacon live: when no
//! seated validator holds an older ("matured") anchor, nobody could move the
//! beacon, so a fresh anchor may reveal `beacon_interval` after it was set.
//! That happens at genesis and after every matured anchor left; the first
//! value after it may be biased by its revealer, every later one mixes a
//! preimage fixed before the value it follows was known. (A beacon with one
//! revealer is that revealer's anyway, which `reveals_per_draw = 1` tells
//! every consumer.)

use cosmwasm_std::{Addr, Deps, DepsMut, Env, MessageInfo, Response, StdResult, Storage};
use sha2::{Digest, Sha256};
use starminer_interfaces::registry::{BeaconEntry, BeaconResponse, Params, Role};

use crate::error::ContractError;
use crate::execute::load_registered;
use crate::state::{
    BeaconDuty, BeaconHead, BEACON, BEACON_ANCHORED, BEACON_DUTIES, BEACON_LOG, PARAMS, VALIDATORS,
};

/// Decodes 64 hex characters into 32 bytes.
pub fn parse_hash32(value: &str, field: &str) -> Result<[u8; 32], ContractError> {
    let bytes = hex::decode(value).map_err(|_| ContractError::InvalidHash {
        field: field.to_string(),
    })?;
    bytes.try_into().map_err(|_| ContractError::InvalidHash {
        field: field.to_string(),
    })
}

/// The genesis value: sha256 of the contract's address.
pub fn genesis_value(contract: &Addr) -> String {
    hex::encode(Sha256::digest(contract.as_bytes()))
}

/// Writes the genesis head and log entry (instantiate and migration).
pub fn init_beacon(storage: &mut dyn Storage, env: &Env) -> StdResult<()> {
    let value = genesis_value(&env.contract.address);
    BEACON.save(
        storage,
        &BeaconHead {
            seq: 0,
            value: value.clone(),
            fresh: 0,
        },
    )?;
    BEACON_LOG.save(
        storage,
        0,
        &BeaconEntry {
            seq: 0,
            value,
            revealer: env.contract.address.clone(),
            time: env.block.time,
        },
    )?;
    BEACON_ANCHORED.save(storage, &0)
}

fn ensure_seated(storage: &dyn Storage, addr: &Addr) -> Result<(), ContractError> {
    let p = load_registered(storage, addr)?;
    if let starminer_interfaces::registry::ProviderStatus::Jailed { until } = p.status {
        return Err(ContractError::Jailed { until });
    }
    if !p.has_active_role(Role::Validator) || !VALIDATORS.has(storage, addr) {
        return Err(ContractError::NotValidator {});
    }
    Ok(())
}

pub fn execute_set_beacon_anchor(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    anchor: String,
) -> Result<Response, ContractError> {
    ensure_seated(deps.storage, &info.sender)?;
    parse_hash32(&anchor, "anchor")?;
    let anchor = anchor.to_ascii_lowercase();
    let mut head = BEACON.load(deps.storage)?;
    let old = BEACON_DUTIES.may_load(deps.storage, &info.sender)?;
    let old_anchor = old.as_ref().filter(|d| d.anchor.is_some());
    if old_anchor.is_none() {
        BEACON_ANCHORED.update(deps.storage, |n| -> StdResult<_> {
            Ok(n.saturating_add(1))
        })?;
    }
    if old_anchor.is_none_or(|d| d.anchor_seq != head.seq) {
        head.fresh = head.fresh.saturating_add(1);
        BEACON.save(deps.storage, &head)?;
    }
    let duty = BeaconDuty {
        anchor: Some(anchor.clone()),
        anchor_seq: head.seq,
        anchor_set_at: env.block.time,
        last_reveal: old.and_then(|d| d.last_reveal),
    };
    BEACON_DUTIES.save(deps.storage, &info.sender, &duty)?;
    Ok(Response::new()
        .add_attribute("action", "set_beacon_anchor")
        .add_attribute("validator", info.sender)
        .add_attribute("anchor", anchor)
        .add_attribute("beacon_seq", head.seq.to_string()))
}

pub fn execute_reveal_beacon(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    preimage: String,
) -> Result<Response, ContractError> {
    ensure_seated(deps.storage, &info.sender)?;
    let params = PARAMS.load(deps.storage)?;
    let preimage_bytes = parse_hash32(&preimage, "preimage")?;
    let mut duty = BEACON_DUTIES
        .may_load(deps.storage, &info.sender)?
        .filter(|d| d.anchor.is_some())
        .ok_or(ContractError::NoBeaconAnchor {})?;
    let anchor = duty.anchor.clone().unwrap_or_default();
    if hex::encode(Sha256::digest(preimage_bytes)) != anchor {
        return Err(ContractError::WrongPreimage {});
    }
    let interval = params.duties.beacon_interval;
    if let Some(last) = duty.last_reveal {
        let next = last.plus_seconds(interval);
        if env.block.time < next {
            return Err(ContractError::RevealTooSoon { next });
        }
    }
    let head = BEACON.load(deps.storage)?;
    if head.seq == duty.anchor_seq {
        // The beacon has not moved since the anchor was set. It may go on
        // only while no validator with a matured anchor could move it.
        let matured = BEACON_ANCHORED
            .load(deps.storage)?
            .saturating_sub(head.fresh);
        let next = duty.anchor_set_at.plus_seconds(interval);
        if matured > 0 || env.block.time < next {
            return Err(ContractError::AnchorNotMatured {
                beacon_seq: head.seq,
            });
        }
    }
    let prev = parse_hash32(&head.value, "beacon value")?;
    let revealer = deps.api.addr_canonicalize(info.sender.as_str())?;
    let mut h = Sha256::new();
    h.update(prev);
    h.update(revealer.as_slice());
    h.update(preimage_bytes);
    let value = hex::encode(h.finalize());
    let seq = head.seq.saturating_add(1);
    BEACON.save(
        deps.storage,
        &BeaconHead {
            seq,
            value: value.clone(),
            fresh: 0,
        },
    )?;
    BEACON_LOG.save(
        deps.storage,
        seq,
        &BeaconEntry {
            seq,
            value: value.clone(),
            revealer: info.sender.clone(),
            time: env.block.time,
        },
    )?;
    duty.anchor = Some(hex::encode(preimage_bytes));
    duty.last_reveal = Some(env.block.time);
    BEACON_DUTIES.save(deps.storage, &info.sender, &duty)?;
    Ok(Response::new()
        .add_attribute("action", "reveal_beacon")
        .add_attribute("validator", info.sender)
        .add_attribute("beacon_seq", seq.to_string())
        .add_attribute("beacon_value", value))
}

/// `min(beacon_reveals_per_draw, seated validators with an anchor)`.
pub fn reveals_per_draw(storage: &dyn Storage, params: &Params) -> StdResult<u32> {
    let anchored = BEACON_ANCHORED.may_load(storage)?.unwrap_or_default();
    Ok(params.duties.beacon_reveals_per_draw.min(anchored))
}

pub fn query_beacon(deps: Deps) -> StdResult<BeaconResponse> {
    let head = BEACON.load(deps.storage)?;
    let params = PARAMS.load(deps.storage)?;
    Ok(BeaconResponse {
        seq: head.seq,
        value: head.value,
        reveals_per_draw: reveals_per_draw(deps.storage, &params)?,
    })
}
