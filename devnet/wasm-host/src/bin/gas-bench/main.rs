//! gas-bench: the VM and SDK gas of StarMiner's main transactions on the real
//! artifacts, and a check that voting costs the same after 10 and after
//! 10,000 prior votes (no execute path may iterate over unbounded state).
//!
//! Gas is deterministic; wall time is printed only to keep the run honest.

mod market;

use std::process::ExitCode;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use starminer_interfaces::{governance as gov, registry as reg};
use starminer_wasm_host::testing::{self as protocol, registry_params, Protocol, UNIT};
use starminer_wasm_host::{ExecResult, GasUsage, WasmHost};

const USAGE: &str = "\
gas-bench: VM and SDK gas of StarMiner transactions on the wasm artifacts

USAGE:
    cargo run -p starminer-wasm-host --features testing --bin gas-bench [-- OPTIONS]

OPTIONS:
    --votes <N>        prior votes before the second vote measurement [default: 10000]
    --voters <N>       voters the prior votes are spread over [default: 100]
    --jobs <N>         open jobs (over 8 zones) for the job-market scaling check [default: 10000]
    --max-ratio <R>    fail when a gas ratio (many / few) exceeds R [default: 1.2]
    -h, --help         print this help

Needs every artifact in artifacts/ (scripts/build-wasm.sh).
Exits non-zero when a gas ratio is above the limit.";

struct Options {
    jobs: u64,
    votes: u64,
    voters: u64,
    max_ratio: f64,
}

fn parse_options() -> Result<Option<Options>> {
    let mut o = Options {
        jobs: 10_000,
        votes: 10_000,
        voters: 100,
        max_ratio: 1.2,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().with_context(|| format!("{name} needs a value"));
        match arg.as_str() {
            "-h" | "--help" => return Ok(None),
            "--votes" => o.votes = value("--votes")?.parse()?,
            "--jobs" => o.jobs = value("--jobs")?.parse()?,
            "--voters" => o.voters = value("--voters")?.parse()?,
            "--max-ratio" => o.max_ratio = value("--max-ratio")?.parse()?,
            other => bail!("unknown argument {other:?}\n\n{USAGE}"),
        }
    }
    if o.voters < 11 || o.votes < o.voters {
        bail!("need at least 11 voters and at least as many votes as voters");
    }
    Ok(Some(o))
}

struct Row {
    name: &'static str,
    gas: GasUsage,
}

fn row(rows: &mut Vec<Row>, name: &'static str, r: ExecResult) {
    rows.push(Row { name, gas: r.gas });
}

fn deploy() -> Result<Protocol> {
    Protocol::deploy(WasmHost::new()?, 1_000_000_000 * UNIT, 1_000_000_000 * UNIT)
}

/// One of each main transaction, in a realistic order.
fn measure_transactions() -> Result<Vec<Row>> {
    let p = deploy()?;
    let mut rows = Vec::new();
    let alice = p.host.addr_make("alice");
    let rig = p.host.addr_make("rig");
    p.transfer(&p.agpu, &p.deployer, &rig, 10_000 * UNIT)?;
    p.transfer(&p.amax, &p.deployer, &alice, 10_000 * UNIT)?;
    // The yardstick: an AGPU transfer to a new holder.
    let newcomer = p.host.addr_make("newcomer");
    row(
        &mut rows,
        "cw20 transfer (yardstick)",
        p.transfer(&p.agpu, &p.deployer, &newcomer, UNIT)?,
    );
    row(
        &mut rows,
        "stake (AMAX Send)",
        p.stake(&alice, 1_000 * UNIT)?,
    );
    p.host.next_block(5);
    let mut params = registry_params();
    params.min_provider_stake = params.min_provider_stake + params.min_provider_stake;
    let update = p.registry_call(&reg::ExecuteMsg::UpdateConfig {
        governance: None,
        params: Some(params),
    });
    let (id, r) = p.propose(&alice, "Raise the provider stake", vec![update])?;
    row(&mut rows, "propose (AMAX Send)", r);
    row(&mut rows, "vote", p.vote(&alice, id, gov::VoteOption::Yes)?);
    let g = protocol::governance_params();
    p.host.next_block(g.voting_period + 1);
    p.host.next_block(g.timelock);
    row(
        &mut rows,
        "execute proposal",
        p.execute_proposal(&alice, id)?,
    );
    if p.proposal(id)?.status != gov::ProposalStatus::Executed {
        bail!("the benchmark proposal did not execute");
    }
    row(&mut rows, "register provider", p.register(&rig)?);
    row(&mut rows, "bond (AGPU Send)", p.bond(&rig, 2_000 * UNIT)?);
    Ok(rows)
}

struct VoteScaling {
    after_few: GasUsage,
    after_many: GasUsage,
    prior_votes: u64,
    proposals: u64,
}

/// Casts `votes` votes over `voters` voters and as many proposals as needed,
/// measuring the 11th vote and the vote after all of them.
fn measure_vote_scaling(o: &Options) -> Result<VoteScaling> {
    let p = deploy()?;
    let proposals = o.votes.div_ceil(o.voters);
    let voters: Vec<_> = (0..=o.voters)
        .map(|i| p.host.addr_make(&format!("voter-{i:05}")))
        .collect();
    for v in &voters {
        p.transfer(&p.amax, &p.deployer, v, 100 * UNIT)?;
        p.stake(v, 100 * UNIT)?;
    }
    p.host.next_block(5);
    let mut ids = Vec::with_capacity(proposals as usize);
    for i in 0..proposals {
        let msg = p.registry_call(&reg::ExecuteMsg::AddZones {
            zones: vec![format!("zone-{i}")],
        });
        ids.push(
            p.propose(&p.deployer, &format!("Proposal {i}"), vec![msg])?
                .0,
        );
    }
    p.host.next_block(5);

    let mut cast = 0u64;
    let mut after_few = None;
    let started = Instant::now();
    'outer: for id in &ids {
        for v in &voters[..o.voters as usize] {
            if cast == o.votes {
                break 'outer;
            }
            let r = p.vote(v, *id, gov::VoteOption::Yes)?;
            if cast == 10 {
                after_few = Some(r.gas);
            }
            cast += 1;
            if cast.is_multiple_of(2_000) {
                eprintln!(
                    "  {cast} votes cast ({:.1}s)",
                    started.elapsed().as_secs_f64()
                );
            }
        }
    }
    // The extra voter's first vote, on the last proposal, after every prior vote.
    let last = *ids.last().context("no proposals")?;
    let after_many = p
        .vote(&voters[o.voters as usize], last, gov::VoteOption::Yes)?
        .gas;
    Ok(VoteScaling {
        after_few: after_few.context("fewer than 11 votes cast")?,
        after_many,
        prior_votes: cast,
        proposals,
    })
}

fn run(o: &Options) -> Result<bool> {
    let started = Instant::now();
    let rows = measure_transactions()?;
    let yardstick = rows[0].gas.sdk_gas as f64;
    println!(
        "{:<36} {:>16} {:>10} {:>8}",
        "transaction", "VM gas", "SDK gas", "× cw20"
    );
    for r in &rows {
        println!(
            "{:<36} {:>16} {:>10} {:>8.2}",
            r.name,
            r.gas.vm_gas,
            r.gas.sdk_gas,
            r.gas.sdk_gas as f64 / yardstick
        );
    }
    println!();
    println!(
        "SDK gas = VM gas / {} + instance loads ({} each, {} for a code already loaded in the tx) \
         + KV store access + events (wasmd 0.5x rules)",
        protocol_multiplier(),
        starminer_wasm_host::GasConfig::default().instance_cost,
        starminer_wasm_host::GasConfig::default().instance_cost_discount
    );
    println!();

    let s = measure_vote_scaling(o)?;
    let sdk_ratio = s.after_many.sdk_gas as f64 / s.after_few.sdk_gas as f64;
    let vm_ratio = s.after_many.vm_gas as f64 / s.after_few.vm_gas as f64;
    println!(
        "vote scaling ({} prior votes over {} voters and {} proposals)",
        s.prior_votes, o.voters, s.proposals
    );
    println!("{:<28} {:>16} {:>10}", "", "VM gas", "SDK gas");
    println!(
        "{:<28} {:>16} {:>10}",
        "vote after 10 votes", s.after_few.vm_gas, s.after_few.sdk_gas
    );
    println!(
        "{:<28} {:>16} {:>10}",
        format!("vote after {} votes", s.prior_votes),
        s.after_many.vm_gas,
        s.after_many.sdk_gas
    );
    println!("{:<28} {:>16.3} {:>10.3}", "ratio", vm_ratio, sdk_ratio);
    println!();

    let mut market_rows = Vec::new();
    market::measure_job(&mut market_rows)?;
    println!("job market (SpotCheck with 2 verifiers unless noted)");
    println!(
        "{:<36} {:>16} {:>10} {:>8}",
        "transaction", "VM gas", "SDK gas", "× cw20"
    );
    for (name, gas) in &market_rows {
        println!(
            "{:<36} {:>16} {:>10} {:>8.2}",
            name,
            gas.vm_gas,
            gas.sdk_gas,
            gas.sdk_gas as f64 / yardstick
        );
    }
    println!();
    let m = market::measure_scaling(o.jobs)?;
    println!(
        "job-market scaling: 10 vs {} open jobs over 8 zones (filled in {:.1}s)",
        m.open_jobs, m.fill_seconds
    );
    println!(
        "{:<28} {:>16} {:>10} {:>16} {:>10} {:>8} {:>8}",
        "", "VM gas (10)", "SDK (10)", "VM gas (many)", "SDK (many)", "VM ×", "SDK ×"
    );
    let mut ratios = vec![vm_ratio, sdk_ratio];
    for (name, few, many) in [
        ("ClaimNext", m.few.0, m.many.0),
        ("settle", m.few.1, m.many.1),
    ] {
        let vm = many.vm_gas as f64 / few.vm_gas as f64;
        let sdk = many.sdk_gas as f64 / few.sdk_gas as f64;
        ratios.extend([vm, sdk]);
        println!(
            "{:<28} {:>16} {:>10} {:>16} {:>10} {:>8.3} {:>8.3}",
            name, few.vm_gas, few.sdk_gas, many.vm_gas, many.sdk_gas, vm, sdk
        );
    }
    println!();
    println!("wall time {:.1}s", started.elapsed().as_secs_f64());
    let ok = ratios.iter().all(|r| *r <= o.max_ratio);
    if ok {
        println!("OK: every gas ratio within {}", o.max_ratio);
    } else {
        println!(
            "FAIL: gas grows with the number of votes or open jobs (limit {})",
            o.max_ratio
        );
    }
    Ok(ok)
}

fn protocol_multiplier() -> u64 {
    starminer_wasm_host::GasConfig::default().gas_multiplier
}

fn main() -> ExitCode {
    let options = match parse_options() {
        Ok(Some(o)) => o,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("gas-bench: {e:#}");
            return ExitCode::from(2);
        }
    };
    match run(&options) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("gas-bench: {e:#}");
            ExitCode::from(2)
        }
    }
}
