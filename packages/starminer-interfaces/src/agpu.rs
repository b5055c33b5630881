//! AGPU, the utility token: cw20 with 6 decimals, a hard supply cap fixed at
//! instantiation and a minter that governance can reassign (to the incentives
//! contract once it is deployed).

use cosmwasm_schema::cw_serde;
use cosmwasm_std::Uint128;
use cw20::Cw20Coin;
use cw20_base::msg::InstantiateMarketingInfo;

/// AGPU always has 6 decimals: 1 AGPU = 1_000_000 uagpu.
pub const AGPU_DECIMALS: u8 = 6;

#[cw_serde]
pub struct InstantiateMsg {
    pub name: String,
    pub symbol: String,
    pub initial_balances: Vec<Cw20Coin>,
    /// The only address allowed to mint. Governance at genesis; the incentives
    /// contract once governance hands minting over.
    pub minter: String,
    /// Hard cap on total supply, in uagpu. Can never be raised.
    pub cap: Uint128,
    /// The governance contract: may reassign the minter even when it is not the
    /// current minter, so minting can be moved away from a retired contract.
    pub governance: String,
    pub marketing: Option<InstantiateMarketingInfo>,
}

/// AGPU's execute messages are exactly cw20-base's (transfer, send, allowances,
/// burn, mint, minter and marketing updates), so every cw20 wallet works.
pub type ExecuteMsg = cw20_base::msg::ExecuteMsg;

/// AGPU's queries are exactly cw20-base's.
pub type QueryMsg = cw20_base::msg::QueryMsg;

#[cw_serde]
pub struct MigrateMsg {}
