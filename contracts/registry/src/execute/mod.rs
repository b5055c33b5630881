//! Execute handlers, one module per subject, and the helpers they share.

pub mod beacon;
pub mod benchmark;
pub mod collateral;
pub mod duties;
pub mod governance;
pub mod profile;
pub mod seats;
pub mod stake;

use cosmwasm_std::{Addr, Event, Storage, Timestamp};
use starminer_interfaces::registry::{Params, Provider, Role};

use crate::error::ContractError;
use crate::state::{save_provider, validator_eligible, CONFIG, PROVIDERS};

/// Seat changes one ordinary message may cause besides its own record's
/// (a displacement is two): enough to restore the seat invariant after any
/// single record change.
pub const SEAT_STEPS_PER_MESSAGE: u32 = 4;

pub fn load_registered(storage: &dyn Storage, addr: &Addr) -> Result<Provider, ContractError> {
    PROVIDERS
        .may_load(storage, addr)?
        .ok_or_else(|| ContractError::NotRegistered {
            address: addr.to_string(),
        })
}

pub fn ensure_governance(storage: &dyn Storage, sender: &Addr) -> Result<(), ContractError> {
    if CONFIG.load(storage)?.governance != *sender {
        return Err(ContractError::NotGovernance {});
    }
    Ok(())
}

/// Governance or one of the contracts it authorized (the job market).
pub fn ensure_authorized(storage: &dyn Storage, sender: &Addr) -> Result<(), ContractError> {
    let config = CONFIG.load(storage)?;
    if config.governance != *sender && !config.authorized.contains(sender) {
        return Err(ContractError::NotAuthorized {});
    }
    Ok(())
}

/// Recomputes which requested roles are active: none while jailed; the
/// provider role while the bond meets `min_provider_stake`; the validator
/// role is *kept* while the record stays eligible. A seat is only ever given
/// by [`seats::rebalance`], which seats the best waiting candidates.
///
/// Roles are re-evaluated whenever the record changes, so a parameter change
/// takes effect for each address at its next state change.
pub fn refresh_roles(p: &mut Provider, params: &Params) {
    let mut active = Vec::new();
    if !p.is_jailed() {
        if p.roles.contains(&Role::Provider) && p.bonded >= params.min_provider_stake {
            active.push(Role::Provider);
        }
        if p.has_active_role(Role::Validator) && validator_eligible(p, params) {
            active.push(Role::Validator);
        }
    }
    p.active_roles = active;
}

/// The one way a handler writes a changed record: applies a due zone change,
/// re-evaluates the roles, writes the record with every index, then restores
/// the seat invariant (the top `max_validators` eligible validators by bond
/// are seated). `p` is reloaded, so it shows a seat it was just given.
/// Returns an event per seat that changed hands.
pub fn store(
    storage: &mut dyn Storage,
    now: Timestamp,
    params: &Params,
    old: Option<&Provider>,
    p: &mut Provider,
) -> Result<Vec<Event>, ContractError> {
    profile::apply_due_zone(p, now);
    refresh_roles(p, params);
    save_provider(storage, old, p)?;
    let mut events = Vec::new();
    if old.is_some_and(|o| o.has_active_role(Role::Validator))
        && !p.has_active_role(Role::Validator)
    {
        events.push(seats::unseated_event(p, "ineligible"));
    }
    events.extend(seats::rebalance(
        storage,
        now,
        params,
        SEAT_STEPS_PER_MESSAGE,
    )?);
    *p = PROVIDERS.load(storage, &p.address)?;
    Ok(events)
}
