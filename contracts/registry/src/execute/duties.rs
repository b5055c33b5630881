//! Validator duties and what missing one costs: `ReportMissedBeacon` (a
//! seated validator silent for `beacon_grace`) and the drawn benchmark
//! verifiers that did not attest (see `benchmark`). A missed duty slashes
//! `missed_duty_slash` of the bond to the treasury, jails the validator for
//! `jail_duration` and so takes its seat, which the best waiting candidate
//! gets.

use cosmwasm_std::{Addr, DepsMut, Env, Event, MessageInfo, Response, Storage, WasmMsg};
use starminer_interfaces::registry::{Params, ProviderStatus};

use crate::error::ContractError;
use crate::execute::stake::{agpu_transfer, take_stake};
use crate::execute::{load_registered, store};
use crate::state::{BEACON_DUTIES, CONFIG, PARAMS, SEATED_AT, VALIDATORS};

/// What punishing one missed duty produced.
pub struct Punishment {
    pub messages: Vec<WasmMsg>,
    pub events: Vec<Event>,
}

/// Slashes `missed_duty_slash` of `addr`'s bond (free bond first, then
/// unmatured claims; never job locks) to the treasury and jails it.
pub fn punish(
    storage: &mut dyn Storage,
    env: &Env,
    params: &Params,
    addr: &Addr,
    duty: &str,
) -> Result<Punishment, ContractError> {
    let config = CONFIG.load(storage)?;
    let old = load_registered(storage, addr)?;
    let mut p = old.clone();
    let now = env.block.time;
    let amount = p.bonded.mul_floor(params.duties.missed_duty_slash);
    let taken = if amount.is_zero() {
        Default::default()
    } else {
        take_stake(storage, now, &mut p, None, amount)?
    };
    let slashed = taken.total()?;
    let mut until = now.plus_seconds(params.jail_duration);
    if let ProviderStatus::Jailed { until: already } = p.status {
        until = until.max(already);
    }
    p.status = ProviderStatus::Jailed { until };
    let mut events = vec![Event::new("missed_duty")
        .add_attribute("validator", addr.as_str())
        .add_attribute("duty", duty)
        .add_attribute("slashed", slashed)
        .add_attribute("jailed_until", until.seconds().to_string())];
    events.extend(store(storage, now, params, Some(&old), &mut p)?);
    let mut messages = Vec::new();
    if !slashed.is_zero() {
        messages.push(agpu_transfer(
            &config.agpu_token,
            &config.governance,
            slashed,
        )?);
    }
    Ok(Punishment { messages, events })
}

/// Anyone may report a seated validator whose last reveal (or seating, if
/// later) is more than `beacon_grace` seconds old.
pub fn execute_report_missed_beacon(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    validator: String,
) -> Result<Response, ContractError> {
    let addr = deps.api.addr_validate(&validator)?;
    if !VALIDATORS.has(deps.storage, &addr) {
        return Err(ContractError::NotSeated { address: validator });
    }
    let params = PARAMS.load(deps.storage)?;
    let seated_at = SEATED_AT
        .may_load(deps.storage, &addr)?
        .unwrap_or(env.block.time);
    let last_reveal = BEACON_DUTIES
        .may_load(deps.storage, &addr)?
        .and_then(|d| d.last_reveal);
    let since = last_reveal.map_or(seated_at, |r| r.max(seated_at));
    let due = since.plus_seconds(params.duties.beacon_grace);
    if env.block.time <= due {
        return Err(ContractError::DutyNotMissed { due });
    }
    let punishment = punish(deps.storage, &env, &params, &addr, "beacon")?;
    Ok(Response::new()
        .add_messages(punishment.messages)
        .add_events(punishment.events)
        .add_attribute("action", "report_missed_beacon")
        .add_attribute("validator", addr)
        .add_attribute("reporter", info.sender))
}
