//! The job market (docs/protocol.md): templates, escrowed job submission,
//! matchmaking with zone spillover, leases, results as Merkle roots,
//! verification (spot checks, challenges, disputes, replication with
//! commit–reveal) and settlement.
//!
//! Amounts are in uagpu; times are `env.block.time` in seconds. Hashes are
//! lower-case hex SHA-256 (64 characters). The Merkle tree over output chunks
//! is `starminer_merkle`'s.

use cosmwasm_schema::{cw_serde, QueryResponses};
use cosmwasm_std::{Addr, Binary, Decimal, Timestamp, Uint128, Uint64};
use cw20::Cw20ReceiveMsg;

use crate::market::{Determinism, JobClass, UnitFormula, Urgency, VerificationMode};
use crate::pricing::QuoteResponse;

/// How far a job's result may travel: the widest network distance between
/// the requester's zone and the provider's that the job tolerates. A spill
/// route is usable only when its latency class is at most the job's.
#[cw_serde]
#[derive(Copy, Eq, PartialOrd, Ord, Hash)]
pub enum LatencyClass {
    /// Same metro (a few ms).
    Metro,
    /// Same region / continent.
    Regional,
    /// Across a continent or to a neighbouring one.
    Continental,
    /// Anywhere.
    Global,
}

#[cw_serde]
pub struct InstantiateMsg {
    /// The governance contract: owns parameters, templates and zones;
    /// receives the protocol fee (treasury).
    pub governance: String,
    /// The AGPU cw20 contract: the only token jobs are paid with.
    pub agpu_token: String,
    pub registry: String,
    pub pricing: String,
    pub incentives: String,
    /// Kept for compatibility and unused: zones and spill routes may be set
    /// by governance and by any address the registry says holds the active
    /// `Oracle` role (`HasRole`). Pass an empty list.
    #[serde(default)]
    pub oracles: Vec<String>,
    pub params: MarketParams,
}

/// Every governance-owned parameter of the job market.
#[cw_serde]
pub struct MarketParams {
    /// Share of each replica's compute cost that goes to the treasury.
    pub protocol_fee_rate: Decimal,
    /// Collateral locked at claim = `collateral_rate` × the provider payout
    /// (rounded up). It is what a provider loses on a timeout or a fraud; a
    /// verifier that loses a dispute is slashed the same amount.
    pub collateral_rate: Decimal,
    /// Seconds after a result is submitted during which verifiers attest and
    /// challenge; settlement is possible after it.
    pub challenge_window: u64,
    /// Seconds a provider has to answer a chunk challenge or a dispute with
    /// a Merkle proof, and dispute verifiers have to vote after it.
    pub response_window: u64,
    /// Seconds replicas have to reveal once every slot has committed.
    pub commit_window: u64,
    /// Extra verifiers assigned when a result is disputed (≥ 1).
    pub dispute_verifiers: u8,
    /// Most queue entries one `ClaimNext` examines across the provider's zone
    /// and every zone that may spill into it.
    pub max_claim_scan: u32,
    /// Lease = template seconds per unit × units × factor of the urgency.
    pub lease_factors: LeaseFactors,
    /// Shortest lease, whatever the formula says.
    pub min_lease_seconds: u64,
    /// Share of one replica's compute cost paid to a provider that reports
    /// bad input (the rest is refunded).
    pub bad_input_fee_rate: Decimal,
    pub limits: MarketLimits,
    /// Share of a slot's collateral slashed (to the requester) when its
    /// provider gives the job up with `Abandon`: below 1, so abandoning
    /// costs less than the full-collateral timeout slash. Default 0.5.
    #[serde(default = "default_abandon_slash_rate")]
    pub abandon_slash_rate: Decimal,
    /// Smallest quote total (uagpu) a job may be escrowed at: spam must cost
    /// real money. Default 100 uagpu.
    #[serde(default = "default_min_job_price")]
    pub min_job_price: Uint128,
    /// Share of the escrow (rounded up) the treasury keeps when a requester
    /// cancels an unclaimed job: spam-and-cancel is not free. Default 0.05.
    #[serde(default = "default_cancel_fee_rate")]
    pub cancel_fee_rate: Decimal,
    /// Seconds the drawn judge (or the requester, conceding) has to decide
    /// a bad-input report on a remote input. Unjudged, the report counts as
    /// false. Default 600.
    #[serde(default = "default_bad_input_window")]
    pub bad_input_window: u64,
    /// Stake each drawn verifier and dispute voter must have free, locked in
    /// the registry under (verifier, job id) while its duty lasts:
    /// ⌈`verifier_collateral_rate` × the job's quoted verifier fee⌉. It is
    /// what a verifier loses for a refuted Invalid, a Valid on a result
    /// proven fraudulent, or a missed dispute vote. Default 10 (ten fees).
    #[serde(default = "default_verifier_collateral_rate")]
    pub verifier_collateral_rate: Decimal,
    /// Voter rounds a dispute may take before an undecided one (tie or
    /// silence) fails the job with a refund. Default 2.
    #[serde(default = "default_dispute_rounds")]
    pub dispute_rounds: u8,
    /// Seconds a draw (verifiers or dispute voters) may wait for its beacon
    /// value; past it the job fails with a refund, nobody slashed. Default
    /// 3,600.
    #[serde(default = "default_draw_timeout")]
    pub draw_timeout: u64,
    /// Largest chunk a provider can be made to publish on chain with
    /// `ChallengeData` (templates with bigger chunks cannot be demanded).
    /// Default 65,536 bytes.
    #[serde(default = "default_max_data_bytes")]
    pub max_data_bytes: u64,
    /// SpotCheck results must carry a forced-error pair ([`DecoyPair`]), so
    /// that a verifier attesting without recomputing loses its lock on half
    /// of its duties. Off in configurations from before it existed.
    #[serde(default)]
    pub forced_errors: bool,
    /// Seconds a Replicated job takes applications for its open slots after
    /// the first one; the slots are then drawn from the applicants by a
    /// later beacon value, weighted by each applicant's bond, so sybil
    /// identities win only the share their bond gives them (see
    /// [`ReplicaDraw`]). 0: first come, first seated (configurations from
    /// before the draw).
    #[serde(default)]
    pub replica_window: u64,
    /// Most applicants a Replicated job holds at once (2..=32); when full, a
    /// larger bond displaces the smallest. Default 16.
    #[serde(default = "default_max_replica_applicants")]
    pub max_replica_applicants: u32,
}

pub fn default_max_replica_applicants() -> u32 {
    16
}

pub fn default_verifier_collateral_rate() -> Decimal {
    Decimal::from_ratio(10u128, 1u128)
}

pub fn default_dispute_rounds() -> u8 {
    2
}

pub fn default_draw_timeout() -> u64 {
    3_600
}

pub fn default_max_data_bytes() -> u64 {
    65_536
}

#[cw_serde]
pub struct LeaseFactors {
    pub low: Decimal,
    pub normal: Decimal,
    pub high: Decimal,
    pub realtime: Decimal,
}

impl LeaseFactors {
    pub fn for_urgency(&self, urgency: Urgency) -> Decimal {
        match urgency {
            Urgency::Low => self.low,
            Urgency::Normal => self.normal,
            Urgency::High => self.high,
            Urgency::Realtime => self.realtime,
        }
    }
}

/// Lease length in seconds: ⌈units × seconds per unit × urgency factor⌉, at
/// least `min_seconds`; saturates instead of overflowing. The one rule: the
/// market grants leases by it and provider agents refuse jobs whose
/// remaining time is shorter.
pub fn lease_seconds(
    units: Uint128,
    seconds_per_unit: Decimal,
    factor: Decimal,
    min_seconds: u64,
) -> u64 {
    let secs = units
        .checked_mul_ceil(seconds_per_unit.checked_mul(factor).unwrap_or(Decimal::MAX))
        .unwrap_or(Uint128::MAX);
    u64::try_from(secs.u128())
        .unwrap_or(u64::MAX)
        .max(min_seconds)
}

/// Bounds on everything a caller controls the size of.
#[cw_serde]
pub struct MarketLimits {
    pub max_params: u32,
    pub max_param_name_len: u32,
    pub max_uri_len: u32,
    pub max_inline_input_bytes: u32,
    /// Most verifiers of a `SpotCheck` job.
    pub max_verifiers: u8,
    /// Most replicas of a `Replicated` job.
    pub max_replication: u8,
    /// Longest time between submission and deadline, in seconds.
    pub max_job_duration: u64,
    /// Entries kept in each job's event log (a ring: the newest survive).
    pub max_history: u32,
    /// Most zones the market knows.
    pub max_zones: u32,
    /// Largest `min_device_memory` (bytes) a job may ask: absurd
    /// requirements nobody can meet are refused at submission. Default 1 TiB.
    #[serde(default = "default_max_device_memory")]
    pub max_device_memory: Uint64,
    /// Largest `min_compute_units` a job may ask. Default 4096.
    #[serde(default = "default_max_compute_units")]
    pub max_compute_units: u32,
}

/// Minimum hardware of a template or a job: the job runs on one device that
/// must have at least this memory and these compute units.
#[cw_serde]
pub struct HardwareRequirements {
    /// 1..=4.
    pub min_tier: u8,
    pub min_device_memory: Uint64,
    pub min_compute_units: u32,
}

#[cw_serde]
pub struct Template {
    /// E.g. `render.fractal`: 1-64 characters of a-z, 0-9, '.', '-', '_'.
    pub id: String,
    pub class: JobClass,
    /// Hex sha256 of the OpenCL kernel source the provider agent embeds.
    pub kernel_sha256: String,
    pub unit_formula: UnitFormula,
    /// Output chunk size in bytes (the Merkle leaves).
    pub chunk_size: u64,
    pub determinism: Determinism,
    /// Lease time per unit, in seconds.
    pub max_seconds_per_unit: Decimal,
    pub min_hardware: HardwareRequirements,
    pub enabled: bool,
}

#[cw_serde]
pub struct JobParam {
    pub name: String,
    pub value: u64,
}

#[cw_serde]
pub enum JobInput {
    /// Fetched by the provider, which checks `sha256` over the `size` bytes.
    Remote {
        uri: String,
        sha256: String,
        size: u64,
    },
    /// Small inputs carried on chain.
    Inline { data: Binary },
}

#[cw_serde]
pub struct JobRequirements {
    pub min_tier: u8,
    pub min_device_memory: Uint64,
    pub min_compute_units: u32,
    /// The zone the job is submitted to (a zone of the market).
    pub zone: String,
    pub urgency: Urgency,
    /// The widest spill route the job accepts.
    pub latency: LatencyClass,
}

#[cw_serde]
pub struct JobSpec {
    pub template: String,
    pub params: Vec<JobParam>,
    pub input: JobInput,
    pub requirements: JobRequirements,
    /// Highest total price the requester accepts.
    pub max_price: Uint128,
    /// The result must be submitted (or, replicated, committed) by then.
    pub deadline: Timestamp,
    pub verification: VerificationMode,
}

/// Messages the AGPU token forwards through cw20 `Send`.
#[cw_serde]
pub enum ReceiveMsg {
    /// Submits a job paid with the sent AGPU. What exceeds the quote's total
    /// is refunded at once.
    SubmitJob { spec: JobSpec },
}

#[cw_serde]
pub enum Attestation {
    Valid,
    /// The verifier recomputed chunk `index` and got `chunk_hash` (hex leaf
    /// hash, `starminer_merkle::leaf_hash`), which differs from the result.
    Invalid {
        index: u64,
        chunk_hash: String,
    },
}

#[cw_serde]
pub struct ZoneUpdate {
    pub zone: String,
    /// Open jobs above which the zone's jobs spill at once.
    pub capacity_threshold: u64,
}

#[cw_serde]
pub struct SpillRoute {
    /// Age a job must reach before providers of `to` may claim it.
    pub delay: u64,
    pub latency: LatencyClass,
}

#[cw_serde]
pub struct SpillUpdate {
    pub from: String,
    pub to: String,
    /// None removes the route.
    pub route: Option<SpillRoute>,
}

// `UpdateConfig` carries every market parameter; a message is decoded once
// per call, so its size does not matter.
#[allow(clippy::large_enum_variant)]
#[cw_serde]
pub enum ExecuteMsg {
    /// cw20 entry point; only from the AGPU contract. See [`ReceiveMsg`].
    Receive(Cw20ReceiveMsg),
    /// The requester withdraws a job nobody has claimed: full refund.
    Cancel {
        job_id: u64,
    },
    /// An active provider takes (a slot of) this job. On a Replicated job
    /// while the market's `replica_window` is on, it applies for a slot
    /// instead ([`ReplicaDraw`]): the slots are drawn among the applicants
    /// later.
    Claim {
        job_id: u64,
    },
    /// The contract picks the best job the provider qualifies for: highest
    /// urgency first, then oldest, over its zone and the zones that may spill
    /// into it, examining at most `max_claim_scan` queue entries.
    ///
    /// `start_after` resumes the scan after a queue position (the one a
    /// `NoJobAvailable` answer names), so a provider skips entries it cannot
    /// take, however many, in bounded calls.
    ClaimNext {
        #[serde(default)]
        start_after: Option<QueueCursor>,
    },
    /// Result of a single-provider job (verification None or SpotCheck).
    /// A SpotCheck result carries a forced-error pair ([`DecoyPair`]) when
    /// `forced_errors` is on: the verifiers check one of the two roots, drawn
    /// with them, and the provider reveals afterwards which one is true.
    SubmitResult {
        job_id: u64,
        root: String,
        chunk_count: u64,
        output_size: u64,
        output_uri: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        decoy: Option<DecoyPair>,
    },
    /// The provider of a SpotCheck result with a forced-error pair opens its
    /// commitment once every drawn verifier has attested (or the challenge
    /// window closed): `honest` is 0 when the submitted root is the true
    /// result, 1 when the other root is. Verifiers that called a forced
    /// error (the designated root is the false one) Valid lose their duty
    /// lock; the job then settles when nothing else is open. Unrevealed
    /// within `response_window` after that, the provider is convicted.
    RevealDecoy {
        job_id: u64,
        salt: Binary,
        honest: u8,
    },
    /// Replicated jobs: [`replica_commitment`], i.e. hex sha256(root bytes ‖
    /// salt ‖ provider address bytes ‖ job id big-endian).
    CommitResult {
        job_id: u64,
        commitment: String,
    },
    /// Replicated jobs, once every slot has committed.
    RevealResult {
        job_id: u64,
        root: String,
        salt: Binary,
        chunk_count: u64,
        output_size: u64,
        output_uri: String,
    },
    /// The provider found the input's hash wrong. Its slot collateral stands
    /// as the bond. An inline input is on chain, so the report is refused.
    /// A remote input is judged by a drawn validator (or conceded by the
    /// requester) within `bad_input_window`: upheld, the job fails at the
    /// requester's cost and the reporter gets `bad_input_fee_rate`; rejected
    /// or unjudged (then anyone sends `Expire`), the reporter's collateral
    /// is slashed to the requester and the slot reopens.
    ReportBadInput {
        job_id: u64,
    },
    /// The drawn judge of a bad-input report decides it; the requester may
    /// only concede (`input_bad: true`).
    JudgeBadInput {
        job_id: u64,
        input_bad: bool,
    },
    /// The holder of a slot gives it up before delivering: `abandon_slash_rate`
    /// of its collateral is slashed to the requester, a timeout is recorded
    /// and the slot reopens at once (or the job ends with a refund when the
    /// deadline no longer leaves a full lease).
    Abandon {
        job_id: u64,
    },
    /// An assigned verifier's verdict. On a job with sealed attestations
    /// ([`Verification::reveal_until`]) this opens the verifier's earlier
    /// `SealAttestation` and needs its `salt`; it is taken once every
    /// verifier has sealed (or the challenge window closed) and until
    /// `reveal_until`.
    Attest {
        job_id: u64,
        attestation: Attestation,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        salt: Option<Binary>,
    },
    /// An assigned verifier of a job with sealed attestations commits to its
    /// verdict before anyone's is public: `seal` is
    /// [`attestation_seal`]`(job id, verifier, attestation, salt)`, hex. Taken
    /// until every verifier has sealed or the challenge window closes.
    SealAttestation {
        job_id: u64,
        seal: String,
    },
    /// An assigned verifier (or, without verifiers, the requester) says the
    /// provider withholds chunk `index`.
    Challenge {
        job_id: u64,
        index: u64,
    },
    /// The provider proves chunk `index` (challenge or dispute): its leaf hash
    /// and the sibling hashes from the bottom up, all hex.
    RespondChallenge {
        job_id: u64,
        index: u64,
        leaf_hash: String,
        proof: Vec<String>,
    },
    /// A dispute verifier's verdict on the disputed chunk.
    VoteDispute {
        job_id: u64,
        provider_correct: bool,
    },
    /// Anyone, after a response or voting deadline: decides the open
    /// challenge(s) or dispute.
    ResolveChallenge {
        job_id: u64,
    },
    /// Anyone: draws the verifiers (or dispute voters, or a Replicated job's
    /// slots among its applicants) of these jobs whose beacon value
    /// (`draw_at`) has been revealed; others are skipped. At
    /// most [`MAX_DRAW_BATCH`] ids. Attest, Challenge, VoteDispute,
    /// RespondChallenge, ResolveChallenge and Settle also draw when ready.
    DrawVerifiers {
        job_ids: Vec<u64>,
    },
    /// A verifier of a template whose chunks are sequential checkpoints
    /// (class Training) needs chunk `index` itself (to re-run step
    /// `index + 1`): the provider must publish it with `RespondData` within
    /// `response_window`, or it is convicted like a withheld chunk.
    ChallengeData {
        job_id: u64,
        index: u64,
    },
    /// The provider publishes chunk `index` (at most the template's chunk
    /// size and `max_data_bytes`) with its Merkle proof (sibling hashes from
    /// the bottom up, hex); the data is emitted in the `data` attribute
    /// (base64) of the `wasm-job` event.
    RespondData {
        job_id: u64,
        index: u64,
        data: Binary,
        proof: Vec<String>,
    },
    /// Anyone: a lease passed without result (or an open job's deadline).
    Expire {
        job_id: u64,
    },
    /// Anyone: pays out a verified job (after the challenge window), or
    /// decides a replicated job's reveal round.
    Settle {
        job_id: u64,
    },

    // Governance only.
    UpdateConfig {
        governance: Option<String>,
        agpu_token: Option<String>,
        registry: Option<String>,
        pricing: Option<String>,
        incentives: Option<String>,
        oracles: Option<Vec<String>>,
        params: Option<MarketParams>,
    },
    /// Templates are immutable once registered (open jobs depend on them),
    /// except for `enabled`.
    RegisterTemplate {
        template: Template,
    },
    SetTemplateEnabled {
        id: String,
        enabled: bool,
    },

    // Governance, or an address with the registry's active Oracle role.
    SetZones {
        zones: Vec<ZoneUpdate>,
    },
    SetSpillover {
        routes: Vec<SpillUpdate>,
    },
}

/// Most job ids one `DrawVerifiers` takes.
pub const MAX_DRAW_BATCH: usize = 20;

#[cw_serde]
pub enum JobStatus {
    /// Waiting in the queue (replicated: some slot unclaimed).
    Open,
    /// Every slot claimed; computing (replicated: committing).
    Assigned,
    /// Result in; verification and the challenge window run.
    Submitted,
    /// Replicated: every slot committed; reveals run.
    Revealing,
    /// An Invalid attestation is being decided.
    Disputed,
    Settled,
    /// Verification failed past the deadline, or bad input: refunded.
    Failed,
    /// Deadline passed without a result: refunded.
    Expired,
    Cancelled,
}

impl JobStatus {
    pub const ALL: [JobStatus; 9] = [
        JobStatus::Open,
        JobStatus::Assigned,
        JobStatus::Submitted,
        JobStatus::Revealing,
        JobStatus::Disputed,
        JobStatus::Settled,
        JobStatus::Failed,
        JobStatus::Expired,
        JobStatus::Cancelled,
    ];

    pub fn key(&self) -> u8 {
        match self {
            JobStatus::Open => 0,
            JobStatus::Assigned => 1,
            JobStatus::Submitted => 2,
            JobStatus::Revealing => 3,
            JobStatus::Disputed => 4,
            JobStatus::Settled => 5,
            JobStatus::Failed => 6,
            JobStatus::Expired => 7,
            JobStatus::Cancelled => 8,
        }
    }

    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            JobStatus::Settled | JobStatus::Failed | JobStatus::Expired | JobStatus::Cancelled
        )
    }
}

#[cw_serde]
pub struct JobResult {
    pub root: String,
    pub chunk_count: u64,
    pub output_size: u64,
    pub output_uri: String,
    pub submitted_at: Timestamp,
}

/// One provider's place in a job (replicated jobs have `k`).
#[cw_serde]
pub struct Slot {
    pub provider: Addr,
    pub claimed_at: Timestamp,
    pub lease_deadline: Timestamp,
    pub collateral: Uint128,
    pub commitment: Option<String>,
    pub result: Option<JobResult>,
}

/// A Replicated job's application round for its open slots (when the
/// market's `replica_window` is on). A `Claim` then applies: the applicant
/// locks a slot's collateral and enters with its bond as weight. Once the
/// window has closed and at least as many applied as slots are open, the
/// beacon value `draw_at` draws the slots (without replacement, weighted by
/// bond); the others are released. `draw_at` is `reveals_per_draw` reveals
/// past the beacon head at the latest application, so no applicant knows
/// the value that draws it while it can still choose how to apply.
#[cw_serde]
pub struct ReplicaDraw {
    pub apply_until: Timestamp,
    pub draw_at: u64,
    pub applicants: Vec<Applicant>,
}

#[cw_serde]
pub struct Applicant {
    pub provider: Addr,
    /// The provider's bond when it applied: its weight in the draw.
    pub weight: Uint128,
    /// Locked in the registry until the draw seats or releases it.
    pub collateral: Uint128,
    pub applied_at: Timestamp,
}

#[cw_serde]
pub struct VerifierEntry {
    pub address: Addr,
    pub attestation: Option<Attestation>,
    /// Its sealed attestation (hex [`attestation_seal`]) while the job takes
    /// sealed attestations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seal: Option<String>,
}

/// A chunk a verifier could not fetch.
#[cw_serde]
pub struct ChunkChallenge {
    pub challenger: Addr,
    pub index: u64,
    pub deadline: Timestamp,
    /// The leaf hash the provider proved, once answered.
    pub answer: Option<String>,
    /// A `ChallengeData`: only the chunk's bytes (`RespondData`) answer it.
    #[serde(default)]
    pub data: bool,
}

#[cw_serde]
pub struct DisputeVoter {
    pub address: Addr,
    pub provider_correct: Option<bool>,
}

#[cw_serde]
pub struct Dispute {
    pub challenger: Addr,
    pub index: u64,
    /// The leaf hash the challenger recomputed.
    pub claimed_hash: String,
    /// The leaf hash the provider proved against its root.
    pub provider_leaf: Option<String>,
    /// The provider must prove the chunk by then.
    pub response_deadline: Timestamp,
    /// Once proved and the voters are drawn, they vote until then.
    pub vote_deadline: Option<Timestamp>,
    pub voters: Vec<DisputeVoter>,
    /// Beacon reveal whose value seeds this round's voter draw; None once
    /// drawn (or when no beacon runs: no voters).
    #[serde(default)]
    pub draw_at: Option<u64>,
    /// Voter rounds started so far, this one included (0 in records from before dispute rounds).
    #[serde(default)]
    pub round: u8,
    /// Voters of earlier rounds (never drawn again for this dispute).
    #[serde(default)]
    pub past_voters: Vec<Addr>,
    /// When the dispute (or its current round) opened.
    #[serde(default)]
    pub opened_at: Option<Timestamp>,
}

#[cw_serde]
pub struct Verification {
    /// Attestations and challenges are accepted until then; it is set when
    /// the verifiers are drawn (the window starts at the draw).
    pub challenge_deadline: Timestamp,
    /// The forced-error pair of the result, if it carried one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decoy: Option<Decoy>,
    /// Beacon reveal whose value seeds the verifier draw; None once drawn
    /// (records from before beacon draws: drawn at submission).
    #[serde(default)]
    pub draw_at: Option<u64>,
    pub verifiers: Vec<VerifierEntry>,
    pub challenges: Vec<ChunkChallenge>,
    pub dispute: Option<Dispute>,
    /// Sealed attestations: set at the draw of a job whose result carries a
    /// forced-error pair and that drew two or more verifiers, so that none
    /// can copy another's verdict on the decoy chunk. The verifiers seal
    /// (`SealAttestation`) until `challenge_deadline` and open their seals
    /// (`Attest` with the salt) once all have sealed or that deadline
    /// passed, until this time. A sealed verdict never opened counts as a
    /// wrong one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reveal_until: Option<Timestamp>,
}

impl Verification {
    /// Whether verifiers must seal their attestations before opening them.
    pub fn sealed(&self) -> bool {
        self.reveal_until.is_some()
    }

    /// Whether seals are still taken at `now` (so no attestation may be
    /// opened yet).
    pub fn sealing(&self, now: Timestamp) -> bool {
        self.sealed()
            && now <= self.challenge_deadline
            && self.verifiers.iter().any(|e| e.seal.is_none())
    }

    /// Last moment an attestation is taken: the end of the reveal window
    /// with sealed attestations, else the challenge deadline.
    pub fn attest_deadline(&self) -> Timestamp {
        self.reveal_until.unwrap_or(self.challenge_deadline)
    }

    /// Whether every drawn verifier has attested (true when none was drawn).
    pub fn all_attested(&self) -> bool {
        self.verifiers.iter().all(|e| e.attestation.is_some())
    }

    /// Whether every attestation is in or can no longer be made at `now`.
    pub fn attestations_final(&self, now: Timestamp) -> bool {
        now > self.attest_deadline() || self.all_attested()
    }
}

/// A forced-error pair submitted with a SpotCheck result: a second Merkle
/// tree equal to the submitted one except at leaf [`decoy_index`]. One of
/// the two is the true result and the other carries one deliberately wrong
/// chunk; the chain draws (with the verifiers, from the beacon) which one
/// the verifiers check, so half of all spot-checked results are forced
/// errors, and a verifier that attests without recomputing is caught on
/// half of its duties. Which root is true is sealed by `commitment` until
/// the attestations are in.
#[cw_serde]
pub struct DecoyPair {
    /// Leaf `decoy_index` of the submitted root's tree (hex sha256).
    pub leaf: String,
    /// Leaf `decoy_index` of the other tree; differs from `leaf`.
    pub other_leaf: String,
    /// Sibling hashes of leaf `decoy_index` from the bottom up (hex); both
    /// trees share them, which proves they differ at that leaf only.
    pub proof: Vec<String>,
    /// [`decoy_commitment`]: hex sha256(salt ‖ honest byte ‖ provider
    /// address bytes ‖ job id big-endian).
    pub commitment: String,
}

/// The stored forced-error pair of a result.
#[cw_serde]
pub struct Decoy {
    /// The leaf where the two trees differ.
    pub index: u64,
    /// [submitted root, other root].
    pub roots: Vec<String>,
    /// Leaf `index` of each tree, in the order of `roots`.
    pub leaves: Vec<String>,
    pub commitment: String,
    /// Which root the verifiers check (the result's `root` meanwhile),
    /// drawn with the verifiers.
    pub designated: Option<u8>,
    /// Which root is the true result, once revealed (the result's `root`
    /// from then on).
    pub honest: Option<u8>,
    /// The provider must reveal by then (set when the attestations are in
    /// or the challenge window closed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reveal_deadline: Option<Timestamp>,
}

/// Where a finished job's escrow went.
#[cw_serde]
#[derive(Default)]
pub struct Settlement {
    pub provider_payouts: Uint128,
    pub verifier_fees: Uint128,
    pub protocol_fee: Uint128,
    pub bad_input_fee: Uint128,
    pub refund: Uint128,
}

#[cw_serde]
pub struct Job {
    pub id: u64,
    pub requester: Addr,
    pub spec: JobSpec,
    pub class: JobClass,
    /// The tier the job is priced at and needs: max(job, template).
    pub tier: u8,
    pub min_device_memory: Uint64,
    pub min_compute_units: u32,
    pub units: Uint128,
    /// Locked at submission.
    pub quote: QuoteResponse,
    /// What the contract holds for this job (the quote's total until paid out).
    pub escrow: Uint128,
    pub status: JobStatus,
    pub submitted_at: Timestamp,
    pub submit_height: u64,
    /// Times the job went back to Open.
    pub requeues: u32,
    pub slots: Vec<Slot>,
    /// The accepted result (single provider, or the replicas' majority).
    pub result: Option<JobResult>,
    pub verification: Option<Verification>,
    /// Replicated: reveals are accepted until then.
    pub reveal_deadline: Option<Timestamp>,
    pub settlement: Option<Settlement>,
    /// Replicated with a `replica_window`: the application round of the
    /// open slots, while one runs.
    #[serde(default)]
    pub replica_draw: Option<ReplicaDraw>,
}

impl Job {
    /// Slots not yet held (a Replicated job has k, others one).
    pub fn open_slots(&self) -> usize {
        usize::from(self.spec.verification.replication()).saturating_sub(self.slots.len())
    }

    /// Whether a claim at `now` may still enter the job's replica
    /// application round: none runs yet, its window is open, or fewer
    /// applied than slots are open. The market and the agents share it.
    pub fn takes_replica_applications(&self, now: Timestamp) -> bool {
        match &self.replica_draw {
            None => true,
            Some(d) => now <= d.apply_until || d.applicants.len() < self.open_slots(),
        }
    }
}

#[cw_serde]
pub struct JobEvent {
    pub seq: u32,
    pub action: String,
    pub actor: Option<Addr>,
    pub height: u64,
    pub time: Timestamp,
    pub detail: String,
}

#[cw_serde]
#[derive(QueryResponses)]
pub enum QueryMsg {
    #[returns(ConfigResponse)]
    Config {},
    #[returns(Template)]
    Template { id: String },
    #[returns(TemplatesResponse)]
    Templates {
        start_after: Option<String>,
        limit: Option<u32>,
    },
    /// The job and its event log (oldest first).
    #[returns(JobResponse)]
    Job { job_id: u64 },
    #[returns(JobsResponse)]
    JobsByRequester {
        requester: String,
        start_after: Option<u64>,
        limit: Option<u32>,
    },
    #[returns(JobsResponse)]
    JobsByProvider {
        provider: String,
        start_after: Option<u64>,
        limit: Option<u32>,
    },
    #[returns(JobsResponse)]
    JobsByStatus {
        status: JobStatus,
        start_after: Option<u64>,
        limit: Option<u32>,
    },
    #[returns(JobsResponse)]
    JobsByZone {
        zone: String,
        start_after: Option<u64>,
        limit: Option<u32>,
    },
    /// Open jobs of a zone needing exactly `tier`, in matching order
    /// (urgency, then age); `start_after` is the last entry's job id.
    #[returns(QueueResponse)]
    OpenQueue {
        zone: String,
        tier: Option<u8>,
        start_after: Option<QueueCursor>,
        limit: Option<u32>,
    },
    /// Jobs where `address` is (or was) a verifier or dispute verifier.
    #[returns(VerifierTasksResponse)]
    VerifierTasks {
        address: String,
        start_after: Option<u64>,
        limit: Option<u32>,
    },
    #[returns(ZonesResponse)]
    Zones {
        start_after: Option<String>,
        limit: Option<u32>,
    },
    /// Routes into `to` (who may take its neighbours' jobs).
    #[returns(SpilloverResponse)]
    Spillover {
        to: String,
        start_after: Option<String>,
        limit: Option<u32>,
    },
    #[returns(StatsResponse)]
    Stats {},
}

#[cw_serde]
pub struct MigrateMsg {}

#[cw_serde]
pub struct ConfigResponse {
    pub governance: Addr,
    pub agpu_token: Addr,
    pub registry: Addr,
    pub pricing: Addr,
    pub incentives: Addr,
    pub oracles: Vec<Addr>,
    pub params: MarketParams,
}

#[cw_serde]
pub struct TemplatesResponse {
    pub templates: Vec<Template>,
}

#[cw_serde]
pub struct JobResponse {
    pub job: Job,
    pub history: Vec<JobEvent>,
    /// A bad-input report waiting for its judge, if any.
    #[serde(default)]
    pub bad_input_report: Option<BadInputReport>,
    /// Its drawn judge, once the beacon value it waits for is revealed.
    #[serde(default)]
    pub bad_input_judge: Option<Addr>,
}

#[cw_serde]
pub struct JobsResponse {
    pub jobs: Vec<Job>,
}

/// Position in a zone's queue: (urgency, job id).
#[cw_serde]
pub struct QueueCursor {
    pub urgency: Urgency,
    pub job_id: u64,
}

#[cw_serde]
pub struct QueueEntry {
    pub job_id: u64,
    pub zone: String,
    pub urgency: Urgency,
    pub tier: u8,
    pub submitted_at: Timestamp,
}

#[cw_serde]
pub struct QueueResponse {
    pub entries: Vec<QueueEntry>,
}

#[cw_serde]
pub struct VerifierTask {
    pub job_id: u64,
    pub status: JobStatus,
    /// Whether this address was assigned to a dispute (rather than as one of
    /// the spot-check verifiers).
    pub dispute: bool,
    /// Still owes an attestation or a vote.
    pub pending: bool,
}

#[cw_serde]
pub struct VerifierTasksResponse {
    pub tasks: Vec<VerifierTask>,
}

#[cw_serde]
pub struct ZoneInfo {
    pub zone: String,
    pub capacity_threshold: u64,
    pub open_jobs: u64,
}

#[cw_serde]
pub struct ZonesResponse {
    pub zones: Vec<ZoneInfo>,
}

#[cw_serde]
pub struct SpilloverEntry {
    pub from: String,
    pub to: String,
    pub route: SpillRoute,
}

#[cw_serde]
pub struct SpilloverResponse {
    pub routes: Vec<SpilloverEntry>,
}

#[cw_serde]
pub struct StatusCount {
    pub status: JobStatus,
    pub count: u64,
}

#[cw_serde]
#[derive(Default)]
pub struct Totals {
    /// Everything ever escrowed (quote totals).
    pub escrowed: Uint128,
    /// Escrow still held: the contract's AGPU balance.
    pub live_escrow: Uint128,
    pub provider_payouts: Uint128,
    pub verifier_fees: Uint128,
    pub protocol_fees: Uint128,
    pub bad_input_fees: Uint128,
    pub refunded: Uint128,
    /// What the registry actually took in slashes this contract asked for
    /// (its `SlashResult.taken`, which is less than asked when a bond ran
    /// short).
    pub slashed: Uint128,
}

#[cw_serde]
pub struct StatsResponse {
    pub jobs: u64,
    pub by_status: Vec<StatusCount>,
    pub totals: Totals,
}

// ---- claims, results and bad input (trust hardening) -------------------------

/// A pending bad-input report on a remote input: the reporter's collateral
/// stands as the bond. Its judge is one validator drawn stake-weighted
/// (never a slot holder or the requester) with the registry beacon's value
/// at reveal `judge_beacon_seq`, which comes after the report: the reporter
/// cannot pick its judge by choosing when to report.
#[cw_serde]
pub struct BadInputReport {
    pub reporter: Addr,
    pub reported_at: Timestamp,
    /// Unjudged by then, the report counts as false (anyone sends `Expire`).
    pub deadline: Timestamp,
    /// None: the beacon had no anchored validator at the report, nobody can
    /// be drawn; only the requester can then uphold the report.
    pub judge_beacon_seq: Option<u64>,
}

pub fn default_abandon_slash_rate() -> Decimal {
    Decimal::percent(50)
}

pub fn default_min_job_price() -> Uint128 {
    Uint128::new(100)
}

pub fn default_cancel_fee_rate() -> Decimal {
    Decimal::percent(5)
}

pub fn default_bad_input_window() -> u64 {
    600
}

/// 1 TiB: above any single accelerator sold today.
pub fn default_max_device_memory() -> Uint64 {
    Uint64::new(1 << 40)
}

pub fn default_max_compute_units() -> u32 {
    4_096
}

/// The leaf at which a result's forced-error pair differs: sha256(
/// "starminer/decoy" ‖ job id big-endian) read as a big-endian u64, modulo
/// the chunk count. Fixed by the job and the result's size, so the provider
/// builds the pair before any randomness it could grind exists.
pub fn decoy_index(job_id: u64, chunk_count: u64) -> u64 {
    use sha2::{Digest, Sha256};
    if chunk_count == 0 {
        return 0;
    }
    let mut h = Sha256::new();
    h.update(b"starminer/decoy");
    h.update(job_id.to_be_bytes());
    let d = h.finalize();
    let mut head = [0u8; 8];
    head.copy_from_slice(&d[..8]);
    u64::from_be_bytes(head) % chunk_count
}

/// The seal over which root of a forced-error pair is true: hex sha256(salt
/// ‖ honest (one byte: 0 the submitted root, 1 the other) ‖ provider address
/// bytes ‖ job id big-endian). Bound to the provider and the job, so a
/// commitment copied from another result cannot be opened.
pub fn decoy_commitment(salt: &[u8], honest: u8, provider: &str, job_id: u64) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(salt);
    h.update([honest]);
    h.update(provider.as_bytes());
    h.update(job_id.to_be_bytes());
    hex::encode(h.finalize())
}

/// A verifier's sealed attestation: hex sha256(job id big-endian ‖ verifier
/// address bytes ‖ verdict ‖ salt), where the verdict is the byte 0 for
/// Valid, or the byte 1 ‖ chunk index big-endian ‖ the chunk hash in lower
/// case ASCII for Invalid. Bound to the verifier, so a seal copied from a
/// co-verifier cannot be opened by the copier.
pub fn attestation_seal(
    job_id: u64,
    verifier: &str,
    attestation: &Attestation,
    salt: &[u8],
) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(job_id.to_be_bytes());
    h.update(verifier.as_bytes());
    match attestation {
        Attestation::Valid => h.update([0u8]),
        Attestation::Invalid { index, chunk_hash } => {
            h.update([1u8]);
            h.update(index.to_be_bytes());
            h.update(chunk_hash.to_ascii_lowercase().as_bytes());
        }
    }
    h.update(salt);
    hex::encode(h.finalize())
}

/// A replica's commitment: hex sha256(root bytes ‖ salt ‖ provider address
/// bytes ‖ job id as 8 big-endian bytes). Binding the committer and the job
/// means a slot that copies another's commitment (or later its reveal)
/// cannot open it. The job market checks reveals with this function and
/// provider agents commit with it.
pub fn replica_commitment(root: &[u8], salt: &[u8], provider: &str, job_id: u64) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(root);
    h.update(salt);
    h.update(provider.as_bytes());
    h.update(job_id.to_be_bytes());
    hex::encode(h.finalize())
}
