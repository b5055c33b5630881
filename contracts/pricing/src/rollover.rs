//! Lazy epoch rollover and supply observation of the tiers' state. Queries
//! call [`rolled_tier`] / [`observed_tier`] and see the rolled-over values;
//! execute paths call [`roll_tier`], which computes exactly the same thing
//! and writes it. Every execute observes the registry's capacity, so supply
//! is integrated over time from readings taken on every pricing call.

use cosmwasm_std::{Addr, Deps, DepsMut, Env, Uint128};
use starminer_interfaces::pricing::{EpochRecord, PricingParams};
use starminer_interfaces::registry::{QueryMsg as RegistryQueryMsg, TierCapacityResponse};

use crate::dynamics::observe;
use crate::error::ContractError;
use crate::state::{TierState, CLOCK, CONFIG, HISTORY, PARAMS, TIERS};

/// A tier as of the current epoch, with the records of the epochs the
/// rollover closes (not yet written).
pub struct RolledTier {
    pub epoch: u64,
    pub state: TierState,
    pub closed: Vec<EpochRecord>,
}

pub fn current_epoch(deps: Deps, env: &Env, params: &PricingParams) -> Result<u64, ContractError> {
    Ok(CLOCK
        .load(deps.storage)?
        .epoch_at(env.block.time, params.epoch_length))
}

/// The tier's capacity now: the registry's sum of verified scores (units per
/// second) of the tier's active providers.
pub fn tier_capacity(deps: Deps, registry: &Addr, tier: u8) -> Result<Uint128, ContractError> {
    let capacity: TierCapacityResponse = deps
        .querier
        .query_wasm_smart(registry, &RegistryQueryMsg::TierCapacity { tier })
        .map_err(|e| ContractError::SupplyQuery {
            tier,
            reason: e.to_string(),
        })?;
    Ok(capacity.score_sum)
}

/// `tier` observed now: the registry is read and the time-weighted supply
/// advanced to `env.block.time`, rolling epochs over if due. Returns the
/// capacity read too.
pub fn observed_tier(
    deps: Deps,
    env: &Env,
    params: &PricingParams,
    tier: u8,
) -> Result<(RolledTier, Uint128), ContractError> {
    let clock = CLOCK.load(deps.storage)?;
    let epoch = clock.epoch_at(env.block.time, params.epoch_length);
    let state = TIERS.load(deps.storage, tier)?;
    let registry = CONFIG.load(deps.storage)?.registry;
    let capacity = tier_capacity(deps, &registry, tier)?;
    let (state, closed) = observe(&state, &clock, env.block.time, capacity, params);
    Ok((
        RolledTier {
            epoch,
            state,
            closed,
        },
        capacity,
    ))
}

/// `tier` as of the current epoch, for queries that need only its
/// multiplier and closed epochs: the registry is read only when an epoch
/// must be closed, and then exactly as the next execute will.
pub fn rolled_tier(
    deps: Deps,
    env: &Env,
    params: &PricingParams,
    tier: u8,
) -> Result<RolledTier, ContractError> {
    let epoch = current_epoch(deps, env, params)?;
    let state = TIERS.load(deps.storage, tier)?;
    if state.epoch >= epoch {
        return Ok(RolledTier {
            epoch,
            state,
            closed: vec![],
        });
    }
    Ok(observed_tier(deps, env, params, tier)?.0)
}

/// Observes `tier` (every execute does, so capacity is sampled on every
/// pricing call) and writes the result. Returns the tier's state and how
/// many epochs were closed.
pub fn roll_tier(
    deps: &mut DepsMut,
    env: &Env,
    tier: u8,
) -> Result<(TierState, usize), ContractError> {
    let params = PARAMS.load(deps.storage)?;
    let (rolled, _) = observed_tier(deps.as_ref(), env, &params, tier)?;
    for record in &rolled.closed {
        HISTORY.save(deps.storage, (tier, record.epoch), record)?;
    }
    TIERS.save(deps.storage, tier, &rolled.state)?;
    Ok((rolled.state, rolled.closed.len()))
}
