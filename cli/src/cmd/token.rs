//! `starminer token`: balances of the fee coin, AGPU and AMAX; transfers.

use anyhow::{bail, Result};
use clap::Subcommand;
use serde::Serialize;
use starminer_client::contracts::{format_coin, format_token, format_units, parse_units};

use crate::context::{table, Ctx};
use crate::GlobalArgs;

#[derive(Subcommand)]
pub enum TokenCmd {
    /// Balances of a key or address: fee coin, AGPU, AMAX, staked AMAX,
    /// bonded AGPU.
    Balance {
        /// Key name or address (default: the --from key).
        who: Option<String>,
        /// Key that signs (default: default_key of config.json).
        #[arg(long)]
        from: Option<String>,
    },
    /// Send AGPU, AMAX or the chain's fee coin.
    Send {
        /// Recipient: key name or address.
        to: String,
        /// Amount in whole tokens (6 decimals), e.g. 12.5.
        amount: String,
        /// agpu, amax, or a native denom (e.g. ustar, in its base unit).
        #[arg(long, default_value = "agpu")]
        denom: String,
        /// Key that signs (default: default_key of config.json).
        #[arg(long)]
        from: Option<String>,
    },
}

#[derive(Serialize)]
struct Balances {
    address: String,
    /// Native fee coin in its base unit, `native_denom`.
    native: String,
    native_denom: String,
    /// The StarMiner tokens in their micro units (the unit is the name).
    uagpu: Option<String>,
    uamax: Option<String>,
    uamax_staked: Option<String>,
    uagpu_bonded: Option<String>,
}

pub async fn run(g: &GlobalArgs, cmd: TokenCmd) -> Result<()> {
    let ctx = Ctx::new(g)?;
    match cmd {
        TokenCmd::Balance { who, from } => {
            let who = match who {
                Some(w) => w,
                None => ctx.key_name(&from)?,
            };
            let address = ctx.resolve_address(&who)?;
            let client = ctx.client()?;
            let denom = ctx.chain_config.fee_denom.clone();
            let native = client.balance(&address, &denom).await?;
            let mut b = Balances {
                address: address.clone(),
                native: native.to_string(),
                native_denom: denom,
                uagpu: None,
                uamax: None,
                uamax_staked: None,
                uagpu_bonded: None,
            };
            if let Ok(sm) = ctx.starminer() {
                b.uagpu = Some(sm.agpu().balance(&address).await?.to_string());
                b.uamax = Some(sm.amax().balance(&address).await?.to_string());
                b.uamax_staked = Some(sm.governance().staked(&address).await?.to_string());
                b.uagpu_bonded = Some(sm.registry().stake(&address).await?.bonded.to_string());
            }
            ctx.print(&b, |b| {
                let fmt = |v: &Option<String>, symbol: &str| {
                    v.as_ref()
                        .and_then(|s| s.parse::<u128>().ok())
                        .map(|micro| format_token(micro, symbol))
                        .unwrap_or_else(|| "- (not deployed)".into())
                };
                let mut t = table(&["", "balance"]);
                t.add_row(vec!["address".into(), b.address.clone()]);
                t.add_row(vec![
                    "fee coin".into(),
                    b.native
                        .parse::<u128>()
                        .map(|n| format_coin(n, &b.native_denom))
                        .unwrap_or_else(|_| b.native.clone()),
                ]);
                t.add_row(vec!["AGPU".into(), fmt(&b.uagpu, "AGPU")]);
                t.add_row(vec!["AGPU bonded".into(), fmt(&b.uagpu_bonded, "AGPU")]);
                t.add_row(vec!["AMAX".into(), fmt(&b.uamax, "AMAX")]);
                t.add_row(vec!["AMAX staked".into(), fmt(&b.uamax_staked, "AMAX")]);
                println!("{t}");
            })?;
        }
        TokenCmd::Send {
            to,
            amount,
            denom,
            from,
        } => {
            let to = ctx.resolve_address(&to)?;
            let wallet = ctx.wallet(&from)?;
            let pb = ctx.spinner(format!("sending {amount} {denom} to {to}"));
            let outcome = match denom.to_lowercase().as_str() {
                "agpu" | "amax" => {
                    let sm = ctx.starminer()?;
                    let token = if denom.eq_ignore_ascii_case("agpu") {
                        sm.agpu()
                    } else {
                        sm.amax()
                    };
                    let micro = parse_units(&amount)?;
                    let have = token.balance(wallet.address()).await?;
                    if have < micro {
                        bail!(
                            "{} holds {} {} but {} are to be sent: {} {} is missing",
                            wallet.address(),
                            format_units(have),
                            denom.to_uppercase(),
                            amount,
                            format_units(micro - have),
                            denom.to_uppercase()
                        );
                    }
                    token.transfer(&wallet, &to, micro).await?
                }
                native => {
                    let base: u128 = amount.parse().map_err(|_| {
                        anyhow::anyhow!(
                            "native amounts are integers in the base unit (e.g. 1000000{native})"
                        )
                    })?;
                    wallet.send(&to, base, native).await?
                }
            };
            pb.finish_and_clear();
            let what = match denom.to_lowercase().as_str() {
                "agpu" | "amax" => format_token(parse_units(&amount)?, &denom.to_uppercase()),
                native => format_coin(amount.parse()?, native),
            };
            ctx.print(&outcome, |o| {
                println!(
                    "sent {what} from {} to {to} in block {} (tx {}, gas {})",
                    wallet.address(),
                    o.height,
                    o.hash,
                    o.gas_used
                )
            })?;
        }
    }
    Ok(())
}
