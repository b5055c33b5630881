//! Governance-only messages, instantiate validation and migration.

use cosmwasm_std::{Decimal, Uint128};
use cw_multi_test::Executor;
use registry::ContractError;
use starminer_interfaces::registry::{
    AddressesResponse, ConfigResponse, ExecuteMsg, MigrateMsg, QueryMsg, Role, ZonesResponse,
};

use crate::suite::{assert_err, default_params, Suite};

#[test]
fn update_config_is_governance_only_and_validated() {
    let mut s = Suite::new();
    let mut params = default_params();
    params.min_provider_stake = Uint128::new(2_000);
    assert_err(
        s.exec_as(
            "alice",
            &ExecuteMsg::UpdateConfig {
                governance: None,
                params: Some(params.clone()),
            },
        ),
        ContractError::NotGovernance {},
    );
    s.gov(&ExecuteMsg::UpdateConfig {
        governance: None,
        params: Some(params.clone()),
    })
    .unwrap();
    let config: ConfigResponse = s.query(&QueryMsg::Config {});
    assert_eq!(config.params, params);
    assert_eq!(config.authorized, vec![s.market.clone()]);

    let mut bad = params.clone();
    bad.slash_beneficiary_share = Decimal::percent(101);
    assert_err(
        s.gov(&ExecuteMsg::UpdateConfig {
            governance: None,
            params: Some(bad),
        }),
        ContractError::InvalidParams {
            reason: "slash_beneficiary_share must be at most 1".into(),
        },
    );
    let mut bad = params.clone();
    bad.tier_thresholds = vec![100, 100, 200, 300];
    assert_err(
        s.gov(&ExecuteMsg::UpdateConfig {
            governance: None,
            params: Some(bad),
        }),
        ContractError::InvalidParams {
            reason: "tier_thresholds must be 4 positive, strictly increasing scores".into(),
        },
    );

    // Handing governance over: the old address loses its powers.
    let new_gov = s.addr("new-governance");
    s.gov(&ExecuteMsg::UpdateConfig {
        governance: Some(new_gov.to_string()),
        params: None,
    })
    .unwrap();
    assert_err(
        s.gov(&ExecuteMsg::AddZones {
            zones: vec!["sa-east".into()],
        }),
        ContractError::NotGovernance {},
    );
    s.exec(
        &new_gov,
        &ExecuteMsg::AddZones {
            zones: vec!["sa-east".into()],
        },
    )
    .unwrap();
}

#[test]
fn raised_threshold_applies_at_the_next_change() {
    let mut s = Suite::new();
    s.provider_with_stake("alice", 1_000);
    let mut params = default_params();
    params.min_provider_stake = Uint128::new(2_000);
    s.gov(&ExecuteMsg::UpdateConfig {
        governance: None,
        params: Some(params),
    })
    .unwrap();
    assert_eq!(s.provider("alice").active_roles, vec![Role::Provider]);
    s.bond("alice", 1).unwrap();
    assert!(s.provider("alice").active_roles.is_empty());
}

#[test]
fn oracles_are_appointed_and_removed_by_governance() {
    let mut s = Suite::new();
    let oracle = s.addr("oracle1");
    assert_err(
        s.exec_as(
            "alice",
            &ExecuteMsg::AppointOracle {
                address: oracle.to_string(),
            },
        ),
        ContractError::NotGovernance {},
    );
    for name in ["oracle1", "oracle2", "oracle3"] {
        let address = s.addr(name).to_string();
        s.gov(&ExecuteMsg::AppointOracle { address }).unwrap();
    }
    assert_err(
        s.gov(&ExecuteMsg::AppointOracle {
            address: oracle.to_string(),
        }),
        ContractError::AlreadyOracle {
            address: oracle.to_string(),
        },
    );
    let page: AddressesResponse = s.query(&QueryMsg::Oracles {
        start_after: None,
        limit: Some(2),
    });
    assert_eq!(page.addresses.len(), 2);
    let rest: AddressesResponse = s.query(&QueryMsg::Oracles {
        start_after: Some(page.addresses[1].to_string()),
        limit: Some(2),
    });
    assert_eq!(rest.addresses.len(), 1);
    // Oracles need no registration, so the role index points to Oracles.
    let by_role = s
        .app
        .wrap()
        .query_wasm_smart::<starminer_interfaces::registry::ProvidersResponse>(
            s.registry.clone(),
            &QueryMsg::ProvidersByRole {
                role: Role::Oracle,
                start_after: None,
                limit: None,
            },
        )
        .unwrap_err();
    assert!(by_role.to_string().contains("query Oracles"));

    s.gov(&ExecuteMsg::RemoveOracle {
        address: oracle.to_string(),
    })
    .unwrap();
    assert_err(
        s.gov(&ExecuteMsg::RemoveOracle {
            address: oracle.to_string(),
        }),
        ContractError::NotOracle {
            address: oracle.to_string(),
        },
    );
    assert_err(
        s.exec_as(
            "alice",
            &ExecuteMsg::RemoveOracle {
                address: s.addr("oracle2").to_string(),
            },
        ),
        ContractError::NotGovernance {},
    );
}

#[test]
fn zones_are_governed_and_a_used_zone_cannot_be_removed() {
    let mut s = Suite::new();
    assert_err(
        s.exec_as(
            "alice",
            &ExecuteMsg::AddZones {
                zones: vec!["x".into()],
            },
        ),
        ContractError::NotGovernance {},
    );
    s.gov(&ExecuteMsg::AddZones {
        zones: vec!["sa-east".into(), "af-north".into()],
    })
    .unwrap();
    assert_err(
        s.gov(&ExecuteMsg::AddZones {
            zones: vec!["eu-west".into()],
        }),
        ContractError::ZoneExists {
            zone: "eu-west".into(),
        },
    );
    assert_err(
        s.gov(&ExecuteMsg::AddZones {
            zones: vec!["Bad Zone".into()],
        }),
        ContractError::InvalidZoneId {
            zone: "Bad Zone".into(),
        },
    );
    let page: ZonesResponse = s.query(&QueryMsg::Zones {
        start_after: None,
        limit: Some(3),
    });
    assert_eq!(page.zones, vec!["af-north", "ap-south", "eu-west"]);
    let rest: ZonesResponse = s.query(&QueryMsg::Zones {
        start_after: Some("eu-west".into()),
        limit: None,
    });
    assert_eq!(rest.zones, vec!["sa-east", "us-east"]);

    s.register("alice", "sa-east", vec![]).unwrap();
    assert_err(
        s.gov(&ExecuteMsg::RemoveZones {
            zones: vec!["sa-east".into()],
        }),
        ContractError::ZoneInUse {
            zone: "sa-east".into(),
            users: 1,
        },
    );
    s.exec_as(
        "alice",
        &ExecuteMsg::UpdateProfile {
            moniker: None,
            pubkey: None,
            region: None,
            zone: Some("eu-west".into()),
            result_server_url: None,
            roles: None,
        },
    )
    .unwrap();
    // Still in use until the move takes effect (and the record follows).
    assert_err(
        s.gov(&ExecuteMsg::RemoveZones {
            zones: vec!["sa-east".into()],
        }),
        ContractError::ZoneInUse {
            zone: "sa-east".into(),
            users: 1,
        },
    );
    s.advance(3_600);
    s.exec_as("alice", &ExecuteMsg::Heartbeat {}).unwrap();
    s.gov(&ExecuteMsg::RemoveZones {
        zones: vec!["sa-east".into()],
    })
    .unwrap();
    assert_err(
        s.gov(&ExecuteMsg::RemoveZones {
            zones: vec!["sa-east".into()],
        }),
        ContractError::UnknownZone {
            zone: "sa-east".into(),
        },
    );
}

#[test]
fn instantiate_rejects_bad_params_and_funds() {
    let mut s = Suite::new();
    let code_id = s.app.contract_data(&s.registry).map(|d| d.code_id).unwrap();
    let mut params = default_params();
    params.max_validators = 0;
    let msg = starminer_interfaces::registry::InstantiateMsg {
        governance: s.gov.to_string(),
        agpu_token: s.agpu.to_string(),
        authorized: vec![],
        zones: vec![],
        params,
        oracles: vec![],
    };
    let gov = s.gov.clone();
    let res = s
        .app
        .instantiate_contract(code_id, gov.clone(), &msg, &[], "bad", None);
    assert_eq!(
        res.unwrap_err().root_cause().to_string(),
        ContractError::InvalidParams {
            reason: "max_validators must be positive".into()
        }
        .to_string()
    );
    let alice = s.addr("alice");
    let res = s.app.instantiate_contract(
        code_id,
        alice,
        &starminer_interfaces::registry::InstantiateMsg {
            params: default_params(),
            ..msg
        },
        &cosmwasm_std::coins(1, crate::suite::NATIVE),
        "paid",
        None,
    );
    assert_eq!(
        res.unwrap_err().root_cause().to_string(),
        ContractError::Payment(cw_utils::PaymentError::NonPayable {}).to_string()
    );
}

#[test]
fn migrate_to_the_same_version_is_allowed() {
    let mut s = Suite::new();
    let code_id = s.app.contract_data(&s.registry).map(|d| d.code_id).unwrap();
    let gov = s.gov.clone();
    s.app
        .migrate_contract(gov, s.registry.clone(), &MigrateMsg {}, code_id)
        .unwrap();
}
