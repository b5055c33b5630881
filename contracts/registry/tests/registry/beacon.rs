//! The randomness beacon: hash-chain anchors, reveals, the log and its head.

use registry::ContractError;
use sha2::{Digest, Sha256};
use starminer_interfaces::registry::{
    BeaconEntryResponse, BeaconResponse, ExecuteMsg, QueryMsg, Role,
};

use crate::suite::{assert_err, Chain, Suite};

pub fn beacon(s: &Suite) -> BeaconResponse {
    s.query(&QueryMsg::Beacon {})
}

pub fn set_anchor(s: &mut Suite, who: &str, chain: &Chain) {
    s.exec_as(
        who,
        &ExecuteMsg::SetBeaconAnchor {
            anchor: chain.anchor(),
        },
    )
    .unwrap();
}

pub fn reveal(s: &mut Suite, who: &str, chain: &mut Chain) -> crate::suite::Res {
    let preimage = chain.pop();
    s.exec_as(who, &ExecuteMsg::RevealBeacon { preimage })
}

#[test]
fn genesis_is_the_hash_of_the_contract_address() {
    let s = Suite::new();
    let b = beacon(&s);
    assert_eq!(b.seq, 0);
    assert_eq!(b.value, hex::encode(Sha256::digest(s.registry.as_bytes())));
    assert_eq!(b.reveals_per_draw, 0, "no anchored validator yet");
    let at0: BeaconEntryResponse = s.query(&QueryMsg::BeaconAt { seq: 0 });
    assert_eq!(at0.entry.unwrap().value, b.value);
    let at1: BeaconEntryResponse = s.query(&QueryMsg::BeaconAt { seq: 1 });
    assert!(at1.entry.is_none());
}

#[test]
fn genesis_anchors_bootstrap_after_an_interval_then_fresh_anchors_wait() {
    let mut s = Suite::new();
    for v in ["val1", "val2", "val3"] {
        s.validator_with_stake(v, 5_000);
    }
    let mut c1 = Chain::new("val1 secret", 10);
    let mut c2 = Chain::new("val2 secret", 10);
    let mut c3 = Chain::new("val3 secret", 10);
    set_anchor(&mut s, "val1", &c1);
    assert_eq!(beacon(&s).reveals_per_draw, 1);
    set_anchor(&mut s, "val2", &c2);
    set_anchor(&mut s, "val3", &c3);
    assert_eq!(beacon(&s).reveals_per_draw, 3);
    // A wrong preimage is refused.
    assert_err(
        s.exec_as(
            "val1",
            &ExecuteMsg::RevealBeacon {
                preimage: "00".repeat(32),
            },
        ),
        ContractError::WrongPreimage {},
    );
    // Every anchor is fresh: nobody can move the beacon, so the first reveal
    // waits one interval.
    assert_err(
        reveal(&mut s, "val1", &mut Chain::new("val1 secret", 10)),
        ContractError::AnchorNotMatured { beacon_seq: 0 },
    );
    s.advance(30);
    reveal(&mut s, "val1", &mut c1).unwrap();
    // The others' anchors predate value 1: they reveal at once.
    reveal(&mut s, "val2", &mut c2).unwrap();
    // val3 replaces its anchor now: fresh again, and val1 (matured) could
    // move the beacon, so val3 waits for it however long it takes.
    let mut c3b = Chain::new("val3 second secret", 10);
    set_anchor(&mut s, "val3", &c3b);
    s.advance(100);
    assert_err(
        reveal(&mut s, "val3", &mut Chain::new("val3 second secret", 10)),
        ContractError::AnchorNotMatured { beacon_seq: 2 },
    );
    reveal(&mut s, "val1", &mut c1).unwrap();
    reveal(&mut s, "val3", &mut c3b).unwrap();
    assert_eq!(beacon(&s).seq, 4);
    let _ = &mut c3;
}

#[test]
fn a_lone_validator_bootstraps_and_then_one_reveal_per_interval() {
    let mut s = Suite::new();
    s.validator_with_stake("val1", 5_000);
    let mut c1 = Chain::new("val1 secret", 10);
    set_anchor(&mut s, "val1", &c1);
    let genesis = beacon(&s).value;
    let mut early = Chain::new("val1 secret", 10);
    let p = early.pop();
    assert_err(
        s.exec_as("val1", &ExecuteMsg::RevealBeacon { preimage: p }),
        ContractError::AnchorNotMatured { beacon_seq: 0 },
    );
    s.advance(30);
    let res = reveal(&mut s, "val1", &mut c1).unwrap();
    let b = beacon(&s);
    assert_eq!(b.seq, 1);
    assert_eq!(crate::suite::attr(&res, "beacon_value"), b.value);
    // value = sha256(prev ‖ canonical address ‖ preimage)
    let canon = cosmwasm_std::Api::addr_canonicalize(s.app.api(), s.addr("val1").as_str()).unwrap();
    let mut h = Sha256::new();
    h.update(hex::decode(&genesis).unwrap());
    h.update(canon.as_slice());
    h.update(hex::decode(Chain::new("val1 secret", 10).pop()).unwrap());
    assert_eq!(b.value, hex::encode(h.finalize()));
    let at1: BeaconEntryResponse = s.query(&QueryMsg::BeaconAt { seq: 1 });
    let e = at1.entry.unwrap();
    assert_eq!(e.revealer, s.addr("val1"));
    assert_eq!(e.value, b.value);

    // One reveal per interval.
    s.advance(29);
    let next = s.app.block_info().time.plus_seconds(1);
    assert_err(
        reveal(&mut s, "val1", &mut Chain::new("val1 secret", 9)),
        ContractError::RevealTooSoon { next },
    );
    s.advance(1);
    reveal(&mut s, "val1", &mut c1).unwrap();
    assert_eq!(beacon(&s).seq, 2);
}

#[test]
fn two_validators_alternate_and_fresh_anchors_wait_for_the_other() {
    let mut s = Suite::new();
    s.validator_with_stake("val1", 5_000);
    let mut c1 = Chain::new("val1 secret", 10);
    set_anchor(&mut s, "val1", &c1);
    s.advance(30);
    reveal(&mut s, "val1", &mut c1).unwrap();
    // val2 joins after the beacon is running: its anchor must wait until
    // someone else moves the beacon.
    s.validator_with_stake("val2", 6_000);
    let mut c2 = Chain::new("val2 secret", 10);
    set_anchor(&mut s, "val2", &c2);
    assert_eq!(beacon(&s).reveals_per_draw, 2);
    s.advance(30);
    assert_err(
        reveal(&mut s, "val2", &mut Chain::new("val2 secret", 10)),
        ContractError::AnchorNotMatured { beacon_seq: 1 },
    );
    reveal(&mut s, "val1", &mut c1).unwrap();
    reveal(&mut s, "val2", &mut c2).unwrap();
    assert_eq!(beacon(&s).seq, 3);
}

#[test]
fn only_seated_validators_take_part() {
    let mut s = Suite::new();
    s.provider_with_stake("alice", 1_000);
    let c = Chain::new("alice", 3);
    assert_err(
        s.exec_as("alice", &ExecuteMsg::SetBeaconAnchor { anchor: c.anchor() }),
        ContractError::NotValidator {},
    );
    s.validator_with_stake("val1", 5_000);
    assert_err(
        s.exec_as(
            "val1",
            &ExecuteMsg::SetBeaconAnchor {
                anchor: "xyz".into(),
            },
        ),
        ContractError::InvalidHash {
            field: "anchor".into(),
        },
    );
    assert_err(
        s.exec_as(
            "val1",
            &ExecuteMsg::RevealBeacon {
                preimage: "00".repeat(32),
            },
        ),
        ContractError::NoBeaconAnchor {},
    );
    // HasRole answers in one lookup.
    let val1 = s.addr("val1").to_string();
    let yes: bool = s.query(&QueryMsg::HasRole {
        address: val1.clone(),
        role: Role::Validator,
    });
    assert!(yes);
    let no: bool = s.query(&QueryMsg::HasRole {
        address: val1,
        role: Role::Provider,
    });
    assert!(!no);
}

#[test]
fn slash_reports_what_it_took_and_validators_show_free_bond() {
    let mut s = Suite::new();
    s.validator_with_stake("val1", 6_000);
    // Verifier collateral: any bonded address can be locked for a job.
    s.lock("val1", 7, 1_500).unwrap();
    let vals: starminer_interfaces::registry::ValidatorsResponse = s.query(&QueryMsg::Validators {
        start_after: None,
        limit: None,
    });
    assert_eq!(vals.validators[0].free.u128(), 4_500);
    let res = s.slash("val1", Some(7), 2_000, Some("requester")).unwrap();
    let data: starminer_interfaces::registry::SlashResult =
        cosmwasm_std::from_json(res.data.expect("slash sets data")).unwrap();
    assert_eq!(data.taken.u128(), 2_000);
    assert_eq!(data.to_beneficiary.u128(), 1_200);
    assert_eq!(data.to_treasury.u128(), 800);
}

#[test]
fn validator_that_misses_the_beacon_is_reported_jailed_slashed_and_replaced() {
    let mut s = Suite::new();
    for v in ["val1", "val2", "val3"] {
        s.validator_with_stake(v, 5_000);
    }
    // val4 waits: a tie does not displace.
    s.validator_with_stake("val4", 5_000);
    assert!(!s.seated().contains(&s.addr("val4")));
    let t0 = s.app.block_info().time;
    let mut c1 = Chain::new("val1 secret", 10);
    set_anchor(&mut s, "val1", &c1);
    s.advance(30);
    reveal(&mut s, "val1", &mut c1).unwrap();
    let val2 = s.addr("val2").to_string();
    let report = |v: &str| ExecuteMsg::ReportMissedBeacon {
        validator: v.to_string(),
    };
    assert_err(
        s.exec_as("bob", &report(&val2)),
        ContractError::DutyNotMissed {
            due: t0.plus_seconds(600),
        },
    );
    s.advance(571);
    let treasury = s.agpu_balance(&s.gov);
    let res = s.exec_as("bob", &report(&val2)).unwrap();
    assert_eq!(crate::suite::attr(&res, "duty"), "beacon");
    let p = s.provider("val2");
    assert!(p.is_jailed());
    assert_eq!(p.bonded.u128(), 4_950);
    assert_eq!(s.agpu_balance(&s.gov), treasury + 50);
    // Its seat went to the best candidate in the same message.
    assert!(!s.seated().contains(&s.addr("val2")));
    assert!(s.seated().contains(&s.addr("val4")));
    // val1 revealed 571 s ago: not missed. val2 is no longer seated.
    let val1 = s.addr("val1").to_string();
    assert_err(
        s.exec_as("bob", &report(&val1)),
        ContractError::DutyNotMissed {
            due: t0.plus_seconds(630),
        },
    );
    assert_err(
        s.exec_as("bob", &report(&val2)),
        ContractError::NotSeated { address: val2 },
    );
    // val4's duty clock starts at its seating.
    let val4 = s.addr("val4").to_string();
    s.advance(599);
    assert!(s.exec_as("bob", &report(&val4)).is_err());
}
