//! Replicated (commit–reveal) jobs end to end on the devnet (docs/protocol.md):
//! two provider agents in the same zone apply for the slots of a
//! `Replicated { k: 2 }` job, ask for the draw once the replica window has
//! closed and its beacon value exists, are both seated, compute, commit
//! sha256(root ‖ salt ‖ provider ‖ job id), reveal once both have committed,
//! and the last reveal settles the job: both are paid their share.
//!
//! The first provider is killed with SIGKILL after its commitment is on
//! chain and restarted only once the second has revealed: it must reveal
//! with the salt it derives again from its stored commitment secret (unless
//! the second had committed first and it revealed before the kill, which
//! the restarted agent then adopts), and the last reveal settles the job.
//!
//! Skips, saying why, when no OpenCL platform or no contract artifacts exist.

mod devnet;

use std::time::Duration;

use cosmwasm_std::Timestamp;
use devnet::{deploy, fractal_job, job, wait_for, AgentHome, Devnet, UNIT};
use starminer_interfaces::job_market::{self as jm, JobStatus};
use starminer_interfaces::market::VerificationMode;

fn slot<'a>(job: &'a jm::Job, provider: &str) -> Option<&'a jm::Slot> {
    job.slots.iter().find(|s| s.provider.as_str() == provider)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_providers_commit_reveal_and_are_both_paid_even_across_a_kill9() {
    devnet::require_opencl_and_artifacts();
    // Accounts: 0 deployer, 1 requester, 2-3 providers, 4-5 validators.
    let net = Devnet::start(6).await;
    let dir = tempfile::tempdir().unwrap();
    let addrs: Vec<&str> = net.devs.iter().map(|d| d.address.as_str()).collect();
    let (manifest, sm) = deploy(&net, dir.path(), &addrs[1..]).await;

    // Held to the end: dropping an agent home stops its agent.
    let _validators = AgentHome::validators(dir.path(), &net, [4, 5], &manifest);
    let mut first = AgentHome::provider(dir.path(), "rig-a", &net, 2, &manifest);
    let mut second = AgentHome::provider(dir.path(), "rig-b", &net, 3, &manifest);
    // Register answers the benchmark challenge; a validator agent verifies it.
    first.register(Some(120));
    second.register(Some(120));
    let (a, b) = (addrs[2], addrs[3]);

    let agpu = sm.agpu();
    let before = [
        agpu.balance(a).await.unwrap(),
        agpu.balance(b).await.unwrap(),
    ];
    let now = Timestamp::from_seconds(net.client().status().await.unwrap().time);
    let spec = fractal_job(
        now,
        [512, 256, 256],
        64 << 20,
        10_000,
        VerificationMode::Replicated { k: 2 },
    );
    let (job_id, _) = sm
        .submit_job(&net.wallet(1), 1_000 * UNIT, spec)
        .await
        .unwrap();

    // Both apply for the slots (the market draws them by bond once the
    // replica window closed and its beacon value exists; with two
    // applicants for two slots both are seated) and the agents ask for the
    // draw themselves.
    first.start();
    second.start();
    let drawn = wait_for("both slots drawn", Duration::from_secs(180), || async {
        let j = job(&sm, job_id).await;
        assert!(
            !matches!(j.status, JobStatus::Failed | JobStatus::Expired),
            "the job went {:?}",
            j.status
        );
        (slot(&j, a).is_some() && slot(&j, b).is_some()).then_some(j)
    })
    .await;
    assert!(drawn.replica_draw.is_none(), "the application round ended");
    for home in [&first, &second] {
        for step in ["applied for a replica slot", "drawn for a replica slot"] {
            let what = format!("`{step}` in the log of {}", home.name);
            wait_for(&what, Duration::from_secs(30), || async {
                home.log_text().contains(step).then_some(())
            })
            .await;
        }
    }

    // The first provider commits, then dies.
    wait_for("the first commitment", Duration::from_secs(180), || async {
        let j = job(&sm, job_id).await;
        slot(&j, a)
            .is_some_and(|s| s.commitment.is_some())
            .then_some(())
    })
    .await;
    // The chain can show the commitment before the agent has seen its own
    // transaction committed: let it record that (and log it), then kill it.
    wait_for(
        "`result committed` in the first agent's log",
        Duration::from_secs(30),
        || async { first.log_text().contains("result committed").then_some(()) },
    )
    .await;
    first.kill9();
    // A reveal the agent broadcast just before it died may still be in the
    // mempool: let two blocks pass so it has landed (or never will) before
    // reading what the first provider did.
    let killed_at = net.client().status().await.unwrap().height;
    wait_for(
        "two blocks after the kill",
        Duration::from_secs(30),
        || async { (net.client().status().await.unwrap().height >= killed_at + 2).then_some(()) },
    )
    .await;
    let revealed_before_kill = slot(&job(&sm, job_id).await, a).is_some_and(|s| s.result.is_some());

    // The second commits (reveals open) and reveals.
    let revealing = wait_for("the second reveal", Duration::from_secs(180), || async {
        let j = job(&sm, job_id).await;
        assert!(
            matches!(
                j.status,
                JobStatus::Assigned | JobStatus::Revealing | JobStatus::Settled
            ),
            "the job went {:?}",
            j.status
        );
        slot(&j, b).is_some_and(|s| s.result.is_some()).then_some(j)
    })
    .await;
    if !revealed_before_kill {
        // The second committed after the first died: only the first's
        // reveal is missing.
        assert_eq!(revealing.status, JobStatus::Revealing);
        assert!(slot(&revealing, a).unwrap().result.is_none());
    }

    // The restarted first provider reveals with its stored salt: the last
    // reveal settles the job.
    first.start();
    let settled = wait_for("the job to settle", Duration::from_secs(120), || async {
        let j = job(&sm, job_id).await;
        assert!(
            matches!(j.status, JobStatus::Revealing | JobStatus::Settled),
            "the job went {:?}",
            j.status
        );
        (j.status == JobStatus::Settled).then_some(j)
    })
    .await;
    let root_a = slot(&settled, a).unwrap().result.clone().unwrap().root;
    let root_b = slot(&settled, b).unwrap().result.clone().unwrap().root;
    assert_eq!(root_a, root_b, "both providers computed the same output");
    assert_eq!(settled.result.as_ref().unwrap().root, root_a);
    let total = settled.settlement.as_ref().unwrap().provider_payouts.u128();
    assert!(total > 0);
    assert_eq!(total % 2, 0, "two equal shares");
    let share = total / 2;

    // Both are paid (less any incentive rewards claimed meanwhile, which
    // the agents' metrics count).
    for (home, who, before) in [(&first, a, before[0]), (&second, b, before[1])] {
        wait_for(
            &format!("{} to be paid", home.name),
            Duration::from_secs(30),
            || async {
                let rewards = home
                    .metric("starminer_agent_rewards_uagpu_total")
                    .await
                    .unwrap_or(0.0) as u128;
                let balance = agpu.balance(who).await.unwrap();
                (balance == before + share + rewards).then_some(())
            },
        )
        .await;
        let earned = wait_for("the earnings metric", Duration::from_secs(30), || async {
            home.metric("starminer_agent_earnings_uagpu_total")
                .await
                .filter(|v| *v > 0.0)
        })
        .await;
        assert_eq!(earned as u128, share, "{}", home.name);
        // The earnings metric and the log line of a step are written one
        // after the other: give the log a moment.
        // A reveal sent just before the kill is adopted after the restart.
        for steps in [
            &["result committed"][..],
            &["result revealed", "the reveal is already on chain"],
            &["settled (replicated)"],
        ] {
            let what = format!("`{}` in the log of {}", steps.join("` or `"), home.name);
            wait_for(&what, Duration::from_secs(20), || async {
                let log = home.log_text();
                steps.iter().any(|s| log.contains(s)).then_some(())
            })
            .await;
        }
    }
    assert!(
        first.log_text().contains("committed"),
        "the restarted agent resumed its committed lease"
    );

    // The output the winning root commits to is served.
    let out = starminer_client::output::fetch_verified_output(
        &settled,
        starminer_templates::by_id("render.fractal")
            .unwrap()
            .info()
            .chunk_size,
    )
    .await
    .expect("a provider serves the output the root commits to");
    assert_eq!(out.bytes.len(), 512 * 256);
}
