//! Unbonding claims: stake that left a bond (AMAX in governance, AGPU in the
//! registry) and is paid out once its unbonding period has passed. Both
//! contracts keep a short, capped list of claims per address and pay the
//! matured ones with the same rule, defined here once.

use cosmwasm_schema::cw_serde;
use cosmwasm_std::{StdResult, Timestamp, Uint128};

#[cw_serde]
pub struct UnbondingClaim {
    pub amount: Uint128,
    pub release_at: Timestamp,
}

/// Splits an address's claims at `now`: returns the total that has matured
/// (release time reached) and the claims still pending, in their order.
pub fn take_matured(
    claims: Vec<UnbondingClaim>,
    now: Timestamp,
) -> StdResult<(Uint128, Vec<UnbondingClaim>)> {
    let (matured, pending): (Vec<_>, Vec<_>) =
        claims.into_iter().partition(|c| c.release_at <= now);
    let amount = matured
        .iter()
        .try_fold(Uint128::zero(), |acc, c| acc.checked_add(c.amount))?;
    Ok((amount, pending))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claim(amount: u128, at: u64) -> UnbondingClaim {
        UnbondingClaim {
            amount: Uint128::new(amount),
            release_at: Timestamp::from_seconds(at),
        }
    }

    #[test]
    fn matured_claims_are_summed_and_the_rest_kept_in_order() {
        let claims = vec![claim(5, 10), claim(7, 30), claim(1, 20), claim(2, 40)];
        let (amount, pending) = take_matured(claims, Timestamp::from_seconds(20)).unwrap();
        assert_eq!(amount, Uint128::new(6));
        assert_eq!(pending, vec![claim(7, 30), claim(2, 40)]);
        let (none, all) = take_matured(pending, Timestamp::from_seconds(29)).unwrap();
        assert!(none.is_zero());
        assert_eq!(all.len(), 2);
    }

    #[test]
    fn overflow_is_an_error() {
        let claims = vec![claim(u128::MAX, 1), claim(1, 1)];
        assert!(take_matured(claims, Timestamp::from_seconds(1)).is_err());
    }
}
