//! Register, profile, hardware, heartbeat, DID document, list indexes.

use cosmwasm_std::{coins, Binary, Uint128, Uint64};
use cw_multi_test::Executor;
use registry::ContractError;
use starminer_interfaces::registry::{
    Capacity, CapacityResponse, DidDocument, ExecuteMsg, ProviderStatus, ProvidersResponse,
    QueryMsg, Role, INITIAL_REPUTATION,
};

use crate::suite::{assert_err, gpu, pubkey, Suite, NATIVE};

#[test]
fn register_creates_a_fresh_record() {
    let mut s = Suite::new();
    s.register("alice", "eu-west", vec![Role::Provider, Role::Validator])
        .unwrap();
    let p = s.provider("alice");
    assert_eq!(p.address, s.addr("alice"));
    assert_eq!(p.reputation, INITIAL_REPUTATION);
    assert_eq!(p.tier, 0);
    assert_eq!(p.status, ProviderStatus::Active);
    assert_eq!(p.roles, vec![Role::Provider, Role::Validator]);
    // Nothing bonded yet: no role is active.
    assert!(p.active_roles.is_empty());
    assert_eq!(s.totals().providers, 1);
}

#[test]
fn register_twice_is_rejected() {
    let mut s = Suite::new();
    s.register("alice", "eu-west", vec![]).unwrap();
    assert_err(
        s.register("alice", "eu-west", vec![]),
        ContractError::AlreadyRegistered {
            address: s.addr("alice").to_string(),
        },
    );
}

#[test]
fn register_validates_every_field() {
    let mut s = Suite::new();
    assert_err(
        s.register("alice", "mars-1", vec![]),
        ContractError::UnknownZone {
            zone: "mars-1".into(),
        },
    );
    let base = Suite::register_msg("eu-west", vec![]);
    let with = |f: &dyn Fn(&mut ExecuteMsg)| {
        let mut m = base.clone();
        f(&mut m);
        m
    };
    let cases: Vec<(ExecuteMsg, ContractError)> = vec![
        (
            with(&|m| {
                if let ExecuteMsg::Register { moniker, .. } = m {
                    *moniker = "x".repeat(33);
                }
            }),
            ContractError::InvalidText {
                field: "moniker".into(),
                max: 32,
            },
        ),
        (
            with(&|m| {
                if let ExecuteMsg::Register { region, .. } = m {
                    *region = String::new();
                }
            }),
            ContractError::InvalidText {
                field: "region".into(),
                max: 32,
            },
        ),
        (
            with(&|m| {
                if let ExecuteMsg::Register {
                    result_server_url, ..
                } = m
                {
                    *result_server_url = Some("ftp://rig.example".into());
                }
            }),
            ContractError::InvalidUrl { max: 64 },
        ),
        (
            with(&|m| {
                if let ExecuteMsg::Register { pubkey, .. } = m {
                    *pubkey = Some(Binary::from(vec![2u8; 20]));
                }
            }),
            ContractError::InvalidPubkey {},
        ),
        (
            with(&|m| {
                if let ExecuteMsg::Register { hardware, .. } = m {
                    *hardware = vec![gpu(1), gpu(2), gpu(3)];
                }
            }),
            ContractError::TooManyDevices { max: 2 },
        ),
        (
            with(&|m| {
                if let ExecuteMsg::Register { hardware, .. } = m {
                    let mut d = gpu(1);
                    d.global_mem_bytes = Uint64::zero();
                    *hardware = vec![gpu(1), d];
                }
            }),
            ContractError::InvalidDevice { index: 1 },
        ),
        (
            with(&|m| {
                if let ExecuteMsg::Register { roles, .. } = m {
                    *roles = vec![Role::Oracle];
                }
            }),
            ContractError::InvalidRoleRequest {},
        ),
    ];
    for (msg, expected) in cases {
        assert_err(s.exec_as("alice", &msg), expected);
    }
}

#[test]
fn every_message_refuses_native_funds() {
    let mut s = Suite::new();
    s.provider_with_stake("bob", 1_000);
    let bob = s.addr("bob").to_string();
    let messages = vec![
        Suite::register_msg("eu-west", vec![]),
        ExecuteMsg::Heartbeat {},
        ExecuteMsg::Unbond {
            amount: 1u128.into(),
        },
        ExecuteMsg::Claim {},
        ExecuteMsg::Unjail {},
        ExecuteMsg::RequestBenchmark { claimed_score: 10 },
        ExecuteMsg::UpdateHardware {
            hardware: vec![gpu(1)],
        },
        ExecuteMsg::LockCollateral {
            provider: bob.clone(),
            job_id: 1,
            amount: 1u128.into(),
        },
        ExecuteMsg::AddZones {
            zones: vec!["zz".into()],
        },
    ];
    for msg in messages {
        // alice holds native coins and tries to attach some to each message.
        let alice = s.addr("alice");
        let res = s
            .app
            .execute_contract(alice, s.registry.clone(), &msg, &coins(10, NATIVE));
        assert_err(
            res,
            ContractError::Payment(cw_utils::PaymentError::NonPayable {}),
        );
    }
}

#[test]
fn update_profile_moves_zone_index_and_checks_roles() {
    let mut s = Suite::new();
    s.provider_with_stake("alice", 1_000);
    s.exec_as(
        "alice",
        &ExecuteMsg::UpdateProfile {
            moniker: Some("rig-2".into()),
            pubkey: None,
            region: Some("Virginia".into()),
            zone: Some("us-east".into()),
            result_server_url: Some("http://10.0.0.1:9000".into()),
            roles: None,
        },
    )
    .unwrap();
    let p = s.provider("alice");
    assert_eq!(p.moniker, "rig-2");
    // The zone change waits for zone_change_delay (1 h by default).
    assert_eq!(p.zone, "eu-west");
    assert_eq!(p.pending_zone.as_ref().unwrap().zone, "us-east");
    s.advance(3_599);
    assert_eq!(s.provider("alice").zone, "eu-west");
    s.advance(1);
    // Queries show it once due; the indexes follow at the next write.
    assert_eq!(s.provider("alice").zone, "us-east");
    s.exec_as("alice", &ExecuteMsg::Heartbeat {}).unwrap();
    let p = s.provider("alice");
    assert_eq!(p.zone, "us-east");
    assert_eq!(p.pending_zone, None);
    let eu: ProvidersResponse = s.query(&QueryMsg::ProvidersByZone {
        zone: "eu-west".into(),
        start_after: None,
        limit: None,
    });
    assert!(eu.providers.is_empty());
    let us: ProvidersResponse = s.query(&QueryMsg::ProvidersByZone {
        zone: "us-east".into(),
        start_after: None,
        limit: None,
    });
    assert_eq!(s.names(us), vec![s.addr("alice")]);

    // Dropping the provider role removes it from the role index.
    s.exec_as(
        "alice",
        &ExecuteMsg::UpdateProfile {
            moniker: None,
            pubkey: None,
            region: None,
            zone: None,
            result_server_url: None,
            roles: Some(vec![]),
        },
    )
    .unwrap();
    let by_role: ProvidersResponse = s.query(&QueryMsg::ProvidersByRole {
        role: Role::Provider,
        start_after: None,
        limit: None,
    });
    assert!(by_role.providers.is_empty());

    assert_err(
        s.exec_as(
            "alice",
            &ExecuteMsg::UpdateProfile {
                moniker: None,
                pubkey: None,
                region: None,
                zone: Some("nowhere".into()),
                result_server_url: None,
                roles: None,
            },
        ),
        ContractError::UnknownZone {
            zone: "nowhere".into(),
        },
    );
    assert_err(
        s.exec_as("bob", &ExecuteMsg::Heartbeat {}),
        ContractError::NotRegistered {
            address: s.addr("bob").to_string(),
        },
    );
}

#[test]
fn update_hardware_resets_tier_and_capacity_follows() {
    let mut s = Suite::new();
    s.provider_with_stake("alice", 1_000);
    let cap: CapacityResponse = s.query(&QueryMsg::Capacity {
        start_after: None,
        limit: None,
    });
    assert_eq!(cap.entries.len(), 1);
    assert_eq!(
        cap.entries[0].capacity,
        Capacity {
            providers: 1,
            devices: 1,
            compute_units: 132,
            global_mem_bytes: Uint64::new(80_000_000_000),
            score_sum: Uint128::zero(),
        }
    );
    s.exec_as(
        "alice",
        &ExecuteMsg::UpdateHardware {
            hardware: vec![gpu(10), gpu(20)],
        },
    )
    .unwrap();
    let p = s.provider("alice");
    assert_eq!(p.tier, 0);
    assert_eq!(p.benchmark.verified_score, 0);
    let cap: CapacityResponse = s.query(&QueryMsg::Capacity {
        start_after: None,
        limit: None,
    });
    assert_eq!(cap.entries[0].capacity.devices, 2);
    assert_eq!(cap.entries[0].capacity.compute_units, 30);
    assert_err(
        s.exec_as(
            "alice",
            &ExecuteMsg::UpdateHardware {
                hardware: vec![gpu(1); 3],
            },
        ),
        ContractError::TooManyDevices { max: 2 },
    );
}

#[test]
fn heartbeat_records_block_time() {
    let mut s = Suite::new();
    s.register("alice", "eu-west", vec![]).unwrap();
    s.advance(42);
    s.exec_as("alice", &ExecuteMsg::Heartbeat {}).unwrap();
    let now = s.app.block_info().time;
    assert_eq!(s.provider("alice").last_heartbeat, Some(now));
}

#[test]
fn did_document_lists_key_and_result_server() {
    let mut s = Suite::new();
    // The key must be the sender's own: its address derives from it.
    let key = pubkey();
    let alice = s.addr_of_key(&key);
    let mut msg = Suite::register_msg("eu-west", vec![]);
    if let ExecuteMsg::Register { pubkey, .. } = &mut msg {
        *pubkey = Some(key);
    }
    s.exec(&alice, &msg).unwrap();
    let doc: DidDocument = s.query(&QueryMsg::DidDocument {
        address: alice.to_string(),
    });
    let did = format!("did:starminer:{alice}");
    assert_eq!(doc.id, did);
    assert_eq!(doc.controller, did);
    assert_eq!(doc.verification_method.len(), 1);
    assert_eq!(
        doc.verification_method[0].public_key_hex,
        format!("02{}", "07".repeat(32))
    );
    assert_eq!(doc.service[0].service_endpoint, "https://rig.example:8443");
    let json = cosmwasm_std::to_json_string(&doc).unwrap();
    assert!(json.contains("\"@context\""));
    assert!(json.contains("\"verificationMethod\""));
    assert!(json.contains("\"serviceEndpoint\""));

    let missing = s
        .app
        .wrap()
        .query_wasm_smart::<DidDocument>(
            s.registry.clone(),
            &QueryMsg::DidDocument {
                address: s.addr("bob").to_string(),
            },
        )
        .unwrap_err();
    assert!(missing.to_string().contains("not found"));
}

#[test]
fn providers_list_paginates_in_address_order() {
    let mut s = Suite::new();
    let users = ["alice", "bob", "carol", "dave", "erin"];
    for u in users {
        s.register(u, "eu-west", vec![]).unwrap();
    }
    let mut expected: Vec<_> = users.iter().map(|u| s.addr(u)).collect();
    expected.sort();

    let mut seen = vec![];
    let mut start_after = None;
    loop {
        let page: ProvidersResponse = s.query(&QueryMsg::Providers {
            start_after: start_after.clone(),
            limit: Some(2),
        });
        if page.providers.is_empty() {
            break;
        }
        assert!(page.providers.len() <= 2);
        start_after = page.providers.last().map(|p| p.address.to_string());
        seen.extend(s.names(page));
    }
    assert_eq!(seen, expected);

    // The zone index pages the same way.
    let first: ProvidersResponse = s.query(&QueryMsg::ProvidersByZone {
        zone: "eu-west".into(),
        start_after: None,
        limit: Some(3),
    });
    let rest: ProvidersResponse = s.query(&QueryMsg::ProvidersByZone {
        zone: "eu-west".into(),
        start_after: Some(first.providers[2].address.to_string()),
        limit: Some(100),
    });
    assert_eq!(first.providers.len() + rest.providers.len(), 5);
    // Requester is everyone.
    let requesters: ProvidersResponse = s.query(&QueryMsg::ProvidersByRole {
        role: Role::Requester,
        start_after: None,
        limit: Some(100),
    });
    assert_eq!(requesters.providers.len(), 5);
    // Tier 0 holds every unverified record.
    let tier0: ProvidersResponse = s.query(&QueryMsg::ProvidersByTier {
        tier: 0,
        start_after: None,
        limit: None,
    });
    assert_eq!(tier0.providers.len(), 5);
}

#[test]
fn default_page_is_ten_and_max_is_one_hundred() {
    let mut s = Suite::new();
    for i in 0..12 {
        let name = format!("user{i}");
        let addr = s.addr(&name);
        s.exec(&addr, &Suite::register_msg("ap-south", vec![]))
            .unwrap();
    }
    let page: ProvidersResponse = s.query(&QueryMsg::Providers {
        start_after: None,
        limit: None,
    });
    assert_eq!(page.providers.len(), 10);
    let page: ProvidersResponse = s.query(&QueryMsg::Providers {
        start_after: None,
        limit: Some(1_000),
    });
    assert_eq!(page.providers.len(), 12);
}

#[test]
fn capacity_counts_active_providers_per_zone_and_tier_and_paginates() {
    let mut s = Suite::new();
    s.provider_with_stake("alice", 1_000);
    s.register("bob", "us-east", vec![Role::Provider]).unwrap();
    s.bond("bob", 1_000).unwrap();
    // carol has no stake: registered, but no active capacity.
    s.register("carol", "ap-south", vec![Role::Provider])
        .unwrap();
    let first: CapacityResponse = s.query(&QueryMsg::Capacity {
        start_after: None,
        limit: Some(1),
    });
    assert_eq!(first.entries.len(), 1);
    assert_eq!(first.entries[0].zone, "eu-west");
    let rest: CapacityResponse = s.query(&QueryMsg::Capacity {
        start_after: Some((first.entries[0].zone.clone(), first.entries[0].tier)),
        limit: None,
    });
    assert_eq!(rest.entries.len(), 1);
    assert_eq!(rest.entries[0].zone, "us-east");
    assert_eq!(rest.entries[0].capacity.providers, 1);
    // Losing the role removes the capacity.
    s.unbond("bob", 1).unwrap();
    let all: CapacityResponse = s.query(&QueryMsg::Capacity {
        start_after: None,
        limit: None,
    });
    assert_eq!(all.entries.len(), 1);
}

#[test]
fn attack_did_with_someone_elses_pubkey_is_refused() {
    // Mallory publishes a DID document claiming the key of a well-known
    // operator, so that clients trust signatures that are not hers.
    let mut s = Suite::new();
    let key = pubkey();
    let owner = s.addr_of_key(&key);
    let mut msg = Suite::register_msg("eu-west", vec![]);
    if let ExecuteMsg::Register { pubkey, .. } = &mut msg {
        *pubkey = Some(key.clone());
    }
    assert_err(
        s.exec_as("alice", &msg),
        ContractError::PubkeyNotSender {
            derived: owner.to_string(),
        },
    );
    // Nor can she swap it in later.
    s.register("alice", "eu-west", vec![]).unwrap();
    assert_err(
        s.exec_as(
            "alice",
            &ExecuteMsg::UpdateProfile {
                moniker: None,
                pubkey: Some(key.clone()),
                region: None,
                zone: None,
                result_server_url: None,
                roles: None,
            },
        ),
        ContractError::PubkeyNotSender {
            derived: owner.to_string(),
        },
    );
    assert_eq!(s.provider("alice").pubkey, None);
    // The owner can, also with the uncompressed form of its key.
    s.exec(&owner, &msg).unwrap();
    assert_eq!(s.provider_at(&owner).pubkey, Some(key));
}
