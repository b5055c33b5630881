//! `RecordDemand` (the job market, at submission) and `Poke` (anyone).

use cosmwasm_std::{DepsMut, Env, MessageInfo, Response, Uint128};
use starminer_interfaces::registry::TIER_COUNT;

use crate::error::ContractError;
use crate::execute::ensure_reporter;
use crate::rollover::roll_tier;
use crate::state::TIERS;
use crate::validate::validate_tier;

pub fn execute_record_demand(
    mut deps: DepsMut,
    env: Env,
    info: MessageInfo,
    tier: u8,
    units: Uint128,
) -> Result<Response, ContractError> {
    ensure_reporter(deps.storage, &info.sender)?;
    validate_tier(tier)?;
    if units.is_zero() {
        return Err(ContractError::ZeroUnits {});
    }
    let (mut state, closed) = roll_tier(&mut deps, &env, tier)?;
    state.demand = state.demand.checked_add(units)?;
    TIERS.save(deps.storage, tier, &state)?;
    Ok(Response::new()
        .add_attribute("action", "record_demand")
        .add_attribute("tier", tier.to_string())
        .add_attribute("units", units)
        .add_attribute("epoch", state.epoch.to_string())
        .add_attribute("epoch_demand", state.demand)
        .add_attribute("multiplier", state.multiplier.to_string())
        .add_attribute("epochs_closed", closed.to_string()))
}

/// Rolls every tier over if due and reports the multipliers.
pub fn execute_poke(mut deps: DepsMut, env: Env) -> Result<Response, ContractError> {
    let mut response = Response::new().add_attribute("action", "poke");
    for tier in 1..=TIER_COUNT {
        let (state, closed) = roll_tier(&mut deps, &env, tier)?;
        response = response
            .add_attribute(format!("tier_{tier}_epoch"), state.epoch.to_string())
            .add_attribute(
                format!("tier_{tier}_multiplier"),
                state.multiplier.to_string(),
            )
            .add_attribute(format!("tier_{tier}_epochs_closed"), closed.to_string());
    }
    Ok(response)
}
