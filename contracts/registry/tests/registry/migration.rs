//! Migration from the 0.1.0 layout (commit 091ec88): the seated set was the
//! address → stake map alone, records and parameters had no issue-12 fields,
//! and there was no beacon.

use cosmwasm_std::{Addr, Uint128};
use cw20::Cw20ExecuteMsg;
use cw_multi_test::Executor;
use registry::state::{
    BEACON, BEACON_ANCHORED, BEACON_LOG, PARAMS, PROVIDERS, SEATED_AT, SEATS, TOTAL_BONDED, WAITING,
};
use starminer_interfaces::registry::{
    BeaconResponse, ConfigResponse, DutyParams, ExecuteMsg, MigrateMsg, QueryMsg, Role,
};

use crate::suite::Suite;

/// Rewrites the registry's storage into the 0.1.0 layout.
fn downgrade(s: &mut Suite, records: &[Addr]) {
    let registry = s.registry.clone();
    let mut storage = s.app.contract_storage_mut(&registry);
    cw2::set_contract_version(&mut *storage, "crates.io:starminer-registry", "0.1.0").unwrap();
    // Parameters without `duties`.
    let params = PARAMS.load(&*storage).unwrap();
    let mut json = serde_json::to_value(&params).unwrap();
    json.as_object_mut().unwrap().remove("duties");
    storage.set(b"params", &serde_json::to_vec(&json).unwrap());
    // Records without `pending_zone`; no seat, waiting or beacon state.
    for addr in records {
        let p = PROVIDERS.load(&*storage, addr).unwrap();
        let mut json = serde_json::to_value(&p).unwrap();
        json.as_object_mut().unwrap().remove("pending_zone");
        storage.set(&PROVIDERS.key(addr), &serde_json::to_vec(&json).unwrap());
        SEATS.remove(&mut *storage, (p.bonded.u128(), addr));
        WAITING.remove(&mut *storage, (p.bonded.u128(), addr));
        SEATED_AT.remove(&mut *storage, addr);
    }
    BEACON.remove(&mut *storage);
    BEACON_LOG.remove(&mut *storage, 0);
    BEACON_ANCHORED.remove(&mut *storage);
}

#[test]
fn migrate_from_091ec88_builds_the_seat_indexes_and_starts_the_beacon() {
    let mut s = Suite::new();
    for v in ["val1", "val2", "val3"] {
        s.validator_with_stake(v, 5_000);
    }
    // val4 came fourth and waited: in 0.1.0 nobody was ever displaced.
    s.validator_with_stake("val4", 5_000);
    s.provider_with_stake("alice", 1_000);
    let names = ["val1", "val2", "val3", "val4", "alice"];
    let records: Vec<Addr> = names.iter().map(|n| s.addr(n)).collect();
    downgrade(&mut s, &records);
    // Under 0.1.0 val4 then bonded more and still had no seat: write that
    // (its record, the total, and the tokens the registry holds for it).
    let val4 = s.addr("val4");
    {
        let registry = s.registry.clone();
        let mut storage = s.app.contract_storage_mut(&registry);
        let key = PROVIDERS.key(&val4);
        let mut json: serde_json::Value =
            serde_json::from_slice(&storage.get(&key).unwrap()).unwrap();
        json["bonded"] = serde_json::json!("9000");
        storage.set(&key, &serde_json::to_vec(&json).unwrap());
        TOTAL_BONDED
            .update(&mut *storage, |t| -> cosmwasm_std::StdResult<_> {
                Ok(t + Uint128::new(4_000))
            })
            .unwrap();
    }
    let registry = s.registry.clone();
    s.app
        .execute_contract(
            val4.clone(),
            s.agpu.clone(),
            &Cw20ExecuteMsg::Transfer {
                recipient: registry.to_string(),
                amount: Uint128::new(4_000),
            },
            &[],
        )
        .unwrap();
    // The old records and parameters still read (serde defaults).
    assert_eq!(s.provider("val4").bonded, Uint128::new(9_000));
    assert_eq!(
        s.query::<ConfigResponse>(&QueryMsg::Config {})
            .params
            .duties,
        DutyParams::default()
    );

    let code_id = s.app.contract_data(&registry).unwrap().code_id;
    let gov = s.gov.clone();
    let res = s
        .app
        .migrate_contract(gov, registry.clone(), &MigrateMsg {}, code_id)
        .unwrap();
    assert_eq!(crate::suite::attr(&res, "from_version"), "0.1.0");
    assert_eq!(crate::suite::attr(&res, "seats_indexed"), "3");
    let version = cw2::query_contract_info(&s.app.wrap(), registry.to_string()).unwrap();
    assert_eq!(version.version, "0.2.0");
    let b: BeaconResponse = s.query(&QueryMsg::Beacon {});
    assert_eq!((b.seq, b.reveals_per_draw), (0, 0));

    // The seated set is unchanged until val4 sends any message; then its
    // larger bond takes the smallest seat.
    assert_eq!(s.validator_totals().count, 3);
    assert!(!s.seated().contains(&val4));
    s.exec_as("val4", &ExecuteMsg::Heartbeat {}).unwrap();
    assert!(s.seated().contains(&val4));
    assert_eq!(s.validator_totals().count, 3);
    assert_eq!(s.validator_totals().total_stake, Uint128::new(19_000));
    assert_eq!(s.provider("val4").active_roles, vec![Role::Validator]);
    // Migrated seats are duty-bound from the migration on, and the beacon
    // runs.
    s.advance_beacon(2);
    // Stake moves as before: the books balance.
    s.unbond("alice", 500).unwrap();
    let t = s.totals();
    assert_eq!(
        s.agpu_balance(&s.registry),
        (t.total_bonded + t.total_claims).u128()
    );
    // Migrating again to the same version is a no-op.
    let gov = s.gov.clone();
    s.app
        .migrate_contract(gov, registry, &MigrateMsg {}, code_id)
        .unwrap();
}

/// State written before the draw-weight history (`STAKE_HISTORY`) migrates:
/// every seat counts with its stake until its first change, and changes are
/// logged from then on.
#[test]
fn state_without_stake_history_migrates_and_weighs_draws() {
    use registry::state::STAKE_HISTORY;
    use starminer_interfaces::registry::ValidatorsResponse;
    let mut s = Suite::new();
    for v in ["val1", "val2", "val3"] {
        s.validator_with_stake(v, 5_000);
    }
    s.anchor_all();
    s.advance_beacon(2);
    let registry = s.registry.clone();
    let vals: Vec<Addr> = ["val1", "val2", "val3"].iter().map(|v| s.addr(v)).collect();
    {
        let mut storage = s.app.contract_storage_mut(&registry);
        for v in &vals {
            assert!(STAKE_HISTORY.has(&*storage, v));
            STAKE_HISTORY.remove(&mut *storage, v);
        }
    }
    let code_id = s.app.contract_data(&registry).unwrap().code_id;
    let gov = s.gov.clone();
    s.app
        .migrate_contract(gov, registry.clone(), &MigrateMsg {}, code_id)
        .unwrap();
    let weights = |s: &Suite, seq: u64| -> Vec<u128> {
        let v: ValidatorsResponse = s.query(&QueryMsg::ValidatorsAsOf {
            seq,
            start_after: None,
            limit: None,
        });
        v.validators.iter().map(|v| v.stake.u128()).collect()
    };
    assert_eq!(weights(&s, 1), vec![5_000; 3]);
    let draw_at = s.beacon().seq + 1;
    s.advance_beacon(1);
    s.bond("val1", 7_000).unwrap();
    s.bond("val2", 7_000).unwrap();
    s.bond("val3", 7_000).unwrap();
    assert_eq!(weights(&s, draw_at), vec![5_000; 3]);
    assert_eq!(weights(&s, draw_at + 1), vec![12_000; 3]);
    // The plain query still answers old callers (no `seq`).
    let v: ValidatorsResponse = s.query(&QueryMsg::Validators {
        start_after: None,
        limit: None,
    });
    assert!(v.validators.iter().all(|v| v.stake.u128() == 12_000));
}
