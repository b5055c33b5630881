//! Registration, profile and hardware updates, heartbeats and unjailing.
//!
//! A zone change is not immediate: `UpdateProfile{zone}` records a pending
//! zone that takes effect `zone_change_delay` seconds later, so a provider
//! cannot move into a zone and claim its jobs in the same transaction (zone
//! hopping past the spillover delays and latency limits). Queries show the
//! new zone once it is due; the record and its indexes follow at the
//! record's next write (any message of the provider, a heartbeat included).
//! Registration sets the zone at once.

use cosmwasm_std::{Binary, Deps, DepsMut, Env, MessageInfo, Response, Timestamp};
use starminer_interfaces::registry::{
    Benchmark, Counters, Device, PendingZone, Provider, ProviderStatus, Role, INITIAL_REPUTATION,
};

use crate::error::ContractError;
use crate::execute::{load_registered, store};
use crate::state::{save_provider, PARAMS, PROVIDERS, PROVIDER_COUNT, ZONES};
use crate::validate::{
    pubkey_address, validate_hardware, validate_pubkey, validate_roles, validate_text, validate_url,
};

/// Moves a due pending zone into `zone` (a zone removed meanwhile is
/// dropped: governance only removes zones nobody uses or waits for).
pub fn apply_due_zone(p: &mut Provider, now: Timestamp) {
    if p.pending_zone
        .as_ref()
        .is_some_and(|z| z.effective_at <= now)
    {
        if let Some(z) = p.pending_zone.take() {
            p.zone = z.zone;
        }
    }
}

/// A record as queries show it: a due zone change already applied.
pub fn effective_view(mut p: Provider, now: Timestamp) -> Provider {
    apply_due_zone(&mut p, now);
    p
}

/// The DID key must be the sender's: the address the Cosmos SDK derives
/// from it (ripemd160(sha256(compressed key)), the chain's bech32 prefix)
/// must be the sender's.
fn ensure_own_pubkey(
    deps: Deps,
    sender: &cosmwasm_std::Addr,
    key: &Binary,
) -> Result<(), ContractError> {
    validate_pubkey(key)?;
    let canonical = pubkey_address(key)?;
    let derived = deps.api.addr_humanize(&canonical)?;
    if derived != *sender {
        return Err(ContractError::PubkeyNotSender {
            derived: derived.to_string(),
        });
    }
    Ok(())
}

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
        ensure_own_pubkey(deps.as_ref(), &info.sender, key)?;
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
        pending_zone: None,
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
    env: Env,
    info: MessageInfo,
    update: ProfileUpdate,
) -> Result<Response, ContractError> {
    let params = PARAMS.load(deps.storage)?;
    let old = load_registered(deps.storage, &info.sender)?;
    let mut p = old.clone();
    apply_due_zone(&mut p, env.block.time);
    let mut zone_attrs = vec![];
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
        let delay = params.duties.zone_change_delay;
        if zone == p.zone {
            // Back to the zone in effect: the pending change is cancelled.
            p.pending_zone = None;
        } else if delay == 0 {
            p.pending_zone = None;
            p.zone = zone;
        } else {
            let effective_at = env.block.time.plus_seconds(delay);
            zone_attrs.push(("pending_zone", zone.clone()));
            zone_attrs.push(("zone_effective_at", effective_at.seconds().to_string()));
            p.pending_zone = Some(PendingZone { zone, effective_at });
        }
    }
    if let Some(key) = update.pubkey {
        ensure_own_pubkey(deps.as_ref(), &info.sender, &key)?;
        p.pubkey = Some(key);
    }
    if let Some(url) = update.result_server_url {
        validate_url(&url, params.limits.max_url_len)?;
        p.result_server_url = Some(url);
    }
    if let Some(roles) = update.roles {
        p.roles = validate_roles(&roles)?;
    }
    let events = store(deps.storage, env.block.time, &params, Some(&old), &mut p)?;
    Ok(Response::new()
        .add_events(events)
        .add_attribute("action", "update_profile")
        .add_attribute("provider", info.sender)
        .add_attribute("zone", p.zone)
        .add_attributes(zone_attrs))
}

/// New hardware voids the verified benchmark: the tier was earned by the old
/// devices.
pub fn execute_update_hardware(
    deps: DepsMut,
    env: Env,
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
    let events = store(deps.storage, env.block.time, &params, Some(&old), &mut p)?;
    Ok(Response::new()
        .add_events(events)
        .add_attribute("action", "update_hardware")
        .add_attribute("provider", info.sender)
        .add_attribute("devices", p.hardware.len().to_string()))
}

pub fn execute_heartbeat(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
) -> Result<Response, ContractError> {
    let old = load_registered(deps.storage, &info.sender)?;
    if let ProviderStatus::Jailed { until } = old.status {
        return Err(ContractError::Jailed { until });
    }
    let mut p = old.clone();
    p.last_heartbeat = Some(env.block.time);
    // A due zone change is applied here too, and a validator candidate
    // that waited since before the seat indexes existed enters the queue.
    let params = PARAMS.load(deps.storage)?;
    let events = store(deps.storage, env.block.time, &params, Some(&old), &mut p)?;
    Ok(Response::new()
        .add_events(events)
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
    let events = store(deps.storage, env.block.time, &params, Some(&old), &mut p)?;
    Ok(Response::new()
        .add_events(events)
        .add_attribute("action", "unjail")
        .add_attribute("provider", info.sender)
        .add_attribute("reputation", p.reputation.to_string()))
}
