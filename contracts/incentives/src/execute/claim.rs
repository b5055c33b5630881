//! `Claim`: mints the sender's rewards of closed epochs, oldest first, at
//! most `max_epochs_per_claim` epochs per call.

use cosmwasm_std::{
    to_json_binary, Addr, DepsMut, Env, MessageInfo, Order, Response, StdResult, Storage, Uint128,
    WasmMsg,
};
use cw20::Cw20ExecuteMsg;
use cw_storage_plus::Bound;

use crate::emission::{bounded, share, Pools};
use crate::error::ContractError;
use crate::execute::{current_epoch, mint_room};
use crate::state::{
    EpochState, Weights, CLAIMED, CONFIG, EPOCHS, MINTED, PARAMS, RESERVED, WEIGHTS,
};

/// The oldest closed epochs in which `addr` holds unclaimed weight: at most
/// `max` of them, and whether more wait behind.
pub fn claimable_epochs(
    storage: &dyn Storage,
    addr: &Addr,
    current_epoch: u64,
    max: u32,
) -> StdResult<(Vec<(u64, Weights)>, bool)> {
    let max = max as usize;
    let mut entries = WEIGHTS
        .prefix(addr)
        .range(
            storage,
            None,
            Some(Bound::exclusive(current_epoch)),
            Order::Ascending,
        )
        .take(max + 1)
        .collect::<StdResult<Vec<_>>>()?;
    let more = entries.len() > max;
    entries.truncate(max);
    Ok((entries, more))
}

/// The pools of a closed epoch (its weights are final).
pub fn epoch_pools(state: &EpochState) -> Pools {
    Pools::split(
        state.allocation,
        state.verifier_share,
        state.provider_weight,
        state.verifier_weight,
    )
}

/// What the address is paid from a closed epoch, and its share before the
/// fee bound: on each side `floor(pool · w / W)`, capped at
/// `floor(credit · fee_bound)` (uncapped for epochs allocated before the
/// bound existed). The difference is forfeited: never minted.
pub struct EpochReward {
    pub reward: Uint128,
    pub share: Uint128,
}

pub fn epoch_reward(state: &EpochState, weights: &Weights) -> EpochReward {
    let pools = epoch_pools(state);
    let provider = share(pools.provider, (weights.provider, state.provider_weight));
    let verifier = share(pools.verifier, (weights.verifier, state.verifier_weight));
    let reward = bounded(provider, weights.provider_credit, state.fee_bound)
        + bounded(verifier, weights.verifier_credit, state.fee_bound);
    EpochReward {
        reward,
        share: provider + verifier,
    }
}

pub fn execute_claim(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
) -> Result<Response, ContractError> {
    let claimant_addr = info.sender;
    // With minting off nothing could be paid: refuse before touching the
    // weights, which stay claimable once a minter is appointed.
    let token = CONFIG.load(deps.storage)?.agpu_token;
    let Some(room) = mint_room(&deps.querier, &token)? else {
        return Err(ContractError::MintingDisabled {});
    };
    let epoch_now = current_epoch(deps.storage, &env)?;
    let max = PARAMS.load(deps.storage)?.max_epochs_per_claim;
    let (entries, more) = claimable_epochs(deps.storage, &claimant_addr, epoch_now, max)?;
    if entries.is_empty() {
        return Err(ContractError::NothingToClaim {
            address: claimant_addr.to_string(),
        });
    }

    let mut reserved = RESERVED.load(deps.storage)?;
    let mut total = Uint128::zero();
    let mut forfeited = Uint128::zero();
    let mut settled_epochs = Vec::with_capacity(entries.len());
    for (epoch, weights) in &entries {
        let mut state = EPOCHS.load(deps.storage, *epoch)?;
        if !state.settled {
            // The epoch is closed: its weights are final, so the part of the
            // allocation that no weight can claim goes back to the cap.
            let unclaimable = state.allocation.checked_sub(epoch_pools(&state).total())?;
            reserved = reserved.checked_sub(unclaimable)?;
            state.settled = true;
        }
        let EpochReward { reward, share } = epoch_reward(&state, weights);
        let forfeit = share.checked_sub(reward)?;
        state.claimed = state.claimed.checked_add(reward)?;
        state.forfeited = state.forfeited.checked_add(forfeit)?;
        if state.claimed.checked_add(state.forfeited)? > epoch_pools(&state).total() {
            return Err(ContractError::Accounting { amount: share });
        }
        // Both the reward and the forfeited rest leave the reservation: the
        // rest goes back under the cap, unminted.
        reserved = reserved
            .checked_sub(share)
            .map_err(|_| ContractError::Accounting { amount: share })?;
        total = total.checked_add(reward)?;
        forfeited = forfeited.checked_add(forfeit)?;
        EPOCHS.save(deps.storage, *epoch, &state)?;
        WEIGHTS.remove(deps.storage, (&claimant_addr, *epoch));
        settled_epochs.push(epoch.to_string());
    }
    RESERVED.save(deps.storage, &reserved)?;
    let claimed = CLAIMED.load(deps.storage)?.checked_add(total)?;
    CLAIMED.save(deps.storage, &claimed)?;

    // Reservations keep allocations within the cap; another minter could
    // still have eaten into it, so clip to what the token accepts.
    let minted = total.min(room);
    let minted_total = MINTED.load(deps.storage)?.checked_add(minted)?;
    MINTED.save(deps.storage, &minted_total)?;

    let mut response = Response::new()
        .add_attribute("action", "claim")
        .add_attribute("claimant", &claimant_addr)
        .add_attribute("epochs", settled_epochs.join(","))
        .add_attribute("reward", total)
        .add_attribute("forfeited", forfeited)
        .add_attribute("minted", minted)
        .add_attribute("more", more.to_string());
    if !minted.is_zero() {
        response = response.add_message(WasmMsg::Execute {
            contract_addr: token.into_string(),
            msg: to_json_binary(&Cw20ExecuteMsg::Mint {
                recipient: claimant_addr.into_string(),
                amount: minted,
            })?,
            funds: vec![],
        });
    }
    Ok(response)
}
