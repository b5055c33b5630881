//! Registration, profile and hardware updates, heartbeats and unjailing.

use cosmwasm_std::{Binary, DepsMut, Env, MessageInfo, Response};
use starminer_interfaces::registry::{
    Benchmark, Counters, Device, Provider, ProviderStatus, Role, INITIAL_REPUTATION,
};

use crate::error::ContractError;
use crate::execute::{load_registered, refresh_roles};
use crate::state::{save_provider, PARAMS, PROVIDERS, PROVIDER_COUNT, ZONES};
use crate::validate::{
    validate_hardware, validate_pubkey, validate_roles, validate_text, validate_url,
};

/// The fields of `Register`, validated one by one.
pub struct Registration {
    pub moniker: String,
    pub pubkey: Option<Binary>,
    pub region: String,
    pub zone: String,
    pub hardware: Vec<Device>,
    pub result_server_url: Option<String>,
    pub roles: Vec<Role>,
}

fn ensure_zone(deps: &DepsMut, zone: &str) -> Result<(), ContractError> {
    if !ZONES.has(deps.storage, zone) {
        return Err(ContractError::UnknownZone {
            zone: zone.to_string(),
        });
    }
    Ok(())
}

pub fn execute_register(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    reg: Registration,
) -> Result<Response, ContractError> {
    let params = PARAMS.load(deps.storage)?;
    if PROVIDERS.has(deps.storage, &info.sender) {
        return Err(ContractError::AlreadyRegistered {
            address: info.sender.to_string(),
        });
    }
    let max_text = params.limits.max_text_len;
    validate_text("moniker", &reg.moniker, max_text)?;
    validate_text("region", &reg.region, max_text)?;
    ensure_zone(&deps, &reg.zone)?;
    if let Some(key) = &reg.pubkey {
        validate_pubkey(key)?;
    }
    if let Some(url) = &reg.result_server_url {
        validate_url(url, params.limits.max_url_len)?;
    }
    validate_hardware(&reg.hardware, &params)?;
    let roles = validate_roles(&reg.roles)?;

    let provider = Provider {
        address: info.sender.clone(),
        pubkey: reg.pubkey,
        roles,
        active_roles: vec![],
        moniker: reg.moniker,
        region: reg.region,
        zone: reg.zone,
        hardware: reg.hardware,
        benchmark: Benchmark::default(),
        tier: 0,
        reputation: INITIAL_REPUTATION,
        counters: Counters::default(),
        status: ProviderStatus::Active,
        result_server_url: reg.result_server_url,
        registered_at: env.block.time,
        last_heartbeat: None,
        bonded: Default::default(),
        locked: Default::default(),
    };
    save_provider(deps.storage, None, &provider)?;
    let count = PROVIDER_COUNT.load(deps.storage)?;
    PROVIDER_COUNT.save(deps.storage, &count.saturating_add(1))?;
    Ok(Response::new()
        .add_attribute("action", "register")
        .add_attribute("provider", info.sender)
        .add_attribute("zone", provider.zone)
        .add_attribute("did", format!("did:starminer:{}", provider.address)))
}

pub struct ProfileUpdate {
    pub moniker: Option<String>,
    pub pubkey: Option<Binary>,
    pub region: Option<String>,
    pub zone: Option<String>,
    pub result_server_url: Option<String>,
    pub roles: Option<Vec<Role>>,
}

pub fn execute_update_profile(
    deps: DepsMut,
    info: MessageInfo,
    update: ProfileUpdate,
) -> Result<Response, ContractError> {
    let params = PARAMS.load(deps.storage)?;
    let old = load_registered(deps.storage, &info.sender)?;
    let mut p = old.clone();
    let max_text = params.limits.max_text_len;
    if let Some(moniker) = update.moniker {
        validate_text("moniker", &moniker, max_text)?;
        p.moniker = moniker;
    }
    if let Some(region) = update.region {
        validate_text("region", &region, max_text)?;
        p.region = region;
    }
    if let Some(zone) = update.zone {
        ensure_zone(&deps, &zone)?;
        p.zone = zone;
    }
    if let Some(key) = update.pubkey {
        validate_pubkey(&key)?;
        p.pubkey = Some(key);
    }
    if let Some(url) = update.result_server_url {
        validate_url(&url, params.limits.max_url_len)?;
        p.result_server_url = Some(url);
    }
    if let Some(roles) = update.roles {
        p.roles = validate_roles(&roles)?;
    }
    refresh_roles(deps.storage, &mut p, &params)?;
    save_provider(deps.storage, Some(&old), &p)?;
    Ok(Response::new()
        .add_attribute("action", "update_profile")
        .add_attribute("provider", info.sender))
}

/// New hardware voids the verified benchmark: the tier was earned by the old
/// devices.
pub fn execute_update_hardware(
    deps: DepsMut,
    info: MessageInfo,
    hardware: Vec<Device>,
) -> Result<Response, ContractError> {
    let params = PARAMS.load(deps.storage)?;
    let old = load_registered(deps.storage, &info.sender)?;
    validate_hardware(&hardware, &params)?;
    let mut p = old.clone();
    p.hardware = hardware;
    p.benchmark.verified_score = 0;
    p.benchmark.verified_at = None;
    p.tier = 0;
    save_provider(deps.storage, Some(&old), &p)?;
    Ok(Response::new()
        .add_attribute("action", "update_hardware")
        .add_attribute("provider", info.sender)
        .add_attribute("devices", p.hardware.len().to_string()))
}

pub fn execute_heartbeat(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
) -> Result<Response, ContractError> {
    let mut p = load_registered(deps.storage, &info.sender)?;
    if let ProviderStatus::Jailed { until } = p.status {
        return Err(ContractError::Jailed { until });
    }
    p.last_heartbeat = Some(env.block.time);
    // No indexed field changes: the record alone is rewritten.
    PROVIDERS.save(deps.storage, &info.sender, &p)?;
    Ok(Response::new()
        .add_attribute("action", "heartbeat")
        .add_attribute("provider", info.sender)
        .add_attribute("time", env.block.time.seconds().to_string()))
}

/// Leaves jail after `until`; reputation is lifted to the floor, so the next
/// timeout or slash jails again (probation).
pub fn execute_unjail(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
) -> Result<Response, ContractError> {
    let params = PARAMS.load(deps.storage)?;
    let old = load_registered(deps.storage, &info.sender)?;
    let ProviderStatus::Jailed { until } = old.status else {
        return Err(ContractError::NotJailed {});
    };
    if env.block.time < until {
        return Err(ContractError::Jailed { until });
    }
    let mut p = old.clone();
    p.status = ProviderStatus::Active;
    p.reputation = p.reputation.max(params.reputation.floor);
    refresh_roles(deps.storage, &mut p, &params)?;
    save_provider(deps.storage, Some(&old), &p)?;
    Ok(Response::new()
        .add_attribute("action", "unjail")
        .add_attribute("provider", info.sender)
        .add_attribute("reputation", p.reputation.to_string()))
}
