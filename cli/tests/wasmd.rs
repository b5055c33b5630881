//! The built `starminer` binary against a real wasmd v0.55.1 node it starts
//! itself (`chain up --engine wasmd`), with CometBFT's default limits:
//! deploy (gzip'ed uploads, templates by proposal), a job escrowed, a
//! transaction wasmd refuses shown with its codespace/code/log, chain
//! status, chain down.
//!
//! Needs the wasmd that `scripts/setup.sh` builds (or STARMINER_WASMD_BIN).
//! Ignored by a plain `cargo test` (it takes about a minute); scripts/test.sh
//! runs it with `--ignored`. Without wasmd it is skipped with a message,
//! except under CI=true, where it fails.

use std::process::Command;
use std::time::Instant;

use serde_json::Value;
use starminer_testkit::{artifacts_dir, free_port};

mod harness;
use harness::{wasmd_or_skip, Cli};

const CHAIN_ID: &str = "starminer-wasmd-test";

#[test]
#[ignore = "needs wasmd (scripts/setup.sh builds it) and a minute: scripts/test.sh runs it"]
fn starminer_deploys_and_escrows_a_job_on_a_real_wasmd_chain() {
    let Some(wasmd) = wasmd_or_skip() else {
        return;
    };
    let started = Instant::now();
    let mut cli = Cli::new(Some(wasmd));
    cli.wasmd_chains.push(CHAIN_ID.into());
    let ports: Vec<String> = (0..4).map(|_| free_port().to_string()).collect();
    let up = cli.cmd(&[
        "chain",
        "up",
        "--engine",
        "wasmd",
        "--chain-id",
        CHAIN_ID,
        "--rpc-port",
        &ports[0],
        "--rest-port",
        &ports[1],
        "--grpc-port",
        &ports[2],
        "--p2p-port",
        &ports[3],
    ]);
    let up_err = String::from_utf8_lossy(&up.stderr);
    assert!(up.status.success(), "chain up failed: {up_err}");
    assert!(
        up_err.contains("starminer --chain wasmd deploy"),
        "{up_err}"
    );

    // CometBFT's default limits are left alone.
    let config = std::fs::read_to_string(
        cli.home
            .path()
            .join("chains")
            .join(CHAIN_ID)
            .join("config/config.toml"),
    )
    .unwrap();
    assert!(config.contains("max_body_bytes = 1000000"));
    assert!(config.contains("timeout_commit = \"1s\""));

    let status = cli.json(&[
        "chain",
        "status",
        "--engine",
        "wasmd",
        "--chain-id",
        CHAIN_ID,
    ]);
    assert_eq!(status["running"], true, "{status}");
    assert_eq!(status["deployed"], false);

    // Deploy: every artifact gzip'ed under the body limit, templates by
    // StarMiner's governance (10 s voting).
    let artifacts = artifacts_dir();
    let deploy = cli.cmd(&[
        "--chain",
        "wasmd",
        "deploy",
        "--from",
        "dev0",
        "--artifacts",
        artifacts.to_str().unwrap(),
        "--voting-period",
        "10",
        "--timelock",
        "2",
        "--agpu",
        "dev1=1000000",
    ]);
    let deploy_err = String::from_utf8_lossy(&deploy.stderr);
    assert!(
        deploy.status.success(),
        "deploy failed:\n{deploy_err}\n{}",
        String::from_utf8_lossy(&deploy.stdout)
    );
    assert!(deploy_err.contains("gzip"), "{deploy_err}");
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(cli.home.path().join("manifest.json")).unwrap())
            .unwrap();
    let d = &manifest["chains"][CHAIN_ID];
    assert_eq!(d["contracts"].as_object().unwrap().len(), 7, "{d}");
    assert!(d["contracts"]["job_market"]
        .as_str()
        .unwrap()
        .starts_with("wasm1"));

    let status = cli.json(&[
        "chain",
        "status",
        "--engine",
        "wasmd",
        "--chain-id",
        CHAIN_ID,
    ]);
    assert_eq!(status["deployed"], true, "{status}");
    let templates = cli.json(&["--chain", "wasmd", "job", "templates"]);
    assert!(templates.as_array().unwrap().len() >= 4, "{templates}");

    // A job, escrowed in the market.
    let submitted = cli.json(&[
        "--chain",
        "wasmd",
        "job",
        "submit",
        "--template",
        "render.fractal",
        "--params",
        "width=64,height=64,max_iter=16",
        "--zone",
        "eu-west",
        "--from",
        "dev1",
    ]);
    let id = submitted["job_id"].as_u64().unwrap();
    let show = cli.json(&["--chain", "wasmd", "job", "show", &id.to_string()]);
    assert_eq!(show["job"]["status"], "open", "{show}");
    let escrow: u128 = show["job"]["escrow"].as_str().unwrap().parse().unwrap();
    assert!(escrow > 0, "{show}");
    let bal = cli.json(&["--chain", "wasmd", "token", "balance", "dev1"]);
    let left: u128 = bal["uagpu"].as_str().unwrap().parse().unwrap();
    assert_eq!(left + escrow, 1_000_000_000_000, "{bal}");

    // A transaction wasmd refuses: its codespace, code and log reach the user.
    let err = cli.fails(&[
        "--chain",
        "wasmd",
        "token",
        "send",
        "dev2",
        "999999999999999",
        "--denom",
        "stake",
        "--from",
        "dev3",
    ]);
    // wasmd answers a failed simulation with sdk/6 (unknown request)
    // wrapping the message's error as text.
    assert!(err.contains("simulation failed (sdk/6)"), "{err}");
    assert!(err.contains("insufficient funds"), "{err}");
    assert!(!err.contains("cannot reach"), "{err}");

    cli.ok(&["chain", "down", "--engine", "wasmd", "--chain-id", CHAIN_ID]);
    let status = cli.json(&[
        "chain",
        "status",
        "--engine",
        "wasmd",
        "--chain-id",
        CHAIN_ID,
    ]);
    assert_eq!(status["running"], false, "{status}");
    let err = cli.fails(&["--chain", "wasmd", "job", "show", &id.to_string()]);
    assert!(err.contains("cannot reach"), "{err}");
    eprintln!("wasmd end-to-end: {:.0} s", started.elapsed().as_secs_f64());
}

#[test]
#[ignore = "needs wasmd (scripts/setup.sh builds it): scripts/test.sh runs it"]
fn four_wasmd_validators_keep_finalizing_without_one_and_it_catches_up() {
    let Some(wasmd) = wasmd_or_skip() else {
        return;
    };
    const ID: &str = "starminer-wasmd-4v";
    let mut cli = Cli::new(Some(wasmd));
    cli.wasmd_chains.push(ID.into());
    // Four validators take each base port + 0, 10, 20, 30: a block of 40
    // ports, all free.
    let free = |p: u16| std::net::TcpListener::bind(("127.0.0.1", p)).is_ok();
    let first = (0..200u16)
        .map(|k| 20_000 + ((std::process::id() as u16 % 500 + k * 7) % 1000) * 40)
        .find(|b| (0..40).all(|i| free(b + i)))
        .expect("a block of 40 free ports");
    let base = |i: u16| (first + i).to_string();
    let up_args = [
        "chain",
        "up",
        "--engine",
        "wasmd",
        "--chain-id",
        ID,
        "--validators",
        "4",
        "--rpc-port",
        &base(0),
        "--p2p-port",
        &base(1),
        "--rest-port",
        &base(2),
        "--grpc-port",
        &base(3),
    ];
    let up = cli.ok(&up_args);
    let _ = up;
    let status_args = ["chain", "status", "--engine", "wasmd", "--chain-id", ID];
    let status = cli.json(&status_args);
    assert_eq!(status["running"], true, "{status}");
    assert_eq!(status["nodes"].as_array().unwrap().len(), 4);

    // Kill validator 0, whose RPC is the CLI's first endpoint: 3 of 4 is
    // more than 2/3 of the power, and the CLI fails over to the others.
    let victim = status["nodes"][0]["pid"].as_u64().unwrap().to_string();
    assert!(Command::new("kill")
        .args(["-9", &victim])
        .status()
        .unwrap()
        .success());
    let height = |s: &Value, i: usize| s["nodes"][i]["height"].as_u64();
    let before = height(&cli.json(&status_args), 1).unwrap();
    let deadline = Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let s = cli.json(&status_args);
        assert_eq!(height(&s, 0), None, "{s}");
        if height(&s, 1).unwrap() >= before + 3 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no 3 blocks in 30 s without validator 0: {s}"
        );
        std::thread::sleep(std::time::Duration::from_millis(500));
    }
    // A transaction and a query through the CLI while its first node is
    // dead: both go to the next validator's RPC.
    let balance = |who: &str| -> u128 {
        let b = cli.json(&["--chain", "wasmd", "token", "balance", who]);
        b["native"]
            .as_str()
            .unwrap_or_else(|| panic!("{b}"))
            .parse()
            .unwrap()
    };
    let before_send = balance("dev2");
    cli.ok(&[
        "--chain", "wasmd", "token", "send", "dev2", "1234", "--denom", "stake", "--from", "dev1",
    ]);
    assert_eq!(balance("dev2"), before_send + 1234);

    // `up` again restarts only the stopped validator, which catches up.
    cli.ok(&up_args);
    let deadline = Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let s = cli.json(&status_args);
        let (h1, h0) = (height(&s, 1).unwrap(), height(&s, 0));
        if h0.is_some_and(|h| h + 1 >= h1 && h1 > before + 3) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "validator 0 did not catch up: {s}"
        );
        std::thread::sleep(std::time::Duration::from_millis(500));
    }
    cli.ok(&["chain", "down", "--engine", "wasmd", "--chain-id", ID]);
    assert_eq!(cli.json(&status_args)["running"], false);
}
