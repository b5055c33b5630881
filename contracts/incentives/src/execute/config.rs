//! `UpdateConfig`, governance only. New emission parameters apply to epochs
//! allocated afterwards: an epoch's allocation and split are fixed by its
//! first recorded weight. The epoch length is fixed for good.

use cosmwasm_std::{Addr, DepsMut, MessageInfo, Response, Storage};
use starminer_interfaces::incentives::IncentivesParams;

use crate::error::ContractError;
use crate::execute::ensure_governance;
use crate::state::{CONFIG, PARAMS};
use crate::validate::{validate_params, validate_reporters};

pub fn execute_update_config(
    deps: DepsMut,
    info: MessageInfo,
    governance: Option<String>,
    registry: Option<String>,
    reporters: Option<Vec<String>>,
    params: Option<IncentivesParams>,
) -> Result<Response, ContractError> {
    ensure_governance(deps.storage, &info.sender)?;
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
    if let Some(params) = params {
        replace_params(deps.storage, &params)?;
        response = response.add_attribute("params", "updated");
    }
    CONFIG.save(deps.storage, &config)?;
    Ok(response)
}

/// Validates and stores new emission parameters (on `UpdateConfig` and on a
/// migration that brings them): the epoch length may never change.
pub fn replace_params(
    storage: &mut dyn Storage,
    params: &IncentivesParams,
) -> Result<(), ContractError> {
    validate_params(params)?;
    let current = PARAMS.load(storage)?.epoch_length;
    if params.epoch_length != current {
        return Err(ContractError::EpochLengthFixed { current });
    }
    PARAMS.save(storage, params)?;
    Ok(())
}
