//! The Multi-Tier Pricing engine (docs/protocol.md).
//!
//! Prices are per compute unit, per (tier, class). Every tier carries a
//! dynamic multiplier adjusted once per epoch from the epoch's utilization
//! `u = demanded units / supplied capacity units`:
//! `m' = clamp(m · (1 + clamp(κ·(u − u_target), −δ, +δ)), min, max)`,
//! like EIP-1559's base fee. The rollover happens lazily on the first call
//! of a new epoch; queries report the rolled-over values without writing.
//!
//! Supply of tier t in an epoch = the time integral over the epoch of the
//! tier's capacity (sum of verified benchmark scores of its active providers,
//! units per second, read from the registry's `TierCapacity` on every
//! pricing call). Between two observations the larger of the two readings
//! counts, so a capacity dip that lasts one block (drop roles, poke, re-add)
//! does not move the price. Demand is reported by the job market when work
//! is claimed, not when a job is merely submitted.

use cosmwasm_schema::{cw_serde, QueryResponses};
use cosmwasm_std::{Addr, Decimal, Uint128};

use crate::market::{JobClass, Urgency, VerificationMode};

#[cw_serde]
pub struct InstantiateMsg {
    pub governance: String,
    /// The registry: source of each tier's supplied capacity.
    pub registry: String,
    /// Contracts allowed to report demand (the job market).
    pub reporters: Vec<String>,
    pub params: PricingParams,
}

#[cw_serde]
pub struct TierPrices {
    /// 1..=4.
    pub tier: u8,
    /// Base price in uagpu per compute unit, per class.
    pub render: Decimal,
    pub hpc: Decimal,
    pub inference: Decimal,
    pub training: Decimal,
}

impl TierPrices {
    pub fn for_class(&self, class: JobClass) -> Decimal {
        match class {
            JobClass::Render => self.render,
            JobClass::Hpc => self.hpc,
            JobClass::Inference => self.inference,
            JobClass::Training => self.training,
        }
    }
}

#[cw_serde]
pub struct UrgencyMultipliers {
    pub low: Decimal,
    pub normal: Decimal,
    pub high: Decimal,
    pub realtime: Decimal,
}

impl UrgencyMultipliers {
    pub fn for_urgency(&self, urgency: Urgency) -> Decimal {
        match urgency {
            Urgency::Low => self.low,
            Urgency::Normal => self.normal,
            Urgency::High => self.high,
            Urgency::Realtime => self.realtime,
        }
    }
}

#[cw_serde]
pub struct PricingParams {
    /// Epoch length in seconds.
    pub epoch_length: u64,
    /// Base prices for tiers 1..=4 (exactly one entry per tier).
    pub base_prices: Vec<TierPrices>,
    pub urgency: UrgencyMultipliers,
    /// Sensitivity κ of the adjustment.
    pub kappa: Decimal,
    /// Target utilization.
    pub target_utilization: Decimal,
    /// Largest relative change per epoch, δ (e.g. 0.125).
    pub max_change: Decimal,
    /// Bounds of each tier's dynamic multiplier (the price stays within
    /// `[base·min, base·max]`).
    pub min_multiplier: Decimal,
    pub max_multiplier: Decimal,
    /// Each verifier's fee as a fraction of one replica's compute cost.
    pub verifier_fee_rate: Decimal,
    /// Floor of each verifier's fee in uagpu: the fee is
    /// `max(⌈compute_cost · verifier_fee_rate⌉, min_verifier_fee)`, so a tiny
    /// job never pays a verifier (close to) nothing. Must be positive; state
    /// written before this field existed reads 0 until a migration or
    /// `UpdateConfig` sets it.
    #[serde(default)]
    pub min_verifier_fee: Uint128,
}

// A message is built and parsed once; boxing the parameters would only make
// it clumsier to write.
#[allow(clippy::large_enum_variant)]
#[cw_serde]
pub enum ExecuteMsg {
    /// Reporter only: `units` of demand for `tier` in the current epoch.
    /// The job market calls this when a provider claims the work (real
    /// demand), not at submission: a job submitted and cancelled must not
    /// count.
    RecordDemand { tier: u8, units: Uint128 },
    /// Rolls the epoch over if due. Anyone; never needed, every call does it.
    Poke {},
    /// Governance only.
    UpdateConfig {
        governance: Option<String>,
        registry: Option<String>,
        reporters: Option<Vec<String>>,
        params: Option<PricingParams>,
    },
}

#[cw_serde]
#[derive(QueryResponses)]
pub enum QueryMsg {
    #[returns(ConfigResponse)]
    Config {},
    /// The price of a job at the current (rolled-over) prices.
    #[returns(QuoteResponse)]
    Quote {
        tier: u8,
        class: JobClass,
        units: Uint128,
        urgency: Urgency,
        verification: VerificationMode,
    },
    /// Current unit prices of every tier and class.
    #[returns(PricesResponse)]
    Prices {},
    /// Closed epochs of one tier, oldest first.
    #[returns(PriceHistoryResponse)]
    PriceHistory {
        tier: u8,
        start_after: Option<u64>,
        limit: Option<u32>,
    },
    /// Demand and supply of the current epoch so far.
    #[returns(UtilizationResponse)]
    Utilization { tier: u8 },
}

#[cw_serde]
#[derive(Default)]
pub struct MigrateMsg {
    /// New parameters to install with the migration (validated), e.g. to
    /// set `min_verifier_fee` on state written before it existed.
    #[serde(default)]
    pub params: Option<PricingParams>,
}

#[cw_serde]
pub struct ConfigResponse {
    pub governance: Addr,
    pub registry: Addr,
    pub reporters: Vec<Addr>,
    pub params: PricingParams,
}

#[cw_serde]
pub struct QuoteResponse {
    pub tier: u8,
    pub class: JobClass,
    pub units: Uint128,
    pub epoch: u64,
    /// uagpu per unit after the tier's multiplier and urgency.
    pub unit_price: Decimal,
    /// One replica: `ceil(units · unit_price)`.
    pub compute_cost: Uint128,
    pub replication: u8,
    /// Each verifier's fee: `max(⌈compute_cost · verifier_fee_rate⌉,
    /// min_verifier_fee)`.
    pub verifier_fee: Uint128,
    pub verifiers: u8,
    /// `compute_cost · replication + verifier_fee · verifiers`.
    pub total: Uint128,
}

#[cw_serde]
pub struct TierPriceInfo {
    pub tier: u8,
    pub multiplier: Decimal,
    /// Base price × multiplier, per class.
    pub prices: TierPrices,
}

#[cw_serde]
pub struct PricesResponse {
    pub epoch: u64,
    pub tiers: Vec<TierPriceInfo>,
}

/// One closed epoch of one tier.
#[cw_serde]
pub struct EpochRecord {
    pub epoch: u64,
    pub demand: Uint128,
    pub supply: Uint128,
    pub utilization: Decimal,
    /// Multiplier during the epoch.
    pub multiplier: Decimal,
    /// Multiplier set for the next epoch.
    pub next_multiplier: Decimal,
}

#[cw_serde]
pub struct PriceHistoryResponse {
    pub tier: u8,
    pub epochs: Vec<EpochRecord>,
}

/// A closed epoch's `supply` is the time-weighted capacity over the epoch
/// (capacity × seconds).
#[cw_serde]
pub struct UtilizationResponse {
    pub tier: u8,
    pub epoch: u64,
    /// Demand recorded so far in the epoch.
    pub demand: Uint128,
    /// The epoch's supply if capacity stays as it is now: the time-weighted
    /// capacity·seconds so far plus `capacity` × the seconds left.
    pub supply: Uint128,
    pub utilization: Decimal,
    /// The tier's capacity (units per second) the registry reports now.
    #[serde(default)]
    pub capacity: Uint128,
}
