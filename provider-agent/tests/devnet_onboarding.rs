//! A new provider's first steps on a devnet with no validator agent, as the
//! README's commands run them (issue 15): `init` gives the amounts and the
//! commands; `register` without the fee coin, then without AGPU, fails
//! before any transaction, says what is missing and how to get it, in one
//! `error:` line with exit status 1 even with `RUST_BACKTRACE=1`;
//! `register --wait-verified` says that no validator exists and how to start
//! one; the tier-0 daemon logs why it does not take a tier-1 job; `status`
//! shows the same job table while the daemon runs and after it stopped.
//!
//! Fails, saying why, when no OpenCL platform or no contract artifacts exist.

mod devnet;

use std::process::{Command, Output};
use std::time::Duration;

use cosmwasm_std::Timestamp;
use devnet::{
    agent_bin, deploy, fractal_job, wait_for, AgentHome, Devnet, AGENT_PASSPHRASE, PASSPHRASE_ENV,
    UNIT,
};
use starminer_interfaces::market::VerificationMode;

fn agent(args: &[&str], home: &std::path::Path) -> Output {
    Command::new(agent_bin())
        .args(args)
        .arg("--home")
        .arg(home)
        .env("RUST_BACKTRACE", "1")
        .env(PASSPHRASE_ENV, AGENT_PASSPHRASE)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap()
}

fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The command failed with exit status 1 and one `error:` line holding
/// every part of `expected`, and no backtrace.
fn assert_one_line_error(out: &Output, expected: &[&str]) -> String {
    let (stdout, stderr) = text(out);
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(errors.len(), 1, "one error line:\n{stderr}");
    for e in expected {
        assert!(errors[0].contains(e), "`{e}` in:\n{}", errors[0]);
    }
    assert!(
        !stderr.to_lowercase().contains("backtrace"),
        "no backtrace:\n{stderr}"
    );
    errors[0].to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_provider_is_told_what_is_missing_at_each_step() {
    devnet::require_opencl_and_artifacts();
    // Accounts: 0 deployer and requester, 1 a funded provider.
    let net = Devnet::start(2).await;
    let dir = tempfile::tempdir().unwrap();
    let (manifest, sm) = deploy(&net, dir.path(), &[net.devs[1].address.as_str()]).await;

    // init: a new key; the next steps give the bond, the fees and commands.
    let fresh = dir.path().join("fresh");
    let out = Command::new(agent_bin())
        .args(["init", "--home"])
        .arg(&fresh)
        .args(["--rpc", &net.rpc, "--manifest"])
        .arg(&manifest)
        .env(PASSPHRASE_ENV, AGENT_PASSPHRASE)
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    let address = stdout
        .lines()
        .find_map(|l| l.strip_prefix("address: "))
        .expect("init prints the address")
        .trim()
        .to_string();
    for expected in [
        "1,000 AGPU   the bond `register` makes",
        "the chain's minimum stake is",
        &format!("starminer token send {address} 1,000 --denom agpu --from dev0"),
        &format!("starminer token send {address} 1250000 --denom ustar --from dev0"),
        "starminer-agent register --home",
        "--wait-verified 120",
    ] {
        assert!(stdout.contains(expected), "`{expected}` in:\n{stdout}");
    }

    // The key is encrypted, private, and refused once others can read it.
    use std::os::unix::fs::PermissionsExt;
    let key_file = fresh.join("keys/agent.json");
    let mnemonic = stdout
        .lines()
        .skip_while(|l| !l.starts_with("mnemonic"))
        .nth(1)
        .expect("init prints the new mnemonic")
        .trim()
        .to_string();
    let stored = std::fs::read_to_string(&key_file).unwrap();
    let first_word = mnemonic.split_whitespace().next().unwrap();
    assert!(!stored.contains(&mnemonic) && !stored.contains(&format!("{first_word} ")));
    let mode = |m| std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(m));
    assert_eq!(
        std::fs::metadata(&key_file).unwrap().permissions().mode() & 0o777,
        0o600
    );
    mode(0o644).unwrap();
    assert_one_line_error(
        &agent(&["register"], &fresh),
        &["can be read by other users (mode 644)", "chmod 600"],
    );
    mode(0o600).unwrap();
    let wrong = Command::new(agent_bin())
        .args(["register", "--home"])
        .arg(&fresh)
        .env(PASSPHRASE_ENV, "not the passphrase")
        .output()
        .unwrap();
    assert_one_line_error(&wrong, &["wrong passphrase"]);

    // register without the fee coin, then without AGPU: nothing is sent.
    assert_one_line_error(
        &agent(&["register"], &fresh),
        &[&format!("{address} holds 0 ustar"), "--denom ustar"],
    );
    net.wallet(0)
        .send(&address, 2_000_000, "ustar")
        .await
        .unwrap();
    assert_one_line_error(
        &agent(&["register"], &fresh),
        &[
            &format!("{address} holds 0 AGPU but 1,000 are needed"),
            "1,000 AGPU is missing",
            &format!("`starminer token send {address} 1,000 --denom agpu --from <funded key>`"),
        ],
    );
    assert!(
        sm.registry().provider(&address).await.unwrap().is_none(),
        "nothing was registered"
    );

    // register --wait-verified with no validator agent anywhere.
    let mut provider = AgentHome::provider(dir.path(), "rig", &net, 1, &manifest);
    let out = agent(&["register", "--wait-verified", "3"], &provider.dir);
    let (stdout, _) = text(&out);
    assert!(
        stdout.contains("waiting up to 3s: no validator is registered on this chain"),
        "{stdout}"
    );
    assert_one_line_error(
        &out,
        &[
            "no validator verified the benchmark within 3s",
            "no validator is registered on this chain",
            "starminer-agent init --home V --validator --no-provider",
            "starminer-agent run --home V",
        ],
    );

    // The tier-0 daemon says why it leaves a tier-1 job alone, once.
    provider.start();
    let now = Timestamp::from_seconds(net.client().status().await.unwrap().time);
    let tier1_job = fractal_job(
        now,
        [64, 64, 64],
        16 << 20,
        100,
        VerificationMode::SpotCheck { verifiers: 1 },
    );
    let (job, _) = sm
        .submit_job(&net.wallet(0), 50 * UNIT, tier1_job)
        .await
        .unwrap();
    let refusal = format!("job={job}");
    wait_for(
        "the tier refusal in the log",
        Duration::from_secs(60),
        || async {
            provider
                .log_text()
                .lines()
                .any(|l| {
                    l.contains(&refusal)
                        && l.contains("not claiming: needs tier 1, this provider is tier 0")
                })
                .then_some(())
        },
    )
    .await;

    // status: the same table while the daemon runs and once it stopped.
    let out = wait_for(
        "status from the daemon",
        Duration::from_secs(30),
        || async {
            let out = agent(&["status"], &provider.dir);
            out.status.success().then_some(out)
        },
    )
    .await;
    let (running, _) = text(&out);
    assert!(running.contains("daemon: running"), "{running}");
    assert!(running.contains("jobs (0):"), "{running}");
    assert!(
        !running.contains("starminer_agent_"),
        "no metrics text:\n{running}"
    );
    provider
        .terminate(Duration::from_secs(30))
        .expect("the daemon stops");
    let out = agent(&["status"], &provider.dir);
    let (stopped, stderr) = text(&out);
    assert!(out.status.success(), "{stopped}\n{stderr}");
    assert!(stopped.contains("daemon: not running"), "{stopped}");
    assert!(stopped.contains("jobs (0):"), "{stopped}");
    let refusals = provider
        .log_text()
        .lines()
        .filter(|l| l.contains(&refusal) && l.contains("not claiming"))
        .count();
    assert_eq!(refusals, 1, "the refusal is logged once");
}
