//! Lazy epoch rollover of the tiers' state. Queries call [`rolled_tier`] and
//! see the rolled-over values; execute paths call [`roll_tier`], which
//! computes exactly the same thing and writes it.

use cosmwasm_std::{Addr, Deps, DepsMut, Env, Uint128};
use starminer_interfaces::pricing::{EpochRecord, PricingParams};
use starminer_interfaces::registry::{QueryMsg as RegistryQueryMsg, TierCapacityResponse};

use crate::dynamics::{epoch_supply, roll_over};
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

/// Capacity of `tier` over one epoch: the registry's sum of verified scores
/// of the tier's active providers × the epoch length.
pub fn tier_supply(
    deps: Deps,
    registry: &Addr,
    tier: u8,
    params: &PricingParams,
) -> Result<Uint128, ContractError> {
    let capacity: TierCapacityResponse = deps
        .querier
        .query_wasm_smart(registry, &RegistryQueryMsg::TierCapacity { tier })
        .map_err(|e| ContractError::SupplyQuery {
            tier,
            reason: e.to_string(),
        })?;
    Ok(epoch_supply(capacity.score_sum, params.epoch_length))
}

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
    let registry = CONFIG.load(deps.storage)?.registry;
    let supply = tier_supply(deps, &registry, tier, params)?;
    let (state, closed) = roll_over(&state, epoch, supply, params);
    Ok(RolledTier {
        epoch,
        state,
        closed,
    })
}

/// Rolls `tier` over if due and writes the result. Returns the tier's state
/// and how many epochs were closed.
pub fn roll_tier(
    deps: &mut DepsMut,
    env: &Env,
    tier: u8,
) -> Result<(TierState, usize), ContractError> {
    let params = PARAMS.load(deps.storage)?;
    let rolled = rolled_tier(deps.as_ref(), env, &params, tier)?;
    if !rolled.closed.is_empty() {
        for record in &rolled.closed {
            HISTORY.save(deps.storage, (tier, record.epoch), record)?;
        }
        TIERS.save(deps.storage, tier, &rolled.state)?;
    }
    Ok((rolled.state, rolled.closed.len()))
}
