//! Incentives: AGPU emissions (docs/protocol.md).
//!
//! Epoch `e` emits `E(e) = E0 · decay^e`, never past the AGPU cap. Of each
//! epoch's emission, `1 − verifier_share` goes to providers in proportion to
//! verified units × reputation factor (reputation / 10000), and
//! `verifier_share` to verifiers in proportion to their attestations. The job
//! market reports work as it settles; rewards of a closed epoch are claimed
//! (minted on claim by this contract, the AGPU minter), never pushed.
//!
//! Emissions are a rebate on protocol fees, not a subsidy: what an address
//! claims from an epoch is at most `reward_per_fee` (< 1) times the protocol
//! fees that the work it took part in paid in that epoch (reported with
//! `RecordSettlement`). Whoever plays requester, provider and verifier at
//! once therefore gets back less than the fee it paid. The part of an
//! epoch's emission that no fee backs is never minted.

use cosmwasm_schema::{cw_serde, QueryResponses};
use cosmwasm_std::{Addr, Decimal, Timestamp, Uint128};

use crate::market::VerificationMode;

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
    /// Most uagpu an address claims from an epoch per uagpu of protocol fee
    /// credited to it in that epoch; must be below 1 so that emissions never
    /// repay the fees that earned them. State written before this field
    /// existed reads 0 (no rewards) until a migration or `UpdateConfig` sets
    /// it.
    #[serde(default)]
    pub reward_per_fee: Decimal,
    /// Emission weight of work settled without verification
    /// (`VerificationMode::None`), as a fraction of verified work's, in
    /// [0, 1]. 0: unverified work earns no emission.
    #[serde(default)]
    pub unverified_weight: Decimal,
}

#[cw_serde]
pub enum ExecuteMsg {
    /// Reporter only, **legacy**: a provider's units of a settled job,
    /// without the fee it paid. Records weight but credits no fee, so under
    /// the fee bound it earns nothing; use `RecordSettlement`.
    RecordWork { provider: String, units: Uint128 },
    /// Reporter only, **legacy**: one attestation by a verifier, without a
    /// fee credit (earns nothing under the fee bound); use
    /// `RecordSettlement`.
    RecordAttestation { verifier: String },
    /// Reporter only: one settled job (for `Replicated`, one per paid
    /// replica). The provider gains weight `units · reputation / 10000`
    /// (× `unverified_weight` for `VerificationMode::None`) and a fee credit
    /// of `protocol_fee · (1 − verifier_share)`; each verifier that attested
    /// (at most 16) gains weight 1 and a fee credit of
    /// `protocol_fee · verifier_share / verifiers.len()`. The credits of an
    /// epoch bound what each address claims from it.
    RecordSettlement {
        provider: String,
        units: Uint128,
        /// The protocol fee this job (this replica) paid to the treasury,
        /// uagpu.
        protocol_fee: Uint128,
        verification: VerificationMode,
        /// Verifiers paid for a Valid attestation of this job, and the
        /// dispute voters that voted with the decided side of a dispute on
        /// it: their record is backed by the fee this job paid (one weight
        /// and an equal part of the verifier credit each). A voter reported
        /// only with `RecordAttestation` earns nothing.
        #[serde(default)]
        verifiers: Vec<String>,
    },
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
#[derive(Default)]
pub struct MigrateMsg {
    /// New parameters to install with the migration (validated; the epoch
    /// length must stay), e.g. to set `reward_per_fee` on state written
    /// before it existed.
    #[serde(default)]
    pub params: Option<IncentivesParams>,
}

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
    /// Shares that claims gave up because the claimant's fee credit did not
    /// back them: released under the cap, never minted.
    #[serde(default)]
    pub forfeited: Uint128,
    /// Protocol fees credited to the epoch's participants.
    #[serde(default)]
    pub fees: Uint128,
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
