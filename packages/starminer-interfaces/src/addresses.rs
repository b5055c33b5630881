//! Governance-set address lists (authorized contracts, reporters, oracles).
//! Every such list is short because execute paths read it: it is validated
//! once, repeats are dropped (first occurrence kept) and its length is capped.

use cosmwasm_std::{Addr, Api, StdError};

#[derive(Debug, PartialEq)]
pub enum AddressListError {
    /// More entries than the list allows.
    TooMany { max: usize },
    /// An entry is not a valid address of this chain.
    Invalid(StdError),
}

/// Validates `addrs`, drops repeats and refuses more than `max` entries.
pub fn validate_address_list(
    api: &dyn Api,
    addrs: &[String],
    max: usize,
) -> Result<Vec<Addr>, AddressListError> {
    if addrs.len() > max {
        return Err(AddressListError::TooMany { max });
    }
    let mut out: Vec<Addr> = Vec::with_capacity(addrs.len());
    for a in addrs {
        let addr = api.addr_validate(a).map_err(AddressListError::Invalid)?;
        if !out.contains(&addr) {
            out.push(addr);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use cosmwasm_std::testing::MockApi;

    #[test]
    fn repeats_are_dropped_and_the_cap_holds() {
        let api = MockApi::default();
        let a = api.addr_make("a").to_string();
        let b = api.addr_make("b").to_string();
        let list = validate_address_list(&api, &[a.clone(), b.clone(), a.clone()], 3).unwrap();
        assert_eq!(list, vec![Addr::unchecked(&a), Addr::unchecked(&b)]);
        assert_eq!(
            validate_address_list(&api, &[a.clone(), b, a], 2),
            Err(AddressListError::TooMany { max: 2 })
        );
        assert!(matches!(
            validate_address_list(&api, &["nope".to_string()], 2),
            Err(AddressListError::Invalid(_))
        ));
    }
}
