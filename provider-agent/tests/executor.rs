//! End to end on the OpenCL device: run a template through the executor,
//! store it, reopen the store, serve it, and check that a chunk fetched from
//! the server equals the chunk a verifier recomputes alone. Skips, saying
//! why, only when no OpenCL platform exists.

mod common;

use std::sync::Arc;

use common::start_server;
use starminer_agent::executor::Executor;
use starminer_agent::results::{NewResult, ResultStore};
use starminer_agent::server::ChunkResponse;
use starminer_merkle::{leaf_hash, verify_proof, Hash};
use starminer_templates::by_id;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn executed_job_is_stored_served_and_recomputable() {
    if starminer_templates::list_devices().is_empty() {
        panic!("no OpenCL platform: run scripts/setup.sh (it installs pocl-opencl-icd)");
    }
    let exec = Executor::open_all().unwrap();
    let t = by_id("render.fractal").unwrap();
    let p = t.parse_params("width=512,height=384,max_iter=200").unwrap();
    let job = exec.run(0, t, &p, &[]).unwrap();
    assert_eq!(job.tree.leaf_count(), 3);
    assert!(job.preview_png.is_some());

    let dir = tempfile::tempdir().unwrap();
    {
        let store = ResultStore::open(dir.path()).unwrap();
        store
            .put(NewResult {
                id: "fractal-1",
                template: t.info().id,
                params: &p.canonical(),
                kernel_sha256: &t.info().kernel_sha256_hex(),
                chunk_size: t.info().chunk_size,
                device: &job.device,
                output: &job.data,
                tree: &job.tree,
                preview_png: job.preview_png.as_deref(),
            })
            .unwrap();
    }
    let store = Arc::new(ResultStore::open(dir.path()).unwrap());
    let base = start_server(store).await;

    let png = reqwest::get(format!("{base}/results/fractal-1/preview.png"))
        .await
        .unwrap();
    assert_eq!(png.headers()["content-type"], "image/png");

    let c: ChunkResponse = reqwest::get(format!("{base}/results/fractal-1/chunks/1"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let data = hex::decode(&c.data).unwrap();
    let root: Hash = hex::decode(&c.root).unwrap().try_into().unwrap();
    let proof: Vec<Hash> = c
        .proof
        .iter()
        .map(|s| hex::decode(s).unwrap().try_into().unwrap())
        .collect();
    verify_proof(&root, c.chunk_count, 1, &leaf_hash(&data), &proof).unwrap();
    // The verifier's side: recompute chunk 1 alone and compare.
    let recomputed = t
        .recompute_chunk(exec.device(0).unwrap(), &p, &[], 1, None)
        .unwrap();
    assert_eq!(recomputed, data);
}
