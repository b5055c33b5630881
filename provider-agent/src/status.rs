//! `starminer-agent status`: the agent's leases and verifications from its
//! database when the daemon is stopped, or from the running daemon's
//! `/agent/status` (the database admits one process) — the same table
//! either way — plus its on-chain record, stake and pending rewards when the
//! chain answers.

use anyhow::Result;
use serde_json::json;

use crate::account::AgentAccount;
use crate::config::AgentConfig;
use crate::duties::DutyDb;

/// The URL of the running daemon's `/agent/status`: its listen address,
/// reached over loopback when it listens on every interface.
pub fn daemon_status_url(listen: std::net::SocketAddr) -> String {
    let mut addr = listen;
    if addr.ip().is_unspecified() {
        addr.set_ip(match addr {
            std::net::SocketAddr::V4(_) => std::net::Ipv4Addr::LOCALHOST.into(),
            std::net::SocketAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
        });
    }
    format!("http://{addr}/agent/status")
}

pub async fn print_status(config: &AgentConfig, as_json: bool) -> Result<()> {
    let local = match DutyDb::open(&config.db_path()) {
        Ok(state) => {
            let leases = state.leases()?;
            let verifications = state.verifications()?;
            json!({ "daemon_running": false, "leases": leases, "verifications": verifications })
        }
        Err(db_error) => {
            // The daemon holds the database: ask its HTTP API for the same.
            let url = daemon_status_url(config.server.listen);
            let answer = async {
                let r = reqwest::get(&url).await?.error_for_status()?;
                r.json::<serde_json::Value>().await
            };
            match answer.await {
                Ok(mut v) => {
                    v["daemon_running"] = json!(true);
                    v
                }
                Err(e) => anyhow::bail!(
                    "the database {} cannot be opened ({db_error:#}) and no daemon answers at {url} ({e}): \
                     is another process using this home?",
                    config.db_path().display()
                ),
            }
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
            // JSON keeps micro units in `*_uagpu`; people read AGPU.
            let micro = v
                .as_u64()
                .map(u128::from)
                .or_else(|| v.as_str().and_then(|s| s.parse().ok()));
            match (k.strip_suffix("_uagpu"), micro) {
                (Some(name), Some(m)) => println!(
                    "  {name:<22} {}",
                    starminer_client::contracts::format_token(m, "AGPU")
                ),
                _ => println!("  {k:<22} {v}"),
            }
        }
    }
    if all["local"]["daemon_running"] == json!(true) {
        println!("daemon: running (jobs from its /agent/status)");
    } else {
        println!("daemon: not running (jobs from its database)");
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
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_daemon_is_asked_over_loopback() {
        assert_eq!(
            daemon_status_url("0.0.0.0:8645".parse().unwrap()),
            "http://127.0.0.1:8645/agent/status"
        );
        assert_eq!(
            daemon_status_url("[::]:9".parse().unwrap()),
            "http://[::1]:9/agent/status"
        );
        assert_eq!(
            daemon_status_url("10.0.0.5:8645".parse().unwrap()),
            "http://10.0.0.5:8645/agent/status"
        );
    }
}
