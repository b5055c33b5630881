use cosmwasm_std::{Timestamp, Uint128};

starminer_contract_kit::contract_error! {
    pub enum ContractError {
        #[error("only governance may do this")]
        NotGovernance {},

        #[error("only governance or an appointed oracle (registry Oracle role) may change zones and spill routes")]
        NotOracle {},

        #[error("jobs are paid in AGPU only: send AGPU with cw20 Send")]
        WrongToken {},

        #[error("invalid parameters: {reason}")]
        InvalidParams { reason: String },

        #[error("invalid template: {reason}")]
        InvalidTemplate { reason: String },

        #[error("template {id} already exists; templates are immutable, register a new id")]
        TemplateExists { id: String },

        #[error("template {id} does not exist; query Templates")]
        UnknownTemplate { id: String },

        #[error("template {id} is disabled")]
        TemplateDisabled { id: String },

        #[error("zone {zone} is not a market zone; query Zones")]
        UnknownZone { zone: String },

        #[error("invalid zone id {zone:?}: use 1-32 characters of a-z, 0-9, '-' and '_'")]
        InvalidZoneId { zone: String },

        #[error("the market knows at most {max} zones")]
        TooManyZones { max: u32 },

        #[error("invalid job spec: {reason}")]
        InvalidSpec { reason: String },

        #[error("the quote is {total} uagpu, above the job's max price {max_price}")]
        PriceAboveMax { total: Uint128, max_price: Uint128 },

        #[error("the quote is {total} uagpu but only {sent} were sent; send at least the quote")]
        InsufficientPayment { total: Uint128, sent: Uint128 },

        #[error("pricing quoted zero for this job; it cannot be escrowed")]
        ZeroQuote {},

        #[error("job {job_id} does not exist")]
        UnknownJob { job_id: u64 },

        #[error("only the requester of job {job_id} may do this")]
        NotRequester { job_id: u64 },

        #[error("job {job_id} is {status}; this needs it to be {expected}")]
        WrongStatus {
            job_id: u64,
            status: String,
            expected: String,
        },

        #[error("job {job_id} already has claimed slots; it can no longer be cancelled")]
        AlreadyClaimed { job_id: u64 },

        #[error("the provider role of {address} is not active in the registry (bond, unjail)")]
        ProviderInactive { address: String },

        #[error("the provider does not meet job {job_id}'s requirement: {reason}")]
        RequirementNotMet { job_id: u64, reason: String },

        #[error("job {job_id} is not claimable from zone {zone} (spill route missing, too young or too far)")]
        ZoneNotAllowed { job_id: u64, zone: String },

        #[error("the provider already holds (or held) a slot of job {job_id}")]
        DuplicateSlot { job_id: u64 },

        #[error("job {job_id}'s deadline {deadline} has passed")]
        DeadlinePassed { job_id: u64, deadline: Timestamp },

        #[error("no claimable job found among the {scanned} queue entries examined{more}")]
        NoJobAvailable { scanned: u32, more: String },

        #[error("the sender holds no slot of job {job_id}")]
        NotSlotProvider { job_id: u64 },

        #[error("the lease of job {job_id} ended at {lease_deadline}")]
        LeaseExpired {
            job_id: u64,
            lease_deadline: Timestamp,
        },

        #[error("this slot of job {job_id} has already submitted")]
        AlreadySubmitted { job_id: u64 },

        #[error("job {job_id} is replicated: use CommitResult and RevealResult")]
        UseCommitReveal { job_id: u64 },

        #[error("job {job_id} is not replicated: use SubmitResult")]
        NotReplicated { job_id: u64 },

        #[error("invalid result: {reason}")]
        InvalidResult { reason: String },

        #[error("the revealed root and salt do not match the commitment")]
        CommitmentMismatch {},

        #[error("the reveal window of job {job_id} closed at {deadline}")]
        RevealClosed { job_id: u64, deadline: Timestamp },

        #[error("the sender is not an assigned verifier of job {job_id}")]
        NotVerifier { job_id: u64 },

        #[error("the sender has already attested job {job_id}")]
        AlreadyAttested { job_id: u64 },

        #[error("job {job_id} takes sealed attestations: send SealAttestation first, then Attest with its salt once every verifier has sealed")]
        SealRequired { job_id: u64 },

        #[error("job {job_id} takes plain attestations (Attest); nothing is sealed")]
        NotSealed { job_id: u64 },

        #[error("job {job_id}'s attestations are still being sealed (until every verifier has sealed, or until {until}); open yours after that")]
        SealsPending { job_id: u64, until: u64 },

        #[error("the attestation and salt do not open your seal on job {job_id}")]
        SealMismatch { job_id: u64 },

        #[error("job {job_id} has an open dispute; wait for its resolution")]
        DisputeOpen { job_id: u64 },

        #[error("chunk {index} does not exist: the output has {chunk_count} chunks")]
        ChunkOutOfRange { index: u64, chunk_count: u64 },

        #[error("the sender already has an open challenge on job {job_id}")]
        ChallengeAlreadyOpen { job_id: u64 },

        #[error("nothing on job {job_id} waits for a proof of chunk {index}")]
        NothingToAnswer { job_id: u64, index: u64 },

        #[error("Merkle proof rejected: {reason}")]
        InvalidProof { reason: String },

        #[error("the sender is not a dispute verifier of job {job_id}, or has voted")]
        NotDisputeVoter { job_id: u64 },

        #[error("the provider has not yet proved the disputed chunk of job {job_id}")]
        ProofPending { job_id: u64 },

        #[error("nothing on job {job_id} can be resolved yet")]
        NothingToResolve { job_id: u64 },

        #[error("no lease or deadline of job {job_id} has passed")]
        NothingToExpire { job_id: u64 },

        #[error("job {job_id} cannot be settled yet: {reason}")]
        NotSettleable { job_id: u64, reason: String },

        #[error("the AGPU token cannot change while {live} uagpu are escrowed")]
        EscrowLive { live: Uint128 },

        #[error("job {job_id} needs a lease of {needed} s but only {left} s remain before its deadline; it cannot be claimed")]
        DeadlineTooClose { job_id: u64, needed: u64, left: u64 },

        #[error("no provider could meet this deadline: the job's units need a lease of at least {needed} s but the deadline is {left} s away")]
        DeadlineUnmeetable { needed: u64, left: u64 },

        #[error(
            "the quote is {total} uagpu, below the market's minimum job price {min}; ask for more work"
        )]
        BelowMinPrice { total: Uint128, min: Uint128 },

        #[error("job {job_id}'s input is inline: the chain holds the very bytes the requester signed, so it cannot be reported bad")]
        InlineInputOnChain { job_id: u64 },

        #[error("the slot of job {job_id} locks no collateral, so a bad-input report would cost nothing: it is refused (governance sets collateral_rate)")]
        BadInputNeedsBond { job_id: u64 },

        #[error("job {job_id} has a bad-input report waiting for its judge")]
        BadInputPending { job_id: u64 },

        #[error("the bad-input judging window of job {job_id} closed at {deadline}; send Expire to settle the report")]
        BadInputWindowClosed { job_id: u64, deadline: Timestamp },

        #[error("job {job_id} has no pending bad-input report")]
        NoBadInputReport { job_id: u64 },

        #[error("only the drawn judge of job {job_id}'s bad-input report, or its requester conceding, may decide it")]
        NotBadInputJudge { job_id: u64 },

        #[error("the requester of job {job_id} may only concede a bad-input report (input_bad: true); the drawn judge rejects it")]
        RequesterMayOnlyConcede { job_id: u64 },

        #[error("the {what} of job {job_id} are not drawn yet: they wait for beacon reveal {draw_at}; call DrawVerifiers once it exists")]
        DrawPending {
            job_id: u64,
            what: String,
            draw_at: u64,
        },

        #[error("the {what} window of job {job_id} closed at {deadline}")]
        WindowClosed {
            job_id: u64,
            what: String,
            deadline: Timestamp,
        },

        #[error("at most {max} job ids per DrawVerifiers")]
        TooManyJobIds { max: usize },

        #[error("job {job_id}'s template does not chain its chunks (not Training); challenge a chunk with Challenge instead")]
        NotSequential { job_id: u64 },

        #[error("chunk data of {size} bytes is above the on-chain limit of {max} bytes")]
        DataTooLarge { size: u64, max: u64 },

        #[error("unexpected reply id {id}")]
        UnknownReply { id: u64 },

        #[error("job {job_id} is spot-checked with forced errors: its result must carry a decoy pair (see DecoyPair)")]
        DecoyRequired { job_id: u64 },

        #[error("job {job_id} has no forced-error pair to reveal, or it was revealed already")]
        NoDecoy { job_id: u64 },

        #[error("the salt and choice do not open job {job_id}'s forced-error commitment")]
        DecoyMismatch { job_id: u64 },

        #[error("job {job_id}'s forced-error pair cannot be revealed yet: {reason}")]
        RevealTooEarly { job_id: u64, reason: String },

        #[error("job {job_id} holds the most replica applicants ({max}); a bond above the smallest applicant's {smallest} displaces it")]
        ApplicantsFull {
            job_id: u64,
            max: u32,
            smallest: Uint128,
        },
    }
}
