//! Read-only views, at the rolled-over values (nothing is written). Lists
//! paginate: `start_after`, `limit` (default 10, max 100), in epoch order.

use cosmwasm_std::{Deps, Env, StdError, StdResult, Uint128};
use starminer_interfaces::market::{JobClass, Urgency, VerificationMode};
use starminer_interfaces::pricing::{
    ConfigResponse, PriceHistoryResponse, PricesResponse, QuoteResponse, TierPriceInfo, TierPrices,
    UtilizationResponse,
};
use starminer_interfaces::registry::TIER_COUNT;

use crate::dynamics::{projected_supply, utilization};
use crate::error::ContractError;
use crate::quote::{quote, tier_unit_price, QuoteRequest};
use crate::rollover::{current_epoch, rolled_tier, tier_capacity};
use crate::state::{CLOCK, CONFIG, HISTORY, PARAMS, TIERS};
use crate::validate::validate_tier;

use starminer_contract_kit::Paginated;
use starminer_interfaces::pagination::page_size;

/// Queries answer `StdError`; the contract's typed error keeps its message.
fn std_err(e: ContractError) -> StdError {
    match e {
        ContractError::Std(e) => e,
        other => StdError::generic_err(other.to_string()),
    }
}

pub fn query_config(deps: Deps) -> StdResult<ConfigResponse> {
    let config = CONFIG.load(deps.storage)?;
    Ok(ConfigResponse {
        governance: config.governance,
        registry: config.registry,
        reporters: config.reporters,
        params: PARAMS.load(deps.storage)?,
    })
}

pub fn query_quote(
    deps: Deps,
    env: Env,
    tier: u8,
    class: JobClass,
    units: Uint128,
    urgency: Urgency,
    verification: VerificationMode,
) -> StdResult<QuoteResponse> {
    validate_tier(tier).map_err(std_err)?;
    let params = PARAMS.load(deps.storage)?;
    let rolled = rolled_tier(deps, &env, &params, tier).map_err(std_err)?;
    let req = QuoteRequest {
        tier,
        class,
        units,
        urgency,
        verification,
    };
    quote(&params, req, rolled.state.multiplier, rolled.epoch).map_err(std_err)
}

pub fn query_prices(deps: Deps, env: Env) -> StdResult<PricesResponse> {
    let params = PARAMS.load(deps.storage)?;
    let epoch = current_epoch(deps, &env, &params).map_err(std_err)?;
    let mut tiers = Vec::with_capacity(usize::from(TIER_COUNT));
    for tier in 1..=TIER_COUNT {
        let m = rolled_tier(deps, &env, &params, tier)
            .map_err(std_err)?
            .state
            .multiplier;
        let price = |class| tier_unit_price(&params, tier, class, m).map_err(std_err);
        tiers.push(TierPriceInfo {
            tier,
            multiplier: m,
            prices: TierPrices {
                tier,
                render: price(JobClass::Render)?,
                hpc: price(JobClass::Hpc)?,
                inference: price(JobClass::Inference)?,
                training: price(JobClass::Training)?,
            },
        });
    }
    Ok(PricesResponse { epoch, tiers })
}

/// Closed epochs of `tier`: the stored ones, then those the pending rollover
/// would close (exactly what the next execute writes).
pub fn query_price_history(
    deps: Deps,
    env: Env,
    tier: u8,
    start_after: Option<u64>,
    limit: Option<u32>,
) -> StdResult<PriceHistoryResponse> {
    validate_tier(tier).map_err(std_err)?;
    let size = page_size(limit);
    let mut epochs = HISTORY
        .prefix(tier)
        .page(deps.storage, start_after, limit)
        .map(|r| r.map(|(_, record)| record))
        .collect::<StdResult<Vec<_>>>()?;
    if epochs.len() < size {
        let params = PARAMS.load(deps.storage)?;
        let pending = rolled_tier(deps, &env, &params, tier)
            .map_err(std_err)?
            .closed;
        let after = epochs.last().map(|r| r.epoch).or(start_after);
        epochs.extend(
            pending
                .into_iter()
                .filter(|r| after.is_none_or(|a| r.epoch > a))
                .take(size - epochs.len()),
        );
    }
    Ok(PriceHistoryResponse { tier, epochs })
}

pub fn query_utilization(deps: Deps, env: Env, tier: u8) -> StdResult<UtilizationResponse> {
    validate_tier(tier).map_err(std_err)?;
    let params = PARAMS.load(deps.storage)?;
    let clock = CLOCK.load(deps.storage)?;
    let state = TIERS.load(deps.storage, tier)?;
    let registry = CONFIG.load(deps.storage)?.registry;
    let capacity = tier_capacity(deps, &registry, tier).map_err(std_err)?;
    let epoch = clock.epoch_at(env.block.time, params.epoch_length);
    let demand = if state.epoch >= epoch {
        state.demand
    } else {
        Uint128::zero()
    };
    let supply = projected_supply(&state, &clock, env.block.time, capacity, &params);
    Ok(UtilizationResponse {
        tier,
        epoch,
        demand,
        supply,
        utilization: utilization(demand, supply, params.target_utilization),
        capacity,
    })
}
