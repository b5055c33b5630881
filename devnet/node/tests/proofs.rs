//! IBC's foundations: ICS-23 proofs from `abci_query` with `prove=true`,
//! verified with the `ics23` crate against the app hash a signed header
//! commits to; and headers, commits and validator sets from `/commit` and
//! `/validators` verified with `tendermint-light-client-verifier`,
//! sequentially and skipping, across 100 heights.

mod common;

use std::time::Duration;

use common::*;
use cosmrs::AccountId;
use ics23::HostFunctionsManager;
use prost::Message;
use starminer_devnet::proofs::{proof_spec, PROOF_OP_TYPE};
use tendermint::block::signed_header::SignedHeader;
use tendermint::validator;
use tendermint_light_client_verifier::options::Options;
use tendermint_light_client_verifier::types::{LightBlock, TrustThreshold};
use tendermint_light_client_verifier::{ProdVerifier, Verdict, Verifier};
use tendermint_rpc::{Client, Paging};

/// The bank module's balance key: `0x02 ‖ len(addr) ‖ addr ‖ denom`.
fn balance_key(address: &str, denom: &str) -> Vec<u8> {
    let id: AccountId = address.parse().unwrap();
    let raw = id.to_bytes();
    let mut k = vec![0x02, raw.len() as u8];
    k.extend_from_slice(&raw);
    k.extend_from_slice(denom.as_bytes());
    k
}

/// The app hash committed for the state at `height`: in header `height + 1`.
async fn app_hash_for(net: &Devnet, height: u64) -> Vec<u8> {
    net.wait_past(height).await;
    net.client
        .commit(tendermint::block::Height::try_from(height + 1).unwrap())
        .await
        .unwrap()
        .signed_header
        .header
        .app_hash
        .as_bytes()
        .to_vec()
}

struct Proven {
    key: Vec<u8>,
    value: Vec<u8>,
    height: u64,
    proof: ics23::CommitmentProof,
}

async fn prove(net: &Devnet, path: &str, key: Vec<u8>, height: Option<u64>) -> Proven {
    let r = net
        .client
        .abci_query(
            Some(path.to_string()),
            key,
            height.map(|h| tendermint::block::Height::try_from(h).unwrap()),
            true,
        )
        .await
        .unwrap();
    assert!(r.code.is_ok(), "{}", r.log);
    let ops = r.proof.expect("prove=true answers with a proof").ops;
    assert_eq!(ops.len(), 1);
    assert_eq!(ops[0].field_type, PROOF_OP_TYPE);
    Proven {
        key: ops[0].key.clone(),
        value: r.value,
        height: r.height.value(),
        proof: ics23::CommitmentProof::decode(ops[0].data.as_slice()).unwrap(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn abci_query_proofs_verify_against_the_next_header() {
    let net = Devnet::start().await;
    let alice = net.devs[0].address.clone();
    let bob = net.devs[1].address.clone();
    let spec = proof_spec();
    let t = net
        .deliver(net.sign(0, vec![send(&alice, &bob, 4_321)], 200_000).await)
        .await;
    assert!(t.tx_result.code.is_ok());

    // An existing key: bob's balance, at the latest height.
    let p = prove(&net, "store/bank/key", balance_key(&bob, DENOM), None).await;
    assert_eq!(
        String::from_utf8(p.value.clone()).unwrap(),
        net.balance(&bob).await.to_string()
    );
    let mut full = b"bank/".to_vec();
    full.extend_from_slice(&balance_key(&bob, DENOM));
    assert_eq!(p.key, full);
    let root = app_hash_for(&net, p.height).await;
    assert!(matches!(
        p.proof.proof,
        Some(ics23::commitment_proof::Proof::Exist(_))
    ));
    assert!(ics23::verify_membership::<HostFunctionsManager>(
        &p.proof, &spec, &root, &p.key, &p.value
    ));
    // Neither another value nor another root passes.
    assert!(!ics23::verify_membership::<HostFunctionsManager>(
        &p.proof, &spec, &root, &p.key, b"1"
    ));
    let mut other_root = root.clone();
    other_root[0] ^= 1;
    assert!(!ics23::verify_membership::<HostFunctionsManager>(
        &p.proof,
        &spec,
        &other_root,
        &p.key,
        &p.value
    ));

    // An absent key: a balance nobody has.
    let stranger = AccountId::new("starminer", &[9u8; 20]).unwrap().to_string();
    let p = prove(&net, "store/bank/key", balance_key(&stranger, DENOM), None).await;
    assert!(p.value.is_empty());
    assert!(matches!(
        p.proof.proof,
        Some(ics23::commitment_proof::Proof::Nonexist(_))
    ));
    let root = app_hash_for(&net, p.height).await;
    assert!(ics23::verify_non_membership::<HostFunctionsManager>(
        &p.proof, &spec, &root, &p.key
    ));
    // A non-existence proof does not prove an existing key absent.
    let mut bob_key = b"bank/".to_vec();
    bob_key.extend_from_slice(&balance_key(&bob, DENOM));
    assert!(!ics23::verify_non_membership::<HostFunctionsManager>(
        &p.proof, &spec, &root, &bob_key
    ));

    // A past height: alice's balance before the transfer, against that
    // height's next header; and an account record in the auth store.
    let before = t.height.value() - 1;
    let p = prove(
        &net,
        "store/bank/key",
        balance_key(&alice, DENOM),
        Some(before),
    )
    .await;
    assert_eq!(p.height, before);
    assert_eq!(
        String::from_utf8(p.value.clone()).unwrap(),
        DEV_ACCOUNT_START.to_string()
    );
    let root = app_hash_for(&net, before).await;
    assert!(ics23::verify_membership::<HostFunctionsManager>(
        &p.proof, &spec, &root, &p.key, &p.value
    ));
    let acc_raw = alice.parse::<AccountId>().unwrap().to_bytes();
    let mut acc_key = vec![0x01];
    acc_key.extend_from_slice(&acc_raw);
    let r = net
        .client
        .abci_query(Some("store/acc/key".to_string()), acc_key, None, true)
        .await
        .unwrap();
    assert!(!r.value.is_empty(), "alice's account record");
    let op = &r.proof.unwrap().ops[0];
    assert!(op.key.starts_with(b"acc/\x01"));
    let proof = ics23::CommitmentProof::decode(op.data.as_slice()).unwrap();
    let root = app_hash_for(&net, r.height.value()).await;
    assert!(ics23::verify_membership::<HostFunctionsManager>(
        &proof, &spec, &root, &op.key, &r.value
    ));

    // Without prove, no proof (as CometBFT answers).
    let r = net
        .client
        .abci_query(
            Some("store/bank/key".to_string()),
            balance_key(&bob, DENOM),
            None,
            false,
        )
        .await
        .unwrap();
    assert!(r.proof.is_none());
}

/// Dev accounts' genesis balance.
const DEV_ACCOUNT_START: u128 = 1_000_000_000_000;

async fn light_block(net: &Devnet, height: u64) -> LightBlock {
    let h = tendermint::block::Height::try_from(height).unwrap();
    let commit = net.client.commit(h).await.unwrap();
    let signed: SignedHeader = commit.signed_header;
    let vals = net.client.validators(h, Paging::All).await.unwrap();
    let next = net
        .client
        .validators(h.increment(), Paging::All)
        .await
        .unwrap();
    LightBlock::new(
        signed,
        validator::Set::without_proposer(vals.validators),
        validator::Set::without_proposer(next.validators),
        tendermint::node::Id::new([1; 20]),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn light_client_verifies_headers_sequentially_and_skipping() {
    let net = Devnet::start().await;
    // 100 heights (and the next one, whose validator set the last needs).
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while net.height().await < 102 {
        assert!(
            std::time::Instant::now() < deadline,
            "the chain is too slow"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let mut blocks = Vec::new();
    for h in 1..=101u64 {
        blocks.push(light_block(&net, h).await);
    }
    let verifier = ProdVerifier::default();
    let options = Options {
        trust_threshold: TrustThreshold::ONE_THIRD,
        trusting_period: Duration::from_secs(14 * 24 * 3600),
        clock_drift: Duration::from_secs(5),
    };
    let now = tendermint::Time::now();

    // Sequential: each header from the one before it.
    for w in blocks.windows(2) {
        let verdict = verifier.verify_update_header(
            w[1].as_untrusted_state(),
            w[0].as_trusted_state(),
            &options,
            now,
        );
        assert_eq!(
            verdict,
            Verdict::Success,
            "height {}",
            w[1].signed_header.header.height
        );
    }
    // Skipping: from height 1 straight to 100, and in strides.
    for (from, to) in [(1, 100), (1, 50), (50, 100), (10, 73)] {
        let verdict = verifier.verify_update_header(
            blocks[to - 1].as_untrusted_state(),
            blocks[from - 1].as_trusted_state(),
            &options,
            now,
        );
        assert_eq!(verdict, Verdict::Success, "{from} -> {to}");
    }
    // A header whose app hash was changed after signing is refused.
    let mut forged = blocks[99].clone();
    forged.signed_header = SignedHeader::new(
        {
            let mut h = forged.signed_header.header.clone();
            h.app_hash = tendermint::AppHash::try_from(vec![0u8; 32]).unwrap();
            h
        },
        forged.signed_header.commit.clone(),
    )
    .unwrap();
    let verdict = verifier.verify_update_header(
        forged.as_untrusted_state(),
        blocks[0].as_trusted_state(),
        &options,
        now,
    );
    assert_ne!(verdict, Verdict::Success);
}
