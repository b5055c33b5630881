//! `RecordSettlement` (and the legacy `RecordWork`, `RecordAttestation`):
//! the job market reports settled work; it becomes weight and fee credit in
//! the current epoch. The first report of an epoch allocates the epoch's
//! emission, clipped to the cap.

use cosmwasm_std::{Addr, Decimal, DepsMut, Env, MessageInfo, Response, Uint128};
use starminer_interfaces::market::VerificationMode;
use starminer_interfaces::registry::{Provider, QueryMsg as RegistryQueryMsg};

use crate::emission::{epoch_emission, work_weight};
use crate::error::ContractError;
use crate::execute::{cap_room, current_epoch, ensure_reporter};
use crate::state::{EpochState, CONFIG, EPOCHS, PARAMS, RESERVED, WEIGHTS};
use crate::validate::MAX_VERIFIERS_PER_SETTLEMENT;

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
    let reputation = provider_reputation(&deps, &provider_addr)?;
    let weight = work_weight(units, reputation);
    let epoch = add_weight(
        deps,
        &env,
        &provider_addr,
        Side::Provider,
        weight,
        Uint128::zero(),
    )?;
    Ok(Response::new()
        .add_attribute("action", "record_work")
        .add_attribute("provider", provider_addr)
        .add_attribute("units", units)
        .add_attribute("reputation", reputation.to_string())
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
    let epoch = add_weight(
        deps,
        &env,
        &verifier_addr,
        Side::Verifier,
        Uint128::one(),
        Uint128::zero(),
    )?;
    Ok(Response::new()
        .add_attribute("action", "record_attestation")
        .add_attribute("verifier", verifier_addr)
        .add_attribute("weight", "1")
        .add_attribute("epoch", epoch.to_string()))
}

fn provider_reputation(deps: &DepsMut, provider_addr: &Addr) -> Result<u32, ContractError> {
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
    Ok(record.reputation)
}

/// One settled job: weight and fee credit for its provider and for each of
/// its verifiers. The credits of one job add up to at most its protocol fee
/// (`1 − verifier_share` of it to the provider, the rest split among the
/// verifiers), so the fee bound holds for any set of seats one party holds.
/// The fields of `ExecuteMsg::RecordSettlement`.
pub struct Settlement {
    pub provider: String,
    pub units: Uint128,
    pub protocol_fee: Uint128,
    pub verification: VerificationMode,
    pub verifiers: Vec<String>,
}

pub fn execute_record_settlement(
    mut deps: DepsMut,
    env: Env,
    info: MessageInfo,
    settlement: Settlement,
) -> Result<Response, ContractError> {
    let Settlement {
        provider,
        units,
        protocol_fee,
        verification,
        verifiers,
    } = settlement;
    ensure_reporter(deps.storage, &info.sender)?;
    if units.is_zero() {
        return Err(ContractError::ZeroUnits {});
    }
    if verifiers.len() > MAX_VERIFIERS_PER_SETTLEMENT {
        return Err(ContractError::TooManyVerifiers {
            max: MAX_VERIFIERS_PER_SETTLEMENT,
        });
    }
    let provider_addr = deps.api.addr_validate(&provider)?;
    let verifier_addrs = verifiers
        .iter()
        .map(|v| deps.api.addr_validate(v))
        .collect::<Result<Vec<_>, _>>()?;
    let reputation = provider_reputation(&deps, &provider_addr)?;
    let params = PARAMS.load(deps.storage)?;
    let full_weight = work_weight(units, reputation);
    let weight = if verification == VerificationMode::None {
        full_weight.mul_floor(params.unverified_weight)
    } else {
        full_weight
    };

    let epoch = current_epoch(deps.storage, &env)?;
    let mut state = match EPOCHS.may_load(deps.storage, epoch)? {
        Some(state) => state,
        None => open_epoch(&mut deps, epoch)?,
    };
    state.fees = state.fees.checked_add(protocol_fee)?;
    EPOCHS.save(deps.storage, epoch, &state)?;
    let share = state.verifier_share.min(Decimal::one());
    let provider_credit = protocol_fee.mul_floor(Decimal::one() - share);
    let verifier_credit = match u128::try_from(verifier_addrs.len()) {
        Ok(n) if n > 0 => protocol_fee.mul_floor(share) / Uint128::new(n),
        _ => Uint128::zero(),
    };
    if !weight.is_zero() {
        add_weight(
            deps.branch(),
            &env,
            &provider_addr,
            Side::Provider,
            weight,
            provider_credit,
        )?;
    }
    for verifier in &verifier_addrs {
        add_weight(
            deps.branch(),
            &env,
            verifier,
            Side::Verifier,
            Uint128::one(),
            verifier_credit,
        )?;
    }
    let shown = verifier_addrs
        .iter()
        .map(Addr::as_str)
        .collect::<Vec<_>>()
        .join(",");
    Ok(Response::new()
        .add_attribute("action", "record_settlement")
        .add_attribute("provider", provider_addr)
        .add_attribute("units", units)
        .add_attribute("reputation", reputation.to_string())
        .add_attribute("weight", weight)
        .add_attribute("protocol_fee", protocol_fee)
        .add_attribute("provider_credit", provider_credit)
        .add_attribute("verifiers", shown)
        .add_attribute("verifier_credit", verifier_credit)
        .add_attribute("epoch", epoch.to_string()))
}

fn add_weight(
    mut deps: DepsMut,
    env: &Env,
    addr: &Addr,
    side: Side,
    weight: Uint128,
    credit: Uint128,
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
            weights.provider_credit = weights.provider_credit.checked_add(credit)?;
            state.provider_weight = state.provider_weight.checked_add(weight)?;
        }
        Side::Verifier => {
            weights.verifier = weights.verifier.checked_add(weight)?;
            weights.verifier_credit = weights.verifier_credit.checked_add(credit)?;
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
        fee_bound: Some(params.reward_per_fee),
        fees: Uint128::zero(),
        forfeited: Uint128::zero(),
    })
}
