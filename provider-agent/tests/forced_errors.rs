//! Forced errors, the provider's result server: a result stored with a
//! forced-error pair serves nothing before the draw, then exactly the
//! designated tree (the false one with its altered chunk), never the output
//! or the true root before the reveal, and everything after it; the pair
//! and its view survive a reopen of the store.

mod common;

use std::sync::Arc;

use common::{put, sample_output, start_server};
use starminer_agent::decoy::{self, DecoyView, Tree};
use starminer_agent::results::ResultStore;
use starminer_agent::server::ChunkResponse;
use starminer_interfaces::job_market::decoy_index;
use starminer_merkle::{leaf_hash, verify_proof, Hash};

const CHUNK: u64 = 4096;
const JOB: u64 = 77;

fn h(s: &str) -> Hash {
    hex::decode(s).unwrap().try_into().unwrap()
}

async fn get(url: String) -> reqwest::Response {
    reqwest::get(url).await.unwrap()
}

/// Fetches chunk `i` (optionally under `root`), checks its proof against
/// the root it names, and returns it.
async fn chunk(base: &str, i: u64, root: Option<&str>) -> ChunkResponse {
    let q = root.map(|r| format!("?root={r}")).unwrap_or_default();
    let resp = get(format!("{base}/results/job-{JOB}/chunks/{i}{q}")).await;
    assert_eq!(resp.status(), 200, "chunk {i} under {root:?}");
    let c: ChunkResponse = resp.json().await.unwrap();
    let data = hex::decode(&c.data).unwrap();
    let leaf = leaf_hash(&data);
    assert_eq!(hex::encode(leaf), c.leaf);
    let proof: Vec<Hash> = c.proof.iter().map(|p| h(p)).collect();
    verify_proof(&h(&c.root), c.chunk_count, i, &leaf, &proof).expect("the proof holds");
    c
}

async fn status(url: String) -> u16 {
    get(url).await.status().as_u16()
}

#[tokio::test]
async fn the_server_shows_only_the_designated_tree_until_the_reveal() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(ResultStore::open(dir.path()).unwrap());
    let data = sample_output(9 * CHUNK as usize + 100);
    let stored = put(&store, &format!("job-{JOB}"), &data, CHUNK);
    let n = stored.tree.leaf_count();
    let d = decoy_index(JOB, n);
    let true_root = stored.meta.root.clone();
    let id = format!("job-{JOB}");

    // Without a pair nothing changes; views need a pair.
    assert!(store.set_decoy_view(&id, DecoyView::Open).is_err());

    // The false root was submitted; the draw is not known yet.
    let r = store.seal_decoy(&id, d, Tree::False).unwrap();
    let false_root = r.root_of(Tree::False);
    assert_ne!(false_root, true_root);
    assert_eq!(r.tree_for_root(&false_root), Some(Tree::False));
    assert_eq!(r.tree_for_root(&true_root.to_uppercase()), Some(Tree::True));
    assert_eq!(r.tree_for_root(&"00".repeat(32)), None);
    // Sealing again at the same chunk is idempotent; another chunk is not.
    store.seal_decoy(&id, d, Tree::False).unwrap();
    assert!(store.seal_decoy(&id, (d + 1) % n, Tree::False).is_err());

    let base = start_server(store.clone()).await;
    let chunk_url = |i: u64| format!("{base}/results/{id}/chunks/{i}");
    let meta_root = |base: String| async move {
        let m: serde_json::Value = get(format!("{base}/results/job-{JOB}"))
            .await
            .json()
            .await
            .unwrap();
        m["root"].as_str().unwrap().to_string()
    };

    // Sealed: no chunk, no output, and the metadata shows the submitted root.
    let sealed = get(chunk_url(0)).await;
    assert_eq!(sealed.status(), 503);
    assert!(sealed.headers().contains_key("retry-after"));
    assert_eq!(status(format!("{}/raw", chunk_url(d))).await, 503);
    assert_eq!(status(format!("{base}/results/{id}/output")).await, 503);
    assert_eq!(
        status(format!("{base}/results/{id}/preview.png")).await,
        503
    );
    assert_eq!(meta_root(base.clone()).await, false_root);
    let list: serde_json::Value = get(format!("{base}/results")).await.json().await.unwrap();
    assert_eq!(list["results"][0]["root"], false_root.as_str());

    // The verifiers check the false tree: chunk d is the altered one, every
    // proof leads to the false root, the true root is refused.
    assert!(store
        .set_decoy_view(&id, DecoyView::Designated(Tree::False))
        .unwrap());
    assert!(!store
        .set_decoy_view(&id, DecoyView::Designated(Tree::False))
        .unwrap());
    let start = (d * CHUNK) as usize;
    let true_d = &data[start..(start + CHUNK as usize).min(data.len())];
    for i in 0..n {
        for root in [None, Some(false_root.as_str())] {
            let c = chunk(&base, i, root).await;
            assert_eq!(c.root, false_root);
            let bytes = hex::decode(&c.data).unwrap();
            if i == d {
                assert_eq!(bytes, decoy::altered_chunk(true_d));
            } else {
                let s = (i * CHUNK) as usize;
                assert_eq!(bytes, &data[s..(s + CHUNK as usize).min(data.len())]);
            }
        }
    }
    let raw = get(format!("{}/raw?root={false_root}", chunk_url(d))).await;
    assert_eq!(
        raw.bytes().await.unwrap().as_ref(),
        decoy::altered_chunk(true_d)
    );
    let other = get(format!("{}?root={true_root}", chunk_url(d))).await;
    assert_eq!(other.status(), 409);
    assert!(other.text().await.unwrap().contains(&false_root));
    assert_eq!(status(format!("{base}/results/{id}/output")).await, 503);
    assert_eq!(meta_root(base.clone()).await, false_root);

    // The view and the pair survive a restart.
    drop(store);
    let store = Arc::new(ResultStore::open(dir.path()).unwrap());
    let r = store.get(&id).unwrap();
    let state = r.decoy().unwrap().state();
    assert_eq!(
        (state.index, state.submitted, state.view),
        (d, Tree::False, DecoyView::Designated(Tree::False))
    );
    assert_eq!(r.root_of(Tree::False), false_root);
    assert_eq!(
        r.chunk_in(Tree::False, d).unwrap().unwrap(),
        decoy::altered_chunk(true_d)
    );
    assert_eq!(r.chunk_in(Tree::True, d).unwrap().unwrap(), true_d);
    let base = start_server(store.clone()).await;
    let chunk_url = |i: u64| format!("{base}/results/{id}/chunks/{i}");

    // Had the draw designated the true tree: its chunks, still no output.
    store
        .set_decoy_view(&id, DecoyView::Designated(Tree::True))
        .unwrap();
    let c = chunk(&base, d, Some(&true_root)).await;
    assert_eq!(hex::decode(&c.data).unwrap(), true_d);
    assert_eq!(
        status(format!("{}?root={false_root}", chunk_url(d))).await,
        409
    );
    assert_eq!(status(format!("{base}/results/{id}/output")).await, 503);
    assert_eq!(meta_root(base.clone()).await, true_root);

    // Revealed: the true tree and the output by default, the false tree
    // only to whoever names its root (a voter reading the chain just before
    // the reveal).
    store.set_decoy_view(&id, DecoyView::Open).unwrap();
    for i in [0, d, n - 1] {
        assert_eq!(chunk(&base, i, None).await.root, true_root);
        assert_eq!(chunk(&base, i, Some(&true_root)).await.root, true_root);
        assert_eq!(chunk(&base, i, Some(&false_root)).await.root, false_root);
    }
    assert_eq!(
        status(format!("{}?root={}", chunk_url(0), "00".repeat(32))).await,
        409
    );
    let out = get(format!("{base}/results/{id}/output")).await;
    assert_eq!(out.status(), 200);
    assert_eq!(out.bytes().await.unwrap().as_ref(), &data[..]);
    assert_eq!(meta_root(base.clone()).await, true_root);
    // No preview was stored: a plain 404 now.
    assert_eq!(
        status(format!("{base}/results/{id}/preview.png")).await,
        404
    );
}

#[tokio::test]
async fn a_result_without_a_pair_checks_the_asked_root() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(ResultStore::open(dir.path()).unwrap());
    let data = sample_output(3 * CHUNK as usize);
    let stored = put(&store, "job-5", &data, CHUNK);
    let root = stored.meta.root.clone();
    let base = start_server(store).await;
    let ok = get(format!("{base}/results/job-5/chunks/1?root={root}")).await;
    assert_eq!(ok.status(), 200);
    let other = get(format!(
        "{base}/results/job-5/chunks/1?root={}",
        "ab".repeat(32)
    ))
    .await;
    assert_eq!(other.status(), 409);
    assert_eq!(
        get(format!("{base}/results/job-5/output")).await.status(),
        200
    );
}

#[test]
fn the_pair_from_the_stored_trees_proves_both_roots() {
    let dir = tempfile::tempdir().unwrap();
    let store = ResultStore::open(dir.path()).unwrap();
    let data = sample_output(5 * CHUNK as usize + 1);
    let stored = put(&store, "job-8", &data, CHUNK);
    let d = decoy_index(8, stored.tree.leaf_count());
    let chunk = stored.chunk(d).unwrap().unwrap();
    let f = decoy::false_tree(&stored.tree, d, &chunk).unwrap();
    let seal = decoy::new_seal(8, &stored.tree, &f).unwrap();
    let r = store.seal_decoy("job-8", d, seal.submitted()).unwrap();
    assert_eq!(r.root_of(Tree::False), seal.false_root);
    let pair = decoy::pair(&seal, &r.tree, r.tree_of(Tree::False), "prov", 8).unwrap();
    let proof: Vec<Hash> = pair.proof.iter().map(|p| h(p)).collect();
    let n = r.tree.leaf_count();
    let fold = |leaf: &str| {
        hex::encode(starminer_merkle::root_from_proof(n, d, &h(leaf), &proof).unwrap())
    };
    assert_eq!(fold(&pair.leaf), seal.submitted_root());
    let other = if seal.honest == 0 {
        &seal.false_root
    } else {
        &seal.true_root
    };
    assert_eq!(&fold(&pair.other_leaf), other);
}
