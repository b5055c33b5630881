//! Fetching a job's output from the provider's result server and checking it
//! against the Merkle root the chain accepted.
//!
//! The provider submits `output_uri` with its result: the base URL of the
//! result on its result server (`…/results/<id>`), which serves the whole
//! output at `…/output`. The bytes are re-chunked at the template's chunk
//! size and hashed into the `starminer-merkle` tree; only a tree whose root
//! and chunk count equal the on-chain result is accepted.

use std::time::Duration;

use anyhow::{anyhow, bail, Context, Result};
use serde::Serialize;
use starminer_interfaces::job_market::{Job, JobResult};

/// An output that matched the on-chain result.
#[derive(Clone, Debug, Serialize)]
pub struct VerifiedOutput {
    #[serde(skip)]
    pub bytes: Vec<u8>,
    pub root: String,
    pub chunk_count: u64,
    pub size: u64,
    pub url: String,
}

/// The URL of the whole output for a result's `output_uri`.
pub fn output_url(output_uri: &str) -> String {
    let base = output_uri.trim_end_matches('/');
    if base.ends_with("/output") {
        base.to_string()
    } else {
        format!("{base}/output")
    }
}

/// Checks `bytes` against `result` with the template's `chunk_size`.
pub fn verify_output(bytes: &[u8], result: &JobResult, chunk_size: u64) -> Result<String> {
    if bytes.len() as u64 != result.output_size {
        bail!(
            "the output is {} bytes but the chain records {}: the provider served something else",
            bytes.len(),
            result.output_size
        );
    }
    let size = usize::try_from(chunk_size.max(1)).unwrap_or(usize::MAX);
    let tree = starminer_merkle::MerkleTree::from_data(bytes, size)
        .ok_or_else(|| anyhow!("cannot build a Merkle tree over the output"))?;
    let root = hex::encode(tree.root());
    if tree.leaf_count() != result.chunk_count {
        bail!(
            "the output has {} chunks of {chunk_size} bytes but the chain records {}",
            tree.leaf_count(),
            result.chunk_count
        );
    }
    if root != result.root.to_lowercase() {
        bail!(
            "the output's Merkle root {root} differs from the on-chain root {}: do not trust this output",
            result.root
        );
    }
    Ok(root)
}

/// Downloads `job`'s accepted output and verifies it (see the module docs).
pub async fn fetch_verified_output(job: &Job, chunk_size: u64) -> Result<VerifiedOutput> {
    let result = job.result.as_ref().ok_or_else(|| {
        anyhow!(
            "job {} has no accepted result yet (status {:?}): wait for it (`starminer job watch {}`)",
            job.id,
            job.status,
            job.id
        )
    })?;
    // While a forced-error pair is sealed, the result's root is the one the
    // verifiers are shown, which may be the deliberately wrong twin.
    if job
        .verification
        .as_ref()
        .and_then(|v| v.decoy.as_ref())
        .is_some_and(|d| d.honest.is_none())
    {
        bail!(
            "job {}'s result is still being verified (its provider has not revealed which of its two roots is true): wait for it (`starminer job watch {}`)",
            job.id,
            job.id
        );
    }
    let url = output_url(&result.output_uri);
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(300))
        .build()?;
    let resp = client
        .get(&url)
        .send()
        .await
        .with_context(|| format!("fetching {url}: is the provider's result server up?"))?;
    if !resp.status().is_success() {
        let status = resp.status();
        let body = resp.text().await.unwrap_or_default();
        bail!("{url} answered {status}: {body}");
    }
    let bytes = resp
        .bytes()
        .await
        .with_context(|| format!("reading {url}"))?
        .to_vec();
    let root = verify_output(&bytes, result, chunk_size)?;
    Ok(VerifiedOutput {
        size: bytes.len() as u64,
        bytes,
        root,
        chunk_count: result.chunk_count,
        url,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use cosmwasm_std::Timestamp;

    fn result_for(data: &[u8], chunk: usize) -> JobResult {
        let tree = starminer_merkle::MerkleTree::from_data(data, chunk).unwrap();
        JobResult {
            root: hex::encode(tree.root()),
            chunk_count: tree.leaf_count(),
            output_size: data.len() as u64,
            output_uri: "http://127.0.0.1:8088/results/1".into(),
            submitted_at: Timestamp::from_seconds(0),
        }
    }

    #[test]
    fn matching_output_verifies_and_tampering_is_caught() {
        let data: Vec<u8> = (0..10_000u32).map(|i| (i * 7) as u8).collect();
        let r = result_for(&data, 1024);
        assert_eq!(verify_output(&data, &r, 1024).unwrap(), r.root);
        let mut bad = data.clone();
        bad[5000] ^= 1;
        assert!(verify_output(&bad, &r, 1024)
            .unwrap_err()
            .to_string()
            .contains("differs"));
        assert!(verify_output(&data[..9000], &r, 1024).is_err());
        // The wrong chunk size gives another tree.
        assert!(verify_output(&data, &r, 512).is_err());
    }

    /// Serves `body` once over HTTP on a loopback port; returns the base URL.
    fn serve_once(body: Vec<u8>) -> String {
        use std::io::{Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            let (mut s, _) = listener.accept().unwrap();
            let mut buf = [0u8; 4096];
            let n = s.read(&mut buf).unwrap();
            let request = String::from_utf8_lossy(&buf[..n]).to_string();
            assert!(
                request.starts_with("GET /results/job-9/output "),
                "{request}"
            );
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            s.write_all(head.as_bytes()).unwrap();
            s.write_all(&body).unwrap();
        });
        format!("http://127.0.0.1:{port}/results/job-9")
    }

    fn job_with(result: JobResult) -> Job {
        let spec: starminer_interfaces::job_market::JobSpec =
            serde_json::from_value(serde_json::json!({
                "template": "t", "params": [], "input": {"inline": {"data": ""}},
                "requirements": {"min_tier": 1, "min_device_memory": "1", "min_compute_units": 1,
                    "zone": "z", "urgency": "normal", "latency": "regional"},
                "max_price": "1", "deadline": "0", "verification": "none"
            }))
            .unwrap();
        serde_json::from_value(serde_json::json!({
            "id": 9, "requester": "r", "spec": spec, "class": "render", "tier": 1,
            "min_device_memory": "1", "min_compute_units": 1, "units": "1",
            "quote": {"tier": 1, "class": "render", "units": "1", "epoch": 0, "unit_price": "1",
                "compute_cost": "1", "replication": 1, "verifier_fee": "0", "verifiers": 0, "total": "1"},
            "escrow": "1", "status": "settled", "submitted_at": "0", "submit_height": 1,
            "requeues": 0, "slots": [], "result": result, "verification": null,
            "reveal_deadline": null, "settlement": null
        }))
        .unwrap()
    }

    #[tokio::test]
    async fn fetches_over_http_and_checks_the_root() {
        let data: Vec<u8> = (0..3000u32).map(|i| (i % 251) as u8).collect();
        let mut result = result_for(&data, 256);
        result.output_uri = serve_once(data.clone());
        let got = fetch_verified_output(&job_with(result.clone()), 256)
            .await
            .unwrap();
        assert_eq!(got.bytes, data);
        assert_eq!(got.root, result.root);

        // A provider serving other bytes is caught.
        let mut other = data.clone();
        other[0] ^= 0xff;
        result.output_uri = serve_once(other);
        let err = fetch_verified_output(&job_with(result), 256)
            .await
            .unwrap_err();
        assert!(err.to_string().contains("differs"), "{err}");
    }

    #[test]
    fn output_urls() {
        assert_eq!(
            output_url("http://h/results/1"),
            "http://h/results/1/output"
        );
        assert_eq!(
            output_url("http://h/results/1/"),
            "http://h/results/1/output"
        );
        assert_eq!(
            output_url("http://h/results/1/output"),
            "http://h/results/1/output"
        );
    }
}
