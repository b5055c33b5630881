use cosmwasm_std::Uint128;

starminer_contract_kit::contract_error! {
    pub enum ContractError {
        #[error("{0}")]
        Base(#[from] cw20_base::ContractError),

        #[error("only the current minter or governance may change the minter")]
        UnauthorizedMinterChange {},

        #[error("AGPU needs a positive supply cap")]
        ZeroCap {},

        #[error("initial balances total {initial} uagpu, above the cap of {cap} uagpu")]
        InitialSupplyAboveCap { initial: Uint128, cap: Uint128 },
    }
}
