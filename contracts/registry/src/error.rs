use cosmwasm_std::{Timestamp, Uint128};

starminer_contract_kit::contract_error! {
    pub enum ContractError {
        #[error("only governance may do this")]
        NotGovernance {},

        #[error("only governance or an authorized contract (the job market) may do this")]
        NotAuthorized {},

        #[error("{address} is already registered; use UpdateProfile or UpdateHardware")]
        AlreadyRegistered { address: String },

        #[error("{address} is not registered; send Register first")]
        NotRegistered { address: String },

        #[error("zone {zone} is not in the governance zone list; query Zones")]
        UnknownZone { zone: String },

        #[error("zone {zone} is already listed")]
        ZoneExists { zone: String },

        #[error("zone {zone} is still used by {users} registered addresses")]
        ZoneInUse { zone: String, users: u64 },

        #[error("invalid zone id {zone:?}: use 1-32 characters of a-z, 0-9, '-' and '_'")]
        InvalidZoneId { zone: String },

        #[error("{field} must be 1 to {max} characters")]
        InvalidText { field: String, max: u32 },

        #[error(
            "result server URL must start with http:// or https:// and be at most {max} characters"
        )]
        InvalidUrl { max: u32 },

        #[error("pubkey must be a 33-byte compressed (0x02/0x03) or 65-byte uncompressed (0x04) secp256k1 key")]
        InvalidPubkey {},

        #[error("at most {max} devices may be registered")]
        TooManyDevices { max: u32 },

        #[error("device {index}: compute_units, global_mem_bytes and max_clock_mhz must be positive")]
        InvalidDevice { index: usize },

        #[error("only the Provider and Validator roles can be requested; Requester is implicit and Oracle is appointed by governance")]
        InvalidRoleRequest {},

        #[error("only the AGPU contract can bond; send AGPU with cw20 Send")]
        WrongToken {},

        #[error("amount must be positive")]
        ZeroAmount {},

        #[error("only {free} uagpu of the bond are free (the rest is locked as collateral); asked for {requested}")]
        InsufficientFreeStake { free: Uint128, requested: Uint128 },

        #[error("at most {max} unbonding claims may be pending; Claim the matured ones or wait")]
        TooManyClaims { max: u32 },

        #[error("no unbonding claim has matured yet")]
        NothingToClaim {},

        #[error("collateral for job {job_id} is already locked")]
        CollateralAlreadyLocked { job_id: u64 },

        #[error("no collateral is locked for job {job_id}")]
        NoCollateral { job_id: u64 },

        #[error("provider is jailed until {until}")]
        Jailed { until: Timestamp },

        #[error("provider is not jailed")]
        NotJailed {},

        #[error("the provider role is not active: bond at least {min_stake} uagpu and stay unjailed")]
        ProviderRoleInactive { min_stake: Uint128 },

        #[error("the validator role is not active: only members of the validator set may attest")]
        NotValidator {},

        #[error("a provider cannot attest its own benchmark")]
        SelfAttestation {},

        #[error("claimed score must be positive")]
        ZeroClaimedScore {},

        #[error("challenge {challenge_id} is still open; finish it or wait until it expires")]
        ChallengeOpen { challenge_id: u64 },

        #[error("challenge {challenge_id} does not exist")]
        UnknownChallenge { challenge_id: u64 },

        #[error("challenge {challenge_id} belongs to another provider")]
        ChallengeNotYours { challenge_id: u64 },

        #[error("challenge {challenge_id} is not waiting for a result")]
        ChallengeNotIssued { challenge_id: u64 },

        #[error("challenge {challenge_id} has no submitted result to attest")]
        ChallengeNotSubmitted { challenge_id: u64 },

        #[error(
            "the deadline of challenge {challenge_id} passed at {deadline}; request a new benchmark"
        )]
        DeadlinePassed {
            challenge_id: u64,
            deadline: Timestamp,
        },

        #[error("the attestation window of challenge {challenge_id} closed at {closed}")]
        AttestWindowClosed {
            challenge_id: u64,
            closed: Timestamp,
        },

        #[error("result root must be 64 hex characters (a sha256)")]
        InvalidResultRoot {},

        #[error("{address} is already an oracle")]
        AlreadyOracle { address: String },

        #[error("{address} is not an oracle")]
        NotOracle { address: String },

        #[error("at most {max} authorized contracts may be set")]
        TooManyAuthorized { max: usize },

        #[error("invalid parameters: {reason}")]
        InvalidParams { reason: String },

        #[error("{field} must be 64 hex characters (32 bytes)")]
        InvalidHash { field: String },

        #[error("no beacon anchor: send SetBeaconAnchor first")]
        NoBeaconAnchor {},

        #[error("sha256(preimage) does not equal the current beacon anchor")]
        WrongPreimage {},

        #[error("one reveal per beacon interval: the next is allowed at {next}")]
        RevealTooSoon { next: Timestamp },

        #[error("the anchor was set at beacon seq {beacon_seq}; its first reveal must wait until another validator has revealed")]
        AnchorNotMatured { beacon_seq: u64 },

        #[error("{address} holds no validator seat")]
        NotSeated { address: String },

        #[error("the duty is not missed yet: the validator has until {due}")]
        DutyNotMissed { due: Timestamp },

        #[error("only the verifiers drawn for challenge {challenge_id} may attest it")]
        NotDrawn { challenge_id: u64 },

        #[error("the verifiers of challenge {challenge_id} are drawn with beacon value {draw_seq}, which does not exist yet")]
        NotDrawnYet { challenge_id: u64, draw_seq: u64 },

        #[error("{validator} already attested challenge {challenge_id}")]
        AlreadyAttested {
            challenge_id: u64,
            validator: String,
        },

        #[error("the attestation window of challenge {challenge_id} is open until {closes}")]
        AttestWindowOpen {
            challenge_id: u64,
            closes: Timestamp,
        },

        #[error("the public key does not belong to the sender: it derives {derived}")]
        PubkeyNotSender { derived: String },

        #[error("max_validators may change by at most {max} per UpdateConfig (the seats dropped or filled are handled in the same message)")]
        SeatChangeTooLarge { max: u32 },
    }
}
