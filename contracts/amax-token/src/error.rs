starminer_contract_kit::contract_error! {
    pub enum ContractError {
        #[error("{0}")]
        Base(#[from] cw20_base::ContractError),

        #[error("AMAX needs a non-zero initial supply: it can never be minted later")]
        EmptySupply {},

        #[error("AMAX has a fixed supply: nothing can be minted")]
        FixedSupply {},
    }
}
