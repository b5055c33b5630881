//! Execute handlers, one module per subject, and the helpers they share.

pub mod config;
pub mod demand;

use cosmwasm_std::{Addr, Storage};

use crate::error::ContractError;
use crate::state::CONFIG;

pub fn ensure_governance(storage: &dyn Storage, sender: &Addr) -> Result<(), ContractError> {
    if CONFIG.load(storage)?.governance != *sender {
        return Err(ContractError::NotGovernance {});
    }
    Ok(())
}

pub fn ensure_reporter(storage: &dyn Storage, sender: &Addr) -> Result<(), ContractError> {
    if !CONFIG.load(storage)?.reporters.contains(sender) {
        return Err(ContractError::NotReporter {});
    }
    Ok(())
}
