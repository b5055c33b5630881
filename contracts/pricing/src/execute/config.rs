//! `UpdateConfig`, governance only. Every tier is first rolled over under the
//! old configuration, so a closed epoch is always judged by the rules (and
//! the registry) in force while it ran. New multiplier bounds then clamp the
//! current multipliers; a new epoch length re-anchors the clock at the start
//! of the current epoch, which then lasts the new length.

use cosmwasm_std::{Addr, DepsMut, Env, MessageInfo, Response, StdResult, Storage};
use starminer_interfaces::pricing::PricingParams;
use starminer_interfaces::registry::TIER_COUNT;

use crate::error::ContractError;
use crate::execute::ensure_governance;
use crate::rollover::roll_tier;
use crate::state::{EpochClock, CLOCK, CONFIG, PARAMS, TIERS};
use crate::validate::{validate_params, validate_reporters};

pub fn execute_update_config(
    mut deps: DepsMut,
    env: Env,
    info: MessageInfo,
    governance: Option<String>,
    registry: Option<String>,
    reporters: Option<Vec<String>>,
    params: Option<PricingParams>,
) -> Result<Response, ContractError> {
    ensure_governance(deps.storage, &info.sender)?;
    for tier in 1..=TIER_COUNT {
        roll_tier(&mut deps, &env, tier)?;
    }
    let mut config = CONFIG.load(deps.storage)?;
    let mut response = Response::new().add_attribute("action", "update_config");
    if let Some(governance) = governance {
        config.governance = deps.api.addr_validate(&governance)?;
        response = response.add_attribute("governance", &config.governance);
    }
    if let Some(registry) = registry {
        config.registry = deps.api.addr_validate(&registry)?;
        response = response.add_attribute("registry", &config.registry);
    }
    if let Some(reporters) = reporters {
        config.reporters = validate_reporters(deps.api, &reporters)?;
        let shown = config
            .reporters
            .iter()
            .map(Addr::as_str)
            .collect::<Vec<_>>()
            .join(",");
        response = response.add_attribute("reporters", shown);
    }
    CONFIG.save(deps.storage, &config)?;
    if let Some(params) = params {
        let params = validate_params(params)?;
        let old = PARAMS.load(deps.storage)?;
        if params.epoch_length != old.epoch_length {
            let clock = CLOCK.load(deps.storage)?;
            let epoch = clock.epoch_at(env.block.time, old.epoch_length);
            CLOCK.save(
                deps.storage,
                &EpochClock {
                    origin_epoch: epoch,
                    origin_time: clock.start_of(epoch, old.epoch_length),
                },
            )?;
        }
        apply_params(deps.storage, &params)?;
        response = response.add_attribute("params", "updated");
    }
    Ok(response)
}

/// Stores validated `params` (on `UpdateConfig` and on a migration that
/// brings them): each tier's multiplier is clamped into the new bounds at
/// once.
pub fn apply_params(storage: &mut dyn Storage, params: &PricingParams) -> StdResult<()> {
    for tier in 1..=TIER_COUNT {
        let mut state = TIERS.load(storage, tier)?;
        state.multiplier = state
            .multiplier
            .clamp(params.min_multiplier, params.max_multiplier);
        TIERS.save(storage, tier, &state)?;
    }
    PARAMS.save(storage, params)
}
