//! The result server: chunks come with proofs that `starminer_merkle`
//! accepts, tampered ones are rejected, ranges are bounded and misses are
//! clear 404s.

mod common;

use std::sync::Arc;

use common::{put, sample_output, start_server};
use starminer_agent::results::ResultStore;
use starminer_agent::server::ChunkResponse;
use starminer_merkle::{leaf_hash, verify_proof, Hash};

fn h(s: &str) -> Hash {
    hex::decode(s).unwrap().try_into().unwrap()
}

async fn get_chunk(base: &str, id: &str, i: u64) -> ChunkResponse {
    let resp = reqwest::get(format!("{base}/results/{id}/chunks/{i}"))
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    resp.json().await.unwrap()
}

#[tokio::test]
async fn every_served_chunk_verifies_against_the_root_and_tampering_fails() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(ResultStore::open(dir.path()).unwrap());
    let data = sample_output(7 * 4096 + 123);
    let stored = put(&store, "job-1", &data, 4096);
    let base = start_server(store).await;
    let root = stored.tree.root();
    for i in 0..8 {
        let c = get_chunk(&base, "job-1", i).await;
        assert_eq!(c.chunk_count, 8);
        assert_eq!(h(&c.root), root);
        let bytes = hex::decode(&c.data).unwrap();
        assert_eq!(
            bytes,
            &data[i as usize * 4096..((i as usize + 1) * 4096).min(data.len())]
        );
        let leaf = leaf_hash(&bytes);
        assert_eq!(hex::encode(leaf), c.leaf);
        let proof: Vec<Hash> = c.proof.iter().map(|p| h(p)).collect();
        verify_proof(&root, c.chunk_count, i, &leaf, &proof).unwrap();
        // A flipped data byte, a flipped proof byte, or another index fail.
        let mut bad = bytes.clone();
        bad[0] ^= 1;
        assert!(verify_proof(&root, 8, i, &leaf_hash(&bad), &proof).is_err());
        let mut bad_proof = proof.clone();
        bad_proof[0][5] ^= 0x80;
        assert!(verify_proof(&root, 8, i, &leaf, &bad_proof).is_err());
        assert!(verify_proof(&root, 8, (i + 1) % 8, &leaf, &proof).is_err());
    }
    // The raw endpoint serves the same bytes.
    let raw = reqwest::get(format!("{base}/results/job-1/chunks/7/raw"))
        .await
        .unwrap();
    assert_eq!(raw.bytes().await.unwrap().as_ref(), &data[7 * 4096..]);
}

#[tokio::test]
async fn metadata_output_ranges_and_listing() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(ResultStore::open(dir.path()).unwrap());
    let data = sample_output(100_000);
    put(&store, "a", &data, 65536);
    put(&store, "b", &data[..10], 65536);
    let base = start_server(store).await;
    let client = reqwest::Client::new();

    let meta: serde_json::Value = reqwest::get(format!("{base}/results/a"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(meta["chunk_count"], 2);
    assert_eq!(meta["output_size"], 100_000);

    let whole = reqwest::get(format!("{base}/results/a/output"))
        .await
        .unwrap();
    assert_eq!(whole.status(), 200);
    assert_eq!(whole.bytes().await.unwrap().as_ref(), &data[..]);

    let part = client
        .get(format!("{base}/results/a/output"))
        .header("Range", "bytes=10-19")
        .send()
        .await
        .unwrap();
    assert_eq!(part.status(), 206);
    assert_eq!(part.headers()["content-range"], "bytes 10-19/100000");
    assert_eq!(part.bytes().await.unwrap().as_ref(), &data[10..20]);

    let tail = client
        .get(format!("{base}/results/a/output"))
        .header("Range", "bytes=-5")
        .send()
        .await
        .unwrap();
    assert_eq!(tail.bytes().await.unwrap().as_ref(), &data[99_995..]);

    for bad in ["bytes=100000-", "bytes=0-1,5-6", "lines=1-2"] {
        let r = client
            .get(format!("{base}/results/a/output"))
            .header("Range", bad)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 416, "{bad}");
    }

    let list: serde_json::Value = reqwest::get(format!("{base}/results?limit=1"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["results"].as_array().unwrap().len(), 1);
    assert_eq!(list["results"][0]["id"], "a");
    let next: serde_json::Value = reqwest::get(format!("{base}/results?start_after=a"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(next["results"][0]["id"], "b");
}

#[tokio::test]
async fn misses_are_clear_404s() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(ResultStore::open(dir.path()).unwrap());
    put(&store, "a", &sample_output(5000), 4096);
    let base = start_server(store).await;
    for (path, says) in [
        ("/results/nope", "no result `nope`"),
        ("/results/nope/chunks/0", "no result `nope`"),
        (
            "/results/a/chunks/2",
            "chunk 2 does not exist: result `a` has 2 chunks",
        ),
        ("/results/a/preview.png", "has no image"),
        ("/nothing-here", "no such endpoint"),
    ] {
        let r = reqwest::get(format!("{base}{path}")).await.unwrap();
        assert_eq!(r.status(), 404, "{path}");
        let body: serde_json::Value = r.json().await.unwrap();
        assert!(
            body["error"].as_str().unwrap().contains(says),
            "{path}: {body}"
        );
    }
    let r = reqwest::get(format!("{base}/results/a/chunks/x"))
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
}
