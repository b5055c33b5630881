//! The built `starminer` binary against a real devnet that it starts itself:
//! devnet up (init, start, dev keys, deploy, templates by proposal), keys,
//! token send and balances, job quote / submit / list / show / cancel,
//! market and provider reads, an idempotent second deploy, devnet down.

use std::net::TcpListener;
use std::process::Command;

use serde_json::Value;
use starminer_client::interfaces::job_market as jm;
use starminer_client::interfaces::registry as reg;
use starminer_client::{ChainClient, ChainConfig, JobAction, Manifest, Starminer, Wallet};
use starminer_testkit::{artifacts_dir, free_port};

mod harness;
use harness::Cli;

const UNIT: u128 = 1_000_000;

/// Serves `body` at every `GET …/output` on a loopback port, as a
/// provider's result server would; returns its base URL.
fn serve(body: Vec<u8>) -> String {
    use std::io::{Read, Write};
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut s) = conn else { continue };
            let mut buf = [0u8; 4096];
            let n = s.read(&mut buf).unwrap_or(0);
            let request = String::from_utf8_lossy(&buf[..n]).to_string();
            let ok = request.starts_with("GET /results/") && request.contains("/output ");
            let (status, payload) = if ok {
                ("200 OK", body.as_slice())
            } else {
                ("404 Not Found", &b"{}"[..])
            };
            let head = format!(
                "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                payload.len()
            );
            let _ = s.write_all(head.as_bytes());
            let _ = s.write_all(payload);
        }
    });
    format!("http://127.0.0.1:{port}")
}

async fn register(sm: &Starminer, w: &Wallet, zone: &str, role: reg::Role, url: Option<String>) {
    let msg = reg::ExecuteMsg::Register {
        moniker: format!("test-{zone}"),
        pubkey: None,
        region: "eu".into(),
        zone: zone.into(),
        hardware: vec![reg::Device {
            vendor: "Test".into(),
            name: "GPU".into(),
            compute_units: 16,
            global_mem_bytes: cosmwasm_std::Uint64::new(4 << 30),
            max_clock_mhz: 1500,
            opencl_version: "OpenCL 3.0".into(),
        }],
        result_server_url: url,
        roles: vec![role],
    };
    sm.registry().execute(w, &msg).await.unwrap();
}

#[test]
fn starminer_cli_runs_a_devnet_deploys_and_submits_jobs() {
    let cli = Cli::new(None);
    let rpc_port = free_port().to_string();
    let artifacts = artifacts_dir();
    let up = cli.ok(&[
        "devnet",
        "up",
        // This test plays its own validator through the SDK.
        "--no-validator-agent",
        "--rpc-port",
        &rpc_port,
        "--rest-port",
        "0",
        "--grpc-port",
        "0",
        "--block-time",
        "200ms",
        "--artifacts",
        artifacts.to_str().unwrap(),
        "--challenge-window",
        "2",
        "--spill-regional",
        "5",
    ]);
    assert!(up.contains("starminer-job-market"), "{up}");

    let status = cli.json(&["devnet", "status"]);
    assert_eq!(status["running"], true, "{status}");
    assert_eq!(
        status["validator_agent"],
        serde_json::Value::Null,
        "{status}"
    );
    // The node's log file is plain text: colour codes are for terminals.
    let log = std::fs::read_to_string(cli.home.path().join("devnet/node.log")).unwrap();
    assert!(log.contains("INFO"), "{log}");
    assert!(!log.contains('\x1b'), "ANSI escapes in node.log: {log:?}");
    assert_eq!(status["deployed"], true);
    assert_eq!(status["chain_id"], "starminer-devnet-1");

    // Keys: the dev keys were imported; a new one.
    let keys = cli.json(&["keys", "list"]);
    let names: Vec<&str> = keys
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["dev0", "dev1", "dev2", "dev3"]);
    let alice = cli.json(&["keys", "add", "alice"]);
    let alice_addr = alice["address"].as_str().unwrap().to_string();
    assert!(alice_addr.starts_with("starminer1"));
    assert_eq!(alice["mnemonic"].as_str().unwrap().split(' ').count(), 24);
    assert_eq!(
        cli.json(&["keys", "show", "alice"])["address"],
        alice_addr.as_str()
    );

    // Tokens: gas money and AGPU for alice.
    cli.ok(&[
        "token", "send", "alice", "2000000", "--denom", "ustar", "--from", "dev0",
    ]);
    let sent = cli.ok(&[
        "token", "send", "alice", "500", "--denom", "agpu", "--from", "dev1",
    ]);
    assert!(
        sent.contains("sent 500 AGPU from ") && sent.contains(&alice_addr),
        "token send says what it sent: {sent}"
    );
    let bal = cli.json(&["token", "balance", "alice"]);
    assert_eq!(bal["native"], "2000000");
    assert_eq!(bal["uagpu"], "500000000");
    // People read whole tokens with separators and symbols; JSON has base
    // units with the unit in the name (README, "Amounts, units and times").
    let table = cli.ok(&["token", "balance", "dev1"]);
    assert!(
        table.contains("999,500 AGPU") && table.contains(" STAR"),
        "{table}"
    );
    let err = cli.fails(&[
        "token", "send", "dev0", "501", "--denom", "agpu", "--from", "alice",
    ]);
    assert!(err.contains("is missing"), "{err}");

    // Templates, quote, submit.
    let templates = cli.json(&["job", "templates"]);
    let ids: Vec<&str> = templates
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert!(
        ids.contains(&"render.fractal") && ids.contains(&"hpc.sgemm"),
        "{ids:?}"
    );
    let job = [
        "--template",
        "render.fractal",
        "--params",
        "width=64,height=64,max_iter=16",
    ];
    let mut quote_args = vec!["job", "quote"];
    quote_args.extend(job);
    let quote = cli.json(&quote_args);
    let total: u128 = quote["total"].as_str().unwrap().parse().unwrap();
    assert!(total > 0);
    let quoted = cli.ok(&quote_args);
    assert!(
        quoted.contains("1 unit = million pixel-iterations")
            && quoted.contains(&format!(
                "{} AGPU",
                starminer_client::contracts::format_units(total)
            )),
        "a quote says what a unit is, in AGPU: {quoted}"
    );
    let params_file = cli.home.path().join("params.json");
    std::fs::write(
        &params_file,
        r#"{"width": 64, "height": 64, "max_iter": 16}"#,
    )
    .unwrap();
    let out = cli.cmd(&[
        "--json",
        "job",
        "submit",
        "--template",
        "render.fractal",
        "--params-file",
        params_file.to_str().unwrap(),
        "--zone",
        "eu-west",
        "--from",
        "alice",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let submitted: Value = serde_json::from_slice(&out.stdout).unwrap();
    // No provider exists yet: the requester is told, not left waiting.
    let warning = String::from_utf8_lossy(&out.stderr);
    assert!(
        warning.contains("no active provider of tier 1 or above")
            && warning.contains("starminer-agent"),
        "{warning}"
    );
    let id = submitted["job_id"].as_u64().unwrap();
    assert_eq!(
        submitted["price_uagpu"].as_str().unwrap(),
        total.to_string()
    );

    // A requester without AGPU is told how much is missing.
    cli.json(&["keys", "add", "bob"]);
    cli.ok(&[
        "token", "send", "bob", "2000000", "--denom", "ustar", "--from", "dev0",
    ]);
    let err = cli.fails(&[
        "job",
        "submit",
        "--template",
        "render.fractal",
        "--from",
        "bob",
    ]);
    assert!(err.contains("AGPU is missing"), "{err}");

    // A newcomer's first mistakes: each exits non-zero and says what is wrong.
    for cmd in [
        vec!["job", "show", "99"],
        vec!["job", "watch", "99", "--timeout", "5"],
        vec!["job", "fetch", "99", "--out", "/tmp/starminer-no-job.bin"],
    ] {
        let err = cli.fails(&cmd);
        assert!(err.contains("job 99 does not exist"), "{cmd:?}: {err}");
        assert!(
            !err.contains("key: ["),
            "{cmd:?} leaks a storage key: {err}"
        );
    }
    let float = cli.fails(&[
        "job",
        "quote",
        "--template",
        "render.fractal",
        "--params",
        "center_x=-0.7",
    ]);
    assert!(
        float.contains("`center_x`") && float.contains("not an integer"),
        "{float}"
    );
    let float_file = cli.home.path().join("float.json");
    std::fs::write(&float_file, r#"{"center_x": -0.7}"#).unwrap();
    let from_file = cli.fails(&[
        "job",
        "quote",
        "--template",
        "render.fractal",
        "--params-file",
        float_file.to_str().unwrap(),
    ]);
    assert_eq!(
        from_file.lines().last(),
        float.lines().last(),
        "--params-file and --params say the same of the same value"
    );
    let none = cli.ok(&["job", "list", "--from", "bob"]);
    assert!(
        none.contains("No jobs of requester starminer1") && none.contains("(key bob;"),
        "job list says whose jobs it lists: {none}"
    );
    let queues = cli.ok(&["market", "queues"]);
    assert!(
        !queues.contains("340282366920938463463"),
        "a sentinel printed as a utilization: {queues}"
    );

    let list = cli.json(&["job", "list", "--from", "alice"]);
    let rows = list.as_array().unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["id"], id);
    assert_eq!(rows[0]["status"], "open");
    let show = cli.json(&["job", "show", &id.to_string()]);
    assert_eq!(show["job"]["requester"], alice_addr.as_str());
    let shown = cli.ok(&["job", "show", &id.to_string()]);
    assert!(
        shown.contains("next: waiting for a provider of tier 1 or above in zone eu-west"),
        "job show says what the job waits for: {shown}"
    );
    // The history's amounts and times read as tokens and local dates.
    let escrow = starminer_client::contracts::format_units(total);
    assert!(
        shown.contains(&format!("total={escrow} AGPU"))
            && !shown.contains(&format!("total={total} ")),
        "{shown}"
    );
    let submitted_at = show["history"][0]["time"].as_str().unwrap().to_string();
    let seconds = (submitted_at.parse::<u128>().unwrap() / 1_000_000_000).to_string();
    assert!(
        !shown.contains(&seconds),
        "unix seconds in job show: {shown}"
    );
    assert_eq!(show["history"][0]["action"], "job_submitted");
    let open = cli.json(&["job", "list", "--status", "open"]);
    assert_eq!(open.as_array().unwrap().len(), 1);

    // Market and providers.
    let prices = cli.json(&["market", "prices"]);
    assert_eq!(prices["tiers"].as_array().unwrap().len(), 4);
    let queues = cli.json(&["market", "queues"]);
    let eu_west = queues["zones"]
        .as_array()
        .unwrap()
        .iter()
        .find(|z| z["zone"] == "eu-west")
        .unwrap();
    assert_eq!(eu_west["open_jobs"], 1);
    assert_eq!(cli.json(&["provider", "list"]).as_array().unwrap().len(), 0);
    assert!(cli.json(&["rewards", "history"])["current"]["epoch"].is_u64());
    assert!(cli.json(&["gov", "list"]).as_array().unwrap().len() == 1);

    // Deploying again finds everything done.
    let manifest_path = cli.home.path().join("manifest.json");
    let before = std::fs::read(&manifest_path).unwrap();
    cli.ok(&[
        "deploy",
        "--from",
        "dev0",
        "--artifacts",
        artifacts.to_str().unwrap(),
        "--spill-regional",
        "5",
    ]);
    let after = std::fs::read(&manifest_path).unwrap();
    assert_eq!(
        serde_json::from_slice::<Value>(&before).unwrap(),
        serde_json::from_slice::<Value>(&after).unwrap()
    );

    // Cancel refunds all but the cancel fee (the deployment's rate of the
    // escrow, rounded up, kept by the treasury); then stop the chain.
    let escrow: u128 = show["job"]["escrow"].as_str().unwrap().parse().unwrap();
    let rate = starminer_deploy::market_params().cancel_fee_rate;
    let fee = cosmwasm_std::Uint128::new(escrow).mul_ceil(rate).u128();
    assert!(fee > 0, "cancelling costs something");
    cli.ok(&["job", "cancel", &id.to_string(), "--from", "alice"]);
    let bal = cli.json(&["token", "balance", "alice"]);
    assert_eq!(bal["uagpu"], (500_000_000 - fee).to_string());

    // A provider and a validator (played here through the SDK), a job that
    // settles, `job watch` following it and `job fetch` verifying its output.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let client = ChainClient::new(ChainConfig::devnet_at(&format!(
        "http://127.0.0.1:{rpc_port}"
    )))
    .unwrap();
    let sm =
        Starminer::from_manifest(client.clone(), &Manifest::load(&manifest_path).unwrap()).unwrap();
    let devs: Vec<Value> = serde_json::from_slice(
        &std::fs::read(cli.home.path().join("devnet/config/dev_accounts.json")).unwrap(),
    )
    .unwrap();
    let dev = |i: usize| {
        Wallet::from_mnemonic(client.clone(), devs[i]["mnemonic"].as_str().unwrap()).unwrap()
    };
    let (provider, validator) = (dev(2), dev(3));
    let output: Vec<u8> = (0..64 * 64 * 4u32).map(|i| (i % 253) as u8).collect();
    let server = serve(output.clone());
    rt.block_on(async {
        register(&sm, &validator, "eu-central", reg::Role::Validator, None).await;
        sm.bond_agpu(&validator, 5_000 * UNIT).await.unwrap();
        register(
            &sm,
            &provider,
            "eu-west",
            reg::Role::Provider,
            Some(server.clone()),
        )
        .await;
        sm.bond_agpu(&provider, 2_000 * UNIT).await.unwrap();
        let tx = sm
            .registry()
            .execute(
                &provider,
                &reg::ExecuteMsg::RequestBenchmark { claimed_score: 150 },
            )
            .await
            .unwrap();
        let challenge_id: u64 = tx
            .wasm_attribute(sm.addresses().registry.as_str(), "challenge_id")
            .unwrap()
            .parse()
            .unwrap();
        sm.registry()
            .execute(
                &provider,
                &reg::ExecuteMsg::SubmitBenchmarkResult {
                    challenge_id,
                    result_root: "cd".repeat(32),
                },
            )
            .await
            .unwrap();
        sm.registry()
            .execute(
                &validator,
                &reg::ExecuteMsg::AttestBenchmark {
                    provider: provider.address().into(),
                    challenge_id,
                    valid: true,
                    measured_score: 150,
                },
            )
            .await
            .unwrap();
    });
    let routes: jm::SpilloverResponse = rt
        .block_on(sm.job_market().query(&jm::QueryMsg::Spillover {
            to: "eu-central".into(),
            start_after: None,
            limit: Some(100),
        }))
        .unwrap();
    let from_west = routes.routes.iter().find(|r| r.from == "eu-west").unwrap();
    assert_eq!(
        from_west.route.delay, 5,
        "--spill-regional reached the market"
    );
    let providers = cli.json(&["provider", "list"]);
    assert_eq!(providers.as_array().unwrap().len(), 2);
    let shown = cli.json(&["provider", "show", provider.address()]);
    assert_eq!(shown["tier"], 1);
    assert_eq!(shown["zone"], "eu-west");

    let submitted = cli.json(&[
        "job",
        "submit",
        "--template",
        "render.fractal",
        "--params",
        "width=64,height=64,max_iter=16",
        "--from",
        "alice",
    ]);
    let id = submitted["job_id"].as_u64().unwrap();
    let chunk_size = rt
        .block_on(sm.job_market().template("render.fractal"))
        .unwrap()
        .unwrap()
        .chunk_size;
    let tree = starminer_templates::commit(&output, chunk_size);
    let root = hex::encode(tree.root());
    rt.block_on(async {
        let tx = sm.job_market().claim_next(&provider).await.unwrap();
        let claimed = tx.job_events(None);
        assert!(
            claimed
                .iter()
                .any(|e| e.action == JobAction::Claimed && e.job_id == id),
            "{claimed:?}"
        );
        let tx = sm
            .job_market()
            .execute(
                &provider,
                &jm::ExecuteMsg::SubmitResult {
                    job_id: id,
                    root: root.clone(),
                    chunk_count: tree.leaf_count(),
                    output_size: output.len() as u64,
                    output_uri: format!("{server}/results/job-{id}"),
                    decoy: None,
                },
            )
            .await
            .unwrap();
        let ev = tx.job_events(None);
        assert_eq!(ev[0].action, JobAction::ResultSubmitted);
        assert_eq!(ev[0].detail["root"], root);
    });
    // `job watch` follows the job while the provider settles it after the
    // challenge window.
    let watcher = Command::new(env!("CARGO_BIN_EXE_starminer"))
        .arg("--home")
        .arg(cli.home.path())
        .args(["job", "watch", &id.to_string(), "--timeout", "120"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let settled = rt.block_on(async {
        let submitted_at = sm
            .job_market()
            .job(id)
            .await
            .unwrap()
            .job
            .result
            .unwrap()
            .submitted_at;
        client
            .wait_for_time(
                submitted_at.seconds() + 3,
                std::time::Duration::from_secs(30),
            )
            .await
            .unwrap();
        client
            .wait_for_height(
                client.status().await.unwrap().height,
                std::time::Duration::from_secs(10),
            )
            .await
            .unwrap();
        sm.job_market().settle(&provider, id).await.unwrap()
    });
    let ev = settled.job_events(None);
    let settle = ev.iter().find(|e| e.action == JobAction::Settled).unwrap();
    assert_eq!(settle.status, Some(jm::JobStatus::Settled));
    assert!(settle.detail_u128("payout").unwrap() > 0);
    let watched = watcher.wait_with_output().unwrap();
    assert!(
        watched.status.success(),
        "{}",
        String::from_utf8_lossy(&watched.stderr)
    );
    let text = String::from_utf8_lossy(&watched.stdout);
    assert!(
        text.contains("settled") && text.contains("job_claimed"),
        "{text}"
    );

    let out = cli.home.path().join("job.out");
    let fetched = cli.json(&[
        "job",
        "fetch",
        &id.to_string(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(fetched["root"], root.as_str());
    assert_eq!(std::fs::read(&out).unwrap(), output);
    let stats = cli.json(&["provider", "stats"]);
    assert_eq!(stats["market"]["jobs"], 2);

    // Staking and a parameter proposal through governance (devnet up sets
    // a 10 s voting period and a 2 s timelock).
    cli.ok(&["stake", "amax", "10", "--from", "dev0"]);
    cli.ok(&["unstake", "amax", "5", "--from", "dev0"]);
    let bal = cli.json(&["token", "balance", "dev0"]);
    assert_eq!(bal["uamax_staked"], (1_000_005 * UNIT).to_string());
    let proposed = cli.json(&[
        "gov",
        "propose",
        "--contract",
        "pricing",
        "--msg",
        r#"{"poke":{}}"#,
        "--title",
        "Roll pricing over",
        "--from",
        "dev0",
    ]);
    let pid = proposed["proposal_id"].as_u64().unwrap().to_string();
    let err = cli.fails(&[
        "gov",
        "propose",
        "--contract",
        "pricing",
        "--msg",
        r#"{"nope":{}}"#,
        "--title",
        "x",
        "--from",
        "dev0",
    ]);
    assert!(err.contains("not an execute message"), "{err}");
    cli.ok(&["gov", "vote", &pid, "yes", "--from", "dev0"]);
    let err = cli.fails(&["gov", "execute", &pid, "--from", "dev0"]);
    assert!(
        err.contains("can be executed in ") && err.contains("(its timelock)"),
        "{err}"
    );
    let end = proposed["voting_end"].as_u64().unwrap();
    rt.block_on(async {
        let p = sm
            .governance()
            .proposal(pid.parse().unwrap())
            .await
            .unwrap();
        client
            .wait_for_time(
                starminer_client::gov::ceil_seconds(p.executable_at),
                std::time::Duration::from_secs(60),
            )
            .await
            .unwrap();
        client
            .wait_for_height(
                client.status().await.unwrap().height,
                std::time::Duration::from_secs(10),
            )
            .await
            .unwrap();
    });
    assert!(end > 0);
    cli.ok(&["gov", "execute", &pid, "--from", "dev0"]);
    let shown = cli.json(&["gov", "show", &pid]);
    assert_eq!(shown["status"], "executed", "{shown}");
    assert_eq!(cli.json(&["gov", "list"]).as_array().unwrap().len(), 2);
    let pending = cli.json(&["rewards", "pending", "dev2"]);
    assert!(pending["amount"].is_string());

    cli.ok(&["devnet", "down"]);
    let status = cli.json(&["devnet", "status"]);
    assert_eq!(status["running"], false);
}
