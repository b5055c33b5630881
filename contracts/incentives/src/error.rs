use cosmwasm_std::Uint128;

starminer_contract_kit::contract_error! {
    pub enum ContractError {
        #[error("only governance may do this")]
        NotGovernance {},

        #[error("only a reporter contract (the job market) may record work and attestations")]
        NotReporter {},

        #[error("at most {max} reporters may be set")]
        TooManyReporters { max: usize },

        #[error("units must be positive")]
        ZeroUnits {},

        #[error("{address} is not a registered provider; the registry has no reputation for it")]
        UnknownProvider { address: String },

        #[error("nothing to claim: no closed epoch holds work or attestations of {address}")]
        NothingToClaim { address: String },

        #[error("the AGPU token refused to report its cap and supply: {reason}")]
        TokenQuery { reason: String },

        #[error("reward of {amount} uagpu does not fit the accounting; report this")]
        Accounting { amount: Uint128 },

        #[error(
            "epoch_length is fixed at instantiation ({current} s): epochs already recorded would move"
        )]
        EpochLengthFixed { current: u64 },

        #[error(
            "minting is off (the AGPU token has no minter): nothing can be paid now; your rewards stay claimable, claim again once governance appoints this contract as the minter"
        )]
        MintingDisabled {},

        #[error("a settlement names at most {max} verifiers")]
        TooManyVerifiers { max: usize },

        #[error("invalid parameters: {reason}")]
        InvalidParams { reason: String },
    }
}
