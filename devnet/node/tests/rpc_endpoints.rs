//! The CometBFT endpoints not covered by the client story, read through
//! tendermint-rpc's `HttpClient`, so their shapes are the ones the crate's
//! CometBFT 0.38 types parse: blockchain, commit, validators, genesis,
//! net_info and broadcast_tx_commit.

mod common;

use common::*;
use tendermint_rpc::{Client, Paging};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blockchain_commit_validators_genesis_net_info_and_broadcast_commit() {
    let net = Devnet::start().await;
    let (alice, bob) = (net.devs[0].address.clone(), net.devs[1].address.clone());
    let h = net.wait_past(3).await;

    // broadcast_tx_commit: CheckTx and the DeliverTx result of the block that took it.
    let bob_before = net.balance(&bob).await;
    let tx = net.sign(0, vec![send(&alice, &bob, 4242)], 200_000).await;
    let r = net.client.broadcast_tx_commit(tx.clone()).await.unwrap();
    assert!(r.check_tx.code.is_ok(), "{}", r.check_tx.log);
    assert!(r.tx_result.code.is_ok(), "{}", r.tx_result.log);
    assert!(r.height.value() > h);
    assert!(r.tx_result.gas_used > 0);
    let by_hash = net.client.tx(r.hash, false).await.unwrap();
    assert_eq!((by_hash.height, by_hash.tx), (r.height, tx.clone()));
    assert_eq!(by_hash.tx_result, r.tx_result);
    assert_eq!(net.balance(&bob).await, bob_before + 4242);
    // A rejected broadcast_tx_commit answers CheckTx's error and no block.
    let r2 = net.client.broadcast_tx_commit(tx).await.unwrap();
    assert_eq!(r2.check_tx.code.value(), 32, "{r2:?}");
    assert_eq!(r2.height.value(), 0);

    let latest = net.wait_past(r.height.value()).await;

    // blockchain: newest first, the headers and ids `block` gives.
    let chain = net.client.blockchain(1u32, latest as u32).await.unwrap();
    assert!(chain.last_height.value() >= latest);
    let metas = &chain.block_metas;
    assert_eq!(metas.len(), (latest.min(20)) as usize);
    assert_eq!(metas[0].header.height.value(), latest);
    for pair in metas.windows(2) {
        assert_eq!(
            pair[0].header.height.value(),
            pair[1].header.height.value() + 1
        );
        assert_eq!(pair[0].header.last_block_id, Some(pair[1].block_id));
    }
    let tx_block = metas
        .iter()
        .find(|m| m.header.height == r.height)
        .expect("the tx's block among the metas");
    assert_eq!(tx_block.num_txs, 1);
    let b = net.client.block(r.height).await.unwrap();
    assert_eq!(tx_block.block_id, b.block_id);
    assert_eq!(tx_block.header, b.block.header);
    assert!(tx_block.block_size > 0);

    // commit: the signed header of that block, signed by the one validator.
    let c = net.client.commit(r.height).await.unwrap();
    assert!(c.canonical);
    assert_eq!(c.signed_header.header, b.block.header);
    assert_eq!(c.signed_header.commit.block_id, b.block_id);
    assert_eq!(c.signed_header.commit.height, r.height);
    let next = net.client.block(r.height.increment()).await.unwrap();
    assert_eq!(
        next.block.last_commit.as_ref(),
        Some(&c.signed_header.commit)
    );
    // The latest commit without a height.
    let latest_commit = net.client.latest_commit().await.unwrap();
    assert!(latest_commit.signed_header.header.height.value() >= latest);

    // header, consensus_params and block_search, which relayers use to
    // build client updates and find block events.
    let h = net.client.header(r.height).await.unwrap();
    assert_eq!(h.header, b.block.header);
    let cp = net.client.consensus_params(r.height).await.unwrap();
    assert_eq!(cp.block_height, r.height);
    assert!(cp.consensus_params.block.max_bytes > 0);
    let query: tendermint_rpc::query::Query = format!(
        "block.height >= {} AND block.height <= {}",
        r.height.value(),
        r.height.value() + 1
    )
    .parse()
    .unwrap();
    let found = net
        .client
        .block_search(query.clone(), 1, 10, tendermint_rpc::Order::Descending)
        .await
        .unwrap();
    assert_eq!(found.total_count, 2);
    assert_eq!(found.blocks[0].block.header.height, r.height.increment());
    assert_eq!(found.blocks[1].block_id, b.block_id);
    let err = net
        .client
        .block_search(query, 3, 10, tendermint_rpc::Order::Ascending)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("page should be within"), "{err}");

    // validators: the set the headers commit to.
    let vals = net.client.validators(r.height, Paging::All).await.unwrap();
    assert_eq!(vals.block_height, r.height);
    assert_eq!(vals.total, 1);
    assert_eq!(vals.validators.len(), 1);
    let set = tendermint::validator::Set::without_proposer(vals.validators.clone());
    assert_eq!(set.hash(), b.block.header.validators_hash);
    let status = net.client.status().await.unwrap();
    assert_eq!(vals.validators[0].address, status.validator_info.address);
    assert_eq!(vals.validators[0].power.value(), 10);
    assert_eq!(
        c.signed_header.commit.signatures.len(),
        1,
        "one signature, from the one validator"
    );
    // The signature verifies with the validator's key over the canonical vote.
    let sh = &c.signed_header;
    let vote = tendermint::vote::Vote {
        vote_type: tendermint::vote::Type::Precommit,
        height: sh.commit.height,
        round: sh.commit.round,
        block_id: Some(sh.commit.block_id),
        timestamp: match &sh.commit.signatures[0] {
            tendermint::block::CommitSig::BlockIdFlagCommit { timestamp, .. } => Some(*timestamp),
            other => panic!("not a commit signature: {other:?}"),
        },
        validator_address: vals.validators[0].address,
        validator_index: 0u32.try_into().unwrap(),
        signature: None,
        extension: Vec::new(),
        extension_signature: None,
    };
    let sign_bytes = vote.into_signable_vec(sh.header.chain_id.clone());
    let signature = match &sh.commit.signatures[0] {
        tendermint::block::CommitSig::BlockIdFlagCommit {
            signature: Some(s), ..
        } => s.clone(),
        other => panic!("unsigned commit: {other:?}"),
    };
    let key = vals.validators[0]
        .pub_key
        .ed25519()
        .expect("an ed25519 validator");
    let vk = ed25519_consensus::VerificationKey::try_from(key.as_bytes()).unwrap();
    let sig = ed25519_consensus::Signature::try_from(signature.as_bytes()).unwrap();
    vk.verify(&sig, &sign_bytes)
        .expect("the commit signature verifies");

    // genesis: the document `init` wrote, with its app state.
    let g = net.client.genesis::<serde_json::Value>().await.unwrap();
    assert_eq!(g.chain_id.as_str(), CHAIN_ID);
    assert_eq!(g.validators.len(), 1);
    assert_eq!(g.validators[0].address, status.validator_info.address);
    assert_eq!(g.initial_height, 1);
    let accounts = g.app_state["accounts"].as_array().unwrap();
    assert_eq!(accounts.len(), 2);
    assert_eq!(accounts[0]["address"], alice);
    let on_disk: serde_json::Value =
        serde_json::from_slice(&std::fs::read(net.home().join("config/genesis.json")).unwrap())
            .unwrap();
    assert_eq!(g.app_state, on_disk["app_state"]);

    // net_info: a node alone, listening.
    let info = net.client.net_info().await.unwrap();
    assert!(info.listening);
    assert_eq!(info.n_peers, 0);
    assert!(info.peers.is_empty());
    assert_eq!(info.listeners.len(), 1);
}
