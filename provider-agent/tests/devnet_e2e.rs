//! End to end on the devnet (docs/protocol.md): the real chain with the
//! real contracts deployed through the SDK, and `starminer-agent` processes.
//!
//! Two validator agents (eu-central) and an honest provider agent (eu-west)
//! register; the validators verify the provider's benchmark challenge. Then:
//! 1. a fractal job spot-checked by both validators is claimed, computed,
//!    submitted with its forced-error pair, checked by both validator agents
//!    (which recompute the decoy chunk), whose attestations are sealed first
//!    and opened once both are sealed (the first to seal is killed with
//!    SIGKILL once its seal is on chain and opens it after its restart),
//!    revealed by the provider and settled: the provider is paid what the
//!    settlement says, and its `/metrics` show the earnings;
//! 2. jobs the agent must not claim stay open (one needs more device memory
//!    than any device has, one pays below the agent's price policy), and a
//!    job whose input does not match its SHA-256 is reported as bad input
//!    (the job fails, the provider is paid the bad-input fee);
//! 3. a longer job: the provider is killed with SIGKILL while it computes,
//!    restarted, and the job completes and settles;
//! 4. the provider stops on SIGTERM; a cheating provider (the test-only
//!    chunk-corrupting mode) takes the next job, a validator's spot check
//!    attests it Invalid, the other validator votes in the dispute, and the
//!    cheater is slashed.
//!
//! Skips, saying why, when no OpenCL platform or no contract artifacts exist.

mod devnet;

use std::time::Duration;

use cosmwasm_std::{Timestamp, Uint64};
use devnet::{deploy, fractal_job, job, wait_for, AgentHome, Devnet, UNIT};
use sha2::Digest;
use starminer_agent::cheat::CHEAT_ENV;
use starminer_client::Starminer;
use starminer_interfaces::job_market::{self as jm, JobInput, JobParam, JobSpec, JobStatus};
use starminer_interfaces::market::VerificationMode;

/// A spot-checked fractal job of `width` × `height` at `max_iter`.
fn fractal_spec(now: Timestamp, width: u64, height: u64, max_iter: u64) -> JobSpec {
    fractal_job(
        now,
        [width, height, max_iter],
        64 << 20,
        10_000,
        VerificationMode::SpotCheck { verifiers: 1 },
    )
}

/// Job `id`, which must not have failed, expired or been disputed.
async fn live_job(sm: &Starminer, id: u64) -> jm::Job {
    let j = job(sm, id).await;
    assert!(
        !matches!(
            j.status,
            JobStatus::Failed | JobStatus::Expired | JobStatus::Disputed
        ),
        "job {id} went {:?}",
        j.status
    );
    j
}

async fn block_time(net: &Devnet) -> Timestamp {
    Timestamp::from_seconds(net.client().status().await.unwrap().time)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agents_register_compute_verify_settle_survive_kill9_and_catch_a_cheater() {
    devnet::require_opencl_and_artifacts();
    // Accounts: 0 deployer, 1 requester, 2 provider, 3-4 validators, 5 cheater.
    let net = Devnet::start(6).await;
    let dir = tempfile::tempdir().unwrap();
    let addrs: Vec<&str> = net.devs.iter().map(|d| d.address.as_str()).collect();
    let (manifest, sm) = deploy(&net, dir.path(), &addrs[1..]).await;

    let mut validators = AgentHome::validators(dir.path(), &net, [3, 4], &manifest);
    let mut provider = AgentHome::provider(dir.path(), "rig", &net, 2, &manifest);
    let mut cheater =
        AgentHome::provider(dir.path(), "cheat", &net, 5, &manifest).with_env(CHEAT_ENV, "1");
    // Register answers the benchmark challenge; a validator agent verifies it.
    provider.register(Some(120));
    cheater.register(Some(120));
    let registry = sm.registry();
    for who in [addrs[2], addrs[5]] {
        let p = registry.provider(who).await.unwrap().unwrap();
        assert!(p.tier >= 1, "{who} has tier {}", p.tier);
        assert!(p.benchmark.verified_score > 0);
    }

    // 1. An honest job, from submission to settlement.
    provider.start();
    let requester = net.wallet(1);
    let agpu = sm.agpu();
    let paid_before = agpu.balance(addrs[2]).await.unwrap();
    let mut spec = fractal_spec(block_time(&net).await, 1024, 512, 512);
    spec.verification = VerificationMode::SpotCheck { verifiers: 2 };
    let (job1, _) = sm.submit_job(&requester, 1_000 * UNIT, spec).await.unwrap();
    // Two verifiers of a forced-error pair seal their verdicts first. The
    // first to seal dies once its seal is on chain; restarted, it opens the
    // seal with the verdict and salt it kept.
    let sealer = wait_for("a sealed attestation", Duration::from_secs(240), || async {
        let j = live_job(&sm, job1).await;
        let v = j.verification?;
        assert!(v.verifiers.len() < 2 || v.sealed(), "two verifiers seal");
        v.verifiers
            .iter()
            .find(|e| e.seal.is_some())
            .map(|e| e.address.to_string())
    })
    .await;
    let killed = usize::from(sealer != addrs[3]);
    wait_for(
        "`sealed the attestation` in the sealer's log",
        Duration::from_secs(30),
        || async {
            validators[killed]
                .log_text()
                .contains("sealed the attestation")
                .then_some(())
        },
    )
    .await;
    validators[killed].kill9();
    validators[killed].start();
    let settled = wait_for("job 1 to settle", Duration::from_secs(240), || async {
        let j = live_job(&sm, job1).await;
        (j.status == JobStatus::Settled).then_some(j)
    })
    .await;
    assert_eq!(settled.slots[0].provider.as_str(), addrs[2]);
    let verification = settled.verification.as_ref().unwrap();
    assert_eq!(verification.verifiers.len(), 2);
    for e in &verification.verifiers {
        assert!(e.seal.is_some(), "{} sealed", e.address);
        assert_eq!(
            e.attestation,
            Some(jm::Attestation::Valid),
            "{} opened its seal",
            e.address
        );
    }
    for v in &validators {
        assert!(v.log_text().contains("attested"), "{} attested", v.name);
    }
    // Forced errors (on in the deployment's parameters): the result came
    // with a pair, the verifier recomputed its decoy chunk, and the
    // provider revealed which root is true, now the result's.
    let pair = verification
        .decoy
        .as_ref()
        .expect("the result carried a forced-error pair");
    let honest = pair.honest.expect("the provider revealed the pair");
    assert!(pair.designated.is_some());
    assert_eq!(
        settled.result.as_ref().unwrap().root,
        pair.roots[usize::from(honest)],
        "the true root is the result's"
    );
    // The job settles on the reveal, maybe before the agent logs it.
    wait_for(
        "the reveal in the provider's log",
        Duration::from_secs(30),
        || async {
            provider
                .log_text()
                .contains("revealed the forced-error pair")
                .then_some(())
        },
    )
    .await;
    assert!(
        validators
            .iter()
            .any(|v| v.log_text().contains("decoy_chunk=Some")),
        "the verifier checked the decoy chunk"
    );
    let forced = pair.designated != Some(honest);
    eprintln!(
        "job {job1}: designated {:?}, honest {honest}: {}",
        pair.designated,
        if forced {
            "a forced error, caught"
        } else {
            "the verifiers checked the true tree"
        }
    );
    if forced {
        // The verifier called the deliberately wrong chunk Invalid with the
        // true leaf; the reveal turned that into its Valid (asserted above).
        assert!(
            validators
                .iter()
                .any(|v| v.log_text().contains("the forced-error chunk differs")),
            "the verifier caught the forced error"
        );
    }
    let payout = settled.settlement.as_ref().unwrap().provider_payouts.u128();
    assert!(payout > 0);
    assert_eq!(agpu.balance(addrs[2]).await.unwrap(), paid_before + payout);
    // The root on chain is the Merkle root of the served output.
    let out = starminer_client::output::fetch_verified_output(
        &settled,
        starminer_templates::by_id("render.fractal")
            .unwrap()
            .info()
            .chunk_size,
    )
    .await
    .expect("the provider serves the output the root commits to");
    assert_eq!(out.bytes.len(), 1024 * 512);
    let earned = wait_for("the earnings metric", Duration::from_secs(30), || async {
        provider
            .metric("starminer_agent_earnings_uagpu_total")
            .await
            .filter(|v| *v > 0.0)
    })
    .await;
    assert_eq!(earned as u128, payout);
    assert!(
        provider
            .log_text()
            .contains("following new blocks over the WebSocket"),
        "the agent follows NewBlock over the WebSocket"
    );

    // 2. What the agent must not claim, and bad input.
    let mut too_big = fractal_spec(block_time(&net).await, 256, 256, 64);
    // More than any device here, within the market's 1 TiB requirement cap.
    too_big.requirements.min_device_memory = Uint64::new(1 << 39);
    let (job_big, _) = sm
        .submit_job(&requester, 100 * UNIT, too_big)
        .await
        .unwrap();
    let mut cheap = fractal_spec(block_time(&net).await, 0, 0, 0);
    cheap.template = "hpc.sgemm".into();
    cheap.params = ["m", "n", "k"]
        .iter()
        .map(|name| JobParam {
            name: name.to_string(),
            value: 256,
        })
        .collect();
    let (job_cheap, _) = sm.submit_job(&requester, 100 * UNIT, cheap).await.unwrap();
    let input = dir.path().join("scene.bin");
    std::fs::write(&input, b"the bytes the requester uploaded").unwrap();
    // Big enough that 10 % of it (the bad-input fee) is not rounded to zero.
    let mut bad = fractal_spec(block_time(&net).await, 1024, 1024, 1024);
    bad.input = JobInput::Remote {
        uri: format!("file://{}", input.display()),
        sha256: hex::encode(sha2::Sha256::digest(b"the bytes the requester meant")),
        size: 32,
    };
    let (job_bad, _) = sm.submit_job(&requester, 100 * UNIT, bad).await.unwrap();
    let failed = wait_for("the bad input report", Duration::from_secs(120), || async {
        let j = job(&sm, job_bad).await;
        (j.status == JobStatus::Failed).then_some(j)
    })
    .await;
    let s = failed.settlement.unwrap();
    assert!(!s.bad_input_fee.is_zero(), "the reporter is paid a fee");
    assert!(!s.refund.is_zero(), "the requester gets the rest back");
    for (id, why) in [
        (job_big, "no device has"),
        (job_cheap, "the policy asks at least"),
    ] {
        assert_eq!(
            job(&sm, id).await.status,
            JobStatus::Open,
            "job {id} was claimed"
        );
        let log = provider.log_text();
        assert!(
            log.lines().any(|l| l.contains("not claiming")
                && l.contains(&format!("job={id}"))
                && l.contains(why)),
            "job {id}: no refusal logged ({why})"
        );
    }

    // 3. SIGKILL in the middle of a job; the restarted agent finishes it.
    let (job2, _) = sm
        .submit_job(
            &requester,
            5_000 * UNIT,
            fractal_spec(block_time(&net).await, 2048, 2048, 4096),
        )
        .await
        .unwrap();
    wait_for("job 2 to be claimed", Duration::from_secs(60), || async {
        (job(&sm, job2).await.status == JobStatus::Assigned).then_some(())
    })
    .await;
    wait_for(
        "job 2's kernel to start",
        Duration::from_secs(60),
        || async {
            provider
                .log_text()
                .lines()
                .any(|l| l.contains("running job") && l.contains("width=2048"))
                .then_some(())
        },
    )
    .await;
    provider.kill9();
    assert_eq!(
        job(&sm, job2).await.status,
        JobStatus::Assigned,
        "killed before it submitted"
    );
    provider.start();
    let j2 = wait_for(
        "job 2 to settle after the restart",
        Duration::from_secs(400),
        || async {
            let j = live_job(&sm, job2).await;
            (j.status == JobStatus::Settled).then_some(j)
        },
    )
    .await;
    assert_eq!(j2.slots[0].provider.as_str(), addrs[2], "the same lease");

    // 4. SIGTERM stops the honest agent cleanly; a cheater gets caught.
    let status = provider.terminate(Duration::from_secs(60));
    assert!(
        status.is_some_and(|s| s.success()),
        "the agent exits cleanly on SIGTERM: {status:?}"
    );
    assert!(provider.log_text().contains("stopped; state saved"));
    let stake_before = registry.stake(addrs[5]).await.unwrap().bonded.u128();
    cheater.start();
    let (job3, _) = sm
        .submit_job(
            &requester,
            1_000 * UNIT,
            fractal_spec(block_time(&net).await, 1024, 512, 512),
        )
        .await
        .unwrap();
    let caught = wait_for(
        "the cheater to be slashed",
        Duration::from_secs(300),
        || async {
            let p = registry.provider(addrs[5]).await.unwrap().unwrap();
            (p.counters.times_slashed >= 1).then_some(p)
        },
    )
    .await;
    assert!(caught.reputation < 5_000 + 100, "reputation fell");
    assert!(
        registry.stake(addrs[5]).await.unwrap().bonded.u128() < stake_before,
        "the cheater lost bond"
    );
    let j3 = job(&sm, job3).await;
    assert!(
        j3.slots.iter().all(|s| s.provider.as_str() != addrs[5]) || j3.status != JobStatus::Settled,
        "the cheater was not paid: {:?}",
        j3.status
    );
    let stats = sm.job_market().stats().await.unwrap();
    assert!(!stats.totals.slashed.is_zero());
    cheater.kill9();
    for v in &mut validators {
        v.kill9();
    }
}
