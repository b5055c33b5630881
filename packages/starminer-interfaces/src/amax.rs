//! AMAX, the governance token: cw20 with 6 decimals and a supply fixed at
//! instantiation. It has no minter, so nothing can ever be minted.

use cosmwasm_schema::cw_serde;
use cw20::Cw20Coin;
use cw20_base::msg::InstantiateMarketingInfo;

/// AMAX always has 6 decimals: 1 AMAX = 1_000_000 uamax.
pub const AMAX_DECIMALS: u8 = 6;

#[cw_serde]
pub struct InstantiateMsg {
    pub name: String,
    pub symbol: String,
    /// The whole supply, distributed once. Must not be empty.
    pub initial_balances: Vec<Cw20Coin>,
    pub marketing: Option<InstantiateMarketingInfo>,
}

/// AMAX's execute messages are cw20-base's; `Mint` and `UpdateMinter` always
/// fail because the token has no minter.
pub type ExecuteMsg = cw20_base::msg::ExecuteMsg;

pub type QueryMsg = cw20_base::msg::QueryMsg;

#[cw_serde]
pub struct MigrateMsg {}
