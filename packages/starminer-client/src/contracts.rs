//! Typed clients of every StarMiner contract, built on the messages of
//! `starminer-interfaces` (the contracts' own types). Each client has a
//! generic `query` / `execute` over its contract's `QueryMsg` / `ExecuteMsg`
//! plus helpers for the common calls; AGPU- or AMAX-paid actions go through
//! the token's cw20 `Send` with the receiving contract's `ReceiveMsg`.

use anyhow::{Context, Result};
use cosmwasm_std::{to_json_binary, Addr, CosmosMsg, Uint128};
use serde::de::DeserializeOwned;
use serde::Serialize;
use starminer_deploy::Addresses;
use starminer_interfaces::{governance as gov, incentives as inc, job_market as jm};
use starminer_interfaces::{pricing as pr, registry as reg};

use crate::manifest::Manifest;
use crate::paginate::{collect_pages, Page, MAX_PAGE};
use crate::rpc::{ChainClient, TxOutcome};
use crate::wallet::Wallet;

macro_rules! contract_client {
    ($(#[$doc:meta])* $name:ident, $query:ty, $execute:ty) => {
        $(#[$doc])*
        #[derive(Clone, Debug)]
        pub struct $name {
            chain: ChainClient,
            address: String,
        }

        impl $name {
            pub fn new(chain: ChainClient, address: impl Into<String>) -> Self {
                $name {
                    chain,
                    address: address.into(),
                }
            }

            pub fn address(&self) -> &str {
                &self.address
            }

            /// Any query of this contract.
            pub async fn query<R: DeserializeOwned>(&self, msg: &$query) -> Result<R> {
                self.chain.query_smart(&self.address, msg).await
            }

            /// Any execute of this contract, signed by `wallet`, without funds.
            pub async fn execute(&self, wallet: &Wallet, msg: &$execute) -> Result<TxOutcome> {
                wallet.execute(&self.address, msg, vec![]).await
            }
        }
    };
}

contract_client!(
    /// A cw20 token (AGPU or AMAX: both speak cw20-base).
    Cw20Token,
    cw20_base::msg::QueryMsg,
    cw20_base::msg::ExecuteMsg
);
contract_client!(
    /// The governance contract: staking, proposals, votes, treasury.
    Governance,
    gov::QueryMsg,
    gov::ExecuteMsg
);
contract_client!(
    /// The provider registry.
    Registry,
    reg::QueryMsg,
    reg::ExecuteMsg
);
contract_client!(
    /// The pricing engine.
    Pricing,
    pr::QueryMsg,
    pr::ExecuteMsg
);
contract_client!(
    /// Emissions.
    Incentives,
    inc::QueryMsg,
    inc::ExecuteMsg
);
contract_client!(
    /// The job market.
    JobMarket,
    jm::QueryMsg,
    jm::ExecuteMsg
);

impl Cw20Token {
    pub async fn balance(&self, address: &str) -> Result<u128> {
        let r: cw20::BalanceResponse = self
            .query(&cw20_base::msg::QueryMsg::Balance {
                address: address.to_string(),
            })
            .await?;
        Ok(r.balance.u128())
    }

    pub async fn token_info(&self) -> Result<cw20::TokenInfoResponse> {
        self.query(&cw20_base::msg::QueryMsg::TokenInfo {}).await
    }

    pub async fn transfer(&self, wallet: &Wallet, to: &str, amount: u128) -> Result<TxOutcome> {
        self.execute(
            wallet,
            &cw20_base::msg::ExecuteMsg::Transfer {
                recipient: to.to_string(),
                amount: Uint128::new(amount),
            },
        )
        .await
    }

    /// cw20 `Send`: moves `amount` to `contract` and calls its `Receive`
    /// with `msg` (the receiver's `ReceiveMsg`).
    pub async fn send<M: Serialize>(
        &self,
        wallet: &Wallet,
        contract: &str,
        amount: u128,
        msg: &M,
    ) -> Result<TxOutcome> {
        self.execute(
            wallet,
            &cw20_base::msg::ExecuteMsg::Send {
                contract: contract.to_string(),
                amount: Uint128::new(amount),
                msg: to_json_binary(msg)?,
            },
        )
        .await
    }
}

impl Governance {
    pub async fn config(&self) -> Result<gov::ConfigResponse> {
        self.query(&gov::QueryMsg::Config {}).await
    }

    pub async fn proposal(&self, id: u64) -> Result<gov::ProposalResponse> {
        self.query(&gov::QueryMsg::Proposal { proposal_id: id })
            .await
    }

    pub async fn proposals(
        &self,
        status: Option<gov::ProposalStatusKind>,
        start_after: Option<u64>,
        limit: Option<u32>,
    ) -> Result<Vec<gov::ProposalResponse>> {
        let r: gov::ProposalsResponse = self
            .query(&gov::QueryMsg::Proposals {
                status,
                start_after,
                limit,
            })
            .await?;
        Ok(r.proposals)
    }

    pub async fn staked(&self, address: &str) -> Result<u128> {
        let r: gov::StakedResponse = self
            .query(&gov::QueryMsg::Staked {
                address: address.to_string(),
            })
            .await?;
        Ok(r.staked.u128())
    }

    pub async fn claims(&self, address: &str) -> Result<gov::ClaimsResponse> {
        self.query(&gov::QueryMsg::Claims {
            address: address.to_string(),
        })
        .await
    }

    pub async fn treasury(&self) -> Result<gov::TreasuryResponse> {
        self.query(&gov::QueryMsg::Treasury {}).await
    }

    /// Stakes `amount` uamax (cw20 `Send` of AMAX with `Stake`).
    pub async fn stake(
        &self,
        wallet: &Wallet,
        amax: &Cw20Token,
        amount: u128,
    ) -> Result<TxOutcome> {
        amax.send(wallet, &self.address, amount, &gov::ReceiveMsg::Stake {})
            .await
    }

    /// Creates a proposal with `deposit` uamax; returns its id.
    pub async fn propose(
        &self,
        wallet: &Wallet,
        amax: &Cw20Token,
        deposit: u128,
        title: &str,
        description: &str,
        msgs: Vec<CosmosMsg>,
    ) -> Result<(u64, TxOutcome)> {
        let outcome = amax
            .send(
                wallet,
                &self.address,
                deposit,
                &gov::ReceiveMsg::Propose {
                    title: title.to_string(),
                    description: description.to_string(),
                    msgs,
                },
            )
            .await?;
        let id = outcome
            .wasm_attribute(&self.address, "proposal_id")
            .context("the propose transaction reported no proposal_id")?
            .parse()
            .context("proposal_id")?;
        Ok((id, outcome))
    }

    pub async fn vote(
        &self,
        wallet: &Wallet,
        proposal_id: u64,
        vote: gov::VoteOption,
    ) -> Result<TxOutcome> {
        self.execute(wallet, &gov::ExecuteMsg::Vote { proposal_id, vote })
            .await
    }

    pub async fn execute_proposal(&self, wallet: &Wallet, proposal_id: u64) -> Result<TxOutcome> {
        self.execute(wallet, &gov::ExecuteMsg::Execute { proposal_id })
            .await
    }

    pub async fn unstake(&self, wallet: &Wallet, amount: u128) -> Result<TxOutcome> {
        self.execute(
            wallet,
            &gov::ExecuteMsg::Unstake {
                amount: Uint128::new(amount),
            },
        )
        .await
    }
}

impl Registry {
    pub async fn config(&self) -> Result<reg::ConfigResponse> {
        self.query(&reg::QueryMsg::Config {}).await
    }

    /// The randomness beacon's head.
    pub async fn beacon(&self) -> Result<reg::BeaconResponse> {
        self.query(&reg::QueryMsg::Beacon {}).await
    }

    /// The identity record of `address` (`None` if it never registered).
    pub async fn provider(&self, address: &str) -> Result<Option<reg::Provider>> {
        match self
            .query(&reg::QueryMsg::Provider {
                address: address.to_string(),
            })
            .await
        {
            Ok(p) => Ok(Some(p)),
            Err(e) if is_not_found(&e) => Ok(None),
            Err(e) => Err(e),
        }
    }

    pub async fn providers(
        &self,
        start_after: Option<String>,
        limit: Option<u32>,
    ) -> Result<Vec<reg::Provider>> {
        let r: reg::ProvidersResponse = self
            .query(&reg::QueryMsg::Providers { start_after, limit })
            .await?;
        Ok(r.providers)
    }

    /// Every registered provider (all pages).
    pub async fn all_providers(&self) -> Result<Vec<reg::Provider>> {
        collect_pages(None, |start_after| async move {
            let page = self.providers(start_after, Some(MAX_PAGE)).await?;
            Ok(Page::after_last(page, MAX_PAGE, |p| p.address.to_string()))
        })
        .await
    }

    pub async fn stake(&self, address: &str) -> Result<reg::StakeResponse> {
        self.query(&reg::QueryMsg::Stake {
            address: address.to_string(),
        })
        .await
    }

    /// Bonds `amount` uagpu (cw20 `Send` of AGPU with `Bond`).
    pub async fn bond(&self, wallet: &Wallet, agpu: &Cw20Token, amount: u128) -> Result<TxOutcome> {
        agpu.send(wallet, &self.address, amount, &reg::ReceiveMsg::Bond {})
            .await
    }

    pub async fn unbond(&self, wallet: &Wallet, amount: u128) -> Result<TxOutcome> {
        self.execute(
            wallet,
            &reg::ExecuteMsg::Unbond {
                amount: Uint128::new(amount),
            },
        )
        .await
    }
}

impl Pricing {
    pub async fn config(&self) -> Result<pr::ConfigResponse> {
        self.query(&pr::QueryMsg::Config {}).await
    }

    pub async fn prices(&self) -> Result<pr::PricesResponse> {
        self.query(&pr::QueryMsg::Prices {}).await
    }

    pub async fn price_history(
        &self,
        tier: u8,
        start_after: Option<u64>,
        limit: Option<u32>,
    ) -> Result<pr::PriceHistoryResponse> {
        self.query(&pr::QueryMsg::PriceHistory {
            tier,
            start_after,
            limit,
        })
        .await
    }

    pub async fn utilization(&self, tier: u8) -> Result<pr::UtilizationResponse> {
        self.query(&pr::QueryMsg::Utilization { tier }).await
    }
}

impl Incentives {
    pub async fn current_epoch(&self) -> Result<inc::EpochInfo> {
        self.query(&inc::QueryMsg::CurrentEpoch {}).await
    }

    pub async fn emissions(
        &self,
        start_after: Option<u64>,
        limit: Option<u32>,
    ) -> Result<Vec<inc::EpochEmission>> {
        let r: inc::EmissionsResponse = self
            .query(&inc::QueryMsg::Emissions { start_after, limit })
            .await?;
        Ok(r.epochs)
    }

    pub async fn pending_rewards(&self, address: &str) -> Result<inc::PendingRewardsResponse> {
        self.query(&inc::QueryMsg::PendingRewards {
            address: address.to_string(),
        })
        .await
    }

    pub async fn totals(&self) -> Result<inc::TotalsResponse> {
        self.query(&inc::QueryMsg::Totals {}).await
    }

    pub async fn claim(&self, wallet: &Wallet) -> Result<TxOutcome> {
        self.execute(wallet, &inc::ExecuteMsg::Claim {}).await
    }
}

impl JobMarket {
    pub async fn config(&self) -> Result<jm::ConfigResponse> {
        self.query(&jm::QueryMsg::Config {}).await
    }

    pub async fn template(&self, id: &str) -> Result<Option<jm::Template>> {
        match self
            .query(&jm::QueryMsg::Template { id: id.to_string() })
            .await
        {
            Ok(t) => Ok(Some(t)),
            Err(e) if is_not_found(&e) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Every registered template (all pages).
    pub async fn templates(&self) -> Result<Vec<jm::Template>> {
        collect_pages(None, |start_after| async move {
            let r: jm::TemplatesResponse = self
                .query(&jm::QueryMsg::Templates {
                    start_after,
                    limit: Some(MAX_PAGE),
                })
                .await?;
            Ok(Page::after_last(r.templates, MAX_PAGE, |t| t.id.clone()))
        })
        .await
    }

    /// The job and its history (oldest first).
    pub async fn job(&self, job_id: u64) -> Result<jm::JobResponse> {
        match self.query(&jm::QueryMsg::Job { job_id }).await {
            Err(e) if is_not_found(&e) => Err(anyhow::anyhow!("job {job_id} does not exist")),
            r => r.with_context(|| format!("job {job_id}")),
        }
    }

    pub async fn jobs_by_requester(
        &self,
        requester: &str,
        start_after: Option<u64>,
        limit: Option<u32>,
    ) -> Result<Vec<jm::Job>> {
        let r: jm::JobsResponse = self
            .query(&jm::QueryMsg::JobsByRequester {
                requester: requester.to_string(),
                start_after,
                limit,
            })
            .await?;
        Ok(r.jobs)
    }

    pub async fn jobs_by_status(
        &self,
        status: jm::JobStatus,
        start_after: Option<u64>,
        limit: Option<u32>,
    ) -> Result<Vec<jm::Job>> {
        let r: jm::JobsResponse = self
            .query(&jm::QueryMsg::JobsByStatus {
                status,
                start_after,
                limit,
            })
            .await?;
        Ok(r.jobs)
    }

    pub async fn jobs_by_provider(
        &self,
        provider: &str,
        start_after: Option<u64>,
        limit: Option<u32>,
    ) -> Result<Vec<jm::Job>> {
        let r: jm::JobsResponse = self
            .query(&jm::QueryMsg::JobsByProvider {
                provider: provider.to_string(),
                start_after,
                limit,
            })
            .await?;
        Ok(r.jobs)
    }

    pub async fn zones(&self) -> Result<Vec<jm::ZoneInfo>> {
        let r: jm::ZonesResponse = self
            .query(&jm::QueryMsg::Zones {
                start_after: None,
                limit: Some(100),
            })
            .await?;
        Ok(r.zones)
    }

    pub async fn stats(&self) -> Result<jm::StatsResponse> {
        self.query(&jm::QueryMsg::Stats {}).await
    }

    /// Submits `spec` paying `amount` uagpu (cw20 `Send` of AGPU with
    /// `SubmitJob`; what exceeds the quote is refunded). Returns the job id.
    pub async fn submit_job(
        &self,
        wallet: &Wallet,
        agpu: &Cw20Token,
        amount: u128,
        spec: jm::JobSpec,
    ) -> Result<(u64, TxOutcome)> {
        let outcome = agpu
            .send(
                wallet,
                &self.address,
                amount,
                &jm::ReceiveMsg::SubmitJob { spec },
            )
            .await?;
        let id = outcome
            .submitted_job_id(Some(&self.address))
            .context("the submit transaction emitted no job_submitted event")?;
        Ok((id, outcome))
    }

    pub async fn cancel(&self, wallet: &Wallet, job_id: u64) -> Result<TxOutcome> {
        self.execute(wallet, &jm::ExecuteMsg::Cancel { job_id })
            .await
    }

    pub async fn claim_next(&self, wallet: &Wallet) -> Result<TxOutcome> {
        self.execute(wallet, &jm::ExecuteMsg::ClaimNext { start_after: None })
            .await
    }

    pub async fn settle(&self, wallet: &Wallet, job_id: u64) -> Result<TxOutcome> {
        self.execute(wallet, &jm::ExecuteMsg::Settle { job_id })
            .await
    }
}

/// Whether a contract query failed because the thing does not exist.
fn is_not_found(e: &anyhow::Error) -> bool {
    let text = format!("{e:#}");
    text.contains("not found") || text.contains("NotFound")
}

/// Every contract of one deployment on one chain.
#[derive(Clone, Debug)]
pub struct Starminer {
    chain: ChainClient,
    addresses: Addresses,
}

impl Starminer {
    pub fn new(chain: ChainClient, addresses: Addresses) -> Self {
        Starminer { chain, addresses }
    }

    /// The deployment the manifest records for the client's chain id.
    pub fn from_manifest(chain: ChainClient, manifest: &Manifest) -> Result<Self> {
        let addresses = manifest.addresses(&chain.config().chain_id)?;
        Ok(Starminer { chain, addresses })
    }

    pub fn chain(&self) -> &ChainClient {
        &self.chain
    }

    pub fn addresses(&self) -> &Addresses {
        &self.addresses
    }

    fn at(&self, a: &Addr) -> (ChainClient, String) {
        (self.chain.clone(), a.to_string())
    }

    pub fn agpu(&self) -> Cw20Token {
        let (c, a) = self.at(&self.addresses.agpu);
        Cw20Token::new(c, a)
    }

    pub fn amax(&self) -> Cw20Token {
        let (c, a) = self.at(&self.addresses.amax);
        Cw20Token::new(c, a)
    }

    pub fn governance(&self) -> Governance {
        let (c, a) = self.at(&self.addresses.governance);
        Governance::new(c, a)
    }

    pub fn registry(&self) -> Registry {
        let (c, a) = self.at(&self.addresses.registry);
        Registry::new(c, a)
    }

    pub fn pricing(&self) -> Pricing {
        let (c, a) = self.at(&self.addresses.pricing);
        Pricing::new(c, a)
    }

    pub fn incentives(&self) -> Incentives {
        let (c, a) = self.at(&self.addresses.incentives);
        Incentives::new(c, a)
    }

    pub fn job_market(&self) -> JobMarket {
        let (c, a) = self.at(&self.addresses.job_market);
        JobMarket::new(c, a)
    }

    /// Stakes AMAX in governance.
    pub async fn stake_amax(&self, wallet: &Wallet, amount: u128) -> Result<TxOutcome> {
        self.governance().stake(wallet, &self.amax(), amount).await
    }

    /// Bonds AGPU in the registry.
    pub async fn bond_agpu(&self, wallet: &Wallet, amount: u128) -> Result<TxOutcome> {
        self.registry().bond(wallet, &self.agpu(), amount).await
    }

    /// Submits a job paid in AGPU; returns its id. Fails with how much AGPU
    /// is missing when the wallet holds less than `amount`.
    pub async fn submit_job(
        &self,
        wallet: &Wallet,
        amount: u128,
        spec: jm::JobSpec,
    ) -> Result<(u64, TxOutcome)> {
        let have = self.agpu().balance(wallet.address()).await?;
        if have < amount {
            anyhow::bail!(
                "{} holds {} AGPU but the job needs {} AGPU: {} AGPU is missing; get AGPU sent to it (`starminer token send`)",
                wallet.address(),
                format_units(have),
                format_units(amount),
                format_units(amount - have)
            );
        }
        self.job_market()
            .submit_job(wallet, &self.agpu(), amount, spec)
            .await
    }

    /// The price of a job at the current prices.
    pub async fn quote(
        &self,
        tier: u8,
        class: starminer_interfaces::market::JobClass,
        units: Uint128,
        urgency: starminer_interfaces::market::Urgency,
        verification: starminer_interfaces::market::VerificationMode,
    ) -> Result<pr::QuoteResponse> {
        self.pricing()
            .query(&pr::QueryMsg::Quote {
                tier,
                class,
                units,
                urgency,
                verification,
            })
            .await
    }
}

// How amounts read, everywhere StarMiner prints them (the README's
// "Amounts, units and times"): people see whole tokens with decimals,
// thousands separators and the symbol (`1,234.5 AGPU`, `10 STAR`); JSON
// carries base units, with the unit in the field's name or beside it.

/// Micro units as whole tokens: 6 places with trailing zeros trimmed and
/// thousands separators (`1234500000` → `1,234.5`).
pub fn format_units(micro: u128) -> String {
    let whole = group_thousands(micro / 1_000_000);
    let frac = micro % 1_000_000;
    if frac == 0 {
        whole
    } else {
        format!("{whole}.{}", format!("{frac:06}").trim_end_matches('0'))
    }
}

/// Micro units with the token's symbol: `format_token(1_500_000, "AGPU")`
/// is `1.5 AGPU`.
pub fn format_token(micro: u128, symbol: &str) -> String {
    format!("{} {symbol}", format_units(micro))
}

/// A price in micro units per compute unit (a `Decimal`, as pricing keeps
/// it) in whole tokens, to 12 decimals: `17.5` uagpu/unit reads
/// `0.0000175 AGPU`.
pub fn format_unit_price(micro_per_unit: cosmwasm_std::Decimal, symbol: &str) -> String {
    // atomics = value × 10^18; whole tokens = value / 10^6.
    const SCALE: u128 = 1_000_000_000_000_000_000_000_000;
    let atomics = micro_per_unit.atomics().u128();
    let whole = group_thousands(atomics / SCALE);
    let frac = format!("{:024}", atomics % SCALE);
    let frac = frac[..12].trim_end_matches('0');
    if frac.is_empty() {
        format!("{whole} {symbol}")
    } else {
        format!("{whole}.{frac} {symbol}")
    }
}

/// A native coin in its base denom, for people: a `u`-prefixed denom has 6
/// decimals (`12500000 ustar` → `12.5 STAR`); any other is shown in its
/// base unit with separators (`1000 stake` → `1,000 stake`).
pub fn format_coin(amount: u128, denom: &str) -> String {
    match denom.strip_prefix('u') {
        Some(rest) if !rest.is_empty() && rest.chars().all(|c| c.is_ascii_alphabetic()) => {
            format_token(amount, &rest.to_ascii_uppercase())
        }
        _ => format!("{} {denom}", group_thousands(amount)),
    }
}

/// `1234567` → `1,234,567`.
fn group_thousands(n: u128) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `1.5` → `1500000` micro units (at most 6 decimals). Thousands
/// separators are accepted (`1,000.5`), so what is printed parses back.
pub fn parse_units(text: &str) -> Result<u128> {
    let text = text.trim();
    let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
    if frac.len() > 6 || whole.is_empty() && frac.is_empty() {
        anyhow::bail!("`{text}` is not an amount with at most 6 decimals (e.g. 12.5)");
    }
    let grouped = whole.contains(',');
    if grouped
        && whole
            .split(',')
            .enumerate()
            .any(|(i, g)| g.is_empty() || g.len() > 3 || (i > 0 && g.len() != 3))
    {
        anyhow::bail!("`{text}` has misplaced thousands separators (e.g. 1,000.5)");
    }
    let whole = whole.replace(',', "");
    let whole: u128 = if whole.is_empty() {
        0
    } else {
        whole
            .parse()
            .with_context(|| format!("`{text}` is not an amount (e.g. 12.5)"))?
    };
    let frac_value: u128 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<6}")
            .parse()
            .with_context(|| format!("`{text}` is not an amount (e.g. 12.5)"))?
    };
    whole
        .checked_mul(1_000_000)
        .and_then(|w| w.checked_add(frac_value))
        .with_context(|| format!("`{text}` is too large"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_format_and_parse() {
        assert_eq!(format_units(1_500_000), "1.5");
        assert_eq!(format_units(1), "0.000001");
        assert_eq!(format_units(7_000_000), "7");
        assert_eq!(parse_units("1.5").unwrap(), 1_500_000);
        assert_eq!(parse_units("0.000001").unwrap(), 1);
        assert_eq!(parse_units("12").unwrap(), 12_000_000);
        assert!(parse_units("1.0000001").is_err());
        assert!(parse_units("abc").is_err());
        assert!(parse_units(".").is_err());
    }

    #[test]
    fn amounts_read_with_separators_and_symbols_and_parse_back() {
        assert_eq!(format_units(1_234_500_000), "1,234.5");
        assert_eq!(format_units(1_000_000_000_000), "1,000,000");
        assert_eq!(format_units(999_000_000), "999");
        assert_eq!(format_token(17, "AGPU"), "0.000017 AGPU");
        assert_eq!(format_coin(12_500_000, "ustar"), "12.5 STAR");
        assert_eq!(format_coin(1_000, "stake"), "1,000 stake");
        assert_eq!(format_coin(5, "u"), "5 u");
        let price = |s: &str| format_unit_price(s.parse().unwrap(), "AGPU");
        assert_eq!(price("17.5"), "0.0000175 AGPU");
        assert_eq!(price("2500000"), "2.5 AGPU");
        assert_eq!(price("0"), "0 AGPU");
        for micro in [0, 1, 999_999, 1_000_000, 1_234_567_891, 10u128.pow(24) + 7] {
            assert_eq!(parse_units(&format_units(micro)).unwrap(), micro);
        }
        assert_eq!(parse_units("1,000.5").unwrap(), 1_000_500_000);
        assert!(parse_units("1,00").is_err());
        assert!(parse_units(",100").is_err());
        assert!(parse_units("1000,000").is_err());
    }
}
