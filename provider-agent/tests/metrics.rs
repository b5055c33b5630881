//! `/metrics` is scraped over HTTP from the result server the daemon runs,
//! and reports what the agent recorded.

mod common;

use std::sync::Arc;

use starminer_agent::duties::{Lease, Phase};
use starminer_agent::metrics::Metrics;
use starminer_agent::results::ResultStore;

fn lease(job_id: u64, phase: Phase) -> Lease {
    Lease {
        job_id,
        template: "render.fractal".into(),
        params: String::new(),
        device: 0,
        units: 1,
        payout: 1,
        lease_deadline: 0,
        phase,
        result: None,
        replicated: false,
        attempts: 0,
        last_error: None,
        updated_at: 0,
    }
}

/// The value of the sample line `name` (with its labels) in the exposition.
fn sample(text: &str, name: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
}

#[tokio::test]
async fn metrics_are_scraped_from_the_result_server() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(ResultStore::open(dir.path()).unwrap());
    common::put(&store, "r1", &common::sample_output(1000), 256);
    let metrics = Arc::new(Metrics::new());
    metrics.set_jobs(&[
        lease(1, Phase::Computing),
        lease(2, Phase::Submitted),
        lease(3, Phase::Submitted),
    ]);
    metrics.claims.inc_by(3);
    metrics.claims_lost.inc();
    metrics.computed("render.fractal", 1_500, 2.5);
    metrics.computed("render.fractal", 500, 0.5);
    metrics.earnings_uagpu.inc_by(9_500);
    metrics.error("chain");
    metrics.verdict("valid");
    metrics.chain_height.set(77);

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(starminer_agent::server::serve_with_metrics(
        store,
        metrics.clone(),
        listener,
    ));
    let resp = reqwest::get(format!("http://{addr}/metrics"))
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/openmetrics-text"));
    let text = resp.text().await.unwrap();
    let get = |name: &str| sample(&text, name).unwrap_or_else(|| panic!("{name} missing:\n{text}"));
    assert_eq!(get(r#"starminer_agent_jobs{phase="submitted"}"#), 2.0);
    assert_eq!(get(r#"starminer_agent_jobs{phase="computing"}"#), 1.0);
    assert_eq!(get(r#"starminer_agent_jobs{phase="settled"}"#), 0.0);
    assert_eq!(get("starminer_agent_claims_total"), 3.0);
    assert_eq!(get("starminer_agent_claims_lost_total"), 1.0);
    assert_eq!(
        get(r#"starminer_agent_units_computed_total{template="render.fractal"}"#),
        2_000.0
    );
    assert_eq!(
        get(r#"starminer_agent_kernel_seconds_total{template="render.fractal"}"#),
        3.0
    );
    assert_eq!(get("starminer_agent_earnings_uagpu_total"), 9_500.0);
    assert_eq!(get(r#"starminer_agent_errors_total{kind="chain"}"#), 1.0);
    assert_eq!(
        get(r#"starminer_agent_verifications_total{verdict="valid"}"#),
        1.0
    );
    assert_eq!(get("starminer_agent_chain_height"), 77.0);
    assert!(text.trim_end().ends_with("# EOF"));

    // The result routes still answer beside it.
    let meta: serde_json::Value = reqwest::get(format!("http://{addr}/results/r1"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(meta["chunk_count"], 4);

    // A later change shows in the next scrape.
    metrics.set_jobs(&[lease(1, Phase::Settled)]);
    let text = reqwest::get(format!("http://{addr}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(
        sample(&text, r#"starminer_agent_jobs{phase="submitted"}"#),
        Some(0.0)
    );
    assert_eq!(
        sample(&text, r#"starminer_agent_jobs{phase="settled"}"#),
        Some(1.0)
    );
}
