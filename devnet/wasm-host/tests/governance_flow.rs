//! End to end on real artifacts: AMAX staked in governance, a proposal that
//! changes a registry parameter, voting, the voting period and timelock
//! passing block by block, execution; and a migration through a proposal.

use starminer_wasm_host::testing as protocol;

use cosmwasm_std::{to_json_binary, CosmosMsg, Uint128, WasmMsg};
use protocol::{governance_params, registry_params, Protocol, UNIT};
use starminer_interfaces::{governance as gov, registry as reg};
use starminer_wasm_host::WasmHost;

fn deploy() -> Protocol {
    Protocol::deploy(
        WasmHost::new().expect("host"),
        1_000_000 * UNIT,
        1_000_000 * UNIT,
    )
    .expect("deploy from artifacts")
}

/// Stakes for alice, waits a block so the stake counts, proposes `msgs`,
/// votes yes, lets the voting period and timelock pass and executes.
fn pass_and_execute(
    p: &Protocol,
    title: &str,
    msgs: Vec<CosmosMsg>,
) -> (u64, starminer_wasm_host::ExecResult) {
    let alice = p.host.addr_make("alice");
    p.transfer(&p.amax, &p.deployer, &alice, 1_000 * UNIT)
        .unwrap();
    p.stake(&alice, 500 * UNIT).unwrap();
    p.host.next_block(5);
    let (id, _) = p.propose(&alice, title, msgs).unwrap();
    p.vote(&alice, id, gov::VoteOption::Yes).unwrap();
    let params = governance_params();
    // Too early: still in the voting period.
    assert!(p.execute_proposal(&alice, id).is_err());
    p.host.next_block(params.voting_period + 1);
    // Passed but timelocked.
    assert!(p.execute_proposal(&alice, id).is_err());
    p.host.next_block(params.timelock);
    let anyone = p.host.addr_make("anyone");
    let r = p.execute_proposal(&anyone, id).unwrap();
    (id, r)
}

#[test]
fn a_parameter_change_passes_through_governance_into_the_registry() {
    let p = deploy();
    let mut params = registry_params();
    params.min_provider_stake = Uint128::new(2_500 * UNIT);
    let update = p.registry_call(&reg::ExecuteMsg::UpdateConfig {
        governance: None,
        params: Some(params.clone()),
    });

    // Nobody but governance may change it directly.
    assert!(p
        .host
        .execute(
            &p.deployer,
            &p.registry,
            &reg::ExecuteMsg::UpdateConfig {
                governance: None,
                params: Some(params.clone())
            },
            &[]
        )
        .is_err());

    let (id, r) = pass_and_execute(&p, "Raise the provider stake", vec![update]);
    assert_eq!(p.registry_config().unwrap().params, params);
    assert_eq!(
        p.proposal(id).unwrap().status,
        gov::ProposalStatus::Executed
    );

    // The registry's own events appear, attributed to the registry.
    let registry_wasm = r
        .events
        .iter()
        .find(|e| e.ty == "wasm" && e.attributes[0].value == p.registry.as_str())
        .expect("the registry emitted a wasm event");
    assert_eq!(registry_wasm.attributes[0].key, "_contract_address");
    let execute_events = r.events_of("execute").count();
    assert!(
        execute_events >= 3,
        "governance, its self-call batch and the registry: {execute_events}"
    );
}

#[test]
fn a_failing_proposal_is_recorded_and_reverts_only_its_own_messages() {
    let p = deploy();
    let mut bad = registry_params();
    bad.tier_thresholds = vec![5, 1]; // not four increasing thresholds: the registry rejects it
    let update = p.registry_call(&reg::ExecuteMsg::UpdateConfig {
        governance: None,
        params: Some(bad),
    });
    let (id, r) = pass_and_execute(&p, "A broken parameter change", vec![update]);
    // The transaction succeeds: governance's reply records the failure.
    match p.proposal(id).unwrap().status {
        gov::ProposalStatus::ExecutionFailed { reason } => {
            // wasmd redacts submessage errors to codespace and code.
            assert_eq!(reason, "codespace: wasm, code: 5");
        }
        other => panic!("expected ExecutionFailed, got {other:?}"),
    }
    assert!(r
        .events_of("reply")
        .any(|e| e.attributes[0].value == p.governance.as_str()));
    assert_eq!(p.registry_config().unwrap().params, registry_params());
}

#[test]
fn governance_migrates_a_contract_it_administers() {
    let p = deploy();
    // A second upload of the registry code: a new code id to migrate to.
    let new_code = p
        .host
        .store_code(&p.deployer, &protocol::artifact("registry").unwrap())
        .unwrap();
    assert_ne!(new_code, p.codes.registry);
    assert_eq!(
        p.host.contract_info(&p.registry).unwrap().admin.as_ref(),
        Some(&p.governance)
    );
    // The deployer is not the admin.
    assert!(p
        .host
        .migrate(&p.deployer, &p.registry, new_code, &reg::MigrateMsg {})
        .is_err());

    let migrate = CosmosMsg::Wasm(WasmMsg::Migrate {
        contract_addr: p.registry.to_string(),
        new_code_id: new_code,
        msg: to_json_binary(&reg::MigrateMsg {}).unwrap(),
    });
    let (id, r) = pass_and_execute(&p, "Upgrade the registry", vec![migrate]);
    assert_eq!(
        p.proposal(id).unwrap().status,
        gov::ProposalStatus::Executed
    );
    assert_eq!(p.host.contract_info(&p.registry).unwrap().code_id, new_code);
    assert_eq!(
        r.attribute("migrate", "code_id"),
        Some(new_code.to_string().as_str())
    );
    // State survived the migration.
    assert_eq!(p.registry_config().unwrap().params, registry_params());
}

#[test]
fn providers_register_and_bond_agpu_through_cw20_send() {
    let p = deploy();
    let rig = p.host.addr_make("rig");
    p.transfer(&p.agpu, &p.deployer, &rig, 5_000 * UNIT)
        .unwrap();
    p.register(&rig).unwrap();
    let r = p.bond(&rig, 1_500 * UNIT).unwrap();
    let provider: reg::Provider = p
        .host
        .query_smart(
            &p.registry,
            &reg::QueryMsg::Provider {
                address: rig.to_string(),
            },
        )
        .unwrap();
    assert_eq!(provider.bonded, Uint128::new(1_500 * UNIT));
    assert!(provider.has_active_role(reg::Role::Provider));
    // AGPU's transfer to the registry, then the registry's hook: token first, then the receiver.
    let contracts: Vec<&str> = r
        .events_of("execute")
        .map(|e| e.attributes[0].value.as_str())
        .collect();
    assert_eq!(contracts, [p.agpu.as_str(), p.registry.as_str()]);
    assert!(r.gas.vm_gas > 0 && r.gas.sdk_gas > 2 * p.host.gas_config().instance_cost);
}
