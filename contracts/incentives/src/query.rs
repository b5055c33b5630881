//! Read-only views. Lists paginate: `start_after`, `limit` (default 10,
//! max 100), in epoch order.

use cosmwasm_std::{Deps, Env, StdError, StdResult, Uint128};
use starminer_interfaces::incentives::{
    ConfigResponse, EmissionsResponse, EpochEmission, EpochInfo, PendingRewardsResponse,
    TotalsResponse,
};

use crate::emission::epoch_emission;
use crate::execute::claim::{claimable_epochs, epoch_pools, epoch_reward};
use crate::execute::{cap_room, current_epoch};
use crate::state::{CLAIMED, CONFIG, EPOCHS, GENESIS, MINTED, PARAMS, RESERVED};

use starminer_contract_kit::Paginated;

pub fn query_config(deps: Deps) -> StdResult<ConfigResponse> {
    let config = CONFIG.load(deps.storage)?;
    Ok(ConfigResponse {
        governance: config.governance,
        agpu_token: config.agpu_token,
        registry: config.registry,
        reporters: config.reporters,
        params: PARAMS.load(deps.storage)?,
        genesis: GENESIS.load(deps.storage)?,
    })
}

pub fn query_current_epoch(deps: Deps, env: Env) -> StdResult<EpochInfo> {
    let params = PARAMS.load(deps.storage)?;
    let genesis = GENESIS.load(deps.storage)?;
    let epoch = current_epoch(deps.storage, &env)?;
    let offset = epoch
        .checked_mul(params.epoch_length)
        .ok_or_else(|| StdError::generic_err("epoch start out of range"))?;
    let starts_at = genesis.plus_seconds(offset);
    Ok(EpochInfo {
        epoch,
        starts_at,
        ends_at: starts_at.plus_seconds(params.epoch_length),
        emission: epoch_emission(params.initial_emission, params.decay, epoch),
    })
}

/// Epochs that received weight. `emitted` counts the sides with weight so
/// far (final once the epoch has closed).
pub fn query_emissions(
    deps: Deps,
    start_after: Option<u64>,
    limit: Option<u32>,
) -> StdResult<EmissionsResponse> {
    let epochs = EPOCHS
        .page(deps.storage, start_after, limit)
        .map(|r| {
            r.map(|(epoch, state)| EpochEmission {
                epoch,
                emitted: epoch_pools(&state).total(),
                claimed: state.claimed,
                provider_weight: state.provider_weight,
                verifier_weight: state.verifier_weight,
                forfeited: state.forfeited,
                fees: state.fees,
            })
        })
        .collect::<StdResult<Vec<_>>>()?;
    Ok(EmissionsResponse { epochs })
}

/// Exactly what the address's next `Claim` would settle and mint (before a
/// clip that only another minter eating the cap could cause).
pub fn query_pending_rewards(
    deps: Deps,
    env: Env,
    address: String,
) -> StdResult<PendingRewardsResponse> {
    let addr = deps.api.addr_validate(&address)?;
    let epoch_now = current_epoch(deps.storage, &env)?;
    let max = PARAMS.load(deps.storage)?.max_epochs_per_claim;
    let (entries, more) = claimable_epochs(deps.storage, &addr, epoch_now, max)?;
    let mut amount = Uint128::zero();
    for (epoch, weights) in &entries {
        let state = EPOCHS.load(deps.storage, *epoch)?;
        amount = amount.checked_add(epoch_reward(&state, weights).reward)?;
    }
    Ok(PendingRewardsResponse {
        amount,
        epochs: u32::try_from(entries.len()).unwrap_or(u32::MAX),
        more,
    })
}

pub fn query_totals(deps: Deps) -> StdResult<TotalsResponse> {
    let token = CONFIG.load(deps.storage)?.agpu_token;
    let cap_remaining =
        cap_room(&deps.querier, &token).map_err(|e| StdError::generic_err(e.to_string()))?;
    Ok(TotalsResponse {
        minted: MINTED.load(deps.storage)?,
        claimed: CLAIMED.load(deps.storage)?,
        reserved: RESERVED.load(deps.storage)?,
        cap_remaining,
    })
}
