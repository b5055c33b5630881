//! `RecordWork` and `RecordAttestation`: the job market reports settled work;
//! it becomes weight in the current epoch. The first weight of an epoch
//! allocates the epoch's emission, clipped to the cap.

use cosmwasm_std::{Addr, DepsMut, Env, MessageInfo, Response, Uint128};
use starminer_interfaces::registry::{Provider, QueryMsg as RegistryQueryMsg};

use crate::emission::{epoch_emission, work_weight};
use crate::error::ContractError;
use crate::execute::{cap_room, current_epoch, ensure_reporter};
use crate::state::{EpochState, CONFIG, EPOCHS, PARAMS, RESERVED, WEIGHTS};

#[derive(Clone, Copy)]
enum Side {
    Provider,
    Verifier,
}

pub fn execute_record_work(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    provider: String,
    units: Uint128,
) -> Result<Response, ContractError> {
    ensure_reporter(deps.storage, &info.sender)?;
    if units.is_zero() {
        return Err(ContractError::ZeroUnits {});
    }
    let provider_addr = deps.api.addr_validate(&provider)?;
    let registry = CONFIG.load(deps.storage)?.registry;
    let record: Provider = deps
        .querier
        .query_wasm_smart(
            registry,
            &RegistryQueryMsg::Provider {
                address: provider_addr.to_string(),
            },
        )
        .map_err(|_| ContractError::UnknownProvider {
            address: provider_addr.to_string(),
        })?;
    let weight = work_weight(units, record.reputation);
    let epoch = add_weight(deps, &env, &provider_addr, Side::Provider, weight)?;
    Ok(Response::new()
        .add_attribute("action", "record_work")
        .add_attribute("provider", provider_addr)
        .add_attribute("units", units)
        .add_attribute("reputation", record.reputation.to_string())
        .add_attribute("weight", weight)
        .add_attribute("epoch", epoch.to_string()))
}

pub fn execute_record_attestation(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    verifier: String,
) -> Result<Response, ContractError> {
    ensure_reporter(deps.storage, &info.sender)?;
    let verifier_addr = deps.api.addr_validate(&verifier)?;
    let epoch = add_weight(deps, &env, &verifier_addr, Side::Verifier, Uint128::one())?;
    Ok(Response::new()
        .add_attribute("action", "record_attestation")
        .add_attribute("verifier", verifier_addr)
        .add_attribute("weight", "1")
        .add_attribute("epoch", epoch.to_string()))
}

fn add_weight(
    mut deps: DepsMut,
    env: &Env,
    addr: &Addr,
    side: Side,
    weight: Uint128,
) -> Result<u64, ContractError> {
    let epoch = current_epoch(deps.storage, env)?;
    let mut state = match EPOCHS.may_load(deps.storage, epoch)? {
        Some(state) => state,
        None => open_epoch(&mut deps, epoch)?,
    };
    let mut weights = WEIGHTS
        .may_load(deps.storage, (addr, epoch))?
        .unwrap_or_default();
    match side {
        Side::Provider => {
            weights.provider = weights.provider.checked_add(weight)?;
            state.provider_weight = state.provider_weight.checked_add(weight)?;
        }
        Side::Verifier => {
            weights.verifier = weights.verifier.checked_add(weight)?;
            state.verifier_weight = state.verifier_weight.checked_add(weight)?;
        }
    }
    WEIGHTS.save(deps.storage, (addr, epoch), &weights)?;
    EPOCHS.save(deps.storage, epoch, &state)?;
    Ok(epoch)
}

/// Allocates `E(epoch)`, clipped to what the cap allows after every earlier
/// allocation still unclaimed, and reserves it. Epochs are opened in time
/// order, so near the cap the earlier epoch is served first.
fn open_epoch(deps: &mut DepsMut, epoch: u64) -> Result<EpochState, ContractError> {
    let params = PARAMS.load(deps.storage)?;
    let emission = epoch_emission(params.initial_emission, params.decay, epoch);
    let reserved = RESERVED.load(deps.storage)?;
    let allocation = if emission.is_zero() {
        Uint128::zero()
    } else {
        let token = CONFIG.load(deps.storage)?.agpu_token;
        let room = cap_room(&deps.querier, &token)?.saturating_sub(reserved);
        emission.min(room)
    };
    RESERVED.save(deps.storage, &reserved.checked_add(allocation)?)?;
    Ok(EpochState {
        allocation,
        verifier_share: params.verifier_share,
        provider_weight: Uint128::zero(),
        verifier_weight: Uint128::zero(),
        claimed: Uint128::zero(),
        settled: false,
    })
}
