//! Migration from the state written at 091ec88 (contract version 0.1.0).

use cosmwasm_schema::cw_serde;
use cosmwasm_std::{to_json_string, to_json_vec, Decimal, Uint128};
use cw_multi_test::Executor;
use incentives::state::{EPOCHS, PARAMS, WEIGHTS};
use starminer_interfaces::incentives::MigrateMsg;

use crate::suite::{default_params, Suite};

#[cw_serde]
struct EpochStateV010 {
    allocation: Uint128,
    verifier_share: Decimal,
    provider_weight: Uint128,
    verifier_weight: Uint128,
    claimed: Uint128,
    settled: bool,
}

#[cw_serde]
struct WeightsV010 {
    provider: Uint128,
    verifier: Uint128,
}

#[test]
fn state_of_091ec88_loads_and_migrates() {
    let mut s = Suite::new();
    s.register("alice");
    // Open epoch 0 (reserves its allocation), then rewrite it as 0.1.0 did:
    // a legacy report, no fee credit, no fee bound.
    s.legacy_work("alice", 100).unwrap();
    let alice = s.addr("alice");
    let incentives = s.incentives.clone();
    let old_params = to_json_string(&default_params())
        .unwrap()
        .replace(",\"reward_per_fee\":\"0.5\"", "")
        .replace(",\"unverified_weight\":\"0\"", "");
    assert!(!old_params.contains("reward_per_fee") && !old_params.contains("unverified"));
    {
        let mut store = s.app.contract_storage_mut(&incentives);
        let epoch = EpochStateV010 {
            allocation: Uint128::new(1_000_000),
            verifier_share: Decimal::percent(20),
            provider_weight: Uint128::new(50),
            verifier_weight: Uint128::zero(),
            claimed: Uint128::zero(),
            settled: false,
        };
        store.set(&EPOCHS.key(0), &to_json_vec(&epoch).unwrap());
        let w = WeightsV010 {
            provider: Uint128::new(50),
            verifier: Uint128::zero(),
        };
        store.set(&WEIGHTS.key((&alice, 0)), &to_json_vec(&w).unwrap());
        store.set(PARAMS.as_slice(), old_params.as_bytes());
        cw2::set_contract_version(store.as_mut(), "crates.io:starminer-incentives", "0.1.0")
            .unwrap();
    }
    // The old state loads before the migration.
    assert_eq!(s.epoch(0).emitted.u128(), 800_000);

    let gov = s.gov.clone();
    let code = s.app.contract_data(&incentives).unwrap().code_id;
    let mut bad = default_params();
    bad.epoch_length += 1;
    assert!(s
        .app
        .migrate_contract(
            gov.clone(),
            incentives.clone(),
            &MigrateMsg { params: Some(bad) },
            code
        )
        .is_err());
    s.app
        .migrate_contract(
            gov,
            incentives.clone(),
            &MigrateMsg {
                params: Some(default_params()),
            },
            code,
        )
        .unwrap();
    let version = cw2::query_contract_info(&s.app.wrap(), incentives.to_string()).unwrap();
    assert_eq!(version.version, incentives::contract::CONTRACT_VERSION);

    // The legacy epoch pays what it promised (uncapped); a new epoch's
    // legacy report, with no fee credit, pays nothing.
    s.next_epoch();
    s.legacy_work("alice", 100).unwrap();
    s.next_epoch();
    s.claim("alice").unwrap();
    assert_eq!(s.balance("alice"), 800_000);
    let new_epoch = s.epoch(1);
    assert_eq!(new_epoch.claimed.u128(), 0);
    assert!(new_epoch.forfeited.u128() > 0);
}
