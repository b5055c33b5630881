//! The provider registry: identities, roles, bonded AGPU stake, collateral,
//! slashing, reputation, jailing, heartbeats and benchmark-verified tiers
//! (docs/protocol.md).
//!
//! Amounts are in uagpu. Times are `env.block.time`; periods are seconds.
//! The pure reputation, tier and benchmark-timing rules live in [`reputation`]
//! so that the job market and incentives apply exactly the same arithmetic.

use cosmwasm_schema::{cw_serde, QueryResponses};
use cosmwasm_std::{Addr, Binary, Decimal, Timestamp, Uint128, Uint64};
use cw20::Cw20ReceiveMsg;

pub use crate::claims::UnbondingClaim;

/// Reputation is a number in `0..=MAX_REPUTATION`.
pub const MAX_REPUTATION: u32 = 10_000;
/// Reputation of a newly registered provider.
pub const INITIAL_REPUTATION: u32 = 5_000;
/// Number of verified tiers (T1 consumer … T4 datacenter); tier 0 is unverified.
pub const TIER_COUNT: u8 = 4;
/// Length in bytes of a compressed secp256k1 public key.
pub const SECP256K1_COMPRESSED_LEN: usize = 33;
/// Length in bytes of an uncompressed secp256k1 public key.
pub const SECP256K1_UNCOMPRESSED_LEN: usize = 65;
/// Prefix of every StarMiner DID.
pub const DID_PREFIX: &str = "did:starminer:";

#[cw_serde]
pub struct InstantiateMsg {
    /// The governance contract: owns the parameters, zones, oracles and the
    /// list of authorized contracts; receives the treasury share of slashes.
    pub governance: String,
    /// The AGPU cw20 contract; the only token accepted for bonding.
    pub agpu_token: String,
    /// Contracts allowed to lock/unlock collateral, slash and record outcomes
    /// (the job market; incentives later). Governance always may.
    pub authorized: Vec<String>,
    /// Initial zone ids.
    pub zones: Vec<String>,
    pub params: Params,
    /// Oracles appointed at instantiation (governance appoints and removes
    /// them afterwards): whoever posts the market's first zone table.
    #[serde(default)]
    pub oracles: Vec<String>,
}

/// Every governance-owned parameter of the registry.
#[cw_serde]
pub struct Params {
    /// Bonded stake needed for the provider role to be active.
    pub min_provider_stake: Uint128,
    /// Bonded stake needed for the validator role to be active.
    pub min_validator_stake: Uint128,
    /// Seconds between `Unbond` and the claim maturing.
    pub unbonding_period: u64,
    /// Most unmatured claims one address may hold (bounds `Claim`'s loop).
    pub max_pending_claims: u32,
    pub reputation: ReputationParams,
    /// Seconds a provider stays jailed after its reputation falls below the floor.
    pub jail_duration: u64,
    /// Share of a slash paid to the wronged party; the rest goes to the treasury.
    pub slash_beneficiary_share: Decimal,
    /// Verified score needed for tiers 1..=4, strictly increasing, exactly 4.
    pub tier_thresholds: Vec<u64>,
    pub benchmark: BenchmarkParams,
    /// Size cap of the active validator set: the top `max_validators`
    /// eligible validators by bond hold the seats.
    pub max_validators: u32,
    pub limits: Limits,
    /// The beacon, validator duties, benchmark quorum and zone-change
    /// delay. Absent in records written before them: the defaults.
    #[serde(default)]
    pub duties: DutyParams,
}

/// Validator duties and the timing rules that keep the registry's trust
/// assumptions honest.
#[cw_serde]
pub struct DutyParams {
    /// Seconds one validator must wait between two beacon reveals.
    pub beacon_interval: u64,
    /// Upper bound on the beacon's `reveals_per_draw` (it is also capped by
    /// the number of seated validators with an anchor).
    pub beacon_reveals_per_draw: u32,
    /// Seconds a seated validator may go without a reveal before anyone may
    /// report it (`ReportMissedBeacon`); at least `beacon_interval`.
    pub beacon_grace: u64,
    /// Share of its bond a validator loses for a missed duty (a missed beacon
    /// reveal or benchmark attestation); it is also jailed and unseated.
    pub missed_duty_slash: Decimal,
    /// Attestations a benchmark needs (capped by the seated validators other
    /// than the provider).
    pub benchmark_quorum: u32,
    /// Seconds after `UpdateProfile{zone}` before the new zone takes effect.
    pub zone_change_delay: u64,
}

impl Default for DutyParams {
    fn default() -> Self {
        DutyParams {
            beacon_interval: 30,
            beacon_reveals_per_draw: 3,
            beacon_grace: 600,
            missed_duty_slash: Decimal::permille(10),
            benchmark_quorum: 3,
            zone_change_delay: 3_600,
        }
    }
}

#[cw_serde]
pub struct ReputationParams {
    /// Success: r += (10000 − r)·alpha.
    pub alpha: Decimal,
    /// Timeout: r −= r·beta.
    pub beta: Decimal,
    /// Slashed: r −= r·gamma.
    pub gamma: Decimal,
    /// Below this a provider is jailed; `Unjail` lifts it back to this value.
    pub floor: u32,
    /// Added once per verified benchmark.
    pub benchmark_boost: u32,
}

#[cw_serde]
pub struct BenchmarkParams {
    /// Size of a benchmark challenge in score·seconds: a provider claiming
    /// score `s` must answer within `work / s` seconds (clamped below).
    pub work: u64,
    pub min_duration: u64,
    pub max_duration: u64,
    /// Seconds after the deadline during which validators may still attest a
    /// submitted result; afterwards the provider may request a new challenge.
    pub attest_window: u64,
}

#[cw_serde]
pub struct Limits {
    pub max_devices: u32,
    /// Bound on moniker, region and every device string.
    pub max_text_len: u32,
    pub max_url_len: u32,
}

/// Roles of docs/protocol.md. `Requester` is everybody; `Oracle` is appointed by
/// governance; `Provider` and `Validator` are requested by the address and
/// active while it is not jailed and its bond meets the role's threshold.
#[cw_serde]
#[derive(Copy, Eq, PartialOrd, Ord)]
pub enum Role {
    Requester,
    Provider,
    Validator,
    Oracle,
}

impl Role {
    /// Storage discriminant of a role in the role index.
    pub fn index_key(self) -> u8 {
        match self {
            Role::Requester => 0,
            Role::Provider => 1,
            Role::Validator => 2,
            Role::Oracle => 3,
        }
    }
}

/// One OpenCL device as the provider agent reports it.
#[cw_serde]
pub struct Device {
    pub vendor: String,
    pub name: String,
    pub compute_units: u32,
    pub global_mem_bytes: Uint64,
    pub max_clock_mhz: u32,
    pub opencl_version: String,
}

#[cw_serde]
pub enum ProviderStatus {
    Active,
    Jailed {
        until: Timestamp,
    },
    /// The whole bond is unbonding; a new bond makes the provider Active again.
    Unbonding {
        until: Timestamp,
    },
}

#[cw_serde]
#[derive(Default)]
pub struct Benchmark {
    /// The score claimed by the latest benchmark request.
    pub claimed_score: u64,
    /// The score a validator verified (0: never verified).
    pub verified_score: u64,
    pub verified_at: Option<u64>,
    /// The challenge currently open for this provider, if any.
    pub open_challenge: Option<u64>,
}

#[cw_serde]
#[derive(Default)]
pub struct Counters {
    pub jobs_done: u64,
    pub jobs_failed: u64,
    pub jobs_timed_out: u64,
    pub times_slashed: u64,
    pub units_computed: Uint64,
}

/// The identity record of a registered address.
#[cw_serde]
pub struct Provider {
    pub address: Addr,
    /// secp256k1 public key, 33 (compressed) or 65 (uncompressed) bytes.
    pub pubkey: Option<Binary>,
    /// Roles the address asked for (`Provider`, `Validator`).
    pub roles: Vec<Role>,
    /// Of those, the roles currently active.
    pub active_roles: Vec<Role>,
    pub moniker: String,
    pub region: String,
    pub zone: String,
    pub hardware: Vec<Device>,
    pub benchmark: Benchmark,
    /// 0 = unverified, 1..=4 from the verified score.
    pub tier: u8,
    pub reputation: u32,
    pub counters: Counters,
    pub status: ProviderStatus,
    pub result_server_url: Option<String>,
    pub registered_at: Timestamp,
    pub last_heartbeat: Option<Timestamp>,
    /// Bonded AGPU, including the locked part.
    pub bonded: Uint128,
    /// Part of `bonded` locked as collateral for running jobs.
    pub locked: Uint128,
    /// A zone change waiting for `zone_change_delay` (`zone` is the zone in
    /// effect; queries already show the new zone once it is due).
    #[serde(default)]
    pub pending_zone: Option<PendingZone>,
}

#[cw_serde]
pub struct PendingZone {
    pub zone: String,
    pub effective_at: Timestamp,
}

impl Provider {
    pub fn is_jailed(&self) -> bool {
        matches!(self.status, ProviderStatus::Jailed { .. })
    }

    pub fn has_active_role(&self, role: Role) -> bool {
        self.active_roles.contains(&role)
    }

    /// Bonded stake that is neither locked nor unbonding.
    pub fn free_stake(&self) -> Uint128 {
        self.bonded.saturating_sub(self.locked)
    }
}

/// The outcome of one job for one provider, reported by the job market.
#[cw_serde]
pub enum JobOutcome {
    Success { units: Uint64 },
    Failure,
    Timeout,
    Slashed,
}

/// Messages the AGPU token forwards through cw20 `Send`.
#[cw_serde]
pub enum ReceiveMsg {
    /// Adds the sent AGPU to the sender's bond. The sender must be registered.
    Bond {},
}

#[cw_serde]
pub enum ExecuteMsg {
    /// Creates the sender's identity record (reputation 5000, tier 0).
    Register {
        moniker: String,
        pubkey: Option<Binary>,
        region: String,
        zone: String,
        hardware: Vec<Device>,
        result_server_url: Option<String>,
        /// `Provider` and/or `Validator`.
        roles: Vec<Role>,
    },
    /// Changes the given fields of the sender's record.
    UpdateProfile {
        moniker: Option<String>,
        pubkey: Option<Binary>,
        region: Option<String>,
        zone: Option<String>,
        result_server_url: Option<String>,
        roles: Option<Vec<Role>>,
    },
    /// Replaces the hardware list. Resets the verified benchmark and tier.
    UpdateHardware {
        hardware: Vec<Device>,
    },
    /// cw20 entry point; only from the AGPU contract. See [`ReceiveMsg`].
    Receive(Cw20ReceiveMsg),
    /// Moves `amount` of free (unlocked) bond into a claim that matures after
    /// the unbonding period.
    Unbond {
        amount: Uint128,
    },
    /// Pays out every matured claim of the sender.
    Claim {},
    /// Provider liveness.
    Heartbeat {},
    /// A validator commits to a hash chain for the randomness beacon:
    /// `anchor` is hex sha256ⁿ(secret). Allowed when the sender has no
    /// anchor yet or its chain is used up (each reveal moves the anchor one
    /// link down).
    SetBeaconAnchor {
        anchor: String,
    },
    /// A validator reveals the next link of its hash chain (hex, 32 bytes):
    /// sha256(preimage) must equal its current anchor, which then becomes the
    /// preimage. The value is fixed by the anchor, so it cannot be ground;
    /// only withholding it is possible, and that is punished.
    RevealBeacon {
        preimage: String,
    },
    /// Anyone: reports a seated validator that has not revealed a beacon link
    /// for `beacon_grace` seconds (counted from its last reveal or from when
    /// it was seated, whichever is later). The validator is slashed
    /// `missed_duty_slash` of its bond to the treasury, jailed and unseated.
    ReportMissedBeacon {
        validator: String,
    },
    /// Leaves jail once `until` has passed; reputation is lifted to the floor.
    Unjail {},
    /// Asks for a benchmark challenge; the seed and deadline are fixed now.
    RequestBenchmark {
        claimed_score: u64,
    },
    /// Posts the result root (hex sha256) of a challenge before its deadline.
    /// Fixes the verifier draw: the validator set now, the beacon value
    /// `reveals_per_draw` reveals later.
    SubmitBenchmarkResult {
        challenge_id: u64,
        result_root: String,
    },
    /// A drawn verifier (never the provider itself) checks a submitted
    /// result. Once every drawn verifier has attested, a majority of the
    /// quorum attesting valid verifies the median of their measured scores
    /// (capped at the claim), which sets the tier; a majority attesting
    /// invalid rejects it.
    AttestBenchmark {
        provider: String,
        challenge_id: u64,
        valid: bool,
        measured_score: u64,
    },
    /// Anyone, after a submitted challenge's attestation window closed:
    /// decides it with the attestations present and jails and slashes the
    /// drawn verifiers that did not attest. `RequestBenchmark` does the same
    /// for the provider's previous challenge.
    FinalizeBenchmark {
        challenge_id: u64,
    },

    // Authorized contracts and governance.
    /// Locks `amount` of the provider's free bond for a job.
    LockCollateral {
        provider: String,
        job_id: u64,
        amount: Uint128,
    },
    /// Releases the collateral locked for a job.
    UnlockCollateral {
        provider: String,
        job_id: u64,
    },
    /// Takes up to `amount` from the job's locked collateral first, then from
    /// free bond, and pays it to the beneficiary and the treasury.
    Slash {
        provider: String,
        job_id: Option<u64>,
        amount: Uint128,
        beneficiary: Option<String>,
    },
    /// Updates reputation and counters; may jail.
    RecordOutcome {
        provider: String,
        outcome: JobOutcome,
    },

    // Governance only.
    UpdateConfig {
        governance: Option<String>,
        params: Option<Params>,
    },
    /// Replaces the list of authorized contracts.
    SetAuthorized {
        contracts: Vec<String>,
    },
    AppointOracle {
        address: String,
    },
    RemoveOracle {
        address: String,
    },
    AddZones {
        zones: Vec<String>,
    },
    /// Removes zones that no registered address uses.
    RemoveZones {
        zones: Vec<String>,
    },
}

#[cw_serde]
#[derive(QueryResponses)]
pub enum QueryMsg {
    #[returns(ConfigResponse)]
    Config {},
    #[returns(Provider)]
    Provider { address: String },
    /// Every registered address, by address.
    #[returns(ProvidersResponse)]
    Providers {
        start_after: Option<String>,
        limit: Option<u32>,
    },
    #[returns(ProvidersResponse)]
    ProvidersByZone {
        zone: String,
        start_after: Option<String>,
        limit: Option<u32>,
    },
    #[returns(ProvidersResponse)]
    ProvidersByTier {
        tier: u8,
        start_after: Option<String>,
        limit: Option<u32>,
    },
    /// Addresses whose role is active (`Requester`: every registered address;
    /// `Oracle`: appointed oracles that are registered).
    #[returns(ProvidersResponse)]
    ProvidersByRole {
        role: Role,
        start_after: Option<String>,
        limit: Option<u32>,
    },
    /// The seated validator set (the top `max_validators` eligible
    /// validators by bond) with the stake of each member, in address order.
    #[returns(ValidatorsResponse)]
    Validators {
        start_after: Option<String>,
        limit: Option<u32>,
    },
    /// The seated validator set (the members `Validators` lists, in the same
    /// order and pages) weighted for a draw seeded by the beacon value at
    /// `seq`: each member's `stake` is the smaller of its seat stake just
    /// before value `seq` was revealed (0 if it held no seat then) and its
    /// stake now, so stake bonded once the value is public does not count in
    /// that draw and stake unbonded or slashed since counts as gone. 0 also
    /// when the member's stake changed so often since that its history no
    /// longer reaches back to `seq`. `free` is the free bond now. A consumer
    /// that fixed its draw at `draw_at` passes `seq = draw_at`. While value
    /// `seq` has not been revealed the answer is the current stake and can
    /// still change.
    #[returns(ValidatorsResponse)]
    ValidatorsAsOf {
        seq: u64,
        start_after: Option<String>,
        limit: Option<u32>,
    },
    #[returns(ValidatorTotalsResponse)]
    ValidatorTotals {},
    #[returns(StakeResponse)]
    Stake { address: String },
    #[returns(CollateralLocksResponse)]
    CollateralLocks {
        provider: String,
        start_after: Option<u64>,
        limit: Option<u32>,
    },
    #[returns(Challenge)]
    Challenge { challenge_id: u64 },
    #[returns(AddressesResponse)]
    Oracles {
        start_after: Option<String>,
        limit: Option<u32>,
    },
    #[returns(ZonesResponse)]
    Zones {
        start_after: Option<String>,
        limit: Option<u32>,
    },
    #[returns(DidDocument)]
    DidDocument { address: String },
    /// Active provider capacity per (zone, tier).
    #[returns(CapacityResponse)]
    Capacity {
        start_after: Option<(String, u8)>,
        limit: Option<u32>,
    },
    /// Active provider capacity of one tier over all zones; pricing reads it
    /// as the tier's supply.
    #[returns(TierCapacityResponse)]
    TierCapacity { tier: u8 },
    #[returns(TotalsResponse)]
    Totals {},
    /// Whether `address` holds `role` and it is active: `Provider` bonded
    /// enough and not jailed, `Validator` seated, `Oracle` appointed by
    /// governance (no registration needed), `Requester` always. One lookup,
    /// for contracts that authorize by role.
    #[returns(bool)]
    HasRole { address: String, role: Role },
    /// The randomness beacon's head: the value after the latest reveal, its
    /// sequence number, and how many further reveals a consumer that fixes
    /// its seed now must wait for before drawing (`reveals_per_draw`).
    #[returns(BeaconResponse)]
    Beacon {},
    /// The beacon value right after reveal number `seq` (None while that
    /// reveal has not happened yet).
    #[returns(BeaconEntryResponse)]
    BeaconAt { seq: u64 },
}

/// The data (`Response::data`, JSON) of a `Slash`: what was actually taken,
/// which may be less than asked when the bond ran short.
#[cw_serde]
pub struct SlashResult {
    pub taken: Uint128,
    pub to_beneficiary: Uint128,
    pub to_treasury: Uint128,
}

/// The beacon after one validator reveal. `value` is hex sha256 of the
/// previous value, the revealer's address and its preimage.
#[cw_serde]
pub struct BeaconEntry {
    pub seq: u64,
    pub value: String,
    pub revealer: Addr,
    pub time: Timestamp,
}

#[cw_serde]
pub struct BeaconResponse {
    /// Reveals so far (0: none yet; `value` is then the genesis value).
    pub seq: u64,
    /// Hex sha256.
    pub value: String,
    /// Reveals a consumer fixing its seed at `seq` waits for: it draws with
    /// the value at `seq + reveals_per_draw`. 0 when no seated validator has
    /// a beacon anchor (nothing can be drawn).
    pub reveals_per_draw: u32,
}

#[cw_serde]
pub struct BeaconEntryResponse {
    pub entry: Option<BeaconEntry>,
}

#[cw_serde]
pub struct MigrateMsg {}

#[cw_serde]
pub struct ConfigResponse {
    pub governance: Addr,
    pub agpu_token: Addr,
    pub authorized: Vec<Addr>,
    pub params: Params,
}

#[cw_serde]
pub struct ProvidersResponse {
    pub providers: Vec<Provider>,
}

#[cw_serde]
pub struct ValidatorStake {
    pub address: Addr,
    pub stake: Uint128,
    /// Bonded stake not locked by any duty (what a new lock can take).
    #[serde(default)]
    pub free: Uint128,
}

#[cw_serde]
pub struct ValidatorsResponse {
    pub validators: Vec<ValidatorStake>,
}

#[cw_serde]
pub struct ValidatorTotalsResponse {
    pub total_stake: Uint128,
    pub count: u32,
    pub max_validators: u32,
}

#[cw_serde]
pub struct StakeResponse {
    pub bonded: Uint128,
    pub locked: Uint128,
    pub free: Uint128,
    pub claims: Vec<UnbondingClaim>,
}

#[cw_serde]
pub struct CollateralLock {
    pub job_id: u64,
    pub amount: Uint128,
}

#[cw_serde]
pub struct CollateralLocksResponse {
    pub locks: Vec<CollateralLock>,
}

#[cw_serde]
pub enum ChallengeStatus {
    Issued,
    Submitted {
        result_root: String,
        submitted_at: Timestamp,
    },
    Verified {
        validator: Addr,
        measured_score: u64,
    },
    Rejected {
        validator: Addr,
    },
    /// The attestation window closed without a majority either way (or
    /// without a beacon value to draw the verifiers): not verified, and no
    /// fault of the provider. Drawn verifiers that stayed silent although the
    /// draw was known by the deadline are jailed and slashed.
    Expired {},
}

#[cw_serde]
pub struct Challenge {
    pub id: u64,
    pub provider: Addr,
    pub claimed_score: u64,
    /// Hex sha256 of (height, time, provider, challenge id).
    pub seed: String,
    pub issued_height: u64,
    pub issued_at: Timestamp,
    pub deadline: Timestamp,
    pub status: ChallengeStatus,
    /// Beacon reveal whose value draws the verifiers; fixed at
    /// `SubmitBenchmarkResult` to the then-current `seq + reveals_per_draw`
    /// (at least one reveal later). None before submission, and when the
    /// quorum covers every candidate (all of them verify; nothing to draw).
    #[serde(default)]
    pub draw_seq: Option<u64>,
    /// Attestations asked for: min(`benchmark_quorum`, seated validators
    /// other than the provider at submission).
    #[serde(default)]
    pub quorum: u32,
    /// The drawn verifiers, stake-weighted from the validator set at
    /// submission with the beacon value at `draw_seq`; empty until that value
    /// exists. Only they may attest.
    #[serde(default)]
    pub verifiers: Vec<Addr>,
    #[serde(default)]
    pub attestations: Vec<BenchmarkAttestation>,
}

/// One drawn verifier's verdict on a benchmark result.
#[cw_serde]
pub struct BenchmarkAttestation {
    pub validator: Addr,
    pub valid: bool,
    pub measured_score: u64,
}

#[cw_serde]
pub struct AddressesResponse {
    pub addresses: Vec<Addr>,
}

#[cw_serde]
pub struct ZonesResponse {
    pub zones: Vec<String>,
}

#[cw_serde]
pub struct VerificationMethod {
    pub id: String,
    #[serde(rename = "type")]
    pub type_: String,
    pub controller: String,
    #[serde(rename = "publicKeyHex")]
    pub public_key_hex: String,
}

#[cw_serde]
pub struct DidService {
    pub id: String,
    #[serde(rename = "type")]
    pub type_: String,
    #[serde(rename = "serviceEndpoint")]
    pub service_endpoint: String,
}

/// A JSON-LD-shaped DID document for `did:starminer:<address>`.
#[cw_serde]
pub struct DidDocument {
    #[serde(rename = "@context")]
    pub context: Vec<String>,
    pub id: String,
    pub controller: String,
    #[serde(rename = "verificationMethod")]
    pub verification_method: Vec<VerificationMethod>,
    pub service: Vec<DidService>,
}

#[cw_serde]
#[derive(Default)]
pub struct Capacity {
    pub providers: u32,
    pub devices: u32,
    pub compute_units: u64,
    pub global_mem_bytes: Uint64,
    /// Sum of the verified benchmark scores (work units per second).
    pub score_sum: Uint128,
}

#[cw_serde]
pub struct CapacityEntry {
    pub zone: String,
    pub tier: u8,
    pub capacity: Capacity,
}

#[cw_serde]
pub struct CapacityResponse {
    pub entries: Vec<CapacityEntry>,
}

#[cw_serde]
pub struct TierCapacityResponse {
    pub tier: u8,
    /// Active providers in the tier.
    pub providers: u32,
    /// Sum of their verified benchmark scores, in work units per second.
    pub score_sum: Uint128,
}

#[cw_serde]
pub struct TotalsResponse {
    pub providers: u64,
    pub total_bonded: Uint128,
    /// Unbonded AGPU waiting in claims (matured or not).
    pub total_claims: Uint128,
}

/// The reputation, tier and benchmark-timing rules (docs/protocol.md), shared by
/// the registry, the job market and incentives.
///
/// Rounding goes against the subject: gains round down, losses round up, so
/// nobody gains reputation from rounding.
pub mod reputation {
    use super::{JobOutcome, ReputationParams, MAX_REPUTATION, TIER_COUNT};
    use cosmwasm_std::{Decimal, Uint128};

    fn times_floor(value: u32, factor: Decimal) -> u32 {
        // value ≤ 10000 and factor ≤ 1 in every caller, so the result fits.
        let product = Uint128::from(value).mul_floor(factor).u128();
        u32::try_from(product).unwrap_or(u32::MAX)
    }

    fn times_ceil(value: u32, factor: Decimal) -> u32 {
        let product = Uint128::from(value).mul_ceil(factor).u128();
        u32::try_from(product).unwrap_or(u32::MAX)
    }

    /// r += (10000 − r)·α
    pub fn on_success(r: u32, alpha: Decimal) -> u32 {
        let r = r.min(MAX_REPUTATION);
        r.saturating_add(times_floor(MAX_REPUTATION - r, alpha))
            .min(MAX_REPUTATION)
    }

    /// r −= r·β
    pub fn on_timeout(r: u32, beta: Decimal) -> u32 {
        r.saturating_sub(times_ceil(r, beta))
    }

    /// r −= r·γ
    pub fn on_slashed(r: u32, gamma: Decimal) -> u32 {
        r.saturating_sub(times_ceil(r, gamma))
    }

    /// A fixed bonus (verified benchmark), capped at the maximum.
    pub fn boost(r: u32, amount: u32) -> u32 {
        r.saturating_add(amount).min(MAX_REPUTATION)
    }

    /// The reputation after one job outcome. Failures are counted elsewhere
    /// but leave reputation unchanged (the requester's input may be at fault).
    pub fn apply_outcome(r: u32, outcome: &JobOutcome, params: &ReputationParams) -> u32 {
        match outcome {
            JobOutcome::Success { .. } => on_success(r, params.alpha),
            JobOutcome::Failure => r,
            JobOutcome::Timeout => on_timeout(r, params.beta),
            JobOutcome::Slashed => on_slashed(r, params.gamma),
        }
    }

    /// Whether reputation `r` is below the jailing floor.
    pub fn is_below_floor(r: u32, floor: u32) -> bool {
        r < floor
    }

    /// Tier of a verified score: the number of thresholds it reaches
    /// (thresholds strictly increasing), at most 4; 0 when it reaches none.
    pub fn tier_for_score(score: u64, thresholds: &[u64]) -> u8 {
        let reached = thresholds.iter().take_while(|t| score >= **t).count();
        u8::try_from(reached).unwrap_or(TIER_COUNT).min(TIER_COUNT)
    }

    /// Seconds a provider claiming `claimed_score` gets to answer a challenge
    /// of `work` score·seconds: ⌈work / score⌉ clamped to [min, max]. A higher
    /// claim means a tighter deadline, so over-claiming fails the challenge.
    pub fn benchmark_duration(claimed_score: u64, work: u64, min: u64, max: u64) -> u64 {
        if claimed_score == 0 {
            return max.max(min);
        }
        work.div_ceil(claimed_score).clamp(min, max.max(min))
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use std::str::FromStr;

        fn dec(s: &str) -> Decimal {
            Decimal::from_str(s).unwrap()
        }

        #[test]
        fn success_moves_towards_max_and_rounds_down() {
            assert_eq!(on_success(5000, dec("0.1")), 5500);
            assert_eq!(on_success(9999, dec("0.1")), 9999);
            assert_eq!(on_success(10_000, dec("0.5")), 10_000);
            assert_eq!(on_success(0, dec("1")), 10_000);
            assert_eq!(on_success(20_000, dec("0.1")), 10_000);
        }

        #[test]
        fn timeout_and_slash_lose_a_share_and_round_up() {
            assert_eq!(on_timeout(5000, dec("0.1")), 4500);
            assert_eq!(on_timeout(1, dec("0.1")), 0);
            assert_eq!(on_slashed(5000, dec("0.5")), 2500);
            assert_eq!(on_slashed(3, dec("0.5")), 1);
            assert_eq!(on_slashed(0, dec("1")), 0);
            assert_eq!(on_timeout(7000, Decimal::zero()), 7000);
        }

        #[test]
        fn outcome_dispatch_and_failure_is_neutral() {
            let p = ReputationParams {
                alpha: dec("0.1"),
                beta: dec("0.2"),
                gamma: dec("0.5"),
                floor: 2000,
                benchmark_boost: 100,
            };
            let ok = JobOutcome::Success { units: 5u64.into() };
            assert_eq!(apply_outcome(5000, &ok, &p), 5500);
            assert_eq!(apply_outcome(5000, &JobOutcome::Failure, &p), 5000);
            assert_eq!(apply_outcome(5000, &JobOutcome::Timeout, &p), 4000);
            assert_eq!(apply_outcome(5000, &JobOutcome::Slashed, &p), 2500);
            assert!(is_below_floor(1999, p.floor));
            assert!(!is_below_floor(2000, p.floor));
        }

        #[test]
        fn boost_is_capped() {
            assert_eq!(boost(9950, 100), 10_000);
            assert_eq!(boost(100, 100), 200);
        }

        #[test]
        fn tiers_follow_thresholds() {
            let t = [100, 200, 400, 800];
            assert_eq!(tier_for_score(0, &t), 0);
            assert_eq!(tier_for_score(99, &t), 0);
            assert_eq!(tier_for_score(100, &t), 1);
            assert_eq!(tier_for_score(399, &t), 2);
            assert_eq!(tier_for_score(800, &t), 4);
            assert_eq!(tier_for_score(u64::MAX, &t), 4);
            assert_eq!(tier_for_score(10, &[]), 0);
        }

        #[test]
        fn benchmark_duration_shrinks_with_claimed_score_within_bounds() {
            assert_eq!(benchmark_duration(100, 60_000, 60, 3600), 600);
            assert_eq!(benchmark_duration(101, 60_000, 60, 3600), 595);
            assert_eq!(benchmark_duration(1_000_000, 60_000, 60, 3600), 60);
            assert_eq!(benchmark_duration(1, 60_000, 60, 3600), 3600);
            assert_eq!(benchmark_duration(0, 60_000, 60, 3600), 3600);
        }
    }
}
