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
//!   their bytes (the chains' bech32 prefixes differ), the fee denom named
//!   alike and block times masked (each chain has its own clock);
//! - the contract addresses of the deployment (instantiate2);
//! - query answers after the step (balances, allowances, bonds, jobs,
//!   proposals);
//! - the gas used, within [`GAS_TOLERANCE`] of wasmd's plus
//!   [`ANTE_GAS_ALLOWANCE`].
//!
//! The steps: a fixed sequence (bad input, out of gas, a contract that
//! panics in `execute` and in a smart query (the test-only panic probe), a
//! job submitted and cancelled, a refused migration), a provider's registration and benchmark,
//! a full job (submit → claim → result → settle), a job abandoned by its
//! provider (a registry `Slash` sent as a submessage whose reply the market
//! handles), a migration of the market through a governance proposal, a
//! smart query of an address without a contract, and then
//! [`RANDOM_SEQUENCES`] random valid sequences drawn from a seed (printed;
//! `STARMINER_DIFF_SEED=<n>` replays one).
//!
//! The differences the devnet keeps on purpose are listed, with their
//! reasons, in `docs/devnet-vs-wasmd.md` and in [`KNOWN`]; any other
//! difference fails the test.
//!
//! Ignored by a plain `cargo test` (needs wasmd and two chains, a few
//! minutes); scripts/test.sh runs it with `--ignored`.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use starminer_client::interfaces::job_market as jm;
use starminer_client::{
    rpc::QueryError, Any, ChainClient, ChainConfig, Manifest, Starminer, TxError, TxOutcome, Wallet,
};
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

/// One AGPU (or AMAX) in micro units.
const UNIT: u128 = 1_000_000;

/// Random sequences per run, and their length in transactions.
const RANDOM_SEQUENCES: usize = 3;
const RANDOM_LEN: std::ops::RangeInclusive<usize> = 15..=20;

/// Job-market challenge window of both deployments (seconds), so the full
/// job settles within the test.
const CHALLENGE_WINDOW: &str = "2";

/// Event types the devnet does not emit, or emits on its own, with why.
/// Every entry is explained in docs/devnet-vs-wasmd.md.
const KNOWN: &[(&str, &str)] = &[];

/// The dev accounts' roles: dev0 deployed (and holds the AMAX), dev1..dev3
/// got 1,000,000 AGPU each; dev2 becomes a provider, dev3 a validator.
const PROVIDER: usize = 2;
const VALIDATOR: usize = 3;

/// One chain under test.
struct Side {
    name: &'static str,
    prefix: String,
    denom: String,
    chain: ChainClient,
    sm: Starminer,
    devs: Vec<Wallet>,
    /// The panic probe (artifacts/panic_probe.wasm) once instantiated.
    probe: String,
}

/// What one step did on one chain.
#[derive(Debug)]
struct Observed {
    /// Simulated gas, or (codespace, code) of the refusal.
    simulate: Result<u64, (String, u32)>,
    outcome: TxOutcome,
    queries: Value,
    /// Simulation, broadcast and inclusion.
    wall: Duration,
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
            probe: String::new(),
        }
    }

    /// `text` with every address of this chain written as its bytes, the
    /// fee denom as `FEE` and times as `<time>`, so both chains' texts
    /// compare equal.
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
        mask_times(&replace_word(&out, &self.denom, "FEE"))
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
                            "end",
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
        // An amount's denom follows its digits (`1000ustar`); elsewhere the
        // word is just a word (wasmd's fee denom is `stake`, also an action
        // of the governance contract).
        let amount = before.is_some_and(|c| c.is_ascii_digit());
        let after_ok = after.is_none_or(|c| !c.is_ascii_alphanumeric());
        out.push_str(&rest[..at]);
        out.push_str(if amount && after_ok { by } else { word });
        rest = &rest[at + word.len()..];
    }
    out.push_str(rest);
    out
}

/// `text` with every standalone number that reads as a time within 30 days
/// of now (unix seconds, nanoseconds, or `seconds.nanos` as cosmwasm's
/// `Timestamp` prints) written `<time>`: both chains run on this machine's
/// clock, each with its own block times. Amounts of the test stay far from
/// 1.7e9 (seconds) and 1.7e18 (nanoseconds).
fn mask_times(text: &str) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as u128;
    let near = |v: u128| {
        let secs = if v >= 10u128.pow(15) {
            v / 1_000_000_000
        } else {
            v
        };
        secs.abs_diff(now) < 30 * 86_400
    };
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_digit() && (i == 0 || !b[i - 1].is_ascii_alphanumeric()) {
            let mut j = i;
            while j < b.len() && b[j].is_ascii_digit() {
                j += 1;
            }
            let standalone = j == b.len() || !b[j].is_ascii_alphabetic();
            if standalone && text[i..j].parse::<u128>().is_ok_and(near) {
                if j + 1 < b.len() && b[j] == b'.' && b[j + 1].is_ascii_digit() {
                    j += 1;
                    while j < b.len() && b[j].is_ascii_digit() {
                        j += 1;
                    }
                }
                out.push_str("<time>");
            } else {
                out.push_str(&text[i..j]);
            }
            i = j;
            continue;
        }
        let c = text[i..].chars().next().unwrap();
        out.push(c);
        i += c.len_utf8();
    }
    out
}

/// How a step is sent.
#[derive(Clone, Copy, Debug)]
enum Mode {
    /// Simulated, then signed with the adjusted gas (what every client does).
    Simulated,
    /// Signed with this gas limit without simulating, so a failing message
    /// still lands in a block.
    Gas(u64),
}

async fn run_step(side: &Side, from: usize, msgs: Vec<Any>, mode: Mode) -> Observed {
    let wallet = &side.devs[from];
    let t0 = Instant::now();
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
    let wall = t0.elapsed();
    if !outcome.is_ok() {
        // A failed tx may or may not have used the sequence; read it again.
        wallet.reset_sequence().await;
    }
    Observed {
        simulate,
        outcome,
        queries: queries(side).await,
        wall,
    }
}

/// The state both chains must agree on after each step.
async fn queries(side: &Side) -> Value {
    let agpu = side.sm.agpu();
    let registry = side.sm.registry();
    let gov = side.sm.governance();
    let mut balances = BTreeMap::new();
    let mut allowances = BTreeMap::new();
    let mut bonds = BTreeMap::new();
    for dev in 0..side.devs.len() {
        balances.insert(
            format!("dev{dev}"),
            agpu.balance(&side.addr(dev)).await.unwrap().to_string(),
        );
        for spender in 1..side.devs.len() {
            if spender == dev || dev == 0 {
                continue;
            }
            let a: Value = side
                .chain
                .query_smart(
                    agpu.address(),
                    &json!({"allowance": {"owner": side.addr(dev), "spender": side.addr(spender)}}),
                )
                .await
                .unwrap();
            allowances.insert(format!("dev{dev}→dev{spender}"), a);
        }
        if dev >= 1 {
            let stake = registry.stake(&side.addr(dev)).await.unwrap();
            let provider = registry.provider(&side.addr(dev)).await.unwrap();
            bonds.insert(
                format!("dev{dev}"),
                json!({"stake": stake, "provider": provider}),
            );
        }
    }
    let stats = side.sm.job_market().stats().await.unwrap();
    let mut jobs = Vec::new();
    for dev in 1..side.devs.len() {
        let of: Vec<Value> = side
            .sm
            .job_market()
            .jobs_by_requester(&side.addr(dev), None, Some(30))
            .await
            .unwrap()
            .into_iter()
            .map(|j| serde_json::to_value(j).unwrap())
            .collect();
        jobs.push(of);
    }
    // A proposal's status follows block time (open until its voting end),
    // so only what the transactions wrote is compared.
    let proposals: Vec<Value> = gov
        .proposals(None, None, Some(30))
        .await
        .unwrap()
        .into_iter()
        .map(|p| json!({"id": p.id, "title": p.title, "msgs": p.msgs, "deposit": p.deposit, "tally": p.tally, "total_power": p.total_power}))
        .collect();
    side.norm_value(&json!({
        "agpu": balances,
        "allowances": allowances,
        "registry": bonds,
        "market_stats": serde_json::to_value(stats).unwrap(),
        "jobs_by_requester": jobs,
        "agpu_supply": agpu.token_info().await.unwrap().total_supply.to_string(),
        "amax_staked_dev0": gov.staked(&side.addr(0)).await.unwrap().to_string(),
        "proposals": proposals,
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
                    } else if k == "height" || k.ends_with("_height") {
                        // Each chain's own block heights.
                        "<height>".to_string()
                    } else if k == "seed" {
                        // Drawn from the block (a benchmark challenge's
                        // seed hashes the block's height and time).
                        "<block entropy>".to_string()
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
fn compare(step: &str, dev: (&Side, &Observed), wasmd: (&Side, &Observed)) -> Vec<String> {
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
    } else if !dout.is_ok()
        && !step.contains("out of gas")
        && ds.norm(&dout.log) != ws.norm(&wout.log)
    {
        diffs.push(format!(
            "{step}: log of the failure\n    devnet: {}\n    wasmd:  {}",
            dout.log, wout.log
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
            "{step}: state after it differs at {}\n    devnet: {}\n    wasmd:  {}",
            first_difference(&d.queries, &w.queries, "$"),
            d.queries,
            w.queries
        ));
    }
    // Out of gas: wasmd reports what the failing charge would have brought
    // the meter to, the devnet the limit (documented); the code is compared.
    let allowed = GAS_TOLERANCE * wout.gas_used as f64 + ANTE_GAS_ALLOWANCE;
    let gap = (dout.gas_used as f64 - wout.gas_used as f64).abs();
    if !step.contains("out of gas") && gap > allowed {
        diffs.push(format!(
            "{step}: gas used devnet {} vs wasmd {} (ratio {:.2}; allowed ±{allowed:.0})",
            dout.gas_used,
            wout.gas_used,
            dout.gas_used as f64 / wout.gas_used.max(1) as f64
        ));
    }
    diffs
}

/// The JSON path of the first place where `a` and `b` differ.
fn first_difference(a: &Value, b: &Value, path: &str) -> String {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (k, v) in x {
                match y.get(k) {
                    Some(w) if w == v => {}
                    Some(w) => return first_difference(v, w, &format!("{path}.{k}")),
                    None => return format!("{path}.{k} (only on the devnet)"),
                }
            }
            format!("{path} (keys only on wasmd)")
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find(|(_, (v, w))| v != w)
            .map(|(i, (v, w))| first_difference(v, w, &format!("{path}[{i}]")))
            .unwrap_or_else(|| path.to_string()),
        _ => format!("{path}: devnet {a}, wasmd {b}"),
    }
}

/// One transaction of a sequence, built alike for each chain.
#[derive(Clone, Debug)]
enum Op {
    BankSend,
    Transfer {
        from: usize,
        to: usize,
        amount: u128,
    },
    TransferOverBalance,
    OutOfGas,
    UnknownMessage,
    /// The panic probe aborts in `execute`.
    ContractPanic,
    IncreaseAllowance {
        owner: usize,
        spender: usize,
        amount: u128,
    },
    DecreaseAllowance {
        owner: usize,
        spender: usize,
        amount: u128,
    },
    TransferFrom {
        spender: usize,
        owner: usize,
        to: usize,
        amount: u128,
    },
    /// A fractal of `size`×`size` pixels.
    SubmitJob {
        from: usize,
        size: u64,
    },
    Cancel {
        from: usize,
        job: u64,
    },
    MigrateNotAdmin,
    Register {
        who: usize,
        validator: bool,
    },
    Bond {
        who: usize,
        amount: u128,
    },
    Unbond {
        who: usize,
        amount: u128,
    },
    Heartbeat {
        who: usize,
    },
    RequestBenchmark,
    SubmitBenchmark {
        challenge: u64,
    },
    AttestBenchmark {
        challenge: u64,
    },
    Claim {
        job: u64,
    },
    SubmitResult {
        job: u64,
    },
    /// Waits for the end of the challenge window on the chain first.
    Settle {
        job: u64,
    },
    Abandon {
        job: u64,
    },
    StakeAmax {
        amount: u128,
    },
    /// dev0 proposes; `migrate` carries a migration of the market to its
    /// own code, else the proposal is text only.
    Propose {
        migrate: bool,
    },
    Vote {
        proposal: u64,
        option: &'static str,
    },
    /// Waits for the end of the timelock on the chain first.
    ExecuteProposal {
        proposal: u64,
    },
}

impl Op {
    /// The kind of message, for the gas report.
    fn kind(&self) -> String {
        let debug = format!("{self:?}");
        debug
            .split([' ', '{'])
            .next()
            .unwrap_or_default()
            .to_string()
    }
}

/// The fractal output the provider "computes": the contract never reads
/// it, only its Merkle root and size.
fn job_output() -> Vec<u8> {
    (0..64 * 64 * 4u32).map(|i| (i % 251) as u8).collect()
}

/// Builds `op` for `side`: the sender, the messages and how to send them.
async fn build(side: &Side, op: &Op) -> (usize, Vec<Any>, Mode) {
    let agpu = side.sm.agpu().address().to_string();
    let market = side.sm.addresses().job_market.to_string();
    let registry = side.sm.addresses().registry.to_string();
    let governance = side.sm.addresses().governance.to_string();
    let amax = side.sm.amax().address().to_string();
    let exec = |from: usize, contract: &str, msg: Value| {
        side.devs[from].execute_msg(contract, &msg, vec![]).unwrap()
    };
    let hook = |msg: Value| cosmwasm_std::to_json_binary(&msg).unwrap();
    let simulated = |from: usize, contract: &str, msg: Value| {
        (from, vec![exec(from, contract, msg)], Mode::Simulated)
    };
    let failing = |from: usize, contract: &str, msg: Value| {
        (from, vec![exec(from, contract, msg)], Mode::Gas(400_000))
    };
    match op {
        Op::BankSend => {
            let msg = side.devs[1]
                .bank_send_msg(&side.addr(2), 1_234, &side.denom)
                .unwrap();
            (1, vec![msg], Mode::Simulated)
        }
        Op::Transfer { from, to, amount } => simulated(
            *from,
            &agpu,
            json!({"transfer": {"recipient": side.addr(*to), "amount": amount.to_string()}}),
        ),
        Op::TransferOverBalance => failing(
            3,
            &agpu,
            json!({"transfer": {"recipient": side.addr(2), "amount": 10u128.pow(18).to_string()}}),
        ),
        Op::OutOfGas => {
            let m = exec(
                1,
                &agpu,
                json!({"transfer": {"recipient": side.addr(2), "amount": "1"}}),
            );
            (1, vec![m], Mode::Gas(70_000))
        }
        Op::UnknownMessage => failing(1, &market, json!({"no_such_message": {}})),
        Op::IncreaseAllowance {
            owner,
            spender,
            amount,
        } => simulated(
            *owner,
            &agpu,
            json!({"increase_allowance": {"spender": side.addr(*spender), "amount": amount.to_string()}}),
        ),
        Op::DecreaseAllowance {
            owner,
            spender,
            amount,
        } => simulated(
            *owner,
            &agpu,
            json!({"decrease_allowance": {"spender": side.addr(*spender), "amount": amount.to_string()}}),
        ),
        Op::TransferFrom {
            spender,
            owner,
            to,
            amount,
        } => simulated(
            *spender,
            &agpu,
            json!({"transfer_from": {"owner": side.addr(*owner), "recipient": side.addr(*to), "amount": amount.to_string()}}),
        ),
        Op::SubmitJob { from, size } => {
            let spec = job_spec(side, *size).await;
            let hook = cosmwasm_std::to_json_binary(&jm::ReceiveMsg::SubmitJob { spec }).unwrap();
            simulated(
                *from,
                &agpu,
                json!({"send": {"contract": market, "amount": JOB_FUNDS.to_string(), "msg": hook}}),
            )
        }
        Op::Cancel { from, job } => {
            // A job cancelled twice: the second one fails, so it is sent
            // without a simulation.
            let status = side.sm.job_market().job(*job).await.unwrap().job.status;
            let m = json!({"cancel": {"job_id": job}});
            if status == jm::JobStatus::Open {
                simulated(*from, &market, m)
            } else {
                failing(*from, &market, m)
            }
        }
        Op::ContractPanic => failing(1, &side.probe, json!({"panic": {}})),
        Op::MigrateNotAdmin => {
            // The admin is StarMiner's governance contract: dev1 may not
            // migrate the market, even to its own code.
            let code_id = side
                .chain
                .contract_info(&market)
                .await
                .unwrap()
                .expect("the market exists")
                .code_id;
            let m = side.devs[1]
                .migrate_msg(&market, code_id, &json!({}))
                .unwrap();
            (1, vec![m], Mode::Gas(400_000))
        }
        Op::Register { who, validator } => {
            let (zone, role) = if *validator {
                ("eu-central", "validator")
            } else {
                ("eu-west", "provider")
            };
            simulated(
                *who,
                &registry,
                json!({"register": {
                    "moniker": format!("diff-{role}"),
                    "pubkey": null,
                    "region": "eu",
                    "zone": zone,
                    "hardware": [{
                        "vendor": "Test", "name": "GPU", "compute_units": 16,
                        "global_mem_bytes": (4u64 << 30).to_string(), "max_clock_mhz": 1500,
                        "opencl_version": "OpenCL 3.0",
                    }],
                    "result_server_url": null,
                    "roles": [role],
                }}),
            )
        }
        Op::Bond { who, amount } => simulated(
            *who,
            &agpu,
            json!({"send": {"contract": registry, "amount": amount.to_string(), "msg": hook(json!({"bond": {}}))}}),
        ),
        Op::Unbond { who, amount } => simulated(
            *who,
            &registry,
            json!({"unbond": {"amount": amount.to_string()}}),
        ),
        Op::Heartbeat { who } => simulated(*who, &registry, json!({"heartbeat": {}})),
        Op::RequestBenchmark => simulated(
            PROVIDER,
            &registry,
            json!({"request_benchmark": {"claimed_score": 150}}),
        ),
        Op::SubmitBenchmark { challenge } => simulated(
            PROVIDER,
            &registry,
            json!({"submit_benchmark_result": {"challenge_id": challenge, "result_root": "cd".repeat(32)}}),
        ),
        Op::AttestBenchmark { challenge } => simulated(
            VALIDATOR,
            &registry,
            json!({"attest_benchmark": {
                "provider": side.addr(PROVIDER), "challenge_id": challenge,
                "valid": true, "measured_score": 150,
            }}),
        ),
        Op::Claim { job } => simulated(PROVIDER, &market, json!({"claim": {"job_id": job}})),
        Op::SubmitResult { job } => {
            let template = side
                .sm
                .job_market()
                .template("render.fractal")
                .await
                .unwrap()
                .unwrap();
            let output = job_output();
            let tree = starminer_templates::commit(&output, template.chunk_size);
            simulated(
                PROVIDER,
                &market,
                json!({"submit_result": {
                    "job_id": job,
                    "root": hex::encode(tree.root()),
                    "chunk_count": tree.leaf_count(),
                    "output_size": output.len(),
                    "output_uri": format!("http://127.0.0.1:9/results/job-{job}"),
                }}),
            )
        }
        Op::Settle { job } => {
            let submitted = side
                .sm
                .job_market()
                .job(*job)
                .await
                .unwrap()
                .job
                .result
                .expect("a result was submitted")
                .submitted_at;
            let window: u64 = CHALLENGE_WINDOW.parse().unwrap();
            past(side, submitted.seconds() + window + 1).await;
            simulated(PROVIDER, &market, json!({"settle": {"job_id": job}}))
        }
        Op::Abandon { job } => simulated(PROVIDER, &market, json!({"abandon": {"job_id": job}})),
        Op::StakeAmax { amount } => simulated(
            0,
            &amax,
            json!({"send": {"contract": governance, "amount": amount.to_string(), "msg": hook(json!({"stake": {}}))}}),
        ),
        Op::Propose { migrate } => {
            let deposit = side
                .sm
                .governance()
                .config()
                .await
                .unwrap()
                .params
                .min_deposit;
            let msgs = if *migrate {
                let code_id = side
                    .chain
                    .contract_info(&market)
                    .await
                    .unwrap()
                    .expect("the market exists")
                    .code_id;
                json!([{"wasm": {"migrate": {
                    "contract_addr": market, "new_code_id": code_id,
                    "msg": hook(json!({})),
                }}}])
            } else {
                json!([])
            };
            let title = if *migrate {
                "migrate the market"
            } else {
                "a note"
            };
            simulated(
                0,
                &amax,
                json!({"send": {"contract": governance, "amount": deposit, "msg": hook(json!({"propose": {
                    "title": title, "description": "differential test", "msgs": msgs,
                }}))}}),
            )
        }
        Op::Vote { proposal, option } => simulated(
            0,
            &governance,
            json!({"vote": {"proposal_id": proposal, "vote": option}}),
        ),
        Op::ExecuteProposal { proposal } => {
            let p = side.sm.governance().proposal(*proposal).await.unwrap();
            past(
                side,
                starminer_client::gov::ceil_seconds(p.executable_at)
                    .max(starminer_client::gov::ceil_seconds(p.voting_end)),
            )
            .await;
            simulated(
                0,
                &governance,
                json!({"execute": {"proposal_id": proposal}}),
            )
        }
    }
}

/// Waits until a block of `side` is past `unix_seconds`, and one more, so
/// the next transaction's block is too.
async fn past(side: &Side, unix_seconds: u64) {
    let s = side
        .chain
        .wait_for_time(unix_seconds, Duration::from_secs(60))
        .await
        .unwrap();
    side.chain
        .wait_for_height(s.height + 1, Duration::from_secs(30))
        .await
        .unwrap();
}

/// Both chains, the differences found so far and the report's figures.
struct Run {
    rt: tokio::runtime::Runtime,
    sides: [Side; 2],
    diffs: Vec<String>,
    /// Per step: name, kind, gas on the devnet and on wasmd.
    gas: Vec<(String, String, u64, u64)>,
    /// Wall time of the steps on each chain since the last `lap`.
    wall: [Duration; 2],
}

impl Run {
    /// Sends the smart query `msg` to the contract `target` names on each
    /// chain; both must refuse it with the same codespace, code and log.
    fn compare_query_refusal(&mut self, what: &str, target: impl Fn(&Side) -> String, msg: Value) {
        let errors: Vec<(String, u32, String)> = self
            .sides
            .iter()
            .map(|side| {
                let e = self
                    .rt
                    .block_on(side.chain.query_smart::<_, Value>(&target(side), &msg))
                    .expect_err(what);
                let q = e
                    .downcast_ref::<QueryError>()
                    .unwrap_or_else(|| panic!("{}: not a query error: {e:#}", side.name));
                (q.codespace.clone(), q.code, side.norm(&q.log))
            })
            .collect();
        if errors[0] != errors[1] {
            self.diffs.push(format!(
                "{what}: devnet {:?}, wasmd {:?}",
                errors[0], errors[1]
            ));
        }
    }

    /// Sends `op` to both chains and compares; `ok` says whether it must
    /// succeed. Returns what each chain did (devnet first).
    fn step(&mut self, name: &str, op: Op, ok: bool) -> [TxOutcome; 2] {
        let observed: Vec<Observed> = self
            .sides
            .iter()
            .map(|side| {
                self.rt.block_on(async {
                    let (from, msgs, mode) = build(side, &op).await;
                    run_step(side, from, msgs, mode).await
                })
            })
            .collect();
        let (d, w) = (&observed[0], &observed[1]);
        for (side, o) in self.sides.iter().zip(&observed) {
            assert_eq!(
                o.outcome.is_ok(),
                ok,
                "step `{name}` ({op:?}) on {}: expected {}, got {}/{} {}",
                side.name,
                if ok { "success" } else { "a failure" },
                o.outcome.codespace,
                o.outcome.code,
                o.outcome.log
            );
        }
        self.diffs
            .extend(compare(name, (&self.sides[0], d), (&self.sides[1], w)));
        self.gas.push((
            name.to_string(),
            op.kind(),
            d.outcome.gas_used,
            w.outcome.gas_used,
        ));
        self.wall[0] += d.wall;
        self.wall[1] += w.wall;
        let [d, w]: [Observed; 2] = observed.try_into().unwrap();
        [d.outcome, w.outcome]
    }

    /// The wall time of the steps since the last lap, per chain; resets it.
    fn lap(&mut self) -> [Duration; 2] {
        std::mem::take(&mut self.wall)
    }

    /// A wasm attribute of the devnet's outcome that wasmd's must equal.
    fn same_attribute(&mut self, out: &[TxOutcome; 2], contract: &str, key: &str) -> u64 {
        let read = |i: usize| {
            let addr = match contract {
                "registry" => self.sides[i].sm.addresses().registry.to_string(),
                "governance" => self.sides[i].sm.addresses().governance.to_string(),
                _ => self.sides[i].sm.addresses().job_market.to_string(),
            };
            out[i]
                .wasm_attribute(&addr, key)
                .unwrap_or_else(|| panic!("{}: no {key} from the {contract}", self.sides[i].name))
                .parse::<u64>()
                .unwrap()
        };
        let (d, w) = (read(0), read(1));
        if d != w {
            self.diffs
                .push(format!("{contract} {key}: devnet {d}, wasmd {w}"));
        }
        d
    }

    fn job_id(&mut self, out: &[TxOutcome; 2]) -> u64 {
        let (d, w) = (
            out[0].submitted_job_id(None).expect("devnet: a job id"),
            out[1].submitted_job_id(None).expect("wasmd: a job id"),
        );
        if d != w {
            self.diffs.push(format!("job id: devnet {d}, wasmd {w}"));
        }
        d
    }
}

/// A small deterministic PRNG (splitmix64): the same seed gives the same
/// sequences on every machine, without a dependency.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.next() as usize % items.len()]
    }
}

/// What the random generator knows of the chains' state, so that every op
/// it draws is valid. Jobs are learnt from the chains' answers.
#[derive(Default)]
struct Model {
    /// (owner, spender) → uagpu.
    allowances: BTreeMap<(usize, usize), u128>,
    /// Bond added by the random sequences per dev (free to unbond).
    bonded: BTreeMap<usize, u128>,
    /// Open jobs: id → requester.
    open_jobs: BTreeMap<u64, usize>,
}

/// Draws the next op of a random sequence.
fn draw(rng: &mut SplitMix, model: &Model) -> Op {
    let users = [1usize, 2, 3];
    loop {
        let from = rng.pick(&users);
        let other = rng.pick(&users.map(|u| if u == from { 0 } else { u }));
        match rng.range(0, 11) {
            0 | 1 => {
                return Op::Transfer {
                    from,
                    to: other,
                    amount: rng.range(1, 5_000_000).into(),
                }
            }
            2 if other != 0 => {
                return Op::IncreaseAllowance {
                    owner: from,
                    spender: other,
                    amount: rng.range(1, 3_000_000).into(),
                }
            }
            3 | 4 => {
                let Some((&(owner, spender), &left)) = model
                    .allowances
                    .iter()
                    .filter(|(_, a)| **a > 0)
                    .nth(rng.next() as usize % model.allowances.len().max(1))
                else {
                    continue;
                };
                let amount = rng.range(1, left as u64).into();
                return if rng.range(0, 2) == 0 {
                    Op::DecreaseAllowance {
                        owner,
                        spender,
                        amount,
                    }
                } else {
                    Op::TransferFrom {
                        spender,
                        owner,
                        to: rng.pick(&[0, 1, 2, 3]),
                        amount,
                    }
                };
            }
            5 => {
                return Op::Bond {
                    who: rng.pick(&[PROVIDER, VALIDATOR]),
                    amount: rng.range(1, 10).into(),
                }
            }
            6 => {
                let who = rng.pick(&[PROVIDER, VALIDATOR]);
                let free = model.bonded.get(&who).copied().unwrap_or(0);
                if free == 0 {
                    continue;
                }
                return Op::Unbond {
                    who,
                    amount: rng.range(1, free as u64).into(),
                };
            }
            7 | 8 => return Op::SubmitJob { from, size: 64 },
            9 => {
                let Some((&job, &by)) = model
                    .open_jobs
                    .iter()
                    .nth(rng.next() as usize % model.open_jobs.len().max(1))
                else {
                    continue;
                };
                return Op::Cancel { from: by, job };
            }
            10 => return Op::Heartbeat { who: PROVIDER },
            11 => {
                return Op::StakeAmax {
                    amount: rng.range(1, 1_000_000).into(),
                }
            }
            _ => continue,
        }
    }
}

/// Applies `op`, which both chains carried out, to the model.
fn apply(model: &mut Model, op: &Op, job: Option<u64>) {
    match op {
        Op::IncreaseAllowance {
            owner,
            spender,
            amount,
        } => *model.allowances.entry((*owner, *spender)).or_default() += amount,
        Op::DecreaseAllowance {
            owner,
            spender,
            amount,
        }
        | Op::TransferFrom {
            owner,
            spender,
            amount,
            ..
        } => *model.allowances.entry((*owner, *spender)).or_default() -= amount,
        Op::Bond { who, amount } => *model.bonded.entry(*who).or_default() += amount,
        Op::Unbond { who, amount } => *model.bonded.entry(*who).or_default() -= amount,
        Op::SubmitJob { from, .. } => {
            model.open_jobs.insert(job.expect("a submitted job"), *from);
        }
        Op::Cancel { job, .. } => {
            model.open_jobs.remove(job);
        }
        _ => {}
    }
}

#[test]
#[ignore = "needs wasmd (scripts/setup.sh builds it) and two chains: scripts/test.sh runs it"]
fn the_same_transactions_agree_on_the_devnet_and_on_wasmd() {
    let Some(wasmd) = wasmd_or_skip() else {
        return;
    };
    let started = Instant::now();
    let mut cli = Cli::new(Some(wasmd));
    cli.wasmd_chains.push(WASMD_ID.into());
    // A snapshot of the artifacts, so that both chains get the same bytes
    // even if the contracts are rebuilt while the test runs.
    let snapshot = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(artifacts_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            std::fs::copy(&path, snapshot.path().join(path.file_name().unwrap())).unwrap();
        }
    }
    let artifacts = snapshot.path().to_str().unwrap();

    // Both chains, deployed alike: dev0 deploys, dev1..dev3 get 1,000,000
    // AGPU, StarMiner governance votes for 10 s with a 2 s timelock, the
    // market's challenge window is 2 s and the pricing and incentive epochs
    // an hour (no epoch may end on one chain and not the other while the
    // test runs).
    let periods = [
        "--challenge-window",
        CHALLENGE_WINDOW,
        "--pricing-epoch",
        "3600",
        "--incentives-epoch",
        "3600",
    ];
    let port = |_| free_port().to_string();
    let (rpc, rest) = (port(0), port(1));
    let mut up = vec![
        "devnet",
        "up",
        "--fresh",
        // The differential test registers its own validator on both chains.
        "--no-validator-agent",
        "--rpc-port",
        &rpc,
        "--rest-port",
        &rest,
        "--grpc-port",
        "0",
        "--block-time",
        "1s",
        "--artifacts",
        artifacts,
    ];
    up.extend(periods);
    cli.ok(&up);
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
    let mut deploy = vec![
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
    ];
    deploy.extend(periods);
    cli.ok(&deploy);
    let setup = started.elapsed();

    let mut run = Run {
        rt: tokio::runtime::Runtime::new().unwrap(),
        sides: [Side::load(&cli, "devnet"), Side::load(&cli, "wasmd")],
        diffs: Vec::new(),
        gas: Vec::new(),
        wall: Default::default(),
    };
    let [dev, wasm] = &run.sides;

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
    let mut addr_diffs = Vec::new();
    for (name, d, w) in pairs {
        if dev.norm(d) != wasm.norm(w) {
            addr_diffs.push(format!(
                "instantiate2 address of {name}: devnet {d}, wasmd {w}"
            ));
        }
    }
    run.diffs.extend(addr_diffs);

    // A smart query of an address without a contract: the same refusal.
    run.compare_query_refusal(
        "smart query of an address without a contract",
        |side| side.addr(1),
        json!({"config": {}}),
    );

    // A contract that panics: the probe, stored and instantiated alike on
    // both chains (instantiate2 with one salt: the same address bytes).
    let probe_wasm = std::fs::read(artifacts_dir().join("panic_probe.wasm"))
        .expect("artifacts/panic_probe.wasm (scripts/build-wasm.sh)");
    for side in &mut run.sides {
        let wallet = &side.devs[0];
        let (code_id, _) = run
            .rt
            .block_on(wallet.store_code(probe_wasm.clone()))
            .unwrap_or_else(|e| panic!("{}: storing the panic probe: {e:#}", side.name));
        let (address, _) = run
            .rt
            .block_on(wallet.instantiate2(code_id, b"{}", "panic probe", None, b"probe", vec![]))
            .unwrap_or_else(|e| panic!("{}: instantiating the panic probe: {e:#}", side.name));
        side.probe = address;
    }
    run.compare_query_refusal(
        "smart query that panics",
        |side| side.probe.clone(),
        json!({"panic": {}}),
    );

    // 1. Bad input and a job cancelled.
    run.step("bank send", Op::BankSend, true);
    run.step(
        "cw20 transfer",
        Op::Transfer {
            from: 1,
            to: 2,
            amount: 5 * UNIT,
        },
        true,
    );
    run.step(
        "cw20 transfer over the balance (contract error)",
        Op::TransferOverBalance,
        false,
    );
    run.step("out of gas", Op::OutOfGas, false);
    run.step("unknown contract message", Op::UnknownMessage, false);
    run.step("a contract panics", Op::ContractPanic, false);
    let out = run.step(
        "submit a job (cw20 send → receive hook)",
        Op::SubmitJob { from: 1, size: 64 },
        true,
    );
    let job = run.job_id(&out);
    let cancel = Op::Cancel { from: 1, job };
    run.step("cancel the job (refund through cw20)", cancel.clone(), true);
    run.step("cancel it again (contract error)", cancel, false);
    run.step(
        "migrate by someone not the admin (refused)",
        Op::MigrateNotAdmin,
        false,
    );
    let fixed = run.lap();

    // 2. A validator and a provider of tier 1 (the templates' minimum).
    let v = VALIDATOR;
    run.step(
        "register a validator",
        Op::Register {
            who: v,
            validator: true,
        },
        true,
    );
    run.step(
        "bond the validator's stake",
        Op::Bond {
            who: v,
            amount: 5_000 * UNIT,
        },
        true,
    );
    run.step(
        "register a provider",
        Op::Register {
            who: PROVIDER,
            validator: false,
        },
        true,
    );
    run.step(
        "bond the provider's stake",
        Op::Bond {
            who: PROVIDER,
            amount: 2_000 * UNIT,
        },
        true,
    );
    let out = run.step("request a benchmark", Op::RequestBenchmark, true);
    let challenge = run.same_attribute(&out, "registry", "challenge_id");
    run.step(
        "submit the benchmark result",
        Op::SubmitBenchmark { challenge },
        true,
    );
    run.step(
        "attest the benchmark (tier 1)",
        Op::AttestBenchmark { challenge },
        true,
    );
    let provider_setup = run.lap();

    // 3. A full job, verification None.
    let out = run.step(
        "full job: submit",
        Op::SubmitJob { from: 1, size: 64 },
        true,
    );
    let job = run.job_id(&out);
    run.step("full job: claim", Op::Claim { job }, true);
    run.step(
        "full job: submit the result",
        Op::SubmitResult { job },
        true,
    );
    run.step("full job: settle", Op::Settle { job }, true);
    let full_job = run.lap();

    // 4. A slash through a submessage with a reply: the provider abandons
    // its lease, the market slashes half its collateral to the requester.
    // A larger job, so that half its collateral is not rounded to nothing.
    let out = run.step(
        "abandoned job: submit",
        Op::SubmitJob {
            from: 1,
            size: 1024,
        },
        true,
    );
    let job = run.job_id(&out);
    run.step("abandoned job: claim", Op::Claim { job }, true);
    let out = run.step(
        "abandoned job: abandon (registry Slash, reply)",
        Op::Abandon { job },
        true,
    );
    for (side, o) in run.sides.iter().zip(&out) {
        assert!(
            o.events.iter().any(|e| e.kind == "reply"),
            "{}: the slash's reply ran: {:?}",
            side.name,
            o.events
        );
    }
    run.step(
        "abandoned job: cancel it",
        Op::Cancel { from: 1, job },
        true,
    );
    let abandon = run.lap();

    // 5. A migration of the market through governance.
    let out = run.step(
        "governance: propose migrating the market",
        Op::Propose { migrate: true },
        true,
    );
    let proposal = run.same_attribute(&out, "governance", "proposal_id");
    run.step(
        "governance: vote yes",
        Op::Vote {
            proposal,
            option: "yes",
        },
        true,
    );
    let out = run.step(
        "governance: execute the migration",
        Op::ExecuteProposal { proposal },
        true,
    );
    for (side, o) in run.sides.iter().zip(&out) {
        assert!(
            o.events.iter().any(|e| e.kind == "migrate"),
            "{}: the market was migrated: {:?}",
            side.name,
            o.events
        );
    }
    let migration = run.lap();

    // 6. Random valid sequences.
    let seed: u64 = match std::env::var("STARMINER_DIFF_SEED") {
        Ok(s) => s.parse().expect("STARMINER_DIFF_SEED: an integer"),
        Err(_) => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos() as u64,
    };
    eprintln!("random sequences: seed {seed} (STARMINER_DIFF_SEED={seed} replays them)");
    let mut rng = SplitMix(seed);
    let mut model = Model::default();
    let mut random_walls = Vec::new();
    for s in 0..RANDOM_SEQUENCES {
        let len = rng.range(*RANDOM_LEN.start() as u64, *RANDOM_LEN.end() as u64);
        for i in 0..len {
            let mut op = draw(&mut rng, &model);
            // A proposal now and then, voted on at once.
            if rng.range(0, 15) == 0 {
                op = Op::Propose { migrate: false };
            }
            let name = format!("seed {seed} sequence {s} tx {i}: {op:?}");
            let out = run.step(&name, op.clone(), true);
            let job = matches!(op, Op::SubmitJob { .. }).then(|| run.job_id(&out));
            if matches!(op, Op::Propose { .. }) {
                let proposal = run.same_attribute(&out, "governance", "proposal_id");
                let option = rng.pick(&["yes", "no", "abstain"]);
                let vote = Op::Vote { proposal, option };
                run.step(
                    &format!("seed {seed} sequence {s} tx {i}b: {vote:?}"),
                    vote,
                    true,
                );
            }
            apply(&mut model, &op, job);
        }
        random_walls.push(run.lap());
    }

    // The report: gas per message kind and wall time per sequence.
    let mut by_kind: BTreeMap<String, (u64, u64, u64)> = BTreeMap::new();
    let mut table = vec![
        "| step | devnet gas | wasmd gas | devnet / wasmd |".to_string(),
        "|---|---|---|---|".to_string(),
    ];
    for (name, kind, d, w) in &run.gas {
        if !name.starts_with("seed") {
            table.push(format!(
                "| {name} | {d} | {w} | {:.2} |",
                *d as f64 / (*w).max(1) as f64
            ));
        }
        let e = by_kind.entry(kind.clone()).or_default();
        *e = (e.0 + 1, e.1 + d, e.2 + w);
    }
    eprintln!(
        "gas per step (devnet vs wasmd v0.55.1):\n{}",
        table.join("\n")
    );
    let mut kinds = vec![
        "| message | txs | mean devnet gas | mean wasmd gas | devnet / wasmd |".to_string(),
        "|---|---|---|---|---|".to_string(),
    ];
    for (kind, (n, d, w)) in &by_kind {
        kinds.push(format!(
            "| {kind} | {n} | {} | {} | {:.2} |",
            d / n,
            w / n,
            *d as f64 / (*w).max(1) as f64
        ));
    }
    eprintln!("gas per message kind, every step:\n{}", kinds.join("\n"));
    let mut walls = vec![
        "| sequence | txs | devnet s | wasmd s | devnet / wasmd |".to_string(),
        "|---|---|---|---|---|".to_string(),
    ];
    let mut row = |name: &str, txs: usize, w: [Duration; 2]| {
        walls.push(format!(
            "| {name} | {txs} | {:.1} | {:.1} | {:.2} |",
            w[0].as_secs_f64(),
            w[1].as_secs_f64(),
            w[0].as_secs_f64() / w[1].as_secs_f64().max(1e-9)
        ))
    };
    row("bad input, a job cancelled", 10, fixed);
    row("validator and provider", 7, provider_setup);
    row("full job (submit, claim, result, settle)", 4, full_job);
    row("abandoned job (slash, reply)", 4, abandon);
    row("migration through governance", 3, migration);
    let random_txs = run.gas.iter().filter(|g| g.0.starts_with("seed")).count();
    let total: [Duration; 2] = random_walls
        .iter()
        .fold(Default::default(), |acc, w| [acc[0] + w[0], acc[1] + w[1]]);
    row("random sequences", random_txs, total);
    eprintln!(
        "wall time of the transactions (simulate, broadcast, included; waits for the chains' clocks left out):\n{}",
        walls.join("\n")
    );
    eprintln!(
        "setup (both chains up and deployed) {:.0} s, whole test {:.0} s",
        setup.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
    assert!(
        run.diffs.is_empty(),
        "{} difference(s) between the devnet and wasmd (seed {seed}):\n  {}",
        run.diffs.len(),
        run.diffs.join("\n  ")
    );
}

/// A fractal job of `size`×`size` pixels in eu-west with a deadline a day after the chain's
/// time; 10 AGPU are sent with it and what exceeds the quote is refunded.
async fn job_spec(side: &Side, size: u64) -> jm::JobSpec {
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
            param("width", size),
            param("height", size),
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
