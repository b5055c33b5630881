//! Execute handlers, one module per subject, and the helpers they share:
//! access checks, messages to the token, registry, pricing and incentives,
//! and [`disburse`], the only place escrow leaves the contract.

pub mod admin;
pub mod claim;
pub mod decoy;
pub mod replicas;
pub mod result;
pub mod settle;
pub mod submit;
pub mod verify;

use cosmwasm_std::{
    from_json, to_json_binary, Addr, CosmosMsg, Env, Event, Reply, ReplyOn, Response, StdResult,
    Storage, SubMsgResponse, SubMsgResult, Uint128, WasmMsg,
};
use starminer_interfaces::incentives::ExecuteMsg as IncentivesMsg;
use starminer_interfaces::job_market::{Attestation, Job, JobStatus, Settlement};
use starminer_interfaces::registry::{ExecuteMsg as RegistryMsg, JobOutcome, SlashResult};

use crate::error::ContractError;
use crate::state::{log_event, Config, CONFIG, JOBS, PARAMS, TOTALS};

pub fn ensure_governance(storage: &dyn Storage, sender: &Addr) -> Result<Config, ContractError> {
    let config = CONFIG.load(storage)?;
    if config.governance != *sender {
        return Err(ContractError::NotGovernance {});
    }
    Ok(config)
}

pub fn load_job(storage: &dyn Storage, job_id: u64) -> Result<Job, ContractError> {
    JOBS.may_load(storage, job_id)?
        .ok_or(ContractError::UnknownJob { job_id })
}

pub fn status_name(status: &JobStatus) -> String {
    format!("{status:?}")
}

/// The verifiers that attested `job`'s result Valid.
pub fn valid_attesters(job: &Job) -> Vec<Addr> {
    job.verification
        .iter()
        .flat_map(|v| v.verifiers.iter())
        .filter(|e| e.attestation == Some(Attestation::Valid))
        .map(|e| e.address.clone())
        .collect()
}

pub fn wrong_status(job: &Job, expected: &str) -> ContractError {
    ContractError::WrongStatus {
        job_id: job.id,
        status: status_name(&job.status),
        expected: expected.to_string(),
    }
}

pub fn wasm_exec<T: cosmwasm_schema::serde::Serialize>(
    contract: &Addr,
    msg: &T,
) -> StdResult<CosmosMsg> {
    Ok(WasmMsg::Execute {
        contract_addr: contract.to_string(),
        msg: to_json_binary(msg)?,
        funds: vec![],
    }
    .into())
}

pub fn agpu_transfer(config: &Config, to: &Addr, amount: Uint128) -> StdResult<CosmosMsg> {
    wasm_exec(
        &config.agpu_token,
        &cw20::Cw20ExecuteMsg::Transfer {
            recipient: to.to_string(),
            amount,
        },
    )
}

pub fn registry_exec(config: &Config, msg: &RegistryMsg) -> StdResult<CosmosMsg> {
    wasm_exec(&config.registry, msg)
}

pub fn incentives_exec(config: &Config, msg: &IncentivesMsg) -> StdResult<CosmosMsg> {
    wasm_exec(&config.incentives, msg)
}

/// The registry lock of `amount` of `provider`'s bond for `job_id`; none
/// for a zero amount.
pub fn lock_msg(
    config: &Config,
    provider: &Addr,
    job_id: u64,
    amount: Uint128,
) -> StdResult<Option<CosmosMsg>> {
    if amount.is_zero() {
        return Ok(None);
    }
    registry_exec(
        config,
        &RegistryMsg::LockCollateral {
            provider: provider.to_string(),
            job_id,
            amount,
        },
    )
    .map(Some)
}

pub fn unlock_msg(config: &Config, provider: &Addr, job_id: u64) -> StdResult<CosmosMsg> {
    registry_exec(
        config,
        &RegistryMsg::UnlockCollateral {
            provider: provider.to_string(),
            job_id,
        },
    )
}

pub fn outcome_msg(config: &Config, provider: &Addr, outcome: JobOutcome) -> StdResult<CosmosMsg> {
    registry_exec(
        config,
        &RegistryMsg::RecordOutcome {
            provider: provider.to_string(),
            outcome,
        },
    )
}

/// A registry `Slash` of `amount` (none for zero). With `job_id` the
/// registry takes the job's locked collateral first. The market's `slashed`
/// total counts what the registry reports it took (see [`SLASH_REPLY_ID`]).
pub fn slash_msgs(
    _storage: &mut dyn Storage,
    config: &Config,
    offender: &Addr,
    job_id: Option<u64>,
    amount: Uint128,
    beneficiary: Option<&Addr>,
) -> StdResult<Vec<CosmosMsg>> {
    if amount.is_zero() {
        return Ok(vec![]);
    }
    Ok(vec![registry_exec(
        config,
        &RegistryMsg::Slash {
            provider: offender.to_string(),
            job_id,
            amount,
            beneficiary: beneficiary.map(|b| b.to_string()),
        },
    )?])
}

/// Reply id of every registry `Slash` the market sends.
pub const SLASH_REPLY_ID: u64 = 1;

/// Turns every registry `Slash` among a response's messages into a
/// submessage with `reply_on_success`, so that [`record_slash_reply`] can add
/// what the registry actually took (its `SlashResult`) to the totals. Done
/// once, at the entry point, for every handler's response.
pub fn with_slash_replies(registry: &Addr, mut response: Response) -> Response {
    for sub in response.messages.iter_mut() {
        let is_slash = match &sub.msg {
            CosmosMsg::Wasm(WasmMsg::Execute {
                contract_addr, msg, ..
            }) if contract_addr == registry.as_str() => {
                // The market serialized this message itself (slash_msgs):
                // a Slash is the JSON object whose only key is "slash".
                // Matching the prefix instead of parsing keeps the registry's
                // message parser (about 30 KB) out of the contract.
                msg.as_slice().starts_with(b"{\"slash\":")
            }
            _ => false,
        };
        if is_slash && sub.reply_on == ReplyOn::Never {
            sub.reply_on = ReplyOn::Success;
            sub.id = SLASH_REPLY_ID;
        }
    }
    response
}

/// The registry's `SlashResult` from a slash reply (protobuf-wrapped
/// `MsgExecuteContractResponse` data, as wasmd and cw-multi-test send it, or
/// raw JSON); None when the registry sent no data.
pub fn slash_taken(result: &SubMsgResponse) -> Option<Uint128> {
    #[allow(deprecated)]
    let raw = result
        .msg_responses
        .first()
        .map(|r| r.value.clone())
        .or_else(|| result.data.clone())?;
    let inner = match cw_utils::parse_execute_response_data(raw.as_slice()) {
        Ok(parsed) => parsed.data?,
        Err(_) => raw,
    };
    from_json::<SlashResult>(&inner).ok().map(|r| r.taken)
}

/// Adds a slash's `taken` to the market's totals.
pub fn record_slash_reply(
    storage: &mut dyn Storage,
    reply: Reply,
) -> Result<Response, ContractError> {
    if reply.id != SLASH_REPLY_ID {
        return Err(ContractError::UnknownReply { id: reply.id });
    }
    let taken = match &reply.result {
        SubMsgResult::Ok(resp) => slash_taken(resp).unwrap_or_default(),
        SubMsgResult::Err(_) => Uint128::zero(),
    };
    TOTALS.update(storage, |mut t| -> StdResult<_> {
        t.slashed = t.slashed.checked_add(taken)?;
        Ok(t)
    })?;
    Ok(Response::new()
        .add_attribute("action", "slash_recorded")
        .add_attribute("taken", taken))
}

/// Where a finished job's escrow goes; whatever is not listed is refunded
/// to the requester.
#[derive(Default)]
pub struct Disbursement {
    pub providers: Vec<(Addr, Uint128)>,
    pub verifiers: Vec<(Addr, Uint128)>,
    pub protocol_fee: Uint128,
    pub bad_input_fee: Option<(Addr, Uint128)>,
}

/// Empties the job's escrow: pays `d`, refunds the rest to the requester,
/// records the split on the job and in the totals. Fails (reverting the
/// whole transaction) if `d` asks for more than the escrow, so no call can
/// pay out money the job did not bring.
pub fn disburse(
    storage: &mut dyn Storage,
    config: &Config,
    job: &mut Job,
    d: Disbursement,
) -> Result<Vec<CosmosMsg>, ContractError> {
    let sum = |v: &[(Addr, Uint128)]| -> Result<Uint128, ContractError> {
        v.iter()
            .try_fold(Uint128::zero(), |acc, (_, a)| Ok(acc.checked_add(*a)?))
    };
    let providers = sum(&d.providers)?;
    let verifiers = sum(&d.verifiers)?;
    let bad_input = d
        .bad_input_fee
        .as_ref()
        .map(|(_, a)| *a)
        .unwrap_or_default();
    let spent = providers
        .checked_add(verifiers)?
        .checked_add(d.protocol_fee)?
        .checked_add(bad_input)?;
    let refund = job.escrow.checked_sub(spent)?;

    let mut msgs = Vec::new();
    let mut pay = |to: &Addr, amount: Uint128| -> StdResult<()> {
        if !amount.is_zero() {
            msgs.push(agpu_transfer(config, to, amount)?);
        }
        Ok(())
    };
    for (to, amount) in d.providers.iter().chain(d.verifiers.iter()) {
        pay(to, *amount)?;
    }
    if let Some((to, amount)) = &d.bad_input_fee {
        pay(to, *amount)?;
    }
    pay(&config.governance, d.protocol_fee)?;
    pay(&job.requester, refund)?;

    TOTALS.update(storage, |mut t| -> Result<_, ContractError> {
        t.live_escrow = t.live_escrow.checked_sub(job.escrow)?;
        t.provider_payouts = t.provider_payouts.checked_add(providers)?;
        t.verifier_fees = t.verifier_fees.checked_add(verifiers)?;
        t.protocol_fees = t.protocol_fees.checked_add(d.protocol_fee)?;
        t.bad_input_fees = t.bad_input_fees.checked_add(bad_input)?;
        t.refunded = t.refunded.checked_add(refund)?;
        Ok(t)
    })?;
    job.escrow = Uint128::zero();
    job.settlement = Some(Settlement {
        provider_payouts: providers,
        verifier_fees: verifiers,
        protocol_fee: d.protocol_fee,
        bad_input_fee: bad_input,
        refund,
    });
    Ok(msgs)
}

/// Appends to the job's log with the market's history bound.
pub fn event(
    storage: &mut dyn Storage,
    env: &Env,
    job: &Job,
    action: &str,
    actor: Option<&Addr>,
    detail: String,
) -> Result<Event, ContractError> {
    let max_history = PARAMS.load(storage)?.limits.max_history;
    Ok(log_event(
        storage,
        env,
        max_history,
        job,
        action,
        actor,
        detail,
    )?)
}
