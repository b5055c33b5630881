//! What a new provider is told: the funding `init` asks for, what `register`
//! misses before it bonds, and who a benchmark challenge is waiting for.
//! Pure text from chain data, so each message is tested without a chain.

use cosmwasm_std::Decimal;
use starminer_client::contracts::format_units;
use starminer_interfaces::registry::{Challenge, ChallengeStatus, Provider};

/// Gas one agent transaction is budgeted at when `init` suggests the fee
/// coin to fund (a claim, result or heartbeat uses less; registering with
/// a long hardware list about this much).
pub const GAS_PER_TX: u128 = 500_000;

/// Transactions the suggested fee funding pays for: `register` sends up to
/// five, the daemon one per claim, result, settlement and heartbeat.
pub const FUNDED_TXS: u128 = 1_000;

/// A validator whose last heartbeat is older than this (seconds) is shown
/// as probably stopped.
pub const HEARTBEAT_STALE_SECS: u64 = 180;

/// Fee coin (base units) for `txs` transactions at `gas_price`, rounded up.
pub fn fee_budget(gas_price: Decimal, txs: u128) -> u128 {
    let gas = GAS_PER_TX.saturating_mul(txs);
    let per_gas = gas_price.atomics().u128();
    // Decimal has 18 fractional digits.
    gas.saturating_mul(per_gas).div_ceil(10u128.pow(18))
}

/// What `init` prints after writing the home: the amounts to fund, the
/// commands that fund and register. `min_stake` is the chain's minimum
/// bond for the agent's roles when the chain answered.
pub struct NextSteps<'a> {
    pub address: &'a str,
    pub home: &'a str,
    pub manifest: &'a str,
    pub bond_uagpu: u128,
    pub min_stake_uagpu: Option<u128>,
    pub fee_denom: &'a str,
    pub gas_price: Decimal,
}

impl NextSteps<'_> {
    pub fn text(&self) -> String {
        let fees = fee_budget(self.gas_price, FUNDED_TXS);
        let bond = format_units(self.bond_uagpu);
        let minimum = match self.min_stake_uagpu {
            Some(min) if min > self.bond_uagpu => format!(
                "; below the chain's minimum stake of {} AGPU for these roles: raise provider.bond_uagpu in agent.toml",
                format_units(min)
            ),
            Some(min) => format!("; the chain's minimum stake is {} AGPU", format_units(min)),
            None => String::new(),
        };
        format!(
            "next steps:\n\
             \x20 1. fund {addr} with\n\
             \x20      {bond} AGPU   the bond `register` makes (provider.bond_uagpu in agent.toml{minimum})\n\
             \x20      {fees_human}   fees for about {txs} transactions ({gas} gas each at {price} {denom}/gas)\n\
             \x20    from an account that holds them (on a local devnet: dev0):\n\
             \x20      starminer token send {addr} {bond} --denom agpu --from dev0\n\
             \x20      starminer token send {addr} {fees} --denom {denom} --from dev0\n\
             \x20 2. put the deployment manifest (manifest.json, written by the deploy tool) at {manifest}\n\
             \x20 3. starminer-agent register --home {home} --wait-verified 120\n\
             \x20    (a validator agent verifies the benchmark; `starminer devnet up` runs one on a devnet)\n\
             \x20 4. starminer-agent run --home {home}",
            addr = self.address,
            denom = self.fee_denom,
            fees_human = starminer_client::contracts::format_coin(fees, self.fee_denom),
            txs = FUNDED_TXS,
            gas = GAS_PER_TX,
            price = self.gas_price,
            manifest = self.manifest,
            home = self.home,
        )
    }
}

/// `address` holds `have` uagpu and must bond `amount` more: what is
/// missing and how to get it. `None`: it holds enough.
pub fn missing_agpu(address: &str, have: u128, amount: u128, target: u128) -> Option<String> {
    let missing = amount.checked_sub(have).filter(|m| *m > 0)?;
    Some(format!(
        "{address} holds {} AGPU but {} are needed to bond up to provider.bond_uagpu ({} AGPU): \
         {} AGPU is missing; get AGPU with `starminer token send {address} {} --denom agpu --from <funded key>` \
         (on a local devnet: --from dev0), or lower provider.bond_uagpu in agent.toml",
        format_units(have),
        format_units(amount),
        format_units(target),
        format_units(missing),
        format_units(missing),
    ))
}

/// `address` has no fee coin: every transaction would fail.
pub fn missing_fees(address: &str, denom: &str, gas_price: Decimal) -> String {
    let fees = fee_budget(gas_price, FUNDED_TXS);
    format!(
        "{address} holds 0 {denom}, and every transaction pays its fee in {denom}: \
         get some with `starminer token send {address} {fees} --denom {denom} --from <funded key>` \
         (on a local devnet: --from dev0; {fees} {denom} pays for about {FUNDED_TXS} transactions)"
    )
}

/// Who a submitted benchmark challenge waits for, in words: the registered
/// validators other than `me` (`validators`), the beacon's reveal count,
/// and the block time `now` (unix seconds).
pub fn who_is_missing(
    me: &str,
    challenge: &Challenge,
    validators: &[Provider],
    beacon_seq: u64,
    now: u64,
) -> String {
    let others: Vec<&Provider> = validators
        .iter()
        .filter(|v| v.address.as_str() != me)
        .collect();
    let how = "a benchmark is verified by validator agents: on a local devnet `starminer devnet up` \
               runs one (unless started with --no-validator-agent; `starminer devnet status` shows it); \
               elsewhere start one with its own funded key \
               (`starminer-agent init --home V --validator --no-provider`, \
               `starminer-agent register --home V`, `starminer-agent run --home V`)";
    match &challenge.status {
        ChallengeStatus::Issued => {
            return format!(
                "challenge {} is issued but its result is not submitted",
                challenge.id
            )
        }
        ChallengeStatus::Verified { validator, .. } => {
            return format!("challenge {} was verified by {validator}", challenge.id)
        }
        ChallengeStatus::Rejected { validator } => {
            return format!("challenge {} was rejected by {validator}", challenge.id)
        }
        ChallengeStatus::Expired {} => {
            return format!(
                "challenge {} expired without enough attestations; run `register` again to get a new one{}",
                challenge.id,
                if others.is_empty() {
                    format!(" once a validator runs ({how})")
                } else {
                    String::new()
                }
            )
        }
        ChallengeStatus::Submitted { .. } => {}
    }
    if others.is_empty() {
        return format!("no validator is registered on this chain; {how}");
    }
    let heartbeat = |v: &Provider| match v.last_heartbeat {
        Some(t) => {
            let age = now.saturating_sub(t.seconds());
            if age > HEARTBEAT_STALE_SECS {
                format!("last heartbeat {age} s ago: is its agent running?")
            } else {
                format!("last heartbeat {age} s ago")
            }
        }
        None => "no heartbeat yet: is its agent running?".to_string(),
    };
    if challenge.quorum == 0 {
        return format!(
            "no validator was seated when the result was submitted, so nobody can attest it; \
             registered validators: {}. It expires at its deadline (unix {}); then run `register` again",
            others
                .iter()
                .map(|v| format!("{} ({})", v.address, heartbeat(v)))
                .collect::<Vec<_>>()
                .join(", "),
            challenge.deadline.seconds()
        );
    }
    if challenge.verifiers.is_empty() {
        let draw = challenge.draw_seq.map_or(String::new(), |seq| {
            format!(
                " drawn with beacon reveal {seq} (the beacon is at reveal {beacon_seq}; validator agents reveal it)"
            )
        });
        return format!(
            "waiting for the verifiers to be{draw}; registered validators: {}",
            others
                .iter()
                .map(|v| format!("{} ({})", v.address, heartbeat(v)))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let pending: Vec<String> = challenge
        .verifiers
        .iter()
        .filter(|a| !challenge.attestations.iter().any(|x| x.validator == *a))
        .map(|a| {
            let hb = others
                .iter()
                .find(|v| v.address == *a)
                .map_or("not a registered validator any more".to_string(), |v| {
                    heartbeat(v)
                });
            format!("{a} ({hb})")
        })
        .collect();
    format!(
        "{} of {} attestations; waiting for {} (the challenge's deadline is {})",
        challenge.attestations.len(),
        challenge.quorum,
        pending.join(", "),
        starminer_client::human::until(challenge.deadline.seconds(), now)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fee_budget_rounds_up() {
        let price: Decimal = "0.0025".parse().unwrap();
        assert_eq!(fee_budget(price, 1), 1_250);
        assert_eq!(fee_budget(price, FUNDED_TXS), 1_250_000);
        assert_eq!(fee_budget("0.0000001".parse().unwrap(), 1), 1);
    }

    #[test]
    fn missing_agpu_says_how_much_and_how() {
        let addr = "starminer1abc";
        assert_eq!(missing_agpu(addr, 5_000_000, 5_000_000, 5_000_000), None);
        let text = missing_agpu(addr, 250_000_000, 1_000_000_000, 1_000_000_000).unwrap();
        assert!(
            text.starts_with("starminer1abc holds 250 AGPU but 1,000 are needed"),
            "{text}"
        );
        assert!(text.contains("750 AGPU is missing"), "{text}");
        assert!(
            text.contains(
                "`starminer token send starminer1abc 750 --denom agpu --from <funded key>`"
            ),
            "{text}"
        );
    }

    fn challenge(status: ChallengeStatus) -> Challenge {
        Challenge {
            id: 7,
            provider: cosmwasm_std::Addr::unchecked("me"),
            claimed_score: 100,
            seed: "00".repeat(32),
            issued_height: 1,
            issued_at: cosmwasm_std::Timestamp::from_seconds(1_000),
            deadline: cosmwasm_std::Timestamp::from_seconds(1_600),
            status,
            draw_seq: None,
            quorum: 0,
            verifiers: vec![],
            attestations: vec![],
        }
    }

    #[test]
    fn a_wait_without_validators_says_how_to_start_one() {
        let submitted = challenge(ChallengeStatus::Submitted {
            result_root: "ab".repeat(32),
            submitted_at: cosmwasm_std::Timestamp::from_seconds(1_010),
        });
        let text = who_is_missing("me", &submitted, &[], 0, 1_020);
        assert!(
            text.starts_with("no validator is registered on this chain"),
            "{text}"
        );
        assert!(text.contains("starminer-agent init --home V --validator --no-provider"));
        let expired = who_is_missing("me", &challenge(ChallengeStatus::Expired {}), &[], 0, 1_700);
        assert!(expired.contains("challenge 7 expired"), "{expired}");
        assert!(expired.contains("once a validator runs"), "{expired}");
    }

    #[test]
    fn next_steps_give_the_amounts_and_commands() {
        let steps = NextSteps {
            address: "starminer1abc",
            home: "/h",
            manifest: "/h/manifest.json",
            bond_uagpu: 1_000_000_000,
            min_stake_uagpu: Some(2_000_000_000),
            fee_denom: "ustar",
            gas_price: "0.0025".parse().unwrap(),
        }
        .text();
        assert!(steps.contains("1,000 AGPU"), "{steps}");
        assert!(steps.contains("minimum stake of 2,000 AGPU"), "{steps}");
        assert!(steps.contains("1.25 STAR   fees"), "{steps}");
        assert!(steps.contains("starminer token send starminer1abc 1,000 --denom agpu --from dev0"));
        assert!(
            steps.contains("starminer token send starminer1abc 1250000 --denom ustar --from dev0")
        );
        assert!(steps.contains("starminer-agent register --home /h --wait-verified 120"));
    }
}
