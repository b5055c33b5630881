//! Governance: parameters, templates. Governance or registry oracles (the
//! registry's `HasRole{Oracle}`): zones and the spillover matrix.

use cosmwasm_std::{Addr, Api, DepsMut, MessageInfo, Response};
use starminer_interfaces::addresses::{validate_address_list, AddressListError};
use starminer_interfaces::job_market::{MarketParams, SpillUpdate, Template, ZoneUpdate};
use starminer_interfaces::registry::{QueryMsg as RegistryQuery, Role};

use crate::error::ContractError;
use crate::execute::ensure_governance;
use crate::state::{ZoneState, CONFIG, PARAMS, SPILL, TEMPLATES, TOTALS, ZONES, ZONE_COUNT};
use crate::validate::{validate_params, validate_template, validate_zone_id};

/// At most this many oracles (the list is read on every zone update).
pub const MAX_ORACLES: usize = 16;

pub fn validate_oracles(api: &dyn Api, oracles: &[String]) -> Result<Vec<Addr>, ContractError> {
    validate_address_list(api, oracles, MAX_ORACLES).map_err(|e| match e {
        AddressListError::TooMany { max } => ContractError::InvalidParams {
            reason: format!("at most {max} oracles"),
        },
        AddressListError::Invalid(e) => e.into(),
    })
}

#[allow(clippy::too_many_arguments)]
pub fn execute_update_config(
    deps: DepsMut,
    info: MessageInfo,
    governance: Option<String>,
    agpu_token: Option<String>,
    registry: Option<String>,
    pricing: Option<String>,
    incentives: Option<String>,
    oracles: Option<Vec<String>>,
    params: Option<MarketParams>,
) -> Result<Response, ContractError> {
    let mut config = ensure_governance(deps.storage, &info.sender)?;
    let validate = |s: Option<String>| s.map(|s| deps.api.addr_validate(&s)).transpose();
    if let Some(addr) = validate(governance)? {
        config.governance = addr;
    }
    if let Some(addr) = validate(agpu_token)? {
        // Escrows are denominated in the token they were paid with.
        let live = TOTALS.load(deps.storage)?.live_escrow;
        if addr != config.agpu_token && !live.is_zero() {
            return Err(ContractError::EscrowLive { live });
        }
        config.agpu_token = addr;
    }
    if let Some(addr) = validate(registry)? {
        config.registry = addr;
    }
    if let Some(addr) = validate(pricing)? {
        config.pricing = addr;
    }
    if let Some(addr) = validate(incentives)? {
        config.incentives = addr;
    }
    if let Some(oracles) = oracles {
        config.oracles = validate_oracles(deps.api, &oracles)?;
    }
    if let Some(params) = params {
        validate_params(&params)?;
        let zones = ZONE_COUNT.load(deps.storage)?;
        if zones > params.limits.max_zones {
            return Err(ContractError::TooManyZones {
                max: params.limits.max_zones,
            });
        }
        PARAMS.save(deps.storage, &params)?;
    }
    CONFIG.save(deps.storage, &config)?;
    Ok(Response::new()
        .add_attribute("action", "update_config")
        .add_attribute("governance", config.governance))
}

pub fn execute_register_template(
    deps: DepsMut,
    info: MessageInfo,
    template: Template,
) -> Result<Response, ContractError> {
    ensure_governance(deps.storage, &info.sender)?;
    validate_template(&template)?;
    if TEMPLATES.has(deps.storage, &template.id) {
        return Err(ContractError::TemplateExists { id: template.id });
    }
    TEMPLATES.save(deps.storage, &template.id, &template)?;
    Ok(Response::new()
        .add_attribute("action", "register_template")
        .add_attribute("template", template.id)
        .add_attribute("kernel_sha256", template.kernel_sha256))
}

pub fn execute_set_template_enabled(
    deps: DepsMut,
    info: MessageInfo,
    id: String,
    enabled: bool,
) -> Result<Response, ContractError> {
    ensure_governance(deps.storage, &info.sender)?;
    let mut template = TEMPLATES
        .may_load(deps.storage, &id)?
        .ok_or_else(|| ContractError::UnknownTemplate { id: id.clone() })?;
    template.enabled = enabled;
    TEMPLATES.save(deps.storage, &id, &template)?;
    Ok(Response::new()
        .add_attribute("action", "set_template_enabled")
        .add_attribute("template", id)
        .add_attribute("enabled", enabled.to_string()))
}

/// Governance, or an address the registry says holds the active `Oracle`
/// role (appointed by governance there, registered, not jailed). The
/// market's own `oracles` list is no longer read.
fn ensure_governance_or_oracle(deps: &DepsMut, sender: &Addr) -> Result<(), ContractError> {
    let config = CONFIG.load(deps.storage)?;
    if config.governance == *sender {
        return Ok(());
    }
    let is_oracle: bool = deps.querier.query_wasm_smart(
        &config.registry,
        &RegistryQuery::HasRole {
            address: sender.to_string(),
            role: Role::Oracle,
        },
    )?;
    if !is_oracle {
        return Err(ContractError::NotOracle {});
    }
    Ok(())
}

/// Adds zones or changes their capacity thresholds (zones are never removed:
/// jobs and routes refer to them).
pub fn execute_set_zones(
    deps: DepsMut,
    info: MessageInfo,
    zones: Vec<ZoneUpdate>,
) -> Result<Response, ContractError> {
    ensure_governance_or_oracle(&deps, &info.sender)?;
    let max = PARAMS.load(deps.storage)?.limits.max_zones;
    let mut count = ZONE_COUNT.load(deps.storage)?;
    if zones.len() > max as usize {
        return Err(ContractError::TooManyZones { max });
    }
    for update in &zones {
        validate_zone_id(&update.zone)?;
        let state = match ZONES.may_load(deps.storage, &update.zone)? {
            Some(mut z) => {
                z.capacity_threshold = update.capacity_threshold;
                z
            }
            None => {
                count += 1;
                if count > max {
                    return Err(ContractError::TooManyZones { max });
                }
                ZoneState {
                    capacity_threshold: update.capacity_threshold,
                    open_jobs: 0,
                }
            }
        };
        ZONES.save(deps.storage, &update.zone, &state)?;
    }
    ZONE_COUNT.save(deps.storage, &count)?;
    Ok(Response::new()
        .add_attribute("action", "set_zones")
        .add_attribute(
            "zones",
            zones
                .iter()
                .map(|z| z.zone.as_str())
                .collect::<Vec<_>>()
                .join(","),
        ))
}

/// Sets or removes entries M[from][to] of the spillover matrix. A zone has at
/// most `max_zones` routes into it, which bounds `ClaimNext`'s zone list.
pub fn execute_set_spillover(
    deps: DepsMut,
    info: MessageInfo,
    routes: Vec<SpillUpdate>,
) -> Result<Response, ContractError> {
    ensure_governance_or_oracle(&deps, &info.sender)?;
    let max = PARAMS.load(deps.storage)?.limits.max_zones as usize;
    if routes.len() > max.saturating_mul(max) {
        return Err(ContractError::TooManyZones { max: max as u32 });
    }
    for update in &routes {
        for zone in [&update.from, &update.to] {
            if !ZONES.has(deps.storage, zone) {
                return Err(ContractError::UnknownZone { zone: zone.clone() });
            }
        }
        if update.from == update.to {
            return Err(ContractError::InvalidParams {
                reason: "a zone does not spill into itself".into(),
            });
        }
        match &update.route {
            Some(route) => SPILL.save(deps.storage, (&update.to, &update.from), route)?,
            None => SPILL.remove(deps.storage, (&update.to, &update.from)),
        }
    }
    Ok(Response::new()
        .add_attribute("action", "set_spillover")
        .add_attribute("routes", routes.len().to_string()))
}
