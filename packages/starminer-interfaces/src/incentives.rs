//! Incentives: AGPU emissions (DESIGN.md §9).
//!
//! Epoch `e` emits `E(e) = E0 · decay^e`, never past the AGPU cap. Of each
//! epoch's emission, `1 − verifier_share` goes to providers in proportion to
//! verified units × reputation factor (reputation / 10000), and
//! `verifier_share` to verifiers in proportion to their attestations. The job
//! market reports work as it settles; rewards of a closed epoch are claimed
//! (minted on claim by this contract, the AGPU minter), never pushed.

use cosmwasm_schema::{cw_serde, QueryResponses};
use cosmwasm_std::{Addr, Decimal, Timestamp, Uint128};

#[cw_serde]
pub struct InstantiateMsg {
    pub governance: String,
    pub agpu_token: String,
    /// The registry: read for each provider's reputation.
    pub registry: String,
    /// Contracts allowed to report work and attestations (the job market).
    pub reporters: Vec<String>,
    pub params: IncentivesParams,
}

#[cw_serde]
pub struct IncentivesParams {
    /// Epoch length in seconds; epoch 0 starts at instantiation.
    pub epoch_length: u64,
    /// Emission of epoch 0, in uagpu.
    pub initial_emission: Uint128,
    /// Per-epoch decay factor, in (0, 1].
    pub decay: Decimal,
    /// Share of each epoch's emission for verifiers, in [0, 1].
    pub verifier_share: Decimal,
    /// Most epochs one `Claim` settles (bounds its gas; call again for more).
    pub max_epochs_per_claim: u32,
}

#[cw_serde]
pub enum ExecuteMsg {
    /// Reporter only: a provider's verified units of a settled job.
    RecordWork { provider: String, units: Uint128 },
    /// Reporter only: one attestation by a verifier.
    RecordAttestation { verifier: String },
    /// Mints the sender's rewards of closed epochs, oldest first, at most
    /// `max_epochs_per_claim` epochs per call.
    Claim {},
    /// Governance only.
    UpdateConfig {
        governance: Option<String>,
        registry: Option<String>,
        reporters: Option<Vec<String>>,
        params: Option<IncentivesParams>,
    },
}

#[cw_serde]
#[derive(QueryResponses)]
pub enum QueryMsg {
    #[returns(ConfigResponse)]
    Config {},
    /// The current epoch and its planned emission.
    #[returns(EpochInfo)]
    CurrentEpoch {},
    /// Emitted (allocated) and claimed totals per epoch, paginated.
    #[returns(EmissionsResponse)]
    Emissions {
        start_after: Option<u64>,
        limit: Option<u32>,
    },
    /// What `address`'s next `Claim` would mint now, and from how many
    /// closed epochs (at most `max_epochs_per_claim`, oldest first).
    #[returns(PendingRewardsResponse)]
    PendingRewards { address: String },
    /// Total minted so far and what the AGPU cap still allows.
    #[returns(TotalsResponse)]
    Totals {},
}

#[cw_serde]
pub struct MigrateMsg {}

#[cw_serde]
pub struct ConfigResponse {
    pub governance: Addr,
    pub agpu_token: Addr,
    pub registry: Addr,
    pub reporters: Vec<Addr>,
    pub params: IncentivesParams,
    pub genesis: Timestamp,
}

#[cw_serde]
pub struct EpochInfo {
    pub epoch: u64,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    /// `E0 · decay^epoch`, before the cap.
    pub emission: Uint128,
}

#[cw_serde]
pub struct EpochEmission {
    pub epoch: u64,
    /// The epoch's emission after the cap that its weights can claim: the
    /// provider share if it has provider weight, plus the verifier share if it
    /// has verifier weight. Epochs without any weight are not listed.
    pub emitted: Uint128,
    pub claimed: Uint128,
    pub provider_weight: Uint128,
    pub verifier_weight: Uint128,
}

#[cw_serde]
pub struct EmissionsResponse {
    pub epochs: Vec<EpochEmission>,
}

#[cw_serde]
pub struct PendingRewardsResponse {
    pub amount: Uint128,
    pub epochs: u32,
    /// More closed epochs with weight wait behind these: claim again.
    pub more: bool,
}

#[cw_serde]
pub struct TotalsResponse {
    /// uagpu minted by this contract.
    pub minted: Uint128,
    /// Rewards claimed (equal to `minted` unless another minter ate into the
    /// cap, in which case the mint was clipped).
    pub claimed: Uint128,
    /// Allocated to epochs and not yet claimed: held back from the cap when
    /// a new epoch is allocated.
    pub reserved: Uint128,
    /// AGPU cap minus AGPU total supply (0 when minting is disabled).
    pub cap_remaining: Uint128,
}
