//! Storage layout. Every list the contract serves is a `Map` keyed for that
//! lookup, kept in step with the provider record by [`save_provider`], so no
//! execute path ever scans.

use cosmwasm_std::{Addr, StdResult, Storage, Timestamp, Uint128};
use cw_storage_plus::{Item, Map};
use starminer_interfaces::registry::{
    BeaconEntry, Capacity, Challenge, Params, Provider, Role, UnbondingClaim,
};

/// Governance, token and the authorized contracts.
#[cosmwasm_schema::cw_serde]
pub struct Config {
    pub governance: Addr,
    pub agpu_token: Addr,
    pub authorized: Vec<Addr>,
}

pub const CONFIG: Item<Config> = Item::new("cfg");
pub const PARAMS: Item<Params> = Item::new("params");

/// Identity records by address.
pub const PROVIDERS: Map<&Addr, Provider> = Map::new("prov");
pub const PROVIDER_COUNT: Item<u64> = Item::new("prov_n");

/// Index: (zone, address) of every registered address.
pub const BY_ZONE: Map<(&str, &Addr), ()> = Map::new("by_zone");
/// Index: (tier, address) of every registered address.
pub const BY_TIER: Map<(u8, &Addr), ()> = Map::new("by_tier");
/// Index: (role, address) of the active `Provider` and `Validator` roles.
pub const BY_ROLE: Map<(u8, &Addr), ()> = Map::new("by_role");

/// The seated validator set with the stake each member counts with, by
/// address (the `Validators` query pages it).
pub const VALIDATORS: Map<&Addr, Uint128> = Map::new("vals");
pub const VALIDATOR_COUNT: Item<u32> = Item::new("vals_n");
pub const VALIDATOR_STAKE: Item<Uint128> = Item::new("vals_stake");
/// Seats by (stake, address): the first key is the smallest seat.
pub const SEATS: Map<(u128, &Addr), ()> = Map::new("seat_idx");
/// Eligible validators without a seat by (stake, address): the last key is
/// the best candidate.
pub const WAITING: Map<(u128, &Addr), ()> = Map::new("wait_idx");
/// When each seated validator took its seat (its duties run from then).
pub const SEATED_AT: Map<&Addr, Timestamp> = Map::new("seated_at");

/// Bond bookkeeping totals: the registry's AGPU balance equals their sum.
pub const TOTAL_BONDED: Item<Uint128> = Item::new("bonded");
pub const TOTAL_CLAIMS: Item<Uint128> = Item::new("claims_total");

/// Unbonding claims per address, at most `max_pending_claims` each.
pub const CLAIMS: Map<&Addr, Vec<UnbondingClaim>> = Map::new("claims");

/// Collateral per (provider, job id).
pub const LOCKS: Map<(&Addr, u64), Uint128> = Map::new("locks");

pub const ZONES: Map<&str, ()> = Map::new("zones");
/// Registered addresses per zone, so a zone in use cannot be removed.
pub const ZONE_USERS: Map<&str, u64> = Map::new("zone_n");

pub const ORACLES: Map<&Addr, ()> = Map::new("oracles");

/// Active provider capacity per (zone, tier).
pub const CAPACITY: Map<(&str, u8), Capacity> = Map::new("cap");
/// Active provider capacity per tier over all zones: what pricing reads as
/// each tier's supply, in O(1).
pub const TIER_CAPACITY: Map<u8, Capacity> = Map::new("tier_cap");

pub const CHALLENGES: Map<u64, Challenge> = Map::new("chal");
pub const NEXT_CHALLENGE_ID: Item<u64> = Item::new("chal_next");
/// The validator set (minus the provider) a submitted challenge draws its
/// verifiers from, fixed at submission; removed once the challenge is decided.
pub const BENCH_CANDIDATES: Map<u64, Vec<(Addr, Uint128)>> = Map::new("chal_cands");

/// The beacon's head: reveals so far and the current value.
#[cosmwasm_schema::cw_serde]
pub struct BeaconHead {
    pub seq: u64,
    /// Hex sha256.
    pub value: String,
    /// Seated validators whose anchor was set at this `seq` (fresh: not yet
    /// allowed to reveal while a validator with an older anchor could).
    #[serde(default)]
    pub fresh: u32,
}

pub const BEACON: Item<BeaconHead> = Item::new("beacon");
/// The value after every reveal (entry 0: the genesis value).
pub const BEACON_LOG: Map<u64, BeaconEntry> = Map::new("beacon_log");

/// One validator's hash chain and the clock of its reveal duty.
#[cosmwasm_schema::cw_serde]
pub struct BeaconDuty {
    /// Hex sha256 the next preimage must hash to.
    pub anchor: Option<String>,
    /// Beacon `seq` when the anchor was (re)set: the first reveal against it
    /// must mix a later value (see `execute::beacon`).
    pub anchor_seq: u64,
    pub anchor_set_at: Timestamp,
    pub last_reveal: Option<Timestamp>,
}

pub const BEACON_DUTIES: Map<&Addr, BeaconDuty> = Map::new("beacon_duty");

/// Seated validators that hold an anchor (caps `reveals_per_draw`).
pub const BEACON_ANCHORED: Item<u32> = Item::new("beacon_anchored");

/// How a validator's seat stake (its bond while seated, 0 without a seat)
/// changed, by beacon sequence: what draws seeded by a beacon value weigh it
/// with (`crate::snapshot`). At most [`crate::snapshot::MAX_STAKE_MARKS`]
/// marks, oldest first.
#[cosmwasm_schema::cw_serde]
#[derive(Default)]
pub struct StakeHistory {
    /// (head seq, seat stake before): the seat stake first changed while
    /// the beacon head was at `seq`, and was `before` until then. Sequences
    /// strictly increase.
    pub marks: Vec<(u64, Uint128)>,
    /// The largest sequence of a mark dropped to keep the bound: what the
    /// stake was before a value up to it was revealed is no longer known.
    #[serde(default)]
    pub pruned_to: Option<u64>,
}

/// Seat stake history per address that ever held a seat (written by
/// [`save_provider`] whenever the seat stake changes).
pub const STAKE_HISTORY: Map<&Addr, StakeHistory> = Map::new("stake_hist");

/// Writes a provider record and brings every index, counter and aggregate in
/// line with the change from `old` (None: new registration) to `new`.
pub fn save_provider(
    storage: &mut dyn Storage,
    old: Option<&Provider>,
    new: &Provider,
) -> StdResult<()> {
    let addr = &new.address;
    let pending = |p: &Provider| p.pending_zone.as_ref().map(|z| z.zone.clone());
    if old.map(pending) != Some(pending(new)) {
        if let Some(zone) = old.and_then(pending) {
            change_zone_users(storage, &zone, false)?;
        }
        if let Some(zone) = pending(new) {
            change_zone_users(storage, &zone, true)?;
        }
    }
    if let Some(old) = old {
        if old.zone != new.zone {
            BY_ZONE.remove(storage, (&old.zone, addr));
            change_zone_users(storage, &old.zone, false)?;
        }
        if old.tier != new.tier {
            BY_TIER.remove(storage, (old.tier, addr));
        }
        for role in [Role::Provider, Role::Validator] {
            if old.has_active_role(role) && !new.has_active_role(role) {
                BY_ROLE.remove(storage, (role.index_key(), addr));
            }
        }
        if old.has_active_role(Role::Provider) {
            change_capacity(storage, old, false)?;
        }
    }
    if old.is_none_or(|o| o.zone != new.zone) {
        BY_ZONE.save(storage, (&new.zone, addr), &())?;
        change_zone_users(storage, &new.zone, true)?;
    }
    if old.is_none_or(|o| o.tier != new.tier) {
        BY_TIER.save(storage, (new.tier, addr), &())?;
    }
    for role in [Role::Provider, Role::Validator] {
        if new.has_active_role(role) && !old.is_some_and(|o| o.has_active_role(role)) {
            BY_ROLE.save(storage, (role.index_key(), addr), &())?;
        }
    }
    if new.has_active_role(Role::Provider) {
        change_capacity(storage, new, true)?;
    }
    sync_validator_stake(storage, old, new)?;
    PROVIDERS.save(storage, addr, new)
}

fn change_zone_users(storage: &mut dyn Storage, zone: &str, add: bool) -> StdResult<()> {
    let n = ZONE_USERS.may_load(storage, zone)?.unwrap_or_default();
    let n = if add {
        n.checked_add(1)
    } else {
        n.checked_sub(1)
    }
    .ok_or_else(|| cosmwasm_std::StdError::generic_err("zone user count out of range"))?;
    if n == 0 {
        ZONE_USERS.remove(storage, zone);
        Ok(())
    } else {
        ZONE_USERS.save(storage, zone, &n)
    }
}

fn change_capacity(storage: &mut dyn Storage, p: &Provider, add: bool) -> StdResult<()> {
    let key = (p.zone.as_str(), p.tier);
    let cap = CAPACITY.may_load(storage, key)?.unwrap_or_default();
    match apply_capacity_delta(cap, p, add)? {
        Some(cap) => CAPACITY.save(storage, key, &cap)?,
        None => CAPACITY.remove(storage, key),
    }
    let tier_cap = TIER_CAPACITY.may_load(storage, p.tier)?.unwrap_or_default();
    match apply_capacity_delta(tier_cap, p, add)? {
        Some(cap) => TIER_CAPACITY.save(storage, p.tier, &cap),
        None => {
            TIER_CAPACITY.remove(storage, p.tier);
            Ok(())
        }
    }
}

/// Adds or removes one provider's hardware and verified score; `None` when
/// the aggregate is left without providers.
fn apply_capacity_delta(mut cap: Capacity, p: &Provider, add: bool) -> StdResult<Option<Capacity>> {
    let devices = u32::try_from(p.hardware.len())
        .map_err(|_| cosmwasm_std::StdError::generic_err("too many devices"))?;
    let units: u64 = p.hardware.iter().map(|d| u64::from(d.compute_units)).sum();
    let mem = p
        .hardware
        .iter()
        .try_fold(cosmwasm_std::Uint64::zero(), |acc, d| {
            acc.checked_add(d.global_mem_bytes)
        })?;
    let score = cosmwasm_std::Uint128::from(p.benchmark.verified_score);
    let overflow = || cosmwasm_std::StdError::generic_err("capacity counter out of range");
    if add {
        cap.providers = cap.providers.checked_add(1).ok_or_else(overflow)?;
        cap.devices = cap.devices.checked_add(devices).ok_or_else(overflow)?;
        cap.compute_units = cap.compute_units.checked_add(units).ok_or_else(overflow)?;
        cap.global_mem_bytes = cap.global_mem_bytes.checked_add(mem)?;
        cap.score_sum = cap.score_sum.checked_add(score)?;
    } else {
        cap.providers = cap.providers.checked_sub(1).ok_or_else(overflow)?;
        cap.devices = cap.devices.checked_sub(devices).ok_or_else(overflow)?;
        cap.compute_units = cap.compute_units.checked_sub(units).ok_or_else(overflow)?;
        cap.global_mem_bytes = cap.global_mem_bytes.checked_sub(mem)?;
        cap.score_sum = cap.score_sum.checked_sub(score)?;
    }
    Ok((cap.providers > 0).then_some(cap))
}

/// Whether `p` may hold a validator seat: it asked for the role, is not
/// jailed and its bond meets `min_validator_stake`.
pub fn validator_eligible(p: &Provider, params: &Params) -> bool {
    !p.is_jailed() && p.roles.contains(&Role::Validator) && p.bonded >= params.min_validator_stake
}

/// A validator counts with its whole bond (locked collateral included: it is
/// still at stake). Keeps the seat and waiting indexes in step: a seated
/// record is in `SEATS`, an eligible unseated one in `WAITING`, keyed by its
/// bond.
fn sync_validator_stake(
    storage: &mut dyn Storage,
    old: Option<&Provider>,
    new: &Provider,
) -> StdResult<()> {
    let was = old.is_some_and(|o| o.has_active_role(Role::Validator));
    let is = new.has_active_role(Role::Validator);
    let addr = &new.address;
    if let Some(old) = old {
        SEATS.remove(storage, (old.bonded.u128(), addr));
        WAITING.remove(storage, (old.bonded.u128(), addr));
    }
    if is {
        SEATS.save(storage, (new.bonded.u128(), addr), &())?;
    } else if new.roles.contains(&Role::Validator) {
        let params = PARAMS.load(storage)?;
        if validator_eligible(new, &params) {
            WAITING.save(storage, (new.bonded.u128(), addr), &())?;
        }
    }
    let old_stake = if was {
        old.map(|o| o.bonded).unwrap_or_default()
    } else {
        Uint128::zero()
    };
    let new_stake = if is { new.bonded } else { Uint128::zero() };
    if !was && !is {
        return Ok(());
    }
    if old_stake != new_stake {
        crate::snapshot::note_change(storage, addr, old_stake)?;
    }
    let total = VALIDATOR_STAKE.load(storage)?;
    VALIDATOR_STAKE.save(
        storage,
        &total.checked_sub(old_stake)?.checked_add(new_stake)?,
    )?;
    let count = VALIDATOR_COUNT.load(storage)?;
    match (was, is) {
        (false, true) => {
            VALIDATOR_COUNT.save(storage, &(count.saturating_add(1)))?;
            change_anchored(storage, &new.address, true)?;
        }
        (true, false) => {
            VALIDATOR_COUNT.save(storage, &(count.saturating_sub(1)))?;
            change_anchored(storage, &new.address, false)?;
            SEATED_AT.remove(storage, &new.address);
        }
        _ => {}
    }
    if is {
        VALIDATORS.save(storage, &new.address, &new_stake)
    } else {
        VALIDATORS.remove(storage, &new.address);
        Ok(())
    }
}

/// Keeps `BEACON_ANCHORED` (and the head's `fresh` count) in step when a
/// validator with an anchor gains or loses its seat.
fn change_anchored(storage: &mut dyn Storage, addr: &Addr, seated: bool) -> StdResult<()> {
    let Some(duty) = BEACON_DUTIES.may_load(storage, addr)? else {
        return Ok(());
    };
    if duty.anchor.is_none() {
        return Ok(());
    }
    let step = |n: u32| {
        if seated {
            n.saturating_add(1)
        } else {
            n.saturating_sub(1)
        }
    };
    let n = BEACON_ANCHORED.may_load(storage)?.unwrap_or_default();
    BEACON_ANCHORED.save(storage, &step(n))?;
    if let Some(mut head) = BEACON.may_load(storage)? {
        if head.seq == duty.anchor_seq {
            head.fresh = step(head.fresh);
            BEACON.save(storage, &head)?;
        }
    }
    Ok(())
}
