//! The validator set: the top `max_validators` eligible validators by bond.
//!
//! Two indexes keyed by (bond, address) keep it without scans: `SEATS`
//! (first key: the smallest seat) and `WAITING` (last key: the best
//! candidate). After every record change [`rebalance`] restores the
//! invariant in a bounded number of steps: a free seat goes to the best
//! candidate; a candidate with a strictly larger bond than the smallest seat
//! takes that seat (ties keep the incumbent), and the displaced validator
//! waits. A seat is never given "first come, first served".

use cosmwasm_std::{Addr, Event, Order, Storage, Timestamp};
use starminer_interfaces::registry::{Params, Provider, Role};

use crate::error::ContractError;
use crate::state::{
    save_provider, validator_eligible, PROVIDERS, SEATED_AT, SEATS, VALIDATOR_COUNT, WAITING,
};

pub fn seated_event(p: &Provider, reason: &str) -> Event {
    Event::new("validator_seated")
        .add_attribute("validator", p.address.as_str())
        .add_attribute("stake", p.bonded)
        .add_attribute("reason", reason)
}

pub fn unseated_event(p: &Provider, reason: &str) -> Event {
    Event::new("validator_unseated")
        .add_attribute("validator", p.address.as_str())
        .add_attribute("stake", p.bonded)
        .add_attribute("reason", reason)
}

fn smallest_seat(storage: &dyn Storage) -> Result<Option<(u128, Addr)>, ContractError> {
    Ok(SEATS
        .keys(storage, None, None, Order::Ascending)
        .next()
        .transpose()?)
}

fn best_candidate(storage: &dyn Storage) -> Result<Option<(u128, Addr)>, ContractError> {
    Ok(WAITING
        .keys(storage, None, None, Order::Descending)
        .next()
        .transpose()?)
}

fn seat(storage: &mut dyn Storage, now: Timestamp, addr: &Addr) -> Result<Event, ContractError> {
    let old = PROVIDERS.load(storage, addr)?;
    let mut p = old.clone();
    p.active_roles.push(Role::Validator);
    p.active_roles.sort();
    save_provider(storage, Some(&old), &p)?;
    SEATED_AT.save(storage, addr, &now)?;
    Ok(seated_event(&p, "top stake"))
}

/// Takes `addr`'s seat; it waits if still eligible.
pub fn unseat(
    storage: &mut dyn Storage,
    addr: &Addr,
    reason: &str,
) -> Result<Event, ContractError> {
    let old = PROVIDERS.load(storage, addr)?;
    let mut p = old.clone();
    p.active_roles.retain(|r| *r != Role::Validator);
    save_provider(storage, Some(&old), &p)?;
    Ok(unseated_event(&p, reason))
}

/// Restores the seat invariant in at most `max_steps` seat changes: drops
/// the smallest seats while the set is larger than `max_validators`, fills
/// free seats from the best candidates, and lets a candidate with a larger
/// bond displace the smallest seat. A waiting entry that is no longer
/// eligible (a parameter changed since it was written) is dropped and counts
/// as a step.
pub fn rebalance(
    storage: &mut dyn Storage,
    now: Timestamp,
    params: &Params,
    max_steps: u32,
) -> Result<Vec<Event>, ContractError> {
    let mut events = Vec::new();
    for _ in 0..max_steps {
        let count = VALIDATOR_COUNT.load(storage)?;
        if count > params.max_validators {
            match smallest_seat(storage)? {
                Some((_, addr)) => events.push(unseat(storage, &addr, "max_validators lowered")?),
                None => break,
            }
            continue;
        }
        let Some((stake, addr)) = best_candidate(storage)? else {
            break;
        };
        let candidate = PROVIDERS.load(storage, &addr)?;
        if !validator_eligible(&candidate, params) || candidate.bonded.u128() != stake {
            WAITING.remove(storage, (stake, &addr));
            continue;
        }
        if count < params.max_validators {
            events.push(seat(storage, now, &addr)?);
            continue;
        }
        match smallest_seat(storage)? {
            Some((smallest, holder)) if stake > smallest => {
                events.push(unseat(storage, &holder, "displaced by a larger bond")?);
                events.push(seat(storage, now, &addr)?);
            }
            _ => break,
        }
    }
    Ok(events)
}
