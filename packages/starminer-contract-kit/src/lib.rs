//! What every StarMiner contract does the same way, written once:
//!
//! - [`migrate_version`]: the cw2 guard a migration starts with, and the
//!   response attributes it reports;
//! - [`release_matured`]: paying out an address's matured unbonding claims;
//! - [`Paginated`]: one page of a `Map` or `Prefix` range after
//!   `start_after`, by the page-size rule of
//!   [`starminer_interfaces::pagination`];
//! - [`contract_error!`]: a contract's error enum with the variants all of
//!   them share (std, overflow, payment and migration failures);
//! - [`write_schema!`]: the `schema` binary of a contract.
//!
//! Contract-side only: off-chain code reads the same messages through
//! `starminer-interfaces`.

mod paging;

pub use paging::Paginated;

pub use claims::release_matured;

mod claims {
    use cosmwasm_std::{Addr, StdResult, Storage, Timestamp, Uint128};
    use cw_storage_plus::Map;
    use starminer_interfaces::claims::{take_matured, UnbondingClaim};

    /// Takes `addr`'s claims that have matured at `now` out of `claims`
    /// (the entry goes once none is pending) and returns their total, for
    /// the caller to pay. Zero, with the claims untouched, when none has
    /// matured.
    pub fn release_matured(
        storage: &mut dyn Storage,
        claims: &Map<&Addr, Vec<UnbondingClaim>>,
        addr: &Addr,
        now: Timestamp,
    ) -> StdResult<Uint128> {
        let held = claims.may_load(storage, addr)?.unwrap_or_default();
        let (amount, pending) = take_matured(held, now)?;
        if amount.is_zero() {
            return Ok(amount);
        }
        if pending.is_empty() {
            claims.remove(storage, addr);
        } else {
            claims.save(storage, addr, &pending)?;
        }
        Ok(amount)
    }
}

#[doc(hidden)]
pub use {cosmwasm_std as __std, cw_utils as __cw_utils};

use cosmwasm_std::{Response, Storage};

/// The guard every migration starts with: the stored contract must be
/// `name` at a version below `version`, which is then recorded. Returns the
/// response with the `migrate` action and both versions; on failure, the
/// reason, for the contract's `Migration` error.
pub fn migrate_version(
    storage: &mut dyn Storage,
    name: &str,
    version: &str,
) -> Result<Response, String> {
    let from = cw2::ensure_from_older_version(storage, name, version).map_err(|e| e.to_string())?;
    Ok(Response::new()
        .add_attribute("action", "migrate")
        .add_attribute("from_version", from.to_string())
        .add_attribute("to_version", version))
}

/// Declares a contract's `ContractError` with the variants every StarMiner
/// contract shares: `Std`, `Overflow` and `Payment` before its own (each
/// `From` its cosmwasm or cw-utils error, shown as it is) and
/// `Migration(reason)` ("cannot migrate: …") after them. The calling crate
/// needs `thiserror`.
#[macro_export]
macro_rules! contract_error {
    (
        $(#[$meta:meta])*
        pub enum $name:ident { $($own:tt)* }
    ) => {
        $(#[$meta])*
        #[derive(::thiserror::Error, Debug, PartialEq)]
        pub enum $name {
            #[error("{0}")]
            Std(#[from] $crate::__std::StdError),

            #[error("{0}")]
            Overflow(#[from] $crate::__std::OverflowError),

            #[error("{0}")]
            Payment(#[from] $crate::__cw_utils::PaymentError),

            $($own)*

            #[error("cannot migrate: {0}")]
            Migration(String),
        }
    };
}

/// The body of a contract's `schema` binary: writes the JSON schema of the
/// instantiate, execute, query and migrate messages of the interface module
/// given (`starminer_interfaces::pricing`) into `./schema`, and with
/// `receive` also its cw20 hook `ReceiveMsg` as `schema/raw/receive_msg.json`
/// (write_api! has no slot for it). Expands in the binary's crate, so the
/// schema carries that contract's name and version; the crate needs
/// `cosmwasm-schema`.
#[macro_export]
macro_rules! write_schema {
    ($($module:ident)::+) => {
        ::cosmwasm_schema::write_api! {
            instantiate: $($module)::+::InstantiateMsg,
            execute: $($module)::+::ExecuteMsg,
            query: $($module)::+::QueryMsg,
            migrate: $($module)::+::MigrateMsg,
        }
    };
    ($($module:ident)::+, receive) => {
        $crate::write_schema!($($module)::+);
        ::cosmwasm_schema::export_schema(
            &::cosmwasm_schema::schema_for!($($module)::+::ReceiveMsg),
            ::std::path::Path::new("schema/raw"),
        );
    };
}

#[cfg(test)]
mod tests {
    use cosmwasm_std::testing::MockStorage;

    use super::*;

    fn attr(response: &Response, key: &str) -> String {
        response
            .attributes
            .iter()
            .find(|a| a.key == key)
            .map(|a| a.value.clone())
            .unwrap()
    }

    #[test]
    fn migrate_version_records_and_reports_the_step() {
        let mut storage = MockStorage::new();
        cw2::set_contract_version(&mut storage, "crates.io:c", "0.1.0").unwrap();
        let response = migrate_version(&mut storage, "crates.io:c", "0.2.0").unwrap();
        assert_eq!(attr(&response, "action"), "migrate");
        assert_eq!(attr(&response, "from_version"), "0.1.0");
        assert_eq!(attr(&response, "to_version"), "0.2.0");
        assert_eq!(
            cw2::get_contract_version(&storage).unwrap().version,
            "0.2.0"
        );
    }

    #[test]
    fn migrate_version_refuses_a_downgrade_and_another_contract() {
        let mut storage = MockStorage::new();
        cw2::set_contract_version(&mut storage, "crates.io:c", "0.3.0").unwrap();
        let downgrade = migrate_version(&mut storage, "crates.io:c", "0.2.0").unwrap_err();
        assert!(
            downgrade.contains("Cannot migrate from newer version"),
            "{downgrade}"
        );
        let foreign = migrate_version(&mut storage, "crates.io:other", "0.4.0").unwrap_err();
        assert!(
            foreign.contains("Cannot migrate from crates.io:c to crates.io:other"),
            "{foreign}"
        );
        assert_eq!(
            cw2::get_contract_version(&storage).unwrap().version,
            "0.3.0"
        );
    }

    #[test]
    fn release_matured_pays_what_matured_and_keeps_the_rest() {
        use cosmwasm_std::{Addr, Timestamp, Uint128};
        use cw_storage_plus::Map;
        use starminer_interfaces::claims::UnbondingClaim;

        const CLAIMS: Map<&Addr, Vec<UnbondingClaim>> = Map::new("claims");
        let claim = |amount: u128, at: u64| UnbondingClaim {
            amount: Uint128::new(amount),
            release_at: Timestamp::from_seconds(at),
        };
        let mut storage = MockStorage::new();
        let addr = Addr::unchecked("staker");
        CLAIMS
            .save(&mut storage, &addr, &vec![claim(5, 10), claim(7, 30)])
            .unwrap();
        let at = Timestamp::from_seconds;
        assert!(release_matured(&mut storage, &CLAIMS, &addr, at(9))
            .unwrap()
            .is_zero());
        assert_eq!(CLAIMS.load(&storage, &addr).unwrap().len(), 2);
        assert_eq!(
            release_matured(&mut storage, &CLAIMS, &addr, at(10))
                .unwrap()
                .u128(),
            5
        );
        assert_eq!(CLAIMS.load(&storage, &addr).unwrap(), vec![claim(7, 30)]);
        assert_eq!(
            release_matured(&mut storage, &CLAIMS, &addr, at(99))
                .unwrap()
                .u128(),
            7
        );
        assert!(!CLAIMS.has(&storage, &addr));
    }

    mod declared {
        crate::contract_error! {
            pub enum ContractError {
                #[error("own variant {0}")]
                Own(u8),
            }
        }
    }

    #[test]
    fn contract_error_has_the_shared_and_the_own_variants() {
        use declared::ContractError;
        let payment: ContractError = cw_utils::PaymentError::NonPayable {}.into();
        assert_eq!(payment.to_string(), "This message does no accept funds");
        let std: ContractError = cosmwasm_std::StdError::generic_err("boom").into();
        assert_eq!(std.to_string(), "Generic error: boom");
        assert_eq!(
            ContractError::Migration("too new".into()).to_string(),
            "cannot migrate: too new"
        );
        assert_eq!(ContractError::Own(7).to_string(), "own variant 7");
    }
}
