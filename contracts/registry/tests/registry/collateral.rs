//! Authorized calls: collateral, slashing, outcomes, jail and unjail.

use cosmwasm_std::{Uint128, Uint64};
use registry::ContractError;
use starminer_interfaces::registry::{
    CollateralLocksResponse, ExecuteMsg, JobOutcome, ProviderStatus, QueryMsg, Role,
};

use crate::suite::{assert_err, Suite};

fn success(units: u64) -> JobOutcome {
    JobOutcome::Success {
        units: Uint64::new(units),
    }
}

#[test]
fn lock_and_unlock_collateral() {
    let mut s = Suite::new();
    s.provider_with_stake("alice", 1_000);
    s.lock("alice", 1, 300).unwrap();
    s.lock("alice", 2, 200).unwrap();
    let stake = s.stake("alice");
    assert_eq!(stake.locked, Uint128::new(500));
    assert_eq!(stake.free, Uint128::new(500));
    let locks: CollateralLocksResponse = s.query(&QueryMsg::CollateralLocks {
        provider: s.addr("alice").to_string(),
        start_after: None,
        limit: Some(1),
    });
    assert_eq!(locks.locks.len(), 1);
    assert_eq!(locks.locks[0].job_id, 1);
    let locks: CollateralLocksResponse = s.query(&QueryMsg::CollateralLocks {
        provider: s.addr("alice").to_string(),
        start_after: Some(1),
        limit: None,
    });
    assert_eq!(locks.locks[0].job_id, 2);
    assert_eq!(locks.locks[0].amount, Uint128::new(200));

    assert_err(
        s.lock("alice", 1, 10),
        ContractError::CollateralAlreadyLocked { job_id: 1 },
    );
    assert_err(
        s.lock("alice", 3, 501),
        ContractError::InsufficientFreeStake {
            free: Uint128::new(500),
            requested: Uint128::new(501),
        },
    );
    assert_err(s.lock("alice", 3, 0), ContractError::ZeroAmount {});
    s.unlock("alice", 1).unwrap();
    assert_eq!(s.stake("alice").locked, Uint128::new(200));
    assert_err(
        s.unlock("alice", 1),
        ContractError::NoCollateral { job_id: 1 },
    );
}

#[test]
fn governance_may_also_lock() {
    let mut s = Suite::new();
    s.provider_with_stake("alice", 1_000);
    let provider = s.addr("alice").to_string();
    s.gov(&ExecuteMsg::LockCollateral {
        provider,
        job_id: 9,
        amount: Uint128::new(10),
    })
    .unwrap();
}

#[test]
fn unauthorized_collateral_lock_is_rejected() {
    let mut s = Suite::new();
    s.provider_with_stake("alice", 1_000);
    s.lock("alice", 1, 100).unwrap();
    let provider = s.addr("alice").to_string();
    assert_err(
        s.exec_as(
            "mallory",
            &ExecuteMsg::LockCollateral {
                provider: provider.clone(),
                job_id: 2,
                amount: Uint128::new(10),
            },
        ),
        ContractError::NotAuthorized {},
    );
    // The provider cannot free its own collateral either.
    assert_err(
        s.exec_as(
            "alice",
            &ExecuteMsg::UnlockCollateral {
                provider,
                job_id: 1,
            },
        ),
        ContractError::NotAuthorized {},
    );
}

#[test]
fn unauthorized_slash_is_rejected() {
    let mut s = Suite::new();
    s.provider_with_stake("alice", 1_000);
    let msg = ExecuteMsg::Slash {
        provider: s.addr("alice").to_string(),
        job_id: None,
        amount: Uint128::new(1_000),
        beneficiary: Some(s.addr("bob").to_string()),
    };
    assert_err(s.exec_as("bob", &msg), ContractError::NotAuthorized {});
    assert_err(s.exec_as("alice", &msg), ContractError::NotAuthorized {});
    assert_eq!(s.provider("alice").bonded, Uint128::new(1_000));
}

#[test]
fn slash_takes_job_collateral_first_then_free_bond_and_splits_proceeds() {
    let mut s = Suite::new();
    s.provider_with_stake("alice", 1_000);
    s.lock("alice", 1, 300).unwrap();
    s.lock("alice", 2, 200).unwrap();
    let requester_before = s.balance_of("requester");
    let res = s.slash("alice", Some(1), 400, Some("requester")).unwrap();
    assert_eq!(crate::suite::attr(&res, "from_collateral"), "300");
    assert_eq!(crate::suite::attr(&res, "slashed"), "400");
    let stake = s.stake("alice");
    assert_eq!(stake.bonded, Uint128::new(600));
    // Job 1's lock is gone, job 2's is untouched.
    assert_eq!(stake.locked, Uint128::new(200));
    // 60% to the wronged party, the rest to the treasury.
    assert_eq!(s.balance_of("requester"), requester_before + 240);
    assert_eq!(s.agpu_balance(&s.gov), 160);
    assert_eq!(s.agpu_balance(&s.registry), 600);

    // Asking for more than lock + free slashes what there is, never job 2's lock.
    let res = s.slash("alice", None, 10_000, None).unwrap();
    assert_eq!(crate::suite::attr(&res, "slashed"), "400");
    let stake = s.stake("alice");
    assert_eq!(stake.bonded, Uint128::new(200));
    assert_eq!(stake.locked, Uint128::new(200));
    assert_eq!(s.agpu_balance(&s.gov), 560);
    // Below min stake: the provider role went inactive.
    assert!(s.provider("alice").active_roles.is_empty());
    assert_err(
        s.slash("alice", None, 0, None),
        ContractError::ZeroAmount {},
    );
}

#[test]
fn partial_slash_leaves_the_rest_of_the_lock() {
    let mut s = Suite::new();
    s.provider_with_stake("alice", 1_000);
    s.lock("alice", 1, 300).unwrap();
    s.slash("alice", Some(1), 100, None).unwrap();
    let locks: CollateralLocksResponse = s.query(&QueryMsg::CollateralLocks {
        provider: s.addr("alice").to_string(),
        start_after: None,
        limit: None,
    });
    assert_eq!(locks.locks[0].amount, Uint128::new(200));
    assert_eq!(s.stake("alice").locked, Uint128::new(200));
    s.unlock("alice", 1).unwrap();
    assert_eq!(s.stake("alice").free, Uint128::new(900));
}

#[test]
fn unauthorized_reputation_change_is_rejected() {
    let mut s = Suite::new();
    s.provider_with_stake("alice", 1_000);
    let msg = ExecuteMsg::RecordOutcome {
        provider: s.addr("alice").to_string(),
        outcome: success(1_000),
    };
    assert_err(s.exec_as("alice", &msg), ContractError::NotAuthorized {});
    assert_eq!(s.provider("alice").reputation, 5_000);
}

#[test]
fn outcomes_move_reputation_and_counters() {
    let mut s = Suite::new();
    s.provider_with_stake("alice", 1_000);
    s.record("alice", success(50)).unwrap();
    assert_eq!(s.provider("alice").reputation, 5_500);
    s.record("alice", JobOutcome::Failure).unwrap();
    assert_eq!(s.provider("alice").reputation, 5_500);
    s.record("alice", JobOutcome::Timeout).unwrap();
    assert_eq!(s.provider("alice").reputation, 4_400);
    s.record("alice", JobOutcome::Slashed).unwrap();
    let p = s.provider("alice");
    assert_eq!(p.reputation, 2_200);
    assert_eq!(p.counters.jobs_done, 1);
    assert_eq!(p.counters.units_computed, Uint64::new(50));
    assert_eq!(p.counters.jobs_failed, 1);
    assert_eq!(p.counters.jobs_timed_out, 1);
    assert_eq!(p.counters.times_slashed, 1);
    assert_eq!(p.status, ProviderStatus::Active);
}

#[test]
fn reputation_below_floor_jails_and_deactivates_roles() {
    let mut s = Suite::new();
    s.register("alice", "eu-west", vec![Role::Provider, Role::Validator])
        .unwrap();
    s.bond("alice", 5_000).unwrap();
    assert_eq!(s.validator_totals().count, 1);
    s.record("alice", JobOutcome::Slashed).unwrap(); // 2500
    let res = s.record("alice", JobOutcome::Slashed).unwrap(); // 1250 < 2000
    let until = s.app.block_info().time.plus_seconds(1_000);
    assert_eq!(crate::suite::attr(&res, "jailed"), "true");
    let p = s.provider("alice");
    assert_eq!(p.status, ProviderStatus::Jailed { until });
    assert!(p.active_roles.is_empty());
    assert_eq!(s.validator_totals().count, 0);
    assert_eq!(s.validator_totals().total_stake, Uint128::zero());
    // Jailed: no new collateral.
    assert_err(s.lock("alice", 1, 10), ContractError::Jailed { until });
    // Another loss does not extend the sentence.
    s.advance(10);
    s.record("alice", JobOutcome::Timeout).unwrap();
    assert_eq!(s.provider("alice").status, ProviderStatus::Jailed { until });
}

#[test]
fn jailed_provider_cannot_heartbeat_or_unjail_early() {
    let mut s = Suite::new();
    s.provider_with_stake("alice", 1_000);
    s.record("alice", JobOutcome::Slashed).unwrap();
    s.record("alice", JobOutcome::Slashed).unwrap();
    let until = s.app.block_info().time.plus_seconds(1_000);
    assert_err(
        s.exec_as("alice", &ExecuteMsg::Heartbeat {}),
        ContractError::Jailed { until },
    );
    s.advance(999);
    assert_err(
        s.exec_as("alice", &ExecuteMsg::Unjail {}),
        ContractError::Jailed { until },
    );
    s.advance(1);
    s.exec_as("alice", &ExecuteMsg::Unjail {}).unwrap();
    let p = s.provider("alice");
    assert_eq!(p.status, ProviderStatus::Active);
    assert_eq!(p.reputation, 2_000, "lifted to the floor");
    assert_eq!(p.active_roles, vec![Role::Provider]);
    s.exec_as("alice", &ExecuteMsg::Heartbeat {}).unwrap();
    assert_err(
        s.exec_as("alice", &ExecuteMsg::Unjail {}),
        ContractError::NotJailed {},
    );
}

#[test]
fn newly_authorized_contract_can_act_and_removed_one_cannot() {
    let mut s = Suite::new();
    s.provider_with_stake("alice", 1_000);
    let incentives = s.addr("incentives");
    assert_err(
        s.exec_as(
            "alice",
            &ExecuteMsg::SetAuthorized {
                contracts: vec![incentives.to_string()],
            },
        ),
        ContractError::NotGovernance {},
    );
    s.gov(&ExecuteMsg::SetAuthorized {
        contracts: vec![incentives.to_string(), incentives.to_string()],
    })
    .unwrap();
    let provider = s.addr("alice").to_string();
    s.exec(
        &incentives,
        &ExecuteMsg::RecordOutcome {
            provider: provider.clone(),
            outcome: success(1),
        },
    )
    .unwrap();
    // The job market was dropped from the list.
    assert_err(s.lock("alice", 1, 1), ContractError::NotAuthorized {});
    let too_many: Vec<String> = (0..17)
        .map(|i| s.addr(&format!("c{i}")).to_string())
        .collect();
    assert_err(
        s.gov(&ExecuteMsg::SetAuthorized {
            contracts: too_many,
        }),
        ContractError::TooManyAuthorized { max: 16 },
    );
}
