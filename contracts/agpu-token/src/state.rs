use cosmwasm_std::{Addr, Uint128};
use cw_storage_plus::Item;

/// Governance: may reassign the minter at any time.
pub const GOVERNANCE: Item<Addr> = Item::new("gov");

/// The hard cap, kept apart from cw20-base's minter record so that disabling
/// minting and later re-enabling it can never change the cap.
pub const CAP: Item<Uint128> = Item::new("cap");
