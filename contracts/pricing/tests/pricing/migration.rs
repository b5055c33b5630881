//! Migration from the state written at 091ec88 (contract version 0.1.0):
//! tiers without the time-weighted supply fields, parameters without
//! `min_verifier_fee`.

use cosmwasm_schema::cw_serde;
use cosmwasm_std::{to_json_string, to_json_vec, Decimal, Uint128};
use cw_multi_test::Executor;
use pricing::state::{PARAMS, TIERS};
use starminer_interfaces::market::{JobClass, Urgency, VerificationMode};
use starminer_interfaces::pricing::MigrateMsg;

use crate::suite::{dec, default_params, Suite, EPOCH};

/// `TierState` as 0.1.0 stored it.
#[cw_serde]
struct TierStateV010 {
    epoch: u64,
    multiplier: Decimal,
    demand: Uint128,
}

/// Rewrites the contract's storage as 0.1.0 left it.
fn write_v010_state(s: &mut Suite, multiplier: Decimal, demand: u128) {
    let params = default_params();
    let params_json = to_json_string(&params)
        .unwrap()
        .replace(",\"min_verifier_fee\":\"1\"", "");
    assert!(!params_json.contains("min_verifier_fee"));
    let pricing = s.pricing.clone();
    let mut store = s.app.contract_storage_mut(&pricing);
    for tier in 1..=4u8 {
        let old = TierStateV010 {
            epoch: 0,
            multiplier,
            demand: Uint128::new(if tier == 1 { demand } else { 0 }),
        };
        store.set(&TIERS.key(tier), &to_json_vec(&old).unwrap());
    }
    store.set(PARAMS.as_slice(), params_json.as_bytes());
    cw2::set_contract_version(store.as_mut(), "crates.io:starminer-pricing", "0.1.0").unwrap();
}

#[test]
fn state_of_091ec88_loads_and_migrates() {
    let mut s = Suite::new();
    s.provider("alice", 150);
    s.advance(EPOCH / 2);
    write_v010_state(&mut s, dec("1.125"), 100);

    // Before migrating, the old state still loads: prices and quotes work
    // (the verifier fee has no floor yet).
    assert_eq!(s.multiplier(1), dec("1.125"));
    assert_eq!(s.utilization(1).demand.u128(), 100);

    let gov = s.gov.clone();
    let pricing = s.pricing.clone();
    let code = s.app.contract_data(&pricing).unwrap().code_id;
    let mut params = default_params();
    params.min_verifier_fee = Uint128::new(7);
    s.app
        .migrate_contract(
            gov.clone(),
            pricing.clone(),
            &MigrateMsg {
                params: Some(params),
            },
            code,
        )
        .unwrap();
    let version = cw2::query_contract_info(&s.app.wrap(), pricing.to_string()).unwrap();
    assert_eq!(version.version, pricing::contract::CONTRACT_VERSION);
    assert_ne!(version.version, "0.1.0");

    // Multipliers and demand survive; the fee floor is in force.
    assert_eq!(s.multiplier(1), dec("1.125"));
    assert_eq!(s.utilization(1).demand.u128(), 100);
    let q = s
        .try_quote(
            1,
            JobClass::Render,
            1,
            Urgency::Normal,
            VerificationMode::SpotCheck { verifiers: 2 },
        )
        .unwrap();
    assert_eq!(q.verifier_fee.u128(), 7);

    // The legacy tier's first epoch counts the capacity observed at the
    // migration as held since the epoch began: 150 units/s all epoch.
    s.advance(EPOCH / 2);
    s.poke().unwrap();
    let closed = &s.history(1, None, None)[0];
    assert_eq!(closed.supply.u128(), 150 * u128::from(EPOCH));
    assert_eq!(closed.demand.u128(), 100);

    // A second migration to the same version is harmless; an older one is
    // refused.
    s.app
        .migrate_contract(gov.clone(), pricing.clone(), &MigrateMsg::default(), code)
        .unwrap();
    {
        let mut store = s.app.contract_storage_mut(&pricing);
        cw2::set_contract_version(store.as_mut(), "crates.io:starminer-pricing", "9.0.0").unwrap();
    }
    assert!(s
        .app
        .migrate_contract(gov, pricing, &MigrateMsg::default(), code)
        .is_err());
}

#[test]
fn migration_cannot_install_invalid_params() {
    let mut s = Suite::new();
    write_v010_state(&mut s, Decimal::one(), 0);
    let gov = s.gov.clone();
    let pricing = s.pricing.clone();
    let code = s.app.contract_data(&pricing).unwrap().code_id;
    let mut params = default_params();
    params.min_verifier_fee = Uint128::zero();
    assert!(s
        .app
        .migrate_contract(
            gov,
            pricing,
            &MigrateMsg {
                params: Some(params)
            },
            code
        )
        .is_err());
}
