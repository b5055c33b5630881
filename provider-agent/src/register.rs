//! `starminer-agent register`: creates (or updates) the agent's registry
//! record with the detected hardware, bonds AGPU up to the configured bond,
//! and, for providers, answers the registry's benchmark challenge
//! (`bench.v1`): measure the throughput, request a challenge claiming it,
//! run the challenge with the chain's seed and submit the result root before
//! the deadline. A validator then verifies it, which sets the tier.

use std::time::Duration;

use anyhow::{bail, Context, Result};
use cosmwasm_std::{Binary, Uint64};
use starminer_client::contracts::format_units;
use starminer_interfaces::registry::{self as reg, ChallengeStatus, Device, Role};

use crate::account::AgentAccount;
use crate::config::{AgentConfig, RoleName};
use crate::executor::Executor;
use crate::verifier::run_benchmark;

/// The hardware list the registry records, from OpenCL discovery.
pub fn hardware(devices: &[crate::devices::DeviceReport], max_text: usize) -> Vec<Device> {
    let clip = |s: &str| s.chars().take(max_text).collect::<String>();
    devices
        .iter()
        .map(|d| Device {
            vendor: clip(&d.vendor),
            name: clip(&d.name),
            compute_units: d.compute_units,
            global_mem_bytes: Uint64::new(d.global_memory_bytes),
            max_clock_mhz: d.max_clock_mhz,
            opencl_version: clip(&d.opencl_version),
        })
        .collect()
}

/// Benchmark score of `device`: `bench.v1` compute units per second with a
/// random seed (the best of a few runs).
pub fn measure_score(exec: &Executor, device: usize) -> Result<u64> {
    let template = starminer_templates::by_id("bench.v1")?;
    let params = crate::verifier::benchmark_params(&"5a".repeat(32))?;
    let units = template.info().units(&params)?.u128() as f64;
    let mut best = f64::MAX;
    for _ in 0..3 {
        let (_, secs) = run_benchmark(exec, device, &"5a".repeat(32))?;
        best = best.min(secs.max(1e-6));
    }
    Ok((units / best).floor() as u64)
}

pub async fn register(config: &AgentConfig, wait_verified: Option<Duration>) -> Result<()> {
    let chain = AgentAccount::connect(config)?;
    chain.client().check_chain_id().await?;
    let registry = chain.sm.registry();
    let params = registry.config().await?.params;
    let reports = crate::devices::discover();
    if reports.is_empty() {
        bail!("no OpenCL device: nothing to register (see `starminer-agent devices`)");
    }
    let hw = hardware(&reports, params.limits.max_text_len as usize);
    let roles: Vec<Role> = config
        .provider
        .roles
        .iter()
        .map(|r| match r {
            RoleName::Provider => Role::Provider,
            RoleName::Validator => Role::Validator,
        })
        .collect();
    let fee_denom = &config.chain.client.fee_denom;
    if chain.client().balance(chain.address(), fee_denom).await? == 0 {
        bail!(
            "{}",
            crate::onboarding::missing_fees(
                chain.address(),
                fee_denom,
                config.chain.client.gas_price
            )
        );
    }
    let me = chain.me().await?;
    // Checked before any transaction, so a short balance leaves nothing
    // half done (a simulation would only say `Cannot Sub`).
    let stake = registry.stake(chain.address()).await?;
    let want = u128::from(config.provider.bond_uagpu);
    let to_bond = want.saturating_sub(stake.bonded.u128());
    let agpu = chain.sm.agpu();
    if to_bond > 0 {
        let have = agpu.balance(chain.address()).await?;
        if let Some(text) = crate::onboarding::missing_agpu(chain.address(), have, to_bond, want) {
            bail!("{text}");
        }
    }
    match &me {
        None => {
            chain
                .registry(&reg::ExecuteMsg::Register {
                    moniker: config.provider.moniker.clone(),
                    pubkey: Some(Binary::from(chain.wallet.key().public_key_bytes())),
                    region: config.provider.region.clone(),
                    zone: config.provider.zone.clone(),
                    hardware: hw.clone(),
                    result_server_url: Some(config.server.public_url.clone()),
                    roles: roles.clone(),
                })
                .await
                .context("registering")?;
            println!("registered {} in {}", chain.address(), config.provider.zone);
        }
        Some(p) => {
            chain
                .registry(&reg::ExecuteMsg::UpdateProfile {
                    moniker: Some(config.provider.moniker.clone()),
                    pubkey: None,
                    region: Some(config.provider.region.clone()),
                    zone: Some(config.provider.zone.clone()),
                    result_server_url: Some(config.server.public_url.clone()),
                    roles: Some(roles.clone()),
                })
                .await
                .context("updating the profile")?;
            if p.hardware != hw {
                chain
                    .registry(&reg::ExecuteMsg::UpdateHardware { hardware: hw })
                    .await
                    .context("updating the hardware")?;
            }
            println!("updated the registry record of {}", chain.address());
        }
    }
    if to_bond > 0 {
        registry
            .bond(&chain.wallet, &agpu, to_bond)
            .await
            .with_context(|| format!("bonding {} AGPU", format_units(to_bond)))?;
        println!(
            "bonded {} AGPU (total {} AGPU)",
            format_units(to_bond),
            format_units(want)
        );
    }
    if !config.has_role(RoleName::Provider) {
        return Ok(());
    }
    let p = chain.me().await?.context("the record vanished")?;
    if p.benchmark.verified_score > 0 {
        println!(
            "benchmark verified (score {}, tier {})",
            p.benchmark.verified_score, p.tier
        );
        return Ok(());
    }
    let exec = Executor::open_all()?;
    let device = config.agent.device.unwrap_or(0);
    let challenge_id = match p.benchmark.open_challenge {
        Some(id)
            if matches!(
                chain.benchmark_challenge(id).await?.status,
                ChallengeStatus::Issued
            ) =>
        {
            id
        }
        _ => {
            let claimed = if config.provider.claimed_score > 0 {
                config.provider.claimed_score
            } else {
                let s = measure_score(&exec, device)?;
                println!("measured a benchmark score of {s} units/s");
                s
            };
            chain
                .registry(&reg::ExecuteMsg::RequestBenchmark {
                    claimed_score: claimed,
                })
                .await
                .context("requesting a benchmark challenge")?;
            chain
                .me()
                .await?
                .and_then(|p| p.benchmark.open_challenge)
                .context("the registry issued no challenge")?
        }
    };
    let c = chain.benchmark_challenge(challenge_id).await?;
    println!(
        "benchmark challenge {challenge_id}: claimed {} units/s, deadline {}",
        c.claimed_score,
        starminer_client::human::when(c.deadline.seconds())
    );
    let (root, secs) = run_benchmark(&exec, device, &c.seed)?;
    chain
        .registry(&reg::ExecuteMsg::SubmitBenchmarkResult {
            challenge_id,
            result_root: root.clone(),
        })
        .await
        .context("submitting the benchmark result")?;
    println!("submitted result root {root} ({secs:.2} s); a validator verifies it");
    if wait_verified.is_none() {
        println!(
            "verification: {}",
            who_is_missing(&chain, challenge_id).await?
        );
    }
    if let Some(limit) = wait_verified {
        let started = std::time::Instant::now();
        let mut said = String::new();
        loop {
            let p = chain.me().await?.context("the record vanished")?;
            if p.benchmark.verified_score > 0 {
                println!(
                    "verified: score {}, tier {}",
                    p.benchmark.verified_score, p.tier
                );
                break;
            }
            match chain.benchmark_challenge(challenge_id).await?.status {
                ChallengeStatus::Rejected { validator } => {
                    bail!("validator {validator} rejected the benchmark result")
                }
                ChallengeStatus::Expired {} => {
                    bail!("{}", who_is_missing(&chain, challenge_id).await?)
                }
                _ => {}
            }
            let missing = who_is_missing(&chain, challenge_id).await?;
            if started.elapsed() > limit {
                bail!(
                    "no validator verified the benchmark within {}s: {missing}",
                    limit.as_secs()
                );
            }
            // Said again when it changes (ages aside), so the wait is never silent.
            let gist: String = missing.chars().filter(|c| !c.is_ascii_digit()).collect();
            if gist != said {
                println!("waiting up to {}s: {missing}", limit.as_secs());
                said = gist;
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }
    Ok(())
}

/// Who benchmark challenge `challenge_id` waits for (see
/// [`crate::onboarding::who_is_missing`]).
async fn who_is_missing(chain: &AgentAccount, challenge_id: u64) -> Result<String> {
    let challenge = chain.benchmark_challenge(challenge_id).await?;
    let validators = chain.validators().await?;
    let beacon = chain.sm.registry().beacon().await?.seq;
    let (_, now) = chain.head().await?;
    Ok(crate::onboarding::who_is_missing(
        chain.address(),
        &challenge,
        &validators,
        beacon,
        now,
    ))
}
