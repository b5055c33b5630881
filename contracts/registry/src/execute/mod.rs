//! Execute handlers, one module per subject, and the helpers they share.

pub mod benchmark;
pub mod collateral;
pub mod governance;
pub mod profile;
pub mod stake;

use cosmwasm_std::{Addr, Storage};
use starminer_interfaces::registry::{Params, Provider, Role};

use crate::error::ContractError;
use crate::state::{CONFIG, PROVIDERS, VALIDATOR_COUNT};

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

/// Recomputes which requested roles are active: none while jailed; otherwise
/// a role is active when the bond meets its threshold, and a validator joins
/// the set only while there is room (members keep their seat).
///
/// Roles are re-evaluated whenever the record changes, so a parameter change
/// takes effect for each address at its next state change.
pub fn refresh_roles(
    storage: &dyn Storage,
    p: &mut Provider,
    params: &Params,
) -> Result<(), ContractError> {
    let mut active = Vec::new();
    if !p.is_jailed() {
        if p.roles.contains(&Role::Provider) && p.bonded >= params.min_provider_stake {
            active.push(Role::Provider);
        }
        if p.roles.contains(&Role::Validator) && p.bonded >= params.min_validator_stake {
            let seated = p.has_active_role(Role::Validator);
            if seated || VALIDATOR_COUNT.load(storage)? < params.max_validators {
                active.push(Role::Validator);
            }
        }
    }
    p.active_roles = active;
    Ok(())
}
