//! `starminer-agent status`: the agent's leases and verifications from its
//! database when the daemon is stopped (the database admits one process; while
//! the daemon runs, its `/metrics` are shown instead), plus its on-chain
//! record, stake and pending rewards when the chain answers.

use anyhow::Result;
use serde_json::json;

use crate::account::AgentAccount;
use crate::config::AgentConfig;
use crate::duties::DutyDb;

pub async fn print_status(config: &AgentConfig, as_json: bool) -> Result<()> {
    let local = match DutyDb::open(&config.db_path()) {
        Ok(state) => {
            let leases = state.leases()?;
            let verifications = state.verifications()?;
            json!({ "leases": leases, "verifications": verifications })
        }
        Err(_) => {
            // The daemon holds the database: ask its metrics endpoint.
            let url = format!("{}/metrics", config.server.public_url.trim_end_matches('/'));
            let text = match reqwest::get(&url).await {
                Ok(r) => r.text().await.unwrap_or_default(),
                Err(e) => format!("(the daemon holds the database and {url} does not answer: {e})"),
            };
            let jobs: Vec<&str> = text
                .lines()
                .filter(|l| l.starts_with("starminer_agent_"))
                .collect();
            json!({ "daemon_running": true, "metrics": jobs })
        }
    };
    let chain = match AgentAccount::connect(config) {
        Ok(chain) => {
            let address = chain.address().to_string();
            let record = chain.me().await.ok().flatten();
            let stake = chain.sm.registry().stake(&address).await.ok();
            let rewards = chain
                .sm
                .incentives()
                .pending_rewards(&address)
                .await
                .ok()
                .map(|r| r.amount);
            json!({
                "address": address,
                "registered": record.is_some(),
                "status": record.as_ref().map(|p| format!("{:?}", p.status)),
                "zone": record.as_ref().map(|p| p.zone.clone()),
                "tier": record.as_ref().map(|p| p.tier),
                "reputation": record.as_ref().map(|p| p.reputation),
                "active_roles": record.as_ref().map(|p| format!("{:?}", p.active_roles)),
                "counters": record.as_ref().map(|p| serde_json::to_value(&p.counters).unwrap_or_default()),
                "bonded_uagpu": stake.as_ref().map(|s| s.bonded),
                "locked_uagpu": stake.as_ref().map(|s| s.locked),
                "pending_rewards_uagpu": rewards,
            })
        }
        Err(e) => json!({ "error": format!("{e:#}") }),
    };
    let all = json!({ "local": local, "chain": chain });
    if as_json {
        println!("{}", serde_json::to_string_pretty(&all)?);
        return Ok(());
    }
    println!("chain:");
    if let Some(obj) = all["chain"].as_object() {
        for (k, v) in obj {
            println!("  {k:<22} {v}");
        }
    }
    if let Some(leases) = all["local"]["leases"].as_array() {
        println!("jobs ({}):", leases.len());
        for l in leases {
            println!(
                "  job {:<6} {:<16} {:<10} units {:<10} {}",
                l["job_id"],
                l["template"].as_str().unwrap_or(""),
                l["phase"]["phase"].as_str().unwrap_or(""),
                l["units"],
                l["last_error"].as_str().unwrap_or("")
            );
        }
    }
    if let Some(vs) = all["local"]["verifications"].as_array() {
        println!("verifications ({}):", vs.len());
        for v in vs {
            println!(
                "  job {:<6} dispute {:<5} sample {} verdict {}",
                v["job_id"], v["dispute"], v["sample"], v["verdict"]
            );
        }
    }
    if let Some(m) = all["local"]["metrics"].as_array() {
        println!("daemon running; its metrics:");
        for line in m {
            println!("  {}", line.as_str().unwrap_or(""));
        }
    }
    Ok(())
}
