//! Instantiation and parameter changes (the latter only through proposals).

use cosmwasm_std::{Addr, Api, Decimal, DepsMut, Env, MessageInfo, Response, Uint128};
use starminer_interfaces::governance::{
    GovernanceParams, InstantiateMsg, MAX_MESSAGES_LIMIT, MAX_TREASURY_CW20S,
};

use crate::error::ContractError;
use crate::state::{Config, CONFIG, HELD_DEPOSITS, PROPOSAL_COUNT, TOTAL_STAKED, TOTAL_UNBONDING};

fn validate_fraction(name: &str, value: Decimal) -> Result<(), ContractError> {
    if value.is_zero() || value > Decimal::one() {
        return Err(ContractError::FractionOutOfRange {
            name: name.to_string(),
            value,
        });
    }
    Ok(())
}

pub fn validate_params(params: &GovernanceParams) -> Result<(), ContractError> {
    validate_fraction("quorum", params.quorum)?;
    validate_fraction("threshold", params.threshold)?;
    validate_fraction("veto_threshold", params.veto_threshold)?;
    if params.voting_period == 0 {
        return Err(ContractError::ZeroVotingPeriod {});
    }
    if params.min_deposit.is_zero() {
        return Err(ContractError::ZeroMinDeposit {});
    }
    if params.max_messages == 0 || params.max_messages > MAX_MESSAGES_LIMIT {
        return Err(ContractError::MaxMessagesOutOfRange {
            value: params.max_messages,
            max: MAX_MESSAGES_LIMIT,
        });
    }
    Ok(())
}

/// Validates the treasury's cw20 list: bounded, no duplicates, not AMAX.
fn validate_treasury_cw20s(
    api: &dyn Api,
    amax_token: &Addr,
    tokens: &[String],
) -> Result<Vec<Addr>, ContractError> {
    if tokens.len() > MAX_TREASURY_CW20S {
        return Err(ContractError::TooManyTreasuryTokens {
            count: tokens.len(),
            max: MAX_TREASURY_CW20S,
        });
    }
    let mut out: Vec<Addr> = Vec::with_capacity(tokens.len());
    for token in tokens {
        let token_addr = api.addr_validate(token)?;
        if token_addr == *amax_token || out.contains(&token_addr) {
            return Err(ContractError::DuplicateTreasuryToken {
                token: token_addr.into_string(),
            });
        }
        out.push(token_addr);
    }
    Ok(out)
}

pub fn instantiate(
    deps: DepsMut,
    env: Env,
    msg: InstantiateMsg,
) -> Result<Response, ContractError> {
    let amax_token_addr = deps.api.addr_validate(&msg.amax_token)?;
    validate_params(&msg.params)?;
    let treasury_cw20s = validate_treasury_cw20s(deps.api, &amax_token_addr, &msg.treasury_cw20s)?;
    CONFIG.save(
        deps.storage,
        &Config {
            amax_token: amax_token_addr.clone(),
            params: msg.params,
            treasury_cw20s,
        },
    )?;
    TOTAL_STAKED.save(deps.storage, &Uint128::zero(), env.block.height)?;
    TOTAL_UNBONDING.save(deps.storage, &Uint128::zero())?;
    HELD_DEPOSITS.save(deps.storage, &Uint128::zero())?;
    PROPOSAL_COUNT.save(deps.storage, &0)?;
    Ok(Response::new()
        .add_attribute("action", "instantiate")
        .add_attribute("amax_token", amax_token_addr))
}

/// Fields of `ExecuteMsg::UpdateConfig`; `None` keeps the current value.
pub struct ConfigUpdate {
    pub quorum: Option<Decimal>,
    pub threshold: Option<Decimal>,
    pub veto_threshold: Option<Decimal>,
    pub voting_period: Option<u64>,
    pub timelock: Option<u64>,
    pub unbonding_period: Option<u64>,
    pub min_deposit: Option<Uint128>,
    pub max_messages: Option<u32>,
    pub treasury_cw20s: Option<Vec<String>>,
}

pub fn execute_update_config(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    update: ConfigUpdate,
) -> Result<Response, ContractError> {
    if info.sender != env.contract.address {
        return Err(ContractError::Unauthorized {});
    }
    let mut config = CONFIG.load(deps.storage)?;
    let p = &mut config.params;
    p.quorum = update.quorum.unwrap_or(p.quorum);
    p.threshold = update.threshold.unwrap_or(p.threshold);
    p.veto_threshold = update.veto_threshold.unwrap_or(p.veto_threshold);
    p.voting_period = update.voting_period.unwrap_or(p.voting_period);
    p.timelock = update.timelock.unwrap_or(p.timelock);
    p.unbonding_period = update.unbonding_period.unwrap_or(p.unbonding_period);
    p.min_deposit = update.min_deposit.unwrap_or(p.min_deposit);
    p.max_messages = update.max_messages.unwrap_or(p.max_messages);
    validate_params(&config.params)?;
    if let Some(tokens) = update.treasury_cw20s {
        config.treasury_cw20s = validate_treasury_cw20s(deps.api, &config.amax_token, &tokens)?;
    }
    CONFIG.save(deps.storage, &config)?;
    let p = &config.params;
    Ok(Response::new()
        .add_attribute("action", "update_config")
        .add_attribute("quorum", p.quorum.to_string())
        .add_attribute("threshold", p.threshold.to_string())
        .add_attribute("veto_threshold", p.veto_threshold.to_string())
        .add_attribute("voting_period", p.voting_period.to_string())
        .add_attribute("timelock", p.timelock.to_string())
        .add_attribute("unbonding_period", p.unbonding_period.to_string())
        .add_attribute("min_deposit", p.min_deposit)
        .add_attribute("max_messages", p.max_messages.to_string())
        .add_attribute("treasury_cw20s", config.treasury_cw20s.len().to_string()))
}
