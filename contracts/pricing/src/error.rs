starminer_contract_kit::contract_error! {
    pub enum ContractError {
        #[error("only governance may do this")]
        NotGovernance {},

        #[error("only a reporter contract (the job market) may record demand")]
        NotReporter {},

        #[error("at most {max} reporters may be set")]
        TooManyReporters { max: usize },

        #[error("tier {tier} does not exist: tiers are 1 to 4")]
        InvalidTier { tier: u8 },

        #[error("units must be positive")]
        ZeroUnits {},

        #[error(
            "verification mode needs at least one verifier (SpotCheck) or one replica (Replicated)"
        )]
        InvalidVerification {},

        #[error("the price of this job does not fit in 128 bits; ask for fewer units")]
        PriceOverflow {},

        #[error("the registry could not report the capacity of tier {tier}: {reason}")]
        SupplyQuery { tier: u8, reason: String },

        #[error("invalid parameters: {reason}")]
        InvalidParams { reason: String },
    }
}
