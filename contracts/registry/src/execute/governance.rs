//! Governance-only messages: parameters, authorized contracts, oracles, zones.

use cosmwasm_std::{Addr, Api, DepsMut, Env, MessageInfo, Response};
use starminer_interfaces::addresses::{validate_address_list, AddressListError};
use starminer_interfaces::registry::Params;

use crate::error::ContractError;
use crate::execute::{ensure_governance, seats};
use crate::state::{CONFIG, ORACLES, PARAMS, VALIDATOR_COUNT, ZONES, ZONE_USERS};

/// Most seats one `UpdateConfig` may drop or fill by changing
/// `max_validators`: every one of them is handled, with an event, in that
/// message (never silently and never by a scan).
pub const MAX_SEAT_CHANGES: u32 = 10;
use crate::validate::{validate_params, validate_zone_id, MAX_AUTHORIZED};

/// Validates a list of authorized contracts, dropping duplicates.
pub fn validate_authorized(
    api: &dyn Api,
    contracts: &[String],
) -> Result<Vec<Addr>, ContractError> {
    validate_address_list(api, contracts, MAX_AUTHORIZED).map_err(|e| match e {
        AddressListError::TooMany { max } => ContractError::TooManyAuthorized { max },
        AddressListError::Invalid(e) => e.into(),
    })
}

/// Parameter changes apply to each record at its next state change (roles
/// are re-evaluated lazily; nothing is scanned). The exception is
/// `max_validators`: lowering it drops the smallest seats at once, each with
/// a `validator_unseated` event; a cut that would drop more than
/// [`MAX_SEAT_CHANGES`] seats is refused (do it in steps), so the message's
/// gas stays bounded. Raising it fills up to [`MAX_SEAT_CHANGES`] new seats
/// from the best candidates at once (`validator_seated` events); any further
/// ones are filled by the next messages, a few per message.
pub fn execute_update_config(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    governance: Option<String>,
    params: Option<Params>,
) -> Result<Response, ContractError> {
    ensure_governance(deps.storage, &info.sender)?;
    let mut response = Response::new().add_attribute("action", "update_config");
    if let Some(governance) = governance {
        let governance_addr = deps.api.addr_validate(&governance)?;
        CONFIG.update(deps.storage, |mut c| -> Result<_, ContractError> {
            c.governance = governance_addr.clone();
            Ok(c)
        })?;
        response = response.add_attribute("governance", governance_addr);
    }
    if let Some(params) = params {
        validate_params(&params)?;
        let count = VALIDATOR_COUNT.load(deps.storage)?;
        let drops = count.saturating_sub(params.max_validators);
        if drops > MAX_SEAT_CHANGES {
            return Err(ContractError::SeatChangeTooLarge {
                max: MAX_SEAT_CHANGES,
            });
        }
        PARAMS.save(deps.storage, &params)?;
        let events = seats::rebalance(
            deps.storage,
            env.block.time,
            &params,
            drops + MAX_SEAT_CHANGES,
        )?;
        response = response
            .add_events(events)
            .add_attribute("params", "updated");
    }
    Ok(response)
}

pub fn execute_set_authorized(
    deps: DepsMut,
    info: MessageInfo,
    contracts: Vec<String>,
) -> Result<Response, ContractError> {
    ensure_governance(deps.storage, &info.sender)?;
    let authorized = validate_authorized(deps.api, &contracts)?;
    let shown = authorized
        .iter()
        .map(Addr::as_str)
        .collect::<Vec<_>>()
        .join(",");
    CONFIG.update(deps.storage, |mut c| -> Result<_, ContractError> {
        c.authorized = authorized;
        Ok(c)
    })?;
    Ok(Response::new()
        .add_attribute("action", "set_authorized")
        .add_attribute("authorized", shown))
}

pub fn execute_appoint_oracle(
    deps: DepsMut,
    info: MessageInfo,
    address: String,
) -> Result<Response, ContractError> {
    ensure_governance(deps.storage, &info.sender)?;
    let oracle_addr = deps.api.addr_validate(&address)?;
    if ORACLES.has(deps.storage, &oracle_addr) {
        return Err(ContractError::AlreadyOracle { address });
    }
    ORACLES.save(deps.storage, &oracle_addr, &())?;
    Ok(Response::new()
        .add_attribute("action", "appoint_oracle")
        .add_attribute("oracle", oracle_addr))
}

pub fn execute_remove_oracle(
    deps: DepsMut,
    info: MessageInfo,
    address: String,
) -> Result<Response, ContractError> {
    ensure_governance(deps.storage, &info.sender)?;
    let oracle_addr = deps.api.addr_validate(&address)?;
    if !ORACLES.has(deps.storage, &oracle_addr) {
        return Err(ContractError::NotOracle { address });
    }
    ORACLES.remove(deps.storage, &oracle_addr);
    Ok(Response::new()
        .add_attribute("action", "remove_oracle")
        .add_attribute("oracle", oracle_addr))
}

pub fn execute_add_zones(
    deps: DepsMut,
    info: MessageInfo,
    zones: Vec<String>,
) -> Result<Response, ContractError> {
    ensure_governance(deps.storage, &info.sender)?;
    for zone in &zones {
        validate_zone_id(zone)?;
        if ZONES.has(deps.storage, zone) {
            return Err(ContractError::ZoneExists { zone: zone.clone() });
        }
        ZONES.save(deps.storage, zone, &())?;
    }
    Ok(Response::new()
        .add_attribute("action", "add_zones")
        .add_attribute("zones", zones.join(",")))
}

pub fn execute_remove_zones(
    deps: DepsMut,
    info: MessageInfo,
    zones: Vec<String>,
) -> Result<Response, ContractError> {
    ensure_governance(deps.storage, &info.sender)?;
    for zone in &zones {
        if !ZONES.has(deps.storage, zone) {
            return Err(ContractError::UnknownZone { zone: zone.clone() });
        }
        let users = ZONE_USERS.may_load(deps.storage, zone)?.unwrap_or_default();
        if users > 0 {
            return Err(ContractError::ZoneInUse {
                zone: zone.clone(),
                users,
            });
        }
        ZONES.remove(deps.storage, zone);
    }
    Ok(Response::new()
        .add_attribute("action", "remove_zones")
        .add_attribute("zones", zones.join(",")))
}
