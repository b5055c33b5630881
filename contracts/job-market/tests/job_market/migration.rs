//! Migration from the state written at commit 091ec88 (contract 0.1.0):
//! parameters stored without the fields added since load with their
//! defaults, and an old job's event log stays readable whatever
//! `max_history` becomes.

use cosmwasm_std::testing::{mock_dependencies, mock_env};
use cosmwasm_std::{Decimal, Storage, Timestamp, Uint128, Uint64};
use job_market::contract::{migrate, CONTRACT_NAME};
use job_market::state::{event_ring, log_event, EVENTS, EVENT_COUNT, PARAMS};
use starminer_interfaces::job_market::{JobEvent, MigrateMsg};

/// `MarketParams` exactly as 0.1.0 (commit 091ec88) serialized it.
const PARAMS_091EC88: &str = r#"{
  "protocol_fee_rate": "0.05",
  "collateral_rate": "1",
  "challenge_window": 300,
  "response_window": 120,
  "commit_window": 120,
  "dispute_verifiers": 3,
  "max_claim_scan": 32,
  "lease_factors": {"low": "2", "normal": "1", "high": "0.75", "realtime": "0.5"},
  "min_lease_seconds": 60,
  "bad_input_fee_rate": "0.1",
  "limits": {
    "max_params": 16,
    "max_param_name_len": 32,
    "max_uri_len": 256,
    "max_inline_input_bytes": 1024,
    "max_verifiers": 5,
    "max_replication": 5,
    "max_job_duration": 604800,
    "max_history": 32,
    "max_zones": 16
  }
}"#;

const OLD_JOB: u64 = 7;

fn old_event(seq: u32) -> JobEvent {
    JobEvent {
        seq,
        action: format!("event-{seq}"),
        actor: None,
        height: u64::from(seq),
        time: Timestamp::from_seconds(u64::from(seq)),
        detail: String::new(),
    }
}

#[test]
fn migration_from_091ec88_state_keeps_params_and_history() {
    let mut deps = mock_dependencies();
    deps.storage.set(b"params", PARAMS_091EC88.as_bytes());
    cw2::set_contract_version(&mut deps.storage, CONTRACT_NAME, "0.1.0").unwrap();
    // An old job with 40 events in 0.1.0's ring (seq mod 32).
    for seq in 0..40u32 {
        EVENTS
            .save(&mut deps.storage, (OLD_JOB, seq % 32), &old_event(seq))
            .unwrap();
    }
    EVENT_COUNT.save(&mut deps.storage, OLD_JOB, &40).unwrap();

    let res = migrate(deps.as_mut(), mock_env(), MigrateMsg {}).unwrap();
    assert!(res
        .attributes
        .iter()
        .any(|a| a.key == "from_version" && a.value == "0.1.0"));

    // The new parameters take their defaults; the old ones are unchanged.
    let params = PARAMS.load(&deps.storage).unwrap();
    assert_eq!(params.protocol_fee_rate, Decimal::percent(5));
    assert_eq!(params.limits.max_history, 32);
    assert_eq!(params.abandon_slash_rate, Decimal::percent(50));
    assert_eq!(params.min_job_price, Uint128::new(100));
    assert_eq!(params.cancel_fee_rate, Decimal::percent(5));
    assert_eq!(params.bad_input_window, 600);
    assert_eq!(params.limits.max_device_memory, Uint64::new(1 << 40));
    assert_eq!(params.limits.max_compute_units, 4_096);
    // Replica slots stay first come until governance sets a window.
    assert_eq!(params.replica_window, 0);
    assert_eq!(params.max_replica_applicants, 16);
    job_market::validate::validate_params(&params).unwrap();

    // Governance raises max_history: the old job keeps its ring of 32, so
    // its last 32 events still read back in order.
    let mut raised = params.clone();
    raised.limits.max_history = 100;
    PARAMS.save(&mut deps.storage, &raised).unwrap();
    let ring = event_ring(&deps.storage, OLD_JOB, 100).unwrap();
    assert_eq!(ring, 32);
    for seq in 8..40u32 {
        let e = EVENTS.load(&deps.storage, (OLD_JOB, seq % ring)).unwrap();
        assert_eq!(e.seq, seq);
    }
    // A new event of the old job lands in the old ring.
    let job: starminer_interfaces::job_market::Job = fake_job(OLD_JOB);
    log_event(
        &mut deps.storage,
        &mock_env(),
        100,
        &job,
        "late",
        None,
        String::new(),
    )
    .unwrap();
    let e = EVENTS.load(&deps.storage, (OLD_JOB, 40 % 32)).unwrap();
    assert_eq!((e.seq, e.action.as_str()), (40, "late"));
    // A job first logged after the migration gets today's bound.
    let new_job = fake_job(8);
    log_event(
        &mut deps.storage,
        &mock_env(),
        100,
        &new_job,
        "job_submitted",
        None,
        String::new(),
    )
    .unwrap();
    assert_eq!(event_ring(&deps.storage, 8, 5).unwrap(), 100);

    // A contract newer than this code is not migrated back.
    cw2::set_contract_version(&mut deps.storage, CONTRACT_NAME, "9.0.0").unwrap();
    assert!(migrate(deps.as_mut(), mock_env(), MigrateMsg {}).is_err());
}

/// A job record for `log_event` (which reads only its id and status): the
/// JSON of a minimal job, so the test does not depend on every field.
fn fake_job(id: u64) -> starminer_interfaces::job_market::Job {
    let json = format!(
        r#"{{
  "id": {id}, "requester": "requester",
  "spec": {{"template": "t", "params": [], "input": {{"inline": {{"data": ""}}}},
    "requirements": {{"min_tier": 1, "min_device_memory": "0", "min_compute_units": 0,
      "zone": "eu", "urgency": "normal", "latency": "global"}},
    "max_price": "1", "deadline": "1", "verification": "none"}},
  "class": "render", "tier": 1, "min_device_memory": "0", "min_compute_units": 0,
  "units": "1",
  "quote": {{"tier": 1, "class": "render", "units": "1",
    "unit_price": "1", "compute_cost": "1", "replication": 1, "verifier_fee": "0",
    "verifiers": 0, "total": "1", "epoch": 0}},
  "escrow": "1", "status": "open", "submitted_at": "1", "submit_height": 1,
  "requeues": 0, "slots": [], "result": null, "verification": null,
  "reveal_deadline": null, "settlement": null
}}"#
    );
    cosmwasm_std::from_json(json.as_bytes()).expect("a job record")
}
