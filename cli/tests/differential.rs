//! Differential test: the same transactions, in the same order, on the
//! devnet and on a real wasmd v0.55.1 node, compared one by one.
//!
//! Both chains are started and deployed by the `starminer` binary exactly
//! as a user would (`devnet up`; `chain up --engine wasmd` + `deploy`), from
//! the same artifacts and the same dev keys. Then every step is sent to
//! both, and for each the test compares:
//! - the simulation: gas, or the refusal's codespace/code;
//! - the block result: code and codespace, the contract error in the log;
//! - the events and their attributes, in order, with addresses compared by
//!   their bytes (the chains' bech32 prefixes differ) and the fee denom
//!   named alike;
//! - the contract addresses of the deployment (instantiate2);
//! - query answers after the step;
//! - the gas used, within [`GAS_TOLERANCE`] of wasmd's plus
//!   [`ANTE_GAS_ALLOWANCE`].
//!
//! The differences the devnet keeps on purpose are listed, with their
//! reasons, in `docs/devnet-vs-wasmd.md` and in [`KNOWN`]; any other
//! difference fails the test.
//!
//! Ignored by a plain `cargo test` (needs wasmd and two chains, about two
//! minutes); scripts/test.sh runs it with `--ignored`.

use std::collections::BTreeMap;

use serde_json::{json, Value};
use starminer_client::interfaces::job_market as jm;
use starminer_client::{ChainClient, ChainConfig, Manifest, Starminer, TxError, TxOutcome, Wallet};
use starminer_testkit::{artifacts_dir, free_port};

mod harness;
use harness::{wasmd_or_skip, Cli};

const WASMD_ID: &str = "starminer-diff-wasmd";

/// How far the devnet's gas may be from wasmd's: a share of wasmd's gas,
/// plus a fixed allowance for the ante handler, which the devnet charges
/// less (30,000–55,000 gas a transaction: tx size, signature and account
/// store costs; docs/devnet-vs-wasmd.md).
const GAS_TOLERANCE: f64 = 0.15;
const ANTE_GAS_ALLOWANCE: f64 = 60_000.0;

/// uagpu sent with the job (10 AGPU).
const JOB_FUNDS: u128 = 10_000_000;

/// Event types the devnet does not emit, or emits on its own, with why.
/// Every entry is explained in docs/devnet-vs-wasmd.md.
const KNOWN: &[(&str, &str)] = &[];

/// One chain under test.
struct Side {
    name: &'static str,
    prefix: String,
    denom: String,
    chain: ChainClient,
    sm: Starminer,
    devs: Vec<Wallet>,
}

/// What one step did on one chain.
#[derive(Debug)]
struct Observed {
    /// Simulated gas, or (codespace, code) of the refusal.
    simulate: Result<u64, (String, u32)>,
    outcome: TxOutcome,
    queries: Value,
}

impl Side {
    fn load(cli: &Cli, name: &'static str) -> Side {
        let config: Value =
            serde_json::from_slice(&std::fs::read(cli.home.path().join("config.json")).unwrap())
                .unwrap();
        let chain: ChainConfig = serde_json::from_value(config["chains"][name].clone())
            .unwrap_or_else(|e| panic!("chain {name} in config.json: {e}"));
        let manifest = Manifest::load(cli.home.path().join("manifest.json")).unwrap();
        let client = ChainClient::new(chain.clone()).unwrap();
        let sm = Starminer::from_manifest(client.clone(), &manifest).unwrap();
        let accounts: Vec<Value> = serde_json::from_slice(
            &std::fs::read(cli.home.path().join("devnet/config/dev_accounts.json")).unwrap(),
        )
        .unwrap();
        let devs = accounts
            .iter()
            .map(|a| {
                Wallet::from_mnemonic(client.clone(), a["mnemonic"].as_str().unwrap()).unwrap()
            })
            .collect();
        Side {
            name,
            prefix: chain.prefix.clone(),
            denom: chain.fee_denom.clone(),
            chain: client,
            sm,
            devs,
        }
    }

    /// `text` with every address of this chain written as its bytes and the
    /// fee denom as `FEE`, so both chains' texts compare equal.
    fn norm(&self, text: &str) -> String {
        let mut out = String::new();
        let mut rest = text;
        let hrp = format!("{}1", self.prefix);
        while let Some(at) = rest.find(&hrp) {
            out.push_str(&rest[..at]);
            let tail = &rest[at..];
            let len = tail
                .char_indices()
                .skip(hrp.len())
                .find(|(_, c)| !"qpzry9x8gf2tvdw0s3jn54khce6mua7l".contains(*c))
                .map_or(tail.len(), |(i, _)| i);
            match bech32::decode(&tail[..len]) {
                Ok((_, bytes)) => out.push_str(&format!("addr:{}", hex::encode(bytes))),
                Err(_) => out.push_str(&tail[..len]),
            }
            rest = &tail[len..];
        }
        out.push_str(rest);
        replace_word(&out, &self.denom, "FEE")
    }

    fn norm_value(&self, v: &Value) -> Value {
        match v {
            Value::String(s) => Value::String(self.norm(s)),
            Value::Array(a) => Value::Array(a.iter().map(|x| self.norm_value(x)).collect()),
            Value::Object(o) => Value::Object(
                o.iter()
                    .map(|(k, x)| {
                        // Times and heights are each chain's own.
                        let masked = [
                            "deadline",
                            "time",
                            "height",
                            "submitted_at",
                            "updated_at",
                            "created_at",
                            "at",
                        ]
                        .iter()
                        .any(|m| k == m || k.ends_with(&format!("_{m}")));
                        (
                            k.clone(),
                            if masked {
                                json!("<chain time>")
                            } else {
                                self.norm_value(x)
                            },
                        )
                    })
                    .collect(),
            ),
            other => other.clone(),
        }
    }

    fn addr(&self, dev: usize) -> String {
        self.devs[dev].address().to_string()
    }
}

/// `text` with whole-word occurrences of `word` replaced.
fn replace_word(text: &str, word: &str, by: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find(word) {
        let before = rest[..at].chars().last();
        let after = rest[at + word.len()..].chars().next();
        // An amount's denom follows its digits: `1000ustar`.
        let before_ok = before.is_none_or(|c| !c.is_ascii_alphabetic());
        let after_ok = after.is_none_or(|c| !c.is_ascii_alphanumeric());
        out.push_str(&rest[..at]);
        out.push_str(if before_ok && after_ok { by } else { word });
        rest = &rest[at + word.len()..];
    }
    out.push_str(rest);
    out
}

/// How a step is sent.
enum Mode {
    /// Simulated, then signed with the adjusted gas (what every client does).
    Simulated,
    /// Signed with this gas limit without simulating, so a failing message
    /// still lands in a block.
    Gas(u64),
}

async fn run_step(
    side: &Side,
    from: usize,
    msgs: Vec<starminer_client::Any>,
    mode: Mode,
) -> Observed {
    let wallet = &side.devs[from];
    let simulate = match wallet.simulate(&msgs, "").await {
        Ok(g) => Ok(g),
        Err(e) => match e.downcast_ref::<TxError>() {
            Some(TxError::Simulate {
                codespace, code, ..
            }) => Err((codespace.clone(), *code)),
            _ => panic!("{}: simulate: {e:#}", side.name),
        },
    };
    let hash = match mode {
        Mode::Simulated => wallet.broadcast(msgs, "").await,
        Mode::Gas(g) => wallet.broadcast_with_gas(msgs, "", g).await,
    }
    .unwrap_or_else(|e| panic!("{}: broadcast: {e:#}", side.name));
    let outcome = side.chain.wait_for_tx(&hash).await.unwrap();
    if !outcome.is_ok() {
        // A failed tx may or may not have used the sequence; read it again.
        wallet.reset_sequence().await;
    }
    Observed {
        simulate,
        outcome,
        queries: queries(side).await,
    }
}

/// The state both chains must agree on after each step.
async fn queries(side: &Side) -> Value {
    let agpu = side.sm.agpu();
    let mut balances = BTreeMap::new();
    for dev in 0..side.devs.len() {
        balances.insert(
            format!("dev{dev}"),
            agpu.balance(&side.addr(dev)).await.unwrap().to_string(),
        );
    }
    let stats = side.sm.job_market().stats().await.unwrap();
    let jobs: Vec<Value> = side
        .sm
        .job_market()
        .jobs_by_requester(&side.addr(1), None, Some(10))
        .await
        .unwrap()
        .into_iter()
        .map(|j| serde_json::to_value(j).unwrap())
        .collect();
    side.norm_value(&json!({
        "agpu": balances,
        "market_stats": serde_json::to_value(stats).unwrap(),
        "jobs_of_dev1": jobs,
        "agpu_supply": agpu.token_info().await.unwrap().total_supply.to_string(),
    }))
}

/// The events of `o` as normalized text lines, `type: key=value, …`. The
/// fee (its amount follows from the gas, compared on its own) and the
/// signature (the chain id is signed) are each chain's own.
fn event_lines(side: &Side, o: &TxOutcome) -> Vec<String> {
    let fee = o.attribute("tx", "fee").map(str::to_string);
    o.events
        .iter()
        .filter(|e| !KNOWN.iter().any(|(k, _)| *k == e.kind))
        .map(|e| {
            let attrs: Vec<String> = e
                .attributes
                .iter()
                .filter(|(k, _)| k != "msg_index")
                .map(|(k, v)| {
                    let v = if fee.as_deref() == Some(v.as_str()) {
                        "<the fee>".to_string()
                    } else if e.kind == "tx" && k == "signature" {
                        "<signature>".to_string()
                    } else {
                        side.norm(v)
                    };
                    format!("{k}={v}")
                })
                .collect();
            format!("{}: {}", e.kind, attrs.join(", "))
        })
        .collect()
}

/// Compares one step on both chains; returns the differences found.
fn compare(
    step: &str,
    dev: (&Side, &Observed),
    wasmd: (&Side, &Observed),
    gas: &mut Vec<String>,
) -> Vec<String> {
    let mut diffs = Vec::new();
    let (ds, d) = dev;
    let (ws, w) = wasmd;
    match (&d.simulate, &w.simulate) {
        (Ok(_), Ok(_)) => {}
        (Err(a), Err(b)) if a == b => {}
        (a, b) => diffs.push(format!("{step}: simulation devnet {a:?}, wasmd {b:?}")),
    }
    let (dout, wout) = (&d.outcome, &w.outcome);
    if (dout.code, dout.codespace.as_str()) != (wout.code, wout.codespace.as_str()) {
        diffs.push(format!(
            "{step}: result devnet {}/{} ({}), wasmd {}/{} ({})",
            dout.codespace, dout.code, dout.log, wout.codespace, wout.code, wout.log
        ));
    }
    let (de, we) = (event_lines(ds, dout), event_lines(ws, wout));
    if de != we {
        let only_dev: Vec<&String> = de.iter().filter(|l| !we.contains(l)).collect();
        let only_wasmd: Vec<&String> = we.iter().filter(|l| !de.contains(l)).collect();
        diffs.push(format!(
            "{step}: events differ\n    only on the devnet: {only_dev:#?}\n    only on wasmd: {only_wasmd:#?}\n    (in order: {})",
            if only_dev.is_empty() && only_wasmd.is_empty() { "same set, other order" } else { "n/a" }
        ));
    }
    if d.queries != w.queries {
        diffs.push(format!(
            "{step}: state after it differs\n    devnet: {}\n    wasmd:  {}",
            d.queries, w.queries
        ));
    }
    let ratio = dout.gas_used as f64 / wout.gas_used.max(1) as f64;
    gas.push(format!(
        "| {step} | {} | {} | {:.2} |",
        dout.gas_used, wout.gas_used, ratio
    ));
    // Out of gas: wasmd reports what the failing charge would have brought
    // the meter to, the devnet the limit (documented); the code is compared.
    let allowed = GAS_TOLERANCE * wout.gas_used as f64 + ANTE_GAS_ALLOWANCE;
    let gap = (dout.gas_used as f64 - wout.gas_used as f64).abs();
    if !step.contains("out of gas") && gap > allowed {
        diffs.push(format!(
            "{step}: gas used devnet {} vs wasmd {} (ratio {ratio:.2}; allowed ±{allowed:.0})",
            dout.gas_used, wout.gas_used
        ));
    }
    diffs
}

#[test]
#[ignore = "needs wasmd (scripts/setup.sh builds it) and two chains: scripts/test.sh runs it"]
fn the_same_transactions_agree_on_the_devnet_and_on_wasmd() {
    let Some(wasmd) = wasmd_or_skip() else {
        return;
    };
    let mut cli = Cli::new(Some(wasmd));
    cli.wasmd_chains.push(WASMD_ID.into());
    let artifacts = artifacts_dir();
    let artifacts = artifacts.to_str().unwrap();

    // Both chains, deployed alike: dev0 deploys, dev1..dev3 get 1,000,000
    // AGPU, StarMiner governance votes for 10 s with a 2 s timelock.
    let port = |_| free_port().to_string();
    let (rpc, rest) = (port(0), port(1));
    cli.ok(&[
        "devnet",
        "up",
        "--fresh",
        "--rpc-port",
        &rpc,
        "--rest-port",
        &rest,
        "--block-time",
        "1s",
        "--artifacts",
        artifacts,
    ]);
    let ports: Vec<String> = (0..4).map(port).collect();
    cli.ok(&[
        "chain",
        "up",
        "--engine",
        "wasmd",
        "--chain-id",
        WASMD_ID,
        "--rpc-port",
        &ports[0],
        "--rest-port",
        &ports[1],
        "--grpc-port",
        &ports[2],
        "--p2p-port",
        &ports[3],
    ]);
    cli.ok(&[
        "--chain",
        "wasmd",
        "deploy",
        "--from",
        "dev0",
        "--artifacts",
        artifacts,
        "--agpu",
        "dev1=1000000",
        "--agpu",
        "dev2=1000000",
        "--agpu",
        "dev3=1000000",
        "--voting-period",
        "10",
        "--timelock",
        "2",
    ]);

    let rt = tokio::runtime::Runtime::new().unwrap();
    let dev = Side::load(&cli, "devnet");
    let wasm = Side::load(&cli, "wasmd");
    let mut diffs = Vec::new();

    // instantiate2: the same creator key, checksum and salt give the same
    // address bytes on both chains.
    let (da, wa) = (dev.sm.addresses(), wasm.sm.addresses());
    let pairs = [
        ("agpu", da.agpu.as_str(), wa.agpu.as_str()),
        ("registry", da.registry.as_str(), wa.registry.as_str()),
        ("job_market", da.job_market.as_str(), wa.job_market.as_str()),
        ("pricing", da.pricing.as_str(), wa.pricing.as_str()),
        ("incentives", da.incentives.as_str(), wa.incentives.as_str()),
        ("governance", da.governance.as_str(), wa.governance.as_str()),
        ("amax", da.amax.as_str(), wa.amax.as_str()),
    ];
    for (name, d, w) in pairs {
        if dev.norm(d) != wasm.norm(w) {
            diffs.push(format!(
                "instantiate2 address of {name}: devnet {d}, wasmd {w}"
            ));
        }
    }

    let mut gas = vec![
        "| step | devnet gas | wasmd gas | ratio |".to_string(),
        "|---|---|---|---|".to_string(),
    ];
    let mut job_ids = (0u64, 0u64);
    for step in [
        "bank send",
        "cw20 transfer",
        "cw20 transfer over the balance (contract error)",
        "out of gas",
        "unknown contract message",
        "submit a job (cw20 send → receive hook)",
        "cancel the job (refund through cw20)",
        "cancel it again (contract error)",
        "migrate by someone not the admin (refused)",
    ] {
        let observed: Vec<Observed> = [&dev, &wasm]
            .into_iter()
            .map(|side| {
                rt.block_on(async {
                    let agpu = side.sm.agpu().address().to_string();
                    let market = side.sm.addresses().job_market.to_string();
                    let transfer = |to: String, amount: u128| {
                        json!({"transfer": {"recipient": to, "amount": amount.to_string()}})
                    };
                    let exec = |from: usize, contract: &str, msg: Value| {
                        side.devs[from].execute_msg(contract, &msg, vec![]).unwrap()
                    };
                    match step {
                        "bank send" => {
                            let msg = side.devs[1]
                                .bank_send_msg(&side.addr(2), 1_234, &side.denom)
                                .unwrap();
                            run_step(side, 1, vec![msg], Mode::Simulated).await
                        }
                        "cw20 transfer" => {
                            let m = exec(1, &agpu, transfer(side.addr(2), 5_000_000));
                            run_step(side, 1, vec![m], Mode::Simulated).await
                        }
                        "cw20 transfer over the balance (contract error)" => {
                            let m = exec(3, &agpu, transfer(side.addr(2), 10u128.pow(18)));
                            run_step(side, 3, vec![m], Mode::Gas(400_000)).await
                        }
                        "out of gas" => {
                            let m = exec(1, &agpu, transfer(side.addr(2), 1));
                            run_step(side, 1, vec![m], Mode::Gas(70_000)).await
                        }
                        "unknown contract message" => {
                            let m = exec(1, &market, json!({"no_such_message": {}}));
                            run_step(side, 1, vec![m], Mode::Gas(400_000)).await
                        }
                        "submit a job (cw20 send → receive hook)" => {
                            let spec = job_spec(side).await;
                            let hook =
                                cosmwasm_std::to_json_binary(&jm::ReceiveMsg::SubmitJob { spec })
                                    .unwrap();
                            let m = exec(
                                1,
                                &agpu,
                                json!({"send": {
                                    "contract": market,
                                    "amount": JOB_FUNDS.to_string(),
                                    "msg": hook,
                                }}),
                            );
                            run_step(side, 1, vec![m], Mode::Simulated).await
                        }
                        "migrate by someone not the admin (refused)" => {
                            // The admin is StarMiner's governance contract:
                            // dev1 may not migrate the market, even to its
                            // own code.
                            let code_id = side
                                .chain
                                .contract_info(&market)
                                .await
                                .unwrap()
                                .expect("the market exists")
                                .code_id;
                            let m = side.devs[1].migrate_msg(&market, code_id, &json!({})).unwrap();
                            run_step(side, 1, vec![m], Mode::Gas(400_000)).await
                        }
                        _ => {
                            // Both cancels: the job submitted above.
                            let jobs = side
                                .sm
                                .job_market()
                                .jobs_by_requester(&side.addr(1), None, Some(1))
                                .await
                                .unwrap();
                            let id = jobs.first().expect("the submitted job").id;
                            let m = exec(1, &market, json!({"cancel": {"job_id": id}}));
                            let send = if step.contains("again") { Mode::Gas(400_000) } else { Mode::Simulated };
                            run_step(side, 1, vec![m], send).await
                        }
                    }
                })
            })
            .collect();
        let (d, w) = (&observed[0], &observed[1]);
        if step.starts_with("submit") {
            job_ids = (
                d.outcome.submitted_job_id(None).unwrap_or_default(),
                w.outcome.submitted_job_id(None).unwrap_or_default(),
            );
        }
        // The steps that must fail do, on both chains.
        let must_fail = step.contains("error")
            || step.contains("out of gas")
            || step.contains("unknown")
            || step.contains("refused");
        for (side, o) in [(&dev, d), (&wasm, w)] {
            assert_eq!(
                !o.outcome.is_ok(),
                must_fail,
                "{step} on {}: {}/{} {}",
                side.name,
                o.outcome.codespace,
                o.outcome.code,
                o.outcome.log
            );
        }
        diffs.extend(compare(step, (&dev, d), (&wasm, w), &mut gas));
    }
    assert_eq!(job_ids.0, job_ids.1, "job ids");

    eprintln!(
        "gas per step (devnet vs wasmd v0.55.1):\n{}",
        gas.join("\n")
    );
    assert!(
        diffs.is_empty(),
        "{} difference(s) between the devnet and wasmd:\n  {}",
        diffs.len(),
        diffs.join("\n  ")
    );
}

/// A small fractal job in eu-west with a deadline a day after the chain's
/// time; 10 AGPU are sent with it and what exceeds the quote is refunded.
async fn job_spec(side: &Side) -> jm::JobSpec {
    use cosmwasm_std::{Timestamp, Uint128};
    use jm::LatencyClass;
    use starminer_client::interfaces::market::{Urgency, VerificationMode};
    let now = side.chain.status().await.unwrap().time;
    let template = side
        .sm
        .job_market()
        .template("render.fractal")
        .await
        .unwrap()
        .expect("render.fractal is registered");
    let param = |name: &str, value| jm::JobParam {
        name: name.into(),
        value,
    };
    jm::JobSpec {
        template: template.id.clone(),
        params: vec![
            param("width", 64),
            param("height", 64),
            param("max_iter", 16),
        ],
        input: jm::JobInput::Inline {
            data: Default::default(),
        },
        requirements: jm::JobRequirements {
            min_tier: template.min_hardware.min_tier,
            min_device_memory: template.min_hardware.min_device_memory,
            min_compute_units: template.min_hardware.min_compute_units,
            zone: "eu-west".into(),
            urgency: Urgency::Normal,
            latency: LatencyClass::Regional,
        },
        max_price: Uint128::new(JOB_FUNDS),
        deadline: Timestamp::from_seconds(now + 86_400),
        verification: VerificationMode::None,
    }
}
