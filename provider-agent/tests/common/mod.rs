//! Helpers shared by the agent's integration tests.
#![allow(dead_code)]

use std::sync::Arc;

use starminer_agent::results::{NewResult, ResultStore, StoredResult};

/// Bytes that differ from chunk to chunk.
pub fn sample_output(len: usize) -> Vec<u8> {
    (0..len as u64)
        .map(|i| (i.wrapping_mul(0x9E37_79B9) >> 7) as u8)
        .collect()
}

/// Stores `data` as result `id` with the given chunk size.
pub fn put(store: &ResultStore, id: &str, data: &[u8], chunk_size: u64) -> Arc<StoredResult> {
    let tree = starminer_agent::hashing::commit_bytes(data, chunk_size);
    store
        .put(NewResult {
            id,
            template: "bench.v1",
            params: "rounds=1,words=1",
            kernel_sha256: &"00".repeat(32),
            chunk_size,
            device: "test",
            output: data,
            tree: &tree,
            preview_png: None,
        })
        .unwrap()
}

/// Starts the result server on an ephemeral loopback port.
pub async fn start_server(store: Arc<ResultStore>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(starminer_agent::server::serve(store, listener));
    format!("http://{addr}")
}
