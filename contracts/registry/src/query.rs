//! Read-only views. Every list paginates: `start_after`, `limit` (default 10,
//! max 100), in key order.

use cosmwasm_std::{Addr, Deps, StdError, StdResult, Storage, Timestamp};
use cw_storage_plus::Prefix;
use starminer_interfaces::registry::{
    AddressesResponse, BeaconEntryResponse, CapacityEntry, CapacityResponse, CollateralLock,
    CollateralLocksResponse, ConfigResponse, DidDocument, DidService, Provider, ProvidersResponse,
    Role, StakeResponse, TierCapacityResponse, TotalsResponse, ValidatorStake,
    ValidatorTotalsResponse, ValidatorsResponse, VerificationMethod, ZonesResponse, DID_PREFIX,
};

use crate::snapshot::stake_before;
use crate::state::{
    BEACON_LOG, BY_ROLE, BY_TIER, BY_ZONE, CAPACITY, CLAIMS, CONFIG, LOCKS, ORACLES, PARAMS,
    PROVIDERS, PROVIDER_COUNT, TIER_CAPACITY, TOTAL_BONDED, TOTAL_CLAIMS, VALIDATORS,
    VALIDATOR_COUNT, VALIDATOR_STAKE, ZONES,
};

use starminer_contract_kit::Paginated;

use crate::execute::profile::effective_view;

fn start_addr(deps: Deps, start_after: Option<String>) -> StdResult<Option<Addr>> {
    start_after.map(|a| deps.api.addr_validate(&a)).transpose()
}

fn load_all(
    storage: &dyn Storage,
    now: Timestamp,
    addrs: Vec<Addr>,
) -> StdResult<ProvidersResponse> {
    let providers = addrs
        .iter()
        .map(|a| PROVIDERS.load(storage, a).map(|p| effective_view(p, now)))
        .collect::<StdResult<Vec<_>>>()?;
    Ok(ProvidersResponse { providers })
}

/// One page of an address index (by zone, tier or role), as full records.
fn page_of_index(
    deps: Deps,
    now: Timestamp,
    index: Prefix<&Addr, (), &Addr>,
    start_after: Option<String>,
    limit: Option<u32>,
) -> StdResult<ProvidersResponse> {
    let start = start_addr(deps, start_after)?;
    let addrs = index
        .page_keys(deps.storage, start.as_ref(), limit)
        .collect::<StdResult<Vec<_>>>()?;
    load_all(deps.storage, now, addrs)
}

pub fn query_config(deps: Deps) -> StdResult<ConfigResponse> {
    let config = CONFIG.load(deps.storage)?;
    Ok(ConfigResponse {
        governance: config.governance,
        agpu_token: config.agpu_token,
        authorized: config.authorized,
        params: PARAMS.load(deps.storage)?,
    })
}

/// The record with the zone in effect now (a due pending zone applied).
pub fn query_provider(deps: Deps, now: Timestamp, address: String) -> StdResult<Provider> {
    let addr = deps.api.addr_validate(&address)?;
    PROVIDERS
        .may_load(deps.storage, &addr)?
        .map(|p| effective_view(p, now))
        .ok_or_else(|| StdError::not_found(format!("provider {address}")))
}

pub fn query_providers(
    deps: Deps,
    now: Timestamp,
    start_after: Option<String>,
    limit: Option<u32>,
) -> StdResult<ProvidersResponse> {
    let start = start_addr(deps, start_after)?;
    let providers = PROVIDERS
        .page(deps.storage, start.as_ref(), limit)
        .map(|r| r.map(|(_, p)| effective_view(p, now)))
        .collect::<StdResult<Vec<_>>>()?;
    Ok(ProvidersResponse { providers })
}

pub fn query_providers_by_zone(
    deps: Deps,
    now: Timestamp,
    zone: String,
    start_after: Option<String>,
    limit: Option<u32>,
) -> StdResult<ProvidersResponse> {
    page_of_index(deps, now, BY_ZONE.prefix(&zone), start_after, limit)
}

pub fn query_providers_by_tier(
    deps: Deps,
    now: Timestamp,
    tier: u8,
    start_after: Option<String>,
    limit: Option<u32>,
) -> StdResult<ProvidersResponse> {
    page_of_index(deps, now, BY_TIER.prefix(tier), start_after, limit)
}

pub fn query_providers_by_role(
    deps: Deps,
    now: Timestamp,
    role: Role,
    start_after: Option<String>,
    limit: Option<u32>,
) -> StdResult<ProvidersResponse> {
    match role {
        Role::Requester => query_providers(deps, now, start_after, limit),
        Role::Oracle => Err(StdError::generic_err(
            "oracles need not be registered: query Oracles for the list",
        )),
        Role::Provider | Role::Validator => page_of_index(
            deps,
            now,
            BY_ROLE.prefix(role.index_key()),
            start_after,
            limit,
        ),
    }
}

pub fn query_validators(
    deps: Deps,
    start_after: Option<String>,
    limit: Option<u32>,
) -> StdResult<ValidatorsResponse> {
    page_of_validators(deps, None, start_after, limit)
}

/// The seated set weighted for a draw seeded by beacon value `seq`
/// (`crate::snapshot`): same members, order and pages as `Validators`.
pub fn query_validators_as_of(
    deps: Deps,
    seq: u64,
    start_after: Option<String>,
    limit: Option<u32>,
) -> StdResult<ValidatorsResponse> {
    page_of_validators(deps, Some(seq), start_after, limit)
}

fn page_of_validators(
    deps: Deps,
    as_of: Option<u64>,
    start_after: Option<String>,
    limit: Option<u32>,
) -> StdResult<ValidatorsResponse> {
    let start = start_addr(deps, start_after)?;
    let validators = VALIDATORS
        .page(deps.storage, start.as_ref(), limit)
        .map(|r| {
            let (address, stake) = r?;
            let stake = match as_of {
                Some(seq) => stake_before(deps.storage, &address, seq, stake)?.min(stake),
                None => stake,
            };
            let free = PROVIDERS
                .may_load(deps.storage, &address)?
                .map(|p| p.free_stake())
                .unwrap_or_default();
            Ok(ValidatorStake {
                address,
                stake,
                free,
            })
        })
        .collect::<StdResult<Vec<_>>>()?;
    Ok(ValidatorsResponse { validators })
}

pub fn query_validator_totals(deps: Deps) -> StdResult<ValidatorTotalsResponse> {
    Ok(ValidatorTotalsResponse {
        total_stake: VALIDATOR_STAKE.load(deps.storage)?,
        count: VALIDATOR_COUNT.load(deps.storage)?,
        max_validators: PARAMS.load(deps.storage)?.max_validators,
    })
}

/// Works for any address: an unregistered one has zero bond (and may still
/// hold claims).
pub fn query_stake(deps: Deps, address: String) -> StdResult<StakeResponse> {
    let addr = deps.api.addr_validate(&address)?;
    let (bonded, locked) = PROVIDERS
        .may_load(deps.storage, &addr)?
        .map(|p| (p.bonded, p.locked))
        .unwrap_or_default();
    Ok(StakeResponse {
        bonded,
        locked,
        free: bonded.saturating_sub(locked),
        claims: CLAIMS.may_load(deps.storage, &addr)?.unwrap_or_default(),
    })
}

pub fn query_collateral_locks(
    deps: Deps,
    provider: String,
    start_after: Option<u64>,
    limit: Option<u32>,
) -> StdResult<CollateralLocksResponse> {
    let addr = deps.api.addr_validate(&provider)?;
    let locks = LOCKS
        .prefix(&addr)
        .page(deps.storage, start_after, limit)
        .map(|r| r.map(|(job_id, amount)| CollateralLock { job_id, amount }))
        .collect::<StdResult<Vec<_>>>()?;
    Ok(CollateralLocksResponse { locks })
}

pub fn query_oracles(
    deps: Deps,
    start_after: Option<String>,
    limit: Option<u32>,
) -> StdResult<AddressesResponse> {
    let start = start_addr(deps, start_after)?;
    let addresses = ORACLES
        .page_keys(deps.storage, start.as_ref(), limit)
        .collect::<StdResult<Vec<_>>>()?;
    Ok(AddressesResponse { addresses })
}

pub fn query_zones(
    deps: Deps,
    start_after: Option<String>,
    limit: Option<u32>,
) -> StdResult<ZonesResponse> {
    let zones = ZONES
        .page_keys(deps.storage, start_after.as_deref(), limit)
        .collect::<StdResult<Vec<_>>>()?;
    Ok(ZonesResponse { zones })
}

pub fn query_did_document(deps: Deps, now: Timestamp, address: String) -> StdResult<DidDocument> {
    let provider = query_provider(deps, now, address)?;
    let did = format!("{DID_PREFIX}{}", provider.address);
    let verification_method = provider
        .pubkey
        .iter()
        .map(|key| VerificationMethod {
            id: format!("{did}#key-1"),
            type_: "EcdsaSecp256k1VerificationKey2019".to_string(),
            controller: did.clone(),
            public_key_hex: hex::encode(key.as_slice()),
        })
        .collect();
    let service = provider
        .result_server_url
        .iter()
        .map(|url| DidService {
            id: format!("{did}#result-server"),
            type_: "StarMinerResultServer".to_string(),
            service_endpoint: url.clone(),
        })
        .collect();
    Ok(DidDocument {
        context: vec!["https://www.w3.org/ns/did/v1".to_string()],
        id: did.clone(),
        controller: did,
        verification_method,
        service,
    })
}

pub fn query_capacity(
    deps: Deps,
    start_after: Option<(String, u8)>,
    limit: Option<u32>,
) -> StdResult<CapacityResponse> {
    let start = start_after
        .as_ref()
        .map(|(zone, tier)| (zone.as_str(), *tier));
    let entries = CAPACITY
        .page(deps.storage, start, limit)
        .map(|r| {
            r.map(|((zone, tier), capacity)| CapacityEntry {
                zone,
                tier,
                capacity,
            })
        })
        .collect::<StdResult<Vec<_>>>()?;
    Ok(CapacityResponse { entries })
}

pub fn query_tier_capacity(deps: Deps, tier: u8) -> StdResult<TierCapacityResponse> {
    let cap = TIER_CAPACITY
        .may_load(deps.storage, tier)?
        .unwrap_or_default();
    Ok(TierCapacityResponse {
        tier,
        providers: cap.providers,
        score_sum: cap.score_sum,
    })
}

pub fn query_totals(deps: Deps) -> StdResult<TotalsResponse> {
    Ok(TotalsResponse {
        providers: PROVIDER_COUNT.load(deps.storage)?,
        total_bonded: TOTAL_BONDED.load(deps.storage)?,
        total_claims: TOTAL_CLAIMS.load(deps.storage)?,
    })
}

/// One lookup: `Requester` is everybody, `Oracle` an appointed address
/// (registered or not), `Provider` and `Validator` the active roles (for a
/// validator: seated).
pub fn query_has_role(deps: Deps, address: String, role: Role) -> StdResult<bool> {
    let addr = deps.api.addr_validate(&address)?;
    Ok(match role {
        Role::Requester => true,
        Role::Oracle => ORACLES.has(deps.storage, &addr),
        Role::Provider => BY_ROLE.has(deps.storage, (role.index_key(), &addr)),
        Role::Validator => VALIDATORS.has(deps.storage, &addr),
    })
}

pub fn query_beacon_at(deps: Deps, seq: u64) -> StdResult<BeaconEntryResponse> {
    Ok(BeaconEntryResponse {
        entry: BEACON_LOG.may_load(deps.storage, seq)?,
    })
}
